//! Hints to the processor's cache. Where the memory of the next piece of
//! work is known before the work starts (the live model applying frames
//! parsed on another core), asking for it early lets it arrive while the
//! work before is done, instead of being waited for.
//!
//! Hints only: they read nothing, cannot fail, and do nothing on
//! processors other than x86-64. This module holds the crate's only
//! `unsafe` code, the one instruction.

/// Bytes in a cache line of the processors this runs on.
const LINE: usize = 64;

/// Asks for the cache lines that hold `frame` (its line and field table).
pub fn prefetch_frame(frame: &kismet_protocol::Frame) {
    let bytes = frame.buffer();
    range(bytes.as_ptr(), bytes.len());
}

/// Asks for the cache lines that hold `value`.
#[inline]
pub fn prefetch_value<T>(value: &T) {
    range((value as *const T).cast(), std::mem::size_of::<T>());
}

/// Asks for the cache lines of the `len` bytes from `start`.
#[inline]
fn range(start: *const u8, len: usize) {
    let mut offset = 0;
    while offset < len {
        line(start.wrapping_add(offset));
        offset += LINE;
    }
    // The last line, when the bytes do not start on a line's first byte.
    if len > 0 {
        line(start.wrapping_add(len - 1));
    }
}

/// Asks for the cache line that holds `p`.
#[inline(always)]
fn line(p: *const u8) {
    // SAFETY: a prefetch is a hint to the cache only: it reads no memory
    // the program can see and never faults, whatever the address. SSE,
    // which has it, is part of the x86-64 baseline.
    #[cfg(target_arch = "x86_64")]
    #[allow(unsafe_code)]
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}
