//! Clients blocked on keys are never left waiting for ever: a blocked XREADGROUP is released
//! when its stream goes away (deleted, replaced, flushed, swapped out, moved, expired) or
//! its group is destroyed, with Redis 7.0's errors; other waiters keep waiting for a value
//! of their kind; and a command served late is counted and slow-logged as Redis does.
//!
//! Waiting for "client X is blocked" polls INFO `blocked_clients`, never a sleep.

mod common;

use std::time::Duration;

use common::{info_field, q, read_exact, req, silent, wait_blocked, Raw, TestServer};

const GONE: &[u8] = b"-UNBLOCKED the stream key no longer exists\r\n";
const NOGROUP: &[u8] =
    b"-NOGROUP the consumer group this client was blocked on no longer exists\r\n";

/// A raw connection that sent `words` and is now blocked.
fn park(s: &TestServer, ctl: &mut redis::Connection, words: &[&str]) -> Raw {
    let before: usize = info_field(ctl, "clients", "blocked_clients").parse().unwrap();
    let mut r = s.raw();
    r.send(&req(words));
    wait_blocked(ctl, before + 1);
    r
}

const XREADGROUP: &[&str] =
    &["XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">"];

fn stream_with_group(c: &mut redis::Connection) {
    let _: () = q(c, &["FLUSHALL"]);
    let _: String = q(c, &["XADD", "s", "1-1", "f", "v"]);
    let _: String = q(c, &["XGROUP", "CREATE", "s", "g", "$"]);
}

#[test]
fn a_blocked_xreadgroup_is_released_when_its_stream_goes_away() {
    let s = common::start();
    let mut c = s.conn();
    let events: &[&[&[&str]]] = &[
        &[&["DEL", "s"]],
        &[&["UNLINK", "s"]],
        &[&["SET", "s", "x"]],
        &[&["MULTI"], &["DEL", "s"], &["SADD", "s", "e"], &["EXEC"]],
        &[&["FLUSHDB"]],
        &[&["FLUSHALL"]],
        &[&["SWAPDB", "0", "1"]],
        &[&["MOVE", "s", "1"]],
        &[&["RENAME", "s", "t"]],
        &[&["PEXPIRE", "s", "1"]],
    ];
    for ev in events {
        stream_with_group(&mut c);
        let mut r = park(&s, &mut c, XREADGROUP);
        for cmd in *ev {
            let _: redis::Value = q(&mut c, cmd);
        }
        read_exact(&mut r, GONE);
        wait_blocked(&mut c, 0);
        // The client's pipeline goes on.
        r.expect(&req(&["PING"]), b"+PONG\r\n");
    }
}

#[test]
fn a_destroyed_group_or_a_stream_renamed_over_answers_nogroup() {
    let s = common::start();
    let mut c = s.conn();
    let _: () = q(&mut c, &["CONFIG", "RESETSTAT"]);
    stream_with_group(&mut c);
    let mut r = park(&s, &mut c, XREADGROUP);
    let _: i64 = q(&mut c, &["XGROUP", "DESTROY", "s", "g"]);
    read_exact(&mut r, NOGROUP);
    // A blocked call that fails counts once as a call and once as a failure.
    let stats: String = q(&mut c, &["INFO", "commandstats"]);
    let row = stats.lines().find(|l| l.starts_with("cmdstat_xreadgroup:")).unwrap();
    assert!(row.contains("calls=1,") && row.ends_with("failed_calls=1"), "{row}");
    assert_eq!(info_field(&mut c, "errorstats", "errorstat_NOGROUP"), "count=1");

    stream_with_group(&mut c);
    let _: String = q(&mut c, &["XADD", "other", "1-1", "f", "v"]);
    let mut r = park(&s, &mut c, XREADGROUP);
    let _: String = q(&mut c, &["RENAME", "other", "s"]);
    read_exact(&mut r, NOGROUP);
}

#[test]
fn xread_keeps_waiting_through_a_deletion_and_a_type_change() {
    let s = common::start();
    let mut c = s.conn();
    let _: String = q(&mut c, &["XADD", "s", "5-1", "f", "v"]);
    let mut r = park(&s, &mut c, &["XREAD", "BLOCK", "0", "STREAMS", "s", "$"]);
    let _: i64 = q(&mut c, &["DEL", "s"]);
    let _: String = q(&mut c, &["SET", "s", "x"]);
    let _: i64 = q(&mut c, &["DEL", "s"]);
    // Older than the id it waits after: still waiting.
    let _: String = q(&mut c, &["XADD", "s", "1-1", "a", "b"]);
    silent(&mut r);
    let _: String = q(&mut c, &["XADD", "s", "6-1", "a", "b"]);
    read_exact(
        &mut r,
        b"*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n6-1\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n",
    );
}

#[test]
fn list_and_zset_waiters_ignore_a_key_of_another_type_until_theirs_comes() {
    let s = common::start();
    let mut c = s.conn();
    let mut l = park(&s, &mut c, &["BLPOP", "k", "0"]);
    let mut z = park(&s, &mut c, &["BZPOPMIN", "z", "0"]);
    let _: String = q(&mut c, &["SET", "k", "x"]);
    let _: i64 = q(&mut c, &["RPUSH", "z", "a"]);
    let _: () = q(&mut c, &["FLUSHALL"]);
    silent(&mut l);
    silent(&mut z);
    wait_blocked(&mut c, 2);
    let _: i64 = q(&mut c, &["RPUSH", "k", "a"]);
    let _: i64 = q(&mut c, &["ZADD", "z", "1", "m"]);
    read_exact(&mut l, b"*2\r\n$1\r\nk\r\n$1\r\na\r\n");
    read_exact(&mut z, b"*3\r\n$1\r\nz\r\n$1\r\nm\r\n$1\r\n1\r\n");
}

#[test]
fn a_command_served_late_is_slow_logged_as_sent_when_served() {
    let s = common::start();
    let mut c = s.conn();
    let _: () = q(&mut c, &["CONFIG", "SET", "slowlog-log-slower-than", "0"]);
    for words in [&["BLPOP", "l", "0"][..], &["XREAD", "BLOCK", "0", "STREAMS", "l2", "$"][..]] {
        let mut r = park(&s, &mut c, words);
        let _: () = q(&mut c, &["SLOWLOG", "RESET"]);
        let mut pipe = redis::pipe();
        pipe.cmd("MULTI").ignore();
        if words[0] == "BLPOP" {
            pipe.cmd("LPUSH").arg("l").arg("foo").ignore();
        } else {
            pipe.cmd("XADD").arg("l2").arg("*").arg("a").arg("b").ignore();
        }
        pipe.cmd("SLOWLOG").arg("RESET").ignore();
        pipe.cmd("EXEC").ignore();
        let _: () = pipe.query(&mut c).unwrap();
        let (got, _) = r.read_for(Duration::from_secs(5), 10);
        assert!(!got.is_empty());
        let v: Vec<redis::Value> = q(&mut c, &["SLOWLOG", "GET", "1"]);
        let redis::Value::Array(f) = &v[0] else { panic!("slowlog entry {v:?}") };
        let logged: Vec<String> = redis::from_redis_value(f[3].clone()).unwrap();
        let args: Vec<&str> = logged.iter().map(|s| s.as_str()).collect();
        assert_eq!(args, words, "the served command, as the client sent it");
    }
}

#[test]
fn client_reply_skip_before_a_blocking_command_skips_its_late_answer() {
    let s = common::start();
    let mut c = s.conn();
    for (words, wake) in [
        (&["BLPOP", "l", "0"][..], &["RPUSH", "l", "x"][..]),
        (&["BLPOP", "l", "0"][..], &["CLIENT", "UNBLOCK", "ID"][..]),
    ] {
        let mut r = s.raw();
        r.send(&req(&["CLIENT", "ID"]));
        let (id, _) = r.read_for(Duration::from_secs(2), 4);
        let id = String::from_utf8_lossy(&id[1..id.len() - 2]).to_string();
        r.send(&req(&["CLIENT", "REPLY", "SKIP"]));
        r.send(&req(words));
        wait_blocked(&mut c, 1);
        let wake: Vec<&str> =
            wake.iter().map(|w| if *w == "ID" { id.as_str() } else { w }).collect();
        let _: redis::Value = q(&mut c, &wake);
        wait_blocked(&mut c, 0);
        // Skipped, and only that answer: the next command is answered.
        r.expect(&req(&["PING"]), b"+PONG\r\n");
    }
}
