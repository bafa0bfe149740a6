//! `cargo xtask contract` (and the last step of `cargo xtask test`): Schemathesis, installed in
//! a virtual environment from PyPI, runs every check it has against `docs/openapi.json` and
//! the real `guichet-server` binary on 127.0.0.1, with a device token made for this run, a
//! fixed seed and a bounded number of examples. Any failure fails the run; its summary is
//! printed as Schemathesis writes it.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use crate::sh;

/// The Schemathesis this project is tested with (its checks change between releases).
pub const SCHEMATHESIS: &str = "4.32.5";
/// The default seed (`GUICHET_CONTRACT_SEED` picks another).
pub const SEED: &str = "20240726";
/// Test cases per operation and phase (`GUICHET_CONTRACT_EXAMPLES` picks another).
pub const MAX_EXAMPLES: &str = "100";
/// The server's clock: inside the pack sale, so the demo accounts can buy.
const NOW: &str = crate::demo::DEMO_NOW;

/// The server process, stopped when this is dropped (on success and on every error path).
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The scratch directory, removed when this is dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn run() -> Result<(), String> {
    let root = crate::root();
    let started = Instant::now();
    let target =
        std::env::var("CARGO_TARGET_DIR").map_or(root.join("target"), std::path::PathBuf::from);
    let st = install(&target)?;
    sh::run(&root, "cargo", &["build", "-p", "guichet-server"])?;
    let server = target.join("debug/guichet-server");
    let server = server.to_str().ok_or("non-UTF-8 target path")?.to_string();

    let scratch = Scratch(std::env::temp_dir().join(format!(
        "guichet-contract-{}-{}",
        std::process::id(),
        started.elapsed().as_nanos()
    )));
    std::fs::create_dir_all(&scratch.0)
        .map_err(|e| format!("cannot create {}: {e}", scratch.0.display()))?;
    let db = scratch.0.join("server.sqlite");
    let db = db.to_str().ok_or("non-UTF-8 temp path")?;
    sh::run(&root, &server, &["seed-demo", "--db", db])?;
    let code = output(&server, &["enrol", "--db", db, "--kind", "box-office"])?;

    let port = free_port()?;
    let listen = format!("127.0.0.1:{port}");
    println!("\n▶ {server} serve --db {db} --listen {listen} --now {NOW}");
    let child = Command::new(&server)
        .args(["serve", "--db", db, "--listen", &listen, "--now", NOW])
        .env("RUST_LOG", "warn")
        .spawn()
        .map_err(|e| format!("cannot start {server} serve: {e}"))?;
    let mut srv = Server(child);
    wait_listening(&mut srv, &listen)?;
    let token = enrol(&listen, &code)?;

    let seed = std::env::var("GUICHET_CONTRACT_SEED").unwrap_or_else(|_| SEED.into());
    let examples =
        std::env::var("GUICHET_CONTRACT_EXAMPLES").unwrap_or_else(|_| MAX_EXAMPLES.into());
    let url = format!("http://{listen}");
    let auth = format!("Authorization: Bearer {token}");
    let config = root.join("xtask/schemathesis.toml");
    let report = scratch.0.join("report");
    let document = root.join("docs/openapi.json");
    let args = [
        "--config-file",
        config.to_str().ok_or("non-UTF-8 path")?,
        "run",
        document.to_str().ok_or("non-UTF-8 path")?,
        "--url",
        &url,
        "-H",
        &auth,
        "--checks",
        "all",
        "--seed",
        &seed,
        "--max-examples",
        &examples,
        // One worker: with two, Hypothesis's strategy descriptions crash Python 3.11's
        // `ast.parse` now and then ("AST constructor recursion depth mismatch") and the run
        // reports an error that is no finding about the API.
        "--workers",
        "1",
        "--report-dir",
        report.to_str().ok_or("non-UTF-8 path")?,
        "--wait-for-schema",
        "10",
    ];
    // The token is made for this run on a throwaway database; it is shown as `Bearer [Filtered]`
    // (Schemathesis hides Authorization in its output).
    println!(
        "\n▶ {} {} (seed {seed}, at most {examples} examples an operation and phase)",
        st.display(),
        args.join(" ").replace(&token, "<token>")
    );
    let t = Instant::now();
    let status = Command::new(&st)
        .args(args)
        // Run in the scratch directory: Schemathesis keeps a cache (`.schemathesis/`) where it
        // runs, and each run starts from none, so a seed means the same run everywhere.
        .current_dir(&scratch.0)
        .env("NO_COLOR", "1")
        .status()
        .map_err(|e| format!("cannot start {}: {e}", st.display()))?;
    drop(srv);
    println!(
        "  (schemathesis: {:.1} s; contract step in all {:.1} s)",
        t.elapsed().as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    if status.success() {
        println!("✓ the server does what docs/openapi.json says (schemathesis {SCHEMATHESIS}, seed {seed}, all checks)");
        Ok(())
    } else {
        Err(format!(
            "schemathesis found the server and docs/openapi.json disagreeing ({status}); its summary above names each failure and how to replay it — fix the server or the document (then GUICHET_UPDATE_OPENAPI=1 cargo test -p guichet-server --test api), and run `cargo xtask contract` again (GUICHET_CONTRACT_SEED={seed})"
        ))
    }
}

/// The `st` of a virtual environment holding exactly [`SCHEMATHESIS`], made if missing.
fn install(target: &Path) -> Result<PathBuf, String> {
    let venv = target.join(format!("schemathesis-{SCHEMATHESIS}"));
    let st = venv.join("bin/st");
    let want = format!("version {SCHEMATHESIS}");
    let has = |st: &Path| {
        Command::new(st)
            .arg("--version")
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains(&want))
    };
    if has(&st) {
        println!("✓ schemathesis {SCHEMATHESIS} present ({})", venv.display());
        return Ok(st);
    }
    if !sh::ok("python3", &["-m", "venv", "--help"]) {
        return Err("python3 with its venv module is needed for the contract tests: apt-get install python3-venv".into());
    }
    let _ = std::fs::remove_dir_all(&venv);
    let v = venv.to_str().ok_or("non-UTF-8 target path")?;
    sh::run(Path::new("/"), "python3", &["-m", "venv", v])?;
    let pip = venv.join("bin/pip");
    sh::run(
        Path::new("/"),
        pip.to_str().ok_or("non-UTF-8 target path")?,
        &[
            "install",
            "--quiet",
            &format!("schemathesis=={SCHEMATHESIS}"),
        ],
    )?;
    if has(&st) {
        Ok(st)
    } else {
        Err(format!(
            "pip installed schemathesis=={SCHEMATHESIS} into {v}, but {} --version does not say {want}",
            st.display()
        ))
    }
}

/// A program's standard output, trimmed; Err with its standard error.
fn output(program: &str, args: &[&str]) -> Result<String, String> {
    let out = Command::new(program)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    } else {
        Err(format!(
            "`{program} {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// A port nobody listens on now (the OS picks it; the server binds it right after).
fn free_port() -> Result<u16, String> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    l.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

fn wait_listening(srv: &mut Server, listen: &str) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(listen).is_err() {
        if let Ok(Some(st)) = srv.0.try_wait() {
            return Err(format!(
                "the server stopped at once ({st}): is {listen} in use?"
            ));
        }
        if Instant::now() > deadline {
            return Err(format!("the server did not listen on {listen} within 30 s"));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(())
}

/// Trades the enrolment code for a bearer token over HTTP, as a desk does.
fn enrol(listen: &str, code: &str) -> Result<String, String> {
    // A key for this run's throwaway database: any 32 bytes do, none is reused.
    let key: String = format!("{:064x}", u128::from(std::process::id()) << 64 | 0x5c4e);
    let body = format!(
        r#"{{"code":"{code}","name":"Schemathesis contract run","public_key_hex":"{key}"}}"#
    );
    let mut s = TcpStream::connect(listen).map_err(|e| format!("cannot reach {listen}: {e}"))?;
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .map_err(|e| e.to_string())?;
    write!(
        s,
        "POST /v1/devices/enrol HTTP/1.1\r\nHost: {listen}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .map_err(|e| format!("cannot send the enrolment: {e}"))?;
    let mut answer = String::new();
    s.read_to_string(&mut answer)
        .map_err(|e| format!("no answer to the enrolment: {e}"))?;
    let (head, json) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    if !head.starts_with("HTTP/1.1 200") {
        return Err(format!(
            "POST /v1/devices/enrol answered {}: {json}",
            head.lines().next().unwrap_or_default()
        ));
    }
    let v: serde_json::Value =
        serde_json::from_str(json).map_err(|e| format!("the enrolment answer is not JSON: {e}"))?;
    v["token"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("the enrolment answer has no token: {json}"))
}
