//! `cargo xtask demo`: runs the product. The central server on its SQLite file (seeded with the
//! Paris 2024 catalogue and demo accounts, its clock set inside the pack sale), the rules tool
//! on an example, and the desk app connected to it when there is a display.

use std::process::{Child, Command};

use crate::{install, sh};

/// The instant the demo stands on: inside the pack sale, in DEMO-0001's timeslot.
pub const DEMO_NOW: &str = "2023-02-17T12:00:00";
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
    std::fs::create_dir_all(&data).map_err(|e| e.to_string())?;
    let db = data.join("server.sqlite");
    let db = db.to_str().ok_or("non-UTF-8 path")?;

    sh::run(&root, server, &["seed-demo", "--db", db])?;
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

    println!("\n▶ {server} serve --db {db} --listen {LISTEN} --now {DEMO_NOW}");
    let child = Command::new(server)
        .args(["serve", "--db", db, "--listen", LISTEN, "--now", DEMO_NOW])
        .spawn()
        .map_err(|e| format!("cannot start the server: {e}"))?;
    let mut srv = Running(child);
    std::thread::sleep(std::time::Duration::from_millis(500));
    if let Ok(Some(st)) = srv.0.try_wait() {
        return Err(format!(
            "the server stopped at once ({st}): is {LISTEN} already in use?"
        ));
    }
    println!("\nThe central server runs at http://{LISTEN} (API: docs/openapi.json), its clock on 17 Feb 2023 12:00 Paris time.");
    if has_app && std::env::var_os("DISPLAY").is_some() {
        let app = target.join("debug/guichet-app");
        println!("▶ {} (close the window to stop the demo)", app.display());
        let status = Command::new(&app)
            .env("GUICHET_SERVER_URL", format!("http://{LISTEN}"))
            .status()
            .map_err(|e| format!("cannot start the app: {e}"))?;
        println!("app closed ({status}); stopping the server");
        return Ok(());
    }
    if has_app {
        println!(
            "No display here, so the app window is not opened. To see it under Xvfb:\n  \
             xvfb-run -a cargo xtask demo\n\
             and, from another shell, a screenshot: DISPLAY=:99 import -window root shot.png"
        );
    }
    println!("Press Ctrl-C to stop the server.");
    let status = srv.0.wait().map_err(|e| e.to_string())?;
    println!("server stopped ({status})");
    Ok(())
}
