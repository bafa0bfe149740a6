//! Identifiers and small value types. Each is built by `parse`/`TryFrom`, so holding one means
//! it is valid ("parse, don't validate").

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::ParseError;

/// Which Games a session belongs to. Olympic and Paralympic tickets are counted apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Games {
    /// Olympic Games, 26 Jul – 11 Aug 2024 (football from 24 Jul).
    Olympic,
    /// Paralympic Games, 28 Aug – 8 Sep 2024.
    Paralympic,
}

impl Games {
    /// English name.
    pub fn name_en(self) -> &'static str {
        match self {
            Games::Olympic => "Olympic",
            Games::Paralympic => "Paralympic",
        }
    }
    /// French name (adjective, as in "billets olympiques").
    pub fn name_fr(self) -> &'static str {
        match self {
            Games::Olympic => "olympiques",
            Games::Paralympic => "paralympiques",
        }
    }
}

impl fmt::Display for Games {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name_en())
    }
}

/// A session code such as `ATH07`, `SRF01` or `CER-OPENING`: 2–24 characters of `A–Z`, `0–9`
/// and `-`, starting with a letter.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SessionCode(String);

impl SessionCode {
    /// Parses a session code; lower case is accepted and upper-cased (staff type fast).
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let up = s.trim().to_ascii_uppercase();
        let ok = (2..=24).contains(&up.len())
            && up.starts_with(|c: char| c.is_ascii_uppercase())
            && up
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
        if ok {
            Ok(SessionCode(up))
        } else {
            Err(ParseError::new(
                "session code",
                s,
                "2–24 letters, digits or '-', starting with a letter (e.g. ATH07)",
            ))
        }
    }
    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for SessionCode {
    type Error = ParseError;
    fn try_from(s: String) -> Result<Self, ParseError> {
        SessionCode::parse(&s)
    }
}
impl From<SessionCode> for String {
    fn from(c: SessionCode) -> String {
        c.0
    }
}
impl fmt::Display for SessionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

/// A venue code from the official feed, e.g. `STA` (Stade de France).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct VenueCode(String);

impl VenueCode {
    /// Parses a venue code: 2–4 upper-case letters or digits.
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let ok = (2..=4).contains(&s.len())
            && s.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        if ok {
            Ok(VenueCode(s.to_string()))
        } else {
            Err(ParseError::new(
                "venue code",
                s,
                "2–4 upper-case letters or digits (e.g. STA)",
            ))
        }
    }
    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
impl TryFrom<String> for VenueCode {
    type Error = ParseError;
    fn try_from(s: String) -> Result<Self, ParseError> {
        VenueCode::parse(&s)
    }
}
impl From<VenueCode> for String {
    fn from(c: VenueCode) -> String {
        c.0
    }
}
impl fmt::Display for VenueCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

/// Price category: A (best seats) to D (cheapest), and the two places of an accessible pair, a
/// wheelchair place (`WCH`) and its companion seat (`CMP`), sold together (see the rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum PriceCategory {
    /// Best seats.
    A,
    /// Second category.
    B,
    /// Third category.
    C,
    /// Cheapest seats (24 € floor at the Olympics, 15 € at the Paralympics).
    D,
    /// A wheelchair place (a space for the chair, with one companion seat beside it).
    WCH,
    /// The companion seat beside a wheelchair place: paid, and sold only with one.
    CMP,
}

impl PriceCategory {
    /// All categories: A to D best first, then the wheelchair place and its companion seat.
    pub const ALL: [PriceCategory; 6] = [
        PriceCategory::A,
        PriceCategory::B,
        PriceCategory::C,
        PriceCategory::D,
        PriceCategory::WCH,
        PriceCategory::CMP,
    ];

    /// Parses `A`–`D`, `WCH` or `CMP` (case-insensitive).
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let up = s.trim().to_ascii_uppercase();
        PriceCategory::ALL
            .into_iter()
            .find(|c| c.code() == up)
            .ok_or_else(|| {
                ParseError::new(
                    "price category",
                    s,
                    "one of A, B, C, D, WCH (wheelchair place), CMP (companion seat)",
                )
            })
    }
    /// The code as it travels and is stored: `A`–`D`, `WCH`, `CMP`.
    pub fn code(self) -> &'static str {
        match self {
            PriceCategory::A => "A",
            PriceCategory::B => "B",
            PriceCategory::C => "C",
            PriceCategory::D => "D",
            PriceCategory::WCH => "WCH",
            PriceCategory::CMP => "CMP",
        }
    }
    /// Whether this is one of the two places of an accessible pair.
    pub fn is_accessible(self) -> bool {
        matches!(self, PriceCategory::WCH | PriceCategory::CMP)
    }
    /// English name: "Category A", "Wheelchair place", "Companion seat".
    pub fn name_en(self) -> &'static str {
        match self {
            PriceCategory::A => "Category A",
            PriceCategory::B => "Category B",
            PriceCategory::C => "Category C",
            PriceCategory::D => "Category D",
            PriceCategory::WCH => "Wheelchair place",
            PriceCategory::CMP => "Companion seat",
        }
    }
    /// French name: "Catégorie A", "Place fauteuil roulant", "Place accompagnateur".
    pub fn name_fr(self) -> &'static str {
        match self {
            PriceCategory::A => "Catégorie A",
            PriceCategory::B => "Catégorie B",
            PriceCategory::C => "Catégorie C",
            PriceCategory::D => "Catégorie D",
            PriceCategory::WCH => "Place fauteuil roulant",
            PriceCategory::CMP => "Place accompagnateur",
        }
    }
}
impl fmt::Display for PriceCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.code())
    }
}

/// An amount of money in euro cents. Never a float.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Money(i64);

impl Money {
    /// Zero euros.
    pub const ZERO: Money = Money(0);
    /// From integer cents.
    pub const fn from_cents(cents: i64) -> Self {
        Money(cents)
    }
    /// From whole euros.
    pub const fn from_euros(euros: i64) -> Self {
        Money(euros * 100)
    }
    /// Integer cents.
    pub const fn cents(self) -> i64 {
        self.0
    }
    /// Parses "24", "24.5", "24.50" (euros, dot or comma) into cents; rejects negatives,
    /// more than two decimals and amounts above one million euros.
    pub fn parse_euros(s: &str) -> Result<Self, ParseError> {
        let t = s.trim().replace(',', ".");
        let bad = || {
            ParseError::new(
                "amount",
                s,
                "euros with at most two decimals, between 0 and 1,000,000 (e.g. 24.50)",
            )
        };
        let (whole, frac) = match t.split_once('.') {
            Some((w, f)) => (w, f),
            None => (t.as_str(), ""),
        };
        if whole.is_empty() || frac.len() > 2 || !whole.chars().all(|c| c.is_ascii_digit()) {
            return Err(bad());
        }
        if !frac.chars().all(|c| c.is_ascii_digit()) {
            return Err(bad());
        }
        let euros: i64 = whole.parse().map_err(|_| bad())?;
        let cents: i64 = if frac.is_empty() {
            0
        } else {
            format!("{frac:0<2}").parse().map_err(|_| bad())?
        };
        if euros > 1_000_000 {
            return Err(bad());
        }
        Ok(Money(euros * 100 + cents))
    }
    /// Multiplies by a ticket count; `None` when the product does not fit in `i64` cents.
    pub fn checked_times(self, n: u32) -> Option<Money> {
        self.0.checked_mul(i64::from(n)).map(Money)
    }
    /// Adds; `None` when the sum does not fit in `i64` cents.
    pub fn checked_add(self, o: Money) -> Option<Money> {
        self.0.checked_add(o.0).map(Money)
    }
    /// Adds, staying at the largest (or smallest) amount instead of overflowing: for figures
    /// that are shown, never for what is charged.
    pub fn saturating_add(self, o: Money) -> Money {
        Money(self.0.saturating_add(o.0))
    }
    /// The sum of amounts; `None` when it does not fit in `i64` cents.
    pub fn checked_sum(amounts: impl IntoIterator<Item = Money>) -> Option<Money> {
        amounts
            .into_iter()
            .try_fold(Money::ZERO, |a, b| a.checked_add(b))
    }
}

impl std::ops::Add for Money {
    type Output = Money;
    fn add(self, o: Money) -> Money {
        Money(self.0 + o.0)
    }
}
impl std::ops::Sub for Money {
    type Output = Money;
    fn sub(self, o: Money) -> Money {
        Money(self.0 - o.0)
    }
}
impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, |a, b| a + b)
    }
}

impl fmt::Display for Money {
    /// `1,234.50 €`-style English formatting; see [`Money::fr`] for French.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02} €", group(abs / 100, ','), abs % 100)
    }
}

impl Money {
    /// French formatting: `1 234,50 €`.
    pub fn fr(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{},{:02} €", group(abs / 100, '\u{202f}'), abs % 100)
    }
}

fn group(mut n: u64, sep: char) -> String {
    let mut parts = Vec::new();
    loop {
        if n < 1000 {
            parts.push(n.to_string());
            break;
        }
        parts.push(format!("{:03}", n % 1000));
        n /= 1000;
    }
    parts.reverse();
    parts.join(&sep.to_string())
}

/// An account number, e.g. `P24-000123`, or a device-made id for walk-ins.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AccountId(String);

impl AccountId {
    /// Parses an account id: 3–64 characters of letters, digits, `-` or `_`.
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let ok = (3..=64).contains(&s.len())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if ok {
            Ok(AccountId(s.to_string()))
        } else {
            Err(ParseError::new(
                "account id",
                s,
                "3–64 letters, digits, '-' or '_'",
            ))
        }
    }
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
impl TryFrom<String> for AccountId {
    type Error = ParseError;
    fn try_from(s: String) -> Result<Self, ParseError> {
        AccountId::parse(&s)
    }
}
impl From<AccountId> for String {
    fn from(c: AccountId) -> String {
        c.0
    }
}
impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_parses_euros_and_rejects_nonsense() {
        assert_eq!(Money::parse_euros("24").unwrap().cents(), 2400);
        assert_eq!(Money::parse_euros("24,5").unwrap().cents(), 2450);
        assert_eq!(Money::parse_euros("0.05").unwrap().cents(), 5);
        for bad in ["-1", "1.234", "abc", "", "1e9", "2000000"] {
            assert!(Money::parse_euros(bad).is_err(), "{bad} must be refused");
        }
    }

    #[test]
    fn money_arithmetic_says_none_rather_than_overflowing() {
        let big = Money::from_cents(i64::MAX / 2 + 1);
        assert_eq!(
            Money::from_euros(24).checked_times(3),
            Some(Money::from_euros(72))
        );
        assert_eq!(big.checked_times(2), None);
        assert_eq!(big.checked_add(big), None);
        assert_eq!(Money::checked_sum([big, big]), None);
        assert_eq!(
            Money::checked_sum([Money::from_euros(1), Money::from_euros(2)]),
            Some(Money::from_euros(3))
        );
        assert_eq!(big.saturating_add(big), Money::from_cents(i64::MAX));
    }

    #[test]
    fn money_formats_in_both_languages() {
        assert_eq!(Money::from_cents(123_450).to_string(), "1,234.50 €");
        assert_eq!(Money::from_cents(123_450).fr(), "1\u{202f}234,50 €");
        assert_eq!(Money::from_euros(24).to_string(), "24.00 €");
    }

    #[test]
    fn every_category_parses_back_from_its_code_and_has_names_in_both_languages() {
        for c in PriceCategory::ALL {
            assert_eq!(
                PriceCategory::parse(&c.code().to_ascii_lowercase()),
                Ok(c),
                "{c} must parse back from its code in any case"
            );
            assert!(
                !c.name_en().is_empty() && !c.name_fr().is_empty() && c.name_en() != c.name_fr(),
                "{c} needs an English and a French name"
            );
        }
        assert_eq!(PriceCategory::WCH.name_fr(), "Place fauteuil roulant");
        assert_eq!(PriceCategory::CMP.name_en(), "Companion seat");
        let e = PriceCategory::parse("E").unwrap_err().to_string();
        assert!(
            e.contains("WCH") && e.contains("CMP"),
            "the refusal lists every code: {e}"
        );
    }

    #[test]
    fn session_codes_are_normalised_and_checked() {
        assert_eq!(SessionCode::parse("ath07").unwrap().as_str(), "ATH07");
        assert_eq!(
            SessionCode::parse("CER-OPENING").unwrap().as_str(),
            "CER-OPENING"
        );
        assert!(SessionCode::parse("7AB").is_err());
        assert!(SessionCode::parse("A").is_err());
        assert!(SessionCode::parse("ATH 07").is_err());
    }
}
