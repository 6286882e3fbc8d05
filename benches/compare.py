#!/usr/bin/env python3
"""ferrodis vs redis-server, side by side in one run.

Both servers are pinned to core 0 and redis-benchmark to core 1; tests alternate A/B and B/A
over 3 rounds. For each test it prints throughput and server CPU time per request (from
/proc/PID/task/*/schedstat, nanosecond resolution) as ratios ferrodis/redis, then the RSS
growth per key after 1M SETs of 16-byte keys with 3-byte values.

    cargo build --release && python3 benches/compare.py [--tests ping,set,get] [-n 200000]
    python3 benches/compare.py --tests lpush,rpush,lpop,rpop,sadd,hset,spop,zadd,zpopmin,\
        lrange_100,lrange_300,lrange_500,lrange_600 --keys 0 --members 1000000
"""
import argparse
import os
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def cpu_ns(pid):
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                total += int(f.read().split()[0])
        except OSError:
            pass
    return total


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def start(kind, port):
    if kind == "redis":
        cmd = ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no", "--bind", "127.0.0.1"]
    else:
        cmd = [os.path.join(ROOT, "target/release/ferrodis"), "--port", str(port), "--save", "", "--appendonly", "no"]
    p = subprocess.Popen(["taskset", "-c", "0"] + cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return p
        except OSError:
            time.sleep(0.02)
    raise SystemExit(f"{kind} did not start")


def bench(port, test, n, pipeline, clients):
    out = subprocess.run(
        ["taskset", "-c", "1", "redis-benchmark", "-p", str(port), "-n", str(n), "-P", str(pipeline),
         "-c", str(clients), "-t", test, "--csv", "-q"],
        capture_output=True, text=True, check=True).stdout
    for line in out.strip().splitlines()[1:]:
        fields = [x.strip('"') for x in line.split(",")]
        return float(fields[1])
    raise SystemExit(f"no result for {test}: {out}")


def redis_cli(port, *args, stdin=None):
    return subprocess.run(["redis-cli", "-p", str(port)] + list(args), input=stdin,
                          capture_output=True, check=True).stdout


def memory_per_key(kind, nkeys):
    port = free_port()
    p = start(kind, port)
    try:
        time.sleep(0.2)
        before = rss_kb(p.pid)
        payload = b"".join(b"*3\r\n$3\r\nSET\r\n$16\r\nkey:%012d\r\n$3\r\nxxx\r\n" % i for i in range(nkeys))
        redis_cli(port, "--pipe", stdin=payload)
        keys = int(redis_cli(port, "dbsize").strip())
        time.sleep(2)  # RSS once idle: both allocators may hand back a burst's pages
        after = rss_kb(p.pid)
        return (after - before) * 1024 / max(keys, 1), keys
    finally:
        p.terminate()
        p.wait()


def memory_per_element(kind, what, n):
    """RSS growth per element after adding n members to one hash, set or sorted set."""
    port = free_port()
    p = start(kind, port)
    try:
        time.sleep(0.2)
        before = rss_kb(p.pid)
        def cmd(i):
            m = b"member:%012d" % i
            if what == "hash":
                return b"*4\r\n$4\r\nHSET\r\n$1\r\nh\r\n$19\r\n%s\r\n$3\r\nxxx\r\n" % m
            if what == "set":
                return b"*3\r\n$4\r\nSADD\r\n$1\r\ns\r\n$19\r\n%s\r\n" % m
            return b"*4\r\n$4\r\nZADD\r\n$1\r\nz\r\n$%d\r\n%d\r\n$19\r\n%s\r\n" % (len(str(i)), i, m)
        for start_i in range(0, n, 100000):
            redis_cli(port, "--pipe", stdin=b"".join(cmd(i) for i in range(start_i, min(n, start_i + 100000))))
        card = {"hash": "hlen", "set": "scard", "zset": "zcard"}[what]
        count = int(redis_cli(port, card, what[0]).strip())
        time.sleep(2)  # RSS once idle, as above
        after = rss_kb(p.pid)
        return (after - before) * 1024 / max(count, 1), count
    finally:
        p.terminate()
        p.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tests", default="ping_mbulk,set,get,incr,mset")
    ap.add_argument("-n", type=int, default=200000)
    ap.add_argument("-c", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--pipelines", default="1,16")
    ap.add_argument("--keys", type=int, default=1000000)
    ap.add_argument("--members", type=int, default=0,
                    help="also measure RSS per element of one hash, set and sorted set of N members")
    args = ap.parse_args()

    ports = {"redis": free_port(), "ferrodis": free_port()}
    procs = {k: start(k, p) for k, p in ports.items()}
    results = {}  # (test, P, kind) -> list of (rps, ns/req)
    try:
        for rnd in range(args.rounds):
            order = ["redis", "ferrodis"] if rnd % 2 == 0 else ["ferrodis", "redis"]
            for pl in [int(x) for x in args.pipelines.split(",")]:
                for test in args.tests.split(","):
                    for kind in order:
                        n = args.n * (4 if pl > 1 else 1)
                        c0 = cpu_ns(procs[kind].pid)
                        rps = bench(ports[kind], test, n, pl, args.c)
                        ns = (cpu_ns(procs[kind].pid) - c0) / n
                        results.setdefault((test, pl, kind), []).append((rps, ns))
    finally:
        for p in procs.values():
            p.terminate()
            p.wait()

    def med(xs):
        xs = sorted(xs)
        return xs[len(xs) // 2]

    print(f"# {time.strftime('%Y-%m-%d')} {os.uname().nodename} {os.cpu_count()} cpus; "
          f"{args.rounds} rounds, -c {args.c}, medians")
    print(f"{'test':<12}{'P':>4}{'rps ratio':>12}{'cpu/req ratio':>15}{'redis us/req':>14}{'ours us/req':>13}")
    for pl in [int(x) for x in args.pipelines.split(",")]:
        for test in args.tests.split(","):
            r = results[(test, pl, "redis")]
            f = results[(test, pl, "ferrodis")]
            rr, fr = med([x[0] for x in r]), med([x[0] for x in f])
            rc, fc = med([x[1] for x in r]), med([x[1] for x in f])
            print(f"{test:<12}{pl:>4}{fr / rr:>12.2f}{fc / rc:>15.2f}{rc / 1000:>14.3f}{fc / 1000:>13.3f}")
    if args.keys:
        rb, rk = memory_per_key("redis", args.keys)
        fb, fk = memory_per_key("ferrodis", args.keys)
        print(f"memory/key after {args.keys} SETs (16-byte key, 3-byte value): redis {rb:.1f} B ({rk} keys), "
              f"ferrodis {fb:.1f} B ({fk} keys), ratio {fb / rb:.2f}")
    for what in (["hash", "set", "zset"] if args.members else []):
        rb, rk = memory_per_element("redis", what, args.members)
        fb, fk = memory_per_element("ferrodis", what, args.members)
        print(f"memory/element of one {what} of {args.members} 19-byte members: redis {rb:.1f} B ({rk}), "
              f"ferrodis {fb:.1f} B ({fk}), ratio {fb / rb:.2f}")


if __name__ == "__main__":
    sys.exit(main())
