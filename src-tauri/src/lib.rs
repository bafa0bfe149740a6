//! Guichet's desktop shell: one window (box office or kiosk) over the desk crates.
//!
//! The shell stays thin: commands parse their input, call one desk use case and map the error.
//! [`builder`] registers everything on a [`tauri::Builder`], so the real app ([`run`]) and the IPC
//! tests (on Tauri's mock runtime) exercise the very same wiring.

pub mod bindings;
mod commands;
mod config;
mod demo;
mod enrolment;
mod error;
mod failure;
mod kiosk_wire;
#[cfg(test)]
mod no_sql;
mod rendering;
mod self_service;
mod single_instance;
mod speech;
mod state;
mod status;
mod sync;
mod views;
pub mod wire;

pub use commands::{staff_guard, COMMON, KIOSK, STAFF};
pub use config::{
    parse_instant, AppConfig, DeviceKind, CLOCK_ENV, DEMO_ENV, DESK_DB_ENV, DESK_NAME_ENV,
    DEVICE_KIND_ENV, ENROL_CODE_ENV, LANGUAGE_ENV, NOW_ENV, PRINTER_ENV, SERVER_URL_ENV,
};
pub use demo::{DEMO_ACCOUNTS, DEMO_HOLDER};
pub use error::{ConfigError, StartError};
pub use rendering::GL_ENV;
pub use state::AppState;
pub use wire::AppInfo;

use tauri::{Builder, Manager, Runtime};

/// Label of the box-office window declared in `tauri.conf.json` (`capabilities/box-office.json`).
pub const MAIN_WINDOW: &str = "main";
/// Label of the kiosk window declared in `tauri.conf.json` (`capabilities/kiosk.json`).
pub const KIOSK_WINDOW: &str = "kiosk";

/// Registers the shell's state and commands on `builder`; used by [`run`] and by the tests.
pub fn builder<R: Runtime>(builder: Builder<R>, config: AppConfig) -> Builder<R> {
    let device_kind = config.device_kind;
    builder
        .manage(AppState::new(config))
        .manage(self_service::SelfService::default())
        .manage(speech::Speech::default())
        .invoke_handler(commands::handler())
        .setup(move |app| {
            // One window, chosen by the device kind: tauri.conf.json describes both and
            // creates neither, so a box office never has a kiosk window and a kiosk never has
            // the box office's (each label has its own capability). The mock runtime of the
            // tests has no window configuration: its tests open their own window.
            let label = device_kind.window_label();
            if let Some(config) = app.config().app.windows.iter().find(|w| w.label == label) {
                let window =
                    tauri::WebviewWindowBuilder::from_config(app.handle(), config)?.build()?;
                window.set_title(device_kind.window_title())?;
                if device_kind == config::DeviceKind::Kiosk {
                    // Locked down: no decorations, full screen (unless a test resizes it).
                    window.set_decorations(false)?;
                    if std::env::var(self_service::WINDOWED_ENV).as_deref() != Ok("1") {
                        window.set_fullscreen(true)?;
                    }
                }
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

/// Reads the configuration, opens the device kind's window described in `tauri.conf.json` and
/// runs until it closes.
/// A second launch on the same desk file opens nothing: it brings the first app's window to
/// the front and returns [`StartError::AlreadyRunning`].
pub fn run() -> Result<(), StartError> {
    // Before GTK starts and before any thread: the window draws without OpenGL here.
    rendering::software_rendering_in_this_process();
    let config = AppConfig::from_env()?;
    let desk = config
        .desk_path
        .clone()
        .unwrap_or_else(guichet_store::default_path);
    let shown = desk.display().to_string();
    let instance = match single_instance::claim(&desk) {
        Ok(single_instance::Claim::First(instance)) => instance,
        Ok(single_instance::Claim::Second { shown: front }) => {
            return Err(StartError::AlreadyRunning {
                desk: shown,
                shown: front,
            })
        }
        Err(why) => return Err(StartError::Lock { desk: shown, why }),
    };
    let label = config.device_kind.window_label();
    let app = builder(Builder::default(), config).build(context())?;
    let handle = app.handle().clone();
    instance.serve(move || {
        handle.get_webview_window(label).is_some_and(|w| {
            let _ = w.unminimize();
            w.show().is_ok() && w.set_focus().is_ok()
        })
    });
    app.run(|_, _| {});
    Ok(())
}

/// The context `build.rs` prepared: tauri.conf.json, the UI's files and the access control
/// (the declared commands and the capabilities). The IPC tests run on it too, so they meet the
/// same refusals as the real windows.
pub fn context<R: Runtime>() -> tauri::Context<R> {
    tauri::generate_context!()
}
