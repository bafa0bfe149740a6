//! `cargo xtask test`: installs what is missing, then lints and runs every test (inside a
//! throwaway PostgreSQL cluster, `pg_virtualenv`, for the PostgreSQL store's tests), then checks
//! the API against its OpenAPI document with Schemathesis (`contract.rs`), and ends with the
//! package test (`package_test.rs`: both `.deb`s from the debug build, installed, run, purged).

use crate::{contract, install, package_test, sh};

/// Library crates that must never depend on the shells (tauri, axum).
const CORE_CRATES: &[&str] = &[
    "guichet-domain",
    "guichet-wire",
    "guichet-tickets",
    "guichet-store",
    "guichet-desk",
    "guichet-draw",
    "guichet-notices",
];

pub fn run() -> Result<(), String> {
    let root = crate::root();
    let started = std::time::Instant::now();
    install::apt(install::APT_PACKAGES)?;
    install::node()?;
    install::cups()?;
    let has_app = root.join("src-tauri/Cargo.toml").exists();
    if has_app {
        install::tauri_driver()?;
        ui(&root)?;
    }
    browser_test_deps(&root)?;
    sh::run(&root, "cargo", &["fmt", "--all", "--check"])?;
    sh::run(
        &root,
        "cargo",
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
    )?;
    core_never_knows_the_shell(&root)?;
    // Inside a throwaway PostgreSQL cluster: `pg_virtualenv` sets PGHOST, PGPORT, PGUSER,
    // PGPASSWORD and PGDATABASE for every test, and drops the cluster afterwards. fsync stays on
    // as in production (pg_virtualenv turns it off unless told); the tests' replicas need more
    // connections than the default 100.
    sh::run(
        &root,
        "pg_virtualenv",
        &[
            "-t",
            "-o",
            "fsync=on",
            "-o",
            "max_connections=400",
            "cargo",
            "test",
            "--workspace",
            "--no-fail-fast",
        ],
    )?;
    contract::run()?;
    if has_app {
        package_test::run()?;
    }
    println!(
        "\n✓ all checks and tests passed in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn ui(root: &std::path::Path) -> Result<(), String> {
    let ui = root.join("ui");
    if !ui.join("package.json").exists() {
        return Ok(());
    }
    sh::run(&ui, "npm", &["ci", "--no-audit", "--no-fund"])?;
    sh::run(&ui, "npm", &["run", "check"])?;
    sh::run(&ui, "npm", &["run", "lint"])?;
    sh::run(&ui, "npm", &["run", "build"])
}

/// axe-core for the console's browser tests (tests/browser/package.json, pinned by its lockfile).
fn browser_test_deps(root: &std::path::Path) -> Result<(), String> {
    sh::run(
        &root.join("tests/browser"),
        "npm",
        &["ci", "--no-audit", "--no-fund"],
    )
}

fn core_never_knows_the_shell(root: &std::path::Path) -> Result<(), String> {
    for krate in CORE_CRATES {
        for shell in ["tauri", "axum"] {
            let out = std::process::Command::new("cargo")
                .args(["tree", "-q", "-p", krate, "-i", shell, "-e", "normal"])
                .current_dir(root)
                .output()
                .map_err(|e| e.to_string())?;
            // cargo answers with an error when `shell` is not in the graph at all: that is
            // the good case; any tree printed means the core depends on a shell.
            if out.status.success() && !out.stdout.is_empty() {
                return Err(format!(
                    "{krate} depends on {shell}:\n{}",
                    String::from_utf8_lossy(&out.stdout)
                ));
            }
        }
    }
    println!("✓ core crates do not depend on tauri or axum");
    Ok(())
}
