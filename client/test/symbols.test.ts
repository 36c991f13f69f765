import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BatchSymbolKind, DeviceSymbolKind, batchNames, devicesInSelections, overlaps, type SymbolLike } from '../src/symbols';

const r = (l1: number, c1: number, l2: number, c2: number) => ({ start: { line: l1, character: c1 }, end: { line: l2, character: c2 } });
const dev = (name: string, from: number, to: number): SymbolLike => ({ name, kind: DeviceSymbolKind, range: r(from, 2, to, 20) });

// The shape the server's documentSymbol gives: site > sections, batches > devices, devices.
const symbols: SymbolLike[] = [
  {
    name: 'Harbor Tower',
    kind: 1,
    range: r(0, 0, 40, 0),
    children: [
      { name: 'subject', kind: 2, range: r(3, 0, 8, 0) },
      { name: 'north-wing', kind: BatchSymbolKind, range: r(10, 0, 20, 0), children: [dev('AHU-1', 11, 13), dev('AHU-2', 14, 16)] },
      dev('VAV-7', 21, 24),
      { name: 'south', kind: BatchSymbolKind, range: r(25, 0, 30, 0), children: [dev('Boiler-1', 26, 29)] },
      { name: 'north-wing', kind: BatchSymbolKind, range: r(31, 0, 33, 0), children: [dev('AHU-3', 32, 33)] },
    ],
  },
];

test('batch names in manifest order, each once', () => {
  assert.deepEqual(batchNames(symbols), ['north-wing', 'south']);
  assert.deepEqual(batchNames([]), []);
});

test('a cursor inside a device entry picks that device only', () => {
  assert.deepEqual(devicesInSelections(symbols, [r(15, 6, 15, 6)]), ['AHU-2']);
});

test('a cursor outside every device picks none', () => {
  assert.deepEqual(devicesInSelections(symbols, [r(5, 0, 5, 0)]), []);
});

test('a selection across entries picks every device it touches, nested in batches or not', () => {
  assert.deepEqual(devicesInSelections(symbols, [r(12, 0, 22, 0)]), ['AHU-1', 'AHU-2', 'VAV-7']);
});

test('several selections add up; a device is named once', () => {
  assert.deepEqual(devicesInSelections(symbols, [r(26, 3, 26, 3), r(27, 0, 27, 1), r(11, 5, 11, 5)]), ['AHU-1', 'Boiler-1']);
});

test('ranges that only touch at an edge overlap; ranges apart do not', () => {
  assert.equal(overlaps(r(1, 0, 1, 5), r(1, 5, 1, 5)), true);
  assert.equal(overlaps(r(1, 0, 1, 5), r(1, 6, 2, 0)), false);
  assert.equal(overlaps(r(3, 0, 4, 0), r(1, 0, 2, 9)), false);
});
