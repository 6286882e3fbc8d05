//! Command family: set — SADD SREM SMEMBERS SISMEMBER SMISMEMBER SCARD SPOP SRANDMEMBER SMOVE
//! SINTER SINTERCARD SINTERSTORE SUNION SUNIONSTORE SDIFF SDIFFSTORE SSCAN (Redis 7.0's
//! t_set.c). Set replies use the RESP3 set type, as Redis 7.0 does.

use std::ptr;

use ahash::AHashSet;

use super::args::Args;
use super::collection::{empty_scan, positive_count, rand_count, reply_cap, scan_opts, scan_reply};
use super::keyspace::{parse_cursor, rng};
use super::string::new_lru;
use super::table::{flags, numkeys_at1, CommandDef};
use super::{notify, Ctx};
use crate::db::set::Set;
use crate::db::value::StrRef;
use crate::db::{Entry, Value};
use crate::error::{CmdResult, CommandError, SYNTAX, WRONGTYPE};
use crate::resp::reply::Reply;
use crate::state::State;

const SET_ROW: CommandDef = CommandDef {
    first_key: 1,
    last_key: 1,
    step: 1,
    group: "set",
    since: "1.0.0",
    ..CommandDef::DEFAULT
};

const STORE_ROW: CommandDef = CommandDef {
    arity: -3,
    flags: flags::WRITE | flags::DENYOOM,
    acl: &["@write", "@set"],
    last_key: -1,
    ..SET_ROW
};

const MULTI_ROW: CommandDef = CommandDef {
    arity: -2,
    flags: flags::READONLY,
    acl: &["@read", "@set"],
    last_key: -1,
    ..SET_ROW
};

const R: u32 = flags::READONLY | flags::FAST;
const INTER_COMPLEXITY: &str =
    "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.";
const UNION_COMPLEXITY: &str = "O(N) where N is the total number of elements in all given sets.";

pub const COMMANDS: &[CommandDef] = &[
    CommandDef {
        name: "sadd",
        handler: sadd,
        arity: -3,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: &["@write", "@set"],
        summary: "Add one or more members to a set",
        complexity: "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
        syntax: "key member [member ...]",
        ..SET_ROW
    },
    CommandDef {
        name: "srem",
        handler: srem,
        arity: -3,
        flags: flags::WRITE | flags::FAST,
        acl: &["@write", "@set"],
        summary: "Remove one or more members from a set",
        complexity: "O(N) where N is the number of members to be removed.",
        syntax: "key member [member ...]",
        ..SET_ROW
    },
    CommandDef {
        name: "smembers",
        handler: smembers,
        arity: 2,
        flags: flags::READONLY,
        acl: &["@read", "@set"],
        summary: "Get all the members in a set",
        complexity: "O(N) where N is the set cardinality.",
        syntax: "key",
        ..SET_ROW
    },
    CommandDef {
        name: "sismember",
        handler: sismember,
        arity: 3,
        flags: R,
        acl: &["@read", "@set"],
        summary: "Determine if a given value is a member of a set",
        syntax: "key member",
        ..SET_ROW
    },
    CommandDef {
        name: "smismember",
        handler: smismember,
        arity: -3,
        flags: R,
        acl: &["@read", "@set"],
        since: "6.2.0",
        summary: "Returns the membership associated with the given elements for a set",
        complexity: "O(N) where N is the number of elements being checked for membership",
        syntax: "key member [member ...]",
        ..SET_ROW
    },
    CommandDef {
        name: "scard",
        handler: scard,
        arity: 2,
        flags: R,
        acl: &["@read", "@set"],
        summary: "Get the number of members in a set",
        syntax: "key",
        ..SET_ROW
    },
    CommandDef {
        name: "spop",
        handler: spop,
        arity: -2,
        flags: flags::WRITE | flags::FAST,
        acl: &["@write", "@set"],
        summary: "Remove and return one or multiple random members from a set",
        complexity: "Without the count argument O(1), otherwise O(N) where N is the value of the passed count.",
        syntax: "key [count]",
        ..SET_ROW
    },
    CommandDef {
        name: "srandmember",
        handler: srandmember,
        arity: -2,
        flags: flags::READONLY,
        acl: &["@read", "@set"],
        summary: "Get one or multiple random members from a set",
        complexity: "Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.",
        syntax: "key [count]",
        ..SET_ROW
    },
    CommandDef {
        name: "smove",
        handler: smove,
        arity: 4,
        flags: flags::WRITE | flags::FAST,
        acl: &["@write", "@set"],
        last_key: 2,
        summary: "Move a member from one set to another",
        syntax: "source destination member",
        ..SET_ROW
    },
    CommandDef {
        name: "sinter",
        handler: sinter,
        summary: "Intersect multiple sets",
        complexity: INTER_COMPLEXITY,
        syntax: "key [key ...]",
        ..MULTI_ROW
    },
    CommandDef {
        name: "sintercard",
        handler: sintercard,
        arity: -3,
        flags: flags::READONLY | flags::MOVABLE_KEYS,
        first_key: 0,
        last_key: 0,
        step: 0,
        getkeys: Some(numkeys_at1),
        since: "7.0.0",
        summary: "Intersect multiple sets and return the cardinality of the result",
        complexity: INTER_COMPLEXITY,
        syntax: "numkeys key [key ...] [LIMIT limit]",
        ..MULTI_ROW
    },
    CommandDef {
        name: "sinterstore",
        handler: sinterstore,
        summary: "Intersect multiple sets and store the resulting set in a key",
        complexity: INTER_COMPLEXITY,
        syntax: "destination key [key ...]",
        ..STORE_ROW
    },
    CommandDef {
        name: "sunion",
        handler: sunion,
        summary: "Add multiple sets",
        complexity: UNION_COMPLEXITY,
        syntax: "key [key ...]",
        ..MULTI_ROW
    },
    CommandDef {
        name: "sunionstore",
        handler: sunionstore,
        summary: "Add multiple sets and store the resulting set in a key",
        complexity: UNION_COMPLEXITY,
        syntax: "destination key [key ...]",
        ..STORE_ROW
    },
    CommandDef {
        name: "sdiff",
        handler: sdiff,
        summary: "Subtract multiple sets",
        complexity: UNION_COMPLEXITY,
        syntax: "key [key ...]",
        ..MULTI_ROW
    },
    CommandDef {
        name: "sdiffstore",
        handler: sdiffstore,
        summary: "Subtract multiple sets and store the resulting set in a key",
        complexity: UNION_COMPLEXITY,
        syntax: "destination key [key ...]",
        ..STORE_ROW
    },
    CommandDef {
        name: "sscan",
        handler: sscan,
        arity: -3,
        flags: flags::READONLY,
        acl: &["@read", "@set"],
        since: "2.8.0",
        summary: "Incrementally iterate Set elements",
        complexity: "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..",
        syntax: "key cursor [MATCH pattern] [COUNT count]",
        ..SET_ROW
    },
];

fn max_intset(st: &State) -> usize {
    st.cfg.set_max_intset_entries
}

/// lookupKeyRead + checkType: None when missing (counted as a miss).
fn read_set<'a>(
    st: &'a mut State,
    db: usize,
    key: &[u8],
    now: i64,
) -> Result<Option<&'a mut Set>, CommandError> {
    match st.ks.read(db, key, now) {
        None => Ok(None),
        Some(Entry { value: Value::Set(s), .. }) => Ok(Some(s)),
        Some(_) => Err(WRONGTYPE),
    }
}

/// lookupKeyWrite + checkType.
fn write_set<'a>(
    st: &'a mut State,
    db: usize,
    key: &[u8],
    now: i64,
) -> Result<Option<&'a mut Set>, CommandError> {
    match st.ks.get(db, key, now) {
        None => Ok(None),
        Some(Entry { value: Value::Set(s), .. }) => Ok(Some(s)),
        Some(_) => Err(WRONGTYPE),
    }
}

/// The set stored at `key` once it is known to exist (after a lookup that expired it).
fn stored_set<'a>(st: &'a mut State, db: usize, key: &[u8]) -> Option<&'a mut Set> {
    match st.ks.dbs[db].dict.get_mut(key) {
        Some(Entry { value: Value::Set(s), .. }) => Some(s),
        _ => None,
    }
}

fn sadd(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (db, now, key) = (ctx.db(), ctx.now_ms, args.get(1));
    let max = max_intset(ctx.st);
    let lru = new_lru(ctx);
    let (e, new) = ctx.st.ks.entry(db, key, now, lru);
    if new {
        e.value = Value::Set(Box::new(Set::for_member(args.get(2))));
    }
    let Value::Set(set) = &mut e.value else { return Err(WRONGTYPE) };
    let added = args.rest(2).filter(|m| set.add(m, max)).count();
    if added > 0 {
        ctx.modified(db, key);
        ctx.st.dirty += added as u64 - 1;
        ctx.notify(notify::SET, "sadd", db, key);
    }
    ctx.reply().int(added as i64);
    Ok(())
}

fn srem(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (db, now, key) = (ctx.db(), ctx.now_ms, args.get(1));
    let Some(set) = write_set(ctx.st, db, key, now)? else {
        ctx.reply().int(0);
        return Ok(());
    };
    let (mut deleted, mut emptied) = (0, false);
    for m in args.rest(2) {
        if set.remove(m) {
            deleted += 1;
            if set.is_empty() {
                emptied = true;
                break;
            }
        }
    }
    if deleted > 0 {
        ctx.st.dirty += deleted as u64 - 1;
        ctx.removed_elements(db, key, emptied, notify::SET, "srem");
    }
    ctx.reply().int(deleted);
    Ok(())
}

/// A whole set as a set reply, in encoding order.
fn reply_members(r: &mut Reply, set: &Set) {
    r.set(set.len());
    for m in set.iter() {
        r.bulk(m.as_bytes());
    }
}

fn smembers(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (db, now) = (ctx.db(), ctx.now_ms);
    let (st, mut r) = ctx.parts();
    match read_set(st, db, args.get(1), now)? {
        Some(set) => reply_members(&mut r, set),
        None => r.set(0),
    }
    Ok(())
}

fn sismember(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (db, now) = (ctx.db(), ctx.now_ms);
    let found = read_set(ctx.st, db, args.get(1), now)?.is_some_and(|s| s.contains(args.get(2)));
    ctx.reply().int(i64::from(found));
    Ok(())
}

fn smismember(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (db, now) = (ctx.db(), ctx.now_ms);
    let (st, mut r) = ctx.parts();
    let set = read_set(st, db, args.get(1), now)?;
    r.array(args.len() - 2);
    for m in args.rest(2) {
        r.int(i64::from(set.as_ref().is_some_and(|s| s.contains(m))));
    }
    Ok(())
}

fn scard(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (db, now) = (ctx.db(), ctx.now_ms);
    let n = read_set(ctx.st, db, args.get(1), now)?.map_or(0, |s| s.len());
    ctx.reply().int(n as i64);
    Ok(())
}

fn spop(ctx: &mut Ctx, args: &Args) -> CmdResult {
    match args.len() {
        2 => {}
        3 => return spop_count(ctx, args),
        _ => return Err(SYNTAX),
    }
    let (db, now, key) = (ctx.db(), ctx.now_ms, args.get(1));
    let Some(set) = write_set(ctx.st, db, key, now)? else {
        ctx.reply().null();
        return Ok(());
    };
    // Seeding costs more than the pop itself: only when there is something to pop.
    let mut rnd = rng();
    let Some(m) = set.pop_random(&mut rnd) else {
        ctx.reply().null();
        return Ok(());
    };
    let emptied = set.is_empty();
    ctx.notify(notify::SET, "spop", db, key);
    ctx.reply().bulk(&m);
    if emptied {
        ctx.st.ks.delete(db, key);
        ctx.notify(notify::GENERIC, "del", db, key);
    }
    ctx.modified(db, key);
    Ok(())
}

/// SPOP's count strategies: pop one by one while what remains is large; otherwise keep a
/// random remainder in a new set and hand out the old one (Redis's SPOP_MOVE_STRATEGY_MUL).
const SPOP_MOVE_STRATEGY_MUL: u64 = 5;

fn spop_count(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let count = positive_count(args.get(2))?;
    let (db, now, key) = (ctx.db(), ctx.now_ms, args.get(1));
    let max = max_intset(ctx.st);
    let mut rnd = rng();
    let Some(set) = write_set(ctx.st, db, key, now)? else {
        ctx.reply().set(0);
        return Ok(());
    };
    if count == 0 {
        ctx.reply().set(0);
        return Ok(());
    }
    let size = set.len() as u64;
    let mut r = Reply::new(&mut ctx.client.wbuf, ctx.client.resp3);
    if count >= size {
        // The whole set goes, in the order SUNION of it would give.
        reply_members(&mut r, &union_of(&[Some(&*set)], max));
        ctx.st.ks.delete(db, key);
        ctx.notify(notify::SET, "spop", db, key);
        ctx.notify(notify::GENERIC, "del", db, key);
        ctx.modified(db, key);
        ctx.st.dirty += size - 1;
        return Ok(());
    }
    r.set(count as usize);
    let remaining = size - count;
    if remaining * SPOP_MOVE_STRATEGY_MUL > count {
        for _ in 0..count {
            if let Some(m) = set.pop_random(&mut rnd) {
                r.bulk(&m);
            }
        }
    } else {
        let mut kept: Option<Set> = None;
        for _ in 0..remaining {
            if let Some(m) = set.pop_random(&mut rnd) {
                kept.get_or_insert_with(|| Set::for_member(&m)).add(&m, max);
            }
        }
        for m in set.iter() {
            r.bulk(m.as_bytes());
        }
        if let Some(kept) = kept {
            *set = kept;
        }
    }
    ctx.notify(notify::SET, "spop", db, key);
    ctx.modified(db, key);
    ctx.st.dirty += count - 1;
    Ok(())
}

fn srandmember(ctx: &mut Ctx, args: &Args) -> CmdResult {
    match args.len() {
        2 => {}
        3 => return srandmember_count(ctx, args),
        _ => return Err(SYNTAX),
    }
    let (db, now) = (ctx.db(), ctx.now_ms);
    let mut rnd = rng();
    let (st, mut r) = ctx.parts();
    match read_set(st, db, args.get(1), now)?.and_then(|s| s.random(&mut rnd)) {
        Some(m) => r.bulk(m.as_bytes()),
        None => r.null(),
    }
    Ok(())
}

/// SRANDMEMBER strategies: copy-and-remove when the count is close to the size (Redis's
/// SRANDMEMBER_SUB_STRATEGY_MUL), random draws into a seen-set otherwise.
const SRANDMEMBER_SUB_STRATEGY_MUL: usize = 3;

fn srandmember_count(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let count = rand_count(args.get(2))?;
    let (db, now) = (ctx.db(), ctx.now_ms);
    let cap = reply_cap(ctx.st);
    let mut rnd = rng();
    let resp3 = ctx.client.resp3;
    let Some(set) = read_set(ctx.st, db, args.get(1), now)? else {
        ctx.reply().array(0);
        return Ok(());
    };
    let set: &Set = set;
    let (n, unique) = (count.unsigned_abs(), count >= 0);
    let size = set.len();
    let mut r = Reply::new(&mut ctx.client.wbuf, resp3);
    if n == 0 || size == 0 {
        r.array(0);
        return Ok(());
    }
    if !unique || n == 1 {
        r.array(n as usize);
        for _ in 0..n {
            if let Some(m) = set.random(&mut rnd) {
                r.bulk(m.as_bytes());
            }
            if r.buf.len() > cap {
                ctx.client.close_asap = true;
                break;
            }
        }
        return Ok(());
    }
    if n >= size as u64 {
        r.array(size);
        for m in set.iter() {
            r.bulk(m.as_bytes());
        }
        return Ok(());
    }
    let n = n as usize;
    let mut out: Vec<StrRef> = Vec::with_capacity(n);
    if n * SRANDMEMBER_SUB_STRATEGY_MUL > size {
        out.extend(set.iter());
        while out.len() > n {
            let i = (rnd() % out.len() as u64) as usize;
            out.swap_remove(i);
        }
    } else {
        let mut seen: AHashSet<Vec<u8>> = AHashSet::with_capacity(n);
        while out.len() < n {
            if let Some(m) = set.random(&mut rnd) {
                if seen.insert(m.as_bytes().to_vec()) {
                    out.push(m);
                }
            }
        }
    }
    r.array(n);
    for m in &out {
        r.bulk(m.as_bytes());
    }
    Ok(())
}

fn smove(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (db, now) = (ctx.db(), ctx.now_ms);
    let (src, dst, m) = (args.get(1), args.get(2), args.get(3));
    let max = max_intset(ctx.st);
    // Both keys are looked up first (which expires them), then type-checked in order.
    let src_kind = ctx.st.ks.get(db, src, now).map(|e| matches!(e.value, Value::Set(_)));
    let dst_kind = ctx.st.ks.get(db, dst, now).map(|e| matches!(e.value, Value::Set(_)));
    let Some(src_is_set) = src_kind else {
        ctx.reply().int(0);
        return Ok(());
    };
    if !src_is_set || dst_kind == Some(false) {
        return Err(WRONGTYPE);
    }
    let Some(set) = stored_set(ctx.st, db, src) else { return Err(WRONGTYPE) };
    if src == dst {
        let found = set.contains(m);
        ctx.reply().int(i64::from(found));
        return Ok(());
    }
    if !set.remove(m) {
        ctx.reply().int(0);
        return Ok(());
    }
    let emptied = set.is_empty();
    ctx.notify(notify::SET, "srem", db, src);
    if emptied {
        ctx.st.ks.delete(db, src);
        ctx.notify(notify::GENERIC, "del", db, src);
    }
    if dst_kind.is_none() {
        let lru = new_lru(ctx);
        ctx.st.ks.set(db, dst, Value::Set(Box::new(Set::for_member(m))), 0, lru);
    }
    ctx.modified(db, src);
    let added = stored_set(ctx.st, db, dst).is_some_and(|d| d.add(m, max));
    if added {
        ctx.modified(db, dst);
        ctx.notify(notify::SET, "sadd", db, dst);
    }
    ctx.reply().int(1);
    Ok(())
}

/// lookupKeyRead of every key in order (expiring and counting them), failing at the first
/// that is not a set; then the sets themselves, None for missing keys.
fn gather<'a>(
    st: &'a mut State,
    db: usize,
    keys: &[&[u8]],
    now: i64,
) -> Result<Vec<Option<&'a Set>>, CommandError> {
    for k in keys {
        read_set(st, db, k, now)?;
    }
    let st: &'a State = st;
    Ok(keys
        .iter()
        .map(|k| match st.ks.dbs[db].dict.get(k) {
            Some(Entry { value: Value::Set(s), .. }) => Some(&**s),
            _ => None,
        })
        .collect())
}

/// Store a computed set at `dst` (SINTERSTORE/SUNIONSTORE/SDIFFSTORE): an empty result
/// deletes the destination instead.
fn store_result(ctx: &mut Ctx, dst: &[u8], set: Set, event: &'static str) {
    let db = ctx.db();
    if set.is_empty() {
        ctx.reply().int(0);
        if ctx.st.ks.delete(db, dst) {
            ctx.modified(db, dst);
            ctx.notify(notify::GENERIC, "del", db, dst);
        }
        return;
    }
    let n = set.len();
    let lru = new_lru(ctx);
    ctx.st.ks.set(db, dst, Value::Set(Box::new(set)), 0, lru);
    ctx.reply().int(n as i64);
    ctx.notify(notify::SET, event, db, dst);
    ctx.modified(db, dst);
}

enum InterOut<'k> {
    Reply,
    Store(&'k [u8]),
    Card(u64),
}

fn sinter(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let keys: Vec<&[u8]> = args.rest(1).collect();
    sinter_generic(ctx, &keys, InterOut::Reply)
}

fn sinterstore(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let keys: Vec<&[u8]> = args.rest(2).collect();
    sinter_generic(ctx, &keys, InterOut::Store(args.get(1)))
}

fn sintercard(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let numkeys = crate::util::num::parse_i64(args.get(1))
        .filter(|&n| n >= 1)
        .ok_or(CommandError::stat("ERR numkeys should be greater than 0"))?;
    if numkeys > args.len() as i64 - 2 {
        return Err(CommandError::stat("ERR Number of keys can't be greater than number of args"));
    }
    let numkeys = numkeys as usize;
    let mut limit = 0u64;
    let mut j = 2 + numkeys;
    while j < args.len() {
        if args.is(j, "limit") && j + 1 < args.len() {
            limit = crate::util::num::parse_i64(args.get(j + 1))
                .and_then(|l| u64::try_from(l).ok())
                .ok_or(CommandError::stat("ERR LIMIT can't be negative"))?;
            j += 2;
        } else {
            return Err(SYNTAX);
        }
    }
    let keys: Vec<&[u8]> = (2..2 + numkeys).map(|i| args.get(i)).collect();
    sinter_generic(ctx, &keys, InterOut::Card(limit))
}

fn sinter_generic(ctx: &mut Ctx, keys: &[&[u8]], out: InterOut) -> CmdResult {
    let (db, now) = (ctx.db(), ctx.now_ms);
    let max = max_intset(ctx.st);
    let resp3 = ctx.client.resp3;
    let found = gather(ctx.st, db, keys, now)?;
    let Some(mut sets) = found.into_iter().collect::<Option<Vec<&Set>>>() else {
        // Intersection with a missing (empty) set is empty.
        match out {
            InterOut::Store(dst) => store_result(ctx, dst, Set::new(), "sinterstore"),
            InterOut::Card(_) => ctx.reply().int(0),
            InterOut::Reply => ctx.reply().set(0),
        }
        return Ok(());
    };
    sets.sort_by_key(|s| s.len());
    let first = sets[0];
    let others = &sets[1..];
    let in_all = |m: &[u8]| others.iter().all(|s| ptr::eq(*s, first) || s.contains(m));
    match out {
        InterOut::Reply => {
            let mut r = Reply::new(&mut ctx.client.wbuf, resp3);
            let d = r.deferred(b'~');
            let mut n = 0;
            for m in first.iter() {
                if in_all(m.as_bytes()) {
                    r.bulk(m.as_bytes());
                    n += 1;
                }
            }
            r.set_deferred(d, n);
        }
        InterOut::Card(limit) => {
            let mut n = 0u64;
            for m in first.iter() {
                if in_all(m.as_bytes()) {
                    n += 1;
                    if limit != 0 && n >= limit {
                        break;
                    }
                }
            }
            ctx.reply().int(n as i64);
        }
        InterOut::Store(dst) => {
            let mut result = Set::new();
            for m in first.iter() {
                if in_all(m.as_bytes()) {
                    result.add(m.as_bytes(), max);
                }
            }
            store_result(ctx, dst, result, "sinterstore");
        }
    }
    Ok(())
}

/// The union of `sets` built as Redis builds it (an intset first, converting as members
/// come), which decides both its encoding and its order.
fn union_of(sets: &[Option<&Set>], max: usize) -> Set {
    let mut out = Set::new();
    for s in sets.iter().flatten() {
        for m in s.iter() {
            out.add(m.as_bytes(), max);
        }
    }
    out
}

/// SDIFF as Redis computes it, including its choice of algorithm, since that choice decides
/// the result's encoding: (1) keep members of the first set found in no other, or (2) add
/// the first set and remove every other.
fn diff_of(mut sets: Vec<Option<&Set>>, max: usize) -> Set {
    let mut out = Set::new();
    let Some(first) = sets[0] else { return out };
    if sets[1..].iter().any(|s| s.is_some_and(|s| ptr::eq(s, first))) {
        return out;
    }
    let (mut one, mut two) = (0u64, 0u64);
    for s in sets.iter().flatten() {
        one += first.len() as u64;
        two += s.len() as u64;
    }
    if one / 2 <= two {
        // Bigger sets first: they are likelier to rule a member out early.
        sets[1..].sort_by_key(|s| std::cmp::Reverse(s.map_or(0, |s| s.len())));
        for m in first.iter() {
            if !sets[1..].iter().flatten().any(|s| s.contains(m.as_bytes())) {
                out.add(m.as_bytes(), max);
            }
        }
    } else {
        for m in first.iter() {
            out.add(m.as_bytes(), max);
        }
        for s in sets[1..].iter().flatten() {
            if out.is_empty() {
                break;
            }
            for m in s.iter() {
                out.remove(m.as_bytes());
            }
        }
    }
    out
}

#[derive(Clone, Copy, PartialEq)]
enum SetOp {
    Union,
    Diff,
}

fn sunion_diff(ctx: &mut Ctx, keys: &[&[u8]], dst: Option<&[u8]>, op: SetOp) -> CmdResult {
    let (db, now) = (ctx.db(), ctx.now_ms);
    let max = max_intset(ctx.st);
    let sets = gather(ctx.st, db, keys, now)?;
    let result = match op {
        SetOp::Union => union_of(&sets, max),
        SetOp::Diff => diff_of(sets, max),
    };
    match dst {
        None => reply_members(&mut ctx.reply(), &result),
        Some(dst) => {
            let event = if op == SetOp::Union { "sunionstore" } else { "sdiffstore" };
            store_result(ctx, dst, result, event);
        }
    }
    Ok(())
}

fn sunion(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let keys: Vec<&[u8]> = args.rest(1).collect();
    sunion_diff(ctx, &keys, None, SetOp::Union)
}

fn sunionstore(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let keys: Vec<&[u8]> = args.rest(2).collect();
    sunion_diff(ctx, &keys, Some(args.get(1)), SetOp::Union)
}

fn sdiff(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let keys: Vec<&[u8]> = args.rest(1).collect();
    sunion_diff(ctx, &keys, None, SetOp::Diff)
}

fn sdiffstore(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let keys: Vec<&[u8]> = args.rest(2).collect();
    sunion_diff(ctx, &keys, Some(args.get(1)), SetOp::Diff)
}

fn sscan(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let mut cursor = parse_cursor(args.get(2))?;
    let (db, now) = (ctx.db(), ctx.now_ms);
    let (st, mut r) = ctx.parts();
    let Some(set) = read_set(st, db, args.get(1), now)? else {
        empty_scan(&mut r);
        return Ok(());
    };
    let set: &Set = set;
    let opts = scan_opts(args, 3)?;
    let mut found: Vec<StrRef> = Vec::new();
    if !set.is_table() {
        cursor = set.scan(cursor, |m| found.push(m));
    } else {
        let mut budget = opts.count.saturating_mul(10);
        loop {
            cursor = set.scan(cursor, |m| found.push(m));
            if cursor == 0 || budget == 0 || found.len() >= opts.count {
                break;
            }
            budget -= 1;
        }
    }
    let items: Vec<&[u8]> =
        found.iter().map(StrRef::as_bytes).filter(|m| opts.matches(m)).collect();
    scan_reply(&mut r, cursor, &items);
    Ok(())
}
