//! The event loop: accept, readiness, command processing, before_sleep, timers, shutdown.
//!
//! One mio `Poll`, edge-triggered. Each connection is registered once for READABLE and
//! WRITABLE: with edge triggering a WRITABLE event only arrives after a write hit
//! `WouldBlock`, so keeping the interest costs nothing and saves a reregister syscall per
//! partial write. Replies accumulate in each client's `wbuf` and are written once per loop
//! turn in `before_sleep`.

use std::io::{self, Write};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use log::{debug, info, warn};
use mio::net::{TcpListener, TcpStream, UnixListener};
use mio::{Events, Interest, Poll, Token};

use crate::cmd;
use crate::config::Config;
use crate::connection::{Client, PeerAddr, ReadOutcome, Socket};
use crate::error::ServerError;
use crate::resp::parse::{ParseLimits, Status};
use crate::state::State;

/// Redis's reply to a non-loopback client while protected mode is on and no password is set.
const PROTECTED_MODE_DENIED: &[u8] = b"-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Set up an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n";

const LISTENER_BASE: usize = usize::MAX - 64;
const SIGNAL: Token = Token(usize::MAX - 1);
/// Above every TCP listener's token (Redis binds at most 16 addresses).
const UNIX_LISTENER: Token = Token(usize::MAX - 2);

pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

pub struct Server {
    poll: Poll,
    listeners: Vec<TcpListener>,
    /// The `unixsocket` listener and its path (kept to remove the file at shutdown).
    unix: Option<(UnixListener, Arc<str>)>,
    pub st: State,
    events: Events,
    /// Clients with output queued this turn.
    pending_writes: Vec<usize>,
    /// Clients that hit the per-event read cap and still have bytes in the socket.
    capped: Vec<usize>,
    signal_rx: Option<mio::net::UnixStream>,
    last_cron_ms: i64,
    /// When the cron last wrote its periodic verbose/debug log lines.
    last_log_cron_ms: i64,
    /// When to hand freed memory back to the OS: one second after the last command, so a
    /// busy server never pays for it and an idle one does not sit on a burst's pages.
    collect_at: Option<i64>,
    /// Commands processed as of the last turn (to notice activity).
    seen_commands: u64,
    /// This turn's events, copied out of `events` so handlers can borrow the server.
    ready: Vec<(Token, bool, bool, bool)>,
    /// The last expiry sweep ran out of budget with keys still due.
    expire_pending: bool,
}

impl Server {
    /// Bind every address of `bind` on `port` (0 picks a free port; see `local_addr`).
    pub fn bind(cfg: Config) -> Result<Server, ServerError> {
        let poll = Poll::new()?;
        // `port 0` picks a free port, except beside a unix socket, where it means what it
        // means in Redis: no TCP at all, a server reachable only through its socket.
        let (mut listeners, port) = if cfg.port == 0 && cfg.unixsocket.is_some() {
            (Vec::new(), 0)
        } else {
            bind_all(&cfg.bind, cfg.port, cfg.tcp_backlog)?
        };
        for (i, l) in listeners.iter_mut().enumerate() {
            poll.registry().register(l, Token(LISTENER_BASE + i), Interest::READABLE)?;
        }
        let mut unix = None;
        if let Some(path) = &cfg.unixsocket {
            // Redis's initServer: a stale socket file from an earlier run is unlinked (an
            // error is of no interest: the bind reports what matters).
            let _ = std::fs::remove_file(path);
            let mut l = bind_unix(path, cfg.unixsocketperm, cfg.tcp_backlog)
                .map_err(|e| ServerError::Config(format!("Failed opening Unix socket: {e}")))?;
            poll.registry().register(&mut l, UNIX_LISTENER, Interest::READABLE)?;
            unix = Some((l, Arc::from(path.as_str())));
        }
        if listeners.is_empty() && unix.is_none() {
            return Err(ServerError::Config("Configured to not listen anywhere, exiting.".into()));
        }
        let now = now_ms();
        let mut st = State::new(cfg, now);
        st.tcp_port = port;
        st.busy_poll = Some(busy_server(&poll, &listeners, unix.as_ref())?);
        Ok(Server {
            poll,
            listeners,
            unix,
            st,
            events: Events::with_capacity(1024),
            pending_writes: Vec::new(),
            capped: Vec::new(),
            signal_rx: None,
            last_cron_ms: now,
            // Redis's first cron logs at once.
            last_log_cron_ms: now - 5000,
            collect_at: None,
            seen_commands: 0,
            expire_pending: false,
            ready: Vec::with_capacity(1024),
        })
    }

    /// Load `dbfilename` from the working directory if present (loadDataFromDisk). Err is
    /// the message to log before exiting.
    pub fn load_data(&mut self) -> Result<(), String> {
        crate::cmd::persist::load_at_startup(&mut self.st, now_ms())
    }

    /// The first TCP listener's address. Panics on a server reachable only through its unix
    /// socket (`port 0` beside `unixsocket`); see `unix_path`.
    pub fn local_addr(&self) -> SocketAddr {
        self.listeners[0].local_addr().expect("bound listener has an address")
    }

    /// The port TCP clients connect to; 0 when the server listens on its unix socket only.
    pub fn port(&self) -> u16 {
        self.st.tcp_port
    }

    /// The `unixsocket` path the server listens on.
    pub fn unix_path(&self) -> Option<&str> {
        self.unix.as_ref().map(|(_, p)| &**p)
    }

    /// Route SIGTERM/SIGINT into the loop (the binary does this; embedders may not).
    pub fn handle_signals(&mut self) -> io::Result<()> {
        let mut rx = crate::signals::install()?;
        self.poll.registry().register(&mut rx, SIGNAL, Interest::READABLE)?;
        self.signal_rx = Some(rx);
        Ok(())
    }

    /// Run until SHUTDOWN or a termination signal.
    pub fn run(mut self) -> Result<(), ServerError> {
        // Redis's two lines: one for TCP, one naming the unix socket.
        if !self.listeners.is_empty() {
            info!("Ready to accept connections");
        }
        if let Some(path) = self.unix_path() {
            info!("The server is now ready to accept connections at {path}");
        }
        loop {
            let timeout = self.poll_timeout();
            if let Err(e) = self.poll.poll(&mut self.events, timeout) {
                if e.kind() != io::ErrorKind::Interrupted {
                    return Err(e.into());
                }
            }
            let mut ready = std::mem::take(&mut self.ready);
            ready.clear();
            ready.extend(self.events.iter().map(|e| {
                let closed = e.is_read_closed() || e.is_error();
                (e.token(), e.is_readable() || closed, e.is_writable(), closed)
            }));
            for &(token, readable, writable, closed) in &ready {
                match token {
                    SIGNAL => {
                        for sig in crate::signals::drain(self.signal_rx.as_mut()) {
                            self.on_shutdown_signal(sig);
                        }
                    }
                    UNIX_LISTENER => self.accept_unix(),
                    Token(t) if t >= LISTENER_BASE => self.accept(t - LISTENER_BASE),
                    Token(t) => {
                        if writable {
                            self.on_writable(t);
                        }
                        if closed {
                            if let Some(Some(c)) = self.st.clients.get_mut(t) {
                                c.peer_closed = true;
                            }
                        }
                        if readable {
                            self.on_readable(t);
                        }
                    }
                }
            }
            self.ready = ready;
            // Connections that hit the read cap get another turn after everyone else's.
            let capped = std::mem::take(&mut self.capped);
            for t in capped {
                self.on_readable(t);
            }
            self.handle_blocked();
            self.before_sleep();
            if let Some(req) = self.st.shutdown {
                if self.finish_shutdown(req) {
                    return Ok(());
                }
            }
        }
    }

    fn poll_timeout(&self) -> Option<Duration> {
        let blocked_work = self.st.blocking.has_ready() || !self.st.blocking.unblocked.is_empty();
        if !self.capped.is_empty()
            || self.expire_pending
            || blocked_work
            || self.st.evict.timer_running
        {
            return Some(Duration::ZERO);
        }
        let now = now_ms();
        let mut wake: Option<i64> = self.st.ks.next_expiry_wakeup();
        if let Some(d) = self.st.blocking.next_deadline() {
            wake = Some(wake.map_or(d, |w| w.min(d)));
        }
        if self.cron_needed() {
            let period = 1000 / self.st.cfg.hz.clamp(1, 500) as i64;
            let next = self.last_cron_ms + period;
            wake = Some(wake.map_or(next, |w| w.min(next)));
        }
        if let Some(t) = crate::cmd::persist::next_wakeup(&self.st, now) {
            wake = Some(wake.map_or(t, |w| w.min(t)));
        }
        if let Some(t) = crate::cmd::migrate::next_wakeup(&self.st) {
            wake = Some(wake.map_or(t, |w| w.min(t)));
        }
        if let Some(p) = self.st.client_pause {
            wake = Some(wake.map_or(p.end_ms, |w| w.min(p.end_ms)));
        }
        if let Some(c) = self.collect_at {
            wake = Some(wake.map_or(c, |w| w.min(c)));
        }
        wake.map(|w| Duration::from_millis((w - now).max(0) as u64))
    }

    /// The periodic cron only runs while it has work: client timeouts to enforce, reply
    /// buffers to resize, or the periodic lines of a verbose log. A server without clients
    /// and a quiet log sleeps.
    fn cron_needed(&self) -> bool {
        (!self.st.clients.is_empty() && (self.st.cfg.timeout > 0 || self.st.replybuf.enabled))
            || log::log_enabled!(log::Level::Debug)
    }

    fn accept(&mut self, idx: usize) {
        loop {
            let (sock, addr) = match self.listeners[idx].accept() {
                Ok(x) => x,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    // EMFILE and friends: log and keep serving; the kernel queue keeps the rest.
                    warn!("Accepting client connection: {e}");
                    return;
                }
            };
            register_client(&mut self.st, self.poll.registry(), Socket::Tcp(sock), addr.into());
        }
    }

    fn accept_unix(&mut self) {
        let Some((l, path)) = &self.unix else { return };
        loop {
            let sock = match l.accept() {
                Ok((s, _)) => s,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    warn!("Accepting client connection: {e}");
                    return;
                }
            };
            let addr = PeerAddr::Unix(path.clone());
            register_client(&mut self.st, self.poll.registry(), Socket::Unix(sock), addr);
        }
    }

    fn on_writable(&mut self, token: usize) {
        let Some(Some(c)) = self.st.clients.get_mut(token) else { return };
        c.writable = true;
        if c.has_pending_output() && !c.write_pending {
            c.write_pending = true;
            self.pending_writes.push(token);
        }
    }

    fn on_readable(&mut self, token: usize) {
        let Some(slot) = self.st.clients.get_mut(token) else { return };
        let Some(mut c) = slot.take() else { return };
        self.st.stats.reads_processed += 1;
        let outcome = c.read_socket();
        process_input(&mut self.st, &mut c);
        if outcome == ReadOutcome::Capped {
            self.capped.push(token);
        }
        if outcome == ReadOutcome::Closed {
            if log::log_enabled!(log::Level::Debug) {
                debug!(
                    "Client closed connection {}",
                    cmd::client::info_string(&self.st, &c, now_ms())
                );
            }
            // Replies to what was read before EOF still go out: the peer may have only
            // shut down its write side.
            let _ = c.flush();
            self.st.clients[token] = Some(c);
            self.close_client(token);
            return;
        }
        self.after_input(token, c);
    }

    /// Put a client back in its slot after running its input: queue its output, close it if
    /// a command asked for that.
    fn after_input(&mut self, token: usize, mut c: Box<Client>) {
        crate::pubsub::enforce_output_limit(&mut self.st, &mut c);
        if c.has_pending_output() && !c.write_pending {
            c.write_pending = true;
            self.pending_writes.push(token);
        }
        if c.close_asap {
            self.st.clients[token] = Some(c);
            self.close_client(token);
            return;
        }
        self.st.clients[token] = Some(c);
        self.wake_written();
        self.close_killed();
    }

    /// Clients a command wrote to (pub/sub messages, invalidations, MONITOR) flush this turn.
    fn wake_written(&mut self) {
        if !self.st.wake.is_empty() {
            self.pending_writes.append(&mut self.st.wake);
        }
    }

    /// When a CLIENT PAUSE ends (timeout or UNPAUSE), run the held commands in the order
    /// they were held, then the input that queued up behind them.
    fn resume_postponed(&mut self, now: i64) {
        if !cmd::client::pause_expired(&mut self.st, now) {
            return;
        }
        let tokens = std::mem::take(&mut self.st.postponed);
        for t in tokens {
            let Some(slot) = self.st.clients.get_mut(t) else { continue };
            let Some(mut c) = slot.take() else { continue };
            if let Some(argv) = c.postponed.take() {
                let mut clock = cmd::Clock::new(now_ms());
                cmd::execute(&mut self.st, &mut c, &cmd::args::Args::Owned(&argv), &mut clock);
                if self.st.blocking.has_ready() {
                    crate::blocking::serve_ready(&mut self.st, clock.now_ms);
                }
                process_input(&mut self.st, &mut c);
            }
            self.after_input(t, c);
        }
    }

    /// Blocked clients past their deadline get their null; clients unblocked this turn
    /// (served, timed out, CLIENT UNBLOCK) resume their queued input.
    fn handle_blocked(&mut self) {
        let now = now_ms();
        if self.st.blocking.has_ready() {
            crate::blocking::serve_ready(&mut self.st, now);
        }
        crate::blocking::expire_timeouts(&mut self.st, now);
        while !self.st.blocking.unblocked.is_empty() {
            let tokens = std::mem::take(&mut self.st.blocking.unblocked);
            for t in tokens {
                let Some(slot) = self.st.clients.get_mut(t) else { continue };
                let Some(mut c) = slot.take() else { continue };
                if c.blocked.is_none() {
                    process_input(&mut self.st, &mut c);
                }
                if c.has_pending_output() && !c.write_pending {
                    c.write_pending = true;
                    self.pending_writes.push(t);
                }
                let close = c.close_asap;
                self.st.clients[t] = Some(c);
                if close {
                    self.close_client(t);
                }
            }
            self.close_killed();
        }
    }

    /// Clients killed by a command (CLIENT KILL) close after that command's turn.
    fn close_killed(&mut self) {
        while let Some(t) = self.st.to_close.pop() {
            self.close_client(t);
        }
        if let Some(new) = self.st.new_listeners.take() {
            self.replace_listeners(new);
        }
    }

    /// CONFIG SET port/bind bound new sockets already (so it could report failures);
    /// swap them in for the old ones.
    fn replace_listeners(&mut self, new: Vec<TcpListener>) {
        for mut l in self.listeners.drain(..) {
            let _ = self.poll.registry().deregister(&mut l);
        }
        for (i, mut l) in new.into_iter().enumerate() {
            match self.poll.registry().register(
                &mut l,
                Token(LISTENER_BASE + i),
                Interest::READABLE,
            ) {
                Ok(()) => self.listeners.push(l),
                Err(e) => warn!("Registering listener: {e}"),
            }
        }
        // The busy-script server holds duplicates of the listening sockets: renew them, so
        // the old ones close.
        match busy_server(&self.poll, &self.listeners, self.unix.as_ref()) {
            Ok(b) => self.st.busy_poll = Some(b),
            Err(e) => {
                warn!("Listening while scripts are busy: {e}");
                self.st.busy_poll = None;
            }
        }
    }

    fn before_sleep(&mut self) {
        let now = now_ms();
        // DEBUG PAUSE-CRON stops what Redis's serverCron does (timeouts, buffer resizing,
        // save points, idle MIGRATE sockets, the tracking table limit), not the rest.
        let cron_paused = self.st.pause_cron;
        if !cron_paused
            && self.cron_needed()
            && now - self.last_cron_ms >= 1000 / self.st.cfg.hz.clamp(1, 500) as i64
        {
            self.cron(now);
        }
        self.resume_postponed(now);
        if !cron_paused {
            crate::cmd::persist::tick(&mut self.st, now);
            crate::cmd::migrate::close_timed_out(&mut self.st, now);
        }
        // Active expiry: a bounded slice per turn; if work remains the next poll won't sleep.
        // Like Redis, keys do not expire actively while clients are paused.
        let effort = self.st.cfg.active_expire_effort.clamp(1, 10) as usize;
        let budget = 2000 + 500 * (effort - 1);
        // The latency monitor's "expire-cycle" event, timed only while the monitor is on.
        let threshold = self.st.cfg.latency_monitor_threshold;
        let started = (threshold > 0).then(std::time::Instant::now);
        self.st.ks.lazy.expire = self.st.cfg.lazyfree_lazy_expire;
        self.expire_pending =
            self.st.client_pause.is_none() && self.st.ks.sweep_expired(now, budget);
        if let Some(t) = started {
            let ms = t.elapsed().as_millis() as u64;
            if ms >= threshold {
                self.st.latency.add("expire-cycle", now / 1000, ms);
            }
        }
        // An eviction that ran out of its time budget goes on here, a slice per turn.
        crate::evict::timer_turn(&mut self.st, now);
        if !self.st.ks.log.is_empty() {
            crate::notify::drain_keyspace_logs(&mut self.st, None, now);
        }
        if self.st.tracking.clients != 0 {
            if !cron_paused {
                crate::tracking::enforce_limit(&mut self.st, None, now);
            }
            if crate::tracking::has_broadcast(&self.st) {
                crate::tracking::broadcast(&mut self.st, now);
            }
        }
        self.wake_written();
        let pending = std::mem::take(&mut self.pending_writes);
        for t in pending {
            let Some(Some(c)) = self.st.clients.get_mut(t) else { continue };
            c.write_pending = false;
            if c.close_asap {
                continue;
            }
            self.st.stats.writes_processed += 1;
            match c.flush() {
                Ok(true) => {
                    if c.close_after_reply {
                        self.close_client(t);
                    }
                }
                Ok(false) => {}
                Err(_) => self.close_client(t),
            }
        }
        self.close_killed();
        self.sample_ops(now);
        let done = self.st.stats.total_commands_processed;
        if done != self.seen_commands {
            self.seen_commands = done;
            self.collect_at = Some(now + 1000);
        } else if self.collect_at.is_some_and(|t| now >= t) {
            self.collect_at = None;
            crate::alloc::collect();
        }
    }

    fn sample_ops(&mut self, now: i64) {
        let s = &mut self.st.stats;
        if s.ops_samples.last().is_none_or(|l| now - l.0 >= 100) {
            s.ops_samples.push((now, s.total_commands_processed));
            if s.ops_samples.len() > 16 {
                s.ops_samples.remove(0);
            }
            // Byte totals for instantaneous_*_kbps, on the same 100 ms cadence.
            let (mut i, mut o) = (s.net_input_bytes, s.net_output_bytes);
            for (_, c) in self.st.clients.iter() {
                if let Some(c) = c.as_deref() {
                    i += c.net_in;
                    o += c.net_out;
                }
            }
            let s = &mut self.st.stats;
            s.net_samples.push((now, i, o));
            if s.net_samples.len() > 16 {
                s.net_samples.remove(0);
            }
        }
    }

    fn cron(&mut self, now: i64) {
        self.last_cron_ms = now;
        self.resize_reply_buffers(now);
        if now - self.last_log_cron_ms >= 5000 {
            self.last_log_cron_ms = now;
            self.log_cron();
        }
        let timeout = self.st.cfg.timeout as i64 * 1000;
        if timeout > 0 {
            let idle: Vec<usize> = self
                .st
                .clients
                .iter()
                .filter_map(|(t, c)| c.as_ref().map(|c| (t, c)))
                // Blocked and paused clients wait for their own deadline, as in Redis.
                .filter(|(_, c)| {
                    c.blocked.is_none()
                        && c.postponed.is_none()
                        && now - c.last_interaction_ms > timeout
                })
                .map(|(t, _)| t)
                .collect();
            for t in idle {
                debug!("Closing idle client");
                self.close_client(t);
            }
        }
    }

    /// Visit clients for reply buffer resizing as Redis's clientsCron does: every client
    /// about once a second (all of them each run while there are at most 50).
    fn resize_reply_buffers(&mut self, now: i64) {
        let n = self.st.clients.len();
        if n == 0 || !self.st.replybuf.enabled {
            return;
        }
        let hz = self.st.cfg.hz.clamp(1, 500) as usize;
        let visits = (n / hz).max(n.min(50));
        let start = self.st.replybuf_cursor % n;
        let (set, stats) = (self.st.replybuf, &mut self.st.stats);
        // Positions in iteration order; a visit that runs past the end wraps around.
        let wrap = (start + visits).saturating_sub(n);
        for (i, (_, c)) in self.st.clients.iter_mut().enumerate() {
            if (start..start + visits).contains(&i) || i < wrap {
                if let Some(c) = c {
                    crate::replybuf::resize(c, set, stats, now);
                }
            }
        }
        self.st.replybuf_cursor = (start + visits) % n;
    }

    /// Redis's serverCron lines every 5 seconds: keys per database (verbose) and clients and
    /// memory (debug).
    fn log_cron(&self) {
        if log::log_enabled!(log::Level::Debug) {
            for (i, db) in self.st.ks.dbs.iter().enumerate() {
                if !db.dict.is_empty() {
                    debug!(
                        "DB {i}: {} keys ({} volatile) in {} slots HT.",
                        db.dict.len(),
                        db.expires,
                        db.dict.bucket_count()
                    );
                }
            }
        }
        if log::log_enabled!(log::Level::Trace) {
            log::trace!(
                "{} clients connected (0 replicas), {} bytes in use",
                self.st.clients.len(),
                crate::alloc::used_memory().unwrap_or(0)
            );
        }
    }

    fn close_client(&mut self, token: usize) {
        if !self.st.clients.contains(token) {
            return;
        }
        let slot = self.st.clients.remove(token);
        if let Some(mut c) = slot {
            crate::pubsub::forget_client(&mut self.st, &mut c);
            crate::blocking::forget(&mut self.st, &mut c);
            if c.postponed.is_some() {
                self.st.postponed.retain(|&t| t != token);
            }
            let _ = self.poll.registry().deregister(&mut c.sock);
            self.st.stats.net_input_bytes += c.net_in;
            self.st.stats.net_output_bytes += c.net_out;
        }
    }

    /// Redis's sigShutdownHandler and the start of prepareForShutdown, in their words: a
    /// second SIGINT while a shutdown is pending exits at once.
    fn on_shutdown_signal(&mut self, sig: libc::c_int) {
        use crate::logging::from_signal_handler;
        if self.st.shutdown.is_some() && sig == libc::SIGINT {
            from_signal_handler("You insist... exiting now.");
            std::process::exit(1);
        }
        from_signal_handler(match sig {
            libc::SIGINT => "Received SIGINT scheduling shutdown...",
            libc::SIGTERM => "Received SIGTERM scheduling shutdown...",
            _ => "Received shutdown signal, scheduling shutdown...",
        });
        if self.st.shutdown.is_none() {
            use crate::config::{SHUTDOWN_FORCE, SHUTDOWN_NOSAVE, SHUTDOWN_NOW, SHUTDOWN_SAVE};
            warn!("User requested shutdown...");
            // shutdown-on-sigint/-sigterm: `default` saves when save points exist, `save`
            // always, `nosave` never; `force` exits even if that save fails.
            let flags = if sig == libc::SIGINT {
                self.st.cfg.shutdown_on_sigint
            } else {
                self.st.cfg.shutdown_on_sigterm
            };
            let save = if flags & SHUTDOWN_SAVE != 0 {
                Some(true)
            } else if flags & SHUTDOWN_NOSAVE != 0 {
                Some(false)
            } else {
                None
            };
            self.st.shutdown = Some(crate::state::ShutdownRequest {
                save,
                now: flags & SHUTDOWN_NOW != 0,
                force: flags & SHUTDOWN_FORCE != 0,
                signal: true,
            });
        }
    }

    /// Returns true when the server should exit now.
    fn finish_shutdown(&mut self, req: crate::state::ShutdownRequest) -> bool {
        // A background save's writer finishes its file rather than leave a temp file behind.
        crate::cmd::persist::bgsave_finish(&mut self.st, now_ms());
        // A signal saves as its shutdown-on-sig* flags say (the SHUTDOWN command has saved
        // already): with save points by default, always with `save`, never with `nosave`.
        let save = match req.save {
            Some(s) => req.signal && s,
            None => !self.st.cfg.save.is_empty(),
        };
        if save {
            warn!("Saving the final RDB snapshot before exiting.");
            if crate::cmd::persist::save(&mut self.st, now_ms()).is_err() {
                if req.force {
                    warn!("Error trying to save the DB. Exit anyway.");
                } else {
                    warn!("Error trying to save the DB, can't exit.");
                    warn!("SIGTERM received but errors trying to shut down the server, check the logs for more information");
                    self.st.shutdown = None;
                    return false;
                }
            }
        }
        // Flush what is queued so the client that asked sees no half reply.
        let tokens: Vec<usize> = self.st.clients.iter().map(|(t, _)| t).collect();
        for t in tokens {
            if let Some(Some(c)) = self.st.clients.get_mut(t) {
                let _ = c.flush();
            }
        }
        if let Some(path) = &self.st.cfg.pidfile {
            info!("Removing the pid file.");
            let _ = std::fs::remove_file(path);
        }
        // Redis's closeListeningSockets(unlink_unix_socket=1).
        if let Some((mut l, path)) = self.unix.take() {
            let _ = self.poll.registry().deregister(&mut l);
            drop(l);
            info!("Removing the unix socket file.");
            if let Err(e) = std::fs::remove_file(&*path) {
                warn!("Error removing the unix socket file: {}", crate::logging::strerror(&e));
            }
        }
        warn!("Redis is now ready to exit, bye bye...");
        true
    }
}

/// The loop's stand-in while a script runs past busy-reply-threshold: accept, read and answer
/// every client (the dispatcher replies -BUSY to all but the allow-busy commands), and write
/// the replies at once. It owns a clone of the poll's registry and duplicates of the listening
/// sockets, so it needs nothing from `Server`, which is borrowed by the running command.
/// Readiness is not consulted: every client is tried, which is cheap for the few polls a busy
/// script makes, and leaves the edge-triggered poll state consistent (reads simply drain).
fn busy_server(
    poll: &Poll,
    listeners: &[TcpListener],
    unix: Option<&(UnixListener, Arc<str>)>,
) -> io::Result<crate::state::BusyPoll> {
    use std::os::unix::io::{AsRawFd, FromRawFd};
    let registry = poll.registry().try_clone()?;
    let dup = dup_cloexec;
    let mut dups = Vec::new();
    for l in listeners {
        dups.push(unsafe { std::net::TcpListener::from_raw_fd(dup(l.as_raw_fd())?) });
    }
    let unix = match unix {
        Some((l, path)) => Some((
            unsafe { std::os::unix::net::UnixListener::from_raw_fd(dup(l.as_raw_fd())?) },
            path.clone(),
        )),
        None => None,
    };
    Ok(Box::new(move |st: &mut State| serve_while_busy(st, &registry, &dups, unix.as_ref())))
}

/// A duplicate of a listening fd, close-on-exec like the original: a child process must not
/// keep a listening socket open (after CONFIG SET bind, connections would queue in it).
fn dup_cloexec(fd: std::os::unix::io::RawFd) -> io::Result<std::os::unix::io::RawFd> {
    // SAFETY: fcntl on a live fd; the caller takes ownership of the duplicate.
    let fd = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 0) };
    if fd < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(fd)
    }
}

fn serve_while_busy(
    st: &mut State,
    registry: &mio::Registry,
    listeners: &[std::net::TcpListener],
    unix: Option<&(std::os::unix::net::UnixListener, Arc<str>)>,
) {
    for l in listeners {
        loop {
            match l.accept() {
                Ok((s, addr)) => {
                    if s.set_nonblocking(true).is_ok() {
                        let sock = Socket::Tcp(TcpStream::from_std(s));
                        register_client(st, registry, sock, addr.into());
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            }
        }
    }
    if let Some((l, path)) = unix {
        loop {
            match l.accept() {
                Ok((s, _)) => {
                    if s.set_nonblocking(true).is_ok() {
                        let sock = Socket::Unix(mio::net::UnixStream::from_std(s));
                        register_client(st, registry, sock, PeerAddr::Unix(path.clone()));
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            }
        }
    }
    let tokens: Vec<usize> =
        st.clients.iter().filter(|(_, c)| c.is_some()).map(|(t, _)| t).collect();
    for t in tokens {
        // The slot of the script's caller holds a stand-in with no connection of its own.
        if st.scripting.caller_token == Some(t) {
            continue;
        }
        let Some(mut c) = st.clients.get_mut(t).and_then(|slot| slot.take()) else { continue };
        if !c.close_asap {
            // Bounded: a flood of input cannot keep the script from being served.
            for _ in 0..16 {
                let outcome = c.read_socket();
                process_input(st, &mut c);
                match outcome {
                    ReadOutcome::Capped => continue,
                    ReadOutcome::Drained => break,
                    ReadOutcome::Closed => {
                        c.close_asap = true;
                        break;
                    }
                }
            }
            if c.has_pending_output() && c.flush().is_err() {
                c.close_asap = true;
            }
            if c.close_asap || (c.close_after_reply && !c.has_pending_output()) {
                c.close_asap = true;
                st.to_close.push(t);
            }
        }
        if let Some(slot) = st.clients.get_mut(t) {
            *slot = Some(c);
        }
    }
}

/// Admit one accepted connection: limits, socket options, poll registration, a slab slot.
/// Also used while a script is busy (`serve_while_busy`), hence a free function.
fn register_client(st: &mut State, registry: &mio::Registry, mut sock: Socket, addr: PeerAddr) {
    st.stats.total_connections_received += 1;
    if st.clients.len() >= st.cfg.maxclients {
        let _ = sock.write(b"-ERR max number of clients reached\r\n");
        st.stats.rejected_connections += 1;
        return;
    }
    // Unix socket clients are local: protected mode never applies to them.
    if st.cfg.protected_mode && st.cfg.requirepass.is_none() && !addr.is_local() {
        let _ = sock.write(PROTECTED_MODE_DENIED);
        st.stats.rejected_connections += 1;
        return;
    }
    // TCP options mean nothing on a unix socket.
    if let Socket::Tcp(s) = &sock {
        let _ = s.set_nodelay(true);
        set_keepalive(s, st.cfg.tcp_keepalive);
    }
    let entry = st.clients.vacant_entry();
    let token = entry.key();
    if let Err(e) =
        registry.register(&mut sock, Token(token), Interest::READABLE | Interest::WRITABLE)
    {
        warn!("Registering client: {e}");
        return;
    }
    let now = now_ms();
    let id = st.next_client_id;
    st.next_client_id += 1;
    match &addr {
        PeerAddr::Tcp(a) => debug!("Accepted {a}"),
        PeerAddr::Unix(path) => debug!("Accepted connection to {path}"),
    }
    let mut c = Box::new(Client::new(id, token, sock, addr, now));
    c.authenticated = st.cfg.requirepass.is_none();
    entry.insert(Some(c));
}

/// Parse and run every complete request in the client's buffer.
pub fn process_input(st: &mut State, c: &mut Client) {
    let rbuf = std::mem::take(&mut c.rbuf);
    let mut parser = std::mem::take(&mut c.parser);
    let mut limits = ParseLimits {
        max_bulk_len: st.cfg.proto_max_bulk_len,
        authenticated: c.authenticated || st.cfg.requirepass.is_none(),
    };
    let rlen = c.rlen;
    let mut processed = false;
    let mut clock = cmd::Clock::new(now_ms());
    loop {
        // A parked or paused client's further input waits until it is served.
        if c.close_after_reply || c.close_asap || c.blocked.is_some() || c.postponed.is_some() {
            break;
        }
        match parser.parse(&rbuf[..rlen], &limits) {
            Ok(Status::Complete) => {
                let args = parser.args(&rbuf[..rlen]);
                c.last_interaction_ms = clock.now_ms;
                processed = true;
                if is_security_attack(&args) {
                    warn!("Possible SECURITY ATTACK detected. It looks like somebody is sending POST or Host: commands to Redis. This is likely due to an attacker attempting to use Cross Protocol Scripting to compromise your Redis instance. Connection aborted.");
                    c.close_asap = true;
                    break;
                }
                cmd::execute(st, c, &args, &mut clock);
                if st.blocking.has_ready() {
                    crate::blocking::serve_ready(st, clock.now_ms);
                }
                limits.authenticated = c.authenticated || st.cfg.requirepass.is_none();
            }
            Ok(Status::Incomplete) => break,
            Err(e) => {
                if log::log_enabled!(log::Level::Debug) {
                    log_protocol_error(st, c, &rbuf[parser.consumed().min(rlen)..rlen], &e);
                }
                let text = format!("ERR {e}");
                cmd::reject_protocol(st, c, &text);
                c.close_after_reply = true;
                break;
            }
        }
    }
    let pending = parser.pending(&rbuf[..rlen]);
    c.rbuf = rbuf;
    c.parser = parser;
    if processed || pending > 0 {
        c.compact_rbuf();
    }
    if pending > st.cfg.client_query_buffer_limit {
        let mut head = Vec::new();
        // Compacted above: the unparsed bytes start the buffer.
        cmd::monitor::repr(&mut head, &c.rbuf[..c.rlen.min(64)]);
        warn!(
            "Closing client that reached max query buffer length: {} (qbuf initial bytes: {})",
            cmd::client::info_string(st, c, clock.now_ms),
            String::from_utf8_lossy(&head)
        );
        st.stats.client_query_buffer_limit_disconnections += 1;
        c.close_asap = true;
    }
}

/// Redis's setProtocolError log line (verbose): the error, the client, and a sample of the
/// unparsed input with unprintable bytes shown as dots.
fn log_protocol_error(st: &State, c: &Client, rest: &[u8], e: &impl std::fmt::Display) {
    const DUMP: usize = 128;
    let shown = |b: &[u8]| -> String {
        b.iter().map(|&x| if (0x20..0x7f).contains(&x) { x as char } else { '.' }).collect()
    };
    let sample = if rest.len() < DUMP {
        format!("Query buffer during protocol error: '{}'", shown(rest))
    } else {
        format!(
            "Query buffer during protocol error: '{}' (... more {} bytes ...) '{}'",
            shown(&rest[..DUMP / 2]),
            rest.len() - DUMP,
            shown(&rest[rest.len() - DUMP / 2..])
        )
    };
    let err = e.to_string();
    let err = err.strip_prefix("Protocol error: ").unwrap_or(&err);
    debug!(
        "Protocol error ({err}) from client: {}. {sample}",
        cmd::client::info_string(st, c, now_ms())
    );
}

fn is_security_attack(args: &cmd::args::Args) -> bool {
    let n = args.get(0);
    n.eq_ignore_ascii_case(b"host:") || n.eq_ignore_ascii_case(b"post")
}

/// Errors that an optional (`-`) bind address may ignore: no such address family or address.
fn bind_error_is_optional(e: &io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(libc::EADDRNOTAVAIL) | Some(libc::EAFNOSUPPORT) | Some(libc::EPROTONOSUPPORT)
    )
}

/// Listen on every `bind` address at `port` (0 picks a free port, the same for all), as
/// startup and CONFIG SET port/bind do. Returns the listeners and the port they use. An
/// empty `bind` listens on no TCP address, as in Redis (listenToPort): such a server is
/// reachable through its unix socket only.
pub fn bind_all(
    bind: &[String],
    port: u16,
    backlog: i32,
) -> Result<(Vec<TcpListener>, u16), ServerError> {
    let mut listeners = Vec::new();
    let mut port = port;
    for b in bind {
        // A leading '-' makes the address optional, as in Redis: `* -::*` binds IPv6
        // only where the machine has it.
        let optional = b.starts_with('-');
        let b = match b.trim_start_matches('-') {
            "*" => "0.0.0.0",
            "::*" => "::",
            other => other,
        };
        let addr_s = if b.contains(':') { format!("[{b}]:{port}") } else { format!("{b}:{port}") };
        let addr: SocketAddr = addr_s
            .parse()
            .map_err(|_| ServerError::Config(format!("Invalid bind address '{b}'")))?;
        let l = match bind_listener(addr, backlog) {
            Ok(l) => l,
            Err(e) if optional && bind_error_is_optional(&e) => {
                warn!("Could not bind optional address {addr_s}: {e}");
                continue;
            }
            Err(source) => return Err(ServerError::Bind { addr: addr_s.clone(), source }),
        };
        if port == 0 {
            port = l.local_addr()?.port();
        }
        listeners.push(l);
    }
    Ok((listeners, port))
}

fn bind_listener(addr: SocketAddr, backlog: i32) -> io::Result<TcpListener> {
    // std's bind uses a fixed backlog; Redis honours tcp-backlog, so go through libc.
    use std::os::unix::io::FromRawFd;
    let domain = if addr.is_ipv4() { libc::AF_INET } else { libc::AF_INET6 };
    unsafe {
        let fd =
            libc::socket(domain, libc::SOCK_STREAM | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC, 0);
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: fd is a fresh socket we own; the TcpListener takes ownership below.
        let listener = std::net::TcpListener::from_raw_fd(fd);
        let one: libc::c_int = 1;
        libc::setsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_REUSEADDR,
            &one as *const _ as *const libc::c_void,
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        );
        if addr.is_ipv6() {
            libc::setsockopt(
                fd,
                libc::IPPROTO_IPV6,
                libc::IPV6_V6ONLY,
                &one as *const _ as *const libc::c_void,
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            );
        }
        let (sa, len) = sockaddr(addr);
        if libc::bind(fd, &sa as *const _ as *const libc::sockaddr, len) != 0 {
            return Err(io::Error::last_os_error());
        }
        if libc::listen(fd, backlog.max(1)) != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(TcpListener::from_std(listener))
    }
}

/// Redis's anetUnixServer (7.0.15, after CVE-2023-45145): with a `unixsocketperm`, the umask
/// around bind() creates the socket file with those permissions already, so no client can
/// connect in the window before the chmod that follows. Like Redis, a path longer than
/// `sun_path` is cut to fit. The error reads as Redis's (`bind: <strerror>`).
fn bind_unix(path: &str, perm: u32, backlog: i32) -> Result<UnixListener, String> {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::io::FromRawFd;
    let strerror = |e: io::Error| crate::logging::strerror(&e);
    // SAFETY: sockaddr_un is plain old data; zeroed is a valid value.
    let mut sa: libc::sockaddr_un = unsafe { std::mem::zeroed() };
    sa.sun_family = libc::AF_UNIX as libc::sa_family_t;
    let bytes = path.as_bytes();
    let n = bytes.len().min(sa.sun_path.len() - 1);
    for (d, &b) in sa.sun_path.iter_mut().zip(&bytes[..n]) {
        *d = b as libc::c_char;
    }
    // SAFETY: plain socket calls on a fd this function owns (the std listener closes it on
    // every early return); sa outlives the bind call.
    unsafe {
        let fd = libc::socket(
            libc::AF_UNIX,
            libc::SOCK_STREAM | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
            0,
        );
        if fd < 0 {
            return Err(format!("creating socket: {}", strerror(io::Error::last_os_error())));
        }
        let listener = std::os::unix::net::UnixListener::from_raw_fd(fd);
        let old_umask = (perm != 0).then(|| libc::umask((0o777 & !perm) as libc::mode_t));
        let bound = libc::bind(
            fd,
            &sa as *const _ as *const libc::sockaddr,
            std::mem::size_of::<libc::sockaddr_un>() as libc::socklen_t,
        );
        let bind_error = (bound != 0).then(io::Error::last_os_error);
        if let Some(old) = old_umask {
            libc::umask(old);
        }
        if let Some(e) = bind_error {
            return Err(format!("bind: {}", strerror(e)));
        }
        if libc::listen(fd, backlog.max(1)) != 0 {
            return Err(format!("listen: {}", strerror(io::Error::last_os_error())));
        }
        if perm != 0 {
            use std::os::unix::ffi::OsStrExt;
            let file = std::ffi::OsStr::from_bytes(&bytes[..n]);
            let _ = std::fs::set_permissions(file, std::fs::Permissions::from_mode(perm));
        }
        Ok(UnixListener::from_std(listener))
    }
}

fn sockaddr(addr: SocketAddr) -> (libc::sockaddr_storage, libc::socklen_t) {
    // SAFETY: sockaddr_storage is plain old data; zeroed is a valid value.
    let mut ss: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    match addr {
        SocketAddr::V4(a) => {
            let sin = libc::sockaddr_in {
                sin_family: libc::AF_INET as libc::sa_family_t,
                sin_port: a.port().to_be(),
                sin_addr: libc::in_addr { s_addr: u32::from_ne_bytes(a.ip().octets()) },
                sin_zero: [0; 8],
            };
            // SAFETY: sockaddr_in fits in sockaddr_storage.
            unsafe { std::ptr::write(&mut ss as *mut _ as *mut libc::sockaddr_in, sin) };
            (ss, std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t)
        }
        SocketAddr::V6(a) => {
            let sin6 = libc::sockaddr_in6 {
                sin6_family: libc::AF_INET6 as libc::sa_family_t,
                sin6_port: a.port().to_be(),
                sin6_flowinfo: a.flowinfo(),
                sin6_addr: libc::in6_addr { s6_addr: a.ip().octets() },
                sin6_scope_id: a.scope_id(),
            };
            // SAFETY: sockaddr_in6 fits in sockaddr_storage.
            unsafe { std::ptr::write(&mut ss as *mut _ as *mut libc::sockaddr_in6, sin6) };
            (ss, std::mem::size_of::<libc::sockaddr_in6>() as libc::socklen_t)
        }
    }
}

/// Redis's anetKeepAlive: SO_KEEPALIVE plus idle = N, interval = N/3, 3 probes.
fn set_keepalive(sock: &TcpStream, secs: u64) {
    if secs == 0 {
        return;
    }
    use std::os::unix::io::AsRawFd;
    let fd = sock.as_raw_fd();
    let set = |level, opt, val: libc::c_int| unsafe {
        // SAFETY: fd is a valid socket; val lives for the call.
        libc::setsockopt(
            fd,
            level,
            opt,
            &val as *const _ as *const libc::c_void,
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        );
    };
    set(libc::SOL_SOCKET, libc::SO_KEEPALIVE, 1);
    #[cfg(target_os = "linux")]
    {
        let idle = secs.min(i32::MAX as u64) as libc::c_int;
        set(libc::IPPROTO_TCP, libc::TCP_KEEPIDLE, idle);
        set(libc::IPPROTO_TCP, libc::TCP_KEEPINTVL, (idle / 3).max(1));
        set(libc::IPPROTO_TCP, libc::TCP_KEEPCNT, 3);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::io::AsRawFd;

    fn getsockopt(fd: i32, level: i32, opt: i32) -> i32 {
        let mut v: libc::c_int = 0;
        let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
        // SAFETY: valid fd, v and len outlive the call.
        unsafe {
            libc::getsockopt(fd, level, opt, &mut v as *mut _ as *mut libc::c_void, &mut len)
        };
        v
    }

    #[test]
    fn keepalive_matches_redis_anet() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let _c = std::net::TcpStream::connect(l.local_addr().unwrap()).unwrap();
        let (s, _) = l.accept().unwrap();
        let s = TcpStream::from_std(s);
        set_keepalive(&s, 300);
        let fd = s.as_raw_fd();
        assert_eq!(getsockopt(fd, libc::SOL_SOCKET, libc::SO_KEEPALIVE), 1);
        assert_eq!(getsockopt(fd, libc::IPPROTO_TCP, libc::TCP_KEEPIDLE), 300);
        assert_eq!(getsockopt(fd, libc::IPPROTO_TCP, libc::TCP_KEEPINTVL), 100);
        assert_eq!(getsockopt(fd, libc::IPPROTO_TCP, libc::TCP_KEEPCNT), 3);
    }

    #[test]
    fn listener_honours_backlog_and_reuseaddr() {
        let l = bind_listener("127.0.0.1:0".parse().unwrap(), 7).unwrap();
        let fd = l.as_raw_fd();
        assert_eq!(getsockopt(fd, libc::SOL_SOCKET, libc::SO_REUSEADDR), 1);
        assert!(l.local_addr().unwrap().port() > 0);
    }

    #[test]
    fn listener_duplicates_close_on_exec() {
        let l = bind_listener("127.0.0.1:0".parse().unwrap(), 7).unwrap();
        let fd = dup_cloexec(l.as_raw_fd()).unwrap();
        // SAFETY: fcntl/close on the duplicate this test owns.
        let flags = unsafe { libc::fcntl(fd, libc::F_GETFD) };
        unsafe { libc::close(fd) };
        assert_eq!(flags & libc::FD_CLOEXEC, libc::FD_CLOEXEC);
    }

    #[test]
    fn unix_listener_gets_unixsocketperm_and_redis_errors() {
        let dir = std::env::temp_dir().join(format!("ferrodis-unix-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join("perm.sock");
        let _ = std::fs::remove_file(&path);
        let l = bind_unix(path.to_str().unwrap(), 0o640, 16).unwrap();
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
        drop(l);
        // The file is still there: a second bind fails as Redis reports it.
        let err = bind_unix(path.to_str().unwrap(), 0, 16).err().unwrap();
        assert_eq!(err, "bind: Address already in use");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
