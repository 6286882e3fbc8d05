//! A chained hash table with incremental rehashing, in the manner of Redis's dict.c.
//!
//! Why not std's HashMap: SCAN needs a cursor that returns every element present for the
//! whole scan even across resizes (Redis's reverse-binary cursor over power-of-two bucket
//! arrays), RANDOMKEY/SRANDMEMBER need a fair random element in O(1) expected time, and a
//! resize must not stall the loop (rehash a few buckets per operation, plus a time-boxed
//! step from the cron).

use std::borrow::Borrow;

/// Hash table from `K` (byte-string-like keys, looked up by `&[u8]`) to `V`.
pub struct Dict<K, V> {
    _p: std::marker::PhantomData<(K, V)>,
}

impl<K: Borrow<[u8]>, V> Default for Dict<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: Borrow<[u8]>, V> Dict<K, V> {
    pub fn new() -> Self {
        unimplemented!()
    }
    pub fn len(&self) -> usize {
        unimplemented!()
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    pub fn get(&self, _key: &[u8]) -> Option<&V> {
        unimplemented!()
    }
    pub fn get_mut(&mut self, _key: &[u8]) -> Option<&mut V> {
        unimplemented!()
    }
    pub fn get_key_value(&self, _key: &[u8]) -> Option<(&K, &V)> {
        unimplemented!()
    }
    pub fn contains_key(&self, key: &[u8]) -> bool {
        self.get(key).is_some()
    }
    /// Insert or replace; on replace the stored key is kept and the old value returned.
    pub fn insert(&mut self, _key: K, _value: V) -> Option<V> {
        unimplemented!()
    }
    pub fn remove(&mut self, _key: &[u8]) -> Option<(K, V)> {
        unimplemented!()
    }
    pub fn get_or_insert_with(
        &mut self,
        _key: &[u8],
        _make_key: impl FnOnce() -> K,
        _make_val: impl FnOnce() -> V,
    ) -> (&mut V, bool) {
        unimplemented!()
    }
    pub fn clear(&mut self) {
        unimplemented!()
    }
}
