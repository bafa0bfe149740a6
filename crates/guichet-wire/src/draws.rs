//! Draw registrations as they travel.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Register an account for a draw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistrationRequest {
    /// The account to register.
    #[schema(pattern = "^[A-Za-z0-9_-]{3,64}$")]
    pub account_id: String,
}

/// A registration, as the server recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RegistrationDto {
    /// Draw id, e.g. `pack-draw`.
    pub draw: String,
    /// Registration id in this draw (1, 2, 3…), as the published list numbers it.
    pub registration_id: u64,
    /// The account.
    pub account_id: String,
    /// Club Paris 2024 member when registering.
    pub club: bool,
    /// When (RFC 3339, UTC).
    pub registered_at: String,
}
