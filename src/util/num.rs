//! Number parsing and formatting with Redis's exact rules (string2ll, string2d, ld2string,
//! d2string / addReplyDouble).
//!
//! Decimal floats are parsed by Rust (correctly rounded, like glibc) with strtod's
//! acceptance rules re-applied around it. Everything that needs `long double` (x87 80-bit)
//! or glibc's exact `printf` lives in `longdouble.c`.

use std::os::raw::{c_char, c_int, c_longlong};

extern "C" {
    fn ferrodis_ld_classify(s: *const c_char, len: usize) -> c_int;
    fn ferrodis_ld_add_human(
        a: *const c_char,
        alen: usize,
        b: *const c_char,
        blen: usize,
        out: *mut c_char,
        outlen: usize,
    ) -> c_int;
    fn ferrodis_d_human(v: f64, out: *mut c_char, outlen: usize) -> c_int;
    fn ferrodis_d_g17(v: f64, out: *mut c_char, outlen: usize) -> c_int;
    fn ferrodis_strtod(
        s: *const c_char,
        len: usize,
        consumed: *mut usize,
        erange: *mut c_int,
    ) -> f64;
    fn ferrodis_timeout_secs(s: *const c_char, len: usize, ms: *mut c_longlong) -> c_int;
}

/// Redis's MAX_LONG_DOUBLE_CHARS: the output buffer for long double printing.
const MAX_LONG_DOUBLE_CHARS: usize = 5 * 1024;

/// Redis `string2ll`: optional '-', digits, no '+', no leading zeros (except "0"), no spaces,
/// must fit in i64. Empty is not a number. "-0" is refused (7.0.15: `SET k -0; INCR k` is
/// "value is not an integer or out of range").
pub fn parse_i64(s: &[u8]) -> Option<i64> {
    // With leading zeros refused, no accepted input is longer than "-9223372036854775808".
    if s.is_empty() || s.len() > 20 {
        return None;
    }
    if s == b"0" {
        return Some(0);
    }
    let (neg, digits) = match s[0] {
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    match digits.first() {
        Some(b'1'..=b'9') => {}
        _ => return None,
    }
    let mut v: u64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
    }
    if neg {
        if v > i64::MIN.unsigned_abs() {
            return None;
        }
        Some(0i64.wrapping_sub_unsigned(v))
    } else {
        i64::try_from(v).ok()
    }
}

/// C `isspace` in the "C" locale.
#[inline]
fn is_c_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// Result of parsing a whole string with strtod's grammar.
struct Strtod {
    value: f64,
    /// strtod would set ERANGE with a zero or infinite result: the literal overflowed, or
    /// was non-zero and rounded to zero.
    out_of_range: bool,
}

/// Parse all of `s` as glibc `strtod` would (decimal, hexadecimal, inf/infinity/nan, with
/// an optional sign), without skipping leading space. None when strtod would stop before
/// the end.
fn strtod_whole(s: &[u8]) -> Option<Strtod> {
    let unsigned = match s.first() {
        Some(b'+' | b'-') => &s[1..],
        _ => s,
    };
    if unsigned.len() > 1 && unsigned[0] == b'0' && (unsigned[1] | 0x20) == b'x' {
        return strtod_hex(s, &unsigned[2..]);
    }
    // Rust's grammar for finite decimals, "inf", "infinity" and "nan" (case-insensitive,
    // signed) is strtod's; strtod's extra "nan(chars)" form is refused either way.
    let text = std::str::from_utf8(s).ok()?;
    let value: f64 = text.parse().ok()?;
    let out_of_range = if value.is_infinite() {
        !unsigned[0].eq_ignore_ascii_case(&b'i')
    } else if value == 0.0 {
        unsigned
            .iter()
            .take_while(|&&c| c != b'e' && c != b'E')
            .any(|&c| (b'1'..=b'9').contains(&c))
    } else {
        false
    };
    Some(Strtod { value, out_of_range })
}

/// Hexadecimal literals ("0x10", "0x1.8p3") are rare: let glibc read them.
fn strtod_hex(s: &[u8], after_0x: &[u8]) -> Option<Strtod> {
    // strtod reads a leading "0" and stops at the 'x' unless hex digits follow, which can
    // never consume the whole string; refusing early also keeps NULs away from C.
    let first_digit = match after_0x.first() {
        Some(b'.') => after_0x.get(1),
        d => d,
    };
    if !first_digit.is_some_and(u8::is_ascii_hexdigit) || s.contains(&0) {
        return None;
    }
    let mut consumed = 0usize;
    let mut erange: c_int = 0;
    // SAFETY: the pointer/length pair describes `s`; the C side copies it and writes
    // only through the two out-pointers, which point at live locals.
    let value = unsafe { ferrodis_strtod(s.as_ptr().cast(), s.len(), &mut consumed, &mut erange) };
    if consumed != s.len() {
        return None;
    }
    let out_of_range = erange != 0 && (value.is_infinite() || value == 0.0);
    Some(Strtod { value, out_of_range })
}

/// Redis `string2d` / `getDoubleFromObject` (ZADD/ZINCRBY scores, GEOADD, ...): strtod over
/// the whole string, no leading space, NaN refused; "inf", "-inf", "+inf", "infinity" and
/// hexadecimal forms ("0x10" is 16) accepted; overflow ("1e400") and non-zero values that
/// round to zero ("1e-400") refused, subnormals ("1e-310") kept.
pub fn parse_f64(s: &[u8]) -> Option<f64> {
    if is_c_space(*s.first()?) {
        return None;
    }
    let r = strtod_whole(s)?;
    if r.out_of_range || r.value.is_nan() {
        return None;
    }
    Some(r.value)
}

/// `zslParseRange`'s bare `strtod` (ZRANGEBYSCORE/ZCOUNT/ZRANGE BYSCORE min and max, after
/// the optional '(' is stripped): the argument is read as a C string (stops at the first
/// NUL), leading space is skipped, out-of-range values become ±inf or 0, only NaN and
/// trailing bytes are refused. An empty argument (or a lone "(") is 0.
pub fn parse_f64_lenient(s: &[u8]) -> Option<f64> {
    let s = match memchr::memchr(0, s) {
        Some(nul) => &s[..nul],
        None => s,
    };
    if s.is_empty() {
        return Some(0.0);
    }
    let start = s.iter().position(|&c| !is_c_space(c))?;
    let r = strtod_whole(&s[start..])?;
    if r.value.is_nan() {
        return None;
    }
    Some(r.value)
}

/// Redis `getLongDoubleFromObject` / `string2ld` acceptance: like [`parse_f64`] but with the
/// x87 long double range (so "1e400" is a valid float, "1e-5000" is not) and inputs of
/// 5120 bytes or more refused.
pub fn is_long_double(s: &[u8]) -> bool {
    classify_ld(s) != 0
}

fn classify_ld(s: &[u8]) -> c_int {
    // SAFETY: pointer/length describe `s`; the C side only reads it.
    unsafe { ferrodis_ld_classify(s.as_ptr().cast(), s.len()) }
}

/// Append the decimal form of `v` (Redis `ll2string`).
pub fn write_i64(out: &mut Vec<u8>, v: i64) {
    let buf = DecimalBuf::new(v);
    out.extend_from_slice(buf.as_bytes());
}

/// Decimal digits of an i64 formatted right-aligned in a stack buffer.
struct DecimalBuf {
    buf: [u8; 20],
    start: usize,
}

impl DecimalBuf {
    fn new(v: i64) -> Self {
        let mut buf = [0u8; 20];
        let mut i = buf.len();
        let mut n = v.unsigned_abs();
        loop {
            i -= 1;
            buf[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        if v < 0 {
            i -= 1;
            buf[i] = b'-';
        }
        DecimalBuf { buf, start: i }
    }

    fn as_bytes(&self) -> &[u8] {
        &self.buf[self.start..]
    }
}

/// Format a double as Redis 7.0 replies it in RESP2 bulk strings and RESP3 doubles
/// (ZSCORE, ZINCRBY, WITHSCORES...): "inf", "-inf", "nan", else Redis's `%.17g` form.
/// The RESP3 `,` payload is byte-identical to the RESP2 bulk content.
///
/// Examples (7.0.15): 1.1 → "1.1000000000000001", 3 → "3", -0.0 → "-0",
/// 1e17 → "1e+17", 1e16 → "10000000000000000", 1e-5 → "1.0000000000000001e-05",
/// 1e300 → "1.0000000000000001e+300", 0.1+0.2 → "0.30000000000000004".
pub fn write_f64(out: &mut Vec<u8>, v: f64) {
    // %.17g prints every integer below 1e17 in plain digits; skip printf for them.
    if v.fract() == 0.0 && v.abs() < 1e17 && !(v == 0.0 && v.is_sign_negative()) {
        write_i64(out, v as i64);
        return;
    }
    if v.is_infinite() {
        out.extend_from_slice(if v > 0.0 { b"inf" } else { b"-inf" });
        return;
    }
    let mut buf = [0u8; 32];
    // SAFETY: `buf` is writable for its whole length; the C side writes at most that.
    let n = unsafe { ferrodis_d_g17(v, buf.as_mut_ptr().cast(), buf.len()) };
    out.extend_from_slice(&buf[..usize::try_from(n).unwrap_or(0)]);
}

/// Convenience: [`write_f64`] into a new vector.
pub fn f64_to_bytes(v: f64) -> Vec<u8> {
    let mut out = Vec::with_capacity(24);
    write_f64(&mut out, v);
    out
}

/// Redis `addReplyHumanLongDouble` of a double (GEOPOS coordinates, in RESP2 as a bulk
/// string and in RESP3 as the `,` payload): "%.17Lf" with trailing zeros and dot trimmed,
/// "-0" becomes "0", infinities are "inf"/"-inf".
/// Example: 13.361389 stored by GEOADD → "13.36138933897018433".
pub fn write_f64_human(out: &mut Vec<u8>, v: f64) {
    // A double's %.17f form is at most 309 integer digits + sign + dot + 17 decimals.
    let mut buf = [0u8; 400];
    // SAFETY: `buf` is writable for its whole length; the C side writes at most that.
    let n = unsafe { ferrodis_d_human(v, buf.as_mut_ptr().cast(), buf.len()) };
    out.extend_from_slice(&buf[..usize::try_from(n).unwrap_or(0)]);
}

/// INCRBYFLOAT / HINCRBYFLOAT: `cur + incr` computed and printed as Redis does with
/// `long double` (ld2string LD_STR_HUMAN: "%.17Lf" with trailing zeros trimmed).
/// `cur` and `incr` are the raw argument/value bytes; pass `b"0"` for a missing key.
/// Errors: Err(NotFloat) when either is not a valid float (see [`is_long_double`]),
/// Err(NanOrInfinity) when the sum is NaN or infinite.
///
/// Examples (7.0.15): "0.1"+"0.2" → "0.3", "10.5"+"0.1" → "10.6", "5.0e3"+"2.0e2" → "5200",
/// "1e17"+"1" → "100000000000000001", "-6e-18"+"0" → "-0.00000000000000001",
/// "1e-18"+"0" → "0", "1e400"+"0" → 401 digits, "inf"+"0" → NanOrInfinity.
///
/// HINCRBYFLOAT reports its errors differently; see [`hincr_by_float`].
pub fn incr_by_float(cur: &[u8], incr: &[u8]) -> Result<Vec<u8>, FloatIncrError> {
    match ld_add_human(cur, incr) {
        Ok(v) => Ok(v),
        Err(AddError::CurInvalid | AddError::IncrInvalid) => Err(FloatIncrError::NotFloat),
        Err(AddError::NotFinite) => Err(FloatIncrError::NanOrInfinity),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FloatIncrError {
    NotFloat,
    NanOrInfinity,
}

impl FloatIncrError {
    /// The INCRBYFLOAT error line.
    pub fn message(self) -> &'static str {
        match self {
            FloatIncrError::NotFloat => "ERR value is not a valid float",
            FloatIncrError::NanOrInfinity => "ERR increment would produce NaN or Infinity",
        }
    }
}

/// HINCRBYFLOAT's checks, in Redis's order: the increment is parsed first
/// (`IncrNotFloat`), an infinite increment is refused (`IncrNanOrInfinity`), then the
/// field's value (`ValueNotFloat`), then the sum (`ResultNanOrInfinity`).
/// Pass `b"0"` as `cur` for a missing field.
pub fn hincr_by_float(cur: &[u8], incr: &[u8]) -> Result<Vec<u8>, HashFloatIncrError> {
    match classify_ld(incr) {
        0 => return Err(HashFloatIncrError::IncrNotFloat),
        2 => return Err(HashFloatIncrError::IncrNanOrInfinity),
        _ => {}
    }
    match ld_add_human(cur, incr) {
        Ok(v) => Ok(v),
        Err(AddError::CurInvalid) => Err(HashFloatIncrError::ValueNotFloat),
        Err(AddError::IncrInvalid) => Err(HashFloatIncrError::IncrNotFloat),
        Err(AddError::NotFinite) => Err(HashFloatIncrError::ResultNanOrInfinity),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashFloatIncrError {
    IncrNotFloat,
    IncrNanOrInfinity,
    ValueNotFloat,
    ResultNanOrInfinity,
}

impl HashFloatIncrError {
    /// The HINCRBYFLOAT error line (7.0.15 texts).
    pub fn message(self) -> &'static str {
        match self {
            HashFloatIncrError::IncrNotFloat => "ERR value is not a valid float",
            HashFloatIncrError::IncrNanOrInfinity => "ERR value is NaN or Infinity",
            HashFloatIncrError::ValueNotFloat => "ERR hash value is not a float",
            HashFloatIncrError::ResultNanOrInfinity => {
                "ERR increment would produce NaN or Infinity"
            }
        }
    }
}

enum AddError {
    CurInvalid,
    IncrInvalid,
    NotFinite,
}

fn ld_add_human(cur: &[u8], incr: &[u8]) -> Result<Vec<u8>, AddError> {
    let mut buf = vec![0u8; MAX_LONG_DOUBLE_CHARS];
    // SAFETY: both inputs are pointer/length pairs of live slices; `buf` is writable for
    // its whole length and the C side writes at most that.
    let n = unsafe {
        ferrodis_ld_add_human(
            cur.as_ptr().cast(),
            cur.len(),
            incr.as_ptr().cast(),
            incr.len(),
            buf.as_mut_ptr().cast(),
            buf.len(),
        )
    };
    match n {
        -1 => Err(AddError::CurInvalid),
        -2 => Err(AddError::IncrInvalid),
        n if n > 0 => {
            buf.truncate(n as usize);
            Ok(buf)
        }
        // -3, and -4 which cannot happen with this buffer size.
        _ => Err(AddError::NotFinite),
    }
}

/// Timeout of BLPOP/BRPOP/BLMOVE/BZPOPMIN/BLMPOP/... given in seconds, as Redis 7.0
/// `getTimeoutFromObjectOrReply(UNIT_SECONDS)` computes it before adding the current time:
/// `ceill(seconds * 1000)` milliseconds as a long long, parsed with `string2ld`.
/// Ok(0) means block forever ("0", "-0", "-0.0001"); "0.0001" is Ok(1).
/// Values whose milliseconds do not fit in an i64 ("1e17", "inf") are `Negative`, as
/// x86-64 Redis reports them.
pub fn parse_timeout_secs(s: &[u8]) -> Result<i64, TimeoutError> {
    let mut ms: c_longlong = 0;
    // SAFETY: pointer/length describe `s`; `ms` is a live local.
    match unsafe { ferrodis_timeout_secs(s.as_ptr().cast(), s.len(), &mut ms) } {
        0 => Ok(ms),
        -2 => Err(TimeoutError::Negative),
        _ => Err(TimeoutError::NotFloat),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeoutError {
    NotFloat,
    Negative,
}

impl TimeoutError {
    pub fn message(self) -> &'static str {
        match self {
            TimeoutError::NotFloat => "ERR timeout is not a float or out of range",
            TimeoutError::Negative => "ERR timeout is negative",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (input, INCRBY result) from Redis 7.0.15 (`SET k <input>; INCRBY k 0`).
    const I64_CASES: &[(&[u8], Option<i64>)] = &[
        (b"0", Some(0)),
        (b"-0", None),
        (b"00", None),
        (b"01", None),
        (b"+1", None),
        (b" 1", None),
        (b"1 ", None),
        (b"-", None),
        (b"", None),
        (b"1", Some(1)),
        (b"-1", Some(-1)),
        (b"99", Some(99)),
        (b"-99", Some(-99)),
        (b"9223372036854775807", Some(9223372036854775807)),
        (b"9223372036854775808", None),
        (b"-9223372036854775808", Some(-9223372036854775808)),
        (b"-9223372036854775809", None),
        (b"18446744073709551616", None),
        (b"1e3", None),
        (b"0x10", None),
        (b"1\x00", None),
        (b"12a", None),
        (b"00000000000000000001", None),
    ];

    /// (input, ZSCORE after `ZADD z <input> m` on a skiplist zset), Redis 7.0.15.
    const F64_CASES: &[(&[u8], Option<&[u8]>)] = &[
        (b"1", Some(b"1")),
        (b"-0", Some(b"-0")),
        (b"+0", Some(b"0")),
        (b"0x10", Some(b"16")),
        (b"0X1p4", Some(b"16")),
        (b"-0x1.8p1", Some(b"-3")),
        (b"0x.8", Some(b"0.5")),
        (b"0x1p-1074", Some(b"4.9406564584124654e-324")),
        (b"0x1p-1075", None),
        (b"0x1p1024", None),
        (b"inf", Some(b"inf")),
        (b"+inf", Some(b"inf")),
        (b"-inf", Some(b"-inf")),
        (b"Inf", Some(b"inf")),
        (b"INFINITY", Some(b"inf")),
        (b"-infinity", Some(b"-inf")),
        (b"infinit", None),
        (b"nan", None),
        (b"NaN", None),
        (b"-nan", None),
        (b" 1", None),
        (b"\x091", None),
        (b"1 ", None),
        (b"", None),
        (b".5", Some(b"0.5")),
        (b"5.", Some(b"5")),
        (b".", None),
        (b"-.5e1", Some(b"-5")),
        (b"1e", None),
        (b"1e+", None),
        (b"1E5", Some(b"100000")),
        (b"1e400", None),
        (b"-1e400", None),
        (b"1e-400", None),
        (b"1e-310", Some(b"9.9999999999999694e-311")),
        (b"4.9e-324", Some(b"4.9406564584124654e-324")),
        (b"2e-324", None),
        (b"3e-324", Some(b"4.9406564584124654e-324")),
        (b"1.7976931348623157e308", Some(b"1.7976931348623157e+308")),
        (b"1.7976931348623158e308", Some(b"1.7976931348623157e+308")),
        (b"1.7976931348623159e308", None),
        (b"1_0", None),
        (b"1,5", None),
        (b"0001.5", Some(b"1.5")),
        (b"1e-5", Some(b"1.0000000000000001e-05")),
        (b"1\x00", None),
        (b"+.1", Some(b"0.10000000000000001")),
        (b"1.1", Some(b"1.1000000000000001")),
        (b"0.1", Some(b"0.10000000000000001")),
        (b"1e17", Some(b"1e+17")),
        (b"1e16", Some(b"10000000000000000")),
        (b"123456789012345678901234567890", Some(b"1.2345678901234568e+29")),
        (b"0x", None),
        (b"0xg", None),
        (b"1d", None),
        (b"1f", None),
        (b"1e0001", Some(b"10")),
        (b"0e-99999", Some(b"0")),
        (b"-1.5", Some(b"-1.5")),
        (b"9007199254740993", Some(b"9007199254740992")),
        (b"1e300", Some(b"1.0000000000000001e+300")),
        (b"1e-300", Some(b"1e-300")),
        (b"0.30000000000000004", Some(b"0.30000000000000004")),
        (b"1.00000762939453125", Some(b"1.0000076293945312")),
        (b"4503599627370495.5", Some(b"4503599627370495.5")),
        (b"123.456", Some(b"123.456")),
        (b"-1e-7", Some(b"-9.9999999999999995e-08")),
        (b"1e-4", Some(b"0.0001")),
        (b"1e-5", Some(b"1.0000000000000001e-05")),
    ];

    /// write_f64_human of a double, checked with INCRBYFLOAT of the double's exact decimal
    /// expansion (exactly representable in long double) on Redis 7.0.15.
    const HUMAN_CASES: &[(f64, &[u8])] = &[
        (0.1_f64, b"0.10000000000000001"),
        (13.361389338970184_f64, b"13.36138933897018433"),
        (38.1155563954963_f64, b"38.11555639549629859"),
        (-0.5_f64, b"-0.5"),
        (1e-18_f64, b"0"),
        (-1e-18_f64, b"0"),
        (6e-18_f64, b"0.00000000000000001"),
        (1e+17_f64, b"100000000000000000"),
        (123456.789_f64, b"123456.78900000000430737"),
        (1.1805916207174113e+21_f64, b"1180591620717411303424"),
        (-0.0_f64, b"0"),
        (10000000000.0_f64, b"10000000000"),
        (5e-324_f64, b"0"),
    ];

    #[test]
    fn parse_i64_matches_redis() {
        for &(s, want) in I64_CASES {
            assert_eq!(parse_i64(s), want, "{:?}", String::from_utf8_lossy(s));
        }
    }

    #[test]
    fn parse_and_write_f64_match_redis() {
        for &(s, want) in F64_CASES {
            let got = parse_f64(s).map(f64_to_bytes);
            assert_eq!(got.as_deref(), want, "{:?}", String::from_utf8_lossy(s));
        }
        // ZINCRBY z 0.2 m over 0.1.
        assert_eq!(f64_to_bytes(0.1 + 0.2), b"0.30000000000000004");
        assert_eq!(f64_to_bytes(f64::NEG_INFINITY), b"-inf");
        assert_eq!(f64_to_bytes(-3.0), b"-3");
        assert_eq!(f64_to_bytes(-0.0), b"-0");
    }

    #[test]
    fn lenient_range_parse_matches_redis() {
        // Checked with ZRANGEBYSCORE on {-inf, 0, 1, 16, +inf}.
        let ok: &[(&[u8], f64)] = &[
            (b" 1", 1.0),
            (b"\t1", 1.0),
            (b"\n16", 16.0),
            (b"1e400", f64::INFINITY),
            (b"-1e400", f64::NEG_INFINITY),
            (b"", 0.0),
            (b"0x10", 16.0),
            (b"1e-400", 0.0),
            (b"-0", 0.0),
            (b"inf", f64::INFINITY),
            (b"1\x00x", 1.0),
            (b"\x00", 0.0),
            (b"infinity", f64::INFINITY),
        ];
        for &(s, want) in ok {
            assert_eq!(parse_f64_lenient(s), Some(want), "{:?}", String::from_utf8_lossy(s));
        }
        for s in [&b"1 "[..], b"nan", b" ", b"  ", b"+", b"-", b"1e", b"abc"] {
            assert_eq!(parse_f64_lenient(s), None, "{:?}", String::from_utf8_lossy(s));
        }
    }

    #[test]
    fn human_format_matches_redis() {
        for &(v, want) in HUMAN_CASES {
            let mut out = Vec::new();
            write_f64_human(&mut out, v);
            assert_eq!(out, want, "{v:?}");
        }
        let mut out = Vec::new();
        write_f64_human(&mut out, f64::INFINITY);
        assert_eq!(out, b"inf");
    }

    #[test]
    fn incr_by_float_matches_redis() {
        let ok: &[(&[u8], &[u8], &[u8])] = &[
            (b"0", b"0.1", b"0.1"),
            (b"0.1", b"0.2", b"0.3"),
            (b"10.5", b"0.1", b"10.6"),
            (b"5.0e3", b"2.0e2", b"5200"),
            (b"1e17", b"0", b"100000000000000000"),
            (b"1e17", b"1", b"100000000000000001"),
            (b"1.5", b"1e17", b"100000000000000001.5"),
            (b"-0", b"0", b"0"),
            (b"0", b"-0", b"0"),
            (b"-1", b"1", b"0"),
            (b"1", b"-1.5", b"-0.5"),
            (b"3.0", b"0", b"3"),
            (b"1e-17", b"0", b"0.00000000000000001"),
            (b"1e-18", b"0", b"0"),
            (b"-6e-18", b"0", b"-0.00000000000000001"),
            (b"1e-4950", b"0", b"0"),
            (b"0.12345678901234567890", b"0", b"0.12345678901234568"),
            (b"0x10", b"0x1p-2", b"16.25"),
            (b"9223372036854775807", b"1", b"9223372036854775808"),
            (b"1", b"1e-400", b"1"),
            (b"0", b"1e-5", b"0.00001"),
        ];
        for &(a, b, want) in ok {
            assert_eq!(incr_by_float(a, b).as_deref(), Ok(want), "{a:?} + {b:?}");
        }
        let big = incr_by_float(b"1e400", b"0").unwrap();
        assert_eq!(big.len(), 401);
        assert!(big.starts_with(b"10000000000000000000281880683947586514586"));
        assert_eq!(incr_by_float(b"1.18e4932", b"0").unwrap().len(), 4933);

        use FloatIncrError::*;
        let zeros = vec![b'0'; 5119];
        assert_eq!(incr_by_float(&zeros, b"1").as_deref(), Ok(&b"1"[..]));
        let zeros = vec![b'0'; 5120];
        assert_eq!(incr_by_float(&zeros, b"1"), Err(NotFloat));
        let bad: &[(&[u8], &[u8], FloatIncrError)] = &[
            (b"1e5000", b"0", NotFloat),
            (b"1e-4951", b"0", NotFloat),
            (b"1", b" 1", NotFloat),
            (b"1", b"1 ", NotFloat),
            (b"1", b"", NotFloat),
            (b" 1", b"1", NotFloat),
            (b"", b"1", NotFloat),
            (b"1\x00", b"1", NotFloat),
            (b"1", b"nan", NotFloat),
            (b"1", b"0x1p99999", NotFloat),
            (b"1", b"inf", NanOrInfinity),
            (b"inf", b"-inf", NanOrInfinity),
            (b"1.18e4932", b"1.18e4932", NanOrInfinity),
        ];
        for &(a, b, want) in bad {
            assert_eq!(incr_by_float(a, b), Err(want), "{a:?} + {b:?}");
        }
    }

    #[test]
    fn hincr_by_float_error_order_matches_redis() {
        use HashFloatIncrError::*;
        assert_eq!(hincr_by_float(b"abc", b"xyz"), Err(IncrNotFloat));
        assert_eq!(hincr_by_float(b"abc", b"inf"), Err(IncrNanOrInfinity));
        assert_eq!(hincr_by_float(b"1", b"-inf"), Err(IncrNanOrInfinity));
        assert_eq!(hincr_by_float(b"abc", b"nan"), Err(IncrNotFloat));
        assert_eq!(hincr_by_float(b"abc", b"1"), Err(ValueNotFloat));
        assert_eq!(hincr_by_float(b"1e-4960", b"0"), Err(ValueNotFloat));
        assert_eq!(hincr_by_float(b"1.18e4932", b"1.18e4932"), Err(ResultNanOrInfinity));
        assert_eq!(hincr_by_float(b"10.5", b"0.1").as_deref(), Ok(&b"10.6"[..]));
        assert_eq!(ValueNotFloat.message(), "ERR hash value is not a float");
    }

    #[test]
    fn timeouts_match_redis() {
        use TimeoutError::*;
        // From BLPOP on 7.0.15: errors, blocks forever (0) or times out at once (> 0).
        let cases: &[(&[u8], Result<i64, TimeoutError>)] = &[
            (b"1e400", Err(Negative)),
            (b"1e17", Err(Negative)),
            (b"1e16", Err(Negative)),
            (b"9223372036854776", Err(Negative)),
            (b"-1", Err(Negative)),
            (b"inf", Err(Negative)),
            (b"-inf", Err(Negative)),
            (b"nan", Err(NotFloat)),
            (b"abc", Err(NotFloat)),
            (b" 1", Err(NotFloat)),
            (b"1e-4960", Err(NotFloat)),
            (b"9223372036854775.807", Ok(i64::MAX)),
            (b"-0.0001", Ok(0)),
            (b"-0", Ok(0)),
            (b"0", Ok(0)),
            (b"1e-400", Ok(1)),
            (b"0x1p-20", Ok(1)),
            (b"0.0001", Ok(1)),
            (b"1.5", Ok(1500)),
            (b"0.0015", Ok(2)),
        ];
        for &(s, want) in cases {
            assert_eq!(parse_timeout_secs(s), want, "{:?}", String::from_utf8_lossy(s));
        }
    }

    #[test]
    fn write_i64_extremes() {
        let mut out = Vec::new();
        for v in [0, -1, 7, i64::MIN, i64::MAX] {
            out.clear();
            write_i64(&mut out, v);
            assert_eq!(out, v.to_string().as_bytes());
        }
    }
}
