//! Redis's crash report on a fatal signal (sigsegvHandler with `crash-log-enabled yes`):
//! the bug report frame and the `crashed by signal` line that log watchers and Redis's test
//! suite look for, then the default action (core dump, death by the same signal).
//!
//! The handler runs where the process broke, perhaps inside the allocator: it allocates
//! nothing and takes no lock. Lines are formatted into a stack buffer, the time comes from
//! clock_gettime with the UTC offset read at startup, and the file is opened with open(2).

use std::ffi::CString;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::OnceLock;

/// The log file as a C string; unset: stdout.
static LOGFILE: OnceLock<CString> = OnceLock::new();
/// Local time minus UTC, in seconds, at startup.
static UTC_OFFSET: AtomicI64 = AtomicI64::new(0);

const START: &str = "\n\n=== REDIS BUG REPORT START: Cut & paste starting from here ===\n";
const END: &str = "\n=== REDIS BUG REPORT END. Make sure to include from START to END. ===\n\n       Please report the crash by opening an issue on github:\n\n           http://github.com/redis/redis/issues\n\n  Suspect RAM error? Use redis-server --test-memory to verify it.\n\n";

const SIGNALS: [libc::c_int; 5] =
    [libc::SIGSEGV, libc::SIGBUS, libc::SIGFPE, libc::SIGILL, libc::SIGABRT];

/// `crash-log-enabled` changed at runtime: install the handler, or give the signals their
/// default action back (Redis's setupSigSegvAction / removeSigSegvHandlers).
pub fn set_enabled(on: bool) {
    if on {
        set_handlers();
    } else {
        for sig in SIGNALS {
            // SAFETY: restoring the default disposition of a signal.
            unsafe { libc::signal(sig, libc::SIG_DFL) };
        }
    }
}

/// Install the handler for SIGSEGV, SIGBUS, SIGFPE, SIGILL and SIGABRT.
pub fn install(logfile: &str) {
    if !logfile.is_empty() {
        if let Ok(c) = CString::new(logfile) {
            let _ = LOGFILE.set(c);
        }
    }
    // SAFETY: localtime_r fills a zeroed tm we own.
    unsafe {
        let now = libc::time(std::ptr::null_mut());
        let mut tm: libc::tm = std::mem::zeroed();
        libc::localtime_r(&now, &mut tm);
        UTC_OFFSET.store(tm.tm_gmtoff, Ordering::Relaxed);
    }
    set_handlers();
}

fn set_handlers() {
    for sig in SIGNALS {
        // SAFETY: a zeroed sigaction with a valid SA_SIGINFO handler; SA_RESETHAND makes the
        // re-raise at the end take the default action.
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = on_crash as *const () as usize;
            libc::sigemptyset(&mut sa.sa_mask);
            sa.sa_flags = libc::SA_SIGINFO | libc::SA_NODEFER | libc::SA_RESETHAND;
            libc::sigaction(sig, &sa, std::ptr::null_mut());
        }
    }
}

/// A fixed buffer that `write!` fills without allocating (excess is cut).
struct Buf {
    b: [u8; 512],
    n: usize,
}

impl std::fmt::Write for Buf {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let take = s.len().min(self.b.len() - self.n);
        self.b[self.n..self.n + take].copy_from_slice(&s.as_bytes()[..take]);
        self.n += take;
        Ok(())
    }
}

fn emit(fd: libc::c_int, bytes: &[u8]) {
    // SAFETY: write(2) of a valid buffer; async-signal-safe.
    unsafe { libc::write(fd, bytes.as_ptr() as *const libc::c_void, bytes.len()) };
}

/// Days since 1970-01-01 to (year, month 1-12, day 1-31), proleptic Gregorian.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// `pid:M dd Mon yyyy hh:mm:ss.mmm # ` for the current instant, without locks.
fn prefix(b: &mut Buf) {
    const MONTHS: [&str; 12] =
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    // SAFETY: clock_gettime and getpid are async-signal-safe; ts is ours.
    let (ts, pid) = unsafe {
        let mut ts: libc::timespec = std::mem::zeroed();
        libc::clock_gettime(libc::CLOCK_REALTIME, &mut ts);
        (ts, libc::getpid())
    };
    let local = ts.tv_sec + UTC_OFFSET.load(Ordering::Relaxed);
    let (y, m, d) = civil_from_days(local.div_euclid(86_400));
    let s = local.rem_euclid(86_400);
    let _ = write!(
        b,
        "{pid}:M {d:02} {} {y} {:02}:{:02}:{:02}.{:03} # ",
        MONTHS[(m - 1) as usize],
        s / 3600,
        s % 3600 / 60,
        s % 60,
        ts.tv_nsec / 1_000_000
    );
}

extern "C" fn on_crash(sig: libc::c_int, info: *mut libc::siginfo_t, _ctx: *mut libc::c_void) {
    let fd = match LOGFILE.get() {
        // SAFETY: open(2) with a valid C string; async-signal-safe.
        Some(path) => unsafe {
            libc::open(path.as_ptr(), libc::O_WRONLY | libc::O_APPEND | libc::O_CREAT, 0o644)
        },
        None => 1,
    };
    if fd < 0 {
        return;
    }
    emit(fd, START.as_bytes());
    let line = |f: &dyn Fn(&mut Buf)| {
        let mut b = Buf { b: [0; 512], n: 0 };
        prefix(&mut b);
        f(&mut b);
        let _ = b.write_str("\n");
        emit(fd, &b.b[..b.n]);
    };
    // SAFETY: the kernel hands a valid siginfo to an SA_SIGINFO handler.
    let info = unsafe { &*info };
    line(&|b| {
        let _ = write!(
            b,
            "Redis {} crashed by signal: {sig}, si_code: {}",
            crate::REDIS_VERSION,
            info.si_code
        );
    });
    if sig == libc::SIGSEGV || sig == libc::SIGBUS {
        // SAFETY: si_addr is defined for these signals.
        let addr = unsafe { info.si_addr() };
        line(&|b| {
            let _ = write!(b, "Accessing address: {addr:p}");
        });
    }
    if info.si_code == libc::SI_USER {
        // SAFETY: si_pid/si_uid are defined for signals sent by kill(2).
        let (pid, uid) = unsafe { (info.si_pid(), info.si_uid()) };
        line(&|b| {
            let _ = write!(b, "Killed by PID: {pid}, UID: {uid}");
        });
    }
    emit(fd, END.as_bytes());
    if fd != 1 {
        // SAFETY: closing the fd we opened.
        unsafe { libc::close(fd) };
    }
    // SA_RESETHAND restored the default action: die of the same signal (and dump core).
    // SAFETY: raise(3) is async-signal-safe.
    unsafe { libc::raise(sig) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
    }
}
