//! Plain list nodes (Redis 7.0's `quicklist-packed-threshold`, set by DEBUG
//! QUICKLIST-PACKED-THRESHOLD): the subcommand's parsing and errors, and every list command
//! over plain nodes, checked by contents and by the node layout DEBUG OBJECT reports
//! (the `ql_*` numbers are Redis 7.0.15's for the same commands).

mod common;

use common::TestServer;

fn srv() -> TestServer {
    common::start_with(&["--enable-debug-command", "yes"])
}

fn q<T: redis::FromRedisValue>(c: &mut redis::Connection, words: &[&str]) -> T {
    let mut cmd = redis::cmd(words[0]);
    for w in &words[1..] {
        cmd.arg(*w);
    }
    cmd.query(c).unwrap_or_else(|e| panic!("{words:?}: {e}"))
}

fn err(c: &mut redis::Connection, words: &[&str]) -> String {
    let mut cmd = redis::cmd(words[0]);
    for w in &words[1..] {
        cmd.arg(*w);
    }
    match cmd.query::<redis::Value>(c) {
        Err(e) => e.to_string(),
        Ok(v) => panic!("{words:?}: expected an error, got {v:?}"),
    }
}

/// The `ql_*` part of DEBUG OBJECT.
fn ql(c: &mut redis::Connection, key: &str) -> String {
    let line: String = q(c, &["DEBUG", "OBJECT", key]);
    let at = line.find(" ql_nodes:").unwrap_or_else(|| panic!("no ql fields: {line}"));
    line[at + 1..].to_string()
}

fn range(c: &mut redis::Connection, key: &str) -> Vec<String> {
    q(c, &["LRANGE", key, "0", "-1"])
}

#[test]
fn threshold_argument_follows_redis() {
    let s = srv();
    let mut c = s.conn();
    for ok in ["1b", "0", "100mb", "4095mb", "10k", "1B", "", "5"] {
        let r: String = q(&mut c, &["DEBUG", "QUICKLIST-PACKED-THRESHOLD", ok]);
        assert_eq!(r, "OK", "{ok}");
    }
    for bad in ["4gb", "4294967295", "-1", "abc", "1.5"] {
        let e = err(&mut c, &["DEBUG", "QUICKLIST-PACKED-THRESHOLD", bad]);
        assert!(
            e.contains("argument must be a memory value bigger than 1 and smaller than 4gb"),
            "{bad}: {e}"
        );
    }
    let e = err(&mut c, &["DEBUG", "QUICKLIST-PACKED-THRESHOLD"]);
    assert!(e.contains("unknown subcommand or wrong number of arguments"), "{e}");
}

#[test]
fn large_elements_get_plain_nodes() {
    let s = srv();
    let mut c = s.conn();
    let _: () = q(&mut c, &["DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1b"]);
    let x = "x".repeat(100);
    let y = "y".repeat(100);
    let _: i64 = q(&mut c, &["RPUSH", "l", &x, "a", &x, "b", &y]);
    assert_eq!(
        ql(&mut c, "l"),
        "ql_nodes:5 ql_avg_node:1.00 ql_listpack_max:-2 ql_compressed:0 ql_uncompressed_size:302"
    );
    // Back to the default: small elements share a packed node again.
    let _: () = q(&mut c, &["DEBUG", "QUICKLIST-PACKED-THRESHOLD", "0"]);
    let _: i64 = q(&mut c, &["RPUSH", "m", "a", "b", "c"]);
    assert_eq!(
        ql(&mut c, "m"),
        "ql_nodes:1 ql_avg_node:3.00 ql_listpack_max:-2 ql_compressed:0 ql_uncompressed_size:16"
    );
}

#[test]
fn lset_and_linsert_layouts_match_redis() {
    let s = srv();
    let mut c = s.conn();
    let _: () = q(&mut c, &["DEBUG", "QUICKLIST-PACKED-THRESHOLD", "5b"]);
    let _: i64 = q(&mut c, &["RPUSH", "lst", "aa", "bb", "cc", "dd", "ee"]);
    let _: () = q(&mut c, &["LSET", "lst", "2", "eeeeeeeeee"]);
    assert!(ql(&mut c, "lst").starts_with("ql_nodes:3 ql_avg_node:1.67"));
    assert!(ql(&mut c, "lst").ends_with("ql_uncompressed_size:40"));
    let _: () = q(&mut c, &["LSET", "lst", "2", "cc"]);
    assert!(ql(&mut c, "lst").starts_with("ql_nodes:2 ql_avg_node:2.50"));
    let _: () = q(&mut c, &["LSET", "lst", "0", "ppppppp"]);
    let _: () = q(&mut c, &["LSET", "lst", "0", "qqqqqqqq"]);
    assert!(ql(&mut c, "lst").ends_with("ql_uncompressed_size:38"));
    assert_eq!(range(&mut c, "lst"), ["qqqqqqqq", "bb", "cc", "dd", "ee"]);

    let _: i64 = q(&mut c, &["RPUSH", "l2", "aa", "bb"]);
    let _: i64 = q(&mut c, &["LINSERT", "l2", "BEFORE", "aa", "xxxxxx"]);
    let _: i64 = q(&mut c, &["LINSERT", "l2", "AFTER", "bb", "yyyyyy"]);
    assert!(ql(&mut c, "l2").starts_with("ql_nodes:3 "));
    let _: i64 = q(&mut c, &["LINSERT", "l2", "AFTER", "xxxxxx", "s"]);
    assert!(ql(&mut c, "l2").ends_with("ql_uncompressed_size:30"));
    let n: i64 = q(&mut c, &["LINSERT", "l2", "AFTER", "yyyyyy", "t"]);
    assert_eq!(n, 6);
    assert!(ql(&mut c, "l2").starts_with("ql_nodes:4 "));
    assert_eq!(range(&mut c, "l2"), ["xxxxxx", "s", "aa", "bb", "yyyyyy", "t"]);
}

#[test]
fn every_command_over_plain_nodes() {
    let s = srv();
    let mut c = s.conn();
    let _: () = q(&mut c, &["DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1b"]);
    // Integers in plain nodes still compare equal to their string form.
    let _: i64 = q(&mut c, &["RPUSH", "l", "9", "one", "9", "xxxxxxxxxx", "two"]);
    let pos: i64 = q(&mut c, &["LPOS", "l", "9", "RANK", "2"]);
    assert_eq!(pos, 2);
    let n: i64 = q(&mut c, &["LREM", "l", "-1", "9"]);
    assert_eq!(n, 1);
    let n: i64 = q(&mut c, &["LINSERT", "l", "BEFORE", "9", "8"]);
    assert_eq!(n, 5);
    let v: String = q(&mut c, &["LINDEX", "l", "-2"]);
    assert_eq!(v, "xxxxxxxxxx");
    let _: () = q(&mut c, &["LTRIM", "l", "1", "-1"]);
    assert_eq!(range(&mut c, "l"), ["9", "one", "xxxxxxxxxx", "two"]);
    let v: String = q(&mut c, &["LMOVE", "l", "d", "RIGHT", "LEFT"]);
    assert_eq!(v, "two");
    let v: String = q(&mut c, &["LMOVE", "l", "d", "LEFT", "RIGHT"]);
    assert_eq!(v, "9");
    assert_eq!(range(&mut c, "d"), ["two", "9"]);
    assert!(ql(&mut c, "d").starts_with("ql_nodes:2 "));
    let v: Vec<String> = q(&mut c, &["RPOP", "l", "5"]);
    assert_eq!(v, ["xxxxxxxxxx", "one"]);
    let n: i64 = q(&mut c, &["EXISTS", "l"]);
    assert_eq!(n, 0);
}

#[test]
fn compressed_plain_nodes() {
    let s = srv();
    let mut c = s.conn();
    let _: () = q(&mut c, &["CONFIG", "SET", "list-compress-depth", "1"]);
    let _: () = q(&mut c, &["DEBUG", "QUICKLIST-PACKED-THRESHOLD", "100b"]);
    // Redis's "Crash due to delete entry from a compress quicklist node".
    let small = "x".repeat(32);
    let large = "x".repeat(100);
    let _: i64 = q(&mut c, &["RPUSH", "lst", &large, &small, &small]);
    let _: () = q(&mut c, &["LSET", "lst", "-1", &large]);
    assert_eq!(range(&mut c, "lst"), [large.clone(), small.clone(), large.clone()]);
    assert_eq!(
        ql(&mut c, "lst"),
        "ql_nodes:3 ql_avg_node:1.00 ql_listpack_max:-2 ql_compressed:1 ql_uncompressed_size:241"
    );
    let mut want = Vec::new();
    for ch in ["a", "b", "c", "d", "e"] {
        let v = ch.repeat(500);
        let _: i64 = q(&mut c, &["RPUSH", "big", &v]);
        want.push(v);
    }
    assert_eq!(range(&mut c, "big"), want);
    let v: String = q(&mut c, &["LINDEX", "big", "2"]);
    assert_eq!(v, want[2]);
}

/// DEBUG OBJECT's serializedlength for lists is the RDB quicklist-2 size: node count,
/// containers, plain elements and listpacks saved as strings (Redis 7.0.15's numbers).
#[test]
fn serialized_length_of_lists() {
    let s = srv();
    let mut c = s.conn();
    let sl = |c: &mut redis::Connection, key: &str| -> String {
        let line: String = q(c, &["DEBUG", "OBJECT", key]);
        line.split(' ').find(|w| w.starts_with("serializedlength:")).unwrap().to_string()
    };
    let _: () = q(&mut c, &["DEBUG", "QUICKLIST-PACKED-THRESHOLD", "50b"]);
    let (x, y) = ("x".repeat(100), "y".repeat(60));
    let _: i64 = q(&mut c, &["RPUSH", "l2", &x, "a", "12345", "b", &y, "1234567890123"]);
    let _: i64 = q(&mut c, &["RPUSH", "l3", "a", "b", "c", "7"]);
    let _: i64 = q(&mut c, &["RPUSH", "l4", "12"]);
    let _: () = q(&mut c, &["DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1b"]);
    let _: i64 = q(&mut c, &["RPUSH", "l5", "12", "123456789012"]);
    assert_eq!(sl(&mut c, "l2"), "serializedlength:66");
    assert_eq!(sl(&mut c, "l3"), "serializedlength:21");
    assert_eq!(sl(&mut c, "l4"), "serializedlength:12");
    assert_eq!(sl(&mut c, "l5"), "serializedlength:18");
}

#[test]
fn sort_store_uses_the_threshold() {
    let s = srv();
    let mut c = s.conn();
    let _: i64 = q(&mut c, &["RPUSH", "s", "3", "1", "2"]);
    let _: () = q(&mut c, &["DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1b"]);
    let n: i64 = q(&mut c, &["SORT", "s", "STORE", "d"]);
    assert_eq!(n, 3);
    assert!(ql(&mut c, "d").starts_with("ql_nodes:3 "), "{}", ql(&mut c, "d"));
    assert_eq!(range(&mut c, "d"), ["1", "2", "3"]);
}
