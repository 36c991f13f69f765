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

/** The dll inside the universal extension: a framework-dependent `dotnet publish` of server/CertLsp.Cli, run with `dotnet`. */
export const bundledServerDll = path.join('dist', 'server', 'certlsp.dll');

/** The executable inside a per-platform extension (`vsce package --target`): a self-contained single file, no .NET needed. */
export function bundledServerExecutable(platform: NodeJS.Platform = process.platform): string {
  return pathsOf(platform).join('dist', 'server', platform === 'win32' ? 'certlsp.exe' : 'certlsp');
}

/** The path rules of a platform: Windows' (drive letters, backslashes, UNC) on win32, whatever machine the tests run on. */
function pathsOf(platform: NodeJS.Platform): path.PlatformPath {
  return platform === 'win32' ? path.win32 : path.posix;
}

function expandHome(p: string, home: string, paths: path.PlatformPath): string {
  if (p === '~') return home;
  return p.startsWith('~/') || (paths === path.win32 && p.startsWith('~\\')) ? paths.join(home, p.slice(2)) : p;
}

/**
 * The setting `certlsp.server.path` (a certlsp.dll run with `dotnet`, or an executable such as the repository's
 * ./certlsp script) wins; otherwise the server bundled in the extension: the platform's own executable in a per-platform
 * package, else the dll of the universal package with `dotnet`. All get `lsp --stdio`.
 */
export function resolveServer(
  configuredPath: string | undefined,
  extensionPath: string,
  exists: (p: string) => boolean,
  home: string = os.homedir(),
  platform: NodeJS.Platform = process.platform,
): ServerLaunch {
  const paths = pathsOf(platform);
  const configured = configuredPath?.trim();
  if (configured) {
    const full = paths.resolve(expandHome(configured, home, paths));
    if (!exists(full)) throw new ServerNotFoundError(`The server set in certlsp.server.path does not exist: ${full}`);
    return full.toLowerCase().endsWith('.dll')
      ? { command: 'dotnet', args: [full, 'lsp', '--stdio'], origin: 'setting' }
      : { command: full, args: ['lsp', '--stdio'], origin: 'setting' };
  }
  const executable = paths.join(extensionPath, bundledServerExecutable(platform));
  if (exists(executable)) return { command: executable, args: ['lsp', '--stdio'], origin: 'bundled' };
  const bundled = paths.join(extensionPath, bundledServerDll);
  if (!exists(bundled)) {
    throw new ServerNotFoundError(`The bundled server is missing (${bundled}). Reinstall the extension or set certlsp.server.path.`);
  }
  return { command: 'dotnet', args: [bundled, 'lsp', '--stdio'], origin: 'bundled' };
}

/**
 * What the extension says when the server cannot be started because `dotnet` is not there (the universal package, or a
 * certlsp.dll in the setting, on a machine without the .NET 10 runtime): the ways out, in the order that needs least.
 */
export function runtimeMissingMessage(launch: ServerLaunch, error: string): string | undefined {
  if (launch.command !== 'dotnet' || !/ENOENT/.test(error)) return undefined;
  return 'CertLsp cannot start its server: this package runs it with the .NET 10 runtime, and `dotnet` is not on the PATH. ' +
    'Install the CertLsp package for your platform (it carries its own server, no .NET needed), or install the .NET 10 runtime ' +
    '(https://dotnet.microsoft.com/download) and restart VS Code, or set certlsp.server.path to a self-contained `certlsp` executable.';
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
