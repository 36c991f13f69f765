#!/usr/bin/env bash
# The steps of the CertLsp GitHub Action (action.yml), runnable anywhere with git: `certlsp check` as SARIF (for code
# scanning) and `certlsp review` of the change as markdown (for the job summary). The tests run it in a temporary
# repository with two commits. Settings come from the environment:
#   CERTLSP            how to run certlsp (default: the certlsp script beside this folder, which builds it)
#   CERTLSP_PATHS      manifests or folders, separated by spaces (default: .)
#   CERTLSP_BASE       the revision to compare against (default: origin/$GITHUB_BASE_REF in a pull request, else HEAD~1)
#   CERTLSP_SARIF      where the check's SARIF goes (default: certlsp.sarif)
#   CERTLSP_FAIL_ON    none | new-errors | certificate-impact: when the job fails (default: new-errors)
#   GITHUB_STEP_SUMMARY  the review's markdown is appended here (default: printed)
# Exit: 0, 1 when the --fail-on condition holds, 2 when the check or the review could not run.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
read -r -a certlsp <<<"${CERTLSP:-$here/../certlsp}"
read -r -a paths <<<"${CERTLSP_PATHS:-.}"
sarif="${CERTLSP_SARIF:-certlsp.sarif}"
fail_on="${CERTLSP_FAIL_ON:-new-errors}"
summary="${GITHUB_STEP_SUMMARY:-/dev/stdout}"
base="${CERTLSP_BASE:-}"
if [[ -z "$base" ]]; then
  if [[ -n "${GITHUB_BASE_REF:-}" ]]; then base="origin/$GITHUB_BASE_REF"; else base="HEAD~1"; fi
fi
case "$fail_on" in
  none|new-errors|certificate-impact) ;;
  *) echo "ci-review: CERTLSP_FAIL_ON must be none, new-errors or certificate-impact, not “$fail_on”" >&2; exit 2 ;;
esac

# A pull request's base may be missing from a shallow checkout: fetch it from origin once (review says so if it is still missing).
if ! git rev-parse --verify --quiet "$base^{commit}" >/dev/null && [[ -n "${GITHUB_BASE_REF:-}" ]]; then
  git fetch --no-tags --quiet origin "+refs/heads/$GITHUB_BASE_REF:refs/remotes/origin/$GITHUB_BASE_REF" || true
fi

# 1. check: every finding as SARIF for code scanning. Findings alone do not fail this step (the review decides).
"${certlsp[@]}" check "${paths[@]}" --format sarif >"$sarif"
check=$?
if [[ $check -ge 2 ]]; then echo "ci-review: certlsp check could not run (exit $check)" >&2; exit 2; fi

# 2. review: what the change does, into the job summary; its exit code is the job's.
"${certlsp[@]}" review --base "$base" "${paths[@]}" --format markdown --fail-on "$fail_on" >>"$summary"
review=$?
if [[ $review -ge 2 ]]; then echo "ci-review: certlsp review could not run (exit $review)" >&2; fi
exit $review
