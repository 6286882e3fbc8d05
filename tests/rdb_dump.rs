//! DUMP and RESTORE: payloads byte-equal to Redis 7.0.15's, every type both compact and big
//! round-tripping with an unchanged DEBUG DIGEST, Redis's error texts, and corrupt or
//! truncated payloads refused without harm.

mod common;

use redis::Value;

fn q<T: redis::FromRedisValue>(c: &mut redis::Connection, words: &[&[u8]]) -> T {
    let mut cmd = redis::cmd(std::str::from_utf8(words[0]).unwrap());
    for w in &words[1..] {
        cmd.arg(*w);
    }
    cmd.query(c).unwrap_or_else(|e| panic!("{:?}: {e}", String::from_utf8_lossy(words[0])))
}

fn err(c: &mut redis::Connection, words: &[&[u8]]) -> String {
    let mut cmd = redis::cmd(std::str::from_utf8(words[0]).unwrap());
    for w in &words[1..] {
        cmd.arg(*w);
    }
    match cmd.query::<Value>(c) {
        Err(e) => format!("{}", e),
        Ok(v) => panic!("expected an error, got {v:?}"),
    }
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

/// (key, `redis-cli DUMP` of Redis 7.0.15 for the value built by the setup in `oracle_payloads`).
const REDIS_PAYLOADS: &[(&str, &str)] = &[
    ("l", "1201021111000000040081610281620201010201ff0a006d72713e9b43482b"),
    ("h", "1012120000000400816602817602816e020c01ff0a0001369481d35b8974"),
    ("z", "111414000000040081610283312e35048162020201ff0a00fa02b425af188763"),
    ("s", "0b0e02000000030000000100020003000a00a5025ce26d6e4d1b"),
    ("str", "000568656c6c6f0a006372df766534200a"),
];
/// DEBUG DIGEST of Redis 7.0.15 holding exactly those keys.
const REDIS_DIGEST: &str = "51599aec2947b4cf5f734a1495314ec73aa3a6f6";

#[test]
fn payloads_equal_redis_and_restore_to_its_digest() {
    let srv = common::start_with(&["--enable-debug-command", "yes"]);
    let mut c = srv.conn();
    let _: () = q(&mut c, &[b"RPUSH", b"l", b"a", b"b", b"1", b"2"]);
    let _: () = q(&mut c, &[b"HSET", b"h", b"f", b"v", b"n", b"12"]);
    let _: () = q(&mut c, &[b"ZADD", b"z", b"1.5", b"a", b"2", b"b"]);
    let _: () = q(&mut c, &[b"SADD", b"s", b"1", b"2", b"3"]);
    let _: () = q(&mut c, &[b"SET", b"str", b"hello"]);
    for (k, want) in REDIS_PAYLOADS {
        let got: Vec<u8> = q(&mut c, &[b"DUMP", k.as_bytes()]);
        assert_eq!(got, hex(want), "DUMP {k}");
    }
    let d: String = q(&mut c, &[b"DEBUG", b"DIGEST"]);
    assert_eq!(d, REDIS_DIGEST);
    let _: () = q(&mut c, &[b"FLUSHALL"]);
    for (k, p) in REDIS_PAYLOADS {
        let _: () = q(&mut c, &[b"RESTORE", k.as_bytes(), b"0", &hex(p)]);
    }
    let d: String = q(&mut c, &[b"DEBUG", b"DIGEST"]);
    assert_eq!(d, REDIS_DIGEST);
}

fn populate(c: &mut redis::Connection, n: usize) {
    for i in 0..n {
        let (m, v) = (format!("m{i}"), format!("{}", i * 37));
        let _: () = q(c, &[b"RPUSH", b"list", m.as_bytes()]);
        let _: () = q(c, &[b"RPUSH", b"list", v.as_bytes()]);
        let _: () = q(c, &[b"HSET", b"hash", m.as_bytes(), v.as_bytes()]);
        let _: () = q(c, &[b"SADD", b"iset", v.as_bytes()]);
        let _: () = q(c, &[b"SADD", b"set", m.as_bytes()]);
        let _: () = q(c, &[b"ZADD", b"zset", v.as_bytes(), m.as_bytes()]);
        let _: () = q(c, &[b"XADD", b"stream", b"*", b"f", m.as_bytes(), b"g", v.as_bytes()]);
    }
    let _: () = q(c, &[b"SET", b"int", b"-1234567"]);
    let _: () = q(c, &[b"SET", b"long", &vec![b'z'; 5000]]);
    let _: () = q(c, &[b"XGROUP", b"CREATE", b"stream", b"g", b"0"]);
    let _: Value = q(
        c,
        &[b"XREADGROUP", b"GROUP", b"g", b"alice", b"COUNT", b"3", b"STREAMS", b"stream", b">"],
    );
}

#[test]
fn every_type_round_trips_compact_and_big() {
    let srv = common::start_with(&["--enable-debug-command", "yes", "--list-compress-depth", "1"]);
    let mut c = srv.conn();
    for n in [3usize, 700] {
        let _: () = q(&mut c, &[b"FLUSHALL"]);
        populate(&mut c, n);
        let before: String = q(&mut c, &[b"DEBUG", b"DIGEST"]);
        let keys: Vec<Vec<u8>> = q(&mut c, &[b"KEYS", b"*"]);
        let mut dumps = Vec::new();
        for k in &keys {
            let enc: String = q(&mut c, &[b"OBJECT", b"ENCODING", k]);
            let p: Vec<u8> = q(&mut c, &[b"DUMP", k]);
            dumps.push((k.clone(), enc, p));
        }
        let _: () = q(&mut c, &[b"FLUSHALL"]);
        for (k, enc, p) in &dumps {
            let _: () = q(&mut c, &[b"RESTORE", k, b"0", p]);
            let now: String = q(&mut c, &[b"OBJECT", b"ENCODING", k]);
            assert_eq!(&now, enc, "encoding of {:?} after RESTORE", String::from_utf8_lossy(k));
            let again: Vec<u8> = q(&mut c, &[b"DUMP", k]);
            // Hashtables iterate in their own order; every other encoding is byte-stable.
            if k.as_slice() != b"stream" && enc != "hashtable" {
                assert_eq!(&again, p, "DUMP of {:?} is stable", String::from_utf8_lossy(k));
            }
        }
        let after: String = q(&mut c, &[b"DEBUG", b"DIGEST"]);
        assert_eq!(before, after, "digest with {n} elements");
        let pending: Vec<Value> = q(&mut c, &[b"XPENDING", b"stream", b"g"]);
        assert_eq!(pending[0], Value::Int(3), "the group's PEL survives");
    }
}

#[test]
fn restore_options_and_errors_as_redis() {
    let srv = common::start();
    let mut c = srv.conn();
    let _: () = q(&mut c, &[b"SET", b"k", b"v"]);
    let p: Vec<u8> = q(&mut c, &[b"DUMP", b"k"]);
    assert_eq!(q::<Value>(&mut c, &[b"DUMP", b"nokey"]), Value::Nil);
    assert!(err(&mut c, &[b"RESTORE", b"k", b"0", &p]).contains("Target key name already exists."));
    assert!(
        err(&mut c, &[b"RESTORE", b"k2", b"-1", &p]).contains("Invalid TTL value, must be >= 0")
    );
    assert!(err(&mut c, &[b"RESTORE", b"k2", b"0", &p, b"IDLETIME", b"-1"])
        .contains("Invalid IDLETIME value"));
    assert!(
        err(&mut c, &[b"RESTORE", b"k2", b"0", &p, b"FREQ", b"256"]).contains("Invalid FREQ value")
    );
    assert!(err(&mut c, &[b"RESTORE", b"k2", b"0", &p, b"IDLETIME", b"1", b"FREQ", b"1"])
        .contains("syntax error"));
    assert!(err(&mut c, &[b"RESTORE", b"k2", b"0", &p, b"BOGUS"]).contains("syntax error"));
    let mut bad = p.clone();
    let n = bad.len();
    bad[n - 1] ^= 0x40;
    assert!(err(&mut c, &[b"RESTORE", b"k2", b"0", &bad])
        .contains("DUMP payload version or checksum are wrong"));
    let mut newer = p.clone();
    newer[n - 10] = 11;
    assert!(err(&mut c, &[b"RESTORE", b"k2", b"0", &newer])
        .contains("DUMP payload version or checksum are wrong"));
    let _: () = q(&mut c, &[b"RESTORE", b"k", b"0", &p, b"REPLACE", b"IDLETIME", b"1000"]);
    let idle: i64 = q(&mut c, &[b"OBJECT", b"IDLETIME", b"k"]);
    assert!(idle >= 1000, "{idle}");
    let _: () = q(&mut c, &[b"RESTORE", b"t", b"100000", &p]);
    let ttl: i64 = q(&mut c, &[b"PTTL", b"t"]);
    assert!(ttl > 0 && ttl <= 100000);
    // An absolute TTL in the past: the key is not created (and REPLACE deletes the old one).
    let _: () = q(&mut c, &[b"RESTORE", b"k", b"1", &p, b"REPLACE", b"ABSTTL"]);
    assert_eq!(q::<i64>(&mut c, &[b"EXISTS", b"k"]), 0);
}

/// Every truncation and every single-bit flip of valid payloads is either refused with one
/// of Redis's two errors or (a flip the CRC cannot see, none here) restores a sane value.
#[test]
fn corrupt_payloads_are_refused_cleanly() {
    let srv = common::start_with(&["--enable-debug-command", "yes"]);
    let mut c = srv.conn();
    populate(&mut c, 20);
    let keys: Vec<Vec<u8>> = q(&mut c, &[b"KEYS", b"*"]);
    for k in &keys {
        let p: Vec<u8> = q(&mut c, &[b"DUMP", k]);
        for cut in (0..p.len()).step_by(7) {
            let e = err(&mut c, &[b"RESTORE", b"victim", b"0", &p[..cut], b"REPLACE"]);
            assert!(e.contains("checksum are wrong"), "{e}");
        }
        // With a checksum that matches, the body must still parse: recompute it over a
        // damaged body so the decoder itself is exercised.
        for i in (0..p.len() - 10).step_by(3) {
            let mut b = p.clone();
            b[i] ^= 0x5a;
            let n = b.len();
            let crc = ferrodis::util::crc64::crc64(0, &b[..n - 8]);
            b[n - 8..].copy_from_slice(&crc.to_le_bytes());
            match redis::cmd("RESTORE")
                .arg("victim")
                .arg(0)
                .arg(&b)
                .arg("REPLACE")
                .query::<Value>(&mut c)
            {
                Ok(_) => {
                    let _: Value = q(&mut c, &[b"DEBUG", b"DIGEST-VALUE", b"victim"]);
                }
                Err(e) => assert!(format!("{e}").contains("Bad data format"), "{e}"),
            }
        }
    }
    let pong: String = q(&mut c, &[b"PING"]);
    assert_eq!(pong, "PONG");
}

#[test]
fn skip_checksum_validation_accepts_a_payload_with_a_bad_crc() {
    let srv = common::start_with(&["--enable-debug-command", "yes"]);
    let mut c = srv.conn();
    let _: () = q(&mut c, &[b"SET", b"k", b"value"]);
    let mut p: Vec<u8> = q(&mut c, &[b"DUMP", b"k"]);
    let last = p.len() - 1;
    p[last] ^= 0xff;
    let e = err(&mut c, &[b"RESTORE", b"k2", b"0", &p]);
    assert!(e.contains("checksum are wrong"), "{e}");
    let _: () = q(&mut c, &[b"DEBUG", b"SET-SKIP-CHECKSUM-VALIDATION", b"1"]);
    let _: () = q(&mut c, &[b"RESTORE", b"k2", b"0", &p]);
    let v: Vec<u8> = q(&mut c, &[b"GET", b"k2"]);
    assert_eq!(v, b"value");
}

#[test]
fn a_quicklist_node_of_zero_bytes_is_bad_data() {
    let srv = common::start();
    let mut c = srv.conn();
    // Redis's suite: "corrupt payload: quicklist encoded_len is 0" (one PLAIN node, empty).
    let p = b"\x12\x01\x01\x00\x0a\x00\x8f\xc6\xc0\x57\x1c\x0a\xb3\x3c";
    let e = err(&mut c, &[b"RESTORE", b"_list", b"0", p, b"REPLACE"]);
    assert!(e.contains("Bad data format"), "{e}");
    let pong: String = q(&mut c, &[b"PING"]);
    assert_eq!(pong, "PONG");
}
