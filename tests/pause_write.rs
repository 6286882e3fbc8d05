//! CLIENT PAUSE WRITE as Redis 7.0's processCommand applies it: commands that may write or
//! replicate (writes, PUBLISH, PFCOUNT, EVAL/FCALL unless the script says `no-writes`, EXEC
//! of a transaction holding one) wait, reads and read-only transactions go on, held clients
//! count in INFO `blocked_clients`, and expired keys are not deleted while paused.

mod common;

use std::time::Duration;

use common::{info_field, q, req, wait_blocked, Raw, TestServer};

fn pause_write(c: &mut redis::Connection) {
    let _: () = q(c, &["CLIENT", "PAUSE", "100000", "WRITE"]);
}

/// Send `words` on a fresh connection: it must be held (counted as blocked, no reply) until
/// UNPAUSE, then get `reply`.
fn held_until_unpause(s: &TestServer, c: &mut redis::Connection, words: &[&str], reply: &[u8]) {
    pause_write(c);
    let mut r = s.raw();
    r.send(&req(words));
    wait_blocked(c, 1);
    let (early, _) = r.read_for(Duration::from_millis(50), 0);
    assert!(early.is_empty(), "{words:?} answered during the pause");
    let _: () = q(c, &["CLIENT", "UNPAUSE"]);
    let (got, _) = r.read_for(Duration::from_secs(5), reply.len());
    assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(reply), "{words:?}");
    wait_blocked(c, 0);
}

fn runs_during_pause(s: &TestServer, c: &mut redis::Connection, words: &[&str], reply: &[u8]) {
    pause_write(c);
    let mut r: Raw = s.raw();
    r.expect(&req(words), reply);
    assert_eq!(info_field(c, "clients", "blocked_clients"), "0");
    let _: () = q(c, &["CLIENT", "UNPAUSE"]);
}

#[test]
fn writes_and_may_replicate_commands_are_held_and_counted_as_blocked() {
    let s = common::start();
    let mut c = s.conn();
    let _: i64 = q(&mut c, &["PFADD", "h", "x"]);
    held_until_unpause(&s, &mut c, &["SET", "k", "v"], b"+OK\r\n");
    held_until_unpause(&s, &mut c, &["PFCOUNT", "h"], b":1\r\n");
    held_until_unpause(&s, &mut c, &["PUBLISH", "ch", "m"], b":0\r\n");
    held_until_unpause(&s, &mut c, &["EVAL", "return 1", "0"], b":1\r\n");
    held_until_unpause(&s, &mut c, &["EVAL", "#!lua\nreturn 1", "0"], b":1\r\n");
    runs_during_pause(&s, &mut c, &["GET", "k"], b"$1\r\nv\r\n");
    runs_during_pause(&s, &mut c, &["EVAL", "#!lua flags=no-writes\nreturn 1", "0"], b":1\r\n");
    runs_during_pause(&s, &mut c, &["EVAL_RO", "return 2", "0"], b":2\r\n");
}

#[test]
fn exec_is_held_only_for_a_transaction_that_may_write() {
    let s = common::start();
    let mut c = s.conn();
    let _: () = q(&mut c, &["SET", "k", "v"]);
    for (queued, held, reply) in [
        (&[&["PING"][..], &["GET", "k"]][..], false, &b"*2\r\n+PONG\r\n$1\r\nv\r\n"[..]),
        (&[&["GET", "k"][..], &["SET", "k", "w"]][..], true, &b"*2\r\n$1\r\nv\r\n+OK\r\n"[..]),
        (&[&["EVAL", "#!lua flags=no-writes\nreturn 3", "0"][..]][..], false, &b"*1\r\n:3\r\n"[..]),
    ] {
        let mut r = s.raw();
        r.expect(&req(&["MULTI"]), b"+OK\r\n");
        for cmd in queued {
            r.expect(&req(cmd), b"+QUEUED\r\n");
        }
        pause_write(&mut c);
        r.send(&req(&["EXEC"]));
        if held {
            wait_blocked(&mut c, 1);
            let (early, _) = r.read_for(Duration::from_millis(50), 0);
            assert!(early.is_empty(), "EXEC of {queued:?} answered during the pause");
        } else {
            let (got, _) = r.read_for(Duration::from_secs(5), reply.len());
            assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(reply));
        }
        let _: () = q(&mut c, &["CLIENT", "UNPAUSE"]);
        if held {
            let (got, _) = r.read_for(Duration::from_secs(5), reply.len());
            assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(reply));
        }
    }
}

#[test]
fn read_only_scripts_refuse_may_replicate_commands() {
    let s = common::start();
    let mut c = s.conn();
    let e = redis::cmd("EVAL_RO")
        .arg("return redis.call('publish','ch','m')")
        .arg(0)
        .query::<()>(&mut c)
        .unwrap_err();
    assert!(e.to_string().contains("Write commands are not allowed from read-only scripts"), "{e}");
    let e = redis::cmd("EVAL")
        .arg("#!lua flags=no-writes\nreturn redis.call('publish','ch','m')")
        .arg(0)
        .query::<()>(&mut c)
        .unwrap_err();
    assert!(e.to_string().contains("Write commands are not allowed from read-only scripts"));
    let n: i64 = q(&mut c, &["EVAL", "return redis.call('publish','ch','m')", "0"]);
    assert_eq!(n, 0);
}

#[test]
fn expired_keys_are_not_deleted_while_paused() {
    let s = common::start_with(&["--enable-debug-command", "yes"]);
    let mut c = s.conn();
    let _: () = q(&mut c, &["DEBUG", "SET-ACTIVE-EXPIRE", "0"]);
    let _: () = q(&mut c, &["SET", "k", "v", "PX", "1"]);
    let before = info_field(&mut c, "stats", "expired_keys");
    pause_write(&mut c);
    std::thread::sleep(Duration::from_millis(5));
    let v: Option<String> = q(&mut c, &["GET", "k"]);
    assert_eq!(v, None, "logically expired");
    assert_eq!(info_field(&mut c, "stats", "expired_keys"), before, "but not deleted");
    let _: () = q(&mut c, &["CLIENT", "UNPAUSE"]);
    let _: Option<String> = q(&mut c, &["GET", "k"]);
    let after: i64 = info_field(&mut c, "stats", "expired_keys").parse().unwrap();
    assert_eq!(after, before.parse::<i64>().unwrap() + 1);
}
