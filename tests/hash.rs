//! Hash commands through the `redis` crate in RESP2 and RESP3, the listpack → hashtable
//! conversion at each threshold, HSCAN over big tables and the random field commands.
//! Byte-exact replies are compared with redis-server in tests/diff/hash.txt.

mod common;

use common::{encoding, err, flush};

use std::collections::{HashMap, HashSet};

use redis::{cmd, Connection, Value};

fn bulk(v: &Value) -> Vec<u8> {
    match v {
        Value::BulkString(b) => b.clone(),
        other => panic!("not a bulk string: {other:?}"),
    }
}

#[test]
fn set_get_and_counts_in_both_protocols() {
    let srv = common::start();
    for mut c in srv.conns() {
        flush(&mut c);
        let n: i64 =
            cmd("HSET").arg("h").arg("a").arg("1").arg("b").arg("2").query(&mut c).unwrap();
        assert_eq!(n, 2);
        let n: i64 =
            cmd("HSET").arg("h").arg("a").arg("9").arg("c").arg("3").query(&mut c).unwrap();
        assert_eq!(n, 1, "an update is not counted");
        let ok: String = cmd("HMSET").arg("h").arg("d").arg("4").query(&mut c).unwrap();
        assert_eq!(ok, "OK");
        let v: Option<String> = cmd("HGET").arg("h").arg("a").query(&mut c).unwrap();
        assert_eq!(v.as_deref(), Some("9"));
        let v: Option<String> = cmd("HGET").arg("h").arg("zz").query(&mut c).unwrap();
        assert_eq!(v, None);
        let v: Vec<Option<String>> =
            cmd("HMGET").arg("h").arg("a").arg("zz").arg("d").query(&mut c).unwrap();
        assert_eq!(v, vec![Some("9".into()), None, Some("4".into())]);
        let n: i64 = cmd("HLEN").arg("h").query(&mut c).unwrap();
        assert_eq!(n, 4);
        let n: i64 = cmd("HSTRLEN").arg("h").arg("a").query(&mut c).unwrap();
        assert_eq!(n, 1);
        let n: i64 = cmd("HEXISTS").arg("h").arg("c").query(&mut c).unwrap();
        assert_eq!(n, 1);
        assert_eq!(
            err(&mut c, &["HSET", "h", "a", "1", "b"]),
            "ERR wrong number of arguments for 'hset' command"
        );
        assert_eq!(
            err(&mut c, &["HMSET", "h", "a", "1", "b"]),
            "ERR wrong number of arguments for 'hmset' command"
        );
        let n: i64 = cmd("HSETNX").arg("h").arg("a").arg("x").query(&mut c).unwrap();
        assert_eq!(n, 0);
        let n: i64 = cmd("HSETNX").arg("h").arg("e").arg("5").query(&mut c).unwrap();
        assert_eq!(n, 1);
        let keys: Vec<String> = cmd("HKEYS").arg("h").query(&mut c).unwrap();
        assert_eq!(keys, ["a", "b", "c", "d", "e"], "listpack order is insertion order");
        let vals: Vec<String> = cmd("HVALS").arg("h").query(&mut c).unwrap();
        assert_eq!(vals, ["9", "2", "3", "4", "5"]);
        let n: i64 = cmd("HDEL").arg("h").arg("a").arg("zz").arg("b").query(&mut c).unwrap();
        assert_eq!(n, 2);
        let n: i64 = cmd("HDEL").arg("h").arg("c").arg("d").arg("e").query(&mut c).unwrap();
        assert_eq!(n, 3);
        let n: i64 = cmd("EXISTS").arg("h").query(&mut c).unwrap();
        assert_eq!(n, 0, "the last HDEL deletes the key");
    }
}

#[test]
fn hgetall_is_a_map_in_resp3_and_a_flat_array_in_resp2() {
    let srv = common::start();
    let mut c = srv.conn();
    flush(&mut c);
    let _: () = cmd("HSET").arg("h").arg("f").arg("v").arg("g").arg("w").query(&mut c).unwrap();
    let v: Value = cmd("HGETALL").arg("h").query(&mut c).unwrap();
    assert_eq!(
        v,
        Value::Array(
            ["f", "v", "g", "w"].iter().map(|s| Value::BulkString(s.as_bytes().to_vec())).collect()
        )
    );
    let v: Value = cmd("HGETALL").arg("nokey").query(&mut c).unwrap();
    assert_eq!(v, Value::Array(vec![]));

    let mut c = srv.conn3();
    let v: Value = cmd("HGETALL").arg("h").query(&mut c).unwrap();
    let Value::Map(pairs) = v else { panic!("not a map: {v:?}") };
    let pairs: Vec<(Vec<u8>, Vec<u8>)> = pairs.iter().map(|(k, v)| (bulk(k), bulk(v))).collect();
    assert_eq!(pairs, vec![(b"f".to_vec(), b"v".to_vec()), (b"g".to_vec(), b"w".to_vec())]);
    let v: Value = cmd("HGETALL").arg("nokey").query(&mut c).unwrap();
    assert_eq!(v, Value::Map(vec![]));
    let v: Value = cmd("HMGET").arg("nokey").arg("a").query(&mut c).unwrap();
    assert_eq!(v, Value::Array(vec![Value::Nil]));
}

#[test]
fn hincrby_and_hincrbyfloat() {
    let srv = common::start();
    for mut c in srv.conns() {
        flush(&mut c);
        let n: i64 = cmd("HINCRBY").arg("h").arg("n").arg(5).query(&mut c).unwrap();
        assert_eq!(n, 5);
        let n: i64 = cmd("HINCRBY").arg("h").arg("n").arg(-8).query(&mut c).unwrap();
        assert_eq!(n, -3);
        let _: () = cmd("HSET")
            .arg("h")
            .arg("max")
            .arg(i64::MAX)
            .arg("s")
            .arg("abc")
            .query(&mut c)
            .unwrap();
        assert_eq!(
            err(&mut c, &["HINCRBY", "h", "max", "1"]),
            "ERR increment or decrement would overflow"
        );
        assert_eq!(err(&mut c, &["HINCRBY", "h", "s", "1"]), "ERR hash value is not an integer");
        assert_eq!(
            err(&mut c, &["HINCRBY", "h", "n", "x"]),
            "ERR value is not an integer or out of range"
        );
        let v: String = cmd("HINCRBYFLOAT").arg("h").arg("f").arg("0.1").query(&mut c).unwrap();
        assert_eq!(v, "0.1");
        let v: String = cmd("HINCRBYFLOAT").arg("h").arg("f").arg("0.2").query(&mut c).unwrap();
        assert_eq!(v, "0.3");
        let v: String = cmd("HINCRBYFLOAT").arg("h").arg("n").arg("1.5e3").query(&mut c).unwrap();
        assert_eq!(v, "1497");
        assert_eq!(err(&mut c, &["HINCRBYFLOAT", "h", "s", "1"]), "ERR hash value is not a float");
        assert_eq!(err(&mut c, &["HINCRBYFLOAT", "h", "f", "inf"]), "ERR value is NaN or Infinity");
        assert_eq!(err(&mut c, &["HINCRBYFLOAT", "h", "f", "x"]), "ERR value is not a valid float");
        let _: () = cmd("HSET").arg("h").arg("big").arg("1e308").query(&mut c).unwrap();
        let _: String = cmd("HINCRBYFLOAT").arg("h").arg("big").arg("1e308").query(&mut c).unwrap();
        // A bad increment is reported before the key's type, and creates nothing.
        let _: () = cmd("SADD").arg("set").arg("m").query(&mut c).unwrap();
        assert_eq!(
            err(&mut c, &["HINCRBYFLOAT", "set", "f", "x"]),
            "ERR value is not a valid float"
        );
        assert_eq!(
            err(&mut c, &["HINCRBYFLOAT", "set", "f", "1"]),
            "WRONGTYPE Operation against a key holding the wrong kind of value"
        );
        assert_eq!(
            err(&mut c, &["HINCRBY", "nokey", "f", "x"]),
            "ERR value is not an integer or out of range"
        );
        let n: i64 = cmd("EXISTS").arg("nokey").query(&mut c).unwrap();
        assert_eq!(n, 0);
    }
}

#[test]
fn wrong_type_everywhere() {
    let srv = common::start();
    let mut c = srv.conn();
    flush(&mut c);
    let _: () = cmd("SADD").arg("s").arg("m").query(&mut c).unwrap();
    let wt = "WRONGTYPE Operation against a key holding the wrong kind of value";
    for args in [
        &["HSET", "s", "a", "1"][..],
        &["HSETNX", "s", "a", "1"],
        &["HMSET", "s", "a", "1"],
        &["HGET", "s", "a"],
        &["HMGET", "s", "a"],
        &["HGETALL", "s"],
        &["HKEYS", "s"],
        &["HVALS", "s"],
        &["HDEL", "s", "a"],
        &["HLEN", "s"],
        &["HSTRLEN", "s", "a"],
        &["HEXISTS", "s", "a"],
        &["HINCRBY", "s", "a", "1"],
        &["HRANDFIELD", "s"],
        &["HRANDFIELD", "s", "2"],
        &["HSCAN", "s", "0"],
    ] {
        assert_eq!(err(&mut c, args), wt, "{args:?}");
    }
}

#[test]
fn listpack_converts_at_the_entry_threshold() {
    let srv = common::start_with(&["--hash-max-listpack-entries", "4"]);
    for mut c in srv.conns() {
        flush(&mut c);
        for i in 0..4 {
            let _: () = cmd("HSET").arg("h").arg(format!("f{i}")).arg(i).query(&mut c).unwrap();
        }
        assert_eq!(encoding(&mut c, "h"), "listpack");
        let _: () = cmd("HSET").arg("h").arg("f0").arg("again").query(&mut c).unwrap();
        assert_eq!(encoding(&mut c, "h"), "listpack", "updates do not count");
        let _: () = cmd("HSET").arg("h").arg("f4").arg("4").query(&mut c).unwrap();
        assert_eq!(encoding(&mut c, "h"), "hashtable");
        let _: () =
            cmd("HDEL").arg("h").arg("f1").arg("f2").arg("f3").arg("f4").query(&mut c).unwrap();
        assert_eq!(encoding(&mut c, "h"), "hashtable", "never converted back");
        let v: Option<String> = cmd("HGET").arg("h").arg("f0").query(&mut c).unwrap();
        assert_eq!(v.as_deref(), Some("again"));
        // Five pairs in one HSET: converted as the fifth goes in.
        let _: () = cmd("HSET")
            .arg("g")
            .arg("a")
            .arg(1)
            .arg("b")
            .arg(2)
            .arg("c")
            .arg(3)
            .arg("d")
            .arg(4)
            .arg("e")
            .arg(5)
            .query(&mut c)
            .unwrap();
        assert_eq!(encoding(&mut c, "g"), "hashtable");
        let n: i64 = cmd("HLEN").arg("g").query(&mut c).unwrap();
        assert_eq!(n, 5);
    }
    let srv = common::start_with(&["--hash-max-ziplist-entries", "0"]);
    let mut c = srv.conn();
    let _: () = cmd("HSET").arg("h").arg("a").arg("b").query(&mut c).unwrap();
    assert_eq!(encoding(&mut c, "h"), "hashtable", "the old ziplist name works too");
}

#[test]
fn listpack_converts_at_the_value_threshold() {
    let srv = common::start_with(&["--hash-max-listpack-value", "5"]);
    let mut c = srv.conn();
    let cases: &[(&str, &[&str], &str)] = &[
        ("a", &["HSET", "a", "f", "12345"], "listpack"),
        ("b", &["HSET", "b", "f", "123456"], "hashtable"),
        ("c", &["HSET", "c", "123456", "v"], "hashtable"),
        ("d", &["HSETNX", "d", "123456", "v"], "hashtable"),
        ("e", &["HINCRBY", "e", "123456", "1"], "hashtable"),
        ("f", &["HINCRBY", "f", "x", "123456"], "hashtable"),
        ("g", &["HINCRBY", "g", "x", "12345"], "listpack"),
        ("h", &["HINCRBYFLOAT", "h", "x", "1.5"], "listpack"),
        ("i", &["HINCRBYFLOAT", "i", "x", "1.125"], "listpack"),
        ("j", &["HINCRBYFLOAT", "j", "x", "1.0625"], "hashtable"),
        ("k", &["HMSET", "k", "a", "1", "b", "123456"], "hashtable"),
    ];
    for (key, args, enc) in cases {
        let mut k = cmd(args[0]);
        for a in &args[1..] {
            k.arg(*a);
        }
        let _: Value = k.query(&mut c).unwrap();
        assert_eq!(encoding(&mut c, key), *enc, "{args:?}");
    }
}

/// Every field of a big hash, through HSCAN with the given COUNT.
fn hscan_all(
    c: &mut Connection,
    key: &str,
    count: usize,
    pattern: Option<&str>,
) -> HashMap<String, String> {
    let mut cursor = "0".to_string();
    let mut out = HashMap::new();
    let mut calls = 0;
    loop {
        let mut k = cmd("HSCAN");
        k.arg(key).arg(&cursor).arg("COUNT").arg(count);
        if let Some(p) = pattern {
            k.arg("MATCH").arg(p);
        }
        let (next, items): (String, Vec<String>) = k.query(c).unwrap();
        assert_eq!(items.len() % 2, 0);
        for pair in items.chunks(2) {
            out.insert(pair[0].clone(), pair[1].clone());
        }
        calls += 1;
        cursor = next;
        if cursor == "0" {
            break;
        }
    }
    assert!(calls > 1 || count >= out.len());
    out
}

#[test]
fn hscan_walks_a_hashtable_with_a_cursor() {
    let srv = common::start();
    for mut c in srv.conns() {
        flush(&mut c);
        let mut k = cmd("HSET");
        k.arg("h");
        for i in 0..2000 {
            k.arg(format!("f{i}")).arg(format!("v{i}"));
        }
        let _: () = k.query(&mut c).unwrap();
        assert_eq!(encoding(&mut c, "h"), "hashtable");
        let all = hscan_all(&mut c, "h", 10, None);
        assert_eq!(all.len(), 2000);
        assert!(all.iter().all(|(f, v)| f[1..] == v[1..]));
        let some = hscan_all(&mut c, "h", 100, Some("f1?"));
        let want: HashSet<String> = (10..20).map(|i| format!("f{i}")).collect();
        assert_eq!(some.keys().cloned().collect::<HashSet<_>>(), want);

        // One call with a small COUNT returns a cursor and a few pairs.
        let (cursor, items): (String, Vec<String>) =
            cmd("HSCAN").arg("h").arg(0).arg("COUNT").arg(4).query(&mut c).unwrap();
        assert_ne!(cursor, "0");
        assert!(!items.is_empty() && items.len() < 100, "{} items", items.len());
    }
}

#[test]
fn hscan_returns_fields_present_throughout_while_the_hash_grows_and_shrinks() {
    let srv = common::start();
    let mut c = srv.conn();
    flush(&mut c);
    for i in 0..1000 {
        let _: () = cmd("HSET").arg("h").arg(format!("keep{i}")).arg(i).query(&mut c).unwrap();
    }
    let mut seen = HashSet::new();
    let mut cursor = "0".to_string();
    let mut step = 0;
    loop {
        let (next, items): (String, Vec<String>) =
            cmd("HSCAN").arg("h").arg(&cursor).arg("COUNT").arg(20).query(&mut c).unwrap();
        for pair in items.chunks(2) {
            seen.insert(pair[0].clone());
        }
        // Grow, then shrink, the table between calls.
        if step < 20 {
            let mut k = cmd("HSET");
            k.arg("h");
            for j in 0..200 {
                k.arg(format!("tmp{step}_{j}")).arg(j);
            }
            let _: () = k.query(&mut c).unwrap();
        } else if step < 40 {
            let mut k = cmd("HDEL");
            k.arg("h");
            for j in 0..200 {
                k.arg(format!("tmp{}_{j}", step - 20));
            }
            let _: () = k.query(&mut c).unwrap();
        }
        step += 1;
        cursor = next;
        if cursor == "0" {
            break;
        }
    }
    for i in 0..1000 {
        assert!(seen.contains(&format!("keep{i}")), "keep{i} missed");
    }
}

#[test]
fn hrandfield_counts_and_shapes() {
    let srv = common::start();
    let mut big = cmd("HSET");
    big.arg("big");
    for i in 0..1000 {
        big.arg(format!("f{i}")).arg(format!("v{i}"));
    }
    for (proto, mut c) in srv.conns().into_iter().enumerate() {
        flush(&mut c);
        let _: () = cmd("HSET")
            .arg("small")
            .arg("a")
            .arg("1")
            .arg("b")
            .arg("2")
            .arg("c")
            .arg("3")
            .query(&mut c)
            .unwrap();
        let _: () = big.query(&mut c).unwrap();
        for key in ["small", "big"] {
            let size = if key == "small" { 3 } else { 1000 };
            let f: String = cmd("HRANDFIELD").arg(key).query(&mut c).unwrap();
            assert!(f.starts_with(if key == "small" { "" } else { "f" }));
            for count in [1usize, 2, 3, 10, 200, 400, 999, 1000, 5000] {
                let fields: Vec<String> =
                    cmd("HRANDFIELD").arg(key).arg(count).query(&mut c).unwrap();
                assert_eq!(fields.len(), count.min(size), "{key} {count}");
                let uniq: HashSet<&String> = fields.iter().collect();
                assert_eq!(uniq.len(), fields.len(), "{key} {count}: distinct fields");
                let fields: Vec<String> =
                    cmd("HRANDFIELD").arg(key).arg(-(count as i64)).query(&mut c).unwrap();
                assert_eq!(fields.len(), count, "negative count: exactly |count| picks");
            }
            // WITHVALUES: flat pairs in RESP2, two-element arrays in RESP3.
            let v: Value =
                cmd("HRANDFIELD").arg(key).arg(-5).arg("WITHVALUES").query(&mut c).unwrap();
            let Value::Array(items) = v else { panic!("{v:?}") };
            if proto == 0 {
                assert_eq!(items.len(), 10);
                for pair in items.chunks(2) {
                    let (f, v) = (bulk(&pair[0]), bulk(&pair[1]));
                    if key == "big" {
                        assert_eq!(f[1..], v[1..]);
                    }
                }
            } else {
                assert_eq!(items.len(), 5);
                for pair in &items {
                    let Value::Array(p) = pair else { panic!("{pair:?}") };
                    assert_eq!(p.len(), 2);
                    if key == "big" {
                        assert_eq!(bulk(&p[0])[1..], bulk(&p[1])[1..]);
                    }
                }
            }
        }
        // A negative count draws with repeats: many draws from three fields repeat.
        let fields: Vec<String> = cmd("HRANDFIELD").arg("small").arg(-100).query(&mut c).unwrap();
        let uniq: HashSet<&String> = fields.iter().collect();
        assert!(uniq.len() <= 3 && fields.len() == 100);
        let v: Value = cmd("HRANDFIELD").arg("nokey").query(&mut c).unwrap();
        assert_eq!(v, Value::Nil);
        let v: Value = cmd("HRANDFIELD").arg("nokey").arg(3).query(&mut c).unwrap();
        assert_eq!(v, Value::Array(vec![]));
        assert_eq!(err(&mut c, &["HRANDFIELD", "small", "-9223372036854775808"]), "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807");
        assert_eq!(
            err(&mut c, &["HRANDFIELD", "small", "4611686018427387904", "WITHVALUES"]),
            "ERR value is out of range"
        );
        assert_eq!(err(&mut c, &["HRANDFIELD", "small", "1", "WITH"]), "ERR syntax error");
    }
}

#[test]
fn a_huge_negative_count_stops_at_the_output_limit_and_closes() {
    let srv = common::start_with(&["--client-output-buffer-limit", "normal 1mb 0 0"]);
    let mut raw = srv.raw();
    raw.expect(&common::resp(&[b"HSET", b"h", b"f", b"v"]), b":1\r\n");
    raw.send(&common::resp(&[b"HRANDFIELD", b"h", b"-4611686018427387903", b"WITHVALUES"]));
    assert!(raw.closed_within(std::time::Duration::from_secs(5)));
    // The server goes on serving others.
    let mut c = srv.conn();
    let n: i64 = cmd("HLEN").arg("h").query(&mut c).unwrap();
    assert_eq!(n, 1);
}

#[test]
fn hrandfield_withvalues_bytes_in_resp3() {
    let srv = common::start();
    let mut raw = srv.raw();
    raw.send(&common::resp(&[b"HELLO", b"3"]));
    let _ = raw.read_for(std::time::Duration::from_millis(200), 0);
    raw.expect(&common::resp(&[b"HSET", b"h", b"a", b"1", b"b", b"2"]), b":2\r\n");
    raw.expect(
        &common::resp(&[b"HRANDFIELD", b"h", b"5", b"WITHVALUES"]),
        b"*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n",
    );
    raw.expect(
        &common::resp(&[b"HSCAN", b"h", b"0"]),
        b"*2\r\n$1\r\n0\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n",
    );
    raw.expect(&common::resp(&[b"HGETALL", b"nokey"]), b"%0\r\n");
}

#[test]
fn copy_keeps_the_encoding() {
    let srv = common::start();
    let mut c = srv.conn();
    flush(&mut c);
    let _: () = cmd("HSET").arg("small").arg("a").arg("1").query(&mut c).unwrap();
    let mut k = cmd("HSET");
    k.arg("big");
    for i in 0..600 {
        k.arg(i).arg(i);
    }
    let _: () = k.query(&mut c).unwrap();
    for key in ["small", "big"] {
        let _: i64 = cmd("COPY").arg(key).arg(format!("{key}2")).query(&mut c).unwrap();
        assert_eq!(encoding(&mut c, key), encoding(&mut c, &format!("{key}2")));
        let a: HashMap<String, String> = cmd("HGETALL").arg(key).query(&mut c).unwrap();
        let b: HashMap<String, String> =
            cmd("HGETALL").arg(format!("{key}2")).query(&mut c).unwrap();
        assert_eq!(a, b);
    }
}

#[test]
fn writes_keep_the_ttl_and_expired_hashes_are_missing() {
    let srv = common::start();
    let mut c = srv.conn();
    flush(&mut c);
    let _: () = cmd("HSET").arg("h").arg("a").arg(1).query(&mut c).unwrap();
    let _: i64 = cmd("EXPIRE").arg("h").arg(100).query(&mut c).unwrap();
    let _: () = cmd("HSET").arg("h").arg("b").arg(2).query(&mut c).unwrap();
    let _: i64 = cmd("HINCRBY").arg("h").arg("a").arg(1).query(&mut c).unwrap();
    let _: i64 = cmd("HDEL").arg("h").arg("b").query(&mut c).unwrap();
    let ttl: i64 = cmd("TTL").arg("h").query(&mut c).unwrap();
    assert!(ttl > 90, "ttl {ttl}");
    let _: i64 = cmd("PEXPIRE").arg("h").arg(1).query(&mut c).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let n: i64 = cmd("HINCRBY").arg("h").arg("a").arg(1).query(&mut c).unwrap();
    assert_eq!(n, 1, "an expired hash is recreated empty");
    let n: i64 = cmd("HLEN").arg("h").query(&mut c).unwrap();
    assert_eq!(n, 1);
    let ttl: i64 = cmd("TTL").arg("h").query(&mut c).unwrap();
    assert_eq!(ttl, -1);
}

#[test]
fn config_set_thresholds_apply_to_the_next_write() {
    let srv = common::start();
    for mut c in srv.conns() {
        flush(&mut c);
        let _: () =
            cmd("CONFIG").arg("SET").arg("hash-max-listpack-entries").arg(2).query(&mut c).unwrap();
        let _: () = cmd("HSET").arg("h").arg("a").arg(1).arg("b").arg(2).query(&mut c).unwrap();
        assert_eq!(encoding(&mut c, "h"), "listpack");
        let _: () = cmd("HSET").arg("h").arg("c").arg(3).query(&mut c).unwrap();
        assert_eq!(encoding(&mut c, "h"), "hashtable");
        let _: () = cmd("CONFIG")
            .arg("SET")
            .arg("hash-max-ziplist-entries")
            .arg(512)
            .query(&mut c)
            .unwrap();
        let _: () =
            cmd("CONFIG").arg("SET").arg("hash-max-ziplist-value").arg(2).query(&mut c).unwrap();
        let _: () = cmd("HSET").arg("g").arg("ab").arg("12").query(&mut c).unwrap();
        assert_eq!(encoding(&mut c, "g"), "listpack");
        let _: i64 = cmd("HINCRBY").arg("g").arg("ab").arg(100).query(&mut c).unwrap();
        assert_eq!(encoding(&mut c, "g"), "hashtable", "the new value is 3 bytes long");
        let _: () =
            cmd("CONFIG").arg("SET").arg("hash-max-listpack-value").arg(64).query(&mut c).unwrap();
    }
}
