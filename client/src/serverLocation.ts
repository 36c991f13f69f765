// Which process to start as the language server.
// No vscode import: the unit tests run it under plain node.
import * as os from 'node:os';
import * as path from 'node:path';

export interface ServerLaunch {
  command: string;
  args: string[];
  /** Where the server came from, for the log. */
  origin: 'setting' | 'bundled';
}

export class ServerNotFoundError extends Error {}

/** The dll inside the extension: a framework-dependent `dotnet publish` of server/CertLsp.Cli. */
export const bundledServerDll = path.join('dist', 'server', 'certlsp.dll');

function expandHome(p: string, home: string): string {
  return p === '~' ? home : p.startsWith('~/') ? path.join(home, p.slice(2)) : p;
}

/**
 * The setting `certlsp.server.path` (a certlsp.dll run with `dotnet`, or an executable such as the repository's
 * ./certlsp script) wins; otherwise the server bundled in the extension. Both get `lsp --stdio`.
 */
export function resolveServer(
  configuredPath: string | undefined,
  extensionPath: string,
  exists: (p: string) => boolean,
  home: string = os.homedir(),
): ServerLaunch {
  const configured = configuredPath?.trim();
  if (configured) {
    const full = path.resolve(expandHome(configured, home));
    if (!exists(full)) throw new ServerNotFoundError(`The server set in certlsp.server.path does not exist: ${full}`);
    return full.toLowerCase().endsWith('.dll')
      ? { command: 'dotnet', args: [full, 'lsp', '--stdio'], origin: 'setting' }
      : { command: full, args: ['lsp', '--stdio'], origin: 'setting' };
  }
  const bundled = path.join(extensionPath, bundledServerDll);
  if (!exists(bundled)) {
    throw new ServerNotFoundError(`The bundled server is missing (${bundled}). Reinstall the extension or set certlsp.server.path.`);
  }
  return { command: 'dotnet', args: [bundled, 'lsp', '--stdio'], origin: 'bundled' };
}

/**
 * The .NET runtime settings the language server runs with, unless the environment already sets them. Measured with
 * bench/run-lsp.sh on a 10,000-device manifest (docs/language-server.md): without tiered compilation every method is
 * compiled optimized at once (a server is long-lived; tier-0 code made the first dozens of checks 1.5-2x slower), and a
 * 64 MB gen-0 budget lets a check's young objects die before a collection promotes them.
 * bench/run-lsp.sh sets the same values, so that it measures the server as the extension starts it.
 */
export const serverRuntimeSettings: Readonly<Record<string, string>> = {
  DOTNET_TieredCompilation: '0',
  DOTNET_GCgen0size: '0x4000000',
};

/** The environment for the server process: the editor's, plus the runtime settings it does not set itself. */
export function serverEnvironment(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const [name, value] of Object.entries(serverRuntimeSettings)) {
    if (env[name] === undefined) env[name] = value;
  }
  return env;
}
