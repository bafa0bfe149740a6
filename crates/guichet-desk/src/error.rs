//! Errors of the desk's use cases. Each is a sentence naming the rule, the numbers and the way
//! out; [`Error::code`] is what a UI switches on.

use guichet_domain::rules::Rejection;
use guichet_domain::Money;

/// Why a use case refused or failed. A refusal writes nothing unless it says so (a wrong PIN
/// is counted).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The local store failed or refused.
    #[error(transparent)]
    Store(#[from] guichet_store::Error),
    /// The sale rules refused the order; every violation is listed.
    #[error("{0}")]
    Refused(Rejection),
    /// No operator is signed in.
    #[error("no operator is signed in — sign in with your staff id and PIN first")]
    NotSignedIn,
    /// Unknown staff id.
    #[error("no operator {id:?} at this desk — check the staff id")]
    UnknownOperator {
        /// The id typed.
        id: String,
    },
    /// Wrong PIN; the attempt was counted.
    #[error("wrong PIN for {id}; {} left before the account is locked for {lock_minutes} minutes", attempts_left(*left))]
    WrongPin {
        /// Operator.
        id: String,
        /// Attempts left.
        left: u32,
        /// Lock duration.
        lock_minutes: i64,
    },
    /// Locked after too many wrong PINs.
    #[error("{id} is locked after {attempts} wrong PINs until {until} (Paris time) — wait or ask a supervisor")]
    Locked {
        /// Operator.
        id: String,
        /// Wrong PINs that caused the lock.
        attempts: u32,
        /// End of the lock, Paris time.
        until: String,
    },
    /// The action needs a supervisor's PIN.
    #[error(
        "{id} is a seller; {action} needs a supervisor's PIN — ask a supervisor to enter theirs"
    )]
    NotSupervisor {
        /// Operator whose PIN was given.
        id: String,
        /// What was attempted.
        action: &'static str,
    },
    /// A PIN that does not meet the policy.
    #[error("a PIN is 4 to 8 digits — choose another")]
    PinPolicy,
    /// Selling or voiding needs an open shift.
    #[error("no shift is open — open one with a cash float first")]
    NoOpenShift,
    /// Only one shift at a time.
    #[error("a shift opened by {by} at {since} is still open — close it first")]
    ShiftAlreadyOpen {
        /// Who opened it.
        by: String,
        /// When (Paris time).
        since: String,
    },
    /// A scanned account card that a kiosk may not trust (forged, expired, unsigned…).
    #[error("{0}")]
    Card(#[from] guichet_tickets::CardError),
    /// Unknown account.
    #[error("no account {id:?} in this desk's cache — look it up by name or email, or create a walk-in account")]
    UnknownAccount {
        /// The id.
        id: String,
    },
    /// A field of the input is not acceptable.
    #[error("{field}: {problem}")]
    BadInput {
        /// Which field.
        field: &'static str,
        /// What is wrong and what is expected.
        problem: Problem,
    },
    /// More holder names than tickets on a line.
    #[error("line {line} ({session}) has {quantity} ticket(s) but {names} holder names — remove {extra}")]
    HolderNames {
        /// 1-based line.
        line: usize,
        /// Session.
        session: String,
        /// Tickets.
        quantity: u32,
        /// Names given.
        names: usize,
        /// Names too many.
        extra: usize,
    },
    /// A holder's name has characters no ticket font on this machine can draw.
    #[error("line {line} ({session}): the holder name {name:?} has characters no ticket font on this machine can draw ({missing}) — install the fonts (apt-get install fonts-noto-core fonts-noto-cjk) or type the holder's name in Latin letters, as on the passport")]
    HolderNotPrintable {
        /// 1-based line number.
        line: usize,
        /// Session of the line.
        session: String,
        /// The name.
        name: String,
        /// The characters that cannot print.
        missing: String,
    },
    /// A negative amount of money.
    #[error("{what} is {amount}; amounts are never negative — enter 0 or more")]
    NegativeAmount {
        /// Which amount.
        what: &'static str,
        /// The amount.
        amount: Money,
    },
    /// Card part larger than the total.
    #[error("card amount {card} is more than the order total {total} — charge at most {total}")]
    CardOverTotal {
        /// Card amount.
        card: Money,
        /// Total.
        total: Money,
    },
    /// Not enough cash handed over.
    #[error("cash due is {due}, {tendered} tendered — {missing} missing")]
    CashShort {
        /// Cash due.
        due: Money,
        /// Handed over.
        tendered: Money,
        /// Missing.
        missing: Money,
    },
    /// Cash given when the card covers everything.
    #[error("the card pays the whole {total}; no cash is due, yet {tendered} was tendered — set cash to 0")]
    CashNotDue {
        /// Total.
        total: Money,
        /// Cash tendered.
        tendered: Money,
    },
    /// Change larger than the till may give: almost surely a typing slip.
    #[error(
        "change due would be {change}; the desk gives at most {limit} — check the amount tendered"
    )]
    AbsurdChange {
        /// Change computed.
        change: Money,
        /// The setting.
        limit: Money,
    },
    /// The payment terminal refused.
    #[error(
        "card payment refused by the terminal: {reason} — nothing was sold; try again or take cash"
    )]
    CardDeclined {
        /// The terminal's reason.
        reason: String,
    },
    /// Unknown order.
    #[error("no order {id:?} at this desk — check the number on the receipt, or open the fan's account and pick the order there")]
    UnknownOrder {
        /// The id.
        id: String,
    },
    /// Unknown or no longer valid ticket.
    #[error("ticket {id:?} is {state} — only a valid ticket can be {action}")]
    TicketNotValid {
        /// The id.
        id: String,
        /// Its state (`void`, `reissued`, `unknown`).
        state: String,
        /// What was attempted.
        action: &'static str,
    },
    /// The order was voided already.
    #[error("order {id} was already voided — nothing to do")]
    AlreadyVoided {
        /// The id.
        id: String,
    },
    /// The order's PDF could not be rendered (the sale itself is kept).
    #[error("could not render the tickets: {0} — the sale is recorded; reprint once fixed")]
    Render(Output),
    /// The tickets could not be sent to the printer (the sale is kept).
    #[error("could not print: {0} — the sale is recorded; fix the printer and print again, or save the PDF")]
    Print(Output),
    /// The desk has no server link.
    #[error("this desk is not enrolled with a server — ask an administrator for an enrolment code (guichet-server enrol) and enrol")]
    NotEnrolled,
    /// A call to the server failed (network, or a refusal that is not a sale rule).
    #[error("{0}")]
    Server(#[from] crate::sync::http::CallError),
    /// The server refused an online sale for a reason other than the sale rules.
    #[error("the server refused the sale ({status} {code}): {message} — nothing was sold")]
    ServerRefused {
        /// HTTP status.
        status: u16,
        /// The server's error code.
        code: String,
        /// The server's sentence.
        message: String,
    },
    /// The ticket signer failed.
    #[error("could not sign ticket: {0}")]
    Signing(String),
}

impl Error {
    /// A stable code for the UI and the CLI's exit JSON.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Store(guichet_store::Error::AllotmentShort { .. }) => "ALLOTMENT_SHORT",
            Error::Store(guichet_store::Error::NotADeskStore { .. }) => "NOT_A_DESK_STORE",
            Error::Store(guichet_store::Error::NewerSchema { .. }) => "NEWER_SCHEMA",
            Error::Store(guichet_store::Error::MirrorUnwritable { .. }) => "MIRROR_UNWRITABLE",
            Error::Store(guichet_store::Error::BadBackup { .. }) => "BAD_BACKUP",
            Error::Store(guichet_store::Error::BadJournal { .. }) => "BAD_JOURNAL",
            Error::Store(guichet_store::Error::MirrorCopy { .. }) => "MIRROR_COPY",
            Error::Store(_) => "STORE",
            Error::Refused(_) => "RULES",
            Error::NotSignedIn => "NOT_SIGNED_IN",
            Error::UnknownOperator { .. } => "UNKNOWN_OPERATOR",
            Error::WrongPin { .. } => "WRONG_PIN",
            Error::Locked { .. } => "LOCKED",
            Error::NotSupervisor { .. } => "NOT_SUPERVISOR",
            Error::PinPolicy => "PIN_POLICY",
            Error::NoOpenShift => "NO_OPEN_SHIFT",
            Error::ShiftAlreadyOpen { .. } => "SHIFT_ALREADY_OPEN",
            Error::Card(_) => "CARD_NOT_VALID",
            Error::UnknownAccount { .. } => "UNKNOWN_ACCOUNT",
            Error::BadInput { .. } => "BAD_INPUT",
            Error::HolderNames { .. } => "HOLDER_NAMES",
            Error::HolderNotPrintable { .. } => "HOLDER_NOT_PRINTABLE",
            Error::NegativeAmount { .. } => "NEGATIVE_AMOUNT",
            Error::CardOverTotal { .. } => "CARD_OVER_TOTAL",
            Error::CashShort { .. } => "CASH_SHORT",
            Error::CashNotDue { .. } => "CASH_NOT_DUE",
            Error::AbsurdChange { .. } => "ABSURD_CHANGE",
            Error::CardDeclined { .. } => "CARD_DECLINED",
            Error::UnknownOrder { .. } => "UNKNOWN_ORDER",
            Error::TicketNotValid { .. } => "TICKET_NOT_VALID",
            Error::AlreadyVoided { .. } => "ALREADY_VOIDED",
            Error::Signing(_) => "SIGNING",
            Error::NotEnrolled => "NOT_ENROLLED",
            Error::Server(e) if e.is_network() => "SERVER_UNREACHABLE",
            Error::Server(_) => "SERVER_REFUSED",
            Error::ServerRefused { .. } => "SERVER_REFUSED",
            Error::Render(_) => "RENDER",
            Error::Print(_) => "PRINT",
        }
    }
}

/// What is wrong with a field, typed so that a UI says it in its own language without reading
/// the English sentence back. `Display` is the English sentence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// Not an email address.
    #[error("{value:?} is not an email address (name@domain.tld)")]
    NotAnEmail {
        /// As typed.
        value: String,
    },
    /// Not an ISO 3166-1 country code.
    #[error("{value:?}: two letters, ISO 3166-1 (FR, DE, US)")]
    NotACountry {
        /// As typed.
        value: String,
    },
    /// Not a Club number.
    #[error("{value:?}: 4 to 20 letters or digits")]
    NotAClubNumber {
        /// As typed.
        value: String,
    },
    /// Empty.
    #[error("must not be empty")]
    Empty,
    /// Too long, or with control characters.
    #[error("at most {max} characters, no control characters")]
    TooLong {
        /// The setting.
        max: usize,
    },
    /// A refund naming no ticket.
    #[error("name at least one ticket to refund")]
    NoTicketToRefund,
    /// Characters no ticket font on this machine draws.
    #[error("{value:?} has characters no ticket font on this machine can draw ({missing}) — install the fonts (apt-get install {}) or type it in Latin letters, as on the passport", guichet_tickets::FONT_PACKAGES)]
    Unprintable {
        /// As typed.
        value: String,
        /// The characters no font draws.
        missing: String,
    },
    /// A shift this desk did not run.
    #[error("no shift {id:?} at this desk — print the report from the Shift screen of the desk that ran it")]
    NoShift {
        /// The id asked.
        id: String,
    },
    /// Anything else, said in English only (a parser's own reason, a key mismatch).
    #[error("{0}")]
    Other(String),
}

impl From<String> for Problem {
    fn from(s: String) -> Self {
        Problem::Other(s)
    }
}

impl From<&str> for Problem {
    fn from(s: &str) -> Self {
        Problem::Other(s.to_string())
    }
}

/// Why tickets or a report could not be made, written or printed: the tickets crate's own
/// errors and the file's `io::Error`, kept typed for the UI.
#[derive(Debug, thiserror::Error)]
pub enum Output {
    /// The PDF could not be rendered.
    #[error(transparent)]
    Render(#[from] guichet_tickets::RenderError),
    /// CUPS refused or failed.
    #[error(transparent)]
    Printer(#[from] guichet_tickets::PrintError),
    /// The PDF could not be written.
    #[error("{}: {source}", path.display())]
    File {
        /// Where.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A ticket's session is no longer in the catalogue.
    #[error("{session} left the catalogue")]
    LeftCatalogue {
        /// The session.
        session: String,
    },
}

/// Result with the desk [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// "1 attempt" / "4 attempts": a sentence, not "attempt(s)".
fn attempts_left(n: u32) -> String {
    if n == 1 {
        "1 attempt".into()
    } else {
        format!("{n} attempts")
    }
}
