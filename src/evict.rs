//! maxmemory and the eviction policies (Redis 7.0's evict.c).
//!
//! Before each command the dispatcher calls [`perform`]: while used memory (the counting
//! allocator's figure, less what is not counted for eviction) is above `maxmemory`, keys
//! are picked by the policy and deleted. LRU, LFU and volatile-ttl pick through Redis's
//! 16-entry pool of the best candidates seen so far, filled by sampling
//! `maxmemory-samples` keys of every db; the random policies take a random key of the next
//! db. A run is bounded by `maxmemory-eviction-tenacity`'s time budget; when that runs out
//! the loop keeps evicting a slice per turn (`timer_running`, Redis's evictionTimeProc)
//! instead of stalling everyone.

use std::time::Instant;

use crate::config::MaxmemoryPolicy;
use crate::db::{Entry, Key, KsEvent};
use crate::state::State;

/// EVPOOL_SIZE.
const POOL_SIZE: usize = 16;

/// The OOM refusal, as Redis's shared.oomerr.
pub const OOM_ERROR: &str = "OOM command not allowed when used memory > 'maxmemory'.";
/// A script with declared flags but not `allow-oom` (nor `no-writes`), under OOM.
pub const OOM_SCRIPT_ERROR: &str =
    "OOM allow-oom flag is not set on the script, can not run it when used memory > 'maxmemory'";

/// What a run of [`perform`] achieved (EVICT_OK / EVICT_RUNNING / EVICT_FAIL).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Under the limit (or eviction is not allowed right now).
    Ok,
    /// Over the limit but still evicting from the loop.
    Running,
    /// Over the limit and nothing (more) can be evicted.
    Fail,
}

#[derive(Clone)]
struct PoolEntry {
    /// The score: a larger one is a better candidate.
    idle: u64,
    key: Key,
    db: usize,
}

/// Eviction state kept across commands.
pub struct Evictor {
    /// Best candidates, ascending by score; at most POOL_SIZE.
    pool: Vec<PoolEntry>,
    /// The random policies visit the dbs in turn.
    next_db: usize,
    /// Per-db scan cursors for the volatile policies when few keys have a TTL.
    volatile_cursor: Vec<u64>,
    rng: u64,
    /// The time budget ran out: keep evicting from the loop (isEvictionProcRunning).
    pub timer_running: bool,
    /// INFO evicted_keys.
    pub evicted_keys: u64,
    /// INFO total_eviction_exceeded_time (µs, closed periods).
    pub total_exceeded_us: u64,
    /// Start of the current period over the limit (stat_last_eviction_exceeded_time).
    pub exceeded_since: Option<Instant>,
    /// The OOM state seen when the current command started (server.pre_command_oom_state).
    pub pre_command_oom: bool,
}

impl Default for Evictor {
    fn default() -> Self {
        Evictor {
            pool: Vec::with_capacity(POOL_SIZE),
            next_db: 0,
            volatile_cursor: Vec::new(),
            rng: 0x2545_f491_4f6c_dd1d,
            timer_running: false,
            evicted_keys: 0,
            total_exceeded_us: 0,
            exceeded_since: None,
            pre_command_oom: false,
        }
    }
}

impl Evictor {
    /// INFO current_eviction_exceeded_time, in µs.
    pub fn current_exceeded_us(&self) -> u64 {
        self.exceeded_since.map_or(0, |t| t.elapsed().as_micros() as u64)
    }

    /// CONFIG RESETSTAT.
    pub fn reset_stats(&mut self) {
        self.evicted_keys = 0;
        self.total_exceeded_us = 0;
        self.exceeded_since = None;
    }

    fn rand(&mut self) -> u64 {
        crate::db::lfu::xorshift(&mut self.rng)
    }
}

/// Memory Redis does not count against maxmemory (replica output buffers, the AOF buffer):
/// freeMemoryGetNotCountedMemory. Neither exists yet.
pub fn not_counted(_st: &State) -> usize {
    0
}

/// The memory figure eviction works with: the allocator's count, or the resident set size
/// where the counting allocator is not installed (the in-process test server), as INFO.
pub fn used_memory() -> usize {
    crate::alloc::used_memory().unwrap_or_else(crate::alloc::rss_bytes)
}

/// getMaxmemoryState: how many bytes must be freed (0 when under the limit).
pub fn to_free(st: &State) -> usize {
    let max = st.cfg.maxmemory as usize;
    if max == 0 {
        return 0;
    }
    let reported = used_memory();
    if reported <= max {
        return 0;
    }
    reported.saturating_sub(not_counted(st)).saturating_sub(max)
}

/// Before a command: the keyspace tables may grow only within what maxmemory leaves
/// (overMaxmemoryAfterAlloc), so a rehash does not by itself trigger evictions.
#[inline]
pub fn set_grow_limit(st: &mut State) {
    let limit = match st.cfg.maxmemory as usize {
        0 => usize::MAX,
        max => max.saturating_sub(used_memory().saturating_sub(not_counted(st))),
    };
    st.ks.set_grow_limit(limit);
}

/// isSafeToPerformEvictions: not while a script is past its busy threshold, nor while
/// clients are paused (the dataset must stay still).
fn safe_to_evict(st: &State, now_ms: i64) -> bool {
    !st.scripting.busy() && st.client_pause.is_none_or(|p| now_ms >= p.end_ms)
}

/// evictionTimeLimitUs, for `maxmemory-eviction-tenacity`.
fn time_limit_us(tenacity: i64) -> u64 {
    match tenacity {
        t if t <= 10 => 50 * t.max(0) as u64,
        t if t < 100 => (500.0 * 1.15f64.powf(t as f64 - 10.0)) as u64,
        _ => u64::MAX,
    }
}

/// performEvictions. Evicted keys go to the keyspace log (`KsEvent::Evicted`); the caller
/// drains it (events, WATCH, tracking).
pub fn perform(st: &mut State, now_ms: i64) -> Outcome {
    if !safe_to_evict(st, now_ms) {
        return Outcome::Ok;
    }
    let mut tofree = to_free(st);
    let result = if tofree == 0 {
        Outcome::Ok
    } else if st.cfg.maxmemory_policy == MaxmemoryPolicy::Noeviction {
        Outcome::Fail
    } else {
        let limit = time_limit_us(st.cfg.maxmemory_eviction_tenacity as i64);
        let lazy = st.cfg.lazyfree_lazy_eviction;
        let threshold = st.cfg.latency_monitor_threshold;
        let started = Instant::now();
        let mut freed: i64 = 0;
        let mut keys_freed = 0u64;
        let mut result = Outcome::Fail;
        loop {
            if freed >= tofree as i64 {
                result = if st.evict.timer_running { Outcome::Running } else { Outcome::Ok };
                break;
            }
            let Some((db, key)) = pick(st, now_ms) else { break };
            let before = used_memory() as i64;
            let del_start = (threshold > 0).then(Instant::now);
            if let Some((k, e)) = st.ks.remove(db, &key) {
                st.ks.lazy.free(e.value, lazy);
                drop(k);
            }
            if let Some(t) = del_start {
                let ms = t.elapsed().as_millis() as u64;
                if ms >= threshold {
                    st.latency.add("eviction-del", now_ms / 1000, ms);
                }
            }
            freed += before - used_memory() as i64;
            st.evict.evicted_keys += 1;
            st.dirty += 1;
            st.ks.log.push((KsEvent::Evicted, db, key));
            keys_freed += 1;
            if keys_freed % 16 == 0 {
                if st.ks.compact_wheel_if_stale() {
                    freed = tofree.saturating_sub(to_free(st)) as i64;
                }
                // Values freed on the lazyfree thread shrink memory after the delete
                // returns: measure again rather than trust the deltas.
                if lazy {
                    tofree = to_free(st);
                    if tofree == 0 {
                        result =
                            if st.evict.timer_running { Outcome::Running } else { Outcome::Ok };
                        break;
                    }
                    freed = 0;
                }
                if started.elapsed().as_micros() as u64 > limit {
                    st.evict.timer_running = true;
                    result = Outcome::Running;
                    break;
                }
            }
        }
        if result == Outcome::Fail && st.ks.lazy.pending() > 0 {
            // Some memory is on its way back from the lazyfree thread: a short wait, bounded
            // so a busy helper thread cannot stall the loop.
            std::thread::sleep(std::time::Duration::from_micros(limit.min(500)));
            if to_free(st) == 0 {
                result = Outcome::Ok;
            }
        }
        if threshold > 0 {
            let ms = started.elapsed().as_millis() as u64;
            if ms >= threshold {
                st.latency.add("eviction-cycle", now_ms / 1000, ms);
            }
        }
        result
    };
    let ev = &mut st.evict;
    match result {
        Outcome::Running | Outcome::Fail => {
            if ev.exceeded_since.is_none() {
                ev.exceeded_since = Some(Instant::now());
            }
        }
        Outcome::Ok => {
            if let Some(t) = ev.exceeded_since.take() {
                ev.total_exceeded_us += t.elapsed().as_micros() as u64;
            }
        }
    }
    result
}

/// The loop's turn of evictionTimeProc: evict while a run that ran out of time still has
/// work; stop once memory is fine or nothing is left to evict.
pub fn timer_turn(st: &mut State, now_ms: i64) {
    if !st.evict.timer_running {
        return;
    }
    if perform(st, now_ms) != Outcome::Running {
        st.evict.timer_running = false;
    }
}

/// The next key to evict under the current policy.
fn pick(st: &mut State, now_ms: i64) -> Option<(usize, Key)> {
    use MaxmemoryPolicy as P;
    let policy = st.cfg.maxmemory_policy;
    let allkeys = matches!(policy, P::AllkeysLru | P::AllkeysLfu | P::AllkeysRandom);
    match policy {
        P::Noeviction => None,
        P::AllkeysRandom | P::VolatileRandom => pick_random(st, allkeys),
        _ => pick_pooled(st, now_ms, allkeys),
    }
}

fn pick_random(st: &mut State, allkeys: bool) -> Option<(usize, Key)> {
    let n = st.ks.dbs.len();
    for _ in 0..n {
        st.evict.next_db = (st.evict.next_db + 1) % n;
        let j = st.evict.next_db;
        let d = &st.ks.dbs[j];
        if allkeys {
            if d.dict.is_empty() {
                continue;
            }
            let ev = &mut st.evict;
            let mut rnd = || ev.rand();
            if let Some((k, _)) = d.dict.random_entry(&mut rnd) {
                return Some((j, k.clone()));
            }
        } else if d.expires != 0 {
            let mut found = Vec::with_capacity(1);
            sample_volatile(st, j, 1, &mut found);
            if let Some((k, _)) = found.into_iter().next() {
                return Some((j, k));
            }
        }
    }
    None
}

/// The pool policies: populate from every db, then take the best candidate that still
/// exists (entries whose key went away since are ghosts, skipped).
fn pick_pooled(st: &mut State, now_ms: i64, allkeys: bool) -> Option<(usize, Key)> {
    // Every round either finds a key or advances the volatile scan cursors, so it ends; the
    // bound only guards against a db that changes under us (it cannot: single thread).
    for _ in 0..1_000_000 {
        let mut total = 0;
        for db in 0..st.ks.dbs.len() {
            let d = &st.ks.dbs[db];
            let n = if allkeys { d.dict.len() } else { d.expires };
            if n != 0 {
                populate(st, db, allkeys, now_ms);
                total += n;
            }
        }
        if total == 0 {
            return None;
        }
        while let Some(e) = st.evict.pool.pop() {
            let alive =
                st.ks.dbs[e.db].dict.get(&e.key).is_some_and(|entry| allkeys || entry.expire != 0);
            if alive {
                return Some((e.db, e.key));
            }
        }
    }
    None
}

/// Up to `count` keys of `db` that carry a TTL. Keys are sampled at random when enough of
/// them have one; otherwise a per-db cursor walks the table (Redis samples its separate
/// expires dict, which ferrodis does not keep).
fn sample_volatile(st: &mut State, db: usize, count: usize, out: &mut Vec<(Key, i64)>) {
    let d = &st.ks.dbs[db];
    let (len, expires) = (d.dict.len(), d.expires);
    if expires == 0 {
        return;
    }
    if expires * 8 >= len {
        let draw = count.saturating_mul(len.div_ceil(expires)).min(len);
        let ev = &mut st.evict;
        let mut rnd = || ev.rand();
        let mut got: Vec<(&Key, &Entry)> = Vec::with_capacity(draw.min(1024));
        for _ in 0..3 {
            d.dict.sample(draw, &mut rnd, &mut got);
            got.retain(|(_, e)| e.expire != 0);
            if !got.is_empty() {
                break;
            }
        }
        if !got.is_empty() {
            out.extend(got.into_iter().take(count).map(|(k, e)| (k.clone(), e.expire)));
            return;
        }
        // Unlucky draws (sampling may come back empty on a sparse table): walk instead.
    }
    if st.evict.volatile_cursor.len() < st.ks.dbs.len() {
        st.evict.volatile_cursor.resize(st.ks.dbs.len(), 0);
    }
    let mut cursor = st.evict.volatile_cursor[db];
    // A stretch of the table per call, resuming there next time: at most 4096 entries
    // once something was found, at most one full pass (which finds a key if any has a TTL).
    let mut visited = 0usize;
    let mut wraps = 0;
    loop {
        cursor = d.dict.scan(cursor, |k, e| {
            visited += 1;
            if e.expire != 0 && out.len() < count {
                out.push((k.clone(), e.expire));
            }
        });
        if cursor == 0 {
            wraps += 1;
        }
        if out.len() >= count || (!out.is_empty() && (visited >= 4096 || cursor == 0)) || wraps == 2
        {
            break;
        }
    }
    st.evict.volatile_cursor[db] = cursor;
}

/// evictionPoolPopulate for one db.
fn populate(st: &mut State, db: usize, allkeys: bool, now_ms: i64) {
    use MaxmemoryPolicy as P;
    let policy = st.cfg.maxmemory_policy;
    // maxmemory-samples goes up to i32::MAX: reserve for what a db can give, not for that.
    let samples = (st.cfg.maxmemory_samples as usize).max(1);
    let reserve = samples.min(st.ks.dbs[db].len()).min(1024);
    let decay = st.cfg.lfu_decay_time as u64;
    let mut picked: Vec<(Key, u32, i64)> = Vec::with_capacity(reserve);
    if allkeys {
        let d = &st.ks.dbs[db];
        let ev = &mut st.evict;
        let mut rnd = || ev.rand();
        let mut got = Vec::with_capacity(reserve);
        d.dict.sample(samples, &mut rnd, &mut got);
        picked.extend(got.into_iter().map(|(k, e)| (k.clone(), e.lru, e.expire)));
    } else {
        let mut got = Vec::with_capacity(reserve);
        sample_volatile(st, db, samples, &mut got);
        for (k, expire) in got {
            let lru = st.ks.dbs[db].dict.get(&k).map_or(0, |e| e.lru);
            picked.push((k, lru, expire));
        }
    }
    let clock = ((now_ms / 1000) as u32) & LRU_CLOCK_MAX;
    for (key, lru, expire) in picked {
        let idle = match policy {
            P::AllkeysLru | P::VolatileLru => idle_ms(clock, lru),
            P::AllkeysLfu | P::VolatileLfu => {
                255 - u64::from(crate::db::lfu::decayed(lru, now_ms, decay))
            }
            // The sooner the expiry, the better.
            _ => u64::MAX - expire as u64,
        };
        insert(&mut st.evict.pool, PoolEntry { idle, key, db });
    }
}

const LRU_CLOCK_MAX: u32 = (1 << 24) - 1;

/// estimateObjectIdleTime, in milliseconds, across the 24-bit clock's wrap.
fn idle_ms(clock: u32, lru: u32) -> u64 {
    let secs = if clock >= lru { clock - lru } else { clock + (LRU_CLOCK_MAX - lru) };
    u64::from(secs) * 1000
}

/// Insert into the ascending pool; when full, the worst (leftmost) entry drops out, and a
/// candidate worse than all of a full pool is not taken.
fn insert(pool: &mut Vec<PoolEntry>, e: PoolEntry) {
    let k = pool.iter().position(|p| p.idle >= e.idle).unwrap_or(pool.len());
    if pool.len() < POOL_SIZE {
        pool.insert(k, e);
    } else if k > 0 {
        pool.remove(0);
        pool.insert(k - 1, e);
    }
}

/// processCommand's OOM decision for a command about to run (not nested, not queued):
/// evict if needed, then Some(error text) when the command must be refused.
pub fn check_command(
    st: &mut State,
    client: &crate::connection::Client,
    id: usize,
    args: &crate::cmd::args::Args,
    now_ms: i64,
) -> Option<&'static str> {
    if st.cfg.maxmemory == 0 || st.scripting.busy() {
        return None;
    }
    let oom = perform(st, now_ms) == Outcome::Fail;
    st.evict.pre_command_oom = oom;
    if !oom {
        return None;
    }
    let name = st.table.full_name(id);
    let exec = name == "exec";
    let reject = if client.tx.in_multi && !matches!(name, "exec" | "discard" | "quit" | "reset") {
        true
    } else if exec {
        client.tx.queue.iter().any(|q| denyoom(st, q.id, &crate::cmd::args::Args::Owned(&q.argv)))
    } else {
        denyoom(st, id, args)
    };
    reject.then_some(OOM_ERROR)
}

/// Whether a call has the denyoom flag, with scripts' declared flags in place of EVAL's and
/// FCALL's own (Redis's getCommandFlags / scriptFlagsToCmdFlags).
fn denyoom(st: &State, id: usize, args: &crate::cmd::args::Args) -> bool {
    use crate::cmd::table::flags;
    use crate::script::sflags;
    let script_flags = match st.table.full_name(id) {
        "eval" | "eval_ro" if args.len() > 1 => {
            let body = args.get(1);
            let sha = crate::script::sha1_hex(body);
            match st.scripting.scripts.get(&sha) {
                Some(s) => Some(s.flags),
                None => crate::script::eval_shebang(body).ok().map(|(f, _)| f),
            }
        }
        "evalsha" | "evalsha_ro" if args.len() > 1 => {
            let mut sha = [0u8; 40];
            let s = args.get(1);
            if s.len() == 40 {
                for (d, c) in sha.iter_mut().zip(s) {
                    *d = c.to_ascii_lowercase();
                }
            }
            st.scripting.scripts.get(&sha).map(|s| s.flags)
        }
        "fcall" | "fcall_ro" if args.len() > 1 => {
            st.scripting.functions.find(args.get(1)).map(|f| f.flags)
        }
        _ => None,
    };
    match script_flags {
        Some(f) if f & sflags::EVAL_COMPAT == 0 => f & (sflags::ALLOW_OOM | sflags::NO_WRITES) == 0,
        _ => st.table.def(id).has(flags::DENYOOM),
    }
}

/// scriptVerifyOOM: a script that has not written yet may not run a denyoom command when
/// the server was out of memory as it started, unless it is flagged `allow-oom`.
pub fn script_refuses(st: &State, id: usize, allow_oom: bool, dirty: bool) -> bool {
    !allow_oom
        && st.cfg.maxmemory != 0
        && !dirty
        && st.evict.pre_command_oom
        && st.table.def(id).has(crate::cmd::table::flags::DENYOOM)
}

/// updateMaxmemory, after CONFIG SET maxmemory: warn when the new limit is already below
/// the memory in use, and evict at once.
pub fn maxmemory_changed(st: &mut State, now_ms: i64) {
    if st.cfg.maxmemory == 0 {
        return;
    }
    let used = used_memory().saturating_sub(not_counted(st));
    if (st.cfg.maxmemory as usize) < used {
        log::warn!(
            "WARNING: the new maxmemory value set via CONFIG SET ({}) is smaller than the current memory usage ({}). This will result in key eviction and/or the inability to accept new write commands depending on the maxmemory-policy.",
            st.cfg.maxmemory,
            used
        );
    }
    perform(st, now_ms);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(idle: u64, k: &str) -> PoolEntry {
        PoolEntry { idle, key: Key::new(k.as_bytes()), db: 0 }
    }

    #[test]
    fn pool_keeps_the_best_sixteen_in_order() {
        let mut pool = Vec::new();
        for i in 0..40u64 {
            // Scores in a scrambled order.
            let s = (i * 17) % 40;
            insert(&mut pool, e(s, &format!("k{s}")));
        }
        let scores: Vec<u64> = pool.iter().map(|p| p.idle).collect();
        assert_eq!(scores, (24..40).collect::<Vec<_>>());
        // Worse than everything in a full pool: not taken.
        insert(&mut pool, e(1, "low"));
        assert!(pool.iter().all(|p| &*p.key != b"low"));
        insert(&mut pool, e(100, "best"));
        assert_eq!(pool.len(), 16);
        assert_eq!(pool.last().map(|p| p.idle), Some(100));
        assert_eq!(pool.first().map(|p| p.idle), Some(25));
    }

    #[test]
    fn idle_time_wraps_like_the_lru_clock() {
        assert_eq!(idle_ms(10, 4), 6000);
        assert_eq!(idle_ms(2, LRU_CLOCK_MAX - 1), 3000);
    }

    #[test]
    fn tenacity_budget() {
        assert_eq!(time_limit_us(0), 0);
        assert_eq!(time_limit_us(10), 500);
        assert_eq!(time_limit_us(11), 575);
        assert_eq!(time_limit_us(100), u64::MAX);
    }
}
