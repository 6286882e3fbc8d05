//! The set value type. Placeholder shape until the set family lands: it owns this file and
//! replaces the representation (compact encoding plus the large form, Redis's rules).

/// A set value.
#[derive(Default)]
pub struct Set {
    _items: (),
}

impl Set {
    /// OBJECT ENCODING name.
    pub fn encoding(&self) -> &'static str {
        "listpack"
    }

    /// Approximate heap bytes owned (MEMORY USAGE).
    pub fn heap_size(&self) -> usize {
        0
    }

    /// Deep copy (COPY).
    pub fn duplicate(&self) -> Set {
        Set::default()
    }
}
