//! What a self-service kiosk asks of its desk: the identified fan's account, fresh from the
//! server when online (by id only, never a search), what that account may still buy, and a
//! supervisor's unlock of the maintenance screen.

use guichet_domain::rules::AccountStanding;
use guichet_domain::{AccountId, Games, SessionCode};
use guichet_store::accounts::Account;
use jiff::Timestamp;

use crate::desk::Desk;
use crate::error::Result;
use crate::sync::pull::apply_pull_keeping_cursor;

/// A purchase timeslot of the account, and whether it is open now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotNow {
    /// The draw that gave it.
    pub draw: String,
    /// First instant.
    pub start: Timestamp,
    /// First instant after.
    pub end: Timestamp,
    /// `start <= now < end`.
    pub open: bool,
}

/// What an identified account may still buy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allowance {
    /// The account.
    pub account: Account,
    /// Tickets it holds (Olympic sessions).
    pub held: u32,
    /// The cap per account (30 at Paris 2024).
    pub per_account: u32,
    /// The cap per session (4).
    pub per_session: u32,
    /// Tickets held per session.
    pub sessions: Vec<(SessionCode, u32)>,
    /// Its timeslots.
    pub slots: Vec<SlotNow>,
    /// The standing the rules read.
    pub standing: AccountStanding,
}

impl Allowance {
    /// Tickets it may still buy.
    pub fn left(&self) -> u32 {
        self.per_account.saturating_sub(self.held)
    }
}

impl Desk {
    /// Brings one account from the server into the desk (by id: what a kiosk's token may ask),
    /// so its standing is the server's. False when the desk has no server link (offline: the
    /// cached account, if any, is used).
    pub fn refresh_account(&mut self, id: &AccountId) -> Result<bool> {
        let Some(server) = self.server.as_ref() else {
            return Ok(false);
        };
        let dto = server.account(id.as_str())?;
        let p = guichet_wire::sync::PullResponse {
            more: false,
            cursor: "0".to_owned(),
            availability: Vec::new(),
            allotments: Vec::new(),
            revocations: Vec::new(),
            accounts: vec![dto],
        };
        let now = self.now();
        apply_pull_keeping_cursor(&mut self.store, &p, now)?;
        Ok(true)
    }

    /// What `id` may still buy now: tickets held of the cap, per session, its timeslots.
    pub fn allowance(&self, id: &AccountId) -> Result<Allowance> {
        let (account, standing) = self.account(id)?;
        let now = self.now();
        let sessions: Vec<(SessionCode, u32)> = standing
            .held
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(s, n)| (s.clone(), *n))
            .collect();
        let slots = standing
            .draws
            .iter()
            .filter_map(|(draw, e)| {
                e.timeslot.map(|t| SlotNow {
                    draw: draw.clone(),
                    start: t.start,
                    end: t.end,
                    open: t.start <= now && now < t.end,
                })
            })
            .collect();
        let limits = &self.config.limits;
        Ok(Allowance {
            account,
            held: sessions.iter().map(|(_, n)| n).sum(),
            per_account: self.config.limits.per_account(Games::Olympic),
            per_session: limits.per_session_per_account,
            sessions,
            slots,
            standing,
        })
    }

    /// A supervisor's PIN opens a kiosk's maintenance screen (same lockout as at the counter);
    /// the unlock is written to the ledger. Returns the supervisor's name.
    pub fn supervisor_unlock(&mut self, supervisor: &str, pin: &str) -> Result<String> {
        let op = self.approve(supervisor, pin, "open the kiosk's maintenance screen")?;
        let now = self.now();
        self.log_action(&op.id, "kiosk_unlock", &op.id, serde_json::json!({}), now)?;
        Ok(op.name)
    }
}
