//! HyperLogLog with Redis's exact representation, so the bytes GET returns match Redis's for
//! the same inserts and a value written by Redis is read here.
//!
//! The value is a plain string: a 16-byte header (`HYLL`, encoding byte, 3 unused bytes, the
//! cached cardinality little endian with bit 63 meaning "stale") and then either 16384 6-bit
//! registers packed LSB first (dense, 12288 bytes) or a run-length encoding of them (sparse):
//! ZERO `00xxxxxx` (1..64 zero registers), XZERO `01xxxxxx yyyyyyyy` (1..16384) and VAL
//! `1vvvvvxx` (value 1..32 repeated 1..4 times). Every update follows Redis's algorithm step
//! for step (including the split and the 5-opcode merge scan), because the sparse layout is
//! not canonical: another correct algorithm would produce different bytes.

pub const P: u32 = 14;
pub const Q: u32 = 64 - P;
pub const REGISTERS: usize = 1 << P;
const P_MASK: u64 = REGISTERS as u64 - 1;
const BITS: usize = 6;
const REGISTER_MAX: u8 = (1 << BITS) - 1;
pub const HDR_SIZE: usize = 16;
pub const DENSE_SIZE: usize = HDR_SIZE + (REGISTERS * BITS).div_ceil(8);
pub const DENSE: u8 = 0;
pub const SPARSE: u8 = 1;
const MAX_ENCODING: u8 = 1;

const SPARSE_VAL_MAX_VALUE: u8 = 32;
const SPARSE_VAL_MAX_LEN: usize = 4;
const SPARSE_ZERO_MAX_LEN: usize = 64;
const SPARSE_XZERO_MAX_LEN: usize = 16384;
const ALPHA_INF: f64 = 0.721_347_520_444_481_7;

/// The sparse representation did not add up to 16384 registers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Corrupt;

/// MurmurHash64A as Redis modified it (endian neutral), seed 0xadc83b19.
pub fn murmur64a(key: &[u8], seed: u64) -> u64 {
    const M: u64 = 0xc6a4_a793_5bd1_e995;
    const R: u32 = 47;
    let mut h = seed ^ (key.len() as u64).wrapping_mul(M);
    let mut chunks = key.chunks_exact(8);
    for c in &mut chunks {
        let mut k = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h ^= k;
        h = h.wrapping_mul(M);
    }
    let tail = chunks.remainder();
    if !tail.is_empty() {
        for (i, &b) in tail.iter().enumerate() {
            h ^= (b as u64) << (8 * i);
        }
        h = h.wrapping_mul(M);
    }
    h ^= h >> R;
    h = h.wrapping_mul(M);
    h ^= h >> R;
    h
}

/// Register index and run length of `000..1` for an element (Redis's hllPatLen).
pub fn pat_len(ele: &[u8]) -> (usize, u8) {
    let hash = murmur64a(ele, 0xadc8_3b19);
    let index = (hash & P_MASK) as usize;
    let rest = (hash >> P) | (1u64 << Q);
    (index, rest.trailing_zeros() as u8 + 1)
}

/// A new, empty HLL: sparse, one XZERO opcode, cached cardinality 0 (valid).
pub fn new_sparse() -> Vec<u8> {
    let mut v = vec![0u8; HDR_SIZE];
    v[..4].copy_from_slice(b"HYLL");
    v[4] = SPARSE;
    let mut left = REGISTERS;
    while left > 0 {
        let n = left.min(SPARSE_XZERO_MAX_LEN);
        push_xzero(&mut v, n);
        left -= n;
    }
    v
}

/// Redis's isHLLObjectOrReply structural check (the caller checks the type).
pub fn is_valid(b: &[u8]) -> bool {
    if b.len() < HDR_SIZE || &b[..4] != b"HYLL" || b[4] > MAX_ENCODING {
        return false;
    }
    b[4] != DENSE || b.len() == DENSE_SIZE
}

pub fn invalidate_cache(b: &mut [u8]) {
    b[15] |= 0x80;
}

pub fn cached_card(b: &[u8]) -> Option<u64> {
    (b[15] & 0x80 == 0).then(|| u64::from_le_bytes(b[8..16].try_into().unwrap_or([0; 8])))
}

pub fn set_cached_card(b: &mut [u8], card: u64) {
    b[8..16].copy_from_slice(&card.to_le_bytes());
}

#[inline]
pub fn dense_get(regs: &[u8], i: usize) -> u8 {
    let byte = i * BITS / 8;
    let fb = (i * BITS) & 7;
    let b0 = regs[byte] as u16;
    // The last register's second byte is past the array in Redis (the sds terminator, 0).
    let b1 = regs.get(byte + 1).copied().unwrap_or(0) as u16;
    (((b0 >> fb) | (b1 << (8 - fb))) as u8) & REGISTER_MAX
}

#[inline]
pub fn dense_set(regs: &mut [u8], i: usize, val: u8) {
    let byte = i * BITS / 8;
    let fb = (i * BITS) & 7;
    let v = val as u16;
    regs[byte] &= !((REGISTER_MAX as u16) << fb) as u8;
    regs[byte] |= (v << fb) as u8;
    if let Some(b1) = regs.get_mut(byte + 1) {
        *b1 &= !((REGISTER_MAX as u16) >> (8 - fb)) as u8;
        *b1 |= (v >> (8 - fb)) as u8;
    }
}

/// Set a dense register if `count` is larger; true when it changed.
fn dense_update(regs: &mut [u8], i: usize, count: u8) -> bool {
    if count > dense_get(regs, i) {
        dense_set(regs, i, count);
        true
    } else {
        false
    }
}

/// One sparse opcode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Zero(usize),
    XZero(usize),
    Val(u8, usize),
}

impl Op {
    #[inline]
    fn at(b: &[u8], p: usize) -> Op {
        let c = b[p];
        if c & 0xc0 == 0 {
            Op::Zero((c & 0x3f) as usize + 1)
        } else if c & 0x80 == 0 {
            let lo = b.get(p + 1).copied().unwrap_or(0) as usize;
            Op::XZero(((((c & 0x3f) as usize) << 8) | lo) + 1)
        } else {
            Op::Val(((c >> 2) & 0x1f) + 1, (c & 3) as usize + 1)
        }
    }

    fn len(self) -> usize {
        if matches!(self, Op::XZero(_)) {
            2
        } else {
            1
        }
    }

    fn span(self) -> usize {
        match self {
            Op::Zero(n) | Op::XZero(n) | Op::Val(_, n) => n,
        }
    }
}

fn val_byte(val: u8, len: usize) -> u8 {
    ((val - 1) << 2) | (len as u8 - 1) | 0x80
}

fn push_zero_run(out: &mut Vec<u8>, len: usize) {
    if len > SPARSE_ZERO_MAX_LEN {
        push_xzero(out, len);
    } else {
        out.push(len as u8 - 1);
    }
}

fn push_xzero(out: &mut Vec<u8>, len: usize) {
    let l = len - 1;
    out.push((l >> 8) as u8 | 0x40);
    out.push((l & 0xff) as u8);
}

/// Walk the sparse opcodes: `f(first_register, op)`. Returns the registers covered.
fn sparse_walk(b: &[u8], mut f: impl FnMut(usize, Op)) -> usize {
    let mut p = HDR_SIZE;
    let mut idx = 0;
    while p < b.len() {
        let op = Op::at(b, p);
        f(idx, op);
        idx += op.span();
        p += op.len();
    }
    idx
}

/// Sparse to dense, keeping the header (magic and cached cardinality) as Redis does.
pub fn sparse_to_dense(b: &mut Vec<u8>) -> Result<(), Corrupt> {
    if b[4] == DENSE {
        return Ok(());
    }
    let mut dense = vec![0u8; DENSE_SIZE];
    dense[..HDR_SIZE].copy_from_slice(&b[..HDR_SIZE]);
    dense[4] = DENSE;
    let mut overflow = false;
    let idx = sparse_walk(b, |first, op| {
        if let Op::Val(v, n) = op {
            if first + n > REGISTERS {
                overflow = true;
                return;
            }
            for i in first..first + n {
                dense_set(&mut dense[HDR_SIZE..], i, v);
            }
        }
    });
    if overflow || idx != REGISTERS {
        return Err(Corrupt);
    }
    *b = dense;
    Ok(())
}

/// Redis's hllSparseSet: Ok(true) when the register grew (possibly promoting to dense).
fn sparse_set(b: &mut Vec<u8>, index: usize, count: u8, max_bytes: usize) -> Result<bool, Corrupt> {
    if count > SPARSE_VAL_MAX_VALUE {
        return promote(b, index, count);
    }
    // Step 1: find the opcode covering `index`.
    let end = b.len();
    let mut p = HDR_SIZE;
    let mut first = 0usize;
    let mut prev: Option<usize> = None;
    let mut span = 0;
    let mut op = Op::Zero(1);
    while p < end {
        op = Op::at(b, p);
        span = op.span();
        if index < first + span {
            break;
        }
        prev = Some(p);
        p += op.len();
        first += span;
    }
    if span == 0 || p >= end {
        return Err(Corrupt);
    }
    // Step 2: the trivial in-place cases.
    let mut updated_in_place = false;
    match op {
        Op::Val(old, _) if old >= count => return Ok(false),
        Op::Val(_, 1) | Op::Zero(1) => {
            b[p] = val_byte(count, 1);
            updated_in_place = true;
        }
        _ => {}
    }
    if !updated_in_place {
        // The general case: split the opcode into at most three.
        let last = first + span - 1;
        let mut seq: Vec<u8> = Vec::with_capacity(5);
        match op {
            Op::Val(cur, _) => {
                if index != first {
                    seq.push(val_byte(cur, index - first));
                }
                seq.push(val_byte(count, 1));
                if index != last {
                    seq.push(val_byte(cur, last - index));
                }
            }
            _ => {
                if index != first {
                    push_zero_run(&mut seq, index - first);
                }
                seq.push(val_byte(count, 1));
                if index != last {
                    push_zero_run(&mut seq, last - index);
                }
            }
        }
        // Step 3: substitute, or promote when the string would pass the sparse limit.
        let old_len = op.len();
        if seq.len() > old_len && b.len() + seq.len() - old_len > max_bytes {
            return promote(b, index, count);
        }
        b.splice(p..p + old_len, seq);
    }
    // Step 4: merge adjacent VAL opcodes with equal values, scanning up to 5 opcodes.
    let mut p = prev.unwrap_or(HDR_SIZE);
    let mut scan = 5;
    while p < b.len() && scan > 0 {
        scan -= 1;
        match Op::at(b, p) {
            Op::XZero(_) => {
                p += 2;
                continue;
            }
            Op::Zero(_) => {
                p += 1;
                continue;
            }
            Op::Val(v1, l1) => {
                if p + 1 < b.len() {
                    if let Op::Val(v2, l2) = Op::at(b, p + 1) {
                        if v1 == v2 && l1 + l2 <= SPARSE_VAL_MAX_LEN {
                            b[p + 1] = val_byte(v1, l1 + l2);
                            b.remove(p);
                            // Retry at the same place: the merged run may merge again.
                            continue;
                        }
                    }
                }
                p += 1;
            }
        }
    }
    invalidate_cache(b);
    Ok(true)
}

fn promote(b: &mut Vec<u8>, index: usize, count: u8) -> Result<bool, Corrupt> {
    sparse_to_dense(b)?;
    // A promotion always happens because a register must grow.
    dense_update(&mut b[HDR_SIZE..], index, count);
    Ok(true)
}

/// Add one element (Redis's hllAdd). Ok(true) when a register changed.
pub fn add(b: &mut Vec<u8>, ele: &[u8], max_bytes: usize) -> Result<bool, Corrupt> {
    let (index, count) = pat_len(ele);
    set_register(b, index, count, max_bytes)
}

/// Raise register `index` to `count` in whatever encoding the value has.
pub fn set_register(
    b: &mut Vec<u8>,
    index: usize,
    count: u8,
    max_bytes: usize,
) -> Result<bool, Corrupt> {
    match b[4] {
        DENSE => Ok(dense_update(&mut b[HDR_SIZE..], index, count)),
        _ => sparse_set(b, index, count, max_bytes),
    }
}

/// max[i] = MAX(max[i], hll[i]) (Redis's hllMerge).
pub fn merge_into(max: &mut [u8; REGISTERS], b: &[u8]) -> Result<(), Corrupt> {
    if b[4] == DENSE {
        let regs = &b[HDR_SIZE..];
        for (i, m) in max.iter_mut().enumerate() {
            let v = dense_get(regs, i);
            if v > *m {
                *m = v;
            }
        }
        return Ok(());
    }
    let mut overflow = false;
    let idx = sparse_walk(b, |first, op| {
        if let Op::Val(v, n) = op {
            if overflow || first + n > REGISTERS {
                overflow = true;
                return;
            }
            for m in &mut max[first..first + n] {
                if v > *m {
                    *m = v;
                }
            }
        }
    });
    if overflow || idx != REGISTERS {
        return Err(Corrupt);
    }
    Ok(())
}

/// Register histogram of a stored HLL.
fn histogram(b: &[u8]) -> Result<[u32; 64], Corrupt> {
    let mut h = [0u32; 64];
    if b[4] == DENSE {
        let regs = &b[HDR_SIZE..];
        for i in 0..REGISTERS {
            h[dense_get(regs, i) as usize] += 1;
        }
        return Ok(h);
    }
    let idx = sparse_walk(b, |_, op| match op {
        Op::Zero(n) | Op::XZero(n) => h[0] += n as u32,
        Op::Val(v, n) => h[v as usize] += n as u32,
    });
    if idx != REGISTERS {
        return Err(Corrupt);
    }
    Ok(h)
}

/// Cardinality of a stored HLL (Redis's hllCount), without using the cache.
pub fn count(b: &[u8]) -> Result<u64, Corrupt> {
    Ok(estimate(&histogram(b)?))
}

/// Cardinality of raw byte registers (the union built by multi-key PFCOUNT).
pub fn count_raw(max: &[u8; REGISTERS]) -> u64 {
    let mut h = [0u32; 64];
    for &r in max.iter() {
        h[(r & 63) as usize] += 1;
    }
    estimate(&h)
}

fn sigma(mut x: f64) -> f64 {
    if x == 1.0 {
        return f64::INFINITY;
    }
    let mut y = 1.0;
    let mut z = x;
    loop {
        x *= x;
        let prev = z;
        z += x * y;
        y += y;
        if prev == z {
            return z;
        }
    }
}

fn tau(mut x: f64) -> f64 {
    if x == 0.0 || x == 1.0 {
        return 0.0;
    }
    let mut y = 1.0;
    let mut z = 1.0 - x;
    loop {
        x = x.sqrt();
        let prev = z;
        y *= 0.5;
        z -= (1.0 - x).powi(2) * y;
        if prev == z {
            return z / 3.0;
        }
    }
}

/// Otmar Ertl's estimator, evaluated in Redis's order of operations.
fn estimate(h: &[u32; 64]) -> u64 {
    let m = REGISTERS as f64;
    let mut z = m * tau((m - h[Q as usize + 1] as f64) / m);
    for j in (1..=Q as usize).rev() {
        z += h[j] as f64;
        z *= 0.5;
    }
    z += m * sigma(h[0] as f64 / m);
    // llroundl: round half away from zero.
    (ALPHA_INF * m * m / z).round() as u64
}

/// PFDEBUG DECODE text of a sparse HLL.
pub fn decode(b: &[u8]) -> String {
    let mut s = String::new();
    sparse_walk(b, |_, op| {
        let part = match op {
            Op::Zero(n) => format!("z:{n} "),
            Op::XZero(n) => format!("Z:{n} "),
            Op::Val(v, n) => format!("v:{v},{n} "),
        };
        s.push_str(&part);
    });
    s.trim_matches(' ').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_sparse_layout() {
        let v = new_sparse();
        assert_eq!(v.len(), 18);
        assert_eq!(&v[..5], b"HYLL\x01");
        assert_eq!(&v[16..], &[0x7f, 0xff]);
        assert_eq!(count(&v), Ok(0));
        assert_eq!(decode(&v), "Z:16384");
    }

    #[test]
    fn dense_registers_round_trip_without_touching_neighbours() {
        let mut regs = vec![0u8; DENSE_SIZE - HDR_SIZE];
        let mut naive = vec![0u8; REGISTERS];
        let mut seed = 0x1234_5678u64;
        for _ in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let i = (seed % REGISTERS as u64) as usize;
            let v = ((seed >> 20) & 63) as u8;
            dense_set(&mut regs, i, v);
            naive[i] = v;
        }
        for (i, &v) in naive.iter().enumerate() {
            assert_eq!(dense_get(&regs, i), v, "register {i}");
        }
    }

    #[test]
    fn sparse_and_dense_agree() {
        let mut sparse = new_sparse();
        let mut dense = new_sparse();
        sparse_to_dense(&mut dense).unwrap();
        for i in 0..2000u32 {
            let e = format!("ele:{i}");
            let a = add(&mut sparse, e.as_bytes(), 1 << 20).unwrap();
            let b = add(&mut dense, e.as_bytes(), 1 << 20).unwrap();
            assert_eq!(a, b, "element {i}");
        }
        assert_eq!(sparse[4], SPARSE);
        assert_eq!(count(&sparse), count(&dense));
        let mut converted = sparse.clone();
        sparse_to_dense(&mut converted).unwrap();
        assert_eq!(&converted[HDR_SIZE..], &dense[HDR_SIZE..]);
        let c = count(&dense).unwrap();
        assert!((1900..=2100).contains(&c), "estimate {c}");
    }

    #[test]
    fn sparse_limit_promotes() {
        let mut v = new_sparse();
        for i in 0..1000u32 {
            add(&mut v, &i.to_le_bytes(), 100).unwrap();
        }
        assert_eq!(v[4], DENSE);
        assert_eq!(v.len(), DENSE_SIZE);
    }

    #[test]
    fn corrupt_sparse_is_reported() {
        let mut v = new_sparse();
        v.truncate(17); // XZERO cut in half
        v[16] = 0x00; // ZERO:1 covers one register only
        assert_eq!(count(&v), Err(Corrupt));
        let mut max = [0u8; REGISTERS];
        assert_eq!(merge_into(&mut max, &v), Err(Corrupt));
        assert_eq!(sparse_set(&mut v, 5000, 3, 3000), Err(Corrupt));
    }
}
