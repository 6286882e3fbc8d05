//! The stream value: entries in nodes ordered by ID (Redis's radix tree of listpacks), plus
//! consumer groups.
//!
//! Entries are kept in nodes of consecutive IDs, each node filled by Redis's own rules
//! (`stream-node-max-entries`, `stream-node-max-bytes` measured as the listpack Redis would
//! have built), because approximate trimming (`MAXLEN ~`) removes whole nodes only: the same
//! node boundaries are what make `XADD ... MAXLEN ~ n` keep exactly as many entries as Redis.
//! An entry's fields and values live in one packed buffer; entries whose fields equal the
//! node's first entry's store the values only, as Redis's "same fields" flag does.

mod group;
mod id;
mod lpsize;

pub use group::{Consumer, Group, Nack, INVALID_ENTRIES_READ};
pub use id::StreamId;

use std::collections::BTreeMap;

/// One entry slot in a node. A deleted entry keeps its slot (and its bytes, for the node-size
/// rules) like Redis's deleted flag, but drops its data.
#[derive(Clone)]
struct Slot {
    id: StreamId,
    /// Packed `len,bytes` items: values only when `same`, else field,value pairs.
    data: Option<Box<[u8]>>,
    same: bool,
}

#[derive(Clone)]
struct Node {
    /// The node's master fields (those of its first entry), packed.
    master: Box<[u8]>,
    master_fields: usize,
    slots: Vec<Slot>,
    live: u64,
    deleted: u64,
    /// Listpack bytes except the live/deleted counters, whose width changes with their value.
    body: usize,
}

impl Node {
    fn lp_bytes(&self) -> usize {
        self.body + lpsize::int(self.live as i64) + lpsize::int(self.deleted as i64)
    }
}

fn pack_into(out: &mut Vec<u8>, b: &[u8]) {
    let mut n = b.len();
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            break;
        }
        out.push(byte | 0x80);
    }
    out.extend_from_slice(b);
}

/// Iterate the items of a packed buffer.
fn unpack(mut b: &[u8]) -> impl Iterator<Item = &[u8]> {
    std::iter::from_fn(move || {
        if b.is_empty() {
            return None;
        }
        let mut n = 0usize;
        let mut shift = 0;
        loop {
            let byte = b[0];
            b = &b[1..];
            n |= ((byte & 0x7f) as usize) << shift;
            shift += 7;
            if byte & 0x80 == 0 {
                break;
            }
        }
        let (item, rest) = b.split_at(n);
        b = rest;
        Some(item)
    })
}

/// A read-only view of one live entry.
#[derive(Clone, Copy)]
pub struct EntryRef<'a> {
    pub id: StreamId,
    node: &'a Node,
    slot: &'a Slot,
}

impl<'a> EntryRef<'a> {
    /// The entry's field/value pairs in order.
    pub fn pairs(&self) -> Vec<(&'a [u8], &'a [u8])> {
        let data: &'a [u8] = self.slot.data.as_deref().unwrap_or(&[]);
        if self.slot.same {
            unpack(&self.node.master).zip(unpack(data)).collect()
        } else {
            let mut it = unpack(data);
            let mut out = Vec::new();
            while let (Some(f), Some(v)) = (it.next(), it.next()) {
                out.push((f, v));
            }
            out
        }
    }

    pub fn field_count(&self) -> usize {
        if self.slot.same {
            self.node.master_fields
        } else {
            unpack(self.slot.data.as_deref().unwrap_or(&[])).count() / 2
        }
    }
}

/// One node as the RDB encoder sees it (`Entries::rdb_nodes`).
pub struct RdbNode<'a> {
    pub key: StreamId,
    pub master: Vec<&'a [u8]>,
    pub entries: Vec<(StreamId, bool, Vec<&'a [u8]>)>,
}

/// The entries of a stream.
#[derive(Clone, Default)]
pub struct Entries {
    nodes: BTreeMap<StreamId, Node>,
}

/// How XADD/XTRIM trim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trim {
    None,
    MaxLen(u64),
    MinId(StreamId),
}

/// The node-size limits in force (stream-node-max-bytes / -entries).
#[derive(Debug, Clone, Copy)]
pub struct NodeLimits {
    pub max_bytes: usize,
    pub max_entries: usize,
}

const LISTPACK_MAX_SIZE: usize = 1 << 30;

impl Entries {
    /// The first ID of every node: Redis's radix tree keys.
    pub fn node_keys(&self) -> Vec<StreamId> {
        self.nodes.keys().copied().collect()
    }

    /// Each node as RDB writes it: its key (first ID), its master fields, and its live
    /// entries as (ID, same-fields flag, values only when same else field/value pairs).
    pub fn rdb_nodes(&self) -> impl Iterator<Item = RdbNode<'_>> {
        self.nodes.iter().map(|(k, n)| RdbNode {
            key: *k,
            master: unpack(&n.master).collect(),
            entries: n
                .slots
                .iter()
                .filter_map(|s| Some((s.id, s.same, unpack(s.data.as_deref()?).collect())))
                .collect(),
        })
    }

    /// Radix tree keys in Redis's terms: one per node (XINFO STREAM).
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    pub fn heap_size(&self) -> usize {
        self.nodes
            .values()
            .map(|n| {
                64 + n.master.len()
                    + n.slots.capacity() * std::mem::size_of::<Slot>()
                    + n.slots.iter().map(|s| s.data.as_ref().map_or(0, |d| d.len())).sum::<usize>()
            })
            .sum()
    }

    /// Append an entry with an ID greater than every other (the caller checked).
    pub fn append(&mut self, id: StreamId, pairs: &[(&[u8], &[u8])], lim: NodeLimits) {
        let total: usize = pairs.iter().map(|(f, v)| f.len() + v.len()).sum();
        let max_bytes = if lim.max_bytes == 0 || lim.max_bytes > LISTPACK_MAX_SIZE {
            LISTPACK_MAX_SIZE
        } else {
            lim.max_bytes
        };
        let need_new = match self.nodes.last_key_value() {
            None => true,
            Some((_, n)) => {
                n.lp_bytes() + total >= max_bytes
                    || (lim.max_entries > 0 && (n.live + n.deleted) as usize >= lim.max_entries)
            }
        };
        if need_new {
            let mut master = Vec::new();
            // Listpack header and end byte, master count of fields, fields, terminator.
            let mut body = 7 + lpsize::int(pairs.len() as i64) + lpsize::int(0);
            for (f, _) in pairs {
                pack_into(&mut master, f);
                body += lpsize::string(f);
            }
            let node = Node {
                master: master.into_boxed_slice(),
                master_fields: pairs.len(),
                slots: Vec::new(),
                live: 0,
                deleted: 0,
                body,
            };
            self.nodes.insert(id, node);
        }
        let Some(mut last) = self.nodes.last_entry() else { return };
        let master_id = *last.key();
        let node = last.get_mut();
        let same = pairs.len() == node.master_fields
            && unpack(&node.master).zip(pairs.iter()).all(|(m, (f, _))| m == *f);
        let mut data = Vec::with_capacity(total + 2 * pairs.len() + 4);
        let mut size = lpsize::int(if same { 2 } else { 0 })
            + lpsize::int(id.ms.wrapping_sub(master_id.ms) as i64)
            + lpsize::int(id.seq.wrapping_sub(master_id.seq) as i64);
        let lp_count = if same { pairs.len() + 3 } else { 2 * pairs.len() + 4 };
        if same {
            for (_, v) in pairs {
                pack_into(&mut data, v);
                size += lpsize::string(v);
            }
        } else {
            size += lpsize::int(pairs.len() as i64);
            for (f, v) in pairs {
                pack_into(&mut data, f);
                pack_into(&mut data, v);
                size += lpsize::string(f) + lpsize::string(v);
            }
        }
        size += lpsize::int(lp_count as i64);
        node.body += size;
        node.live += 1;
        node.slots.push(Slot { id, data: Some(data.into_boxed_slice()), same });
    }

    /// Live entries from `start` to `end` inclusive, ascending or (rev) descending, at most
    /// `count` (0 = all).
    pub fn range(
        &self,
        start: StreamId,
        end: StreamId,
        rev: bool,
        count: usize,
    ) -> Vec<EntryRef<'_>> {
        let mut out = Vec::new();
        if start > end {
            return out;
        }
        let limit = if count == 0 { usize::MAX } else { count };
        // The node holding `start` begins at or before it.
        let first_key = self.nodes.range(..=start).next_back().map(|(k, _)| *k).unwrap_or(start);
        let nodes = self.nodes.range(first_key..=end);
        let live = |s: &&Slot| s.data.is_some() && s.id >= start && s.id <= end;
        if rev {
            for (_, node) in nodes.rev() {
                for slot in node.slots.iter().rev().filter(live) {
                    if out.len() == limit {
                        return out;
                    }
                    out.push(EntryRef { id: slot.id, node, slot });
                }
            }
        } else {
            for (_, node) in nodes {
                for slot in node.slots.iter().filter(live) {
                    if out.len() == limit {
                        return out;
                    }
                    out.push(EntryRef { id: slot.id, node, slot });
                }
            }
        }
        out
    }

    /// The entry with exactly this ID, if live.
    pub fn get(&self, id: StreamId) -> Option<EntryRef<'_>> {
        let (_, node) = self.nodes.range(..=id).next_back()?;
        let i = node.slots.binary_search_by(|s| s.id.cmp(&id)).ok()?;
        let slot = &node.slots[i];
        slot.data.as_ref()?;
        Some(EntryRef { id, node, slot })
    }

    /// Mark an entry deleted; a node left without live entries goes away. True if it was live.
    pub fn delete(&mut self, id: StreamId) -> bool {
        let Some((&key, node)) = self.nodes.range_mut(..=id).next_back() else { return false };
        let Ok(i) = node.slots.binary_search_by(|s| s.id.cmp(&id)) else { return false };
        if node.slots[i].data.take().is_none() {
            return false;
        }
        node.live -= 1;
        node.deleted += 1;
        if node.live == 0 {
            self.nodes.remove(&key);
        }
        true
    }

    pub fn first_id(&self) -> Option<StreamId> {
        self.nodes.values().flat_map(|n| n.slots.iter()).find(|s| s.data.is_some()).map(|s| s.id)
    }

    pub fn last_id(&self) -> Option<StreamId> {
        self.nodes
            .values()
            .rev()
            .flat_map(|n| n.slots.iter().rev())
            .find(|s| s.data.is_some())
            .map(|s| s.id)
    }

    /// Redis's streamTrim: returns how many entries were removed. `length` is the stream's
    /// live count, updated here. With `approx`, only whole nodes go; `limit` (0 = none)
    /// bounds the entries removed.
    pub fn trim(&mut self, length: &mut u64, how: Trim, approx: bool, limit: u64) -> u64 {
        let mut removed = 0u64;
        while let Some((&key, node)) = self.nodes.first_key_value() {
            if let Trim::MaxLen(max) = how {
                if *length <= max {
                    break;
                }
            }
            let entries = node.live;
            if limit > 0 && removed + entries > limit {
                break;
            }
            let remove_node = match how {
                Trim::MaxLen(max) => *length - entries >= max,
                Trim::MinId(min) => node.slots.last().is_some_and(|s| s.id < min),
                Trim::None => return 0,
            };
            if remove_node {
                self.nodes.remove(&key);
                *length -= entries;
                removed += entries;
                continue;
            }
            if approx {
                break;
            }
            let Some(node) = self.nodes.get_mut(&key) else { break };
            for slot in node.slots.iter_mut() {
                let stop = match how {
                    Trim::MaxLen(max) => *length <= max,
                    Trim::MinId(min) => slot.id >= min,
                    Trim::None => true,
                };
                if stop {
                    break;
                }
                if slot.data.take().is_some() {
                    node.live -= 1;
                    node.deleted += 1;
                    *length -= 1;
                    removed += 1;
                }
            }
            break;
        }
        removed
    }
}

/// A stream: entries, counters and consumer groups.
#[derive(Clone, Default)]
pub struct Stream {
    pub entries: Entries,
    pub length: u64,
    pub last_id: StreamId,
    pub first_id: StreamId,
    pub max_deleted_id: StreamId,
    pub entries_added: u64,
    /// Ordered by name, as Redis's radix tree orders them.
    pub groups: BTreeMap<Vec<u8>, Group>,
}

impl Stream {
    pub fn encoding(&self) -> &'static str {
        "stream"
    }

    pub fn heap_size(&self) -> usize {
        self.entries.heap_size() + self.groups.values().map(Group::heap_size).sum::<usize>()
    }

    pub fn duplicate(&self) -> Stream {
        self.clone()
    }

    /// Add an entry whose ID the caller validated as greater than `last_id`.
    pub fn add(&mut self, id: StreamId, pairs: &[(&[u8], &[u8])], lim: NodeLimits) {
        self.entries.append(id, pairs, lim);
        if self.length == 0 {
            self.first_id = id;
        }
        self.length += 1;
        self.entries_added += 1;
        self.last_id = id;
    }

    pub fn trim(&mut self, how: Trim, approx: bool, limit: u64) -> u64 {
        let removed = self.entries.trim(&mut self.length, how, approx, limit);
        self.refresh_first_id();
        removed
    }

    pub fn delete(&mut self, id: StreamId) -> bool {
        if !self.entries.delete(id) {
            return false;
        }
        self.length -= 1;
        if id > self.max_deleted_id {
            self.max_deleted_id = id;
        }
        if id == self.first_id {
            self.refresh_first_id();
        }
        true
    }

    fn refresh_first_id(&mut self) {
        self.first_id = if self.length == 0 {
            StreamId::ZERO
        } else {
            self.entries.first_id().unwrap_or(StreamId::ZERO)
        };
    }

    /// Redis's streamRangeHasTombstones: could a deleted entry lie in [start, end]?
    pub fn range_has_tombstones(&self, start: Option<StreamId>, end: Option<StreamId>) -> bool {
        if self.length == 0 || self.max_deleted_id.is_zero() {
            return false;
        }
        if self.first_id > self.max_deleted_id {
            return false;
        }
        let start = start.unwrap_or(StreamId::ZERO);
        let end = end.unwrap_or(StreamId::MAX);
        start <= self.max_deleted_id && self.max_deleted_id <= end
    }

    /// Redis's streamEstimateDistanceFromFirstEverEntry: the logical read counter of `id`,
    /// or INVALID_ENTRIES_READ when it cannot be known.
    pub fn estimate_distance(&self, id: StreamId) -> i64 {
        if self.entries_added == 0 {
            return 0;
        }
        if self.length == 0 && id <= self.last_id {
            return self.entries_added as i64;
        }
        match id.cmp(&self.last_id) {
            std::cmp::Ordering::Equal => return self.entries_added as i64,
            std::cmp::Ordering::Greater => return INVALID_ENTRIES_READ,
            std::cmp::Ordering::Less => {}
        }
        if self.max_deleted_id.is_zero() || self.max_deleted_id < self.first_id {
            match id.cmp(&self.first_id) {
                std::cmp::Ordering::Less => {
                    return (self.entries_added - self.length) as i64;
                }
                std::cmp::Ordering::Equal => {
                    return (self.entries_added - self.length + 1) as i64;
                }
                std::cmp::Ordering::Greater => {}
            }
        }
        INVALID_ENTRIES_READ
    }

    /// The lag of a group (XINFO GROUPS), or None when it cannot be computed.
    pub fn group_lag(&self, g: &Group) -> Option<i64> {
        if self.entries_added == 0 {
            return Some(0);
        }
        if g.entries_read != INVALID_ENTRIES_READ
            && !self.range_has_tombstones(Some(g.last_id), None)
        {
            return Some(self.entries_added as i64 - g.entries_read);
        }
        let read = self.estimate_distance(g.last_id);
        (read != INVALID_ENTRIES_READ).then(|| self.entries_added as i64 - read)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lim(max_entries: usize) -> NodeLimits {
        NodeLimits { max_bytes: 4096, max_entries }
    }

    fn id(ms: u64) -> StreamId {
        StreamId { ms, seq: 0 }
    }

    #[test]
    fn nodes_fill_by_entry_count_and_trim_whole_nodes_when_approximate() {
        let mut s = Stream::default();
        for i in 1..=250 {
            s.add(id(i), &[(b"f", b"v")], lim(100));
        }
        assert_eq!(s.entries.node_count(), 3);
        assert_eq!(s.trim(Trim::MaxLen(120), true, 0), 100);
        assert_eq!(s.length, 150);
        assert_eq!(s.first_id, id(101));
        assert_eq!(s.trim(Trim::MaxLen(120), false, 0), 30);
        assert_eq!(s.first_id, id(131));
        let r = s.entries.range(StreamId::ZERO, StreamId::MAX, false, 0);
        assert_eq!(r.len(), 120);
        assert_eq!(r[0].pairs(), vec![(&b"f"[..], &b"v"[..])]);
    }

    #[test]
    fn delete_keeps_slots_and_drops_empty_nodes() {
        let mut s = Stream::default();
        for i in 1..=3 {
            s.add(id(i), &[(b"a", b"1"), (b"b", b"2")], lim(2));
        }
        s.add(id(4), &[(b"x", b"9")], lim(2));
        assert_eq!(s.entries.node_count(), 2);
        assert!(s.delete(id(1)));
        assert!(!s.delete(id(1)));
        assert_eq!(s.first_id, id(2));
        assert!(s.delete(id(2)));
        assert_eq!(s.entries.node_count(), 1);
        let back = s.entries.range(StreamId::ZERO, StreamId::MAX, true, 1);
        assert_eq!(back[0].id, id(4));
        assert_eq!(back[0].pairs(), vec![(&b"x"[..], &b"9"[..])]);
        assert_eq!(s.max_deleted_id, id(2));
    }

    #[test]
    fn packing_round_trips_long_items() {
        let big = vec![7u8; 300];
        let mut buf = Vec::new();
        pack_into(&mut buf, &big);
        pack_into(&mut buf, b"");
        let items: Vec<&[u8]> = unpack(&buf).collect();
        assert_eq!(items, vec![&big[..], &b""[..]]);
    }
}
