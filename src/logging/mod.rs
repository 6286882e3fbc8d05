//! The server log in Redis's format and words, behind the `log` facade.
//!
//! Every line is `pid:role dd Mon yyyy hh:mm:ss.mmm <level> message`, as Redis's
//! `serverLogRaw` writes it, because operators, their alerting and Redis's own test suite grep
//! these lines. The role is `C` until the server is initialized (Redis compares the pid with
//! `server.pid`, which is set in initServer), then `M`; the level characters are Redis's
//! `.` debug, `-` verbose, `*` notice, `#` warning. `log::Level` maps onto Redis's levels:
//! trace = debug, debug = verbose, info = notice, warn and error = warning.
//!
//! With `logfile ""` lines go to stdout (Redis does the same); otherwise the file is opened
//! for appending on every line, as Redis does, so a rotated log is picked up without a
//! signal. With `syslog-enabled yes` the message (without the prefix) also goes to syslog
//! with `syslog-ident` and `syslog-facility`. The level is `loglevel`, applied through
//! `log::set_max_level`, so CONFIG SET loglevel takes effect at once.
//!
//! The facade needs one process-wide logger; it holds only what `logfile` and `syslog-*`
//! (immutable settings) said at startup, and the role.

pub mod crash;

use std::ffi::CString;
use std::io::Write;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::OnceLock;

use crate::config::{Config, LogLevel, SyslogFacility};

/// Records with this target are written as they are, without the prefix (Redis's LL_RAW),
/// e.g. the ASCII logo.
pub const RAW: &str = "raw";

static LOGGER: OnceLock<Logger> = OnceLock::new();
static ROLE: AtomicU8 = AtomicU8::new(b'C');

struct Logger {
    /// Empty: stdout.
    logfile: String,
    syslog: bool,
}

/// The server's role as the log prefix shows it: `M` master, `S` replica, `C` before the
/// server is initialized (and in a child), `X` sentinel.
pub fn set_role(role: u8) {
    ROLE.store(role, Ordering::Relaxed);
}

/// The `log` filter for a Redis `loglevel`.
pub fn level_filter(level: LogLevel) -> log::LevelFilter {
    match level {
        LogLevel::Debug => log::LevelFilter::Trace,
        LogLevel::Verbose => log::LevelFilter::Debug,
        LogLevel::Notice => log::LevelFilter::Info,
        LogLevel::Warning => log::LevelFilter::Warn,
    }
}

/// Install the logger for this process from the startup configuration. `logfile` is taken
/// as given (relative to the working directory, as Redis opens it before `chdir`).
pub fn init(cfg: &Config) {
    // Relative to `dir`, as config loading checked it (Redis has chdir-ed there by then).
    let logfile = if cfg.logfile.is_empty() {
        String::new()
    } else {
        std::path::Path::new(&cfg.dir).join(&cfg.logfile).to_string_lossy().into_owned()
    };
    let logger = Logger { logfile, syslog: cfg.syslog_enabled };
    if logger.syslog {
        // openlog keeps the pointer: the ident must live for the whole process.
        let ident = CString::new(cfg.syslog_ident.replace('\0', "")).unwrap_or_default();
        let ident: &'static std::ffi::CStr = Box::leak(ident.into_boxed_c_str());
        // SAFETY: ident is a valid C string that is never freed.
        unsafe {
            libc::openlog(
                ident.as_ptr(),
                libc::LOG_PID | libc::LOG_NDELAY | libc::LOG_NOWAIT,
                facility(cfg.syslog_facility),
            )
        };
    }
    crash::install(&logger.logfile);
    if !cfg.crash_log_enabled {
        crash::set_enabled(false);
    }
    if LOGGER.set(logger).is_ok() {
        let _ = log::set_logger(LOGGER.get().expect("just set"));
    }
    log::set_max_level(level_filter(cfg.loglevel));
}

fn facility(f: SyslogFacility) -> libc::c_int {
    match f {
        SyslogFacility::User => libc::LOG_USER,
        SyslogFacility::Local0 => libc::LOG_LOCAL0,
        SyslogFacility::Local1 => libc::LOG_LOCAL1,
        SyslogFacility::Local2 => libc::LOG_LOCAL2,
        SyslogFacility::Local3 => libc::LOG_LOCAL3,
        SyslogFacility::Local4 => libc::LOG_LOCAL4,
        SyslogFacility::Local5 => libc::LOG_LOCAL5,
        SyslogFacility::Local6 => libc::LOG_LOCAL6,
        SyslogFacility::Local7 => libc::LOG_LOCAL7,
    }
}

/// Redis's level character.
fn level_char(l: log::Level) -> char {
    match l {
        log::Level::Trace => '.',
        log::Level::Debug => '-',
        log::Level::Info => '*',
        log::Level::Warn | log::Level::Error => '#',
    }
}

fn syslog_priority(l: log::Level) -> libc::c_int {
    match l {
        log::Level::Trace => libc::LOG_DEBUG,
        log::Level::Debug => libc::LOG_INFO,
        log::Level::Info => libc::LOG_NOTICE,
        log::Level::Warn | log::Level::Error => libc::LOG_WARNING,
    }
}

/// `dd Mon yyyy hh:mm:ss.mmm` in local time, as Redis writes it.
pub fn timestamp(now: std::time::SystemTime) -> String {
    let d = now.duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs() as libc::time_t;
    // SAFETY: localtime_r fills the zeroed tm we own; strftime writes at most buf.len() bytes.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    let mut buf = [0u8; 64];
    let n = unsafe {
        libc::localtime_r(&secs, &mut tm);
        libc::strftime(
            buf.as_mut_ptr() as *mut libc::c_char,
            buf.len(),
            c"%d %b %Y %H:%M:%S.".as_ptr(),
            &tm,
        )
    };
    format!("{}{:03}", String::from_utf8_lossy(&buf[..n]), d.subsec_millis())
}

/// One formatted line (without the newline).
pub fn format_line(
    pid: u32,
    role: char,
    now: std::time::SystemTime,
    l: log::Level,
    msg: &str,
) -> String {
    format!("{pid}:{role} {} {} {msg}", timestamp(now), level_char(l))
}

impl Logger {
    fn write(&self, text: &str) {
        if self.logfile.is_empty() {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
        } else if let Ok(mut f) =
            std::fs::OpenOptions::new().append(true).create(true).open(&self.logfile)
        {
            // One write per line keeps concurrent appenders (and a tail -f) line-whole.
            let _ = f.write_all(text.as_bytes());
        }
    }

    fn syslog(&self, l: log::Level, msg: &str) {
        if !self.syslog {
            return;
        }
        let Ok(c) = CString::new(msg.replace('\0', "")) else { return };
        // SAFETY: a constant "%s" format with one valid C string argument.
        unsafe { libc::syslog(syslog_priority(l), c"%s".as_ptr(), c.as_ptr()) };
    }
}

impl log::Log for Logger {
    fn enabled(&self, m: &log::Metadata) -> bool {
        // Only the server's own records: dependencies (mio, mlua) log in their own words.
        let t = m.target();
        m.level() <= log::max_level() && (t.starts_with("ferrodis") || t == RAW || t == "lua")
    }

    fn log(&self, r: &log::Record) {
        if !self.enabled(r.metadata()) {
            return;
        }
        let msg = r.args().to_string();
        if r.target() == RAW {
            self.write(&msg);
            self.syslog(r.level(), &msg);
            return;
        }
        let role = ROLE.load(Ordering::Relaxed) as char;
        let mut line =
            format_line(std::process::id(), role, std::time::SystemTime::now(), r.level(), &msg);
        line.push('\n');
        self.write(&line);
        self.syslog(r.level(), &msg);
    }

    fn flush(&self) {
        let _ = std::io::stdout().flush();
    }
}

/// Redis's `serverLogFromHandler` line: `pid:signal-handler (unix-seconds) message`, used for
/// what a signal handler reports (ferrodis writes it from the loop, right after the signal).
pub fn from_signal_handler(msg: &str) {
    let Some(logger) = LOGGER.get() else { return };
    if log::max_level() < log::LevelFilter::Warn {
        return;
    }
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    logger.write(&format!("{}:signal-handler ({secs}) {msg}\n", std::process::id()));
    logger.syslog(log::Level::Warn, msg);
}

/// `strerror(errno)` text for an I/O error, without Rust's " (os error N)" suffix.
pub fn strerror(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.rfind(" (os error ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// What the startup banner needs to know.
pub struct Banner<'a> {
    pub version: &'a str,
    pub mode: &'a str,
    pub port: u16,
    pub pid: u32,
}

/// Redis's ASCII logo, filled in.
pub fn logo(b: &Banner) -> String {
    include_str!("logo.txt")
        .replace("{version}", b.version)
        .replace("{sha}", "00000000")
        .replace("{dirty}", "0")
        .replace("{bits}", "64")
        .replace("{mode}", b.mode)
        .replace("{port}", &b.port.to_string())
        .replace("{pid}", &b.pid.to_string())
}

/// Redis's choice (server.c main): the logo when logging to a terminal on stdout without
/// syslog, or when `always-show-logo yes`; otherwise one line.
pub fn wants_logo(cfg: &Config) -> bool {
    // SAFETY: isatty on fd 1 only reads its state.
    let tty = unsafe { libc::isatty(1) } == 1;
    cfg.always_show_logo || (!cfg.syslog_enabled && cfg.logfile.is_empty() && tty)
}

/// The logo (which carries the ` PID: N` line Redis's test suite waits for) or
/// `Running mode=..., port=N.`.
pub fn show_banner(show_logo: bool, b: &Banner) {
    if show_logo {
        log::info!(target: RAW, "{}", logo(b));
    } else {
        log::info!("Running mode={}, port={}.", b.mode, b.port);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_has_redis_shape() {
        let t = std::time::UNIX_EPOCH + std::time::Duration::from_millis(1_700_000_000_123);
        let line = format_line(42, 'M', t, log::Level::Info, "Server initialized");
        let (head, rest) = line.split_once(' ').unwrap();
        assert_eq!(head, "42:M");
        // dd Mon yyyy hh:mm:ss.mmm
        let parts: Vec<&str> = rest.splitn(5, ' ').collect();
        assert_eq!(parts[0].len(), 2);
        assert_eq!(parts[1].len(), 3);
        assert_eq!(parts[2], "2023");
        assert!(parts[3].ends_with(".123"), "{line}");
        assert_eq!(parts[4], "* Server initialized");
    }

    #[test]
    fn level_chars_are_redis() {
        assert_eq!(level_char(log::Level::Trace), '.');
        assert_eq!(level_char(log::Level::Debug), '-');
        assert_eq!(level_char(log::Level::Info), '*');
        assert_eq!(level_char(log::Level::Warn), '#');
        assert_eq!(level_char(log::Level::Error), '#');
    }

    #[test]
    fn logo_names_the_pid_and_port() {
        let b = Banner { version: "7.0.15", mode: "standalone", port: 6380, pid: 77 };
        let l = logo(&b);
        assert!(l.contains(" PID: 77\n"));
        assert!(l.contains("Port: 6380\n"));
        assert!(l.contains("Redis 7.0.15 (00000000/0) 64 bit"));
        assert!(!l.contains('{'));
    }
}
