//! SORT and SORT_RO in RESP2 and RESP3, checked against the replies Redis 7.0.15 gives.

mod common;

use common::{exp, raw, Raw, TestServer};

fn both(srv: &TestServer, f: impl Fn(&mut Raw, bool)) {
    for resp3 in [false, true] {
        let mut c = raw(srv, resp3);
        exp(&mut c, &["FLUSHALL"], "+OK\r\n");
        f(&mut c, resp3);
    }
}

fn arr(items: &[Option<&str>], resp3: bool) -> String {
    let mut out = format!("*{}\r\n", items.len());
    for it in items {
        match it {
            Some(s) => out.push_str(&format!("${}\r\n{s}\r\n", s.len())),
            None => out.push_str(if resp3 { "_\r\n" } else { "$-1\r\n" }),
        }
    }
    out
}

fn some<'a>(v: &[&'a str]) -> Vec<Option<&'a str>> {
    v.iter().map(|s| Some(*s)).collect()
}

#[test]
fn sorts_sorted_sets_by_value_and_keeps_native_order_with_nosort() {
    let srv = common::start();
    both(&srv, |c, r3| {
        exp(c, &["ZADD", "z", "1", "30", "2", "10", "3", "20"], ":3\r\n");
        exp(c, &["OBJECT", "ENCODING", "z"], "$8\r\nlistpack\r\n");
        exp(c, &["SORT", "z"], &arr(&some(&["10", "20", "30"]), r3));
        // SORT converts a compact sorted set, as Redis does.
        exp(c, &["OBJECT", "ENCODING", "z"], "$8\r\nskiplist\r\n");
        exp(c, &["SORT", "z", "DESC", "LIMIT", "1", "5"], &arr(&some(&["20", "10"]), r3));
        exp(c, &["SORT", "z", "BY", "nosort"], &arr(&some(&["30", "10", "20"]), r3));
        exp(c, &["SORT", "z", "BY", "nosort", "DESC", "LIMIT", "1", "1"], &arr(&some(&["10"]), r3));
        exp(c, &["SORT", "z", "ALPHA", "LIMIT", "0", "0"], "*0\r\n");
        exp(c, &["SORT", "z", "LIMIT", "-3", "2"], &arr(&some(&["10", "20"]), r3));
        exp(c, &["SORT", "z", "LIMIT", "7", "2"], "*0\r\n");
        exp(
            c,
            &["SORT", "z", "GET", "#", "GET", "nostar"],
            &arr(&[Some("10"), None, Some("20"), None, Some("30"), None], r3),
        );
        exp(c, &["SORT", "z", "BY", "missing_*"], &arr(&some(&["10", "20", "30"]), r3));
        exp(c, &["ZADD", "w", "1", "b", "2", "a", "3", "c"], ":3\r\n");
        exp(c, &["SORT", "w"], "-ERR One or more scores can't be converted into double\r\n");
        exp(c, &["SORT", "w", "ALPHA", "DESC"], &arr(&some(&["c", "b", "a"]), r3));
        exp(c, &["SORT_RO", "w", "ALPHA"], &arr(&some(&["a", "b", "c"]), r3));
    });
}

#[test]
fn option_errors_and_missing_keys() {
    let srv = common::start();
    both(&srv, |c, _| {
        exp(c, &["SORT", "nokey"], "*0\r\n");
        exp(c, &["SORT", "nokey", "STORE", "d"], ":0\r\n");
        exp(c, &["SORT", "nokey", "LIMIT", "1"], "-ERR syntax error\r\n");
        exp(
            c,
            &["SORT", "nokey", "LIMIT", "a", "1"],
            "-ERR value is not an integer or out of range\r\n",
        );
        exp(c, &["SORT", "nokey", "FOO"], "-ERR syntax error\r\n");
        exp(c, &["SORT", "nokey", "GET"], "-ERR syntax error\r\n");
        exp(c, &["SORT_RO", "nokey", "STORE", "d"], "-ERR syntax error\r\n");
        exp(c, &["SORT"], "-ERR wrong number of arguments for 'sort' command\r\n");
        exp(c, &["PFADD", "s", "x"], ":1\r\n");
        exp(
            c,
            &["SORT", "s"],
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
        );
    });
}

#[test]
fn lists_sets_and_external_keys() {
    let srv = common::start();
    both(&srv, |c, r3| {
        exp(c, &["RPUSH", "l", "3", "1", "2", "10"], ":4\r\n");
        exp(c, &["SORT", "l"], &arr(&some(&["1", "2", "3", "10"]), r3));
        exp(c, &["SORT", "l", "ALPHA"], &arr(&some(&["1", "10", "2", "3"]), r3));
        exp(
            c,
            &["SORT", "l", "BY", "nosort", "DESC", "LIMIT", "1", "2"],
            &arr(&some(&["2", "1"]), r3),
        );
        exp(c, &["SADD", "s", "b", "c", "a"], ":3\r\n");
        exp(c, &["SORT", "s", "ALPHA", "DESC"], &arr(&some(&["c", "b", "a"]), r3));
        // A set stored without sorting is sorted by bytes, so the result is stable.
        exp(c, &["SORT", "s", "BY", "nosort", "STORE", "dst"], ":3\r\n");
        exp(c, &["LRANGE", "dst", "0", "-1"], &arr(&some(&["a", "b", "c"]), r3));
        exp(c, &["TYPE", "dst"], "+list\r\n");
        exp(c, &["MSET", "w_1", "30", "w_2", "20", "w_3", "10", "v_1", "one"], "+OK\r\n");
        exp(c, &["HSET", "h_1", "f", "b"], ":1\r\n");
        exp(c, &["HSET", "h_3", "f", "a"], ":1\r\n");
        exp(c, &["HSET", "h_2", "f", "c"], ":1\r\n");
        exp(c, &["SORT", "l", "BY", "w_*", "LIMIT", "0", "3"], &arr(&some(&["10", "3", "2"]), r3));
        exp(
            c,
            &["SORT", "l", "BY", "h_*->f", "ALPHA", "GET", "#", "GET", "v_*", "GET", "h_*->f"],
            &arr(
                &[
                    Some("10"),
                    None,
                    None,
                    Some("3"),
                    None,
                    Some("a"),
                    Some("1"),
                    Some("one"),
                    Some("b"),
                    Some("2"),
                    None,
                    Some("c"),
                ],
                r3,
            ),
        );
        exp(c, &["SORT", "l", "BY", "w_*", "GET", "v_*", "STORE", "dst"], ":4\r\n");
        exp(c, &["LRANGE", "dst", "0", "-1"], &arr(&some(&["", "", "", "one"]), r3));
        exp(c, &["SORT", "l", "LIMIT", "0", "0", "STORE", "dst"], ":0\r\n");
        exp(c, &["EXISTS", "dst"], ":0\r\n");
        exp(
            c,
            &["SORT", "h_1"],
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
        );
    });
}
