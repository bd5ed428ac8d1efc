#!/bin/sh
# Journey 2 — CI: validate every declaration in a folder (.json, and .ndjson one per line) against
# the district and shop ruleset of sandan.config.json; publish SARIF (code scanning) and JUnit
# (test reports); annotate the pull request on GitHub; fail the build on errors.
#
#   examples/ci/ci.sh [output-folder]
#
# Plain sandan calls: sandan.config.json is found from the working directory up, so no flags repeat.
set -u
# sandan on PATH (npm install -g, npm exec), else the project's own: npx, without installing anything.
command -v sandan >/dev/null 2>&1 || sandan() { npx --no -- sandan "$@"; }
# The output folder is made if need be; if it cannot be, stop (rather than write to /sandan.sarif).
out=$(mkdir -p "${1:-.}" && cd "${1:-.}" && pwd) || exit 2
cd "$(dirname "$0")"

status=0
sandan validate declarations --format sarif > "$out/sandan.sarif" || status=$?
sandan validate declarations --format junit > "$out/sandan-junit.xml" || true
if [ -n "${GITHUB_ACTIONS:-}" ]; then
  sandan validate declarations --format github --quiet || true
else
  sandan validate declarations || true
fi
exit "$status"
