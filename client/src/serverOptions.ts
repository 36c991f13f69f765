// What the extension tells the server when it starts (initializationOptions), from the settings.
// No vscode import: the unit tests drive it with a plain settings reader.
import { Setting } from './names';
import { ImportPromptCommand } from './protocol';

/** Reads one setting under the `certlsp` section (vscode's WorkspaceConfiguration.get). */
export type SettingsReader = <T>(key: string) => T | undefined;

export interface BacnetOptions {
  port?: number;
  /** Where Who-Is goes; absent: the manifest's bacnet.broadcast, else no discovery. */
  broadcast?: string;
  generateCsrCommand?: number;
  /** The local IPv4 address to talk to devices from; absent: CertLsp sends nothing over BACnet. */
  bind?: string;
}

export interface InitializationOptions {
  warningDays?: number;
  extraGlobs: string[];
  /** certlsp.manifests.exclude: globs the workspace scan leaves out (later changes arrive by workspace/didChangeConfiguration). */
  exclude: string[];
  bacnet: BacnetOptions;
  /** Commands in the server's actions that this extension runs itself (the server offers them only to clients that say so). */
  clientCommands: string[];
}

/** Empty or blank text settings are left out, so the server never sees an address nobody chose. */
function text(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

export function initializationOptions(get: SettingsReader, extraGlobs: string[]): InitializationOptions {
  return {
    warningDays: get<number>(Setting.warningDays),
    extraGlobs,
    exclude: (get<string[]>(Setting.exclude) ?? []).filter(glob => typeof glob === 'string' && glob.trim() !== ''),
    bacnet: {
      port: get<number>(Setting.bacnetPort),
      broadcast: text(get<string>(Setting.bacnetBroadcast)),
      generateCsrCommand: get<number>(Setting.bacnetGenerateCsrCommand),
      bind: text(get<string>(Setting.bacnetBind)),
    },
    clientCommands: [ImportPromptCommand],
  };
}
