//! `guichet-server`: the central server's binary and the operators' command line.

fn main() -> std::process::ExitCode {
    guichet_server::cli::main()
}
