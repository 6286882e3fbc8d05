//! ZUNION ZINTER ZDIFF, their STORE forms, and ZINTERCARD (Redis's
//! zunionInterDiffGenericCommand). Plain sets are accepted as inputs, every member scoring 1.

use super::{limits, reply_scored, reply_scored_header};
use crate::cmd::args::Args;
use crate::cmd::{notify, Ctx};
use crate::db::zset::ZSet;
use crate::db::{Kind, Value};
use crate::error::{CmdResult, CommandError, SYNTAX, WRONGTYPE};
use crate::util::num;

#[derive(Clone, Copy, PartialEq)]
enum Op {
    Union,
    Inter,
    Diff,
}

#[derive(Clone, Copy, PartialEq)]
enum Aggr {
    Sum,
    Min,
    Max,
}

#[inline]
fn aggregate(target: &mut f64, val: f64, a: Aggr) {
    match a {
        Aggr::Sum => {
            *target += val;
            // inf + -inf: Redis keeps 0.
            if target.is_nan() {
                *target = 0.0;
            }
        }
        Aggr::Min => {
            if val < *target {
                *target = val
            }
        }
        Aggr::Max => {
            if val > *target {
                *target = val
            }
        }
    }
}

/// One input: a sorted set or a plain set (or nothing, for a missing key).
#[derive(Clone, Copy)]
struct Src<'a> {
    v: Option<&'a Value>,
    weight: f64,
}

impl Src<'_> {
    fn len(&self) -> usize {
        match self.v {
            Some(Value::ZSet(z)) => z.len(),
            Some(Value::Set(s)) => set_len(s),
            _ => 0,
        }
    }
    fn for_each(&self, mut f: impl FnMut(&[u8], f64) -> bool) {
        match self.v {
            Some(Value::ZSet(z)) => z.walk(0, false, f),
            Some(Value::Set(s)) => set_for_each(s, &mut |m| f(m, 1.0)),
            _ => {}
        }
    }
    fn find(&self, m: &[u8]) -> Option<f64> {
        match self.v {
            Some(Value::ZSet(z)) => z.score(m),
            Some(Value::Set(s)) => set_contains(s, m).then_some(1.0),
            _ => None,
        }
    }
    fn same(&self, o: &Src) -> bool {
        match (self.v, o.v) {
            (Some(a), Some(b)) => std::ptr::eq(a, b),
            _ => false,
        }
    }
}

fn set_len(s: &crate::db::set::Set) -> usize {
    s.len()
}
fn set_for_each(s: &crate::db::set::Set, f: &mut dyn FnMut(&[u8]) -> bool) {
    let mut go = true;
    s.for_each(|m| {
        if go {
            go = f(m);
        }
    });
}
fn set_contains(s: &crate::db::set::Set, m: &[u8]) -> bool {
    s.contains(m)
}

pub fn zunion(ctx: &mut Ctx, args: &Args) -> CmdResult {
    generic(ctx, args, None, 1, Op::Union, false, "zunion")
}
pub fn zinter(ctx: &mut Ctx, args: &Args) -> CmdResult {
    generic(ctx, args, None, 1, Op::Inter, false, "zinter")
}
pub fn zdiff(ctx: &mut Ctx, args: &Args) -> CmdResult {
    generic(ctx, args, None, 1, Op::Diff, false, "zdiff")
}
pub fn zunionstore(ctx: &mut Ctx, args: &Args) -> CmdResult {
    generic(ctx, args, Some(args.get(1)), 2, Op::Union, false, "zunionstore")
}
pub fn zinterstore(ctx: &mut Ctx, args: &Args) -> CmdResult {
    generic(ctx, args, Some(args.get(1)), 2, Op::Inter, false, "zinterstore")
}
pub fn zdiffstore(ctx: &mut Ctx, args: &Args) -> CmdResult {
    generic(ctx, args, Some(args.get(1)), 2, Op::Diff, false, "zdiffstore")
}
pub fn zintercard(ctx: &mut Ctx, args: &Args) -> CmdResult {
    generic(ctx, args, None, 1, Op::Inter, true, "zintercard")
}

fn generic(
    ctx: &mut Ctx,
    args: &Args,
    dst: Option<&[u8]>,
    numkeys_idx: usize,
    op: Op,
    card_only: bool,
    name: &str,
) -> CmdResult {
    let setnum = args.i64(numkeys_idx)?;
    if setnum < 1 {
        return Err(CommandError::msg(format!(
            "ERR at least 1 input key is needed for '{name}' command"
        )));
    }
    if setnum as u64 > (args.len() - numkeys_idx - 1) as u64 {
        return Err(SYNTAX);
    }
    let setnum = setnum as usize;
    let (db, now) = (ctx.db(), ctx.now_ms);
    let first = numkeys_idx + 1;
    // Expire and type-check every input first (Redis does it before parsing options).
    for k in first..first + setnum {
        if let Some(e) = ctx.st.ks.read(db, args.get(k), now) {
            if !matches!(e.value.kind(), Kind::ZSet | Kind::Set) {
                return Err(WRONGTYPE);
            }
        }
    }
    let mut weights = vec![1.0f64; setnum];
    let mut aggr = Aggr::Sum;
    let mut withscores = false;
    let mut limit: i64 = 0;
    let mut j = first + setnum;
    while j < args.len() {
        let remaining = args.len() - j;
        if op != Op::Diff && !card_only && remaining > setnum && args.is(j, "weights") {
            j += 1;
            for w in weights.iter_mut() {
                *w = num::parse_f64(args.get(j))
                    .ok_or(CommandError::stat("ERR weight value is not a float"))?;
                j += 1;
            }
        } else if op != Op::Diff && !card_only && remaining >= 2 && args.is(j, "aggregate") {
            j += 1;
            aggr = if args.is(j, "sum") {
                Aggr::Sum
            } else if args.is(j, "min") {
                Aggr::Min
            } else if args.is(j, "max") {
                Aggr::Max
            } else {
                return Err(SYNTAX);
            };
            j += 1;
        } else if dst.is_none() && !card_only && args.is(j, "withscores") {
            withscores = true;
            j += 1;
        } else if card_only && remaining >= 2 && args.is(j, "limit") {
            j += 1;
            limit = num::parse_i64(args.get(j))
                .filter(|&l| l >= 0)
                .ok_or(CommandError::stat("ERR LIMIT can't be negative"))?;
            j += 1;
        } else {
            return Err(SYNTAX);
        }
    }

    let dict = &ctx.st.ks.dbs[db].dict;
    let mut src: Vec<Src> = (0..setnum)
        .map(|i| Src { v: dict.get(args.get(first + i)).map(|e| &e.value), weight: weights[i] })
        .collect();
    if op != Op::Diff {
        src.sort_by_key(|s| s.len());
    }

    let mut out: Vec<(Vec<u8>, f64)> = Vec::new();
    let mut card: i64 = 0;
    match op {
        Op::Inter => {
            if src[0].len() > 0 {
                let s0 = src[0];
                s0.for_each(|m, s| {
                    let mut score = s0.weight * s;
                    if score.is_nan() {
                        score = 0.0;
                    }
                    for o in &src[1..] {
                        let v = if o.same(&s0) { Some(s) } else { o.find(m) };
                        match v {
                            Some(v) => aggregate(&mut score, v * o.weight, aggr),
                            None => return true,
                        }
                    }
                    if card_only {
                        card += 1;
                        return !(limit > 0 && card >= limit);
                    }
                    out.push((m.to_vec(), score));
                    true
                });
            }
        }
        Op::Union => {
            let mut acc: ahash::AHashMap<Vec<u8>, f64> = Default::default();
            acc.reserve(src.last().map_or(0, |s| s.len()));
            for sr in &src {
                sr.for_each(|m, s| {
                    let mut score = sr.weight * s;
                    if score.is_nan() {
                        score = 0.0;
                    }
                    match acc.get_mut(m) {
                        Some(t) => aggregate(t, score, aggr),
                        None => {
                            acc.insert(m.to_vec(), score);
                        }
                    }
                    true
                });
            }
            out = acc.into_iter().collect();
        }
        Op::Diff => {
            let s0 = src[0];
            if s0.len() > 0 && !src[1..].iter().any(|o| o.same(&s0)) {
                s0.for_each(|m, s| {
                    if !src[1..].iter().any(|o| o.find(m).is_some()) {
                        out.push((m.to_vec(), s));
                    }
                    true
                });
            }
        }
    }

    if card_only {
        ctx.reply().int(card);
        return Ok(());
    }
    out.sort_unstable_by(|a, b| {
        a.1.partial_cmp(&b.1).unwrap_or(std::cmp::Ordering::Equal).then_with(|| a.0.cmp(&b.0))
    });

    if let Some(dst) = dst {
        let n = out.len();
        if n == 0 {
            let existed = ctx.st.ks.delete(db, dst);
            ctx.reply().int(0);
            if existed {
                ctx.modified(db, dst);
                ctx.notify(notify::GENERIC, "del", db, dst);
            }
            return Ok(());
        }
        let z = ZSet::from_sorted(&out, limits(ctx.st));
        let lru = ctx.lru();
        ctx.st.ks.set(db, dst, Value::ZSet(Box::new(z)), 0, lru);
        ctx.modified(db, dst);
        ctx.reply().int(n as i64);
        let event = match op {
            Op::Union => "zunionstore",
            Op::Inter => "zinterstore",
            Op::Diff => "zdiffstore",
        };
        ctx.notify(notify::ZSET, event, db, dst);
        return Ok(());
    }
    let mut r = ctx.reply();
    reply_scored_header(&mut r, out.len(), withscores);
    for (m, s) in &out {
        reply_scored(&mut r, m, *s, withscores);
    }
    Ok(())
}
