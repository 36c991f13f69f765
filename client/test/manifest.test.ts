// The extension manifest (package.json at the repository root) against the code: every command, setting, view and
// context key the one names, the other has; the packaged files exist.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { CertificatesViewId, Command, ContextKey, Setting, SettingsSection, restartSettings } from '../src/names';
import { defaultManifestGlobs } from '../src/selector';
import { bundledServerDll, bundledServerExecutable } from '../src/serverLocation';

const root = path.resolve(__dirname, '..', '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const contributes = manifest.contributes;
const sorted = (xs: Iterable<string>) => [...xs].sort();

test('contributed commands are exactly the commands the extension registers', () => {
  assert.deepEqual(sorted(contributes.commands.map((c: { command: string }) => c.command)), sorted(Object.values(Command)));
  for (const c of contributes.commands) assert.equal(c.category, 'CertLsp', c.command);
});

test('every menu item names a contributed command', () => {
  const known = new Set(Object.values(Command) as string[]);
  for (const [menu, items] of Object.entries<{ command: string }[]>(contributes.menus)) {
    for (const item of items) assert.ok(known.has(item.command), `${menu}: ${item.command}`);
  }
});

test('when clauses use only context keys the extension sets (and its view id)', () => {
  const known = new Set<string>([...Object.values(ContextKey), CertificatesViewId]);
  const clauses = [
    ...Object.values<{ when?: string }[]>(contributes.menus).flat().map(i => i.when ?? ''),
    ...contributes.commands.map((c: { enablement?: string }) => c.enablement ?? ''),
    ...contributes.views.explorer.map((v: { when?: string }) => v.when ?? ''),
  ];
  for (const clause of clauses) {
    for (const key of clause.match(/certlsp\.[A-Za-z.]+/g) ?? []) assert.ok(known.has(key), `${key} in "${clause}"`);
  }
});

test('contributed settings are exactly the settings the code reads', () => {
  const keys = Object.keys(contributes.configuration.properties);
  assert.deepEqual(sorted(keys), sorted(Object.values(Setting).map(s => `${SettingsSection}.${s}`)));
  for (const key of restartSettings) assert.ok(keys.includes(`${SettingsSection}.${key}`), key);
  for (const [key, value] of Object.entries<{ default?: unknown; description?: string; markdownDescription?: string }>(
      contributes.configuration.properties)) {
    assert.ok('default' in value, `${key} has a default`);
    assert.ok(value.description || value.markdownDescription, `${key} is described`);
  }
});

test('the certificates view lives in the explorer under its id', () => {
  assert.deepEqual(contributes.views.explorer.map((v: { id: string; name: string }) => [v.id, v.name]),
      [[CertificatesViewId, 'Site certificates']]);
});

test('manifests stay YAML: no language contributed, the schema given to yamlValidation for both suffixes', () => {
  assert.equal(contributes.languages, undefined);
  const [validation] = contributes.yamlValidation;
  assert.deepEqual(validation.fileMatch, defaultManifestGlobs.map(g => g.replace('**/', '')));
  assert.ok(fs.existsSync(path.join(root, validation.url)), validation.url);
  for (const glob of defaultManifestGlobs) assert.ok(manifest.activationEvents.includes(`workspaceContains:${glob}`), glob);
});

test('the .vsix keeps the bundle, the server and the schema', () => {
  const ignore = fs.readFileSync(path.join(root, '.vscodeignore'), 'utf8').split('\n');
  assert.equal(path.normalize(manifest.main), path.normalize('./client/dist/extension.js'));
  assert.ok(ignore.includes('!client/dist/extension.js'));
  assert.ok(ignore.includes(`!${path.dirname(bundledServerDll)}/**`), bundledServerDll);
  assert.ok(ignore.includes(`!${contributes.yamlValidation[0].url.replace('./', '')}`));
  // The universal package's dll and the per-platform packages' executable land where the client looks for them.
  assert.match(manifest.scripts['publish-server'], new RegExp(` framework ${path.dirname(bundledServerDll)}$`));
  const perPlatform = fs.readFileSync(path.join(root, 'scripts', 'package-vsix.sh'), 'utf8');
  assert.match(perPlatform, new RegExp(
      `scripts/publish-server.sh "\\$\\(rid "\\$target"\\)" ${path.dirname(bundledServerExecutable('linux'))}\n`));
});

test('engines.vscode admits the API the code is typed against and the language client needs', () => {
  const engine = /^\^(\d+)\.(\d+)\.\d+$/.exec(manifest.engines.vscode);
  assert.ok(engine, manifest.engines.vscode);
  const types = /^(\d+)\.(\d+)\.\d+$/.exec(manifest.devDependencies['@types/vscode'])!;
  assert.ok(Number(types[1]) === Number(engine[1]) && Number(types[2]) <= Number(engine[2]),
      '@types/vscode must not be newer than engines.vscode');
  const client = JSON.parse(fs.readFileSync(path.join(root, 'node_modules', 'vscode-languageclient', 'package.json'), 'utf8'));
  assert.equal(client.engines.vscode, manifest.engines.vscode);
});
