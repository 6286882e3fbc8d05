//! Client-side caching (Redis's tracking.c): the table of keys clients may have cached, and
//! the invalidation messages sent when those keys change.

use crate::connection::Client;
use crate::state::State;

/// Server-wide tracking state.
#[derive(Default)]
pub struct Tracking {
    /// Clients with tracking on; everything below is skipped while zero.
    pub clients: usize,
}

/// A client's tracking options.
#[derive(Default)]
pub struct ClientTracking {}

/// Stop tracking for a client (CLIENT TRACKING OFF, RESET, disconnect).
pub fn disable(st: &mut State, c: &mut Client) {
    if c.tracking.take().is_some() {
        st.tracking.clients -= 1;
    }
}

/// `key` changed: invalidate it for every client that may have cached it.
pub fn invalidate_key(st: &mut State, me: Option<&mut Client>, key: &[u8], now_ms: i64) {
    if st.tracking.clients == 0 {
        return;
    }
    let _ = (me, key, now_ms);
}
