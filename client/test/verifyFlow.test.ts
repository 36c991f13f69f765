import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { VerifySiteResult } from '../src/protocol';
import { deviceDescription, deviceTooltip, verifiedText } from '../src/statusModel';
import { verifyLog } from '../src/verifyFlow';

const refused = 'handshake refused: certificate from another CA (issued by CN=Other Root CA, not by a configured issuer)';

test('the log keeps the summary, then each device with its result and reason', () => {
  const result: VerifySiteResult = {
    allJoined: false,
    message: 'Verify site: 1 of 2 device(s) joined the hub with their recorded certificate; not: VAV-9: ' + refused + '.',
    devices: [
      { device: 'AHU-1', instance: 2401, joined: true, identityMatches: true, hubStatus: 'connected to the primary hub',
        certificateMatches: true, result: 'joined', reason: 'joined the hub with its certificate' },
      { device: 'VAV-9', instance: 2409, joined: false, hubStatus: 'not read', result: 'refused', reason: refused },
    ],
  };
  assert.deepEqual(verifyLog('site.site.yaml', result), [
    `Verify site (site.site.yaml): ${result.message}`,
    '  AHU-1: joined: joined the hub with its certificate',
    `  VAV-9: refused: ${refused}`,
  ]);
});

test('the certificates view shows the last verification in short, and in full in the tooltip', () => {
  const range = { start: { line: 3, character: 10 }, end: { line: 3, character: 15 } };
  const device = { name: 'AHU-1', commonName: 'AHU-1.bms.example', status: 'valid' as const, range, notAfter: '2027-03-01',
      daysLeft: 98 };
  assert.equal(verifiedText(device), undefined);
  const joined = { ...device, verified: 'joined' as const,
      verification: 'verified 2026-12-06 20:30 UTC: joined the hub with its certificate' };
  assert.equal(deviceDescription(joined), 'AHU-1.bms.example · expires 2027-03-01 (in 98 days) · joined the hub');
  assert.match(deviceTooltip(joined), /\nBACnet\/SC: verified 2026-12-06 20:30 UTC: joined the hub with its certificate$/);
  const notJoined = { ...device, verified: 'refused' as const, verification: `verified 2026-12-06 20:30 UTC: ${refused}` };
  assert.equal(verifiedText(notJoined), 'handshake refused: certificate from another CA (issued by C…');
});
