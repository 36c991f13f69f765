#!/usr/bin/env bash
# CSR and import benchmark: CertLsp vs an openssl genpkey + req loop (xargs -P2), same run. Writes bench/csr-results.md.
# Usage: bench/run-csr.sh [rounds] [parts]   (rounds of the RSA comparison, default 3; parts: rsa,ecdsa,import; CSR_RESULTS=file to write
# elsewhere)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
dotnet build bench/CertLsp.CsrBench/CertLsp.CsrBench.csproj -c Release --nologo -v quiet -clp:ErrorsOnly >&2
exec dotnet bench/CertLsp.CsrBench/bin/Release/net10.0/CertLsp.CsrBench.dll "${CSR_RESULTS:-bench/csr-results.md}" "${1:-3}" \
  "${2:-rsa,ecdsa,import}"
