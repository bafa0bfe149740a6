//! [`SimulatedTerminal`]: the one terminal shipped, a simulator (there is no card terminal
//! here). It plays a script of what fans and terminals do — approve, decline, time out, cancel,
//! lose power, drop the link and answer later — and keeps its ledger in its own file,
//! appended and fsynced per event, as a real terminal keeps its journal in its own memory: a
//! kiosk killed mid-payment can later ask it what became of a request.

use std::collections::VecDeque;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use guichet_domain::Money;
use serde::{Deserialize, Serialize};

use crate::terminal::{Authorisation, PaymentTerminal, TerminalError, TerminalStatus};

/// What the simulated fan and terminal do at the next authorisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SimulatedOutcome {
    /// The card is authorised.
    Approve,
    /// The card is declined.
    Decline,
    /// No card comes: the terminal times out.
    Timeout,
    /// The fan presses Cancel.
    CancelledByFan,
    /// The terminal loses power before it authorises: no answer, nothing reserved.
    PowerLossBeforeAuthorising,
    /// The terminal authorises, then loses power before it answers: no answer, the amount is
    /// reserved (its status says so once it is back).
    PowerLossAfterAuthorising,
    /// The link drops; the terminal answers "approved" after the delay.
    DisconnectedThenApprove(Duration),
}

impl SimulatedOutcome {
    /// Reads a script word: `approve`, `decline`, `timeout`, `cancel`, `power-loss`,
    /// `power-loss-after`, `disconnect:<ms>` (e.g. `disconnect:2000`).
    pub fn parse(word: &str) -> Result<SimulatedOutcome, String> {
        Ok(match word.trim() {
            "approve" => SimulatedOutcome::Approve,
            "decline" => SimulatedOutcome::Decline,
            "timeout" => SimulatedOutcome::Timeout,
            "cancel" => SimulatedOutcome::CancelledByFan,
            "power-loss" => SimulatedOutcome::PowerLossBeforeAuthorising,
            "power-loss-after" => SimulatedOutcome::PowerLossAfterAuthorising,
            w => match w.strip_prefix("disconnect:").map(str::parse::<u64>) {
                Some(Ok(ms)) => SimulatedOutcome::DisconnectedThenApprove(Duration::from_millis(ms)),
                _ => {
                    return Err(format!(
                        "terminal script {w:?}: write approve, decline, timeout, cancel, power-loss, power-loss-after or disconnect:<milliseconds>"
                    ))
                }
            },
        })
    }
}

/// One line of the simulator's ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerLine {
    /// The kiosk's request id.
    pub request_id: String,
    /// `authorised`, `captured`, `reversed` or `declined`.
    pub event: String,
    /// Amount authorised, in cents (on `authorised`).
    #[serde(default)]
    pub amount_cents: i64,
    /// Authorisation code (on `authorised`).
    #[serde(default)]
    pub auth_code: String,
}

/// Reads a simulator ledger (a line cut short by a kill at the end is skipped: it was never
/// acknowledged).
pub fn read_ledger(path: &Path) -> Result<Vec<LedgerLine>, TerminalError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(source) => {
            return Err(TerminalError::Ledger {
                path: path.to_path_buf(),
                source,
            })
        }
    };
    Ok(text
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect())
}

/// The request's status as a ledger says.
pub fn status_in(lines: &[LedgerLine], request_id: &str) -> TerminalStatus {
    let mut st = TerminalStatus::None;
    for l in lines.iter().filter(|l| l.request_id == request_id) {
        st = match (l.event.as_str(), st) {
            ("authorised", _) => TerminalStatus::Authorised {
                auth_code: l.auth_code.clone(),
            },
            ("captured", TerminalStatus::Authorised { auth_code }) => {
                TerminalStatus::Captured { auth_code }
            }
            ("reversed", _) => TerminalStatus::Reversed,
            ("declined", _) => TerminalStatus::Declined,
            (_, keep) => keep,
        };
    }
    st
}

/// The card terminal simulator.
#[derive(Debug)]
pub struct SimulatedTerminal {
    ledger: PathBuf,
    script: VecDeque<SimulatedOutcome>,
    /// How long a `Timeout` waits before answering (a real terminal waits about a minute;
    /// tests pass a few milliseconds).
    pub timeout_wait: Duration,
}

impl SimulatedTerminal {
    /// A simulator keeping its ledger at `ledger` (created on first use) that approves every
    /// card unless scripted otherwise.
    pub fn new(ledger: impl Into<PathBuf>) -> SimulatedTerminal {
        SimulatedTerminal {
            ledger: ledger.into(),
            script: VecDeque::new(),
            timeout_wait: Duration::ZERO,
        }
    }

    /// Queues what the next authorisations do, in order; once the script is used up, cards
    /// are approved.
    pub fn script(mut self, outcomes: impl IntoIterator<Item = SimulatedOutcome>) -> Self {
        self.script.extend(outcomes);
        self
    }

    /// The ledger file.
    pub fn ledger_path(&self) -> &Path {
        &self.ledger
    }

    fn append(&self, line: &LedgerLine) -> Result<(), TerminalError> {
        let err = |source| TerminalError::Ledger {
            path: self.ledger.clone(),
            source,
        };
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.ledger)
            .map_err(err)?;
        let mut text = serde_json::to_string(line).unwrap_or_default();
        text.push('\n');
        // One write per line: a kill leaves a whole line or a cut one, never two mixed.
        f.write_all(text.as_bytes()).map_err(err)?;
        f.sync_data().map_err(err)
    }

    fn now_status(&self, request_id: &str) -> Result<TerminalStatus, TerminalError> {
        Ok(status_in(&read_ledger(&self.ledger)?, request_id))
    }

    fn event(&self, request_id: &str, event: &str, amount: Money, auth_code: &str) -> LedgerLine {
        LedgerLine {
            request_id: request_id.to_string(),
            event: event.to_string(),
            amount_cents: amount.cents(),
            auth_code: auth_code.to_string(),
        }
    }
}

/// The simulator's authorisation code for a request: `SIM` and the id's last six digits.
fn auth_code(request_id: &str) -> String {
    let tail: String = request_id.chars().rev().take(6).collect();
    format!(
        "SIM{}",
        tail.chars().rev().collect::<String>().to_ascii_uppercase()
    )
}

impl PaymentTerminal for SimulatedTerminal {
    fn authorise(
        &mut self,
        request_id: &str,
        amount: Money,
    ) -> Result<Authorisation, TerminalError> {
        match self.now_status(request_id)? {
            TerminalStatus::Authorised { auth_code } | TerminalStatus::Captured { auth_code } => {
                return Ok(Authorisation::Authorised { auth_code })
            }
            TerminalStatus::Reversed | TerminalStatus::Declined => {
                return Ok(Authorisation::Declined {
                    reason: "this request was settled already: make a new request".into(),
                })
            }
            TerminalStatus::None => {}
        }
        let code = auth_code(request_id);
        let approve = |t: &Self| {
            t.append(&t.event(request_id, "authorised", amount, &code))?;
            Ok(Authorisation::Authorised {
                auth_code: code.clone(),
            })
        };
        let decline = |t: &Self, why: &str| {
            t.append(&t.event(request_id, "declined", amount, ""))?;
            Ok(match why {
                "timeout" => Authorisation::Timeout,
                "cancel" => Authorisation::CancelledByFan,
                _ => Authorisation::Declined {
                    reason: "card declined by the issuer (simulated)".into(),
                },
            })
        };
        match self.script.pop_front().unwrap_or(SimulatedOutcome::Approve) {
            SimulatedOutcome::Approve => approve(self),
            SimulatedOutcome::Decline => decline(self, "decline"),
            SimulatedOutcome::Timeout => {
                std::thread::sleep(self.timeout_wait);
                decline(self, "timeout")
            }
            SimulatedOutcome::CancelledByFan => decline(self, "cancel"),
            SimulatedOutcome::PowerLossBeforeAuthorising => Err(TerminalError::NoAnswer(
                "simulated power loss before authorising".into(),
            )),
            SimulatedOutcome::PowerLossAfterAuthorising => {
                self.append(&self.event(request_id, "authorised", amount, &code))?;
                Err(TerminalError::NoAnswer(
                    "simulated power loss after authorising".into(),
                ))
            }
            SimulatedOutcome::DisconnectedThenApprove(delay) => {
                std::thread::sleep(delay);
                approve(self)
            }
        }
    }

    fn capture(&mut self, request_id: &str) -> Result<(), TerminalError> {
        match self.now_status(request_id)? {
            TerminalStatus::Captured { .. } => Ok(()),
            TerminalStatus::Authorised { auth_code } => {
                self.append(&self.event(request_id, "captured", Money::ZERO, &auth_code))
            }
            other => Err(TerminalError::WrongState {
                step: "capture",
                request_id: request_id.to_string(),
                status: format!("{other:?}"),
            }),
        }
    }

    fn reverse(&mut self, request_id: &str) -> Result<(), TerminalError> {
        match self.now_status(request_id)? {
            TerminalStatus::Authorised { .. } => {
                self.append(&self.event(request_id, "reversed", Money::ZERO, ""))
            }
            TerminalStatus::Captured { .. } => Err(TerminalError::WrongState {
                step: "reverse",
                request_id: request_id.to_string(),
                status: "captured (refund it instead)".into(),
            }),
            TerminalStatus::None | TerminalStatus::Reversed | TerminalStatus::Declined => Ok(()),
        }
    }

    fn status(&mut self, request_id: &str) -> Result<TerminalStatus, TerminalError> {
        self.now_status(request_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sim(dir: &Path, script: &[SimulatedOutcome]) -> SimulatedTerminal {
        SimulatedTerminal::new(dir.join("terminal.jsonl")).script(script.iter().cloned())
    }

    #[test]
    fn a_capture_twice_is_one_capture_and_the_ledger_survives_the_simulator() {
        let dir = tempfile::tempdir().unwrap();
        let mut t = sim(dir.path(), &[]);
        let a = t.authorise("r-000001", Money::from_euros(50)).unwrap();
        assert!(matches!(a, Authorisation::Authorised { .. }), "{a:?}");
        t.capture("r-000001").unwrap();
        t.capture("r-000001").unwrap();
        drop(t);
        // A new simulator over the same file: the terminal's memory outlived the kiosk's.
        let mut again = sim(dir.path(), &[]);
        assert!(
            matches!(
                again.status("r-000001").unwrap(),
                TerminalStatus::Captured { .. }
            ),
            "the ledger file keeps the capture"
        );
        let lines = read_ledger(&dir.path().join("terminal.jsonl")).unwrap();
        let captures = lines.iter().filter(|l| l.event == "captured").count();
        assert_eq!(captures, 1, "a second capture writes nothing: {lines:?}");
        assert!(
            again.reverse("r-000001").is_err(),
            "a captured payment cannot be reversed, only refunded"
        );
    }

    #[test]
    fn each_scripted_outcome_answers_and_records_what_a_terminal_would() {
        let dir = tempfile::tempdir().unwrap();
        let mut t = sim(
            dir.path(),
            &[
                SimulatedOutcome::Decline,
                SimulatedOutcome::Timeout,
                SimulatedOutcome::CancelledByFan,
                SimulatedOutcome::PowerLossBeforeAuthorising,
                SimulatedOutcome::PowerLossAfterAuthorising,
                SimulatedOutcome::DisconnectedThenApprove(Duration::from_millis(20)),
            ],
        );
        let m = Money::from_euros(10);
        assert!(matches!(
            t.authorise("a", m).unwrap(),
            Authorisation::Declined { .. }
        ));
        assert_eq!(t.authorise("b", m).unwrap(), Authorisation::Timeout);
        assert_eq!(t.authorise("c", m).unwrap(), Authorisation::CancelledByFan);
        assert!(matches!(
            t.authorise("d", m),
            Err(TerminalError::NoAnswer(_))
        ));
        assert_eq!(
            t.status("d").unwrap(),
            TerminalStatus::None,
            "lost power before: nothing reserved"
        );
        assert!(matches!(
            t.authorise("e", m),
            Err(TerminalError::NoAnswer(_))
        ));
        assert!(
            matches!(t.status("e").unwrap(), TerminalStatus::Authorised { .. }),
            "lost power after authorising: the status says the amount is reserved"
        );
        let started = std::time::Instant::now();
        assert!(matches!(
            t.authorise("f", m).unwrap(),
            Authorisation::Authorised { .. }
        ));
        assert!(
            started.elapsed() >= Duration::from_millis(20),
            "the answer comes after the scripted disconnection"
        );
        for r in ["a", "b", "c"] {
            assert_eq!(
                t.status(r).unwrap(),
                TerminalStatus::Declined,
                "{r}: nothing reserved"
            );
        }
        t.reverse("e").unwrap();
        assert_eq!(t.status("e").unwrap(), TerminalStatus::Reversed);
        assert!(
            t.capture("e").is_err(),
            "a reversed request cannot be captured"
        );
    }

    #[test]
    fn a_script_word_that_is_not_one_is_refused_naming_the_words() {
        let e = SimulatedOutcome::parse("aprove").unwrap_err();
        assert!(e.contains("approve, decline"), "{e}");
        assert_eq!(
            SimulatedOutcome::parse("disconnect:2000").unwrap(),
            SimulatedOutcome::DisconnectedThenApprove(Duration::from_secs(2))
        );
    }
}
