//! Mapping every failure to `{ code, message, details }` with the right status.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use guichet_wire::{ApiError, ErrorCode};

use crate::store::{HoldError, SaleError, StoreError};

/// A failed request.
#[derive(Debug)]
pub struct Error(pub StatusCode, pub ApiError);

impl Error {
    /// 400 with a message.
    pub fn bad_request(msg: impl Into<String>) -> Error {
        Error(
            StatusCode::BAD_REQUEST,
            ApiError::new(ErrorCode::BadRequest, msg),
        )
    }
    /// 403: a device's token used on another device's resources. Names the rule, both
    /// devices, and what to do.
    pub fn other_device(token_device: &str, named: &str, what: &str) -> Error {
        Error(
            StatusCode::FORBIDDEN,
            ApiError {
                code: ErrorCode::Forbidden,
                message: format!(
                    "a device acts only on its own {what}: this token is device {token_device}'s, the request names device {named} — send it with device {named}'s own token"
                ),
                details: serde_json::json!({
                    "rule": "own_device_only",
                    "token_device": token_device,
                    "named_device": named,
                }),
            },
        )
    }
    /// 403: a staff route asked with a kiosk's token. Names the rule, the device and the
    /// route, and where it is done instead.
    pub fn staff_only(device: &str, what: &str) -> Error {
        Error(
            StatusCode::FORBIDDEN,
            ApiError {
                code: ErrorCode::StaffOnly,
                message: format!(
                    "{what} is a staff function and this token is kiosk {device}'s — a kiosk never does it; do it at a box-office desk"
                ),
                details: serde_json::json!({
                    "rule": "staff_only",
                    "device": device,
                    "what": what,
                }),
            },
        )
    }
    /// 401.
    pub fn unauthorized(msg: impl Into<String>) -> Error {
        Error(
            StatusCode::UNAUTHORIZED,
            ApiError::new(ErrorCode::Unauthorized, msg),
        )
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let refusal = super::metrics_ops::Refusal {
            code: serde_json::to_value(self.1.code)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            rule: self.1.details["rule"].as_str().unwrap_or("").to_string(),
        };
        let mut res = (self.0, Json(self.1)).into_response();
        res.extensions_mut().insert(refusal);
        res
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Error {
        let (status, code) = match &e {
            StoreError::NotFound(_) => (StatusCode::NOT_FOUND, ErrorCode::NotFound),
            StoreError::Conflict(_) => (StatusCode::CONFLICT, ErrorCode::Conflict),
            StoreError::Invalid(_) => (StatusCode::BAD_REQUEST, ErrorCode::BadRequest),
            StoreError::Unavailable(m) => {
                return Error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    ApiError {
                        code: ErrorCode::Internal,
                        message: m.clone(),
                        details: serde_json::json!({ "rule": "not_on_this_store", "store": "postgres" }),
                    },
                );
            }
            StoreError::NewerSchema { .. }
            | StoreError::Sql(_)
            | StoreError::Postgres(_)
            | StoreError::Catalogue(_) => {
                tracing::error!(error = %e, "store failure");
                return Error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    ApiError::new(
                        ErrorCode::Internal,
                        "the server could not complete this; it is logged — try again",
                    ),
                );
            }
        };
        Error(status, ApiError::new(code, e.to_string()))
    }
}

impl From<SaleError> for Error {
    fn from(e: SaleError) -> Error {
        match e {
            SaleError::BadRequest(m) => Error::bad_request(m),
            SaleError::Store(s) => s.into(),
            SaleError::Hold(h) => h.into(),
            SaleError::Rules(r) => rules(r),
        }
    }
}

impl From<HoldError> for Error {
    fn from(e: HoldError) -> Error {
        match e {
            HoldError::BadRequest(m) => Error::bad_request(m),
            HoldError::Store(s) => s.into(),
            HoldError::Rules(r) => rules(r),
            HoldError::NotFound(_) => Error(
                StatusCode::NOT_FOUND,
                ApiError {
                    code: ErrorCode::NotFound,
                    message: e.to_string(),
                    details: serde_json::json!({ "rule": "hold_unknown" }),
                },
            ),
            HoldError::OtherDevice { hold, owner } => Error(
                StatusCode::FORBIDDEN,
                ApiError {
                    code: ErrorCode::Forbidden,
                    message: format!(
                        "a device acts only on its own holds: hold {hold} is device {owner}'s — release or confirm it from that device"
                    ),
                    details: serde_json::json!({ "rule": "own_device_only", "hold_id": hold }),
                },
            ),
            HoldError::Conflict { rule, message } => Error(
                StatusCode::CONFLICT,
                ApiError {
                    code: ErrorCode::Conflict,
                    message,
                    details: serde_json::json!({ "rule": rule }),
                },
            ),
        }
    }
}

/// 422 with every violation.
fn rules(r: guichet_domain::Rejection) -> Error {
    let n = r.violations.len();
    let first = r
        .violations
        .first()
        .map(|v| v.en.clone())
        .unwrap_or_default();
    let message = if n == 1 {
        first
    } else {
        format!("{first} (and {} more)", n - 1)
    };
    Error(
        StatusCode::UNPROCESSABLE_ENTITY,
        ApiError {
            code: ErrorCode::RuleViolation,
            message,
            details: serde_json::json!({ "violations": r.violations }),
        },
    )
}

impl From<axum::extract::rejection::JsonRejection> for Error {
    fn from(r: axum::extract::rejection::JsonRejection) -> Error {
        use axum::extract::rejection::JsonRejection as J;
        match r {
            J::BytesRejection(b) if b.status() == StatusCode::PAYLOAD_TOO_LARGE => Error(
                StatusCode::PAYLOAD_TOO_LARGE,
                ApiError::new(
                    ErrorCode::PayloadTooLarge,
                    format!(
                        "the body is larger than {} bytes: send smaller batches",
                        super::MAX_BODY
                    ),
                ),
            ),
            J::MissingJsonContentType(_) => Error::bad_request(
                "the body is not marked as JSON: send it with Content-Type: application/json",
            ),
            J::JsonSyntaxError(e) => Error::bad_request(format!(
                "the body is not valid: it is not JSON ({}) — send one JSON object as /openapi.json describes",
                inner(&e.body_text())
            )),
            other => Error::bad_request(format!(
                "the body is not valid: {} — send the fields /openapi.json lists for this route",
                inner(&other.body_text())
            )),
        }
    }
}

/// axum's rejection text without its generic lead ("Failed to deserialize …: "): the part
/// that names the field.
fn inner(text: &str) -> &str {
    text.split_once(": ").map_or(text, |(_, rest)| rest)
}

impl From<axum::extract::rejection::QueryRejection> for Error {
    fn from(r: axum::extract::rejection::QueryRejection) -> Error {
        Error::bad_request(format!(
            "the query string is not valid: {} — send only the parameters /openapi.json lists for this route",
            inner(&r.body_text())
        ))
    }
}

impl From<axum::extract::rejection::PathRejection> for Error {
    fn from(r: axum::extract::rejection::PathRejection) -> Error {
        Error::bad_request(format!(
            "the path is not valid: {} — see the paths in /openapi.json",
            inner(&r.body_text())
        ))
    }
}

impl From<tokio::task::JoinError> for Error {
    fn from(e: tokio::task::JoinError) -> Error {
        tracing::error!(error = %e, "blocking task failed");
        Error(
            StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::new(ErrorCode::Internal, "internal error; it is logged"),
        )
    }
}

impl From<crate::store::DrawStoreError> for Error {
    fn from(e: crate::store::DrawStoreError) -> Error {
        use crate::store::{DrawStoreError as D, Rule};
        match e {
            D::Refused {
                rule,
                message,
                details,
            } => {
                let (status, code) = match rule {
                    Rule::DrawUnknown | Rule::AccountUnknown => {
                        (StatusCode::NOT_FOUND, ErrorCode::NotFound)
                    }
                    Rule::AlreadyRegistered | Rule::OutOfOrder => {
                        (StatusCode::CONFLICT, ErrorCode::Conflict)
                    }
                    Rule::NotOpen | Rule::Closed | Rule::AfterFingerprint => {
                        (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::RuleViolation)
                    }
                };
                Error(
                    status,
                    ApiError {
                        code,
                        message,
                        details,
                    },
                )
            }
            D::Draw(d) => Error(
                StatusCode::UNPROCESSABLE_ENTITY,
                ApiError {
                    code: ErrorCode::RuleViolation,
                    message: d.to_string(),
                    details: serde_json::json!({ "rule": d.code() }),
                },
            ),
            D::Store(s) => s.into(),
        }
    }
}
