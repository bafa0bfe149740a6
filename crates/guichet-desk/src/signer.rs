//! The seam between a sale and the ticket format: the sale asks a [`TicketSigner`] for each
//! ticket's QR text. `guichet-tickets`' `DeviceKey` is the signer (see [`crate::tickets`]).

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
