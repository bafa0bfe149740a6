//! Guichet's desktop shell: one window (box office or kiosk) over the desk crates.
//!
//! The shell stays thin: commands parse their input, call one library function and map the error.
//! [`builder`] registers everything on a [`tauri::Builder`], so the real app ([`run`]) and the IPC
//! tests (on Tauri's mock runtime) exercise the very same wiring.

mod commands;
mod config;
mod error;

pub use commands::AppInfo;
pub use config::{AppConfig, DeviceKind, DEVICE_KIND_ENV};
pub use error::{ConfigError, StartError};

use tauri::{Builder, Runtime};

/// Registers the shell's state and commands on `builder`; used by [`run`] and by the tests.
pub fn builder<R: Runtime>(builder: Builder<R>, config: AppConfig) -> Builder<R> {
    builder
        .manage(config)
        .invoke_handler(tauri::generate_handler![commands::app_info])
}

/// Reads the configuration, opens the window described in `tauri.conf.json` and runs until it
/// closes.
pub fn run() -> Result<(), StartError> {
    let config = AppConfig::from_env()?;
    builder(Builder::default(), config).run(tauri::generate_context!())?;
    Ok(())
}
