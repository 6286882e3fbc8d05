//! ZRANGE ZRANGESTORE ZREVRANGE ZRANGEBYSCORE ZREVRANGEBYSCORE ZRANGEBYLEX ZREVRANGEBYLEX:
//! one parser and one range walk (Redis's zrangeGenericCommand), replying or storing.

use super::write::{parse_lex_range, parse_score_range};
use super::{limits, read_zset, reply_scored, reply_scored_header};
use crate::cmd::args::Args;
use crate::cmd::{notify, Ctx};
use crate::db::zset::{LexRange, ScoreRange, ZSet};
use crate::db::Value;
use crate::error::{CmdResult, CommandError, SYNTAX};

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Auto,
    Rank,
    Score,
    Lex,
}

#[derive(Clone, Copy, PartialEq)]
enum Dir {
    Auto,
    Forward,
    Reverse,
}

enum Range {
    Rank(i64, i64),
    Score(ScoreRange),
    Lex(LexRange),
}

pub fn zrange(ctx: &mut Ctx, args: &Args) -> CmdResult {
    generic(ctx, args, 1, None, Kind::Auto, Dir::Auto)
}

pub fn zrangestore(ctx: &mut Ctx, args: &Args) -> CmdResult {
    generic(ctx, args, 2, Some(args.get(1)), Kind::Auto, Dir::Auto)
}

pub fn zrevrange(ctx: &mut Ctx, args: &Args) -> CmdResult {
    generic(ctx, args, 1, None, Kind::Rank, Dir::Reverse)
}

pub fn zrangebyscore(ctx: &mut Ctx, args: &Args) -> CmdResult {
    generic(ctx, args, 1, None, Kind::Score, Dir::Forward)
}

pub fn zrevrangebyscore(ctx: &mut Ctx, args: &Args) -> CmdResult {
    generic(ctx, args, 1, None, Kind::Score, Dir::Reverse)
}

pub fn zrangebylex(ctx: &mut Ctx, args: &Args) -> CmdResult {
    generic(ctx, args, 1, None, Kind::Lex, Dir::Forward)
}

pub fn zrevrangebylex(ctx: &mut Ctx, args: &Args) -> CmdResult {
    generic(ctx, args, 1, None, Kind::Lex, Dir::Reverse)
}

/// The elements a range selects: `count` elements walked from `skip` (from the end when
/// `rev`), plus, for score and lex ranges, a stop test on each element.
struct Selection {
    skip: usize,
    count: usize,
    rev: bool,
}

fn select(z: &ZSet, range: &Range, rev: bool, offset: i64, limit: i64) -> Selection {
    let len = z.len();
    let empty = Selection { skip: 0, count: 0, rev };
    match range {
        Range::Rank(start, end) => {
            let (mut s, mut e) = (*start, *end);
            let l = len as i64;
            if s < 0 {
                s += l;
            }
            if e < 0 {
                e += l;
            }
            s = s.max(0);
            if s > e || s >= l {
                return empty;
            }
            e = e.min(l - 1);
            Selection { skip: s as usize, count: (e - s + 1) as usize, rev }
        }
        Range::Score(_) | Range::Lex(_) => {
            if offset > 0 && offset as u64 >= len as u64 {
                return empty;
            }
            // A negative offset skips past everything, as Redis's `while (offset--)` does.
            if offset < 0 || limit == 0 {
                return empty;
            }
            let off = offset as usize;
            if let (Range::Lex(r), ZSet::Pack(_)) = (range, z) {
                // Listpack semantics: skip `offset` from the first match regardless of range,
                // then take while the far bound holds.
                let Some((skip, avail)) = r.pack_walk(z, rev, off) else {
                    return empty;
                };
                let count = if limit > 0 { avail.min(limit as usize) } else { avail };
                return Selection { skip, count, rev };
            }
            let (a, b) = match range {
                Range::Score(r) => r.ranks(z),
                Range::Lex(r) => r.ranks(z, rev),
                Range::Rank(..) => unreachable!(),
            };
            let inrange = b - a;
            if off >= inrange {
                return empty;
            }
            let mut count = inrange - off;
            if limit > 0 {
                count = count.min(limit as usize);
            }
            let skip = if rev { len - b + off } else { a + off };
            Selection { skip, count, rev }
        }
    }
}

fn generic(
    ctx: &mut Ctx,
    args: &Args,
    start: usize,
    store: Option<&[u8]>,
    mut kind: Kind,
    mut dir: Dir,
) -> CmdResult {
    let key = args.get(start);
    let (mut minidx, mut maxidx) = (start + 1, start + 2);
    let mut withscores = false;
    let mut offset: i64 = 0;
    let mut limit: i64 = -1;
    let mut j = start + 3;
    while j < args.len() {
        let left = args.len() - j - 1;
        if store.is_none() && args.is(j, "withscores") {
            withscores = true;
        } else if args.is(j, "limit") && left >= 2 {
            offset = args.i64(j + 1)?;
            limit = args.i64(j + 2)?;
            j += 2;
        } else if dir == Dir::Auto && args.is(j, "rev") {
            dir = Dir::Reverse;
        } else if kind == Kind::Auto && args.is(j, "bylex") {
            kind = Kind::Lex;
        } else if kind == Kind::Auto && args.is(j, "byscore") {
            kind = Kind::Score;
        } else {
            return Err(SYNTAX);
        }
        j += 1;
    }
    if dir == Dir::Auto {
        dir = Dir::Forward;
    }
    if kind == Kind::Auto {
        kind = Kind::Rank;
    }
    if limit != -1 && kind == Kind::Rank {
        return Err(CommandError::stat(
            "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
        ));
    }
    if withscores && kind == Kind::Lex {
        return Err(CommandError::stat(
            "ERR syntax error, WITHSCORES not supported in combination with BYLEX",
        ));
    }
    let rev = dir == Dir::Reverse;
    if rev && kind != Kind::Rank {
        std::mem::swap(&mut minidx, &mut maxidx);
    }
    let range = match kind {
        Kind::Score => Range::Score(parse_score_range(args.get(minidx), args.get(maxidx))?),
        Kind::Lex => Range::Lex(parse_lex_range(args.get(minidx), args.get(maxidx))?),
        _ => Range::Rank(args.i64(minidx)?, args.i64(maxidx)?),
    };

    let (db, now) = (ctx.db(), ctx.now_ms);
    if let Some(dst) = store {
        let lim = limits(ctx.st);
        let mut items: Vec<(Vec<u8>, f64)> = Vec::new();
        if let Some(z) = read_zset(ctx.st, db, key, now)? {
            let sel = select(z, &range, rev, offset, limit);
            items.reserve(sel.count.min(z.len()));
            z.walk(sel.skip, sel.rev, |m, s| {
                items.push((m.to_vec(), s));
                items.len() < sel.count
            });
            if sel.count == 0 {
                items.clear();
            }
        }
        // Redis creates the destination from the known length of a rank range (compact
        // when unknown) and adds in range order, converting as it grows.
        let hint = if matches!(range, Range::Rank(..)) { items.len() } else { 0 };
        return store_result(ctx, dst, items, hint, lim);
    }
    let (st, mut r) = ctx.parts();
    let Some(z) = read_zset(st, db, key, now)? else {
        r.array(0);
        return Ok(());
    };
    let sel = select(z, &range, rev, offset, limit);
    reply_scored_header(&mut r, sel.count, withscores);
    if sel.count > 0 {
        let mut left = sel.count;
        z.walk(sel.skip, sel.rev, |m, s| {
            reply_scored(&mut r, m, s, withscores);
            left -= 1;
            left > 0
        });
    }
    Ok(())
}

/// ZRANGESTORE's destination: the range as a new set (Redis's zrangeResultFinalizeStore).
fn store_result(
    ctx: &mut Ctx,
    dst: &[u8],
    items: Vec<(Vec<u8>, f64)>,
    hint: usize,
    lim: crate::db::zset::Limits,
) -> CmdResult {
    let db = ctx.db();
    let n = items.len();
    if n == 0 {
        let existed = ctx.st.ks.delete(db, dst);
        ctx.reply().int(0);
        if existed {
            ctx.modified(db, dst);
            ctx.notify(notify::GENERIC, "del", db, dst);
        }
        return Ok(());
    }
    let mut z = ZSet::new_for(hint, 0, lim);
    for (m, s) in &items {
        z.set(m, *s, lim);
    }
    let lru = ctx.lru();
    ctx.st.ks.set(db, dst, Value::ZSet(Box::new(z)), 0, lru);
    ctx.modified(db, dst);
    ctx.reply().int(n as i64);
    ctx.notify(notify::ZSET, "zrangestore", db, dst);
    Ok(())
}
