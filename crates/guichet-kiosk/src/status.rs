//! The kiosk's state as staff and the server see it: the pre-sale checks plus staff's
//! out-of-service switch, handed to the [`StateReporter`] (which never waits for the server).

use std::time::Instant;

use guichet_store::intents::last_captured_at;
use guichet_wire::device_state::{DeviceStateReport, PartState};

use crate::checks::OutOfOrder;
use crate::error::Result;
use crate::kiosk::Kiosk;
use crate::report::StateReporter;

/// What the checks found, and whether the server knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KioskState {
    /// Every reason the kiosk is out of order, staff's switch first; empty: in service.
    pub problems: Vec<OutOfOrder>,
    /// The report handed to the server.
    pub report: DeviceStateReport,
    /// The server has acknowledged this very state (false offline, or until it answers).
    pub reported: bool,
}

fn part(problem: Option<&OutOfOrder>) -> PartState {
    match problem {
        Some(p) => PartState {
            ready: false,
            detail: p.detail().chars().take(300).collect(),
        },
        None => PartState {
            ready: true,
            detail: "ready".into(),
        },
    }
}

impl Kiosk {
    /// Runs the pre-sale checks ([`Kiosk::health`]), adds staff's out-of-service switch
    /// (`taken_out`), and hands the state to the server's reporter when it changed or is due
    /// at `at` (a monotonic instant: the reporting pace does not follow a simulated clock).
    /// Never waits for the server.
    pub fn status(
        &mut self,
        taken_out: bool,
        app_version: &str,
        at: Instant,
    ) -> Result<KioskState> {
        let mut problems = Vec::new();
        if taken_out {
            problems.push(OutOfOrder::OutOfService);
        }
        problems.extend(self.health()?);
        let find = |f: fn(&OutOfOrder) -> bool| problems.iter().find(|p| f(p));
        let report = DeviceStateReport {
            codes: problems.iter().map(OutOfOrder::wire).collect(),
            printer: part(find(|p| matches!(p, OutOfOrder::Printer(_)))),
            terminal: part(find(|p| matches!(p, OutOfOrder::Terminal(_)))),
            app_version: app_version.to_string(),
            last_sale_at: last_captured_at(self.store.reader())?.map(|t| t.to_string()),
            observed_at: self.now().to_string(),
            device_id: None,
        };
        let reported = self
            .reporter
            .as_mut()
            .is_some_and(|r| r.offer(report.clone(), at));
        Ok(KioskState {
            problems,
            report,
            reported,
        })
    }

    /// The state reporter, while the kiosk is connected to a server.
    pub fn reporter(&self) -> Option<&StateReporter> {
        self.reporter.as_ref()
    }
}
