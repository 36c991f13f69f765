// Cold start, one new process per run: server start -> first publishDiagnostics of a manifest opened right after
// `initialized` (the way VS Code opens the editor it restores), for each CertLsp build flavour and yaml-language-server
// (validating against schemas/site-manifest.schema.json), and the whole `certlsp check` process on the same file.
// Plain JSON-RPC over stdio (no client library on the measured path). Prints JSON: per flavour and size, the median wall
// time from spawn to the first diagnostics, and the server's CPU time (user+system, /proc) at that moment.
// Usage: node startup-bench.mjs <config.json>   config: { sizes, runs, schema, flavours: [{ name, command, args, env, check }], yls }
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ticksPerSecond = 100; // USER_HZ on Linux

function manifest(n) {
  const lines = ['site: Bench Campus', 'domain: bms.bench.example', 'ca:', '  profile: bacnet-sc', 'subject:', '  country: USA',
      '  state: Wisconsin',
    '  locality: Milwaukee', '  organization: Bench Health', '  organizationalUnit: Facilities',
        'key: { algorithm: rsa, size: 2048, source: local }', 'devices:'];
  for (let i = 0; i < n; i++) {
    lines.push(`  - name: MAC00108D${i.toString(16).toUpperCase().padStart(6, '0')}`, `    instance: ${10000 + i}`,
      `    address: 127.${(i >> 16) & 255}.${(i >> 8) & 255}.${(i & 255) + 2 > 255 ? 2 : (i & 255) + 2}:${47808 + (i >> 8)}`,
          `    batch: b${Math.floor(i / 50)}`);
  }
  return lines.join('\n') + '\n';
}

function cpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond; // utime, stime (fields 14 and 15 of stat)
  } catch {
    return NaN;
  }
}

/** One cold session: spawn, initialize, initialized, didOpen; resolves at the first non-empty publishDiagnostics for the file. */
function coldStart(command, args, env, dir, uri, text, yaml) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'ignore'], env: { ...process.env, ...env } });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${command}: no diagnostics in 120 s`)); }, 120000);
    const send = (message) => {
      const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...message }), 'utf8');
      child.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
      child.stdin.write(body);
    };
    const schemaUri = pathToFileURL(config.schema).href;
    const yamlSettings = { validate: true, hover: true, completion: true, format: { enable: false },
        schemas: { [schemaUri]: '*.site.yaml' }, schemaStore: { enable: false } };
    let buffer = Buffer.alloc(0);
    let done = false;
    const finish = () => {
      done = true;
      const wall = performance.now() - t0;
      const cpu = cpuMs(child.pid);
      clearTimeout(timer);
      child.kill('SIGKILL');
      resolve({ wall, cpu });
    };
    const onMessage = (m) => {
      if (m.id === 1 && 'result' in m) {
        send({ method: 'initialized', params: {} });
        if (yaml) send({ method: 'workspace/didChangeConfiguration', params: { settings: { yaml: yamlSettings } } });
        send({ method: 'textDocument/didOpen', params: { textDocument: { uri, languageId: 'yaml', version: 1, text } } });
      } else if (m.method === 'textDocument/publishDiagnostics') {
        if (m.params.uri === uri && m.params.diagnostics.length > 0 && !done) finish();
      } else if (m.method !== undefined && m.id !== undefined) {
        const result = m.method === 'workspace/configuration' ? m.params.items.map((i) => (i.section === 'yaml' ? yamlSettings : null))
            : null;
        send({ id: m.id, result });
      }
    };
    child.stdout.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const length = Number(/Content-Length: (\d+)/i.exec(buffer.subarray(0, end).toString('ascii'))[1]);
        if (buffer.length < end + 4 + length) return;
        const body = buffer.subarray(end + 4, end + 4 + length).toString('utf8');
        buffer = buffer.subarray(end + 4 + length);
        onMessage(JSON.parse(body));
      }
    });
    child.on('error', (err) => { clearTimeout(timer); reject(err); });
    send({
      id: 1, method: 'initialize', params: {
        processId: process.pid, rootUri: pathToFileURL(dir).href, workspaceFolders: [{ uri: pathToFileURL(dir).href, name: 'bench' }],
        capabilities: { workspace: { configuration: true }, textDocument: { publishDiagnostics: { versionSupport: true } } },
      },
    });
  });
}

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
    for (let r = 0; r < config.runs; r++) lsp.push(await coldStart(f.command, f.args, f.env ?? {}, dir, uri, text, f.yaml));
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
