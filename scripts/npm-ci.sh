#!/usr/bin/env bash
# scripts/npm-ci.sh DIR [NAME=VALUE...]: `npm ci` in DIR unless its node_modules was installed from the same
# package-lock.json (a checksum stamp inside node_modules). Extra NAME=VALUE pairs go to npm's environment.
set -euo pipefail
dir=$1; shift
stamp="$dir/node_modules/.certlsp-lock"
sum=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
if [[ -f "$stamp" && "$(cat "$stamp")" == "$sum" ]]; then exit 0; fi
echo "npm ci in $dir" >&2
(cd "$dir" && env "$@" npm ci --no-audit --no-fund --loglevel=error >/dev/null)
echo "$sum" >"$stamp"
