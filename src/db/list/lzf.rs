//! LZF-style compression of interior list nodes (`list-compress-depth`), as Redis's
//! quicklist does: literal runs of 1..=32 bytes and back-references of 3..=264 bytes up to
//! 8 KiB back, found with a small hash of 3-byte sequences.

const HLOG: u32 = 13;
const MAX_LIT: usize = 32;
const MAX_OFF: usize = 1 << 13;
const MAX_REF: usize = (1 << 8) + (1 << 3);

#[inline]
fn hash(a: u8, b: u8, c: u8) -> usize {
    let v = ((a as u32) << 16) | ((b as u32) << 8) | c as u32;
    (v.wrapping_mul(2_654_435_761) >> (32 - HLOG)) as usize
}

/// Compress `src`; None when the result would not be smaller than `src` by `min_gain`.
pub fn compress(src: &[u8], min_gain: usize) -> Option<Vec<u8>> {
    let limit = src.len().checked_sub(min_gain)?;
    let mut out: Vec<u8> = Vec::with_capacity(limit + 1);
    let mut table = vec![0u32; 1 << HLOG];
    let mut lit_start = 0usize;
    let mut i = 0usize;
    let flush_lits = |out: &mut Vec<u8>, from: usize, to: usize| {
        let mut s = from;
        while s < to {
            let n = (to - s).min(MAX_LIT);
            out.push((n - 1) as u8);
            out.extend_from_slice(&src[s..s + n]);
            s += n;
        }
    };
    while i + 2 < src.len() {
        let h = hash(src[i], src[i + 1], src[i + 2]);
        let cand = table[h] as usize;
        table[h] = (i + 1) as u32;
        if cand > 0 {
            let r = cand - 1;
            let dist = i - r;
            if dist > 0 && dist <= MAX_OFF && src[r..r + 3] == src[i..i + 3] {
                let max = (src.len() - i).min(MAX_REF);
                let mut len = 3;
                while len < max && src[r + len] == src[i + len] {
                    len += 1;
                }
                flush_lits(&mut out, lit_start, i);
                let off = dist - 1;
                let l = len - 2;
                if l < 7 {
                    out.push(((l as u8) << 5) | (off >> 8) as u8);
                } else {
                    out.push((7 << 5) | (off >> 8) as u8);
                    out.push((l - 7) as u8);
                }
                out.push(off as u8);
                i += len;
                lit_start = i;
                if out.len() > limit {
                    return None;
                }
                continue;
            }
        }
        i += 1;
    }
    flush_lits(&mut out, lit_start, src.len());
    (out.len() <= limit).then(|| {
        out.shrink_to_fit();
        out
    })
}

/// Decompress what `compress` produced; `raw_len` is the original size.
pub fn decompress(src: &[u8], raw_len: usize) -> Vec<u8> {
    let mut out: Vec<u8> = Vec::with_capacity(raw_len);
    let mut i = 0;
    while i < src.len() {
        let c = src[i] as usize;
        i += 1;
        if c < 32 {
            let n = c + 1;
            out.extend_from_slice(&src[i..i + n]);
            i += n;
        } else {
            let mut len = c >> 5;
            if len == 7 {
                len += src[i] as usize;
                i += 1;
            }
            let off = ((c & 0x1f) << 8) | src[i] as usize;
            i += 1;
            let start = out.len() - off - 1;
            // Overlapping copies repeat the pattern, so copy byte by byte.
            for k in 0..len + 2 {
                let b = out[start + k];
                out.push(b);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrips() {
        let mut seed = 12345u64;
        let mut inputs: Vec<Vec<u8>> = vec![
            vec![b'x'; 10_000],
            b"abcabcabcabcabcabcabcabc".repeat(300),
            (0..8000u32).flat_map(|i| format!("value:{i:06}").into_bytes()).collect(),
        ];
        for _ in 0..20 {
            let n = 100 + (seed % 9000) as usize;
            let alphabet = 1 + (seed % 7) as u8;
            inputs.push(
                (0..n)
                    .map(|_| {
                        seed ^= seed << 13;
                        seed ^= seed >> 7;
                        seed ^= seed << 17;
                        b'a' + (seed % alphabet as u64) as u8
                    })
                    .collect(),
            );
        }
        for src in inputs {
            if let Some(c) = compress(&src, 8) {
                assert!(c.len() + 8 <= src.len());
                assert_eq!(decompress(&c, src.len()), src);
            }
        }
        assert!(compress(&vec![b'x'; 10_000], 8).unwrap().len() < 200);
    }

    #[test]
    fn incompressible_input_is_refused() {
        let src: Vec<u8> = (0..=255u8).collect();
        assert!(compress(&src, 8).is_none());
    }
}
