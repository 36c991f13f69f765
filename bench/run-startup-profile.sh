#!/usr/bin/env bash
# Where the CPU of a cold `certlsp lsp` start goes, by code (issue 15): publishes the framework-dependent build with
# ReadyToRun code in our assemblies (scripts/publish-server.sh framework-r2r: one file per assembly, so perf can tell them
# apart; the single file carries the same code in one bundle), then profiles start -> first diagnostics of a 1,000-device
# manifest with bench/lsp/startup-profile.mjs, as the extension starts it (DOTNET_TieredCompilation=0) and with the runtime's
# defaults (tiered). Writes bench/startup-profile-results.md. Usage: bench/run-startup-profile.sh [runs] [devices]
# (defaults 5 and 1000); CERTLSP_PUBLISHED=DIR reuses a framework-r2r publish. Needs perf (apt-get install linux-perf);
# kernel samples need perf_event_paranoid <= 1 or root.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-5}"
devices="${2:-1000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
command -v perf >/dev/null || { echo "run-startup-profile.sh: needs perf (apt-get install linux-perf)" >&2; exit 2; }

(cd "$root/bench/lsp" && npm ci --no-audit --no-fund --loglevel=error)
if [[ -n "${CERTLSP_PUBLISHED:-}" ]]; then # a framework-r2r publish made before (scripts/publish-server.sh framework-r2r DIR)
  cp -r "$CERTLSP_PUBLISHED" "$work/certlsp"
else
  echo "== publishing certlsp (framework-r2r)" >&2
  "$root/scripts/publish-server.sh" framework-r2r "$work/certlsp"
fi

profile() { # NAME ENV-JSON
  local config="$work/config-$1.json"
  printf '{"runs":%s,"devices":%s,"schema":"%s","command":"dotnet","args":["%s","lsp","--stdio"],"env":%s,"work":"%s"}' \
    "$runs" "$devices" "$root/schemas/site-manifest.schema.json" "$work/certlsp/certlsp.dll" "$2" "$work" >"$config"
  node "$root/bench/lsp/startup-profile.mjs" "$config"
}
echo "== profiling ($runs new servers per setting)" >&2
load="$(cut -d' ' -f1-3 /proc/loadavg)"
extension="$(profile extension '{"DOTNET_TieredCompilation":"0","DOTNET_GCgen0size":"0x4000000"}')"
tiered="$(profile tiered '{}')"
node - "$extension" "$tiered" "$root/bench/startup-profile-results.md" "$(nproc)" "$load" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'JS'
const [ext, tiered, out, cores, load, loadAfter] = process.argv.slice(2);
const settings = [['as the extension starts it (DOTNET_TieredCompilation=0)', JSON.parse(ext)], ['runtime defaults (tiered)',
  JSON.parse(tiered)]];
const ms = (x) => `${Math.round(x)} ms`;
const kinds = ['JIT compiler', 'runtime', 'kernel', 'C library', 'managed code', 'other native'];
const lines = [`# Where a cold \`certlsp lsp\` start spends its CPU (${new Date().toISOString().slice(0, 10)})`, '',
  `Framework-dependent build, ReadyToRun code in CertLsp's assemblies and packages; start -> first diagnostics of a`,
  `${settings[0][1].devices.toLocaleString('en-US')}-device manifest, then shutdown; median of ${settings[0][1].runs} servers per setting under`,
  '`perf record -g` (one sample per 100 µs of CPU, all threads, with call chains) and the runtime\'s perf map on (writing it',
  'costs time in the C library and the kernel: compare shares, not the wall time). The runtime and the JIT compiler are',
  'stripped, so their work is named by whose code needed it, not by function.',
  `${cores} cores, load average ${load} before and ${loadAfter} after.`, ''];
for (const [name, r] of settings) {
  lines.push(`## ${name}: ${ms(r.cpu)} CPU sampled, ${ms(r.wall)} wall under perf`, '',
    'Rows: whose first use caused the work (the innermost frame of CertLsp\'s or a package\'s assembly on the stack). Columns:',
    'what ran.', '', `| whose | ${kinds.join(' | ')} | all | share |`, `|---|${kinds.map(() => '---|').join('')}---|---|`);
  const owners = new Map();
  for (const { g, ms: t } of r.groups) {
    const [who, kind] = g.split('\t');
    const row = owners.get(who) ?? Object.fromEntries(kinds.map((k) => [k, 0]));
    row[kind] = (row[kind] ?? 0) + t;
    owners.set(who, row);
  }
  const rows = [...owners].map(([who, row]) => ({ who, row, sum: Object.values(row).reduce((a, b) => a + b, 0) }))
    .sort((a, b) => b.sum - a.sum);
  for (const { who, row, sum } of rows.filter((x) => x.sum >= 2)) {
    lines.push(`| ${who} | ${kinds.map((k) => ms(row[k] ?? 0)).join(' | ')} | ${ms(sum)} | ${Math.round((100 * sum) / r.cpu)} % |`);
  }
  const jitted = r.methods.filter((m) => !m.k.startsWith('PreJIT'));
  const total = jitted.reduce((a, m) => a + m.n, 0);
  lines.push('', `Methods compiled at start-up (not ReadyToRun), by tier and assembly: ${total} in all; the largest groups:`, '',
    '| tier | assembly | methods |', '|---|---|---|');
  for (const m of jitted.slice(0, 15)) {
    const [tier, ns] = m.k.split('\t');
    lines.push(`| ${tier} | ${ns} | ${m.n} |`);
  }
  lines.push('');
}
lines.push('Produced by `bench/run-startup-profile.sh`; the step-by-step wall and CPU figures are in startup-steps-results.md.', '');
require('node:fs').writeFileSync(out, lines.join('\n'));
console.log(lines.join('\n'));
JS
