//! MONITOR: the feed's line format, escaping, db and address, redaction, and what is left out.

mod common;

use std::time::Duration;

use common::resp;

/// Split a feed into lines and drop the `+<secs>.<usecs> ` timestamp after checking its shape.
fn lines(feed: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(feed).into_owned();
    text.split("\r\n")
        .filter(|l| !l.is_empty())
        .map(|l| {
            let l = l.strip_prefix('+').unwrap_or_else(|| panic!("not a status line: {l:?}"));
            let (ts, rest) = l.split_once(' ').unwrap();
            let (secs, usecs) = ts.split_once('.').unwrap();
            assert!(secs.parse::<u64>().unwrap() > 1_600_000_000);
            assert_eq!(usecs.len(), 6, "{ts}");
            assert!(usecs.bytes().all(|b| b.is_ascii_digit()));
            rest.to_string()
        })
        .collect()
}

#[test]
fn monitor_feeds_executed_commands_in_redis_format() {
    let srv = common::start();
    let mut mon = srv.raw();
    mon.expect(&resp(&[b"MONITOR"]), b"+OK\r\n");
    let mut c = srv.raw();
    let addr = c.s.local_addr().unwrap().to_string();
    c.expect(&resp(&[b"ECHO", b"a \"b\"\n\\\x01\xff"]), b"$9\r\na \"b\"\n\\\x01\xff\r\n");
    c.expect(&resp(&[b"SELECT", b"3"]), b"+OK\r\n");
    c.expect(&resp(&[b"EXISTS", b"k"]), b":0\r\n");
    // Rejected before running: not fed.
    c.expect(&resp(&[b"EXISTS"]), b"-ERR wrong number of arguments for 'exists' command\r\n");
    c.expect(&resp(&[b"NOSUCH"]), b"-ERR unknown command 'NOSUCH', with args beginning with: \r\n");
    // Admin commands are not fed.
    c.expect(&resp(&[b"MONITOR"]), b"+OK\r\n");
    mon.send(&resp(&[b"PING"]));
    let (feed, _) = mon.read_for(Duration::from_millis(300), 0);
    // The feed of the other client's commands, then PING's reply, then PING's own line.
    let text = String::from_utf8_lossy(&feed).into_owned();
    let (before, after) = text.split_once("+PONG\r\n").expect("PONG in the stream");
    let mut got = lines(before.as_bytes());
    got.extend(lines(after.as_bytes()));
    assert_eq!(got.len(), 4, "{got:?}");
    assert_eq!(
        got[..3],
        [
            format!(r#"[0 {addr}] "ECHO" "a \"b\"\n\\\x01\xff""#),
            format!(r#"[3 {addr}] "SELECT" "3""#),
            format!(r#"[3 {addr}] "EXISTS" "k""#),
        ]
    );
    // The monitor's own PING is fed to itself after its reply.
    assert!(got[3].ends_with(r#"] "PING""#), "{:?}", got[3]);
    // The second MONITOR made `c` a monitor too: it sees the first monitor's commands.
    mon.send(&resp(&[b"ECHO", b"x"]));
    let (feed, _) = c.read_for(Duration::from_millis(300), 0);
    let got = lines(&feed);
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(got[1].ends_with(r#"] "ECHO" "x""#));
}

#[test]
fn monitor_redacts_credentials_and_shows_transactions_at_exec() {
    let srv = common::start();
    let mut mon = srv.raw();
    mon.expect(&resp(&[b"MONITOR"]), b"+OK\r\n");
    let mut c = srv.raw();
    c.roundtrip(&resp(&[b"AUTH", b"user", b"secret"]), 1);
    c.read_for(Duration::from_millis(50), 0);
    c.roundtrip(&resp(&[b"HELLO", b"2", b"AUTH", b"default", b"secret", b"SETNAME", b"n"]), 1);
    c.read_for(Duration::from_millis(50), 0);
    c.expect(&resp(&[b"MULTI"]), b"+OK\r\n");
    c.expect(&resp(&[b"EXISTS", b"a"]), b"+QUEUED\r\n");
    c.expect(&resp(&[b"MONITOR"]), b"+QUEUED\r\n");
    c.expect(
        &resp(&[b"EXEC"]),
        b"*2\r\n:0\r\n-ERR MONITOR isn't allowed for DENY BLOCKING client\r\n",
    );
    let (feed, _) = mon.read_for(Duration::from_millis(300), 0);
    let got: Vec<String> =
        lines(&feed).into_iter().map(|l| l.split_once("] ").unwrap().1.to_string()).collect();
    assert_eq!(
        got,
        vec![
            r#""AUTH" "(redacted)" "(redacted)""#,
            r#""HELLO" "2" "AUTH" "(redacted)" "(redacted)" "SETNAME" "n""#,
            r#""MULTI""#,
            r#""EXISTS" "a""#,
            r#""EXEC""#,
        ]
    );
}

#[test]
fn scripts_show_before_their_commands_which_come_from_lua() {
    let srv = common::start();
    let mut mon = srv.raw();
    mon.expect(&resp(&[b"MONITOR"]), b"+OK\r\n");
    let mut c = srv.raw();
    let addr = c.s.local_addr().unwrap().to_string();
    c.expect(&resp(&[b"EVAL", b"return redis.call('set','k','v')", b"0"]), b"+OK\r\n");
    // A failing script call is still fed.
    c.expect(
        &resp(&[b"EVALSHA", b"0000000000000000000000000000000000000000", b"0"]),
        b"-NOSCRIPT No matching script. Please use EVAL.\r\n",
    );
    let (feed, _) = mon.read_for(Duration::from_millis(300), 0);
    assert_eq!(
        lines(&feed),
        vec![
            format!("[0 {addr}] \"EVAL\" \"return redis.call('set','k','v')\" \"0\""),
            "[0 lua] \"set\" \"k\" \"v\"".to_string(),
            format!("[0 {addr}] \"EVALSHA\" \"0000000000000000000000000000000000000000\" \"0\""),
        ]
    );
}
