#!/bin/sh
# Regenerate the golden RDB files under tests/rdb/ with Debian's redis-server (7.0.x) and
# record each file's DEBUG DIGEST in tests/rdb/digests.txt ("file digest" per line).
#
# Files:
#   types.rdb        every type in its compact and its big encoding, expiries, two dbs,
#                    a function library (Redis 7.0 writes RDB version 10)
#   nocompress.rdb   the same data with rdbcompression no and rdbchecksum no
#   depth.rdb        a long list with list-compress-depth 1 (LZF-compressed quicklist nodes)
#   suite-*.rdb      older formats (ziplist, zipmap, intset, quicklist 1...) copied from the
#                    Redis test suite's assets (BSD-licensed test data); their digests are
#                    recorded by loading them in the same redis-server.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
assets=${ASSETS:-$here/../../../shared/redis-suite/suite/tests/assets}
port=${PORT:-7391}
work=$(mktemp -d)
trap 'redis-cli -p $port shutdown nosave >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

start() { # dbfilename [extra args...]
    f=$1; shift
    redis-server --port "$port" --dir "$work" --dbfilename "$f" --save '' \
        --enable-debug-command yes --daemonize yes --logfile "$work/log" "$@"
    i=0; until redis-cli -p "$port" ping >/dev/null 2>&1; do i=$((i+1)); [ $i -lt 100 ] || exit 1; sleep 0.05; done
}
stop() { redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true; sleep 0.2; }
cli() { redis-cli -p "$port" "$@"; }

populate() {
    cli set str hello >/dev/null; cli set int 12345 >/dev/null; cli set neg -9000000000 >/dev/null
    cli set long "$(printf 'lorem ipsum %.0s' $(seq 40))" >/dev/null
    cli set ttl v >/dev/null; cli pexpireat ttl 4102444800000 >/dev/null
    cli rpush list a b 1 -2 300 70000 "$(printf 'x%.0s' $(seq 100))" >/dev/null
    cli hset hash f v n 12 >/dev/null
    cli sadd iset 1 2 3 -40000 5000000000 >/dev/null
    cli sadd sset a b c >/dev/null
    cli zadd zset 1.5 a 2 b -3 c inf d >/dev/null
    i=0; while [ $i -lt 300 ]; do
        echo "rpush biglist item-$i"; echo "hset bighash field-$i value-$i"
        echo "sadd bigset member-$i"; echo "sadd bigiset $((i*3))"
        echo "zadd bigzset $i.25 member-$i"; echo "xadd stream $((i+1))-1 f v$i n $i"
        i=$((i+1))
    done | cli >/dev/null
    cli xdel stream 5-1 >/dev/null
    cli xgroup create stream g1 0 >/dev/null
    cli xgroup create stream g2 '$' >/dev/null
    cli xreadgroup group g1 alice count 3 streams stream '>' >/dev/null
    cli xreadgroup group g1 bob count 2 streams stream '>' >/dev/null
    cli xadd emptystream 1-1 a b >/dev/null; cli xdel emptystream 1-1 >/dev/null
    cli function load "#!lua name=golden
redis.register_function('golden', function() return 1 end)" >/dev/null
    cli select 3 >/dev/null
    printf 'select 3\nset in-db3 yes\nrpush l3 x\n' | cli >/dev/null
}

record() { echo "$1 $(cli debug digest)" >> "$here/digests.txt.new"; }

: > "$here/digests.txt.new"
start types.rdb; populate; cli save >/dev/null; cp "$work/types.rdb" "$here/"; record types.rdb; stop
start nocompress.rdb --rdbcompression no --rdbchecksum no; populate; cli save >/dev/null
cp "$work/nocompress.rdb" "$here/"; record nocompress.rdb; stop
start depth.rdb --list-compress-depth 1
i=0; while [ $i -lt 2000 ]; do echo "rpush deep value:$((i % 100))"; i=$((i+1)); done | cli >/dev/null
cli save >/dev/null; cp "$work/depth.rdb" "$here/"; record depth.rdb; stop
for a in encodings hash-ziplist hash-zipmap list-quicklist zset-ziplist scriptbackup; do
    cp "$assets/$a.rdb" "$work/suite-$a.rdb"; cp "$assets/$a.rdb" "$here/suite-$a.rdb"
    start "suite-$a.rdb"; record "suite-$a.rdb"; stop
done
mv "$here/digests.txt.new" "$here/digests.txt"
cat "$here/digests.txt"
