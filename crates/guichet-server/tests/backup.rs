//! `guichet-server backup` and `restore` on real files: a copy taken while the store is open,
//! a restore that refuses what is not a server database in words, and keeps the old file aside.

use clap::Parser;
use guichet_server::cli::{run, Args};

fn cli(args: &[&str]) -> Result<String, String> {
    let mut out = Vec::new();
    let args = Args::try_parse_from(std::iter::once("guichet-server").chain(args.iter().copied()))
        .map_err(|e| e.to_string())?;
    let now = "2024-01-10T09:00:00Z".parse().unwrap();
    run(args, now, &mut out)?;
    Ok(String::from_utf8(out).unwrap())
}

#[test]
fn a_backup_taken_while_open_restores_and_the_replaced_file_is_kept_aside() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.sqlite");
    let copy = dir.path().join("copy.sqlite");
    let (d, c) = (db.to_str().unwrap(), copy.to_str().unwrap());
    cli(&["import", "--db", d]).unwrap();
    // The server's own connections stay open while the copy is made.
    let live = guichet_server::store::Store::open(
        &db,
        guichet_domain::SaleConfig::paris2024(),
        guichet_server::store::Durability::Full,
    )
    .unwrap();
    let made: serde_json::Value =
        serde_json::from_str(&cli(&["backup", "--db", d, c]).unwrap()).unwrap();
    assert_eq!(
        made["schema_version"], 8,
        "the copy is at this server's schema: {made}"
    );
    drop(live);
    let restored: serde_json::Value =
        serde_json::from_str(&cli(&["restore", "--db", d, c]).unwrap()).unwrap();
    let aside = restored["kept_aside"]
        .as_str()
        .expect("the old file is kept");
    assert!(
        std::path::Path::new(aside).is_file() && db.is_file(),
        "both the restored file and the one it replaced exist: {restored}"
    );
}

#[test]
fn restore_refuses_a_missing_a_foreign_and_a_newer_file_naming_the_way_out() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.sqlite");
    let d = db.to_str().unwrap();
    cli(&["import", "--db", d]).unwrap();
    let before = std::fs::read(&db).unwrap();
    let foreign = dir.path().join("foreign.sqlite");
    rusqlite::Connection::open(&foreign)
        .unwrap()
        .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        .unwrap();
    let newer = dir.path().join("newer.sqlite");
    cli(&["backup", "--db", d, newer.to_str().unwrap()]).unwrap();
    rusqlite::Connection::open(&newer)
        .unwrap()
        .execute_batch("PRAGMA user_version = 99;")
        .unwrap();
    for (file, words, way_out) in [
        (
            dir.path().join("none.sqlite"),
            "there is no such file",
            "guichet-server backup FILE",
        ),
        (
            foreign,
            "not a Guichet server database",
            "guichet-server backup FILE",
        ),
        (newer, "a newer server wrote it", "upgrade this one first"),
    ] {
        let err = cli(&["restore", "--db", d, file.to_str().unwrap()]).unwrap_err();
        assert!(
            err.contains(words) && err.contains(way_out),
            "{}: the refusal names the problem ({words}) and the way out: {err}",
            file.display()
        );
        assert_eq!(
            std::fs::read(&db).unwrap(),
            before,
            "the live file is untouched"
        );
    }
}
