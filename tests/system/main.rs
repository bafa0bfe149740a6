//! Whole-system tests: the real server binary as a process on 127.0.0.1 with a temporary
//! database, driven over HTTP the way desks drive it; killed and restarted.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

mod backend;
mod caps;
mod cards;
mod console_browser;
mod draw_registration;
mod faults;
mod first_pull;
mod help;
mod kiosk_state;
mod kiosk_supervisors;
mod monitoring;
mod proxy;
mod race;
mod replica_faults;
mod restore;
mod revoke;
mod rig;
mod two_desks;
mod unrecorded;
mod webdriver;

const BIN: &str = env!("CARGO_BIN_EXE_guichet-server-sut");
/// The server's clock: the general sale, 10 Jan 2024 10:00 Paris time.
const NOW: &str = "2024-01-10T10:00:00";

/// A server process; killed when dropped.
struct ServerProcess {
    child: Child,
    base: String,
}

impl ServerProcess {
    fn start(db: impl AsRef<OsStr>) -> ServerProcess {
        ServerProcess::start_at(db, "127.0.0.1:0", NOW)
    }

    /// Starts on `listen` (the same port again after a kill, so desks find it) with the
    /// server's clock running from `now` (Paris time).
    fn start_at(db: impl AsRef<OsStr>, listen: &str, now: &str) -> ServerProcess {
        ServerProcess::start_with(db, listen, now, &[])
    }

    /// As [`ServerProcess::start_at`], with more `serve` options.
    fn start_with(db: impl AsRef<OsStr>, listen: &str, now: &str, more: &[&str]) -> ServerProcess {
        let mut child = Command::new(BIN)
            .args(["serve", "--db"])
            .arg(db.as_ref())
            .args(["--listen", listen, "--now", now])
            .args(more)
            .envs(backend::card_key_dir(db.as_ref()).map(|d| ("GUICHET_SERVER_CARD_KEY_DIR", d)))
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the server binary starts");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let deadline = Instant::now() + Duration::from_secs(60);
        let base = loop {
            assert!(
                Instant::now() < deadline,
                "the server did not say where it listens within 60 s"
            );
            match lines.next() {
                Some(Ok(l)) if l.starts_with("listening on ") => {
                    break l["listening on ".len()..].to_string()
                }
                Some(Ok(_)) => continue,
                _ => panic!("the server exited before listening"),
            }
        };
        ServerProcess { child, base }
    }

    fn kill(mut self) {
        self.child.kill().unwrap(); // SIGKILL: no chance to tidy up
        self.child.wait().unwrap();
    }

    fn terminate(mut self) -> std::process::ExitStatus {
        Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                return st;
            }
            assert!(
                Instant::now() < deadline,
                "the server did not stop on SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn cli(db: impl AsRef<OsStr>, args: &[&str]) -> String {
    let out = Command::new(BIN)
        .args(args)
        .arg("--db")
        .arg(db.as_ref())
        .envs(backend::card_key_dir(db.as_ref()).map(|d| ("GUICHET_SERVER_CARD_KEY_DIR", d)))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

struct Desk {
    http: reqwest::blocking::Client,
    token: String,
}

impl Desk {
    fn post(&self, base: &str, path: &str, body: Value) -> (u16, Value) {
        let r = self
            .http
            .post(format!("{base}{path}"))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .unwrap();
        (r.status().as_u16(), r.json().unwrap_or(Value::Null))
    }
    fn get(&self, base: &str, path: &str) -> Value {
        self.http
            .get(format!("{base}{path}"))
            .bearer_auth(&self.token)
            .send()
            .unwrap()
            .json()
            .unwrap()
    }
}

fn enrol(base: &str, db: impl AsRef<OsStr>, key_byte: &str) -> Desk {
    let code = cli(db, &["enrol", "--kind", "box-office"]);
    let http = reqwest::blocking::Client::new();
    let v: Value = http
        .post(format!("{base}/v1/devices/enrol"))
        .json(&json!({"code": code, "name": "Desk", "public_key_hex": key_byte.repeat(32)}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    Desk {
        http,
        token: v["token"].as_str().expect("enrolled").to_string(),
    }
}

fn offer(desk: &Desk, base: &str, session: &str, cat: &str) -> Value {
    let v = desk.get(base, &format!("/v1/availability?session={session}"));
    v.as_array()
        .unwrap()
        .iter()
        .find(|x| x["category"] == cat)
        .unwrap()
        .clone()
}

fn sale_event(account: &str, session: &str, n: usize) -> Value {
    let tickets: Vec<Value> = (0..n)
        .map(|_| json!({"id": uuid::Uuid::now_v7().to_string(), "session": session, "category": "C", "price": 3500}))
        .collect();
    json!({"idempotency_key": uuid::Uuid::now_v7().to_string(), "kind": "sale", "created_at": "2024-01-10T09:30:00Z", "offline": true,
           "payload": {"order_id": uuid::Uuid::now_v7().to_string(), "account_id": account, "kind": "single",
                       "phase": "general-sale", "sold_at": "2024-01-10T09:30:00Z", "offline": true, "tickets": tickets}})
}

fn temp_db() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.sqlite");
    (dir, db)
}

#[test]
fn two_desks_sell_online_and_offline_and_the_server_survives_a_kill() {
    let (_dir, db) = temp_db();
    let server = ServerProcess::start(&db);
    let base = server.base.clone();
    let (a, b) = (enrol(&base, &db, "a1"), enrol(&base, &db, "b2"));
    for (desk, id) in [(&a, "SYS-A-1"), (&b, "SYS-B-1")] {
        let (st, v) = desk.post(
            &base,
            "/v1/accounts",
            json!({"id": id, "name": "Fan", "email": format!("{id}@example.org"), "country": "FR"}),
        );
        assert_eq!(st, 201, "{v}");
    }
    // Desk A sells 3 online; desk B borrows 10 seats to sell offline.
    let (st, v) = a.post(
        &base,
        "/v1/orders",
        json!({"idempotency_key": uuid::Uuid::now_v7().to_string(), "account_id": "SYS-A-1",
        "kind": "single", "lines": [{"session": "FBL03", "category": "C", "quantity": 3}]}),
    );
    assert_eq!(st, 201, "{v}");
    let (st, v) = b.post(
        &base,
        "/v1/allotments",
        json!({"session": "FBL03", "category": "C", "quantity": 10}),
    );
    assert_eq!((st, v["outstanding"].clone()), (200, json!(10)), "{v}");
    let before = offer(&a, &base, "FBL03", "C");
    assert_eq!(
        (before["sold"].clone(), before["lent"].clone()),
        (json!(3), json!(10))
    );

    // The server dies without warning; desk B keeps selling from its escrow meanwhile.
    server.kill();
    let offline_sales = vec![
        sale_event("SYS-B-1", "FBL03", 4),
        sale_event("SYS-B-1", "FBL03", 2),
    ];

    // Back up: everything committed before the kill is there; B's sales push once, only once.
    let server = ServerProcess::start(&db);
    let base = server.base.clone();
    let after = offer(&a, &base, "FBL03", "C");
    assert_eq!(
        (after["sold"].clone(), after["lent"].clone()),
        (json!(3), json!(10)),
        "nothing lost in the kill"
    );
    let (st, v) = b.post(&base, "/v1/sync/push", json!({"events": offline_sales}));
    assert_eq!(st, 200, "{v}");
    assert!(
        v["acks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["status"] == "applied"),
        "{v}"
    );
    let (_, again) = b.post(&base, "/v1/sync/push", json!({"events": offline_sales}));
    assert!(
        again["acks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["status"] == "duplicate"),
        "{again}"
    );
    let end = offer(&a, &base, "FBL03", "C");
    // Server's count = A's 3 online + B's 6 offline; B still holds 4 seats of its escrow.
    assert_eq!(
        (end["sold"].clone(), end["lent"].clone()),
        (json!(9), json!(4))
    );
    let status = server.terminate();
    assert!(
        status.success(),
        "SIGTERM stops the server cleanly: {status}"
    );
}

#[test]
fn a_database_from_a_newer_server_is_refused_with_a_clear_message() {
    let (_dir, db) = temp_db();
    cli(&db, &["import"]);
    let set = Command::new("sqlite3")
        .arg(&db)
        .arg("PRAGMA user_version = 99")
        .status();
    assert!(
        set.is_ok_and(|s| s.success()),
        "this test needs the sqlite3 shell (apt-get install sqlite3)"
    );
    let out = Command::new(BIN)
        .args(["import", "--db", db.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("schema version 99, newer than this server's"),
        "{err}"
    );
}
