//! DUMP, RESTORE (and RESTORE-ASKING), SAVE and the glue between the server state and
//! `crate::persist`: saving the dataset to `dir/dbfilename`, loading it at startup and for
//! DEBUG RELOAD.

use std::path::Path;

use super::args::Args;
use super::object::{new_object_lru, EvictionPolicy};
use super::table::{flags, CommandDef};
use super::{notify, Ctx};
use crate::db::{Entry, Key};
use crate::error::{CmdResult, CommandError, SYNTAX};
use crate::persist::file::{self, KeyMeta, Loaded, SaveOpts};
use crate::persist::rdb::decode::LoadCfg;
use crate::persist::rdb::RdbError;
use crate::persist::{dump, rdb};
use crate::state::State;

const RESTORE_SYNTAX: &str =
    "key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]";

pub const COMMANDS: &[CommandDef] = &[
    CommandDef {
        name: "dump",
        handler: dump_cmd,
        arity: 2,
        flags: flags::READONLY,
        acl: &["@keyspace", "@read", "@slow"],
        first_key: 1,
        last_key: 1,
        step: 1,
        since: "2.6.0",
        summary: "Return a serialized version of the value stored at the specified key.",
        complexity: "O(1) to access the key and additional O(N*M) to serialize it, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1).",
        syntax: "key",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "restore",
        handler: restore,
        arity: -4,
        flags: flags::WRITE | flags::DENYOOM,
        acl: &["@keyspace", "@write", "@slow", "@dangerous"],
        first_key: 1,
        last_key: 1,
        step: 1,
        since: "2.6.0",
        summary: "Create a key using the provided serialized value, previously obtained using DUMP.",
        complexity: "O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However for sorted set values the complexity is O(N*M*log(N)) because inserting values into sorted sets is O(log(N)).",
        syntax: RESTORE_SYNTAX,
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "restore-asking",
        handler: restore,
        arity: -4,
        flags: flags::WRITE | flags::DENYOOM,
        acl: &["@keyspace", "@write", "@slow", "@dangerous"],
        first_key: 1,
        last_key: 1,
        step: 1,
        since: "3.0.0",
        summary: "An internal command for migrating keys in a cluster",
        complexity: "O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However for sorted set values the complexity is O(N*M*log(N)) because inserting values into sorted sets is O(log(N)).",
        syntax: RESTORE_SYNTAX,
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "save",
        handler: save_cmd,
        arity: 1,
        flags: flags::ADMIN | flags::NOSCRIPT | flags::NO_ASYNC_LOADING | flags::NO_MULTI,
        acl: &["@admin", "@slow", "@dangerous"],
        group: "server",
        since: "1.0.0",
        summary: "Synchronously save the dataset to disk",
        complexity: "O(N) where N is the total number of keys in all databases",
        ..CommandDef::DEFAULT
    },
];

fn dump_cmd(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (db, now, compress) = (ctx.db(), ctx.now_ms, ctx.st.cfg.rdbcompression);
    let payload = ctx.st.ks.read(db, args.get(1), now).map(|e| dump::dump(&e.value, compress));
    match payload {
        Some(p) => ctx.reply().bulk(&p),
        None => ctx.reply().null(),
    }
    Ok(())
}

/// LRU_CLOCK_MAX: the 24-bit access clock wraps here.
const LRU_CLOCK_MAX: i64 = (1 << 24) - 1;

fn restore(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (db, now) = (ctx.db(), ctx.now_ms);
    let (mut replace, mut absttl) = (false, false);
    let (mut idle, mut freq): (i64, i64) = (-1, -1);
    let mut j = 4;
    while j < args.len() {
        let more = j + 1 < args.len();
        if args.is(j, "replace") {
            replace = true;
        } else if args.is(j, "absttl") {
            absttl = true;
        } else if args.is(j, "idletime") && more && freq == -1 {
            idle = args.i64(j + 1)?;
            if idle < 0 {
                return Err(CommandError::stat("ERR Invalid IDLETIME value, must be >= 0"));
            }
            j += 1;
        } else if args.is(j, "freq") && more && idle == -1 {
            freq = args.i64(j + 1)?;
            if !(0..=255).contains(&freq) {
                return Err(CommandError::stat("ERR Invalid FREQ value, must be >= 0 and <= 255"));
            }
            j += 1;
        } else {
            return Err(SYNTAX);
        }
        j += 1;
    }
    let key = args.get(1);
    if !replace && ctx.st.ks.get(db, key, now).is_some() {
        return Err(CommandError::stat("BUSYKEY Target key name already exists."));
    }
    let mut ttl = args.i64(2)?;
    if ttl < 0 {
        return Err(CommandError::stat("ERR Invalid TTL value, must be >= 0"));
    }
    let payload = args.get(3);
    if !dump::verify(payload, false) {
        return Err(CommandError::stat("ERR DUMP payload version or checksum are wrong"));
    }
    let value = dump::load(payload, &LoadCfg::new(&ctx.st.cfg))
        .map_err(|_| CommandError::stat("ERR Bad data format"))?;
    let deleted = replace && ctx.st.ks.remove(db, key).is_some();
    if ttl != 0 && !absttl {
        ttl = ttl.saturating_add(now);
    }
    if ttl != 0 && ttl <= now {
        if deleted {
            ctx.modified(db, key);
            ctx.notify(notify::GENERIC, "del", db, key);
        }
        ctx.reply().ok();
        return Ok(());
    }
    let policy = EvictionPolicy::of(ctx.st);
    let mut lru = new_object_lru(ctx);
    if policy.lfu {
        if freq >= 0 {
            lru = ((((now / 60_000) & 0xffff) as u32) << 8) | freq as u32;
        }
    } else if idle >= 0 {
        let mut abs = ctx.lru() as i64 - idle;
        if abs < 0 {
            abs += LRU_CLOCK_MAX;
        }
        lru = abs as u32;
    }
    ctx.st.ks.insert_entry(db, Key::new(key), Entry { expire: ttl, lru, value });
    ctx.modified(db, key);
    ctx.notify(notify::GENERIC, "restore", db, key);
    ctx.reply().ok();
    Ok(())
}

fn save_cmd(ctx: &mut Ctx, _args: &Args) -> CmdResult {
    let now = ctx.now_ms;
    ctx.st.rdb.saves += 1;
    match save(ctx.st, now) {
        Ok(()) => {
            ctx.reply().ok();
            Ok(())
        }
        Err(_) => Err(CommandError::stat("ERR")),
    }
}

/// The per-key access data RDB files carry under an LRU or LFU policy.
fn key_meta(st: &State, now_ms: i64) -> impl Fn(&Entry) -> KeyMeta {
    let policy = EvictionPolicy::of(st);
    let clock = ((now_ms / 1000) & LRU_CLOCK_MAX) as u32;
    move |e: &Entry| {
        if policy.lfu {
            KeyMeta::Freq(policy.lfu_decayed(e.lru, now_ms) as u8)
        } else if policy.lru {
            let idle =
                if clock >= e.lru { clock - e.lru } else { (LRU_CLOCK_MAX as u32 - e.lru) + clock };
            KeyMeta::Idle(idle as u64)
        } else {
            KeyMeta::None
        }
    }
}

/// The dataset as an RDB file's bytes.
pub fn rdb_bytes(st: &State, now_ms: i64) -> Vec<u8> {
    let meta = key_meta(st, now_ms);
    let codes: Vec<&[u8]> =
        st.scripting.functions.libraries.values().map(|l| l.code.as_slice()).collect();
    let opts = SaveOpts {
        compress: st.cfg.rdbcompression,
        checksum: st.cfg.rdbchecksum,
        now_ms,
        used_mem: crate::alloc::used_memory().unwrap_or(0) as u64,
        meta: &meta,
    };
    file::encode(&st.ks, &codes, &opts)
}

/// rdbSave: write the dataset to `dbfilename` in the working directory (`dir`) atomically.
pub fn save(st: &mut State, now_ms: i64) -> Result<(), String> {
    let bytes = rdb_bytes(st, now_ms);
    match file::write_atomic(Path::new("."), &st.cfg.dbfilename, &bytes) {
        Ok(()) => {
            log::info!("DB saved on disk");
            st.dirty = 0;
            st.lastsave = now_ms / 1000;
            st.rdb.last_ok = true;
            Ok(())
        }
        Err(e) => {
            let msg = format!("Write error saving DB on disk: {e}");
            log::warn!("{msg}");
            st.rdb.last_ok = false;
            Err(msg)
        }
    }
}

/// Install a decoded file: the keys (replacing nothing; the caller emptied the dataset) and
/// the function libraries.
fn install(st: &mut State, loaded: Loaded, now_ms: i64) -> Result<(), String> {
    let f = &mut st.scripting.functions;
    let mut libs = Vec::with_capacity(loaded.functions.len());
    for code in &loaded.functions {
        libs.push(f.compile(code).map_err(|e| format!("Failed loading library: {e}"))?);
    }
    for lib in libs {
        f.install(lib, true).map_err(|e| format!("Failed loading library: {e}"))?;
    }
    let policy = EvictionPolicy::of(st);
    let clock = ((now_ms / 1000) & LRU_CLOCK_MAX) as u32;
    for (db, keys) in loaded.dbs.into_iter().enumerate() {
        for k in keys {
            let mut lru = policy.new_lru(clock, now_ms);
            match k.meta {
                KeyMeta::Freq(f) if policy.lfu => {
                    lru = ((((now_ms / 60_000) & 0xffff) as u32) << 8) | f as u32
                }
                KeyMeta::Idle(s) if !policy.lfu => {
                    let mut abs = clock as i64 - s.min(LRU_CLOCK_MAX as u64) as i64;
                    if abs < 0 {
                        abs += LRU_CLOCK_MAX;
                    }
                    lru = abs as u32;
                }
                _ => {}
            }
            st.ks.insert_entry(
                db,
                Key::new(&k.key),
                Entry { expire: k.expire, lru, value: k.value },
            );
        }
    }
    st.rdb.last_load_keys = loaded.keys as u64;
    st.rdb.last_load_expired = loaded.expired_skipped as u64;
    Ok(())
}

/// Decode `bytes` as an RDB file with the server's settings.
pub fn decode(st: &State, bytes: &[u8], now_ms: i64) -> Result<Loaded, RdbError> {
    file::decode(bytes, &LoadCfg::new(&st.cfg), st.cfg.databases, now_ms, st.cfg.rdbchecksum)
}

fn rdb_error_text(e: &RdbError) -> String {
    match e {
        RdbError::Corrupt(m) | RdbError::Unsupported(m) => m.clone(),
        RdbError::EmptyKey => "Empty keys".into(),
    }
}

/// Startup: load `dbfilename` from the working directory if it exists. Err carries the
/// message to log before exiting.
pub fn load_at_startup(st: &mut State, now_ms: i64) -> Result<(), String> {
    let bytes = match std::fs::read(&st.cfg.dbfilename) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(format!("Fatal error loading the DB: {e}. Exiting.")),
    };
    let started = std::time::Instant::now();
    let loaded = decode(st, &bytes, now_ms).map_err(|e| {
        format!(
            "Internal error in RDB reading: {}\nTerminating server after rdb file reading failure.",
            rdb_error_text(&e)
        )
    })?;
    let (keys, expired) = (loaded.keys, loaded.expired_skipped);
    install(st, loaded, now_ms)?;
    log::info!("Done loading RDB, keys loaded: {keys}, keys expired: {expired}.");
    log::info!("DB loaded from disk: {:.3} seconds", started.elapsed().as_secs_f64());
    Ok(())
}

/// DEBUG RELOAD's load: read `dbfilename`, then (when `flush`) empty keys and functions
/// and install it. A file that does not decode changes nothing.
pub fn reload(st: &mut State, now_ms: i64, flush: bool, _merge: bool) -> Result<(), String> {
    let bytes = std::fs::read(&st.cfg.dbfilename).map_err(|e| format!("{e}"))?;
    let loaded = decode(st, &bytes, now_ms).map_err(|e| {
        let m = rdb_error_text(&e);
        log::warn!("{m}");
        m
    })?;
    if flush {
        st.ks.flush_all();
        st.scripting.functions.flush();
    }
    install(st, loaded, now_ms)
}

/// DEBUG OBJECT's serializedlength: the bytes rdbSaveObject writes for the value.
pub fn serialized_len(v: &crate::db::Value, compress: bool) -> usize {
    let mut w = rdb::encode::Writer::new(compress);
    rdb::encode::write_value(&mut w, v);
    w.out.len()
}
