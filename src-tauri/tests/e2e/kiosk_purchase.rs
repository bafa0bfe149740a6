//! A fan buys a pack of three sessions at the kiosk with the keyboard (a keypad's keys: Tab,
//! Enter, characters) alone, on the real server: attract → language → the account card typed
//! by the scanner → what the account may still buy → three sessions → pay by card (simulated
//! terminal, approve) → "take your tickets". The printed PDF's QR codes are decoded
//! (pdftoppm + zbarimg) and each passes the gate's check with the server's key list; the
//! terminal captured exactly the total once.

use serde_json::json;

use crate::box_office::{must, wait};
use crate::kiosk_rig::{cheapest, printed_qrs, Keys, KioskRig, BACKSPACE, ENTER};
use guichet_tickets::{check_ticket, KeyList, KeyListEntry, RevocationList, SignedTicket, Verdict};

const PACK: [&str; 3] = ["FBL01", "RU701", "HBL01"];

/// The gate's key list, from the server (a staff token's `GET /v1/gate/lists`).
fn gate_keys(k: &KioskRig) -> KeyList {
    let token = k.staff_token();
    let v: serde_json::Value = ureq::get(format!("{}/v1/gate/lists", k.server.base))
        .header("authorization", format!("Bearer {token}"))
        .call()
        .expect("e2e: the gate lists")
        .body_mut()
        .read_json()
        .expect("e2e: gate lists JSON");
    let entries: Vec<KeyListEntry> = v["keys"]
        .as_array()
        .expect("e2e: the gate lists carry keys")
        .iter()
        .map(|e| KeyListEntry {
            key_id: e["key_id"].as_str().unwrap_or_default().into(),
            public_key: e["public_key_hex"].as_str().unwrap_or_default().into(),
            label: e["kind"].as_str().unwrap_or_default().into(),
            revoked_after: e["revoked_after"].as_str().and_then(|t| t.parse().ok()),
        })
        .collect();
    KeyList::from_entries(&entries).expect("e2e: the server's keys are valid")
}

#[test]
fn a_fan_buys_a_pack_at_the_kiosk_with_the_keyboard_alone_and_the_printed_qrs_pass_the_gate() {
    let k = KioskRig::start(
        "kiosk-purchase",
        &[("GUICHET_TERMINAL_SCRIPT", "approve".into())],
    );
    let s = k.open_in_service();
    let mut keys = Keys { s: &s, pressed: 0 };

    keys.wait_focus("attract-start");
    keys.press(ENTER);
    keys.wait_focus("lang-en");
    keys.press(ENTER);
    keys.wait_focus("card-input");
    // The scanner types the card's text and Enter, as a keyboard would.
    keys.press(&format!("{}{ENTER}", k.card));
    let left = wait(&s, "[data-testid=tickets-left]");
    let left_text = must(s.text(&left));
    assert!(
        left_text.contains("of 30"),
        "e2e: the standing says what is left of 30: {left_text}"
    );
    let timeslot = must(s.text(&wait(&s, "[data-testid=timeslot]")));
    assert!(
        timeslot.contains("open"),
        "e2e: DEMO-0001's timeslot is open at 12:00: {timeslot}"
    );

    keys.wait_focus("standing-next");
    keys.press(ENTER);
    keys.wait_focus("kind-pack");
    let mut total_cents = 0;
    for code in PACK {
        keys.tab_to("filter-text", 20);
        let typed: String = must(s.execute("return document.activeElement.value;", json!([])))
            .as_str()
            .unwrap_or_default()
            .to_string();
        keys.press(&BACKSPACE.repeat(typed.chars().count()));
        keys.press(code);
        s.wait_for(&format!("{code} alone in the list"), crate::STEP_BUDGET, |s| {
            let codes = s.execute(
                "return [...document.querySelectorAll('[data-testid=session]')].map(e => e.dataset.code);",
                json!([]),
            )?;
            Ok((codes == json!([code])).then_some(()))
        });
        keys.tab_to(&format!("add-{code}-{}", cheapest(code)), 12);
        keys.press(ENTER);
        wait(
            &s,
            &format!("[data-testid=basket-line][data-session={code}]"),
        );
    }
    let total = wait(&s, "[data-testid=kiosk-total]");
    if let Ok(serde_json::Value::String(cents)) = s.execute(
        "return document.querySelector('[data-testid=kiosk-total]').dataset.totalCents;",
        json!([]),
    ) {
        total_cents = cents.parse().unwrap_or(0);
    }
    assert!(
        total_cents > 0,
        "e2e: the pack has a price: {}",
        must(s.text(&total))
    );
    keys.tab_to("pay", 40);
    keys.press(ENTER);
    s.wait_for(
        "the tickets to be printed",
        std::time::Duration::from_secs(60),
        |s| {
            if let Ok(e) = s.find("[data-testid=pay-error]") {
                return Err(crate::webdriver::Failure(format!(
                    "the sale failed: {}",
                    s.text(&e)?
                )));
            }
            if let Ok(e) = s.find("[data-testid=pay-refused]") {
                return Err(crate::webdriver::Failure(format!(
                    "the card was refused: {}",
                    s.text(&e)?
                )));
            }
            Ok(s.find("[data-testid=kiosk-take]").ok())
        },
    );
    let take = must(s.text(&wait(&s, "[data-testid=take-lead]")));
    assert!(
        take.starts_with("3 tickets"),
        "e2e: three tickets printed: {take}"
    );
    keys.wait_focus("take-finish");
    keys.press(ENTER);
    wait(&s, "[data-testid=kiosk-attract]");
    eprintln!(
        "e2e: kiosk pack purchase by keyboard: {} keys in all, {} without the scanner's card text",
        keys.pressed,
        keys.pressed - k.card.chars().count()
    );

    // The terminal: one authorisation of the total, captured once.
    let ledger = k.ledger();
    let authorised: Vec<_> = ledger.iter().filter(|(e, _)| e == "authorised").collect();
    let captured = ledger.iter().filter(|(e, _)| e == "captured").count();
    assert_eq!(authorised.len(), 1, "e2e: one authorisation: {ledger:?}");
    assert_eq!(
        authorised[0].1, total_cents,
        "e2e: the total shown was authorised"
    );
    assert_eq!(captured, 1, "e2e: captured exactly once: {ledger:?}");

    // The printed PDF: three pages, each QR a ticket the gate accepts with the server's keys.
    let printed = k.printed();
    assert_eq!(printed.len(), 1, "e2e: one print job: {printed:?}");
    assert_eq!(
        printed[0].ticket_ids.len(),
        3,
        "e2e: three tickets in the job"
    );
    let qrs = printed_qrs(&k.print_dir, &printed[0].file);
    assert_eq!(qrs.len(), 3, "e2e: one QR per ticket page");
    let keys_list = gate_keys(&k);
    let mut sessions = Vec::new();
    for qr in &qrs {
        let ticket = SignedTicket::parse(qr).expect("e2e: the QR is a signed ticket");
        let (verdict, _) = check_ticket(
            qr,
            &keys_list,
            &RevocationList::default(),
            ticket.claims.session_day,
        );
        assert!(
            matches!(verdict, Verdict::Valid(_)),
            "e2e: the gate accepts the kiosk's ticket: {verdict:?}"
        );
        sessions.push(ticket.claims.session.to_string());
    }
    sessions.sort();
    let mut want: Vec<String> = PACK.iter().map(|c| c.to_string()).collect();
    want.sort();
    assert_eq!(
        sessions, want,
        "e2e: one ticket for each session of the pack"
    );
    eprintln!(
        "e2e: kiosk pack: {} € captured, 3 QR codes decoded and valid at the gate",
        total_cents as f64 / 100.0
    );
}
