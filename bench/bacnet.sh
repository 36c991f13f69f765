#!/usr/bin/env bash
# BACnet benchmark: a simulated site of N devices (default 1000); discovery + identity and reading every CSR,
# CertLsp's client and @bacnet-js/client side by side. Runs in a network namespace with only loopback.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
count="${1:-1000}"
(cd "$root/tests/interop-bacnet" && [[ -d node_modules ]] || npm ci --no-audit --no-fund --loglevel=error)
dotnet build "$root/bench/CertLsp.Bacnet.Bench/CertLsp.Bacnet.Bench.csproj" -c Release --nologo -v quiet -clp:ErrorsOnly \
  -o "$root/.build/bench-bacnet" >&2
ulimit -n 65536 2>/dev/null || true
exec unshare -n -- bash -c "ip link set lo up && dotnet '$root/.build/bench-bacnet/CertLsp.Bacnet.Bench.dll' $count '$root'"
