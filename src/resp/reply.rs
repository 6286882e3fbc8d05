//! Append-only RESP2/RESP3 reply encoder.
//!
//! Handlers write replies through [`Reply`], which appends to the connection's output buffer
//! and picks the RESP2 or RESP3 shape of each type. Nothing is flushed here: the loop writes
//! each connection once per turn.

use crate::util::num;

/// A reply writer over an output buffer, for one protocol version.
pub struct Reply<'a> {
    pub buf: &'a mut Vec<u8>,
    pub resp3: bool,
}

/// Position of a length header written before its element count was known.
#[derive(Debug, Clone, Copy)]
pub struct Deferred {
    pos: usize,
    kind: u8,
}

impl<'a> Reply<'a> {
    pub fn new(buf: &'a mut Vec<u8>, resp3: bool) -> Self {
        Reply { buf, resp3 }
    }

    #[inline]
    pub fn ok(&mut self) {
        self.buf.extend_from_slice(b"+OK\r\n");
    }

    #[inline]
    pub fn raw(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// `+text`: CR and LF are replaced by spaces so a reply can never inject a frame.
    pub fn simple(&mut self, s: &[u8]) {
        self.buf.push(b'+');
        push_sanitized(self.buf, s);
        self.buf.extend_from_slice(b"\r\n");
    }

    /// `-text`: the full error line (e.g. `ERR syntax error`), sanitized like `simple`.
    pub fn error(&mut self, s: &str) {
        self.buf.push(b'-');
        push_sanitized(self.buf, s.as_bytes());
        self.buf.extend_from_slice(b"\r\n");
    }

    /// `-text` from raw bytes (errors that echo client input), sanitized like `simple`.
    pub fn error_bytes(&mut self, s: &[u8]) {
        self.buf.push(b'-');
        push_sanitized(self.buf, s);
        self.buf.extend_from_slice(b"\r\n");
    }

    #[inline]
    pub fn int(&mut self, v: i64) {
        self.buf.push(b':');
        num::write_i64(self.buf, v);
        self.buf.extend_from_slice(b"\r\n");
    }

    #[inline]
    pub fn bulk(&mut self, s: &[u8]) {
        self.buf.push(b'$');
        num::write_i64(self.buf, s.len() as i64);
        self.buf.extend_from_slice(b"\r\n");
        self.buf.extend_from_slice(s);
        self.buf.extend_from_slice(b"\r\n");
    }

    /// A bulk string holding the decimal form of `v` (e.g. INCRBYFLOAT-style text replies).
    pub fn bulk_i64(&mut self, v: i64) {
        let mut tmp = Vec::with_capacity(20);
        num::write_i64(&mut tmp, v);
        self.bulk(&tmp);
    }

    /// Null bulk string: `$-1` in RESP2, `_` in RESP3.
    #[inline]
    pub fn null(&mut self) {
        if self.resp3 {
            self.buf.extend_from_slice(b"_\r\n");
        } else {
            self.buf.extend_from_slice(b"$-1\r\n");
        }
    }

    /// Null array: `*-1` in RESP2, `_` in RESP3.
    pub fn null_array(&mut self) {
        if self.resp3 {
            self.buf.extend_from_slice(b"_\r\n");
        } else {
            self.buf.extend_from_slice(b"*-1\r\n");
        }
    }

    #[inline]
    pub fn array(&mut self, n: usize) {
        self.header(b'*', n);
    }

    /// A map of `n` pairs: `%n` in RESP3, a flat array of 2n elements in RESP2.
    pub fn map(&mut self, n: usize) {
        if self.resp3 {
            self.header(b'%', n);
        } else {
            self.header(b'*', n * 2);
        }
    }

    /// A set: `~n` in RESP3, an array in RESP2.
    pub fn set(&mut self, n: usize) {
        self.header(if self.resp3 { b'~' } else { b'*' }, n);
    }

    /// An out-of-band push: `>n` in RESP3, an array in RESP2.
    pub fn push(&mut self, n: usize) {
        self.header(if self.resp3 { b'>' } else { b'*' }, n);
    }

    /// A double: `,x` in RESP3, a bulk string in RESP2.
    pub fn double(&mut self, v: f64) {
        let mut tmp = Vec::with_capacity(24);
        num::write_f64(&mut tmp, v);
        if self.resp3 {
            self.buf.push(b',');
            self.buf.extend_from_slice(&tmp);
            self.buf.extend_from_slice(b"\r\n");
        } else {
            self.bulk(&tmp);
        }
    }

    /// A boolean: `#t`/`#f` in RESP3, `:1`/`:0` in RESP2.
    pub fn boolean(&mut self, b: bool) {
        if self.resp3 {
            self.buf.extend_from_slice(if b { b"#t\r\n" } else { b"#f\r\n" });
        } else {
            self.int(b as i64);
        }
    }

    /// Verbatim text (INFO, CLIENT INFO...): `=len\r\ntxt:...` in RESP3, bulk in RESP2.
    pub fn verbatim(&mut self, s: &[u8]) {
        if self.resp3 {
            self.buf.push(b'=');
            num::write_i64(self.buf, s.len() as i64 + 4);
            self.buf.extend_from_slice(b"\r\ntxt:");
            self.buf.extend_from_slice(s);
            self.buf.extend_from_slice(b"\r\n");
        } else {
            self.bulk(s);
        }
    }

    /// A big number: `(n` in RESP3, bulk in RESP2.
    pub fn bignum(&mut self, digits: &[u8]) {
        if self.resp3 {
            self.buf.push(b'(');
            self.buf.extend_from_slice(digits);
            self.buf.extend_from_slice(b"\r\n");
        } else {
            self.bulk(digits);
        }
    }

    #[inline]
    fn header(&mut self, t: u8, n: usize) {
        self.buf.push(t);
        num::write_i64(self.buf, n as i64);
        self.buf.extend_from_slice(b"\r\n");
    }

    /// Start an aggregate whose length is not known yet (`kind` is b'*', b'%' (map pairs),
    /// b'~' (set)). Finish with [`Reply::set_deferred`].
    pub fn deferred(&mut self, kind: u8) -> Deferred {
        let pos = self.buf.len();
        Deferred { pos, kind }
    }

    /// Insert the header of a deferred aggregate now that `n` elements (pairs for maps) are known.
    pub fn set_deferred(&mut self, d: Deferred, n: usize) {
        let (t, count) = match d.kind {
            b'%' if self.resp3 => (b'%', n),
            b'%' => (b'*', n * 2),
            b'~' if self.resp3 => (b'~', n),
            _ => (b'*', n),
        };
        let mut hdr = Vec::with_capacity(16);
        hdr.push(t);
        num::write_i64(&mut hdr, count as i64);
        hdr.extend_from_slice(b"\r\n");
        self.buf.splice(d.pos..d.pos, hdr);
    }
}

fn push_sanitized(buf: &mut Vec<u8>, s: &[u8]) {
    if memchr::memchr2(b'\r', b'\n', s).is_none() {
        buf.extend_from_slice(s);
    } else {
        buf.extend(s.iter().map(|&c| if c == b'\r' || c == b'\n' { b' ' } else { c }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_and_error_never_carry_crlf() {
        let mut b = Vec::new();
        let mut r = Reply::new(&mut b, false);
        r.simple(b"a\r\n+X");
        r.error("ERR a\r\nb");
        assert_eq!(b, b"+a  +X\r\n-ERR a  b\r\n");
    }

    #[test]
    fn shapes_per_protocol() {
        let mut b = Vec::new();
        let mut r = Reply::new(&mut b, false);
        r.map(2);
        r.null();
        r.boolean(true);
        r.set(1);
        assert_eq!(b, b"*4\r\n$-1\r\n:1\r\n*1\r\n");
        let mut b = Vec::new();
        let mut r = Reply::new(&mut b, true);
        r.map(2);
        r.null();
        r.boolean(true);
        r.set(1);
        r.verbatim(b"hi");
        assert_eq!(b, b"%2\r\n_\r\n#t\r\n~1\r\n=6\r\ntxt:hi\r\n");
    }

    #[test]
    fn deferred_header_is_inserted() {
        let mut b = b"x".to_vec();
        let mut r = Reply::new(&mut b, false);
        let d = r.deferred(b'%');
        r.bulk(b"k");
        r.bulk(b"v");
        r.set_deferred(d, 1);
        assert_eq!(b, b"x*2\r\n$1\r\nk\r\n$1\r\nv\r\n");
    }
}
