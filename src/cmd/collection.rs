//! What the hash and set families share: HSCAN/SSCAN option parsing and reply, the count
//! argument of HRANDFIELD/SRANDMEMBER, and the guard on replies whose size the client picks.

use super::args::Args;
use crate::error::{CommandError, NOT_INTEGER, SYNTAX};
use crate::resp::reply::Reply;
use crate::state::State;
use crate::util::glob::string_match;
use crate::util::num;

/// Options of HSCAN/SSCAN after the cursor (Redis's scanGenericCommand; no TYPE here).
pub struct ScanOpts<'a> {
    pub count: usize,
    pub pattern: Option<&'a [u8]>,
}

impl ScanOpts<'_> {
    pub fn matches(&self, s: &[u8]) -> bool {
        self.pattern.is_none_or(|p| string_match(p, s, false))
    }
}

/// Parse `[MATCH pattern] [COUNT count]` from argument `from` on, in any order, the last
/// occurrence winning; COUNT below 1 is a syntax error.
pub fn scan_opts<'a>(args: &Args<'a>, from: usize) -> Result<ScanOpts<'a>, CommandError> {
    let mut o = ScanOpts { count: 10, pattern: None };
    let mut i = from;
    while i < args.len() {
        let has_value = i + 1 < args.len();
        if args.is(i, "count") && has_value {
            let c = args.i64(i + 1)?;
            if c < 1 {
                return Err(SYNTAX);
            }
            o.count = usize::try_from(c).unwrap_or(usize::MAX);
        } else if args.is(i, "match") && has_value {
            let p = args.get(i + 1);
            o.pattern = if p == b"*" { None } else { Some(p) };
        } else {
            return Err(SYNTAX);
        }
        i += 2;
    }
    Ok(o)
}

/// `[cursor, [items...]]`.
pub fn scan_reply(r: &mut Reply, cursor: u64, items: &[&[u8]]) {
    r.array(2);
    // Cursors are unsigned 64-bit: printed as such, not as i64.
    r.bulk(cursor.to_string().as_bytes());
    r.array(items.len());
    for it in items {
        r.bulk(it);
    }
}

/// The reply of HSCAN/SSCAN on a missing key.
pub fn empty_scan(r: &mut Reply) {
    r.raw(b"*2\r\n$1\r\n0\r\n*0\r\n");
}

/// The count of SRANDMEMBER/HRANDFIELD: an integer in [-LONG_MAX, LONG_MAX]
/// (getRangeLongFromObjectOrReply), so that negating it cannot overflow.
pub fn rand_count(arg: &[u8]) -> Result<i64, CommandError> {
    let v = num::parse_i64(arg).ok_or(NOT_INTEGER)?;
    if v == i64::MIN {
        return Err(CommandError::stat(
            "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
        ));
    }
    Ok(v)
}

/// SPOP's count (getPositiveLongFromObjectOrReply): any failure reads "must be positive".
pub fn positive_count(arg: &[u8]) -> Result<u64, CommandError> {
    match num::parse_i64(arg) {
        Some(v) if v >= 0 => Ok(v as u64),
        _ => Err(CommandError::stat("ERR value is out of range, must be positive")),
    }
}

/// Output bytes after which a reply of client-chosen length (a negative random count) stops
/// and the client is closed, like Redis does once the output buffer limit of the client's
/// class is hit. Redis's `normal` class is unlimited by default, which would let one request
/// exhaust memory; we stop at 1 GiB then.
pub fn reply_cap(st: &State) -> usize {
    const UNLIMITED_CAP: usize = 1 << 30;
    match st.cfg.client_output_buffer_limit[0].hard_limit_bytes {
        0 => UNLIMITED_CAP,
        n => usize::try_from(n).unwrap_or(usize::MAX).min(UNLIMITED_CAP),
    }
}
