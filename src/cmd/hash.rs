//! Command family: hash — HSET HSETNX HMSET HGET HMGET HGETALL HDEL HLEN HSTRLEN HEXISTS
//! HKEYS HVALS HINCRBY HINCRBYFLOAT HRANDFIELD HSCAN (Redis 7.0's t_hash.c).

use ahash::AHashSet;

use super::args::Args;
use super::collection::{empty_scan, rand_count, reply_cap, scan_opts, scan_reply};
use super::keyspace::{parse_cursor, rng};
use super::string::new_lru;
use super::table::{flags, CommandDef};
use super::{arity_text, notify, Ctx};
use crate::db::hash::{Hash, Limits};
use crate::db::{Entry, Value};
use crate::error::{CmdResult, CommandError, OVERFLOW, SYNTAX, WRONGTYPE};
use crate::resp::reply::Reply;
use crate::state::State;
use crate::util::num;

const HASH_ROW: CommandDef = CommandDef {
    first_key: 1,
    last_key: 1,
    step: 1,
    group: "hash",
    since: "2.0.0",
    ..CommandDef::DEFAULT
};

const W: u32 = flags::WRITE | flags::DENYOOM | flags::FAST;
const R: u32 = flags::READONLY | flags::FAST;
const SCAN_COMPLEXITY: &str = "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..";

pub const COMMANDS: &[CommandDef] = &[
    CommandDef {
        name: "hset",
        handler: hset,
        arity: -4,
        flags: W,
        acl: &["@write", "@hash"],
        summary: "Set the string value of a hash field",
        complexity: "O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.",
        syntax: "key field value [field value ...]",
        ..HASH_ROW
    },
    CommandDef {
        name: "hsetnx",
        handler: hsetnx,
        arity: 4,
        flags: W,
        acl: &["@write", "@hash"],
        summary: "Set the value of a hash field, only if the field does not exist",
        syntax: "key field value",
        ..HASH_ROW
    },
    CommandDef {
        name: "hmset",
        handler: hmset,
        arity: -4,
        flags: W,
        acl: &["@write", "@hash"],
        summary: "Set multiple hash fields to multiple values",
        complexity: "O(N) where N is the number of fields being set.",
        syntax: "key field value [field value ...]",
        ..HASH_ROW
    },
    CommandDef {
        name: "hget",
        handler: hget,
        arity: 3,
        flags: R,
        acl: &["@read", "@hash"],
        summary: "Get the value of a hash field",
        syntax: "key field",
        ..HASH_ROW
    },
    CommandDef {
        name: "hmget",
        handler: hmget,
        arity: -3,
        flags: R,
        acl: &["@read", "@hash"],
        summary: "Get the values of all the given hash fields",
        complexity: "O(N) where N is the number of fields being requested.",
        syntax: "key field [field ...]",
        ..HASH_ROW
    },
    CommandDef {
        name: "hgetall",
        handler: hgetall,
        arity: 2,
        flags: flags::READONLY,
        acl: &["@read", "@hash"],
        summary: "Get all the fields and values in a hash",
        complexity: "O(N) where N is the size of the hash.",
        syntax: "key",
        ..HASH_ROW
    },
    CommandDef {
        name: "hdel",
        handler: hdel,
        arity: -3,
        flags: flags::WRITE | flags::FAST,
        acl: &["@write", "@hash"],
        summary: "Delete one or more hash fields",
        complexity: "O(N) where N is the number of fields to be removed.",
        syntax: "key field [field ...]",
        ..HASH_ROW
    },
    CommandDef {
        name: "hlen",
        handler: hlen,
        arity: 2,
        flags: R,
        acl: &["@read", "@hash"],
        summary: "Get the number of fields in a hash",
        syntax: "key",
        ..HASH_ROW
    },
    CommandDef {
        name: "hstrlen",
        handler: hstrlen,
        arity: 3,
        flags: R,
        acl: &["@read", "@hash"],
        since: "3.2.0",
        summary: "Get the length of the value of a hash field",
        syntax: "key field",
        ..HASH_ROW
    },
    CommandDef {
        name: "hexists",
        handler: hexists,
        arity: 3,
        flags: R,
        acl: &["@read", "@hash"],
        summary: "Determine if a hash field exists",
        syntax: "key field",
        ..HASH_ROW
    },
    CommandDef {
        name: "hkeys",
        handler: hkeys,
        arity: 2,
        flags: flags::READONLY,
        acl: &["@read", "@hash"],
        summary: "Get all the fields in a hash",
        complexity: "O(N) where N is the size of the hash.",
        syntax: "key",
        ..HASH_ROW
    },
    CommandDef {
        name: "hvals",
        handler: hvals,
        arity: 2,
        flags: flags::READONLY,
        acl: &["@read", "@hash"],
        summary: "Get all the values in a hash",
        complexity: "O(N) where N is the size of the hash.",
        syntax: "key",
        ..HASH_ROW
    },
    CommandDef {
        name: "hincrby",
        handler: hincrby,
        arity: 4,
        flags: W,
        acl: &["@write", "@hash"],
        summary: "Increment the integer value of a hash field by the given number",
        syntax: "key field increment",
        ..HASH_ROW
    },
    CommandDef {
        name: "hincrbyfloat",
        handler: hincrbyfloat,
        arity: 4,
        flags: W,
        acl: &["@write", "@hash"],
        since: "2.6.0",
        summary: "Increment the float value of a hash field by the given amount",
        syntax: "key field increment",
        ..HASH_ROW
    },
    CommandDef {
        name: "hrandfield",
        handler: hrandfield,
        arity: -2,
        flags: flags::READONLY,
        acl: &["@read", "@hash"],
        since: "6.2.0",
        summary: "Get one or multiple random fields from a hash",
        complexity: "O(N) where N is the number of fields returned",
        syntax: "key [count [WITHVALUES]]",
        ..HASH_ROW
    },
    CommandDef {
        name: "hscan",
        handler: hscan,
        arity: -3,
        flags: flags::READONLY,
        acl: &["@read", "@hash"],
        since: "2.8.0",
        summary: "Incrementally iterate hash fields and associated values",
        complexity: SCAN_COMPLEXITY,
        syntax: "key cursor [MATCH pattern] [COUNT count]",
        ..HASH_ROW
    },
];

fn limits(st: &State) -> Limits {
    Limits { entries: st.cfg.hash_max_listpack_entries, value: st.cfg.hash_max_listpack_value }
}

/// lookupKeyRead + checkType: None when missing (counted as a miss).
fn read_hash<'a>(
    st: &'a mut State,
    db: usize,
    key: &[u8],
    now: i64,
) -> Result<Option<&'a Hash>, CommandError> {
    match st.ks.read(db, key, now) {
        None => Ok(None),
        Some(Entry { value: Value::Hash(h), .. }) => Ok(Some(h)),
        Some(_) => Err(WRONGTYPE),
    }
}

/// lookupKeyWrite + checkType.
fn write_hash<'a>(
    st: &'a mut State,
    db: usize,
    key: &[u8],
    now: i64,
) -> Result<Option<&'a mut Hash>, CommandError> {
    match st.ks.get(db, key, now) {
        None => Ok(None),
        Some(Entry { value: Value::Hash(h), .. }) => Ok(Some(h)),
        Some(_) => Err(WRONGTYPE),
    }
}

/// Redis's hashTypeLookupWriteOrCreate: the hash at `key`, created empty if missing (one
/// dict lookup either way).
fn hash_or_create<'a>(ctx: &'a mut Ctx, key: &[u8]) -> Result<&'a mut Hash, CommandError> {
    let (db, now) = (ctx.db(), ctx.now_ms);
    let lru = new_lru(ctx);
    let (e, new) = ctx.st.ks.entry(db, key, now, lru);
    if new {
        e.value = Value::Hash(Box::default());
    }
    match &mut e.value {
        Value::Hash(h) => Ok(h),
        _ => Err(WRONGTYPE),
    }
}

fn hset(ctx: &mut Ctx, args: &Args) -> CmdResult {
    hset_generic(ctx, args, "hset")
}

fn hmset(ctx: &mut Ctx, args: &Args) -> CmdResult {
    hset_generic(ctx, args, "hmset")
}

fn hset_generic(ctx: &mut Ctx, args: &Args, name: &str) -> CmdResult {
    if args.len() % 2 == 1 {
        return Err(CommandError::msg(arity_text(name)));
    }
    let key = args.get(1);
    let lim = limits(ctx.st);
    let h = hash_or_create(ctx, key)?;
    h.prepare_for(args.rest(2), lim);
    let mut created = 0;
    let mut i = 2;
    while i + 1 < args.len() {
        created += i64::from(h.set(args.get(i), args.get(i + 1), lim));
        i += 2;
    }
    let db = ctx.db();
    ctx.modified(db, key);
    // Redis counts one change per pair written.
    ctx.st.dirty += (args.len() as u64 - 2) / 2 - 1;
    ctx.notify(notify::HASH, "hset", db, key);
    if name == "hset" {
        ctx.reply().int(created);
    } else {
        ctx.reply().ok();
    }
    Ok(())
}

fn hsetnx(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (key, field, value) = (args.get(1), args.get(2), args.get(3));
    let lim = limits(ctx.st);
    let h = hash_or_create(ctx, key)?;
    if h.contains(field) {
        ctx.reply().int(0);
        return Ok(());
    }
    h.prepare_for([field, value].into_iter(), lim);
    h.set(field, value, lim);
    let db = ctx.db();
    ctx.modified(db, key);
    ctx.notify(notify::HASH, "hset", db, key);
    ctx.reply().int(1);
    Ok(())
}

fn hget(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (db, now) = (ctx.db(), ctx.now_ms);
    let (st, mut r) = ctx.parts();
    match read_hash(st, db, args.get(1), now)?.and_then(|h| h.get(args.get(2))) {
        Some(v) => r.bulk(v),
        None => r.null(),
    }
    Ok(())
}

fn hmget(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (db, now) = (ctx.db(), ctx.now_ms);
    let (st, mut r) = ctx.parts();
    let h = read_hash(st, db, args.get(1), now)?;
    r.array(args.len() - 2);
    for f in args.rest(2) {
        match h.and_then(|h| h.get(f)) {
            Some(v) => r.bulk(v),
            None => r.null(),
        }
    }
    Ok(())
}

#[derive(Clone, Copy, PartialEq)]
enum Part {
    Fields,
    Values,
    Both,
}

fn getall_generic(ctx: &mut Ctx, args: &Args, part: Part) -> CmdResult {
    let (db, now) = (ctx.db(), ctx.now_ms);
    let (st, mut r) = ctx.parts();
    let h = read_hash(st, db, args.get(1), now)?;
    let n = h.map_or(0, |h| h.len());
    if part == Part::Both {
        r.map(n);
    } else {
        r.array(n);
    }
    for (f, v) in h.into_iter().flat_map(|h| h.iter()) {
        if part != Part::Values {
            r.bulk(f);
        }
        if part != Part::Fields {
            r.bulk(v);
        }
    }
    Ok(())
}

fn hgetall(ctx: &mut Ctx, args: &Args) -> CmdResult {
    getall_generic(ctx, args, Part::Both)
}

fn hkeys(ctx: &mut Ctx, args: &Args) -> CmdResult {
    getall_generic(ctx, args, Part::Fields)
}

fn hvals(ctx: &mut Ctx, args: &Args) -> CmdResult {
    getall_generic(ctx, args, Part::Values)
}

fn hdel(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (db, now, key) = (ctx.db(), ctx.now_ms, args.get(1));
    let Some(h) = write_hash(ctx.st, db, key, now)? else {
        ctx.reply().int(0);
        return Ok(());
    };
    let (mut deleted, mut emptied) = (0, false);
    for f in args.rest(2) {
        if h.remove(f) {
            deleted += 1;
            if h.is_empty() {
                emptied = true;
                break;
            }
        }
    }
    if deleted > 0 {
        ctx.st.dirty += deleted as u64 - 1;
        ctx.removed_elements(db, key, emptied, notify::HASH, "hdel");
    }
    ctx.reply().int(deleted);
    Ok(())
}

fn hlen(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (db, now) = (ctx.db(), ctx.now_ms);
    let n = read_hash(ctx.st, db, args.get(1), now)?.map_or(0, |h| h.len());
    ctx.reply().int(n as i64);
    Ok(())
}

fn hstrlen(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (db, now) = (ctx.db(), ctx.now_ms);
    let n = read_hash(ctx.st, db, args.get(1), now)?
        .and_then(|h| h.get(args.get(2)))
        .map_or(0, <[u8]>::len);
    ctx.reply().int(n as i64);
    Ok(())
}

fn hexists(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (db, now) = (ctx.db(), ctx.now_ms);
    let found = read_hash(ctx.st, db, args.get(1), now)?.is_some_and(|h| h.contains(args.get(2)));
    ctx.reply().int(i64::from(found));
    Ok(())
}

fn hincrby(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (key, field) = (args.get(1), args.get(2));
    let incr = args.i64(3)?;
    let lim = limits(ctx.st);
    let h = hash_or_create(ctx, key)?;
    let old = match h.get(field) {
        Some(v) => {
            num::parse_i64(v).ok_or(CommandError::stat("ERR hash value is not an integer"))?
        }
        None => 0,
    };
    let new = old.checked_add(incr).ok_or(OVERFLOW)?;
    let mut buf = Vec::with_capacity(20);
    num::write_i64(&mut buf, new);
    h.set(field, &buf, lim);
    let db = ctx.db();
    ctx.modified(db, key);
    ctx.notify(notify::HASH, "hincrby", db, key);
    ctx.reply().int(new);
    Ok(())
}

fn hincrbyfloat(ctx: &mut Ctx, args: &Args) -> CmdResult {
    use num::HashFloatIncrError as E;
    let (key, field, incr) = (args.get(1), args.get(2), args.get(3));
    // The increment is judged before the key is looked at.
    if let Err(e @ (E::IncrNotFloat | E::IncrNanOrInfinity)) = num::hincr_by_float(b"0", incr) {
        return Err(CommandError::stat(e.message()));
    }
    let lim = limits(ctx.st);
    let h = hash_or_create(ctx, key)?;
    let new = num::hincr_by_float(h.get(field).unwrap_or(b"0"), incr)
        .map_err(|e| CommandError::stat(e.message()))?;
    h.set(field, &new, lim);
    let db = ctx.db();
    ctx.modified(db, key);
    ctx.notify(notify::HASH, "hincrbyfloat", db, key);
    ctx.reply().bulk(&new);
    Ok(())
}

fn hrandfield(ctx: &mut Ctx, args: &Args) -> CmdResult {
    if args.len() >= 3 {
        let count = rand_count(args.get(2))?;
        let withvalues = match args.len() {
            3 => false,
            4 if args.is(3, "withvalues") => true,
            _ => return Err(SYNTAX),
        };
        if withvalues && !(-(i64::MAX / 2)..=i64::MAX / 2).contains(&count) {
            return Err(CommandError::stat("ERR value is out of range"));
        }
        return hrandfield_count(ctx, args.get(1), count, withvalues);
    }
    let (db, now) = (ctx.db(), ctx.now_ms);
    let mut rnd = rng();
    let (st, mut r) = ctx.parts();
    match read_hash(st, db, args.get(1), now)?.and_then(|h| h.random(&mut rnd)) {
        Some((f, _)) => r.bulk(f),
        None => r.null(),
    }
    Ok(())
}

fn hrandfield_count(ctx: &mut Ctx, key: &[u8], count: i64, withvalues: bool) -> CmdResult {
    let (db, now) = (ctx.db(), ctx.now_ms);
    let cap = reply_cap(ctx.st);
    let mut rnd = rng();
    let resp3 = ctx.client.resp3;
    let st: &mut State = ctx.st;
    let Some(h) = read_hash(st, db, key, now)? else {
        ctx.reply().array(0);
        return Ok(());
    };
    let (n, unique) = (count.unsigned_abs(), count >= 0);
    let size = h.len() as u64;
    let mut out = Vec::new();
    let mut r = Reply::new(&mut ctx.client.wbuf, resp3);
    if n == 0 || size == 0 {
        r.array(0);
        return Ok(());
    }
    let emit = |r: &mut Reply, f: &[u8], v: &[u8]| {
        if withvalues && resp3 {
            r.array(2);
        }
        r.bulk(f);
        if withvalues {
            r.bulk(v);
        }
    };
    let header = |r: &mut Reply, n: u64| {
        r.array(if withvalues && !resp3 { n as usize * 2 } else { n as usize });
    };
    // Repeats allowed (or a single pick): n independent draws, in random order.
    if !unique || n == 1 {
        header(&mut r, n);
        for _ in 0..n {
            if let Some((f, v)) = h.random(&mut rnd) {
                emit(&mut r, f, v);
            }
            if r.buf.len() > cap {
                ctx.client.close_asap = true;
                break;
            }
        }
        return Ok(());
    }
    header(&mut r, n.min(size));
    if n >= size {
        for (f, v) in h.iter() {
            emit(&mut r, f, v);
        }
        return Ok(());
    }
    let n = n as usize;
    if n * 3 > size as usize {
        // Close to the whole hash: drop random pairs until n are left.
        out.extend(h.iter());
        while out.len() > n {
            let i = (rnd() % out.len() as u64) as usize;
            out.swap_remove(i);
        }
    } else {
        let mut seen: AHashSet<&[u8]> = AHashSet::with_capacity(n);
        while out.len() < n {
            if let Some((f, v)) = h.random(&mut rnd) {
                if seen.insert(f) {
                    out.push((f, v));
                }
            }
        }
    }
    for (f, v) in out {
        emit(&mut r, f, v);
    }
    Ok(())
}

fn hscan(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let mut cursor = parse_cursor(args.get(2))?;
    let (db, now) = (ctx.db(), ctx.now_ms);
    let (st, mut r) = ctx.parts();
    let Some(h) = read_hash(st, db, args.get(1), now)? else {
        empty_scan(&mut r);
        return Ok(());
    };
    let opts = scan_opts(args, 3)?;
    let mut items: Vec<&[u8]> = Vec::new();
    let mut push = |f, v| {
        if opts.matches(f) {
            items.push(f);
            items.push(v);
        }
    };
    if !h.is_table() {
        cursor = h.scan(cursor, &mut push);
    } else {
        // Like Redis, COUNT counts fields and values alike, and at most ten buckets are
        // visited per requested element so a sparse table cannot stall the loop.
        let mut budget = opts.count.saturating_mul(10);
        let mut seen = 0usize;
        loop {
            cursor = h.scan(cursor, |f, v| {
                seen += 2;
                push(f, v);
            });
            if cursor == 0 || budget == 0 || seen >= opts.count {
                break;
            }
            budget -= 1;
        }
    }
    scan_reply(&mut r, cursor, &items);
    Ok(())
}
