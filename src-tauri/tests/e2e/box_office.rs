//! The box office end to end, in the real window on a demo desk (real SQLite file, real CUPS
//! queue): sign in, find an account, build a pack of 3 sessions × 6 tickets, see the 30-ticket
//! cap refuse a 31st, pay cash, get the PDF (rendered with pdftoppm, QR decoded with zbarimg,
//! verified with the gate's check), print it, void with a supervisor's PIN; then every screen
//! again in French, and the keyboard wedge. Screenshots of each screen in both languages.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use guichet_tickets::{
    check_ticket, DeviceKey, KeyList, KeyListEntry, RevocationList, SignedTicket, Verdict,
};
use serde_json::{json, Value};

use crate::webdriver::{Element, Failure, Session};
use crate::{check_screen, target_dir, Rig, LAUNCH_BUDGET, STEP_BUDGET, TITLE};

pub(crate) fn must<T>(r: Result<T, Failure>) -> T {
    r.unwrap_or_else(|Failure(why)| panic!("e2e: {why}"))
}

pub(crate) fn wait(s: &Session<'_>, css: &str) -> Element {
    s.wait_for(&format!("{css} to appear"), STEP_BUDGET, |s| {
        Ok(s.find(css).ok())
    })
}

pub(crate) fn click(s: &Session<'_>, css: &str) {
    let e = wait(s, css);
    must(s.click(&e));
}

pub(crate) fn type_into(s: &Session<'_>, css: &str, text: &str) {
    let e = wait(s, css);
    must(s.type_text(&e, text));
}

/// Sets a field the way a person's edit ends: new value, then an `input` and a `change` event
/// (number inputs and selects; WebDriver's clear does not reliably fire them in WebKitGTK).
pub(crate) fn set_value(s: &Session<'_>, css: &str, value: &str) {
    wait(s, css);
    must(s.execute(
        "const e = document.querySelector(arguments[0]); e.value = arguments[1];\
         e.dispatchEvent(new Event('input', {bubbles: true}));\
         e.dispatchEvent(new Event('change', {bubbles: true})); return true;",
        json!([css, value]),
    ));
}

pub(crate) fn text(s: &Session<'_>, css: &str) -> String {
    let e = wait(s, css);
    must(s.text(&e))
}

pub(crate) fn wait_text_contains(s: &Session<'_>, css: &str, needle: &str) -> String {
    s.wait_for(&format!("{css} to contain {needle:?}"), STEP_BUDGET, |s| {
        let e = s.find(css)?;
        let t = s.text(&e)?;
        Ok(t.contains(needle).then_some(t))
    })
}

/// The screen checked at both window sizes (see [`crate::check_screen`]) and screenshotted.
pub(crate) fn shot(s: &Session<'_>, name: &str) -> PathBuf {
    let p = check_screen(s, name);
    eprintln!("e2e: screenshot {}", p.display());
    p
}

/// The seller turns the last line into companion seats with no wheelchair place: the line
/// names the category in words, and the refusal stands on that line, with the way out; back
/// to C, the order is accepted again.
fn a_lone_companion_seat_is_refused_on_its_line(s: &Session<'_>) {
    must(s.execute(
        "const sel = document.querySelectorAll('[data-testid=line] select')[2]; sel.value = 'CMP';\
         sel.dispatchEvent(new Event('change', {bubbles: true})); return true;",
        json!([]),
    ));
    let said = text(s, "[data-testid=line-access-2]");
    assert_eq!(said, "Companion seat", "the line says what a CMP seat is");
    let refusal = wait(
        s,
        "[data-testid=violation][data-code=COMPANION_WITHOUT_WHEELCHAIR]",
    );
    let words = must(s.text(&refusal));
    assert!(
        words.contains("wheelchair place"),
        "the refusal names the rule and the way out: {words}"
    );
    let on_its_line = must(s.execute(
        "return document.querySelector('[data-testid=violation][data-code=COMPANION_WITHOUT_WHEELCHAIR]').dataset.session\
           === document.querySelectorAll('[data-testid=line]')[2].dataset.session;",
        json!([]),
    ));
    assert_eq!(
        on_its_line, true,
        "the refusal stands under the companion's line"
    );
    must(s.execute(
        "const sel = document.querySelectorAll('[data-testid=line] select')[2]; sel.value = 'C';\
         sel.dispatchEvent(new Event('change', {bubbles: true})); return true;",
        json!([]),
    ));
    wait(s, "[data-testid=quote-accepted]");
}

/// At the minimum window (1024×640), with the work pane at its top, a 3-line pack's pay
/// button (F9) is on screen above the status bar and on top at its centre: the seller sees
/// the order and the way to pay it without scrolling (it was below the fold).
fn pay_in_sight_at_the_minimum_size(s: &Session<'_>) {
    must(s.set_viewport(1024, 640));
    let seen = must(s.execute(
        "const w = document.querySelector('main.work'); w.scrollTop = 0;\
         const b = document.querySelector('[data-testid=pay]').getBoundingClientRect();\
         const bar = document.querySelector('[data-testid=status-bar]').getBoundingClientRect();\
         const top = document.elementFromPoint(b.left + b.width / 2, b.top + b.height / 2);\
         return { bottom: b.bottom, bar: bar.top, onTop: !!(top && top.closest('[data-testid=pay]')),\
                  lines: document.querySelectorAll('[data-testid=line]').length };",
        json!([]),
    ));
    assert_eq!(
        seen["lines"], 3,
        "a pack of three lines is on the order screen: {seen}"
    );
    assert!(
        seen["bottom"].as_f64().expect("a pay button") <= seen["bar"].as_f64().expect("a bar")
            && seen["onTop"] == true,
        "at 1024×640 the pay button is above the status bar and not covered, unscrolled: {seen}"
    );
    eprintln!("e2e: pay button ✓ in sight at 1024×640 without scrolling: {seen}");
    must(s.set_viewport(1280, 800));
}

/// Renders the PDF with pdftoppm and decodes every QR with zbarimg.
pub(crate) fn qr_texts(pdf: &Path) -> Vec<String> {
    let out_dir = pdf.with_extension("pages");
    let _ = std::fs::remove_dir_all(&out_dir);
    std::fs::create_dir_all(&out_dir).expect("e2e: page directory");
    let status = Command::new("pdftoppm")
        .args(["-r", "150", "-png"])
        .arg(pdf)
        .arg(out_dir.join("page"))
        .status()
        .expect("e2e: pdftoppm is needed (apt-get install poppler-utils)");
    assert!(status.success(), "pdftoppm renders the ticket PDF");
    let mut pages: Vec<PathBuf> = std::fs::read_dir(&out_dir)
        .expect("e2e: pages")
        .map(|e| e.expect("e2e: page entry").path())
        .collect();
    pages.sort();
    pages
        .iter()
        .map(|page| {
            let out = Command::new("zbarimg")
                .args(["--raw", "-q", "-Sqrcode.enable=1"])
                .arg(page)
                .output()
                .expect("e2e: zbarimg is needed (apt-get install zbar-tools)");
            assert!(
                out.status.success(),
                "zbarimg finds a QR on {}",
                page.display()
            );
            // Only zbarimg's line end goes: this test's desk signs tickets whose text starts
            // with a space.
            let out = String::from_utf8(out.stdout).expect("QR text is ASCII (base45)");
            guichet_tickets::scanned_text(&out).to_string()
        })
        .collect()
}

fn desk_keys(desk_dir: &Path) -> KeyList {
    let path = desk_dir
        .join("desk.keys")
        .join(guichet_tickets::PUBLIC_KEY_FILE);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("e2e: the desk's public key {}: {e}", path.display()));
    let entry: KeyListEntry = serde_json::from_str(&text).expect("e2e: a key list entry");
    KeyList::from_entries(&[entry]).expect("e2e: a valid key")
}

/// Gives the desk, before the app first starts, a key whose tickets' QR text starts with a
/// space (base45's space; 6 desk keys in 256 do that for every ticket they sign), so the
/// PDF, zbarimg, gate and keyboard-wedge steps below always meet that case. The app keeps a key
/// it finds beside its desk file.
fn give_the_desk_a_key_with_a_leading_space(desk_dir: &Path) {
    let dir = desk_dir.join("desk.keys");
    let at = "2023-02-20T09:00:00Z".parse().expect("an instant");
    let session = &guichet_tickets::demo::DEMO_SESSIONS[..1];
    for _ in 0..2_000 {
        let _ = std::fs::remove_dir_all(&dir);
        let key = DeviceKey::create_in(&dir, "box-office").expect("e2e: a desk key");
        let text = &guichet_tickets::demo::demo_order(&key, at, session, 1)[0]
            .face
            .qr_text;
        if text.starts_with(' ') {
            return;
        }
    }
    panic!("e2e: 2,000 keys and none whose tickets start with a space");
}

/// The sport and venue filters list their choices in the screen's language, in that
/// language's order (French venues once came in the order of their English names).
fn filters_sorted_in_the_screen_language(s: &Session<'_>, lang: &str) {
    for filter in ["sessions-sport", "sessions-venue"] {
        let labels = must(s.execute(
            "return [...document.querySelectorAll(`[data-testid=${arguments[0]}] option`)]\
               .slice(1).map(o => o.textContent.trim());",
            json!([filter]),
        ));
        let labels: Vec<String> = serde_json::from_value(labels).expect("option labels");
        assert!(labels.len() > 10, "{filter} lists its choices: {labels:?}");
        let sorted = must(s.execute(
            "const l = [...arguments[0]]; return l.sort((a, b) => a.localeCompare(b, arguments[1]));",
            json!([labels, lang]),
        ));
        assert_eq!(
            json!(labels),
            sorted,
            "{filter} in {lang} lists its choices in {lang} order"
        );
    }
    if lang == "fr" {
        let venues = must(s.execute(
            "return document.querySelector('[data-testid=sessions-venue]').textContent;",
            json!([]),
        ));
        let venues = venues.as_str().unwrap_or_default();
        assert!(
            venues.contains("Arena Paris Sud") && !venues.contains("South Paris Arena"),
            "French venue names in the French filter: {venues}"
        );
    }
}

/// Every screen after sign-in, screenshotted with `suffix` (`en` / `fr`).
fn visit_screens(s: &Session<'_>, suffix: &str) {
    click(s, "[data-testid=nav-sessions]");
    wait(s, "[data-testid=session-row]");
    shot(s, &format!("sessions-{suffix}"));
    filters_sorted_in_the_screen_language(s, suffix);
    click(s, "[data-testid=nav-shift]");
    wait(s, "[data-testid=shift-open], [data-testid=open-shift]");
    // The dashboard's charts arrive with their own call.
    let _ = s.wait_for("the shift dashboard", STEP_BUDGET, |s| {
        Ok(s.find("[data-testid=chart]").ok().or(s.find(".hint").ok()))
    });
    shot(s, &format!("shift-{suffix}"));
    click(s, "[data-testid=nav-settings]");
    wait(s, "[data-testid=settings-save]");
    shot(s, &format!("settings-{suffix}"));
}

#[test]
fn box_office_sells_a_pack_prints_it_and_voids_it_in_english_and_french() {
    let started = Instant::now();
    let run = "box-office";
    // The app's home: where "Save the PDF in Documents" writes (never the machine's own).
    let home = target_dir().join("e2e-homes").join(run);
    let _ = std::fs::remove_dir_all(&home);
    std::fs::create_dir_all(&home).expect("e2e: the app's home");
    let mut env = crate::demo_desk_at_the_counter();
    env.push(("HOME", home.display().to_string()));
    env.push(crate::gl_for_screenshots());
    let rig = Rig::start(run, "box-office", &env);
    let desk_dir = target_dir().join("e2e-desks").join(run);
    give_the_desk_a_key_with_a_leading_space(&desk_dir);
    let s = rig.open_app();
    s.wait_for_text(TITLE, "Guichet — Box office", LAUNCH_BUDGET);
    wait(&s, "[data-testid=demo-notice]");
    wait_text_contains(&s, "[data-testid=status-clock]", "20/02/2023 10:00");
    assert!(
        text(&s, "[data-testid=status-clock]").contains("Simulated clock"),
        "a clock that is not the machine's says so on screen"
    );

    // A wrong PIN first: a sentence with the attempts left, not a raw error.
    type_into(&s, "[data-testid=staff-id]", "S-SELL");
    type_into(&s, "[data-testid=pin]", "0000");
    click(&s, "[data-testid=sign-in-submit]");
    let refused = wait_text_contains(&s, "[data-testid=sign-in-error]", "attempt");
    assert!(refused.starts_with("Wrong PIN"), "{refused}");
    shot(&s, "sign-in-wrong-pin-en");
    type_into(&s, "[data-testid=pin]", "1234");
    click(&s, "[data-testid=sign-in-submit]");
    wait(&s, "[data-testid=lookup-query]");

    // Open a shift so the counter can sell.
    click(&s, "[data-testid=nav-shift]");
    set_value(&s, "[data-testid=float]", "150");
    click(&s, "[data-testid=open-shift]");
    wait(&s, "[data-testid=shift-open]");

    // Find the account as you type, without accents.
    click(&s, "[data-testid=nav-lookUp]");
    type_into(&s, "[data-testid=lookup-query]", "jean dupr");
    let holder = "[data-testid=account-row][data-id=P24-0000001]";
    wait(&s, holder);
    shot(&s, "lookup-en");
    click(&s, &format!("{holder} td b"));
    s.wait_for_text("[data-testid=held-olympic]", "12 / 30", STEP_BUDGET);
    shot(&s, "account-en");

    // Three sessions on sale at this desk, category C, from the browser.
    click(&s, "[data-testid=nav-sessions]");
    wait(&s, "[data-testid=session-row]");
    let codes: Vec<String> = serde_json::from_value(must(s.execute(
        "return [...document.querySelectorAll('[data-testid=session-row]')].slice(0, 3).map(r => r.dataset.code);",
        json!([]),
    )))
    .expect("three codes");
    assert_eq!(codes.len(), 3, "the demo desk has sessions on sale");
    let words = session_words(&s, &codes[0]);
    for code in &codes {
        click(&s, &format!("[data-testid=add-{code}-C]"));
    }
    click(&s, "[data-testid=nav-order]");
    the_line_reads_like_the_ticket(&s, 0, &words);
    for i in 0..3 {
        set_value(&s, &format!("[data-testid=line-qty-{i}]"), "6");
    }
    wait(&s, "[data-testid=quote-accepted]");
    // 12 held + 18 = 30: accepted. One more ticket is the 31st.
    set_value(&s, "[data-testid=line-qty-2]", "7");
    let cap = wait(&s, "[data-testid=violation][data-code=ACCOUNT_CAP]");
    let cap_text = must(s.text(&cap));
    assert!(
        cap_text.contains("30"),
        "the cap's sentence names the limit: {cap_text}"
    );
    assert!(
        cap_text
            .trim_start_matches('⚠')
            .trim_start()
            .starts_with(char::is_uppercase),
        "a violation reads as a sentence, capital first: {cap_text}"
    );
    shot(&s, "order-violations-en");
    set_value(&s, "[data-testid=line-qty-2]", "6");
    wait(&s, "[data-testid=quote-accepted]");
    a_lone_companion_seat_is_refused_on_its_line(&s);
    // The basket belongs to its account: checking a companion's account loses nothing, and
    // one click comes back to it; clearing it can be undone.
    a_basket_survives_an_account_switch(
        &s,
        "élodie",
        "P24-0000001",
        "3 lines, 18 tickets",
        3,
        "basket-kept-en",
    );
    click(&s, "[data-testid=clear-basket]");
    wait(&s, "[data-testid=basket-cleared]");
    assert!(s.find("[data-testid=line]").is_err(), "the basket is empty");
    click(&s, "[data-testid=undo-clear]");
    wait(&s, "[data-testid=line-qty-2]");
    wait(&s, "[data-testid=quote-accepted]");
    let total: i64 = must(s.execute(
        "return Number(document.querySelector('[data-testid=quote-total]').dataset.totalCents);",
        json!([]),
    ))
    .as_i64()
    .expect("a total in cents");
    let cash = total / 100 + 20;
    type_into(&s, "[data-testid=cash]", &cash.to_string());
    wait(&s, "[data-testid=change]");
    shot(&s, "payment-en");
    pay_in_sight_at_the_minimum_size(&s);
    click(&s, "[data-testid=pay]");
    let done = wait(&s, "[data-testid=sale-done]");
    let order_id = must(s.execute(
        "return document.querySelector('[data-testid=sale-done]').dataset.orderId;",
        json!([]),
    ));
    let _ = done;
    wait(&s, "[data-testid=pdf-preview]");
    shot(&s, "issue-en");

    // The PDF: 18 pages, each QR decodes and verifies with the desk's public key.
    let pdf = PathBuf::from(text(&s, "[data-testid=pdf-path]"));
    let texts = qr_texts(&pdf);
    assert_eq!(texts.len(), 18, "one ticket per page, 3 × 6");
    let keys = desk_keys(&desk_dir);
    for qr in &texts {
        assert!(
            qr.starts_with(' '),
            "the desk signed with the key it was given: {qr:?}"
        );
        let ticket = SignedTicket::parse(qr).expect("the QR is a signed ticket");
        let (verdict, _) = check_ticket(
            qr,
            &keys,
            &RevocationList::default(),
            ticket.claims.session_day,
        );
        assert!(
            matches!(verdict, Verdict::Valid(_)),
            "the gate accepts the printed ticket: {verdict:?}"
        );
    }

    // A ticket QR typed by the scanner into the look-up field opens its holder's account.
    click(&s, "[data-testid=nav-lookUp]");
    let field = wait(&s, "[data-testid=lookup-query]");
    must(s.type_text(&field, &format!("{}\u{E007}", texts[0])));
    let note = text(&s, "[data-testid=scan-note]");
    assert!(note.contains("Scanned"), "the scan is recognised: {note}");
    s.wait_for_text("[data-testid=account-id]", "P24-0000001", STEP_BUDGET);
    // F6 after leaving a sold order is a new order (not the last sale again), which offers
    // to show the last sale.
    must(s.execute(
        "document.activeElement && document.activeElement.blur(); return true;",
        json!([]),
    ));
    press_key(&s, F6);
    wait(&s, "[data-testid=last-sale]");
    assert!(
        s.find("[data-testid=sale-done]").is_err() && s.find("[data-testid=line]").is_err(),
        "F6 opens a new, empty order after a sale"
    );
    click(&s, "[data-testid=reopen-last-sale]");
    wait(&s, "[data-testid=sale-done]");

    // Print on the CUPS queue.
    click(&s, "[data-testid=print]");
    let printed = s.wait_for("the print answer", STEP_BUDGET, |s| {
        if let Ok(e) = s.find("[data-testid=print-error]") {
            return Err(Failure(format!("printing failed: {}", s.text(&e)?)));
        }
        Ok(s.find("[data-testid=print-done]").ok())
    });
    assert!(
        must(s.text(&printed)).contains("PDF"),
        "sent to the PDF queue"
    );
    // Saved with one click, no path to type: Documents/Guichet/<order>.pdf in the app's home.
    click(&s, "[data-testid=save-documents]");
    let saved = wait_text_contains(&s, "[data-testid=save-note]", "Documents/Guichet/");
    let short = text(&s, "[data-testid=sale-done] h2 .mono");
    let file = home.join("Documents/Guichet").join(format!("{short}.pdf"));
    let bytes = std::fs::read(&file)
        .unwrap_or_else(|e| panic!("e2e: {} after {saved:?}: {e}", file.display()));
    assert!(
        bytes.starts_with(b"%PDF"),
        "a PDF was saved: {}",
        file.display()
    );

    // Dashboard with the sale, before the void.
    click(&s, "[data-testid=nav-shift]");
    wait(&s, "[data-testid=chart]");
    shot(&s, "dashboard-en");

    // Void: a wrong supervisor PIN is refused, the right one voids all 18 tickets.
    click(&s, "[data-testid=nav-order]");
    click(&s, "[data-testid=reopen-last-sale]");
    click(&s, "[data-testid=void-open]");
    type_into(&s, "[data-testid=void-supervisor]", "S-SUP");
    type_into(&s, "[data-testid=void-pin]", "0000");
    type_into(
        &s,
        "[data-testid=void-reason]",
        "customer changed their mind",
    );
    click(&s, "[data-testid=void-submit]");
    wait_text_contains(&s, "[data-testid=void-error]", "Wrong PIN");
    type_into(&s, "[data-testid=void-pin]", "9876");
    click(&s, "[data-testid=void-submit]");
    let voided = wait_text_contains(&s, "[data-testid=void-done]", "18 tickets revoked");
    eprintln!("e2e: {voided}");
    a_voided_order_offers_nothing_to_hand_out(&s, "Voided");
    shot(&s, "void-en");
    assert!(order_id.is_string());

    click(&s, "[data-testid=nav-account]");
    wait(&s, "[data-testid=order-voided]");
    s.wait_for_text("[data-testid=held-olympic]", "12 / 30", STEP_BUDGET);
    visit_screens(&s, "en");
    // The walk-in form in English (filled, not sent: the French run below creates one).
    click(&s, "[data-testid=nav-lookUp]");
    click(&s, "[data-testid=walk-in-open]");
    type_into(&s, "[data-testid=walk-in-given]", "Leo");
    type_into(&s, "[data-testid=walk-in-family]", "Newman");
    type_into(&s, "[data-testid=walk-in-email]", "leo.newman@example.org");
    shot(&s, "walk-in-en");
    click(&s, "[data-testid=walk-in-open]");
    click(&s, "[data-testid=nav-settings]");
    wait(&s, "[data-testid=settings-save]");

    // French, chosen in the settings.
    set_value(&s, "[data-testid=settings-language]", "fr");
    click(&s, "[data-testid=settings-save]");
    wait_text_contains(&s, "[data-testid=settings-saved]", "Réglages enregistrés");
    visit_screens(&s, "fr");
    click(&s, "[data-testid=nav-lookUp]");
    type_into(&s, "[data-testid=lookup-query]", "élodie");
    wait(&s, "[data-testid=account-row]");
    shot(&s, "lookup-fr");
    click(&s, "[data-testid=nav-account]");
    wait(&s, "[data-testid=order-voided]");
    shot(&s, "account-fr");

    // A walk-in account, made at the desk (device-made id, outbox event).
    click(&s, "[data-testid=nav-lookUp]");
    click(&s, "[data-testid=walk-in-open]");
    type_into(&s, "[data-testid=walk-in-given]", "Léa");
    type_into(&s, "[data-testid=walk-in-family]", "Nouvelle");
    type_into(
        &s,
        "[data-testid=walk-in-email]",
        "lea.nouvelle@example.org",
    );
    shot(&s, "walk-in-fr");
    click(&s, "[data-testid=walk-in-create]");
    s.wait_for_text("[data-testid=account-name]", "Léa Nouvelle", STEP_BUDGET);
    assert!(
        text(&s, "[data-testid=account-id]").starts_with("W-"),
        "a walk-in id made on the device"
    );

    // The keyboard wedge: an account QR typed fast with Enter opens that account, wherever the
    // focus is (here: the look-up field, which must not keep the scanned text).
    click(&s, "[data-testid=nav-lookUp]");
    let field = wait(&s, "[data-testid=lookup-query]");
    must(s.execute(
        "const e = document.querySelector('[data-testid=lookup-query]'); e.value = '';\
         e.dispatchEvent(new Event('input', {bubbles: true})); e.focus(); return true;",
        json!([]),
    ));
    must(s.type_text(&field, "P24-ACCOUNT:P24-0000002\u{E007}"));
    s.wait_for_text("[data-testid=account-id]", "P24-0000002", STEP_BUDGET);

    // A French order with its violations, then the sale screens in French.
    click(&s, "[data-testid=nav-sessions]");
    let mots = session_words(&s, &codes[0]);
    for code in &codes {
        click(&s, &format!("[data-testid=add-{code}-C]"));
    }
    click(&s, "[data-testid=nav-order]");
    the_line_reads_like_the_ticket(&s, 0, &mots);
    for i in 0..3 {
        set_value(&s, &format!("[data-testid=line-qty-{i}]"), "7");
    }
    // One slip, one message: 7 on a line is the per-line limit; the session cap it also
    // breaks is not said again on the same line.
    wait(&s, "[data-testid=violation][data-code=LINE_QUANTITY]");
    shot(&s, "order-violations-fr");
    assert!(
        s.find("[data-testid=violation][data-code=SESSION_CAP]")
            .is_err(),
        "a line of 7 says LINE_QUANTITY once, not SESSION_CAP too"
    );
    for i in 0..3 {
        set_value(&s, &format!("[data-testid=line-qty-{i}]"), "2");
    }
    set_value(&s, "[data-testid=line-holders-0]", "Zoé Martin; Hugo Blanc");
    wait(&s, "[data-testid=quote-accepted]");
    a_basket_survives_an_account_switch(
        &s,
        "jean dupr",
        "P24-0000002",
        "3 lignes, 6 billets",
        3,
        "basket-kept-fr",
    );
    assert_eq!(
        must(s.execute(
            "return document.querySelector('[data-testid=line-holders-0]').value;",
            json!([])
        )),
        json!("Zoé Martin; Hugo Blanc"),
        "the holders' names come back with the basket"
    );
    click(&s, "[data-testid=card]");
    must(s.execute(
        "[...document.querySelectorAll('button')].find(b => b.textContent.includes('Tout par carte')).click(); return true;",
        json!([]),
    ));
    shot(&s, "payment-fr");
    pay_in_sight_at_the_minimum_size(&s);
    click(&s, "[data-testid=pay]");
    wait(&s, "[data-testid=sale-done]");
    wait(&s, "[data-testid=pdf-preview]");
    shot(&s, "issue-fr");
    click(&s, "[data-testid=nav-shift]");
    wait(&s, "[data-testid=chart]");
    shot(&s, "dashboard-fr");
    click(&s, "[data-testid=nav-order]");
    click(&s, "[data-testid=reopen-last-sale]");
    click(&s, "[data-testid=void-open]");
    type_into(&s, "[data-testid=void-supervisor]", "S-SUP");
    type_into(&s, "[data-testid=void-pin]", "9876");
    type_into(&s, "[data-testid=void-reason]", "erreur de saisie");
    click(&s, "[data-testid=void-submit]");
    wait_text_contains(&s, "[data-testid=void-done]", "recrédités sur la carte");
    a_voided_order_offers_nothing_to_hand_out(&s, "Annulée");
    shot(&s, "void-fr");

    // Close the shift: a count that differs from the expected cash asks again, with the
    // difference; a typo (15 for 150) is recounted, a real shortfall closes on a second yes.
    click(&s, "[data-testid=nav-shift]");
    set_value(&s, "[data-testid=counted]", "15");
    click(&s, "[data-testid=close-shift]");
    let asked = wait_text_contains(&s, "[data-testid=close-confirm-text]", "il manque 135,00");
    assert!(
        asked.contains("150,00"),
        "the expected cash is named: {asked}"
    );
    assert!(
        s.find("[data-testid=z-report]").is_err(),
        "nothing is closed yet"
    );
    shot(&s, "close-confirm-fr");
    click(&s, "[data-testid=recount]");
    set_value(&s, "[data-testid=counted]", "140");
    click(&s, "[data-testid=close-shift]");
    wait_text_contains(&s, "[data-testid=close-confirm-text]", "il manque 10,00");
    click(&s, "[data-testid=close-anyway]");
    wait(&s, "[data-testid=z-report]");
    let difference = text(&s, "[data-testid=z-difference]");
    assert!(
        difference.contains("-10,00") && difference.contains("manquant"),
        "the Z screen flags the shortfall: {difference}"
    );
    // The Z report goes to the CUPS queue too (A4, French and English).
    click(&s, "[data-testid=print-z]");
    wait_text_contains(
        &s,
        "[data-testid=print-z-note]",
        "Envoyé à l’imprimante PDF",
    );
    shot(&s, "z-report-fr");

    // Sign out: the sign-in screen keeps the chosen language.
    click(&s, "[data-testid=sign-out]");
    s.wait_for_text(TITLE, "Guichet — Billetterie", STEP_BUDGET);
    shot(&s, "sign-in-demo-fr");
    eprintln!("e2e: box-office flow took {:?}", started.elapsed());
}

/// With a basket of `lines` lines built for `owner`, the seller opens another account found
/// by `query` (F2, as at the counter): the account screen says the basket is kept
/// (`kept_words`), that account's own order is empty, and "back" brings the basket again.
fn a_basket_survives_an_account_switch(
    s: &Session<'_>,
    query: &str,
    owner: &str,
    kept_words: &str,
    lines: usize,
    shot_name: &str,
) {
    must(s.execute(
        "document.activeElement && document.activeElement.blur(); return true;",
        json!([]),
    ));
    press_key(s, F2);
    type_into(s, "[data-testid=lookup-query]", query);
    let other = s.wait_for("another account in the results", STEP_BUDGET, |s| {
        let id = s.execute(
            "const r = [...document.querySelectorAll('[data-testid=account-row]')].find(r => r.dataset.id !== arguments[0]); return r ? r.dataset.id : null;",
            json!([owner]),
        )?;
        Ok(id.as_str().map(str::to_owned))
    });
    click(
        s,
        &format!("[data-testid=account-row][data-id={other}] td b"),
    );
    s.wait_for_text("[data-testid=account-id]", &other, STEP_BUDGET);
    let kept = wait_text_contains(
        s,
        &format!("[data-testid=kept-basket][data-account={owner}]"),
        kept_words,
    );
    eprintln!("e2e: {kept}");
    shot(s, shot_name);
    click(s, "[data-testid=nav-order]");
    wait(s, "[data-testid=kept-basket]");
    assert!(
        s.find("[data-testid=line]").is_err(),
        "{other}'s own order starts empty"
    );
    click(s, "[data-testid=back-to-basket]");
    s.wait_for("the basket back", STEP_BUDGET, |s| {
        let n = s.execute(
            "return document.querySelectorAll('[data-testid=line]').length;",
            json!([]),
        )?;
        Ok((n.as_u64() == Some(lines as u64)).then_some(()))
    });
    assert!(
        s.find("[data-testid=kept-basket]").is_err(),
        "no other basket is waiting"
    );
}

/// What the session browser shows of `code`: sport, event, day and time, venue (the words of
/// the screen's language).
fn session_words(s: &Session<'_>, code: &str) -> Vec<String> {
    wait(s, &format!("[data-testid=session-row][data-code={code}]"));
    let words: Vec<String> = serde_json::from_value(must(s.execute(
        "const r = document.querySelector(`[data-testid=session-row][data-code=${arguments[0]}]`);\
         const c = r.querySelectorAll('td');\
         return [c[2].firstChild.textContent.trim(), c[2].querySelector('small').textContent.trim(), c[1].innerText.split('\\n')[0].trim(), c[3].textContent.trim()];",
        json!([code]),
    )))
    .expect("the session's words");
    assert!(words.iter().all(|w| !w.is_empty()), "{code}: {words:?}");
    words
}

/// The order line names its session as the ticket does: sport, event, day, venue.
fn the_line_reads_like_the_ticket(s: &Session<'_>, line: usize, words: &[String]) {
    let css = format!("[data-testid=line-words-{line}]");
    let text = s.wait_for("the line's words", STEP_BUDGET, |s| {
        let t = s.text(&s.find(&css)?)?;
        Ok(words.iter().all(|w| t.contains(w.as_str())).then_some(t))
    });
    eprintln!("e2e: order line {line} reads {text:?}");
}

/// WebDriver's codes for F2 and F6.
pub(crate) const F2: &str = "\u{E032}";
/// WebDriver's code for the F6 key.
pub(crate) const F6: &str = "\u{E036}";

/// Presses a key on whatever has the focus (the page's own keyboard handling sees it).
pub(crate) fn press_key(s: &Session<'_>, key: &str) {
    let body = wait(s, "body");
    must(s.type_text(&body, key));
}

/// After a void, the order's screen says so and offers neither printing, nor saving, nor the
/// ticket preview, and the supervisor's PIN is gone.
fn a_voided_order_offers_nothing_to_hand_out(s: &Session<'_>, state_word: &str) {
    wait_text_contains(s, "[data-testid=sale-state]", state_word);
    wait(s, "[data-testid=preview-voided]");
    for gone in [
        "print",
        "void-open",
        "save-path",
        "void-pin",
        "pdf-preview",
        "sale-change",
    ] {
        assert!(
            s.find(&format!("[data-testid={gone}]")).is_err(),
            "a voided order's screen has no {gone}"
        );
    }
}

/// Resident memory of the app after 100 sales driven over IPC from the real window (the
/// page's own `invoke`), and the sale rate. Prints numbers for BENCHMARKS.md; asserts none.
#[test]
#[ignore = "benchmark; run with: cargo test -p guichet-app --test e2e -- --ignored --nocapture"]
fn memory_after_100_sales() {
    let run = "memory";
    let rig = Rig::start(
        run,
        "box-office",
        &[
            ("GUICHET_DEMO", "1".into()),
            ("GUICHET_NOW", "2023-02-20T10:00[Europe/Paris]".into()),
        ],
    );
    let mut after = Vec::new();
    for round in 0..3 {
        let s = rig.open_app();
        s.wait_for_text(TITLE, "Guichet — Box office", LAUNCH_BUDGET);
        let pid = app_pid().expect("e2e: the guichet-app process");
        let before = rss_kb(pid);
        let answer: Value = must(s.execute_async(SALES_SCRIPT));
        assert!(answer.get("error").is_none(), "sales failed: {answer}");
        let rss = rss_kb(pid);
        eprintln!(
            "e2e: round {round}: 100 sales (quote + sell, 6 tickets each) in {:.0} ms; app VmRSS {before} kB at sign-in, {rss} kB after",
            answer["ms"].as_f64().unwrap_or(0.0)
        );
        eprintln!("e2e: round {round}: {}", memory_picture(pid));
        after.push(rss);
    }
    after.sort();
    eprintln!("e2e: VmRSS after 100 sales, median of 3: {} kB", after[1]);
}

/// Signs in, opens a shift (or finds it open), sells 100 packs of 3 × 2 to 100 accounts.
const SALES_SCRIPT: &str = "const done = arguments[arguments.length - 1];\
    const inv = window.__TAURI_INTERNALS__.invoke;\
    (async () => {\
      await inv('sign_in', {staffId: 'S-SELL', pin: '1234'});\
      await inv('open_shift', {floatCents: 0}).catch(() => null);\
      const list = await inv('sessions', {query: {onSaleNow: true}});\
      const codes = list.sessions.map(s => s.code);\
      const t0 = performance.now();\
      for (let i = 0; i < 100; i++) {\
        const account = 'P24-' + String(10 + i).padStart(7, '0');\
        const order = {account, kind: 'pack', lines: [0, 1, 2].map(k => ({session: codes[(3 * i + k) % codes.length], category: 'D', quantity: 2}))};\
        const q = await inv('quote', {order});\
        await inv('sell', {order, tender: {cardCents: q.totalCents, cashCents: 0}});\
      }\
      done({ms: performance.now() - t0});\
    })().catch(e => done({error: JSON.stringify(e)}));";

/// The rest of the picture after the sales: the app's VmRSS split (anonymous, file, shared
/// memory), its PSS (shared pages divided among the processes mapping them), whether the GL
/// driver or LLVM is mapped, and the VmRSS of WebKit's processes (the app's children).
fn memory_picture(pid: u32) -> String {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |text: &str, name: &str| {
        text.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .unwrap_or("?")
            .to_string()
    };
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
    let maps = std::fs::read_to_string(format!("/proc/{pid}/maps")).unwrap_or_default();
    let mapped = |lib: &str| {
        if maps.contains(lib) {
            "mapped"
        } else {
            "not mapped"
        }
    };
    // WebKit's processes, whichever thread started them: every process whose parent is the app.
    let children = std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .filter_map(|e| std::fs::read_to_string(e.ok()?.path().join("status")).ok())
        .filter(|status| field(status, "PPid:") == pid.to_string())
        .map(|status| {
            format!(
                "{} {} kB",
                field(&status, "Name:"),
                field(&status, "VmRSS:")
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "RssAnon {} + RssFile {} + RssShmem {} kB; Pss {} kB; libLLVM {}, swrast_dri {}; WebKit's processes: {children}",
        field(&status, "RssAnon:"),
        field(&status, "RssFile:"),
        field(&status, "RssShmem:"),
        field(&rollup, "Pss:"),
        mapped("libLLVM"),
        mapped("swrast_dri"),
    )
}

fn rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

fn app_pid() -> Option<u32> {
    let me = std::process::id();
    std::fs::read_dir("/proc").ok()?.find_map(|e| {
        let e = e.ok()?;
        let pid: u32 = e.file_name().to_str()?.parse().ok()?;
        let exe = std::fs::read_link(e.path().join("exe")).ok()?;
        (pid != me && exe.file_name()? == "guichet-app").then_some(pid)
    })
}
