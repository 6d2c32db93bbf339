// glibc's allocator contends across the runtime's and SQLite's threads under load; mimalloc
// keeps per-thread heaps.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    leifeng::cli::run()
}
