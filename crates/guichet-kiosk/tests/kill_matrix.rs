//! The kill matrix: a real `guichet-server` on 127.0.0.1 (temporary SQLite, Paris 2024
//! catalogue, holds of 2 s), and the `guichet-kiosk-sale` binary killed with SIGKILL at each
//! of intent / authorised / printed / captured, at least 50 times per step, then run again in
//! `reconcile` mode. Half the kills land exactly on the step (the binary waits there), half
//! land a moment after it, inside the next external call. Then the terminal simulator's
//! ledger, the server's orders and the printed tickets are compared.
//!
//! `GUICHET_KILLS_PER_STEP` overrides the 50.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use guichet_kiosk::{read_ledger, FileSinkPrinter};
use serde_json::{json, Value};

const KIOSK: &str = env!("CARGO_BIN_EXE_guichet-kiosk-sale");
const STEPS: [&str; 4] = ["intent", "authorised", "printed", "captured"];
const HOLD_SECONDS: u64 = 2;

/// The server binary beside this package's binaries, built if needed (the kiosk crate does
/// not depend on the server: it must not pull axum in).
fn server_binary() -> PathBuf {
    let dir = Path::new(KIOSK).parent().unwrap().to_path_buf();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args([
            "build",
            "-q",
            "-p",
            "guichet-server",
            "--bin",
            "guichet-server",
        ])
        .status()
        .unwrap();
    assert!(
        status.success(),
        "building guichet-server for the kill matrix failed"
    );
    dir.join("guichet-server")
}

struct Server {
    child: Child,
    base: String,
    db: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn cli(bin: &Path, args: &[&str]) -> String {
    let out = Command::new(bin).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn start_server(dir: &Path) -> Server {
    let bin = server_binary();
    let db = dir.join("server.sqlite");
    let d = db.to_str().unwrap();
    cli(&bin, &["seed-demo", "--db", d]);
    let mut child = Command::new(&bin)
        .args([
            "serve",
            "--db",
            d,
            "--listen",
            "127.0.0.1:0",
            "--now",
            "2024-01-10T10:00:00",
        ])
        .args(["--hold-seconds", &HOLD_SECONDS.to_string()])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("the server said {line:?}"))
        .to_string();
    Server { child, base, db }
}

fn enrol(server: &Server, http: &reqwest::blocking::Client, kind: &str, seed: u8) -> String {
    let bin = server_binary();
    let code = cli(
        &bin,
        &["enrol", "--db", server.db.to_str().unwrap(), "--kind", kind],
    );
    let key = guichet_desk::DeviceKey::from_seed([seed; 32])
        .public_entry(kind)
        .public_key;
    let v: Value = http
        .post(format!("{}/v1/devices/enrol", server.base))
        .json(&json!({"code": code, "name": format!("{kind} {seed}"), "public_key_hex": key}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    v["token"]
        .as_str()
        .unwrap_or_else(|| panic!("enrol: {v}"))
        .to_string()
}

struct Rig {
    dir: PathBuf,
    base: String,
    token: String,
}

impl Rig {
    fn kiosk(&self) -> Command {
        let mut c = Command::new(KIOSK);
        c.arg("--store")
            .arg(self.dir.join("kiosk.sqlite"))
            .arg("--terminal-ledger")
            .arg(self.dir.join("terminal.jsonl"))
            .arg("--print-dir")
            .arg(self.dir.join("printed"))
            .args(["--server", &self.base])
            .env("GUICHET_KIOSK_TOKEN", &self.token);
        c
    }

    /// One sale killed at `step` (exactly there, or `late` a moment after); true if the kill
    /// came before the sale finished by itself.
    fn killed_sale(&self, account: &str, step: &str, late: bool) -> bool {
        let mut c = self.kiosk();
        c.args([
            "sell",
            "--account",
            account,
            "--session",
            "ATH07",
            "--quantity",
            "2",
        ]);
        if !late {
            c.args(["--stop-at", step]);
        }
        let mut child = c
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let out = BufReader::new(child.stdout.take().unwrap());
        let mut reached = false;
        for line in out.lines() {
            let Ok(line) = line else { break };
            if line.starts_with(&format!("step {step} ")) {
                reached = true;
                break;
            }
        }
        assert!(reached, "the sale for {account} never reached {step}");
        if late {
            // Somewhere inside the next step's external call.
            let spin = Instant::now();
            let wait =
                Duration::from_micros(u64::from(account.as_bytes()[account.len() - 1] % 8) * 400);
            while spin.elapsed() < wait {}
        }
        let finished = matches!(child.try_wait(), Ok(Some(_)));
        let _ = child.kill();
        let _ = child.wait();
        !finished
    }

    fn reconcile(&self) {
        let out = self.kiosk().arg("reconcile").output().unwrap();
        assert!(
            out.status.success(),
            "reconcile left an intent open: {} {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

fn accounts(http: &reqwest::blocking::Client, base: &str, token: &str, n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let id = format!("KILL-{i:04}");
            let r = http
                .post(format!("{base}/v1/accounts"))
                .bearer_auth(token)
                .json(&json!({"id": id, "name": format!("Fan {i}"), "email": format!("{id}@example.org"), "country": "FR"}))
                .send()
                .unwrap();
            assert!(r.status().is_success(), "account {id}: {}", r.text().unwrap_or_default());
            id
        })
        .collect()
}

#[test]
fn killed_at_every_payment_step_nobody_is_charged_without_tickets_nor_holds_tickets_unpaid() {
    let started = Instant::now();
    let per_step: usize = std::env::var("GUICHET_KILLS_PER_STEP")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    let tmp = tempfile::tempdir().unwrap();
    let server = start_server(tmp.path());
    let http = reqwest::blocking::Client::builder()
        .no_proxy()
        .build()
        .unwrap();
    let desk_token = enrol(&server, &http, "box-office", 3);
    let kiosk_token = enrol(&server, &http, "kiosk", 7);
    let fans = accounts(&http, &server.base, &desk_token, per_step * STEPS.len());
    let rig = Rig {
        dir: tmp.path().to_path_buf(),
        base: server.base.clone(),
        token: kiosk_token,
    };
    let mut kills: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut n = 0;
    for step in STEPS {
        for k in 0..per_step {
            let late = k % 2 == 1;
            let killed = rig.killed_sale(&fans[n], step, late);
            let e = kills.entry(step).or_default();
            if killed {
                e.0 += 1;
            } else {
                e.1 += 1;
            }
            rig.reconcile();
            n += 1;
        }
    }
    // Every hold has had its time; the server's sweep runs each second.
    std::thread::sleep(Duration::from_millis(HOLD_SECONDS * 1000 + 1500));

    let ledger = read_ledger(&tmp.path().join("terminal.jsonl")).unwrap();
    let mut captures: BTreeMap<&str, usize> = BTreeMap::new();
    let mut authorised: BTreeSet<&str> = BTreeSet::new();
    let mut reversed: BTreeSet<&str> = BTreeSet::new();
    for l in &ledger {
        match l.event.as_str() {
            "captured" => *captures.entry(&l.request_id).or_default() += 1,
            "authorised" => {
                authorised.insert(&l.request_id);
            }
            "reversed" => {
                reversed.insert(&l.request_id);
            }
            _ => {}
        }
    }
    let db = rusqlite::Connection::open_with_flags(
        &server.db,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    // The kiosk's orders at the server: key → valid ticket ids.
    let mut orders: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    {
        let mut st = db
            .prepare(
                "SELECT o.idempotency_key, t.id FROM orders o JOIN tickets t ON t.order_id = o.id
                 JOIN devices d ON d.id = o.device_id WHERE d.kind = 'kiosk' AND t.status = 'valid'",
            )
            .unwrap();
        let rows = st
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .unwrap();
        for r in rows {
            let (k, t) = r.unwrap();
            orders.entry(k).or_default().insert(t);
        }
    }
    let printed = FileSinkPrinter::printed(&tmp.path().join("printed"));
    let mut printed_by: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for p in &printed {
        printed_by
            .entry(p.request_id.clone())
            .or_default()
            .extend(p.ticket_ids.iter().cloned());
    }
    let charged: BTreeSet<&str> = captures.keys().copied().collect();
    let double_captures = captures.values().filter(|n| **n > 1).count();
    let charged_without_tickets = charged
        .iter()
        .filter(|r| {
            let sold = orders.get(**r);
            sold.is_none() || printed_by.get(**r).is_none_or(|p| Some(p) != sold)
        })
        .count();
    let server_unpaid = orders
        .keys()
        .filter(|k| !charged.contains(k.as_str()))
        .count();
    let printed_unpaid = printed_by
        .keys()
        .filter(|r| !charged.contains(r.as_str()))
        .count();
    let authorised_left = authorised
        .iter()
        .filter(|r| !charged.contains(*r) && !reversed.contains(*r))
        .count();
    let live_holds: i64 = db
        .query_row("SELECT count(*) FROM holds WHERE state = 'live'", [], |r| {
            r.get(0)
        })
        .unwrap();
    let held_seats: i64 = db
        .query_row("SELECT COALESCE(SUM(held), 0) FROM offers", [], |r| {
            r.get(0)
        })
        .unwrap();
    let reprints = printed.len() - printed_by.len();
    println!(
        "kill matrix: {} sales in {:.1} s; kills per step (landed, sale already done) {kills:?}",
        n,
        started.elapsed().as_secs_f64()
    );
    println!(
        "charged {} · server orders {} · printed jobs {} ({} reprints after a kill) · authorised {} · reversed {}",
        charged.len(),
        orders.len(),
        printed.len(),
        reprints,
        authorised.len(),
        reversed.len()
    );
    println!(
        "charged without tickets {charged_without_tickets} · server orders unpaid {server_unpaid} · printed unpaid {printed_unpaid} · double captures {double_captures} · authorisations left open {authorised_left} · live holds {live_holds} · seats held {held_seats}"
    );
    assert_eq!(
        charged_without_tickets, 0,
        "every capture has its server order and exactly its tickets printed"
    );
    assert_eq!(
        server_unpaid, 0,
        "every order the kiosk made at the server was paid"
    );
    assert_eq!(
        printed_unpaid, 0,
        "no ticket printed for a payment not captured"
    );
    assert_eq!(double_captures, 0, "a request is captured once at most");
    assert_eq!(
        authorised_left, 0,
        "no authorisation is left neither captured nor reversed"
    );
    assert_eq!(
        (live_holds, held_seats),
        (0, 0),
        "no hold outlives its expiry"
    );
    for step in STEPS {
        let (landed, _) = kills[step];
        assert!(
            landed >= per_step / 2,
            "at least the exact kills at {step} landed: {kills:?}"
        );
    }
    assert!(
        charged.len() >= per_step,
        "sales killed after authorising were completed by reconciliation: {} charged",
        charged.len()
    );
}

#[test]
fn a_sale_that_is_not_paid_gives_its_seats_back_at_once_and_a_print_failure_reverses_the_card() {
    let tmp = tempfile::tempdir().unwrap();
    let server = start_server(tmp.path());
    let http = reqwest::blocking::Client::builder()
        .no_proxy()
        .build()
        .unwrap();
    let desk_token = enrol(&server, &http, "box-office", 3);
    let rig = Rig {
        dir: tmp.path().to_path_buf(),
        base: server.base.clone(),
        token: enrol(&server, &http, "kiosk", 7),
    };
    let fans = accounts(&http, &server.base, &desk_token, 8);
    let db = rusqlite::Connection::open_with_flags(
        &server.db,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    let held = || -> i64 {
        db.query_row("SELECT COALESCE(SUM(held), 0) FROM offers", [], |r| {
            r.get(0)
        })
        .unwrap()
    };
    let sell = |fan: &str, script: &str, extra: &[&str]| -> Value {
        let out = rig
            .kiosk()
            .args(extra)
            .args([
                "sell",
                "--account",
                fan,
                "--session",
                "ATH07",
                "--quantity",
                "2",
                "--script",
                script,
            ])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        let line = text
            .lines()
            .find_map(|l| l.strip_prefix("outcome "))
            .unwrap_or_else(|| panic!("{script}: {text} {}", String::from_utf8_lossy(&out.stderr)));
        serde_json::from_str(line).unwrap()
    };
    for (fan, script, outcome) in [
        (&fans[0], "decline", "declined"),
        (&fans[1], "cancel", "cancelled"),
        (&fans[2], "timeout", "cancelled"),
        (&fans[3], "power-loss", "cancelled"),
    ] {
        let v = sell(fan, script, &[]);
        assert_eq!(v["outcome"], outcome, "{script}: {v}");
        // Well before the 2 s expiry: the kiosk released the hold itself.
        assert_eq!(
            held(),
            0,
            "{script}: the seats are given back at once, not at expiry"
        );
    }
    for (fan, script) in [(&fans[4], "power-loss-after"), (&fans[5], "disconnect:300")] {
        let v = sell(fan, script, &[]);
        assert_eq!(
            v["outcome"], "sold",
            "{script}: the terminal's status or late answer says authorised: {v}"
        );
        assert_eq!(v["captured"], true, "{v}");
    }
    let v = sell(&fans[6], "approve", &["--printer-out-of-paper"]);
    assert_eq!(v["outcome"], "reversed", "no tickets, so no charge: {v}");
    let request = v["request_id"].as_str().unwrap();
    let ledger = read_ledger(&tmp.path().join("terminal.jsonl")).unwrap();
    let events: Vec<&str> = ledger
        .iter()
        .filter(|l| l.request_id == request)
        .map(|l| l.event.as_str())
        .collect();
    assert_eq!(
        events,
        ["authorised", "reversed"],
        "authorised, then reversed, never captured"
    );
    let valid: i64 = db
        .query_row(
            "SELECT count(*) FROM tickets t JOIN orders o ON o.id = t.order_id WHERE o.idempotency_key = ?1 AND t.status = 'valid'",
            [request],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        valid, 0,
        "the server's order for the unprinted tickets is voided"
    );
    assert_eq!(held(), 0, "and its seats are free again");
}
