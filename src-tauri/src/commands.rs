//! IPC commands the UI calls with `invoke`. Kept out of the crate root: a `#[tauri::command]`
//! declared `pub` there clashes with the macro it generates (E0255).

use serde::Serialize;
use tauri::State;

use crate::config::{AppConfig, DeviceKind};

/// What the sign-in screen shows about this installation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    /// The application's version (the `guichet-app` crate's, which is also the bundle's).
    pub version: String,
    /// Box office or kiosk, as configured.
    pub device_kind: DeviceKind,
}

/// `invoke("app_info")`: the version and the configured device kind.
#[tauri::command]
pub fn app_info(config: State<'_, AppConfig>) -> AppInfo {
    AppInfo {
        // Not `package_info()`: Tauri's mock runtime reports its own version there, and the
        // bundle takes its version from this crate anyway (tauri.conf.json sets none).
        version: env!("CARGO_PKG_VERSION").to_owned(),
        device_kind: config.device_kind,
    }
}
