//! IPC commands the UI calls with `invoke`, split by who may call them: [`staff`] (the box
//! office), [`kiosk`] (the self-service window), [`common`] (both). Kept out of the crate
//! root: a `#[tauri::command]` declared `pub` there clashes with the macro it generates
//! (E0255).
//!
//! Each command parses its input, calls one desk use case on the blocking pool
//! ([`AppState::with_desk`]) and maps the error to a [`Failure`] in the chosen language.
//!
//! Three layers keep staff functions out of a kiosk: `build.rs` declares every command and
//! `capabilities/kiosk.json` grants the kiosk window none of [`STAFF`]; [`handler`] refuses
//! [`STAFF`] on a kiosk device before the command runs (so a wrong capability file cannot open
//! one); and the server refuses staff routes to a kiosk's token.

pub mod common;
pub mod kiosk;
mod names;
pub mod staff;

pub use names::{COMMON, KIOSK, STAFF};

use guichet_domain::{AccountId, Money};
use tauri::ipc::Invoke;
use tauri::{Manager, Runtime};

use crate::config::DeviceKind;
use crate::state::AppState;
use crate::wire::{Failure, FailureCode};

pub(crate) type Answer<T> = Result<T, Failure>;

pub(crate) fn desk_err(lang: &str) -> impl Fn(guichet_desk::Error) -> Failure + '_ {
    move |e| Failure::from_desk(&e, lang)
}

pub(crate) fn bad_input(lang: &str, field: &str, value: &str) -> Failure {
    Failure::new(
        FailureCode::BadInput,
        format!("{field}: {value:?} cannot be read — correct it and try again"),
        format!("{field} : « {value} » est illisible — corrigez la saisie et réessayez"),
        lang,
    )
}

pub(crate) fn account_id(lang: &str, id: &str) -> Answer<AccountId> {
    AccountId::parse(id.trim()).map_err(|_| bad_input(lang, "account", id))
}

pub(crate) fn money(lang: &str, field: &str, cents: i64) -> Answer<Money> {
    if cents < 0 {
        return Err(bad_input(lang, field, &cents.to_string()));
    }
    Ok(Money::from_cents(cents))
}

/// The guard of every staff command: `Err` when `command` is a staff function and this device
/// is a kiosk. Checked before the command's arguments are read, so no staff code runs at all.
pub fn staff_guard(kind: DeviceKind, command: &str, lang: &str) -> Answer<()> {
    if kind == DeviceKind::Kiosk && STAFF.contains(&command) {
        return Err(Failure::new(
            FailureCode::StaffOnlyOnKiosk,
            format!("“{command}” is a staff function and this device is a kiosk — nothing was done; use a box-office desk."),
            format!("« {command} » est une fonction du personnel et cet appareil est une borne — rien n’a été fait ; utilisez un guichet."),
            lang,
        ));
    }
    Ok(())
}

/// Names the type of `generate_handler!`'s closure, which Rust cannot infer on its own here.
fn as_handler<R: Runtime, F: Fn(Invoke<R>) -> bool>(f: F) -> F {
    f
}

/// Every command, behind [`staff_guard`].
pub fn handler<R: Runtime>() -> impl Fn(Invoke<R>) -> bool + Send + Sync + 'static {
    let commands = as_handler::<R, _>(tauri::generate_handler![
        common::app_info,
        common::status,
        common::choose_language,
        common::sessions,
        kiosk::kiosk_status,
        kiosk::kiosk_identify,
        kiosk::kiosk_quote,
        kiosk::kiosk_buy,
        kiosk::kiosk_progress,
        kiosk::kiosk_wipe,
        kiosk::kiosk_unlock,
        kiosk::kiosk_maintenance,
        kiosk::kiosk_speak,
        staff::sign_in,
        staff::sign_out,
        staff::look_up,
        staff::account,
        staff::create_walk_in,
        staff::quote,
        staff::sell,
        staff::order,
        staff::order_pdf,
        staff::save_pdf,
        staff::save_pdf_to_documents,
        staff::print_order,
        staff::print_shift_report,
        staff::void_order,
        staff::reissue,
        staff::open_shift,
        staff::shift_report,
        staff::close_shift,
        staff::dashboard,
        staff::scan,
        staff::get_settings,
        staff::save_settings,
        staff::enrol,
        staff::sync_now,
        staff::register_for_draw,
    ]);
    move |invoke: Invoke<R>| {
        let state = invoke.message.webview_ref().state::<AppState>();
        let (kind, lang) = (state.config.device_kind, state.lang());
        if let Err(refused) = staff_guard(kind, invoke.message.command(), &lang) {
            invoke.resolver.reject(refused);
            return true;
        }
        commands(invoke)
    }
}

#[cfg(test)]
mod tests;
