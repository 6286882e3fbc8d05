//! The RDB format of Redis 7.0 (version 10): `encode` writes values exactly as Redis 7.0
//! does, `decode` reads every value Redis 7.0 and older write, converting to our encodings.

pub mod decode;
pub mod encode;
pub mod packed;

/// The RDB version Redis 7.0 writes; newer files and payloads are refused.
pub const RDB_VERSION: u16 = 10;

pub mod types {
    pub const STRING: u8 = 0;
    pub const LIST: u8 = 1;
    pub const SET: u8 = 2;
    pub const ZSET: u8 = 3;
    pub const HASH: u8 = 4;
    pub const ZSET_2: u8 = 5;
    pub const MODULE_PRE_GA: u8 = 6;
    pub const MODULE_2: u8 = 7;
    pub const HASH_ZIPMAP: u8 = 9;
    pub const LIST_ZIPLIST: u8 = 10;
    pub const SET_INTSET: u8 = 11;
    pub const ZSET_ZIPLIST: u8 = 12;
    pub const HASH_ZIPLIST: u8 = 13;
    pub const LIST_QUICKLIST: u8 = 14;
    pub const STREAM_LISTPACKS: u8 = 15;
    pub const HASH_LISTPACK: u8 = 16;
    pub const ZSET_LISTPACK: u8 = 17;
    pub const LIST_QUICKLIST_2: u8 = 18;
    pub const STREAM_LISTPACKS_2: u8 = 19;
}

pub mod opcodes {
    pub const FUNCTION2: u8 = 245;
    pub const FUNCTION_PRE_GA: u8 = 246;
    pub const MODULE_AUX: u8 = 247;
    pub const IDLE: u8 = 248;
    pub const FREQ: u8 = 249;
    pub const AUX: u8 = 250;
    pub const RESIZEDB: u8 = 251;
    pub const EXPIRETIME_MS: u8 = 252;
    pub const EXPIRETIME: u8 = 253;
    pub const SELECTDB: u8 = 254;
    pub const EOF: u8 = 255;
}

/// Quicklist 2 node containers.
pub const QUICKLIST_NODE_PLAIN: u64 = 1;
pub const QUICKLIST_NODE_PACKED: u64 = 2;

/// Why an RDB value or file was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RdbError {
    /// Malformed or truncated input (Redis's rdbReportCorruptRDB / "Bad data format").
    Corrupt(String),
    /// A collection with no elements (Redis skips such keys when loading a file).
    EmptyKey,
    /// A type this server cannot hold (modules).
    Unsupported(String),
}

pub type RdbResult<T> = Result<T, RdbError>;

pub fn corrupt<T>(what: &str) -> RdbResult<T> {
    Err(RdbError::Corrupt(what.to_string()))
}
