//! Errors of the notices' logic: each says the rule, the numbers and the way out.

/// What is wrong with a notice or a setting.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// A slot that ends before it starts.
    #[error("the slot ends ({end}) before it starts ({start}): a slot must run forward; fix the draw's timeslots")]
    SlotBackwards {
        /// Start (UTC).
        start: String,
        /// End (UTC).
        end: String,
    },
    /// A rate that cannot pace anything.
    #[error("rate_per_second = {0}: it must be more than 0 and at most 10000 messages per second")]
    Rate(String),
    /// An instant that Paris time cannot show (outside jiff's range).
    #[error("the instant {0} cannot be shown in Paris time")]
    Instant(String),
}

impl Error {
    /// A short code for logs and the command line.
    pub fn code(&self) -> &'static str {
        match self {
            Error::SlotBackwards { .. } => "SLOT_BACKWARDS",
            Error::Rate(_) => "RATE",
            Error::Instant(_) => "INSTANT",
        }
    }
}

/// Result of the notices' logic.
pub type Result<T, E = Error> = std::result::Result<T, E>;
