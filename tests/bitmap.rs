//! Bitmap family (SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO) through the
//! `redis` crate in RESP2 and RESP3, plus byte-exact checks where the reply type matters.
//! Expected values are Redis 7.0.15's.

mod common;

use std::time::Duration;

use common::{err, q, resp, Raw, TestServer};
use redis::Value;

fn both(srv: &TestServer, f: impl Fn(&mut redis::Connection)) {
    for mut c in srv.conns() {
        let _: () = q(&mut c, &["FLUSHALL"]);
        f(&mut c);
    }
}

fn get(c: &mut redis::Connection, k: &str) -> Vec<u8> {
    q(c, &["GET", k])
}

fn ints(v: &[i64]) -> Value {
    Value::Array(v.iter().map(|&i| Value::Int(i)).collect())
}

#[test]
fn setbit_and_getbit() {
    let srv = common::start();
    both(&srv, |c| {
        assert_eq!(q::<i64>(c, &["SETBIT", "b", "7", "1"]), 0);
        assert_eq!(get(c, "b"), b"\x01");
        assert_eq!(q::<String>(c, &["OBJECT", "ENCODING", "b"]), "raw");
        assert_eq!(q::<i64>(c, &["SETBIT", "b", "7", "0"]), 1);
        assert_eq!(q::<i64>(c, &["SETBIT", "b", "100", "1"]), 0);
        assert_eq!(q::<i64>(c, &["STRLEN", "b"]), 13);
        assert_eq!(q::<i64>(c, &["GETBIT", "b", "100"]), 1);
        assert_eq!(q::<i64>(c, &["GETBIT", "b", "99"]), 0);
        assert_eq!(q::<i64>(c, &["GETBIT", "b", "1000000"]), 0);
        assert_eq!(q::<i64>(c, &["GETBIT", "nokey", "5"]), 0);
        let offset_err = "ERR bit offset is not an integer or out of range";
        for bad in ["-1", "abc", "1.5", "4294967296"] {
            assert_eq!(err(c, &["SETBIT", "b", bad, "1"]), offset_err, "{bad}");
            assert_eq!(err(c, &["GETBIT", "b", bad]), offset_err, "{bad}");
        }
        assert_eq!(q::<i64>(c, &["GETBIT", "b", "4294967295"]), 0);
        for bad in ["2", "-1", "abc", ""] {
            assert_eq!(
                err(c, &["SETBIT", "b", "0", bad]),
                "ERR bit is not an integer or out of range"
            );
        }
        let _: () = q(c, &["SET", "i", "12"]);
        assert_eq!(q::<i64>(c, &["GETBIT", "i", "2"]), 1);
        assert_eq!(q::<String>(c, &["OBJECT", "ENCODING", "i"]), "int");
        assert_eq!(q::<i64>(c, &["SETBIT", "i", "0", "0"]), 0);
        assert_eq!(q::<String>(c, &["OBJECT", "ENCODING", "i"]), "raw");
        let _: () = q(c, &["SET", "t", "v", "EX", "100"]);
        let _: i64 = q(c, &["SETBIT", "t", "0", "1"]);
        assert!(q::<i64>(c, &["TTL", "t"]) > 0);
    });
}

#[test]
fn bitcount_ranges_and_units() {
    let srv = common::start();
    both(&srv, |c| {
        let _: () = q(c, &["SET", "s", "foobar"]);
        for (args, want) in [
            (&["BITCOUNT", "s"][..], 26),
            (&["BITCOUNT", "s", "0", "0"], 4),
            (&["BITCOUNT", "s", "1", "1"], 6),
            (&["BITCOUNT", "s", "1", "-1"], 22),
            (&["BITCOUNT", "s", "-1", "-2"], 0),
            (&["BITCOUNT", "s", "0", "5", "BIT"], 3),
            (&["BITCOUNT", "s", "5", "30", "bit"], 17),
            (&["BITCOUNT", "s", "0", "-1", "BYTE"], 26),
            (&["BITCOUNT", "nokey"], 0),
            (&["BITCOUNT", "nokey", "a", "b"], 0),
        ] {
            assert_eq!(q::<i64>(c, args), want, "{args:?}");
        }
        assert!(err(c, &["BITCOUNT", "s", "0"]).contains("syntax error"));
        assert!(err(c, &["BITCOUNT", "s", "0", "1", "FOO"]).contains("syntax error"));
        assert!(err(c, &["BITCOUNT", "s", "a", "1"]).contains("not an integer"));
        let _: () = q(c, &["SET", "n", "1234"]);
        assert_eq!(q::<i64>(c, &["BITCOUNT", "n"]), 13);
    });
}

#[test]
fn bitpos_search() {
    let srv = common::start();
    both(&srv, |c| {
        let _: () = redis::cmd("SET").arg("p").arg(b"\xff\xf0\x00").query(c).unwrap();
        for (args, want) in [
            (&["BITPOS", "p", "0"][..], 12),
            (&["BITPOS", "p", "1"], 0),
            (&["BITPOS", "p", "1", "2"], -1),
            (&["BITPOS", "p", "0", "0", "0"], -1),
            (&["BITPOS", "p", "0", "0", "11", "BIT"], -1),
            (&["BITPOS", "p", "0", "0", "15", "BIT"], 12),
            (&["BITPOS", "p", "1", "-3", "-1", "BIT"], -1),
            (&["BITPOS", "nokey", "0"], 0),
            (&["BITPOS", "nokey", "1"], -1),
        ] {
            assert_eq!(q::<i64>(c, args), want, "{args:?}");
        }
        let _: () = redis::cmd("SET").arg("ones").arg(b"\xff\xff").query(c).unwrap();
        assert_eq!(q::<i64>(c, &["BITPOS", "ones", "0"]), 16);
        assert_eq!(q::<i64>(c, &["BITPOS", "ones", "0", "0", "-1"]), -1);
        assert_eq!(err(c, &["BITPOS", "p", "2"]), "ERR The bit argument must be 1 or 0.");
        assert_eq!(err(c, &["BITPOS", "nokey", "2"]), "ERR The bit argument must be 1 or 0.");
        assert!(err(c, &["BITPOS", "p", "1", "0", "1", "FOO"]).contains("syntax error"));
        assert!(err(c, &["BITPOS", "p", "1", "0", "1", "BIT", "x"]).contains("syntax error"));
    });
}

#[test]
fn bitop_operations() {
    let srv = common::start();
    both(&srv, |c| {
        let _: () = redis::cmd("MSET")
            .arg("a")
            .arg(b"\xff\x0f")
            .arg("b")
            .arg(b"\xf0")
            .arg("c")
            .arg(b"\x00\xff\x01")
            .query(c)
            .unwrap();
        assert_eq!(q::<i64>(c, &["BITOP", "AND", "d", "a", "b"]), 2);
        assert_eq!(get(c, "d"), b"\xf0\x00");
        assert_eq!(q::<i64>(c, &["BITOP", "or", "d", "a", "b", "c"]), 3);
        assert_eq!(get(c, "d"), b"\xff\xff\x01");
        assert_eq!(q::<i64>(c, &["BITOP", "XOR", "d", "a", "b", "c"]), 3);
        assert_eq!(get(c, "d"), b"\x0f\xf0\x01");
        assert_eq!(q::<i64>(c, &["BITOP", "NOT", "d", "a"]), 2);
        assert_eq!(get(c, "d"), b"\x00\xf0");
        assert_eq!(q::<String>(c, &["OBJECT", "ENCODING", "d"]), "raw");
        assert_eq!(
            err(c, &["BITOP", "NOT", "d", "a", "b"]),
            "ERR BITOP NOT must be called with a single source key."
        );
        assert!(err(c, &["BITOP", "NAND", "d", "a"]).contains("syntax error"));
        // An empty result deletes the destination.
        assert_eq!(q::<i64>(c, &["BITOP", "OR", "d", "nokey", "nokey2"]), 0);
        assert_eq!(q::<i64>(c, &["EXISTS", "d"]), 0);
        let _: () = q(c, &["SET", "t", "x", "EX", "100"]);
        assert_eq!(q::<i64>(c, &["BITOP", "OR", "t", "a"]), 2);
        assert_eq!(q::<i64>(c, &["TTL", "t"]), -1);
        let _: () = q(c, &["SET", "n", "12"]);
        assert_eq!(q::<i64>(c, &["BITOP", "OR", "d", "n"]), 2);
        assert_eq!(get(c, "d"), b"12");
    });
}

#[test]
fn bitfield_get_set_incrby_overflow() {
    let srv = common::start();
    both(&srv, |c| {
        assert_eq!(q::<Value>(c, &["BITFIELD", "bf"]), Value::Array(vec![]));
        assert_eq!(q::<i64>(c, &["EXISTS", "bf"]), 0);
        assert_eq!(q::<Value>(c, &["BITFIELD", "bf", "SET", "u8", "0", "255"]), ints(&[0]));
        assert_eq!(
            q::<Value>(
                c,
                &["BITFIELD", "bf", "GET", "u8", "0", "GET", "i8", "0", "GET", "u4", "4"]
            ),
            ints(&[255, -1, 15])
        );
        assert_eq!(q::<Value>(c, &["BITFIELD", "bf", "INCRBY", "u8", "0", "10"]), ints(&[9]));
        assert_eq!(
            q::<Value>(c, &["BITFIELD", "bf", "OVERFLOW", "SAT", "INCRBY", "u8", "0", "300"]),
            ints(&[255])
        );
        assert_eq!(
            q::<Value>(c, &["BITFIELD", "bf", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "1"]),
            Value::Array(vec![Value::Nil])
        );
        assert_eq!(
            q::<Value>(c, &["BITFIELD", "bf", "OVERFLOW", "WRAP", "INCRBY", "u8", "0", "1"]),
            ints(&[0])
        );
        assert_eq!(
            q::<Value>(c, &["BITFIELD", "bf", "SET", "u8", "#2", "7", "GET", "u8", "16"]),
            ints(&[0, 7])
        );
        assert_eq!(
            q::<Value>(c, &["BITFIELD", "w", "SET", "i64", "0", "-1", "GET", "u63", "1"]),
            ints(&[0, i64::MAX])
        );
        assert_eq!(
            q::<Value>(
                c,
                &["BITFIELD", "w", "OVERFLOW", "SAT", "SET", "i8", "0", "200", "GET", "i8", "0"]
            ),
            ints(&[-1, 127])
        );
        let ty = "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";
        for bad in ["u64", "i65", "i0", "x8", "U8", "u08"] {
            assert_eq!(err(c, &["BITFIELD", "bf", "GET", bad, "0"]), ty, "{bad}");
        }
        assert_eq!(
            err(c, &["BITFIELD", "bf", "GET", "u8", "-1"]),
            "ERR bit offset is not an integer or out of range"
        );
        assert_eq!(
            err(c, &["BITFIELD", "bf", "OVERFLOW", "FOO", "GET", "u8", "0"]),
            "ERR Invalid OVERFLOW type specified"
        );
        assert!(err(c, &["BITFIELD", "bf", "GET", "u8"]).contains("syntax error"));
        assert!(err(c, &["BITFIELD", "bf", "SET", "u8", "0", "x"]).contains("not an integer"));
        // Writes grow the string to their highest bit even when they then FAIL.
        assert_eq!(
            q::<Value>(c, &["BITFIELD", "g", "OVERFLOW", "FAIL", "SET", "u8", "800", "256"]),
            Value::Array(vec![Value::Nil])
        );
        assert_eq!(q::<i64>(c, &["STRLEN", "g"]), 101);
        assert_eq!(q::<Value>(c, &["BITFIELD", "h", "GET", "u8", "800"]), ints(&[0]));
        assert_eq!(q::<i64>(c, &["EXISTS", "h"]), 0);
    });
}

#[test]
fn bitfield_ro_only_reads() {
    let srv = common::start();
    both(&srv, |c| {
        let _: () = q(c, &["SET", "k", "AB"]);
        assert_eq!(
            q::<Value>(c, &["BITFIELD_RO", "k", "GET", "u8", "0", "GET", "i8", "8"]),
            ints(&[65, 66])
        );
        assert_eq!(q::<Value>(c, &["BITFIELD_RO", "nokey", "GET", "i64", "0"]), ints(&[0]));
        for words in [
            &["BITFIELD_RO", "k", "SET", "u8", "0", "1"][..],
            &["BITFIELD_RO", "k", "INCRBY", "u8", "0", "1"],
        ] {
            assert_eq!(err(c, words), "ERR BITFIELD_RO only supports the GET subcommand");
        }
        assert!(err(c, &["BITFIELD_RO", "k", "SET", "u8", "0", "x"]).contains("not an integer"));
        assert_eq!(get(c, "k"), b"AB");
    });
}

#[test]
fn bitfield_nil_is_typed_per_protocol() {
    let srv = common::start();
    for resp3 in [false, true] {
        let mut c: Raw = srv.raw();
        if resp3 {
            c.send(&resp(&[b"HELLO", b"3"]));
            let (hello, _) = c.read_for(Duration::from_millis(300), 0);
            assert!(hello.starts_with(b"%"));
        }
        let null = if resp3 { "_\r\n" } else { "$-1\r\n" };
        c.expect(&resp(&[b"FLUSHALL"]), b"+OK\r\n");
        let req = resp(&[b"BITFIELD", b"f", b"OVERFLOW", b"FAIL", b"INCRBY", b"i8", b"0", b"200"]);
        c.expect(&req, format!("*1\r\n{null}").as_bytes());
        c.expect(&resp(&[b"BITCOUNT", b"f"]), b":0\r\n");
        c.expect(&resp(&[b"BITPOS", b"f", b"1"]), b":-1\r\n");
    }
}

#[test]
fn other_types_are_refused() {
    let srv = common::start();
    let wrong = "WRONGTYPE Operation against a key holding the wrong kind of value";
    both(&srv, |c| {
        let _: i64 = q(c, &["RPUSH", "l", "a"]);
        for words in [
            &["SETBIT", "l", "0", "1"][..],
            &["GETBIT", "l", "0"],
            &["BITCOUNT", "l"],
            &["BITPOS", "l", "1"],
            &["BITOP", "AND", "d", "l"],
            &["BITFIELD", "l", "SET", "u8", "0", "1"],
            &["BITFIELD_RO", "l", "GET", "u8", "0"],
        ] {
            assert_eq!(err(c, words), wrong, "{words:?}");
        }
        assert_eq!(q::<i64>(c, &["BITOP", "NOT", "l", "nokey"]), 0);
        assert_eq!(q::<i64>(c, &["EXISTS", "l"]), 0, "an empty BITOP result deletes any type");
    });
}
