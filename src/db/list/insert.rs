//! Inserts in the middle of a list (LINSERT) and replacements (LSET), placed in nodes as
//! Redis 7.0's `_quicklistInsert` and `quicklistReplaceEntry` place them, plain nodes
//! included: a large element gets a plain node of its own, splitting a packed node when it
//! lands inside one; a full node passes a small element to the neighbour on the inserting
//! side when that one has room, else to a new node, else (inside the node) splits at the
//! insertion point and tries to merge the nodes around the split.

use super::entry::{decode, Encoded};
use super::{List, Node, OPTIMIZATION_LEVEL, SIZE_SAFETY_LIMIT};

/// Listpack header and end byte that a merge saves (Redis's estimate).
const MERGE_SAVES: usize = 11;

impl List {
    /// Put `node` at index `at` and account for its elements.
    pub(super) fn insert_node(&mut self, at: usize, node: Node) {
        self.len += node.count as usize;
        self.nodes.insert(at, node);
        self.settle(at);
        self.settle_edges();
    }

    /// Drop node `ni` (its elements were accounted for by the caller).
    pub(super) fn remove_node(&mut self, ni: usize) {
        self.nodes.remove(ni);
        self.settle_edges();
    }

    /// Replace element `idx`; false when out of range.
    pub fn set(&mut self, idx: i64, v: &[u8]) -> bool {
        let Some(i) = self.resolve(idx) else { return false };
        let (ni, li) = self.locate(i);
        let large = self.is_large(v);
        if !self.nodes[ni].plain && !large {
            let e = Encoded::new(v);
            let n = self.plain_mut(ni);
            let off = n.offset_of(li);
            let end = decode(&n.buf, off).1;
            n.remove_range(off, end, 1);
            n.insert_at(off, &e);
            self.settle(ni);
        } else if self.nodes[ni].plain {
            if large {
                let n = &mut self.nodes[ni];
                n.buf = v.to_vec();
                n.raw_len = 0;
                self.settle(ni);
            } else {
                // The new element goes after the plain one (never into it), then the plain
                // node goes; everything after the plain node keeps its index.
                self.insert_beside(ni, 0, v, true);
                self.nodes.remove(ni);
                self.len -= 1;
                self.settle_edges();
            }
        } else {
            // A large element replacing a packed one: its plain node goes right after the
            // old element (splitting the node if needed), which is then the node's last.
            self.insert_beside(ni, li, v, true);
            if self.nodes[ni].count == 1 {
                self.nodes.remove(ni);
            } else {
                let n = self.plain_mut(ni);
                let start = super::entry::prev(&n.buf, n.buf.len());
                n.buf.truncate(start);
                n.count -= 1;
                self.settle(ni);
            }
            self.len -= 1;
            self.settle_edges();
        }
        true
    }

    /// Insert `v` before or after local element `li` of node `ni`.
    pub(super) fn insert_beside(&mut self, ni: usize, li: u32, v: &[u8], after: bool) {
        let node = &self.nodes[ni];
        let at_tail = after && li + 1 == node.count;
        let at_head = !after && li == 0;
        if self.is_large(v) {
            if node.plain || at_tail || at_head {
                self.insert_node(if after { ni + 1 } else { ni }, Node::new_plain(v));
            } else {
                let cut = if after { li + 1 } else { li };
                let right = self.split_off(ni, cut);
                self.nodes.insert(ni + 1, right);
                self.insert_node(ni + 1, Node::new_plain(v));
                self.settle(ni);
                self.settle(ni + 2);
            }
            return;
        }
        let e = Encoded::new(v);
        let full = !self.allows(node, v.len());
        if !full {
            let n = self.plain_mut(ni);
            let mut off = n.offset_of(li);
            if after {
                off = decode(&n.buf, off).1;
            }
            n.insert_at(off, &e);
            self.len += 1;
            self.settle(ni);
            return;
        }
        if at_tail || at_head {
            let nb = if at_tail { Some(ni + 1) } else { ni.checked_sub(1) };
            match nb.filter(|&j| j < self.nodes.len() && self.allows(&self.nodes[j], v.len())) {
                Some(j) => {
                    let n = self.plain_mut(j);
                    if at_tail {
                        n.insert_at(0, &e);
                    } else {
                        n.push_back(&e);
                    }
                    self.len += 1;
                    self.settle(j);
                }
                None => {
                    let mut n = Node::new();
                    n.push_back(&e);
                    self.insert_node(if after { ni + 1 } else { ni }, n);
                }
            }
            return;
        }
        // Full and inside the node: split where the element goes; it joins the part that
        // leaves (the head of the right part, or the tail of the left part).
        let cut = if after { li + 1 } else { li };
        let mut right = self.split_off(ni, cut);
        let center = if after {
            right.insert_at(0, &e);
            self.nodes.insert(ni + 1, right);
            ni
        } else {
            // The left part is the new node; the original keeps the right part.
            let left_buf = std::mem::take(&mut self.nodes[ni].buf);
            let left_count = self.nodes[ni].count;
            let mut left = Node::packed(left_buf, left_count);
            left.push_back(&e);
            self.nodes[ni] = left;
            self.nodes.insert(ni + 1, right);
            ni + 1
        };
        self.len += 1;
        self.settle(ni);
        self.settle(ni + 1);
        self.settle_edges();
        self.merge_around(center);
    }

    /// Cut packed node `ni` before its local element `cut`; returns the part from `cut` on,
    /// which the caller places. The node keeps the elements before `cut` (decompressed).
    fn split_off(&mut self, ni: usize, cut: u32) -> Node {
        let n = self.plain_mut(ni);
        let off = if cut == n.count { n.buf.len() } else { n.offset_of(cut) };
        let right = Node::packed(n.buf[off..].to_vec(), n.count - cut);
        n.buf.truncate(off);
        n.buf.shrink_to(off.next_multiple_of(16));
        n.count = cut;
        right
    }

    /// Redis's `_quicklistNodeAllowMerge` for nodes `a` and `a + 1`.
    fn allow_merge(&self, a: usize) -> bool {
        let (Some(x), Some(y)) = (self.nodes.get(a), self.nodes.get(a + 1)) else {
            return false;
        };
        if x.plain || y.plain {
            return false;
        }
        let sz = (x.bytes() + y.bytes()).saturating_sub(MERGE_SAVES);
        if self.fill < 0 {
            let lvl = (-(self.fill as i32) - 1) as usize;
            sz <= OPTIMIZATION_LEVEL[lvl.min(4)]
        } else {
            sz <= SIZE_SAFETY_LIMIT && (x.count + y.count) as i64 <= self.fill as i64
        }
    }

    /// Merge node `a + 1` into node `a`.
    fn merge_pair(&mut self, a: usize) {
        self.nodes[a + 1].decompress();
        let b = self.nodes.remove(a + 1).expect("merged node exists");
        let n = self.plain_mut(a);
        n.buf.extend_from_slice(&b.buf);
        n.count += b.count;
        self.settle(a);
        self.settle_edges();
    }

    /// Redis's `_quicklistMergeNodes`: merge the two nodes before `center`, the two after
    /// it, then `center` with its previous node and the result with its next node.
    fn merge_around(&mut self, center: usize) {
        let mut c = center;
        if c >= 2 && self.allow_merge(c - 2) {
            self.merge_pair(c - 2);
            c -= 1;
        }
        if self.allow_merge(c + 1) {
            self.merge_pair(c + 1);
        }
        let target = if c >= 1 && self.allow_merge(c - 1) {
            self.merge_pair(c - 1);
            c - 1
        } else {
            c
        };
        if self.allow_merge(target) {
            self.merge_pair(target);
        }
    }
}
