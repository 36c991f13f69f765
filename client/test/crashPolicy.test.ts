import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CrashPolicy, crashMessage } from '../src/crashPolicy';

test('restarts until the limit is reached within the window, then gives up', () => {
  let now = 0;
  const policy = new CrashPolicy(3, 60_000, () => now);
  assert.equal(policy.crashed(), 'restart');
  now = 10_000;
  assert.equal(policy.crashed(), 'restart');
  now = 20_000;
  assert.equal(policy.crashed(), 'giveUp');
  assert.equal(policy.count, 3);
});

test('crashes older than the window are forgotten', () => {
  let now = 0;
  const policy = new CrashPolicy(3, 60_000, () => now);
  policy.crashed();
  now = 30_000;
  policy.crashed();
  now = 95_000; // the first is 95 s old, the second 65 s: both out of the window
  assert.equal(policy.crashed(), 'restart');
  assert.equal(policy.count, 1);
});

test('a restart on request starts the count again', () => {
  const policy = new CrashPolicy(2, 60_000, () => 0);
  policy.crashed();
  assert.equal(policy.crashed(), 'giveUp');
  policy.reset();
  assert.equal(policy.crashed(), 'restart');
});

test('messages say what happens next', () => {
  assert.equal(crashMessage('restart', 1, 5, 3), 'The CertLsp server stopped unexpectedly (1 of 5 allowed in 3 minutes); restarting it.');
  assert.match(crashMessage('giveUp', 5, 5, 3), /5 times in 3 minutes and was not restarted/);
});
