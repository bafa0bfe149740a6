//! Online sales.

use guichet_domain::{DraftLine, DraftOrder, OrderKind};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::checks;

/// One line of an order request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderLineDto {
    /// Session code, as the catalogue writes it.
    #[schema(pattern = "^[A-Z][A-Z0-9-]{1,23}$", example = "ATH07")]
    pub session: String,
    /// `A`–`D`.
    #[schema(value_type = crate::checks::CategoryCode)]
    pub category: String,
    /// Tickets: 1 to 6 (an account holds at most 6 tickets of a session, so the rules refuse
    /// any more with 422; 0 too). A whole number written `2.0` is taken as 2.
    #[serde(deserialize_with = "crate::checks::whole_u32")]
    #[schema(minimum = 1, maximum = 6)]
    pub quantity: u32,
}

/// An online sale: the server decides under the rules, in one transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderRequest {
    /// Idempotency key made by the device (UUIDv7): the same key twice is one sale.
    #[schema(
        format = "uuid",
        pattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
    )]
    pub idempotency_key: String,
    /// The buyer's account.
    #[schema(pattern = "^[A-Za-z0-9_-]{3,64}$", example = "DEMO-0001")]
    pub account_id: String,
    /// `pack` or `single`.
    #[schema(value_type = crate::checks::OrderKindCode)]
    pub kind: String,
    /// Lines (an empty order is refused by the rules with 422).
    #[schema(min_items = 1)]
    pub lines: Vec<OrderLineDto>,
    /// The hold this order confirms (`POST /v1/holds`): its seats are the order's. The hold
    /// must be this device's, for the same account, kind and lines (409 otherwise). A hold
    /// that expired or was released no longer sets seats aside: the order is then sold from
    /// what is free, as one without a hold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(
        format = "uuid",
        pattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
    )]
    pub hold_id: Option<String>,
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
            k => return Err(format!("kind {k:?}: send \"pack\" or \"single\"")),
        };
        let lines = r
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                Ok(DraftLine {
                    session: checks::session_code(&format!("lines[{i}].session"), &l.session)?,
                    category: checks::category(&format!("lines[{i}].category"), &l.category)?,
                    quantity: l.quantity,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(DraftOrder { kind, lines })
    }
}
