//! Command family: MEMORY USAGE | STATS | DOCTOR | MALLOC-STATS | PURGE | HELP.

use super::args::Args;
use super::info::MemInfo;
use super::latency::help_reply;
use super::table::{flags, CommandDef};
use super::Ctx;
use crate::db::{Entry, Key};
use crate::error::{CmdResult, SYNTAX};

const fn sub(
    name: &'static str,
    handler: super::table::Handler,
    summary: &'static str,
) -> CommandDef {
    CommandDef {
        name,
        handler,
        arity: 2,
        acl: &["@slow"],
        group: "server",
        since: "4.0.0",
        summary,
        complexity: "O(1)",
        ..CommandDef::DEFAULT
    }
}

pub const COMMANDS: &[CommandDef] = &[CommandDef {
    name: "memory",
    arity: -2,
    acl: &["@slow"],
    group: "server",
    since: "4.0.0",
    summary: "A container for memory diagnostics commands",
    complexity: "Depends on subcommand.",
    subcommands: &[
        sub("doctor", doctor, "Outputs memory problems report"),
        CommandDef {
            flags: flags::LOADING | flags::STALE,
            ..sub("help", help, "Show helpful text about the different subcommands")
        },
        CommandDef {
            complexity: SLOW,
            ..sub("malloc-stats", malloc_stats, "Show allocator internal stats")
        },
        CommandDef {
            complexity: SLOW,
            ..sub("purge", purge, "Ask the allocator to release memory")
        },
        sub("stats", stats, "Show memory usage details"),
        CommandDef {
            name: "usage",
            handler: usage,
            arity: -3,
            flags: flags::READONLY,
            acl: &["@read", "@slow"],
            first_key: 2,
            last_key: 2,
            step: 1,
            group: "server",
            since: "4.0.0",
            summary: "Estimate the memory usage of a key",
            complexity: "O(N) where N is the number of samples.",
            syntax: "key [SAMPLES count]",
            ..CommandDef::DEFAULT
        },
    ],
    ..CommandDef::DEFAULT
}];

const SLOW: &str = "Depends on how much memory is allocated, could be slow";

const HELP: &[&str] = &[
    "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "DOCTOR",
    "    Return memory problems reports.",
    "MALLOC-STATS",
    "    Return internal statistics report from the memory allocator.",
    "PURGE",
    "    Attempt to purge dirty pages for reclamation by the allocator.",
    "STATS",
    "    Return information about the memory usage of the server.",
    "USAGE <key> [SAMPLES <count>]",
    "    Return memory in bytes used by <key> and its value. Nested values are",
    "    sampled up to <count> times (default: 5, 0 means sample all).",
    "HELP",
    "    Prints this help.",
];

fn help(ctx: &mut Ctx, _args: &Args) -> CmdResult {
    help_reply(ctx, HELP)
}

/// Bytes one key costs: its table slot and entry, the key's own allocation, the value's.
pub fn key_usage(key: &Key, e: &Entry) -> usize {
    // A dict node holds (Key, Entry) and the chain pointer.
    std::mem::size_of::<(Key, Entry)>()
        + std::mem::size_of::<usize>()
        + key.heap_size()
        + e.value.heap_size()
}

fn usage(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let mut j = 3;
    while j < args.len() {
        if args.is(j, "samples") && j + 1 < args.len() {
            // Collections size themselves fully; the count is validated as Redis does.
            if args.i64(j + 1)? < 0 {
                return Err(SYNTAX);
            }
            j += 2;
        } else {
            return Err(SYNTAX);
        }
    }
    // Like Redis, a logically expired key that is still stored is measured.
    let db = ctx.db();
    let n = ctx.st.ks.dbs[db].dict.get_key_value(args.get(2)).map(|(k, e)| key_usage(k, e));
    let mut r = ctx.reply();
    match n {
        Some(n) => r.int(n as i64),
        None => r.null(),
    }
    Ok(())
}

fn stats(ctx: &mut Ctx, _args: &Args) -> CmdResult {
    let m = MemInfo::gather(ctx.st, ctx.client);
    let mut r = ctx.reply();
    r.map(27 + m.dbs.len());
    let kv = |r: &mut crate::resp::reply::Reply, k: &str, v: u64| {
        r.bulk(k.as_bytes());
        r.int(v as i64);
    };
    kv(&mut r, "peak.allocated", m.peak);
    kv(&mut r, "total.allocated", m.used);
    kv(&mut r, "startup.allocated", m.startup);
    kv(&mut r, "replication.backlog", 0);
    kv(&mut r, "clients.slaves", 0);
    kv(&mut r, "clients.normal", m.clients_normal);
    kv(&mut r, "cluster.links", 0);
    kv(&mut r, "aof.buffer", 0);
    kv(&mut r, "lua.caches", m.lua);
    kv(&mut r, "functions.caches", m.functions);
    for &(i, main, exp) in &m.dbs {
        r.bulk(format!("db.{i}").as_bytes());
        r.map(3);
        kv(&mut r, "overhead.hashtable.main", main);
        kv(&mut r, "overhead.hashtable.expires", exp);
        kv(&mut r, "overhead.hashtable.slot-to-keys", 0);
    }
    kv(&mut r, "overhead.total", m.overhead);
    kv(&mut r, "keys.count", m.keys);
    kv(&mut r, "keys.bytes-per-key", m.net_usage().checked_div(m.keys).unwrap_or(0));
    kv(&mut r, "dataset.bytes", m.dataset);
    let dbl = |r: &mut crate::resp::reply::Reply, k: &str, v: f32| {
        r.bulk(k.as_bytes());
        r.double(v as f64);
    };
    dbl(&mut r, "dataset.percentage", m.dataset_perc());
    dbl(&mut r, "peak.percentage", m.peak_perc());
    kv(&mut r, "allocator.allocated", m.used);
    kv(&mut r, "allocator.active", m.used);
    kv(&mut r, "allocator.resident", m.rss);
    dbl(&mut r, "allocator-fragmentation.ratio", 1.0);
    kv(&mut r, "allocator-fragmentation.bytes", 0);
    dbl(&mut r, "allocator-rss.ratio", m.frag());
    r.bulk(b"allocator-rss.bytes");
    r.int(m.frag_bytes());
    dbl(&mut r, "rss-overhead.ratio", 1.0);
    kv(&mut r, "rss-overhead.bytes", 0);
    dbl(&mut r, "fragmentation", m.frag());
    r.bulk(b"fragmentation.bytes");
    r.int(m.frag_bytes());
    Ok(())
}

fn doctor(ctx: &mut Ctx, _args: &Args) -> CmdResult {
    let m = MemInfo::gather(ctx.st, ctx.client);
    let clients = ctx.st.clients.len().max(1) as u64;
    let text = doctor_report(&m, clients, super::info::hooks::cached_scripts(ctx.st));
    ctx.reply().verbatim(text.as_bytes());
    Ok(())
}

/// Redis's getMemoryDoctorReport over ferrodis's figures (one allocator, so the allocator
/// fragmentation and RSS checks collapse into the total fragmentation check).
fn doctor_report(m: &MemInfo, clients: u64, scripts: usize) -> String {
    let mut issues: Vec<&str> = Vec::new();
    if m.used < 5 * 1024 * 1024 {
        return "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n".to_string();
    }
    if m.peak as f32 / m.used as f32 > 1.5 {
        issues.push(" * Peak memory: In the past this instance used more than 150% the memory that is currently using. The allocator is normally not able to release memory after a peak, so you can expect to see a big fragmentation ratio, however this is actually harmless and is only due to the memory peak, and if the Redis instance Resident Set Size (RSS) is currently bigger than expected, the memory will be used as soon as you fill the Redis instance with more data. If the memory peak was only occasional and you want to try to reclaim memory, please try the MEMORY PURGE command, otherwise the only other option is to shutdown and restart the instance.\n\n");
    }
    if m.frag() > 1.4 && m.frag_bytes() > 10 << 20 {
        issues.push(" * High total RSS: This instance has a memory fragmentation and RSS overhead greater than 1.4 (this means that the Resident Set Size of the Redis process is much larger than the sum of the logical allocations Redis performed). This problem is usually due either to a large peak memory (check if there is a peak memory entry above in the report) or may result from a workload that causes the allocator to fragment memory a lot. If the problem is a large peak memory, then there is no issue. Otherwise, make sure you are using the Jemalloc allocator and not the default libc malloc. Note: The currently used allocator is \"mimalloc\".\n\n");
    }
    if m.clients_normal / clients > 1024 * 200 {
        issues.push(" * Big client buffers: The clients output buffers in this instance are greater than 200K per client (on average). This may result from different causes, like Pub/Sub clients subscribed to channels bot not receiving data fast enough, so that data piles on the Redis instance output buffer, or clients sending commands with large replies or very large sequences of commands in the same pipeline. Please use the CLIENT LIST command in order to investigate the issue if it causes problems in your instance, or to understand better why certain clients are using a big amount of memory.\n\n");
    }
    if scripts > 1000 {
        issues.push(" * Many scripts: There seem to be many cached scripts in this instance (more than 1000). This may be because scripts are generated and `EVAL`ed, instead of being parameterized (with KEYS and ARGV), `SCRIPT LOAD`ed and `EVALSHA`ed. Unless `SCRIPT FLUSH` is called periodically, the scripts' caches may end up consuming most of your memory.\n\n");
    }
    if issues.is_empty() {
        return "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n".to_string();
    }
    let mut s =
        String::from("Sam, I detected a few issues in this Redis instance memory implants:\n\n");
    for i in issues {
        s.push_str(i);
    }
    s.push_str("I'm here to keep you safe, Sam. I want to help you.\n");
    s
}

extern "C" {
    // mimalloc's C API, linked through the `mimalloc` crate's static library.
    fn mi_collect(force: bool);
    fn mi_stats_print_out(
        out: Option<unsafe extern "C" fn(msg: *const libc::c_char, arg: *mut libc::c_void)>,
        arg: *mut libc::c_void,
    );
}

unsafe extern "C" fn collect_output(msg: *const libc::c_char, arg: *mut libc::c_void) {
    if msg.is_null() || arg.is_null() {
        return;
    }
    // SAFETY: `arg` is the &mut Vec<u8> passed to mi_stats_print_out below, alive for the
    // call; `msg` is a NUL-terminated string from mimalloc.
    let out = unsafe { &mut *(arg as *mut Vec<u8>) };
    out.extend_from_slice(unsafe { std::ffi::CStr::from_ptr(msg) }.to_bytes());
}

fn malloc_stats(ctx: &mut Ctx, _args: &Args) -> CmdResult {
    let mut out: Vec<u8> = Vec::new();
    if crate::alloc::used_memory().is_some() {
        // SAFETY: the callback only appends to `out`, which outlives the call.
        unsafe { mi_stats_print_out(Some(collect_output), &mut out as *mut Vec<u8> as *mut _) };
    }
    if out.is_empty() {
        out.extend_from_slice(b"Stats not supported for the current allocator");
    }
    ctx.reply().verbatim(&out);
    Ok(())
}

fn purge(ctx: &mut Ctx, _args: &Args) -> CmdResult {
    if crate::alloc::used_memory().is_some() {
        // SAFETY: mi_collect has no preconditions; it returns freed pages to the OS.
        unsafe { mi_collect(true) };
    }
    ctx.reply().ok();
    Ok(())
}
