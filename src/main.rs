//! The wickview binary: parses the command line and hands over to [`wickview::cli`].

use clap::Parser as _;

fn main() -> std::process::ExitCode {
    let cli = wickview::cli::Cli::parse();
    match wickview::cli::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {}", wickview::cli::error_text(&err));
            std::process::ExitCode::FAILURE
        }
    }
}
