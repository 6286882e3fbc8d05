//! Freeing big values off the loop (Redis's lazyfree.c): UNLINK, FLUSHALL ASYNC and the
//! `lazyfree-lazy-*` settings hand a value whose free costs more than a few allocations to
//! a helper thread, so deleting a 3M-field hash does not stall every client.
//!
//! The thread starts on first use; a server that never frees lazily never has it. The
//! queue is unbounded on purpose: what it carries is already allocated, a queued item costs
//! one pointer, and back-pressure would mean blocking the loop on a free.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{channel, Sender};
use std::sync::Arc;

use super::value::Value;
use super::{Entry, Key};
use crate::db::dict::Dict;

/// Values cheaper than this to free are freed in place (Redis's LAZYFREE_THRESHOLD).
pub const THRESHOLD: usize = 64;

enum Job {
    Value(Value),
    Dicts(Vec<Dict<Key, Entry>>, u64),
}

#[derive(Default)]
struct Counters {
    pending: AtomicU64,
    freed: AtomicU64,
}

#[derive(Default)]
pub struct LazyFree {
    tx: Option<Sender<Job>>,
    counters: Arc<Counters>,
    /// `lazyfree-lazy-expire`: expired keys are freed lazily (set per command, like `touch`).
    pub expire: bool,
    /// `lazyfree-lazy-server-del`: values a command overwrites or implicitly deletes.
    pub server_del: bool,
}

impl LazyFree {
    /// Free `v`, off the loop when `lazy` and its free effort is above the threshold.
    pub fn free(&mut self, v: Value, lazy: bool) {
        if !lazy || free_effort(&v) <= THRESHOLD {
            return;
        }
        self.counters.pending.fetch_add(1, Ordering::Relaxed);
        self.send(Job::Value(v));
    }

    /// Free whole databases off the loop (FLUSHALL/FLUSHDB ASYNC); `keys` counts objects.
    pub fn free_dicts(&mut self, dicts: Vec<Dict<Key, Entry>>, keys: u64) {
        if keys == 0 {
            return;
        }
        self.counters.pending.fetch_add(keys, Ordering::Relaxed);
        self.send(Job::Dicts(dicts, keys));
    }

    /// INFO's lazyfree_pending_objects.
    pub fn pending(&self) -> u64 {
        self.counters.pending.load(Ordering::Relaxed)
    }

    /// INFO's lazyfreed_objects.
    pub fn freed(&self) -> u64 {
        self.counters.freed.load(Ordering::Relaxed)
    }

    /// CONFIG RESETSTAT.
    pub fn reset_stats(&self) {
        self.counters.freed.store(0, Ordering::Relaxed);
    }

    fn send(&mut self, job: Job) {
        if self.tx.is_none() {
            self.tx = self.spawn();
        }
        let job = match &self.tx {
            Some(tx) => match tx.send(job) {
                Ok(()) => return,
                Err(e) => e.0,
            },
            None => job,
        };
        // No thread could be had: free here, still counted, so INFO stays truthful.
        let n = run(job);
        self.counters.pending.fetch_sub(n, Ordering::Relaxed);
        self.counters.freed.fetch_add(n, Ordering::Relaxed);
    }

    fn spawn(&self) -> Option<Sender<Job>> {
        let (tx, rx) = channel::<Job>();
        let counters = Arc::clone(&self.counters);
        std::thread::Builder::new()
            .name("lazyfree".into())
            .spawn(move || {
                for job in rx {
                    let n = run(job);
                    counters.pending.fetch_sub(n, Ordering::Relaxed);
                    counters.freed.fetch_add(n, Ordering::Relaxed);
                }
            })
            .ok()?;
        Some(tx)
    }
}

/// Drop a job's contents; returns how many objects it held.
fn run(job: Job) -> u64 {
    match job {
        Job::Value(v) => {
            drop(v);
            1
        }
        Job::Dicts(d, n) => {
            drop(d);
            n
        }
    }
}

/// Roughly how many allocations freeing `v` takes (Redis's lazyfreeGetFreeEffort): one for
/// compact encodings, the element or node count for the big ones, and for streams their
/// nodes plus each group with its pending entries (estimated from the first group).
pub fn free_effort(v: &Value) -> usize {
    match v {
        Value::List(l) => l.node_count(),
        Value::Hash(h) if h.encoding() == "hashtable" => h.len(),
        Value::Set(s) if s.encoding() == "hashtable" => s.len(),
        Value::ZSet(z) if z.encoding() == "skiplist" => z.len(),
        Value::Stream(s) => {
            let groups = s.groups.len();
            let pel = s.groups.values().next().map_or(0, |g| g.pel.len());
            s.entries.node_count() + groups * (1 + pel)
        }
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_values_are_freed_in_place_and_big_ones_counted_once_freed() {
        let mut lf = LazyFree::default();
        lf.free(Value::Int(1), true);
        assert_eq!((lf.pending(), lf.freed()), (0, 0));
        assert!(lf.tx.is_none(), "no thread for cheap frees");
        let mut d = Dict::new();
        for i in 0..10u32 {
            d.insert(Key::new(&i.to_be_bytes()), Entry { expire: 0, lru: 0, value: Value::Int(1) });
        }
        lf.free_dicts(vec![d], 10);
        let t = std::time::Instant::now();
        while lf.freed() < 10 && t.elapsed() < std::time::Duration::from_secs(10) {
            std::thread::yield_now();
        }
        assert_eq!((lf.pending(), lf.freed()), (0, 10));
    }
}
