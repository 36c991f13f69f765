import assert from 'node:assert/strict';
import { test } from 'node:test';
import { identifyExecutable, maxServerBytes, problems, targets, unixMode } from '../src/serverPackage';

// Headers as the platforms' toolchains write them (the fields identifyExecutable reads), for every target we ship.
function elf(machine: number): Buffer {
  const b = Buffer.alloc(64);
  b.writeUInt32BE(0x7f454c46, 0); b[4] = 2; b[5] = 1; b.writeUInt16LE(machine, 18);
  return b;
}
function pe(machine: number): Buffer {
  const b = Buffer.alloc(256);
  b.write('MZ', 0, 'latin1'); b.writeUInt32LE(0x80, 0x3c); b.writeUInt32BE(0x50450000, 0x80); b.writeUInt16LE(machine, 0x84);
  return b;
}
function macho(cpu: number): Buffer {
  const b = Buffer.alloc(32);
  b.writeUInt32LE(0xfeedfacf, 0); b.writeUInt32LE(cpu, 4);
  return b;
}
const header: Record<string, Buffer> = {
  'linux-x64': elf(62), 'linux-arm64': elf(183), 'win32-x64': pe(0x8664), 'darwin-arm64': macho(0x0100000c),
      'darwin-x64': macho(0x01000007),
};

test('every target: its header is recognised as its format and architecture', () => {
  assert.deepEqual(Object.keys(targets).sort(), Object.keys(header).sort());
  for (const [target, want] of Object.entries(targets)) {
    assert.deepEqual(identifyExecutable(header[target]), { format: want.format, arch: want.arch }, target);
  }
  // Not executables of ours: IL-only text, a script, a 32-bit ELF, a PE for i386, a fat Mach-O.
  assert.equal(identifyExecutable(Buffer.from('#!/bin/sh\n')), undefined);
  const elf32 = elf(62); elf32[4] = 1;
  assert.equal(identifyExecutable(elf32), undefined);
  assert.equal(identifyExecutable(pe(0x14c)), undefined);
  assert.equal(identifyExecutable(Buffer.from([0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2])), undefined);
});

const ok = (target: string) => ({ head: header[target], size: 70 * 1024 * 1024, mode: 0o755 });

test('a good package has no problems; each wrong property is named', () => {
  for (const target of Object.keys(targets)) assert.deepEqual(problems(target, ok(target), target), [], target);
  assert.match(problems('linux-arm64', { ...ok('linux-x64') }, 'linux-arm64').join(), /ELF x64, not ELF arm64/);
  assert.match(problems('darwin-x64', ok('darwin-arm64'), 'darwin-x64').join(), /Mach-O arm64, not Mach-O x64/);
  assert.match(problems('win32-x64', ok('linux-x64'), 'win32-x64').join(), /certlsp\.exe is ELF x64, not PE x64/);
  assert.match(problems('linux-x64', { ...ok('linux-x64'), mode: 0o644 }, 'linux-x64').join(), /not executable/);
  assert.deepEqual(problems('win32-x64', { ...ok('win32-x64'), mode: 0 }, 'win32-x64'), []); // no executable bit on Windows
  assert.match(problems('darwin-arm64', { ...ok('darwin-arm64'), size: maxServerBytes + 1 }, 'darwin-arm64').join(), /bytes, outside/);
  assert.match(problems('linux-x64', undefined, 'linux-x64').join(), /no server at extension\/dist\/server\/certlsp,/);
  assert.match(problems('linux-x64', ok('linux-x64'), undefined).join(), /TargetPlatform \(none\)/);
});

test('zipinfo permission columns', () => {
  assert.equal(unixMode('-rwxr-xr-x  3.0 unx 74000000 b- defN 25-Dec-05 12:00 extension/dist/server/certlsp'), 0o755);
  assert.equal(unixMode('-rw-r--r--  3.0 unx     1234 t- defN 25-Dec-05 12:00 extension/package.json'), 0o644);
  assert.equal(unixMode('-rw-a--     2.0 fat     1234 t- defN 25-Dec-05 12:00 extension/package.json'), 0);
});

