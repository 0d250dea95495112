//! The `trygg` binary: parses the command line, runs the library, maps errors to an exit code.

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = trygg::cli::Cli::parse();
    trygg::cli::init_tracing();
    match trygg::cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", trygg::cli::error_message(&e));
            std::process::ExitCode::FAILURE
        }
    }
}
