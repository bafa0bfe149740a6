//! The operations metrics beside the request and order counters (packaging/monitoring/ has the
//! alert rules and the dashboard that read them): request latency by route (a histogram, for
//! p99), refusals by error code and rule, and gauges read at scrape time: open conflicts,
//! devices by state, devices offline, each device's sync lag.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Upper bounds (seconds) of the latency histogram's buckets.
pub const BUCKETS: [f64; 12] = [
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// A device with no request for this long counts as offline.
pub const OFFLINE_AFTER: Duration = Duration::from_secs(300);

/// What an error answer refused, put in the response's extensions for the counter.
#[derive(Debug, Clone)]
pub struct Refusal {
    /// The error's stable code (`RULE_VIOLATION`, `UNAUTHORIZED`, …).
    pub code: String,
    /// Its `details.rule` when it names one (`device_revoked`, …), else empty.
    pub rule: String,
}

#[derive(Default)]
struct Histogram {
    buckets: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

/// The counters and the devices seen.
pub struct Ops {
    started: Instant,
    latency: Mutex<BTreeMap<String, Histogram>>,
    refusals: Mutex<BTreeMap<(String, String), u64>>,
    seen: Mutex<HashMap<String, Instant>>,
}

impl Default for Ops {
    fn default() -> Self {
        Ops {
            started: Instant::now(),
            latency: Mutex::default(),
            refusals: Mutex::default(),
            seen: Mutex::default(),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Escapes a label value.
fn label(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

impl Ops {
    /// Counts one answered request: its time, and what it refused if it did.
    pub fn observe(&self, route: &str, took: Duration, refusal: Option<&Refusal>) {
        let secs = took.as_secs_f64();
        {
            let mut l = lock(&self.latency);
            let h = l.entry(route.to_string()).or_default();
            for (i, le) in BUCKETS.iter().enumerate() {
                if secs <= *le {
                    h.buckets[i] += 1;
                }
            }
            h.sum += secs;
            h.count += 1;
        }
        if let Some(r) = refusal {
            *lock(&self.refusals)
                .entry((r.code.clone(), r.rule.clone()))
                .or_default() += 1;
        }
    }

    /// A device's token was accepted now.
    pub fn seen(&self, device: &str) {
        // Every authenticated request comes here: a device already seen costs no allocation.
        let now = Instant::now();
        let mut seen = lock(&self.seen);
        match seen.get_mut(device) {
            Some(t) => *t = now,
            None => {
                seen.insert(device.to_string(), now);
            }
        }
    }

    /// The latency histograms and refusal counters, in the text format.
    pub fn render(&self, out: &mut String) {
        out.push_str("# HELP guichet_http_request_duration_seconds Time to answer, by route.\n");
        out.push_str("# TYPE guichet_http_request_duration_seconds histogram\n");
        for (route, h) in lock(&self.latency).iter() {
            let r = label(route);
            for (i, le) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "guichet_http_request_duration_seconds_bucket{{route=\"{r}\",le=\"{le}\"}} {}",
                    h.buckets[i]
                );
            }
            let _ = writeln!(
                out,
                "guichet_http_request_duration_seconds_bucket{{route=\"{r}\",le=\"+Inf\"}} {c}\n\
                 guichet_http_request_duration_seconds_sum{{route=\"{r}\"}} {s}\n\
                 guichet_http_request_duration_seconds_count{{route=\"{r}\"}} {c}",
                c = h.count,
                s = h.sum
            );
        }
        out.push_str("# HELP guichet_refusals_total Error answers by code and rule.\n");
        out.push_str("# TYPE guichet_refusals_total counter\n");
        for ((code, rule), n) in lock(&self.refusals).iter() {
            let _ = writeln!(
                out,
                "guichet_refusals_total{{code=\"{}\",rule=\"{}\"}} {n}",
                label(code),
                label(rule)
            );
        }
    }

    /// The gauges read from the store now: open conflicts, devices by state, devices offline
    /// (no request for [`OFFLINE_AFTER`], or none since the server started), each device's
    /// sync lag (how late its last event arrived).
    pub async fn render_store(
        &self,
        store: &dyn crate::backend::Backend,
        out: &mut String,
    ) -> crate::store::Result<()> {
        let conflicts = store.open_conflicts().await?;
        let devices = store.console_devices().await?;
        let sync = store.devices_sync().await?;
        let seen = lock(&self.seen).clone();
        let (mut active, mut revoked, mut offline) = (0u64, 0u64, 0u64);
        for d in &devices {
            if d.revoked.is_some() {
                revoked += 1;
                continue;
            }
            active += 1;
            let last = seen.get(&d.id).copied().unwrap_or(self.started);
            if last.elapsed() >= OFFLINE_AFTER {
                offline += 1;
            }
        }
        let _ = write!(
            out,
            "# HELP guichet_conflicts_open Offline sales over a limit no supervisor has resolved.\n\
             # TYPE guichet_conflicts_open gauge\nguichet_conflicts_open {conflicts}\n\
             # HELP guichet_devices Enrolled devices by state.\n# TYPE guichet_devices gauge\n\
             guichet_devices{{state=\"active\"}} {active}\nguichet_devices{{state=\"revoked\"}} {revoked}\n\
             # HELP guichet_devices_offline Active devices with no request for {s} s.\n\
             # TYPE guichet_devices_offline gauge\nguichet_devices_offline {offline}\n\
             # HELP guichet_sync_lag_seconds How late each device's last pushed event reached the server.\n\
             # TYPE guichet_sync_lag_seconds gauge\n",
            s = OFFLINE_AFTER.as_secs()
        );
        for d in &devices {
            if let Some(lag) = sync.get(&d.id).and_then(|s| s.last_event_lag_s) {
                let _ = writeln!(
                    out,
                    "guichet_sync_lag_seconds{{device=\"{}\",name=\"{}\"}} {lag}",
                    label(&d.id),
                    label(&d.name)
                );
            }
        }
        Ok(())
    }
}
