//! Helpers shared by the connection, client and command tests: read exactly one RESP reply
//! (so tests never wait for a timeout to know a reply is complete) and decode it.
#![allow(dead_code)]

use std::io::Read;
use std::time::{Duration, Instant};

use super::common::{resp, Raw};

/// Length of the first complete RESP2/RESP3 frame in `b`, if complete.
pub fn frame_len(b: &[u8]) -> Option<usize> {
    let end = b.windows(2).position(|w| w == b"\r\n")?;
    let line = std::str::from_utf8(&b[1..end]).ok()?;
    let head = end + 2;
    match b.first()? {
        b'+' | b'-' | b':' | b'_' | b',' | b'#' | b'(' => Some(head),
        b'$' | b'=' | b'!' => {
            let n: i64 = line.parse().ok()?;
            if n < 0 {
                return Some(head);
            }
            let total = head + n as usize + 2;
            (b.len() >= total).then_some(total)
        }
        b'*' | b'~' | b'>' | b'%' | b'|' => {
            let n: i64 = line.parse().ok()?;
            let items = if n < 0 {
                0
            } else if matches!(b[0], b'%' | b'|') {
                2 * n as usize
            } else {
                n as usize
            };
            let mut pos = head;
            for _ in 0..items {
                pos += frame_len(&b[pos..])?;
            }
            Some(pos)
        }
        _ => None,
    }
}

/// A raw connection that keeps bytes read past the reply it was waiting for, so pipelined
/// replies can be read one at a time.
pub struct Conn {
    pub raw: Raw,
    buf: Vec<u8>,
}

impl Conn {
    pub fn new(raw: Raw) -> Conn {
        Conn { raw, buf: Vec::new() }
    }

    pub fn send(&mut self, b: &[u8]) {
        self.raw.send(b);
    }

    /// Read one whole reply (5 s at most).
    pub fn read_reply(&mut self) -> Vec<u8> {
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut tmp = [0u8; 65536];
        loop {
            if let Some(n) = frame_len(&self.buf) {
                let rest = self.buf.split_off(n);
                return std::mem::replace(&mut self.buf, rest);
            }
            if Instant::now() >= deadline {
                panic!("incomplete reply: {:?}", String::from_utf8_lossy(&self.buf));
            }
            match self.raw.s.read(&mut tmp) {
                Ok(0) => panic!("closed; partial reply: {:?}", String::from_utf8_lossy(&self.buf)),
                Ok(n) => self.buf.extend_from_slice(&tmp[..n]),
                Err(_) => {}
            }
        }
    }

    /// Send one command and read its whole reply.
    pub fn call(&mut self, words: &[&str]) -> Vec<u8> {
        let args: Vec<&[u8]> = words.iter().map(|w| w.as_bytes()).collect();
        self.send(&resp(&args));
        self.read_reply()
    }

    /// True if nothing arrives within `wait`.
    pub fn silent_for(&mut self, wait: Duration) -> bool {
        if !self.buf.is_empty() {
            return false;
        }
        let (got, _) = self.raw.read_for(wait, 0);
        self.buf.extend_from_slice(&got);
        got.is_empty()
    }

    /// True if the server closed the connection within `wait` (after any pending bytes).
    pub fn closed_within(&mut self, wait: Duration) -> bool {
        self.raw.closed_within(wait)
    }
}

/// The text inside a bulk or verbatim reply.
pub fn text(reply: &[u8]) -> String {
    let s = String::from_utf8_lossy(reply).into_owned();
    let body = s.split_once("\r\n").map(|x| x.1).unwrap_or("");
    let body = body.strip_suffix("\r\n").unwrap_or(body);
    body.strip_prefix("txt:").unwrap_or(body).to_string()
}

/// A raw connection that reads whole replies, switched to RESP3 with HELLO 3 when `resp3`.
pub fn raw(srv: &super::common::TestServer, resp3: bool) -> Conn {
    let mut c = Conn::new(srv.raw());
    if resp3 {
        let hello = c.call(&["HELLO", "3"]);
        assert!(hello.starts_with(b"%7\r\n"), "HELLO 3: {:?}", String::from_utf8_lossy(&hello));
    }
    c
}

/// Send `words` and assert the exact reply.
pub fn exp(c: &mut Conn, words: &[&str], reply: &str) {
    let got = c.call(words);
    assert_eq!(String::from_utf8_lossy(&got), reply, "{words:?}");
}
