//! The kiosk's state, reported to the server (`PUT /v1/devices/self/state`) by a thread of
//! its own, so that a server that is down or hangs never holds up a check or a sale. A state
//! is handed over when the checks' result changes and at most every [`ReportPolicy::every`]
//! otherwise; the thread sends the latest one, and while the server does not answer it keeps
//! it and tries again every [`ReportPolicy::retry`], so the state reaches the server when it
//! is back.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

use guichet_desk::sync::{ServerClient, Timeouts};
use guichet_wire::device_state::DeviceStateReport;

use crate::error::Result;

/// How often and how patiently the state is reported.
#[derive(Debug, Clone, Copy)]
pub struct ReportPolicy {
    /// An unchanged state is handed over again after this long (last seen stays fresh).
    pub every: Duration,
    /// After a failed send, the next try.
    pub retry: Duration,
    /// The reporting thread's time limits (a sale never waits on them).
    pub timeouts: Timeouts,
}

impl Default for ReportPolicy {
    fn default() -> Self {
        ReportPolicy {
            every: Duration::from_secs(60),
            retry: Duration::from_secs(5),
            timeouts: Timeouts {
                connect: Duration::from_millis(800),
                request: Duration::from_secs(3),
            },
        }
    }
}

#[derive(Default)]
struct Slot {
    /// The state to send (the latest handed over), until the server has it.
    pending: Option<DeviceStateReport>,
    /// The last state the server acknowledged.
    acked: Option<DeviceStateReport>,
    /// Why the last send failed.
    last_error: Option<String>,
    stop: bool,
}

struct Shared {
    slot: Mutex<Slot>,
    wake: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Slot> {
        self.slot.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Whether two reports say the same (the instant the checks ran aside).
fn same(a: &DeviceStateReport, b: &DeviceStateReport) -> bool {
    a.codes == b.codes
        && a.printer == b.printer
        && a.terminal == b.terminal
        && a.app_version == b.app_version
        && a.last_sale_at == b.last_sale_at
}

/// Hands the kiosk's state to its reporting thread.
pub struct StateReporter {
    shared: Arc<Shared>,
    policy: ReportPolicy,
    handed: Option<(DeviceStateReport, Instant)>,
}

impl StateReporter {
    /// Starts the reporting thread for the server at `base` with this device's `token`.
    pub fn start(base: &str, token: &str, policy: ReportPolicy) -> Result<StateReporter> {
        let client = ServerClient::new(base, Some(token.to_string()), policy.timeouts)?;
        let shared = Arc::new(Shared {
            slot: Mutex::new(Slot::default()),
            wake: Condvar::new(),
        });
        let s = shared.clone();
        thread::Builder::new()
            .name("kiosk-state-report".into())
            .spawn(move || send_loop(&s, &client, policy.retry))
            .map_err(|e| crate::error::Error::Report(format!("cannot start its thread: {e}")))?;
        Ok(StateReporter {
            shared,
            policy,
            handed: None,
        })
    }

    /// Hands `report` over if it differs from the last one handed over or that one is older
    /// than [`ReportPolicy::every`] at `at`; never waits for the server. Answers whether the
    /// server has acknowledged this state already.
    pub fn offer(&mut self, report: DeviceStateReport, at: Instant) -> bool {
        let due = match &self.handed {
            None => true,
            Some((last, when)) => {
                !same(last, &report) || at.saturating_duration_since(*when) >= self.policy.every
            }
        };
        let mut slot = self.shared.lock();
        let acked = slot.acked.as_ref().is_some_and(|a| same(a, &report));
        if due {
            slot.pending = Some(report.clone());
            self.handed = Some((report, at));
            self.shared.wake.notify_all();
        }
        acked
    }

    /// The last state the server acknowledged.
    pub fn acknowledged(&self) -> Option<DeviceStateReport> {
        self.shared.lock().acked.clone()
    }

    /// Why the last send failed, if it did (cleared by the next success).
    pub fn last_error(&self) -> Option<String> {
        self.shared.lock().last_error.clone()
    }
}

impl Drop for StateReporter {
    fn drop(&mut self) {
        // The thread ends after its current send at the latest; nobody waits for it.
        self.shared.lock().stop = true;
        self.shared.wake.notify_all();
    }
}

fn send_loop(shared: &Shared, client: &ServerClient, retry: Duration) {
    loop {
        let report = {
            let mut slot = shared.lock();
            while slot.pending.is_none() && !slot.stop {
                slot = shared.wake.wait(slot).unwrap_or_else(|e| e.into_inner());
            }
            if slot.stop {
                return;
            }
            slot.pending.clone().expect("pending checked above")
        };
        let sent = client.report_state(&report);
        let mut slot = shared.lock();
        match sent {
            Ok(_) => {
                slot.last_error = None;
                slot.acked = Some(report.clone());
                if slot.pending.as_ref() == Some(&report) {
                    slot.pending = None;
                }
            }
            Err(e) => {
                let network = e.is_network();
                slot.last_error = Some(e.to_string());
                if !network && slot.pending.as_ref() == Some(&report) {
                    // Refused: sending it again would be refused again.
                    slot.pending = None;
                }
                if network {
                    // Kept; tried again after `retry`, or at once when a new state comes.
                    let (s, _) = shared
                        .wake
                        .wait_timeout_while(slot, retry, |s| {
                            !s.stop && s.pending.as_ref() == Some(&report)
                        })
                        .unwrap_or_else(|e| e.into_inner());
                    slot = s;
                }
            }
        }
        drop(slot);
    }
}
