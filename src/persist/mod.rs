//! Persistence: the RDB format (`rdb`), DUMP/RESTORE payloads (`dump`) and RDB files
//! (`file`). This layer sees the keyspace and the configuration, never command handlers.

pub mod dump;
pub mod file;
pub mod rdb;

/// A background save: the snapshot was serialized on the loop; a helper thread writes,
/// fsyncs and renames it.
#[derive(Debug)]
pub struct BgSave {
    pub handle: std::thread::JoinHandle<std::io::Result<()>>,
    pub started_ms: i64,
    /// `dirty` when the snapshot was taken: changes made since stay unsaved.
    pub dirty_at_start: u64,
}

/// What the server knows about its RDB saves (INFO persistence, LASTSAVE, SAVE/BGSAVE).
#[derive(Debug)]
pub struct RdbStatus {
    /// Outcome of the last background save (rdb_last_bgsave_status).
    pub last_ok: bool,
    /// Seconds the last background save took, -1 before the first.
    pub last_bgsave_secs: i64,
    /// Saves performed (rdb_saves).
    pub saves: u64,
    /// Keys loaded / skipped as expired by the last load.
    pub last_load_keys: u64,
    pub last_load_expired: u64,
    pub bgsave: Option<BgSave>,
    /// BGSAVE SCHEDULE (or BGSAVE inside MULTI) waiting for the running save to end.
    pub scheduled: bool,
    /// Unix seconds of the last background save attempt (retry delay after a failure).
    pub last_try_secs: i64,
}

impl Default for RdbStatus {
    fn default() -> Self {
        RdbStatus {
            last_ok: true,
            last_bgsave_secs: -1,
            saves: 0,
            last_load_keys: 0,
            last_load_expired: 0,
            bgsave: None,
            scheduled: false,
            last_try_secs: 0,
        }
    }
}
