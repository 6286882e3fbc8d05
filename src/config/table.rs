//! The descriptor table: one entry per Redis 7.0.15 parameter, as in config.c's
//! `static_configs`. Each entry names the parameter (and its alias), its flags, its type
//! with default and bounds, and accessors to the typed `Config` field that backs it.
//! Parsing, CONFIG GET/SET and CONFIG REWRITE are written once per type in `mod.rs` and
//! `rewrite.rs`; adding a parameter is adding a line here and a field to `Config`.

// The accessor macros cast every field through i64 whatever its integer type, so some casts
// are to the type the field already has.
#![allow(clippy::unnecessary_cast)]

use super::*;

/// CONFIG SET refuses it: "can't set immutable config".
pub const IMMUTABLE: u32 = 1 << 0;
/// CONFIG SET needs `enable-protected-configs`: "can't set protected config".
pub const PROTECTED: u32 = 1 << 1;
/// The value must be redacted from SLOWLOG, MONITOR and the command log.
pub const SENSITIVE: u32 = 1 << 2;
/// Only an exact CONFIG GET name finds it, never a pattern.
pub const HIDDEN: u32 = 1 << 3;
/// Takes several words: separate arguments in a file, one space-separated CONFIG SET value.
pub const MULTI_ARG: u32 = 1 << 4;
/// Redis refuses to change it while loading a dataset (`-LOADING`).
pub const DENY_LOADING: u32 = 1 << 5;
/// ferrodis reads this value and behaves accordingly. Parameters without it are parsed,
/// validated, reported and rewritten exactly like Redis, and otherwise ignored.
pub const ACTED: u32 = 1 << 6;

/// One configuration parameter.
pub struct Param {
    /// The canonical name, as CONFIG REWRITE writes it.
    pub name: &'static str,
    /// The other accepted name (`slaveof`, `hash-max-ziplist-entries`, ...).
    pub alias: Option<&'static str>,
    /// `IMMUTABLE | PROTECTED | SENSITIVE | HIDDEN | MULTI_ARG | DENY_LOADING | ACTED`.
    pub flags: u32,
    pub(crate) kind: Kind,
}

impl Param {
    pub fn is_immutable(&self) -> bool {
        self.flags & IMMUTABLE != 0
    }
    pub fn is_protected(&self) -> bool {
        self.flags & PROTECTED != 0
    }
    pub fn is_sensitive(&self) -> bool {
        self.flags & SENSITIVE != 0
    }
    pub fn is_hidden(&self) -> bool {
        self.flags & HIDDEN != 0
    }
    pub fn is_acted_on(&self) -> bool {
        self.flags & ACTED != 0
    }
    pub(crate) fn multi_arg(&self) -> bool {
        self.flags & MULTI_ARG != 0
    }
}

/// Extra validation of a yes/no value; the error is Redis's text.
pub(crate) type BoolCheck = fn(bool) -> Result<(), &'static str>;
/// Extra validation of a string value; the error is Redis's text.
pub(crate) type StrCheck = fn(&Config, &[u8]) -> Result<(), &'static str>;
/// Extra validation of an enum value (e.g. incompatible flags).
pub(crate) type EnumCheck = fn(u32) -> Result<(), &'static str>;

pub(crate) enum Kind {
    Bool {
        default: bool,
        check: Option<BoolCheck>,
        get: fn(&Config) -> bool,
        set: fn(&mut Config, bool),
    },
    /// A C string (`char *`) or, with `binary`, an sds. `default: None` means NULL, which
    /// only the "empty string is NULL" parameters have.
    Str {
        default: Option<&'static str>,
        empty_is_null: bool,
        binary: bool,
        check: Option<StrCheck>,
        get: fn(&Config) -> Option<&[u8]>,
        set: fn(&mut Config, Option<Vec<u8>>),
    },
    Enum {
        names: &'static [(&'static str, u32)],
        default: u32,
        /// Several words OR-ed together (shutdown-on-sigint/sigterm).
        bitflags: bool,
        check: Option<EnumCheck>,
        get: fn(&Config) -> u32,
        set: fn(&mut Config, u32),
    },
    Num(NumSpec),
    Special(Special),
}

/// How a numeric parameter is written and read back.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum NumFmt {
    Int,
    Memory,
    /// Memory, or `N%` stored as -N.
    MemoryPercent,
    Octal,
}

pub(crate) struct NumSpec {
    pub default: i64,
    pub min: i64,
    pub max: i64,
    /// Bounds are compared as unsigned (Redis: unsigned int, unsigned long long, size_t).
    pub unsigned: bool,
    pub fmt: NumFmt,
    pub get: fn(&Config) -> i64,
    pub set: fn(&mut Config, i64),
}

/// Parameters with their own syntax, handled one by one.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Special {
    Dir,
    Save,
    ClientOutputBufferLimit,
    OomScoreAdjValues,
    NotifyKeyspaceEvents,
    Bind,
    ReplicaOf,
    LatencyTrackingInfoPercentiles,
}

const I32_MIN: i64 = i32::MIN as i64;
const I32_MAX: i64 = i32::MAX as i64;
const U32_MAX: i64 = u32::MAX as i64;
const I64_MAX: i64 = i64::MAX;
/// ULLONG_MAX as Redis stores bounds: in a long long.
const U64_MAX: i64 = -1;

const M: u32 = 0;
const I: u32 = IMMUTABLE;
const A: u32 = ACTED;

macro_rules! boolp {
    ($name:literal, $alias:expr, $flags:expr, $def:expr, $f:ident) => {
        Param {
            name: $name,
            alias: $alias,
            flags: $flags,
            kind: Kind::Bool { default: $def, check: None, get: |c| c.$f, set: |c, v| c.$f = v },
        }
    };
}

/// A C string that keeps "" (the field is a `String`).
macro_rules! strp {
    ($name:literal, $alias:expr, $flags:expr, $def:literal, $check:expr, $f:ident) => {
        Param {
            name: $name,
            alias: $alias,
            flags: $flags,
            kind: Kind::Str {
                default: Some($def),
                empty_is_null: false,
                binary: false,
                check: $check,
                get: |c| Some(c.$f.as_bytes()),
                set: |c, v| c.$f = text(&v.unwrap_or_default()),
            },
        }
    };
}

/// A C string where "" means unset (the field is an `Option<String>`).
macro_rules! optp {
    ($name:literal, $alias:expr, $flags:expr, $check:expr, $f:ident) => {
        Param {
            name: $name,
            alias: $alias,
            flags: $flags,
            kind: Kind::Str {
                default: None,
                empty_is_null: true,
                binary: false,
                check: $check,
                get: |c| c.$f.as_deref().map(str::as_bytes),
                set: |c, v| c.$f = v.map(|v| text(&v)),
            },
        }
    };
}

/// A binary-safe sds where "" means unset (the field is an `Option<Vec<u8>>`).
macro_rules! sdsp {
    ($name:literal, $flags:expr, $f:ident) => {
        Param {
            name: $name,
            alias: None,
            flags: $flags,
            kind: Kind::Str {
                default: None,
                empty_is_null: true,
                binary: true,
                check: None,
                get: |c| c.$f.as_deref(),
                set: |c, v| c.$f = v,
            },
        }
    };
}

macro_rules! enump {
    ($name:literal, $flags:expr, $ty:ident, $def:ident, $f:ident) => {
        Param {
            name: $name,
            alias: None,
            flags: $flags,
            kind: Kind::Enum {
                names: $ty::NAMES,
                default: $ty::$def as u32,
                bitflags: false,
                check: None,
                get: |c| c.$f as u32,
                set: |c, v| {
                    if let Some(v) = $ty::from_u32(v) {
                        c.$f = v
                    }
                },
            },
        }
    };
}

macro_rules! nump {
    ($name:literal, $alias:expr, $flags:expr, $min:expr, $max:expr, $def:expr, $fmt:ident, $uns:expr, $f:ident) => {
        Param {
            name: $name,
            alias: $alias,
            flags: $flags,
            kind: Kind::Num(NumSpec {
                default: $def,
                min: $min,
                max: $max,
                unsigned: $uns,
                fmt: NumFmt::$fmt,
                get: |c| c.$f as i64,
                set: |c, v| c.$f = v as _,
            }),
        }
    };
}

/// C `int` and `long long` style (signed bounds).
macro_rules! intp {
    ($name:literal, $alias:expr, $flags:expr, $min:expr, $max:expr, $def:expr, $f:ident) => {
        nump!($name, $alias, $flags, $min, $max, $def, Int, false, $f)
    };
}

macro_rules! special {
    ($name:literal, $alias:expr, $flags:expr, $s:ident) => {
        Param { name: $name, alias: $alias, flags: $flags, kind: Kind::Special(Special::$s) }
    };
}

const SHUTDOWN_NAMES: &[(&str, u32)] = &[
    ("default", 0),
    ("save", SHUTDOWN_SAVE),
    ("nosave", SHUTDOWN_NOSAVE),
    ("now", SHUTDOWN_NOW),
    ("force", SHUTDOWN_FORCE),
];

fn check_shutdown_flags(v: u32) -> Result<(), &'static str> {
    if v & SHUTDOWN_SAVE != 0 && v & SHUTDOWN_NOSAVE != 0 {
        return Err("shutdown options SAVE and NOSAVE can't be used simultaneously");
    }
    Ok(())
}

macro_rules! shutdownp {
    ($name:literal, $f:ident) => {
        Param {
            name: $name,
            alias: None,
            flags: MULTI_ARG,
            kind: Kind::Enum {
                names: SHUTDOWN_NAMES,
                default: 0,
                bitflags: true,
                check: Some(check_shutdown_flags),
                get: |c| c.$f,
                set: |c, v| c.$f = v,
            },
        }
    };
}

/// ferrodis has no defragmenter, so it answers like a Redis built without one (as the
/// reference server is).
fn check_active_defrag(v: bool) -> Result<(), &'static str> {
    if v {
        return Err("Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified Jemalloc like the one shipped by default with the Redis source distribution");
    }
    Ok(())
}

fn check_dbfilename(_: &Config, v: &[u8]) -> Result<(), &'static str> {
    if v.contains(&b'/') {
        return Err("dbfilename can't be a path, just a filename");
    }
    Ok(())
}

fn check_aof_filename(_: &Config, v: &[u8]) -> Result<(), &'static str> {
    if v.is_empty() {
        return Err("appendfilename can't be empty");
    }
    if v.contains(&b'/') {
        return Err("appendfilename can't be a path, just a filename");
    }
    Ok(())
}

fn check_aof_dirname(_: &Config, v: &[u8]) -> Result<(), &'static str> {
    if v.is_empty() {
        return Err("appenddirname can't be empty");
    }
    if v.contains(&b'/') {
        return Err("appenddirname can't be a path, just a dirname");
    }
    Ok(())
}

fn check_hostname(_: &Config, v: &[u8]) -> Result<(), &'static str> {
    // NET_HOST_STR_LEN is 256.
    if v.len() >= 256 {
        return Err("Hostnames must be less than 256 characters");
    }
    if !v.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.') {
        return Err("Hostnames may only contain alphanumeric characters, hyphens or dots");
    }
    Ok(())
}

/// Redis expands the template with the current values (title empty) and refuses it when a
/// variable is unknown, a brace is unclosed, or the result is blank.
fn check_proc_title(c: &Config, v: &[u8]) -> Result<(), &'static str> {
    const ERR: &str = "template format is invalid or contains unknown variables";
    let mut out: Vec<u8> = Vec::new();
    let mut p = 0;
    while p < v.len() {
        let Some(open) = v[p..].iter().position(|&b| b == b'{').map(|i| p + i) else {
            out.extend_from_slice(&v[p..]);
            break;
        };
        out.extend_from_slice(&v[p..open]);
        let sv = open + 1;
        match v.get(sv) {
            None => return Err(ERR),
            Some(b'{') => {
                out.push(b'{');
                p = sv + 1;
                continue;
            }
            _ => {}
        }
        let Some(close) = v[sv..].iter().position(|&b| b == b'}').map(|i| sv + i) else {
            return Err(ERR);
        };
        let value: Vec<u8> = match &v[sv..close] {
            b"title" => Vec::new(),
            b"listen-addr" => b"*:0".to_vec(),
            b"server-mode" if c.cluster_enabled => b"[cluster]".to_vec(),
            b"server-mode" => Vec::new(),
            b"config-file" => c
                .config_file
                .as_ref()
                .map(|p| p.to_string_lossy().into_owned().into_bytes())
                .unwrap_or_default(),
            b"port" => c.port.to_string().into_bytes(),
            b"tls-port" => c.tls_port.to_string().into_bytes(),
            b"unixsocket" => c.unixsocket.clone().unwrap_or_default().into_bytes(),
            _ => return Err(ERR),
        };
        out.extend_from_slice(&value);
        p = close + 1;
    }
    if trim(&out, b" ").is_empty() {
        return Err(ERR);
    }
    Ok(())
}

/// Every parameter, in the order of Redis's `static_configs`.
pub static PARAMS: &[Param] = &[
    // Booleans.
    boolp!("rdbchecksum", None, I, true, rdbchecksum),
    boolp!("daemonize", None, I | A, false, daemonize),
    boolp!("io-threads-do-reads", None, I, false, io_threads_do_reads),
    boolp!("always-show-logo", None, I | A, false, always_show_logo),
    boolp!("protected-mode", None, A, true, protected_mode),
    boolp!("rdbcompression", None, M, true, rdbcompression),
    boolp!("rdb-del-sync-files", None, M, false, rdb_del_sync_files),
    boolp!("activerehashing", None, M, true, activerehashing),
    boolp!("stop-writes-on-bgsave-error", None, M, true, stop_writes_on_bgsave_error),
    boolp!("set-proc-title", None, I, true, set_proc_title),
    boolp!("dynamic-hz", None, M, true, dynamic_hz),
    boolp!("lazyfree-lazy-eviction", None, A, false, lazyfree_lazy_eviction),
    boolp!("lazyfree-lazy-expire", None, A, false, lazyfree_lazy_expire),
    boolp!("lazyfree-lazy-server-del", None, A, false, lazyfree_lazy_server_del),
    boolp!("lazyfree-lazy-user-del", None, A, false, lazyfree_lazy_user_del),
    boolp!("lazyfree-lazy-user-flush", None, A, false, lazyfree_lazy_user_flush),
    boolp!("repl-disable-tcp-nodelay", None, M, false, repl_disable_tcp_nodelay),
    boolp!("repl-diskless-sync", None, M, true, repl_diskless_sync),
    boolp!("aof-rewrite-incremental-fsync", None, M, true, aof_rewrite_incremental_fsync),
    boolp!("no-appendfsync-on-rewrite", None, M, false, no_appendfsync_on_rewrite),
    boolp!("cluster-require-full-coverage", None, M, true, cluster_require_full_coverage),
    boolp!("rdb-save-incremental-fsync", None, M, true, rdb_save_incremental_fsync),
    boolp!("aof-load-truncated", None, M, true, aof_load_truncated),
    boolp!("aof-use-rdb-preamble", None, M, true, aof_use_rdb_preamble),
    boolp!("aof-timestamp-enabled", None, M, false, aof_timestamp_enabled),
    boolp!(
        "cluster-replica-no-failover",
        Some("cluster-slave-no-failover"),
        M,
        false,
        cluster_replica_no_failover
    ),
    boolp!("replica-lazy-flush", Some("slave-lazy-flush"), M, false, replica_lazy_flush),
    boolp!(
        "replica-serve-stale-data",
        Some("slave-serve-stale-data"),
        M,
        true,
        replica_serve_stale_data
    ),
    boolp!("replica-read-only", Some("slave-read-only"), M, true, replica_read_only),
    boolp!(
        "replica-ignore-maxmemory",
        Some("slave-ignore-maxmemory"),
        M,
        true,
        replica_ignore_maxmemory
    ),
    boolp!("jemalloc-bg-thread", None, M, true, jemalloc_bg_thread),
    Param {
        name: "activedefrag",
        alias: None,
        flags: M,
        kind: Kind::Bool {
            default: false,
            check: Some(check_active_defrag),
            get: |c| c.activedefrag,
            set: |c, v| c.activedefrag = v,
        },
    },
    boolp!("syslog-enabled", None, I | A, false, syslog_enabled),
    boolp!("cluster-enabled", None, I, false, cluster_enabled),
    boolp!("appendonly", None, DENY_LOADING | A, false, appendonly),
    boolp!("cluster-allow-reads-when-down", None, M, false, cluster_allow_reads_when_down),
    boolp!(
        "cluster-allow-pubsubshard-when-down",
        None,
        M,
        true,
        cluster_allow_pubsubshard_when_down
    ),
    boolp!("crash-log-enabled", None, A, true, crash_log_enabled),
    boolp!("crash-memcheck-enabled", None, M, true, crash_memcheck_enabled),
    boolp!("use-exit-on-panic", None, HIDDEN, false, use_exit_on_panic),
    boolp!("disable-thp", None, I | A, true, disable_thp),
    boolp!("cluster-allow-replica-migration", None, M, true, cluster_allow_replica_migration),
    boolp!("replica-announced", None, M, true, replica_announced),
    boolp!("latency-tracking", None, M, true, latency_tracking),
    boolp!("aof-disable-auto-gc", None, M, false, aof_disable_auto_gc),
    boolp!("replica-ignore-disk-write-errors", None, M, false, replica_ignore_disk_write_errors),
    // Strings.
    strp!("aclfile", None, I, "", None, aclfile),
    optp!("unixsocket", None, I | A, None, unixsocket),
    optp!("pidfile", None, I | A, None, pidfile),
    optp!("replica-announce-ip", Some("slave-announce-ip"), M, None, replica_announce_ip),
    optp!("masteruser", None, SENSITIVE, None, masteruser),
    optp!("cluster-announce-ip", None, M, None, cluster_announce_ip),
    strp!("cluster-config-file", None, I, "nodes.conf", None, cluster_config_file),
    optp!("cluster-announce-hostname", None, M, Some(check_hostname), cluster_announce_hostname),
    strp!("syslog-ident", None, I | A, "redis", None, syslog_ident),
    strp!("dbfilename", None, PROTECTED | A, "dump.rdb", Some(check_dbfilename), dbfilename),
    strp!("appendfilename", None, I, "appendonly.aof", Some(check_aof_filename), appendfilename),
    strp!("appenddirname", None, I, "appendonlydir", Some(check_aof_dirname), appenddirname),
    optp!("server_cpulist", None, I, None, server_cpulist),
    optp!("bio_cpulist", None, I, None, bio_cpulist),
    optp!("aof_rewrite_cpulist", None, I, None, aof_rewrite_cpulist),
    optp!("bgsave_cpulist", None, I, None, bgsave_cpulist),
    strp!("ignore-warnings", None, M, "", None, ignore_warnings),
    strp!(
        "proc-title-template",
        None,
        M,
        "{title} {listen-addr} {server-mode}",
        Some(check_proc_title),
        proc_title_template
    ),
    optp!("bind-source-addr", None, M, None, bind_source_addr),
    strp!("logfile", None, I | A, "", None, logfile),
    sdsp!("masterauth", SENSITIVE, masterauth),
    sdsp!("requirepass", SENSITIVE | A, requirepass),
    // Enumerations.
    enump!("supervised", I, Supervised, No, supervised),
    enump!("syslog-facility", I | A, SyslogFacility, Local0, syslog_facility),
    enump!("repl-diskless-load", DENY_LOADING, ReplDisklessLoad, Disabled, repl_diskless_load),
    enump!("loglevel", A, LogLevel, Notice, loglevel),
    enump!("maxmemory-policy", A, MaxmemoryPolicy, Noeviction, maxmemory_policy),
    enump!("appendfsync", M, AppendFsync, Everysec, appendfsync),
    enump!("oom-score-adj", M, OomScoreAdj, No, oom_score_adj),
    enump!("acl-pubsub-default", M, AclPubsubDefault, Resetchannels, acl_pubsub_default),
    enump!("sanitize-dump-payload", M, SanitizeDumpPayload, No, sanitize_dump_payload),
    enump!("enable-protected-configs", I | A, EnableOpt, No, enable_protected_configs),
    enump!("enable-debug-command", I | A, EnableOpt, No, enable_debug_command),
    enump!("enable-module-command", I | A, EnableOpt, No, enable_module_command),
    enump!(
        "cluster-preferred-endpoint-type",
        M,
        ClusterPreferredEndpointType,
        Ip,
        cluster_preferred_endpoint_type
    ),
    enump!(
        "propagation-error-behavior",
        M,
        PropagationErrorBehavior,
        Ignore,
        propagation_error_behavior
    ),
    shutdownp!("shutdown-on-sigint", shutdown_on_sigint),
    shutdownp!("shutdown-on-sigterm", shutdown_on_sigterm),
    // Integers (C int).
    intp!("databases", None, I | A, 1, I32_MAX, 16, databases),
    intp!("port", None, A, 0, 65535, 6379, port),
    intp!("io-threads", None, I, 1, 128, 1, io_threads),
    intp!("auto-aof-rewrite-percentage", None, M, 0, I32_MAX, 100, auto_aof_rewrite_percentage),
    intp!(
        "cluster-replica-validity-factor",
        Some("cluster-slave-validity-factor"),
        M,
        0,
        I32_MAX,
        10,
        cluster_replica_validity_factor
    ),
    intp!(
        "list-max-listpack-size",
        Some("list-max-ziplist-size"),
        A,
        I32_MIN,
        I32_MAX,
        -2,
        list_max_listpack_size
    ),
    intp!("tcp-keepalive", None, A, 0, I32_MAX, 300, tcp_keepalive),
    intp!("cluster-migration-barrier", None, M, 0, I32_MAX, 1, cluster_migration_barrier),
    intp!("active-defrag-cycle-min", None, M, 1, 99, 1, active_defrag_cycle_min),
    intp!("active-defrag-cycle-max", None, M, 1, 99, 25, active_defrag_cycle_max),
    intp!("active-defrag-threshold-lower", None, M, 0, 1000, 10, active_defrag_threshold_lower),
    intp!("active-defrag-threshold-upper", None, M, 0, 1000, 100, active_defrag_threshold_upper),
    intp!("lfu-log-factor", None, A, 0, I32_MAX, 10, lfu_log_factor),
    intp!("lfu-decay-time", None, A, 0, I32_MAX, 1, lfu_decay_time),
    intp!("replica-priority", Some("slave-priority"), M, 0, I32_MAX, 100, replica_priority),
    intp!("repl-diskless-sync-delay", None, M, 0, I32_MAX, 5, repl_diskless_sync_delay),
    intp!("maxmemory-samples", None, M, 1, I32_MAX, 5, maxmemory_samples),
    intp!("maxmemory-eviction-tenacity", None, M, 0, 100, 10, maxmemory_eviction_tenacity),
    intp!("timeout", None, A, 0, I32_MAX, 0, timeout),
    intp!(
        "replica-announce-port",
        Some("slave-announce-port"),
        M,
        0,
        65535,
        0,
        replica_announce_port
    ),
    intp!("tcp-backlog", None, I | A, 0, I32_MAX, 511, tcp_backlog),
    intp!("cluster-port", None, I, 0, 65535, 0, cluster_port),
    intp!("cluster-announce-bus-port", None, M, 0, 65535, 0, cluster_announce_bus_port),
    intp!("cluster-announce-port", None, M, 0, 65535, 0, cluster_announce_port),
    intp!("cluster-announce-tls-port", None, M, 0, 65535, 0, cluster_announce_tls_port),
    intp!("repl-timeout", None, M, 1, I32_MAX, 60, repl_timeout),
    intp!(
        "repl-ping-replica-period",
        Some("repl-ping-slave-period"),
        M,
        1,
        I32_MAX,
        10,
        repl_ping_replica_period
    ),
    intp!("list-compress-depth", None, A, 0, I32_MAX, 0, list_compress_depth),
    intp!("rdb-key-save-delay", None, HIDDEN, I32_MIN, I32_MAX, 0, rdb_key_save_delay),
    intp!("key-load-delay", None, HIDDEN, I32_MIN, I32_MAX, 0, key_load_delay),
    intp!("active-expire-effort", None, A, 1, 10, 1, active_expire_effort),
    intp!("hz", None, A, 0, I32_MAX, 10, hz),
    intp!(
        "min-replicas-to-write",
        Some("min-slaves-to-write"),
        M,
        0,
        I32_MAX,
        0,
        min_replicas_to_write
    ),
    intp!(
        "min-replicas-max-lag",
        Some("min-slaves-max-lag"),
        M,
        0,
        I32_MAX,
        10,
        min_replicas_max_lag
    ),
    intp!("watchdog-period", None, HIDDEN, 0, I32_MAX, 0, watchdog_period),
    intp!("shutdown-timeout", None, M, 0, I32_MAX, 10, shutdown_timeout),
    intp!(
        "repl-diskless-sync-max-replicas",
        None,
        M,
        0,
        I32_MAX,
        0,
        repl_diskless_sync_max_replicas
    ),
    // Unsigned int.
    nump!("maxclients", None, A, 1, U32_MAX, 10000, Int, true, maxclients),
    nump!("unixsocketperm", None, I | A, 0, 0o777, 0, Octal, true, unixsocketperm),
    nump!("socket-mark-id", None, I, 0, U32_MAX, 0, Int, true, socket_mark_id),
    // Unsigned long: bounds are compared signed in Redis.
    intp!(
        "active-defrag-max-scan-fields",
        None,
        M,
        1,
        I64_MAX,
        1000,
        active_defrag_max_scan_fields
    ),
    intp!("slowlog-max-len", None, A, 0, I64_MAX, 128, slowlog_max_len),
    intp!("acllog-max-len", None, M, 0, I64_MAX, 128, acllog_max_len),
    // Long long.
    intp!(
        "busy-reply-threshold",
        Some("lua-time-limit"),
        A,
        0,
        I64_MAX,
        5000,
        busy_reply_threshold
    ),
    intp!("cluster-node-timeout", None, M, 0, I64_MAX, 15000, cluster_node_timeout),
    intp!("slowlog-log-slower-than", None, A, -1, I64_MAX, 10000, slowlog_log_slower_than),
    intp!("latency-monitor-threshold", None, A, 0, I64_MAX, 0, latency_monitor_threshold),
    nump!(
        "proto-max-bulk-len",
        None,
        A,
        1024 * 1024,
        I64_MAX,
        512 * 1024 * 1024,
        Memory,
        false,
        proto_max_bulk_len
    ),
    intp!("stream-node-max-entries", None, A, 0, I64_MAX, 100, stream_node_max_entries),
    nump!("repl-backlog-size", None, M, 1, I64_MAX, 1024 * 1024, Memory, false, repl_backlog_size),
    // Unsigned long long.
    nump!("maxmemory", None, A, 0, U64_MAX, 0, Memory, true, maxmemory),
    nump!(
        "cluster-link-sendbuf-limit",
        None,
        M,
        0,
        U64_MAX,
        0,
        Memory,
        true,
        cluster_link_sendbuf_limit
    ),
    // size_t.
    nump!(
        "hash-max-listpack-entries",
        Some("hash-max-ziplist-entries"),
        A,
        0,
        I64_MAX,
        512,
        Int,
        true,
        hash_max_listpack_entries
    ),
    nump!("set-max-intset-entries", None, A, 0, I64_MAX, 512, Int, true, set_max_intset_entries),
    nump!(
        "zset-max-listpack-entries",
        Some("zset-max-ziplist-entries"),
        A,
        0,
        I64_MAX,
        128,
        Int,
        true,
        zset_max_listpack_entries
    ),
    nump!(
        "active-defrag-ignore-bytes",
        None,
        M,
        1,
        I64_MAX,
        100 << 20,
        Memory,
        true,
        active_defrag_ignore_bytes
    ),
    nump!(
        "hash-max-listpack-value",
        Some("hash-max-ziplist-value"),
        A,
        0,
        I64_MAX,
        64,
        Memory,
        true,
        hash_max_listpack_value
    ),
    nump!("stream-node-max-bytes", None, A, 0, I64_MAX, 4096, Memory, true, stream_node_max_bytes),
    nump!(
        "zset-max-listpack-value",
        Some("zset-max-ziplist-value"),
        A,
        0,
        I64_MAX,
        64,
        Memory,
        true,
        zset_max_listpack_value
    ),
    nump!("hll-sparse-max-bytes", None, A, 0, I64_MAX, 3000, Memory, true, hll_sparse_max_bytes),
    nump!(
        "tracking-table-max-keys",
        None,
        A,
        0,
        I64_MAX,
        1_000_000,
        Int,
        true,
        tracking_table_max_keys
    ),
    nump!(
        "client-query-buffer-limit",
        None,
        A,
        1024 * 1024,
        I64_MAX,
        1024 * 1024 * 1024,
        Memory,
        true,
        client_query_buffer_limit
    ),
    nump!("maxmemory-clients", None, M, -100, I64_MAX, 0, MemoryPercent, false, maxmemory_clients),
    // time_t and off_t.
    intp!("repl-backlog-ttl", None, M, 0, I64_MAX, 3600, repl_backlog_ttl),
    nump!(
        "auto-aof-rewrite-min-size",
        None,
        M,
        0,
        I64_MAX,
        64 * 1024 * 1024,
        Memory,
        false,
        auto_aof_rewrite_min_size
    ),
    intp!(
        "loading-process-events-interval-bytes",
        None,
        HIDDEN,
        1024,
        I32_MAX,
        2 * 1024 * 1024,
        loading_process_events_interval_bytes
    ),
    // Not in Redis 7.0 (they arrive in 7.2); hidden so that `CONFIG GET *` stays 7.0's.
    nump!(
        "set-max-listpack-entries",
        None,
        HIDDEN | A,
        0,
        I64_MAX,
        128,
        Int,
        true,
        set_max_listpack_entries
    ),
    nump!(
        "set-max-listpack-value",
        None,
        HIDDEN | A,
        0,
        I64_MAX,
        64,
        Memory,
        true,
        set_max_listpack_value
    ),
    // TLS (Redis built with TLS support, as the reference server is).
    intp!("tls-port", None, M, 0, 65535, 0, tls_port),
    intp!("tls-session-cache-size", None, M, 0, I32_MAX, 20 * 1024, tls_session_cache_size),
    intp!("tls-session-cache-timeout", None, M, 0, I32_MAX, 300, tls_session_cache_timeout),
    boolp!("tls-cluster", None, M, false, tls_cluster),
    boolp!("tls-replication", None, M, false, tls_replication),
    enump!("tls-auth-clients", M, TlsAuthClients, Yes, tls_auth_clients),
    boolp!("tls-prefer-server-ciphers", None, M, false, tls_prefer_server_ciphers),
    boolp!("tls-session-caching", None, M, true, tls_session_caching),
    optp!("tls-cert-file", None, M, None, tls_cert_file),
    optp!("tls-key-file", None, M, None, tls_key_file),
    optp!("tls-key-file-pass", None, SENSITIVE, None, tls_key_file_pass),
    optp!("tls-client-cert-file", None, M, None, tls_client_cert_file),
    optp!("tls-client-key-file", None, M, None, tls_client_key_file),
    optp!("tls-client-key-file-pass", None, SENSITIVE, None, tls_client_key_file_pass),
    optp!("tls-dh-params-file", None, M, None, tls_dh_params_file),
    optp!("tls-ca-cert-file", None, M, None, tls_ca_cert_file),
    optp!("tls-ca-cert-dir", None, M, None, tls_ca_cert_dir),
    optp!("tls-protocols", None, M, None, tls_protocols),
    optp!("tls-ciphers", None, M, None, tls_ciphers),
    optp!("tls-ciphersuites", None, M, None, tls_ciphersuites),
    // Special syntax.
    special!("dir", None, PROTECTED | DENY_LOADING | A, Dir),
    special!("save", None, MULTI_ARG | A, Save),
    special!("client-output-buffer-limit", None, MULTI_ARG | A, ClientOutputBufferLimit),
    special!("oom-score-adj-values", None, MULTI_ARG, OomScoreAdjValues),
    special!("notify-keyspace-events", None, A, NotifyKeyspaceEvents),
    special!("bind", None, MULTI_ARG | A, Bind),
    special!("replicaof", Some("slaveof"), I | MULTI_ARG, ReplicaOf),
    special!("latency-tracking-info-percentiles", None, MULTI_ARG, LatencyTrackingInfoPercentiles),
];

/// The parameter called `name` (canonical or alias, any case), and whether `name` was the
/// alias. Hidden parameters are found too: only patterns skip them.
pub fn lookup(name: &[u8]) -> Option<(&'static Param, bool)> {
    PARAMS.iter().find_map(|p| {
        if p.name.as_bytes().eq_ignore_ascii_case(name) {
            Some((p, false))
        } else if p.alias.is_some_and(|a| a.as_bytes().eq_ignore_ascii_case(name)) {
            Some((p, true))
        } else {
            None
        }
    })
}

/// All parameters, in table order.
pub fn params() -> &'static [Param] {
    PARAMS
}

/// Names of the parameters ferrodis accepts, reports and rewrites like Redis but does not
/// act on (for the README).
pub fn stored_only() -> &'static [&'static str] {
    static NAMES: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        let mut v: Vec<&'static str> =
            PARAMS.iter().filter(|p| !p.is_acted_on()).map(|p| p.name).collect();
        v.sort_unstable();
        v
    })
}
