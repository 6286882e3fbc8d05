//! Expire family (EXPIRE PEXPIRE EXPIREAT PEXPIREAT with NX XX GT LT, TTL PTTL EXPIRETIME
//! PEXPIRETIME PERSIST) and expiry itself, active and lazy, in RESP2 and RESP3.

mod common;

use std::time::{Duration, Instant};

use common::{exp, q, raw, resp, Raw, TestServer};

fn both(srv: &TestServer, f: impl Fn(&mut Raw, bool)) {
    for resp3 in [false, true] {
        let mut c = raw(srv, resp3);
        exp(&mut c, &["FLUSHALL"], "+OK\r\n");
        f(&mut c, resp3);
    }
}

fn wait_until(mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !f() {
        assert!(Instant::now() < deadline, "condition not reached");
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

#[test]
fn missing_keys_and_arity() {
    let srv = common::start();
    both(&srv, |c, _| {
        for name in ["EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT"] {
            exp(c, &[name, "nokey", "100"], ":0\r\n");
            exp(
                c,
                &[name, "k"],
                &format!(
                    "-ERR wrong number of arguments for '{}' command\r\n",
                    name.to_lowercase()
                ),
            );
        }
        for name in ["TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"] {
            exp(c, &[name, "nokey"], ":-2\r\n");
            exp(
                c,
                &[name],
                &format!(
                    "-ERR wrong number of arguments for '{}' command\r\n",
                    name.to_lowercase()
                ),
            );
        }
        exp(c, &["PERSIST", "nokey"], ":0\r\n");
        exp(c, &["PERSIST", "a", "b"], "-ERR wrong number of arguments for 'persist' command\r\n");
    });
}

#[test]
fn option_errors_come_before_the_time_and_the_key() {
    let srv = common::start();
    let nx_text = "-ERR NX and XX, GT or LT options at the same time are not compatible\r\n";
    let gtlt_text = "-ERR GT and LT options at the same time are not compatible\r\n";
    both(&srv, |c, _| {
        exp(c, &["EXPIRE", "nokey", "100", "NX", "XX"], nx_text);
        exp(c, &["EXPIRE", "nokey", "100", "nx", "gt"], nx_text);
        exp(c, &["PEXPIRE", "nokey", "100", "NX", "LT"], nx_text);
        exp(c, &["EXPIRE", "nokey", "x", "NX", "XX"], nx_text);
        exp(c, &["EXPIREAT", "nokey", "100", "GT", "LT"], gtlt_text);
        exp(c, &["PEXPIREAT", "nokey", "100", "XX", "GT", "LT"], gtlt_text);
        exp(c, &["EXPIRE", "nokey", "100", "NX", "XX", "GT", "LT"], nx_text);
        exp(c, &["EXPIRE", "nokey", "100", "foo"], "-ERR Unsupported option foo\r\n");
        exp(c, &["EXPIRE", "nokey", "x", "foo"], "-ERR Unsupported option foo\r\n");
        exp(c, &["EXPIRE", "nokey", "100", "NX", "NX"], ":0\r\n");
        exp(c, &["EXPIRE", "nokey", "x"], "-ERR value is not an integer or out of range\r\n");
        exp(c, &["EXPIRE", "nokey", "1.5"], "-ERR value is not an integer or out of range\r\n");
        exp(c, &["EXPIRE", "nokey", ""], "-ERR value is not an integer or out of range\r\n");
        c.expect(&resp(&[b"EXPIRE", b"k", b"1", b"a\x00b"]), b"-ERR Unsupported option a\r\n");
        c.expect(&resp(&[b"EXPIRE", b"k", b"1", b"\xff"]), b"-ERR Unsupported option \xff\r\n");
    });
}

#[test]
fn overflow_is_reported_with_the_command_name() {
    let srv = common::start();
    both(&srv, |c, _| {
        let e = |n: &str| format!("-ERR invalid expire time in '{n}' command\r\n");
        exp(c, &["EXPIRE", "nokey", "9223372036854775807"], &e("expire"));
        exp(c, &["EXPIRE", "nokey", "9223372036854775"], &e("expire"));
        exp(c, &["EXPIRE", "nokey", "-9223372036854776"], &e("expire"));
        exp(c, &["EXPIRE", "nokey", "-9223372036854775"], ":0\r\n");
        exp(c, &["PEXPIRE", "nokey", "9223372036854775807"], &e("pexpire"));
        exp(c, &["PEXPIRE", "nokey", "-9223372036854775808"], ":0\r\n");
        exp(c, &["EXPIREAT", "nokey", "9223372036854776"], &e("expireat"));
        exp(c, &["EXPIREAT", "nokey", "9223372036854775"], ":0\r\n");
        exp(c, &["PEXPIREAT", "nokey", "9223372036854775807"], ":0\r\n");
        exp(c, &["SET", "k", "v"], "+OK\r\n");
        exp(c, &["PEXPIREAT", "k", "9223372036854775807"], ":1\r\n");
        exp(c, &["PEXPIRETIME", "k"], ":9223372036854775807\r\n");
        exp(c, &["EXPIRETIME", "k"], ":9223372036854776\r\n");
        exp(c, &["EXPIREAT", "k", "9223372036854775"], ":1\r\n");
        exp(c, &["EXPIRETIME", "k"], ":9223372036854775\r\n");
    });
}

#[test]
fn ttl_family_reports_relative_and_absolute_times() {
    let srv = common::start();
    both(&srv, |c, _| {
        exp(c, &["SET", "k", "v"], "+OK\r\n");
        for name in ["TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"] {
            exp(c, &[name, "k"], ":-1\r\n");
        }
        exp(c, &["EXPIREAT", "k", "100000000000"], ":1\r\n");
        exp(c, &["EXPIRETIME", "k"], ":100000000000\r\n");
        exp(c, &["PEXPIRETIME", "k"], ":100000000000000\r\n");
        // Seconds are rounded to the nearest.
        exp(c, &["PEXPIREAT", "k", "100000000000499"], ":1\r\n");
        exp(c, &["EXPIRETIME", "k"], ":100000000000\r\n");
        exp(c, &["PEXPIREAT", "k", "100000000000500"], ":1\r\n");
        exp(c, &["EXPIRETIME", "k"], ":100000000001\r\n");
        exp(c, &["EXPIRE", "k", "1000"], ":1\r\n");
        exp(c, &["TTL", "k"], ":1000\r\n");
    });
    let mut c = srv.conn();
    let _: () = q(&mut c, &["SET", "k", "v"]);
    let before = now_ms();
    let _: i64 = q(&mut c, &["PEXPIRE", "k", "100000"]);
    let after = now_ms();
    let pttl: i64 = q(&mut c, &["PTTL", "k"]);
    assert!(pttl > 90_000 && pttl <= 100_000, "pttl {pttl}");
    let at: i64 = q(&mut c, &["PEXPIRETIME", "k"]);
    assert!(at >= before + 100_000 && at <= after + 100_000 + 1, "{before} {at} {after}");
}

#[test]
fn nx_xx_gt_lt_conditions() {
    let srv = common::start();
    both(&srv, |c, _| {
        exp(c, &["SET", "k", "v"], "+OK\r\n");
        // No TTL: XX and GT fail (no TTL is infinite), LT succeeds.
        exp(c, &["EXPIRE", "k", "100", "XX"], ":0\r\n");
        exp(c, &["EXPIRE", "k", "100", "GT"], ":0\r\n");
        exp(c, &["TTL", "k"], ":-1\r\n");
        exp(c, &["EXPIRE", "k", "100", "LT"], ":1\r\n");
        exp(c, &["TTL", "k"], ":100\r\n");
        exp(c, &["EXPIRE", "k", "200", "NX"], ":0\r\n");
        exp(c, &["EXPIRE", "k", "50", "GT"], ":0\r\n");
        exp(c, &["EXPIRE", "k", "1000", "gt"], ":1\r\n");
        exp(c, &["TTL", "k"], ":1000\r\n");
        exp(c, &["EXPIRE", "k", "2000", "LT"], ":0\r\n");
        exp(c, &["EXPIRE", "k", "500", "lt"], ":1\r\n");
        exp(c, &["EXPIRE", "k", "600", "XX", "GT"], ":1\r\n");
        exp(c, &["EXPIRE", "k", "400", "xx", "LT"], ":1\r\n");
        exp(c, &["TTL", "k"], ":400\r\n");
        exp(c, &["EXPIRE", "k", "300", "XX"], ":1\r\n");
        exp(c, &["EXPIREAT", "k", "100000000000", "GT"], ":1\r\n");
        exp(c, &["EXPIREAT", "k", "100000000000", "GT"], ":0\r\n");
        exp(c, &["EXPIREAT", "k", "100000000000", "LT"], ":0\r\n");
        exp(c, &["PERSIST", "k"], ":1\r\n");
        exp(c, &["EXPIRE", "k", "100", "NX"], ":1\r\n");
        exp(c, &["TTL", "k"], ":100\r\n");
    });
}

#[test]
fn past_deadlines_delete_the_key_and_reply_one() {
    let srv = common::start();
    both(&srv, |c, _| {
        let cases: &[&[&str]] = &[
            &["EXPIRE", "k", "0"],
            &["EXPIRE", "k", "-1"],
            &["PEXPIRE", "k", "-100"],
            &["EXPIREAT", "k", "1"],
            &["PEXPIREAT", "k", "0"],
            &["PEXPIREAT", "k", "-9223372036854775808"],
            &["EXPIRE", "k", "-5", "NX"],
            &["EXPIRE", "k", "0", "LT"],
        ];
        for case in cases {
            exp(c, &["SET", "k", "v"], "+OK\r\n");
            exp(c, case, ":1\r\n");
            exp(c, &["EXISTS", "k"], ":0\r\n");
        }
        // A refused condition leaves the key alone even with a past deadline.
        exp(c, &["SET", "k", "v"], "+OK\r\n");
        exp(c, &["EXPIRE", "k", "0", "XX"], ":0\r\n");
        exp(c, &["EXPIRE", "k", "0", "GT"], ":0\r\n");
        exp(c, &["EXISTS", "k"], ":1\r\n");
    });
}

#[test]
fn persist_removes_only_an_existing_ttl() {
    let srv = common::start();
    both(&srv, |c, _| {
        exp(c, &["SET", "k", "v"], "+OK\r\n");
        exp(c, &["PERSIST", "k"], ":0\r\n");
        exp(c, &["EXPIRE", "k", "100"], ":1\r\n");
        exp(c, &["PERSIST", "k"], ":1\r\n");
        exp(c, &["TTL", "k"], ":-1\r\n");
        exp(c, &["PERSIST", "k"], ":0\r\n");
        exp(c, &["GET", "k"], "$1\r\nv\r\n");
    });
}

#[test]
fn persisted_key_survives_its_old_deadline() {
    let srv = common::start();
    let mut c = srv.conn();
    let _: () = q(&mut c, &["SET", "k", "v"]);
    let _: i64 = q(&mut c, &["PEXPIRE", "k", "30"]);
    let _: i64 = q(&mut c, &["PERSIST", "k"]);
    let _: () = q(&mut c, &["SET", "probe", "v"]);
    let _: i64 = q(&mut c, &["PEXPIRE", "probe", "60"]);
    // Once the later key is gone the sweep has passed the first deadline.
    wait_until(|| q::<i64>(&mut c, &["DBSIZE"]) == 1);
    let v: Option<String> = q(&mut c, &["GET", "k"]);
    assert_eq!(v.as_deref(), Some("v"));
}

#[test]
fn active_expiry_removes_keys_nobody_reads() {
    let srv = common::start();
    let mut c = srv.conn();
    for i in 0..100 {
        let _: () = q(&mut c, &["SET", &format!("k{i}"), "v"]);
        let _: i64 = q(&mut c, &["PEXPIRE", &format!("k{i}"), "50"]);
    }
    let _: () = q(&mut c, &["SET", "stays", "v"]);
    std::thread::sleep(Duration::from_millis(100));
    // DBSIZE does not expire keys itself: only the active sweep can bring it down.
    wait_until(|| q::<i64>(&mut c, &["DBSIZE"]) == 1);
    let keys: Vec<String> = q(&mut c, &["KEYS", "*"]);
    assert_eq!(keys, ["stays"]);
}

#[test]
fn lazy_expiry_hides_due_keys_from_every_command() {
    let srv = common::start_with(&["--enable-debug-command", "yes"]);
    let mut c = srv.conn();
    let _: () = q(&mut c, &["DEBUG", "SET-ACTIVE-EXPIRE", "0"]);
    for k in ["a", "b", "c", "d", "e", "f", "g", "h"] {
        let _: () = q(&mut c, &["SET", k, "v"]);
        let _: i64 = q(&mut c, &["PEXPIRE", k, "50"]);
    }
    std::thread::sleep(Duration::from_millis(100));
    // Still stored (nothing swept), so DBSIZE counts them, as Redis does.
    assert_eq!(q::<i64>(&mut c, &["DBSIZE"]), 8);
    assert_eq!(q::<Option<String>>(&mut c, &["GET", "a"]), None);
    assert_eq!(q::<i64>(&mut c, &["EXISTS", "b", "b"]), 0);
    assert_eq!(q::<String>(&mut c, &["TYPE", "c"]), "none");
    assert_eq!(q::<i64>(&mut c, &["TTL", "d"]), -2);
    assert_eq!(q::<i64>(&mut c, &["PERSIST", "e"]), 0);
    assert!(matches!(
        redis::cmd("RENAME").arg("f").arg("z").query::<()>(&mut c),
        Err(e) if e.to_string().contains("no such key")
    ));
    assert_eq!(q::<i64>(&mut c, &["EXPIRE", "g", "100"]), 0);
    assert_eq!(q::<i64>(&mut c, &["DBSIZE"]), 1);
    assert!(q::<Vec<String>>(&mut c, &["KEYS", "*"]).is_empty());
    let (cursor, keys): (u64, Vec<String>) = redis::cmd("SCAN").arg(0).query(&mut c).unwrap();
    assert_eq!((cursor, keys.len()), (0, 0));
    assert_eq!(q::<i64>(&mut c, &["DBSIZE"]), 0);
    assert_eq!(q::<Option<String>>(&mut c, &["RANDOMKEY"]), None);
    let _: () = q(&mut c, &["DEBUG", "SET-ACTIVE-EXPIRE", "1"]);
}

#[test]
fn randomkey_and_copy_skip_lazily_expired_keys() {
    let srv = common::start_with(&["--enable-debug-command", "yes"]);
    let mut c = srv.conn();
    let _: () = q(&mut c, &["DEBUG", "SET-ACTIVE-EXPIRE", "0"]);
    for i in 0..20 {
        let _: () = q(&mut c, &["SET", &format!("x{i}"), "v"]);
        let _: i64 = q(&mut c, &["PEXPIRE", &format!("x{i}"), "20"]);
    }
    let _: () = q(&mut c, &["SET", "live", "v"]);
    let _: () = q(&mut c, &["SET", "dst", "old"]);
    let _: i64 = q(&mut c, &["PEXPIRE", "dst", "20"]);
    std::thread::sleep(Duration::from_millis(60));
    assert_eq!(q::<String>(&mut c, &["RANDOMKEY"]), "live");
    assert_eq!(q::<i64>(&mut c, &["COPY", "x1", "new"]), 0);
    // An expired destination does not block COPY or MOVE.
    assert_eq!(q::<i64>(&mut c, &["COPY", "live", "dst"]), 1);
    assert_eq!(q::<i64>(&mut c, &["TTL", "dst"]), -1);
    let _: () = q(&mut c, &["DEBUG", "SET-ACTIVE-EXPIRE", "1"]);
}

#[test]
fn resp3_shapes_through_the_client() {
    let srv = common::start();
    let mut c = srv.conn3();
    let _: () = q(&mut c, &["SET", "k", "v"]);
    assert_eq!(q::<redis::Value>(&mut c, &["TTL", "k"]), redis::Value::Int(-1));
    assert_eq!(q::<redis::Value>(&mut c, &["EXPIRE", "k", "10"]), redis::Value::Int(1));
    assert_eq!(q::<redis::Value>(&mut c, &["PERSIST", "k"]), redis::Value::Int(1));
    assert_eq!(q::<redis::Value>(&mut c, &["PTTL", "nokey"]), redis::Value::Int(-2));
}
