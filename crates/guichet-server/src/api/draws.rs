//! Draw registration over HTTP (docs/draw.md §1).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use guichet_wire::checks;
use guichet_wire::draws::{RegistrationDto, RegistrationRequest};
use guichet_wire::ApiError;

use super::auth::AuthDevice;
use super::handlers::{ApiJson, ApiPath, BadBody, TooLarge, Unauthorized, S};
use super::Error;

/// Register an account for a draw, inside the draw's registration window, once. A refusal's
/// `details.rule` names the rule (`REGISTRATION_NOT_OPEN`, `REGISTRATION_CLOSED`,
/// `ALREADY_REGISTERED`, `REGISTRATION_AFTER_FINGERPRINT`, `ACCOUNT_UNKNOWN`, `DRAW_UNKNOWN`) and
/// the message gives the window in Paris time.
#[utoipa::path(post, path = "/v1/draws/{draw}/registrations", request_body = RegistrationRequest, security(("bearer" = [])),
    params(("draw" = String, Path, description = "Draw id, e.g. pack-draw", pattern = "^[a-z0-9-]{1,40}$")),
    responses((status = 201, body = RegistrationDto),
        BadBody, Unauthorized,
        (status = 404, description = "no such draw or account (`details.rule`)", body = ApiError),
        (status = 409, description = "the account is registered for this draw already", body = ApiError),
        TooLarge,
        (status = 422, description = "outside the registration window, or the list is closed (`details.rule`)", body = ApiError)))]
pub async fn register(
    State(st): S,
    AuthDevice(d): AuthDevice,
    draw: ApiPath<String>,
    body: ApiJson<RegistrationRequest>,
) -> Result<(StatusCode, Json<RegistrationDto>), Error> {
    let Path(draw) = draw?;
    let Json(req) = body?;
    let account = checks::account_id("account_id", &req.account_id).map_err(Error::bad_request)?;
    let r = st
        .draws
        .register_for_draw(draw, account, Some(d.id), st.clock.now())
        .await?;
    Ok((StatusCode::CREATED, Json(r)))
}
