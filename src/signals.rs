//! SIGTERM/SIGINT into the event loop through a self-pipe: the handler only writes one byte
//! (async-signal-safe); the loop sees the pipe readable and shuts down cleanly.

use std::io::{self, Read};
use std::os::unix::io::{FromRawFd, IntoRawFd};
use std::sync::atomic::{AtomicI32, Ordering};

/// The write end of the pipe; the handler needs it as a plain integer.
static WRITE_FD: AtomicI32 = AtomicI32::new(-1);

extern "C" fn on_signal(sig: libc::c_int) {
    let fd = WRITE_FD.load(Ordering::Relaxed);
    if fd >= 0 {
        // The signal number (small) tells the loop which message to log.
        let b = sig as u8;
        // SAFETY: write(2) is async-signal-safe; the buffer is valid for one byte.
        unsafe {
            libc::write(fd, &b as *const u8 as *const libc::c_void, 1);
        }
    }
}

/// Install handlers for SIGTERM and SIGINT; returns the read end to register with the poll.
pub fn install() -> io::Result<mio::net::UnixStream> {
    let (rx, tx) = std::os::unix::net::UnixStream::pair()?;
    rx.set_nonblocking(true)?;
    tx.set_nonblocking(true)?;
    WRITE_FD.store(tx.into_raw_fd(), Ordering::Relaxed);
    for sig in [libc::SIGTERM, libc::SIGINT] {
        // SAFETY: a zeroed sigaction with a valid handler and empty mask is well formed.
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = on_signal as *const () as usize;
            libc::sigemptyset(&mut sa.sa_mask);
            sa.sa_flags = libc::SA_RESTART;
            if libc::sigaction(sig, &sa, std::ptr::null_mut()) != 0 {
                return Err(io::Error::last_os_error());
            }
        }
    }
    // SAFETY: the fd comes from a std UnixStream we just created and still own.
    let std_rx = unsafe {
        use std::os::unix::io::AsRawFd;
        let fd = rx.as_raw_fd();
        std::mem::forget(rx);
        std::os::unix::net::UnixStream::from_raw_fd(fd)
    };
    Ok(mio::net::UnixStream::from_std(std_rx))
}

/// Empty the pipe; the signals that arrived, oldest first.
pub fn drain(rx: Option<&mut mio::net::UnixStream>) -> Vec<libc::c_int> {
    let Some(rx) = rx else { return Vec::new() };
    let mut got = Vec::new();
    let mut buf = [0u8; 64];
    while let Ok(n) = rx.read(&mut buf) {
        if n == 0 {
            break;
        }
        got.extend(buf[..n].iter().map(|&b| b as libc::c_int));
    }
    got
}
