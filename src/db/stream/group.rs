//! Consumer groups: the pending entries list (PEL) and consumers, as Redis keeps them.

use std::collections::{BTreeMap, BTreeSet};

use super::StreamId;

/// The group's read counter is unknown (Redis's SCG_INVALID_ENTRIES_READ).
pub const INVALID_ENTRIES_READ: i64 = -1;

/// A pending (delivered, not acknowledged) entry.
#[derive(Clone, Debug)]
pub struct Nack {
    pub delivery_time: i64,
    pub delivery_count: u64,
    pub consumer: Vec<u8>,
}

#[derive(Clone, Debug, Default)]
pub struct Consumer {
    pub seen_time: i64,
    pub pel: BTreeSet<StreamId>,
}

#[derive(Clone, Debug)]
pub struct Group {
    pub last_id: StreamId,
    pub entries_read: i64,
    pub pel: BTreeMap<StreamId, Nack>,
    /// Ordered by name, as Redis's radix tree orders them.
    pub consumers: BTreeMap<Vec<u8>, Consumer>,
}

impl Group {
    pub fn new(last_id: StreamId, entries_read: i64) -> Group {
        Group { last_id, entries_read, pel: BTreeMap::new(), consumers: BTreeMap::new() }
    }

    pub fn heap_size(&self) -> usize {
        self.pel.len() * 64 + self.consumers.len() * 64
    }

    /// The consumer, created if missing; true when it was created.
    pub fn consumer(&mut self, name: &[u8], now: i64) -> (&mut Consumer, bool) {
        let created = !self.consumers.contains_key(name);
        let c = self
            .consumers
            .entry(name.to_vec())
            .or_insert_with(|| Consumer { seen_time: now, pel: BTreeSet::new() });
        (c, created)
    }

    /// Remove an entry from the PEL and from its consumer's list.
    pub fn ack(&mut self, id: StreamId) -> bool {
        let Some(nack) = self.pel.remove(&id) else { return false };
        if let Some(c) = self.consumers.get_mut(&nack.consumer) {
            c.pel.remove(&id);
        }
        true
    }

    /// Give a pending entry to `consumer` (XCLAIM), creating its NACK if absent.
    pub fn assign(&mut self, id: StreamId, consumer: &[u8], now: i64) -> &mut Nack {
        if let Some(old) = self.pel.get(&id).map(|n| n.consumer.clone()) {
            if old != consumer {
                if let Some(c) = self.consumers.get_mut(&old) {
                    c.pel.remove(&id);
                }
            }
        }
        self.consumer(consumer, now).0.pel.insert(id);
        let nack = self.pel.entry(id).or_insert_with(|| Nack {
            delivery_time: now,
            delivery_count: 1,
            consumer: consumer.to_vec(),
        });
        nack.consumer = consumer.to_vec();
        nack
    }
}
