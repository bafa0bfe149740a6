//! `guichet-server`: the central server's binary and the operators' command line.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = guichet_server::cli::Args::parse();
    // The clock is read here, at the edge, and nowhere else.
    let now = jiff::Timestamp::now();
    let mut out = std::io::stdout().lock();
    match guichet_server::cli::run(args, now, &mut out) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("guichet-server: {e}");
            ExitCode::from(2)
        }
    }
}
