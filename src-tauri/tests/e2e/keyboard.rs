//! The counter with the keyboard only: a seller who knows the codes sells a pack of three
//! sessions × 2 tickets, paid in cash and printed, and the keys from F2 to "Sent to printer"
//! are counted (the walk-through counted 55 before the session field completed codes, Enter
//! added the line and returned to the session field, and Enter on an empty session field went
//! to the cash).

use serde_json::json;

use crate::box_office::{must, wait, wait_text_contains};
use crate::webdriver::Session;
use crate::{Rig, LAUNCH_BUDGET, STEP_BUDGET, TITLE};

/// WebDriver's key codes.
const ENTER: &str = "\u{E007}";
const TAB: &str = "\u{E004}";
const F2: &str = "\u{E032}";
const F6: &str = "\u{E036}";
const F9: &str = "\u{E039}";
const CTRL: &str = "\u{E009}";
/// Releases the modifiers held (not a key press).
const RELEASE: &str = "\u{E000}";

/// Keys pressed since the count started.
struct Keyboard<'a> {
    s: &'a Session<'a>,
    pressed: usize,
}

impl Keyboard<'_> {
    /// Types `keys` into whatever has the focus, as a person would, and counts each key
    /// (a modifier held for a chord counts as one key; releasing it counts none).
    fn press(&mut self, keys: &str) {
        let target = must(self.s.active_element());
        must(self.s.type_text(&target, keys));
        self.pressed += keys.chars().filter(|c| c.to_string() != RELEASE).count();
    }
}

/// Waits until the field with this `data-testid` has the focus.
fn wait_for_focus(s: &Session<'_>, testid: &str) {
    s.wait_for(&format!("{testid} to have the focus"), STEP_BUDGET, |s| {
        let id = s.execute(
            "return document.activeElement && document.activeElement.dataset.testid;",
            json!([]),
        )?;
        Ok((id == json!(testid)).then_some(()))
    });
}

#[test]
fn a_seller_sells_and_prints_a_three_line_pack_with_at_most_40_keys() {
    let rig = Rig::start("keyboard", "box-office", &crate::demo_desk_at_the_counter());
    let s = rig.open_app();
    s.wait_for_text(TITLE, "Guichet — Box office", LAUNCH_BUDGET);
    let mut k = Keyboard { s: &s, pressed: 0 };

    // Sign in and open the till, keyboard only (before the count: once a day, not per sale).
    wait(&s, "[data-testid=staff-id]");
    wait_for_focus(&s, "staff-id");
    k.press(&format!("s-sell{TAB}1234{ENTER}"));
    wait(&s, "[data-testid=lookup-query]");
    k.press("\u{E037}"); // F7
    wait(&s, "[data-testid=float]");
    k.press(ENTER);
    wait(&s, "[data-testid=shift-open]");
    // Three codes on sale at this desk (the seller knows them by heart).
    k.press("\u{E034}"); // F4
    wait(&s, "[data-testid=session-row]");
    let codes: Vec<String> = serde_json::from_value(must(s.execute(
        "return [...document.querySelectorAll('[data-testid=session-row]')].slice(0, 3).map(r => r.dataset.code);",
        json!([]),
    )))
    .expect("three codes");
    assert_eq!(codes.len(), 3, "the demo desk has sessions on sale");

    k.pressed = 0;
    k.press(F2);
    wait(&s, "[data-testid=lookup-query]");
    k.press("jean");
    wait(&s, "[data-testid=account-row]");
    // Enter opens the first match (the one highlighted): the fan at the counter.
    let first = must(s.execute(
        "return document.querySelector('[data-testid=account-row].sel').dataset.id;",
        json!([]),
    ));
    let first = first.as_str().expect("an account id").to_string();
    k.press(ENTER);
    s.wait_for_text("[data-testid=account-id]", &first, STEP_BUDGET);
    k.press(F6);
    wait(&s, "[data-testid=add-session]");
    // The first line names its category and quantity; the next lines keep them.
    k.press(&format!("{}{TAB}C{TAB}2{ENTER}", codes[0]));
    wait(
        &s,
        &format!("[data-testid=line][data-session={}]", codes[0]),
    );
    for code in &codes[1..] {
        k.press(&format!("{code}{ENTER}"));
        wait(&s, &format!("[data-testid=line][data-session={code}]"));
    }
    wait(&s, "[data-testid=quote-accepted]");
    let total: i64 = must(s.execute(
        "return Number(document.querySelector('[data-testid=quote-total]').dataset.totalCents);",
        json!([]),
    ))
    .as_i64()
    .expect("a total in cents");
    let lines: Vec<(String, String, i64)> = serde_json::from_value(must(s.execute(
        "return [...document.querySelectorAll('[data-testid=line]')].map((r, i) => [r.dataset.session, r.querySelector('select').value, Number(document.querySelector(`[data-testid=line-qty-${i}]`).value)]);",
        json!([]),
    )))
    .expect("the lines");
    assert_eq!(
        lines,
        codes
            .iter()
            .map(|c| (c.clone(), "C".to_string(), 2))
            .collect::<Vec<_>>(),
        "three lines of 2 tickets in category C"
    );
    // Enter on the empty session field goes to the cash.
    k.press(ENTER);
    wait_for_focus(&s, "cash");
    k.press(&(total / 100 + 10).to_string());
    wait(&s, "[data-testid=change]");
    k.press(F9);
    wait(&s, "[data-testid=sale-done]");
    k.press(&format!("{CTRL}p{RELEASE}"));
    let printed = wait_text_contains(&s, "[data-testid=print-done]", "PDF");
    eprintln!(
        "e2e: keyboard-only pack of 3 × 2, cash, printed: {} keys from F2 to \"{printed}\"",
        k.pressed
    );
    assert!(
        k.pressed <= 40,
        "a 3-line pack sale takes at most 40 keys, took {}",
        k.pressed
    );
}
