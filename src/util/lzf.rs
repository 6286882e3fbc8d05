//! LZF as Redis uses it for RDB strings and quicklist nodes: the compressor reproduces
//! liblzf's `lzf_compress` (Redis's lzf_c.c: HLOG 16, VERY_FAST) byte for byte, so DUMP
//! payloads equal Redis's; the decompressor accepts any valid LZF stream.

const HSIZE: usize = 1 << 16;
const MAX_LIT: usize = 1 << 5;
const MAX_OFF: usize = 1 << 13;
const MAX_REF: usize = (1 << 8) + (1 << 3);

/// Compress `input` into at most `out_len` bytes; None when it does not fit (liblzf
/// returning 0). Redis's hash table starts with stale stack contents; a fresh one is the
/// reproducible case.
pub fn compress(input: &[u8], out_len: usize) -> Option<Vec<u8>> {
    let in_len = input.len();
    if in_len == 0 || out_len == 0 || in_len >= u32::MAX as usize {
        return None;
    }
    let idx = |h: u32| ((h >> 8).wrapping_sub(h.wrapping_mul(5)) as usize) & (HSIZE - 1);
    let frst = |p: usize| (u32::from(input[p]) << 8) | u32::from(input[p + 1]);
    let next = |v: u32, p: usize| (v << 8) | u32::from(input[p + 2]);
    // Positions + 1, so the zeroed (calloc'd, lazily paged) table means "empty".
    let mut htab = vec![0u32; HSIZE];
    let mut out = vec![0u8; out_len + 2];
    let (mut ip, mut op, mut lit) = (0usize, 1usize, 0usize);
    if in_len >= 3 {
        let mut hval = frst(0);
        while ip < in_len - 2 {
            hval = next(hval, ip);
            let slot = idx(hval);
            let r = (htab[slot] as usize).wrapping_sub(1);
            htab[slot] = ip as u32 + 1;
            let matched = r != usize::MAX
                && r < ip
                && ip - r - 1 < MAX_OFF
                && r > 0
                && input[r..r + 3] == input[ip..ip + 3];
            if matched {
                let off = ip - r - 1;
                let mut len = 2usize;
                let maxlen = (in_len - ip - len).min(MAX_REF);
                out[op - lit - 1] = (lit as u8).wrapping_sub(1);
                if lit == 0 {
                    op -= 1;
                }
                if op + 3 + 1 >= out_len {
                    return None;
                }
                let mut stopped = false;
                if maxlen > 16 {
                    for _ in 0..16 {
                        len += 1;
                        if input[r + len] != input[ip + len] {
                            stopped = true;
                            break;
                        }
                    }
                }
                if !stopped {
                    loop {
                        len += 1;
                        if !(len < maxlen && input[r + len] == input[ip + len]) {
                            break;
                        }
                    }
                }
                len -= 2;
                ip += 1;
                if len < 7 {
                    out[op] = ((off >> 8) + (len << 5)) as u8;
                    op += 1;
                } else {
                    out[op] = ((off >> 8) + (7 << 5)) as u8;
                    out[op + 1] = (len - 7) as u8;
                    op += 2;
                }
                out[op] = off as u8;
                op += 1;
                lit = 0;
                op += 1;
                ip += len + 1;
                if ip >= in_len - 2 {
                    break;
                }
                ip -= 2;
                hval = frst(ip);
                hval = next(hval, ip);
                htab[idx(hval)] = ip as u32 + 1;
                ip += 1;
                hval = next(hval, ip);
                htab[idx(hval)] = ip as u32 + 1;
                ip += 1;
            } else {
                if op >= out_len {
                    return None;
                }
                out[op] = input[ip];
                lit += 1;
                op += 1;
                ip += 1;
                if lit == MAX_LIT {
                    out[op - lit - 1] = (lit - 1) as u8;
                    lit = 0;
                    op += 1;
                }
            }
        }
    }
    if op + 3 > out_len {
        return None;
    }
    while ip < in_len {
        out[op] = input[ip];
        lit += 1;
        op += 1;
        ip += 1;
        if lit == MAX_LIT {
            out[op - lit - 1] = (lit - 1) as u8;
            lit = 0;
            op += 1;
        }
    }
    out[op - lit - 1] = (lit as u8).wrapping_sub(1);
    if lit == 0 {
        op -= 1;
    }
    out.truncate(op);
    Some(out)
}

/// Decompress `src`, which must expand to exactly `len` bytes; None for anything malformed.
/// The output size comes from untrusted input, so it is capped by what `src` can expand to
/// before anything is reserved.
pub fn decompress(src: &[u8], len: usize) -> Option<Vec<u8>> {
    if len > src.len().saturating_mul(MAX_REF + 2) {
        return None;
    }
    let mut out = Vec::with_capacity(len);
    let mut i = 0;
    while i < src.len() {
        let ctrl = src[i] as usize;
        i += 1;
        if ctrl < 32 {
            let n = ctrl + 1;
            out.extend_from_slice(src.get(i..i + n)?);
            i += n;
        } else {
            let mut n = ctrl >> 5;
            if n == 7 {
                n += *src.get(i)? as usize;
                i += 1;
            }
            let back = ((ctrl & 0x1f) << 8) + *src.get(i)? as usize + 1;
            i += 1;
            let start = out.len().checked_sub(back)?;
            for k in 0..n + 2 {
                let c = out[start + k];
                out.push(c);
            }
        }
        if out.len() > len {
            return None;
        }
    }
    (out.len() == len).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_garbage() {
        let data: Vec<u8> = b"hello hello hello hello hello world world world"
            .iter()
            .cycle()
            .take(5000)
            .copied()
            .collect();
        let c = compress(&data, data.len() - 4).unwrap();
        assert!(c.len() < data.len() / 4);
        assert_eq!(decompress(&c, data.len()).unwrap(), data);
        assert!(decompress(&c, data.len() + 1).is_none());
        assert!(decompress(&c[..c.len() - 1], data.len()).is_none());
        assert_eq!(decompress(&[0, b'a', 7 << 5, 0, 0], 10).unwrap(), b"aaaaaaaaaa");
        // Incompressible input does not fit its own length minus 4.
        let noise: Vec<u8> =
            (0..200u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
        assert!(compress(&noise, noise.len() - 4).is_none());
    }

    #[test]
    fn matches_liblzf_output() {
        // `redis-cli DUMP` of SET k "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" (50 a's)
        // carries C3 09 32 then this LZF body (a match never starts at offset 0).
        let a = vec![b'a'; 50];
        let want = [0x01, b'a', b'a', 0xe0, 0x25, 0x00, 0x01, b'a', b'a'];
        assert_eq!(compress(&a, 46).unwrap(), want);
    }
}
