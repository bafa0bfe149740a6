//! `seed-demo` runs a real pack draw: its transcript and registration list verify (Rust and
//! the Python checker), the accounts' rows are the draw's results, and a changed list differs.

use std::path::Path;
use std::process::{Command, Output};

use guichet_domain::{AccountId, SaleConfig};
use guichet_server::store::{Durability, Store};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_guichet-server"))
        .args(args)
        .output()
        .expect("guichet-server runs")
}

fn ok(out: &Output, what: &str) -> String {
    assert!(
        out.status.success(),
        "{what} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

fn s(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

/// (status, slot start) of each demo account in the pack draw, read from the database itself.
fn rows(db: &Path) -> Vec<(String, String, Option<String>)> {
    let c = rusqlite::Connection::open(db).expect("the demo database opens");
    let mut q = c
        .prepare(
            "SELECT d.account_id, CASE WHEN w.account_id IS NULL THEN d.status ELSE 'drawn' END, w.slot_start
             FROM account_draws d LEFT JOIN draw_winners w ON w.draw = d.draw AND w.account_id = d.account_id
             WHERE d.draw = 'pack-draw' ORDER BY d.account_id",
        )
        .expect("account_draws and draw_winners are there");
    q.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("rows read")
}

#[test]
fn seed_demo_runs_a_draw_that_verifies_and_gives_the_accounts_their_readme_roles() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let db = dir.path().join("server.sqlite");
    let said = ok(&run(&["seed-demo", "--db", s(&db)]), "seed-demo");
    let transcript = dir.path().join("pack-draw.wave-1.json");
    let csv = dir.path().join("pack-draw.registrations.csv");
    assert!(
        said.contains("beacon drand quicknet round 123") && said.contains("3 winners"),
        "seed-demo commits to round 123 and draws 3 winners: {said}"
    );
    let v = ok(
        &run(&["draw", "verify", s(&transcript), s(&csv)]),
        "draw verify",
    );
    assert_eq!(
        v.trim(),
        "MATCH",
        "the demo's transcript recomputes from its list"
    );
    let py = Command::new("python3")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/draw_check.py"))
        .args([&transcript, &csv])
        .output()
        .expect("python3 runs (Debian's python3 package)");
    let py = ok(&py, "docs/draw_check.py");
    assert!(py.starts_with("MATCH"), "the Python checker agrees: {py}");

    let t: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&transcript).expect("transcript"))
            .expect("JSON");
    let winners: Vec<u64> = t["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r[1].as_u64().expect("an id"))
        .collect();
    assert_eq!(winners.len(), 3, "36 tickets at 12 a winner make 3 winners");
    assert!(
        !winners.contains(&3),
        "registration 3 (DEMO-0003) is not among the winners {winners:?}"
    );
    // The accounts' rows are the transcript's results, not seeded ones.
    let got = rows(&db);
    let want = [
        ("DEMO-0001", "drawn", Some("2023-02-16T08:00:00Z")),
        ("DEMO-0002", "drawn", Some("2023-02-18T23:00:00Z")),
        ("DEMO-0003", "registered", None),
        ("DEMO-0005", "drawn", Some("2023-02-16T08:00:00Z")),
    ];
    let want: Vec<(String, String, Option<String>)> = want
        .iter()
        .map(|(a, st, sl)| (a.to_string(), st.to_string(), sl.map(str::to_string)))
        .collect();
    assert_eq!(
        got, want,
        "DEMO-0001/0005 open on 17 Feb 12:00 Paris, DEMO-0002 from 19 Feb, DEMO-0003 left registered, DEMO-0004 not registered"
    );
    // What the rules and the desks read: DEMO-0003's row, left registered by a draw that ran,
    // reads as not drawn.
    let store = Store::open(&db, SaleConfig::paris2024(), Durability::Normal).expect("the store");
    let dto = store
        .account(&AccountId::parse("DEMO-0003").expect("an id"))
        .expect("DEMO-0003");
    let d = dto
        .draws
        .iter()
        .find(|d| d.draw == "pack-draw")
        .expect("registered");
    assert_eq!(
        d.status, "not_drawn",
        "a registrant the wave passed over is not drawn"
    );
    drop(store);
    let slots: Vec<i64> = t["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r[2].as_i64().expect("a start"))
        .collect();
    assert!(
        slots.contains(&1_676_534_400) && slots.contains(&1_676_761_200),
        "the stored slots are the transcript's (16 Feb 08:00 and 18 Feb 23:00 UTC): {slots:?}"
    );

    // One registration changed: verify names the fingerprint.
    let changed = std::fs::read_to_string(&csv)
        .expect("csv")
        .replace("3,DEMO-0003,1", "3,DEMO-0003,0");
    let bad = dir.path().join("changed.csv");
    std::fs::write(&bad, changed).expect("write");
    let out = run(&["draw", "verify", s(&transcript), s(&bad)]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.code() == Some(1) && said.starts_with("DIFFERS at fingerprint"),
        "a list with one club flag changed differs at its fingerprint: {said}"
    );

    // Seeding again runs no second draw and leaves the results.
    let again = ok(&run(&["seed-demo", "--db", s(&db)]), "seed-demo again");
    assert!(
        again.contains("no second demo draw"),
        "a seeded database is not drawn twice: {again}"
    );
    assert_eq!(
        rows(&db),
        want,
        "the results stay as the first draw wrote them"
    );
}
