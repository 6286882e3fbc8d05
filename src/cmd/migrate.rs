//! MIGRATE: DUMP keys here, RESTORE them on another instance over a blocking connection,
//! then delete them here (unless COPY), as Redis 7.0's cluster.c migrateCommand.
//!
//! Like Redis, the exchange with the target is synchronous and bounded by the command's
//! timeout: the loop waits for it (the caller asked for that by choosing the timeout).
//! Connections are cached per "host:port" (`migrate_cached_sockets`), reused while busy,
//! and closed after 10 idle seconds by `close_timed_out`, or at the first socket error.

use std::collections::HashMap;
use std::io::{ErrorKind, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use super::args::Args;
use super::table::{flags, CommandDef};
use super::{notify, Ctx};
use crate::error::{CmdResult, CommandError, SYNTAX};
use crate::persist::dump;
use crate::state::State;

pub const COMMANDS: &[CommandDef] = &[CommandDef {
    name: "migrate",
    handler: migrate,
    arity: -6,
    flags: flags::WRITE | flags::MOVABLE_KEYS,
    acl: &["@keyspace", "@write", "@slow", "@dangerous"],
    first_key: 3,
    last_key: 3,
    step: 1,
    group: "generic",
    since: "2.6.0",
    summary: "Atomically transfer a key from a Redis instance to another one.",
    complexity: "This command actually executes a DUMP+DEL in the source instance, and a RESTORE in the target instance. See the pages of these commands for time complexity. Also an O(N) data transfer between the two instances is performed.",
    syntax: "host port key|\"\" destination-db timeout [COPY] [REPLACE] [AUTH password | AUTH2 username password] [KEYS key [key ...]]",
    ..CommandDef::DEFAULT
}];

/// MIGRATE_SOCKET_CACHE_ITEMS: at most this many cached connections.
const CACHE_ITEMS: usize = 64;
/// MIGRATE_SOCKET_CACHE_TTL: a connection idle for more than this many seconds is closed.
const CACHE_TTL_SECS: i64 = 10;
/// Requests go out in chunks of this size, each with the full timeout (as Redis).
const WRITE_CHUNK: usize = 64 * 1024;
/// syncReadLine's buffer: a reply line is cut after 1023 bytes.
const LINE_MAX: usize = 1023;

const CONNECTING: CommandError =
    CommandError::stat("IOERR error or timeout connecting to the client");
const WRITING: CommandError =
    CommandError::stat("IOERR error or timeout writing to target instance");
const READING: CommandError =
    CommandError::stat("IOERR error or timeout reading to target instance");

/// One connection to a target instance.
pub struct CachedSocket {
    /// None when the connect itself failed: Redis's blocking connect still hands back a
    /// connection in that case and the failure surfaces at the first write.
    stream: Option<TcpStream>,
    /// The db selected on the target, -1 when unknown.
    last_dbid: i64,
    last_use_s: i64,
    /// Bytes read past the last reply line.
    rbuf: Vec<u8>,
    /// The connect timed out (so the failure counts as a timeout: no retry).
    connect_timed_out: bool,
}

/// `server.migrate_cached_sockets`, keyed by the exact "host:port" argument bytes.
#[derive(Default)]
pub struct SocketCache {
    socks: HashMap<Vec<u8>, CachedSocket>,
}

impl SocketCache {
    pub fn len(&self) -> usize {
        self.socks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.socks.is_empty()
    }
}

/// migrateCloseTimedoutSockets (serverCron, once a second).
pub fn close_timed_out(st: &mut State, now_ms: i64) {
    if st.migrate.socks.is_empty() {
        return;
    }
    let now_s = now_ms / 1000;
    st.migrate.socks.retain(|_, cs| now_s - cs.last_use_s <= CACHE_TTL_SECS);
}

/// When the loop must wake up to close the next idle connection.
pub fn next_wakeup(st: &State) -> Option<i64> {
    st.migrate.socks.values().map(|cs| (cs.last_use_s + CACHE_TTL_SECS + 1) * 1000).min()
}

/// C's atoi: optional blanks and sign, then digits up to the first other byte.
fn atoi(s: &[u8]) -> i64 {
    let mut i = s.iter().take_while(|c| c.is_ascii_whitespace()).count();
    let neg = match s.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let mut n: i64 = 0;
    for &c in s[i..].iter().take_while(|c| c.is_ascii_digit()) {
        n = n.saturating_mul(10).saturating_add((c - b'0') as i64);
    }
    if neg {
        -n
    } else {
        n
    }
}

/// migrateGetSocket: the cached connection for host:port, or a new one. None when the
/// address cannot even be resolved (Redis's only connect failure reported as such).
fn get_socket<'a>(
    cache: &'a mut SocketCache,
    host: &[u8],
    port: &[u8],
    timeout_ms: i64,
    now_s: i64,
) -> Option<&'a mut CachedSocket> {
    let mut name = host.to_vec();
    name.push(b':');
    name.extend_from_slice(port);
    if cache.socks.contains_key(&name) {
        let cs = cache.socks.get_mut(&name)?;
        cs.last_use_s = now_s;
        return Some(cs);
    }
    let addrs: Vec<_> = {
        let host = std::str::from_utf8(host).ok()?;
        // atoi's int, formatted for getaddrinfo, which refuses a sign and keeps the low
        // 16 bits of a larger number.
        let port = atoi(port) as i32;
        if port < 0 {
            return None;
        }
        let port = port as u16;
        (host, port).to_socket_addrs().ok()?.collect()
    };
    if addrs.is_empty() {
        return None;
    }
    if cache.socks.len() >= CACHE_ITEMS {
        // Too many: drop one (the map's order is as arbitrary as Redis's random pick).
        let victim = cache.socks.keys().next().cloned();
        if let Some(v) = victim {
            cache.socks.remove(&v);
        }
    }
    let t = Duration::from_millis(timeout_ms as u64);
    let mut connect_timed_out = false;
    let mut stream = None;
    for a in &addrs {
        match TcpStream::connect_timeout(a, t) {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(e) => connect_timed_out = is_timeout(&e),
        }
    }
    if let Some(s) = &stream {
        let _ = s.set_nodelay(true);
        connect_timed_out = false;
    }
    let cs = CachedSocket {
        stream,
        last_dbid: -1,
        last_use_s: now_s,
        rbuf: Vec::new(),
        connect_timed_out,
    };
    Some(cache.socks.entry(name).or_insert(cs))
}

fn close_socket(cache: &mut SocketCache, host: &[u8], port: &[u8]) {
    let mut name = host.to_vec();
    name.push(b':');
    name.extend_from_slice(port);
    cache.socks.remove(&name);
}

fn is_timeout(e: &std::io::Error) -> bool {
    matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)
}

/// Why an exchange stopped early. `timed_out` is Redis's `errno == ETIMEDOUT`.
struct IoFail {
    timed_out: bool,
}

impl CachedSocket {
    fn write_all(&mut self, buf: &[u8], t: Duration) -> Result<(), IoFail> {
        let Some(s) = self.stream.as_mut() else {
            return Err(IoFail { timed_out: self.connect_timed_out });
        };
        for mut chunk in buf.chunks(WRITE_CHUNK) {
            // syncWrite: the timeout bounds each chunk as a whole, however it trickles out.
            let deadline = Instant::now().checked_add(t);
            while !chunk.is_empty() {
                let left = match deadline {
                    Some(d) => d.saturating_duration_since(Instant::now()),
                    None => t,
                };
                if left.is_zero() {
                    return Err(IoFail { timed_out: true });
                }
                s.set_write_timeout(Some(left)).map_err(|_| IoFail { timed_out: false })?;
                match s.write(chunk) {
                    Ok(0) => return Err(IoFail { timed_out: false }),
                    Ok(n) => chunk = &chunk[n..],
                    Err(e) if e.kind() == ErrorKind::Interrupted => {}
                    Err(e) => return Err(IoFail { timed_out: is_timeout(&e) }),
                }
            }
        }
        Ok(())
    }

    /// syncReadLine: one line without its CR LF (at most LINE_MAX bytes). An empty line
    /// counts as a failure, as Redis's `<= 0` test does.
    fn read_line(&mut self, t: Duration) -> Result<Vec<u8>, IoFail> {
        loop {
            let nl = self.rbuf.iter().take(LINE_MAX).position(|&c| c == b'\n');
            if nl.is_some() || self.rbuf.len() >= LINE_MAX {
                let (take, n) = match nl {
                    Some(p) => (p + 1, p),
                    None => (LINE_MAX, LINE_MAX),
                };
                let mut line: Vec<u8> = self.rbuf.drain(..take).take(n).collect();
                if n == 0 {
                    return Err(IoFail { timed_out: false });
                }
                if nl.is_some() && line.last() == Some(&b'\r') {
                    line.pop();
                }
                return Ok(line);
            }
            let Some(s) = self.stream.as_mut() else {
                return Err(IoFail { timed_out: self.connect_timed_out });
            };
            s.set_read_timeout(Some(t)).map_err(|_| IoFail { timed_out: false })?;
            let mut chunk = [0u8; 4096];
            match s.read(&mut chunk) {
                Ok(0) => return Err(IoFail { timed_out: false }),
                Ok(n) => self.rbuf.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(IoFail { timed_out: is_timeout(&e) }),
            }
        }
    }
}

fn bulk(out: &mut Vec<u8>, b: &[u8]) {
    out.extend_from_slice(format!("${}\r\n", b.len()).as_bytes());
    out.extend_from_slice(b);
    out.extend_from_slice(b"\r\n");
}

fn count(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(format!("*{n}\r\n").as_bytes());
}

/// A key to move: its name, the TTL to send (0 = none) and its DUMP payload.
struct Item<'a> {
    key: &'a [u8],
    ttl: i64,
    payload: Vec<u8>,
}

struct Request<'a> {
    auth: Option<(Option<&'a [u8]>, &'a [u8])>,
    dbid: i64,
    replace: bool,
    cluster: bool,
    items: &'a [Item<'a>],
}

impl Request<'_> {
    fn encode(&self, select: bool) -> Vec<u8> {
        let mut out = Vec::new();
        if let Some((user, pass)) = self.auth {
            count(&mut out, if user.is_some() { 3 } else { 2 });
            bulk(&mut out, b"AUTH");
            if let Some(u) = user {
                bulk(&mut out, u);
            }
            bulk(&mut out, pass);
        }
        if select {
            count(&mut out, 2);
            bulk(&mut out, b"SELECT");
            bulk(&mut out, self.dbid.to_string().as_bytes());
        }
        for it in self.items {
            count(&mut out, if self.replace { 5 } else { 4 });
            bulk(&mut out, if self.cluster { b"RESTORE-ASKING" } else { b"RESTORE" });
            bulk(&mut out, it.key);
            bulk(&mut out, it.ttl.to_string().as_bytes());
            bulk(&mut out, &it.payload);
            if self.replace {
                bulk(&mut out, b"REPLACE");
            }
        }
        out
    }
}

/// What one attempt got back from the target.
enum Exchange {
    /// The request could not be written, or the AUTH/SELECT reply not read.
    Early { write: bool, fail: IoFail },
    /// The RESTORE replies read (fewer than asked if `fail`), with the first error line
    /// among AUTH, SELECT and those replies as Redis picks it.
    Replies { ok: Vec<bool>, error: Option<Vec<u8>>, fail: Option<IoFail> },
}

fn exchange(cs: &mut CachedSocket, req: &Request, select: bool, t: Duration) -> Exchange {
    let buf = req.encode(select);
    if let Err(fail) = cs.write_all(&buf, t) {
        return Exchange::Early { write: true, fail };
    }
    let mut auth_reply = None;
    if req.auth.is_some() {
        match cs.read_line(t) {
            Ok(l) => auth_reply = Some(l),
            Err(fail) => return Exchange::Early { write: false, fail },
        }
    }
    let mut select_reply = None;
    if select {
        match cs.read_line(t) {
            Ok(l) => select_reply = Some(l),
            Err(fail) => return Exchange::Early { write: false, fail },
        }
    }
    let is_err = |l: &Option<Vec<u8>>| l.as_ref().is_some_and(|l| l.first() == Some(&b'-'));
    let prelude_error = if is_err(&auth_reply) {
        auth_reply
    } else if is_err(&select_reply) {
        select_reply
    } else {
        None
    };
    let (mut ok, mut error, mut fail) = (Vec::new(), None, None);
    for _ in req.items {
        let line = match cs.read_line(t) {
            Ok(l) => l,
            Err(f) => {
                fail = Some(f);
                break;
            }
        };
        let failed = prelude_error.is_some() || line.first() == Some(&b'-');
        if failed && error.is_none() {
            error = Some(prelude_error.clone().unwrap_or(line));
        }
        ok.push(!failed);
    }
    Exchange::Replies { ok, error, fail }
}

/// MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE] [AUTH password]
/// [AUTH2 username password] [KEYS key [key ...]]
fn migrate(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let (mut copy, mut replace) = (false, false);
    let mut auth: Option<(Option<&[u8]>, &[u8])> = None;
    let (mut first_key, mut num_keys) = (3, 1);
    let argc = args.len();
    let mut j = 6;
    while j < argc {
        let more = argc - 1 - j;
        if args.is(j, "copy") {
            copy = true;
        } else if args.is(j, "replace") {
            replace = true;
        } else if args.is(j, "auth") {
            if more == 0 {
                return Err(SYNTAX);
            }
            j += 1;
            auth = Some((auth.and_then(|a| a.0), args.get(j)));
        } else if args.is(j, "auth2") {
            if more < 2 {
                return Err(SYNTAX);
            }
            auth = Some((Some(args.get(j + 1)), args.get(j + 2)));
            j += 2;
        } else if args.is(j, "keys") {
            if !args.get(3).is_empty() {
                return Err(CommandError::stat(
                    "ERR When using MIGRATE KEYS option, the key argument must be set to the empty string",
                ));
            }
            first_key = j + 1;
            num_keys = argc - j - 1;
            break;
        } else {
            return Err(SYNTAX);
        }
        j += 1;
    }
    let mut timeout = args.i64(5)?;
    let dbid = args.i64(4)?;
    if timeout <= 0 {
        timeout = 1000;
    }

    let (db, now, compress) = (ctx.db(), ctx.now_ms, ctx.st.cfg.rdbcompression);
    let mut items = Vec::with_capacity(num_keys);
    for k in first_key..first_key + num_keys {
        let key = args.get(k);
        if let Some(e) = ctx.st.ks.read(db, key, now) {
            let ttl = if e.expire != 0 { (e.expire - now).max(1) } else { 0 };
            items.push(Item { key, ttl, payload: dump::dump(&e.value, compress) });
        }
    }
    if items.is_empty() {
        ctx.reply().simple(b"NOKEY");
        return Ok(());
    }

    let req = Request { auth, dbid, replace, cluster: ctx.st.cfg.cluster_enabled, items: &items };
    let (host, port) = (args.get(1), args.get(2));
    let t = Duration::from_millis(timeout as u64);
    let now_s = now / 1000;
    let mut may_retry = true;
    loop {
        let Some(cs) = get_socket(&mut ctx.st.migrate, host, port, timeout, now_s) else {
            return Err(CONNECTING);
        };
        let select = cs.last_dbid != dbid;
        let (ok, error, fail) = match exchange(cs, &req, select, t) {
            Exchange::Early { write, fail } => {
                close_socket(&mut ctx.st.migrate, host, port);
                if !fail.timed_out && may_retry {
                    may_retry = false;
                    continue;
                }
                return Err(if write { WRITING } else { READING });
            }
            Exchange::Replies { ok, error, fail } => (ok, error, fail),
        };
        if let Some(f) = &fail {
            // Retry only when nothing was processed: the first reply never came.
            if error.is_none() && ok.is_empty() && may_retry && !f.timed_out {
                close_socket(&mut ctx.st.migrate, host, port);
                may_retry = false;
                continue;
            }
            close_socket(&mut ctx.st.migrate, host, port);
        } else if let Some(cs) = ctx.st.migrate.socks.get_mut(&[host, b":", port].concat()) {
            cs.last_dbid = if error.is_some() { -1 } else { dbid };
        }
        if !copy {
            for (it, _) in items.iter().zip(&ok).filter(|(_, &ok)| ok) {
                if ctx.st.ks.delete(db, it.key) {
                    ctx.modified(db, it.key);
                    ctx.notify(notify::GENERIC, "del", db, it.key);
                }
            }
        }
        if let Some(e) = error {
            let text = String::from_utf8_lossy(&e[1..]);
            return Err(CommandError::msg(format!(
                "ERR Target instance replied with error: {text}"
            )));
        }
        if fail.is_some() {
            return Err(READING);
        }
        ctx.reply().ok();
        return Ok(());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atoi_as_c() {
        assert_eq!(atoi(b"6379"), 6379);
        assert_eq!(atoi(b" 12x"), 12);
        assert_eq!(atoi(b"-1"), -1);
        assert_eq!(atoi(b"abc"), 0);
        assert_eq!(atoi(b""), 0);
    }

    #[test]
    fn request_encoding() {
        let items = [Item { key: b"k", ttl: 5, payload: b"P".to_vec() }];
        let req = Request {
            auth: Some((Some(b"u"), b"p")),
            dbid: 3,
            replace: true,
            cluster: false,
            items: &items,
        };
        let got = req.encode(true);
        let want = "*3\r\n$4\r\nAUTH\r\n$1\r\nu\r\n$1\r\np\r\n*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n\
                    *5\r\n$7\r\nRESTORE\r\n$1\r\nk\r\n$1\r\n5\r\n$1\r\nP\r\n$7\r\nREPLACE\r\n";
        assert_eq!(String::from_utf8_lossy(&got), want);
        let req = Request { auth: None, replace: false, cluster: true, ..req };
        let got = req.encode(false);
        assert_eq!(
            String::from_utf8_lossy(&got),
            "*4\r\n$14\r\nRESTORE-ASKING\r\n$1\r\nk\r\n$1\r\n5\r\n$1\r\nP\r\n"
        );
    }
}
