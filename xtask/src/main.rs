//! `cargo xtask <task>`: the project's set-up, test and demo commands.
//!
//! - `test`: install what is missing (apt packages, tauri-driver, npm packages, CUPS), then
//!   format check, clippy, every test of the workspace, and the API contract.
//! - `contract`: Schemathesis against `docs/openapi.json` and the real server (see
//!   `contract.rs`).
//! - `demo`: run the product.
//! - `derive-catalogue`: regenerate `data/paris2024/{prices,paralympic_sessions}.csv`.
//! - `package`: the server's and the app's `.deb`s (release), checked with lintian,
//!   systemd-analyze and dpkg-shlibdeps (`package.rs`, `app_deb.rs`).
//! - `package-test`: both `.deb`s from the debug profile, checked, installed, run and purged
//!   (`package_test.rs`; the test task ends with it).

mod app_deb;
mod contract;
mod demo;
mod derive;
mod http;
mod install;
mod package;
mod package_test;
mod sh;
mod test;

use std::process::ExitCode;

/// What runs a task.
type Task = fn() -> Result<(), String>;

/// The tasks: name, what it does (one line), and the function that does it.
const TASKS: &[(&str, &str, Task)] = &[
    (
        "test",
        "install what is missing (Debian packages, tauri-driver, npm packages, a CUPS queue), then cargo fmt --check, clippy -D warnings, the UI's checks, every test of the workspace, the API contract (Schemathesis) and the package test (both .debs installed, run, purged)",
        test::run,
    ),
    (
        "demo",
        "run the product: the central server (seeded, its clock inside the pack sale), the rules tool on an example, and the desk app when there is a display",
        demo::run,
    ),
    (
        "derive-catalogue",
        "regenerate data/paris2024/{prices,paralympic_sessions}.csv from the sourced files",
        derive::run,
    ),
    (
        "contract",
        "the API contract alone: Schemathesis against docs/openapi.json and the real guichet-server on 127.0.0.1 (the test task ends with it)",
        contract::run,
    ),
    (
        "package",
        "both .debs, release: the server's (cargo-deb: a hardened systemd unit, /etc/guichet/server.toml, the catalogue under /usr/share/guichet) and the app's (Tauri's bundler: desktop entry, icons, Depends); checked with lintian, systemd-analyze verify and dpkg-shlibdeps",
        package::run,
    ),
    (
        "package-test",
        "both .debs from the debug profile, checked as `package` checks them, installed with apt-get, run (the server answers /healthz, the app shows sign-in under Xvfb) and purged (the test task ends with it)",
        package_test::run,
    ),
];

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
enum Parsed {
    /// Print this on stdout and exit 0.
    Help(String),
    /// Run the task of this index in [`TASKS`].
    Run(usize),
    /// Print this on stderr and exit 2.
    Bad(String),
}

fn is_help(a: &str) -> bool {
    matches!(a, "--help" | "-h" | "help")
}

fn usage() -> String {
    let mut s = String::from("usage: cargo xtask <task>\n\ntasks:\n");
    for (name, what, _) in TASKS {
        s.push_str(&format!("  {name:<17} {what}\n"));
    }
    s.push_str("\n`cargo xtask <task> --help` says what one task does.\n");
    s
}

fn parse(args: &[String]) -> Parsed {
    let Some(first) = args.first() else {
        return Parsed::Bad(format!("no task given — name one\n\n{}", usage()));
    };
    if is_help(first) {
        return Parsed::Help(usage());
    }
    let Some(i) = TASKS.iter().position(|(name, _, _)| name == first) else {
        let names: Vec<&str> = TASKS.iter().map(|t| t.0).collect();
        return Parsed::Bad(format!(
            "there is no task {first:?} — choose one of {} (cargo xtask --help)",
            names.join(", ")
        ));
    };
    let (name, what, _) = TASKS[i];
    match args.get(1) {
        None => Parsed::Run(i),
        Some(a) if is_help(a) => Parsed::Help(format!("usage: cargo xtask {name}\n\n{what}\n")),
        Some(a) => Parsed::Bad(format!(
            "`{name}` takes no arguments, and {a:?} was given — run `cargo xtask {name}`"
        )),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let i = match parse(&args) {
        Parsed::Help(text) => {
            print!("{text}");
            return ExitCode::SUCCESS;
        }
        Parsed::Bad(why) => {
            eprintln!("xtask: {why}");
            return ExitCode::from(2);
        }
        Parsed::Run(i) => i,
    };
    match (TASKS[i].2)() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The repository root (xtask lives one level below it). Read at run time: a build cache
/// shared between checkouts may hold an xtask compiled in another directory.
fn root() -> std::path::PathBuf {
    std::path::Path::new(
        &*std::env::var("CARGO_MANIFEST_DIR")
            .unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_string()),
    )
    .parent()
    .expect("xtask sits in the repository root")
    .to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(args: &[&str]) -> Parsed {
        parse(&args.iter().map(|a| a.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn help_is_asked_for_with_help_or_h_alone_or_after_a_task() {
        for h in ["--help", "-h", "help"] {
            let Parsed::Help(text) = p(&[h]) else {
                panic!("{h}: not help");
            };
            assert!(text.starts_with("usage: cargo xtask <task>"), "{text}");
            for (name, _, _) in TASKS {
                assert!(text.contains(name), "{name} missing from {text}");
            }
            let Parsed::Help(text) = p(&["test", h]) else {
                panic!("test {h}: not help");
            };
            assert!(text.starts_with("usage: cargo xtask test\n"), "{text}");
        }
    }

    #[test]
    fn a_task_alone_runs_and_anything_else_is_refused_with_a_sentence() {
        assert_eq!(p(&["demo"]), Parsed::Run(1));
        let Parsed::Bad(why) = p(&["tset"]) else {
            panic!("an unknown task must be refused");
        };
        assert!(
            why.contains("\"tset\"") && why.contains("test, demo, derive-catalogue"),
            "{why}"
        );
        let Parsed::Bad(why) = p(&["test", "--release"]) else {
            panic!("an unknown flag must be refused");
        };
        assert!(why.contains("\"--release\""), "{why}");
        assert!(matches!(p(&[]), Parsed::Bad(_)));
    }
}
