//! ferrodis: a Redis 7 compatible server on one core.
//!
//! # Layout
//!
//! - `server`: the mio loop (accept, readiness, before_sleep, timers, shutdown).
//! - `connection`: one client: socket, read/write buffers, parser state, per-client flags.
//! - `resp::parse`: resumable request parser; `resp::reply`: RESP2/RESP3 encoder.
//! - `cmd`: the command table and dispatch; `cmd::<family>`: the handlers, one file per family.
//! - `db`: the keyspace (`Db` over `db::dict::Dict`), values, expiry.
//! - `config`: every setting with Redis's name, default and bounds.
//! - `util`: glob matching, number parsing/formatting, bit operations.
//! - `error`: protocol, command and server errors.

pub mod cmd;
pub mod config;
pub mod db;
pub mod error;
pub mod resp;
pub mod util;
