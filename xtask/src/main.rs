//! `cargo xtask <task>`: the project's set-up, test and demo commands.
//!
//! - `test`: install what is missing (apt packages, tauri-driver, npm packages, CUPS), then
//!   format check, clippy, every test of the workspace, and the API contract.
//! - `contract`: Schemathesis against `docs/openapi.json` and the real server (see
//!   `contract.rs`).
//! - `demo`: run the product.
//! - `derive-catalogue`: regenerate `data/paris2024/{prices,paralympic_sessions}.csv`.

mod contract;
mod demo;
mod derive;
mod install;
mod sh;
mod test;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("derive-catalogue") => derive::run(),
        Some("test") => test::run(),
        Some("contract") => contract::run(),
        Some("demo") => demo::run(),
        _ => {
            eprintln!("usage: cargo xtask <test|contract|demo|derive-catalogue>");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The repository root (xtask lives one level below it). Read at run time: a build cache
/// shared between checkouts may hold an xtask compiled in another directory.
fn root() -> std::path::PathBuf {
    std::path::Path::new(
        &*std::env::var("CARGO_MANIFEST_DIR")
            .unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_string()),
    )
    .parent()
    .expect("xtask sits in the repository root")
    .to_path_buf()
}
