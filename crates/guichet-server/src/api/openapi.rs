//! The OpenAPI document, generated from the handlers and wire types; committed as
//! `docs/openapi.json` and checked for drift by a test.

use axum::Json;
use utoipa::OpenApi;

use super::handlers;

/// The API description.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Guichet central server",
        version = "1",
        description = "Inventory authority, accounts, devices and sync for Guichet desks and kiosks. Errors are { code, message, details }."
    ),
    paths(
        handlers::healthz,
        handlers::enrol,
        handlers::catalogue,
        handlers::availability,
        handlers::search_accounts,
        handlers::get_account,
        handlers::create_account,
        handlers::create_order,
        handlers::allotments,
        handlers::allot,
        handlers::return_allotment,
        handlers::push,
        handlers::pull,
        handlers::conflicts,
        handlers::gate_lists,
    )
)]
pub struct ApiDoc;

/// The document as pretty JSON.
pub fn document() -> String {
    ApiDoc::openapi().to_pretty_json().unwrap_or_default()
}

/// `GET /openapi.json`.
pub async fn serve() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
