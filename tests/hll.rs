//! HyperLogLog commands through the `redis` crate in RESP2 and RESP3, plus raw replies. The
//! byte-exact layout is compared with redis-server in tests/diff/hll.txt.

mod common;

use redis::{cmd, Connection, Value};

fn pfadd(c: &mut Connection, key: &str, els: &[String]) -> i64 {
    cmd("PFADD").arg(key).arg(els).query(c).unwrap()
}

fn elements(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i}")).collect()
}

#[test]
fn pfadd_reports_changes_and_pfcount_estimates() {
    let srv = common::start();
    for mut c in srv.conns() {
        let _: () = cmd("FLUSHALL").query(&mut c).unwrap();
        assert_eq!(pfadd(&mut c, "h", &[]), 1, "creating the key counts as a change");
        assert_eq!(pfadd(&mut c, "h", &[]), 0);
        assert_eq!(pfadd(&mut c, "h", &elements("a", 3)), 1);
        assert_eq!(pfadd(&mut c, "h", &elements("a", 3)), 0, "same elements change nothing");
        let n: i64 = cmd("PFCOUNT").arg("h").query(&mut c).unwrap();
        assert_eq!(n, 3);
        let t: String = cmd("TYPE").arg("h").query(&mut c).unwrap();
        assert_eq!(t, "string");
        let enc: String = cmd("OBJECT").arg("ENCODING").arg("h").query(&mut c).unwrap();
        assert_eq!(enc, "raw");

        for chunk in 0..20 {
            pfadd(&mut c, "big", &elements(&format!("c{chunk}_"), 1000));
        }
        let n: i64 = cmd("PFCOUNT").arg("big").query(&mut c).unwrap();
        assert!((19_000..=21_000).contains(&n), "estimate {n} for 20000");
        let enc: String = cmd("PFDEBUG").arg("ENCODING").arg("big").query(&mut c).unwrap();
        assert_eq!(enc, "dense");
        let enc: String = cmd("PFDEBUG").arg("ENCODING").arg("h").query(&mut c).unwrap();
        assert_eq!(enc, "sparse");
        let missing: i64 = cmd("PFCOUNT").arg("nokey").query(&mut c).unwrap();
        assert_eq!(missing, 0);
    }
}

#[test]
fn union_count_and_merge() {
    let srv = common::start();
    for mut c in srv.conns() {
        let _: () = cmd("FLUSHALL").query(&mut c).unwrap();
        pfadd(&mut c, "a", &elements("x", 100));
        pfadd(&mut c, "b", &elements("x", 200));
        pfadd(&mut c, "c", &elements("y", 100));
        let n: i64 = cmd("PFCOUNT").arg("a").arg("b").arg("c").arg("nokey").query(&mut c).unwrap();
        assert!((290..=310).contains(&n), "union estimate {n}");
        let ok: String = cmd("PFMERGE").arg("d").arg("a").arg("c").query(&mut c).unwrap();
        assert_eq!(ok, "OK");
        let n: i64 = cmd("PFCOUNT").arg("d").query(&mut c).unwrap();
        assert!((195..=205).contains(&n), "merged estimate {n}");
        // The destination is one of the inputs too.
        let _: String = cmd("PFMERGE").arg("d").arg("b").query(&mut c).unwrap();
        let n: i64 = cmd("PFCOUNT").arg("d").query(&mut c).unwrap();
        assert!((290..=310).contains(&n), "re-merged estimate {n}");
        let _: String = cmd("PFMERGE").arg("empty").query(&mut c).unwrap();
        let n: i64 = cmd("PFCOUNT").arg("empty").query(&mut c).unwrap();
        assert_eq!(n, 0);
    }
}

#[test]
fn pfdebug_subcommands() {
    let srv = common::start();
    for mut c in srv.conns() {
        let _: () = cmd("FLUSHALL").query(&mut c).unwrap();
        pfadd(&mut c, "h", &elements("e", 2));
        let text: String = cmd("PFDEBUG").arg("DECODE").arg("h").query(&mut c).unwrap();
        assert!(text.contains("v:") && text.starts_with('Z'), "{text}");
        let regs: Vec<i64> = cmd("PFDEBUG").arg("GETREG").arg("h").query(&mut c).unwrap();
        assert_eq!(regs.len(), 16384);
        assert_eq!(regs.iter().filter(|&&r| r > 0).count(), 2);
        // GETREG converted it.
        let enc: String = cmd("PFDEBUG").arg("ENCODING").arg("h").query(&mut c).unwrap();
        assert_eq!(enc, "dense");
        let conv: i64 = cmd("PFDEBUG").arg("TODENSE").arg("h").query(&mut c).unwrap();
        assert_eq!(conv, 0);
        let err = cmd("PFDEBUG").arg("DECODE").arg("h").query::<String>(&mut c).unwrap_err();
        assert_eq!(err.detail(), Some("HLL encoding is not sparse"));
        let err = cmd("PFDEBUG").arg("NOPE").arg("h").query::<String>(&mut c).unwrap_err();
        assert_eq!(err.detail(), Some("Unknown PFDEBUG subcommand 'NOPE'"));
        let err = cmd("PFDEBUG").arg("DECODE").arg("nokey").query::<String>(&mut c).unwrap_err();
        assert_eq!(err.detail(), Some("The specified key does not exist"));
        let ok: String = cmd("PFSELFTEST").query(&mut c).unwrap();
        assert_eq!(ok, "OK");
    }
}

#[test]
fn replies_are_integers_in_both_protocols() {
    let srv = common::start();
    let mut raw = srv.raw();
    raw.expect(&common::resp(&[b"PFADD", b"k", b"a"]), b":1\r\n");
    raw.expect(&common::resp(&[b"PFCOUNT", b"k"]), b":1\r\n");
    raw.expect(&common::resp(&[b"PFDEBUG", b"ENCODING", b"k"]), b"+sparse\r\n");
    let mut c = srv.conn3();
    let v: Value = cmd("PFCOUNT").arg("k").query(&mut c).unwrap();
    assert_eq!(v, Value::Int(1));
    let v: Value = cmd("PFMERGE").arg("k2").arg("k").query(&mut c).unwrap();
    assert_eq!(v, Value::Okay);
}
