//! Demo accounts for `seed-demo`: made-up people (no personal data), one per situation a
//! counter meets in the pack sale.

use guichet_domain::config::parse_instant;
use guichet_domain::rules::{DrawEntry, DrawStatus, Timeslot};
use guichet_domain::AccountId;
use guichet_wire::accounts::NewAccount;
use jiff::Timestamp;

use crate::store::{Result, Store, StoreError};

struct DemoAccount {
    id: &'static str,
    name: &'static str,
    club: Option<&'static str>,
    draw: Option<(DrawStatus, Option<(&'static str, &'static str)>)>,
}

const ACCOUNTS: &[DemoAccount] = &[
    DemoAccount {
        id: "DEMO-0001",
        name: "Élodie Martin",
        club: Some("CLUB-0042"),
        draw: Some((
            DrawStatus::Drawn,
            Some(("2023-02-17T10:00:00", "2023-02-19T10:00:00")),
        )),
    },
    DemoAccount {
        id: "DEMO-0002",
        name: "Ελένη Παπαδοπούλου",
        club: None,
        draw: Some((
            DrawStatus::Drawn,
            Some(("2023-02-19T10:00:00", "2023-02-21T10:00:00")),
        )),
    },
    DemoAccount {
        id: "DEMO-0003",
        name: "Zoë Ångström",
        club: Some("CLUB-0777"),
        draw: Some((DrawStatus::NotDrawn, None)),
    },
    DemoAccount {
        id: "DEMO-0004",
        name: "Jean Dupont",
        club: None,
        draw: None,
    },
    DemoAccount {
        id: "DEMO-0005",
        name: "Анна Каренина",
        club: Some("CLUB-1000"),
        draw: Some((
            DrawStatus::Drawn,
            Some(("2023-02-16T09:00:00", "2023-02-18T09:00:00")),
        )),
    },
];

/// Adds the demo accounts (idempotent); returns one line per account for the operator.
pub fn seed(store: &Store, now: Timestamp) -> Result<Vec<String>> {
    let paris = |s: &str| {
        parse_instant(&format!("{s}[Europe/Paris]")).map_err(|e| StoreError::Invalid(e.to_string()))
    };
    let mut lines = Vec::new();
    for a in ACCOUNTS {
        let email = format!("{}@example.org", a.id.to_lowercase());
        let new = NewAccount {
            id: Some(a.id.into()),
            name: a.name.into(),
            email,
            country: "FR".into(),
            club_number: a.club.map(Into::into),
            language: None,
        };
        store.create_account(&new, None, now)?;
        let id = AccountId::parse(a.id).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let mut what = String::from(if a.club.is_some() {
            "Club member"
        } else {
            "not in the Club"
        });
        if let Some((status, slot)) = a.draw {
            let timeslot = match slot {
                Some((s, e)) => Some(Timeslot {
                    start: paris(s)?,
                    end: paris(e)?,
                }),
                None => None,
            };
            store.set_draw(&id, "pack-draw", DrawEntry { status, timeslot })?;
            what.push_str(&match (status, slot) {
                (DrawStatus::Drawn, Some((s, e))) => format!(", drawn, timeslot {s} – {e} (Paris)"),
                (DrawStatus::NotDrawn, _) => ", registered, not drawn".into(),
                _ => ", registered".into(),
            });
        } else {
            what.push_str(", not registered for the draw");
        }
        lines.push(format!("{}  {:<22} {what}", a.id, a.name));
    }
    Ok(lines)
}
