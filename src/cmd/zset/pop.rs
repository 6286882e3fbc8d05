//! ZPOPMIN ZPOPMAX ZMPOP (and the pop shared with their blocking forms).

use super::write_zset;
use crate::blocking::{block, may_block, parse_timeout, ready_key};
use crate::cmd::args::Args;
use crate::cmd::Ctx;
use crate::db::Kind;
use crate::error::{CmdResult, CommandError, SYNTAX};
use crate::util::num;

/// How a pop reply is shaped (Redis's genericZpopCommand flags).
#[derive(Clone, Copy)]
pub struct PopShape {
    /// `[member, score]` pairs instead of a flat list.
    pub nested: bool,
    /// Prefix the key (BZPOPMIN: flat `key member score`; ZMPOP: `[key, [pairs]]`).
    pub emit_key: bool,
}

/// Pop up to `count` (≥ 1) elements from the zset at `key`, which must exist and be a zset;
/// replies, emits `zpopmin`/`zpopmax` (and `del` when emptied). Returns how many popped.
pub fn pop_and_reply(
    ctx: &mut Ctx,
    db: usize,
    key: &[u8],
    max: bool,
    count: usize,
    shape: PopShape,
) -> usize {
    let now = ctx.now_ms;
    let (st, mut r) = ctx.parts();
    let Ok(Some(z)) = write_zset(st, db, key, now) else {
        return 0;
    };
    let n = count.min(z.len());
    match (shape.nested, shape.emit_key) {
        (false, false) => r.array(n * 2),
        (true, false) => r.array(n),
        (false, true) => {
            r.array(n * 2 + 1);
            r.bulk(key);
        }
        (true, true) => {
            r.array(2);
            r.bulk(key);
            r.array(n);
        }
    }
    let mut left = n;
    z.walk(0, max, |m, s| {
        if shape.nested {
            r.array(2);
        }
        r.bulk(m);
        r.double(s);
        left -= 1;
        left > 0
    });
    let start = if max { z.len() - n } else { 0 };
    z.remove_ranks(start, n);
    z.shrink();
    let emptied = z.is_empty();
    ctx.removed_elements(
        db,
        key,
        emptied,
        crate::cmd::notify::ZSET,
        if max { "zpopmax" } else { "zpopmin" },
    );
    n
}

pub fn zpopmin(ctx: &mut Ctx, args: &Args) -> CmdResult {
    zpop(ctx, args, false)
}

pub fn zpopmax(ctx: &mut Ctx, args: &Args) -> CmdResult {
    zpop(ctx, args, true)
}

fn zpop(ctx: &mut Ctx, args: &Args, max: bool) -> CmdResult {
    if args.len() > 3 {
        return Err(SYNTAX);
    }
    let count = if args.len() == 3 {
        let c = num::parse_i64(args.get(2))
            .filter(|&c| c >= 0)
            .ok_or(CommandError::stat("ERR value is out of range, must be positive"))?;
        Some(c)
    } else {
        None
    };
    let key = args.get(1);
    let (db, now) = (ctx.db(), ctx.now_ms);
    if write_zset(ctx.st, db, key, now)?.is_none() || count == Some(0) {
        ctx.reply().array(0);
        return Ok(());
    }
    let nested = ctx.client.resp3 && count.is_some();
    let n = usize::try_from(count.unwrap_or(1)).unwrap_or(usize::MAX);
    pop_and_reply(ctx, db, key, max, n, PopShape { nested, emit_key: false });
    Ok(())
}

/// Parsed `numkeys key... MIN|MAX [COUNT n]` from argument `at` (ZMPOP 1, BZMPOP 2).
pub struct MpopArgs {
    pub keys: std::ops::Range<usize>,
    pub max: bool,
    pub count: usize,
}

pub fn parse_mpop(args: &Args, at: usize) -> Result<MpopArgs, CommandError> {
    let numkeys = num::parse_i64(args.get(at))
        .filter(|&n| n >= 1)
        .ok_or(CommandError::stat("ERR numkeys should be greater than 0"))?;
    let where_idx = (at as u64).saturating_add(numkeys as u64).saturating_add(1);
    if where_idx >= args.len() as u64 {
        return Err(SYNTAX);
    }
    let where_idx = where_idx as usize;
    let max = if args.is(where_idx, "min") {
        false
    } else if args.is(where_idx, "max") {
        true
    } else {
        return Err(SYNTAX);
    };
    let mut count: Option<i64> = None;
    let mut j = where_idx + 1;
    while j < args.len() {
        let more = args.len() - 1 - j;
        if count.is_none() && args.is(j, "count") && more > 0 {
            j += 1;
            let c = num::parse_i64(args.get(j))
                .filter(|&n| n >= 1)
                .ok_or(CommandError::stat("ERR count should be greater than 0"))?;
            count = Some(c);
        } else {
            return Err(SYNTAX);
        }
        j += 1;
    }
    Ok(MpopArgs {
        keys: at + 1..where_idx,
        max,
        count: usize::try_from(count.unwrap_or(1)).unwrap_or(usize::MAX),
    })
}

pub fn zmpop(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let p = parse_mpop(args, 1)?;
    let (db, now) = (ctx.db(), ctx.now_ms);
    for i in p.keys.clone() {
        let key = args.get(i);
        if write_zset(ctx.st, db, key, now)?.is_some() {
            pop_and_reply(ctx, db, key, p.max, p.count, PopShape { nested: true, emit_key: true });
            return Ok(());
        }
    }
    ctx.reply().null_array();
    Ok(())
}

/// The first non-empty sorted set among `keys` (WRONGTYPE on the first other value found);
/// during a re-run after a wake-up only the key that woke the client counts.
fn first_ready<'a>(
    ctx: &mut Ctx,
    keys: impl Iterator<Item = &'a [u8]>,
) -> Result<Option<&'a [u8]>, CommandError> {
    let (db, now) = (ctx.db(), ctx.now_ms);
    let only: Option<Vec<u8>> = ready_key(ctx).map(|k| k.to_vec());
    for k in keys {
        if only.as_deref().is_some_and(|o| o != k) {
            continue;
        }
        if write_zset(ctx.st, db, k, now)?.is_some_and(|z| !z.is_empty()) {
            return Ok(Some(k));
        }
    }
    Ok(None)
}

pub fn bzpopmin(ctx: &mut Ctx, args: &Args) -> CmdResult {
    bzpop(ctx, args, false)
}

pub fn bzpopmax(ctx: &mut Ctx, args: &Args) -> CmdResult {
    bzpop(ctx, args, true)
}

/// BZPOPMIN/BZPOPMAX: a flat `[key, member, score]`, or park until a key gets members.
fn bzpop(ctx: &mut Ctx, args: &Args, max: bool) -> CmdResult {
    let deadline = parse_timeout(ctx, args.get(args.len() - 1))?;
    let keys = || (1..args.len() - 1).map(|i| args.get(i));
    if let Some(k) = first_ready(ctx, keys())? {
        let db = ctx.db();
        pop_and_reply(ctx, db, k, max, 1, PopShape { nested: false, emit_key: true });
        return Ok(());
    }
    if !may_block(ctx) {
        ctx.reply().null_array();
        return Ok(());
    }
    block(ctx, args, Kind::ZSet, keys(), deadline)
}

/// BZMPOP timeout numkeys key... MIN|MAX [COUNT n].
pub fn bzmpop(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let p = parse_mpop(args, 2)?;
    let deadline = parse_timeout(ctx, args.get(1))?;
    let keys = || p.keys.clone().map(|i| args.get(i));
    if let Some(k) = first_ready(ctx, keys())? {
        let db = ctx.db();
        pop_and_reply(ctx, db, k, p.max, p.count, PopShape { nested: true, emit_key: true });
        return Ok(());
    }
    if !may_block(ctx) {
        ctx.reply().null_array();
        return Ok(());
    }
    block(ctx, args, Kind::ZSet, keys(), deadline)
}
