//! Operations: the server binary writes JSON log lines when asked (`--log-format json`, or
//! GUICHET_SERVER_LOG_FORMAT), and every `guichet_*` series that the Prometheus alert rules and
//! the Grafana dashboard (packaging/monitoring/) read is one the real server's /metrics exports.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::{enrol, sale_event, temp_db, ServerProcess, BIN, NOW};

/// Runs `serve` with `args` and `envs` until it listens, asks /healthz, stops it with SIGTERM;
/// its stdout lines (but the "listening on" one).
fn serve_and_stop(db: &Path, args: &[&str], envs: &[(&str, &str)]) -> Vec<String> {
    let mut child = Command::new(BIN)
        .args([
            "serve",
            "--db",
            db.to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
        ])
        .args(["--now", NOW])
        .args(args)
        .env("RUST_LOG", "info")
        .envs(envs.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut out = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    let base = loop {
        assert!(
            Instant::now() < deadline,
            "the server did not listen in 60 s"
        );
        match lines.next() {
            Some(Ok(l)) if l.starts_with("listening on ") => break l[13..].to_string(),
            Some(Ok(l)) => out.push(l),
            _ => panic!("the server exited before listening: {out:?}"),
        }
    };
    let ok = reqwest::blocking::get(format!("{base}/healthz")).unwrap();
    assert_eq!(ok.status().as_u16(), 200, "the server answers");
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    out.extend(lines.map_while(Result::ok));
    assert!(child.wait().unwrap().success(), "SIGTERM stops it cleanly");
    out
}

/// The log lines parsed as JSON; panics naming the first that is not.
fn json_lines(lines: &[String]) -> Vec<Value> {
    lines
        .iter()
        .map(|l| {
            serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("every log line is a JSON object: {l:?}: {e}"))
        })
        .collect()
}

#[test]
fn the_server_writes_json_log_lines_when_asked_and_refuses_an_unknown_format() {
    let (_dir, db) = temp_db();
    super::cli(&db, &["import"]);
    for (args, envs) in [
        (&["--log-format", "json"][..], &[][..]),
        (&[][..], &[("GUICHET_SERVER_LOG_FORMAT", "json")][..]),
    ] {
        let logs = json_lines(&serve_and_stop(&db, args, envs));
        let listening = logs
            .iter()
            .find(|v| v["fields"]["message"] == "guichet-server listening")
            .unwrap_or_else(|| {
                panic!("the listening event is logged ({args:?} {envs:?}): {logs:?}")
            });
        assert!(
            listening["level"] == "INFO"
                && listening["timestamp"].is_string()
                && listening["fields"]["addr"].is_string(),
            "a JSON line has its level, time and fields: {listening}"
        );
        assert!(
            logs.iter().any(|v| v["fields"]["message"] == "stopped"),
            "the stop is logged too: {logs:?}"
        );
    }
    let text = serve_and_stop(&db, &[], &[]);
    assert!(
        text.iter()
            .any(|l| l.contains("guichet-server listening") && !l.starts_with('{')),
        "without the option the lines are text: {text:?}"
    );
    let out = Command::new(BIN)
        .args(["serve", "--db", db.to_str().unwrap(), "--log-format", "xml"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("\"xml\"") && err.contains("text or json"),
        "an unknown format is refused, naming both known ones: {err}"
    );
}

/// `guichet_*` names in `text`.
fn metric_names(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let b = text.as_bytes();
    let mut i = 0;
    while let Some(at) = text[i..].find("guichet_") {
        let start = i + at;
        let mut end = start;
        while end < b.len()
            && (b[end].is_ascii_lowercase() || b[end].is_ascii_digit() || b[end] == b'_')
        {
            end += 1;
        }
        if !text[start..end].ends_with('_') {
            out.insert(text[start..end].to_string()); // not the comment's "guichet_*"
        }
        i = end;
    }
    out
}

#[test]
fn every_series_the_alert_rules_and_the_dashboard_read_is_exported_by_the_real_server() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../packaging/monitoring");
    let rules = std::fs::read_to_string(root.join("guichet-alerts.yml")).unwrap();
    let alerts = rules.matches("- alert: ").count();
    let exprs = rules.matches("\n        expr: ").count();
    assert!(
        alerts >= 6 && alerts == exprs && rules.starts_with("# ") && rules.contains("\ngroups:\n"),
        "the rules file has groups, and each of its {alerts} alerts an expr ({exprs})"
    );
    let dashboard: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("guichet-dashboard.json")).unwrap(),
    )
    .expect("the dashboard is JSON");
    let dash_exprs: Vec<&str> = dashboard["panels"]
        .as_array()
        .expect("the dashboard has panels")
        .iter()
        .flat_map(|p| p["targets"].as_array().into_iter().flatten())
        .filter_map(|t| t["expr"].as_str())
        .collect();
    assert!(
        dash_exprs.len() >= 6,
        "the dashboard queries: {dash_exprs:?}"
    );
    let mut wanted = metric_names(&rules);
    for e in &dash_exprs {
        wanted.extend(metric_names(e));
    }
    for m in [
        "guichet_orders_total",
        "guichet_http_request_duration_seconds_bucket",
        "guichet_refusals_total",
        "guichet_sync_lag_seconds",
        "guichet_conflicts_open",
        "guichet_devices_offline",
    ] {
        assert!(
            wanted.contains(m),
            "the rules or the dashboard read {m}: {wanted:?}"
        );
    }

    // The real server, after a desk's push and a refused request.
    let (_dir, db) = temp_db();
    let server = ServerProcess::start(&db);
    let base = server.base.clone();
    let desk = enrol(&base, &db, "c3");
    let (st, v) = desk.post(
        &base,
        "/v1/accounts",
        json!({"id": "SYS-M-1", "name": "Fan", "email": "m1@example.org", "country": "FR"}),
    );
    assert_eq!(st, 201, "{v}");
    let (st, v) = desk.post(
        &base,
        "/v1/sync/push",
        json!({"events": [sale_event("SYS-M-1", "FBL03", 7)]}),
    );
    assert_eq!(st, 200, "{v}");
    let (st, _) = desk.post(&base, "/v1/orders", json!({}));
    assert!(st >= 400, "a malformed order is refused ({st})");
    let text = reqwest::blocking::get(format!("{base}/metrics"))
        .unwrap()
        .text()
        .unwrap();
    let mut exported = BTreeSet::new();
    for l in text.lines() {
        if let Some(rest) = l.strip_prefix("# TYPE ") {
            let mut it = rest.split(' ');
            let (name, kind) = (it.next().unwrap(), it.next().unwrap_or(""));
            exported.insert(name.to_string());
            if kind == "histogram" {
                for s in ["_bucket", "_sum", "_count"] {
                    exported.insert(format!("{name}{s}"));
                }
            }
        }
    }
    let missing: Vec<_> = wanted.difference(&exported).collect();
    assert!(
        missing.is_empty(),
        "every series the rules and the dashboard read is exported; missing {missing:?} from:\n{text}"
    );
    assert!(
        text.contains("guichet_sync_lag_seconds{device=")
            && text.contains("guichet_refusals_total{code=")
            && text.contains("guichet_http_request_duration_seconds_bucket{route=\"/v1/sync/push\",le=\"+Inf\"} 1"),
        "and carries samples for the desk's push and the refusal:\n{text}"
    );
    let open = desk.get(&base, "/v1/conflicts");
    let open = open.as_array().map_or(0, Vec::len);
    assert_eq!(
        open, 1,
        "7 tickets of one session offline is a conflict (cap 6)"
    );
    assert!(
        text.contains(&format!("\nguichet_conflicts_open {open}\n")),
        "guichet_conflicts_open counts what GET /v1/conflicts lists ({open}):\n{text}"
    );
    drop(server);
}
