//! The zset value type. Placeholder shape until the zset family lands: it owns this file and
//! replaces the representation (compact encoding plus the large form, Redis's rules).

/// A zset value.
#[derive(Default)]
pub struct ZSet {
    _items: (),
}

impl ZSet {
    /// OBJECT ENCODING name.
    pub fn encoding(&self) -> &'static str {
        "listpack"
    }

    /// Approximate heap bytes owned (MEMORY USAGE).
    pub fn heap_size(&self) -> usize {
        0
    }

    /// Deep copy (COPY).
    pub fn duplicate(&self) -> ZSet {
        ZSet::default()
    }
}
