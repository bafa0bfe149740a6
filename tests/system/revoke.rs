//! A desk is stolen: the operator revokes it with `guichet-server device revoke` while the
//! real server runs. From then on its pushes are refused (401, rule `device_revoked`, counted
//! for the console); `guichet-gate verify` says REVOKED KEY for a ticket it signed after the
//! instant and VALID for one it signed before; its allotment stays lent, at risk, until a
//! supervisor returns it.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use guichet_desk::Clock;
use guichet_tickets::SignedTicket;
use jiff::SignedDuration;

use super::rig::{runtime, DeskRig, Http};
use super::{cli, temp_db, ServerProcess, NOW};

const GATE: &str = env!("CARGO_BIN_EXE_guichet-gate-sut");
const WAIT: Duration = Duration::from_secs(60);

pub(crate) fn qr_of(rig: &DeskRig, ticket_id: &str) -> String {
    rig.desk
        .store()
        .reader()
        .query_row(
            "SELECT qr_payload FROM ticket WHERE id = ?1",
            [ticket_id],
            |r| r.get(0),
        )
        .unwrap()
}

/// `guichet-gate verify` on the ticket's own day, with the lists in `dir`: (exit code, answer).
pub(crate) fn verify(dir: &Path, qr: &str) -> (i32, String) {
    let day = SignedTicket::parse(qr).unwrap().claims.session_day;
    let out = Command::new(GATE)
        .args(["verify", "--keys"])
        .arg(dir.join("keys.json"))
        .arg("--revoked")
        .arg(dir.join("revoked.json"))
        .arg("--scan-log")
        .arg(dir.join("scans.log"))
        .args(["--at", &format!("{day}T12:00:00+02:00"), qr])
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).trim().to_string(),
    )
}

fn lent(http: &Http, session: &str) -> i64 {
    let v = http.get(&format!("/v1/availability?session={session}"));
    v.as_array()
        .unwrap()
        .iter()
        .find(|x| x["category"] == "D")
        .unwrap()["lent"]
        .as_i64()
        .unwrap()
}

#[test]
fn a_revoked_desk_is_refused_its_later_tickets_are_revoked_key_and_its_seats_wait_for_a_supervisor()
{
    let (dir, db) = temp_db();
    let server = ServerProcess::start(&db);
    let base = server.base.clone();
    let listen = base.trim_start_matches("http://").to_string();
    let rt = runtime(2);
    let mut lost = DeskRig::enrolled("Lost", 0xC3, &base, &db);
    let other = DeskRig::enrolled("Other", 0xD4, &base, &db);
    let other_http = Http::of(&other, &base);
    lost.borrow(&["FBL01"], 10);
    let fan = lost.walk_in();
    let sync = lost.sync_task(&rt, 100);
    let st = sync.sync_now_and_wait(WAIT);
    assert_eq!(
        (st.online, st.waiting),
        (true, 0),
        "the desk is in step: {st:?}"
    );

    // Before: an online sale, signed by the desk's key at its clock's instant.
    let before = lost.sell(&fan, "FBL01", 1).unwrap();
    assert!(!before.offline, "sold online before the theft: {before:?}");
    let signed_before = lost.clock.now();
    let st = sync.sync_now_and_wait(WAIT);
    assert_eq!(
        (st.online, st.waiting),
        (true, 0),
        "the online sale's event is acknowledged: {st:?}"
    );

    // The desk goes missing; the operator revokes it as of a minute after that sale.
    let as_of = signed_before + SignedDuration::from_mins(1);
    let device_id = guichet_store::link::link(lost.desk.store().reader())
        .unwrap()
        .unwrap()
        .device_id;
    let said = cli(
        &db,
        &[
            "device",
            "revoke",
            &device_id,
            "--reason",
            "stolen from desk 4",
            "--as-of",
            &as_of.to_string(),
            "--by",
            "sup-anne",
        ],
    );
    assert!(
        said.contains("revoked as of"),
        "the command says what it did: {said}"
    );

    // The server had its token cached (it synced a moment ago): the revocation, made by
    // another process, reaches that cache within the server's 250 ms sweep.
    let deadline = Instant::now() + WAIT;
    let st = loop {
        let st = sync.sync_now_and_wait(WAIT);
        if !st.online || Instant::now() > deadline {
            break st;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let err = st.last_error.clone().unwrap_or_default();
    assert!(
        !st.online && err.contains("revoked"),
        "the running server refuses the revoked desk, saying so: {st:?}"
    );

    // The thief sells from the allotment while the server is away: signed after the instant.
    server.kill();
    lost.clock
        .advance(SignedDuration::from_hours(1) + SignedDuration::from_mins(1));
    let after = lost.sell(&fan, "FBL01", 1).unwrap();
    assert!(
        after.offline,
        "with the server down the desk sells offline: {after:?}"
    );
    let server = ServerProcess::start_at(&db, &listen, NOW);

    // Its push of that sale is refused whole; nothing of it applies.
    let st = sync.sync_now_and_wait(WAIT);
    let err = st.last_error.clone().unwrap_or_default();
    assert!(
        !st.online && err.contains("revoked"),
        "the revoked desk's push is refused, saying so: {st:?}"
    );
    assert_eq!(
        st.waiting, 1,
        "the offline sale stays in the desk's outbox: {st:?}"
    );
    let risk = cli(&db, &["device", "at-risk"]);
    assert!(
        risk.contains("refused") && risk.contains("POST /v1/sync/push"),
        "the refused push is recorded for the console: {risk}"
    );
    assert!(
        risk.contains(&format!("at risk {device_id} FBL01 D: 10 seat(s)")),
        "its 10 seats stay lent and are shown at risk (the offline sale never reached the server): {risk}"
    );

    // The gates' lists: VALID before the instant, REVOKED KEY after it.
    let lists = other_http.get("/v1/gate/lists");
    assert!(
        lists["keys"].to_string().contains(&as_of.to_string()),
        "GET /v1/gate/lists carries revoked_after: {lists}"
    );
    let gate_dir = dir.path().join("gate");
    cli(
        &db,
        &["gate-lists", "--out-dir", gate_dir.to_str().unwrap()],
    );
    let (code, said) = verify(&gate_dir, &qr_of(&lost, &after.tickets[0].0));
    assert!(
        code == 1 && said.starts_with("REVOKED KEY"),
        "a ticket signed an hour after the revocation instant is refused: {code} {said}"
    );
    let (code, said) = verify(&gate_dir, &qr_of(&lost, &before.tickets[0].0));
    assert!(
        code == 0 && said.starts_with("VALID"),
        "a ticket signed before the instant stays valid: {code} {said}"
    );

    // A supervisor returns the seats to the pool, explicitly.
    assert_eq!(
        lent(&other_http, "FBL01"),
        10,
        "revoking returned nothing by itself"
    );
    let said = cli(
        &db,
        &[
            "device",
            "settle",
            &device_id,
            "--session",
            "FBL01",
            "--category",
            "D",
            "--action",
            "return",
            "--seats",
            "10",
            "--reason",
            "desk never sold offline per CCTV",
        ],
    );
    assert!(said.contains("0 left at risk"), "{said}");
    assert_eq!(
        lent(&other_http, "FBL01"),
        0,
        "returned seats are back on sale"
    );
    sync.stop_blocking(WAIT);
    drop(server);
}
