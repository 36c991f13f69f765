// Where the CPU of a cold `certlsp lsp` start goes, and whose code needs it: each run is one new server under `perf record -g`
// (a sample every 100 µs of CPU, every thread, with call chains) from spawn to the first diagnostics of a manifest (then
// shutdown/exit). Each sample is counted by what ran (the JIT compiler, the runtime, the kernel, the C library, managed code)
// and by whose first use caused it (the innermost frame of CertLsp's or a package's assembly on the stack, or runtime start
// when there is none). The runtime's perf map lists the methods compiled at start-up (no ReadyToRun code used), counted by
// optimisation tier and assembly.
// Usage: node startup-profile.mjs <config.json>   config: { runs, schema, devices, command, args, env, work }
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { coldStart, manifest, median } from './startup-lib.mjs';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const sampleNs = 100000; // task-clock period: one sample per 100 µs of CPU
const file = join(config.work, `d${config.devices}.site.yaml`);
writeFileSync(file, manifest(config.devices));
const uri = pathToFileURL(file).href;
const text = readFileSync(file, 'utf8');

const framework = /\/shared\/Microsoft\.NETCore\.App\//;
const base = (dso) => dso.split('/').pop();

/** What the innermost frame of a sample is: the JIT, the runtime, the kernel, C library, managed code, other native code. */
function leafKind(dso) {
  const b = base(dso);
  if (b === 'libclrjit.so') return 'JIT compiler';
  if (b === 'libcoreclr.so') return 'runtime';
  if (b === '[kernel.kallsyms]') return 'kernel';
  if (b.startsWith('libc.so') || b.startsWith('ld-linux')) return 'C library';
  if (b.endsWith('.dll') || b.startsWith('memfd:doublemapper')) return 'managed code';
  return 'other native';
}

/**
 * Whose work a sample is: the innermost frame in an assembly that is not the framework's (CertLsp's or a package's), i.e.
 * the code whose first use made the runtime load types, compile methods or fault pages in; "runtime start" when no such
 * frame is on the stack (host, runtime and framework start-up, the GC and the runtime's own threads).
 */
function owner(frames) {
  for (const dso of frames) {
    const b = base(dso);
    if (b.endsWith('.dll') && !framework.test(dso)) return b.replace(/\.dll$/, '');
  }
  return 'runtime start (no CertLsp or package frame)';
}

/** Samples (one per 100 µs of CPU) of a perf.data recorded with -g, as {owner x leaf kind} counts. */
function attribute(data) {
  const script = spawnSync('perf', ['script', '-i', data, '-F', 'ip,dso'], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const counts = new Map();
  let total = 0;
  for (const sample of script.stdout.split('\n\n')) {
    const frames = sample.split('\n').map((l) => /\((.*)\)\s*$/.exec(l)?.[1]).filter((x) => x !== undefined);
    if (frames.length === 0) continue;
    total++;
    const key = `${owner(frames)}\t${leafKind(frames[0])}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return { counts, total };
}

/** The assembly of a perf-map method name (`instance void [Assembly] Namespace.Type::Method(...)[Tier]`), or "stubs". */
const assemblyOf = (name) => /\[([A-Za-z0-9_.]+)\] [^ ]+::/.exec(name)?.[1] ?? 'runtime stubs';

const runs = [];
for (let r = 0; r < config.runs; r++) {
  const dir = join(config.work, `run-${r}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const data = join(dir, 'perf.data');
  const env = { ...config.env, DOTNET_PerfMapEnabled: '3', DOTNET_PerfMapShowOptimizationTiers: '1', DOTNET_PerfMapJitDumpPath: dir };
  const args = ['record', '-q', '-g', '-e', 'task-clock', '-c', String(sampleNs), '-o', data, '--', config.command, ...config.args];
  const timing = await coldStart('perf', args, env, config.work, uri, text, false, config.schema, true);
  const { counts: byGroup, total } = attribute(data);
  const map = readdirSync(dir).find((f) => /^perf-\d+\.map$/.test(f));
  const methods = new Map();
  if (map) {
    for (const line of readFileSync(join(dir, map), 'utf8').split('\n')) {
      const tier = /\[([A-Za-z0-9-]+)\]\s*$/.exec(line)?.[1];
      if (!tier) continue;
      const key = `${tier}\t${assemblyOf(line)}`;
      methods.set(key, (methods.get(key) ?? 0) + 1);
    }
  }
  runs.push({ wall: timing.wall, totalMs: (total * sampleNs) / 1e6, byGroup, methods });
  rmSync(data, { force: true });
  console.error(`run ${r + 1}: ${Math.round(timing.wall)} ms wall under perf, ${Math.round((total * sampleNs) / 1e6)} ms CPU sampled`);
}

const medianOf = (key, pick) => median(runs.map((r) => pick(r).get(key) ?? 0));
const groups = [...new Set(runs.flatMap((r) => [...r.byGroup.keys()]))]
  .map((g) => ({ g, ms: (medianOf(g, (r) => r.byGroup) * sampleNs) / 1e6 }))
  .sort((a, b) => b.ms - a.ms);
const methodKeys = [...new Set(runs.flatMap((r) => [...r.methods.keys()]))]
  .map((k) => ({ k, n: medianOf(k, (r) => r.methods) }))
  .sort((a, b) => b.n - a.n);
console.log(JSON.stringify({
  runs: config.runs,
  devices: config.devices,
  wall: median(runs.map((r) => r.wall)),
  cpu: median(runs.map((r) => r.totalMs)),
  groups,
  methods: methodKeys,
}));
