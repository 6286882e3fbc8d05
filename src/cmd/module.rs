//! Command family: MODULE HELP | LIST | LOAD | LOADEX | UNLOAD. ferrodis loads no modules, so
//! it answers as a Redis 7.0 whose every load fails and that has none loaded: LIST is empty,
//! LOAD and LOADEX fail the way a missing library does, UNLOAD finds no such module.
//! LOAD/LOADEX/UNLOAD are `protected`: the dispatcher refuses them unless
//! `enable-module-command` allows it, as Redis does.

use super::args::Args;
use super::client::reply_help;
use super::table::{flags, CommandDef};
use super::Ctx;
use crate::error::{CmdResult, CommandError};

const ADMIN: u32 = flags::ADMIN | flags::NOSCRIPT;
const LOADING: u32 = ADMIN | flags::NO_ASYNC_LOADING | flags::PROTECTED;

const fn sub(name: &'static str, handler: super::table::Handler, arity: i32, f: u32) -> CommandDef {
    CommandDef {
        name,
        handler,
        arity,
        flags: f,
        acl: &["@admin", "@slow", "@dangerous"],
        group: "server",
        since: "4.0.0",
        ..CommandDef::DEFAULT
    }
}

pub const COMMANDS: &[CommandDef] = &[CommandDef {
    name: "module",
    arity: -2,
    acl: &["@slow"],
    group: "server",
    since: "4.0.0",
    summary: "A container for module commands",
    complexity: "Depends on subcommand.",
    subcommands: &[
        CommandDef {
            flags: flags::LOADING | flags::STALE,
            acl: &["@slow"],
            ..sub("help", help, 2, 0)
        },
        sub("list", list, 2, ADMIN),
        sub("load", load, -3, LOADING),
        sub("loadex", load, -3, LOADING),
        sub("unload", unload, 3, LOADING),
    ],
    ..CommandDef::DEFAULT
}];

const HELP: &[&str] = &[
    "MODULE <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "LIST",
    "    Return a list of loaded modules.",
    "LOAD <path> [<arg> ...]",
    "    Load a module library from <path>, passing to it any optional arguments.",
    "LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]",
    "    Load a module library from <path>, while passing it module configurations and optional arguments.",
    "UNLOAD <name>",
    "    Unload a module.",
    "HELP",
    "    Prints this help.",
];

fn help(ctx: &mut Ctx, _args: &Args) -> CmdResult {
    reply_help(ctx, HELP);
    Ok(())
}

fn list(ctx: &mut Ctx, _args: &Args) -> CmdResult {
    ctx.reply().array(0);
    Ok(())
}

fn load(_ctx: &mut Ctx, args: &Args) -> CmdResult {
    log::warn!(
        "Module {} failed to load: ferrodis does not load modules",
        String::from_utf8_lossy(args.get(2))
    );
    Err(CommandError::stat("ERR Error loading the extension. Please check the server logs."))
}

fn unload(_ctx: &mut Ctx, _args: &Args) -> CmdResult {
    Err(CommandError::stat("ERR Error unloading module: no such module with that name"))
}
