//! Command family: string — GET SET SETNX SETEX PSETEX GETSET GETDEL GETEX MGET MSET MSETNX
//! INCR DECR INCRBY DECRBY INCRBYFLOAT APPEND STRLEN GETRANGE SUBSTR SETRANGE LCS
//! (Redis's t_string.c).
//!
//! GET, SET, INCR and MSET are what redis-benchmark measures: their paths do one dict
//! lookup (`Keyspace::read` / `Keyspace::entry` / `Keyspace::upsert`), store short values
//! inline and never format numbers they do not reply with.

use super::args::Args;
use super::object::new_object_lru;
use super::table::{flags, CommandDef, Handler};
use super::{arity_text, notify, Ctx};
use crate::config::MaxmemoryPolicy;
use crate::db::Value;
use crate::error::{
    CmdResult, CommandError, NOT_INTEGER, OVERFLOW, STRING_TOO_LONG, SYNTAX, WRONGTYPE,
};
use crate::resp::reply::Reply;
use crate::util::{bits, num};

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
        group: "string",
        since,
        summary,
        complexity,
        syntax,
        ..CommandDef::DEFAULT
    }
}

const R: &[&str] = &["@read", "@string"];
const W: &[&str] = &["@write", "@string"];
const RO: u32 = flags::READONLY;
const WR: u32 = flags::WRITE;
const FAST: u32 = flags::FAST;
const DENYOOM: u32 = flags::DENYOOM;
const RANGE_COMPLEXITY: &str = "O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.";

pub const COMMANDS: &[CommandDef] = &[
    row("get", get, 2, RO | FAST, R, "1.0.0", "Get the value of a key", "O(1)", "key"),
    row(
        "set",
        set,
        -3,
        WR | DENYOOM,
        W,
        "1.0.0",
        "Set the string value of a key",
        "O(1)",
        "key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL]",
    ),
    row(
        "setnx",
        setnx,
        3,
        WR | DENYOOM | FAST,
        W,
        "1.0.0",
        "Set the value of a key, only if the key does not exist",
        "O(1)",
        "key value",
    ),
    row(
        "setex",
        setex,
        4,
        WR | DENYOOM,
        W,
        "2.0.0",
        "Set the value and expiration of a key",
        "O(1)",
        "key seconds value",
    ),
    row(
        "psetex",
        psetex,
        4,
        WR | DENYOOM,
        W,
        "2.6.0",
        "Set the value and expiration in milliseconds of a key",
        "O(1)",
        "key milliseconds value",
    ),
    row(
        "getset",
        getset,
        3,
        WR | DENYOOM | FAST,
        W,
        "1.0.0",
        "Set the string value of a key and return its old value",
        "O(1)",
        "key value",
    ),
    row(
        "getdel",
        getdel,
        2,
        WR | FAST,
        W,
        "6.2.0",
        "Get the value of a key and delete the key",
        "O(1)",
        "key",
    ),
    row(
        "getex",
        getex,
        -2,
        WR | FAST,
        W,
        "6.2.0",
        "Get the value of a key and optionally set its expiration",
        "O(1)",
        "key [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | PERSIST]",
    ),
    CommandDef {
        last_key: -1,
        ..row(
            "mget",
            mget,
            -2,
            RO | FAST,
            R,
            "1.0.0",
            "Get the values of all the given keys",
            "O(N) where N is the number of keys to retrieve.",
            "key [key ...]",
        )
    },
    CommandDef {
        last_key: -1,
        step: 2,
        ..row(
            "mset",
            mset,
            -3,
            WR | DENYOOM,
            W,
            "1.0.1",
            "Set multiple keys to multiple values",
            "O(N) where N is the number of keys to set.",
            "key value [key value ...]",
        )
    },
    CommandDef {
        last_key: -1,
        step: 2,
        ..row(
            "msetnx",
            msetnx,
            -3,
            WR | DENYOOM,
            W,
            "1.0.1",
            "Set multiple keys to multiple values, only if none of the keys exist",
            "O(N) where N is the number of keys to set.",
            "key value [key value ...]",
        )
    },
    row(
        "incr",
        incr,
        2,
        WR | DENYOOM | FAST,
        W,
        "1.0.0",
        "Increment the integer value of a key by one",
        "O(1)",
        "key",
    ),
    row(
        "decr",
        decr,
        2,
        WR | DENYOOM | FAST,
        W,
        "1.0.0",
        "Decrement the integer value of a key by one",
        "O(1)",
        "key",
    ),
    row(
        "incrby",
        incrby,
        3,
        WR | DENYOOM | FAST,
        W,
        "1.0.0",
        "Increment the integer value of a key by the given amount",
        "O(1)",
        "key increment",
    ),
    row(
        "decrby",
        decrby,
        3,
        WR | DENYOOM | FAST,
        W,
        "1.0.0",
        "Decrement the integer value of a key by the given number",
        "O(1)",
        "key decrement",
    ),
    row(
        "incrbyfloat",
        incrbyfloat,
        3,
        WR | DENYOOM | FAST,
        W,
        "2.6.0",
        "Increment the float value of a key by the given amount",
        "O(1)",
        "key increment",
    ),
    row(
        "append",
        append,
        3,
        WR | DENYOOM | FAST,
        W,
        "2.0.0",
        "Append a value to a key",
        "O(1). The amortized time complexity is O(1) assuming the appended value is small and the already present value is of any size, since the dynamic string library used by Redis will double the free space available on every reallocation.",
        "key value",
    ),
    row(
        "strlen",
        strlen,
        2,
        RO | FAST,
        R,
        "2.2.0",
        "Get the length of the value stored in a key",
        "O(1)",
        "key",
    ),
    row(
        "getrange",
        getrange,
        4,
        RO,
        R,
        "2.4.0",
        "Get a substring of the string stored at a key",
        RANGE_COMPLEXITY,
        "key start end",
    ),
    row(
        "setrange",
        setrange,
        4,
        WR | DENYOOM,
        W,
        "2.2.0",
        "Overwrite part of a string at key starting at the specified offset",
        "O(1), not counting the time taken to copy the new string in place. Usually, this string is very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length of the value argument.",
        "key offset value",
    ),
    row(
        "substr",
        getrange,
        4,
        RO,
        R,
        "1.0.0",
        "Get a substring of the string stored at a key",
        RANGE_COMPLEXITY,
        "key start end",
    ),
    CommandDef {
        last_key: 2,
        ..row(
            "lcs",
            lcs,
            -3,
            RO,
            R,
            "7.0.0",
            "Find longest common substring",
            "O(N*M) where N and M are the lengths of s1 and s2, respectively",
            "key1 key2 [LEN] [IDX] [MINMATCHLEN min-match-len] [WITHMATCHLEN]",
        )
    },
];

// ---------------------------------------------------------------------------------------
// Shared helpers (also used by the bitmap family).

/// Redis compares option words as C strings: an argument is read up to its first NUL.
#[inline]
pub(crate) fn c_word(a: &[u8]) -> &[u8] {
    match memchr::memchr(0, a) {
        Some(i) => &a[..i],
        None => a,
    }
}

#[inline]
pub(crate) fn word_is(a: &[u8], w: &str) -> bool {
    c_word(a).eq_ignore_ascii_case(w.as_bytes())
}

/// Under an LFU policy an overwritten key keeps its access counter (dbOverwrite), and a
/// new one starts from LFU_INIT_VAL; otherwise the LRU clock is all that is needed.
#[inline]
pub(crate) fn lfu_policy(ctx: &Ctx) -> bool {
    matches!(
        ctx.st.cfg.maxmemory_policy,
        MaxmemoryPolicy::AllkeysLfu | MaxmemoryPolicy::VolatileLfu
    )
}

#[inline]
pub(crate) fn new_lru(ctx: &Ctx) -> u32 {
    if lfu_policy(ctx) {
        new_object_lru(ctx)
    } else {
        ctx.lru()
    }
}

/// Emitted by every read lookup that misses (Redis's lookupKeyRead).
#[inline]
pub(crate) fn keymiss(ctx: &mut Ctx, db: usize, key: &[u8]) {
    ctx.notify(notify::KEY_MISS, "keymiss", db, key);
}

/// Write `key` as `value`, dropping any TTL (Redis's setKey without KEEPTTL).
pub(crate) fn store(ctx: &mut Ctx, key: &[u8], value: Value, expire: Option<i64>) {
    let (db, now) = (ctx.db(), ctx.now_ms);
    let lru = new_lru(ctx);
    let keep = lfu_policy(ctx);
    ctx.st.ks.upsert(db, key, value, expire, lru, keep, now);
}

/// getGenericCommand: reply with the string at `key` (null if missing). Err on wrong type.
fn reply_get(ctx: &mut Ctx, key: &[u8]) -> Result<bool, CommandError> {
    let (db, now) = (ctx.db(), ctx.now_ms);
    let (st, mut r) = ctx.parts();
    let found = match st.ks.read(db, key, now) {
        None => {
            r.null();
            false
        }
        Some(e) => match e.value.str_bytes() {
            Some(s) => {
                r.bulk(s.as_bytes());
                true
            }
            None => return Err(WRONGTYPE),
        },
    };
    if !found {
        keymiss(ctx, db, key);
    }
    Ok(found)
}

fn check_len(ctx: &Ctx, len: u64) -> CmdResult {
    if len > ctx.st.cfg.proto_max_bulk_len.max(0) as u64 {
        return Err(STRING_TOO_LONG);
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// GET / SET family

fn get(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (db, now) = (ctx.db(), ctx.now_ms);
    let key = args.get(1);
    let (st, mut r) = ctx.parts();
    match st.ks.read(db, key, now) {
        Some(e) => match e.value.str_bytes() {
            Some(s) => {
                r.bulk(s.as_bytes());
                Ok(())
            }
            None => Err(WRONGTYPE),
        },
        None => {
            r.null();
            keymiss(ctx, db, key);
            Ok(())
        }
    }
}

// parseExtendedStringArgumentsOrReply flags.
const F_NX: u16 = 1 << 0;
const F_XX: u16 = 1 << 1;
const F_EX: u16 = 1 << 2;
const F_PX: u16 = 1 << 3;
const F_KEEPTTL: u16 = 1 << 4;
const F_GET: u16 = 1 << 5;
const F_EXAT: u16 = 1 << 6;
const F_PXAT: u16 = 1 << 7;
const F_PERSIST: u16 = 1 << 8;
const F_ANY_EXPIRE: u16 = F_EX | F_PX | F_EXAT | F_PXAT;

struct Ext<'a> {
    flags: u16,
    expire: Option<&'a [u8]>,
}

/// SET's options from argv[3] (`set`) or GETEX's from argv[2], with Redis's rules: each
/// option is refused (syntax error) when a conflicting one came before it, NX/XX/GET/KEEPTTL
/// exist only for SET and PERSIST only for GETEX, and a repeated EX/PX/EXAT/PXAT replaces
/// the earlier time.
fn parse_ext<'a>(args: &Args<'a>, set: bool) -> Result<Ext<'a>, CommandError> {
    let mut f = 0u16;
    let mut expire = None;
    let mut j = if set { 3 } else { 2 };
    while j < args.len() {
        let opt = c_word(args.get(j));
        let next = j + 1 < args.len();
        let is = |w: &str| opt.eq_ignore_ascii_case(w.as_bytes());
        let timed = |excl: u16| f & (F_KEEPTTL | F_PERSIST | (F_ANY_EXPIRE & !excl)) == 0 && next;
        if set && is("nx") && f & F_XX == 0 {
            f |= F_NX;
        } else if set && is("xx") && f & F_NX == 0 {
            f |= F_XX;
        } else if set && is("get") {
            f |= F_GET;
        } else if set && is("keepttl") && f & (F_PERSIST | F_ANY_EXPIRE) == 0 {
            f |= F_KEEPTTL;
        } else if !set && is("persist") && f & (F_ANY_EXPIRE | F_KEEPTTL) == 0 {
            f |= F_PERSIST;
        } else if let Some(flag) = [("ex", F_EX), ("px", F_PX), ("exat", F_EXAT), ("pxat", F_PXAT)]
            .into_iter()
            .find(|&(w, fl)| is(w) && timed(fl))
            .map(|(_, fl)| fl)
        {
            f |= flag;
            expire = Some(args.get(j + 1));
            j += 1;
        } else {
            return Err(SYNTAX);
        }
        j += 1;
    }
    Ok(Ext { flags: f, expire })
}

fn invalid_expire(name: &str) -> CommandError {
    CommandError::msg(format!("ERR invalid expire time in '{name}' command"))
}

/// getExpireMillisecondsOrReply: the absolute deadline in unix ms.
fn expire_at(arg: &[u8], f: u16, now: i64, name: &str) -> Result<i64, CommandError> {
    let mut ms = num::parse_i64(arg).ok_or(NOT_INTEGER)?;
    let seconds = f & (F_EX | F_EXAT) != 0;
    if ms <= 0 || (seconds && ms > i64::MAX / 1000) {
        return Err(invalid_expire(name));
    }
    if seconds {
        ms *= 1000;
    }
    if f & (F_EX | F_PX) != 0 {
        ms = ms.checked_add(now).ok_or_else(|| invalid_expire(name))?;
    }
    Ok(ms)
}

fn set(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let key = args.get(1);
    if args.len() == 3 {
        let db = ctx.db();
        store(ctx, key, Value::string(args.get(2)), Some(0));
        ctx.modified(db, key);
        ctx.notify(notify::STRING, "set", db, key);
        ctx.reply().ok();
        return Ok(());
    }
    let ext = parse_ext(args, true)?;
    set_generic(ctx, ext.flags, key, args.get(2), ext.expire, "set", false)
}

fn setnx(ctx: &mut Ctx, args: &Args) -> CmdResult {
    set_generic(ctx, F_NX, args.get(1), args.get(2), None, "setnx", true)
}

fn setex(ctx: &mut Ctx, args: &Args) -> CmdResult {
    set_generic(ctx, F_EX, args.get(1), args.get(3), Some(args.get(2)), "setex", false)
}

fn psetex(ctx: &mut Ctx, args: &Args) -> CmdResult {
    set_generic(ctx, F_PX, args.get(1), args.get(3), Some(args.get(2)), "psetex", false)
}

/// setGenericCommand. `int_replies`: SETNX answers :1/:0 instead of +OK/null.
fn set_generic(
    ctx: &mut Ctx,
    f: u16,
    key: &[u8],
    val: &[u8],
    expire: Option<&[u8]>,
    name: &str,
    int_replies: bool,
) -> CmdResult {
    let (db, now) = (ctx.db(), ctx.now_ms);
    let when = match expire {
        Some(a) => Some(expire_at(a, f, now, name)?),
        None => None,
    };
    if f & F_GET != 0 {
        reply_get(ctx, key)?;
    }
    if f & (F_NX | F_XX) != 0 {
        let found = ctx.st.ks.exists(db, key, now);
        if (f & F_NX != 0 && found) || (f & F_XX != 0 && !found) {
            if f & F_GET == 0 {
                if int_replies {
                    ctx.reply().int(0);
                } else {
                    ctx.reply().null();
                }
            }
            return Ok(());
        }
    }
    let ttl = match when {
        Some(t) => Some(t),
        None if f & F_KEEPTTL != 0 => None,
        None => Some(0),
    };
    store(ctx, key, Value::string(val), ttl);
    ctx.modified(db, key);
    ctx.notify(notify::STRING, "set", db, key);
    if when.is_some() {
        ctx.notify(notify::GENERIC, "expire", db, key);
    }
    if f & F_GET == 0 {
        if int_replies {
            ctx.reply().int(1);
        } else {
            ctx.reply().ok();
        }
    }
    Ok(())
}

fn getset(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let key = args.get(1);
    reply_get(ctx, key)?;
    let db = ctx.db();
    store(ctx, key, Value::string(args.get(2)), Some(0));
    ctx.modified(db, key);
    ctx.notify(notify::STRING, "set", db, key);
    Ok(())
}

fn getdel(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let key = args.get(1);
    if reply_get(ctx, key)? {
        let db = ctx.db();
        ctx.st.ks.delete(db, key);
        ctx.modified(db, key);
        ctx.notify(notify::GENERIC, "del", db, key);
    }
    Ok(())
}

fn getex(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let ext = parse_ext(args, false)?;
    let (db, now) = (ctx.db(), ctx.now_ms);
    let key = args.get(1);
    let had_ttl = {
        let (st, mut r) = ctx.parts();
        match st.ks.read(db, key, now) {
            None => {
                r.null();
                None
            }
            Some(e) => {
                let Some(s) = e.value.str_bytes() else { return Err(WRONGTYPE) };
                // The time is validated after the type and before the reply.
                let had_ttl = e.expire != 0;
                let when = match ext.expire {
                    Some(a) => Some(expire_at(a, ext.flags, now, "getex")?),
                    None => None,
                };
                r.bulk(s.as_bytes());
                Some((had_ttl, when))
            }
        }
    };
    let Some((had_ttl, when)) = had_ttl else {
        keymiss(ctx, db, key);
        return Ok(());
    };
    match when {
        Some(t) if ext.flags & (F_EXAT | F_PXAT) != 0 && t <= now => {
            ctx.st.ks.delete_expired(db, key);
            ctx.modified(db, key);
            ctx.notify(notify::GENERIC, "del", db, key);
        }
        Some(t) => {
            ctx.st.ks.set_expire(db, key, t);
            ctx.modified(db, key);
            ctx.notify(notify::GENERIC, "expire", db, key);
        }
        None if ext.flags & F_PERSIST != 0 && had_ttl => {
            ctx.st.ks.set_expire(db, key, 0);
            ctx.modified(db, key);
            ctx.notify(notify::GENERIC, "persist", db, key);
        }
        None => {}
    }
    Ok(())
}

fn mget(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (db, now) = (ctx.db(), ctx.now_ms);
    ctx.reply().array(args.len() - 1);
    for key in args.rest(1) {
        let (st, mut r) = ctx.parts();
        let hit = match st.ks.read(db, key, now) {
            None => false,
            Some(e) => {
                match e.value.str_bytes() {
                    Some(s) => r.bulk(s.as_bytes()),
                    None => r.null(),
                }
                true
            }
        };
        if !hit {
            ctx.reply().null();
            keymiss(ctx, db, key);
        }
    }
    Ok(())
}

fn mset_arity(args: &Args, name: &str) -> CmdResult {
    if args.len() % 2 == 0 {
        return Err(CommandError::msg(arity_text(name)));
    }
    Ok(())
}

fn mset(ctx: &mut Ctx, args: &Args) -> CmdResult {
    mset_arity(args, "mset")?;
    mset_all(ctx, args);
    ctx.reply().ok();
    Ok(())
}

fn msetnx(ctx: &mut Ctx, args: &Args) -> CmdResult {
    mset_arity(args, "msetnx")?;
    let (db, now) = (ctx.db(), ctx.now_ms);
    let mut i = 1;
    while i < args.len() {
        if ctx.st.ks.exists(db, args.get(i), now) {
            ctx.reply().int(0);
            return Ok(());
        }
        i += 2;
    }
    mset_all(ctx, args);
    ctx.reply().int(1);
    Ok(())
}

fn mset_all(ctx: &mut Ctx, args: &Args) {
    let (db, now) = (ctx.db(), ctx.now_ms);
    let lru = new_lru(ctx);
    let keep = lfu_policy(ctx);
    let mut i = 1;
    while i + 1 < args.len() {
        let key = args.get(i);
        ctx.st.ks.upsert(db, key, Value::string(args.get(i + 1)), Some(0), lru, keep, now);
        ctx.modified(db, key);
        ctx.notify(notify::STRING, "set", db, key);
        i += 2;
    }
}

// ---------------------------------------------------------------------------------------
// Counters

fn incr(ctx: &mut Ctx, args: &Args) -> CmdResult {
    incr_by(ctx, args.get(1), 1)
}

fn decr(ctx: &mut Ctx, args: &Args) -> CmdResult {
    incr_by(ctx, args.get(1), -1)
}

fn incrby(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let by = args.i64(2)?;
    incr_by(ctx, args.get(1), by)
}

fn decrby(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let by = args.i64(2)?;
    if by == i64::MIN {
        return Err(CommandError::stat("ERR decrement would overflow"));
    }
    incr_by(ctx, args.get(1), -by)
}

/// incrDecrCommand in one dict lookup. A missing key starts at 0, which no increment can
/// overflow, so the placeholder `entry` inserts is always filled.
fn incr_by(ctx: &mut Ctx, key: &[u8], by: i64) -> CmdResult {
    let (db, now) = (ctx.db(), ctx.now_ms);
    let lfu = lfu_policy(ctx);
    let lru = if lfu { new_object_lru(ctx) } else { ctx.lru() };
    let (e, new) = ctx.st.ks.entry(db, key, now, lru);
    let old = match &e.value {
        _ if new => 0,
        Value::Int(i) => *i,
        v if v.is_string() => v.as_i64().ok_or(NOT_INTEGER)?,
        _ => return Err(WRONGTYPE),
    };
    let v = old.checked_add(by).ok_or(OVERFLOW)?;
    e.value = Value::Int(v);
    if !lfu {
        e.lru = lru;
    }
    ctx.modified(db, key);
    ctx.notify(notify::STRING, "incrby", db, key);
    ctx.reply().int(v);
    Ok(())
}

fn incrbyfloat(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (db, now) = (ctx.db(), ctx.now_ms);
    let key = args.get(1);
    let result = match ctx.st.ks.get(db, key, now) {
        None => num::incr_by_float(b"0", args.get(2)),
        Some(e) => {
            let Some(cur) = e.value.str_bytes() else { return Err(WRONGTYPE) };
            num::incr_by_float(cur.as_bytes(), args.get(2))
        }
    }
    .map_err(|e| CommandError::stat(e.message()))?;
    // createStringObjectFromLongDouble: embstr or raw by length, never int.
    store(ctx, key, Value::string_no_int(&result), None);
    ctx.modified(db, key);
    ctx.notify(notify::STRING, "incrbyfloat", db, key);
    ctx.reply().bulk(&result);
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Editing and ranges

fn append(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (db, now) = (ctx.db(), ctx.now_ms);
    let (key, add) = (args.get(1), args.get(2));
    let max = ctx.st.cfg.proto_max_bulk_len.max(0) as u64;
    let lru = new_lru(ctx);
    let (e, new) = ctx.st.ks.entry(db, key, now, lru);
    let total = if new {
        // A new key takes the argument with its usual encoding (int/embstr/raw).
        e.value = Value::string(add);
        add.len()
    } else {
        if !e.value.is_string() {
            return Err(WRONGTYPE);
        }
        let total = e.value.str_len() + add.len();
        if total as u64 > max {
            return Err(STRING_TOO_LONG);
        }
        e.value.make_raw().extend_from_slice(add);
        total
    };
    ctx.modified(db, key);
    ctx.notify(notify::STRING, "append", db, key);
    ctx.reply().int(total as i64);
    Ok(())
}

fn strlen(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (db, now) = (ctx.db(), ctx.now_ms);
    let key = args.get(1);
    let (st, mut r) = ctx.parts();
    match st.ks.read(db, key, now) {
        Some(e) if !e.value.is_string() => return Err(WRONGTYPE),
        Some(e) => r.int(e.value.str_len() as i64),
        None => {
            r.int(0);
            keymiss(ctx, db, key);
        }
    }
    Ok(())
}

/// The inclusive byte range GETRANGE returns, or None for an empty reply.
fn substr_range(start: i64, end: i64, len: usize) -> Option<(usize, usize)> {
    let len = len as i64;
    if (start < 0 && end < 0 && start > end) || len == 0 {
        return None;
    }
    let start = if start < 0 { start + len } else { start }.max(0);
    let end = if end < 0 { end + len } else { end }.clamp(0, len - 1);
    (start <= end).then_some((start as usize, end as usize))
}

fn getrange(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let start = args.i64(2)?;
    let end = args.i64(3)?;
    let (db, now) = (ctx.db(), ctx.now_ms);
    let key = args.get(1);
    let (st, mut r) = ctx.parts();
    match st.ks.read(db, key, now) {
        None => {
            r.bulk(b"");
            keymiss(ctx, db, key);
        }
        Some(e) => {
            let Some(s) = e.value.str_bytes() else { return Err(WRONGTYPE) };
            let s = s.as_bytes();
            match substr_range(start, end, s.len()) {
                Some((a, b)) => r.bulk(&s[a..=b]),
                None => r.bulk(b""),
            }
        }
    }
    Ok(())
}

fn setrange(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let offset = args.i64(2)?;
    if offset < 0 {
        return Err(CommandError::stat("ERR offset is out of range"));
    }
    let (db, now) = (ctx.db(), ctx.now_ms);
    let (key, value) = (args.get(1), args.get(3));
    // Offsets near i64::MAX overflow the sum; they are over any size limit anyway.
    let total = (offset as u64).saturating_add(value.len() as u64);
    let len = match ctx.st.ks.get(db, key, now) {
        None => {
            if value.is_empty() {
                ctx.reply().int(0);
                return Ok(());
            }
            check_len(ctx, total)?;
            let mut v = Vec::new();
            grow_zero(&mut v, total as usize)?;
            v[offset as usize..].copy_from_slice(value);
            store(ctx, key, Value::raw(v), Some(0));
            total as usize
        }
        Some(e) => {
            if !e.value.is_string() {
                return Err(WRONGTYPE);
            }
            let olen = e.value.str_len();
            if value.is_empty() {
                ctx.reply().int(olen as i64);
                return Ok(());
            }
            check_len(ctx, total)?;
            // Re-borrow after the length check read the config.
            let e = ctx.st.ks.get(db, key, now).ok_or(WRONGTYPE)?;
            let v = e.value.make_raw();
            if v.len() < total as usize {
                grow_zero(v, total as usize)?;
            }
            v[offset as usize..total as usize].copy_from_slice(value);
            v.len()
        }
    };
    ctx.modified(db, key);
    ctx.notify(notify::STRING, "setrange", db, key);
    ctx.reply().int(len as i64);
    Ok(())
}

/// Zero-extend to `len` bytes, failing cleanly when the memory cannot be had.
pub(crate) fn grow_zero(v: &mut Vec<u8>, len: usize) -> CmdResult {
    if v.len() < len {
        v.try_reserve_exact(len - v.len())
            .map_err(|_| CommandError::stat("ERR out of memory allocating the string"))?;
        v.resize(len, 0);
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// LCS

fn lcs(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (db, now) = (ctx.db(), ctx.now_ms);
    // Both keys are looked up before either type is checked.
    let mut vals: [Option<Vec<u8>>; 2] = [None, None];
    let mut wrong = false;
    for (i, slot) in vals.iter_mut().enumerate() {
        let key = args.get(1 + i);
        match ctx.st.ks.read(db, key, now) {
            None => keymiss(ctx, db, key),
            Some(e) => match e.value.str_bytes() {
                Some(s) => *slot = Some(s.as_bytes().to_vec()),
                None => wrong = true,
            },
        }
    }
    if wrong {
        return Err(CommandError::stat("ERR The specified keys must contain string values"));
    }
    let [a, b] = vals;
    let (a, b) = (a.unwrap_or_default(), b.unwrap_or_default());
    let (mut idx, mut len, mut withmatchlen, mut minmatchlen) = (false, false, false, 0i64);
    let mut j = 3;
    while j < args.len() {
        let opt = args.get(j);
        if word_is(opt, "idx") {
            idx = true;
        } else if word_is(opt, "len") {
            len = true;
        } else if word_is(opt, "withmatchlen") {
            withmatchlen = true;
        } else if word_is(opt, "minmatchlen") && j + 1 < args.len() {
            minmatchlen = args.i64(j + 1)?.max(0);
            j += 1;
        } else {
            return Err(SYNTAX);
        }
        j += 1;
    }
    if idx && len {
        return Err(CommandError::stat(
            "ERR If you want both the length and indexes, please just use IDX.",
        ));
    }
    let max = ctx.st.cfg.proto_max_bulk_len.max(0) as u64;
    let lcs_err = |e: bits::LcsError| CommandError::stat(e.message());
    if len {
        let n = bits::lcs_len(&a, &b, max).map_err(lcs_err)?;
        ctx.reply().int(n as i64);
        return Ok(());
    }
    let res = bits::lcs(&a, &b, max).map_err(lcs_err)?;
    let mut r = ctx.reply();
    if !idx {
        r.bulk(&res.string);
        return Ok(());
    }
    r.map(2);
    r.bulk(b"matches");
    let kept: Vec<&bits::LcsMatch> =
        res.matches.iter().filter(|m| m.len >= minmatchlen as u64).collect();
    r.array(kept.len());
    for m in kept {
        r.array(if withmatchlen { 3 } else { 2 });
        pair(&mut r, m.a);
        pair(&mut r, m.b);
        if withmatchlen {
            r.int(m.len as i64);
        }
    }
    r.bulk(b"len");
    r.int(res.len as i64);
    Ok(())
}

fn pair(r: &mut Reply, (x, y): (u64, u64)) {
    r.array(2);
    r.int(x as i64);
    r.int(y as i64);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substr_range_follows_getrange() {
        // (start, end, len, expected) from Redis 7.0.15 GETRANGE on "Hello World".
        type Case = (i64, i64, usize, Option<(usize, usize)>);
        let cases: &[Case] = &[
            (0, 3, 11, Some((0, 3))),
            (-3, -1, 11, Some((8, 10))),
            (0, -1, 11, Some((0, 10))),
            (10, 100, 11, Some((10, 10))),
            (5, 3, 11, None),
            (-1, -5, 11, None),
            (-100, 2, 11, Some((0, 2))),
            (0, -100, 11, Some((0, 0))),
            (i64::MIN, i64::MAX, 11, Some((0, 10))),
            (0, 0, 0, None),
            (11, 20, 11, None),
        ];
        for &(s, e, len, want) in cases {
            assert_eq!(substr_range(s, e, len), want, "{s} {e} {len}");
        }
    }

    #[test]
    fn options_follow_redis_parsing() {
        let argv = |v: &[&str]| v.iter().map(|s| s.as_bytes().to_vec()).collect::<Vec<_>>();
        let ok = |v: &[&str], set: bool| {
            let a = argv(v);
            parse_ext(&Args::Owned(&a), set).map(|e| e.flags)
        };
        assert_eq!(ok(&["set", "k", "v", "nx", "get"], true), Ok(F_NX | F_GET));
        assert_eq!(ok(&["set", "k", "v", "ex", "1", "ex", "2"], true), Ok(F_EX));
        assert_eq!(ok(&["set", "k", "v", "nx", "xx"], true), Err(SYNTAX));
        assert_eq!(ok(&["set", "k", "v", "ex", "1", "px", "2"], true), Err(SYNTAX));
        assert_eq!(ok(&["set", "k", "v", "keepttl", "ex", "1"], true), Err(SYNTAX));
        assert_eq!(ok(&["set", "k", "v", "ex"], true), Err(SYNTAX));
        assert_eq!(ok(&["set", "k", "v", "persist"], true), Err(SYNTAX));
        assert_eq!(ok(&["set", "k", "v", "nx\0junk"], true), Ok(F_NX));
        assert_eq!(ok(&["getex", "k", "persist"], false), Ok(F_PERSIST));
        assert_eq!(ok(&["getex", "k", "nx"], false), Err(SYNTAX));
        assert_eq!(ok(&["getex", "k", "persist", "px", "1"], false), Err(SYNTAX));
    }

    #[test]
    fn expire_times_match_redis_errors() {
        let now = 1_700_000_000_000;
        assert_eq!(expire_at(b"10", F_EX, now, "set"), Ok(now + 10_000));
        assert_eq!(expire_at(b"10", F_PXAT, now, "set"), Ok(10));
        assert_eq!(expire_at(b"x", F_EX, now, "set"), Err(NOT_INTEGER));
        for bad in ["0", "-1", "9223372036854776", "9223372036854775"] {
            assert!(expire_at(bad.as_bytes(), F_EX, now, "set").is_err(), "{bad}");
        }
        assert_eq!(expire_at(b"9223372036854775", F_EXAT, now, "set"), Ok(9223372036854775000));
        assert_eq!(
            expire_at(b"9223372036854775807", F_PX, now, "psetex").unwrap_err().text(),
            "ERR invalid expire time in 'psetex' command"
        );
    }
}

#[cfg(test)]
#[path = "string_tests.rs"]
mod handler_tests;
