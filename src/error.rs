//! The three error classes of the server (see ARCHITECTURE.md "Errors have three classes").
//!
//! - [`ProtocolError`]: the request stream is malformed; the client gets the reply and is closed.
//! - [`CommandError`]: a command failed; the client gets the reply and the connection goes on.
//! - [`ServerError`]: startup problems (bind, config, files); the process exits non-zero.

use std::borrow::Cow;
use thiserror::Error;

/// Malformed request bytes. `Display` is the exact Redis text after `-ERR `.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ProtocolError {
    #[error("Protocol error: invalid multibulk length")]
    InvalidMultibulkLength,
    #[error("Protocol error: invalid bulk length")]
    InvalidBulkLength,
    #[error("Protocol error: too big inline request")]
    TooBigInline,
    #[error("Protocol error: too big mbulk count string")]
    TooBigMbulkCount,
    #[error("Protocol error: too big bulk count string")]
    TooBigBulkCount,
    #[error("Protocol error: expected '$', got '{}'", *.0 as char)]
    ExpectedDollar(u8),
    #[error("Protocol error: unbalanced quotes in request")]
    UnbalancedQuotes,
    #[error("Protocol error: unauthenticated multibulk length")]
    UnauthMultibulkLength,
    #[error("Protocol error: unauthenticated bulk length")]
    UnauthBulkLength,
}

/// A failed command. The dispatcher writes it as an error reply.
///
/// `Err(text)` carries the full error line without the leading `-`, e.g.
/// `"ERR value is not an integer or out of range"` or `"WRONGTYPE Operation ..."`.
/// Prefer the constructors and constants below so texts stay identical to Redis.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CommandError {
    #[error("{0}")]
    Err(Cow<'static, str>),
}

impl CommandError {
    pub const fn stat(s: &'static str) -> Self {
        CommandError::Err(Cow::Borrowed(s))
    }
    pub fn msg(s: String) -> Self {
        CommandError::Err(Cow::Owned(s))
    }
    pub fn text(&self) -> &str {
        match self {
            CommandError::Err(s) => s,
        }
    }
}

pub const WRONGTYPE: CommandError =
    CommandError::stat("WRONGTYPE Operation against a key holding the wrong kind of value");
pub const SYNTAX: CommandError = CommandError::stat("ERR syntax error");
pub const NOT_INTEGER: CommandError =
    CommandError::stat("ERR value is not an integer or out of range");
pub const NOT_FLOAT: CommandError = CommandError::stat("ERR value is not a valid float");
pub const OVERFLOW: CommandError = CommandError::stat("ERR increment or decrement would overflow");
pub const NO_SUCH_KEY: CommandError = CommandError::stat("ERR no such key");
pub const OUT_OF_RANGE: CommandError = CommandError::stat("ERR index out of range");
pub const DB_INDEX_OUT_OF_RANGE: CommandError = CommandError::stat("ERR DB index is out of range");
pub const STRING_TOO_LONG: CommandError =
    CommandError::stat("ERR string exceeds maximum allowed size (proto-max-bulk-len)");

pub type CmdResult = Result<(), CommandError>;

/// Startup and fatal server errors.
#[derive(Debug, Error)]
pub enum ServerError {
    #[error("{0}")]
    Config(String),
    #[error("Could not create server TCP listening socket {addr}: {source}")]
    Bind { addr: String, source: std::io::Error },
    #[error(transparent)]
    Io(#[from] std::io::Error),
}
