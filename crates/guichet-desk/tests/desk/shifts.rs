use guichet_desk::Tender;
use guichet_domain::Money;

use crate::support::*;

#[test]
fn the_z_report_compares_expected_and_counted_cash() {
    let mut f = fx(); // float 100 €
    let t1 = f.desk.quote(&pack(1)).unwrap().order.total;
    f.desk
        .sell(
            &pack(1),
            Tender {
                card: Money::ZERO,
                cash_tendered: t1 + Money::from_euros(20),
            },
        )
        .unwrap();
    let t2 = f.desk.quote(&pack(2)).unwrap().order.total;
    let r2 = f
        .desk
        .sell(
            &pack(2),
            Tender {
                card: t2,
                cash_tendered: Money::ZERO,
            },
        )
        .unwrap();
    let t3 = f.desk.quote(&pack(3)).unwrap().order.total;
    let r3 = f
        .desk
        .sell(
            &pack(3),
            Tender {
                card: Money::ZERO,
                cash_tendered: t3,
            },
        )
        .unwrap();
    f.desk
        .void_order(&r3.order_id, SUP.0, SUP.1, "duplicate")
        .unwrap();
    let _ = r2;
    // Expected: 100 float + t1 + t3 cash in − t3 cash refunded = 100 + t1. Counted 5 € short.
    let counted = Money::from_euros(100) + t1 - Money::from_euros(5);
    let z = f.desk.close_shift(counted).unwrap();
    assert_eq!(
        z.cash_in,
        t1 + t3,
        "cash in counts what stayed in the till, change excluded"
    );
    assert_eq!(z.card_in, t2);
    assert_eq!(z.cash_refunded, t3);
    assert_eq!((z.orders, z.voids), (3, 1));
    assert_eq!(z.expected_cash, Money::from_euros(100) + t1);
    assert_eq!(
        z.difference,
        Some(Money::from_euros(-5)),
        "5 € missing shows as −5 €"
    );
    assert_eq!(
        count(
            &f.desk,
            "SELECT count(*) FROM outbox WHERE kind = 'shift_closed'"
        ),
        1
    );
    assert_eq!(
        f.desk.close_shift(counted).unwrap_err().code(),
        "NO_OPEN_SHIFT"
    );
}

#[test]
fn one_shift_at_a_time_and_no_negative_float() {
    let mut f = fx();
    let before = footprint(&f.desk);
    let e = f.desk.open_shift(Money::from_euros(50)).unwrap_err();
    assert_eq!(e.code(), "SHIFT_ALREADY_OPEN", "{e}");
    f.desk.close_shift(Money::from_euros(100)).unwrap();
    let before2 = footprint(&f.desk);
    assert_ne!(before, before2);
    let e = f.desk.open_shift(Money::from_cents(-1)).unwrap_err();
    assert_eq!(e.code(), "NEGATIVE_AMOUNT");
    assert_eq!(footprint(&f.desk), before2);
}

#[test]
fn a_closed_shift_s_z_report_prints_on_a_real_cups_queue() {
    let queue = std::env::var("GUICHET_TEST_PRINTER").unwrap_or_else(|_| "PDF".into());
    let mut f = fx();
    let z = f.desk.close_shift(Money::from_euros(100)).unwrap();
    let spool = tempfile::tempdir().unwrap();
    let job = f
        .desk
        .print_shift_report(&z.shift.id, &queue, spool.path())
        .unwrap_or_else(|e| panic!("printing to {queue} (is cupsd running?): {e}"));
    assert!(job.to_string().starts_with(&format!("{queue}-")), "{job}");
    let kept: Vec<_> = std::fs::read_dir(spool.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(kept.len(), 1, "the PDF is kept: {kept:?}");
    let out = std::process::Command::new("pdftotext")
        .arg(&kept[0])
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Rapport Z") && text.contains("100,00 €"),
        "{text}"
    );

    let e = f
        .desk
        .print_shift_report("no-such-shift", &queue, spool.path())
        .unwrap_err();
    assert_eq!(e.code(), "BAD_INPUT");
    assert!(e.to_string().contains("no shift \"no-such-shift\""), "{e}");
}
