//! One field and its value in a single allocation, for the `hashtable` encoding: the dict
//! node holds just this box and the chain link (24 bytes), and the heap block holds a varint
//! field length, the field and the value. Redis spends a 24-byte dictEntry plus two sds
//! allocations per field; this layout is what keeps big hashes leaner than Redis.

use std::borrow::Borrow;

use super::pack::{get_varint, put_varint, varint_len};

#[derive(Clone)]
pub struct FieldValue(Box<[u8]>);

impl FieldValue {
    pub fn new(field: &[u8], value: &[u8]) -> FieldValue {
        let mut b = Vec::with_capacity(varint_len(field.len()) + field.len() + value.len());
        put_varint(&mut b, field.len());
        b.extend_from_slice(field);
        b.extend_from_slice(value);
        FieldValue(b.into_boxed_slice())
    }

    #[inline]
    fn split(&self) -> usize {
        let (n, start) = get_varint(&self.0, 0);
        start + n
    }

    #[inline]
    pub fn field(&self) -> &[u8] {
        let (n, start) = get_varint(&self.0, 0);
        &self.0[start..start + n]
    }

    #[inline]
    pub fn value(&self) -> &[u8] {
        &self.0[self.split()..]
    }

    /// Replace the value; the field (what the dict looks this entry up by) is unchanged.
    pub fn set_value(&mut self, value: &[u8]) {
        let split = self.split();
        if self.0.len() - split == value.len() {
            self.0[split..].copy_from_slice(value);
            return;
        }
        let mut b = Vec::with_capacity(split + value.len());
        b.extend_from_slice(&self.0[..split]);
        b.extend_from_slice(value);
        self.0 = b.into_boxed_slice();
    }

    pub fn heap_size(&self) -> usize {
        self.0.len()
    }
}

impl Borrow<[u8]> for FieldValue {
    #[inline]
    fn borrow(&self) -> &[u8] {
        self.field()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_and_value_round_trip() {
        let long = vec![b'f'; 300];
        let mut e = FieldValue::new(&long, b"v");
        assert_eq!(e.field(), &long[..]);
        assert_eq!(e.value(), b"v");
        e.set_value(b"w");
        assert_eq!(e.value(), b"w");
        e.set_value(b"");
        assert_eq!((e.field(), e.value()), (&long[..], &b""[..]));
        e.set_value(b"longer value");
        assert_eq!(e.value(), b"longer value");
        assert_eq!(e.field(), &long[..]);
    }
}
