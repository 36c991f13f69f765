// Discover devices: what the CertLsp log keeps of a run. The server edits the manifest (workspace/applyEdit) and
// announces the summary itself (window/showMessage). No vscode import: the unit tests call it directly.
import type { DiscoverDevicesResult } from './protocol';

/** The log lines of one run: the server's summary, then each device added, updated, silent or different. */
export function discoveryLog(manifest: string, result: DiscoverDevicesResult): string[] {
  const lines = [`Discover devices (${manifest}): ${result.message}`];
  if (result.refusal !== undefined || result.cancelled) return lines;
  for (const name of result.added) lines.push(`  added: ${name}`);
  for (const name of result.updated) lines.push(`  address updated: ${name}`);
  for (const line of result.missing) lines.push(`  did not answer: ${line}`);
  for (const line of result.differences) lines.push(`  differs: ${line}`);
  if (!result.applied && (result.added.length > 0 || result.updated.length > 0)) lines.push(
      '  the manifest was not changed (the edit was not applied)');
  return lines;
}
