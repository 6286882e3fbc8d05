//! Redis's intset: a sorted array of integers stored at the narrowest width (16, 32 or 64
//! bits) that holds all of them. The width only grows, as in Redis. Membership is a binary
//! search; SMEMBERS of an intset is ascending, which scripts and clients can rely on.

/// Sorted, duplicate-free integers.
#[derive(Clone, Debug)]
pub enum IntSet {
    I16(Vec<i16>),
    I32(Vec<i32>),
    I64(Vec<i64>),
}

impl Default for IntSet {
    fn default() -> Self {
        IntSet::I16(Vec::new())
    }
}

/// Width class of a value: 0 (fits i16), 1 (i32), 2 (i64).
fn width_of(v: i64) -> u8 {
    if i16::try_from(v).is_ok() {
        0
    } else if i32::try_from(v).is_ok() {
        1
    } else {
        2
    }
}

/// Insert into a sorted vector, growing its buffer by one element at a time: intsets are
/// small and many, so exact sizing beats amortized doubling on memory (Redis reallocs too).
fn insert_sorted<T: Ord + Copy>(v: &mut Vec<T>, x: T) -> bool {
    match v.binary_search(&x) {
        Ok(_) => false,
        Err(pos) => {
            v.reserve_exact(1);
            v.insert(pos, x);
            true
        }
    }
}

fn remove_sorted<T: Ord + Copy>(v: &mut Vec<T>, x: T) -> bool {
    match v.binary_search(&x) {
        Ok(pos) => {
            v.remove(pos);
            if v.capacity() >= 2 * v.len() + 8 {
                v.shrink_to_fit();
            }
            true
        }
        Err(_) => false,
    }
}

impl IntSet {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        match self {
            IntSet::I16(v) => v.len(),
            IntSet::I32(v) => v.len(),
            IntSet::I64(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn width(&self) -> u8 {
        match self {
            IntSet::I16(_) => 0,
            IntSet::I32(_) => 1,
            IntSet::I64(_) => 2,
        }
    }

    /// Bytes per member (2, 4 or 8), as the intset blob stores them.
    pub fn byte_width(&self) -> usize {
        2 << self.width()
    }

    pub fn contains(&self, x: i64) -> bool {
        match self {
            IntSet::I16(v) => i16::try_from(x).is_ok_and(|x| v.binary_search(&x).is_ok()),
            IntSet::I32(v) => i32::try_from(x).is_ok_and(|x| v.binary_search(&x).is_ok()),
            IntSet::I64(v) => v.binary_search(&x).is_ok(),
        }
    }

    /// Add `x`; false if it was present.
    pub fn insert(&mut self, x: i64) -> bool {
        if width_of(x) > self.width() {
            self.upgrade(width_of(x));
        }
        // The casts cannot truncate: the width now holds x.
        match self {
            IntSet::I16(v) => insert_sorted(v, x as i16),
            IntSet::I32(v) => insert_sorted(v, x as i32),
            IntSet::I64(v) => insert_sorted(v, x),
        }
    }

    /// Remove `x`; false if it was absent.
    pub fn remove(&mut self, x: i64) -> bool {
        match self {
            IntSet::I16(v) => i16::try_from(x).is_ok_and(|x| remove_sorted(v, x)),
            IntSet::I32(v) => i32::try_from(x).is_ok_and(|x| remove_sorted(v, x)),
            IntSet::I64(v) => remove_sorted(v, x),
        }
    }

    fn upgrade(&mut self, width: u8) {
        let wide: Vec<i64> = self.iter().collect();
        *self = match width {
            1 => IntSet::I32(wide.into_iter().map(|x| x as i32).collect()),
            _ => IntSet::I64(wide),
        };
    }

    /// The `i`-th smallest element.
    pub fn get(&self, i: usize) -> Option<i64> {
        match self {
            IntSet::I16(v) => v.get(i).map(|&x| i64::from(x)),
            IntSet::I32(v) => v.get(i).map(|&x| i64::from(x)),
            IntSet::I64(v) => v.get(i).copied(),
        }
    }

    /// Ascending.
    pub fn iter(&self) -> impl Iterator<Item = i64> + '_ {
        (0..self.len()).map(move |i| self.get(i).unwrap_or_default())
    }

    /// Heap bytes of the array.
    pub fn heap_size(&self) -> usize {
        match self {
            IntSet::I16(v) => v.capacity() * 2,
            IntSet::I32(v) => v.capacity() * 4,
            IntSet::I64(v) => v.capacity() * 8,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_unique_and_widening() {
        let mut s = IntSet::new();
        assert!(s.insert(5));
        assert!(s.insert(-3));
        assert!(!s.insert(5));
        assert!(matches!(s, IntSet::I16(_)));
        assert!(s.insert(70_000));
        assert!(matches!(s, IntSet::I32(_)));
        assert!(s.insert(i64::MIN));
        assert!(matches!(s, IntSet::I64(_)));
        assert_eq!(s.iter().collect::<Vec<_>>(), vec![i64::MIN, -3, 5, 70_000]);
        assert!(s.contains(70_000) && !s.contains(4));
        assert!(s.remove(-3) && !s.remove(-3));
        // The width never shrinks back, as in Redis.
        assert!(s.remove(i64::MIN));
        assert!(matches!(s, IntSet::I64(_)));
        assert_eq!(s.iter().collect::<Vec<_>>(), vec![5, 70_000]);
    }

    #[test]
    fn narrow_sets_reject_wide_lookups() {
        let mut s = IntSet::new();
        s.insert(1);
        assert!(!s.contains(1 << 40));
        assert!(!s.remove(1 << 40));
        assert_eq!(s.len(), 1);
    }
}
