//! A declined card at the kiosk, on the real server: the seats were held before the card was
//! asked, the terminal declines, the screen says nothing was charged, and the hold is released
//! (the server's availability is back). Then "try another card" buys the same basket: the
//! availability drops by exactly the basket, not twice.

use serde_json::json;

use crate::box_office::{click, must, wait};
use crate::kiosk_isolation::wait_enrolled;
use crate::kiosk_rig::{cheapest, KioskRig};

const PACK: [&str; 3] = ["BKB01", "VVO01", "HOC01"];

/// Types into a field the way the page sees input (value set, then an input event).
pub(crate) fn fill(s: &crate::webdriver::Session<'_>, css: &str, text: &str) {
    must(s.execute(
        "const e = document.querySelector(arguments[0]); e.value = arguments[1]; e.dispatchEvent(new Event('input', { bubbles: true }));",
        json!([css, text]),
    ));
}

/// Attract → English → the card → the browser, then the pack's sessions in the basket.
pub(crate) fn to_a_full_basket(k: &KioskRig, s: &crate::webdriver::Session<'_>, pack: &[&str]) {
    click(s, "[data-testid=attract-start]");
    click(s, "[data-testid=lang-en]");
    fill(s, "[data-testid=card-input]", &k.card);
    click(s, "[data-testid=identify]");
    click(s, "[data-testid=standing-next]");
    for code in pack {
        fill(s, "[data-testid=filter-text]", code);
        click(s, &format!("[data-testid=add-{code}-{}]", cheapest(code)));
        wait(
            s,
            &format!("[data-testid=basket-line][data-session={code}]"),
        );
    }
    // A pack is exactly three sessions: fewer are refused in words next to the basket.
    let shown = if pack.len() == 3 {
        "kiosk-total"
    } else {
        "violation"
    };
    wait(s, &format!("[data-testid={shown}]"));
}

fn outcome(s: &crate::webdriver::Session<'_>) -> String {
    s.wait_for("the payment's outcome", std::time::Duration::from_secs(60), |s| {
        let v = s.execute(
            "const p = document.querySelector('[data-testid=kiosk-pay]'); if (document.querySelector('[data-testid=kiosk-take]')) return 'sold'; return p ? p.dataset.outcome : '';",
            json!([]),
        )?;
        Ok(v.as_str().filter(|o| !o.is_empty()).map(str::to_owned))
    })
}

#[test]
fn a_declined_card_charges_nothing_and_gives_the_held_seats_back_to_the_server() {
    let k = KioskRig::start(
        "kiosk-decline",
        &[("GUICHET_TERMINAL_SCRIPT", "decline".into())],
    );
    let s = k.open_in_service();
    let token = wait_enrolled(&k.desk_db);
    let before: Vec<i64> = PACK
        .iter()
        .map(|c| k.available(&token, c, &cheapest(c)))
        .collect();

    to_a_full_basket(&k, &s, &PACK);
    click(&s, "[data-testid=pay]");
    assert_eq!(
        outcome(&s),
        "declined",
        "e2e: the simulated terminal declines the card"
    );
    let said = must(s.text(&wait(&s, "[data-testid=pay-refused]")));
    assert!(
        said.contains("Nothing was charged") && said.contains("released"),
        "e2e: the fan reads that nothing was charged and the seats were released: {said}"
    );
    let after: Vec<i64> = PACK
        .iter()
        .map(|c| k.available(&token, c, &cheapest(c)))
        .collect();
    assert_eq!(
        after, before,
        "e2e: the declined sale's hold is released at the server"
    );
    let ledger = k.ledger();
    assert!(
        ledger.iter().all(|(e, _)| e == "declined"),
        "e2e: the terminal only declined: {ledger:?}"
    );
    assert!(
        k.printed().is_empty(),
        "e2e: no ticket printed for a declined card"
    );

    // Another card (the script is used up: approved) buys the same basket once.
    click(&s, "[data-testid=pay-again]");
    wait(&s, "[data-testid=kiosk-total]");
    click(&s, "[data-testid=pay]");
    assert_eq!(outcome(&s), "sold", "e2e: the second card is approved");
    let sold: Vec<i64> = PACK
        .iter()
        .map(|c| k.available(&token, c, &cheapest(c)))
        .collect();
    let dropped: Vec<i64> = before.iter().zip(&sold).map(|(b, a)| b - a).collect();
    assert_eq!(
        dropped,
        vec![1, 1, 1],
        "e2e: one seat per session sold, the declined hold left nothing"
    );
    eprintln!("e2e: declined then approved: availability {before:?} → {after:?} after the decline → {sold:?} after the sale");
}
