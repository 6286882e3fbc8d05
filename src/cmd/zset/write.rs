//! ZADD ZINCRBY ZREM ZREMRANGEBYRANK ZREMRANGEBYSCORE ZREMRANGEBYLEX.

use super::{limits, write_zset};
use crate::cmd::args::Args;
use crate::cmd::{notify, Ctx};
use crate::db::zset::{LexBound, LexRange, ScoreRange, ZSet};
use crate::db::Value;
use crate::error::{CmdResult, CommandError, NOT_FLOAT, SYNTAX};
use crate::util::num;

pub const NAN_SCORE: CommandError = CommandError::stat("ERR resulting score is not a number (NaN)");
pub const RANGE_NOT_FLOAT: CommandError = CommandError::stat("ERR min or max is not a float");
pub const RANGE_NOT_LEX: CommandError =
    CommandError::stat("ERR min or max not valid string range item");

#[derive(Default, Clone, Copy)]
struct Flags {
    nx: bool,
    xx: bool,
    gt: bool,
    lt: bool,
    ch: bool,
    incr: bool,
}

impl Flags {
    fn plain(&self) -> bool {
        !(self.nx || self.xx || self.gt || self.lt || self.incr)
    }
}

#[derive(Default)]
struct Outcome {
    added: usize,
    updated: usize,
    processed: usize,
    score: f64,
    nan: bool,
}

/// Redis's zsetAdd over every pair, stopping at a NaN increment.
fn apply(z: &mut ZSet, f: Flags, pairs: &[(f64, &[u8])], lim: crate::db::zset::Limits) -> Outcome {
    let mut o = Outcome::default();
    for &(score, member) in pairs {
        if f.plain() {
            match z.set(member, score, lim) {
                None => o.added += 1,
                Some(old) if old != score => o.updated += 1,
                Some(_) => {}
            }
            o.processed += 1;
            o.score = score;
            continue;
        }
        match z.score(member) {
            Some(cur) => {
                if f.nx {
                    continue;
                }
                let mut s = score;
                if f.incr {
                    s += cur;
                    if s.is_nan() {
                        o.nan = true;
                        return o;
                    }
                }
                if (f.lt && s >= cur) || (f.gt && s <= cur) {
                    continue;
                }
                o.processed += 1;
                o.score = s;
                if s != cur {
                    z.set(member, s, lim);
                    o.updated += 1;
                }
            }
            None => {
                if f.xx {
                    continue;
                }
                z.set(member, score, lim);
                o.added += 1;
                o.processed += 1;
                o.score = score;
            }
        }
    }
    o
}

pub fn zadd(ctx: &mut Ctx, args: &Args) -> CmdResult {
    zadd_generic(ctx, args, false)
}

pub fn zincrby(ctx: &mut Ctx, args: &Args) -> CmdResult {
    zadd_generic(ctx, args, true)
}

fn zadd_generic(ctx: &mut Ctx, args: &Args, incr_cmd: bool) -> CmdResult {
    let key = args.get(1);
    let mut f = Flags { incr: incr_cmd, ..Flags::default() };
    let mut i = 2;
    while i < args.len() {
        let a = args.get(i);
        if a.eq_ignore_ascii_case(b"nx") {
            f.nx = true;
        } else if a.eq_ignore_ascii_case(b"xx") {
            f.xx = true;
        } else if a.eq_ignore_ascii_case(b"ch") {
            f.ch = true;
        } else if a.eq_ignore_ascii_case(b"incr") {
            f.incr = true;
        } else if a.eq_ignore_ascii_case(b"gt") {
            f.gt = true;
        } else if a.eq_ignore_ascii_case(b"lt") {
            f.lt = true;
        } else {
            break;
        }
        i += 1;
    }
    let elements = args.len() - i;
    if elements % 2 != 0 || elements == 0 {
        return Err(SYNTAX);
    }
    if f.nx && f.xx {
        return Err(CommandError::stat(
            "ERR XX and NX options at the same time are not compatible",
        ));
    }
    if (f.nx && (f.gt || f.lt)) || (f.gt && f.lt) {
        return Err(CommandError::stat(
            "ERR GT, LT, and/or NX options at the same time are not compatible",
        ));
    }
    if f.incr && elements > 2 {
        return Err(CommandError::stat("ERR INCR option supports a single increment-element pair"));
    }
    let mut pairs: Vec<(f64, &[u8])> = Vec::with_capacity(elements / 2);
    while i < args.len() {
        let score = num::parse_f64(args.get(i)).ok_or(NOT_FLOAT)?;
        let member = args.get(i + 1);
        pairs.push((score, member));
        i += 2;
    }

    let (db, now) = (ctx.db(), ctx.now_ms);
    let lim = limits(ctx.st);
    let o = match write_zset(ctx.st, db, key, now)? {
        Some(z) => apply(z, f, &pairs, lim),
        None if f.xx => Outcome::default(),
        None => {
            // Redis 7.0 starts a new key compact unless the limits are 0 or the first member
            // is too long, and converts while adding (so -0 in the compact form becomes 0).
            let first_len = pairs.first().map_or(0, |p| p.1.len());
            let mut z = if lim.max_entries == 0 || first_len > lim.max_value {
                ZSet::new_large()
            } else {
                ZSet::default()
            };
            let o = apply(&mut z, f, &pairs, lim);
            if !z.is_empty() {
                let lru = ctx.lru();
                ctx.st.ks.set(db, key, Value::ZSet(Box::new(z)), 0, lru);
            }
            o
        }
    };
    if o.added > 0 || o.updated > 0 {
        ctx.modified(db, key);
        ctx.notify(notify::ZSET, if f.incr { "zincr" } else { "zadd" }, db, key);
    }
    if o.nan {
        return Err(NAN_SCORE);
    }
    let mut r = ctx.reply();
    if f.incr {
        if o.processed > 0 {
            r.double(o.score);
        } else {
            r.null();
        }
    } else {
        r.int((if f.ch { o.added + o.updated } else { o.added }) as i64);
    }
    Ok(())
}

pub fn zrem(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let key = args.get(1);
    let (db, now) = (ctx.db(), ctx.now_ms);
    let Some(z) = write_zset(ctx.st, db, key, now)? else {
        ctx.reply().int(0);
        return Ok(());
    };
    let mut deleted = 0;
    for m in args.rest(2) {
        if z.remove(m).is_some() {
            deleted += 1;
            if z.is_empty() {
                break;
            }
        }
    }
    let emptied = z.is_empty();
    if deleted > 0 && !emptied {
        z.shrink();
    }
    if deleted > 0 {
        ctx.removed_elements(db, key, emptied, notify::ZSET, "zrem");
    }
    ctx.reply().int(deleted);
    Ok(())
}

/// zslParseRange: `(` makes a bound exclusive; strtod with its lenient rules.
pub fn parse_score_range(min: &[u8], max: &[u8]) -> Result<ScoreRange, CommandError> {
    fn one(s: &[u8]) -> Option<(f64, bool)> {
        match s.first() {
            Some(b'(') => num::parse_f64_lenient(&s[1..]).map(|v| (v, true)),
            _ => num::parse_f64_lenient(s).map(|v| (v, false)),
        }
    }
    let (min, minex) = one(min).ok_or(RANGE_NOT_FLOAT)?;
    let (max, maxex) = one(max).ok_or(RANGE_NOT_FLOAT)?;
    Ok(ScoreRange { min, max, minex, maxex })
}

pub fn parse_lex_range(min: &[u8], max: &[u8]) -> Result<LexRange, CommandError> {
    let min = LexBound::parse(min).ok_or(RANGE_NOT_LEX)?;
    let max = LexBound::parse(max).ok_or(RANGE_NOT_LEX)?;
    Ok(LexRange { min, max })
}

enum RemRange {
    Rank(i64, i64),
    Score(ScoreRange),
    Lex(LexRange),
}

fn zremrange(ctx: &mut Ctx, args: &Args, what: RemRange, event: &'static str) -> CmdResult {
    let key = args.get(1);
    let (db, now) = (ctx.db(), ctx.now_ms);
    let Some(z) = write_zset(ctx.st, db, key, now)? else {
        ctx.reply().int(0);
        return Ok(());
    };
    let len = z.len() as i64;
    let (start, end) = match what {
        RemRange::Rank(mut s, mut e) => {
            if s < 0 {
                s += len;
            }
            if e < 0 {
                e += len;
            }
            s = s.max(0);
            if s > e || s >= len {
                ctx.reply().int(0);
                return Ok(());
            }
            e = e.min(len - 1);
            (s as usize, e as usize + 1)
        }
        RemRange::Score(r) => r.ranks(z),
        RemRange::Lex(r) => r.ranks(z, false),
    };
    let n = end - start;
    if n > 0 {
        z.remove_ranks(start, n);
        z.shrink();
        let emptied = z.is_empty();
        ctx.removed_elements(db, key, emptied, notify::ZSET, event);
    }
    ctx.reply().int(n as i64);
    Ok(())
}

pub fn zremrangebyrank(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let s = args.i64(2)?;
    let e = args.i64(3)?;
    zremrange(ctx, args, RemRange::Rank(s, e), "zremrangebyrank")
}

pub fn zremrangebyscore(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let r = parse_score_range(args.get(2), args.get(3))?;
    zremrange(ctx, args, RemRange::Score(r), "zremrangebyscore")
}

pub fn zremrangebylex(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let r = parse_lex_range(args.get(2), args.get(3))?;
    zremrange(ctx, args, RemRange::Lex(r), "zremrangebylex")
}
