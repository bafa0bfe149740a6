//! Device enrolment.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A device trades a one-time code for an id and a bearer token, and registers its key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrolRequest {
    /// The one-time code an admin made (`guichet-server enrol`); an unknown code is answered
    /// 404, a used one 409.
    pub code: String,
    /// A name for people ("Desk 3, Stade de France"): 1 to 100 characters, not all white space.
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = "[^\\t\\n\\u000b\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]"
    )]
    pub name: String,
    /// The device's Ed25519 public key, hex (64 characters).
    #[schema(pattern = "^[0-9a-fA-F]{64}$")]
    pub public_key_hex: String,
}

/// The answer to an enrolment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EnrolResponse {
    /// Device id.
    pub device_id: String,
    /// `box-office` or `kiosk` (set by the admin's code).
    pub kind: String,
    /// Bearer token: shown once, stored hashed on the server.
    pub token: String,
    /// Key id under which the device's tickets are verified.
    pub key_id: String,
    /// The public key that signs account cards (the QR a fan shows at a kiosk), so that the
    /// device checks cards offline.
    pub card_key: CardKeyDto,
}

/// The public half of the server's account-card key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CardKeyDto {
    /// Key id: 16 hex digits, the first 8 bytes of SHA-256 of the public key.
    #[schema(pattern = "^[0-9a-f]{16}$")]
    pub key_id: String,
    /// Ed25519 public key, 64 hex digits.
    #[schema(pattern = "^[0-9a-f]{64}$")]
    pub public_key_hex: String,
}
