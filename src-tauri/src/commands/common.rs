//! Commands both windows call (`names::COMMON`): what this device is, the status bar, the
//! language, the session browser. None of them writes a sale or shows a fan's data.

use tauri::State;

use super::{bad_input, desk_err, Answer};
use crate::config::DeviceKind;
use crate::state::AppState;
use crate::views;
use crate::wire::*;

/// `invoke("app_info")`: version, device kind, clock and demo state, the chosen language.
#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> AppInfo {
    AppInfo {
        // Not `package_info()`: Tauri's mock runtime reports its own version there, and the
        // bundle takes its version from this crate anyway (tauri.conf.json sets none).
        version: env!("CARGO_PKG_VERSION").to_owned(),
        device_kind: state.config.device_kind,
        clock_simulated: state.clock.is_simulated(),
        clock_fixed: state.config.clock_fixed,
        // The demo's staff ids and PINs are for the box-office sign-in screen, never a kiosk's.
        demo: (state.config.demo && state.config.device_kind == DeviceKind::BoxOffice)
            .then(crate::demo::hint),
        desk_path: state.desk_path().display().to_string(),
        language: state.lang(),
    }
}

/// The status bar, asked every second: the sync task's state (online, last sync, why not)
/// with the local store's counts (events waiting, allotment left), fresh after every sale.
#[tauri::command]
pub async fn status(state: State<'_, AppState>) -> Answer<StatusView> {
    crate::status::status(&state).await
}

/// The language chosen on the sign-in screen: kept in the settings, so the desk's own
/// sentences (the status bar, refusals) follow the screens' language from then on.
#[tauri::command]
pub fn choose_language(state: State<'_, AppState>, language: String) -> Answer<String> {
    if language != "en" && language != "fr" {
        return Err(bad_input(&state.lang(), "language", &language));
    }
    let mut settings = state.settings();
    if settings.language != language {
        settings.language = language.clone();
        state.save_settings(settings).map_err(|why| {
            Failure::new(
                FailureCode::Settings,
                format!("The language could not be kept ({why}) — check the desk folder is writable."),
                format!("La langue n’a pas pu être gardée ({why}) — vérifiez que le dossier du guichet est accessible en écriture."),
                &language,
            )
        })?;
    }
    Ok(language)
}

/// The session browser.
#[tauri::command]
pub async fn sessions(state: State<'_, AppState>, query: SessionQuery) -> Answer<SessionList> {
    state
        .with_desk(move |desk, lang| views::sessions(desk, &query).map_err(desk_err(lang)))
        .await
}
