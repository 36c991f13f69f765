// Side by side, in one run: CertLsp's `certlsp lsp` and yaml-language-server (validating against
// schemas/site-manifest.schema.json), driven by the same client (vscode-languageserver-protocol),
// on the same generated manifest. Prints JSON with medians per operation and peak memory per server.
// Usage: node lsp-bench.mjs <certlsp.dll> <schema.json> <devices> <runs>
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import rpc from 'vscode-languageserver-protocol/node';

const require = createRequire(import.meta.url);
const [dll, schemaPath, devicesArg, runsArg] = process.argv.slice(2);
const devices = Number(devicesArg ?? 10000);
const runs = Number(runsArg ?? 5);

function manifest(n) {
  const lines = ['site: Bench Campus', 'domain: bms.bench.example', 'ca:', '  profile: bacnet-sc', 'subject:', '  country: US',
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

const dir = mkdtempSync(join(tmpdir(), 'certlsp-lsp-bench-'));
const file = join(dir, 'bench.site.yaml');
const text = manifest(devices);
writeFileSync(file, text);
const uri = pathToFileURL(file).href;
const schemaUri = pathToFileURL(schemaPath).href;
const deviceLine = 12 + 4 * Math.floor(devices / 2); // "  - name: ..." of the middle device
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function peakRssMiB(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmHWM:\s+(\d+)/.exec(status)[1]) / 1024;
  } catch { return NaN; }
}

async function session(name, command, args) {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'ignore'] });
  const connection = rpc.createProtocolConnection(new rpc.StreamMessageReader(child.stdout), new rpc.StreamMessageWriter(child.stdin));
  let waiter = null;
  connection.onNotification(rpc.PublishDiagnosticsNotification.type, (p) => {
    if (p.uri === uri && waiter && (p.version === undefined || p.version === null || p.version >= waiter.version)
        && (p.diagnostics.length > 0 || waiter.acceptEmpty)) {
      const w = waiter; waiter = null; w.resolve(p);
    }
  });
  connection.onRequest('workspace/configuration', (params) => params.items.map((item) => item.section === 'yaml'
    ? { validate: true, hover: true, completion: true, format: { enable: false }, schemas: { [schemaUri]: '*.site.yaml' },
        schemaStore: { enable: false } }
    : null));
  connection.onRequest('client/registerCapability', () => null);
  connection.onRequest('window/workDoneProgress/create', () => null);
  connection.onNotification(() => {});
  connection.listen();
  const diagnostics = (version, acceptEmpty) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: no diagnostics for v${version}`)), 120000);
    waiter = { version, acceptEmpty, resolve: (p) => { clearTimeout(timer); resolve(p); } };
  });
  await connection.sendRequest(rpc.InitializeRequest.type, {
    processId: process.pid, rootUri: pathToFileURL(dir).href, workspaceFolders: [{ uri: pathToFileURL(dir).href, name: 'bench' }],
    capabilities: { workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } },
        textDocument: { publishDiagnostics: { versionSupport: true } } },
  });
  await connection.sendNotification(rpc.InitializedNotification.type, {});
  await connection.sendNotification(rpc.DidChangeConfigurationNotification.type, {
    settings: { yaml: { validate: true, schemas: { [schemaUri]: '*.site.yaml' }, schemaStore: { enable: false } } },
  });
  const result = { open: [], edit: [], hover: [], completion: [], symbols: [], diagnosticsAfterOpen: 0 };
  let version = 0;
  for (let run = 0; run < runs; run++) {
    // didOpen -> diagnostics (the manifest has one deliberate error so both servers publish a non-empty list)
    const docText = text.replace('  country: US', '  country: USA');
    let t = performance.now();
    let wait = diagnostics(++version, false);
    await connection.sendNotification(rpc.DidOpenTextDocumentNotification.type,
        { textDocument: { uri, languageId: 'yaml', version, text: docText } });
    const opened = await wait;
    result.open.push(performance.now() - t);
    result.diagnosticsAfterOpen = opened.diagnostics.length;
    // a one-character edit that fixes the error -> (empty) diagnostics
    t = performance.now();
    wait = diagnostics(++version, true);
    await connection.sendNotification(rpc.DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version }, contentChanges: [{ range: { start: { line: 5, character: 13 }, end: { line: 5, character: 14 } },
          text: '' }],
    });
    await wait;
    result.edit.push(performance.now() - t);
    t = performance.now();
    await connection.sendRequest(rpc.HoverRequest.type, { textDocument: { uri }, position: { line: deviceLine + 1, character: 6 } });
    result.hover.push(performance.now() - t);
    t = performance.now();
    await connection.sendRequest(rpc.CompletionRequest.type, { textDocument: { uri }, position: { line: 3, character: 11 } });
    result.completion.push(performance.now() - t);
    t = performance.now();
    await connection.sendRequest(rpc.DocumentSymbolRequest.type, { textDocument: { uri } });
    result.symbols.push(performance.now() - t);
    await connection.sendNotification(rpc.DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  }
  const peak = peakRssMiB(child.pid);
  await connection.sendRequest(rpc.ShutdownRequest.type);
  await connection.sendNotification(rpc.ExitNotification.type);
  child.kill();
  return {
    name, devices, runs, bytes: text.length,
    openToDiagnosticsMs: median(result.open), editToDiagnosticsMs: median(result.edit), hoverMs: median(result.hover),
    completionMs: median(result.completion), symbolsMs: median(result.symbols), peakRssMiB: peak,
        diagnosticsAfterOpen: result.diagnosticsAfterOpen,
  };
}

const yls = require.resolve('yaml-language-server/bin/yaml-language-server');
const certlsp = await session('certlsp', 'dotnet', [dll, 'lsp', '--stdio']);
const yaml = await session('yaml-language-server', process.execPath, [yls, '--stdio']);
console.log(JSON.stringify({ certlsp, yaml }, null, 2));
