#!/usr/bin/env bash
# The whole-process benchmark of `certlsp review` (issue 16: under 1 s for a 10,000-device site with 1,000 devices changed).
# A site from bench/CertLsp.SiteGen, every device holding a valid certificate in its ledger, is committed to a temporary git
# repository; a second commit renames, moves to other batches and adds devices (CertLsp.Bench `review`: 2/5 renamed, 2/5 moved,
# 1/5 new). Measured, each as a new process per run (cold start; the OS file cache is warm), interleaved round by round:
#   - certlsp review --base HEAD~1 --head HEAD --format markdown   (git ls-tree + git show of both states, both checks, the
#     comparison, the markdown)
#   - the peer: what a reviewer gets without it, on the same two commits: `git diff HEAD~1 HEAD` (the text diff) followed by
#     `certlsp check` of the head (its diagnostics), one shell running both; and each of the two alone.
# Medians of wall time, CPU time and peak RSS (/usr/bin/time) go to bench/review-results.md, with the ratio to the peer and the
# warm in-process figure of CertLsp.Bench review for the same change. Usage: bench/run-review.sh [devices] [changed] [runs]
# (default 10000 1000 7). Review and peer run again with the ReadyToRun publish (scripts/publish-server.sh framework-r2r),
# the code as the extension and the single file ship it, and with the Native AOT publish (scripts/publish-server.sh aot: no JIT,
# no runtime; minutes to build).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
devices=${1:-10000}
changed=${2:-1000}
runs=${3:-7}
# shellcheck source=bench/bench-setup.sh
source "$root/bench/bench-setup.sh"
certlsp=(dotnet "$work/cli/certlsp.dll")
# The program as it ships (the per-platform VS Code extension and the single file): ReadyToRun code in our assemblies and
# packages, no JIT at start for them. Framework-dependent here, so it runs on the same runtime as the plain build.
echo "== publishing certlsp with ReadyToRun code (scripts/publish-server.sh framework-r2r)" >&2
"$root/scripts/publish-server.sh" framework-r2r "$work/r2r" >&2
shipped=(dotnet "$work/r2r/certlsp.dll")
# Compiled ahead of time (Native AOT): no JIT and no tier-0 code at all.
echo "== publishing certlsp compiled ahead of time (scripts/publish-server.sh aot; takes minutes)" >&2
"$root/scripts/publish-server.sh" aot "$work/aot" >&2
native=("$work/aot/certlsp")

echo "== the two states ($devices devices, $changed changed) and the warm in-process review" >&2
"$bench" review "$devices" "$changed" 5 "$work/states" >"$work/inprocess.txt"
repo="$work/repo"
mkdir -p "$repo/sites"
git_() { git -C "$repo" -c user.name=bench -c user.email=bench@example.invalid -c commit.gpgsign=false "$@" >/dev/null; }
git_ init -q
cp "$work/states/base/"* "$repo/sites/"
git_ add -A
git_ commit -q -m base
cp "$work/states/head/"* "$repo/sites/"
git_ commit -q -a -m "$changed devices changed"
manifest_mb=$(awk -v b="$(stat -c %s "$repo/sites/site.site.yaml")" 'BEGIN { printf "%.1f", b / 1048576 }')
ledger_mb=$(awk -v b="$(stat -c %s "$repo/sites/site.site.ledger")" 'BEGIN { printf "%.1f", b / 1048576 }')

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# measure NAME COMMAND...: one run in the repository, appending "wall cpu rss" to $work/NAME; the output kept for the last run.
measure() {
  local name=$1
  shift
  local status=0
  (cd "$repo" && /usr/bin/time -f '%e %U %S %M' -o "$work/time.txt" "$@" >"$work/$name.out" 2>"$work/$name.err") || status=$?
  if [[ $status -ne 0 ]]; then
    echo "run-review.sh: $name exited $status" >&2
    cat "$work/$name.err" "$work/time.txt" >&2
    exit 1
  fi
  awk '{ printf "%s %.3f %s\n", $1, $2 + $3, $4 }' "$work/time.txt" >>"$work/$name"
}
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "== $runs rounds, each: review, the peer, git diff alone, certlsp check alone" >&2
for ((r = 0; r < runs; r++)); do
  measure review "${certlsp[@]}" review --base HEAD~1 --head HEAD --format markdown
  measure peer bash -c 'git diff HEAD~1 HEAD >/dev/null && "$@" check sites --format json' peer "${certlsp[@]}"
  measure diff git diff HEAD~1 HEAD
  measure check "${certlsp[@]}" check sites --format json
  measure review_r2r "${shipped[@]}" review --base HEAD~1 --head HEAD --format markdown
  measure peer_r2r bash -c 'git diff HEAD~1 HEAD >/dev/null && "$@" check sites --format json' peer "${shipped[@]}"
  measure review_aot "${native[@]}" review --base HEAD~1 --head HEAD --format markdown
  measure peer_aot bash -c 'git diff HEAD~1 HEAD >/dev/null && "$@" check sites --format json' peer "${native[@]}"
done
grep -q "^### CertLsp review HEAD~1 → HEAD" "$work/review.out" || { echo "run-review.sh: no review headline" >&2; exit 1; }
headline=$(grep -m1 '^\*\*' "$work/review.out" | tr -d '*')

declare -A wall cpu rss
for name in review peer diff check review_r2r peer_r2r review_aot peer_aot; do
  wall[$name]=$(awk '{ print $1 }' "$work/$name" | median)
  cpu[$name]=$(awk '{ print $2 }' "$work/$name" | median)
  rss[$name]=$(awk '{ print $3 }' "$work/$name" | median)
done
row() { # NAME LABEL [PEER]
  local peer=${3:-peer}
  awk -v w="${wall[$1]}" -v c="${cpu[$1]}" -v m="${rss[$1]}" -v pw="${wall[$peer]}" -v pc="${cpu[$peer]}" -v label="$2" 'BEGIN {
    printf "| %s | %.2f s | %.2f s | %.0f MB | %.2f× | %.2f× |\n", label, w, c, m / 1024, w / pw, c / pc }'
}
{
  commit=$(git rev-parse --short HEAD 2>/dev/null || echo '?')
  echo "# \`certlsp review\` benchmark"
  echo
  echo "Written by \`bench/run-review.sh $devices $changed $runs\` (see the script's header for what it does)."
  echo
  echo "**Change reviewed**: a generated site of $(printf "%'d" "$devices") devices (manifest $manifest_mb MB, ledger $ledger_mb MB:"
  echo "every device holds a valid certificate), and a second commit in which $(printf "%'d" "$changed") devices change: 2/5 renamed"
  echo "(each voids its certificate), 2/5 moved to other batches, 1/5 new. The review says: $headline"
  echo
  echo "**Peer**: \`git diff HEAD~1 HEAD\` followed by \`certlsp check\` of the head, in one shell. That is what a reviewer has without"
  echo "\`certlsp review\` (issue 16: \"a reviewer gets the diagnostics of the new version and a text diff\"), on the same two"
  echo "commits, and it does the comparable work: read both versions (git), parse and check the new one. \`review\` does more: it"
  echo "checks both versions, matches every device, reads both ledgers and writes the markdown. A YAML-only peer"
  echo "(yaml-language-server) would neither read git nor compare, so it would not be comparable work; bench/lsp-results.md has it"
  echo "for checking. Ratios below 1 mean faster than the peer."
  echo
  echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) cores, $(dotnet --version) SDK, git $(git --version | awk '{ print $3 }'),"
  echo "commit $commit; load average before: $load_before; after: $(cut -d' ' -f1-3 /proc/loadavg) (a machine shared with other"
  echo "work inflates wall times). Medians of $runs runs, each a new process (cold start, OS file cache warm), the four commands"
  echo "interleaved round by round."
  echo
  echo "| command | wall time | CPU time (user + sys) | peak RSS | wall / peer | CPU / peer |"
  echo "|---|--:|--:|--:|--:|--:|"
  row review "\`certlsp review --base HEAD~1 --head HEAD --format markdown\`"
  row peer "peer: \`git diff HEAD~1 HEAD\` + \`certlsp check sites\`"
  row diff "\`git diff HEAD~1 HEAD\` alone"
  row check "\`certlsp check sites --format json\` alone"
  echo
  echo "The same two commands with certlsp as it ships (ReadyToRun code in CertLsp's assemblies and packages, as in the"
  echo "per-platform VS Code extension and the single file; here framework-dependent on the same runtime); ratios against the"
  echo "peer run with that same build:"
  echo
  echo "| command (ReadyToRun build) | wall time | CPU time (user + sys) | peak RSS | wall / peer | CPU / peer |"
  echo "|---|--:|--:|--:|--:|--:|"
  row review_r2r "\`certlsp review --base HEAD~1 --head HEAD --format markdown\`" peer_r2r
  row peer_r2r "peer: \`git diff HEAD~1 HEAD\` + \`certlsp check sites\`" peer_r2r
  echo
  echo "And with certlsp compiled ahead of time (Native AOT, \`scripts/publish-server.sh aot\`: one native file, no JIT, no .NET"
  echo "runtime); ratios against the peer run with that same build:"
  echo
  echo "| command (Native AOT build) | wall time | CPU time (user + sys) | peak RSS | wall / peer | CPU / peer |"
  echo "|---|--:|--:|--:|--:|--:|"
  row review_aot "\`certlsp review --base HEAD~1 --head HEAD --format markdown\`" peer_aot
  row peer_aot "peer: \`git diff HEAD~1 HEAD\` + \`certlsp check sites\`" peer_aot
  echo
  echo "Target (issue 16): the whole \`review\` process under 1 s; measured: $(awk -v w="${wall[review]}" 'BEGIN { printf "%.2f s", w }')"
  echo "with the plain build, $(awk -v w="${wall[review_r2r]}" 'BEGIN { printf "%.2f s", w }') with the ReadyToRun build,"
  echo "$(awk -v w="${wall[review_aot]}" 'BEGIN { printf "%.2f s", w }') with the Native AOT build."
  echo
  echo "Warm, in process (\`CertLsp.Bench review $devices $changed 5\`, the same change; no process start, no git):"
  echo
  echo '```'
  cat "$work/inprocess.txt"
  echo '```'
} >"$work/results.md"
cp "$work/results.md" "$root/bench/review-results.md"
cat "$work/results.md"
