#!/usr/bin/env bash
# Every test of CertLsp. Installs what the tests need on a fresh machine of this kind (NuGet packages by restore,
# npm packages for the interop peers and the VS Code extension, code-server and Chromium for its end-to-end test),
# runs the .NET test projects, the interop tests and the extension's tests, and ends with one line:
# "N passed, N failed".
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"
log="$(mktemp -d)"
trap 'rm -rf "$log"' EXIT

step() { printf '\n== %s\n' "$*"; }

command -v dotnet >/dev/null || { echo "test.sh: the .NET SDK is required (dotnet on PATH)"; exit 2; }

# Peers written by others, installed from the npm registry (versions pinned in tests/interop/package-lock.json).
if [[ -f tests/interop/package.json ]]; then
  step "npm ci (interop peers)"
  (cd tests/interop && npm ci --no-audit --no-fund --loglevel=error) || { echo "test.sh: npm ci failed"; exit 2; }
fi

# The VS Code extension's build and test tools (versions pinned in package-lock.json at the root).
step "npm ci (VS Code extension)"
scripts/npm-ci.sh "$root" || { echo "test.sh: npm ci failed"; exit 2; }
# @bacnet-js/client for the BACnet interop tests (pinned in tests/interop-bacnet/package-lock.json).
if [[ -f tests/interop-bacnet/package.json ]]; then
  step "npm ci (BACnet interop peer)"
  (cd tests/interop-bacnet && npm ci --no-audit --no-fund --loglevel=error) || { echo "test.sh: npm ci failed"; exit 2; }
fi

# tshark (Debian) checks every packet the BACnet tests send; install it when missing.
if ! command -v tshark >/dev/null; then
  step "apt-get install tshark"
  export DEBIAN_FRONTEND=noninteractive
  (apt-get install -y -q tshark >/dev/null || (apt-get update -q >/dev/null && apt-get install -y -q tshark >/dev/null)) \
    || { echo "test.sh: could not install tshark"; exit 2; }
fi

# pre-commit (Debian) runs the repository's .pre-commit-hooks.yaml in the pipeline tests; install it when missing.
if ! command -v pre-commit >/dev/null; then
  step "apt-get install pre-commit"
  export DEBIAN_FRONTEND=noninteractive
  (apt-get install -y -q pre-commit >/dev/null || (apt-get update -q >/dev/null && apt-get install -y -q pre-commit >/dev/null)) \
    || { echo "test.sh: could not install pre-commit"; exit 2; }
fi

step "dotnet build"
dotnet build CertLsp.sln -c Release --nologo -v quiet -clp:ErrorsOnly || { echo "0 passed, 1 failed"; exit 1; }

# Both passes of the .NET tests (the Network category inside `unshare -n`): see tests/dotnet-test.sh.
step "dotnet test"
tests/dotnet-test.sh "$log/dotnet.txt"
status=$?

read -r passed failed skipped < <(sed -nE 's/^dotnet tests: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped$/\1 \2 \3/p' \
  "$log/dotnet.txt" | tail -1)
passed=${passed:-0}; failed=${failed:-0}; skipped=${skipped:-0}
if [[ $status -ne 0 && $failed -eq 0 ]]; then failed=1; fi
# A skipped test is a category this run did not cover.
if [[ $skipped -gt 0 ]]; then echo "test.sh: $skipped test(s) skipped"; failed=$((failed + skipped)); fi

# The conventions (README.md, "Contributing"), each a step that fails when it finds something. The build above already
# fails on the .editorconfig rules it can check (EnforceCodeStyleInBuild); dotnet format checks them again as the
# formatter sees them, with IDE0005 (unnecessary usings), which the build cannot check without documentation files.
check() { # title command...
  local title=$1; shift
  step "$title"
  local started=$SECONDS
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "test.sh: $title: failed"; fi
  echo "($((SECONDS - started)) s)"
}
check "dotnet format whitespace --verify-no-changes" \
  dotnet format whitespace CertLsp.sln --verify-no-changes --no-restore -v quiet
check "dotnet format style --verify-no-changes" dotnet format style CertLsp.sln --verify-no-changes --no-restore -v quiet
check "line length (scripts/check-line-length.py)" scripts/check-line-length.py
check "README layout lists every project (scripts/check-readme-layout.py)" scripts/check-readme-layout.py
check "ESLint (npm run lint)" npm run lint --silent

# Tests on node's test runner, read from its TAP summary ("# pass N", "# fail N").
node_tests() { # title command...
  local title=$1; shift
  step "$title"
  "$@" 2>&1 | tee "$log/node.txt"
  local rc=${PIPESTATUS[0]} p f
  p=$(sed -nE 's/^# pass ([0-9]+)$/\1/p' "$log/node.txt" | tail -1); f=$(sed -nE 's/^# fail ([0-9]+)$/\1/p' "$log/node.txt" | tail -1)
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
  if [[ $rc -ne 0 && ${f:-0} -eq 0 ]]; then failed=$((failed + 1)); fi
}
node_tests "VS Code extension: unit tests" npm test --silent
# The per-platform package for this machine (linux-x64: self-contained ReadyToRun server, ~2-6 min on 2 cores) and the
# check of its server (format, architecture, executable bit, place, size). Other targets: `npm run package:all` (not here:
# five self-contained publishes); their header checks run as unit tests above (client/test/serverPackage.test.ts).
step "VS Code extension: linux-x64 package"
if scripts/package-vsix.sh linux-x64; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
# code-server with that .vsix and no dotnet reachable, driven by Playwright + Chromium (installs what it needs; ~1-6 min)
CERTLSP_E2E_VSIX="$root/dist/certlsp-linux-x64.vsix" node_tests "VS Code extension: end to end in code-server" tests/e2e/run.sh

echo
if [[ $skipped -gt 0 ]]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[[ $failed -eq 0 ]]
