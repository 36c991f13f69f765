#!/usr/bin/env bash
# scripts/package-vsix.sh TARGET...: one per-platform VS Code extension per vsce target (linux-x64, linux-arm64, win32-x64,
# darwin-arm64, darwin-x64), each dist/certlsp-TARGET.vsix carrying a self-contained server for that platform
# (scripts/publish-server.sh), then checks each package's server (client/src/serverPackage.ts: format, architecture,
# executable bit, place, size). `npm run package:all` builds all five; `npm run package:target -- linux-x64` one;
# `npm run package` the universal package (framework-dependent server, needs the .NET 10 runtime).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
[[ $# -gt 0 ]] || { echo "usage: scripts/package-vsix.sh TARGET..." >&2; exit 2; }
rid() {
  case "$1" in
    linux-x64|linux-arm64) echo "$1" ;; win32-x64) echo win-x64 ;; darwin-arm64) echo osx-arm64 ;; darwin-x64) echo osx-x64 ;;
    *) echo "package-vsix.sh: unknown target $1 (linux-x64 linux-arm64 win32-x64 darwin-arm64 darwin-x64)" >&2; return 2 ;;
  esac
}
for target in "$@"; do rid "$target" >/dev/null; done
npm run --silent compile
for target in "$@"; do
  start=$(date +%s)
  scripts/publish-server.sh "$(rid "$target")" dist/server
  npx vsce package --no-dependencies --readme-path client/README.md --allow-missing-repository --skip-license \
    --target "$target" -o "dist/certlsp-$target.vsix" >/dev/null
  node client/out/src/serverPackage.js "dist/certlsp-$target.vsix" "$target"
  echo "  $target: $(( $(date +%s) - start )) s" >&2
done
