//! Pub/Sub state and message delivery (Redis's pubsub.c), plus the one way a command writes
//! to another client's output: [`deliver`], which also enforces `client-output-buffer-limit`
//! and queues the target for the loop's flush in the same turn.
//!
//! Subscribers are named by their slab token; a closing client leaves everything through
//! [`forget_client`], so a token is never stale while it appears here.

use ahash::{AHashMap, AHashSet};
use log::warn;
use slab::Slab;

use crate::config::ClientClass;
use crate::connection::Client;
use crate::resp::reply::Reply;
use crate::state::State;
use crate::util::glob::string_match;

/// Server-side subscription tables: channel (or pattern) -> subscriber tokens in
/// subscription order.
#[derive(Default)]
pub struct PubSub {
    pub channels: AHashMap<Vec<u8>, Vec<usize>>,
    pub patterns: AHashMap<Vec<u8>, Vec<usize>>,
    pub shard_channels: AHashMap<Vec<u8>, Vec<usize>>,
}

impl PubSub {
    /// Nobody subscribed to anything: publishing is a no-op.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.channels.is_empty() && self.patterns.is_empty() && self.shard_channels.is_empty()
    }
}

/// A client's own subscriptions.
#[derive(Default)]
pub struct ClientSubs {
    pub channels: AHashSet<Vec<u8>>,
    pub patterns: AHashSet<Vec<u8>>,
    pub shard_channels: AHashSet<Vec<u8>>,
}

/// The three kinds of subscription, with Redis's reply names.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    Channel,
    Pattern,
    Shard,
}

impl Kind {
    pub fn sub_name(self) -> &'static [u8] {
        match self {
            Kind::Channel => b"subscribe",
            Kind::Pattern => b"psubscribe",
            Kind::Shard => b"ssubscribe",
        }
    }

    pub fn unsub_name(self) -> &'static [u8] {
        match self {
            Kind::Channel => b"unsubscribe",
            Kind::Pattern => b"punsubscribe",
            Kind::Shard => b"sunsubscribe",
        }
    }

    fn server_table(self, ps: &mut PubSub) -> &mut AHashMap<Vec<u8>, Vec<usize>> {
        match self {
            Kind::Channel => &mut ps.channels,
            Kind::Pattern => &mut ps.patterns,
            Kind::Shard => &mut ps.shard_channels,
        }
    }

    fn client_set(self, s: &mut ClientSubs) -> &mut AHashSet<Vec<u8>> {
        match self {
            Kind::Channel => &mut s.channels,
            Kind::Pattern => &mut s.patterns,
            Kind::Shard => &mut s.shard_channels,
        }
    }
}

impl Client {
    /// Channels + patterns: the count SUBSCRIBE/PSUBSCRIBE replies carry.
    pub fn sub_count(&self) -> usize {
        self.subs.as_ref().map_or(0, |s| s.channels.len() + s.patterns.len())
    }

    pub fn channel_count(&self) -> usize {
        self.subs.as_ref().map_or(0, |s| s.channels.len())
    }

    pub fn pattern_count(&self) -> usize {
        self.subs.as_ref().map_or(0, |s| s.patterns.len())
    }

    pub fn shard_count(&self) -> usize {
        self.subs.as_ref().map_or(0, |s| s.shard_channels.len())
    }

    /// Redis's CLIENT_PUBSUB flag: any subscription of any kind.
    #[inline]
    pub fn is_subscriber(&self) -> bool {
        self.subs.is_some()
    }

    /// RESP2 subscribers may only run the (un)subscribe family, PING, QUIT and RESET, and
    /// PING answers `*2 pong <msg>` there.
    #[inline]
    pub fn in_pubsub_context(&self) -> bool {
        self.subs.is_some() && !self.resp3
    }

    /// Count for a (un)subscribe reply of this kind: shard channels count apart.
    pub fn count_for(&self, kind: Kind) -> usize {
        match kind {
            Kind::Shard => self.shard_count(),
            _ => self.sub_count(),
        }
    }

    /// The client-output-buffer-limit class (MONITOR clients count as normal).
    pub fn output_class(&self) -> ClientClass {
        if self.is_subscriber() {
            ClientClass::Pubsub
        } else {
            ClientClass::Normal
        }
    }
}

/// Add one subscription; false if the client already had it.
pub fn subscribe(ps: &mut PubSub, c: &mut Client, kind: Kind, name: &[u8]) -> bool {
    let subs = c.subs.get_or_insert_with(Default::default);
    if !kind.client_set(subs).insert(name.to_vec()) {
        return false;
    }
    kind.server_table(ps).entry(name.to_vec()).or_default().push(c.token);
    true
}

/// Remove one subscription; false if the client did not have it.
pub fn unsubscribe(ps: &mut PubSub, c: &mut Client, kind: Kind, name: &[u8]) -> bool {
    let Some(subs) = c.subs.as_mut() else { return false };
    if !kind.client_set(subs).remove(name) {
        return false;
    }
    remove_token(kind.server_table(ps), name, c.token);
    if subs.channels.is_empty() && subs.patterns.is_empty() && subs.shard_channels.is_empty() {
        c.subs = None;
    }
    true
}

fn remove_token(table: &mut AHashMap<Vec<u8>, Vec<usize>>, name: &[u8], token: usize) {
    if let Some(list) = table.get_mut(name) {
        if let Some(pos) = list.iter().position(|&t| t == token) {
            list.remove(pos);
        }
        if list.is_empty() {
            table.remove(name);
        }
    }
}

/// The names a client holds of one kind (for unsubscribe-all).
pub fn names_of(c: &Client, kind: Kind) -> Vec<Vec<u8>> {
    let Some(s) = c.subs.as_ref() else { return Vec::new() };
    let set = match kind {
        Kind::Channel => &s.channels,
        Kind::Pattern => &s.patterns,
        Kind::Shard => &s.shard_channels,
    };
    set.iter().cloned().collect()
}

/// Write a subscribe/unsubscribe confirmation (`name` None: the null of "nothing to
/// unsubscribe from").
///
/// Like messages, confirmations are pushes, in RESP2 as in RESP3 (Redis sets
/// CLIENT_PUSHING for them): CLIENT REPLY OFF/SKIP does not silence them, so they go to
/// `side_push`, which the dispatcher keeps when it drops the command's reply.
pub fn write_confirm(c: &mut Client, verb: &[u8], name: Option<&[u8]>, count: usize) {
    let out = if c.reply_mode == crate::connection::ReplyMode::On {
        &mut c.wbuf
    } else {
        &mut c.side_push
    };
    let mut r = Reply::new(out, c.resp3);
    r.push(3);
    r.bulk(verb);
    match name {
        Some(n) => r.bulk(n),
        None => r.null(),
    }
    r.int(count as i64);
}

/// Everything a closing client leaves behind: subscriptions, watched keys, MONITOR,
/// tracking.
pub fn forget_client(st: &mut State, c: &mut Client) {
    if c.subs.is_some() {
        for kind in [Kind::Channel, Kind::Pattern, Kind::Shard] {
            for name in names_of(c, kind) {
                unsubscribe(&mut st.pubsub, c, kind, &name);
            }
        }
    }
    crate::cmd::multi::unwatch_all(st, c);
    if c.monitor {
        st.monitors.retain(|&t| t != c.token);
        c.monitor = false;
    }
    crate::tracking::disable(st, c);
}

/// The client at `token`: the one running a command (taken out of the slab) or a slab entry.
#[inline]
pub fn client_at<'a>(
    clients: &'a mut Slab<Option<Box<Client>>>,
    me: Option<&'a mut Client>,
    token: usize,
) -> Option<&'a mut Client> {
    match me {
        Some(c) if c.token == token => Some(c),
        _ => clients.get_mut(token).and_then(|s| s.as_deref_mut()),
    }
}

/// Append output to the client at `token` (which may be `me`), then apply its output buffer
/// limits and queue it for this turn's flush. Returns false if there is no such client.
pub fn deliver(
    st: &mut State,
    me: Option<&mut Client>,
    token: usize,
    now_ms: i64,
    write: impl FnOnce(&mut Reply),
) -> bool {
    let limits = st.cfg.client_output_buffer_limit;
    let is_me = me.as_ref().is_some_and(|c| c.token == token);
    let mut me = me;
    let Some(c) = client_at(&mut st.clients, me.as_deref_mut(), token) else { return false };
    if c.close_asap {
        return true;
    }
    if is_me && c.reply_mode != crate::connection::ReplyMode::On {
        write(&mut Reply::new(&mut c.side_push, c.resp3));
        return true;
    }
    write(&mut Reply::new(&mut c.wbuf, c.resp3));
    let lim = limits[c.output_class() as usize];
    if over_limit(c, lim, now_ms) {
        c.close_asap = true;
        // Redis's words, with its catClientInfoString of the client.
        let found = match me.as_deref() {
            Some(m) if is_me => Some(m),
            _ => st.clients.get(token).and_then(|s| s.as_deref()),
        };
        if let Some(c) = found {
            warn!(
                "Client {} scheduled to be closed ASAP for overcoming of output buffer limits.",
                crate::cmd::client::info_string(st, c, now_ms)
            );
        }
        st.stats.client_output_buffer_limit_disconnections += 1;
        if !is_me {
            st.to_close.push(token);
        }
        return true;
    }
    // The running client is flushed by the loop after its command; others join the
    // pending-write list through `wake`.
    if !is_me && !c.write_pending {
        c.write_pending = true;
        st.wake.push(token);
    }
    true
}

/// After a client's own input ran: its replies count against its class's limit too (a slow
/// reader of big replies under `client-output-buffer-limit normal ...`).
pub fn enforce_output_limit(st: &mut State, c: &mut Client) {
    let lim = st.cfg.client_output_buffer_limit[c.output_class() as usize];
    if c.close_asap || (lim.hard_limit_bytes == 0 && lim.soft_limit_bytes == 0) {
        return;
    }
    let now_ms = crate::server::now_ms();
    if over_limit(c, lim, now_ms) {
        warn!(
            "Client {} closed for overcoming of output buffer limits.",
            crate::cmd::client::info_string(st, c, now_ms)
        );
        c.close_asap = true;
        st.stats.client_output_buffer_limit_disconnections += 1;
    }
}

/// Redis's checkClientOutputBufferLimits: over the hard limit, or over the soft one for
/// longer than its seconds.
fn over_limit(c: &mut Client, lim: crate::config::ClientBufferLimit, now_ms: i64) -> bool {
    let used = c.pending_output() as u64;
    if lim.hard_limit_bytes > 0 && used >= lim.hard_limit_bytes {
        return true;
    }
    if lim.soft_limit_bytes > 0 && used >= lim.soft_limit_bytes {
        if c.obuf_soft_since == 0 {
            c.obuf_soft_since = now_ms;
            return false;
        }
        // Whole seconds, like Redis's unixtime comparison.
        return now_ms / 1000 - c.obuf_soft_since / 1000 > lim.soft_limit_seconds;
    }
    c.obuf_soft_since = 0;
    false
}

/// PUBLISH / SPUBLISH: deliver to channel subscribers (and, for classic channels, matching
/// patterns). Returns the number of deliveries.
pub fn publish(
    st: &mut State,
    mut me: Option<&mut Client>,
    shard: bool,
    channel: &[u8],
    msg: &[u8],
    now_ms: i64,
) -> usize {
    let mut n = 0;
    let table = if shard { &mut st.pubsub.shard_channels } else { &mut st.pubsub.channels };
    // Borrow the subscriber list out of the table while delivering (delivery never changes
    // subscriptions), instead of copying it per message.
    if let Some(list) = table.get_mut(channel) {
        let tokens = std::mem::take(list);
        let kind: &[u8] = if shard { b"smessage" } else { b"message" };
        for &t in &tokens {
            if deliver(st, me.as_deref_mut(), t, now_ms, |r| {
                r.push(3);
                r.bulk(kind);
                r.bulk(channel);
                r.bulk(msg);
            }) {
                n += 1;
            }
        }
        let table = if shard { &mut st.pubsub.shard_channels } else { &mut st.pubsub.channels };
        if let Some(list) = table.get_mut(channel) {
            *list = tokens;
        }
    }
    if shard || st.pubsub.patterns.is_empty() {
        return n;
    }
    let matches: Vec<(Vec<u8>, Vec<usize>)> = st
        .pubsub
        .patterns
        .iter()
        .filter(|(p, _)| string_match(p, channel, false))
        .map(|(p, l)| (p.clone(), l.clone()))
        .collect();
    for (pat, tokens) in matches {
        for t in tokens {
            if deliver(st, me.as_deref_mut(), t, now_ms, |r| {
                r.push(4);
                r.bulk(b"pmessage");
                r.bulk(&pat);
                r.bulk(channel);
                r.bulk(msg);
            }) {
                n += 1;
            }
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ClientBufferLimit;

    fn client() -> Client {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let s = std::net::TcpStream::connect(l.local_addr().unwrap()).unwrap();
        let addr = s.local_addr().unwrap();
        Client::new(1, 0, mio::net::TcpStream::from_std(s), addr, 0)
    }

    #[test]
    fn hard_limit_trips_at_once_soft_limit_after_its_seconds() {
        let mut c = client();
        let lim = ClientBufferLimit {
            hard_limit_bytes: 100,
            soft_limit_bytes: 10,
            soft_limit_seconds: 2,
        };
        c.wbuf = vec![0; 5];
        assert!(!over_limit(&mut c, lim, 1_000));
        c.wbuf = vec![0; 20];
        // Over the soft limit: the clock starts, whole seconds are compared.
        assert!(!over_limit(&mut c, lim, 1_500));
        assert!(!over_limit(&mut c, lim, 3_999));
        assert!(over_limit(&mut c, lim, 4_000));
        // Dropping under the soft limit resets its clock.
        c.wbuf = vec![0; 5];
        assert!(!over_limit(&mut c, lim, 4_100));
        assert_eq!(c.obuf_soft_since, 0);
        c.wbuf = vec![0; 100];
        assert!(over_limit(&mut c, lim, 4_200));
    }

    #[test]
    fn subscriptions_are_counted_per_kind() {
        let mut ps = PubSub::default();
        let mut c = client();
        assert!(subscribe(&mut ps, &mut c, Kind::Channel, b"a"));
        assert!(!subscribe(&mut ps, &mut c, Kind::Channel, b"a"));
        assert!(subscribe(&mut ps, &mut c, Kind::Pattern, b"a*"));
        assert!(subscribe(&mut ps, &mut c, Kind::Shard, b"s"));
        assert_eq!((c.count_for(Kind::Channel), c.count_for(Kind::Shard)), (2, 1));
        assert!(unsubscribe(&mut ps, &mut c, Kind::Channel, b"a"));
        assert!(unsubscribe(&mut ps, &mut c, Kind::Pattern, b"a*"));
        assert!(c.is_subscriber());
        assert!(unsubscribe(&mut ps, &mut c, Kind::Shard, b"s"));
        assert!(!c.is_subscriber());
        assert!(ps.is_empty());
    }
}
