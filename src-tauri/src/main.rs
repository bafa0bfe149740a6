//! `guichet-app`: the box-office / kiosk desktop application.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::process::ExitCode;

fn main() -> ExitCode {
    match guichet_app::run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // A misconfigured counter must not open: say why and stop.
            eprintln!("guichet-app: {error}");
            ExitCode::from(2)
        }
    }
}
