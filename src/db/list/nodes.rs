//! A read-only walk over a list's nodes, for writers that keep Redis's node layout (the RDB
//! `quicklist-2` encoding: per node a container byte, PLAIN = 1 with the raw element, PACKED
//! = 2 with a listpack of the node's entries).

use std::borrow::Cow;

use super::entry::{self, Elem, Encoded};
use super::{node_iter, List, Node, LP_HDR};

/// A listpack that is not well formed (`List::append_listpack`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadListpack;

/// One node of a list, head to tail.
#[derive(Clone, Copy)]
pub struct NodeRef<'a> {
    node: &'a Node,
}

impl<'a> NodeRef<'a> {
    /// True for a PLAIN node (one element, raw bytes); false for a PACKED node.
    pub fn is_plain(&self) -> bool {
        self.node.plain
    }

    /// Elements in the node (1 for a plain node).
    pub fn count(&self) -> usize {
        self.node.count as usize
    }

    /// A plain node's element, decompressed if the node is stored compressed; None for a
    /// packed node.
    pub fn plain_bytes(&self) -> Option<Cow<'a, [u8]>> {
        self.node.plain.then(|| self.node.data())
    }

    /// Every element of the node in order (for a packed node, its entries: integers come
    /// as `Elem::Int`, ready for a listpack integer encoding).
    pub fn for_each(&self, mut f: impl FnMut(Elem)) {
        let data = self.node.data();
        if self.node.plain {
            f(Elem::Bytes(&data));
            return;
        }
        for (_, e) in node_iter(&data) {
            f(e);
        }
    }

    /// A packed node as Redis's listpack (what RDB's quicklist-2 stores for a PACKED node);
    /// None for a plain node. Entries are kept in listpack's own entry encoding, so this is
    /// only the 6-byte header, the node's bytes and the end marker.
    pub fn listpack(&self) -> Option<Vec<u8>> {
        if self.node.plain {
            return None;
        }
        let data = self.node.data();
        let total = data.len() + LP_HDR;
        let mut out = Vec::with_capacity(total);
        out.extend_from_slice(&(total as u32).to_le_bytes());
        // Listpack's element count saturates at 65535 ("unknown, count them").
        out.extend_from_slice(&(self.node.count.min(u16::MAX as u32) as u16).to_le_bytes());
        out.extend_from_slice(&data);
        out.push(0xFF);
        Some(out)
    }

    /// The size of the node's LZF form when it is stored compressed (an interior node under
    /// `list-compress-depth`); RDB saves such a node as that blob.
    pub fn compressed_len(&self) -> Option<usize> {
        self.node.is_compressed().then_some(self.node.buf.len())
    }

    /// Redis's `node->sz`: listpack bytes of a packed node, element size of a plain one.
    pub fn size(&self) -> usize {
        self.node.bytes()
    }
}

impl List {
    /// The nodes head to tail with their container kind (see `NodeRef`).
    pub fn nodes(&self) -> impl Iterator<Item = NodeRef<'_>> + '_ {
        self.nodes.iter().map(|node| NodeRef { node })
    }

    /// Append a plain node holding `v` whatever its size (the RDB loader's
    /// `quicklistAppendPlainNode`, for a PLAIN container).
    pub fn push_plain_node(&mut self, v: &[u8]) {
        self.insert_node(self.nodes.len(), Node::new_plain(v));
    }

    /// Append a listpack from outside (a PACKED container of an RDB or RESTORE payload) as
    /// one node, as Redis's `quicklistAppendListpack` does: no size limit, no merge. The
    /// bytes are checked entry by entry first; an empty listpack is skipped, as Redis does.
    pub fn append_listpack(&mut self, lp: &[u8]) -> Result<(), BadListpack> {
        if lp.len() < LP_HDR || lp[lp.len() - 1] != 0xFF {
            return Err(BadListpack);
        }
        let total = u32::from_le_bytes([lp[0], lp[1], lp[2], lp[3]]) as usize;
        let declared = u16::from_le_bytes([lp[4], lp[5]]);
        let body = &lp[6..lp.len() - 1];
        let (count, int_strings) = entry::validate(body).ok_or(BadListpack)?;
        if total != lp.len() || (declared != u16::MAX && declared as usize != count) {
            return Err(BadListpack);
        }
        let count = u32::try_from(count).map_err(|_| BadListpack)?;
        if count == 0 {
            return Ok(());
        }
        let node = if int_strings {
            // Another writer stored an integer as a string: store it as Redis would.
            let mut n = Node::new();
            let mut buf = [0u8; 20];
            for (_, e) in node_iter(body) {
                n.push_back(&Encoded::new(e.as_bytes(&mut buf)));
            }
            n
        } else {
            Node::packed(body.to_vec(), count)
        };
        self.insert_node(self.nodes.len(), node);
        Ok(())
    }

    /// Append `elems` as one packed node whatever their number and sizes (the RDB loader's
    /// conversion of an old ziplist node); nothing when empty.
    pub fn append_packed<'e>(&mut self, elems: impl IntoIterator<Item = &'e [u8]>) {
        let mut n = Node::new();
        for v in elems {
            n.push_back(&Encoded::new(v));
        }
        if n.count > 0 {
            self.insert_node(self.nodes.len(), n);
        }
    }

    /// DEBUG OBJECT's `ql_*` fields: nodes, average elements per node, fill, whether the
    /// list compresses, and the sum of Redis's `node->sz`.
    pub fn debug_fields(&self) -> String {
        let nodes = self.nodes.len();
        let avg = if nodes == 0 { f64::NAN } else { self.len as f64 / nodes as f64 };
        let sz: usize = self.nodes.iter().map(|n| n.bytes()).sum();
        format!(
            " ql_nodes:{} ql_avg_node:{:.2} ql_listpack_max:{} ql_compressed:{} ql_uncompressed_size:{}",
            nodes,
            avg,
            self.fill,
            (self.depth != 0) as u8,
            sz
        )
    }
}
