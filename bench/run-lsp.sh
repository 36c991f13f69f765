#!/usr/bin/env bash
# The language server side by side with yaml-language-server (npm), through the same client, on the same
# generated manifest, in one run. Writes bench/lsp-results.md. Usage: bench/run-lsp.sh [devices] [runs]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
devices="${1:-10000}"
runs="${2:-5}"
(cd "$root/bench/lsp" && npm ci --no-audit --no-fund --loglevel=error)
dotnet build "$root/server/CertLsp.Cli/CertLsp.Cli.csproj" -c Release --nologo -v quiet -clp:ErrorsOnly
# The server runs as the VS Code extension starts it (client/src/serverLocation.ts, serverRuntimeSettings); node ignores these.
export DOTNET_TieredCompilation=0
export DOTNET_GCgen0size=0x4000000
json="$(node "$root/bench/lsp/lsp-bench.mjs" "$root/server/CertLsp.Cli/bin/Release/net10.0/certlsp.dll" \
  "$root/schemas/site-manifest.schema.json" "$devices" "$runs")"
echo "$json"
node - "$json" "$root/bench/lsp-results.md" <<'JS'
const [json, out] = process.argv.slice(2);
const { certlsp: c, yaml: y } = JSON.parse(json);
const row = (label, key, unit) => `| ${label} | ${c[key].toFixed(1)} ${unit} | ${y[key].toFixed(1)} ${unit} | ${(y[key] / c[key]).toFixed(1)}x |`;
const text = [
  `# Language server: certlsp lsp vs yaml-language-server ${new Date().toISOString().slice(0, 10)}`,
  '',
  `${c.devices} devices (${(c.bytes / 1024 / 1024).toFixed(2)} MB), median of ${c.runs} runs, same client (vscode-languageserver-protocol), same machine, same run.`,
  'yaml-language-server 1.25.0 validates the same file against schemas/site-manifest.schema.json. Ratio = yaml-language-server / certlsp (higher is better for certlsp).',
  '',
  '| operation | certlsp | yaml-language-server | ratio |',
  '|---|---|---|---|',
  row('didOpen -> diagnostics', 'openToDiagnosticsMs', 'ms'),
  row('one-character edit -> diagnostics', 'editToDiagnosticsMs', 'ms'),
  row('hover', 'hoverMs', 'ms'),
  row('completion', 'completionMs', 'ms'),
  row('document symbols', 'symbolsMs', 'ms'),
  row('peak memory (VmHWM)', 'peakRssMiB', 'MiB'),
  '',
  'Produced by `bench/run-lsp.sh`; the machine is shared (2 cores), so compare ratios within one run.',
  '',
].join('\n');
require('node:fs').writeFileSync(out, text);
console.log(text);
JS
