//! RDB files: the golden files Redis 7.0 wrote (tests/rdb/, made by make_golden.sh) load with
//! the digest Redis reported; SAVE + restart, DEBUG RELOAD and SHUTDOWN/SIGTERM keep the data;
//! a truncated or damaged file stops startup with exit 1 and changes nothing; redis-server
//! (when installed) loads ferrodis's file with the same digest.
//!
//! These run the binary as a subprocess: saving and loading use the working directory.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Proc {
    child: Child,
    port: u16,
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn tmpdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ferrodis-rdb-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn spawn(dir: &Path, extra: &[&str]) -> (Child, u16) {
    let port = free_port();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ferrodis"));
    cmd.args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--enable-debug-command", "yes"])
        .arg("--dir")
        .arg(dir)
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    (cmd.spawn().unwrap(), port)
}

/// Start the binary in `dir` and wait until it answers.
fn start(dir: &Path, extra: &[&str]) -> Proc {
    let (child, port) = spawn(dir, extra);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(mut c) = redis::Client::open(format!("redis://127.0.0.1:{port}/"))
            .and_then(|c| c.get_connection())
        {
            if redis::cmd("PING").query::<String>(&mut c).is_ok() {
                return Proc { child, port };
            }
        }
        assert!(Instant::now() < deadline, "server did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
}

impl Proc {
    fn conn(&self) -> redis::Connection {
        redis::Client::open(format!("redis://127.0.0.1:{}/", self.port))
            .unwrap()
            .get_connection()
            .unwrap()
    }

    fn digest(&self) -> String {
        redis::cmd("DEBUG").arg("DIGEST").query(&mut self.conn()).unwrap()
    }

    /// Wait for the process to exit on its own; its exit code and stderr.
    fn wait_exit(mut self) -> (i32, String) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                let mut err = String::new();
                if let Some(mut e) = self.child.stderr.take() {
                    use std::io::Read;
                    let _ = e.read_to_string(&mut err);
                }
                return (st.code().unwrap_or(-1), err);
            }
            assert!(Instant::now() < deadline, "server did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn golden(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/rdb").join(name)
}

fn recorded_digests() -> Vec<(String, String)> {
    std::fs::read_to_string(golden("digests.txt"))
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once(' ').map(|(a, b)| (a.to_string(), b.to_string())))
        .collect()
}

#[test]
fn golden_files_load_with_redis_digest() {
    for (file, digest) in recorded_digests() {
        let dir = tmpdir(&format!("golden-{file}"));
        std::fs::copy(golden(&file), dir.join(&file)).unwrap();
        let srv = start(&dir, &["--dbfilename", &file, "--save", ""]);
        assert_eq!(srv.digest(), digest, "{file}");
        if file == "types.rdb" {
            let mut c = srv.conn();
            let libs: redis::Value = redis::cmd("FUNCTION").arg("LIST").query(&mut c).unwrap();
            assert!(format!("{libs:?}").contains("golden"), "function library loaded: {libs:?}");
            let ttl: i64 = redis::cmd("PEXPIRETIME").arg("ttl").query(&mut c).unwrap();
            assert_eq!(ttl, 4102444800000);
            let pending: Vec<redis::Value> =
                redis::cmd("XPENDING").arg("stream").arg("g1").query(&mut c).unwrap();
            assert_eq!(pending[0], redis::Value::Int(5));
            // Saved again by us and reloaded, nothing changes.
            let _: () = redis::cmd("DEBUG").arg("RELOAD").query(&mut c).unwrap();
            assert_eq!(srv.digest(), digest, "{file} after DEBUG RELOAD");
        }
    }
}

#[test]
fn save_and_restart_keeps_the_data() {
    let dir = tmpdir("restart");
    let srv = start(&dir, &["--save", ""]);
    let mut c = srv.conn();
    for i in 0..2000 {
        let _: () = redis::cmd("RPUSH").arg("l").arg(i).query(&mut c).unwrap();
        let _: () = redis::cmd("HSET").arg("h").arg(format!("f{i}")).arg(i).query(&mut c).unwrap();
        let _: () = redis::cmd("ZADD").arg("z").arg(i).arg(format!("m{i}")).query(&mut c).unwrap();
    }
    let _: () = redis::cmd("SET").arg("gone").arg("x").arg("PX").arg(1).query(&mut c).unwrap();
    let _: () = redis::cmd("SET").arg("stays").arg("x").arg("EX").arg(1000).query(&mut c).unwrap();
    std::thread::sleep(Duration::from_millis(5));
    let info: String = redis::cmd("INFO").arg("persistence").query(&mut c).unwrap();
    assert!(!info.contains("rdb_changes_since_last_save:0\r"), "{info}");
    let _: () = redis::cmd("SAVE").query(&mut c).unwrap();
    let info: String = redis::cmd("INFO").arg("persistence").query(&mut c).unwrap();
    assert!(info.contains("rdb_changes_since_last_save:0\r"), "{info}");
    assert!(info.contains("rdb_saves:1\r"), "{info}");
    let last: i64 = redis::cmd("LASTSAVE").query(&mut c).unwrap();
    assert!(last > 1_600_000_000);
    assert!(dir.join("dump.rdb").exists());
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("temp-"))
        .collect();
    assert!(leftovers.is_empty());
    let _: () = redis::cmd("DEL").arg("gone").query(&mut c).unwrap();
    let before = srv.digest();
    drop(srv);
    let srv = start(&dir, &["--save", ""]);
    assert_eq!(srv.digest(), before);
    let mut c = srv.conn();
    let info: String = redis::cmd("INFO").arg("persistence").query(&mut c).unwrap();
    assert!(info.contains("rdb_last_load_keys_loaded:4\r"), "{info}");
}

#[test]
fn shutdown_and_sigterm_save_when_asked() {
    let dir = tmpdir("shutdown");
    let srv = start(&dir, &["--save", ""]);
    let mut c = srv.conn();
    let _: () = redis::cmd("SET").arg("a").arg("1").query(&mut c).unwrap();
    let _ = redis::cmd("SHUTDOWN").arg("SAVE").query::<redis::Value>(&mut c);
    let (code, _) = srv.wait_exit();
    assert_eq!(code, 0);
    let srv = start(&dir, &["--save", "3600 1"]);
    let mut c = srv.conn();
    let v: String = redis::cmd("GET").arg("a").query(&mut c).unwrap();
    assert_eq!(v, "1");
    let _: () = redis::cmd("SET").arg("b").arg("2").query(&mut c).unwrap();
    unsafe { libc::kill(srv.child.id() as i32, libc::SIGTERM) };
    let (code, _) = srv.wait_exit();
    assert_eq!(code, 0);
    // NOSAVE keeps the file as it was.
    let srv = start(&dir, &["--save", "3600 1"]);
    let mut c = srv.conn();
    let v: String = redis::cmd("GET").arg("b").query(&mut c).unwrap();
    assert_eq!(v, "2");
    let _: () = redis::cmd("SET").arg("c").arg("3").query(&mut c).unwrap();
    let _ = redis::cmd("SHUTDOWN").arg("NOSAVE").query::<redis::Value>(&mut c);
    srv.wait_exit();
    let srv = start(&dir, &["--save", ""]);
    assert_eq!(redis::cmd("EXISTS").arg("c").query::<i64>(&mut srv.conn()).unwrap(), 0);
}

#[test]
fn shutdown_on_sigterm_flags_decide_whether_a_signal_saves() {
    let dir = tmpdir("sigflags");
    // `save` saves without save points.
    let srv = start(&dir, &["--save", "", "--shutdown-on-sigterm", "save"]);
    let _: () = redis::cmd("SET").arg("a").arg("1").query(&mut srv.conn()).unwrap();
    unsafe { libc::kill(srv.child.id() as i32, libc::SIGTERM) };
    assert_eq!(srv.wait_exit().0, 0);
    assert!(dir.join("dump.rdb").exists(), "SIGTERM with `save` wrote no file");
    // `nosave` does not save even with save points.
    let srv = start(&dir, &["--save", "3600 1", "--shutdown-on-sigterm", "nosave"]);
    let _: () = redis::cmd("SET").arg("b").arg("2").query(&mut srv.conn()).unwrap();
    unsafe { libc::kill(srv.child.id() as i32, libc::SIGTERM) };
    assert_eq!(srv.wait_exit().0, 0);
    let srv = start(&dir, &["--save", ""]);
    let mut c = srv.conn();
    assert_eq!(redis::cmd("EXISTS").arg("a").query::<i64>(&mut c).unwrap(), 1);
    assert_eq!(redis::cmd("EXISTS").arg("b").query::<i64>(&mut c).unwrap(), 0);
}

#[test]
fn flushall_counts_its_keys_and_saves_with_save_points() {
    let dir = tmpdir("flushall");
    let srv = start(&dir, &["--save", ""]);
    let mut c = srv.conn();
    let changes = |c: &mut redis::Connection| -> String {
        let info: String = redis::cmd("INFO").arg("persistence").query(c).unwrap();
        info.lines().find_map(|l| l.strip_prefix("rdb_changes_since_last_save:")).unwrap().into()
    };
    let _: () = redis::cmd("SAVE").query(&mut c).unwrap();
    let _: () = redis::cmd("FLUSHALL").query(&mut c).unwrap();
    assert_eq!(changes(&mut c), "0", "flushing nothing changes nothing");
    let _: () = redis::cmd("SET").arg("a").arg("1").query(&mut c).unwrap();
    let _: () = redis::cmd("FLUSHALL").query(&mut c).unwrap();
    assert_eq!(changes(&mut c), "2");
    let _: () = redis::cmd("CONFIG").arg("SET").arg("save").arg("3600 1").query(&mut c).unwrap();
    let _: () = redis::cmd("SET").arg("a").arg("1").query(&mut c).unwrap();
    let _: () = redis::cmd("FLUSHALL").query(&mut c).unwrap();
    assert_eq!(changes(&mut c), "0", "FLUSHALL saved the empty dataset");
}

#[test]
fn a_failed_save_is_reported_and_refuses_shutdown() {
    let dir = tmpdir("savefail");
    let srv = start(&dir, &["--save", "3600 1"]);
    // A non-empty directory where the file should go: the final rename fails.
    std::fs::create_dir_all(dir.join("dump.rdb").join("x")).unwrap();
    let mut c = srv.conn();
    let e = redis::cmd("SAVE").query::<redis::Value>(&mut c).unwrap_err();
    assert_eq!(e.code(), Some("ERR"), "{e}");
    let info: String = redis::cmd("INFO").arg("persistence").query(&mut c).unwrap();
    assert!(info.contains("rdb_last_bgsave_status:ok\r"), "a foreground failure: {info}");
    let started: String = redis::cmd("BGSAVE").query(&mut c).unwrap();
    assert_eq!(started, "Background saving started");
    wait_bgsave(&mut c);
    let info: String = redis::cmd("INFO").arg("persistence").query(&mut c).unwrap();
    assert!(info.contains("rdb_last_bgsave_status:err\r"), "{info}");
    // stop-writes-on-bgsave-error: writes and PING are refused, reads are not.
    let e = redis::cmd("SET").arg("k").arg("v").query::<redis::Value>(&mut c).unwrap_err();
    assert_eq!(e.code(), Some("MISCONF"), "{e}");
    let e = redis::cmd("PING").query::<redis::Value>(&mut c).unwrap_err();
    assert_eq!(e.code(), Some("MISCONF"), "{e}");
    assert_eq!(redis::cmd("EXISTS").arg("k").query::<i64>(&mut c).unwrap(), 0);
    let _: () = redis::cmd("CONFIG")
        .arg("SET")
        .arg("stop-writes-on-bgsave-error")
        .arg("no")
        .query(&mut c)
        .unwrap();
    let _: () = redis::cmd("SET").arg("k").arg("v").query(&mut c).unwrap();
    for words in [&["SHUTDOWN"][..], &["SHUTDOWN", "SAVE"], &["SHUTDOWN", "save", "now"]] {
        let mut cmd = redis::cmd(words[0]);
        cmd.arg(&words[1..]);
        let e = cmd.query::<redis::Value>(&mut c).unwrap_err();
        assert!(format!("{e}").contains("Errors trying to SHUTDOWN. Check logs."), "{e}");
    }
    // No temp file is left behind.
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["dump.rdb".to_string()]);
    let _ = redis::cmd("SHUTDOWN").arg("NOSAVE").query::<redis::Value>(&mut c);
    assert_eq!(srv.wait_exit().0, 0);
}

fn wait_bgsave(c: &mut redis::Connection) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let info: String = redis::cmd("INFO").arg("persistence").query(c).unwrap();
        if info.contains("rdb_bgsave_in_progress:0\r") {
            return;
        }
        assert!(Instant::now() < deadline, "BGSAVE did not end");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn bgsave_and_save_points_write_the_file() {
    let dir = tmpdir("bgsave");
    let srv = start(&dir, &["--save", ""]);
    let mut c = srv.conn();
    for i in 0..500 {
        let _: () = redis::cmd("SADD").arg("s").arg(format!("m{i}")).query(&mut c).unwrap();
    }
    let r: String = redis::cmd("BGSAVE").query(&mut c).unwrap();
    assert_eq!(r, "Background saving started");
    // Either still running (refused, or scheduled with SCHEDULE) or already done.
    match redis::cmd("BGSAVE").query::<String>(&mut c) {
        Ok(s) => assert_eq!(s, "Background saving started"),
        Err(e) => assert!(format!("{e}").contains("Background save already in progress"), "{e}"),
    }
    let e = redis::cmd("BGSAVE").arg("bogus").query::<redis::Value>(&mut c).unwrap_err();
    assert!(format!("{e}").contains("syntax error"), "{e}");
    wait_bgsave(&mut c);
    let info: String = redis::cmd("INFO").arg("persistence").query(&mut c).unwrap();
    assert!(info.contains("rdb_last_bgsave_status:ok\r"), "{info}");
    assert!(info.contains("rdb_changes_since_last_save:0\r"), "{info}");
    let digest = srv.digest();
    drop(srv);
    // Save points: one change is enough after one second.
    let srv = start(&dir, &["--save", "1 1"]);
    assert_eq!(srv.digest(), digest);
    let mut c = srv.conn();
    let before = std::fs::metadata(dir.join("dump.rdb")).unwrap().modified().unwrap();
    let _: () = redis::cmd("SET").arg("later").arg("1").query(&mut c).unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let info: String = redis::cmd("INFO").arg("persistence").query(&mut c).unwrap();
        if info.contains("rdb_changes_since_last_save:0\r")
            && info.contains("rdb_bgsave_in_progress:0\r")
        {
            break;
        }
        assert!(Instant::now() < deadline, "the save point never fired: {info}");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(std::fs::metadata(dir.join("dump.rdb")).unwrap().modified().unwrap() >= before);
    let d2 = srv.digest();
    drop(srv);
    let srv = start(&dir, &["--save", ""]);
    assert_eq!(srv.digest(), d2);
}

#[test]
fn damaged_files_stop_startup() {
    let good = std::fs::read(golden("types.rdb")).unwrap();
    let mut cases: Vec<Vec<u8>> =
        vec![good[..good.len() / 2].to_vec(), good[..good.len() - 3].to_vec()];
    let mut flipped = good.clone();
    flipped[good.len() / 3] ^= 0x10;
    cases.push(flipped);
    cases.push(b"REDIS0011".to_vec());
    for (i, bytes) in cases.iter().enumerate() {
        let dir = tmpdir(&format!("damaged-{i}"));
        std::fs::write(dir.join("dump.rdb"), bytes).unwrap();
        let (child, port) = spawn(&dir, &["--save", ""]);
        let p = Proc { child, port };
        let (code, err) = p.wait_exit();
        assert_eq!(code, 1, "case {i}: {err}");
        assert!(!err.contains("panicked"), "case {i}: {err}");
        // The file is left as it was.
        assert_eq!(&std::fs::read(dir.join("dump.rdb")).unwrap(), bytes);
    }
}

/// Every truncation of a small file is refused: checked in-process against the decoder.
#[test]
fn every_truncation_is_refused() {
    let good = std::fs::read(golden("types.rdb")).unwrap();
    let cfg = ferrodis::config::Config::from_args(&[]).unwrap();
    let lc = ferrodis::persist::rdb::decode::LoadCfg::new(&cfg);
    assert!(ferrodis::persist::file::decode(&good, &lc, 16, 0, true).is_ok());
    for cut in 0..good.len() {
        assert!(
            ferrodis::persist::file::decode(&good[..cut], &lc, 16, 0, true).is_err(),
            "cut {cut}"
        );
    }
}

#[test]
fn redis_server_loads_our_file() {
    if Command::new("redis-server").arg("--version").output().is_err() {
        eprintln!("redis-server not installed: skipped");
        return;
    }
    let dir = tmpdir("to-redis");
    std::fs::copy(golden("types.rdb"), dir.join("dump.rdb")).unwrap();
    let srv = start(&dir, &["--save", ""]);
    let mut c = srv.conn();
    let _: () = redis::cmd("SET").arg("added").arg("by ferrodis").query(&mut c).unwrap();
    let _: () = redis::cmd("SAVE").query(&mut c).unwrap();
    let ours = srv.digest();
    drop(srv);
    let port = free_port();
    let mut child = Command::new("redis-server")
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--enable-debug-command",
            "yes",
        ])
        .arg("--dir")
        .arg(&dir)
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let digest = loop {
        if let Ok(mut c) = redis::Client::open(format!("redis://127.0.0.1:{port}/"))
            .and_then(|c| c.get_connection())
        {
            if let Ok(d) = redis::cmd("DEBUG").arg("DIGEST").query::<String>(&mut c) {
                break d;
            }
        }
        assert!(Instant::now() < deadline, "redis-server did not start");
        std::thread::sleep(Duration::from_millis(20));
    };
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(digest, ours);
}
