// Checks a per-platform .vsix (`npm run package:target -- TARGET`): the server inside is an executable of the target's
// format and architecture, where the client looks for it, executable where that matters, and of a plausible size.
// No vscode import: run under plain node (`node client/out/src/serverPackage.js FILE.vsix TARGET`) and by the unit tests.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bundledServerExecutable } from './serverLocation';

export type Format = 'ELF' | 'PE' | 'Mach-O';
export type Arch = 'x64' | 'arm64';

export interface Target {
  /** The .NET runtime identifier the server is published for. */
  rid: string;
  /** process.platform on that target (what the client passes to bundledServerExecutable). */
  platform: NodeJS.Platform;
  format: Format;
  arch: Arch;
}

/** The vsce targets CertLsp ships, with what their server must be. */
export const targets: Readonly<Record<string, Target>> = {
  'linux-x64': { rid: 'linux-x64', platform: 'linux', format: 'ELF', arch: 'x64' },
  'linux-arm64': { rid: 'linux-arm64', platform: 'linux', format: 'ELF', arch: 'arm64' },
  'win32-x64': { rid: 'win-x64', platform: 'win32', format: 'PE', arch: 'x64' },
  'darwin-arm64': { rid: 'osx-arm64', platform: 'darwin', format: 'Mach-O', arch: 'arm64' },
  'darwin-x64': { rid: 'osx-x64', platform: 'darwin', format: 'Mach-O', arch: 'x64' },
};

/** A self-contained single-file server is tens of MB; more than this is a packaging mistake (a second runtime, symbols). */
export const maxServerBytes = 160 * 1024 * 1024;
export const minServerBytes = 10 * 1024 * 1024;

/**
 * The executable format and machine of a program from its first bytes: ELF e_machine (EM_X86_64 62, EM_AARCH64 183), PE
 * COFF Machine (IMAGE_FILE_MACHINE_AMD64 0x8664, ARM64 0xAA64), Mach-O 64-bit cputype (CPU_TYPE_X86_64 0x01000007,
 * CPU_TYPE_ARM64 0x0100000C). Undefined for anything else (a 32-bit or big-endian file, a script, a .dll's IL only).
 */
export function identifyExecutable(head: Buffer): { format: Format; arch: Arch } | undefined {
  if (head.length >= 20 && head.readUInt32BE(0) === 0x7f454c46 && head[4] === 2 && head[5] === 1) {
    const machine = head.readUInt16LE(18);
    return machine === 62 ? { format: 'ELF', arch: 'x64' } : machine === 183 ? { format: 'ELF', arch: 'arm64' } : undefined;
  }
  if (head.length >= 64 && head.toString('latin1', 0, 2) === 'MZ') {
    const pe = head.readUInt32LE(0x3c);
    if (pe + 6 > head.length || head.readUInt32BE(pe) !== 0x50450000) return undefined;
    const machine = head.readUInt16LE(pe + 4);
    return machine === 0x8664 ? { format: 'PE', arch: 'x64' } : machine === 0xaa64 ? { format: 'PE', arch: 'arm64' } : undefined;
  }
  if (head.length >= 8 && head.readUInt32LE(0) === 0xfeedfacf) {
    const cpu = head.readUInt32LE(4);
    return cpu === 0x01000007 ? { format: 'Mach-O', arch: 'x64' } : cpu === 0x0100000c ? { format: 'Mach-O', arch: 'arm64' } : undefined;
  }
  return undefined;
}

export interface ServerEntry {
  /** The server's bytes from its start (4 KiB are enough for every header above). */
  head: Buffer;
  size: number;
  /** Unix permission bits stored in the zip (0 when the archive stored none). */
  mode: number;
}

/** What is wrong with a package's server for a target; empty when nothing is. */
export function problems(target: string, server: ServerEntry | undefined, targetPlatformInManifest: string | undefined): string[] {
  const want = targets[target];
  if (!want) return [`unknown target ${target}`];
  const where = bundledServerExecutable(want.platform).split(/[\\/]/).join('/');
  const found: string[] = [];
  if (targetPlatformInManifest !== target) found.push(
      `the package says TargetPlatform ${targetPlatformInManifest ?? '(none)'}, not ${target}`);
  if (!server) return [...found, `no server at extension/${where}, where the client looks on ${want.platform}`];
  const id = identifyExecutable(server.head);
  if (!id) found.push(`extension/${where} is not a 64-bit ${want.format} executable`);
  else if (id.format !== want.format || id.arch !== want.arch) found.push(
      `extension/${where} is ${id.format} ${id.arch}, not ${want.format} ${want.arch}`);
  if (want.platform !== 'win32' && (server.mode & 0o111) === 0) found.push(
      `extension/${where} is not executable (mode ${server.mode.toString(8)})`);
  if (server.size < minServerBytes || server.size > maxServerBytes) found.push(
      `extension/${where} has ${server.size} bytes, outside ${minServerBytes}-${maxServerBytes}`);
  return found;
}

/** Reads a .vsix (a zip) with Info-ZIP's unzip/zipinfo and checks it; returns the problems and the server's size. */
export function checkVsix(vsix: string, target: string): { problems: string[]; size: number } {
  const want = targets[target];
  if (!want) return { problems: [`unknown target ${target}`], size: 0 };
  const entry = 'extension/' + bundledServerExecutable(want.platform).split(/[\\/]/).join('/');
  const manifest = execFileSync('unzip', ['-p', vsix, 'extension.vsixmanifest'], { encoding: 'utf8' });
  const platform = /TargetPlatform="([^"]+)"/.exec(manifest)?.[1];
  const listing = execFileSync('zipinfo', ['-l', vsix], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const line = listing.split('\n').find(l => l.trimEnd().endsWith(' ' + entry));
  let server: ServerEntry | undefined;
  if (line) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certlsp-vsix-'));
    try {
      execFileSync('unzip', ['-q', vsix, entry, '-d', dir]);
      const file = path.join(dir, entry);
      const fd = fs.openSync(file, 'r');
      const head = Buffer.alloc(4096);
      const read = fs.readSync(fd, head, 0, head.length, 0);
      fs.closeSync(fd);
      server = { head: head.subarray(0, read), size: fs.statSync(file).size, mode: unixMode(line) };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  return { problems: problems(target, server, platform), size: server?.size ?? 0 };
}

/** The permission bits of a `zipinfo -l` line ("-rwxr-xr-x  3.0 unx ..."); 0 when the entry has none (a DOS-made zip). */
export function unixMode(zipinfoLine: string): number {
  const perms = /^[-d]([-r][-w][-xsS])([-r][-w][-xsS])([-r][-w][-xtT])\s/.exec(zipinfoLine);
  if (!perms) return 0;
  const bits = (s: string) => (s[0] === 'r' ? 4 : 0) + (s[1] === 'w' ? 2 : 0) + (/[xst]/.test(s[2]) ? 1 : 0);
  return (bits(perms[1]) << 6) | (bits(perms[2]) << 3) | bits(perms[3]);
}

if (require.main === module) {
  const [vsix, target] = process.argv.slice(2);
  if (!vsix || !target) {
    console.error('usage: node client/out/src/serverPackage.js FILE.vsix TARGET');
    process.exit(2);
  }
  const result = checkVsix(vsix, target);
  for (const p of result.problems) console.error(`${vsix}: ${p}`);
  console.log(
      `${path.basename(vsix)}: ${target}, server ${(result.size / 1048576).toFixed(1)} MiB, ${result.problems.length ? 'BAD' : 'ok'}`);
  process.exit(result.problems.length ? 1 : 0);
}
