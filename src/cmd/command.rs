//! Command family: COMMAND — (no args) COUNT INFO DOCS LIST GETKEYS GETKEYSANDFLAGS HELP
//! (Redis 7.0's commandCommand and friends). Which commands exist comes from the command
//! table; what they are (flags, categories, tips, key specs, docs) from Redis's own data
//! (`command_meta`), with rows Redis lacks described from the table itself.

use super::args::Args;
use super::client::reply_help;
use super::command_docs::write_docs;
use super::command_keys::{self, KeyRef};
use super::command_meta::{key_flags, write_key_specs as write_meta_key_specs};
use super::table::{flags, CommandDef};
use super::Ctx;
use crate::error::{CmdResult, CommandError, SYNTAX};
use crate::resp::reply::Reply;
use crate::state::State;
use crate::util::glob::string_match;

const BASE: u32 = flags::LOADING | flags::STALE;

const fn sub(
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
        flags: BASE,
        acl: &["@connection"],
        group: "server",
        since,
        summary,
        complexity,
        syntax,
        ..CommandDef::DEFAULT
    }
}

const N_COMMANDS: &str = "O(N) where N is the total number of Redis commands";
const N_ARGS: &str = "O(N) where N is the number of arguments to the command";

pub const COMMANDS: &[CommandDef] = &[CommandDef {
    name: "command",
    handler: command,
    arity: -1,
    flags: BASE,
    acl: &["@connection"],
    group: "server",
    since: "2.8.13",
    summary: "Get array of Redis command details",
    complexity: N_COMMANDS,
    subcommands: &[
        sub("count", count, 2, "2.8.13", "Get total number of Redis commands", "O(1)", ""),
        sub(
            "docs",
            docs,
            -2,
            "7.0.0",
            "Get array of specific Redis command documentation",
            "O(N) where N is the number of commands to look up",
            "[command-name [command-name ...]]",
        ),
        sub(
            "getkeys",
            getkeys,
            -4,
            "2.8.13",
            "Extract keys given a full Redis command",
            N_ARGS,
            "",
        ),
        sub(
            "getkeysandflags",
            getkeysandflags,
            -4,
            "7.0.0",
            "Extract keys and access flags given a full Redis command",
            N_ARGS,
            "",
        ),
        sub(
            "help",
            help,
            2,
            "5.0.0",
            "Show helpful text about the different subcommands",
            "O(1)",
            "",
        ),
        sub(
            "info",
            info,
            -2,
            "2.8.13",
            "Get array of specific Redis command details, or all when no argument is given.",
            "O(N) where N is the number of commands to look up",
            "[command-name [command-name ...]]",
        ),
        sub(
            "list",
            list,
            -2,
            "7.0.0",
            "Get an array of Redis command names",
            N_COMMANDS,
            "[FILTERBY <MODULE module-name | ACLCAT category | PATTERN pattern>]",
        ),
    ],
    ..CommandDef::DEFAULT
}];

/// ACL categories in the order Redis prints them.
const ACL_ORDER: &[&str] = &[
    "keyspace",
    "read",
    "write",
    "set",
    "sortedset",
    "list",
    "hash",
    "string",
    "bitmap",
    "hyperloglog",
    "geo",
    "stream",
    "pubsub",
    "admin",
    "fast",
    "slow",
    "blocking",
    "dangerous",
    "connection",
    "transaction",
    "scripting",
];

/// A row's ACL categories: its own plus those its flags imply (Redis's
/// setImplicitACLCategories), in Redis's order, without the `@`.
pub fn acl_categories(def: &CommandDef) -> Vec<&'static str> {
    let own = |c: &str| def.acl.iter().any(|a| a.trim_start_matches('@') == c);
    let scripting = own("scripting");
    let fast = own("fast") || def.has(flags::FAST);
    ACL_ORDER
        .iter()
        .copied()
        .filter(|&c| {
            own(c)
                || match c {
                    "write" => def.has(flags::WRITE),
                    "read" => def.has(flags::READONLY) && !scripting,
                    "admin" | "dangerous" => def.has(flags::ADMIN),
                    "pubsub" => def.has(flags::PUBSUB),
                    "fast" => fast,
                    "slow" => !fast,
                    "blocking" => def.has(flags::BLOCKING),
                    _ => false,
                }
        })
        .collect()
}

/// Command flags as COMMAND INFO prints them; rows with a key-finding function are movable.
pub fn flag_names(def: &CommandDef) -> Vec<&'static str> {
    flags::NAMES
        .iter()
        .filter(|(f, name)| def.has(*f) || (*name == "movablekeys" && def.getkeys.is_some()))
        .map(|&(_, n)| n)
        .collect()
}

/// The access flags of a row's keys (key-spec flags), from the command's flags.
fn derived_key_flags(def: &CommandDef) -> &'static [&'static str] {
    if def.has(flags::WRITE) {
        &["RW", "update"]
    } else if def.has(flags::READONLY) {
        &["RO", "access"]
    } else {
        &["RO"]
    }
}

/// A key spec derived from a row: a range from a fixed index, or keys found by a function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySpec {
    Range { index: i32, lastkey: i32, keystep: i32 },
    Unknown,
}

/// A row's key specs, shaped like Redis's: fixed positions of a write command (RENAME's key
/// and newkey) are one spec each, other ranges (DEL's keys, MSET's pairs) one spec, and keys a function finds
/// (numkeys, STORE options) an "unknown" spec after the fixed ones.
pub fn key_specs(def: &CommandDef) -> Vec<KeySpec> {
    let mut v = Vec::new();
    if def.first_key > 0 {
        let step = def.step.max(1);
        // Keys at fixed positions of a write command have different roles (RENAME's source
        // and target), so Redis gives each its own spec; a read-only command's (LCS) share one.
        if def.last_key > def.first_key && def.has(flags::WRITE) {
            let mut i = def.first_key;
            while i <= def.last_key {
                v.push(KeySpec::Range { index: i, lastkey: 0, keystep: 1 });
                i += step;
            }
        } else {
            let lastkey =
                if def.last_key < 0 { def.last_key } else { def.last_key - def.first_key };
            v.push(KeySpec::Range { index: def.first_key, lastkey, keystep: step });
        }
    }
    if def.getkeys.is_some() {
        v.push(KeySpec::Unknown);
    }
    v
}

fn write_key_specs(r: &mut Reply, def: &CommandDef) {
    // A set in RESP3, as Redis's addReplyCommandKeySpecs writes it.
    let specs = key_specs(def);
    r.set(specs.len());
    let kf = derived_key_flags(def);
    for spec in specs {
        r.map(3);
        r.bulk(b"flags");
        r.set(kf.len());
        for f in kf {
            r.simple(f.as_bytes());
        }
        let KeySpec::Range { index, lastkey, keystep } = spec else {
            for part in [&b"begin_search"[..], b"find_keys"] {
                r.bulk(part);
                r.map(2);
                r.bulk(b"type");
                r.bulk(b"unknown");
                r.bulk(b"spec");
                r.map(0);
            }
            continue;
        };
        r.bulk(b"begin_search");
        r.map(2);
        r.bulk(b"type");
        r.bulk(b"index");
        r.bulk(b"spec");
        r.map(1);
        r.bulk(b"index");
        r.int(index as i64);
        r.bulk(b"find_keys");
        r.map(2);
        r.bulk(b"type");
        r.bulk(b"range");
        r.bulk(b"spec");
        r.map(3);
        r.bulk(b"lastkey");
        r.int(lastkey as i64);
        r.bulk(b"keystep");
        r.int(keystep as i64);
        r.bulk(b"limit");
        r.int(0);
    }
}

/// One COMMAND INFO entry: name, arity, flags, first, last, step, ACL categories, tips,
/// key specs, subcommands. Redis's own data where it has the command; rows Redis lacks are
/// described from the table.
fn write_info(r: &mut Reply, st: &State, id: usize) {
    let def = st.table.def(id);
    let full_name = st.table.full_name(id);
    r.array(10);
    r.bulk(full_name.as_bytes());
    match st.table.meta.info(full_name) {
        Some(info) => {
            r.int(info.arity as i64);
            r.set(info.flags.len());
            for f in &info.flags {
                r.simple(f.as_bytes());
            }
            r.int(info.first as i64);
            r.int(info.last as i64);
            r.int(info.step as i64);
            r.set(info.acl.len());
            for c in &info.acl {
                r.simple(c.as_bytes());
            }
            r.set(info.tips.len());
            for t in &info.tips {
                r.bulk(t.as_bytes());
            }
            write_meta_key_specs(r, &info.specs);
        }
        None => {
            r.int(def.arity as i64);
            let fl = flag_names(def);
            r.set(fl.len());
            for f in fl {
                r.simple(f.as_bytes());
            }
            r.int(def.first_key as i64);
            r.int(def.last_key as i64);
            r.int(def.step as i64);
            let cats = acl_categories(def);
            r.set(cats.len());
            for c in cats {
                r.simple(format!("@{c}").as_bytes());
            }
            // Tips say how a cluster proxy routes a command; Redis declares none for these.
            r.set(0);
            write_key_specs(r, def);
        }
    }
    // No subcommands: an empty set (Redis's addReplyCommandSubCommands); else an array.
    let subs = st.table.subcommands_of(id);
    if subs.is_empty() {
        r.set(0);
    } else {
        r.array(subs.len());
    }
    for sid in subs {
        write_info(r, st, sid);
    }
}

/// One COMMAND DOCS map, subcommands (from the table) keyed by full name.
fn write_docs_of(r: &mut Reply, st: &State, id: usize) {
    let full = st.table.full_name(id);
    let subs = st.table.subcommands_of(id);
    if !st.table.meta.write_docs(r, full, usize::from(!subs.is_empty())) {
        write_docs(r, st.table.def(id), Some(full));
        return;
    }
    if !subs.is_empty() {
        r.bulk(b"subcommands");
        r.map(subs.len());
        for sid in subs {
            r.bulk(st.table.full_name(sid).as_bytes());
            write_docs_of(r, st, sid);
        }
    }
}

/// A row's ACL categories without the `@`: Redis's where it has the command.
fn categories_of(st: &State, id: usize) -> Vec<&'static str> {
    match st.table.meta.info(st.table.full_name(id)) {
        Some(info) => info.acl.iter().map(|c| c.trim_start_matches('@')).collect(),
        None => acl_categories(st.table.def(id)),
    }
}

/// Resolve `name` or `parent|sub` as Redis's lookupCommandBySds does.
fn lookup_by_name(st: &State, name: &[u8]) -> Option<usize> {
    let mut parts = name.split(|&c| c == b'|');
    let first = parts.next()?;
    let id = st.table.lookup(first)?;
    match (parts.next(), parts.next()) {
        (None, _) => Some(id),
        (Some(s), None) => st.table.lookup_sub(id, s),
        _ => None,
    }
}

fn command(ctx: &mut Ctx, args: &Args) -> CmdResult {
    if args.len() != 1 {
        // Only reached with a subcommand the table does not have; the dispatcher replies.
        return Err(SYNTAX);
    }
    let (st, mut r) = ctx.parts();
    let ids: Vec<usize> = st.table.top_level().collect();
    r.array(ids.len());
    for id in ids {
        write_info(&mut r, st, id);
    }
    Ok(())
}

fn count(ctx: &mut Ctx, _args: &Args) -> CmdResult {
    let n = ctx.st.table.top_level().count();
    ctx.reply().int(n as i64);
    Ok(())
}

fn info(ctx: &mut Ctx, args: &Args) -> CmdResult {
    if args.len() == 2 {
        return command(ctx, &Args::Owned(&[b"command".to_vec()]));
    }
    let (st, mut r) = ctx.parts();
    r.array(args.len() - 2);
    for name in args.rest(2) {
        match lookup_by_name(st, name) {
            Some(id) => write_info(&mut r, st, id),
            None => r.null(),
        }
    }
    Ok(())
}

fn docs(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (st, mut r) = ctx.parts();
    let ids: Vec<usize> = if args.len() == 2 {
        st.table.top_level().collect()
    } else {
        args.rest(2).filter_map(|n| lookup_by_name(st, n)).collect()
    };
    r.map(ids.len());
    for id in ids {
        r.bulk(st.table.full_name(id).as_bytes());
        write_docs_of(&mut r, st, id);
    }
    Ok(())
}

enum Filter<'a> {
    Module,
    AclCat(&'a [u8]),
    Pattern(&'a [u8]),
}

fn list(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let mut filter = None;
    let mut i = 2;
    while i < args.len() {
        let more = args.len() - 1 - i;
        if args.is(i, "filterby") && more == 2 {
            let v = args.get(i + 2);
            filter = Some(if args.is(i + 1, "module") {
                Filter::Module
            } else if args.is(i + 1, "aclcat") {
                Filter::AclCat(v)
            } else if args.is(i + 1, "pattern") {
                Filter::Pattern(v)
            } else {
                return Err(SYNTAX);
            });
            i += 3;
        } else {
            return Err(SYNTAX);
        }
    }
    let (st, mut r) = ctx.parts();
    let mut names: Vec<&str> = Vec::new();
    for id in st.table.top_level() {
        let mut all = vec![id];
        all.extend(st.table.subcommands_of(id));
        for cid in all {
            let full = st.table.full_name(cid);
            let keep = match &filter {
                None => true,
                Some(Filter::Module) => false,
                Some(Filter::AclCat(c)) => {
                    categories_of(st, cid).iter().any(|cat| cat.as_bytes().eq_ignore_ascii_case(c))
                }
                Some(Filter::Pattern(p)) => string_match(p, full.as_bytes(), true),
            };
            if keep {
                names.push(full);
            }
        }
    }
    r.array(names.len());
    for n in names {
        r.bulk(n.as_bytes());
    }
    Ok(())
}

/// argv from `from` on, as its own argument vector.
fn tail<'a>(args: &Args<'a>, from: usize) -> Args<'a> {
    match *args {
        Args::Spans { buf, spans } => Args::Spans { buf, spans: spans.get(from..).unwrap_or(&[]) },
        Args::Owned(v) => Args::Owned(v.get(from..).unwrap_or(&[])),
    }
}

/// The keys of the command in argv[2..] (Redis's getKeysSubcommandImpl), positions in
/// `args`, with their access flags.
fn keys_of(st: &State, args: &Args) -> Result<Vec<KeyRef>, CommandError> {
    let inner = tail(args, 2);
    let argc = inner.len() as i32;
    let mut id = st.table.lookup(inner.get(0));
    if let Some(pid) = id {
        if st.table.def(pid).is_container() && argc >= 2 {
            id = st.table.lookup_sub(pid, inner.get(1));
        }
    }
    let Some(id) = id else {
        return Err(CommandError::stat("ERR Invalid command specified"));
    };
    let def = st.table.def(id);
    let full = st.table.full_name(id);
    let info = st.table.meta.info(full);
    if !command_keys::has_keys(full, info) {
        return Err(CommandError::stat("ERR The command has no key arguments"));
    }
    if (def.arity > 0 && def.arity != argc) || argc < -def.arity {
        return Err(CommandError::stat("ERR Invalid number of arguments specified for command"));
    }
    let keys = command_keys::find_keys(full, info, &inner);
    if keys.is_empty() {
        let optional =
            info.map_or(def.has(flags::NO_MANDATORY_KEYS), |i| i.has_flag("no_mandatory_keys"));
        if !optional {
            return Err(CommandError::stat("ERR Invalid arguments specified for command"));
        }
    }
    Ok(keys
        .into_iter()
        .filter(|k| k.pos < inner.len())
        .map(|k| KeyRef { pos: k.pos + 2, ..k })
        .collect())
}

fn getkeys(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let keys = keys_of(ctx.st, args)?;
    let mut r = ctx.reply();
    r.array(keys.len());
    for k in keys {
        r.bulk(args.get(k.pos));
    }
    Ok(())
}

fn getkeysandflags(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let keys = keys_of(ctx.st, args)?;
    let mut r = ctx.reply();
    r.array(keys.len());
    for k in keys {
        r.array(2);
        r.bulk(args.get(k.pos));
        r.set(key_flags::names(k.flags).count());
        for f in key_flags::names(k.flags) {
            r.simple(f.as_bytes());
        }
    }
    Ok(())
}

const HELP: &[&str] = &[
    "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "(no subcommand)",
    "    Return details about all Redis commands.",
    "COUNT",
    "    Return the total number of commands in this Redis server.",
    "LIST",
    "    Return a list of all commands in this Redis server.",
    "INFO [<command-name> ...]",
    "    Return details about multiple Redis commands.",
    "    If no command names are given, documentation details for all",
    "    commands are returned.",
    "DOCS [<command-name> ...]",
    "    Return documentation details about multiple Redis commands.",
    "    If no command names are given, documentation details for all",
    "    commands are returned.",
    "GETKEYS <full-command>",
    "    Return the keys from a full Redis command.",
    "GETKEYSANDFLAGS <full-command>",
    "    Return the keys and the access flags from a full Redis command.",
    "HELP",
    "    Prints this help.",
];

fn help(ctx: &mut Ctx, _args: &Args) -> CmdResult {
    reply_help(ctx, HELP);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def_of(t: &super::super::CommandTable, name: &str) -> &'static CommandDef {
        t.def(t.lookup(name.as_bytes()).unwrap())
    }

    #[test]
    fn implied_acl_categories_follow_redis_order() {
        let t = super::super::CommandTable::build();
        assert_eq!(acl_categories(def_of(&t, "ping")), ["fast", "connection"]);
        assert_eq!(acl_categories(def_of(&t, "expire")), ["keyspace", "write", "fast"]);
        let client = def_of(&t, "client");
        assert_eq!(acl_categories(client), ["slow"]);
        let kill = t.def(t.lookup_sub(t.lookup(b"client").unwrap(), b"kill").unwrap());
        assert_eq!(acl_categories(kill), ["admin", "slow", "dangerous", "connection"]);
    }

    #[test]
    fn key_specs_from_positions() {
        let t = super::super::CommandTable::build();
        let spec = |name: &str| key_specs(def_of(&t, name));
        assert_eq!(spec("ping"), []);
        assert_eq!(spec("ttl"), [KeySpec::Range { index: 1, lastkey: 0, keystep: 1 }]);
        assert_eq!(spec("del"), [KeySpec::Range { index: 1, lastkey: -1, keystep: 1 }]);
        assert_eq!(
            spec("rename"),
            [
                KeySpec::Range { index: 1, lastkey: 0, keystep: 1 },
                KeySpec::Range { index: 2, lastkey: 0, keystep: 1 }
            ]
        );
    }

    #[test]
    fn flag_names_in_redis_order() {
        let t = super::super::CommandTable::build();
        assert_eq!(
            flag_names(def_of(&t, "hello")),
            ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"]
        );
    }
}
