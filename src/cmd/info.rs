//! Command family: INFO [section ...] with every section and field of Redis 7.0.15, in its
//! order and formats (CRLF lines, `# Section` headers, a blank line between sections).
//!
//! Fields of features ferrodis does not have (replication, persistence, modules, cluster)
//! show the values an idle Redis shows. Fields of features other families build (blocked
//! clients, pub/sub, tracking, scripts, eviction) come from one small function each in
//! [`hooks`], to be wired when those features land.

use std::fmt::Write as _;

use super::args::Args;
use super::table::{flags, CommandDef};
use super::Ctx;
use crate::connection::Client;
use crate::error::CmdResult;
use crate::state::State;

pub const COMMANDS: &[CommandDef] = &[CommandDef {
    name: "info",
    handler: info,
    arity: -1,
    flags: flags::LOADING | flags::STALE,
    acl: &["@slow", "@dangerous"],
    group: "server",
    since: "1.0.0",
    summary: "Get information and statistics about the server",
    complexity: "O(1)",
    syntax: "[section [section ...]]",
    ..CommandDef::DEFAULT
}];

/// Sections in output order, with whether `INFO` / `INFO default` includes them.
const SECTIONS: &[(&str, bool)] = &[
    ("server", true),
    ("clients", true),
    ("memory", true),
    ("persistence", true),
    ("stats", true),
    ("replication", true),
    ("cpu", true),
    ("modules", true),
    ("commandstats", false),
    ("errorstats", true),
    ("latencystats", false),
    ("cluster", true),
    ("keyspace", true),
];

/// Which sections a request selects (bit i = SECTIONS[i]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Selection(u32);

impl Selection {
    pub fn default_sections() -> Selection {
        Selection(SECTIONS.iter().enumerate().filter(|(_, s)| s.1).fold(0, |m, (i, _)| m | 1 << i))
    }

    pub fn all() -> Selection {
        Selection((1 << SECTIONS.len()) - 1)
    }

    /// Redis's genInfoSectionDict: names are case-insensitive; `default`, `all` and
    /// `everything` are groups; unknown names select nothing.
    pub fn parse<'a>(names: impl Iterator<Item = &'a [u8]>) -> Selection {
        let mut m = 0u32;
        let mut any = false;
        for n in names {
            any = true;
            if n.eq_ignore_ascii_case(b"default") {
                m |= Selection::default_sections().0;
            } else if n.eq_ignore_ascii_case(b"all") || n.eq_ignore_ascii_case(b"everything") {
                m |= Selection::all().0;
            } else if let Some(i) =
                SECTIONS.iter().position(|s| s.0.as_bytes().eq_ignore_ascii_case(n))
            {
                m |= 1 << i;
            }
        }
        if any {
            Selection(m)
        } else {
            Selection::default_sections()
        }
    }

    fn has(self, name: &str) -> bool {
        SECTIONS.iter().position(|s| s.0 == name).is_some_and(|i| self.0 & (1 << i) != 0)
    }
}

fn info(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let sel = Selection::parse(args.rest(1));
    let text = generate(ctx.st, ctx.client, sel, ctx.now_ms);
    ctx.reply().verbatim(text.as_bytes());
    Ok(())
}

/// Writes `k:v\r\n` lines; `section` puts the blank line between sections.
struct Out {
    s: String,
    sections: usize,
}

impl Out {
    fn section(&mut self, title: &str) {
        if self.sections > 0 {
            self.s.push_str("\r\n");
        }
        self.sections += 1;
        self.s.push_str("# ");
        self.s.push_str(title);
        self.s.push_str("\r\n");
    }

    fn f(&mut self, k: &str, v: impl std::fmt::Display) {
        let _ = write!(self.s, "{k}:{v}\r\n");
    }
}

/// The INFO text for `sel`. `client` is the caller (taken out of the client table while
/// its command runs).
pub fn generate(st: &mut State, client: &Client, sel: Selection, now_ms: i64) -> String {
    let mut o = Out { s: String::with_capacity(1024), sections: 0 };
    if sel.has("server") {
        server_section(&mut o, st, now_ms);
    }
    if sel.has("clients") {
        clients_section(&mut o, st, client);
    }
    if sel.has("memory") {
        memory_section(&mut o, st, client);
    }
    if sel.has("persistence") {
        persistence_section(&mut o, st);
    }
    if sel.has("stats") {
        stats_section(&mut o, st, client, now_ms);
    }
    if sel.has("replication") {
        replication_section(&mut o, st);
    }
    if sel.has("cpu") {
        cpu_section(&mut o);
    }
    if sel.has("modules") {
        o.section("Modules");
    }
    if sel.has("commandstats") {
        o.section("Commandstats");
        for id in 0..st.table.len() {
            let c = st.cmd_stats[id];
            if c.calls == 0 && c.failed_calls == 0 && c.rejected_calls == 0 {
                continue;
            }
            let per = if c.calls == 0 { 0.0 } else { c.usec as f32 / c.calls as f32 };
            let _ = write!(
                o.s,
                "cmdstat_{}:calls={},usec={},usec_per_call={:.2},rejected_calls={},failed_calls={}\r\n",
                st.table.full_name(id),
                c.calls,
                c.usec,
                per,
                c.rejected_calls,
                c.failed_calls
            );
        }
    }
    if sel.has("errorstats") {
        o.section("Errorstats");
        let mut errs: Vec<(&String, &u64)> = st.stats.errorstats.iter().collect();
        errs.sort();
        for (code, n) in errs {
            let _ = write!(o.s, "errorstat_{code}:count={n}\r\n");
        }
    }
    if sel.has("latencystats") {
        o.section("Latencystats");
        if st.cfg.latency_tracking {
            for id in 0..st.table.len() {
                let Some(h) = st.cmd_latency[id].as_deref() else { continue };
                let _ = write!(o.s, "latency_percentiles_usec_{}:", st.table.full_name(id));
                let ps = &st.cfg.latency_tracking_info_percentiles;
                for (i, &p) in ps.iter().enumerate() {
                    let _ = write!(
                        o.s,
                        "p{}={:.3}",
                        trim_double(p),
                        h.value_at_percentile(p) as f64 / 1000.0
                    );
                    if i + 1 != ps.len() {
                        o.s.push(',');
                    }
                }
                o.s.push_str("\r\n");
            }
        }
    }
    if sel.has("cluster") {
        o.section("Cluster");
        o.f("cluster_enabled", 0);
    }
    if sel.has("keyspace") {
        o.section("Keyspace");
        for (i, db) in st.ks.dbs.iter().enumerate() {
            if db.is_empty() {
                continue;
            }
            let avg = avg_ttl(db, now_ms);
            let _ = write!(o.s, "db{i}:keys={},expires={},avg_ttl={avg}\r\n", db.len(), db.expires);
        }
    }
    o.s
}

/// `%f` of a percentile with trailing zeros (and a bare dot) removed: 99.9 → "99.9".
fn trim_double(v: f64) -> String {
    let s = format!("{v:.6}");
    let s = s.trim_end_matches('0');
    s.trim_end_matches('.').to_string()
}

/// Redis reports a running estimate from its expiry sampling; ferrodis samples up to 64
/// keys with a TTL when asked, which converges to the same average.
fn avg_ttl(db: &crate::db::Db, now_ms: i64) -> i64 {
    if db.expires == 0 {
        return 0;
    }
    let mut seed = now_ms as u64 | 1;
    let mut rnd = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut picked = Vec::with_capacity(64);
    let mut sum = 0i64;
    let mut n = 0i64;
    for _ in 0..8 {
        picked.clear();
        db.dict.sample(64, &mut rnd, &mut picked);
        for (_, e) in &picked {
            if e.expire != 0 {
                sum = sum.saturating_add((e.expire - now_ms).max(0));
                n += 1;
            }
        }
        if n >= 16 {
            break;
        }
    }
    if n == 0 {
        0
    } else {
        sum / n
    }
}

fn os_line() -> String {
    // SAFETY: utsname is plain old data and uname fills it.
    let mut u: libc::utsname = unsafe { std::mem::zeroed() };
    if unsafe { libc::uname(&mut u) } != 0 {
        return std::env::consts::OS.to_string();
    }
    let field = |f: &[libc::c_char]| {
        let b: Vec<u8> = f.iter().take_while(|&&c| c != 0).map(|&c| c as u8).collect();
        String::from_utf8_lossy(&b).into_owned()
    };
    format!("{} {} {}", field(&u.sysname), field(&u.release), field(&u.machine))
}

/// A stable build id for this binary's version, 15 hex digits like Redis's.
fn build_id() -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in env!("CARGO_PKG_VERSION").bytes().chain(crate::REDIS_VERSION.bytes()) {
        h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
    }
    format!("{:015x}", h & 0x0fff_ffff_ffff_ffff)
}

fn server_section(o: &mut Out, st: &State, now_ms: i64) {
    use crate::config::Supervised;
    o.section("Server");
    o.f("redis_version", crate::REDIS_VERSION);
    o.f("redis_git_sha1", "00000000");
    o.f("redis_git_dirty", 0);
    o.f("redis_build_id", build_id());
    o.f("redis_mode", "standalone");
    o.f("os", os_line());
    o.f("arch_bits", usize::BITS);
    o.f("monotonic_clock", "POSIX clock_gettime");
    o.f("multiplexing_api", if cfg!(target_os = "linux") { "epoll" } else { "kqueue" });
    o.f("atomicvar_api", "c11-builtin");
    // Redis prints the GCC version it was built with, 0.0.0 when not built by GCC.
    o.f("gcc_version", "0.0.0");
    o.f("process_id", std::process::id());
    let supervised = match st.cfg.supervised {
        Supervised::Systemd => "systemd",
        Supervised::Upstart => "upstart",
        Supervised::Auto if std::env::var_os("NOTIFY_SOCKET").is_some() => "systemd",
        Supervised::Auto if std::env::var_os("UPSTART_JOB").is_some() => "upstart",
        _ => "no",
    };
    o.f("process_supervised", supervised);
    o.f("run_id", &st.run_id);
    o.f("tcp_port", st.tcp_port);
    let usec = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(now_ms * 1000, |d| d.as_micros() as i64);
    o.f("server_time_usec", usec);
    let up = (now_ms - st.start_ms).max(0) / 1000;
    o.f("uptime_in_seconds", up);
    o.f("uptime_in_days", up / 86400);
    o.f("hz", st.cfg.hz);
    o.f("configured_hz", st.cfg.hz);
    o.f("lru_clock", (now_ms / 1000) & 0x00ff_ffff);
    o.f("executable", &st.executable);
    let cf = st.cfg.config_file.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
    o.f("config_file", cf);
    o.f("io_threads_active", 0);
}

/// Every connected client, the caller included.
fn all_clients<'a>(st: &'a State, me: &'a Client) -> impl Iterator<Item = &'a Client> {
    st.other_clients().chain(std::iter::once(me))
}

fn clients_section(o: &mut Out, st: &State, me: &Client) {
    o.section("Clients");
    o.f("connected_clients", st.clients.len());
    o.f("cluster_connections", 0);
    o.f("maxclients", st.cfg.maxclients);
    let (qmax, omax) =
        all_clients(st, me).fold((0, 0), |(q, w), c| (q.max(c.rlen), w.max(c.pending_output())));
    o.f("client_recent_max_input_buffer", qmax);
    o.f("client_recent_max_output_buffer", omax);
    o.f("blocked_clients", hooks::blocked_clients(st));
    o.f("tracking_clients", hooks::tracking_clients(st));
    o.f("clients_in_timeout_table", hooks::clients_in_timeout_table(st));
}

/// Redis's bytesToHuman.
pub fn human_bytes(n: u64) -> String {
    let d = n as f64;
    const K: f64 = 1024.0;
    if n < 1024 {
        format!("{n}B")
    } else if d < K * K {
        format!("{:.2}K", d / K)
    } else if d < K * K * K {
        format!("{:.2}M", d / (K * K))
    } else if d < K * K * K * K {
        format!("{:.2}G", d / (K * K * K))
    } else if d < K * K * K * K * K {
        format!("{:.2}T", d / (K * K * K * K))
    } else if d < K * K * K * K * K * K {
        format!("{:.2}P", d / (K * K * K * K * K))
    } else {
        format!("{n}B")
    }
}

/// Memory figures shared by INFO memory, MEMORY STATS and MEMORY DOCTOR.
pub struct MemInfo {
    pub used: u64,
    pub peak: u64,
    pub startup: u64,
    pub rss: u64,
    pub clients_normal: u64,
    /// Per non-empty db: (index, main table overhead, expires overhead).
    pub dbs: Vec<(usize, u64, u64)>,
    pub overhead: u64,
    pub dataset: u64,
    pub keys: u64,
    pub lua: u64,
    pub functions: u64,
}

impl MemInfo {
    pub fn gather(st: &mut State, me: &Client) -> MemInfo {
        let rss = crate::alloc::rss_bytes() as u64;
        let used = crate::alloc::used_memory().map_or(rss, |u| u as u64);
        st.stats.peak_memory = st.stats.peak_memory.max(used as usize);
        let peak = st.stats.peak_memory as u64;
        let startup = st.startup_memory as u64;
        let clients_normal: u64 = all_clients(st, me)
            .map(|c| (c.rbuf.capacity() + c.wbuf.capacity()) as u64 + CLIENT_STRUCT)
            .sum();
        let lua = hooks::lua_caches_memory(st);
        let functions = hooks::functions_caches_memory(st);
        let mut overhead = startup + clients_normal + lua + functions;
        let mut dbs = Vec::new();
        let mut keys = 0;
        for (i, db) in st.ks.dbs.iter().enumerate() {
            if db.is_empty() {
                continue;
            }
            keys += db.len() as u64;
            let main = db.dict.mem_usage() as u64;
            // Expiry deadlines live in each entry (no second table); the timer wheel is
            // ferrodis's expires index.
            let exp = (db.expires * std::mem::size_of::<(i64, usize)>()) as u64;
            overhead += main + exp;
            dbs.push((i, main, exp));
        }
        let dataset = used.saturating_sub(overhead);
        MemInfo {
            used,
            peak,
            startup,
            rss,
            clients_normal,
            dbs,
            overhead,
            dataset,
            keys,
            lua,
            functions,
        }
    }

    pub fn net_usage(&self) -> u64 {
        if self.used > self.startup {
            self.used - self.startup
        } else {
            1
        }
    }

    pub fn dataset_perc(&self) -> f32 {
        self.dataset as f32 * 100.0 / self.net_usage() as f32
    }

    pub fn peak_perc(&self) -> f32 {
        self.used as f32 * 100.0 / self.peak.max(1) as f32
    }

    pub fn frag(&self) -> f32 {
        self.rss as f32 / self.used.max(1) as f32
    }

    pub fn frag_bytes(&self) -> i64 {
        self.rss as i64 - self.used as i64
    }
}

/// Bytes a connection costs beyond its buffers (the Client struct and its parser).
const CLIENT_STRUCT: u64 = std::mem::size_of::<Client>() as u64;

pub fn total_system_memory() -> u64 {
    // SAFETY: sysconf has no preconditions.
    let (pages, size) =
        unsafe { (libc::sysconf(libc::_SC_PHYS_PAGES), libc::sysconf(libc::_SC_PAGESIZE)) };
    if pages <= 0 || size <= 0 {
        0
    } else {
        pages as u64 * size as u64
    }
}

fn memory_section(o: &mut Out, st: &mut State, me: &Client) {
    let m = MemInfo::gather(st, me);
    o.section("Memory");
    o.f("used_memory", m.used);
    o.f("used_memory_human", human_bytes(m.used));
    o.f("used_memory_rss", m.rss);
    o.f("used_memory_rss_human", human_bytes(m.rss));
    o.f("used_memory_peak", m.peak);
    o.f("used_memory_peak_human", human_bytes(m.peak));
    o.f("used_memory_peak_perc", format!("{:.2}%", m.peak_perc()));
    o.f("used_memory_overhead", m.overhead);
    o.f("used_memory_startup", m.startup);
    o.f("used_memory_dataset", m.dataset);
    o.f("used_memory_dataset_perc", format!("{:.2}%", m.dataset_perc()));
    // mimalloc's own counters are not exposed; the counting allocator's total stands in
    // for what the allocator holds.
    o.f("allocator_allocated", m.used);
    o.f("allocator_active", m.used);
    o.f("allocator_resident", m.rss);
    let sys = total_system_memory();
    o.f("total_system_memory", sys);
    o.f("total_system_memory_human", human_bytes(sys));
    let lua_vm = hooks::lua_vm_memory(st);
    let fn_vm = hooks::functions_vm_memory(st);
    o.f("used_memory_lua", lua_vm);
    o.f("used_memory_vm_eval", lua_vm);
    o.f("used_memory_lua_human", human_bytes(lua_vm));
    o.f("used_memory_scripts_eval", m.lua);
    o.f("number_of_cached_scripts", hooks::cached_scripts(st));
    o.f("number_of_functions", hooks::functions(st));
    o.f("number_of_libraries", hooks::libraries(st));
    o.f("used_memory_vm_functions", fn_vm);
    o.f("used_memory_vm_total", lua_vm + fn_vm);
    o.f("used_memory_vm_total_human", human_bytes(lua_vm + fn_vm));
    o.f("used_memory_functions", m.functions);
    o.f("used_memory_scripts", m.lua + m.functions);
    o.f("used_memory_scripts_human", human_bytes(m.lua + m.functions));
    o.f("maxmemory", st.cfg.maxmemory);
    o.f("maxmemory_human", human_bytes(st.cfg.maxmemory));
    o.f("maxmemory_policy", st.cfg.maxmemory_policy.as_str());
    o.f("allocator_frag_ratio", "1.00");
    o.f("allocator_frag_bytes", 0);
    o.f("allocator_rss_ratio", format!("{:.2}", m.frag()));
    o.f("allocator_rss_bytes", m.frag_bytes());
    o.f("rss_overhead_ratio", "1.00");
    o.f("rss_overhead_bytes", 0);
    o.f("mem_fragmentation_ratio", format!("{:.2}", m.frag()));
    o.f("mem_fragmentation_bytes", m.frag_bytes());
    o.f("mem_not_counted_for_evict", crate::evict::not_counted(st));
    o.f("mem_replication_backlog", 0);
    o.f("mem_total_replication_buffers", 0);
    o.f("mem_clients_slaves", 0);
    o.f("mem_clients_normal", m.clients_normal);
    o.f("mem_cluster_links", 0);
    o.f("mem_aof_buffer", 0);
    o.f("mem_allocator", if crate::alloc::used_memory().is_some() { "mimalloc" } else { "libc" });
    o.f("active_defrag_running", 0);
    o.f("lazyfree_pending_objects", st.ks.lazy.pending());
    o.f("lazyfreed_objects", st.ks.lazy.freed());
}

fn persistence_section(o: &mut Out, st: &State) {
    o.section("Persistence");
    o.f("loading", 0);
    o.f("async_loading", 0);
    o.f("current_cow_peak", 0);
    o.f("current_cow_size", 0);
    o.f("current_cow_size_age", 0);
    o.f("current_fork_perc", "0.00");
    o.f("current_save_keys_processed", 0);
    o.f("current_save_keys_total", 0);
    o.f("rdb_changes_since_last_save", st.dirty);
    o.f("rdb_bgsave_in_progress", st.rdb.bgsave.is_some() as u8);
    o.f("rdb_last_save_time", st.lastsave);
    o.f("rdb_last_bgsave_status", if st.rdb.last_ok { "ok" } else { "err" });
    o.f("rdb_last_bgsave_time_sec", st.rdb.last_bgsave_secs);
    let current =
        st.rdb.bgsave.as_ref().map_or(-1, |b| (crate::server::now_ms() - b.started_ms) / 1000);
    o.f("rdb_current_bgsave_time_sec", current);
    o.f("rdb_saves", st.rdb.saves);
    o.f("rdb_last_cow_size", 0);
    o.f("rdb_last_load_keys_expired", st.rdb.last_load_expired);
    o.f("rdb_last_load_keys_loaded", st.rdb.last_load_keys);
    o.f("aof_enabled", hooks::aof_enabled(st) as u8);
    o.f("aof_rewrite_in_progress", 0);
    o.f("aof_rewrite_scheduled", 0);
    o.f("aof_last_rewrite_time_sec", -1);
    o.f("aof_current_rewrite_time_sec", -1);
    o.f("aof_last_bgrewrite_status", "ok");
    o.f("aof_rewrites", 0);
    o.f("aof_rewrites_consecutive_failures", 0);
    o.f("aof_last_write_status", "ok");
    o.f("aof_last_cow_size", 0);
    o.f("module_fork_in_progress", 0);
    o.f("module_fork_last_cow_size", 0);
}

/// Totals of bytes read and written, closed connections included.
pub fn net_totals(st: &State, me: &Client) -> (u64, u64) {
    all_clients(st, me).fold((st.stats.net_input_bytes, st.stats.net_output_bytes), |(i, w), c| {
        (i + c.net_in, w + c.net_out)
    })
}

/// Rate per second over the recent samples, with "now" as the last point so an idle
/// server reports 0 rather than the rate of its last busy moment.
fn rate_per_sec(samples: impl Iterator<Item = (i64, u64)>, now_ms: i64, current: u64) -> f64 {
    let mut first: Option<(i64, u64)> = None;
    let mut last_before: Option<(i64, u64)> = None;
    for (t, v) in samples {
        if now_ms - t <= 1600 {
            if first.is_none() {
                first = Some((t, v));
            }
        } else {
            last_before = Some((t, v));
        }
    }
    let Some((t, v)) = first.or(last_before) else { return 0.0 };
    let dt = now_ms - t;
    if dt <= 0 {
        return 0.0;
    }
    current.saturating_sub(v) as f64 * 1000.0 / dt as f64
}

fn stats_section(o: &mut Out, st: &State, me: &Client, now_ms: i64) {
    let s = &st.stats;
    let ks = &st.ks.stats;
    let (net_in, net_out) = net_totals(st, me);
    o.section("Stats");
    o.f("total_connections_received", s.total_connections_received);
    o.f("total_commands_processed", s.total_commands_processed);
    let ops = rate_per_sec(s.ops_samples.iter().copied(), now_ms, s.total_commands_processed);
    o.f("instantaneous_ops_per_sec", ops as u64);
    o.f("total_net_input_bytes", net_in);
    o.f("total_net_output_bytes", net_out);
    o.f("total_net_repl_input_bytes", 0);
    o.f("total_net_repl_output_bytes", 0);
    let kin = rate_per_sec(s.net_samples.iter().map(|x| (x.0, x.1)), now_ms, net_in) / 1024.0;
    let kout = rate_per_sec(s.net_samples.iter().map(|x| (x.0, x.2)), now_ms, net_out) / 1024.0;
    o.f("instantaneous_input_kbps", format!("{kin:.2}"));
    o.f("instantaneous_output_kbps", format!("{kout:.2}"));
    o.f("instantaneous_input_repl_kbps", "0.00");
    o.f("instantaneous_output_repl_kbps", "0.00");
    o.f("rejected_connections", s.rejected_connections);
    o.f("sync_full", 0);
    o.f("sync_partial_ok", 0);
    o.f("sync_partial_err", 0);
    o.f("expired_keys", ks.expired_keys);
    o.f("expired_stale_perc", format!("{:.2}", ks.expired_stale_perc * 100.0));
    o.f("expired_time_cap_reached_count", ks.expired_time_cap_reached_count);
    o.f("expire_cycle_cpu_milliseconds", 0);
    o.f("evicted_keys", hooks::evicted_keys(st));
    o.f("evicted_clients", 0);
    let current = st.evict.current_exceeded_us();
    o.f("total_eviction_exceeded_time", (st.evict.total_exceeded_us + current) / 1000);
    o.f("current_eviction_exceeded_time", current / 1000);
    o.f("keyspace_hits", ks.keyspace_hits);
    o.f("keyspace_misses", ks.keyspace_misses);
    o.f("pubsub_channels", hooks::pubsub_channels(st));
    o.f("pubsub_patterns", hooks::pubsub_patterns(st));
    o.f("pubsubshard_channels", hooks::pubsubshard_channels(st));
    o.f("latest_fork_usec", 0);
    o.f("total_forks", 0);
    o.f("migrate_cached_sockets", st.migrate.len());
    o.f("slave_expires_tracked_keys", 0);
    o.f("active_defrag_hits", 0);
    o.f("active_defrag_misses", 0);
    o.f("active_defrag_key_hits", 0);
    o.f("active_defrag_key_misses", 0);
    o.f("total_active_defrag_time", 0);
    o.f("current_active_defrag_time", 0);
    o.f("tracking_total_keys", hooks::tracking_total_keys(st));
    o.f("tracking_total_items", hooks::tracking_total_items(st));
    o.f("tracking_total_prefixes", hooks::tracking_total_prefixes(st));
    o.f("unexpected_error_replies", 0);
    o.f("total_error_replies", s.total_error_replies);
    o.f("dump_payload_sanitizations", 0);
    o.f("total_reads_processed", s.reads_processed);
    o.f("total_writes_processed", s.writes_processed);
    o.f("io_threaded_reads_processed", 0);
    o.f("io_threaded_writes_processed", 0);
    o.f("reply_buffer_shrinks", st.stats.reply_buffer_shrinks);
    o.f("reply_buffer_expands", st.stats.reply_buffer_expands);
}

fn replication_section(o: &mut Out, st: &State) {
    o.section("Replication");
    o.f("role", "master");
    o.f("connected_slaves", 0);
    o.f("master_failover_state", "no-failover");
    o.f("master_replid", &st.replid);
    o.f("master_replid2", "0000000000000000000000000000000000000000");
    o.f("master_repl_offset", 0);
    o.f("second_repl_offset", -1);
    o.f("repl_backlog_active", 0);
    o.f("repl_backlog_size", st.cfg.repl_backlog_size);
    o.f("repl_backlog_first_byte_offset", 0);
    o.f("repl_backlog_histlen", 0);
}

fn rusage(who: libc::c_int) -> (String, String) {
    // SAFETY: rusage is plain old data; getrusage fills it.
    let mut r: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(who, &mut r) } != 0 {
        return ("0.000000".into(), "0.000000".into());
    }
    let tv = |t: libc::timeval| format!("{}.{:06}", t.tv_sec, t.tv_usec);
    (tv(r.ru_stime), tv(r.ru_utime))
}

fn cpu_section(o: &mut Out) {
    o.section("CPU");
    let (sys, user) = rusage(libc::RUSAGE_SELF);
    let (csys, cuser) = rusage(libc::RUSAGE_CHILDREN);
    o.f("used_cpu_sys", sys);
    o.f("used_cpu_user", user);
    o.f("used_cpu_sys_children", csys);
    o.f("used_cpu_user_children", cuser);
    #[cfg(target_os = "linux")]
    let (tsys, tuser) = rusage(libc::RUSAGE_THREAD);
    #[cfg(not(target_os = "linux"))]
    let (tsys, tuser) = rusage(libc::RUSAGE_SELF);
    o.f("used_cpu_sys_main_thread", tsys);
    o.f("used_cpu_user_main_thread", tuser);
}

/// INFO fields owned by features other families build. Each returns the value an idle
/// Redis reports until its feature wires it to real state.
pub mod hooks {
    use crate::state::State;

    /// Clients parked in BLPOP/BZPOPMIN/XREAD/WAIT... (blocking commands).
    pub fn blocked_clients(st: &State) -> usize {
        // Clients held by CLIENT PAUSE count too (Redis blocks them as BLOCKED_POSTPONE).
        st.blocking.blocked_clients() + st.postponed.len()
    }
    /// Blocked clients with a timeout (Redis's clients_timeout_table). The caller is never
    /// blocked, so the other clients are all there is to count.
    pub fn clients_in_timeout_table(st: &State) -> usize {
        st.other_clients().filter(|c| c.blocked.as_ref().is_some_and(|b| b.deadline != 0)).count()
    }
    /// Clients with CLIENT TRACKING on.
    pub fn tracking_clients(st: &State) -> usize {
        st.tracking.clients
    }
    /// Keys, items and prefixes in the tracking table.
    pub fn tracking_total_keys(st: &State) -> usize {
        st.tracking.total_keys()
    }
    pub fn tracking_total_items(st: &State) -> usize {
        st.tracking.total_items()
    }
    pub fn tracking_total_prefixes(st: &State) -> usize {
        st.tracking.total_prefixes()
    }
    /// Channels with at least one subscriber, patterns subscribed, shard channels.
    pub fn pubsub_channels(st: &State) -> usize {
        st.pubsub.channels.len()
    }
    pub fn pubsub_patterns(st: &State) -> usize {
        st.pubsub.patterns.len()
    }
    pub fn pubsubshard_channels(st: &State) -> usize {
        st.pubsub.shard_channels.len()
    }
    /// Keys removed by the maxmemory policy.
    pub fn evicted_keys(st: &State) -> u64 {
        st.evict.evicted_keys
    }
    /// Memory of the Lua VM for EVAL (Redis shows 32768 for a fresh VM) and for functions.
    pub fn lua_vm_memory(st: &State) -> u64 {
        st.scripting.used_memory_lua() as u64
    }
    pub fn functions_vm_memory(st: &State) -> u64 {
        st.scripting.used_memory_vm_functions() as u64
    }
    /// Bytes of cached script bodies (EVAL/SCRIPT LOAD) and of function libraries.
    pub fn lua_caches_memory(st: &State) -> u64 {
        st.scripting.used_memory_scripts_eval() as u64
    }
    pub fn functions_caches_memory(st: &State) -> u64 {
        st.scripting.used_memory_functions() as u64
    }
    /// SCRIPT LOAD / EVAL cache size, FUNCTION count, library count.
    pub fn cached_scripts(st: &State) -> usize {
        st.scripting.number_of_cached_scripts()
    }
    pub fn functions(st: &State) -> usize {
        st.scripting.number_of_functions()
    }
    pub fn libraries(st: &State) -> usize {
        st.scripting.number_of_libraries()
    }
    /// An AOF is being written (ferrodis has no AOF: `appendonly yes` is stored only).
    pub fn aof_enabled(_st: &State) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_bytes_matches_redis() {
        assert_eq!(human_bytes(0), "0B");
        assert_eq!(human_bytes(1023), "1023B");
        assert_eq!(human_bytes(916352), "894.88K");
        assert_eq!(human_bytes(6823936), "6.51M");
        assert_eq!(human_bytes(25276510208), "23.54G");
    }

    #[test]
    fn selection_parsing() {
        let d = Selection::default_sections();
        assert_eq!(Selection::parse(std::iter::empty()), d);
        assert_eq!(Selection::parse([&b"DEFAULT"[..]].into_iter()), d);
        assert!(!d.has("commandstats") && !d.has("latencystats") && d.has("errorstats"));
        let all = Selection::parse([&b"everything"[..]].into_iter());
        assert!(all.has("commandstats") && all.has("latencystats"));
        let s = Selection::parse([&b"Cpu"[..], b"bogus", b"keyspace"].into_iter());
        assert!(s.has("cpu") && s.has("keyspace") && !s.has("server"));
        assert_eq!(Selection::parse([&b"bogus"[..]].into_iter()), Selection(0));
    }

    #[test]
    fn percentile_names() {
        assert_eq!(trim_double(50.0), "50");
        assert_eq!(trim_double(99.9), "99.9");
        assert_eq!(trim_double(99.99), "99.99");
    }

    #[test]
    fn rate_uses_now_as_last_point() {
        // Busy long ago, idle since: 0 ops/sec now.
        assert_eq!(rate_per_sec([(0, 0), (100, 1000)].into_iter(), 10_000, 1000), 0.0);
        // 100 commands over the last second.
        assert_eq!(rate_per_sec([(9_000, 0)].into_iter(), 10_000, 100), 100.0);
    }
}
