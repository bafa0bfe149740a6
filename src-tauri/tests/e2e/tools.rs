//! The external programs the end-to-end tests drive. Missing ones fail the test with the
//! command that installs them: a skipped window test would look like a passing one.

use std::env;
use std::path::{Path, PathBuf};

/// Absolute paths of the programs an end-to-end run starts.
pub struct Tools {
    /// `tauri-driver`: WebDriver front for Tauri apps (`cargo install tauri-driver`).
    pub tauri_driver: PathBuf,
    /// WebKitGTK's WebDriver server (Debian package `webkit2gtk-driver`).
    pub webkit_webdriver: PathBuf,
    /// The virtual X server (Debian package `xvfb`).
    pub xvfb: PathBuf,
}

fn on_path(name: &str) -> Option<PathBuf> {
    env::split_paths(&env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .map(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

/// `$override_var` if set, else the first of `candidates` found, else `name` on `PATH`.
fn find(name: &str, override_var: &str, candidates: &[PathBuf]) -> Result<PathBuf, String> {
    if let Some(path) = env::var_os(override_var) {
        let path = PathBuf::from(path);
        return if is_executable(&path) {
            Ok(path)
        } else {
            Err(format!(
                "{override_var}={} is not an executable file",
                path.display()
            ))
        };
    }
    candidates
        .iter()
        .find(|candidate| is_executable(candidate))
        .cloned()
        .or_else(|| on_path(name))
        .ok_or_else(|| format!("{name} not found (nor {override_var} set)"))
}

impl Tools {
    /// Finds every tool, or panics listing all that are missing and how to install them.
    pub fn find() -> Self {
        let cargo_bin = env::var_os("CARGO_HOME")
            .map(PathBuf::from)
            .or_else(|| env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))
            .map(|home| home.join("bin/tauri-driver"));
        let tauri_driver = find("tauri-driver", "TAURI_DRIVER", &Vec::from_iter(cargo_bin));
        let webkit_webdriver = find(
            "WebKitWebDriver",
            "WEBKIT_WEBDRIVER",
            &[PathBuf::from("/usr/bin/WebKitWebDriver")],
        );
        let xvfb = find("Xvfb", "XVFB", &[]);
        match (tauri_driver, webkit_webdriver, xvfb) {
            (Ok(tauri_driver), Ok(webkit_webdriver), Ok(xvfb)) => Self {
                tauri_driver,
                webkit_webdriver,
                xvfb,
            },
            (tauri_driver, webkit_webdriver, xvfb) => {
                let mut missing = Vec::new();
                if let Err(why) = tauri_driver {
                    missing.push(format!(
                        "  - {why}: cargo install tauri-driver --version '^2' --locked"
                    ));
                }
                if let Err(why) = webkit_webdriver {
                    missing.push(format!("  - {why}: apt-get install webkit2gtk-driver"));
                }
                if let Err(why) = xvfb {
                    missing.push(format!("  - {why}: apt-get install xvfb xauth"));
                }
                panic!(
                    "e2e: the window tests need tools that are missing:\n{}\n\
                     (run only the other tests with `cargo test -p guichet-app --lib --test ipc`)",
                    missing.join("\n")
                );
            }
        }
    }
}
