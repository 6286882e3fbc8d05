//! ZCARD ZCOUNT ZLEXCOUNT ZSCORE ZMSCORE ZRANK ZREVRANK ZRANDMEMBER ZSCAN.

use super::read_zset;
use super::write::{parse_lex_range, parse_score_range};
use crate::cmd::args::Args;
use crate::cmd::Ctx;
use crate::error::{CmdResult, CommandError, NOT_INTEGER, SYNTAX};
use crate::util::glob::string_match;
use crate::util::num;

pub fn zcard(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (db, now) = (ctx.db(), ctx.now_ms);
    let n = read_zset(ctx.st, db, args.get(1), now)?.map_or(0, |z| z.len());
    ctx.reply().int(n as i64);
    Ok(())
}

pub fn zcount(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let r = parse_score_range(args.get(2), args.get(3))?;
    let (db, now) = (ctx.db(), ctx.now_ms);
    let n = read_zset(ctx.st, db, args.get(1), now)?.map_or(0, |z| {
        let (s, e) = r.ranks(z);
        e - s
    });
    ctx.reply().int(n as i64);
    Ok(())
}

pub fn zlexcount(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let r = parse_lex_range(args.get(2), args.get(3))?;
    let (db, now) = (ctx.db(), ctx.now_ms);
    let n = read_zset(ctx.st, db, args.get(1), now)?.map_or(0, |z| {
        let (s, e) = r.ranks(z, false);
        e - s
    });
    ctx.reply().int(n as i64);
    Ok(())
}

pub fn zscore(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (db, now) = (ctx.db(), ctx.now_ms);
    let (st, mut r) = ctx.parts();
    match read_zset(st, db, args.get(1), now)?.and_then(|z| z.score(args.get(2))) {
        Some(s) => r.double(s),
        None => r.null(),
    }
    Ok(())
}

pub fn zmscore(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (db, now) = (ctx.db(), ctx.now_ms);
    let (st, mut r) = ctx.parts();
    let z = read_zset(st, db, args.get(1), now)?;
    r.array(args.len() - 2);
    for m in args.rest(2) {
        match z.as_ref().and_then(|z| z.score(m)) {
            Some(s) => r.double(s),
            None => r.null(),
        }
    }
    Ok(())
}

pub fn zrank(ctx: &mut Ctx, args: &Args) -> CmdResult {
    rank_generic(ctx, args, false)
}

pub fn zrevrank(ctx: &mut Ctx, args: &Args) -> CmdResult {
    rank_generic(ctx, args, true)
}

/// ZRANK/ZREVRANK, with Redis 7.2's WITHSCORE.
fn rank_generic(ctx: &mut Ctx, args: &Args, rev: bool) -> CmdResult {
    if args.len() > 4 {
        return Err(CommandError::msg(format!(
            "ERR wrong number of arguments for '{}' command",
            if rev { "zrevrank" } else { "zrank" }
        )));
    }
    let withscore = args.len() == 4;
    if withscore && !args.is(3, "withscore") {
        return Err(SYNTAX);
    }
    let (db, now) = (ctx.db(), ctx.now_ms);
    let (st, mut r) = ctx.parts();
    match read_zset(st, db, args.get(1), now)?.and_then(|z| z.rank(args.get(2), rev)) {
        Some((rank, score)) => {
            if withscore {
                r.array(2);
                r.int(rank as i64);
                r.double(score);
            } else {
                r.int(rank as i64);
            }
        }
        None if withscore => r.null_array(),
        None => r.null(),
    }
    Ok(())
}

/// xorshift64* seeded from a process-random hasher: ZRANDMEMBER needs no cryptographic
/// randomness, only independence from the data.
pub struct Rng(u64);

impl Rng {
    pub fn new() -> Rng {
        let seed = ahash::RandomState::new().hash_one(std::time::Instant::now());
        Rng(seed | 1)
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

pub fn zrandmember(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (db, now) = (ctx.db(), ctx.now_ms);
    if args.len() < 3 {
        let (st, mut r) = ctx.parts();
        match read_zset(st, db, args.get(1), now)? {
            Some(z) if !z.is_empty() => {
                let k = Rng::new().below(z.len());
                let (m, _) = z.at(k).expect("rank below len");
                r.bulk(m);
            }
            _ => r.null(),
        }
        return Ok(());
    }
    let count = args.i64(2)?;
    if count == i64::MIN {
        return Err(CommandError::stat(
            "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
        ));
    }
    if args.len() > 4 || (args.len() == 4 && !args.is(3, "withscores")) {
        return Err(SYNTAX);
    }
    let withscores = args.len() == 4;
    if withscores && !(-(i64::MAX / 2)..=i64::MAX / 2).contains(&count) {
        return Err(CommandError::stat("ERR value is out of range"));
    }
    let (st, mut r) = ctx.parts();
    let Some(z) = read_zset(st, db, args.get(1), now)? else {
        r.array(0);
        return Ok(());
    };
    let size = z.len();
    if count == 0 || size == 0 {
        r.array(0);
        return Ok(());
    }
    let mut rng = Rng::new();
    let emit = |r: &mut crate::resp::reply::Reply, m: &[u8], s: f64| {
        super::reply_scored(r, m, s, withscores);
    };
    // Negative count: repeats allowed, any order.
    if count < 0 || count == 1 {
        let n = count.unsigned_abs() as usize;
        super::reply_scored_header(&mut r, n, withscores);
        for _ in 0..n {
            let (m, s) = z.at(rng.below(size)).expect("rank below len");
            emit(&mut r, m, s);
        }
        return Ok(());
    }
    let n = count as usize;
    if n >= size {
        // Redis's set iterators run from the highest score down.
        super::reply_scored_header(&mut r, size, withscores);
        z.walk(0, true, |m, s| {
            emit(&mut r, m, s);
            true
        });
        return Ok(());
    }
    // Distinct ranks: a partial Fisher-Yates shuffle over rank positions when the sample is
    // a large part of the set, else rejection sampling into a small set.
    let picks: Vec<usize> = if n * 3 > size {
        let mut ranks: Vec<usize> = (0..size).collect();
        for i in 0..n {
            let j = i + rng.below(size - i);
            ranks.swap(i, j);
        }
        ranks.truncate(n);
        ranks
    } else {
        let mut seen = std::collections::HashSet::with_capacity(n);
        let mut v = Vec::with_capacity(n);
        while v.len() < n {
            let k = rng.below(size);
            if seen.insert(k) {
                v.push(k);
            }
        }
        v
    };
    super::reply_scored_header(&mut r, n, withscores);
    for k in picks {
        let (m, s) = z.at(k).expect("rank below len");
        emit(&mut r, m, s);
    }
    Ok(())
}

pub fn zscan(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let cursor = crate::cmd::keyspace::parse_cursor(args.get(2))?;
    let (db, now) = (ctx.db(), ctx.now_ms);
    let (st, mut r) = ctx.parts();
    let Some(z) = read_zset(st, db, args.get(1), now)? else {
        r.array(2);
        r.bulk(b"0");
        r.array(0);
        return Ok(());
    };
    let mut count = 10usize;
    let mut pattern: Option<&[u8]> = None;
    let mut i = 3;
    while i < args.len() {
        let has_value = i + 1 < args.len();
        if args.is(i, "count") && has_value {
            let c = num::parse_i64(args.get(i + 1)).ok_or(NOT_INTEGER)?;
            if c < 1 {
                return Err(SYNTAX);
            }
            count = usize::try_from(c).unwrap_or(usize::MAX);
        } else if args.is(i, "match") && has_value {
            let p = args.get(i + 1);
            pattern = if p == b"*" { None } else { Some(p) };
        } else {
            return Err(SYNTAX);
        }
        i += 2;
    }
    let mut items: Vec<(Vec<u8>, f64)> = Vec::new();
    let next = z.scan(cursor, count, |m, s| {
        if pattern.is_none_or(|p| string_match(p, m, false)) {
            items.push((m.to_vec(), s));
        }
    });
    r.array(2);
    let mut cur = Vec::with_capacity(20);
    cur.extend_from_slice(next.to_string().as_bytes());
    r.bulk(&cur);
    r.array(items.len() * 2);
    let mut buf = Vec::with_capacity(32);
    let compact = z.encoding() == "listpack";
    for (m, s) in &items {
        r.bulk(m);
        buf.clear();
        if compact {
            write_d2string(&mut buf, *s);
        } else {
            num::write_f64(&mut buf, *s);
        }
        r.bulk(&buf);
    }
    Ok(())
}

/// How Redis 7.0 stores a score in a listpack (d2string): integral values within
/// ±LLONG_MAX/2 as integers (so 1e17 reads back "100000000000000000"), others as `%.17g`.
fn write_d2string(out: &mut Vec<u8>, v: f64) {
    const LIM: f64 = (i64::MAX / 2) as f64;
    if v.is_finite() && (-LIM..=LIM).contains(&v) && v.fract() == 0.0 {
        num::write_i64(out, v as i64);
    } else {
        num::write_f64(out, v);
    }
}
