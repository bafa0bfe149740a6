//! What the kiosk window's commands take and answer (`commands/kiosk.rs`), exported to
//! TypeScript with the rest of [`crate::wire`].

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::wire::ViolationView;

/// The pre-sale checks: the kiosk sells only when `ok`.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct KioskHealth {
    /// Every check passed and the kiosk is in service.
    pub ok: bool,
    /// The out-of-order code of the first failing check (`OOO-PRINTER`, …).
    pub code: Option<String>,
    /// Every failing check, for the maintenance screen (staff words, English).
    pub problems: Vec<String>,
    /// Seats are held at the server (else from the allotment).
    pub online: bool,
    /// Whether the server has acknowledged this very state (`PUT /v1/devices/self/state`,
    /// sent by a thread of its own): false offline and until the server answers.
    pub reported: bool,
    /// Seconds without input before the idle warning.
    pub idle_warn_s: u32,
    /// Seconds without input before the wipe.
    pub idle_wipe_s: u32,
}

/// Tickets held for one session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct HeldCount {
    /// Session code.
    pub session: String,
    /// Tickets held.
    pub held: u32,
}

/// A purchase timeslot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SlotView {
    /// Paris time, `2023-02-17 10:00`.
    pub start: String,
    /// Paris time.
    pub end: String,
    /// Open now.
    pub open: bool,
}

/// The identified fan: what the account may still buy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct KioskStanding {
    /// Given name only, for the greeting.
    pub given_name: String,
    /// Tickets held.
    pub held: u32,
    /// Tickets it may still buy.
    pub left: u32,
    /// The cap per account.
    pub per_account: u32,
    /// The cap per session.
    pub per_session: u32,
    /// Held per session.
    pub sessions: Vec<HeldCount>,
    /// Timeslots.
    pub slots: Vec<SlotView>,
    /// Read from the server now (else the kiosk's cache).
    pub fresh: bool,
}

/// One line of the fan's basket (the account is the identified one, never the window's).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct KioskLine {
    /// Session code.
    pub session: String,
    /// Category (`A`–`D`, `WCH`, `CMP`).
    pub category: String,
    /// Tickets.
    pub quantity: u32,
}

/// The fan's basket.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct KioskBasket {
    /// A pack (exactly three sessions) or single tickets.
    pub pack: bool,
    /// Lines.
    pub lines: Vec<KioskLine>,
}

/// The rules on the basket.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct KioskQuote {
    /// No rule broken.
    pub accepted: bool,
    /// Total, cents (0 when refused).
    pub total_cents: i64,
    /// Every broken rule, in words, with the session it is about.
    pub violations: Vec<ViolationView>,
}

/// How a purchase ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct KioskSale {
    /// `sold`, `declined`, `cancelled` or `reversed`.
    pub outcome: String,
    /// Tickets printed.
    pub tickets: u32,
    /// The order's short reference (sold only).
    pub order: Option<String>,
}

/// The payment's last committed step, for the screen's progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct KioskProgress {
    /// `intent`, `held`, `authorised`, `printed`, `captured`, `undone`, or none yet.
    pub step: Option<String>,
}

/// What the maintenance screen shows and does.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum MaintenanceAction {
    /// The printer's paper is refilled: resume its queue.
    PaperRefilled,
    /// Take the kiosk out of service (out-of-order screen until back in service).
    OutOfService,
    /// Back in service.
    InService,
    /// Leave the maintenance screen (back to attract).
    SignOut,
}

/// The supervisor who unlocked the maintenance screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MaintenanceView {
    /// Their name.
    pub supervisor: String,
    /// Out of service by staff.
    pub out_of_service: bool,
    /// Intents settled at start-up (how many).
    pub reconciled: u32,
}

#[cfg(test)]
mod kiosk_messages {
    use std::collections::BTreeMap;

    fn messages(lang: &str) -> BTreeMap<String, String> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("../ui/src/kiosk/{lang}.json"));
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    fn placeholders(text: &str) -> Vec<&str> {
        let mut out: Vec<&str> = text
            .split('{')
            .skip(1)
            .filter_map(|p| p.split_once('}').map(|(name, _)| name))
            .collect();
        out.sort_unstable();
        out
    }

    #[test]
    fn french_and_english_kiosk_messages_have_the_same_keys_and_placeholders() {
        let (en, fr) = (messages("en"), messages("fr"));
        let missing_fr: Vec<_> = en.keys().filter(|k| !fr.contains_key(*k)).collect();
        let missing_en: Vec<_> = fr.keys().filter(|k| !en.contains_key(*k)).collect();
        assert!(
            missing_fr.is_empty(),
            "ui/src/kiosk/fr.json lacks {missing_fr:?}: translate them"
        );
        assert!(
            missing_en.is_empty(),
            "ui/src/kiosk/en.json lacks {missing_en:?}: add them"
        );
        for (key, text) in &en {
            let other = &fr[key];
            assert!(
                !text.trim().is_empty() && !other.trim().is_empty(),
                "{key} is empty in a language: every message says something"
            );
            assert_eq!(
                placeholders(text),
                placeholders(other),
                "{key}: both languages fill the same {{placeholders}}"
            );
        }
        assert!(
            en.len() >= 60,
            "the kiosk's messages are all there ({} keys)",
            en.len()
        );
    }
}
