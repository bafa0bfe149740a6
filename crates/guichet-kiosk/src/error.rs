//! The kiosk's errors: each has a stable code the screen switches on.

use guichet_desk::sync::CallError;
use guichet_domain::Rejection;

use crate::terminal::TerminalError;

/// Why a kiosk step failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The local store failed.
    #[error(transparent)]
    Store(#[from] guichet_store::Error),
    /// The rules refuse the basket (every violation, no stock included): nothing was charged.
    #[error("{0}")]
    Refused(Rejection),
    /// The server did not answer or refused something the kiosk cannot fix.
    #[error(transparent)]
    Server(#[from] CallError),
    /// The terminal failed in a way the sale could not settle at once; reconciliation will.
    #[error(transparent)]
    Terminal(#[from] TerminalError),
    /// The basket names a session or category the catalogue has not.
    #[error(
        "{session} has no category {category} in the catalogue: pick one the session browser shows"
    )]
    UnknownOffer {
        /// Session.
        session: String,
        /// Category.
        category: String,
    },
    /// The basket is empty or malformed.
    #[error("the basket {0}")]
    Basket(String),
    /// Signing or laying out the tickets failed.
    #[error("the tickets could not be made: {0}")]
    Tickets(String),
    /// The state reporter could not start (the kiosk still sells; it is not reported).
    #[error("the kiosk's state reporter {0}")]
    Report(String),
    /// A stored intent does not read back (a newer or damaged file).
    #[error("payment intent {request_id}: {problem}")]
    Intent {
        /// The request.
        request_id: String,
        /// What is wrong.
        problem: String,
    },
}

impl Error {
    /// A stable code for the screen and logs.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Store(_) => "STORE",
            Error::Refused(_) => "RULES",
            Error::Server(_) => "SERVER",
            Error::Terminal(t) => t.code(),
            Error::UnknownOffer { .. } => "UNKNOWN_OFFER",
            Error::Basket(_) => "BASKET",
            Error::Tickets(_) => "TICKETS",
            Error::Intent { .. } => "INTENT",
            Error::Report(_) => "REPORT",
        }
    }
}

/// Result of the kiosk.
pub type Result<T, E = Error> = std::result::Result<T, E>;
