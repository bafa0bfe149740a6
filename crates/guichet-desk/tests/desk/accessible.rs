//! Accessible pairs at the counter, offline: sold from the allotment under the same rules as the
//! server; a companion seat alone is refused and writes nothing.

use guichet_desk::{Error, OrderRequest, Tender};
use guichet_domain::rules::Code;
use guichet_domain::{Money, OrderKind, PriceCategory};
use guichet_store::sales::order;
use guichet_store::stock::allotments;

use crate::support::*;

fn cash(euros: i64) -> Tender {
    Tender {
        card: Money::ZERO,
        cash_tendered: Money::from_euros(euros),
    }
}

fn pair_pack(account: u32, companions: u32, wheelchair: u32) -> OrderRequest {
    let mut lines = vec![
        line("RU701", PriceCategory::C, 2),
        line("HBL01", PriceCategory::B, 2),
    ];
    if wheelchair > 0 {
        lines.push(line("FBL01", PriceCategory::WCH, wheelchair));
    }
    lines.push(line("FBL01", PriceCategory::CMP, companions));
    OrderRequest {
        account: acct(account),
        kind: OrderKind::Pack,
        lines,
    }
}

fn left(f: &Fx, c: PriceCategory) -> u32 {
    let code = guichet_domain::SessionCode::parse("FBL01").unwrap();
    allotments(f.desk.store().reader()).unwrap()[&(code, c)]
}

#[test]
fn a_wheelchair_place_and_its_companion_seat_are_sold_offline_from_the_allotment() {
    let mut f = fx();
    let (w0, c0) = (left(&f, PriceCategory::WCH), left(&f, PriceCategory::CMP));
    let r = f.desk.sell(&pair_pack(1, 1, 1), cash(500)).unwrap();
    let o = order(f.desk.store().reader(), &r.order_id)
        .unwrap()
        .unwrap();
    let cats: Vec<PriceCategory> = o.tickets.iter().map(|t| t.category).collect();
    assert_eq!(
        cats.iter().filter(|c| c.is_accessible()).count(),
        2,
        "one wheelchair ticket and one companion ticket: {cats:?}"
    );
    assert!(o.offline, "sold from the allotment, no server involved");
    assert_eq!(
        (left(&f, PriceCategory::WCH), left(&f, PriceCategory::CMP)),
        (w0 - 1, c0 - 1),
        "both places of the pair come out of the allotment"
    );
    assert!(
        o.tickets
            .iter()
            .all(|t| signed_by_fixture_key(&t.qr_payload)),
        "the pair's tickets carry signed QR codes like any other"
    );
}

#[test]
fn a_lone_companion_seat_is_refused_offline_and_nothing_is_written() {
    let mut f = fx();
    let before = footprint(&f.desk);
    let e = f.desk.sell(&pair_pack(2, 1, 0), cash(500)).unwrap_err();
    let Error::Refused(r) = e else {
        panic!("expected a rules refusal, got {e}");
    };
    assert_eq!(r.codes(), vec![Code::CompanionWithoutWheelchair], "{r}");
    assert!(
        r.violations[0]
            .fr
            .contains("une place accompagnateur va avec une place fauteuil roulant"),
        "the counter shows the sentence in French too: {}",
        r.violations[0].fr
    );
    assert_eq!(footprint(&f.desk), before, "a refusal writes nothing");
    let e = f.desk.sell(&pair_pack(2, 2, 1), cash(500)).unwrap_err();
    let Error::Refused(r) = e else {
        panic!("expected a rules refusal, got {e}");
    };
    assert_eq!(r.codes(), vec![Code::CompanionsOverWheelchair], "{r}");
}
