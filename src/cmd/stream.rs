//! Command family: stream — XADD XLEN XRANGE XREVRANGE XDEL XTRIM XSETID XREAD, and the ID
//! parsing and entry replies the group commands (`stream_group.rs`) and XINFO share
//! (Redis's t_stream.c).

use super::args::Args;
use super::object::new_object_lru;
use super::table::{flags, CommandDef};
use super::{notify, Ctx};
use crate::blocking;
use crate::db::stream::{EntryRef, NodeLimits, Stream, StreamId, Trim};
use crate::db::{Entry, Key, Kind, Value};
use crate::error::{CmdResult, CommandError, NOT_INTEGER, SYNTAX, WRONGTYPE};
use crate::resp::reply::Reply;
use crate::util::num;

pub const INVALID_ID: CommandError =
    CommandError::stat("ERR Invalid stream ID specified as stream command argument");

pub const COMMANDS: &[CommandDef] = &[
    CommandDef {
        name: "xadd",
        handler: xadd,
        arity: -5,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: &["@write", "@stream", "@fast"],
        first_key: 1,
        last_key: 1,
        step: 1,
        group: "stream",
        since: "5.0.0",
        summary: "Appends a new entry to a stream",
        complexity: "O(1) when adding a new entry, O(N) when trimming where N being the number of entries evicted.",
        syntax: "key [NOMKSTREAM] [<MAXLEN | MINID> [= | ~] threshold [LIMIT count]] <* | id> field value [field value ...]",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "xlen",
        handler: xlen,
        arity: 2,
        flags: flags::READONLY | flags::FAST,
        acl: &["@read", "@stream", "@fast"],
        first_key: 1,
        last_key: 1,
        step: 1,
        group: "stream",
        since: "5.0.0",
        summary: "Return the number of entries in a stream",
        complexity: "O(1)",
        syntax: "key",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "xrange",
        handler: xrange,
        arity: -4,
        flags: flags::READONLY,
        acl: &["@read", "@stream", "@slow"],
        first_key: 1,
        last_key: 1,
        step: 1,
        group: "stream",
        since: "5.0.0",
        summary: "Return a range of elements in a stream, with IDs matching the specified IDs interval",
        complexity: "O(N) with N being the number of elements being returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).",
        syntax: "key start end [COUNT count]",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "xrevrange",
        handler: xrevrange,
        arity: -4,
        flags: flags::READONLY,
        acl: &["@read", "@stream", "@slow"],
        first_key: 1,
        last_key: 1,
        step: 1,
        group: "stream",
        since: "5.0.0",
        summary: "Return a range of elements in a stream, with IDs matching the specified IDs interval, in reverse order (from greater to smaller IDs) compared to XRANGE",
        complexity: "O(N) with N being the number of elements returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).",
        syntax: "key end start [COUNT count]",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "xdel",
        handler: xdel,
        arity: -3,
        flags: flags::WRITE | flags::FAST,
        acl: &["@write", "@stream", "@fast"],
        first_key: 1,
        last_key: 1,
        step: 1,
        group: "stream",
        since: "5.0.0",
        summary: "Removes the specified entries from the stream. Returns the number of items actually deleted, that may be different from the number of IDs passed in case certain IDs do not exist.",
        complexity: "O(1) for each single item to delete in the stream, regardless of the stream size.",
        syntax: "key id [id ...]",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "xtrim",
        handler: xtrim,
        arity: -4,
        flags: flags::WRITE,
        acl: &["@write", "@stream", "@slow"],
        first_key: 1,
        last_key: 1,
        step: 1,
        group: "stream",
        since: "5.0.0",
        summary: "Trims the stream to (approximately if '~' is passed) a certain size",
        complexity: "O(N), with N being the number of evicted entries. Constant times are very small however, since entries are organized in macro nodes containing multiple entries that can be released with a single deallocation.",
        syntax: "key <MAXLEN | MINID> [= | ~] threshold [LIMIT count]",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "xsetid",
        handler: xsetid,
        arity: -3,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: &["@write", "@stream", "@fast"],
        first_key: 1,
        last_key: 1,
        step: 1,
        group: "stream",
        since: "5.0.0",
        summary: "An internal command for replicating stream values",
        complexity: "O(1)",
        syntax: "key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "xread",
        handler: xread,
        arity: -4,
        flags: flags::READONLY | flags::BLOCKING | flags::MOVABLE_KEYS,
        acl: &["@read", "@stream", "@slow", "@blocking"],
        getkeys: Some(xread_keys),
        group: "stream",
        since: "5.0.0",
        summary: "Return never seen elements in multiple streams, with IDs greater than the ones reported by the caller for each stream. Can block.",
        complexity: "For each stream mentioned: O(N) with N being the number of elements being returned, it means that XREAD-ing with a fixed COUNT is O(1). Note that when the BLOCK option is used, XADD will pay O(M) time in order to serve the M clients blocked on the stream getting new data.",
        syntax: "[COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]",
        ..CommandDef::DEFAULT
    },
];

/// Keys of XREAD/XREADGROUP: the first half of what follows STREAMS.
pub fn xread_keys(args: &Args) -> Result<Vec<usize>, CommandError> {
    let streams = (1..args.len()).find(|&i| args.is(i, "streams"));
    let Some(s) = streams else { return Ok(Vec::new()) };
    let n = (args.len() - s - 1) / 2;
    Ok((s + 1..s + 1 + n).collect())
}

/// Redis's string2ull: strict digits first, else what C's strtoull accepts (sign, spaces).
fn parse_u64(b: &[u8]) -> Option<u64> {
    if let Some(v) = num::parse_i64(b) {
        return u64::try_from(v).ok();
    }
    let s = std::str::from_utf8(b).ok()?;
    let t = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (neg, digits) = match t.as_bytes().first()? {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, t),
    };
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let v: u64 = digits.parse().ok()?;
    Some(if neg { v.wrapping_neg() } else { v })
}

/// Redis's streamGenericParseIDOrReply. `strict` refuses `-` and `+`; `seq_given`, when
/// asked for, accepts `<ms>-*` and reports whether the sequence was explicit.
pub fn parse_id(
    b: &[u8],
    missing_seq: u64,
    strict: bool,
    seq_given: Option<&mut bool>,
) -> Result<StreamId, CommandError> {
    if b.len() > 127 {
        return Err(INVALID_ID);
    }
    if !strict && b.len() == 1 {
        if b == b"-" {
            return Ok(StreamId::ZERO);
        }
        if b == b"+" {
            return Ok(StreamId::MAX);
        }
    }
    let (ms_part, seq_part) = match b.iter().position(|&c| c == b'-') {
        Some(p) => (&b[..p], Some(&b[p + 1..])),
        None => (b, None),
    };
    let ms = parse_u64(ms_part).ok_or(INVALID_ID)?;
    let seq = match seq_part {
        None => missing_seq,
        Some(b"*") if seq_given.is_some() => {
            if let Some(g) = seq_given {
                *g = false;
            }
            return Ok(StreamId { ms, seq: 0 });
        }
        Some(s) => parse_u64(s).ok_or(INVALID_ID)?,
    };
    if let Some(g) = seq_given {
        *g = true;
    }
    Ok(StreamId { ms, seq })
}

pub fn parse_strict_id(b: &[u8]) -> Result<StreamId, CommandError> {
    parse_id(b, 0, true, None)
}

/// An interval bound: `(id` excludes, `-`/`+` allowed otherwise. Returns (id, exclusive).
pub fn parse_interval_id(b: &[u8], missing_seq: u64) -> Result<(StreamId, bool), CommandError> {
    if b.len() > 1 && b[0] == b'(' {
        return Ok((parse_id(&b[1..], missing_seq, true, None)?, true));
    }
    Ok((parse_id(b, missing_seq, false, None)?, false))
}

/// The start and end of a range with exclusive bounds applied, with Redis's errors.
pub fn parse_range(start: &[u8], end: &[u8]) -> Result<(StreamId, StreamId), CommandError> {
    let (mut s, s_ex) = parse_interval_id(start, 0)?;
    if s_ex {
        s = s.next().ok_or(CommandError::stat("ERR invalid start ID for the interval"))?;
    }
    let (mut e, e_ex) = parse_interval_id(end, u64::MAX)?;
    if e_ex {
        e = e.prev().ok_or(CommandError::stat("ERR invalid end ID for the interval"))?;
    }
    Ok((s, e))
}

pub fn write_id(r: &mut Reply, id: StreamId) {
    r.bulk(id.to_string().as_bytes());
}

/// One entry as `[id, [field, value, ...]]`.
pub fn write_entry(r: &mut Reply, e: &EntryRef) {
    r.array(2);
    write_id(r, e.id);
    let pairs = e.pairs();
    r.array(pairs.len() * 2);
    for (f, v) in pairs {
        r.bulk(f);
        r.bulk(v);
    }
}

pub fn write_entries(r: &mut Reply, entries: &[EntryRef]) {
    r.array(entries.len());
    for e in entries {
        write_entry(r, e);
    }
}

/// The stream at `key` for writing (lazy expiry, no hit/miss stats), or a type error.
pub fn stream_mut<'a>(
    ctx: &'a mut Ctx,
    key: &[u8],
) -> Result<Option<&'a mut Stream>, CommandError> {
    let (db, now) = (ctx.db(), ctx.now_ms);
    match ctx.st.ks.get(db, key, now) {
        None => Ok(None),
        Some(Entry { value: Value::Stream(s), .. }) => Ok(Some(s)),
        Some(_) => Err(WRONGTYPE),
    }
}

/// The stream at `key` for reading (counts keyspace hits and misses).
pub fn stream_read<'a>(
    ctx: &'a mut Ctx,
    key: &[u8],
) -> Result<Option<&'a mut Stream>, CommandError> {
    let (db, now) = (ctx.db(), ctx.now_ms);
    match ctx.st.ks.read(db, key, now) {
        None => Ok(None),
        Some(Entry { value: Value::Stream(s), .. }) => Ok(Some(s)),
        Some(_) => Err(WRONGTYPE),
    }
}

/// Create an empty stream at `key` (the caller checked it is missing).
pub fn create_stream(ctx: &mut Ctx, key: &[u8]) {
    let lru = new_object_lru(ctx);
    let db = ctx.db();
    let entry = Entry { expire: 0, lru, value: Value::Stream(Box::default()) };
    ctx.st.ks.insert_entry(db, Key::new(key), entry);
}

pub fn node_limits(ctx: &Ctx) -> NodeLimits {
    NodeLimits {
        max_bytes: ctx.st.cfg.stream_node_max_bytes,
        max_entries: ctx.st.cfg.stream_node_max_entries as usize,
    }
}

/// What XADD/XTRIM parsed (Redis's streamAddTrimArgs).
struct TrimArgs {
    how: Trim,
    approx: bool,
    limit: u64,
    nomkstream: bool,
    id: Option<StreamId>,
    seq_given: bool,
}

const MAXLEN_AND_MINID: CommandError = CommandError::stat(
    "ERR syntax error, MAXLEN and MINID options at the same time are not compatible",
);

/// Redis's streamParseAddOrTrimArgsOrReply: returns the args and the index of the ID (XADD)
/// or of the end of the options (XTRIM).
fn parse_add_or_trim(
    ctx: &Ctx,
    args: &Args,
    xadd: bool,
) -> Result<(TrimArgs, usize), CommandError> {
    let mut t = TrimArgs {
        how: Trim::None,
        approx: false,
        limit: 0,
        nomkstream: false,
        id: None,
        seq_given: true,
    };
    let mut limit_given = false;
    let mut i = 2;
    let argc = args.len();
    while i < argc {
        let more = argc - 1 - i;
        let opt = args.get(i);
        if xadd && opt == b"*" {
            break;
        } else if (args.is(i, "maxlen") || args.is(i, "minid")) && more > 0 {
            if t.how != Trim::None {
                return Err(MAXLEN_AND_MINID);
            }
            let maxlen = args.is(i, "maxlen");
            t.approx = false;
            let next = args.get(i + 1);
            if more >= 2 && next == b"~" {
                t.approx = true;
                i += 1;
            } else if more >= 2 && next == b"=" {
                i += 1;
            }
            let v = args.get(i + 1);
            if maxlen {
                let n = num::parse_i64(v).ok_or(NOT_INTEGER)?;
                if n < 0 {
                    return Err(CommandError::stat("ERR The MAXLEN argument must be >= 0."));
                }
                t.how = Trim::MaxLen(n as u64);
            } else {
                t.how = Trim::MinId(parse_strict_id(v)?);
            }
            i += 1;
        } else if args.is(i, "limit") && more > 0 {
            let n = num::parse_i64(args.get(i + 1)).ok_or(NOT_INTEGER)?;
            if n < 0 {
                return Err(CommandError::stat("ERR The LIMIT argument must be >= 0."));
            }
            t.limit = n as u64;
            limit_given = true;
            i += 1;
        } else if xadd && args.is(i, "nomkstream") {
            t.nomkstream = true;
        } else if xadd {
            let mut seq_given = true;
            t.id = Some(parse_id(opt, 0, true, Some(&mut seq_given))?);
            t.seq_given = seq_given;
            break;
        } else {
            return Err(SYNTAX);
        }
        i += 1;
    }
    if t.limit > 0 && t.how == Trim::None {
        return Err(CommandError::stat(
            "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy",
        ));
    }
    if !xadd && t.how == Trim::None {
        return Err(CommandError::stat(
            "ERR syntax error, XTRIM must be called with a trimming strategy",
        ));
    }
    if limit_given {
        if !t.approx {
            return Err(CommandError::stat(
                "ERR syntax error, LIMIT cannot be used without the special ~ option",
            ));
        }
    } else if t.approx {
        // Approximate trimming is bounded by default so one call cannot stall the server.
        let n = 100 * ctx.st.cfg.stream_node_max_entries;
        t.limit = if n <= 0 || n > 1_000_000 { 10_000 } else { n as u64 };
    } else {
        t.limit = 0;
    }
    Ok((t, i))
}

fn xadd(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (t, i) = parse_add_or_trim(ctx, args, true)?;
    let field_pos = i + 1;
    let nfields = args.len().saturating_sub(field_pos);
    if nfields < 2 || nfields % 2 == 1 {
        return Err(CommandError::stat("ERR wrong number of arguments for 'xadd' command"));
    }
    if let Some(id) = t.id {
        if t.seq_given && id.is_zero() {
            return Err(CommandError::stat(
                "ERR The ID specified in XADD must be greater than 0-0",
            ));
        }
    }
    let key = args.get(1);
    let lim = node_limits(ctx);
    let now = ctx.now_ms;
    if stream_mut(ctx, key)?.is_none() {
        if t.nomkstream {
            ctx.reply().null();
            return Ok(());
        }
        create_stream(ctx, key);
    }
    let Some(s) = stream_mut(ctx, key)? else { return Ok(()) };
    if s.last_id == StreamId::MAX {
        return Err(CommandError::stat(
            "ERR The stream has exhausted the last possible ID, unable to add more items",
        ));
    }
    let too_small = CommandError::stat(
        "ERR The ID specified in XADD is equal or smaller than the target stream top item",
    );
    let id = match t.id {
        Some(id) if t.seq_given => id,
        Some(id) => {
            // `<ms>-*`: the next sequence within the same millisecond.
            if id.ms == s.last_id.ms {
                if s.last_id.seq == u64::MAX {
                    return Err(too_small);
                }
                StreamId { ms: id.ms, seq: s.last_id.seq + 1 }
            } else {
                StreamId { ms: id.ms, seq: 0 }
            }
        }
        None => {
            let ms = now.max(0) as u64;
            if ms > s.last_id.ms {
                StreamId { ms, seq: 0 }
            } else {
                s.last_id.next().unwrap_or(StreamId::MAX)
            }
        }
    };
    if id <= s.last_id {
        return Err(too_small);
    }
    let pairs: Vec<(&[u8], &[u8])> =
        (field_pos..args.len()).step_by(2).map(|j| (args.get(j), args.get(j + 1))).collect();
    s.add(id, &pairs, lim);
    let trimmed = t.how != Trim::None && s.trim(t.how, t.approx, t.limit) > 0;
    let db = ctx.db();
    write_id(&mut ctx.reply(), id);
    ctx.modified(db, key);
    ctx.notify(notify::STREAM, "xadd", db, key);
    if trimmed {
        ctx.notify(notify::STREAM, "xtrim", db, key);
    }
    Ok(())
}

fn xlen(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let n = stream_read(ctx, args.get(1))?.map_or(0, |s| s.length);
    ctx.reply().int(n as i64);
    Ok(())
}

fn range_generic(ctx: &mut Ctx, args: &Args, rev: bool) -> CmdResult {
    let (start_arg, end_arg) =
        if rev { (args.get(3), args.get(2)) } else { (args.get(2), args.get(3)) };
    let (start, end) = parse_range(start_arg, end_arg)?;
    let mut count: i64 = -1;
    let mut j = 4;
    while j < args.len() {
        if args.is(j, "count") && j + 1 < args.len() {
            count = num::parse_i64(args.get(j + 1)).ok_or(NOT_INTEGER)?.max(0);
            j += 2;
        } else {
            return Err(SYNTAX);
        }
    }
    if count == 0 {
        // Redis answers a null array here, before even looking at the key.
        ctx.reply().null_array();
        return Ok(());
    }
    let key = args.get(1);
    let (db, now) = (ctx.db(), ctx.now_ms);
    let (st, mut r) = ctx.parts();
    match st.ks.read(db, key, now) {
        None => r.array(0),
        Some(Entry { value: Value::Stream(s), .. }) => {
            let entries = s.entries.range(start, end, rev, count.max(0) as usize);
            write_entries(&mut r, &entries);
        }
        Some(_) => return Err(WRONGTYPE),
    }
    Ok(())
}

fn xrange(ctx: &mut Ctx, args: &Args) -> CmdResult {
    range_generic(ctx, args, false)
}

fn xrevrange(ctx: &mut Ctx, args: &Args) -> CmdResult {
    range_generic(ctx, args, true)
}

fn xdel(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let key = args.get(1);
    if stream_mut(ctx, key)?.is_none() {
        ctx.reply().int(0);
        return Ok(());
    }
    let ids = args.rest(2).map(parse_strict_id).collect::<Result<Vec<_>, _>>()?;
    let Some(s) = stream_mut(ctx, key)? else { return Ok(()) };
    let deleted = ids.into_iter().filter(|&id| s.delete(id)).count();
    if deleted > 0 {
        let db = ctx.db();
        ctx.modified(db, key);
        ctx.notify(notify::STREAM, "xdel", db, key);
    }
    ctx.reply().int(deleted as i64);
    Ok(())
}

fn xtrim(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (t, _) = parse_add_or_trim(ctx, args, false)?;
    let key = args.get(1);
    let Some(s) = stream_mut(ctx, key)? else {
        ctx.reply().int(0);
        return Ok(());
    };
    let removed = s.trim(t.how, t.approx, t.limit);
    if removed > 0 {
        let db = ctx.db();
        ctx.notify(notify::STREAM, "xtrim", db, key);
        ctx.modified(db, key);
    }
    ctx.reply().int(removed as i64);
    Ok(())
}

fn xsetid(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let id = parse_strict_id(args.get(2))?;
    let mut entries_added: i64 = -1;
    let mut max_xdel = StreamId::ZERO;
    let mut i = 3;
    while i < args.len() {
        let more = args.len() - 1 - i;
        if args.is(i, "entriesadded") && more > 0 {
            entries_added = num::parse_i64(args.get(i + 1)).ok_or(NOT_INTEGER)?;
            if entries_added < 0 {
                return Err(CommandError::stat("ERR entries_added must be positive"));
            }
        } else if args.is(i, "maxdeletedid") && more > 0 {
            max_xdel = parse_strict_id(args.get(i + 1))?;
            if id < max_xdel {
                return Err(CommandError::stat(
                    "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id",
                ));
            }
        } else {
            return Err(SYNTAX);
        }
        i += 2;
    }
    let key = args.get(1);
    let Some(s) = stream_mut(ctx, key)? else {
        return Err(CommandError::stat("ERR no such key"));
    };
    if id < s.max_deleted_id {
        return Err(CommandError::stat(
            "ERR The ID specified in XSETID is smaller than current max_deleted_entry_id",
        ));
    }
    if s.length > 0 {
        let top = s.entries.last_id().unwrap_or(StreamId::ZERO);
        if id < top {
            return Err(CommandError::stat(
                "ERR The ID specified in XSETID is smaller than the target stream top item",
            ));
        }
        if entries_added != -1 && s.length > entries_added as u64 {
            return Err(CommandError::stat(
                "ERR The entries_added specified in XSETID is smaller than the target stream length",
            ));
        }
    }
    s.last_id = id;
    if entries_added != -1 {
        s.entries_added = entries_added as u64;
    }
    if !max_xdel.is_zero() {
        s.max_deleted_id = max_xdel;
    }
    let db = ctx.db();
    ctx.reply().ok();
    ctx.modified(db, key);
    ctx.notify(notify::STREAM, "xsetid", db, key);
    Ok(())
}

/// The parsed options of XREAD / XREADGROUP.
pub struct ReadArgs {
    pub count: usize,
    pub block_ms: Option<i64>,
    pub group: Option<(Vec<u8>, Vec<u8>)>,
    pub noack: bool,
    /// Index of the first key.
    pub streams: usize,
    pub nstreams: usize,
}

/// Redis's xreadCommand option loop. `from_script`: BLOCK is refused to scripts (Redis keeps
/// this error rather than answering as if the timeout passed, as other blocking commands do).
pub fn parse_read_args(
    args: &Args,
    xreadgroup: bool,
    from_script: bool,
) -> Result<ReadArgs, CommandError> {
    let mut r =
        ReadArgs { count: 0, block_ms: None, group: None, noack: false, streams: 0, nstreams: 0 };
    let argc = args.len();
    let mut i = 1;
    while i < argc {
        let more = argc - i - 1;
        if args.is(i, "block") && more > 0 {
            if from_script {
                return Err(CommandError::msg(format!(
                    "ERR {} command is not allowed with BLOCK option from scripts",
                    String::from_utf8_lossy(args.get(0))
                )));
            }
            i += 1;
            let ms = num::parse_i64(args.get(i))
                .ok_or(CommandError::stat("ERR timeout is not an integer or out of range"))?;
            if ms < 0 {
                return Err(CommandError::stat("ERR timeout is negative"));
            }
            r.block_ms = Some(ms);
        } else if args.is(i, "count") && more > 0 {
            i += 1;
            r.count = num::parse_i64(args.get(i)).ok_or(NOT_INTEGER)?.max(0) as usize;
        } else if args.is(i, "streams") && more > 0 {
            r.streams = i + 1;
            let n = argc - r.streams;
            if n % 2 != 0 {
                let (name, sym) = if xreadgroup { ("xreadgroup", '>') } else { ("xread", '$') };
                return Err(CommandError::msg(format!(
                    "ERR Unbalanced '{name}' list of streams: for each stream key an ID or '{sym}' must be specified."
                )));
            }
            r.nstreams = n / 2;
            break;
        } else if args.is(i, "group") && more >= 2 {
            if !xreadgroup {
                return Err(CommandError::stat(
                    "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.",
                ));
            }
            r.group = Some((args.get(i + 1).to_vec(), args.get(i + 2).to_vec()));
            i += 2;
        } else if args.is(i, "noack") {
            if !xreadgroup {
                return Err(CommandError::stat(
                    "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.",
                ));
            }
            r.noack = true;
        } else {
            return Err(SYNTAX);
        }
        i += 1;
    }
    if r.streams == 0 {
        return Err(SYNTAX);
    }
    if xreadgroup && r.group.is_none() {
        return Err(CommandError::stat("ERR Missing GROUP option for XREADGROUP"));
    }
    Ok(r)
}

fn xread(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let ra = parse_read_args(args, false, crate::script::run::is_script_client(ctx.client))?;
    // Resolve `$` and parse IDs before serving anything, as Redis does.
    let mut ids = Vec::with_capacity(ra.nstreams);
    for k in 0..ra.nstreams {
        let key = args.get(ra.streams + k);
        let id_arg = args.get(ra.streams + ra.nstreams + k);
        let s = stream_read(ctx, key)?;
        if id_arg == b"$" {
            ids.push(s.map_or(StreamId::ZERO, |s| s.last_id));
        } else if id_arg == b">" {
            return Err(CommandError::stat(
                "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.",
            ));
        } else {
            ids.push(parse_strict_id(id_arg)?);
        }
    }
    if serve_xread(ctx, args, &ra, &ids) {
        return Ok(());
    }
    match ra.block_ms {
        Some(ms) if blocking::may_block(ctx) => {
            // `$` means "newer than now": the parked command keeps the IDs resolved here.
            let mut argv = args.to_vec();
            for (k, id) in ids.iter().enumerate() {
                argv[ra.streams + ra.nstreams + k] = id.to_bytes();
            }
            let deadline = block_deadline(ctx, ms)?;
            let keys: Vec<&[u8]> = (0..ra.nstreams).map(|k| args.get(ra.streams + k)).collect();
            blocking::block(ctx, args, Kind::Stream, keys, deadline)?;
            blocking::set_argv(ctx, argv);
            Ok(())
        }
        _ => {
            ctx.reply().null_array();
            Ok(())
        }
    }
}

/// A BLOCK timeout in milliseconds as an absolute deadline (0 = forever).
pub fn block_deadline(ctx: &Ctx, ms: i64) -> Result<i64, CommandError> {
    if ms == 0 {
        return Ok(0);
    }
    ms.checked_add(ctx.now_ms).ok_or(CommandError::stat("ERR timeout is out of range"))
}

/// Reply with every stream that has entries after its ID; false (nothing written) if none.
fn serve_xread(ctx: &mut Ctx, args: &Args, ra: &ReadArgs, ids: &[StreamId]) -> bool {
    let (db, now) = (ctx.db(), ctx.now_ms);
    let (st, mut r) = ctx.parts();
    let mut served = 0;
    // RESP2 gets an array of [key, entries] pairs; RESP3 a map of key -> entries.
    let header = r.deferred(if r.resp3 { b'%' } else { b'*' });
    for (k, &after) in ids.iter().enumerate() {
        let key = args.get(ra.streams + k);
        let Some(Entry { value: Value::Stream(s), .. }) = st.ks.read(db, key, now) else {
            continue;
        };
        if s.length == 0 || s.entries.last_id().is_none_or(|top| top <= after) {
            continue;
        }
        let Some(start) = after.next() else { continue };
        served += 1;
        if !r.resp3 {
            r.array(2);
        }
        r.bulk(key);
        let entries = s.entries.range(start, StreamId::MAX, false, ra.count);
        write_entries(&mut r, &entries);
    }
    if served == 0 {
        return false;
    }
    r.set_deferred(header, served);
    true
}
