//! The reads the screens show, on a real desk file: an account's orders, the shift's tickets,
//! the status bar's counts, the link, what is recorded.

use guichet_desk::Tender;
use guichet_domain::Money;

use crate::support::*;

fn sell_pack(f: &mut Fx, account: u32) -> String {
    let total = f.desk.quote(&pack(account)).unwrap().order.total;
    f.desk
        .sell(
            &pack(account),
            Tender {
                card: Money::ZERO,
                cash_tendered: total,
            },
        )
        .expect("a valid pack in the fixture sells")
        .order_id
}

#[test]
fn an_accounts_orders_are_its_own_newest_first_and_capped() {
    let mut f = fx();
    let first = sell_pack(&mut f, 1);
    f.clock.advance(jiff::SignedDuration::from_mins(5));
    let second = sell_pack(&mut f, 1);
    let _other = sell_pack(&mut f, 2);
    let orders = f.desk.orders_of_account(&acct(1), 50).unwrap();
    let ids: Vec<&str> = orders.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(
        ids,
        [second.as_str(), first.as_str()],
        "account 1's two orders, newest first, not account 2's"
    );
    assert_eq!(
        f.desk.orders_of_account(&acct(1), 1).unwrap().len(),
        1,
        "the limit caps the list"
    );
    assert!(
        f.desk.orders_of_account(&acct(3), 50).unwrap().is_empty(),
        "an account with no order has none"
    );
}

#[test]
fn the_shift_tickets_are_the_valid_tickets_of_its_orders() {
    let mut f = fx();
    let sold = sell_pack(&mut f, 1);
    let voided = sell_pack(&mut f, 2);
    f.desk
        .void_order(&voided, SUP.0, SUP.1, "duplicate")
        .unwrap();
    let shift = f
        .desk
        .open_shift_now()
        .unwrap()
        .expect("the fixture opened a shift");
    let tickets = f.desk.shift_tickets(&shift.id).unwrap();
    assert_eq!(
        tickets.len(),
        6,
        "the 6 tickets of the sold pack; the voided pack's are not valid"
    );
    let sum: i64 = tickets.iter().map(|t| t.price.cents()).sum();
    let order = f
        .desk
        .stored_order(&sold)
        .unwrap()
        .expect("the order is stored");
    assert_eq!(
        sum,
        order.total.cents(),
        "the dashboard's revenue is the sold order's total"
    );
    assert!(
        f.desk.shift_tickets("no-such-shift").unwrap().is_empty(),
        "another shift has none"
    );
}

#[test]
fn the_local_status_counts_what_waits_and_what_is_left_and_recorded_only_grows() {
    let mut f = fx();
    let before = f.desk.local_status().unwrap();
    assert_eq!(
        before.allotment_left,
        4 * 6 * 10,
        "4 sessions × 6 categories (A–D, WCH, CMP) × 10 seeded"
    );
    assert_eq!(before.last_pushed, None, "never synced");
    let recorded = f.desk.recorded().unwrap();
    let sold = sell_pack(&mut f, 1);
    let after = f.desk.local_status().unwrap();
    assert_eq!(
        before.allotment_left - after.allotment_left,
        6,
        "the pack's 6 tickets came from the allotment"
    );
    assert!(
        after.waiting > before.waiting,
        "the sale waits to be pushed"
    );
    let now = f.desk.recorded().unwrap();
    assert_eq!(now.orders, recorded.orders + 1, "one order more");
    assert!(
        now.ledger > recorded.ledger && now.outbox > recorded.outbox,
        "the sale is in the ledger and the outbox"
    );
    let ticket = &f.desk.stored_order(&sold).unwrap().unwrap().tickets[0].id;
    assert_eq!(
        f.desk.order_of_ticket(ticket).unwrap().map(|o| o.id),
        Some(sold),
        "a ticket leads to its order"
    );
    assert_eq!(
        f.desk.order_of_ticket("no-such-ticket").unwrap(),
        None,
        "an unknown ticket leads nowhere"
    );
}

#[test]
fn a_desk_not_enrolled_has_no_link_its_operators_and_its_allotment() {
    let f = fx();
    assert_eq!(
        f.desk.server_link().unwrap(),
        None,
        "the fixture never enrolled"
    );
    assert!(
        f.desk.has_operator().unwrap(),
        "the fixture added two operators"
    );
    assert!(
        f.desk.has_allotment().unwrap(),
        "the fixture seeded an allotment"
    );
    assert!(
        f.desk.cached_account(&acct(1)).unwrap().is_some(),
        "a seeded account is cached"
    );
    assert!(
        f.desk.cached_account(&acct(999)).unwrap().is_none(),
        "an unseeded one is not"
    );
}

#[test]
fn a_scan_reads_an_account_qr_a_ticket_of_this_desk_or_nothing_known() {
    let mut f = fx();
    let sold = sell_pack(&mut f, 1);
    let order = f
        .desk
        .stored_order(&sold)
        .unwrap()
        .expect("the order is stored");
    let ticket = &order.tickets[0];
    match f.desk.scan(&guichet_desk::account_qr(&acct(1))).unwrap() {
        guichet_desk::Scanned::Account(Some(a)) => assert_eq!(a.id, acct(1), "the scanned account"),
        other => panic!("an account QR opens its account: {other:?}"),
    }
    match f.desk.scan(&ticket.qr_payload).unwrap() {
        guichet_desk::Scanned::Ticket { ticket_id, order } => {
            assert_eq!(
                (ticket_id, order.id),
                (ticket.id.clone(), sold),
                "the ticket and its order"
            )
        }
        other => panic!("a ticket QR of this desk opens its order: {other:?}"),
    }
    assert_eq!(
        f.desk.scan("hello").unwrap(),
        guichet_desk::Scanned::Unknown,
        "a code that is neither is said to be unknown, not an error"
    );
}

#[test]
fn a_look_up_asks_no_server_when_the_desk_finds_the_account_or_none_answers() {
    let mut f = fx();
    // Not enrolled: asking the server would fail; the look-up must not even try when the desk
    // finds the account, and must keep its own (empty) answer when told no server answers.
    let (_, found) = f
        .desk
        .look_up_here_or_on_server("P24-0000001", true)
        .unwrap();
    assert_eq!(found.len(), 1, "found on the desk");
    let (_, none) = f
        .desk
        .look_up_here_or_on_server("zzzz-nobody", false)
        .unwrap();
    assert!(none.is_empty(), "nobody, and no server asked");
    let (_, none) = f
        .desk
        .look_up_here_or_on_server("zzzz-nobody", true)
        .unwrap();
    assert!(
        none.is_empty(),
        "a server that cannot be asked leaves the look-up as it is"
    );
}
