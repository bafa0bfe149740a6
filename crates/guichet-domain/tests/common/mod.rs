//! Shared fixtures for the rules tests: the real Paris 2024 catalogue and configuration.
#![allow(dead_code, missing_docs)]

use std::collections::BTreeMap;
use std::sync::OnceLock;

use guichet_domain::config::parse_instant;
use guichet_domain::rules::{AccountStanding, DrawEntry, DrawStatus, Timeslot};
use guichet_domain::{
    check_order, Catalogue, DraftLine, DraftOrder, OrderKind, PriceCategory, Rejection, SaleConfig,
    SessionCode, ValidOrder,
};
use jiff::Timestamp;

pub fn catalogue() -> &'static Catalogue {
    static C: OnceLock<Catalogue> = OnceLock::new();
    C.get_or_init(Catalogue::paris2024)
}

pub fn config() -> SaleConfig {
    SaleConfig::paris2024()
}

/// An instant written as Paris wall-clock time, e.g. `at("2023-02-17T10:00:00")`.
pub fn at(paris: &str) -> Timestamp {
    parse_instant(&format!("{paris}[Europe/Paris]")).unwrap()
}

pub fn code(s: &str) -> SessionCode {
    SessionCode::parse(s).unwrap()
}

pub fn line(s: &str, cat: PriceCategory, q: u32) -> DraftLine {
    DraftLine {
        session: code(s),
        category: cat,
        quantity: q,
    }
}

pub fn pack(lines: Vec<DraftLine>) -> DraftOrder {
    DraftOrder {
        kind: OrderKind::Pack,
        lines,
    }
}

pub fn single(lines: Vec<DraftLine>) -> DraftOrder {
    DraftOrder {
        kind: OrderKind::Single,
        lines,
    }
}

/// Three ordinary sessions of three sports, six tickets each: a valid pack.
pub fn good_pack() -> DraftOrder {
    use PriceCategory::*;
    pack(vec![
        line("ATH02", D, 6),
        line("SWM01", C, 6),
        line("BKB01", B, 6),
    ])
}

/// A Club member drawn in the pack draw with the timeslot 17 Feb 10:00 – 19 Feb 10:00.
pub fn drawn_club_account() -> AccountStanding {
    let mut draws = BTreeMap::new();
    draws.insert(
        "pack-draw".to_string(),
        DrawEntry {
            status: DrawStatus::Drawn,
            timeslot: Some(Timeslot {
                start: at("2023-02-17T10:00:00"),
                end: at("2023-02-19T10:00:00"),
            }),
        },
    );
    AccountStanding {
        club_member: true,
        held: BTreeMap::new(),
        accessible: BTreeMap::new(),
        draws,
    }
}

/// An account that already holds `n` Olympic tickets, spread 6 per session over sessions
/// that are not in `good_pack`.
pub fn holding(mut acc: AccountStanding, n: u32) -> AccountStanding {
    let spare = [
        "FBL01", "FBL02", "FBL03", "HBL01", "JUD01", "TEN01", "ARC01",
    ];
    let mut left = n;
    for s in spare {
        if left == 0 {
            break;
        }
        let k = left.min(6);
        acc.held.insert(code(s), k);
        left -= k;
    }
    assert_eq!(left, 0, "fixture can hold at most 42 tickets");
    acc
}

pub fn check(d: &DraftOrder, a: &AccountStanding, now: Timestamp) -> Result<ValidOrder, Rejection> {
    check_order(d, a, &config(), catalogue(), catalogue(), now)
}
