//! `cargo xtask package-test` (also the last step of `cargo xtask test`): both `.deb`s built
//! from the debug profile and checked as `cargo xtask package` checks the release ones, then
//! installed on this machine (`apt-get install ./x.deb`, which also installs their `Depends`),
//! run from where they installed — `/usr/bin/guichet-server` answers `/healthz` on 127.0.0.1,
//! `/usr/bin/guichet-app` shows its sign-in screen under Xvfb, read through tauri-driver and
//! WebKitWebDriver — and purged. The purge runs whatever happened before it, and then checks
//! that dpkg knows neither package and that none of their files is left.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::package::{self, target_dir, Debs, Profile};
use crate::{app_deb, http, install, root, sh};

const SERVER: &str = "guichet-server";
const TITLE: &str = "[data-testid=sign-in-title]";
const SIGN_IN: &str = "Guichet — Box office";

/// Builds, checks, installs, runs and purges both packages.
pub fn run() -> Result<(), String> {
    let started = Instant::now();
    install::tauri_driver()?;
    let debs = package::build_and_check(Profile::Debug)?;
    install_run_purge(&root(), &debs)?;
    println!(
        "\n✓ package test passed in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn install_run_purge(root: &Path, debs: &Debs) -> Result<(), String> {
    for p in [app_deb::PACKAGE, SERVER] {
        if let Some(status) = dpkg_status(p) {
            return Err(format!(
                "this machine already has the package {p} ({status}); the package test would replace it and then purge it — `dpkg --purge {p}` first, or run the test on another machine"
            ));
        }
    }
    let before = installed()?;
    let work = target_dir(root).join("package-test");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
    let outcome = apt_install(debs)
        .and_then(|()| server_answers(&work))
        .and_then(|()| app_shows_sign_in(&work));
    let cleanup = purge(debs, &before);
    if outcome.is_ok() {
        // Kept after a failure: its logs (server, Xvfb, tauri-driver) say why.
        let _ = std::fs::remove_dir_all(&work);
    }
    match (outcome, cleanup) {
        (Ok(()), Ok(())) => Ok(()),
        (Err(e), Ok(())) => Err(format!("{e} (both packages were purged afterwards)")),
        (Ok(()), Err(c)) => Err(c),
        (Err(e), Err(c)) => Err(format!("{e}; then the purge failed too: {c}")),
    }
}

/// `sudo` when not root.
fn privileged(program: &str) -> Command {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    let mut c = if root {
        Command::new(program)
    } else {
        let mut c = Command::new("sudo");
        c.arg(program);
        c
    };
    c.env("DEBIAN_FRONTEND", "noninteractive");
    c
}

fn status_of(mut c: Command, what: &str) -> Result<(), String> {
    println!("\n▶ {what}");
    let t = Instant::now();
    let status = c
        .status()
        .map_err(|e| format!("cannot start {what}: {e}"))?;
    println!("  ({what}: {:.1} s)", t.elapsed().as_secs_f64());
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{what}` failed ({status})"))
    }
}

fn apt_install(debs: &Debs) -> Result<(), String> {
    let mut c = privileged("apt-get");
    c.args(["install", "-y", "-q", "--no-install-recommends"])
        .arg(&debs.server)
        .arg(&debs.app);
    status_of(c, "apt-get install ./guichet-server.deb ./guichet.deb")
}

/// dpkg's status of a package, if dpkg knows it at all.
fn dpkg_status(package: &str) -> Option<String> {
    let out = Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let s = String::from_utf8_lossy(&out.stdout).trim().to_string();
    (out.status.success() && !s.is_empty() && !s.ends_with("not-installed")).then_some(s)
}

/// Every package installed now.
fn installed() -> Result<BTreeSet<String>, String> {
    let out = Command::new("dpkg-query")
        .args(["-W", "-f=${db:Status-Status} ${Package}\n"])
        .output()
        .map_err(|e| format!("cannot run dpkg-query: {e}"))?;
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.strip_prefix("installed "))
        .map(str::to_string)
        .collect())
}

/// The central server as the unit runs it (`service --settings /etc/guichet/server.toml`: the
/// packaged settings, catalogue and sale configuration), its database and address moved by
/// the settings' environment overrides to a temporary file and a free port.
fn server_answers(work: &Path) -> Result<(), String> {
    let port = http::free_port()?;
    let log = work.join("server.log");
    let out = std::fs::File::create(&log).map_err(|e| format!("{}: {e}", log.display()))?;
    let err = out.try_clone().map_err(|e| e.to_string())?;
    let mut child = Command::new("/usr/bin/guichet-server")
        .args(["service", "--settings", "/etc/guichet/server.toml"])
        .env("GUICHET_SERVER_DB", work.join("server.sqlite"))
        .env("GUICHET_SERVER_LISTEN", format!("127.0.0.1:{port}"))
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .map_err(|e| format!("cannot start the installed /usr/bin/guichet-server: {e}"))?;
    let t = Instant::now();
    let answer = poll(&mut child, &log, Duration::from_secs(120), || {
        http::request(port, "GET", "/healthz", None).ok()
    });
    let _ = child.kill();
    let _ = child.wait();
    let answer = answer?;
    if answer.status != 200 || !answer.body.contains("\"ok\"") {
        return Err(format!(
            "the installed guichet-server answered /healthz with HTTP {} {:?}, not 200 {{\"status\":\"ok\"}}; see {}",
            answer.status,
            answer.body,
            log.display()
        ));
    }
    println!(
        "✓ /usr/bin/guichet-server (service --settings /etc/guichet/server.toml) answered /healthz {} after {:.1} s",
        answer.body.trim(),
        t.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Calls `probe` every 100 ms until it gives something, the child exits, or `within` passes.
fn poll<T>(
    child: &mut Child,
    log: &Path,
    within: Duration,
    mut probe: impl FnMut() -> Option<T>,
) -> Result<T, String> {
    let deadline = Instant::now() + within;
    loop {
        if let Some(v) = probe() {
            return Ok(v);
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("it exited ({status}); see {}", log.display()));
        }
        if Instant::now() > deadline {
            return Err(format!(
                "no answer after {} s; see {}",
                within.as_secs(),
                log.display()
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A process group we started; dropping it ends the group (TERM, then KILL) and reaps it.
struct Group(Child);

impl Drop for Group {
    fn drop(&mut self) {
        let pgid = format!("-{}", self.0.id());
        let _ = sh::ok("kill", &["-TERM", "--", &pgid]);
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline && matches!(self.0.try_wait(), Ok(None)) {
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = sh::ok("kill", &["-KILL", "--", &pgid]);
        let _ = self.0.wait();
    }
}

fn spawn_group(c: &mut Command, what: &str) -> Result<Group, String> {
    use std::os::unix::process::CommandExt;
    c.process_group(0)
        .spawn()
        .map(Group)
        .map_err(|e| format!("cannot start {what}: {e}"))
}

/// The installed app under Xvfb, started by tauri-driver (which starts WebKitWebDriver, which
/// starts `/usr/bin/guichet-app`), on a desk file and a HOME of its own; its sign-in heading
/// must read "Guichet — Box office".
fn app_shows_sign_in(work: &Path) -> Result<(), String> {
    let logs = |name: &str| -> Result<(PathBuf, std::fs::File), String> {
        let p = work.join(name);
        let f = std::fs::File::create(&p).map_err(|e| format!("{}: {e}", p.display()))?;
        Ok((p, f))
    };
    let (_, xlog) = logs("xvfb.log")?;
    let mut xvfb = spawn_group(
        Command::new("Xvfb")
            .args(["-displayfd", "1", "-screen", "0", "1280x800x24"])
            .args(["-nolisten", "tcp"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(xlog),
        "Xvfb",
    )?;
    let mut line = String::new();
    if let Some(out) = xvfb.0.stdout.take() {
        use std::io::BufRead;
        let _ = std::io::BufReader::new(out).read_line(&mut line);
    }
    let display = line.trim().to_string();
    if display.parse::<u32>().is_err() {
        return Err(format!(
            "Xvfb gave no display number; see {}",
            work.join("xvfb.log").display()
        ));
    }
    let home = work.join("home");
    std::fs::create_dir_all(&home).map_err(|e| format!("{}: {e}", home.display()))?;
    let (port, native) = (http::free_port()?, http::free_port()?);
    let (dlog_path, dlog) = logs("tauri-driver.log")?;
    let mut driver = spawn_group(
        Command::new(tauri_driver())
            .args(["--port", &port.to_string(), "--native-port"])
            .arg(native.to_string())
            .args(["--native-driver", "/usr/bin/WebKitWebDriver"])
            .env("DISPLAY", format!(":{display}"))
            .env("HOME", &home)
            .env("GUICHET_DEVICE_KIND", "box-office")
            .env("GUICHET_DESK_DB", work.join("desk.sqlite"))
            .env("LANGUAGE", "en")
            .env("LANG", "C.UTF-8")
            .env_remove("LC_ALL")
            .env("NO_AT_BRIDGE", "1")
            .stdin(Stdio::null())
            .stdout(dlog.try_clone().map_err(|e| e.to_string())?)
            .stderr(dlog),
        "tauri-driver",
    )?;
    poll(&mut driver.0, &dlog_path, Duration::from_secs(30), || {
        http::request(port, "GET", "/status", None)
            .ok()
            .filter(|a| a.status == 200)
    })
    .map_err(|e| format!("tauri-driver: {e}"))?;
    let t = Instant::now();
    let caps = serde_json::json!({"capabilities": {"alwaysMatch": {"tauri:options": {"application": app_deb::BINARY}}}});
    // tauri-driver may drop the first connection while WebKitWebDriver is still starting: ask
    // again (3 times at most) when no HTTP answer came at all.
    let mut asked = http::request(port, "POST", "/session", Some(&caps));
    for _ in 0..2 {
        if asked.is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_secs(1));
        asked = http::request(port, "POST", "/session", Some(&caps));
    }
    let see = dlog_path.display();
    let session = value(asked.map_err(|e| format!("{e}; see {see}"))?)
        .map_err(|e| format!("the installed app did not start: {e}; see {see}"))?;
    let id = session["sessionId"]
        .as_str()
        .ok_or_else(|| format!("POST /session: no sessionId in {session}"))?
        .to_string();
    let seen = poll(&mut driver.0, &dlog_path, Duration::from_secs(60), || {
        heading(port, &id).filter(|text| text == SIGN_IN)
    });
    let ran = running_exe(app_deb::BINARY);
    let _ = http::request(port, "DELETE", &format!("/session/{id}"), None);
    drop(driver);
    drop(xvfb);
    let seen = seen.map_err(|e| {
        format!("the installed app's sign-in heading {TITLE} never read {SIGN_IN:?}: {e}")
    })?;
    if !ran {
        return Err(format!(
            "no process ran {} while the session was open: the window was not the installed app's",
            app_deb::BINARY
        ));
    }
    println!(
        "✓ {} under Xvfb showed its sign-in screen ({TITLE} reads {seen:?}) {:.1} s after the session was asked for",
        app_deb::BINARY,
        t.elapsed().as_secs_f64()
    );
    Ok(())
}

/// tauri-driver from the PATH or cargo's bin directory (`install::tauri_driver` put it there).
fn tauri_driver() -> PathBuf {
    if sh::has("tauri-driver") {
        return PathBuf::from("tauri-driver");
    }
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .map(|h| h.join("bin/tauri-driver"))
        .unwrap_or_else(|| PathBuf::from("tauri-driver"))
}

/// A WebDriver answer's `value`, or its error.
fn value(a: http::Answer) -> Result<serde_json::Value, String> {
    let body: serde_json::Value = serde_json::from_str(&a.body)
        .map_err(|e| format!("HTTP {}: not JSON ({e}): {}", a.status, a.body))?;
    let v = body.get("value").cloned().unwrap_or_default();
    if a.status == 200 {
        Ok(v)
    } else {
        Err(format!("HTTP {}: {v}", a.status))
    }
}

/// The text of the sign-in heading, once it exists.
fn heading(port: u16, id: &str) -> Option<String> {
    let find = serde_json::json!({"using": "css selector", "value": TITLE});
    let el =
        value(http::request(port, "POST", &format!("/session/{id}/element"), Some(&find)).ok()?)
            .ok()?;
    let key = el.as_object()?.values().next()?.as_str()?.to_string();
    let text = value(
        http::request(
            port,
            "GET",
            &format!("/session/{id}/element/{key}/text"),
            None,
        )
        .ok()?,
    )
    .ok()?;
    text.as_str().map(str::to_string)
}

/// Whether a process runs the program at `path`.
fn running_exe(path: &str) -> bool {
    std::fs::read_dir("/proc").is_ok_and(|d| {
        d.filter_map(Result::ok).any(|e| {
            std::fs::read_link(e.path().join("exe")).is_ok_and(|exe| exe == Path::new(path))
        })
    })
}

/// Purges both packages, then checks dpkg knows neither and none of their files is left;
/// packages apt installed for their `Depends` are purged too.
fn purge(debs: &Debs, before: &BTreeSet<String>) -> Result<(), String> {
    let mut c = privileged("dpkg");
    c.args(["--purge", app_deb::PACKAGE, SERVER]);
    let purged = status_of(c, "dpkg --purge guichet guichet-server");
    let pulled: Vec<String> = installed()?.difference(before).cloned().collect();
    if !pulled.is_empty() {
        let mut c = privileged("apt-get");
        c.args(["purge", "-y", "-q"]).args(&pulled);
        status_of(c, &format!("apt-get purge {}", pulled.join(" ")))?;
    }
    purged?;
    let mut left = Vec::new();
    for p in [app_deb::PACKAGE, SERVER] {
        if let Some(status) = dpkg_status(p) {
            left.push(format!("dpkg still lists {p} ({status})"));
        }
    }
    for deb in [&debs.server, &debs.app] {
        for file in files_of(deb)? {
            if Path::new(&file).exists() {
                left.push(format!("{file} is still there"));
            }
        }
    }
    if left.is_empty() {
        println!("✓ both packages purged: dpkg lists neither, none of their files is left");
        Ok(())
    } else {
        Err(format!("after the purge: {}", left.join("; ")))
    }
}

/// The regular files and links a package installs (`dpkg-deb -c`), as absolute paths.
fn files_of(deb: &Path) -> Result<Vec<String>, String> {
    let out = Command::new("dpkg-deb")
        .arg("-c")
        .arg(deb)
        .output()
        .map_err(|e| format!("cannot run dpkg-deb: {e}"))?;
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.starts_with('d'))
        .filter_map(|l| l.split_whitespace().nth(5))
        .map(|p| format!("/{}", p.trim_start_matches("./").trim_start_matches('/')))
        .collect())
}
