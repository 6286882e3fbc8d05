//! Byte sizes of listpack elements, so stream nodes split where Redis's listpacks would.

/// The back-length field's size for an element whose encoding takes `l` bytes.
fn backlen(l: usize) -> usize {
    match l {
        0..=127 => 1,
        128..=16382 => 2,
        16383..=2_097_150 => 3,
        2_097_151..=268_435_454 => 4,
        _ => 5,
    }
}

/// An integer element.
pub fn int(v: i64) -> usize {
    let enc = match v {
        0..=127 => 1,
        -4096..=4095 => 2,
        -32768..=32767 => 3,
        -8_388_608..=8_388_607 => 4,
        -2_147_483_648..=2_147_483_647 => 5,
        _ => 9,
    };
    enc + backlen(enc)
}

/// A string element; strings that read as integers are stored as integers, as lpAppend does.
pub fn string(s: &[u8]) -> usize {
    if let Some(v) = crate::util::num::parse_i64(s) {
        return int(v);
    }
    let n = s.len();
    let enc = match n {
        0..=63 => 1 + n,
        64..=4095 => 2 + n,
        _ => 5 + n,
    };
    enc + backlen(enc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_follow_the_listpack_encodings() {
        assert_eq!(int(0), 2);
        assert_eq!(int(127), 2);
        assert_eq!(int(128), 3);
        assert_eq!(int(-1), 3);
        assert_eq!(int(40_000), 5);
        assert_eq!(int(1 << 40), 10);
        assert_eq!(string(b"hello"), 7);
        assert_eq!(string(b"12"), 2);
        assert_eq!(string(&[b'x'; 64]), 67);
        assert_eq!(string(&[b'x'; 200]), 204);
    }
}
