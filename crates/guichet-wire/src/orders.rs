//! Online sales.

use guichet_domain::{DraftLine, DraftOrder, OrderKind, PriceCategory, SessionCode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One line of an order request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderLineDto {
    /// Session code.
    pub session: String,
    /// `A`–`D`.
    pub category: String,
    /// Tickets (1 or more; the rules check the caps).
    pub quantity: u32,
}

/// An online sale: the server decides under the rules, in one transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderRequest {
    /// Idempotency key made by the device (UUIDv7): the same key twice is one sale.
    pub idempotency_key: String,
    /// The buyer's account.
    pub account_id: String,
    /// `pack` or `single`.
    pub kind: String,
    /// Lines.
    pub lines: Vec<OrderLineDto>,
}

/// A sold ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TicketDto {
    /// Ticket id (UUIDv7).
    pub id: String,
    /// Session.
    pub session: String,
    /// Category.
    pub category: String,
    /// Price in cents.
    pub price_cents: i64,
}

/// An accepted order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OrderResponse {
    /// Order id.
    pub order_id: String,
    /// Phase sold in.
    pub phase: String,
    /// Total in cents.
    pub total_cents: i64,
    /// Tickets.
    pub tickets: Vec<TicketDto>,
    /// True when this key had already been applied: the original answer is returned.
    pub duplicate: bool,
}

impl TryFrom<&OrderRequest> for DraftOrder {
    type Error = String;
    fn try_from(r: &OrderRequest) -> Result<DraftOrder, String> {
        let kind = match r.kind.as_str() {
            "pack" => OrderKind::Pack,
            "single" => OrderKind::Single,
            k => return Err(format!("kind {k:?}: expected \"pack\" or \"single\"")),
        };
        let lines = r
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                Ok(DraftLine {
                    session: SessionCode::parse(&l.session)
                        .map_err(|e| format!("lines[{i}].session: {e}"))?,
                    category: PriceCategory::parse(&l.category)
                        .map_err(|e| format!("lines[{i}].category: {e}"))?,
                    quantity: l.quantity,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(DraftOrder { kind, lines })
    }
}
