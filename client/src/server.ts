// Starting, restarting and talking to the CertLsp language server.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  LanguageClient,
  State,
  WorkDoneProgress,
  type LanguageClientOptions,
} from 'vscode-languageclient/node';
import { CrashPolicy, crashMessage } from './crashPolicy';
import { ProgressTranslator, type WorkDoneValue } from './progress';
import { ServerCommand, SiteStatusRequest, type SiteStatus, type SiteStatusParams, type TrustSettings } from './protocol';
import { combinedGlob, manifestGlobs, manifestSelector } from './selector';
import { resolveServer, runtimeMissingMessage, serverEnvironment } from './serverLocation';
import { initializationOptions, type SettingsReader } from './serverOptions';
import { availableInRestrictedMode, offeredActions, restartForTrust, restrictedMessage, restrictedSnapshot, tellTrust, trustedSettings,
    type Launch } from './trust';
import { Command, ContextKey, Setting, SettingsSection } from './names';

const crashLimit = 5;
const crashWindowMinutes = 3;

export class CertLspServer implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private process: ChildProcess | undefined;
  private readonly crashes = new CrashPolicy(crashLimit, crashWindowMinutes * 60_000);
  /** Whether the folder was trusted and the restricted settings (server path, BACnet) when the running server started. */
  private startedWith: Launch | undefined;
  /** Whether the server started untrusted has been told that the folder is trusted now. */
  private trustTold = false;
  private readonly startedEmitter = new vscode.EventEmitter<void>();
  /** Fires each time a server (re)started and initialized. */
  readonly onStarted = this.startedEmitter.event;
  restarts = 0;

  constructor(
    private readonly extensionPath: string,
    readonly output: vscode.LogOutputChannel,
  ) {}

  get running(): boolean {
    return this.client?.state === State.Running;
  }

  get pid(): number | undefined {
    return this.process?.pid;
  }

  /** The commands the server offers through workspace/executeCommand. */
  get commands(): string[] {
    return this.client?.initializeResult?.capabilities.executeCommandProvider?.commands ?? [];
  }

  offers(command: string): boolean {
    return this.commands.includes(command);
  }

  globs(): string[] {
    return manifestGlobs(vscode.workspace.getConfiguration(SettingsSection).get<string[]>(Setting.extraGlobs));
  }

  /** The settings as the extension may use them: in Restricted Mode, server path and BACnet settings from the user's settings only. */
  settings(): SettingsReader {
    const config = vscode.workspace.getConfiguration(SettingsSection);
    return trustedSettings(key => config.get(key), key => config.inspect(key), vscode.workspace.isTrusted);
  }

  async start(): Promise<void> {
    const read = this.settings();
    if (!vscode.workspace.isTrusted) {
      this.output.appendLine(
          'Restricted Mode: the server path and BACnet settings come from your user settings only; commands that write, run or send wait ' +
          'for trust.');
    }
    const launch = resolveServer(read<string>(Setting.serverPath), this.extensionPath, p => fs.existsSync(p));
    this.startedWith = { trusted: vscode.workspace.isTrusted, settings: restrictedSnapshot(read) };
    this.trustTold = false;
    this.output.appendLine(`Starting the ${launch.origin} server: ${launch.command} ${launch.args.join(' ')}`);
    const globs = this.globs();
    const options: LanguageClientOptions = {
      documentSelector: manifestSelector(globs),
      outputChannel: this.output,
      // configurationSection: every change under “certlsp” is sent as workspace/didChangeConfiguration (the server applies
      // manifests.exclude).
      synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher(combinedGlob(globs)), configurationSection: SettingsSection },
      initializationOptions: initializationOptions(read, globs, vscode.workspace.isTrusted),
      // Restricted Mode: the server's commands that write, run or send are refused with a message, and its code actions that
      // would run them are not offered (quick fixes that only edit the buffer are). Trust is read at each call, so granting
      // it needs no restart.
      middleware: {
        executeCommand: (command, args, next) => {
          if (vscode.workspace.isTrusted || availableInRestrictedMode(command)) return next(command, args);
          this.refuseUntrusted(command);
          return undefined;
        },
        provideCodeActions: async (document, range, context, token, next) => {
          const actions = await next(document, range, context, token);
          return actions ? offeredActions(actions, vscode.workspace.isTrusted) : actions;
        },
      },
      errorHandler: {
        error: (_error, _message, count) => ({ action: (count ?? 0) <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown }),
        closed: () => {
          const decision = this.crashes.crashed();
          const text = crashMessage(decision, this.crashes.count, crashLimit, crashWindowMinutes);
          this.output.appendLine(text);
          if (decision === 'restart') {
            this.restarts++;
            void vscode.window.showWarningMessage(text);
            return { action: CloseAction.Restart, handled: true };
          }
          void vscode.window.showErrorMessage(text, 'Restart server', 'Show log').then(choice => {
            if (choice === 'Restart server') void vscode.commands.executeCommand(Command.restartServer);
            if (choice === 'Show log') this.output.show(true);
          });
          return { action: CloseAction.DoNotRestart, handled: true };
        },
      },
    };
    const serverOptions = (): Promise<ChildProcess> =>
      new Promise((resolve, reject) => {
        const child = spawn(launch.command, launch.args, { stdio: 'pipe', cwd: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
            env: serverEnvironment(process.env) });
        child.once('error', err => {
          const missing = runtimeMissingMessage(launch, err.message);
          if (missing) {
            this.output.appendLine(missing);
            void vscode.window.showErrorMessage(missing, 'Open Settings').then(c => c
                && vscode.commands.executeCommand('workbench.action.openSettings', `${SettingsSection}.${Setting.serverPath}`));
          }
          reject(new Error(missing ?? `Cannot start the CertLsp server (${launch.command}): ${err.message}`));
        });
        child.once('spawn', () => {
          this.process = child;
          this.output.appendLine(`Server process ${child.pid} started.`);
          child.once('exit', (code, signal) => this.output.appendLine(`Server process ${child.pid} exited (${signal ?? `code ${code}`}).`));
          resolve(child);
        });
      });
    const client = new LanguageClient('certlsp', 'CertLsp', serverOptions, options);
    client.onDidChangeState(e => {
      if (e.newState === State.Running) {
        void this.updateContext();
        this.startedEmitter.fire();
      } else {
        void vscode.commands.executeCommand('setContext', ContextKey.serverRunning, false);
      }
    });
    this.client = client;
    await client.start();
  }

  private async updateContext(): Promise<void> {
    await vscode.commands.executeCommand('setContext', ContextKey.serverRunning, true);
    await vscode.commands.executeCommand('setContext', ContextKey.canDiscover, this.offers(ServerCommand.discoverDevices));
    await vscode.commands.executeCommand('setContext', ContextKey.canInstall, this.offers(ServerCommand.installCertificates));
    await vscode.commands.executeCommand('setContext', ContextKey.canVerify, this.offers(ServerCommand.verifySite));
  }

  /** Says that a command waits for trust (Restricted Mode), in a message and the log. */
  refuseUntrusted(command: string): void {
    const text = restrictedMessage(command);
    this.output.appendLine(text);
    void vscode.window.showWarningMessage(text, 'Manage Workspace Trust').then(c => c
        && vscode.commands.executeCommand('workbench.trust.manage'));
  }

  /** Whether the server path or BACnet settings the extension may use now differ from those the server was started with. */
  restrictedSettingsChanged(): boolean {
    return this.startedWith !== undefined && restrictedSnapshot(this.settings()) !== this.startedWith.settings;
  }

  /**
   * Asked when the folder becomes trusted and when settings change: once the folder is trusted its own server path and BACnet
   * settings apply, so a server started in Restricted Mode restarts when they differ from what it was started with. True when
   * it restarted.
   */
  async applyTrust(): Promise<boolean> {
    if (!restartForTrust(this.startedWith, vscode.workspace.isTrusted, restrictedSnapshot(this.settings()))) {
      // No restart: the running server hears of the trust, so it may run git (review, rename lenses) from now on.
      if (this.client && this.running && tellTrust(this.startedWith, vscode.workspace.isTrusted, this.trustTold)) {
        this.trustTold = true;
        const settings: TrustSettings = { workspaceTrusted: true };
        await this.client.sendNotification(DidChangeConfigurationNotification.type, { settings });
      }
      return false;
    }
    this.startedWith = undefined; // one restart, however many events ask while it runs
    await this.restart('The folder is trusted: its server path or BACnet settings differ from your user settings; restarting the server.');
    return true;
  }

  async stop(): Promise<void> {
    const client = this.client;
    const child = this.process;
    this.client = undefined;
    this.process = undefined;
    if (client) {
      try {
        await client.stop(5000);
      } catch (err) {
        this.output.appendLine(`Stopping the server: ${String(err)}`);
      }
    }
    if (child && child.exitCode === null && child.signalCode === null) child.kill();
  }

  async restart(reason = 'Restarting the server on request.'): Promise<void> {
    this.output.appendLine(reason);
    this.crashes.reset();
    await this.stop();
    await this.start();
  }

  private require(): LanguageClient {
    if (!this.client || !this.running) throw new Error('The CertLsp server is not running (see the CertLsp output).');
    return this.client;
  }

  async siteStatus(uri: vscode.Uri): Promise<SiteStatus> {
    const params: SiteStatusParams = { uri: uri.toString() };
    return this.require().sendRequest<SiteStatus>(SiteStatusRequest, params);
  }

  /** workspace/executeCommand without progress. */
  async execute<T>(command: string, args: unknown[]): Promise<T> {
    return (await this.require().sendRequest(ExecuteCommandRequest.type, { command, arguments: args })) as T;
  }

  /** workspace/executeCommand in a cancellable progress notification fed by the server's work-done progress. */
  async executeWithProgress<T>(title: string, command: string, args: unknown[]): Promise<T> {
    const client = this.require();
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      async (progress, token) => {
        const workDoneToken = `certlsp-${Date.now()}-${Math.random().toString(36).slice(2)}`;
        const translator = new ProgressTranslator();
        const subscription = client.onProgress(WorkDoneProgress.type, workDoneToken, value => {
          const step = translator.step(value as WorkDoneValue);
          if (step) progress.report(step);
        });
        try {
          return (await client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args, workDoneToken }, token)) as T;
        } finally {
          subscription.dispose();
        }
      },
    );
  }

  dispose(): void {
    void this.stop();
    this.startedEmitter.dispose();
  }
}
