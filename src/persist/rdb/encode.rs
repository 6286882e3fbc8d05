//! Writing values in Redis 7.0's RDB encodings (rdbSaveObject and friends): strings as
//! integers when they are one, LZF over 20 bytes under `rdbcompression`; lists as quicklist 2
//! of listpacks; hashes and sorted sets as a listpack while compact; sets as an intset while
//! compact; streams as STREAM_LISTPACKS_2 with their consumer groups.

use super::packed::{intset_bytes, ListpackWriter};
use super::{types, QUICKLIST_NODE_PACKED, QUICKLIST_NODE_PLAIN};
use crate::db::hash::Hash;
use crate::db::set::Set;
use crate::db::stream::{Stream, StreamId};
use crate::db::zset::ZSet;
use crate::db::Value;
use crate::util::lzf;

/// Quicklist nodes smaller than this are never compressed, nor ones that gain under 8 bytes.
const QL_MIN_COMPRESS_BYTES: usize = 48;
const QL_MIN_COMPRESS_IMPROVE: usize = 8;

/// Output buffer plus the settings that change the bytes.
pub struct Writer {
    pub out: Vec<u8>,
    pub compress: bool,
}

impl Writer {
    pub fn new(compress: bool) -> Writer {
        Writer { out: Vec::new(), compress }
    }

    pub fn byte(&mut self, b: u8) {
        self.out.push(b);
    }

    /// rdbSaveLen.
    pub fn length(&mut self, n: u64) {
        if n < 1 << 6 {
            self.out.push(n as u8);
        } else if n < 1 << 14 {
            self.out.extend_from_slice(&[0x40 | (n >> 8) as u8, n as u8]);
        } else if n <= u32::MAX as u64 {
            self.out.push(0x80);
            self.out.extend_from_slice(&(n as u32).to_be_bytes());
        } else {
            self.out.push(0x81);
            self.out.extend_from_slice(&n.to_be_bytes());
        }
    }

    /// rdbEncodeInteger: 0xC0..0xC2 and the value in 1, 2 or 4 bytes, when it fits.
    fn encoded_int(&mut self, v: i64) -> bool {
        if let Ok(x) = i8::try_from(v) {
            self.out.extend_from_slice(&[0xC0, x as u8]);
        } else if let Ok(x) = i16::try_from(v) {
            self.out.push(0xC1);
            self.out.extend_from_slice(&x.to_le_bytes());
        } else if let Ok(x) = i32::try_from(v) {
            self.out.push(0xC2);
            self.out.extend_from_slice(&x.to_le_bytes());
        } else {
            return false;
        }
        true
    }

    /// rdbSaveLongLongAsStringObject.
    pub fn int_string(&mut self, v: i64) {
        if !self.encoded_int(v) {
            let s = v.to_string();
            self.length(s.len() as u64);
            self.out.extend_from_slice(s.as_bytes());
        }
    }

    /// rdbSaveRawString.
    pub fn string(&mut self, s: &[u8]) {
        if s.len() <= 11 {
            if let Some(v) = crate::util::num::parse_i64(s) {
                if self.encoded_int(v) {
                    return;
                }
            }
        }
        if self.compress && s.len() > 20 {
            if let Some(c) = lzf::compress(s, s.len() - 4) {
                self.lzf_blob(&c, s.len());
                return;
            }
        }
        self.length(s.len() as u64);
        self.out.extend_from_slice(s);
    }

    /// rdbSaveLzfBlob.
    fn lzf_blob(&mut self, c: &[u8], raw_len: usize) {
        self.out.push(0xC3);
        self.length(c.len() as u64);
        self.length(raw_len as u64);
        self.out.extend_from_slice(c);
    }

    pub fn millis(&mut self, ms: i64) {
        self.out.extend_from_slice(&ms.to_le_bytes());
    }

    fn stream_id_raw(&mut self, id: StreamId) {
        self.out.extend_from_slice(&id.ms.to_be_bytes());
        self.out.extend_from_slice(&id.seq.to_be_bytes());
    }
}

/// The RDB type byte Redis 7.0 writes for a value.
pub fn type_of(v: &Value) -> u8 {
    match v {
        Value::List(_) => types::LIST_QUICKLIST_2,
        Value::Hash(h) => {
            if h.is_table() {
                types::HASH
            } else {
                types::HASH_LISTPACK
            }
        }
        Value::Set(s) => {
            if s.is_table() {
                types::SET
            } else {
                types::SET_INTSET
            }
        }
        Value::ZSet(z) => match &**z {
            ZSet::Pack(_) => types::ZSET_LISTPACK,
            ZSet::Big(_) => types::ZSET_2,
        },
        Value::Stream(_) => types::STREAM_LISTPACKS_2,
        _ => types::STRING,
    }
}

/// rdbSaveObjectType + rdbSaveObject.
pub fn write_typed(w: &mut Writer, v: &Value) {
    w.byte(type_of(v));
    write_value(w, v);
}

/// rdbSaveObject: the value without its type byte.
pub fn write_value(w: &mut Writer, v: &Value) {
    match v {
        Value::Int(i) => w.int_string(*i),
        Value::List(l) => {
            w.length(l.node_count() as u64);
            for node in l.nodes() {
                // quicklist-2: the container, then the element (PLAIN) or the listpack
                // (PACKED); an interior node kept compressed is saved as its LZF blob.
                let (container, bytes) = match node.plain_bytes() {
                    Some(b) => (QUICKLIST_NODE_PLAIN, b.into_owned()),
                    None => (QUICKLIST_NODE_PACKED, node.listpack().unwrap_or_default()),
                };
                w.length(container);
                if node.compressed_len().is_some() && bytes.len() >= QL_MIN_COMPRESS_BYTES {
                    if let Some(c) = lzf::compress(&bytes, bytes.len()) {
                        if c.len() + QL_MIN_COMPRESS_IMPROVE < bytes.len() {
                            w.lzf_blob(&c, bytes.len());
                            continue;
                        }
                    }
                }
                w.string(&bytes);
            }
        }
        Value::Hash(h) => write_hash(w, h),
        Value::Set(s) => match &**s {
            Set::Ints(is) => {
                w.string(&intset_bytes(is.byte_width(), is.iter().collect::<Vec<_>>().into_iter()))
            }
            Set::Table(_) => {
                w.length(s.len() as u64);
                for m in s.iter() {
                    w.string(m.as_bytes());
                }
            }
        },
        Value::ZSet(z) => match &**z {
            ZSet::Pack(_) => {
                let mut lp = ListpackWriter::default();
                let mut buf = Vec::new();
                z.iter_all(|m, s| {
                    lp.push(m);
                    buf.clear();
                    crate::util::num::write_f64(&mut buf, s);
                    lp.push(&buf);
                });
                w.string(&lp.finish());
            }
            ZSet::Big(_) => {
                // Redis walks the skiplist from the tail: highest score first.
                w.length(z.len() as u64);
                z.walk(0, true, |m, s| {
                    w.string(m);
                    w.out.extend_from_slice(&s.to_le_bytes());
                    true
                });
            }
        },
        Value::Stream(s) => write_stream(w, s),
        _ => {
            let s = v.str_bytes().expect("string value");
            w.string(s.as_bytes());
        }
    }
}

fn write_hash(w: &mut Writer, h: &Hash) {
    if h.is_table() {
        w.length(h.len() as u64);
        for (f, v) in h.iter() {
            w.string(f);
            w.string(v);
        }
    } else {
        let mut lp = ListpackWriter::default();
        for (f, v) in h.iter() {
            lp.push(f);
            lp.push(v);
        }
        w.string(&lp.finish());
    }
}

/// The listpack of one stream node (t_stream.c's layout): the master entry (live count,
/// deleted count, master fields, 0), then per entry its flags, ID deltas, fields unless they
/// are the master's, values, and its element count.
fn stream_node_listpack(
    master_id: StreamId,
    master: &[&[u8]],
    entries: &[(StreamId, bool, Vec<&[u8]>)],
) -> Vec<u8> {
    const FLAG_SAMEFIELDS: i64 = 2;
    let mut lp = ListpackWriter::default();
    lp.push_int(entries.len() as i64);
    lp.push_int(0);
    lp.push_int(master.len() as i64);
    for f in master {
        lp.push(f);
    }
    lp.push_int(0);
    for (id, same, items) in entries {
        lp.push_int(if *same { FLAG_SAMEFIELDS } else { 0 });
        lp.push_int(id.ms.wrapping_sub(master_id.ms) as i64);
        lp.push_int(id.seq.wrapping_sub(master_id.seq) as i64);
        if *same {
            for v in items {
                lp.push(v);
            }
            lp.push_int(items.len() as i64 + 3);
        } else {
            lp.push_int(items.len() as i64 / 2);
            for x in items {
                lp.push(x);
            }
            lp.push_int(items.len() as i64 + 4);
        }
    }
    lp.finish()
}

fn write_stream(w: &mut Writer, s: &Stream) {
    let nodes: Vec<_> = s.entries.rdb_nodes().filter(|n| !n.entries.is_empty()).collect();
    w.length(nodes.len() as u64);
    for n in &nodes {
        let mut key = Vec::with_capacity(16);
        key.extend_from_slice(&n.key.ms.to_be_bytes());
        key.extend_from_slice(&n.key.seq.to_be_bytes());
        w.string(&key);
        w.string(&stream_node_listpack(n.key, &n.master, &n.entries));
    }
    w.length(s.length);
    w.length(s.last_id.ms);
    w.length(s.last_id.seq);
    w.length(s.first_id.ms);
    w.length(s.first_id.seq);
    w.length(s.max_deleted_id.ms);
    w.length(s.max_deleted_id.seq);
    w.length(s.entries_added);
    w.length(s.groups.len() as u64);
    for (name, g) in &s.groups {
        w.string(name);
        w.length(g.last_id.ms);
        w.length(g.last_id.seq);
        w.length(g.entries_read as u64);
        w.length(g.pel.len() as u64);
        for (id, nack) in &g.pel {
            w.stream_id_raw(*id);
            w.millis(nack.delivery_time);
            w.length(nack.delivery_count);
        }
        w.length(g.consumers.len() as u64);
        for (cname, c) in &g.consumers {
            w.string(cname);
            w.millis(c.seen_time);
            w.length(c.pel.len() as u64);
            for id in &c.pel {
                w.stream_id_raw(*id);
            }
        }
    }
}
