//! The hash value type. Placeholder shape until the hash family lands: it owns this file and
//! replaces the representation (compact encoding plus the large form, Redis's rules).

/// A hash value.
#[derive(Default)]
pub struct Hash {
    _items: (),
}

impl Hash {
    /// OBJECT ENCODING name.
    pub fn encoding(&self) -> &'static str {
        "listpack"
    }

    /// Approximate heap bytes owned (MEMORY USAGE).
    pub fn heap_size(&self) -> usize {
        0
    }

    /// Deep copy (COPY).
    pub fn duplicate(&self) -> Hash {
        Hash::default()
    }
}
