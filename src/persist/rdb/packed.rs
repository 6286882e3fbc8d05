//! The packed blobs inside RDB values: listpack (written and read), and the older ziplist,
//! zipmap and intset (read, and intset written). Every reader checks each length against the
//! bytes present and refuses anything inconsistent (Redis's *ValidateIntegrity).

use crate::util::num;

/// One element of a packed blob.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item<'a> {
    Str(&'a [u8]),
    Int(i64),
}

impl Item<'_> {
    pub fn to_vec(self) -> Vec<u8> {
        match self {
            Item::Str(b) => b.to_vec(),
            Item::Int(i) => i.to_string().into_bytes(),
        }
    }

    pub fn as_int(self) -> Option<i64> {
        match self {
            Item::Int(i) => Some(i),
            Item::Str(b) => num::parse_i64(b),
        }
    }
}

/// Builds a listpack exactly as Redis's lpAppend does (integers in their narrowest form).
pub struct ListpackWriter {
    buf: Vec<u8>,
    count: usize,
}

impl Default for ListpackWriter {
    fn default() -> Self {
        ListpackWriter { buf: vec![0; 6], count: 0 }
    }
}

fn backlen(out: &mut Vec<u8>, l: usize) {
    if l <= 127 {
        out.push(l as u8);
    } else if l < 16383 {
        out.extend_from_slice(&[(l >> 7) as u8, (l & 127) as u8 | 128]);
    } else if l < 2097151 {
        out.extend_from_slice(&[
            (l >> 14) as u8,
            ((l >> 7) & 127) as u8 | 128,
            (l & 127) as u8 | 128,
        ]);
    } else if l < 268435455 {
        out.extend_from_slice(&[
            (l >> 21) as u8,
            ((l >> 14) & 127) as u8 | 128,
            ((l >> 7) & 127) as u8 | 128,
            (l & 127) as u8 | 128,
        ]);
    } else {
        out.extend_from_slice(&[
            (l >> 28) as u8,
            ((l >> 21) & 127) as u8 | 128,
            ((l >> 14) & 127) as u8 | 128,
            ((l >> 7) & 127) as u8 | 128,
            (l & 127) as u8 | 128,
        ]);
    }
}

impl ListpackWriter {
    /// A string element, stored as an integer when it is one's canonical form (lpAppend).
    pub fn push(&mut self, b: &[u8]) {
        if let Some(i) = num::parse_i64(b) {
            return self.push_int(i);
        }
        let start = self.buf.len();
        let n = b.len();
        if n < 64 {
            self.buf.push(0x80 | n as u8);
        } else if n < 4096 {
            self.buf.extend_from_slice(&[0xE0 | (n >> 8) as u8, n as u8]);
        } else {
            self.buf.push(0xF0);
            self.buf.extend_from_slice(&(n as u32).to_le_bytes());
        }
        self.buf.extend_from_slice(b);
        let l = self.buf.len() - start;
        backlen(&mut self.buf, l);
        self.count += 1;
    }

    pub fn push_int(&mut self, v: i64) {
        let start = self.buf.len();
        if (0..=127).contains(&v) {
            self.buf.push(v as u8);
        } else if (-4096..=4095).contains(&v) {
            let u = if v < 0 { (1 << 13) + v } else { v } as u16;
            self.buf.extend_from_slice(&[0xC0 | (u >> 8) as u8, u as u8]);
        } else if let Ok(x) = i16::try_from(v) {
            self.buf.push(0xF1);
            self.buf.extend_from_slice(&x.to_le_bytes());
        } else if (-(1 << 23)..(1 << 23)).contains(&v) {
            self.buf.push(0xF2);
            self.buf.extend_from_slice(&(v as i32).to_le_bytes()[..3]);
        } else if let Ok(x) = i32::try_from(v) {
            self.buf.push(0xF3);
            self.buf.extend_from_slice(&x.to_le_bytes());
        } else {
            self.buf.push(0xF4);
            self.buf.extend_from_slice(&v.to_le_bytes());
        }
        let l = self.buf.len() - start;
        backlen(&mut self.buf, l);
        self.count += 1;
    }

    pub fn finish(mut self) -> Vec<u8> {
        self.buf.push(0xFF);
        let total = self.buf.len() as u32;
        self.buf[..4].copy_from_slice(&total.to_le_bytes());
        let n = self.count.min(65535) as u16;
        self.buf[4..6].copy_from_slice(&n.to_le_bytes());
        self.buf
    }
}

fn le(b: &[u8]) -> u64 {
    b.iter().rev().fold(0u64, |a, &x| (a << 8) | x as u64)
}

fn sign_extend(v: u64, bits: u32) -> i64 {
    let shift = 64 - bits;
    ((v << shift) as i64) >> shift
}

/// Every element of a listpack, after checking its header, each entry's encoding and
/// back-length, the element count and the terminator.
pub fn listpack_items(lp: &[u8]) -> Option<Vec<Item<'_>>> {
    if lp.len() < 7 || le(&lp[..4]) as usize != lp.len() {
        return None;
    }
    let declared = le(&lp[4..6]) as usize;
    let mut items = Vec::new();
    let mut p = 6;
    loop {
        let b = *lp.get(p)?;
        if b == 0xFF {
            break;
        }
        let (item, size) = match b {
            _ if b & 0x80 == 0 => (Item::Int((b & 0x7f) as i64), 1),
            _ if b & 0xC0 == 0x80 => {
                let n = (b & 0x3f) as usize;
                (Item::Str(lp.get(p + 1..p + 1 + n)?), 1 + n)
            }
            _ if b & 0xE0 == 0xC0 => {
                let v = (((b & 0x1f) as u64) << 8) | *lp.get(p + 1)? as u64;
                (Item::Int(sign_extend(v, 13)), 2)
            }
            _ if b & 0xF0 == 0xE0 => {
                let n = (((b & 0x0f) as usize) << 8) | *lp.get(p + 1)? as usize;
                (Item::Str(lp.get(p + 2..p + 2 + n)?), 2 + n)
            }
            0xF0 => {
                let n = le(lp.get(p + 1..p + 5)?) as usize;
                (Item::Str(lp.get(p + 5..(p + 5).checked_add(n)?)?), 5 + n)
            }
            0xF1 => (Item::Int(sign_extend(le(lp.get(p + 1..p + 3)?), 16)), 3),
            0xF2 => (Item::Int(sign_extend(le(lp.get(p + 1..p + 4)?), 24)), 4),
            0xF3 => (Item::Int(sign_extend(le(lp.get(p + 1..p + 5)?), 32)), 5),
            0xF4 => (Item::Int(le(lp.get(p + 1..p + 9)?) as i64), 9),
            _ => return None,
        };
        let mut bl = Vec::with_capacity(5);
        backlen(&mut bl, size);
        if lp.get(p + size..p + size + bl.len())? != bl.as_slice() {
            return None;
        }
        p += size + bl.len();
        items.push(item);
    }
    if p + 1 != lp.len() || (declared != 65535 && declared != items.len()) {
        return None;
    }
    Some(items)
}

/// Every element of a ziplist (RDB versions before 10), checked like `listpack_items`.
pub fn ziplist_items(zl: &[u8]) -> Option<Vec<Item<'_>>> {
    if zl.len() < 11 || le(&zl[..4]) as usize != zl.len() {
        return None;
    }
    let tail = le(&zl[4..8]) as usize;
    let declared = le(&zl[8..10]) as usize;
    let mut items = Vec::new();
    let mut p = 10;
    let (mut prev_size, mut last_start) = (0usize, 10usize);
    loop {
        let b = *zl.get(p)?;
        if b == 0xFF {
            break;
        }
        let start = p;
        let (prevlen, hdr) =
            if b < 254 { (b as usize, 1) } else { (le(zl.get(p + 1..p + 5)?) as usize, 5) };
        if prevlen != prev_size {
            return None;
        }
        p += hdr;
        let e = *zl.get(p)?;
        let (item, size) = match e >> 6 {
            0 => {
                let n = (e & 0x3f) as usize;
                (Item::Str(zl.get(p + 1..p + 1 + n)?), 1 + n)
            }
            1 => {
                let n = (((e & 0x3f) as usize) << 8) | *zl.get(p + 1)? as usize;
                (Item::Str(zl.get(p + 2..p + 2 + n)?), 2 + n)
            }
            2 => {
                if e != 0x80 {
                    return None;
                }
                let b4 = zl.get(p + 1..p + 5)?;
                let n = u32::from_be_bytes([b4[0], b4[1], b4[2], b4[3]]) as usize;
                (Item::Str(zl.get(p + 5..(p + 5).checked_add(n)?)?), 5 + n)
            }
            _ => match e {
                0xC0 => (Item::Int(sign_extend(le(zl.get(p + 1..p + 3)?), 16)), 3),
                0xD0 => (Item::Int(sign_extend(le(zl.get(p + 1..p + 5)?), 32)), 5),
                0xE0 => (Item::Int(le(zl.get(p + 1..p + 9)?) as i64), 9),
                0xF0 => (Item::Int(sign_extend(le(zl.get(p + 1..p + 4)?), 24)), 4),
                0xFE => (Item::Int(*zl.get(p + 1)? as i8 as i64), 2),
                0xF1..=0xFD => (Item::Int((e & 0x0f) as i64 - 1), 1),
                _ => return None,
            },
        };
        p += size;
        prev_size = p - start;
        last_start = start;
        items.push(item);
    }
    let tail_ok = if items.is_empty() { tail == 10 } else { tail == last_start };
    if !tail_ok || p + 1 != zl.len() || (declared != 65535 && declared != items.len()) {
        return None;
    }
    Some(items)
}

/// Field/value strings of a zipmap (the hash encoding of RDB versions before 4).
pub fn zipmap_items(zm: &[u8]) -> Option<Vec<&[u8]>> {
    let len_at = |p: usize| -> Option<(usize, usize)> {
        let b = *zm.get(p)?;
        match b {
            0..=253 => Some((b as usize, 1)),
            254 => Some((le(zm.get(p + 1..p + 5)?) as usize, 5)),
            _ => None,
        }
    };
    let mut items = Vec::new();
    let mut p = 1;
    loop {
        if *zm.get(p)? == 0xFF {
            break;
        }
        let (klen, h) = len_at(p)?;
        p += h;
        items.push(zm.get(p..p.checked_add(klen)?)?);
        p += klen;
        let (vlen, h) = len_at(p)?;
        p += h;
        let free = *zm.get(p)? as usize;
        p += 1;
        items.push(zm.get(p..p.checked_add(vlen)?)?);
        p += vlen + free;
    }
    (p + 1 == zm.len()).then_some(items)
}

/// The members of an intset blob: width 2, 4 or 8, strictly ascending.
pub fn intset_items(is: &[u8]) -> Option<Vec<i64>> {
    if is.len() < 8 {
        return None;
    }
    let width = le(&is[..4]) as usize;
    let n = le(&is[4..8]) as usize;
    if !matches!(width, 2 | 4 | 8)
        || n == 0
        || (is.len() - 8) / width != n
        || (is.len() - 8) % width != 0
    {
        return None;
    }
    let mut out = Vec::with_capacity(n);
    for c in is[8..].chunks_exact(width) {
        let v = sign_extend(le(c), width as u32 * 8);
        if out.last().is_some_and(|&l| l >= v) {
            return None;
        }
        out.push(v);
    }
    Some(out)
}

/// An intset blob of `values` (ascending) at `width` bytes each.
pub fn intset_bytes(width: usize, values: impl ExactSizeIterator<Item = i64>) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + values.len() * width);
    out.extend_from_slice(&(width as u32).to_le_bytes());
    out.extend_from_slice(&(values.len() as u32).to_le_bytes());
    for v in values {
        out.extend_from_slice(&v.to_le_bytes()[..width]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listpack_round_trips_every_encoding() {
        let strs: Vec<Vec<u8>> = vec![
            b"a".to_vec(),
            vec![b'x'; 63],
            vec![b'y'; 64],
            vec![b'z'; 4096],
            b"-0".to_vec(),
            b"007".to_vec(),
        ];
        let ints = [
            0i64,
            127,
            128,
            -1,
            -4096,
            4095,
            4096,
            -32768,
            32767,
            1 << 23,
            -(1 << 23),
            i32::MAX as i64,
            i64::MIN,
            i64::MAX,
        ];
        let mut w = ListpackWriter::default();
        for s in &strs {
            w.push(s);
        }
        for &i in &ints {
            w.push(i.to_string().as_bytes());
        }
        let lp = w.finish();
        let items = listpack_items(&lp).unwrap();
        assert_eq!(items.len(), strs.len() + ints.len());
        for (s, it) in strs.iter().zip(&items) {
            assert_eq!(*it, Item::Str(s));
        }
        for (i, it) in ints.iter().zip(&items[strs.len()..]) {
            assert_eq!(*it, Item::Int(*i));
        }
        for cut in 0..lp.len() {
            assert!(listpack_items(&lp[..cut]).is_none());
        }
    }

    #[test]
    fn intset_checks_order_and_width() {
        let b = intset_bytes(2, [1i64, 2, 300].into_iter());
        assert_eq!(intset_items(&b).unwrap(), vec![1, 2, 300]);
        let bad = intset_bytes(2, [2i64, 1].into_iter());
        assert!(intset_items(&bad).is_none());
        assert!(intset_items(&b[..b.len() - 1]).is_none());
    }
}
