//! Bearer-token authentication of enrolled devices.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::StatusCode;
use guichet_wire::{ApiError, ErrorCode};

use super::{AppState, Error};
use crate::store::{refusal_reason, Device, DeviceRevocation};

/// The device that made the request.
pub struct AuthDevice(pub Device);

impl FromRequestParts<Arc<AppState>> for AuthDevice {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, Error> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| {
                Error::unauthorized(
                    "this needs an enrolled device: send Authorization: Bearer <token>",
                )
            })?;
        let token = header
            .strip_prefix("Bearer ")
            .ok_or_else(|| Error::unauthorized("Authorization must be \"Bearer <token>\""))?
            .trim()
            .to_string();
        if let Some(d) = state.backend.cached_device(&token) {
            state.metrics.ops.seen(&d.id);
            return Ok(AuthDevice(d));
        }
        let request = format!("{} {}", parts.method, parts.uri.path());
        let found = state
            .backend
            .authenticate(token, request, state.clock.now())
            .await?;
        match found {
            Ok(d) => {
                state.metrics.ops.seen(&d.id);
                Ok(AuthDevice(d))
            }
            Err(Some(revoked)) => Err(device_revoked(&revoked)),
            Err(None) => Err(Error::unauthorized(
                "this token belongs to no enrolled device: enrol the device again",
            )),
        }
    }
}

/// 401 for a revoked device's token: rule `device_revoked`, with when, why and by whom.
fn device_revoked(r: &DeviceRevocation) -> Error {
    Error(
        StatusCode::UNAUTHORIZED,
        ApiError {
            code: ErrorCode::Unauthorized,
            message: refusal_reason(r),
            details: serde_json::json!({
                "rule": "device_revoked",
                "device": r.device_id,
                "revoked_after": r.revoked_after.to_string(),
                "recorded_at": r.recorded_at.to_string(),
                "reason": r.reason,
            }),
        },
    )
}

/// The kind of device a kiosk's enrolment code made (`guichet-server enrol --kind kiosk`).
pub const KIOSK: &str = "kiosk";

/// Push event kinds only staff make: a kiosk's push carrying one is refused whole.
pub const STAFF_EVENTS: &[&str] = &["void", "refund", "reissue"];

impl AuthDevice {
    /// Refuses a staff route (`what` names it for people) to a kiosk's token, before anything
    /// is read or written: 403 `STAFF_ONLY`, rule `staff_only`.
    pub fn staff_only(&self, what: &str) -> Result<&Device, Error> {
        if self.0.kind == KIOSK {
            return Err(Error::staff_only(&self.0.id, what));
        }
        Ok(&self.0)
    }
}
