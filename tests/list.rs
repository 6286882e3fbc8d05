//! List family through the `redis` crate in RESP2 and RESP3, plus byte-exact checks where
//! the reply shape differs between protocols. Expected values are Redis 7.0.15's.

mod common;

use common::{err, q, resp};
use redis::Value;

fn strs(c: &mut redis::Connection, words: &[&str]) -> Vec<String> {
    q(c, words)
}

#[test]
fn push_pop_and_ranges_in_both_protocols() {
    let s = common::start();
    for mut c in s.conns() {
        let _: () = q(&mut c, &["FLUSHALL"]);
        assert_eq!(q::<i64>(&mut c, &["RPUSH", "l", "b", "c"]), 2);
        assert_eq!(q::<i64>(&mut c, &["LPUSH", "l", "a", "z"]), 4);
        assert_eq!(strs(&mut c, &["LRANGE", "l", "0", "-1"]), ["z", "a", "b", "c"]);
        assert_eq!(q::<i64>(&mut c, &["LPUSHX", "nokey", "x"]), 0);
        assert_eq!(q::<i64>(&mut c, &["RPUSHX", "l", "d"]), 5);
        assert_eq!(q::<String>(&mut c, &["LPOP", "l"]), "z");
        assert_eq!(strs(&mut c, &["RPOP", "l", "2"]), ["d", "c"]);
        assert_eq!(strs(&mut c, &["LPOP", "l", "5"]), ["a", "b"]);
        assert_eq!(q::<i64>(&mut c, &["EXISTS", "l"]), 0, "an emptied list is deleted");
        assert_eq!(q::<Value>(&mut c, &["LPOP", "l"]), Value::Nil);
        assert_eq!(q::<Value>(&mut c, &["LPOP", "l", "2"]), Value::Nil);
        assert_eq!(q::<Value>(&mut c, &["OBJECT", "ENCODING", "l"]), Value::Nil);
    }
}

#[test]
fn null_shapes_are_redis_exact() {
    let s = common::start();
    let mut r = s.raw();
    r.expect(&resp(&[b"LPOP", b"nokey"]), b"$-1\r\n");
    r.expect(&resp(&[b"LPOP", b"nokey", b"2"]), b"*-1\r\n");
    r.expect(&resp(&[b"LPOP", b"nokey", b"0"]), b"*-1\r\n");
    r.expect(&resp(&[b"RPUSH", b"l", b"a"]), b":1\r\n");
    r.expect(&resp(&[b"LPOP", b"l", b"0"]), b"*0\r\n");
    r.expect(&resp(&[b"LINDEX", b"l", b"5"]), b"$-1\r\n");
    r.expect(&resp(&[b"LPOS", b"l", b"x"]), b"$-1\r\n");
    r.expect(&resp(&[b"LPOS", b"l", b"x", b"COUNT", b"0"]), b"*0\r\n");
    r.expect(&resp(&[b"LMPOP", b"1", b"nokey", b"LEFT"]), b"*-1\r\n");
    r.expect(&resp(&[b"LMOVE", b"nokey", b"d", b"LEFT", b"LEFT"]), b"$-1\r\n");
    r.expect(&resp(&[b"LRANGE", b"nokey", b"0", b"-1"]), b"*0\r\n");
    r.send(&resp(&[b"HELLO", b"3"]));
    r.read_for(std::time::Duration::from_millis(200), 0);
    r.expect(&resp(&[b"LPOP", b"nokey"]), b"_\r\n");
    r.expect(&resp(&[b"LPOP", b"nokey", b"2"]), b"_\r\n");
    r.expect(&resp(&[b"LINDEX", b"l", b"5"]), b"_\r\n");
    r.expect(&resp(&[b"LMPOP", b"1", b"nokey", b"LEFT"]), b"_\r\n");
    r.expect(&resp(&[b"BLPOP", b"nokey", b"0.01"]), b"_\r\n");
    r.expect(&resp(&[b"LPOS", b"l", b"a"]), b":0\r\n");
}

#[test]
fn errors_follow_redis_order() {
    let s = common::start();
    for mut c in s.conns() {
        let _: () = q(&mut c, &["FLUSHALL"]);
        let _: () = q(&mut c, &["SET", "s", "v"]);
        let wt = "WRONGTYPE Operation against a key holding the wrong kind of value";
        assert_eq!(err(&mut c, &["LPUSH", "s", "a"]), wt);
        assert_eq!(err(&mut c, &["LRANGE", "s", "0", "1"]), wt);
        // Range arguments are checked before the key, the index after it.
        assert_eq!(
            err(&mut c, &["LRANGE", "s", "x", "1"]),
            "ERR value is not an integer or out of range"
        );
        assert_eq!(err(&mut c, &["LINDEX", "s", "x"]), wt);
        assert_eq!(q::<Value>(&mut c, &["LINDEX", "nokey", "x"]), Value::Nil);
        assert_eq!(err(&mut c, &["LSET", "nokey", "0", "v"]), "ERR no such key");
        assert_eq!(err(&mut c, &["LINSERT", "nokey", "MIDDLE", "a", "b"]), "ERR syntax error");
        assert_eq!(
            err(&mut c, &["LPOP", "l", "-1"]),
            "ERR value is out of range, must be positive"
        );
        assert_eq!(
            err(&mut c, &["LPOP", "l", "1", "2"]),
            "ERR wrong number of arguments for 'lpop' command"
        );
        assert_eq!(err(&mut c, &["LPOS", "l", "a", "RANK", "0"]), "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list");
        assert_eq!(
            err(&mut c, &["LMPOP", "0", "l", "LEFT"]),
            "ERR numkeys should be greater than 0"
        );
        assert_eq!(
            err(&mut c, &["LMPOP", "1", "l", "LEFT", "COUNT", "0"]),
            "ERR count should be greater than 0"
        );
        assert_eq!(err(&mut c, &["BLPOP", "l", "-1"]), "ERR timeout is negative");
        assert_eq!(err(&mut c, &["BLPOP", "l", "x"]), "ERR timeout is not a float or out of range");
        assert_eq!(err(&mut c, &["BLMOVE", "l", "d", "UP", "LEFT", "-1"]), "ERR syntax error");
        let _: i64 = q(&mut c, &["RPUSH", "src", "v"]);
        assert_eq!(err(&mut c, &["LMOVE", "src", "s", "LEFT", "LEFT"]), wt);
        assert_eq!(strs(&mut c, &["LRANGE", "src", "0", "-1"]), ["v"], "nothing popped on error");
    }
}

#[test]
fn long_lists_index_set_and_range_across_nodes() {
    let s = common::start();
    long_list_ops(&mut s.conn());
}

#[test]
fn long_lists_with_compressed_interior_nodes() {
    let s = common::start_with(&["--list-compress-depth", "1"]);
    long_list_ops(&mut s.conn());
    let s = common::start_with(&["--list-compress-depth", "2", "--list-max-listpack-size", "5"]);
    long_list_ops(&mut s.conn());
}

fn long_list_ops(c: &mut redis::Connection) {
    let n = 20_000usize;
    let mut pipe = redis::pipe();
    for chunk in (0..n).collect::<Vec<_>>().chunks(1000) {
        let mut cmd = redis::cmd("RPUSH");
        cmd.arg("big");
        for i in chunk {
            cmd.arg(format!("element-{i}"));
        }
        pipe.add_command(cmd).ignore();
    }
    let _: () = pipe.query(c).unwrap();
    assert_eq!(q::<i64>(c, &["LLEN", "big"]), n as i64);
    assert_eq!(q::<String>(c, &["OBJECT", "ENCODING", "big"]), "quicklist");
    for i in [0usize, 1, 4999, 10_000, 19_998, 19_999] {
        assert_eq!(q::<String>(c, &["LINDEX", "big", &i.to_string()]), format!("element-{i}"));
        let neg = format!("-{}", n - i);
        assert_eq!(q::<String>(c, &["LINDEX", "big", &neg]), format!("element-{i}"));
    }
    let _: () = q(c, &["LSET", "big", "12345", "changed"]);
    assert_eq!(q::<String>(c, &["LINDEX", "big", "12345"]), "changed");
    let r = strs(c, &["LRANGE", "big", "9998", "10001"]);
    assert_eq!(r, ["element-9998", "element-9999", "element-10000", "element-10001"]);
    assert_eq!(q::<i64>(c, &["LPOS", "big", "element-15000"]), 15000);
    assert_eq!(q::<i64>(c, &["LINSERT", "big", "AFTER", "element-5", "new"]), n as i64 + 1);
    assert_eq!(q::<String>(c, &["LINDEX", "big", "6"]), "new");
    assert_eq!(q::<i64>(c, &["LREM", "big", "0", "new"]), 1);
    let _: () = q(c, &["LTRIM", "big", "100", "-101"]);
    assert_eq!(q::<i64>(c, &["LLEN", "big"]), n as i64 - 200);
    assert_eq!(q::<String>(c, &["LINDEX", "big", "0"]), "element-100");
    assert_eq!(q::<String>(c, &["LINDEX", "big", "-1"]), "element-19899");
}

#[test]
fn integers_are_returned_as_sent() {
    let s = common::start();
    for mut c in s.conns() {
        let _: () = q(&mut c, &["FLUSHALL"]);
        let vals = [
            "0",
            "-1",
            "127",
            "128",
            "-4096",
            "4096",
            "9223372036854775807",
            "-9223372036854775808",
            "01",
            "-0",
            "1.5",
            "+3",
            "",
        ];
        let mut cmd = redis::cmd("RPUSH");
        cmd.arg("n");
        for v in vals {
            cmd.arg(v);
        }
        let _: i64 = cmd.query(&mut c).unwrap();
        assert_eq!(strs(&mut c, &["LRANGE", "n", "0", "-1"]), vals);
        assert_eq!(q::<i64>(&mut c, &["LPOS", "n", "01"]), 8);
        assert_eq!(q::<i64>(&mut c, &["LPOS", "n", "-0"]), 9);
        assert_eq!(q::<i64>(&mut c, &["LREM", "n", "0", "128"]), 1);
    }
}

#[test]
fn node_size_setting_applies_to_new_lists() {
    // The old name is an alias of list-max-listpack-size.
    let s = common::start_with(&["--list-max-ziplist-size", "2"]);
    let mut c = s.conn();
    let _: i64 = q(&mut c, &["RPUSH", "l", "1", "2", "3", "4", "5", "6", "7"]);
    assert_eq!(strs(&mut c, &["LRANGE", "l", "2", "4"]), ["3", "4", "5"]);
    let _: () = q(&mut c, &["LSET", "l", "3", "x"]);
    assert_eq!(q::<i64>(&mut c, &["LINSERT", "l", "BEFORE", "x", "y"]), 8);
    assert_eq!(strs(&mut c, &["LRANGE", "l", "0", "-1"]), ["1", "2", "3", "y", "x", "5", "6", "7"]);
    assert_eq!(q::<String>(&mut c, &["OBJECT", "ENCODING", "l"]), "quicklist");
}

/// Keyevent notifications of every list write, in Redis 7.0.15's order (recorded from the
/// oracle with `PSUBSCRIBE __keyevent@0__:*`).
#[test]
fn keyspace_events_match_redis() {
    let s = common::start_with(&["--notify-keyspace-events", "KEA"]);
    let mut sub = s.raw();
    sub.send(&resp(&[b"PSUBSCRIBE", b"__keyevent@0__:*"]));
    sub.read_for(std::time::Duration::from_millis(200), 0);
    let mut c = s.conn();
    let script = [
        "RPUSH l a b c",
        "LPUSH l z",
        "LPUSHX l y",
        "RPUSHX nokey y",
        "LPOP l",
        "RPOP l 2",
        "LSET l 0 q",
        "LINSERT l BEFORE q p",
        "LINSERT l BEFORE nothere p",
        "LREM l 1 p",
        "LREM l 1 nothere",
        "LTRIM l 0 5",
        "LTRIM l 5 10",
        "RPUSH s 1 2",
        "LMOVE s d LEFT RIGHT",
        "RPOPLPUSH s d",
        "RPOPLPUSH d d",
        "LMPOP 1 d LEFT COUNT 5",
        "RPUSH b x",
        "BLPOP b 0",
        "RPUSH b x y",
        "BLMPOP 0 1 b RIGHT COUNT 1",
        "BLMOVE b c LEFT LEFT 0",
        "LPOP nokey",
    ];
    for line in script {
        let words: Vec<&str> = line.split(' ').collect();
        let _: Value = q(&mut c, &words);
    }
    let want = "rpush l,lpush l,lpush l,lpop l,rpop l,lset l,linsert l,lrem l,ltrim l,ltrim l,\
                del l,rpush s,rpush d,lpop s,lpush d,rpop s,del s,lpush d,rpop d,lpop d,del d,\
                rpush b,lpop b,del b,rpush b,rpop b,lpush c,lpop b,del b";
    let want: Vec<&str> = want.split(',').collect();
    let mut got: Vec<String> = Vec::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let mut buf = Vec::new();
    while got.len() < want.len() && std::time::Instant::now() < deadline {
        buf.extend(sub.read_for(std::time::Duration::from_millis(100), 0).0);
        let text = String::from_utf8_lossy(&buf).to_string();
        let parts: Vec<&str> = text.split("\r\n").collect();
        got.clear();
        let mut i = 0;
        while i + 6 < parts.len() {
            if parts[i] == "pmessage" {
                let ev = parts[i + 4].split_once(':').map_or("", |x| x.1);
                got.push(format!("{ev} {}", parts[i + 6]));
                i += 7;
            } else {
                i += 1;
            }
        }
    }
    assert_eq!(got, want);
}
