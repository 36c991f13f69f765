// Installing certificates on devices that hold their keys: what the CertLsp log keeps of a run (the install command's, or
// the installs of an import). The server announces the summary itself (window/showMessage). No vscode import: the unit
// tests call it directly.
import type { InstallSummary } from './protocol';

/** A line per device that is not installed (its error, or why it was not tried), then one per device installed. */
export function installLog(summary: InstallSummary): string[] {
  const order = { failed: 0, pending: 1, installed: 2 } as const;
  return [...summary.devices]
    .sort((a, b) => order[a.state] - order[b.state])
    .map(d => `  ${d.state === 'installed' ? 'installed' : d.state === 'failed' ? 'INSTALL FAILED' : 'not installed'}` +
      `: ${d.device}${d.state === 'installed' ? '' : ` (${d.detail})`}`);
}

/** What the view adds to a device's line: nothing for local keys or without a certificate. */
export function installText(install: string | undefined): string {
  switch (install) {
    case 'installed':
      return 'on the device';
    case 'pending':
      return 'not on the device yet';
    case 'failed':
      return 'install failed';
    default:
      return '';
  }
}
