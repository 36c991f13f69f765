#!/usr/bin/env bash
# BACnet/SC bench: N nodes (default 1000) join CertLsp's hub with TLS 1.3 mutual authentication (wall time, handshake cost
# per node), then the hub's relay throughput for S seconds (default 5) with all of them connected. One process, 127.0.17.x,
# in a network namespace with only loopback. Prints the machine's load before and after (the machine is shared).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
count="${1:-1000}"
seconds="${2:-5}"
dotnet build "$root/bench/CertLsp.Bacnet.Bench/CertLsp.Bacnet.Bench.csproj" -c Release --nologo -v quiet -clp:ErrorsOnly \
  -o "$root/.build/bench-bacnet" >&2
ulimit -n 65536 2>/dev/null || true
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores), $(date -u '+%Y-%m-%d %H:%M UTC')"
timeout 600 unshare -n -- bash -c "ip link set lo up && dotnet '$root/.build/bench-bacnet/CertLsp.Bacnet.Bench.dll' sc $count $seconds"
status=$?
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
