//! What a pull does to the desk's store: the server's allotment less what this desk sold
//! offline and has not yet pushed (plus what it voided and has not yet pushed), held tickets
//! replaced by the server's count once the desk's orders are acknowledged. And the outbox
//! holds exactly the wire payloads the server reads.

use guichet_desk::sync::apply_pull;
use guichet_desk::Tender;
use guichet_domain::Money;
use guichet_store::accounts::held_tickets;
use guichet_store::journal::{mark_pushed, pending_events};
use guichet_wire::accounts::{AccountDto, HeldDto};
use guichet_wire::sync::{AllotmentDto, PullResponse, SalePayload, VoidPayload};

use crate::support::{acct, count, fx, pack, SUP};

fn pull(outstanding: u32, held: u32) -> PullResponse {
    PullResponse {
        cursor: "7".to_owned(),
        more: false,
        availability: vec![],
        allotments: vec![AllotmentDto {
            session: "FBL01".into(),
            category: "D".into(),
            granted: 10,
            sold: 10 - outstanding,
            returned: 0,
            outstanding,
        }],
        revocations: vec!["0190f0aa-0000-7000-8000-000000000001".into()],
        accounts: vec![AccountDto {
            id: acct(1).to_string(),
            name: "Server Name".into(),
            email: "a@example.org".into(),
            country: "FR".into(),
            club_number: None,
            draws: vec![],
            held: vec![HeldDto {
                session: "FBL01".into(),
                count: held,
            }],
            olympic_held: held,
            paralympic_held: 0,
        }],
    }
}

fn fbl01_d(f: &crate::support::Fx) -> i64 {
    count(
        &f.desk,
        "SELECT remaining FROM allotment WHERE session_code = 'FBL01' AND category = 'D'",
    )
}

fn push_all(f: &mut crate::support::Fx) {
    let now = f.desk.now();
    let events = pending_events(f.desk.store().reader(), 100).unwrap();
    f.desk
        .store_mut()
        .write(|tx| {
            for e in &events {
                mark_pushed(tx, e.seq, now, now)?;
            }
            Ok::<_, guichet_store::Error>(())
        })
        .unwrap();
}

#[test]
fn a_pull_counts_unpushed_offline_sales_and_voids_against_the_servers_allotment() {
    let mut f = fx();
    let r = f
        .desk
        .sell(
            &pack(1),
            Tender {
                card: Money::ZERO,
                cash_tendered: Money::from_euros(300),
            },
        )
        .unwrap();
    assert_eq!(
        fbl01_d(&f),
        8,
        "the sale took 2 FBL01 D from the allotment of 10"
    );

    // The server has not seen the sale: 10 outstanding there, 2 of them sold here.
    let now = f.desk.now();
    let report = apply_pull(f.desk.store_mut(), &pull(10, 0), now).unwrap();
    assert_eq!(
        (report.allotments, report.accounts, report.cursor),
        (1, 1, "7".to_owned())
    );
    assert_eq!(
        fbl01_d(&f),
        8,
        "10 outstanding on the server − 2 not yet pushed"
    );
    let held = held_tickets(f.desk.store().reader(), &acct(1)).unwrap();
    assert_eq!(
        held.values().sum::<u32>(),
        6,
        "the server knows 0; the desk's 6 unacknowledged tickets count on top"
    );

    // Pushed and pulled: the server's numbers alone.
    push_all(&mut f);
    apply_pull(f.desk.store_mut(), &pull(8, 2), now).unwrap();
    assert_eq!(fbl01_d(&f), 8);
    let held = held_tickets(f.desk.store().reader(), &acct(1)).unwrap();
    assert_eq!(
        held.values().sum::<u32>(),
        2,
        "acknowledged orders are in the server's count, not counted twice"
    );

    // Voided here, not yet pushed: the seats are back here before the server knows.
    f.desk
        .void_order(&r.order_id, SUP.0, SUP.1, "customer changed their mind")
        .unwrap();
    assert_eq!(fbl01_d(&f), 10);
    apply_pull(f.desk.store_mut(), &pull(8, 2), now).unwrap();
    assert_eq!(
        fbl01_d(&f),
        10,
        "8 outstanding on the server + 2 voided here, not yet pushed"
    );
    assert_eq!(
        count(&f.desk, "SELECT count(*) FROM server_revocation"),
        1,
        "revocations are kept for look-ups"
    );
}

#[test]
fn the_outbox_holds_the_wire_payloads_the_server_reads() {
    let mut f = fx();
    let r = f
        .desk
        .sell(
            &pack(2),
            Tender {
                card: Money::ZERO,
                cash_tendered: Money::from_euros(300),
            },
        )
        .unwrap();
    f.desk
        .void_order(&r.order_id, SUP.0, SUP.1, "wrong day")
        .unwrap();
    let events = pending_events(f.desk.store().reader(), 100).unwrap();
    let sale = events.iter().find(|e| e.kind == "sale").unwrap();
    let p: SalePayload = serde_json::from_value(sale.payload.clone()).unwrap();
    assert_eq!(
        (p.order_id.as_str(), p.tickets.len(), p.offline),
        (r.order_id.as_str(), 6, true)
    );
    assert_eq!(
        p.tickets.iter().map(|t| t.price).sum::<i64>(),
        r.total.cents(),
        "ticket prices in cents add up to the receipt"
    );
    let void = events.iter().find(|e| e.kind == "void").unwrap();
    let v: VoidPayload = serde_json::from_value(void.payload.clone()).unwrap();
    assert_eq!((v.order_id, v.ticket_ids.len()), (r.order_id, 6));
}

#[test]
fn the_sync_task_of_a_desk_not_enrolled_says_so_and_still_counts_what_waits() {
    let f = fx();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let h = guichet_desk::SyncHandle::start(rt.handle(), guichet_desk::SyncConfig::new(&f.path));
    let st = h.sync_now_and_wait(std::time::Duration::from_secs(60));
    assert!(!st.online, "{st:?}");
    assert!(
        st.last_error
            .as_deref()
            .unwrap_or("")
            .contains("not enrolled with a server"),
        "the status bar says what to do: {st:?}"
    );
    assert_eq!(
        st.failure,
        Some(guichet_desk::SyncFailure::NotEnrolled),
        "{st:?}"
    );
    assert_eq!(
        st.waiting as i64,
        count(
            &f.desk,
            "SELECT count(*) FROM outbox WHERE pushed_at IS NULL"
        ),
        "waiting events are counted even offline"
    );
    assert_eq!(
        st.allotment_left as i64,
        count(&f.desk, "SELECT sum(remaining) FROM allotment"),
        "allotment left is read from the desk's file"
    );
    assert!(st.rounds >= 1);
    h.stop_blocking(std::time::Duration::from_secs(60));
}
