//! `unixsocket` / `unixsocketperm`: a unix listener beside TCP on the same loop, its clients
//! alike to TCP clients (CLIENT LIST addr/laddr and flag `U`, CLIENT KILL, maxclients, the
//! busy-script path), the socket file's life (permissions, stale file, removal at shutdown)
//! and Redis's startup error.
mod common;

use std::io::{Read, Write};
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::process::{run_to_exit, scratch_dir, Proc};
use common::resp;
use ferrodis::config::Config;
use ferrodis::server::Server;

/// An in-process server on a free TCP port (None: unix socket only, `port 0`) and `sock`.
fn start(sock: &Path, tcp: bool, opts: &[&str]) -> Option<std::net::SocketAddr> {
    let port = if tcp {
        std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
    } else {
        0
    };
    let mut args: Vec<String> = vec!["--port".into(), port.to_string()];
    args.extend(["--bind", "127.0.0.1", "--unixsocket"].map(String::from));
    args.push(sock.to_str().unwrap().into());
    args.extend(opts.iter().map(|s| s.to_string()));
    let server = Server::bind(Config::from_args(&args).unwrap()).expect("bind");
    assert_eq!(server.unix_path(), sock.to_str());
    let addr = tcp.then(|| server.local_addr());
    assert_eq!(server.port(), port);
    std::thread::spawn(move || server.run());
    addr
}

/// The binary, listening on `sock` only (`port 0`), ready.
fn spawn(dir: &Path, sock: &Path, opts: &[&str]) -> Proc {
    let log = dir.join("server.log");
    let child = Command::new(env!("CARGO_BIN_EXE_ferrodis"))
        .args(["--port", "0", "--save", "", "--dir"])
        .arg(dir)
        .arg("--logfile")
        .arg(&log)
        .arg("--unixsocket")
        .arg(sock)
        .args(opts)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn ferrodis");
    let mut p = Proc { child, log, port: 0 };
    let line = format!("The server is now ready to accept connections at {}", sock.display());
    let text = p.wait_for_line(&line);
    // Redis logs its TCP line only when it listens on TCP.
    assert!(!text.contains("Ready to accept connections"), "{text}");
    assert!(text.contains("Running mode=standalone, port=0."), "{text}");
    p
}

fn unix(sock: &Path) -> UnixStream {
    let s = UnixStream::connect(sock).unwrap();
    s.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
    s
}

/// Bytes that make one whole RESP2 reply of the simple kinds or a bulk (arrays are read
/// with the `redis` crate).
fn complete(b: &[u8]) -> bool {
    let Some(eol) = b.windows(2).position(|w| w == b"\r\n") else { return false };
    assert_ne!(b[0], b'*', "ask() reads no arrays");
    if b[0] != b'$' {
        return true;
    }
    let n: i64 = std::str::from_utf8(&b[1..eol]).unwrap().parse().unwrap();
    n < 0 || b.len() >= eol + 2 + n as usize + 2
}

/// Send one command and read its reply (2 s at most); "" when the server closed.
fn ask(s: &mut UnixStream, words: &[&str]) -> String {
    let args: Vec<&[u8]> = words.iter().map(|w| w.as_bytes()).collect();
    s.write_all(&resp(&args)).unwrap();
    read_reply(s)
}

fn read_reply(s: &mut UnixStream) -> String {
    let deadline = Instant::now() + Duration::from_secs(2);
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    while Instant::now() < deadline && (out.is_empty() || !complete(&out)) {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e)
                if e.kind() == std::io::ErrorKind::WouldBlock
                    || e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(_) => break,
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn closed_within(s: &mut UnixStream, wait: Duration) -> bool {
    let deadline = Instant::now() + wait;
    let mut buf = [0u8; 256];
    while Instant::now() < deadline {
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(e)
                if e.kind() == std::io::ErrorKind::WouldBlock
                    || e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(_) => return true,
        }
    }
    false
}

fn url(sock: &Path) -> String {
    format!("redis+unix://{}", sock.display())
}

/// `key=value` fields of one CLIENT LIST line.
fn fields(line: &str) -> Vec<(String, String)> {
    line.trim()
        .split(' ')
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap();
            (k.to_string(), v.to_string())
        })
        .collect()
}

fn field(line: &str, name: &str) -> String {
    fields(line).into_iter().find(|(k, _)| k == name).map(|(_, v)| v).unwrap()
}

fn sock_in(name: &str) -> (PathBuf, PathBuf) {
    let dir = scratch_dir(name);
    let sock = dir.join("s.sock");
    (dir, sock)
}

#[test]
fn unix_only_server_speaks_resp_and_the_redis_crate() {
    let (dir, sock) = sock_in("unix-only");
    let _p = spawn(&dir, &sock, &[]);
    let mut s = unix(&sock);
    assert_eq!(ask(&mut s, &["PING"]), "+PONG\r\n");
    assert_eq!(ask(&mut s, &["SET", "k", "v"]), "+OK\r\n");
    assert_eq!(ask(&mut s, &["GET", "k"]), "$1\r\nv\r\n");
    let info = ask(&mut s, &["INFO", "server"]);
    assert!(info.contains("tcp_port:0\r\n"), "{info}");

    let mut c = redis::Client::open(url(&sock)).unwrap().get_connection().unwrap();
    let v: String = redis::cmd("GET").arg("k").query(&mut c).unwrap();
    assert_eq!(v, "v");
    let got: Vec<String> = redis::cmd("CONFIG").arg("GET").arg("unixsocket").query(&mut c).unwrap();
    assert_eq!(got, vec!["unixsocket".to_string(), sock.display().to_string()]);
    let mut c3 = redis::Client::open(format!("{}?protocol=resp3", url(&sock)))
        .unwrap()
        .get_connection()
        .unwrap();
    let n: i64 = redis::cmd("INCR").arg("n").query(&mut c3).unwrap();
    assert_eq!(n, 1);
}

#[test]
fn client_list_shows_the_socket_path_and_flag_u() {
    let (_dir, sock) = sock_in("unix-list");
    let tcp = start(&sock, true, &[]).unwrap();
    let path = sock.display().to_string();
    let mut u = unix(&sock);
    let line = ask(&mut u, &["CLIENT", "INFO"]);
    let line = line.split("\r\n").nth(1).unwrap();
    assert_eq!(field(line, "addr"), format!("{path}:0"));
    assert_eq!(field(line, "laddr"), format!("{path}:0"));
    assert_eq!(field(line, "flags"), "U");
    assert!(field(line, "fd").parse::<i32>().unwrap() > 0);

    // A TCP client beside it keeps its ip:port and no U.
    let mut t = redis::Client::open(format!("redis://{tcp}/")).unwrap().get_connection().unwrap();
    let list: String = redis::cmd("CLIENT").arg("LIST").query(&mut t).unwrap();
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 2, "{list}");
    assert_eq!(field(lines[0], "flags"), "U");
    assert_eq!(field(lines[1], "flags"), "N");
    assert_eq!(field(lines[1], "laddr"), tcp.to_string());

    // Flags combine in Redis's order (x before U).
    assert_eq!(ask(&mut u, &["MULTI"]), "+OK\r\n");
    let list: String = redis::cmd("CLIENT").arg("LIST").query(&mut t).unwrap();
    assert_eq!(field(list.lines().next().unwrap(), "flags"), "xU");
    assert_eq!(ask(&mut u, &["DISCARD"]), "+OK\r\n");

    // The oracle's fields, in the oracle's order, with the same address form.
    if let Some(oracle) = oracle_unix_client_info() {
        // ferrodis adds 7.2's lib-name/lib-ver at the end (CLIENT SETINFO); the rest matches.
        let names = |l: &str| {
            fields(l)
                .into_iter()
                .map(|(k, _)| k)
                .filter(|k| !k.starts_with("lib-"))
                .collect::<Vec<_>>()
        };
        assert_eq!(names(line), names(&oracle));
        assert_eq!(field(&oracle, "flags"), "U");
        let oaddr = field(&oracle, "addr");
        assert!(oaddr.ends_with(".sock:0") && oaddr == field(&oracle, "laddr"), "{oracle}");
    }
}

/// CLIENT INFO of a unix socket client of redis-server 7.0.15, when it is installed.
fn oracle_unix_client_info() -> Option<String> {
    let (dir, sock) = sock_in("unix-oracle");
    let mut child = Command::new("redis-server")
        .args(["--port", "0", "--save", "", "--daemonize", "no", "--unixsocket"])
        .arg(&sock)
        .arg("--dir")
        .arg(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut out = None;
    while Instant::now() < deadline {
        if let Ok(mut s) = UnixStream::connect(&sock) {
            s.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
            let r = ask(&mut s, &["CLIENT", "INFO"]);
            out = r.split("\r\n").nth(1).map(str::to_string);
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    out
}

#[test]
fn client_kill_by_addr_laddr_and_type_reaches_unix_clients() {
    let (_dir, sock) = sock_in("unix-kill");
    let tcp = start(&sock, true, &[]).unwrap();
    let addr = format!("{}:0", sock.display());
    let mut t = redis::Client::open(format!("redis://{tcp}/")).unwrap().get_connection().unwrap();
    let kill = |t: &mut redis::Connection, words: &[&str]| -> redis::Value {
        common::cmd(words).query(t).unwrap()
    };

    let mut a = unix(&sock);
    assert_eq!(ask(&mut a, &["PING"]), "+PONG\r\n");
    assert_eq!(kill(&mut t, &["CLIENT", "KILL", "ADDR", &addr]), redis::Value::Int(1));
    assert!(closed_within(&mut a, Duration::from_secs(2)));

    let mut b = unix(&sock);
    assert_eq!(ask(&mut b, &["PING"]), "+PONG\r\n");
    assert_eq!(kill(&mut t, &["CLIENT", "KILL", "LADDR", &addr]), redis::Value::Int(1));
    assert!(closed_within(&mut b, Duration::from_secs(2)));

    // The old form names the address alone.
    let mut c = unix(&sock);
    assert_eq!(ask(&mut c, &["PING"]), "+PONG\r\n");
    assert_eq!(kill(&mut t, &["CLIENT", "KILL", &addr]), redis::Value::Okay);
    assert!(closed_within(&mut c, Duration::from_secs(2)));

    // TYPE normal takes the unix client and skips the caller (TCP).
    let mut d = unix(&sock);
    assert_eq!(ask(&mut d, &["PING"]), "+PONG\r\n");
    assert_eq!(kill(&mut t, &["CLIENT", "KILL", "TYPE", "normal"]), redis::Value::Int(1));
    assert!(closed_within(&mut d, Duration::from_secs(2)));

    // From the unix side, its own address skips itself (skipme) and finds no other.
    let mut e = unix(&sock);
    assert_eq!(ask(&mut e, &["CLIENT", "KILL", "ADDR", &addr]), ":0\r\n");
}

#[test]
fn unix_clients_count_as_local() {
    let (_dir, sock) = sock_in("unix-local");
    // Protected mode is on by default and no password is set: unix clients still get in,
    // and `enable-debug-command local` lets them run DEBUG.
    start(&sock, false, &["--protected-mode", "yes", "--enable-debug-command", "local"]);
    let mut s = unix(&sock);
    assert_eq!(ask(&mut s, &["PING"]), "+PONG\r\n");
    assert_eq!(ask(&mut s, &["DEBUG", "SLEEP", "0"]), "+OK\r\n");
}

#[test]
fn maxclients_limits_unix_clients_too() {
    let (_dir, sock) = sock_in("unix-max");
    start(&sock, false, &["--maxclients", "1"]);
    let mut a = unix(&sock);
    assert_eq!(ask(&mut a, &["PING"]), "+PONG\r\n");
    let mut b = unix(&sock);
    assert_eq!(read_reply(&mut b), "-ERR max number of clients reached\r\n");
    assert!(closed_within(&mut b, Duration::from_secs(2)));
    assert_eq!(ask(&mut a, &["PING"]), "+PONG\r\n");
}

#[test]
fn unix_clients_are_served_while_a_script_is_busy() {
    let (_dir, sock) = sock_in("unix-busy");
    start(&sock, false, &["--busy-reply-threshold", "50"]);
    let mut runner = unix(&sock);
    runner.write_all(&resp(&[b"EVAL", b"while true do end", b"0"])).unwrap();
    // A client that connects during the script is accepted and told the server is busy.
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut s;
    loop {
        std::thread::sleep(Duration::from_millis(60));
        s = unix(&sock);
        let r = ask(&mut s, &["PING"]);
        if r.starts_with("-BUSY") {
            break;
        }
        assert!(Instant::now() < deadline, "never BUSY: {r:?}");
    }
    assert_eq!(ask(&mut s, &["SCRIPT", "KILL"]), "+OK\r\n");
    let r = read_reply(&mut runner);
    assert!(r.contains("Script killed by user"), "{r}");
    assert_eq!(ask(&mut s, &["PING"]), "+PONG\r\n");
}

#[test]
fn unixsocketperm_sets_the_mode_and_a_stale_file_is_replaced() {
    let (dir, sock) = sock_in("unix-perm");
    // A leftover regular file where the socket goes, as after a crash.
    std::fs::write(&sock, b"stale").unwrap();
    let _p = spawn(&dir, &sock, &["--unixsocketperm", "700"]);
    let md = std::fs::metadata(&sock).unwrap();
    assert!(md.file_type().is_socket());
    assert_eq!(md.permissions().mode() & 0o777, 0o700);
    let mut c = redis::Client::open(url(&sock)).unwrap().get_connection().unwrap();
    let got: Vec<String> = common::q(&mut c, &["CONFIG", "GET", "unixsocketperm"]);
    assert_eq!(got, ["unixsocketperm", "700"]);
}

#[test]
fn the_socket_file_is_removed_at_shutdown() {
    let (dir, sock) = sock_in("unix-term");
    let mut p = spawn(&dir, &sock, &[]);
    assert!(sock.exists());
    p.signal(libc::SIGTERM);
    assert_eq!(p.wait_exit(), 0);
    assert!(!sock.exists());
    let log = p.log_text();
    let pos = |needle: &str| log.find(needle).unwrap_or_else(|| panic!("{needle}:\n{log}"));
    assert!(pos("Removing the unix socket file.") < pos("Redis is now ready to exit, bye bye..."));

    // SHUTDOWN from a unix client does the same.
    let (dir, sock) = sock_in("unix-shutdown");
    let mut p = spawn(&dir, &sock, &[]);
    let mut s = unix(&sock);
    let _ = ask(&mut s, &["SHUTDOWN", "NOSAVE"]);
    assert_eq!(p.wait_exit(), 0);
    assert!(!sock.exists());
}

#[test]
fn an_unusable_path_fails_startup_like_redis() {
    let (dir, _) = sock_in("unix-fail");
    let bad = dir.join("no-such-dir").join("s.sock");
    let (code, out) =
        run_to_exit(&["--port", "0", "--save", "", "--unixsocket", bad.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("# Failed opening Unix socket: bind: No such file or directory"), "{out}");
    assert!(!out.contains("Server initialized"), "{out}");
}

#[test]
fn redis_cli_connects_with_dash_s() {
    let (_dir, sock) = sock_in("unix-cli");
    start(&sock, false, &[]);
    let Ok(out) = Command::new("redis-cli").arg("-s").arg(&sock).args(["SET", "a", "1"]).output()
    else {
        return; // redis-cli not installed
    };
    assert_eq!(String::from_utf8_lossy(&out.stdout), "OK\n");
    let out = Command::new("redis-cli").arg("-s").arg(&sock).args(["CLIENT", "INFO"]).output();
    let text = String::from_utf8_lossy(&out.unwrap().stdout).into_owned();
    assert!(text.contains(&format!("addr={}:0 ", sock.display())), "{text}");
}

#[test]
fn monitor_names_unix_clients_by_socket() {
    let (_dir, sock) = sock_in("unix-monitor");
    start(&sock, false, &[]);
    let mut m = unix(&sock);
    assert_eq!(ask(&mut m, &["MONITOR"]), "+OK\r\n");
    let mut s = unix(&sock);
    assert_eq!(ask(&mut s, &["SET", "k", "v"]), "+OK\r\n");
    let line = read_reply(&mut m);
    let want = format!("[0 unix:{}] \"SET\" \"k\" \"v\"\r\n", sock.display());
    assert!(line.ends_with(&want), "{line:?}");
}

#[test]
fn an_empty_bind_leaves_the_unix_socket_only() {
    let (_dir, sock) = sock_in("unix-bind");
    let tcp = start(&sock, true, &[]).unwrap();
    let mut u = unix(&sock);
    assert_eq!(ask(&mut u, &["CONFIG", "SET", "bind", ""]), "+OK\r\n");
    let refused = std::net::TcpStream::connect(tcp).unwrap_err();
    assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused);
    assert_eq!(ask(&mut u, &["PING"]), "+PONG\r\n");
    assert_eq!(ask(&mut u, &["CONFIG", "SET", "bind", "127.0.0.1"]), "+OK\r\n");
    let mut t = redis::Client::open(format!("redis://{tcp}/")).unwrap().get_connection().unwrap();
    let pong: String = common::q(&mut t, &["PING"]);
    assert_eq!(pong, "PONG");
}

#[test]
fn a_server_with_nowhere_to_listen_exits_like_redis() {
    let (code, out) = run_to_exit(&["--port", "6399", "--bind", "", "--save", ""]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("# Configured to not listen anywhere, exiting."), "{out}");
}
