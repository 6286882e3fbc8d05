//! Command family: pubsub — SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE PUBLISH SSUBSCRIBE
//! SUNSUBSCRIBE SPUBLISH PUBSUB (Redis's pubsub.c). State and delivery live in `crate::pubsub`.

use super::args::Args;
use super::table::{flags, CommandDef};
use super::Ctx;
use crate::error::{CmdResult, CommandError};
use crate::pubsub::{self as ps, Kind};
use crate::util::glob::string_match;

const SUB_FLAGS: u32 = flags::PUBSUB | flags::NOSCRIPT | flags::LOADING | flags::STALE;

const fn row(
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
        flags: SUB_FLAGS,
        acl: &["@pubsub", "@slow"],
        group: "pubsub",
        since,
        summary,
        complexity,
        syntax,
        ..CommandDef::DEFAULT
    }
}

const fn pubsub_sub(
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
        flags: flags::PUBSUB | flags::LOADING | flags::STALE,
        acl: &["@pubsub", "@slow"],
        group: "pubsub",
        since,
        summary,
        complexity,
        syntax,
        ..CommandDef::DEFAULT
    }
}

pub const COMMANDS: &[CommandDef] = &[
    row(
        "psubscribe",
        psubscribe,
        -2,
        "2.0.0",
        "Listen for messages published to channels matching the given patterns",
        "O(N) where N is the number of patterns the client is already subscribed to.",
        "pattern [pattern ...]",
    ),
    CommandDef {
        name: "publish",
        handler: publish,
        arity: 3,
        flags: flags::PUBSUB | flags::LOADING | flags::STALE | flags::FAST | flags::MAY_REPLICATE,
        acl: &["@pubsub", "@fast"],
        group: "pubsub",
        since: "2.0.0",
        summary: "Post a message to a channel",
        complexity: "O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).",
        syntax: "channel message",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        name: "pubsub",
        arity: -2,
        group: "pubsub",
        since: "2.8.0",
        summary: "A container for Pub/Sub commands",
        complexity: "Depends on subcommand.",
        subcommands: &[
            pubsub_sub(
                "channels",
                channels,
                -2,
                "2.8.0",
                "List active channels",
                "O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)",
                "[pattern]",
            ),
            CommandDef {
                name: "help",
                handler: help,
                arity: 2,
                flags: flags::LOADING | flags::STALE,
                acl: &["@slow"],
                group: "pubsub",
                since: "6.2.0",
                summary: "Show helpful text about the different subcommands",
                complexity: "O(1)",
                ..CommandDef::DEFAULT
            },
            pubsub_sub(
                "numpat",
                numpat,
                2,
                "2.8.0",
                "Get the count of unique patterns pattern subscriptions",
                "O(1)",
                "",
            ),
            pubsub_sub(
                "numsub",
                numsub,
                -2,
                "2.8.0",
                "Get the count of subscribers for channels",
                "O(N) for the NUMSUB subcommand, where N is the number of requested channels",
                "[channel [channel ...]]",
            ),
            pubsub_sub(
                "shardchannels",
                shardchannels,
                -2,
                "7.0.0",
                "List active shard channels",
                "O(N) where N is the number of active shard channels, and assuming constant time pattern matching (relatively short shard channels).",
                "[pattern]",
            ),
            pubsub_sub(
                "shardnumsub",
                shardnumsub,
                -2,
                "7.0.0",
                "Get the count of subscribers for shard channels",
                "O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels",
                "[shardchannel [shardchannel ...]]",
            ),
        ],
        ..CommandDef::DEFAULT
    },
    row(
        "punsubscribe",
        punsubscribe,
        -1,
        "2.0.0",
        "Stop listening for messages posted to channels matching the given patterns",
        "O(N+M) where N is the number of patterns the client is already subscribed and M is the number of total patterns subscribed in the system (by any client).",
        "[pattern [pattern ...]]",
    ),
    CommandDef {
        name: "spublish",
        handler: spublish,
        arity: 3,
        flags: flags::PUBSUB | flags::LOADING | flags::STALE | flags::FAST | flags::MAY_REPLICATE,
        acl: &["@pubsub", "@fast"],
        first_key: 1,
        last_key: 1,
        step: 1,
        group: "pubsub",
        since: "7.0.0",
        summary: "Post a message to a shard channel",
        complexity: "O(N) where N is the number of clients subscribed to the receiving shard channel.",
        syntax: "shardchannel message",
        ..CommandDef::DEFAULT
    },
    CommandDef {
        first_key: 1,
        last_key: -1,
        step: 1,
        ..row(
            "ssubscribe",
            ssubscribe,
            -2,
            "7.0.0",
            "Listen for messages published to the given shard channels",
            "O(N) where N is the number of shard channels to subscribe to.",
            "shardchannel [shardchannel ...]",
        )
    },
    row(
        "subscribe",
        subscribe,
        -2,
        "2.0.0",
        "Listen for messages published to the given channels",
        "O(N) where N is the number of channels to subscribe to.",
        "channel [channel ...]",
    ),
    CommandDef {
        first_key: 1,
        last_key: -1,
        step: 1,
        ..row(
            "sunsubscribe",
            sunsubscribe,
            -1,
            "7.0.0",
            "Stop listening for messages posted to the given shard channels",
            "O(N) where N is the number of clients already subscribed to a shard channel.",
            "[shardchannel [shardchannel ...]]",
        )
    },
    row(
        "unsubscribe",
        unsubscribe,
        -1,
        "2.0.0",
        "Stop listening for messages posted to the given channels",
        "O(N) where N is the number of clients already subscribed to a channel.",
        "[channel [channel ...]]",
    ),
];

/// The RESP2 subscribed-context refusal for a command, or None if it may run.
pub fn context_refusal(full_name: &str) -> Option<String> {
    match full_name {
        "ping" | "subscribe" | "ssubscribe" | "unsubscribe" | "sunsubscribe" | "psubscribe"
        | "punsubscribe" | "quit" | "reset" => None,
        _ => Some(format!(
            "ERR Can't execute '{full_name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"
        )),
    }
}

fn do_subscribe(ctx: &mut Ctx, args: &Args, kind: Kind) -> CmdResult {
    for name in args.rest(1) {
        ps::subscribe(&mut ctx.st.pubsub, ctx.client, kind, name);
        let n = ctx.client.count_for(kind);
        ps::write_confirm(ctx.client, kind.sub_name(), Some(name), n);
    }
    Ok(())
}

fn do_unsubscribe(ctx: &mut Ctx, args: &Args, kind: Kind) -> CmdResult {
    if args.len() == 1 {
        unsubscribe_all(ctx.st, ctx.client, kind, true);
        return Ok(());
    }
    for name in args.rest(1) {
        ps::unsubscribe(&mut ctx.st.pubsub, ctx.client, kind, name);
        let n = ctx.client.count_for(kind);
        ps::write_confirm(ctx.client, kind.unsub_name(), Some(name), n);
    }
    Ok(())
}

/// Leave every subscription of `kind`, confirming each (or once with a null name when there
/// were none) if `notify`.
pub fn unsubscribe_all(
    st: &mut crate::state::State,
    c: &mut crate::connection::Client,
    kind: Kind,
    notify: bool,
) {
    let names = ps::names_of(c, kind);
    for name in &names {
        ps::unsubscribe(&mut st.pubsub, c, kind, name);
        if notify {
            let n = c.count_for(kind);
            ps::write_confirm(c, kind.unsub_name(), Some(name), n);
        }
    }
    if names.is_empty() && notify {
        let n = c.count_for(kind);
        ps::write_confirm(c, kind.unsub_name(), None, n);
    }
}

fn subscribe(ctx: &mut Ctx, args: &Args) -> CmdResult {
    do_subscribe(ctx, args, Kind::Channel)
}

fn psubscribe(ctx: &mut Ctx, args: &Args) -> CmdResult {
    do_subscribe(ctx, args, Kind::Pattern)
}

fn ssubscribe(ctx: &mut Ctx, args: &Args) -> CmdResult {
    // Unlike SUBSCRIBE and PSUBSCRIBE, Redis 7.0 has no MULTI exception here.
    if ctx.client.in_exec {
        return Err(CommandError::stat("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client"));
    }
    do_subscribe(ctx, args, Kind::Shard)
}

fn unsubscribe(ctx: &mut Ctx, args: &Args) -> CmdResult {
    do_unsubscribe(ctx, args, Kind::Channel)
}

fn punsubscribe(ctx: &mut Ctx, args: &Args) -> CmdResult {
    do_unsubscribe(ctx, args, Kind::Pattern)
}

fn sunsubscribe(ctx: &mut Ctx, args: &Args) -> CmdResult {
    do_unsubscribe(ctx, args, Kind::Shard)
}

fn publish(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let n =
        ps::publish(ctx.st, Some(&mut *ctx.client), false, args.get(1), args.get(2), ctx.now_ms);
    ctx.reply().int(n as i64);
    Ok(())
}

fn spublish(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let n = ps::publish(ctx.st, Some(&mut *ctx.client), true, args.get(1), args.get(2), ctx.now_ms);
    ctx.reply().int(n as i64);
    Ok(())
}

fn list_channels(ctx: &mut Ctx, args: &Args, shard: bool) -> CmdResult {
    if args.len() > 3 {
        return Err(CommandError::msg(format!(
            "ERR unknown subcommand or wrong number of arguments for '{}'. Try PUBSUB HELP.",
            String::from_utf8_lossy(args.get(1))
        )));
    }
    let pat = (args.len() == 3).then(|| args.get(2));
    let (st, mut r) = ctx.parts();
    let table = if shard { &st.pubsub.shard_channels } else { &st.pubsub.channels };
    let names: Vec<&Vec<u8>> =
        table.keys().filter(|ch| pat.is_none_or(|p| string_match(p, ch, false))).collect();
    r.array(names.len());
    for n in names {
        r.bulk(n);
    }
    Ok(())
}

fn channels(ctx: &mut Ctx, args: &Args) -> CmdResult {
    list_channels(ctx, args, false)
}

fn shardchannels(ctx: &mut Ctx, args: &Args) -> CmdResult {
    list_channels(ctx, args, true)
}

fn count_subs(ctx: &mut Ctx, args: &Args, shard: bool) -> CmdResult {
    let (st, mut r) = ctx.parts();
    let table = if shard { &st.pubsub.shard_channels } else { &st.pubsub.channels };
    r.array((args.len() - 2) * 2);
    for ch in args.rest(2) {
        r.bulk(ch);
        r.int(table.get(ch).map_or(0, |l| l.len()) as i64);
    }
    Ok(())
}

fn numsub(ctx: &mut Ctx, args: &Args) -> CmdResult {
    count_subs(ctx, args, false)
}

fn shardnumsub(ctx: &mut Ctx, args: &Args) -> CmdResult {
    count_subs(ctx, args, true)
}

fn numpat(ctx: &mut Ctx, _args: &Args) -> CmdResult {
    let n = ctx.st.pubsub.patterns.len();
    ctx.reply().int(n as i64);
    Ok(())
}

const HELP: &[&str] = &[
    "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CHANNELS [<pattern>]",
    "    Return the currently active channels matching a <pattern> (default: '*').",
    "NUMPAT",
    "    Return number of subscriptions to patterns.",
    "NUMSUB [<channel> ...]",
    "    Return the number of subscribers for the specified channels, excluding",
    "    pattern subscriptions(default: no channels).",
    "SHARDCHANNELS [<pattern>]",
    "    Return the currently active shard level channels matching a <pattern> (default: '*').",
    "SHARDNUMSUB [<shardchannel> ...]",
    "    Return the number of subscribers for the specified shard level channel(s)",
    "HELP",
    "    Prints this help.",
];

fn help(ctx: &mut Ctx, _args: &Args) -> CmdResult {
    let mut r = ctx.reply();
    r.array(HELP.len());
    for line in HELP {
        r.simple(line.as_bytes());
    }
    Ok(())
}
