//! MIGRATE between two in-process servers and, when redis-server is installed, to and from
//! a real Redis: every type with its digest, COPY, REPLACE/BUSYKEY, KEYS/NOKEY, TTLs, AUTH and
//! AUTH2, the target's errors, IOERR texts, the connection cache and its retry.

mod common;

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{err, q, TestServer};

fn server() -> TestServer {
    common::start_with(&["--enable-debug-command", "yes"])
}

fn port(s: &TestServer) -> String {
    s.addr.port().to_string()
}

fn info_field(c: &mut redis::Connection, field: &str) -> String {
    let info: String = q(c, &["INFO", "stats"]);
    info.lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .unwrap_or_else(|| panic!("{field} missing"))
        .to_string()
}

/// One key of every type and encoding family.
fn populate(c: &mut redis::Connection) -> Vec<&'static str> {
    let cmds: &[&[&str]] = &[
        &["SET", "str", "hello"],
        &["SET", "int", "12345"],
        &["RPUSH", "list", "a", "b", "c", "1"],
        &["HSET", "hash", "f1", "v1", "f2", "2"],
        &["SADD", "intset", "1", "2", "3"],
        &["SADD", "set", "a", "b", "c"],
        &["ZADD", "zset", "1", "a", "2.5", "b"],
        &["XADD", "stream", "1-1", "f", "v"],
        &["XGROUP", "CREATE", "stream", "g", "0"],
        &["PFADD", "hll", "a", "b", "c"],
    ];
    for cmd in cmds {
        let _: redis::Value = q(c, cmd);
    }
    let big: Vec<String> = (0..300).map(|i| format!("member-{i}")).collect();
    let mut z = vec!["ZADD".to_string(), "bigzset".into()];
    for (i, m) in big.iter().enumerate() {
        z.push(i.to_string());
        z.push(m.clone());
    }
    let z: Vec<&str> = z.iter().map(|s| s.as_str()).collect();
    let _: i64 = q(c, &z);
    let mut h = vec!["HSET", "bighash"];
    for m in &big {
        h.push(m);
        h.push(m);
    }
    let _: i64 = q(c, &h);
    let _: () = q(c, &["SET", "bigstr", &"x".repeat(200_000)]);
    vec![
        "str", "int", "list", "hash", "intset", "set", "zset", "stream", "hll", "bigzset",
        "bighash", "bigstr",
    ]
}

fn digest(c: &mut redis::Connection, key: &str) -> String {
    let v: Vec<String> = q(c, &["DEBUG", "DIGEST-VALUE", key]);
    v[0].clone()
}

fn migrate_args<'a>(host_port: &'a str, tail: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec!["MIGRATE", "127.0.0.1", host_port];
    v.extend_from_slice(tail);
    v
}

#[test]
fn every_type_moves_with_its_digest() {
    let (src, dst) = (server(), server());
    let (mut a, mut b) = (src.conn(), dst.conn());
    let keys = populate(&mut a);
    let before: Vec<String> = keys.iter().map(|k| digest(&mut a, k)).collect();
    let whole: String = q(&mut a, &["DEBUG", "DIGEST"]);
    let p = port(&dst);
    for k in &keys {
        let r: String = q(&mut a, &migrate_args(&p, &[k, "0", "5000"]));
        assert_eq!(r, "OK");
        assert_eq!(q::<i64>(&mut a, &["EXISTS", k]), 0, "{k} still on the source");
    }
    let after: Vec<String> = keys.iter().map(|k| digest(&mut b, k)).collect();
    assert_eq!(before, after);
    assert_eq!(q::<String>(&mut b, &["DEBUG", "DIGEST"]), whole);
    assert_eq!(q::<i64>(&mut a, &["DBSIZE"]), 0);
    // One connection served every key.
    assert_eq!(info_field(&mut a, "migrate_cached_sockets"), "1");
}

#[test]
fn copy_replace_and_busykey() {
    let (src, dst) = (server(), server());
    let (mut a, mut b) = (src.conn(), dst.conn());
    let p = port(&dst);
    let _: () = q(&mut a, &["SET", "k", "v1"]);
    let r: String = q(&mut a, &migrate_args(&p, &["k", "0", "5000", "COPY"]));
    assert_eq!(r, "OK");
    assert_eq!(q::<String>(&mut a, &["GET", "k"]), "v1");
    assert_eq!(q::<String>(&mut b, &["GET", "k"]), "v1");
    let _: () = q(&mut a, &["SET", "k", "v2"]);
    assert_eq!(
        err(&mut a, &migrate_args(&p, &["k", "0", "5000", "COPY"])),
        "ERR Target instance replied with error: BUSYKEY Target key name already exists."
    );
    assert_eq!(
        err(&mut a, &migrate_args(&p, &["k", "0", "5000"])),
        "ERR Target instance replied with error: BUSYKEY Target key name already exists."
    );
    // The failed attempts left the key here.
    assert_eq!(q::<String>(&mut a, &["GET", "k"]), "v2");
    let r: String = q(&mut a, &migrate_args(&p, &["k", "0", "5000", "REPLACE"]));
    assert_eq!(r, "OK");
    assert_eq!(q::<i64>(&mut a, &["EXISTS", "k"]), 0);
    assert_eq!(q::<String>(&mut b, &["GET", "k"]), "v2");
    // Only the keys the target acknowledged leave the source.
    let _: () = q(&mut a, &["MSET", "x", "1", "y", "2"]);
    let _: () = q(&mut b, &["SET", "y", "there"]);
    assert_eq!(
        err(&mut a, &migrate_args(&p, &["", "0", "5000", "KEYS", "x", "y"])),
        "ERR Target instance replied with error: BUSYKEY Target key name already exists."
    );
    assert_eq!(q::<i64>(&mut a, &["EXISTS", "x"]), 0);
    assert_eq!(q::<String>(&mut a, &["GET", "y"]), "2");
    assert_eq!(q::<Vec<String>>(&mut b, &["MGET", "x", "y"]), ["1", "there"]);
}

#[test]
fn keys_option_nokey_and_argument_errors() {
    let (src, dst) = (server(), server());
    let (mut a, mut b) = (src.conn(), dst.conn());
    let p = port(&dst);
    for k in ["a", "b", "c"] {
        let _: () = q(&mut a, &["SET", k, k]);
    }
    let r: String = q(&mut a, &migrate_args(&p, &["", "0", "5000", "KEYS", "a", "nope", "c"]));
    assert_eq!(r, "OK");
    assert_eq!(q::<i64>(&mut a, &["EXISTS", "a", "b", "c"]), 1);
    assert_eq!(
        q::<Vec<Option<String>>>(&mut b, &["MGET", "a", "b", "c"]),
        [Some("a".to_string()), None, Some("c".to_string())]
    );
    let r: String = q(&mut a, &migrate_args(&p, &["", "0", "5000", "KEYS", "x", "y"]));
    assert_eq!(r, "NOKEY");
    let r: String = q(&mut a, &migrate_args(&p, &["missing", "0", "5000"]));
    assert_eq!(r, "NOKEY");
    assert_eq!(
        err(&mut a, &migrate_args(&p, &["b", "0", "5000", "KEYS", "b"])),
        "ERR When using MIGRATE KEYS option, the key argument must be set to the empty string"
    );
    assert_eq!(err(&mut a, &migrate_args(&p, &["b", "0", "5000", "AUTH"])), "ERR syntax error");
    assert_eq!(
        err(&mut a, &migrate_args(&p, &["b", "0", "5000", "AUTH2", "u"])),
        "ERR syntax error"
    );
    assert_eq!(err(&mut a, &migrate_args(&p, &["b", "0", "5000", "BOGUS"])), "ERR syntax error");
    // Options before the numbers: a syntax error wins over a bad timeout.
    assert_eq!(err(&mut a, &migrate_args(&p, &["b", "x", "y", "BOGUS"])), "ERR syntax error");
    assert_eq!(
        err(&mut a, &migrate_args(&p, &["b", "x", "5000"])),
        "ERR value is not an integer or out of range"
    );
    assert_eq!(
        err(&mut a, &["MIGRATE", "127.0.0.1", &p, "b", "0"]),
        "ERR wrong number of arguments for 'migrate' command"
    );
}

#[test]
fn ttl_and_destination_db() {
    let (src, dst) = (server(), server());
    let (mut a, mut b) = (src.conn(), dst.conn());
    let p = port(&dst);
    let _: () = q(&mut a, &["SET", "t", "v", "PX", "100000"]);
    let _: () = q(&mut a, &["SET", "u", "v"]);
    let r: String = q(&mut a, &migrate_args(&p, &["", "3", "5000", "KEYS", "t", "u"]));
    assert_eq!(r, "OK");
    let _: () = q(&mut b, &["SELECT", "3"]);
    let ttl: i64 = q(&mut b, &["PTTL", "t"]);
    assert!(ttl > 0 && ttl <= 100_000, "{ttl}");
    assert_eq!(q::<i64>(&mut b, &["PTTL", "u"]), -1);
    // Back to db 0 on the same cached connection: SELECT is sent again.
    let _: () = q(&mut a, &["SET", "w", "v"]);
    let r: String = q(&mut a, &migrate_args(&p, &["w", "0", "5000"]));
    assert_eq!(r, "OK");
    let _: () = q(&mut b, &["SELECT", "0"]);
    assert_eq!(q::<String>(&mut b, &["GET", "w"]), "v");
}

#[test]
fn auth_and_auth2() {
    let src = server();
    let dst = common::start_with(&["--requirepass", "pw"]);
    let mut a = src.conn();
    let p = port(&dst);
    let _: () = q(&mut a, &["SET", "k", "v"]);
    assert_eq!(
        err(&mut a, &migrate_args(&p, &["k", "0", "5000"])),
        "ERR Target instance replied with error: NOAUTH Authentication required."
    );
    assert_eq!(
        err(&mut a, &migrate_args(&p, &["k", "0", "5000", "AUTH", "bad"])),
        "ERR Target instance replied with error: WRONGPASS invalid username-password pair or user is disabled."
    );
    assert_eq!(q::<i64>(&mut a, &["EXISTS", "k"]), 1);
    let r: String = q(&mut a, &migrate_args(&p, &["k", "0", "5000", "COPY", "AUTH", "pw"]));
    assert_eq!(r, "OK");
    let r: String =
        q(&mut a, &migrate_args(&p, &["k", "0", "5000", "REPLACE", "AUTH2", "default", "pw"]));
    assert_eq!(r, "OK");
    assert_eq!(q::<i64>(&mut a, &["EXISTS", "k"]), 0);
    let mut b = redis::Client::open(format!("redis://:pw@{}/", dst.addr))
        .unwrap()
        .get_connection()
        .unwrap();
    assert_eq!(q::<String>(&mut b, &["GET", "k"]), "v");
}

#[test]
fn io_errors() {
    let src = server();
    let mut a = src.conn();
    let _: () = q(&mut a, &["SET", "k", "v"]);
    // Nothing listens: like Redis, the refused connect surfaces when writing.
    let closed = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port().to_string()
    };
    assert_eq!(
        err(&mut a, &migrate_args(&closed, &["k", "0", "200"])),
        "IOERR error or timeout writing to target instance"
    );
    // A target that accepts and never answers: the read times out.
    let mute = TcpListener::bind("127.0.0.1:0").unwrap();
    let mp = mute.local_addr().unwrap().port().to_string();
    assert_eq!(
        err(&mut a, &migrate_args(&mp, &["k", "0", "200"])),
        "IOERR error or timeout reading to target instance"
    );
    assert_eq!(q::<String>(&mut a, &["GET", "k"]), "v");
    // A value larger than the socket buffers to a target that never reads: the write
    // times out.
    let _: () = q(&mut a, &["CONFIG", "SET", "rdbcompression", "no"]);
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let big: Vec<u8> = (0..48 << 20)
        .map(|_| {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (x >> 56) as u8
        })
        .collect();
    let _: () = redis::cmd("SET").arg("big").arg(big).query(&mut a).unwrap();
    assert_eq!(
        err(&mut a, &migrate_args(&mp, &["big", "0", "200"])),
        "IOERR error or timeout writing to target instance"
    );
    assert_eq!(q::<i64>(&mut a, &["EXISTS", "big"]), 1);
    assert_eq!(info_field(&mut a, "migrate_cached_sockets"), "0");
}

#[test]
fn broken_cached_socket_is_retried_and_idle_ones_closed() {
    let (src, dst) = (server(), server());
    let (mut a, mut b) = (src.conn(), dst.conn());
    let p = port(&dst);
    let _: () = q(&mut a, &["SET", "k1", "v"]);
    let _: () = q(&mut a, &["SET", "k2", "v"]);
    let r: String = q(&mut a, &migrate_args(&p, &["k1", "0", "5000"]));
    assert_eq!(r, "OK");
    assert_eq!(info_field(&mut a, "migrate_cached_sockets"), "1");
    // The target drops the cached connection: the next MIGRATE reconnects once, silently.
    let killed: i64 = q(&mut b, &["CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"]);
    assert_eq!(killed, 1);
    let r: String = q(&mut a, &migrate_args(&p, &["k2", "0", "5000"]));
    assert_eq!(r, "OK");
    assert_eq!(q::<i64>(&mut b, &["EXISTS", "k1", "k2"]), 2);
    // Released by the cron after 10 idle seconds.
    let deadline = Instant::now() + Duration::from_secs(30);
    while info_field(&mut a, "migrate_cached_sockets") != "0" {
        assert!(Instant::now() < deadline, "cached socket never released");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// redis-server on a free port with extra options, killed on drop.
struct Redis {
    child: Child,
    port: u16,
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn redis_server(extra: &[&str]) -> Option<Redis> {
    let port = TcpListener::bind("127.0.0.1:0").ok()?.local_addr().ok()?.port();
    let child = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", ""])
        .args(["--appendonly", "no", "--enable-debug-command", "yes", "--loglevel", "warning"])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let srv = Redis { child, port };
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some(srv);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

#[test]
fn to_redis_and_back() {
    let Some(redis) = redis_server(&["--requirepass", "rpw"]) else {
        eprintln!("redis-server not installed: skipped");
        return;
    };
    let ours = server();
    let mut a = ours.conn();
    let mut r = redis::Client::open(format!("redis://:rpw@127.0.0.1:{}/", redis.port))
        .unwrap()
        .get_connection()
        .unwrap();
    let keys = populate(&mut a);
    let _: () = q(&mut a, &["PEXPIRE", "str", "100000"]);
    let whole: String = q(&mut a, &["DEBUG", "DIGEST"]);
    let before: Vec<String> = keys.iter().map(|k| digest(&mut a, k)).collect();
    let rp = redis.port.to_string();
    assert_eq!(
        err(&mut a, &migrate_args(&rp, &["str", "0", "5000", "AUTH", "nope"])),
        "ERR Target instance replied with error: WRONGPASS invalid username-password pair or user is disabled."
    );
    let mut args = migrate_args(&rp, &["", "0", "5000", "AUTH2", "default", "rpw", "KEYS"]);
    args.extend_from_slice(&keys);
    assert_eq!(q::<String>(&mut a, &args), "OK");
    assert_eq!(q::<i64>(&mut a, &["DBSIZE"]), 0);
    let there: Vec<String> = keys.iter().map(|k| digest(&mut r, k)).collect();
    assert_eq!(before, there);
    assert_eq!(q::<String>(&mut r, &["DEBUG", "DIGEST"]), whole);
    let ttl: i64 = q(&mut r, &["PTTL", "str"]);
    assert!(ttl > 0 && ttl <= 100_000, "{ttl}");
    // Redis's own MIGRATE brings everything back into ferrodis.
    let p = port(&ours);
    let mut args = migrate_args(&p, &["", "0", "5000", "KEYS"]);
    args.extend_from_slice(&keys);
    assert_eq!(q::<String>(&mut r, &args), "OK");
    assert_eq!(q::<i64>(&mut r, &["DBSIZE"]), 0);
    let back: Vec<String> = keys.iter().map(|k| digest(&mut a, k)).collect();
    assert_eq!(before, back);
    assert_eq!(q::<String>(&mut a, &["DEBUG", "DIGEST"]), whole);
    // BUSYKEY from a real Redis, then REPLACE.
    let _: () = q(&mut r, &["SET", "int", "other"]);
    let mut args = migrate_args(&rp, &["int", "0", "5000", "COPY", "AUTH", "rpw"]);
    assert_eq!(
        err(&mut a, &args),
        "ERR Target instance replied with error: BUSYKEY Target key name already exists."
    );
    args.push("REPLACE");
    assert_eq!(q::<String>(&mut a, &args), "OK");
    assert_eq!(q::<String>(&mut r, &["GET", "int"]), "12345");
}
