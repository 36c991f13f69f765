// Restricted Mode (workspace trust): the settings an untrusted folder may not choose, the commands and code actions that
// wait for trust, and the extension manifest's declarations of both.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { Command, Setting, SettingsSection } from '../src/names';
import { ImportPromptCommand, ServerCommand } from '../src/protocol';
import { resolveServer } from '../src/serverLocation';
import { initializationOptions, type SettingsReader } from '../src/serverOptions';
import {
  availableInRestrictedMode, offeredActions, restartForTrust, restrictedMessage, restrictedSettings, restrictedSnapshot, trustedSettings,
  type Inspected, type SettingsInspector,
} from '../src/trust';

const root = path.resolve(__dirname, '..', '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

/** A configuration with values per scope, merged the way vscode's get does (folder > workspace > user > default). */
function configuration(scopes: Record<string, Inspected<unknown>>): { get: SettingsReader; inspect: SettingsInspector } {
  const inspect = (<T>(key: string) => scopes[key] as Inspected<T> | undefined) as SettingsInspector;
  const get = (<T>(key: string) => {
    const s = scopes[key];
    return (s?.workspaceFolderValue ?? s?.workspaceValue ?? s?.globalValue ?? s?.defaultValue) as T | undefined;
  }) as SettingsReader;
  return { get, inspect };
}

// A folder's .vscode/settings.json naming a program and addresses, over the user's own settings.
const hostile = configuration({
  [Setting.serverPath]: { defaultValue: '', workspaceFolderValue: '/repo/tools/evil.sh' },
  [Setting.bacnetBind]: { defaultValue: '', globalValue: '10.0.0.5', workspaceValue: '192.168.1.66' },
  [Setting.bacnetPort]: { defaultValue: 47808, workspaceValue: 47999 },
  [Setting.bacnetBroadcast]: { defaultValue: '', workspaceValue: '192.168.1.255' },
  [Setting.bacnetGenerateCsrCommand]: { defaultValue: 9, workspaceValue: 8 },
  [Setting.warningDays]: { defaultValue: 30, workspaceValue: 60 },
  [Setting.zipLayout]: { defaultValue: 'flat', workspaceValue: 'cari' },
});
const exists = (p: string) => p === '/ext/dist/server/certlsp.dll' || p === '/repo/tools/evil.sh';

test('in Restricted Mode the folder cannot choose the server: the bundled one starts', () => {
  const read = trustedSettings(hostile.get, hostile.inspect, false);
  assert.equal(read(Setting.serverPath), '');
  assert.deepEqual(resolveServer(read(Setting.serverPath), '/ext', exists),
      { command: 'dotnet', args: ['/ext/dist/server/certlsp.dll', 'lsp', '--stdio'], origin: 'bundled' });
});

test('in Restricted Mode the BACnet settings are the user\'s (or the defaults), never the folder\'s', () => {
  const read = trustedSettings(hostile.get, hostile.inspect, false);
  assert.deepEqual(initializationOptions(read, [], false).bacnet,
      { port: 47808, broadcast: undefined, generateCsrCommand: 9, bind: '10.0.0.5' });
});

test('in Restricted Mode the settings that name no program, address or port still come from the folder', () => {
  const read = trustedSettings(hostile.get, hostile.inspect, false);
  assert.equal(read(Setting.warningDays), 60);
  assert.equal(read(Setting.zipLayout), 'cari');
  assert.equal(initializationOptions(read, [], false).warningDays, 60);
});

test('in a trusted folder every setting is as configured, the folder\'s server included', () => {
  const read = trustedSettings(hostile.get, hostile.inspect, true);
  assert.deepEqual(resolveServer(read(Setting.serverPath), '/ext', exists),
      { command: '/repo/tools/evil.sh', args: ['lsp', '--stdio'], origin: 'setting' });
  assert.deepEqual(initializationOptions(read, [], false).bacnet,
      { port: 47999, broadcast: '192.168.1.255', generateCsrCommand: 8, bind: '192.168.1.66' });
});

test('granting trust restarts a server started in Restricted Mode only when the folder sets a server path or BACnet setting', () => {
  const snapshot = (c: typeof hostile, trusted: boolean) => restrictedSnapshot(trustedSettings(c.get, c.inspect, trusted));
  const untrusted = { trusted: false, settings: snapshot(hostile, false) };
  // VS Code reports the grant, then hands over the folder's restricted settings: asked at both, it restarts at the second.
  assert.equal(restartForTrust(untrusted, true, untrusted.settings), false, 'not yet: the folder\'s values have not arrived');
  assert.equal(restartForTrust(untrusted, true, snapshot(hostile, true)), true);
  assert.equal(restartForTrust(untrusted, false, snapshot(hostile, true)), false, 'still untrusted');
  assert.equal(restartForTrust({ trusted: true, settings: untrusted.settings }, true, snapshot(hostile, true)), false,
    'a server started trusted is never restarted for trust (a settings change asks the user)');
  assert.equal(restartForTrust(undefined, true, snapshot(hostile, true)), false, 'no server started');
  const plain = configuration({
    [Setting.serverPath]: { defaultValue: '', globalValue: '/home/me/certlsp' },
    [Setting.bacnetBind]: { defaultValue: '', globalValue: '10.0.0.5' },
    [Setting.warningDays]: { defaultValue: 30, workspaceValue: 60 },
  });
  assert.equal(restartForTrust({ trusted: false, settings: snapshot(plain, false) }, true, snapshot(plain, true)), false,
    'the folder sets none: the server keeps running');
});

test('only reading commands run in Restricted Mode; every server command that writes, runs or sends waits, and unknown ones too', () => {
  for (const c of [Command.status, Command.restartServer, Command.showOutput, Command.refreshCertificates, Command.revealDevice,
      ServerCommand.showStatus]) {
    assert.ok(availableInRestrictedMode(c), c);
  }
  for (const c of [Command.generate, Command.generateForSelection, Command.import, Command.discover, Command.install, ImportPromptCommand,
    ServerCommand.generateCsrs, ServerCommand.importCertificates, ServerCommand.discoverDevices, ServerCommand.installCertificates,
        'certlsp.somethingNew']) {
    assert.ok(!availableInRestrictedMode(c), c);
  }
});

test('the Restricted Mode message names the command and says how to get it', () => {
  assert.match(restrictedMessage(ServerCommand.generateCsrs),
      /^CertLsp: Generate CSRs is not available in Restricted Mode: .*Trust this folder/);
  assert.match(restrictedMessage(ImportPromptCommand), /Import Signed Certificates is not available in Restricted Mode/);
  assert.match(restrictedMessage(Command.install), /Install Certificates on Devices is not available/);
  assert.match(restrictedMessage('certlsp.somethingNew'), /certlsp\.somethingNew is not available/);
});

test('in Restricted Mode code actions that would write, run or send are not offered; edits and status are', () => {
  const actions = [
    { title: 'Replace with GB', edit: {} },
    { title: 'Generate CSRs for all devices', command: { command: ServerCommand.generateCsrs } },
    { title: 'Import signed certificates…', command: { command: ImportPromptCommand } },
    { title: 'Request CSRs, keeping pending ones', edit: {}, command: { command: ServerCommand.generateCsrs } },
    { title: 'Certificate: valid', command: ServerCommand.showStatus },
    { title: 'bare generate', command: ServerCommand.generateCsrs },
  ];
  assert.deepEqual(offeredActions(actions, false).map(a => a.title), ['Replace with GB', 'Certificate: valid']);
  assert.deepEqual(offeredActions(actions, true).map(a => a.title), actions.map(a => a.title));
});

test('package.json declares limited support, and restricts exactly the settings naming programs, addresses or ports', () => {
  const declared = manifest.capabilities?.untrustedWorkspaces;
  assert.equal(declared?.supported, 'limited');
  assert.ok(typeof declared.description === 'string' && declared.description.length > 0);
  const properties: Record<string, { scope?: string }> = manifest.contributes.configuration.properties;
  const expected = Object.entries(properties)
    .filter(([key, value]) => key === `${SettingsSection}.${Setting.serverPath}` || key.startsWith(`${SettingsSection}.bacnet.`)
        || value.scope === 'machine-overridable')
    .map(([key]) => key)
    .sort();
  assert.deepEqual([...declared.restrictedConfigurations].sort(), expected);
  assert.deepEqual([...restrictedSettings].map(s => `${SettingsSection}.${s}`).sort(), expected);
});

test('menu entries of commands that wait for trust are shown only in a trusted folder (isWorkspaceTrusted); the others always', () => {
  let gated = 0;
  for (const [menu, items] of Object.entries<{ command: string; when?: string }[]>(manifest.contributes.menus)) {
    for (const item of items) {
      if (item.when === 'false') continue;
      const trustedOnly = /^isWorkspaceTrusted && /.test(item.when ?? '');
      assert.equal(trustedOnly, !availableInRestrictedMode(item.command), `${menu}: ${item.command} when "${item.when}"`);
      if (trustedOnly) gated++;
    }
  }
  assert.ok(gated >= 5, `${gated} gated menu entries`);
  const palette = new Set(manifest.contributes.menus.commandPalette.map((i: { command: string }) => i.command));
  for (const c of [Command.generate, Command.generateForSelection, Command.import, Command.discover, Command.install]) assert.ok(
      palette.has(c), c);
});
