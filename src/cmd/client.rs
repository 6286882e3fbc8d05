//! Command family: CLIENT — ID SETNAME GETNAME LIST INFO KILL SETINFO REPLY NO-EVICT NO-TOUCH
//! PAUSE UNPAUSE HELP (Redis 7.0's networking.c clientCommand; SETINFO and NO-TOUCH as 7.2
//! has them, KILL MAXAGE as 7.4 has it). TRACKING, CACHING, GETREDIR, TRACKINGINFO and
//! UNBLOCK belong to the tracking and blocking families, which add their rows here.

use std::fmt::Write as _;

use super::args::Args;
use super::connection::{set_client_name, validate_client_name};
use super::table::{flags, CommandDef};
use super::Ctx;
use crate::connection::{Client, ReplyMode};
use crate::error::{CmdResult, CommandError, SYNTAX};
use crate::state::State;
use crate::util::num;

const BASE: u32 = flags::NOSCRIPT | flags::LOADING | flags::STALE;
const ADMIN: u32 = flags::ADMIN | BASE;

use super::connection::conn as sub;

const N_CLIENTS: &str = "O(N) where N is the number of client connections";

pub const COMMANDS: &[CommandDef] = &[CommandDef {
    name: "client",
    arity: -2,
    group: "connection",
    since: "2.4.0",
    summary: "A container for client connection commands",
    complexity: "Depends on subcommand.",
    subcommands: &[
        sub("id", id, 2, BASE, "5.0.0", "Returns the client ID for the current connection", ""),
        sub(
            "setname",
            setname,
            3,
            BASE,
            "2.6.9",
            "Set the current connection name",
            "connection-name",
        ),
        sub("getname", getname, 2, BASE, "2.6.9", "Get the current connection name", ""),
        CommandDef {
            complexity: N_CLIENTS,
            ..sub(
                "list",
                list,
                -2,
                ADMIN,
                "2.4.0",
                "Get the list of client connections",
                "[TYPE <NORMAL | MASTER | REPLICA | PUBSUB>] [ID client-id [client-id ...]]",
            )
        },
        sub(
            "info",
            info,
            2,
            BASE,
            "6.2.0",
            "Returns information about the current client connection.",
            "",
        ),
        CommandDef {
            complexity: N_CLIENTS,
            ..sub(
                "kill",
                kill,
                -3,
                ADMIN,
                "2.4.0",
                "Kill the connection of a client",
                "<ip:port | <[ID client-id] | [TYPE <NORMAL | MASTER | SLAVE | REPLICA | PUBSUB>] | [USER username] | [ADDR ip:port] | [LADDR ip:port] | [SKIPME <YES | NO>] | [MAXAGE maxage] ...>>",
            )
        },
        sub(
            "setinfo",
            setinfo,
            4,
            BASE,
            "7.2.0",
            "Set client or connection specific info",
            "<LIB-NAME libname | LIB-VER libver>",
        ),
        sub(
            "reply",
            reply,
            3,
            BASE,
            "3.2.0",
            "Instruct the server whether to reply to commands",
            "<ON | OFF | SKIP>",
        ),
        sub(
            "no-evict",
            no_evict,
            3,
            ADMIN,
            "7.0.0",
            "Set client eviction mode for the current connection",
            "<ON | OFF>",
        ),
        sub(
            "no-touch",
            no_touch,
            3,
            BASE,
            "7.2.0",
            "Controls whether commands sent by the client will alter the LRU/LFU of the keys they access.",
            "<ON | OFF>",
        ),
        sub(
            "pause",
            pause,
            -3,
            ADMIN,
            "2.9.50",
            "Stop processing commands from clients for some time",
            "timeout [WRITE | ALL]",
        ),
        CommandDef {
            complexity: "O(N) Where N is the number of paused clients",
            ..sub(
                "unpause",
                unpause,
                2,
                ADMIN,
                "6.2.0",
                "Resume processing of clients that were paused",
                "",
            )
        },
        super::list::CLIENT_UNBLOCK,
        sub(
            "tracking",
            super::tracking::tracking,
            -3,
            BASE,
            "6.0.0",
            "Enable or disable server assisted client side caching support",
            "<ON | OFF> [REDIRECT client-id] [PREFIX prefix [PREFIX prefix ...]] [BCAST] [OPTIN] [OPTOUT] [NOLOOP]",
        ),
        sub(
            "caching",
            super::tracking::caching,
            3,
            BASE,
            "6.0.0",
            "Instruct the server about tracking or not keys in the next request",
            "<YES | NO>",
        ),
        sub(
            "getredir",
            super::tracking::getredir,
            2,
            BASE,
            "6.0.0",
            "Get tracking notifications redirection client ID if any",
            "",
        ),
        sub(
            "trackinginfo",
            super::tracking::trackinginfo,
            2,
            BASE,
            "6.2.0",
            "Return information about server assisted client side caching for the current connection",
            "",
        ),
        sub(
            "help",
            help,
            2,
            flags::LOADING | flags::STALE,
            "5.0.0",
            "Show helpful text about the different subcommands",
            "",
        ),
    ],
    ..CommandDef::DEFAULT
}];

fn id(ctx: &mut Ctx, _args: &Args) -> CmdResult {
    let id = ctx.client.id as i64;
    ctx.reply().int(id);
    Ok(())
}

fn setname(ctx: &mut Ctx, args: &Args) -> CmdResult {
    validate_client_name(args.get(2))?;
    set_client_name(ctx.client, args.get(2));
    ctx.reply().ok();
    Ok(())
}

fn getname(ctx: &mut Ctx, _args: &Args) -> CmdResult {
    match ctx.client.name.as_deref() {
        Some(n) => {
            let n = n.to_vec();
            ctx.reply().bulk(&n)
        }
        None => ctx.reply().null(),
    }
    Ok(())
}

/// CLIENT SETINFO (Redis 7.2): the library name and version clients announce.
fn setinfo(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let attr = args.get(2);
    let val = args.get(3);
    let lib_name = if attr.eq_ignore_ascii_case(b"lib-name") {
        true
    } else if attr.eq_ignore_ascii_case(b"lib-ver") {
        false
    } else {
        return Err(CommandError::msg(format!(
            "ERR Unrecognized option '{}'",
            String::from_utf8_lossy(attr)
        )));
    };
    if val.iter().any(|&c| !(b'!'..=b'~').contains(&c)) {
        return Err(CommandError::msg(format!(
            "ERR {} cannot contain spaces, newlines or special characters.",
            String::from_utf8_lossy(attr)
        )));
    }
    let v = if val.is_empty() { None } else { Some(val.to_vec()) };
    if lib_name {
        ctx.client.lib_name = v;
    } else {
        ctx.client.lib_ver = v;
    }
    ctx.reply().ok();
    Ok(())
}

fn reply(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let c = &mut *ctx.client;
    if args.is(2, "on") {
        c.reply_mode = ReplyMode::On;
        ctx.reply().ok();
    } else if args.is(2, "off") {
        c.reply_mode = ReplyMode::Off;
    } else if args.is(2, "skip") {
        // OFF wins over SKIP; neither replies to itself.
        if c.reply_mode != ReplyMode::Off {
            c.reply_mode = ReplyMode::SkipNext;
        }
    } else {
        return Err(SYNTAX);
    }
    Ok(())
}

fn on_off(args: &Args) -> Result<bool, CommandError> {
    if args.is(2, "on") {
        Ok(true)
    } else if args.is(2, "off") {
        Ok(false)
    } else {
        Err(SYNTAX)
    }
}

fn no_evict(ctx: &mut Ctx, args: &Args) -> CmdResult {
    ctx.client.no_evict = on_off(args)?;
    ctx.reply().ok();
    Ok(())
}

fn no_touch(ctx: &mut Ctx, args: &Args) -> CmdResult {
    ctx.client.no_touch = on_off(args)?;
    ctx.reply().ok();
    Ok(())
}

// ---------------------------------------------------------------------------------------
// CLIENT PAUSE / UNPAUSE

/// A CLIENT PAUSE in effect: until `end_ms`, every command (`all`) or only the commands
/// that may write or replicate are held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientPause {
    pub end_ms: i64,
    pub all: bool,
}

/// Whether CLIENT PAUSE holds this command now (Redis 7.0's processCommand check). Under
/// WRITE, commands whose flags say they may write or replicate (SET, PUBLISH, PFCOUNT,
/// EVAL without a `no-writes` shebang...) are held, and EXEC when a queued command is
/// such a command; reads, admin commands and read-only transactions go on.
pub fn pause_holds(st: &State, client: &Client, id: usize, args: &Args, now_ms: i64) -> bool {
    match st.client_pause {
        Some(p) if now_ms < p.end_ms => p.all || may_replicate(st, client, id, args),
        _ => false,
    }
}

const WRITES: u32 = flags::WRITE | flags::MAY_REPLICATE;

/// Redis's is_may_replicate_command, EXEC included (the union of its queued commands'
/// flags, Redis's mstate.cmd_flags).
fn may_replicate(st: &State, client: &Client, id: usize, args: &Args) -> bool {
    has_flags(st, client, id, args, WRITES)
}

/// Redis's is_write_command for processCommand: the command's flags as getCommandFlags
/// sees them (scripts by their declared flags), and for EXEC the union of what it queued.
pub fn is_write_command(st: &State, client: &Client, id: usize, args: &Args) -> bool {
    has_flags(st, client, id, args, flags::WRITE)
}

fn has_flags(st: &State, client: &Client, id: usize, args: &Args, mask: u32) -> bool {
    if st.table.full_name(id) == "exec" {
        return client.tx.in_multi
            && client
                .tx
                .queue
                .iter()
                .any(|q| command_flags(st, q.id, &Args::Owned(&q.argv)) & mask != 0);
    }
    command_flags(st, id, args) & mask != 0
}

/// A command's flags as Redis's getCommandFlags sees them: a script that declares flags in
/// its shebang (or a function's flags) replaces EVAL/FCALL's `may_replicate` with `write`
/// unless it says `no-writes` (scriptFlagsToCmdFlags). Scripts without a shebang, or not
/// found, keep the command's own flags.
pub fn command_flags(st: &State, id: usize, args: &Args) -> u32 {
    use crate::script::sflags;
    let own = st.table.def(id).flags;
    let declared = match st.table.full_name(id) {
        "eval" | "eval_ro" => crate::script::eval_shebang(args.get(1)).ok().map(|(f, _)| f),
        "evalsha" | "evalsha_ro" => {
            let s = args.get(1);
            let mut sha = [0u8; 40];
            (s.len() == 40).then_some(()).and_then(|_| {
                for (d, c) in sha.iter_mut().zip(s) {
                    *d = c.to_ascii_lowercase();
                }
                st.scripting.scripts.get(&sha).map(|sc| sc.flags)
            })
        }
        "fcall" | "fcall_ro" => st.scripting.functions.find(args.get(1)).map(|f| f.flags),
        _ => None,
    };
    match declared {
        Some(f) if f & sflags::EVAL_COMPAT == 0 => {
            let base = own & !WRITES;
            if f & sflags::NO_WRITES == 0 {
                base | flags::WRITE
            } else {
                base
            }
        }
        _ => own,
    }
}

/// The pause is over (timeout or UNPAUSE): true if postponed clients must now be resumed.
pub fn pause_expired(st: &mut State, now_ms: i64) -> bool {
    if let Some(p) = st.client_pause {
        if now_ms < p.end_ms {
            return false;
        }
        st.client_pause = None;
    }
    st.ks.expire_paused = false;
    !st.postponed.is_empty()
}

fn pause(ctx: &mut Ctx, args: &Args) -> CmdResult {
    if args.len() > 4 {
        return Err(CommandError::msg(format!(
            "ERR unknown subcommand or wrong number of arguments for '{}'. Try CLIENT HELP.",
            String::from_utf8_lossy(args.get(1))
        )));
    }
    let mut all = true;
    if args.len() == 4 {
        if args.is(3, "write") {
            all = false;
        } else if !args.is(3, "all") {
            return Err(CommandError::stat("ERR CLIENT PAUSE mode must be WRITE or ALL"));
        }
    }
    let ms = num::parse_i64(args.get(2))
        .ok_or(CommandError::stat("ERR timeout is not an integer or out of range"))?;
    if ms < 0 {
        return Err(CommandError::stat("ERR timeout is negative"));
    }
    let end_ms = if ms > 0 {
        ms.checked_add(ctx.now_ms).ok_or(CommandError::stat("ERR timeout is out of range"))?
    } else {
        0
    };
    // A second pause while one is in effect keeps the stronger mode and the later end.
    let p = match ctx.st.client_pause {
        Some(old) if ctx.now_ms < old.end_ms => {
            ClientPause { end_ms: old.end_ms.max(end_ms), all: old.all || all }
        }
        _ => ClientPause { end_ms, all },
    };
    ctx.st.client_pause = Some(p);
    ctx.reply().ok();
    Ok(())
}

fn unpause(ctx: &mut Ctx, _args: &Args) -> CmdResult {
    ctx.st.client_pause = None;
    ctx.reply().ok();
    Ok(())
}

// ---------------------------------------------------------------------------------------
// CLIENT LIST / INFO

/// Redis's client types (getClientType), for LIST TYPE and KILL TYPE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientType {
    Normal,
    Replica,
    PubSub,
    Master,
}

fn client_type_by_name(name: &[u8]) -> Option<ClientType> {
    let n = name.to_ascii_lowercase();
    match n.as_slice() {
        b"normal" => Some(ClientType::Normal),
        b"slave" | b"replica" => Some(ClientType::Replica),
        b"pubsub" => Some(ClientType::PubSub),
        b"master" => Some(ClientType::Master),
        _ => None,
    }
}

/// The client's type. Replication and pub/sub, when they exist, decide it here.
pub fn client_type(c: &Client) -> ClientType {
    if pubsub_counts(c) != (0, 0, 0) {
        return ClientType::PubSub;
    }
    ClientType::Normal
}

/// (channels, patterns, shard channels) subscribed: `sub=`, `psub=`, `ssub=`. The pub/sub
/// family wires its client fields here.
pub fn pubsub_counts(c: &Client) -> (usize, usize, usize) {
    (c.channel_count(), c.pattern_count(), c.shard_count())
}

/// `multi=`: commands queued in MULTI, or -1 outside a transaction (the MULTI family).
pub fn multi_count(c: &Client) -> i64 {
    c.multi_count()
}

/// `multi-mem=`: memory of the queued MULTI commands.
pub fn multi_mem(c: &Client) -> usize {
    c.tx.queued_mem
}

/// `redir=`: the client tracking redirection id, -1 without tracking (the tracking family).
pub fn tracking_redirect(c: &Client) -> i64 {
    c.tracking_redirect()
}

/// `flags=` letters in Redis's order. Families owning a state set their letter here:
/// S/O replica or MONITOR, M master, P pub/sub, x MULTI, b blocked, t/R/B tracking,
/// d dirty CAS, u unblocked, U unix socket, r READONLY.
pub fn flags_of(c: &Client) -> String {
    let mut f = String::new();
    if c.monitor {
        f.push('O');
    }
    if client_type(c) == ClientType::PubSub {
        f.push('P');
    }
    if multi_count(c) >= 0 {
        f.push('x');
    }
    if c.postponed.is_some() || c.blocked.is_some() {
        f.push('b');
    }
    if let Some(t) = c.tracking.as_ref() {
        f.push('t');
        if t.broken_redirect {
            f.push('R');
        }
        if t.bcast {
            f.push('B');
        }
    }
    if c.tx.dirty {
        f.push('d');
    }
    if c.close_after_reply {
        f.push('c');
    }
    if c.close_asap {
        f.push('A');
    }
    if c.is_unix() {
        f.push('U');
    }
    if c.no_evict {
        f.push('e');
    }
    if c.no_touch {
        f.push('T');
    }
    if f.is_empty() {
        f.push('N');
    }
    f
}

/// The command the calling client is running: only the caller has its arguments
/// (CLIENT LIST's `argv-mem`).
struct Running<'a> {
    args: &'a Args<'a>,
}

const STATIC_BUF: usize = 16 * 1024;

/// Redis's catClientInfoString for a log line about a client that is not running a command.
pub fn info_string(st: &State, c: &Client, now_ms: i64) -> String {
    let mut out = Vec::new();
    info_line(&mut out, st, c, now_ms, None);
    String::from_utf8_lossy(&out).into_owned()
}

/// One CLIENT LIST line (Redis 7.0.15's catClientInfoString, plus 7.2's lib-name/lib-ver),
/// without the trailing newline.
fn info_line(out: &mut Vec<u8>, st: &State, c: &Client, now_ms: i64, running: Option<&Running>) {
    let (sub, psub, ssub) = pubsub_counts(c);
    let argv_mem: usize = match (running, &c.postponed) {
        (Some(r), _) => r.args.iter().map(|a| a.len()).sum(),
        (None, Some(v)) => v.iter().map(|a| a.len()).sum(),
        (None, None) => 0,
    };
    // The running client's read buffer is lent to the parser while it runs: count the
    // request bytes as Redis's qbuf does, and the default buffer as free room.
    let qbuf = c.rlen;
    let rbs = c.rbuf.len().max(if running.is_some() { STATIC_BUF } else { 0 });
    let qbuf_free = rbs.saturating_sub(qbuf);
    let pending = c.pending_output();
    let obl = pending.min(STATIC_BUF);
    let omem = pending - obl;
    let oll = usize::from(omem > 0);
    let tot_mem = std::mem::size_of::<Client>()
        + c.rbuf.capacity().max(rbs)
        + c.wbuf.capacity()
        + argv_mem
        + multi_mem(c);
    let events = if c.has_pending_output() && !c.writable { "rw" } else { "r" };
    let cmd = c.last_cmd_id.map(|id| st.table.full_name(id)).unwrap_or("NULL");
    let mut s = String::with_capacity(320);
    let _ = write!(s, "id={} addr={} laddr={} fd={} name=", c.id, c.addr, c.laddr, c.fd);
    out.extend_from_slice(s.as_bytes());
    out.extend_from_slice(c.name.as_deref().unwrap_or_default());
    s.clear();
    let _ = write!(
        s,
        " age={} idle={} flags={} db={} sub={sub} psub={psub} ssub={ssub} multi={} qbuf={qbuf} qbuf-free={qbuf_free} argv-mem={argv_mem} multi-mem={} rbs={} rbp={} obl={obl} oll={oll} omem={omem} tot-mem={tot_mem} events={events} cmd={cmd} user=default redir={} resp={} lib-name=",
        (now_ms - c.created_ms).max(0) / 1000,
        (now_ms - c.last_interaction_ms).max(0) / 1000,
        flags_of(c),
        c.db,
        multi_count(c),
        multi_mem(c),
        c.rbs,
        c.rbp,
        tracking_redirect(c),
        if c.resp3 { 3 } else { 2 },
    );
    out.extend_from_slice(s.as_bytes());
    out.extend_from_slice(c.lib_name.as_deref().unwrap_or_default());
    out.extend_from_slice(b" lib-ver=");
    out.extend_from_slice(c.lib_ver.as_deref().unwrap_or_default());
}

fn info(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let mut out = Vec::with_capacity(400);
    info_line(&mut out, ctx.st, ctx.client, ctx.now_ms, Some(&Running { args }));
    out.push(b'\n');
    ctx.reply().verbatim(&out);
    Ok(())
}

/// Every client, the caller included, in creation (id) order, as Redis lists them.
fn all_clients<'a>(st: &'a State, me: &'a Client) -> Vec<&'a Client> {
    let mut v: Vec<&Client> = st.other_clients().filter(|c| !killed(st, c)).collect();
    v.push(me);
    v.sort_unstable_by_key(|c| c.id);
    v
}

/// Killed by an earlier CLIENT KILL and about to be closed: Redis frees those at once.
fn killed(st: &State, c: &Client) -> bool {
    st.to_close.contains(&c.token)
}

fn list(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let mut out = Vec::new();
    let me_running = Running { args };
    let st = &*ctx.st;
    let me = &*ctx.client;
    let line = |out: &mut Vec<u8>, c: &Client| {
        let running = (c.id == me.id).then_some(&me_running);
        info_line(out, st, c, ctx.now_ms, running);
        out.push(b'\n');
    };
    if args.len() == 4 && args.is(2, "type") {
        let Some(t) = client_type_by_name(args.get(3)) else {
            return Err(CommandError::msg(format!(
                "ERR Unknown client type '{}'",
                String::from_utf8_lossy(args.get(3))
            )));
        };
        for c in all_clients(st, me) {
            if client_type(c) == t {
                line(&mut out, c);
            }
        }
    } else if args.len() > 3 && args.is(2, "id") {
        let mut ids = Vec::with_capacity(args.len() - 3);
        for a in args.rest(3) {
            ids.push(num::parse_i64(a).ok_or(CommandError::stat("ERR Invalid client ID"))?);
        }
        let clients = all_clients(st, me);
        for id in ids {
            if let Some(c) = clients.iter().find(|c| c.id as i64 == id) {
                line(&mut out, c);
            }
        }
    } else if args.len() != 2 {
        return Err(SYNTAX);
    } else {
        for c in all_clients(st, me) {
            line(&mut out, c);
        }
    }
    ctx.reply().verbatim(&out);
    Ok(())
}

// ---------------------------------------------------------------------------------------
// CLIENT KILL

#[derive(Default)]
struct KillFilter<'a> {
    addr: Option<&'a [u8]>,
    laddr: Option<&'a [u8]>,
    ctype: Option<ClientType>,
    id: Option<u64>,
    user: Option<&'a [u8]>,
    skipme: bool,
    max_age_s: Option<i64>,
}

impl KillFilter<'_> {
    fn matches(&self, c: &Client, is_me: bool, now_ms: i64) -> bool {
        if self.addr.is_some_and(|a| a != c.addr.to_string().as_bytes()) {
            return false;
        }
        if self.laddr.is_some_and(|a| a != c.laddr.to_string().as_bytes()) {
            return false;
        }
        if self.ctype.is_some_and(|t| t != client_type(c)) {
            return false;
        }
        if self.id.is_some_and(|id| id != c.id) {
            return false;
        }
        // Every client is the `default` user; USER with another name was refused earlier.
        if self.user.is_some_and(|u| u != b"default") {
            return false;
        }
        if let Some(max) = self.max_age_s {
            if (now_ms - c.created_ms) / 1000 < max {
                return false;
            }
        }
        !(is_me && self.skipme)
    }
}

fn kill(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let old_style = args.len() == 3;
    let mut f = KillFilter { skipme: true, ..Default::default() };
    if old_style {
        // CLIENT KILL ip:port can kill the caller itself.
        f.addr = Some(args.get(2));
        f.skipme = false;
    } else {
        let mut i = 2;
        while i < args.len() {
            let more = i + 1 < args.len();
            let v = if more { args.get(i + 1) } else { &[][..] };
            if more && args.is(i, "id") {
                let id = num::parse_i64(v)
                    .filter(|&n| n >= 1)
                    .ok_or(CommandError::stat("ERR client-id should be greater than 0"))?;
                f.id = Some(id as u64);
            } else if more && args.is(i, "type") {
                f.ctype = Some(client_type_by_name(v).ok_or_else(|| {
                    CommandError::msg(format!(
                        "ERR Unknown client type '{}'",
                        String::from_utf8_lossy(v)
                    ))
                })?);
            } else if more && args.is(i, "addr") {
                f.addr = Some(v);
            } else if more && args.is(i, "laddr") {
                f.laddr = Some(v);
            } else if more && args.is(i, "user") {
                if v != b"default" {
                    return Err(CommandError::msg(format!(
                        "ERR No such user '{}'",
                        String::from_utf8_lossy(v)
                    )));
                }
                f.user = Some(v);
            } else if more && args.is(i, "skipme") {
                if v.eq_ignore_ascii_case(b"yes") {
                    f.skipme = true;
                } else if v.eq_ignore_ascii_case(b"no") {
                    f.skipme = false;
                } else {
                    return Err(SYNTAX);
                }
            } else if more && args.is(i, "maxage") {
                let n = num::parse_i64(v)
                    .ok_or(CommandError::stat("ERR maxage is not an integer or out of range"))?;
                if n <= 0 {
                    return Err(CommandError::stat("ERR maxage should be greater than 0"));
                }
                f.max_age_s = Some(n);
            } else {
                return Err(SYNTAX);
            }
            i += 2;
        }
    }
    let now = ctx.now_ms;
    let mut victims = Vec::new();
    for (token, slot) in ctx.st.clients.iter() {
        if let Some(c) = slot.as_deref() {
            if !ctx.st.to_close.contains(&token) && f.matches(c, false, now) {
                victims.push(token);
            }
        }
    }
    let me = f.matches(ctx.client, true, now);
    let killed = victims.len() + usize::from(me);
    for t in victims {
        if let Some(Some(c)) = ctx.st.clients.get_mut(t) {
            c.close_asap = true;
        }
        ctx.st.to_close.push(t);
    }
    if old_style {
        if killed == 0 {
            return Err(CommandError::stat("ERR No such client"));
        }
        ctx.reply().ok();
    } else {
        ctx.reply().int(killed as i64);
    }
    if me {
        ctx.client.close_after_reply = true;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// CLIENT HELP

const HELP: &[&str] = &[
    "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CACHING (YES|NO)",
    "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
    "GETREDIR",
    "    Return the client ID we are redirecting to when tracking is enabled.",
    "GETNAME",
    "    Return the name of the current connection.",
    "ID",
    "    Return the ID of the current connection.",
    "INFO",
    "    Return information about the current client connection.",
    "KILL <ip:port>",
    "    Kill connection made from <ip:port>.",
    "KILL <option> <value> [<option> <value> [...]]",
    "    Kill connections. Options are:",
    "    * ADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made from the specified address",
    "    * LADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made to specified local address",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Kill connections by type.",
    "    * USER <username>",
    "      Kill connections authenticated by <username>.",
    "    * SKIPME (YES|NO)",
    "      Skip killing current connection (default: yes).",
    "    * MAXAGE <maxage>",
    "      Kill connections older than the specified age.",
    "LIST [options ...]",
    "    Return information about client connections. Options:",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Return clients of specified type.",
    "UNPAUSE",
    "    Stop the current client pause, resuming traffic.",
    "PAUSE <timeout> [WRITE|ALL]",
    "    Suspend all, or just write, clients for <timeout> milliseconds.",
    "REPLY (ON|OFF|SKIP)",
    "    Control the replies sent to the current connection.",
    "SETNAME <name>",
    "    Assign the name <name> to the current connection.",
    "SETINFO <option> <value>",
    "    Set client meta attr. Options are:",
    "    * LIB-NAME: the client lib name.",
    "    * LIB-VER: the client lib version.",
    "UNBLOCK <clientid> [TIMEOUT|ERROR]",
    "    Unblock the specified blocked client.",
    "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
    "         [OPTIN] [OPTOUT] [NOLOOP]",
    "    Control server assisted client side caching.",
    "TRACKINGINFO",
    "    Report tracking status for the current connection.",
    "NO-EVICT (ON|OFF)",
    "    Protect current client connection from eviction.",
    "NO-TOUCH (ON|OFF)",
    "    Will not touch LRU/LFU stats when this mode is on.",
    "HELP",
    "    Prints this help.",
];

/// Redis's addReplyHelp: an array of status lines.
pub fn reply_help(ctx: &mut Ctx, lines: &[&str]) {
    let mut r = ctx.reply();
    r.array(lines.len());
    for l in lines {
        r.simple(l.as_bytes());
    }
}

fn help(ctx: &mut Ctx, _args: &Args) -> CmdResult {
    reply_help(ctx, HELP);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn test_client() -> Client {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let s = std::net::TcpStream::connect(l.local_addr().unwrap()).unwrap();
        let addr = s.local_addr().unwrap();
        Client::new(1, 0, mio::net::TcpStream::from_std(s), addr, 0)
    }

    #[test]
    fn client_type_names() {
        assert_eq!(client_type_by_name(b"NORMAL"), Some(ClientType::Normal));
        assert_eq!(client_type_by_name(b"slave"), Some(ClientType::Replica));
        assert_eq!(client_type_by_name(b"Replica"), Some(ClientType::Replica));
        assert_eq!(client_type_by_name(b"pubsub"), Some(ClientType::PubSub));
        assert_eq!(client_type_by_name(b"master"), Some(ClientType::Master));
        assert_eq!(client_type_by_name(b"monitor"), None);
    }

    #[test]
    fn pause_holds_writes_or_everything_until_the_end() {
        let mut st = State::new(crate::config::Config::default(), 1_000);
        let c = test_client();
        let id = |st: &State, name: &[u8]| st.table.lookup(name).unwrap();
        let argv: Vec<Vec<u8>> = vec![b"x".to_vec(), b"k".to_vec(), b"1".to_vec()];
        let a = Args::Owned(&argv);
        let (expire, ping) = (id(&st, b"expire"), id(&st, b"ping"));
        assert!(!pause_holds(&st, &c, expire, &a, 1_000));
        st.client_pause = Some(ClientPause { end_ms: 2_000, all: false });
        assert!(pause_holds(&st, &c, expire, &a, 1_999));
        assert!(!pause_holds(&st, &c, ping, &a, 1_999));
        assert!(!pause_holds(&st, &c, expire, &a, 2_000));
        st.client_pause = Some(ClientPause { end_ms: 2_000, all: true });
        assert!(pause_holds(&st, &c, ping, &a, 1_500));
        // Expiry clears the pause; resuming is needed only with held clients.
        assert!(!pause_expired(&mut st, 1_999));
        assert!(st.client_pause.is_some());
        assert!(!pause_expired(&mut st, 2_000));
        assert!(st.client_pause.is_none());
        st.postponed.push(3);
        assert!(pause_expired(&mut st, 2_000));
    }

    #[test]
    fn help_ends_with_help() {
        assert_eq!(HELP[HELP.len() - 2], "HELP");
        assert!(HELP[0].starts_with("CLIENT <subcommand>"));
    }
}
