//! The global allocator: mimalloc, wrapped to count live bytes for INFO `used_memory`.
//!
//! mimalloc has exact 16-byte size classes (a 64-byte dict node costs 64 bytes, not glibc's
//! 80) and is faster on the alloc/free pairs of request handling. The count is one relaxed
//! atomic add per call, as Redis's zmalloc does.

use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicUsize, Ordering};

static USED: AtomicUsize = AtomicUsize::new(0);

pub struct Counting;

// SAFETY: every call forwards to mimalloc with the same layout; only a counter is added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        USED.fetch_add(layout.size(), Ordering::Relaxed);
        mimalloc::MiMalloc.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        USED.fetch_sub(layout.size(), Ordering::Relaxed);
        mimalloc::MiMalloc.dealloc(ptr, layout)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        USED.fetch_add(layout.size(), Ordering::Relaxed);
        mimalloc::MiMalloc.alloc_zeroed(layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        USED.fetch_add(new_size, Ordering::Relaxed);
        USED.fetch_sub(layout.size(), Ordering::Relaxed);
        mimalloc::MiMalloc.realloc(ptr, layout, new_size)
    }
}

/// Bytes currently allocated, or None when this allocator is not the global one (tests and
/// embedders with their own allocator); INFO then reports the resident set size instead.
pub fn used_memory() -> Option<usize> {
    match USED.load(Ordering::Relaxed) {
        0 => None,
        n => Some(n),
    }
}

/// Resident set size of the process in bytes, from /proc.
pub fn rss_bytes() -> usize {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1).and_then(|x| x.parse::<usize>().ok()))
        .map(|pages| pages * 4096)
        .unwrap_or(0)
}

extern "C" {
    // mimalloc's C API, linked through the `mimalloc` crate's static library.
    fn mi_collect(force: bool);
}

/// Return freed memory to the OS (MEMORY PURGE, and the loop once the server goes idle).
/// mimalloc otherwise keeps freed pages until later allocations reuse or purge them, so a
/// burst (a big pipeline, a rehash) would leave RSS high while nothing runs.
pub fn collect() {
    if used_memory().is_some() {
        // SAFETY: mi_collect has no preconditions; it only releases free pages.
        unsafe { mi_collect(true) };
    }
}
