//! Device enrolment.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A device trades a one-time code for an id and a bearer token, and registers its key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrolRequest {
    /// The one-time code an admin made (`guichet-server enrol`).
    pub code: String,
    /// A name for people ("Desk 3, Stade de France").
    pub name: String,
    /// The device's Ed25519 public key, hex (64 characters).
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
}
