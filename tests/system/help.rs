//! The server under test answers `--help` as `guichet-server` does: usage on stdout, exit 0,
//! no database made and no port bound (`serve --help` returns instead of serving).

use std::process::Command;

#[test]
fn the_server_under_test_answers_help_without_serving() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["--help"][..],
        &["-h"],
        &["serve", "--help"],
        &["serve", "-h"],
        &["import", "--help"],
    ] {
        let out = Command::new(super::BIN)
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            stdout.to_lowercase().contains("usage"),
            "{args:?}: {stdout}"
        );
        assert!(!stdout.contains("listening"), "{args:?} served: {stdout}");
    }
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(left.is_empty(), "--help wrote {left:?}");
}
