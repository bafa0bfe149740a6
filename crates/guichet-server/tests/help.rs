//! Every binary of this crate answers `--help` (and `-h`) with its usage on stdout and exit 0,
//! without doing any work; an unknown flag is refused with a sentence and exit 2.

use std::path::Path;
use std::process::{Command, Output};

fn run_in(dir: &Path, exe: &str, args: &[&str]) -> Output {
    Command::new(exe)
        .args(args)
        .current_dir(dir)
        // A temporary directory that does not exist: a binary that started working would fail
        // on it rather than print usage (guichet-load makes its database there first).
        .env("TMPDIR", dir.join("absent"))
        .output()
        .unwrap()
}

fn assert_usage(out: &Output, what: &str) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{what}: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.to_lowercase().contains("usage"), "{what}: {stdout}");
    stdout
}

/// The sub-commands a clap help lists under "Commands:" (its own `help` left out).
fn commands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        // A command's line starts with two spaces; a wrapped description with more.
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect()
}

fn nothing_written(dir: &Path, what: &str) {
    let left: Vec<_> = std::fs::read_dir(dir).unwrap().collect();
    assert!(left.is_empty(), "{what} wrote {left:?}");
}

#[test]
fn guichet_server_and_each_of_its_commands_answer_help_and_do_nothing() {
    let exe = env!("CARGO_BIN_EXE_guichet-server");
    let dir = tempfile::tempdir().unwrap();
    let top = assert_usage(&run_in(dir.path(), exe, &["--help"]), "--help");
    assert_usage(&run_in(dir.path(), exe, &["-h"]), "-h");
    let cmds = commands(&top);
    for c in [
        "catalogue",
        "check",
        "import",
        "seed-demo",
        "enrol",
        "serve",
        "openapi",
    ] {
        assert!(cmds.iter().any(|x| x == c), "{c} missing from {cmds:?}");
    }
    for c in &cmds {
        for h in ["--help", "-h"] {
            // `import`, `serve`… would make guichet-server.sqlite in the working directory.
            let text = assert_usage(&run_in(dir.path(), exe, &[c, h]), &format!("{c} {h}"));
            assert!(text.contains(c.as_str()), "{c} {h}: {text}");
        }
    }
    nothing_written(dir.path(), "guichet-server <command> --help");
}

#[test]
fn guichet_server_refuses_an_unknown_flag_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(
        dir.path(),
        env!("CARGO_BIN_EXE_guichet-server"),
        &["serve", "--frobnicate"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("'--frobnicate'"), "{stderr}");
    nothing_written(dir.path(), "serve --frobnicate");
}

/// `guichet-load --help` used to run a full 10-second load test. Now it prints the usage and
/// starts nothing: no database is made (its temporary directory does not even exist, which
/// the old binary failed on at once) and no result is printed.
#[test]
fn guichet_load_answers_help_without_starting_a_load() {
    let exe = env!("CARGO_BIN_EXE_guichet-load");
    let dir = tempfile::tempdir().unwrap();
    for h in ["--help", "-h"] {
        let text = assert_usage(&run_in(dir.path(), exe, &[h]), h);
        for flag in [
            "--clients",
            "--seconds",
            "--orders",
            "--durability",
            "--accounts",
            "--skip-push",
        ] {
            assert!(text.contains(flag), "{h}: {flag} missing from {text}");
        }
        // The result lines a load prints ("throughput: 1234 orders/s", …).
        for result in ["throughput:", "orders/s", "oversold seats:"] {
            assert!(!text.contains(result), "{h} ran a load: {text}");
        }
    }
    nothing_written(dir.path(), "guichet-load --help");
}

#[test]
fn guichet_load_refuses_an_unknown_flag_or_value_with_exit_2() {
    let exe = env!("CARGO_BIN_EXE_guichet-load");
    let dir = tempfile::tempdir().unwrap();
    for (args, word) in [
        (&["--frobnicate"][..], "'--frobnicate'"),
        (&["--durability", "sometimes"], "'sometimes'"),
        (&["--clients", "many"], "'many'"),
    ] {
        let out = run_in(dir.path(), exe, args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(word), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?} printed results");
    }
    nothing_written(dir.path(), "guichet-load with a bad flag");
}
