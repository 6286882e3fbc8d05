//! Redis's low-level string rules that configuration depends on, byte for byte:
//! `sdssplitargs`, `sdssplitlen`, `sdstrim`, `sdscatrepr`, `string2ll`, `memtoull`,
//! `strtoll`/`strtol` with their end-pointer checks, and `string2d`.
//!
//! Values are byte strings because Redis's are; C strings end at the first NUL, so the
//! helpers that stand for C string functions stop there too.

/// The part of `s` a C function would see: everything before the first NUL.
pub(crate) fn c_str(s: &[u8]) -> &[u8] {
    match s.iter().position(|&b| b == 0) {
        Some(i) => &s[..i],
        None => s,
    }
}

/// C `isspace` in the "C" locale.
pub(crate) fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// `sdstrim(s, cset)`: drop every leading and trailing byte found in `cset`.
pub(crate) fn trim<'a>(s: &'a [u8], cset: &[u8]) -> &'a [u8] {
    let start = s.iter().position(|b| !cset.contains(b)).unwrap_or(s.len());
    let end = s.iter().rposition(|b| !cset.contains(b)).map_or(start, |i| i + 1);
    &s[start..end.max(start)]
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// `sdssplitargs`: words separated by blanks, with "double quotes" (C-like escapes,
/// `\xHH`) and 'single quotes' (only `\'`). `None` on unbalanced quotes or a closing
/// quote glued to the next word, exactly where Redis gives up.
pub(crate) fn split_args(line: &[u8]) -> Option<Vec<Vec<u8>>> {
    let line = c_str(line);
    let at = |i: usize| -> u8 { line.get(i).copied().unwrap_or(0) };
    let mut out = Vec::new();
    let mut p = 0usize;
    loop {
        while p < line.len() && is_c_space(line[p]) {
            p += 1;
        }
        if p >= line.len() {
            return Some(out);
        }
        let mut cur = Vec::new();
        let (mut inq, mut insq, mut done) = (false, false, false);
        while !done {
            let c = at(p);
            if inq {
                if c == b'\\' && at(p + 1) == b'x' {
                    if let (Some(h), Some(l)) = (hex_val(at(p + 2)), hex_val(at(p + 3))) {
                        cur.push(h * 16 + l);
                        p += 3;
                    } else {
                        // Not a full \xHH: the backslash escapes the 'x' like any letter.
                        cur.push(b'x');
                        p += 1;
                    }
                } else if c == b'\\' && at(p + 1) != 0 {
                    p += 1;
                    cur.push(match at(p) {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'b' => 0x08,
                        b'a' => 0x07,
                        o => o,
                    });
                } else if c == b'"' {
                    if at(p + 1) != 0 && !is_c_space(at(p + 1)) {
                        return None;
                    }
                    done = true;
                } else if c == 0 {
                    return None;
                } else {
                    cur.push(c);
                }
            } else if insq {
                if c == b'\\' && at(p + 1) == b'\'' {
                    p += 1;
                    cur.push(b'\'');
                } else if c == b'\'' {
                    if at(p + 1) != 0 && !is_c_space(at(p + 1)) {
                        return None;
                    }
                    done = true;
                } else if c == 0 {
                    return None;
                } else {
                    cur.push(c);
                }
            } else {
                match c {
                    b' ' | b'\n' | b'\r' | b'\t' | 0 => done = true,
                    b'"' => inq = true,
                    b'\'' => insq = true,
                    _ => cur.push(c),
                }
            }
            if at(p) != 0 {
                p += 1;
            }
        }
        out.push(cur);
    }
}

/// `sdssplitlen(s, " ")` as CONFIG SET uses it for multi-word values: every single space
/// separates, so doubled spaces give empty words, and an empty value gives no words.
pub(crate) fn split_space(s: &[u8]) -> Vec<&[u8]> {
    if s.is_empty() {
        return Vec::new();
    }
    s.split(|&b| b == b' ').collect()
}

/// `sdscatrepr`: a double-quoted form that `split_args` reads back to the same bytes.
pub(crate) fn repr(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len() + 2);
    out.push(b'"');
    for &b in s {
        match b {
            b'\\' | b'"' => {
                out.push(b'\\');
                out.push(b);
            }
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x07 => out.extend_from_slice(b"\\a"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x20..=0x7e => out.push(b),
            _ => out.extend_from_slice(format!("\\x{b:02x}").as_bytes()),
        }
    }
    out.push(b'"');
    out
}

/// Redis `string2ll`: strict decimal, no sign but '-', no leading zeros, no blanks.
pub(crate) fn string2ll(s: &[u8]) -> Option<i64> {
    // LONG_STR_SIZE is 21: anything that long cannot be a long long for Redis.
    if s.is_empty() || s.len() >= 21 {
        return None;
    }
    if s == b"0" {
        return Some(0);
    }
    let (neg, digits) = match s.split_first() {
        Some((b'-', rest)) if !rest.is_empty() => (true, rest),
        Some((b'-', _)) => return None,
        _ => (false, s),
    };
    if !matches!(digits.first(), Some(b'1'..=b'9')) {
        return None;
    }
    let mut v: u64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    if neg {
        if v > i64::MAX as u64 + 1 {
            return None;
        }
        Some((v as i64).wrapping_neg())
    } else {
        i64::try_from(v).ok()
    }
}

/// What C `strtoll(s, &end, base)` computes: the value (saturated on overflow), how many
/// bytes it consumed (0 when no digits: `end` stays at `s`), and whether errno became ERANGE.
pub(crate) fn strtoll(s: &[u8], base: u32) -> (i64, usize, bool) {
    let s = c_str(s);
    let mut p = 0;
    while p < s.len() && is_c_space(s[p]) {
        p += 1;
    }
    let mut neg = false;
    if p < s.len() && (s[p] == b'+' || s[p] == b'-') {
        neg = s[p] == b'-';
        p += 1;
    }
    let start = p;
    let mut acc: u128 = 0;
    while p < s.len() {
        let d = match (s[p] as char).to_digit(base) {
            Some(d) => d,
            None => break,
        };
        acc = (acc * u128::from(base) + u128::from(d)).min(u128::from(u64::MAX) + 1);
        p += 1;
    }
    if p == start {
        return (0, 0, false);
    }
    let limit = if neg { i64::MAX as u128 + 1 } else { i64::MAX as u128 };
    if acc > limit {
        return (if neg { i64::MIN } else { i64::MAX }, p, true);
    }
    let v = if neg { (acc as i64).wrapping_neg() } else { acc as i64 };
    (v, p, false)
}

/// `strtoll` followed by Redis's usual "`*endptr != '\0'` is an error" check. Overflow is
/// not checked by those callers, so it saturates silently like in C.
pub(crate) fn strtoll_whole(s: &[u8]) -> Option<i64> {
    let s = c_str(s);
    let (v, end, _) = strtoll(s, 10);
    if end == s.len() {
        Some(v)
    } else {
        None
    }
}

/// Redis `memtoull`: digits then an optional unit (b, k, kb, m, mb, g, gb, any case).
/// k/m/g are powers of 1000, kb/mb/gb powers of 1024. Quirks kept: the empty string and a
/// bare unit are 0, and an overlong digit run saturates before the unit is applied.
pub(crate) fn memtoull(s: &[u8]) -> Option<u64> {
    let s = c_str(s);
    if s.first() == Some(&b'-') {
        return None;
    }
    let ndig = s.iter().take_while(|b| b.is_ascii_digit()).count();
    let unit = s[ndig..].to_ascii_lowercase();
    let mul: u64 = match unit.as_slice() {
        b"" | b"b" => 1,
        b"k" => 1000,
        b"kb" => 1024,
        b"m" => 1000 * 1000,
        b"mb" => 1024 * 1024,
        b"g" => 1000 * 1000 * 1000,
        b"gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    if ndig >= 128 {
        return None;
    }
    let mut val: u64 = 0;
    for &d in &s[..ndig] {
        val = val.saturating_mul(10).saturating_add(u64::from(d - b'0'));
    }
    if val > u64::MAX / mul {
        return None;
    }
    Some(val * mul)
}

/// Redis `string2d`: the whole string must be a `strtod` number, no leading blank, no NaN,
/// no overflow to infinity and no underflow to zero.
pub(crate) fn string2d(s: &[u8]) -> Option<f64> {
    let s = c_str(s);
    if s.is_empty() || is_c_space(s[0]) {
        return None;
    }
    let text = std::str::from_utf8(s).ok()?;
    let body = text.trim_start_matches(['+', '-']);
    let lower = body.to_ascii_lowercase();
    let v = if lower.starts_with("0x") && text.len() - body.len() <= 1 {
        let v = parse_hex_float(&lower[2..])?;
        if text.starts_with('-') {
            -v
        } else {
            v
        }
    } else if text.len() - body.len() > 1 || lower.starts_with("nan") {
        return None;
    } else {
        let v: f64 = text.parse().ok()?;
        let literal_inf = lower.starts_with("inf");
        if v.is_infinite() && !literal_inf {
            return None;
        }
        let mantissa = lower.split('e').next().unwrap_or("");
        if v == 0.0 && mantissa.bytes().any(|b| (b'1'..=b'9').contains(&b)) {
            return None;
        }
        v
    };
    if v.is_nan() {
        None
    } else {
        Some(v)
    }
}

/// The hexadecimal form `strtod` accepts after "0x": hex digits, optional fraction,
/// optional binary exponent `p[+-]N`.
fn parse_hex_float(s: &str) -> Option<f64> {
    let (mant, exp) = match s.find('p') {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (int_part, frac_part) = match mant.find('.') {
        Some(i) => (&mant[..i], &mant[i + 1..]),
        None => (mant, ""),
    };
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    let mut v = 0f64;
    for c in int_part.chars() {
        v = v * 16.0 + f64::from(c.to_digit(16)?);
    }
    let mut scale = 1.0 / 16.0;
    for c in frac_part.chars() {
        v += f64::from(c.to_digit(16)?) * scale;
        scale /= 16.0;
    }
    if let Some(e) = exp {
        let e: i32 = e.parse().ok()?;
        v *= 2f64.powi(e);
    }
    if v.is_infinite() {
        None
    } else {
        Some(v)
    }
}

/// `printf("%f")` followed by Redis `trimDoubleString` (drop trailing zeros and a bare dot).
pub(crate) fn fmt_percentile(v: f64) -> String {
    let mut s = format!("{v:.6}");
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    s
}

/// `strerror(errno)` text for an I/O error, without Rust's " (os error N)" suffix.
pub(crate) fn strerror(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.rfind(" (os error ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// Lossy text for bytes that Redis would print as they are.
pub(crate) fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}
