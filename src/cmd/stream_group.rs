//! Command family: stream consumer groups — XGROUP XREADGROUP XACK XPENDING XCLAIM XAUTOCLAIM
//! (Redis's t_stream.c).

use super::args::Args;
use super::stream::{
    block_deadline, create_stream, parse_id, parse_interval_id, parse_read_args, parse_strict_id,
    stream_mut, stream_read, write_entry, write_id, xread_keys,
};
use super::table::{flags, CommandDef};
use super::{notify, Ctx};
use crate::blocking;
use crate::db::stream::{Group, Stream, StreamId, INVALID_ENTRIES_READ};
use crate::db::{Entry, Kind, Value};
use crate::error::{CmdResult, CommandError, NOT_INTEGER, SYNTAX, WRONGTYPE};
use crate::resp::reply::Reply;
use crate::util::num;

const fn group_sub(
    name: &'static str,
    handler: super::table::Handler,
    arity: i32,
    flags: u32,
    since: &'static str,
    summary: &'static str,
    syntax: &'static str,
) -> CommandDef {
    CommandDef {
        name,
        handler,
        arity,
        flags,
        acl: &["@write", "@stream", "@slow"],
        first_key: 2,
        last_key: 2,
        step: 1,
        group: "stream",
        since,
        summary,
        complexity: "O(1)",
        syntax,
        ..CommandDef::DEFAULT
    }
}

pub const COMMANDS: &[CommandDef] = &[
    CommandDef {
        name: "xgroup",
        arity: -2,
        group: "stream",
        since: "5.0.0",
        summary: "A container for consumer groups commands",
        complexity: "Depends on subcommand.",
        subcommands: &[
            group_sub(
                "create",
                xgroup_create,
                -5,
                flags::WRITE | flags::DENYOOM,
                "5.0.0",
                "Create a consumer group.",
                "key group <id | $> [MKSTREAM] [ENTRIESREAD entries-read]",
            ),
            group_sub(
                "createconsumer",
                xgroup_createconsumer,
                5,
                flags::WRITE | flags::DENYOOM,
                "6.2.0",
                "Create a consumer in a consumer group.",
                "key group consumer",
            ),
            group_sub(
                "delconsumer",
                xgroup_delconsumer,
                5,
                flags::WRITE,
                "5.0.0",
                "Delete a consumer from a consumer group.",
                "key group consumer",
            ),
            group_sub(
                "destroy",
                xgroup_destroy,
                4,
                flags::WRITE,
                "5.0.0",
                "Destroy a consumer group.",
                "key group",
            ),
            CommandDef {
                name: "help",
                handler: xgroup_help,
                arity: 2,
                flags: flags::LOADING | flags::STALE,
                acl: &["@stream", "@slow"],
                group: "stream",
                since: "5.0.0",
                summary: "Show helpful text about the different subcommands",
                complexity: "O(1)",
                ..CommandDef::DEFAULT
            },
            group_sub(
                "setid",
                xgroup_setid,
                -5,
                flags::WRITE,
                "5.0.0",
                "Set a consumer group to an arbitrary last delivered ID value.",
                "key group <id | $> [ENTRIESREAD entries-read]",
            ),
        ],
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "xreadgroup",
        handler: xreadgroup,
        arity: -7,
        flags: flags::WRITE | flags::BLOCKING | flags::MOVABLE_KEYS,
        acl: &["@write", "@stream", "@slow", "@blocking"],
        getkeys: Some(xread_keys),
        group: "stream",
        since: "5.0.0",
        summary: "Return new entries from a stream using a consumer group, or access the history of the pending entries for a given consumer. Can block.",
        complexity: "For each stream mentioned: O(M) with M being the number of elements returned. If M is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1). On the other side when XREADGROUP blocks, XADD will pay the O(N) time in order to serve the N clients blocked on the stream getting new data.",
        syntax: "GROUP group consumer [COUNT count] [BLOCK milliseconds] [NOACK] STREAMS key [key ...] id [id ...]",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "xack",
        handler: xack,
        arity: -4,
        flags: flags::WRITE | flags::FAST,
        acl: &["@write", "@stream", "@fast"],
        first_key: 1,
        last_key: 1,
        step: 1,
        group: "stream",
        since: "5.0.0",
        summary: "Marks a pending message as correctly processed, effectively removing it from the pending entries list of the consumer group. Return value of the command is the number of messages successfully acknowledged, that is, the IDs we were actually able to resolve in the PEL.",
        complexity: "O(1) for each message ID processed.",
        syntax: "key group id [id ...]",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "xpending",
        handler: xpending,
        arity: -3,
        flags: flags::READONLY,
        acl: &["@read", "@stream", "@slow"],
        first_key: 1,
        last_key: 1,
        step: 1,
        group: "stream",
        since: "5.0.0",
        summary: "Return information and entries from a stream consumer group pending entries list, that are messages fetched but never acknowledged.",
        complexity: "O(N) with N being the number of elements returned, so asking for a small fixed number of entries per call is O(1). O(M), where M is the total number of entries scanned when used with the IDLE filter. When the command returns just the summary and the list of consumers is small, it runs in O(1) time; otherwise, an additional O(N) time for iterating every consumer.",
        syntax: "key group [[IDLE min-idle-time] start end count [consumer]]",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "xclaim",
        handler: xclaim,
        arity: -6,
        flags: flags::WRITE | flags::FAST,
        acl: &["@write", "@stream", "@fast"],
        first_key: 1,
        last_key: 1,
        step: 1,
        group: "stream",
        since: "5.0.0",
        summary: "Changes (or acquires) ownership of a message in a consumer group, as if the message was delivered to the specified consumer.",
        complexity: "O(log N) with N being the number of messages in the PEL of the consumer group.",
        syntax: "key group consumer min-idle-time id [id ...] [IDLE ms] [TIME unix-time-milliseconds] [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID lastid]",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "xautoclaim",
        handler: xautoclaim,
        arity: -6,
        flags: flags::WRITE | flags::FAST,
        acl: &["@write", "@stream", "@fast"],
        first_key: 1,
        last_key: 1,
        step: 1,
        group: "stream",
        since: "6.2.0",
        summary: "Changes (or acquires) ownership of messages in a consumer group, as if the messages were delivered to the specified consumer.",
        complexity: "O(1) if COUNT is small.",
        syntax: "key group consumer min-idle-time start [COUNT count] [JUSTID]",
        ..CommandDef::DEFAULT
    },
];

fn nogroup(key: &[u8], group: &[u8]) -> CommandError {
    CommandError::msg(format!(
        "NOGROUP No such key '{}' or consumer group '{}'",
        String::from_utf8_lossy(key),
        String::from_utf8_lossy(group)
    ))
}

/// XGROUP's common checks: the stream must exist (unless CREATE ... MKSTREAM) and, for
/// some subcommands, the group too.
fn xgroup_stream<'a>(
    ctx: &'a mut Ctx,
    args: &Args,
    need_group: bool,
) -> Result<&'a mut Stream, CommandError> {
    let (key, name) = (args.get(2), args.get(3));
    let Some(s) = stream_mut(ctx, key)? else {
        return Err(CommandError::stat(
            "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.",
        ));
    };
    if need_group && !s.groups.contains_key(name) {
        return Err(CommandError::msg(format!(
            "NOGROUP No such consumer group '{}' for key name '{}'",
            String::from_utf8_lossy(name),
            String::from_utf8_lossy(key)
        )));
    }
    Ok(s)
}

fn subcommand_syntax(args: &Args) -> CommandError {
    CommandError::msg(format!(
        "ERR unknown subcommand or wrong number of arguments for '{}'. Try XGROUP HELP.",
        String::from_utf8_lossy(args.get(1))
    ))
}

fn parse_entries_read(b: &[u8]) -> Result<i64, CommandError> {
    let n = num::parse_i64(b).ok_or(NOT_INTEGER)?;
    if n < 0 && n != INVALID_ENTRIES_READ {
        return Err(CommandError::stat("ERR value for ENTRIESREAD must be positive or -1"));
    }
    Ok(n)
}

fn xgroup_create(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let mut mkstream = false;
    let mut entries_read = INVALID_ENTRIES_READ;
    let mut i = 5;
    while i < args.len() {
        if args.is(i, "mkstream") {
            mkstream = true;
            i += 1;
        } else if args.is(i, "entriesread") && i + 1 < args.len() {
            entries_read = parse_entries_read(args.get(i + 1))?;
            i += 2;
        } else {
            return Err(subcommand_syntax(args));
        }
    }
    if args.len() > 8 {
        return Err(subcommand_syntax(args));
    }
    let key = args.get(2);
    let exists = stream_mut(ctx, key)?.is_some();
    if !exists && !mkstream {
        xgroup_stream(ctx, args, false)?;
    }
    let id_arg = args.get(4);
    let id = if id_arg == b"$" {
        stream_mut(ctx, key)?.map_or(StreamId::ZERO, |s| s.last_id)
    } else {
        parse_strict_id(id_arg)?
    };
    let db = ctx.db();
    if !exists {
        create_stream(ctx, key);
        ctx.modified(db, key);
    }
    let Some(s) = stream_mut(ctx, key)? else { return Ok(()) };
    let name = args.get(3);
    if s.groups.contains_key(name) {
        return Err(CommandError::stat("BUSYGROUP Consumer Group name already exists"));
    }
    s.groups.insert(name.to_vec(), Group::new(id, entries_read));
    ctx.reply().ok();
    ctx.notify(notify::STREAM, "xgroup-create", db, key);
    Ok(())
}

fn xgroup_setid(ctx: &mut Ctx, args: &Args) -> CmdResult {
    if args.len() != 5 && args.len() != 7 {
        return Err(subcommand_syntax(args));
    }
    let s = xgroup_stream(ctx, args, true)?;
    let id_arg = args.get(4);
    let id = if id_arg == b"$" { s.last_id } else { parse_id(id_arg, 0, false, None)? };
    let mut entries_read = INVALID_ENTRIES_READ;
    if args.len() == 7 {
        if !args.is(5, "entriesread") {
            return Err(subcommand_syntax(args));
        }
        entries_read = parse_entries_read(args.get(6))?;
    }
    if let Some(g) = s.groups.get_mut(args.get(3)) {
        g.last_id = id;
        g.entries_read = entries_read;
    }
    let (db, key) = (ctx.db(), args.get(2));
    ctx.reply().ok();
    ctx.notify(notify::STREAM, "xgroup-setid", db, key);
    Ok(())
}

fn xgroup_destroy(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let s = xgroup_stream(ctx, args, false)?;
    let removed = s.groups.remove(args.get(3)).is_some();
    ctx.reply().int(removed as i64);
    if removed {
        let (db, key) = (ctx.db(), args.get(2));
        // Its blocked readers get -NOGROUP when the key is served.
        ctx.st.blocking.signal(db, key);
        ctx.notify(notify::STREAM, "xgroup-destroy", db, key);
    }
    Ok(())
}

fn xgroup_createconsumer(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let now = ctx.now_ms;
    let s = xgroup_stream(ctx, args, true)?;
    let created = match s.groups.get_mut(args.get(3)) {
        Some(g) => g.consumer(args.get(4), now).1,
        None => false,
    };
    ctx.reply().int(created as i64);
    if created {
        let (db, key) = (ctx.db(), args.get(2));
        ctx.notify(notify::STREAM, "xgroup-createconsumer", db, key);
    }
    Ok(())
}

fn xgroup_delconsumer(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let s = xgroup_stream(ctx, args, true)?;
    let mut pending = None;
    if let Some(g) = s.groups.get_mut(args.get(3)) {
        if let Some(c) = g.consumers.remove(args.get(4)) {
            for id in &c.pel {
                g.pel.remove(id);
            }
            pending = Some(c.pel.len());
        }
    }
    ctx.reply().int(pending.unwrap_or(0) as i64);
    if pending.is_some() {
        let (db, key) = (ctx.db(), args.get(2));
        ctx.notify(notify::STREAM, "xgroup-delconsumer", db, key);
    }
    Ok(())
}

fn xgroup_help(ctx: &mut Ctx, _args: &Args) -> CmdResult {
    const HELP: &[&str] = &[
        "XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CREATE <key> <groupname> <id|$> [option]",
        "    Create a new consumer group. Options are:",
        "    * MKSTREAM",
        "      Create the empty stream if it does not exist.",
        "    * ENTRIESREAD entries_read",
        "      Set the group's entries_read counter (internal use).",
        "CREATECONSUMER <key> <groupname> <consumer>",
        "    Create a new consumer in the specified group.",
        "DELCONSUMER <key> <groupname> <consumer>",
        "    Remove the specified consumer.",
        "DESTROY <key> <groupname>",
        "    Remove the specified group.",
        "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
        "    Set the current group ID and entries_read counter.",
        "HELP",
        "    Prints this help.",
    ];
    let mut r = ctx.reply();
    r.array(HELP.len());
    for l in HELP {
        r.simple(l.as_bytes());
    }
    Ok(())
}

/// Deliver entries after `start` to `consumer` of `group` (the `>` case of XREADGROUP):
/// advances the group, records NACKs unless `noack`. Returns the entries written.
/// Who reads, for the delivery bookkeeping of XREADGROUP.
struct Reader<'a> {
    group: &'a [u8],
    consumer: &'a [u8],
    now: i64,
}

fn serve_new(
    r: &mut Reply,
    s: &mut Stream,
    who: &Reader,
    start: StreamId,
    count: usize,
    noack: bool,
) -> usize {
    let (gname, consumer, now) = (who.group, who.consumer, who.now);
    let ids: Vec<StreamId> = {
        let list = s.entries.range(start, StreamId::MAX, false, count);
        super::stream::write_entries(r, &list);
        list.iter().map(|e| e.id).collect()
    };
    let n = ids.len();
    for id in ids {
        // Advance the group's read position and counter as Redis does.
        let (last, read) = {
            let Some(g) = s.groups.get(gname) else { break };
            (g.last_id, g.entries_read)
        };
        if id > last {
            let read = if read != INVALID_ENTRIES_READ && !s.range_has_tombstones(Some(id), None) {
                read + 1
            } else if s.entries_added > 0 {
                s.estimate_distance(id)
            } else {
                read
            };
            if let Some(g) = s.groups.get_mut(gname) {
                g.entries_read = read;
                g.last_id = id;
            }
        }
        if !noack {
            if let Some(g) = s.groups.get_mut(gname) {
                let nack = g.assign(id, consumer, now);
                nack.delivery_time = now;
                nack.delivery_count = 1;
            }
        }
    }
    n
}

fn xreadgroup(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let ra = parse_read_args(args, true, crate::script::run::is_script_client(ctx.client))?;
    let Some((gname, cname)) = ra.group.clone() else { return Ok(()) };
    let mut ids = Vec::with_capacity(ra.nstreams);
    for k in 0..ra.nstreams {
        let key = args.get(ra.streams + k);
        let id_arg = args.get(ra.streams + ra.nstreams + k);
        let has_group = match stream_read(ctx, key)? {
            Some(s) => s.groups.contains_key(&gname),
            None => false,
        };
        if !has_group && blocking::ready_key(ctx).is_some() {
            return Err(CommandError::stat(
                "NOGROUP the consumer group this client was blocked on no longer exists",
            ));
        }
        if !has_group {
            return Err(CommandError::msg(format!(
                "NOGROUP No such key '{}' or consumer group '{}' in XREADGROUP with GROUP option",
                String::from_utf8_lossy(key),
                String::from_utf8_lossy(&gname)
            )));
        }
        if id_arg == b"$" {
            return Err(CommandError::stat(
                "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.",
            ));
        }
        ids.push(if id_arg == b">" { None } else { Some(parse_strict_id(id_arg)?) });
    }
    let (db, now) = (ctx.db(), ctx.now_ms);
    let who = Reader { group: &gname, consumer: &cname, now };
    let mut served = 0;
    let mut created_consumers = Vec::new();
    {
        let (st, mut r) = ctx.parts();
        let header = r.deferred(if r.resp3 { b'%' } else { b'*' });
        for (k, id) in ids.iter().enumerate() {
            let key = args.get(ra.streams + k);
            let Some(Entry { value: Value::Stream(s), .. }) = st.ks.read(db, key, now) else {
                continue;
            };
            let Some(g) = s.groups.get_mut(&gname) else { continue };
            let (c, created) = g.consumer(&cname, now);
            c.seen_time = now;
            if created {
                created_consumers.push(key.to_vec());
            }
            let history = *id;
            let serve_from = match history {
                Some(_) => None,
                None => {
                    let top = s.entries.last_id();
                    let last = g.last_id;
                    (s.length > 0 && top.is_some_and(|t| t > last)).then_some(last)
                }
            };
            if history.is_none() && serve_from.is_none() {
                continue;
            }
            served += 1;
            if !r.resp3 {
                r.array(2);
            }
            r.bulk(key);
            match history {
                Some(after) => {
                    // Like new entries, history starts after the given ID.
                    let from = after.next().unwrap_or(StreamId::MAX);
                    serve_history(&mut r, s, &who, from, ra.count)
                }
                None => {
                    let start = serve_from.and_then(|l| l.next()).unwrap_or(StreamId::MAX);
                    serve_new(&mut r, s, &who, start, ra.count, ra.noack);
                }
            }
        }
        if served > 0 {
            r.set_deferred(header, served);
        }
    }
    for key in created_consumers {
        ctx.notify(notify::STREAM, "xgroup-createconsumer", db, &key);
    }
    if served > 0 {
        ctx.st.dirty += 1;
        return Ok(());
    }
    // Only `>` waits for new entries; a history read always answers at once.
    let waits_for_new = ids.iter().all(|id| id.is_none());
    match ra.block_ms {
        Some(ms) if waits_for_new && blocking::may_block(ctx) => {
            let deadline = block_deadline(ctx, ms)?;
            let keys: Vec<&[u8]> = (0..ra.nstreams).map(|k| args.get(ra.streams + k)).collect();
            blocking::block(ctx, args, Kind::Stream, keys, deadline)
        }
        _ => {
            ctx.reply().null_array();
            Ok(())
        }
    }
}

/// A consumer's own pending entries from `from` on (XREADGROUP with an explicit ID): each
/// counts as delivered again; deleted entries show as `[id, nil]`.
fn serve_history(r: &mut Reply, s: &mut Stream, who: &Reader, from: StreamId, count: usize) {
    let (gname, cname, now) = (who.group, who.consumer, who.now);
    let Some(g) = s.groups.get_mut(gname) else {
        r.array(0);
        return;
    };
    let limit = if count == 0 { usize::MAX } else { count };
    let ids: Vec<StreamId> = g
        .consumers
        .get(cname)
        .map(|c| c.pel.range(from..).take(limit).copied().collect())
        .unwrap_or_default();
    r.array(ids.len());
    for id in &ids {
        if let Some(n) = g.pel.get_mut(id) {
            n.delivery_time = now;
            n.delivery_count += 1;
        }
        match s.entries.get(*id) {
            Some(e) => write_entry(r, &e),
            None => {
                r.array(2);
                write_id(r, *id);
                r.null_array();
            }
        }
    }
}

fn xack(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let key = args.get(1);
    let has_group = stream_read(ctx, key)?.is_some_and(|s| s.groups.contains_key(args.get(2)));
    if !has_group {
        ctx.reply().int(0);
        return Ok(());
    }
    let ids = args.rest(3).map(parse_strict_id).collect::<Result<Vec<_>, _>>()?;
    let mut acked = 0;
    if let Some(g) = stream_mut(ctx, key)?.and_then(|s| s.groups.get_mut(args.get(2))) {
        acked = ids.into_iter().filter(|&id| g.ack(id)).count();
    }
    if acked > 0 {
        ctx.st.dirty += 1;
    }
    ctx.reply().int(acked as i64);
    Ok(())
}

fn xpending(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let argc = args.len();
    let summary = argc == 3;
    if argc != 3 && !(6..=9).contains(&argc) {
        return Err(SYNTAX);
    }
    let (mut start, mut end, mut count, mut minidle) = (StreamId::ZERO, StreamId::MAX, 0i64, 0i64);
    let mut consumer: Option<&[u8]> = None;
    if argc >= 6 {
        let mut at = 3;
        if args.is(3, "idle") {
            minidle = num::parse_i64(args.get(4)).ok_or(NOT_INTEGER)?;
            if argc < 8 {
                return Err(SYNTAX);
            }
            at += 2;
        }
        count = num::parse_i64(args.get(at + 2)).ok_or(NOT_INTEGER)?.max(0);
        let (s, s_ex) = parse_interval_id(args.get(at), 0)?;
        start = if s_ex {
            s.next().ok_or(CommandError::stat("ERR invalid start ID for the interval"))?
        } else {
            s
        };
        let (e, e_ex) = parse_interval_id(args.get(at + 1), u64::MAX)?;
        end = if e_ex {
            e.prev().ok_or(CommandError::stat("ERR invalid end ID for the interval"))?
        } else {
            e
        };
        if at + 3 < argc {
            consumer = Some(args.get(at + 3));
        }
    }
    let (key, gname, now, db) = (args.get(1), args.get(2), ctx.now_ms, ctx.db());
    let (st, mut r) = ctx.parts();
    let s = match st.ks.read(db, key, now) {
        None => None,
        Some(Entry { value: Value::Stream(s), .. }) => Some(s),
        Some(_) => return Err(WRONGTYPE),
    };
    let Some(g) = s.and_then(|s| s.groups.get(gname)) else {
        return Err(nogroup(key, gname));
    };
    if summary {
        r.array(4);
        r.int(g.pel.len() as i64);
        match (g.pel.keys().next(), g.pel.keys().next_back()) {
            (Some(&first), Some(&last)) => {
                write_id(&mut r, first);
                write_id(&mut r, last);
                let with: Vec<_> = g.consumers.iter().filter(|(_, c)| !c.pel.is_empty()).collect();
                r.array(with.len());
                for (name, c) in with {
                    r.array(2);
                    r.bulk(name);
                    r.bulk(c.pel.len().to_string().as_bytes());
                }
            }
            _ => {
                r.null();
                r.null();
                r.null_array();
            }
        }
        return Ok(());
    }
    let ids: Vec<StreamId> = match consumer {
        Some(name) => match g.consumers.get(name) {
            Some(c) => c.pel.range(start..).copied().collect(),
            None => {
                r.array(0);
                return Ok(());
            }
        },
        None => g.pel.range(start..).map(|(id, _)| *id).collect(),
    };
    let header = r.deferred(b'*');
    let mut n = 0;
    for id in ids {
        if count == 0 || id > end {
            break;
        }
        let Some(nack) = g.pel.get(&id) else { continue };
        let idle = now - nack.delivery_time;
        if minidle > 0 && idle < minidle {
            continue;
        }
        count -= 1;
        n += 1;
        r.array(4);
        write_id(&mut r, id);
        r.bulk(&nack.consumer);
        r.int(idle.max(0));
        r.int(nack.delivery_count as i64);
    }
    r.set_deferred(header, n);
    Ok(())
}

/// Redis's claim step shared by XCLAIM and XAUTOCLAIM: move a NACK to `consumer`.
fn claim_one(
    g: &mut Group,
    id: StreamId,
    consumer: &[u8],
    time: i64,
    retry: Option<u64>,
    justid: bool,
    now: i64,
) {
    let nack = g.assign(id, consumer, now);
    nack.delivery_time = time;
    match retry {
        Some(n) => nack.delivery_count = n,
        None if !justid => nack.delivery_count += 1,
        None => {}
    }
}

fn claim_reply(r: &mut Reply, s: &Stream, id: StreamId, justid: bool) {
    if justid {
        write_id(r, id);
    } else {
        match s.entries.get(id) {
            Some(e) => write_entry(r, &e),
            None => r.null(),
        }
    }
}

fn xclaim(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (key, gname, cname) = (args.get(1), args.get(2), args.get(3));
    let has_group = stream_read(ctx, key)?.is_some_and(|s| s.groups.contains_key(gname));
    if !has_group {
        return Err(nogroup(key, gname));
    }
    let minidle = num::parse_i64(args.get(4))
        .ok_or(CommandError::stat("ERR Invalid min-idle-time argument for XCLAIM"))?
        .max(0);
    let mut j = 5;
    let mut ids = Vec::new();
    while j < args.len() {
        match parse_strict_id(args.get(j)) {
            Ok(id) => ids.push(id),
            Err(_) => break,
        }
        j += 1;
    }
    let now = ctx.now_ms;
    let (mut force, mut justid) = (false, false);
    let mut retry: Option<i64> = None;
    let mut delivery: Option<i64> = None;
    let mut last_id = StreamId::ZERO;
    while j < args.len() {
        let more = args.len() - 1 - j;
        let int_opt = |j: usize, what: &str| {
            num::parse_i64(args.get(j)).ok_or_else(|| {
                CommandError::msg(format!("ERR Invalid {what} option argument for XCLAIM"))
            })
        };
        if args.is(j, "force") {
            force = true;
        } else if args.is(j, "justid") {
            justid = true;
        } else if args.is(j, "idle") && more > 0 {
            j += 1;
            delivery = Some(now - int_opt(j, "IDLE")?);
        } else if args.is(j, "time") && more > 0 {
            j += 1;
            delivery = Some(int_opt(j, "TIME")?);
        } else if args.is(j, "retrycount") && more > 0 {
            j += 1;
            retry = Some(int_opt(j, "RETRYCOUNT")?);
        } else if args.is(j, "lastid") && more > 0 {
            j += 1;
            last_id = parse_strict_id(args.get(j))?;
        } else {
            return Err(CommandError::msg(format!(
                "ERR Unrecognized XCLAIM option '{}'",
                String::from_utf8_lossy(args.get(j))
            )));
        }
        j += 1;
    }
    // A bogus delivery time (negative or in the future) becomes now, as in Redis.
    let time = match delivery {
        Some(t) if t >= 0 && t <= now => t,
        _ => now,
    };
    let db = ctx.db();
    let mut created = false;
    {
        let (st, mut r) = ctx.parts();
        let Some(Entry { value: Value::Stream(s), .. }) = st.ks.get(db, key, now) else {
            return Ok(());
        };
        let Some(g) = s.groups.get_mut(gname) else { return Ok(()) };
        if last_id > g.last_id {
            g.last_id = last_id;
        }
        let header = r.deferred(b'*');
        let mut n = 0;
        for id in ids {
            let exists = s.entries.get(id).is_some();
            let Some(g) = s.groups.get_mut(gname) else { break };
            if !exists {
                // The entry is gone: its NACK goes too.
                g.ack(id);
                continue;
            }
            let had = g.pel.get(&id).map(|nk| nk.delivery_time);
            if had.is_none() && !force {
                continue;
            }
            if let Some(t) = had {
                if minidle > 0 && now - t < minidle {
                    continue;
                }
            }
            if !g.consumers.contains_key(cname) {
                created = true;
            }
            if had.is_none() {
                // FORCE creates the NACK as Redis's streamCreateNACK does (one delivery).
                let nack = g.assign(id, cname, now);
                nack.delivery_count = 1;
            }
            claim_one(g, id, cname, time, retry.map(|v| v as u64), justid, now);
            if let Some(c) = g.consumers.get_mut(cname) {
                c.seen_time = now;
            }
            claim_reply(&mut r, s, id, justid);
            n += 1;
        }
        r.set_deferred(header, n);
    }
    if created {
        ctx.notify(notify::STREAM, "xgroup-createconsumer", db, key);
    }
    ctx.st.dirty += 1;
    Ok(())
}

fn xautoclaim(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (key, gname, cname) = (args.get(1), args.get(2), args.get(3));
    let minidle = num::parse_i64(args.get(4))
        .ok_or(CommandError::stat("ERR Invalid min-idle-time argument for XAUTOCLAIM"))?
        .max(0);
    let (s, s_ex) = parse_interval_id(args.get(5), 0)?;
    let start = if s_ex {
        s.next().ok_or(CommandError::stat("ERR invalid start ID for the interval"))?
    } else {
        s
    };
    let mut count: i64 = 100;
    let mut justid = false;
    let mut j = 6;
    while j < args.len() {
        let more = args.len() - 1 - j;
        if args.is(j, "count") && more > 0 {
            let max = i64::MAX / 16;
            count = num::parse_i64(args.get(j + 1))
                .filter(|&c| (1..=max).contains(&c))
                .ok_or(CommandError::stat("ERR COUNT must be > 0"))?;
            j += 1;
        } else if args.is(j, "justid") {
            justid = true;
        } else {
            return Err(SYNTAX);
        }
        j += 1;
    }
    let has_group = stream_read(ctx, key)?.is_some_and(|s| s.groups.contains_key(gname));
    if !has_group {
        return Err(nogroup(key, gname));
    }
    let (db, now) = (ctx.db(), ctx.now_ms);
    let mut created = false;
    {
        let (st, mut r) = ctx.parts();
        let Some(Entry { value: Value::Stream(s), .. }) = st.ks.get(db, key, now) else {
            return Ok(());
        };
        let pending: Vec<StreamId> = match s.groups.get(gname) {
            Some(g) => g.pel.range(start..).map(|(id, _)| *id).collect(),
            None => return Ok(()),
        };
        let mut attempts = count * 10;
        let mut left = count;
        let mut pos = 0;
        let mut claimed = Vec::new();
        let mut deleted = Vec::new();
        // Redis's loop: `attempts-- && count && raxNext(&ri)`.
        while attempts > 0 && left > 0 && pos < pending.len() {
            attempts -= 1;
            let id = pending[pos];
            pos += 1;
            let exists = s.entries.get(id).is_some();
            let Some(g) = s.groups.get_mut(gname) else { break };
            if !exists {
                g.ack(id);
                deleted.push(id);
                left -= 1;
                continue;
            }
            let Some(t) = g.pel.get(&id).map(|nk| nk.delivery_time) else { continue };
            if minidle > 0 && now - t < minidle {
                continue;
            }
            if !g.consumers.contains_key(cname) {
                created = true;
            }
            claim_one(g, id, cname, now, None, justid, now);
            if let Some(c) = g.consumers.get_mut(cname) {
                c.seen_time = now;
            }
            claimed.push(id);
            left -= 1;
        }
        // Redis steps its iterator once more after the loop: the cursor is the next ID.
        let cursor = pending.get(pos).copied().unwrap_or(StreamId::ZERO);
        r.array(3);
        write_id(&mut r, cursor);
        r.array(claimed.len());
        for id in claimed {
            claim_reply(&mut r, s, id, justid);
        }
        r.array(deleted.len());
        for id in deleted {
            write_id(&mut r, id);
        }
    }
    if created {
        ctx.notify(notify::STREAM, "xgroup-createconsumer", db, key);
    }
    ctx.st.dirty += 1;
    Ok(())
}
