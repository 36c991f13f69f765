// Reading the server's document symbols (site > batches > devices) for the CSR commands.
// No vscode import: the unit tests run it under plain node.
import type { Range } from './protocol';

/** The part of a DocumentSymbol used here (vscode.DocumentSymbol satisfies it). */
export interface SymbolLike {
  name: string;
  kind: number;
  range: Range;
  children?: readonly SymbolLike[];
}

/** SymbolKind values the server uses (LSP numbering minus one, as vscode.SymbolKind counts from 0). */
export const DeviceSymbolKind = 18; // vscode.SymbolKind.Object
export const BatchSymbolKind = 3; // vscode.SymbolKind.Package

function* walk(symbols: readonly SymbolLike[]): Generator<SymbolLike> {
  for (const symbol of symbols) {
    yield symbol;
    if (symbol.children) yield* walk(symbol.children);
  }
}

function distinct(names: Iterable<string>): string[] {
  return [...new Set(names)];
}

/** Batch names in manifest order, each once. */
export function batchNames(symbols: readonly SymbolLike[]): string[] {
  return distinct([...walk(symbols)].filter(s => s.kind === BatchSymbolKind).map(s => s.name));
}

function before(a: { line: number; character: number }, b: { line: number; character: number }): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}

/** True when the ranges share a position; an empty selection inside or at the edge of a range counts. */
export function overlaps(a: Range, b: Range): boolean {
  return !before(a.end, b.start) && !before(b.end, a.start);
}

/** Names of the devices whose entry overlaps one of the selections (a cursor inside a device picks it). */
export function devicesInSelections(symbols: readonly SymbolLike[], selections: readonly Range[]): string[] {
  return distinct(
    [...walk(symbols)]
      .filter(s => s.kind === DeviceSymbolKind && selections.some(sel => overlaps(s.range, sel)))
      .map(s => s.name),
  );
}
