//! The idle wipe (timings shortened by `GUICHET_KIOSK_IDLE=3,6`): an identified fan with a
//! basket leaves; the warning counts down and "more time" extends it, ten times; then the
//! kiosk is left alone and everything goes: back to the attract screen, the fan's name and
//! account nowhere in the page, `localStorage` and `sessionStorage` empty, the address bare,
//! and the shell no longer sells for that fan.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::box_office::{click, must, wait};
use crate::kiosk_decline::to_a_full_basket;
use crate::kiosk_rig::KioskRig;

#[test]
fn an_idle_kiosk_warns_lets_the_fan_extend_ten_times_then_wipes_everything() {
    let k = KioskRig::start("kiosk-idle", &[("GUICHET_KIOSK_IDLE", "3,6".into())]);
    let s = k.open_in_service();
    to_a_full_basket(&k, &s, &["FBL01"]);
    let token = crate::kiosk_isolation::wait_enrolled(&k.desk_db);
    let account: serde_json::Value = ureq::get(format!("{}/v1/accounts/DEMO-0001", k.server.base))
        .header("authorization", format!("Bearer {token}"))
        .call()
        .expect("e2e: the account by id")
        .body_mut()
        .read_json()
        .expect("e2e: account JSON");
    let name = account["name"].as_str().expect("e2e: a name").to_string();
    let given = name
        .split_whitespace()
        .next()
        .expect("e2e: a given name")
        .to_string();
    let hello = must(s.execute("return document.body.innerHTML;", json!([])));
    assert!(
        hello.as_str().unwrap_or_default().contains("FBL01"),
        "e2e: before the wipe the basket shows its session"
    );
    // What a page might have left behind: it must go with the wipe too.
    must(s.execute(
        "localStorage.setItem('fan', 'DEMO-0001'); sessionStorage.setItem('basket', 'FBL01'); history.pushState({ fan: 'DEMO-0001' }, '', '#basket');",
        json!([]),
    ));

    for round in 1..=10 {
        let t = Instant::now();
        wait_long(&s, "[data-testid=idle-warning]", Duration::from_secs(10));
        let secs = must(s.execute(
            "return Number(document.querySelector('[data-testid=idle-countdown]').dataset.seconds);",
            json!([]),
        ))
        .as_i64()
        .unwrap_or(-1);
        assert!(
            (1..=3).contains(&secs),
            "e2e: round {round}: the warning counts down the last 3 s, shows {secs}"
        );
        click(&s, "[data-testid=more-time]");
        s.wait_for("the warning to go", crate::STEP_BUDGET, |s| {
            Ok(s.find("[data-testid=idle-warning]").is_err().then_some(()))
        });
        assert!(
            s.find("[data-testid=kiosk-browse]").is_ok(),
            "e2e: round {round}: more time keeps the fan's basket screen"
        );
        eprintln!(
            "e2e: idle warning {round} after {} ms, extended",
            t.elapsed().as_millis()
        );
    }

    // Left alone: wiped within the 6 s (plus the timer's quarter second).
    let left_at = Instant::now();
    wait_long(&s, "[data-testid=kiosk-attract]", Duration::from_secs(12));
    eprintln!(
        "e2e: wiped {} ms after the last input",
        left_at.elapsed().as_millis()
    );
    let after = must(s.execute(
        "return { text: document.body.innerText, html: document.body.innerHTML, local: localStorage.length, session: sessionStorage.length, hash: location.hash, search: location.search, state: history.state };",
        json!([]),
    ));
    assert_eq!(
        after["local"], 0,
        "e2e: localStorage is empty after the wipe"
    );
    assert_eq!(
        after["session"], 0,
        "e2e: sessionStorage is empty after the wipe"
    );
    assert_eq!(after["hash"], "", "e2e: the address keeps no fragment");
    assert_eq!(after["search"], "", "e2e: the address keeps no query");
    assert!(
        after["state"].is_null(),
        "e2e: the history entry keeps no state: {}",
        after["state"]
    );
    let html = after["html"].as_str().unwrap_or_default();
    for leak in [
        "DEMO-0001",
        given.as_str(),
        name.as_str(),
        "FBL01",
        "P24-ACCOUNT",
    ] {
        assert!(
            !html.contains(leak),
            "e2e: {leak:?} is left in the page after the wipe"
        );
    }
    // The shell forgot the fan too: a sale asked now is refused.
    let answer = must(s.execute_async(
        "const done = arguments[arguments.length - 1]; window.__TAURI_INTERNALS__.invoke('kiosk_quote', { basket: { pack: false, lines: [{ session: 'FBL01', category: 'D', quantity: 1 }] } }).then((v) => done({ ok: v }), (e) => done({ err: e }));",
    ));
    assert_eq!(
        answer["err"]["code"], "NOT_IDENTIFIED",
        "e2e: no fan after the wipe: {answer}"
    );
    wait(&s, "[data-testid=attract-start]");
}

fn wait_long(s: &crate::webdriver::Session<'_>, css: &str, within: Duration) {
    s.wait_for(&format!("{css} to appear"), within, |s| {
        Ok(s.find(css).ok())
    });
}
