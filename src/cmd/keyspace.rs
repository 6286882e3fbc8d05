//! Command family: keyspace — DEL UNLINK EXISTS TYPE RENAME RENAMENX KEYS SCAN RANDOMKEY TOUCH
//! COPY MOVE SWAPDB DBSIZE FLUSHDB FLUSHALL (Redis's db.c).

use super::args::Args;
use super::object::new_object_lru;
use super::table::{flags, CommandDef};
use super::{notify, Ctx};
use crate::db::{Entry, Key};
use crate::error::{
    CmdResult, CommandError, DB_INDEX_OUT_OF_RANGE, NOT_INTEGER, NO_SUCH_KEY, SYNTAX,
};
use crate::util::glob::string_match;

pub const COMMANDS: &[CommandDef] = &[
    CommandDef {
        name: "del",
        handler: del,
        arity: -2,
        flags: flags::WRITE,
        acl: &["@keyspace", "@write"],
        first_key: 1,
        last_key: -1,
        step: 1,
        since: "1.0.0",
        summary: "Delete a key",
        complexity: "O(N) where N is the number of keys that will be removed. When a key to remove holds a value other than a string, the individual complexity for this key is O(M) where M is the number of elements in the list, set, sorted set or hash. Removing a single key that holds a string value is O(1).",
        syntax: "key [key ...]",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "unlink",
        handler: unlink,
        arity: -2,
        flags: flags::WRITE | flags::FAST,
        acl: &["@keyspace", "@write"],
        first_key: 1,
        last_key: -1,
        step: 1,
        since: "4.0.0",
        summary: "Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.",
        complexity: "O(1) for each key removed regardless of its size. Then the command does O(N) work in a different thread in order to reclaim memory, where N is the number of allocations the deleted objects where composed of.",
        syntax: "key [key ...]",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "exists",
        handler: exists,
        arity: -2,
        flags: flags::READONLY | flags::FAST,
        acl: &["@keyspace", "@read"],
        first_key: 1,
        last_key: -1,
        step: 1,
        since: "1.0.0",
        summary: "Determine if a key exists",
        complexity: "O(N) where N is the number of keys to check.",
        syntax: "key [key ...]",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "type",
        handler: type_cmd,
        arity: 2,
        flags: flags::READONLY | flags::FAST,
        acl: &["@keyspace", "@read"],
        first_key: 1,
        last_key: 1,
        step: 1,
        since: "1.0.0",
        summary: "Determine the type stored at key",
        complexity: "O(1)",
        syntax: "key",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "rename",
        handler: rename,
        arity: 3,
        flags: flags::WRITE,
        acl: &["@keyspace", "@write"],
        first_key: 1,
        last_key: 2,
        step: 1,
        since: "1.0.0",
        summary: "Rename a key",
        complexity: "O(1)",
        syntax: "key newkey",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "renamenx",
        handler: renamenx,
        arity: 3,
        flags: flags::WRITE | flags::FAST,
        acl: &["@keyspace", "@write"],
        first_key: 1,
        last_key: 2,
        step: 1,
        since: "1.0.0",
        summary: "Rename a key, only if the new key does not exist",
        complexity: "O(1)",
        syntax: "key newkey",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "keys",
        handler: keys,
        arity: 2,
        flags: flags::READONLY,
        acl: &["@keyspace", "@read", "@dangerous"],
        since: "1.0.0",
        summary: "Find all keys matching the given pattern",
        complexity: "O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length.",
        syntax: "pattern",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "scan",
        handler: scan,
        arity: -2,
        flags: flags::READONLY,
        acl: &["@keyspace", "@read"],
        since: "2.8.0",
        summary: "Incrementally iterate the keys space",
        complexity: "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.",
        syntax: "cursor [MATCH pattern] [COUNT count] [TYPE type]",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "randomkey",
        handler: randomkey,
        arity: 1,
        flags: flags::READONLY,
        acl: &["@keyspace", "@read"],
        since: "1.0.0",
        summary: "Return a random key from the keyspace",
        complexity: "O(1)",
        syntax: "",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "touch",
        handler: touch,
        arity: -2,
        flags: flags::READONLY | flags::FAST,
        acl: &["@keyspace", "@read"],
        first_key: 1,
        last_key: -1,
        step: 1,
        since: "3.2.1",
        summary: "Alters the last access time of a key(s). Returns the number of existing keys specified.",
        complexity: "O(N) where N is the number of keys that will be touched.",
        syntax: "key [key ...]",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "copy",
        handler: copy,
        arity: -3,
        flags: flags::WRITE | flags::DENYOOM,
        acl: &["@keyspace", "@write"],
        first_key: 1,
        last_key: 2,
        step: 1,
        since: "6.2.0",
        summary: "Copy a key",
        complexity: "O(N) worst case for collections, where N is the number of nested items. O(1) for string values.",
        syntax: "source destination [DB destination-db] [REPLACE]",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "move",
        handler: move_cmd,
        arity: 3,
        flags: flags::WRITE | flags::FAST,
        acl: &["@keyspace", "@write"],
        first_key: 1,
        last_key: 1,
        step: 1,
        since: "1.0.0",
        summary: "Move a key to another database",
        complexity: "O(1)",
        syntax: "key db",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "swapdb",
        handler: swapdb,
        arity: 3,
        flags: flags::WRITE | flags::FAST,
        acl: &["@keyspace", "@write", "@dangerous"],
        group: "server",
        since: "4.0.0",
        summary: "Swaps two Redis databases",
        complexity: "O(N) where N is the count of clients watching or blocking on keys from both databases.",
        syntax: "index1 index2",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "dbsize",
        handler: dbsize,
        arity: 1,
        flags: flags::READONLY | flags::FAST,
        acl: &["@keyspace", "@read"],
        group: "server",
        since: "1.0.0",
        summary: "Return the number of keys in the selected database",
        complexity: "O(1)",
        syntax: "",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "flushdb",
        handler: flushdb,
        arity: -1,
        flags: flags::WRITE,
        acl: &["@keyspace", "@write", "@dangerous"],
        group: "server",
        since: "1.0.0",
        summary: "Remove all keys from the current database",
        complexity: "O(N) where N is the number of keys in the selected database",
        syntax: "[ASYNC | SYNC]",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "flushall",
        handler: flushall,
        arity: -1,
        flags: flags::WRITE,
        acl: &["@keyspace", "@write", "@dangerous"],
        group: "server",
        since: "1.0.0",
        summary: "Remove all keys from all databases",
        complexity: "O(N) where N is the total number of keys in all databases",
        syntax: "[ASYNC | SYNC]",
        ..CommandDef::DEFAULT
    },
];

const SAME_OBJECT: CommandError =
    CommandError::stat("ERR source and destination objects are the same");
const INT_RANGE: CommandError =
    CommandError::stat("ERR value is out of range, value must between -2147483648 and 2147483647");
const INVALID_CURSOR: CommandError = CommandError::stat("ERR invalid cursor");

/// Redis's `getIntFromObjectOrReply`: an i64 that must also fit an `int`. `msg` replaces both
/// error texts when given (SWAPDB's "invalid first DB index").
fn parse_int(arg: &[u8], msg: Option<CommandError>) -> Result<i32, CommandError> {
    let v = crate::util::num::parse_i64(arg).ok_or_else(|| msg.clone().unwrap_or(NOT_INTEGER))?;
    i32::try_from(v).map_err(|_| msg.unwrap_or(INT_RANGE))
}

/// A database number as `selectDb` accepts it.
fn db_index(ctx: &Ctx, id: i32) -> Result<usize, CommandError> {
    usize::try_from(id).ok().filter(|&i| i < ctx.st.ks.dbs.len()).ok_or(DB_INDEX_OUT_OF_RANGE)
}

/// Redis's `expireIfNeeded`: true (after deleting it) only when the key is present and due.
/// A key that is simply missing is not "expired", which SCAN's filter depends on.
fn expire_if_needed(ctx: &mut Ctx, db: usize, key: &[u8]) -> bool {
    let now = ctx.now_ms;
    let due = ctx.st.ks.dbs[db].dict.get(key).is_some_and(|e| e.is_expired(now));
    if due {
        ctx.st.ks.get(db, key, now);
    }
    due
}

fn del(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let lazy = ctx.st.cfg.lazyfree_lazy_user_del;
    del_keys(ctx, args, lazy)
}

/// DEL that frees big values on the lazyfree thread.
fn unlink(ctx: &mut Ctx, args: &Args) -> CmdResult {
    del_keys(ctx, args, true)
}

fn del_keys(ctx: &mut Ctx, args: &Args, lazy: bool) -> CmdResult {
    let (db, now) = (ctx.db(), ctx.now_ms);
    let mut n = 0;
    for key in args.rest(1) {
        if ctx.st.ks.get(db, key, now).is_none() {
            continue;
        }
        if let Some((_, e)) = ctx.st.ks.remove(db, key) {
            ctx.st.ks.lazy.free(e.value, lazy);
            ctx.modified(db, key);
            ctx.notify(notify::GENERIC, "del", db, key);
            n += 1;
        }
    }
    ctx.reply().int(n);
    Ok(())
}

fn exists(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (db, now) = (ctx.db(), ctx.now_ms);
    let n = args.rest(1).filter(|k| ctx.st.ks.read(db, k, now).is_some()).count();
    ctx.reply().int(n as i64);
    Ok(())
}

fn type_cmd(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (db, now) = (ctx.db(), ctx.now_ms);
    let name = match ctx.st.ks.read(db, args.get(1), now) {
        Some(e) => e.value.kind().name(),
        None => "none",
    };
    ctx.reply().simple(name.as_bytes());
    Ok(())
}

fn rename(ctx: &mut Ctx, args: &Args) -> CmdResult {
    rename_generic(ctx, args, false)
}

fn renamenx(ctx: &mut Ctx, args: &Args) -> CmdResult {
    rename_generic(ctx, args, true)
}

fn rename_generic(ctx: &mut Ctx, args: &Args, nx: bool) -> CmdResult {
    let (db, now) = (ctx.db(), ctx.now_ms);
    let (src, dst) = (args.get(1), args.get(2));
    if ctx.st.ks.get(db, src, now).is_none() {
        return Err(NO_SUCH_KEY);
    }
    // Same name: nothing moves, but a missing key was still an error above.
    if src == dst {
        if nx {
            ctx.reply().int(0);
        } else {
            ctx.reply().ok();
        }
        return Ok(());
    }
    if ctx.st.ks.get(db, dst, now).is_some() {
        if nx {
            ctx.reply().int(0);
            return Ok(());
        }
        ctx.st.ks.delete(db, dst);
    }
    let Some((_, entry)) = ctx.st.ks.remove(db, src) else {
        return Err(NO_SUCH_KEY);
    };
    ctx.st.ks.insert_entry(db, Key::new(dst), entry);
    ctx.modified(db, src);
    ctx.modified(db, dst);
    ctx.notify(notify::GENERIC, "rename_from", db, src);
    ctx.notify(notify::GENERIC, "rename_to", db, dst);
    if nx {
        ctx.reply().int(1);
    } else {
        ctx.reply().ok();
    }
    Ok(())
}

fn keys(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (db, now) = (ctx.db(), ctx.now_ms);
    let pattern = args.get(1);
    let all = pattern == b"*";
    let (st, mut r) = ctx.parts();
    let d = r.deferred(b'*');
    let mut n = 0usize;
    // Expired keys are hidden but not deleted, as Redis's keysCommand does.
    for (k, e) in st.ks.dbs[db].dict.iter() {
        if (all || string_match(pattern, k, false)) && !e.is_expired(now) {
            r.bulk(k);
            n += 1;
        }
    }
    r.set_deferred(d, n);
    Ok(())
}

/// Redis parses SCAN cursors with `strtoul(s, &end, 10)`: a leading space is refused, a sign is
/// accepted ("-1" wraps to the largest cursor), an empty string is cursor 0, and parsing stops
/// at a NUL byte as C strings do.
pub(crate) fn parse_cursor(arg: &[u8]) -> Result<u64, CommandError> {
    let s = &arg[..arg.iter().position(|&c| c == 0).unwrap_or(arg.len())];
    if s.is_empty() {
        return Ok(0);
    }
    if matches!(s[0], b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
        return Err(INVALID_CURSOR);
    }
    let (neg, digits) = match s[0] {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() {
        return Err(INVALID_CURSOR);
    }
    let mut v: u64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return Err(INVALID_CURSOR);
        }
        v = v
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(c - b'0')))
            .ok_or(INVALID_CURSOR)?;
    }
    Ok(if neg { v.wrapping_neg() } else { v })
}

/// C's `strcasecmp` of a possibly NUL-containing argument against a type name.
fn type_name_eq(arg: &[u8], name: &str) -> bool {
    let end = arg.iter().position(|&c| c == 0).unwrap_or(arg.len());
    arg[..end].eq_ignore_ascii_case(name.as_bytes())
}

fn scan(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let mut cursor = parse_cursor(args.get(1))?;
    let mut count: usize = 10;
    let mut pattern: Option<&[u8]> = None;
    let mut type_name: Option<&[u8]> = None;
    let mut i = 2;
    while i < args.len() {
        let has_value = i + 1 < args.len();
        if args.is(i, "count") && has_value {
            let c = args.i64(i + 1)?;
            if c < 1 {
                return Err(SYNTAX);
            }
            count = usize::try_from(c).unwrap_or(usize::MAX);
        } else if args.is(i, "match") && has_value {
            let p = args.get(i + 1);
            pattern = if p == b"*" { None } else { Some(p) };
        } else if args.is(i, "type") && has_value {
            type_name = Some(args.get(i + 1));
        } else {
            return Err(SYNTAX);
        }
        i += 2;
    }

    let (db, now) = (ctx.db(), ctx.now_ms);
    let mut found: Vec<Key> = Vec::new();
    let dict = &ctx.st.ks.dbs[db].dict;
    if dict.is_empty() {
        cursor = 0;
    } else {
        // Ten bucket visits per requested element at most, so a sparse table cannot stall us.
        let mut budget = count.saturating_mul(10);
        loop {
            cursor = dict.scan(cursor, |k, _| found.push(k.clone()));
            if cursor == 0 || budget == 0 {
                break;
            }
            budget -= 1;
            if found.len() >= count {
                break;
            }
        }
    }

    let mut keep = Vec::with_capacity(found.len());
    for k in found {
        if let Some(p) = pattern {
            if !string_match(p, &k, false) {
                continue;
            }
        }
        if let Some(t) = type_name {
            let name = ctx.st.ks.read(db, &k, now).map_or("none", |e| e.value.kind().name());
            if !type_name_eq(t, name) {
                continue;
            }
        }
        if expire_if_needed(ctx, db, &k) {
            continue;
        }
        keep.push(k);
    }

    let mut r = ctx.reply();
    r.array(2);
    r.bulk(cursor.to_string().as_bytes());
    r.array(keep.len());
    for k in &keep {
        r.bulk(k);
    }
    Ok(())
}

/// A xorshift64* generator seeded per call from ahash's random state: RANDOMKEY only needs
/// independent picks, not a reproducible sequence.
pub(crate) fn rng() -> impl FnMut() -> u64 {
    let mut s = ahash::RandomState::new().hash_one(0u64) | 1;
    move || {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        s.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

fn randomkey(ctx: &mut Ctx, _args: &Args) -> CmdResult {
    let (db, now) = (ctx.db(), ctx.now_ms);
    let mut rnd = rng();
    // Like Redis's dbRandomKey on a master: an expired pick is deleted and another drawn, so
    // the loop ends after at most one pass over the keys.
    loop {
        let pick = ctx.st.ks.dbs[db]
            .dict
            .random_entry(&mut rnd)
            .map(|(k, e)| (k.clone(), e.is_expired(now)));
        match pick {
            None => {
                ctx.reply().null();
                return Ok(());
            }
            Some((k, true)) => {
                ctx.st.ks.get(db, &k, now);
            }
            Some((k, false)) => {
                ctx.reply().bulk(&k);
                return Ok(());
            }
        }
    }
}

fn touch(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (db, now) = (ctx.db(), ctx.now_ms);
    let mut n = 0;
    // The lookup itself refreshes the access time or bumps the LFU counter (prepare_touch).
    for key in args.rest(1) {
        if ctx.st.ks.read(db, key, now).is_some() {
            n += 1;
        }
    }
    ctx.reply().int(n);
    Ok(())
}

fn copy(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (src_db, now) = (ctx.db(), ctx.now_ms);
    let mut dst_db = src_db;
    let mut replace = false;
    let mut j = 3;
    while j < args.len() {
        if args.is(j, "replace") {
            replace = true;
        } else if args.is(j, "db") && j + 1 < args.len() {
            let id = parse_int(args.get(j + 1), None)?;
            dst_db = db_index(ctx, id)?;
            j += 1;
        } else {
            return Err(SYNTAX);
        }
        j += 1;
    }
    let (src, dst) = (args.get(1), args.get(2));
    if src_db == dst_db && src == dst {
        return Err(SAME_OBJECT);
    }
    let Some(e) = ctx.st.ks.read(src_db, src, now) else {
        ctx.reply().int(0);
        return Ok(());
    };
    let (value, expire) = (e.value.duplicate(), e.expire);
    if ctx.st.ks.get(dst_db, dst, now).is_some() {
        if !replace {
            ctx.reply().int(0);
            return Ok(());
        }
        ctx.st.ks.delete(dst_db, dst);
    }
    let lru = new_object_lru(ctx);
    ctx.st.ks.insert_entry(dst_db, Key::new(dst), Entry { expire, lru, value });
    ctx.modified(dst_db, dst);
    ctx.notify(notify::GENERIC, "copy_to", dst_db, dst);
    ctx.reply().int(1);
    Ok(())
}

fn move_cmd(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (src_db, now) = (ctx.db(), ctx.now_ms);
    let id = parse_int(args.get(2), None)?;
    let dst_db = db_index(ctx, id)?;
    if dst_db == src_db {
        return Err(SAME_OBJECT);
    }
    let key = args.get(1);
    if ctx.st.ks.get(src_db, key, now).is_none() || ctx.st.ks.get(dst_db, key, now).is_some() {
        ctx.reply().int(0);
        return Ok(());
    }
    let Some((k, entry)) = ctx.st.ks.remove(src_db, key) else {
        ctx.reply().int(0);
        return Ok(());
    };
    ctx.st.ks.insert_entry(dst_db, k, entry);
    ctx.modified(src_db, key);
    ctx.modified(dst_db, key);
    ctx.notify(notify::GENERIC, "move_from", src_db, key);
    ctx.notify(notify::GENERIC, "move_to", dst_db, key);
    ctx.reply().int(1);
    Ok(())
}

fn swapdb(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let a = parse_int(args.get(1), Some(CommandError::stat("ERR invalid first DB index")))?;
    let b = parse_int(args.get(2), Some(CommandError::stat("ERR invalid second DB index")))?;
    let (a, b) = (db_index(ctx, a)?, db_index(ctx, b)?);
    if a != b {
        ctx.swapping(a, b);
        ctx.st.ks.swap_db(a, b);
        // Keys that appear in a db through the swap wake its blocked clients, as Redis's
        // scanDatabaseForReadyKeys does; streams that vanish release XREADGROUP waiters.
        crate::blocking::signal_db(ctx.st, a);
        crate::blocking::signal_db(ctx.st, b);
    }
    ctx.st.dirty += 1;
    ctx.reply().ok();
    Ok(())
}

fn dbsize(ctx: &mut Ctx, _args: &Args) -> CmdResult {
    // Like Redis, keys that are due but not yet reclaimed still count.
    let n = ctx.st.ks.dbs[ctx.db()].len();
    ctx.reply().int(n as i64);
    Ok(())
}

/// FLUSHDB/FLUSHALL's optional ASYNC|SYNC: whether to free on the lazyfree thread
/// (without an option, as `lazyfree-lazy-user-flush` says).
fn flush_option(ctx: &Ctx, args: &Args) -> Result<bool, CommandError> {
    match args.len() {
        1 => Ok(ctx.st.cfg.lazyfree_lazy_user_flush),
        2 if args.is(1, "sync") => Ok(false),
        2 if args.is(1, "async") => Ok(true),
        _ => Err(SYNTAX),
    }
}

fn flushdb(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let lazy = flush_option(ctx, args)?;
    let db = ctx.db();
    let n = ctx.st.ks.dbs[db].len();
    ctx.flushing(Some(db));
    ctx.st.ks.flush_db(db, lazy);
    ctx.st.dirty += n as u64;
    ctx.reply().ok();
    Ok(())
}

fn flushall(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let lazy = flush_option(ctx, args)?;
    let n: usize = ctx.st.ks.dbs.iter().map(|d| d.len()).sum();
    ctx.flushing(None);
    ctx.st.ks.flush_all(lazy);
    ctx.st.dirty += n as u64;
    // flushAllDataAndResetRDB: with save points, the empty dataset is saved at once.
    // 7.0 counts the flushed keys only (propagation is forced, not counted).
    if !ctx.st.cfg.save.is_empty() {
        let _ = super::persist::save(ctx.st, ctx.now_ms);
    }
    ctx.reply().ok();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_parsing_follows_strtoul() {
        assert_eq!(parse_cursor(b"0"), Ok(0));
        assert_eq!(parse_cursor(b""), Ok(0));
        assert_eq!(parse_cursor(b"+7"), Ok(7));
        assert_eq!(parse_cursor(b"-1"), Ok(u64::MAX));
        assert_eq!(parse_cursor(b"-0"), Ok(0));
        assert_eq!(parse_cursor(b"18446744073709551615"), Ok(u64::MAX));
        assert_eq!(parse_cursor(b"-18446744073709551615"), Ok(1));
        assert_eq!(parse_cursor(b"5\0junk"), Ok(5));
        for bad in
            [&b"18446744073709551616"[..], b" 1", b"1 ", b"x", b"+", b"-", b"0x1", b"1.0", b"\t1"]
        {
            assert_eq!(
                parse_cursor(bad),
                Err(INVALID_CURSOR),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn type_names_compare_like_strcasecmp() {
        assert!(type_name_eq(b"STRING", "string"));
        assert!(type_name_eq(b"string\0x", "string"));
        assert!(!type_name_eq(b"strin", "string"));
    }
}
