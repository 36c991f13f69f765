// What the start-up benches share: the generated manifest, a process's CPU time from /proc, and one cold LSP session
// (spawn, initialize, initialized, didOpen -> the first non-empty publishDiagnostics) over plain JSON-RPC on stdio.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const ticksPerSecond = 100; // USER_HZ on Linux
export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export function manifest(n) {
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

export function cpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond; // utime, stime (fields 14 and 15 of stat)
  } catch {
    return NaN;
  }
}

/**
 * One cold session: spawn, initialize, initialized, didOpen; resolves at the first non-empty publishDiagnostics for the file.
 * The server is then killed, or with `graceful` asked to shut down and exit (a profiler around it must see a normal end).
 */
export function coldStart(command, args, env, dir, uri, text, yaml, schema, graceful = false) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'ignore'], env: { ...process.env, ...env } });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${command}: no diagnostics in 120 s`)); }, 120000);
    const send = (message) => {
      const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...message }), 'utf8');
      child.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
      child.stdin.write(body);
    };
    const schemaUri = pathToFileURL(schema).href;
    const yamlSettings = { validate: true, hover: true, completion: true, format: { enable: false },
        schemas: { [schemaUri]: '*.site.yaml' }, schemaStore: { enable: false } };
    let buffer = Buffer.alloc(0);
    let done = false;
    const finish = () => {
      done = true;
      const wall = performance.now() - t0;
      const cpu = cpuMs(child.pid);
      clearTimeout(timer);
      if (!graceful) {
        child.kill('SIGKILL');
        resolve({ wall, cpu });
        return;
      }
      child.on('exit', () => resolve({ wall, cpu }));
      send({ id: 2, method: 'shutdown' });
    };
    const onMessage = (m) => {
      if (m.id === 2 && 'result' in m) {
        send({ method: 'exit' });
      } else if (m.id === 1 && 'result' in m) {
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
