//! The kiosk's payment core in the shell: one [`Kiosk`] over the desk's file, opened (and
//! reconciled) on first use, before any sale; the identified fan; the payment's last step.
//! Its parts come from the environment (`GUICHET_TERMINAL_*`, `GUICHET_KIOSK_*`).

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use guichet_domain::{AccountId, Catalogue, SaleConfig};
use guichet_kiosk::{
    CupsPrinter, FileSinkPrinter, Kiosk, KioskParts, SimulatedOutcome, SimulatedTerminal, Step,
    TicketPrinter,
};

use crate::state::AppState;
use crate::wire::{Failure, FailureCode};

/// The simulated terminal's script, e.g. `decline` or `approve,decline` (then approve).
pub const TERMINAL_SCRIPT_ENV: &str = "GUICHET_TERMINAL_SCRIPT";
/// The simulated terminal's ledger (default: beside the desk file, `desk.terminal.jsonl`).
pub const TERMINAL_LEDGER_ENV: &str = "GUICHET_TERMINAL_LEDGER";
/// Print tickets into this folder instead of the CUPS queue (tests, collected files).
pub const PRINT_DIR_ENV: &str = "GUICHET_KIOSK_PRINT_DIR";
/// Idle warning and wipe, in seconds: `60,90` by default.
pub const IDLE_ENV: &str = "GUICHET_KIOSK_IDLE";
/// `1`: a kiosk window that is not full screen (tests that resize it).
pub const WINDOWED_ENV: &str = "GUICHET_KIOSK_WINDOWED";

/// The kiosk's self-service state, shared by the kiosk commands.
#[derive(Default, Clone)]
pub struct SelfService {
    kiosk: Arc<Mutex<Option<Kiosk>>>,
    fan: Arc<Mutex<Option<AccountId>>>,
    step: Arc<Mutex<Option<Step>>>,
    out_of_service: Arc<AtomicBool>,
    unlocked: Arc<AtomicBool>,
    reconciled: Arc<AtomicU32>,
}

/// `(warn, wipe)` seconds of the idle timer.
pub fn idle_times() -> (u32, u32) {
    let read = std::env::var(IDLE_ENV).unwrap_or_default();
    let mut it = read.split(',').map(|p| p.trim().parse::<u32>().ok());
    match (it.next().flatten(), it.next().flatten()) {
        (Some(w), Some(x)) if w > 0 && x > w => (w, x),
        _ => (60, 90),
    }
}

fn failure(e: &guichet_kiosk::Error, lang: &str) -> Failure {
    if let guichet_kiosk::Error::Refused(r) = e {
        return Failure::from_desk(&guichet_desk::Error::Refused(r.clone()), lang);
    }
    Failure::new(
        FailureCode::Payment,
        format!("The payment could not finish ({e}; {}). Nothing is taken without tickets: ask staff if your card was charged.", e.code()),
        format!("Le paiement n’a pas pu aboutir ({e} ; {}). Rien n’est débité sans billets : demandez au personnel si votre carte a été débitée.", e.code()),
        lang,
    )
}

fn open_kiosk(state: &AppState) -> Result<Kiosk, String> {
    let desk = state.desk_path();
    let ledger = std::env::var_os(TERMINAL_LEDGER_ENV)
        .map(PathBuf::from)
        .unwrap_or_else(|| desk.with_extension("terminal.jsonl"));
    let mut script = Vec::new();
    for word in std::env::var(TERMINAL_SCRIPT_ENV)
        .unwrap_or_default()
        .split(',')
    {
        if !word.trim().is_empty() {
            script.push(SimulatedOutcome::parse(word)?);
        }
    }
    let printer: Box<dyn TicketPrinter> = match std::env::var_os(PRINT_DIR_ENV) {
        Some(dir) => Box::new(FileSinkPrinter::new(dir)),
        None => Box::new(CupsPrinter {
            queue: state.settings().printer,
            spool_dir: state.spool_dir(),
            layout: guichet_desk::Layout::Thermal,
        }),
    };
    let parts = KioskParts {
        clock: Box::new(state.clock.clone()),
        signer: Box::new(state.device_key()?),
        terminal: Box::new(SimulatedTerminal::new(ledger).script(script)),
        printer,
        catalogue: Catalogue::paris2024(),
        config: SaleConfig::paris2024(),
        layout: guichet_desk::Layout::Thermal,
    };
    Kiosk::open(&desk, parts).map_err(|e| e.to_string())
}

impl SelfService {
    /// Runs `f` on the kiosk (opened and reconciled on first use; connected to the server as
    /// soon as the desk is enrolled) on the blocking pool. Waits for a sale in progress.
    pub async fn with_kiosk<T: Send + 'static>(
        &self,
        state: &AppState,
        f: impl FnOnce(&mut Kiosk, &str) -> Result<T, guichet_kiosk::Error> + Send + 'static,
    ) -> Result<T, Failure> {
        let (me, st, lang) = (self.clone(), state.clone(), state.lang());
        tauri::async_runtime::spawn_blocking(move || {
            let mut guard = me.kiosk.lock().unwrap_or_else(|e| e.into_inner());
            if guard.is_none() {
                let mut k = open_kiosk(&st).map_err(|why| {
                    Failure::new(FailureCode::OutOfOrder, format!("The kiosk could not start its payment core ({why}). Call staff."), format!("La borne n’a pas pu démarrer son module de paiement ({why}). Appelez le personnel."), &lang)
                })?;
                let _ = k.connect_enrolled();
                // Before any sale: every open intent left by a crash is settled.
                let settled = k.reconcile().map_err(|e| failure(&e, &lang))?;
                me.reconciled.store(settled.len() as u32, Ordering::Relaxed);
                let step = me.step.clone();
                k.on_step(move |s, _| *step.lock().unwrap_or_else(|e| e.into_inner()) = Some(s));
                *guard = Some(k);
            }
            let k = guard.as_mut().expect("opened just above");
            if !k.is_online() {
                let _ = k.connect_enrolled();
            }
            f(k, &lang).map_err(|e| failure(&e, &lang))
        })
        .await
        .unwrap_or_else(|e| Err(Failure::new(FailureCode::Internal, format!("A kiosk task failed ({e}). Call staff."), format!("Une tâche de la borne a échoué ({e}). Appelez le personnel."), &state.lang())))
    }

    /// The identified fan, or the refusal to sell without one.
    pub fn fan(&self, lang: &str) -> Result<AccountId, Failure> {
        self.fan
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
            .ok_or_else(|| {
                Failure::new(
                    FailureCode::NotIdentified,
                    "Scan your account card first (the QR code of your confirmation email).",
                    "Scannez d’abord votre carte de compte (le QR code de votre e-mail de confirmation).",
                    lang,
                )
            })
    }

    /// Sets (or, with `None`, forgets) the identified fan.
    pub fn set_fan(&self, fan: Option<AccountId>) {
        *self.fan.lock().unwrap_or_else(|e| e.into_inner()) = fan;
    }

    /// The payment's last committed step; `reset` forgets it before a new sale.
    pub fn step(&self, reset: bool) -> Option<Step> {
        let mut s = self.step.lock().unwrap_or_else(|e| e.into_inner());
        if reset {
            *s = None;
        }
        *s
    }

    /// Staff took the kiosk out of service (or put it back).
    pub fn out_of_service(&self) -> &AtomicBool {
        &self.out_of_service
    }

    /// A supervisor unlocked the maintenance screen (until its sign-out).
    pub fn unlocked(&self) -> &AtomicBool {
        &self.unlocked
    }

    /// Intents settled at start-up.
    pub fn reconciled(&self) -> u32 {
        self.reconciled.load(Ordering::Relaxed)
    }
}

/// The standing screen's view of an allowance.
pub fn standing_view(a: &guichet_desk::Allowance, fresh: bool) -> crate::kiosk_wire::KioskStanding {
    use crate::kiosk_wire::{HeldCount, KioskStanding, SlotView};
    KioskStanding {
        given_name: a.account.given_name.clone(),
        held: a.held,
        left: a.left(),
        per_account: a.per_account,
        per_session: a.per_session,
        sessions: a
            .sessions
            .iter()
            .map(|(s, n)| HeldCount {
                session: s.to_string(),
                held: *n,
            })
            .collect(),
        slots: a
            .slots
            .iter()
            .map(|s| SlotView {
                start: crate::views::paris_time(s.start),
                end: crate::views::paris_time(s.end),
                open: s.open,
            })
            .collect(),
        fresh,
    }
}

/// The fan's basket as the payment core reads it, for the identified account.
pub fn basket(
    fan: AccountId,
    holder: String,
    b: &crate::kiosk_wire::KioskBasket,
    lang: &str,
) -> Result<guichet_kiosk::Basket, Failure> {
    let mut lines = Vec::new();
    for l in &b.lines {
        let session = guichet_domain::SessionCode::parse(l.session.trim())
            .map_err(|_| crate::commands::bad_input(lang, "session", &l.session))?;
        let category = guichet_domain::PriceCategory::parse(l.category.trim())
            .map_err(|_| crate::commands::bad_input(lang, "category", &l.category))?;
        lines.push(guichet_kiosk::BasketLine {
            session,
            category,
            quantity: l.quantity,
        });
    }
    Ok(guichet_kiosk::Basket {
        account: fan,
        kind: if b.pack {
            guichet_domain::OrderKind::Pack
        } else {
            guichet_domain::OrderKind::Single
        },
        lines,
        holder_name: holder,
    })
}

/// The outcome for the screen.
pub fn sale_view(o: &guichet_kiosk::SaleOutcome) -> crate::kiosk_wire::KioskSale {
    use guichet_kiosk::SaleOutcome as O;
    let (outcome, tickets, order) = match o {
        O::Sold {
            order_id,
            ticket_ids,
            ..
        } => (
            "sold",
            ticket_ids.len() as u32,
            Some(crate::views::short(order_id)),
        ),
        O::Declined { .. } => ("declined", 0, None),
        O::Cancelled { .. } => ("cancelled", 0, None),
        O::Reversed { .. } => ("reversed", 0, None),
    };
    crate::kiosk_wire::KioskSale {
        outcome: outcome.into(),
        tickets,
        order,
    }
}
