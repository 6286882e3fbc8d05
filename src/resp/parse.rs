//! Resumable request parser: multibulk (`*N\r\n$L\r\n...`) and inline requests.
//!
//! INTERFACE CONTRACT (other modules rely on exactly this):
//!
//! The connection owns a read buffer `rbuf: Vec<u8>` that only ever grows by appending received
//! bytes, and from which a consumed prefix is dropped once per batch. The parser never copies
//! multibulk arguments: it records `(start, len)` spans into `rbuf`. Inline arguments need
//! unescaping, so they are written into the parser's own scratch buffer and the spans point there.
//!
//! ```ignore
//! let mut p = RequestParser::new();
//! loop {
//!     match p.parse(&rbuf, &limits)? {
//!         Status::Complete => { let args = p.args(&rbuf); /* run */ }
//!         Status::Incomplete => break, // read more bytes
//!     }
//! }
//! let n = p.consumed();            // bytes of rbuf fully used by completed requests
//! rbuf.drain(..n); p.shift(n);     // once per batch
//! ```
use crate::cmd::args::Args;
use crate::error::ProtocolError;

/// Limits that depend on configuration and on the client's authentication state.
#[derive(Debug, Clone, Copy)]
pub struct ParseLimits {
    /// `proto-max-bulk-len` (default 512 MiB).
    pub max_bulk_len: i64,
    /// When false (auth required and not yet authenticated) Redis limits a request to
    /// 10 arguments and 16384-byte bulks.
    pub authenticated: bool,
}

impl Default for ParseLimits {
    fn default() -> Self {
        ParseLimits { max_bulk_len: 512 * 1024 * 1024, authenticated: true }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// A whole request is ready: read it with `args()` before calling `parse` again.
    Complete,
    /// More bytes are needed. Nothing is lost; the next call resumes where this one stopped.
    Incomplete,
}

pub struct RequestParser {}

impl Default for RequestParser {
    fn default() -> Self {
        Self::new()
    }
}

impl RequestParser {
    pub fn new() -> Self {
        RequestParser {}
    }

    /// Parse the next request from `buf[self.consumed()..]`. Empty requests (`*0`, `*-5`, an
    /// empty inline line) are skipped silently, as Redis does.
    pub fn parse(&mut self, _buf: &[u8], _limits: &ParseLimits) -> Result<Status, ProtocolError> {
        unimplemented!()
    }

    /// The arguments of the request the last `parse` completed.
    pub fn args<'a>(&'a self, _buf: &'a [u8]) -> Args<'a> {
        unimplemented!()
    }

    /// Bytes at the front of the buffer that belong to completed requests and may be dropped.
    pub fn consumed(&self) -> usize {
        unimplemented!()
    }

    /// The caller dropped `n <= consumed()` bytes from the front of the buffer.
    pub fn shift(&mut self, _n: usize) {
        unimplemented!()
    }

    /// Bytes of the request in progress received so far (for client-query-buffer-limit and
    /// CLIENT LIST `qbuf`).
    pub fn pending(&self, buf: &[u8]) -> usize {
        buf.len() - self.consumed()
    }

    /// How many more bytes the request in progress needs at least (0 if unknown). Lets the
    /// connection size its next read for a large bulk without reserving it ahead of time.
    pub fn want(&self) -> usize {
        unimplemented!()
    }

    /// True when the request being parsed is inline (for error replies of the oracle tests).
    pub fn is_inline(&self) -> bool {
        unimplemented!()
    }
}
