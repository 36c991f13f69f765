# Sourced by bench/run-check.sh and bench/run-review.sh after they set $root: a temporary $work (removed at exit),
# /usr/bin/time (for wall, CPU and peak memory), the CLI built into $work/cli and CertLsp.Bench built as $bench.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [[ ! -x /usr/bin/time ]]; then
  echo "$(basename "$0"): /usr/bin/time is needed for peak memory; installing the Debian package 'time'" >&2
  apt-get install -y -qq time >/dev/null
fi

echo "== building the CLI and the benchmark (Release)" >&2
dotnet build "$root/server/CertLsp.Cli/CertLsp.Cli.csproj" -c Release -o "$work/cli" --nologo -v quiet -clp:ErrorsOnly >&2
dotnet build "$root/bench/CertLsp.Bench/CertLsp.Bench.csproj" -c Release --nologo -v quiet -clp:ErrorsOnly >&2
bench="$root/bench/CertLsp.Bench/bin/Release/net10.0/CertLsp.Bench"
