//! Every Redis 7.0 configuration parameter: name, aliases, default, bounds, parsing and
//! formatting; redis.conf and command-line parsing; CONFIG GET/SET/REWRITE.
//!
//! # Layout
//!
//! - `table`: the descriptor table, one entry per parameter (Redis's `static_configs`),
//!   mapping name and alias to type, default, bounds, flags and the typed `Config` field.
//! - `mod.rs` (here): `Config` and its enums, the startup error, CONFIG GET and CONFIG SET
//!   (lookup, permissions, atomicity).
//! - `values`: parsing and formatting written once per kind of parameter, and the
//!   parameters with their own syntax (save, bind, client-output-buffer-limit, ...).
//! - `load`: `redis-server` arguments, redis.conf text, `include`, stdin.
//! - `rewrite`: CONFIG REWRITE, keeping the comments and unknown lines of the old file.
//! - `parse`: Redis's string rules (`sdssplitargs`, `memtoull`, `string2ll`, ...).
//!
//! The reference is Redis 7.0.15: names, defaults, value formatting and every error text
//! were checked against that server.
//!
//! # What the server still has to do
//!
//! Configuration never touches the process: it does not `chdir` (the server should
//! `set_current_dir(&cfg.dir)` at startup and after `CONFIG SET dir`; `dir` is validated
//! and stored as an absolute path), does not rebind on `port`/`bind` changes, does not
//! write the pid file (Redis defaults `pidfile` to /var/run/redis.pid when daemonized),
//! and does not check `rename-command` against the command table
//! ([`Config::check_rename_commands`] produces Redis's error for that).

mod load;
pub mod missing;
mod parse;
/// Memory values ("100mb") for commands outside the config (DEBUG QUICKLIST-PACKED-THRESHOLD).
pub(crate) use parse::memtoull;
mod rewrite;
mod table;
#[cfg(test)]
mod tests;
mod values;

use std::fmt;
use std::path::{Path, PathBuf};

use crate::error::CommandError;
use load::{LoadCtx, FILE_ONLY_DIRECTIVES};
/// Redis's `sdssplitargs`, for the other places Redis splits a line (the FUNCTION shebang).
pub(crate) use parse::split_args;
use parse::*;
pub use table::{
    lookup, params, stored_only, Param, ACTED, DENY_LOADING, HIDDEN, IMMUTABLE, MULTI_ARG,
    PROTECTED, SENSITIVE,
};
use values::{enum_name, set_failed, yes_no};
pub use values::{notify_flags_from_str, notify_flags_to_string};

/// The Redis version ferrodis answers as, and names in its startup errors.
pub const REDIS_VERSION: &str = "7.0.15";

/// Keyspace notification classes (`notify-keyspace-events`), Redis's bit values.
pub const NOTIFY_KEYSPACE: u32 = 1 << 0;
pub const NOTIFY_KEYEVENT: u32 = 1 << 1;
pub const NOTIFY_GENERIC: u32 = 1 << 2;
pub const NOTIFY_STRING: u32 = 1 << 3;
pub const NOTIFY_LIST: u32 = 1 << 4;
pub const NOTIFY_SET: u32 = 1 << 5;
pub const NOTIFY_HASH: u32 = 1 << 6;
pub const NOTIFY_ZSET: u32 = 1 << 7;
pub const NOTIFY_EXPIRED: u32 = 1 << 8;
pub const NOTIFY_EVICTED: u32 = 1 << 9;
pub const NOTIFY_STREAM: u32 = 1 << 10;
pub const NOTIFY_KEY_MISS: u32 = 1 << 11;
pub const NOTIFY_LOADED: u32 = 1 << 12;
pub const NOTIFY_MODULE: u32 = 1 << 13;
pub const NOTIFY_NEW: u32 = 1 << 14;
/// What `A` stands for: every type class, not K, E, m or n.
pub const NOTIFY_ALL: u32 = NOTIFY_GENERIC
    | NOTIFY_STRING
    | NOTIFY_LIST
    | NOTIFY_SET
    | NOTIFY_HASH
    | NOTIFY_ZSET
    | NOTIFY_EXPIRED
    | NOTIFY_EVICTED
    | NOTIFY_STREAM
    | NOTIFY_MODULE;

/// `shutdown-on-sigint` / `shutdown-on-sigterm` flag bits (0 is "default").
pub const SHUTDOWN_SAVE: u32 = 1;
pub const SHUTDOWN_NOSAVE: u32 = 2;
pub const SHUTDOWN_NOW: u32 = 4;
pub const SHUTDOWN_FORCE: u32 = 8;

/// Redis refuses more `bind` addresses than this.
pub const BIND_MAX: usize = 16;

macro_rules! config_enum {
    (
        $(#[$m:meta])*
        pub enum $name:ident { $first:ident = $fv:expr $(, $var:ident = $val:expr)* $(,)? }
        names: [$(($s:literal, $sv:expr)),+ $(,)?]
    ) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub enum $name {
            #[default]
            $first = $fv,
            $($var = $val),*
        }
        impl $name {
            /// Accepted words and their values, in Redis's order (that of its error text).
            pub const NAMES: &'static [(&'static str, u32)] = &[$(($s, $sv)),+];
            pub(crate) fn from_u32(v: u32) -> Option<Self> {
                if v == $fv {
                    return Some($name::$first);
                }
                $(if v == $val {
                    return Some($name::$var);
                })*
                None
            }
            /// The word CONFIG GET shows for it.
            pub fn as_str(self) -> &'static str {
                let v = self as u32;
                Self::NAMES.iter().find(|n| n.1 == v).map_or("unknown", |n| n.0)
            }
        }
    };
}

config_enum! {
    /// `enable-debug-command`, `enable-module-command`, `enable-protected-configs`.
    pub enum EnableOpt { No = 0, Yes = 1, Local = 2 }
    names: [("no", 0), ("yes", 1), ("local", 2)]
}

impl EnableOpt {
    /// Redis `allowProtectedAction`: is a client (local = loopback or unix socket) allowed?
    pub fn allows(self, local_client: bool) -> bool {
        self == EnableOpt::Yes || (self == EnableOpt::Local && local_client)
    }
}

config_enum! {
    pub enum LogLevel { Debug = 0, Verbose = 1, Notice = 2, Warning = 3 }
    names: [("debug", 0), ("verbose", 1), ("notice", 2), ("warning", 3)]
}

config_enum! {
    pub enum MaxmemoryPolicy {
        VolatileLru = 0, VolatileLfu = 1, VolatileRandom = 2, VolatileTtl = 3,
        AllkeysLru = 4, AllkeysLfu = 5, AllkeysRandom = 6, Noeviction = 7,
    }
    names: [
        ("volatile-lru", 0), ("volatile-lfu", 1), ("volatile-random", 2), ("volatile-ttl", 3),
        ("allkeys-lru", 4), ("allkeys-lfu", 5), ("allkeys-random", 6), ("noeviction", 7),
    ]
}

config_enum! {
    pub enum AppendFsync { Everysec = 0, Always = 1, No = 2 }
    names: [("everysec", 0), ("always", 1), ("no", 2)]
}

config_enum! {
    pub enum Supervised { Upstart = 0, Systemd = 1, Auto = 2, No = 3 }
    names: [("upstart", 0), ("systemd", 1), ("auto", 2), ("no", 3)]
}

config_enum! {
    pub enum SyslogFacility {
        User = 0, Local0 = 1, Local1 = 2, Local2 = 3, Local3 = 4,
        Local4 = 5, Local5 = 6, Local6 = 7, Local7 = 8,
    }
    names: [
        ("user", 0), ("local0", 1), ("local1", 2), ("local2", 3), ("local3", 4),
        ("local4", 5), ("local5", 6), ("local6", 7), ("local7", 8),
    ]
}

config_enum! {
    pub enum ReplDisklessLoad { Disabled = 0, OnEmptyDb = 1, Swapdb = 2 }
    names: [("disabled", 0), ("on-empty-db", 1), ("swapdb", 2)]
}

config_enum! {
    /// "yes" is an older spelling of "relative".
    pub enum OomScoreAdj { No = 0, Relative = 1, Absolute = 2 }
    names: [("no", 0), ("yes", 1), ("relative", 1), ("absolute", 2)]
}

config_enum! {
    pub enum AclPubsubDefault { Allchannels = 0, Resetchannels = 1 }
    names: [("allchannels", 0), ("resetchannels", 1)]
}

config_enum! {
    pub enum SanitizeDumpPayload { No = 0, Yes = 1, Clients = 2 }
    names: [("no", 0), ("yes", 1), ("clients", 2)]
}

config_enum! {
    pub enum ClusterPreferredEndpointType { Ip = 0, Hostname = 1, UnknownEndpoint = 2 }
    names: [("ip", 0), ("hostname", 1), ("unknown-endpoint", 2)]
}

config_enum! {
    pub enum PropagationErrorBehavior { Ignore = 0, Panic = 1, PanicOnReplicas = 2 }
    names: [("ignore", 0), ("panic", 1), ("panic-on-replicas", 2)]
}

config_enum! {
    pub enum TlsAuthClients { No = 0, Yes = 1, Optional = 2 }
    names: [("no", 0), ("yes", 1), ("optional", 2)]
}

/// The client classes of `client-output-buffer-limit`, indexing
/// [`Config::client_output_buffer_limit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientClass {
    Normal = 0,
    Replica = 1,
    Pubsub = 2,
}

/// One class of `client-output-buffer-limit`; 0 disables a limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ClientBufferLimit {
    pub hard_limit_bytes: u64,
    pub soft_limit_bytes: u64,
    pub soft_limit_seconds: i64,
}

const COBL_DEFAULTS: [ClientBufferLimit; 3] = [
    ClientBufferLimit { hard_limit_bytes: 0, soft_limit_bytes: 0, soft_limit_seconds: 0 },
    ClientBufferLimit {
        hard_limit_bytes: 256 << 20,
        soft_limit_bytes: 64 << 20,
        soft_limit_seconds: 60,
    },
    ClientBufferLimit {
        hard_limit_bytes: 32 << 20,
        soft_limit_bytes: 8 << 20,
        soft_limit_seconds: 60,
    },
];
const OOM_DEFAULTS: [i32; 3] = [0, 200, 800];
const SAVE_DEFAULTS: [(i64, i32); 3] = [(3600, 1), (300, 100), (60, 10000)];
const BIND_DEFAULTS: [&str; 2] = ["*", "-::*"];
const PERCENTILE_DEFAULTS: [f64; 3] = [50.0, 99.0, 99.9];

/// Redis enlarges a smaller replication backlog to this when it is set at runtime.
const REPL_BACKLOG_MIN_SIZE: i64 = 16 * 1024;

/// Redis's hz is a hint: values outside this range are accepted and clamped.
const HZ_MIN: u32 = 1;
const HZ_MAX: u32 = 500;

/// Where a config-file directive came from, to report later errors like Redis does.
#[derive(Debug, Clone, PartialEq, Eq)]
struct LineRef {
    num: usize,
    text: String,
}

macro_rules! config_struct {
    (
        $(#[$sm:meta])*
        pub struct $name:ident { $( $(#[$fm:meta])* $vis:vis $field:ident : $ty:ty, )* }
    ) => {
        $(#[$sm])*
        pub struct $name { $( $(#[$fm])* $vis $field: $ty, )* }
        impl $name {
            /// Every field zero/empty; `Default` then applies Redis's defaults from the table.
            fn blank() -> Self {
                Self { $( $field: Default::default(), )* }
            }
        }
    };
}

config_struct! {
    /// The server configuration. Fields are named after the Redis parameter (`-` becomes
    /// `_`, aliases use the canonical name: `lua-time-limit` is `busy_reply_threshold`).
    /// Integer fields hold what Redis holds, in a Rust type of the same range; strings that
    /// Redis can leave NULL are `Option`s.
    #[derive(Debug, Clone, PartialEq)]
    pub struct Config {
        // Network.
        /// Empty: listen nowhere on TCP. Default `* -::*` (`-` marks "optional").
        pub bind: Vec<String>,
        pub bind_source_addr: Option<String>,
        pub protected_mode: bool,
        pub port: u16,
        pub tcp_backlog: i32,
        pub unixsocket: Option<String>,
        /// Octal permission bits of the unix socket, 0 = leave as created.
        pub unixsocketperm: u32,
        /// Idle client timeout in seconds, 0 = never.
        pub timeout: u64,
        pub tcp_keepalive: u64,
        pub socket_mark_id: u32,
        // General.
        pub daemonize: bool,
        pub supervised: Supervised,
        pub pidfile: Option<String>,
        pub loglevel: LogLevel,
        /// Empty: log to stdout.
        pub logfile: String,
        pub syslog_enabled: bool,
        pub syslog_ident: String,
        pub syslog_facility: SyslogFacility,
        pub crash_log_enabled: bool,
        pub crash_memcheck_enabled: bool,
        pub databases: usize,
        pub always_show_logo: bool,
        pub set_proc_title: bool,
        pub proc_title_template: String,
        pub hz: u32,
        pub dynamic_hz: bool,
        pub enable_protected_configs: EnableOpt,
        pub enable_debug_command: EnableOpt,
        pub enable_module_command: EnableOpt,
        pub ignore_warnings: String,
        pub use_exit_on_panic: bool,
        pub watchdog_period: i32,
        pub disable_thp: bool,
        pub jemalloc_bg_thread: bool,
        pub io_threads: i32,
        pub io_threads_do_reads: bool,
        pub server_cpulist: Option<String>,
        pub bio_cpulist: Option<String>,
        pub aof_rewrite_cpulist: Option<String>,
        pub bgsave_cpulist: Option<String>,
        pub oom_score_adj: OomScoreAdj,
        /// For master, replica and background child.
        pub oom_score_adj_values: [i32; 3],
        pub shutdown_timeout: i32,
        /// `SHUTDOWN_*` bits, 0 = default.
        pub shutdown_on_sigint: u32,
        pub shutdown_on_sigterm: u32,
        // Snapshotting.
        /// `(seconds, changes)` pairs; empty disables RDB snapshots.
        pub save: Vec<(i64, i32)>,
        pub stop_writes_on_bgsave_error: bool,
        pub rdbcompression: bool,
        pub rdbchecksum: bool,
        pub sanitize_dump_payload: SanitizeDumpPayload,
        pub dbfilename: String,
        pub rdb_del_sync_files: bool,
        pub rdb_save_incremental_fsync: bool,
        pub rdb_key_save_delay: i32,
        pub key_load_delay: i32,
        pub loading_process_events_interval_bytes: i64,
        /// Absolute working directory (where Redis would have `chdir`-ed).
        pub dir: String,
        // Replication.
        /// Master host and port.
        pub replicaof: Option<(String, u16)>,
        pub masterauth: Option<Vec<u8>>,
        pub masteruser: Option<String>,
        pub replica_serve_stale_data: bool,
        pub replica_read_only: bool,
        pub repl_diskless_sync: bool,
        pub repl_diskless_sync_delay: i32,
        pub repl_diskless_sync_max_replicas: i32,
        pub repl_diskless_load: ReplDisklessLoad,
        pub repl_ping_replica_period: i32,
        pub repl_timeout: i32,
        pub repl_disable_tcp_nodelay: bool,
        pub repl_backlog_size: i64,
        pub repl_backlog_ttl: i64,
        pub replica_priority: i32,
        pub propagation_error_behavior: PropagationErrorBehavior,
        pub replica_ignore_disk_write_errors: bool,
        pub replica_announced: bool,
        pub min_replicas_to_write: i32,
        pub min_replicas_max_lag: i32,
        pub replica_announce_ip: Option<String>,
        pub replica_announce_port: u16,
        pub replica_ignore_maxmemory: bool,
        pub replica_lazy_flush: bool,
        // Security and clients.
        pub tracking_table_max_keys: usize,
        pub acllog_max_len: u64,
        pub aclfile: String,
        /// Password of the default user.
        pub requirepass: Option<Vec<u8>>,
        pub acl_pubsub_default: AclPubsubDefault,
        pub maxclients: usize,
        // Memory.
        /// Bytes, 0 = no limit.
        pub maxmemory: u64,
        pub maxmemory_policy: MaxmemoryPolicy,
        pub maxmemory_samples: i32,
        pub maxmemory_eviction_tenacity: i32,
        /// Bytes, or a percentage of maxmemory stored negated (-5 is "5%"); 0 = no limit.
        pub maxmemory_clients: i64,
        pub active_expire_effort: u32,
        pub lazyfree_lazy_eviction: bool,
        pub lazyfree_lazy_expire: bool,
        pub lazyfree_lazy_server_del: bool,
        pub lazyfree_lazy_user_del: bool,
        pub lazyfree_lazy_user_flush: bool,
        // Append only file.
        pub appendonly: bool,
        pub appendfilename: String,
        pub appenddirname: String,
        pub appendfsync: AppendFsync,
        pub no_appendfsync_on_rewrite: bool,
        pub auto_aof_rewrite_percentage: i32,
        pub auto_aof_rewrite_min_size: i64,
        pub aof_load_truncated: bool,
        pub aof_use_rdb_preamble: bool,
        pub aof_timestamp_enabled: bool,
        pub aof_rewrite_incremental_fsync: bool,
        pub aof_disable_auto_gc: bool,
        // Scripts.
        /// Milliseconds before a script or function is reported busy (`lua-time-limit`).
        pub busy_reply_threshold: i64,
        // Cluster.
        pub cluster_enabled: bool,
        pub cluster_config_file: String,
        pub cluster_node_timeout: i64,
        pub cluster_port: u16,
        pub cluster_replica_validity_factor: i32,
        pub cluster_migration_barrier: i32,
        pub cluster_allow_replica_migration: bool,
        pub cluster_require_full_coverage: bool,
        pub cluster_replica_no_failover: bool,
        pub cluster_allow_reads_when_down: bool,
        pub cluster_allow_pubsubshard_when_down: bool,
        pub cluster_link_sendbuf_limit: u64,
        pub cluster_announce_hostname: Option<String>,
        pub cluster_preferred_endpoint_type: ClusterPreferredEndpointType,
        pub cluster_announce_ip: Option<String>,
        pub cluster_announce_port: u16,
        pub cluster_announce_tls_port: u16,
        pub cluster_announce_bus_port: u16,
        // Monitoring.
        /// Microseconds; negative disables the slow log, 0 logs everything.
        pub slowlog_log_slower_than: i64,
        pub slowlog_max_len: u64,
        /// Milliseconds, 0 = latency monitor off.
        pub latency_monitor_threshold: u64,
        pub latency_tracking: bool,
        pub latency_tracking_info_percentiles: Vec<f64>,
        /// `NOTIFY_*` bits.
        pub notify_keyspace_events: u32,
        // Encodings.
        pub hash_max_listpack_entries: usize,
        pub hash_max_listpack_value: usize,
        /// Positive: entries per quicklist node; -1..-5: node size 4kb..64kb.
        pub list_max_listpack_size: i64,
        pub list_compress_depth: u32,
        pub set_max_intset_entries: usize,
        /// Redis 7.2's listpack sets; not a 7.0 parameter (hidden from `CONFIG GET *`).
        pub set_max_listpack_entries: usize,
        pub set_max_listpack_value: usize,
        pub zset_max_listpack_entries: usize,
        pub zset_max_listpack_value: usize,
        pub hll_sparse_max_bytes: usize,
        pub stream_node_max_bytes: usize,
        pub stream_node_max_entries: i64,
        pub activerehashing: bool,
        // Client limits.
        /// Indexed by [`ClientClass`].
        pub client_output_buffer_limit: [ClientBufferLimit; 3],
        pub client_query_buffer_limit: usize,
        pub proto_max_bulk_len: i64,
        // Defragmentation.
        pub activedefrag: bool,
        pub active_defrag_ignore_bytes: usize,
        pub active_defrag_threshold_lower: i32,
        pub active_defrag_threshold_upper: i32,
        pub active_defrag_cycle_min: i32,
        pub active_defrag_cycle_max: i32,
        pub active_defrag_max_scan_fields: u64,
        pub lfu_log_factor: i32,
        pub lfu_decay_time: i32,
        // TLS.
        pub tls_port: u16,
        pub tls_cert_file: Option<String>,
        pub tls_key_file: Option<String>,
        pub tls_key_file_pass: Option<String>,
        pub tls_client_cert_file: Option<String>,
        pub tls_client_key_file: Option<String>,
        pub tls_client_key_file_pass: Option<String>,
        pub tls_dh_params_file: Option<String>,
        pub tls_ca_cert_file: Option<String>,
        pub tls_ca_cert_dir: Option<String>,
        pub tls_auth_clients: TlsAuthClients,
        pub tls_replication: bool,
        pub tls_cluster: bool,
        pub tls_protocols: Option<String>,
        pub tls_ciphers: Option<String>,
        pub tls_ciphersuites: Option<String>,
        pub tls_prefer_server_ciphers: bool,
        pub tls_session_caching: bool,
        pub tls_session_cache_size: i32,
        pub tls_session_cache_timeout: i32,
        // Config-file only directives.
        /// `rename-command FROM TO` in file order; an empty TO removes the command.
        pub rename_commands: Vec<(String, String)>,
        /// `user ...` directives, words after `user`, for the ACL layer.
        pub users: Vec<Vec<String>>,
        /// `loadmodule PATH ARGS...` directives.
        pub loadmodules: Vec<Vec<String>>,
        /// `module.name value` directives (Redis aborts when no module claims them).
        pub module_configs: Vec<(String, String)>,
        /// The absolute path of the file the server was started with, for CONFIG REWRITE.
        pub config_file: Option<PathBuf>,
        rename_lines: Vec<LineRef>,
    }
}

impl Default for Config {
    fn default() -> Self {
        let mut c = Config::blank();
        for p in table::PARAMS {
            c.set_default(p);
        }
        c.dir =
            std::env::current_dir().map(|d| d.to_string_lossy().into_owned()).unwrap_or_default();
        c
    }
}

/// A startup configuration error. `Display` is the exact text Redis prints to stderr
/// (without the final newline): print it with `eprintln!` and exit with status 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    /// Redis's `*** FATAL CONFIG FILE ERROR ***` block; `line` is the 1-based line number and
    /// the trimmed text, absent for checks made after reading (e.g. the log file).
    Fatal { line: Option<(usize, String)>, msg: String },
    /// The configuration file (or an included one) cannot be opened.
    Open { path: String, reason: String },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Fatal { line, msg } => {
                write!(f, "\n*** FATAL CONFIG FILE ERROR (Redis {REDIS_VERSION}) ***\n")?;
                if let Some((n, text)) = line {
                    write!(f, "Reading the configuration file, at line {n}\n>>> '{text}'\n")?;
                }
                write!(f, "{msg}")
            }
            ConfigError::Open { path, reason } => {
                write!(f, "Fatal error, can't open config file '{path}': {reason}")
            }
        }
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// CONFIG GET: the parameters matching any of the glob patterns or exact names
    /// (case-insensitive), each once. Patterns match aliases too and skip hidden parameters;
    /// an exact name is reported as it was asked.
    pub fn config_get(&self, patterns: &[&[u8]]) -> Vec<(String, String)> {
        self.config_get_with(patterns, crate::util::glob::string_match)
    }

    fn config_get_with(
        &self,
        patterns: &[&[u8]],
        matcher: fn(&[u8], &[u8], bool) -> bool,
    ) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        let push = |out: &mut Vec<(String, String)>, key: &[u8], p: &Param| {
            let key = text(key);
            if !out.iter().any(|(k, _)| k.eq_ignore_ascii_case(&key)) {
                out.push((key, text(&self.get_value(p))));
            }
        };
        for &pat in patterns {
            if !pat.iter().any(|b| matches!(b, b'[' | b'*' | b'?')) {
                if let Some((p, _)) = lookup(pat) {
                    push(&mut out, pat, p);
                }
                continue;
            }
            for p in table::PARAMS.iter().filter(|p| !p.is_hidden()) {
                for name in std::iter::once(p.name).chain(p.alias) {
                    if matcher(pat, name.as_bytes(), true) {
                        push(&mut out, name.as_bytes(), p);
                    }
                }
            }
        }
        out
    }

    /// The CONFIG GET value of one parameter (name or alias), if it exists.
    pub fn get(&self, name: &str) -> Option<String> {
        lookup(name.as_bytes()).map(|(p, _)| text(&self.get_value(p)))
    }

    /// CONFIG SET for a client that is not local: see [`Config::config_set_with`].
    pub fn config_set(&mut self, pairs: &[(&[u8], &[u8])]) -> Result<(), CommandError> {
        self.config_set_with(pairs, false)
    }

    /// CONFIG SET name value [name value ...]: all or nothing. `local_client` (loopback or
    /// unix socket) matters when `enable-protected-configs` is `local`. Error texts are
    /// Redis's: the first unknown, immutable, protected or repeated name wins, then the
    /// first value that does not parse.
    pub fn config_set_with(
        &mut self,
        pairs: &[(&[u8], &[u8])],
        local_client: bool,
    ) -> Result<(), CommandError> {
        self.config_set_gated(pairs, local_client, true)
    }

    /// CONFIG SET without the missing-feature gate: the parsing tests use every value.
    #[cfg(test)]
    pub(crate) fn config_set_ungated(
        &mut self,
        pairs: &[(&[u8], &[u8])],
    ) -> Result<(), CommandError> {
        self.config_set_gated(pairs, false, false)
    }

    fn config_set_gated(
        &mut self,
        pairs: &[(&[u8], &[u8])],
        local_client: bool,
        gate: bool,
    ) -> Result<(), CommandError> {
        let mut found: Vec<(&'static Param, bool, &[u8])> = Vec::with_capacity(pairs.len());
        let mut unknown: Option<&[u8]> = None;
        let mut err: Option<(&[u8], &str)> = None;
        for &(name, value) in pairs {
            let Some((p, alias)) = lookup(name) else {
                if err.is_none() && unknown.is_none() {
                    unknown = Some(name);
                }
                continue;
            };
            if unknown.is_some() || err.is_some() {
                continue;
            }
            if p.is_immutable() {
                err = Some((name, "can't set immutable config"));
            } else if p.is_protected() && !self.enable_protected_configs.allows(local_client) {
                err = Some((name, "can't set protected config"));
            } else if found.iter().any(|f| std::ptr::eq(f.0, p) && f.1 == alias) {
                // Redis compares table entries, and an alias is an entry of its own.
                err = Some((name, "duplicate parameter"));
            }
            found.push((p, alias, value));
        }
        if let Some(name) = unknown {
            return Err(CommandError::msg(format!(
                "ERR Unknown option or number of arguments for CONFIG SET - '{}'",
                text(name)
            )));
        }
        if let Some((name, e)) = err {
            return Err(set_failed(name, e));
        }
        let mut next = self.clone();
        let mut ctx = LoadCtx::runtime();
        for &(p, alias, value) in &found {
            let args: Vec<&[u8]> = if p.multi_arg() { split_space(value) } else { vec![value] };
            if let Err(e) = next.set_param(p, &args, &mut ctx) {
                let shown = if alias { p.alias.unwrap_or(p.name) } else { p.name };
                return Err(set_failed(shown.as_bytes(), &e));
            }
        }
        for &(p, _, _) in &found {
            next.apply(p);
        }
        if gate {
            let names: Vec<&str> = found.iter().map(|f| f.0.name).collect();
            if let Some(n) = missing::first_unmet(&next, Some(&names)) {
                let &(p, alias, _) = found.iter().find(|f| f.0.name == n.setting).expect("found");
                let shown = if alias { p.alias.unwrap_or(p.name) } else { p.name };
                return Err(set_failed(shown.as_bytes(), &missing::refusal(n)));
            }
        }
        *self = next;
        Ok(())
    }

    /// CONFIG REWRITE of the file the server was started with.
    pub fn config_rewrite(&self) -> Result<(), CommandError> {
        match &self.config_file {
            Some(path) => self.rewrite_file(path),
            None => Err(CommandError::stat("ERR The server is running without a config file")),
        }
    }

    /// CONFIG REWRITE into `path`: keep its comments, unknown directives, `include`,
    /// `rename-command`, `user` and `loadmodule` lines; replace the lines of known
    /// parameters with the current values, blank the lines of parameters that no longer
    /// need them, and append non-default values after a `# Generated by CONFIG REWRITE`
    /// line. The file is replaced atomically (temporary file, fsync, rename).
    pub fn rewrite_file(&self, path: &Path) -> Result<(), CommandError> {
        rewrite::rewrite(self, path)
            .map_err(|e| CommandError::msg(format!("ERR Rewriting config file: {}", strerror(&e))))
    }
}
