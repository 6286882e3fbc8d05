//! A hashed timer wheel: the index of deadlines (key expiry, and later blocked-client
//! timeouts) swept between polls under a budget.
//!
//! The wheel is only an index. The owner keeps the real deadline (for keys: the entry's own
//! `expire`) and, when an item comes due, checks that the stored deadline still matches before
//! acting. So SET, PERSIST or a new EXPIRE never have to find and cancel wheel items: stale ones
//! are dropped when they come up.

/// Milliseconds per slot. Expiry is also checked lazily on every lookup, so the wheel only
/// bounds how long memory is held by keys nobody reads.
pub const TICK_MS: i64 = 10;
const SLOTS: usize = 4096;

pub struct Wheel<T> {
    slots: Vec<Vec<(i64, T)>>,
    /// The first tick not fully swept yet.
    cursor: i64,
    len: usize,
}

impl<T> Wheel<T> {
    pub fn new(now_ms: i64) -> Self {
        Wheel { slots: (0..SLOTS).map(|_| Vec::new()).collect(), cursor: now_ms / TICK_MS, len: 0 }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn insert(&mut self, deadline: i64, item: T) {
        // A deadline already behind the cursor goes into the slot swept next.
        let tick = (deadline / TICK_MS).max(self.cursor);
        self.slots[(tick as usize) % SLOTS].push((deadline, item));
        self.len += 1;
    }

    /// Hand every item due at `now` to `due`, at most `budget` items examined; returns true
    /// when due work may remain (the caller should come back soon rather than sleep).
    pub fn sweep(&mut self, now: i64, mut budget: usize, mut due: impl FnMut(i64, T)) -> bool {
        if self.len == 0 {
            self.cursor = self.cursor.max(now / TICK_MS);
            return false;
        }
        let now_tick = now / TICK_MS;
        // After a long sleep, one revolution visits every slot; no need to walk each tick.
        if now_tick - self.cursor >= SLOTS as i64 {
            self.cursor = now_tick - SLOTS as i64 + 1;
        }
        while self.cursor <= now_tick {
            let slot = &mut self.slots[(self.cursor as usize) % SLOTS];
            let mut i = 0;
            while i < slot.len() {
                if budget == 0 {
                    return true;
                }
                budget -= 1;
                if slot[i].0 <= now {
                    let (d, item) = slot.swap_remove(i);
                    self.len -= 1;
                    due(d, item);
                } else {
                    i += 1;
                }
            }
            if slot.is_empty() && slot.capacity() > 64 {
                slot.shrink_to(16);
            }
            if self.cursor == now_tick {
                // Items of this tick not yet due stay; the tick is revisited next sweep.
                break;
            }
            self.cursor += 1;
        }
        false
    }

    /// When the next sweep could find something due: the end of the first non-empty tick.
    /// None when the wheel is empty, so an idle server sleeps.
    pub fn next_wakeup(&self) -> Option<i64> {
        if self.len == 0 {
            return None;
        }
        for t in self.cursor..self.cursor + SLOTS as i64 {
            let slot = &self.slots[(t as usize) % SLOTS];
            if !slot.is_empty() {
                let min = slot.iter().map(|e| e.0).min().unwrap_or(t * TICK_MS);
                // Items of a later revolution share the slot; never sleep past one revolution.
                return Some(min.min((t + 1) * TICK_MS).max(t * TICK_MS));
            }
        }
        None
    }

    /// Keep only the items `keep` accepts (dropping stale ones in bulk).
    pub fn retain(&mut self, mut keep: impl FnMut(i64, &T) -> bool) {
        let mut len = 0;
        for s in &mut self.slots {
            s.retain(|(d, item)| keep(*d, item));
            if s.capacity() > 64 && s.len() * 4 < s.capacity() {
                s.shrink_to(s.len().max(16));
            }
            len += s.len();
        }
        self.len = len;
    }

    pub fn clear(&mut self) {
        for s in &mut self.slots {
            *s = Vec::new();
        }
        self.len = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_come_due_in_time_and_not_before() {
        let mut w = Wheel::new(1000);
        w.insert(1005, 'a');
        w.insert(1500, 'b');
        w.insert(1000 + 60_000, 'c'); // beyond one revolution
        let mut got = Vec::new();
        assert!(!w.sweep(1004, 100, |_, x| got.push(x)));
        assert!(got.is_empty());
        w.sweep(1010, 100, |_, x| got.push(x));
        assert_eq!(got, vec!['a']);
        w.sweep(30_000, 100, |_, x| got.push(x));
        assert_eq!(got, vec!['a', 'b']);
        w.sweep(61_000, 100, |_, x| got.push(x));
        assert_eq!(got, vec!['a', 'b', 'c']);
        assert!(w.is_empty());
        assert_eq!(w.next_wakeup(), None);
    }

    #[test]
    fn budget_resumes() {
        let mut w = Wheel::new(0);
        for i in 0..100 {
            w.insert(5, i);
        }
        let mut n = 0;
        assert!(w.sweep(20, 30, |_, _| n += 1));
        assert_eq!(n, 30);
        while w.sweep(20, 30, |_, _| n += 1) {}
        assert_eq!(n, 100);
    }

    #[test]
    fn retain_drops_items_and_keeps_the_count() {
        let mut w = Wheel::new(0);
        for i in 0..100 {
            w.insert(1000 + i * 7, i);
        }
        w.retain(|_, &x| x % 3 == 0);
        assert_eq!(w.len(), 34);
        let mut got = vec![];
        w.sweep(10_000, 1000, |_, x| got.push(x));
        got.sort();
        assert_eq!(got, (0..100).filter(|x| x % 3 == 0).collect::<Vec<_>>());
    }

    #[test]
    fn past_deadlines_are_swept_next() {
        let mut w = Wheel::new(10_000);
        w.insert(5, 1);
        assert!(w.next_wakeup().unwrap() <= 10_010);
        let mut got = vec![];
        w.sweep(10_000, 10, |_, x| got.push(x));
        assert_eq!(got, vec![1]);
    }
}
