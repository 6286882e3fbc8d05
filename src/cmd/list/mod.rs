//! Command family: lists — LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LLEN LRANGE LINDEX LSET
//! LINSERT LREM LTRIM LPOS LMOVE RPOPLPUSH LMPOP, and the blocking BLPOP BRPOP BLMOVE
//! BRPOPLPUSH BLMPOP (`blocking.rs`, on the machinery of `crate::blocking`).
//!
//! Argument checks run in Redis 7.0's order (t_list.c), which decides which error a
//! doubly-wrong call gets; keyspace events are Redis's, including `del` when a list empties.

mod blocking;

use super::args::Args;
use super::table::{flags, CommandDef, Handler};
use super::{arity_text, notify, Ctx};
use crate::db::list::{Elem, List, Probe};
use crate::db::Value;
use crate::error::{CmdResult, CommandError, NO_SUCH_KEY, OUT_OF_RANGE, SYNTAX, WRONGTYPE};
use crate::resp::reply::Reply;

pub use blocking::CLIENT_UNBLOCK;

#[allow(clippy::too_many_arguments)]
const fn row(
    name: &'static str,
    handler: Handler,
    arity: i32,
    fl: u32,
    read: bool,
    last_key: i32,
    since: &'static str,
    summary: &'static str,
    complexity: &'static str,
    syntax: &'static str,
) -> CommandDef {
    CommandDef {
        name,
        handler,
        arity,
        flags: fl,
        acl: if read { &["@read", "@list"] } else { &["@write", "@list"] },
        first_key: 1,
        last_key,
        step: 1,
        group: "list",
        since,
        summary,
        complexity,
        syntax,
        ..CommandDef::DEFAULT
    }
}

const W: u32 = flags::WRITE;
const R: u32 = flags::READONLY;
const DO: u32 = flags::DENYOOM;
const F: u32 = flags::FAST;
const PUSH_COMPLEXITY: &str = "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.";

pub const COMMANDS: &[CommandDef] = &[
    row("lpush", lpush, -3, W | DO | F, false, 1, "1.0.0", "Prepend one or multiple elements to a list", PUSH_COMPLEXITY, "key element [element ...]"),
    row("rpush", rpush, -3, W | DO | F, false, 1, "1.0.0", "Append one or multiple elements to a list", PUSH_COMPLEXITY, "key element [element ...]"),
    row("lpushx", lpushx, -3, W | DO | F, false, 1, "2.2.0", "Prepend an element to a list, only if the list exists", PUSH_COMPLEXITY, "key element [element ...]"),
    row("rpushx", rpushx, -3, W | DO | F, false, 1, "2.2.0", "Append an element to a list, only if the list exists", PUSH_COMPLEXITY, "key element [element ...]"),
    row("lpop", lpop, -2, W | F, false, 1, "1.0.0", "Remove and get the first elements in a list", "O(N) where N is the number of elements returned", "key [count]"),
    row("rpop", rpop, -2, W | F, false, 1, "1.0.0", "Remove and get the last elements in a list", "O(N) where N is the number of elements returned", "key [count]"),
    row("llen", llen, 2, R | F, true, 1, "1.0.0", "Get the length of a list", "O(1)", "key"),
    row("lrange", lrange, 4, R, true, 1, "1.0.0", "Get a range of elements from a list", "O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.", "key start stop"),
    row("lindex", lindex, 3, R, true, 1, "1.0.0", "Get an element from a list by its index", "O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1).", "key index"),
    row("lset", lset, 4, W | DO, false, 1, "1.0.0", "Set the value of an element in a list by its index", "O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1).", "key index element"),
    row("linsert", linsert, 5, W | DO, false, 1, "2.2.0", "Insert an element before or after another element in a list", "O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N).", "key BEFORE | AFTER pivot element"),
    row("lrem", lrem, 4, W, false, 1, "1.0.0", "Remove elements from a list", "O(N+M) where N is the length of the list and M is the number of elements removed.", "key count element"),
    row("ltrim", ltrim, 4, W, false, 1, "1.0.0", "Trim a list to the specified range", "O(N) where N is the number of elements to be removed by the operation.", "key start stop"),
    row("lpos", lpos, -3, R, true, 1, "6.0.6", "Return the index of matching elements on a list", "O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time.", "key element [RANK rank] [COUNT num-matches] [MAXLEN len]"),
    row("lmove", lmove, 5, W | DO, false, 2, "6.2.0", "Pop an element from a list, push it to another list and return it", "O(1)", "source destination LEFT | RIGHT LEFT | RIGHT"),
    row("rpoplpush", rpoplpush, 3, W | DO, false, 2, "1.2.0", "Remove the last element in a list, prepend it to another list and return it", "O(1)", "source destination"),
    CommandDef {
        first_key: 0,
        last_key: 0,
        step: 0,
        getkeys: Some(super::table::numkeys_at1),
        ..row("lmpop", lmpop, -4, W | flags::MOVABLE_KEYS, false, 0, "7.0.0", "Pop elements from a list", "O(N+M) where N is the number of provided keys and M is the number of elements returned.", "numkeys key [key ...] LEFT | RIGHT [COUNT count]")
    },
    blocking::BLPOP,
    blocking::BRPOP,
    blocking::BLMOVE,
    blocking::BRPOPLPUSH,
    blocking::BLMPOP,
];

/// Append an element as a bulk string (integers are stored as integers).
#[inline]
fn bulk_elem(r: &mut Reply, e: Elem) {
    let mut buf = [0u8; 20];
    r.bulk(e.as_bytes(&mut buf));
}

/// A new list with the server's settings.
fn new_list(ctx: &Ctx) -> List {
    let mut l = List::with_config(&ctx.st.cfg);
    l.set_packed_threshold(ctx.st.ks.list_packed_threshold);
    l
}

/// `Some(list)` for a list key, None when missing, WRONGTYPE otherwise (lookupKeyWrite).
/// The list gets the server's packed threshold for the inserts that follow.
fn list_mut<'a>(ctx: &'a mut Ctx, key: &[u8]) -> Result<Option<&'a mut List>, CommandError> {
    let (db, now) = (ctx.db(), ctx.now_ms);
    let threshold = ctx.st.ks.list_packed_threshold;
    match ctx.st.ks.get(db, key, now) {
        None => Ok(None),
        Some(e) => match &mut e.value {
            Value::List(l) => {
                l.set_packed_threshold(threshold);
                Ok(Some(l))
            }
            _ => Err(WRONGTYPE),
        },
    }
}

/// Like `list_mut` but counting keyspace hits and misses (lookupKeyRead).
fn list_read<'a>(ctx: &'a mut Ctx, key: &[u8]) -> Result<Option<&'a mut List>, CommandError> {
    let (db, now) = (ctx.db(), ctx.now_ms);
    match ctx.st.ks.read(db, key, now) {
        None => Ok(None),
        Some(e) => match &mut e.value {
            Value::List(l) => Ok(Some(l)),
            _ => Err(WRONGTYPE),
        },
    }
}

/// LEFT/RIGHT (getListPositionFromObjectOrReply): true for LEFT (the head).
fn parse_side(a: &[u8]) -> Result<bool, CommandError> {
    if a.eq_ignore_ascii_case(b"left") {
        Ok(true)
    } else if a.eq_ignore_ascii_case(b"right") {
        Ok(false)
    } else {
        Err(SYNTAX)
    }
}

fn pop_event(left: bool) -> &'static str {
    if left {
        "lpop"
    } else {
        "rpop"
    }
}

fn push_event(left: bool) -> &'static str {
    if left {
        "lpush"
    } else {
        "rpush"
    }
}

/// After elements were popped from `key`: the pop event, `del` if the list is now empty
/// (and the key removed), and the modified signal (Redis's listElementsRemoved).
fn elements_removed(ctx: &mut Ctx, key: &[u8], left: bool, empty: bool) {
    let db = ctx.db();
    ctx.notify(notify::LIST, pop_event(left), db, key);
    if empty {
        ctx.st.ks.delete(db, key);
        ctx.notify(notify::GENERIC, "del", db, key);
    }
    ctx.modified(db, key);
}

fn push_generic(ctx: &mut Ctx, args: &Args, left: bool, only_existing: bool) -> CmdResult {
    let key = args.get(1);
    let db = ctx.db();
    let lru = ctx.lru();
    let n = match list_mut(ctx, key)? {
        Some(l) => {
            for v in args.rest(2) {
                if left {
                    l.push_front(v);
                } else {
                    l.push_back(v);
                }
            }
            l.len()
        }
        None if only_existing => {
            ctx.reply().int(0);
            return Ok(());
        }
        None => {
            let mut l = new_list(ctx);
            for v in args.rest(2) {
                if left {
                    l.push_front(v);
                } else {
                    l.push_back(v);
                }
            }
            let n = l.len();
            ctx.st.ks.set(db, key, Value::List(Box::new(l)), 0, lru);
            n
        }
    };
    ctx.reply().int(n as i64);
    ctx.modified(db, key);
    ctx.st.dirty += (args.len() - 3) as u64;
    ctx.notify(notify::LIST, push_event(left), db, key);
    Ok(())
}

fn lpush(ctx: &mut Ctx, args: &Args) -> CmdResult {
    push_generic(ctx, args, true, false)
}

fn rpush(ctx: &mut Ctx, args: &Args) -> CmdResult {
    push_generic(ctx, args, false, false)
}

fn lpushx(ctx: &mut Ctx, args: &Args) -> CmdResult {
    push_generic(ctx, args, true, true)
}

fn rpushx(ctx: &mut Ctx, args: &Args) -> CmdResult {
    push_generic(ctx, args, false, true)
}

/// Pop up to `count` elements from one end, replying each as a bulk string; returns
/// whether the list is now empty.
fn pop_into(l: &mut List, r: &mut Reply, left: bool, count: usize) -> bool {
    for _ in 0..count {
        let got = if left {
            l.pop_front_with(|e| bulk_elem(r, e))
        } else {
            l.pop_back_with(|e| bulk_elem(r, e))
        };
        if got.is_none() {
            break;
        }
    }
    l.is_empty()
}

fn pop_generic(ctx: &mut Ctx, args: &Args, left: bool) -> CmdResult {
    if args.len() > 3 {
        return Err(CommandError::msg(arity_text(if left { "lpop" } else { "rpop" })));
    }
    let has_count = args.len() == 3;
    let mut count = 0usize;
    if has_count {
        match crate::util::num::parse_i64(args.get(2)) {
            Some(c) if c >= 0 => count = c as usize,
            _ => return Err(CommandError::stat("ERR value is out of range, must be positive")),
        }
    }
    let key = args.get(1);
    let (db, now) = (ctx.db(), ctx.now_ms);
    let (st, mut r) = ctx.parts();
    let Some(e) = st.ks.get(db, key, now) else {
        if has_count {
            r.null_array();
        } else {
            r.null();
        }
        return Ok(());
    };
    let Value::List(l) = &mut e.value else { return Err(WRONGTYPE) };
    if has_count && count == 0 {
        r.array(0);
        return Ok(());
    }
    let empty = if has_count {
        r.array(count.min(l.len()));
        pop_into(l, &mut r, left, count)
    } else {
        pop_into(l, &mut r, left, 1)
    };
    elements_removed(ctx, key, left, empty);
    Ok(())
}

fn lpop(ctx: &mut Ctx, args: &Args) -> CmdResult {
    pop_generic(ctx, args, true)
}

fn rpop(ctx: &mut Ctx, args: &Args) -> CmdResult {
    pop_generic(ctx, args, false)
}

fn llen(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let n = list_read(ctx, args.get(1))?.map_or(0, |l| l.len());
    ctx.reply().int(n as i64);
    Ok(())
}

fn lrange(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let mut start = args.i64(2)?;
    let mut end = args.i64(3)?;
    let key = args.get(1);
    let (db, now) = (ctx.db(), ctx.now_ms);
    let (st, mut r) = ctx.parts();
    let Some(e) = st.ks.read(db, key, now) else {
        r.array(0);
        return Ok(());
    };
    let Value::List(l) = &e.value else { return Err(WRONGTYPE) };
    let llen = l.len() as i64;
    if start < 0 {
        start += llen;
    }
    if end < 0 {
        end += llen;
    }
    if start < 0 {
        start = 0;
    }
    if start > end || start >= llen {
        r.array(0);
        return Ok(());
    }
    if end >= llen {
        end = llen - 1;
    }
    let n = (end - start + 1) as usize;
    r.array(n);
    let mut left = n;
    l.visit_from(start as usize, |e| {
        bulk_elem(&mut r, e);
        left -= 1;
        left > 0
    });
    Ok(())
}

fn lindex(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let key = args.get(1);
    let (db, now) = (ctx.db(), ctx.now_ms);
    let (st, mut r) = ctx.parts();
    let Some(e) = st.ks.read(db, key, now) else {
        r.null();
        return Ok(());
    };
    let Value::List(l) = &e.value else { return Err(WRONGTYPE) };
    let idx = args.i64(2)?;
    if l.get_with(idx, |e| bulk_elem(&mut r, e)).is_none() {
        r.null();
    }
    Ok(())
}

fn lset(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let key = args.get(1);
    let Some(l) = list_mut(ctx, key)? else { return Err(NO_SUCH_KEY) };
    let idx = args.i64(2)?;
    if !l.set(idx, args.get(3)) {
        return Err(OUT_OF_RANGE);
    }
    ctx.reply().ok();
    let db = ctx.db();
    ctx.modified(db, key);
    ctx.notify(notify::LIST, "lset", db, key);
    Ok(())
}

fn linsert(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let after = if args.is(2, "after") {
        true
    } else if args.is(2, "before") {
        false
    } else {
        return Err(SYNTAX);
    };
    let key = args.get(1);
    let Some(l) = list_mut(ctx, key)? else {
        ctx.reply().int(0);
        return Ok(());
    };
    if !l.insert_by_pivot(args.get(3), args.get(4), after) {
        ctx.reply().int(-1);
        return Ok(());
    }
    let n = l.len();
    let db = ctx.db();
    ctx.modified(db, key);
    ctx.notify(notify::LIST, "linsert", db, key);
    ctx.reply().int(n as i64);
    Ok(())
}

fn lrem(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let count = args.i64(2)?;
    let key = args.get(1);
    let Some(l) = list_mut(ctx, key)? else {
        ctx.reply().int(0);
        return Ok(());
    };
    let removed = l.remove_matching(args.get(3), count);
    let empty = l.is_empty();
    let db = ctx.db();
    if removed > 0 {
        ctx.modified(db, key);
        ctx.st.dirty += removed as u64 - 1;
        ctx.notify(notify::LIST, "lrem", db, key);
    }
    if empty {
        ctx.st.ks.delete(db, key);
        ctx.notify(notify::GENERIC, "del", db, key);
    }
    ctx.reply().int(removed as i64);
    Ok(())
}

fn ltrim(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let mut start = args.i64(2)?;
    let mut end = args.i64(3)?;
    let key = args.get(1);
    let Some(l) = list_mut(ctx, key)? else {
        ctx.reply().ok();
        return Ok(());
    };
    let llen = l.len() as i64;
    if start < 0 {
        start += llen;
    }
    if end < 0 {
        end += llen;
    }
    if start < 0 {
        start = 0;
    }
    let removed;
    if start > end || start >= llen {
        removed = llen;
        l.retain_range(0, 0);
    } else {
        if end >= llen {
            end = llen - 1;
        }
        removed = llen - (end - start + 1);
        l.retain_range(start as usize, end as usize + 1);
    }
    let empty = l.is_empty();
    let db = ctx.db();
    ctx.notify(notify::LIST, "ltrim", db, key);
    if empty {
        ctx.st.ks.delete(db, key);
        ctx.notify(notify::GENERIC, "del", db, key);
    }
    ctx.modified(db, key);
    ctx.st.dirty += (removed as u64).saturating_sub(1);
    ctx.reply().ok();
    Ok(())
}

fn lpos(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let mut rank: i64 = 1;
    let mut count: i64 = -1;
    let mut maxlen: i64 = 0;
    let mut j = 3;
    while j < args.len() {
        let more = j + 1 < args.len();
        if args.is(j, "rank") && more {
            j += 1;
            rank = args.i64(j)?;
            if rank == 0 {
                return Err(CommandError::stat("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"));
            }
        } else if args.is(j, "count") && more {
            j += 1;
            count = match crate::util::num::parse_i64(args.get(j)) {
                Some(c) if c >= 0 => c,
                _ => return Err(CommandError::stat("ERR COUNT can't be negative")),
            };
        } else if args.is(j, "maxlen") && more {
            j += 1;
            maxlen = match crate::util::num::parse_i64(args.get(j)) {
                Some(c) if c >= 0 => c,
                _ => return Err(CommandError::stat("ERR MAXLEN can't be negative")),
            };
        } else {
            return Err(SYNTAX);
        }
        j += 1;
    }
    // Redis negates in a C long: RANK -9223372036854775808 stays negative and so
    // accepts the first match from the tail; wrapping arithmetic keeps that.
    let from_tail = rank < 0;
    if from_tail {
        rank = rank.wrapping_neg();
    }
    let (db, now) = (ctx.db(), ctx.now_ms);
    let (st, mut r) = ctx.parts();
    let Some(e) = st.ks.read(db, args.get(1), now) else {
        if count != -1 {
            r.array(0);
        } else {
            r.null();
        }
        return Ok(());
    };
    let Value::List(l) = &e.value else { return Err(WRONGTYPE) };
    let probe = Probe::new(args.get(2));
    let llen = l.len() as i64;
    let mut hits: Vec<i64> = Vec::new();
    let mut found: Option<i64> = None;
    let mut matches: i64 = 0;
    let mut scan = |idx: i64, e: Elem| -> bool {
        if maxlen != 0 && idx >= maxlen {
            return false;
        }
        if e.matches(&probe) {
            matches += 1;
            let at = if from_tail { llen - idx - 1 } else { idx };
            if matches >= rank {
                if count == -1 {
                    found = Some(at);
                    return false;
                }
                hits.push(at);
                if count != 0 && matches.wrapping_sub(rank).wrapping_add(1) >= count {
                    return false;
                }
            }
        }
        true
    };
    let mut i: i64 = 0;
    let mut step = |e: Elem| {
        let go = scan(i, e);
        i += 1;
        go
    };
    if from_tail {
        l.visit_rev(&mut step);
    } else {
        l.visit_from(0, &mut step);
    }
    if count != -1 {
        r.array(hits.len());
        for h in hits {
            r.int(h);
        }
    } else {
        match found {
            Some(i) => r.int(i),
            None => r.null(),
        }
    }
    Ok(())
}

/// LMOVE's work once the source is known to hold elements (lmoveGenericCommand): checks
/// the destination's type, moves one element, replies it.
fn move_generic(
    ctx: &mut Ctx,
    src: &[u8],
    dst: &[u8],
    from_left: bool,
    to_left: bool,
) -> CmdResult {
    let (db, now, lru) = (ctx.db(), ctx.now_ms, ctx.lru());
    if list_mut(ctx, src)?.is_none() {
        ctx.reply().null();
        return Ok(());
    }
    let dst_exists = list_mut(ctx, dst)?.is_some();
    let v = {
        let Some(Value::List(sl)) = ctx.st.ks.get(db, src, now).map(|e| &mut e.value) else {
            return Ok(());
        };
        let v = if from_left { sl.pop_front() } else { sl.pop_back() };
        let Some(v) = v else {
            ctx.reply().null();
            return Ok(());
        };
        v
    };
    // lmoveHandlePush: create the destination, signal it, push, notify, reply.
    if !dst_exists {
        ctx.st.ks.set(db, dst, Value::List(Box::new(new_list(ctx))), 0, lru);
    }
    ctx.modified(db, dst);
    let threshold = ctx.st.ks.list_packed_threshold;
    if let Some(Value::List(dl)) = ctx.st.ks.get(db, dst, now).map(|e| &mut e.value) {
        dl.set_packed_threshold(threshold);
        if to_left {
            dl.push_front(&v);
        } else {
            dl.push_back(&v);
        }
    }
    ctx.notify(notify::LIST, push_event(to_left), db, dst);
    ctx.reply().bulk(&v);
    let empty = matches!(
        ctx.st.ks.get(db, src, now).map(|e| &e.value),
        Some(Value::List(l)) if l.is_empty()
    );
    elements_removed(ctx, src, from_left, empty);
    Ok(())
}

fn lmove(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let from = parse_side(args.get(3))?;
    let to = parse_side(args.get(4))?;
    move_generic(ctx, args.get(1), args.get(2), from, to)
}

fn rpoplpush(ctx: &mut Ctx, args: &Args) -> CmdResult {
    move_generic(ctx, args.get(1), args.get(2), false, true)
}

/// Parsed `numkeys key... LEFT|RIGHT [COUNT n]` of LMPOP/BLMPOP.
struct MpopArgs {
    first_key: usize,
    numkeys: usize,
    left: bool,
    count: usize,
}

fn parse_mpop(args: &Args, numkeys_idx: usize) -> Result<MpopArgs, CommandError> {
    const NUMKEYS: CommandError = CommandError::stat("ERR numkeys should be greater than 0");
    let numkeys = match crate::util::num::parse_i64(args.get(numkeys_idx)) {
        Some(n) if n >= 1 => n as u64,
        _ => return Err(NUMKEYS),
    };
    let where_idx = (numkeys_idx as u64)
        .checked_add(numkeys)
        .and_then(|x| x.checked_add(1))
        .filter(|&w| w < args.len() as u64)
        .ok_or(SYNTAX)? as usize;
    let left = parse_side(args.get(where_idx))?;
    let mut count: Option<usize> = None;
    let mut j = where_idx + 1;
    while j < args.len() {
        let more = j + 1 < args.len();
        if count.is_none() && args.is(j, "count") && more {
            j += 1;
            match crate::util::num::parse_i64(args.get(j)) {
                Some(c) if c >= 1 => count = Some(c as usize),
                _ => return Err(CommandError::stat("ERR count should be greater than 0")),
            }
        } else {
            return Err(SYNTAX);
        }
        j += 1;
    }
    Ok(MpopArgs {
        first_key: numkeys_idx + 1,
        numkeys: numkeys as usize,
        left,
        count: count.unwrap_or(1),
    })
}

/// Pop up to `count` from the list at `key` (known to hold elements), replying
/// `[key, [elements]]` (listPopRangeAndReplyWithKey).
fn pop_range_with_key(ctx: &mut Ctx, key: &[u8], left: bool, count: usize) {
    let (db, now) = (ctx.db(), ctx.now_ms);
    let (st, mut r) = ctx.parts();
    let Some(Value::List(l)) = st.ks.get(db, key, now).map(|e| &mut e.value) else { return };
    r.array(2);
    r.bulk(key);
    r.array(count.min(l.len()));
    let empty = pop_into(l, &mut r, left, count);
    elements_removed(ctx, key, left, empty);
}

/// The first of `keys` holding a list (None: all missing), WRONGTYPE on the first other
/// value met before it.
fn first_nonempty<'a>(
    ctx: &mut Ctx,
    keys: impl Iterator<Item = &'a [u8]>,
) -> Result<Option<&'a [u8]>, CommandError> {
    for k in keys {
        if list_mut(ctx, k)?.is_some_and(|l| !l.is_empty()) {
            return Ok(Some(k));
        }
    }
    Ok(None)
}

fn lmpop(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let m = parse_mpop(args, 1)?;
    let keys = (m.first_key..m.first_key + m.numkeys).map(|i| args.get(i));
    match first_nonempty(ctx, keys)? {
        Some(k) => pop_range_with_key(ctx, k, m.left, m.count),
        None => ctx.reply().null_array(),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mpop_parsing_follows_redis_order() {
        let v = |s: &str| s.split(' ').map(|x| x.as_bytes().to_vec()).collect::<Vec<_>>();
        let p = |s: &str| parse_mpop(&Args::Owned(&v(s)), 1).map(|m| (m.numkeys, m.left, m.count));
        assert_eq!(p("lmpop 2 a b LEFT"), Ok((2, true, 1)));
        assert_eq!(p("lmpop 1 a right COUNT 5"), Ok((1, false, 5)));
        assert_eq!(p("lmpop 0 a LEFT").unwrap_err().text(), "ERR numkeys should be greater than 0");
        assert_eq!(p("lmpop 9223372036854775807 a LEFT"), Err(SYNTAX));
        assert_eq!(p("lmpop 1 a LEFT COUNT 1 COUNT 1"), Err(SYNTAX));
        assert_eq!(
            p("lmpop 1 a LEFT COUNT 0").unwrap_err().text(),
            "ERR count should be greater than 0"
        );
        assert_eq!(p("lmpop 2 a LEFT"), Err(SYNTAX));
    }
}
