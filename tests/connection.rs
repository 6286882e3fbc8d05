//! Connection family (PING ECHO SELECT QUIT HELLO AUTH RESET), in RESP2 and RESP3, checked
//! against the bytes Redis 7.0.15 sends.

mod common;
mod conn_support;

use std::time::Duration;

use common::{resp, TestServer};
use conn_support::{exp, raw, Conn};

fn both(srv: &TestServer, f: impl Fn(&mut Conn, bool)) {
    for resp3 in [false, true] {
        let mut c = raw(srv, resp3);
        f(&mut c, resp3);
    }
}

fn client_id(c: &mut Conn) -> i64 {
    let r = c.call(&["CLIENT", "ID"]);
    String::from_utf8_lossy(&r).trim().trim_start_matches(':').parse().unwrap()
}

fn client_info(c: &mut Conn) -> String {
    conn_support::text(&c.call(&["CLIENT", "INFO"]))
}

fn hello_reply(proto: u8, id: i64, resp3: bool) -> String {
    let head = if resp3 { "%7\r\n".to_string() } else { "*14\r\n".to_string() };
    format!(
        "{head}$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:{proto}\r\n$2\r\nid\r\n:{id}\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n"
    )
}

#[test]
fn ping_and_echo() {
    let srv = common::start();
    both(&srv, |c, _| {
        exp(c, &["PING"], "+PONG\r\n");
        exp(c, &["ping", "hi there"], "$8\r\nhi there\r\n");
        exp(c, &["PING", "a", "b"], "-ERR wrong number of arguments for 'ping' command\r\n");
        exp(c, &["ECHO", ""], "$0\r\n\r\n");
        exp(c, &["ECHO", "x"], "$1\r\nx\r\n");
        exp(c, &["ECHO"], "-ERR wrong number of arguments for 'echo' command\r\n");
        exp(c, &["ECHO", "a", "b"], "-ERR wrong number of arguments for 'echo' command\r\n");
    });
    // Inline PING, as redis-benchmark's PING_INLINE sends it.
    let mut c = srv.raw();
    c.expect(b"PING\r\n", b"+PONG\r\n");
}

#[test]
fn select_switches_db_and_checks_the_index() {
    let srv = common::start();
    both(&srv, |c, _| {
        exp(c, &["SELECT", "15"], "+OK\r\n");
        assert!(client_info(c).contains(" db=15 "));
        exp(c, &["SELECT", "0"], "+OK\r\n");
        assert!(client_info(c).contains(" db=0 "));
        exp(c, &["SELECT", "16"], "-ERR DB index is out of range\r\n");
        exp(c, &["SELECT", "-1"], "-ERR DB index is out of range\r\n");
        exp(c, &["SELECT", "a"], "-ERR value is not an integer or out of range\r\n");
        exp(
            c,
            &["SELECT", "99999999999"],
            "-ERR value is out of range, value must between -2147483648 and 2147483647\r\n",
        );
        exp(c, &["SELECT"], "-ERR wrong number of arguments for 'select' command\r\n");
    });
}

#[test]
fn quit_replies_ok_then_closes() {
    let srv = common::start();
    for words in [&["QUIT"][..], &["quit", "extra", "args"]] {
        let mut c = Conn::new(srv.raw());
        exp(&mut c, words, "+OK\r\n");
        assert!(c.closed_within(Duration::from_secs(2)));
    }
    // Requests pipelined after QUIT are not run.
    let mut c = srv.raw();
    let mut req = resp(&[b"QUIT"]);
    req.extend(resp(&[b"PING"]));
    c.send(&req);
    let (out, closed) = c.read_for(Duration::from_secs(2), 0);
    assert_eq!(out, b"+OK\r\n");
    assert!(closed);
}

#[test]
fn hello_switches_protocol_and_reports_the_server() {
    let srv = common::start();
    let mut c = Conn::new(srv.raw());
    let id = client_id(&mut c);
    // No argument: the current protocol, nothing changes.
    exp(&mut c, &["HELLO"], &hello_reply(2, id, false));
    exp(&mut c, &["HELLO", "3"], &hello_reply(3, id, true));
    exp(&mut c, &["RANDOMKEY"], "_\r\n");
    exp(&mut c, &["HELLO"], &hello_reply(3, id, true));
    exp(&mut c, &["HELLO", "2"], &hello_reply(2, id, false));
    exp(&mut c, &["RANDOMKEY"], "$-1\r\n");
    // SETNAME inside HELLO; AUTH default with any password works without requirepass.
    exp(
        &mut c,
        &["hello", "3", "auth", "default", "whatever", "setname", "app"],
        &hello_reply(3, id, true),
    );
    exp(&mut c, &["CLIENT", "GETNAME"], "$3\r\napp\r\n");
}

#[test]
fn hello_errors() {
    let srv = common::start();
    both(&srv, |c, _| {
        exp(c, &["HELLO", "4"], "-NOPROTO unsupported protocol version\r\n");
        exp(c, &["HELLO", "1"], "-NOPROTO unsupported protocol version\r\n");
        exp(c, &["HELLO", "abc"], "-ERR Protocol version is not an integer or out of range\r\n");
        exp(c, &["HELLO", "3", "foo"], "-ERR Syntax error in HELLO option 'foo'\r\n");
        exp(c, &["HELLO", "3", "auth", "default"], "-ERR Syntax error in HELLO option 'auth'\r\n");
        exp(c, &["HELLO", "3", "SETNAME"], "-ERR Syntax error in HELLO option 'SETNAME'\r\n");
        exp(
            c,
            &["HELLO", "3", "setname", "a b"],
            "-ERR Client names cannot contain spaces, newlines or special characters.\r\n",
        );
        exp(
            c,
            &["HELLO", "3", "auth", "nouser", "x"],
            "-WRONGPASS invalid username-password pair or user is disabled.\r\n",
        );
    });
    // A refused HELLO leaves the protocol alone.
    let mut c = Conn::new(srv.raw());
    exp(&mut c, &["HELLO", "3", "bad"], "-ERR Syntax error in HELLO option 'bad'\r\n");
    exp(&mut c, &["RANDOMKEY"], "$-1\r\n");
    // Redis 7.0 applies SETNAME while parsing: a later error leaves the name set.
    exp(
        &mut c,
        &["HELLO", "3", "SETNAME", "early", "bad"],
        "-ERR Syntax error in HELLO option 'bad'\r\n",
    );
    exp(&mut c, &["CLIENT", "GETNAME"], "$5\r\nearly\r\n");
}

#[test]
fn hello_through_the_redis_crate() {
    let srv = common::start();
    let mut c = srv.conn3();
    let v: redis::Value = redis::cmd("HELLO").query(&mut c).unwrap();
    let redis::Value::Map(pairs) = v else { panic!("HELLO in RESP3 is a map: {v:?}") };
    let keys: Vec<String> =
        pairs.iter().map(|(k, _)| redis::from_redis_value::<String>(k.clone()).unwrap()).collect();
    assert_eq!(keys, ["server", "version", "proto", "id", "mode", "role", "modules"]);
    let mut c2 = srv.conn();
    let v: Vec<redis::Value> = redis::cmd("HELLO").query(&mut c2).unwrap();
    assert_eq!(v.len(), 14);
}

#[test]
fn auth_without_requirepass() {
    let srv = common::start();
    both(&srv, |c, _| {
        exp(
            c,
            &["AUTH", "x"],
            "-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n",
        );
        exp(c, &["AUTH", "default", "anything"], "+OK\r\n");
        exp(
            c,
            &["AUTH", "someone", "x"],
            "-WRONGPASS invalid username-password pair or user is disabled.\r\n",
        );
        exp(c, &["AUTH", "a", "b", "c"], "-ERR syntax error\r\n");
        exp(c, &["AUTH"], "-ERR wrong number of arguments for 'auth' command\r\n");
    });
}

#[test]
fn auth_with_requirepass() {
    let srv = common::start_with(&["--requirepass", "s3cret"]);
    let mut c = Conn::new(srv.raw());
    exp(&mut c, &["RANDOMKEY"], "-NOAUTH Authentication required.\r\n");
    exp(&mut c, &["PING"], "-NOAUTH Authentication required.\r\n");
    // The name is set even though HELLO is refused (Redis 7.0).
    exp(
        &mut c,
        &["HELLO", "3", "SETNAME", "early"],
        "-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time\r\n",
    );
    exp(
        &mut c,
        &["HELLO", "3"],
        "-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time\r\n",
    );
    exp(
        &mut c,
        &["AUTH", "wrong"],
        "-WRONGPASS invalid username-password pair or user is disabled.\r\n",
    );
    exp(
        &mut c,
        &["AUTH", "default", "wrong"],
        "-WRONGPASS invalid username-password pair or user is disabled.\r\n",
    );
    exp(&mut c, &["RANDOMKEY"], "-NOAUTH Authentication required.\r\n");
    exp(&mut c, &["AUTH", "s3cret"], "+OK\r\n");
    exp(&mut c, &["RANDOMKEY"], "$-1\r\n");
    exp(&mut c, &["CLIENT", "GETNAME"], "$5\r\nearly\r\n");
    // A failed AUTH after a good one keeps the client authenticated, as in Redis.
    exp(
        &mut c,
        &["AUTH", "bad"],
        "-WRONGPASS invalid username-password pair or user is disabled.\r\n",
    );
    exp(&mut c, &["RANDOMKEY"], "$-1\r\n");

    // HELLO AUTH authenticates and switches protocol in one step.
    let mut c = Conn::new(srv.raw());
    let hello = c.call(&["HELLO", "3", "AUTH", "default", "s3cret"]);
    assert!(hello.starts_with(b"%7\r\n"), "{}", String::from_utf8_lossy(&hello));
    exp(&mut c, &["RANDOMKEY"], "_\r\n");

    // RESET forgets the authentication when a password is required.
    exp(&mut c, &["RESET"], "+RESET\r\n");
    exp(&mut c, &["RANDOMKEY"], "-NOAUTH Authentication required.\r\n");
    exp(&mut c, &["AUTH", "default", "s3cret"], "+OK\r\n");
    exp(&mut c, &["RANDOMKEY"], "$-1\r\n");
}

#[test]
fn reset_restores_the_connection_defaults() {
    let srv = common::start();
    both(&srv, |c, _| {
        exp(c, &["SELECT", "3"], "+OK\r\n");
        exp(c, &["CLIENT", "SETNAME", "named"], "+OK\r\n");
        exp(c, &["CLIENT", "NO-EVICT", "on"], "+OK\r\n");
        exp(c, &["CLIENT", "NO-TOUCH", "on"], "+OK\r\n");
        exp(c, &["RESET"], "+RESET\r\n");
        exp(c, &["CLIENT", "GETNAME"], "$-1\r\n");
        exp(c, &["RANDOMKEY"], "$-1\r\n");
        let info = client_info(c);
        assert!(info.starts_with("id="), "{info}");
        assert!(info.contains(" flags=N "), "{info}");
        assert!(info.contains(" db=0 "), "{info}");
        assert!(info.contains(" resp=2"), "{info}");
    });
    // RESET answers even while replies are off, since it turns them back on first.
    let mut c = Conn::new(srv.raw());
    c.send(&resp(&[b"CLIENT", b"REPLY", b"OFF"]));
    c.send(&resp(&[b"PING"]));
    exp(&mut c, &["RESET"], "+RESET\r\n");
    exp(&mut c, &["PING"], "+PONG\r\n");
}
