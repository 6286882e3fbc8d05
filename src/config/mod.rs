//! Every Redis 7.0 configuration parameter: name, aliases, default, bounds, parsing and
//! formatting; redis.conf and command-line parsing; CONFIG GET/SET/REWRITE.
//!
//! # Layout
//!
//! - `table`: the descriptor table, one entry per parameter (Redis's `static_configs`),
//!   mapping name and alias to type, default, bounds, flags and the typed `Config` field.
//! - `mod.rs` (here): `Config`, its enums, loading (file, stdin, `--name value`), CONFIG
//!   GET and CONFIG SET written once per type.
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

mod parse;
mod rewrite;
mod table;
#[cfg(test)]
mod tests;

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::CommandError;
use parse::*;
pub use table::{
    lookup, params, stored_only, Param, ACTED, DENY_LOADING, HIDDEN, IMMUTABLE, MULTI_ARG,
    PROTECTED, SENSITIVE,
};
use table::{Kind, NumFmt, NumSpec, Special};

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

/// State of one startup load, carried across includes.
struct LoadCtx {
    /// Redis's `reading_config_file`: cleared when any file (an include too) ends, which
    /// changes how later `save` lines combine.
    reading_file: bool,
    /// Redis's static `save_loaded`: the first `save` line replaces the defaults.
    save_loaded: bool,
    depth: usize,
}

impl LoadCtx {
    fn runtime() -> Self {
        LoadCtx { reading_file: false, save_loaded: true, depth: 0 }
    }
}

/// Directives that are not parameters yet are valid in a file (and survive a rewrite).
const FILE_ONLY_DIRECTIVES: &[&str] =
    &["include", "rename-command", "user", "loadmodule", "sentinel"];

/// Accepted and ignored for compatibility with older files (Redis: `deprecated_configs`).
const DEPRECATED: &[&str] =
    &["list-max-ziplist-entries", "list-max-ziplist-value", "lua-replicate-commands"];

/// Nested includes deeper than this are refused instead of recursing without end.
const MAX_INCLUDE_DEPTH: usize = 64;

impl Config {
    /// Build the configuration the way `redis-server` does from its arguments (without the
    /// program name): an optional config file path first (any first argument not starting
    /// with `-`), then `--name value...` options; `-` as the first or last argument reads
    /// more configuration from stdin. Options are appended to the file's text, so they win
    /// and errors name their line in that combined text, as in Redis.
    pub fn from_args(args: &[String]) -> Result<Config, ConfigError> {
        Self::from_args_with_stdin(args, &mut std::io::stdin())
    }

    fn from_args_with_stdin(args: &[String], stdin: &mut dyn Read) -> Result<Config, ConfigError> {
        let mut cfg = Config::default();
        if args.is_empty() {
            return Ok(cfg);
        }
        let mut j = 0;
        if !args[0].starts_with('-') {
            let abs = std::path::absolute(&args[0]).unwrap_or_else(|_| PathBuf::from(&args[0]));
            cfg.config_file = Some(abs);
            j = 1;
        }
        let mut from_stdin = false;
        let mut options: Vec<u8> = Vec::new();
        let mut handled_last = true;
        while j < args.len() {
            let a = args[j].as_bytes();
            if a == b"-" && (j == 0 || j == args.len() - 1) {
                from_stdin = true;
            } else if handled_last && a.starts_with(b"--") {
                if !options.is_empty() {
                    options.push(b'\n');
                }
                options.extend_from_slice(&a[2..]);
                options.push(b' ');
                let words = split_args(a).map_or(0, |w| w.len());
                if words == 1 {
                    handled_last = false;
                    let next_is_opt = args.get(j + 1).is_some_and(|n| n.starts_with("--"));
                    let last = j == args.len() - 1;
                    let is_save = args[j].eq_ignore_ascii_case("--save");
                    let is_sentinel = args[j].eq_ignore_ascii_case("--sentinel");
                    // `--save` with no value means `save ""` (pre-7.0 command lines).
                    if is_save && (next_is_opt || last) {
                        options.extend_from_slice(b"\"\"");
                        handled_last = next_is_opt;
                    } else if is_sentinel && next_is_opt {
                        handled_last = true;
                    }
                } else {
                    handled_last = true;
                }
            } else {
                options.extend_from_slice(&repr(a));
                options.push(b' ');
                handled_last = true;
            }
            j += 1;
        }

        let mut content: Vec<u8> = Vec::new();
        if let Some(path) = cfg.config_file.clone() {
            content = read_config_file(&path)?;
        }
        if from_stdin {
            let mut buf = Vec::new();
            stdin.read_to_end(&mut buf).map_err(|e| ConfigError::Fatal {
                line: None,
                msg: format!("Error reading config from stdin: {}", strerror(&e)),
            })?;
            content.extend_from_slice(&buf);
        }
        content.push(b'\n');
        content.extend_from_slice(&options);

        let mut ctx = LoadCtx { reading_file: false, save_loaded: false, depth: 0 };
        cfg.load_string(&content, &mut ctx)?;
        cfg.check_after_load()?;
        Ok(cfg)
    }

    /// Parse configuration text (redis.conf syntax) over the current values, like Redis's
    /// `loadServerConfigFromString`. Used for files, includes and tests.
    pub fn load_str(&mut self, text: &str) -> Result<(), ConfigError> {
        let mut ctx = LoadCtx { reading_file: false, save_loaded: false, depth: 0 };
        self.load_string(text.as_bytes(), &mut ctx)?;
        self.check_after_load()
    }

    fn load_string(&mut self, content: &[u8], ctx: &mut LoadCtx) -> Result<(), ConfigError> {
        ctx.reading_file = true;
        for (i, raw) in content.split(|&b| b == b'\n').enumerate() {
            let line = trim(c_str(raw), b" \t\r\n");
            if line.is_empty() || line[0] == b'#' {
                continue;
            }
            let fail = |msg: String| ConfigError::Fatal { line: Some((i + 1, text(line))), msg };
            let Some(mut argv) = split_args(line) else {
                return Err(fail("Unbalanced quotes in configuration line".into()));
            };
            if argv.is_empty() {
                continue;
            }
            argv[0].make_ascii_lowercase();
            if let Some((p, _)) = lookup(&argv[0]) {
                if !p.multi_arg() && argv.len() != 2 {
                    return Err(fail("wrong number of arguments".into()));
                }
                let args: Vec<&[u8]> = argv[1..].iter().map(Vec::as_slice).collect();
                self.set_param(p, &args, ctx).map_err(fail)?;
                continue;
            }
            let name = text(&argv[0]);
            if argv.len() == 2 && DEPRECATED.contains(&name.as_str()) {
                continue;
            }
            let words = || argv[1..].iter().map(|w| text(w)).collect::<Vec<_>>();
            match name.as_str() {
                "include" if argv.len() == 2 => {
                    if ctx.depth >= MAX_INCLUDE_DEPTH {
                        return Err(fail("Too many nested include directives".into()));
                    }
                    ctx.depth += 1;
                    let r = self.include(&argv[1], ctx);
                    ctx.depth -= 1;
                    r?;
                }
                "rename-command" if argv.len() == 3 => {
                    self.rename_commands.push((text(&argv[1]), text(&argv[2])));
                    self.rename_lines.push(LineRef { num: i + 1, text: text(line) });
                }
                "user" if argv.len() >= 2 => self.users.push(words()),
                "loadmodule" if argv.len() >= 2 => self.loadmodules.push(words()),
                _ if name.contains('.') => {
                    if argv.len() != 2 {
                        return Err(fail("Module config specified without value".into()));
                    }
                    self.module_configs.push((name.clone(), text(&argv[1])));
                }
                "sentinel" => {
                    // A bare `sentinel` selects sentinel mode, which main decides about.
                    if argv.len() != 1 {
                        return Err(fail("sentinel directive while not in sentinel mode".into()));
                    }
                }
                _ => return Err(fail("Bad directive or wrong number of arguments".into())),
            }
        }
        ctx.reading_file = false;
        Ok(())
    }

    /// `include PATH`: relative to the current `dir` (Redis has `chdir`-ed there by now);
    /// a glob pattern that matches nothing is fine, a missing plain file is fatal.
    fn include(&mut self, path: &[u8], ctx: &mut LoadCtx) -> Result<(), ConfigError> {
        let path = text(path);
        let full = Path::new(&self.dir).join(&path);
        if path.contains(['*', '?', '[']) {
            for p in glob_paths(&full.to_string_lossy()) {
                let content = read_config_file(&p)?;
                self.load_string(&content, ctx)?;
            }
            return Ok(());
        }
        let content = read_config_file(&full)?;
        self.load_string(&content, ctx)
    }

    /// Redis's checks after the whole text is read.
    fn check_after_load(&mut self) -> Result<(), ConfigError> {
        if !self.logfile.is_empty() {
            let path = Path::new(&self.dir).join(&self.logfile);
            if let Err(e) = std::fs::OpenOptions::new().append(true).create(true).open(path) {
                return Err(ConfigError::Fatal {
                    line: None,
                    msg: format!("Can't open the log file: {}", strerror(&e)),
                });
            }
        }
        if self.cluster_enabled && self.replicaof.is_some() {
            return Err(ConfigError::Fatal {
                line: None,
                msg: "replicaof directive not allowed in cluster mode".into(),
            });
        }
        self.normalize();
        Ok(())
    }

    /// Redis's apply hooks that change what CONFIG GET then shows.
    fn normalize(&mut self) {
        self.hz = self.hz.clamp(HZ_MIN, HZ_MAX);
    }

    /// Redis's `rename-command` checks, which need the command table: `exists` tells
    /// whether a command name exists in the original table. Renames apply in file order,
    /// so a command renamed away frees its name. Errors name the directive's line.
    pub fn check_rename_commands(&self, exists: impl Fn(&str) -> bool) -> Result<(), ConfigError> {
        let mut removed: Vec<String> = Vec::new();
        let mut added: Vec<String> = Vec::new();
        for (k, (from, to)) in self.rename_commands.iter().enumerate() {
            let from_l = from.to_ascii_lowercase();
            let to_l = to.to_ascii_lowercase();
            let line = self.rename_lines.get(k).map(|l| (l.num, l.text.clone()));
            let present = |n: &str, removed: &[String], added: &[String]| {
                (exists(n) && !removed.iter().any(|r| r == n)) || added.iter().any(|a| a == n)
            };
            if !present(&from_l, &removed, &added) {
                return Err(ConfigError::Fatal {
                    line,
                    msg: "No such command in rename-command".into(),
                });
            }
            added.retain(|a| *a != from_l);
            removed.push(from_l);
            if !to.is_empty() {
                if present(&to_l, &removed, &added) {
                    return Err(ConfigError::Fatal {
                        line,
                        msg: "Target command name already exists".into(),
                    });
                }
                added.push(to_l);
            }
        }
        Ok(())
    }

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
        next.normalize();
        *self = next;
        Ok(())
    }

    /// Put a parameter back to Redis's default.
    fn set_default(&mut self, p: &Param) {
        match &p.kind {
            Kind::Bool { default, set, .. } => set(self, *default),
            Kind::Str { default, set, .. } => set(self, default.map(|d| d.as_bytes().to_vec())),
            Kind::Enum { default, set, .. } => set(self, *default),
            Kind::Num(n) => (n.set)(self, n.default),
            Kind::Special(s) => match s {
                Special::Dir => {}
                Special::Save => self.save = SAVE_DEFAULTS.to_vec(),
                Special::ClientOutputBufferLimit => self.client_output_buffer_limit = COBL_DEFAULTS,
                Special::OomScoreAdjValues => self.oom_score_adj_values = OOM_DEFAULTS,
                Special::NotifyKeyspaceEvents => self.notify_keyspace_events = 0,
                Special::Bind => self.bind = BIND_DEFAULTS.iter().map(|s| s.to_string()).collect(),
                Special::ReplicaOf => self.replicaof = None,
                Special::LatencyTrackingInfoPercentiles => {
                    self.latency_tracking_info_percentiles = PERCENTILE_DEFAULTS.to_vec()
                }
            },
        }
    }

    /// Set one parameter from its argument words; the error is Redis's text.
    fn set_param(&mut self, p: &Param, args: &[&[u8]], ctx: &mut LoadCtx) -> Result<(), String> {
        let first = args.first().copied().unwrap_or(b"");
        match &p.kind {
            Kind::Bool { set, .. } => {
                let c = c_str(first);
                if c.eq_ignore_ascii_case(b"yes") {
                    set(self, true);
                } else if c.eq_ignore_ascii_case(b"no") {
                    set(self, false);
                } else {
                    return Err("argument must be 'yes' or 'no'".into());
                }
            }
            Kind::Str { empty_is_null, binary, check, set, .. } => {
                let v = if *binary { first } else { c_str(first) };
                if let Some(check) = check {
                    check(self, v)?;
                }
                set(self, if *empty_is_null && v.is_empty() { None } else { Some(v.to_vec()) });
            }
            Kind::Enum { names, bitflags, check, set, .. } => {
                let v = enum_value(names, args, *bitflags).ok_or_else(|| enum_error(names))?;
                if let Some(check) = check {
                    check(v)?;
                }
                set(self, v);
            }
            Kind::Num(n) => {
                let v = parse_num(n, first)?;
                check_bounds(n, v)?;
                (n.set)(self, v);
            }
            Kind::Special(s) => self.set_special(*s, args, ctx)?,
        }
        Ok(())
    }

    fn set_special(&mut self, s: Special, args: &[&[u8]], ctx: &mut LoadCtx) -> Result<(), String> {
        match s {
            Special::Dir => {
                if args.len() != 1 {
                    return Err("wrong number of arguments".into());
                }
                self.dir = resolve_dir(&self.dir, args[0])?;
            }
            Special::Save => {
                let args =
                    if args.len() == 1 && c_str(args[0]).is_empty() { &[][..] } else { args };
                if args.len() % 2 != 0 {
                    return Err("Invalid save parameters".into());
                }
                let mut pairs = Vec::with_capacity(args.len() / 2);
                for pair in args.chunks(2) {
                    let secs = strtoll_whole(pair[0]).filter(|&v| v >= 1);
                    let changes = strtoll_whole(pair[1]).filter(|&v| v >= 0);
                    match (secs, changes) {
                        (Some(s), Some(c)) => pairs.push((s, c as i32)),
                        _ => return Err("Invalid save parameters".into()),
                    }
                }
                // At runtime a save value replaces the list; in a file the first `save`
                // replaces the defaults and later ones add to it, until any file (an
                // include too) has been read completely.
                if !ctx.reading_file {
                    self.save.clear();
                } else if !ctx.save_loaded {
                    ctx.save_loaded = true;
                    self.save.clear();
                }
                self.save.extend(pairs);
            }
            Special::ClientOutputBufferLimit => {
                if args.len() % 4 != 0 {
                    return Err("Wrong number of arguments in buffer limit configuration.".into());
                }
                let mut updates = Vec::new();
                for group in args.chunks(4) {
                    let class = match c_str(group[0]).to_ascii_lowercase().as_slice() {
                        b"normal" => ClientClass::Normal,
                        b"slave" | b"replica" => ClientClass::Replica,
                        b"pubsub" => ClientClass::Pubsub,
                        _ => {
                            return Err(
                                "Invalid client class specified in buffer limit configuration."
                                    .into(),
                            )
                        }
                    };
                    let hard = memtoull(group[1]);
                    let soft = memtoull(group[2]);
                    let secs = strtoll_whole(group[3]).map(|v| v as i32).filter(|&v| v >= 0);
                    match (hard, soft, secs) {
                        (Some(h), Some(s), Some(secs)) => updates.push((
                            class,
                            ClientBufferLimit {
                                hard_limit_bytes: h,
                                soft_limit_bytes: s,
                                soft_limit_seconds: i64::from(secs),
                            },
                        )),
                        _ => {
                            return Err("Error in hard, soft or soft_seconds setting in buffer limit configuration.".into())
                        }
                    }
                }
                for (class, lim) in updates {
                    self.client_output_buffer_limit[class as usize] = lim;
                }
            }
            Special::OomScoreAdjValues => {
                if args.len() != 3 {
                    return Err("wrong number of arguments".into());
                }
                let mut vals = [0i32; 3];
                for (slot, a) in vals.iter_mut().zip(args) {
                    match strtoll_whole(a) {
                        Some(v) if (-2000..=2000).contains(&v) => *slot = v as i32,
                        _ => {
                            return Err("Invalid oom-score-adj-values, elements must be between -2000 and 2000.".into())
                        }
                    }
                }
                self.oom_score_adj_values = vals;
            }
            Special::NotifyKeyspaceEvents => {
                if args.len() != 1 {
                    return Err("wrong number of arguments".into());
                }
                self.notify_keyspace_events = notify_flags_from_str(c_str(args[0]))
                    .ok_or("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")?;
            }
            Special::Bind => {
                if args.len() > BIND_MAX {
                    return Err("Too many bind addresses specified.".into());
                }
                let args = if args.len() == 1 && args[0].is_empty() { &[][..] } else { args };
                self.bind = args.iter().map(|a| text(c_str(a))).collect();
            }
            Special::ReplicaOf => {
                if args.len() != 2 {
                    return Err("wrong number of arguments".into());
                }
                if args[0].eq_ignore_ascii_case(b"no") && args[1].eq_ignore_ascii_case(b"one") {
                    self.replicaof = None;
                    return Ok(());
                }
                self.replicaof = None;
                match strtoll_whole(args[1]).map(|v| v as i32) {
                    Some(port) if (0..=65535).contains(&port) => {
                        self.replicaof = Some((text(c_str(args[0])), port as u16));
                    }
                    _ => return Err("Invalid master port".into()),
                }
            }
            Special::LatencyTrackingInfoPercentiles => {
                let args = if args.len() == 1 && args[0].is_empty() { &[][..] } else { args };
                let mut vals = Vec::with_capacity(args.len());
                for a in args {
                    let v = string2d(a)
                        .ok_or("Invalid latency-tracking-info-percentiles parameters")?;
                    if !(0.0..=100.0).contains(&v) {
                        return Err("latency-tracking-info-percentiles parameters should sit between [0.0,100.0]".into());
                    }
                    vals.push(v);
                }
                self.latency_tracking_info_percentiles = vals;
            }
        }
        Ok(())
    }

    /// The CONFIG GET text of a parameter.
    fn get_value(&self, p: &Param) -> Vec<u8> {
        match &p.kind {
            Kind::Bool { get, .. } => yes_no(get(self)).into(),
            Kind::Str { get, .. } => get(self).map(<[u8]>::to_vec).unwrap_or_default(),
            Kind::Enum { names, bitflags, get, .. } => {
                enum_name(names, get(self), *bitflags).into_bytes()
            }
            Kind::Num(n) => {
                let v = (n.get)(self);
                match n.fmt {
                    NumFmt::MemoryPercent if v < 0 => format!("{}%", v.unsigned_abs()),
                    NumFmt::Memory | NumFmt::MemoryPercent => (v as u64).to_string(),
                    NumFmt::Octal => format!("{v:o}"),
                    NumFmt::Int => v.to_string(),
                }
                .into_bytes()
            }
            Kind::Special(s) => self.get_special(*s),
        }
    }

    fn get_special(&self, s: Special) -> Vec<u8> {
        let joined = |items: Vec<String>| items.join(" ").into_bytes();
        match s {
            Special::Dir => self.dir.clone().into_bytes(),
            Special::Save => joined(self.save.iter().map(|(s, c)| format!("{s} {c}")).collect()),
            Special::ClientOutputBufferLimit => joined(
                ["normal", "slave", "pubsub"]
                    .iter()
                    .zip(&self.client_output_buffer_limit)
                    .map(|(n, l)| {
                        format!(
                            "{n} {} {} {}",
                            l.hard_limit_bytes, l.soft_limit_bytes, l.soft_limit_seconds
                        )
                    })
                    .collect(),
            ),
            Special::OomScoreAdjValues => {
                joined(self.oom_score_adj_values.iter().map(i32::to_string).collect())
            }
            Special::NotifyKeyspaceEvents => {
                notify_flags_to_string(self.notify_keyspace_events).into_bytes()
            }
            Special::Bind => joined(self.bind.clone()),
            Special::ReplicaOf => match &self.replicaof {
                Some((h, port)) => format!("{h} {port}").into_bytes(),
                None => Vec::new(),
            },
            Special::LatencyTrackingInfoPercentiles => joined(
                self.latency_tracking_info_percentiles.iter().map(|&v| fmt_percentile(v)).collect(),
            ),
        }
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

fn set_failed(name: &[u8], e: &str) -> CommandError {
    CommandError::msg(format!(
        "ERR CONFIG SET failed (possibly related to argument '{}') - {e}",
        text(name)
    ))
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

/// Redis `configEnumGetValue`: one word, or for bit flags several OR-ed together.
fn enum_value(names: &[(&str, u32)], args: &[&[u8]], bitflags: bool) -> Option<u32> {
    if args.is_empty() || (!bitflags && args.len() != 1) {
        return None;
    }
    let mut v = 0;
    for a in args {
        let a = c_str(a);
        let mut matched = false;
        for (n, val) in names {
            if n.as_bytes().eq_ignore_ascii_case(a) {
                v |= val;
                matched = true;
            }
        }
        if !matched {
            return None;
        }
    }
    Some(v)
}

fn enum_error(names: &[(&str, u32)]) -> String {
    let list: Vec<&str> = names.iter().map(|n| n.0).collect();
    let mut s = format!("argument(s) must be one of the following: {}", list.join(", "));
    // Redis formats into a 256-byte buffer.
    s.truncate(255);
    s
}

/// Redis `configEnumGetName`: the exact match, or for bit flags the words covering all bits.
fn enum_name(names: &[(&str, u32)], v: u32, bitflags: bool) -> String {
    let mut words: Vec<&str> = Vec::new();
    let mut unmatched = v;
    for &(n, val) in names {
        if val == v {
            return n.to_string();
        }
        if bitflags && val != 0 && val == (unmatched & val) {
            words.push(n);
            unmatched &= !val;
        }
    }
    if words.is_empty() || unmatched != 0 {
        return "unknown".into();
    }
    words.join(" ")
}

/// Redis `numericParseString`: memory units, then `N%`, then octal, then a plain integer,
/// each only where the parameter allows it.
fn parse_num(n: &NumSpec, s: &[u8]) -> Result<i64, String> {
    let memory = matches!(n.fmt, NumFmt::Memory | NumFmt::MemoryPercent);
    if memory {
        if let Some(v) = memtoull(s) {
            return Ok(v as i64);
        }
    }
    if n.fmt == NumFmt::MemoryPercent && s.len() > 1 && s.ends_with(b"%") {
        if let Some(v) = string2ll(&s[..s.len() - 1]).filter(|&v| v >= 0) {
            return Ok(-v);
        }
    }
    if n.fmt == NumFmt::Octal {
        let c = c_str(s);
        let (v, end, range_err) = strtoll(c, 8);
        if !range_err && end == c.len() {
            return Ok(v);
        }
    }
    if n.fmt == NumFmt::Int {
        if let Some(v) = string2ll(s) {
            return Ok(v);
        }
    }
    Err(match n.fmt {
        NumFmt::MemoryPercent => "argument must be a memory or percent value",
        NumFmt::Memory => "argument must be a memory value",
        NumFmt::Octal => "argument couldn't be parsed as an octal number",
        NumFmt::Int => "argument couldn't be parsed into an integer",
    }
    .into())
}

/// Redis `numericBoundaryCheck`, unsigned types compared as unsigned.
fn check_bounds(n: &NumSpec, v: i64) -> Result<(), String> {
    if n.unsigned {
        let (u, lo, hi) = (v as u64, n.min as u64, n.max as u64);
        if u < lo || u > hi {
            return Err(if n.fmt == NumFmt::Octal {
                format!("argument must be between {lo:o} and {hi:o} inclusive")
            } else {
                format!("argument must be between {lo} and {hi} inclusive")
            });
        }
    } else if n.fmt == NumFmt::MemoryPercent && v < 0 {
        if v < n.min {
            return Err(format!("percentage argument must be less or equal to {}", -n.min));
        }
    } else if v < n.min || v > n.max {
        return Err(format!("argument must be between {} and {} inclusive", n.min, n.max));
    }
    Ok(())
}

/// Where `chdir(arg)` from `cur` would land, as an absolute path, or `strerror` text.
fn resolve_dir(cur: &str, arg: &[u8]) -> Result<String, String> {
    let arg = text(c_str(arg));
    if arg.is_empty() {
        return Err("No such file or directory".into());
    }
    let target = Path::new(cur).join(&arg);
    let canon = std::fs::canonicalize(&target).map_err(|e| strerror(&e))?;
    if !canon.is_dir() {
        return Err("Not a directory".into());
    }
    Ok(canon.to_string_lossy().into_owned())
}

/// Parse `notify-keyspace-events` classes; `None` on an unknown character.
pub fn notify_flags_from_str(s: &[u8]) -> Option<u32> {
    let mut flags = 0;
    for &c in s {
        flags |= match c {
            b'A' => NOTIFY_ALL,
            b'g' => NOTIFY_GENERIC,
            b'$' => NOTIFY_STRING,
            b'l' => NOTIFY_LIST,
            b's' => NOTIFY_SET,
            b'h' => NOTIFY_HASH,
            b'z' => NOTIFY_ZSET,
            b'x' => NOTIFY_EXPIRED,
            b'e' => NOTIFY_EVICTED,
            b'K' => NOTIFY_KEYSPACE,
            b'E' => NOTIFY_KEYEVENT,
            b't' => NOTIFY_STREAM,
            b'm' => NOTIFY_KEY_MISS,
            b'd' => NOTIFY_MODULE,
            b'n' => NOTIFY_NEW,
            _ => return None,
        };
    }
    Some(flags)
}

/// Format `notify-keyspace-events` flags the way CONFIG GET shows them (`A` when all type
/// classes are set, then K, E, m).
pub fn notify_flags_to_string(flags: u32) -> String {
    let mut s = String::new();
    if flags & NOTIFY_ALL == NOTIFY_ALL {
        s.push('A');
    } else {
        for (bit, c) in [
            (NOTIFY_GENERIC, 'g'),
            (NOTIFY_STRING, '$'),
            (NOTIFY_LIST, 'l'),
            (NOTIFY_SET, 's'),
            (NOTIFY_HASH, 'h'),
            (NOTIFY_ZSET, 'z'),
            (NOTIFY_EXPIRED, 'x'),
            (NOTIFY_EVICTED, 'e'),
            (NOTIFY_STREAM, 't'),
            (NOTIFY_MODULE, 'd'),
            (NOTIFY_NEW, 'n'),
        ] {
            if flags & bit != 0 {
                s.push(c);
            }
        }
    }
    for (bit, c) in [(NOTIFY_KEYSPACE, 'K'), (NOTIFY_KEYEVENT, 'E'), (NOTIFY_KEY_MISS, 'm')] {
        if flags & bit != 0 {
            s.push(c);
        }
    }
    s
}

/// Read a whole config file. A directory reads as empty, as `fopen`+`fgets` see it.
fn read_config_file(path: &Path) -> Result<Vec<u8>, ConfigError> {
    match std::fs::read(path) {
        Ok(b) => Ok(b),
        Err(_) if path.is_dir() => Ok(Vec::new()),
        Err(e) => Err(ConfigError::Open {
            path: path.to_string_lossy().into_owned(),
            reason: strerror(&e),
        }),
    }
}

/// glob(3) expansion for `include` patterns, sorted; nothing when nothing matches.
fn glob_paths(pattern: &str) -> Vec<PathBuf> {
    let Ok(cpat) = std::ffi::CString::new(pattern) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    // SAFETY: glob_t is plain data that glob() fills in; it is zero-initialised as glob
    // expects, read only within gl_pathc entries, and released with globfree().
    unsafe {
        let mut g: libc::glob_t = std::mem::zeroed();
        if libc::glob(cpat.as_ptr(), 0, None, &mut g) == 0 {
            for i in 0..g.gl_pathc {
                let p = *g.gl_pathv.add(i);
                if !p.is_null() {
                    let s = std::ffi::CStr::from_ptr(p);
                    out.push(PathBuf::from(s.to_string_lossy().into_owned()));
                }
            }
        }
        libc::globfree(&mut g);
    }
    out
}
