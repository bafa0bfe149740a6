//! Fixture: a desk on a temporary file, a fixed clock at 20 Feb 2023 10:00 Paris (pack sale,
//! inside the generated accounts' timeslot 19 Feb 10:00 – 21 Feb 10:00), two operators,
//! generated accounts, an allotment of 10 per category, an open shift with a 100 € float.

use std::sync::{Arc, Mutex};

use guichet_desk::demo::{seed_accounts, seed_allotment};
use guichet_desk::{
    Desk, DeskParts, DeskSettings, DeviceKey, FixedClock, OrderRequest, PaymentTerminalSimulator,
    RequestLine,
};
use guichet_domain::{
    AccountId, Catalogue, Money, OrderKind, PriceCategory, SaleConfig, SessionCode,
};
use guichet_store::operators::Role;
use jiff::Timestamp;

pub const SUP: (&str, &str) = ("S-SUP", "9876");
pub const SELL: (&str, &str) = ("S-SELL", "1234");
pub const SEED: [u8; 32] = [7; 32];

pub fn paris(s: &str) -> Timestamp {
    format!("{s}[Europe/Paris]")
        .parse::<jiff::Zoned>()
        .unwrap()
        .timestamp()
}

pub struct Fx {
    pub desk: Desk,
    pub clock: Arc<FixedClock>,
    pub terminal: Arc<Mutex<PaymentTerminalSimulator>>,
    pub path: std::path::PathBuf,
    pub _dir: tempfile::TempDir,
}

pub fn open_desk(
    path: &std::path::Path,
    clock: Arc<FixedClock>,
    terminal: Arc<Mutex<PaymentTerminalSimulator>>,
) -> Desk {
    Desk::open(
        path,
        DeskParts {
            clock: Box::new(clock),
            signer: Box::new(DeviceKey::from_seed(SEED)),
            terminal: Box::new(terminal),
            settings: DeskSettings::default(),
            catalogue: Catalogue::paris2024(),
            config: SaleConfig::paris2024(),
        },
    )
    .unwrap()
}

/// The fixture without an open shift and with nobody signed in.
pub fn bare() -> Fx {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("desk.sqlite");
    let clock = Arc::new(FixedClock::at(paris("2023-02-20T10:00")));
    let terminal = Arc::new(Mutex::new(PaymentTerminalSimulator::default()));
    let mut desk = open_desk(&path, clock.clone(), terminal.clone());
    desk.add_operator(SUP.0, "Supervisor One", Role::Supervisor, SUP.1)
        .unwrap();
    desk.sign_in(SUP.0, SUP.1).unwrap();
    desk.add_operator(SELL.0, "Seller One", Role::Seller, SELL.1)
        .unwrap();
    let now = desk.now();
    seed_accounts(&mut desk, 1, 30, paris("2023-02-19T10:00"), now).unwrap();
    seed_allotment(&mut desk, &["FBL01", "FBL02", "RU701", "HBL01"], 10).unwrap();
    desk.sign_out().unwrap();
    Fx {
        desk,
        clock,
        terminal,
        path,
        _dir: dir,
    }
}

/// The fixture with the seller signed in and a shift open (100 € float).
pub fn fx() -> Fx {
    let mut f = bare();
    f.desk.sign_in(SELL.0, SELL.1).unwrap();
    f.desk.open_shift(Money::from_euros(100)).unwrap();
    f
}

pub fn acct(n: u32) -> AccountId {
    AccountId::parse(&format!("P24-{n:07}")).unwrap()
}

pub fn line(s: &str, c: PriceCategory, q: u32) -> RequestLine {
    RequestLine {
        session: SessionCode::parse(s).unwrap(),
        category: c,
        quantity: q,
        holders: vec![],
    }
}

/// FBL01 D ×2 (24 €), RU701 C ×2, HBL01 B ×2: a valid pack in the fixture.
pub fn pack(account: u32) -> OrderRequest {
    OrderRequest {
        account: acct(account),
        kind: OrderKind::Pack,
        lines: vec![
            line("FBL01", PriceCategory::D, 2),
            line("RU701", PriceCategory::C, 2),
            line("HBL01", PriceCategory::B, 2),
        ],
    }
}

pub fn count(desk: &Desk, sql: &str) -> i64 {
    desk.store()
        .reader()
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}

/// Row counts of every table a use case may write, and the allotment left: equal before and
/// after a refusal means nothing was written.
pub fn footprint(desk: &Desk) -> Vec<i64> {
    [
        "SELECT count(*) FROM sale_order",
        "SELECT count(*) FROM ticket",
        "SELECT count(*) FROM payment",
        "SELECT count(*) FROM void",
        "SELECT count(*) FROM revocation",
        "SELECT count(*) FROM account",
        "SELECT count(*) FROM ledger",
        "SELECT count(*) FROM outbox",
        "SELECT count(*) FROM shift",
        "SELECT coalesce(sum(remaining), 0) FROM allotment",
    ]
    .iter()
    .map(|q| count(desk, q))
    .collect()
}

/// Whether a QR text is a ticket signed by the fixture's device key (as a gate checks it).
pub fn signed_by_fixture_key(qr: &str) -> bool {
    let key = guichet_desk::DeviceKey::from_seed(SEED).verifying_key();
    guichet_tickets::SignedTicket::parse(qr).is_ok_and(|t| t.verify(&key))
}

/// The other tests lean on what this module's doc promises; if the fixture drifts, this says
/// so here rather than as a puzzling failure elsewhere.
#[test]
fn the_fixture_is_what_its_doc_says() {
    let f = fx();
    assert_eq!(f.desk.operator().map(|o| o.id.as_str()), Some(SELL.0));
    let r = f.desk.shift_report().unwrap();
    assert_eq!(r.shift.float, Money::from_euros(100));
    assert_eq!(count(&f.desk, "SELECT count(*) FROM account"), 30);
    assert_eq!(
        count(&f.desk, "SELECT min(remaining) FROM allotment"),
        10,
        "10 per category"
    );
    assert_eq!(
        count(
            &f.desk,
            "SELECT count(DISTINCT session_code) FROM allotment"
        ),
        4
    );
    let mut f = f;
    let q = f.desk.quote(&pack(1)).unwrap();
    assert_eq!(
        q.order.phase, "pack-sale",
        "the clock stands in the pack sale"
    );
    let cash = guichet_desk::Tender {
        card: Money::ZERO,
        cash_tendered: q.order.total,
    };
    let sold = f.desk.sell(&pack(1), cash).unwrap();
    let qr: String = f
        .desk
        .store()
        .reader()
        .query_row(
            "SELECT qr_payload FROM ticket WHERE id = ?1",
            [&sold.tickets[0].0],
            |r| r.get(0),
        )
        .unwrap();
    assert!(signed_by_fixture_key(&qr), "tickets are signed with SEED");
}
