//! The list value: Redis's quicklist idea, a deque of packed nodes.
//!
//! Each node is one byte buffer of packed entries (`entry.rs`) with its entry count. Node
//! size follows `list-max-listpack-size` (the old name `list-max-ziplist-size` is an alias)
//! exactly as Redis's quicklist decides it: a negative fill caps a node's bytes (-1 = 4 KiB
//! ... -5 = 64 KiB), a positive fill caps its entries (and its bytes at 8 KiB). The fill is
//! taken from the config when the list is created, as in Redis.
//!
//! `list-compress-depth` N > 0 keeps the N nodes at each end plain and stores interior
//! nodes LZF-compressed (`lzf.rs`) when that saves at least 8 bytes of a node of 48 or
//! more, as Redis does; the depth, like the fill, is fixed when the list is created. Reads
//! of a compressed node decompress it into a temporary; writes decompress it in place and
//! compress it again.
//!
//! An element of at least the packed threshold (Redis's `quicklist-packed-threshold`, 1 GiB
//! unless DEBUG QUICKLIST-PACKED-THRESHOLD changes it) lives alone in a *plain* node: its raw
//! bytes, never merged with a neighbour, compressed like any interior node. Which node an
//! insert lands in, when a node is split and when neighbours merge follow Redis's
//! `_quicklistInsert` and `quicklistReplaceEntry` (`insert.rs`), so the node layout (what the
//! RDB writer walks through `nodes()`, `nodes.rs`) is Redis's.
//!
//! Index lookups skip whole nodes by their counts from the nearer end, then walk one node
//! from its nearer end, so LINDEX/LSET cost O(nodes + node size), not O(n).

pub mod entry;
mod insert;
mod nodes;

use crate::util::lzf;

use std::borrow::Cow;
use std::collections::VecDeque;

use entry::{decode, prev, Encoded};
pub use entry::{Elem, Probe};
pub use nodes::{BadListpack, NodeRef};

/// Byte limits of negative fills (-1..=-5).
const OPTIMIZATION_LEVEL: [usize; 5] = [4096, 8192, 16384, 32768, 65536];
/// Byte cap of a node under a positive (count) fill.
const SIZE_SAFETY_LIMIT: usize = 8192;
/// Redis's estimate of a new entry's size overhead when deciding whether it fits.
const SIZE_ESTIMATE_OVERHEAD: usize = 8;
const FILL_MAX: i64 = (1 << 15) - 1;
/// Redis's empty listpack: total bytes, count and end marker. Counted so node sizes decide
/// splits at the same element counts as Redis.
const LP_HDR: usize = 7;
/// Redis compresses nodes of at least this many bytes, when it saves at least 8.
const MIN_COMPRESS_BYTES: usize = 48;
const MIN_COMPRESS_IMPROVE: usize = 8;
/// Redis's default `quicklist-packed-threshold` (1 GiB).
pub const DEFAULT_PACKED_THRESHOLD: u32 = 1 << 30;
/// The largest threshold DEBUG QUICKLIST-PACKED-THRESHOLD accepts (4 GiB - 1 MiB).
pub const MAX_PACKED_THRESHOLD: u64 = (1 << 32) - (1 << 20);

#[derive(Clone)]
struct Node {
    /// Packed entries (or the raw element of a plain node), or their LZF form when
    /// `raw_len` is not 0.
    buf: Vec<u8>,
    count: u32,
    raw_len: u32,
    /// Redis's PLAIN container: one element, its bytes as they are.
    plain: bool,
}

/// Offset of local entry `i` (< count) of a node's packed bytes, from the nearer end.
fn offset_in(buf: &[u8], count: u32, i: u32) -> usize {
    if i <= count / 2 {
        let mut off = 0;
        for _ in 0..i {
            off = decode(buf, off).1;
        }
        off
    } else {
        let mut off = buf.len();
        for _ in i..count {
            off = prev(buf, off);
        }
        off
    }
}

impl Node {
    fn new() -> Node {
        Node { buf: Vec::new(), count: 0, raw_len: 0, plain: false }
    }

    fn new_plain(v: &[u8]) -> Node {
        Node { buf: v.to_vec(), count: 1, raw_len: 0, plain: true }
    }

    /// A packed node of the entries `buf` holds.
    fn packed(buf: Vec<u8>, count: u32) -> Node {
        Node { buf, count, raw_len: 0, plain: false }
    }

    #[inline]
    fn is_compressed(&self) -> bool {
        self.raw_len != 0
    }

    /// The packed entries, decompressed into a temporary if needed.
    #[inline]
    fn data(&self) -> Cow<'_, [u8]> {
        if self.is_compressed() {
            Cow::Owned(lzf::decompress(&self.buf, self.raw_len as usize).unwrap_or_default())
        } else {
            Cow::Borrowed(&self.buf)
        }
    }

    fn decompress(&mut self) {
        if self.is_compressed() {
            self.buf = lzf::decompress(&self.buf, self.raw_len as usize).unwrap_or_default();
            self.raw_len = 0;
        }
    }

    fn compress(&mut self) {
        let len = self.buf.len();
        if self.is_compressed() || len < MIN_COMPRESS_BYTES || len > u32::MAX as usize {
            return;
        }
        // quicklist's rule: keep the node plain unless LZF saves more than 8 bytes.
        let c = lzf::compress(&self.buf, len).filter(|c| c.len() + MIN_COMPRESS_IMPROVE < len);
        if let Some(mut c) = c {
            c.shrink_to_fit();
            self.raw_len = self.buf.len() as u32;
            self.buf = c;
        }
    }

    /// Make room for `n` more bytes, growing by at least 1/8 so repeated pushes are
    /// amortized while a full node wastes little.
    #[inline]
    fn reserve(&mut self, n: usize) {
        let need = self.buf.len() + n;
        if need > self.buf.capacity() {
            let cap = self.buf.capacity();
            let target = need.max(cap + cap / 8).next_multiple_of(16);
            self.buf.reserve_exact(target - self.buf.len());
        }
    }

    fn insert_at(&mut self, off: usize, e: &Encoded) {
        let n = e.size();
        self.reserve(n);
        let old = self.buf.len();
        self.buf.resize(old + n, 0);
        self.buf.copy_within(off..old, off + n);
        e.write(&mut self.buf[off..off + n]);
        self.count += 1;
    }

    fn push_back(&mut self, e: &Encoded) {
        let n = e.size();
        self.reserve(n);
        let old = self.buf.len();
        self.buf.resize(old + n, 0);
        e.write(&mut self.buf[old..]);
        self.count += 1;
    }

    fn remove_range(&mut self, from: usize, to: usize, entries: u32) {
        self.buf.drain(from..to);
        self.count -= entries;
    }

    /// Offset of local entry `i` (< count) of an uncompressed packed node.
    fn offset_of(&self, i: u32) -> usize {
        offset_in(&self.buf, self.count, i)
    }

    /// Redis's `node->sz`: the listpack's bytes, or a plain node's element size.
    fn bytes(&self) -> usize {
        let raw = if self.is_compressed() { self.raw_len as usize } else { self.buf.len() };
        if self.plain {
            raw
        } else {
            raw + LP_HDR
        }
    }
}

fn node_iter(buf: &[u8]) -> NodeIter<'_> {
    NodeIter { buf, off: 0 }
}

struct NodeIter<'a> {
    buf: &'a [u8],
    off: usize,
}

impl<'a> Iterator for NodeIter<'a> {
    type Item = (usize, Elem<'a>);
    #[inline]
    fn next(&mut self) -> Option<(usize, Elem<'a>)> {
        if self.off >= self.buf.len() {
            return None;
        }
        let at = self.off;
        let (e, next) = decode(self.buf, at);
        self.off = next;
        Some((at, e))
    }
}

/// A list value.
#[derive(Clone)]
pub struct List {
    nodes: VecDeque<Node>,
    len: usize,
    fill: i16,
    /// Uncompressed nodes kept at each end; 0 = no compression.
    depth: u16,
    /// Elements of at least this many bytes go to plain nodes (server-wide in Redis; the
    /// command layer hands the current value in with `set_packed_threshold`).
    packed_threshold: u32,
}

impl Default for List {
    fn default() -> Self {
        List::new(-2)
    }
}

impl List {
    /// An empty list whose nodes follow `fill` (`list-max-listpack-size`).
    pub fn new(fill: i64) -> List {
        List::with_options(fill, 0)
    }

    /// An empty list with `fill` and `list-compress-depth` (Redis caps the depth at 65535).
    pub fn with_options(fill: i64, depth: u32) -> List {
        List {
            nodes: VecDeque::new(),
            len: 0,
            fill: fill.clamp(-5, FILL_MAX) as i16,
            depth: depth.min(u16::MAX as u32) as u16,
            packed_threshold: DEFAULT_PACKED_THRESHOLD,
        }
    }

    /// The server's `quicklist-packed-threshold` for the inserts that follow.
    #[inline]
    pub fn set_packed_threshold(&mut self, t: u32) {
        self.packed_threshold = t;
    }

    #[inline]
    fn is_large(&self, v: &[u8]) -> bool {
        v.len() >= self.packed_threshold as usize
    }

    /// An empty list with the server's current node size and compression settings.
    pub fn with_config(cfg: &crate::config::Config) -> List {
        List::with_options(cfg.list_max_listpack_size, cfg.list_compress_depth)
    }

    /// A list of `elems` in order with the server's settings (SORT ... STORE), elements of
    /// `packed_threshold` bytes or more in plain nodes.
    pub fn from_elems<'a>(
        cfg: &crate::config::Config,
        packed_threshold: u32,
        elems: impl IntoIterator<Item = &'a [u8]>,
    ) -> List {
        let mut l = List::with_config(cfg);
        l.set_packed_threshold(packed_threshold);
        for e in elems {
            l.push_back(e);
        }
        l
    }

    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// OBJECT ENCODING name: Redis 7.0 reports every list as a quicklist.
    pub fn encoding(&self) -> &'static str {
        "quicklist"
    }

    /// Approximate heap bytes owned (MEMORY USAGE).
    pub fn heap_size(&self) -> usize {
        self.nodes.capacity() * std::mem::size_of::<Node>()
            + self.nodes.iter().map(|n| n.buf.capacity()).sum::<usize>()
    }

    /// Deep copy (COPY).
    pub fn duplicate(&self) -> List {
        self.clone()
    }

    /// Number of nodes (DEBUG, tests).
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Number of nodes stored compressed (DEBUG, tests).
    pub fn compressed_nodes(&self) -> usize {
        self.nodes.iter().filter(|n| n.is_compressed()).count()
    }

    /// Whether node `ni` is interior (compressible) under the depth.
    #[inline]
    fn interior(&self, ni: usize) -> bool {
        let d = self.depth as usize;
        d > 0 && ni >= d && ni + d < self.nodes.len()
    }

    /// Number of plain nodes (DEBUG, tests).
    pub fn plain_nodes(&self) -> usize {
        self.nodes.iter().filter(|n| n.plain).count()
    }

    /// Node `ni`, decompressed in place for an edit; `settle` it afterwards.
    fn plain_mut(&mut self, ni: usize) -> &mut Node {
        let n = &mut self.nodes[ni];
        n.decompress();
        n
    }

    /// Compress node `ni` again if it is interior.
    fn settle(&mut self, ni: usize) {
        if self.interior(ni) {
            self.nodes[ni].compress();
        }
    }

    /// After nodes were added or removed: the `depth` nodes at each end are plain and the
    /// nodes just inside them compressed (nodes further in did not change side).
    fn settle_edges(&mut self) {
        let d = self.depth as usize;
        if d == 0 {
            return;
        }
        let n = self.nodes.len();
        for i in (0..d.min(n)).chain(n.saturating_sub(d)..n) {
            self.nodes[i].decompress();
        }
        if n > 2 * d {
            self.nodes[d].compress();
            self.nodes[n - 1 - d].compress();
        }
    }

    /// Redis's `_quicklistNodeAllowInsert` for an element of `sz` bytes (its string
    /// length, not its encoded size, as Redis estimates) that is not large.
    #[inline]
    fn allows(&self, node: &Node, sz: usize) -> bool {
        if node.plain {
            return false;
        }
        let new_sz = node.bytes() + sz + SIZE_ESTIMATE_OVERHEAD;
        if self.fill < 0 {
            let lvl = (-(self.fill as i32) - 1) as usize;
            new_sz <= OPTIMIZATION_LEVEL[lvl.min(4)]
        } else {
            new_sz <= SIZE_SAFETY_LIMIT && (node.count as i64) < self.fill as i64
        }
    }

    pub fn push_back(&mut self, v: &[u8]) {
        if self.is_large(v) {
            self.insert_node(self.nodes.len(), Node::new_plain(v));
            return;
        }
        let e = Encoded::new(v);
        let fits = self.nodes.back().is_some_and(|n| self.allows(n, v.len()));
        if !fits {
            match self.nodes.back_mut() {
                // A node that will not grow again gives back its growth slack.
                Some(full) => full.buf.shrink_to_fit(),
                None => self.nodes.reserve_exact(1),
            }
            self.nodes.push_back(Node::new());
            self.settle_edges();
        }
        if let Some(n) = self.nodes.back_mut() {
            n.push_back(&e);
        }
        self.len += 1;
    }

    pub fn push_front(&mut self, v: &[u8]) {
        if self.is_large(v) {
            self.insert_node(0, Node::new_plain(v));
            return;
        }
        let e = Encoded::new(v);
        let fits = self.nodes.front().is_some_and(|n| self.allows(n, v.len()));
        if !fits {
            match self.nodes.front_mut() {
                Some(full) => full.buf.shrink_to_fit(),
                None => self.nodes.reserve_exact(1),
            }
            self.nodes.push_front(Node::new());
            self.settle_edges();
        }
        if let Some(n) = self.nodes.front_mut() {
            n.insert_at(0, &e);
        }
        self.len += 1;
    }

    /// Remove the first element, handing it to `f` before it is dropped.
    pub fn pop_front_with<R>(&mut self, f: impl FnOnce(Elem) -> R) -> Option<R> {
        if self.nodes.is_empty() {
            return None;
        }
        let n = self.plain_mut(0);
        if n.plain {
            let r = f(Elem::from_raw(&n.buf));
            self.remove_node(0);
            self.len -= 1;
            return Some(r);
        }
        let (e, next) = decode(&n.buf, 0);
        let r = f(e);
        n.remove_range(0, next, 1);
        if n.count == 0 {
            self.nodes.pop_front();
            self.settle_edges();
        }
        self.len -= 1;
        Some(r)
    }

    /// Remove the last element, handing it to `f` before it is dropped.
    pub fn pop_back_with<R>(&mut self, f: impl FnOnce(Elem) -> R) -> Option<R> {
        let last = self.nodes.len().checked_sub(1)?;
        let n = self.plain_mut(last);
        if n.plain {
            let r = f(Elem::from_raw(&n.buf));
            self.remove_node(last);
            self.len -= 1;
            return Some(r);
        }
        let start = prev(&n.buf, n.buf.len());
        let (e, _) = decode(&n.buf, start);
        let r = f(e);
        n.buf.truncate(start);
        n.count -= 1;
        if n.count == 0 {
            self.nodes.pop_back();
            self.settle_edges();
        }
        self.len -= 1;
        Some(r)
    }

    pub fn pop_front(&mut self) -> Option<Vec<u8>> {
        self.pop_front_with(|e| e.to_vec())
    }

    pub fn pop_back(&mut self) -> Option<Vec<u8>> {
        self.pop_back_with(|e| e.to_vec())
    }

    /// Resolve a Redis index (negative counts from the tail) to 0..len.
    pub fn resolve(&self, idx: i64) -> Option<usize> {
        let i = if idx < 0 { (self.len as i64).checked_add(idx)? } else { idx };
        (i >= 0 && (i as u64) < self.len as u64).then_some(i as usize)
    }

    /// (node index, local index) of element `i` < len, skipping nodes from the nearer end.
    fn locate(&self, i: usize) -> (usize, u32) {
        if i < self.len / 2 {
            let mut left = i;
            for (ni, n) in self.nodes.iter().enumerate() {
                if left < n.count as usize {
                    return (ni, left as u32);
                }
                left -= n.count as usize;
            }
        } else {
            let mut right = self.len - 1 - i;
            for (ni, n) in self.nodes.iter().enumerate().rev() {
                if right < n.count as usize {
                    return (ni, n.count - 1 - right as u32);
                }
                right -= n.count as usize;
            }
        }
        unreachable!("index below len is in some node")
    }

    /// Element `idx` (negative from the tail) handed to `f`.
    pub fn get_with<R>(&self, idx: i64, f: impl FnOnce(Elem) -> R) -> Option<R> {
        let i = self.resolve(idx)?;
        let (ni, li) = self.locate(i);
        let n = &self.nodes[ni];
        let data = n.data();
        if n.plain {
            return Some(f(Elem::from_raw(&data)));
        }
        Some(f(decode(&data, offset_in(&data, n.count, li)).0))
    }

    /// Insert `v` before or after the first element equal to `pivot`; false when there is
    /// no such element.
    pub fn insert_by_pivot(&mut self, pivot: &[u8], v: &[u8], after: bool) -> bool {
        let p = Probe::new(pivot);
        for ni in 0..self.nodes.len() {
            let n = &self.nodes[ni];
            let data = n.data();
            let hit = if n.plain {
                Elem::from_raw(&data).matches(&p).then_some(0)
            } else {
                node_iter(&data).position(|(_, e)| e.matches(&p)).map(|i| i as u32)
            };
            drop(data);
            if let Some(li) = hit {
                self.insert_beside(ni, li, v, after);
                return true;
            }
        }
        false
    }

    /// LREM: remove up to `count` elements equal to `v` (0 = all; negative from the tail).
    /// Returns how many were removed.
    pub fn remove_matching(&mut self, v: &[u8], count: i64) -> usize {
        let p = Probe::new(v);
        let limit = if count == 0 { usize::MAX } else { count.unsigned_abs() as usize };
        let mut removed = 0;
        let from_tail = count < 0;
        let order: Vec<usize> = if from_tail {
            (0..self.nodes.len()).rev().collect()
        } else {
            (0..self.nodes.len()).collect()
        };
        for ni in order {
            if removed == limit {
                break;
            }
            let node = &self.nodes[ni];
            if node.plain {
                if Elem::from_raw(&node.data()).matches(&p) {
                    // Emptied: dropped with the other empty nodes below.
                    self.nodes[ni].count = 0;
                    removed += 1;
                }
                continue;
            }
            let data = node.data();
            let mut hits: Vec<(usize, usize)> = Vec::new();
            if from_tail {
                let mut end = data.len();
                while end > 0 && removed + hits.len() < limit {
                    let start = prev(&data, end);
                    if decode(&data, start).0.matches(&p) {
                        hits.push((start, end));
                    }
                    end = start;
                }
                hits.reverse();
            } else {
                for (off, e) in node_iter(&data) {
                    if removed + hits.len() == limit {
                        break;
                    }
                    if e.matches(&p) {
                        hits.push((off, decode(&data, off).1));
                    }
                }
            }
            drop(data);
            if hits.is_empty() {
                continue;
            }
            removed += hits.len();
            let n = self.plain_mut(ni);
            let mut out = Vec::with_capacity(n.buf.len());
            let mut last = 0;
            for &(s, e) in &hits {
                out.extend_from_slice(&n.buf[last..s]);
                last = e;
            }
            out.extend_from_slice(&n.buf[last..]);
            n.buf = out;
            n.count -= hits.len() as u32;
            self.settle(ni);
        }
        self.len -= removed;
        let before = self.nodes.len();
        self.nodes.retain(|n| n.count > 0);
        if self.nodes.len() != before {
            self.settle_edges();
        }
        removed
    }

    /// Keep only elements `start..end` (0-based, end exclusive, both within len).
    pub fn retain_range(&mut self, start: usize, end: usize) {
        if start >= end {
            self.nodes.clear();
            self.nodes.shrink_to_fit();
            self.len = 0;
            return;
        }
        self.remove_span(end, self.len - end);
        self.remove_span(0, start);
    }

    /// Remove `n` elements starting at index `from`.
    fn remove_span(&mut self, from: usize, mut n: usize) {
        if n == 0 {
            return;
        }
        let (mut ni, li) = self.locate(from);
        let mut li = li;
        self.len -= n;
        while n > 0 {
            let avail = (self.nodes[ni].count - li) as usize;
            let take = avail.min(n);
            if li == 0 && take == self.nodes[ni].count as usize {
                self.nodes.remove(ni);
            } else {
                let node = self.plain_mut(ni);
                let s = node.offset_of(li);
                let e = if li as usize + take == node.count as usize {
                    node.buf.len()
                } else {
                    let mut e = s;
                    for _ in 0..take {
                        e = decode(&node.buf, e).1;
                    }
                    e
                };
                node.remove_range(s, e, take as u32);
                node.buf.shrink_to(node.buf.len().next_multiple_of(16));
                self.settle(ni);
                ni += 1;
            }
            li = 0;
            n -= take;
        }
        self.settle_edges();
    }

    /// Every element in order.
    pub fn for_each(&self, mut f: impl FnMut(&[u8])) {
        let mut buf = [0u8; 20];
        self.visit_from(0, |e| {
            f(e.as_bytes(&mut buf));
            true
        });
    }

    /// Elements from index `start` (0-based) head to tail, until `f` returns false.
    pub fn visit_from(&self, start: usize, mut f: impl FnMut(Elem) -> bool) {
        if start >= self.len {
            return;
        }
        let (first, li) = self.locate(start);
        for (ni, n) in self.nodes.iter().enumerate().skip(first) {
            let data = n.data();
            if n.plain {
                if !f(Elem::from_raw(&data)) {
                    return;
                }
                continue;
            }
            let off = if ni == first { offset_in(&data, n.count, li) } else { 0 };
            let mut it = node_iter(&data);
            it.off = off;
            for (_, e) in it {
                if !f(e) {
                    return;
                }
            }
        }
    }

    /// Elements tail to head, until `f` returns false.
    pub fn visit_rev(&self, mut f: impl FnMut(Elem) -> bool) {
        for n in self.nodes.iter().rev() {
            let data = n.data();
            if n.plain {
                if !f(Elem::from_raw(&data)) {
                    return;
                }
                continue;
            }
            let mut end = data.len();
            while end > 0 {
                let start = prev(&data, end);
                if !f(decode(&data, start).0) {
                    return;
                }
                end = start;
            }
        }
    }
}

#[cfg(test)]
mod tests;
