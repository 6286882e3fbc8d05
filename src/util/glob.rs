//! Glob-style matching exactly as Redis's `stringmatchlen` (KEYS, SCAN MATCH, PSUBSCRIBE,
//! CONFIG GET): `*`, `?`, `[...]` with ranges and `^` negation, `\` escapes, optional
//! case folding, the "skip longer matches" early exit and the nesting limit that keep
//! pathological patterns cheap.

/// Does `s` match `pattern`?
pub fn string_match(_pattern: &[u8], _s: &[u8], _nocase: bool) -> bool {
    unimplemented!()
}

/// DEBUG STRINGMATCH-LEN: Redis runs a fuzz test of the matcher on random patterns and
/// strings; return the number of iterations run (no panic allowed).
pub fn fuzz_test(_iterations: usize) -> usize {
    unimplemented!()
}
