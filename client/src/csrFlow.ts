// Generate CSRs: the keep-or-overwrite round trip with the server, and the summary shown afterwards.
// No vscode import: the unit tests drive it with fakes.
import type { GenerateCsrsArgs, GenerateCsrsResult, PendingChoice } from './protocol';

export interface CsrFlow {
  /** Runs certlsp.generateCsrs on the server. */
  execute(args: GenerateCsrsArgs): Promise<GenerateCsrsResult>;
  /** Asks the engineer what to do with pending CSRs; undefined when the prompt was dismissed. */
  choosePending(pendingDevices: string[]): Promise<PendingChoice | undefined>;
}

export type CsrOutcome =
  | { kind: 'done'; result: GenerateCsrsResult }
  | { kind: 'dismissed'; pendingDevices: string[] };

/**
 * Asks the server to generate; when it answers that CSRs are pending (and did nothing), asks the engineer
 * keep-or-overwrite and asks the server again with that choice. A second "pending choice" answer is a
 * server bug, reported as an error rather than looping.
 */
export async function generateCsrs(flow: CsrFlow, args: GenerateCsrsArgs): Promise<CsrOutcome> {
  const first = await flow.execute(args);
  if (!first.needsPendingChoice) return { kind: 'done', result: first };
  if (args.pending !== undefined) {
    throw new Error(`the server asked for a keep-or-overwrite choice although "${args.pending}" was given`);
  }
  const pendingDevices = first.pendingDevices ?? [];
  const choice = await flow.choosePending(pendingDevices);
  if (choice === undefined) return { kind: 'dismissed', pendingDevices };
  const second = await flow.execute({ ...args, pending: choice });
  if (second.needsPendingChoice) {
    throw new Error(`the server asked again for a keep-or-overwrite choice after "${choice}"`);
  }
  return { kind: 'done', result: second };
}

/** The question for the keep-or-overwrite prompt, naming at most `shown` devices. */
export function pendingQuestion(pendingDevices: readonly string[], shown = 5): string {
  const n = pendingDevices.length;
  const names = pendingDevices.slice(0, shown).join(', ') + (n > shown ? ` and ${n - shown} more` : '');
  const who = n === 1 ? `1 device has a pending CSR (${names})` : `${n} devices have pending CSRs (${names})`;
  return `${who}. A new CSR voids the pending one: a certificate the CA issues for the old CSR becomes useless. ` +
    `Keep the pending CSRs (skip those devices) or overwrite them?`;
}

export const keepLabel = 'Keep pending (skip them)';
export const overwriteLabel = 'Overwrite pending';

export function choiceFromLabel(label: string | undefined): PendingChoice | undefined {
  return label === keepLabel ? 'keep' : label === overwriteLabel ? 'overwrite' : undefined;
}

/** The server's message followed by the three counts the engineer acts on (the counts alone when it sent none). */
export function resultSummary(result: GenerateCsrsResult): string {
  const zips = result.zips.length === 1 ? '1 zip' : `${result.zips.length} zips`;
  const counts = `requested ${result.requested}, no action taken ${result.noActionTaken}, failed ${result.failed} (${zips})`;
  const message = result.message.trim();
  return message ? `${message} [${counts}]` : `CSRs: ${counts}.`;
}
