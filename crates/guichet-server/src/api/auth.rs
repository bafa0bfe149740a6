//! Bearer-token authentication of enrolled devices.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use super::{AppState, Error};
use crate::store::Device;

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
        if let Some(d) = state.store.cached_device(&token) {
            return Ok(AuthDevice(d));
        }
        let st = state.clone();
        let device =
            tokio::task::spawn_blocking(move || st.store.device_by_token(&token)).await??;
        device.map(AuthDevice).ok_or_else(|| {
            Error::unauthorized("this token belongs to no enrolled device: enrol the device again")
        })
    }
}
