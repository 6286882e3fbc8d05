//! Command family: client (see the issue tracker for the full list).

use super::table::CommandDef;

pub const COMMANDS: &[CommandDef] = &[CommandDef {
    name: "client",
    arity: -2,
    group: "connection",
    since: "2.4.0",
    summary: "A container for client connection commands",
    complexity: "Depends on subcommand.",
    subcommands: SUBCOMMANDS,
    ..CommandDef::DEFAULT
}];

const SUBCOMMANDS: &[CommandDef] = &[super::list::CLIENT_UNBLOCK];
