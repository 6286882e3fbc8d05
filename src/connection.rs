//! One client connection: socket, read and write buffers, parser state, per-client flags.

use std::fmt;
use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::os::unix::io::{AsRawFd, RawFd};
use std::sync::Arc;

use mio::net::{TcpStream, UnixStream};
use mio::{event::Source, Interest, Registry, Token};

use crate::resp::parse::RequestParser;

/// Bytes read per `read` call while no large bulk is pending (Redis's PROTO_IOBUF_LEN).
const READ_CHUNK: usize = 16 * 1024;
/// Bytes read from one connection per readiness event before others get a turn.
pub const READ_CAP_PER_EVENT: usize = 256 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyMode {
    On,
    Off,
    /// Skip the reply of the next command only.
    Skip,
    /// Set by CLIENT REPLY SKIP: becomes Skip after the SKIP command itself.
    SkipNext,
}

/// What a read pass ended with.
#[derive(Debug, PartialEq, Eq)]
pub enum ReadOutcome {
    /// The socket is drained (WouldBlock).
    Drained,
    /// The per-event cap was hit; data may remain.
    Capped,
    /// The peer closed, or a socket error: close quietly.
    Closed,
}

/// A client's socket: TCP, or the `unixsocket` listener's (Redis's CLIENT_UNIX_SOCKET).
/// Reads and writes cost one match over the TCP stream they wrap.
pub enum Socket {
    Tcp(TcpStream),
    Unix(UnixStream),
}

impl From<TcpStream> for Socket {
    fn from(s: TcpStream) -> Socket {
        Socket::Tcp(s)
    }
}

impl From<UnixStream> for Socket {
    fn from(s: UnixStream) -> Socket {
        Socket::Unix(s)
    }
}

impl Read for Socket {
    #[inline]
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Socket::Tcp(s) => s.read(buf),
            Socket::Unix(s) => s.read(buf),
        }
    }
}

impl Write for Socket {
    #[inline]
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Socket::Tcp(s) => s.write(buf),
            Socket::Unix(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl AsRawFd for Socket {
    fn as_raw_fd(&self) -> RawFd {
        match self {
            Socket::Tcp(s) => s.as_raw_fd(),
            Socket::Unix(s) => s.as_raw_fd(),
        }
    }
}

impl Source for Socket {
    fn register(&mut self, r: &Registry, t: Token, i: Interest) -> io::Result<()> {
        match self {
            Socket::Tcp(s) => s.register(r, t, i),
            Socket::Unix(s) => s.register(r, t, i),
        }
    }

    fn reregister(&mut self, r: &Registry, t: Token, i: Interest) -> io::Result<()> {
        match self {
            Socket::Tcp(s) => s.reregister(r, t, i),
            Socket::Unix(s) => s.reregister(r, t, i),
        }
    }

    fn deregister(&mut self, r: &Registry) -> io::Result<()> {
        match self {
            Socket::Tcp(s) => s.deregister(r),
            Socket::Unix(s) => s.deregister(r),
        }
    }
}

/// A client's peer or local address as Redis shows it (CLIENT LIST addr/laddr, SLOWLOG,
/// CLIENT KILL ADDR): `ip:port`, `[ipv6]:port`, or for a unix socket client the server's
/// socket path with port 0, on both ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeerAddr {
    Tcp(SocketAddr),
    Unix(Arc<str>),
}

impl PeerAddr {
    /// Redis's islocalClient: loopback TCP peers and every unix socket client.
    pub fn is_local(&self) -> bool {
        match self {
            PeerAddr::Tcp(a) => a.ip().is_loopback(),
            PeerAddr::Unix(_) => true,
        }
    }

    /// The socket path of a unix socket client.
    pub fn unix_path(&self) -> Option<&str> {
        match self {
            PeerAddr::Tcp(_) => None,
            PeerAddr::Unix(p) => Some(p),
        }
    }
}

impl From<SocketAddr> for PeerAddr {
    fn from(a: SocketAddr) -> PeerAddr {
        PeerAddr::Tcp(a)
    }
}

impl fmt::Display for PeerAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // SocketAddr already writes `ip:port` and `[ipv6]:port`, as anetFormatAddr does.
            PeerAddr::Tcp(a) => a.fmt(f),
            PeerAddr::Unix(p) => write!(f, "{p}:0"),
        }
    }
}

pub struct Client {
    pub id: u64,
    pub token: usize,
    pub sock: Socket,
    pub addr: PeerAddr,
    pub laddr: PeerAddr,
    pub fd: i32,

    /// Received bytes live in `rbuf[..rlen]`; the rest is zeroed spare room, so reads never
    /// memset.
    pub rbuf: Vec<u8>,
    pub rlen: usize,
    pub parser: RequestParser,
    pub wbuf: Vec<u8>,
    /// Bytes of `wbuf` already written.
    pub wpos: usize,
    /// The reply buffer this client keeps between replies and its peak use (CLIENT LIST
    /// rbs/rbp), resized once a peak window by `crate::replybuf` as Redis does.
    pub rbs: usize,
    pub rbp: usize,
    pub rbp_reset_ms: i64,
    /// `wbuf`'s capacity after the last write-out that fit in `rbs`: what a burst beyond
    /// `rbs` shrinks back to once written (Redis frees the reply list nodes it overflowed
    /// into, so a burst leaves no memory behind).
    pub wcap_steady: usize,
    /// Edge-triggered readiness we have not consumed yet.
    pub writable: bool,

    pub db: usize,
    pub resp3: bool,
    pub name: Option<Vec<u8>>,
    pub lib_name: Option<Vec<u8>>,
    pub lib_ver: Option<Vec<u8>>,
    pub authenticated: bool,
    pub close_after_reply: bool,
    /// Close at once without flushing (killed, buffer limits).
    pub close_asap: bool,
    pub reply_mode: ReplyMode,
    pub no_evict: bool,
    pub no_touch: bool,
    pub created_ms: i64,
    pub last_interaction_ms: i64,
    /// Full name of the last command run (`client|list`), for CLIENT LIST `cmd=`.
    pub last_cmd: &'static str,
    pub last_cmd_sub: &'static str,
    pub net_in: u64,
    pub net_out: u64,
    /// Queued in the pending-write list already.
    pub write_pending: bool,
    /// The poll reported the peer's write side closed: read on until EOF.
    pub peer_closed: bool,
    /// MULTI queue and WATCH state (`cmd::multi`).
    pub tx: crate::cmd::multi::TxState,
    /// Running EXEC's commands: blocking commands must not block, MONITOR is refused.
    pub in_exec: bool,
    /// Pub/Sub subscriptions (`pubsub`); None while subscribed to nothing.
    pub subs: Option<Box<crate::pubsub::ClientSubs>>,
    /// In MONITOR mode (listed in `State::monitors`).
    pub monitor: bool,
    /// CLIENT TRACKING options while tracking is on (`tracking`).
    pub tracking: Option<Box<crate::tracking::ClientTracking>>,
    /// When the output buffer went over its soft limit (ms); 0 while under it.
    pub obuf_soft_since: i64,
    /// Pushes to this client written during its own command while its replies are off;
    /// appended after the reply is suppressed (Redis's CLIENT_PUSHING).
    pub side_push: Vec<u8>,
    /// Table id of the command being run or last run (CLIENT LIST `cmd=`); None: `NULL`.
    pub last_cmd_id: Option<usize>,
    /// A command held by CLIENT PAUSE; input after it waits until the pause ends.
    pub postponed: Option<Vec<Vec<u8>>>,
    /// Parked by a blocking command (BLPOP...): input stays queued until it is served.
    pub blocked: Option<Box<crate::blocking::Blocked>>,
}

impl Client {
    pub fn new(
        id: u64,
        token: usize,
        sock: impl Into<Socket>,
        addr: impl Into<PeerAddr>,
        now_ms: i64,
    ) -> Client {
        let sock = sock.into();
        let addr = addr.into();
        let laddr = match &sock {
            Socket::Tcp(s) => s.local_addr().map(PeerAddr::Tcp).unwrap_or_else(|_| addr.clone()),
            // Redis names the listening path for both ends of a unix socket connection.
            Socket::Unix(_) => addr.clone(),
        };
        let fd = sock.as_raw_fd();
        Client {
            id,
            token,
            sock,
            addr,
            laddr,
            fd,
            rbuf: Vec::new(),
            rlen: 0,
            parser: RequestParser::new(),
            wbuf: Vec::new(),
            wpos: 0,
            rbs: crate::replybuf::CHUNK,
            rbp: crate::replybuf::CHUNK,
            rbp_reset_ms: now_ms,
            wcap_steady: 0,
            writable: true,
            db: 0,
            resp3: false,
            name: None,
            lib_name: None,
            lib_ver: None,
            authenticated: false,
            close_after_reply: false,
            close_asap: false,
            reply_mode: ReplyMode::On,
            no_evict: false,
            no_touch: false,
            created_ms: now_ms,
            last_interaction_ms: now_ms,
            last_cmd: "NULL",
            last_cmd_sub: "",
            net_in: 0,
            net_out: 0,
            write_pending: false,
            peer_closed: false,
            tx: Default::default(),
            in_exec: false,
            subs: None,
            monitor: false,
            tracking: None,
            obuf_soft_since: 0,
            side_push: Vec::new(),
            last_cmd_id: None,
            postponed: None,
            blocked: None,
        }
    }

    /// Read until WouldBlock, the per-event cap, or EOF. The buffer grows only as bytes
    /// arrive (at most doubling), never to a size a request merely declares.
    pub fn read_socket(&mut self) -> ReadOutcome {
        let mut total = 0;
        loop {
            if self.rlen == self.rbuf.len() {
                let want = self.parser.want().clamp(READ_CHUNK, 1 << 20);
                let grow = want.max(self.rbuf.len().min(1 << 20));
                self.rbuf.resize(self.rbuf.len() + grow, 0);
            }
            match self.sock.read(&mut self.rbuf[self.rlen..]) {
                Ok(0) => return ReadOutcome::Closed,
                Ok(n) => {
                    let room = self.rbuf.len() - self.rlen;
                    self.rlen += n;
                    self.net_in += n as u64;
                    total += n;
                    if total >= READ_CAP_PER_EVENT {
                        return ReadOutcome::Capped;
                    }
                    // A short read emptied the socket buffer; bytes arriving later raise a
                    // new edge. Skipping the confirming EAGAIN read saves a syscall per event.
                    if n < room && !self.peer_closed {
                        return ReadOutcome::Drained;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return ReadOutcome::Drained,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => return ReadOutcome::Closed,
            }
        }
    }

    /// Drop the bytes of completed requests, once per batch.
    pub fn compact_rbuf(&mut self) {
        let n = self.parser.consumed();
        if n == 0 {
            return;
        }
        if n < self.rlen {
            self.rbuf.copy_within(n..self.rlen, 0);
        }
        self.rlen -= n;
        self.parser.shift(n);
        // A big request is done: give its memory back rather than keep it per idle client.
        if self.rlen == 0 && self.rbuf.len() > 64 * 1024 {
            self.rbuf = Vec::new();
        }
    }

    pub fn has_pending_output(&self) -> bool {
        self.wpos < self.wbuf.len()
    }

    /// Bytes queued but not yet written (CLIENT LIST omem, output buffer limits).
    pub fn pending_output(&self) -> usize {
        self.wbuf.len() - self.wpos
    }

    /// Write as much pending output as the socket takes. Ok(true) when all is written.
    pub fn flush(&mut self) -> io::Result<bool> {
        let pending = self.wbuf.len() - self.wpos;
        if pending > self.rbp {
            self.rbp = pending.min(self.rbs);
        }
        while self.wpos < self.wbuf.len() {
            match self.sock.write(&self.wbuf[self.wpos..]) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => {
                    self.wpos += n;
                    self.net_out += n as u64;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.writable = false;
                    return Ok(false);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
        self.wpos = 0;
        self.wbuf.clear();
        // What went past the reply buffer's size is given back once written, as Redis frees
        // its reply list nodes: a burst (invalidations, a big reply) must not stay counted in
        // used_memory, where maxmemory would evict keys for it.
        if self.wbuf.capacity() > self.rbs {
            self.wbuf.shrink_to(self.wcap_steady.min(self.rbs));
        } else {
            self.wcap_steady = self.wbuf.capacity();
        }
        Ok(true)
    }

    /// Connected through the unix socket (CLIENT LIST flag `U`).
    pub fn is_unix(&self) -> bool {
        matches!(self.sock, Socket::Unix(_))
    }

    /// CLIENT LIST `flags=` letters (the CLIENT family owns the letters and their order).
    pub fn flags_string(&self) -> String {
        crate::cmd::client::flags_of(self)
    }
}
