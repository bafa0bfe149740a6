//! A second launch of the app on the same desk file (a double tap on the kiosk) opens no second
//! window: it exits at once, saying the first app was brought to the front, and the display
//! still has exactly one Guichet window, which still answers.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::box_office::must;
use crate::{target_dir, Rig, APP, LAUNCH_BUDGET};

/// The X toplevel windows titled `title` on `display` (`xwininfo`, package x11-utils).
fn windows_titled(display: &str, title: &str) -> usize {
    let out = Command::new("xwininfo")
        .args(["-root", "-tree", "-display", display])
        .output()
        .expect("e2e: xwininfo runs (Debian package x11-utils)");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.contains(&format!("\"{title}\"")))
        .count()
}

#[test]
fn a_second_launch_on_the_same_desk_opens_no_second_window() {
    let run = "single-instance";
    let rig = Rig::start(run, "kiosk", &[("GUICHET_KIOSK_WINDOWED", "1".into())]);
    let s = rig.open_app();
    s.wait_for_text(
        "[data-testid=kiosk-title]",
        "Guichet — Kiosk",
        LAUNCH_BUDGET,
    );
    let title = "Guichet — Kiosk";
    let before = windows_titled(rig.display_name(), title);
    assert_eq!(before, 1, "e2e: the kiosk has one window titled {title:?}");

    let desk = target_dir().join("e2e-desks").join(run).join("desk.sqlite");
    let started = Instant::now();
    let mut second = Command::new(APP)
        .env("DISPLAY", rig.display_name())
        .env("GUICHET_DEVICE_KIND", "kiosk")
        .env("GUICHET_DESK_DB", &desk)
        .env("GUICHET_KIOSK_WINDOWED", "1")
        .env("NO_AT_BRIDGE", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("e2e: the second launch starts");
    let status = loop {
        if let Some(status) = second.try_wait().expect("e2e: the second launch's status") {
            break status;
        }
        if started.elapsed() > Duration::from_secs(20) {
            let _ = second.kill();
            panic!("e2e: the second launch is still running after 20 s: it opened the app again");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let took = started.elapsed();
    let out = second
        .wait_with_output()
        .expect("e2e: the second launch's output");
    let said = String::from_utf8_lossy(&out.stderr);
    eprintln!("e2e: the second launch ended in {took:?} ({status}): {said}");
    assert!(
        status.success(),
        "e2e: a double tap is not a failure: the second launch exits 0 ({status})"
    );
    assert!(
        said.contains("another Guichet app already runs on the desk file")
            && said.contains(desk.to_str().expect("UTF-8"))
            && said.contains("its window was brought to the front"),
        "e2e: the second launch says why it stops and that the first came to the front: {said}"
    );
    assert_eq!(
        windows_titled(rig.display_name(), title),
        1,
        "e2e: still exactly one kiosk window on the display"
    );
    let handles = must(s.execute("return document.title !== undefined;", json!([])));
    assert_eq!(handles, json!(true), "e2e: the first window still answers");
}
