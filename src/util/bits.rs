//! Bit operations on byte strings for SETBIT/GETBIT/BITCOUNT/BITPOS/BITOP/BITFIELD, and LCS.
//! Pure functions: the command handlers in cmd/bitmap.rs parse arguments and call these.
//!
//! Bit numbering is Redis's: bit 0 is the most significant bit of the first byte. Reads past
//! the end of a string see zero bits; writers grow the vector with zero bytes.

use crate::util::num::parse_i64;

/// Number of set bits in `s`.
pub fn popcount(s: &[u8]) -> u64 {
    let mut chunks = s.chunks_exact(8);
    let mut n: u64 = 0;
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        n += u64::from(u64::from_ne_bytes(w).count_ones());
    }
    n + chunks.remainder().iter().map(|b| u64::from(b.count_ones())).sum::<u64>()
}

/// Set bits of `byte` counted only from bit `from` to bit `to` (inclusive, 0 = MSB).
#[inline]
fn masked_ones(byte: u8, from: u32, to: u32) -> u64 {
    let mask = (0xffu8 >> from) & (0xffu8 << (7 - to));
    u64::from((byte & mask).count_ones())
}

/// Turn a BITCOUNT/BITPOS `start`/`end` pair into an inclusive range over `total` units
/// (bytes or bits), with Redis's negative-index and clamping rules. None when empty.
fn clamp_range(start: i64, end: i64, total: i64) -> Option<(u64, u64)> {
    let start = if start < 0 { start.saturating_add(total) } else { start }.max(0);
    let mut end = if end < 0 { end.saturating_add(total) } else { end }.max(0);
    if end >= total {
        end = total - 1;
    }
    if start > end {
        return None;
    }
    // Both are now in 0..total.
    Some((start as u64, end as u64))
}

/// `s.len()` in bits as i64. Strings are bounded by proto-max-bulk-len, far below 2^60
/// bytes, so this never saturates in practice.
#[inline]
fn len_in(s: &[u8], bit_unit: bool) -> i64 {
    let bytes = i64::try_from(s.len()).unwrap_or(i64::MAX >> 3);
    if bit_unit {
        bytes.min(i64::MAX >> 3) << 3
    } else {
        bytes
    }
}

/// BITCOUNT key start end [BYTE|BIT] on the value `s` (a missing key counts as empty).
/// Redis 7.0 rules: when both indexes are negative and start > end the answer is 0 before
/// any clamping; otherwise negative indexes count from the end, are clamped to 0, `end` is
/// clamped to the last unit, and start > end gives 0.
pub fn bitcount_range(s: &[u8], start: i64, end: i64, bit_unit: bool) -> u64 {
    if start < 0 && end < 0 && start > end {
        return 0;
    }
    let Some((start, end)) = clamp_range(start, end, len_in(s, bit_unit)) else {
        return 0;
    };
    if !bit_unit {
        return popcount(&s[start as usize..=end as usize]);
    }
    let (first, last) = ((start >> 3) as usize, (end >> 3) as usize);
    let (from, to) = ((start & 7) as u32, (end & 7) as u32);
    if first == last {
        return masked_ones(s[first], from, to);
    }
    masked_ones(s[first], from, 7) + popcount(&s[first + 1..last]) + masked_ones(s[last], 0, to)
}

/// BITPOS key bit [start [end [BYTE|BIT]]] on an existing value `s`.
///
/// A missing key is not handled here: Redis answers 0 when looking for 0 and -1 when
/// looking for 1 (an existing empty string gives -1 for both).
///
/// Rules (7.0.15): the range is clamped like BITCOUNT's but without the "both negative and
/// start > end" shortcut; an empty range is -1. When looking for a 0 bit and none is in
/// range, the answer is the first bit after the range (the string is seen as zero padded)
/// unless `end` was given, in which case it is -1. Looking for 1 and finding none is -1.
pub fn bitpos(s: &[u8], bit: bool, start: Option<i64>, end: Option<i64>, bit_unit: bool) -> i64 {
    let total = len_in(s, bit_unit);
    // BIT unit needs an explicit end in the command grammar; without one the range runs to
    // the last byte.
    let (start, end_given, end) = match (start, end) {
        (None, _) => (0, false, total - 1),
        (Some(st), None) => (st, false, total - 1),
        (Some(st), Some(en)) => (st, true, en),
    };
    let Some((start, end)) = clamp_range(start, end, total) else {
        return -1;
    };
    let (first_bit, last_bit) = if bit_unit { (start, end) } else { (start << 3, (end << 3) | 7) };
    match find_bit(s, bit, first_bit, last_bit) {
        Some(pos) => pos as i64,
        None if !bit && !end_given => (last_bit + 1) as i64,
        None => -1,
    }
}

/// First bit equal to `bit` in the inclusive bit range, which lies inside `s`.
fn find_bit(s: &[u8], bit: bool, first_bit: u64, last_bit: u64) -> Option<u64> {
    let skip = if bit { 0x00u8 } else { 0xff };
    let (first, last) = ((first_bit >> 3) as usize, (last_bit >> 3) as usize);
    for (i, &byte) in s[first..=last].iter().enumerate() {
        let idx = first + i;
        let from = if idx == first { (first_bit & 7) as u32 } else { 0 };
        let to = if idx == last { (last_bit & 7) as u32 } else { 7 };
        if byte == skip && from == 0 && to == 7 {
            continue;
        }
        // Make the wanted bit a 1 and drop the bits outside the range.
        let b = if bit { byte } else { !byte };
        let mask = (0xffu8 >> from) & (0xffu8 << (7 - to));
        let m = b & mask;
        if m != 0 {
            return Some(((idx as u64) << 3) + u64::from(m.leading_zeros()));
        }
    }
    None
}

/// BITOP operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BitOp {
    And,
    Or,
    Xor,
    Not,
}

impl BitOp {
    /// The operation name as BITOP accepts it (case-insensitive).
    pub fn parse(name: &[u8]) -> Option<BitOp> {
        [(&b"and"[..], BitOp::And), (b"or", BitOp::Or), (b"xor", BitOp::Xor), (b"not", BitOp::Not)]
            .into_iter()
            .find(|(n, _)| name.eq_ignore_ascii_case(n))
            .map(|(_, op)| op)
    }
}

/// BITOP over the source values (missing keys are empty slices). The result is as long as
/// the longest source, shorter sources reading as zero bytes. An empty result means Redis
/// deletes the destination and replies 0. NOT uses only `srcs[0]` (the command refuses
/// other arities with "BITOP NOT must be called with a single source key.").
pub fn bitop(op: BitOp, srcs: &[&[u8]]) -> Vec<u8> {
    let maxlen = srcs.iter().map(|s| s.len()).max().unwrap_or(0);
    let Some((first, rest)) = srcs.split_first() else {
        return Vec::new();
    };
    let mut res = vec![0u8; maxlen];
    res[..first.len()].copy_from_slice(first);
    match op {
        BitOp::Not => res.iter_mut().for_each(|b| *b = !*b),
        BitOp::And => {
            for s in rest {
                res.iter_mut().zip(s.iter()).for_each(|(r, b)| *r &= b);
                res[s.len()..].fill(0);
            }
        }
        BitOp::Or => {
            for s in rest {
                res.iter_mut().zip(s.iter()).for_each(|(r, b)| *r |= b);
            }
        }
        BitOp::Xor => {
            for s in rest {
                res.iter_mut().zip(s.iter()).for_each(|(r, b)| *r ^= b);
            }
        }
    }
    res
}

/// GETBIT: the bit at `offset`, 0 past the end.
pub fn getbit(s: &[u8], offset: u64) -> bool {
    usize::try_from(offset >> 3)
        .ok()
        .and_then(|byte| s.get(byte))
        .is_some_and(|b| b & (0x80 >> (offset & 7)) != 0)
}

/// SETBIT: set the bit at `offset`, growing `v` with zero bytes as needed; returns the
/// previous bit. The caller has already checked `offset` against proto-max-bulk-len (see
/// [`parse_bit_offset`]); an offset whose bytes cannot be allocated is refused with None.
/// Redis counts the key as modified when the bit changed or the string grew.
pub fn setbit(v: &mut Vec<u8>, offset: u64, on: bool) -> Option<bool> {
    let byte = usize::try_from(offset >> 3).ok()?;
    if !grow_to(v, byte.checked_add(1)?) {
        return None;
    }
    let mask = 0x80u8 >> (offset & 7);
    let old = v[byte] & mask != 0;
    if on {
        v[byte] |= mask;
    } else {
        v[byte] &= !mask;
    }
    Some(old)
}

/// Zero-extend `v` to `len` bytes. Fails instead of aborting when the allocation is
/// impossible, so an unchecked huge offset cannot take the process down.
fn grow_to(v: &mut Vec<u8>, len: usize) -> bool {
    if v.len() < len {
        if v.try_reserve_exact(len - v.len()).is_err() {
            return false;
        }
        v.resize(len, 0);
    }
    true
}

/// Grow `v` with zero bytes so that bit `max_bit` exists, as Redis does for SETBIT and for
/// BITFIELD before running any write (even ones that then FAIL on overflow): BITFIELD grows
/// to its highest written bit, `offset + bits - 1` over all SET/INCRBY ops. Returns false
/// (and leaves `v` alone) when that many bytes cannot be allocated.
pub fn grow_for_bit(v: &mut Vec<u8>, max_bit: u64) -> bool {
    match usize::try_from(max_bit >> 3).ok().and_then(|b| b.checked_add(1)) {
        Some(len) => grow_to(v, len),
        None => false,
    }
}

/// GETBIT/SETBIT/BITFIELD offset argument (Redis `getBitOffsetFromArgument`). With
/// `hash_bits = Some(bits)` (BITFIELD) a leading '#' multiplies the offset by the field
/// width; like Redis the product wraps, so "#288230376151711745" with i64 is offset 64.
/// Refused (None → "ERR bit offset is not an integer or out of range") when not a
/// `string2ll` integer, negative, or `offset / 8 >= proto_max_bulk_len`.
pub fn parse_bit_offset(
    arg: &[u8],
    hash_bits: Option<u32>,
    proto_max_bulk_len: u64,
) -> Option<u64> {
    let (digits, mul) = match (arg.first(), hash_bits) {
        (Some(b'#'), Some(bits)) if bits > 0 => (&arg[1..], Some(i64::from(bits))),
        _ => (arg, None),
    };
    let mut off = parse_i64(digits)?;
    if let Some(m) = mul {
        off = off.wrapping_mul(m);
    }
    let off = u64::try_from(off).ok()?;
    if (off >> 3) >= proto_max_bulk_len {
        return None;
    }
    Some(off)
}

/// BITFIELD type argument: "i1".."i64" or "u1".."u63" (exact case; the digits follow
/// `string2ll`, so "u08" is refused). Returns (signed, bits). On None the error is
/// "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported
/// but i64 is.".
pub fn parse_bitfield_type(arg: &[u8]) -> Option<(bool, u32)> {
    let signed = match arg.first()? {
        b'i' => true,
        b'u' => false,
        _ => return None,
    };
    let bits = parse_i64(&arg[1..])?;
    let max = if signed { 64 } else { 63 };
    if !(1..=max).contains(&bits) {
        return None;
    }
    Some((signed, bits as u32))
}

/// Read a `bits`-wide field (1..=64) at bit `offset`; bits past the end of `s` are 0.
/// Unsigned fields come back as their value (at most 63 bits, so never negative), signed
/// ones sign-extended.
pub fn bitfield_get(s: &[u8], offset: u64, bits: u32, signed: bool) -> i64 {
    let bits = bits.clamp(1, 64);
    let mut value: u64 = 0;
    for j in 0..u64::from(bits) {
        let bit = offset.checked_add(j).is_some_and(|o| getbit(s, o));
        value = (value << 1) | u64::from(bit);
    }
    if signed && bits < 64 && value & (1u64 << (bits - 1)) != 0 {
        value |= u64::MAX << bits;
    }
    value as i64
}

/// Write the low `bits` bits of `value` (two's complement for negative values) at bit
/// `offset`, growing `v` as needed. Returns false, writing nothing, when the field's bytes
/// cannot be allocated.
pub fn bitfield_set(v: &mut Vec<u8>, offset: u64, bits: u32, value: i64) -> bool {
    let bits = bits.clamp(1, 64);
    let Some(last) = offset.checked_add(u64::from(bits) - 1) else {
        return false;
    };
    if !grow_for_bit(v, last) {
        return false;
    }
    let uv = value as u64;
    for j in 0..bits {
        let on = uv & (1u64 << (bits - 1 - j)) != 0;
        let o = offset + u64::from(j);
        let mask = 0x80u8 >> (o & 7);
        // In bounds: grow_for_bit made room for `last`.
        let byte = &mut v[(o >> 3) as usize];
        if on {
            *byte |= mask;
        } else {
            *byte &= !mask;
        }
    }
    true
}

/// BITFIELD OVERFLOW modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Overflow {
    #[default]
    Wrap,
    Sat,
    Fail,
}

impl Overflow {
    /// OVERFLOW argument, case-insensitive; None → "ERR Invalid OVERFLOW type specified".
    pub fn parse(name: &[u8]) -> Option<Overflow> {
        [(&b"wrap"[..], Overflow::Wrap), (b"sat", Overflow::Sat), (b"fail", Overflow::Fail)]
            .into_iter()
            .find(|(n, _)| name.eq_ignore_ascii_case(n))
            .map(|(_, o)| o)
    }
}

/// BITFIELD INCRBY arithmetic (Redis `checkSignedBitfieldOverflow` /
/// `checkUnsignedBitfieldOverflow`): the new value of a `bits`-wide field holding `old`
/// after adding `incr`, or None when it overflows under `Fail` (the reply is then nil and
/// nothing is written). Unsigned fields are at most 63 bits; `old` is their value.
///
/// BITFIELD SET uses the same check with `incr = 0` on the value being written (see
/// [`bitfield_set_value`]).
pub fn incr_with_overflow(
    old: i64,
    incr: i64,
    bits: u32,
    signed: bool,
    overflow: Overflow,
) -> Option<i64> {
    let bits = bits.clamp(1, 64);
    if signed {
        signed_incr(old, incr, bits, overflow)
    } else {
        unsigned_incr(old as u64, incr, bits.min(63), overflow).map(|v| v as i64)
    }
}

/// The value BITFIELD SET stores for `value` in a `bits`-wide field (wrapped or saturated
/// into range), or None when it does not fit under `Fail`. E.g. u8 300 → 44 (WRAP) / 255
/// (SAT); i8 200 → -56 (WRAP) / 127 (SAT); u8 -1 → 255 (WRAP) / 255 (SAT).
pub fn bitfield_set_value(value: i64, bits: u32, signed: bool, overflow: Overflow) -> Option<i64> {
    incr_with_overflow(value, 0, bits, signed, overflow)
}

fn signed_incr(value: i64, incr: i64, bits: u32, ow: Overflow) -> Option<i64> {
    let max: i64 = if bits == 64 { i64::MAX } else { (1i64 << (bits - 1)) - 1 };
    let min = -max - 1;
    // Only meaningful once `value` is known to be in range, as in Redis.
    let maxincr = (max as u64).wrapping_sub(value as u64) as i64;
    let minincr = min.wrapping_sub(value);

    let over =
        value > max || (bits != 64 && incr > maxincr) || (value >= 0 && incr > 0 && incr > maxincr);
    let under = !over
        && (value < min
            || (bits != 64 && incr < minincr)
            || (value < 0 && incr < 0 && incr < minincr));
    if !over && !under {
        return Some(value.wrapping_add(incr));
    }
    match ow {
        Overflow::Fail => None,
        Overflow::Sat => Some(if over { max } else { min }),
        Overflow::Wrap => {
            let mut c = (value as u64).wrapping_add(incr as u64);
            if bits < 64 {
                let mask = u64::MAX << bits;
                if c & (1u64 << (bits - 1)) != 0 {
                    c |= mask;
                } else {
                    c &= !mask;
                }
            }
            Some(c as i64)
        }
    }
}

fn unsigned_incr(value: u64, incr: i64, bits: u32, ow: Overflow) -> Option<u64> {
    let max: u64 = (1u64 << bits) - 1;
    let maxincr = max.wrapping_sub(value) as i64;
    let minincr = value.wrapping_neg() as i64;

    let over = value > max || (incr > 0 && incr > maxincr);
    let under = !over && incr < 0 && incr < minincr;
    if !over && !under {
        return Some(value.wrapping_add(incr as u64));
    }
    match ow {
        Overflow::Fail => None,
        Overflow::Sat => Some(if over { max } else { 0 }),
        Overflow::Wrap => Some(value.wrapping_add(incr as u64) & max),
    }
}

/// One LCS IDX match: inclusive ranges in `a` and in `b`, and their length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LcsMatch {
    pub a: (u64, u64),
    pub b: (u64, u64),
    pub len: u64,
}

/// Result of [`lcs`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lcs {
    /// The common subsequence itself (the plain `LCS a b` reply).
    pub string: Vec<u8>,
    /// Its length (`LCS ... LEN`, and the "len" entry of IDX).
    pub len: u64,
    /// The IDX "matches", in Redis's order: from the end of the strings backwards.
    /// MINMATCHLEN filters these on `len >= minmatchlen` (a negative MINMATCHLEN is 0).
    pub matches: Vec<LcsMatch>,
}

/// Why LCS refuses to run; `message()` is the full error line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LcsError {
    /// A string is 2^32 - 2 bytes or longer.
    TooLong,
    /// The `(alen+1)*(blen+1)` u32 table would exceed proto-max-bulk-len bytes.
    TableTooBig,
}

impl LcsError {
    pub fn message(self) -> &'static str {
        match self {
            LcsError::TooLong => "ERR String too long for LCS",
            LcsError::TableTooBig => {
                "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"
            }
        }
    }
}

/// Redis refuses an LCS whose `(alen+1)*(blen+1)` table of u32 would take more than
/// proto-max-bulk-len bytes (or overflow), even for LEN, so check before doing any work.
fn lcs_check(alen: usize, blen: usize, proto_max_bulk_len: u64) -> Result<(), LcsError> {
    let limit = u64::from(u32::MAX - 1);
    if alen as u64 >= limit || blen as u64 >= limit {
        return Err(LcsError::TooLong);
    }
    let cells = (alen as u64 + 1).checked_mul(blen as u64 + 1);
    match cells.and_then(|c| c.checked_mul(4)) {
        Some(bytes) if bytes <= proto_max_bulk_len && usize::try_from(bytes).is_ok() => Ok(()),
        _ => Err(LcsError::TableTooBig),
    }
}

/// `LCS a b [LEN]`: only the length, in O(min) memory, after the same size check as
/// [`lcs`].
pub fn lcs_len(a: &[u8], b: &[u8], proto_max_bulk_len: u64) -> Result<u64, LcsError> {
    lcs_check(a.len(), b.len(), proto_max_bulk_len)?;
    let mut prev = vec![0u32; b.len() + 1];
    let mut cur = vec![0u32; b.len() + 1];
    for &ca in a {
        for (j, &cb) in b.iter().enumerate() {
            cur[j + 1] = if ca == cb { prev[j] + 1 } else { prev[j + 1].max(cur[j]) };
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    Ok(u64::from(prev[b.len()]))
}

/// Redis 7.0's LCS: the dynamic-programming table, then a walk back from the end that
/// builds the string and the IDX ranges (ties move along `b`, as in Redis).
pub fn lcs(a: &[u8], b: &[u8], proto_max_bulk_len: u64) -> Result<Lcs, LcsError> {
    lcs_check(a.len(), b.len(), proto_max_bulk_len)?;
    let (alen, blen) = (a.len(), b.len());
    let w = blen + 1;
    // Size checked above: at most proto_max_bulk_len / 4 cells.
    let mut t = vec![0u32; (alen + 1) * w];
    for i in 1..=alen {
        for j in 1..=blen {
            t[i * w + j] = if a[i - 1] == b[j - 1] {
                t[(i - 1) * w + j - 1] + 1
            } else {
                t[(i - 1) * w + j].max(t[i * w + j - 1])
            };
        }
    }
    let len = t[alen * w + blen] as usize;
    let mut string = vec![0u8; len];
    let mut matches = Vec::new();
    let mut idx = len;
    let (mut i, mut j) = (alen, blen);
    // Current range, as (a_start, a_end, b_start, b_end) while one is open.
    let mut range: Option<(usize, usize, usize, usize)> = None;
    while i > 0 && j > 0 {
        let mut emit = false;
        if a[i - 1] == b[j - 1] {
            string[idx - 1] = a[i - 1];
            range = Some(match range {
                None => (i - 1, i - 1, j - 1, j - 1),
                // The walk only moves diagonally between two matches of one range, so an
                // open range always continues here.
                Some((_, ae, _, be)) => (i - 1, ae, j - 1, be),
            });
            if let Some((as_, _, bs, _)) = range {
                emit = as_ == 0 || bs == 0;
            }
            idx -= 1;
            i -= 1;
            j -= 1;
        } else {
            if t[(i - 1) * w + j] > t[i * w + j - 1] {
                i -= 1;
            } else {
                j -= 1;
            }
            emit = range.is_some();
        }
        if emit {
            if let Some((as_, ae, bs, be)) = range.take() {
                matches.push(LcsMatch {
                    a: (as_ as u64, ae as u64),
                    b: (bs as u64, be as u64),
                    len: (ae - as_ + 1) as u64,
                });
            }
        }
    }
    Ok(Lcs { string, len: len as u64, matches })
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected values in these tables come from Redis 7.0.15.

    type BitposCase = (&'static [u8], bool, Option<i64>, Option<i64>, bool, i64);
    type IncrCase = (bool, u32, i64, i64, [Option<i64>; 3]);
    type Range = (u64, u64);
    type LcsCase = (&'static [u8], &'static [u8], &'static [u8], &'static [(Range, Range, u64)]);

    /// (value, start, end, bit_unit, BITCOUNT)
    const BITCOUNT_CASES: &[(&[u8], i64, i64, bool, u64)] = &[
        (b"foobar", 0, -1, false, 26),
        (b"foobar", 0, -1, true, 26),
        (b"foobar", 1, 1, false, 6),
        (b"foobar", 1, 1, true, 1),
        (b"foobar", -2, -1, false, 7),
        (b"foobar", -2, -1, true, 1),
        (b"foobar", -5, -10, false, 0),
        (b"foobar", -5, -10, true, 0),
        (b"foobar", -10, -5, false, 10),
        (b"foobar", -10, -5, true, 4),
        (b"foobar", 5, 3, false, 0),
        (b"foobar", 5, 3, true, 0),
        (b"foobar", 0, 100, false, 26),
        (b"foobar", 0, 100, true, 26),
        (b"foobar", -100, -100, false, 4),
        (b"foobar", -100, -100, true, 0),
        (b"foobar", -100, 100, false, 26),
        (b"foobar", -100, 100, true, 26),
        (b"foobar", 9223372036854775807, 9223372036854775807, false, 0),
        (b"foobar", 9223372036854775807, 9223372036854775807, true, 0),
        (b"foobar", -9223372036854775808, -9223372036854775808, false, 4),
        (b"foobar", -9223372036854775808, -9223372036854775808, true, 0),
        (b"foobar", -9223372036854775808, 9223372036854775807, false, 26),
        (b"foobar", -9223372036854775808, 9223372036854775807, true, 26),
        (b"foobar", 5, 30, true, 17),
        (b"foobar", 7, 8, true, 0),
        (b"foobar", 1, 1, true, 1),
        (b"foobar", 6, 6, true, 1),
        (b"", 0, -1, false, 0),
        (b"", 0, -1, true, 0),
        (b"", 1, 1, false, 0),
        (b"", 1, 1, true, 0),
        (b"", -2, -1, false, 0),
        (b"", -2, -1, true, 0),
        (b"", -5, -10, false, 0),
        (b"", -5, -10, true, 0),
        (b"", -10, -5, false, 0),
        (b"", -10, -5, true, 0),
        (b"", 5, 3, false, 0),
        (b"", 5, 3, true, 0),
        (b"", 0, 100, false, 0),
        (b"", 0, 100, true, 0),
        (b"", -100, -100, false, 0),
        (b"", -100, -100, true, 0),
        (b"", -100, 100, false, 0),
        (b"", -100, 100, true, 0),
        (b"", 9223372036854775807, 9223372036854775807, false, 0),
        (b"", 9223372036854775807, 9223372036854775807, true, 0),
        (b"", -9223372036854775808, -9223372036854775808, false, 0),
        (b"", -9223372036854775808, -9223372036854775808, true, 0),
        (b"", -9223372036854775808, 9223372036854775807, false, 0),
        (b"", -9223372036854775808, 9223372036854775807, true, 0),
        (b"", 5, 30, true, 0),
        (b"", 7, 8, true, 0),
        (b"", 1, 1, true, 0),
        (b"", 6, 6, true, 0),
        (b"\xff\xf0\x00", 0, -1, false, 12),
        (b"\xff\xf0\x00", 0, -1, true, 12),
        (b"\xff\xf0\x00", 1, 1, false, 4),
        (b"\xff\xf0\x00", 1, 1, true, 1),
        (b"\xff\xf0\x00", -2, -1, false, 4),
        (b"\xff\xf0\x00", -2, -1, true, 0),
        (b"\xff\xf0\x00", -5, -10, false, 0),
        (b"\xff\xf0\x00", -5, -10, true, 0),
        (b"\xff\xf0\x00", -10, -5, false, 8),
        (b"\xff\xf0\x00", -10, -5, true, 0),
        (b"\xff\xf0\x00", 5, 3, false, 0),
        (b"\xff\xf0\x00", 5, 3, true, 0),
        (b"\xff\xf0\x00", 0, 100, false, 12),
        (b"\xff\xf0\x00", 0, 100, true, 12),
        (b"\xff\xf0\x00", -100, -100, false, 8),
        (b"\xff\xf0\x00", -100, -100, true, 1),
        (b"\xff\xf0\x00", -100, 100, false, 12),
        (b"\xff\xf0\x00", -100, 100, true, 12),
        (b"\xff\xf0\x00", 9223372036854775807, 9223372036854775807, false, 0),
        (b"\xff\xf0\x00", 9223372036854775807, 9223372036854775807, true, 0),
        (b"\xff\xf0\x00", -9223372036854775808, -9223372036854775808, false, 8),
        (b"\xff\xf0\x00", -9223372036854775808, -9223372036854775808, true, 1),
        (b"\xff\xf0\x00", -9223372036854775808, 9223372036854775807, false, 12),
        (b"\xff\xf0\x00", -9223372036854775808, 9223372036854775807, true, 12),
        (b"\xff\xf0\x00", 5, 30, true, 7),
        (b"\xff\xf0\x00", 7, 8, true, 2),
        (b"\xff\xf0\x00", 1, 1, true, 1),
        (b"\xff\xf0\x00", 6, 6, true, 1),
    ];

    /// (value, bit, start, end, bit_unit, BITPOS)
    const BITPOS_CASES: &[BitposCase] = &[
        (b"\xff\xf0\x00", false, None, None, false, 12),
        (b"\xff\xf0\x00", false, Some(0), None, false, 12),
        (b"\xff\xf0\x00", false, Some(2), None, false, 16),
        (b"\xff\xf0\x00", false, Some(-1), None, false, 16),
        (b"\xff\xf0\x00", false, Some(5), None, false, -1),
        (b"\xff\xf0\x00", false, Some(-100), None, false, 12),
        (b"\xff\xf0\x00", false, Some(0), Some(-1), false, 12),
        (b"\xff\xf0\x00", false, Some(0), Some(-1), true, 12),
        (b"\xff\xf0\x00", false, Some(1), Some(1), false, 12),
        (b"\xff\xf0\x00", false, Some(1), Some(1), true, -1),
        (b"\xff\xf0\x00", false, Some(2), Some(-1), false, 16),
        (b"\xff\xf0\x00", false, Some(2), Some(-1), true, 12),
        (b"\xff\xf0\x00", false, Some(-2), Some(-1), false, 12),
        (b"\xff\xf0\x00", false, Some(-2), Some(-1), true, 22),
        (b"\xff\xf0\x00", false, Some(-5), Some(-10), false, -1),
        (b"\xff\xf0\x00", false, Some(-5), Some(-10), true, -1),
        (b"\xff\xf0\x00", false, Some(3), Some(10), false, -1),
        (b"\xff\xf0\x00", false, Some(3), Some(10), true, -1),
        (b"\xff\xf0\x00", false, Some(7), Some(15), false, -1),
        (b"\xff\xf0\x00", false, Some(7), Some(15), true, 12),
        (b"\xff\xf0\x00", false, Some(12), Some(12), false, -1),
        (b"\xff\xf0\x00", false, Some(12), Some(12), true, 12),
        (b"\xff\xf0\x00", false, Some(16), Some(23), false, -1),
        (b"\xff\xf0\x00", false, Some(16), Some(23), true, 16),
        (b"\xff\xf0\x00", false, Some(0), Some(5), false, 12),
        (b"\xff\xf0\x00", false, Some(0), Some(5), true, -1),
        (b"\xff\xf0\x00", true, None, None, false, 0),
        (b"\xff\xf0\x00", true, Some(0), None, false, 0),
        (b"\xff\xf0\x00", true, Some(2), None, false, -1),
        (b"\xff\xf0\x00", true, Some(-1), None, false, -1),
        (b"\xff\xf0\x00", true, Some(5), None, false, -1),
        (b"\xff\xf0\x00", true, Some(-100), None, false, 0),
        (b"\xff\xf0\x00", true, Some(0), Some(-1), false, 0),
        (b"\xff\xf0\x00", true, Some(0), Some(-1), true, 0),
        (b"\xff\xf0\x00", true, Some(1), Some(1), false, 8),
        (b"\xff\xf0\x00", true, Some(1), Some(1), true, 1),
        (b"\xff\xf0\x00", true, Some(2), Some(-1), false, -1),
        (b"\xff\xf0\x00", true, Some(2), Some(-1), true, 2),
        (b"\xff\xf0\x00", true, Some(-2), Some(-1), false, 8),
        (b"\xff\xf0\x00", true, Some(-2), Some(-1), true, -1),
        (b"\xff\xf0\x00", true, Some(-5), Some(-10), false, 0),
        (b"\xff\xf0\x00", true, Some(-5), Some(-10), true, -1),
        (b"\xff\xf0\x00", true, Some(3), Some(10), false, -1),
        (b"\xff\xf0\x00", true, Some(3), Some(10), true, 3),
        (b"\xff\xf0\x00", true, Some(7), Some(15), false, -1),
        (b"\xff\xf0\x00", true, Some(7), Some(15), true, 7),
        (b"\xff\xf0\x00", true, Some(12), Some(12), false, -1),
        (b"\xff\xf0\x00", true, Some(12), Some(12), true, -1),
        (b"\xff\xf0\x00", true, Some(16), Some(23), false, -1),
        (b"\xff\xf0\x00", true, Some(16), Some(23), true, -1),
        (b"\xff\xf0\x00", true, Some(0), Some(5), false, 0),
        (b"\xff\xf0\x00", true, Some(0), Some(5), true, 0),
        (b"\x00\xff\xf0", false, None, None, false, 0),
        (b"\x00\xff\xf0", false, Some(0), None, false, 0),
        (b"\x00\xff\xf0", false, Some(2), None, false, 20),
        (b"\x00\xff\xf0", false, Some(-1), None, false, 20),
        (b"\x00\xff\xf0", false, Some(5), None, false, -1),
        (b"\x00\xff\xf0", false, Some(-100), None, false, 0),
        (b"\x00\xff\xf0", false, Some(0), Some(-1), false, 0),
        (b"\x00\xff\xf0", false, Some(0), Some(-1), true, 0),
        (b"\x00\xff\xf0", false, Some(1), Some(1), false, -1),
        (b"\x00\xff\xf0", false, Some(1), Some(1), true, 1),
        (b"\x00\xff\xf0", false, Some(2), Some(-1), false, 20),
        (b"\x00\xff\xf0", false, Some(2), Some(-1), true, 2),
        (b"\x00\xff\xf0", false, Some(-2), Some(-1), false, 20),
        (b"\x00\xff\xf0", false, Some(-2), Some(-1), true, 22),
        (b"\x00\xff\xf0", false, Some(-5), Some(-10), false, 0),
        (b"\x00\xff\xf0", false, Some(-5), Some(-10), true, -1),
        (b"\x00\xff\xf0", false, Some(3), Some(10), false, -1),
        (b"\x00\xff\xf0", false, Some(3), Some(10), true, 3),
        (b"\x00\xff\xf0", false, Some(7), Some(15), false, -1),
        (b"\x00\xff\xf0", false, Some(7), Some(15), true, 7),
        (b"\x00\xff\xf0", false, Some(12), Some(12), false, -1),
        (b"\x00\xff\xf0", false, Some(12), Some(12), true, -1),
        (b"\x00\xff\xf0", false, Some(16), Some(23), false, -1),
        (b"\x00\xff\xf0", false, Some(16), Some(23), true, 20),
        (b"\x00\xff\xf0", false, Some(0), Some(5), false, 0),
        (b"\x00\xff\xf0", false, Some(0), Some(5), true, 0),
        (b"\x00\xff\xf0", true, None, None, false, 8),
        (b"\x00\xff\xf0", true, Some(0), None, false, 8),
        (b"\x00\xff\xf0", true, Some(2), None, false, 16),
        (b"\x00\xff\xf0", true, Some(-1), None, false, 16),
        (b"\x00\xff\xf0", true, Some(5), None, false, -1),
        (b"\x00\xff\xf0", true, Some(-100), None, false, 8),
        (b"\x00\xff\xf0", true, Some(0), Some(-1), false, 8),
        (b"\x00\xff\xf0", true, Some(0), Some(-1), true, 8),
        (b"\x00\xff\xf0", true, Some(1), Some(1), false, 8),
        (b"\x00\xff\xf0", true, Some(1), Some(1), true, -1),
        (b"\x00\xff\xf0", true, Some(2), Some(-1), false, 16),
        (b"\x00\xff\xf0", true, Some(2), Some(-1), true, 8),
        (b"\x00\xff\xf0", true, Some(-2), Some(-1), false, 8),
        (b"\x00\xff\xf0", true, Some(-2), Some(-1), true, -1),
        (b"\x00\xff\xf0", true, Some(-5), Some(-10), false, -1),
        (b"\x00\xff\xf0", true, Some(-5), Some(-10), true, -1),
        (b"\x00\xff\xf0", true, Some(3), Some(10), false, -1),
        (b"\x00\xff\xf0", true, Some(3), Some(10), true, 8),
        (b"\x00\xff\xf0", true, Some(7), Some(15), false, -1),
        (b"\x00\xff\xf0", true, Some(7), Some(15), true, 8),
        (b"\x00\xff\xf0", true, Some(12), Some(12), false, -1),
        (b"\x00\xff\xf0", true, Some(12), Some(12), true, 12),
        (b"\x00\xff\xf0", true, Some(16), Some(23), false, -1),
        (b"\x00\xff\xf0", true, Some(16), Some(23), true, 16),
        (b"\x00\xff\xf0", true, Some(0), Some(5), false, 8),
        (b"\x00\xff\xf0", true, Some(0), Some(5), true, -1),
        (b"\xff\xff\xff", false, None, None, false, 24),
        (b"\xff\xff\xff", false, Some(0), None, false, 24),
        (b"\xff\xff\xff", false, Some(2), None, false, 24),
        (b"\xff\xff\xff", false, Some(-1), None, false, 24),
        (b"\xff\xff\xff", false, Some(5), None, false, -1),
        (b"\xff\xff\xff", false, Some(-100), None, false, 24),
        (b"\xff\xff\xff", false, Some(0), Some(-1), false, -1),
        (b"\xff\xff\xff", false, Some(0), Some(-1), true, -1),
        (b"\xff\xff\xff", false, Some(1), Some(1), false, -1),
        (b"\xff\xff\xff", false, Some(1), Some(1), true, -1),
        (b"\xff\xff\xff", false, Some(2), Some(-1), false, -1),
        (b"\xff\xff\xff", false, Some(2), Some(-1), true, -1),
        (b"\xff\xff\xff", false, Some(-2), Some(-1), false, -1),
        (b"\xff\xff\xff", false, Some(-2), Some(-1), true, -1),
        (b"\xff\xff\xff", false, Some(-5), Some(-10), false, -1),
        (b"\xff\xff\xff", false, Some(-5), Some(-10), true, -1),
        (b"\xff\xff\xff", false, Some(3), Some(10), false, -1),
        (b"\xff\xff\xff", false, Some(3), Some(10), true, -1),
        (b"\xff\xff\xff", false, Some(7), Some(15), false, -1),
        (b"\xff\xff\xff", false, Some(7), Some(15), true, -1),
        (b"\xff\xff\xff", false, Some(12), Some(12), false, -1),
        (b"\xff\xff\xff", false, Some(12), Some(12), true, -1),
        (b"\xff\xff\xff", false, Some(16), Some(23), false, -1),
        (b"\xff\xff\xff", false, Some(16), Some(23), true, -1),
        (b"\xff\xff\xff", false, Some(0), Some(5), false, -1),
        (b"\xff\xff\xff", false, Some(0), Some(5), true, -1),
        (b"\xff\xff\xff", true, None, None, false, 0),
        (b"\xff\xff\xff", true, Some(0), None, false, 0),
        (b"\xff\xff\xff", true, Some(2), None, false, 16),
        (b"\xff\xff\xff", true, Some(-1), None, false, 16),
        (b"\xff\xff\xff", true, Some(5), None, false, -1),
        (b"\xff\xff\xff", true, Some(-100), None, false, 0),
        (b"\xff\xff\xff", true, Some(0), Some(-1), false, 0),
        (b"\xff\xff\xff", true, Some(0), Some(-1), true, 0),
        (b"\xff\xff\xff", true, Some(1), Some(1), false, 8),
        (b"\xff\xff\xff", true, Some(1), Some(1), true, 1),
        (b"\xff\xff\xff", true, Some(2), Some(-1), false, 16),
        (b"\xff\xff\xff", true, Some(2), Some(-1), true, 2),
        (b"\xff\xff\xff", true, Some(-2), Some(-1), false, 8),
        (b"\xff\xff\xff", true, Some(-2), Some(-1), true, 22),
        (b"\xff\xff\xff", true, Some(-5), Some(-10), false, 0),
        (b"\xff\xff\xff", true, Some(-5), Some(-10), true, -1),
        (b"\xff\xff\xff", true, Some(3), Some(10), false, -1),
        (b"\xff\xff\xff", true, Some(3), Some(10), true, 3),
        (b"\xff\xff\xff", true, Some(7), Some(15), false, -1),
        (b"\xff\xff\xff", true, Some(7), Some(15), true, 7),
        (b"\xff\xff\xff", true, Some(12), Some(12), false, -1),
        (b"\xff\xff\xff", true, Some(12), Some(12), true, 12),
        (b"\xff\xff\xff", true, Some(16), Some(23), false, -1),
        (b"\xff\xff\xff", true, Some(16), Some(23), true, 16),
        (b"\xff\xff\xff", true, Some(0), Some(5), false, 0),
        (b"\xff\xff\xff", true, Some(0), Some(5), true, 0),
        (b"\x00\x00\x00", false, None, None, false, 0),
        (b"\x00\x00\x00", false, Some(0), None, false, 0),
        (b"\x00\x00\x00", false, Some(2), None, false, 16),
        (b"\x00\x00\x00", false, Some(-1), None, false, 16),
        (b"\x00\x00\x00", false, Some(5), None, false, -1),
        (b"\x00\x00\x00", false, Some(-100), None, false, 0),
        (b"\x00\x00\x00", false, Some(0), Some(-1), false, 0),
        (b"\x00\x00\x00", false, Some(0), Some(-1), true, 0),
        (b"\x00\x00\x00", false, Some(1), Some(1), false, 8),
        (b"\x00\x00\x00", false, Some(1), Some(1), true, 1),
        (b"\x00\x00\x00", false, Some(2), Some(-1), false, 16),
        (b"\x00\x00\x00", false, Some(2), Some(-1), true, 2),
        (b"\x00\x00\x00", false, Some(-2), Some(-1), false, 8),
        (b"\x00\x00\x00", false, Some(-2), Some(-1), true, 22),
        (b"\x00\x00\x00", false, Some(-5), Some(-10), false, 0),
        (b"\x00\x00\x00", false, Some(-5), Some(-10), true, -1),
        (b"\x00\x00\x00", false, Some(3), Some(10), false, -1),
        (b"\x00\x00\x00", false, Some(3), Some(10), true, 3),
        (b"\x00\x00\x00", false, Some(7), Some(15), false, -1),
        (b"\x00\x00\x00", false, Some(7), Some(15), true, 7),
        (b"\x00\x00\x00", false, Some(12), Some(12), false, -1),
        (b"\x00\x00\x00", false, Some(12), Some(12), true, 12),
        (b"\x00\x00\x00", false, Some(16), Some(23), false, -1),
        (b"\x00\x00\x00", false, Some(16), Some(23), true, 16),
        (b"\x00\x00\x00", false, Some(0), Some(5), false, 0),
        (b"\x00\x00\x00", false, Some(0), Some(5), true, 0),
        (b"\x00\x00\x00", true, None, None, false, -1),
        (b"\x00\x00\x00", true, Some(0), None, false, -1),
        (b"\x00\x00\x00", true, Some(2), None, false, -1),
        (b"\x00\x00\x00", true, Some(-1), None, false, -1),
        (b"\x00\x00\x00", true, Some(5), None, false, -1),
        (b"\x00\x00\x00", true, Some(-100), None, false, -1),
        (b"\x00\x00\x00", true, Some(0), Some(-1), false, -1),
        (b"\x00\x00\x00", true, Some(0), Some(-1), true, -1),
        (b"\x00\x00\x00", true, Some(1), Some(1), false, -1),
        (b"\x00\x00\x00", true, Some(1), Some(1), true, -1),
        (b"\x00\x00\x00", true, Some(2), Some(-1), false, -1),
        (b"\x00\x00\x00", true, Some(2), Some(-1), true, -1),
        (b"\x00\x00\x00", true, Some(-2), Some(-1), false, -1),
        (b"\x00\x00\x00", true, Some(-2), Some(-1), true, -1),
        (b"\x00\x00\x00", true, Some(-5), Some(-10), false, -1),
        (b"\x00\x00\x00", true, Some(-5), Some(-10), true, -1),
        (b"\x00\x00\x00", true, Some(3), Some(10), false, -1),
        (b"\x00\x00\x00", true, Some(3), Some(10), true, -1),
        (b"\x00\x00\x00", true, Some(7), Some(15), false, -1),
        (b"\x00\x00\x00", true, Some(7), Some(15), true, -1),
        (b"\x00\x00\x00", true, Some(12), Some(12), false, -1),
        (b"\x00\x00\x00", true, Some(12), Some(12), true, -1),
        (b"\x00\x00\x00", true, Some(16), Some(23), false, -1),
        (b"\x00\x00\x00", true, Some(16), Some(23), true, -1),
        (b"\x00\x00\x00", true, Some(0), Some(5), false, -1),
        (b"\x00\x00\x00", true, Some(0), Some(5), true, -1),
        (b"", false, None, None, false, -1),
        (b"", false, Some(0), None, false, -1),
        (b"", false, Some(2), None, false, -1),
        (b"", false, Some(-1), None, false, -1),
        (b"", false, Some(5), None, false, -1),
        (b"", false, Some(-100), None, false, -1),
        (b"", false, Some(0), Some(-1), false, -1),
        (b"", false, Some(0), Some(-1), true, -1),
        (b"", false, Some(1), Some(1), false, -1),
        (b"", false, Some(1), Some(1), true, -1),
        (b"", false, Some(2), Some(-1), false, -1),
        (b"", false, Some(2), Some(-1), true, -1),
        (b"", false, Some(-2), Some(-1), false, -1),
        (b"", false, Some(-2), Some(-1), true, -1),
        (b"", false, Some(-5), Some(-10), false, -1),
        (b"", false, Some(-5), Some(-10), true, -1),
        (b"", false, Some(3), Some(10), false, -1),
        (b"", false, Some(3), Some(10), true, -1),
        (b"", false, Some(7), Some(15), false, -1),
        (b"", false, Some(7), Some(15), true, -1),
        (b"", false, Some(12), Some(12), false, -1),
        (b"", false, Some(12), Some(12), true, -1),
        (b"", false, Some(16), Some(23), false, -1),
        (b"", false, Some(16), Some(23), true, -1),
        (b"", false, Some(0), Some(5), false, -1),
        (b"", false, Some(0), Some(5), true, -1),
        (b"", true, None, None, false, -1),
        (b"", true, Some(0), None, false, -1),
        (b"", true, Some(2), None, false, -1),
        (b"", true, Some(-1), None, false, -1),
        (b"", true, Some(5), None, false, -1),
        (b"", true, Some(-100), None, false, -1),
        (b"", true, Some(0), Some(-1), false, -1),
        (b"", true, Some(0), Some(-1), true, -1),
        (b"", true, Some(1), Some(1), false, -1),
        (b"", true, Some(1), Some(1), true, -1),
        (b"", true, Some(2), Some(-1), false, -1),
        (b"", true, Some(2), Some(-1), true, -1),
        (b"", true, Some(-2), Some(-1), false, -1),
        (b"", true, Some(-2), Some(-1), true, -1),
        (b"", true, Some(-5), Some(-10), false, -1),
        (b"", true, Some(-5), Some(-10), true, -1),
        (b"", true, Some(3), Some(10), false, -1),
        (b"", true, Some(3), Some(10), true, -1),
        (b"", true, Some(7), Some(15), false, -1),
        (b"", true, Some(7), Some(15), true, -1),
        (b"", true, Some(12), Some(12), false, -1),
        (b"", true, Some(12), Some(12), true, -1),
        (b"", true, Some(16), Some(23), false, -1),
        (b"", true, Some(16), Some(23), true, -1),
        (b"", true, Some(0), Some(5), false, -1),
        (b"", true, Some(0), Some(5), true, -1),
    ];

    /// (signed, bits, old, incr, [WRAP, SAT, FAIL] result of BITFIELD INCRBY)
    const INCR_CASES: &[IncrCase] = &[
        (false, 8, 250, 10, [Some(4), Some(255), None]),
        (false, 8, 5, -10, [Some(251), Some(0), None]),
        (true, 8, 120, 10, [Some(-126), Some(127), None]),
        (true, 8, -120, -10, [Some(126), Some(-128), None]),
        (false, 63, 9223372036854775806, 5, [Some(3), Some(9223372036854775807), None]),
        (
            true,
            64,
            9223372036854775806,
            5,
            [Some(-9223372036854775805), Some(9223372036854775807), None],
        ),
        (
            true,
            64,
            -9223372036854775807,
            -5,
            [Some(9223372036854775804), Some(-9223372036854775808), None],
        ),
        (false, 1, 1, 1, [Some(0), Some(1), None]),
        (true, 1, 0, 1, [Some(-1), Some(0), None]),
        (true, 1, -1, -1, [Some(0), Some(-1), None]),
        (false, 8, 0, -9223372036854775808, [Some(0), Some(0), None]),
        (false, 8, 0, 9223372036854775807, [Some(255), Some(255), None]),
        (
            true,
            64,
            -1,
            9223372036854775807,
            [Some(9223372036854775806), Some(9223372036854775806), Some(9223372036854775806)],
        ),
        (
            true,
            64,
            1,
            -9223372036854775808,
            [Some(-9223372036854775807), Some(-9223372036854775807), Some(-9223372036854775807)],
        ),
        (true, 8, -128, -9223372036854775808, [Some(-128), Some(-128), None]),
        (true, 16, 0, 9223372036854775807, [Some(-1), Some(32767), None]),
        (false, 63, 0, -1, [Some(9223372036854775807), Some(0), None]),
    ];

    /// (signed, bits, value, [WRAP, SAT, FAIL] value stored by BITFIELD SET)
    const SET_CASES: &[(bool, u32, i64, [Option<i64>; 3])] = &[
        (false, 8, 300, [Some(44), Some(255), None]),
        (false, 8, -1, [Some(255), Some(255), None]),
        (true, 8, 200, [Some(-56), Some(127), None]),
        (true, 8, -200, [Some(56), Some(-128), None]),
        (false, 63, -1, [Some(9223372036854775807), Some(9223372036854775807), None]),
        (
            true,
            64,
            -9223372036854775808,
            [Some(-9223372036854775808), Some(-9223372036854775808), Some(-9223372036854775808)],
        ),
        (true, 4, 8, [Some(-8), Some(7), None]),
        (true, 4, -9, [Some(7), Some(-8), None]),
        (false, 1, 2, [Some(0), Some(1), None]),
    ];

    /// (a, b, LCS, IDX WITHMATCHLEN matches)
    const LCS_CASES: &[LcsCase] = &[
        (b"ohmytext", b"mynewtext", b"mytext", &[((4, 7), (5, 8), 4), ((2, 3), (0, 1), 2)]),
        (b"", b"abc", b"", &[]),
        (b"abc", b"abc", b"abc", &[((0, 2), (0, 2), 3)]),
        (
            b"abcabc",
            b"cbacba",
            b"cbc",
            &[((5, 5), (3, 3), 1), ((4, 4), (1, 1), 1), ((2, 2), (0, 0), 1)],
        ),
        (
            b"ACGTACGT",
            b"TGCATGCA",
            b"TGT",
            &[((7, 7), (4, 4), 1), ((6, 6), (1, 1), 1), ((3, 3), (0, 0), 1)],
        ),
        (b"aaaa", b"aa", b"aa", &[((2, 3), (0, 1), 2)]),
    ];

    const MODES: [Overflow; 3] = [Overflow::Wrap, Overflow::Sat, Overflow::Fail];

    #[test]
    fn popcount_matches_naive() {
        let data: Vec<u8> =
            (0..1000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        for len in [0, 1, 7, 8, 9, 63, 64, 65, 999, 1000] {
            let naive: u64 = data[..len].iter().map(|b| u64::from(b.count_ones())).sum();
            assert_eq!(popcount(&data[..len]), naive);
        }
    }

    #[test]
    fn bitcount_matches_redis() {
        for &(s, start, end, bit_unit, want) in BITCOUNT_CASES {
            assert_eq!(
                bitcount_range(s, start, end, bit_unit),
                want,
                "{s:?} {start} {end} {bit_unit}"
            );
        }
    }

    #[test]
    fn bitpos_matches_redis() {
        for &(s, bit, start, end, bit_unit, want) in BITPOS_CASES {
            assert_eq!(
                bitpos(s, bit, start, end, bit_unit),
                want,
                "{s:?} {bit} {start:?} {end:?} {bit_unit}"
            );
        }
    }

    #[test]
    fn getbit_setbit() {
        let mut v = Vec::new();
        assert_eq!(setbit(&mut v, 7, true), Some(false));
        assert_eq!(v, [0x01]);
        assert_eq!(setbit(&mut v, 7, true), Some(true));
        assert_eq!(setbit(&mut v, 17, true), Some(false));
        assert_eq!(v, [0x01, 0x00, 0x40]);
        assert_eq!(setbit(&mut v, 7, false), Some(true));
        assert!(getbit(&v, 17));
        assert!(!getbit(&v, 16));
        assert!(!getbit(&v, 1 << 40));
        assert!(!getbit(&v, u64::MAX));
        assert_eq!(setbit(&mut v, u64::MAX, true), None);
    }

    #[test]
    fn bit_offsets_and_types() {
        let max = 512 << 20;
        assert_eq!(parse_bit_offset(b"4294967295", None, max), Some(4_294_967_295));
        assert_eq!(parse_bit_offset(b"4294967296", None, max), None);
        assert_eq!(parse_bit_offset(b"-1", None, max), None);
        assert_eq!(parse_bit_offset(b"#2", None, max), None);
        assert_eq!(parse_bit_offset(b"#2", Some(8), max), Some(16));
        assert_eq!(parse_bit_offset(b"#-1", Some(8), max), None);
        // Redis's `loffset *= bits` wraps: this one lands on bit 64 (checked on 7.0.15).
        assert_eq!(parse_bit_offset(b"#288230376151711745", Some(64), max), Some(64));
        assert_eq!(parse_bitfield_type(b"i64"), Some((true, 64)));
        assert_eq!(parse_bitfield_type(b"u63"), Some((false, 63)));
        for bad in [&b"u64"[..], b"i65", b"u0", b"u08", b"U8", b"i", b"", b"u-1"] {
            assert_eq!(parse_bitfield_type(bad), None, "{bad:?}");
        }
        assert_eq!(Overflow::parse(b"sAt"), Some(Overflow::Sat));
        assert_eq!(BitOp::parse(b"Xor"), Some(BitOp::Xor));
        assert_eq!(BitOp::parse(b"nand"), None);
    }

    #[test]
    fn bitfield_get_set() {
        // Redis's doc example: u5 23 at offset 7 over zeros.
        let mut v = vec![0u8; 2];
        assert!(bitfield_set(&mut v, 7, 5, 23));
        assert_eq!(v, [0b0000_0001, 0b0111_0000]);
        assert_eq!(bitfield_get(&v, 7, 5, false), 23);
        assert_eq!(bitfield_get(&v, 7, 5, true), -9);
        let mut v = Vec::new();
        assert!(bitfield_set(&mut v, 100, 64, -2));
        assert_eq!(v.len(), 21);
        assert_eq!(bitfield_get(&v, 100, 64, true), -2);
        assert_eq!(bitfield_get(&v, 100, 63, false), i64::MAX);
        assert_eq!(bitfield_get(b"", u64::MAX - 3, 64, true), 0);
        assert!(!bitfield_set(&mut v, u64::MAX - 3, 8, 1));
    }

    #[test]
    fn bitfield_overflow_matches_redis() {
        for &(signed, bits, old, incr, want) in INCR_CASES {
            for (ow, want) in MODES.into_iter().zip(want) {
                assert_eq!(
                    incr_with_overflow(old, incr, bits, signed, ow),
                    want,
                    "{signed} {bits} {old} {incr} {ow:?}"
                );
            }
        }
        for &(signed, bits, value, want) in SET_CASES {
            for (ow, want) in MODES.into_iter().zip(want) {
                assert_eq!(
                    bitfield_set_value(value, bits, signed, ow),
                    want,
                    "{signed} {bits} {value} {ow:?}"
                );
            }
        }
    }

    #[test]
    fn bitop_ops() {
        let a: &[u8] = b"\xff\x0f\xaa";
        let b: &[u8] = b"\x0f";
        assert_eq!(bitop(BitOp::And, &[a, b]), [0x0f, 0, 0]);
        assert_eq!(bitop(BitOp::Or, &[b, a]), [0xff, 0x0f, 0xaa]);
        assert_eq!(bitop(BitOp::Xor, &[a, b, b]), a);
        assert_eq!(bitop(BitOp::Not, &[a]), [0x00, 0xf0, 0x55]);
        assert_eq!(bitop(BitOp::And, &[b"", b""]), Vec::<u8>::new());
        assert_eq!(bitop(BitOp::Or, &[]), Vec::<u8>::new());
    }

    #[test]
    fn lcs_matches_redis() {
        for &(a, b, string, matches) in LCS_CASES {
            let got = lcs(a, b, 512 << 20).unwrap();
            assert_eq!(got.string, string);
            assert_eq!(got.len, string.len() as u64);
            assert_eq!(lcs_len(a, b, 512 << 20), Ok(got.len));
            let ms: Vec<_> = got.matches.iter().map(|m| (m.a, m.b, m.len)).collect();
            assert_eq!(ms, matches, "{a:?} {b:?}");
        }
    }

    #[test]
    fn lcs_table_limit_matches_redis() {
        // With proto-max-bulk-len 1mb: 512*512*4 bytes is allowed, 513*512*4 is not.
        let limit = 1 << 20;
        assert!(lcs(&[b'x'; 511], &[b'y'; 511], limit).is_ok());
        assert_eq!(lcs(&[b'x'; 512], &[b'y'; 511], limit), Err(LcsError::TableTooBig));
        assert_eq!(lcs_len(&[b'x'; 512], &[b'y'; 511], limit), Err(LcsError::TableTooBig));
        assert_eq!(
            LcsError::TableTooBig.message(),
            "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"
        );
    }
}
