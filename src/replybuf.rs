//! Reply buffer resizing (Redis 7.0's clientsCronResizeOutputBuffer): each client keeps a
//! reply buffer between replies; the cron halves it toward the peak an idle client used and
//! doubles it (up to 16 KiB) for one that keeps filling it, so ten thousand idle clients
//! hold 1 KiB each rather than what their biggest reply once needed.

use crate::connection::Client;
use crate::state::Stats;

/// The buffer a new client starts with and the most the cron grows it to.
pub const CHUNK: usize = 16 * 1024;
/// The least the cron shrinks it to.
pub const MIN: usize = 1024;
/// `DEBUG REPLYBUFFER PEAK-RESET-TIME RESET` restores this (ms).
pub const DEFAULT_PEAK_RESET_MS: i64 = 5000;

/// Server-wide knobs DEBUG REPLYBUFFER sets.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub enabled: bool,
    /// Milliseconds between peak resets; negative: never.
    pub peak_reset_ms: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { enabled: true, peak_reset_ms: DEFAULT_PEAK_RESET_MS }
    }
}

/// One cron visit of a client.
pub fn resize(c: &mut Client, set: Settings, stats: &mut Stats, now_ms: i64) {
    if !set.enabled {
        return;
    }
    let shrink_to = c.rbs / 2;
    let expand_to = c.rbs * 2;
    let mut new_size = 0;
    if shrink_to >= MIN && c.rbp < shrink_to {
        new_size = MIN.max(c.rbp + 1);
        stats.reply_buffer_shrinks += 1;
    } else if expand_to < CHUNK * 2 && c.rbp == c.rbs {
        new_size = CHUNK.min(expand_to);
        stats.reply_buffer_expands += 1;
    }
    if set.peak_reset_ms >= 0 && now_ms - c.rbp_reset_ms >= set.peak_reset_ms {
        c.rbp = c.pending_output().min(c.rbs);
        c.rbp_reset_ms = now_ms;
    }
    if new_size != 0 {
        c.rbs = new_size;
    }
    // Hand back what an idle buffer holds beyond its size; a busy one keeps its bytes.
    if !c.has_pending_output() && c.wbuf.capacity() > c.rbs {
        c.wbuf.clear();
        c.wbuf.shrink_to(c.rbs);
    }
}
