//! Set commands through the `redis` crate in RESP2 and RESP3, the intset → hashtable
//! conversion at its threshold, SSCAN over big tables, and the random member commands.
//! Byte-exact replies are compared with redis-server in tests/diff/set.txt.

mod common;

use common::{encoding, err, flush};

use std::collections::HashSet;

use redis::{cmd, Connection, Value};

fn sadd(c: &mut Connection, key: &str, members: impl IntoIterator<Item = String>) -> i64 {
    let mut k = cmd("SADD");
    k.arg(key);
    for m in members {
        k.arg(m);
    }
    k.query(c).unwrap()
}

fn members(c: &mut Connection, key: &str) -> HashSet<String> {
    cmd("SMEMBERS").arg(key).query(c).unwrap()
}

fn strs(v: &[&str]) -> HashSet<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn add_remove_and_membership_in_both_protocols() {
    let srv = common::start();
    for mut c in srv.conns() {
        flush(&mut c);
        assert_eq!(sadd(&mut c, "s", ["3", "1", "2", "1"].map(String::from)), 3);
        assert_eq!(sadd(&mut c, "s", ["3", "4"].map(String::from)), 1);
        let v: Vec<String> = cmd("SMEMBERS").arg("s").query(&mut c).unwrap();
        assert_eq!(v, ["1", "2", "3", "4"], "an intset is ascending");
        let n: i64 = cmd("SISMEMBER").arg("s").arg("2").query(&mut c).unwrap();
        assert_eq!(n, 1);
        let n: i64 = cmd("SISMEMBER").arg("s").arg("02").query(&mut c).unwrap();
        assert_eq!(n, 0);
        let v: Vec<i64> =
            cmd("SMISMEMBER").arg("s").arg("1").arg("x").arg("4").query(&mut c).unwrap();
        assert_eq!(v, [1, 0, 1]);
        let v: Vec<i64> = cmd("SMISMEMBER").arg("nokey").arg("1").query(&mut c).unwrap();
        assert_eq!(v, [0]);
        let n: i64 = cmd("SCARD").arg("s").query(&mut c).unwrap();
        assert_eq!(n, 4);
        let n: i64 = cmd("SREM").arg("s").arg("1").arg("9").arg("2").query(&mut c).unwrap();
        assert_eq!(n, 2);
        let n: i64 = cmd("SREM").arg("s").arg("3").arg("4").arg("5").query(&mut c).unwrap();
        assert_eq!(n, 2);
        let n: i64 = cmd("EXISTS").arg("s").query(&mut c).unwrap();
        assert_eq!(n, 0, "the last SREM deletes the key");
        assert_eq!(sadd(&mut c, "w", ["x".to_string()]), 1);
        assert_eq!(members(&mut c, "w"), strs(&["x"]));
        let t: String = cmd("TYPE").arg("w").query(&mut c).unwrap();
        assert_eq!(t, "set");
    }
}

#[test]
fn set_replies_use_the_resp3_set_type() {
    let srv = common::start();
    let mut c = srv.conn3();
    flush(&mut c);
    sadd(&mut c, "a", ["1", "2", "3"].map(String::from));
    sadd(&mut c, "b", ["2", "3", "4"].map(String::from));
    let bulks =
        |v: &[&str]| v.iter().map(|s| Value::BulkString(s.as_bytes().to_vec())).collect::<Vec<_>>();
    for (args, want) in [
        (&["SMEMBERS", "a"][..], Value::Set(bulks(&["1", "2", "3"]))),
        (&["SINTER", "a", "b"], Value::Set(bulks(&["2", "3"]))),
        (&["SUNION", "a", "b"], Value::Set(bulks(&["1", "2", "3", "4"]))),
        (&["SDIFF", "a", "b"], Value::Set(bulks(&["1"]))),
        (&["SMEMBERS", "nokey"], Value::Set(vec![])),
        (&["SINTER", "a", "nokey"], Value::Set(vec![])),
        (&["SPOP", "nokey", "3"], Value::Set(vec![])),
        // SRANDMEMBER with a count is an array (it may repeat members).
        (&["SRANDMEMBER", "a", "5"], Value::Array(bulks(&["1", "2", "3"]))),
        (&["SRANDMEMBER", "nokey", "5"], Value::Array(vec![])),
    ] {
        let mut k = cmd(args[0]);
        for a in &args[1..] {
            k.arg(*a);
        }
        let v: Value = k.query(&mut c).unwrap();
        assert_eq!(v, want, "{args:?}");
    }
    let v: Value = cmd("SPOP").arg("b").arg(10).query(&mut c).unwrap();
    assert_eq!(v, Value::Set(bulks(&["2", "3", "4"])));
}

#[test]
fn intset_converts_on_a_string_and_past_the_threshold() {
    let srv = common::start_with(&["--set-max-intset-entries", "5"]);
    for mut c in srv.conns() {
        flush(&mut c);
        sadd(&mut c, "s", (1..=5).map(|i| i.to_string()));
        assert_eq!(encoding(&mut c, "s"), "intset");
        sadd(&mut c, "s", ["5".to_string()]);
        assert_eq!(encoding(&mut c, "s"), "intset");
        sadd(&mut c, "s", ["6".to_string()]);
        assert_eq!(encoding(&mut c, "s"), "hashtable");
        let _: i64 = cmd("SREM").arg("s").arg("1").arg("2").arg("3").query(&mut c).unwrap();
        assert_eq!(encoding(&mut c, "s"), "hashtable", "never converted back");
        sadd(&mut c, "t", ["1".to_string(), "x".to_string()]);
        assert_eq!(encoding(&mut c, "t"), "hashtable");
        sadd(&mut c, "u", ["x".to_string()]);
        assert_eq!(encoding(&mut c, "u"), "hashtable", "a 7.0 set of strings is a hashtable");
        // Results of the STORE commands are built as intsets and convert the same way.
        sadd(&mut c, "a", (1..=4).map(|i| i.to_string()));
        sadd(&mut c, "b", (3..=8).map(|i| i.to_string()));
        let _: i64 = cmd("SUNIONSTORE").arg("d").arg("a").arg("b").query(&mut c).unwrap();
        assert_eq!(encoding(&mut c, "d"), "hashtable");
        let _: i64 = cmd("SINTERSTORE").arg("d").arg("a").arg("b").query(&mut c).unwrap();
        assert_eq!(encoding(&mut c, "d"), "intset");
        let _: i64 = cmd("SDIFFSTORE").arg("d").arg("b").arg("a").query(&mut c).unwrap();
        assert_eq!(encoding(&mut c, "d"), "intset");
        assert_eq!(members(&mut c, "d"), strs(&["5", "6", "7", "8"]));
        // A hashtable SPOP leaves mostly empty is rebuilt from its remainder, as an intset.
        sadd(&mut c, "p", (1..=6).map(|i| i.to_string()));
        assert_eq!(encoding(&mut c, "p"), "hashtable");
        let _: Vec<String> = cmd("SPOP").arg("p").arg(5).query(&mut c).unwrap();
        assert_eq!(encoding(&mut c, "p"), "intset");
        let n: i64 = cmd("SCARD").arg("p").query(&mut c).unwrap();
        assert_eq!(n, 1);
    }
    let srv = common::start();
    let mut c = srv.conn();
    sadd(&mut c, "s", (0..512).map(|i| i.to_string()));
    assert_eq!(encoding(&mut c, "s"), "intset", "the default threshold is 512");
    sadd(&mut c, "s", ["512".to_string()]);
    assert_eq!(encoding(&mut c, "s"), "hashtable");
}

#[test]
fn intersections_unions_and_differences() {
    let srv = common::start();
    for mut c in srv.conns() {
        flush(&mut c);
        sadd(&mut c, "a", ["1", "2", "3", "x", "y"].map(String::from));
        sadd(&mut c, "b", ["2", "3", "4", "y"].map(String::from));
        sadd(&mut c, "c", ["3", "y", "z"].map(String::from));
        let v: HashSet<String> = cmd("SINTER").arg("a").arg("b").arg("c").query(&mut c).unwrap();
        assert_eq!(v, strs(&["3", "y"]));
        let n: i64 = cmd("SINTERCARD").arg(3).arg("a").arg("b").arg("c").query(&mut c).unwrap();
        assert_eq!(n, 2);
        let n: i64 =
            cmd("SINTERCARD").arg(2).arg("a").arg("b").arg("LIMIT").arg(1).query(&mut c).unwrap();
        assert_eq!(n, 1);
        let v: HashSet<String> =
            cmd("SUNION").arg("a").arg("c").arg("nokey").query(&mut c).unwrap();
        assert_eq!(v, strs(&["1", "2", "3", "x", "y", "z"]));
        let v: HashSet<String> = cmd("SDIFF").arg("a").arg("b").arg("c").query(&mut c).unwrap();
        assert_eq!(v, strs(&["1", "x"]));
        let n: i64 = cmd("SINTERSTORE").arg("d").arg("a").arg("b").query(&mut c).unwrap();
        assert_eq!(n, 3);
        assert_eq!(members(&mut c, "d"), strs(&["2", "3", "y"]));
        let n: i64 = cmd("SUNIONSTORE").arg("d").arg("b").arg("c").query(&mut c).unwrap();
        assert_eq!(n, 5);
        let n: i64 = cmd("SDIFFSTORE").arg("d").arg("c").arg("a").query(&mut c).unwrap();
        assert_eq!(n, 1);
        assert_eq!(members(&mut c, "d"), strs(&["z"]));
        // An empty result deletes the destination.
        let n: i64 = cmd("SINTERSTORE").arg("d").arg("a").arg("nokey").query(&mut c).unwrap();
        assert_eq!(n, 0);
        let n: i64 = cmd("EXISTS").arg("d").query(&mut c).unwrap();
        assert_eq!(n, 0);
        // The destination may be a source, and of any type before.
        let _: () = cmd("HSET").arg("h").arg("f").arg("v").query(&mut c).unwrap();
        let n: i64 = cmd("SUNIONSTORE").arg("h").arg("a").arg("b").query(&mut c).unwrap();
        assert_eq!(n, 6);
        let n: i64 = cmd("SDIFFSTORE").arg("a").arg("a").arg("b").query(&mut c).unwrap();
        assert_eq!(n, 2);
        assert_eq!(members(&mut c, "a"), strs(&["1", "x"]));
        assert_eq!(err(&mut c, &["SINTERCARD", "0", "a"]), "ERR numkeys should be greater than 0");
        assert_eq!(
            err(&mut c, &["SINTERCARD", "3", "a", "b"]),
            "ERR Number of keys can't be greater than number of args"
        );
        assert_eq!(
            err(&mut c, &["SINTERCARD", "1", "a", "LIMIT", "-1"]),
            "ERR LIMIT can't be negative"
        );
        assert_eq!(err(&mut c, &["SINTERCARD", "1", "a", "LIMIT"]), "ERR syntax error");
    }
}

#[test]
fn big_hashtable_set_operations() {
    let srv = common::start();
    let mut c = srv.conn();
    flush(&mut c);
    let evens: HashSet<String> = (0..5000).map(|i| format!("m{}", i * 2)).collect();
    let threes: HashSet<String> = (0..5000).map(|i| format!("m{}", i * 3)).collect();
    sadd(&mut c, "evens", evens.iter().cloned());
    sadd(&mut c, "threes", threes.iter().cloned());
    let inter: HashSet<String> = evens.intersection(&threes).cloned().collect();
    let n: i64 = cmd("SINTERCARD").arg(2).arg("evens").arg("threes").query(&mut c).unwrap();
    assert_eq!(n as usize, inter.len());
    let v: HashSet<String> = cmd("SINTER").arg("threes").arg("evens").query(&mut c).unwrap();
    assert_eq!(v, inter);
    let n: i64 = cmd("SUNIONSTORE").arg("u").arg("evens").arg("threes").query(&mut c).unwrap();
    assert_eq!(n as usize, evens.union(&threes).count());
    let n: i64 = cmd("SDIFFSTORE").arg("d").arg("evens").arg("threes").query(&mut c).unwrap();
    assert_eq!(n as usize, evens.difference(&threes).count());
    let want: HashSet<String> = threes.difference(&evens).cloned().collect();
    let n: i64 =
        cmd("SDIFFSTORE").arg("d2").arg("threes").arg("evens").arg("nokey").query(&mut c).unwrap();
    assert_eq!(n as usize, want.len());
    assert_eq!(members(&mut c, "d2"), want);
    // Algorithm 2 (first set much bigger than the rest).
    sadd(&mut c, "few", ["m0", "m3", "zz"].map(String::from));
    let v: HashSet<String> = cmd("SDIFF").arg("threes").arg("few").query(&mut c).unwrap();
    assert_eq!(v.len(), threes.len() - 2);
}

#[test]
fn smove_moves_and_creates() {
    let srv = common::start();
    for mut c in srv.conns() {
        flush(&mut c);
        sadd(&mut c, "a", ["x", "1"].map(String::from));
        let n: i64 = cmd("SMOVE").arg("a").arg("b").arg("1").query(&mut c).unwrap();
        assert_eq!(n, 1);
        assert_eq!(encoding(&mut c, "b"), "intset", "created for the moved member");
        let n: i64 = cmd("SMOVE").arg("a").arg("b").arg("nope").query(&mut c).unwrap();
        assert_eq!(n, 0);
        let n: i64 = cmd("SMOVE").arg("a").arg("b").arg("x").query(&mut c).unwrap();
        assert_eq!(n, 1);
        let n: i64 = cmd("EXISTS").arg("a").query(&mut c).unwrap();
        assert_eq!(n, 0, "the emptied source is deleted");
        assert_eq!(members(&mut c, "b"), strs(&["1", "x"]));
        let n: i64 = cmd("SMOVE").arg("b").arg("b").arg("x").query(&mut c).unwrap();
        assert_eq!(n, 1);
        let n: i64 = cmd("SMOVE").arg("b").arg("b").arg("y").query(&mut c).unwrap();
        assert_eq!(n, 0);
        let _: () = cmd("HSET").arg("h").arg("f").arg("v").query(&mut c).unwrap();
        assert_eq!(
            err(&mut c, &["SMOVE", "b", "h", "x"]),
            "WRONGTYPE Operation against a key holding the wrong kind of value"
        );
        let n: i64 = cmd("SMOVE").arg("nokey").arg("h").arg("x").query(&mut c).unwrap();
        assert_eq!(n, 0, "a missing source wins over a wrong destination");
    }
}

#[test]
fn spop_and_srandmember_counts() {
    let srv = common::start();
    for mut c in srv.conns() {
        flush(&mut c);
        for (key, n) in [("ints", 300usize), ("strs", 300), ("bigints", 2000)] {
            let make = |i: usize| if key == "strs" { format!("m{i}") } else { i.to_string() };
            sadd(&mut c, key, (0..n).map(make));
            let all: HashSet<String> = (0..n).map(make).collect();
            for count in [1usize, 5, 99, 100, 101, 250, 299, 300, 1000] {
                let v: Vec<String> = cmd("SRANDMEMBER").arg(key).arg(count).query(&mut c).unwrap();
                assert_eq!(v.len(), count.min(n), "{key} {count}");
                let u: HashSet<String> = v.into_iter().collect();
                assert_eq!(u.len(), count.min(n), "{key} {count}: distinct");
                assert!(u.is_subset(&all));
                let v: Vec<String> =
                    cmd("SRANDMEMBER").arg(key).arg(-(count as i64)).query(&mut c).unwrap();
                assert_eq!(v.len(), count);
                assert!(v.iter().all(|m| all.contains(m)));
            }
            let m: String = cmd("SRANDMEMBER").arg(key).query(&mut c).unwrap();
            assert!(all.contains(&m));
            // SPOP both ways: few from many, and most of them.
            let mut left = all.clone();
            for count in [1usize, 10, n / 2, n / 3] {
                let v: Vec<String> = cmd("SPOP").arg(key).arg(count).query(&mut c).unwrap();
                assert_eq!(v.len(), count.min(left.len()));
                for m in &v {
                    assert!(left.remove(m), "{key}: {m} popped twice or never there");
                }
                assert_eq!(members(&mut c, key), left);
            }
            let m: String = cmd("SPOP").arg(key).query(&mut c).unwrap();
            assert!(left.remove(&m));
            let v: Vec<String> = cmd("SPOP").arg(key).arg(n).query(&mut c).unwrap();
            assert_eq!(v.into_iter().collect::<HashSet<_>>(), left);
            let e: i64 = cmd("EXISTS").arg(key).query(&mut c).unwrap();
            assert_eq!(e, 0);
        }
        let v: Value = cmd("SPOP").arg("nokey").query(&mut c).unwrap();
        assert_eq!(v, Value::Nil);
        assert_eq!(
            err(&mut c, &["SPOP", "nokey", "-1"]),
            "ERR value is out of range, must be positive"
        );
        assert_eq!(err(&mut c, &["SPOP", "nokey", "1", "2"]), "ERR syntax error");
        assert_eq!(
            err(&mut c, &["SRANDMEMBER", "nokey", "-9223372036854775808"]),
            "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
        );
    }
}

#[test]
fn sscan_walks_every_member_while_the_set_changes() {
    let srv = common::start();
    for mut c in srv.conns() {
        flush(&mut c);
        sadd(&mut c, "s", (0..3000).map(|i| format!("keep{i}")));
        let mut seen = HashSet::new();
        let mut cursor = "0".to_string();
        let mut step = 0;
        loop {
            let (next, items): (String, Vec<String>) =
                cmd("SSCAN").arg("s").arg(&cursor).arg("COUNT").arg(25).query(&mut c).unwrap();
            seen.extend(items);
            if step < 10 {
                sadd(&mut c, "s", (0..500).map(|j| format!("tmp{step}_{j}")));
            } else if step < 20 {
                let mut k = cmd("SREM");
                k.arg("s");
                for j in 0..500 {
                    k.arg(format!("tmp{}_{j}", step - 10));
                }
                let _: i64 = k.query(&mut c).unwrap();
            }
            step += 1;
            cursor = next;
            if cursor == "0" {
                break;
            }
        }
        assert!(step > 10);
        for i in 0..3000 {
            assert!(seen.contains(&format!("keep{i}")), "keep{i} missed");
        }
        let (cursor, items): (String, Vec<String>) = cmd("SSCAN")
            .arg("s")
            .arg(0)
            .arg("MATCH")
            .arg("keep29??")
            .arg("COUNT")
            .arg(100000)
            .query(&mut c)
            .unwrap();
        assert_eq!(cursor, "0");
        assert_eq!(
            items.into_iter().collect::<HashSet<_>>(),
            (2900..3000).map(|i| format!("keep{i}")).collect()
        );
        // An intset comes back whole and ascending with cursor 0.
        sadd(&mut c, "i", ["3", "-1", "2"].map(String::from));
        let (cursor, items): (String, Vec<String>) =
            cmd("SSCAN").arg("i").arg(99).arg("COUNT").arg(1).query(&mut c).unwrap();
        assert_eq!((cursor.as_str(), items), ("0", vec!["-1".to_string(), "2".into(), "3".into()]));
    }
}

#[test]
fn a_huge_negative_srandmember_stops_at_the_output_limit() {
    let srv = common::start_with(&["--client-output-buffer-limit", "normal 1mb 0 0"]);
    let mut raw = srv.raw();
    raw.expect(&common::resp(&[b"SADD", b"s", b"member"]), b":1\r\n");
    raw.send(&common::resp(&[b"SRANDMEMBER", b"s", b"-9223372036854775807"]));
    assert!(raw.closed_within(std::time::Duration::from_secs(5)));
}

#[test]
fn wrong_type_everywhere() {
    let srv = common::start();
    let mut c = srv.conn();
    flush(&mut c);
    let _: () = cmd("HSET").arg("h").arg("f").arg("v").query(&mut c).unwrap();
    sadd(&mut c, "s", ["1".to_string()]);
    let wt = "WRONGTYPE Operation against a key holding the wrong kind of value";
    for args in [
        &["SADD", "h", "a"][..],
        &["SREM", "h", "a"],
        &["SMEMBERS", "h"],
        &["SISMEMBER", "h", "a"],
        &["SMISMEMBER", "h", "a"],
        &["SCARD", "h"],
        &["SPOP", "h"],
        &["SPOP", "h", "2"],
        &["SRANDMEMBER", "h"],
        &["SRANDMEMBER", "h", "2"],
        &["SMOVE", "h", "s", "1"],
        &["SMOVE", "s", "h", "1"],
        &["SINTER", "nokey", "h"],
        &["SINTERCARD", "2", "nokey", "h"],
        &["SINTERSTORE", "d", "s", "h"],
        &["SUNION", "s", "h"],
        &["SUNIONSTORE", "d", "s", "h"],
        &["SDIFF", "nokey", "h"],
        &["SDIFFSTORE", "d", "s", "h"],
        &["SSCAN", "h", "0"],
    ] {
        assert_eq!(err(&mut c, args), wt, "{args:?}");
    }
    let n: i64 = cmd("EXISTS").arg("d").query(&mut c).unwrap();
    assert_eq!(n, 0);
}

#[test]
fn writes_keep_the_ttl_and_store_commands_clear_it() {
    let srv = common::start();
    let mut c = srv.conn();
    flush(&mut c);
    sadd(&mut c, "a", ["1", "2", "3"].map(String::from));
    let _: i64 = cmd("EXPIRE").arg("a").arg(100).query(&mut c).unwrap();
    sadd(&mut c, "a", ["4".to_string()]);
    let _: Vec<String> = cmd("SPOP").arg("a").arg(1).query(&mut c).unwrap();
    let _: i64 = cmd("SREM").arg("a").arg("nothing").query(&mut c).unwrap();
    let ttl: i64 = cmd("TTL").arg("a").query(&mut c).unwrap();
    assert!(ttl > 90, "ttl {ttl}");
    sadd(&mut c, "d", ["x".to_string()]);
    let _: i64 = cmd("EXPIRE").arg("d").arg(100).query(&mut c).unwrap();
    let _: i64 = cmd("SUNIONSTORE").arg("d").arg("a").query(&mut c).unwrap();
    let ttl: i64 = cmd("TTL").arg("d").query(&mut c).unwrap();
    assert_eq!(ttl, -1, "the STORE commands replace the key, TTL included");
    // An expired key is a missing key for every set command.
    sadd(&mut c, "e", ["1".to_string()]);
    let _: i64 = cmd("PEXPIRE").arg("e").arg(1).query(&mut c).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    assert_eq!(sadd(&mut c, "e", ["x".to_string()]), 1);
    assert_eq!(encoding(&mut c, "e"), "hashtable", "created anew for its first member");
    assert_eq!(members(&mut c, "e"), strs(&["x"]));
    let ttl: i64 = cmd("TTL").arg("e").query(&mut c).unwrap();
    assert_eq!(ttl, -1);
}

#[test]
fn config_set_intset_threshold_applies_to_the_next_write() {
    let srv = common::start();
    for mut c in srv.conns() {
        flush(&mut c);
        let _: () =
            cmd("CONFIG").arg("SET").arg("set-max-intset-entries").arg(2).query(&mut c).unwrap();
        sadd(&mut c, "s", ["1", "2"].map(String::from));
        assert_eq!(encoding(&mut c, "s"), "intset");
        sadd(&mut c, "s", ["3".to_string()]);
        assert_eq!(encoding(&mut c, "s"), "hashtable");
        let _: () =
            cmd("CONFIG").arg("SET").arg("set-max-intset-entries").arg(512).query(&mut c).unwrap();
        sadd(&mut c, "t", (0..100).map(|i| i.to_string()));
        assert_eq!(encoding(&mut c, "t"), "intset");
    }
}

#[test]
fn debug_digest_value_ignores_member_order() {
    let srv = common::start_with(&["--enable-debug-command", "yes"]);
    let mut c = srv.conn();
    flush(&mut c);
    sadd(&mut c, "a", (0..1000).map(|i| format!("m{i}")));
    sadd(&mut c, "b", (0..1000).rev().map(|i| format!("m{i}")));
    let d: Vec<String> = cmd("DEBUG").arg("DIGEST-VALUE").arg("a").arg("b").query(&mut c).unwrap();
    assert_eq!(d[0], d[1]);
    assert_ne!(d[0], "0".repeat(40));
}
