//! Number parsing and formatting with Redis's exact rules (string2ll, string2d, ld2string,
//! d2string / addReplyDouble).

/// Redis `string2ll`: optional '-', digits, no '+', no leading zeros (except "0"), no spaces,
/// must fit in i64. Empty is not a number.
pub fn parse_i64(_s: &[u8]) -> Option<i64> {
    unimplemented!()
}

/// Redis `string2d` / `getDoubleFromObject`: strtod over the whole string, no leading space,
/// NaN refused; "inf", "-inf", "+inf" accepted.
pub fn parse_f64(_s: &[u8]) -> Option<f64> {
    unimplemented!()
}

/// Append the decimal form of `v` (Redis `ll2string`).
pub fn write_i64(out: &mut Vec<u8>, v: i64) {
    let mut b = itoa_buf(v);
    out.extend_from_slice(b.as_bytes_mut());
}

struct ItoaBuf {
    buf: [u8; 20],
    start: usize,
}
impl ItoaBuf {
    fn as_bytes_mut(&mut self) -> &[u8] {
        &self.buf[self.start..]
    }
}
fn itoa_buf(v: i64) -> ItoaBuf {
    let mut buf = [0u8; 20];
    let mut i = 20;
    let neg = v < 0;
    let mut n = v.unsigned_abs();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if neg {
        i -= 1;
        buf[i] = b'-';
    }
    ItoaBuf { buf, start: i }
}

/// Format a double as Redis 7.0 replies it in RESP2 bulk strings and RESP3 doubles
/// (ZSCORE, ZINCRBY, WITHSCORES...): "inf", "-inf", "nan", else Redis's `%.17g` form.
pub fn write_f64(_out: &mut Vec<u8>, _v: f64) {
    unimplemented!()
}

/// INCRBYFLOAT / HINCRBYFLOAT: `cur + incr` computed and printed as Redis does with
/// `long double` (ld2string LD_STR_HUMAN: "%.17Lf" with trailing zeros trimmed).
/// `cur` and `incr` are the raw argument/value bytes. Errors:
/// Err(NotFloat) when either is not a valid float, Err(NanOrInfinity) when the result is.
pub fn incr_by_float(_cur: &[u8], _incr: &[u8]) -> Result<Vec<u8>, FloatIncrError> {
    unimplemented!()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FloatIncrError {
    NotFloat,
    NanOrInfinity,
}
