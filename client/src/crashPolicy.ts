// When the server dies on its own: restart it, unless it keeps dying.
// No vscode import: the unit tests run it under plain node.

export type CrashDecision = 'restart' | 'giveUp';

/** Restarts after a crash until `limit` crashes happened within `windowMs`; then gives up until reset. */
export class CrashPolicy {
  private readonly crashes: number[] = [];

  constructor(
    private readonly limit = 5,
    private readonly windowMs = 3 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  crashed(): CrashDecision {
    const t = this.now();
    this.crashes.push(t);
    while (this.crashes.length > 0 && t - this.crashes[0] > this.windowMs) this.crashes.shift();
    return this.crashes.length >= this.limit ? 'giveUp' : 'restart';
  }

  /** A restart the engineer asked for starts the count again. */
  reset(): void {
    this.crashes.length = 0;
  }

  get count(): number {
    return this.crashes.length;
  }
}

export function crashMessage(decision: CrashDecision, count: number, limit: number, windowMinutes: number): string {
  return decision === 'restart'
    ? `The CertLsp server stopped unexpectedly (${count} of ${limit} allowed in ${windowMinutes} minutes); restarting it.`
    : `The CertLsp server stopped unexpectedly ${count} times in ${windowMinutes} minutes and was not restarted. ` +
      `See the CertLsp output for its log.`;
}
