import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as fs from 'node:fs';
import { test } from 'node:test';
import { ServerNotFoundError, bundledServerExecutable, resolveServer, runtimeMissingMessage, serverEnvironment,
    serverRuntimeSettings } from '../src/serverLocation';

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
  assert.throws(() => resolveServer('/nope/certlsp.dll', ext, existing(bundled)), (e: Error) => e instanceof ServerNotFoundError
      && e.message.includes('/nope/certlsp.dll'));
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

test('a per-platform package: its own executable, started directly, before any dll', () => {
  const exe = path.join(ext, 'dist', 'server', 'certlsp');
  assert.deepEqual(resolveServer('', ext, existing(exe, bundled), '/home/eng', 'linux'),
      { command: exe, args: ['lsp', '--stdio'], origin: 'bundled' });
  assert.deepEqual(resolveServer('', ext, existing(exe), '/home/eng', 'darwin').command, exe);
  const winExt = 'C:\\Users\\eng\\.vscode\\extensions\\certlsp.certlsp-0.1.0-win32-x64';
  const winExe = `${winExt}\\dist\\server\\certlsp.exe`;
  assert.equal(resolveServer('', winExt, existing(winExe), 'C:\\Users\\eng', 'win32').command, winExe);
  // On Windows only certlsp.exe counts; elsewhere only certlsp: a package for another platform falls back to the dll.
  assert.deepEqual(resolveServer('', winExt, existing(`${winExt}\\dist\\server\\certlsp`, `${winExt}\\dist\\server\\certlsp.dll`),
      'C:\\Users\\eng', 'win32'),
    { command: 'dotnet', args: [`${winExt}\\dist\\server\\certlsp.dll`, 'lsp', '--stdio'], origin: 'bundled' });
  assert.equal(resolveServer('', ext, existing(path.join(ext, 'dist', 'server', 'certlsp.exe'), bundled), '/home/eng', 'linux').command,
      'dotnet');
  assert.equal(bundledServerExecutable('win32'), 'dist\\server\\certlsp.exe');
  assert.equal(bundledServerExecutable('linux'), 'dist/server/certlsp');
  // The setting still wins over the bundled executable.
  assert.equal(resolveServer('/opt/certlsp', ext, existing(exe, '/opt/certlsp'), '/home/eng', 'linux').origin, 'setting');
});

test('no dotnet for the universal package: a message with the ways out; other failures keep their own text', () => {
  const viaDotnet = resolveServer('', ext, existing(bundled), '/home/eng', 'linux');
  const text = runtimeMissingMessage(viaDotnet, 'spawn dotnet ENOENT');
  assert.match(text ?? '', /\.NET 10 runtime/);
  assert.match(text ?? '', /package for your platform/);
  assert.match(text ?? '', /certlsp\.server\.path/);
  assert.equal(runtimeMissingMessage(viaDotnet, 'spawn dotnet EACCES'), undefined);
  const exe = path.join(ext, 'dist', 'server', 'certlsp');
  assert.equal(runtimeMissingMessage(resolveServer('', ext, existing(exe), '/home/eng', 'linux'), 'spawn x ENOENT'), undefined);
});

test('Windows settings: drive letters, backslashes, forward slashes and ~\\ in certlsp.server.path', () => {
  const winExt = 'C:\\Users\\eng\\.vscode\\extensions\\certlsp.certlsp-0.1.0-win32-x64';
  const home = 'C:\\Users\\eng';
  const win = (setting: string, file: string) => resolveServer(setting, winExt, existing(file), home, 'win32');
  assert.deepEqual(win('C:\\Tools\\CertLsp\\certlsp.exe', 'C:\\Tools\\CertLsp\\certlsp.exe'),
    { command: 'C:\\Tools\\CertLsp\\certlsp.exe', args: ['lsp', '--stdio'], origin: 'setting' });
  assert.equal(win('C:/Tools/CertLsp/certlsp.exe', 'C:\\Tools\\CertLsp\\certlsp.exe').command, 'C:\\Tools\\CertLsp\\certlsp.exe');
  assert.deepEqual(win('D:\\certlsp\\CertLsp.dll', 'D:\\certlsp\\CertLsp.dll').args, ['D:\\certlsp\\CertLsp.dll', 'lsp', '--stdio']);
  assert.equal(win('~\\bin\\certlsp.exe', 'C:\\Users\\eng\\bin\\certlsp.exe').command, 'C:\\Users\\eng\\bin\\certlsp.exe');
  assert.equal(win('~/bin/certlsp.exe', 'C:\\Users\\eng\\bin\\certlsp.exe').command, 'C:\\Users\\eng\\bin\\certlsp.exe');
  assert.equal(win('\\\\fileserver\\tools\\certlsp.exe', '\\\\fileserver\\tools\\certlsp.exe').command,
      '\\\\fileserver\\tools\\certlsp.exe');
  assert.throws(() => win('C:\\Nope\\certlsp.exe', 'C:\\Tools\\certlsp.exe'), /does not exist: C:\\Nope\\certlsp\.exe/);
});
