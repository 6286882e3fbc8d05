//! The packed entry format of a list node: Redis's listpack entry encoding, byte for byte
//! (so a node's bytes framed by a listpack header and end marker are Redis's listpack, see
//! `nodes.rs`; a test checks that against Redis's DUMP).
//!
//! An entry is `header payload backlen`. Strings that are the canonical decimal form of an
//! i64 are stored as integers (a 7-bit value costs one byte), so a list of counters or ids
//! costs what it costs in Redis. `backlen` holds the size of `header payload` in 7-bit groups
//! readable from the right, so a node can be walked in both directions.
//!
//! Headers:
//! - `0xxxxxxx`: integer 0..=127
//! - `10LLLLLL`: string of 0..=63 bytes
//! - `110xxxxx xxxxxxxx`: 13-bit signed integer
//! - `1110LLLL LLLLLLLL`: string of 64..=4095 bytes
//! - `0xF0` + 4-byte length: longer string (packed elements are under the packed threshold,
//!   < 4 GiB)
//! - `0xF5` + 8-byte length: ours, a string of 4 GiB or more (never packed while plain
//!   nodes take every element over the threshold; kept so the format has no limit)
//! - `0xF1`..`0xF4`: i16, i24, i32, i64 little endian

use crate::util::num;

/// One decoded element: the string bytes, or the integer it was stored as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Elem<'a> {
    Bytes(&'a [u8]),
    Int(i64),
}

impl<'a> Elem<'a> {
    /// The element's string form; integers are formatted into `buf`.
    #[inline]
    pub fn as_bytes<'b>(&self, buf: &'b mut [u8; 20]) -> &'b [u8]
    where
        'a: 'b,
    {
        match *self {
            Elem::Bytes(b) => b,
            Elem::Int(i) => fmt_i64(i, buf),
        }
    }

    /// The element a plain node holds as raw bytes, classified as a packed entry would be,
    /// so comparisons with a `Probe` behave the same whatever container holds it.
    #[inline]
    pub fn from_raw(v: &'a [u8]) -> Elem<'a> {
        match as_int(v) {
            Some(i) => Elem::Int(i),
            None => Elem::Bytes(v),
        }
    }

    pub fn to_vec(&self) -> Vec<u8> {
        let mut buf = [0u8; 20];
        self.as_bytes(&mut buf).to_vec()
    }

    /// Equal to a pre-classified probe.
    #[inline]
    pub fn matches(&self, p: &Probe) -> bool {
        match (self, p) {
            (Elem::Int(a), Probe::Int(b)) => a == b,
            (Elem::Bytes(a), Probe::Bytes(b)) => a == b,
            _ => false,
        }
    }
}

/// A value to compare entries with, classified once: since every canonical integer string
/// is stored as an integer, an integer entry never equals a non-integer string.
pub enum Probe<'a> {
    Bytes(&'a [u8]),
    Int(i64),
}

impl<'a> Probe<'a> {
    pub fn new(v: &'a [u8]) -> Probe<'a> {
        match as_int(v) {
            Some(i) => Probe::Int(i),
            None => Probe::Bytes(v),
        }
    }
}

#[inline]
fn as_int(v: &[u8]) -> Option<i64> {
    if v.is_empty() || v.len() > 20 {
        return None;
    }
    num::parse_i64(v)
}

pub fn fmt_i64(v: i64, buf: &mut [u8; 20]) -> &[u8] {
    let mut i = 20;
    let mut n = v.unsigned_abs();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if v < 0 {
        i -= 1;
        buf[i] = b'-';
    }
    &buf[i..]
}

/// Bytes the backlen of an entry body of `l` bytes takes.
#[inline]
fn backlen_size(l: usize) -> usize {
    let mut n = 1;
    let mut v = l >> 7;
    while v > 0 {
        n += 1;
        v >>= 7;
    }
    n
}

/// An element ready to be written: header bytes, and either integer or string payload.
pub struct Encoded<'a> {
    hdr: [u8; 9],
    hdr_len: u8,
    payload: &'a [u8],
}

impl<'a> Encoded<'a> {
    pub fn new(v: &'a [u8]) -> Encoded<'a> {
        let mut hdr = [0u8; 9];
        if let Some(i) = as_int(v) {
            let hdr_len = if (0..=127).contains(&i) {
                hdr[0] = i as u8;
                1
            } else if (-4096..=4095).contains(&i) {
                let u = (i as u16) & 0x1FFF;
                hdr[0] = 0xC0 | (u >> 8) as u8;
                hdr[1] = u as u8;
                2
            } else {
                let (tag, n) = if i16::try_from(i).is_ok() {
                    (0xF1, 2)
                } else if (-(1 << 23)..(1 << 23)).contains(&i) {
                    (0xF2, 3)
                } else if i32::try_from(i).is_ok() {
                    (0xF3, 4)
                } else {
                    (0xF4, 8)
                };
                hdr[0] = tag;
                hdr[1..1 + n].copy_from_slice(&i.to_le_bytes()[..n]);
                1 + n
            };
            return Encoded { hdr, hdr_len: hdr_len as u8, payload: &[] };
        }
        let l = v.len();
        let hdr_len = if l < 64 {
            hdr[0] = 0x80 | l as u8;
            1
        } else if l < 4096 {
            hdr[0] = 0xE0 | (l >> 8) as u8;
            hdr[1] = l as u8;
            2
        } else if let Ok(l32) = u32::try_from(l) {
            hdr[0] = 0xF0;
            hdr[1..5].copy_from_slice(&l32.to_le_bytes());
            5
        } else {
            hdr[0] = 0xF5;
            hdr[1..9].copy_from_slice(&(l as u64).to_le_bytes());
            9
        };
        Encoded { hdr, hdr_len: hdr_len as u8, payload: v }
    }

    #[inline]
    fn body(&self) -> usize {
        self.hdr_len as usize + self.payload.len()
    }

    /// Total bytes the entry takes in a node.
    #[inline]
    pub fn size(&self) -> usize {
        let b = self.body();
        b + backlen_size(b)
    }

    /// Write the entry into `out`, which is exactly `size()` bytes.
    pub fn write(&self, out: &mut [u8]) {
        let h = self.hdr_len as usize;
        out[..h].copy_from_slice(&self.hdr[..h]);
        let body = self.body();
        out[h..body].copy_from_slice(self.payload);
        let n = out.len() - body;
        // Groups of 7 bits, least significant rightmost; every byte but the leftmost is
        // flagged, so a reader going left knows when to stop.
        let mut v = body;
        for i in (0..n).rev() {
            let flag = if i == 0 { 0 } else { 0x80 };
            out[body + i] = (v & 0x7F) as u8 | flag;
            v >>= 7;
        }
    }
}

/// Decode the entry starting at `off`; returns it and the offset of the next entry.
#[inline]
pub fn decode(buf: &[u8], off: usize) -> (Elem<'_>, usize) {
    let h = buf[off];
    let (elem, body) = if h < 0x80 {
        (Elem::Int(h as i64), 1)
    } else if h & 0xC0 == 0x80 {
        let l = (h & 0x3F) as usize;
        (Elem::Bytes(&buf[off + 1..off + 1 + l]), 1 + l)
    } else if h & 0xE0 == 0xC0 {
        let u = (((h & 0x1F) as u16) << 8) | buf[off + 1] as u16;
        // Sign-extend 13 bits.
        let i = ((u << 3) as i16 >> 3) as i64;
        (Elem::Int(i), 2)
    } else if h & 0xF0 == 0xE0 {
        let l = (((h & 0x0F) as usize) << 8) | buf[off + 1] as usize;
        (Elem::Bytes(&buf[off + 2..off + 2 + l]), 2 + l)
    } else if h == 0xF0 {
        let mut b = [0u8; 4];
        b.copy_from_slice(&buf[off + 1..off + 5]);
        let l = u32::from_le_bytes(b) as usize;
        (Elem::Bytes(&buf[off + 5..off + 5 + l]), 5 + l)
    } else if h == 0xF5 {
        let mut b = [0u8; 8];
        b.copy_from_slice(&buf[off + 1..off + 9]);
        let l = u64::from_le_bytes(b) as usize;
        (Elem::Bytes(&buf[off + 9..off + 9 + l]), 9 + l)
    } else {
        let n = match h {
            0xF1 => 2,
            0xF2 => 3,
            0xF3 => 4,
            _ => 8,
        };
        let mut b = [0u8; 8];
        b[..n].copy_from_slice(&buf[off + 1..off + 1 + n]);
        // Sign-extend from n bytes.
        let shift = 64 - 8 * n as u32;
        let i = (i64::from_le_bytes(b) << shift) >> shift;
        (Elem::Int(i), 1 + n)
    };
    (elem, off + body + backlen_size(body))
}

/// Offset of the entry that ends at `end` (the start of the following entry, or the node's
/// length).
#[inline]
pub fn prev(buf: &[u8], end: usize) -> usize {
    let mut p = end - 1;
    let mut v = 0usize;
    let mut shift = 0;
    loop {
        let b = buf[p];
        v |= ((b & 0x7F) as usize) << shift;
        if b & 0x80 == 0 {
            break;
        }
        p -= 1;
        shift += 7;
    }
    p - v
}

/// Check untrusted listpack entries (the bytes between a listpack's header and its end
/// marker, from an RDB or RESTORE payload): every entry's header, length and backlen must be
/// well formed and inside `buf`, so that `decode` and `prev` can never read out of bounds.
/// Returns the entry count and whether some string entry is the canonical form of an integer
/// (Redis always stores those as integers; such a node must be re-encoded, since matching
/// relies on it). None when malformed.
pub fn validate(buf: &[u8]) -> Option<(usize, bool)> {
    let mut off = 0usize;
    let mut count = 0usize;
    let mut int_strings = false;
    while off < buf.len() {
        let h = buf[off];
        let (hdr, payload, is_str): (usize, usize, bool) = if h < 0x80 {
            (1, 0, false)
        } else if h & 0xC0 == 0x80 {
            (1, (h & 0x3F) as usize, true)
        } else if h & 0xE0 == 0xC0 {
            (2, 0, false)
        } else if h & 0xF0 == 0xE0 {
            let lo = *buf.get(off + 1)? as usize;
            (2, (((h & 0x0F) as usize) << 8) | lo, true)
        } else if h == 0xF0 {
            let b = buf.get(off + 1..off + 5)?;
            (5, u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize, true)
        } else {
            match h {
                0xF1 => (3, 0, false),
                0xF2 => (4, 0, false),
                0xF3 => (5, 0, false),
                0xF4 => (9, 0, false),
                _ => return None,
            }
        };
        let body = hdr.checked_add(payload)?;
        let end_body = off.checked_add(body)?;
        let end = end_body.checked_add(backlen_size(body))?;
        if end > buf.len() {
            return None;
        }
        // The backlen must be exactly what `write` puts there (what `prev` reads back).
        let mut v = body;
        for i in (0..end - end_body).rev() {
            let flag = if i == 0 { 0 } else { 0x80 };
            if buf[end_body + i] != (v & 0x7F) as u8 | flag {
                return None;
            }
            v >>= 7;
        }
        if is_str && as_int(&buf[off + hdr..end_body]).is_some() {
            int_strings = true;
        }
        off = end;
        count += 1;
    }
    Some((count, int_strings))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip(v: &[u8]) {
        let e = Encoded::new(v);
        let mut buf = vec![0xAAu8; 3];
        let start = buf.len();
        buf.resize(start + e.size(), 0);
        e.write(&mut buf[start..]);
        let (got, next) = decode(&buf, start);
        assert_eq!(next, buf.len(), "{:?}", String::from_utf8_lossy(v));
        assert_eq!(got.to_vec(), v);
        assert_eq!(prev(&buf, buf.len()), start);
    }

    #[test]
    fn every_encoding_roundtrips() {
        for v in [
            &b""[..],
            b"0",
            b"127",
            b"128",
            b"-1",
            b"-4096",
            b"4095",
            b"4096",
            b"-4097",
            b"32767",
            b"-32768",
            b"32768",
            b"8388607",
            b"-8388608",
            b"8388608",
            b"2147483647",
            b"-2147483648",
            b"2147483648",
            b"9223372036854775807",
            b"-9223372036854775808",
            b"9223372036854775808",
            b"-0",
            b"01",
            b"+1",
            b"hello",
        ] {
            roundtrip(v);
        }
        for l in [62, 63, 64, 120, 127, 128, 4094, 4095, 4096, 20000] {
            roundtrip(&vec![b'x'; l]);
        }
    }

    #[test]
    fn small_values_are_small() {
        // Listpack's sizes: 32-bit string header of 5 bytes, 2-byte backlen.
        assert_eq!(Encoded::new(&[b'x'; 5000]).size(), 5000 + 5 + 2);
        assert_eq!(Encoded::new(&[b'x'; 4095]).size(), 4095 + 2 + 2);
        assert_eq!(Encoded::new(b"7").size(), 2);
        assert_eq!(Encoded::new(b"-100").size(), 3);
        assert_eq!(Encoded::new(b"abc").size(), 5);
        assert_eq!(Encoded::new(b"123456").size(), 5);
    }

    #[test]
    fn validate_accepts_encoded_entries_and_refuses_truncations() {
        let mut buf = Vec::new();
        for v in [&b"7"[..], b"-100", b"abc", b"123456", b"9223372036854775807", &[b'x'; 5000]] {
            let e = Encoded::new(v);
            let at = buf.len();
            buf.resize(at + e.size(), 0);
            e.write(&mut buf[at..]);
        }
        assert_eq!(validate(&buf), Some((6, false)));
        for cut in 0..buf.len() {
            if validate(&buf[..cut]).is_some() {
                // Only cuts at entry boundaries are whole lists of entries.
                assert!([0, 2, 5, 10, 15, 25].contains(&cut), "cut {cut}");
            }
        }
        // A string entry holding "12" is valid but flagged for re-encoding.
        assert_eq!(validate(&[0x82, b'1', b'2', 0x03]), Some((1, true)));
        // A wrong backlen, an unknown header.
        assert_eq!(validate(&[0x82, b'a', b'b', 0x04]), None);
        assert_eq!(validate(&[0xF5, 0, 0]), None);
        assert_eq!(validate(&[0x05, 0x81]), None);
    }

    #[test]
    fn probes_match_only_their_form() {
        let p = Probe::new(b"12");
        assert!(Elem::Int(12).matches(&p));
        assert!(!Elem::Bytes(b"12").matches(&p));
        let p = Probe::new(b"012");
        assert!(Elem::Bytes(b"012").matches(&p));
        assert!(!Elem::Int(12).matches(&p));
    }
}
