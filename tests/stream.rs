//! Streams through the `redis` crate in RESP2 and RESP3: entries, ranges, XREAD shapes, and a
//! consumer-group life cycle across two connections. Byte-exact replies against redis-server
//! are in tests/diff/stream.txt.

mod common;

use redis::{cmd, Connection, Value};

fn b(s: &str) -> Value {
    Value::BulkString(s.as_bytes().to_vec())
}

fn entry(id: &str, fields: &[&str]) -> Value {
    Value::Array(vec![b(id), Value::Array(fields.iter().map(|f| b(f)).collect())])
}

fn xadd(c: &mut Connection, key: &str, id: &str, fields: &[&str]) -> String {
    cmd("XADD").arg(key).arg(id).arg(fields).query(c).unwrap()
}

#[test]
fn add_range_and_delete() {
    let srv = common::start();
    for mut c in srv.conns() {
        let _: () = cmd("FLUSHALL").query(&mut c).unwrap();
        assert_eq!(xadd(&mut c, "s", "1-1", &["a", "1", "b", "2"]), "1-1");
        assert_eq!(xadd(&mut c, "s", "1-*", &["a", "3"]), "1-2");
        assert_eq!(xadd(&mut c, "s", "5", &["c", "4"]), "5-0");
        let auto = xadd(&mut c, "s", "*", &["d", "5"]);
        assert!(auto.ends_with("-0"), "auto id {auto}");
        let err = cmd("XADD").arg("s").arg("5-0").arg("x").arg("y").query::<String>(&mut c);
        assert!(err
            .unwrap_err()
            .to_string()
            .contains("equal or smaller than the target stream top item"));
        let n: i64 = cmd("XLEN").arg("s").query(&mut c).unwrap();
        assert_eq!(n, 4);
        let v: Value = cmd("XRANGE").arg("s").arg("-").arg("(5-0").query(&mut c).unwrap();
        assert_eq!(
            v,
            Value::Array(vec![entry("1-1", &["a", "1", "b", "2"]), entry("1-2", &["a", "3"])])
        );
        let v: Value =
            cmd("XREVRANGE").arg("s").arg("5").arg("-").arg("COUNT").arg(1).query(&mut c).unwrap();
        assert_eq!(v, Value::Array(vec![entry("5-0", &["c", "4"])]));
        let d: i64 = cmd("XDEL").arg("s").arg("1-2").arg("9-9").query(&mut c).unwrap();
        assert_eq!(d, 1);
        let t: i64 = cmd("XTRIM").arg("s").arg("MAXLEN").arg(1).query(&mut c).unwrap();
        assert_eq!(t, 2);
        let ty: String = cmd("TYPE").arg("s").query(&mut c).unwrap();
        assert_eq!(ty, "stream");
    }
}

#[test]
fn xread_shape_per_protocol() {
    let srv = common::start();
    let mut c2 = srv.conn();
    let _: () = cmd("FLUSHALL").query(&mut c2).unwrap();
    xadd(&mut c2, "s", "1-1", &["f", "v"]);
    let v: Value =
        cmd("XREAD").arg("STREAMS").arg("s").arg("nokey").arg(0).arg(0).query(&mut c2).unwrap();
    assert_eq!(
        v,
        Value::Array(vec![Value::Array(vec![
            b("s"),
            Value::Array(vec![entry("1-1", &["f", "v"])])
        ])])
    );
    let mut c3 = srv.conn3();
    let v: Value = cmd("XREAD").arg("STREAMS").arg("s").arg(0).query(&mut c3).unwrap();
    assert_eq!(v, Value::Map(vec![(b("s"), Value::Array(vec![entry("1-1", &["f", "v"])]))]));
    let v: Value = cmd("XREAD").arg("STREAMS").arg("s").arg("$").query(&mut c3).unwrap();
    assert_eq!(v, Value::Nil);
    let mut raw = srv.raw();
    raw.expect(&common::resp(&[b"XREAD", b"STREAMS", b"s", b"$"]), b"*-1\r\n");
}

#[test]
fn consumer_group_life_cycle_across_connections() {
    let srv = common::start();
    let mut producer = srv.conn();
    let mut worker = srv.conn3();
    let _: () = cmd("FLUSHALL").query(&mut producer).unwrap();
    let ok: String = cmd("XGROUP")
        .arg("CREATE")
        .arg("jobs")
        .arg("workers")
        .arg("$")
        .arg("MKSTREAM")
        .query(&mut producer)
        .unwrap();
    assert_eq!(ok, "OK");
    for i in 1..=3 {
        xadd(&mut producer, "jobs", &format!("{i}-0"), &["job", &i.to_string()]);
    }
    // Worker A takes two, worker B the third.
    let v: Value = cmd("XREADGROUP")
        .arg("GROUP")
        .arg("workers")
        .arg("a")
        .arg("COUNT")
        .arg(2)
        .arg("STREAMS")
        .arg("jobs")
        .arg(">")
        .query(&mut worker)
        .unwrap();
    assert_eq!(
        v,
        Value::Map(vec![(
            b("jobs"),
            Value::Array(vec![entry("1-0", &["job", "1"]), entry("2-0", &["job", "2"])])
        )])
    );
    let v: Value = cmd("XREADGROUP")
        .arg("GROUP")
        .arg("workers")
        .arg("b")
        .arg("STREAMS")
        .arg("jobs")
        .arg(">")
        .query(&mut producer)
        .unwrap();
    assert_eq!(
        v,
        Value::Array(vec![Value::Array(vec![
            b("jobs"),
            Value::Array(vec![entry("3-0", &["job", "3"])])
        ])])
    );
    // Pending summary, then A acknowledges one.
    let v: Value = cmd("XPENDING").arg("jobs").arg("workers").query(&mut producer).unwrap();
    assert_eq!(
        v,
        Value::Array(vec![
            Value::Int(3),
            b("1-0"),
            b("3-0"),
            Value::Array(vec![
                Value::Array(vec![b("a"), b("2")]),
                Value::Array(vec![b("b"), b("1")]),
            ]),
        ])
    );
    let n: i64 =
        cmd("XACK").arg("jobs").arg("workers").arg("1-0").arg("1-0").query(&mut worker).unwrap();
    assert_eq!(n, 1);
    // B claims A's remaining entry; the delivery count goes up.
    let v: Value = cmd("XCLAIM")
        .arg("jobs")
        .arg("workers")
        .arg("b")
        .arg(0)
        .arg("2-0")
        .query(&mut producer)
        .unwrap();
    assert_eq!(v, Value::Array(vec![entry("2-0", &["job", "2"])]));
    let v: Value = cmd("XPENDING")
        .arg("jobs")
        .arg("workers")
        .arg("-")
        .arg("+")
        .arg(10)
        .query(&mut producer)
        .unwrap();
    let Value::Array(rows) = v else { panic!("{v:?}") };
    assert_eq!(rows.len(), 2);
    let Value::Array(first) = &rows[0] else { panic!() };
    assert_eq!(first[0], b("2-0"));
    assert_eq!(first[1], b("b"));
    assert_eq!(first[3], Value::Int(2));
    // A deleted entry is reported by XAUTOCLAIM and leaves the PEL.
    let _: i64 = cmd("XDEL").arg("jobs").arg("3-0").query(&mut producer).unwrap();
    let v: Value = cmd("XAUTOCLAIM")
        .arg("jobs")
        .arg("workers")
        .arg("a")
        .arg(0)
        .arg("0")
        .query(&mut producer)
        .unwrap();
    assert_eq!(
        v,
        Value::Array(vec![
            b("0-0"),
            Value::Array(vec![entry("2-0", &["job", "2"])]),
            Value::Array(vec![b("3-0")])
        ])
    );
    // History read: A's own pending entries after an ID.
    let v: Value = cmd("XREADGROUP")
        .arg("GROUP")
        .arg("workers")
        .arg("a")
        .arg("STREAMS")
        .arg("jobs")
        .arg("0")
        .query(&mut producer)
        .unwrap();
    assert_eq!(
        v,
        Value::Array(vec![Value::Array(vec![
            b("jobs"),
            Value::Array(vec![entry("2-0", &["job", "2"])])
        ])])
    );
    let err = cmd("XREADGROUP")
        .arg("GROUP")
        .arg("nogroup")
        .arg("a")
        .arg("STREAMS")
        .arg("jobs")
        .arg(">")
        .query::<Value>(&mut producer)
        .unwrap_err();
    assert_eq!(err.code(), Some("NOGROUP"));
}

#[test]
fn xinfo_reports_groups_and_lag() {
    let srv = common::start();
    for mut c in srv.conns() {
        let _: () = cmd("FLUSHALL").query(&mut c).unwrap();
        for i in 1..=3 {
            xadd(&mut c, "s", &format!("{i}-1"), &["a", "1"]);
        }
        let _: String =
            cmd("XGROUP").arg("CREATE").arg("s").arg("g").arg("0").query(&mut c).unwrap();
        let _: Value = cmd("XREADGROUP")
            .arg("GROUP")
            .arg("g")
            .arg("c")
            .arg("COUNT")
            .arg(1)
            .arg("STREAMS")
            .arg("s")
            .arg(">")
            .query(&mut c)
            .unwrap();
        let groups: Vec<std::collections::HashMap<String, Value>> =
            cmd("XINFO").arg("GROUPS").arg("s").query(&mut c).unwrap();
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0]["entries-read"], Value::Int(1));
        assert_eq!(groups[0]["lag"], Value::Int(2));
        assert_eq!(groups[0]["pending"], Value::Int(1));
        let info: std::collections::HashMap<String, Value> =
            cmd("XINFO").arg("STREAM").arg("s").query(&mut c).unwrap();
        assert_eq!(info["length"], Value::Int(3));
        assert_eq!(info["entries-added"], Value::Int(3));
        assert_eq!(info["last-entry"], entry("3-1", &["a", "1"]));
    }
}

#[test]
fn blocking_reads_are_woken_by_xadd() {
    let srv = common::start();
    let mut producer = srv.conn();
    let _: () = cmd("FLUSHALL").query(&mut producer).unwrap();
    xadd(&mut producer, "s", "1-1", &["old", "1"]);
    let _: String =
        cmd("XGROUP").arg("CREATE").arg("s").arg("g").arg("$").query(&mut producer).unwrap();
    let url = srv.url();
    let reader = std::thread::spawn(move || {
        let mut c = redis::Client::open(url).unwrap().get_connection().unwrap();
        let v: Value = cmd("XREAD")
            .arg("BLOCK")
            .arg(5000)
            .arg("STREAMS")
            .arg("s")
            .arg("$")
            .query(&mut c)
            .unwrap();
        v
    });
    let url = srv.url();
    let group_reader = std::thread::spawn(move || {
        let mut c =
            redis::Client::open(format!("{url}?protocol=resp3")).unwrap().get_connection().unwrap();
        let v: Value = cmd("XREADGROUP")
            .arg("GROUP")
            .arg("g")
            .arg("w")
            .arg("BLOCK")
            .arg(5000)
            .arg("STREAMS")
            .arg("s")
            .arg(">")
            .query(&mut c)
            .unwrap();
        v
    });
    // Give both readers time to park (a late reader would time out and fail, not hang).
    std::thread::sleep(std::time::Duration::from_millis(300));
    xadd(&mut producer, "s", "2-1", &["new", "2"]);
    assert_eq!(
        reader.join().unwrap(),
        Value::Array(vec![Value::Array(vec![
            b("s"),
            Value::Array(vec![entry("2-1", &["new", "2"])])
        ])])
    );
    assert_eq!(
        group_reader.join().unwrap(),
        Value::Map(vec![(b("s"), Value::Array(vec![entry("2-1", &["new", "2"])]))])
    );
    let v: Value = cmd("XPENDING").arg("s").arg("g").query(&mut producer).unwrap();
    let Value::Array(summary) = v else { panic!() };
    assert_eq!(summary[0], Value::Int(1));
    // A timeout answers with a null array.
    let v: Value = cmd("XREAD")
        .arg("BLOCK")
        .arg(50)
        .arg("STREAMS")
        .arg("s")
        .arg("$")
        .query(&mut producer)
        .unwrap();
    assert_eq!(v, Value::Nil);
    let mut raw = srv.raw();
    raw.expect(&common::resp(&[b"XREAD", b"BLOCK", b"30", b"STREAMS", b"s", b"$"]), b"*-1\r\n");
}
