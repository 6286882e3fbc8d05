//! Command family: connection — PING ECHO SELECT QUIT HELLO AUTH RESET (Redis 7.0's
//! connection group, without the CLIENT container, which lives in `client.rs`).

use super::args::Args;
use super::table::{flags, CommandDef};
use super::Ctx;
use crate::connection::{Client, ReplyMode};
use crate::error::{CmdResult, CommandError, DB_INDEX_OUT_OF_RANGE, NOT_INTEGER};
use crate::state::State;
use crate::util::num;

/// Flags shared by the commands that must work before authentication and while busy.
const PRE_AUTH: u32 = flags::NOSCRIPT
    | flags::LOADING
    | flags::STALE
    | flags::FAST
    | flags::NO_AUTH
    | flags::ALLOW_BUSY;

/// A connection-group row (CLIENT's subcommands use it too).
pub(super) const fn conn(
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
        acl: &["@connection"],
        group: "connection",
        since,
        summary,
        complexity: "O(1)",
        syntax,
        ..CommandDef::DEFAULT
    }
}

pub const COMMANDS: &[CommandDef] = &[
    conn("ping", ping, -1, flags::FAST, "1.0.0", "Ping the server", "[message]"),
    conn(
        "echo",
        echo,
        2,
        flags::LOADING | flags::STALE | flags::FAST,
        "1.0.0",
        "Echo the given string",
        "message",
    ),
    conn(
        "select",
        select,
        2,
        flags::LOADING | flags::STALE | flags::FAST,
        "1.0.0",
        "Change the selected database for the current connection",
        "index",
    ),
    conn("quit", quit, -1, PRE_AUTH, "1.0.0", "Close the connection", ""),
    conn(
        "hello",
        hello,
        -1,
        PRE_AUTH,
        "6.0.0",
        "Handshake with Redis",
        "[protover [AUTH username password] [SETNAME clientname]]",
    ),
    CommandDef {
        complexity: "O(N) where N is the number of passwords defined for the user",
        ..conn(
            "auth",
            auth,
            -2,
            PRE_AUTH,
            "1.0.0",
            "Authenticate to the server",
            "[username] password",
        )
    },
    conn("reset", reset, 1, PRE_AUTH, "6.2.0", "Reset the connection", ""),
];

pub const WRONGPASS: CommandError =
    CommandError::stat("WRONGPASS invalid username-password pair or user is disabled.");

fn ping(ctx: &mut Ctx, args: &Args) -> CmdResult {
    if args.len() > 2 {
        return Err(CommandError::msg(super::arity_text("ping")));
    }
    // RESP2 subscribed clients get a different shape.
    if ctx.client.in_pubsub_context() {
        let mut r = ctx.reply();
        r.array(2);
        r.bulk(b"pong");
        r.bulk(if args.len() == 2 { args.get(1) } else { b"" });
    } else if args.len() == 1 {
        ctx.reply().raw(b"+PONG\r\n");
    } else {
        ctx.reply().bulk(args.get(1));
    }
    Ok(())
}

fn echo(ctx: &mut Ctx, args: &Args) -> CmdResult {
    ctx.reply().bulk(args.get(1));
    Ok(())
}

fn select(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let id = db_index(args.get(1))?;
    if id < 0 || id as usize >= ctx.st.cfg.databases {
        return Err(DB_INDEX_OUT_OF_RANGE);
    }
    ctx.client.db = id as usize;
    ctx.reply().ok();
    Ok(())
}

/// Redis's getIntFromObjectOrReply: an i64 first, then the C int range.
pub fn db_index(b: &[u8]) -> Result<i64, CommandError> {
    let v = num::parse_i64(b).ok_or(NOT_INTEGER)?;
    if v < i32::MIN as i64 || v > i32::MAX as i64 {
        return Err(CommandError::stat(
            "ERR value is out of range, value must between -2147483648 and 2147483647",
        ));
    }
    Ok(v)
}

fn quit(ctx: &mut Ctx, _args: &Args) -> CmdResult {
    ctx.reply().ok();
    ctx.client.close_after_reply = true;
    Ok(())
}

/// Client names are printable ASCII without spaces (Redis's validateClientName).
pub fn validate_client_name(name: &[u8]) -> CmdResult {
    if name.iter().any(|&c| !(b'!'..=b'~').contains(&c)) {
        return Err(CommandError::stat(
            "ERR Client names cannot contain spaces, newlines or special characters.",
        ));
    }
    Ok(())
}

/// An empty name removes the name, as CLIENT SETNAME "" does.
pub fn set_client_name(client: &mut Client, name: &[u8]) {
    client.name = if name.is_empty() { None } else { Some(name.to_vec()) };
}

/// Check a username/password pair against the only user ferrodis has: `default`, whose
/// password is `requirepass` (no password configured: any password is accepted, like
/// Redis's `nopass` default user). On success the client becomes authenticated.
pub fn authenticate(st: &State, client: &mut Client, user: &[u8], pass: &[u8]) -> CmdResult {
    let ok = user == b"default"
        && match &st.cfg.requirepass {
            None => true,
            Some(p) => constant_time_eq(p, pass),
        };
    if !ok {
        return Err(WRONGPASS);
    }
    client.authenticated = true;
    Ok(())
}

/// Comparison whose time does not depend on where the first difference is (like Redis's
/// time_independent_strcmp), so the password cannot be guessed byte by byte.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut diff = (a.len() != b.len()) as u8;
    for i in 0..a.len().max(b.len()) {
        diff |= a.get(i).copied().unwrap_or(0) ^ b.get(i).copied().unwrap_or(0);
    }
    diff == 0
}

fn auth(ctx: &mut Ctx, args: &Args) -> CmdResult {
    if args.len() > 3 {
        return Err(crate::error::SYNTAX);
    }
    let (user, pass): (&[u8], &[u8]) = if args.len() == 2 {
        if ctx.st.cfg.requirepass.is_none() {
            return Err(CommandError::stat(
                "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?",
            ));
        }
        (b"default", args.get(1))
    } else {
        (args.get(1), args.get(2))
    };
    authenticate(ctx.st, ctx.client, user, pass)?;
    ctx.reply().ok();
    Ok(())
}

fn hello(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let mut ver = 0;
    let mut next = 1;
    if args.len() >= 2 {
        ver = num::parse_i64(args.get(1))
            .ok_or(CommandError::stat("ERR Protocol version is not an integer or out of range"))?;
        next = 2;
        if !(2..=3).contains(&ver) {
            return Err(CommandError::stat("NOPROTO unsupported protocol version"));
        }
    }
    let mut creds: Option<(&[u8], &[u8])> = None;
    let mut j = next;
    while j < args.len() {
        let more = args.len() - 1 - j;
        if args.is(j, "auth") && more >= 2 {
            creds = Some((args.get(j + 1), args.get(j + 2)));
            j += 3;
        } else if args.is(j, "setname") && more >= 1 {
            // Redis 7.0 names the client as soon as it parses the option, so a later
            // syntax or auth error leaves the name set.
            validate_client_name(args.get(j + 1))?;
            set_client_name(ctx.client, args.get(j + 1));
            j += 2;
        } else {
            let mut t = b"ERR Syntax error in HELLO option '".to_vec();
            t.extend_from_slice(args.get(j));
            t.push(b'\'');
            return Err(CommandError::msg(String::from_utf8_lossy(&t).into_owned()));
        }
    }
    if let Some((user, pass)) = creds {
        authenticate(ctx.st, ctx.client, user, pass)?;
    }
    if !ctx.client.authenticated && ctx.st.cfg.requirepass.is_some() {
        return Err(CommandError::stat(
            "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time",
        ));
    }
    if ver != 0 {
        ctx.client.resp3 = ver == 3;
    }
    let proto = if ctx.client.resp3 { 3 } else { 2 };
    let id = ctx.client.id as i64;
    let mut r = ctx.reply();
    r.map(7);
    r.bulk(b"server");
    r.bulk(b"redis");
    r.bulk(b"version");
    r.bulk(crate::REDIS_VERSION.as_bytes());
    r.bulk(b"proto");
    r.int(proto);
    r.bulk(b"id");
    r.int(id);
    r.bulk(b"mode");
    r.bulk(b"standalone");
    r.bulk(b"role");
    r.bulk(b"master");
    r.bulk(b"modules");
    r.array(0);
    Ok(())
}

fn reset(ctx: &mut Ctx, _args: &Args) -> CmdResult {
    reset_client(ctx.st, ctx.client);
    ctx.reply().raw(b"+RESET\r\n");
    Ok(())
}

/// Redis's clearClientConnectionState: what RESET undoes. Families that add per-client
/// state (MULTI, pub/sub, tracking, MONITOR) extend this function.
pub fn reset_client(st: &mut State, client: &mut Client) {
    super::monitor::stop(st, client);
    crate::tracking::disable(st, client);
    super::multi::discard_transaction(st, client);
    for kind in
        [crate::pubsub::Kind::Channel, crate::pubsub::Kind::Shard, crate::pubsub::Kind::Pattern]
    {
        super::pubsub::unsubscribe_all(st, client, kind, false);
    }
    client.db = 0;
    client.resp3 = false;
    client.name = None;
    client.authenticated = st.cfg.requirepass.is_none();
    client.reply_mode = ReplyMode::On;
    client.no_evict = false;
    client.no_touch = false;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_names_are_printable_ascii_without_spaces() {
        assert!(validate_client_name(b"worker-1:a~!").is_ok());
        assert!(validate_client_name(b"").is_ok());
        for bad in [&b"a b"[..], b"a\nb", b"\x7f", b"caf\xc3\xa9"] {
            assert!(validate_client_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn select_index_follows_get_int_rules() {
        assert_eq!(db_index(b"15").unwrap(), 15);
        assert_eq!(db_index(b"-1").unwrap(), -1);
        assert_eq!(db_index(b"x").unwrap_err(), NOT_INTEGER);
        assert!(db_index(b"2147483648").unwrap_err().text().contains("must between"));
    }

    #[test]
    fn password_comparison() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
        assert!(!constant_time_eq(b"", b"a"));
        assert!(constant_time_eq(b"", b""));
    }
}
