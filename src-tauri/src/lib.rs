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

use tauri::{Builder, Manager, Runtime};

/// Label of the window declared in `tauri.conf.json`.
pub const MAIN_WINDOW: &str = "main";

/// Registers the shell's state and commands on `builder`; used by [`run`] and by the tests.
pub fn builder<R: Runtime>(builder: Builder<R>, config: AppConfig) -> Builder<R> {
    let device_kind = config.device_kind;
    builder
        .manage(config)
        .invoke_handler(tauri::generate_handler![commands::app_info])
        .setup(move |app| {
            // tauri.conf.json names the box office; a kiosk says so in its title bar and task
            // switcher. (The mock runtime of the tests has no window yet at this point.)
            if let Some(window) = app.get_webview_window(MAIN_WINDOW) {
                window.set_title(device_kind.window_title())?;
            }
            Ok(())
        })
}

/// Reads the configuration, opens the window described in `tauri.conf.json` and runs until it
/// closes.
pub fn run() -> Result<(), StartError> {
    let config = AppConfig::from_env()?;
    builder(Builder::default(), config).run(tauri::generate_context!())?;
    Ok(())
}
