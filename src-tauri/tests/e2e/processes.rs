//! The helper processes an end-to-end run needs, each owned by a guard that ends it on drop,
//! also when an assertion panics: Xvfb (the display) and tauri-driver (which starts
//! WebKitWebDriver, which starts the app).

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::net::{Ipv4Addr, TcpListener};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::sys::signal::{killpg, Signal};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::Pid;

use crate::tools::Tools;

/// A child started in a process group of its own; dropping the guard signals the whole group, so
/// grandchildren (WebKitWebDriver, the app and WebKit's helper processes) go too.
pub struct GroupGuard {
    name: &'static str,
    child: Child,
}

impl GroupGuard {
    fn spawn(name: &'static str, command: &mut Command) -> Self {
        // Orphans of our helpers (the app, when WebKitWebDriver dies first) are re-parented to
        // this process rather than to init, so that `drop` can reap them: nothing outlives the
        // test, not even as a zombie.
        nix::sys::prctl::set_child_subreaper(true).expect("e2e: cannot become a subreaper");
        let child = command
            .process_group(0)
            .spawn()
            .unwrap_or_else(|error| panic!("e2e: could not start {name}: {error}"));
        Self { name, child }
    }

    /// Fails the test when the process already exited: it would otherwise look like a timeout.
    pub fn assert_running(&mut self, log: &Path) {
        if let Ok(Some(status)) = self.child.try_wait() {
            panic!(
                "e2e: {} exited early ({status}); see {}",
                self.name,
                log.display()
            );
        }
    }
}

impl Drop for GroupGuard {
    fn drop(&mut self) {
        let group = Pid::from_raw(self.child.id() as i32);
        // Polite first: tauri-driver stops its native driver on SIGTERM.
        let _ = killpg(group, Signal::SIGTERM);
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            sleep(Duration::from_millis(50));
        }
        // Whatever is left of the group (the leader, or children it did not take down) goes now.
        let _ = killpg(group, Signal::SIGKILL);
        let _ = self.child.wait();
        // Reap what was re-parented to us from this group only (other tests run in parallel).
        let negative_group = Pid::from_raw(-group.as_raw());
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            match waitpid(negative_group, Some(WaitPidFlag::WNOHANG)) {
                Err(Errno::ECHILD) => break,
                Ok(WaitStatus::StillAlive) => sleep(Duration::from_millis(20)),
                _ => {}
            }
        }
    }
}

/// Where a helper's stderr goes: `target/e2e-logs/<run>-<name>.log`.
fn log_file(logs: &Path, run: &str, name: &str) -> (PathBuf, File) {
    std::fs::create_dir_all(logs).expect("e2e: cannot create the log directory");
    let path = logs.join(format!("{run}-{name}.log"));
    let file = File::create(&path).expect("e2e: cannot create a log file");
    (path, file)
}

/// A virtual X display on a number the X server picks itself (`-displayfd`), so parallel runs
/// and other builders on the machine never collide.
pub struct Display {
    /// `:N`, for `DISPLAY`.
    pub name: String,
    _server: GroupGuard,
}

impl Display {
    pub fn start(tools: &Tools, logs: &Path, run: &str) -> Self {
        let (log_path, log) = log_file(logs, run, "xvfb");
        let mut server = GroupGuard::spawn(
            "Xvfb",
            Command::new(&tools.xvfb)
                .args([
                    "-displayfd",
                    "1",
                    "-screen",
                    "0",
                    // Square, so a portrait kiosk window (810×1440) fits too.
                    "1920x1920x24",
                    "-nolisten",
                    "tcp",
                ])
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(log),
        );
        // Xvfb writes the display number once it accepts connections, or closes the pipe on exit.
        let stdout = server.child.stdout.take().expect("stdout was piped");
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let number = line.trim();
        if number.is_empty() || number.parse::<u32>().is_err() {
            panic!(
                "e2e: Xvfb did not report a display; see {}",
                log_path.display()
            );
        }
        Self {
            name: format!(":{number}"),
            _server: server,
        }
    }
}

/// tauri-driver listening on a free local port; it runs WebKitWebDriver on another.
pub struct Driver {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    /// tauri-driver's stderr (it also carries WebKitWebDriver's and the app's output).
    pub log: PathBuf,
    guard: GroupGuard,
}

fn free_port() -> u16 {
    // The port is free when we look; the tiny window before tauri-driver binds it is acceptable
    // in a test, and a clash shows as "exited early" with the log, not as a silent pass.
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .expect("e2e: no free local port")
        .port()
}

impl Driver {
    /// Starts tauri-driver; the app it launches inherits `env` (`GUICHET_DEVICE_KIND`,
    /// `GUICHET_DESK_DB`, …).
    pub fn start(
        tools: &Tools,
        display: &Display,
        env: &[(&str, String)],
        logs: &Path,
        run: &str,
    ) -> Self {
        let (log_path, log) = log_file(logs, run, "tauri-driver");
        let port = free_port();
        let native_port = free_port();
        let guard = GroupGuard::spawn(
            "tauri-driver",
            Command::new(&tools.tauri_driver)
                .arg("--port")
                .arg(port.to_string())
                .arg("--native-port")
                .arg(native_port.to_string())
                .arg("--native-driver")
                .arg(&tools.webkit_webdriver)
                // Inherited by WebKitWebDriver and then by the app.
                .env("DISPLAY", &display.name)
                .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
                // The sign-in screen follows the system language: pin it so the test knows
                // which one it starts in.
                .env("LANGUAGE", "en")
                .env("LANG", "C.UTF-8")
                .env_remove("LC_ALL")
                .env_remove("LC_MESSAGES")
                // No accessibility bus: it would start D-Bus helpers that outlive the test.
                .env("NO_AT_BRIDGE", "1")
                .stdin(Stdio::null())
                .stdout(log.try_clone().expect("e2e: cannot share the log file"))
                .stderr(log),
        );
        Self {
            url: format!("http://127.0.0.1:{port}"),
            log: log_path,
            guard,
        }
    }

    /// Waits until `GET /status` answers; fails early when the driver died.
    pub fn wait_ready(&mut self, client: &crate::webdriver::Client, within: Duration) {
        let deadline = Instant::now() + within;
        loop {
            if client.status_ready() {
                return;
            }
            self.guard.assert_running(&self.log);
            if Instant::now() > deadline {
                panic!(
                    "e2e: tauri-driver not ready at {} after {within:?}; see {}",
                    self.url,
                    self.log.display()
                );
            }
            sleep(Duration::from_millis(100));
        }
    }
}
