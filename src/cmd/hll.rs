//! Command family: hyperloglog — PFADD PFCOUNT PFMERGE PFDEBUG PFSELFTEST (Redis's
//! hyperloglog.c). The HLL itself is a string value in Redis's exact layout (`util::hll`).

use super::args::Args;
use super::object::new_object_lru;
use super::table::{flags, CommandDef};
use super::{notify, Ctx};
use crate::db::{Entry, Key, Value};
use crate::error::{CmdResult, CommandError, WRONGTYPE};
use crate::util::hll::{self, REGISTERS};

const NOT_HLL: CommandError =
    CommandError::stat("WRONGTYPE Key is not a valid HyperLogLog string value.");
const CORRUPT: CommandError = CommandError::stat("INVALIDOBJ Corrupted HLL object detected");

pub const COMMANDS: &[CommandDef] = &[
    CommandDef {
        name: "pfadd",
        handler: pfadd,
        arity: -2,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: &["@write", "@hyperloglog", "@fast"],
        first_key: 1,
        last_key: 1,
        step: 1,
        group: "hyperloglog",
        since: "2.8.9",
        summary: "Adds the specified elements to the specified HyperLogLog.",
        complexity: "O(1) to add every element.",
        syntax: "key [element [element ...]]",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "pfcount",
        handler: pfcount,
        arity: -2,
        flags: flags::READONLY | flags::MAY_REPLICATE,
        acl: &["@read", "@hyperloglog", "@slow"],
        first_key: 1,
        last_key: -1,
        step: 1,
        group: "hyperloglog",
        since: "2.8.9",
        summary: "Return the approximated cardinality of the set(s) observed by the HyperLogLog at key(s).",
        complexity: "O(1) with a very small average constant time when called with a single key. O(N) with N being the number of keys, and much bigger constant times, when called with multiple keys.",
        syntax: "key [key ...]",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "pfmerge",
        handler: pfmerge,
        arity: -2,
        flags: flags::WRITE | flags::DENYOOM,
        acl: &["@write", "@hyperloglog", "@slow"],
        first_key: 1,
        last_key: -1,
        step: 1,
        group: "hyperloglog",
        since: "2.8.9",
        summary: "Merge N different HyperLogLogs into a single one.",
        complexity: "O(N) to merge N HyperLogLogs, but with high constant times.",
        syntax: "destkey [sourcekey [sourcekey ...]]",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "pfdebug",
        handler: pfdebug,
        arity: 3,
        flags: flags::WRITE | flags::DENYOOM | flags::ADMIN,
        acl: &["@write", "@hyperloglog", "@admin", "@slow", "@dangerous"],
        first_key: 2,
        last_key: 2,
        step: 1,
        group: "hyperloglog",
        since: "2.8.9",
        summary: "Internal commands for debugging HyperLogLog values",
        complexity: "N/A",
        syntax: "subcommand key",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "pfselftest",
        handler: pfselftest,
        arity: 1,
        flags: flags::ADMIN,
        acl: &["@hyperloglog", "@admin", "@slow", "@dangerous"],
        group: "hyperloglog",
        since: "2.8.9",
        summary: "An internal command for testing HyperLogLog values",
        complexity: "N/A",
        syntax: "",
        ..CommandDef::DEFAULT
    },
];

/// Redis's isHLLObjectOrReply: a string (not int-encoded) with a valid header and size.
fn check(value: &Value) -> Result<(), CommandError> {
    if !value.is_string() {
        return Err(WRONGTYPE);
    }
    if matches!(value, Value::Int(_)) {
        return Err(NOT_HLL);
    }
    match value.str_bytes() {
        Some(s) if hll::is_valid(s.as_bytes()) => Ok(()),
        _ => Err(NOT_HLL),
    }
}

fn sparse_max(ctx: &Ctx) -> usize {
    ctx.st.cfg.hll_sparse_max_bytes
}

fn pfadd(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (db, now, key) = (ctx.db(), ctx.now_ms, args.get(1));
    let max_bytes = sparse_max(ctx);
    let mut updated = 0u64;
    if ctx.st.ks.get(db, key, now).is_none() {
        let lru = new_object_lru(ctx);
        let entry = Entry { expire: 0, lru, value: Value::raw(hll::new_sparse()) };
        ctx.st.ks.insert_entry(db, Key::new(key), entry);
        updated += 1;
    }
    let Some(e) = ctx.st.ks.get(db, key, now) else { return Ok(()) };
    check(&e.value)?;
    let b = e.value.make_raw();
    for ele in args.rest(2) {
        if hll::add(b, ele, max_bytes).map_err(|_| CORRUPT)? {
            updated += 1;
        }
    }
    if updated > 0 {
        hll::invalidate_cache(b);
        ctx.modified(db, key);
        ctx.notify(notify::STRING, "pfadd", db, key);
        ctx.st.dirty += updated - 1;
    }
    ctx.reply().int((updated > 0) as i64);
    Ok(())
}

fn pfcount(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (db, now) = (ctx.db(), ctx.now_ms);
    if args.len() > 2 {
        let mut max = Box::new([0u8; REGISTERS]);
        for key in args.rest(1) {
            let Some(e) = ctx.st.ks.read(db, key, now) else { continue };
            check(&e.value)?;
            let s = e.value.str_bytes().ok_or(NOT_HLL)?;
            hll::merge_into(&mut max, s.as_bytes()).map_err(|_| CORRUPT)?;
        }
        ctx.reply().int(hll::count_raw(&max) as i64);
        return Ok(());
    }
    let key = args.get(1);
    let Some(e) = ctx.st.ks.read(db, key, now) else {
        ctx.reply().int(0);
        return Ok(());
    };
    check(&e.value)?;
    let cached = e.value.str_bytes().and_then(|s| hll::cached_card(s.as_bytes()));
    let card = match cached {
        Some(c) => c,
        None => {
            // Refreshing the cache rewrites the string, as in Redis (raw encoding after).
            let b = e.value.make_raw();
            let c = hll::count(b).map_err(|_| CORRUPT)?;
            hll::set_cached_card(b, c);
            ctx.modified(db, key);
            c
        }
    };
    ctx.reply().int(card as i64);
    Ok(())
}

fn pfmerge(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (db, now, dest) = (ctx.db(), ctx.now_ms, args.get(1));
    let max_bytes = sparse_max(ctx);
    let mut max = Box::new([0u8; REGISTERS]);
    let mut use_dense = false;
    for key in args.rest(1) {
        let Some(e) = ctx.st.ks.read(db, key, now) else { continue };
        check(&e.value)?;
        let s = e.value.str_bytes().ok_or(NOT_HLL)?;
        let b = s.as_bytes();
        use_dense |= b[4] == hll::DENSE;
        hll::merge_into(&mut max, b).map_err(|_| CORRUPT)?;
    }
    if ctx.st.ks.get(db, dest, now).is_none() {
        let lru = new_object_lru(ctx);
        let entry = Entry { expire: 0, lru, value: Value::raw(hll::new_sparse()) };
        ctx.st.ks.insert_entry(db, Key::new(dest), entry);
    }
    let Some(e) = ctx.st.ks.get(db, dest, now) else { return Ok(()) };
    let b = e.value.make_raw();
    if use_dense {
        hll::sparse_to_dense(b).map_err(|_| CORRUPT)?;
    }
    for (i, &m) in max.iter().enumerate() {
        if m != 0 {
            // A corrupt destination was already refused by the merge above.
            let _ = hll::set_register(b, i, m, max_bytes);
        }
    }
    hll::invalidate_cache(b);
    ctx.modified(db, dest);
    // Redis emits pfadd for a merge: in effect it is a mass add.
    ctx.notify(notify::STRING, "pfadd", db, dest);
    ctx.reply().ok();
    Ok(())
}

fn pfdebug(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (db, now, key) = (ctx.db(), ctx.now_ms, args.get(2));
    let sub = String::from_utf8_lossy(args.get(1)).into_owned();
    let Some(e) = ctx.st.ks.get(db, key, now) else {
        return Err(CommandError::stat("ERR The specified key does not exist"));
    };
    check(&e.value)?;
    let b = e.value.make_raw();
    match sub.to_ascii_lowercase().as_str() {
        "getreg" => {
            let converted = b[4] == hll::SPARSE;
            hll::sparse_to_dense(b).map_err(|_| CORRUPT)?;
            let regs: Vec<u8> =
                (0..REGISTERS).map(|i| hll::dense_get(&b[hll::HDR_SIZE..], i)).collect();
            if converted {
                ctx.st.dirty += 1;
            }
            let mut r = ctx.reply();
            r.array(REGISTERS);
            for v in regs {
                r.int(v as i64);
            }
        }
        "decode" => {
            if b[4] != hll::SPARSE {
                return Err(CommandError::stat("ERR HLL encoding is not sparse"));
            }
            let text = hll::decode(b);
            ctx.reply().bulk(text.as_bytes());
        }
        "encoding" => {
            let name: &[u8] = if b[4] == hll::DENSE { b"dense" } else { b"sparse" };
            ctx.reply().simple(name);
        }
        "todense" => {
            let converted = b[4] == hll::SPARSE;
            hll::sparse_to_dense(b).map_err(|_| CORRUPT)?;
            if converted {
                ctx.st.dirty += 1;
            }
            ctx.reply().int(converted as i64);
        }
        _ => return Err(CommandError::msg(format!("ERR Unknown PFDEBUG subcommand '{sub}'"))),
    }
    Ok(())
}

/// Checks the register packing against a plain byte array and the estimator's error against
/// the expected bound, as Redis's self-test does.
fn pfselftest(ctx: &mut Ctx, _args: &Args) -> CmdResult {
    let mut seed = 0x9e37_79b9_7f4a_7c15u64 ^ ctx.now_ms as u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut regs = vec![0u8; hll::DENSE_SIZE - hll::HDR_SIZE];
    let mut bytes = vec![0u8; REGISTERS];
    for _ in 0..100 {
        for (i, b) in bytes.iter_mut().enumerate() {
            let r = (next() & 63) as u8;
            *b = r;
            hll::dense_set(&mut regs, i, r);
        }
        for (i, &b) in bytes.iter().enumerate() {
            let v = hll::dense_get(&regs, i);
            if v != b {
                return Err(CommandError::msg(format!(
                    "TESTFAILED Register {i} should be {b} but is {v}"
                )));
            }
        }
    }
    // Sparse and dense must agree at every checkpoint, and the error must stay within six
    // standard errors (one at cardinality 10, where collisions make it noisy).
    let max_bytes = sparse_max(ctx);
    let mut sparse = hll::new_sparse();
    let mut dense = hll::new_sparse();
    hll::sparse_to_dense(&mut dense).map_err(|_| CORRUPT)?;
    let relerr = 1.04 / (REGISTERS as f64).sqrt();
    let seed = next();
    let mut checkpoint = 1u64;
    for j in 1..=1_000_000u64 {
        let ele = (j ^ seed).to_le_bytes();
        let _ = hll::add(&mut sparse, &ele, max_bytes);
        let _ = hll::add(&mut dense, &ele, max_bytes);
        if j != checkpoint {
            continue;
        }
        if (j as usize) < max_bytes / 2 && sparse[4] != hll::SPARSE {
            return Err(CommandError::stat("TESTFAILED sparse encoding not used"));
        }
        let d = hll::count(&dense).map_err(|_| CORRUPT)?;
        if hll::count(&sparse).map_err(|_| CORRUPT)? != d {
            return Err(CommandError::stat("TESTFAILED dense/sparse disagree"));
        }
        let maxerr = if j == 10 { 1 } else { (relerr * 6.0 * checkpoint as f64).ceil() as u64 };
        let abserr = checkpoint.abs_diff(d);
        if abserr > maxerr {
            return Err(CommandError::msg(format!(
                "TESTFAILED Too big error. card:{checkpoint} abserr:{abserr}"
            )));
        }
        checkpoint *= 10;
    }
    ctx.reply().ok();
    Ok(())
}
