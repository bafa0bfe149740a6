//! The signed ticket payload, format version 1 (specified in `docs/ticket-format.md`), and its
//! QR text (base45).

use ed25519_dalek::{Signature, Signer, VerifyingKey};
use guichet_domain::{Games, PriceCategory, SessionCode};
use jiff::{civil::Date, SignedDuration, Timestamp};

use crate::base45;
use crate::claims::{Holder, TicketClaims, TicketId};
use crate::error::PayloadError;
use crate::keys::{DeviceKey, KeyId};

/// The format version this code writes and reads.
pub const FORMAT_VERSION: u8 = 1;
/// Prefixed to the payload before signing, so a signature made for a ticket can never be
/// mistaken for one over another kind of message made with the same device key.
pub const SIGNING_CONTEXT: &[u8] = b"guichet-ticket\0";
/// No version-1 ticket is longer: 34 fixed bytes + 24 code + 8 initials + 8 hash + 64 signature
/// = 138 bytes = 207 base45 characters. Longer text is refused before any decoding work.
pub const MAX_TEXT_LEN: usize = 207;
const SIGNATURE_LEN: usize = 64;
const EPOCH_DAY: Date = Date::constant(1970, 1, 1);

/// A ticket payload with its signature, as carried in the QR code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedTicket {
    /// Which device key signed it.
    pub key_id: KeyId,
    /// What it asserts.
    pub claims: TicketClaims,
    bytes: Vec<u8>,
}

/// What a reader passes on of the text a scanner or decoder gives: everything but the line end
/// it ends with. Nothing else may go: base45 has the space among its characters, and the text of
/// every ticket a desk signs starts with one when the desk's key id starts with byte 5, 50, 95,
/// 140, 185 or 230 (6 keys in 256); trimming it refuses all of that desk's tickets.
pub fn scanned_text(text: &str) -> &str {
    text.trim_end_matches(['\r', '\n'])
}

impl SignedTicket {
    /// Signs `claims` with the device key. Refuses claims the format cannot carry: a session
    /// day outside 1970–2149, an issue instant outside 1970–2106, initials over 8 bytes.
    pub fn sign(claims: TicketClaims, key: &DeviceKey) -> Result<Self, PayloadError> {
        let mut bytes = encode_body(&claims, key.key_id())?;
        let signature = key.signing_key().sign(&signed_message(&bytes));
        bytes.extend_from_slice(&signature.to_bytes());
        Ok(SignedTicket {
            key_id: key.key_id(),
            claims,
            bytes,
        })
    }

    /// The payload bytes (body then signature).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The text the QR code holds: the bytes in base45.
    pub fn qr_text(&self) -> String {
        base45::encode(&self.bytes)
    }

    /// Parses QR text. Checks the form only; the signature is checked by [`Self::verify`].
    pub fn parse(text: &str) -> Result<Self, PayloadError> {
        let text = scanned_text(text);
        if text.is_empty() {
            return Err(PayloadError::Empty);
        }
        if text.len() > MAX_TEXT_LEN {
            return Err(PayloadError::TooLong(text.len()));
        }
        Self::from_bytes(base45::decode(text)?)
    }

    /// Parses payload bytes (body then signature).
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, PayloadError> {
        let mut r = Reader {
            bytes: &bytes,
            pos: 0,
        };
        let version = r.u8("version")?;
        if version != FORMAT_VERSION {
            return Err(PayloadError::UnsupportedVersion(version));
        }
        let key_id = KeyId::from_bytes(r.array("key id")?);
        let ticket_id = TicketId::from_bytes(r.array("ticket id")?);
        let issued = u32::from_be_bytes(r.array("issued at")?);
        let day = u16::from_be_bytes(r.array("session day")?);
        let flags = r.u8("flags")?;
        let category = category_from_flags(flags).ok_or(PayloadError::ReservedBits(flags))?;
        let games = if flags & 0b100 == 0 {
            Games::Olympic
        } else {
            Games::Paralympic
        };
        let code_len = r.u8("session code length")?;
        let code_raw = r.take(usize::from(code_len), "session code")?;
        let code_text = std::str::from_utf8(code_raw)
            .map_err(|_| PayloadError::SessionCode("not ASCII".into()))?;
        let session =
            SessionCode::parse(code_text).map_err(|e| PayloadError::SessionCode(e.to_string()))?;
        if session.as_str() != code_text {
            // Only the canonical (upper-case) form is ever signed.
            return Err(PayloadError::SessionCode(format!(
                "{code_text:?} is not canonical"
            )));
        }
        let ini_len = usize::from(r.u8("initials length")?);
        if ini_len > 8 {
            return Err(PayloadError::Initials);
        }
        let initials = std::str::from_utf8(r.take(ini_len, "initials")?)
            .map_err(|_| PayloadError::Initials)?
            .to_string();
        let name_hash = r.array("holder name hash")?;
        r.take(SIGNATURE_LEN, "signature")?;
        if r.pos != bytes.len() {
            return Err(PayloadError::TrailingBytes(bytes.len() - r.pos));
        }
        let session_day = EPOCH_DAY
            .checked_add(SignedDuration::from_hours(24 * i64::from(day)))
            .map_err(|_| PayloadError::SessionDay(day))?;
        let issued_at = Timestamp::from_second(i64::from(issued))
            .expect("every u32 second count is a valid timestamp");
        let claims = TicketClaims {
            ticket_id,
            session,
            category,
            games,
            session_day,
            issued_at,
            holder: Holder {
                initials,
                name_hash,
            },
        };
        Ok(SignedTicket {
            key_id,
            claims,
            bytes,
        })
    }

    /// Whether the signature was made over this payload by the holder of `key`.
    pub fn verify(&self, key: &VerifyingKey) -> bool {
        let (body, sig) = self.bytes.split_at(self.bytes.len() - SIGNATURE_LEN);
        let sig = Signature::from_slice(sig).expect("parse kept exactly 64 signature bytes");
        key.verify_strict(&signed_message(body), &sig).is_ok()
    }
}

fn signed_message(body: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(SIGNING_CONTEXT.len() + body.len());
    m.extend_from_slice(SIGNING_CONTEXT);
    m.extend_from_slice(body);
    m
}

fn day_number(d: Date) -> Result<u16, PayloadError> {
    let days = d.duration_since(EPOCH_DAY).as_hours().div_euclid(24);
    u16::try_from(days).map_err(|_| PayloadError::OutOfRange("session day"))
}

/// Bit 3 of the flags marks an accessible pair's place; bits 0–1 then say which (0 = wheelchair
/// place, 1 = companion seat). A reader made before the pair existed refuses such a ticket as a
/// reserved bit rather than reading it as category A or B.
const ACCESSIBLE_FLAG: u8 = 0b1000;

fn category_flags(c: PriceCategory) -> u8 {
    match c {
        PriceCategory::A => 0,
        PriceCategory::B => 1,
        PriceCategory::C => 2,
        PriceCategory::D => 3,
        PriceCategory::WCH => ACCESSIBLE_FLAG,
        PriceCategory::CMP => ACCESSIBLE_FLAG | 1,
    }
}

/// The category the flags carry; `None` for bits no version-1 ticket sets.
fn category_from_flags(flags: u8) -> Option<PriceCategory> {
    if flags & !0b1111 != 0 {
        return None;
    }
    let low = flags & 0b11;
    if flags & ACCESSIBLE_FLAG == 0 {
        Some(
            [
                PriceCategory::A,
                PriceCategory::B,
                PriceCategory::C,
                PriceCategory::D,
            ][usize::from(low)],
        )
    } else {
        [PriceCategory::WCH, PriceCategory::CMP]
            .get(usize::from(low))
            .copied()
    }
}

fn encode_body(c: &TicketClaims, key_id: KeyId) -> Result<Vec<u8>, PayloadError> {
    let code = c.session.as_str().as_bytes();
    let ini = c.holder.initials.as_bytes();
    let mut b = Vec::with_capacity(34 + code.len() + ini.len() + 8 + SIGNATURE_LEN);
    b.push(FORMAT_VERSION);
    b.extend_from_slice(key_id.as_bytes());
    b.extend_from_slice(c.ticket_id.as_bytes());
    let issued = u32::try_from(c.issued_at.as_second())
        .map_err(|_| PayloadError::OutOfRange("issue instant"))?;
    b.extend_from_slice(&issued.to_be_bytes());
    b.extend_from_slice(&day_number(c.session_day)?.to_be_bytes());
    let cat = category_flags(c.category);
    let games = if c.games == Games::Paralympic {
        0b100
    } else {
        0
    };
    b.push(cat | games);
    if ini.len() > 8 {
        return Err(PayloadError::Initials);
    }
    // SessionCode guarantees 2..=24 ASCII bytes.
    b.push(code.len() as u8);
    b.extend_from_slice(code);
    b.push(ini.len() as u8);
    b.extend_from_slice(ini);
    b.extend_from_slice(&c.holder.name_hash);
    Ok(b)
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, field: &'static str) -> Result<&'a [u8], PayloadError> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or(PayloadError::Truncated { field })?;
        let s = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn u8(&mut self, field: &'static str) -> Result<u8, PayloadError> {
        Ok(self.take(1, field)?[0])
    }
    fn array<const N: usize>(&mut self, field: &'static str) -> Result<[u8; N], PayloadError> {
        let s = self.take(N, field)?;
        Ok(s.try_into().expect("take returned N bytes"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn key(seed: u8) -> DeviceKey {
        DeviceKey::from_seed([seed; 32])
    }

    fn claims() -> TicketClaims {
        TicketClaims::new(
            TicketId::from_bytes([0x42; 16]),
            SessionCode::parse("ATH07").unwrap(),
            PriceCategory::B,
            Games::Paralympic,
            Date::constant(2024, 8, 4),
            "2024-05-11T10:00:00.750Z".parse().unwrap(),
            "Zoé Lefèvre",
        )
    }

    #[test]
    fn a_scanned_text_loses_its_line_end_and_keeps_its_spaces() {
        assert_eq!(scanned_text(" 70BN4 $\r\n"), " 70BN4 $");
        assert_eq!(scanned_text(" 70BN4\n"), " 70BN4");
        assert_eq!(scanned_text("  "), "  ");
    }

    #[test]
    fn a_signed_ticket_reads_back_from_its_qr_text_with_every_claim_and_verifies() {
        let k = key(1);
        let t = SignedTicket::sign(claims(), &k).unwrap();
        let back = SignedTicket::parse(&t.qr_text()).unwrap();
        assert_eq!(back, t, "parse(qr_text(t)) gives t back");
        assert_eq!(
            back.claims.issued_at.subsec_nanosecond(),
            0,
            "whole seconds are carried"
        );
        assert!(
            back.verify(&k.verifying_key()),
            "the signer's key verifies it"
        );
        assert!(
            !back.verify(&key(2).verifying_key()),
            "another key does not"
        );
    }

    #[test]
    fn every_single_bit_flip_is_refused_by_the_parser_or_the_signature() {
        let k = key(1);
        let bytes = SignedTicket::sign(claims(), &k)
            .unwrap()
            .as_bytes()
            .to_vec();
        for bit in 0..bytes.len() * 8 {
            let mut b = bytes.clone();
            b[bit / 8] ^= 1 << (bit % 8);
            if let Ok(t) = SignedTicket::from_bytes(b) {
                let vk = k.verifying_key();
                assert!(
                    !t.verify(&vk),
                    "flipping bit {bit} must not leave a valid ticket"
                );
            }
        }
    }

    #[test]
    fn every_truncation_and_extension_is_a_typed_error() {
        let bytes = SignedTicket::sign(claims(), &key(1))
            .unwrap()
            .as_bytes()
            .to_vec();
        for n in 0..bytes.len() {
            let r = SignedTicket::from_bytes(bytes[..n].to_vec());
            assert!(r.is_err(), "a payload cut to {n} bytes must be refused");
        }
        let mut long = bytes.clone();
        long.push(0);
        assert_eq!(
            SignedTicket::from_bytes(long),
            Err(PayloadError::TrailingBytes(1))
        );
        assert_eq!(SignedTicket::parse(""), Err(PayloadError::Empty));
        assert!(matches!(
            SignedTicket::parse(&"0".repeat(400)),
            Err(PayloadError::TooLong(400))
        ));
    }

    #[test]
    fn a_future_format_version_is_named_not_misread() {
        let mut bytes = SignedTicket::sign(claims(), &key(1))
            .unwrap()
            .as_bytes()
            .to_vec();
        bytes[0] = 2;
        assert_eq!(
            SignedTicket::from_bytes(bytes),
            Err(PayloadError::UnsupportedVersion(2))
        );
    }

    #[test]
    fn the_longest_possible_ticket_fits_the_length_limit() {
        let mut c = claims();
        c.session = SessionCode::parse(&"A".repeat(24)).unwrap();
        c.holder = Holder::of("Ẅẅ Ẅẅ", &c.ticket_id);
        c.holder.initials = "ẄẄ".into();
        assert_eq!(c.holder.initials.len(), 6);
        c.holder.initials.push_str("ab");
        let t = SignedTicket::sign(c, &key(1)).unwrap();
        assert_eq!(
            t.qr_text().len(),
            MAX_TEXT_LEN,
            "24-char code and 8-byte initials"
        );
        assert!(SignedTicket::parse(&t.qr_text()).is_ok());
        let code = crate::qr_code(&t.qr_text()).unwrap();
        assert_eq!(
            code.version(),
            qrcode::Version::Normal(10),
            "as docs/ticket-format.md says"
        );
    }

    #[test]
    fn the_accessible_places_ride_on_bit_3_and_its_unused_values_are_refused() {
        for c in PriceCategory::ALL {
            let flags = category_flags(c);
            assert_eq!(category_from_flags(flags), Some(c), "{c} must read back");
            assert_eq!(
                category_from_flags(flags | 0b100),
                Some(c),
                "the Games bit must not change the category of {c}"
            );
        }
        assert_eq!(
            category_flags(PriceCategory::D),
            3,
            "A–D keep their version-1 values"
        );
        for bad in [0b1010, 0b1011, 0b1_0000, 0b1000_0000] {
            assert_eq!(
                category_from_flags(bad),
                None,
                "flags {bad:#b} are no ticket's"
            );
        }
    }

    proptest! {
        #[test]
        fn parse_never_panics_on_any_text(s in "\\PC{0,250}") {
            let _ = SignedTicket::parse(&s);
        }

        #[test]
        fn parse_never_panics_on_base45_text(s in "[0-9A-Z $%*+./:-]{0,210}") {
            let _ = SignedTicket::parse(&s);
        }

        #[test]
        fn from_bytes_never_panics_on_any_bytes(b in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = SignedTicket::from_bytes(b);
        }

        #[test]
        fn any_claims_round_trip(
            day in 0u16..=u16::MAX,
            secs in 0u32..=u32::MAX,
            cat in 0usize..PriceCategory::ALL.len(),
            para in any::<bool>(),
            code in "[A-Z][A-Z0-9-]{1,23}",
            name in "\\PC{0,40}",
            id in any::<[u8; 16]>(),
        ) {
            let session_day = EPOCH_DAY.checked_add(SignedDuration::from_hours(24 * i64::from(day))).unwrap();
            let c = TicketClaims::new(
                TicketId::from_bytes(id),
                SessionCode::parse(&code).unwrap(),
                PriceCategory::ALL[cat],
                if para { Games::Paralympic } else { Games::Olympic },
                session_day,
                Timestamp::from_second(i64::from(secs)).unwrap(),
                &name,
            );
            let t = SignedTicket::sign(c, &key(3)).unwrap();
            let back = SignedTicket::parse(&t.qr_text()).unwrap();
            prop_assert!(back.verify(&key(3).verifying_key()));
            prop_assert_eq!(back, t);
        }
    }
}
