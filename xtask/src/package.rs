//! `cargo xtask package`: both `.deb`s from the release profile — the server (cargo-deb) and
//! the desktop app (Tauri's bundler, `app_deb.rs`) — then checked: `lintian` (no errors),
//! `systemd-analyze verify` on the server's unit as the package installs it, and the app's
//! `Depends` against what its binary links. The package test (`package_test.rs`) builds them
//! from the debug profile with the same functions.

use std::path::{Path, PathBuf};

use crate::{app_deb, install, root, sh};

/// The cargo-deb release this was made with.
const CARGO_DEB: &str = "3.8.0";

/// Debian packages the packaging and its checks use.
pub const TOOLS: &[&str] = &["lintian", "systemd", "dpkg-dev", "desktop-file-utils"];

/// Which cargo profile the packages are built from.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Profile {
    /// `cargo xtask package`: what is shipped.
    Release,
    /// The package test inside `cargo xtask test`: the binaries the tests already built.
    Debug,
}

impl Profile {
    /// The directory under the target dir.
    pub fn dir(self) -> &'static str {
        match self {
            Profile::Release => "release",
            Profile::Debug => "debug",
        }
    }
}

/// The two packages built.
pub struct Debs {
    pub server: PathBuf,
    pub app: PathBuf,
}

pub fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

/// Builds and checks both release packages; prints where they are and their sizes.
pub fn run() -> Result<(), String> {
    let debs = build_and_check(Profile::Release)?;
    for deb in [&debs.server, &debs.app] {
        let size = std::fs::metadata(deb).map(|m| m.len()).unwrap_or(0);
        println!("✓ {} ({size} bytes)", deb.display());
    }
    Ok(())
}

/// Builds both packages from `profile` and checks them.
pub fn build_and_check(profile: Profile) -> Result<Debs, String> {
    let root = root();
    install::apt(TOOLS)?;
    if profile == Profile::Debug {
        // The binaries `cargo test --workspace` builds (the e2e and system tests run them):
        // after the test task's own `cargo test` this builds nothing, where `cargo build -p`
        // of each would build part of their dependencies again with other features.
        sh::run(&root, "cargo", &["test", "--workspace", "--no-run"])?;
    }
    let server = server_deb(&root, profile)?;
    check_server(&root, &server)?;
    let app = app_deb::build(&root, profile)?;
    app_deb::check(&root, &app)?;
    Ok(Debs { server, app })
}

fn server_deb(root: &Path, profile: Profile) -> Result<PathBuf, String> {
    if !sh::ok("cargo", &["deb", "--version"]) {
        sh::run(
            root,
            "cargo",
            &["install", "cargo-deb", "--locked", "--version", CARGO_DEB],
        )?;
    }
    let debian = target_dir(root).join("debian");
    let out = debian.join(profile.dir());
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let out_s = out.to_str().ok_or("the target path is not UTF-8")?;
    let mut args = vec!["deb", "-p", "guichet-server", "--output", out_s];
    if profile == Profile::Debug {
        // cargo-deb maps the assets' `target/release/` to the profile's directory.
        // The binary built above; `--fast`: lighter compression, a bigger file, seconds
        // instead of a minute here.
        args.extend(["--profile", "dev", "--no-build", "--fast"]);
    }
    sh::run(root, "cargo", &args)?;
    newest(&out, "guichet-server_")
}

/// The newest `PREFIX*.deb` in `dir`.
pub fn newest(dir: &Path, prefix: &str) -> Result<PathBuf, String> {
    std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix) && n.ends_with(".deb"))
        })
        .max_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok())
        .ok_or_else(|| format!("no {prefix}*.deb was made in {}", dir.display()))
}

/// `lintian --fail-on error`.
pub fn lintian(root: &Path, deb: &Path) -> Result<(), String> {
    let deb_s = deb.to_str().ok_or("the package path is not UTF-8")?;
    sh::run(root, "lintian", &["--fail-on", "error", deb_s])
}

/// Unpacks `deb` into `dir` (emptied first).
pub fn unpack(root: &Path, deb: &Path, dir: &Path) -> Result<(), String> {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let deb_s = deb.to_str().ok_or("the package path is not UTF-8")?;
    let dir_s = dir.to_str().ok_or("the unpack path is not UTF-8")?;
    sh::run(root, "dpkg-deb", &["-x", deb_s, dir_s])
}

fn check_server(root: &Path, deb: &Path) -> Result<(), String> {
    lintian(root, deb)?;
    let work = deb.with_extension("check");
    let unpacked = work.join("unpacked");
    unpack(root, deb, &unpacked)?;
    let un = unpacked.to_str().ok_or("the unpack path is not UTF-8")?;
    // `verify` checks that ExecStart exists: point it at the unpacked binary.
    let unit = unpacked.join("usr/lib/systemd/system/guichet-server.service");
    let text = std::fs::read_to_string(&unit).map_err(|e| format!("{}: {e}", unit.display()))?;
    let checked = work.join("guichet-server.service");
    let text = text.replace("ExecStart=/usr/bin/", &format!("ExecStart={un}/usr/bin/"));
    std::fs::write(&checked, text).map_err(|e| format!("{}: {e}", checked.display()))?;
    let checked_s = checked.to_str().unwrap_or_default();
    sh::run(root, "systemd-analyze", &["verify", checked_s])?;
    sh::run(
        root,
        "systemd-analyze",
        &["security", "--offline=yes", checked_s],
    )?;
    println!("✓ {} (lintian: no errors; unit verified)", deb.display());
    Ok(())
}
