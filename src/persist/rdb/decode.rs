//! Reading RDB values of every version up to 10 (rdbLoadObject): strings (plain, integer,
//! LZF), lists (linked, ziplist, quicklist 1 and 2), sets (plain, intset), sorted sets
//! (text or binary scores, ziplist, listpack), hashes (plain, zipmap, ziplist, listpack) and
//! streams (listpacks v1 and v2 with consumer groups). Values convert to our encodings by the
//! same thresholds Redis applies after loading.
//!
//! Input is untrusted (RESTORE payloads, files): every length is checked against the bytes
//! present before anything is allocated for it, loops consume input, and malformed data is
//! an error, never a panic or a half-built value.

use super::packed::{intset_items, listpack_items, ziplist_items, zipmap_items, Item};
use super::{corrupt, types, RdbError, RdbResult, QUICKLIST_NODE_PACKED, QUICKLIST_NODE_PLAIN};
use crate::config::Config;
use crate::db::hash::{Hash, Limits as HashLimits};
use crate::db::list::List;
use crate::db::set::Set;
use crate::db::stream::{Consumer, Group, Nack, NodeLimits, Stream, StreamId};
use crate::db::zset::{Limits as ZLimits, ZSet};
use crate::db::Value;
use crate::util::{lzf, num};

/// The settings that decide the encodings of loaded values.
pub struct LoadCfg {
    hash: HashLimits,
    zset: ZLimits,
    max_intset: usize,
    list_fill: i64,
    list_depth: u32,
    stream: NodeLimits,
}

impl LoadCfg {
    pub fn new(cfg: &Config) -> LoadCfg {
        LoadCfg {
            hash: HashLimits {
                entries: cfg.hash_max_listpack_entries,
                value: cfg.hash_max_listpack_value,
            },
            zset: ZLimits {
                max_entries: cfg.zset_max_listpack_entries,
                max_value: cfg.zset_max_listpack_value,
            },
            max_intset: cfg.set_max_intset_entries,
            list_fill: cfg.list_max_listpack_size,
            list_depth: cfg.list_compress_depth,
            stream: NodeLimits {
                max_bytes: cfg.stream_node_max_bytes,
                max_entries: cfg.stream_node_max_entries as usize,
            },
        }
    }
}

/// A cursor over RDB bytes.
pub struct Reader<'a> {
    pub buf: &'a [u8],
    pub pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Reader<'a> {
        Reader { buf, pos: 0 }
    }

    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    pub fn bytes(&mut self, n: usize) -> RdbResult<&'a [u8]> {
        if n > self.remaining() {
            return corrupt("Unexpected EOF reading RDB file");
        }
        let b = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(b)
    }

    pub fn byte(&mut self) -> RdbResult<u8> {
        Ok(self.bytes(1)?[0])
    }

    /// rdbLoadLenByRef: (length, true when it is a special string encoding).
    pub fn len_enc(&mut self) -> RdbResult<(u64, bool)> {
        let b = self.byte()?;
        Ok(match b >> 6 {
            0 => ((b & 0x3f) as u64, false),
            1 => ((((b & 0x3f) as u64) << 8) | self.byte()? as u64, false),
            2 => match b {
                0x80 => (
                    u32::from_be_bytes(self.bytes(4)?.try_into().unwrap_or_default()) as u64,
                    false,
                ),
                0x81 => (u64::from_be_bytes(self.bytes(8)?.try_into().unwrap_or_default()), false),
                _ => return corrupt("Unknown length encoding in rdbLoadLen()"),
            },
            _ => ((b & 0x3f) as u64, true),
        })
    }

    pub fn length(&mut self) -> RdbResult<u64> {
        match self.len_enc()? {
            (n, false) => Ok(n),
            _ => corrupt("Unexpected encoded length"),
        }
    }

    /// A count of items that each take at least `min_bytes` more input: refused when the
    /// input cannot hold that many, so no loop or allocation trusts a forged count.
    pub fn count(&mut self, min_bytes: usize) -> RdbResult<usize> {
        let n = self.length()?;
        if n > (self.remaining() / min_bytes.max(1)) as u64 {
            return corrupt("Length exceeds the data present");
        }
        Ok(n as usize)
    }

    /// rdbGenericLoadStringObject.
    pub fn string(&mut self) -> RdbResult<Vec<u8>> {
        let (n, enc) = self.len_enc()?;
        if !enc {
            let n = usize::try_from(n).map_err(|_| RdbError::Corrupt("length".into()))?;
            return Ok(self.bytes(n)?.to_vec());
        }
        let v: i64 = match n {
            0 => self.byte()? as i8 as i64,
            1 => i16::from_le_bytes([self.byte()?, self.byte()?]) as i64,
            2 => i32::from_le_bytes(self.bytes(4)?.try_into().unwrap_or_default()) as i64,
            3 => {
                let clen = self.length()?;
                let len = self.length()?;
                if clen > self.remaining() as u64 || len > usize::MAX as u64 {
                    return corrupt("Unexpected EOF reading RDB file");
                }
                let src = self.bytes(clen as usize)?;
                return lzf::decompress(src, len as usize)
                    .ok_or_else(|| RdbError::Corrupt("Invalid LZF compressed string".into()));
            }
            _ => return corrupt("Unknown RDB string encoding type"),
        };
        Ok(v.to_string().into_bytes())
    }

    pub fn millis(&mut self) -> RdbResult<i64> {
        Ok(i64::from_le_bytes(self.bytes(8)?.try_into().unwrap_or_default()))
    }

    /// rdbLoadDoubleValue (the text scores of RDB_TYPE_ZSET).
    fn text_double(&mut self) -> RdbResult<f64> {
        match self.byte()? {
            253 => Ok(f64::NAN),
            254 => Ok(f64::INFINITY),
            255 => Ok(f64::NEG_INFINITY),
            n => {
                let s = self.bytes(n as usize)?;
                std::str::from_utf8(s)
                    .ok()
                    .and_then(|s| s.trim().parse::<f64>().ok())
                    .ok_or_else(|| RdbError::Corrupt("Invalid double value".into()))
            }
        }
    }

    fn binary_double(&mut self) -> RdbResult<f64> {
        Ok(f64::from_le_bytes(self.bytes(8)?.try_into().unwrap_or_default()))
    }

    fn stream_id_raw(&mut self) -> RdbResult<StreamId> {
        let b = self.bytes(16)?;
        Ok(stream_id_of(b))
    }
}

fn stream_id_of(b: &[u8]) -> StreamId {
    let mut ms = [0u8; 8];
    let mut seq = [0u8; 8];
    ms.copy_from_slice(&b[..8]);
    seq.copy_from_slice(&b[8..16]);
    StreamId { ms: u64::from_be_bytes(ms), seq: u64::from_be_bytes(seq) }
}

/// rdbLoadObject: the value of RDB type `t`.
pub fn read_value(r: &mut Reader, t: u8, cfg: &LoadCfg) -> RdbResult<Value> {
    match t {
        types::STRING => Ok(Value::string(&r.string()?)),
        types::LIST => {
            let n = r.count(1)?;
            let mut l = List::with_options(cfg.list_fill, cfg.list_depth);
            for _ in 0..n {
                l.push_back(&r.string()?);
            }
            non_empty_list(l)
        }
        types::LIST_ZIPLIST => {
            let blob = r.string()?;
            let items =
                ziplist_items(&blob).ok_or_else(|| bad("List ziplist integrity check failed."))?;
            let mut l = List::with_options(cfg.list_fill, cfg.list_depth);
            push_items(&mut l, &items);
            non_empty_list(l)
        }
        types::LIST_QUICKLIST | types::LIST_QUICKLIST_2 => {
            let nodes = r.count(2)?;
            let mut l = List::with_options(cfg.list_fill, cfg.list_depth);
            for _ in 0..nodes {
                let container =
                    if t == types::LIST_QUICKLIST_2 { r.length()? } else { QUICKLIST_NODE_PACKED };
                let blob = r.string()?;
                // rdbLoadObject refuses a node of zero bytes, plain or packed.
                if blob.is_empty() {
                    return corrupt("Quicklist node of zero bytes");
                }
                // Nodes are kept as Redis keeps them on load: a PLAIN node as one plain
                // node, a listpack as one packed node, an old ziplist converted to one.
                if container == QUICKLIST_NODE_PLAIN {
                    l.push_plain_node(&blob);
                    continue;
                }
                if container != QUICKLIST_NODE_PACKED {
                    return corrupt("Quicklist integrity check failed.");
                }
                if t == types::LIST_QUICKLIST_2 {
                    l.append_listpack(&blob)
                        .map_err(|_| bad("Quicklist integrity check failed."))?;
                    continue;
                }
                let items =
                    ziplist_items(&blob).ok_or_else(|| bad("Quicklist integrity check failed."))?;
                let strs: Vec<Vec<u8>> = items
                    .iter()
                    .map(|it| match it {
                        Item::Str(b) => b.to_vec(),
                        Item::Int(i) => i.to_string().into_bytes(),
                    })
                    .collect();
                l.append_packed(strs.iter().map(|v| v.as_slice()));
            }
            non_empty_list(l)
        }
        types::SET => {
            let n = r.count(1)?;
            if n == 0 {
                return Err(RdbError::EmptyKey);
            }
            let mut s = Set::new();
            for _ in 0..n {
                if !s.add(&r.string()?, cfg.max_intset) {
                    return corrupt("Duplicate set members detected");
                }
            }
            Ok(Value::Set(Box::new(s)))
        }
        types::SET_INTSET => {
            let blob = r.string()?;
            let items = intset_items(&blob).ok_or_else(|| bad("Intset integrity check failed."))?;
            let mut s = Set::new();
            for v in items {
                s.add(v.to_string().as_bytes(), cfg.max_intset);
            }
            Ok(Value::Set(Box::new(s)))
        }
        types::ZSET | types::ZSET_2 => {
            let n = r.count(2)?;
            let mut items = Vec::with_capacity(n);
            for _ in 0..n {
                let m = r.string()?;
                let s = if t == types::ZSET_2 { r.binary_double()? } else { r.text_double()? };
                if s.is_nan() {
                    return corrupt("Zset with NAN score detected");
                }
                items.push((m, s));
            }
            build_zset(items, cfg.zset, "Duplicate zset fields detected")
        }
        types::ZSET_ZIPLIST | types::ZSET_LISTPACK => {
            let blob = r.string()?;
            let items = if t == types::ZSET_LISTPACK {
                listpack_items(&blob)
            } else {
                ziplist_items(&blob)
            }
            .filter(|i| i.len() % 2 == 0)
            .ok_or_else(|| bad("Zset listpack integrity check failed."))?;
            let mut pairs = Vec::with_capacity(items.len() / 2);
            for p in items.chunks_exact(2) {
                let score = match p[1] {
                    Item::Int(i) => i as f64,
                    Item::Str(s) => num::parse_f64(s)
                        .ok_or_else(|| bad("Zset listpack integrity check failed."))?,
                };
                pairs.push((p[0].to_vec(), score));
            }
            // A compact set stays compact whatever its members' lengths; only its size counts.
            let lim = ZLimits { max_entries: cfg.zset.max_entries, max_value: usize::MAX };
            build_zset(pairs, lim, "Zset listpack integrity check failed.")
        }
        types::HASH => {
            let n = r.count(2)?;
            let mut pairs = Vec::with_capacity(n);
            for _ in 0..n {
                pairs.push((r.string()?, r.string()?));
            }
            build_hash(pairs.iter().map(|(f, v)| (f.as_slice(), v.as_slice())), pairs.len(), cfg)
        }
        types::HASH_ZIPMAP => {
            let blob = r.string()?;
            let items = zipmap_items(&blob).ok_or_else(|| bad("Zipmap integrity check failed."))?;
            build_hash(items.chunks_exact(2).map(|p| (p[0], p[1])), items.len() / 2, cfg)
        }
        types::HASH_ZIPLIST | types::HASH_LISTPACK => {
            let blob = r.string()?;
            let items = if t == types::HASH_LISTPACK {
                listpack_items(&blob)
            } else {
                ziplist_items(&blob)
            }
            .filter(|i| i.len() % 2 == 0)
            .ok_or_else(|| bad("Hash listpack integrity check failed."))?;
            let owned: Vec<Vec<u8>> = items.iter().map(|i| i.to_vec()).collect();
            build_hash(
                owned.chunks_exact(2).map(|p| (p[0].as_slice(), p[1].as_slice())),
                owned.len() / 2,
                cfg,
            )
        }
        types::STREAM_LISTPACKS | types::STREAM_LISTPACKS_2 => {
            read_stream(r, t == types::STREAM_LISTPACKS_2, cfg)
        }
        types::MODULE_PRE_GA | types::MODULE_2 => Err(RdbError::Unsupported(
            "The RDB file contains module data I can't load: no matching module".into(),
        )),
        _ => corrupt(&format!("Unknown RDB encoding type {t}")),
    }
}

fn bad(what: &str) -> RdbError {
    RdbError::Corrupt(what.to_string())
}

fn push_items(l: &mut List, items: &[Item]) {
    for it in items {
        match it {
            Item::Str(b) => l.push_back(b),
            Item::Int(i) => l.push_back(i.to_string().as_bytes()),
        }
    }
}

fn non_empty_list(l: List) -> RdbResult<Value> {
    if l.is_empty() {
        return Err(RdbError::EmptyKey);
    }
    Ok(Value::List(Box::new(l)))
}

fn build_zset(items: Vec<(Vec<u8>, f64)>, lim: ZLimits, dup: &str) -> RdbResult<Value> {
    if items.is_empty() {
        return Err(RdbError::EmptyKey);
    }
    let maxlen = items.iter().map(|(m, _)| m.len()).max().unwrap_or(0);
    let mut z = ZSet::new_for(items.len(), maxlen, lim);
    for (m, s) in &items {
        if z.set(m, *s, lim).is_some() {
            return corrupt(dup);
        }
    }
    Ok(Value::ZSet(Box::new(z)))
}

fn build_hash<'b>(
    pairs: impl Iterator<Item = (&'b [u8], &'b [u8])>,
    n: usize,
    cfg: &LoadCfg,
) -> RdbResult<Value> {
    if n == 0 {
        return Err(RdbError::EmptyKey);
    }
    let mut h = Hash::new();
    for (f, v) in pairs {
        if !h.set(f, v, cfg.hash) {
            return corrupt("Hash with dup elements");
        }
    }
    Ok(Value::Hash(Box::new(h)))
}

/// The entries of one stream node listpack, each checked against the master entry.
fn stream_node(key: StreamId, lp: &[u8], out: &mut Vec<(StreamId, Vec<Vec<u8>>)>) -> RdbResult<()> {
    let err = || bad("Stream listpack integrity check failed.");
    let items = listpack_items(lp).ok_or_else(err)?;
    let mut it = items.into_iter();
    let int =
        |it: &mut std::vec::IntoIter<Item>| it.next().and_then(|i| i.as_int()).ok_or_else(err);
    let count = int(&mut it)?;
    let deleted = int(&mut it)?;
    let nfields = usize::try_from(int(&mut it)?).map_err(|_| err())?;
    if nfields > it.len() {
        return Err(err());
    }
    let master: Vec<Item> = it.by_ref().take(nfields).collect();
    if int(&mut it)? != 0 {
        return Err(err());
    }
    let (mut live, mut dead) = (0i64, 0i64);
    while it.len() > 0 {
        let flags = int(&mut it)?;
        let ms = int(&mut it)? as u64;
        let seq = int(&mut it)? as u64;
        let id = StreamId { ms: key.ms.wrapping_add(ms), seq: key.seq.wrapping_add(seq) };
        let same = flags & 2 != 0;
        let mut pairs = Vec::new();
        let lp_count = if same {
            if nfields > it.len() {
                return Err(err());
            }
            for f in &master {
                pairs.push(f.to_vec());
                pairs.push(it.next().ok_or_else(err)?.to_vec());
            }
            nfields as i64 + 3
        } else {
            let n = usize::try_from(int(&mut it)?).map_err(|_| err())?;
            if n > it.len() / 2 {
                return Err(err());
            }
            for _ in 0..n * 2 {
                pairs.push(it.next().ok_or_else(err)?.to_vec());
            }
            n as i64 * 2 + 4
        };
        if int(&mut it)? != lp_count {
            return Err(err());
        }
        if flags & 1 != 0 {
            dead += 1;
        } else {
            live += 1;
            out.push((id, pairs));
        }
    }
    if live != count || dead != deleted {
        return Err(err());
    }
    Ok(())
}

fn read_stream(r: &mut Reader, v2: bool, cfg: &LoadCfg) -> RdbResult<Value> {
    let nodes = r.count(2)?;
    let mut s = Stream::default();
    let mut entries = Vec::new();
    for _ in 0..nodes {
        let key = r.string()?;
        if key.len() != 16 {
            return corrupt("Stream node key entry is not the size of a stream ID");
        }
        let lp = r.string()?;
        let before = entries.len();
        stream_node(stream_id_of(&key), &lp, &mut entries)?;
        if entries.len() == before && listpack_items(&lp).is_some_and(|i| i.is_empty()) {
            return corrupt("Empty listpack inside stream");
        }
    }
    let mut last: Option<StreamId> = None;
    for (id, pairs) in &entries {
        if last.is_some_and(|l| *id <= l) {
            return corrupt("Stream entry IDs out of order");
        }
        last = Some(*id);
        let refs: Vec<(&[u8], &[u8])> =
            pairs.chunks_exact(2).map(|p| (p[0].as_slice(), p[1].as_slice())).collect();
        s.add(*id, &refs, cfg.stream);
    }
    let length = r.length()?;
    if length != entries.len() as u64 {
        return corrupt("Stream length inconsistent with its entries");
    }
    s.length = length;
    s.last_id = StreamId { ms: r.length()?, seq: r.length()? };
    if last.is_some_and(|l| l > s.last_id) {
        return corrupt("Stream last ID behind its entries");
    }
    if v2 {
        s.first_id = StreamId { ms: r.length()?, seq: r.length()? };
        s.max_deleted_id = StreamId { ms: r.length()?, seq: r.length()? };
        s.entries_added = r.length()?;
    } else {
        s.first_id = entries.first().map_or(StreamId::ZERO, |e| e.0);
        s.max_deleted_id = StreamId::ZERO;
        s.entries_added = length;
    }
    let ngroups = r.count(4)?;
    for _ in 0..ngroups {
        let name = r.string()?;
        let last_id = StreamId { ms: r.length()?, seq: r.length()? };
        let entries_read = if v2 { r.length()? as i64 } else { s.estimate_distance(last_id) };
        let mut g = Group::new(last_id, entries_read);
        let npel = r.count(25)?;
        for _ in 0..npel {
            let id = r.stream_id_raw()?;
            let delivery_time = r.millis()?;
            let delivery_count = r.length()?;
            let nack = Nack { delivery_time, delivery_count, consumer: Vec::new() };
            if g.pel.insert(id, nack).is_some() {
                return corrupt("Duplicated global PEL entry loading stream consumer group");
            }
        }
        let nconsumers = r.count(10)?;
        for _ in 0..nconsumers {
            let cname = r.string()?;
            let seen_time = r.millis()?;
            let mut c = Consumer { seen_time, pel: Default::default() };
            let n = r.count(16)?;
            for _ in 0..n {
                let id = r.stream_id_raw()?;
                match g.pel.get_mut(&id) {
                    Some(nack) if nack.consumer.is_empty() => nack.consumer = cname.clone(),
                    _ => return corrupt("Consumer PEL entry not found in the group PEL"),
                }
                c.pel.insert(id);
            }
            if g.consumers.insert(cname, c).is_some() {
                return corrupt("Duplicate stream consumer detected.");
            }
        }
        if g.pel.values().any(|n| n.consumer.is_empty()) {
            return corrupt("Stream CG PEL entry without consumer");
        }
        if s.groups.insert(name, g).is_some() {
            return corrupt("Duplicated consumer group name");
        }
    }
    Ok(Value::Stream(Box::new(s)))
}
