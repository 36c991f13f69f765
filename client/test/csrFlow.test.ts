import assert from 'node:assert/strict';
import { test } from 'node:test';
import { choiceFromLabel, generateCsrs, keepLabel, overwriteLabel, pendingQuestion, resultSummary, type CsrFlow } from '../src/csrFlow';
import type { GenerateCsrsArgs, GenerateCsrsResult, PendingChoice } from '../src/protocol';

const done = (extra: Partial<GenerateCsrsResult> = {}): GenerateCsrsResult => ({
  requested: 3, noActionTaken: 0, failed: 0, zips: ['csr/harbor-1.zip'], message: '3 CSRs requested in 1 zip.', ...extra,
});
const pending = (devices: string[]): GenerateCsrsResult => ({
  requested: 0, noActionTaken: 0, failed: 0, zips: [], message: '', needsPendingChoice: true, pendingDevices: devices,
});

function fakeFlow(answers: GenerateCsrsResult[], choice: PendingChoice | undefined) {
  const calls: GenerateCsrsArgs[] = [];
  const asked: string[][] = [];
  const flow: CsrFlow = {
    execute: async args => {
      calls.push(args);
      const next = answers.shift();
      if (!next) throw new Error('unexpected call');
      return next;
    },
    choosePending: async devices => {
      asked.push(devices);
      return choice;
    },
  };
  return { flow, calls, asked };
}

const all: GenerateCsrsArgs = { uri: 'file:///site/a.site.yaml', scope: 'all' };

test('nothing pending: one call, no question', async () => {
  const { flow, calls, asked } = fakeFlow([done()], 'keep');
  const outcome = await generateCsrs(flow, all);
  assert.equal(outcome.kind, 'done');
  assert.deepEqual(calls, [all]);
  assert.deepEqual(asked, []);
});

for (const choice of ['keep', 'overwrite'] as const) {
  test(`pending CSRs: asks, then calls again with pending=${choice} and the same scope`, async () => {
    const args: GenerateCsrsArgs = { uri: 'file:///s.site.yaml', scope: 'batch', batch: 'north-wing' };
    const { flow, calls, asked } = fakeFlow([pending(['AHU-1', 'AHU-2']), done({ noActionTaken: 2 })], choice);
    const outcome = await generateCsrs(flow, args);
    assert.deepEqual(asked, [['AHU-1', 'AHU-2']]);
    assert.deepEqual(calls, [args, { ...args, pending: choice }]);
    assert.equal(outcome.kind === 'done' && outcome.result.noActionTaken, 2);
  });
}

test('a dismissed question makes no second call', async () => {
  const { flow, calls } = fakeFlow([pending(['AHU-1'])], undefined);
  const outcome = await generateCsrs(flow, all);
  assert.deepEqual(outcome, { kind: 'dismissed', pendingDevices: ['AHU-1'] });
  assert.equal(calls.length, 1);
});

test('a server that asks twice is an error, not a loop', async () => {
  const { flow } = fakeFlow([pending(['AHU-1']), pending(['AHU-1'])], 'overwrite');
  await assert.rejects(generateCsrs(flow, all), /asked again/);
  const given = fakeFlow([pending(['AHU-1'])], 'keep');
  await assert.rejects(generateCsrs(given.flow, { ...all, pending: 'keep' }), /although "keep" was given/);
});

test('the question names the devices, at most five', () => {
  assert.match(pendingQuestion(['AHU-1']), /^1 device has a pending CSR \(AHU-1\)\. A new CSR voids the pending one/);
  const many = pendingQuestion(['A', 'B', 'C', 'D', 'E', 'F', 'G']);
  assert.match(many, /^7 devices have pending CSRs \(A, B, C, D, E and 2 more\)/);
});

test('button labels map to choices', () => {
  assert.equal(choiceFromLabel(keepLabel), 'keep');
  assert.equal(choiceFromLabel(overwriteLabel), 'overwrite');
  assert.equal(choiceFromLabel(undefined), undefined);
  assert.equal(choiceFromLabel('Cancel'), undefined);
});

test('summary: the server message with the counts, or the counts alone', () => {
  assert.equal(resultSummary(done()), '3 CSRs requested in 1 zip. [requested 3, no action taken 0, failed 0 (1 zip)]');
  assert.equal(resultSummary(done({ message: ' ', zips: ['a.zip', 'b.zip'], noActionTaken: 1 })),
      'CSRs: requested 3, no action taken 1, failed 0 (2 zips).');
});
