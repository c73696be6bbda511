use std::process::ExitCode;

use clap::Parser;

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
