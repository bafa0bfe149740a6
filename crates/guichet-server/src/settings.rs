//! The server's settings file, `/etc/guichet/server.toml` when installed from the package: the
//! `service` command reads it, and every key has an environment override
//! (`GUICHET_SERVER_<KEY>`, upper case), which wins over the file.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::cli::{Args, Command, DbArg};

/// The keys of the file and their environment overrides.
pub const KEYS: &[(&str, &str)] = &[
    ("db", "GUICHET_SERVER_DB"),
    ("listen", "GUICHET_SERVER_LISTEN"),
    ("catalogue", "GUICHET_SERVER_CATALOGUE"),
    ("sale_config", "GUICHET_SERVER_SALE_CONFIG"),
    ("pull_page", "GUICHET_SERVER_PULL_PAGE"),
    ("hold_seconds", "GUICHET_SERVER_HOLD_SECONDS"),
    ("log_format", "GUICHET_SERVER_LOG_FORMAT"),
];

/// What the file may say; a key it does not know is refused, naming it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    db: Option<PathBuf>,
    listen: Option<String>,
    catalogue: Option<PathBuf>,
    sale_config: Option<PathBuf>,
    pull_page: Option<usize>,
    hold_seconds: Option<u32>,
    log_format: Option<String>,
}

fn number<T: std::str::FromStr>(var: &str, text: &str) -> Result<T, String> {
    text.parse()
        .map_err(|_| format!("{var}={text:?} is not a whole number — set a number or unset it"))
}

/// Turns `service --settings FILE` into the `serve` it stands for: the file's values, each
/// replaced by its environment variable when set (`env` reads one).
pub fn expand(args: Args, env: &dyn Fn(&str) -> Option<String>) -> Result<Args, String> {
    let Command::Service { settings } = &args.command else {
        return Ok(args);
    };
    let text = std::fs::read_to_string(settings)
        .map_err(|e| format!("cannot read the settings file {}: {e}", settings.display()))?;
    let mut f: File = toml::from_str(&text).map_err(|e| {
        format!(
            "{}: {e} — the keys are {}",
            settings.display(),
            KEYS.iter().map(|k| k.0).collect::<Vec<_>>().join(", ")
        )
    })?;
    let var = |i: usize| env(KEYS[i].1).filter(|v| !v.is_empty());
    if let Some(v) = var(0) {
        f.db = Some(PathBuf::from(v));
    }
    if let Some(v) = var(1) {
        f.listen = Some(v);
    }
    if let Some(v) = var(2) {
        f.catalogue = Some(PathBuf::from(v));
    }
    if let Some(v) = var(3) {
        f.sale_config = Some(PathBuf::from(v));
    }
    if let Some(v) = var(4) {
        f.pull_page = Some(number(KEYS[4].1, &v)?);
    }
    if let Some(v) = var(5) {
        f.hold_seconds = Some(number(KEYS[5].1, &v)?);
    }
    if let Some(v) = var(6) {
        f.log_format = Some(v);
    }
    let db = f.db.ok_or_else(|| {
        format!(
            "{} names no database — add db = \"/var/lib/guichet/server.sqlite\" or set GUICHET_SERVER_DB",
            settings.display()
        )
    })?;
    let relative = |p: PathBuf| -> PathBuf {
        if p.is_relative() {
            settings.parent().unwrap_or(Path::new(".")).join(p)
        } else {
            p
        }
    };
    Ok(Args {
        catalogue: args.catalogue.or(f.catalogue.map(relative)),
        config: args.config.or(f.sale_config.map(relative)),
        command: Command::Serve {
            db: DbArg { db },
            listen: f.listen.unwrap_or_else(|| "127.0.0.1:8080".into()),
            now: None,
            pull_page: f.pull_page.unwrap_or(100_000),
            hold_seconds: f.hold_seconds.unwrap_or(crate::store::DEFAULT_HOLD_SECONDS),
            log_format: f.log_format,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn service(file: &Path) -> Args {
        Args::parse_from([
            "guichet-server",
            "service",
            "--settings",
            file.to_str().unwrap(),
        ])
    }

    fn serve_of(a: &Args) -> (&Path, &str, u32) {
        let Command::Serve {
            db,
            listen,
            hold_seconds,
            ..
        } = &a.command
        else {
            panic!("service expands to serve");
        };
        (&db.db, listen, *hold_seconds)
    }

    #[test]
    fn the_file_sets_the_server_and_each_environment_variable_wins_over_it() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("server.toml");
        std::fs::write(
            &file,
            "db = \"/var/lib/guichet/server.sqlite\"\nlisten = \"127.0.0.1:9000\"\ncatalogue = \"cat\"\n",
        )
        .unwrap();
        let a = expand(service(&file), &|_| None).unwrap();
        assert_eq!(
            serve_of(&a),
            (
                Path::new("/var/lib/guichet/server.sqlite"),
                "127.0.0.1:9000",
                300
            ),
            "the file's values, defaults for the rest"
        );
        assert_eq!(
            a.catalogue.as_deref(),
            Some(dir.path().join("cat").as_path()),
            "a relative path is read from the file's directory"
        );
        let env = |k: &str| match k {
            "GUICHET_SERVER_DB" => Some("/tmp/other.sqlite".to_string()),
            "GUICHET_SERVER_LISTEN" => Some("127.0.0.1:9100".to_string()),
            "GUICHET_SERVER_HOLD_SECONDS" => Some("60".to_string()),
            "GUICHET_SERVER_SALE_CONFIG" => Some("/etc/sale.toml".to_string()),
            _ => None,
        };
        let a = expand(service(&file), &env).unwrap();
        assert_eq!(
            serve_of(&a),
            (Path::new("/tmp/other.sqlite"), "127.0.0.1:9100", 60),
            "every environment variable wins over the file"
        );
        assert_eq!(a.config.as_deref(), Some(Path::new("/etc/sale.toml")));
    }

    #[test]
    fn the_log_format_comes_from_the_file_and_its_environment_variable_wins() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("server.toml");
        std::fs::write(&file, "db = \"x.sqlite\"\nlog_format = \"text\"\n").unwrap();
        let format = |a: &Args| match &a.command {
            Command::Serve { log_format, .. } => log_format.clone(),
            _ => panic!("service expands to serve"),
        };
        let a = expand(service(&file), &|_| None).unwrap();
        assert_eq!(format(&a).as_deref(), Some("text"), "the file's value");
        let env = |k: &str| (k == "GUICHET_SERVER_LOG_FORMAT").then(|| "json".to_string());
        let a = expand(service(&file), &env).unwrap();
        assert_eq!(format(&a).as_deref(), Some("json"), "the variable wins");
    }

    #[test]
    fn an_unknown_key_or_a_bad_number_is_refused_naming_it_and_the_way_out() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("server.toml");
        std::fs::write(&file, "db = \"x.sqlite\"\nport = 8080\n").unwrap();
        let err = expand(service(&file), &|_| None).unwrap_err();
        assert!(
            err.contains("port") && err.contains("the keys are db, listen"),
            "the unknown key and the known ones are named: {err}"
        );
        std::fs::write(&file, "db = \"x.sqlite\"\n").unwrap();
        let env = |k: &str| (k == "GUICHET_SERVER_PULL_PAGE").then(|| "many".to_string());
        let err = expand(service(&file), &env).unwrap_err();
        assert!(
            err.contains("GUICHET_SERVER_PULL_PAGE=\"many\" is not a whole number"),
            "the variable and its value are named: {err}"
        );
        std::fs::write(&file, "listen = \"127.0.0.1:1\"\n").unwrap();
        let err = expand(service(&file), &|_| None).unwrap_err();
        assert!(err.contains("names no database"), "{err}");
    }
}
