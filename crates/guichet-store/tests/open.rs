//! Opening files: what is ours opens and migrates; anything else is refused with a typed error
//! and left byte for byte as it was.

use guichet_store::migrate::{latest_version, APPLICATION_ID};
use guichet_store::{Error, Store};

fn bytes(p: &std::path::Path) -> Vec<u8> {
    std::fs::read(p).unwrap()
}

#[test]
fn a_new_file_is_created_migrated_and_in_wal_mode() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub/desk.sqlite");
    let store = Store::open(&path).unwrap();
    // The latest embedded migration must be recorded so a later binary knows where to start.
    assert_eq!(store.schema_version().unwrap(), latest_version());
    let mode: String = store
        .reader()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        mode, "wal",
        "WAL lets the reader read while the writer writes"
    );
    drop(store);
    // Reopening our own file must succeed and not re-run migration 1 (it would fail on
    // CREATE TABLE of existing tables).
    let again = Store::open(&path).unwrap();
    assert_eq!(again.schema_version().unwrap(), latest_version());
}

#[test]
fn a_text_file_is_refused_and_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.sqlite");
    std::fs::write(
        &path,
        "these are not the tables you are looking for\n".repeat(10),
    )
    .unwrap();
    let before = bytes(&path);
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, Error::NotADeskStore { .. }), "{err}");
    assert!(
        err.to_string().contains("wrong header"),
        "the message says why: {err}"
    );
    assert_eq!(
        bytes(&path),
        before,
        "a refused file must not be written to"
    );
}

#[test]
fn another_programs_sqlite_file_is_refused_and_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.sqlite");
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT);")
            .unwrap();
    }
    let before = bytes(&path);
    let err = Store::open(&path).unwrap_err();
    assert!(
        err.to_string().contains("another program's database"),
        "{err}"
    );
    assert_eq!(
        bytes(&path),
        before,
        "a foreign database must not be migrated"
    );
    assert!(
        !dir.path().join("other.sqlite-wal").exists(),
        "not even switched to WAL"
    );
}

#[test]
fn a_truncated_file_is_refused_and_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("desk.sqlite");
    {
        let mut s = Store::open(&path).unwrap();
        // Enough rows to span many pages, then checkpoint so they live in the main file.
        s.write(|tx| {
            for i in 0..2000 {
                tx.execute(
                    "INSERT INTO ledger (at, action, data) VALUES ('2023-02-15T09:00:00Z', 'x', ?1)",
                    [format!("{{\"pad\":\"{}\"}}", "y".repeat(i % 200))],
                )?;
            }
            Ok::<_, Error>(())
        })
        .map_err(|e| e.to_string())
        .unwrap();
    }
    let full = bytes(&path);
    let cut = &full[..full.len() / 2];
    std::fs::write(&path, cut).unwrap();
    let _ = std::fs::remove_file(dir.path().join("desk.sqlite-wal"));
    let _ = std::fs::remove_file(dir.path().join("desk.sqlite-shm"));
    let err = Store::open(&path).unwrap_err();
    assert!(err.to_string().contains("truncated"), "{err}");
    assert_eq!(
        bytes(&path),
        cut,
        "a truncated file must not be 'repaired' by us"
    );
}

#[test]
fn a_newer_schema_is_refused_and_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("desk.sqlite");
    drop(Store::open(&path).unwrap());
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch(&format!(
            "PRAGMA user_version = {}; PRAGMA wal_checkpoint(TRUNCATE);",
            latest_version() + 7
        ))
        .unwrap();
        let app: i32 = c
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .unwrap();
        assert_eq!(app, APPLICATION_ID);
    }
    let before = bytes(&path);
    let err = Store::open(&path).unwrap_err();
    match &err {
        Error::NewerSchema {
            found, supported, ..
        } => {
            assert_eq!(*found, latest_version() + 7);
            assert_eq!(*supported, latest_version());
        }
        other => panic!("expected NewerSchema, got {other}"),
    }
    assert!(
        err.to_string().contains("update Guichet"),
        "the fix is named: {err}"
    );
    assert_eq!(bytes(&path), before);
}

#[test]
fn the_ledger_refuses_updates_and_deletes() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(dir.path().join("desk.sqlite")).unwrap();
    let r: Result<(), Error> = s.write(|tx| {
        tx.execute(
            "INSERT INTO ledger (at, action) VALUES ('2023-02-15T09:00:00Z', 'x')",
            [],
        )?;
        Ok(())
    });
    r.unwrap();
    for sql in ["UPDATE ledger SET action = 'y'", "DELETE FROM ledger"] {
        let r: Result<usize, Error> = s.write(|tx| Ok(tx.execute(sql, [])?));
        let err = r.unwrap_err().to_string();
        assert!(
            err.contains("append-only"),
            "{sql} must be refused by the trigger: {err}"
        );
    }
}

#[test]
fn outbox_keeps_device_time_apart_from_server_time() {
    use guichet_store::journal::{enqueue, mark_pushed, pending_events, OutboxEvent};
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(dir.path().join("desk.sqlite")).unwrap();
    let device: jiff::Timestamp = "2023-02-20T09:00:00Z".parse().unwrap();
    let server: jiff::Timestamp = "2023-02-20T09:07:00Z".parse().unwrap();
    let seq = s
        .write(|tx| {
            enqueue(
                tx,
                &OutboxEvent {
                    idempotency_key: "k-1",
                    kind: "sale",
                    payload: serde_json::json!({ "n": 1 }),
                    created_at: device,
                    offline: true,
                },
            )
        })
        .unwrap();
    let pending = pending_events(s.reader(), 10).unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(
        pending[0].created_at, device,
        "device time is what the desk saw"
    );
    assert!(pending[0].offline);
    let dup = s.write(|tx| {
        enqueue(
            tx,
            &OutboxEvent {
                idempotency_key: "k-1",
                kind: "sale",
                payload: serde_json::json!({}),
                created_at: device,
                offline: true,
            },
        )
    });
    assert!(dup.is_err(), "an idempotency key is queued once");
    s.write(|tx| mark_pushed(tx, seq, device, server)).unwrap();
    assert!(
        pending_events(s.reader(), 10).unwrap().is_empty(),
        "pushed events leave the queue"
    );
    let (created, received): (String, String) = s
        .reader()
        .query_row(
            "SELECT created_at, received_at_server FROM outbox",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_ne!(
        created, received,
        "server time is stored apart, never over device time"
    );
}

#[test]
fn the_allotment_guard_refuses_what_is_not_there_and_changes_nothing() {
    use guichet_domain::{PriceCategory, SessionCode};
    use guichet_store::stock::{allotments, set_allotment, take_allotment};
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(dir.path().join("desk.sqlite")).unwrap();
    let code = SessionCode::parse("FBL01").unwrap();
    s.write(|tx| set_allotment(tx, &code, PriceCategory::D, 3, 3))
        .unwrap();
    // The last guard against overselling, below the rules: even if a caller skipped them.
    let e = s
        .write(|tx| take_allotment(tx, &code, PriceCategory::D, 4))
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::AllotmentShort {
                wanted: 4,
                remaining: 3,
                ..
            }
        ),
        "the refusal carries the numbers: {e}"
    );
    assert!(e.to_string().contains("3 more FBL01 category D"), "{e}");
    let left = allotments(s.reader()).unwrap()[&(code.clone(), PriceCategory::D)];
    assert_eq!(left, 3, "a refused take leaves the allotment as it was");
    s.write(|tx| take_allotment(tx, &code, PriceCategory::D, 3))
        .unwrap();
    assert_eq!(
        allotments(s.reader()).unwrap()[&(code, PriceCategory::D)],
        0
    );
}

#[test]
fn a_schema_2_file_gains_the_accessible_categories_and_keeps_its_rows() {
    use guichet_domain::{PriceCategory, SessionCode};
    use guichet_store::migrate::MIGRATIONS;
    use guichet_store::stock::{allotments, set_allotment};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("desk.sqlite");
    {
        // A desk file as a schema-2 binary left it, with an allotment row.
        let c = guichet_store::rusqlite::Connection::open(&path).unwrap();
        for (v, sql) in MIGRATIONS.iter().filter(|(v, _)| *v <= 2) {
            c.execute_batch(sql).unwrap();
            c.execute_batch(&format!(
                "PRAGMA user_version = {v}; PRAGMA application_id = {APPLICATION_ID};"
            ))
            .unwrap();
        }
        c.execute("INSERT INTO allotment VALUES ('FBL01', 'D', 3, 2)", [])
            .unwrap();
        let e = c
            .execute("INSERT INTO allotment VALUES ('FBL01', 'WCH', 1, 1)", [])
            .unwrap_err();
        assert!(
            e.to_string().contains("CHECK"),
            "schema 2 knows only A–D: {e}"
        );
    }
    let mut s = Store::open(&path).unwrap();
    assert_eq!(s.schema_version().unwrap(), latest_version());
    let code = SessionCode::parse("FBL01").unwrap();
    s.write(|tx| set_allotment(tx, &code, PriceCategory::WCH, 2, 2))
        .expect("the migrated CHECK takes WCH");
    s.write(|tx| set_allotment(tx, &code, PriceCategory::CMP, 2, 2))
        .expect("and CMP");
    let a = allotments(s.reader()).unwrap();
    assert_eq!(
        a[&(code.clone(), PriceCategory::D)],
        2,
        "the old row is kept"
    );
    assert_eq!(a[&(code, PriceCategory::CMP)], 2);
    let e = s
        .write(|tx| {
            tx.execute("INSERT INTO allotment VALUES ('FBL02', 'E', 1, 1)", [])
                .map_err(|e| guichet_store::Error::Sqlite {
                    context: "insert".into(),
                    source: e,
                })
        })
        .unwrap_err();
    assert!(
        e.to_string().contains("CHECK"),
        "other codes are still refused: {e}"
    );
    let check: String = s
        .reader()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        check, "ok",
        "rewriting the CHECK text leaves the file sound"
    );
}

#[test]
fn a_schema_6_desk_keeps_its_pull_cursor_as_text() {
    use guichet_store::link::{link, set_pull_cursor};
    use guichet_store::migrate::MIGRATIONS;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("desk.sqlite");
    {
        // A desk enrolled by a schema-6 binary, its integer cursor at 4711.
        let c = guichet_store::rusqlite::Connection::open(&path).unwrap();
        for (v, sql) in MIGRATIONS.iter().filter(|(v, _)| *v <= 6) {
            c.execute_batch(sql).unwrap();
            c.execute_batch(&format!(
                "PRAGMA user_version = {v}; PRAGMA application_id = {APPLICATION_ID};"
            ))
            .unwrap();
        }
        c.execute(
            "INSERT INTO server_link (id, server_url, device_id, token, key_id, pull_cursor, enrolled_at)
             VALUES (1, 'http://127.0.0.1:1', 'dev', 'secret', 'k1', 4711, '2024-01-01T00:00:00Z')",
            [],
        )
        .unwrap();
    }
    let mut s = Store::open(&path).unwrap();
    assert_eq!(s.schema_version().unwrap(), latest_version());
    let l = link(s.reader()).unwrap().expect("the link is kept");
    assert_eq!(l.pull_cursor, "4711", "the desk keeps its place");
    assert_eq!((l.device_id.as_str(), l.key_id.as_str()), ("dev", "k1"));
    // A PostgreSQL cursor, and a number-looking one, both come back as the text stored.
    for c in ["7:123456:89", "123"] {
        s.write(|tx| set_pull_cursor(tx, c)).unwrap();
        assert_eq!(link(s.reader()).unwrap().unwrap().pull_cursor, c);
    }
    let kind: String = s
        .reader()
        .query_row("SELECT typeof(pull_cursor) FROM server_link", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(kind, "text");
}
