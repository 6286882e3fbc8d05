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

/// RESTORE and RESTORE-ASKING share the whole row but their name and summary.
const RESTORE_COMPLEXITY: &str = "O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However for sorted set values the complexity is O(N*M*log(N)) because inserting values into sorted sets is O(log(N)).";

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
        complexity: RESTORE_COMPLEXITY,
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
        complexity: RESTORE_COMPLEXITY,
        syntax: RESTORE_SYNTAX,
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "bgsave",
        handler: bgsave_cmd,
        arity: -1,
        flags: flags::ADMIN | flags::NOSCRIPT | flags::NO_ASYNC_LOADING,
        acl: &["@admin", "@slow", "@dangerous"],
        group: "server",
        since: "1.0.0",
        summary: "Asynchronously save the dataset to disk",
        complexity: "O(1)",
        syntax: "[SCHEDULE]",
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
    if !dump::verify(payload, ctx.st.skip_checksum_validation) {
        return Err(CommandError::stat("ERR DUMP payload version or checksum are wrong"));
    }
    let value = dump::load(payload, &LoadCfg::new(&ctx.st.cfg)).map_err(|e| {
        // Redis's rdbReportCorruptRDB logs why a payload was refused, RESTORE included.
        log::warn!("Internal error in RDB reading: {}", rdb_error_text(&e));
        CommandError::stat("ERR Bad data format")
    })?;
    let deleted = replace && ctx.st.ks.delete(db, key);
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

/// After a failed background save, automatic saves wait this long before trying again.
const BGSAVE_RETRY_DELAY_SECS: i64 = 5;

pub const MISCONF: &str = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.";

/// writeCommandsDeniedByDiskError: writes (and PING) are refused while the last background
/// save failed, save points exist and stop-writes-on-bgsave-error is on.
pub fn writes_refused(st: &State) -> bool {
    !st.rdb.last_ok && st.cfg.stop_writes_on_bgsave_error && !st.cfg.save.is_empty()
}

fn bgsave_cmd(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let schedule = match args.len() {
        1 => false,
        2 if args.is(1, "schedule") => true,
        _ => return Err(SYNTAX),
    };
    if ctx.st.rdb.bgsave.is_some() {
        // A BGSAVE inside MULTI (no_block) schedules like Redis's in_exec case.
        if schedule || ctx.no_block {
            ctx.st.rdb.scheduled = true;
            ctx.reply().simple(b"Background saving scheduled");
            return Ok(());
        }
        return Err(CommandError::stat("ERR Background save already in progress"));
    }
    let now = ctx.now_ms;
    bgsave_start(ctx.st, now).map_err(|_| CommandError::stat("ERR"))?;
    ctx.reply().simple(b"Background saving started");
    Ok(())
}

/// rdbSaveBackground: serialize the dataset now (the point-in-time snapshot), hand the bytes
/// to a helper thread for write + fsync + rename.
pub fn bgsave_start(st: &mut State, now_ms: i64) -> Result<(), String> {
    st.rdb.last_try_secs = now_ms / 1000;
    st.rdb.saves += 1;
    let bytes = rdb_bytes(st, now_ms);
    let (dir, name) = (data_dir(st), st.cfg.dbfilename.clone());
    let handle = std::thread::Builder::new()
        .name("rdb-writer".into())
        .spawn(move || {
            let tmp = format!("temp-bg-{}.rdb", std::process::id());
            file::write_atomic(&dir, &tmp, &name, &bytes)
        })
        .map_err(|e| {
            log::warn!("Can't save in background: {e}");
            st.rdb.last_ok = false;
            e.to_string()
        })?;
    log::info!("Background saving started");
    st.rdb.bgsave =
        Some(crate::persist::BgSave { handle, started_ms: now_ms, dirty_at_start: st.dirty });
    Ok(())
}

/// Between polls: finish a background save whose writer is done, then start a scheduled
/// save or one a save point asks for (serverCron's persistence part).
pub fn tick(st: &mut State, now_ms: i64) {
    if st.rdb.bgsave.as_ref().is_some_and(|b| b.handle.is_finished()) {
        bgsave_finish(st, now_ms);
    }
    if st.rdb.bgsave.is_some() {
        return;
    }
    let now_s = now_ms / 1000;
    let may_retry = st.rdb.last_ok || now_s - st.rdb.last_try_secs > BGSAVE_RETRY_DELAY_SECS;
    if st.rdb.scheduled && may_retry {
        if bgsave_start(st, now_ms).is_ok() {
            st.rdb.scheduled = false;
        }
        return;
    }
    let due = st.cfg.save.iter().find(|&&(secs, changes)| {
        st.dirty >= changes.max(0) as u64 && now_s - st.lastsave > secs && may_retry
    });
    if let Some(&(secs, changes)) = due {
        log::info!("{changes} changes in {secs} seconds. Saving...");
        let _ = bgsave_start(st, now_ms);
    }
}

/// Wait for the background save's writer (if any) and record its outcome. Foreground saves
/// call this first, so an older snapshot can never be renamed over a newer file.
pub fn bgsave_finish(st: &mut State, now_ms: i64) {
    {
        let Some(b) = st.rdb.bgsave.take() else { return };
        let res = b
            .handle
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("writer thread panicked")));
        st.rdb.last_bgsave_secs = (now_ms - b.started_ms) / 1000;
        match res {
            Ok(()) => {
                log::info!("Background saving terminated with success");
                st.dirty = st.dirty.saturating_sub(b.dirty_at_start);
                st.lastsave = now_ms / 1000;
                st.rdb.last_ok = true;
            }
            Err(e) => {
                log::warn!("Write error saving DB on disk: {e}");
                log::warn!("Background saving error");
                st.rdb.last_ok = false;
            }
        }
    }
}

/// When the loop must next run `tick`: soon while a background save runs or one is
/// scheduled, else when the first save point with enough changes comes due.
pub fn next_wakeup(st: &State, now_ms: i64) -> Option<i64> {
    if st.rdb.bgsave.is_some() || st.rdb.scheduled {
        return Some(now_ms + 10);
    }
    let retry_at = if st.rdb.last_ok {
        0
    } else {
        (st.rdb.last_try_secs + BGSAVE_RETRY_DELAY_SECS + 1) * 1000
    };
    st.cfg
        .save
        .iter()
        .filter(|&&(_, changes)| st.dirty >= changes.max(0) as u64)
        .map(|&(secs, _)| ((st.lastsave + secs + 1) * 1000).max(retry_at))
        .min()
}

fn save_cmd(ctx: &mut Ctx, _args: &Args) -> CmdResult {
    if ctx.st.rdb.bgsave.is_some() {
        return Err(CommandError::stat("ERR Background save already in progress"));
    }
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

/// Where RDB files go: the server chdirs into `dir` (at startup and on CONFIG SET dir), so
/// "." is it; an absolute `dir` is used as is, which also serves servers embedded in another
/// process (the tests) that never chdir.
fn data_dir(st: &State) -> std::path::PathBuf {
    let d = Path::new(&st.cfg.dir);
    if d.is_absolute() {
        d.to_path_buf()
    } else {
        Path::new(".").to_path_buf()
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
    bgsave_finish(st, now_ms);
    let bytes = rdb_bytes(st, now_ms);
    let tmp = format!("temp-{}.rdb", std::process::id());
    match file::write_atomic(&data_dir(st), &tmp, &st.cfg.dbfilename, &bytes) {
        Ok(()) => {
            log::info!("DB saved on disk");
            st.dirty = 0;
            st.lastsave = now_ms / 1000;
            st.rdb.last_ok = true;
            Ok(())
        }
        Err(e) => {
            // As rdbSave: a failed foreground save leaves the background status alone.
            let msg = format!("Write error saving DB on disk: {e}");
            log::warn!("{msg}");
            Err(msg)
        }
    }
}

/// Install a decoded file. Unless `merge` (RDBFLAGS_ALLOW_DUP), a library or key already
/// present is an error, found before anything changes (Redis aborts on a duplicate key;
/// refusing is the safe form of that).
fn install(st: &mut State, loaded: Loaded, now_ms: i64, merge: bool) -> Result<(), String> {
    let f = &mut st.scripting.functions;
    let mut libs = Vec::with_capacity(loaded.functions.len());
    for code in &loaded.functions {
        libs.push(f.compile(code).map_err(|e| format!("Failed loading library: {e}"))?);
    }
    if !merge {
        if let Some(l) = libs.iter().find(|l| f.libraries.contains_key(&l.name)) {
            return Err(format!("Failed loading library: Library '{}' already exists", l.name));
        }
        for (db, keys) in loaded.dbs.iter().enumerate() {
            if let Some(k) = keys.iter().find(|k| st.ks.dbs[db].dict.get(&k.key[..]).is_some()) {
                return Err(format!(
                    "RDB has duplicated key '{}' in DB {db}",
                    String::from_utf8_lossy(&k.key)
                ));
            }
        }
    }
    let f = &mut st.scripting.functions;
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
    let verify_crc = st.cfg.rdbchecksum && !st.skip_checksum_validation;
    file::decode(bytes, &LoadCfg::new(&st.cfg), st.cfg.databases, now_ms, verify_crc)
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
    let bytes = match std::fs::read(data_dir(st).join(&st.cfg.dbfilename)) {
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
    let aux = |k: &[u8]| {
        loaded
            .aux
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
    };
    if let Some(v) = aux(b"redis-ver") {
        log::info!("Loading RDB produced by version {v}");
    }
    if let Some(ctime) = aux(b"ctime").and_then(|c| c.parse::<i64>().ok()) {
        log::info!("RDB age {} seconds", (now_ms / 1000 - ctime).max(0));
    }
    if let Some(mem) = aux(b"used-mem").and_then(|c| c.parse::<f64>().ok()) {
        log::info!("RDB memory usage when created {:.2} Mb", mem / (1024.0 * 1024.0));
    }
    let (keys, expired) = (loaded.keys, loaded.expired_skipped);
    install(st, loaded, now_ms, false)?;
    log::info!("Done loading RDB, keys loaded: {keys}, keys expired: {expired}.");
    log::info!("DB loaded from disk: {:.3} seconds", started.elapsed().as_secs_f64());
    Ok(())
}

/// DEBUG RELOAD's load: read `dbfilename`, then (when `flush`) empty keys and functions
/// and install it. A file that does not decode changes nothing.
pub fn reload(st: &mut State, now_ms: i64, flush: bool, merge: bool) -> Result<(), String> {
    let bytes = std::fs::read(data_dir(st).join(&st.cfg.dbfilename)).map_err(|e| format!("{e}"))?;
    let loaded = decode(st, &bytes, now_ms).map_err(|e| {
        let m = rdb_error_text(&e);
        log::warn!("{m}");
        m
    })?;
    if flush {
        st.ks.flush_all(false);
        st.scripting.functions.flush();
    }
    install(st, loaded, now_ms, merge).inspect_err(|e| log::warn!("{e}"))
}

/// DEBUG OBJECT's serializedlength: the bytes rdbSaveObject writes for the value.
pub fn serialized_len(v: &crate::db::Value, compress: bool) -> usize {
    let mut w = rdb::encode::Writer::new(compress);
    rdb::encode::write_value(&mut w, v);
    w.out.len()
}
