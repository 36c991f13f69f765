#!/usr/bin/env bash
# Where the start-up time of the single-file certlsp goes (issue 15): publishes it (scripts/publish-server.sh RID) and a
# one-line program the same way (bench/StartupFloor), then times, in one run, a ladder of processes where each row adds one
# thing to the row above (runtime floor, our assemblies, a first check, more devices, no ReadyToRun, the language server).
# Writes the table to bench/startup-steps-results.md. Usage: bench/run-startup-steps.sh [runs]   (default 9). Needs perf.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-9}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
rid="linux-$(uname -m | sed 's/x86_64/x64/;s/aarch64/arm64/')"
command -v perf >/dev/null || { echo "run-startup-steps.sh: needs perf (apt-get install linux-perf)" >&2; exit 2; }

(cd "$root/bench/lsp" && npm ci --no-audit --no-fund --loglevel=error)
echo "== publishing certlsp and the floor program (a few minutes on 2 cores)" >&2
"$root/scripts/publish-server.sh" "$rid" "$work/certlsp"
dotnet publish "$root/bench/StartupFloor/StartupFloor.csproj" -c Release -o "$work/floor" --nologo -v quiet -clp:ErrorsOnly \
  -r "$rid" --self-contained -p:PublishSingleFile=true -p:PublishReadyToRun=true
printf '{"runs":%s,"schema":"%s","certlsp":"%s","floor":"%s"}' "$runs" "$root/schemas/site-manifest.schema.json" \
  "$work/certlsp/certlsp" "$work/floor/StartupFloor" >"$work/config.json"

echo "== measuring ($runs new processes per row)" >&2
json="$(node "$root/bench/lsp/startup-steps.mjs" "$work/config.json")"
node - "$json" "$root/bench/startup-steps-results.md" "$(nproc)" <<'JS'
const [json, out, cores] = process.argv.slice(2);
const r = JSON.parse(json);
const ms = (x) => `${Math.round(x)} ms`;
const lines = [
  `# Start-up step by step: the single-file certlsp (${new Date().toISOString().slice(0, 10)})`, '',
  `Median of ${r.runs} new processes per row; ${cores} cores, load average ${r.load} before and ${r.loadAfter} after (the machine`,
  'is shared: compare rows within one run). Wall: spawn to exit (to the first non-empty publishDiagnostics for `lsp`).',
  'CPU: perf task-clock, all threads (for `lsp`: user+system from /proc at the first diagnostics, 10 ms ticks).', '',
  '| step | wall | CPU |', '|---|---|---|',
  ...r.rows.map((x) => `| ${x.step} | ${ms(x.wall)} | ${ms(x.cpu)} |`), '',
  'Produced by `bench/run-startup-steps.sh`. Targets (issue 15): first diagnostics <= 60 ms for 1,000 devices and <= 120 ms',
  'for 10,000; the whole `check` process <= 80 ms for 1,000.', '',
];
require('node:fs').writeFileSync(out, lines.join('\n'));
console.log(lines.join('\n'));
JS
