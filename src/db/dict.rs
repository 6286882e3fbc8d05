//! A chained hash table with incremental rehashing, in the manner of Redis's dict.c.
//!
//! Why not std's HashMap: SCAN needs a cursor that returns every element present for the
//! whole scan even across resizes (Redis's reverse-binary cursor over power-of-two bucket
//! arrays), RANDOMKEY/SRANDMEMBER need a fair random element in O(1) expected time, and a
//! resize must not stall the loop (rehash a few buckets per operation, plus a time-boxed
//! step from the cron).
//!
//! Resizing policy (Redis 7.0's): grow to the next power of two above `len` once
//! `len >= buckets`; shrink when fewer than 10% of the buckets are used. Shrinking is checked
//! automatically after every `remove` (the way t_set/t_hash call dictResize after deletions),
//! and `maybe_shrink` lets the cron catch tables that could not shrink because a rehash was
//! running at the time. While a rehash runs, every `get_mut`/`insert`/`remove`/
//! `get_or_insert_with` migrates one bucket; `&self` lookups cannot, so the cron should call
//! `rehash_for`.
//!
//! Nodes store no hash (it is recomputed when rehashing, as Redis does), so an element costs
//! one bucket pointer plus one allocation of `key + value + next`.

use std::borrow::Borrow;
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use std::{fmt, iter, mem, slice};

const INITIAL_SIZE: usize = 4;
/// Shrink below this fill percentage (Redis's HASHTABLE_MIN_FILL).
const MIN_FILL_PERCENT: usize = 10;
/// Empty buckets a single-bucket rehash step may skip before giving up, so that one
/// operation on a sparse table stays O(1).
const EMPTY_VISITS_PER_BUCKET: usize = 10;
/// Buckets per step of `rehash_for`, between two clock reads.
const CRON_STEP: usize = 100;
/// Candidates gathered by `random_entry` (Redis's GETFAIR_NUM_ENTRIES).
const FAIR_SAMPLE: usize = 15;
/// Random bucket probes before `random_entry` falls back to a linear walk; keeps a nearly
/// empty table (possible mid-rehash) from looping for long.
const RANDOM_PROBES: usize = 100;

type Link<K, V> = Option<Box<Node<K, V>>>;

struct Node<K, V> {
    key: K,
    value: V,
    next: Link<K, V>,
}

/// Chains are dropped iteratively: the default recursive drop of `next` would overflow the
/// stack on a long chain.
fn drop_chain<K, V>(mut link: Link<K, V>) {
    while let Some(mut node) = link {
        link = node.next.take();
    }
}

struct Table<K, V> {
    /// Length is 0 (unallocated) or a power of two.
    buckets: Box<[Link<K, V>]>,
    used: usize,
}

impl<K, V> Default for Table<K, V> {
    fn default() -> Self {
        Table { buckets: Box::default(), used: 0 }
    }
}

impl<K, V> Drop for Table<K, V> {
    fn drop(&mut self) {
        for slot in self.buckets.iter_mut() {
            drop_chain(slot.take());
        }
    }
}

impl<K, V> Table<K, V> {
    fn with_size(size: usize) -> Self {
        Table { buckets: iter::repeat_with(|| None).take(size).collect(), used: 0 }
    }
    fn size(&self) -> usize {
        self.buckets.len()
    }
    /// Only meaningful for an allocated table.
    fn mask(&self) -> usize {
        self.buckets.len().wrapping_sub(1)
    }
}

fn hash_key(key: &[u8]) -> u64 {
    // One process-wide random seed, like Redis's dict_hash_function_seed: it resists hash
    // flooding without costing every Dict 32 bytes of hasher state.
    static SEED: OnceLock<ahash::RandomState> = OnceLock::new();
    SEED.get_or_init(ahash::RandomState::new).hash_one(key)
}

fn bucket_of(hash: u64, mask: usize) -> usize {
    hash as usize & mask
}

fn table_size_for(n: usize) -> usize {
    n.max(INITIAL_SIZE).checked_next_power_of_two().unwrap_or(1 << (usize::BITS - 1))
}

/// Increment the cursor's bits in reverse order, so that a bucket visited in a table of one
/// size covers exactly its expansions in any larger table (see `scan`).
fn rev_increment(v: u64) -> u64 {
    v.reverse_bits().wrapping_add(1).reverse_bits()
}

/// Where `locate` found a key: table, bucket, position in the chain.
type Loc = (usize, usize, usize);

/// Hash table from `K` (byte-string-like keys, looked up by `&[u8]`) to `V`.
pub struct Dict<K, V> {
    /// `ht[1]` is allocated only while rehashing from `ht[0]` into it.
    ht: [Table<K, V>; 2],
    /// Next bucket of `ht[0]` to migrate; all buckets below it are empty.
    rehash_idx: usize,
    /// Bytes a new table may take before the owner's memory limit says no (see
    /// `set_grow_limit`); usize::MAX when unlimited.
    grow_limit: usize,
}

impl<K: Borrow<[u8]>, V> Default for Dict<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: Borrow<[u8]>, V> Dict<K, V> {
    pub fn new() -> Self {
        Dict { ht: Default::default(), rehash_idx: 0, grow_limit: usize::MAX }
    }

    /// Room for `n` elements without a resize.
    pub fn with_capacity(n: usize) -> Self {
        let mut d = Self::new();
        if n > 0 {
            d.ht[0] = Table::with_size(table_size_for(n));
        }
        d
    }

    pub fn len(&self) -> usize {
        self.ht[0].used + self.ht[1].used
    }

    /// Redis's dictExpandAllowed for the keyspace: while the table is not overloaded past
    /// a load factor of 1.618, it does not grow into a new table bigger than `bytes` (what
    /// maxmemory leaves); chains get longer instead, since a growth would force evictions.
    pub fn set_grow_limit(&mut self, bytes: usize) {
        self.grow_limit = bytes;
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Buckets in both tables (Redis's dictSlots).
    pub fn bucket_count(&self) -> usize {
        self.ht[0].size() + self.ht[1].size()
    }
    pub fn is_rehashing(&self) -> bool {
        self.ht[1].size() != 0
    }

    pub fn get(&self, key: &[u8]) -> Option<&V> {
        self.locate(hash_key(key), key).map(|(_, n)| &n.value)
    }
    pub fn get_mut(&mut self, key: &[u8]) -> Option<&mut V> {
        let hash = hash_key(key);
        self.rehash_step();
        let (loc, _) = self.locate(hash, key)?;
        Some(&mut self.node_at_mut(loc).value)
    }
    pub fn get_key_value(&self, key: &[u8]) -> Option<(&K, &V)> {
        self.locate(hash_key(key), key).map(|(_, n)| (&n.key, &n.value))
    }
    pub fn contains_key(&self, key: &[u8]) -> bool {
        self.get(key).is_some()
    }

    /// Insert or replace; on replace the stored key is kept and the old value returned.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        let hash = hash_key(key.borrow());
        self.rehash_step();
        if let Some((loc, _)) = self.locate(hash, key.borrow()) {
            return Some(mem::replace(&mut self.node_at_mut(loc).value, value));
        }
        self.insert_new(hash, key, value);
        None
    }

    /// Look `key` up, or insert `make_key()` → `make_val()` when absent, hashing once.
    /// `make_key()` must return a key equal to `key`. Returns whether it inserted.
    pub fn get_or_insert_with(
        &mut self,
        key: &[u8],
        make_key: impl FnOnce() -> K,
        make_val: impl FnOnce() -> V,
    ) -> (&mut V, bool) {
        let hash = hash_key(key);
        self.rehash_step();
        if let Some((loc, _)) = self.locate(hash, key) {
            return (&mut self.node_at_mut(loc).value, false);
        }
        let k = make_key();
        debug_assert!(k.borrow() == key, "make_key returned a different key");
        (&mut self.insert_new(hash, k, make_val()).value, true)
    }

    /// Like `get_or_insert_with`, but hands out the stored key: for keys that carry a payload
    /// beside the bytes they are looked up by (a hash field stored with its value). The caller
    /// must not change what the key borrows as. `make()` must return a key equal to `key`.
    pub fn key_or_insert_with(
        &mut self,
        key: &[u8],
        make: impl FnOnce() -> (K, V),
    ) -> (&mut K, bool) {
        let hash = hash_key(key);
        self.rehash_step();
        if let Some((loc, _)) = self.locate(hash, key) {
            return (&mut self.node_at_mut(loc).key, false);
        }
        let (k, v) = make();
        debug_assert!(k.borrow() == key, "make returned a different key");
        (&mut self.insert_new(hash, k, v).key, true)
    }

    /// Remove and return the stored key and its value; may start a shrink.
    pub fn remove(&mut self, key: &[u8]) -> Option<(K, V)> {
        let hash = hash_key(key);
        self.rehash_step();
        let ((t, b, depth), _) = self.locate(hash, key)?;
        let table = &mut self.ht[t];
        let mut cur = &mut table.buckets[b];
        for _ in 0..depth {
            cur = &mut cur.as_mut()?.next;
        }
        let mut node = cur.take()?;
        *cur = node.next.take();
        table.used -= 1;
        if self.is_rehashing() {
            self.finish_rehash_if_drained();
        }
        self.maybe_shrink();
        let Node { key, value, .. } = *node;
        Some((key, value))
    }

    /// Drop every element and free the buckets. O(len), the one unbounded operation.
    pub fn clear(&mut self) {
        self.ht = Default::default();
        self.rehash_idx = 0;
    }

    /// Remove every element through an owning iterator, which also lets a caller free a huge
    /// dict a bit at a time.
    pub fn drain(&mut self) -> IntoIter<K, V> {
        mem::take(self).into_iter()
    }

    /// Make room for `additional` more elements, starting an incremental rehash if the table
    /// is populated. Does nothing while a rehash is already running.
    pub fn reserve(&mut self, additional: usize) {
        let want = self.len().saturating_add(additional);
        if !self.is_rehashing() && want > self.ht[0].size() {
            self.resize_to(want);
        }
    }

    /// Start shrinking if under 10% of the buckets are used (Redis's htNeedsResize +
    /// dictResize). Already called by `remove`; the cron calls it for tables that could not
    /// shrink while they were rehashing. Returns whether a resize happened or started.
    pub fn maybe_shrink(&mut self) -> bool {
        let (size, used) = (self.ht[0].size(), self.ht[0].used);
        if self.is_rehashing() || size <= INITIAL_SIZE || used * 100 / size >= MIN_FILL_PERCENT {
            return false;
        }
        self.resize_to(used);
        true
    }

    /// Migrate up to `n` buckets (visiting at most `10 * n` empty ones). Returns whether
    /// rehashing is still in progress.
    pub fn rehash(&mut self, n: usize) -> bool {
        if !self.is_rehashing() {
            return false;
        }
        let mut empty_visits = n.saturating_mul(EMPTY_VISITS_PER_BUCKET);
        let [t0, t1] = &mut self.ht;
        let mask = t1.mask();
        for _ in 0..n {
            if t0.used == 0 {
                break;
            }
            // Cannot run past the end: a populated bucket remains at or after rehash_idx.
            while t0.buckets[self.rehash_idx].is_none() {
                self.rehash_idx += 1;
                empty_visits -= 1;
                if empty_visits == 0 {
                    return true;
                }
            }
            let mut link = t0.buckets[self.rehash_idx].take();
            while let Some(mut node) = link {
                link = node.next.take();
                let slot = &mut t1.buckets[bucket_of(hash_key(node.key.borrow()), mask)];
                node.next = slot.take();
                *slot = Some(node);
                t0.used -= 1;
                t1.used += 1;
            }
            self.rehash_idx += 1;
        }
        !self.finish_rehash_if_drained()
    }

    /// Keeps "rehashing implies ht[0] is populated", which the random and sampling walks
    /// rely on to find elements at or after rehash_idx.
    fn finish_rehash_if_drained(&mut self) -> bool {
        if self.ht[0].used != 0 {
            return false;
        }
        self.ht[0] = mem::take(&mut self.ht[1]);
        self.rehash_idx = 0;
        true
    }

    /// Rehash in steps of 100 buckets until done or `budget` has elapsed (at least one
    /// step). Returns whether more work remains.
    pub fn rehash_for(&mut self, budget: Duration) -> bool {
        let start = Instant::now();
        while self.rehash(CRON_STEP) {
            if start.elapsed() >= budget {
                return true;
            }
        }
        false
    }

    /// Approximate bytes of the table structure: the Dict itself, its buckets and nodes, not
    /// what keys and values own on the heap (nor the allocator's per-allocation overhead).
    pub fn mem_usage(&self) -> usize {
        mem::size_of::<Self>()
            + self.bucket_count() * mem::size_of::<Link<K, V>>()
            + self.len() * mem::size_of::<Node<K, V>>()
    }

    pub fn iter(&self) -> Iter<'_, K, V> {
        let [t0, t1] = &self.ht;
        Iter { buckets: t0.buckets.iter().chain(t1.buckets.iter()), node: None, left: self.len() }
    }
    pub fn iter_mut(&mut self) -> IterMut<'_, K, V> {
        let left = self.len();
        let [t0, t1] = &mut self.ht;
        IterMut { buckets: t0.buckets.iter_mut().chain(t1.buckets.iter_mut()), node: None, left }
    }
    pub fn keys(&self) -> impl ExactSizeIterator<Item = &K> + '_ {
        self.iter().map(|(k, _)| k)
    }
    pub fn values(&self) -> impl ExactSizeIterator<Item = &V> + '_ {
        self.iter().map(|(_, v)| v)
    }
    pub fn values_mut(&mut self) -> impl ExactSizeIterator<Item = &mut V> + '_ {
        self.iter_mut().map(|(_, v)| v)
    }

    /// One step of a SCAN (Redis's dictScan): call `f` for the elements of at least one
    /// bucket and return the next cursor, 0 when the iteration is complete. Every element
    /// present from the start to the end of a full iteration is returned at least once, even
    /// if the table grows or shrinks in between; some may be returned more than once.
    ///
    /// The cursor counts with its bits reversed, so the high bits advance first: a bucket `i`
    /// of a table of size `2^n` expands to buckets `i + k * 2^n` in a larger table, and these
    /// all share the low `n` bits, which the reversed increment leaves for last. Thus buckets
    /// already visited in one size map onto buckets already visited in any other size.
    pub fn scan<'a>(&'a self, cursor: u64, mut f: impl FnMut(&'a K, &'a V)) -> u64 {
        if self.is_empty() {
            return 0;
        }
        let mut v = cursor;
        if !self.is_rehashing() {
            let t0 = &self.ht[0];
            let m0 = t0.mask() as u64;
            emit_chain(&t0.buckets[(v & m0) as usize], &mut f);
            v = rev_increment(v | !m0);
        } else {
            let (small, big) = if self.ht[0].size() <= self.ht[1].size() {
                (&self.ht[0], &self.ht[1])
            } else {
                (&self.ht[1], &self.ht[0])
            };
            let (m0, m1) = (small.mask() as u64, big.mask() as u64);
            emit_chain(&small.buckets[(v & m0) as usize], &mut f);
            // Then every expansion of that bucket in the bigger table.
            loop {
                emit_chain(&big.buckets[(v & m1) as usize], &mut f);
                v = rev_increment(v | !m1);
                if v & (m0 ^ m1) == 0 {
                    break;
                }
            }
        }
        v
    }

    /// A random element, roughly uniformly (Redis's dictGetFairRandomKey): draw up to 15
    /// elements from neighbouring buckets and pick one of them, which dampens the bias
    /// towards elements in short chains. `None` only when empty.
    pub fn random_entry(&self, rnd: &mut impl FnMut() -> u64) -> Option<(&K, &V)> {
        if self.is_empty() {
            return None;
        }
        let mut picked: [Option<(&K, &V)>; FAIR_SAMPLE] = [None; FAIR_SAMPLE];
        let mut n = 0;
        self.sample_with(FAIR_SAMPLE, rnd, |k, v| {
            picked[n] = Some((k, v));
            n += 1;
        });
        if n > 0 {
            return picked[(rnd() % n as u64) as usize];
        }
        self.random_bucket_entry(rnd)
    }

    /// Append up to `count` elements taken from runs of buckets at random places (Redis's
    /// dictGetSomeKeys), for eviction and expiry sampling. Cheap rather than uniform: it may
    /// return fewer than `count` and may repeat an element. Returns how many it appended.
    pub fn sample<'a>(
        &'a self,
        count: usize,
        rnd: &mut impl FnMut() -> u64,
        out: &mut Vec<(&'a K, &'a V)>,
    ) -> usize {
        self.sample_with(count, rnd, |k, v| out.push((k, v)))
    }

    fn sample_with<'a>(
        &'a self,
        count: usize,
        rnd: &mut impl FnMut() -> u64,
        mut f: impl FnMut(&'a K, &'a V),
    ) -> usize {
        let count = count.min(self.len());
        if count == 0 {
            return 0;
        }
        let tables = self.live_tables();
        let max_mask = tables.iter().map(Table::mask).max().unwrap_or(0);
        let mut i = rnd() as usize & max_mask;
        let (mut stored, mut empty_run) = (0, 0);
        for _ in 0..count.saturating_mul(10) {
            for (j, table) in tables.iter().enumerate() {
                if tables.len() == 2 && j == 0 && i < self.rehash_idx {
                    // ht[0] is empty below rehash_idx; if ht[1] (being smaller) has no such
                    // bucket either, nothing lives there at all: jump ahead.
                    if i >= self.ht[1].size() {
                        i = self.rehash_idx;
                    } else {
                        continue;
                    }
                }
                let Some(slot) = table.buckets.get(i) else { continue };
                let mut cur = slot.as_deref();
                if cur.is_none() {
                    empty_run += 1;
                    if empty_run >= 5 && empty_run > count {
                        i = rnd() as usize & max_mask;
                        empty_run = 0;
                    }
                }
                while let Some(node) = cur {
                    empty_run = 0;
                    f(&node.key, &node.value);
                    stored += 1;
                    if stored == count {
                        return stored;
                    }
                    cur = node.next.as_deref();
                }
            }
            i = (i + 1) & max_mask;
        }
        stored
    }

    /// Random non-empty bucket, then a random element of its chain (Redis's
    /// dictGetRandomKey), with a bounded number of probes before a linear walk.
    fn random_bucket_entry(&self, rnd: &mut impl FnMut() -> u64) -> Option<(&K, &V)> {
        if self.is_empty() {
            return None;
        }
        // Index both tables as one range of slots; ht[0] is empty below rehash_idx.
        let s0 = self.ht[0].size();
        let lo = if self.is_rehashing() { self.rehash_idx } else { 0 };
        let span = (s0 + self.ht[1].size() - lo) as u64;
        let slot =
            |h: usize| if h < s0 { &self.ht[0].buckets[h] } else { &self.ht[1].buckets[h - s0] };
        let mut h = lo + (rnd() % span) as usize;
        let mut head = slot(h).as_deref();
        for _ in 0..RANDOM_PROBES {
            if head.is_some() {
                break;
            }
            h = lo + (rnd() % span) as usize;
            head = slot(h).as_deref();
        }
        let mut walked = 0;
        while head.is_none() && walked < span {
            h = if h + 1 == lo + span as usize { lo } else { h + 1 };
            head = slot(h).as_deref();
            walked += 1;
        }
        let head = head?;
        let chain_len = iter::successors(Some(head), |n| n.next.as_deref()).count();
        let pick = (rnd() % chain_len as u64) as usize;
        let node = iter::successors(Some(head), |n| n.next.as_deref()).nth(pick)?;
        Some((&node.key, &node.value))
    }

    fn rehash_step(&mut self) {
        if self.is_rehashing() {
            self.rehash(1);
        }
    }

    /// The node holding `key`, with its position so that callers can then borrow it mutably.
    fn locate(&self, hash: u64, key: &[u8]) -> Option<(Loc, &Node<K, V>)> {
        for (t, table) in self.live_tables().iter().enumerate() {
            let b = bucket_of(hash, table.mask());
            let Some(slot) = table.buckets.get(b) else { continue };
            let mut cur = slot.as_deref();
            let mut depth = 0;
            while let Some(node) = cur {
                if node.key.borrow() == key {
                    return Some(((t, b, depth), node));
                }
                cur = node.next.as_deref();
                depth += 1;
            }
        }
        None
    }

    fn live_tables(&self) -> &[Table<K, V>] {
        &self.ht[..1 + usize::from(self.is_rehashing())]
    }

    fn node_at_mut(&mut self, (t, b, depth): Loc) -> &mut Node<K, V> {
        let mut node = self.ht[t].buckets[b].as_deref_mut().expect("located node");
        for _ in 0..depth {
            node = node.next.as_deref_mut().expect("located node");
        }
        node
    }

    /// Insert a key known to be absent, at the head of its chain.
    fn insert_new(&mut self, hash: u64, key: K, value: V) -> &mut Node<K, V> {
        self.expand_if_needed();
        // While rehashing, new elements go to the new table so that ht[0] only drains.
        let table = &mut self.ht[usize::from(self.is_rehashing())];
        table.used += 1;
        let slot = &mut table.buckets[bucket_of(hash, table.mask())];
        let next = slot.take();
        slot.insert(Box::new(Node { key, value, next }))
    }

    fn expand_if_needed(&mut self) {
        if self.is_rehashing() {
            return;
        }
        if self.ht[0].size() == 0 {
            self.ht[0] = Table::with_size(INITIAL_SIZE);
        } else if self.ht[0].used >= self.ht[0].size() {
            if self.grow_limit != usize::MAX {
                let bytes = table_size_for(self.ht[0].used + 1) * mem::size_of::<Link<K, V>>();
                let ratio = self.ht[0].used as f64 / self.ht[0].size() as f64;
                if ratio <= 1.618 && bytes > self.grow_limit {
                    return;
                }
            }
            self.resize_to(self.ht[0].used + 1);
        }
    }

    /// Resize to fit `n` elements; must not be called while rehashing.
    fn resize_to(&mut self, n: usize) {
        let size = table_size_for(n.max(self.ht[0].used));
        if size == self.ht[0].size() {
            return;
        }
        if self.ht[0].used == 0 {
            // Nothing to migrate, so no rehash: swap the table (frees a big empty one now).
            self.ht[0] = Table::with_size(size);
        } else {
            self.ht[1] = Table::with_size(size);
            self.rehash_idx = 0;
        }
    }
}

fn emit_chain<'a, K, V>(slot: &'a Link<K, V>, f: &mut impl FnMut(&'a K, &'a V)) {
    let mut cur = slot.as_deref();
    while let Some(node) = cur {
        f(&node.key, &node.value);
        cur = node.next.as_deref();
    }
}

impl<K: Borrow<[u8]>, V: fmt::Debug> fmt::Debug for Dict<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (k, v) in self {
            map.key(&format_args!("\"{}\"", k.borrow().escape_ascii())).value(v);
        }
        map.finish()
    }
}

impl<K: Borrow<[u8]>, V> Extend<(K, V)> for Dict<K, V> {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl<K: Borrow<[u8]>, V> FromIterator<(K, V)> for Dict<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut d = Self::new();
        d.extend(iter);
        d
    }
}

type Buckets<'a, K, V> = iter::Chain<slice::Iter<'a, Link<K, V>>, slice::Iter<'a, Link<K, V>>>;
type BucketsMut<'a, K, V> =
    iter::Chain<slice::IterMut<'a, Link<K, V>>, slice::IterMut<'a, Link<K, V>>>;

pub struct Iter<'a, K, V> {
    buckets: Buckets<'a, K, V>,
    node: Option<&'a Node<K, V>>,
    left: usize,
}

impl<'a, K, V> Iterator for Iter<'a, K, V> {
    type Item = (&'a K, &'a V);
    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(node) = self.node {
                self.node = node.next.as_deref();
                self.left -= 1;
                return Some((&node.key, &node.value));
            }
            self.node = self.buckets.next()?.as_deref();
        }
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}
impl<K, V> ExactSizeIterator for Iter<'_, K, V> {}

pub struct IterMut<'a, K, V> {
    buckets: BucketsMut<'a, K, V>,
    node: Option<&'a mut Node<K, V>>,
    left: usize,
}

impl<'a, K, V> Iterator for IterMut<'a, K, V> {
    type Item = (&'a K, &'a mut V);
    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(node) = self.node.take() {
                let Node { key, value, next } = node;
                self.node = next.as_deref_mut();
                self.left -= 1;
                return Some((&*key, value));
            }
            self.node = self.buckets.next()?.as_deref_mut();
        }
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}
impl<K, V> ExactSizeIterator for IterMut<'_, K, V> {}

/// Owning iterator; see `Dict::drain`.
pub struct IntoIter<K, V> {
    tables: [Table<K, V>; 2],
    table: usize,
    bucket: usize,
    chain: Link<K, V>,
    left: usize,
}

impl<K, V> Iterator for IntoIter<K, V> {
    type Item = (K, V);
    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(mut node) = self.chain.take() {
                self.chain = node.next.take();
                self.left -= 1;
                let Node { key, value, .. } = *node;
                return Some((key, value));
            }
            let table = self.tables.get_mut(self.table)?;
            match table.buckets.get_mut(self.bucket) {
                Some(slot) => {
                    self.chain = slot.take();
                    self.bucket += 1;
                }
                None => {
                    self.table += 1;
                    self.bucket = 0;
                }
            }
        }
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}
impl<K, V> ExactSizeIterator for IntoIter<K, V> {}

impl<K, V> Drop for IntoIter<K, V> {
    fn drop(&mut self) {
        drop_chain(self.chain.take());
    }
}

impl<K: Borrow<[u8]>, V> IntoIterator for Dict<K, V> {
    type Item = (K, V);
    type IntoIter = IntoIter<K, V>;
    fn into_iter(self) -> IntoIter<K, V> {
        let left = self.len();
        let Dict { ht, .. } = self;
        IntoIter { tables: ht, table: 0, bucket: 0, chain: None, left }
    }
}

impl<'a, K: Borrow<[u8]>, V> IntoIterator for &'a Dict<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = Iter<'a, K, V>;
    fn into_iter(self) -> Iter<'a, K, V> {
        self.iter()
    }
}

impl<'a, K: Borrow<[u8]>, V> IntoIterator for &'a mut Dict<K, V> {
    type Item = (&'a K, &'a mut V);
    type IntoIter = IterMut<'a, K, V>;
    fn into_iter(self) -> IterMut<'a, K, V> {
        self.iter_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    type D = Dict<Box<[u8]>, u64>;

    /// xorshift64*
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    fn k(s: impl AsRef<[u8]>) -> Box<[u8]> {
        s.as_ref().into()
    }

    fn settle(d: &mut D) {
        while d.rehash_for(Duration::from_secs(1)) {}
    }

    /// Bucket placement, counts, sizes, and the empty prefix of ht[0] below rehash_idx.
    fn check(d: &D) {
        for (t, table) in d.live_tables().iter().enumerate() {
            assert!(table.size() == 0 || table.size().is_power_of_two());
            let mut n = 0;
            for (b, slot) in table.buckets.iter().enumerate() {
                assert!(t == 1 || !d.is_rehashing() || b >= d.rehash_idx || slot.is_none());
                for node in iter::successors(slot.as_deref(), |n| n.next.as_deref()) {
                    assert_eq!(bucket_of(hash_key(&node.key), table.mask()), b);
                    n += 1;
                }
            }
            assert_eq!(n, table.used);
        }
        assert!(if d.is_rehashing() { d.ht[0].used > 0 } else { d.ht[1].used == 0 });
        assert_eq!(d.iter().count(), d.len());
    }

    #[test]
    fn basic_operations() {
        struct Tagged(Box<[u8]>, u32);
        impl Borrow<[u8]> for Tagged {
            fn borrow(&self) -> &[u8] {
                &self.0
            }
        }
        let mut d = Dict::new();
        assert!(d.is_empty() && d.get(b"x").is_none() && d.remove(b"x").is_none());
        assert_eq!(d.scan(0, |_, _| panic!()), 0);
        assert_eq!(d.insert(Tagged(k("a"), 1), 10), None);
        // Replacing keeps the stored key.
        assert_eq!(d.insert(Tagged(k("a"), 2), 11), Some(10));
        assert_eq!(d.get_key_value(b"a").map(|(k, v)| (k.1, *v)), Some((1, 11)));
        d.insert(Tagged(k("b"), 3), 20);
        *d.get_mut(b"b").unwrap() += 1;
        assert!(d.contains_key(b"b") && !d.contains_key(b"c") && d.len() == 2);
        assert_eq!(d.remove(b"a").map(|(k, v)| (k.1, v)), Some((1, 11)));
        let (v, inserted) = d.get_or_insert_with(b"c", || Tagged(k("c"), 4), || 30);
        *v += 1;
        assert!(inserted);
        assert_eq!(d.get_or_insert_with(b"c", || panic!(), || panic!()), (&mut 31, false));
        for v in d.values_mut() {
            *v *= 2;
        }
        let mut all: Vec<_> = d.iter().map(|(k, v)| (k.1, *v)).collect();
        all.sort();
        assert_eq!(all, [(3, 42), (4, 62)]);
        d.clear();
        assert!(d.is_empty() && d.bucket_count() == 0);
        d.insert(Tagged(k(b"\xff"), 5), 0);
        assert_eq!(format!("{d:?}"), "{\"\\xff\": 0}");
    }

    #[test]
    fn random_operations_match_hashmap() {
        for seed in 1..=4u64 {
            let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15));
            let (mut d, mut oracle) = (D::new(), HashMap::<Vec<u8>, u64>::new());
            let mut saw_rehash = false;
            for step in 0..40_000u64 {
                // Alternate insert-heavy and delete-heavy phases so tables grow and shrink.
                let insert_bias = if (step / 5000) % 2 == 0 { 7 } else { 2 };
                let key = format!("key:{}", rng.below(3000)).into_bytes();
                match rng.below(10) {
                    op if op < insert_bias => {
                        assert_eq!(d.insert(k(&key), step), oracle.insert(key, step))
                    }
                    op if op < 9 => {
                        assert_eq!(d.remove(&key), oracle.remove(&key).map(|v| (k(&key), v)))
                    }
                    _ => match rng.below(4) {
                        0 => assert_eq!(d.get_mut(&key).copied(), oracle.get(&key).copied()),
                        1 => {
                            let want =
                                (*oracle.get(&key).unwrap_or(&step), !oracle.contains_key(&key));
                            oracle.entry(key.clone()).or_insert(step);
                            let (v, inserted) = d.get_or_insert_with(&key, || k(&key), || step);
                            assert_eq!((*v, inserted), want);
                        }
                        2 => _ = d.maybe_shrink(),
                        _ => _ = d.rehash(rng.below(3) as usize),
                    },
                }
                saw_rehash |= d.is_rehashing();
                if step % 1000 == 0 {
                    check(&d);
                    assert_eq!(d.len(), oracle.len());
                    assert!(oracle.iter().all(|(key, v)| d.get(key) == Some(v)));
                }
            }
            assert!(saw_rehash);
            check(&d);
            let mut drained: Vec<_> = d.drain().map(|(k, v)| (k.into_vec(), v)).collect();
            let mut want: Vec<_> = oracle.into_iter().collect();
            drained.sort();
            want.sort();
            assert_eq!(drained, want);
            assert!(d.is_empty());
        }
    }

    #[test]
    fn resize_and_rehash_for() {
        let mut d = D::with_capacity(1000);
        assert_eq!(d.bucket_count(), 1024);
        d.extend((0..10_000u64).map(|i| (k(i.to_le_bytes()), i)));
        settle(&mut d);
        assert_eq!(d.bucket_count(), 16384);
        d.reserve((1 << 20) - d.len());
        assert!(d.is_rehashing());
        let mut last = d.rehash_idx;
        // A zero budget still does one step of 100 buckets.
        while d.rehash_for(Duration::ZERO) {
            assert!(d.rehash_idx >= last + CRON_STEP);
            last = d.rehash_idx;
        }
        assert_eq!(d.bucket_count(), 1 << 20);
        check(&d);
        for i in 0..9_990u64 {
            assert_eq!(d.remove(&i.to_le_bytes()), Some((k(i.to_le_bytes()), i)));
        }
        settle(&mut d);
        d.maybe_shrink();
        settle(&mut d);
        // At least 10% full; the exact size depends on where the last shrink landed.
        assert!(d.bucket_count() <= 64 && d.mem_usage() < 1000, "{}", d.bucket_count());
        assert!((9_990..10_000u64).all(|i| d.get(&i.to_le_bytes()) == Some(&i)));
        check(&d);
        // Sparse source table: a single step still skips at most 10 empty buckets.
        let mut d = D::with_capacity(1 << 12);
        d.insert(k("x"), 1);
        d.reserve(1 << 16);
        while d.is_rehashing() {
            let before = d.rehash_idx;
            d.rehash(1);
            assert!(!d.is_rehashing() || d.rehash_idx - before <= EMPTY_VISITS_PER_BUCKET);
        }
        assert_eq!(d.remove(b"x"), Some((k("x"), 1)));
        assert_eq!(d.bucket_count(), INITIAL_SIZE);
    }

    /// A full SCAN calling `between` after each step: how often each key came, and the steps.
    fn full_scan(
        d: &mut D,
        mut between: impl FnMut(&mut D, usize),
    ) -> (HashMap<Box<[u8]>, usize>, usize) {
        let (mut seen, mut cursor, mut calls) = (HashMap::new(), 0, 0);
        loop {
            cursor = d.scan(cursor, |key, _| *seen.entry(key.clone()).or_insert(0) += 1);
            calls += 1;
            if cursor == 0 {
                return (seen, calls);
            }
            between(d, calls);
        }
    }

    #[test]
    fn scan_stable_table_returns_each_once() {
        let mut d: D = (0..3000u64).map(|i| (k(i.to_string()), i)).collect();
        settle(&mut d);
        let (seen, calls) = full_scan(&mut d, |_, _| {});
        assert_eq!(calls, d.bucket_count());
        assert!(seen.len() == 3000 && seen.values().all(|&c| c == 1));
    }

    #[test]
    fn scan_returns_survivors_across_grow_and_shrink() {
        let (mut grew, mut shrank) = (0, 0);
        for seed in 0..8u64 {
            let mut rng = Rng(seed.wrapping_mul(0xdead_beef_1234_5677) | 1);
            let mut d: D = (0..500u64).map(|i| (k(format!("keep:{i}")), i)).collect();
            // The last seeds start big and only shrink.
            let big = seed >= 6;
            let mut temps: Vec<u64> = if big { (0..20_000).collect() } else { Vec::new() };
            d.extend(temps.iter().map(|&t| (k(format!("temp:{t}")), t)));
            settle(&mut d);
            let mut next = temps.len() as u64;
            let (seen, _) = full_scan(&mut d, |d, call| {
                let grow = !big
                    && match seed % 3 {
                        0 => call < 20,
                        1 => rng.below(2) == 0,
                        _ => call % 40 < 20,
                    };
                if grow {
                    for _ in 0..rng.below(400) {
                        d.insert(k(format!("temp:{next}")), next);
                        temps.push(next);
                        next += 1;
                    }
                } else {
                    let n = temps.len().saturating_sub(rng.below(600) as usize);
                    for t in temps.drain(n..) {
                        assert!(d.remove(format!("temp:{t}").as_bytes()).is_some());
                    }
                    d.maybe_shrink();
                }
                if rng.below(4) == 0 {
                    d.rehash(rng.below(50) as usize);
                }
                if d.is_rehashing() {
                    *if d.ht[1].size() > d.ht[0].size() { &mut grew } else { &mut shrank } += 1;
                }
            });
            assert!((0..500).all(|i| seen.contains_key(format!("keep:{i}").as_bytes())));
            check(&d);
        }
        assert!(grew > 0 && shrank > 0, "{grew} {shrank}");
    }

    fn draw(d: &D, rng: &mut Rng, n: usize) -> HashMap<u64, usize> {
        let mut hits = HashMap::new();
        for _ in 0..n {
            let (key, v) = d.random_entry(&mut || rng.next()).unwrap();
            assert_eq!(d.get(key), Some(v));
            *hits.entry(*v).or_insert(0) += 1;
        }
        hits
    }

    #[test]
    fn random_entry_is_present_and_covers() {
        let mut rng = Rng(42);
        let mut d = D::new();
        assert!(d.random_entry(&mut || rng.next()).is_none());
        d.extend((0..5u64).map(|i| (k(i.to_string()), i)));
        let hits = draw(&d, &mut rng, 5000);
        assert!(hits.len() == 5 && hits.values().all(|&c| c > 500), "{hits:?}");
        d.extend((5..200u64).map(|i| (k(i.to_string()), i)));
        settle(&mut d);
        d.reserve(5000);
        d.rehash(3);
        assert!(d.is_rehashing());
        assert_eq!(draw(&d, &mut rng, 20_000).len(), 200);
        // 2 elements in big tables mid-rehash: sampling mostly fails, the fallback must not.
        let mut d = D::with_capacity(1 << 14);
        d.extend([(k("a"), 1), (k("b"), 2)]);
        d.ht[1] = Table::with_size(1 << 16);
        check(&d);
        assert_eq!(draw(&d, &mut rng, 2000).len(), 2);
        for mut f in [(|| 0) as fn() -> u64, || u64::MAX] {
            assert!(d.random_entry(&mut f).is_some() && d.random_bucket_entry(&mut f).is_some());
        }
    }

    #[test]
    fn sample_returns_present_elements() {
        let mut rng = Rng(99);
        let mut d = D::new();
        assert_eq!(d.sample(10, &mut || rng.next(), &mut Vec::new()), 0);
        for i in 0..1000u64 {
            d.insert(k(i.to_string()), i);
            let mut out = Vec::new();
            let n = d.sample(20, &mut || rng.next(), &mut out);
            assert!(n == out.len() && n <= 20 && n <= d.len());
            assert!(out.iter().all(|(key, v)| d.get(key) == Some(*v)));
        }
        assert_eq!(d.sample(20, &mut || rng.next(), &mut Vec::new()), 20);
    }

    #[test]
    fn dropping_long_chains_does_not_overflow() {
        let chain = || {
            let mut d = D::with_capacity(1);
            let head = &mut d.ht[0].buckets[0];
            for i in 0..1_000_000u64 {
                let next = head.take();
                *head = Some(Box::new(Node { key: k(i.to_le_bytes()), value: i, next }));
            }
            d.ht[0].used = 1_000_000;
            d
        };
        drop(chain());
        chain().clear();
        let mut it = chain().into_iter();
        assert_eq!((it.len(), it.next().map(|(_, v)| v)), (1_000_000, Some(999_999)));
    }

    #[test]
    fn iterators_agree() {
        let mut d: D = (0..777u64).map(|i| (k(i.to_string()), i)).collect();
        d.reserve(4000);
        d.rehash(5);
        assert!(d.is_rehashing());
        assert_eq!((d.iter().len(), d.keys().count()), (777, 777));
        assert_eq!(d.values().sum::<u64>(), 776 * 777 / 2);
        for (_, v) in &mut d {
            *v += 1;
        }
        assert_eq!((&d).into_iter().map(|(_, v)| *v).sum::<u64>(), 777 * 778 / 2);
        let mut all: Vec<u64> = d.into_iter().map(|(_, v)| v).collect();
        all.sort();
        assert_eq!(all, (1..=777).collect::<Vec<_>>());
    }

    #[test]
    fn grow_limit_defers_expansion_until_overloaded() {
        let mut d = D::new();
        for i in 0..8u64 {
            d.insert(i.to_string().into_bytes().into(), i);
        }
        while d.rehash(100) {}
        let buckets = d.bucket_count();
        assert_eq!(buckets, 8);
        d.set_grow_limit(0);
        // Full table, no room for a bigger one: chains grow instead, up to a load of 1.618.
        d.insert(b"x".to_vec().into(), 0);
        assert!(!d.is_rehashing());
        assert_eq!(d.bucket_count(), buckets);
        for i in 0..20u64 {
            d.insert(format!("y{i}").into_bytes().into(), i);
        }
        assert!(d.bucket_count() > buckets, "an overloaded table grows anyway");
        assert_eq!(d.len(), 29);
        assert_eq!(d.get(b"x"), Some(&0));
    }

    #[test]
    fn node_is_three_words() {
        assert_eq!(mem::size_of::<Node<Box<[u8]>, u64>>(), 32);
        assert_eq!(mem::size_of::<Link<Box<[u8]>, u64>>(), 8);
        assert_eq!(mem::size_of::<D>(), 64);
    }
}
