//! The card terminal, behind a trait. A real terminal is a separate device whose memory
//! survives the kiosk's crash: the kiosk knows each payment by a request id it made, and can
//! always ask the terminal what became of it ([`PaymentTerminal::status`]). See
//! `docs/kiosk-payments.md` for how ZVT and nexo/Adyen terminals map onto it.

use guichet_domain::Money;

/// What the terminal answered to an authorisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Authorisation {
    /// The amount is reserved on the card; nothing is taken until capture.
    Authorised {
        /// The issuer's authorisation code.
        auth_code: String,
    },
    /// The card or the issuer said no.
    Declined {
        /// The terminal's words for it.
        reason: String,
    },
    /// No card was presented in time.
    Timeout,
    /// The fan pressed Cancel on the terminal.
    CancelledByFan,
}

/// The terminal's view of one request id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TerminalStatus {
    /// It never heard of it (or heard and did nothing: power lost before authorising).
    None,
    /// Authorised, not captured.
    Authorised {
        /// The authorisation code.
        auth_code: String,
    },
    /// Captured: the money is taken.
    Captured {
        /// The authorisation code.
        auth_code: String,
    },
    /// Authorised, then reversed: nothing is taken.
    Reversed,
    /// Declined, timed out or cancelled: nothing is reserved.
    Declined,
}

/// Why the terminal could not answer.
#[derive(Debug, thiserror::Error)]
pub enum TerminalError {
    /// The terminal did not answer (power lost, cable out, network down). What it did is
    /// unknown until [`PaymentTerminal::status`] answers.
    #[error(
        "the card terminal did not answer ({0}); ask it for the request's status once it is back"
    )]
    NoAnswer(String),
    /// The step does not fit what the terminal holds for this request.
    #[error("the card terminal refused to {step} request {request_id}: it is {status}")]
    WrongState {
        /// `capture` or `reverse`.
        step: &'static str,
        /// The request.
        request_id: String,
        /// What the terminal holds for it.
        status: String,
    },
    /// The simulator's ledger file failed.
    #[error("the card terminal simulator's ledger {path}: {source}")]
    Ledger {
        /// The file.
        path: std::path::PathBuf,
        /// The IO error.
        source: std::io::Error,
    },
}

impl TerminalError {
    /// A stable code for the screen and logs.
    pub fn code(&self) -> &'static str {
        match self {
            TerminalError::NoAnswer(_) => "TERMINAL_NO_ANSWER",
            TerminalError::WrongState { .. } => "TERMINAL_WRONG_STATE",
            TerminalError::Ledger { .. } => "TERMINAL_LEDGER",
        }
    }
}

/// A card terminal. Every call names the kiosk's request id; capture and reverse are
/// idempotent (a second capture of a captured request changes nothing), so a kiosk that
/// crashed may repeat a step it does not know it took.
pub trait PaymentTerminal: Send {
    /// Asks the fan's card for `amount`; blocks until the terminal answers (the fan may take
    /// a while). Asking again for a request already authorised answers that authorisation.
    fn authorise(
        &mut self,
        request_id: &str,
        amount: Money,
    ) -> Result<Authorisation, TerminalError>;
    /// Takes the authorised money.
    fn capture(&mut self, request_id: &str) -> Result<(), TerminalError>;
    /// Releases an authorisation (nothing is taken). Reversing a request that was never
    /// authorised, or is reversed already, changes nothing.
    fn reverse(&mut self, request_id: &str) -> Result<(), TerminalError>;
    /// What the terminal holds for the request.
    fn status(&mut self, request_id: &str) -> Result<TerminalStatus, TerminalError>;
}
