//! Server-wide state that command handlers see: config, keyspace, clients, statistics.

use std::collections::HashMap;

use slab::Slab;

use crate::cmd::table::CommandDef;
use crate::cmd::CommandTable;
use crate::config::Config;
use crate::connection::Client;
use crate::db::Keyspace;

/// Per-command statistics (INFO commandstats).
#[derive(Default, Debug, Clone, Copy)]
pub struct CmdStat {
    pub calls: u64,
    pub usec: u64,
    pub rejected_calls: u64,
    pub failed_calls: u64,
}

#[derive(Default, Debug, Clone)]
pub struct Stats {
    pub reply_buffer_shrinks: u64,
    pub reply_buffer_expands: u64,
    pub total_connections_received: u64,
    pub total_commands_processed: u64,
    pub rejected_connections: u64,
    pub total_error_replies: u64,
    pub errorstats: HashMap<String, u64>,
    pub client_query_buffer_limit_disconnections: u64,
    pub client_output_buffer_limit_disconnections: u64,
    /// Closed connections' byte counters (live ones are summed from clients).
    pub net_input_bytes: u64,
    pub net_output_bytes: u64,
    /// Ring of (ms, commands processed) samples for instantaneous_ops_per_sec.
    pub ops_samples: Vec<(i64, u64)>,
    /// Ring of (ms, net input bytes, net output bytes) samples for instantaneous_*_kbps.
    pub net_samples: Vec<(i64, u64, u64)>,
    /// Highest `used_memory` seen by INFO / MEMORY (INFO used_memory_peak).
    pub peak_memory: usize,
    /// Readiness events read from / write passes flushed to client sockets.
    pub reads_processed: u64,
    pub writes_processed: u64,
}

/// One SLOWLOG entry.
#[derive(Debug, Clone)]
pub struct SlowEntry {
    pub id: u64,
    pub time: i64,
    pub duration_us: u64,
    pub args: Vec<Vec<u8>>,
    pub addr: String,
    pub name: Vec<u8>,
}

#[derive(Default)]
pub struct SlowLog {
    pub entries: std::collections::VecDeque<SlowEntry>,
    pub next_id: u64,
}

/// LATENCY monitor: per event, the last 160 samples (unix seconds, ms), one per second.
#[derive(Default)]
pub struct Latency {
    pub events: HashMap<&'static str, LatencyEvent>,
}

#[derive(Default, Debug, Clone)]
pub struct LatencyEvent {
    pub samples: std::collections::VecDeque<(i64, u64)>,
    pub max: u64,
}

impl Latency {
    pub fn add(&mut self, event: &'static str, now_s: i64, ms: u64) {
        let e = self.events.entry(event).or_default();
        e.max = e.max.max(ms);
        if let Some(last) = e.samples.back_mut() {
            if last.0 == now_s {
                last.1 = last.1.max(ms);
                return;
            }
        }
        e.samples.push_back((now_s, ms));
        if e.samples.len() > 160 {
            e.samples.pop_front();
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShutdownRequest {
    pub save: Option<bool>,
    pub now: bool,
    pub force: bool,
    /// Asked for by SIGTERM/SIGINT rather than the SHUTDOWN command (which saves itself).
    pub signal: bool,
}

/// See `State::busy_poll`.
pub type BusyPoll = Box<dyn FnMut(&mut State) + Send>;

pub struct State {
    pub cfg: Config,
    pub ks: Keyspace,
    /// Connected clients. The client running a command is taken out of its slot for the
    /// duration, so handlers can reach every other client here.
    pub clients: Slab<Option<Box<Client>>>,
    pub stats: Stats,
    pub cmd_stats: Vec<CmdStat>,
    pub table: CommandTable,
    pub slowlog: SlowLog,
    pub latency: Latency,
    pub next_client_id: u64,
    pub start_ms: i64,
    pub run_id: String,
    pub shutdown: Option<ShutdownRequest>,
    pub lastsave: i64,
    /// Changes since the last save (INFO rdb_changes_since_last_save).
    pub dirty: u64,
    /// RDB save and load bookkeeping (`persist`).
    pub rdb: crate::persist::RdbStatus,
    /// MIGRATE's cached connections to target instances.
    pub migrate: crate::cmd::migrate::SocketCache,
    pub tcp_port: u16,
    pub executable: String,
    pub config_file: String,
    /// Tokens of clients killed by CLIENT KILL, closed by the loop after the command.
    pub to_close: Vec<usize>,
    /// CLIENT PAUSE in effect, if any.
    pub client_pause: Option<crate::cmd::client::ClientPause>,
    /// Tokens of clients holding a command postponed by CLIENT PAUSE.
    pub postponed: Vec<usize>,
    /// Set by DEBUG SLEEP-like commands that pause the loop; nothing yet.
    pub hz_override: Option<u32>,
    /// Lua scripting: the EVAL VM and script cache, Functions, the running script.
    pub scripting: crate::script::Engine,
    /// Serves other clients while a script runs past busy-reply-threshold (set by the loop;
    /// taken out while it runs).
    pub busy_poll: Option<BusyPoll>,
    /// Set by a handler that wrote error replies itself: the dispatcher counts the command
    /// in failed_calls (INFO commandstats) as if it had returned an error.
    pub failed_reply_written: bool,
    /// WATCHed keys -> watchers (`cmd::multi`).
    pub watched: crate::cmd::multi::WatchTable,
    /// Channel and pattern subscribers (`pubsub`).
    pub pubsub: crate::pubsub::PubSub,
    /// Tokens of MONITOR clients.
    pub monitors: Vec<usize>,
    /// Client-side caching tables (`tracking`).
    pub tracking: crate::tracking::Tracking,
    /// Tokens of other clients a command wrote to (messages, invalidations); the loop adds
    /// them to its pending writes so they flush in the same turn.
    pub wake: Vec<usize>,
    /// INFO master_replid (DEBUG CHANGE-REPL-ID renews it).
    pub replid: String,
    /// `used_memory` once the server is initialised (INFO used_memory_startup).
    pub startup_memory: usize,
    /// Per-command latency histograms (INFO latencystats, LATENCY HISTOGRAM), indexed like
    /// `cmd_stats`, allocated on a command's first call while latency-tracking is on.
    pub cmd_latency: Vec<Option<Box<crate::cmd::latency::Histogram>>>,
    /// Listeners bound by CONFIG SET port/bind, swapped in by the loop after the command.
    pub new_listeners: Option<Vec<mio::net::TcpListener>>,
    /// Clients blocked on keys (BLPOP and friends): see `crate::blocking`.
    pub blocking: crate::blocking::Blocking,
    /// maxmemory: the eviction pool and its statistics (`crate::evict`).
    pub evict: crate::evict::Evictor,
    /// DEBUG SET-SKIP-CHECKSUM-VALIDATION: RESTORE and RDB loading skip the CRC64 check.
    pub skip_checksum_validation: bool,
    /// DEBUG PAUSE-CRON: the periodic work of the cron is suspended.
    pub pause_cron: bool,
    /// DEBUG REPLYBUFFER's knobs for the reply buffer resize cron.
    pub replybuf: crate::replybuf::Settings,
    /// Where the reply buffer cron resumes in the client slab.
    pub replybuf_cursor: usize,
}

impl State {
    pub fn new(cfg: Config, now_ms: i64) -> State {
        let table = CommandTable::build_with(&cfg.rename_commands);
        let n = table.len();
        let ks = Keyspace::new(cfg.databases, now_ms);
        State {
            tcp_port: cfg.port,
            cfg,
            ks,
            clients: Slab::new(),
            stats: Stats::default(),
            cmd_stats: vec![CmdStat::default(); n],
            table,
            slowlog: SlowLog::default(),
            latency: Latency::default(),
            next_client_id: 1,
            start_ms: now_ms,
            run_id: random_hex(40),
            shutdown: None,
            lastsave: now_ms / 1000,
            dirty: 0,
            rdb: Default::default(),
            migrate: Default::default(),
            executable: std::env::current_exe()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            config_file: String::new(),
            to_close: Vec::new(),
            hz_override: None,
            scripting: crate::script::Engine::new(),
            busy_poll: None,
            failed_reply_written: false,
            watched: Default::default(),
            pubsub: Default::default(),
            monitors: Vec::new(),
            tracking: Default::default(),
            wake: Vec::new(),
            client_pause: None,
            postponed: Vec::new(),
            pause_cron: false,
            skip_checksum_validation: false,
            replybuf: Default::default(),
            replybuf_cursor: 0,
            replid: random_hex(40),
            startup_memory: crate::alloc::used_memory().unwrap_or(0),
            cmd_latency: (0..n).map(|_| None).collect(),
            new_listeners: None,
            blocking: Default::default(),
            evict: Default::default(),
        }
    }

    pub fn command(&self, id: usize) -> &'static CommandDef {
        self.table.def(id)
    }

    /// Clients blocked on keys (INFO `blocked_clients`).
    pub fn blocked_clients(&self) -> usize {
        self.blocking.blocked_clients()
    }

    /// Iterate the connected clients other than the one running a command.
    pub fn other_clients(&self) -> impl Iterator<Item = &Client> {
        self.clients.iter().filter_map(|(_, c)| c.as_deref())
    }
}

/// Random lowercase hex, for run_id and similar identifiers.
pub fn random_hex(n: usize) -> String {
    let mut seed = {
        use std::hash::{BuildHasher, Hasher};
        let mut h = ahash::RandomState::new().build_hasher();
        h.write_u64(std::process::id() as u64);
        h.finish()
    };
    let mut s = String::with_capacity(n);
    for _ in 0..n {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        s.push(char::from_digit((seed % 16) as u32, 16).unwrap_or('0'));
    }
    s
}
