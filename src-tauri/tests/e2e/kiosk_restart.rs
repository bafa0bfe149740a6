//! Power lost at the kiosk while the fan is at the terminal: the seats are held at the server,
//! the terminal (the simulator, "disconnected" for 60 s) has not answered, and the kiosk's app
//! is killed (SIGKILL). At the next start the kiosk reconciles before offering a sale: the
//! terminal holds nothing for that request, so the intent is cancelled and the hold released
//! (the server's availability is back); nothing was charged, nothing printed.

use std::path::Path;
use std::time::Duration;

use serde_json::json;

use crate::box_office::{click, must};
use crate::kiosk_decline::to_a_full_basket;
use crate::kiosk_isolation::wait_enrolled;
use crate::kiosk_rig::{cheapest, KioskRig};
use crate::APP;

const PACK: [&str; 3] = ["FBL01", "RU701", "HBL01"];

/// The app process of this run: its binary, started with this run's desk file.
fn app_pid(desk_db: &Path) -> i32 {
    let want = format!("GUICHET_DESK_DB={}", desk_db.display());
    // /proc/PID/exe is the resolved path; APP keeps CARGO_TARGET_DIR as given, which may
    // hold `..` or a symlink (seen on a fresh clone whose target dir was `../empty-target`).
    let app = std::fs::canonicalize(APP).unwrap_or_else(|e| panic!("e2e: {APP}: {e}"));
    for entry in std::fs::read_dir("/proc").expect("e2e: /proc") {
        let dir = entry.expect("e2e: a /proc entry").path();
        let Some(pid) = dir
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.parse::<i32>().ok())
        else {
            continue;
        };
        let exe = std::fs::read_link(dir.join("exe")).unwrap_or_default();
        if exe != app {
            continue;
        }
        let env = std::fs::read(dir.join("environ")).unwrap_or_default();
        if env.split(|b| *b == 0).any(|v| v == want.as_bytes()) {
            return pid;
        }
    }
    panic!("e2e: no app process with {want}");
}

#[test]
fn a_kiosk_killed_while_the_card_is_asked_releases_the_hold_when_it_restarts() {
    let k = KioskRig::start(
        "kiosk-restart",
        &[("GUICHET_TERMINAL_SCRIPT", "disconnect:60000".into())],
    );
    let s = k.open_in_service();
    let token = wait_enrolled(&k.desk_db);
    let before: Vec<i64> = PACK
        .iter()
        .map(|c| k.available(&token, c, &cheapest(c)))
        .collect();
    to_a_full_basket(&k, &s, &PACK);
    click(&s, "[data-testid=pay]");
    s.wait_for("the seats held, the card asked", crate::STEP_BUDGET, |s| {
        let v = s.execute("const p = document.querySelector('[data-testid=kiosk-pay]'); return p && p.dataset.step;", json!([]))?;
        Ok((v == json!("held")).then_some(()))
    });
    let held: Vec<i64> = PACK
        .iter()
        .map(|c| k.available(&token, c, &cheapest(c)))
        .collect();
    eprintln!("e2e: availability {before:?} → {held:?} while the card is asked");
    let taken: Vec<i64> = before.iter().zip(&held).map(|(b, h)| b - h).collect();
    assert_eq!(
        taken,
        vec![1, 1, 1],
        "e2e: the seats are held at the server before the card answers"
    );

    let pid = app_pid(&k.desk_db);
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid),
        nix::sys::signal::Signal::SIGKILL,
    )
    .expect("e2e: the app is killed");
    drop(s);
    std::thread::sleep(Duration::from_millis(500));

    let s = k.open_in_service();
    let unlocked = must(s.execute_async(
        "const done = arguments[arguments.length - 1]; window.__TAURI_INTERNALS__.invoke('kiosk_unlock', { staffId: 'S-SUP', pin: '9876' }).then(done, (e) => done({ failed: e }));",
    ));
    assert_eq!(
        unlocked["reconciled"], 1,
        "e2e: one open payment settled at start-up: {unlocked}"
    );
    let after: Vec<i64> = PACK
        .iter()
        .map(|c| k.available(&token, c, &cheapest(c)))
        .collect();
    assert_eq!(
        after, before,
        "e2e: the killed sale's hold is released at the server"
    );
    assert!(
        k.ledger()
            .iter()
            .all(|(e, _)| e != "captured" && e != "authorised"),
        "e2e: nothing authorised or captured: {:?}",
        k.ledger()
    );
    assert!(k.printed().is_empty(), "e2e: nothing printed");
    eprintln!("e2e: restart reconciled: availability back to {after:?}");
}
