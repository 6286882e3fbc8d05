//! Pub/Sub between connections: channels, patterns, shard channels, RESP2 and RESP3 shapes,
//! the RESP2 subscribed context and output buffer limits.

mod common;

use std::sync::mpsc;
use std::time::Duration;

use common::resp;
use redis::{PushKind, Value};

fn wait_numsub(c: &mut redis::Connection, ch: &str, n: i64) {
    for _ in 0..200 {
        let v: Vec<Value> = redis::cmd("PUBSUB").arg("NUMSUB").arg(ch).query(c).unwrap();
        if v.get(1) == Some(&Value::Int(n)) {
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!("{ch} never reached {n} subscribers");
}

#[test]
fn resp2_channel_and_pattern_messages_reach_other_connections() {
    let srv = common::start();
    let mut sub_conn = srv.conn();
    let mut publisher = srv.conn();
    let mut sub = sub_conn.as_pubsub();
    sub.subscribe("news").unwrap();
    sub.psubscribe("n*").unwrap();
    sub.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    let n: i64 = redis::cmd("PUBLISH").arg("news").arg("hello").query(&mut publisher).unwrap();
    assert_eq!(n, 2);
    let m = sub.get_message().unwrap();
    assert_eq!(m.get_channel_name(), "news");
    assert!(!m.from_pattern());
    assert_eq!(m.get_payload::<String>().unwrap(), "hello");
    let m = sub.get_message().unwrap();
    assert!(m.from_pattern());
    assert_eq!(m.get_pattern::<String>().unwrap(), "n*");
    assert_eq!(m.get_payload::<String>().unwrap(), "hello");
    let n: i64 = redis::cmd("PUBLISH").arg("other").arg("x").query(&mut publisher).unwrap();
    assert_eq!(n, 0);
}

#[test]
fn resp2_exact_bytes_of_subscribe_messages_and_shard_messages() {
    let srv = common::start();
    let mut sub = srv.raw();
    sub.expect(
        &resp(&[b"SUBSCRIBE", b"a", b"b"]),
        b"*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n",
    );
    sub.expect(&resp(&[b"SSUBSCRIBE", b"s"]), b"*3\r\n$10\r\nssubscribe\r\n$1\r\ns\r\n:1\r\n");
    let mut p = srv.raw();
    p.expect(&resp(&[b"PUBLISH", b"b", b"m1"]), b":1\r\n");
    p.expect(&resp(&[b"SPUBLISH", b"s", b"m2"]), b":1\r\n");
    p.expect(&resp(&[b"PUBLISH", b"s", b"m3"]), b":0\r\n");
    let want = b"*3\r\n$7\r\nmessage\r\n$1\r\nb\r\n$2\r\nm1\r\n*3\r\n$8\r\nsmessage\r\n$1\r\ns\r\n$2\r\nm2\r\n";
    let (got, _) = sub.read_for(Duration::from_secs(2), want.len());
    assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(want));
    p.expect(
        &resp(&[b"PUBSUB", b"NUMSUB", b"a", b"s"]),
        b"*4\r\n$1\r\na\r\n:1\r\n$1\r\ns\r\n:0\r\n",
    );
    p.expect(&resp(&[b"PUBSUB", b"SHARDNUMSUB", b"s"]), b"*2\r\n$1\r\ns\r\n:1\r\n");
    // Closing the subscriber removes it everywhere.
    drop(sub);
    for _ in 0..200 {
        let got = p.roundtrip(&resp(&[b"PUBLISH", b"a", b"x"]), 4);
        if got == b":0\r\n" {
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!("subscriber still counted after disconnect");
}

#[test]
fn resp2_subscribed_context_refuses_other_commands() {
    let srv = common::start();
    let mut c = srv.raw();
    c.expect(&resp(&[b"PSUBSCRIBE", b"x*"]), b"*3\r\n$10\r\npsubscribe\r\n$2\r\nx*\r\n:1\r\n");
    c.expect(
        &resp(&[b"EXISTS", b"k"]),
        b"-ERR Can't execute 'exists': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n",
    );
    c.expect(
        &resp(&[b"PUBSUB", b"NUMPAT"]),
        b"-ERR Can't execute 'pubsub|numpat': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n",
    );
    c.expect(&resp(&[b"PUNSUBSCRIBE"]), b"*3\r\n$12\r\npunsubscribe\r\n$2\r\nx*\r\n:0\r\n");
    c.expect(&resp(&[b"EXISTS", b"k"]), b":0\r\n");
}

#[test]
fn resp3_messages_are_push_frames_and_any_command_runs() {
    let srv = common::start();
    let mut sub = srv.conn3();
    let (tx, rx) = mpsc::channel();
    sub.set_push_sender(tx);
    sub.subscribe_resp3("c3").unwrap();
    sub.psubscribe_resp3("c*").unwrap();
    // Regular commands work while subscribed in RESP3.
    let n: i64 = redis::cmd("EXISTS").arg("k").query(&mut sub).unwrap();
    assert_eq!(n, 0);
    let mut publisher = srv.conn3();
    wait_numsub(&mut publisher, "c3", 1);
    let n: i64 = redis::cmd("PUBLISH").arg("c3").arg("hi").query(&mut publisher).unwrap();
    assert_eq!(n, 2);
    // Reading any reply on the subscriber hands the pushes to the push sender.
    let _: i64 = redis::cmd("EXISTS").arg("k").query(&mut sub).unwrap();
    let mut kinds = Vec::new();
    while let Ok(p) = rx.recv_timeout(Duration::from_millis(500)) {
        kinds.push((p.kind, p.data));
    }
    assert!(kinds.iter().any(|(k, d)| *k == PushKind::Message
        && d == &vec![Value::BulkString(b"c3".to_vec()), Value::BulkString(b"hi".to_vec())]));
    assert!(kinds
        .iter()
        .any(|(k, d)| *k == PushKind::PMessage
            && d.first() == Some(&Value::BulkString(b"c*".to_vec()))));
}

#[test]
fn resp3_publish_to_self_pushes_before_the_reply() {
    let srv = common::start();
    let mut c = srv.raw();
    let hello = c.roundtrip(&resp(&[b"HELLO", b"3"]), 1);
    assert!(hello.starts_with(b"%"), "{:?}", String::from_utf8_lossy(&hello));
    // Drain the rest of the HELLO map.
    c.read_for(Duration::from_millis(100), 0);
    c.expect(&resp(&[b"SUBSCRIBE", b"me"]), b">3\r\n$9\r\nsubscribe\r\n$2\r\nme\r\n:1\r\n");
    c.expect(
        &resp(&[b"PUBLISH", b"me", b"x"]),
        b">3\r\n$7\r\nmessage\r\n$2\r\nme\r\n$1\r\nx\r\n:1\r\n",
    );
    c.expect(&resp(&[b"UNSUBSCRIBE"]), b">3\r\n$11\r\nunsubscribe\r\n$2\r\nme\r\n:0\r\n");
    c.expect(&resp(&[b"UNSUBSCRIBE"]), b">3\r\n$11\r\nunsubscribe\r\n_\r\n:0\r\n");
}

#[test]
fn subscriber_over_the_hard_output_limit_is_disconnected() {
    let srv = common::start_with(&["--client-output-buffer-limit", "pubsub 64kb 0 0"]);
    let mut sub = srv.raw();
    sub.expect(&resp(&[b"SUBSCRIBE", b"big"]), b"*3\r\n$9\r\nsubscribe\r\n$3\r\nbig\r\n:1\r\n");
    // The subscriber never reads: one message larger than the limit trips it at once.
    let payload = vec![b'x'; 100 * 1024];
    let mut p = srv.raw();
    let r = p.roundtrip(&resp(&[b"PUBLISH", b"big", &payload]), 4);
    assert_eq!(r, b":1\r\n");
    let mut closed = false;
    for _ in 0..100 {
        let r = p.roundtrip(&resp(&[b"PUBSUB", b"NUMSUB", b"big"]), 17);
        if r.ends_with(b":0\r\n") {
            closed = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(closed, "subscriber still there");
    assert!(sub.closed_within(Duration::from_secs(2)));
}

#[test]
fn resp3_pushes_to_self_survive_client_reply_off() {
    let srv = common::start();
    let mut c = srv.raw();
    let hello = c.roundtrip(&resp(&[b"HELLO", b"3"]), 1);
    assert!(hello.starts_with(b"%"));
    c.read_for(Duration::from_millis(100), 0);
    c.expect(&resp(&[b"SUBSCRIBE", b"a"]), b">3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n");
    c.send(&resp(&[b"CLIENT", b"REPLY", b"OFF"]));
    c.send(&resp(&[b"PUBLISH", b"a", b"x"]));
    c.expect(
        &resp(&[b"CLIENT", b"REPLY", b"ON"]),
        b">3\r\n$7\r\nmessage\r\n$1\r\na\r\n$1\r\nx\r\n+OK\r\n",
    );
}

#[test]
fn normal_class_limit_closes_a_client_whose_replies_pile_up() {
    let srv = common::start_with(&["--client-output-buffer-limit", "normal 64kb 0 0"]);
    let mut c = srv.raw();
    let big = vec![b'v'; 40 * 1024];
    c.expect(&resp(&[b"SET", b"big", &big]), b"+OK\r\n");
    // Two pipelined GETs queue 80kb of replies in one batch: over the hard limit.
    let mut req = resp(&[b"GET", b"big"]);
    req.extend(resp(&[b"GET", b"big"]));
    c.send(&req);
    assert!(c.closed_within(Duration::from_secs(2)));
    let mut other = srv.raw();
    other.expect(&resp(&[b"GET", b"nokey"]), b"$-1\r\n");
}
