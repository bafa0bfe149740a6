//! Allotments and sync: what desks push and pull.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Ask for more escrow, or give some back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AllotmentRequest {
    /// Session code.
    pub session: String,
    /// Category `A`–`D`.
    pub category: String,
    /// Seats to add (ask) or to give back (return).
    #[serde(deserialize_with = "crate::checks::whole_u32")]
    pub quantity: u32,
}

/// A device's escrow for one session and category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AllotmentDto {
    /// Session code.
    pub session: String,
    /// Category.
    pub category: String,
    /// Seats lent to the device over its life.
    pub granted: u32,
    /// Seats it sold from them (pushed sales).
    pub sold: u32,
    /// Seats it gave back.
    pub returned: u32,
    /// Seats it may still sell offline, as the server sees it.
    pub outstanding: u32,
}

/// A reissue pushed by a desk (`kind = "reissue"`): the old ticket is revoked and a new one,
/// with a new id and signature, takes its seat. No seat is sold or freed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ReissuePayload {
    /// The order.
    pub order_id: String,
    /// The ticket replaced (revoked).
    pub old_ticket_id: String,
    /// The new ticket.
    pub ticket: SaleTicket,
}

/// One outbox event of a desk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SyncEvent {
    /// Idempotency key (UUIDv7) made on the device.
    pub idempotency_key: String,
    /// `account_created` ([`crate::accounts::NewAccount`]), `sale` ([`SalePayload`]), `void`
    /// and `refund` ([`VoidPayload`]), `reissue` ([`ReissuePayload`]), `shift_closed` (the Z
    /// report, kept by the desk; the server records the key only).
    pub kind: String,
    /// The event's data (see the docs of each kind).
    pub payload: serde_json::Value,
    /// Device time of the event.
    pub created_at: String,
    /// Whether it happened without the server.
    #[serde(default)]
    pub offline: bool,
}

/// A batch pushed in outbox order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    /// Events, oldest first.
    pub events: Vec<SyncEvent>,
    /// Events the device had waiting in its outbox when it sent this push, the batch
    /// included (shown in the console); left out by devices that do not count them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting: Option<u64>,
}

/// What became of one event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PushAck {
    /// The event's key.
    pub idempotency_key: String,
    /// `applied`, `duplicate` (applied before: nothing done now) or `rejected`.
    pub status: String,
    /// Why it was rejected, or the conflict recorded when applied over a limit.
    pub reason: Option<String>,
    /// Server time it was first received.
    pub received_at: String,
}

/// The answer to a push: one ack per event, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PushResponse {
    /// Acks.
    pub acks: Vec<PushAck>,
}

/// Changes since a cursor, in the device's scope. From cursor 0 (a desk's first pull) it is a
/// snapshot: every offer's availability and every revocation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PullResponse {
    /// Give this back as `cursor` next time. Opaque text: the change row id on SQLite,
    /// `EPOCH:XID:ID` on PostgreSQL; keep it as given. (A server from before the text cursor
    /// sent a JSON number: it is read as its text.)
    #[serde(deserialize_with = "cursor_text")]
    pub cursor: String,
    /// More changes wait after `cursor` than one pull carries: pull again at once.
    #[serde(default)]
    pub more: bool,
    /// Availability of the offers that changed (of every offer from cursor 0).
    pub availability: Vec<crate::catalogue::AvailabilityDto>,
    /// This device's allotments (all of them: few rows).
    pub allotments: Vec<AllotmentDto>,
    /// Ticket ids revoked since the cursor (voids, reissues; all of them from cursor 0), for
    /// gates.
    pub revocations: Vec<String>,
    /// Accounts created or changed since the cursor; always empty for a kiosk, which gets one
    /// account by id (`GET /v1/accounts/{id}`) and never a list of fans.
    pub accounts: Vec<crate::accounts::AccountDto>,
}

/// A sale pushed by a desk (`kind = "sale"`). Extra fields of the desk's record are ignored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SalePayload {
    /// Order id made on the device.
    pub order_id: String,
    /// Buyer.
    pub account_id: String,
    /// `pack` or `single`.
    pub kind: String,
    /// Phase the desk sold it in.
    pub phase: String,
    /// Device time of the sale.
    pub sold_at: String,
    /// Sold from the allotment without the server.
    #[serde(default)]
    pub offline: bool,
    /// Tickets.
    pub tickets: Vec<SaleTicket>,
}

/// A ticket of a pushed sale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SaleTicket {
    /// Ticket id (UUIDv7, in the signed QR).
    pub id: String,
    /// Session.
    pub session: String,
    /// Category.
    pub category: String,
    /// Price in cents.
    pub price: i64,
}

/// A void or refund pushed by a desk: the tickets it cancels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct VoidPayload {
    /// The order.
    pub order_id: String,
    /// Cancelled ticket ids.
    pub ticket_ids: Vec<String>,
}

/// A pull's cursor as text, whether the server sent text or (before the cursor was opaque) a
/// whole number.
fn cursor_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Cursor {
        Text(String),
        Number(u64),
    }
    Ok(match Cursor::deserialize(d)? {
        Cursor::Text(t) => t,
        Cursor::Number(n) => n.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::PullResponse;

    fn pulled(cursor: &str) -> Result<PullResponse, serde_json::Error> {
        serde_json::from_str(&format!(
            r#"{{"cursor": {cursor}, "availability": [], "allotments": [], "revocations": [], "accounts": []}}"#
        ))
    }

    #[test]
    fn a_cursor_is_kept_as_text_whether_it_came_as_text_or_as_a_number() {
        assert_eq!(pulled(r#""7:900:12""#).unwrap().cursor, "7:900:12");
        assert_eq!(pulled(r#""123""#).unwrap().cursor, "123");
        assert_eq!(
            pulled("123").unwrap().cursor,
            "123",
            "an older server's number"
        );
        assert!(pulled("-1").is_err(), "a negative number is no cursor");
        assert!(pulled("null").is_err());
    }
}
