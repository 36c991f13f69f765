#!/usr/bin/env bash
# The performance benchmark of issue 2. For generated sites of 1,000 / 10,000 / 100,000 devices it measures
#   - the warm in-process check (ManifestDocument.Parse + ManifestChecker.Check) with BenchmarkDotNet (median, allocations)
# under the server GC and the workstation GC certlsp runs with, and by stopwatch its median CPU time (steadier on a busy machine),
#   - the whole `certlsp check` process, cold start included: wall and CPU time (medians of several runs) and peak
#     memory (maximum resident set size from /usr/bin/time -v),
# and writes the table into bench/results.md between its "results" markers (the notes around them are kept).
# Takes a few minutes on a 2-core machine. Usage: bench/run-check.sh [sizes...]   (default: 1000 10000 100000)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
sizes=("${@:-1000 10000 100000}")
read -r -a sizes <<<"${sizes[*]}"
# shellcheck source=bench/bench-setup.sh
source "$root/bench/bench-setup.sh"

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
declare -A wall rss bytes cpu
for n in "${sizes[@]}"; do
  file="$work/site-$n.site.yaml"
  "$bench" generate "$n" "$file"
  bytes[$n]=$(stat -c %s "$file")
  runs=5; [[ $n -ge 100000 ]] && runs=3
  : >"$work/wall-$n"; : >"$work/rss-$n"; : >"$work/cpu-$n"
  echo "== certlsp check, $n devices ($runs runs)" >&2
  for ((r = 0; r < runs; r++)); do
    status=0
    /usr/bin/time -v -o "$work/time.txt" dotnet "$work/cli/certlsp.dll" check "$file" --format json >"$work/out.json" || status=$?
    if [[ $status -ne 0 ]]; then
      echo "run-check.sh: certlsp check exited $status on a clean generated site" >&2
      cat "$work/time.txt" >&2
      exit 1
    fi
    # "Elapsed (wall clock) time (h:mm:ss or m:ss): 0:01.23" -> seconds
    awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' \
      "$work/time.txt" >>"$work/wall-$n"
    awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/time.txt" >>"$work/rss-$n"
    awk -F': ' '/User time|System time/ { s += $2 } END { print s }' "$work/time.txt" >>"$work/cpu-$n"
  done
  wall[$n]=$(median <"$work/wall-$n")
  rss[$n]=$(median <"$work/rss-$n")
  cpu[$n]=$(median <"$work/cpu-$n")
done

echo "== warm in-process check (BenchmarkDotNet, short job)" >&2
filter=$(IFS=,; echo "${sizes[*]}")
CERTLSP_BENCH_SUMMARY="$work/warm.tsv" "$bench" --filter '*CheckBenchmarks*' >"$work/bdn.txt" 2>&1 || { cat "$work/bdn.txt" >&2; exit 1; }
echo "== warm check, stopwatch (wall and CPU time)" >&2
: >"$work/total.tsv"
for n in "${sizes[@]}"; do
  rounds=11; [[ $n -ge 100000 ]] && rounds=5
  "$bench" total "$n" "$rounds" >>"$work/total.tsv"
done
echo "== stage profile, 10,000 devices" >&2
"$bench" stages 10000 15 >"$work/stages.txt"

{
  commit=$(git rev-parse --short HEAD 2>/dev/null || echo '?')
  echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) cores, $(dotnet --version) SDK, commit $commit;"
  echo "load average before: $load_before; after: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine inflates wall times)."
  echo
  echo "| devices | manifest | warm check, server GC | warm check (workstation GC, as certlsp runs) | warm check CPU time |"\
" warm allocated | \`certlsp check\` wall time | its CPU time | peak RSS | warm per device | process per device |"
  echo "|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
  for n in "${sizes[@]}"; do
    read -r ns alloc < <(awk -v n="$n" -F'\t' '$1 == "server-gc" && $2 == n { print $3, $4 }' "$work/warm.tsv")
    read -r ns_batch < <(awk -v n="$n" -F'\t' '$1 == "workstation-gc" && $2 == n { print $3 }' "$work/warm.tsv")
    read -r warm_cpu < <(awk -v n="$n" -F'\t' '$1 == n { print $3 }' "$work/total.tsv")
    awk -v n="$n" -v ns="${ns:-0}" -v nsb="${ns_batch:-0}" -v wcpu="${warm_cpu:-0}" -v alloc="${alloc:-0}" \
      -v wall="${wall[$n]}" -v pcpu="${cpu[$n]}" -v rss="${rss[$n]}" -v bytes="${bytes[$n]}" 'BEGIN {
      printf "| %\047d | %.1f MB | %.1f ms | %.1f ms | %.1f ms | %.1f MB | %.2f s | %.2f s | %.0f MB | %.2f µs | %.1f µs |\n",
        n, bytes / 1048576, ns / 1e6, nsb / 1e6, wcpu, alloc / 1048576, wall, pcpu, rss / 1024, ns / 1e3 / n, wall * 1e6 / n }'
  done
  echo
  echo "Stage profile (\`CertLsp.Bench stages 10000\`, server GC; CPU ms is steadier than wall time on a busy machine):"
  echo
  echo '```'
  cat "$work/stages.txt"
  echo '```'
} >"$work/table.md"

results="$root/bench/results.md"
if [[ ! -f "$results" ]] || ! grep -q '<!-- results:begin -->' "$results"; then
  printf '# Benchmark results\n\n<!-- results:begin -->\n<!-- results:end -->\n' >"$results"
fi
awk -v table="$work/table.md" '
  /<!-- results:begin -->/ { print; while ((getline line < table) > 0) print line; skip = 1; next }
  /<!-- results:end -->/ { skip = 0 }
  !skip { print }' "$results" >"$work/results.md"
mv "$work/results.md" "$results"
cat "$work/table.md"
