//! The kiosk on a portrait screen (1080×1920, the common fan-zone totem, at its real size):
//! the main screens in English and French, every control on top at its centre and no pane
//! scrolling sideways, the words as the counter writes them (`words_as_shown`), and a
//! screenshot of each (`target/e2e-screenshots/kiosk-portrait-*.png`).

use std::time::Duration;

use serde_json::json;

use crate::box_office::{click, must, wait};
use crate::kiosk_decline::fill;
use crate::kiosk_rig::{cheapest, KioskRig};
use crate::kiosk_screens::words_as_shown;
use crate::webdriver::Session;
use crate::{save_screenshot, STEP_BUDGET};

const PORTRAIT: (u32, u32) = (1080, 1920);

fn lang(s: &Session<'_>) -> String {
    must(s.execute("return document.documentElement.lang;", json!([])))
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Sets the language with the header's toggle (and waits for the rules' words in it).
fn set_lang(s: &Session<'_>, want: &str) {
    if lang(s) != want {
        click(s, "[data-testid=lang-toggle]");
    }
    s.wait_for(&format!("the screen in {want}"), STEP_BUDGET, |s| {
        let v = s.execute(
            "const b = document.querySelector('[data-quote-lang]'); return document.documentElement.lang === arguments[0] && (!b || b.dataset.quoteLang === arguments[0]);",
            json!([want]),
        )?;
        Ok((v == json!(true)).then_some(()))
    });
    must(s.settle());
}

/// The screen in English then French: layout, words, screenshot; back to English.
fn shoot(s: &Session<'_>, name: &str) {
    for l in ["en", "fr"] {
        set_lang(s, l);
        let shot = format!("kiosk-portrait-{name}-{l}");
        let layout = must(s.layout());
        assert!(
            layout.problems.is_empty(),
            "e2e: layout of {shot}: {} of {} controls hidden or cut:\n  {}",
            layout.problems.len(),
            layout.controls,
            layout.problems.join("\n  ")
        );
        words_as_shown(s, &shot);
        let path = save_screenshot(s, &shot);
        eprintln!(
            "e2e: portrait {shot}: {} controls ✓ {}",
            layout.controls,
            path.display()
        );
    }
    set_lang(s, "en");
}

fn screen_is(s: &Session<'_>, screen: &str, within: Duration) {
    s.wait_for(&format!("the {screen} screen"), within, |s| {
        let v = s.execute(
            "const k = document.querySelector('[data-testid=kiosk]'); return k && k.dataset.screen;",
            json!([]),
        )?;
        Ok((v == json!(screen)).then_some(()))
    });
}

#[test]
fn the_kiosk_fits_a_portrait_screen_in_both_languages() {
    let k = KioskRig::start(
        "kiosk-portrait",
        // The payment's screen stays up while the terminal is "disconnected" for 15 s.
        &[
            ("GUICHET_TERMINAL_SCRIPT", "disconnect:15000".into()),
            crate::gl_for_screenshots(),
        ],
    );
    let s = k.open_in_service();
    let got = must(s.set_viewport(PORTRAIT.0, PORTRAIT.1));
    assert_eq!(got, PORTRAIT, "e2e: the page is {PORTRAIT:?} (portrait)");

    shoot(&s, "attract");
    click(&s, "[data-testid=attract-start]");
    screen_is(&s, "language", STEP_BUDGET);
    shoot(&s, "language");
    click(&s, "[data-testid=lang-en]");
    screen_is(&s, "identify", STEP_BUDGET);
    shoot(&s, "identify");
    fill(&s, "[data-testid=card-input]", &k.card);
    click(&s, "[data-testid=identify]");
    screen_is(&s, "standing", STEP_BUDGET);
    shoot(&s, "standing");
    click(&s, "[data-testid=standing-next]");
    screen_is(&s, "browse", STEP_BUDGET);
    fill(&s, "[data-testid=filter-text]", "FBL01");
    click(
        &s,
        &format!("[data-testid=add-FBL01-{}]", cheapest("FBL01")),
    );
    wait(&s, "[data-testid=violation]");
    shoot(&s, "browse-refused");
    for code in ["RU701", "HBL01"] {
        fill(&s, "[data-testid=filter-text]", code);
        click(&s, &format!("[data-testid=add-{code}-{}]", cheapest(code)));
    }
    wait(&s, "[data-testid=kiosk-total]");
    shoot(&s, "browse");
    click(&s, "[data-testid=pay]");
    s.wait_for("the seats held", STEP_BUDGET, |s| {
        let v = s.execute(
            "const p = document.querySelector('[data-testid=kiosk-pay]'); return p && p.dataset.step;",
            json!([]),
        )?;
        Ok((v == json!("held")).then_some(()))
    });
    shoot(&s, "pay");
    screen_is(&s, "take", Duration::from_secs(60));
    shoot(&s, "take");
    click(&s, "[data-testid=take-finish]");
    screen_is(&s, "attract", STEP_BUDGET);
}
