//! An order-statistic B+tree of (score, id) items: the ordered half of a large sorted set.
//!
//! Items are ordered by score, then by member bytes; the tree stores only the score and a
//! `u32` id, and asks its caller for a member's bytes when two scores tie. Every inner node
//! keeps its children's element counts, so rank lookups, rank-range walks and "how many
//! items come before this bound" are O(log n) (Redis gets the same from skiplist spans).
//!
//! Separators are exact: `seps[i]` is the first item of child `i` (child 0's is unused), so a
//! separator never names a deleted member.

use std::cmp::Ordering;

/// Items per leaf: 63 × 12 bytes + the length fill one 768-byte allocation class exactly.
const LEAF_CAP: usize = 63;
/// Children per inner node.
const FAN: usize = 64;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Item {
    pub score: f64,
    pub id: u32,
}

/// Member bytes of an id, for tie-breaking equal scores.
pub trait Members {
    fn member(&self, id: u32) -> &[u8];
}

#[inline]
pub fn cmp_items(a: Item, b: Item, m: &impl Members) -> Ordering {
    match a.score.partial_cmp(&b.score) {
        Some(Ordering::Equal) | None => {
            if a.id == b.id {
                Ordering::Equal
            } else {
                m.member(a.id).cmp(m.member(b.id))
            }
        }
        Some(o) => o,
    }
}

struct Leaf {
    len: u32,
    scores: [f64; LEAF_CAP],
    ids: [u32; LEAF_CAP],
}

impl Leaf {
    fn new() -> Box<Leaf> {
        Box::new(Leaf { len: 0, scores: [0.0; LEAF_CAP], ids: [0; LEAF_CAP] })
    }
    #[inline]
    fn item(&self, i: usize) -> Item {
        Item { score: self.scores[i], id: self.ids[i] }
    }
    fn insert_at(&mut self, pos: usize, it: Item) {
        let len = self.len as usize;
        self.scores.copy_within(pos..len, pos + 1);
        self.ids.copy_within(pos..len, pos + 1);
        self.scores[pos] = it.score;
        self.ids[pos] = it.id;
        self.len += 1;
    }
    fn remove_at(&mut self, pos: usize) {
        let len = self.len as usize;
        self.scores.copy_within(pos + 1..len, pos);
        self.ids.copy_within(pos + 1..len, pos);
        self.len -= 1;
    }
    /// Moves items `from..` into a new leaf.
    fn split_off(&mut self, from: usize) -> Box<Leaf> {
        let len = self.len as usize;
        let mut r = Leaf::new();
        let n = len - from;
        r.scores[..n].copy_from_slice(&self.scores[from..len]);
        r.ids[..n].copy_from_slice(&self.ids[from..len]);
        r.len = n as u32;
        self.len = from as u32;
        r
    }
    fn append(&mut self, other: &Leaf) {
        let (a, b) = (self.len as usize, other.len as usize);
        self.scores[a..a + b].copy_from_slice(&other.scores[..b]);
        self.ids[a..a + b].copy_from_slice(&other.ids[..b]);
        self.len += other.len;
    }
}

struct Inner {
    counts: Vec<usize>,
    seps: Vec<Item>,
    kids: Vec<Node>,
}

enum Node {
    Leaf(Box<Leaf>),
    Inner(Box<Inner>),
}

impl Node {
    fn count(&self) -> usize {
        match self {
            Node::Leaf(l) => l.len as usize,
            Node::Inner(n) => n.counts.iter().sum(),
        }
    }
    fn first(&self) -> Item {
        match self {
            Node::Leaf(l) => l.item(0),
            Node::Inner(n) => n.kids[0].first(),
        }
    }
    /// Slots used (items for a leaf, children for an inner node) and the capacity.
    fn fill(&self) -> (usize, usize) {
        match self {
            Node::Leaf(l) => (l.len as usize, LEAF_CAP),
            Node::Inner(n) => (n.kids.len(), FAN),
        }
    }
}

impl Inner {
    /// The child whose range holds items `pred` is false for, at the boundary: the last child
    /// whose separator is false (children before it are all false, after it all true).
    #[inline]
    fn child_for(&self, mut pred: impl FnMut(Item) -> bool) -> usize {
        let n = self.seps.len();
        // seps[0] is not a bound; binary search over 1..n.
        let (mut lo, mut hi) = (1, n);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if pred(self.seps[mid]) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        lo - 1
    }

    /// Merge child `i` with a neighbour when both are sparse, so deletions cannot leave a
    /// tree of near-empty nodes.
    fn rebalance(&mut self, i: usize) {
        let (used, cap) = self.kids[i].fill();
        if used == 0 {
            self.kids.remove(i);
            self.counts.remove(i);
            self.seps.remove(i);
            return;
        }
        if used >= cap / 4 || self.kids.len() < 2 {
            return;
        }
        let (l, r) = if i + 1 < self.kids.len() { (i, i + 1) } else { (i - 1, i) };
        let (lu, _) = self.kids[l].fill();
        let (ru, _) = self.kids[r].fill();
        if lu + ru > cap * 3 / 4 {
            return;
        }
        let right = self.kids.remove(r);
        let rsep = self.seps.remove(r);
        let rcount = self.counts.remove(r);
        match (&mut self.kids[l], right) {
            (Node::Leaf(a), Node::Leaf(b)) => a.append(&b),
            (Node::Inner(a), Node::Inner(mut b)) => {
                b.seps[0] = rsep;
                a.counts.append(&mut b.counts);
                a.seps.append(&mut b.seps);
                a.kids.append(&mut b.kids);
            }
            _ => unreachable!("siblings have the same height"),
        }
        self.counts[l] += rcount;
    }
}

pub struct Tree {
    root: Node,
    len: usize,
}

impl Default for Tree {
    fn default() -> Self {
        Tree { root: Node::Leaf(Leaf::new()), len: 0 }
    }
}

enum Split {
    None,
    Some(Item, Node),
}

impl Tree {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Insert an item that is not in the tree.
    pub fn insert(&mut self, it: Item, m: &impl Members) {
        let at_end = self.len > 0 && cmp_items(it, self.last_item(), m) == Ordering::Greater;
        if let Split::Some(sep, right) = insert_rec(&mut self.root, it, m, at_end) {
            let left = std::mem::replace(&mut self.root, Node::Leaf(Leaf::new()));
            let (lc, rc) = (left.count(), right.count());
            self.root = Node::Inner(Box::new(Inner {
                counts: vec![lc, rc],
                seps: vec![sep, sep],
                kids: vec![left, right],
            }));
        }
        self.len += 1;
    }

    /// Remove an item; false if it was not there.
    pub fn remove(&mut self, it: Item, m: &impl Members) -> bool {
        if !remove_rec(&mut self.root, it, m) {
            return false;
        }
        self.len -= 1;
        loop {
            match &mut self.root {
                Node::Inner(n) if n.kids.len() == 1 => {
                    let only = n.kids.pop().expect("one child");
                    self.root = only;
                }
                Node::Inner(n) if n.kids.is_empty() => self.root = Node::Leaf(Leaf::new()),
                _ => break,
            }
        }
        true
    }

    fn last_item(&self) -> Item {
        let mut n = &self.root;
        loop {
            match n {
                Node::Leaf(l) => return l.item(l.len as usize - 1),
                Node::Inner(i) => n = i.kids.last().expect("inner nodes are not empty"),
            }
        }
    }

    /// Number of items for which `pred` is false, for a `pred` that is false then true along
    /// the order (a lower bound): the rank of the first item where it holds.
    pub fn lower_bound(&self, mut pred: impl FnMut(Item) -> bool) -> usize {
        let mut n = &self.root;
        let mut acc = 0;
        loop {
            match n {
                Node::Leaf(l) => {
                    let len = l.len as usize;
                    let (mut lo, mut hi) = (0, len);
                    while lo < hi {
                        let mid = (lo + hi) / 2;
                        if pred(l.item(mid)) {
                            hi = mid;
                        } else {
                            lo = mid + 1;
                        }
                    }
                    return acc + lo;
                }
                Node::Inner(inner) => {
                    let i = inner.child_for(&mut pred);
                    acc += inner.counts[..i].iter().sum::<usize>();
                    n = &inner.kids[i];
                }
            }
        }
    }

    /// The item at `rank` (0-based).
    pub fn at(&self, rank: usize) -> Option<Item> {
        let mut out = None;
        self.walk(rank, false, |it| {
            out = Some(it);
            false
        });
        out
    }

    /// Visit items in order from `skip` items after the start (or, with `rev`, before the
    /// end), until `f` returns false.
    pub fn walk(&self, skip: usize, rev: bool, mut f: impl FnMut(Item) -> bool) {
        if skip < self.len {
            walk_rec(&self.root, skip, rev, &mut f);
        }
    }
}

fn walk_rec(n: &Node, skip: usize, rev: bool, f: &mut impl FnMut(Item) -> bool) -> bool {
    match n {
        Node::Leaf(l) => {
            let len = l.len as usize;
            if rev {
                for k in (0..len.saturating_sub(skip)).rev() {
                    if !f(l.item(k)) {
                        return false;
                    }
                }
            } else {
                for k in skip..len {
                    if !f(l.item(k)) {
                        return false;
                    }
                }
            }
            true
        }
        Node::Inner(inner) => {
            let mut skip = skip;
            let k = inner.kids.len();
            for j in 0..k {
                let c = if rev { k - 1 - j } else { j };
                let cnt = inner.counts[c];
                if skip >= cnt {
                    skip -= cnt;
                    continue;
                }
                if !walk_rec(&inner.kids[c], skip, rev, f) {
                    return false;
                }
                skip = 0;
            }
            true
        }
    }
}

fn insert_rec(n: &mut Node, it: Item, m: &impl Members, at_end: bool) -> Split {
    match n {
        Node::Leaf(l) => {
            let len = l.len as usize;
            let (mut lo, mut hi) = (0, len);
            while lo < hi {
                let mid = (lo + hi) / 2;
                if cmp_items(l.item(mid), it, m) == Ordering::Less {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            if len < LEAF_CAP {
                l.insert_at(lo, it);
                return Split::None;
            }
            // Appends (increasing scores) keep full leaves behind them.
            let mid = if at_end && lo == len { len } else { len / 2 };
            let mut right = l.split_off(mid);
            if lo < mid {
                l.insert_at(lo, it);
            } else {
                right.insert_at(lo - mid, it);
            }
            let sep = right.item(0);
            Split::Some(sep, Node::Leaf(right))
        }
        Node::Inner(inner) => {
            let i = inner.child_for(|s| cmp_items(s, it, m) == Ordering::Greater);
            inner.counts[i] += 1;
            let Split::Some(sep, right) = insert_rec(&mut inner.kids[i], it, m, at_end) else {
                return Split::None;
            };
            let rc = right.count();
            inner.counts[i] -= rc;
            inner.kids.insert(i + 1, right);
            inner.counts.insert(i + 1, rc);
            inner.seps.insert(i + 1, sep);
            if inner.kids.len() <= FAN {
                return Split::None;
            }
            let mid = if at_end && i + 1 == inner.kids.len() - 1 { FAN } else { FAN / 2 };
            let kids = inner.kids.split_off(mid);
            let counts = inner.counts.split_off(mid);
            let seps = inner.seps.split_off(mid);
            let sep = seps[0];
            Split::Some(sep, Node::Inner(Box::new(Inner { counts, seps, kids })))
        }
    }
}

fn remove_rec(n: &mut Node, it: Item, m: &impl Members) -> bool {
    match n {
        Node::Leaf(l) => {
            let len = l.len as usize;
            let (mut lo, mut hi) = (0, len);
            while lo < hi {
                let mid = (lo + hi) / 2;
                if cmp_items(l.item(mid), it, m) == Ordering::Less {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            if lo < len && l.ids[lo] == it.id {
                l.remove_at(lo);
                true
            } else {
                false
            }
        }
        Node::Inner(inner) => {
            let i = inner.child_for(|s| cmp_items(s, it, m) == Ordering::Greater);
            if !remove_rec(&mut inner.kids[i], it, m) {
                return false;
            }
            inner.counts[i] -= 1;
            inner.rebalance(i);
            // The first item of a child may have changed (removed or merged).
            for j in i.saturating_sub(1)..(i + 2).min(inner.kids.len()) {
                if j > 0 {
                    inner.seps[j] = inner.kids[j].first();
                }
            }
            true
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct M(Vec<Vec<u8>>);
    impl Members for M {
        fn member(&self, id: u32) -> &[u8] {
            &self.0[id as usize]
        }
    }

    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
    }

    fn check(t: &Tree, model: &[Item]) {
        assert_eq!(t.len(), model.len());
        let mut got = Vec::new();
        t.walk(0, false, |it| {
            got.push(it);
            true
        });
        assert_eq!(got, model);
        let mut rev = Vec::new();
        t.walk(0, true, |it| {
            rev.push(it);
            true
        });
        rev.reverse();
        assert_eq!(rev, model);
    }

    #[test]
    fn random_operations_match_a_sorted_vec() {
        for seed in 1..6u64 {
            let mut rng = Rng(seed * 7919);
            let n = 3000;
            let m = M((0..n).map(|i| format!("m{:05}", (i * 7919) % n).into_bytes()).collect());
            let mut t = Tree::default();
            let mut model: Vec<Item> = Vec::new();
            let mut present = vec![false; n];
            for step in 0..20000 {
                let id = (rng.next() % n as u64) as u32;
                // Scores collide a lot so member tie-breaking is exercised.
                let score = (id as u64 % 13) as f64;
                let it = Item { score, id };
                let cmp = |a: &Item, b: &Item| cmp_items(*a, *b, &m);
                if present[id as usize] {
                    assert!(t.remove(it, &m));
                    let pos = model.binary_search_by(|x| cmp(x, &it)).unwrap();
                    model.remove(pos);
                } else {
                    t.insert(it, &m);
                    let pos = model.binary_search_by(|x| cmp(x, &it)).unwrap_err();
                    model.insert(pos, it);
                }
                present[id as usize] ^= true;
                if step % 997 == 0 {
                    check(&t, &model);
                    for (r, x) in model.iter().enumerate().step_by(37) {
                        assert_eq!(t.at(r), Some(*x));
                        assert_eq!(t.lower_bound(|y| cmp(&y, x) != Ordering::Less), r);
                    }
                    let s = (step % 13) as f64;
                    let lb = t.lower_bound(|y| y.score >= s);
                    assert_eq!(lb, model.iter().filter(|x| x.score < s).count());
                }
            }
            check(&t, &model);
            // Drain everything: the tree shrinks back to one leaf.
            for it in model.clone() {
                assert!(t.remove(it, &m));
            }
            assert!(t.is_empty());
            assert!(matches!(t.root, Node::Leaf(_)));
        }
    }

    #[test]
    fn appends_fill_leaves() {
        let m = M(vec![b"x".to_vec(); 10000]);
        let mut t = Tree::default();
        for i in 0..10000u32 {
            t.insert(Item { score: i as f64, id: i }, &m);
        }
        fn leaves(n: &Node, out: &mut Vec<usize>) {
            match n {
                Node::Leaf(l) => out.push(l.len as usize),
                Node::Inner(i) => i.kids.iter().for_each(|k| leaves(k, out)),
            }
        }
        let mut v = Vec::new();
        leaves(&t.root, &mut v);
        assert!(v.len() <= 10000 / LEAF_CAP + 2, "{} leaves", v.len());
        assert_eq!(t.at(9999).map(|x| x.id), Some(9999));
    }
}
