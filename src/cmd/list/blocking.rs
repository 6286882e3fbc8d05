//! BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP, and CLIENT UNBLOCK: Redis 7.0's
//! blockingPopGenericCommand and blmoveGenericCommand on `crate::blocking`.
//!
//! On a re-run after a write (see `crate::blocking`), the pops look only at the key that
//! woke the client, as Redis 7.0 serves a client from the key that became ready.

use super::super::args::Args;
use super::super::table::{flags, CommandDef};
use super::super::Ctx;
use super::{first_nonempty, move_generic, parse_mpop, parse_side, pop_range_with_key};
use crate::blocking::{block, may_block, parse_timeout, ready_key};
use crate::db::{Kind, Value};
use crate::error::{CmdResult, CommandError};

#[allow(clippy::too_many_arguments)]
const fn brow(
    name: &'static str,
    handler: super::super::table::Handler,
    arity: i32,
    fl: u32,
    last_key: i32,
    since: &'static str,
    summary: &'static str,
    complexity: &'static str,
    syntax: &'static str,
) -> CommandDef {
    CommandDef {
        name,
        handler,
        arity,
        flags: flags::WRITE | flags::NOSCRIPT | flags::BLOCKING | fl,
        acl: &["@write", "@list"],
        first_key: 1,
        last_key,
        step: 1,
        group: "list",
        since,
        summary,
        complexity,
        syntax,
        ..CommandDef::DEFAULT
    }
}

pub const BLPOP: CommandDef = brow(
    "blpop",
    blpop,
    -3,
    0,
    -2,
    "2.0.0",
    "Remove and get the first element in a list, or block until one is available",
    "O(N) where N is the number of provided keys.",
    "key [key ...] timeout",
);
pub const BRPOP: CommandDef = brow(
    "brpop",
    brpop,
    -3,
    0,
    -2,
    "2.0.0",
    "Remove and get the last element in a list, or block until one is available",
    "O(N) where N is the number of provided keys.",
    "key [key ...] timeout",
);
pub const BLMOVE: CommandDef = brow(
    "blmove",
    blmove,
    6,
    flags::DENYOOM,
    2,
    "6.2.0",
    "Pop an element from a list, push it to another list and return it; or block until one is available",
    "O(1)",
    "source destination LEFT | RIGHT LEFT | RIGHT timeout",
);
pub const BRPOPLPUSH: CommandDef = brow(
    "brpoplpush",
    brpoplpush,
    4,
    flags::DENYOOM,
    2,
    "2.2.0",
    "Pop an element from a list, push it to another list and return it; or block until one is available",
    "O(1)",
    "source destination timeout",
);
pub const BLMPOP: CommandDef = CommandDef {
    flags: flags::WRITE | flags::BLOCKING | flags::MOVABLE_KEYS,
    first_key: 0,
    last_key: 0,
    step: 0,
    getkeys: Some(blmpop_keys),
    ..brow(
        "blmpop",
        blmpop,
        -5,
        0,
        0,
        "7.0.0",
        "Pop elements from a list, or block until one is available",
        "O(N+M) where N is the number of provided keys and M is the number of elements returned.",
        "timeout numkeys key [key ...] LEFT | RIGHT [COUNT count]",
    )
};

fn blmpop_keys(args: &Args) -> Result<Vec<usize>, CommandError> {
    super::super::table::numkeys_at(args, 2, &[])
}

/// CLIENT UNBLOCK, a row of the CLIENT container (src/cmd/client.rs lists it).
pub const CLIENT_UNBLOCK: CommandDef = CommandDef {
    name: "unblock",
    handler: client_unblock,
    arity: -3,
    flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE,
    acl: &["@connection"],
    group: "connection",
    since: "5.0.0",
    summary: "Unblock a client blocked in a blocking command from a different connection",
    complexity: "O(log N) where N is the number of client connections",
    syntax: "client-id [TIMEOUT | ERROR]",
    ..CommandDef::DEFAULT
};

fn client_unblock(ctx: &mut Ctx, args: &Args) -> CmdResult {
    if args.len() > 4 {
        let mut t = String::from("ERR unknown subcommand or wrong number of arguments for '");
        t.push_str(&String::from_utf8_lossy(args.get(1)));
        t.push_str("'. Try CLIENT HELP.");
        return Err(CommandError::msg(t));
    }
    let mut error = false;
    if args.len() == 4 {
        if args.is(3, "timeout") {
            error = false;
        } else if args.is(3, "error") {
            error = true;
        } else {
            return Err(CommandError::stat("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"));
        }
    }
    let id = args.i64(2)?;
    let done = id >= 0 && crate::blocking::unblock_by_id(ctx.st, id as u64, error);
    ctx.reply().int(done as i64);
    Ok(())
}

/// The keys a re-run may pop from: only the one that woke the client, if any.
fn candidates<'a>(ctx: &Ctx, keys: impl Iterator<Item = &'a [u8]>) -> Vec<&'a [u8]> {
    match ready_key(ctx) {
        Some(rk) => keys.filter(|k| *k == rk).take(1).collect(),
        None => keys.collect(),
    }
}

fn bpop(ctx: &mut Ctx, args: &Args, left: bool) -> CmdResult {
    let deadline = parse_timeout(ctx, args.get(args.len() - 1))?;
    let keys = (1..args.len() - 1).map(|i| args.get(i));
    let keys = candidates(ctx, keys);
    if let Some(k) = first_nonempty(ctx, keys.into_iter())? {
        let (db, now) = (ctx.db(), ctx.now_ms);
        let (st, mut r) = ctx.parts();
        let Some(Value::List(l)) = st.ks.get(db, k, now).map(|e| &mut e.value) else {
            return Ok(());
        };
        r.array(2);
        r.bulk(k);
        let empty = super::pop_into(l, &mut r, left, 1);
        super::elements_removed(ctx, k, left, empty);
        return Ok(());
    }
    if !may_block(ctx) {
        ctx.reply().null_array();
        return Ok(());
    }
    block(ctx, args, Kind::List, (1..args.len() - 1).map(|i| args.get(i)), deadline)
}

fn blpop(ctx: &mut Ctx, args: &Args) -> CmdResult {
    bpop(ctx, args, true)
}

fn brpop(ctx: &mut Ctx, args: &Args) -> CmdResult {
    bpop(ctx, args, false)
}

fn bmove(ctx: &mut Ctx, args: &Args, from: bool, to: bool, timeout_idx: usize) -> CmdResult {
    let deadline = parse_timeout(ctx, args.get(timeout_idx))?;
    let (src, dst) = (args.get(1), args.get(2));
    if first_nonempty(ctx, std::iter::once(src))?.is_some() {
        return move_generic(ctx, src, dst, from, to);
    }
    if !may_block(ctx) {
        ctx.reply().null();
        return Ok(());
    }
    block(ctx, args, Kind::List, std::iter::once(src), deadline)
}

fn blmove(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let from = parse_side(args.get(3))?;
    let to = parse_side(args.get(4))?;
    bmove(ctx, args, from, to, 5)
}

fn brpoplpush(ctx: &mut Ctx, args: &Args) -> CmdResult {
    bmove(ctx, args, false, true, 3)
}

fn blmpop(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let m = parse_mpop(args, 2)?;
    let deadline = parse_timeout(ctx, args.get(1))?;
    let all = || (m.first_key..m.first_key + m.numkeys).map(|i| args.get(i));
    let keys = candidates(ctx, all());
    if let Some(k) = first_nonempty(ctx, keys.into_iter())? {
        pop_range_with_key(ctx, k, m.left, m.count);
        return Ok(());
    }
    if !may_block(ctx) {
        ctx.reply().null_array();
        return Ok(());
    }
    block(ctx, args, Kind::List, all(), deadline)
}
