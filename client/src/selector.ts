// Which documents are site manifests: *.site.yaml / *.site.yml plus the globs of a setting, all in the YAML language.
// No vscode import: the unit tests run it under plain node.

export const defaultManifestGlobs: readonly string[] = ['**/*.site.yaml', '**/*.site.yml'];

export interface ManifestFilter {
  scheme: 'file';
  language: 'yaml';
  pattern: string;
}

/** Normalises the setting's globs: trimmed, non-empty, "**\/" added to bare file patterns, each once. */
export function manifestGlobs(extraGlobs: readonly unknown[] | undefined): string[] {
  const extra = (extraGlobs ?? [])
    .filter((g): g is string => typeof g === 'string')
    .map(g => g.trim().replace(/\\/g, '/'))
    .filter(g => g.length > 0)
    .map(g => (g.includes('/') ? g : `**/${g}`));
  return [...new Set([...defaultManifestGlobs, ...extra])];
}

/** The language client's document selector: the files stay YAML, so other YAML tooling keeps working. */
export function manifestSelector(globs: readonly string[]): ManifestFilter[] {
  return globs.map(pattern => ({ scheme: 'file', language: 'yaml', pattern }));
}

/** One glob for file watchers and workspace searches. */
export function combinedGlob(globs: readonly string[]): string {
  return globs.length === 1 ? globs[0] : `{${globs.join(',')}}`;
}
