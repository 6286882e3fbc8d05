//! Clients blocked on keys (BLPOP and friends), without ever blocking the loop.
//!
//! # How a command blocks
//!
//! A blocking handler first tries to serve itself like its non-blocking twin. When there is
//! nothing to serve it:
//!
//! 1. if [`may_block`] is false (`ctx.no_block`: inside MULTI/EXEC or a script), it replies
//!    what Redis replies there (a null) and returns;
//! 2. otherwise it calls [`block`] with the keys, the value kind that can serve it and the
//!    deadline (from [`parse_timeout`]), writes nothing, and returns `Ok(())`.
//!
//! The client is then parked: its further input stays queued unprocessed, it shows flag `b`
//! in CLIENT LIST and counts in INFO `blocked_clients`.
//!
//! # How it wakes up
//!
//! Every write goes through `Ctx::modified`, which signals the key here when somebody waits
//! on it (one emptiness test otherwise). After the writing command finishes (the loop calls
//! [`serve_ready`] after each top-level command, so after a whole EXEC or script), each
//! signalled key that exists with the awaited kind has its waiters served in FIFO order: the
//! parked command is run again, in place, for that client, with [`ready_key`] telling it
//! which key woke it. If it finds data it replies and the client is unblocked; if not, it
//! calls [`block`] again, which keeps the client parked at its old position. Writes made by
//! a served command (BLMOVE's push) signal their keys in turn, so chains resolve in the
//! same pass. Unblocked clients go to a list the loop drains, resuming their pipelines.
//!
//! On its deadline a client gets the null array Redis 7.0 sends to every key-blocked
//! command (`*-1`, RESP3 `_`); CLIENT UNBLOCK does the same or sends an error. A client that
//! disconnects is forgotten ([`forget`]).
//!
//! # For other families (sorted sets, streams)
//!
//! - BZPOPMIN/BZPOPMAX/BZMPOP: `block(ctx, args, Kind::ZSet, keys, deadline)`; on a re-run
//!   pop from `ready_key(ctx)` if it is set (Redis 7.0 serves from the key that became
//!   ready), else scan the keys in order.
//! - XREAD/XREADGROUP BLOCK: the timeout is milliseconds (`deadline = now + ms`, 0 =
//!   forever); `block(ctx, args, Kind::Stream, keys, deadline)`. A re-run that finds no
//!   entry newer than the requested ids calls `block` again and stays in place. Since `$`
//!   means "newer than when I blocked", a handler that needs state from the first run can
//!   keep it by rewriting the stored argv with [`set_argv`] (e.g. `$` replaced by the id).
//! - Anything that runs commands itself (EXEC, scripts) sets `ctx.no_block = true` for them
//!   and must not call [`serve_ready`] between them: the loop calls it after the top-level
//!   command. Code that writes outside a command (e.g. a timer) calls [`serve_ready`] itself.
//! - SWAPDB and FLUSHDB/FLUSHALL change keys without writing them: they call [`signal_db`]
//!   for each db; expiry signals through the keyspace log. A blocked XREADGROUP whose
//!   stream is gone (deleted, expired, flushed, swapped out, replaced by another type) is
//!   released with `-UNBLOCKED`; other waiters stay parked until a value of their kind
//!   appears.

use std::collections::{BTreeSet, VecDeque};

use ahash::{AHashMap, AHashSet};

use crate::cmd::args::Args;
use crate::cmd::{write_error, Ctx};
use crate::connection::{Client, ReplyMode};
use crate::db::Kind;
use crate::error::{CmdResult, CommandError};
use crate::resp::reply::Reply;
use crate::state::State;
use crate::util::num;

/// What a parked client waits for; lives in `Client::blocked`.
pub struct Blocked {
    pub db: usize,
    pub keys: Vec<Vec<u8>>,
    /// Unix ms; 0 = forever.
    pub deadline: i64,
    /// The value type that can serve the client (a key of another type does not wake it).
    pub kind: Kind,
    /// Command id to run again, and its arguments.
    cmd: usize,
    argv: Vec<Vec<u8>>,
    /// During a re-run: the key whose write woke the client.
    ready_key: Option<Vec<u8>>,
    /// Set when a re-run blocked again.
    reblocked: bool,
    /// Time of the run that blocked (µs), added to the serving run's in the stats.
    first_us: u64,
    /// The arguments as the client sent them, when [`set_argv`] rewrote `argv`: what the
    /// slowlog shows.
    original: Option<Vec<Vec<u8>>>,
    /// XREADGROUP: released with an error when its stream is deleted or replaced, since the
    /// group it reads can never come back with the key (Redis's
    /// unblockDeletedStreamReadgroupClients).
    group_read: bool,
}

/// The reply of a blocked XREADGROUP whose key was deleted or replaced by another type.
const STREAM_GONE: &[u8] = b"UNBLOCKED the stream key no longer exists";

/// Clients waiting on one key: (token, client id), oldest first.
type Queue = VecDeque<(usize, u64)>;

/// The server-wide index of blocked clients.
#[derive(Default)]
pub struct Blocking {
    /// Per db: key -> waiting clients (token, client id) in the order they blocked.
    waiters: Vec<AHashMap<Vec<u8>, Queue>>,
    /// Keys somebody waits on, over all dbs.
    waiting_keys: usize,
    /// Keys written since the last serve, in signal order.
    ready: Vec<(usize, Vec<u8>)>,
    ready_set: AHashSet<(usize, Vec<u8>)>,
    /// (deadline, client id, token) of clients with a timeout.
    timeouts: BTreeSet<(i64, u64, usize)>,
    /// Tokens of clients unblocked since the loop last looked: their input resumes.
    pub unblocked: Vec<usize>,
    blocked: usize,
}

impl Blocking {
    /// Number of blocked clients (INFO `blocked_clients`).
    pub fn blocked_clients(&self) -> usize {
        self.blocked
    }

    /// Blocked clients with a deadline (INFO `clients_in_timeout_table`).
    pub fn clients_in_timeout_table(&self) -> usize {
        self.timeouts.len()
    }

    /// Number of distinct keys somebody waits on.
    pub fn blocking_keys(&self) -> usize {
        self.waiting_keys
    }

    /// A write to `key`: remember it if somebody waits on it. Cheap when nobody waits.
    #[inline]
    pub fn signal(&mut self, db: usize, key: &[u8]) {
        if self.waiting_keys == 0 {
            return;
        }
        if self.waiters.get(db).is_some_and(|m| m.contains_key(key)) {
            let k = (db, key.to_vec());
            if self.ready_set.insert(k.clone()) {
                self.ready.push(k);
            }
        }
    }

    #[inline]
    pub fn has_ready(&self) -> bool {
        !self.ready.is_empty()
    }

    /// The earliest deadline of a blocked client (the loop's poll timeout).
    pub fn next_deadline(&self) -> Option<i64> {
        self.timeouts.first().map(|t| t.0)
    }
}

/// Signal every key of `db` somebody waits on: what FLUSHDB, FLUSHALL and SWAPDB need
/// (Redis's scanDatabaseForReadyKeys and scanDatabaseForDeletedStreams), since they change
/// keys without writing them. [`serve_ready`] then looks at what each key holds now: a key
/// that appeared serves its waiters, a stream that vanished releases XREADGROUP waiters.
pub fn signal_db(st: &mut State, db: usize) {
    let Some(m) = st.blocking.waiters.get(db) else { return };
    let keys: Vec<Vec<u8>> = m.keys().cloned().collect();
    for k in keys {
        st.blocking.signal(db, &k);
    }
}

/// Whether the running command may block (false inside MULTI and scripts).
#[inline]
pub fn may_block(ctx: &Ctx) -> bool {
    !ctx.no_block
}

/// The key whose write woke the client, while a parked command runs again.
pub fn ready_key<'c>(ctx: &'c Ctx) -> Option<&'c [u8]> {
    ctx.client.blocked.as_ref()?.ready_key.as_deref()
}

/// A blocking timeout in seconds (Redis's getTimeoutFromObjectOrReply, UNIT_SECONDS) as
/// an absolute deadline in ms; 0 = forever.
pub fn parse_timeout(ctx: &Ctx, arg: &[u8]) -> Result<i64, CommandError> {
    let ms = num::parse_timeout_secs(arg).map_err(|e| CommandError::stat(e.message()))?;
    if ms == 0 {
        return Ok(0);
    }
    ms.checked_add(ctx.now_ms).ok_or(CommandError::stat("ERR timeout is out of range"))
}

/// Park the client on `keys` of its current db until one of them holds a value of `kind`,
/// or until `deadline` (0 = forever). The handler must not reply. During a re-run this
/// keeps the client where it was in the queues.
pub fn block<'k>(
    ctx: &mut Ctx,
    args: &Args,
    kind: Kind,
    keys: impl IntoIterator<Item = &'k [u8]>,
    deadline: i64,
) -> CmdResult {
    if let Some(b) = ctx.client.blocked.as_mut() {
        b.reblocked = true;
        return Ok(());
    }
    let Ok(cmd) = ctx.st.table.resolve(args) else {
        return Err(CommandError::stat("ERR unknown command"));
    };
    let db = ctx.client.db;
    let (token, id) = (ctx.client.token, ctx.client.id);
    let mut ks: Vec<Vec<u8>> = Vec::new();
    for k in keys {
        // A key named twice waits once (Redis's blockForKeys skips duplicates).
        if ks.iter().any(|x| x == k) {
            continue;
        }
        ks.push(k.to_vec());
    }
    let bl = &mut ctx.st.blocking;
    if bl.waiters.len() <= db {
        bl.waiters.resize_with(db + 1, Default::default);
    }
    for k in &ks {
        let q = bl.waiters[db].entry(k.clone()).or_default();
        if q.is_empty() {
            bl.waiting_keys += 1;
        }
        q.push_back((token, id));
    }
    if deadline != 0 {
        bl.timeouts.insert((deadline, id, token));
    }
    bl.blocked += 1;
    let group_read = ctx.st.table.full_name(cmd) == "xreadgroup";
    ctx.client.blocked = Some(Box::new(Blocked {
        db,
        keys: ks,
        deadline,
        kind,
        cmd,
        argv: args.to_vec(),
        ready_key: None,
        reblocked: false,
        group_read,
        first_us: 0,
        original: None,
    }));
    Ok(())
}

/// Replace the stored arguments a parked command will run again with.
pub fn set_argv(ctx: &mut Ctx, argv: Vec<Vec<u8>>) {
    if let Some(b) = ctx.client.blocked.as_mut() {
        let old = std::mem::replace(&mut b.argv, argv);
        // During a re-run `argv` is out (empty); the first run already kept the original.
        if b.original.is_none() && !old.is_empty() {
            b.original = Some(old);
        }
    }
}

/// After the first run of a command: whether it blocked, remembering that run's time for
/// the stats taken when it is unblocked.
pub fn note_blocked_run(c: &mut Client, usec: u64) -> bool {
    match c.blocked.as_mut() {
        Some(b) => {
            b.first_us = usec;
            true
        }
        None => false,
    }
}

/// Redis's updateStatsOnUnblock: when a blocked command is answered (served, timed out,
/// unblocked, failed), its time so far plus `reply_us` counts in its command stats, the
/// latency histogram and the slowlog (as the command the client sent), and the reply time
/// as a `command-unblocking` latency event.
fn stats_on_unblock(st: &mut State, c: &Client, b: &Blocked, reply_us: u64, failed: bool) {
    let total = b.first_us + reply_us;
    let stat = &mut st.cmd_stats[b.cmd];
    stat.usec += total;
    if failed {
        stat.failed_calls += 1;
    }
    if st.cfg.latency_tracking {
        crate::cmd::latency::record(st, b.cmd, total);
    }
    let now_ms = crate::server::now_ms();
    let argv = b.original.as_ref().unwrap_or(&b.argv);
    crate::cmd::slowlog_push(st, c, b.cmd, &Args::Owned(argv), now_ms, total);
    let threshold = st.cfg.latency_monitor_threshold;
    if threshold > 0 && reply_us / 1000 >= threshold {
        st.latency.add("command-unblocking", now_ms / 1000, reply_us / 1000);
    }
}

/// Take the client out of every index, with its stats (see [`stats_on_unblock`]); it goes
/// to the resume list.
fn unblock(st: &mut State, c: &mut Client, reply_us: u64, failed: bool) {
    let Some(b) = c.blocked.take() else { return };
    remove_from_index(&mut st.blocking, &b, c.token, c.id);
    stats_on_unblock(st, c, &b, reply_us, failed);
    // CLIENT REPLY SKIP before a blocking command skips its late reply, then ends.
    if c.reply_mode == ReplyMode::Skip {
        c.reply_mode = ReplyMode::On;
    }
    st.blocking.unblocked.push(c.token);
}

fn remove_from_index(bl: &mut Blocking, b: &Blocked, token: usize, id: u64) {
    if let Some(m) = bl.waiters.get_mut(b.db) {
        for k in &b.keys {
            if let Some(q) = m.get_mut(k) {
                q.retain(|&(t, i)| !(t == token && i == id));
                if q.is_empty() {
                    m.remove(k);
                    bl.waiting_keys -= 1;
                }
            }
        }
    }
    if b.deadline != 0 {
        bl.timeouts.remove(&(b.deadline, id, token));
    }
    bl.blocked -= 1;
}

/// A blocked client disconnects: drop it from the queues and the timeout index.
pub fn forget(st: &mut State, c: &mut Client) {
    if let Some(b) = c.blocked.take() {
        remove_from_index(&mut st.blocking, &b, c.token, c.id);
    }
}

/// Run the parked command of `c` again for `key`; unblocks it when it was served.
fn rerun(st: &mut State, c: &mut Client, db: usize, key: &[u8], now_ms: i64) {
    let Some(b) = c.blocked.as_mut() else { return };
    b.ready_key = Some(key.to_vec());
    b.reblocked = false;
    let argv = std::mem::take(&mut b.argv);
    let def = st.table.def(b.cmd);
    let saved_db = c.db;
    let reply_start = c.wbuf.len();
    c.db = db;
    let cmd = b.cmd;
    crate::cmd::prepare_touch(st, c, cmd, now_ms);
    let started = std::time::Instant::now();
    let result = {
        let mut ctx = Ctx { st: &mut *st, client: &mut *c, now_ms, no_block: false };
        (def.handler)(&mut ctx, &Args::Owned(&argv))
    };
    let reply_us = started.elapsed().as_micros() as u64;
    c.db = saved_db;
    if let Err(e) = &result {
        write_error(st, c, e);
    }
    if c.reply_mode != ReplyMode::On {
        c.wbuf.truncate(reply_start);
    }
    // Invalidations the served command caused for its own client go after its reply (they
    // would otherwise wait for, and go to, whoever runs the next command).
    crate::tracking::flush_pending_self(st, c, now_ms);
    match c.blocked.as_mut() {
        Some(b) if b.reblocked && result.is_ok() => {
            b.ready_key = None;
            if b.argv.is_empty() {
                b.argv = argv;
            }
        }
        Some(b) => {
            // Served: the slowlog shows the arguments it ran with.
            if b.argv.is_empty() {
                b.argv = argv;
            }
            unblock(st, c, reply_us, result.is_err())
        }
        None => {}
    }
}

/// Serve clients blocked on keys written since the last call, FIFO per key, until no
/// signalled key is left (a served BLMOVE may signal more).
pub fn serve_ready(st: &mut State, now_ms: i64) {
    while !st.blocking.ready.is_empty() {
        let ready = std::mem::take(&mut st.blocking.ready);
        st.blocking.ready_set.clear();
        for (db, key) in ready {
            let Some(q) = st.blocking.waiters.get(db).and_then(|m| m.get(&key)) else {
                continue;
            };
            let queue: Vec<(usize, u64)> = q.iter().copied().collect();
            for (token, id) in queue {
                // Looked up per client: a served client may empty or delete the key.
                let kind = st.ks.get(db, &key, now_ms).map(|e| e.value.kind());
                let Some(slot) = st.clients.get_mut(token) else { continue };
                let Some(mut c) = slot.take() else { continue };
                match c.blocked.as_ref() {
                    Some(b) if c.id == id && Some(b.kind) == kind => {
                        rerun(st, &mut c, db, &key, now_ms)
                    }
                    // A missing key or one of another type leaves other waiters blocked
                    // (XREAD keeps waiting for the stream to come back), but not
                    // XREADGROUP.
                    Some(b) if c.id == id && b.group_read && kind != Some(Kind::Stream) => {
                        fail_blocked(st, &mut c, STREAM_GONE)
                    }
                    _ => {}
                }
                st.clients[token] = Some(c);
            }
        }
    }
}

/// Answer a blocked client with an error (a failed call of its command) and unblock it.
fn fail_blocked(st: &mut State, c: &mut Client, text: &[u8]) {
    if c.reply_mode != ReplyMode::On {
        crate::cmd::count_error_reply(st, text);
    } else {
        crate::cmd::write_error_bytes(st, c, text);
    }
    unblock(st, c, 0, true);
}

/// Reply to and unblock every client whose deadline has passed.
pub fn expire_timeouts(st: &mut State, now_ms: i64) {
    while let Some(&(deadline, id, token)) = st.blocking.timeouts.first() {
        if deadline > now_ms {
            break;
        }
        st.blocking.timeouts.pop_first();
        let Some(Some(mut c)) = st.clients.get_mut(token).map(|s| s.take()) else { continue };
        if c.id == id {
            if let Some(b) = c.blocked.as_mut() {
                // Already out of the timeout index.
                b.deadline = 0;
                if c.reply_mode == ReplyMode::On {
                    Reply::new(&mut c.wbuf, c.resp3).null_array();
                }
                unblock(st, &mut c, 0, false);
            }
        }
        st.clients[token] = Some(c);
    }
}

/// CLIENT UNBLOCK: reply with the timeout null, or with an error, and unblock. Returns
/// whether the client was blocked on keys.
pub fn unblock_by_id(st: &mut State, id: u64, error: bool) -> bool {
    let Some(token) =
        st.clients.iter().find(|(_, c)| c.as_ref().is_some_and(|c| c.id == id)).map(|(t, _)| t)
    else {
        return false;
    };
    let Some(Some(mut c)) = st.clients.get_mut(token).map(|s| s.take()) else { return false };
    let was = c.blocked.is_some();
    if was && c.reply_mode != ReplyMode::On {
        if error {
            crate::cmd::count_error_reply(st, b"UNBLOCKED client unblocked via CLIENT UNBLOCK");
        }
        unblock(st, &mut c, 0, error);
    } else if was {
        if error {
            crate::cmd::write_error_bytes(
                st,
                &mut c,
                b"UNBLOCKED client unblocked via CLIENT UNBLOCK",
            );
        } else {
            Reply::new(&mut c.wbuf, c.resp3).null_array();
        }
        unblock(st, &mut c, 0, error);
    }
    st.clients[token] = Some(c);
    was
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Value;

    fn state() -> State {
        let cfg = crate::config::Config::from_args(&[]).expect("default config");
        State::new(cfg, 1000)
    }

    fn wait_on(bl: &mut Blocking, db: usize, key: &[u8], token: usize) {
        if bl.waiters.len() <= db {
            bl.waiters.resize_with(db + 1, Default::default);
        }
        bl.waiters[db].entry(key.to_vec()).or_default().push_back((token, token as u64));
        bl.waiting_keys = bl.waiters.iter().map(|m| m.len()).sum();
    }

    #[test]
    fn signals_only_keys_somebody_waits_on_once() {
        let mut bl = Blocking::default();
        bl.signal(0, b"k");
        assert!(!bl.has_ready(), "nobody waits: nothing is remembered");
        wait_on(&mut bl, 1, b"k", 7);
        bl.signal(0, b"k");
        assert!(!bl.has_ready(), "same name, other db");
        bl.signal(1, b"k");
        bl.signal(1, b"k");
        bl.signal(1, b"other");
        assert_eq!(bl.ready, vec![(1, b"k".to_vec())]);
        assert_eq!(bl.blocking_keys(), 1);
    }

    #[test]
    fn signal_db_signals_every_waited_key_of_that_db_only() {
        let mut st = state();
        wait_on(&mut st.blocking, 0, b"present", 1);
        wait_on(&mut st.blocking, 1, b"other", 2);
        st.ks.set(0, b"unwatched", Value::string(b"x"), 0, 0);
        signal_db(&mut st, 0);
        assert_eq!(st.blocking.ready, vec![(0, b"present".to_vec())]);
        signal_db(&mut st, 5);
        assert_eq!(st.blocking.ready.len(), 1);
    }
}
