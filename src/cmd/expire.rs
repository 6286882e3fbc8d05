//! Command family: key expiry — EXPIRE PEXPIRE EXPIREAT PEXPIREAT (with NX XX GT LT), TTL PTTL
//! EXPIRETIME PEXPIRETIME PERSIST (Redis's expire.c).

use super::args::Args;
use super::table::{flags, CommandDef};
use super::{notify, write_error_bytes, Ctx};
use crate::error::{CmdResult, CommandError};

const fn setter(
    name: &'static str,
    handler: super::table::Handler,
    since: &'static str,
    summary: &'static str,
    syntax: &'static str,
) -> CommandDef {
    CommandDef {
        name,
        handler,
        arity: -3,
        flags: flags::WRITE | flags::FAST,
        acl: &["@keyspace", "@write"],
        first_key: 1,
        last_key: 1,
        step: 1,
        since,
        summary,
        complexity: "O(1)",
        syntax,
        ..CommandDef::DEFAULT
    }
}

const fn getter(
    name: &'static str,
    handler: super::table::Handler,
    since: &'static str,
    summary: &'static str,
) -> CommandDef {
    CommandDef {
        name,
        handler,
        arity: 2,
        flags: flags::READONLY | flags::FAST,
        acl: &["@keyspace", "@read"],
        first_key: 1,
        last_key: 1,
        step: 1,
        since,
        summary,
        complexity: "O(1)",
        syntax: "key",
        ..CommandDef::DEFAULT
    }
}

pub const COMMANDS: &[CommandDef] = &[
    setter(
        "expire",
        expire,
        "1.0.0",
        "Set a key's time to live in seconds",
        "key seconds [NX | XX | GT | LT]",
    ),
    setter(
        "pexpire",
        pexpire,
        "2.6.0",
        "Set a key's time to live in milliseconds",
        "key milliseconds [NX | XX | GT | LT]",
    ),
    setter(
        "expireat",
        expireat,
        "1.2.0",
        "Set the expiration for a key as a UNIX timestamp",
        "key unix-time-seconds [NX | XX | GT | LT]",
    ),
    setter(
        "pexpireat",
        pexpireat,
        "2.6.0",
        "Set the expiration for a key as a UNIX timestamp specified in milliseconds",
        "key unix-time-milliseconds [NX | XX | GT | LT]",
    ),
    getter("ttl", ttl, "1.0.0", "Get the time to live for a key in seconds"),
    getter("pttl", pttl, "2.6.0", "Get the time to live for a key in milliseconds"),
    getter("expiretime", expiretime, "7.0.0", "Get the expiration Unix timestamp for a key"),
    getter(
        "pexpiretime",
        pexpiretime,
        "7.0.0",
        "Get the expiration Unix timestamp for a key in milliseconds",
    ),
    CommandDef {
        name: "persist",
        handler: persist,
        arity: 2,
        flags: flags::WRITE | flags::FAST,
        acl: &["@keyspace", "@write"],
        first_key: 1,
        last_key: 1,
        step: 1,
        since: "2.2.0",
        summary: "Remove the expiration from a key",
        complexity: "O(1)",
        syntax: "key",
        ..CommandDef::DEFAULT
    },
];

#[derive(Default, Clone, Copy)]
struct Cond {
    nx: bool,
    xx: bool,
    gt: bool,
    lt: bool,
}

/// Why the options were refused: a fixed text, or Redis's "Unsupported option %s", which
/// echoes the client's bytes up to a NUL (so it may not be UTF-8).
enum OptError {
    Text(CommandError),
    Unsupported(Vec<u8>),
}

/// parseExtendedExpireArgumentsOrReply: every argument after the time is an option.
fn parse_cond(args: &Args) -> Result<Cond, OptError> {
    let mut c = Cond::default();
    for (i, opt) in args.rest(3).enumerate() {
        let i = i + 3;
        if args.is(i, "nx") {
            c.nx = true;
        } else if args.is(i, "xx") {
            c.xx = true;
        } else if args.is(i, "gt") {
            c.gt = true;
        } else if args.is(i, "lt") {
            c.lt = true;
        } else {
            let end = opt.iter().position(|&b| b == 0).unwrap_or(opt.len());
            let mut text = b"ERR Unsupported option ".to_vec();
            text.extend_from_slice(&opt[..end]);
            return Err(OptError::Unsupported(text));
        }
    }
    if c.nx && (c.xx || c.gt || c.lt) {
        return Err(OptError::Text(CommandError::stat(
            "ERR NX and XX, GT or LT options at the same time are not compatible",
        )));
    }
    if c.gt && c.lt {
        return Err(OptError::Text(CommandError::stat(
            "ERR GT and LT options at the same time are not compatible",
        )));
    }
    Ok(c)
}

fn expire(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let now = ctx.now_ms;
    expire_generic(ctx, args, now, true, "expire")
}

fn pexpire(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let now = ctx.now_ms;
    expire_generic(ctx, args, now, false, "pexpire")
}

fn expireat(ctx: &mut Ctx, args: &Args) -> CmdResult {
    expire_generic(ctx, args, 0, true, "expireat")
}

fn pexpireat(ctx: &mut Ctx, args: &Args) -> CmdResult {
    expire_generic(ctx, args, 0, false, "pexpireat")
}

fn invalid_time(name: &str) -> CommandError {
    CommandError::msg(format!("ERR invalid expire time in '{name}' command"))
}

/// The deadline in unix ms, or Redis's overflow error (unit conversion, then base addition).
fn deadline(when: i64, basetime: i64, seconds: bool, name: &str) -> Result<i64, CommandError> {
    let when =
        if seconds { when.checked_mul(1000).ok_or_else(|| invalid_time(name))? } else { when };
    if when > i64::MAX - basetime {
        return Err(invalid_time(name));
    }
    Ok(when + basetime)
}

fn expire_generic(
    ctx: &mut Ctx,
    args: &Args,
    basetime: i64,
    seconds: bool,
    name: &str,
) -> CmdResult {
    let cond = match parse_cond(args) {
        Ok(c) => c,
        Err(OptError::Text(e)) => return Err(e),
        Err(OptError::Unsupported(text)) => {
            write_error_bytes(ctx.st, ctx.client, &text);
            return Ok(());
        }
    };
    let when = deadline(args.i64(2)?, basetime, seconds, name)?;
    let (db, now) = (ctx.db(), ctx.now_ms);
    let key = args.get(1);
    let Some(e) = ctx.st.ks.get(db, key, now) else {
        ctx.reply().int(0);
        return Ok(());
    };
    // 0 stored means no TTL, which GT treats as infinite and LT as beatable.
    let current = e.expire;
    let refused = (cond.nx && current != 0)
        || (cond.xx && current == 0)
        || (cond.gt && (current == 0 || when <= current))
        || (cond.lt && current != 0 && when >= current);
    if refused {
        ctx.reply().int(0);
        return Ok(());
    }
    if when <= now {
        // A deadline already past deletes the key, reported as a plain DEL.
        ctx.st.ks.delete_expired(db, key);
        ctx.modified(db, key);
        ctx.notify(notify::GENERIC, "del", db, key);
    } else {
        ctx.st.ks.set_expire(db, key, when);
        ctx.modified(db, key);
        ctx.notify(notify::GENERIC, "expire", db, key);
    }
    ctx.reply().int(1);
    Ok(())
}

fn ttl(ctx: &mut Ctx, args: &Args) -> CmdResult {
    ttl_generic(ctx, args, false, false)
}

fn pttl(ctx: &mut Ctx, args: &Args) -> CmdResult {
    ttl_generic(ctx, args, true, false)
}

fn expiretime(ctx: &mut Ctx, args: &Args) -> CmdResult {
    ttl_generic(ctx, args, false, true)
}

fn pexpiretime(ctx: &mut Ctx, args: &Args) -> CmdResult {
    ttl_generic(ctx, args, true, true)
}

fn ttl_generic(ctx: &mut Ctx, args: &Args, ms: bool, absolute: bool) -> CmdResult {
    let (db, now) = (ctx.db(), ctx.now_ms);
    let v = match ctx.st.ks.read(db, args.get(1), now) {
        None => -2,
        Some(e) if e.expire == 0 => -1,
        Some(e) => {
            let t = if absolute { e.expire } else { e.expire.saturating_sub(now) }.max(0);
            if ms {
                t
            } else {
                // Rounded to the nearest second; i128 keeps the far end of the range exact.
                ((i128::from(t) + 500) / 1000) as i64
            }
        }
    };
    ctx.reply().int(v);
    Ok(())
}

fn persist(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (db, now) = (ctx.db(), ctx.now_ms);
    let key = args.get(1);
    let had_ttl = ctx.st.ks.get(db, key, now).is_some_and(|e| e.expire != 0);
    if had_ttl {
        ctx.st.ks.set_expire(db, key, 0);
        ctx.modified(db, key);
        ctx.notify(notify::GENERIC, "persist", db, key);
    }
    ctx.reply().int(had_ttl as i64);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadline_overflow_matches_redis() {
        let now = 1_700_000_000_000;
        assert_eq!(deadline(10, now, true, "expire"), Ok(now + 10_000));
        assert!(deadline(i64::MAX / 1000, now, true, "expire").is_err());
        assert!(deadline(i64::MAX / 1000 - 1_000_000_000, now, true, "expire").is_err());
        assert_eq!(deadline(i64::MAX / 1000, 0, true, "expireat"), Ok(i64::MAX / 1000 * 1000));
        assert_eq!(
            deadline(i64::MIN / 1000, now, true, "expire"),
            Ok(i64::MIN / 1000 * 1000 + now)
        );
        assert!(deadline(i64::MIN / 1000 - 1, now, true, "expire").is_err());
        assert_eq!(deadline(i64::MAX, 0, false, "pexpireat"), Ok(i64::MAX));
        assert_eq!(deadline(i64::MIN, now, false, "pexpire"), Ok(i64::MIN + now));
        assert_eq!(
            deadline(i64::MAX, now, false, "pexpire").unwrap_err().text(),
            "ERR invalid expire time in 'pexpire' command"
        );
    }
}
