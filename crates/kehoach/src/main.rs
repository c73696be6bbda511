use std::process::ExitCode;

use clap::Parser;

/// mimalloc rather than glibc's malloc: the store's writes allocate many small values per row
/// (bound arguments, dates as text, folded search text), and glibc's allocator was about a fifth
/// of a batch import's CPU (BENCHMARKS.md, "Activity write path").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = kehoach::cli::Cli::parse();
    kehoach::cli::init_logging(cli.log_format);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(kehoach::cli::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One line naming the problem; never a backtrace.
            eprintln!("error: {e:#}");
            ExitCode::from(kehoach::cli::exit_code(&e))
        }
    }
}
