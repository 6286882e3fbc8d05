//! Redis's LFU counters (evict.c): a key's 24-bit `lru` word holds, under an LFU
//! `maxmemory-policy`, the last decrement time in minutes (16 bits) and a logarithmic access
//! counter (8 bits). Reads bump the counter with probability 1/((c - 5) * lfu-log-factor + 1)
//! after decaying it by one per `lfu-decay-time` minutes since the last decrement.

/// LFU_INIT_VAL: the counter a new key starts with, so it is not evicted before it is read.
pub const LFU_INIT_VAL: u32 = 5;

/// The settings a counter update needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LfuParams {
    pub log_factor: u64,
    pub decay_time: u64,
}

/// LFUGetTimeInMinutes: unix minutes modulo 2^16.
pub fn minutes(now_ms: i64) -> u32 {
    ((now_ms / 60_000) & 0xffff) as u32
}

/// The word of a new key (createObject under an LFU policy).
pub fn new_word(now_ms: i64) -> u32 {
    (minutes(now_ms) << 8) | LFU_INIT_VAL
}

/// LFUDecrAndReturn: the counter after one decrement per elapsed decay period (a decay time
/// of 0 never decays).
pub fn decayed(word: u32, now_ms: i64, decay_time: u64) -> u32 {
    let ldt = word >> 8;
    let counter = word & 0xff;
    let now = minutes(now_ms);
    // LFUTimeElapsed, across the 16-bit wrap.
    let elapsed = if now >= ldt { now - ldt } else { 65535 - ldt + now };
    let periods = u64::from(elapsed).checked_div(decay_time).unwrap_or(0);
    counter.saturating_sub(u32::try_from(periods).unwrap_or(u32::MAX))
}

/// LFULogIncr: `r` is a uniform draw in [0, 1).
pub fn log_incr(counter: u32, log_factor: u64, r: f64) -> u32 {
    if counter >= 255 {
        return 255;
    }
    let base = counter.saturating_sub(LFU_INIT_VAL) as f64;
    let p = 1.0 / (base * log_factor as f64 + 1.0);
    if r < p {
        counter + 1
    } else {
        counter
    }
}

/// updateLFU: decay, then one logarithmic increment, stamped with the current minute.
pub fn touched(word: u32, now_ms: i64, p: LfuParams, rnd: &mut impl FnMut() -> u64) -> u32 {
    let counter = decayed(word, now_ms, p.decay_time);
    let r = (rnd() >> 11) as f64 / (1u64 << 53) as f64;
    (minutes(now_ms) << 8) | log_incr(counter, p.log_factor, r)
}

/// A small xorshift for the increment draws (Redis uses rand()).
pub fn xorshift(s: &mut u64) -> u64 {
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    s.wrapping_mul(0x2545_f491_4f6c_dd1d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factor_zero_counts_every_access_up_to_255() {
        let p = LfuParams { log_factor: 0, decay_time: 1 };
        let mut s = 7u64;
        let mut w = new_word(0);
        for i in 1..=300u32 {
            w = touched(w, 0, p, &mut || xorshift(&mut s));
            assert_eq!(w & 0xff, (LFU_INIT_VAL + i).min(255));
        }
    }

    #[test]
    fn log_incr_probability_falls_with_the_counter() {
        // At the initial value every access counts; above it, 1/((c-5)*f+1).
        assert_eq!(log_incr(5, 10, 0.999), 6);
        assert_eq!(log_incr(6, 10, 1.0 / 11.0 - 1e-9), 7);
        assert_eq!(log_incr(6, 10, 1.0 / 11.0 + 1e-9), 6);
        assert_eq!(log_incr(255, 0, 0.0), 255);
    }

    #[test]
    fn decay_one_per_period_and_never_below_zero() {
        let w = (minutes(0) << 8) | 20;
        assert_eq!(decayed(w, 0, 1), 20);
        assert_eq!(decayed(w, 3 * 60_000, 1), 17);
        assert_eq!(decayed(w, 4 * 60_000, 2), 18);
        assert_eq!(decayed(w, 100 * 60_000, 1), 0);
        assert_eq!(decayed(w, 100 * 60_000, 0), 20, "decay time 0 never decays");
        // Across the 16-bit minute wrap.
        let late = (65534u32 << 8) | 10;
        assert_eq!(decayed(late, 60_000 * (65536 + 2), 1), 7);
    }
}
