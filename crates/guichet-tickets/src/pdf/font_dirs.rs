//! Where the fallback fonts are looked for: the directories of `GUICHET_FONT_DIRS` (separated
//! by `:`), then `~/.local/share/fonts` and the standard ones Debian installs font packages
//! into (`/usr/share/fonts`, `/usr/local/share/fonts`), unless `GUICHET_SYSTEM_FONTS=off`. Files are found by name
//! (`NotoSansArabic-Regular.ttf`), the way the packages spell them, by walking the directories.
//!
//! A walk rather than fontconfig: the files are the ones Debian's `fonts-noto-core` and
//! `fonts-noto-cjk` ship, so their names are known; a walk finds them in a directory fontconfig
//! was never told about (a developer's unpacked `.deb`), needs no `fc-list` process, and gives the
//! same answer on every machine with the same files.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The environment variable naming extra font directories, searched before the standard ones.
pub const FONT_DIRS_VAR: &str = "GUICHET_FONT_DIRS";

/// Set to `off`, the standard directories are not searched: only `GUICHET_FONT_DIRS` and the
/// embedded DejaVu count (a machine without the Noto packages, for tests and kiosks).
pub const SYSTEM_FONTS_VAR: &str = "GUICHET_SYSTEM_FONTS";

/// The Debian packages that hold the fallback fonts: the way out when a script does not print.
pub const FONT_PACKAGES: &str = "fonts-noto-core fonts-noto-cjk";

const STANDARD_DIRS: &[&str] = &["/usr/share/fonts", "/usr/local/share/fonts"];

/// Files found, by file name; the first directory searched wins. Walked once per process: fonts
/// installed while the app runs are seen at its next start.
fn index() -> &'static HashMap<String, PathBuf> {
    static INDEX: OnceLock<HashMap<String, PathBuf>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut found = HashMap::new();
        for dir in search_dirs() {
            walk(&dir, 0, &mut found);
        }
        found
    })
}

/// The directories searched, in order.
pub fn search_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os(FONT_DIRS_VAR)
        .map(|v| std::env::split_paths(&v).collect())
        .unwrap_or_default();
    if std::env::var(SYSTEM_FONTS_VAR).is_ok_and(|v| v == "off") {
        return dirs;
    }
    if let Some(home) = std::env::var_os("HOME") {
        dirs.push(Path::new(&home).join(".local/share/fonts"));
    }
    dirs.extend(STANDARD_DIRS.iter().map(PathBuf::from));
    dirs.retain(|d| !d.as_os_str().is_empty());
    dirs
}

fn walk(dir: &Path, depth: usize, found: &mut HashMap<String, PathBuf>) {
    // Font trees are shallow (`/usr/share/fonts/truetype/noto/`); a bound keeps a symlink
    // loop from hanging the first ticket.
    if depth > 6 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(&path, depth + 1, found);
        } else if let Some(name) = path.file_name().and_then(|n| n.to_str()) {
            found
                .entry(name.to_string())
                .or_insert_with(|| path.clone());
        }
    }
}

/// The path of the font file called `file_name`, if one of the directories holds it.
pub(crate) fn find(file_name: &str) -> Option<&'static Path> {
    index().get(file_name).map(PathBuf::as_path)
}
