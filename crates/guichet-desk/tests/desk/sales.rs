use guichet_desk::{Error, OrderRequest, Tender, WalkIn};
use guichet_domain::rules::Code;
use guichet_domain::{Money, OrderKind, PriceCategory};
use guichet_store::sales::order;
use jiff::SignedDuration;

use crate::support::*;

fn cash(euros: i64) -> Tender {
    Tender {
        card: Money::ZERO,
        cash_tendered: Money::from_euros(euros),
    }
}

fn codes(e: Error) -> Vec<Code> {
    match e {
        Error::Refused(r) => r.codes(),
        other => panic!("expected a rules refusal, got {other}"),
    }
}

#[test]
fn a_pack_sold_for_cash_writes_everything_in_one_go() {
    let mut f = fx();
    let mut req = pack(1);
    req.lines[2].holders = vec!["Ana Guest".into()];
    let q = f.desk.quote(&req).unwrap();
    let total = q.order.total;
    let r = f.desk.sell(&req, cash(500)).unwrap();
    assert_eq!(r.total, total, "the sale charges what the quote said");
    assert_eq!(
        r.change,
        Money::from_euros(500) - total,
        "change = tendered − total"
    );
    let o = order(f.desk.store().reader(), &r.order_id)
        .unwrap()
        .unwrap();
    assert_eq!(o.tickets.len(), 6);
    let holders: Vec<&str> = o.tickets.iter().map(|t| t.holder_name.as_str()).collect();
    assert_eq!(
        holders.iter().filter(|h| **h == "Ana Guest").count(),
        1,
        "named holder kept"
    );
    assert_eq!(
        holders.iter().filter(|h| **h == "Jean Dupré").count(),
        5,
        "other tickets default to the account holder"
    );
    assert!(
        o.tickets
            .iter()
            .all(|t| signed_by_fixture_key(&t.qr_payload)),
        "every QR is signed"
    );
    assert_eq!(o.payments.iter().map(|p| p.amount).sum::<Money>(), total);
    assert!(
        o.offline,
        "the fixture desk is offline: sold from the allotment"
    );
    let q = format!(
        "SELECT count(*) FROM ledger WHERE action = 'sale' AND subject_id = '{}'",
        r.order_id
    );
    assert_eq!(count(&f.desk, &q), 1);
    let q = format!(
        "SELECT count(*) FROM outbox WHERE kind = 'sale' AND idempotency_key = '{}'",
        r.idempotency_key
    );
    assert_eq!(
        count(&f.desk, &q),
        1,
        "one event, keyed by the device-made UUIDv7"
    );
    let left = count(
        &f.desk,
        "SELECT remaining FROM allotment WHERE session_code = 'FBL01' AND category = 'D'",
    );
    assert_eq!(
        left, 8,
        "two FBL01 D tickets were taken from the allotment of 10"
    );
}

#[test]
fn split_payment_charges_the_card_and_takes_cash_for_the_rest() {
    let mut f = fx();
    let total = f.desk.quote(&pack(1)).unwrap().order.total;
    let tender = Tender {
        card: Money::from_euros(100),
        cash_tendered: total,
    };
    let r = f.desk.sell(&pack(1), tender).unwrap();
    assert_eq!(
        r.change,
        Money::from_euros(100),
        "cash due was total − 100 €"
    );
    assert_eq!(r.card_reference.as_deref(), Some("SIM-000001"));
    let methods = count(&f.desk, "SELECT count(DISTINCT method) FROM payment");
    assert_eq!(methods, 2, "one card row and one cash row");
}

#[test]
fn a_declined_card_sells_nothing() {
    let mut f = fx();
    let total = f.desk.quote(&pack(1)).unwrap().order.total;
    f.terminal.lock().unwrap().decline_next = Some("insufficient funds".into());
    let before = footprint(&f.desk);
    let e = f
        .desk
        .sell(
            &pack(1),
            Tender {
                card: total,
                cash_tendered: Money::ZERO,
            },
        )
        .unwrap_err();
    assert_eq!(e.code(), "CARD_DECLINED", "{e}");
    assert!(e.to_string().contains("insufficient funds"));
    assert_eq!(footprint(&f.desk), before);
}

#[test]
fn every_violation_is_shown_at_once_and_nothing_is_written() {
    let mut f = fx();
    let req = OrderRequest {
        account: acct(1),
        kind: OrderKind::Pack,
        lines: vec![
            line("FBL01", PriceCategory::D, 7),
            line("SRF01", PriceCategory::C, 2),
        ],
    };
    let before = footprint(&f.desk);
    let e = f.desk.sell(&req, cash(5000)).unwrap_err();
    let msg = e.to_string();
    let c = codes(e);
    for want in [
        Code::LineQuantity,
        Code::HeldBack,
        Code::PackSize,
        Code::Availability,
    ] {
        assert!(c.contains(&want), "{want} expected among {c:?}: {msg}");
    }
    assert!(
        msg.contains("SRF01"),
        "each violation names its session: {msg}"
    );
    assert_eq!(footprint(&f.desk), before, "a refused order writes nothing");
}

#[test]
fn an_unknown_session_code_is_named_in_the_refusal() {
    let f = fx();
    let mut req = pack(1);
    req.lines[0] = line("ZZZ99", PriceCategory::A, 1);
    let e = f.desk.quote(&req).unwrap_err();
    assert!(
        e.to_string()
            .contains("ZZZ99 is not a session of the catalogue"),
        "{e}"
    );
}

#[test]
fn the_allotment_bounds_offline_sales() {
    let mut f = fx();
    // 10 per category in the allotment; accounts 1..=5 buy 2 per line, the 6th finds none.
    for n in 1..=5 {
        f.desk.sell(&pack(n), cash(500)).unwrap();
    }
    let e = f.desk.sell(&pack(6), cash(500)).unwrap_err();
    let msg = e.to_string();
    assert_eq!(
        codes(e),
        vec![Code::Availability; 3],
        "all three lines ran out: {msg}"
    );
    assert!(msg.contains("0 left"), "{msg}");
}

#[test]
fn held_tickets_count_against_the_caps() {
    let mut f = fx();
    f.desk.sell(&pack(1), cash(500)).unwrap();
    f.desk.sell(&pack(1), cash(500)).unwrap();
    f.desk.sell(&pack(1), cash(500)).unwrap();
    // 6 FBL01 tickets held now: a 4th pack would make 8 for the session.
    let e = f.desk.quote(&pack(1)).unwrap_err();
    assert!(
        codes(e).contains(&Code::SessionCap),
        "local unsynced sales count as held"
    );
}

/// The server's held count as a pull would store it on the desk.
fn server_says_held(f: &mut Fx, account: u32, session: &str, n: u32) {
    let session = guichet_domain::SessionCode::parse(session).unwrap();
    f.desk
        .store_mut()
        .write(|tx| guichet_store::accounts::set_held(tx, &acct(account), &session, n))
        .unwrap();
}

#[test]
fn a_server_held_count_of_u32_max_is_refused_by_the_session_cap() {
    let mut f = fx();
    server_says_held(&mut f, 1, "FBL01", u32::MAX);
    let before = footprint(&f.desk);
    let e = f.desk.sell(&pack(1), cash(500)).unwrap_err();
    let msg = e.to_string();
    assert_eq!(codes(e), [Code::SessionCap, Code::AccountCap], "{msg}");
    assert!(
        msg.contains("FBL01: account holds 4294967295 of 6 tickets allowed per session; this order adds 2 — remove 2"),
        "{msg}"
    );
    assert_eq!(footprint(&f.desk), before, "a refusal writes nothing");
}

#[test]
fn held_counts_that_add_up_past_u32_max_on_the_desk_are_still_refused_by_the_caps() {
    let mut f = fx();
    // Two FBL01 tickets sold here and not yet acknowledged, then a server count of u32::MAX:
    // the desk's sum is 4294967297, which no u32 holds; it is read as u32::MAX, over the cap,
    // where it used to fail the look-up ("count held tickets").
    f.desk.sell(&pack(1), cash(500)).unwrap();
    server_says_held(&mut f, 1, "FBL01", u32::MAX);
    let e = f.desk.quote(&pack(1)).unwrap_err();
    let msg = e.to_string();
    assert_eq!(codes(e), [Code::SessionCap, Code::AccountCap], "{msg}");
    assert!(
        msg.contains("FBL01: account holds 4294967295 of 6"),
        "{msg}"
    );
}

#[test]
fn phase_draw_and_timeslot_are_checked() {
    let mut f = fx();
    let w = f
        .desk
        .create_walk_in(&WalkIn {
            given_name: "Noé".into(),
            family_name: "Nodraw".into(),
            email: "noe@example.org".into(),
            country: "FR".into(),
            club_number: None,
        })
        .unwrap();
    let mut req = pack(1);
    req.account = w.id;
    assert!(codes(f.desk.quote(&req).unwrap_err()).contains(&Code::DrawRequired));
    f.clock.advance(SignedDuration::from_hours(24));
    let e = f.desk.quote(&pack(1)).unwrap_err();
    let msg = e.to_string();
    assert!(
        codes(e).contains(&Code::Timeslot),
        "21 Feb 10:00 is the slot's end: {msg}"
    );
}

#[test]
fn selling_needs_an_operator_and_an_open_shift() {
    let mut f = bare();
    assert_eq!(
        f.desk.sell(&pack(1), cash(500)).unwrap_err().code(),
        "NOT_SIGNED_IN"
    );
    f.desk.sign_in(SELL.0, SELL.1).unwrap();
    let before = footprint(&f.desk);
    assert_eq!(
        f.desk.sell(&pack(1), cash(500)).unwrap_err().code(),
        "NO_OPEN_SHIFT"
    );
    assert_eq!(footprint(&f.desk), before);
}

#[test]
fn more_holder_names_than_tickets_is_refused() {
    let f = fx();
    let mut req = pack(1);
    req.lines[0].holders = vec!["A B".into(), "C D".into(), "E F".into()];
    let e = f.desk.quote(&req).unwrap_err();
    assert_eq!(e.code(), "HOLDER_NAMES");
    assert!(e.to_string().contains("remove 1"), "{e}");
}

#[test]
fn an_unknown_account_is_refused() {
    let f = fx();
    let e = f.desk.quote(&pack(999)).unwrap_err();
    assert_eq!(e.code(), "UNKNOWN_ACCOUNT", "{e}");
}

#[test]
fn online_quotes_use_the_availability_cache_and_sales_fall_back_to_the_allotment() {
    use guichet_store::stock::set_availability;
    let f = fx();
    let mut online = open_online(&f);
    online.sign_in(SELL.0, SELL.1).unwrap();
    let e = online.quote(&pack(1)).unwrap_err();
    assert!(
        codes(e).contains(&Code::Availability),
        "online, the allotment is not the stock: nothing cached means nothing to sell"
    );
    let at = online.now();
    online
        .store_mut()
        .write(|tx| {
            for (s, c) in [
                ("FBL01", PriceCategory::D),
                ("RU701", PriceCategory::C),
                ("HBL01", PriceCategory::B),
            ] {
                set_availability(
                    tx,
                    &guichet_domain::SessionCode::parse(s).unwrap(),
                    c,
                    500,
                    at,
                )?;
            }
            Ok::<_, guichet_store::Error>(())
        })
        .unwrap();
    let q = online.quote(&pack(1)).unwrap();
    assert!(!q.offline, "decided against the server's availability");
    // Not enrolled with a server: the sale takes the designed offline fallback and says why.
    let r = online.sell(&pack(1), cash(500)).unwrap();
    assert!(r.offline, "the receipt says the sale was made offline");
    let f = r
        .fallback
        .expect("the receipt says why it was sold offline");
    assert_eq!(f.kind, guichet_desk::FallbackKind::NotEnrolled);
    assert!(f.why.contains("not enrolled"), "{f:?}");
}

fn open_online(f: &Fx) -> guichet_desk::Desk {
    guichet_desk::Desk::open(
        &f.path,
        guichet_desk::DeskParts {
            clock: Box::new(f.clock.clone()),
            signer: Box::new(guichet_desk::DeviceKey::from_seed(SEED)),
            terminal: Box::new(f.terminal.clone()),
            settings: guichet_desk::DeskSettings {
                connectivity: guichet_desk::Connectivity::Online,
                ..Default::default()
            },
            catalogue: guichet_domain::Catalogue::paris2024(),
            config: guichet_domain::SaleConfig::paris2024(),
        },
    )
    .unwrap()
}

fn rename_account(f: &mut Fx, n: u32, given: &str, family: &str) {
    f.desk
        .store_mut()
        .write(|tx| {
            tx.execute(
                "UPDATE account SET given_name = ?1, family_name = ?2 WHERE id = ?3",
                [given, family, acct(n).as_str()],
            )?;
            Ok::<_, guichet_store::Error>(())
        })
        .unwrap();
}

fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("order.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed by the test command");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A fan named in Chinese (the account, from the server) and holders named in Arabic, Hebrew,
/// Korean, Thai and Devanagari get their tickets with those names printed, once the Noto fonts
/// are on the machine (the README's test command installs them).
#[test]
fn a_fan_named_in_any_script_gets_tickets_printed_with_that_name() {
    assert!(
        guichet_tickets::fonts_cover("李محمדक ส김"),
        "this test needs the Noto fonts: apt-get install -y {} (or set {} to them)",
        guichet_tickets::FONT_PACKAGES,
        guichet_tickets::FONT_DIRS_VAR
    );
    let mut f = fx();
    rename_account(&mut f, 4, "小龍", "李");
    let mut order = pack(4);
    order.lines[1].holders = vec!["محمد بن سلمان".into(), "דוד כהן".into()];
    order.lines[2].holders = vec!["สมชาย".into(), "अनन्या".into()];
    let total = f.desk.quote(&order).unwrap().order.total;
    let r = f.desk.sell(&order, cash(total.cents() / 100 + 1)).unwrap();
    let name = r.tickets[0].2.clone();
    assert!(name.contains("小龍") && name.contains('李'), "{name}");
    for layout in [
        guichet_tickets::Layout::A4,
        guichet_tickets::Layout::Thermal,
    ] {
        let text = pdf_text(&f.desk.order_pdf(&r.order_id, layout).unwrap());
        for n in [name.as_str(), "محمد بن سلمان", "דוד כהן", "สมชาย", "अनन्या"]
        {
            assert!(text.contains(n), "{layout:?}: {n} prints:\n{text}");
        }
    }
}

/// A name with a character no font on the machine draws (here private-use code points, which
/// no font is made for) is refused before anything is signed, naming the characters and the
/// ways out; the Latin spelling typed as the holder then sells. A walk-in is asked at once.
#[test]
fn a_name_no_ticket_font_can_draw_is_refused_naming_the_characters_and_the_way_out() {
    let mut f = fx();
    rename_account(&mut f, 4, "Xiao\u{E000}", "Wang\u{E001}");
    let before = footprint(&f.desk);
    let e = f.desk.quote(&pack(4)).unwrap_err();
    assert_eq!(e.code(), "HOLDER_NOT_PRINTABLE");
    let said = e.to_string();
    assert!(
        said.starts_with("line 1 (FBL01)")
            && said.contains("(\u{E000}\u{E001})")
            && said.contains("apt-get install fonts-noto-core fonts-noto-cjk")
            && said.contains("Latin letters"),
        "{said}"
    );
    assert!(f.desk.sell(&pack(4), cash(500)).is_err());
    assert_eq!(footprint(&f.desk), before, "nothing written");

    let mut order = pack(4);
    for l in &mut order.lines {
        l.holders = vec!["WANG Xiaoming".into(), "LI Na".into()];
    }
    let total = f.desk.quote(&order).unwrap().order.total;
    let r = f.desk.sell(&order, cash(total.cents() / 100 + 1)).unwrap();
    assert_eq!(r.tickets[0].2, "WANG Xiaoming");

    let e = f
        .desk
        .create_walk_in(&WalkIn {
            given_name: "Xiao\u{E000}".into(),
            family_name: "Wang".into(),
            email: "wang@example.org".into(),
            country: "CN".into(),
            club_number: None,
        })
        .unwrap_err();
    assert_eq!(e.code(), "BAD_INPUT");
    assert!(e.to_string().contains("as on the passport"), "{e}");
    assert!(e.to_string().contains("fonts-noto-cjk"), "{e}");
}

/// The ticket names the session in both languages: the sport, the event in French then in
/// English, and the venue's French name with the English one beside the city.
#[test]
fn the_ticket_prints_the_event_and_venue_in_french_and_english() {
    let mut f = fx();
    let order = pack(4);
    let total = f.desk.quote(&order).unwrap().order.total;
    let r = f.desk.sell(&order, cash(total.cents() / 100 + 1)).unwrap();
    for layout in [
        guichet_tickets::Layout::A4,
        guichet_tickets::Layout::Thermal,
    ] {
        let text = pdf_text(&f.desk.order_pdf(&r.order_id, layout).unwrap());
        for words in [
            "Football",
            "Hommes, groupe C",
            "Men's Group C",
            "Parc des Princes",
            "Rugby à 7 / Rugby",
            "Phase préliminaire",
            "Preliminary Phase",
            "Stade de France",
            "Arena Paris Sud 6",
            "South Paris Arena 6",
        ] {
            assert!(text.contains(words), "{layout:?}: {words} prints:\n{text}");
        }
    }
}
