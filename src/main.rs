// glibc's allocator contends across the runtime's and SQLite's threads under load; mimalloc
// keeps per-thread heaps.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (index 15 in both its v2 and v3 headers; the Rust bindings
/// do not name it) and its documented default in v3, in milliseconds.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
const MI_PURGE_DELAY_DEFAULT: std::ffi::c_long = 1000;

fn main() -> anyhow::Result<()> {
    // Memory freed is given back to the system at once rather than a second later (ten for its
    // arenas), so the server's resident size follows what it uses: a password check's 19 MiB or
    // the district's compliance grid no longer stay resident after the answer. Measured: no
    // change in requests per second. Left alone when MIMALLOC_PURGE_DELAY was set.
    // SAFETY: reading and setting an allocator option touches no memory of ours.
    unsafe {
        if libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) == MI_PURGE_DELAY_DEFAULT
            && std::env::var_os("MIMALLOC_PURGE_DELAY").is_none()
        {
            libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0);
        }
    }
    leifeng::cli::run()
}
