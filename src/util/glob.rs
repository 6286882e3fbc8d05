//! Glob-style matching exactly as Redis's `stringmatchlen` (KEYS, SCAN MATCH, PSUBSCRIBE,
//! CONFIG GET): `*`, `?`, `[...]` with ranges and `^` negation, `\` escapes, optional
//! case folding, the "skip longer matches" early exit and the nesting limit that keep
//! pathological patterns cheap.
//!
//! The code mirrors the C state machine step by step, because its quirks are observable
//! (unterminated `[`, a trailing `\`, reversed ranges, signed `char` range comparison).
//! The C version reads one byte past the pattern's end relying on the sds NUL terminator;
//! `at` returns 0 there so the same decisions are taken.

/// Redis gives up (no match) beyond this many nested `*` expansions, so the recursion
/// depth is bounded whatever the pattern.
const MAX_NESTING: u32 = 1000;

/// Does `s` match `pattern`? (Redis `stringmatchlen`.)
///
/// Note `string_match(b"*", b"", _)` is false, as in Redis; KEYS and SCAN never call the
/// matcher for a lone "*" (they take every key, the empty name included), PSUBSCRIBE does.
/// More than 1000 nested `*` expansions give "no match", as in 7.0.15.
pub fn string_match(pattern: &[u8], s: &[u8], nocase: bool) -> bool {
    let mut skip_longer = false;
    match_impl(pattern, 0, s, 0, nocase, &mut skip_longer, 0)
}

#[inline]
fn at(b: &[u8], i: usize) -> u8 {
    b.get(i).copied().unwrap_or(0)
}

/// C `tolower` in the "C" locale: only ASCII letters fold.
#[inline]
fn fold(c: u8, nocase: bool) -> u8 {
    if nocase {
        c.to_ascii_lowercase()
    } else {
        c
    }
}

/// Range bounds in Redis are compared as (signed) `char` promoted to `int`, so bytes
/// >= 0x80 sort below ASCII.
#[inline]
fn signed(c: u8) -> i32 {
    c as i8 as i32
}

fn match_impl(
    pat: &[u8],
    mut p: usize,
    s: &[u8],
    mut i: usize,
    nocase: bool,
    skip_longer: &mut bool,
    nesting: u32,
) -> bool {
    if nesting > MAX_NESTING {
        return false;
    }
    let plen = pat.len();
    let slen = s.len();
    // Invariant (as in C): `p <= plen`, `i <= slen`; remaining lengths are the differences.
    while p < plen && i < slen {
        match pat[p] {
            b'*' => {
                while p < plen && at(pat, p + 1) == b'*' {
                    p += 1;
                }
                if plen - p == 1 {
                    return true;
                }
                while i < slen {
                    if match_impl(pat, p + 1, s, i, nocase, skip_longer, nesting + 1) {
                        return true;
                    }
                    if *skip_longer {
                        return false;
                    }
                    i += 1;
                }
                // The rest of the pattern matches nowhere in the rest of the string, so
                // earlier stars cannot help by consuming more: unwind everything.
                *skip_longer = true;
                return false;
            }
            b'?' => {
                i += 1;
            }
            b'[' => {
                p += 1;
                let not = at(pat, p) == b'^';
                if not {
                    p += 1;
                }
                let c = s[i];
                let mut matched = false;
                loop {
                    let rem = plen - p;
                    let pc = at(pat, p);
                    if pc == b'\\' && rem >= 2 {
                        p += 1;
                        if pat[p] == c {
                            matched = true;
                        }
                    } else if pc == b']' {
                        break;
                    } else if rem == 0 {
                        // Unterminated class: step back so the shared `p += 1` below
                        // lands exactly on the end of the pattern.
                        p -= 1;
                        break;
                    } else if rem >= 3 && at(pat, p + 1) == b'-' {
                        let mut start = signed(pc);
                        let mut end = signed(pat[p + 2]);
                        let mut ch = signed(c);
                        if start > end {
                            std::mem::swap(&mut start, &mut end);
                        }
                        if nocase {
                            start = lower_i32(start);
                            end = lower_i32(end);
                            ch = lower_i32(ch);
                        }
                        p += 2;
                        if ch >= start && ch <= end {
                            matched = true;
                        }
                    } else if fold(pc, nocase) == fold(c, nocase) {
                        matched = true;
                    }
                    p += 1;
                }
                if not {
                    matched = !matched;
                }
                if !matched {
                    return false;
                }
                i += 1;
            }
            first => {
                let mut pc = first;
                if first == b'\\' && plen - p >= 2 {
                    p += 1;
                    pc = pat[p];
                }
                if fold(pc, nocase) != fold(s[i], nocase) {
                    return false;
                }
                i += 1;
            }
        }
        p += 1;
        if i == slen {
            while at(pat, p) == b'*' {
                p += 1;
            }
            break;
        }
    }
    p == plen && i == slen
}

/// `tolower` on a promoted signed char: negative values (bytes >= 0x80) are unchanged.
#[inline]
fn lower_i32(c: i32) -> i32 {
    if (b'A' as i32..=b'Z' as i32).contains(&c) {
        c + 32
    } else {
        c
    }
}

/// The fuzz test behind DEBUG STRINGMATCH-TEST (7.0.15's name for it; there is no
/// STRINGMATCH-LEN subcommand): random patterns and strings below 32 bytes of 7-bit bytes,
/// as Redis's `stringmatchlen_fuzz_test`; returns the number of iterations run. Redis runs
/// 10,000,000 iterations (about 10 s) and then replies
/// "+Apparently Redis did not crash: test passed".
pub fn fuzz_test(iterations: usize) -> usize {
    // Same shape as Redis's stringmatchlen_fuzz_test: lengths below 32, bytes below 128.
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let mut s = [0u8; 32];
    let mut pat = [0u8; 32];
    let mut total_matches = 0usize;
    for _ in 0..iterations {
        let slen = (rng.next() % 32) as usize;
        let plen = (rng.next() % 32) as usize;
        for b in &mut s[..slen] {
            *b = (rng.next() % 128) as u8;
        }
        for b in &mut pat[..plen] {
            *b = (rng.next() % 128) as u8;
        }
        total_matches += string_match(&pat[..plen], &s[..slen], false) as usize;
    }
    std::hint::black_box(total_matches);
    iterations
}

struct XorShift(u64);
impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (pattern, string, nocase, expected), each checked against Redis 7.0.15: case-sensitive
    /// rows with KEYS on a one-key database, nocase rows with COMMAND LIST FILTERBY PATTERN.
    const CASES: &[(&[u8], &[u8], bool, bool)] = &[
        (b"", b"", false, true),
        // KEYS and SCAN special-case a lone "*"; the matcher itself (as PSUBSCRIBE shows:
        // PUBLISH to "" reaches no "*" subscriber) says no.
        (b"*", b"", false, false),
        (b"a", b"a", false, true),
        (b"a", b"A", false, false),
        (b"a", b"ab", false, false),
        (b"*", b"anything", false, true),
        (b"**", b"x", false, true),
        (b"a*", b"a", false, true),
        (b"a*b", b"ab", false, true),
        (b"a*b", b"axxb", false, true),
        (b"a*b", b"axxbc", false, false),
        (b"*b*", b"abc", false, true),
        (b"a**b", b"ab", false, true),
        (b"?", b"", false, false),
        (b"?", b"x", false, true),
        (b"??", b"x", false, false),
        (b"h?llo", b"hello", false, true),
        (b"h*llo", b"hllo", false, true),
        (b"h[ae]llo", b"hello", false, true),
        (b"h[ae]llo", b"hillo", false, false),
        (b"h[^e]llo", b"hallo", false, true),
        (b"h[^e]llo", b"hello", false, false),
        (b"h[a-b]llo", b"hbllo", false, true),
        (b"h[a-b]llo", b"hcllo", false, false),
        (b"[z-a]", b"m", false, true),
        (b"[z-a]", b"A", false, false),
        (b"[^a-c]", b"b", false, false),
        (b"[^a-c]", b"d", false, true),
        (b"[a-]", b"-", false, false),
        (b"[a-]", b"a", false, true),
        (b"[-a]", b"-", false, true),
        (b"[]", b"]", false, false),
        (b"[]]", b"]", false, false),
        (b"[]a]", b"a", false, false),
        (b"[abc", b"a", false, true),
        (b"[abc", b"c", false, true),
        (b"[abc", b"abc", false, false),
        (b"[", b"[", false, false),
        (b"[^", b"x", false, true),
        (b"[^", b"", false, false),
        (b"[a", b"a", false, true),
        (b"x[", b"x", false, false),
        (b"[\\", b"\\", false, true),
        (b"[\\]]", b"]", false, true),
        (b"[\\]", b"\\", false, false),
        (b"[\\^]", b"^", false, true),
        (b"[\\-]", b"-", false, true),
        (b"[a\\-z]", b"b", false, false),
        (b"[a\\-z]", b"-", false, true),
        (b"\\*", b"*", false, true),
        (b"\\*", b"a", false, false),
        (b"\\?", b"?", false, true),
        (b"\\[a]", b"[a]", false, true),
        (b"\\", b"\\", false, true),
        (b"a\\", b"a\\", false, true),
        (b"\\\\", b"\\", false, true),
        (b"\\a", b"a", false, true),
        (b"*\\", b"ab\\", false, true),
        (b"[*]", b"*", false, true),
        (b"[?]", b"x", false, false),
        (b"*a", b"aaa", false, true),
        (b"a*a*a*b", b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false, false),
        (b"*a*", b"xyz", false, false),
        (b"*?", b"", false, false),
        (b"*?", b"a", false, true),
        (b"?*?", b"a", false, false),
        (b"[\x80-\xff]", b"\x90", false, true),
        (b"[a-\xff]", b"\x80", false, false),
        (b"[a-\xff]", b"\xff", false, true),
        (b"[a-\xff]", b"b", false, false),
        (b"[a-\xff]", b"A", false, true),
        (b"[\x00-a]", b"A", false, true),
        (b"a\x00b", b"a\x00b", false, true),
        (b"*\x00", b"x\x00", false, true),
        (b"GET", b"get", true, true),
        (b"G?T", b"get", true, true),
        (b"[F-H]ET", b"get", true, true),
        (b"[f-h]ET", b"get", true, true),
        (b"[^G]ET", b"get", true, false),
        (b"[G]ET", b"get", true, true),
        (b"\\GET", b"get", true, true),
        (b"[\\G]ET", b"get", true, false),
        (b"*KILL", b"client|kill", true, true),
        (b"CLIENT[|]*", b"client|kill", true, true),
        (b"[Z-A]et", b"get", true, true),
        (b"[_-a]et", b"get", true, false),
        (b"[_-a]et", b"set", true, false),
        (b"[A-_]et", b"get", true, false),
    ];

    #[test]
    fn oracle_table() {
        for &(p, s, nocase, want) in CASES {
            assert_eq!(
                string_match(p, s, nocase),
                want,
                "pattern {:?} string {:?} nocase {}",
                String::from_utf8_lossy(p),
                String::from_utf8_lossy(s),
                nocase
            );
        }
    }

    #[test]
    fn nesting_limit_matches_redis() {
        // Verified on 7.0.15: KEYS ("*a" x 1000) finds "a" x 1100, ("*a" x 1001) does not.
        let s = vec![b'a'; 1100];
        assert!(string_match(&b"*a".repeat(1000), &s, false));
        assert!(!string_match(&b"*a".repeat(1001), &s, false));
    }

    #[test]
    fn huge_patterns_do_not_overflow_the_stack() {
        let mb = 1 << 20;
        let s = vec![b'x'; 1000];
        assert!(string_match(&vec![b'*'; mb], &s, false));
        assert!(!string_match(&vec![b'['; mb], &s, false));
        assert!(!string_match(&b"*x".repeat(mb / 2), &s, false));
        assert!(!string_match(&b"[^".repeat(mb / 2), &s, false));
        assert!(!string_match(&vec![b'\\'; mb], &s, false));
    }

    #[test]
    fn pathological_patterns_are_fast() {
        let s = vec![b'a'; 50_000];
        assert!(!string_match(&b"*?".repeat(50_000), &s, false));
        assert!(!string_match(&b"(*?)".repeat(50_000), &s, false));
        let mut p = b"a*".repeat(200);
        p.push(b'b');
        assert!(!string_match(&p, &[b'a'; 40], false));
        assert!(string_match(&b"*?".repeat(100), &s, false));
    }

    #[test]
    fn fuzz_runs() {
        assert_eq!(fuzz_test(20_000), 20_000);
    }
}
