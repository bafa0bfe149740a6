use guichet_desk::Tender;
use guichet_domain::Money;
use guichet_store::sales::order;
use guichet_store::voids::revoked_ticket_ids;

use crate::support::*;

fn sold(f: &mut Fx, card: bool) -> guichet_desk::SaleReceipt {
    let total = f.desk.quote(&pack(1)).unwrap().order.total;
    let tender = if card {
        Tender {
            card: total,
            cash_tendered: Money::ZERO,
        }
    } else {
        Tender {
            card: Money::ZERO,
            cash_tendered: total,
        }
    };
    f.desk.sell(&pack(1), tender).unwrap()
}

#[test]
fn a_void_needs_a_supervisor_pin() {
    let mut f = fx();
    let r = sold(&mut f, false);
    let before = footprint(&f.desk);
    let e = f
        .desk
        .void_order(&r.order_id, SELL.0, SELL.1, "customer changed mind")
        .unwrap_err();
    assert_eq!(e.code(), "NOT_SUPERVISOR", "{e}");
    assert_eq!(
        footprint(&f.desk),
        before,
        "a seller's own PIN voids nothing"
    );
    let e = f
        .desk
        .void_order(&r.order_id, SUP.0, "0000", "x")
        .unwrap_err();
    assert_eq!(e.code(), "WRONG_PIN");
    let after = footprint(&f.desk);
    assert_eq!(
        after[..6],
        before[..6],
        "a wrong supervisor PIN writes only the ledger row"
    );
}

#[test]
fn a_void_revokes_returns_seats_refunds_and_is_recorded() {
    let mut f = fx();
    let r = sold(&mut f, true);
    let allot_before = count(&f.desk, "SELECT sum(remaining) FROM allotment");
    let v = f
        .desk
        .void_order(&r.order_id, SUP.0, SUP.1, "wrong session")
        .unwrap();
    assert_eq!(v.revoked.len(), 6);
    assert_eq!(
        v.card_refund, r.total,
        "a card sale is refunded to the card"
    );
    assert_eq!(
        count(&f.desk, "SELECT sum(remaining) FROM allotment"),
        allot_before + 6,
        "the six seats go back to the allotment they came from"
    );
    let mut revoked = revoked_ticket_ids(f.desk.store().reader()).unwrap();
    let mut ids: Vec<String> = r.tickets.iter().map(|t| t.0.clone()).collect();
    revoked.sort();
    ids.sort();
    assert_eq!(
        revoked, ids,
        "every ticket of the order is on the revocation list"
    );
    let o = order(f.desk.store().reader(), &r.order_id)
        .unwrap()
        .unwrap();
    assert_eq!(o.status, "voided");
    let q = format!("SELECT count(*) FROM ledger WHERE action = 'void' AND subject_id = '{}' AND operator_id = 'S-SELL' AND data LIKE '%S-SUP%'", r.order_id);
    assert_eq!(
        count(&f.desk, &q),
        1,
        "who asked and who approved are both recorded"
    );
    assert_eq!(
        count(&f.desk, "SELECT count(*) FROM outbox WHERE kind = 'void'"),
        1
    );
    let before = footprint(&f.desk);
    let e = f
        .desk
        .void_order(&r.order_id, SUP.0, SUP.1, "again")
        .unwrap_err();
    assert_eq!(e.code(), "ALREADY_VOIDED");
    assert_eq!(footprint(&f.desk), before);
}

#[test]
fn unknown_order_cannot_be_voided() {
    let mut f = fx();
    let e = f.desk.void_order("nope", SUP.0, SUP.1, "x").unwrap_err();
    assert_eq!(e.code(), "UNKNOWN_ORDER");
}

#[test]
fn reprint_keeps_the_qr_and_reissue_replaces_it() {
    let mut f = fx();
    let r = sold(&mut f, false);
    let old = r.tickets[0].0.clone();
    let o = order(f.desk.store().reader(), &r.order_id)
        .unwrap()
        .unwrap();
    let qr = o.tickets[0].qr_payload.clone();
    assert_eq!(
        f.desk.reprint(&old).unwrap(),
        qr,
        "a reprint is the same ticket"
    );
    assert!(revoked_ticket_ids(f.desk.store().reader())
        .unwrap()
        .is_empty());
    let e = f
        .desk
        .reissue(&old, Some("New Holder"), SELL.0, SELL.1)
        .unwrap_err();
    assert_eq!(e.code(), "NOT_SUPERVISOR");
    let new = f
        .desk
        .reissue(&old, Some("New Holder"), SUP.0, SUP.1)
        .unwrap();
    assert_ne!(new, old);
    assert_eq!(
        revoked_ticket_ids(f.desk.store().reader()).unwrap(),
        vec![old.clone()]
    );
    let o = order(f.desk.store().reader(), &r.order_id)
        .unwrap()
        .unwrap();
    let t = o.tickets.iter().find(|t| t.id == new).unwrap();
    assert_eq!(t.replaces.as_deref(), Some(old.as_str()));
    assert_eq!(t.holder_name, "New Holder");
    assert!(signed_by_fixture_key(&t.qr_payload), "newly signed");
    assert_ne!(t.qr_payload, qr);
    assert_eq!(f.desk.reprint(&old).unwrap_err().code(), "TICKET_NOT_VALID");
    assert_eq!(
        f.desk.reissue(&old, None, SUP.0, SUP.1).unwrap_err().code(),
        "TICKET_NOT_VALID"
    );
    // Voiding the order afterwards revokes the replacement too, not the already revoked one.
    let v = f.desk.void_order(&r.order_id, SUP.0, SUP.1, "x").unwrap();
    assert!(v.revoked.contains(&new) && !v.revoked.contains(&old));
}

#[test]
fn a_partial_refund_pays_back_card_first_then_cash_and_keeps_the_rest_valid() {
    let mut f = fx();
    let total = f.desk.quote(&pack(1)).unwrap().order.total;
    let tender = Tender {
        card: Money::from_euros(30),
        cash_tendered: total,
    };
    let r = f.desk.sell(&pack(1), tender).unwrap();
    let fbl: Vec<String> = r
        .tickets
        .iter()
        .filter(|t| t.1.as_str() == "FBL01")
        .map(|t| t.0.clone())
        .collect();
    assert_eq!(fbl.len(), 2);
    let e = f
        .desk
        .refund_tickets(&r.order_id, &fbl, SELL.0, SELL.1, "x")
        .unwrap_err();
    assert_eq!(e.code(), "NOT_SUPERVISOR");
    let v = f
        .desk
        .refund_tickets(&r.order_id, &fbl, SUP.0, SUP.1, "cannot come")
        .unwrap();
    // Two FBL01 D tickets at 24 €: 48 € back, 30 € of it to the card that paid 30 €.
    assert_eq!(v.card_refund, Money::from_euros(30));
    assert_eq!(v.cash_refund, Money::from_euros(18));
    assert_eq!(v.revoked, fbl);
    let left = count(
        &f.desk,
        "SELECT remaining FROM allotment WHERE session_code = 'FBL01' AND category = 'D'",
    );
    assert_eq!(left, 10, "the refunded seats are back in the allotment");
    let (_, standing) = f.desk.account(&acct(1)).unwrap();
    assert_eq!(
        standing
            .held
            .get(&guichet_domain::SessionCode::parse("FBL01").unwrap()),
        None,
        "no longer held"
    );
    assert_eq!(
        count(&f.desk, "SELECT count(*) FROM outbox WHERE kind = 'refund'"),
        1
    );
    let o = order(f.desk.store().reader(), &r.order_id)
        .unwrap()
        .unwrap();
    assert_eq!(o.status, "sold", "the other four tickets stay valid");
    let e = f
        .desk
        .refund_tickets(&r.order_id, &fbl[..1], SUP.0, SUP.1, "again")
        .unwrap_err();
    assert_eq!(
        e.code(),
        "TICKET_NOT_VALID",
        "a refunded ticket is not refunded twice: {e}"
    );
    let v = f
        .desk
        .void_order(&r.order_id, SUP.0, SUP.1, "all of it")
        .unwrap();
    assert_eq!(v.revoked.len(), 4);
    assert_eq!(
        v.card_refund,
        Money::ZERO,
        "the card was already paid back in full"
    );
    assert_eq!(v.cash_refund, total - Money::from_euros(48));
}

#[test]
fn the_order_pdf_carries_the_valid_tickets_with_their_signed_qr() {
    let mut f = fx();
    let r = sold(&mut f, false);
    let pdf = f
        .desk
        .order_pdf(&r.order_id, guichet_desk::Layout::A4)
        .unwrap();
    assert!(pdf.starts_with(b"%PDF"), "a PDF document");
    // Page objects: "/Type /Page" or "/Type/Page", not the "/Pages" tree node.
    let pages = |pdf: &[u8]| {
        let t = String::from_utf8_lossy(pdf).replace("/Type /Page", "/Type/Page");
        t.matches("/Type/Page").count() - t.matches("/Type/Pages").count()
    };
    let six = pages(&pdf);
    assert_eq!(six, 6, "one page per ticket of the pack");
    // After refunding one ticket the PDF has one page fewer: void tickets are not printed.
    f.desk
        .refund_tickets(&r.order_id, &[r.tickets[0].0.clone()], SUP.0, SUP.1, "x")
        .unwrap();
    let pdf = f
        .desk
        .order_pdf(&r.order_id, guichet_desk::Layout::Thermal)
        .unwrap();
    assert_eq!(pages(&pdf) + 1, six, "one page per valid ticket");
    assert_eq!(
        f.desk
            .order_pdf("nope", guichet_desk::Layout::A4)
            .unwrap_err()
            .code(),
        "UNKNOWN_ORDER"
    );
}

#[test]
fn an_order_prints_on_a_real_cups_queue_and_a_missing_printer_is_explained() {
    // The test command starts cupsd with the cups-pdf queue "PDF"
    // (GUICHET_TEST_PRINTER names another).
    let queue = std::env::var("GUICHET_TEST_PRINTER").unwrap_or_else(|_| "PDF".into());
    let mut f = fx();
    let r = sold(&mut f, false);
    let spool = tempfile::tempdir().unwrap();
    let job = f
        .desk
        .print_order(
            &r.order_id,
            guichet_desk::Layout::Thermal,
            &queue,
            spool.path(),
        )
        .unwrap_or_else(|e| panic!("printing to {queue} (is cupsd running?): {e}"));
    assert!(
        job.to_string().starts_with(&format!("{queue}-")),
        "CUPS answers with a job id of the queue: {job}"
    );
    assert!(
        spool.path().join(format!("{}.pdf", r.order_id)).exists(),
        "the PDF is kept for a reprint"
    );
    let e = f
        .desk
        .print_order(
            &r.order_id,
            guichet_desk::Layout::A4,
            "NO-SUCH-QUEUE",
            spool.path(),
        )
        .unwrap_err();
    assert_eq!(e.code(), "PRINT");
    assert!(e.to_string().contains("NO-SUCH-QUEUE"), "{e}");
}
