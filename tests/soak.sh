#!/usr/bin/env bash
# tests/soak.sh N: builds once, then runs every .NET test (tests/dotnet-test.sh: both categories passes, the Network one
# in a network namespace) N times in a row, and reports each run's counts and time, then how many runs were green.
# Exits non-zero unless all N were. Run as root (unshare -n, tmpfs mounts), after ./test.sh has installed the peers.
# The log of every run that failed is kept and named at the end.
set -uo pipefail
runs=${1:?usage: tests/soak.sh N}
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "soak.sh: N must be a positive whole number, not '$runs'"; exit 2; }
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
logs="$(mktemp -d -t certlsp-soak-XXXXXX)"

dotnet build CertLsp.sln -c Release --nologo -v quiet -clp:ErrorsOnly || { echo "soak.sh: the build failed"; exit 2; }

green=0; total=0; report=()
for ((i = 1; i <= runs; i++)); do
  start=$(date +%s)
  tests/dotnet-test.sh "$logs/run-$i.txt" >/dev/null 2>&1
  rc=$?
  seconds=$(($(date +%s) - start)); total=$((total + seconds))
  counts=$(sed -nE 's/^dotnet tests: (.*)$/\1/p' "$logs/run-$i.txt" | tail -1)
  if [[ $rc -eq 0 ]]; then
    green=$((green + 1)); verdict=green; rm -f "$logs/run-$i.txt"
  else
    verdict="FAILED (log: $logs/run-$i.txt)"
    grep -E '^\s+Failed [A-Za-z]' "$logs/run-$i.txt" | sed 's/^/    /' | head -20
  fi
  report+=("run $i: ${counts:-no counts}, ${seconds} s, $verdict")
  echo "${report[-1]}"
done

echo
printf '%s\n' "${report[@]}"
echo "soak: $green of $runs runs green; $total s in all, $((total / runs)) s a run (load now: $(cut -d' ' -f1-3 /proc/loadavg))"
[[ $green -eq $runs ]] && rmdir "$logs" 2>/dev/null
[[ $green -eq $runs ]]
