//! Generated demo and test data — no real person's data: operators, accounts with draw results
//! and timeslots, and this desk's allotment. Used by tests, benchmarks and `guichet-desk seed`.

use guichet_domain::{AccountId, PriceCategory, SessionCode};
use guichet_store::accounts::{
    set_draw, upsert_account, Account, AccountOrigin, DrawRecord, DrawState,
};
use guichet_store::stock::set_allotment;
use jiff::Timestamp;

use crate::desk::Desk;
use crate::error::Result;

const GIVEN: [&str; 12] = [
    "Élodie", "Jean", "Zoé", "Mathis", "Chloé", "Léo", "Inès", "Hugo", "Anaïs", "Noé", "Maëlle",
    "Théo",
];
const FAMILY: [&str; 12] = [
    "Dupré", "Martin", "Lefèvre", "Bernard", "Moreau", "Fontaine", "Girard", "Rousseau", "Mercier",
    "Blanc", "Guérin", "Faure",
];

/// The `n`-th generated account: number `P24-` + 7 digits, names from small lists with a
/// numbered suffix on the family name past the first 144, a generated email.
pub fn demo_account(n: u32) -> Account {
    let given = GIVEN[(n % 12) as usize];
    let family = FAMILY[((n / 12) % 12) as usize];
    let family = if n < 144 {
        family.to_string()
    } else {
        format!("{family}{}", n / 144)
    };
    Account {
        id: AccountId::parse(&format!("P24-{n:07}")).expect("generated id is valid"),
        given_name: given.to_string(),
        family_name: family,
        email: format!("fan{n}@example.org"),
        country: "FR".into(),
        club_number: matches!(n % 5, 0).then(|| format!("CLUB{n:06}")),
        origin: AccountOrigin::Server,
    }
}

/// Caches `count` generated accounts (numbers `first..first+count`), each drawn in the pack
/// draw with the 48-hour timeslot starting at `slot_start`, in transactions of 10,000 rows.
pub fn seed_accounts(
    desk: &mut Desk,
    first: u32,
    count: u32,
    slot_start: Timestamp,
    created_at: Timestamp,
) -> Result<()> {
    let slot_end = slot_start
        .checked_add(jiff::SignedDuration::from_hours(48))
        .unwrap_or(slot_start);
    let mut n = first;
    while n < first + count {
        let end = (n + 10_000).min(first + count);
        desk.store_mut().write(|tx| {
            for i in n..end {
                let a = demo_account(i);
                upsert_account(tx, &a, created_at)?;
                set_draw(
                    tx,
                    &a.id,
                    &DrawRecord {
                        draw_id: "pack-draw".into(),
                        status: DrawState::Drawn,
                        slot: Some((slot_start, slot_end)),
                    },
                )?;
            }
            Ok::<_, guichet_store::Error>(())
        })?;
        n = end;
    }
    Ok(())
}

/// Grants this desk `per_category` tickets of every category of each session.
pub fn seed_allotment(desk: &mut Desk, sessions: &[&str], per_category: u32) -> Result<()> {
    let codes: Vec<SessionCode> = sessions
        .iter()
        .filter_map(|s| SessionCode::parse(s).ok())
        .collect();
    desk.store_mut().write(|tx| {
        for code in &codes {
            for c in PriceCategory::ALL {
                set_allotment(tx, code, c, per_category, per_category)?;
            }
        }
        Ok::<_, guichet_store::Error>(())
    })?;
    Ok(())
}

/// Records that `account` already holds `per_session` tickets of each of `sessions` from an
/// earlier sale elsewhere (as a last sync would say): a demo account near its cap.
pub fn seed_held(
    desk: &mut Desk,
    account: &AccountId,
    sessions: &[SessionCode],
    per_session: u32,
) -> Result<()> {
    desk.store_mut().write(|tx| {
        for code in sessions {
            guichet_store::accounts::set_held(tx, account, code, per_session)?;
        }
        Ok::<_, guichet_store::Error>(())
    })?;
    Ok(())
}
