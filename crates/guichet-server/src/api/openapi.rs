//! The OpenAPI document, generated from the handlers and wire types; committed as
//! `docs/openapi.json` and checked for drift by a test.

use axum::http::header;
use axum::response::IntoResponse;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{devices, draws, handlers, metrics};

/// The API description.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Guichet central server",
        version = "1",
        description = "Inventory authority, accounts, devices and sync for Guichet desks and kiosks. Every /v1 route but enrolment needs `Authorization: Bearer <token>` (the token POST /v1/devices/enrol gives). Errors are { code, message, details }: the message names the field or rule, the numbers and the way out."
    ),
    paths(
        handlers::healthz,
        metrics::render,
        serve,
        handlers::enrol,
        devices::report_state,
        devices::list,
        handlers::catalogue,
        handlers::availability,
        handlers::search_accounts,
        handlers::get_account,
        handlers::create_account,
        draws::register,
        handlers::create_order,
        handlers::create_hold,
        handlers::release_hold,
        handlers::allotments,
        handlers::allot,
        handlers::return_allotment,
        handlers::push,
        handlers::pull,
        handlers::conflicts,
        handlers::gate_lists,
    ),
    modifiers(&Bearer)
)]
pub struct ApiDoc;

/// The `bearer` security scheme the secured routes name.
struct Bearer;

impl Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "the token POST /v1/devices/enrol answered (64 hex characters), sent as Authorization: Bearer <token>",
                    ))
                    .build(),
            ),
        );
    }
}

/// utoipa 5.5 writes a link's `operationId`, `operationRef` and `requestBody` in snake case
/// (`operation_id`…), which OpenAPI readers ignore; they are renamed in the text, so the links
/// the handlers declare are links a reader follows. Those keys occur nowhere else.
fn camel_links(json: String) -> String {
    json.replace("\"operation_id\":", "\"operationId\":")
        .replace("\"operation_ref\":", "\"operationRef\":")
        .replace("\"request_body\":", "\"requestBody\":")
}

/// The document as pretty JSON.
pub fn document() -> String {
    camel_links(ApiDoc::openapi().to_pretty_json().unwrap_or_default())
}

/// This document (no token needed).
#[utoipa::path(get, path = "/openapi.json", responses((status = 200, description = "the OpenAPI 3.1 document of this server",
    body = Object, content_type = "application/json")))]
pub async fn serve() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        camel_links(ApiDoc::openapi().to_json().unwrap_or_default()),
    )
}
