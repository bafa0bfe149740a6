//! The desktop app's `.deb`, made by Tauri's bundler (`@tauri-apps/cli`, pinned in
//! `packaging/app/package.json` to the `tauri` crate's version) from the `bundle` section of
//! `src-tauri/tauri.conf.json`, and its checks: lintian, the desktop entry, an icon at every
//! hicolor size, and `Depends` covering every library the binary links (`dpkg-shlibdeps`).

use std::path::{Path, PathBuf};

use crate::package::{self, target_dir, Profile};
use crate::sh;

/// The Debian package's name (Tauri's: the product name in lower case).
pub const PACKAGE: &str = "guichet";

/// Where the package puts the binary and the desktop entry.
pub const BINARY: &str = "/usr/bin/guichet-app";
const DESKTOP: &str = "usr/share/applications/Guichet.desktop";

/// The hicolor sizes the package must install an icon at.
const ICON_SIZES: [u32; 8] = [16, 24, 32, 48, 64, 128, 256, 512];

/// What the app needs besides the libraries it links: the Noto fonts the tickets and the
/// window draw holders' names with, and `lp` to print tickets.
const NEEDED: [&str; 3] = ["fonts-noto-core", "fonts-noto-cjk", "cups-client"];

/// Builds the app (release: `tauri build --no-bundle`; debug: already built), strips it, and
/// bundles it; returns the `.deb`.
pub fn build(root: &Path, profile: Profile) -> Result<PathBuf, String> {
    let ui = root.join("ui");
    if profile == Profile::Release || !ui.join("dist/index.html").exists() {
        // The app embeds ui/dist when it is compiled.
        sh::run(&ui, "npm", &["ci", "--no-audit", "--no-fund"])?;
        sh::run(&ui, "npm", &["run", "build"])?;
    }
    let cli_dir = root.join("packaging/app");
    let tauri = cli_dir.join("node_modules/.bin/tauri");
    if !tauri.exists() {
        sh::run(&cli_dir, "npm", &["ci", "--no-audit", "--no-fund"])?;
    }
    let tauri = tauri.to_str().ok_or("the repository path is not UTF-8")?;
    let app_dir = root.join("src-tauri");
    match profile {
        Profile::Release => sh::run(&app_dir, tauri, &["build", "--no-bundle"])?,
        // Built by `package::build_and_check` (`cargo test --workspace --no-run`).
        Profile::Debug => {}
    }
    let target = target_dir(root);
    let binary = target.join(profile.dir()).join("guichet-app");
    // Debian ships stripped binaries (lintian: unstripped-binary-or-object). Rewriting the
    // build's own output is harmless: cargo relinks only when a source changes.
    let binary_s = binary.to_str().ok_or("the target path is not UTF-8")?;
    sh::run(root, "strip", &["--strip-all", binary_s])?;
    let extra = target.join("app-deb").join(profile.dir());
    std::fs::create_dir_all(&extra).map_err(|e| format!("{}: {e}", extra.display()))?;
    // Tauri would file its `changelog` under /usr/share/doc/<product name>, which is not the
    // package's name: both compressed files go in through `files` instead.
    let changelog = gzip(
        &root.join("packaging/app/changelog"),
        &extra,
        "changelog.gz",
    )?;
    let man = gzip(
        &root.join("packaging/app/guichet-app.1"),
        &extra,
        "guichet-app.1.gz",
    )?;
    let config = serde_json::json!({"bundle": {"linux": {"deb": {"files": {
        format!("/usr/share/doc/{PACKAGE}/changelog.gz"): changelog,
        "/usr/share/man/man1/guichet-app.1.gz": man,
    }}}}});
    let config = config.to_string();
    let mut args = vec!["bundle", "--bundles", "deb", "--config", &config];
    if profile == Profile::Debug {
        args.push("--debug");
    }
    sh::run(&app_dir, tauri, &args)?;
    package::newest(&target.join(profile.dir()).join("bundle/deb"), "Guichet_")
}

/// `gzip -9n` (no name, no time stamp: the same bytes at every build) of `src` into `dir/name`.
fn gzip(src: &Path, dir: &Path, name: &str) -> Result<String, String> {
    let out = dir.join(name);
    let bytes = std::process::Command::new("gzip")
        .args(["-9n", "-c"])
        .arg(src)
        .output()
        .map_err(|e| format!("cannot run gzip: {e}"))?;
    if !bytes.status.success() {
        return Err(format!("gzip {} failed ({})", src.display(), bytes.status));
    }
    std::fs::write(&out, bytes.stdout).map_err(|e| format!("{}: {e}", out.display()))?;
    out.to_str()
        .map(str::to_string)
        .ok_or_else(|| "the target path is not UTF-8".into())
}

/// lintian, the desktop entry, the icons and `Depends`.
pub fn check(root: &Path, deb: &Path) -> Result<(), String> {
    package::lintian(root, deb)?;
    let unpacked = deb.with_extension("check");
    package::unpack(root, deb, &unpacked)?;
    let desktop = unpacked.join(DESKTOP);
    let desktop_s = desktop.to_str().ok_or("the unpack path is not UTF-8")?;
    sh::run(root, "desktop-file-validate", &[desktop_s])?;
    for size in ICON_SIZES {
        let icon = unpacked.join(format!(
            "usr/share/icons/hicolor/{size}x{size}/apps/guichet-app.png"
        ));
        let png = std::fs::read(&icon).map_err(|e| {
            format!(
                "the package has no {size}×{size} icon ({}: {e}): add a {size}x{size}.png to the bundle's icon list in src-tauri/tauri.conf.json (packaging/app/icons/generate.sh makes them)",
                icon.display()
            )
        })?;
        let width = png
            .get(16..20)
            .map(|w| u32::from_be_bytes([w[0], w[1], w[2], w[3]]));
        if !png.starts_with(b"\x89PNG") || width != Some(size) {
            return Err(format!(
                "{} is not a {size}-pixel-wide PNG (width {width:?})",
                icon.display()
            ));
        }
    }
    let depends = field(deb, "Depends")?;
    let declared = names(&depends);
    let linked = shlibdeps(&unpacked.join(BINARY.trim_start_matches('/')))?;
    let missing: Vec<&str> = linked
        .iter()
        .map(String::as_str)
        .chain(NEEDED)
        .filter(|p| !declared.iter().any(|d| d == p))
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "the app's Depends ({depends}) lacks {} — the binary links them (dpkg-shlibdeps) or the app runs them; add them to bundle.linux.deb.depends in src-tauri/tauri.conf.json",
            missing.join(", ")
        ));
    }
    println!(
        "✓ {} (lintian: no errors; desktop entry valid; icons at {ICON_SIZES:?} px; Depends covers the {} linked libraries' packages)",
        deb.display(),
        linked.len()
    );
    Ok(())
}

/// A field of the package's control file.
fn field(deb: &Path, name: &str) -> Result<String, String> {
    let out = std::process::Command::new("dpkg-deb")
        .arg("-f")
        .arg(deb)
        .arg(name)
        .output()
        .map_err(|e| format!("cannot run dpkg-deb: {e}"))?;
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The package names of a relation field (`a (>= 1), b | c` → a, b, c).
fn names(field: &str) -> Vec<String> {
    field
        .split([',', '|'])
        .filter_map(|p| p.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

/// The packages `dpkg-shlibdeps` says the binary needs.
fn shlibdeps(binary: &Path) -> Result<Vec<String>, String> {
    let dir = binary
        .parent()
        .and_then(Path::parent)
        .ok_or("the binary has no parent directory")?
        .join("shlibdeps");
    std::fs::create_dir_all(dir.join("debian")).map_err(|e| format!("{}: {e}", dir.display()))?;
    std::fs::write(
        dir.join("debian/control"),
        format!("Source: {PACKAGE}\n\nPackage: {PACKAGE}\nArchitecture: any\n"),
    )
    .map_err(|e| format!("{}: {e}", dir.display()))?;
    let out = std::process::Command::new("dpkg-shlibdeps")
        .arg("-O")
        .arg(binary)
        .current_dir(&dir)
        .output()
        .map_err(|e| format!("cannot run dpkg-shlibdeps: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("shlibs:Depends="))
        .ok_or_else(|| {
            format!(
                "dpkg-shlibdeps said nothing of {} ({}): {}",
                binary.display(),
                out.status,
                String::from_utf8_lossy(&out.stderr)
            )
        })?;
    Ok(names(line))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_relation_field_gives_each_package_name_once_per_mention() {
        assert_eq!(
            super::names("libc6 (>= 2.34), fonts-noto-core, a | b (<< 2)"),
            ["libc6", "fonts-noto-core", "a", "b"],
            "versions and alternatives are split off, names kept in order"
        );
    }
}
