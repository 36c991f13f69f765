#!/usr/bin/env bash
# Runs every .NET test of CertLsp once, already built in Release (dotnet build CertLsp.sln -c Release), writing the
# output to stdout and to LOG, and ends with one line "dotnet tests: N passed, N failed, N skipped"; exits non-zero
# when a test failed or was skipped (a skipped test is a category the run did not cover). Used by ./test.sh and
# tests/soak.sh.
#
# Tests are grouped by a "Category" trait (tests/CertLsp.TestSupport/Needs.cs): Network (sends BACnet over loopback
# UDP), Root (private tmpfs mounts), Interop (npm peers, tshark, openssl); the rest carry none. Plain `dotnet test`
# skips a test whose precondition is missing; here every category must run, so a missing precondition fails instead.
set -uo pipefail
log=${1:?usage: tests/dotnet-test.sh LOG}
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export CERTLSP_REQUIRE_ALL=1

printf '\n== %s\n' "dotnet test (every category but Network)"
dotnet test CertLsp.sln -c Release --no-build --nologo --filter 'Category!=Network' 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# One project at a time: the Network tests of different projects share UDP ports and the broadcast address.
printf '\n== %s\n' "dotnet test, category Network (unshare -n: a network namespace with only loopback)"
unshare -n -- bash -c 'ip link set lo up && rc=0 && for p in "$@"; do
    dotnet test "$p" -c Release --no-build --nologo --filter Category=Network || rc=1; done; exit $rc' \
  network-tests tests/*/*.Tests.csproj 2>&1 | tee -a "$log"
[[ ${PIPESTATUS[0]} -ne 0 ]] && status=1

passed=0; failed=0; skipped=0
while read -r line; do
  f=$(sed -nE 's/.*Failed: *([0-9]+),.*/\1/p' <<<"$line"); p=$(sed -nE 's/.*Passed: *([0-9]+),.*/\1/p' <<<"$line")
  s=$(sed -nE 's/.*Skipped: *([0-9]+),.*/\1/p' <<<"$line")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${s:-0}))
done < <(grep -E '(Passed|Failed)!  - Failed: ' "$log")
if [[ $status -ne 0 && $failed -eq 0 ]]; then failed=1; fi
[[ $skipped -gt 0 ]] && status=1
echo "dotnet tests: $passed passed, $failed failed, $skipped skipped" | tee -a "$log"
exit "$status"
