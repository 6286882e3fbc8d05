//! The ferrodis binary as a child process, for what only the process shows: its log, its
//! exit code, its signals.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Proc {
    pub child: Child,
    pub log: PathBuf,
    pub port: u16,
}

/// A private scratch directory under the target directory (no temp-dir crate needed).
pub fn scratch_dir(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "{name}-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Run the binary to completion with `args`; its exit code and everything it printed.
pub fn run_to_exit(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_ferrodis"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run ferrodis");
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

/// Start the binary on a free port with `--logfile` in `dir`, and wait until it is ready.
pub fn spawn(dir: &Path, opts: &[&str]) -> Proc {
    spawn_with(dir, opts, |_| {})
}

/// `spawn`, after `tweak` has adjusted the command (environment, limits).
pub fn spawn_with(dir: &Path, opts: &[&str], tweak: impl FnOnce(&mut Command)) -> Proc {
    let log = dir.join("server.log");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ferrodis"));
    cmd.args(["--port", "0", "--bind", "127.0.0.1", "--save", "", "--dir"])
        .arg(dir)
        .arg("--logfile")
        .arg(&log)
        .args(opts)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    tweak(&mut cmd);
    let child = cmd.spawn().expect("spawn ferrodis");
    let mut p = Proc { child, log, port: 0 };
    p.wait_for_line("Ready to accept connections");
    // The banner names the port: "Running mode=standalone, port=N." or the logo's "Port: N".
    let text = p.log_text();
    let port = text
        .split("port=")
        .nth(1)
        .and_then(|s| s.split('.').next())
        .or_else(|| text.split("Port: ").nth(1).and_then(|s| s.lines().next()))
        .and_then(|s| s.trim().parse().ok())
        .expect("port in the log");
    p.port = port;
    p
}

impl Proc {
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Wait (10 s at most) for a log line containing `needle`; the whole log.
    pub fn wait_for_line(&mut self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let t = self.log_text();
            if t.contains(needle) {
                return t;
            }
            if let Ok(Some(st)) = self.child.try_wait() {
                panic!("server exited ({st}) before logging {needle:?}:\n{t}");
            }
            assert!(Instant::now() < deadline, "no {needle:?} in the log:\n{t}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn conn(&self) -> redis::Connection {
        redis::Client::open(format!("redis://127.0.0.1:{}/", self.port))
            .unwrap()
            .get_connection()
            .unwrap()
    }

    pub fn signal(&self, sig: i32) {
        // SAFETY: kill(2) on our own child's pid.
        unsafe { libc::kill(self.child.id() as i32, sig) };
    }

    /// Wait (10 s at most) for the exit code.
    pub fn wait_exit(&mut self) -> i32 {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                return st.code().unwrap_or(-1);
            }
            assert!(Instant::now() < deadline, "server did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// redis-server 7.0.15 (the oracle) on a free port, killed on drop; None when it is not
/// installed or does not come up.
pub struct Oracle {
    pub child: Child,
    pub port: u16,
}

impl Drop for Oracle {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn start_oracle() -> Option<Oracle> {
    let port = std::net::TcpListener::bind("127.0.0.1:0").ok()?.local_addr().ok()?.port();
    let child = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", ""])
        .args(["--appendonly", "no", "--enable-debug-command", "yes"])
        .args(["--daemonize", "no", "--loglevel", "warning"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some(Oracle { child, port });
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}
