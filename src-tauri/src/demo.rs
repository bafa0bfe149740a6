//! A demo desk (`GUICHET_DEMO=1`): generated operators, accounts and an allotment, seeded once
//! into an empty desk file, so the window can be tried with no server. The sign-in screen says
//! it is a demo and shows these staff ids and PINs; no real person's data.

use std::collections::BTreeMap;

use guichet_desk::demo::{seed_accounts, seed_allotment, seed_held};
use guichet_desk::{Desk, Result};
use guichet_domain::{AccountId, Games, SessionCode};
use guichet_store::operators::Role;

use crate::wire::DemoHint;

/// The demo's staff.
pub fn hint() -> DemoHint {
    DemoHint {
        seller: "S-SELL".into(),
        seller_pin: "1234".into(),
        supervisor: "S-SUP".into(),
        supervisor_pin: "9876".into(),
    }
}

/// Generated accounts; all drawn in the pack draw with a 48-hour timeslot from 19 Feb 10:00.
pub const DEMO_ACCOUNTS: u32 = 500;
/// Tickets of each category this desk may sell per allotted session.
pub const DEMO_ALLOTMENT: u32 = 40;
/// The account that already holds 12 Olympic tickets from an earlier sale (last sync): a pack
/// of 3 × 6 takes it to the 30-ticket cap exactly.
pub const DEMO_HOLDER: &str = "P24-0000001";

/// Adds the demo's two operators to a desk that has none (an enrolled demo desk: its accounts
/// and allotment come from the server). Returns whether it added them.
pub fn seed_operators(desk: &mut Desk) -> Result<bool> {
    if desk.has_operator()? {
        return Ok(false);
    }
    add_operators(desk)?;
    Ok(true)
}

fn add_operators(desk: &mut Desk) -> Result<()> {
    let h = hint();
    desk.add_operator(
        &h.supervisor,
        "Sam Superviseur",
        Role::Supervisor,
        &h.supervisor_pin,
    )?;
    desk.sign_in(&h.supervisor, &h.supervisor_pin)?;
    desk.add_operator(&h.seller, "Camille Vendeur", Role::Seller, &h.seller_pin)?;
    desk.sign_out()?;
    Ok(())
}

/// Sessions a just-enrolled demo desk borrows seats of, to sell when the server is away: one
/// football, rugby, handball, basketball, volleyball and hockey session of the pack sale.
pub const DEMO_SERVER_SESSIONS: &[&str] = &["FBL01", "RU701", "HBL01", "BKB01", "VVO01", "HOC01"];
/// Seats borrowed per category of those sessions.
pub const DEMO_SERVER_ALLOTMENT: u32 = 20;

/// Borrows an allotment from the server for a demo desk that just enrolled (if it has none):
/// [`DEMO_SERVER_ALLOTMENT`] seats of each category of [`DEMO_SERVER_SESSIONS`].
pub fn allot_from_server(desk: &mut Desk) -> Result<()> {
    if desk.has_allotment()? {
        return Ok(());
    }
    let mut wanted = Vec::new();
    for code in DEMO_SERVER_SESSIONS {
        let Ok(code) = SessionCode::parse(code) else {
            continue;
        };
        if let Some(s) = desk.catalogue().session(&code) {
            for offer in &s.offers {
                wanted.push((code.clone(), offer.category));
            }
        }
    }
    for (code, category) in wanted {
        desk.ask_allotment(&code, category, DEMO_SERVER_ALLOTMENT)?;
    }
    Ok(())
}

/// Seeds the demo data if the desk has no operator yet: a desk with no server only.
pub fn seed_if_empty(desk: &mut Desk) -> Result<()> {
    if desk.has_operator()? {
        return Ok(());
    }
    add_operators(desk)?;

    let slot: jiff::Timestamp = "2023-02-19T09:00:00Z".parse().expect("a valid instant");
    let created: jiff::Timestamp = "2023-02-10T09:00:00Z".parse().expect("a valid instant");
    seed_accounts(desk, 0, DEMO_ACCOUNTS, slot, created)?;

    // The first three Olympic sessions of each sport that the pack sale does not hold back.
    let held_back = ["CER-OPENING", "CER-CLOSING", "ATH07"];
    let mut per_sport: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut spare = Vec::new();
    for s in desk.catalogue().sessions() {
        if s.games != Games::Olympic || s.sport == "Surfing" || held_back.contains(&s.code.as_str())
        {
            continue;
        }
        let list = per_sport.entry(s.sport.clone()).or_default();
        if list.len() < 3 {
            list.push(s.code.to_string());
        } else if spare.len() < 2 {
            spare.push(s.code.clone());
        }
    }
    let codes: Vec<&str> = per_sport.values().flatten().map(String::as_str).collect();
    seed_allotment(desk, &codes, DEMO_ALLOTMENT)?;

    let holder = AccountId::parse(DEMO_HOLDER).expect("a valid id");
    let spare: Vec<SessionCode> = spare;
    seed_held(desk, &holder, &spare, 6)?;
    Ok(())
}
