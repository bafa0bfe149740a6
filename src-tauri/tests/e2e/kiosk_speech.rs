//! Speech mode on the real window and the real `espeak-ng`: turned on with the keyboard, it
//! reads a new screen (heading, lead, focused control) and each control the focus reaches, in
//! the screen's language; `GUICHET_SPEECH_WAV_DIR` makes espeak-ng write each utterance as a
//! WAV file and log its text, which the test reads. Nothing said carries the fan's account id
//! or card; a wipe stops the speech and turns the mode off.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{json, Value};

use crate::box_office::{click, must, wait};
use crate::kiosk_rig::{Keys, KioskRig, ENTER};
use crate::webdriver::Session;
use crate::STEP_BUDGET;

/// The lines of `spoken.jsonl`.
fn log(dir: &Path) -> Vec<Value> {
    std::fs::read_to_string(dir.join("spoken.jsonl"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

fn speaks(dir: &Path) -> Vec<Value> {
    log(dir)
        .into_iter()
        .filter(|l| l["event"] == "speak")
        .collect()
}

/// Waits for the first utterance after the first `from` that `want` accepts (a click also
/// moves the focus, which may be said first) and for its WAV to hold sound. Returns how many
/// utterances there are up to it, and its log line.
fn said(
    s: &Session<'_>,
    dir: &Path,
    from: usize,
    what: &str,
    want: impl Fn(&Value) -> bool,
) -> (usize, Value) {
    let (n, line) = s.wait_for(&format!("speech: {what}"), STEP_BUDGET, |_| {
        Ok(speaks(dir)
            .into_iter()
            .enumerate()
            .skip(from)
            .find(|(_, l)| want(l))
            .map(|(i, l)| (i + 1, l)))
    });
    let wav = PathBuf::from(
        line["wav"]
            .as_str()
            .expect("e2e: the utterance names its WAV"),
    );
    let bytes = s.wait_for(&format!("the WAV of {what}"), STEP_BUDGET, |_| {
        let len = std::fs::metadata(&wav).map(|m| m.len()).unwrap_or(0);
        std::thread::sleep(Duration::from_millis(100));
        let again = std::fs::metadata(&wav).map(|m| m.len()).unwrap_or(0);
        Ok((len > 1000 && len == again).then_some(len))
    });
    eprintln!("e2e: speech #{n} ({what}): {line} → {bytes} bytes of WAV");
    (n, line)
}

fn text(line: &Value) -> String {
    line["text"].as_str().unwrap_or_default().to_string()
}

#[test]
fn speech_mode_reads_each_screen_and_the_focused_control_aloud_in_its_language() {
    let wav_dir = crate::target_dir().join("e2e-speech").join("kiosk-speech");
    let _ = std::fs::remove_dir_all(&wav_dir);
    let k = KioskRig::start(
        "kiosk-speech",
        &[("GUICHET_SPEECH_WAV_DIR", wav_dir.display().to_string())],
    );
    let s = k.open_in_service();
    assert!(
        speaks(&wav_dir).is_empty(),
        "e2e: nothing is said before speech mode is on"
    );

    // The keyboard alone turns it on: Tab to the toggle, Enter.
    let mut keys = Keys { s: &s, pressed: 0 };
    keys.tab_to("speech-toggle", 12);
    keys.press(ENTER);
    let (n, on) = said(&s, &wav_dir, 0, "speech on", |_| true);
    assert!(
        n == 1
            && on["lang"] == "en"
            && text(&on).contains("Speech is on")
            && text(&on).contains("Paris 2024 tickets"),
        "e2e: turning speech on says so first and reads the screen in English: {on}"
    );
    let pressed = must(s.execute(
        "return document.querySelector('[data-testid=speech-toggle]').getAttribute('aria-pressed');",
        json!([]),
    ));
    assert_eq!(pressed, json!("true"), "e2e: the toggle says it is on");

    // A focus change: the control's accessible name.
    keys.tab_to("attract-start", 4);
    let (n, focus) = said(&s, &wav_dir, n, "the focus on the start button", |l| {
        text(l) == "Touch to start"
    });
    assert_eq!(
        focus["lang"], "en",
        "e2e: the focused button's name is read in English: {focus}"
    );

    // A screen change: its heading, then the control that has the focus.
    keys.press(ENTER);
    let (n, screen) = said(&s, &wav_dir, n, "the language screen", |l| {
        text(l).starts_with("Choose your language")
    });
    assert!(
        text(&screen).ends_with("English"),
        "e2e: the new screen's heading, then its focused control are read: {screen}"
    );

    keys.press(ENTER);
    let (n, identify) = said(&s, &wav_dir, n, "the identify screen", |l| {
        text(l).starts_with("Scan your account card")
    });
    assert!(
        text(&identify).contains("Hold the QR code") && text(&identify).ends_with("Account card"),
        "e2e: the identify screen's heading, lead and the card field's label: {identify}"
    );

    // In French: the screen again, with a French voice.
    click(&s, "[data-testid=lang-toggle]");
    let (n, fr) = said(&s, &wav_dir, n, "the identify screen in French", |l| {
        text(l).starts_with("Scannez votre carte")
    });
    assert_eq!(
        fr["lang"], "fr",
        "e2e: the screen is read again in French, by the French voice: {fr}"
    );

    // The card goes into its field; the standing screen greets the fan by first name only.
    crate::kiosk_decline::fill(&s, "[data-testid=card-input]", &k.card);
    click(&s, "[data-testid=identify]");
    wait(&s, "[data-testid=kiosk-standing]");
    let (_, standing) = said(&s, &wav_dir, n, "the standing screen", |l| {
        text(l).starts_with("Bonjour")
    });
    assert!(
        standing["lang"] == "fr" && text(&standing).contains("billets"),
        "e2e: the standing screen is read in French with what the account may buy: {standing}"
    );
    for line in speaks(&wav_dir) {
        let t = text(&line);
        assert!(
            !t.contains("DEMO-0001") && !t.contains("P24-ACCOUNT") && !t.contains('@'),
            "e2e: speech never says the fan's account id, card or e-mail: {t}"
        );
    }

    // A wipe stops the speech and turns the mode off for the next fan.
    click(&s, "[data-testid=start-over]");
    s.wait_for("the wipe's stop", STEP_BUDGET, |_| {
        Ok(log(&wav_dir)
            .iter()
            .any(|l| l["event"] == "stop")
            .then_some(()))
    });
    wait(&s, "[data-testid=kiosk-attract]");
    std::thread::sleep(Duration::from_millis(1500));
    let pressed = must(s.execute(
        "return document.querySelector('[data-testid=speech-toggle]').getAttribute('aria-pressed');",
        json!([]),
    ));
    assert_eq!(pressed, json!("false"), "e2e: a wipe turns speech mode off");
    let lines = log(&wav_dir);
    let stop = lines
        .iter()
        .rposition(|l| l["event"] == "stop")
        .expect("e2e: the wipe stopped the speech");
    assert!(
        lines[stop + 1..].is_empty(),
        "e2e: nothing is said after the wipe (the attract screen is silent again): {:?}",
        &lines[stop + 1..]
    );
    eprintln!(
        "e2e: speech ✓ {} utterances before the wipe, keys pressed {}",
        speaks(&wav_dir).len(),
        keys.pressed
    );
}
