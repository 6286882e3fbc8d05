//! Command family: bitmap — SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO
//! (Redis's bitops.c). The bit arithmetic lives in `util::bits`; this file parses arguments
//! in Redis's order and applies the results to the keyspace.

use super::args::Args;
use super::string::{keymiss, store, word_is};
use super::table::{flags, CommandDef, Handler};
use super::{notify, Ctx};
use crate::db::value::StrRef;
use crate::db::{Entry, Value};
use crate::error::{CmdResult, CommandError, NOT_INTEGER, SYNTAX, WRONGTYPE};
use crate::util::bits::{self, BitOp, Overflow};
use crate::util::num;

#[allow(clippy::too_many_arguments)]
const fn row(
    name: &'static str,
    handler: Handler,
    arity: i32,
    flags: u32,
    acl: &'static [&'static str],
    since: &'static str,
    summary: &'static str,
    complexity: &'static str,
    syntax: &'static str,
) -> CommandDef {
    CommandDef {
        name,
        handler,
        arity,
        flags,
        acl,
        first_key: 1,
        last_key: 1,
        step: 1,
        group: "bitmap",
        since,
        summary,
        complexity,
        syntax,
        ..CommandDef::DEFAULT
    }
}

const R: &[&str] = &["@read", "@bitmap"];
const W: &[&str] = &["@write", "@bitmap"];

pub const COMMANDS: &[CommandDef] = &[
    row(
        "setbit",
        setbit,
        4,
        flags::WRITE | flags::DENYOOM,
        W,
        "2.2.0",
        "Sets or clears the bit at offset in the string value stored at key",
        "O(1)",
        "key offset value",
    ),
    row(
        "getbit",
        getbit,
        3,
        flags::READONLY | flags::FAST,
        R,
        "2.2.0",
        "Returns the bit value at offset in the string value stored at key",
        "O(1)",
        "key offset",
    ),
    row(
        "bitcount",
        bitcount,
        -2,
        flags::READONLY,
        R,
        "2.6.0",
        "Count set bits in a string",
        "O(N)",
        "key [start end [BYTE | BIT]]",
    ),
    row(
        "bitpos",
        bitpos,
        -3,
        flags::READONLY,
        R,
        "2.8.7",
        "Find first bit set or clear in a string",
        "O(N)",
        "key bit [start [end [BYTE | BIT]]]",
    ),
    CommandDef {
        first_key: 2,
        last_key: -1,
        ..row(
            "bitop",
            bitop,
            -4,
            flags::WRITE | flags::DENYOOM,
            W,
            "2.6.0",
            "Perform bitwise operations between strings",
            "O(N)",
            "<AND | OR | XOR | NOT> destkey key [key ...]",
        )
    },
    row(
        "bitfield",
        bitfield,
        -2,
        flags::WRITE | flags::DENYOOM,
        W,
        "3.2.0",
        "Perform arbitrary bitfield integer operations on strings",
        "O(1) for each subcommand specified",
        "key [GET encoding offset | [OVERFLOW <WRAP | SAT | FAIL>] <SET encoding offset value | INCRBY encoding offset increment> [GET encoding offset | [OVERFLOW <WRAP | SAT | FAIL>] <SET encoding offset value | INCRBY encoding offset increment> ...]]",
    ),
    row(
        "bitfield_ro",
        bitfield_ro,
        -2,
        flags::READONLY | flags::FAST,
        R,
        "6.0.0",
        "Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD",
        "O(1) for each subcommand specified",
        "key [GET encoding offset [GET encoding offset ...]]",
    ),
];

const BIT_OFFSET_ERR: CommandError =
    CommandError::stat("ERR bit offset is not an integer or out of range");

fn max_bulk(ctx: &Ctx) -> u64 {
    ctx.st.cfg.proto_max_bulk_len.max(0) as u64
}

fn oom() -> CommandError {
    CommandError::stat("ERR out of memory allocating the string")
}

/// Redis's lookupStringForBitCommand: the key's string as a raw buffer at least
/// `maxbit / 8 + 1` bytes long, created if missing. Returns whether the key was created or
/// grew (`dirty`), and the buffer. WRONGTYPE for other types.
fn string_for_bits<'a>(
    ctx: &'a mut Ctx,
    key: &[u8],
    maxbit: u64,
) -> Result<(&'a mut Vec<u8>, bool), CommandError> {
    let (db, now) = (ctx.db(), ctx.now_ms);
    let lru = super::string::new_lru(ctx);
    let (e, new): (&mut Entry, bool) = ctx.st.ks.entry(db, key, now, lru);
    if new {
        e.value = Value::raw(Vec::new());
    } else if !e.value.is_string() {
        return Err(WRONGTYPE);
    }
    let v = e.value.make_raw();
    let old = v.len();
    if !bits::grow_for_bit(v, maxbit) {
        if new {
            // Do not leave the empty placeholder behind.
            ctx.st.ks.delete(db, key);
        }
        return Err(oom());
    }
    let dirty = new || v.len() != old;
    // Re-fetch through the same entry: `v` is the only borrow we hand out.
    let v = match ctx.st.ks.get(db, key, now).map(|e| &mut e.value) {
        Some(Value::Raw(b)) => &mut **b,
        _ => return Err(WRONGTYPE),
    };
    Ok((v, dirty))
}

fn setbit(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let offset = bits::parse_bit_offset(args.get(2), None, max_bulk(ctx)).ok_or(BIT_OFFSET_ERR)?;
    let bit_err = CommandError::stat("ERR bit is not an integer or out of range");
    let on = match num::parse_i64(args.get(3)) {
        Some(0) => false,
        Some(1) => true,
        _ => return Err(bit_err),
    };
    let key = args.get(1);
    let (v, dirty) = string_for_bits(ctx, key, offset)?;
    let old = bits::setbit(v, offset, on).ok_or_else(oom)?;
    if dirty || old != on {
        let db = ctx.db();
        ctx.modified(db, key);
        ctx.notify(notify::STRING, "setbit", db, key);
    }
    ctx.reply().int(old as i64);
    Ok(())
}

fn getbit(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let offset = bits::parse_bit_offset(args.get(2), None, max_bulk(ctx)).ok_or(BIT_OFFSET_ERR)?;
    let (db, now) = (ctx.db(), ctx.now_ms);
    let key = args.get(1);
    let (st, mut r) = ctx.parts();
    match st.ks.read(db, key, now) {
        None => {
            r.int(0);
            keymiss(ctx, db, key);
        }
        Some(e) => {
            let s = e.value.str_bytes().ok_or(WRONGTYPE)?;
            r.int(bits::getbit(s.as_bytes(), offset) as i64);
        }
    }
    Ok(())
}

/// Read lookup for BITCOUNT/BITPOS/BITFIELD_RO: Ok(None) for a missing key (after the
/// keymiss event), WRONGTYPE for other types, else the string's bytes (copied for ints).
fn read_string<'a>(ctx: &'a mut Ctx, key: &[u8]) -> Result<Option<StrRef<'a>>, CommandError> {
    let (db, now) = (ctx.db(), ctx.now_ms);
    if !ctx.st.ks.exists(db, key, now) {
        ctx.st.ks.stats.keyspace_misses += 1;
        keymiss(ctx, db, key);
        return Ok(None);
    }
    ctx.st.ks.stats.keyspace_hits += 1;
    let e = ctx.st.ks.dbs[db].dict.get(key).ok_or(WRONGTYPE)?;
    e.value.str_bytes().map(Some).ok_or(WRONGTYPE)
}

fn bitcount(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let argc = args.len();
    // 7.0 looks the key up first: a missing key is 0 whatever the other arguments are.
    let Some(s) = read_string(ctx, args.get(1))? else {
        ctx.reply().int(0);
        return Ok(());
    };
    let n = match argc {
        2 => bits::popcount(s.as_bytes()),
        4 | 5 => {
            let start = args.i64(2)?;
            let end = args.i64(3)?;
            let bit = argc == 5 && unit_is_bit(args.get(4))?;
            bits::bitcount_range(s.as_bytes(), start, end, bit)
        }
        _ => return Err(SYNTAX),
    };
    ctx.reply().int(n as i64);
    Ok(())
}

fn unit_is_bit(a: &[u8]) -> Result<bool, CommandError> {
    if word_is(a, "bit") {
        Ok(true)
    } else if word_is(a, "byte") {
        Ok(false)
    } else {
        Err(SYNTAX)
    }
}

fn bitpos(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let bit = match args.i64(2)? {
        0 => false,
        1 => true,
        _ => return Err(CommandError::stat("ERR The bit argument must be 1 or 0.")),
    };
    let argc = args.len();
    let Some(s) = read_string(ctx, args.get(1))? else {
        // A missing key is an endless run of zero bits.
        ctx.reply().int(if bit { -1 } else { 0 });
        return Ok(());
    };
    let (start, end, bit_unit) = match argc {
        3 => (None, None, false),
        4 => (Some(args.i64(3)?), None, false),
        5 | 6 => {
            let start = args.i64(3)?;
            let end = args.i64(4)?;
            let unit = argc == 6 && unit_is_bit(args.get(5))?;
            (Some(start), Some(end), unit)
        }
        _ => return Err(SYNTAX),
    };
    let pos = bits::bitpos(s.as_bytes(), bit, start, end, bit_unit);
    ctx.reply().int(pos);
    Ok(())
}

fn bitop(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let op = BitOp::parse(super::string::c_word(args.get(1))).ok_or(SYNTAX)?;
    if op == BitOp::Not && args.len() != 4 {
        return Err(CommandError::stat("ERR BITOP NOT must be called with a single source key."));
    }
    let (db, now) = (ctx.db(), ctx.now_ms);
    // First pass: lazy expiry, statistics and type checks, in argument order.
    for key in args.rest(3) {
        match ctx.st.ks.read(db, key, now) {
            None => keymiss(ctx, db, key),
            Some(e) if !e.value.is_string() => return Err(WRONGTYPE),
            Some(_) => {}
        }
    }
    // Second pass: shared borrows of every source at once, no copies.
    let res = {
        let dict = &ctx.st.ks.dbs[db].dict;
        let refs: Vec<StrRef> = args
            .rest(3)
            .map(|k| dict.get(k).and_then(|e| e.value.str_bytes()).unwrap_or(StrRef::Bytes(b"")))
            .collect();
        let srcs: Vec<&[u8]> = refs.iter().map(|r| r.as_bytes()).collect();
        bits::bitop(op, &srcs)
    };
    let dest = args.get(2);
    let len = res.len();
    if len > 0 {
        store(ctx, dest, Value::raw(res), Some(0));
        ctx.modified(db, dest);
        ctx.notify(notify::STRING, "set", db, dest);
    } else if ctx.st.ks.get(db, dest, now).is_some() {
        ctx.st.ks.delete(db, dest);
        ctx.modified(db, dest);
        ctx.notify(notify::GENERIC, "del", db, dest);
    }
    ctx.reply().int(len as i64);
    Ok(())
}

#[derive(Clone, Copy)]
enum FieldOp {
    Get,
    Set(i64),
    Incr(i64),
}

#[derive(Clone, Copy)]
struct Field {
    op: FieldOp,
    signed: bool,
    bits: u32,
    offset: u64,
    overflow: Overflow,
}

fn bitfield(ctx: &mut Ctx, args: &Args) -> CmdResult {
    bitfield_generic(ctx, args, false)
}

fn bitfield_ro(ctx: &mut Ctx, args: &Args) -> CmdResult {
    bitfield_generic(ctx, args, true)
}

fn bitfield_generic(ctx: &mut Ctx, args: &Args, ro_command: bool) -> CmdResult {
    let max = max_bulk(ctx);
    let mut ops: Vec<Field> = Vec::new();
    let mut overflow = Overflow::Wrap;
    let mut highest_write: Option<u64> = None;
    let mut j = 2;
    while j < args.len() {
        let remaining = args.len() - j - 1;
        let sub = args.get(j);
        let kind = if word_is(sub, "get") && remaining >= 2 {
            0
        } else if word_is(sub, "set") && remaining >= 3 {
            1
        } else if word_is(sub, "incrby") && remaining >= 3 {
            2
        } else if word_is(sub, "overflow") && remaining >= 1 {
            overflow = Overflow::parse(super::string::c_word(args.get(j + 1)))
                .ok_or(CommandError::stat("ERR Invalid OVERFLOW type specified"))?;
            j += 2;
            continue;
        } else {
            return Err(SYNTAX);
        };
        // The type is read as a C string (Redis uses strlen on it), unlike the offset.
        let (signed, width) = bits::parse_bitfield_type(super::string::c_word(args.get(j + 1))).ok_or(
            CommandError::stat(
                "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.",
            ),
        )?;
        let offset =
            bits::parse_bit_offset(args.get(j + 2), Some(width), max).ok_or(BIT_OFFSET_ERR)?;
        let op = if kind == 0 {
            FieldOp::Get
        } else {
            // offset / 8 < proto-max-bulk-len, so this cannot overflow.
            let last = offset + u64::from(width) - 1;
            highest_write = Some(highest_write.map_or(last, |h| h.max(last)));
            let v = num::parse_i64(args.get(j + 3)).ok_or(NOT_INTEGER)?;
            if kind == 1 {
                FieldOp::Set(v)
            } else {
                FieldOp::Incr(v)
            }
        };
        ops.push(Field { op, signed, bits: width, offset, overflow });
        j += if kind == 0 { 3 } else { 4 };
    }

    let Some(maxbit) = highest_write else {
        // Only GETs: a read lookup; a missing key reads as zeros.
        let s = read_string(ctx, args.get(1))?;
        let s = s.as_ref().map_or(&b""[..], |s| s.as_bytes());
        let vals: Vec<i64> =
            ops.iter().map(|f| bits::bitfield_get(s, f.offset, f.bits, f.signed)).collect();
        let mut r = ctx.reply();
        r.array(vals.len());
        for v in vals {
            r.int(v);
        }
        return Ok(());
    };
    if ro_command {
        return Err(CommandError::stat("ERR BITFIELD_RO only supports the GET subcommand"));
    }
    let key = args.get(1);
    let (v, dirty) = string_for_bits(ctx, key, maxbit)?;
    // Replies are gathered first: the buffer borrows the keyspace.
    let mut out: Vec<Option<i64>> = Vec::with_capacity(ops.len());
    let mut changes = 0u64;
    for f in &ops {
        let old = bits::bitfield_get(v, f.offset, f.bits, f.signed);
        let (new, reply) = match f.op {
            FieldOp::Get => {
                out.push(Some(old));
                continue;
            }
            FieldOp::Set(x) => {
                let n = bits::bitfield_set_value(x, f.bits, f.signed, f.overflow);
                (n, old)
            }
            FieldOp::Incr(by) => {
                let n = bits::incr_with_overflow(old, by, f.bits, f.signed, f.overflow);
                (n, n.unwrap_or(0))
            }
        };
        match new {
            Some(n) => {
                // The buffer already reaches the highest written bit.
                bits::bitfield_set(v, f.offset, f.bits, n);
                out.push(Some(reply));
                if dirty || old != n {
                    changes += 1;
                }
            }
            None => out.push(None),
        }
    }
    if changes > 0 {
        let db = ctx.db();
        ctx.modified(db, key);
        ctx.notify(notify::STRING, "setbit", db, key);
        ctx.st.dirty += changes - 1;
    }
    let mut r = ctx.reply();
    r.array(out.len());
    for v in out {
        match v {
            Some(v) => r.int(v),
            None => r.null(),
        }
    }
    Ok(())
}
