#!/usr/bin/env bash
# Start-up, cold (a new process each run, page cache warm), in one run: server start -> first publishDiagnostics for a
# 1,000- and a 10,000-device manifest, for each CertLsp build flavour we ship and yaml-language-server (npm, validating
# against schemas/site-manifest.schema.json), plus the whole `certlsp check` process on the same files. Writes the table
# to bench/startup-results.md. Usage: bench/run-startup.sh [runs] [sizes...]   (default: 7 runs; 1000 10000)
#   framework     the universal package's server: framework-dependent certlsp.dll run by `dotnet` (JIT; ReadyToRun only for
#                 the .NET libraries themselves)
#   framework-r2r the same with our assemblies and packages ReadyToRun-compiled (publish-server.sh framework-r2r)
#   single-file   the per-platform packages' server and the single-file CLI: self-contained, ReadyToRun (publish-server.sh RID)
# Each CertLsp flavour runs as the VS Code extension starts it (client/src/serverLocation.ts: DOTNET_TieredCompilation=0,
# DOTNET_GCgen0size) and, marked "tiered", with the runtime's defaults (tiered compilation on), to see which helps.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-7}"
shift || true
sizes=("${@:-1000 10000}")
read -r -a sizes <<<"${sizes[*]}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
rid="linux-$(uname -m | sed 's/x86_64/x64/;s/aarch64/arm64/')"

(cd "$root/bench/lsp" && npm ci --no-audit --no-fund --loglevel=error)
echo "== publishing the flavours (a few minutes on 2 cores)" >&2
"$root/scripts/publish-server.sh" framework "$work/framework"
"$root/scripts/publish-server.sh" framework-r2r "$work/framework-r2r"
"$root/scripts/publish-server.sh" "$rid" "$work/single-file"

extension='{"DOTNET_TieredCompilation":"0","DOTNET_GCgen0size":"0x4000000"}'
tiered='{"DOTNET_GCgen0size":"0x4000000"}'
flavour() { # NAME ENV COMMAND ARGS...
  local name=$1 env=$2 command=$3
  shift 3
  node -e 'const [name, env, command, ...args] = process.argv.slice(1);
    console.log(JSON.stringify({ name, env: JSON.parse(env), command, args: [...args, "lsp", "--stdio"], check: [...args, "check"] }))' \
    "$name" "$env" "$command" "$@"
}
{
  echo '{"runs":'"$runs"',"sizes":['"$(IFS=,; echo "${sizes[*]}")"'],"schema":"'"$root/schemas/site-manifest.schema.json"'",'
  yls="$root/bench/lsp/node_modules/yaml-language-server/bin/yaml-language-server"
  echo '"yls":{"command":"'"$(command -v node)"'","args":["'"$yls"'","--stdio"]},'
  echo '"flavours":['
  flavour framework "$extension" dotnet "$work/framework/certlsp.dll"; echo ,
  flavour "framework, tiered" "$tiered" dotnet "$work/framework/certlsp.dll"; echo ,
  flavour framework-r2r "$extension" dotnet "$work/framework-r2r/certlsp.dll"; echo ,
  flavour "framework-r2r, tiered" "$tiered" dotnet "$work/framework-r2r/certlsp.dll"; echo ,
  flavour single-file "$extension" "$work/single-file/certlsp"; echo ,
  flavour "single-file, tiered" "$tiered" "$work/single-file/certlsp"
  echo ']}'
} >"$work/config.json"

echo "== measuring ($runs cold runs per flavour and size)" >&2
json="$(node "$root/bench/lsp/startup-bench.mjs" "$work/config.json")"
node - "$json" "$root/bench/startup-results.md" "$(nproc)" <<'JS'
const [json, out, cores] = process.argv.slice(2);
const r = JSON.parse(json);
const sizes = [...new Set(r.rows.map((x) => x.devices))];
const flavours = [...new Set(r.rows.map((x) => x.flavour))];
const cell = (f, n, key) => { const x = r.rows.find((y) => y.flavour === f && y.devices === n); return x && x[key] !== null ? `${Math.round(x[key])} ms` : '–'; };
const header = ['flavour', ...sizes.flatMap((n) => [`${n} devices: first diagnostics (wall)`, 'server CPU', '`check` process'])];
const text = [
  `# Start-up: server start -> first diagnostics, and the whole \`certlsp check\` ${new Date().toISOString().slice(0, 10)}`,
  '',
  `Cold: a new process per run, page cache warm; median of ${r.runs} runs. ${cores} cores, load average ${r.load} before and ${r.loadAfter} after`,
  '(the machine is shared: compare rows within one run). Wall time is from spawn to the first non-empty publishDiagnostics of a',
  'manifest opened right after `initialized`; server CPU is the process\'s user+system time at that moment (10 ms ticks).',
  'Flavours without "tiered" run as the VS Code extension starts them (DOTNET_TieredCompilation=0); "tiered" uses the runtime default.',
  '',
  `| ${header.join(' | ')} |`,
  `|${header.map(() => '---').join('|')}|`,
  ...flavours.map((f) => `| ${f} | ${sizes.flatMap((n) => [cell(f, n, 'firstDiagnosticsMs'), cell(f, n, 'firstDiagnosticsCpuMs'), cell(f, n, 'checkMs')]).join(' | ')} |`),
  '',
  'Produced by `bench/run-startup.sh`. Targets (issue 15): first diagnostics <= 60 ms for 1,000 devices and <= 120 ms for 10,000; `check` <= 80 ms for 1,000.',
  '',
].join('\n');
require('node:fs').writeFileSync(out, text);
console.log(text);
JS
