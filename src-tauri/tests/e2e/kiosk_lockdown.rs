//! The kiosk's lock-down inside the window: the chords that close, reload, zoom or inspect
//! are swallowed (their events cancelled, the page not reloaded), the context menu, text
//! selection and dragging are refused, every control is at least 48 px; the staff chord opens
//! the unlock, a wrong PIN opens nothing, and Esc walks the fan back one screen.

use serde_json::json;

use crate::box_office::{click, must, wait};
use crate::kiosk_rig::KioskRig;

/// Chords a fan must not use, as `KeyboardEvent` options.
const CHORDS: &[(&str, &str)] = &[
    ("Alt+F4", "{ key: 'F4', altKey: true }"),
    ("Ctrl+W", "{ key: 'w', ctrlKey: true }"),
    ("Ctrl+Q", "{ key: 'q', ctrlKey: true }"),
    ("F5", "{ key: 'F5' }"),
    ("Ctrl+R", "{ key: 'r', ctrlKey: true }"),
    ("Ctrl++", "{ key: '+', ctrlKey: true }"),
    ("Ctrl+-", "{ key: '-', ctrlKey: true }"),
    ("F11", "{ key: 'F11' }"),
    ("F12", "{ key: 'F12' }"),
];

#[test]
fn the_kiosk_swallows_leaving_chords_refuses_menus_and_selection_and_unlocks_only_with_a_pin() {
    let k = KioskRig::start("kiosk-lockdown", &[]);
    let s = k.open_in_service();
    must(s.execute("window.__stillHere = 42;", json!([])));

    for (name, init) in CHORDS {
        let cancelled = must(s.execute(
            &format!(
                "const e = new KeyboardEvent('keydown', Object.assign({init}, {{ bubbles: true, cancelable: true }})); document.body.dispatchEvent(e); return e.defaultPrevented;"
            ),
            json!([]),
        ));
        assert_eq!(
            cancelled,
            json!(true),
            "e2e: {name} is swallowed by the kiosk"
        );
    }
    // Real key presses too: the page is still the same page (no reload).
    let body = wait(&s, "body");
    must(s.type_text(&body, "\u{E035}")); // F5
    must(s.type_text(&body, "\u{E009}r\u{E000}"));
    must(s.settle());
    assert_eq!(
        must(s.execute("return window.__stillHere;", json!([]))),
        json!(42),
        "e2e: F5 and Ctrl+R did not reload the kiosk"
    );
    for (event, make) in [
        (
            "contextmenu",
            "new MouseEvent('contextmenu', { bubbles: true, cancelable: true })",
        ),
        (
            "selectstart",
            "new Event('selectstart', { bubbles: true, cancelable: true })",
        ),
        (
            "dragstart",
            "new Event('dragstart', { bubbles: true, cancelable: true })",
        ),
    ] {
        let cancelled = must(s.execute(
            &format!("const e = {make}; document.querySelector('h1').dispatchEvent(e); return e.defaultPrevented;"),
            json!([]),
        ));
        assert_eq!(
            cancelled,
            json!(true),
            "e2e: {event} is refused on the kiosk's screens"
        );
    }
    let select = must(s.execute(
        "return getComputedStyle(document.querySelector('[data-testid=kiosk]')).webkitUserSelect || getComputedStyle(document.querySelector('[data-testid=kiosk]')).userSelect;",
        json!([]),
    ));
    assert_eq!(
        select,
        json!("none"),
        "e2e: the UI's text cannot be selected"
    );

    // Targets: every visible control is at least 48 × 48 px, on a few screens.
    click(&s, "[data-testid=attract-start]");
    wait(&s, "[data-testid=lang-en]");
    click(&s, "[data-testid=lang-en]");
    wait(&s, "[data-testid=card-input]");
    let small = must(s.execute(
        "return [...document.querySelectorAll('button, input, select')].filter(e => e.getClientRects().length).map(e => { const r = e.getBoundingClientRect(); return [e.dataset.testid || e.tagName, Math.round(r.width), Math.round(r.height)]; }).filter(([, w, h]) => w < 48 || h < 48);",
        json!([]),
    ));
    assert_eq!(
        small,
        json!([]),
        "e2e: every control on the identify screen is at least 48 px"
    );
    // Esc goes back one screen.
    must(s.type_text(&wait(&s, "[data-testid=card-input]"), "\u{E00C}"));
    wait(&s, "[data-testid=kiosk-language]");

    // The staff chord: a wrong PIN opens nothing; the maintenance screen needs the right one.
    must(s.type_text(&wait(&s, "body"), "\u{E009}\u{E00A}\u{E008}m\u{E000}"));
    wait(&s, "[data-testid=unlock]");
    must(s.execute(
        "const set = (t, v) => { const e = document.querySelector(`[data-testid=${t}]`); e.value = v; e.dispatchEvent(new Event('input', { bubbles: true })); }; set('unlock-id', 'S-SUP'); set('unlock-pin', '0000');",
        json!([]),
    ));
    click(&s, "[data-testid=unlock-submit]");
    let refused = must(s.text(&wait(&s, "[data-testid=unlock-error]")));
    assert!(
        s.find("[data-testid=kiosk-maintenance]").is_err(),
        "e2e: a wrong PIN opens no maintenance screen ({refused})"
    );
    // Nor can the page call a maintenance action without the unlock.
    let answer = must(s.execute_async(
        "const done = arguments[arguments.length - 1]; window.__TAURI_INTERNALS__.invoke('kiosk_maintenance', { action: 'outOfService' }).then((v) => done({ ok: v }), (e) => done({ err: e }));",
    ));
    assert_eq!(
        answer["err"]["code"], "NOT_SUPERVISOR",
        "e2e: maintenance needs the unlock: {answer}"
    );
    click(&s, "[data-testid=unlock-cancel]");
    eprintln!("e2e: lock-down: {} chords swallowed, menu/selection/drag refused, wrong PIN refused: {refused}", CHORDS.len());
}
