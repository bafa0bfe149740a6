//! The grammar of the values a request carries, one function per kind. Each is the exact rule
//! its OpenAPI schema states (the pattern, enum, length or bounds written next to the field),
//! so the server accepts what `docs/openapi.json` allows and refuses what it forbids. The
//! patterns are here as constants; a test of the server checks the document carries them.
//!
//! Codes travel in the form the catalogue writes them: people-facing tools (the CLI, the app)
//! may accept `ath07` or ` d ` from a keyboard, but they send `ATH07` and `D`.

use guichet_domain::{AccountId, PriceCategory, SessionCode};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

/// A session code as the catalogue writes it (`SessionCode`'s grammar, upper case, no spaces).
pub const SESSION_PATTERN: &str = "^[A-Z][A-Z0-9-]{1,23}$";
/// An account id (`AccountId`'s grammar).
pub const ACCOUNT_ID_PATTERN: &str = "^[A-Za-z0-9_-]{3,64}$";
/// A UUID in its hyphenated form, either case (idempotency keys).
pub const UUID_PATTERN: &str =
    "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";
/// A device id as enrolment gives it: a UUID, hyphenated, lower case.
pub const DEVICE_ID_PATTERN: &str =
    "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";
/// An Ed25519 public key: 64 hex digits.
pub const KEY_HEX_PATTERN: &str = "^[0-9a-fA-F]{64}$";
/// A two-letter ISO country code, either case (stored upper case).
pub const COUNTRY_PATTERN: &str = "^[A-Za-z]{2}$";
/// Text with at least one character that is not white space (Unicode `White_Space`, as Rust's
/// `char::is_whitespace` and `str::trim` see it), written out so that every regex dialect
/// reads the same set.
pub const NOT_BLANK_PATTERN: &str =
    "[^\\t\\n\\u000b\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";

/// A price category as the catalogue writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum CategoryCode {
    /// Best seats.
    A,
    /// Second category.
    B,
    /// Third category.
    C,
    /// Cheapest seats.
    D,
    /// A wheelchair place.
    WCH,
    /// The companion seat of a wheelchair place, sold only with one.
    CMP,
}

/// The kind of an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum OrderKindCode {
    /// A Make Your Games pack: exactly 3 different sessions.
    Pack,
    /// Single tickets.
    Single,
}

/// `field` must be a session code as the catalogue writes it.
pub fn session_code(field: &str, s: &str) -> Result<SessionCode, String> {
    match SessionCode::parse(s) {
        Ok(c) if c.as_str() == s => Ok(c),
        _ => Err(format!(
            "{field} {s:?} is not a session code: 2–24 capital letters, digits or '-', starting with a letter, as the catalogue writes it (e.g. ATH07)"
        )),
    }
}

/// `field` must be `A`, `B`, `C`, `D`, `WCH` or `CMP`, as the catalogue writes it.
pub fn category(field: &str, s: &str) -> Result<PriceCategory, String> {
    match PriceCategory::ALL.into_iter().find(|c| c.code() == s) {
        Some(c) => Ok(c),
        None => Err(format!(
            "{field} {s:?} is not a price category: send one of A, B, C, D, WCH (wheelchair place), CMP (companion seat), in capital letters"
        )),
    }
}

/// `field` must be an account id.
pub fn account_id(field: &str, s: &str) -> Result<AccountId, String> {
    AccountId::parse(s).map_err(|_| {
        format!(
            "{field} {s:?} is not an account id: 3–64 letters, digits, '-' or '_' (e.g. DEMO-0001)"
        )
    })
}

fn is_uuid(s: &str, hex: impl Fn(u8) -> bool) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, &c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            _ => hex(c),
        })
}

/// `field` must be a hyphenated UUID (either case); answers it in lower case.
pub fn uuid(field: &str, s: &str) -> Result<String, String> {
    if is_uuid(s, |c| c.is_ascii_hexdigit()) {
        Ok(s.to_ascii_lowercase())
    } else {
        Err(format!(
            "{field} {s:?} is not a UUID: send 36 characters, hex digits in groups 8-4-4-4-12 (a UUIDv7 made on the device)"
        ))
    }
}

/// `field` must be a device id as enrolment gave it.
pub fn device_id(field: &str, s: &str) -> Result<(), String> {
    if is_uuid(s, |c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)) {
        Ok(())
    } else {
        Err(format!(
            "{field} {s:?} is not a device id: send the device_id enrolment gave (a UUID in lower case), or leave {field} out"
        ))
    }
}

/// `field` must be 64 hex digits.
pub fn key_hex(field: &str, s: &str) -> Result<(), String> {
    if s.len() == 64 && s.bytes().all(|c| c.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(format!(
            "{field}: expected 64 hex characters (an Ed25519 public key), got {} characters",
            s.chars().count()
        ))
    }
}

/// `field` must hold 1 to `max` characters, not all white space.
pub fn text(field: &str, s: &str, max: usize) -> Result<(), String> {
    let n = s.chars().count();
    if n > max {
        Err(format!(
            "{field}: {n} characters; at most {max} are accepted — shorten it"
        ))
    } else if s.chars().all(char::is_whitespace) {
        Err(format!("{field} is empty: write 1 to {max} characters"))
    } else {
        Ok(())
    }
}

/// `field` must be a two-letter country code; answers it in upper case.
pub fn country(field: &str, s: &str) -> Result<String, String> {
    if s.len() == 2 && s.bytes().all(|c| c.is_ascii_alphabetic()) {
        Ok(s.to_ascii_uppercase())
    } else {
        Err(format!(
            "{field} {s:?}: expected a two-letter ISO country code (FR)"
        ))
    }
}

/// `field` must be an email address as far as the server checks one: it holds an `@` and at
/// most 254 characters.
pub fn email(field: &str, s: &str) -> Result<(), String> {
    if !s.contains('@') {
        Err(format!(
            "{field} {s:?} is not an email address: it has no '@'"
        ))
    } else if s.chars().count() > 254 {
        Err(format!(
            "{field}: {} characters; an email address has at most 254",
            s.chars().count()
        ))
    } else {
        Ok(())
    }
}

/// A whole number as JSON Schema counts one: `3`, and also `3.0` or `3e0` (a number whose
/// fractional part is zero is an integer, JSON Schema 2020-12 §6.1.1). Anything else — a
/// string, `2.5`, a value out of range — is refused naming the range.
fn whole<'de, D: Deserializer<'de>>(d: D, lo: i128, hi: i128) -> Result<i128, D::Error> {
    struct V(i128, i128);
    impl V {
        fn range<E: serde::de::Error>(&self, shown: &dyn std::fmt::Display) -> E {
            E::custom(format!(
                "{shown} is not a whole number from {} to {}",
                self.0, self.1
            ))
        }
        fn check<E: serde::de::Error>(&self, v: i128) -> Result<i128, E> {
            if (self.0..=self.1).contains(&v) {
                Ok(v)
            } else {
                Err(self.range(&v))
            }
        }
    }
    impl serde::de::Visitor<'_> for V {
        type Value = i128;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "a whole number from {} to {}", self.0, self.1)
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<i128, E> {
            self.check(i128::from(v))
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<i128, E> {
            self.check(i128::from(v))
        }
        fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<i128, E> {
            // Within ±2^53 every f64 with no fraction is exactly that integer.
            if v.fract() == 0.0 && v.abs() <= 9_007_199_254_740_992.0 {
                #[allow(clippy::cast_possible_truncation)]
                self.check(v as i128)
            } else {
                Err(self.range(&v))
            }
        }
    }
    d.deserialize_any(V(lo, hi))
}

/// A `u32` field of a JSON body that also takes `260.0` (see [`whole`]).
pub fn whole_u32<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let v = whole(d, 0, i128::from(u32::MAX))?;
    u32::try_from(v).map_err(serde::de::Error::custom)
}

/// A whole number given as query-string text: `12`, or `12.0` (the same integer).
pub fn whole_text(field: &str, s: &str, lo: i64, hi: i64) -> Result<i64, String> {
    let bad = || format!("{field}={s:?}: expected a whole number from {lo} to {hi}");
    let v = match s.parse::<i64>() {
        Ok(v) => v,
        Err(_) => {
            let f: f64 = s.parse().map_err(|_| bad())?;
            if !f.is_finite() || f.fract() != 0.0 || f.abs() > 9_007_199_254_740_992.0 {
                return Err(bad());
            }
            #[allow(clippy::cast_possible_truncation)]
            let v = f as i64;
            v
        }
    };
    if (lo..=hi).contains(&v) {
        Ok(v)
    } else {
        Err(bad())
    }
}

/// A change-feed cursor as the server reads it back (desks keep it as opaque text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedCursor {
    /// `0` (or left out): from the start, a snapshot.
    Start,
    /// One whole number: a SQLite change row id, or an older PostgreSQL cursor
    /// (`generation << 43 | xid`) an old desk still holds.
    Number(i64),
    /// `EPOCH:XID:ID` of the PostgreSQL store: its generation, the transaction and the
    /// change id last served.
    Xid {
        /// The database generation the cursor was made on.
        epoch: i64,
        /// The xid8 of the last transaction served.
        xid: i64,
        /// The last change id served in it.
        id: i64,
    },
}

/// Reads a `cursor` query value: `0`, a whole number, or three whole numbers `EPOCH:XID:ID`.
/// `12.0` is taken as 12 (older documents typed the cursor as a JSON integer).
pub fn feed_cursor(field: &str, s: &str) -> Result<FeedCursor, String> {
    let bad = || {
        format!(
            "{field}={s:?}: expected the cursor a pull gave back (a whole number, or \
             EPOCH:XID:ID, each part a whole number below 2^63): pull from the start with {field}=0"
        )
    };
    let part = |p: &str| -> Result<i64, String> {
        if p.is_empty() || p.len() > 19 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        p.parse().map_err(|_| bad())
    };
    let parts: Vec<&str> = s.split(':').collect();
    match parts.as_slice() {
        [one] => {
            let v = if one.contains('.') {
                whole_text(field, one, 0, 9_007_199_254_740_991).map_err(|_| bad())?
            } else {
                part(one)?
            };
            Ok(if v == 0 {
                FeedCursor::Start
            } else {
                FeedCursor::Number(v)
            })
        }
        [e, x, i] => Ok(FeedCursor::Xid {
            epoch: part(e)?,
            xid: part(x)?,
            id: part(i)?,
        }),
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Q {
        #[serde(deserialize_with = "whole_u32")]
        n: u32,
    }

    fn n(json: &str) -> Result<u32, String> {
        serde_json::from_str::<Q>(json)
            .map(|q| q.n)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn whole_numbers_are_integers_as_json_schema_counts_them() {
        assert_eq!(n(r#"{"n": 260}"#), Ok(260));
        assert_eq!(n(r#"{"n": 260.0}"#), Ok(260));
        assert_eq!(n(r#"{"n": 2.6e2}"#), Ok(260));
        for bad in [
            r#"{"n": 2.5}"#,
            r#"{"n": -1}"#,
            r#"{"n": "3"}"#,
            r#"{"n": 4294967296}"#,
            r#"{"n": null}"#,
        ] {
            assert!(n(bad).is_err(), "{bad} must be refused");
        }
        assert!(n(r#"{"n": 2.5}"#)
            .unwrap_err()
            .contains("2.5 is not a whole number from 0 to 4294967295"));
        assert_eq!(whole_text("cursor", "12.0", 0, 99), Ok(12));
        assert!(whole_text("cursor", "-1", 0, 99).is_err());
        assert_eq!(feed_cursor("cursor", "0"), Ok(FeedCursor::Start));
        assert_eq!(feed_cursor("cursor", "0.0"), Ok(FeedCursor::Start));
        assert_eq!(feed_cursor("cursor", "123"), Ok(FeedCursor::Number(123)));
        assert_eq!(
            feed_cursor("cursor", "7:900:12"),
            Ok(FeedCursor::Xid {
                epoch: 7,
                xid: 900,
                id: 12
            })
        );
        for bad in [
            "",
            "-1",
            "2.5",
            "1:2",
            "1:2:3:4",
            "a:b:c",
            "1::3",
            "9223372036854775808",
        ] {
            let e = feed_cursor("cursor", bad).unwrap_err();
            assert!(
                e.contains("pull from the start with cursor=0"),
                "{bad}: {e}"
            );
        }
        assert!(whole_text("cursor", "null", 0, 99)
            .unwrap_err()
            .starts_with("cursor=\"null\": expected a whole number from 0 to 99"));
    }

    #[test]
    fn codes_are_taken_as_the_catalogue_writes_them() {
        assert!(session_code("session", "ATH07").is_ok());
        assert!(session_code("session", "CER-OPENING").is_ok());
        for bad in ["", "ath07", " ATH07", "A", "7ATH", "ATH_07"] {
            assert!(session_code("session", bad).is_err(), "{bad:?}");
        }
        assert!(category("category", "D").is_ok());
        assert_eq!(
            category("category", "WCH"),
            Ok(PriceCategory::WCH),
            "the wheelchair place travels as WCH"
        );
        assert_eq!(category("category", "CMP"), Ok(PriceCategory::CMP));
        assert!(category("category", "d").is_err());
        assert!(category("category", "cmp").is_err(), "capital letters only");
        assert!(category("category", "").is_err());
        assert!(uuid("k", "0190A1B2-0000-7000-8000-000000000000").is_ok());
        assert!(uuid("k", "0190a1b200007000800000000000000a").is_err());
        assert!(device_id("d", "0190A1B2-0000-7000-8000-000000000000").is_err());
        assert!(device_id("d", "null").is_err());
        assert!(key_hex("k", &"+1".repeat(32)).is_err());
        assert!(text("name", " \u{3000}", 10).is_err());
        assert!(
            text("name", "\u{1c}", 10).is_ok(),
            "U+001C is not White_Space"
        );
        assert!(text("name", &"é".repeat(11), 10).is_err());
    }
}
