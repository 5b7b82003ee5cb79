//! The `tolk` binary: parses the command line and hands it to the library.

use clap::Parser;

/// Rendering allocates many small strings on every thread; mimalloc handles
/// that faster than the system allocator (measured in benches/).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    tolk::cmd::run(tolk::cmd::Cli::parse())
}
