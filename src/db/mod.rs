//! The keyspace: `databases` numbered dbs of byte keys, lazy expiry on lookup and an active
//! sweep driven by the timer wheel.

pub mod bytes;
pub mod dict;
pub mod digest;
pub mod expire;
pub mod hash;
pub mod lazyfree;
pub mod lfu;
pub mod list;
pub mod packed;
pub mod set;
pub mod stream;
pub mod value;
pub mod zset;

pub use bytes::Key;
pub use value::{Kind, Value};

use dict::Dict;
use expire::Wheel;

/// Something the keyspace did on its own that commands must hear about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KsEvent {
    Expired,
    /// Removed by the maxmemory policy (`crate::evict`).
    Evicted,
    Miss,
    New,
}

/// A stored value with its expiry (unix ms, 0 = none) and last access time (LRU clock, s).
pub struct Entry {
    pub expire: i64,
    pub lru: u32,
    pub value: Value,
}

impl Entry {
    #[inline]
    pub fn is_expired(&self, now: i64) -> bool {
        self.expire != 0 && self.expire <= now
    }
}

/// One numbered database.
pub struct Db {
    pub dict: Dict<Key, Entry>,
    /// Keys that carry an expiry (INFO keyspace `expires=`).
    pub expires: usize,
    /// Identity that travels with the data on SWAPDB, so wheel items find their keys.
    tag: usize,
}

impl Db {
    fn new(tag: usize) -> Db {
        Db { dict: Dict::new(), expires: 0, tag }
    }

    pub fn len(&self) -> usize {
        self.dict.len()
    }

    pub fn is_empty(&self) -> bool {
        self.dict.is_empty()
    }
}

/// Counters the keyspace keeps for INFO.
#[derive(Default, Debug, Clone)]
pub struct KeyspaceStats {
    pub expired_keys: u64,
    pub expired_stale_perc: f64,
    pub expired_time_cap_reached_count: u64,
    pub keyspace_hits: u64,
    pub keyspace_misses: u64,
}

pub struct Keyspace {
    pub dbs: Vec<Db>,
    /// tag -> current index in `dbs`.
    tag_index: Vec<usize>,
    wheel: Wheel<(usize, Key)>,
    pub stats: KeyspaceStats,
    /// Active expiry can be switched off by DEBUG SET-ACTIVE-EXPIRE 0.
    pub active_expire: bool,
    /// Redis's `quicklist-packed-threshold` (DEBUG QUICKLIST-PACKED-THRESHOLD): list
    /// elements of at least this many bytes get a plain node of their own.
    pub list_packed_threshold: u32,
    /// What the keyspace did on its own, in order, for `notify::drain_keyspace_logs`:
    /// expired keys (always: WATCH and tracking need them), read misses and new keys (only
    /// while the `m` / `n` notification classes are on).
    pub log: Vec<(KsEvent, usize, Key)>,
    pub log_misses: bool,
    pub log_new: bool,
    /// The last miss / new key logged in the current command, so a family's explicit
    /// `keymiss` / `new` notification for the same lookup is not sent twice.
    pub last_miss: Option<(usize, Key)>,
    pub last_new: Option<(usize, Key)>,
    /// What a lookup does to the key it finds (Redis's lookupKey without NOTOUCH), set by the
    /// dispatcher per command; None for commands that must not touch (TYPE, EXISTS, TTL,
    /// OBJECT...) and NO-TOUCH clients.
    pub touch: Option<Touch>,
    /// State of the draws for LFU increments.
    pub lfu_rng: u64,
    /// Big values freed off the loop (UNLINK, FLUSHALL ASYNC, lazyfree-lazy-*).
    pub lazy: lazyfree::LazyFree,
    /// While CLIENT PAUSE is in effect, an expired key reads as missing but is not deleted
    /// (Redis's expireIfNeeded under a pause: nothing may reach the replication stream).
    pub expire_paused: bool,
    /// 1 while the dicts carry a grow limit (`set_grow_limit`).
    grow_limited: usize,
}

/// What a lookup does to the `lru` word of the key it finds.
#[inline]
fn apply_touch(touch: Option<Touch>, rng: &mut u64, e: &mut Entry) {
    match touch {
        None => {}
        Some(Touch::Lru(clock)) => e.lru = clock,
        Some(Touch::Lfu { now_ms, params }) => {
            e.lru = lfu::touched(e.lru, now_ms, params, &mut || lfu::xorshift(rng));
        }
    }
}

/// How a lookup updates a key's `lru` word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Touch {
    /// Stamp the LRU clock (seconds, 24 bits).
    Lru(u32),
    /// Bump the LFU counter (an LFU `maxmemory-policy`).
    Lfu { now_ms: i64, params: lfu::LfuParams },
}

impl Keyspace {
    pub fn new(databases: usize, now_ms: i64) -> Keyspace {
        Keyspace {
            dbs: (0..databases).map(Db::new).collect(),
            tag_index: (0..databases).collect(),
            wheel: Wheel::new(now_ms),
            stats: KeyspaceStats::default(),
            active_expire: true,
            list_packed_threshold: list::DEFAULT_PACKED_THRESHOLD,
            log: Vec::new(),
            log_misses: false,
            log_new: false,
            last_miss: None,
            last_new: None,
            touch: None,
            lazy: lazyfree::LazyFree::default(),
            lfu_rng: 0x9e37_79b9_7f4a_7c15 ^ now_ms as u64,
            expire_paused: false,
            grow_limited: 0,
        }
    }

    /// Look a key up for reading; an expired key is deleted and reported as missing.
    /// One dict lookup on the common path (this is GET's and every write's first step).
    #[inline]
    pub fn get(&mut self, db: usize, key: &[u8], now: i64) -> Option<&mut Entry> {
        let e: *mut Entry = self.dbs[db].dict.get_mut(key)?;
        // SAFETY: `e` points into `self.dbs[db].dict` and nothing touches `self` between the
        // lookup and this return, so the exclusive borrow it came from is still the only one.
        // (Returning the reference directly on one branch and mutating `self` on the other is
        // sound but rejected by the current borrow checker.)
        if !unsafe { &*e }.is_expired(now) {
            let e = unsafe { &mut *e };
            apply_touch(self.touch, &mut self.lfu_rng, e);
            return Some(e);
        }
        if !self.expire_paused {
            self.expire_key(db, key);
        }
        None
    }

    /// Like `get`, counting keyspace hits and misses (commands that read a value).
    #[inline]
    pub fn read(&mut self, db: usize, key: &[u8], now: i64) -> Option<&mut Entry> {
        match self.get(db, key, now).map(|e| e as *mut Entry) {
            Some(e) => {
                self.stats.keyspace_hits += 1;
                // SAFETY: as in `get`; the counter is a field disjoint from the dict.
                Some(unsafe { &mut *e })
            }
            None => {
                self.stats.keyspace_misses += 1;
                if self.log_misses {
                    self.log.push((KsEvent::Miss, db, Key::new(key)));
                    self.last_miss = Some((db, Key::new(key)));
                }
                None
            }
        }
    }

    pub fn exists(&mut self, db: usize, key: &[u8], now: i64) -> bool {
        self.get(db, key, now).is_some()
    }

    fn expire_key(&mut self, db: usize, key: &[u8]) {
        if let Some((k, e)) = self.remove(db, key) {
            self.stats.expired_keys += 1;
            self.log.push((KsEvent::Expired, db, k));
            let lazy = self.lazy.expire;
            self.lazy.free(e.value, lazy);
        }
    }

    /// Insert or overwrite `key`. `expire` 0 clears any TTL.
    pub fn set(&mut self, db: usize, key: &[u8], value: Value, expire: i64, lru: u32) {
        let d = &mut self.dbs[db];
        let (slot, inserted) = d.dict.get_or_insert_with(
            key,
            || Key::new(key),
            || Entry { expire: 0, lru, value: Value::Int(0) },
        );
        let had_expire = !inserted && slot.expire != 0;
        if inserted && self.log_new {
            self.log.push((KsEvent::New, db, Key::new(key)));
        }
        let old = std::mem::replace(&mut slot.value, value);
        slot.lru = lru;
        slot.expire = expire;
        self.expire_changed(db, key, had_expire, expire);
        let lazy = self.lazy.server_del;
        self.lazy.free(old, lazy);
    }

    /// Overwrite the value, keeping the TTL (SET KEEPTTL, string edits).
    pub fn set_keep_ttl(&mut self, db: usize, key: &[u8], value: Value, lru: u32) {
        let d = &mut self.dbs[db];
        let (slot, inserted) = d.dict.get_or_insert_with(
            key,
            || Key::new(key),
            || Entry { expire: 0, lru, value: Value::Int(0) },
        );
        let old = std::mem::replace(&mut slot.value, value);
        slot.lru = lru;
        if inserted && self.log_new {
            self.log.push((KsEvent::New, db, Key::new(key)));
        }
        let lazy = self.lazy.server_del;
        self.lazy.free(old, lazy);
    }

    /// The write hot path (SET, INCR, APPEND...): find `key` or insert it, hashing once.
    /// An expired key counts as absent (it is reset, as lazy expiry would have deleted it).
    /// Returns the entry and whether it is new; a new entry holds `Value::Int(0)` with no
    /// expiry and `lru`, and the caller must fill its value.
    #[inline]
    pub fn entry(&mut self, db: usize, key: &[u8], now: i64, lru: u32) -> (&mut Entry, bool) {
        let Keyspace { dbs, stats, log, log_new, touch, lfu_rng, lazy, .. } = self;
        let d = &mut dbs[db];
        let (slot, inserted) = d.dict.get_or_insert_with(
            key,
            || Key::new(key),
            || Entry { expire: 0, lru, value: Value::Int(0) },
        );
        if !inserted && slot.is_expired(now) {
            d.expires -= 1;
            stats.expired_keys += 1;
            let old = std::mem::replace(slot, Entry { expire: 0, lru, value: Value::Int(0) });
            let async_free = lazy.expire;
            lazy.free(old.value, async_free);
            log.push((KsEvent::Expired, db, Key::new(key)));
            if *log_new {
                log.push((KsEvent::New, db, Key::new(key)));
            }
            return (slot, true);
        }
        if inserted && *log_new {
            log.push((KsEvent::New, db, Key::new(key)));
        }
        if !inserted {
            // lookupKeyWrite touches the key it finds, as a read does.
            apply_touch(*touch, lfu_rng, slot);
        }
        (slot, inserted)
    }

    /// SET in one dict lookup: store `value` under `key`. `expire`: Some(0) clears the TTL,
    /// Some(t) sets it, None keeps the current one (KEEPTTL). With `keep_lru` an existing
    /// key keeps its LRU/LFU word (Redis's dbOverwrite under an LFU policy).
    /// Returns whether a live key was overwritten.
    #[inline]
    #[allow(clippy::too_many_arguments)]
    pub fn upsert(
        &mut self,
        db: usize,
        key: &[u8],
        value: Value,
        expire: Option<i64>,
        lru: u32,
        keep_lru: bool,
        now: i64,
    ) -> bool {
        let (slot, new) = self.entry(db, key, now, lru);
        let old = std::mem::replace(&mut slot.value, value);
        if !keep_lru || new {
            slot.lru = lru;
        }
        if let Some(expire) = expire {
            let had = slot.expire != 0;
            slot.expire = expire;
            self.expire_changed(db, key, had, expire);
        }
        if !new {
            let lazy = self.lazy.server_del;
            self.lazy.free(old, lazy);
        }
        !new
    }

    /// Set or clear (0) the expiry of an existing key. Returns false if the key is missing.
    pub fn set_expire(&mut self, db: usize, key: &[u8], expire: i64) -> bool {
        let d = &mut self.dbs[db];
        let Some(e) = d.dict.get_mut(key) else { return false };
        let had = e.expire != 0;
        e.expire = expire;
        self.expire_changed(db, key, had, expire);
        true
    }

    /// After a key's deadline changed from `had` (a TTL or not) to `expire` (0: none): keep
    /// the db's count of keys with a TTL, and index the new deadline in the wheel.
    #[inline]
    fn expire_changed(&mut self, db: usize, key: &[u8], had: bool, expire: i64) {
        let d = &mut self.dbs[db];
        match (had, expire != 0) {
            (false, true) => d.expires += 1,
            (true, false) => d.expires -= 1,
            _ => {}
        }
        if expire != 0 {
            let tag = d.tag;
            self.wheel.insert(expire, (tag, Key::new(key)));
        }
    }

    pub fn remove(&mut self, db: usize, key: &[u8]) -> Option<(Key, Entry)> {
        let d = &mut self.dbs[db];
        let r = d.dict.remove(key);
        if let Some((_, e)) = &r {
            if e.expire != 0 {
                d.expires -= 1;
            }
        }
        r
    }

    /// Delete `key` as a command's side effect (Redis's dbDelete): the value is freed on
    /// the lazyfree thread under `lazyfree-lazy-server-del`. Returns whether it existed.
    pub fn delete(&mut self, db: usize, key: &[u8]) -> bool {
        let lazy = self.lazy.server_del;
        self.delete_with(db, key, lazy)
    }

    /// Delete `key` because a deadline passed (EXPIRE in the past, GETEX EXAT in the past):
    /// freed lazily under `lazyfree-lazy-expire`.
    pub fn delete_expired(&mut self, db: usize, key: &[u8]) -> bool {
        let lazy = self.lazy.expire;
        self.delete_with(db, key, lazy)
    }

    fn delete_with(&mut self, db: usize, key: &[u8], lazy: bool) -> bool {
        match self.remove(db, key) {
            Some((_, e)) => {
                self.lazy.free(e.value, lazy);
                true
            }
            None => false,
        }
    }

    /// Put an entry moved from elsewhere (RENAME, MOVE, COPY), keeping its expiry.
    pub fn insert_entry(&mut self, db: usize, key: Key, entry: Entry) {
        let d = &mut self.dbs[db];
        let expire = entry.expire;
        let wheel_key = if expire != 0 { Some(key.clone()) } else { None };
        if expire != 0 {
            d.expires += 1;
        }
        let new_key = if self.log_new { Some(key.clone()) } else { None };
        match d.dict.insert(key, entry) {
            Some(old) => {
                if old.expire != 0 {
                    d.expires -= 1;
                }
                let lazy = self.lazy.server_del;
                self.lazy.free(old.value, lazy);
            }
            None => {
                if let Some(k) = new_key {
                    self.log.push((KsEvent::New, db, k));
                }
            }
        }
        if let Some(k) = wheel_key {
            let tag = d.tag;
            self.wheel.insert(expire, (tag, k));
        }
    }

    /// Empty one db; `lazy` frees its contents on the lazyfree thread (FLUSHDB ASYNC).
    pub fn flush_db(&mut self, db: usize, lazy: bool) {
        let d = &mut self.dbs[db];
        let old = std::mem::take(&mut d.dict);
        d.expires = 0;
        if lazy {
            let n = old.len() as u64;
            self.lazy.free_dicts(vec![old], n);
        }
    }

    /// Empty every db; `lazy` frees their contents on the lazyfree thread (FLUSHALL ASYNC).
    pub fn flush_all(&mut self, lazy: bool) {
        let mut old = Vec::new();
        let mut n = 0u64;
        for d in &mut self.dbs {
            n += d.dict.len() as u64;
            old.push(std::mem::take(&mut d.dict));
            d.expires = 0;
        }
        self.wheel.clear();
        if lazy {
            self.lazy.free_dicts(old, n);
        }
    }

    pub fn swap_db(&mut self, a: usize, b: usize) {
        self.dbs.swap(a, b);
        self.tag_index[self.dbs[a].tag] = a;
        self.tag_index[self.dbs[b].tag] = b;
    }

    /// Active expiry: delete due keys, examining at most `budget` wheel items.
    /// Returns true when due work remains.
    pub fn sweep_expired(&mut self, now: i64, budget: usize) -> bool {
        if !self.active_expire {
            return false;
        }
        self.compact_wheel_if_stale();
        let Keyspace { dbs, tag_index, wheel, stats, log, lazy, .. } = self;
        wheel.sweep(now, budget, |deadline, (tag, key)| {
            let db = tag_index[tag];
            let d = &mut dbs[db];
            let matches = d.dict.get(&key).is_some_and(|e| e.expire == deadline && e.expire <= now);
            if matches {
                if let Some((_, e)) = d.dict.remove(&key) {
                    let async_free = lazy.expire;
                    lazy.free(e.value, async_free);
                }
                d.expires -= 1;
                stats.expired_keys += 1;
                log.push((KsEvent::Expired, db, key));
            }
        })
    }

    /// Drop wheel items whose key is gone or carries another deadline now, once they clearly
    /// outnumber the live ones. Deletes and overwrites leave their items behind (the wheel is
    /// only an index); without this, a workload that keeps deleting or evicting keys with a
    /// long TTL would hold memory for them until the deadlines come (which maxmemory counts).
    /// Amortized: a pass costs about the live items plus the stale ones it frees.
    pub fn compact_wheel_if_stale(&mut self) -> bool {
        let live: usize = self.dbs.iter().map(|d| d.expires).sum();
        if self.wheel.len() <= 2 * live + 64 {
            return false;
        }
        let Keyspace { dbs, tag_index, wheel, .. } = self;
        wheel.retain(|deadline, (tag, key)| {
            dbs[tag_index[*tag]].dict.get(key).is_some_and(|e| e.expire == deadline)
        });
        true
    }

    /// The bytes a keyspace table may grow by (maxmemory less used memory), or usize::MAX.
    pub fn set_grow_limit(&mut self, bytes: usize) {
        if bytes == usize::MAX && self.grow_limited == 0 {
            return;
        }
        self.grow_limited = usize::from(bytes != usize::MAX);
        for d in &mut self.dbs {
            d.dict.set_grow_limit(bytes);
        }
    }

    /// Next time the sweep may find a due key (None: nothing to expire, sleep).
    pub fn next_expiry_wakeup(&self) -> Option<i64> {
        if !self.active_expire {
            return None;
        }
        self.wheel.next_wakeup()
    }

    /// Entries waiting in the wheel (for tests and INFO).
    pub fn wheel_len(&self) -> usize {
        self.wheel.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lazy_and_active_expiry_and_write_over_expired_key_are_logged() {
        let mut ks = Keyspace::new(2, 1000);
        ks.set(1, b"a", Value::Int(1), 1500, 0);
        ks.set(1, b"b", Value::Int(1), 1500, 0);
        ks.set(1, b"c", Value::Int(1), 1500, 0);
        assert!(ks.get(1, b"a", 2000).is_none());
        let (_, new) = ks.entry(1, b"b", 2000, 0);
        assert!(new);
        ks.sweep_expired(2000, 100);
        let got: Vec<(KsEvent, usize, Vec<u8>)> =
            ks.log.drain(..).map(|(e, d, k)| (e, d, k.to_vec())).collect();
        assert_eq!(
            got,
            vec![
                (KsEvent::Expired, 1, b"a".to_vec()),
                (KsEvent::Expired, 1, b"b".to_vec()),
                (KsEvent::Expired, 1, b"c".to_vec()),
            ]
        );
        ks.log_misses = true;
        ks.log_new = true;
        assert!(ks.read(0, b"x", 2000).is_none());
        ks.set(0, b"x", Value::Int(1), 0, 0);
        ks.set(0, b"x", Value::Int(2), 0, 0);
        let got: Vec<KsEvent> = ks.log.drain(..).map(|(e, _, _)| e).collect();
        assert_eq!(got, vec![KsEvent::Miss, KsEvent::New]);
    }

    #[test]
    fn lfu_touch_decays_then_increments_and_lru_touch_stamps() {
        let now = 600_000_000i64; // minute 10_000
        let mut ks = Keyspace::new(1, now);
        let three_minutes_ago = ((lfu::minutes(now) - 3) << 8) | 20;
        ks.set(0, b"k", Value::Int(1), 0, three_minutes_ago);
        let params = lfu::LfuParams { log_factor: 0, decay_time: 1 };
        ks.touch = Some(Touch::Lfu { now_ms: now, params });
        // 20 - 3 periods + 1 access (factor 0: every access counts), stamped with this minute.
        assert_eq!(ks.get(0, b"k", now).unwrap().lru, (lfu::minutes(now) << 8) | 18);
        assert_eq!(ks.read(0, b"k", now).unwrap().lru & 0xff, 19);
        ks.touch = None;
        assert_eq!(ks.get(0, b"k", now).unwrap().lru & 0xff, 19, "no touch, no change");
        ks.touch = Some(Touch::Lru(1234));
        assert_eq!(ks.get(0, b"k", now).unwrap().lru, 1234);
    }
}
