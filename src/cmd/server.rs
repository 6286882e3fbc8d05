//! Command family: server administration — CONFIG GET | SET | RESETSTAT | REWRITE | HELP,
//! TIME, LASTSAVE, ROLE, SHUTDOWN, SLOWLOG GET | LEN | RESET | HELP.
//!
//! SHUTDOWN and saving: ferrodis has no RDB persistence. `SHUTDOWN SAVE` asks for a save
//! that cannot happen, so it fails exactly as Redis does when its save fails ("Errors
//! trying to SHUTDOWN. Check logs.", and the server keeps running), unless FORCE is given.
//! Save points from the `save` parameter (the implicit save of a plain SHUTDOWN or of
//! SIGTERM) are not treated as a failure: the log says the dataset is not saved, and the
//! server exits.

use log::warn;

use super::args::Args;
use super::latency::help_reply;
use super::table::{flags, CommandDef};
use super::Ctx;
use crate::error::{CmdResult, CommandError, SYNTAX};
use crate::state::ShutdownRequest;

const ADMIN_FLAGS: u32 = flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE;
const ADMIN_ACL: &[&str] = &["@admin", "@slow", "@dangerous"];

const fn config_sub(
    name: &'static str,
    handler: super::table::Handler,
    arity: i32,
    since: &'static str,
    summary: &'static str,
    complexity: &'static str,
    syntax: &'static str,
) -> CommandDef {
    CommandDef {
        name,
        handler,
        arity,
        flags: ADMIN_FLAGS,
        acl: ADMIN_ACL,
        group: "server",
        since,
        summary,
        complexity,
        syntax,
        ..CommandDef::DEFAULT
    }
}

const fn help_row(since: &'static str, handler: super::table::Handler) -> CommandDef {
    CommandDef {
        name: "help",
        handler,
        arity: 2,
        flags: flags::LOADING | flags::STALE,
        acl: &["@slow"],
        group: "server",
        since,
        summary: "Show helpful text about the different subcommands",
        complexity: "O(1)",
        ..CommandDef::DEFAULT
    }
}

const fn slowlog_sub(
    name: &'static str,
    handler: super::table::Handler,
    arity: i32,
    summary: &'static str,
    complexity: &'static str,
    syntax: &'static str,
) -> CommandDef {
    CommandDef {
        name,
        handler,
        arity,
        flags: flags::ADMIN | flags::LOADING | flags::STALE,
        acl: ADMIN_ACL,
        group: "server",
        since: "2.2.12",
        summary,
        complexity,
        syntax,
        ..CommandDef::DEFAULT
    }
}

pub const COMMANDS: &[CommandDef] = &[
    CommandDef {
        name: "config",
        arity: -2,
        acl: &["@slow"],
        group: "server",
        since: "2.0.0",
        summary: "A container for server configuration commands",
        complexity: "Depends on subcommand.",
        subcommands: &[
            config_sub(
                "get",
                config_get,
                -3,
                "2.0.0",
                "Get the values of configuration parameters",
                "O(N) when N is the number of configuration parameters provided",
                "parameter [parameter ...]",
            ),
            help_row("5.0.0", config_help),
            config_sub(
                "resetstat",
                config_resetstat,
                2,
                "2.0.0",
                "Reset the stats returned by INFO",
                "O(1)",
                "",
            ),
            config_sub(
                "rewrite",
                config_rewrite,
                2,
                "2.8.0",
                "Rewrite the configuration file with the in memory configuration",
                "O(1)",
                "",
            ),
            config_sub(
                "set",
                config_set,
                -4,
                "2.0.0",
                "Set configuration parameters to the given values",
                "O(N) when N is the number of configuration parameters provided",
                "parameter value [parameter value ...]",
            ),
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "time",
        handler: time,
        arity: 1,
        flags: flags::LOADING | flags::STALE | flags::FAST,
        acl: &["@fast"],
        group: "server",
        since: "2.6.0",
        summary: "Return the current server time",
        complexity: "O(1)",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "lastsave",
        handler: lastsave,
        arity: 1,
        flags: flags::LOADING | flags::STALE | flags::FAST,
        acl: &["@admin", "@fast", "@dangerous"],
        group: "server",
        since: "1.0.0",
        summary: "Get the UNIX time stamp of the last successful save to disk",
        complexity: "O(1)",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "shutdown",
        handler: shutdown,
        arity: -1,
        flags: flags::ADMIN
            | flags::NOSCRIPT
            | flags::LOADING
            | flags::STALE
            | flags::NO_MULTI
            | flags::ALLOW_BUSY,
        acl: ADMIN_ACL,
        group: "server",
        since: "1.0.0",
        summary: "Synchronously save the dataset to disk and then shut down the server",
        complexity: "O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)",
        syntax: "[NOSAVE | SAVE] [NOW] [FORCE] [ABORT]",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "role",
        handler: role,
        arity: 1,
        flags: flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::FAST,
        acl: &["@admin", "@fast", "@dangerous"],
        group: "server",
        since: "2.8.12",
        summary: "Return the role of the instance in the context of replication",
        complexity: "O(1)",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "slowlog",
        arity: -2,
        acl: &["@slow"],
        group: "server",
        since: "2.2.12",
        summary: "A container for slow log commands",
        complexity: "Depends on subcommand.",
        subcommands: &[
            slowlog_sub(
                "get",
                slowlog_get,
                -2,
                "Get the slow log's entries",
                "O(N) where N is the number of entries returned",
                "[count]",
            ),
            help_row("6.2.0", slowlog_help),
            slowlog_sub("len", slowlog_len, 2, "Get the slow log's length", "O(1)", ""),
            slowlog_sub(
                "reset",
                slowlog_reset,
                2,
                "Clear all entries from the slow log",
                "O(N) where N is the number of entries in the slowlog",
                "",
            ),
        ],
        ..CommandDef::DEFAULT
    },
];

/// Argument positions Redis 7.0 replaces by "(redacted)" in SLOWLOG (and MONITOR): the
/// secrets of AUTH, HELLO ... AUTH, CONFIG SET of sensitive parameters, MIGRATE AUTH/AUTH2
/// and ACL SETUSER. `full_name` is the command's full name ("config|set").
pub fn redacted_positions(full_name: &str, args: &Args) -> Vec<usize> {
    let argc = args.len();
    match full_name {
        "auth" => (1..argc).collect(),
        "acl|setuser" => (2..argc).collect(),
        "hello" => {
            let mut out = Vec::new();
            let mut j = 2;
            while j < argc {
                let more = argc - 1 - j;
                if args.is(j, "auth") && more >= 2 {
                    out.extend([j + 1, j + 2]);
                    j += 2;
                } else if args.is(j, "setname") && more >= 1 {
                    j += 1;
                } else {
                    break;
                }
                j += 1;
            }
            out
        }
        "config|set" => (2..argc.saturating_sub(1))
            .step_by(2)
            .filter(|&i| crate::config::lookup(args.get(i)).is_some_and(|(p, _)| p.is_sensitive()))
            .map(|i| i + 1)
            .collect(),
        "migrate" => {
            let mut out = Vec::new();
            let mut j = 6;
            while j < argc {
                let more = argc - 1 - j;
                if args.is(j, "auth") && more >= 1 {
                    out.push(j + 1);
                    j += 1;
                } else if args.is(j, "auth2") && more >= 2 {
                    out.extend([j + 1, j + 2]);
                    j += 2;
                } else if !(args.is(j, "copy") || args.is(j, "replace")) {
                    // KEYS ends the options; anything else is Redis's syntax error.
                    break;
                }
                j += 1;
            }
            out
        }
        _ => Vec::new(),
    }
}

/// Redis's addReplySubcommandSyntaxError.
pub fn subcommand_syntax_error(args: &Args) -> CommandError {
    let sub = args.get(1);
    let end = sub.iter().position(|&c| c == 0).unwrap_or(sub.len()).min(128);
    CommandError::msg(format!(
        "ERR unknown subcommand or wrong number of arguments for '{}'. Try {} HELP.",
        String::from_utf8_lossy(&sub[..end]),
        String::from_utf8_lossy(args.get(0)).to_ascii_uppercase()
    ))
}

const CONFIG_HELP: &[&str] = &[
    "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "GET <pattern>",
    "    Return parameters matching the glob-like <pattern> and their values.",
    "SET <directive> <value>",
    "    Set the configuration <directive> to <value>.",
    "RESETSTAT",
    "    Reset statistics reported by the INFO command.",
    "REWRITE",
    "    Rewrite the configuration file.",
    "HELP",
    "    Prints this help.",
];

const SLOWLOG_HELP: &[&str] = &[
    "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "GET [<count>]",
    "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
    "    Entries are made of:",
    "    id, timestamp, time in microseconds, arguments array, client IP and port,",
    "    client name",
    "LEN",
    "    Return the length of the slowlog.",
    "RESET",
    "    Reset the slowlog.",
    "HELP",
    "    Prints this help.",
];

fn config_help(ctx: &mut Ctx, _args: &Args) -> CmdResult {
    help_reply(ctx, CONFIG_HELP)
}

fn slowlog_help(ctx: &mut Ctx, _args: &Args) -> CmdResult {
    help_reply(ctx, SLOWLOG_HELP)
}

fn config_get(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let pats: Vec<&[u8]> = args.rest(2).collect();
    let pairs = ctx.st.cfg.config_get(&pats);
    let mut r = ctx.reply();
    r.map(pairs.len());
    for (k, v) in pairs {
        r.bulk(k.as_bytes());
        r.bulk(v.as_bytes());
    }
    Ok(())
}

fn config_set(ctx: &mut Ctx, args: &Args) -> CmdResult {
    if args.len() % 2 != 0 {
        return Err(SYNTAX);
    }
    let pairs: Vec<(&[u8], &[u8])> =
        (2..args.len()).step_by(2).map(|i| (args.get(i), args.get(i + 1))).collect();
    let local = ctx.client.addr.is_local();
    let old = ctx.st.cfg.clone();
    ctx.st.cfg.config_set_with(&pairs, local)?;
    if let Err(e) = apply_runtime(ctx, &pairs, &old) {
        // All or nothing, as in Redis: a failed side effect restores every value.
        ctx.st.cfg = old;
        return Err(e);
    }
    ctx.reply().ok();
    Ok(())
}

fn set_failed(name: &str, why: impl std::fmt::Display) -> CommandError {
    CommandError::msg(format!(
        "ERR CONFIG SET failed (possibly related to argument '{name}') - {why}"
    ))
}

/// What a CONFIG SET changes outside the stored configuration. Most parameters are read
/// where they are used (hz, timeout, maxclients, slowlog-*, latency-*, notify-...); the
/// ones below act on the process or the listening sockets.
fn apply_runtime(
    ctx: &mut Ctx,
    pairs: &[(&[u8], &[u8])],
    old: &crate::config::Config,
) -> CmdResult {
    let cfg = &ctx.st.cfg;
    let mut listeners = None;
    if cfg.port != old.port || cfg.bind != old.bind {
        // Port 0 means no TCP listener, as in Redis.
        listeners = Some(if cfg.port == 0 {
            Vec::new()
        } else {
            match crate::server::bind_all(&cfg.bind, cfg.port, cfg.tcp_backlog) {
                // An empty `bind` means no TCP listener, as in Redis.
                Ok((l, _)) if !l.is_empty() || cfg.bind.is_empty() => l,
                _ if cfg.port != old.port => {
                    return Err(set_failed("port", "Unable to listen on this port"))
                }
                _ => return Err(set_failed("bind", "Failed to bind to specified addresses.")),
            }
        });
    }
    if cfg.dir != old.dir {
        std::env::set_current_dir(&cfg.dir).map_err(|e| set_failed("dir", e))?;
    }
    if let Some(l) = listeners {
        ctx.st.tcp_port = ctx.st.cfg.port;
        ctx.st.new_listeners = Some(l);
    }
    if pairs.iter().any(|(n, _)| n.eq_ignore_ascii_case(b"loglevel")) {
        log::set_max_level(crate::log_filter(&ctx.st.cfg));
    }
    if ctx.st.cfg.maxmemory != old.maxmemory {
        crate::evict::maxmemory_changed(ctx.st, ctx.now_ms);
    }
    if ctx.st.cfg.crash_log_enabled != old.crash_log_enabled {
        crate::logging::crash::set_enabled(ctx.st.cfg.crash_log_enabled);
    }
    Ok(())
}

fn config_resetstat(ctx: &mut Ctx, _args: &Args) -> CmdResult {
    reset_stats(ctx);
    ctx.reply().ok();
    Ok(())
}

/// Redis's resetServerStats + resetCommandTableStats + resetErrorTableStats.
pub fn reset_stats(ctx: &mut Ctx) {
    let st = &mut *ctx.st;
    st.ks.lazy.reset_stats();
    st.evict.reset_stats();
    let s = &mut st.stats;
    s.total_connections_received = 0;
    s.reply_buffer_shrinks = 0;
    s.reply_buffer_expands = 0;
    s.total_commands_processed = 0;
    s.rejected_connections = 0;
    s.total_error_replies = 0;
    s.errorstats.clear();
    s.client_query_buffer_limit_disconnections = 0;
    s.client_output_buffer_limit_disconnections = 0;
    s.net_input_bytes = 0;
    s.net_output_bytes = 0;
    s.ops_samples.clear();
    s.net_samples.clear();
    s.peak_memory = 0;
    s.reads_processed = 0;
    s.writes_processed = 0;
    let ks = &mut st.ks.stats;
    ks.expired_keys = 0;
    ks.expired_stale_perc = 0.0;
    ks.expired_time_cap_reached_count = 0;
    ks.keyspace_hits = 0;
    ks.keyspace_misses = 0;
    for c in st.cmd_stats.iter_mut() {
        *c = Default::default();
    }
    for h in st.cmd_latency.iter_mut() {
        *h = None;
    }
    // Byte totals are summed from the clients' own counters.
    for (_, c) in st.clients.iter_mut() {
        if let Some(c) = c.as_deref_mut() {
            c.net_in = 0;
            c.net_out = 0;
        }
    }
    ctx.client.net_in = 0;
    ctx.client.net_out = 0;
}

fn config_rewrite(ctx: &mut Ctx, _args: &Args) -> CmdResult {
    ctx.st.cfg.config_rewrite().inspect_err(|e| warn!("CONFIG REWRITE failed: {}", e.text()))?;
    log::info!("CONFIG REWRITE executed with success.");
    ctx.reply().ok();
    Ok(())
}

fn time(ctx: &mut Ctx, _args: &Args) -> CmdResult {
    let now =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let mut r = ctx.reply();
    r.array(2);
    r.bulk_i64(now.as_secs() as i64);
    r.bulk_i64(now.subsec_micros() as i64);
    Ok(())
}

fn lastsave(ctx: &mut Ctx, _args: &Args) -> CmdResult {
    let t = ctx.st.lastsave;
    ctx.reply().int(t);
    Ok(())
}

fn shutdown(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (mut nosave, mut save, mut now, mut force, mut abort) = (false, false, false, false, false);
    for a in args.rest(1) {
        let flag = match a.to_ascii_lowercase().as_slice() {
            b"nosave" => &mut nosave,
            b"save" => &mut save,
            b"now" => &mut now,
            b"force" => &mut force,
            b"abort" => &mut abort,
            _ => return Err(SYNTAX),
        };
        *flag = true;
    }
    if (abort && (nosave || save || now || force)) || (nosave && save) {
        return Err(SYNTAX);
    }
    if !nosave && ctx.st.scripting.busy() {
        // A timed-out script blocks every shutdown but SHUTDOWN NOSAVE, as in Redis.
        let eval = ctx.st.scripting.running.as_ref().is_some_and(|r| r.eval);
        return Err(if eval {
            super::scripting::BUSY_EVAL
        } else {
            super::scripting::BUSY_FUNCTION
        });
    }
    if abort {
        // ferrodis never waits for replicas before exiting, so no shutdown is ever pending.
        return Err(CommandError::stat("ERR No shutdown in progress."));
    }
    warn!("User requested shutdown...");
    // prepareForShutdown: save when asked, or when save points exist and NOSAVE was not given.
    if save || (!nosave && !ctx.st.cfg.save.is_empty()) {
        warn!("Saving the final RDB snapshot before exiting.");
        if super::persist::save(ctx.st, ctx.now_ms).is_err() {
            if !force {
                warn!("Error trying to save the DB, can't exit.");
                return Err(CommandError::stat("ERR Errors trying to SHUTDOWN. Check logs."));
            }
            warn!("Error trying to save the DB. Exit anyway.");
        }
    }
    // Saving (if any) is done: the loop only has to exit.
    ctx.st.shutdown = Some(ShutdownRequest { save: Some(false), now, force, signal: false });
    // Redis closes the connection of the client that asked without replying.
    ctx.client.close_asap = true;
    Ok(())
}

/// A master without replicas (ferrodis has no replication): role, offset, replicas.
fn role(ctx: &mut Ctx, _args: &Args) -> CmdResult {
    let mut r = ctx.reply();
    r.array(3);
    r.bulk(b"master");
    r.int(0);
    r.array(0);
    Ok(())
}

fn slowlog_get(ctx: &mut Ctx, args: &Args) -> CmdResult {
    if args.len() > 3 {
        return Err(subcommand_syntax_error(args));
    }
    let mut count: usize = 10;
    if args.len() == 3 {
        const MSG: CommandError =
            CommandError::stat("ERR count should be greater than or equal to -1");
        let n = crate::util::num::parse_i64(args.get(2)).ok_or(MSG)?;
        if n < -1 {
            return Err(MSG);
        }
        count = if n == -1 { usize::MAX } else { n as usize };
    }
    let (st, mut r) = ctx.parts();
    let n = count.min(st.slowlog.entries.len());
    r.array(n);
    for e in st.slowlog.entries.iter().take(n) {
        r.array(6);
        r.int(e.id as i64);
        r.int(e.time);
        r.int(e.duration_us as i64);
        r.array(e.args.len());
        for a in &e.args {
            r.bulk(a);
        }
        r.bulk(e.addr.as_bytes());
        r.bulk(&e.name);
    }
    Ok(())
}

fn slowlog_len(ctx: &mut Ctx, _args: &Args) -> CmdResult {
    let n = ctx.st.slowlog.entries.len();
    ctx.reply().int(n as i64);
    Ok(())
}

fn slowlog_reset(ctx: &mut Ctx, _args: &Args) -> CmdResult {
    ctx.st.slowlog.entries.clear();
    ctx.reply().ok();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(name: &str, words: &[&str]) -> Vec<usize> {
        let v: Vec<Vec<u8>> = words.iter().map(|w| w.as_bytes().to_vec()).collect();
        redacted_positions(name, &Args::Owned(&v))
    }

    #[test]
    fn redaction_follows_redis_parsers() {
        assert_eq!(pos("auth", &["AUTH", "pw"]), [1]);
        assert_eq!(pos("acl|setuser", &["ACL", "SETUSER", "bob", "on", ">pw"]), [2, 3, 4]);
        assert_eq!(pos("hello", &["HELLO", "3", "SETNAME", "n", "AUTH", "u", "p"]), [5, 6]);
        // A malformed option stops the parse, as Redis replies an error there.
        assert!(pos("hello", &["HELLO", "3", "bogus", "AUTH", "u", "p"]).is_empty());
        assert_eq!(
            pos(
                "migrate",
                &["MIGRATE", "h", "1", "", "0", "10", "COPY", "AUTH", "pw", "KEYS", "auth"]
            ),
            [8]
        );
        assert_eq!(
            pos("migrate", &["MIGRATE", "h", "1", "k", "0", "10", "AUTH2", "u", "p"]),
            [7, 8]
        );
        assert!(pos("migrate", &["MIGRATE", "h", "1", "k", "0", "10", "X", "AUTH", "p"]).is_empty());
        assert_eq!(
            pos("config|set", &["CONFIG", "SET", "hz", "1", "REQUIREPASS", "x", "masterauth", "y"]),
            [5, 7]
        );
        assert!(pos("config|get", &["CONFIG", "GET", "requirepass"]).is_empty());
    }
}
