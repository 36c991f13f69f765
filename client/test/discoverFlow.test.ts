import assert from 'node:assert/strict';
import { test } from 'node:test';
import { discoveryLog } from '../src/discoverFlow';
import type { DiscoverDevicesResult } from '../src/protocol';

const result = (extra: Partial<DiscoverDevicesResult> = {}): DiscoverDevicesResult => ({
  answered: 3,
  added: ['SimDevice9003'],
  updated: ['Boiler'],
  missing: ['Gone (instance 9099) did not answer Who-Is'],
  differences: ['Boiler (instance 9002): the manifest says 127.0.9.30, the device answered from 127.0.9.3'],
  applied: true,
  message: 'Discover devices: 3 answered; 1 added (SimDevice9003), 1 address(es) updated (Boiler), 1 did not answer (Gone).',
  ...extra,
});

test('a run is logged as the summary, then each device added, updated, silent or different', () => {
  assert.deepEqual(discoveryLog('site/a.site.yaml', result()), [
    'Discover devices (site/a.site.yaml): Discover devices: 3 answered; 1 added (SimDevice9003), 1 address(es) updated (Boiler), 1 did ' +
        'not answer (Gone).',
    '  added: SimDevice9003',
    '  address updated: Boiler',
    '  did not answer: Gone (instance 9099) did not answer Who-Is',
    '  differs: Boiler (instance 9002): the manifest says 127.0.9.30, the device answered from 127.0.9.3',
  ]);
});

test('an edit the editor did not apply is said so', () => {
  const lines = discoveryLog('a.site.yaml', result({ applied: false }));
  assert.equal(lines.at(-1), '  the manifest was not changed (the edit was not applied)');
  assert.ok(!discoveryLog('a.site.yaml', result({ applied: false, added: [], updated: [] })).some(l => l.includes('not changed')));
});

test('a refusal or a cancelled run is the one line the server sent', () => {
  const refusal =
      'Discover devices needs the local IPv4 address to talk to the devices from: set certlsp.bacnet.bind (CertLsp never picks one ' +
      'itself). Nothing was sent.';
  assert.deepEqual(discoveryLog('a.site.yaml', result({ refusal, message: refusal, added: [], updated: [] })),
      [`Discover devices (a.site.yaml): ${refusal}`]);
  assert.equal(discoveryLog('a.site.yaml', result({ cancelled: true, message: 'cancelled' })).length, 1);
});
