import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Setting } from '../src/names';
import { initializationOptions, type SettingsReader } from '../src/serverOptions';

const reader = (values: Record<string, unknown>): SettingsReader => <T>(key: string) => values[key] as T | undefined;

test('the BACnet settings reach the server as initializationOptions.bacnet, bind included', () => {
  const options = initializationOptions(reader({
    [Setting.warningDays]: 45,
    [Setting.bacnetPort]: 47809,
    [Setting.bacnetBroadcast]: '127.255.255.255',
    [Setting.bacnetGenerateCsrCommand]: 8,
    [Setting.bacnetBind]: ' 127.0.1.9 ',
    [Setting.exclude]: ['tests/fixtures/', '', '**/archive/**'],
  }), ['**/sites/*.yaml'], true);
  assert.deepEqual(options, {
    warningDays: 45,
    extraGlobs: ['**/sites/*.yaml'],
    exclude: ['tests/fixtures/', '**/archive/**'],
    bacnet: { port: 47809, broadcast: '127.255.255.255', generateCsrCommand: 8, bind: '127.0.1.9' },
    clientCommands: ['certlsp.importCertificatesPrompt', 'certlsp.review'],
    workspaceTrusted: true,
  });
});

test('the server hears whether the folder is trusted: untrusted, it runs no git', () => {
  assert.equal(initializationOptions(reader({}), [], false).workspaceTrusted, false);
  assert.equal(JSON.parse(JSON.stringify(initializationOptions(reader({}), [], false))).workspaceTrusted, false, 'said, not left out');
});

test('an empty or blank bind or broadcast setting is not sent: CertLsp never picks an address', () => {
  for (const empty of ['', '   ', undefined]) {
    const { bacnet } = initializationOptions(reader({ [Setting.bacnetBind]: empty, [Setting.bacnetBroadcast]: empty,
        [Setting.bacnetPort]: 47808 }), [], false);
    assert.equal(bacnet.bind, undefined);
    assert.equal(bacnet.broadcast, undefined);
    assert.equal(bacnet.port, 47808);
    assert.ok(!('bind' in JSON.parse(JSON.stringify(bacnet))), 'no bind key on the wire');
  }
});
