//! DEBUG PAUSE-CRON and SET-DISABLE-DENY-SCRIPTS, and the tracking table limit applied
//! before each command (Redis's processCommand), which the suite's #11715 regression uses.

mod common;

use std::time::Duration;

use common::{q, req, Raw};

#[test]
fn set_disable_deny_scripts_lets_scripts_call_noscript_commands() {
    let srv = common::start_with(&["--enable-debug-command", "yes"]);
    let mut c = srv.conn();
    let script = "return redis.call('debug', 'protocol', 'integer')";
    let e = redis::cmd("EVAL").arg(script).arg(0).query::<i64>(&mut c).unwrap_err();
    assert!(e.to_string().contains("not allowed from script"), "{e}");
    let _: () = q(&mut c, &["DEBUG", "SET-DISABLE-DENY-SCRIPTS", "1"]);
    let n: i64 = redis::cmd("EVAL").arg(script).arg(0).query(&mut c).unwrap();
    assert_eq!(n, 12345);
    let _: () = q(&mut c, &["DEBUG", "SET-DISABLE-DENY-SCRIPTS", "0"]);
    assert!(redis::cmd("EVAL").arg(script).arg(0).query::<i64>(&mut c).is_err());
}

#[test]
fn tracking_limit_invalidates_before_the_next_command_even_with_cron_paused() {
    let srv = common::start_with(&["--enable-debug-command", "yes"]);
    let mut admin = srv.conn();
    let _: () = q(&mut admin, &["CONFIG", "SET", "tracking-table-max-keys", "2"]);
    let _: () = q(&mut admin, &["DEBUG", "PAUSE-CRON", "1"]);
    let mut rd: Raw = common::raw(&srv, true);
    rd.send(&req(&["CLIENT", "TRACKING", "on"]));
    rd.send(&req(&["MGET", "a", "b"]));
    rd.send(&req(&["MULTI"]));
    let got = rd.read_for(Duration::from_millis(300), 0).0;
    assert!(String::from_utf8_lossy(&got).ends_with("+OK\r\n"), "{got:?}");
    let _: () = q(&mut admin, &["CONFIG", "SET", "tracking-table-max-keys", "1"]);
    // The cron is paused: nothing is invalidated until the client's next command.
    assert!(rd.read_for(Duration::from_millis(300), 0).0.is_empty());
    rd.send(&req(&["PING"]));
    let got = String::from_utf8_lossy(&rd.read_for(Duration::from_millis(500), 0).0).into_owned();
    let inv = got.find("invalidate").expect("an invalidation");
    let queued = got.find("+QUEUED").expect("the command queued");
    assert!(inv < queued, "invalidation must precede the reply: {got:?}");
    let _: () = q(&mut admin, &["DEBUG", "PAUSE-CRON", "0"]);
}
