//! The error body of every failed request: `{ code, message, details }`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A small set of codes the UI switches on; never a parsed string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    /// The request body or a parameter is malformed.
    BadRequest,
    /// No or bad bearer token.
    Unauthorized,
    /// The token is valid but not allowed to do this.
    Forbidden,
    /// A staff route (voids, refunds, reissues, account search, bulk reads) asked with a
    /// kiosk's token: `details.rule` is `staff_only`.
    StaffOnly,
    /// The thing asked for does not exist.
    NotFound,
    /// The request conflicts with what exists (e.g. an enrolment code used twice).
    Conflict,
    /// The order breaks sale rules: `details.violations` lists every one.
    RuleViolation,
    /// The body is larger than the server accepts.
    PayloadTooLarge,
    /// Something failed inside the server; it is logged.
    Internal,
}

/// The error body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ApiError {
    /// Stable code.
    pub code: ErrorCode,
    /// A sentence for people.
    pub message: String,
    /// Structured details (for rule violations: `{ "violations": [...] }`).
    #[serde(default)]
    pub details: serde_json::Value,
}

impl ApiError {
    /// Makes an error with empty details.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
            details: serde_json::Value::Null,
        }
    }
}
