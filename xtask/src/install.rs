//! Installs what the tests and the demo need on a fresh Debian machine, only when missing.

use crate::sh;

/// Debian packages: Tauri's build and WebDriver needs, PDF/QR tools, CUPS with a PDF printer.
pub const APT_PACKAGES: &[&str] = &[
    "build-essential",
    "pkg-config",
    "libssl-dev",
    "libwebkit2gtk-4.1-dev",
    "libgtk-3-dev",
    "libsoup-3.0-dev",
    "libayatana-appindicator3-dev",
    "librsvg2-dev",
    "xvfb",
    "xauth",
    "webkit2gtk-driver",
    "poppler-utils",
    "zbar-tools",
    "imagemagick",
    "cups",
    "cups-client",
    "printer-driver-cups-pdf",
    "fonts-dejavu-core",
    // Ticket fonts for every script (Arabic, Hebrew, Devanagari, Thai, CJK, Hangul), found at
    // run time by guichet-tickets and never committed; the WebView draws names with them too.
    "fonts-noto-core",
    "fonts-noto-cjk",
    "sqlite3",
    // The draw's stand-alone checker (docs/draw_check.py) in the tests and the demo.
    "python3",
    // bindgen needs it: the desk store builds SQLite with its session extension (the mirror
    // journal, docs/backups.md).
    "libclang-dev",
    // The kiosk's speech mode (src-tauri/src/speech.rs) and its tests.
    "espeak-ng",
    // xwininfo: the single-instance e2e test counts the windows on the display.
    "x11-utils",
    // The kiosk's systemd unit runs the app under cage; its test (`systemd-analyze verify`)
    // needs /usr/bin/cage to exist.
    "cage",
    // The package test (docs/packages.md): lintian, dpkg-shlibdeps, desktop-file-validate.
    "lintian",
    "dpkg-dev",
    "desktop-file-utils",
    // The console's browser tests (tests/system/console_browser.rs): headless Chromium driven
    // by chromedriver.
    "chromium",
    "chromium-driver",
    // PostgreSQL, the server's second store (issue #13, docs/deploy-postgres.md): the tests run
    // inside a throwaway cluster made by `pg_virtualenv` (postgresql-common) from the server's
    // binaries (postgresql-15, which also has `pgbench`); `psql` (postgresql-client-15) makes
    // each test's database and checks its invariants in SQL.
    "postgresql-15",
    "postgresql-client-15",
    "postgresql-common",
];

fn missing_packages(list: &[&str]) -> Vec<String> {
    list.iter()
        .filter(|p| {
            let out = std::process::Command::new("dpkg-query")
                .args(["-W", "-f=${Status}", p])
                .output();
            !out.is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
        })
        .map(|p| p.to_string())
        .collect()
}

fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// apt-get installs the missing packages of `list`.
pub fn apt(list: &[&str]) -> Result<(), String> {
    let missing = missing_packages(list);
    if missing.is_empty() {
        println!("✓ Debian packages present ({})", list.len());
        return Ok(());
    }
    println!("Installing Debian packages: {}", missing.join(" "));
    let sudo = if is_root() { vec![] } else { vec!["sudo"] };
    let root = std::path::Path::new("/");
    let apt = |args: &[&str]| -> Result<(), String> {
        let mut all: Vec<&str> = sudo.clone();
        all.push("apt-get");
        all.extend_from_slice(args);
        sh::run_env(
            root,
            all[0],
            &all[1..],
            &[("DEBIAN_FRONTEND", "noninteractive")],
        )
    };
    apt(&["update", "-q"])?;
    let mut args = vec!["install", "-y", "-q", "--no-install-recommends"];
    args.extend(missing.iter().map(String::as_str));
    apt(&args)
}

/// `cargo install tauri-driver` when it is not on the PATH.
pub fn tauri_driver() -> Result<(), String> {
    if sh::has("tauri-driver") {
        println!("✓ tauri-driver present");
        return Ok(());
    }
    sh::run(
        std::path::Path::new("/"),
        "cargo",
        &["install", "tauri-driver", "--version", "^2", "--locked"],
    )
}

/// Starts cupsd if it is not running and adds the `PDF` queue (cups-pdf) if it is missing.
pub fn cups() -> Result<(), String> {
    if !scheduler_running() {
        // cupsd daemonizes by itself; no systemd needed.
        sh::run(std::path::Path::new("/"), "cupsd", &[])?;
        let mut up = false;
        for _ in 0..100 {
            if scheduler_running() {
                up = true;
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        if !up {
            return Err("cupsd was started but `lpstat -r` still says the scheduler is not running after 10 s".into());
        }
    }
    if !sh::ok("lpstat", &["-p", "PDF"]) {
        sh::run(
            std::path::Path::new("/"),
            "lpadmin",
            &[
                "-p",
                "PDF",
                "-v",
                "cups-pdf:/",
                "-E",
                "-m",
                "lsb/usr/cups-pdf/CUPS-PDF_opt.ppd",
            ],
        )?;
    }
    println!("✓ CUPS running with the PDF queue");
    Ok(())
}

/// `lpstat -r` exits 0 whether or not cupsd runs; only its words tell ("scheduler is running").
fn scheduler_running() -> bool {
    std::process::Command::new("lpstat")
        .arg("-r")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("scheduler is running"))
        .unwrap_or(false)
}

/// Node.js and npm come with this kind of machine; install Debian's if they are absent.
pub fn node() -> Result<(), String> {
    if sh::has("node") && sh::has("npm") {
        return Ok(());
    }
    apt(&["nodejs", "npm"])
}
