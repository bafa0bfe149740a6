//! `guichet-server staff add`: the first admin, made from the command line with the password
//! from the environment (never an argument), then able to sign in; bad input named. On a
//! SQLite file and on a PostgreSQL database (`--db postgres://…`).

mod common;

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_guichet-server");

fn staff_add(
    db: impl AsRef<std::ffi::OsStr>,
    user: &str,
    role: &str,
    password: &str,
) -> std::process::Output {
    Command::new(BIN)
        .args(["staff", "add", user, "--role", role, "--db"])
        .arg(db.as_ref())
        .env("GUICHET_STAFF_PASSWORD", password)
        .output()
        .unwrap()
}

#[test]
fn staff_add_makes_an_admin_who_signs_in_and_refuses_a_short_password_a_bad_role_and_a_twin() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.sqlite");
    let out = staff_add(&db, "ada", "admin", "a long enough password");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("staff member ada added as admin"),
        "it says what it did"
    );
    let out = staff_add(&db, "bob", "admin", "short");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.code() == Some(2) && err.contains("at least 12"),
        "a short password is refused with the rule's number: {err}"
    );
    let out = staff_add(&db, "bob", "boss", "a long enough password");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("expected viewer, supervisor or admin"),
        "{err}"
    );
    let out = staff_add(&db, "ada", "viewer", "a long enough password");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("already exists"),
        "a second ada is refused: {err}"
    );

    let store = guichet_server::store::Store::open(
        &db,
        guichet_domain::SaleConfig::paris2024(),
        guichet_server::store::Durability::Normal,
    )
    .unwrap();
    let now = jiff::Timestamp::now();
    let s = store
        .sign_in("ada", "a long enough password", now)
        .expect("the admin signs in");
    assert_eq!(
        s.staff.role,
        guichet_server::store::staff::Role::Admin,
        "as admin"
    );
    let e = store
        .sign_in("nobody", "a long enough password", now)
        .unwrap_err();
    assert_eq!(
        e.code(),
        "wrong_password",
        "an unknown name gets the same answer as a wrong password: {e}"
    );
    let log = store.audit_log(10).unwrap();
    assert!(
        log.iter()
            .any(|e| e.action == "staff.add" && e.subject == "ada"),
        "adding staff is audited: {log:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_add_on_postgres_makes_a_first_supervisor_who_signs_in_there() {
    let db = common::pg::TestDb::create().await;
    let url = db.url.clone();
    let run = |user: &'static str, password: &'static str| {
        let url = url.clone();
        tokio::task::spawn_blocking(move || staff_add(&url, user, "supervisor", password))
    };
    let out = run("sup", "a long enough password").await.unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("staff member sup added as supervisor"),
        "it says what it did"
    );
    let out = run("sup", "another long password").await.unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.code() == Some(2) && err.contains("staff member sup already exists"),
        "a second sup is refused on PostgreSQL too: {err}"
    );
    let out = run("bob", "short").await.unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("at least 12"),
        "a short password is refused with the rule's number: {err}"
    );
    let store = db.store().await;
    let now = jiff::Timestamp::now();
    let s = store
        .sign_in("sup", "a long enough password", now)
        .await
        .expect("the supervisor signs in on PostgreSQL");
    assert_eq!(s.staff.role, guichet_server::store::staff::Role::Supervisor);
    let log = store.audit_log(10).await.unwrap();
    assert!(
        log.iter().any(|e| e.action == "staff.add"
            && e.subject == "sup"
            && e.actor == "guichet-server staff add"),
        "adding staff is audited in PostgreSQL: {log:?}"
    );
}
