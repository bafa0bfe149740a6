//! `cargo xtask demo`: runs the product. The central server on its SQLite file (seeded with the
//! Paris 2024 catalogue and demo accounts, its clock set inside the pack sale), the rules tool
//! on an example, and the desk app connected to it when there is a display.

use std::process::{Child, Command};

use crate::{install, sh};

/// The instant the demo stands on: inside the pack sale, in DEMO-0001's timeslot.
pub const DEMO_NOW: &str = "2023-02-17T12:00:00";
/// The same instant for the desk app (`GUICHET_NOW`), which says on screen it is simulated.
pub const DESK_NOW: &str = "2023-02-17T12:00[Europe/Paris]";
/// The desk's operators (created by the app on its demo desk; `src-tauri/src/demo.rs`).
pub const OPERATORS: &str = "seller S-SELL / PIN 1234, supervisor S-SUP / PIN 9876";
/// When the demo sends its notices (Paris time): each winner's falls due 48 h before its slot.
pub const NOTICES_AT: [&str; 2] = ["2023-02-14T09:00:00", "2023-02-17T00:00:00"];
/// Where the demo server listens.
pub const LISTEN: &str = "127.0.0.1:8080";

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn run() -> Result<(), String> {
    let root = crate::root();
    install::apt(install::APT_PACKAGES)?;
    install::node()?;
    let has_app = root.join("src-tauri/Cargo.toml").exists();
    if has_app {
        let ui = root.join("ui");
        sh::run(&ui, "npm", &["ci", "--no-audit", "--no-fund"])?;
        sh::run(&ui, "npm", &["run", "build"])?;
        sh::run(
            &root,
            "cargo",
            &["build", "-p", "guichet-server", "-p", "guichet-app"],
        )?;
    } else {
        sh::run(&root, "cargo", &["build", "-p", "guichet-server"])?;
    }
    let target =
        std::env::var("CARGO_TARGET_DIR").map_or(root.join("target"), std::path::PathBuf::from);
    let server = target.join("debug/guichet-server");
    let server = server.to_str().ok_or("non-UTF-8 path")?;
    let data = root.join(".guichet/demo");
    // Every run starts from scratch: a new server file and a new desk enrolled with it.
    let _ = std::fs::remove_dir_all(&data);
    std::fs::create_dir_all(&data).map_err(|e| e.to_string())?;
    let desk_db = data.join("desk/desk.sqlite");
    let db = data.join("server.sqlite");
    let db = db.to_str().ok_or("non-UTF-8 path")?;

    // seed-demo runs the pack draw for real (docs/draw.md; a DEMO-ONLY fixed secret) and
    // keeps its secret, registration list and transcript next to the database.
    sh::run(&root, server, &["seed-demo", "--db", db])?;
    draw_checks(&root, server, &data)?;
    notices(&root, server, &data, db)?;
    sh::run(
        &root,
        server,
        &["catalogue", "--stats", "--games", "olympic"],
    )?;
    sh::run(&root, server, &["phases", "--at", DEMO_NOW])?;
    let example = root.join("examples/rules/7-everything-wrong-at-once.refused.json");
    // A refused example exits 1: showing the refusal is the point.
    let _ = sh::run(
        &root,
        server,
        &["check", example.to_str().ok_or("non-UTF-8 path")?],
    );

    // A one-time enrolment code for the desk; it is handed to the app, not printed (whoever
    // holds it can enrol a device).
    println!("\n▶ {server} enrol --db {db} --kind box-office   (the code goes to the app)");
    let out = Command::new(server)
        .args(["enrol", "--db", db, "--kind", "box-office"])
        .output()
        .map_err(|e| format!("cannot run {server} enrol: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{server} enrol failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let code = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let admin_password = demo_admin(server, db)?;

    println!("\n▶ {server} serve --db {db} --listen {LISTEN} --now {DEMO_NOW}");
    let child = Command::new(server)
        .args(["serve", "--db", db, "--listen", LISTEN, "--now", DEMO_NOW])
        .spawn()
        .map_err(|e| format!("cannot start the server: {e}"))?;
    let mut srv = Running(child);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while std::net::TcpStream::connect(LISTEN).is_err() {
        if let Ok(Some(st)) = srv.0.try_wait() {
            return Err(format!(
                "the server stopped at once ({st}): is {LISTEN} already in use?"
            ));
        }
        if std::time::Instant::now() > deadline {
            return Err(format!("the server did not listen on {LISTEN} within 30 s"));
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    println!("\nThe central server runs at http://{LISTEN} (API: docs/openapi.json), its clock on 17 Feb 2023 12:00 Paris time (simulated), inside the pack sale.");
    println!("The operations console: http://{LISTEN}/console — sign in as demo-admin with the password {admin_password} (made for this run only).");
    if !has_app {
        println!("Press Ctrl-C to stop the server.");
        let status = srv.0.wait().map_err(|e| e.to_string())?;
        println!("server stopped ({status})");
        return Ok(());
    }
    println!(
        "The desk app ({}) enrols with it at start-up, borrows an allotment (20 seats a category on FBL01, RU701, HBL01, BKB01, VVO01, HOC01), pulls the accounts and creates its operators: {OPERATORS}.\nAccounts on the server, their results from the pack draw run above (files in .guichet/demo/, notices in .guichet/demo/notices/): DEMO-0001 (Club member, drawn, timeslot open now), DEMO-0002 (drawn, timeslot from 19 Feb), DEMO-0003 (Club member, not drawn), DEMO-0004 (not registered), DEMO-0005 (Club member, drawn, timeslot open now) — in Find account type an account number (DEMO-0001) or the start of a name (Élodie).",
        desk_db.display()
    );
    if std::env::var_os("DISPLAY").is_none() {
        println!(
            "\nNo display here, so the app window is not opened. To see it under Xvfb:\n  \
             xvfb-run -a -s \"-screen 0 1440x900x24\" cargo xtask demo\n\
             and, from another shell, a screenshot: DISPLAY=:99 import -window root shot.png \
             (xvfb-run -a takes the first free display from :99 up).\n\
             The server keeps running for the API; press Ctrl-C to stop it."
        );
        let status = srv.0.wait().map_err(|e| e.to_string())?;
        println!("server stopped ({status})");
        return Ok(());
    }
    let app = target.join("debug/guichet-app");
    println!("\n▶ {} (close the window to stop the demo)", app.display());
    let status = Command::new(&app)
        .env("GUICHET_SERVER_URL", format!("http://{LISTEN}"))
        .env("GUICHET_ENROL_CODE", &code)
        .env("GUICHET_DESK_NAME", "Demo box office")
        .env("GUICHET_DEMO", "1")
        .env("GUICHET_NOW", DESK_NOW)
        .env("GUICHET_DESK_DB", &desk_db)
        .status()
        .map_err(|e| format!("cannot start the app: {e}"))?;
    println!("app closed ({status}); stopping the server");
    drop(srv);
    Ok(())
}

/// Recomputes the demo's draw from its files, in Rust and in the stand-alone Python checker.
fn draw_checks(root: &std::path::Path, server: &str, data: &std::path::Path) -> Result<(), String> {
    let t = data.join("pack-draw.wave-1.json");
    let csv = data.join("pack-draw.registrations.csv");
    let (t, csv) = (
        t.to_str().ok_or("non-UTF-8 path")?,
        csv.to_str().ok_or("non-UTF-8 path")?,
    );
    sh::run(root, server, &["draw", "verify", t, csv])?;
    sh::run(root, "python3", &["docs/draw_check.py", t, csv])
}

/// The winners' notices as `.eml` files (no SMTP in the demo), each sent at its due time:
/// 48 h before the slot (14 Feb 09:00 for the Club winners' slots of 16 Feb 09:00, 17 Feb 00:00
/// for DEMO-0002's of 19 Feb 00:00).
fn notices(
    root: &std::path::Path,
    server: &str,
    data: &std::path::Path,
    db: &str,
) -> Result<(), String> {
    let eml = data.join("notices");
    let eml = eml.to_str().ok_or("non-UTF-8 path")?;
    sh::run(
        root,
        server,
        &["notices", "enqueue", "--db", db, "--draw", "pack-draw"],
    )?;
    for now in NOTICES_AT {
        sh::run(
            root,
            server,
            &[
                "notices",
                "send",
                "--db",
                db,
                "--eml-dir",
                eml,
                "--now",
                now,
            ],
        )?;
    }
    Ok(())
}

/// Adds the console's demo admin with a password made for this run (read from the system's
/// random source, never written in the repository), and returns the password to print.
fn demo_admin(server: &str, db: &str) -> Result<String, String> {
    let bytes = random_hex(9)?;
    println!("\n▶ {server} staff add demo-admin --role admin --db {db}   (password from the environment)");
    let out = Command::new(server)
        .args(["staff", "add", "demo-admin", "--role", "admin", "--db", db])
        .env("GUICHET_STAFF_PASSWORD", &bytes)
        .output()
        .map_err(|e| format!("cannot run {server} staff add: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{server} staff add failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(bytes)
}

fn random_hex(n: usize) -> Result<String, String> {
    use std::io::Read;
    let mut buf = vec![0u8; n];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut buf))
        .map_err(|e| format!("/dev/urandom: {e}"))?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}
