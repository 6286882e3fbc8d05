//! The value stored under a key, with Redis's string encodings (int, embstr, raw).
//!
//! `Value` is 16 bytes: integers and strings up to 14 bytes need no allocation; longer
//! strings are one thin box. Collections are one box each, their type in its own module.

use super::hash::Hash;
use super::list::List;
use super::set::Set;
use super::stream::Stream;
use super::zset::ZSet;
use crate::util::num;

const INLINE: usize = 14;

/// Largest string Redis stores as `embstr` (OBJECT ENCODING); longer ones are `raw`.
pub const EMBSTR_MAX: usize = 44;

pub enum Value {
    /// A string that is the canonical decimal form of an i64 (encoding `int`).
    Int(i64),
    /// A short string stored inline (encoding `embstr`).
    Inline {
        len: u8,
        data: [u8; INLINE],
    },
    /// A string created at most 44 bytes long (encoding `embstr`).
    Emb(Box<Vec<u8>>),
    /// A string that was modified in place or is long (encoding `raw`).
    Raw(Box<Vec<u8>>),
    List(Box<List>),
    Hash(Box<Hash>),
    Set(Box<Set>),
    ZSet(Box<ZSet>),
    Stream(Box<Stream>),
}

/// The type name TYPE reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    String,
    List,
    Set,
    ZSet,
    Hash,
    Stream,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::String => "string",
            Kind::List => "list",
            Kind::Set => "set",
            Kind::ZSet => "zset",
            Kind::Hash => "hash",
            Kind::Stream => "stream",
        }
    }
}

/// A string value's bytes, borrowed or formatted from an integer.
pub enum StrRef<'a> {
    Bytes(&'a [u8]),
    Int([u8; 20], u8),
}

impl StrRef<'_> {
    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            StrRef::Bytes(b) => b,
            StrRef::Int(buf, start) => &buf[*start as usize..],
        }
    }
}

impl Value {
    /// A string value with Redis's encoding choice for a freshly set string: `int` when it is
    /// the canonical form of an i64 no longer than 20 bytes, else `embstr`/`raw` by length.
    pub fn string(b: &[u8]) -> Value {
        if b.len() <= 20 {
            if let Some(i) = num::parse_i64(b) {
                return Value::Int(i);
            }
        }
        Value::string_no_int(b)
    }

    /// A string never stored as `int` (e.g. the result of APPEND/SETRANGE is `raw`).
    pub fn string_no_int(b: &[u8]) -> Value {
        if b.len() <= INLINE {
            let mut data = [0u8; INLINE];
            data[..b.len()].copy_from_slice(b);
            Value::Inline { len: b.len() as u8, data }
        } else if b.len() <= EMBSTR_MAX {
            Value::Emb(Box::new(b.to_vec()))
        } else {
            Value::Raw(Box::new(b.to_vec()))
        }
    }

    pub fn raw(v: Vec<u8>) -> Value {
        Value::Raw(Box::new(v))
    }

    pub fn kind(&self) -> Kind {
        match self {
            Value::Int(_) | Value::Inline { .. } | Value::Emb(_) | Value::Raw(_) => Kind::String,
            Value::List(_) => Kind::List,
            Value::Hash(_) => Kind::Hash,
            Value::Set(_) => Kind::Set,
            Value::ZSet(_) => Kind::ZSet,
            Value::Stream(_) => Kind::Stream,
        }
    }

    pub fn is_string(&self) -> bool {
        self.kind() == Kind::String
    }

    /// The bytes of a string value; None for other types.
    #[inline]
    pub fn str_bytes(&self) -> Option<StrRef<'_>> {
        match self {
            Value::Int(i) => {
                let mut buf = [0u8; 20];
                let start = fmt_i64(*i, &mut buf);
                Some(StrRef::Int(buf, start as u8))
            }
            Value::Inline { len, data } => Some(StrRef::Bytes(&data[..*len as usize])),
            Value::Emb(b) | Value::Raw(b) => Some(StrRef::Bytes(b)),
            _ => None,
        }
    }

    /// Length of a string value without formatting it.
    pub fn str_len(&self) -> usize {
        match self {
            Value::Int(i) => {
                let mut buf = [0u8; 20];
                20 - fmt_i64(*i, &mut buf)
            }
            Value::Inline { len, .. } => *len as usize,
            Value::Emb(b) | Value::Raw(b) => b.len(),
            _ => 0,
        }
    }

    /// The string as an integer if it parses as one (INCR and friends).
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            Value::Inline { len, data } => num::parse_i64(&data[..*len as usize]),
            Value::Emb(b) | Value::Raw(b) => num::parse_i64(b),
            _ => None,
        }
    }

    /// A mutable byte buffer for in-place string edits (APPEND, SETRANGE, SETBIT); converts
    /// the value to `raw` as Redis does.
    pub fn make_raw(&mut self) -> &mut Vec<u8> {
        if !matches!(self, Value::Raw(_)) {
            let bytes = self.str_bytes().map(|s| s.as_bytes().to_vec()).unwrap_or_default();
            *self = Value::Raw(Box::new(bytes));
        }
        match self {
            Value::Raw(b) => b,
            _ => unreachable!("just converted to raw"),
        }
    }

    /// OBJECT ENCODING name.
    pub fn encoding(&self) -> &'static str {
        match self {
            Value::Int(_) => "int",
            Value::Inline { .. } | Value::Emb(_) => "embstr",
            Value::Raw(_) => "raw",
            Value::List(v) => v.encoding(),
            Value::Hash(v) => v.encoding(),
            Value::Set(v) => v.encoding(),
            Value::ZSet(v) => v.encoding(),
            Value::Stream(v) => v.encoding(),
        }
    }

    /// Approximate heap bytes owned by the value (MEMORY USAGE).
    pub fn heap_size(&self) -> usize {
        match self {
            Value::Int(_) | Value::Inline { .. } => 0,
            Value::Emb(b) | Value::Raw(b) => 24 + b.capacity(),
            Value::List(v) => v.heap_size(),
            Value::Hash(v) => v.heap_size(),
            Value::Set(v) => v.heap_size(),
            Value::ZSet(v) => v.heap_size(),
            Value::Stream(v) => v.heap_size(),
        }
    }

    /// The type-specific part of DEBUG DIGEST (Redis's xorObjectDigest after the type tag):
    /// strings and lists mix their bytes in (a list element by element, head to tail),
    /// streams their entries, sets and hashes as below.
    /// Each other collection type digests its elements as Redis does (set: xor each member; hash: per field a fresh digest
    /// mixed with field then value, xored in; zset: per member a fresh digest mixed with the
    /// member then its `%.17g` score, xored in). Until a type provides that, this returns
    /// its kind so DEBUG DIGEST can refuse rather than report a wrong signature.
    pub fn digest_into(&self, d: &mut super::digest::Digest) -> Result<(), Kind> {
        match self {
            Value::List(l) => {
                l.for_each(|e| d.mix(e));
                return Ok(());
            }
            Value::Set(set) => {
                set.for_each(|m| d.xor(m));
                return Ok(());
            }
            Value::Hash(h) => {
                for (f, v) in h.iter() {
                    let mut pair = super::digest::Digest::default();
                    pair.mix(f);
                    pair.mix(v);
                    d.xor_digest(&pair);
                }
                return Ok(());
            }
            // Each member: SHA1 of (member, score as %.17g), xored in (order-independent).
            Value::ZSet(z) => {
                let mut buf = Vec::with_capacity(32);
                z.iter_all(|m, s| {
                    let mut e = super::digest::Digest::default();
                    e.mix(m);
                    buf.clear();
                    num::write_f64(&mut buf, s);
                    e.mix(&buf);
                    d.xor_digest(&e);
                });
                return Ok(());
            }
            // Each entry: its ID as "ms.seq", then every field and value (consumer groups
            // are not part of Redis 7.0's digest).
            Value::Stream(st) => {
                use super::stream::StreamId;
                for e in st.entries.range(StreamId::ZERO, StreamId::MAX, false, 0) {
                    d.mix(format!("{}.{}", e.id.ms, e.id.seq).as_bytes());
                    for (f, v) in e.pairs() {
                        d.mix(f);
                        d.mix(v);
                    }
                }
                return Ok(());
            }
            _ => {}
        }
        match self.str_bytes() {
            Some(s) => {
                d.mix(s.as_bytes());
                Ok(())
            }
            None => Err(self.kind()),
        }
    }

    /// Deep copy (COPY command). Collections copy their contents.
    pub fn duplicate(&self) -> Value {
        match self {
            Value::Int(i) => Value::Int(*i),
            Value::Inline { len, data } => Value::Inline { len: *len, data: *data },
            Value::Emb(b) => Value::Emb(b.clone()),
            Value::Raw(b) => Value::Raw(b.clone()),
            Value::List(v) => Value::List(Box::new(v.duplicate())),
            Value::Hash(v) => Value::Hash(Box::new(v.duplicate())),
            Value::Set(v) => Value::Set(Box::new(v.duplicate())),
            Value::ZSet(v) => Value::ZSet(Box::new(v.duplicate())),
            Value::Stream(v) => Value::Stream(Box::new(v.duplicate())),
        }
    }
}

/// Decimal digits of `v` right-aligned in `buf`; returns the start index.
fn fmt_i64(v: i64, buf: &mut [u8; 20]) -> usize {
    let mut i = 20;
    let mut n = v.unsigned_abs();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if v < 0 {
        i -= 1;
        buf[i] = b'-';
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_is_16_bytes() {
        assert_eq!(std::mem::size_of::<Value>(), 16);
    }
}
