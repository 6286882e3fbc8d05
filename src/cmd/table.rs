//! The command table: one static row per command (and per subcommand), from which the
//! dispatcher derives lookup, arity errors, auth gating and COMMAND's replies.

use super::args::Args;
use super::Ctx;
use crate::error::{CmdResult, CommandError};

pub type Handler = fn(&mut Ctx, &Args) -> CmdResult;
pub type GetKeys = fn(&Args) -> Result<Vec<usize>, CommandError>;

/// Command flags, as COMMAND INFO names them.
pub mod flags {
    pub const WRITE: u32 = 1 << 0;
    pub const READONLY: u32 = 1 << 1;
    pub const DENYOOM: u32 = 1 << 2;
    pub const ADMIN: u32 = 1 << 3;
    pub const PUBSUB: u32 = 1 << 4;
    pub const NOSCRIPT: u32 = 1 << 5;
    pub const BLOCKING: u32 = 1 << 6;
    pub const LOADING: u32 = 1 << 7;
    pub const STALE: u32 = 1 << 8;
    pub const SKIP_MONITOR: u32 = 1 << 9;
    pub const SKIP_SLOWLOG: u32 = 1 << 10;
    pub const FAST: u32 = 1 << 11;
    pub const NO_AUTH: u32 = 1 << 12;
    pub const MAY_REPLICATE: u32 = 1 << 13;
    pub const NO_MANDATORY_KEYS: u32 = 1 << 14;
    pub const PROTECTED: u32 = 1 << 15;
    pub const NO_ASYNC_LOADING: u32 = 1 << 16;
    pub const NO_MULTI: u32 = 1 << 17;
    pub const MOVABLE_KEYS: u32 = 1 << 18;
    pub const ALLOW_BUSY: u32 = 1 << 19;
    pub const SENTINEL: u32 = 1 << 20;

    /// (flag, name) in the order Redis prints them. Redis 7.0's COMMAND does not print
    /// MAY_REPLICATE (PUBLISH, PFCOUNT, EVAL carry it for CLIENT PAUSE WRITE and read-only
    /// scripts).
    pub const NAMES: &[(u32, &str)] = &[
        (WRITE, "write"),
        (READONLY, "readonly"),
        (DENYOOM, "denyoom"),
        (ADMIN, "admin"),
        (PUBSUB, "pubsub"),
        (NOSCRIPT, "noscript"),
        (BLOCKING, "blocking"),
        (LOADING, "loading"),
        (STALE, "stale"),
        (SKIP_MONITOR, "skip_monitor"),
        (SKIP_SLOWLOG, "skip_slowlog"),
        (FAST, "fast"),
        (NO_AUTH, "no_auth"),
        (NO_MANDATORY_KEYS, "no_mandatory_keys"),
        (PROTECTED, "protected"),
        (NO_ASYNC_LOADING, "no_async_loading"),
        (NO_MULTI, "no_multi"),
        (MOVABLE_KEYS, "movablekeys"),
        (ALLOW_BUSY, "allow_busy"),
    ];
}

/// One row of the command table.
pub struct CommandDef {
    /// Lowercase name (for subcommands: the subcommand alone, e.g. "get" under "config").
    pub name: &'static str,
    pub handler: Handler,
    /// N: exactly N arguments including the name; -N: at least N.
    pub arity: i32,
    pub flags: u32,
    /// ACL categories beyond those implied by flags (e.g. "@string", "@keyspace").
    pub acl: &'static [&'static str],
    pub first_key: i32,
    pub last_key: i32,
    pub step: i32,
    /// Key positions for commands whose keys move (numkeys, STORE options...).
    pub getkeys: Option<GetKeys>,
    /// COMMAND DOCS: group ("string", "generic", "server", "connection"...).
    pub group: &'static str,
    pub since: &'static str,
    pub summary: &'static str,
    pub complexity: &'static str,
    /// The argument syntax as redis.io prints it after the command name, e.g.
    /// `key value [NX | XX] [GET]`. COMMAND DOCS builds its argument tree from it.
    pub syntax: &'static str,
    pub subcommands: &'static [CommandDef],
}

impl CommandDef {
    /// Default row; families override what differs with struct update syntax.
    pub const DEFAULT: CommandDef = CommandDef {
        name: "",
        handler: container_handler,
        arity: 0,
        flags: 0,
        acl: &[],
        first_key: 0,
        last_key: 0,
        step: 0,
        getkeys: None,
        group: "generic",
        since: "1.0.0",
        summary: "",
        complexity: "O(1)",
        syntax: "",
        subcommands: &[],
    };

    pub fn is_container(&self) -> bool {
        !self.subcommands.is_empty()
    }

    pub fn has(&self, f: u32) -> bool {
        self.flags & f != 0
    }

    /// Arity check as Redis's processCommand does it.
    #[inline]
    pub fn arity_ok(&self, argc: usize) -> bool {
        let a = self.arity;
        (a > 0 && argc as i32 == a) || (a < 0 && argc as i32 >= -a)
    }

    /// Key positions of a concrete call (COMMAND GETKEYS, and later ACL/cluster checks).
    pub fn keys(&self, args: &Args) -> Result<Vec<usize>, CommandError> {
        if let Some(f) = self.getkeys {
            return f(args);
        }
        let argc = args.len() as i32;
        if self.first_key <= 0 {
            return Ok(Vec::new());
        }
        let last = if self.last_key < 0 { argc + self.last_key } else { self.last_key };
        let step = self.step.max(1);
        let mut out = Vec::new();
        let mut i = self.first_key;
        while i <= last && i < argc {
            out.push(i as usize);
            i += step;
        }
        Ok(out)
    }
}

/// Containers (CONFIG, CLIENT, OBJECT...) dispatch to subcommands; their own handler is
/// never called by the dispatcher.
fn container_handler(_ctx: &mut Ctx, _args: &Args) -> CmdResult {
    Err(CommandError::stat("ERR unknown subcommand"))
}

/// Keys for commands of the form `CMD numkeys key [key ...]` with numkeys at argv[1]
/// (and `CMD dest numkeys key...` via `numkeys_at2`).
pub fn numkeys_at1(args: &Args) -> Result<Vec<usize>, CommandError> {
    numkeys_at(args, 1, &[])
}

pub fn numkeys_at(args: &Args, pos: usize, fixed: &[usize]) -> Result<Vec<usize>, CommandError> {
    let mut out = fixed.to_vec();
    if pos >= args.len() {
        return Ok(out);
    }
    let n = args.i64(pos)?;
    if n < 0 || (n as usize) > args.len() - pos - 1 {
        return Err(CommandError::stat("ERR Invalid arguments specified for command"));
    }
    out.extend(pos + 1..pos + 1 + n as usize);
    Ok(out)
}
