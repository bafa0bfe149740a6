//! The kiosk's systemd unit (`packaging/kiosk/guichet-kiosk.service`): `systemd-analyze verify`
//! accepts it with no warning about it (which needs `/usr/bin/cage`, Debian package `cage`,
//! since verify checks that `ExecStart`'s program exists), it runs the app under cage with
//! `Restart=always`, and the same check does catch a broken copy.

use std::path::{Path, PathBuf};
use std::process::Command;

fn unit() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../packaging/kiosk/guichet-kiosk.service")
}

/// `systemd-analyze verify` on `path`: its success and the lines it wrote about the file.
fn verify(path: &Path) -> (bool, Vec<String>) {
    let out = Command::new("systemd-analyze")
        .arg("verify")
        .arg(path)
        .output()
        .unwrap_or_else(|e| panic!("systemd-analyze runs (Debian package systemd): {e}"));
    let name = path.file_name().expect("a file name").to_string_lossy();
    let about: Vec<String> = String::from_utf8_lossy(&out.stderr)
        .lines()
        .chain(String::from_utf8_lossy(&out.stdout).lines())
        .filter(|l| l.contains(name.as_ref()))
        .map(str::to_owned)
        .collect();
    (out.status.success(), about)
}

/// The value of `key=` in the unit (the last one wins, as in systemd).
fn value(text: &str, key: &str) -> Option<String> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix(&format!("{key}=")))
        .next_back()
        .map(str::to_owned)
}

#[test]
fn the_kiosk_unit_verifies_and_runs_the_app_under_cage_restarting_always() {
    assert!(
        Path::new("/usr/bin/cage").exists(),
        "/usr/bin/cage is missing: apt-get install cage (xtask APT_PACKAGES lists it)"
    );
    let path = unit();
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let (ok, about) = verify(&path);
    assert!(
        ok && about.is_empty(),
        "systemd-analyze verify accepts the unit without a warning about it: {about:#?}"
    );
    let exec = value(&text, "ExecStart").expect("the unit has an ExecStart");
    assert!(
        exec.starts_with("/usr/bin/cage ") && exec.ends_with("-- /usr/bin/guichet-app"),
        "the unit runs the app alone under cage: {exec}"
    );
    for (key, want) in [
        ("Restart", "always"),
        ("RestartSec", "2"),
        ("TTYPath", "/dev/tty1"),
        ("User", "guichet-kiosk"),
        ("Environment", "GDK_BACKEND=wayland"),
    ] {
        assert_eq!(
            value(&text, key).as_deref(),
            Some(want),
            "the unit sets {key}={want}"
        );
    }
    assert!(
        text.contains("Environment=XDG_RUNTIME_DIR=/run/guichet-kiosk")
            && text.contains("Environment=GUICHET_DEVICE_KIND=kiosk"),
        "the unit gives cage its runtime folder and the app its device kind"
    );

    // The check can fail: a typo and a missing program are reported.
    let dir = tempfile::tempdir().expect("a temp dir");
    let broken = dir.path().join("guichet-kiosk.service");
    let bad = text
        .replace("Restart=always", "Restart=alwayz")
        .replace("/usr/bin/cage", "/usr/bin/cage-missing");
    std::fs::write(&broken, bad).expect("write the broken copy");
    let (ok, about) = verify(&broken);
    assert!(
        !ok && about.iter().any(|l| l.contains("alwayz")),
        "verify reports the missing program and the bad restart value: {about:#?}"
    );
}
