//! Keyspace family (DEL UNLINK EXISTS TYPE RENAME RENAMENX KEYS SCAN RANDOMKEY TOUCH COPY MOVE
//! SWAPDB DBSIZE FLUSHDB FLUSHALL) and OBJECT, in RESP2 and RESP3, checked against the replies
//! Redis 7.0.15 gives byte for byte.

mod common;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use common::{exp, q, raw, resp, Raw, TestServer};

fn null(resp3: bool) -> &'static str {
    if resp3 {
        "_\r\n"
    } else {
        "$-1\r\n"
    }
}

/// Run `f` once per protocol, each time on a fresh connection and an empty server.
fn both(srv: &TestServer, f: impl Fn(&mut Raw, bool)) {
    for resp3 in [false, true] {
        let mut c = raw(srv, resp3);
        exp(&mut c, &["FLUSHALL"], "+OK\r\n");
        f(&mut c, resp3);
    }
}

#[test]
fn del_and_unlink_count_removed_keys() {
    let srv = common::start();
    both(&srv, |c, _| {
        for name in ["DEL", "UNLINK"] {
            exp(
                c,
                &[name],
                &format!(
                    "-ERR wrong number of arguments for '{}' command\r\n",
                    name.to_lowercase()
                ),
            );
            exp(c, &["SET", "a", "1"], "+OK\r\n");
            exp(c, &["SET", "b", "2"], "+OK\r\n");
            exp(c, &[name, "a", "a", "b", "nokey"], ":2\r\n");
            exp(c, &[name, "a"], ":0\r\n");
            exp(c, &["EXISTS", "a", "b"], ":0\r\n");
        }
    });
}

#[test]
fn exists_counts_every_argument_including_duplicates() {
    let srv = common::start();
    both(&srv, |c, _| {
        exp(c, &["EXISTS"], "-ERR wrong number of arguments for 'exists' command\r\n");
        exp(c, &["SET", "k", "v"], "+OK\r\n");
        exp(c, &["EXISTS", "k", "k", "nokey", "k"], ":3\r\n");
        exp(c, &["EXISTS", "nokey"], ":0\r\n");
    });
}

#[test]
fn type_replies_with_a_status_line() {
    let srv = common::start();
    both(&srv, |c, _| {
        exp(c, &["TYPE", "k"], "+none\r\n");
        exp(c, &["SET", "k", "v"], "+OK\r\n");
        exp(c, &["TYPE", "k"], "+string\r\n");
        exp(c, &["SET", "n", "12"], "+OK\r\n");
        exp(c, &["TYPE", "n"], "+string\r\n");
        exp(c, &["TYPE", "a", "b"], "-ERR wrong number of arguments for 'type' command\r\n");
    });
}

#[test]
fn rename_and_renamenx_follow_redis_rules() {
    let srv = common::start();
    both(&srv, |c, _| {
        exp(c, &["RENAME", "nokey", "x"], "-ERR no such key\r\n");
        exp(c, &["RENAME", "nokey", "nokey"], "-ERR no such key\r\n");
        exp(c, &["RENAMENX", "nokey", "x"], "-ERR no such key\r\n");
        exp(c, &["RENAMENX", "nokey", "nokey"], "-ERR no such key\r\n");
        exp(c, &["SET", "s", "v"], "+OK\r\n");
        exp(c, &["RENAME", "s", "s"], "+OK\r\n");
        exp(c, &["RENAMENX", "s", "s"], ":0\r\n");
        exp(c, &["RENAME", "s", "t"], "+OK\r\n");
        exp(c, &["EXISTS", "s"], ":0\r\n");
        exp(c, &["GET", "t"], "$1\r\nv\r\n");
        // Overwrite keeps the source's value and TTL, dropping the target's.
        exp(c, &["SET", "u", "old"], "+OK\r\n");
        exp(c, &["PEXPIRE", "t", "200000"], ":1\r\n");
        exp(c, &["RENAME", "t", "u"], "+OK\r\n");
        exp(c, &["GET", "u"], "$1\r\nv\r\n");
        exp(c, &["EXPIRE", "u", "100", "GT"], ":0\r\n");
        exp(c, &["EXPIRE", "u", "99", "LT"], ":1\r\n");
        exp(c, &["SET", "w", "x"], "+OK\r\n");
        exp(c, &["RENAMENX", "u", "w"], ":0\r\n");
        exp(c, &["RENAMENX", "u", "fresh"], ":1\r\n");
        exp(c, &["TTL", "fresh"], ":99\r\n");
        exp(c, &["RENAME", "a"], "-ERR wrong number of arguments for 'rename' command\r\n");
    });
}

#[test]
fn keys_matches_patterns_and_hides_expired_keys() {
    let srv = common::start();
    let mut c = srv.conn();
    for k in ["user:1", "user:2", "other", "a\\b"] {
        let _: () = q(&mut c, &["SET", k, "v"]);
    }
    let mut got: Vec<String> = q(&mut c, &["KEYS", "user:*"]);
    got.sort();
    assert_eq!(got, ["user:1", "user:2"]);
    let got: Vec<String> = q(&mut c, &["KEYS", "*ther"]);
    assert_eq!(got, ["other"]);
    let got: Vec<String> = q(&mut c, &["KEYS", "user:[^1]"]);
    assert_eq!(got, ["user:2"]);
    let got: Vec<String> = q(&mut c, &["KEYS", "a\\\\b"]);
    assert_eq!(got, ["a\\b"]);
    let got: Vec<String> = q(&mut c, &["KEYS", "USER*"]);
    assert!(got.is_empty());
    let all: Vec<String> = q(&mut c, &["KEYS", "*"]);
    assert_eq!(all.len(), 4);

    let _: i64 = q(&mut c, &["PEXPIRE", "other", "1"]);
    std::thread::sleep(Duration::from_millis(20));
    let all: Vec<String> = q(&mut c, &["KEYS", "*"]);
    assert_eq!(all.len(), 3, "{all:?}");

    both(&srv, |c, _| {
        exp(c, &["KEYS", "*"], "*0\r\n");
        exp(c, &["SET", "k", "v"], "+OK\r\n");
        exp(c, &["KEYS", "*"], "*1\r\n$1\r\nk\r\n");
        exp(c, &["KEYS", "x"], "*0\r\n");
        exp(c, &["KEYS"], "-ERR wrong number of arguments for 'keys' command\r\n");
    });
}

#[test]
fn keys_with_pathological_patterns_completes() {
    let srv = common::start();
    let mut c = srv.conn();
    let long = "a".repeat(2000);
    let _: () = q(&mut c, &["SET", &long, "v"]);
    let pattern = format!("{}b", "*a".repeat(500));
    let got: Vec<String> = q(&mut c, &["KEYS", &pattern]);
    assert!(got.is_empty());
    let got: Vec<Vec<u8>> = redis::cmd("SCAN")
        .arg(0)
        .arg("MATCH")
        .arg(&pattern)
        .query::<(String, Vec<Vec<u8>>)>(&mut c)
        .unwrap()
        .1;
    assert!(got.is_empty());
}

#[test]
fn scan_argument_errors() {
    let srv = common::start();
    both(&srv, |c, _| {
        for bad in ["x", " 0", "0 ", "0x1", "1.0", "+", "-", "18446744073709551616"] {
            exp(c, &["SCAN", bad], "-ERR invalid cursor\r\n");
        }
        exp(c, &["SCAN", "x", "COUNT", "0"], "-ERR invalid cursor\r\n");
        exp(c, &["SCAN", "0", "COUNT", "0"], "-ERR syntax error\r\n");
        exp(c, &["SCAN", "0", "COUNT", "-1"], "-ERR syntax error\r\n");
        exp(c, &["SCAN", "0", "COUNT", "x"], "-ERR value is not an integer or out of range\r\n");
        exp(c, &["SCAN", "0", "COUNT"], "-ERR syntax error\r\n");
        exp(c, &["SCAN", "0", "MATCH"], "-ERR syntax error\r\n");
        exp(c, &["SCAN", "0", "TYPE"], "-ERR syntax error\r\n");
        exp(c, &["SCAN", "0", "FOO", "bar"], "-ERR syntax error\r\n");
        exp(c, &["SCAN"], "-ERR wrong number of arguments for 'scan' command\r\n");
        // strtoul accepts these.
        for ok in ["0", "", "+0", "-0"] {
            exp(c, &["SCAN", ok], "*2\r\n$1\r\n0\r\n*0\r\n");
        }
    });
}

#[test]
fn scan_reply_shape_match_count_and_type() {
    let srv = common::start();
    both(&srv, |c, _| {
        exp(c, &["SET", "only", "v"], "+OK\r\n");
        exp(c, &["SET", "other", "w"], "+OK\r\n");
        exp(
            c,
            &["SCAN", "0", "MATCH", "on*", "COUNT", "100"],
            "*2\r\n$1\r\n0\r\n*1\r\n$4\r\nonly\r\n",
        );
        exp(c, &["SCAN", "0", "MATCH", "x*", "COUNT", "100"], "*2\r\n$1\r\n0\r\n*0\r\n");
        exp(
            c,
            &["SCAN", "0", "TYPE", "STRING", "MATCH", "ot*"],
            "*2\r\n$1\r\n0\r\n*1\r\n$5\r\nother\r\n",
        );
        exp(c, &["SCAN", "0", "TYPE", "list"], "*2\r\n$1\r\n0\r\n*0\r\n");
        exp(c, &["SCAN", "0", "TYPE", "none"], "*2\r\n$1\r\n0\r\n*0\r\n");
        exp(
            c,
            &["SCAN", "0", "count", "1", "count", "9223372036854775807", "match", "only"],
            "*2\r\n$1\r\n0\r\n*1\r\n$4\r\nonly\r\n",
        );
    });
}

/// Every key present for the whole iteration is returned at least once, however the table
/// grows or shrinks between calls.
#[test]
fn scan_returns_every_key_present_throughout() {
    let srv = common::start();
    let mut c = srv.conn();
    let mut pipe = redis::pipe();
    for i in 0..2000 {
        pipe.cmd("SET").arg(format!("base:{i}")).arg(i).ignore();
    }
    let _: () = pipe.query(&mut c).unwrap();

    let mut seen: HashSet<String> = HashSet::new();
    let mut cursor: u64 = 0;
    let mut round = 0u64;
    loop {
        let (next, keys): (u64, Vec<String>) =
            redis::cmd("SCAN").arg(cursor).arg("COUNT").arg(25).query(&mut c).unwrap();
        seen.extend(keys);
        cursor = next;
        if cursor == 0 {
            break;
        }
        // Grow the table for a while (forcing rehashes), then shrink it again.
        if round < 80 {
            let mut pipe = redis::pipe();
            for j in 0..200 {
                if round < 40 {
                    pipe.cmd("SET").arg(format!("extra:{round}:{j}")).arg(j).ignore();
                } else {
                    pipe.cmd("DEL").arg(format!("extra:{}:{j}", round - 40)).ignore();
                }
            }
            let _: () = pipe.query(&mut c).unwrap();
        }
        round += 1;
        assert!(round < 100_000, "scan does not terminate");
    }
    assert!(round > 40, "the table changed during only {round} calls");
    let missing: Vec<String> =
        (0..2000).map(|i| format!("base:{i}")).filter(|k| !seen.contains(k)).collect();
    assert!(
        missing.is_empty(),
        "{} keys missed, e.g. {:?}",
        missing.len(),
        &missing[..missing.len().min(5)]
    );
}

#[test]
fn scan_with_count_returns_partial_batches_and_skips_expired() {
    let srv = common::start();
    let mut c = srv.conn();
    for i in 0..100 {
        let _: () = q(&mut c, &["SET", &format!("k{i}"), "v"]);
    }
    for i in 0..10 {
        let _: i64 = q(&mut c, &["PEXPIRE", &format!("k{i}"), "1"]);
    }
    std::thread::sleep(Duration::from_millis(20));
    let mut seen = HashSet::new();
    let mut cursor: u64 = 0;
    let mut calls = 0;
    loop {
        let (next, keys): (u64, Vec<String>) =
            redis::cmd("SCAN").arg(cursor).arg("COUNT").arg(5).query(&mut c).unwrap();
        calls += 1;
        seen.extend(keys);
        cursor = next;
        if cursor == 0 {
            break;
        }
    }
    assert!(calls > 1);
    assert_eq!(seen.len(), 90);
    assert!((0..10).all(|i| !seen.contains(&format!("k{i}"))));
}

#[test]
fn randomkey_returns_a_live_key_or_null() {
    let srv = common::start();
    both(&srv, |c, r3| {
        exp(c, &["RANDOMKEY"], null(r3));
        exp(c, &["SET", "lonely", "v"], "+OK\r\n");
        exp(c, &["RANDOMKEY"], "$6\r\nlonely\r\n");
        exp(c, &["RANDOMKEY", "x"], "-ERR wrong number of arguments for 'randomkey' command\r\n");
    });
    let mut c = srv.conn();
    let _: () = q(&mut c, &["FLUSHALL"]);
    for i in 0..50 {
        let _: () = q(&mut c, &["SET", &format!("gone{i}"), "v"]);
        let _: i64 = q(&mut c, &["PEXPIRE", &format!("gone{i}"), "1"]);
    }
    let _: () = q(&mut c, &["SET", "alive", "v"]);
    std::thread::sleep(Duration::from_millis(20));
    for _ in 0..20 {
        let k: String = q(&mut c, &["RANDOMKEY"]);
        assert_eq!(k, "alive");
    }
    let _: i64 = q(&mut c, &["DEL", "alive"]);
    let k: Option<String> = q(&mut c, &["RANDOMKEY"]);
    assert_eq!(k, None);
}

#[test]
fn randomkey_picks_different_keys() {
    let srv = common::start();
    let mut c = srv.conn();
    for i in 0..20 {
        let _: () = q(&mut c, &["SET", &format!("k{i}"), "v"]);
    }
    let picks: HashSet<String> = (0..200).map(|_| q::<String>(&mut c, &["RANDOMKEY"])).collect();
    assert!(picks.len() > 5, "{picks:?}");
}

#[test]
fn touch_counts_existing_keys_and_resets_idle_time() {
    let srv = common::start();
    both(&srv, |c, _| {
        exp(c, &["TOUCH", "nokey"], ":0\r\n");
        exp(c, &["SET", "t", "v"], "+OK\r\n");
        exp(c, &["TOUCH", "t", "t", "nokey"], ":2\r\n");
        exp(c, &["TOUCH"], "-ERR wrong number of arguments for 'touch' command\r\n");
    });
    let mut c = srv.conn();
    let _: () = q(&mut c, &["SET", "idle", "v"]);
    std::thread::sleep(Duration::from_millis(2100));
    let idle: i64 = q(&mut c, &["OBJECT", "IDLETIME", "idle"]);
    assert!(idle >= 2, "idle {idle}");
    // Reading the idle time must not count as an access.
    let again: i64 = q(&mut c, &["OBJECT", "IDLETIME", "idle"]);
    assert!(again >= 2);
    let _: i64 = q(&mut c, &["TOUCH", "idle"]);
    let idle: i64 = q(&mut c, &["OBJECT", "IDLETIME", "idle"]);
    assert!(idle <= 1, "idle {idle}");
}

#[test]
fn copy_duplicates_value_and_ttl_within_and_across_dbs() {
    let srv = common::start();
    both(&srv, |c, _| {
        exp(c, &["COPY", "a"], "-ERR wrong number of arguments for 'copy' command\r\n");
        exp(c, &["SET", "src", "hello"], "+OK\r\n");
        exp(c, &["COPY", "src", "src"], "-ERR source and destination objects are the same\r\n");
        exp(
            c,
            &["COPY", "src", "src", "DB", "0"],
            "-ERR source and destination objects are the same\r\n",
        );
        exp(c, &["COPY", "nokey", "dst"], ":0\r\n");
        exp(c, &["COPY", "src", "dst"], ":1\r\n");
        exp(c, &["GET", "dst"], "$5\r\nhello\r\n");
        exp(c, &["COPY", "src", "dst"], ":0\r\n");
        exp(c, &["COPY", "src", "dst", "REPLACE"], ":1\r\n");
        exp(c, &["COPY", "src", "dst", "FOO"], "-ERR syntax error\r\n");
        exp(c, &["COPY", "src", "dst", "DB"], "-ERR syntax error\r\n");
        exp(
            c,
            &["COPY", "src", "dst", "DB", "x"],
            "-ERR value is not an integer or out of range\r\n",
        );
        exp(c, &["COPY", "src", "dst", "DB", "16"], "-ERR DB index is out of range\r\n");
        exp(c, &["COPY", "src", "dst", "DB", "-1"], "-ERR DB index is out of range\r\n");
        exp(
            c,
            &["COPY", "src", "dst", "DB", "99999999999"],
            "-ERR value is out of range, value must between -2147483648 and 2147483647\r\n",
        );
        exp(c, &["PEXPIRE", "src", "500000"], ":1\r\n");
        exp(c, &["COPY", "src", "src", "DB", "1"], ":1\r\n");
        exp(c, &["COPY", "src", "src", "DB", "1"], ":0\r\n");
        exp(c, &["COPY", "src", "src", "replace", "DB", "1"], ":1\r\n");
        exp(c, &["SWAPDB", "0", "1"], "+OK\r\n");
        exp(c, &["GET", "src"], "$5\r\nhello\r\n");
        exp(c, &["TTL", "src"], ":500\r\n");
        exp(c, &["EXISTS", "dst"], ":0\r\n");
        // The copy is independent of the original.
        exp(c, &["APPEND", "src", "!"], ":6\r\n");
        exp(c, &["SWAPDB", "0", "1"], "+OK\r\n");
        exp(c, &["GET", "src"], "$5\r\nhello\r\n");
        exp(c, &["SET", "num", "42"], "+OK\r\n");
        exp(c, &["COPY", "num", "num2"], ":1\r\n");
        exp(c, &["OBJECT", "ENCODING", "num2"], "$3\r\nint\r\n");
    });
}

#[test]
fn move_transfers_a_key_between_dbs() {
    let srv = common::start();
    both(&srv, |c, _| {
        exp(c, &["SET", "m", "v"], "+OK\r\n");
        exp(c, &["MOVE", "m", "x"], "-ERR value is not an integer or out of range\r\n");
        exp(c, &["MOVE", "m", "16"], "-ERR DB index is out of range\r\n");
        exp(c, &["MOVE", "m", "-1"], "-ERR DB index is out of range\r\n");
        exp(
            c,
            &["MOVE", "m", "99999999999"],
            "-ERR value is out of range, value must between -2147483648 and 2147483647\r\n",
        );
        exp(c, &["MOVE", "m", "0"], "-ERR source and destination objects are the same\r\n");
        exp(c, &["MOVE", "nokey", "1"], ":0\r\n");
        exp(c, &["PEXPIRE", "m", "300000"], ":1\r\n");
        exp(c, &["MOVE", "m", "1"], ":1\r\n");
        exp(c, &["EXISTS", "m"], ":0\r\n");
        exp(c, &["SET", "m", "v2"], "+OK\r\n");
        exp(c, &["MOVE", "m", "1"], ":0\r\n");
        exp(c, &["SWAPDB", "0", "1"], "+OK\r\n");
        exp(c, &["GET", "m"], "$1\r\nv\r\n");
        exp(c, &["TTL", "m"], ":300\r\n");
        exp(c, &["MOVE", "m"], "-ERR wrong number of arguments for 'move' command\r\n");
    });
}

#[test]
fn swapdb_swaps_data_and_checks_indexes() {
    let srv = common::start();
    both(&srv, |c, _| {
        exp(c, &["SWAPDB", "x", "0"], "-ERR invalid first DB index\r\n");
        exp(c, &["SWAPDB", "0", "x"], "-ERR invalid second DB index\r\n");
        exp(c, &["SWAPDB", "0", "99999999999"], "-ERR invalid second DB index\r\n");
        exp(c, &["SWAPDB", "0", "16"], "-ERR DB index is out of range\r\n");
        exp(c, &["SWAPDB", "-1", "0"], "-ERR DB index is out of range\r\n");
        exp(c, &["SWAPDB", "0", "0"], "+OK\r\n");
        exp(c, &["SET", "sw", "here"], "+OK\r\n");
        exp(c, &["SWAPDB", "0", "15"], "+OK\r\n");
        exp(c, &["EXISTS", "sw"], ":0\r\n");
        exp(c, &["DBSIZE"], ":0\r\n");
        exp(c, &["SWAPDB", "15", "0"], "+OK\r\n");
        exp(c, &["GET", "sw"], "$4\r\nhere\r\n");
    });
}

#[test]
fn swapdb_keeps_expiry_working_in_the_new_place() {
    let srv = common::start();
    let mut c = srv.conn();
    let _: () = q(&mut c, &["SET", "soon", "v"]);
    let _: i64 = q(&mut c, &["PEXPIRE", "soon", "50"]);
    let _: () = q(&mut c, &["SWAPDB", "0", "7"]);
    let _: () = q(&mut c, &["SWAPDB", "7", "3"]);
    wait_until(|| {
        let _: () = q(&mut c, &["SWAPDB", "0", "3"]);
        let n: i64 = q(&mut c, &["DBSIZE"]);
        let _: () = q(&mut c, &["SWAPDB", "0", "3"]);
        n == 0
    });
}

fn wait_until(mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !f() {
        assert!(Instant::now() < deadline, "condition not reached");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn dbsize_flushdb_and_flushall() {
    let srv = common::start();
    both(&srv, |c, _| {
        exp(c, &["DBSIZE"], ":0\r\n");
        exp(c, &["DBSIZE", "x"], "-ERR wrong number of arguments for 'dbsize' command\r\n");
        exp(c, &["SET", "a", "1"], "+OK\r\n");
        exp(c, &["SET", "b", "2"], "+OK\r\n");
        exp(c, &["DBSIZE"], ":2\r\n");
        exp(c, &["COPY", "a", "a", "DB", "3"], ":1\r\n");
        exp(c, &["FLUSHDB", "x"], "-ERR syntax error\r\n");
        exp(c, &["FLUSHDB", "sync", "async"], "-ERR syntax error\r\n");
        exp(c, &["FLUSHDB", "ASYNC"], "+OK\r\n");
        exp(c, &["DBSIZE"], ":0\r\n");
        exp(c, &["SWAPDB", "0", "3"], "+OK\r\n");
        exp(c, &["DBSIZE"], ":1\r\n");
        exp(c, &["FLUSHDB", "sync"], "+OK\r\n");
        exp(c, &["SET", "a", "1"], "+OK\r\n");
        exp(c, &["COPY", "a", "a", "DB", "5"], ":1\r\n");
        exp(c, &["FLUSHALL", "x"], "-ERR syntax error\r\n");
        exp(c, &["FLUSHALL", "a", "b"], "-ERR syntax error\r\n");
        exp(c, &["FLUSHALL", "SYNC"], "+OK\r\n");
        exp(c, &["DBSIZE"], ":0\r\n");
        exp(c, &["SWAPDB", "0", "5"], "+OK\r\n");
        exp(c, &["DBSIZE"], ":0\r\n");
        exp(c, &["FLUSHALL", "async"], "+OK\r\n");
    });
}

#[test]
fn object_subcommands() {
    let srv = common::start();
    both(&srv, |c, r3| {
        exp(c, &["SET", "n", "5"], "+OK\r\n");
        exp(c, &["SET", "big", "10000"], "+OK\r\n");
        exp(c, &["SET", "neg", "-1"], "+OK\r\n");
        exp(c, &["SET", "s", "hello"], "+OK\r\n");
        exp(c, &["SET", "long", &"x".repeat(45)], "+OK\r\n");
        exp(c, &["SET", "r", "abc"], "+OK\r\n");
        exp(c, &["APPEND", "r", "d"], ":4\r\n");
        exp(c, &["OBJECT", "ENCODING", "n"], "$3\r\nint\r\n");
        exp(c, &["OBJECT", "ENCODING", "s"], "$6\r\nembstr\r\n");
        exp(c, &["OBJECT", "ENCODING", "long"], "$3\r\nraw\r\n");
        exp(c, &["OBJECT", "ENCODING", "r"], "$3\r\nraw\r\n");
        exp(c, &["OBJECT", "encoding", "nokey"], null(r3));
        exp(c, &["OBJECT", "REFCOUNT", "n"], ":2147483647\r\n");
        exp(c, &["OBJECT", "REFCOUNT", "big"], ":1\r\n");
        exp(c, &["OBJECT", "REFCOUNT", "neg"], ":1\r\n");
        exp(c, &["OBJECT", "REFCOUNT", "s"], ":1\r\n");
        exp(c, &["OBJECT", "REFCOUNT", "nokey"], null(r3));
        exp(c, &["OBJECT", "IDLETIME", "nokey"], null(r3));
        exp(c, &["OBJECT", "FREQ", "nokey"], null(r3));
        exp(c, &["OBJECT", "FREQ", "s"], "-ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.\r\n");
        exp(c, &["OBJECT"], "-ERR wrong number of arguments for 'object' command\r\n");
        exp(
            c,
            &["OBJECT", "ENCODING"],
            "-ERR wrong number of arguments for 'object|encoding' command\r\n",
        );
        exp(
            c,
            &["OBJECT", "HELP", "x"],
            "-ERR wrong number of arguments for 'object|help' command\r\n",
        );
        exp(c, &["OBJECT", "foo"], "-ERR unknown subcommand 'foo'. Try OBJECT HELP.\r\n");
        let help = "*15\r\n+OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n\
            +ENCODING <key>\r\n\
            +    Return the kind of internal representation used in order to store the value\r\n\
            +    associated with a <key>.\r\n\
            +FREQ <key>\r\n\
            +    Return the access frequency index of the <key>. The returned integer is\r\n\
            +    proportional to the logarithm of the recent access frequency of the key.\r\n\
            +IDLETIME <key>\r\n\
            +    Return the idle time of the <key>, that is the approximated number of\r\n\
            +    seconds elapsed since the last access to the key.\r\n\
            +REFCOUNT <key>\r\n\
            +    Return the number of references of the value associated with the specified\r\n\
            +    <key>.\r\n\
            +HELP\r\n\
            +    Prints this help.\r\n";
        exp(c, &["OBJECT", "help"], help);
    });
    let mut c = srv.conn();
    let idle: i64 = q(&mut c, &["OBJECT", "IDLETIME", "s"]);
    assert!((0..=1).contains(&idle), "idle {idle}");
}

#[test]
fn binary_keys_round_trip() {
    let srv = common::start();
    both(&srv, |c, _| {
        c.expect(&resp(&[b"SET", b"a\x00\xffb", b"v"]), b"+OK\r\n");
        c.expect(&resp(&[b"RENAME", b"a\x00\xffb", b"\r\n"]), b"+OK\r\n");
        c.expect(&resp(&[b"KEYS", b"\r*"]), b"*1\r\n$2\r\n\r\n\r\n");
        c.expect(
            &resp(&[b"SCAN", b"0", b"MATCH", b"\r?"]),
            b"*2\r\n$1\r\n0\r\n*1\r\n$2\r\n\r\n\r\n",
        );
        c.expect(&resp(&[b"EXISTS", b"\r\n"]), b":1\r\n");
        c.expect(&resp(&[b"DEL", b"\r\n"]), b":1\r\n");
    });
}

#[test]
fn reads_refresh_the_access_time_but_introspection_does_not() {
    let srv = common::start();
    let mut c = srv.conn();
    for k in ["read", "looked_at", "no_touch"] {
        let _: () = redis::cmd("SET").arg(k).arg("v").query(&mut c).unwrap();
    }
    // The LRU clock counts seconds: let the keys age by two of them.
    std::thread::sleep(std::time::Duration::from_millis(2200));
    let _: String = redis::cmd("GET").arg("read").query(&mut c).unwrap();
    for cmd in ["EXISTS", "TYPE", "TTL", "PTTL", "EXPIRETIME"] {
        let _: redis::Value = redis::cmd(cmd).arg("looked_at").query(&mut c).unwrap();
    }
    let _: redis::Value =
        redis::cmd("OBJECT").arg("ENCODING").arg("looked_at").query(&mut c).unwrap();
    let _: () = redis::cmd("CLIENT").arg("NO-TOUCH").arg("ON").query(&mut c).unwrap();
    let _: String = redis::cmd("GET").arg("no_touch").query(&mut c).unwrap();
    let idle = |c: &mut redis::Connection, k: &str| -> i64 {
        redis::cmd("OBJECT").arg("IDLETIME").arg(k).query(c).unwrap()
    };
    assert!(idle(&mut c, "read") <= 1, "GET refreshes the access time");
    assert!(idle(&mut c, "looked_at") >= 2, "introspection leaves it alone");
    assert!(idle(&mut c, "no_touch") >= 2, "a NO-TOUCH client leaves it alone");
    // TOUCH itself touches, even for a NO-TOUCH client.
    let _: i64 = redis::cmd("TOUCH").arg("no_touch").query(&mut c).unwrap();
    assert!(idle(&mut c, "no_touch") <= 1);
}
