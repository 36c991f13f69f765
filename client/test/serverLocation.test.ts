import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as fs from 'node:fs';
import { test } from 'node:test';
import { ServerNotFoundError, resolveServer, serverEnvironment, serverRuntimeSettings } from '../src/serverLocation';

const ext = '/ext/certlsp-0.1.0';
const bundled = path.join(ext, 'dist', 'server', 'certlsp.dll');
const existing = (...paths: string[]) => (p: string) => paths.includes(p);

test('no setting: the bundled dll, run with dotnet', () => {
  assert.deepEqual(resolveServer('', ext, existing(bundled)), { command: 'dotnet', args: [bundled, 'lsp', '--stdio'], origin: 'bundled' });
  assert.deepEqual(resolveServer(undefined, ext, existing(bundled)).origin, 'bundled');
  assert.deepEqual(resolveServer('   ', ext, existing(bundled)).origin, 'bundled');
});

test('a dll from the setting runs with dotnet; anything else runs as an executable', () => {
  assert.deepEqual(resolveServer('/opt/certlsp/certlsp.DLL', ext, existing('/opt/certlsp/certlsp.DLL')), {
    command: 'dotnet', args: ['/opt/certlsp/certlsp.DLL', 'lsp', '--stdio'], origin: 'setting',
  });
  assert.deepEqual(resolveServer('/src/certlsp/certlsp', ext, existing('/src/certlsp/certlsp')), {
    command: '/src/certlsp/certlsp', args: ['lsp', '--stdio'], origin: 'setting',
  });
});

test('~ in the setting is the home folder', () => {
  assert.equal(resolveServer('~/bin/certlsp', ext, existing('/home/eng/bin/certlsp'), '/home/eng').command, '/home/eng/bin/certlsp');
});

test('a missing server is a clear error naming the path', () => {
  assert.throws(() => resolveServer('/nope/certlsp.dll', ext, existing(bundled)), (e: Error) => e instanceof ServerNotFoundError && e.message.includes('/nope/certlsp.dll'));
  assert.throws(() => resolveServer('', ext, existing()), /bundled server is missing .*certlsp\.dll.*certlsp\.server\.path/);
});

test('the server runs without tiered compilation and with a 64 MB gen-0 budget, unless the environment says otherwise', () => {
  const env = serverEnvironment({ PATH: '/usr/bin', DOTNET_GCgen0size: '0x1000000' });
  assert.equal(env.PATH, '/usr/bin');
  assert.equal(env.DOTNET_TieredCompilation, '0');
  assert.equal(env.DOTNET_GCgen0size, '0x1000000'); // the engineer's own setting wins
  assert.deepEqual(serverRuntimeSettings, { DOTNET_TieredCompilation: '0', DOTNET_GCgen0size: '0x4000000' });
  // bench/run-lsp.sh measures the server as the extension starts it: it must set the same values.
  const script = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'bench', 'run-lsp.sh'), 'utf8');
  for (const [name, value] of Object.entries(serverRuntimeSettings)) assert.match(script, new RegExp(`export ${name}=${value}\\b`));
});
