// What the extension tells the server when it starts (initializationOptions), from the settings.
// No vscode import: the unit tests drive it with a plain settings reader.
import { Setting } from './names';
import { ImportPromptCommand, ReviewPromptCommand, type InitializationOptions } from './protocol';

/** Reads one setting under the `certlsp` section (vscode's WorkspaceConfiguration.get). */
export type SettingsReader = <T>(key: string) => T | undefined;

export type { BacnetOptions, InitializationOptions } from './protocol';

/** Empty or blank text settings are left out, so the server never sees an address nobody chose. */
function text(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

export function initializationOptions(get: SettingsReader, extraGlobs: string[], workspaceTrusted: boolean): InitializationOptions {
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
    clientCommands: [ImportPromptCommand, ReviewPromptCommand],
    workspaceTrusted,
  };
}
