import assert from 'node:assert/strict';
import { test } from 'node:test';
import { installLog, installText } from '../src/installFlow';
import type { InstallSummary } from '../src/protocol';
import { deviceDescription, deviceTooltip } from '../src/statusModel';

const refusal =
    'device 12202 at 127.12.0.3:47817, NetworkPort:2: ReinitializeDevice ACTIVATE_CHANGES: error Device/InvalidConfigurationData; its ' +
    'pending changes were discarded';
const summary: InstallSummary = {
  installed: 2,
  failed: 1,
  pending: 1,
  devices: [
    { device: 'dev-0001', state: 'installed', detail: 'issuer and operational certificates written, read back and activated' },
    { device: 'dev-0002', state: 'failed', detail: refusal },
    { device: 'dev-0003', state: 'installed', detail: 'issuer and operational certificates written, read back and activated' },
    { device: 'dev-0004', state: 'pending', detail: 'not installed: cancelled before its turn' },
  ],
};

test('the log lists failed devices with their error first, then those not tried and why, then those installed', () => {
  assert.deepEqual(installLog(summary), [
    `  INSTALL FAILED: dev-0002 (${refusal})`,
    '  not installed: dev-0004 (not installed: cancelled before its turn)',
    '  installed: dev-0001',
    '  installed: dev-0003',
  ]);
  assert.deepEqual(installLog({ installed: 0, failed: 0, pending: 0, devices: [] }), []);
});

test('the certificates view says whether a device-held certificate is on its device', () => {
  assert.equal(installText('installed'), 'on the device');
  assert.equal(installText('pending'), 'not on the device yet');
  assert.equal(installText('failed'), 'install failed');
  assert.equal(installText(undefined), '');
  const range = { start: { line: 3, character: 10 }, end: { line: 3, character: 18 } };
  const failed = { name: 'dev-0002', commonName: 'dev-0002.bms.example', status: 'valid' as const, range, notAfter: '2027-03-01',
      daysLeft: 98, install: 'failed' as const, installError: refusal };
  assert.equal(deviceDescription(failed), 'dev-0002.bms.example · expires 2027-03-01 (in 98 days) · install failed');
  assert.match(deviceTooltip(failed), new RegExp(
      `\\nInstall on the device: failed \\(${refusal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)$`));
  // Local keys: no install part.
  assert.equal(deviceDescription({ ...failed, install: undefined, installError: undefined }),
      'dev-0002.bms.example · expires 2027-03-01 (in 98 days)');
});
