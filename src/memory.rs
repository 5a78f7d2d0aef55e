//! How the process asks glibc for memory.
//!
//! Each password check (argon2id) takes a 19 MiB block and frees it. glibc
//! serves blocks that large with `mmap`, and gives them back on `free`, but
//! after the first such free it raises its mmap threshold to the block's
//! size ("dynamic threshold"), so every later hash is carved out of a
//! thread's heap arena, which keeps the memory. Measured on a release
//! build: 60 log-ins, 8 at a time, took the resident memory from 19 MB to
//! 786 MB (and it stayed there); with the threshold fixed at 1 MiB, to
//! 27 MB. Fixing the threshold turns the dynamic adjustment off.

/// Large blocks: from `mmap`, back to the system when freed.
const MMAP_THRESHOLD: i32 = 1 << 20;

/// Sets glibc's allocation policy; call first thing in `main`, before any
/// thread starts. Other C libraries keep their own policy.
#[allow(unsafe_code)]
pub fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `mallopt` only sets a parameter of the allocator; it is
    // called before any other thread exists, so nothing allocates
    // concurrently.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
    }
}
