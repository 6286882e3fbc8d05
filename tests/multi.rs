//! Transactions across connections: WATCH races, expiry of watched keys, reply shapes in
//! RESP2 and RESP3, blocking commands inside MULTI.

mod common;

use std::time::Duration;

use redis::Value;

fn exec_raw(c: &mut redis::Connection) -> Value {
    redis::cmd("EXEC").query(c).unwrap()
}

#[test]
fn watch_is_broken_by_another_connection_in_both_protocols() {
    let srv = common::start();
    for [mut a, mut b] in [[srv.conn(), srv.conn()], [srv.conn3(), srv.conn3()]] {
        let _: () = redis::cmd("SET").arg("k").arg("1").query(&mut a).unwrap();
        let _: () = redis::cmd("WATCH").arg("k").query(&mut a).unwrap();
        let _: () = redis::cmd("MULTI").query(&mut a).unwrap();
        let q: String = redis::cmd("INCR").arg("k").query(&mut a).unwrap();
        assert_eq!(q, "QUEUED");
        // Another client touches the key between WATCH and EXEC.
        let _: () = redis::cmd("SET").arg("k").arg("5").query(&mut b).unwrap();
        assert_eq!(exec_raw(&mut a), Value::Nil);
        let v: i64 = redis::cmd("GET").arg("k").query(&mut a).unwrap();
        assert_eq!(v, 5);

        // Without interference the transaction runs, and watches end with EXEC.
        let _: () = redis::cmd("WATCH").arg("k").query(&mut a).unwrap();
        let _: () = redis::cmd("MULTI").query(&mut a).unwrap();
        let _: String = redis::cmd("INCR").arg("k").query(&mut a).unwrap();
        assert_eq!(exec_raw(&mut a), Value::Array(vec![Value::Int(6)]));
        let _: () = redis::cmd("SET").arg("k").arg("0").query(&mut b).unwrap();
        let _: () = redis::cmd("MULTI").query(&mut a).unwrap();
        let _: String = redis::cmd("INCR").arg("k").query(&mut a).unwrap();
        assert_eq!(exec_raw(&mut a), Value::Array(vec![Value::Int(1)]));
    }
}

#[test]
fn a_write_in_another_db_or_to_another_key_does_not_break_watch() {
    let srv = common::start();
    let mut a = srv.conn();
    let mut b = srv.conn();
    let _: () = redis::cmd("WATCH").arg("k").query(&mut a).unwrap();
    let _: () = redis::cmd("SELECT").arg(1).query(&mut b).unwrap();
    let _: () = redis::cmd("SET").arg("k").arg("x").query(&mut b).unwrap();
    let _: () = redis::cmd("SELECT").arg(0).query(&mut b).unwrap();
    let _: () = redis::cmd("SET").arg("other").arg("x").query(&mut b).unwrap();
    let _: () = redis::cmd("MULTI").query(&mut a).unwrap();
    let _: String = redis::cmd("PING").query(&mut a).unwrap();
    assert_eq!(exec_raw(&mut a), Value::Array(vec![Value::SimpleString("PONG".into())]));
}

#[test]
fn expiry_of_a_watched_key_breaks_the_transaction() {
    let srv = common::start();
    let mut a = srv.conn();
    // Lazy: the key is logically expired at EXEC even if nobody touched it.
    let _: () = redis::cmd("SET").arg("e").arg("1").arg("PX").arg(30).query(&mut a).unwrap();
    let _: () = redis::cmd("WATCH").arg("e").query(&mut a).unwrap();
    std::thread::sleep(Duration::from_millis(80));
    let _: () = redis::cmd("MULTI").query(&mut a).unwrap();
    let _: String = redis::cmd("PING").query(&mut a).unwrap();
    assert_eq!(exec_raw(&mut a), Value::Nil);
    // Active: the sweep deletes the key while the client waits.
    let _: () = redis::cmd("SET").arg("e").arg("1").arg("PX").arg(30).query(&mut a).unwrap();
    let _: () = redis::cmd("WATCH").arg("e").query(&mut a).unwrap();
    let mut b = srv.conn();
    for _ in 0..200 {
        let n: i64 = redis::cmd("DBSIZE").query(&mut b).unwrap();
        if n == 0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let _: () = redis::cmd("MULTI").query(&mut a).unwrap();
    let _: String = redis::cmd("PING").query(&mut a).unwrap();
    assert_eq!(exec_raw(&mut a), Value::Nil);
}

#[test]
fn exec_reply_shapes_follow_the_protocol() {
    let srv = common::start();
    let mut c = srv.raw();
    c.expect(b"MULTI\r\nSET h v\r\nLCS h h IDX\r\nGET nokey\r\nBLPOP nolist 0\r\nEXEC\r\n",
        b"+OK\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n*4\r\n+OK\r\n*4\r\n$7\r\nmatches\r\n*1\r\n*2\r\n*2\r\n:0\r\n:0\r\n*2\r\n:0\r\n:0\r\n$3\r\nlen\r\n:1\r\n$-1\r\n*-1\r\n");
    let mut c3 = srv.raw();
    let hello = c3.roundtrip(b"HELLO 3\r\n", 1);
    assert!(hello.starts_with(b"%"));
    c3.read_for(Duration::from_millis(100), 0);
    c3.expect(
        b"MULTI\r\nLCS nokey nokey IDX\r\nGET nokey\r\nBLPOP nolist 0\r\nEXEC\r\n",
        b"+OK\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n*3\r\n%2\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n_\r\n_\r\n",
    );
    // A watched key broken: the null array of each protocol.
    c3.expect(b"WATCH h\r\nDEL h\r\nMULTI\r\nEXEC\r\n", b"+OK\r\n:1\r\n+OK\r\n_\r\n");
    c.expect(b"WATCH h\r\nSET h 1\r\nMULTI\r\nEXEC\r\n", b"+OK\r\n+OK\r\n+OK\r\n*-1\r\n");
}
