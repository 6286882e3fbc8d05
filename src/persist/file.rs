//! Whole RDB files (rdbSaveRio / rdbLoadRio): the header, aux fields, function libraries,
//! each database with its size hints and keys, the EOF opcode and the CRC64. Loading decodes
//! the whole file before anything is installed, so a corrupt file changes nothing.

use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::Path;

use super::rdb::decode::{read_value, LoadCfg, Reader};
use super::rdb::encode::{write_typed, Writer};
use super::rdb::{corrupt, opcodes, RdbError, RdbResult, RDB_VERSION};
use crate::db::{Entry, Keyspace, Value};
use crate::util::crc64::crc64;

/// Per-key access data written before a key under an LRU or LFU policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyMeta {
    None,
    /// Seconds since last access (RDB_OPCODE_IDLE).
    Idle(u64),
    /// The LFU counter (RDB_OPCODE_FREQ).
    Freq(u8),
}

pub struct SaveOpts<'a> {
    pub compress: bool,
    pub checksum: bool,
    pub now_ms: i64,
    pub used_mem: u64,
    pub meta: &'a dyn Fn(&Entry) -> KeyMeta,
}

/// The Redis version written in the `redis-ver` aux field.
pub const REDIS_VER: &str = "7.0.15";

fn aux(w: &mut Writer, k: &str, v: &[u8]) {
    w.byte(opcodes::AUX);
    w.string(k.as_bytes());
    w.string(v);
}

/// The bytes of an RDB file holding `ks` and the function libraries `functions`.
pub fn encode(ks: &Keyspace, functions: &[&[u8]], o: &SaveOpts) -> Vec<u8> {
    let mut w = Writer::new(o.compress);
    w.out.extend_from_slice(format!("REDIS{RDB_VERSION:04}").as_bytes());
    aux(&mut w, "redis-ver", REDIS_VER.as_bytes());
    aux(&mut w, "redis-bits", b"64");
    aux(&mut w, "ctime", (o.now_ms / 1000).to_string().as_bytes());
    aux(&mut w, "used-mem", o.used_mem.to_string().as_bytes());
    aux(&mut w, "aof-base", b"0");
    for code in functions {
        w.byte(opcodes::FUNCTION2);
        w.string(code);
    }
    for (i, db) in ks.dbs.iter().enumerate() {
        if db.is_empty() {
            continue;
        }
        w.byte(opcodes::SELECTDB);
        w.length(i as u64);
        w.byte(opcodes::RESIZEDB);
        w.length(db.len() as u64);
        w.length(db.expires as u64);
        for (k, e) in db.dict.iter() {
            if e.expire != 0 {
                w.byte(opcodes::EXPIRETIME_MS);
                w.millis(e.expire);
            }
            match (o.meta)(e) {
                KeyMeta::None => {}
                KeyMeta::Idle(s) => {
                    w.byte(opcodes::IDLE);
                    w.length(s);
                }
                KeyMeta::Freq(f) => {
                    w.byte(opcodes::FREQ);
                    w.byte(f);
                }
            }
            let _ = write_key_value(&mut w, k, &e.value);
        }
    }
    w.byte(opcodes::EOF);
    let crc = if o.checksum { crc64(0, &w.out) } else { 0 };
    w.out.extend_from_slice(&crc.to_le_bytes());
    w.out
}

fn write_key_value(w: &mut Writer, k: &[u8], v: &Value) -> Option<()> {
    // The type byte comes before the key.
    let mut tmp = Writer::new(w.compress);
    write_typed(&mut tmp, v);
    w.byte(tmp.out[0]);
    w.string(k);
    w.out.extend_from_slice(&tmp.out[1..]);
    Some(())
}

/// One key read from a file.
pub struct LoadedKey {
    pub key: Vec<u8>,
    pub value: Value,
    pub expire: i64,
    pub meta: KeyMeta,
}

#[derive(Default)]
pub struct Loaded {
    /// Keys per database index.
    pub dbs: Vec<Vec<LoadedKey>>,
    pub functions: Vec<Vec<u8>>,
    pub keys: usize,
    pub expired_skipped: usize,
    pub empty_skipped: usize,
    /// Aux fields as found (redis-ver, ctime...).
    pub aux: Vec<(Vec<u8>, Vec<u8>)>,
}

/// Decode a whole RDB file. Keys already expired at `now_ms` are skipped (as a master does),
/// as are empty collections.
pub fn decode(
    buf: &[u8],
    cfg: &LoadCfg,
    databases: usize,
    now_ms: i64,
    verify_crc: bool,
) -> RdbResult<Loaded> {
    if buf.len() < 9 || &buf[..5] != b"REDIS" {
        return corrupt("Wrong signature trying to load DB from file");
    }
    let ver: u32 = std::str::from_utf8(&buf[5..9])
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| RdbError::Corrupt("Wrong signature trying to load DB from file".into()))?;
    if !(1..=RDB_VERSION as u32).contains(&ver) {
        return corrupt(&format!("Can't handle RDB format version {ver}"));
    }
    let mut r = Reader::new(buf);
    r.pos = 9;
    let mut out =
        Loaded { dbs: (0..databases).map(|_| Vec::new()).collect(), ..Default::default() };
    let mut seen: Vec<HashSet<Vec<u8>>> = (0..databases).map(|_| HashSet::new()).collect();
    let mut db = 0usize;
    let (mut expire, mut meta) = (0i64, KeyMeta::None);
    loop {
        let t = r.byte()?;
        match t {
            opcodes::EXPIRETIME => {
                expire =
                    i32::from_le_bytes(r.bytes(4)?.try_into().unwrap_or_default()) as i64 * 1000;
                continue;
            }
            opcodes::EXPIRETIME_MS => {
                expire = r.millis()?;
                continue;
            }
            opcodes::FREQ => {
                meta = KeyMeta::Freq(r.byte()?);
                continue;
            }
            opcodes::IDLE => {
                meta = KeyMeta::Idle(r.length()?);
                continue;
            }
            opcodes::EOF => break,
            opcodes::SELECTDB => {
                let n = r.length()?;
                if n >= databases as u64 {
                    return corrupt(&format!("FATAL: Data file was created with a Redis server configured to handle more than {databases} databases. Exiting\n"));
                }
                db = n as usize;
                continue;
            }
            opcodes::RESIZEDB => {
                r.length()?;
                r.length()?;
                continue;
            }
            opcodes::AUX => {
                let k = r.string()?;
                let v = r.string()?;
                out.aux.push((k, v));
                continue;
            }
            opcodes::MODULE_AUX => {
                return Err(RdbError::Unsupported(
                    "The RDB file contains AUX module data I can't load: no matching module".into(),
                ))
            }
            opcodes::FUNCTION_PRE_GA => {
                return corrupt("Pre-release function format not supported.")
            }
            opcodes::FUNCTION2 => {
                out.functions.push(r.string()?);
                continue;
            }
            _ => {}
        }
        let key = r.string()?;
        let loaded = read_value(&mut r, t, cfg);
        let (e, m) = (std::mem::take(&mut expire), std::mem::replace(&mut meta, KeyMeta::None));
        let value = match loaded {
            Ok(v) => v,
            Err(RdbError::EmptyKey) => {
                out.empty_skipped += 1;
                continue;
            }
            Err(err) => return Err(err),
        };
        if !seen[db].insert(key.clone()) {
            return corrupt(&format!(
                "RDB has duplicated key '{}' in DB {db}",
                String::from_utf8_lossy(&key)
            ));
        }
        if e != 0 && e < now_ms {
            out.expired_skipped += 1;
            continue;
        }
        out.keys += 1;
        out.dbs[db].push(LoadedKey { key, value, expire: e, meta: m });
    }
    if ver >= 5 {
        let body_end = r.pos;
        let stored = u64::from_le_bytes(r.bytes(8)?.try_into().unwrap_or_default());
        if verify_crc && stored != 0 {
            let expected = crc64(0, &buf[..body_end]);
            if expected != stored {
                log::warn!(
                    "Wrong RDB checksum expected: ({expected:x}) but got ({stored:x}). Aborting now."
                );
                return corrupt("RDB CRC error");
            }
        }
    }
    Ok(out)
}

/// Write `bytes` to `dir/name` so that a crash at any point leaves the old file or the new
/// one: a temp file, fsync, rename over the target, fsync the directory.
pub fn write_atomic(dir: &Path, tmp: &str, name: &str, bytes: &[u8]) -> io::Result<()> {
    let tmp = dir.join(tmp);
    let res = (|| {
        let mut f = File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        fs::rename(&tmp, dir.join(name))?;
        File::open(dir)?.sync_all()
    })();
    if res.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    res
}
