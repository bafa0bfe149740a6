//! Holds: seats a kiosk sets aside for a few minutes while the fan pays, so that a card is
//! never charged for seats that are gone. An order confirms a hold by naming it
//! ([`crate::orders::OrderRequest::hold_id`]).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::orders::OrderLineDto;

/// Seats to hold for an account's draft order. The server runs the sale rules on it (the
/// same rules function as an order) and holds the seats only if every rule passes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HoldRequest {
    /// The payment request id (UUIDv7) made by the device before anything else: the same id
    /// twice is one hold. The kiosk also uses it as the order's idempotency key.
    #[schema(
        format = "uuid",
        pattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
    )]
    pub request_id: String,
    /// The buyer's account.
    #[schema(pattern = "^[A-Za-z0-9_-]{3,64}$", example = "DEMO-0001")]
    pub account_id: String,
    /// `pack` or `single`.
    #[schema(value_type = crate::checks::OrderKindCode)]
    pub kind: String,
    /// Lines, as the order will carry them.
    #[schema(min_items = 1)]
    pub lines: Vec<OrderLineDto>,
}

/// What became of a hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum HoldState {
    /// The seats are set aside until `expires_at`.
    Live,
    /// The device gave the seats back (declined, cancelled, timed out).
    Released,
    /// Nobody confirmed it in time: the seats went back on sale by themselves.
    Expired,
    /// An order took the seats (`order_id`).
    Confirmed,
}

/// A hold as the server keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HoldResponse {
    /// Hold id (UUIDv7): send it as the order's `hold_id`.
    pub hold_id: String,
    /// The request id it was made for.
    pub request_id: String,
    /// State now.
    pub state: HoldState,
    /// Server time until which the seats are set aside (RFC 3339).
    pub expires_at: String,
    /// The seats held.
    pub lines: Vec<OrderLineDto>,
    /// The order that confirmed it, once confirmed.
    pub order_id: Option<String>,
    /// True when this request id had already made the hold: the same hold is returned.
    pub duplicate: bool,
}
