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
    check_manual(&unpacked)?;
    println!(
        "✓ {} (lintian: no errors; unit verified; manual page lists every command)",
        deb.display()
    );
    Ok(())
}

/// Where the server's package puts its manual page (cargo-deb compresses it).
const SERVER_MAN: &str = "usr/share/man/man1/guichet-server.1.gz";

/// The packaged manual page against the packaged binary's `--help`, so that neither can drift.
fn check_manual(unpacked: &Path) -> Result<(), String> {
    let page = unpacked.join(SERVER_MAN);
    let man = output("gzip".as_ref(), &["-dc".as_ref(), page.as_os_str()])
        .map_err(|e| format!("the server's package has no readable manual page {SERVER_MAN}: {e} — list packaging/server/guichet-server.1 in the assets of crates/guichet-server/Cargo.toml"))?;
    let binary = unpacked.join("usr/bin/guichet-server");
    let help = output(binary.as_os_str(), &["--help".as_ref()])?;
    manual_covers_help(&help, &man)
}

/// Runs a program; its standard output, or why not.
fn output(program: &std::ffi::OsStr, args: &[&std::ffi::OsStr]) -> Result<String, String> {
    let shown = Path::new(program).display().to_string();
    let out = std::process::Command::new(program)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run {shown}: {e}"))?;
    if !out.status.success() {
        return Err(format!("{shown} failed ({})", out.status));
    }
    String::from_utf8(out.stdout).map_err(|_| format!("{shown} printed non-UTF-8"))
}

/// The commands a clap `--help` lists under "Commands:", its own `help` left out.
fn help_commands(help: &str) -> Vec<&str> {
    help.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        // A command's line starts with two spaces; a wrapped description with more.
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .collect()
}

/// The commands the manual page's COMMANDS section names (`.B name` after each `.TP`).
fn manual_commands(man: &str) -> Vec<&str> {
    man.lines()
        .skip_while(|l| l.trim() != ".SH COMMANDS")
        .skip(1)
        .take_while(|l| !l.starts_with(".SH"))
        .filter_map(|l| l.strip_prefix(".B "))
        .map(str::trim)
        .collect()
}

/// Every command and global option of `--help` is in the page, and the page names no command
/// the binary does not have.
fn manual_covers_help(help: &str, man: &str) -> Result<(), String> {
    let in_help = help_commands(help);
    if in_help.is_empty() {
        return Err(format!("guichet-server --help lists no commands:\n{help}"));
    }
    let in_man = manual_commands(man);
    let missing: Vec<&str> = in_help
        .iter()
        .copied()
        .filter(|c| !in_man.contains(c))
        .collect();
    let stale: Vec<&str> = in_man
        .iter()
        .copied()
        .filter(|c| !in_help.contains(c))
        .collect();
    // groff writes a hyphen as `\-` in the page.
    let options: Vec<&str> = ["--catalogue", "--config", "--help", "--version"]
        .into_iter()
        .filter(|o| help.contains(o) && !man.contains(&o.replace('-', "\\-")))
        .collect();
    if missing.is_empty() && stale.is_empty() && options.is_empty() {
        return Ok(());
    }
    Err(format!(
        "packaging/server/guichet-server.1 does not match `guichet-server --help`: commands missing from its COMMANDS section {missing:?}, commands it names that the binary lacks {stale:?}, options missing from OPTIONS {options:?} — add a `.TP` / `.B name` entry for each missing one and remove the stale ones"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HELP: &str = "Guichet's central server\n\nUsage: guichet-server [OPTIONS] <COMMAND>\n\nCommands:\n  serve    Run the HTTP server\n  backup   Copy the database to FILE with SQLite's online backup API; the server may\n           be serving meanwhile\n  help     Print this message\n\nOptions:\n      --catalogue <CATALOGUE>  Catalogue directory\n      --config <CONFIG>        Sale configuration\n  -h, --help                   Print help\n";

    fn man(commands: &[&str]) -> String {
        let entries: String = commands
            .iter()
            .map(|c| format!(".TP\n.B {c}\nwhat it does.\n"))
            .collect();
        format!(".SH NAME\nguichet-server \\- x\n.SH COMMANDS\n{entries}.SH OPTIONS\n.TP\n.B \\-\\-catalogue\n.TP\n.B \\-\\-config\n.TP\n.B \\-\\-help\n")
    }

    #[test]
    fn a_page_naming_every_command_and_option_passes() {
        assert_eq!(
            help_commands(HELP),
            ["serve", "backup"],
            "a wrapped description is not a command, and clap's own help is left out"
        );
        assert_eq!(manual_covers_help(HELP, &man(&["serve", "backup"])), Ok(()));
    }

    #[test]
    fn a_command_missing_from_the_page_is_named() {
        let err = manual_covers_help(HELP, &man(&["serve"])).unwrap_err();
        assert!(err.contains(r#"COMMANDS section ["backup"]"#), "{err}");
    }

    #[test]
    fn a_command_the_binary_lost_is_named() {
        let err = manual_covers_help(HELP, &man(&["serve", "backup", "export"])).unwrap_err();
        assert!(err.contains(r#"binary lacks ["export"]"#), "{err}");
    }

    #[test]
    fn a_global_option_missing_from_the_page_is_named() {
        let page = man(&["serve", "backup"]).replace(".B \\-\\-config\n", "");
        let err = manual_covers_help(HELP, &page).unwrap_err();
        assert!(err.contains(r#"OPTIONS ["--config"]"#), "{err}");
    }

    #[test]
    fn the_shipped_page_has_a_commands_section() {
        let page = std::fs::read_to_string(crate::root().join("packaging/server/guichet-server.1"))
            .expect("packaging/server/guichet-server.1");
        let commands = manual_commands(&page);
        for c in ["serve", "service", "backup", "restore", "enrol"] {
            assert!(
                commands.contains(&c),
                "the installed service's and operators' commands are documented: {c} not in {commands:?}"
            );
        }
    }
}
