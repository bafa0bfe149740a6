//! A desk whose disk dies loses no sale: the real `guichet-desk` command line sells offline
//! with a mirror directory set (a second disk, a USB stick), closes a shift (the full copy),
//! sells more, and is SIGKILLed mid-sale; its file is deleted, it is rebuilt from the mirror
//! (copy + journal), every sale it had printed is there, and after a sync with the real server
//! the server holds each sale once.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};

use guichet_store::rusqlite::{Connection, OpenFlags};
use serde_json::Value;

use super::{cli, temp_db, ServerProcess};

const DESK: &str = env!("CARGO_BIN_EXE_guichet-desk-sut");
/// The desk's clock: the general sale, walk-ins may buy (the server's clock is the same).
const AT: &str = "2024-01-10T10:00:00+01:00[Europe/Paris]";

fn desk(db: &Path, args: &[&str]) -> Output {
    Command::new(DESK)
        .args(["--db", db.to_str().unwrap(), "--at", AT])
        .args(["--as", "S-SUP", "--pin", "9876"])
        .args(args)
        .env_remove("GUICHET_DESK_MIRROR_DIR")
        .output()
        .unwrap()
}

fn ok(db: &Path, args: &[&str]) -> Value {
    let out = desk(db, args);
    assert!(
        out.status.success(),
        "guichet-desk {args:?} must succeed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
}

/// The `sold <order id>` lines of a `sale-loop` run: the receipts it showed.
fn sold_lines(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.strip_prefix("sold "))
        .map(str::to_string)
        .collect()
}

fn keys(conn: &Connection, sql: &str) -> BTreeSet<String> {
    let mut stmt = conn.prepare(sql).unwrap();
    let rows = stmt.query_map([], |r| r.get::<_, String>(0)).unwrap();
    rows.map(|r| r.unwrap()).collect()
}

fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn a_desk_killed_mid_sale_whose_file_is_deleted_is_rebuilt_from_its_mirror_and_counted_once() {
    let (_server_dir, server_db) = temp_db();
    let server = ServerProcess::start(&server_db);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.sqlite");
    let mirror = dir.path().join("usb-stick");

    let init = Command::new(DESK)
        .args(["--db", db.to_str().unwrap(), "--at", AT, "init"])
        .args(["--id", "S-SUP", "--name", "Supervisor", "--new-pin", "9876"])
        .output()
        .unwrap();
    assert!(init.status.success(), "{init:?}");
    let code = cli(&server_db, &["enrol", "--kind", "box-office"]);
    ok(
        &db,
        &[
            "enrol",
            "--server",
            &server.base,
            "--code",
            &code,
            "--name",
            "Desk R",
        ],
    );
    for line in ["FBL01:D:200", "FBL02:D:200"] {
        ok(&db, &["allot", "--line", line]);
    }
    let set = ok(&db, &["mirror", "set", mirror.to_str().unwrap()]);
    assert_eq!(
        set["dir"].as_str(),
        mirror.to_str(),
        "the mirror is in use once set: {set}"
    );
    ok(&db, &["open-shift", "--float", "100"]);

    // Three sales, then the shift's close makes the full copy; two more sales after it, and a
    // sync (another process writing to the journal) in between.
    let mut shown = Vec::new();
    let first = ok_loop(&db, 3);
    shown.extend(first);
    ok(&db, &["close-shift", "--counted", "100"]);
    assert!(
        mirror.join(guichet_store::mirror::COPY_FILE).exists(),
        "the shift's close leaves a full copy on the mirror"
    );
    ok(&db, &["open-shift", "--float", "100"]);
    shown.extend(ok_loop(&db, 1));
    ok(&db, &["sync"]);
    shown.extend(ok_loop(&db, 1));

    // Sell until killed: SIGKILL right after a receipt, while the next sale is under way.
    let mut child = Command::new(DESK)
        .args(["--db", db.to_str().unwrap(), "--at", AT])
        .args(["--as", "S-SUP", "--pin", "9876", "sale-loop"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut in_loop = 0;
    while in_loop < 4 {
        let l = lines.next().expect("the loop sells until killed").unwrap();
        if let Some(id) = l.strip_prefix("sold ") {
            shown.push(id.to_string());
            in_loop += 1;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(shown.len(), 9, "3 + 1 + 1 + 4 receipts were shown");

    // The desk's disk dies: its file, WAL and all, is gone.
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let out = Command::new(DESK)
        .args(["--db", db.to_str().unwrap(), "restore", "--from-mirror"])
        .arg(&mirror)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "restore from the mirror: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        report["restored"]["replayed"].as_u64().unwrap() > 0,
        "sales after the copy come from the journal: {report}"
    );

    assert_eq!(
        report["mirror_kept_aside"].as_array().map(Vec::len),
        Some(2),
        "the mirror's old copy and journal are kept aside, the mirror restarts: {report}"
    );
    let conn = Connection::open_with_flags(&db, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let orders = keys(&conn, "SELECT id FROM sale_order");
    for id in &shown {
        assert!(
            orders.contains(id),
            "order {id} printed its receipt before the kill, so it is in the rebuilt desk ({report})"
        );
    }
    assert!(
        orders.len() <= shown.len() + 1,
        "at most the one sale in flight at the kill is there beyond the receipts shown: {} orders",
        orders.len()
    );
    let desk_keys = keys(
        &conn,
        "SELECT idempotency_key FROM outbox WHERE kind = 'sale'",
    );
    let desk_tickets = count(&conn, "SELECT count(*) FROM ticket");
    drop(conn);

    let synced = ok(&db, &["sync"]);
    let conn = Connection::open_with_flags(&db, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM outbox WHERE pushed_at IS NULL AND rejected_at IS NULL"
        ),
        0,
        "the restored desk pushed everything: {synced}"
    );
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM outbox WHERE rejected_at IS NOT NULL"
        ),
        0,
        "the server refused nothing the restored desk sent"
    );
    drop(conn);

    let srv = Connection::open_with_flags(&server_db, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let server_keys = keys(
        &srv,
        "SELECT idempotency_key FROM orders WHERE channel = 'offline'",
    );
    assert_eq!(
        server_keys, desk_keys,
        "the server holds exactly the restored desk's sales, each under its own key once"
    );
    let server_tickets = count(
        &srv,
        "SELECT count(*) FROM tickets t JOIN orders o ON o.id = t.order_id
         WHERE o.channel = 'offline'",
    );
    assert_eq!(
        server_tickets, desk_tickets,
        "the server counts each of the desk's tickets once"
    );
}

fn ok_loop(db: &Path, n: u32) -> Vec<String> {
    let out = desk(db, &["sale-loop", "--count", &n.to_string()]);
    assert!(
        out.status.success(),
        "sale-loop: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ids = sold_lines(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(ids.len(), n as usize, "each sale prints its receipt line");
    ids
}
