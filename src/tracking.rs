//! Client-side caching (Redis's tracking.c): the table of keys clients may have cached, the
//! broadcast prefixes, and the invalidation messages sent when keys change.
//!
//! Default mode remembers, per key, the clients that read it; a change sends each of them
//! one invalidation and forgets the key. BCAST mode remembers nothing per client: changed
//! keys are collected per prefix during a loop turn and sent in `before_sleep`. Messages go
//! as RESP3 pushes, or to a REDIRECT client (as `__redis__:invalidate` Pub/Sub messages when
//! that client speaks RESP2 and is subscribed).

use std::collections::BTreeMap;

use ahash::AHashMap;

use crate::connection::Client;
use crate::pubsub::{client_at, deliver};
use crate::resp::reply::Reply;
use crate::state::State;

/// A client named by id with the slab token it had when it registered (checked on use, so
/// a reused token never reaches a stranger).
type Who = (u64, usize);

/// Server-wide tracking state.
#[derive(Default)]
pub struct Tracking {
    /// Clients with tracking on; everything is skipped while zero.
    pub clients: usize,
    /// Key -> clients that may cache it (default mode).
    table: AHashMap<Box<[u8]>, Vec<Who>>,
    /// Sum of the table's client lists (INFO tracking_total_items).
    total_items: usize,
    /// BCAST prefixes in byte order, like Redis's radix tree.
    prefixes: BTreeMap<Vec<u8>, Bcast>,
    /// Invalidations for the running client, sent after its reply (None: flush).
    pending_self: Vec<Option<Vec<u8>>>,
}

#[derive(Default)]
struct Bcast {
    clients: Vec<Who>,
    /// Keys changed this turn -> id of the client that changed them last (0: the server).
    keys: BTreeMap<Vec<u8>, u64>,
}

/// A client's tracking options.
#[derive(Default, Clone)]
pub struct ClientTracking {
    /// Client id receiving this client's invalidations; 0: itself.
    pub redirect: u64,
    pub bcast: bool,
    pub optin: bool,
    pub optout: bool,
    pub noloop: bool,
    /// CLIENT CACHING YES/NO given for the next command.
    pub caching: bool,
    /// The redirect target went away (flag `R`).
    pub broken_redirect: bool,
    /// BCAST prefixes in byte order.
    pub prefixes: Vec<Vec<u8>>,
}

impl Tracking {
    /// INFO `tracking_total_keys`.
    pub fn total_keys(&self) -> usize {
        self.table.len()
    }

    /// INFO `tracking_total_items`.
    pub fn total_items(&self) -> usize {
        self.total_items
    }

    /// INFO `tracking_total_prefixes`.
    pub fn total_prefixes(&self) -> usize {
        self.prefixes.len()
    }
}

impl Client {
    /// CLIENT LIST `redir=`: the redirect id, -1 without tracking.
    pub fn tracking_redirect(&self) -> i64 {
        self.tracking.as_ref().map_or(-1, |t| t.redirect as i64)
    }
}

/// Turn tracking on (CLIENT TRACKING ON, options already validated). Re-enabling keeps
/// earlier BCAST prefixes and replaces the other options.
pub fn enable(st: &mut State, c: &mut Client, opts: ClientTracking, prefixes: &[Vec<u8>]) {
    let mut t = match c.tracking.take() {
        Some(old) => {
            let mut t = *old;
            t.redirect = opts.redirect;
            t.bcast = opts.bcast;
            t.optin = opts.optin;
            t.optout = opts.optout;
            t.noloop = opts.noloop;
            t.broken_redirect = false;
            t
        }
        None => {
            st.tracking.clients += 1;
            opts
        }
    };
    if t.bcast {
        let add: Vec<Vec<u8>> =
            if prefixes.is_empty() { vec![Vec::new()] } else { prefixes.to_vec() };
        for p in add {
            if t.prefixes.contains(&p) {
                continue;
            }
            st.tracking.prefixes.entry(p.clone()).or_default().clients.push((c.id, c.token));
            t.prefixes.push(p);
        }
        t.prefixes.sort();
    }
    c.tracking = Some(Box::new(t));
}

/// Stop tracking for a client (CLIENT TRACKING OFF, RESET, disconnect). Keys it read stay
/// in the table until they change, as in Redis.
pub fn disable(st: &mut State, c: &mut Client) {
    let Some(t) = c.tracking.take() else { return };
    st.tracking.clients -= 1;
    for p in &t.prefixes {
        if let Some(b) = st.tracking.prefixes.get_mut(p) {
            b.clients.retain(|&(id, _)| id != c.id);
            if b.clients.is_empty() {
                st.tracking.prefixes.remove(p);
            }
        }
    }
    if st.tracking.clients == 0 {
        st.tracking.table.clear();
        st.tracking.total_items = 0;
    }
}

/// Overlap check for new BCAST prefixes: the exact Redis error, or None.
pub fn prefix_collision(c: &Client, prefixes: &[Vec<u8>]) -> Option<String> {
    let overlaps = |a: &[u8], b: &[u8]| {
        let n = a.len().min(b.len());
        a[..n] == b[..n]
    };
    for (i, p) in prefixes.iter().enumerate() {
        if let Some(t) = c.tracking.as_ref() {
            if let Some(existing) = t.prefixes.iter().find(|e| overlaps(e, p)) {
                return Some(format!(
                    "ERR Prefix '{}' overlaps with an existing prefix '{}'. Prefixes for a single client must not overlap.",
                    String::from_utf8_lossy(p),
                    String::from_utf8_lossy(existing)
                ));
            }
        }
        if let Some(other) = prefixes[i + 1..].iter().find(|o| overlaps(p, o)) {
            return Some(format!(
                "ERR Prefix '{}' overlaps with another provided prefix '{}'. Prefixes for a single client must not overlap.",
                String::from_utf8_lossy(p),
                String::from_utf8_lossy(other)
            ));
        }
    }
    None
}

/// After a read-only command: remember the keys it read for a tracking client (default
/// mode), unless OPTIN without CACHING YES or OPTOUT with CACHING NO.
pub fn remember_keys(st: &mut State, c: &Client, keys: impl Iterator<Item = Vec<u8>>) {
    let Some(t) = c.tracking.as_ref() else { return };
    if t.bcast || (t.optin && !t.caching) || (t.optout && t.caching) {
        return;
    }
    let who = (c.id, c.token);
    for k in keys {
        let list = st.tracking.table.entry(k.into_boxed_slice()).or_default();
        if !list.iter().any(|&(id, _)| id == c.id) {
            list.push(who);
            st.tracking.total_items += 1;
        }
    }
}

/// `key` changed (or expired): invalidate it for every client that may have cached it, and
/// queue it for the BCAST prefixes it matches. `me` is the running client, if any.
pub fn invalidate_key(st: &mut State, mut me: Option<&mut Client>, key: &[u8], now_ms: i64) {
    if st.tracking.clients == 0 {
        return;
    }
    let me_id = me.as_ref().map_or(0, |c| c.id);
    if !st.tracking.prefixes.is_empty() {
        for (p, b) in st.tracking.prefixes.iter_mut() {
            if key.starts_with(p) {
                b.keys.insert(key.to_vec(), me_id);
            }
        }
    }
    let Some(list) = st.tracking.table.remove(key) else { return };
    st.tracking.total_items = st.tracking.total_items.saturating_sub(list.len());
    for (id, token) in list {
        let Some(target) = client_at(&mut st.clients, me.as_deref_mut(), token) else {
            continue;
        };
        let Some(t) = target.tracking.as_ref() else { continue };
        if target.id != id || t.bcast {
            continue;
        }
        if target.id == me_id {
            if t.noloop {
                continue;
            }
            // The running client hears about its own change after its reply.
            st.tracking.pending_self.push(Some(key.to_vec()));
            continue;
        }
        send(st, me.as_deref_mut(), token, Some(&[key]), now_ms);
    }
}

/// FLUSHDB / FLUSHALL: every tracking client is told to drop everything (a null
/// invalidation), and the table is emptied.
pub fn invalidate_all(st: &mut State, mut me: Option<&mut Client>, now_ms: i64) {
    if st.tracking.clients == 0 {
        return;
    }
    let me_token = me.as_ref().map(|c| c.token);
    if me.as_ref().is_some_and(|c| c.tracking.is_some()) {
        st.tracking.pending_self.push(None);
    }
    let targets: Vec<usize> = st
        .clients
        .iter()
        .filter(|(t, c)| Some(*t) != me_token && c.as_ref().is_some_and(|c| c.tracking.is_some()))
        .map(|(t, _)| t)
        .collect();
    for t in targets {
        send(st, me.as_deref_mut(), t, None, now_ms);
    }
    st.tracking.table.clear();
    st.tracking.total_items = 0;
}

/// Send the invalidations queued for the running client during its command.
pub fn flush_pending_self(st: &mut State, c: &mut Client, now_ms: i64) {
    if st.tracking.pending_self.is_empty() {
        return;
    }
    let pending = std::mem::take(&mut st.tracking.pending_self);
    for key in pending {
        let token = c.token;
        match key {
            Some(k) => send(st, Some(&mut *c), token, Some(&[&k]), now_ms),
            None => send(st, Some(&mut *c), token, None, now_ms),
        }
    }
}

/// `before_sleep`: the BCAST messages of this turn, one per prefix and client.
pub fn broadcast(st: &mut State, now_ms: i64) {
    let mut out: Vec<(usize, Vec<Vec<u8>>)> = Vec::new();
    for b in st.tracking.prefixes.values_mut() {
        if b.keys.is_empty() {
            continue;
        }
        let keys = std::mem::take(&mut b.keys);
        for &(id, token) in &b.clients {
            let Some(Some(c)) = st.clients.get(token) else { continue };
            let Some(t) = c.tracking.as_ref() else { continue };
            if c.id != id {
                continue;
            }
            let list: Vec<Vec<u8>> = keys
                .iter()
                .filter(|&(_, &by)| !(t.noloop && by == id))
                .map(|(k, _)| k.clone())
                .collect();
            if !list.is_empty() {
                out.push((token, list));
            }
        }
    }
    for (token, keys) in out {
        let refs: Vec<&[u8]> = keys.iter().map(|k| k.as_slice()).collect();
        send(st, None, token, Some(&refs), now_ms);
    }
}

/// True when `broadcast` has work.
pub fn has_broadcast(st: &State) -> bool {
    st.tracking.prefixes.values().any(|b| !b.keys.is_empty())
}

/// `tracking-table-max-keys`: forget (and invalidate) keys beyond the limit.
pub fn enforce_limit(st: &mut State, mut me: Option<&mut Client>, now_ms: i64) {
    let max = st.cfg.tracking_table_max_keys;
    if max == 0 || st.tracking.table.len() <= max {
        return;
    }
    let excess = st.tracking.table.len() - max;
    let victims: Vec<Box<[u8]>> = st.tracking.table.keys().take(excess).cloned().collect();
    for k in victims {
        invalidate_key(st, me.as_deref_mut(), &k, now_ms);
    }
}

/// Redis's sendTrackingMessage: to the client at `token` itself (RESP3) or its redirect
/// target; `keys` None is the flush-everything null.
fn send(
    st: &mut State,
    mut me: Option<&mut Client>,
    token: usize,
    keys: Option<&[&[u8]]>,
    now_ms: i64,
) {
    let Some(c) = client_at(&mut st.clients, me.as_deref_mut(), token) else { return };
    let Some(t) = c.tracking.as_mut() else { return };
    let redirect = t.redirect;
    let mut target_token = token;
    if redirect != 0 {
        let found = st
            .clients
            .iter()
            .find(|(_, x)| x.as_ref().is_some_and(|x| x.id == redirect))
            .map(|(t, _)| t)
            .or_else(|| me.as_ref().filter(|m| m.id == redirect).map(|m| m.token));
        match found {
            Some(t) => target_token = t,
            None => {
                let Some(c) = client_at(&mut st.clients, me.as_deref_mut(), token) else { return };
                if let Some(t) = c.tracking.as_mut() {
                    t.broken_redirect = true;
                }
                if c.resp3 {
                    deliver(st, me, token, now_ms, |r| {
                        r.push(2);
                        r.bulk(b"tracking-redir-broken");
                        r.int(redirect as i64);
                    });
                }
                return;
            }
        }
    }
    let Some(target) = client_at(&mut st.clients, me.as_deref_mut(), target_token) else { return };
    let pubsub = !target.resp3 && redirect != 0 && target.is_subscriber();
    if !target.resp3 && !pubsub {
        // RESP2 without a subscribed redirect target: nowhere to send it.
        return;
    }
    deliver(st, me, target_token, now_ms, |r: &mut Reply| {
        if pubsub {
            r.push(3);
            r.bulk(b"message");
            r.bulk(b"__redis__:invalidate");
        } else {
            r.push(2);
            r.bulk(b"invalidate");
        }
        match keys {
            Some(keys) => {
                r.array(keys.len());
                for k in keys {
                    r.bulk(k);
                }
            }
            None => r.null(),
        }
    });
}
