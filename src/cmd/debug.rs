//! Command family: DEBUG (refused by the dispatcher unless `enable-debug-command` allows it).
//!
//! The subcommands that make sense for ferrodis do their real job: HELP, LOG, SLEEP (blocks
//! the loop, as in Redis), SET-ACTIVE-EXPIRE, OBJECT, DIGEST, DIGEST-VALUE, PROTOCOL,
//! POPULATE, ERROR, CHANGE-REPL-ID, STRINGMATCH-TEST, QUICKLIST-PACKED-THRESHOLD (list
//! elements from that size on get plain nodes), RELOAD. The others (LOADAOF, crash
//! helpers, allocator and encoding internals ferrodis does not have) get Redis's
//! unknown-subcommand error.

use log::warn;

use super::args::Args;
use super::latency::help_reply;
use super::object::EvictionPolicy;
use super::server::subcommand_syntax_error;
use super::table::{flags, CommandDef};
use super::Ctx;
use crate::db::digest::Digest;
use crate::db::{Entry, Kind, Value};
use crate::error::{CmdResult, CommandError, STRING_TOO_LONG};

pub const COMMANDS: &[CommandDef] = &[CommandDef {
    name: "debug",
    handler: debug,
    arity: -2,
    flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::PROTECTED,
    acl: &["@admin", "@slow", "@dangerous"],
    group: "server",
    since: "1.0.0",
    summary: "A container for debugging commands",
    complexity: "Depends on subcommand.",
    syntax: "",
    ..CommandDef::DEFAULT
}];

/// Redis's DEBUG HELP lines for the subcommands ferrodis implements.
const HELP: &[&str] = &[
    "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CHANGE-REPL-ID",
    "    Change the replication IDs of the instance.",
    "    Dangerous: should be used only for testing the replication subsystem.",
    "DIGEST",
    "    Output a hex signature representing the current DB content.",
    "DIGEST-VALUE <key> [<key> ...]",
    "    Output a hex signature of the values of all the specified keys.",
    "ERROR <string>",
    "    Return a Redis protocol error with <string> as message. Useful for clients",
    "    unit tests to simulate Redis errors.",
    "LOG <message>",
    "    Write <message> to the server log.",
    "OBJECT <key>",
    "    Show low level info about `key` and associated value.",
    "POPULATE <count> [<prefix>] [<size>]",
    "    Create <count> string keys named key:<num>. If <prefix> is specified then",
    "    it is used instead of the 'key' prefix. These are not propagated to",
    "    replicas. Cluster slots are not respected so keys not belonging to the",
    "    current node can be created in cluster mode.",
    "PROTOCOL <type>",
    "    Reply with a test value of the specified type. <type> can be: string,",
    "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
    "    true, false.",
    "RELOAD [option ...]",
    "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
    "    * MERGE: conflicting keys will be loaded from RDB.",
    "    * NOFLUSH: the existing database will not be removed before load, but",
    "      conflicting keys will generate an exception and kill the server.",
    "    * NOSAVE: the database will be loaded from an existing RDB file.",
    "    Examples:",
    "    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
    "      the database.",
    "    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
    "      existing RDB file.",
    "    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
    "      file to the database.",
    "SEGFAULT",
    "    Crash the server with sigsegv.",
    "SET-ACTIVE-EXPIRE <0|1>",
    "    Setting it to 0 disables expiring keys in background when they are not",
    "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
    "    default.",
    "QUICKLIST-PACKED-THRESHOLD <size>",
    "    Sets the threshold for elements to be inserted as plain vs packed nodes",
    "    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.",
    "SET-SKIP-CHECKSUM-VALIDATION <0|1>",
    "    Enables or disables checksum checks for RDB files and RESTORE's payload.",
    "SLEEP <seconds>",
    "    Stop the server for <seconds>. Decimals allowed.",
    "STRINGMATCH-TEST",
    "    Run a fuzz tester against the stringmatchlen() function.",
    "PAUSE-CRON <0|1>",
    "    Stop periodic cron job processing.",
    "REPLYBUFFER PEAK-RESET-TIME <NEVER||RESET|time>",
    "    Sets the time (in milliseconds) to wait between client reply buffer peak resets.",
    "    In case NEVER is provided the last observed peak will never be reset",
    "    In case RESET is provided the peak reset time will be restored to the default value",
    "REPLYBUFFER RESIZING <0|1>",
    "    Enable or disable the reply buffer resize cron job",
    "HELP",
    "    Prints this help.",
];

/// DEBUG REPLYBUFFER PEAK-RESET-TIME <NEVER|RESET|ms> | RESIZING <0|1>.
fn replybuffer(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let set = &mut ctx.st.replybuf;
    if args.is(2, "peak-reset-time") {
        set.peak_reset_ms = if args.is(3, "never") {
            -1
        } else if args.is(3, "reset") {
            crate::replybuf::DEFAULT_PEAK_RESET_MS
        } else {
            args.i64(3)?
        };
    } else if args.is(2, "resizing") {
        set.enabled = atoi(args.get(3)) != 0;
    } else {
        return Err(CommandError::msg(
            "ERR unknown subcommand or wrong number of arguments for 'replybuffer'. Try DEBUG HELP.".to_string(),
        ));
    }
    ctx.reply().ok();
    Ok(())
}

fn debug(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let sub = args.get(1).to_ascii_lowercase();
    let argc = args.len();
    match (sub.as_slice(), argc) {
        (b"help", 2) => help_reply(ctx, HELP),
        (b"log", 3) => {
            warn!("DEBUG LOG: {}", String::from_utf8_lossy(c_str(args.get(2))));
            ctx.reply().ok();
            Ok(())
        }
        (b"sleep", 3) => {
            sleep_secs(strtod_prefix(args.get(2)));
            ctx.reply().ok();
            Ok(())
        }
        (b"replybuffer", 4) => replybuffer(ctx, args),
        (b"set-skip-checksum-validation", 3) => {
            ctx.st.skip_checksum_validation = atoi(args.get(2)) != 0;
            ctx.reply().ok();
            Ok(())
        }
        (b"pause-cron", 3) => {
            ctx.st.pause_cron = atoi(args.get(2)) != 0;
            ctx.reply().ok();
            Ok(())
        }
        // Not in Redis's DEBUG HELP either: lets tests call noscript commands from scripts.
        (b"set-disable-deny-scripts", 3) => {
            ctx.st.scripting.disable_deny = atoi(args.get(2)) != 0;
            ctx.reply().ok();
            Ok(())
        }
        (b"set-active-expire", 3) => {
            ctx.st.ks.active_expire = atoi(args.get(2)) != 0;
            ctx.reply().ok();
            Ok(())
        }
        (b"object", 3) => object(ctx, args.get(2)),
        (b"reload", _) => reload(ctx, args),
        (b"digest", 2) => digest(ctx),
        (b"digest-value", _) => digest_value(ctx, args),
        (b"protocol", 3) => protocol(ctx, args.get(2)),
        (b"populate", 3..=5) => populate(ctx, args),
        (b"error", 3) => Err(CommandError::msg(String::from_utf8_lossy(args.get(2)).into_owned())),
        (b"change-repl-id", 2) => {
            ctx.st.replid = crate::state::random_hex(40);
            warn!("Changing replication IDs after receiving DEBUG change-repl-id");
            ctx.reply().ok();
            Ok(())
        }
        (b"segfault", 2) => {
            // Redis writes through an invalid pointer; the crash report handler logs it.
            // SAFETY: raising a signal is always sound; its action ends the process.
            unsafe { libc::raise(libc::SIGSEGV) };
            Ok(())
        }
        (b"quicklist-packed-threshold", 3) => {
            ctx.st.ks.list_packed_threshold = packed_threshold(args.get(2))?;
            ctx.reply().ok();
            Ok(())
        }
        (b"stringmatch-test", 2) => {
            crate::util::glob::fuzz_test(10_000_000);
            ctx.reply().simple(b"Apparently Redis did not crash: test passed");
            Ok(())
        }
        _ => Err(subcommand_syntax_error(args)),
    }
}

/// DEBUG QUICKLIST-PACKED-THRESHOLD's size (quicklistisSetPackedThreshold): a memory value
/// up to 4 GiB - 1 MiB; 0 (or an empty string) restores the 1 GiB default.
fn packed_threshold(arg: &[u8]) -> Result<u32, CommandError> {
    use crate::db::list::{DEFAULT_PACKED_THRESHOLD, MAX_PACKED_THRESHOLD};
    match crate::config::memtoull(arg) {
        Some(0) => Ok(DEFAULT_PACKED_THRESHOLD),
        Some(n) if n <= MAX_PACKED_THRESHOLD => Ok(n as u32),
        _ => Err(CommandError::stat(
            "ERR argument must be a memory value bigger than 1 and smaller than 4gb",
        )),
    }
}

/// DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save, empty the dataset, load the file back.
fn reload(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (mut merge, mut flush, mut save) = (false, true, true);
    for opt in args.rest(2) {
        match opt.to_ascii_lowercase().as_slice() {
            b"merge" => merge = true,
            b"noflush" => flush = false,
            b"nosave" => save = false,
            _ => {
                return Err(CommandError::stat(
                    "ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.",
                ))
            }
        }
    }
    let now = ctx.now_ms;
    if save && super::persist::save(ctx.st, now).is_err() {
        return Err(CommandError::stat("ERR"));
    }
    if flush {
        ctx.flushing(None);
    }
    super::persist::reload(ctx.st, now, flush, merge).map_err(|_| {
        CommandError::stat("ERR Error trying to load the RDB dump, check server logs.")
    })?;
    warn!("DB reloaded by DEBUG RELOAD");
    ctx.reply().ok();
    Ok(())
}

/// The argument as C sees it: up to the first NUL.
fn c_str(b: &[u8]) -> &[u8] {
    &b[..b.iter().position(|&c| c == 0).unwrap_or(b.len())]
}

/// C's atoi: optional space and sign, then digits; anything else stops it.
fn atoi(b: &[u8]) -> i64 {
    let b = c_str(b);
    let mut i = b.iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(b.len());
    let neg = b.get(i) == Some(&b'-');
    if matches!(b.get(i), Some(b'-' | b'+')) {
        i += 1;
    }
    let mut v: i64 = 0;
    for &c in &b[i..] {
        if !c.is_ascii_digit() {
            break;
        }
        v = v.wrapping_mul(10).wrapping_add((c - b'0') as i64);
    }
    if neg {
        v.wrapping_neg()
    } else {
        v
    }
}

/// C's strtod without an end check: the longest numeric prefix, 0 if there is none.
fn strtod_prefix(b: &[u8]) -> f64 {
    let b = c_str(b);
    let start = b.iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(b.len());
    let b = &b[start..];
    let end = b
        .iter()
        .position(|c| !(c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-')))
        .unwrap_or(b.len());
    (1..=end)
        .rev()
        .find_map(|n| std::str::from_utf8(&b[..n]).ok()?.parse::<f64>().ok())
        .unwrap_or(0.0)
}

/// DEBUG SLEEP blocks the whole server, as in Redis: that is what it is for.
fn sleep_secs(secs: f64) {
    if secs.is_nan() || secs <= 0.0 {
        return;
    }
    let d = std::time::Duration::try_from_secs_f64(secs).unwrap_or(std::time::Duration::MAX);
    std::thread::sleep(d);
}

const LRU_CLOCK_MAX: u32 = (1 << 24) - 1;

fn object(ctx: &mut Ctx, key: &[u8]) -> CmdResult {
    let db = ctx.db();
    let policy = EvictionPolicy::of(ctx.st);
    let lru_clock = ctx.lru();
    let rdbcompression = ctx.st.cfg.rdbcompression;
    // Like Redis, a logically expired key that is still stored is shown.
    let Some(e) = ctx.st.ks.dbs[db].dict.get(key) else {
        return Err(crate::error::NO_SUCH_KEY);
    };
    let refcount = match e.value {
        Value::Int(i) if (0..10_000).contains(&i) && policy.shares_integers() => i32::MAX as i64,
        _ => 1,
    };
    let idle =
        if lru_clock >= e.lru { lru_clock - e.lru } else { lru_clock + (LRU_CLOCK_MAX - e.lru) };
    let extra = match &e.value {
        Value::List(l) => l.debug_fields(),
        _ => String::new(),
    };
    let line = format!(
        "Value at:{:p} refcount:{} encoding:{} serializedlength:{} lru:{} lru_seconds_idle:{}{}",
        &e.value as *const Value,
        refcount,
        e.value.encoding(),
        serialized_len(e, rdbcompression),
        e.lru,
        idle,
        extra
    );
    ctx.reply().simple(line.as_bytes());
    Ok(())
}

/// rdbSavedObjectLen: the bytes the value takes in an RDB file.
fn serialized_len(e: &Entry, rdbcompression: bool) -> usize {
    super::persist::serialized_len(&e.value, rdbcompression)
}

/// Redis's object type numbers, mixed into every key's digest.
fn type_tag(k: Kind) -> u32 {
    match k {
        Kind::String => 0,
        Kind::List => 1,
        Kind::Set => 2,
        Kind::ZSet => 3,
        Kind::Hash => 4,
        Kind::Stream => 6,
    }
}

/// xorObjectDigest: type tag, value, and an expire marker (not the time) when one is set.
fn entry_digest(e: &Entry, d: &mut Digest) -> Result<(), CommandError> {
    d.mix(&type_tag(e.value.kind()).to_be_bytes());
    e.value.digest_into(d).map_err(|k| {
        CommandError::msg(format!(
            "ERR DEBUG DIGEST is not supported yet for values of type '{}'",
            k.name()
        ))
    })?;
    if e.expire != 0 {
        d.xor(b"!!expire!!");
    }
    Ok(())
}

fn digest(ctx: &mut Ctx) -> CmdResult {
    let mut fin = Digest::default();
    for (j, db) in ctx.st.ks.dbs.iter().enumerate() {
        if db.is_empty() {
            continue;
        }
        fin.mix(&(j as u32).to_be_bytes());
        for (k, e) in db.dict.iter() {
            let mut d = Digest::default();
            d.mix(k.as_bytes());
            entry_digest(e, &mut d)?;
            fin.xor_digest(&d);
        }
    }
    ctx.reply().simple(fin.hex().as_bytes());
    Ok(())
}

fn digest_value(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let db = ctx.db();
    let mut out = Vec::with_capacity(args.len() - 2);
    for key in args.rest(2) {
        let mut d = Digest::default();
        if let Some(e) = ctx.st.ks.dbs[db].dict.get(key) {
            entry_digest(e, &mut d)?;
        }
        out.push(d.hex());
    }
    let mut r = ctx.reply();
    r.array(out.len());
    for h in out {
        r.simple(h.as_bytes());
    }
    Ok(())
}

fn protocol(ctx: &mut Ctx, name: &[u8]) -> CmdResult {
    let mut r = ctx.reply();
    match name.to_ascii_lowercase().as_slice() {
        b"string" => r.bulk(b"Hello World"),
        b"integer" => r.int(12345),
        // Redis's test value, not an approximation of pi.
        #[allow(clippy::approx_constant)]
        b"double" => r.double(3.141),
        b"bignum" => r.bignum(b"1234567999999999999999999999999999999"),
        b"null" => r.null(),
        b"array" => {
            r.array(3);
            (0..3).for_each(|i| r.int(i));
        }
        b"set" => {
            r.set(3);
            (0..3).for_each(|i| r.int(i));
        }
        b"map" => {
            r.map(3);
            for i in 0..3 {
                r.int(i);
                r.boolean(i == 1);
            }
        }
        b"attrib" => {
            if r.resp3 {
                r.raw(b"|1\r\n");
                r.bulk(b"key-popularity");
                r.array(2);
                r.bulk(b"key:123");
                r.int(90);
            }
            r.bulk(b"Some real reply following the attribute");
        }
        b"push" => {
            if !r.resp3 {
                return Err(CommandError::stat("ERR RESP2 is not supported by this command"));
            }
            r.push(2);
            r.bulk(b"server-cpu-usage");
            r.int(42);
            r.bulk(b"Some real reply following the push reply");
        }
        b"verbatim" => r.verbatim(b"This is a verbatim\nstring"),
        b"true" => r.boolean(true),
        b"false" => r.boolean(false),
        _ => {
            return Err(CommandError::stat(
                "ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false",
            ))
        }
    }
    Ok(())
}

/// getPositiveLongFromObjectOrReply: one message for a non-number and a negative number.
fn positive(b: &[u8]) -> Result<i64, CommandError> {
    match crate::util::num::parse_i64(b) {
        Some(n) if n >= 0 => Ok(n),
        _ => Err(CommandError::stat("ERR value is out of range, must be positive")),
    }
}

fn populate(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let count = positive(args.get(2))?;
    let valsize = if args.len() == 5 { positive(args.get(4))? } else { 0 };
    // A value is allocated per key: refuse sizes no string may have.
    if valsize > ctx.st.cfg.proto_max_bulk_len {
        return Err(STRING_TOO_LONG);
    }
    let prefix: &[u8] = if args.len() >= 4 { c_str(args.get(3)) } else { b"key" };
    let db = ctx.db();
    let lru = super::object::new_object_lru(ctx);
    // Redis's POPULATE signals modified keys but leaves the dirty counter alone.
    let dirty = ctx.st.dirty;
    let mut key = Vec::with_capacity(prefix.len() + 21);
    for j in 0..count as u64 {
        key.clear();
        key.extend_from_slice(prefix);
        key.push(b':');
        key.extend_from_slice(j.to_string().as_bytes());
        // snprintf into a 128-byte buffer.
        key.truncate(127);
        if ctx.st.ks.exists(db, &key, ctx.now_ms) {
            continue;
        }
        let text = format!("value:{j}");
        let value = if valsize == 0 {
            Value::string_no_int(text.as_bytes())
        } else {
            let mut v = vec![0u8; valsize as usize];
            let n = text.len().min(v.len());
            v[..n].copy_from_slice(&text.as_bytes()[..n]);
            Value::string_no_int(&v)
        };
        ctx.st.ks.set(db, &key, value, 0, lru);
        ctx.modified(db, &key);
    }
    ctx.st.dirty = dirty;
    ctx.reply().ok();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_number_parsing() {
        assert_eq!(atoi(b"1"), 1);
        assert_eq!(atoi(b" -3x"), -3);
        assert_eq!(atoi(b"abc"), 0);
        assert_eq!(strtod_prefix(b"0.05"), 0.05);
        assert_eq!(strtod_prefix(b"1e-3s"), 0.001);
        assert_eq!(strtod_prefix(b"abc"), 0.0);
        assert_eq!(strtod_prefix(b"1e"), 1.0);
    }

    #[test]
    fn serialized_lengths_match_redis() {
        let e = |v: Value| Entry { expire: 0, lru: 0, value: v };
        assert_eq!(serialized_len(&e(Value::string(b"1")), true), 2);
        assert_eq!(serialized_len(&e(Value::string(b"12345")), true), 3);
        assert_eq!(serialized_len(&e(Value::string(b"hello")), true), 6);
        assert_eq!(serialized_len(&e(Value::string(b"abc")), true), 4);
        assert_eq!(serialized_len(&e(Value::string(b"4294967296")), true), 11);
        // Compressible strings, values from Redis 7.0.15's DEBUG OBJECT.
        let x100 = vec![b'x'; 100];
        assert_eq!(serialized_len(&e(Value::string(&x100)), true), 13);
        assert_eq!(serialized_len(&e(Value::string(&x100)), false), 102);
        assert_eq!(serialized_len(&e(Value::string(&b"ab".repeat(500))), true), 23);
        let mut p0 = b"value:0".to_vec();
        p0.resize(100, 0);
        assert_eq!(serialized_len(&e(Value::string(&p0)), true), 19);
        let lorem = b"Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Lorem ipsum dolor sit amet";
        assert_eq!(serialized_len(&e(Value::string(lorem)), true), 139);
        let rnd =
            b"N7TGUxeU5kMA5i1EOtIIBaE8BxhwI9j7BU/V3K0Vl5iH6/hTrfOkPg0g4XGP6v75Iy4A4Nhp7knJzoUI";
        assert_eq!(serialized_len(&e(Value::string(rnd)), true), 82);
        assert_eq!(serialized_len(&e(Value::string(&[b'a'; 21])), true), 9);
    }

    #[test]
    fn sleep_never_panics() {
        sleep_secs(f64::NAN);
        sleep_secs(-1.0);
        sleep_secs(0.0);
    }
}
