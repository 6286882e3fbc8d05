//! Blocking list commands across connections: clients park without blocking the server,
//! are served FIFO with the element pushed, time out with Redis's null, resume their queued
//! pipeline, chain through BLMOVE, and are cleaned up on CLIENT UNBLOCK and disconnect.
//!
//! Waiting for "client X is blocked" polls CLIENT LIST for `flags=b`, never a sleep.

mod common;

use std::time::{Duration, Instant};

use common::{q, read_exact, resp, silent, Raw, TestServer};

fn req(words: &[&str]) -> Vec<u8> {
    let v: Vec<&[u8]> = words.iter().map(|w| w.as_bytes()).collect();
    resp(&v)
}

/// Number of clients CLIENT LIST shows as blocked.
fn blocked(c: &mut redis::Connection) -> usize {
    let list: String = q(c, &["CLIENT", "LIST"]);
    list.lines()
        .filter(|l| l.split(' ').any(|f| f.starts_with("flags=") && f.contains('b')))
        .count()
}

fn wait_blocked(c: &mut redis::Connection, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let b = blocked(c);
        if b == n {
            return;
        }
        assert!(Instant::now() < deadline, "expected {n} blocked clients, have {b}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// A raw client that sent `words` and is now parked.
fn park(s: &TestServer, ctl: &mut redis::Connection, resp3: bool, words: &[&str]) -> Raw {
    let mut r = s.raw();
    if resp3 {
        let hello = r.roundtrip(&req(&["HELLO", "3"]), 1);
        assert!(hello.starts_with(b"%"), "{}", String::from_utf8_lossy(&hello));
        // The rest of the HELLO map may still be in flight; drain it.
        r.read_for(Duration::from_millis(100), 0);
    }
    let before = blocked(ctl);
    r.send(&req(words));
    wait_blocked(ctl, before + 1);
    r
}

#[test]
fn blpop_is_served_by_a_later_push_in_both_protocols() {
    let s = common::start();
    let mut ctl = s.conn();
    for resp3 in [false, true] {
        let mut a = park(&s, &mut ctl, resp3, &["BLPOP", "k", "0"]);
        silent(&mut a);
        let n: i64 = q(&mut ctl, &["RPUSH", "k", "v", "w"]);
        assert_eq!(n, 2, "the pusher sees the length before the waiter is served");
        read_exact(&mut a, b"*2\r\n$1\r\nk\r\n$1\r\nv\r\n");
        let rest: Vec<String> = q(&mut ctl, &["LRANGE", "k", "0", "-1"]);
        assert_eq!(rest, vec!["w"]);
        q::<i64>(&mut ctl, &["DEL", "k"]);
        wait_blocked(&mut ctl, 0);
    }
}

#[test]
fn waiters_are_served_first_come_first_served() {
    let s = common::start();
    let mut ctl = s.conn();
    let mut a = park(&s, &mut ctl, false, &["BLPOP", "q", "0"]);
    let mut b = park(&s, &mut ctl, false, &["BRPOP", "q", "0"]);
    let mut c = park(&s, &mut ctl, true, &["BLPOP", "q", "0"]);
    q::<i64>(&mut ctl, &["RPUSH", "q", "x", "y"]);
    read_exact(&mut a, b"*2\r\n$1\r\nq\r\n$1\r\nx\r\n");
    read_exact(&mut b, b"*2\r\n$1\r\nq\r\n$1\r\ny\r\n");
    silent(&mut c);
    assert_eq!(blocked(&mut ctl), 1);
    q::<i64>(&mut ctl, &["LPUSH", "q", "z"]);
    read_exact(&mut c, b"*2\r\n$1\r\nq\r\n$1\r\nz\r\n");
    let exists: i64 = q(&mut ctl, &["EXISTS", "q"]);
    assert_eq!(exists, 0, "every pushed element went to a waiter");
}

#[test]
fn timeouts_reply_the_null_array() {
    let s = common::start();
    let mut ctl = s.conn();
    let cases: &[(&[&str], bool, &[u8])] = &[
        (&["BLPOP", "none", "0.172"], false, b"*-1\r\n"),
        (&["BRPOP", "none", "other", "0.05"], true, b"_\r\n"),
        (&["BLMOVE", "none", "d", "LEFT", "RIGHT", "0.05"], false, b"*-1\r\n"),
        (&["BRPOPLPUSH", "none", "d", "0.05"], true, b"_\r\n"),
        (&["BLMPOP", "0.05", "2", "none", "other", "LEFT", "COUNT", "3"], false, b"*-1\r\n"),
    ];
    for (words, resp3, want) in cases {
        let mut r = s.raw();
        if *resp3 {
            r.send(&req(&["HELLO", "3"]));
            r.read_for(Duration::from_millis(200), 0);
        }
        r.send(&req(words));
        read_exact(&mut r, want);
    }
    wait_blocked(&mut ctl, 0);
    let d: i64 = q(&mut ctl, &["EXISTS", "d"]);
    assert_eq!(d, 0);
}

#[test]
fn the_queued_pipeline_resumes_after_service() {
    let s = common::start();
    let mut ctl = s.conn();
    let mut a = s.raw();
    let mut pipeline = req(&["BLPOP", "p", "0"]);
    pipeline.extend(req(&["LLEN", "p"]));
    pipeline.extend(req(&["PING"]));
    a.send(&pipeline);
    wait_blocked(&mut ctl, 1);
    silent(&mut a);
    q::<i64>(&mut ctl, &["RPUSH", "p", "1", "2"]);
    read_exact(&mut a, b"*2\r\n$1\r\np\r\n$1\r\n1\r\n:1\r\n+PONG\r\n");
    // Input that arrives while parked is also kept for later.
    a.send(&req(&["BLPOP", "p2", "0"]));
    wait_blocked(&mut ctl, 1);
    a.send(&req(&["ECHO", "after"]));
    silent(&mut a);
    q::<i64>(&mut ctl, &["RPUSH", "p2", "v"]);
    read_exact(&mut a, b"*2\r\n$2\r\np2\r\n$1\r\nv\r\n$5\r\nafter\r\n");
}

#[test]
fn several_keys_the_written_one_serves() {
    let s = common::start();
    let mut ctl = s.conn();
    let mut a = park(&s, &mut ctl, false, &["BLPOP", "k1", "k2", "k3", "0"]);
    q::<i64>(&mut ctl, &["RPUSH", "k3", "c"]);
    read_exact(&mut a, b"*2\r\n$2\r\nk3\r\n$1\r\nc\r\n");
    let mut b = park(&s, &mut ctl, true, &["BLMPOP", "0", "2", "m1", "m2", "RIGHT", "COUNT", "2"]);
    q::<i64>(&mut ctl, &["RPUSH", "m2", "a", "b", "c"]);
    read_exact(&mut b, b"*2\r\n$2\r\nm2\r\n*2\r\n$1\r\nc\r\n$1\r\nb\r\n");
    let rest: Vec<String> = q(&mut ctl, &["LRANGE", "m2", "0", "-1"]);
    assert_eq!(rest, vec!["a"]);
}

#[test]
fn a_key_of_another_type_does_not_wake_a_list_waiter() {
    let s = common::start();
    let mut ctl = s.conn();
    let mut a = park(&s, &mut ctl, false, &["BLPOP", "t", "0"]);
    let _: () = q(&mut ctl, &["SET", "t", "string"]);
    silent(&mut a);
    assert_eq!(blocked(&mut ctl), 1);
    q::<i64>(&mut ctl, &["DEL", "t"]);
    q::<i64>(&mut ctl, &["RPUSH", "t", "v"]);
    read_exact(&mut a, b"*2\r\n$1\r\nt\r\n$1\r\nv\r\n");
}

#[test]
fn blmove_chains_wake_the_next_waiter() {
    let s = common::start();
    let mut ctl = s.conn();
    let mut a = park(&s, &mut ctl, false, &["BLMOVE", "c1", "c2", "LEFT", "RIGHT", "0"]);
    let mut b = park(&s, &mut ctl, false, &["BRPOPLPUSH", "c2", "c3", "0"]);
    let mut c = park(&s, &mut ctl, true, &["BLPOP", "c3", "0"]);
    q::<i64>(&mut ctl, &["RPUSH", "c1", "x"]);
    read_exact(&mut a, b"$1\r\nx\r\n");
    read_exact(&mut b, b"$1\r\nx\r\n");
    read_exact(&mut c, b"*2\r\n$2\r\nc3\r\n$1\r\nx\r\n");
    let n: i64 = q(&mut ctl, &["EXISTS", "c1", "c2", "c3"]);
    assert_eq!(n, 0);
    wait_blocked(&mut ctl, 0);
}

#[test]
fn a_served_blmove_onto_a_wrong_type_gets_the_error_and_leaves_the_element() {
    let s = common::start();
    let mut ctl = s.conn();
    let mut a = park(&s, &mut ctl, false, &["BRPOPLPUSH", "src", "dst", "0"]);
    let _: () = q(&mut ctl, &["SET", "dst", "x"]);
    q::<i64>(&mut ctl, &["RPUSH", "src", "v"]);
    read_exact(&mut a, b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    let rest: Vec<String> = q(&mut ctl, &["LRANGE", "src", "0", "-1"]);
    assert_eq!(rest, vec!["v"]);
    wait_blocked(&mut ctl, 0);
}

#[test]
fn client_unblock_with_timeout_or_error() {
    let s = common::start();
    let mut ctl = s.conn();
    for (how, resp3, want) in [
        ("TIMEOUT", false, &b"*-1\r\n"[..]),
        ("timeout", true, b"_\r\n"),
        ("ERROR", false, b"-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n"),
    ] {
        let mut a = s.raw();
        if resp3 {
            a.send(&req(&["HELLO", "3"]));
            a.read_for(Duration::from_millis(200), 0);
        }
        a.send(&req(&["CLIENT", "ID"]));
        let (idb, _) = a.read_for(Duration::from_secs(2), 4);
        let id = String::from_utf8_lossy(&idb[1..]).trim().to_string();
        a.send(&req(&["BLPOP", "u", "0"]));
        wait_blocked(&mut ctl, 1);
        let n: i64 = q(&mut ctl, &["CLIENT", "UNBLOCK", &id, how]);
        assert_eq!(n, 1);
        read_exact(&mut a, want);
        let n: i64 = q(&mut ctl, &["CLIENT", "UNBLOCK", &id, how]);
        assert_eq!(n, 0, "no longer blocked");
        wait_blocked(&mut ctl, 0);
    }
    let n: i64 = q(&mut ctl, &["CLIENT", "UNBLOCK", "999999"]);
    assert_eq!(n, 0);
    let e = redis::cmd("CLIENT").arg("UNBLOCK").arg("1").arg("MAYBE").query::<i64>(&mut ctl);
    assert!(e
        .unwrap_err()
        .to_string()
        .contains("CLIENT UNBLOCK reason should be TIMEOUT or ERROR"));
}

#[test]
fn a_disconnected_waiter_is_forgotten() {
    let s = common::start();
    let mut ctl = s.conn();
    let a = park(&s, &mut ctl, false, &["BLPOP", "gone", "0"]);
    let mut b = park(&s, &mut ctl, false, &["BLPOP", "gone", "0"]);
    drop(a);
    wait_blocked(&mut ctl, 1);
    q::<i64>(&mut ctl, &["RPUSH", "gone", "v1", "v2"]);
    read_exact(&mut b, b"*2\r\n$4\r\ngone\r\n$2\r\nv1\r\n");
    let rest: Vec<String> = q(&mut ctl, &["LRANGE", "gone", "0", "-1"]);
    assert_eq!(rest, vec!["v2"], "the closed client took nothing");
}

#[test]
fn a_push_inside_multi_serves_after_exec() {
    let s = common::start();
    let mut ctl = s.conn();
    let multi = redis::cmd("MULTI").query::<String>(&mut ctl);
    if multi.is_err() {
        eprintln!("MULTI not available in this build: skipped");
        return;
    }
    let _ = redis::cmd("DISCARD").query::<String>(&mut ctl);
    let mut a = park(&s, &mut ctl, false, &["BLPOP", "mx", "0"]);
    let (n1, n2, len): (i64, i64, i64) = redis::pipe()
        .atomic()
        .cmd("RPUSH")
        .arg("mx")
        .arg("a")
        .cmd("RPUSH")
        .arg("mx")
        .arg("b")
        .cmd("LLEN")
        .arg("mx")
        .query(&mut ctl)
        .unwrap();
    assert_eq!((n1, n2, len), (1, 2, 2), "nothing is served inside the transaction");
    read_exact(&mut a, b"*2\r\n$2\r\nmx\r\n$1\r\na\r\n");
    let rest: Vec<String> = q(&mut ctl, &["LRANGE", "mx", "0", "-1"]);
    assert_eq!(rest, vec!["b"]);
    // Inside MULTI a blocking command answers as on a timeout.
    let (v,): (redis::Value,) =
        redis::pipe().atomic().cmd("BLPOP").arg("none").arg("0").query(&mut ctl).unwrap();
    assert_eq!(v, redis::Value::Nil);
}

#[test]
fn blocked_clients_do_not_stall_the_server() {
    let s = common::start();
    let mut ctl = s.conn();
    let _parked: Vec<Raw> = (0..20)
        .map(|i| {
            let k = format!("w{}", i % 3);
            park(&s, &mut ctl, false, &["BLPOP", &k, "0"])
        })
        .collect();
    for i in 0..100 {
        let n: i64 = q(&mut ctl, &["INCR", "counter"]);
        assert_eq!(n, i + 1);
    }
    assert_eq!(blocked(&mut ctl), 20);
}

#[test]
fn a_client_with_replies_off_is_served_silently() {
    let s = common::start();
    let mut ctl = s.conn();
    let mut a = s.raw();
    a.send(&req(&["CLIENT", "REPLY", "OFF"]));
    a.send(&req(&["BLPOP", "off", "0"]));
    wait_blocked(&mut ctl, 1);
    q::<i64>(&mut ctl, &["RPUSH", "off", "v"]);
    wait_blocked(&mut ctl, 0);
    a.send(&req(&["CLIENT", "REPLY", "ON"]));
    read_exact(&mut a, b"+OK\r\n");
    let n: i64 = q(&mut ctl, &["EXISTS", "off"]);
    assert_eq!(n, 0, "the silent client still took the element");
}

#[test]
fn a_push_held_by_client_pause_serves_when_released() {
    let s = common::start();
    let mut ctl = s.conn();
    let mut a = park(&s, &mut ctl, false, &["BLPOP", "held", "0"]);
    let _: () = q(&mut ctl, &["CLIENT", "PAUSE", "100000", "WRITE"]);
    let mut pusher = s.raw();
    pusher.send(&req(&["RPUSH", "held", "v"]));
    silent(&mut pusher);
    silent(&mut a);
    let _: () = q(&mut ctl, &["CLIENT", "UNPAUSE"]);
    read_exact(&mut pusher, b":1\r\n");
    read_exact(&mut a, b"*2\r\n$4\r\nheld\r\n$1\r\nv\r\n");
}

/// Read one BLPOP reply: `*2 key value` gives the value, a timeout null (`*-1` or `_`) None.
fn pop_reply(r: &mut Raw) -> Option<String> {
    let mut got = Vec::new();
    loop {
        if got == b"*-1\r\n" || got == b"_\r\n" {
            return None;
        }
        if got.windows(2).filter(|w| w == b"\r\n").count() == 5 {
            let text = String::from_utf8_lossy(&got).to_string();
            return Some(text.split("\r\n").nth(4).unwrap().to_string());
        }
        let (more, closed) = r.read_for(Duration::from_secs(5), 1);
        assert!(!closed && !more.is_empty(), "incomplete {:?}", String::from_utf8_lossy(&got));
        got.extend(more);
    }
}

#[test]
fn every_pushed_element_is_delivered_exactly_once() {
    let s = common::start();
    let mut ctl = s.conn();
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut rnd = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    let keys = ["ka", "kb", "kc"];
    for round in 0..3 {
        let mut waiters = Vec::new();
        for i in 0..8 {
            let mut words = vec![if rnd(2) == 0 { "BLPOP" } else { "BRPOP" }];
            let first = rnd(3) as usize;
            for k in 0..=rnd(3) as usize {
                words.push(keys[(first + k) % 3]);
            }
            words.push("0");
            waiters.push(park(&s, &mut ctl, i % 2 == 1, &words));
        }
        let mut pushed = Vec::new();
        for j in 0..12 {
            let v = format!("r{round}e{j}");
            let k = keys[rnd(3) as usize];
            q::<i64>(&mut ctl, &[if rnd(2) == 0 { "RPUSH" } else { "LPUSH" }, k, &v]);
            pushed.push(v);
        }
        // Whoever is still waiting is released with the timeout reply.
        let list: String = q(&mut ctl, &["CLIENT", "LIST"]);
        for line in list.lines().filter(|l| l.contains("flags=b")) {
            let id = line.split(' ').find_map(|f| f.strip_prefix("id=")).unwrap();
            q::<i64>(&mut ctl, &["CLIENT", "UNBLOCK", id]);
        }
        let mut got: Vec<String> = waiters.iter_mut().filter_map(pop_reply).collect();
        for k in keys {
            got.extend(strs_of(&mut ctl, k));
            q::<i64>(&mut ctl, &["DEL", k]);
        }
        got.sort();
        pushed.sort();
        assert_eq!(got, pushed, "round {round}");
        wait_blocked(&mut ctl, 0);
    }
}

fn strs_of(c: &mut redis::Connection, k: &str) -> Vec<String> {
    q(c, &["LRANGE", k, "0", "-1"])
}

#[test]
fn a_waiter_killed_by_client_kill_is_forgotten() {
    let s = common::start();
    let mut ctl = s.conn();
    let mut a = park(&s, &mut ctl, false, &["BLPOP", "kk", "0"]);
    let list: String = q(&mut ctl, &["CLIENT", "LIST"]);
    let id = list
        .lines()
        .find(|l| l.contains("flags=b"))
        .and_then(|l| l.split(' ').find_map(|f| f.strip_prefix("id=")))
        .unwrap()
        .to_string();
    let n: i64 = q(&mut ctl, &["CLIENT", "KILL", "ID", &id]);
    assert_eq!(n, 1);
    assert!(a.closed_within(Duration::from_secs(5)));
    wait_blocked(&mut ctl, 0);
    q::<i64>(&mut ctl, &["RPUSH", "kk", "v"]);
    let left: i64 = q(&mut ctl, &["LLEN", "kk"]);
    assert_eq!(left, 1);
}

#[test]
fn serving_a_waiter_notifies_like_redis() {
    let s = common::start_with(&["--notify-keyspace-events", "KEA"]);
    let mut ctl = s.conn();
    let mut sub = s.raw();
    sub.send(&req(&["PSUBSCRIBE", "__keyevent@0__:*"]));
    sub.read_for(Duration::from_millis(200), 0);
    let mut a = park(&s, &mut ctl, false, &["BLMOVE", "w", "d", "RIGHT", "LEFT", "0"]);
    q::<i64>(&mut ctl, &["RPUSH", "w", "v"]);
    read_exact(&mut a, b"$1\r\nv\r\n");
    let (got, _) = sub.read_for(Duration::from_secs(2), 400);
    let text = String::from_utf8_lossy(&got).to_string();
    let events: Vec<&str> = text
        .split("\r\n")
        .filter(|p| p.starts_with("__keyevent@0__:") && !p.ends_with('*'))
        .collect();
    // Redis 7.0.15: the push, then the served BLMOVE's lpush on the destination, rpop and
    // del on the source.
    assert_eq!(
        events,
        [
            "__keyevent@0__:rpush",
            "__keyevent@0__:lpush",
            "__keyevent@0__:rpop",
            "__keyevent@0__:del"
        ]
    );
}

#[test]
fn swapdb_wakes_clients_blocked_on_keys_it_brings_in() {
    let s = common::start();
    let mut ctl = s.conn();
    let mut a = park(&s, &mut ctl, false, &["BLPOP", "swapped", "0"]);
    silent(&mut a);
    q::<()>(&mut ctl, &["SELECT", "1"]);
    let n: i64 = q(&mut ctl, &["RPUSH", "swapped", "x"]);
    assert_eq!(n, 1);
    silent(&mut a);
    q::<()>(&mut ctl, &["SWAPDB", "0", "1"]);
    read_exact(&mut a, b"*2\r\n$7\r\nswapped\r\n$1\r\nx\r\n");
    wait_blocked(&mut ctl, 0);
}
