//! String family (GET SET SETNX SETEX PSETEX GETSET GETDEL GETEX MGET MSET MSETNX INCR DECR
//! INCRBY DECRBY INCRBYFLOAT APPEND STRLEN GETRANGE SUBSTR SETRANGE LCS) through the `redis`
//! crate in RESP2 and RESP3, plus byte-exact checks where the reply type matters. Expected
//! values are Redis 7.0.15's.

mod common;

use common::{err, exp, q, raw, resp, TestServer};
use redis::Value;

fn v(c: &mut redis::Connection, words: &[&str]) -> Value {
    q(c, words)
}

fn bulk(s: &str) -> Value {
    Value::BulkString(s.as_bytes().to_vec())
}

/// Each protocol on a fresh connection over a flushed server.
fn both(srv: &TestServer, f: impl Fn(&mut redis::Connection)) {
    for mut c in srv.conns() {
        let _: () = q(&mut c, &["FLUSHALL"]);
        f(&mut c);
    }
}

#[test]
fn get_set_and_their_encodings() {
    let srv = common::start();
    both(&srv, |c| {
        assert_eq!(v(c, &["GET", "k"]), Value::Nil);
        assert_eq!(v(c, &["SET", "k", "hello"]), Value::Okay);
        assert_eq!(v(c, &["GET", "k"]), bulk("hello"));
        for (val, enc) in [
            ("123", "int"),
            ("-9223372036854775808", "int"),
            ("9223372036854775808", "embstr"),
            ("01", "embstr"),
            ("-0", "embstr"),
            ("", "embstr"),
            ("12345678901234567890123456789012345678901234", "embstr"),
            ("123456789012345678901234567890123456789012345", "raw"),
        ] {
            let _: () = q(c, &["SET", "k", val]);
            assert_eq!(q::<String>(c, &["OBJECT", "ENCODING", "k"]), enc, "{val:?}");
            assert_eq!(v(c, &["GET", "k"]), bulk(val));
        }
        let binary = b"a\x00b\r\n\xff".to_vec();
        let _: () = redis::cmd("SET").arg(b"bin\x00key").arg(&binary).query(c).unwrap();
        let got: Vec<u8> = redis::cmd("GET").arg(b"bin\x00key").query(c).unwrap();
        assert_eq!(got, binary);
    });
}

#[test]
fn set_conditions_and_get_option() {
    let srv = common::start();
    both(&srv, |c| {
        assert_eq!(v(c, &["SET", "k", "v", "XX"]), Value::Nil);
        assert_eq!(v(c, &["SET", "k", "v", "NX"]), Value::Okay);
        assert_eq!(v(c, &["SET", "k", "w", "NX"]), Value::Nil);
        assert_eq!(v(c, &["SET", "k", "w", "xx"]), Value::Okay);
        assert_eq!(v(c, &["SET", "k", "x", "GET"]), bulk("w"));
        assert_eq!(v(c, &["SET", "k", "y", "NX", "GET"]), bulk("x"));
        assert_eq!(v(c, &["GET", "k"]), bulk("x"));
        assert_eq!(v(c, &["SET", "new", "y", "XX", "GET"]), Value::Nil);
        assert_eq!(q::<i64>(c, &["EXISTS", "new"]), 0);
        assert_eq!(v(c, &["SET", "new", "y", "GET", "GET"]), Value::Nil);
        assert_eq!(v(c, &["GET", "new"]), bulk("y"));
        for bad in [
            &["SET", "k", "v", "NX", "XX"][..],
            &["SET", "k", "v", "XX", "NX"],
            &["SET", "k", "v", "EX"],
            &["SET", "k", "v", "EX", "1", "PX", "1"],
            &["SET", "k", "v", "EXAT", "1", "PXAT", "1"],
            &["SET", "k", "v", "KEEPTTL", "EX", "1"],
            &["SET", "k", "v", "PX", "1", "KEEPTTL"],
            &["SET", "k", "v", "PERSIST"],
            &["SET", "k", "v", "FOO"],
        ] {
            assert!(err(c, bad).contains("syntax error"), "{bad:?}");
        }
    });
}

#[test]
fn set_expiry_forms_and_errors() {
    let srv = common::start();
    both(&srv, |c| {
        let _: () = q(c, &["SET", "k", "v", "EX", "100"]);
        assert!((99_000..=100_000).contains(&q::<i64>(c, &["PTTL", "k"])));
        let _: () = q(c, &["SET", "k", "v", "PX", "5000"]);
        assert!((4_000..=5_000).contains(&q::<i64>(c, &["PTTL", "k"])));
        let _: () = q(c, &["SET", "k", "v", "EX", "10", "EX", "200"]);
        assert!(q::<i64>(c, &["TTL", "k"]) > 100);
        let _: () = q(c, &["SET", "k", "v", "EXAT", "4102444800"]);
        assert_eq!(q::<i64>(c, &["EXPIRETIME", "k"]), 4102444800);
        let _: () = q(c, &["SET", "k", "v2", "KEEPTTL"]);
        assert_eq!(q::<i64>(c, &["EXPIRETIME", "k"]), 4102444800);
        let _: () = q(c, &["SET", "k", "v3", "PXAT", "4102444800123"]);
        assert_eq!(q::<i64>(c, &["PEXPIRETIME", "k"]), 4102444800123);
        let _: () = q(c, &["SET", "k", "v4"]);
        assert_eq!(q::<i64>(c, &["TTL", "k"]), -1);
        // A deadline already past leaves no key behind.
        let _: () = q(c, &["SET", "k", "v", "EXAT", "1"]);
        assert_eq!(q::<i64>(c, &["EXISTS", "k"]), 0);
        for t in ["0", "-1", "9223372036854775", "9223372036854776"] {
            assert_eq!(
                err(c, &["SET", "k", "v", "EX", t]),
                "ERR invalid expire time in 'set' command",
                "{t}"
            );
        }
        assert_eq!(
            err(c, &["SET", "k", "v", "PX", "9223372036854775807"]),
            "ERR invalid expire time in 'set' command"
        );
        assert!(err(c, &["SET", "k", "v", "EX", "1.5"]).contains("not an integer"));
        let _: () = q(c, &["SET", "k", "v", "PXAT", "9223372036854775807"]);
        assert_eq!(q::<i64>(c, &["PEXPIRETIME", "k"]), i64::MAX);
    });
}

#[test]
fn setnx_setex_psetex_getset() {
    let srv = common::start();
    both(&srv, |c| {
        assert_eq!(q::<i64>(c, &["SETNX", "k", "1"]), 1);
        assert_eq!(q::<i64>(c, &["SETNX", "k", "2"]), 0);
        assert_eq!(v(c, &["GET", "k"]), bulk("1"));
        assert_eq!(v(c, &["SETEX", "k", "100", "v"]), Value::Okay);
        assert!((99..=100).contains(&q::<i64>(c, &["TTL", "k"])));
        assert_eq!(v(c, &["PSETEX", "k", "100000", "w"]), Value::Okay);
        assert!((99..=100).contains(&q::<i64>(c, &["TTL", "k"])));
        assert_eq!(err(c, &["SETEX", "k", "0", "v"]), "ERR invalid expire time in 'setex' command");
        assert_eq!(
            err(c, &["PSETEX", "k", "-5", "v"]),
            "ERR invalid expire time in 'psetex' command"
        );
        assert!(err(c, &["SETEX", "k", "x", "v"]).contains("not an integer"));
        assert_eq!(v(c, &["GETSET", "k", "new"]), bulk("w"));
        assert_eq!(q::<i64>(c, &["TTL", "k"]), -1, "GETSET drops the TTL");
        assert_eq!(v(c, &["GETSET", "other", "x"]), Value::Nil);
        assert_eq!(v(c, &["GET", "other"]), bulk("x"));
    });
}

#[test]
fn getdel_and_getex() {
    let srv = common::start();
    both(&srv, |c| {
        assert_eq!(v(c, &["GETDEL", "k"]), Value::Nil);
        let _: () = q(c, &["SET", "k", "v"]);
        assert_eq!(v(c, &["GETDEL", "k"]), bulk("v"));
        assert_eq!(q::<i64>(c, &["EXISTS", "k"]), 0);

        assert_eq!(v(c, &["GETEX", "k"]), Value::Nil);
        assert_eq!(v(c, &["GETEX", "k", "EX", "abc"]), Value::Nil, "missing key first");
        assert!(err(c, &["GETEX", "k", "FOO"]).contains("syntax error"));
        let _: () = q(c, &["SET", "k", "v", "EX", "100"]);
        assert_eq!(v(c, &["GETEX", "k"]), bulk("v"));
        assert!(q::<i64>(c, &["TTL", "k"]) > 0);
        assert_eq!(v(c, &["GETEX", "k", "PERSIST"]), bulk("v"));
        assert_eq!(q::<i64>(c, &["TTL", "k"]), -1);
        assert_eq!(v(c, &["GETEX", "k", "EX", "200"]), bulk("v"));
        assert!((199..=200).contains(&q::<i64>(c, &["TTL", "k"])));
        assert_eq!(v(c, &["GETEX", "k", "PX", "300000"]), bulk("v"));
        assert!((299..=300).contains(&q::<i64>(c, &["TTL", "k"])));
        assert_eq!(v(c, &["GETEX", "k", "EXAT", "4102444800"]), bulk("v"));
        assert_eq!(q::<i64>(c, &["EXPIRETIME", "k"]), 4102444800);
        assert_eq!(v(c, &["GETEX", "k", "PXAT", "4102444800123"]), bulk("v"));
        assert_eq!(q::<i64>(c, &["PEXPIRETIME", "k"]), 4102444800123);
        for bad in [
            &["GETEX", "k", "EX", "1", "PX", "1"][..],
            &["GETEX", "k", "PERSIST", "EX", "1"],
            &["GETEX", "k", "EX", "1", "PERSIST"],
            &["GETEX", "k", "KEEPTTL"],
            &["GETEX", "k", "NX"],
            &["GETEX", "k", "EX"],
        ] {
            assert!(err(c, bad).contains("syntax error"), "{bad:?}");
        }
        assert_eq!(
            err(c, &["GETEX", "k", "EX", "0"]),
            "ERR invalid expire time in 'getex' command"
        );
        assert!(err(c, &["GETEX", "k", "EX", "x"]).contains("not an integer"));
        // A past absolute time deletes the key after replying with it.
        assert_eq!(v(c, &["GETEX", "k", "EXAT", "1"]), bulk("v"));
        assert_eq!(q::<i64>(c, &["EXISTS", "k"]), 0);
    });
}

#[test]
fn mget_mset_msetnx() {
    let srv = common::start();
    both(&srv, |c| {
        assert_eq!(v(c, &["MSET", "a", "1", "b", "2"]), Value::Okay);
        assert_eq!(
            v(c, &["MGET", "a", "b", "nokey"]),
            Value::Array(vec![bulk("1"), bulk("2"), Value::Nil])
        );
        assert_eq!(
            err(c, &["MSET", "a", "1", "b"]),
            "ERR wrong number of arguments for 'mset' command"
        );
        assert_eq!(
            err(c, &["MSETNX", "a", "1", "b"]),
            "ERR wrong number of arguments for 'msetnx' command"
        );
        assert_eq!(q::<i64>(c, &["MSETNX", "a", "9", "z", "9"]), 0);
        assert_eq!(q::<i64>(c, &["EXISTS", "z"]), 0);
        assert_eq!(q::<i64>(c, &["MSETNX", "y", "8", "z", "9"]), 1);
        assert_eq!(v(c, &["MGET", "y", "z"]), Value::Array(vec![bulk("8"), bulk("9")]));
        let _: () = q(c, &["SET", "t", "v", "EX", "100"]);
        let _: () = q(c, &["MSET", "t", "w", "t", "x"]);
        assert_eq!(v(c, &["GET", "t"]), bulk("x"));
        assert_eq!(q::<i64>(c, &["TTL", "t"]), -1);
    });
}

#[test]
fn integer_counters() {
    let srv = common::start();
    both(&srv, |c| {
        assert_eq!(q::<i64>(c, &["INCR", "n"]), 1);
        assert_eq!(q::<i64>(c, &["INCRBY", "n", "41"]), 42);
        assert_eq!(q::<i64>(c, &["DECR", "n"]), 41);
        assert_eq!(q::<i64>(c, &["DECRBY", "n", "-9"]), 50);
        assert_eq!(q::<String>(c, &["OBJECT", "ENCODING", "n"]), "int");
        let _: () = q(c, &["SET", "n", "9223372036854775807"]);
        assert_eq!(err(c, &["INCR", "n"]), "ERR increment or decrement would overflow");
        let _: () = q(c, &["SET", "n", "-9223372036854775808"]);
        assert_eq!(err(c, &["DECR", "n"]), "ERR increment or decrement would overflow");
        assert_eq!(
            err(c, &["DECRBY", "n", "-9223372036854775808"]),
            "ERR decrement would overflow"
        );
        assert_eq!(q::<i64>(c, &["INCRBY", "n", "9223372036854775807"]), -1);
        for bad in ["abc", " 1", "1 ", "01", "-0", "+1", "1.5", ""] {
            let _: () = q(c, &["SET", "s", bad]);
            assert_eq!(
                err(c, &["INCR", "s"]),
                "ERR value is not an integer or out of range",
                "{bad:?}"
            );
            assert!(err(c, &["INCRBY", "n", bad]).contains("not an integer"));
        }
        let _: () = q(c, &["SET", "t", "10", "EX", "100"]);
        assert_eq!(q::<i64>(c, &["INCR", "t"]), 11);
        assert!(q::<i64>(c, &["TTL", "t"]) > 0, "INCR keeps the TTL");
        let _: () = q(c, &["SET", "e", "5"]);
        let _: () = q(c, &["APPEND", "e", "0"]);
        assert_eq!(q::<String>(c, &["OBJECT", "ENCODING", "e"]), "raw");
        assert_eq!(q::<i64>(c, &["INCR", "e"]), 51);
        assert_eq!(q::<String>(c, &["OBJECT", "ENCODING", "e"]), "int");
    });
}

#[test]
fn incrbyfloat_formats_like_long_double() {
    let srv = common::start();
    both(&srv, |c| {
        assert_eq!(v(c, &["INCRBYFLOAT", "f", "10.5"]), bulk("10.5"));
        assert_eq!(v(c, &["INCRBYFLOAT", "f", "0.1"]), bulk("10.6"));
        assert_eq!(v(c, &["INCRBYFLOAT", "f", "-5.6"]), bulk("5"));
        assert_eq!(q::<String>(c, &["OBJECT", "ENCODING", "f"]), "embstr");
        assert_eq!(v(c, &["INCRBYFLOAT", "f", "5.0e3"]), bulk("5005"));
        let _: () = q(c, &["SET", "f", "1e17"]);
        assert_eq!(v(c, &["INCRBYFLOAT", "f", "1"]), bulk("100000000000000001"));
        for bad in ["abc", "", " 1", "nan"] {
            assert_eq!(err(c, &["INCRBYFLOAT", "f", bad]), "ERR value is not a valid float");
        }
        assert_eq!(
            err(c, &["INCRBYFLOAT", "f", "inf"]),
            "ERR increment would produce NaN or Infinity"
        );
        let _: () = q(c, &["SET", "s", "abc"]);
        assert_eq!(err(c, &["INCRBYFLOAT", "s", "1"]), "ERR value is not a valid float");
        let _: () = q(c, &["SET", "t", "1", "EX", "100"]);
        assert_eq!(v(c, &["INCRBYFLOAT", "t", "0.5"]), bulk("1.5"));
        assert!(q::<i64>(c, &["TTL", "t"]) > 0);
    });
}

#[test]
fn append_strlen_getrange_setrange() {
    let srv = common::start();
    both(&srv, |c| {
        assert_eq!(q::<i64>(c, &["APPEND", "a", "12"]), 2);
        assert_eq!(q::<String>(c, &["OBJECT", "ENCODING", "a"]), "int");
        assert_eq!(q::<i64>(c, &["APPEND", "a", "3"]), 3);
        assert_eq!(q::<String>(c, &["OBJECT", "ENCODING", "a"]), "raw");
        assert_eq!(q::<i64>(c, &["STRLEN", "a"]), 3);
        assert_eq!(q::<i64>(c, &["STRLEN", "nokey"]), 0);
        let _: () = q(c, &["SET", "n", "-12345"]);
        assert_eq!(q::<i64>(c, &["STRLEN", "n"]), 6);

        let _: () = q(c, &["SET", "g", "Hello World"]);
        for (s, e, want) in [
            ("0", "4", "Hello"),
            ("-5", "-1", "World"),
            ("0", "-1", "Hello World"),
            ("6", "100", "World"),
            ("5", "3", ""),
            ("-1", "-5", ""),
            ("-100", "1", "He"),
            ("11", "20", ""),
        ] {
            assert_eq!(v(c, &["GETRANGE", "g", s, e]), bulk(want), "{s} {e}");
            assert_eq!(v(c, &["SUBSTR", "g", s, e]), bulk(want), "{s} {e}");
        }
        assert_eq!(v(c, &["GETRANGE", "nokey", "0", "-1"]), bulk(""));
        assert!(err(c, &["GETRANGE", "g", "a", "1"]).contains("not an integer"));
        assert_eq!(v(c, &["GETRANGE", "n", "1", "2"]), bulk("12"));

        assert_eq!(q::<i64>(c, &["SETRANGE", "r", "0", ""]), 0);
        assert_eq!(q::<i64>(c, &["EXISTS", "r"]), 0);
        assert_eq!(q::<i64>(c, &["SETRANGE", "r", "3", "abc"]), 6);
        assert_eq!(q::<Vec<u8>>(c, &["GET", "r"]), b"\0\0\0abc");
        assert_eq!(q::<String>(c, &["OBJECT", "ENCODING", "r"]), "raw");
        assert_eq!(q::<i64>(c, &["SETRANGE", "r", "0", "XY"]), 6);
        assert_eq!(q::<i64>(c, &["SETRANGE", "r", "100", ""]), 6);
        assert_eq!(err(c, &["SETRANGE", "r", "-1", "x"]), "ERR offset is out of range");
        assert_eq!(
            err(c, &["SETRANGE", "r", "536870912", "x"]),
            "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
        );
        let _: () = q(c, &["SET", "i", "12345"]);
        assert_eq!(q::<i64>(c, &["SETRANGE", "i", "1", ""]), 5);
        assert_eq!(q::<String>(c, &["OBJECT", "ENCODING", "i"]), "int");
        assert_eq!(q::<i64>(c, &["SETRANGE", "i", "1", "a"]), 5);
        assert_eq!(v(c, &["GET", "i"]), bulk("1a345"));
    });
}

#[test]
fn lcs_plain_len_and_idx() {
    let srv = common::start();
    both(&srv, |c| {
        let _: () = q(c, &["MSET", "a", "ohmytext", "b", "mynewtext"]);
        assert_eq!(v(c, &["LCS", "a", "b"]), bulk("mytext"));
        assert_eq!(q::<i64>(c, &["LCS", "a", "b", "LEN"]), 6);
        assert_eq!(v(c, &["LCS", "a", "nokey"]), bulk(""));
        let idx = v(c, &["LCS", "a", "b", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"]);
        let range = |x: i64, y: i64| Value::Array(vec![Value::Int(x), Value::Int(y)]);
        let one = Value::Array(vec![Value::Array(vec![range(4, 7), range(5, 8), Value::Int(4)])]);
        let pairs = match idx {
            Value::Map(p) => p,
            Value::Array(flat) => {
                flat.chunks(2).map(|p| (p[0].clone(), p[1].clone())).collect::<Vec<_>>()
            }
            other => panic!("IDX reply {other:?}"),
        };
        assert_eq!(pairs, vec![(bulk("matches"), one), (bulk("len"), Value::Int(6))]);
        assert_eq!(
            err(c, &["LCS", "a", "b", "LEN", "IDX"]),
            "ERR If you want both the length and indexes, please just use IDX."
        );
        assert!(err(c, &["LCS", "a", "b", "MINMATCHLEN"]).contains("syntax error"));
        assert!(err(c, &["LCS", "a", "b", "FOO"]).contains("syntax error"));
    });
}

#[test]
fn reply_types_per_protocol() {
    let srv = common::start();
    for resp3 in [false, true] {
        let mut c = raw(&srv, resp3);
        let null = if resp3 { "_\r\n" } else { "$-1\r\n" };
        exp(&mut c, &["FLUSHALL"], "+OK\r\n");
        exp(&mut c, &["GET", "k"], null);
        exp(&mut c, &["SET", "k", "v", "NX"], "+OK\r\n");
        exp(&mut c, &["SET", "k", "v", "NX"], null);
        exp(&mut c, &["SET", "x", "v", "XX", "GET"], null);
        exp(&mut c, &["GETDEL", "x"], null);
        exp(&mut c, &["GETEX", "x"], null);
        exp(&mut c, &["MGET", "k", "x"], &format!("*2\r\n$1\r\nv\r\n{null}"));
        exp(&mut c, &["SETNX", "k", "v"], ":0\r\n");
        exp(&mut c, &["INCRBYFLOAT", "f", "1.5"], "$3\r\n1.5\r\n");
        exp(&mut c, &["INCR", "n"], ":1\r\n");
        exp(&mut c, &["GETRANGE", "nokey", "0", "1"], "$0\r\n\r\n");
        exp(&mut c, &["MSET", "a", "ohmytext", "b", "mynewtext"], "+OK\r\n");
        let head = if resp3 { "%2\r\n" } else { "*4\r\n" };
        exp(
            &mut c,
            &["LCS", "a", "b", "IDX", "MINMATCHLEN", "4"],
            &format!(
                "{head}$7\r\nmatches\r\n*1\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n$3\r\nlen\r\n:6\r\n"
            ),
        );
        exp(&mut c, &["SET", "k", "v", "EX", "0"], "-ERR invalid expire time in 'set' command\r\n");
        exp(&mut c, &["MSET", "a"], "-ERR wrong number of arguments for 'mset' command\r\n");
    }
}

#[test]
fn proto_max_bulk_len_bounds_string_growth() {
    let srv = common::start_with(&["--proto-max-bulk-len", "1mb"]);
    let too_long = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
    both(&srv, |c| {
        assert_eq!(err(c, &["SETRANGE", "r", "1048576", "x"]), too_long);
        assert_eq!(q::<i64>(c, &["EXISTS", "r"]), 0);
        assert_eq!(q::<i64>(c, &["SETRANGE", "r", "1048575", "x"]), 1_048_576);
        assert_eq!(q::<i64>(c, &["SETRANGE", "r", "1048576", ""]), 1_048_576);
        assert_eq!(err(c, &["APPEND", "r", "x"]), too_long);
        assert_eq!(q::<i64>(c, &["STRLEN", "r"]), 1_048_576);
        assert_eq!(q::<i64>(c, &["SETRANGE", "r2", "9223372036854775807", ""]), 0);
        assert_eq!(err(c, &["SETRANGE", "r2", "9223372036854775807", "x"]), too_long);
        assert_eq!(q::<i64>(c, &["SETBIT", "b", "8388607", "1"]), 0);
        assert!(err(c, &["SETBIT", "b", "8388608", "1"]).contains("bit offset"));
        // LCS's table of (len+1)^2 u32 cells is bounded by the same limit.
        let _: () = q(c, &["SETRANGE", "l1", "1000", "x"]);
        assert_eq!(
            err(c, &["LCS", "l1", "l1"]),
            "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"
        );
        assert_eq!(
            err(c, &["LCS", "l1", "l1", "LEN"]),
            "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"
        );
    });
}

#[test]
fn pipelined_mix_keeps_order() {
    let srv = common::start();
    let mut c = raw(&srv, false);
    let mut req = Vec::new();
    let mut want = String::new();
    for i in 0..200 {
        let k = format!("key:{}", i % 7);
        req.extend(resp(&[b"SET", k.as_bytes(), i.to_string().as_bytes()]));
        want.push_str("+OK\r\n");
        req.extend(resp(&[b"INCR", k.as_bytes()]));
        want.push_str(&format!(":{}\r\n", i + 1));
        req.extend(resp(&[b"GET", k.as_bytes()]));
        let s = (i + 1).to_string();
        want.push_str(&format!("${}\r\n{s}\r\n", s.len()));
    }
    let got = c.roundtrip(&req, want.len());
    assert_eq!(String::from_utf8_lossy(&got), want);
}

#[test]
fn other_types_are_refused_or_overwritten() {
    let srv = common::start();
    let wrong = "WRONGTYPE Operation against a key holding the wrong kind of value";
    both(&srv, |c| {
        let _: i64 = q(c, &["RPUSH", "l", "a"]);
        let _: () = q(c, &["SET", "s", "abc"]);
        for words in [
            &["GET", "l"][..],
            &["SET", "l", "v", "GET"],
            &["GETSET", "l", "v"],
            &["GETDEL", "l"],
            &["GETEX", "l", "PERSIST"],
            &["INCR", "l"],
            &["DECRBY", "l", "2"],
            &["INCRBYFLOAT", "l", "1"],
            &["APPEND", "l", "x"],
            &["STRLEN", "l"],
            &["GETRANGE", "l", "0", "1"],
            &["SETRANGE", "l", "0", "x"],
        ] {
            assert_eq!(err(c, words), wrong, "{words:?}");
        }
        assert_eq!(err(c, &["LCS", "s", "l"]), "ERR The specified keys must contain string values");
        assert_eq!(v(c, &["MGET", "l", "s"]), Value::Array(vec![Value::Nil, bulk("abc")]));
        assert_eq!(q::<i64>(c, &["SETNX", "l", "v"]), 0);
        assert_eq!(q::<i64>(c, &["MSETNX", "l", "v", "x", "y"]), 0);
        assert_eq!(q::<String>(c, &["TYPE", "l"]), "list");
        assert_eq!(v(c, &["SET", "l", "v"]), Value::Okay);
        assert_eq!(q::<String>(c, &["TYPE", "l"]), "string");
    });
}
