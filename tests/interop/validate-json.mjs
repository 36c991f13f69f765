// Validates JSON documents against a JSON Schema with ajv (draft-07, all errors, strict), a validator no one here wrote.
// Input (stdin): one JSON object per line, {"id": ..., "json": "<the document's text>"}. Output (stdout): one JSON object per line,
// {"id", "valid", "errors": [{"instancePath", "keyword"}]} or {"id", "parseError"} when the text is not JSON.
// Usage: node validate-json.mjs <schema.json>
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import Ajv from 'ajv';

const schema = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const ajv = new Ajv({ allErrors: true, strict: true });
const validate = ajv.compile(schema);

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (!line.trim()) continue;
  const { id, json } = JSON.parse(line);
  let data;
  try {
    data = JSON.parse(json);
  } catch (e) {
    console.log(JSON.stringify({ id, parseError: String(e.message) }));
    continue;
  }
  const valid = validate(data);
  const errors = (validate.errors ?? []).map(e => ({ instancePath: e.instancePath, keyword: e.keyword }));
  console.log(JSON.stringify({ id, valid, errors }));
}
