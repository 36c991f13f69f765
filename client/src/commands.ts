// The extension's commands: each one asks the engineer what it needs, calls the server, and reports.
import * as vscode from 'vscode';
import type { CertificatesView } from './certificatesView';
import { choiceFromLabel, generateCsrs, keepLabel, overwriteLabel, pendingQuestion, resultSummary } from './csrFlow';
import { discoveryLog } from './discoverFlow';
import { installLog } from './installFlow';
import { verifyLog } from './verifyFlow';
import { reviewChanges, reviewScheme, type ReviewOutcome } from './reviewFlow';
import {
  ImportPromptCommand, ServerCommand, type DiscoverDevicesArgs, type DiscoverDevicesResult, type GenerateCsrsArgs, type GenerateCsrsResult,
      type ImportResult,
  type InstallCertificatesArgs, type InstallCertificatesResult, type Range, type ReviewChangesResult, type SiteStatus,
  type VerifySiteArgs, type VerifySiteResult,
} from './protocol';
import type { CertLspServer } from './server';
import { combinedGlob } from './selector';
import { batchNames, devicesInSelections, type SymbolLike } from './symbols';
import { availableInRestrictedMode } from './trust';
import { CertificatesViewId, Command, Setting, SettingsSection } from './names';

export class Commands {
  /** The review documents' markdown by URI (read-only: served by a content provider). */
  private readonly reviews = new Map<string, string>();
  private readonly reviewChanged = new vscode.EventEmitter<vscode.Uri>();

  constructor(
    private readonly server: CertLspServer,
    private readonly view: CertificatesView,
    private readonly isManifest: (document: vscode.TextDocument) => boolean,
  ) {}

  register(): vscode.Disposable[] {
    const guarded = <A extends unknown[]>(id: string, run: (...args: A) => Promise<unknown>) =>
      vscode.commands.registerCommand(id, async (...args: A) => {
        if (!vscode.workspace.isTrusted && !availableInRestrictedMode(id)) {
          this.server.refuseUntrusted(id);
          return undefined;
        }
        try {
          return await run(...args);
        } catch (err) {
          if (isCancellation(err)) {
            this.server.output.appendLine(`${id}: cancelled`);
            return undefined;
          }
          const text = err instanceof Error ? err.message : String(err);
          this.server.output.appendLine(`${id}: ${text}`);
          void vscode.window.showErrorMessage(`CertLsp: ${text}`);
          return undefined;
        }
      });
    return [
      guarded(Command.generate, (uri?: vscode.Uri) => this.generate(false, uri)),
      guarded(Command.generateForSelection, () => this.generate(true)),
      guarded(Command.import, (uri?: vscode.Uri) => this.importCertificates(uri)),
      // The server's "Import signed certificates…" source action: [{ uri }].
      guarded(ImportPromptCommand, (arg?: { uri?: string }) => this.importCertificates(arg?.uri ? vscode.Uri.parse(arg.uri) : undefined)),
      guarded(Command.status, (uri?: vscode.Uri) => this.showStatus(uri)),
      guarded(Command.discover, (uri?: vscode.Uri) => this.discover(uri)),
      guarded(Command.install, (uri?: vscode.Uri) => this.install(uri)),
      guarded(Command.verify, (uri?: vscode.Uri) => this.verify(uri)),
      guarded(Command.restartServer, () => this.restart()),
      guarded(Command.showOutput, async () => this.server.output.show(true)),
      guarded(Command.refreshCertificates, () => this.view.refresh()),
      guarded(Command.revealDevice, (uri: vscode.Uri, range: Range) => this.reveal(uri, range)),
      // From the palette or the explorer (a URI), or the server's rename lens ({ uri, base }).
      guarded(Command.review, (arg?: vscode.Uri | { uri?: string; base?: string }) => this.review(arg)),
      vscode.workspace.registerTextDocumentContentProvider(reviewScheme, {
        onDidChange: this.reviewChanged.event,
        provideTextDocumentContent: uri => this.reviews.get(uri.toString()) ?? '',
      }),
      this.reviewChanged,
    ];
  }

  private async review(arg?: vscode.Uri | { uri?: string; base?: string }): Promise<ReviewOutcome | undefined> {
    this.requireCommand(ServerCommand.reviewChanges, 'the review of changes');
    const given = arg instanceof vscode.Uri ? arg : arg?.uri ? vscode.Uri.parse(arg.uri) : undefined;
    const uri = await this.manifest(given);
    if (!uri) return undefined;
    return reviewChanges(
      {
        askBase: suggested => Promise.resolve(vscode.window.showInputBox({
          title: 'CertLsp: Review Changes Against…', prompt: 'The git revision to compare the open manifest with', value: suggested,
        })),
        execute: args => this.server.executeWithProgress<ReviewChangesResult>('CertLsp: reviewing changes', ServerCommand.reviewChanges,
            [args]),
        show: async (document, markdown) => {
          const review = vscode.Uri.from({ scheme: reviewScheme, path: document.path, query: document.query });
          this.reviews.set(review.toString(), markdown);
          this.reviewChanged.fire(review);
          await vscode.commands.executeCommand('markdown.showPreviewToSide', review);
        },
        refuse: message => {
          this.server.output.appendLine(message);
          void vscode.window.showWarningMessage(message);
        },
      },
      uri.toString(),
      uri.path,
      arg instanceof vscode.Uri ? undefined : arg?.base,
    );
  }

  /**
   * The manifest a command works on: the one it was invoked on (explorer context menu), the active editor's,
   * the one in the view, or one the engineer picks.
   */
  private async manifest(given?: unknown): Promise<vscode.Uri | undefined> {
    if (given instanceof vscode.Uri) return given;
    const document = vscode.window.activeTextEditor?.document;
    if (document && this.isManifest(document)) return document.uri;
    if (this.view.current) return this.view.current;
    const found = await vscode.workspace.findFiles(combinedGlob(this.server.globs()), '**/node_modules/**', 50);
    if (found.length <= 1) {
      if (found.length === 0) void vscode.window.showInformationMessage('CertLsp: no site manifest (*.site.yaml) in this workspace.');
      return found[0];
    }
    const pick = await vscode.window.showQuickPick(
      found.map(uri => ({ label: vscode.workspace.asRelativePath(uri), uri })),
      { title: 'Which site manifest?' },
    );
    return pick?.uri;
  }

  private requireCommand(command: string, what: string): void {
    if (!this.server.offers(command)) {
      throw new Error(`this CertLsp server does not offer ${what} (${command}).`);
    }
  }

  private async symbols(uri: vscode.Uri): Promise<SymbolLike[]> {
    return (await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', uri)) ?? [];
  }

  private async generate(fromSelection: boolean, given?: vscode.Uri): Promise<GenerateCsrsResult | undefined> {
    this.requireCommand(ServerCommand.generateCsrs, 'CSR generation');
    const uri = await this.manifest(given);
    if (!uri) return undefined;
    const args = fromSelection ? await this.selectionScope(uri) : await this.chooseScope(uri);
    if (!args) return undefined;
    const outcome = await generateCsrs(
      {
        execute: a => this.server.executeWithProgress<GenerateCsrsResult>('CertLsp: generating CSRs', ServerCommand.generateCsrs,
            [{ ...a, layout: zipLayout() }]),
        choosePending: async devices =>
          choiceFromLabel(await vscode.window.showWarningMessage(pendingQuestion(devices), { modal: true }, keepLabel, overwriteLabel)),
      },
      args,
    );
    if (outcome.kind === 'dismissed') {
      void vscode.window.showInformationMessage('CertLsp: no CSRs generated (pending CSRs left as they are).');
      return undefined;
    }
    // The server announces the result itself (window/showMessage); the log keeps the details.
    const result = outcome.result;
    this.server.output.appendLine(`Generate CSRs (${args.scope}${args.batch ? ` ${args.batch}` : ''}` +
      `${args.pending ? `, ${args.pending} pending` : ''}): ${resultSummary(result)}`);
    for (const zip of result.zips) this.server.output.appendLine(`  ${zip}`);
    void this.view.refresh();
    return result;
  }

  private async chooseScope(uri: vscode.Uri): Promise<GenerateCsrsArgs | undefined> {
    const symbols = await this.symbols(uri);
    const batches = batchNames(symbols);
    const editor = vscode.window.activeTextEditor;
    const selected = editor && editor.document.uri.toString() === uri.toString() ? devicesInSelections(symbols, editor.selections) : [];
    type Item = vscode.QuickPickItem & { scope: GenerateCsrsArgs['scope'] };
    const items: Item[] = [{ label: 'All devices', description: vscode.workspace.asRelativePath(uri), scope: 'all' }];
    if (batches.length > 0) items.push({ label: 'One batch…', description: batches.join(', '), scope: 'batch' });
    if (selected.length > 0) items.push({ label: 'Devices under the selection', description: selected.join(', '), scope: 'devices' });
    const pick = items.length === 1 ? items[0] : await vscode.window.showQuickPick(items, { title: 'Generate CSRs for' });
    if (!pick) return undefined;
    if (pick.scope === 'devices') return { uri: uri.toString(), scope: 'devices', devices: selected };
    if (pick.scope === 'batch') {
      const batch = await vscode.window.showQuickPick(batches, { title: 'Generate CSRs for the batch' });
      return batch ? { uri: uri.toString(), scope: 'batch', batch } : undefined;
    }
    return { uri: uri.toString(), scope: 'all' };
  }

  private async selectionScope(uri: vscode.Uri): Promise<GenerateCsrsArgs | undefined> {
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.document.uri.toString() !== uri.toString()) {
      void vscode.window.showInformationMessage('CertLsp: select devices in a site manifest first.');
      return undefined;
    }
    const devices = devicesInSelections(await this.symbols(uri), editor.selections);
    if (devices.length === 0) {
      void vscode.window.showInformationMessage('CertLsp: no device under the selection.');
      return undefined;
    }
    return { uri: uri.toString(), scope: 'devices', devices };
  }

  private async importCertificates(given?: vscode.Uri): Promise<ImportResult | undefined> {
    this.requireCommand(ServerCommand.importCertificates, 'certificate import');
    const uri = await this.manifest(given);
    if (!uri) return undefined;
    const files = await vscode.window.showOpenDialog({
      title: 'Import signed certificates',
      canSelectMany: false,
      defaultUri: vscode.Uri.joinPath(uri, '..'),
      filters: { 'Signed certificates': ['zip', 'pem', 'crt', 'cer', 'der', 'p7b'] },
      openLabel: 'Import',
    });
    if (!files || files.length === 0) return undefined;
    const result = await this.server.executeWithProgress<ImportResult>('CertLsp: importing certificates', ServerCommand.importCertificates,
        [
      { uri: uri.toString(), path: files[0].fsPath },
    ]);
    // The server announces the result itself (window/showMessage); the log keeps each file's verdict.
    this.server.output.appendLine(`Import ${files[0].fsPath}: ${result.message}`);
    for (const f of result.files) this.server.output.appendLine(
        `  ${f.name}: ${f.verdict}${f.device ? ` -> ${f.device}` : ''}${f.reason ? ` (${f.reason})` : ''}`);
    if (result.installs) for (const line of installLog(result.installs)) this.server.output.appendLine(line);
    void this.view.refresh();
    return result;
  }

  private async showStatus(given?: vscode.Uri): Promise<SiteStatus | undefined> {
    const uri = await this.manifest(given);
    if (!uri) return undefined;
    await this.view.show(uri);
    await vscode.commands.executeCommand(`${CertificatesViewId}.focus`);
    return this.view.siteStatus;
  }

  private discover(given?: vscode.Uri): Promise<DiscoverDevicesResult | undefined> {
    // The server edits the manifest (workspace/applyEdit) and announces the summary itself; the log keeps the details.
    return this.siteCommand<DiscoverDevicesResult>(ServerCommand.discoverDevices, 'device discovery', 'CertLsp: discovering devices',
        discoveryLog, given);
  }

  private install(given?: vscode.Uri): Promise<InstallCertificatesResult | undefined> {
    // The server announces the summary itself; the log keeps each device's outcome.
    return this.siteCommand<InstallCertificatesResult>(ServerCommand.installCertificates, 'installing certificates on devices',
        'CertLsp: installing certificates on devices',
        (site, result) => [`Install certificates (${site}): ${result.message}`, ...installLog(result)], given);
  }

  private verify(given?: vscode.Uri): Promise<VerifySiteResult | undefined> {
    // The server announces the summary itself and records each device in the ledger; the log keeps each device's result.
    return this.siteCommand<VerifySiteResult>(ServerCommand.verifySite, 'verifying the site over BACnet/SC',
        'CertLsp: verifying the site over BACnet/SC', verifyLog, given);
  }

  /**
   * A command on one whole site that asks nothing more than which manifest: runs it with progress, writes its log lines
   * (given the manifest's workspace-relative path) and refreshes the view.
   */
  private async siteCommand<R>(command: string, what: string, title: string, log: (site: string, result: R) => string[],
      given?: vscode.Uri): Promise<R | undefined> {
    this.requireCommand(command, what);
    const uri = await this.manifest(given);
    if (!uri) return undefined;
    const args: DiscoverDevicesArgs & InstallCertificatesArgs & VerifySiteArgs = { uri: uri.toString() };
    const result = await this.server.executeWithProgress<R>(title, command, [args]);
    for (const line of log(vscode.workspace.asRelativePath(uri), result)) this.server.output.appendLine(line);
    void this.view.refresh();
    return result;
  }

  private async restart(): Promise<void> {
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Restarting the CertLsp server' }, () =>
        this.server.restart());
    void vscode.window.showInformationMessage('CertLsp: the server restarted.');
  }

  private async reveal(uri: vscode.Uri, range: Range): Promise<void> {
    const selection = new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
    await vscode.window.showTextDocument(uri, { selection, preview: true });
  }
}

function zipLayout(): 'flat' | 'cari' {
  return vscode.workspace.getConfiguration(SettingsSection).get<string>(Setting.zipLayout) === 'cari' ? 'cari' : 'flat';
}

/** A request the engineer cancelled (the progress notification's Cancel, or $/cancelRequest answered). */
function isCancellation(err: unknown): boolean {
  return err instanceof vscode.CancellationError || (typeof err === 'object' && err !== null
      && (err as { code?: unknown }).code === -32800);
}
