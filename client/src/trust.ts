// Restricted Mode (workspace trust): which settings a folder the engineer has not trusted may not choose, and which
// commands stay available there. No vscode import: the unit tests drive it with plain values.
import { ImportPromptCommand, ServerCommand } from './protocol';
import { Command, Setting } from './names';
import type { SettingsReader } from './serverOptions';

/**
 * Settings that name a program, an address or a port: declared in package.json as
 * capabilities.untrustedWorkspaces.restrictedConfigurations, and read from the user's own settings only (never from the
 * folder's .vscode/settings.json or a workspace file) until the folder is trusted.
 */
export const restrictedSettings: readonly string[] = [
  Setting.serverPath, Setting.bacnetBind, Setting.bacnetPort, Setting.bacnetBroadcast, Setting.bacnetGenerateCsrCommand,
];

/** What vscode's WorkspaceConfiguration.inspect returns (the scopes this code reads). */
export interface Inspected<T> {
  defaultValue?: T;
  globalValue?: T;
  workspaceValue?: T;
  workspaceFolderValue?: T;
}

/** vscode's WorkspaceConfiguration.inspect for a key under the `certlsp` section. */
export type SettingsInspector = <T>(key: string) => Inspected<T> | undefined;

/**
 * The settings as the extension may use them: everything as configured in a trusted folder; in Restricted Mode a
 * restricted setting is the user's value (globalValue), else its default, whatever the folder or workspace says.
 */
export function trustedSettings(get: SettingsReader, inspect: SettingsInspector, trusted: boolean): SettingsReader {
  return <T>(key: string): T | undefined => {
    if (trusted || !restrictedSettings.includes(key)) return get<T>(key);
    const inspected = inspect<T>(key);
    return inspected?.globalValue ?? inspected?.defaultValue;
  };
}

/** The restricted settings' values, for telling whether granting trust changed what the server was started with. */
export function restrictedSnapshot(read: SettingsReader): string {
  return JSON.stringify(restrictedSettings.map(key => [key, read<unknown>(key) ?? null]));
}

/** What the running server was started with: whether the folder was trusted, and the restricted settings (restrictedSnapshot). */
export interface Launch {
  trusted: boolean;
  settings: string;
}

/**
 * Whether the server must restart because the folder became trusted: it was started in Restricted Mode, the folder is trusted
 * now, and the restricted settings the extension may use differ from those it was started with. VS Code applies a folder's
 * restricted settings in the extension host only after it reports the grant (onDidGrantWorkspaceTrust, then
 * onDidChangeConfiguration), so the extension asks at both.
 */
export function restartForTrust(started: Launch | undefined, trustedNow: boolean, settingsNow: string): boolean {
  return started !== undefined && !started.trusted && trustedNow && started.settings !== settingsNow;
}

/**
 * Whether to tell the running server that the folder is now trusted (workspace/didChangeConfiguration with TrustSettings), so
 * that it may run git (review, rename lenses): it was started untrusted, the folder is trusted now, and it was not told yet.
 * A server restarted for trust hears it at initialize instead.
 */
export function tellTrust(started: Launch | undefined, trustedNow: boolean, told: boolean): boolean {
  return started !== undefined && !started.trusted && trustedNow && !told;
}

/**
 * Commands that only read (the manifests, the ledgers, the certificate status) or act on the extension itself: available
 * in Restricted Mode. Every other command of the extension or the server, including ones a newer server adds, writes
 * files, runs a program or sends packets, and waits for trust.
 */
const readOnlyCommands: ReadonlySet<string> = new Set([
  Command.status, Command.restartServer, Command.showOutput, Command.refreshCertificates, Command.revealDevice,
  ServerCommand.showStatus,
]);

export function availableInRestrictedMode(command: string): boolean {
  return readOnlyCommands.has(command);
}

const titles: Readonly<Record<string, string>> = {
  [Command.generate]: 'Generate CSRs',
  [Command.generateForSelection]: 'Generate CSRs',
  [ServerCommand.generateCsrs]: 'Generate CSRs',
  [Command.import]: 'Import Signed Certificates',
  [ImportPromptCommand]: 'Import Signed Certificates',
  [ServerCommand.importCertificates]: 'Import Signed Certificates',
  [Command.discover]: 'Discover Devices',
  [ServerCommand.discoverDevices]: 'Discover Devices',
  [Command.install]: 'Install Certificates on Devices',
  [ServerCommand.installCertificates]: 'Install Certificates on Devices',
  [Command.verify]: 'Verify Site over BACnet/SC',
  [ServerCommand.verifySite]: 'Verify Site over BACnet/SC',
  [Command.review]: 'Review Changes',
  [ServerCommand.reviewChanges]: 'Review Changes',
};

/** What a command says when it is run in Restricted Mode. */
export function restrictedMessage(command: string): string {
  return `CertLsp: ${titles[command] ?? command} is not available in Restricted Mode: it writes files, runs programs or sends packets. ` +
    'Trust this folder (Manage Workspace Trust) to use it; reading the manifests works meanwhile.';
}

/** A code action as the language client hands it over: an LSP-style command, or a code action that may carry one. */
export interface CommandLike {
  command?: string | { command: string };
}

/** The command a code action (or bare command) runs, if any. */
export function commandOf(action: CommandLike): string | undefined {
  return typeof action.command === 'string' ? action.command : action.command?.command;
}

/**
 * The code actions offered in Restricted Mode: those that run no command (quick fixes that only edit the buffer) or a
 * read-only one. In a trusted folder, all of them.
 */
export function offeredActions<A extends CommandLike>(actions: readonly A[], trusted: boolean): A[] {
  return trusted ? [...actions] : actions.filter(a => {
    const command = commandOf(a);
    return command === undefined || availableInRestrictedMode(command);
  });
}
