//! A rule violation: a stable code the UI switches on, the numbers involved, and a sentence in
//! English and in French that names the rule, the numbers and the way out.

use serde::{Deserialize, Serialize};

/// The stable codes of rule violations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Code {
    /// The order has no lines.
    EmptyOrder,
    /// A line names a session the catalogue does not have.
    UnknownSession,
    /// A line asks for a category the session does not sell.
    CategoryNotOffered,
    /// A line's quantity is outside what a line may hold.
    LineQuantity,
    /// Olympic and Paralympic sessions in one order.
    MixedGames,
    /// No phase selling this kind of order for these Games is open.
    SaleClosed,
    /// A phase is open but sells the other kind (packs vs single tickets).
    OrderKind,
    /// The session is held back in this phase (surfing, ceremonies…).
    HeldBack,
    /// The phase is for drawn accounts and this one was not drawn.
    DrawRequired,
    /// The account has no timeslot yet.
    NoTimeslot,
    /// The instant is outside the account's timeslot.
    Timeslot,
    /// The first days are reserved for Club Paris 2024 members.
    ClubPriority,
    /// A pack does not have exactly the required number of sessions.
    PackSize,
    /// A session appears twice in a pack.
    PackDuplicateSession,
    /// Two sessions of a pack are in the same sport (when that rule is on).
    PackSameSport,
    /// Companion seats for a session where the account will hold no wheelchair place.
    CompanionWithoutWheelchair,
    /// More companion seats than wheelchair places for a session (one companion per place).
    CompanionsOverWheelchair,
    /// More than the per-session cap for the account.
    SessionCap,
    /// More than the per-account cap for the Games.
    AccountCap,
    /// Not enough tickets left (availability online, allotment offline).
    Availability,
    /// The order's price does not fit in an amount (cents in an `i64`).
    OrderTotal,
}

impl Code {
    /// The code as it travels (`ACCOUNT_CAP`).
    pub fn as_str(self) -> &'static str {
        match self {
            Code::EmptyOrder => "EMPTY_ORDER",
            Code::UnknownSession => "UNKNOWN_SESSION",
            Code::CategoryNotOffered => "CATEGORY_NOT_OFFERED",
            Code::LineQuantity => "LINE_QUANTITY",
            Code::MixedGames => "MIXED_GAMES",
            Code::SaleClosed => "SALE_CLOSED",
            Code::OrderKind => "ORDER_KIND",
            Code::HeldBack => "HELD_BACK",
            Code::DrawRequired => "DRAW_REQUIRED",
            Code::NoTimeslot => "NO_TIMESLOT",
            Code::Timeslot => "TIMESLOT",
            Code::ClubPriority => "CLUB_PRIORITY",
            Code::PackSize => "PACK_SIZE",
            Code::PackDuplicateSession => "PACK_DUPLICATE_SESSION",
            Code::PackSameSport => "PACK_SAME_SPORT",
            Code::CompanionWithoutWheelchair => "COMPANION_WITHOUT_WHEELCHAIR",
            Code::CompanionsOverWheelchair => "COMPANIONS_OVER_WHEELCHAIR",
            Code::SessionCap => "SESSION_CAP",
            Code::AccountCap => "ACCOUNT_CAP",
            Code::Availability => "AVAILABILITY",
            Code::OrderTotal => "ORDER_TOTAL",
        }
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Violation {
    /// Stable code.
    pub code: Code,
    /// The sentence in English.
    pub en: String,
    /// The sentence in French.
    pub fr: String,
    /// The numbers and names involved, for the UI to highlight the cause.
    pub details: serde_json::Value,
}

impl Violation {
    pub(crate) fn new(code: Code, en: String, fr: String, details: serde_json::Value) -> Self {
        Violation {
            code,
            en,
            fr,
            details,
        }
    }
    /// The sentence in a language (`"fr"` for French, anything else English).
    pub fn message(&self, lang: &str) -> &str {
        if lang.starts_with("fr") {
            &self.fr
        } else {
            &self.en
        }
    }
}

/// A refused draft: every violation found, at once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rejection {
    /// The violations, in the order the draft is read (structure, phase, limits, stock).
    pub violations: Vec<Violation>,
}

impl Rejection {
    /// Whether a code is among the violations.
    pub fn has(&self, code: Code) -> bool {
        self.violations.iter().any(|v| v.code == code)
    }
    /// The codes, in order.
    pub fn codes(&self) -> Vec<Code> {
        self.violations.iter().map(|v| v.code).collect()
    }
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.violations.len();
        write!(
            f,
            "order refused ({n} {}):",
            if n == 1 { "reason" } else { "reasons" }
        )?;
        for v in &self.violations {
            write!(f, "\n  [{}] {}", v.code, v.en)?;
        }
        Ok(())
    }
}

impl std::error::Error for Rejection {}
