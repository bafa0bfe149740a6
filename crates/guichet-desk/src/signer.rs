//! The seam to the tickets crate: the sale asks a [`TicketSigner`] for each ticket's QR text.
//!
//! [`InterimEd25519Signer`] signs for real (Ed25519) with a simple text form so the sale path and
//! its benchmark carry real signatures; it is to be replaced by `guichet-tickets`'
//! `SignedTicket::sign` once that crate is on main (its compact, versioned payload is what gates
//! read).

use ed25519_dalek::{Signer, SigningKey};
use guichet_domain::{Games, PriceCategory, SessionCode};
use jiff::{civil::Date, Timestamp};

/// What a ticket asserts, handed to the signer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketToSign {
    /// UUIDv7 ticket id.
    pub ticket_id: String,
    /// Session.
    pub session: SessionCode,
    /// Category.
    pub category: PriceCategory,
    /// Games.
    pub games: Games,
    /// Session day at its venue.
    pub session_day: Date,
    /// Issue instant.
    pub issued_at: Timestamp,
    /// Holder's name.
    pub holder_name: String,
}

/// Signs tickets with this desk's key.
pub trait TicketSigner: Send {
    /// Id of the key, as registered with the server.
    fn key_id(&self) -> String;
    /// The QR text of a signed ticket.
    fn sign(&self, ticket: &TicketToSign) -> Result<String, String>;
}

/// Interim Ed25519 signer (see the module note).
pub struct InterimEd25519Signer {
    key: SigningKey,
    key_id: String,
}

impl std::fmt::Debug for InterimEd25519Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InterimEd25519Signer")
            .field("key_id", &self.key_id)
            .finish()
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl InterimEd25519Signer {
    /// A signer from a 32-byte seed (kept by the device, never in the database).
    pub fn from_seed(seed: [u8; 32]) -> Self {
        let key = SigningKey::from_bytes(&seed);
        let key_id = hex(&key.verifying_key().to_bytes()[..8]);
        InterimEd25519Signer { key, key_id }
    }
    /// Checks a QR text made by this signer (for tests).
    pub fn verify(&self, qr: &str) -> bool {
        let Some((body, sig)) = qr.rsplit_once('.') else {
            return false;
        };
        let Ok(sig) = unhex(sig) else { return false };
        let Ok(sig) = ed25519_dalek::Signature::from_slice(&sig) else {
            return false;
        };
        self.key
            .verifying_key()
            .verify_strict(body.as_bytes(), &sig)
            .is_ok()
    }
}

fn unhex(s: &str) -> Result<Vec<u8>, ()> {
    if s.len() & 1 == 1 {
        return Err(());
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2).ok_or(())?, 16).map_err(|_| ()))
        .collect()
}

impl TicketSigner for InterimEd25519Signer {
    fn key_id(&self) -> String {
        self.key_id.clone()
    }
    fn sign(&self, t: &TicketToSign) -> Result<String, String> {
        let body = format!(
            "GT0|{}|{}|{}|{}|{}|{}|{}|{}",
            t.ticket_id,
            t.session,
            t.category,
            t.games,
            t.session_day,
            t.issued_at.as_second(),
            t.holder_name.replace('|', "/"),
            self.key_id
        );
        let sig = self.key.sign(body.as_bytes());
        Ok(format!("{body}.{}", hex(&sig.to_bytes())))
    }
}
