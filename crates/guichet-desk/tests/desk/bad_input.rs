use std::sync::{Arc, Mutex};

use guichet_desk::{FixedClock, PaymentTerminalSimulator, Tender};
use guichet_domain::Money;

use crate::support::*;

#[test]
fn negative_and_absurd_amounts_are_refused_and_nothing_is_written() {
    let mut f = fx();
    let total = f.desk.quote(&pack(1)).unwrap().order.total;
    let before = footprint(&f.desk);
    let cases = [
        (
            Tender {
                card: Money::from_cents(-100),
                cash_tendered: total,
            },
            "NEGATIVE_AMOUNT",
        ),
        (
            Tender {
                card: Money::ZERO,
                cash_tendered: Money::from_cents(-1),
            },
            "NEGATIVE_AMOUNT",
        ),
        (
            Tender {
                card: total + Money::from_cents(1),
                cash_tendered: Money::ZERO,
            },
            "CARD_OVER_TOTAL",
        ),
        (
            Tender {
                card: Money::ZERO,
                cash_tendered: Money::from_euros(1_000_000),
            },
            "ABSURD_CHANGE",
        ),
        (
            Tender {
                card: Money::ZERO,
                cash_tendered: total - Money::from_cents(1),
            },
            "CASH_SHORT",
        ),
        (
            Tender {
                card: total,
                cash_tendered: Money::from_euros(20),
            },
            "CASH_NOT_DUE",
        ),
    ];
    for (tender, code) in cases {
        let e = f.desk.sell(&pack(1), tender).unwrap_err();
        assert_eq!(e.code(), code, "{tender:?}: {e}");
        // Each refusal names the amounts and the way out.
        let said = e.to_string();
        assert!(said.contains('€') && said.contains(" — "), "{code}: {said}");
    }
    assert_eq!(footprint(&f.desk), before);
    assert!(
        f.terminal.lock().unwrap().journal.is_empty(),
        "the card was never charged"
    );
    assert_eq!(
        f.desk
            .close_shift(Money::from_cents(-1))
            .unwrap_err()
            .code(),
        "NEGATIVE_AMOUNT"
    );
}

#[test]
fn a_desk_refuses_a_foreign_file_before_writing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("photos.sqlite");
    {
        let c = guichet_store::rusqlite::Connection::open(&path).unwrap();
        c.execute_batch("CREATE TABLE photo (id INTEGER PRIMARY KEY);")
            .unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let clock = Arc::new(FixedClock::at(paris("2023-02-20T10:00")));
    let terminal = Arc::new(Mutex::new(PaymentTerminalSimulator::default()));
    let r = std::panic::catch_unwind(|| open_desk(&path, clock, terminal));
    assert!(r.is_err(), "open_desk unwraps the refusal");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the foreign file is untouched"
    );
}

#[test]
fn a_desk_refuses_a_newer_schema_and_names_the_fix() {
    let Fx {
        desk, path, _dir, ..
    } = fx();
    drop(desk);
    {
        let c = guichet_store::rusqlite::Connection::open(&path).unwrap();
        c.execute_batch("PRAGMA user_version = 99;").unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let e = guichet_desk::Desk::open(
        &path,
        guichet_desk::DeskParts {
            clock: Box::new(FixedClock::at(paris("2023-02-20T10:00"))),
            signer: Box::new(guichet_desk::DeviceKey::from_seed(SEED)),
            terminal: Box::new(PaymentTerminalSimulator::default()),
            settings: Default::default(),
            catalogue: guichet_domain::Catalogue::paris2024(),
            config: guichet_domain::SaleConfig::paris2024(),
        },
    )
    .unwrap_err();
    assert_eq!(e.code(), "NEWER_SCHEMA", "{e}");
    assert!(e.to_string().contains("schema version 99"), "{e}");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "nothing written to a newer file"
    );
}
