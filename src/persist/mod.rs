//! Persistence: the RDB format (`rdb`), DUMP/RESTORE payloads (`dump`) and RDB files
//! (`file`). This layer sees the keyspace and the configuration, never command handlers.

pub mod dump;
pub mod file;
pub mod rdb;
