//! DEBUG in RESP2 and RESP3: refusal without enable-debug-command, PROTOCOL replies, digests
//! equal to Redis 7.0.15's for the same dataset, POPULATE, OBJECT, SLEEP, SET-ACTIVE-EXPIRE.

mod common;

use std::time::{Duration, Instant};

use common::{exp, q, raw, resp, TestServer};

fn debug_server() -> TestServer {
    common::start_with(&["--enable-debug-command", "yes"])
}

#[test]
fn refused_unless_enabled() {
    let refusal = "-ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.\r\n";
    let srv = common::start();
    let mut c = raw(&srv, false);
    exp(&mut c, &["DEBUG", "DIGEST"], refusal);
    // As in Redis, the arity check comes first.
    exp(&mut c, &["DEBUG"], "-ERR wrong number of arguments for 'debug' command\r\n");
    // "local" allows loopback clients, which the tests are.
    let srv = common::start_with(&["--enable-debug-command", "local"]);
    let mut c = raw(&srv, false);
    exp(&mut c, &["DEBUG", "DIGEST"], &format!("+{}\r\n", "0".repeat(40)));
}

#[test]
fn protocol_replies_like_redis() {
    let srv = debug_server();
    let cases: &[(&str, &str, &str)] = &[
        ("string", "$11\r\nHello World\r\n", "$11\r\nHello World\r\n"),
        ("integer", ":12345\r\n", ":12345\r\n"),
        ("double", "$5\r\n3.141\r\n", ",3.141\r\n"),
        (
            "bignum",
            "$37\r\n1234567999999999999999999999999999999\r\n",
            "(1234567999999999999999999999999999999\r\n",
        ),
        ("null", "$-1\r\n", "_\r\n"),
        ("array", "*3\r\n:0\r\n:1\r\n:2\r\n", "*3\r\n:0\r\n:1\r\n:2\r\n"),
        ("set", "*3\r\n:0\r\n:1\r\n:2\r\n", "~3\r\n:0\r\n:1\r\n:2\r\n"),
        (
            "map",
            "*6\r\n:0\r\n:0\r\n:1\r\n:1\r\n:2\r\n:0\r\n",
            "%3\r\n:0\r\n#f\r\n:1\r\n#t\r\n:2\r\n#f\r\n",
        ),
        (
            "attrib",
            "$39\r\nSome real reply following the attribute\r\n",
            "|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n$39\r\nSome real reply following the attribute\r\n",
        ),
        (
            "push",
            "-ERR RESP2 is not supported by this command\r\n",
            ">2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n$40\r\nSome real reply following the push reply\r\n",
        ),
        (
            "verbatim",
            "$25\r\nThis is a verbatim\nstring\r\n",
            "=29\r\ntxt:This is a verbatim\nstring\r\n",
        ),
        ("true", ":1\r\n", "#t\r\n"),
        ("false", ":0\r\n", "#f\r\n"),
        (
            "nosuch",
            "-ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false\r\n",
            "-ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false\r\n",
        ),
    ];
    for resp3 in [false, true] {
        let mut c = raw(&srv, resp3);
        for (ty, r2, r3) in cases {
            exp(&mut c, &["DEBUG", "PROTOCOL", ty], if resp3 { r3 } else { r2 });
        }
    }
}

#[test]
fn digests_equal_redis_for_the_same_dataset() {
    let srv = debug_server();
    let mut c = srv.conn();
    let zeros = "0".repeat(40);
    let d: String = q(&mut c, &["DEBUG", "DIGEST"]);
    assert_eq!(d, zeros);
    // Values taken from Redis 7.0.15 after the same commands.
    let _: String = q(&mut c, &["DEBUG", "POPULATE", "3"]);
    let d: String = q(&mut c, &["DEBUG", "DIGEST"]);
    assert_eq!(d, "f25db52166a7d712fb7362fd197165342e2b7442");
    let v: Vec<String> = q(&mut c, &["DEBUG", "DIGEST-VALUE", "key:0", "key:1", "nokey"]);
    assert_eq!(
        v,
        [
            "c15f34c747bf411833c10208c03e1da1bb7da7cf",
            "ec4b7bec343ec862c8bd5dd8feab05ec1e9e6703",
            zeros.as_str()
        ]
    );
    let _: String = q(&mut c, &["DEBUG", "POPULATE", "1000", "x", "100"]);
    let d: String = q(&mut c, &["DEBUG", "DIGEST"]);
    assert_eq!(d, "4568e2311591c24f3933ace6bc67090b35972018");
    // An expiry adds a marker (not its time) to the key's digest.
    let _: String = q(&mut c, &["FLUSHALL"]);
    let _: String = q(&mut c, &["DEBUG", "POPULATE", "5", "k", "30"]);
    let _: i64 = q(&mut c, &["PEXPIRE", "k:1", "100000"]);
    let d: String = q(&mut c, &["DEBUG", "DIGEST"]);
    assert_eq!(d, "69787364bdb8911ea4b72250d14ecbf6962b5438");
    let v: Vec<String> = q(&mut c, &["DEBUG", "DIGEST-VALUE", "k:1", "k:2"]);
    assert_eq!(
        v,
        ["bdaca73887baf08551cc20a72aa43415daabc1d4", "ce4bf0784765b4f16b5bff437e5d79bf55260f10"]
    );
    // DIGEST-VALUE replies status lines in both protocols.
    for resp3 in [false, true] {
        let mut r = raw(&srv, resp3);
        exp(&mut r, &["DEBUG", "DIGEST-VALUE"], "*0\r\n");
        exp(&mut r, &["DEBUG", "DIGEST-VALUE", "nokey"], &format!("*1\r\n+{zeros}\r\n"));
    }
}

#[test]
fn populate_creates_string_keys() {
    let srv = debug_server();
    for resp3 in [false, true] {
        let mut c = raw(&srv, resp3);
        exp(&mut c, &["FLUSHALL"], "+OK\r\n");
        exp(&mut c, &["DEBUG", "POPULATE", "10"], "+OK\r\n");
        exp(&mut c, &["DBSIZE"], ":10\r\n");
        exp(&mut c, &["OBJECT", "ENCODING", "key:9"], "$6\r\nembstr\r\n");
        // Existing keys are left alone; a size pads with zeros or truncates.
        exp(&mut c, &["DEBUG", "POPULATE", "12", "key", "100"], "+OK\r\n");
        exp(&mut c, &["DBSIZE"], ":12\r\n");
        exp(&mut c, &["OBJECT", "ENCODING", "key:11"], "$3\r\nraw\r\n");
        exp(&mut c, &["OBJECT", "ENCODING", "key:9"], "$6\r\nembstr\r\n");
        exp(&mut c, &["DEBUG", "POPULATE", "1", "p", "3"], "+OK\r\n");
        exp(&mut c, &["OBJECT", "ENCODING", "p:0"], "$6\r\nembstr\r\n");
        let positive = "-ERR value is out of range, must be positive\r\n";
        exp(&mut c, &["DEBUG", "POPULATE", "-1"], positive);
        exp(&mut c, &["DEBUG", "POPULATE", "x"], positive);
        exp(&mut c, &["DEBUG", "POPULATE", "2", "q", "-5"], positive);
        exp(
            &mut c,
            &["DEBUG", "POPULATE", "2", "q", "3", "4"],
            "-ERR unknown subcommand or wrong number of arguments for 'POPULATE'. Try DEBUG HELP.\r\n",
        );
        exp(&mut c, &["DBSIZE"], ":13\r\n");
    }
    // Without SET in this test, compare with a dataset Redis built: POPULATE 1 p 3 stores
    // "val" (the value "value:0" truncated to 3 bytes).
    let mut c = srv.conn();
    let _: String = q(&mut c, &["FLUSHALL"]);
    let _: String = q(&mut c, &["DEBUG", "POPULATE", "1", "p", "3"]);
    let v: Vec<String> = q(&mut c, &["DEBUG", "DIGEST-VALUE", "p:0"]);
    let mut d = ferrodis::db::digest::Digest::default();
    d.mix(&0u32.to_be_bytes());
    d.mix(b"val");
    assert_eq!(v, [d.hex()]);
}

#[test]
fn object_shows_redis_line() {
    let srv = debug_server();
    let mut c = srv.conn();
    let _: String = q(&mut c, &["DEBUG", "POPULATE", "1"]);
    let line: String = q(&mut c, &["DEBUG", "OBJECT", "key:0"]);
    let parts: Vec<&str> = line.split(' ').collect();
    assert_eq!(parts.len(), 7, "{line}");
    assert!(parts[0] == "Value" && parts[1].starts_with("at:0x"), "{line}");
    assert_eq!(parts[2], "refcount:1");
    assert_eq!(parts[3], "encoding:embstr");
    assert_eq!(parts[4], "serializedlength:8");
    assert!(parts[5].starts_with("lru:"));
    assert!(parts[6].starts_with("lru_seconds_idle:"), "{line}");
    let mut r = raw(&srv, false);
    exp(&mut r, &["DEBUG", "OBJECT", "nokey"], "-ERR no such key\r\n");
}

#[test]
fn sleep_blocks_the_server() {
    let srv = debug_server();
    let mut a = raw(&srv, false);
    let mut b = raw(&srv, false);
    a.send(&resp(&[b"DEBUG", b"SLEEP", b"0.3"]));
    std::thread::sleep(Duration::from_millis(50));
    let t = Instant::now();
    b.expect(&resp(&[b"DBSIZE"]), b":0\r\n");
    // The other client waited for the sleeping loop.
    assert!(t.elapsed() >= Duration::from_millis(150), "{:?}", t.elapsed());
    let (got, _) = a.read_for(Duration::from_secs(2), 5);
    assert_eq!(got, b"+OK\r\n");
    exp(&mut a, &["DEBUG", "SLEEP", "0"], "+OK\r\n");
    exp(&mut a, &["DEBUG", "SLEEP", "-1"], "+OK\r\n");
}

#[test]
fn active_expire_switch() {
    let srv = debug_server();
    let mut c = srv.conn();
    let _: String = q(&mut c, &["DEBUG", "SET-ACTIVE-EXPIRE", "0"]);
    let _: String = q(&mut c, &["DEBUG", "POPULATE", "3"]);
    for k in ["key:0", "key:1", "key:2"] {
        let _: i64 = q(&mut c, &["PEXPIRE", k, "1"]);
    }
    std::thread::sleep(Duration::from_millis(100));
    // Due keys stay stored (DBSIZE counts them) while active expiry is off.
    let n: i64 = q(&mut c, &["DBSIZE"]);
    assert_eq!(n, 3);
    let _: String = q(&mut c, &["DEBUG", "SET-ACTIVE-EXPIRE", "1"]);
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let n: i64 = q(&mut c, &["DBSIZE"]);
        if n == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "the sweep never reclaimed the keys");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn errors_log_and_unknown_subcommands() {
    let srv = debug_server();
    for resp3 in [false, true] {
        let mut c = raw(&srv, resp3);
        exp(&mut c, &["DEBUG", "ERROR", "CUSTOM made up"], "-CUSTOM made up\r\n");
        exp(&mut c, &["DEBUG", "LOG", "hello"], "+OK\r\n");
        exp(&mut c, &["DEBUG", "CHANGE-REPL-ID"], "+OK\r\n");
        exp(&mut c, &["DEBUG"], "-ERR wrong number of arguments for 'debug' command\r\n");
        for sub in ["jmap", "stringmatch-len", "Digest x"] {
            let words: Vec<&str> = std::iter::once("debug").chain(sub.split(' ')).collect();
            let name = sub.split(' ').next().unwrap();
            exp(
                &mut c,
                &words,
                &format!("-ERR unknown subcommand or wrong number of arguments for '{name}'. Try DEBUG HELP.\r\n"),
            );
        }
    }
    let mut c = srv.conn();
    let help: Vec<String> = q(&mut c, &["DEBUG", "HELP"]);
    assert_eq!(help[0], "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
    assert_eq!(help.last().map(String::as_str), Some("    Prints this help."));
    let before: String = q(&mut c, &["INFO", "replication"]);
    let _: String = q(&mut c, &["DEBUG", "CHANGE-REPL-ID"]);
    let after: String = q(&mut c, &["INFO", "replication"]);
    assert_ne!(before, after, "CHANGE-REPL-ID renews master_replid");
    let info: String = q(&mut c, &["INFO", "errorstats"]);
    assert!(info.contains("errorstat_CUSTOM:count=2"), "{info}");
}
