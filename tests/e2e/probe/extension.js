// Test-only extension: runs inside the same extension host as CertLsp, asks the VS Code API what the extension
// and its server provide for examples/harbor-tower, and writes the answers as JSON to $CERTLSP_E2E_OUT for
// tests/e2e/drive.test.mjs to assert. It only reads (the quick fix and CSR generation are done through the page),
// except for one deliberate crash of the server to see it restarted. With CERTLSP_E2E_MODE=untrusted it checks
// Restricted Mode instead, before and after the page trusts the folder (untrusted(), for tests/e2e/untrusted.test.mjs).
const fs = require('node:fs');
const vscode = require('vscode');

/**
 * What the extension host's server process runs (Linux: /proc/PID/exe), and whether `dotnet` is reachable from the extension
 * host at all (run.sh hides it for the per-platform package, whose server must need no .NET).
 */
function serverProgram(pid) {
  let exe;
  try {
    exe = fs.readlinkSync(`/proc/${pid}/exe`);
  } catch (err) {
    exe = `unreadable: ${err.message}`;
  }
  const dotnet = require('node:child_process').spawnSync('dotnet', ['--version'], { encoding: 'utf8', timeout: 20000 });
  return { serverExe: exe, dotnetReachable: !dotnet.error && dotnet.status === 0, dotnetError: dotnet.error ? dotnet.error.code
      : undefined };
}

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

const plainRange = (r) => ({ start: { line: r.start.line, character: r.start.character },
    end: { line: r.end.line, character: r.end.character } });
const certlspDiagnostics = (uri) => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'certlsp');
const hoverText = (hovers) => hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');

/** A report of named steps (their results, errors and durations), written whole (by rename) to `out`. */
function reporter(out) {
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
  const write = (fields = {}) => {
    Object.assign(report, fields, { written: new Date().toISOString() });
    fs.writeFileSync(`${out}.tmp`, JSON.stringify(report, null, 2));
    fs.renameSync(`${out}.tmp`, out);
  };
  return { report, step, write };
}

const diagnosticsOf = async (uri) => {
  const list = await until('certlsp diagnostics', () => certlspDiagnostics(uri).length > 0 && certlspDiagnostics(uri));
  return list.map((d) => ({ code: typeof d.code === 'object' ? d.code.value : d.code, message: d.message, severity: d.severity,
      range: plainRange(d.range) }));
};

const symbolNames = async (uri) => {
  const symbols = await vscode.commands.executeCommand('vscode.executeDocumentSymbolProvider', uri);
  const names = (list) => list.map((s) => ({ name: s.name, kind: s.kind, children: names(s.children ?? []) }));
  return names(symbols);
};

async function activated(extension) {
  if (!extension) throw new Error('certlsp.certlsp is not installed');
  const api = await extension.activate();
  await api.ready;
  return api;
}

const harborTower = async () => (await vscode.workspace.findFiles('**/harbor-tower.site.yaml'))[0];

const hoverOnDevice = async (uri) => {
  const hovers = await vscode.commands.executeCommand('vscode.executeHoverProvider', uri, new vscode.Position(16, 12));
  return { text: hoverText(hovers) };
};

const completionOfAlgorithm = async (uri) => {
  const document = await vscode.workspace.openTextDocument(uri);
  const at = document.positionAt(document.getText().indexOf('algorithm: ') + 'algorithm: '.length);
  const list = await vscode.commands.executeCommand('vscode.executeCompletionItemProvider', uri, at);
  return { position: { line: at.line, character: at.character },
      labels: list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label)) };
};

const actionSummary = (a) => ({
  title: a.title,
  kind: a.kind && a.kind.value,
  command: a.command && a.command.command,
  edits: a.edit ? a.edit.entries().flatMap(([, edits]) => edits.map((e) => ({ range: plainRange(e.range), newText: e.newText }))) : [],
});

/**
 * A code-action query the workbench cancelled (it cancels queries when it re-reads the document or the language
 * client restarts) is asked again, up to three times; any other error, or a fourth cancel, fails the step.
 */
const codeActions = async (...args) => {
  for (let attempt = 1; ; attempt++) {
    try {
      return await vscode.commands.executeCommand('vscode.executeCodeActionProvider', ...args);
    } catch (e) {
      if (attempt >= 4 || !(e instanceof Error) || e.message !== 'Canceled') throw e;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
};

const quickFixesForUk = async (uri) => {
  const uk = certlspDiagnostics(uri).find((d) => d.message.includes('“UK”'));
  if (!uk) throw new Error('no diagnostic about UK');
  const actions = await codeActions(uri, uk.range, vscode.CodeActionKind.QuickFix.value);
  return actions.map(actionSummary);
};

/** The source actions over the whole manifest (Generate CSRs…, Import signed certificates…). */
const sourceActions = async (uri) => {
  const document = await vscode.workspace.openTextDocument(uri);
  const all = new vscode.Range(0, 0, document.lineCount, 0);
  const actions = await codeActions(uri, all, vscode.CodeActionKind.Source.value);
  return actions.map(actionSummary);
};

/**
 * Restricted Mode (run.sh's second code-server, workspace trust on, the folder untrusted; its .vscode/settings.json names a
 * server script that leaves a marker). Phase "untrusted": what works (diagnostics, hover, completion, symbols, the view, a
 * restart) and what is refused (the write/run/send commands, through the extension's commands and the server's as the
 * language client registered them; their source actions). Then it waits for the page to trust the folder, and phase
 * "trusted": the server restarted (with the folder's server), diagnostics again, the source actions back.
 */
async function untrusted(out) {
  const { step, write } = reporter(out);
  let granted = 0;
  vscode.workspace.onDidGrantWorkspaceTrust(() => granted++);
  const extension = vscode.extensions.getExtension('certlsp.certlsp');
  let api;
  let uri;
  let riverside;
  await step('activate', async () => {
    api = await activated(extension);
    uri = await harborTower();
    [riverside] = await vscode.workspace.findFiles('**/riverside.site.yaml');
    await vscode.workspace.openTextDocument(uri);
    return { trusted: vscode.workspace.isTrusted, active: extension.isActive, serverPid: api.serverPid(),
        serverCommands: api.serverCommands() };
  });
  await step('diagnostics', () => diagnosticsOf(uri));
  await step('hover', () => hoverOnDevice(uri));
  await step('completion', () => completionOfAlgorithm(uri));
  await step('quickFixes', () => quickFixesForUk(uri));
  await step('sourceActions', () => sourceActions(uri));
  await step('symbols', () => symbolNames(uri));
  await step('certificatesView', async () => {
    await vscode.commands.executeCommand('certlsp.status', uri);
    return api.certificates();
  });
  await step('refused', async () => {
    const results = {};
    // The extension's own commands, then the server's (registered by the language client: its middleware decides).
    for (const [command, args] of [
      ['certlsp.generate', [riverside]], ['certlsp.import', [riverside]],
          ['certlsp.importCertificatesPrompt', [{ uri: riverside.toString() }]],
      ['certlsp.discover', [riverside]], ['certlsp.install', [riverside]],
      ['certlsp.generateCsrs', [{ uri: riverside.toString(), scope: 'all' }]],
          ['certlsp.importCertificates', [{ uri: riverside.toString(), path: '/nonexistent.zip' }]],
    ]) {
      results[command] = (await vscode.commands.executeCommand(command, ...args)) ?? null;
    }
    return results;
  });
  await step('restart', async () => {
    const before = api.serverPid();
    await vscode.commands.executeCommand('certlsp.restartServer');
    return { before, after: api.serverPid(), commands: api.serverCommands() };
  });
  write({ phase: 'untrusted' });

  // The page trusts the folder (Manage Workspace Trust > Trust Folder).
  await step('trust', async () => {
    const pid = api.serverPid();
    await until('the folder trusted', () => vscode.workspace.isTrusted, 300000);
    const after = await until('the server restarted with the folder\'s settings', () => {
      const now = api.serverPid();
      return now && now !== pid && api.serverCommands().length > 0 && now;
    }, 60000);
    return { trusted: vscode.workspace.isTrusted, granted, before: pid, after };
  });
  await step('diagnosticsTrusted', () => diagnosticsOf(uri));
  // The diagnostics above may still be the old server's; the new one answers once it has initialised and opened the file,
  // and the client's middleware lets the source actions through once it has seen the trust: ask until they are there.
  await step('sourceActionsTrusted', async () => {
    let last = [];
    try {
      await until('the source actions of the trusted server', async () => {
        last = await sourceActions(uri);
        return last.some((a) => /Generate CSRs/i.test(a.title)) && last;
      }, 60000);
    } catch { /* the test reports what came back */ }
    return last;
  });
  write({ phase: 'trusted' });
}

/**
 * The review step, once the page asks for it (drive.test.mjs writes `${out}.review-go` in its last test): the manifest of run.sh's
 * git repository opened, AHU-1 renamed in the editor (not saved), and the server's rename lens on it; then, after the page has run
 * "CertLsp: Review Changes Against…", the review document the client opened (scheme certlsp-review) with its markdown.
 */
async function review(manifest, out, step, write) {
  await until('the page to start the review step', () => fs.existsSync(`${out}.review-go`), 900000);
  const uri = vscode.Uri.file(manifest);
  await step('reviewLens', async () => {
    const document = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(document);
    const at = document.getText().indexOf('name: AHU-1\n') + 'name: '.length;
    await editor.edit((e) => e.replace(new vscode.Range(document.positionAt(at), document.positionAt(at + 'AHU-1'.length)),
        'AHU-1-North'));
    const lens = await until('the rename lens', async () => {
      const lenses = await vscode.commands.executeCommand('vscode.executeCodeLensProvider', uri, 100);
      return (lenses ?? []).find((l) => l.command && l.command.title.startsWith('renamed from AHU-1'));
    }, 90000);
    return { title: lens.command.title, command: lens.command.command, line: lens.range.start.line,
        lineText: document.lineAt(lens.range.start.line).text };
  });
  write();
  await step('review', async () => {
    const shown = await until('the review document',
        () => vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'certlsp-review'), 180000);
    return { uri: shown.uri.toString(), text: shown.getText() };
  });
  write({ reviewed: new Date().toISOString() });
}

exports.activate = async function activate() {
  const out = process.env.CERTLSP_E2E_OUT;
  if (!out) return;
  if (process.env.CERTLSP_E2E_MODE === 'untrusted') {
    await untrusted(out);
    return;
  }
  const { step, write } = reporter(out);

  const extension = vscode.extensions.getExtension('certlsp.certlsp');
  let api;
  let uri;
  await step('activate', async () => {
    api = await activated(extension);
    return { active: extension.isActive, serverPid: api.serverPid(), serverCommands: api.serverCommands(),
        ...serverProgram(api.serverPid()) };
  });
  await step('open', async () => {
    uri = await harborTower();
    const document = await vscode.workspace.openTextDocument(uri);
    return { uri: uri.toString(), languageId: document.languageId };
  });
  await step('diagnostics', () => diagnosticsOf(uri));
  await step('hover', () => hoverOnDevice(uri));
  await step('completion', () => completionOfAlgorithm(uri));
  await step('codeActions', () => quickFixesForUk(uri));
  await step('symbols', () => symbolNames(uri));
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

  write({ finished: new Date().toISOString() });
  if (process.env.CERTLSP_E2E_REVIEW) await review(process.env.CERTLSP_E2E_REVIEW, out, step, write);
};
