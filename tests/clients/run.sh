#!/usr/bin/env bash
# Real client libraries against a ferrodis binary: redis-py in RESP2 and RESP3, and BullMQ.
# A library that cannot be installed here is reported as skipped; one that runs must pass.
set -uo pipefail
bin=${1:-target/release/ferrodis}
here=$(cd "$(dirname "$0")" && pwd)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" --port "$port" --save "" --appendonly no --loglevel warning &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.05; done
status=0
if python3 -c 'import redis' 2>/dev/null || pip install -q redis >/dev/null 2>&1; then
  for proto in 2 3; do
    timeout 60 python3 "$here/redis_py.py" "$port" "$proto" || { echo "CLIENT FAIL: redis-py RESP$proto"; status=1; }
  done
else
  echo "redis-py not installable here: skipped"
fi
modules=${FERRODIS_NODE_MODULES:-/tmp/ferrodis-node}
if command -v node >/dev/null && { [ -d "$modules/node_modules/bullmq" ] || \
    (mkdir -p "$modules" && cd "$modules" && timeout 300 npm install --silent bullmq@5 >/dev/null 2>&1); }; then
  NODE_PATH="$modules/node_modules" timeout 90 node "$here/bullmq.js" "$port" || { echo "CLIENT FAIL: bullmq"; status=1; }
else
  echo "node or bullmq not available here: skipped"
fi
exit $status
