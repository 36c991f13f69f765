// CertLsp for VS Code: starts the language server and wires commands, the certificates view and the status bar.
// The server does the work; this stays thin.
import * as vscode from 'vscode';
import { CertificatesView, type TreeSnapshot } from './certificatesView';
import { Commands } from './commands';
import type { SiteStatus } from './protocol';
import { manifestSelector } from './selector';
import { CertLspServer } from './server';
import { Command, restartSettings, SettingsSection } from './names';
import { restrictedSettings } from './trust';

/** What the extension exports (used by the end-to-end probe and by other extensions). */
export interface CertLspApi {
  serverPid(): number | undefined;
  serverCommands(): string[];
  restarts(): number;
  siteStatus(uri: vscode.Uri): Promise<SiteStatus>;
  certificates(): TreeSnapshot;
  ready: Promise<void>;
}

let server: CertLspServer | undefined;

export function activate(context: vscode.ExtensionContext): CertLspApi {
  const output = vscode.window.createOutputChannel('CertLsp', { log: true });
  server = new CertLspServer(context.extensionPath, output);
  const s = server;
  const isManifest = (document: vscode.TextDocument) => vscode.languages.match(manifestSelector(s.globs()), document) > 0;
  const view = new CertificatesView(s, isManifest);
  const fail = (err: unknown) => {
    const text = err instanceof Error ? err.message : String(err);
    output.appendLine(text);
    void vscode.window.showErrorMessage(`CertLsp: ${text}`, 'Show log').then(c => c && output.show(true));
  };
  context.subscriptions.push(output, s, view, ...new Commands(s, view, isManifest).register());
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration(e => {
      const changed = restartSettings.filter(key => e.affectsConfiguration(`${SettingsSection}.${key}`));
      if (changed.length === 0) return;
      // The folder's own server path and BACnet settings reach the extension just after trust is granted: then it restarts
      // by itself. Otherwise a server path or BACnet setting counts only when the value the server may use changed (in
      // Restricted Mode the folder's own values do not apply).
      s.applyTrust().then(restarted => {
        if (restarted) return;
        if (changed.some(key => !restrictedSettings.includes(key)) || s.restrictedSettingsChanged()) {
          void vscode.window.showInformationMessage('CertLsp settings changed: restart the server to apply them.', 'Restart server')
            .then(c => c && vscode.commands.executeCommand(Command.restartServer));
        }
      }, fail);
    }),
    // Restricted Mode ends: the commands work from now on (they read the trust at each call); the folder's own server path
    // and BACnet settings apply, with a restart when they differ from the user's.
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      output.appendLine('The folder is trusted: every CertLsp command is available.');
      s.applyTrust().catch(fail);
    }),
  );

  const ready = s.start().then(
    async () => {
      view.followActiveEditor();
      const found = await vscode.workspace.findFiles('{**/*.site.yaml,**/*.site.yml}', '**/node_modules/**', 1);
      if (found.length > 0 && !view.current) await view.show(found[0]);
    },
    fail,
  );

  return {
    serverPid: () => s.pid,
    serverCommands: () => s.commands,
    restarts: () => s.restarts,
    siteStatus: uri => s.siteStatus(uri),
    certificates: () => view.snapshot(),
    ready,
  };
}

export async function deactivate(): Promise<void> {
  await server?.stop();
}
