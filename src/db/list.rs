//! The list value type. Placeholder shape until the list family lands: it owns this file and
//! replaces the representation (compact encoding plus the large form, Redis's rules).

/// A list value.
#[derive(Default)]
pub struct List {
    _items: (),
}

impl List {
    /// OBJECT ENCODING name.
    pub fn encoding(&self) -> &'static str {
        "listpack"
    }

    /// Approximate heap bytes owned (MEMORY USAGE).
    pub fn heap_size(&self) -> usize {
        0
    }

    /// Deep copy (COPY).
    pub fn duplicate(&self) -> List {
        List::default()
    }
}
