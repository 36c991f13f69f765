// An editor session against the real `certlsp lsp`, driven by the official LSP client library
// (vscode-languageserver-protocol): initialize, open, wait for diagnostics, edit incrementally,
// apply a quick fix, and check the server's answers. Prints a JSON report; exit 0 only when every step passed.
// Usage: node editor-session.mjs <path to certlsp.dll> <workspace folder>
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import rpcModule from 'vscode-languageserver-protocol/node';
const rpc = rpcModule;

const [dll, folder] = process.argv.slice(2);
const steps = [];
const fail = (message) => { throw new Error(message); };
const server = spawn('dotnet', [dll, 'lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
let stderr = '';
server.stderr.on('data', (d) => { stderr += d; });
const connection = rpc.createProtocolConnection(new rpc.StreamMessageReader(server.stdout), new rpc.StreamMessageWriter(server.stdin));
const published = new Map();
const waiters = [];
connection.onNotification(rpc.PublishDiagnosticsNotification.type, (p) => {
  published.set(p.uri, p);
  for (const w of [...waiters]) if (w.uri === p.uri && (p.version ?? 0) >= w.version) { waiters.splice(waiters.indexOf(w), 1); w.resolve(
      p); }
});
connection.onNotification(rpc.LogMessageNotification.type, () => {});
connection.listen();

function diagnosticsFor(uri, version) {
  const p = published.get(uri);
  if (p && (p.version ?? 0) >= version) return Promise.resolve(p);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no diagnostics for ${uri} v${version}`)), 30000);
    waiters.push({ uri, version, resolve: (x) => { clearTimeout(timer); resolve(x); } });
  });
}

function offsetAt(text, pos) {
  let line = 0, i = 0;
  while (line < pos.line && i < text.length) { if (text[i] === '\n') line++; i++; }
  return i + pos.character;
}
function applyEdits(text, edits) {
  for (const e of [...edits].sort((a, b) => offsetAt(text, b.range.start) - offsetAt(text, a.range.start))) {
    text = text.slice(0, offsetAt(text, e.range.start)) + e.newText + text.slice(offsetAt(text, e.range.end));
  }
  return text;
}
async function step(name, fn) { await fn(); steps.push(name); }

try {
  const manifestPath = join(folder, 'harbor-tower.site.yaml');
  const uri = pathToFileURL(manifestPath).href;
  let text = readFileSync(manifestPath, 'utf8');
  let version = 1;

  await step('initialize', async () => {
    const result = await connection.sendRequest(rpc.InitializeRequest.type, {
      processId: process.pid, rootUri: pathToFileURL(folder).href, capabilities: { window: { workDoneProgress: true } },
      workspaceFolders: [{ uri: pathToFileURL(folder).href, name: 'site' }],
    });
    if (result.capabilities.textDocumentSync.change !== rpc.TextDocumentSyncKind.Incremental) fail('incremental sync not advertised');
    await connection.sendNotification(rpc.InitializedNotification.type, {});
  });

  let diagnostics;
  await step('open and receive diagnostics', async () => {
    await connection.sendNotification(rpc.DidOpenTextDocumentNotification.type,
        { textDocument: { uri, languageId: 'yaml', version, text } });
    diagnostics = (await diagnosticsFor(uri, version)).diagnostics;
    const codes = new Set(diagnostics.map((d) => d.code));
    for (const code of ['CL0103', 'CL0201', 'CL0601', 'CL0602', 'CL0603', 'CL0002']) if (!codes.has(code)) fail(
        `missing ${code}: got ${[...codes]}`);
    const uk = diagnostics.find((d) => d.code === 'CL0103'
        && text.slice(offsetAt(text, d.range.start), offsetAt(text, d.range.end)) === 'UK');
    if (!uk) fail('CL0103 does not cover "UK"');
  });

  await step('incremental edit', async () => {
    // rename the unknown key "adress" to "address" with a one-character insertion
    const at = text.indexOf('adress:');
    const line = text.slice(0, at).split('\n').length - 1;
    const character = at - (text.lastIndexOf('\n', at - 1) + 1) + 1;
    await connection.sendNotification(rpc.DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: ++version },
      contentChanges: [{ range: { start: { line, character }, end: { line, character } }, text: 'd' }],
    });
    text = text.slice(0, at + 1) + 'd' + text.slice(at + 1);
    diagnostics = (await diagnosticsFor(uri, version)).diagnostics;
    if (diagnostics.some((d) => d.code === 'CL0002')) fail('CL0002 still reported after the edit');
  });

  await step('quick fix', async () => {
    const uk = diagnostics.find((d) => d.code === 'CL0103' && d.message.includes('UK'));
    const actions = await connection.sendRequest(rpc.CodeActionRequest.type,
        { textDocument: { uri }, range: uk.range, context: { diagnostics: [uk] } });
    const fix = actions.find((a) => a.kind === 'quickfix' && a.title.includes('GB'));
    if (!fix) fail(`no GB fix among ${actions.map((a) => a.title)}`);
    text = applyEdits(text, fix.edit.changes[uri]);
    await connection.sendNotification(rpc.DidChangeTextDocumentNotification.type,
        { textDocument: { uri, version: ++version }, contentChanges: [{ text }] });
    diagnostics = (await diagnosticsFor(uri, version)).diagnostics;
    if (diagnostics.some((d) => d.code === 'CL0103' && d.message.includes('UK'))) fail('the fix did not clear CL0103');
  });

  await step('hover, completion, symbols', async () => {
    const at = text.indexOf('AHU-1');
    const line = text.slice(0, at).split('\n').length - 1;
    const hover = await connection.sendRequest(rpc.HoverRequest.type, { textDocument: { uri }, position: { line, character: 12 } });
    if (!hover.contents.value.includes('AHU-1.bms.harbor-tower.example')) fail('hover lacks the full CN');
    const keyAt = text.indexOf('algorithm: ') + 'algorithm: '.length;
    const kline = text.slice(0, keyAt).split('\n').length - 1;
    const completion = await connection.sendRequest(rpc.CompletionRequest.type,
        { textDocument: { uri }, position: { line: kline, character: keyAt - (text.lastIndexOf('\n', keyAt - 1) + 1) } });
    const labels = (completion.items ?? completion).map((i) => i.label);
    if (!labels.includes('rsa') || !labels.includes('ecdsa')) fail(`completion: ${labels}`);
    const symbols = await connection.sendRequest(rpc.DocumentSymbolRequest.type, { textDocument: { uri } });
    if (symbols[0].name !== 'Harbor Tower') fail(`symbols: ${JSON.stringify(symbols[0].name)}`);
  });

  await step('run a command and check the files it made', async () => {
    const riverside = join(folder, 'riverside.site.yaml');
    const ruri = pathToFileURL(riverside).href;
    await connection.sendNotification(rpc.DidOpenTextDocumentNotification.type,
        { textDocument: { uri: ruri, languageId: 'yaml', version: 1, text: readFileSync(riverside, 'utf8') } });
    await diagnosticsFor(ruri, 1);
    const actions = await connection.sendRequest(rpc.CodeActionRequest.type, {
      textDocument: { uri: ruri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
          context: { diagnostics: [], only: ['source'] },
    });
    const generate = actions.find((a) => a.title.startsWith('Generate CSRs: all'));
    if (!generate) fail(`no Generate CSRs action among ${actions.map((a) => a.title)}`);
    const result = await connection.sendRequest(rpc.ExecuteCommandRequest.type,
        { command: generate.command.command, arguments: generate.command.arguments });
    if (result.requested !== 5 || result.failed !== 0) fail(`generate: ${JSON.stringify(result)}`);
    for (const zip of result.zips) if (!existsSync(zip)) fail(`missing ${zip}`);
    const ledger = join(folder, 'riverside.site.ledger');
    if (!existsSync(ledger) || readFileSync(ledger, 'utf8').includes('PRIVATE KEY')) fail('ledger missing or holds key material');
  });

  await step('bad request keeps the server alive', async () => {
    try {
      await connection.sendRequest('textDocument/hover', { position: { line: 0, character: 0 } });
      fail('expected an error');
    } catch (e) {
      if (e.code !== -32602) fail(`expected invalid params, got ${e.code} ${e.message}`);
    }
  });

  await step('shutdown and exit', async () => {
    await connection.sendRequest(rpc.ShutdownRequest.type);
    const exited = new Promise((resolve) => server.on('exit', resolve));
    await connection.sendNotification(rpc.ExitNotification.type);
    const code = await exited;
    if (code !== 0) fail(`exit code ${code}`);
  });

  console.log(JSON.stringify({ ok: true, steps }));
  process.exit(0);
} catch (e) {
  console.log(JSON.stringify({ ok: false, steps, error: String(e?.message ?? e), stderr: stderr.slice(-2000) }));
  server.kill();
  process.exit(1);
}
