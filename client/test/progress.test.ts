import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProgressTranslator } from '../src/progress';

test('absolute percentages become increments; messages pass through; end reports nothing', () => {
  const t = new ProgressTranslator();
  assert.deepEqual(t.step({ kind: 'begin', title: 'CSRs', percentage: 0 }), undefined);
  assert.deepEqual(t.step({ kind: 'report', message: 'zip 1 of 2', percentage: 40 }), { message: 'zip 1 of 2', increment: 40 });
  assert.deepEqual(t.step({ kind: 'report', percentage: 100 }), { increment: 60 });
  assert.deepEqual(t.step({ kind: 'end', message: 'done' }), undefined);
});

test('going backwards or beyond 100 never reports a negative or excess increment', () => {
  const t = new ProgressTranslator();
  t.step({ kind: 'report', percentage: 50 });
  assert.deepEqual(t.step({ kind: 'report', message: 'retry', percentage: 30 }), { message: 'retry' });
  assert.deepEqual(t.step({ kind: 'report', percentage: 250 }), { increment: 50 });
  assert.deepEqual(t.step({ kind: 'report', percentage: Number.NaN }), undefined);
});
