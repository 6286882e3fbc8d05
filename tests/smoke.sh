#!/usr/bin/env bash
# Smoke checks with the real Redis tools against a ferrodis binary:
# redis-benchmark (no error reply allowed: it exits 1 on the first one) and redis-cli modes.
set -euo pipefail
bin=${1:-target/release/ferrodis}
port=${PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
"$bin" --port "$port" --save "" --appendonly no --loglevel warning &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.05; done

fail() { echo "SMOKE FAIL: $*"; exit 1; }
t="ping,set,get,incr,mset"
for opts in "-P 1" "-P 16" "-3" "--dbnum 3"; do
  echo "-- redis-benchmark -q -n 100000 -t $t $opts"
  # shellcheck disable=SC2086
  redis-benchmark -p "$port" -q -n 100000 -t "$t" $opts </dev/null | tr "\r" "\n" | grep "requests per second" || fail "redis-benchmark $opts"
done

echo "-- redis-cli one-shot, -3, --pipe, --scan, --bigkeys"
[ "$(redis-cli -p "$port" set smoke:k v)" = "OK" ] || fail "redis-cli set"
[ "$(redis-cli -p "$port" get smoke:k)" = "v" ] || fail "redis-cli get"
[ "$(redis-cli -3 -p "$port" ping)" = "PONG" ] || fail "redis-cli -3"
out=$(printf 'SET pipe:1 a\r\nSET pipe:2 b\r\n' | redis-cli -p "$port" --pipe) || fail "--pipe: $out"
echo "$out" | grep -q "errors: 0, replies: 2" || fail "--pipe output: $out"
redis-cli -p "$port" --scan --pattern 'pipe:*' | sort | tr '\n' ' ' | grep -q "pipe:1 pipe:2" || fail "--scan"
redis-cli -p "$port" --bigkeys >/dev/null || fail "--bigkeys"
# redis-cli block-buffers a pipe: line-buffer it so the lines printed before timeout survive.
timeout 3 stdbuf -oL redis-cli -p "$port" --stat >/tmp/ferrodis-stat.$$ 2>&1 || true
grep -q "keys" /tmp/ferrodis-stat.$$ || fail "--stat: $(cat /tmp/ferrodis-stat.$$)"
rm -f /tmp/ferrodis-stat.$$
timeout 3 redis-cli -p "$port" --latency >/dev/null 2>&1 || [ $? -eq 124 ] || fail "--latency"

echo "-- SIGTERM shuts down cleanly"
kill -TERM $pid
for _ in $(seq 50); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
if kill -0 $pid 2>/dev/null; then fail "still running after SIGTERM"; fi
wait $pid || fail "exit status $? after SIGTERM"
trap - EXIT
echo "smoke: 1 passed, 0 failed"
