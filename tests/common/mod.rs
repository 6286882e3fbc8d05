//! Test support: start a ferrodis server on an ephemeral port in this process, and talk to it
//! with the `redis` crate (RESP2 or RESP3) or raw sockets.
#![allow(dead_code)]

pub mod process;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use ferrodis::config::Config;
use ferrodis::server::Server;

pub struct TestServer {
    pub addr: SocketAddr,
}

static NEXT_DIR: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// A server with default settings on 127.0.0.1 and a free port.
pub fn start() -> TestServer {
    start_with(&[])
}

/// A server configured like `ferrodis --name value ...` (e.g. `&["--requirepass", "pw"]`).
pub fn start_with(opts: &[&str]) -> TestServer {
    // No save points and a private directory: an embedded server never writes RDB files
    // into the crate (SAVE, SHUTDOWN SAVE and FLUSHALL with save points would).
    let dir = std::env::temp_dir().join(format!(
        "ferrodis-test-{}-{}",
        std::process::id(),
        NEXT_DIR.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).expect("test dir");
    let mut args: Vec<String> = vec![
        "--port".into(),
        "0".into(),
        "--bind".into(),
        "127.0.0.1".into(),
        "--save".into(),
        "".into(),
        "--dir".into(),
        dir.display().to_string(),
    ];
    args.extend(opts.iter().map(|s| s.to_string()));
    let cfg = Config::from_args(&args).expect("test config parses");
    let server = Server::bind(cfg).expect("bind");
    let addr = server.local_addr();
    std::thread::spawn(move || server.run());
    TestServer { addr }
}

impl TestServer {
    pub fn url(&self) -> String {
        format!("redis://{}/", self.addr)
    }

    /// A RESP2 connection.
    pub fn conn(&self) -> redis::Connection {
        redis::Client::open(self.url()).unwrap().get_connection().unwrap()
    }

    /// A RESP3 connection (the client sends HELLO 3).
    pub fn conn3(&self) -> redis::Connection {
        redis::Client::open(format!("{}?protocol=resp3", self.url()))
            .unwrap()
            .get_connection()
            .unwrap()
    }

    /// Both protocols, for tests that must hold in RESP2 and RESP3.
    pub fn conns(&self) -> [redis::Connection; 2] {
        [self.conn(), self.conn3()]
    }

    pub fn raw(&self) -> Raw {
        let s = TcpStream::connect(self.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
        s.set_nodelay(true).unwrap();
        Raw { s }
    }
}

/// A raw socket for byte-exact protocol tests.
pub struct Raw {
    pub s: TcpStream,
}

impl Raw {
    pub fn send(&mut self, b: &[u8]) {
        self.s.write_all(b).unwrap();
    }

    /// Read whatever arrives within `wait` (stops early once `expect_len` bytes are in).
    pub fn read_for(&mut self, wait: Duration, expect_len: usize) -> (Vec<u8>, bool) {
        let deadline = Instant::now() + wait;
        let mut out = Vec::new();
        let mut closed = false;
        let mut buf = [0u8; 65536];
        while Instant::now() < deadline {
            match self.s.read(&mut buf) {
                Ok(0) => {
                    closed = true;
                    break;
                }
                Ok(n) => {
                    out.extend_from_slice(&buf[..n]);
                    if expect_len > 0 && out.len() >= expect_len {
                        break;
                    }
                }
                Err(e)
                    if e.kind() == std::io::ErrorKind::WouldBlock
                        || e.kind() == std::io::ErrorKind::TimedOut => {}
                Err(_) => {
                    closed = true;
                    break;
                }
            }
        }
        (out, closed)
    }

    /// Send a request and read the reply (expects exactly `expected.len()` bytes, 2 s max).
    pub fn roundtrip(&mut self, req: &[u8], expected_len: usize) -> Vec<u8> {
        self.send(req);
        self.read_for(Duration::from_secs(2), expected_len).0
    }

    /// Send and assert the exact reply bytes.
    pub fn expect(&mut self, req: &[u8], reply: &[u8]) {
        let got = self.roundtrip(req, reply.len());
        assert_eq!(
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(reply),
            "request {:?}",
            String::from_utf8_lossy(req)
        );
    }

    /// True if the server closed the connection within `wait`.
    pub fn closed_within(&mut self, wait: Duration) -> bool {
        self.read_for(wait, 0).1
    }
}

/// RESP encoding of a command, for raw tests.
pub fn resp(args: &[&[u8]]) -> Vec<u8> {
    let mut v = format!("*{}\r\n", args.len()).into_bytes();
    for a in args {
        v.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        v.extend_from_slice(a);
        v.extend_from_slice(b"\r\n");
    }
    v
}

/// A raw connection, switched to RESP3 with HELLO 3 first when `resp3`.
pub fn raw(srv: &TestServer, resp3: bool) -> Raw {
    let mut c = srv.raw();
    if resp3 {
        c.send(&resp(&[b"HELLO", b"3"]));
        let (hello, _) = c.read_for(Duration::from_millis(300), 0);
        assert!(hello.starts_with(b"%"), "HELLO 3: {:?}", String::from_utf8_lossy(&hello));
    }
    c
}

/// Send `words` as one command on a raw connection and assert the exact reply bytes.
pub fn exp(c: &mut Raw, words: &[&str], reply: &str) {
    let args: Vec<&[u8]> = words.iter().map(|w| w.as_bytes()).collect();
    c.expect(&resp(&args), reply.as_bytes());
}

/// A `redis` crate command from words.
pub fn cmd(words: &[&str]) -> redis::Cmd {
    let mut cmd = redis::cmd(words[0]);
    for w in &words[1..] {
        cmd.arg(*w);
    }
    cmd
}

/// Run a command that must succeed and convert its reply.
pub fn q<T: redis::FromRedisValue>(c: &mut redis::Connection, words: &[&str]) -> T {
    cmd(words).query(c).unwrap_or_else(|e| panic!("{words:?}: {e}"))
}

/// Run a command that must fail: the error line as Redis sends it, e.g. "ERR syntax error".
pub fn err(c: &mut redis::Connection, words: &[&str]) -> String {
    match cmd(words).query::<redis::Value>(c) {
        Ok(v) => panic!("{words:?} succeeded with {v:?}"),
        Err(e) => format!("{} {}", e.code().unwrap_or("?"), e.detail().unwrap_or("")),
    }
}

/// FLUSHALL.
pub fn flush(c: &mut redis::Connection) {
    let _: () = redis::cmd("FLUSHALL").query(c).unwrap();
}

/// OBJECT ENCODING of `key`.
pub fn encoding(c: &mut redis::Connection, key: &str) -> String {
    redis::cmd("OBJECT").arg("ENCODING").arg(key).query(c).unwrap()
}

/// A RESP request from words (raw-socket tests).
pub fn req(words: &[&str]) -> Vec<u8> {
    let v: Vec<&[u8]> = words.iter().map(|w| w.as_bytes()).collect();
    resp(&v)
}

/// One field of an INFO section, as text.
pub fn info_field(c: &mut redis::Connection, section: &str, field: &str) -> String {
    let info: String = q(c, &["INFO", section]);
    info.lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .unwrap_or_else(|| panic!("no {field} in INFO {section}"))
        .trim()
        .to_string()
}

/// Wait until INFO counts `n` blocked clients (10 s at most).
pub fn wait_blocked(c: &mut redis::Connection, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while info_field(c, "clients", "blocked_clients") != n.to_string() {
        assert!(Instant::now() < deadline, "never saw {n} blocked clients");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// A small deterministic xorshift generator for randomized tests (a fixed seed per test, so
/// a failure replays).
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Uniform-ish in 0..n (0 when n is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
}

/// Read until `want.len()` bytes arrived (5 s at most) and require exactly `want`.
pub fn read_exact(r: &mut Raw, want: &[u8]) {
    let (got, _) = r.read_for(Duration::from_secs(5), want.len());
    assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(want));
}

/// Nothing may arrive on `r` within 100 ms (a parked client stays silent).
pub fn silent(r: &mut Raw) {
    let (got, _) = r.read_for(Duration::from_millis(100), 0);
    assert!(got.is_empty(), "unexpected reply {:?}", String::from_utf8_lossy(&got));
}
