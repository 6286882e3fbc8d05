//! Sorted set family, in RESP2 and RESP3, checked against the replies Redis 7.0.15 gives
//! byte for byte; encoding conversions at each threshold; a randomized comparison of both
//! encodings against a model.

mod common;

use std::time::Duration;

use common::{exp, raw, resp, Raw, TestServer};

/// Run `f` once per protocol on a fresh connection and an empty server.
fn both(srv: &TestServer, f: impl Fn(&mut Raw, bool)) {
    for resp3 in [false, true] {
        let mut c = raw(srv, resp3);
        exp(&mut c, &["FLUSHALL"], "+OK\r\n");
        f(&mut c, resp3);
    }
}

fn pick<'a>(resp3: bool, r2: &'a str, r3: &'a str) -> &'a str {
    if resp3 {
        r3
    } else {
        r2
    }
}

/// `score` as a RESP2 bulk string or a RESP3 double.
fn dbl(resp3: bool, s: &str) -> String {
    if resp3 {
        format!(",{s}\r\n")
    } else {
        format!("${}\r\n{s}\r\n", s.len())
    }
}

fn bulk(s: &str) -> String {
    format!("${}\r\n{s}\r\n", s.len())
}

/// A WITHSCORES reply: flat in RESP2, pairs in RESP3.
fn scored(resp3: bool, items: &[(&str, &str)]) -> String {
    let mut out =
        if resp3 { format!("*{}\r\n", items.len()) } else { format!("*{}\r\n", items.len() * 2) };
    for (m, s) in items {
        if resp3 {
            out.push_str("*2\r\n");
        }
        out.push_str(&bulk(m));
        out.push_str(&dbl(resp3, s));
    }
    out
}

fn members(items: &[&str]) -> String {
    let mut out = format!("*{}\r\n", items.len());
    for m in items {
        out.push_str(&bulk(m));
    }
    out
}

const WRONGTYPE: &str = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";

#[test]
fn zadd_flags_counts_and_errors() {
    let srv = common::start();
    both(&srv, |c, r3| {
        exp(c, &["ZADD", "z", "1", "a", "2", "b", "3", "c"], ":3\r\n");
        exp(c, &["ZADD", "z", "10", "a"], ":0\r\n");
        exp(c, &["ZADD", "z", "CH", "10", "a", "20", "b", "30", "d"], ":2\r\n");
        exp(c, &["ZADD", "z", "NX", "100", "a", "5", "e"], ":1\r\n");
        exp(c, &["ZADD", "z", "XX", "CH", "100", "a", "5", "f"], ":1\r\n");
        exp(c, &["ZSCORE", "z", "f"], pick(r3, "$-1\r\n", "_\r\n"));
        exp(c, &["ZADD", "z", "GT", "CH", "50", "a"], ":0\r\n");
        exp(c, &["ZADD", "z", "GT", "CH", "150", "a"], ":1\r\n");
        exp(c, &["ZADD", "z", "LT", "CH", "200", "a", "1", "c"], ":1\r\n");
        exp(c, &["ZADD", "z", "INCR", "5", "a"], &dbl(r3, "155"));
        exp(c, &["ZADD", "z", "INCR", "NX", "5", "a"], pick(r3, "$-1\r\n", "_\r\n"));
        exp(c, &["ZADD", "z", "INCR", "GT", "-5", "a"], pick(r3, "$-1\r\n", "_\r\n"));
        exp(c, &["ZADD", "z", "INCR", "LT", "-5", "a"], &dbl(r3, "150"));
        exp(c, &["ZADD", "nokey", "XX", "1", "a"], ":0\r\n");
        exp(c, &["EXISTS", "nokey"], ":0\r\n");
        exp(
            c,
            &["ZADD", "z", "NX", "XX", "1", "a"],
            "-ERR XX and NX options at the same time are not compatible\r\n",
        );
        for opts in [["GT", "LT"], ["GT", "NX"], ["NX", "LT"]] {
            exp(
                c,
                &["ZADD", "z", opts[0], opts[1], "1", "a"],
                "-ERR GT, LT, and/or NX options at the same time are not compatible\r\n",
            );
        }
        exp(
            c,
            &["ZADD", "z", "INCR", "1", "a", "2", "b"],
            "-ERR INCR option supports a single increment-element pair\r\n",
        );
        exp(c, &["ZADD", "z", "1", "a", "2"], "-ERR syntax error\r\n");
        exp(c, &["ZADD", "z", "xx", "ch"], "-ERR syntax error\r\n");
        exp(c, &["ZADD", "z", "nan", "a"], "-ERR value is not a valid float\r\n");
        exp(c, &["ZADD", "z", "1", "a", "x", "b"], "-ERR value is not a valid float\r\n");
        exp(c, &["ZADD", "z", "1"], "-ERR wrong number of arguments for 'zadd' command\r\n");
        exp(c, &["ZADD", "i", "inf", "a"], ":1\r\n");
        exp(
            c,
            &["ZADD", "i", "INCR", "-inf", "a"],
            "-ERR resulting score is not a number (NaN)\r\n",
        );
        exp(c, &["ZINCRBY", "i", "-inf", "a"], "-ERR resulting score is not a number (NaN)\r\n");
        exp(c, &["ZSCORE", "i", "a"], &dbl(r3, "inf"));
        exp(c, &["PFADD", "s", "x"], ":1\r\n");
        exp(c, &["ZADD", "s", "1", "a"], WRONGTYPE);
    });
}

#[test]
fn scores_are_formatted_like_redis() {
    let srv = common::start();
    both(&srv, |c, r3| {
        exp(
            c,
            &["ZADD", "z", "0.1", "a", "1e17", "b", "1.5", "c", "-inf", "d", "0x10", "e"],
            ":5\r\n",
        );
        exp(c, &["ZSCORE", "z", "a"], &dbl(r3, "0.10000000000000001"));
        exp(c, &["ZSCORE", "z", "b"], &dbl(r3, "1e+17"));
        exp(c, &["ZSCORE", "z", "e"], &dbl(r3, "16"));
        exp(
            c,
            &["ZRANGE", "z", "0", "-1", "WITHSCORES"],
            &scored(
                r3,
                &[
                    ("d", "-inf"),
                    ("a", "0.10000000000000001"),
                    ("c", "1.5"),
                    ("e", "16"),
                    ("b", "1e+17"),
                ],
            ),
        );
        // ZSCAN scores are bulk strings in both protocols; the compact encoding prints
        // integral scores as integers.
        exp(
            c,
            &["ZSCAN", "z", "0", "MATCH", "[bc]"],
            "*2\r\n$1\r\n0\r\n*4\r\n$1\r\nc\r\n$3\r\n1.5\r\n$1\r\nb\r\n$18\r\n100000000000000000\r\n",
        );
        exp(c, &["ZINCRBY", "y", "0.1", "m"], &dbl(r3, "0.10000000000000001"));
        exp(c, &["ZINCRBY", "y", "0.2", "m"], &dbl(r3, "0.30000000000000004"));
        exp(
            c,
            &["ZMSCORE", "z", "c", "nope"],
            &format!("*2\r\n{}{}", dbl(r3, "1.5"), pick(r3, "$-1\r\n", "_\r\n")),
        );
    });
}

#[test]
fn counts_ranks_and_removal() {
    let srv = common::start();
    both(&srv, |c, r3| {
        exp(c, &["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"], ":5\r\n");
        exp(c, &["ZCARD", "z"], ":5\r\n");
        exp(c, &["ZCARD", "nokey"], ":0\r\n");
        exp(c, &["ZCOUNT", "z", "(2", "4"], ":2\r\n");
        exp(c, &["ZCOUNT", "z", "4", "2"], ":0\r\n");
        exp(c, &["ZCOUNT", "z", "a", "1"], "-ERR min or max is not a float\r\n");
        exp(c, &["ZLEXCOUNT", "z", "[b", "(d"], ":2\r\n");
        exp(c, &["ZLEXCOUNT", "z", "b", "d"], "-ERR min or max not valid string range item\r\n");
        exp(c, &["ZRANK", "z", "c"], ":2\r\n");
        exp(c, &["ZREVRANK", "z", "c"], ":2\r\n");
        exp(c, &["ZREVRANK", "z", "a"], ":4\r\n");
        exp(c, &["ZRANK", "z", "x"], pick(r3, "$-1\r\n", "_\r\n"));
        // Redis 7.2's WITHSCORE.
        exp(c, &["ZRANK", "z", "b", "WITHSCORE"], &format!("*2\r\n:1\r\n{}", dbl(r3, "2")));
        exp(c, &["ZRANK", "z", "x", "WITHSCORE"], pick(r3, "*-1\r\n", "_\r\n"));
        exp(c, &["ZRANK", "z", "b", "FOO"], "-ERR syntax error\r\n");
        exp(c, &["ZREM", "z", "a", "x", "a"], ":1\r\n");
        exp(c, &["ZREMRANGEBYRANK", "z", "-1", "-1"], ":1\r\n");
        exp(c, &["ZREMRANGEBYSCORE", "z", "(2", "+inf"], ":2\r\n");
        exp(c, &["ZREMRANGEBYLEX", "z", "-", "+"], ":1\r\n");
        exp(c, &["EXISTS", "z"], ":0\r\n");
        exp(
            c,
            &["ZREMRANGEBYRANK", "z", "a", "1"],
            "-ERR value is not an integer or out of range\r\n",
        );
    });
}

#[test]
fn range_commands_and_their_option_errors() {
    let srv = common::start();
    both(&srv, |c, r3| {
        exp(c, &["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"], ":4\r\n");
        exp(c, &["ZRANGE", "z", "1", "2"], &members(&["b", "c"]));
        exp(c, &["ZRANGE", "z", "0", "0", "REV", "WITHSCORES"], &scored(r3, &[("d", "4")]));
        exp(c, &["ZREVRANGE", "z", "0", "1"], &members(&["d", "c"]));
        exp(c, &["ZRANGE", "z", "(1", "3", "BYSCORE"], &members(&["b", "c"]));
        exp(c, &["ZRANGE", "z", "3", "(1", "BYSCORE", "REV"], &members(&["c", "b"]));
        exp(
            c,
            &["ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "1", "2"],
            &members(&["b", "c"]),
        );
        exp(c, &["ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "-1", "2"], "*0\r\n");
        exp(
            c,
            &["ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "2", "-1"],
            &members(&["c", "d"]),
        );
        exp(
            c,
            &["ZRANGEBYSCORE", "z", "2", "3", "WITHSCORES"],
            &scored(r3, &[("b", "2"), ("c", "3")]),
        );
        exp(c, &["ZREVRANGEBYSCORE", "z", "+inf", "-inf", "LIMIT", "0", "1"], &members(&["d"]));
        exp(c, &["ZRANGEBYLEX", "z", "(a", "[c"], &members(&["b", "c"]));
        exp(c, &["ZREVRANGEBYLEX", "z", "+", "-", "LIMIT", "1", "1"], &members(&["c"]));
        exp(c, &["ZRANGE", "z", "[b", "+", "BYLEX", "REV"], "*0\r\n");
        exp(c, &["ZRANGE", "z", "+", "[b", "BYLEX", "REV"], &members(&["d", "c", "b"]));
        exp(
            c,
            &["ZRANGE", "z", "0", "1", "LIMIT", "0", "1"],
            "-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n",
        );
        exp(
            c,
            &["ZRANGEBYLEX", "z", "-", "+", "WITHSCORES"],
            "-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n",
        );
        exp(c, &["ZRANGEBYSCORE", "z", "0", "1", "REV"], "-ERR syntax error\r\n");
        exp(c, &["ZRANGE", "z", "0", "1", "BYSCORE", "BYLEX"], "-ERR syntax error\r\n");
        exp(c, &["ZRANGE", "z", "0", "-1", "LIMIT", "1"], "-ERR syntax error\r\n");
        exp(c, &["ZRANGESTORE", "d", "z", "1", "2"], ":2\r\n");
        exp(c, &["ZRANGE", "d", "0", "-1", "WITHSCORES"], &scored(r3, &[("b", "2"), ("c", "3")]));
        exp(c, &["ZRANGESTORE", "d", "z", "3", "2", "BYSCORE", "REV"], ":2\r\n");
        exp(c, &["ZRANGE", "d", "0", "-1"], &members(&["b", "c"]));
        exp(c, &["ZRANGESTORE", "d", "z", "0", "1", "WITHSCORES"], "-ERR syntax error\r\n");
        exp(c, &["ZRANGESTORE", "d", "z", "10", "20"], ":0\r\n");
        exp(c, &["EXISTS", "d"], ":0\r\n");
        exp(c, &["PFADD", "s", "x"], ":1\r\n");
        exp(c, &["ZRANGE", "s", "0", "-1"], WRONGTYPE);
        exp(c, &["ZRANGE", "nokey", "0", "-1"], "*0\r\n");
    });
}

#[test]
fn pops_in_both_protocols() {
    let srv = common::start();
    both(&srv, |c, r3| {
        exp(c, &["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"], ":4\r\n");
        // Without a count the reply is flat in both protocols.
        exp(c, &["ZPOPMIN", "z"], &format!("*2\r\n$1\r\na\r\n{}", dbl(r3, "1")));
        let two = if r3 {
            format!("*1\r\n*2\r\n$1\r\nd\r\n{}", dbl(true, "4"))
        } else {
            format!("*2\r\n$1\r\nd\r\n{}", dbl(false, "4"))
        };
        exp(c, &["ZPOPMAX", "z", "1"], &two);
        exp(c, &["ZPOPMIN", "z", "0"], "*0\r\n");
        exp(c, &["ZPOPMIN", "z", "-1"], "-ERR value is out of range, must be positive\r\n");
        exp(c, &["ZPOPMIN", "z", "1", "2"], "-ERR syntax error\r\n");
        exp(c, &["ZPOPMIN", "nokey"], "*0\r\n");
        exp(
            c,
            &["ZMPOP", "2", "nokey", "z", "MAX", "COUNT", "5"],
            &format!(
                "*2\r\n$1\r\nz\r\n*2\r\n*2\r\n$1\r\nc\r\n{}*2\r\n$1\r\nb\r\n{}",
                dbl(r3, "3"),
                dbl(r3, "2")
            ),
        );
        exp(c, &["EXISTS", "z"], ":0\r\n");
        exp(c, &["ZMPOP", "1", "z", "MIN"], pick(r3, "*-1\r\n", "_\r\n"));
        exp(c, &["ZMPOP", "0", "z", "MIN"], "-ERR numkeys should be greater than 0\r\n");
        exp(
            c,
            &["ZMPOP", "1", "z", "MIN", "COUNT", "0"],
            "-ERR count should be greater than 0\r\n",
        );
        exp(c, &["ZMPOP", "1", "z", "LEFT"], "-ERR syntax error\r\n");
        exp(c, &["ZMPOP", "3", "z", "MIN"], "-ERR syntax error\r\n");
    });
}

#[test]
fn set_operations_with_weights_and_aggregates() {
    let srv = common::start();
    both(&srv, |c, r3| {
        exp(c, &["ZADD", "a", "1", "x", "2", "y", "3", "z"], ":3\r\n");
        exp(c, &["ZADD", "b", "10", "y", "20", "z", "30", "w"], ":3\r\n");
        exp(
            c,
            &["ZUNION", "2", "a", "b", "WEIGHTS", "2", "1", "WITHSCORES"],
            &scored(r3, &[("x", "2"), ("y", "14"), ("z", "26"), ("w", "30")]),
        );
        exp(
            c,
            &["ZINTER", "2", "a", "b", "AGGREGATE", "MAX", "WITHSCORES"],
            &scored(r3, &[("y", "10"), ("z", "20")]),
        );
        exp(c, &["ZDIFF", "2", "a", "b", "WITHSCORES"], &scored(r3, &[("x", "1")]));
        exp(c, &["ZUNIONSTORE", "d", "2", "a", "b", "AGGREGATE", "MIN"], ":4\r\n");
        exp(
            c,
            &["ZRANGE", "d", "0", "-1", "WITHSCORES"],
            &scored(r3, &[("x", "1"), ("y", "2"), ("z", "3"), ("w", "30")]),
        );
        exp(c, &["ZINTERSTORE", "d", "2", "a", "nokey"], ":0\r\n");
        exp(c, &["EXISTS", "d"], ":0\r\n");
        exp(c, &["ZDIFFSTORE", "d", "1", "a"], ":3\r\n");
        exp(c, &["ZINTERCARD", "2", "a", "b"], ":2\r\n");
        exp(c, &["ZINTERCARD", "2", "a", "b", "LIMIT", "1"], ":1\r\n");
        exp(c, &["ZINTERCARD", "1", "a", "LIMIT", "-1"], "-ERR LIMIT can't be negative\r\n");
        exp(
            c,
            &["ZINTERCARD", "0", "a"],
            "-ERR at least 1 input key is needed for 'zintercard' command\r\n",
        );
        exp(
            c,
            &["ZUNION", "0", "a"],
            "-ERR at least 1 input key is needed for 'zunion' command\r\n",
        );
        exp(c, &["ZUNION", "3", "a", "b"], "-ERR syntax error\r\n");
        exp(
            c,
            &["ZUNION", "2", "a", "b", "WEIGHTS", "1", "x"],
            "-ERR weight value is not a float\r\n",
        );
        exp(c, &["ZDIFF", "2", "a", "b", "WEIGHTS", "1", "1"], "-ERR syntax error\r\n");
        exp(c, &["ZUNIONSTORE", "d", "2", "a", "b", "WITHSCORES"], "-ERR syntax error\r\n");
        exp(
            c,
            &["ZUNION", "2", "a", "b", "WEIGHTS", "inf", "-inf", "WITHSCORES"],
            &scored(r3, &[("w", "-inf"), ("y", "0"), ("z", "0"), ("x", "inf")]),
        );
        exp(c, &["PFADD", "s", "x"], ":1\r\n");
        exp(c, &["ZUNION", "2", "a", "s"], WRONGTYPE);
    });
}

#[test]
fn zrandmember_shapes() {
    let srv = common::start();
    both(&srv, |c, r3| {
        exp(c, &["ZADD", "z", "7", "only"], ":1\r\n");
        exp(c, &["ZRANDMEMBER", "z"], "$4\r\nonly\r\n");
        exp(
            c,
            &["ZRANDMEMBER", "z", "-2", "WITHSCORES"],
            &scored(r3, &[("only", "7"), ("only", "7")]),
        );
        exp(c, &["ZRANDMEMBER", "z", "0"], "*0\r\n");
        exp(c, &["ZRANDMEMBER", "nokey"], pick(r3, "$-1\r\n", "_\r\n"));
        exp(c, &["ZRANDMEMBER", "nokey", "3"], "*0\r\n");
        exp(c, &["ZRANDMEMBER", "z", "1", "WITHSCORE"], "-ERR syntax error\r\n");
        exp(
            c,
            &["ZRANDMEMBER", "z", "4611686018427387904", "WITHSCORES"],
            "-ERR value is out of range\r\n",
        );
        exp(c, &["ZADD", "z", "1", "a", "2", "b"], ":2\r\n");
        exp(c, &["ZRANDMEMBER", "z", "5"], &members(&["only", "b", "a"]));
    });
    // Distinct samples of a large set are distinct members.
    let mut c = srv.conn();
    let mut cmd = redis::cmd("ZADD");
    cmd.arg("big");
    for i in 0..1000 {
        cmd.arg(i).arg(format!("m{i}"));
    }
    let _: i64 = cmd.query(&mut c).unwrap();
    for n in [10, 500, 999] {
        let got: Vec<String> = redis::cmd("ZRANDMEMBER").arg("big").arg(n).query(&mut c).unwrap();
        let uniq: std::collections::HashSet<_> = got.iter().collect();
        assert_eq!((got.len(), uniq.len()), (n, n));
    }
}

#[test]
fn encodings_convert_at_each_threshold() {
    let srv =
        common::start_with(&["--zset-max-listpack-entries", "3", "--zset-max-ziplist-value", "5"]);
    both(&srv, |c, r3| {
        exp(c, &["ZADD", "z", "1", "a", "2", "b", "3", "c"], ":3\r\n");
        exp(c, &["OBJECT", "ENCODING", "z"], "$8\r\nlistpack\r\n");
        exp(c, &["ZADD", "z", "4", "d"], ":1\r\n");
        exp(c, &["OBJECT", "ENCODING", "z"], "$8\r\nskiplist\r\n");
        exp(c, &["ZREM", "z", "a", "b"], ":2\r\n");
        exp(c, &["OBJECT", "ENCODING", "z"], "$8\r\nskiplist\r\n");
        exp(c, &["ZADD", "v", "1", "abcde"], ":1\r\n");
        exp(c, &["OBJECT", "ENCODING", "v"], "$8\r\nlistpack\r\n");
        exp(c, &["ZADD", "v", "1", "abcdef"], ":1\r\n");
        exp(c, &["OBJECT", "ENCODING", "v"], "$8\r\nskiplist\r\n");
        exp(c, &["ZADD", "n", "1", "a", "2", "b", "3", "c", "4", "d"], ":4\r\n");
        exp(c, &["OBJECT", "ENCODING", "n"], "$8\r\nskiplist\r\n");
        // Results are built compact when they fit.
        exp(c, &["ZUNIONSTORE", "u", "1", "z"], ":2\r\n");
        exp(c, &["OBJECT", "ENCODING", "u"], "$8\r\nlistpack\r\n");
        exp(c, &["ZRANGESTORE", "r", "n", "0", "2"], ":3\r\n");
        exp(c, &["OBJECT", "ENCODING", "r"], "$8\r\nlistpack\r\n");
        exp(c, &["ZRANGESTORE", "r", "n", "0", "-1"], ":4\r\n");
        exp(c, &["OBJECT", "ENCODING", "r"], "$8\r\nskiplist\r\n");
        exp(c, &["ZRANGE", "r", "1", "2", "WITHSCORES"], &scored(r3, &[("b", "2"), ("c", "3")]));
        exp(c, &["COPY", "n", "n2"], ":1\r\n");
        exp(c, &["OBJECT", "ENCODING", "n2"], "$8\r\nskiplist\r\n");
        exp(c, &["ZRANGE", "n2", "0", "-1"], &members(&["a", "b", "c", "d"]));
        exp(c, &["ZADD", "m", "-0", "neg"], ":1\r\n");
        // The compact form keeps integral scores as integers: -0 reads back as 0.
        exp(c, &["ZSCORE", "m", "neg"], &dbl(r3, "0"));
        exp(c, &["ZADD", "n", "-0", "neg"], ":1\r\n");
        exp(c, &["ZSCORE", "n", "neg"], &dbl(r3, "-0"));
    });
}

/// A model: sorted (score, member) pairs.
fn model_range(m: &[(f64, String)]) -> Vec<String> {
    m.iter().map(|(_, k)| k.clone()).collect()
}

#[test]
fn both_encodings_agree_with_a_model_under_random_operations() {
    for entries in ["128", "0"] {
        let srv = common::start_with(&["--zset-max-listpack-entries", entries]);
        let mut c = srv.conn();
        let mut model: Vec<(f64, String)> = Vec::new();
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut rnd = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for step in 0..3000 {
            let member = format!("m{}", rnd() % 120);
            let score = (rnd() % 40) as f64 / 4.0;
            match rnd() % 5 {
                0 => {
                    let _: i64 = redis::cmd("ZREM").arg("z").arg(&member).query(&mut c).unwrap();
                    model.retain(|(_, k)| *k != member);
                }
                _ => {
                    let _: i64 =
                        redis::cmd("ZADD").arg("z").arg(score).arg(&member).query(&mut c).unwrap();
                    model.retain(|(_, k)| *k != member);
                    model.push((score, member));
                }
            }
            model.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap().then_with(|| a.1.cmp(&b.1)));
            if step % 100 == 0 {
                let got: Vec<String> =
                    redis::cmd("ZRANGE").arg("z").arg(0).arg(-1).query(&mut c).unwrap();
                assert_eq!(got, model_range(&model));
                let lo = (rnd() % 40) as f64 / 4.0;
                let hi = lo + 3.0;
                let got: Vec<String> = redis::cmd("ZRANGEBYSCORE")
                    .arg("z")
                    .arg(lo)
                    .arg(format!("({hi}"))
                    .query(&mut c)
                    .unwrap();
                let want: Vec<String> = model
                    .iter()
                    .filter(|(s, _)| *s >= lo && *s < hi)
                    .map(|(_, k)| k.clone())
                    .collect();
                assert_eq!(got, want);
                let got: Vec<String> = redis::cmd("ZREVRANGEBYSCORE")
                    .arg("z")
                    .arg(hi)
                    .arg(lo)
                    .arg("LIMIT")
                    .arg(1)
                    .arg(3)
                    .query(&mut c)
                    .unwrap();
                let want: Vec<String> = model
                    .iter()
                    .rev()
                    .filter(|(s, _)| *s >= lo && *s <= hi)
                    .skip(1)
                    .take(3)
                    .map(|(_, k)| k.clone())
                    .collect();
                assert_eq!(got, want);
                for (i, (_, k)) in model.iter().enumerate().step_by(7) {
                    let r: i64 = redis::cmd("ZRANK").arg("z").arg(k).query(&mut c).unwrap();
                    assert_eq!(r as usize, i);
                    let r: i64 = redis::cmd("ZREVRANK").arg("z").arg(k).query(&mut c).unwrap();
                    assert_eq!(r as usize, model.len() - 1 - i);
                }
                let n: usize = redis::cmd("ZCOUNT").arg("z").arg(lo).arg(hi).query(&mut c).unwrap();
                assert_eq!(n, model.iter().filter(|(s, _)| *s >= lo && *s <= hi).count());
            }
        }
        let enc: String = redis::cmd("OBJECT").arg("ENCODING").arg("z").query(&mut c).unwrap();
        assert_eq!(enc, if entries == "0" { "skiplist" } else { "listpack" });
        // A full scan of the large form returns every member exactly once.
        let mut cursor = 0u64;
        let mut seen = Vec::new();
        loop {
            let (next, items): (u64, Vec<String>) =
                redis::cmd("ZSCAN").arg("z").arg(cursor).arg("COUNT").arg(7).query(&mut c).unwrap();
            seen.extend(items.chunks(2).map(|p| p[0].clone()));
            cursor = next;
            if cursor == 0 {
                break;
            }
        }
        seen.sort();
        let mut want = model_range(&model);
        want.sort();
        assert_eq!(seen, want);
    }
}

#[test]
fn zpop_empties_and_deletes_the_key() {
    let srv = common::start();
    for mut c in srv.conns() {
        let _: () = redis::cmd("FLUSHALL").query(&mut c).unwrap();
        let _: i64 =
            redis::cmd("ZADD").arg("z").arg(1).arg("a").arg(2).arg("b").query(&mut c).unwrap();
        let _: redis::Value = redis::cmd("ZPOPMAX").arg("z").arg(5).query(&mut c).unwrap();
        let n: i64 = redis::cmd("EXISTS").arg("z").query(&mut c).unwrap();
        assert_eq!(n, 0);
        let t: String = redis::cmd("TYPE").arg("z").query(&mut c).unwrap();
        assert_eq!(t, "none");
    }
}

#[test]
fn blocking_pops_wake_on_zadd_and_time_out() {
    let srv = common::start();
    for r3 in [false, true] {
        let mut w = raw(&srv, r3);
        exp(&mut w, &["FLUSHALL"], "+OK\r\n");
        let mut a = raw(&srv, r3);
        let mut b = raw(&srv, r3);
        // Whether a pop parks first or finds the data, the replies are the same.
        a.send(&resp(&[b"BZPOPMIN", b"k1", b"k2", b"0"]));
        b.send(&resp(&[b"BZMPOP", b"0", b"1", b"k3", b"MAX", b"COUNT", b"5"]));
        exp(&mut w, &["ZADD", "k2", "1", "x", "2", "y"], ":2\r\n");
        exp(&mut w, &["ZADD", "k3", "1", "x", "2", "y", "3", "z"], ":3\r\n");
        let first = format!("*3\r\n$2\r\nk2\r\n$1\r\nx\r\n{}", dbl(r3, "1"));
        assert_eq!(
            String::from_utf8_lossy(&a.read_for(Duration::from_secs(2), first.len()).0),
            first
        );
        let second = format!(
            "*2\r\n$2\r\nk3\r\n*3\r\n*2\r\n$1\r\nz\r\n{}*2\r\n$1\r\ny\r\n{}*2\r\n$1\r\nx\r\n{}",
            dbl(r3, "3"),
            dbl(r3, "2"),
            dbl(r3, "1")
        );
        assert_eq!(
            String::from_utf8_lossy(&b.read_for(Duration::from_secs(2), second.len()).0),
            second
        );
        exp(&mut w, &["EXISTS", "k3"], ":0\r\n");
        exp(&mut w, &["ZCARD", "k2"], ":1\r\n");
        // Timeouts answer with a null array.
        exp(&mut a, &["BZPOPMIN", "nokey", "0.01"], pick(r3, "*-1\r\n", "_\r\n"));
        exp(&mut a, &["BZMPOP", "0.01", "1", "nokey", "MIN"], pick(r3, "*-1\r\n", "_\r\n"));
        exp(&mut a, &["BZPOPMIN", "k", "-1"], "-ERR timeout is negative\r\n");
        exp(&mut a, &["BZMPOP", "0", "0", "k", "MIN"], "-ERR numkeys should be greater than 0\r\n");
        exp(&mut a, &["PFADD", "s", "x"], ":1\r\n");
        exp(&mut a, &["BZPOPMIN", "nokey", "s", "0"], WRONGTYPE);
    }
}
