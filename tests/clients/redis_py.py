#!/usr/bin/env python3
"""redis-py against a running server: the calls real applications make (pipelines with
MULTI, Lock, scan_iter, Pub/Sub, WATCH, streams, scripts), in the protocol given.

    python3 tests/clients/redis_py.py PORT 2|3
"""
import redis, time, threading, sys
port=int(sys.argv[1]); proto=int(sys.argv[2])
r = redis.Redis(port=port, protocol=proto, decode_responses=True)
r.flushall()
assert r.ping()
r.set("a", "1", ex=100); assert r.get("a") == "1"; assert 0 < r.ttl("a") <= 100
p = r.pipeline(transaction=True); p.incr("c"); p.incr("c"); p.get("c"); assert p.execute() == [1, 2, "2"]
# lock
lock = r.lock("lk", timeout=5); assert lock.acquire(blocking=False); assert lock.extend(5); lock.release()
# scan_iter
for i in range(50): r.set(f"k:{i}", i)
assert len(list(r.scan_iter("k:*", count=7))) == 50
r.hset("h", mapping={"f1": "v1", "f2": "v2"}); assert r.hgetall("h") == {"f1": "v1", "f2": "v2"}
r.zadd("z", {"a": 1, "b": 2}); assert [list(x) for x in r.zrange("z", 0, -1, withscores=True)] == [["a", 1.0], ["b", 2.0]]
assert r.sadd("s", "x", "y") == 2 and r.smembers("s") == {"x", "y"}
r.rpush("l", 1, 2, 3); assert r.lrange("l", 0, -1) == ["1", "2", "3"]
v = r.blpop(["l"], timeout=1); assert list(v) == ["l", "1"], v
# pubsub
ps = r.pubsub(); ps.subscribe("ch"); 
msg = ps.get_message(timeout=1)
r.publish("ch", "hello")
got = None
for _ in range(20):
    m = ps.get_message(timeout=0.2)
    if m and m["type"] == "message": got = m["data"]; break
assert got == "hello", got
ps.close()
# watch
with r.pipeline() as p:
    p.watch("w"); p.multi(); p.set("w", 1); p.execute()
# streams
r.xadd("st", {"a": "1"}, id="1-1"); r.xgroup_create("st", "g", id="0")
res = r.xreadgroup("g", "c", {"st": ">"}, count=10)
assert res, res
assert r.xack("st", "g", "1-1") == 1
# scripts
s = r.register_script("return redis.call('get', KEYS[1])"); assert s(keys=["a"]) == "1"
assert r.eval("return {1,2,'x'}", 0) == [1, 2, "x"]
# info / client
assert r.info()["redis_version"] == "7.0.15"
r.client_setname("py"); assert r.client_getname() == "py"
assert r.pfadd("hl", "a", "b") == 1 and r.pfcount("hl") == 2
r.geoadd("g", (13.361389, 38.115556, "Palermo")); assert r.geopos("g", "Palermo")[0] is not None
print(f"redis-py-resp{proto}: 1 passed, 0 failed")
