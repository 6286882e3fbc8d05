//! Command family: hash (see the issue tracker for the full list).

use super::table::CommandDef;

pub const COMMANDS: &[CommandDef] = &[];
