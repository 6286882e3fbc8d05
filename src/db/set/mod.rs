//! The set value type, with Redis 7.0's two encodings: `intset` (sorted integers) while every
//! member is an integer and there are at most `set-max-intset-entries` of them, then
//! `hashtable` for good. (A small set of strings is a `hashtable` in 7.0; listpack sets came
//! with 7.2.) Hashtable members are `Packed` blocks: a 16-byte dict node per member.

mod intset;

pub use intset::IntSet;

use super::dict::{self, Dict};
use super::packed::Packed;
use super::value::StrRef;
use crate::util::num;

/// Redis caps intsets at 2^30 entries whatever the configuration says.
const INTSET_HARD_MAX: usize = 1 << 30;

/// How many members MEMORY USAGE looks at to estimate the heap bytes of a big set.
const SIZE_SAMPLES: usize = 16;

/// A set value.
pub enum Set {
    Ints(IntSet),
    Table(Dict<Packed, ()>),
}

impl Default for Set {
    fn default() -> Self {
        Set::Ints(IntSet::new())
    }
}

/// The decimal form of `v` without allocating.
pub fn int_str(v: i64) -> StrRef<'static> {
    let mut buf = [0u8; 20];
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
    StrRef::Int(buf, i as u8)
}

impl Set {
    /// An empty set of the encoding Redis's setTypeCreate picks for a first member.
    pub fn for_member(m: &[u8]) -> Set {
        if num::parse_i64(m).is_some() {
            Set::Ints(IntSet::new())
        } else {
            Set::Table(Dict::new())
        }
    }

    /// An empty intset-encoded set (the start of SINTERSTORE/SUNIONSTORE/SDIFFSTORE results).
    pub fn new() -> Set {
        Set::default()
    }

    pub fn len(&self) -> usize {
        match self {
            Set::Ints(s) => s.len(),
            Set::Table(d) => d.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn contains(&self, m: &[u8]) -> bool {
        match self {
            Set::Ints(s) => num::parse_i64(m).is_some_and(|x| s.contains(x)),
            Set::Table(d) => d.contains_key(m),
        }
    }

    /// Add `m`; false if already a member. Converts to `hashtable` as Redis's setTypeAdd:
    /// on a non-integer member, or when the intset grows past `max_intset` entries.
    pub fn add(&mut self, m: &[u8], max_intset: usize) -> bool {
        match self {
            Set::Ints(s) => match num::parse_i64(m) {
                Some(x) => {
                    if !s.insert(x) {
                        return false;
                    }
                    if s.len() > max_intset.min(INTSET_HARD_MAX) {
                        self.convert();
                    }
                    true
                }
                None => {
                    self.convert();
                    self.add(m, max_intset)
                }
            },
            Set::Table(d) => d.get_or_insert_with(m, || Packed::new(m, b""), || ()).1,
        }
    }

    /// Remove `m`; false if it was not a member. A table may start shrinking.
    pub fn remove(&mut self, m: &[u8]) -> bool {
        match self {
            Set::Ints(s) => num::parse_i64(m).is_some_and(|x| s.remove(x)),
            Set::Table(d) => d.remove(m).is_some(),
        }
    }

    /// Switch an intset to the hashtable encoding (sized for its members, as Redis does).
    fn convert(&mut self) {
        if let Set::Ints(s) = self {
            let mut d = Dict::with_capacity(s.len());
            for x in s.iter() {
                d.insert(Packed::new(int_str(x).as_bytes(), b""), ());
            }
            *self = Set::Table(d);
        }
    }

    /// Members in encoding order: ascending for an intset, table order otherwise.
    pub fn iter(&self) -> Iter<'_> {
        match self {
            Set::Ints(s) => Iter::Ints(s, 0),
            Set::Table(d) => Iter::Table(d.iter()),
        }
    }

    /// Call `f` with every member's bytes (SORT, and anything that only reads).
    pub fn for_each(&self, mut f: impl FnMut(&[u8])) {
        for m in self.iter() {
            f(m.as_bytes());
        }
    }

    /// Visit members in encoding order until `f` returns false (ZUNION/ZINTER over sets).
    pub fn walk(&self, mut f: impl FnMut(&[u8]) -> bool) {
        for m in self.iter() {
            if !f(m.as_bytes()) {
                return;
            }
        }
    }

    /// A random member (Redis's setTypeRandomElement: uniform for an intset, the dict's fair
    /// pick for a table). None only when empty.
    pub fn random(&self, rnd: &mut impl FnMut() -> u64) -> Option<StrRef<'_>> {
        match self {
            Set::Ints(s) => {
                if s.is_empty() {
                    return None;
                }
                let i = (rnd() % s.len() as u64) as usize;
                s.get(i).map(int_str)
            }
            Set::Table(d) => d.random_entry(rnd).map(|(k, _)| StrRef::Bytes(k.field())),
        }
    }

    /// Remove and return a random member.
    pub fn pop_random(&mut self, rnd: &mut impl FnMut() -> u64) -> Option<Vec<u8>> {
        let m = self.random(rnd)?.as_bytes().to_vec();
        self.remove(&m);
        Some(m)
    }

    /// One SSCAN step over a table (see `Dict::scan`); an intset is returned whole with
    /// cursor 0, as Redis does for its compact encodings.
    pub fn scan<'a>(&'a self, cursor: u64, mut f: impl FnMut(StrRef<'a>)) -> u64 {
        match self {
            Set::Ints(_) => {
                self.iter().for_each(f);
                0
            }
            Set::Table(d) => d.scan(cursor, |k, _| f(StrRef::Bytes(k.field()))),
        }
    }

    /// Whether this set is a hashtable (SSCAN's COUNT only matters then).
    pub fn is_table(&self) -> bool {
        matches!(self, Set::Table(_))
    }

    /// OBJECT ENCODING name.
    pub fn encoding(&self) -> &'static str {
        match self {
            Set::Ints(_) => "intset",
            Set::Table(_) => "hashtable",
        }
    }

    /// Approximate heap bytes owned (MEMORY USAGE): exact for an intset; for a table the
    /// structure plus the member bytes extrapolated from a sample.
    pub fn heap_size(&self) -> usize {
        match self {
            Set::Ints(s) => s.heap_size(),
            Set::Table(d) => {
                let (mut n, mut bytes) = (0usize, 0usize);
                for (k, _) in d.iter().take(SIZE_SAMPLES) {
                    n += 1;
                    bytes += k.heap_size();
                }
                let members = (bytes * d.len()).checked_div(n).unwrap_or(0);
                d.mem_usage() + members
            }
        }
    }

    /// Deep copy with the same encoding (COPY).
    pub fn duplicate(&self) -> Set {
        match self {
            Set::Ints(s) => Set::Ints(s.clone()),
            Set::Table(d) => {
                let mut out = Dict::with_capacity(d.len());
                for (k, _) in d.iter() {
                    out.insert(k.clone(), ());
                }
                Set::Table(out)
            }
        }
    }
}

/// Iterator over a set's members.
pub enum Iter<'a> {
    Ints(&'a IntSet, usize),
    Table(dict::Iter<'a, Packed, ()>),
}

impl<'a> Iterator for Iter<'a> {
    type Item = StrRef<'a>;

    #[inline]
    fn next(&mut self) -> Option<StrRef<'a>> {
        match self {
            Iter::Ints(s, i) => {
                let x = s.get(*i)?;
                *i += 1;
                Some(int_str(x))
            }
            Iter::Table(it) => it.next().map(|(k, _)| StrRef::Bytes(k.field())),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = match self {
            Iter::Ints(s, i) => s.len() - *i,
            Iter::Table(it) => it.len(),
        };
        (n, Some(n))
    }
}

impl ExactSizeIterator for Iter<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    fn members(s: &Set) -> Vec<Vec<u8>> {
        let mut v: Vec<Vec<u8>> = s.iter().map(|m| m.as_bytes().to_vec()).collect();
        v.sort();
        v
    }

    #[test]
    fn first_member_picks_the_encoding() {
        assert_eq!(Set::for_member(b"12").encoding(), "intset");
        assert_eq!(Set::for_member(b"-0").encoding(), "hashtable");
        assert_eq!(Set::for_member(b"a").encoding(), "hashtable");
        assert_eq!(Set::for_member(b" 1").encoding(), "hashtable");
    }

    #[test]
    fn intset_converts_on_string_and_on_size() {
        let mut s = Set::for_member(b"1");
        assert!(s.add(b"1", 3));
        assert!(!s.add(b"1", 3));
        assert!(s.add(b"2", 3) && s.add(b"3", 3));
        assert_eq!(s.encoding(), "intset");
        assert!(s.add(b"4", 3));
        assert_eq!(s.encoding(), "hashtable");
        assert_eq!(members(&s), vec![b"1".to_vec(), b"2".to_vec(), b"3".to_vec(), b"4".to_vec()]);

        let mut s = Set::new();
        s.add(b"7", 512);
        assert!(s.add(b"x", 512));
        assert_eq!(s.encoding(), "hashtable");
        assert!(s.contains(b"7") && s.contains(b"x") && !s.contains(b"07"));
        // Never back to intset.
        assert!(s.remove(b"x"));
        assert_eq!(s.encoding(), "hashtable");
    }

    #[test]
    fn intset_iterates_ascending_and_pops_everything() {
        let mut s = Set::new();
        for m in ["5", "-2", "100000", "0"] {
            s.add(m.as_bytes(), 512);
        }
        let order: Vec<Vec<u8>> = s.iter().map(|m| m.as_bytes().to_vec()).collect();
        assert_eq!(order, vec![b"-2".to_vec(), b"0".to_vec(), b"5".to_vec(), b"100000".to_vec()]);
        let mut x = 7u64;
        let mut rnd = move || {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            x >> 11
        };
        let mut popped = Vec::new();
        while let Some(m) = s.pop_random(&mut rnd) {
            popped.push(m);
        }
        popped.sort();
        assert_eq!(popped.len(), 4);
        assert!(s.is_empty());
    }

    #[test]
    fn duplicate_keeps_encoding_and_members() {
        let mut s = Set::for_member(b"a");
        s.add(b"a", 512);
        s.add(b"1", 512);
        let d = s.duplicate();
        assert_eq!(d.encoding(), "hashtable");
        assert_eq!(members(&d), members(&s));
        let mut i = Set::new();
        i.add(b"3", 512);
        assert_eq!(i.duplicate().encoding(), "intset");
    }

    #[test]
    fn walk_stops_when_asked() {
        let mut s = Set::new();
        for m in ["3", "1", "2"] {
            s.add(m.as_bytes(), 512);
        }
        let mut seen = Vec::new();
        s.walk(|m| {
            seen.push(m.to_vec());
            seen.len() < 2
        });
        assert_eq!(seen, vec![b"1".to_vec(), b"2".to_vec()]);
        let mut all = Vec::new();
        s.for_each(|m| all.push(m.to_vec()));
        assert_eq!(all.len(), 3);
    }

    #[test]
    fn int_str_formats_extremes() {
        assert_eq!(int_str(i64::MIN).as_bytes(), b"-9223372036854775808");
        assert_eq!(int_str(0).as_bytes(), b"0");
        assert_eq!(int_str(-7).as_bytes(), b"-7");
    }
}
