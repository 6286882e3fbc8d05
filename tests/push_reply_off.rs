//! CLIENT REPLY OFF/SKIP silences replies, not pushes (Redis's CLIENT_PUSHING): pub/sub
//! confirmations and messages still arrive, in RESP2 as in RESP3, while MONITOR's feed (a
//! reply) is silenced.

mod common;

use std::time::Duration;

use common::resp;

fn req(words: &[&str]) -> Vec<u8> {
    let v: Vec<&[u8]> = words.iter().map(|w| w.as_bytes()).collect();
    resp(&v)
}

#[test]
fn subscribe_confirmations_and_messages_pass_reply_off_and_skip() {
    let s = common::start();
    let mut publisher = s.conn();
    for (proto, agg) in [("2", "*"), ("3", ">")] {
        for mode in ["OFF", "SKIP"] {
            let mut r = s.raw();
            r.send(&req(&["HELLO", proto]));
            r.read_for(Duration::from_millis(100), 0);
            r.send(&req(&["CLIENT", "REPLY", mode]));
            let sub = format!("{agg}3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n");
            r.expect(&req(&["SUBSCRIBE", "ch"]), sub.as_bytes());
            let psub = format!("{agg}3\r\n$10\r\npsubscribe\r\n$2\r\nc*\r\n:2\r\n");
            r.expect(&req(&["PSUBSCRIBE", "c*"]), psub.as_bytes());
            let n: i64 = redis::cmd("PUBLISH").arg("ch").arg("hi").query(&mut publisher).unwrap();
            assert_eq!(n, 2);
            let msgs = format!(
                "{agg}3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n\
                 {agg}4\r\n$8\r\npmessage\r\n$2\r\nc*\r\n$2\r\nch\r\n$2\r\nhi\r\n"
            );
            let (got, _) = r.read_for(Duration::from_secs(2), msgs.len());
            assert_eq!(String::from_utf8_lossy(&got), msgs);
            let unsub = format!("{agg}3\r\n$11\r\nunsubscribe\r\n$2\r\nch\r\n:1\r\n");
            // RESP2 refuses CLIENT in the subscribed context; OFF stays on there anyway.
            if proto == "3" {
                r.send(&req(&["CLIENT", "REPLY", mode]));
            }
            r.expect(&req(&["UNSUBSCRIBE", "ch"]), unsub.as_bytes());
            let none = if proto == "2" { "$-1" } else { "_" };
            let punsub = format!("{agg}3\r\n$12\r\npunsubscribe\r\n$2\r\nc*\r\n:0\r\n");
            let unsub_none = format!("{agg}3\r\n$11\r\nunsubscribe\r\n{none}\r\n:0\r\n");
            if proto == "3" {
                r.send(&req(&["CLIENT", "REPLY", mode]));
            }
            r.expect(&req(&["PUNSUBSCRIBE"]), punsub.as_bytes());
            r.expect(&req(&["UNSUBSCRIBE"]), unsub_none.as_bytes());
        }
    }
}

#[test]
fn monitor_feed_is_silenced_by_reply_off() {
    let s = common::start();
    let mut c = s.conn();
    let mut m = s.raw();
    m.expect(&req(&["MONITOR"]), b"+OK\r\n");
    m.send(&req(&["CLIENT", "REPLY", "OFF"]));
    m.read_for(Duration::from_millis(100), 0);
    let _: () = redis::cmd("SET").arg("a").arg("b").query(&mut c).unwrap();
    let (got, _) = m.read_for(Duration::from_millis(200), 0);
    assert!(got.is_empty(), "{:?}", String::from_utf8_lossy(&got));
    m.send(&req(&["CLIENT", "REPLY", "ON"]));
    let (got, _) = m.read_for(Duration::from_secs(2), 5);
    assert!(got.starts_with(b"+OK\r\n"), "{:?}", String::from_utf8_lossy(&got));
}
