#!/usr/bin/env bash
# scripts/publish-server.sh FLAVOUR OUTDIR: publishes the CertLsp command line (server/CertLsp.Cli) into OUTDIR.
#   FLAVOUR = framework: certlsp.dll, started with `dotnet` (needs the .NET 10 runtime; the universal VS Code package)
#   FLAVOUR = a runtime identifier (linux-x64, linux-arm64, win-x64, osx-arm64, osx-x64): one self-contained file
#             OUTDIR/certlsp (certlsp.exe on Windows) that needs no .NET installed, ReadyToRun-compiled (no JIT at
#             start-up; our assemblies and packages only: the runtime pack is ReadyToRun already, and a composite image of
#             the whole framework took over 10 min and added 35 MB), not trimmed (YamlDotNet, StreamJsonRpc and
#             BouncyCastle use reflection).
#   FLAVOUR = aot: this machine's platform (linux-x64 or linux-arm64), compiled ahead of time (Native AOT): one native file
#             OUTDIR/certlsp, no JIT and no .NET runtime; takes minutes to build and needs a C toolchain (clang, or gcc when there
#             is no clang). Every command works, the language server too; see docs/install.md, "Native AOT".
# All carry examples/ (for `certlsp demo`) and no .pdb (or .dbg) files. The runtime packs come from NuGet on first use.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
flavour=${1:?usage: scripts/publish-server.sh framework|framework-r2r|aot|RID OUTDIR}
out=${2:?usage: scripts/publish-server.sh framework|framework-r2r|aot|RID OUTDIR}
project="$root/server/CertLsp.Cli/CertLsp.Cli.csproj"
common=(-c Release -o "$out" --nologo -v quiet -clp:ErrorsOnly)
rm -rf "$out"
case "$flavour" in
  framework)
    dotnet publish "$project" "${common[@]}" --no-self-contained -p:UseAppHost=false ;;
  framework-r2r) # for bench/run-startup.sh: the framework build with this machine's ReadyToRun code in our assemblies
    dotnet publish "$project" "${common[@]}" --no-self-contained -p:UseAppHost=false \
      -r "linux-$(uname -m | sed 's/x86_64/x64/;s/aarch64/arm64/')" -p:PublishReadyToRun=true ;;
  linux-x64|linux-arm64|win-x64|osx-arm64|osx-x64)
    dotnet publish "$project" "${common[@]}" -r "$flavour" --self-contained -p:PublishSingleFile=true \
      -p:PublishReadyToRun=true -p:PublishReadyToRunComposite=false ;;
  aot)
    linker=()
    command -v clang >/dev/null || linker=(-p:CppCompilerAndLinker=gcc)
    dotnet publish "$project" "${common[@]}" -r "linux-$(uname -m | sed 's/x86_64/x64/;s/aarch64/arm64/')" -p:PublishAot=true \
      "${linker[@]}" ;;
  *) echo "publish-server.sh: unknown flavour $flavour" >&2; exit 2 ;;
esac
rm -f "$out"/*.pdb "$out"/*.dbg
