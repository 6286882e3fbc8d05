//! Keyspace notifications: each class letter, both channel forms, events from lazy and
//! active expiry, misses and new keys, in the order Redis 7.0.15 emits them (the expected
//! sequences were recorded from it). Commands run on one connection, a RESP3 listener on
//! another receives the events.

mod common;

use std::time::Duration;

use common::{resp, Raw};

struct Pair {
    cmd: Raw,
    events: Raw,
}

/// A server with `flags`, a RESP2 command connection and a RESP3 listener subscribed to
/// every keyspace channel.
fn listener(flags: &str) -> (common::TestServer, Pair) {
    let srv = common::start_with(&["--notify-keyspace-events", flags]);
    let mut c = srv.raw();
    let hello = c.roundtrip(&resp(&[b"HELLO", b"3"]), 1);
    assert!(hello.starts_with(b"%"));
    c.read_for(Duration::from_millis(100), 0);
    c.expect(
        &resp(&[b"PSUBSCRIBE", b"__key*"]),
        b">3\r\n$10\r\npsubscribe\r\n$6\r\n__key*\r\n:1\r\n",
    );
    let cmd = srv.raw();
    (srv, Pair { cmd, events: c })
}

fn bulk(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(format!("${}\r\n{}\r\n", s.len(), s).as_bytes());
}

/// The pushes for `events` (channel, message) followed by `reply`.
fn frames(events: &[(&str, &str)], reply: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for (ch, msg) in events {
        out.extend_from_slice(b">4\r\n");
        bulk(&mut out, "pmessage");
        bulk(&mut out, "__key*");
        bulk(&mut out, ch);
        bulk(&mut out, msg);
    }
    out.extend_from_slice(reply);
    out
}

/// Run `cmd`, expect `reply` (RESP2) on the command connection and exactly `events` on the
/// listener.
fn check(c: &mut Pair, cmd: &[&str], events: &[(&str, &str)], reply: &[u8]) {
    let args: Vec<&[u8]> = cmd.iter().map(|s| s.as_bytes()).collect();
    c.cmd.expect(&resp(&args), reply);
    let want = frames(events, b"");
    // Wait for what is expected; a short extra read catches anything unexpected.
    let mut got = Vec::new();
    if !want.is_empty() {
        got = c.events.read_for(Duration::from_secs(2), want.len()).0;
    }
    got.extend(c.events.read_for(Duration::from_millis(20), 0).0);
    assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(&want), "{cmd:?}");
}

#[test]
fn generic_string_list_and_expire_events_in_both_channel_forms() {
    let (_srv, mut c) = listener("KEA");
    check(
        &mut c,
        &["SET", "k", "v"],
        &[("__keyspace@0__:k", "set"), ("__keyevent@0__:set", "k")],
        b"+OK\r\n",
    );
    check(
        &mut c,
        &["SET", "k", "v", "EX", "100"],
        &[
            ("__keyspace@0__:k", "set"),
            ("__keyevent@0__:set", "k"),
            ("__keyspace@0__:k", "expire"),
            ("__keyevent@0__:expire", "k"),
        ],
        b"+OK\r\n",
    );
    check(
        &mut c,
        &["INCR", "n"],
        &[("__keyspace@0__:n", "incrby"), ("__keyevent@0__:incrby", "n")],
        b":1\r\n",
    );
    check(
        &mut c,
        &["APPEND", "k", "x"],
        &[("__keyspace@0__:k", "append"), ("__keyevent@0__:append", "k")],
        b":2\r\n",
    );
    check(
        &mut c,
        &["DEL", "k", "n"],
        &[
            ("__keyspace@0__:k", "del"),
            ("__keyevent@0__:del", "k"),
            ("__keyspace@0__:n", "del"),
            ("__keyevent@0__:del", "n"),
        ],
        b":2\r\n",
    );
    check(
        &mut c,
        &["RPUSH", "l", "a", "b"],
        &[("__keyspace@0__:l", "rpush"), ("__keyevent@0__:rpush", "l")],
        b":2\r\n",
    );
    check(
        &mut c,
        &["LPOP", "l", "2"],
        &[
            ("__keyspace@0__:l", "lpop"),
            ("__keyevent@0__:lpop", "l"),
            ("__keyspace@0__:l", "del"),
            ("__keyevent@0__:del", "l"),
        ],
        b"*2\r\n$1\r\na\r\n$1\r\nb\r\n",
    );
    check(
        &mut c,
        &["SETEX", "s", "100", "v"],
        &[
            ("__keyspace@0__:s", "set"),
            ("__keyevent@0__:set", "s"),
            ("__keyspace@0__:s", "expire"),
            ("__keyevent@0__:expire", "s"),
        ],
        b"+OK\r\n",
    );
    check(
        &mut c,
        &["PERSIST", "s"],
        &[("__keyspace@0__:s", "persist"), ("__keyevent@0__:persist", "s")],
        b":1\r\n",
    );
    check(
        &mut c,
        &["RENAME", "s", "s2"],
        &[
            ("__keyspace@0__:s", "rename_from"),
            ("__keyevent@0__:rename_from", "s"),
            ("__keyspace@0__:s2", "rename_to"),
            ("__keyevent@0__:rename_to", "s2"),
        ],
        b"+OK\r\n",
    );
    check(
        &mut c,
        &["EXPIRE", "s2", "0"],
        &[("__keyspace@0__:s2", "del"), ("__keyevent@0__:del", "s2")],
        b":1\r\n",
    );
    check(
        &mut c,
        &["XADD", "st", "1-1", "f", "v"],
        &[("__keyspace@0__:st", "xadd"), ("__keyevent@0__:xadd", "st")],
        b"$3\r\n1-1\r\n",
    );
    // Another db shows in the channel name.
    check(&mut c, &["SELECT", "3"], &[], b"+OK\r\n");
    check(
        &mut c,
        &["SET", "k", "v"],
        &[("__keyspace@3__:k", "set"), ("__keyevent@3__:set", "k")],
        b"+OK\r\n",
    );
    // No event for a missing key, nor (with A) a keymiss.
    check(&mut c, &["GET", "nokey"], &[], b"$-1\r\n");
    check(&mut c, &["DEL", "nokey"], &[], b":0\r\n");
}

#[test]
fn classes_filter_events_and_k_e_pick_the_channels() {
    // Only keyevent, only the string class.
    let (_srv, mut c) = listener("E$");
    check(&mut c, &["SET", "k", "1"], &[("__keyevent@0__:set", "k")], b"+OK\r\n");
    check(&mut c, &["EXPIRE", "k", "100"], &[], b":1\r\n");
    check(&mut c, &["RPUSH", "l", "a"], &[], b":1\r\n");
    check(&mut c, &["DEL", "k"], &[], b":1\r\n");
    // Only keyspace, generic and list classes.
    let (_srv, mut c) = listener("Kgl");
    check(&mut c, &["SET", "k", "1"], &[], b"+OK\r\n");
    check(&mut c, &["EXPIRE", "k", "100"], &[("__keyspace@0__:k", "expire")], b":1\r\n");
    check(&mut c, &["RPUSH", "l", "a"], &[("__keyspace@0__:l", "rpush")], b":1\r\n");
    // Class letters without K or E deliver nothing.
    let (_srv, mut c) = listener("g$lshzxetmn");
    check(&mut c, &["SET", "k", "1"], &[], b"+OK\r\n");
    check(&mut c, &["GET", "nokey"], &[], b"$-1\r\n");
}

#[test]
fn expired_events_whichever_expiry_path_deletes_the_key() {
    // Whether the sweep or the lookup deletes a key first is a race; the events are not.
    let (_srv, mut c) = listener("Exn$");
    c.cmd.expect(&resp(&[b"SET", b"e", b"1", b"PX", b"1"]), b"+OK\r\n");
    std::thread::sleep(Duration::from_millis(20));
    c.cmd.expect(&resp(&[b"GET", b"e"]), b"$-1\r\n");
    c.cmd.expect(&resp(&[b"SET", b"b", b"1", b"PX", b"1"]), b"+OK\r\n");
    std::thread::sleep(Duration::from_millis(20));
    // A write to an expired key: the expiry, then the new key, then the write.
    c.cmd.expect(&resp(&[b"SET", b"b", b"2"]), b"+OK\r\n");
    // Left to the sweep alone.
    c.cmd.expect(&resp(&[b"SET", b"a", b"1", b"PX", b"30"]), b"+OK\r\n");
    let want = frames(
        &[
            ("__keyevent@0__:new", "e"),
            ("__keyevent@0__:set", "e"),
            ("__keyevent@0__:expired", "e"),
            ("__keyevent@0__:new", "b"),
            ("__keyevent@0__:set", "b"),
            ("__keyevent@0__:expired", "b"),
            ("__keyevent@0__:new", "b"),
            ("__keyevent@0__:set", "b"),
            ("__keyevent@0__:new", "a"),
            ("__keyevent@0__:set", "a"),
            ("__keyevent@0__:expired", "a"),
        ],
        b"",
    );
    let (got, _) = c.events.read_for(Duration::from_secs(3), want.len());
    assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(&want));
}

#[test]
fn keymiss_and_new_are_opt_in_and_not_part_of_a() {
    let (_srv, mut c) = listener("Em");
    check(&mut c, &["GET", "nokey"], &[("__keyevent@0__:keymiss", "nokey")], b"$-1\r\n");
    check(
        &mut c,
        &["EXISTS", "nokey", "a"],
        &[("__keyevent@0__:keymiss", "nokey"), ("__keyevent@0__:keymiss", "a")],
        b":0\r\n",
    );
    check(&mut c, &["TTL", "nokey"], &[("__keyevent@0__:keymiss", "nokey")], b":-2\r\n");
    check(
        &mut c,
        &["MGET", "x", "y"],
        &[("__keyevent@0__:keymiss", "x"), ("__keyevent@0__:keymiss", "y")],
        b"*2\r\n$-1\r\n$-1\r\n",
    );
    check(&mut c, &["INCR", "n"], &[], b":1\r\n");
    // Families that look keys up without the keyspace's read path report misses themselves,
    // once.
    check(&mut c, &["BITCOUNT", "nokey"], &[("__keyevent@0__:keymiss", "nokey")], b":0\r\n");
    check(&mut c, &["GETBIT", "nokey", "1"], &[("__keyevent@0__:keymiss", "nokey")], b":0\r\n");

    let (_srv, mut c) = listener("En");
    check(&mut c, &["SET", "a", "1"], &[("__keyevent@0__:new", "a")], b"+OK\r\n");
    check(&mut c, &["SET", "a", "2"], &[], b"+OK\r\n");
    check(&mut c, &["INCR", "b"], &[("__keyevent@0__:new", "b")], b":1\r\n");
    check(&mut c, &["RPUSH", "l", "x"], &[("__keyevent@0__:new", "l")], b":1\r\n");
    check(&mut c, &["RENAME", "l", "l2"], &[("__keyevent@0__:new", "l2")], b"+OK\r\n");
    check(
        &mut c,
        &["MSET", "d", "1", "e", "2"],
        &[("__keyevent@0__:new", "d"), ("__keyevent@0__:new", "e")],
        b"+OK\r\n",
    );

    let (_srv, mut c) = listener("EA");
    check(&mut c, &["GET", "nokey"], &[], b"$-1\r\n");
    check(&mut c, &["SET", "a", "1"], &[("__keyevent@0__:set", "a")], b"+OK\r\n");
}

#[test]
fn resp2_subscribers_on_other_connections_get_events() {
    let srv = common::start_with(&["--notify-keyspace-events", "KA"]);
    let mut sub = srv.conn();
    let mut ps = sub.as_pubsub();
    ps.subscribe("__keyspace@0__:watched").unwrap();
    ps.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    let mut w = srv.conn();
    let _: () = redis::cmd("SET").arg("watched").arg("1").query(&mut w).unwrap();
    let _: () = redis::cmd("SET").arg("other").arg("1").query(&mut w).unwrap();
    let _: i64 = redis::cmd("DEL").arg("watched").query(&mut w).unwrap();
    let m = ps.get_message().unwrap();
    assert_eq!(m.get_payload::<String>().unwrap(), "set");
    let m = ps.get_message().unwrap();
    assert_eq!(m.get_payload::<String>().unwrap(), "del");
}

#[test]
fn config_set_switches_classes_at_runtime() {
    let (_srv, mut c) = listener("");
    check(&mut c, &["SET", "k", "1"], &[], b"+OK\r\n");
    check(&mut c, &["CONFIG", "SET", "notify-keyspace-events", "Kg$"], &[], b"+OK\r\n");
    check(&mut c, &["SET", "k", "2"], &[("__keyspace@0__:k", "set")], b"+OK\r\n");
    check(&mut c, &["DEL", "k"], &[("__keyspace@0__:k", "del")], b":1\r\n");
    check(&mut c, &["CONFIG", "SET", "notify-keyspace-events", "Em"], &[], b"+OK\r\n");
    check(&mut c, &["GET", "k"], &[("__keyevent@0__:keymiss", "k")], b"$-1\r\n");
    check(&mut c, &["CONFIG", "SET", "notify-keyspace-events", ""], &[], b"+OK\r\n");
    check(&mut c, &["GET", "k"], &[], b"$-1\r\n");
}

#[test]
fn hash_set_and_zset_classes() {
    let (_srv, mut c) = listener("Kh");
    check(&mut c, &["HSET", "h", "a", "1", "b", "2"], &[("__keyspace@0__:h", "hset")], b":2\r\n");
    check(&mut c, &["SADD", "s", "x", "y"], &[], b":2\r\n");
    check(&mut c, &["HINCRBY", "h", "f", "1"], &[("__keyspace@0__:h", "hincrby")], b":1\r\n");
    // Emptying a hash: its own event, then the generic `del` (class g, off here).
    check(&mut c, &["HDEL", "h", "a", "b", "f"], &[("__keyspace@0__:h", "hdel")], b":3\r\n");
    let (_srv, mut c) = listener("Ksg");
    check(&mut c, &["SADD", "s", "x", "y"], &[("__keyspace@0__:s", "sadd")], b":2\r\n");
    check(&mut c, &["SREM", "s", "x"], &[("__keyspace@0__:s", "srem")], b":1\r\n");
    check(
        &mut c,
        &["SREM", "s", "y"],
        &[("__keyspace@0__:s", "srem"), ("__keyspace@0__:s", "del")],
        b":1\r\n",
    );
    let (_srv, mut c) = listener("Ez");
    check(&mut c, &["ZADD", "z", "1", "a"], &[("__keyevent@0__:zadd", "z")], b":1\r\n");
    check(&mut c, &["ZINCRBY", "z", "2", "a"], &[("__keyevent@0__:zincr", "z")], b"$1\r\n3\r\n");
    check(&mut c, &["ZREM", "z", "a"], &[("__keyevent@0__:zrem", "z")], b":1\r\n");
}
