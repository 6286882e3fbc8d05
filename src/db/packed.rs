//! A hash field and its value (or a set member, with an empty value) in one allocation behind
//! a thin pointer, for the `hashtable` encodings. A dict node is then this pointer and the
//! chain link (16 bytes), and the heap block holds two varint lengths, the field and the
//! value. Redis spends a 24-byte dictEntry plus one sds allocation per string; with a fat
//! `Box<[u8]>` (16 bytes) or an inline key (24 bytes) the node alone would cost as much as
//! Redis's entry, and big hashes or sets of 23-40 byte members would cost more than Redis.
//!
//! The block is written once by `Packed::new` (or `set_value`) and only read afterwards;
//! every read derives its bounds from the two lengths at its start.

use std::alloc::{alloc, dealloc, handle_alloc_error, Layout};
use std::borrow::Borrow;
use std::ptr::NonNull;

/// Longest varint header: two lengths of at most 10 bytes each.
const MAX_HEADER: usize = 20;

pub struct Packed(NonNull<u8>);

// SAFETY: a Packed uniquely owns its heap block, exactly like a Box<[u8]>.
unsafe impl Send for Packed {}

impl Packed {
    pub fn new(field: &[u8], value: &[u8]) -> Packed {
        let mut buf = [0u8; MAX_HEADER];
        let a = write_varint(&mut buf, 0, field.len());
        let b = write_varint(&mut buf, a, value.len());
        let header = &buf[..b];
        let total = header.len() + field.len() + value.len();
        let layout = Layout::from_size_align(total, 1)
            .unwrap_or_else(|_| handle_alloc_error(Layout::new::<u8>()));
        // SAFETY: `total` is at least 2 (the header), so the layout is non-zero-sized; the
        // three copies fill exactly `total` bytes of the fresh block.
        unsafe {
            let p = alloc(layout);
            let Some(p) = NonNull::new(p) else { handle_alloc_error(layout) };
            let mut at = p.as_ptr();
            for part in [header, field, value] {
                std::ptr::copy_nonoverlapping(part.as_ptr(), at, part.len());
                at = at.add(part.len());
            }
            Packed(p)
        }
    }

    /// (header length, field length, value length), decoded from the block's start.
    #[inline]
    fn header(&self) -> (usize, usize, usize) {
        // SAFETY: the block starts with two varints written by `new`, each ending at its
        // first byte below 0x80, so these reads stay inside the header.
        unsafe {
            let p = self.0.as_ptr();
            let (flen, a) = read_varint(p);
            let (vlen, b) = read_varint(p.add(a));
            (a + b, flen, vlen)
        }
    }

    #[inline]
    fn parts(&self) -> (&[u8], &[u8]) {
        let (h, f, v) = self.header();
        // SAFETY: the block is exactly h + f + v initialized bytes, field then value after
        // the header; both slices live as long as `self`.
        unsafe {
            let p = self.0.as_ptr().add(h);
            (std::slice::from_raw_parts(p, f), std::slice::from_raw_parts(p.add(f), v))
        }
    }

    #[inline]
    pub fn field(&self) -> &[u8] {
        self.parts().0
    }

    #[inline]
    pub fn value(&self) -> &[u8] {
        self.parts().1
    }

    /// Replace the value; the field (what the dict looks this entry up by) is unchanged.
    pub fn set_value(&mut self, value: &[u8]) {
        let (h, f, v) = self.header();
        if v == value.len() {
            // SAFETY: the value occupies the last `v` bytes of the block, which we own.
            unsafe {
                std::ptr::copy_nonoverlapping(value.as_ptr(), self.0.as_ptr().add(h + f), v);
            }
            return;
        }
        *self = Packed::new(self.field(), value);
    }

    /// Heap bytes of the block.
    pub fn heap_size(&self) -> usize {
        let (h, f, v) = self.header();
        h + f + v
    }

    fn layout(&self) -> Layout {
        // Cannot fail: the same size was accepted when the block was allocated.
        Layout::from_size_align(self.heap_size(), 1).unwrap_or(Layout::new::<u8>())
    }
}

/// Write `n` as a LEB128 varint at `buf[at..]`; returns the position after it.
fn write_varint(buf: &mut [u8; MAX_HEADER], mut at: usize, mut n: usize) -> usize {
    while n >= 0x80 {
        buf[at] = (n as u8) | 0x80;
        n >>= 7;
        at += 1;
    }
    buf[at] = n as u8;
    at + 1
}

/// Decode the varint at `p`: (value, bytes read).
///
/// # Safety
/// `p` must point at a varint written by `put_varint`.
#[inline]
unsafe fn read_varint(p: *const u8) -> (usize, usize) {
    let (mut n, mut i, mut shift) = (0usize, 0usize, 0u32);
    loop {
        let b = *p.add(i);
        i += 1;
        n |= usize::from(b & 0x7f) << shift;
        if b < 0x80 {
            return (n, i);
        }
        shift += 7;
    }
}

impl Drop for Packed {
    fn drop(&mut self) {
        let layout = self.layout();
        // SAFETY: allocated by `new` with this very layout, and not freed before.
        unsafe { dealloc(self.0.as_ptr(), layout) }
    }
}

impl Clone for Packed {
    fn clone(&self) -> Packed {
        Packed::new(self.field(), self.value())
    }
}

impl Borrow<[u8]> for Packed {
    #[inline]
    fn borrow(&self) -> &[u8] {
        self.field()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn varint_len(n: usize) -> usize {
        let mut b = [0u8; MAX_HEADER];
        write_varint(&mut b, 0, n)
    }

    #[test]
    fn field_and_value_round_trip() {
        assert_eq!(std::mem::size_of::<Packed>(), 8);
        for flen in [0usize, 1, 127, 128, 300, 20_000] {
            for vlen in [0usize, 5, 127, 128, 70_000] {
                let f: Vec<u8> = (0..flen).map(|i| i as u8).collect();
                let v: Vec<u8> = (0..vlen).map(|i| (i * 7) as u8).collect();
                let mut e = Packed::new(&f, &v);
                assert_eq!((e.field(), e.value()), (&f[..], &v[..]));
                let c = e.clone();
                e.set_value(b"w");
                assert_eq!((e.field(), e.value()), (&f[..], &b"w"[..]));
                e.set_value(b"x");
                assert_eq!(e.value(), b"x");
                e.set_value(&v);
                assert_eq!((e.field(), e.value()), (&f[..], &v[..]));
                assert_eq!((c.field(), c.value()), (&f[..], &v[..]));
                assert_eq!(e.heap_size(), varint_len(flen) + varint_len(vlen) + flen + vlen);
            }
        }
    }
}
