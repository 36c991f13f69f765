// Verify Site over BACnet/SC: what the CertLsp log keeps of a run. The server records each device's result in the ledger and
// announces the summary itself (window/showMessage). No vscode import: the unit tests call it directly.
import type { VerifySiteResult } from './protocol';

/** The log lines of one run: the server's summary, then each device's result and reason. */
export function verifyLog(manifest: string, result: VerifySiteResult): string[] {
  const lines = [`Verify site (${manifest}): ${result.message}`];
  for (const device of result.devices) lines.push(`  ${device.device}: ${device.result}: ${device.reason}`);
  return lines;
}
