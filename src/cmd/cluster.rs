//! Command family: CLUSTER (every subcommand), READONLY, READWRITE, ASKING. ferrodis runs
//! standalone, and Redis 7.0 with `cluster-enabled no` answers each of them (CLUSTER HELP and
//! KEYSLOT included) with one error, after the usual subcommand and arity checks.

use super::args::Args;
use super::table::{flags, CommandDef};
use super::Ctx;
use crate::error::{CmdResult, CommandError};

const DISABLED: CommandError = CommandError::stat("ERR This instance has cluster support disabled");

fn disabled(ctx: &mut Ctx, _args: &Args) -> CmdResult {
    if ctx.st.cfg.cluster_enabled {
        // `cluster-enabled yes` is accepted by the configuration, but no cluster runs.
        return Err(CommandError::stat("ERR cluster mode is not supported by this server"));
    }
    Err(DISABLED)
}

const ADMIN: u32 = flags::ADMIN | flags::STALE | flags::NO_ASYNC_LOADING;

const fn sub(name: &'static str, arity: i32, f: u32) -> CommandDef {
    CommandDef {
        name,
        handler: disabled,
        arity,
        flags: f,
        acl: if f & flags::ADMIN != 0 { &["@admin", "@slow", "@dangerous"] } else { &["@slow"] },
        group: "cluster",
        since: "3.0.0",
        ..CommandDef::DEFAULT
    }
}

const fn conn(name: &'static str, f: u32, summary: &'static str) -> CommandDef {
    CommandDef {
        name,
        summary,
        handler: disabled,
        arity: 1,
        flags: f | flags::FAST,
        acl: &["@fast", "@connection"],
        group: "cluster",
        since: "3.0.0",
        ..CommandDef::DEFAULT
    }
}

pub const COMMANDS: &[CommandDef] = &[
    CommandDef {
        name: "cluster",
        arity: -2,
        acl: &["@slow"],
        group: "cluster",
        since: "3.0.0",
        summary: "A container for cluster commands",
        complexity: "Depends on subcommand.",
        subcommands: &[
            sub("addslots", -3, ADMIN),
            sub("addslotsrange", -4, ADMIN),
            sub("bumpepoch", 2, ADMIN),
            sub("count-failure-reports", 3, flags::ADMIN | flags::STALE),
            sub("countkeysinslot", 3, flags::STALE),
            sub("delslots", -3, ADMIN),
            sub("delslotsrange", -4, ADMIN),
            sub("failover", -2, ADMIN),
            sub("flushslots", 2, ADMIN),
            sub("forget", 3, ADMIN),
            sub("getkeysinslot", 4, flags::STALE),
            sub("help", 2, flags::LOADING | flags::STALE),
            sub("info", 2, flags::STALE),
            sub("keyslot", 3, flags::STALE),
            sub("links", 2, flags::STALE),
            sub("meet", -4, ADMIN),
            sub("myid", 2, flags::STALE),
            sub("nodes", 2, flags::STALE),
            sub("replicas", 3, flags::ADMIN | flags::STALE),
            sub("replicate", 3, ADMIN),
            sub("reset", -2, flags::ADMIN | flags::NOSCRIPT | flags::STALE),
            sub("saveconfig", 2, ADMIN),
            sub("set-config-epoch", 3, ADMIN),
            sub("setslot", -4, ADMIN),
            sub("shards", 2, flags::STALE),
            sub("slaves", 3, flags::ADMIN | flags::STALE),
            sub("slots", 2, flags::STALE),
        ],
        ..CommandDef::DEFAULT
    },
    conn(
        "readonly",
        flags::LOADING | flags::STALE,
        "Enables read queries for a connection to a cluster replica node",
    ),
    conn(
        "readwrite",
        flags::LOADING | flags::STALE,
        "Disables read queries for a connection to a cluster replica node",
    ),
    conn("asking", 0, "Sent by cluster clients after an -ASK redirect"),
];
