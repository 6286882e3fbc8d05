//! The argument vector of one command, without copying it out of the read buffer.

use crate::error::{CommandError, NOT_FLOAT, NOT_INTEGER};
use crate::util::num;

/// `argv` of a command: `args.get(0)` is the command name.
///
/// Requests parsed from the network point into the connection's read buffer (`Spans`);
/// commands built by the server itself (MULTI queue, scripts) own their bytes (`Owned`).
#[derive(Clone, Copy)]
pub enum Args<'a> {
    Spans { buf: &'a [u8], spans: &'a [(usize, usize)] },
    Owned(&'a [Vec<u8>]),
}

impl<'a> Args<'a> {
    #[inline]
    pub fn len(&self) -> usize {
        match self {
            Args::Spans { spans, .. } => spans.len(),
            Args::Owned(v) => v.len(),
        }
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Argument `i`; panics if out of range, so handlers index only below the arity.
    #[inline]
    pub fn get(&self, i: usize) -> &'a [u8] {
        match *self {
            Args::Spans { buf, spans } => {
                let (s, l) = spans[i];
                &buf[s..s + l]
            }
            Args::Owned(v) => &v[i],
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        (0..self.len()).map(move |i| self.get(i))
    }

    /// All arguments from `from` on.
    pub fn rest(&self, from: usize) -> impl Iterator<Item = &'a [u8]> + '_ {
        (from..self.len()).map(move |i| self.get(i))
    }

    pub fn to_vec(&self) -> Vec<Vec<u8>> {
        self.iter().map(|a| a.to_vec()).collect()
    }

    /// Argument `i` as an i64 with Redis's strict rules, else "value is not an integer".
    pub fn i64(&self, i: usize) -> Result<i64, CommandError> {
        num::parse_i64(self.get(i)).ok_or(NOT_INTEGER)
    }

    /// Argument `i` as a double (Redis `getDoubleFromObject`), else "value is not a valid float".
    pub fn f64(&self, i: usize) -> Result<f64, CommandError> {
        num::parse_f64(self.get(i)).ok_or(NOT_FLOAT)
    }

    /// Case-insensitive comparison of argument `i` with an ASCII keyword.
    #[inline]
    pub fn is(&self, i: usize, word: &str) -> bool {
        self.get(i).eq_ignore_ascii_case(word.as_bytes())
    }
}

/// `"name"` of argv[0] lowercased, for error texts.
pub fn lower(name: &[u8]) -> String {
    String::from_utf8_lossy(name).to_ascii_lowercase()
}
