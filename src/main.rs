//! The wickview binary: parses the command line and hands over to [`wickview::cli`].

use clap::Parser as _;

fn main() -> std::process::ExitCode {
    let cli = match wickview::cli::Cli::try_parse() {
        Ok(cli) => cli,
        // --help and --version: printed (on stdout) as clap prints them.
        Err(err) if !err.use_stderr() => err.exit(),
        Err(err) => {
            eprint!("{}", wickview::cli::clap_error_text(err));
            return std::process::ExitCode::from(2);
        }
    };
    match wickview::cli::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {}", wickview::cli::error_text(&err));
            std::process::ExitCode::FAILURE
        }
    }
}
