//! The server under test: exactly `guichet-server`'s entry point.

fn main() -> std::process::ExitCode {
    guichet_server::cli::main()
}
