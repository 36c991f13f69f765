// Review Changes Against…: asks for the base revision, runs certlsp.reviewChanges on the server, and opens its markdown beside
// the manifest (a read-only virtual document, previewed to the side). No vscode import: the unit tests drive it with fakes.
import type { ReviewChangesArgs, ReviewChangesResult } from './protocol';

/** The revision asked for first, and taken when the answer is blank. */
export const defaultBase = 'HEAD';

/** The URI scheme of the review documents (read-only: a content provider serves them). */
export const reviewScheme = 'certlsp-review';

export interface ReviewFlow {
  /** Asks the engineer for the base revision; undefined when the input box was dismissed. */
  askBase(suggested: string): Promise<string | undefined>;
  /** Runs certlsp.reviewChanges on the server. */
  execute(args: ReviewChangesArgs): Promise<ReviewChangesResult>;
  /** Opens the markdown as the review document (path and query of its URI), previewed beside the manifest. */
  show(document: ReviewDocument, markdown: string): Promise<void>;
  /** Says why there is no review (untrusted, not a git repository, no such revision). */
  refuse(message: string): void;
}

/** Where a review is shown: beside the manifest's path, one document per base revision. */
export interface ReviewDocument { path: string; query: string }

export type ReviewOutcome =
  | { kind: 'shown'; result: ReviewChangesResult; document: ReviewDocument }
  | { kind: 'refused'; refusal: string }
  | { kind: 'dismissed' };

/** The review document of a manifest (its URI's path) against a base revision. */
export function reviewDocument(manifestPath: string, base: string): ReviewDocument {
  return { path: `${manifestPath}.review.md`, query: `base=${encodeURIComponent(base)}` };
}

/**
 * Reviews the manifest's open text against a base: the one given (a rename lens says HEAD), else the one the engineer types
 * (HEAD suggested; blank means HEAD). The server's refusal is said, not opened.
 */
export async function reviewChanges(flow: ReviewFlow, uri: string, manifestPath: string, given?: string): Promise<ReviewOutcome> {
  const answer = given ?? await flow.askBase(defaultBase);
  if (answer === undefined) return { kind: 'dismissed' };
  const base = answer.trim() || defaultBase;
  const result = await flow.execute({ uri, base });
  if (result.refusal) {
    flow.refuse(`CertLsp: no review against ${base}: ${result.refusal}`);
    return { kind: 'refused', refusal: result.refusal };
  }
  const document = reviewDocument(manifestPath, result.base);
  await flow.show(document, result.markdown);
  return { kind: 'shown', result, document };
}
