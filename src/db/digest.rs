//! DEBUG DIGEST / DIGEST-VALUE: Redis's dataset signature, built from SHA1s combined by xor
//! (order-independent: set members, hash fields, keys) or mixed in (order-dependent: list
//! elements, a key with its value), so the same dataset digests the same as in Redis.

use sha1_smol::Sha1;

/// A 20-byte digest under construction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Digest(pub [u8; 20]);

impl Digest {
    /// Redis's xorDigest: xor SHA1(bytes) into the digest.
    pub fn xor(&mut self, bytes: &[u8]) {
        let h = Sha1::from(bytes).digest().bytes();
        for (d, b) in self.0.iter_mut().zip(h) {
            *d ^= b;
        }
    }

    /// Redis's mixDigest: xor SHA1(bytes) in, then replace the digest by its own SHA1.
    pub fn mix(&mut self, bytes: &[u8]) {
        self.xor(bytes);
        self.0 = Sha1::from(self.0).digest().bytes();
    }

    /// Fold a sub-digest in (a key's into the dataset's, a hash field's or zset member's
    /// into its value's): Redis's `xorDigest(digest, sub, 20)`, which xors SHA1(sub).
    pub fn xor_digest(&mut self, other: &Digest) {
        self.xor(&other.0);
    }

    pub fn hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mix_is_order_dependent_and_xor_is_not() {
        let (mut a, mut b) = (Digest::default(), Digest::default());
        a.mix(b"x");
        a.mix(b"y");
        b.mix(b"y");
        b.mix(b"x");
        assert_ne!(a, b);
        let (mut a, mut b) = (Digest::default(), Digest::default());
        a.xor(b"x");
        a.xor(b"y");
        b.xor(b"y");
        b.xor(b"x");
        assert_eq!(a, b);
        assert_eq!(Digest::default().hex(), "0".repeat(40));
    }
}
