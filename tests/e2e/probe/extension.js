// Test-only extension: runs inside the same extension host as CertLsp, asks the VS Code API what the extension
// and its server provide for examples/harbor-tower, and writes the answers as JSON to $CERTLSP_E2E_OUT for
// tests/e2e/drive.mjs to assert. It only reads (the quick fix and CSR generation are done through the page),
// except for one deliberate crash of the server to see it restarted.
const fs = require('node:fs');
const vscode = require('vscode');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(what, probe, timeoutMs = 60000) {
  const start = Date.now();
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

const plainRange = (r) => ({ start: { line: r.start.line, character: r.start.character }, end: { line: r.end.line, character: r.end.character } });
const certlspDiagnostics = (uri) => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'certlsp');
const hoverText = (hovers) => hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');

exports.activate = async function activate() {
  const out = process.env.CERTLSP_E2E_OUT;
  if (!out) return;
  const report = { started: new Date().toISOString(), steps: {}, errors: [] };
  const step = async (name, run) => {
    const t0 = Date.now();
    try {
      report.steps[name] = await run();
    } catch (err) {
      report.errors.push(`${name}: ${err && err.stack ? err.stack : err}`);
    }
    (report.durations ??= {})[name] = Date.now() - t0;
  };

  const extension = vscode.extensions.getExtension('certlsp.certlsp');
  let api;
  let uri;
  await step('activate', async () => {
    if (!extension) throw new Error('certlsp.certlsp is not installed');
    api = await extension.activate();
    await api.ready;
    return { active: extension.isActive, serverPid: api.serverPid(), serverCommands: api.serverCommands() };
  });
  await step('open', async () => {
    const [found] = await vscode.workspace.findFiles('**/harbor-tower.site.yaml');
    uri = found;
    const document = await vscode.workspace.openTextDocument(uri);
    return { uri: uri.toString(), languageId: document.languageId };
  });
  const diagnostics = async () => {
    const list = await until('certlsp diagnostics', () => certlspDiagnostics(uri).length > 0 && certlspDiagnostics(uri));
    return list.map((d) => ({ code: typeof d.code === 'object' ? d.code.value : d.code, message: d.message, severity: d.severity, range: plainRange(d.range) }));
  };
  await step('diagnostics', diagnostics);
  await step('hover', async () => {
    const hovers = await vscode.commands.executeCommand('vscode.executeHoverProvider', uri, new vscode.Position(16, 12));
    return { text: hoverText(hovers) };
  });
  await step('completion', async () => {
    const document = await vscode.workspace.openTextDocument(uri);
    const at = document.positionAt(document.getText().indexOf('algorithm: ') + 'algorithm: '.length);
    const list = await vscode.commands.executeCommand('vscode.executeCompletionItemProvider', uri, at);
    return { position: { line: at.line, character: at.character }, labels: list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label)) };
  });
  await step('codeActions', async () => {
    const uk = certlspDiagnostics(uri).find((d) => d.message.includes('“UK”'));
    if (!uk) throw new Error('no diagnostic about UK');
    const actions = await vscode.commands.executeCommand('vscode.executeCodeActionProvider', uri, uk.range, vscode.CodeActionKind.QuickFix.value);
    return actions.map((a) => ({
      title: a.title,
      kind: a.kind && a.kind.value,
      edits: a.edit ? a.edit.entries().flatMap(([, edits]) => edits.map((e) => ({ range: plainRange(e.range), newText: e.newText }))) : [],
    }));
  });
  await step('symbols', async () => {
    const symbols = await vscode.commands.executeCommand('vscode.executeDocumentSymbolProvider', uri);
    const names = (list) => list.map((s) => ({ name: s.name, kind: s.kind, children: names(s.children ?? []) }));
    return names(symbols);
  });
  await step('siteStatus', async () => {
    try {
      return { ok: true, status: await api.siteStatus(uri) };
    } catch (err) {
      return { ok: false, error: String(err && err.message ? err.message : err) };
    }
  });
  await step('certificatesView', async () => {
    await vscode.commands.executeCommand('certlsp.status', uri);
    return api.certificates();
  });
  await step('commands', async () => {
    const all = await vscode.commands.getCommands(true);
    return all.filter((c) => c.startsWith('certlsp.'));
  });
  await step('crashRestart', async () => {
    const before = api.serverPid();
    if (!before) throw new Error('no server pid');
    process.kill(before, 'SIGKILL');
    const after = await until('a restarted server', () => {
      const pid = api.serverPid();
      return pid && pid !== before && api.serverCommands() && pid;
    }, 30000);
    // The restarted server must answer again: a hover is enough.
    const hovers = await until('a hover from the restarted server', async () => {
      try {
        const h = await vscode.commands.executeCommand('vscode.executeHoverProvider', uri, new vscode.Position(16, 12));
        return h && h.length > 0 && h;
      } catch {
        return undefined;
      }
    }, 30000);
    return { before, after, restarts: api.restarts(), hoverAfterRestart: hoverText(hovers).includes('AHU-1') };
  });

  report.finished = new Date().toISOString();
  fs.writeFileSync(`${out}.tmp`, JSON.stringify(report, null, 2));
  fs.renameSync(`${out}.tmp`, out);
};
