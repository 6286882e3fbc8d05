#!/usr/bin/env bash
# Redis 7.0.15's own Tcl suite (../shared/redis-suite) against a ferrodis binary, as a
# regression gate: every unit must pass at least the count in tests/redis-suite-floor.tsv
# and end with status ok or fail (never timeout, hang, crash or nostart: a stalled unit is
# a hang reachable from the network). Raise a floor in the same commit that fixes a test;
# a unit at Redis's count is marked there with its baseline.
#
#   tests/redis_suite.sh target/release/ferrodis [external|external-all|normal UNIT...]
set -uo pipefail
bin=${1:-target/release/ferrodis}
mode=${2:-external}
shift 2 2>/dev/null || shift $#
here=$(cd "$(dirname "$0")" && pwd)
suite=${FERRODIS_REDIS_SUITE:-$here/../../shared/redis-suite}
[ -x "$suite/run" ] || { echo "redis suite not found at $suite (set FERRODIS_REDIS_SUITE)"; exit 1; }
floor=$here/redis-suite-floor.tsv
logs=$(mktemp -d "${TMPDIR:-/tmp}/ferrodis-suite.XXXXXX")

"$suite/run" "$mode" "$bin" "$@" --logdir "$logs" >"$logs/run.out" 2>&1
cat "$logs/run.out"
[ -f "$logs/results.tsv" ] || { echo "SUITE FAIL: no results (see $logs)"; exit 1; }

# results.tsv: unit passed failed ignored status seconds; floor: mode unit min_passed
status=0 passed=0 failed=0
while IFS=$'\t' read -r unit ok err _ st _; do
  [ "$unit" = unit ] && continue
  passed=$((passed + ok)); failed=$((failed + err))
  min=$(awk -F'\t' -v m="$mode" -v u="$unit" '$1==m && $2==u {print $3}' "$floor")
  case "$st" in ok|fail) ;; *) echo "SUITE FAIL: $unit ended with status $st"; status=1 ;; esac
  if [ -n "$min" ] && [ "$ok" -lt "$min" ]; then
    echo "SUITE FAIL: $unit passed $ok, below its floor $min"; status=1
    grep -h '^\[err\]' "$logs/$(echo "$unit" | tr / _).log" 2>/dev/null | sed 's/^/  /'
  fi
done <"$logs/results.tsv"
echo "redis-suite $mode: $passed tests ok, $failed not yet at Redis's behaviour"
exit $status
