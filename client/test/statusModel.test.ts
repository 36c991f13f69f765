import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DeviceStatus, DeviceStatusKind } from '../src/protocol';
import { deviceDescription, expiryText, groupDevices, statusBarText, statusBarTooltip } from '../src/statusModel';

const range = (line: number) => ({ start: { line, character: 10 }, end: { line, character: 15 } });
const device = (name: string, status: DeviceStatusKind, extra: Partial<DeviceStatus> = {}): DeviceStatus => ({
  name,
  commonName: `${name.toLowerCase()}.bms.example`,
  status,
  range: range(1),
  ...extra,
});

test('groups follow the urgency order, skip empty statuses and keep manifest order inside a group', () => {
  const groups = groupDevices([
    device('A', 'valid'),
    device('B', 'expired'),
    device('C', 'none'),
    device('D', 'valid'),
    device('E', 'pending'),
    device('F', 'expiring'),
    device('G', 'revoked'),
  ]);
  assert.deepEqual(groups.map(g => g.status), ['expired', 'revoked', 'expiring', 'pending', 'valid', 'none']);
  assert.deepEqual(groups.find(g => g.status === 'valid')!.devices.map(d => d.name), ['A', 'D']);
  assert.equal(groups.find(g => g.status === 'valid')!.label, 'Valid (2)');
  assert.equal(groups[0].label, 'Expired (1)');
});

test('an unknown status from a newer server lands in "No certificate" instead of vanishing', () => {
  const groups = groupDevices([device('A', 'quarantined' as DeviceStatusKind)]);
  assert.deepEqual(groups.map(g => [g.status, g.devices.length]), [['none', 1]]);
});

test('no devices, no groups', () => {
  assert.deepEqual(groupDevices([]), []);
});

test('expiry text per status', () => {
  assert.equal(expiryText(device('A', 'valid', { notAfter: '2027-03-01T00:00:00Z', daysLeft: 98 })), 'expires 2027-03-01 (in 98 days)');
  assert.equal(expiryText(device('A', 'expiring', { notAfter: '2026-12-01T12:00:00Z', daysLeft: 1 })), 'expires 2026-12-01 (in 1 day)');
  assert.equal(expiryText(device('A', 'expired', { notAfter: '2026-11-20', daysLeft: -3 })), 'expired 2026-11-20 (3 days ago)');
  assert.equal(expiryText(device('A', 'expired')), 'expired');
  assert.equal(expiryText(device('A', 'revoked', { notAfter: '2027-01-01' })), 'revoked');
  assert.equal(expiryText(device('A', 'pending', { pendingSince: '2026-11-02T08:00:00Z' })), 'CSR pending since 2026-11-02');
  assert.equal(expiryText(device('A', 'pending')), 'CSR pending');
  assert.equal(expiryText(device('A', 'none')), 'no certificate');
  assert.equal(expiryText(device('A', 'valid')), '');
});

test('the description carries the CN and the expiry', () => {
  assert.equal(deviceDescription(device('AHU-1', 'valid', { notAfter: '2027-03-01', daysLeft: 98 })),
      'ahu-1.bms.example · expires 2027-03-01 (in 98 days)');
  assert.equal(deviceDescription(device('AHU-1', 'valid')), 'ahu-1.bms.example');
});

test('status bar: devices, errors, pending CSRs', () => {
  const status = { site: 'Harbor Tower', counts: { devices: 5, errors: 12, warnings: 1, pending: 0 }, devices: [] };
  assert.equal(statusBarText(status), '$(shield) 5 devices  $(error) 12  $(history) 0 pending');
  assert.equal(statusBarTooltip(status), 'Harbor Tower: 5 devices, 12 errors, 1 warning, 0 pending CSRs');
  assert.equal(statusBarText({ ...status, counts: { devices: 1, errors: 0, warnings: 0, pending: 1 } }),
      '$(shield) 1 device  $(error) 0  $(history) 1 pending');
});
