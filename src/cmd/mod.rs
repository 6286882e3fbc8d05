//! Command dispatch: table lookup, arity, auth gating and statistics, then the handler.
//!
//! Every family file exports `COMMANDS: &[CommandDef]`; the table is their concatenation.

pub mod args;
pub mod bitmap;
pub mod client;
pub mod cluster;
pub mod collection;
pub mod command;
pub mod command_docs;
pub mod command_keys;
pub mod command_meta;
pub mod connection;
pub mod debug;
pub mod expire;
pub mod geo;
pub mod hash;
pub mod hll;
pub mod info;
pub mod keyspace;
pub mod latency;
pub mod list;
pub mod lolwut;
pub mod memory;
pub mod migrate;
pub mod module;
pub mod monitor;
pub mod multi;
pub mod object;
pub mod persist;
pub mod pubsub;
pub mod scripting;
pub mod server;
pub mod set;
pub mod sort;
pub mod stream;
pub mod stream_group;
pub mod stream_info;
pub mod string;
pub mod table;
pub mod tracking;
pub mod zset;

use std::time::Instant;

use crate::connection::{Client, ReplyMode};
use crate::error::{CmdResult, CommandError};
use crate::resp::reply::Reply;
use crate::state::{SlowEntry, State};
use args::Args;
use table::{flags, CommandDef};

/// What a handler sees: the server state, the calling client, the command's clock.
pub struct Ctx<'a> {
    pub st: &'a mut State,
    pub client: &'a mut Client,
    /// Milliseconds since the epoch, fixed for the whole command so nothing expires midway.
    pub now_ms: i64,
    /// Blocking commands must not block (set for commands run by EXEC and scripts): they
    /// answer as on a timeout instead. See `crate::blocking`.
    pub no_block: bool,
}

impl Ctx<'_> {
    #[inline]
    pub fn reply(&mut self) -> Reply<'_> {
        Reply::new(&mut self.client.wbuf, self.client.resp3)
    }

    /// The state and a reply writer at once, for handlers that reply while holding a value
    /// borrowed from the keyspace.
    #[inline]
    pub fn parts(&mut self) -> (&mut State, Reply<'_>) {
        (&mut *self.st, Reply::new(&mut self.client.wbuf, self.client.resp3))
    }

    #[inline]
    pub fn db(&self) -> usize {
        self.client.db
    }

    /// Every write to a key must call this (Redis's signalModifiedKey): it is the hook for
    /// WATCH invalidation and client-side caching, and counts changes for persistence.
    #[inline]
    pub fn modified(&mut self, db: usize, key: &[u8]) {
        self.st.dirty += 1;
        self.st.blocking.signal(db, key);
        if !self.st.watched.is_empty() {
            multi::touch(self.st, Some(&mut *self.client), db, key);
        }
        if self.st.tracking.clients != 0 {
            crate::tracking::invalidate_key(self.st, Some(&mut *self.client), key, self.now_ms);
        }
    }

    /// Call before databases are emptied (FLUSHDB: `Some(db)`, FLUSHALL: None): WATCH
    /// and client-side caching.
    pub fn flushing(&mut self, db: Option<usize>) {
        let dbs = match db {
            Some(d) => d..d + 1,
            None => 0..self.st.ks.dbs.len(),
        };
        for d in dbs {
            multi::touch_db(self.st, Some(&mut *self.client), d, None, self.now_ms);
            crate::blocking::signal_db(self.st, d);
        }
        crate::tracking::invalidate_all(self.st, Some(&mut *self.client), self.now_ms);
    }

    /// Call before SWAPDB exchanges `a` and `b`: watchers of keys in either are flagged.
    pub fn swapping(&mut self, a: usize, b: usize) {
        multi::touch_db(self.st, Some(&mut *self.client), a, Some(b), self.now_ms);
        multi::touch_db(self.st, Some(&mut *self.client), b, Some(a), self.now_ms);
    }

    /// Emit a keyspace notification (Redis's notifyKeyspaceEvent). `class` is one of
    /// `notify::*`, `event` the event name Redis uses ("set", "del", "expire"...).
    /// Every command that changes a key calls this with exactly Redis's events.
    #[inline]
    pub fn notify(&mut self, class: u32, event: &'static str, db: usize, key: &[u8]) {
        if !self.st.ks.log.is_empty() {
            crate::notify::drain_keyspace_logs(self.st, Some(&mut *self.client), self.now_ms);
        }
        if self.st.cfg.notify_keyspace_events & class == 0 {
            return;
        }
        // Misses and new keys are reported by the keyspace itself (read lookups,
        // insertions); an explicit call only adds what it did not see.
        if class & (notify::KEY_MISS | notify::NEW) != 0 {
            let (st, me, now) = (&mut *self.st, Some(&mut *self.client), self.now_ms);
            crate::notify::explicit_central(st, me, class, event, db, key, now);
            return;
        }
        crate::notify::notify(self.st, Some(&mut *self.client), class, event, db, key, self.now_ms);
    }

    /// After elements were removed from a collection: drop the key if that emptied it, signal
    /// the change, and emit `event` (then `del`), as Redis's HDEL/SREM/ZREM family does.
    pub fn removed_elements(
        &mut self,
        db: usize,
        key: &[u8],
        emptied: bool,
        class: u32,
        event: &'static str,
    ) {
        if emptied {
            self.st.ks.delete(db, key);
        }
        self.modified(db, key);
        self.notify(class, event, db, key);
        if emptied {
            self.notify(notify::GENERIC, "del", db, key);
        }
    }

    /// The LRU clock stored on keys (seconds, 24 bits like Redis's).
    #[inline]
    pub fn lru(&self) -> u32 {
        ((self.now_ms / 1000) as u32) & 0x00ff_ffff
    }
}

/// Before a handler runs: what its lookups do to the keys they find (the access time, or the
/// LFU counter under an LFU policy), unless the command or the client (CLIENT NO-TOUCH,
/// except for TOUCH itself) says not to touch.
#[inline]
pub fn prepare_touch(st: &mut State, client: &Client, id: usize, now_ms: i64) {
    use crate::config::MaxmemoryPolicy;
    use crate::db::{lfu::LfuParams, Touch};
    let skip = st.table.no_touch[id] || (client.no_touch && st.table.def(id).name != "touch");
    st.ks.touch = if skip {
        None
    } else if matches!(
        st.cfg.maxmemory_policy,
        MaxmemoryPolicy::VolatileLfu | MaxmemoryPolicy::AllkeysLfu
    ) {
        let params = LfuParams {
            log_factor: st.cfg.lfu_log_factor as u64,
            decay_time: st.cfg.lfu_decay_time as u64,
        };
        Some(Touch::Lfu { now_ms, params })
    } else {
        Some(Touch::Lru(((now_ms / 1000) as u32) & 0x00ff_ffff))
    };
    crate::evict::set_grow_limit(st);
    st.ks.lazy.expire = st.cfg.lazyfree_lazy_expire;
    st.ks.lazy.server_del = st.cfg.lazyfree_lazy_server_del;
}

/// Lookup structure over all families' rows, built once at startup.
pub struct CommandTable {
    defs: Vec<&'static CommandDef>,
    /// Full names for stats and errors ("get", "config|get").
    full_names: Vec<String>,
    /// Current top-level names (rename-command may change or remove them).
    names: Vec<(String, usize)>,
    buckets: Vec<Vec<usize>>,
    /// (parent id, subcommand name) -> id
    subs: ahash::AHashMap<(usize, &'static [u8]), usize>,
    /// Commands whose lookups leave the key's access time alone (Redis's LOOKUP_NOTOUCH).
    no_touch: Vec<bool>,
    /// What Redis says about each command (COMMAND INFO/DOCS, key specs); describes only.
    pub meta: command_meta::CommandMeta,
}

/// Commands that look keys up without refreshing their access time, as Redis passes
/// LOOKUP_NOTOUCH for them (introspection must not disturb what it reports).
const NO_TOUCH_COMMANDS: &[&str] = &[
    "type",
    "exists",
    "ttl",
    "pttl",
    "expiretime",
    "pexpiretime",
    "scan",
    "object|encoding",
    "object|freq",
    "object|idletime",
    "object|refcount",
    "debug",
    "memory|usage",
];

fn families() -> Vec<&'static [CommandDef]> {
    vec![
        connection::COMMANDS,
        client::COMMANDS,
        command::COMMANDS,
        keyspace::COMMANDS,
        expire::COMMANDS,
        object::COMMANDS,
        string::COMMANDS,
        bitmap::COMMANDS,
        list::COMMANDS,
        hash::COMMANDS,
        set::COMMANDS,
        zset::COMMANDS,
        sort::COMMANDS,
        hll::COMMANDS,
        geo::COMMANDS,
        stream::COMMANDS,
        stream_group::COMMANDS,
        stream_info::COMMANDS,
        pubsub::COMMANDS,
        multi::COMMANDS,
        monitor::COMMANDS,
        scripting::COMMANDS,
        server::COMMANDS,
        info::COMMANDS,
        memory::COMMANDS,
        latency::COMMANDS,
        debug::COMMANDS,
        lolwut::COMMANDS,
        module::COMMANDS,
        cluster::COMMANDS,
        persist::COMMANDS,
        migrate::COMMANDS,
    ]
}

/// Keyspace notification classes (notify-keyspace-events letters), for `Ctx::notify`.
pub mod notify {
    use crate::config as c;
    pub const GENERIC: u32 = c::NOTIFY_GENERIC; // g
    pub const STRING: u32 = c::NOTIFY_STRING; // $
    pub const LIST: u32 = c::NOTIFY_LIST; // l
    pub const SET: u32 = c::NOTIFY_SET; // s
    pub const HASH: u32 = c::NOTIFY_HASH; // h
    pub const ZSET: u32 = c::NOTIFY_ZSET; // z
    pub const EXPIRED: u32 = c::NOTIFY_EXPIRED; // x
    pub const EVICTED: u32 = c::NOTIFY_EVICTED; // e
    pub const STREAM: u32 = c::NOTIFY_STREAM; // t
    pub const KEY_MISS: u32 = c::NOTIFY_KEY_MISS; // m
    pub const NEW: u32 = c::NOTIFY_NEW; // n
}

impl CommandTable {
    pub fn build() -> CommandTable {
        Self::build_with(&[])
    }

    /// The table with `rename-command` applied (an empty new name removes the command).
    /// Validation and its startup errors are the config module's `check_rename_commands`.
    pub fn build_with(renames: &[(String, String)]) -> CommandTable {
        let mut t = CommandTable {
            defs: Vec::new(),
            full_names: Vec::new(),
            names: Vec::new(),
            buckets: vec![Vec::new(); MAX_NAME * 32],
            subs: Default::default(),
            no_touch: Vec::new(),
            meta: command_meta::CommandMeta::load(),
        };
        for fam in families() {
            for def in fam {
                let id = t.push(def, def.name.to_string());
                t.names.push((def.name.to_string(), id));
                for sub in def.subcommands {
                    let sid = t.push(sub, format!("{}|{}", def.name, sub.name));
                    t.subs.insert((id, sub.name.as_bytes()), sid);
                }
            }
        }
        for (from, to) in renames {
            let from = from.to_ascii_lowercase();
            if let Some(pos) = t.names.iter().position(|(n, _)| *n == from) {
                if to.is_empty() {
                    t.names.remove(pos);
                } else {
                    t.names[pos].0 = to.to_ascii_lowercase();
                }
            }
        }
        for (i, (name, _)) in t.names.iter().enumerate() {
            if let Some(b) = bucket_of(name.as_bytes()) {
                t.buckets[b].push(i);
            }
        }
        t
    }

    fn push(&mut self, def: &'static CommandDef, full: String) -> usize {
        self.no_touch.push(NO_TOUCH_COMMANDS.contains(&full.as_str()));
        self.defs.push(def);
        self.full_names.push(full);
        self.defs.len() - 1
    }

    pub fn len(&self) -> usize {
        self.defs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.defs.is_empty()
    }

    pub fn def(&self, id: usize) -> &'static CommandDef {
        self.defs[id]
    }

    pub fn full_name(&self, id: usize) -> &str {
        &self.full_names[id]
    }

    /// Case-insensitive lookup of a top-level command without allocating or hashing: rows
    /// are bucketed by (length, first letter), and a bucket holds one or two names.
    #[inline]
    pub fn lookup(&self, name: &[u8]) -> Option<usize> {
        let b = self.buckets.get(bucket_of(name)?)?;
        b.iter()
            .find(|&&i| self.names[i].0.as_bytes().eq_ignore_ascii_case(name))
            .map(|&i| self.names[i].1)
    }

    pub fn lookup_sub(&self, parent: usize, name: &[u8]) -> Option<usize> {
        let mut buf = [0u8; 32];
        if name.len() > buf.len() {
            return None;
        }
        for (d, s) in buf.iter_mut().zip(name) {
            *d = s.to_ascii_lowercase();
        }
        self.subs.get(&(parent, &buf[..name.len()])).copied()
    }

    /// The keys of a call to command `id` and how it accesses them, from Redis's key specs
    /// (what ACL key permissions and cluster slot checks need); positions index `args`.
    pub fn key_refs(&self, id: usize, args: &Args) -> Vec<command_keys::KeyRef> {
        let full = self.full_names[id].as_str();
        command_keys::find_keys(full, self.meta.info(full), args)
    }

    /// Top-level command ids in table order.
    pub fn top_level(&self) -> impl Iterator<Item = usize> + '_ {
        self.names.iter().map(|(_, id)| *id)
    }

    /// Subcommand ids of a container.
    pub fn subcommands_of(&self, parent: usize) -> Vec<usize> {
        let def = self.defs[parent];
        def.subcommands
            .iter()
            .filter_map(|s| self.subs.get(&(parent, s.name.as_bytes())).copied())
            .collect()
    }

    /// Resolve argv to a command id, or the exact Redis rejection text.
    pub fn resolve(&self, args: &Args) -> Result<usize, (Option<usize>, Vec<u8>)> {
        let name = args.get(0);
        let Some(id) = self.lookup(name) else {
            return Err((None, unknown_command_text(args)));
        };
        let def = self.defs[id];
        if def.is_container() && args.len() >= 2 {
            return match self.lookup_sub(id, args.get(1)) {
                Some(sid) => {
                    if self.defs[sid].arity_ok(args.len()) {
                        Ok(sid)
                    } else {
                        Err((Some(sid), arity_text(&self.full_names[sid]).into_bytes()))
                    }
                }
                None => {
                    let mut t = b"ERR unknown subcommand '".to_vec();
                    t.extend_from_slice(c_str_prefix(args.get(1), 128));
                    t.extend_from_slice(b"'. Try ");
                    t.extend_from_slice(def.name.to_ascii_uppercase().as_bytes());
                    t.extend_from_slice(b" HELP.");
                    Err((None, t))
                }
            };
        }
        if !def.arity_ok(args.len()) {
            return Err((Some(id), arity_text(&self.full_names[id]).into_bytes()));
        }
        Ok(id)
    }
}

const MAX_NAME: usize = 32;

#[inline]
fn bucket_of(name: &[u8]) -> Option<usize> {
    let first = *name.first()?;
    (name.len() < MAX_NAME).then(|| name.len() * 32 + (first as usize & 31))
}

pub fn arity_text(full_name: &str) -> String {
    format!("ERR wrong number of arguments for '{full_name}' command")
}

/// C's `%.Ns` of a byte string: stops at NUL and after `max` bytes.
fn c_str_prefix(b: &[u8], max: usize) -> &[u8] {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len()).min(max);
    &b[..end]
}

/// Redis's text for an unknown command, with the first arguments echoed (128 bytes at most).
pub fn unknown_command_text(args: &Args) -> Vec<u8> {
    let mut rest = Vec::new();
    let mut i = 1;
    while i < args.len() && rest.len() < 128 {
        let room = 128 - rest.len();
        rest.push(b'\'');
        rest.extend_from_slice(c_str_prefix(args.get(i), room));
        rest.extend_from_slice(b"' ");
        i += 1;
    }
    let mut t = b"ERR unknown command '".to_vec();
    t.extend_from_slice(c_str_prefix(args.get(0), 128));
    t.extend_from_slice(b"', with args beginning with: ");
    t.extend_from_slice(&rest);
    t
}

const NOAUTH: &str = "NOAUTH Authentication required.";

/// Run one request for `client`: the whole of Redis's processCommand + call.
/// The clock of a batch of requests: one wall-clock read per batch and one monotonic read
/// per command, which both times the command and advances `now_ms` (clock reads were the
/// largest single cost of a pipelined GET before this).
pub struct Clock {
    base_ms: i64,
    base: Instant,
    last: Instant,
    pub now_ms: i64,
}

impl Clock {
    pub fn new(now_ms: i64) -> Clock {
        let t = Instant::now();
        Clock { base_ms: now_ms, base: t, last: t, now_ms }
    }

    /// Microseconds since the previous tick; `now_ms` moves to the same instant.
    #[inline]
    fn tick(&mut self) -> u64 {
        let t = Instant::now();
        let us = t.duration_since(self.last).as_micros() as u64;
        self.last = t;
        self.now_ms = self.base_ms + t.duration_since(self.base).as_millis() as i64;
        us
    }
}

pub fn execute(st: &mut State, client: &mut Client, args: &Args, clock: &mut Clock) {
    let reply_start = client.wbuf.len();
    let before = client.reply_mode;
    if !run(st, client, args, clock, false) {
        return;
    }
    // Like Redis, whether a reply goes out depends on the flags when it is written: CLIENT
    // REPLY ON and RESET turn replies back on for their own reply, REPLY OFF silences its own.
    let suppress = match client.reply_mode {
        ReplyMode::On => false,
        ReplyMode::Off => true,
        ReplyMode::Skip => {
            // A command that blocked answers later: the skip applies to that answer
            // (`crate::blocking` ends it on unblock), as Redis resets the client then.
            if client.blocked.is_none() {
                client.reply_mode = ReplyMode::On;
            }
            true
        }
        ReplyMode::SkipNext => {
            client.reply_mode = ReplyMode::Skip;
            before == ReplyMode::Skip
        }
    };
    if suppress {
        client.wbuf.truncate(reply_start);
    }
    if !client.side_push.is_empty() {
        // Pushes to itself (messages, invalidations) go out whatever the reply mode.
        let side = std::mem::take(&mut client.side_push);
        client.wbuf.extend_from_slice(&side);
    }
}

/// Run a command on behalf of a script (redis.call): blocking commands answer as they do
/// inside MULTI instead of blocking, CLIENT PAUSE does not hold it (the script itself already
/// passed), and reply modes do not apply (the script client has none).
pub fn execute_nested(st: &mut State, client: &mut Client, args: &Args, clock: &mut Clock) {
    run(st, client, args, clock, true);
}

pub const NOREPLICAS: &str = "NOREPLICAS Not enough good replicas to write.";

/// Redis's checkGoodReplicasStatus: with `min-replicas-to-write` (and a non-zero
/// `min-replicas-max-lag`) writes need that many replicas acknowledging within the lag. No
/// replica can connect to ferrodis yet, so a master with the setting has none and refuses
/// writes, exactly as a Redis master without replicas does.
pub fn enough_good_replicas(st: &State) -> bool {
    st.cfg.min_replicas_to_write == 0 || st.cfg.min_replicas_max_lag == 0
}

/// Returns false when the command was postponed by CLIENT PAUSE (nothing ran or replied).
fn run(
    st: &mut State,
    client: &mut Client,
    args: &Args,
    clock: &mut Clock,
    no_block: bool,
) -> bool {
    let now_ms = clock.now_ms;
    let id = match st.table.resolve(args) {
        Ok(id) => id,
        Err((known, text)) => {
            client.last_cmd_id = known;
            let mut is_exec = false;
            if let Some(id) = known {
                st.cmd_stats[id].rejected_calls += 1;
                is_exec = st.table.full_name(id) == "exec";
            }
            if is_exec {
                exec_abort(st, client, &text);
            } else {
                reject(st, client, &text);
            }
            return true;
        }
    };
    client.last_cmd_id = Some(id);
    let def = st.table.def(id);
    if def.has(flags::PROTECTED) {
        if let Some(text) = protected_refusal(st, client, st.table.full_name(id)) {
            st.cmd_stats[id].rejected_calls += 1;
            reject(st, client, text.as_bytes());
            return true;
        }
    }
    if !client.authenticated && st.cfg.requirepass.is_some() && !def.has(flags::NO_AUTH) {
        st.cmd_stats[id].rejected_calls += 1;
        if st.table.full_name(id) == "exec" {
            exec_abort(st, client, NOAUTH.as_bytes());
        } else {
            reject(st, client, NOAUTH.as_bytes());
        }
        return true;
    }
    // Redis's processCommand: evict, then refuse what may grow memory (nested calls of a
    // script are checked by the script, against the state its command started with).
    if !no_block && st.cfg.maxmemory != 0 {
        let refused = crate::evict::check_command(st, client, id, args, now_ms);
        if !st.ks.log.is_empty() {
            crate::notify::drain_keyspace_logs(st, Some(&mut *client), now_ms);
            // Invalidations of evicted keys precede this command's reply, as Redis's
            // trackingHandlePendingKeyInvalidations right after performEvictions (under
            // CLIENT REPLY OFF/SKIP they wait in side_push, which outlives the reply).
            crate::tracking::flush_pending_self(st, client, now_ms);
        }
        if let Some(text) = refused {
            st.cmd_stats[id].rejected_calls += 1;
            if st.table.full_name(id) == "exec" {
                exec_abort(st, client, text.as_bytes());
            } else {
                reject(st, client, text.as_bytes());
            }
            return true;
        }
    }
    if (def.has(flags::WRITE) || def.name == "ping") && persist::writes_refused(st) {
        st.cmd_stats[id].rejected_calls += 1;
        reject(st, client, persist::MISCONF.as_bytes());
        return true;
    }
    if !enough_good_replicas(st) && client::is_write_command(st, client, id, args) {
        st.cmd_stats[id].rejected_calls += 1;
        if st.table.full_name(id) == "exec" {
            exec_abort(st, client, NOREPLICAS.as_bytes());
        } else {
            reject(st, client, NOREPLICAS.as_bytes());
        }
        return true;
    }
    // processCommand keeps the tracking table within tracking-table-max-keys before every
    // command (the cron does too), so its invalidations precede this command's reply.
    if !no_block && st.tracking.clients != 0 {
        crate::tracking::enforce_limit(st, Some(&mut *client), now_ms);
        crate::tracking::flush_pending_self(st, client, now_ms);
    }
    if client.subs.is_some() && !client.resp3 {
        if let Some(text) = pubsub::context_refusal(st.table.full_name(id)) {
            st.cmd_stats[id].rejected_calls += 1;
            reject(st, client, text.as_bytes());
            return true;
        }
    }
    st.ks.expire_paused = st.client_pause.is_some_and(|p| now_ms < p.end_ms);
    if !no_block && st.client_pause.is_some() && client::pause_holds(st, client, id, args, now_ms) {
        client.postponed = Some(args.to_vec());
        st.postponed.push(client.token);
        return false;
    }
    // Commands of the running script itself (nested) are never refused as BUSY.
    if !no_block && st.scripting.busy() && !def.has(flags::ALLOW_BUSY) {
        st.cmd_stats[id].rejected_calls += 1;
        let e = if st.scripting.running.as_ref().is_some_and(|r| r.eval) {
            scripting::BUSY_EVAL
        } else {
            scripting::BUSY_FUNCTION
        };
        // Redis's rejectCommand: a refused command dooms the transaction it was sent in,
        // and a refused EXEC ends it (EXECABORT ... BUSY ...).
        if st.table.full_name(id) == "exec" {
            exec_abort(st, client, e.text().as_bytes());
        } else {
            reject(st, client, e.text().as_bytes());
        }
        return true;
    }
    // While EXEC runs its queue (and any script inside it calls commands), nothing queues.
    if client.tx.in_multi && !client.in_exec {
        match multi::queue_or_reject(client, st.table.full_name(id), id, def, args) {
            None => {}
            Some(Ok(())) => return true,
            Some(Err(e)) => {
                st.cmd_stats[id].rejected_calls += 1;
                write_error(st, client, &e);
                return true;
            }
        }
    }
    let ev = st.cfg.notify_keyspace_events;
    st.ks.log_misses = ev & notify::KEY_MISS != 0;
    st.ks.log_new = ev & notify::NEW != 0;
    if ev & (notify::KEY_MISS | notify::NEW) != 0 {
        st.ks.last_miss = None;
        st.ks.last_new = None;
    }

    // Scripts (the skip_monitor commands) show in MONITOR before the commands they run,
    // whether or not they succeed, as in Redis.
    if def.has(flags::SKIP_MONITOR) && !st.monitors.is_empty() {
        monitor::feed(st, client, def.name, args, now_ms);
    }
    // One clock read per command: the time since the previous one, so a command's usec
    // also holds its own parsing, which is small.
    prepare_touch(st, client, id, now_ms);
    let result = {
        let mut ctx = Ctx { st, client, now_ms, no_block };
        (def.handler)(&mut ctx, args)
    };
    let usec = clock.tick();
    after_call(st, client, id, args, now_ms, usec, result);
    true
}

/// Redis's execCommandAbort: EXEC itself refused (arity, auth...) ends the transaction.
fn exec_abort(st: &mut State, client: &mut Client, text: &[u8]) {
    multi::discard_transaction(st, client);
    let mut t = b"EXECABORT Transaction discarded because of: ".to_vec();
    t.extend_from_slice(text.strip_prefix(b"ERR ").unwrap_or(text));
    write_error_bytes(st, client, &t);
}

/// A refusal before the command runs; inside MULTI it also dooms the transaction.
fn reject(st: &mut State, client: &mut Client, text: &[u8]) {
    if client.tx.in_multi {
        client.tx.aborted = true;
    }
    write_error_bytes(st, client, text);
}

/// Run a command queued by MULTI, inside EXEC, at the transaction's clock.
pub fn call_queued(st: &mut State, client: &mut Client, id: usize, args: &Args, now_ms: i64) {
    let def = st.table.def(id);
    let start = Instant::now();
    prepare_touch(st, client, id, now_ms);
    let result = {
        let mut ctx = Ctx { st, client, now_ms, no_block: true };
        (def.handler)(&mut ctx, args)
    };
    let usec = start.elapsed().as_micros() as u64;
    after_call(st, client, id, args, now_ms, usec, result);
}

/// Redis's call() after the handler: statistics, error reply, slowlog, latency, MONITOR,
/// and the consequences of keys the keyspace expired or missed on its own.
fn after_call(
    st: &mut State,
    client: &mut Client,
    id: usize,
    args: &Args,
    now_ms: i64,
    usec: u64,
    result: CmdResult,
) {
    let def = st.table.def(id);
    client.last_cmd = def.name;
    let stat = &mut st.cmd_stats[id];
    stat.calls += 1;
    stat.usec += usec;
    st.stats.total_commands_processed += 1;
    // A command that blocked is logged (slowlog, latency) when it is unblocked, with this
    // run's time plus the serving run's, as Redis 7.0 does (updateStatsOnUnblock).
    let blocked = crate::blocking::note_blocked_run(client, usec);
    if st.cfg.latency_tracking && !blocked {
        latency::record(st, id, usec);
    }
    if let Err(e) = result {
        st.cmd_stats[id].failed_calls += 1;
        write_error(st, client, &e);
    } else if st.failed_reply_written {
        // The handler wrote error replies itself (a script's result).
        st.cmd_stats[id].failed_calls += 1;
    }
    st.failed_reply_written = false;
    if !blocked {
        slowlog_push(st, client, id, args, now_ms, usec);
    }
    let threshold = st.cfg.latency_monitor_threshold;
    if threshold > 0 && usec / 1000 >= threshold && !blocked {
        let ev = if def.has(flags::FAST) { "fast-command" } else { "command" };
        st.latency.add(ev, now_ms / 1000, usec / 1000);
    }
    if !st.monitors.is_empty() && !def.has(flags::SKIP_MONITOR | flags::ADMIN) {
        // The full name ("config|set"): redaction is decided per subcommand.
        let name = st.table.full_name(id).to_owned();
        monitor::feed(st, client, &name, args, now_ms);
    }
    if !st.ks.log.is_empty() {
        crate::notify::drain_keyspace_logs(st, Some(&mut *client), now_ms);
    }
    if client.tracking.is_some() {
        tracking::after_command(st, client, def, id, args, now_ms);
    }
}

fn protected_refusal(st: &State, client: &Client, full_name: &str) -> Option<String> {
    use crate::config::EnableOpt;
    let (opt, what) = match full_name.split('|').next() {
        Some("debug") => (st.cfg.enable_debug_command, "DEBUG"),
        Some("module") => (st.cfg.enable_module_command, "MODULE"),
        _ => return None,
    };
    let local = client.addr.is_local();
    let allowed = match opt {
        EnableOpt::Yes => true,
        EnableOpt::Local => local,
        EnableOpt::No => false,
    };
    if allowed {
        return None;
    }
    Some(format!(
        "ERR {what} command not allowed. If the enable-{} option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.",
        format!("{what}-command").to_ascii_lowercase()
    ))
}

/// The reply to a malformed request (the connection closes after it).
pub fn reject_protocol(st: &mut State, client: &mut Client, text: &str) {
    write_error_bytes(st, client, text.as_bytes());
}

pub fn write_error(st: &mut State, client: &mut Client, e: &CommandError) {
    write_error_bytes(st, client, e.text().as_bytes());
}

/// Write `-text` and count it in INFO errorstats. Error texts are bytes: unknown-command
/// errors echo the client's arguments unchanged.
pub fn write_error_bytes(st: &mut State, client: &mut Client, text: &[u8]) {
    Reply::new(&mut client.wbuf, client.resp3).error_bytes(text);
    count_error_reply(st, text);
}

/// Count an error reply in INFO errorstats and total_error_replies (for errors a handler
/// writes itself, e.g. inside a script's reply).
pub fn count_error_reply(st: &mut State, text: &[u8]) {
    st.stats.total_error_replies += 1;
    let code_len = text.iter().position(|&c| c == b' ').unwrap_or(text.len());
    let code = String::from_utf8_lossy(&text[..code_len]);
    match st.stats.errorstats.get_mut(code.as_ref()) {
        Some(n) => *n += 1,
        None => {
            // Redis caps distinct error codes at 128 to bound memory.
            if st.stats.errorstats.len() < 128 {
                st.stats.errorstats.insert(code.into_owned(), 1);
            }
        }
    }
}

/// Log a command in the slowlog if it took long enough and its flags allow it.
pub fn slowlog_push(
    st: &mut State,
    client: &Client,
    id: usize,
    args: &Args,
    now_ms: i64,
    usec: u64,
) {
    let slower_than = st.cfg.slowlog_log_slower_than;
    if slower_than < 0 || (usec as i64) < slower_than || st.table.def(id).has(flags::SKIP_SLOWLOG) {
        return;
    }
    let max_args = 32usize;
    let argc = args.len();
    let redacted = server::redacted_positions(st.table.full_name(id), args);
    let mut v: Vec<Vec<u8>> = Vec::new();
    for i in 0..argc.min(max_args) {
        if i == max_args - 1 && argc > max_args {
            v.push(format!("... ({} more arguments)", argc - max_args + 1).into_bytes());
            break;
        }
        if redacted.contains(&i) {
            v.push(b"(redacted)".to_vec());
            continue;
        }
        let a = args.get(i);
        if a.len() > 128 {
            let mut s = a[..128].to_vec();
            s.extend_from_slice(format!("... ({} more bytes)", a.len() - 128).as_bytes());
            v.push(s);
        } else {
            v.push(a.to_vec());
        }
    }
    let id = st.slowlog.next_id;
    st.slowlog.next_id += 1;
    st.slowlog.entries.push_front(SlowEntry {
        id,
        time: now_ms / 1000,
        duration_us: usec,
        args: v,
        addr: client.addr.to_string(),
        name: client.name.clone().unwrap_or_default(),
    });
    while st.slowlog.entries.len() as u64 > st.cfg.slowlog_max_len {
        st.slowlog.entries.pop_back();
    }
}

/// The README's command tables, one per group, generated from the table so they stay true.
pub fn markdown_tables() -> String {
    let t = CommandTable::build();
    let mut groups: std::collections::BTreeMap<&str, Vec<(String, &str)>> = Default::default();
    for id in t.top_level() {
        let def = t.def(id);
        let mut name = def.name.to_ascii_uppercase();
        if def.is_container() {
            let mut subs: Vec<String> =
                def.subcommands.iter().map(|s| s.name.to_ascii_uppercase()).collect();
            subs.sort();
            name = format!("{name} ({})", subs.join(", "));
        }
        groups.entry(def.group).or_default().push((name, def.summary));
    }
    let mut out = String::new();
    for (group, mut cmds) in groups {
        cmds.sort();
        out.push_str(&format!("\n#### {group}\n\n| command | summary |\n|---|---|\n"));
        for (name, summary) in cmds {
            out.push_str(&format!("| {name} | {summary} |\n"));
        }
    }
    out
}
