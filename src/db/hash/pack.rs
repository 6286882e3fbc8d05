//! The compact hash encoding (Redis's listpack, reported as `listpack`): fields and values
//! alternate in one byte buffer, each a varint length and its bytes. Lookups are linear,
//! which is what a small hash wants; order is insertion order, and an updated value keeps its
//! place, exactly as in Redis (HGETALL/HSCAN of a small hash are therefore deterministic).

/// Append `n` as a LEB128 varint.
fn put_varint(buf: &mut Vec<u8>, mut n: usize) {
    while n >= 0x80 {
        buf.push((n as u8) | 0x80);
        n >>= 7;
    }
    buf.push(n as u8);
}

/// Bytes `put_varint` writes for `n`.
fn varint_len(mut n: usize) -> usize {
    let mut len = 1;
    while n >= 0x80 {
        n >>= 7;
        len += 1;
    }
    len
}

/// Decode the varint at `pos`: (value, position after it). Only ever reads buffers this
/// module wrote.
#[inline]
fn get_varint(buf: &[u8], mut pos: usize) -> (usize, usize) {
    let mut n = 0usize;
    let mut shift = 0;
    loop {
        let b = buf[pos];
        pos += 1;
        n |= usize::from(b & 0x7f) << shift;
        if b < 0x80 {
            return (n, pos);
        }
        shift += 7;
    }
}

/// Field/value pairs in one buffer.
#[derive(Clone, Default, Debug)]
pub struct ListPack {
    buf: Vec<u8>,
    /// Number of pairs.
    len: usize,
}

/// Where a pair lives: field start, value start, value end.
struct Slot {
    field: usize,
    value: usize,
    end: usize,
}

impl ListPack {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Encoded size in bytes (Redis checks a listpack never passes 1 GB).
    pub fn bytes(&self) -> usize {
        self.buf.len()
    }

    pub fn heap_size(&self) -> usize {
        self.buf.capacity()
    }

    /// The element at `pos`: its bytes and the position after it.
    #[inline]
    fn elem(&self, pos: usize) -> (&[u8], usize) {
        let (n, start) = get_varint(&self.buf, pos);
        (&self.buf[start..start + n], start + n)
    }

    fn find(&self, field: &[u8]) -> Option<Slot> {
        let mut pos = 0;
        while pos < self.buf.len() {
            let (f, vpos) = self.elem(pos);
            let (_, end) = self.elem(vpos);
            if f == field {
                return Some(Slot { field: pos, value: vpos, end });
            }
            pos = end;
        }
        None
    }

    pub fn get(&self, field: &[u8]) -> Option<&[u8]> {
        self.find(field).map(|s| self.elem(s.value).0)
    }

    /// Set `field` to `value`; true if the field is new (appended at the end).
    pub fn set(&mut self, field: &[u8], value: &[u8]) -> bool {
        match self.find(field) {
            Some(s) => {
                let mut enc = Vec::with_capacity(varint_len(value.len()) + value.len());
                put_varint(&mut enc, value.len());
                enc.extend_from_slice(value);
                self.buf.splice(s.value..s.end, enc);
                false
            }
            None => {
                let add =
                    varint_len(field.len()) + field.len() + varint_len(value.len()) + value.len();
                // Exact growth: small hashes are many, so slack would cost more than copies.
                self.buf.reserve_exact(add);
                put_varint(&mut self.buf, field.len());
                self.buf.extend_from_slice(field);
                put_varint(&mut self.buf, value.len());
                self.buf.extend_from_slice(value);
                self.len += 1;
                true
            }
        }
    }

    /// Remove `field`; false if absent.
    pub fn remove(&mut self, field: &[u8]) -> bool {
        let Some(s) = self.find(field) else { return false };
        self.buf.drain(s.field..s.end);
        self.len -= 1;
        if self.buf.capacity() >= 2 * self.buf.len() + 64 {
            self.buf.shrink_to_fit();
        }
        true
    }

    pub fn iter(&self) -> Iter<'_> {
        Iter { pack: self, pos: 0, left: self.len }
    }

    /// The `i`-th pair in order.
    pub fn nth(&self, i: usize) -> Option<(&[u8], &[u8])> {
        self.iter().nth(i)
    }
}

/// Pairs of a listpack in order.
pub struct Iter<'a> {
    pack: &'a ListPack,
    pos: usize,
    left: usize,
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a [u8], &'a [u8]);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        let pack: &'a ListPack = self.pack;
        let (f, vpos) = pack.elem(self.pos);
        let (v, end) = pack.elem(vpos);
        self.pos = end;
        self.left -= 1;
        Some((f, v))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl ExactSizeIterator for Iter<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_round_trip() {
        for n in [0usize, 1, 127, 128, 300, 16383, 16384, usize::MAX >> 1] {
            let mut b = Vec::new();
            put_varint(&mut b, n);
            assert_eq!(b.len(), varint_len(n));
            assert_eq!(get_varint(&b, 0), (n, b.len()));
        }
    }

    #[test]
    fn insertion_order_and_in_place_update() {
        let mut p = ListPack::default();
        assert!(p.set(b"a", b"1"));
        assert!(p.set(b"b", b"2"));
        assert!(p.set(b"c", b""));
        assert!(!p.set(b"a", &[b'x'; 200]));
        let pairs: Vec<_> = p.iter().map(|(f, v)| (f.to_vec(), v.len())).collect();
        assert_eq!(pairs, vec![(b"a".to_vec(), 200), (b"b".to_vec(), 1), (b"c".to_vec(), 0)]);
        assert_eq!(p.get(b"b"), Some(&b"2"[..]));
        assert_eq!(p.get(b"zz"), None);
        assert!(p.remove(b"b"));
        assert!(!p.remove(b"b"));
        assert_eq!(p.len(), 2);
        assert_eq!(p.nth(1), Some((&b"c"[..], &b""[..])));
        assert!(p.remove(b"a") && p.remove(b"c"));
        assert!(p.is_empty() && p.bytes() == 0);
    }
}
