//! `cargo xtask package`: the server's `.deb` (cargo-deb, release profile), then checked:
//! `lintian` (no errors) and `systemd-analyze verify` on the unit as installed by the package.
//! Not part of `cargo xtask test` yet (time budget): run it on its own.

use std::path::Path;

use crate::{install, root, sh};

/// The cargo-deb release this was made with.
const CARGO_DEB: &str = "3.8.0";

fn target_dir(root: &Path) -> std::path::PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

/// Builds and checks the server package; prints where it is.
pub fn run() -> Result<(), String> {
    let root = root();
    install::apt(&["lintian", "systemd", "dpkg-dev"])?;
    if !sh::ok("cargo", &["deb", "--version"]) {
        sh::run(
            &root,
            "cargo",
            &["install", "cargo-deb", "--locked", "--version", CARGO_DEB],
        )?;
    }
    sh::run(&root, "cargo", &["deb", "-p", "guichet-server"])?;
    let debian = target_dir(&root).join("debian");
    let deb = std::fs::read_dir(&debian)
        .map_err(|e| format!("{}: {e}", debian.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("guichet-server_") && n.ends_with(".deb"))
        })
        .max_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok())
        .ok_or_else(|| {
            format!(
                "cargo deb made no guichet-server_*.deb in {}",
                debian.display()
            )
        })?;
    let deb_s = deb.to_str().ok_or("the package path is not UTF-8")?;
    sh::run(&root, "lintian", &["--fail-on", "error", deb_s])?;
    let unpacked = debian.join("unpacked");
    let _ = std::fs::remove_dir_all(&unpacked);
    let un = unpacked.to_str().ok_or("the unpack path is not UTF-8")?;
    sh::run(&root, "dpkg-deb", &["-x", deb_s, un])?;
    // `verify` checks that ExecStart exists: point it at the unpacked binary.
    let unit = unpacked.join("usr/lib/systemd/system/guichet-server.service");
    let text = std::fs::read_to_string(&unit).map_err(|e| format!("{}: {e}", unit.display()))?;
    let check_dir = debian.join("unit-check");
    std::fs::create_dir_all(&check_dir).map_err(|e| format!("{}: {e}", check_dir.display()))?;
    let checked = check_dir.join("guichet-server.service");
    let text = text.replace("ExecStart=/usr/bin/", &format!("ExecStart={un}/usr/bin/"));
    std::fs::write(&checked, text).map_err(|e| format!("{}: {e}", checked.display()))?;
    let checked_s = checked.to_str().unwrap_or_default();
    sh::run(&root, "systemd-analyze", &["verify", checked_s])?;
    sh::run(
        &root,
        "systemd-analyze",
        &["security", "--offline=yes", checked_s],
    )?;
    println!("\n✓ {} (lintian: no errors; unit verified)", deb.display());
    Ok(())
}
