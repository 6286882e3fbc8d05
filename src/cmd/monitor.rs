//! Command family: MONITOR, and the feed of executed commands to monitoring clients
//! (Redis's replicationFeedMonitors).

use super::args::Args;
use super::table::{flags, CommandDef};
use super::Ctx;
use crate::connection::Client;
use crate::error::{CmdResult, CommandError};
use crate::state::State;

pub const COMMANDS: &[CommandDef] = &[CommandDef {
    name: "monitor",
    handler: monitor,
    arity: 1,
    flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE,
    acl: &["@admin", "@slow", "@dangerous"],
    group: "server",
    since: "1.0.0",
    summary: "Listen for all requests received by the server in real time",
    complexity: "",
    ..CommandDef::DEFAULT
}];

fn monitor(ctx: &mut Ctx, _args: &Args) -> CmdResult {
    if ctx.client.in_exec {
        // A client inside EXEC expects one reply per command.
        return Err(CommandError::stat("ERR MONITOR isn't allowed for DENY BLOCKING client"));
    }
    if ctx.client.monitor {
        return Ok(());
    }
    ctx.client.monitor = true;
    ctx.st.monitors.push(ctx.client.token);
    ctx.reply().ok();
    Ok(())
}

/// Stop monitoring (RESET).
pub fn stop(st: &mut State, c: &mut Client) {
    if c.monitor {
        c.monitor = false;
        st.monitors.retain(|&t| t != c.token);
    }
}

/// Send `args`, just executed by `client`, to every monitor.
pub fn feed(st: &mut State, client: &mut Client, name: &str, args: &Args, now_ms: i64) {
    // Redis marks commands run by scripts with `lua` in place of the client's address.
    let origin = if crate::script::run::is_script_client(client) {
        "lua".to_string()
    } else if let Some(path) = client.addr.unix_path() {
        format!("unix:{path}")
    } else {
        client.addr.to_string()
    };
    let line = format_line(client.db, &origin, name, args);
    let monitors = st.monitors.clone();
    for t in monitors {
        // The feed is a reply, not a push: CLIENT REPLY OFF silences it.
        let off = crate::pubsub::client_at(&mut st.clients, Some(&mut *client), t)
            .is_some_and(|m| m.reply_mode == crate::connection::ReplyMode::Off);
        if !off {
            crate::pubsub::deliver(st, Some(&mut *client), t, now_ms, |r| r.raw(&line));
        }
    }
}

/// `+<sec>.<usec> [<db> <addr>] "arg" ...`, with AUTH and HELLO's credentials redacted.
pub fn format_line(db: usize, addr: &str, name: &str, args: &Args) -> Vec<u8> {
    let now =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let mut line =
        format!("+{}.{:06} [{} {}]", now.as_secs(), now.subsec_micros(), db, addr).into_bytes();
    let redacted = redacted_args(name, args);
    for (i, a) in args.iter().enumerate() {
        line.push(b' ');
        if redacted.contains(&i) {
            line.extend_from_slice(b"\"(redacted)\"");
        } else {
            repr(&mut line, a);
        }
    }
    line.extend_from_slice(b"\r\n");
    line
}

/// Argument positions Redis replaces with "(redacted)" in the feed: the same as in the
/// slowlog, since Redis redacts the client's argv itself (redactClientCommandArgument).
fn redacted_args(name: &str, args: &Args) -> Vec<usize> {
    super::server::redacted_positions(name, args)
}

/// Redis's sdscatrepr: a double-quoted string with C escapes and `\xHH` for the rest.
pub fn repr(out: &mut Vec<u8>, s: &[u8]) {
    out.push(b'"');
    for &c in s {
        match c {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'"' => out.extend_from_slice(b"\\\""),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            7 => out.extend_from_slice(b"\\a"),
            8 => out.extend_from_slice(b"\\b"),
            0x20..=0x7e => out.push(c),
            _ => out.extend_from_slice(format!("\\x{c:02x}").as_bytes()),
        }
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repr_matches_sdscatrepr() {
        let mut v = Vec::new();
        repr(&mut v, b"a\"b\\\n\r\t\x07\x08\x01\xff ~");
        assert_eq!(v, b"\"a\\\"b\\\\\\n\\r\\t\\a\\b\\x01\\xff ~\"");
    }

    #[test]
    fn hello_auth_is_redacted() {
        let argv: Vec<Vec<u8>> = ["hello", "3", "setname", "x", "auth", "u", "p"]
            .iter()
            .map(|s| s.as_bytes().to_vec())
            .collect();
        assert_eq!(redacted_args("hello", &Args::Owned(&argv)), vec![5, 6]);
        let argv: Vec<Vec<u8>> = ["auth", "p"].iter().map(|s| s.as_bytes().to_vec()).collect();
        assert_eq!(redacted_args("auth", &Args::Owned(&argv)), vec![1]);
    }
}
