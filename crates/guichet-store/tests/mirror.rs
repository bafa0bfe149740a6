//! The mirror and the backups on real files: a write the mirror cannot take is not kept, a
//! restore refuses a bad file in words and keeps the live one aside, and a replay is
//! idempotent by the events' keys.

use std::path::Path;

use guichet_store::backup::{check_backup, restore_file};
use guichet_store::journal::{enqueue, OutboxEvent};
use guichet_store::mirror::{COPY_FILE, JOURNAL_FILE};
use guichet_store::replay::restore_from_mirror;
use guichet_store::rusqlite::Connection;
use guichet_store::{Error, Store, StoreSettings};
use jiff::Timestamp;

fn at() -> Timestamp {
    "2024-01-10T09:00:00Z".parse().unwrap()
}

fn open(path: &Path) -> Store {
    let settings = StoreSettings {
        mirror_override: None,
        ..StoreSettings::default()
    };
    Store::open_with(path, &settings).unwrap()
}

fn event(store: &mut Store, key: &str) -> guichet_store::Result<i64> {
    store.write(|tx| {
        enqueue(
            tx,
            &OutboxEvent {
                idempotency_key: key,
                kind: "sale",
                payload: serde_json::json!({ "order_id": key }),
                created_at: at(),
                offline: true,
            },
        )
    })
}

fn events(path: &Path) -> i64 {
    let conn = Connection::open(path).unwrap();
    conn.query_row("SELECT count(*) FROM outbox", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn a_write_the_mirror_cannot_take_fails_in_words_and_leaves_nothing_in_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let (db, mirror) = (dir.path().join("desk.sqlite"), dir.path().join("usb"));
    let mut store = open(&db);
    store.set_mirror(Some(&mirror)).unwrap();
    event(&mut store, "k-1").unwrap();
    // The stick is pulled: where the directory was, nothing can be written.
    std::fs::remove_dir_all(&mirror).unwrap();
    std::fs::write(&mirror, b"not a directory").unwrap();
    let err = event(&mut store, "k-2").unwrap_err();
    assert!(
        matches!(err, Error::MirrorUnwritable { .. }),
        "an unwritable mirror is its own error: {err:?}"
    );
    let text = err.to_string();
    assert!(
        text.contains("nothing was recorded") && text.contains("mirror set DIR"),
        "the sentence says nothing was kept and the way out: {text}"
    );
    drop(store);
    assert_eq!(
        events(&db),
        1,
        "the refused write left no row in the desk's file"
    );
}

#[test]
fn restore_refuses_a_missing_a_foreign_and_a_newer_file_and_leaves_the_live_one_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.sqlite");
    let mut store = open(&db);
    event(&mut store, "k-1").unwrap();
    drop(store);
    let foreign = dir.path().join("foreign.sqlite");
    Connection::open(&foreign)
        .unwrap()
        .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        .unwrap();
    let newer = dir.path().join("newer.sqlite");
    open(&db).backup_to(&newer).unwrap();
    Connection::open(&newer)
        .unwrap()
        .execute_batch("PRAGMA user_version = 99;")
        .unwrap();
    for (file, words) in [
        (dir.path().join("none.sqlite"), "there is no such file"),
        (foreign, "another program's database"),
        (newer, "a newer Guichet wrote it"),
    ] {
        let err = restore_file(&file, &db, at()).unwrap_err();
        let text = err.to_string();
        assert!(
            matches!(err, Error::BadBackup { .. })
                && text.contains(words)
                && text.contains("left untouched"),
            "{}: the refusal names the problem ({words}) and keeps the desk's file: {text}",
            file.display()
        );
        assert_eq!(events(&db), 1, "the live file is as it was");
    }
}

#[test]
fn a_restore_keeps_the_file_it_replaces_aside() {
    let dir = tempfile::tempdir().unwrap();
    let (db, copy) = (dir.path().join("desk.sqlite"), dir.path().join("b.sqlite"));
    let mut store = open(&db);
    event(&mut store, "k-1").unwrap();
    store.backup_to(&copy).unwrap();
    event(&mut store, "k-2").unwrap();
    drop(store);
    assert_eq!(check_backup(&copy).unwrap().waiting_events, 1);
    let r = restore_file(&copy, &db, at()).unwrap();
    let aside = r.kept_aside.expect("the replaced file is kept");
    assert_eq!(events(&db), 1, "the desk now holds the backup");
    assert_eq!(
        events(&aside),
        2,
        "the file it replaced, with its later event, is aside"
    );
}

#[test]
fn a_replay_skips_events_the_copy_already_holds_by_their_idempotency_key() {
    let dir = tempfile::tempdir().unwrap();
    let (db, mirror) = (dir.path().join("desk.sqlite"), dir.path().join("usb"));
    let mut store = open(&db);
    store.set_mirror(Some(&mirror)).unwrap();
    for k in ["k-1", "k-2", "k-3"] {
        event(&mut store, k).unwrap();
    }
    // A copy that holds k-1 and k-2 but does not say so (its journal position wound back).
    store.backup_to(&mirror.join("later.sqlite")).unwrap();
    drop(store);
    let later = mirror.join("later.sqlite");
    let c = Connection::open(&later).unwrap();
    c.execute_batch(
        "DELETE FROM outbox WHERE idempotency_key = 'k-3'; UPDATE mirror SET journal_seq = 0;",
    )
    .unwrap();
    drop(c);
    std::fs::rename(&later, mirror.join(COPY_FILE)).unwrap();
    assert!(mirror.join(JOURNAL_FILE).exists());
    let target = dir.path().join("rebuilt.sqlite");
    let r = restore_from_mirror(&mirror, &target, at()).unwrap();
    assert_eq!(
        r.skipped_by_key,
        vec!["k-1".to_string(), "k-2".to_string()],
        "the records of events already in the copy are skipped by key: {r:?}"
    );
    assert_eq!(r.replayed, 1, "only k-3 is applied: {r:?}");
    assert_eq!(events(&target), 3, "each event once");
}
