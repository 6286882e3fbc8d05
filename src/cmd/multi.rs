//! Command family: transactions — MULTI EXEC DISCARD WATCH UNWATCH (Redis's multi.c).
//!
//! The dispatcher queues commands while a client is in MULTI (`queue_or_reject`); EXEC runs
//! them through `cmd::call_queued` with the transaction's clock. WATCH keeps a server table
//! key -> (db, client token); `Ctx::modified` looks a key up there only when somebody
//! watches anything, so unwatched writes pay one emptiness check.

use ahash::AHashMap;

use super::args::Args;
use super::table::{flags, CommandDef};
use super::Ctx;
use crate::connection::Client;
use crate::db::Key;
use crate::error::{CmdResult, CommandError};
use crate::pubsub::client_at;
use crate::state::State;

pub const COMMANDS: &[CommandDef] = &[
    CommandDef {
        name: "discard",
        handler: discard,
        arity: 1,
        flags: flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::FAST | flags::ALLOW_BUSY,
        acl: &["@transaction"],
        group: "transactions",
        since: "2.0.0",
        summary: "Discard all commands issued after MULTI",
        complexity: "O(N), when N is the number of queued commands",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "exec",
        handler: exec,
        arity: 1,
        flags: flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::SKIP_SLOWLOG,
        acl: &["@transaction"],
        group: "transactions",
        since: "1.2.0",
        summary: "Execute all commands issued after MULTI",
        complexity: "Depends on commands in the transaction",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "multi",
        handler: multi,
        arity: 1,
        flags: flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::FAST | flags::ALLOW_BUSY,
        acl: &["@transaction"],
        group: "transactions",
        since: "1.2.0",
        summary: "Mark the start of a transaction block",
        complexity: "O(1)",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "unwatch",
        handler: unwatch,
        arity: 1,
        flags: flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::FAST | flags::ALLOW_BUSY,
        acl: &["@transaction"],
        group: "transactions",
        since: "2.2.0",
        summary: "Forget about all watched keys",
        complexity: "O(1)",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "watch",
        handler: watch,
        arity: -2,
        flags: flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::FAST | flags::ALLOW_BUSY,
        acl: &["@transaction"],
        first_key: 1,
        last_key: -1,
        step: 1,
        group: "transactions",
        since: "2.2.0",
        summary: "Watch the given keys to determine execution of the MULTI/EXEC block",
        complexity: "O(1) for every key.",
        syntax: "key [key ...]",
        ..CommandDef::DEFAULT
    },
];

pub const EXECABORT: CommandError =
    CommandError::stat("EXECABORT Transaction discarded because of previous errors.");
pub const NOT_IN_MULTI: CommandError =
    CommandError::stat("ERR Command not allowed inside a transaction");

/// One queued command: its table id and owned argv.
pub struct Queued {
    pub id: usize,
    pub argv: Vec<Vec<u8>>,
}

pub struct Watched {
    pub db: usize,
    pub key: Key,
    /// The key was already logically expired when watched: its deletion changes nothing.
    pub expired: bool,
}

/// A client's MULTI/WATCH state.
#[derive(Default)]
pub struct TxState {
    pub in_multi: bool,
    pub queue: Vec<Queued>,
    /// A command was rejected while queuing (Redis's CLIENT_DIRTY_EXEC).
    pub aborted: bool,
    /// A watched key changed (CLIENT_DIRTY_CAS).
    pub dirty: bool,
    pub watched: Vec<Watched>,
    /// Commands of the EXEC in progress (CLIENT LIST `multi=` while executing).
    pub executing: usize,
    /// CLIENT LIST `multi-mem`: queued argument bytes plus a pointer per argument.
    pub queued_mem: usize,
}

/// key -> (db, token) of every client watching it.
pub type WatchTable = AHashMap<Box<[u8]>, Vec<(usize, usize)>>;

impl Client {
    /// CLIENT LIST `multi=`: queued commands, -1 outside MULTI.
    pub fn multi_count(&self) -> i64 {
        if self.tx.in_multi {
            (self.tx.queue.len() + self.tx.executing) as i64
        } else {
            -1
        }
    }
}

/// The dispatcher's MULTI gate, after lookup and auth: None lets the command run now;
/// Some(Ok) means it was queued, Some(Err) refused (which dooms the transaction).
pub fn queue_or_reject(
    client: &mut Client,
    full_name: &str,
    id: usize,
    def: &CommandDef,
    args: &Args,
) -> Option<Result<(), CommandError>> {
    if !client.tx.in_multi {
        return None;
    }
    if def.has(flags::NO_MULTI) {
        client.tx.aborted = true;
        return Some(Err(NOT_IN_MULTI));
    }
    if matches!(full_name, "exec" | "discard" | "multi" | "watch" | "quit" | "reset") {
        return None;
    }
    client.tx.queued_mem += args.iter().map(|a| a.len() + 8).sum::<usize>();
    client.tx.queue.push(Queued { id, argv: args.to_vec() });
    client.wbuf.extend_from_slice(b"+QUEUED\r\n");
    Some(Ok(()))
}

fn multi(ctx: &mut Ctx, _args: &Args) -> CmdResult {
    if ctx.client.tx.in_multi {
        return Err(CommandError::stat("ERR MULTI calls can not be nested"));
    }
    ctx.client.tx.in_multi = true;
    ctx.reply().ok();
    Ok(())
}

fn discard(ctx: &mut Ctx, _args: &Args) -> CmdResult {
    if !ctx.client.tx.in_multi {
        return Err(CommandError::stat("ERR DISCARD without MULTI"));
    }
    discard_transaction(ctx.st, ctx.client);
    ctx.reply().ok();
    Ok(())
}

/// Leave MULTI and forget watched keys (DISCARD, EXEC, RESET).
pub fn discard_transaction(st: &mut State, c: &mut Client) {
    c.tx.in_multi = false;
    c.tx.queue = Vec::new();
    c.tx.aborted = false;
    c.tx.dirty = false;
    c.tx.executing = 0;
    c.tx.queued_mem = 0;
    unwatch_all(st, c);
}

fn exec(ctx: &mut Ctx, _args: &Args) -> CmdResult {
    if !ctx.client.tx.in_multi {
        return Err(CommandError::stat("ERR EXEC without MULTI"));
    }
    if watched_key_expired(ctx.st, ctx.client, ctx.now_ms) {
        ctx.client.tx.dirty = true;
    }
    if ctx.client.tx.aborted {
        discard_transaction(ctx.st, ctx.client);
        return Err(EXECABORT);
    }
    if ctx.client.tx.dirty {
        discard_transaction(ctx.st, ctx.client);
        ctx.reply().null_array();
        return Ok(());
    }
    unwatch_all(ctx.st, ctx.client);
    let queue = std::mem::take(&mut ctx.client.tx.queue);
    ctx.client.tx.executing = queue.len();
    ctx.reply().array(queue.len());
    let was_no_block = ctx.client.in_exec;
    ctx.client.in_exec = true;
    for q in &queue {
        super::call_queued(ctx.st, ctx.client, q.id, &Args::Owned(&q.argv), ctx.now_ms);
    }
    ctx.client.in_exec = was_no_block;
    discard_transaction(ctx.st, ctx.client);
    Ok(())
}

fn watch(ctx: &mut Ctx, args: &Args) -> CmdResult {
    if ctx.client.tx.in_multi {
        return Err(CommandError::stat("ERR WATCH inside MULTI is not allowed"));
    }
    let db = ctx.db();
    for key in args.rest(1) {
        watch_key(ctx.st, ctx.client, db, key, ctx.now_ms);
    }
    ctx.reply().ok();
    Ok(())
}

fn unwatch(ctx: &mut Ctx, _args: &Args) -> CmdResult {
    unwatch_all(ctx.st, ctx.client);
    ctx.client.tx.dirty = false;
    ctx.reply().ok();
    Ok(())
}

fn watch_key(st: &mut State, c: &mut Client, db: usize, key: &[u8], now: i64) {
    if c.tx.watched.iter().any(|w| w.db == db && &*w.key == key) {
        return;
    }
    let expired = st.ks.dbs[db].dict.get(key).is_some_and(|e| e.is_expired(now));
    c.tx.watched.push(Watched { db, key: Key::new(key), expired });
    match st.watched.get_mut(key) {
        Some(list) => list.push((db, c.token)),
        None => {
            st.watched.insert(key.into(), vec![(db, c.token)]);
        }
    }
}

pub fn unwatch_all(st: &mut State, c: &mut Client) {
    for w in std::mem::take(&mut c.tx.watched) {
        if let Some(list) = st.watched.get_mut(&*w.key) {
            list.retain(|&(d, t)| !(d == w.db && t == c.token));
            if list.is_empty() {
                st.watched.remove(&*w.key);
            }
        }
    }
}

/// Redis's isWatchedKeyExpired: a key that was alive when watched is logically gone now.
fn watched_key_expired(st: &State, c: &Client, now: i64) -> bool {
    c.tx.watched
        .iter()
        .any(|w| !w.expired && st.ks.dbs[w.db].dict.get(&w.key).is_some_and(|e| e.is_expired(now)))
}

/// Redis's touchWatchedKey: `key` in `db` was modified (or deleted); flag its watchers.
pub fn touch(st: &mut State, mut me: Option<&mut Client>, db: usize, key: &[u8]) {
    if st.watched.is_empty() {
        return;
    }
    let Some(list) = st.watched.get(key) else { return };
    let tokens: Vec<usize> = list.iter().filter(|&&(d, _)| d == db).map(|&(_, t)| t).collect();
    if tokens.is_empty() {
        return;
    }
    let gone = st.ks.dbs[db].dict.get(key).is_none();
    for t in tokens {
        let Some(c) = client_at(&mut st.clients, me.as_deref_mut(), t) else { continue };
        flag_watcher(c, db, key, gone);
    }
}

fn flag_watcher(c: &mut Client, db: usize, key: &[u8], gone: bool) {
    if let Some(w) = c.tx.watched.iter_mut().find(|w| w.db == db && &*w.key == key) {
        if w.expired {
            // Deleting a key that was already expired when watched is no logical change.
            if gone {
                w.expired = false;
                return;
            }
        }
    }
    c.tx.dirty = true;
}

/// Redis's touchAllWatchedKeysInDb, before `db` is emptied (FLUSHDB/FLUSHALL; `other`:
/// SWAPDB's partner, whose keys replace it). A watcher of a key present in either is
/// flagged, except where nothing changes logically: a key already expired when watched that
/// is now gone or replaced by another expired key, or a missing key replaced by an expired
/// one (then remembered as expired).
pub fn touch_db(
    st: &mut State,
    mut me: Option<&mut Client>,
    db: usize,
    other: Option<usize>,
    now: i64,
) {
    if st.watched.is_empty() {
        return;
    }
    // (client, key, present in the emptied db, Some(expired?) when the partner has it)
    let mut hits: Vec<(usize, Key, bool, Option<bool>)> = Vec::new();
    for (key, list) in st.watched.iter() {
        let in_emptied = st.ks.dbs[db].dict.get(key).is_some();
        let replaced = other.and_then(|o| st.ks.dbs[o].dict.get(key)).map(|e| e.is_expired(now));
        if !in_emptied && replaced.is_none() {
            continue;
        }
        for &(d, t) in list {
            if d == db {
                hits.push((t, Key::new(key), in_emptied, replaced));
            }
        }
    }
    for (t, key, in_emptied, replaced) in hits {
        let Some(c) = client_at(&mut st.clients, me.as_deref_mut(), t) else { continue };
        if let Some(w) = c.tx.watched.iter_mut().find(|w| w.db == db && w.key == key) {
            if w.expired {
                match replaced {
                    None => {
                        w.expired = false;
                        continue;
                    }
                    Some(true) => continue,
                    Some(false) => {}
                }
            } else if !in_emptied && replaced == Some(true) {
                w.expired = true;
                continue;
            }
        }
        c.tx.dirty = true;
    }
}
