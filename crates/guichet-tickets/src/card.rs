//! The account card: the QR a fan shows at a kiosk to say who they are, signed by the central
//! server so that a kiosk checks it offline, with no account search and no name typed.
//!
//! Text form (QR alphanumeric mode, so it stays small):
//! `P24-ACCOUNT:<account id>:<valid until, YYYYMMDD>:<base45(key id ‖ Ed25519 signature)>`.
//! The signature covers [`CARD_CONTEXT`] followed by the text before the last `:`. The box
//! office's unsigned `P24-ACCOUNT:<id>` (a seller opening an account) is not a card: a kiosk
//! refuses it, because anyone could print one.

use ed25519_dalek::{Signature, Signer, Verifier};
use jiff::civil::Date;

use crate::base45;
use crate::keys::{DeviceKey, KeyId, KeyList};

/// Prefix shared with the box office's account QR.
pub const CARD_PREFIX: &str = "P24-ACCOUNT:";
/// Domain separation: a ticket signature can never pass for a card's, nor the reverse.
pub const CARD_CONTEXT: &[u8] = b"guichet account card v1\n";

/// A card that checked: whose it is and until when it is valid (Paris date, included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountCard {
    /// The account id as the server wrote it (`P24-0000002`).
    pub account: String,
    /// Last day the card is valid.
    pub valid_until: Date,
}

/// Why a scanned text is not a card a kiosk may trust.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CardError {
    /// Not an account QR at all.
    #[error("this is not an account card (it does not start with {CARD_PREFIX})")]
    NotACard,
    /// The box office's unsigned form.
    #[error("this account code carries no signature: show the QR of your confirmation email")]
    Unsigned,
    /// Parts missing or malformed.
    #[error("this account card is damaged ({0}): show the QR of your confirmation email again")]
    Malformed(&'static str),
    /// Signed by a key this kiosk does not know.
    #[error("this account card was signed by key {0}, which this kiosk does not know")]
    UnknownKey(String),
    /// The signature does not match the text.
    #[error("this account card's signature does not check: it was changed or forged")]
    Forged,
    /// Past its last day.
    #[error("this account card was valid until {until}; today is {today}: ask for a new one")]
    Expired {
        /// Last valid day.
        until: Date,
        /// The day it was shown.
        today: Date,
    },
}

fn date_text(d: Date) -> String {
    format!("{:04}{:02}{:02}", d.year(), d.month(), d.day())
}

fn message(signed_part: &str) -> Vec<u8> {
    let mut m = CARD_CONTEXT.to_vec();
    m.extend_from_slice(signed_part.as_bytes());
    m
}

/// The card's text for `account`, valid until `valid_until`, signed by the server's card key.
/// The account id is kept as the server wrote it (ids the server makes are lower case; the
/// QR then leaves alphanumeric mode, a slightly larger code).
pub fn sign_card(key: &DeviceKey, account: &str, valid_until: Date) -> String {
    let signed = format!("{CARD_PREFIX}{}:{}", account.trim(), date_text(valid_until));
    let sig = key.signing_key().sign(&message(&signed));
    let mut tail = key.key_id().as_bytes().to_vec();
    tail.extend_from_slice(&sig.to_bytes());
    format!("{signed}:{}", base45::encode(&tail))
}

/// Checks a scanned card against the server's card keys on day `today` (Paris date).
pub fn verify_card(text: &str, keys: &KeyList, today: Date) -> Result<AccountCard, CardError> {
    let text = text.trim();
    let rest = text.strip_prefix(CARD_PREFIX).ok_or(CardError::NotACard)?;
    let mut parts = rest.splitn(3, ':');
    let account = parts.next().filter(|a| !a.is_empty());
    let (Some(account), Some(until), Some(tail)) = (account, parts.next(), parts.next()) else {
        return Err(if rest.contains(':') {
            CardError::Malformed("a part is missing")
        } else {
            CardError::Unsigned
        });
    };
    let valid_until = parse_date(until).ok_or(CardError::Malformed("the date is not YYYYMMDD"))?;
    let bytes =
        base45::decode(tail).map_err(|_| CardError::Malformed("the signature is not base45"))?;
    if bytes.len() != 8 + 64 {
        return Err(CardError::Malformed("the signature has the wrong length"));
    }
    let kid = KeyId::from_bytes(bytes[..8].try_into().expect("8 bytes"));
    let key = keys
        .get(&kid)
        .ok_or_else(|| CardError::UnknownKey(kid.to_string()))?;
    let sig = Signature::from_bytes(&bytes[8..].try_into().expect("64 bytes"));
    let signed = &text[..text.len() - tail.len() - 1];
    key.verify(&message(signed), &sig)
        .map_err(|_| CardError::Forged)?;
    if today > valid_until {
        return Err(CardError::Expired {
            until: valid_until,
            today,
        });
    }
    Ok(AccountCard {
        account: account.to_string(),
        valid_until,
    })
}

fn parse_date(s: &str) -> Option<Date> {
    if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |r: std::ops::Range<usize>| s[r].parse::<i16>().ok();
    let (y, m, d) = (n(0..4)?, n(4..6)?, n(6..8)?);
    Date::new(y, i8::try_from(m).ok()?, i8::try_from(d).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn server() -> (DeviceKey, KeyList) {
        let key = DeviceKey::generate();
        let list = KeyList::from_entries(&[key.public_entry("server cards")]).expect("a key list");
        (key, list)
    }

    #[test]
    fn a_signed_card_checks_offline_until_its_last_day() {
        let (key, keys) = server();
        let card = sign_card(&key, "P24-0000002", date(2024, 8, 11));
        assert!(
            card.starts_with("P24-ACCOUNT:P24-0000002:20240811:"),
            "{card}"
        );
        let ok = verify_card(&card, &keys, date(2024, 8, 11)).expect("valid on its last day");
        assert_eq!(ok.account, "P24-0000002", "the card names its account");
        assert_eq!(
            verify_card(&card, &keys, date(2024, 8, 12)),
            Err(CardError::Expired {
                until: date(2024, 8, 11),
                today: date(2024, 8, 12)
            }),
            "the day after, it is refused as expired"
        );
        // 33 characters of text and 108 of base45 for 72 bytes: a small QR in alphanumeric mode.
        assert!(card.len() <= 150, "{} characters", card.len());
        assert!(crate::qr_code(&card).is_ok(), "it fits a QR");
    }

    #[test]
    fn a_changed_account_another_key_or_the_unsigned_form_is_refused() {
        let (key, keys) = server();
        let card = sign_card(&key, "P24-0000002", date(2024, 8, 11));
        let today = date(2023, 2, 17);
        let other = card.replacen("P24-0000002", "P24-0000003", 1);
        assert_eq!(
            verify_card(&other, &keys, today),
            Err(CardError::Forged),
            "another account"
        );
        let later = card.replacen("20240811", "20250811", 1);
        assert_eq!(
            verify_card(&later, &keys, today),
            Err(CardError::Forged),
            "a later date"
        );
        let (stranger, _) = server();
        let foreign = sign_card(&stranger, "P24-0000002", date(2024, 8, 11));
        assert!(
            matches!(
                verify_card(&foreign, &keys, today),
                Err(CardError::UnknownKey(_))
            ),
            "a key the kiosk does not know"
        );
        assert_eq!(
            verify_card("P24-ACCOUNT:P24-0000002", &keys, today),
            Err(CardError::Unsigned),
            "the box office's unsigned code is no card"
        );
        assert_eq!(verify_card("hello", &keys, today), Err(CardError::NotACard));
        for bad in [
            "P24-ACCOUNT:P24-1:2024:AB",
            "P24-ACCOUNT:P24-1:20240811:%%%%",
            "P24-ACCOUNT::x",
        ] {
            assert!(
                matches!(verify_card(bad, &keys, today), Err(CardError::Malformed(_))),
                "{bad} is damaged, not a panic"
            );
        }
    }
}
