//! ferrodis: a Redis 7 compatible server on one core.
//!
//! # Layout
//!
//! - `server`: the mio loop (accept, readiness, before_sleep, timers, shutdown).
//! - `connection`: one client: socket (TCP or unix), read/write buffers, parser state, flags.
//! - `resp::parse`: resumable request parser; `resp::reply`: RESP2/RESP3 encoder.
//! - `cmd`: the command table and dispatch; `cmd::<family>`: the handlers, one file per family;
//!   `cmd::command_meta` (Redis 7.0's key specs and docs, from `command_meta.tsv`) and
//!   `cmd::command_keys` (key extraction from them).
//! - `blocking`: clients parked by BLPOP and friends, served when their keys are written.
//! - `db`: the keyspace (`Db` over `db::dict::Dict`), values, expiry, LFU counters
//!   (`db::lfu`), freeing big values on a helper thread (`db::lazyfree`).
//! - `persist`: the RDB format (`rdb::encode`/`rdb::decode`), DUMP payloads, RDB files.
//! - `script`: Lua scripting (EVAL, Functions) on an embedded Lua 5.1.
//! - `config`: every setting with Redis's name, default and bounds; `config::missing`: values
//!   refused because they need a feature not built yet.
//! - `util`: glob matching, number parsing/formatting, bit operations, HyperLogLog, geohash.
//! - `error`: protocol, command and server errors.
//! - `logging`: the server log in Redis's line format and words (stdout, `logfile`, syslog).
//! - `pubsub`: subscriptions and message delivery to other clients; `notify`: keyspace
//!   events; `tracking`: client-side caching invalidation.
//! - `replybuf`: per-client reply buffer resizing from the cron.
//! - `evict`: maxmemory: the eviction policies, the sampling pool, OOM refusals.

pub mod alloc;
pub mod blocking;
pub mod cmd;
pub mod config;
pub mod connection;
pub mod db;
pub mod error;
pub mod evict;
pub mod logging;
pub mod notify;
pub mod persist;
pub mod pubsub;
pub mod replybuf;
pub mod resp;
pub mod script;
pub mod server;
pub mod signals;
pub mod state;
pub mod tracking;
pub mod util;

/// The Redis version whose features ferrodis implements (INFO, HELLO).
pub const REDIS_VERSION: &str = "7.0.15";

pub fn version_line() -> String {
    format!(
        "ferrodis v={} (Redis-compatible {}) sha=00000000:0 malloc=mimalloc bits=64",
        env!("CARGO_PKG_VERSION"),
        REDIS_VERSION
    )
}

pub const USAGE: &str = "Usage: ferrodis [/path/to/redis.conf] [options] [-]
       ferrodis - (read config from stdin)
       ferrodis -v or --version
       ferrodis -h or --help

Examples:
       ferrodis (run with default settings, listening on 127.0.0.1:6379)
       ferrodis /etc/redis/6379.conf
       ferrodis --port 7777
       ferrodis --port 6380 --save \"\" --appendonly no
       ferrodis /etc/myredis.conf --loglevel verbose";

/// The log level for the `loglevel` setting (Redis's debug/verbose/notice/warning).
pub fn log_filter(cfg: &config::Config) -> log::LevelFilter {
    logging::level_filter(cfg.loglevel)
}
