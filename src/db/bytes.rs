//! Compact byte strings for keys: short keys live inline in the dict node, so a small key
//! costs no allocation of its own.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;

const INLINE: usize = 22;

/// An immutable byte string, inline up to 22 bytes. 24 bytes in size.
#[derive(Clone)]
pub enum Key {
    Inline { len: u8, data: [u8; INLINE] },
    Heap(Box<[u8]>),
}

impl Key {
    #[inline]
    pub fn new(b: &[u8]) -> Key {
        if b.len() <= INLINE {
            let mut data = [0u8; INLINE];
            data[..b.len()].copy_from_slice(b);
            Key::Inline { len: b.len() as u8, data }
        } else {
            Key::Heap(b.into())
        }
    }

    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Key::Inline { len, data } => &data[..*len as usize],
            Key::Heap(b) => b,
        }
    }

    /// Heap bytes owned beyond the struct itself (for MEMORY USAGE).
    pub fn heap_size(&self) -> usize {
        match self {
            Key::Inline { .. } => 0,
            Key::Heap(b) => b.len(),
        }
    }
}

impl Deref for Key {
    type Target = [u8];
    #[inline]
    fn deref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl Borrow<[u8]> for Key {
    #[inline]
    fn borrow(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}
impl Eq for Key {}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(self.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_and_heap_round_trip() {
        assert_eq!(std::mem::size_of::<Key>(), 24);
        for n in [0, 1, 22, 23, 100] {
            let v: Vec<u8> = (0..n as u8).collect();
            assert_eq!(Key::new(&v).as_bytes(), &v[..]);
        }
        assert!(matches!(Key::new(&[1; 22]), Key::Inline { .. }));
        assert!(matches!(Key::new(&[1; 23]), Key::Heap(_)));
    }
}
