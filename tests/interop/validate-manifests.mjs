// Validates YAML site manifests against the manifest's JSON Schema with peers no one here wrote:
// `yaml` (YAML 1.2 core schema) turns each document into JSON data, `ajv` (draft-07, all errors) validates it.
// Input (stdin): one JSON object per line, {"id": ..., "yaml": "..."}. Output (stdout): one JSON object per line,
// {"id", "valid", "errors": [{"instancePath", "keyword", "params", "schemaPath"}]} or {"id", "parseError"}.
// Usage: node validate-manifests.mjs <schema.json>
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { parseDocument } from 'yaml';

const schema = JSON.parse(readFileSync(process.argv[2], 'utf8'));
// Strict (unknown keywords and formats are errors), except strictRequired, which rejects the usual if/not/required idiom.
const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
addFormats(ajv);
// CertLsp's own annotation: which diagnostic codes own a node's value constraints. Not a validation keyword.
ajv.addKeyword({ keyword: 'x-certlsp-checkedBy', schemaType: ['string', 'array'] });
const validate = ajv.compile(schema);

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (!line.trim()) continue;
  const { id, yaml } = JSON.parse(line);
  const doc = parseDocument(yaml, { version: '1.2', schema: 'core', uniqueKeys: true, merge: false });
  if (doc.errors.length > 0) {
    console.log(JSON.stringify({ id, parseError: doc.errors[0].message }));
    continue;
  }
  const data = doc.toJS({ maxAliasCount: 100 });
  const valid = validate(data);
  const errors = (validate.errors ?? []).map(e => ({ instancePath: e.instancePath, keyword: e.keyword, params: e.params,
      schemaPath: e.schemaPath }));
  console.log(JSON.stringify({ id, valid, errors }));
}
