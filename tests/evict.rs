//! maxmemory and the eviction policies, against the binary as a child process: only there is
//! the counting allocator installed, so `used_memory` is what eviction works with.
mod common;

use common::process::{scratch_dir, spawn, Proc};
use redis::{Connection, Value};

const OOM: &str = "OOM command not allowed when used memory > 'maxmemory'.";

fn server(name: &str) -> Proc {
    spawn(&scratch_dir(name), &["--enable-debug-command", "yes"])
}

fn cmd(c: &mut Connection, args: &[&str]) -> Result<Value, String> {
    let mut k = redis::cmd(args[0]);
    for a in &args[1..] {
        k.arg(*a);
    }
    k.query::<Value>(c).map_err(|e| {
        // The redis crate splits "CODE message"; put Redis's text back together.
        match (e.code(), e.detail()) {
            (Some(code), Some(d)) => format!("{code} {d}"),
            _ => e.to_string(),
        }
    })
}

fn ok(c: &mut Connection, args: &[&str]) -> Value {
    cmd(c, args).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

fn info_field(c: &mut Connection, field: &str) -> u64 {
    let text: String = redis::cmd("INFO").arg("all").query(c).unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .unwrap_or_else(|| panic!("no {field}"))
        .trim()
        .parse()
        .unwrap()
}

fn exists(c: &mut Connection, key: &str) -> bool {
    matches!(ok(c, &["EXISTS", key]), Value::Int(1))
}

/// Set maxmemory `bytes` below what is used now, so that eviction runs at once.
fn squeeze(c: &mut Connection, bytes: u64) {
    let used = info_field(c, "used_memory");
    ok(c, &["CONFIG", "SET", "maxmemory", &(used - bytes).to_string()]);
}

/// `n` keys `prefix:i` with 100-byte values, `ttl` seconds (0: none) plus `i` when `ttl_step`.
fn fill(c: &mut Connection, prefix: &str, n: usize, ttl: u64, ttl_step: bool) {
    let mut p = redis::pipe();
    let v = "v".repeat(100);
    for i in 0..n {
        let key = format!("{prefix}:{i}");
        if ttl == 0 {
            p.cmd("SET").arg(&key).arg(&v).ignore();
        } else {
            let t = if ttl_step { ttl + i as u64 } else { ttl };
            p.cmd("SET").arg(&key).arg(&v).arg("EX").arg(t).ignore();
        }
    }
    p.query::<()>(c).unwrap();
}

fn surviving(c: &mut Connection, prefix: &str, n: usize) -> usize {
    (0..n).filter(|i| exists(c, &format!("{prefix}:{i}"))).count()
}

#[test]
fn noeviction_refuses_denyoom_commands_and_keeps_reads() {
    let s = server("evict-noeviction");
    let mut c = s.conn();
    fill(&mut c, "k", 500, 0, false);
    ok(&mut c, &["CONFIG", "SET", "maxmemory", "1"]);
    assert_eq!(cmd(&mut c, &["SET", "x", "1"]), Err(OOM.to_string()));
    assert_eq!(cmd(&mut c, &["LPUSH", "l", "1"]), Err(OOM.to_string()));
    // Reads and deletions still run; nothing was evicted.
    assert!(exists(&mut c, "k:1"));
    assert_eq!(ok(&mut c, &["DEL", "k:1"]), Value::Int(1));
    assert_eq!(ok(&mut c, &["DBSIZE"]), Value::Int(499));
    assert_eq!(info_field(&mut c, "evicted_keys"), 0);
    assert!(info_field(&mut c, "current_eviction_exceeded_time") < 1_000_000);
    // The warning Redis logs when the new limit is below the memory in use.
    assert!(s.log_text().contains(
        "WARNING: the new maxmemory value set via CONFIG SET (1) is smaller than the current memory usage"
    ));
    ok(&mut c, &["CONFIG", "SET", "maxmemory", "0"]);
    ok(&mut c, &["SET", "x", "1"]);
}

#[test]
fn allkeys_policies_evict_any_key_until_under_the_limit() {
    let s = server("evict-allkeys");
    let mut c = s.conn();
    for policy in ["allkeys-random", "allkeys-lru", "allkeys-lfu"] {
        ok(&mut c, &["FLUSHALL"]);
        ok(&mut c, &["CONFIG", "SET", "maxmemory", "0"]);
        ok(&mut c, &["CONFIG", "SET", "maxmemory-policy", policy]);
        fill(&mut c, "k", 3000, 0, false);
        squeeze(&mut c, 100 * 1024);
        let left = surviving(&mut c, "k", 3000);
        assert!(left > 0 && left < 3000, "{policy}: {left} keys left");
        let max = info_field(&mut c, "maxmemory");
        assert!(info_field(&mut c, "used_memory") <= max + 16 * 1024, "{policy}");
        // Writes keep working: each makes room first.
        for i in 0..200 {
            ok(&mut c, &["SET", &format!("n:{i}"), &"v".repeat(100)]);
        }
        assert!(info_field(&mut c, "evicted_keys") > 0);
    }
}

#[test]
fn volatile_policies_evict_only_keys_with_a_ttl() {
    let s = server("evict-volatile");
    let mut c = s.conn();
    for policy in ["volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"] {
        ok(&mut c, &["FLUSHALL"]);
        ok(&mut c, &["CONFIG", "SET", "maxmemory", "0"]);
        ok(&mut c, &["CONFIG", "SET", "maxmemory-policy", policy]);
        fill(&mut c, "p", 1000, 0, false);
        fill(&mut c, "v", 1000, 10_000, false);
        squeeze(&mut c, 50 * 1024);
        assert_eq!(surviving(&mut c, "p", 1000), 1000, "{policy} evicted a persistent key");
        let v = surviving(&mut c, "v", 1000);
        assert!(v < 1000, "{policy}: nothing evicted");
        // Out of volatile keys: writes are refused, persistent keys stay. While the eviction
        // goes on from the loop (its time budget ran out) writes are still taken.
        ok(&mut c, &["CONFIG", "SET", "maxmemory", "1"]);
        let refused = (0..100_000).any(|_| cmd(&mut c, &["SET", "x", "1"]).is_err());
        assert!(refused, "{policy}");
        assert_eq!(cmd(&mut c, &["SET", "x", "1"]), Err(OOM.to_string()), "{policy}");
        assert_eq!(surviving(&mut c, "v", 1000), 0, "{policy}");
        assert_eq!(surviving(&mut c, "p", 1000), 1000, "{policy}");
    }
}

#[test]
fn volatile_ttl_evicts_the_nearest_expiry_first() {
    let s = server("evict-ttl");
    let mut c = s.conn();
    ok(&mut c, &["CONFIG", "SET", "maxmemory-policy", "volatile-ttl"]);
    // TTLs 1000 + i: the lower half expires first.
    fill(&mut c, "v", 2000, 1000, true);
    squeeze(&mut c, 100 * 1024);
    let low = surviving(&mut c, "v", 1000);
    let high = (1000..2000).filter(|i| exists(&mut c, &format!("v:{i}"))).count();
    assert!(low < 1000, "nothing evicted");
    // Sampling is approximate, as in Redis: far fewer far expiries go.
    let (gone_low, gone_high) = (1000 - low, 1000 - high);
    assert!(gone_high * 4 < gone_low, "evicted {gone_low} near, {gone_high} far expiries");
}

#[test]
fn lru_evicts_the_idle_keys() {
    let s = server("evict-lru");
    let mut c = s.conn();
    ok(&mut c, &["CONFIG", "SET", "maxmemory-policy", "allkeys-lru"]);
    fill(&mut c, "old", 1500, 0, false);
    // The LRU clock has a resolution of one second.
    std::thread::sleep(std::time::Duration::from_millis(2100));
    fill(&mut c, "new", 1500, 0, false);
    let idle = |c: &mut Connection, k: &str| match ok(c, &["OBJECT", "IDLETIME", k]) {
        Value::Int(n) => n,
        v => panic!("{v:?}"),
    };
    assert!(idle(&mut c, "old:0") >= 2 && idle(&mut c, "new:0") < 2);
    squeeze(&mut c, 100 * 1024);
    let old = surviving(&mut c, "old", 1500);
    let new = surviving(&mut c, "new", 1500);
    assert!(old < 1500, "nothing evicted");
    assert!(new > 1450, "recent keys evicted: {new} left, {old} idle ones left");
}

#[test]
fn lfu_evicts_the_cold_keys() {
    let s = server("evict-lfu");
    let mut c = s.conn();
    ok(&mut c, &["CONFIG", "SET", "maxmemory-policy", "allkeys-lfu", "lfu-log-factor", "0"]);
    // No decay: a minute boundary during the test must not lower the counters.
    ok(&mut c, &["CONFIG", "SET", "lfu-decay-time", "0"]);
    fill(&mut c, "cold", 1500, 0, false);
    fill(&mut c, "hot", 1500, 0, false);
    for _ in 0..10 {
        let mut p = redis::pipe();
        for i in 0..1500 {
            p.cmd("GET").arg(format!("hot:{i}")).ignore();
        }
        p.query::<()>(&mut c).unwrap();
    }
    assert_eq!(ok(&mut c, &["OBJECT", "FREQ", "hot:0"]), Value::Int(15));
    squeeze(&mut c, 100 * 1024);
    let cold = surviving(&mut c, "cold", 1500);
    let hot = surviving(&mut c, "hot", 1500);
    assert!(cold < 1500, "nothing evicted");
    assert!(hot > 1450, "frequent keys evicted: {hot} left, {cold} cold ones left");
}

#[test]
fn multi_exec_under_oom() {
    let s = server("evict-multi");
    let mut c = s.conn();
    let mut other = s.conn();
    ok(&mut c, &["SET", "x", "value"]);
    // Queued before OOM: a read-only transaction runs, one with a write is refused.
    ok(&mut c, &["MULTI"]);
    ok(&mut c, &["GET", "x"]);
    ok(&mut other, &["CONFIG", "SET", "maxmemory", "1"]);
    assert_eq!(ok(&mut c, &["EXEC"]), Value::Array(vec![Value::BulkString(b"value".to_vec())]));
    ok(&mut other, &["CONFIG", "SET", "maxmemory", "0"]);
    ok(&mut c, &["MULTI"]);
    ok(&mut c, &["SET", "x", "1"]);
    ok(&mut other, &["CONFIG", "SET", "maxmemory", "1"]);
    assert_eq!(
        cmd(&mut c, &["EXEC"]),
        Err(format!("EXECABORT Transaction discarded because of: {OOM}"))
    );
    // Inside MULTI under OOM every command but EXEC/DISCARD is refused, and dooms it.
    ok(&mut c, &["MULTI"]);
    assert_eq!(cmd(&mut c, &["GET", "x"]), Err(OOM.to_string()));
    assert_eq!(ok(&mut c, &["DISCARD"]), Value::Okay);
    ok(&mut c, &["MULTI"]);
    assert_eq!(cmd(&mut c, &["PING"]), Err(OOM.to_string()));
    let e = cmd(&mut c, &["EXEC"]).unwrap_err();
    assert!(e.starts_with("EXECABORT Transaction discarded because of previous errors"), "{e}");
    ok(&mut other, &["CONFIG", "SET", "maxmemory", "0"]);
}

#[test]
fn scripts_under_oom() {
    let s = server("evict-scripts");
    let mut c = s.conn();
    ok(&mut c, &["SET", "x", "123"]);
    ok(&mut c, &["CONFIG", "SET", "maxmemory", "1"]);
    // Compatibility mode: the first denyoom command fails, reads run.
    let e = cmd(&mut c, &["EVAL", "return redis.call('set','x',1)", "1", "x"]).unwrap_err();
    assert!(e.starts_with(OOM), "{e}");
    let t = "local t = redis.pcall('set','x','y') return t['err']";
    assert_eq!(ok(&mut c, &["EVAL", t, "1", "x"]), Value::BulkString(OOM.as_bytes().to_vec()));
    assert_eq!(
        ok(&mut c, &["EVAL", "return redis.call('get','x')", "1", "x"]),
        Value::BulkString(b"123".to_vec())
    );
    // Declared flags: refused before running unless allow-oom or no-writes.
    assert_eq!(cmd(&mut c, &["EVAL", "#!lua flags=\nreturn 1", "0"]), Err(OOM.to_string()));
    assert_eq!(ok(&mut c, &["EVAL", "#!lua flags=no-writes\nreturn 1", "0"]), Value::Int(1));
    let w = "#!lua flags=allow-oom\nredis.call('set','x',1) return 1";
    assert_eq!(ok(&mut c, &["EVAL", w, "1", "x"]), Value::Int(1));
    // Functions: FUNCTION LOAD is denyoom; a function without allow-oom is refused.
    let lib = "#!lua name=t\nredis.register_function('f', function() return redis.call('set','x','1') end)";
    assert_eq!(cmd(&mut c, &["FUNCTION", "LOAD", lib]), Err(OOM.to_string()));
    ok(&mut c, &["CONFIG", "SET", "maxmemory", "0"]);
    ok(&mut c, &["FUNCTION", "LOAD", lib]);
    ok(&mut c, &["CONFIG", "SET", "maxmemory", "1"]);
    let e = cmd(&mut c, &["FCALL", "f", "1", "x"]).unwrap_err();
    assert!(e.starts_with("OOM ") && e.contains("when used memory > 'maxmemory'"), "{e}");
    let errs: String = redis::cmd("INFO").arg("errorstats").query(&mut c).unwrap();
    assert!(errs.contains("errorstat_OOM:count="), "{errs}");
    ok(&mut c, &["CONFIG", "SET", "maxmemory", "0"]);
}

#[test]
fn evictions_notify_and_touch_watchers() {
    let s = server("evict-events");
    let mut c = s.conn();
    ok(
        &mut c,
        &["CONFIG", "SET", "notify-keyspace-events", "Ee", "maxmemory-policy", "allkeys-random"],
    );
    fill(&mut c, "k", 200, 0, false);
    let mut sub = s.conn();
    let mut ps = sub.as_pubsub();
    ps.subscribe("__keyevent@0__:evicted").unwrap();
    let mut w = s.conn();
    ok(&mut w, &["WATCH", "k:0"]);
    ok(&mut w, &["MULTI"]);
    ok(&mut w, &["PING"]);
    ok(&mut c, &["CONFIG", "SET", "maxmemory", "1"]);
    assert_eq!(ok(&mut c, &["DBSIZE"]), Value::Int(0));
    assert_eq!(info_field(&mut c, "evicted_keys"), 200);
    let mut keys: Vec<String> =
        (0..200).map(|_| ps.get_message().unwrap().get_payload::<String>().unwrap()).collect();
    keys.sort();
    let mut want: Vec<String> = (0..200).map(|i| format!("k:{i}")).collect();
    want.sort();
    assert_eq!(keys, want);
    // The watched key was evicted: the transaction fails.
    assert_eq!(ok(&mut w, &["EXEC"]), Value::Nil);
    // CONFIG RESETSTAT clears the counters.
    ok(&mut c, &["CONFIG", "SET", "maxmemory", "0"]);
    ok(&mut c, &["CONFIG", "RESETSTAT"]);
    assert_eq!(info_field(&mut c, "evicted_keys"), 0);
    assert_eq!(info_field(&mut c, "total_eviction_exceeded_time"), 0);
}

#[test]
fn lazyfree_eviction_frees_big_values_and_still_gets_under() {
    let s = server("evict-lazy");
    let mut c = s.conn();
    ok(
        &mut c,
        &["CONFIG", "SET", "lazyfree-lazy-eviction", "yes", "maxmemory-policy", "allkeys-lru"],
    );
    // Sets of 150 members (hash tables): costly enough to free on the lazyfree thread.
    for i in 0..200 {
        let mut p = redis::pipe();
        for j in 0..150 {
            p.cmd("SADD").arg(format!("s:{i}")).arg(format!("member:{j}")).ignore();
        }
        p.query::<()>(&mut c).unwrap();
    }
    squeeze(&mut c, 300 * 1024);
    // Memory comes back from the helper thread a little later; writes get through once it
    // has (a bounded number of tries, not a timing).
    let mut written = false;
    for _ in 0..100_000 {
        if cmd(&mut c, &["SET", "after", "1"]).is_ok() {
            written = true;
            break;
        }
    }
    assert!(written, "still out of memory");
    // The freed memory shows up late, so more may go than strictly needed (Redis checks
    // the memory every 16 keys); but some went, through the helper thread.
    let left = surviving(&mut c, "s", 200);
    assert!(left < 200, "{left} sets left");
    assert!(info_field(&mut c, "lazyfreed_objects") > 0);
}

#[test]
fn maxmemory_with_units_at_startup() {
    let s = spawn(
        &scratch_dir("evict-startup"),
        &["--maxmemory", "100mb", "--maxmemory-policy", "allkeys-lru"],
    );
    let mut c = s.conn();
    assert_eq!(info_field(&mut c, "maxmemory"), 100 * 1024 * 1024);
    let text: String = redis::cmd("INFO").arg("memory").query(&mut c).unwrap();
    assert!(text.contains("maxmemory_human:100.00M\r\n"), "{text}");
    assert!(text.contains("maxmemory_policy:allkeys-lru\r\n"), "{text}");
    assert!(text.contains("mem_not_counted_for_evict:0\r\n"), "{text}");
}

#[test]
fn invalidation_of_an_evicted_key_precedes_the_reply() {
    use std::io::{Read, Write};
    let s = server("evict-tracking");
    let mut c = s.conn();
    let mut t = std::net::TcpStream::connect(("127.0.0.1", s.port)).unwrap();
    t.set_read_timeout(Some(std::time::Duration::from_secs(2))).unwrap();
    let call = |t: &mut std::net::TcpStream, args: &[&str], want: &str| {
        let args: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
        t.write_all(&common::resp(&args)).unwrap();
        let mut got = Vec::new();
        let mut buf = [0u8; 4096];
        while got.len() < want.len() {
            let n = t.read(&mut buf).unwrap();
            assert!(n > 0);
            got.extend_from_slice(&buf[..n]);
        }
        assert_eq!(String::from_utf8_lossy(&got), want, "{args:?}");
    };
    t.write_all(&common::resp(&[b"HELLO", b"3"])).unwrap();
    let mut hello = [0u8; 4096];
    let _ = t.read(&mut hello).unwrap();
    call(&mut t, &["CLIENT", "TRACKING", "on"], "+OK\r\n");
    ok(&mut c, &["CONFIG", "SET", "maxmemory-policy", "volatile-random"]);
    let used = info_field(&mut c, "used_memory");
    ok(&mut c, &["CONFIG", "SET", "maxmemory", &(used + 100 * 1024).to_string()]);
    call(&mut t, &["SETEX", "volatile-key", "10000", "x"], "+OK\r\n");
    call(&mut t, &["GET", "volatile-key"], "$1\r\nx\r\n");
    // 200 KB past the limit: the next command evicts the volatile key first.
    call(&mut t, &["SETBIT", "big-key", "1600000", "0"], ":0\r\n");
    call(
        &mut t,
        &["GETBIT", "big-key", "0"],
        ">2\r\n$10\r\ninvalidate\r\n*1\r\n$12\r\nvolatile-key\r\n:0\r\n",
    );
}
