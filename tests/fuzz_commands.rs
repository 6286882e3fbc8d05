//! Argument fuzzing of every command in the table: random argument vectors built from
//! boundary integers, option keywords and keys of every type, each sent on its own
//! connection to a server holding one key of each type. After every vector a fresh
//! connection must get PONG within a few seconds: a panic, a hang or an unbounded loop
//! reachable from the network fails here, with the vector that caused it.
//!
//! Deterministic (a fixed seed per command); `FERRODIS_FUZZ_ROUNDS` raises the number of
//! vectors per command for a longer local run.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use common::{resp, Rng};

/// Commands that would take the server away from the test rather than misbehave: they stop
/// or pause the server, or reach outside this machine.
const SKIP: &[&str] = &[
    "shutdown",
    "client|pause",
    "monitor",
    "migrate",
    "replicaof",
    "slaveof",
    "failover",
    "sync",
    "psync",
    "cluster|meet",
    "debug",
    "config|set",
    "config|rewrite",
    "save",
    "bgsave",
    "bgrewriteaof",
    "module|load",
    "module|loadex",
];

const KEYS: &[&str] =
    &["str", "int", "list", "hash", "set", "iset", "zset", "stream", "hll", "geo", "missing"];

const WORDS: &[&str] = &[
    "0",
    "1",
    "-1",
    "2",
    "3",
    "10",
    "-10",
    "100",
    "-0",
    "+1",
    "1e3",
    "0x10",
    "",
    " 1",
    "1.5",
    "-1.5",
    "inf",
    "-inf",
    "+inf",
    "nan",
    "9223372036854775807",
    "-9223372036854775808",
    "9223372036854775808",
    "2147483648",
    "4294967296",
    "4294967295",
    "536870911",
    "(1",
    "[a",
    "-",
    "+",
    "$",
    ">",
    "*",
    "~",
    "=",
    "0-0",
    "0-1",
    "1-0",
    "*-*",
    "18446744073709551615-0",
    "NX",
    "XX",
    "GT",
    "LT",
    "CH",
    "INCR",
    "GET",
    "KEEPTTL",
    "EX",
    "PX",
    "EXAT",
    "PXAT",
    "PERSIST",
    "WITHSCORES",
    "WITHSCORE",
    "LIMIT",
    "COUNT",
    "MATCH",
    "TYPE",
    "BYSCORE",
    "BYLEX",
    "REV",
    "STORE",
    "STOREDIST",
    "BLOCK",
    "STREAMS",
    "GROUP",
    "MAXLEN",
    "MINID",
    "NOMKSTREAM",
    "ID",
    "IDLE",
    "TIME",
    "RETRYCOUNT",
    "FORCE",
    "JUSTID",
    "LASTID",
    "ENTRIESREAD",
    "MKSTREAM",
    "LEFT",
    "RIGHT",
    "BEFORE",
    "AFTER",
    "RANK",
    "MAXLEN",
    "LEN",
    "IDX",
    "MINMATCHLEN",
    "WITHMATCHLEN",
    "BIT",
    "BYTE",
    "AND",
    "OR",
    "XOR",
    "NOT",
    "OVERFLOW",
    "WRAP",
    "SAT",
    "FAIL",
    "INCRBY",
    "SET",
    "u8",
    "i64",
    "u63",
    "i1",
    "#1",
    "#-1",
    "FROMLONLAT",
    "FROMMEMBER",
    "BYRADIUS",
    "BYBOX",
    "km",
    "m",
    "ft",
    "ASC",
    "DESC",
    "ANY",
    "WITHCOORD",
    "WITHDIST",
    "WITHHASH",
    "AGGREGATE",
    "SUM",
    "MIN",
    "MAX",
    "WEIGHTS",
    "ALPHA",
    "BY",
    "nosort",
    "#",
    "REPLACE",
    "ABSTTL",
    "FREQ",
    "IDLETIME",
    "DB",
    "ASYNC",
    "SYNC",
    "FULL",
    "FLUSH",
    "LOAD",
    "NOLOOP",
    "BCAST",
    "PREFIX",
    "OPTIN",
    "OPTOUT",
    "ON",
    "OFF",
    "YES",
    "NO",
    "SKIP",
    "ID",
    "USER",
    "ADDR",
    "LADDR",
    "SKIPME",
    "WRITE",
    "ALL",
    "TIMEOUT",
    "ERROR",
    "CONSUMERS",
    "GROUPS",
    "STREAM",
    "HELP",
    "RESETSTAT",
    "LIBRARYNAME",
    "WITHCODE",
    "APPEND",
    "PUSH",
    "return 1",
    "return redis.call('get', KEYS[1])",
    "#!lua name=f\nredis.register_function('f', function() return 1 end)",
    "a*",
    "*a*",
    "[",
    "\\",
    "h?llo",
    "str",
    "list",
    "hash",
    "ch",
    "missing",
];

fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).expect("connect");
    s.set_nodelay(true).unwrap();
    s
}

/// Whatever arrives within `wait` (a blocking command may legitimately answer nothing).
fn drain(s: &mut TcpStream, wait: Duration) -> Vec<u8> {
    s.set_read_timeout(Some(Duration::from_millis(20))).unwrap();
    let end = Instant::now() + wait;
    let mut out = Vec::new();
    let mut buf = [0u8; 65536];
    while Instant::now() < end {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                out.extend_from_slice(&buf[..n]);
                if out.ends_with(b"\r\n") {
                    break;
                }
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => break,
        }
    }
    out
}

/// The server answers PING on a new connection within `limit`.
fn alive(addr: SocketAddr, limit: Duration) -> bool {
    let Ok(mut s) = TcpStream::connect_timeout(&addr, limit) else { return false };
    s.set_read_timeout(Some(limit)).unwrap();
    if s.write_all(b"PING\r\n").is_err() {
        return false;
    }
    let mut buf = [0u8; 7];
    s.read_exact(&mut buf).is_ok() && &buf == b"+PONG\r\n"
}

fn populate(addr: SocketAddr) {
    let mut s = connect(addr);
    let setup: &[&[&str]] = &[
        &["FLUSHALL"],
        &["SET", "str", "hello world"],
        &["SET", "int", "12345"],
        &["RPUSH", "list", "a", "b", "c", "1", "2", "3"],
        &["HSET", "hash", "f1", "v1", "f2", "2", "f3", "1.5"],
        &["SADD", "set", "a", "b", "c"],
        &["SADD", "iset", "1", "2", "3"],
        &["ZADD", "zset", "1", "a", "2", "b", "3", "c"],
        &["XADD", "stream", "1-1", "f", "v"],
        &["XADD", "stream", "2-1", "f", "v"],
        &["XGROUP", "CREATE", "stream", "g", "0"],
        &["XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "stream", ">"],
        &["PFADD", "hll", "a", "b", "c"],
        &[
            "GEOADD",
            "geo",
            "13.361389",
            "38.115556",
            "Palermo",
            "15.087269",
            "37.502669",
            "Catania",
        ],
    ];
    for cmd in setup {
        let args: Vec<&[u8]> = cmd.iter().map(|a| a.as_bytes()).collect();
        s.write_all(&resp(&args)).unwrap();
        let r = drain(&mut s, Duration::from_secs(2));
        assert!(!r.starts_with(b"-"), "setup {cmd:?}: {}", String::from_utf8_lossy(&r));
    }
}

/// (full name, arity) of every command and subcommand the server lists.
fn commands(srv: &common::TestServer) -> Vec<(String, i64)> {
    let mut c = srv.conn();
    let names: Vec<String> = redis::cmd("COMMAND").arg("LIST").query(&mut c).unwrap();
    let mut out = Vec::new();
    for n in names {
        let info: redis::Value = redis::cmd("COMMAND").arg("INFO").arg(&n).query(&mut c).unwrap();
        let arity = match info {
            redis::Value::Array(ref v) => match v.first() {
                Some(redis::Value::Array(row)) => match row.get(1) {
                    Some(redis::Value::Int(a)) => *a,
                    _ => -1,
                },
                _ => -1,
            },
            _ => -1,
        };
        out.push((n, arity));
    }
    out.sort();
    out
}

fn argv(rng: &mut Rng, name: &str, arity: i64) -> Vec<Vec<u8>> {
    let mut v: Vec<Vec<u8>> = name.split('|').map(|p| p.as_bytes().to_vec()).collect();
    let fixed = name.split('|').count() as i64;
    let min_args = (arity.abs() - fixed).max(0) as usize;
    let n = match rng.below(10) {
        0 => rng.below(3) as usize,
        _ if arity > 0 => min_args,
        _ => min_args + rng.below(7) as usize,
    };
    for i in 0..n {
        let w = if i == 0 || rng.below(4) == 0 {
            rng.pick(KEYS).as_bytes().to_vec()
        } else {
            rng.pick(WORDS).as_bytes().to_vec()
        };
        v.push(w);
    }
    v
}

#[test]
fn every_command_survives_random_arguments() {
    let dir = std::env::temp_dir().join(format!("ferrodis-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let dir_s = dir.to_string_lossy().into_owned();
    let srv = common::start_with(&["--dir", &dir_s]);
    let rounds: usize =
        std::env::var("FERRODIS_FUZZ_ROUNDS").ok().and_then(|r| r.parse().ok()).unwrap_or(12);
    let cmds = commands(&srv);
    assert!(cmds.len() > 200, "COMMAND LIST gave {} commands", cmds.len());
    let mut sent = 0;
    for (name, arity) in &cmds {
        if SKIP.contains(&name.as_str()) {
            continue;
        }
        let seed = name
            .bytes()
            .fold(0x9e37_79b9_7f4a_7c15u64, |h, b| (h ^ b as u64).wrapping_mul(0x100_0000_01b3));
        let mut rng = Rng(seed | 1);
        for round in 0..rounds {
            if round % 4 == 0 {
                populate(srv.addr);
            }
            let args = argv(&mut rng, name, *arity);
            let refs: Vec<&[u8]> = args.iter().map(|a| a.as_slice()).collect();
            let mut s = connect(srv.addr);
            s.write_all(&resp(&refs)).unwrap();
            drain(&mut s, Duration::from_millis(30));
            drop(s);
            sent += 1;
            let shown: Vec<String> =
                args.iter().map(|a| String::from_utf8_lossy(a).into_owned()).collect();
            assert!(
                alive(srv.addr, Duration::from_secs(10)),
                "server stopped answering after {shown:?}"
            );
        }
    }
    assert!(sent > 1000, "only {sent} vectors sent");
    let _ = std::fs::remove_dir_all(&dir);
}
