//! The large encoding of sorted sets (Redis's "skiplist": a skiplist plus a dict).
//!
//! Members live once, in a slab of `(member, score)` slots addressed by `u32` ids. An
//! open-addressing table of ids finds a member's slot; a counted B+tree of `(score, id)`
//! keeps the order with ranks. About 60-70 bytes per member against Redis's ~110.

use std::sync::OnceLock;

use super::tree::{Item, Members, Tree};
use crate::db::Key;

struct Slot {
    member: Key,
    /// NaN marks a free slot (scores are never NaN).
    score: f64,
}

#[derive(Default)]
struct Slots(Vec<Slot>);

impl Members for Slots {
    #[inline]
    fn member(&self, id: u32) -> &[u8] {
        self.0[id as usize].member.as_bytes()
    }
}

fn hash(member: &[u8]) -> u32 {
    static SEED: OnceLock<ahash::RandomState> = OnceLock::new();
    SEED.get_or_init(ahash::RandomState::new).hash_one(member) as u32
}

/// Linear-probing table of `(hash << 32) | (id + 1)`; 0 is empty.
#[derive(Default)]
struct Index {
    table: Vec<u64>,
    used: usize,
}

impl Index {
    #[inline]
    fn mask(&self) -> usize {
        self.table.len() - 1
    }

    fn find(&self, member: &[u8], h: u32, slots: &Slots) -> Option<(usize, u32)> {
        if self.table.is_empty() {
            return None;
        }
        let mask = self.mask();
        let mut i = h as usize & mask;
        loop {
            let e = self.table[i];
            if e == 0 {
                return None;
            }
            if (e >> 32) as u32 == h {
                let id = (e as u32) - 1;
                if slots.member(id) == member {
                    return Some((i, id));
                }
            }
            i = (i + 1) & mask;
        }
    }

    fn insert(&mut self, h: u32, id: u32) {
        if (self.used + 1) * 4 > self.table.len() * 3 {
            self.grow();
        }
        self.place(((h as u64) << 32) | (id as u64 + 1));
        self.used += 1;
    }

    fn place(&mut self, e: u64) {
        let mask = self.mask();
        let mut i = (e >> 32) as usize & mask;
        while self.table[i] != 0 {
            i = (i + 1) & mask;
        }
        self.table[i] = e;
    }

    fn grow(&mut self) {
        let n = (self.table.len() * 2).max(16);
        let old = std::mem::replace(&mut self.table, vec![0; n]);
        for e in old {
            if e != 0 {
                self.place(e);
            }
        }
    }

    /// Backward-shift deletion: no tombstones, so probes stay short.
    fn remove_at(&mut self, mut i: usize) {
        let mask = self.mask();
        self.used -= 1;
        let mut j = i;
        loop {
            self.table[i] = 0;
            loop {
                j = (j + 1) & mask;
                let e = self.table[j];
                if e == 0 {
                    return;
                }
                let home = (e >> 32) as usize & mask;
                // Move e back to i if its home is not cyclically in (i, j].
                let between = if i <= j { i < home && home <= j } else { i < home || home <= j };
                if !between {
                    self.table[i] = e;
                    i = j;
                    break;
                }
            }
        }
    }
}

#[derive(Default)]
pub struct Big {
    slots: Slots,
    free: Vec<u32>,
    index: Index,
    tree: Tree,
}

impl Big {
    pub fn with_capacity(n: usize) -> Big {
        let mut b = Big::default();
        b.slots.0.reserve(n.min(1 << 20));
        b
    }

    #[inline]
    pub fn len(&self) -> usize {
        self.tree.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tree.is_empty()
    }

    pub fn score(&self, member: &[u8]) -> Option<f64> {
        let (_, id) = self.index.find(member, hash(member), &self.slots)?;
        Some(self.slots.0[id as usize].score)
    }

    /// Set `member`'s score; returns the previous score (None if it was added).
    pub fn set(&mut self, member: &[u8], score: f64) -> Option<f64> {
        let h = hash(member);
        if let Some((_, id)) = self.index.find(member, h, &self.slots) {
            let old = self.slots.0[id as usize].score;
            if old != score {
                self.tree.remove(Item { score: old, id }, &self.slots);
                self.slots.0[id as usize].score = score;
                self.tree.insert(Item { score, id }, &self.slots);
            }
            return Some(old);
        }
        let slot = Slot { member: Key::new(member), score };
        let id = match self.free.pop() {
            Some(id) => {
                self.slots.0[id as usize] = slot;
                id
            }
            None => {
                self.slots.0.push(slot);
                (self.slots.0.len() - 1) as u32
            }
        };
        self.index.insert(h, id);
        self.tree.insert(Item { score, id }, &self.slots);
        None
    }

    pub fn remove(&mut self, member: &[u8]) -> Option<f64> {
        let (pos, id) = self.index.find(member, hash(member), &self.slots)?;
        let score = self.slots.0[id as usize].score;
        self.tree.remove(Item { score, id }, &self.slots);
        self.index.remove_at(pos);
        let s = &mut self.slots.0[id as usize];
        s.member = Key::new(b"");
        s.score = f64::NAN;
        self.free.push(id);
        if self.tree.is_empty() {
            *self = Big::default();
        }
        Some(score)
    }

    /// Rank of `member` in ascending order.
    pub fn rank(&self, member: &[u8]) -> Option<(usize, f64)> {
        let (_, id) = self.index.find(member, hash(member), &self.slots)?;
        let score = self.slots.0[id as usize].score;
        let me = Item { score, id };
        let slots = &self.slots;
        let r = self
            .tree
            .lower_bound(|it| super::tree::cmp_items(it, me, slots) != std::cmp::Ordering::Less);
        Some((r, score))
    }

    /// Number of elements for which `pred(score, member)` is false (a monotone predicate).
    pub fn lower_bound(&self, mut pred: impl FnMut(f64, &[u8]) -> bool) -> usize {
        let slots = &self.slots;
        self.tree.lower_bound(|it| pred(it.score, slots.member(it.id)))
    }

    /// Walk from `skip` elements after the start (before the end with `rev`).
    pub fn walk(&self, skip: usize, rev: bool, mut f: impl FnMut(&[u8], f64) -> bool) {
        let slots = &self.slots;
        self.tree.walk(skip, rev, |it| f(slots.member(it.id), it.score));
    }

    pub fn at(&self, rank: usize) -> Option<(&[u8], f64)> {
        let it = self.tree.at(rank)?;
        Some((self.slots.member(it.id), it.score))
    }

    /// Remove `count` elements from `rank` on.
    pub fn remove_ranks(&mut self, rank: usize, count: usize) {
        let mut victims = Vec::with_capacity(count.min(self.len()));
        self.walk(rank, false, |m, _| {
            victims.push(Key::new(m));
            victims.len() < count
        });
        for m in victims {
            self.remove(&m);
        }
    }

    /// ZSCAN: visit up to `count` live slots from `cursor`; returns the next cursor (0 = done).
    /// Slot ids are stable, so every member present for a whole scan is returned once.
    pub fn scan(&self, cursor: u64, count: usize, mut f: impl FnMut(&[u8], f64)) -> u64 {
        let n = self.slots.0.len() as u64;
        let mut i = cursor;
        let mut seen = 0;
        let mut visited = 0usize;
        while i < n && seen < count && visited < count.saturating_mul(10) {
            let s = &self.slots.0[i as usize];
            if !s.score.is_nan() {
                f(s.member.as_bytes(), s.score);
                seen += 1;
            }
            visited += 1;
            i += 1;
        }
        if i >= n {
            0
        } else {
            i
        }
    }

    pub fn heap_size(&self) -> usize {
        self.slots.0.capacity() * std::mem::size_of::<Slot>()
            + self.slots.0.iter().map(|s| s.member.heap_size()).sum::<usize>()
            + self.free.capacity() * 4
            + self.index.table.capacity() * 8
            + self.tree.len() * 16
    }

    /// After removals: when three quarters of the slab are free slots, rebuild compactly
    /// (amortized O(1) per removal), so a set that shrank gives its memory back.
    pub fn shrink(&mut self) {
        let slots = self.slots.0.len();
        if slots > 64 && self.len() * 4 < slots {
            let mut n = Big::with_capacity(self.len());
            self.walk(0, false, |m, s| {
                n.set(m, s);
                true
            });
            *self = n;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_remove_rank_and_scan() {
        let mut b = Big::default();
        for i in 0..5000u32 {
            assert_eq!(b.set(format!("m{i}").as_bytes(), (i % 100) as f64), None);
        }
        assert_eq!(b.set(b"m7", 7.0), Some(7.0));
        assert_eq!(b.len(), 5000);
        for i in (0..5000u32).step_by(2) {
            assert_eq!(b.remove(format!("m{i}").as_bytes()), Some((i % 100) as f64));
        }
        assert_eq!(b.remove(b"m0"), None);
        assert_eq!(b.len(), 2500);
        assert_eq!(b.score(b"m1"), Some(1.0));
        assert_eq!(b.score(b"m2"), None);
        // Lowest score 1: m1, m101, m1001, ... ordered by member bytes.
        assert_eq!(b.rank(b"m1"), Some((0, 1.0)));
        assert_eq!(b.rank(b"m1001"), Some((1, 1.0)));
        let mut seen = 0;
        let mut cur = 0;
        loop {
            cur = b.scan(cur, 10, |_, _| seen += 1);
            if cur == 0 {
                break;
            }
        }
        assert_eq!(seen, 2500);
        for i in 0..5000u32 {
            b.set(format!("n{i}").as_bytes(), 1.0);
        }
        assert_eq!(b.len(), 7500);
        b.remove_ranks(0, 7000);
        b.shrink();
        assert!(b.slots.0.len() < 1000, "{} slots", b.slots.0.len());
        assert_eq!(b.len(), 500);
        assert_eq!(b.score(b"m4999"), Some(99.0));
        assert_eq!(b.at(b.len() - 1).map(|x| x.0.to_vec()), Some(b"m999".to_vec()));
        b.remove_ranks(0, 500);
        assert_eq!(b.len(), 0);
    }
}
