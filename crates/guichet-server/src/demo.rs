//! Demo accounts for `seed-demo`: made-up people (no personal data), one per situation a
//! counter meets in the pack sale. Their draw results come from a real pack draw
//! (`demo_draw.rs`), not from seeded rows.

use std::path::Path;

use guichet_domain::AccountId;
use guichet_wire::accounts::NewAccount;
use jiff::Timestamp;

use crate::demo_draw::{self, Role};
use crate::store::{DrawStoreError, Store, StoreError};

pub use crate::demo_draw::{DemoDrawFiles, DEMO_ROUND};

/// One demo account and the role the draw must give it.
pub(crate) struct DemoAccount {
    pub(crate) id: &'static str,
    name: &'static str,
    pub(crate) club: Option<&'static str>,
    /// When it registers for the pack draw (Paris time), if it does.
    pub(crate) registers_at: Option<&'static str>,
    /// What the README promises of it at the demo's clock (17 Feb 2023 12:00).
    pub(crate) role: Role,
}

pub(crate) const ACCOUNTS: &[DemoAccount] = &[
    DemoAccount {
        id: "DEMO-0001",
        name: "Élodie Martin",
        club: Some("CLUB-0042"),
        registers_at: Some("2022-12-01T09:15:00"),
        role: Role::DrawnOpenAtDemoClock,
    },
    DemoAccount {
        id: "DEMO-0002",
        name: "Ελένη Παπαδοπούλου",
        club: None,
        registers_at: Some("2022-12-24T18:40:00"),
        role: Role::DrawnFromDay5,
    },
    DemoAccount {
        id: "DEMO-0003",
        name: "Zoë Ångström",
        club: Some("CLUB-0777"),
        registers_at: Some("2023-01-12T07:05:00"),
        role: Role::NotDrawn,
    },
    DemoAccount {
        id: "DEMO-0004",
        name: "Jean Dupont",
        club: None,
        registers_at: None,
        role: Role::NotRegistered,
    },
    DemoAccount {
        id: "DEMO-0005",
        name: "Анна Каренина",
        club: Some("CLUB-1000"),
        registers_at: Some("2023-01-31T23:59:00"),
        role: Role::DrawnOpenAtDemoClock,
    },
];

/// Adds the demo accounts and, once, runs the demo's pack draw, keeping its files in
/// `draw_dir`; returns one line per step and per account for the operator. Seeding again adds
/// nothing and runs no second draw.
pub fn seed(store: &Store, now: Timestamp, draw_dir: &Path) -> Result<Vec<String>, DrawStoreError> {
    for a in ACCOUNTS {
        let new = NewAccount {
            id: Some(a.id.into()),
            name: a.name.into(),
            email: format!("{}@example.org", a.id.to_lowercase()),
            country: "FR".into(),
            club_number: a.club.map(Into::into),
            language: None,
        };
        store.create_account(&new, None, now)?;
    }
    let mut lines = demo_draw::run(store, draw_dir)?;
    for a in ACCOUNTS {
        let id = AccountId::parse(a.id).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let dto = store.account(&id)?;
        let got = demo_draw::role_of(store, &dto);
        if got != a.role {
            return Err(StoreError::Invalid(format!(
                "the demo draw gave {} the role {got:?}, not {:?} as the README says — the demo's registrations or its secret changed",
                a.id, a.role
            ))
            .into());
        }
        let club = if a.club.is_some() {
            "Club member"
        } else {
            "not in the Club"
        };
        let what = demo_draw::describe(store, &dto);
        lines.push(format!("{}  {:<22} {club}, {what}", a.id, a.name));
    }
    Ok(lines)
}
