//! Guichet's desktop shell: one window (box office or kiosk) over the desk crates.
//!
//! The shell stays thin: commands parse their input, call one desk use case and map the error.
//! [`builder`] registers everything on a [`tauri::Builder`], so the real app ([`run`]) and the IPC
//! tests (on Tauri's mock runtime) exercise the very same wiring.

pub mod bindings;
mod commands;
mod config;
mod demo;
mod error;
mod failure;
mod state;
mod sync;
mod views;
pub mod wire;

pub use config::{
    parse_instant, AppConfig, DeviceKind, CLOCK_ENV, DEMO_ENV, DESK_DB_ENV, DESK_NAME_ENV,
    DEVICE_KIND_ENV, ENROL_CODE_ENV, LANGUAGE_ENV, NOW_ENV, PRINTER_ENV, SERVER_URL_ENV,
};
pub use demo::{DEMO_ACCOUNTS, DEMO_HOLDER};
pub use error::{ConfigError, StartError};
pub use state::AppState;
pub use wire::AppInfo;

use tauri::{Builder, Manager, Runtime};

/// Label of the window declared in `tauri.conf.json`.
pub const MAIN_WINDOW: &str = "main";

/// Registers the shell's state and commands on `builder`; used by [`run`] and by the tests.
pub fn builder<R: Runtime>(builder: Builder<R>, config: AppConfig) -> Builder<R> {
    let device_kind = config.device_kind;
    builder
        .manage(AppState::new(config))
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::status,
            commands::sign_in,
            commands::sign_out,
            commands::look_up,
            commands::account,
            commands::create_walk_in,
            commands::sessions,
            commands::quote,
            commands::sell,
            commands::order,
            commands::order_pdf,
            commands::save_pdf,
            commands::save_pdf_to_documents,
            commands::print_order,
            commands::print_shift_report,
            commands::void_order,
            commands::reissue,
            commands::open_shift,
            commands::shift_report,
            commands::close_shift,
            commands::dashboard,
            commands::scan,
            commands::get_settings,
            commands::save_settings,
            commands::choose_language,
            commands::enrol,
            commands::sync_now,
        ])
        .setup(move |app| {
            // tauri.conf.json names the box office; a kiosk says so in its title bar and task
            // switcher. (The mock runtime of the tests has no window yet at this point.)
            if let Some(window) = app.get_webview_window(MAIN_WINDOW) {
                window.set_title(device_kind.window_title())?;
            }
            // Link the desk to its server and start the sync task, off the main thread (an
            // enrolment at start-up talks to the server).
            let state = app.state::<AppState>().inner().clone();
            // An enrolment at start-up that found no server is tried again every 5 s for a
            // while (the server may be starting too).
            tauri::async_runtime::spawn(async move {
                for _ in 0..60 {
                    if !state.connect().await {
                        break;
                    }
                    let _ = tauri::async_runtime::spawn_blocking(|| {
                        std::thread::sleep(std::time::Duration::from_secs(5))
                    })
                    .await;
                }
            });
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
