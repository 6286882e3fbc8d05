//! CLIENT family (ID SETNAME GETNAME LIST INFO KILL SETINFO REPLY NO-EVICT NO-TOUCH PAUSE
//! UNPAUSE HELP), in RESP2 and RESP3, checked against Redis 7.0.15's replies.

mod common;
mod conn_support;

use std::time::Duration;

use common::{resp, TestServer};
use conn_support::{exp, raw, text, Conn};

fn both(srv: &TestServer, f: impl Fn(&mut Conn, bool)) {
    for resp3 in [false, true] {
        let mut c = raw(srv, resp3);
        f(&mut c, resp3);
    }
}

fn id_of(c: &mut Conn) -> u64 {
    let r = c.call(&["CLIENT", "ID"]);
    String::from_utf8_lossy(&r).trim().trim_start_matches(':').parse().unwrap()
}

/// CLIENT LIST / INFO lines as (field, value) pairs.
fn fields(line: &str) -> Vec<(String, String)> {
    line.split(' ')
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (k.to_string(), v.to_string())
        })
        .collect()
}

fn field(line: &str, name: &str) -> String {
    fields(line).into_iter().find(|(k, _)| k == name).map(|(_, v)| v).unwrap_or_default()
}

fn info(c: &mut Conn) -> String {
    let t = text(&c.call(&["CLIENT", "INFO"]));
    t.strip_suffix('\n').unwrap_or(&t).to_string()
}

/// Redis 7.0.15's CLIENT LIST fields in order, then 7.2's lib-name and lib-ver.
const FIELDS: &[&str] = &[
    "id",
    "addr",
    "laddr",
    "fd",
    "name",
    "age",
    "idle",
    "flags",
    "db",
    "sub",
    "psub",
    "ssub",
    "multi",
    "qbuf",
    "qbuf-free",
    "argv-mem",
    "multi-mem",
    "rbs",
    "rbp",
    "obl",
    "oll",
    "omem",
    "tot-mem",
    "events",
    "cmd",
    "user",
    "redir",
    "resp",
    "lib-name",
    "lib-ver",
];

#[test]
fn id_is_unique_and_increasing() {
    let srv = common::start();
    let mut a = raw(&srv, false);
    let mut b = raw(&srv, true);
    let (ia, ib) = (id_of(&mut a), id_of(&mut b));
    assert!(ib > ia);
    assert_eq!(id_of(&mut a), ia);
    exp(
        &mut a,
        &["CLIENT", "ID", "x"],
        "-ERR wrong number of arguments for 'client|id' command\r\n",
    );
}

#[test]
fn setname_and_getname() {
    let srv = common::start();
    both(&srv, |c, resp3| {
        exp(c, &["CLIENT", "GETNAME"], if resp3 { "_\r\n" } else { "$-1\r\n" });
        exp(c, &["CLIENT", "SETNAME", "worker-1"], "+OK\r\n");
        exp(c, &["client", "getname"], "$8\r\nworker-1\r\n");
        for bad in ["a b", "a\nb", "caf\u{e9}"] {
            exp(
                c,
                &["CLIENT", "SETNAME", bad],
                "-ERR Client names cannot contain spaces, newlines or special characters.\r\n",
            );
        }
        exp(c, &["client", "getname"], "$8\r\nworker-1\r\n");
        assert_eq!(field(&info(c), "name"), "worker-1");
        // An empty name removes the name.
        exp(c, &["CLIENT", "SETNAME", ""], "+OK\r\n");
        exp(c, &["CLIENT", "GETNAME"], if resp3 { "_\r\n" } else { "$-1\r\n" });
        exp(
            c,
            &["CLIENT", "SETNAME"],
            "-ERR wrong number of arguments for 'client|setname' command\r\n",
        );
        exp(
            c,
            &["CLIENT", "GETNAME", "x"],
            "-ERR wrong number of arguments for 'client|getname' command\r\n",
        );
    });
}

#[test]
fn info_line_has_redis_fields_in_order() {
    let srv = common::start();
    both(&srv, |c, resp3| {
        exp(c, &["SELECT", "2"], "+OK\r\n");
        let reply = c.call(&["CLIENT", "INFO"]);
        // A verbatim string in RESP3, a bulk string in RESP2, one line ending in \n.
        assert_eq!(reply[0], if resp3 { b'=' } else { b'$' });
        let t = text(&reply);
        assert!(t.ends_with('\n') && t.matches('\n').count() == 1, "{t:?}");
        let line = t.trim_end();
        let names: Vec<String> = fields(line).into_iter().map(|(k, _)| k).collect();
        assert_eq!(names, FIELDS);
        let id = id_of(c);
        assert_eq!(field(line, "id"), id.to_string());
        assert_eq!(field(line, "laddr"), srv.addr.to_string());
        assert_eq!(field(line, "flags"), "N");
        assert_eq!(field(line, "db"), "2");
        assert_eq!(field(line, "multi"), "-1");
        assert_eq!(field(line, "cmd"), "client|info");
        assert_eq!(field(line, "argv-mem"), "10");
        assert_eq!(field(line, "user"), "default");
        assert_eq!(field(line, "redir"), "-1");
        assert_eq!(field(line, "resp"), if resp3 { "3" } else { "2" });
        assert_eq!(field(line, "events"), "r");
        exp(
            c,
            &["CLIENT", "INFO", "x"],
            "-ERR wrong number of arguments for 'client|info' command\r\n",
        );
    });
}

#[test]
fn setinfo_sets_lib_name_and_version() {
    let srv = common::start();
    both(&srv, |c, _| {
        exp(c, &["CLIENT", "SETINFO", "LIB-NAME", "redis-py"], "+OK\r\n");
        exp(c, &["client", "setinfo", "lib-ver", "8.1.0"], "+OK\r\n");
        let line = info(c);
        assert_eq!(field(&line, "lib-name"), "redis-py");
        assert_eq!(field(&line, "lib-ver"), "8.1.0");
        exp(c, &["CLIENT", "SETINFO", "LIB-NAME", ""], "+OK\r\n");
        assert_eq!(field(&info(c), "lib-name"), "");
        exp(c, &["CLIENT", "SETINFO", "foo", "x"], "-ERR Unrecognized option 'foo'\r\n");
        exp(
            c,
            &["CLIENT", "SETINFO", "LIB-NAME", "a b"],
            "-ERR LIB-NAME cannot contain spaces, newlines or special characters.\r\n",
        );
        exp(
            c,
            &["CLIENT", "SETINFO", "LIB-NAME"],
            "-ERR wrong number of arguments for 'client|setinfo' command\r\n",
        );
    });
    // The redis crate announces itself on connect.
    let mut c = srv.conn();
    let line: String = redis::cmd("CLIENT").arg("INFO").query(&mut c).unwrap();
    assert_eq!(field(line.trim_end(), "lib-name"), "redis-rs");
}

#[test]
fn list_shows_every_client_by_id() {
    let srv = common::start();
    let mut a = raw(&srv, false);
    let mut b = raw(&srv, true);
    exp(&mut b, &["CLIENT", "SETNAME", "bee"], "+OK\r\n");
    let (ia, ib) = (id_of(&mut a), id_of(&mut b));
    for c in [&mut a, &mut b] {
        let t = text(&c.call(&["CLIENT", "LIST"]));
        let lines: Vec<&str> = t.lines().collect();
        assert!(t.ends_with('\n'));
        let ids: Vec<u64> = lines.iter().map(|l| field(l, "id").parse().unwrap()).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted, "creation order");
        assert!(ids.contains(&ia) && ids.contains(&ib));
        let lb = lines.iter().find(|l| field(l, "id") == ib.to_string()).unwrap();
        assert_eq!(field(lb, "name"), "bee");
        assert_eq!(field(lb, "resp"), "3");
        for l in &lines {
            let names: Vec<String> = fields(l).into_iter().map(|(k, _)| k).collect();
            assert_eq!(names, FIELDS);
        }
    }
    // The other client's line shows its last command.
    let t = text(&a.call(&["CLIENT", "LIST", "ID", &ib.to_string()]));
    assert_eq!(field(t.trim_end(), "cmd"), "client|list");
    // Filters.
    let t = text(&a.call(&["CLIENT", "LIST", "ID", &ib.to_string(), "999999", &ia.to_string()]));
    let ids: Vec<String> = t.lines().map(|l| field(l, "id")).collect();
    assert_eq!(ids, [ib.to_string(), ia.to_string()]);
    let t = text(&a.call(&["CLIENT", "LIST", "TYPE", "normal"]));
    assert!(t.lines().count() >= 2);
    for ty in ["pubsub", "master", "replica", "slave"] {
        assert_eq!(text(&a.call(&["CLIENT", "LIST", "TYPE", ty])), "");
    }
    both(&srv, |c, resp3| {
        exp(c, &["CLIENT", "LIST", "ID", "0"], if resp3 { "=4\r\ntxt:\r\n" } else { "$0\r\n\r\n" });
        exp(c, &["CLIENT", "LIST", "TYPE", "foo"], "-ERR Unknown client type 'foo'\r\n");
        exp(c, &["CLIENT", "LIST", "ID"], "-ERR syntax error\r\n");
        exp(c, &["CLIENT", "LIST", "ID", "abc"], "-ERR Invalid client ID\r\n");
        exp(c, &["CLIENT", "LIST", "ID", "1", "abc"], "-ERR Invalid client ID\r\n");
        exp(c, &["CLIENT", "LIST", "foo"], "-ERR syntax error\r\n");
        exp(c, &["CLIENT", "LIST", "TYPE", "normal", "ID", "1"], "-ERR syntax error\r\n");
    });
}

#[test]
fn kill_by_address_id_type_and_user() {
    let srv = common::start();
    let mut me = raw(&srv, false);
    // Old form: ip:port, replies +OK or an error.
    let mut v = raw(&srv, true);
    let addr = field(&info(&mut v), "addr");
    exp(&mut me, &["CLIENT", "KILL", &addr], "+OK\r\n");
    assert!(v.closed_within(Duration::from_secs(2)));
    exp(&mut me, &["CLIENT", "KILL", &addr], "-ERR No such client\r\n");
    exp(&mut me, &["CLIENT", "KILL", "addr"], "-ERR No such client\r\n");
    // New form: a count.
    let mut v = raw(&srv, false);
    let vid = id_of(&mut v);
    exp(&mut me, &["CLIENT", "KILL", "ID", &vid.to_string()], ":1\r\n");
    assert!(v.closed_within(Duration::from_secs(2)));
    exp(&mut me, &["CLIENT", "KILL", "ID", &vid.to_string()], ":0\r\n");
    let mut v = raw(&srv, false);
    let vaddr = field(&info(&mut v), "addr");
    exp(&mut me, &["CLIENT", "KILL", "ADDR", &vaddr, "SKIPME", "yes"], ":1\r\n");
    assert!(v.closed_within(Duration::from_secs(2)));
    // SKIPME yes (the default) spares the caller.
    let myid = id_of(&mut me);
    exp(&mut me, &["CLIENT", "KILL", "ID", &myid.to_string()], ":0\r\n");
    let mut v1 = raw(&srv, false);
    let mut v2 = raw(&srv, true);
    let _ = (id_of(&mut v1), id_of(&mut v2));
    exp(&mut me, &["CLIENT", "KILL", "TYPE", "normal", "USER", "default"], ":2\r\n");
    assert!(v1.closed_within(Duration::from_secs(2)));
    assert!(v2.closed_within(Duration::from_secs(2)));
    exp(&mut me, &["CLIENT", "KILL", "LADDR", "1.2.3.4:5"], ":0\r\n");
    exp(&mut me, &["CLIENT", "KILL", "TYPE", "pubsub"], ":0\r\n");
    exp(&mut me, &["PING"], "+PONG\r\n");
    // SKIPME no kills the caller too, after its reply.
    exp(&mut me, &["CLIENT", "KILL", "ID", &myid.to_string(), "SKIPME", "no"], ":1\r\n");
    assert!(me.closed_within(Duration::from_secs(2)));
}

#[test]
fn kill_errors() {
    let srv = common::start();
    both(&srv, |c, _| {
        exp(c, &["CLIENT", "KILL"], "-ERR wrong number of arguments for 'client|kill' command\r\n");
        for id in ["abc", "0", "-5"] {
            exp(c, &["CLIENT", "KILL", "ID", id], "-ERR client-id should be greater than 0\r\n");
        }
        exp(c, &["CLIENT", "KILL", "TYPE", "foo"], "-ERR Unknown client type 'foo'\r\n");
        exp(c, &["CLIENT", "KILL", "USER", "nobody"], "-ERR No such user 'nobody'\r\n");
        exp(c, &["CLIENT", "KILL", "SKIPME", "maybe"], "-ERR syntax error\r\n");
        exp(c, &["CLIENT", "KILL", "foo", "bar"], "-ERR syntax error\r\n");
        exp(c, &["CLIENT", "KILL", "ID", "1", "TYPE"], "-ERR syntax error\r\n");
        exp(
            c,
            &["CLIENT", "KILL", "MAXAGE", "x"],
            "-ERR maxage is not an integer or out of range\r\n",
        );
        exp(c, &["CLIENT", "KILL", "MAXAGE", "0"], "-ERR maxage should be greater than 0\r\n");
        // Nobody is a day old.
        exp(c, &["CLIENT", "KILL", "MAXAGE", "86400"], ":0\r\n");
    });
}

#[test]
fn reply_off_on_skip() {
    let srv = common::start();
    both(&srv, |c, _| {
        // OFF and SKIP never answer; ON answers.
        let mut req = resp(&[b"CLIENT", b"REPLY", b"OFF"]);
        req.extend(resp(&[b"PING"]));
        req.extend(resp(&[b"ECHO", b"hidden"]));
        req.extend(resp(&[b"GETNAME-UNKNOWN"]));
        req.extend(resp(&[b"CLIENT", b"REPLY", b"ON"]));
        req.extend(resp(&[b"CLIENT", b"REPLY", b"SKIP"]));
        req.extend(resp(&[b"ECHO", b"skipped"]));
        req.extend(resp(&[b"ECHO", b"shown"]));
        c.send(&req);
        assert_eq!(c.read_reply(), b"+OK\r\n");
        assert_eq!(c.read_reply(), b"$5\r\nshown\r\n");
        // SKIP while OFF stays OFF.
        let mut req = resp(&[b"CLIENT", b"REPLY", b"OFF"]);
        req.extend(resp(&[b"CLIENT", b"REPLY", b"SKIP"]));
        req.extend(resp(&[b"PING"]));
        req.extend(resp(&[b"PING"]));
        req.extend(resp(&[b"CLIENT", b"REPLY", b"ON"]));
        c.send(&req);
        assert_eq!(c.read_reply(), b"+OK\r\n");
        exp(c, &["CLIENT", "REPLY", "foo"], "-ERR syntax error\r\n");
        exp(
            c,
            &["CLIENT", "REPLY"],
            "-ERR wrong number of arguments for 'client|reply' command\r\n",
        );
    });
}

#[test]
fn no_evict_and_no_touch_flags() {
    let srv = common::start();
    both(&srv, |c, _| {
        exp(c, &["CLIENT", "NO-EVICT", "on"], "+OK\r\n");
        assert_eq!(field(&info(c), "flags"), "e");
        exp(c, &["CLIENT", "NO-TOUCH", "ON"], "+OK\r\n");
        assert_eq!(field(&info(c), "flags"), "eT");
        exp(c, &["CLIENT", "NO-EVICT", "off"], "+OK\r\n");
        exp(c, &["CLIENT", "NO-TOUCH", "off"], "+OK\r\n");
        assert_eq!(field(&info(c), "flags"), "N");
        exp(c, &["CLIENT", "NO-EVICT", "foo"], "-ERR syntax error\r\n");
        exp(c, &["CLIENT", "NO-TOUCH", "foo"], "-ERR syntax error\r\n");
    });
}

#[test]
fn pause_errors() {
    let srv = common::start();
    both(&srv, |c, _| {
        exp(
            c,
            &["CLIENT", "PAUSE"],
            "-ERR wrong number of arguments for 'client|pause' command\r\n",
        );
        exp(c, &["CLIENT", "PAUSE", "-1"], "-ERR timeout is negative\r\n");
        exp(c, &["CLIENT", "PAUSE", "abc"], "-ERR timeout is not an integer or out of range\r\n");
        exp(c, &["CLIENT", "PAUSE", "1.5"], "-ERR timeout is not an integer or out of range\r\n");
        // The mode is checked before the timeout.
        exp(
            c,
            &["CLIENT", "PAUSE", "abc", "foo"],
            "-ERR CLIENT PAUSE mode must be WRITE or ALL\r\n",
        );
        exp(
            c,
            &["CLIENT", "pause", "10", "all", "x"],
            "-ERR unknown subcommand or wrong number of arguments for 'pause'. Try CLIENT HELP.\r\n",
        );
        exp(
            c,
            &["CLIENT", "UNPAUSE", "x"],
            "-ERR wrong number of arguments for 'client|unpause' command\r\n",
        );
        exp(c, &["CLIENT", "UNPAUSE"], "+OK\r\n");
    });
}

/// Nothing arrives on `c` for a moment (the command is held).
fn held(c: &mut Conn) -> bool {
    c.silent_for(Duration::from_millis(200))
}

#[test]
fn pause_write_holds_only_writes_until_unpause() {
    let srv = common::start();
    let mut admin = raw(&srv, false);
    let mut w = raw(&srv, true);
    exp(&mut admin, &["CLIENT", "PAUSE", "100000", "WRITE"], "+OK\r\n");
    // Reads go on; a write is held, and so is everything pipelined behind it.
    exp(&mut w, &["PING"], "+PONG\r\n");
    exp(&mut w, &["TTL", "k"], ":-2\r\n");
    let mut req = resp(&[b"EXPIRE", b"k", b"100"]);
    req.extend(resp(&[b"ECHO", b"after"]));
    w.send(&req);
    assert!(held(&mut w));
    // The held client is listed as blocked, on the held command.
    let wid = {
        let t = text(&admin.call(&["CLIENT", "LIST"]));
        let line = t.lines().find(|l| field(l, "cmd") == "expire").unwrap().to_string();
        assert_eq!(field(&line, "flags"), "b");
        field(&line, "id")
    };
    assert!(!wid.is_empty());
    exp(&mut admin, &["CLIENT", "UNPAUSE"], "+OK\r\n");
    assert_eq!(w.read_reply(), b":0\r\n");
    assert_eq!(w.read_reply(), b"$5\r\nafter\r\n");
}

#[test]
fn pause_all_holds_everything_until_the_timeout() {
    let srv = common::start();
    let mut admin = raw(&srv, false);
    let mut c = raw(&srv, false);
    exp(&mut admin, &["CLIENT", "PAUSE", "500"], "+OK\r\n");
    c.send(&resp(&[b"PING"]));
    // The pausing client is held as well.
    admin.send(&resp(&[b"ECHO", b"me too"]));
    assert!(held(&mut c));
    // The timeout ends the pause by itself.
    assert_eq!(c.read_reply(), b"+PONG\r\n");
    assert_eq!(admin.read_reply(), b"$6\r\nme too\r\n");
    exp(&mut c, &["PING"], "+PONG\r\n");
}

#[test]
fn pause_keeps_the_stronger_mode_and_later_end() {
    let srv = common::start();
    let mut admin = raw(&srv, false);
    let mut c = raw(&srv, false);
    exp(&mut admin, &["CLIENT", "PAUSE", "100000", "WRITE"], "+OK\r\n");
    // A shorter ALL pause keeps the later end and becomes ALL.
    exp(&mut admin, &["CLIENT", "PAUSE", "1", "ALL"], "+OK\r\n");
    std::thread::sleep(Duration::from_millis(20));
    c.send(&resp(&[b"PING"]));
    assert!(held(&mut c));
    let mut other = raw(&srv, false);
    other.send(&resp(&[b"CLIENT", b"UNPAUSE"]));
    assert!(held(&mut other), "UNPAUSE itself is held under ALL");
}

#[test]
fn help_is_an_array_of_status_lines() {
    let srv = common::start();
    both(&srv, |c, _| {
        let r = String::from_utf8_lossy(&c.call(&["CLIENT", "HELP"])).into_owned();
        assert!(r.starts_with("*"));
        let lines: Vec<&str> = r.split("\r\n").skip(1).filter(|l| !l.is_empty()).collect();
        assert_eq!(lines[0], "+CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
        assert!(lines.iter().all(|l| l.starts_with('+')));
        assert!(lines.contains(&"+SETINFO <option> <value>"));
        assert_eq!(lines[lines.len() - 2..], ["+HELP", "+    Prints this help."]);
        exp(
            c,
            &["CLIENT", "HELP", "x"],
            "-ERR wrong number of arguments for 'client|help' command\r\n",
        );
        exp(c, &["CLIENT", "FOO"], "-ERR unknown subcommand 'FOO'. Try CLIENT HELP.\r\n");
        exp(c, &["CLIENT"], "-ERR wrong number of arguments for 'client' command\r\n");
    });
}
