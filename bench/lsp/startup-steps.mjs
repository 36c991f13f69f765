// Where the start-up time goes, step by step, for the single-file certlsp (self-contained, ReadyToRun): each row adds one
// thing to the row above, so the difference between two rows is what that thing costs. Wall time and CPU time (perf's
// task-clock: every thread of the process, which is what a 2-core machine pays) are medians of `runs` new processes.
// Usage: node startup-steps.mjs <config.json>   config: { runs, schema, certlsp, floor }
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { coldStart, manifest, median } from './startup-lib.mjs';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const extension = { DOTNET_TieredCompilation: '0', DOTNET_GCgen0size: '0x4000000' }; // as client/src/serverLocation.ts starts it
const dir = mkdtempSync(join(tmpdir(), 'certlsp-steps-'));
const files = Object.fromEntries([1, 1000, 10000].map((n) => {
  const file = join(dir, `d${n}.site.yaml`);
  writeFileSync(file, manifest(n));
  return [n, file];
}));

/** One process under `perf stat`: wall (ms) and task-clock (ms of CPU over all threads). */
function timed(command, args, env, expected) {
  const t0 = performance.now();
  const run = spawnSync('perf', ['stat', '-x,', '-e', 'task-clock', '--', command, ...args],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const wall = performance.now() - t0;
  if (run.status !== expected) throw new Error(`${command} ${args.join(' ')} exited ${run.status}, not ${expected}: ${run.stderr}`);
  const line = run.stderr.split('\n').find((l) => l.includes(',task-clock,'));
  return { wall, cpu: Number(line.split(',')[0]) };
}

const rows = [];
const step = (name, command, args, env = {}, expected = 0) => {
  const xs = Array.from({ length: config.runs }, () => timed(command, args, env, expected));
  rows.push({ step: name, wall: median(xs.map((x) => x.wall)), cpu: median(xs.map((x) => x.cpu)) });
  console.error(JSON.stringify(rows.at(-1)));
};
const lsp = async (name, n, env) => {
  const uri = pathToFileURL(files[n]).href;
  const text = readFileSync(files[n], 'utf8');
  const xs = [];
  for (let r = 0; r < config.runs; r++) {
    xs.push(await coldStart(config.certlsp, ['lsp', '--stdio'], env, dir, uri, text, false, config.schema));
  }
  rows.push({ step: name, wall: median(xs.map((x) => x.wall)), cpu: median(xs.map((x) => x.cpu)) });
  console.error(JSON.stringify(rows.at(-1)));
};

const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
step('runtime floor: a one-line program published the same way', config.floor, []);
step('`certlsp --version`: + our assemblies, System.CommandLine', config.certlsp, ['--version']);
step('`certlsp check`, 1 device: + YAML, schema, rules, first use (JIT of what is not ReadyToRun)', config.certlsp,
  ['check', files[1]], {}, 1);
step('`certlsp check`, 1,000 devices', config.certlsp, ['check', files[1000]], {}, 1);
step('`certlsp check`, 10,000 devices', config.certlsp, ['check', files[10000]], {}, 1);
step('`certlsp check`, 1,000 devices, ReadyToRun code ignored (DOTNET_ReadyToRun=0: everything JIT-compiled)',
  config.certlsp, ['check', files[1000]], { DOTNET_ReadyToRun: '0' }, 1);
step('`certlsp check`, 1,000 devices, DOTNET_TieredCompilation=0', config.certlsp, ['check', files[1000]],
  { DOTNET_TieredCompilation: '0' }, 1);
await lsp('`certlsp lsp` start -> first diagnostics, 1 device (as the extension starts it)', 1, extension);
await lsp('`certlsp lsp` start -> first diagnostics, 1,000 devices', 1000, extension);
await lsp('`certlsp lsp` start -> first diagnostics, 10,000 devices', 10000, extension);
await lsp('`certlsp lsp` start -> first diagnostics, 1,000 devices, runtime defaults (tiered)', 1000, {});
const loadAfter = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(JSON.stringify({ load, loadAfter, runs: config.runs, rows }, null, 2));
