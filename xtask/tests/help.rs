//! `cargo xtask --help`: the real binary prints its usage and exits 0 without running a task.

use std::process::Command;

fn xtask(args: &[&str]) -> std::process::Output {
    // No PATH and a root that does not exist: a task that ran by mistake (`test` installs
    // packages and runs every test) finds no program to start and fails at once.
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .env("PATH", "")
        .env("CARGO_MANIFEST_DIR", "/nonexistent/guichet/xtask")
        .output()
        .unwrap()
}

#[test]
fn help_prints_the_usage_on_stdout_and_exits_0() {
    for args in [
        &["--help"][..],
        &["-h"],
        &["test", "--help"],
        &["demo", "-h"],
        &["derive-catalogue", "--help"],
    ] {
        let out = xtask(args);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stdout}");
        assert!(
            stdout.to_lowercase().contains("usage"),
            "{args:?}: {stdout}"
        );
        assert!(
            out.stderr.is_empty(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn an_unknown_task_or_flag_exits_2_with_a_sentence() {
    for args in [&["--frobnicate"][..], &["test", "--frobnicate"]] {
        let out = xtask(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("\"--frobnicate\""), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty());
    }
}
