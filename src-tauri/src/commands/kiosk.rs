//! The kiosk window's own commands (`names::KIOSK`), granted to the kiosk window alone in
//! `capabilities/kiosk.json`. The fan is identified by the signed account card only (never a
//! search by name or email); every sale is for that fan; seats are held before the card is
//! asked (`guichet-kiosk`). The session browser is the common `sessions`.

use std::sync::atomic::Ordering;
use std::time::Instant;

use tauri::State;

use super::{desk_err, Answer};
use crate::kiosk_wire::*;
use crate::self_service::{self as ss, SelfService};
use crate::speech::Speech;
use crate::state::AppState;

/// The pre-sale checks (printer queue, terminal, stock, phase), staff's out-of-service switch
/// and the idle timings; the state goes to the server (never waited for).
#[tauri::command]
pub async fn kiosk_status(
    state: State<'_, AppState>,
    kiosk: State<'_, SelfService>,
) -> Answer<KioskHealth> {
    let taken_out = kiosk.out_of_service().load(Ordering::Relaxed);
    let (st, online) = kiosk
        .with_kiosk(&state, move |k, _| {
            let version = env!("CARGO_PKG_VERSION");
            Ok((k.status(taken_out, version, Instant::now())?, k.is_online()))
        })
        .await?;
    let code = st.problems.first().map(|p| p.code().to_owned());
    let (idle_warn_s, idle_wipe_s) = ss::idle_times();
    let problems = st
        .problems
        .iter()
        .filter(|p| !matches!(p, guichet_kiosk::OutOfOrder::OutOfService))
        .map(|p| format!("{}: {}", p.code(), p.detail()))
        .collect();
    Ok(KioskHealth {
        ok: code.is_none(),
        code,
        problems,
        online,
        reported: st.reported,
        idle_warn_s,
        idle_wipe_s,
    })
}

/// A scanned account card: checked offline, then the account's standing (from the server by
/// id when online, else the kiosk's cache). The fan is kept for the sale.
#[tauri::command]
pub async fn kiosk_identify(
    state: State<'_, AppState>,
    kiosk: State<'_, SelfService>,
    card: String,
) -> Answer<KioskStanding> {
    kiosk.set_fan(None);
    let (id, view) = state
        .with_desk(move |desk, lang| {
            let id = desk.identify_card(card.trim()).map_err(desk_err(lang))?;
            let fresh = desk.refresh_account(&id).unwrap_or(false);
            let a = desk.allowance(&id).map_err(desk_err(lang))?;
            Ok((id, ss::standing_view(&a, fresh)))
        })
        .await?;
    kiosk.set_fan(Some(id));
    Ok(view)
}

/// The rules on the fan's basket: the total, or every violation in words.
#[tauri::command]
pub async fn kiosk_quote(
    state: State<'_, AppState>,
    kiosk: State<'_, SelfService>,
    basket: KioskBasket,
) -> Answer<KioskQuote> {
    let b = ss::basket(
        kiosk.fan(&state.lang())?,
        String::new(),
        &basket,
        &state.lang(),
    )?;
    match kiosk.with_kiosk(&state, move |k, _| k.quote(&b)).await {
        Ok(total) => Ok(KioskQuote {
            accepted: true,
            total_cents: total.cents(),
            violations: vec![],
        }),
        Err(f) if f.code == crate::wire::FailureCode::Rules => Ok(KioskQuote {
            accepted: false,
            total_cents: 0,
            violations: f.details,
        }),
        Err(f) => Err(f),
    }
}

/// Buys the basket by card: hold, intent, authorise, sign and print, capture.
#[tauri::command]
pub async fn kiosk_buy(
    state: State<'_, AppState>,
    kiosk: State<'_, SelfService>,
    basket: KioskBasket,
) -> Answer<KioskSale> {
    let fan = kiosk.fan(&state.lang())?;
    let id = fan.clone();
    let holder = state
        .with_desk(move |d, l| {
            d.account(&id)
                .map(|(a, _)| a.full_name())
                .map_err(desk_err(l))
        })
        .await?;
    let b = ss::basket(fan, holder, &basket, &state.lang())?;
    kiosk.step(true);
    kiosk
        .with_kiosk(&state, move |k, _| k.sell(&b).map(|o| ss::sale_view(&o)))
        .await
}

/// The payment's last committed step (the screen's progress while `kiosk_buy` runs).
#[tauri::command]
pub fn kiosk_progress(kiosk: State<'_, SelfService>) -> KioskProgress {
    KioskProgress {
        step: kiosk.step(false).map(|s| s.as_str().to_owned()),
    }
}

/// Forgets the fan; waits for a payment in progress to finish first.
#[tauri::command]
pub async fn kiosk_wipe(
    state: State<'_, AppState>,
    kiosk: State<'_, SelfService>,
    speech: State<'_, Speech>,
) -> Answer<bool> {
    // Nothing the last fan saw is still being said.
    speech.0.stop();
    kiosk.with_kiosk(&state, |_, _| Ok(())).await?;
    kiosk.set_fan(None);
    kiosk.step(true);
    Ok(true)
}

/// A supervisor's id and PIN open the maintenance screen.
#[tauri::command]
pub async fn kiosk_unlock(
    state: State<'_, AppState>,
    kiosk: State<'_, SelfService>,
    staff_id: String,
    pin: String,
) -> Answer<MaintenanceView> {
    kiosk.set_fan(None);
    let name = state
        .with_desk(move |d, l| {
            d.supervisor_unlock(staff_id.trim(), &pin)
                .map_err(desk_err(l))
        })
        .await?;
    kiosk.unlocked().store(true, Ordering::Relaxed);
    let out = kiosk.out_of_service().load(Ordering::Relaxed);
    Ok(MaintenanceView {
        supervisor: name,
        out_of_service: out,
        reconciled: kiosk.reconciled(),
    })
}

/// A maintenance action (after [`kiosk_unlock`]): paper refilled, out of / in service, sign out.
#[tauri::command]
pub async fn kiosk_maintenance(
    state: State<'_, AppState>,
    kiosk: State<'_, SelfService>,
    action: MaintenanceAction,
) -> Answer<bool> {
    if !kiosk.unlocked().load(Ordering::Relaxed) {
        return Err(crate::wire::Failure::new(
            crate::wire::FailureCode::NotSupervisor,
            "The maintenance screen needs a supervisor's PIN first.",
            "L’écran de maintenance demande d’abord le code d’un superviseur.",
            &state.lang(),
        ));
    }
    match action {
        MaintenanceAction::PaperRefilled => {
            let lang = state.lang();
            kiosk
                .with_kiosk(&state, |k, _| Ok(k.resume_printer()))
                .await?
                .map_err(|why| super::bad_input(&lang, "printer", &why))?;
        }
        MaintenanceAction::OutOfService => kiosk.out_of_service().store(true, Ordering::Relaxed),
        MaintenanceAction::InService => kiosk.out_of_service().store(false, Ordering::Relaxed),
        MaintenanceAction::SignOut => kiosk.unlocked().store(false, Ordering::Relaxed),
    }
    Ok(true)
}

/// Speech mode: says `text` (what the screen shows: its heading and lead, the focused
/// control's name) in `lang`, cutting what was being said. The text is capped and never
/// carries an e-mail address or an account card ([`crate::speech::sanitise`]).
#[tauri::command]
pub async fn kiosk_speak(
    state: State<'_, AppState>,
    speech: State<'_, Speech>,
    text: String,
    lang: String,
) -> Answer<bool> {
    speech.0.speak(&text, &lang).map_err(|e| {
        crate::wire::Failure::new(
            crate::wire::FailureCode::Speech,
            format!("{e} ({}) — speech mode stays off; call staff.", e.code()),
            format!(
                "{e} ({}) — la lecture à voix haute reste coupée ; appelez le personnel.",
                e.code()
            ),
            &state.lang(),
        )
    })
}
