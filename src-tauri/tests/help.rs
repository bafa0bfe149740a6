//! `guichet-app --help` prints its usage and exits 0 without opening a window: run with no
//! display and a desk file in a directory that does not exist, the app itself could only fail.

use std::process::Command;

#[test]
fn help_prints_the_usage_and_the_environment_and_opens_no_window() {
    for flag in ["--help", "-h"] {
        let out = Command::new(env!("CARGO_BIN_EXE_guichet-app"))
            .arg(flag)
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .env("GUICHET_DESK_DB", "/nonexistent/guichet/desk.sqlite")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{flag}: {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.to_lowercase().contains("usage"), "{flag}: {stdout}");
        for var in [
            "GUICHET_DESK_DB",
            "GUICHET_DEMO",
            "GUICHET_LANG",
            "GUICHET_SERVER_URL",
        ] {
            assert!(stdout.contains(var), "{flag}: {var} missing from {stdout}");
        }
    }
}
