//! The compact encoding of small sorted sets (Redis's "listpack"): one byte buffer of
//! entries sorted by (score, member), each `[score: f64 LE][varint length][member]`.
//! Every operation is a linear scan, as in Redis; sets stay small (128 entries by default).

use std::cmp::Ordering;

#[derive(Default, Clone)]
pub struct Pack {
    buf: Vec<u8>,
    len: u32,
}

/// One decoded entry and the offset of the next one.
#[derive(Clone, Copy)]
pub struct Ent<'a> {
    pub score: f64,
    pub member: &'a [u8],
    pub off: usize,
    pub next: usize,
}

fn put_varint(out: &mut Vec<u8>, mut n: usize) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn entry_bytes(score: f64, member: &[u8]) -> Vec<u8> {
    let mut e = Vec::with_capacity(member.len() + 10);
    e.extend_from_slice(&score.to_le_bytes());
    put_varint(&mut e, member.len());
    e.extend_from_slice(member);
    e
}

impl Pack {
    #[inline]
    pub fn len(&self) -> usize {
        self.len as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn heap_size(&self) -> usize {
        self.buf.capacity()
    }

    /// Decode the entry at byte offset `off` (which must be an entry start).
    #[inline]
    pub fn ent(&self, off: usize) -> Ent<'_> {
        let b = &self.buf;
        let mut sc = [0u8; 8];
        sc.copy_from_slice(&b[off..off + 8]);
        let mut p = off + 8;
        let mut n = 0usize;
        let mut shift = 0;
        loop {
            let c = b[p];
            p += 1;
            n |= ((c & 0x7f) as usize) << shift;
            if c < 0x80 {
                break;
            }
            shift += 7;
        }
        Ent { score: f64::from_le_bytes(sc), member: &b[p..p + n], off, next: p + n }
    }

    pub fn iter(&self) -> PackIter<'_> {
        PackIter { p: self, off: 0 }
    }

    /// The entry of `member`.
    pub fn find(&self, member: &[u8]) -> Option<Ent<'_>> {
        self.iter().find(|e| e.member == member)
    }

    /// Insert a member that is not present, keeping the order. A -0 score is stored as 0,
    /// as Redis's listpack (which keeps scores as integers when they are integral) does.
    pub fn insert(&mut self, score: f64, member: &[u8]) {
        let score = if score == 0.0 { 0.0 } else { score };
        let at = self
            .iter()
            .find(|e| match e.score.partial_cmp(&score) {
                Some(Ordering::Greater) => true,
                Some(Ordering::Equal) => e.member > member,
                _ => false,
            })
            .map_or(self.buf.len(), |e| e.off);
        let bytes = entry_bytes(score, member);
        self.buf.splice(at..at, bytes);
        self.len += 1;
    }

    /// Remove the entry at offset `off`.
    pub fn remove_at(&mut self, off: usize) {
        let next = self.ent(off).next;
        self.buf.drain(off..next);
        self.len -= 1;
    }

    /// Byte offset of the entry at `rank` (the buffer end when rank == len).
    pub fn offset_of_rank(&self, rank: usize) -> usize {
        self.iter().nth(rank).map_or(self.buf.len(), |e| e.off)
    }

    /// Remove `count` entries starting at `rank`.
    pub fn remove_ranks(&mut self, rank: usize, count: usize) {
        if count == 0 {
            return;
        }
        let start = self.offset_of_rank(rank);
        let mut end = start;
        let mut n = 0;
        while n < count && end < self.buf.len() {
            end = self.ent(end).next;
            n += 1;
        }
        self.buf.drain(start..end);
        self.len -= n as u32;
    }

    pub fn shrink(&mut self) {
        if self.buf.capacity() > self.buf.len() + self.buf.len() / 4 + 16 {
            self.buf.shrink_to_fit();
        }
    }

    /// Append an entry known to sort after every present one (building from sorted input).
    pub fn push_sorted(&mut self, score: f64, member: &[u8]) {
        let score = if score == 0.0 { 0.0 } else { score };
        self.buf.extend_from_slice(&score.to_le_bytes());
        put_varint(&mut self.buf, member.len());
        self.buf.extend_from_slice(member);
        self.len += 1;
    }
}

pub struct PackIter<'a> {
    p: &'a Pack,
    off: usize,
}

impl<'a> Iterator for PackIter<'a> {
    type Item = Ent<'a>;
    #[inline]
    fn next(&mut self) -> Option<Ent<'a>> {
        if self.off >= self.p.buf.len() {
            return None;
        }
        let e = self.p.ent(self.off);
        self.off = e.next;
        Some(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_and_long_members() {
        let mut p = Pack::default();
        let long = vec![b'x'; 300];
        p.insert(2.0, b"b");
        p.insert(1.0, b"z");
        p.insert(2.0, b"a");
        p.insert(-1.0, &long);
        let got: Vec<(f64, Vec<u8>)> = p.iter().map(|e| (e.score, e.member.to_vec())).collect();
        assert_eq!(
            got,
            vec![
                (-1.0, long.clone()),
                (1.0, b"z".to_vec()),
                (2.0, b"a".to_vec()),
                (2.0, b"b".to_vec())
            ]
        );
        let off = p.find(b"z").unwrap().off;
        p.remove_at(off);
        assert_eq!(p.len(), 3);
        p.remove_ranks(1, 5);
        assert_eq!(p.len(), 1);
        assert_eq!(p.iter().next().unwrap().member, &long[..]);
    }
}
