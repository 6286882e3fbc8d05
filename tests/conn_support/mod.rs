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

/// Read one whole reply (5 s at most).
pub fn read_reply(c: &mut Raw) -> Vec<u8> {
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut out = Vec::new();
    let mut buf = [0u8; 65536];
    while Instant::now() < deadline {
        if let Some(n) = frame_len(&out) {
            assert_eq!(n, out.len(), "more than one reply: {:?}", String::from_utf8_lossy(&out));
            return out;
        }
        match c.s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(_) => {}
        }
    }
    panic!("incomplete reply: {:?}", String::from_utf8_lossy(&out));
}

/// Send one command and read its whole reply.
pub fn call(c: &mut Raw, words: &[&str]) -> Vec<u8> {
    let args: Vec<&[u8]> = words.iter().map(|w| w.as_bytes()).collect();
    c.send(&resp(&args));
    read_reply(c)
}

/// The text inside a bulk or verbatim reply.
pub fn text(reply: &[u8]) -> String {
    let s = String::from_utf8_lossy(reply).into_owned();
    let body = s.split_once("\r\n").map(|x| x.1).unwrap_or("");
    let body = body.strip_suffix("\r\n").unwrap_or(body);
    body.strip_prefix("txt:").unwrap_or(body).to_string()
}
