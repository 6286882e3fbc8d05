//! Command family: OBJECT ENCODING | FREQ | IDLETIME | REFCOUNT | HELP, and the access
//! bookkeeping (LRU clock or LFU counter in `Entry::lru`) that FREQ and IDLETIME report.

use super::args::Args;
use super::table::{flags, CommandDef};
use super::Ctx;
use crate::db::Value;
use crate::error::{CmdResult, CommandError};
use crate::state::State;

const fn sub(
    name: &'static str,
    handler: super::table::Handler,
    since: &'static str,
    summary: &'static str,
) -> CommandDef {
    CommandDef {
        name,
        handler,
        arity: 3,
        flags: flags::READONLY,
        acl: &["@keyspace", "@read"],
        first_key: 2,
        last_key: 2,
        step: 1,
        since,
        summary,
        complexity: "O(1)",
        syntax: "key",
        ..CommandDef::DEFAULT
    }
}

pub const COMMANDS: &[CommandDef] = &[CommandDef {
    name: "object",
    arity: -2,
    since: "2.2.3",
    summary: "A container for object introspection commands",
    complexity: "Depends on subcommand.",
    subcommands: &[
        sub("encoding", encoding, "2.2.3", "Inspect the internal encoding of a Redis object"),
        sub(
            "freq",
            freq,
            "4.0.0",
            "Get the logarithmic access frequency counter of a Redis object",
        ),
        CommandDef {
            name: "help",
            handler: help,
            arity: 2,
            flags: flags::LOADING | flags::STALE,
            acl: &["@keyspace"],
            since: "6.2.0",
            summary: "Show helpful text about the different subcommands",
            complexity: "O(1)",
            ..CommandDef::DEFAULT
        },
        sub("idletime", idletime, "2.2.3", "Get the time since a Redis object was last accessed"),
        sub("refcount", refcount, "2.2.3", "Get the number of references to the value of the key"),
    ],
    ..CommandDef::DEFAULT
}];

/// Redis's OBJ_SHARED_REFCOUNT: what OBJECT REFCOUNT shows for the shared integers.
const SHARED_REFCOUNT: i64 = i32::MAX as i64;
/// Integers 0..OBJ_SHARED_INTEGERS are shared objects in Redis.
const SHARED_INTEGERS: i64 = 10_000;
/// The 24-bit LRU clock wraps at this value (LRU_CLOCK_MAX).
const LRU_CLOCK_MAX: u32 = (1 << 24) - 1;

/// The parts of the maxmemory configuration that decide what `Entry::lru` holds.
///
/// Under an LFU policy Redis stores `minutes << 8 | log counter` in the object's 24 bits,
/// otherwise the LRU clock in seconds; switching policy reinterprets old values, as in Redis.
#[derive(Debug, Clone, Copy)]
pub struct EvictionPolicy {
    pub lfu: bool,
    pub lru: bool,
    pub maxmemory: u64,
    pub lfu_decay_time: u64,
    pub lfu_log_factor: u64,
}

impl EvictionPolicy {
    /// Read through CONFIG GET's view so this follows whatever settings the config carries.
    pub fn of(st: &State) -> EvictionPolicy {
        let mut p = EvictionPolicy {
            lfu: false,
            lru: false,
            maxmemory: st.cfg.maxmemory,
            lfu_decay_time: 1,
            lfu_log_factor: 10,
        };
        let names: [&[u8]; 3] = [b"maxmemory-policy", b"lfu-decay-time", b"lfu-log-factor"];
        for (name, value) in st.cfg.config_get(&names) {
            match name.as_str() {
                "maxmemory-policy" => {
                    p.lfu = value.ends_with("-lfu");
                    p.lru = value.ends_with("-lru");
                }
                "lfu-decay-time" => p.lfu_decay_time = value.parse().unwrap_or(1),
                "lfu-log-factor" => p.lfu_log_factor = value.parse().unwrap_or(10),
                _ => {}
            }
        }
        p
    }

    /// Redis shares the integers 0..9999 between keys unless an LRU/LFU policy with a memory
    /// limit needs per-key access data.
    pub fn shares_integers(&self) -> bool {
        self.maxmemory == 0 || !(self.lfu || self.lru)
    }

    /// The `lru` field of a freshly created value (createObject).
    pub fn new_lru(&self, lru_clock: u32, now_ms: i64) -> u32 {
        if self.lfu {
            crate::db::lfu::new_word(now_ms)
        } else {
            lru_clock
        }
    }

    /// LFUDecrAndReturn: the counter after one decrement per elapsed decay period.
    pub fn lfu_decayed(&self, word: u32, now_ms: i64) -> u32 {
        crate::db::lfu::decayed(word, now_ms, self.lfu_decay_time)
    }
}

/// The `lru` word for a value a command creates (COPY's duplicate).
pub fn new_object_lru(ctx: &Ctx) -> u32 {
    EvictionPolicy::of(ctx.st).new_lru(ctx.lru(), ctx.now_ms)
}

/// estimateObjectIdleTime in seconds, across the 24-bit clock's wrap.
fn idle_seconds(lru_clock: u32, lru: u32) -> i64 {
    if lru_clock >= lru {
        i64::from(lru_clock - lru)
    } else {
        i64::from(lru_clock) + i64::from(LRU_CLOCK_MAX.saturating_sub(lru))
    }
}

/// What OBJECT REFCOUNT reports for a value.
fn refcount_of(v: &Value, policy: &EvictionPolicy) -> i64 {
    match v {
        Value::Int(i) if (0..SHARED_INTEGERS).contains(i) && policy.shares_integers() => {
            SHARED_REFCOUNT
        }
        _ => 1,
    }
}

fn encoding(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (db, now) = (ctx.db(), ctx.now_ms);
    let (st, mut r) = ctx.parts();
    match st.ks.read(db, args.get(2), now) {
        None => r.null(),
        Some(e) => r.bulk(e.value.encoding().as_bytes()),
    }
    Ok(())
}

fn refcount(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (db, now) = (ctx.db(), ctx.now_ms);
    let policy = EvictionPolicy::of(ctx.st);
    let (st, mut r) = ctx.parts();
    match st.ks.read(db, args.get(2), now) {
        None => r.null(),
        Some(e) => r.int(refcount_of(&e.value, &policy)),
    }
    Ok(())
}

fn idletime(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (db, now, clock) = (ctx.db(), ctx.now_ms, ctx.lru());
    let policy = EvictionPolicy::of(ctx.st);
    let Some(e) = ctx.st.ks.read(db, args.get(2), now) else {
        ctx.reply().null();
        return Ok(());
    };
    if policy.lfu {
        return Err(CommandError::stat(
            "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.",
        ));
    }
    let idle = idle_seconds(clock, e.lru);
    ctx.reply().int(idle);
    Ok(())
}

fn freq(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (db, now) = (ctx.db(), ctx.now_ms);
    let policy = EvictionPolicy::of(ctx.st);
    let Some(e) = ctx.st.ks.read(db, args.get(2), now) else {
        ctx.reply().null();
        return Ok(());
    };
    if !policy.lfu {
        return Err(CommandError::stat(
            "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.",
        ));
    }
    let counter = policy.lfu_decayed(e.lru, now);
    ctx.reply().int(i64::from(counter));
    Ok(())
}

const HELP: &[&str] = &[
    "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "ENCODING <key>",
    "    Return the kind of internal representation used in order to store the value",
    "    associated with a <key>.",
    "FREQ <key>",
    "    Return the access frequency index of the <key>. The returned integer is",
    "    proportional to the logarithm of the recent access frequency of the key.",
    "IDLETIME <key>",
    "    Return the idle time of the <key>, that is the approximated number of",
    "    seconds elapsed since the last access to the key.",
    "REFCOUNT <key>",
    "    Return the number of references of the value associated with the specified",
    "    <key>.",
    "HELP",
    "    Prints this help.",
];

fn help(ctx: &mut Ctx, _args: &Args) -> CmdResult {
    let mut r = ctx.reply();
    r.array(HELP.len());
    for line in HELP {
        r.simple(line.as_bytes());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lfu() -> EvictionPolicy {
        EvictionPolicy {
            lfu: true,
            lru: false,
            maxmemory: 0,
            lfu_decay_time: 1,
            lfu_log_factor: 10,
        }
    }

    #[test]
    fn idle_time_handles_clock_wrap() {
        assert_eq!(idle_seconds(100, 40), 60);
        assert_eq!(idle_seconds(5, LRU_CLOCK_MAX - 10), 15);
    }

    #[test]
    fn lfu_counter_decays_one_per_period() {
        let now = 600_000_000i64; // minute 10_000
        let m = crate::db::lfu::minutes(now);
        let word = (m - 3) << 8 | 10;
        assert_eq!(lfu().lfu_decayed(word, now), 7);
        assert_eq!(lfu().lfu_decayed((m - 30) << 8 | 10, now), 0);
        let no_decay = EvictionPolicy { lfu_decay_time: 0, ..lfu() };
        assert_eq!(no_decay.lfu_decayed(word, now), 10);
    }

    #[test]
    fn shared_integers_refcount() {
        let plain = EvictionPolicy { lfu: false, ..lfu() };
        assert_eq!(refcount_of(&Value::Int(0), &plain), SHARED_REFCOUNT);
        assert_eq!(refcount_of(&Value::Int(9999), &plain), SHARED_REFCOUNT);
        assert_eq!(refcount_of(&Value::Int(10_000), &plain), 1);
        assert_eq!(refcount_of(&Value::Int(-1), &plain), 1);
        assert_eq!(refcount_of(&Value::string(b"x"), &plain), 1);
        let limited_lfu = EvictionPolicy { maxmemory: 1 << 20, ..lfu() };
        assert_eq!(refcount_of(&Value::Int(5), &limited_lfu), 1);
    }
}
