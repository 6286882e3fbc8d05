//! The server log: Redis's line format and Redis's words for the events ferrodis shares with
//! it (startup, SIGTERM/SIGINT, SHUTDOWN, bind failure), `logfile`, and `loglevel` at runtime.
mod common;

use common::process::{run_to_exit, scratch_dir, spawn};

/// `pid:R dd Mon yyyy hh:mm:ss.mmm L message`: the parts, or None if the line is not one.
fn parse_line(line: &str) -> Option<(u32, char, char, &str)> {
    let (head, rest) = line.split_once(' ')?;
    let (pid, role) = head.split_once(':')?;
    let role = role.chars().next().filter(|_| role.len() == 1)?;
    let mut it = rest.splitn(6, ' ');
    let (dd, mon, yyyy, time, level) = (it.next()?, it.next()?, it.next()?, it.next()?, it.next()?);
    let ok = dd.len() == 2
        && dd.bytes().all(|b| b.is_ascii_digit())
        && mon.len() == 3
        && yyyy.len() == 4
        && time.len() == 12
        && time.as_bytes()[8] == b'.'
        && level.len() == 1;
    if !ok {
        return None;
    }
    Some((pid.parse().ok()?, role, level.chars().next()?, it.next()?))
}

fn messages(log: &str) -> Vec<(u32, char, char, String)> {
    log.lines().filter_map(parse_line).map(|(p, r, l, m)| (p, r, l, m.to_string())).collect()
}

#[test]
fn startup_and_sigterm_lines_are_redis_lines() {
    let dir = scratch_dir("log-sigterm");
    let mut p = spawn(&dir, &[]);
    let pid = p.child.id();
    p.signal(libc::SIGTERM);
    assert_eq!(p.wait_exit(), 0);
    let log = p.log_text();
    let m = messages(&log);
    let want: &[(char, char, &str)] = &[
        ('C', '#', "oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo"),
        (
            'C',
            '#',
            "Redis version=7.0.15, bits=64, commit=00000000, modified=0, pid=PID, just started",
        ),
        ('C', '#', "Configuration loaded"),
        ('M', '*', "monotonic clock: POSIX clock_gettime"),
        ('M', '*', "Running mode=standalone, port=PORT."),
        ('M', '#', "Server initialized"),
        ('M', '*', "Ready to accept connections"),
        ('M', '#', "User requested shutdown..."),
        ('M', '#', "Redis is now ready to exit, bye bye..."),
    ];
    let got: Vec<(char, char, String)> = m.iter().map(|(_, r, l, s)| (*r, *l, s.clone())).collect();
    let want: Vec<(char, char, String)> = want
        .iter()
        .map(|(r, l, s)| {
            (*r, *l, s.replace("PID", &pid.to_string()).replace("PORT", &p.port.to_string()))
        })
        .collect();
    assert_eq!(got, want, "log:\n{log}");
    assert!(m.iter().all(|(p, ..)| *p == pid));
    // serverLogFromHandler's own shape, before "User requested shutdown...".
    let sig = format!("{pid}:signal-handler (");
    let line = log.lines().find(|l| l.starts_with(&sig)).expect(&log);
    assert!(line.ends_with(") Received SIGTERM scheduling shutdown..."), "{line}");
    let secs = &line[sig.len()..line.find(')').unwrap()];
    assert!(secs.parse::<u64>().is_ok(), "{line}");
    assert!(log.find(line).unwrap() < log.find("User requested shutdown...").unwrap());
}

#[test]
fn logfile_is_appended_not_truncated() {
    let dir = scratch_dir("log-append");
    std::fs::write(dir.join("server.log"), "earlier line\n").unwrap();
    let mut p = spawn(&dir, &[]);
    p.signal(libc::SIGINT);
    assert_eq!(p.wait_exit(), 0);
    let log = p.log_text();
    assert!(log.starts_with("earlier line\n"), "{log}");
    assert!(log.contains(" Received SIGINT scheduling shutdown..."), "{log}");
}

#[test]
fn always_show_logo_prints_the_pid_line() {
    let dir = scratch_dir("log-logo");
    let p = spawn(&dir, &["--always-show-logo", "yes"]);
    let log = p.log_text();
    let pid = p.child.id();
    assert!(log.lines().any(|l| l.trim_end().ends_with(&format!(" PID: {pid}"))), "{log}");
    assert!(log.contains("Running in standalone mode"), "{log}");
    assert!(!log.contains("Running mode="), "{log}");
}

#[test]
fn shutdown_command_lines() {
    let dir = scratch_dir("log-shutdown");
    let mut p = spawn(&dir, &[]);
    let mut c = p.conn();
    let _: redis::RedisResult<()> = redis::cmd("SHUTDOWN").arg("NOSAVE").query(&mut c);
    assert_eq!(p.wait_exit(), 0);
    let m = messages(&p.log_text());
    let tail: Vec<&str> = m.iter().rev().take(2).rev().map(|x| x.3.as_str()).collect();
    assert_eq!(tail, ["User requested shutdown...", "Redis is now ready to exit, bye bye..."]);
}

#[test]
fn config_set_loglevel_takes_effect_at_once() {
    let dir = scratch_dir("log-level");
    let p = spawn(&dir, &["--loglevel", "notice"]);
    let mut c = p.conn();
    assert!(!p.log_text().contains("Accepted "), "verbose line at notice");
    let _: () =
        redis::cmd("CONFIG").arg("SET").arg("loglevel").arg("verbose").query(&mut c).unwrap();
    let _c2 = p.conn();
    let mut p = p;
    let log = p.wait_for_line("Accepted 127.0.0.1:");
    let line = log.lines().find(|l| l.contains("Accepted 127.0.0.1:")).unwrap();
    assert_eq!(parse_line(line).map(|x| x.2), Some('-'), "{line}");
}

#[test]
fn a_taken_port_fails_with_redis_words() {
    let held = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = held.local_addr().unwrap().port().to_string();
    let (code, out) = run_to_exit(&["--port", &port, "--bind", "127.0.0.1", "--save", ""]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!(
            "# Warning: Could not create server TCP listening socket 127.0.0.1:{port}: bind: Address already in use"
        )),
        "{out}"
    );
    assert!(out.contains(&format!("# Failed listening on port {port} (TCP), aborting.")), "{out}");
}

#[test]
fn crash_report_on_sigabrt_and_debug_segfault() {
    use std::os::unix::process::ExitStatusExt;
    let dir = scratch_dir("log-crash-abrt");
    let mut p = spawn(&dir, &[]);
    p.signal(libc::SIGABRT);
    let st = p.child.wait().unwrap();
    assert_eq!(st.signal(), Some(libc::SIGABRT), "dies of the same signal");
    let log = p.log_text();
    assert!(
        log.contains("=== REDIS BUG REPORT START: Cut & paste starting from here ==="),
        "{log}"
    );
    let line = log.lines().find(|l| l.contains("crashed by signal")).expect(&log);
    let (pid, role, level, msg) = parse_line(line).expect(line);
    assert_eq!((pid, role, level), (p.child.id(), 'M', '#'));
    assert_eq!(msg, "Redis 7.0.15 crashed by signal: 6, si_code: 0");
    assert!(log.contains(&format!("# Killed by PID: {}, UID: ", std::process::id())), "{log}");
    assert!(log.contains("=== REDIS BUG REPORT END."), "{log}");

    let dir = scratch_dir("log-crash-segv");
    let mut p = spawn(&dir, &["--enable-debug-command", "yes"]);
    let mut c = p.conn();
    let _ = redis::cmd("DEBUG").arg("SEGFAULT").query::<redis::Value>(&mut c);
    let st = p.child.wait().unwrap();
    assert_eq!(st.signal(), Some(libc::SIGSEGV));
    let log = p.log_text();
    assert!(log.contains("# Redis 7.0.15 crashed by signal: 11"), "{log}");

    // crash-log-enabled no: no report, the default action alone.
    let dir = scratch_dir("log-crash-off");
    let mut p = spawn(&dir, &["--crash-log-enabled", "no"]);
    p.signal(libc::SIGABRT);
    assert_eq!(p.child.wait().unwrap().signal(), Some(libc::SIGABRT));
    assert!(!p.log_text().contains("crashed by signal"));
}

#[test]
fn daemonize_writes_and_removes_the_pid_file() {
    use std::time::{Duration, Instant};
    let dir = scratch_dir("log-daemon");
    let (log, pidfile) = (dir.join("server.log"), dir.join("server.pid"));
    let (code, out) = run_to_exit(&[
        "--port",
        "0",
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--daemonize",
        "yes",
        "--pidfile",
        pidfile.to_str().unwrap(),
        "--logfile",
        log.to_str().unwrap(),
    ]);
    assert_eq!((code, out.as_str()), (0, ""), "the parent returns at once, silently");
    let deadline = Instant::now() + Duration::from_secs(10);
    let text = loop {
        let t = std::fs::read_to_string(&log).unwrap_or_default();
        if t.contains("Ready to accept connections") {
            break t;
        }
        assert!(Instant::now() < deadline, "{t}");
        std::thread::sleep(Duration::from_millis(20));
    };
    let pid: u32 = std::fs::read_to_string(&pidfile).unwrap().trim().parse().unwrap();
    assert!(text.lines().all(|l| l.starts_with(&format!("{pid}:"))), "{text}");
    let port: u16 = text.split("port=").nth(1).unwrap().split('.').next().unwrap().parse().unwrap();
    let mut c = redis::Client::open(format!("redis://127.0.0.1:{port}/"))
        .unwrap()
        .get_connection()
        .unwrap();
    let got: Vec<String> = redis::cmd("CONFIG").arg("GET").arg("daemonize").query(&mut c).unwrap();
    assert_eq!(got, ["daemonize", "yes"]);
    let _ = redis::cmd("SHUTDOWN").arg("NOSAVE").query::<redis::Value>(&mut c);
    let deadline = Instant::now() + Duration::from_secs(10);
    let text = loop {
        let t = std::fs::read_to_string(&log).unwrap();
        if t.contains("bye bye") {
            break t;
        }
        assert!(Instant::now() < deadline, "{t}");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(!pidfile.exists(), "pid file left behind");
    let m = messages(&text);
    let tail: Vec<&str> = m.iter().rev().take(3).rev().map(|x| x.3.as_str()).collect();
    assert_eq!(
        tail,
        [
            "User requested shutdown...",
            "Removing the pid file.",
            "Redis is now ready to exit, bye bye..."
        ]
    );
}

#[test]
fn crash_log_enabled_is_applied_at_runtime() {
    use std::os::unix::process::ExitStatusExt;
    let dir = scratch_dir("log-crash-runtime");
    let mut p = spawn(&dir, &["--crash-log-enabled", "no"]);
    let mut c = p.conn();
    let _: () =
        redis::cmd("CONFIG").arg("SET").arg("crash-log-enabled").arg("yes").query(&mut c).unwrap();
    p.signal(libc::SIGABRT);
    assert_eq!(p.child.wait().unwrap().signal(), Some(libc::SIGABRT));
    assert!(p.log_text().contains("# Redis 7.0.15 crashed by signal: 6"), "{}", p.log_text());
}

#[test]
fn client_limit_lines_carry_the_client_list_line() {
    let dir = scratch_dir("log-limits");
    let mut p = spawn(&dir, &["--client-output-buffer-limit", "pubsub 1k 0 0"]);
    // Output buffer: a subscriber that gets more than its class allows.
    let mut sub = p.conn();
    let _: redis::Value = redis::cmd("SUBSCRIBE").arg("ch").query(&mut sub).unwrap();
    let mut c = p.conn();
    let _: i64 = redis::cmd("PUBLISH").arg("ch").arg("x".repeat(4096)).query(&mut c).unwrap();
    let log = p.wait_for_line("for overcoming of output buffer limits.");
    let line = log.lines().find(|l| l.contains("for overcoming of output buffer limits.")).unwrap();
    let msg = parse_line(line).expect(line).3;
    assert!(msg.starts_with("Client id="), "{msg}");
    assert!(msg.contains(" laddr=127.0.0.1:") && msg.contains(" cmd=subscribe "), "{msg}");
    assert!(msg.ends_with(" scheduled to be closed ASAP for overcoming of output buffer limits."));
}

#[test]
fn verbose_lines_for_closed_connections_and_protocol_errors() {
    use std::io::{Read, Write};
    let dir = scratch_dir("log-verbose");
    let mut p = spawn(&dir, &["--loglevel", "verbose"]);
    {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", p.port)).unwrap();
        s.write_all(b"PING\r\n").unwrap();
        let mut b = [0u8; 7];
        s.read_exact(&mut b).unwrap();
    }
    let log = p.wait_for_line("Client closed connection id=");
    let line = log.lines().find(|l| l.contains("Client closed connection")).unwrap();
    assert_eq!(parse_line(line).map(|x| x.2), Some('-'), "{line}");
    assert!(line.contains(" laddr=127.0.0.1:"), "{line}");

    let mut s = std::net::TcpStream::connect(("127.0.0.1", p.port)).unwrap();
    s.write_all(b"*1\r\n$x\r\n").unwrap();
    let mut reply = String::new();
    let _ = s.read_to_string(&mut reply);
    assert_eq!(reply, "-ERR Protocol error: invalid bulk length\r\n");
    let log = p.wait_for_line("Protocol error (invalid bulk length) from client: id=");
    let line = log.lines().find(|l| l.contains("Protocol error (")).unwrap();
    let msg = parse_line(line).expect(line).3;
    assert!(msg.contains(". Query buffer during protocol error: '"), "{msg}");
}

#[test]
fn open_files_limit_follows_maxclients() {
    use std::os::unix::process::CommandExt;
    let dir = scratch_dir("log-nofile");
    let p = common::process::spawn_with(&dir, &["--maxclients", "1000"], |cmd| {
        // SAFETY: setrlimit only, between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                let l = libc::rlimit { rlim_cur: 100, rlim_max: 100 };
                libc::setrlimit(libc::RLIMIT_NOFILE, &l);
                Ok(())
            });
        }
    });
    let mut c = p.conn();
    let got: Vec<String> = redis::cmd("CONFIG").arg("GET").arg("maxclients").query(&mut c).unwrap();
    let log = p.log_text();
    if log
        .contains("Increased maximum number of open files to 1032 (it was originally set to 100).")
    {
        // Privileged: the hard limit could be raised.
        assert_eq!(got[1], "1000", "{log}");
    } else {
        // Not privileged: maxclients shrinks to fit 100 descriptors.
        assert!(
            log.contains(
                "# You requested maxclients of 1000 requiring at least 1032 max file descriptors."
            ),
            "{log}"
        );
        assert!(
            log.contains("maxclients has been reduced to 68 to compensate for low ulimit."),
            "{log}"
        );
        assert_eq!(got[1], "68");
    }
}

#[test]
fn sighup_is_ignored() {
    let dir = scratch_dir("log-sighup");
    let mut p = spawn(&dir, &[]);
    p.signal(libc::SIGHUP);
    let mut c = p.conn();
    let pong: String = redis::cmd("PING").query(&mut c).unwrap();
    assert_eq!(pong, "PONG");
    assert!(p.child.try_wait().unwrap().is_none());
}

#[test]
fn periodic_cron_lines_at_verbose_and_debug() {
    let dir = scratch_dir("log-cron");
    let mut p = spawn(&dir, &["--loglevel", "debug"]);
    let log = p.wait_for_line(" clients connected (0 replicas), ");
    let line = log.lines().find(|l| l.contains("clients connected")).unwrap();
    let (_, _, level, msg) = parse_line(line).expect(line);
    assert_eq!(level, '.');
    assert!(msg.ends_with(" bytes in use"), "{msg}");
    let mut c = p.conn();
    let _: () = redis::cmd("SET").arg("k").arg("v").arg("EX").arg("100").query(&mut c).unwrap();
    let _: () = redis::cmd("SET").arg("k2").arg("v").query(&mut c).unwrap();
    // The next 5-second round names the keys.
    let log = p.wait_for_line("DB 0: 2 keys (1 volatile) in ");
    let line = log.lines().find(|l| l.contains("DB 0: 2 keys")).unwrap();
    assert_eq!(parse_line(line).map(|x| x.2), Some('-'), "{line}");
    assert!(line.ends_with(" slots HT."), "{line}");
}
