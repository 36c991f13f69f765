#!/usr/bin/env bash
# BACnet/SC bench (issue 14 "Figures"), one run: the TLS handshake cost alone (a whole join, .NET's TLS 1.3 handshake, and the
# peer `openssl s_time -new -tls1_3` with the same client certificate against the same hub); N simulated SC-only devices (default
# 1000) join CertLsp's hub; `certlsp verify` (VerifyCommand, in process, the tool joining as the manifest names it) checks all of
# them, with device-held keys and with local keys (a handshake each with the device's own key); then the hub's relay throughput
# for S seconds (default 5) with all of them connected. One process, 127.0.17.x, in a network namespace with only loopback, open
# files raised. Prints the machine's load before and after (the machine is shared).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
count="${1:-1000}"
seconds="${2:-5}"
dotnet build "$root/bench/CertLsp.Bacnet.Bench/CertLsp.Bacnet.Bench.csproj" -c Release --nologo -v quiet -clp:ErrorsOnly \
  -o "$root/.build/bench-bacnet" >&2
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores), $(date -u '+%Y-%m-%d %H:%M UTC')"
timeout 600 unshare -n -- bash -c "ip link set lo up && dotnet '$root/.build/bench-bacnet/CertLsp.Bacnet.Bench.dll' sc $count $seconds"
status=$?
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
