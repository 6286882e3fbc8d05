//! Keyspace notifications (Redis's notify.c): `__keyspace@<db>__:<key>` carries the event,
//! `__keyevent@<db>__:<event>` carries the key, both published like PUBLISH.
//!
//! Keys the keyspace deletes on its own (lazy and active expiry) and read misses are logged
//! by `db::Keyspace`; [`drain_keyspace_logs`] turns them into `expired` / `keymiss` events,
//! WATCH invalidation and tracking invalidation. The dispatcher drains after each command
//! and before any notification (so `expired` comes first, as in Redis), the loop after each
//! active-expiry slice.

use crate::config::{
    NOTIFY_EVICTED, NOTIFY_EXPIRED, NOTIFY_KEYEVENT, NOTIFY_KEYSPACE, NOTIFY_KEY_MISS, NOTIFY_NEW,
};
use crate::connection::Client;
use crate::db::KsEvent;
use crate::state::State;
use crate::util::num;

/// Publish the notification for `event` on `key` if `class` is enabled.
pub fn notify(
    st: &mut State,
    me: Option<&mut Client>,
    class: u32,
    event: &str,
    db: usize,
    key: &[u8],
    now_ms: i64,
) {
    let flags = st.cfg.notify_keyspace_events;
    if flags & class == 0 || st.pubsub.channels.is_empty() && st.pubsub.patterns.is_empty() {
        return;
    }
    let mut me = me;
    if flags & NOTIFY_KEYSPACE != 0 {
        let ch = channel(b"__keyspace@", db, key);
        crate::pubsub::publish(st, me.as_deref_mut(), false, &ch, event.as_bytes(), now_ms);
    }
    if flags & NOTIFY_KEYEVENT != 0 {
        let ch = channel(b"__keyevent@", db, event.as_bytes());
        crate::pubsub::publish(st, me, false, &ch, key, now_ms);
    }
}

fn channel(prefix: &[u8], db: usize, tail: &[u8]) -> Vec<u8> {
    let mut ch = Vec::with_capacity(prefix.len() + 24 + tail.len());
    ch.extend_from_slice(prefix);
    num::write_i64(&mut ch, db as i64);
    ch.extend_from_slice(b"__:");
    ch.extend_from_slice(tail);
    ch
}

/// A family's explicit `keymiss` or `new` notification: sent unless the keyspace already
/// reported this very lookup or insertion in the current command.
pub fn explicit_central(
    st: &mut State,
    me: Option<&mut Client>,
    class: u32,
    event: &str,
    db: usize,
    key: &[u8],
    now_ms: i64,
) {
    let last = if class & NOTIFY_KEY_MISS != 0 { &st.ks.last_miss } else { &st.ks.last_new };
    if last.as_ref().is_some_and(|(d, k)| *d == db && &**k == key) {
        return;
    }
    notify(st, me, class, event, db, key, now_ms);
}

/// Turn what the keyspace logged (expired keys, read misses, new keys) into WATCH and
/// tracking invalidation and `expired` / `keymiss` / `new` events, in the order it happened.
pub fn drain_keyspace_logs(st: &mut State, mut me: Option<&mut Client>, now_ms: i64) {
    while !st.ks.log.is_empty() {
        let mut log = std::mem::take(&mut st.ks.log);
        for (ev, db, key) in log.drain(..) {
            match ev {
                KsEvent::Expired => {
                    st.blocking.signal(db, &key);
                    crate::cmd::multi::touch(st, me.as_deref_mut(), db, &key);
                    crate::tracking::invalidate_key(st, me.as_deref_mut(), &key, now_ms);
                    notify(st, me.as_deref_mut(), NOTIFY_EXPIRED, "expired", db, &key, now_ms);
                }
                // Blocked clients are not woken by an eviction, as in Redis 7.0.
                KsEvent::Evicted => {
                    crate::cmd::multi::touch(st, me.as_deref_mut(), db, &key);
                    crate::tracking::invalidate_key(st, me.as_deref_mut(), &key, now_ms);
                    notify(st, me.as_deref_mut(), NOTIFY_EVICTED, "evicted", db, &key, now_ms);
                }
                KsEvent::Miss => {
                    notify(st, me.as_deref_mut(), NOTIFY_KEY_MISS, "keymiss", db, &key, now_ms)
                }
                KsEvent::New => {
                    notify(st, me.as_deref_mut(), NOTIFY_NEW, "new", db, &key, now_ms);
                    st.ks.last_new = Some((db, key));
                }
            }
        }
        // Keep the buffer's capacity for the next batch.
        if st.ks.log.is_empty() {
            st.ks.log = log;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_names() {
        assert_eq!(channel(b"__keyspace@", 0, b"k"), b"__keyspace@0__:k");
        assert_eq!(channel(b"__keyevent@", 15, b"expired"), b"__keyevent@15__:expired");
    }
}
