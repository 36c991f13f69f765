// Cold start, one new process per run: server start -> first publishDiagnostics of a manifest opened right after
// `initialized` (the way VS Code opens the editor it restores), for each CertLsp build flavour and yaml-language-server
// (validating against schemas/site-manifest.schema.json), and the whole `certlsp check` process on the same file.
// Plain JSON-RPC over stdio (no client library on the measured path). Prints JSON: per flavour and size, the median wall
// time from spawn to the first diagnostics, and the server's CPU time (user+system, /proc) at that moment.
// Usage: node startup-bench.mjs <config.json>   config: { sizes, runs, schema, flavours: [{ name, command, args, env, check }], yls }
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { coldStart, manifest, median } from './startup-lib.mjs';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const results = { load: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '), runs: config.runs, rows: [] };
for (const devices of config.sizes) {
  // A folder per size holding only this manifest: the server's workspace scan sees the one file.
  const dir = mkdtempSync(join(tmpdir(), 'certlsp-startup-'));
  const file = join(dir, 'bench.site.yaml');
  const text = manifest(devices);
  writeFileSync(file, text);
  const uri = pathToFileURL(file).href;
  for (const f of [...config.flavours, ...(config.yls ? [{ name: 'yaml-language-server', ...config.yls, yaml: true }] : [])]) {
    const lsp = [];
    for (let r = 0; r < config.runs; r++) lsp.push(await coldStart(f.command, f.args, f.env ?? {}, dir, uri, text, f.yaml, config.schema));
    const check = [];
    if (f.check) {
      for (let r = 0; r < config.runs; r++) {
        const t0 = performance.now();
        const run = spawnSync(f.command, [...f.check, file],
            { env: { ...process.env, ...(f.env ?? {}) }, stdio: ['ignore', 'ignore', 'pipe'] });
        check.push(performance.now() - t0);
        if (run.status !== 1) throw new Error(
            `${f.name} check exited ${run.status} (1 expected: the manifest has one error): ${run.stderr}`);
      }
    }
    const row = {
      flavour: f.name, devices, bytes: text.length,
      firstDiagnosticsMs: median(lsp.map((x) => x.wall)), firstDiagnosticsCpuMs: median(lsp.map((x) => x.cpu)),
      checkMs: check.length ? median(check) : null,
    };
    results.rows.push(row);
    console.error(JSON.stringify(row));
  }
}
results.loadAfter = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(JSON.stringify(results, null, 2));
