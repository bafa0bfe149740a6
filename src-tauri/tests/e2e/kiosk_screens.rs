//! Every kiosk screen, in English, in French and in large-text / high-contrast mode: axe-core
//! (`ui/node_modules/axe-core/axe.min.js`, injected through WebDriver) finds no serious or
//! critical violation (the counts are printed), every control is on top at its centre, the
//! French screens show no English word, and a screenshot of each is saved (1280×800) in
//! `target/e2e-screenshots/kiosk-*.png`. Along the way: the staff chord opens the supervisor's
//! unlock, the maintenance screen takes the kiosk out of service (the out-of-order screen with
//! its code) and back.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::{json, Value};

use crate::box_office::{click, must, wait};
use crate::kiosk_decline::to_a_full_basket;
use crate::kiosk_rig::KioskRig;
use crate::webdriver::Session;
use crate::{french_all_the_way, save_screenshot};

/// axe-core's script, from `npm ci` in `ui/`.
fn axe_source() -> String {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("e2e: {} ({e}): run `npm ci` in ui/", path.display()))
}

/// The violations axe reports: `(rule, impact, nodes, first target)`.
fn axe(s: &Session<'_>, source: &str) -> Vec<(String, String, usize, String)> {
    let loaded = must(s.execute("return typeof window.axe === 'object';", json!([])));
    if loaded != json!(true) {
        must(s.execute(&format!("{source}\nreturn true;"), json!([])));
    }
    let v: Value = must(s.execute_async(
        "const done = arguments[arguments.length - 1];\
         axe.run(document, { resultTypes: ['violations'] }).then(\
           (r) => done(r.violations.map((v) => [v.id, v.impact || '', v.nodes.length, JSON.stringify(v.nodes[0] && v.nodes[0].target)])),\
           (e) => done([['axe-error', 'critical', 1, String(e)]]));",
    ));
    serde_json::from_value(v).expect("e2e: axe's answer")
}

/// The screen in three modes: English, French, large text (English). Returns the serious or
/// critical violations found, after printing every count.
struct Audit {
    axe: String,
    serious: Vec<String>,
    screens: usize,
}

impl Audit {
    fn toggle(&self, s: &Session<'_>, what: &str) {
        must(s.execute(
            "const b = document.querySelector(arguments[0]); if (b) b.click(); return !!b;",
            json!([format!("[data-testid={what}]")]),
        ));
        must(s.settle());
        // The basket's rule sentences come back from the shell in the new language.
        s.wait_for("the quote in the screen's language", crate::STEP_BUDGET, |s| {
            let v = s.execute(
                "const b = document.querySelector('[data-quote-lang]'); return !b || b.dataset.quoteLang === document.documentElement.lang;",
                json!([]),
            )?;
            Ok((v == json!(true)).then_some(()))
        });
    }

    fn lang(&self, s: &Session<'_>) -> String {
        must(s.execute("return document.documentElement.lang;", json!([])))
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    fn check(&mut self, s: &Session<'_>, name: &str, layout: bool) {
        self.screens += 1;
        for mode in ["en", "fr", "large"] {
            match mode {
                "fr" if self.lang(s) == "en" => self.toggle(s, "lang-toggle"),
                "large" => {
                    self.toggle(s, "lang-toggle");
                    self.toggle(s, "large-toggle");
                }
                _ => {}
            }
            let shot = format!("kiosk-{name}-{mode}");
            let found = axe(s, &self.axe);
            let bad: Vec<_> = found
                .iter()
                .filter(|(_, impact, _, _)| impact == "serious" || impact == "critical")
                .collect();
            eprintln!(
                "e2e: axe {shot}: {} violations, {} serious or critical {:?}",
                found.len(),
                bad.len(),
                found
                    .iter()
                    .map(|(id, i, n, _)| format!("{id}/{i}×{n}"))
                    .collect::<Vec<_>>()
            );
            for (id, impact, n, target) in bad {
                eprintln!("e2e:   {id} ({impact}) on {n} nodes, first {target}");
                self.serious.push(format!(
                    "{shot}: {id} ({impact}, {n} nodes, first {target})"
                ));
            }
            words_as_shown(s, &shot);
            if layout {
                let l = must(s.layout());
                assert!(
                    l.problems.is_empty(),
                    "e2e: layout of {shot}: {} of {} controls hidden or cut:\n  {}",
                    l.problems.len(),
                    l.controls,
                    l.problems.join("\n  ")
                );
            }
            // The language screen speaks both languages on purpose.
            if mode == "fr" && name != "language" {
                french_all_the_way(s, &shot);
            }
            let path = save_screenshot(s, &shot);
            eprintln!("e2e: screenshot {}", path.display());
        }
        // Back to English, normal text.
        self.toggle(s, "large-toggle");
        if self.lang(s) != "en" {
            self.toggle(s, "lang-toggle");
        }
    }
}

/// What screenshots showed wrong once: no ISO date (the counter writes 24/07/2024), every
/// rule's sentence starts with a capital, and the tickets held are said once.
pub(crate) fn words_as_shown(s: &Session<'_>, shot: &str) {
    let v = must(s.execute(
        "const t = document.body.innerText; const iso = t.match(/\\b\\d{4}-\\d{2}-\\d{2}\\b/);\
         const lower = [...document.querySelectorAll('[data-testid=violation]')].map((e) => e.textContent.trim())\
           .filter((x) => x && x[0] !== x[0].toLocaleUpperCase());\
         const held = (t.match(/You hold|Vous détenez/g) || []).length;\
         return { iso: iso && iso[0], lower, held };",
        json!([]),
    ));
    assert!(
        v["iso"].is_null(),
        "e2e: {shot} shows an ISO date {} where the counter writes dd/mm/yyyy",
        v["iso"]
    );
    assert_eq!(
        v["lower"],
        json!([]),
        "e2e: {shot}: every rule's sentence starts with a capital"
    );
    assert!(
        v["held"].as_u64().unwrap_or(0) <= 1,
        "e2e: {shot} says the tickets held once, not {} times",
        v["held"]
    );
}

fn screen_is(s: &Session<'_>, screen: &str, within: Duration) {
    s.wait_for(&format!("the {screen} screen"), within, |s| {
        let v = s.execute("const k = document.querySelector('[data-testid=kiosk]'); return k && k.dataset.screen;", json!([]))?;
        Ok((v == json!(screen)).then_some(()))
    });
}

#[test]
fn every_kiosk_screen_passes_axe_in_both_languages_and_large_text() {
    let k = KioskRig::start(
        "kiosk-screens",
        &[
            // The payment's screen stays up while the terminal is "disconnected" for 20 s.
            ("GUICHET_TERMINAL_SCRIPT", "disconnect:20000".into()),
            ("GUICHET_KIOSK_IDLE", "40,90".into()),
            crate::gl_for_screenshots(),
        ],
    );
    let s = k.open_in_service();
    must(s.set_viewport(1280, 800));
    let mut a = Audit {
        axe: axe_source(),
        serious: Vec::new(),
        screens: 0,
    };

    a.check(&s, "attract", true);
    click(&s, "[data-testid=attract-start]");
    screen_is(&s, "language", crate::STEP_BUDGET);
    a.check(&s, "language", true);
    click(&s, "[data-testid=lang-en]");
    screen_is(&s, "identify", crate::STEP_BUDGET);
    a.check(&s, "identify", true);
    // The counter's unsigned account QR is not a card: refused in words.
    must(s.execute(
        "const e = document.querySelector('[data-testid=card-input]'); e.value = 'P24-ACCOUNT:DEMO-0001'; e.dispatchEvent(new Event('input', { bubbles: true }));",
        json!([]),
    ));
    click(&s, "[data-testid=identify]");
    wait(&s, "[data-testid=identify-error]");
    a.check(&s, "identify-refused", true);
    // Start over (the header's button): back to the attract screen, then a pack of one
    // session shows the rule next to the basket.
    click(&s, "[data-testid=start-over]");
    screen_is(&s, "attract", crate::STEP_BUDGET);
    to_a_full_basket(&k, &s, &["FBL01"]);
    a.check(&s, "browse-refused", true);
    for code in ["RU701", "HBL01"] {
        must(s.execute(
            "const e = document.querySelector('[data-testid=filter-text]'); e.value = arguments[0]; e.dispatchEvent(new Event('input', { bubbles: true }));",
            json!([code]),
        ));
        click(
            &s,
            &format!(
                "[data-testid=add-{code}-{}]",
                crate::kiosk_rig::cheapest(code)
            ),
        );
    }
    wait(&s, "[data-testid=kiosk-total]");
    a.check(&s, "browse", true);
    click(&s, "[data-testid=back]");
    screen_is(&s, "standing", crate::STEP_BUDGET);
    a.check(&s, "standing", true);
    click(&s, "[data-testid=standing-next]");
    wait(&s, "[data-testid=kiosk-total]");
    click(&s, "[data-testid=pay]");
    screen_is(&s, "pay", crate::STEP_BUDGET);
    s.wait_for("the seats held", crate::STEP_BUDGET, |s| {
        let v = s.execute(
            "return document.querySelector('[data-testid=kiosk-pay]').dataset.step;",
            json!([]),
        )?;
        Ok((v == json!("held")).then_some(()))
    });
    a.check(&s, "pay", true);
    screen_is(&s, "take", Duration::from_secs(60));
    a.check(&s, "take", true);
    click(&s, "[data-testid=take-finish]");
    screen_is(&s, "attract", crate::STEP_BUDGET);

    // The idle warning.
    to_a_full_basket(&k, &s, &["FBL01"]);
    wait_long(&s, "[data-testid=idle-warning]", Duration::from_secs(60));
    a.check(&s, "idle-warning", false);
    click(&s, "[data-testid=more-time]");
    click(&s, "[data-testid=start-over]");
    screen_is(&s, "attract", crate::STEP_BUDGET);

    // The staff chord, the supervisor's PIN, maintenance, out of service and back.
    let body = wait(&s, "body");
    must(s.type_text(&body, "\u{E009}\u{E00A}\u{E008}m\u{E000}"));
    wait(&s, "[data-testid=unlock]");
    a.check(&s, "unlock", false);
    must(s.execute(
        "const set = (t, v) => { const e = document.querySelector(`[data-testid=${t}]`); e.value = v; e.dispatchEvent(new Event('input', { bubbles: true })); }; set('unlock-id', 'S-SUP'); set('unlock-pin', '9876');",
        json!([]),
    ));
    click(&s, "[data-testid=unlock-submit]");
    screen_is(&s, "maintenance", crate::STEP_BUDGET);
    a.check(&s, "maintenance", true);
    click(&s, "[data-testid=out-of-service]");
    wait(&s, "[data-testid=in-service]");
    click(&s, "[data-testid=maintenance-sign-out]");
    screen_is(&s, "outOfOrder", crate::STEP_BUDGET);
    let code = must(s.text(&wait(&s, "[data-testid=ooo-code]")));
    assert!(
        code.contains("OOO-SERVICE"),
        "e2e: out of service shows its code: {code}"
    );
    a.check(&s, "out-of-order", true);
    must(s.type_text(&wait(&s, "body"), "\u{E009}\u{E00A}\u{E008}m\u{E000}"));
    wait(&s, "[data-testid=unlock]");
    must(s.execute(
        "const set = (t, v) => { const e = document.querySelector(`[data-testid=${t}]`); e.value = v; e.dispatchEvent(new Event('input', { bubbles: true })); }; set('unlock-id', 'S-SUP'); set('unlock-pin', '9876');",
        json!([]),
    ));
    click(&s, "[data-testid=unlock-submit]");
    click(&s, "[data-testid=in-service]");
    wait(&s, "[data-testid=out-of-service]");
    click(&s, "[data-testid=maintenance-sign-out]");
    screen_is(&s, "attract", Duration::from_secs(20));

    eprintln!(
        "e2e: axe on {} kiosk screens × 3 modes: {} serious or critical",
        a.screens,
        a.serious.len()
    );
    assert!(
        a.serious.is_empty(),
        "e2e: axe finds serious or critical violations:\n  {}",
        a.serious.join("\n  ")
    );
}

fn wait_long(s: &Session<'_>, css: &str, within: Duration) {
    s.wait_for(&format!("{css} to appear"), within, |s| {
        Ok(s.find(css).ok())
    });
}
