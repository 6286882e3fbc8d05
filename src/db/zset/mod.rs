//! The sorted set value, with Redis's two encodings and its conversion rules:
//!
//! - `listpack` ([`pack::Pack`]): one compact buffer, linear operations, while the set has at
//!   most `zset-max-listpack-entries` members of at most `zset-max-listpack-value` bytes;
//! - `skiplist` ([`big::Big`]): a slab of members with a hash index and a counted B+tree,
//!   O(log n) for lookups, ranks and range starts.
//!
//! A set converts to the large form when an insertion exceeds a limit and never back, except
//! where Redis builds a result set (ZUNIONSTORE & co. via [`ZSet::shrink_to_fit_encoding`]).
//!
//! # API (used by the zset commands and by Geo)
//! - [`ZSet::new_for`], [`ZSet::len`], [`ZSet::score`], [`ZSet::set`] (insert or update),
//!   [`ZSet::remove`], [`ZSet::rank`];
//! - order: [`ZSet::lower_bound`] (rank of the first element a monotone predicate holds for),
//!   [`ScoreRange::ranks`] / [`LexRange::ranks`], [`ZSet::walk`] (from a rank, either
//!   direction), [`ZSet::at`], [`ZSet::remove_ranks`], [`ZSet::iter_all`];
//! - [`ZSet::scan`] for ZSCAN, [`ZSet::duplicate`], [`ZSet::heap_size`].

pub mod big;
pub mod pack;
pub mod tree;

use big::Big;
use pack::Pack;

/// The conversion thresholds (from the config at the time of the call).
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_entries: usize,
    pub max_value: usize,
}

pub enum ZSet {
    Pack(Pack),
    Big(Box<Big>),
}

impl Default for ZSet {
    fn default() -> Self {
        ZSet::Pack(Pack::default())
    }
}

impl ZSet {
    /// Redis's zsetTypeCreate: the encoding for a set about to receive `size_hint` members,
    /// the longest `value_len_hint` bytes.
    pub fn new_for(size_hint: usize, value_len_hint: usize, lim: Limits) -> ZSet {
        if size_hint <= lim.max_entries && value_len_hint <= lim.max_value {
            ZSet::Pack(Pack::default())
        } else {
            ZSet::Big(Box::new(Big::with_capacity(size_hint.min(1 << 20))))
        }
    }

    /// An empty set in the large encoding.
    pub fn new_large() -> ZSet {
        ZSet::Big(Box::default())
    }

    #[inline]
    pub fn len(&self) -> usize {
        match self {
            ZSet::Pack(p) => p.len(),
            ZSet::Big(b) => b.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// OBJECT ENCODING name.
    pub fn encoding(&self) -> &'static str {
        match self {
            ZSet::Pack(_) => "listpack",
            ZSet::Big(_) => "skiplist",
        }
    }

    pub fn heap_size(&self) -> usize {
        match self {
            ZSet::Pack(p) => p.heap_size(),
            ZSet::Big(b) => std::mem::size_of::<Big>() + b.heap_size(),
        }
    }

    /// Deep copy (COPY), same encoding.
    pub fn duplicate(&self) -> ZSet {
        match self {
            ZSet::Pack(p) => ZSet::Pack(p.clone()),
            ZSet::Big(b) => {
                let mut n = Big::with_capacity(b.len());
                b.walk(0, false, |m, s| {
                    n.set(m, s);
                    true
                });
                ZSet::Big(Box::new(n))
            }
        }
    }

    pub fn score(&self, member: &[u8]) -> Option<f64> {
        match self {
            ZSet::Pack(p) => p.find(member).map(|e| e.score),
            ZSet::Big(b) => b.score(member),
        }
    }

    /// Insert `member` or change its score; returns the previous score (None: added).
    /// Converts to the large encoding first when the insertion would exceed a limit.
    pub fn set(&mut self, member: &[u8], score: f64, lim: Limits) -> Option<f64> {
        match self {
            ZSet::Pack(p) => {
                if let Some(e) = p.find(member) {
                    let old = e.score;
                    if old != score {
                        p.remove_at(e.off);
                        p.insert(score, member);
                    }
                    return Some(old);
                }
                if p.len() + 1 > lim.max_entries || member.len() > lim.max_value {
                    self.convert_to_big();
                    return self.set(member, score, lim);
                }
                p.insert(score, member);
                None
            }
            ZSet::Big(b) => b.set(member, score),
        }
    }

    pub fn remove(&mut self, member: &[u8]) -> Option<f64> {
        match self {
            ZSet::Pack(p) => {
                let e = p.find(member)?;
                let (off, score) = (e.off, e.score);
                p.remove_at(off);
                Some(score)
            }
            ZSet::Big(b) => b.remove(member),
        }
    }

    /// 0-based rank of `member` (from the top with `rev`) and its score.
    pub fn rank(&self, member: &[u8], rev: bool) -> Option<(usize, f64)> {
        let (r, s) = match self {
            ZSet::Pack(p) => {
                p.iter().enumerate().find(|(_, e)| e.member == member).map(|(i, e)| (i, e.score))?
            }
            ZSet::Big(b) => b.rank(member)?,
        };
        Some((if rev { self.len() - 1 - r } else { r }, s))
    }

    /// For a predicate that is false then true along the order: how many elements come
    /// before the first one it holds for. (The compact form scans linearly and stops at the
    /// first match, as Redis's listpack code does.)
    pub fn lower_bound(&self, mut pred: impl FnMut(f64, &[u8]) -> bool) -> usize {
        match self {
            ZSet::Pack(p) => p.iter().position(|e| pred(e.score, e.member)).unwrap_or(p.len()),
            ZSet::Big(b) => b.lower_bound(pred),
        }
    }

    /// Visit elements in order starting `skip` elements from the start (from the end, going
    /// down, with `rev`) until `f` returns false.
    pub fn walk(&self, skip: usize, rev: bool, mut f: impl FnMut(&[u8], f64) -> bool) {
        match self {
            ZSet::Pack(p) => {
                if rev {
                    // Entries only link forward: note their offsets first, on the stack for
                    // sets of the default size.
                    let mut stack = [0u32; 128];
                    let heap;
                    let offs: &[u32] = if p.len() <= stack.len() {
                        for (slot, e) in stack.iter_mut().zip(p.iter()) {
                            *slot = e.off as u32;
                        }
                        &stack[..p.len()]
                    } else {
                        heap = p.iter().map(|e| e.off as u32).collect::<Vec<u32>>();
                        &heap
                    };
                    for &o in offs.iter().rev().skip(skip) {
                        let e = p.ent(o as usize);
                        if !f(e.member, e.score) {
                            return;
                        }
                    }
                } else {
                    for e in p.iter().skip(skip) {
                        if !f(e.member, e.score) {
                            return;
                        }
                    }
                }
            }
            ZSet::Big(b) => b.walk(skip, rev, f),
        }
    }

    /// Every element in order.
    pub fn iter_all(&self, mut f: impl FnMut(&[u8], f64)) {
        self.walk(0, false, |m, s| {
            f(m, s);
            true
        });
    }

    /// The element at ascending `rank`.
    pub fn at(&self, rank: usize) -> Option<(&[u8], f64)> {
        match self {
            ZSet::Pack(p) => p.iter().nth(rank).map(|e| (e.member, e.score)),
            ZSet::Big(b) => b.at(rank),
        }
    }

    /// Remove `count` elements starting at ascending `rank`.
    pub fn remove_ranks(&mut self, rank: usize, count: usize) {
        match self {
            ZSet::Pack(p) => p.remove_ranks(rank, count),
            ZSet::Big(b) => b.remove_ranks(rank, count),
        }
    }

    /// ZSCAN step: the compact form returns everything at once (cursor 0), as Redis does.
    pub fn scan(&self, cursor: u64, count: usize, mut f: impl FnMut(&[u8], f64)) -> u64 {
        match self {
            ZSet::Pack(p) => {
                for e in p.iter() {
                    f(e.member, e.score);
                }
                0
            }
            ZSet::Big(b) => b.scan(cursor, count, f),
        }
    }

    /// Switch to the large encoding (SORT does this to sorted sets, as Redis does).
    pub fn force_large(&mut self) {
        self.convert_to_big();
    }

    fn convert_to_big(&mut self) {
        if let ZSet::Pack(p) = self {
            let mut b = Big::with_capacity(p.len() + 1);
            for e in p.iter() {
                b.set(e.member, e.score);
            }
            *self = ZSet::Big(Box::new(b));
        }
    }

    /// Redis's zsetConvertToListpackIfNeeded, for sets built as results (ZUNIONSTORE,
    /// ZINTERSTORE, ZDIFFSTORE): back to the compact form when within the limits.
    pub fn shrink_to_fit_encoding(&mut self, lim: Limits) {
        if let ZSet::Big(b) = self {
            if b.len() > lim.max_entries {
                return;
            }
            let mut maxlen = 0;
            b.walk(0, false, |m, _| {
                maxlen = maxlen.max(m.len());
                true
            });
            if maxlen > lim.max_value {
                return;
            }
            let mut p = Pack::default();
            b.walk(0, false, |m, s| {
                p.push_sorted(s, m);
                true
            });
            *self = ZSet::Pack(p);
        }
    }

    /// Build a set from elements already sorted by (score, member), with Redis's encoding
    /// choice for a result of that size (ZRANGESTORE).
    pub fn from_sorted(items: &[(Vec<u8>, f64)], lim: Limits) -> ZSet {
        let maxlen = items.iter().map(|(m, _)| m.len()).max().unwrap_or(0);
        if items.len() <= lim.max_entries && maxlen <= lim.max_value {
            let mut p = Pack::default();
            for (m, s) in items {
                p.push_sorted(*s, m);
            }
            ZSet::Pack(p)
        } else {
            let mut b = Big::with_capacity(items.len());
            for (m, s) in items {
                b.set(m, *s);
            }
            ZSet::Big(Box::new(b))
        }
    }

    /// Release spare capacity after removals.
    pub fn shrink(&mut self) {
        match self {
            ZSet::Pack(p) => p.shrink(),
            ZSet::Big(b) => b.shrink(),
        }
    }
}

/// A score interval as ZRANGEBYSCORE parses it (`(` makes a bound exclusive).
#[derive(Clone, Copy, Debug)]
pub struct ScoreRange {
    pub min: f64,
    pub max: f64,
    pub minex: bool,
    pub maxex: bool,
}

impl ScoreRange {
    #[inline]
    pub fn gte_min(&self, v: f64) -> bool {
        if self.minex {
            v > self.min
        } else {
            v >= self.min
        }
    }
    #[inline]
    pub fn lte_max(&self, v: f64) -> bool {
        if self.maxex {
            v < self.max
        } else {
            v <= self.max
        }
    }
    /// Half-open ascending rank interval of the elements in range.
    pub fn ranks(&self, z: &ZSet) -> (usize, usize) {
        let start = z.lower_bound(|s, _| self.gte_min(s));
        let end = z.lower_bound(|s, _| !self.lte_max(s));
        (start, end.max(start))
    }
}

/// One end of a ZRANGEBYLEX interval.
#[derive(Clone, Debug, PartialEq)]
pub enum LexBound {
    /// `-`
    NegInf,
    /// `+`
    PosInf,
    Incl(Vec<u8>),
    Excl(Vec<u8>),
}

impl LexBound {
    /// `[x`, `(x`, `-` or `+`; None otherwise (Redis's zslParseLexRangeItem).
    pub fn parse(s: &[u8]) -> Option<LexBound> {
        match s.first()? {
            b'+' if s.len() == 1 => Some(LexBound::PosInf),
            b'-' if s.len() == 1 => Some(LexBound::NegInf),
            b'[' => Some(LexBound::Incl(s[1..].to_vec())),
            b'(' => Some(LexBound::Excl(s[1..].to_vec())),
            _ => None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct LexRange {
    pub min: LexBound,
    pub max: LexBound,
}

impl LexRange {
    pub fn gte_min(&self, m: &[u8]) -> bool {
        match &self.min {
            LexBound::NegInf => true,
            LexBound::PosInf => false,
            LexBound::Incl(x) => m >= &x[..],
            LexBound::Excl(x) => m > &x[..],
        }
    }
    pub fn lte_max(&self, m: &[u8]) -> bool {
        match &self.max {
            LexBound::NegInf => false,
            LexBound::PosInf => true,
            LexBound::Incl(x) => m <= &x[..],
            LexBound::Excl(x) => m < &x[..],
        }
    }
    /// Redis's zslIsInLexRange precheck: min above max (or equal with an open end) is empty.
    pub fn is_valid(&self) -> bool {
        use std::cmp::Ordering::*;
        let key = |b: &LexBound| -> (u8, Vec<u8>, bool) {
            match b {
                LexBound::NegInf => (0, Vec::new(), false),
                LexBound::PosInf => (2, Vec::new(), false),
                LexBound::Incl(x) => (1, x.clone(), false),
                LexBound::Excl(x) => (1, x.clone(), true),
            }
        };
        let (a, b) = (key(&self.min), key(&self.max));
        match (a.0, &a.1).cmp(&(b.0, &b.1)) {
            Greater => false,
            Equal => a.0 == 1 && !(a.2 || b.2),
            Less => true,
        }
    }

    /// Half-open ascending rank interval of the elements in range, walked forward (or from
    /// the top with `rev`). On members that all share a score both directions agree; on
    /// mixed scores (undefined in Redis) the compact form reproduces Redis's listpack scans.
    pub fn ranks(&self, z: &ZSet, rev: bool) -> (usize, usize) {
        match z {
            ZSet::Pack(p) => self.pack_ranks(p, rev),
            ZSet::Big(_) => {
                let start = z.lower_bound(|_, m| self.gte_min(m));
                let end = z.lower_bound(|_, m| !self.lte_max(m));
                (start, end.max(start))
            }
        }
    }

    /// Redis's listpack ZRANGEBYLEX walk on the compact form: from the first match (the last
    /// with `rev`), step over `offset` entries whatever their value, then count entries while
    /// the far bound holds. Returns (entries to skip in walk order, entries to take).
    pub fn pack_walk(&self, z: &ZSet, rev: bool, offset: usize) -> Option<(usize, usize)> {
        let ZSet::Pack(p) = z else { return None };
        let (s, e) = self.pack_ranks(p, rev);
        if s == e {
            return None;
        }
        let members: Vec<&[u8]> = p.iter().map(|x| x.member).collect();
        let n = members.len();
        if rev {
            let anchor = e - 1;
            let pos = anchor.checked_sub(offset)?;
            let run = members[..=pos].iter().rev().take_while(|m| self.gte_min(m)).count();
            (run > 0).then_some((n - 1 - pos, run))
        } else {
            let pos = s + offset;
            if pos >= n {
                return None;
            }
            let run = members[pos..].iter().take_while(|m| self.lte_max(m)).count();
            (run > 0).then_some((pos, run))
        }
    }

    fn pack_ranks(&self, p: &Pack, rev: bool) -> (usize, usize) {
        let n = p.len();
        if n == 0 || !self.is_valid() {
            return (0, 0);
        }
        let members: Vec<&[u8]> = p.iter().map(|e| e.member).collect();
        if !self.gte_min(members[n - 1]) || !self.lte_max(members[0]) {
            return (0, 0);
        }
        if rev {
            let Some(t) = members.iter().rposition(|m| self.lte_max(m)) else {
                return (0, 0);
            };
            if !self.gte_min(members[t]) {
                return (0, 0);
            }
            let run = members[..=t].iter().rev().take_while(|m| self.gte_min(m)).count();
            (t + 1 - run, t + 1)
        } else {
            let Some(s) = members.iter().position(|m| self.gte_min(m)) else {
                return (0, 0);
            };
            if !self.lte_max(members[s]) {
                return (0, 0);
            }
            let run = members[s..].iter().take_while(|m| self.lte_max(m)).count();
            (s, s + run)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIM: Limits = Limits { max_entries: 4, max_value: 8 };

    #[test]
    fn converts_at_the_thresholds() {
        let mut z = ZSet::new_for(1, 1, LIM);
        for (i, m) in ["a", "b", "c", "d"].iter().enumerate() {
            assert_eq!(z.set(m.as_bytes(), i as f64, LIM), None);
        }
        assert_eq!(z.encoding(), "listpack");
        assert_eq!(z.set(b"a", 10.0, LIM), Some(0.0));
        assert_eq!(z.encoding(), "listpack");
        z.set(b"e", 0.5, LIM);
        assert_eq!(z.encoding(), "skiplist");
        z.remove(b"e");
        z.remove(b"a");
        assert_eq!(z.encoding(), "skiplist");
        z.shrink_to_fit_encoding(LIM);
        assert_eq!(z.encoding(), "listpack");
        z.set(b"123456789", 1.0, LIM);
        assert_eq!(z.encoding(), "skiplist");
        assert_eq!(ZSet::new_for(5, 1, LIM).encoding(), "skiplist");
        assert_eq!(ZSet::new_for(4, 9, LIM).encoding(), "skiplist");
    }

    #[test]
    fn both_encodings_answer_alike() {
        let big = Limits { max_entries: 0, max_value: 0 };
        let small = Limits { max_entries: 1000, max_value: 1000 };
        let mut a = ZSet::new_for(0, 0, small);
        let mut b = ZSet::new_for(1, 1, big);
        assert_eq!(b.encoding(), "skiplist");
        for i in 0..200u32 {
            let m = format!("m{:03}", (i * 37) % 200);
            let s = (i % 7) as f64;
            a.set(m.as_bytes(), s, small);
            b.set(m.as_bytes(), s, big);
        }
        let dump = |z: &ZSet, rev: bool, skip: usize| {
            let mut v = Vec::new();
            z.walk(skip, rev, |m, s| {
                v.push((m.to_vec(), s));
                true
            });
            v
        };
        for skip in [0, 1, 50, 199, 200] {
            assert_eq!(dump(&a, false, skip), dump(&b, false, skip));
            assert_eq!(dump(&a, true, skip), dump(&b, true, skip));
        }
        let r = ScoreRange { min: 2.0, max: 4.0, minex: true, maxex: false };
        assert_eq!(r.ranks(&a), r.ranks(&b));
        // Lex ranges are defined on members sharing one score.
        let (mut la, mut lb) = (ZSet::new_for(0, 0, small), ZSet::new_for(1, 1, big));
        for i in 0..200u32 {
            let m = format!("m{:03}", (i * 37) % 200);
            la.set(m.as_bytes(), 0.0, small);
            lb.set(m.as_bytes(), 0.0, big);
        }
        for (min, max) in [
            (LexBound::Incl(b"m05".to_vec()), LexBound::Excl(b"m10".to_vec())),
            (LexBound::NegInf, LexBound::Incl(b"m150".to_vec())),
            (LexBound::Excl(b"m199".to_vec()), LexBound::PosInf),
            (LexBound::Incl(b"m10".to_vec()), LexBound::Excl(b"m10".to_vec())),
            (LexBound::PosInf, LexBound::NegInf),
        ] {
            let l = LexRange { min, max };
            let norm = |(s, e): (usize, usize)| if s == e { (0, 0) } else { (s, e) };
            for rev in [false, true] {
                assert_eq!(norm(l.ranks(&la, rev)), norm(l.ranks(&lb, rev)), "{l:?}");
            }
        }
        assert_eq!(a.rank(b"m100", true), b.rank(b"m100", true));
        a.remove_ranks(10, 20);
        b.remove_ranks(10, 20);
        assert_eq!(dump(&a, false, 0), dump(&b, false, 0));
    }
}
