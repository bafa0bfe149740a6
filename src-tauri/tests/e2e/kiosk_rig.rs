//! What the kiosk's end-to-end tests share: the real server (demo data, a kiosk enrolment
//! code, DEMO-0001's signed account card), a kiosk window enrolled with it, the simulated card
//! terminal's ledger and the folder its tickets print into, and keyboard helpers.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{json, Value};

use crate::box_office::must;
use crate::kiosk_isolation::wait_enrolled;
use crate::online::{server_binary, server_cli, Server, DESK_NOW};
use crate::webdriver::Session;
use crate::{target_dir, Rig, STEP_BUDGET};

/// WebDriver's key codes.
pub(crate) const ENTER: &str = "\u{E007}";
pub(crate) const TAB: &str = "\u{E004}";
pub(crate) const BACKSPACE: &str = "\u{E003}";

/// A kiosk on the real server.
pub(crate) struct KioskRig {
    /// The window (dropped before the server).
    pub(crate) rig: Rig,
    pub(crate) server: Server,
    pub(crate) server_db: PathBuf,
    /// DEMO-0001's signed account card (what its confirmation email's QR holds).
    pub(crate) card: String,
    pub(crate) print_dir: PathBuf,
    pub(crate) ledger: PathBuf,
    pub(crate) desk_db: PathBuf,
}

impl KioskRig {
    /// A demo server, a kiosk enrolment code and a kiosk window started with `extra`
    /// environment (the terminal's script, the idle timings).
    pub(crate) fn start(run: &str, extra: &[(&str, String)]) -> KioskRig {
        let bin = server_binary();
        let dir = target_dir().join("e2e-servers").join(run);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("e2e: server directory");
        let db = dir.join("server.sqlite");
        let d = db.to_str().expect("UTF-8 path");
        server_cli(&bin, &["seed-demo", "--db", d]);
        let code = server_cli(&bin, &["enrol", "--db", d, "--kind", "kiosk"]);
        let card = server_cli(&bin, &["account-card", "--db", d, "DEMO-0001"]);
        assert!(
            card.starts_with("P24-ACCOUNT:DEMO-0001:"),
            "e2e: the server prints DEMO-0001's signed card: {card}"
        );
        let logs = target_dir().join("e2e-logs");
        std::fs::create_dir_all(&logs).expect("e2e: logs");
        let server = Server::start(
            &bin,
            &db,
            "127.0.0.1:0",
            &logs.join(format!("{run}-server.log")),
        );
        let desk_dir = target_dir().join("e2e-desks").join(run);
        let print_dir = desk_dir.join("printed");
        let ledger = desk_dir.join("terminal.jsonl");
        let mut env = vec![
            ("GUICHET_DEMO", "1".to_string()),
            ("GUICHET_NOW", DESK_NOW.into()),
            ("GUICHET_LANG", "en".into()),
            ("GUICHET_SERVER_URL", server.base.clone()),
            ("GUICHET_ENROL_CODE", code),
            ("GUICHET_DESK_NAME", format!("E2E kiosk {run}")),
            ("GUICHET_KIOSK_PRINT_DIR", print_dir.display().to_string()),
            ("GUICHET_TERMINAL_LEDGER", ledger.display().to_string()),
            ("GUICHET_KIOSK_WINDOWED", "1".into()),
        ];
        env.extend(extra.iter().cloned());
        let rig = Rig::start(run, "kiosk", &env);
        KioskRig {
            rig,
            server,
            server_db: db,
            card,
            print_dir,
            ledger,
            desk_db: desk_dir.join("desk.sqlite"),
        }
    }

    /// Opens the kiosk window and waits until it shows its title and is in service.
    pub(crate) fn open_in_service(&self) -> Session<'_> {
        let s = self.rig.open_app();
        s.wait_for_text(
            "[data-testid=kiosk-title]",
            "Guichet — Kiosk",
            crate::LAUNCH_BUDGET,
        );
        self.wait_in_service(&s);
        s
    }

    /// Waits until the kiosk has enrolled and its checks pass (the attract screen, not the
    /// out-of-order one).
    pub(crate) fn wait_in_service(&self, s: &Session<'_>) {
        let t = std::time::Instant::now();
        wait_enrolled(&self.desk_db);
        eprintln!("e2e: kiosk enrolled after {} ms", t.elapsed().as_millis());
        // The demo kiosk borrows an allotment right after enrolling, session by session: the
        // server's availability is measured once it stops growing.
        let left = || {
            guichet_store::rusqlite::Connection::open_with_flags(
                &self.desk_db,
                guichet_store::rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
            )
            .ok()
            .and_then(|c| guichet_store::stock::allotment_left(&c).ok())
            .unwrap_or(0)
        };
        let mut last = u64::MAX;
        s.wait_for("the demo allotment", Duration::from_secs(60), |_| {
            let now = left();
            let settled = now > 0 && now == last;
            last = now;
            std::thread::sleep(Duration::from_millis(700));
            Ok(settled.then_some(()))
        });
        s.wait_for("the kiosk to be in service", Duration::from_secs(60), |s| {
            let screen = s.execute(
                "const k = document.querySelector('[data-testid=kiosk]'); return k && k.dataset.screen;",
                json!([]),
            )?;
            Ok((screen == json!("attract")).then_some(()))
        });
        eprintln!("e2e: kiosk in service after {} ms", t.elapsed().as_millis());
    }

    /// A staff device's token (a box-office enrolment), for the gate lists.
    pub(crate) fn staff_token(&self) -> String {
        let bin = server_binary();
        let code = server_cli(
            &bin,
            &[
                "enrol",
                "--db",
                self.server_db.to_str().expect("UTF-8"),
                "--kind",
                "box-office",
            ],
        );
        let key = guichet_tickets::DeviceKey::from_seed([42; 32]).public_entry("gate");
        let v: Value = ureq::post(format!("{}/v1/devices/enrol", self.server.base))
            .send_json(json!({"code": code, "name": "e2e gate", "public_key_hex": key.public_key}))
            .expect("e2e: the box-office enrolment")
            .body_mut()
            .read_json()
            .expect("e2e: an enrolment answer");
        v["token"].as_str().expect("e2e: a token").to_string()
    }

    /// The server's availability of one offer (asked with `token`).
    pub(crate) fn available(&self, token: &str, session: &str, category: &str) -> i64 {
        let v: Value = ureq::get(format!(
            "{}/v1/availability?session={session}",
            self.server.base
        ))
        .header("authorization", format!("Bearer {token}"))
        .call()
        .expect("e2e: the availability")
        .body_mut()
        .read_json()
        .expect("e2e: availability JSON");
        v.as_array()
            .into_iter()
            .flatten()
            .find(|o| o["session"] == session && o["category"] == category)
            .and_then(|o| o["available"].as_i64())
            .unwrap_or_else(|| panic!("e2e: no availability for {session} {category} in {v}"))
    }

    /// The terminal simulator's ledger: `(event, amount cents)` per line.
    pub(crate) fn ledger(&self) -> Vec<(String, i64)> {
        guichet_kiosk::read_ledger(&self.ledger)
            .expect("e2e: the terminal ledger reads")
            .into_iter()
            .map(|l| (l.event, l.amount_cents))
            .collect()
    }

    /// What the kiosk printed.
    pub(crate) fn printed(&self) -> Vec<guichet_kiosk::PrintedLine> {
        guichet_kiosk::FileSinkPrinter::printed(&self.print_dir)
    }
}

/// The cheapest category of a session (the catalogue lists it last).
pub(crate) fn cheapest(code: &str) -> String {
    let cat = guichet_domain::Catalogue::paris2024();
    let s = cat
        .session(&guichet_domain::SessionCode::parse(code).expect("a session code"))
        .unwrap_or_else(|| panic!("{code} is in the catalogue"));
    s.offers
        .iter()
        .rev()
        .find(|o| !matches!(o.category.to_string().as_str(), "WCH" | "CMP"))
        .expect("a seated category")
        .category
        .to_string()
}

/// The `data-testid` of what has the focus.
pub(crate) fn focused(s: &Session<'_>) -> Value {
    must(s.execute(
        "return document.activeElement && document.activeElement.dataset.testid || null;",
        json!([]),
    ))
}

/// Keys typed by a person (into whatever has the focus), counted.
pub(crate) struct Keys<'a> {
    pub(crate) s: &'a Session<'a>,
    pub(crate) pressed: usize,
}

impl Keys<'_> {
    pub(crate) fn press(&mut self, keys: &str) {
        if keys.is_empty() {
            return;
        }
        let target = must(self.s.active_element());
        must(self.s.type_text(&target, keys));
        self.pressed += keys.chars().count();
    }

    /// Waits until `testid` has the focus.
    pub(crate) fn wait_focus(&self, testid: &str) {
        self.s
            .wait_for(&format!("{testid} to have the focus"), STEP_BUDGET, |s| {
                Ok((focused(s) == json!(testid)).then_some(()))
            });
    }

    /// Presses Tab until `testid` has the focus (at most `max` times).
    pub(crate) fn tab_to(&mut self, testid: &str, max: usize) {
        for _ in 0..max {
            if focused(self.s) == json!(testid) {
                return;
            }
            must(self.s.execute(
                "window.e2eFocusBefore = document.activeElement; return null;",
                json!([]),
            ));
            self.press(TAB);
            // WebKit may move the focus after WebDriver has answered the key press: wait for
            // it to move before the next look, or a busy machine passes `testid` unseen.
            self.s
                .wait_for("the focus to move after Tab", STEP_BUDGET, |s| {
                    let moved = s.execute(
                        "return document.activeElement !== window.e2eFocusBefore;",
                        json!([]),
                    )?;
                    Ok((moved == json!(true)).then_some(()))
                });
        }
        assert_eq!(
            focused(self.s),
            json!(testid),
            "e2e: {max} Tabs reach {testid}"
        );
    }
}

/// Renders the printed PDF's pages and decodes their QR codes.
pub(crate) fn printed_qrs(dir: &Path, file: &str) -> Vec<String> {
    crate::box_office::qr_texts(&dir.join(file))
}
