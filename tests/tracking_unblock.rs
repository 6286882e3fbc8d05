//! Client-side caching and blocked clients: a command served on unblock sends the
//! invalidations it caused for its own client right after its reply (Redis 7.0's "Unblocked
//! BLMOVE gets notification after response").
mod common;

use common::{exp, raw, resp};
use std::time::Duration;

#[test]
fn unblocked_blmove_invalidates_after_its_reply() {
    let s = common::start();
    let mut r = raw(&s, false);
    exp(&mut r, &["RPUSH", "list2", "a"], ":1\r\n");
    let mut rd = raw(&s, true);
    exp(&mut rd, &["CLIENT", "TRACKING", "on"], "+OK\r\n");
    exp(&mut rd, &["LRANGE", "list2", "0", "-1"], "*1\r\n$1\r\na\r\n");
    rd.send(&resp(&[b"BLMOVE", b"list1", b"list2", b"left", b"left", b"0"]));
    // Wait until it is parked (a bounded number of polls).
    let blocked = (0..200).any(|_| {
        let (out, _) = r.read_for(Duration::from_millis(0), 0);
        assert!(out.is_empty());
        r.send(&resp(&[b"INFO", b"clients"]));
        let (info, _) = r.read_for(Duration::from_millis(50), 0);
        String::from_utf8_lossy(&info).contains("blocked_clients:1\r\n")
    });
    assert!(blocked);
    exp(&mut r, &["RPUSH", "list1", "foo"], ":1\r\n");
    let want = "$3\r\nfoo\r\n>2\r\n$10\r\ninvalidate\r\n*1\r\n$5\r\nlist2\r\n";
    let (got, _) = rd.read_for(Duration::from_secs(2), want.len());
    assert_eq!(String::from_utf8_lossy(&got), want);
}
