//! Persistence: the RDB format (`rdb`), DUMP/RESTORE payloads (`dump`) and RDB files
//! (`file`). This layer sees the keyspace and the configuration, never command handlers.

pub mod dump;
pub mod file;
pub mod rdb;

/// What the server knows about its RDB saves (INFO persistence, LASTSAVE, SAVE/BGSAVE).
#[derive(Debug, Clone)]
pub struct RdbStatus {
    /// Outcome of the last save (rdb_last_bgsave_status).
    pub last_ok: bool,
    /// Seconds the last background save took, -1 before the first.
    pub last_bgsave_secs: i64,
    /// Saves performed (rdb_saves).
    pub saves: u64,
    /// Keys loaded / skipped as expired by the last load.
    pub last_load_keys: u64,
    pub last_load_expired: u64,
}

impl Default for RdbStatus {
    fn default() -> Self {
        RdbStatus {
            last_ok: true,
            last_bgsave_secs: -1,
            saves: 0,
            last_load_keys: 0,
            last_load_expired: 0,
        }
    }
}
