//! A kiosk reports its state to the real server process: with its CUPS queue paused (what CUPS
//! does when the paper runs out) it reports out of order with `OOO-PRINTER`, the staff's list
//! shows it with "last seen", another device cannot overwrite it, a kiosk's token is refused
//! the list; and a server that hangs neither blocks nor slows the checks, and gets the state
//! it missed when it is back.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use guichet_desk::sync::Timeouts;
use guichet_desk::{DeviceKey, FixedClock, Layout};
use guichet_domain::{Catalogue, SaleConfig};
use guichet_kiosk::{
    CupsPrinter, FileSinkPrinter, Kiosk, KioskParts, ReportPolicy, SimulatedTerminal, TicketPrinter,
};
use serde_json::{json, Value};

use super::{cli, enrol, temp_db, ServerProcess, NOW};

/// A CUPS queue of this test's own (raw, to /dev/null), paused; removed when dropped.
struct PausedQueue(String);

impl PausedQueue {
    fn new() -> PausedQueue {
        let running = Command::new("lpstat").arg("-r").output();
        let says = running
            .as_ref()
            .map(|o| String::from_utf8_lossy(&o.stdout).to_string())
            .unwrap_or_default();
        assert!(
            says.contains("scheduler is running"),
            "this test pauses a CUPS queue of its own: start cupsd (cargo xtask test does; apt-get install cups cups-client), lpstat -r said {says:?}"
        );
        let name = format!("GUICHET-KSTATE-{}", std::process::id());
        for (tool, args) in [
            ("lpadmin", vec!["-p", &name, "-E", "-v", "file:///dev/null"]),
            ("cupsdisable", vec![name.as_str()]),
        ] {
            let out = Command::new(tool).args(&args).output().unwrap();
            assert!(
                out.status.success(),
                "{tool} {args:?} sets up the test's queue: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        PausedQueue(name)
    }
}

impl Drop for PausedQueue {
    fn drop(&mut self) {
        let _ = Command::new("lpadmin").args(["-x", &self.0]).output();
    }
}

/// Enrols a kiosk with the server process: its token and device id.
fn enrol_kiosk(base: &str, db: &Path) -> (String, String) {
    let code = cli(db, &["enrol", "--kind", "kiosk"]);
    let key = DeviceKey::from_seed([7; 32])
        .public_entry("kiosk")
        .public_key;
    let v: Value = reqwest::blocking::Client::new()
        .post(format!("{base}/v1/devices/enrol"))
        .json(&json!({"code": code, "name": "Borne 1", "public_key_hex": key}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    (
        v["token"].as_str().expect("kiosk enrolled").to_string(),
        v["device_id"].as_str().unwrap().to_string(),
    )
}

fn kiosk(dir: &Path, printer: Box<dyn TicketPrinter>) -> Kiosk {
    let at = format!("{NOW}[Europe/Paris]")
        .parse::<jiff::Zoned>()
        .unwrap();
    let parts = KioskParts {
        clock: Box::new(FixedClock::at(at.timestamp())),
        signer: Box::new(DeviceKey::from_seed([7; 32])),
        terminal: Box::new(SimulatedTerminal::new(dir.join("terminal.jsonl"))),
        printer,
        catalogue: Catalogue::paris2024(),
        config: SaleConfig::paris2024(),
        layout: Layout::Thermal,
    };
    let mut k = Kiosk::open(dir.join("kiosk.sqlite"), parts).expect("the kiosk store opens");
    k.set_report_policy(ReportPolicy {
        every: Duration::from_secs(60),
        retry: Duration::from_millis(200),
        timeouts: Timeouts {
            connect: Duration::from_millis(500),
            request: Duration::from_secs(3),
        },
    });
    k
}

/// Waits until the kiosk's reporter has the server's acknowledgement (its thread reads the
/// answer a moment after the server stored the state).
fn wait_acknowledged(k: &Kiosk) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while k.reporter().and_then(|r| r.acknowledged()).is_none() {
        assert!(
            Instant::now() < deadline,
            "the reporter got no acknowledgement within 20 s"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The staff's list as the box office `token` reads it: (status, body).
fn devices(base: &str, token: &str) -> (u16, Value) {
    let r = reqwest::blocking::Client::new()
        .get(format!("{base}/v1/devices"))
        .bearer_auth(token)
        .send()
        .unwrap();
    (r.status().as_u16(), r.json().unwrap_or(Value::Null))
}

/// Polls the list until `device`'s state has `codes` (the reporter sends on its own thread).
fn wait_listed(base: &str, token: &str, device: &str, codes: Value) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (_, list) = devices(base, token);
        let found = list
            .as_array()
            .and_then(|l| l.iter().find(|d| d["device_id"] == device).cloned());
        if let Some(d) = found.filter(|d| d["state"]["codes"] == codes) {
            return d;
        }
        assert!(
            Instant::now() < deadline,
            "the kiosk's state {codes} did not reach the staff's list within 20 s: {list}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_kiosk_with_a_paused_cups_queue_reports_out_of_order_and_only_staff_see_it() {
    let queue = PausedQueue::new();
    let (dir, db) = temp_db();
    let server = ServerProcess::start(&db);
    let base = server.base.clone();
    let desk = enrol(&base, &db, "d1");
    let (token, kiosk_id) = enrol_kiosk(&base, &db);
    let printer = CupsPrinter {
        queue: queue.0.clone(),
        spool_dir: dir.path().join("spool"),
        layout: Layout::Thermal,
    };
    let mut k = kiosk(dir.path(), Box::new(printer));
    k.connect(&base, &token).unwrap();
    let st = k.status(false, "9.9.9", Instant::now()).unwrap();
    let codes: Vec<_> = st.problems.iter().map(|p| p.code()).collect();
    assert_eq!(
        codes,
        ["OOO-PRINTER"],
        "the paused queue is the one failing check"
    );
    let listed = wait_listed(&base, &desk.token, &kiosk_id, json!(["OOO-PRINTER"]));
    let state = &listed["state"];
    assert_eq!(state["in_service"], false, "out of order: {listed}");
    assert_eq!(state["printer"]["ready"], false, "{listed}");
    assert!(
        state["printer"]["detail"]
            .as_str()
            .unwrap()
            .contains("paused"),
        "staff read why: {listed}"
    );
    assert_eq!(
        state["terminal"]["ready"], true,
        "the terminal answers: {listed}"
    );
    assert_eq!(state["app_version"], "9.9.9", "{listed}");
    assert!(listed["last_seen"].is_string(), "last seen: {listed}");
    wait_acknowledged(&k);
    let again = k.status(false, "9.9.9", Instant::now()).unwrap();
    assert!(
        again.reported,
        "the server acknowledged this very state, so the kiosk says it is reported"
    );

    // The box office names the kiosk: refused, and the kiosk's state is unchanged.
    let forged = json!({"codes": [], "printer": {"ready": true, "detail": "ready"},
        "terminal": {"ready": true, "detail": "ready"}, "app_version": "0",
        "observed_at": "2030-01-01T00:00:00Z", "device_id": kiosk_id});
    let r = desk
        .http
        .put(format!("{base}/v1/devices/self/state"))
        .bearer_auth(&desk.token)
        .json(&forged)
        .send()
        .unwrap();
    assert_eq!(
        r.status().as_u16(),
        403,
        "another device cannot write the kiosk's state"
    );
    let v: Value = r.json().unwrap();
    assert_eq!(v["details"]["rule"], "own_device_only", "{v}");
    wait_listed(&base, &desk.token, &kiosk_id, json!(["OOO-PRINTER"]));

    let (st, v) = devices(&base, &token);
    assert_eq!(st, 403, "a kiosk's token never reads every device: {v}");
    assert_eq!(v["code"], "STAFF_ONLY", "{v}");

    // Paper refilled (cupsenable + cupsaccept): back in service, and the list says so.
    k.resume_printer().expect("the queue is enabled again");
    let st = k.status(false, "9.9.9", Instant::now()).unwrap();
    assert!(st.problems.is_empty(), "in service: {:?}", st.problems);
    let listed = wait_listed(&base, &desk.token, &kiosk_id, json!([]));
    assert_eq!(listed["state"]["in_service"], true, "{listed}");
    // Staff take it out of service from the maintenance screen: that is reported too.
    k.status(true, "9.9.9", Instant::now()).unwrap();
    wait_listed(&base, &desk.token, &kiosk_id, json!(["OOO-SERVICE"]));
}

#[test]
fn a_server_that_hangs_does_not_slow_the_checks_and_gets_the_state_when_it_is_back() {
    let (dir, db) = temp_db();
    let server = ServerProcess::start(&db);
    let base = server.base.clone();
    let desk = enrol(&base, &db, "d2");
    let (token, kiosk_id) = enrol_kiosk(&base, &db);
    let addr = base.trim_start_matches("http://").to_string();
    server.kill();
    // Same address, a socket that takes connections and never answers: a hung server.
    let hung = std::net::TcpListener::bind(&addr).expect("the server's port again");
    let printer = FileSinkPrinter {
        dir: dir.path().join("printed"),
        fail_with: Some("out of paper (simulated)".into()),
    };
    let mut k = kiosk(dir.path(), Box::new(printer));
    k.connect(&base, &token).unwrap();
    let mut took = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let st = k.status(false, "9.9.9", Instant::now()).unwrap();
        took.push(t.elapsed());
        assert!(
            !st.reported,
            "nothing is acknowledged while the server hangs"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    took.sort();
    println!(
        "status() while the server hangs: median {:?}, max {:?}",
        took[2], took[4]
    );
    assert!(
        took[4] < Duration::from_secs(1),
        "a check never waits for the report (3 s request limit): {took:?}"
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while k.reporter().and_then(|r| r.last_error()).is_none() {
        assert!(
            Instant::now() < deadline,
            "the report was tried and timed out"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(hung);
    let _back = ServerProcess::start_at(&db, &addr, NOW);
    let listed = wait_listed(&base, &desk.token, &kiosk_id, json!(["OOO-PRINTER"]));
    assert!(
        listed["last_seen"].is_string(),
        "the state kept while the server hung arrived when it came back: {listed}"
    );
    wait_acknowledged(&k);
    let st = k.status(false, "9.9.9", Instant::now()).unwrap();
    assert!(st.reported, "and the kiosk now says it is reported");
}
