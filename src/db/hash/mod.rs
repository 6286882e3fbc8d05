//! The hash value type, with Redis 7.0's two encodings: `listpack` (see [`pack`]) while the
//! hash has at most `hash-max-listpack-entries` fields and no field or value longer than
//! `hash-max-listpack-value` bytes, then `hashtable` for good.

mod pack;

pub use pack::ListPack;

use super::dict::{self, Dict};
use super::packed::Packed;

/// Redis refuses to grow a listpack past 1 GB (lpSafeToAdd) and converts instead.
const PACK_MAX_BYTES: usize = 1 << 30;

/// How many fields MEMORY USAGE looks at to estimate the heap bytes of a big hash.
const SIZE_SAMPLES: usize = 16;

/// The conversion thresholds (`hash-max-listpack-entries`, `hash-max-listpack-value`).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub entries: usize,
    pub value: usize,
}

/// A hash value.
pub enum Hash {
    Pack(ListPack),
    Table(Dict<Packed, ()>),
}

impl Default for Hash {
    fn default() -> Self {
        Hash::Pack(ListPack::default())
    }
}

impl Hash {
    pub fn new() -> Hash {
        Hash::default()
    }

    pub fn len(&self) -> usize {
        match self {
            Hash::Pack(p) => p.len(),
            Hash::Table(d) => d.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value of `field`.
    pub fn get(&self, field: &[u8]) -> Option<&[u8]> {
        match self {
            Hash::Pack(p) => p.get(field),
            Hash::Table(d) => d.get_key_value(field).map(|(e, _)| e.value()),
        }
    }

    pub fn contains(&self, field: &[u8]) -> bool {
        self.get(field).is_some()
    }

    /// Redis's hashTypeTryConversion: before a write, any argument longer than the value
    /// limit (or a listpack that would pass 1 GB) turns a listpack into a table.
    pub fn prepare_for<'a>(&mut self, args: impl Iterator<Item = &'a [u8]>, lim: Limits) {
        let Hash::Pack(p) = self else { return };
        let mut sum = 0usize;
        for a in args {
            if a.len() > lim.value {
                self.convert();
                return;
            }
            sum = sum.saturating_add(a.len());
        }
        if p.bytes().saturating_add(sum) > PACK_MAX_BYTES {
            self.convert();
        }
    }

    /// Set `field` to `value`; true if the field is new. Converts like Redis's hashTypeSet:
    /// a long field or value first, too many fields after.
    pub fn set(&mut self, field: &[u8], value: &[u8], lim: Limits) -> bool {
        if let Hash::Pack(p) = self {
            if field.len() > lim.value || value.len() > lim.value {
                self.convert();
            } else {
                let new = p.set(field, value);
                if p.len() > lim.entries {
                    self.convert();
                }
                return new;
            }
        }
        match self {
            Hash::Table(d) => {
                let (e, new) = d.key_or_insert_with(field, || (Packed::new(field, value), ()));
                if !new {
                    e.set_value(value);
                }
                new
            }
            Hash::Pack(_) => unreachable!("converted above"),
        }
    }

    /// Remove `field`; false if absent. A table may start shrinking.
    pub fn remove(&mut self, field: &[u8]) -> bool {
        match self {
            Hash::Pack(p) => p.remove(field),
            Hash::Table(d) => d.remove(field).is_some(),
        }
    }

    /// Switch to the hashtable encoding, sized for the current fields as Redis does.
    fn convert(&mut self) {
        if let Hash::Pack(p) = self {
            let mut d = Dict::with_capacity(p.len());
            for (f, v) in p.iter() {
                d.insert(Packed::new(f, v), ());
            }
            *self = Hash::Table(d);
        }
    }

    /// (field, value) pairs: insertion order for a listpack, table order otherwise.
    pub fn iter(&self) -> Iter<'_> {
        match self {
            Hash::Pack(p) => Iter::Pack(p.iter()),
            Hash::Table(d) => Iter::Table(d.iter()),
        }
    }

    /// A random pair: uniform for a listpack, the dict's fair pick for a table.
    pub fn random(&self, rnd: &mut impl FnMut() -> u64) -> Option<(&[u8], &[u8])> {
        match self {
            Hash::Pack(p) => {
                if p.is_empty() {
                    return None;
                }
                p.nth((rnd() % p.len() as u64) as usize)
            }
            Hash::Table(d) => d.random_entry(rnd).map(|(e, _)| (e.field(), e.value())),
        }
    }

    /// One HSCAN step over a table (see `Dict::scan`); a listpack is returned whole with
    /// cursor 0, as Redis does.
    pub fn scan<'a>(&'a self, cursor: u64, mut f: impl FnMut(&'a [u8], &'a [u8])) -> u64 {
        match self {
            Hash::Pack(p) => {
                for (k, v) in p.iter() {
                    f(k, v);
                }
                0
            }
            Hash::Table(d) => d.scan(cursor, |e, _| f(e.field(), e.value())),
        }
    }

    pub fn is_table(&self) -> bool {
        matches!(self, Hash::Table(_))
    }

    /// OBJECT ENCODING name.
    pub fn encoding(&self) -> &'static str {
        match self {
            Hash::Pack(_) => "listpack",
            Hash::Table(_) => "hashtable",
        }
    }

    /// Approximate heap bytes owned (MEMORY USAGE): exact for a listpack; for a table the
    /// structure plus the entry bytes extrapolated from a sample.
    pub fn heap_size(&self) -> usize {
        match self {
            Hash::Pack(p) => p.heap_size(),
            Hash::Table(d) => {
                let (mut n, mut bytes) = (0usize, 0usize);
                for (e, _) in d.iter().take(SIZE_SAMPLES) {
                    n += 1;
                    bytes += e.heap_size();
                }
                let entries = (bytes * d.len()).checked_div(n).unwrap_or(0);
                d.mem_usage() + entries
            }
        }
    }

    /// Deep copy with the same encoding (COPY).
    pub fn duplicate(&self) -> Hash {
        match self {
            Hash::Pack(p) => Hash::Pack(p.clone()),
            Hash::Table(d) => {
                let mut out = Dict::with_capacity(d.len());
                for (e, _) in d.iter() {
                    out.insert(e.clone(), ());
                }
                Hash::Table(out)
            }
        }
    }
}

/// Iterator over a hash's (field, value) pairs.
pub enum Iter<'a> {
    Pack(pack::Iter<'a>),
    Table(dict::Iter<'a, Packed, ()>),
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a [u8], &'a [u8]);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Iter::Pack(it) => it.next(),
            Iter::Table(it) => it.next().map(|(e, _)| (e.field(), e.value())),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            Iter::Pack(it) => it.size_hint(),
            Iter::Table(it) => it.size_hint(),
        }
    }
}

impl ExactSizeIterator for Iter<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    const LIM: Limits = Limits { entries: 3, value: 8 };

    #[test]
    fn converts_on_entries_after_insert() {
        let mut h = Hash::new();
        for f in ["a", "b", "c"] {
            assert!(h.set(f.as_bytes(), b"v", LIM));
        }
        assert_eq!(h.encoding(), "listpack");
        assert!(!h.set(b"a", b"w", LIM));
        assert_eq!(h.encoding(), "listpack");
        assert!(h.set(b"d", b"v", LIM));
        assert_eq!(h.encoding(), "hashtable");
        assert_eq!(h.get(b"a"), Some(&b"w"[..]));
        assert_eq!(h.len(), 4);
        // Never back.
        assert!(h.remove(b"d") && h.remove(b"c"));
        assert_eq!(h.encoding(), "hashtable");
    }

    #[test]
    fn converts_on_long_field_or_value() {
        let mut h = Hash::new();
        h.set(b"a", b"12345678", LIM);
        assert_eq!(h.encoding(), "listpack");
        h.set(b"a", b"123456789", LIM);
        assert_eq!(h.encoding(), "hashtable");
        assert_eq!(h.get(b"a"), Some(&b"123456789"[..]));

        let mut h = Hash::new();
        h.set(b"123456789", b"", LIM);
        assert_eq!(h.encoding(), "hashtable");

        let mut h = Hash::new();
        h.set(b"a", b"1", LIM);
        h.prepare_for([&b"x"[..], b"123456789"].into_iter(), LIM);
        assert_eq!(h.encoding(), "hashtable");
        assert_eq!(h.get(b"a"), Some(&b"1"[..]));
    }

    #[test]
    fn table_updates_in_place_and_iterates_everything() {
        let lim = Limits { entries: 0, value: 64 };
        let mut h = Hash::new();
        for i in 0..100 {
            assert!(h.set(format!("f{i}").as_bytes(), b"x", lim));
        }
        for i in 0..100 {
            assert!(!h.set(format!("f{i}").as_bytes(), format!("v{i}").as_bytes(), lim));
        }
        let mut seen: Vec<(Vec<u8>, Vec<u8>)> =
            h.iter().map(|(f, v)| (f.to_vec(), v.to_vec())).collect();
        seen.sort();
        assert_eq!(seen.len(), 100);
        assert!(seen.iter().all(|(f, v)| f[1..] == v[1..]));
        let dup = h.duplicate();
        assert_eq!(dup.len(), 100);
        assert_eq!(dup.get(b"f42"), Some(&b"v42"[..]));
    }

    #[test]
    fn scan_of_a_listpack_is_one_call() {
        let mut h = Hash::new();
        h.set(b"x", b"1", LIM);
        h.set(b"y", b"2", LIM);
        let mut got = Vec::new();
        assert_eq!(h.scan(17, |f, v| got.push((f.to_vec(), v.to_vec()))), 0);
        assert_eq!(got, vec![(b"x".to_vec(), b"1".to_vec()), (b"y".to_vec(), b"2".to_vec())]);
    }
}
