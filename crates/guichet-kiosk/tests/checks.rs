//! The pre-sale checks on a real kiosk store: a printer out of paper, an offline kiosk with no
//! allotment and a clock outside every phase each put the kiosk out of order with their code;
//! paper refilled and seats allotted inside the pack sale put it back in order.

use guichet_desk::{DeviceKey, FixedClock, Layout};
use guichet_domain::{Catalogue, PriceCategory, SaleConfig, SessionCode};
use guichet_kiosk::{FileSinkPrinter, Kiosk, KioskParts, SimulatedTerminal};

fn kiosk(dir: &std::path::Path, at: &str) -> Kiosk {
    let parts = KioskParts {
        clock: Box::new(FixedClock::at(at.parse().expect("an instant"))),
        signer: Box::new(DeviceKey::from_seed([9; 32])),
        terminal: Box::new(SimulatedTerminal::new(dir.join("terminal.jsonl"))),
        printer: Box::new(FileSinkPrinter {
            dir: dir.join("printed"),
            fail_with: Some("out of paper (simulated)".into()),
        }),
        catalogue: Catalogue::paris2024(),
        config: SaleConfig::paris2024(),
        layout: Layout::Thermal,
    };
    Kiosk::open(dir.join("kiosk.sqlite"), parts).expect("the kiosk store opens")
}

fn codes(k: &mut Kiosk) -> Vec<&'static str> {
    k.health()
        .expect("the checks run")
        .iter()
        .map(|p| p.code())
        .collect()
}

#[test]
fn each_failing_pre_sale_check_has_its_code_and_fixing_them_puts_the_kiosk_in_order() {
    let tmp = tempfile::tempdir().unwrap();
    // 2026: no sale phase of Paris 2024 is open.
    let mut k = kiosk(tmp.path(), "2026-01-10T10:00:00Z");
    assert_eq!(
        codes(&mut k),
        vec!["OOO-PRINTER", "OOO-STOCK", "OOO-PHASE"],
        "out of paper, offline with no allotment, outside every phase: each check fails"
    );
    k.resume_printer().expect("paper refilled");
    let (fbl, d) = (
        SessionCode::parse("FBL01").unwrap(),
        PriceCategory::parse("D").unwrap(),
    );
    k.store_mut()
        .write(|tx| guichet_store::stock::set_allotment(tx, &fbl, d, 4, 4))
        .expect("an allotment");
    assert_eq!(
        codes(&mut k),
        vec!["OOO-PHASE"],
        "with paper and seats only the clock is left outside a phase"
    );
    drop(k);
    // Inside the pack sale (17 Feb 2023, noon in Paris): in order.
    let mut k = kiosk(tmp.path(), "2023-02-17T11:00:00Z");
    k.resume_printer().expect("paper refilled");
    assert!(
        codes(&mut k).is_empty(),
        "paper, an allotment and an open phase: the kiosk sells"
    );
}
