//! Differential tests: every script in tests/diff/*.txt runs against a real redis-server (from
//! PATH) and against ferrodis, in RESP2 and in RESP3, and every reply must be byte-identical.
//!
//! Script format: one command per line in redis-cli syntax (double quotes with `\xHH` escapes,
//! single quotes literal), `#` comments, `!sleep MS` pauses. Each script starts from FLUSHALL.
//! Without redis-server on PATH the test says so and passes, unless FERRODIS_REQUIRE_ORACLE=1
//! (CI sets it, and installs redis-server).

mod common;

use common::process::start_oracle;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

/// Split a line like redis-cli does (sdssplitargs).
fn split_args(line: &str) -> Option<Vec<Vec<u8>>> {
    let b = line.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= b.len() {
            return Some(out);
        }
        let mut cur = Vec::new();
        if b[i] == b'"' {
            i += 1;
            loop {
                if i >= b.len() {
                    return None;
                }
                match b[i] {
                    b'\\'
                        if i + 3 < b.len()
                            && b[i + 1] == b'x'
                            && b[i + 2].is_ascii_hexdigit()
                            && b[i + 3].is_ascii_hexdigit() =>
                    {
                        let h = std::str::from_utf8(&b[i + 2..i + 4]).ok()?;
                        cur.push(u8::from_str_radix(h, 16).ok()?);
                        i += 4;
                    }
                    b'\\' if i + 1 < b.len() => {
                        cur.push(match b[i + 1] {
                            b'n' => b'\n',
                            b'r' => b'\r',
                            b't' => b'\t',
                            b'b' => 8,
                            b'a' => 7,
                            c => c,
                        });
                        i += 2;
                    }
                    b'"' => {
                        i += 1;
                        break;
                    }
                    c => {
                        cur.push(c);
                        i += 1;
                    }
                }
            }
        } else if b[i] == b'\'' {
            i += 1;
            loop {
                if i >= b.len() {
                    return None;
                }
                match b[i] {
                    b'\\' if i + 1 < b.len() && b[i + 1] == b'\'' => {
                        cur.push(b'\'');
                        i += 2;
                    }
                    b'\'' => {
                        i += 1;
                        break;
                    }
                    c => {
                        cur.push(c);
                        i += 1;
                    }
                }
            }
        } else {
            while i < b.len() && !b[i].is_ascii_whitespace() {
                cur.push(b[i]);
                i += 1;
            }
        }
        out.push(cur);
    }
}

fn encode(args: &[Vec<u8>]) -> Vec<u8> {
    let refs: Vec<&[u8]> = args.iter().map(|a| a.as_slice()).collect();
    common::resp(&refs)
}

/// Length of the first complete RESP2/RESP3 frame in `b`, if complete.
fn frame_len(b: &[u8]) -> Option<usize> {
    let line_end = |from: usize| -> Option<usize> {
        b[from..].windows(2).position(|w| w == b"\r\n").map(|p| from + p)
    };
    let t = *b.first()?;
    let e = line_end(1)?;
    let head = std::str::from_utf8(&b[1..e]).ok()?;
    let after = e + 2;
    match t {
        b'+' | b'-' | b':' | b'_' | b'#' | b',' | b'(' => Some(after),
        b'$' | b'!' | b'=' => {
            let n: i64 = head.parse().ok()?;
            if n < 0 {
                return Some(after);
            }
            let end = after + n as usize + 2;
            (b.len() >= end).then_some(end)
        }
        b'*' | b'~' | b'%' | b'>' | b'|' => {
            let n: i64 = head.parse().ok()?;
            if n < 0 {
                return Some(after);
            }
            let count = if t == b'%' || t == b'|' { n * 2 } else { n };
            let mut pos = after;
            for _ in 0..count {
                pos += frame_len(&b[pos..])?;
            }
            if t == b'|' {
                // An attribute precedes the real reply.
                pos += frame_len(&b[pos..])?;
            }
            Some(pos)
        }
        _ => None,
    }
}

struct Peer {
    s: TcpStream,
    buf: Vec<u8>,
}

impl Peer {
    fn connect(port: u16) -> Peer {
        let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.set_read_timeout(Some(Duration::from_millis(100))).unwrap();
        Peer { s, buf: Vec::new() }
    }

    fn call(&mut self, req: &[u8]) -> Vec<u8> {
        self.s.write_all(req).unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut tmp = [0u8; 65536];
        loop {
            if let Some(n) = frame_len(&self.buf) {
                return self.buf.drain(..n).collect();
            }
            if Instant::now() > deadline {
                return b"<timeout>".to_vec();
            }
            match self.s.read(&mut tmp) {
                Ok(0) => return b"<closed>".to_vec(),
                Ok(n) => self.buf.extend_from_slice(&tmp[..n]),
                Err(_) => {}
            }
        }
    }
}

fn run_script(
    path: &Path,
    oracle_port: u16,
    ours_port: u16,
    resp3: bool,
    failures: &mut Vec<String>,
) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut a = Peer::connect(oracle_port);
    let mut b = Peer::connect(ours_port);
    let flush = encode(&[b"FLUSHALL".to_vec()]);
    a.call(&flush);
    b.call(&flush);
    if resp3 {
        let hello = encode(&[b"HELLO".to_vec(), b"3".to_vec()]);
        a.call(&hello);
        b.call(&hello);
    }
    for (no, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(ms) = line.strip_prefix("!sleep ") {
            std::thread::sleep(Duration::from_millis(ms.trim().parse().unwrap_or(0)));
            continue;
        }
        let Some(args) = split_args(line) else {
            failures.push(format!("{}:{}: cannot parse line", path.display(), no + 1));
            continue;
        };
        let req = encode(&args);
        let want = a.call(&req);
        let got = b.call(&req);
        if want != got {
            failures.push(format!(
                "{}:{} [{}] {}\n   redis: {:?}\n   ours:  {:?}",
                path.file_name().unwrap().to_string_lossy(),
                no + 1,
                if resp3 { "RESP3" } else { "RESP2" },
                line,
                String::from_utf8_lossy(&want),
                String::from_utf8_lossy(&got)
            ));
        }
    }
}

#[test]
fn scripts_match_redis() {
    let Some(oracle) = start_oracle() else {
        if std::env::var("FERRODIS_REQUIRE_ORACLE").as_deref() == Ok("1") {
            panic!("redis-server is required (FERRODIS_REQUIRE_ORACLE=1) but could not start");
        }
        eprintln!("redis-server not found on PATH: differential scripts skipped");
        return;
    };
    let ours = common::start_with(&["--enable-debug-command", "yes"]);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/diff");
    let mut scripts: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    scripts.sort();
    assert!(!scripts.is_empty(), "no scripts in {}", dir.display());
    let only = std::env::var("FERRODIS_DIFF_ONLY").ok();
    let mut failures = Vec::new();
    for s in &scripts {
        if let Some(o) = &only {
            if !s.to_string_lossy().contains(o.as_str()) {
                continue;
            }
        }
        for resp3 in [false, true] {
            run_script(s, oracle.port, ours.addr.port(), resp3, &mut failures);
        }
    }
    assert!(failures.is_empty(), "{} differences:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn frame_reader_handles_every_type() {
    assert_eq!(frame_len(b"+OK\r\n"), Some(5));
    assert_eq!(frame_len(b"$3\r\nabc\r\n"), Some(9));
    assert_eq!(frame_len(b"$3\r\nab"), None);
    assert_eq!(frame_len(b"*2\r\n:1\r\n$-1\r\n"), Some(13));
    assert_eq!(frame_len(b"%1\r\n+a\r\n,1.5\r\n"), Some(14));
    assert_eq!(frame_len(b"*-1\r\n"), Some(5));
    assert_eq!(
        split_args(r#"set "a\x41 b" 'c d'"#).unwrap(),
        vec![b"set".to_vec(), b"aA b".to_vec(), b"c d".to_vec()]
    );
}
