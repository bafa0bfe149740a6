//! The handlers: parse, await one store operation (through `AppState.backend`), map the error.

use std::sync::Arc;

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use guichet_domain::catalogue::format_offset;
use guichet_wire::accounts::{AccountDto, NewAccount};
use guichet_wire::catalogue::{AvailabilityDto, OfferDto, SessionDto};
use guichet_wire::devices::{EnrolRequest, EnrolResponse};
use guichet_wire::holds::{HoldRequest, HoldResponse};
use guichet_wire::orders::{OrderRequest, OrderResponse};
use guichet_wire::sync::{
    AllotmentDto, AllotmentRequest, PullResponse, PushRequest, PushResponse, SyncEvent,
};
use guichet_wire::{checks, ApiError, ErrorCode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::{AuthDevice, STAFF_EVENTS};
use super::{AppState, Error};
use crate::store::Device;

pub(super) type S = State<Arc<AppState>>;
pub(super) type ApiJson<T> = Result<axum::Json<T>, axum::extract::rejection::JsonRejection>;
type ApiQuery<T> = Result<Query<T>, QueryRejection>;
pub(super) type ApiPath<T> = Result<Path<T>, PathRejection>;

/// The answer of `/healthz`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Always `ok`.
    #[schema(value_type = String, pattern = "^ok$")]
    pub status: &'static str,
}

/// Liveness (no token needed).
#[utoipa::path(get, path = "/healthz", responses((status = 200, description = "alive", body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// Unknown routes.
pub async fn not_found() -> Error {
    Error(
        StatusCode::NOT_FOUND,
        ApiError::new(ErrorCode::NotFound, "no such endpoint: see /openapi.json"),
    )
}

/// A known route asked with a method it does not have (axum adds the `Allow` header).
pub async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> Error {
    Error(
        StatusCode::METHOD_NOT_ALLOWED,
        ApiError::new(
            ErrorCode::BadRequest,
            format!(
                "{} does not answer {method}: the Allow header lists the methods it has (see /openapi.json)",
                uri.path()
            ),
        ),
    )
}

/// A request's field did not fit its grammar: 400 naming it.
pub(super) fn field(r: Result<(), String>) -> Result<(), Error> {
    r.map_err(Error::bad_request)
}

/// A `device_id` the request may carry: when present it must be a device id (400), and the
/// token's own (403).
pub(super) fn named_device(d: &Device, named: Option<&str>, what: &str) -> Result<(), Error> {
    if let Some(n) = named {
        field(checks::device_id("device_id", n))?;
    }
    own_device(d, named, what)
}

/// A device trades a one-time code for an id and a token (no token needed: this is how a
/// device gets one).
#[utoipa::path(post, path = "/v1/devices/enrol", request_body = EnrolRequest,
    responses((status = 200, body = EnrolResponse),
        (status = 400, description = "the body is not JSON or a field does not fit its schema", body = ApiError),
        (status = 404, description = "the enrolment code is unknown", body = ApiError),
        (status = 409, description = "the code was used already, or the key is enrolled for another device", body = ApiError),
        (status = 413, description = "the body is larger than 4 MiB", body = ApiError)))]
pub async fn enrol(
    State(st): S,
    body: ApiJson<EnrolRequest>,
) -> Result<Json<EnrolResponse>, Error> {
    let Json(req) = body?;
    field(checks::key_hex("public_key_hex", &req.public_key_hex))?;
    field(checks::text("name", &req.name, 100))?;
    Ok(Json(st.backend.enrol(req, st.clock.now()).await?))
}

/// The catalogue with live availability.
#[utoipa::path(get, path = "/v1/catalogue", security(("bearer" = [])),
    responses((status = 200, body = Vec<SessionDto>), Unauthorized))]
pub async fn catalogue(State(st): S, _d: AuthDevice) -> Result<Json<Vec<SessionDto>>, Error> {
    let s = &st;
    {
        s.backend.expire_holds(s.clock.now()).await?;
        let avail = s.backend.availability(None).await?;
        let mut left = std::collections::BTreeMap::new();
        for a in avail {
            left.insert((a.session, a.category), a.available);
        }
        let out = s
            .backend
            .catalogue()
            .sessions()
            .map(|x| {
                let tz = x.utc_offset.to_time_zone();
                SessionDto {
                    code: x.code.to_string(),
                    games: format!("{:?}", x.games).to_lowercase(),
                    sport: x.sport.clone(),
                    discipline: x.discipline.clone(),
                    description: x.description.clone(),
                    venue: x.venue_name.clone(),
                    city: x.city.clone(),
                    start: format!(
                        "{}{}",
                        x.start.to_zoned(tz.clone()).datetime(),
                        format_offset(x.utc_offset)
                    ),
                    end: format!(
                        "{}{}",
                        x.end.to_zoned(tz).datetime(),
                        format_offset(x.utc_offset)
                    ),
                    medal: x.medal,
                    offers: x
                        .offers
                        .iter()
                        .map(|o| OfferDto {
                            category: o.category.to_string(),
                            price_cents: o.price.cents(),
                            capacity: o.capacity,
                            available: left
                                .get(&(x.code.to_string(), o.category.to_string()))
                                .copied()
                                .unwrap_or(0),
                        })
                        .collect(),
                }
            })
            .collect();
        Ok(Json(out))
    }
}

/// Query of availability.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AvailabilityQuery {
    /// Only this session (a code the catalogue has not is answered with an empty list).
    #[param(required = false, value_type = String, pattern = "^[A-Z][A-Z0-9-]{1,23}$")]
    pub session: Option<String>,
}

/// Availability per session and category.
#[utoipa::path(get, path = "/v1/availability", params(AvailabilityQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<AvailabilityDto>), BadQuery, Unauthorized))]
pub async fn availability(
    State(st): S,
    _d: AuthDevice,
    q: ApiQuery<AvailabilityQuery>,
) -> Result<Json<Vec<AvailabilityDto>>, Error> {
    let Query(q) = q?;
    let session = q
        .session
        .map(|s| checks::session_code("session", &s))
        .transpose()
        .map_err(Error::bad_request)?;
    st.backend.expire_holds(st.clock.now()).await?;
    Ok(Json(st.backend.availability(session).await?))
}

/// Query of the account search.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    /// Account id, email, or the start of a name (accents and case ignored).
    pub q: String,
}

/// Find accounts (at most 50; an empty `q` finds none).
///
/// Staff only: a kiosk gets one account by id (`GET /v1/accounts/{id}`), never a search.
#[utoipa::path(get, path = "/v1/accounts", params(SearchQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<AccountDto>), BadQuery, Unauthorized, StaffOnly))]
pub async fn search_accounts(
    State(st): S,
    d: AuthDevice,
    q: ApiQuery<SearchQuery>,
) -> Result<Json<Vec<AccountDto>>, Error> {
    d.staff_only("an account search by name or email")?;
    let Query(q) = q?;
    Ok(Json(st.backend.search_accounts(q.q).await?))
}

/// One account, with its draws, timeslots and holdings.
#[utoipa::path(get, path = "/v1/accounts/{id}", security(("bearer" = [])),
    params(("id" = String, Path, description = "Account id", pattern = "^[A-Za-z0-9_-]{3,64}$")),
    responses((status = 200, body = AccountDto),
        (status = 400, description = "the id is not an account id", body = ApiError), Unauthorized,
        (status = 404, description = "no account has this id", body = ApiError)))]
pub async fn get_account(
    State(st): S,
    _d: AuthDevice,
    id: ApiPath<String>,
) -> Result<Json<AccountDto>, Error> {
    let Path(id) = id?;
    let id = checks::account_id("id", &id).map_err(Error::bad_request)?;
    Ok(Json(st.backend.account(id).await?))
}

/// Create an account (a walk-in). The same id with the same email again is the same account.
#[utoipa::path(post, path = "/v1/accounts", request_body = NewAccount, security(("bearer" = [])),
    responses((status = 201, body = AccountDto, links(
            ("GetAccount" = (operation_id = "get_account", parameters(("id" = "$response.body#/id")),
                description = "the account just created")),
            ("SearchAccounts" = (operation_id = "search_accounts", parameters(("q" = "$response.body#/email")),
                description = "found by its email")),
            ("CreateOrder" = (operation_id = "create_order", request_body = json!({"account_id": "$response.body#/id"}),
                description = "an order for this account (the rest of the body as generated)")))),
        BadBody, Unauthorized,
        (status = 409, description = "this id is another email's account", body = ApiError), TooLarge))]
pub async fn create_account(
    State(st): S,
    AuthDevice(d): AuthDevice,
    body: ApiJson<NewAccount>,
) -> Result<(StatusCode, Json<AccountDto>), Error> {
    let Json(new) = body?;
    if let Some(id) = &new.id {
        checks::account_id("id", id).map_err(Error::bad_request)?;
    }
    field(checks::text("name", &new.name, 120))?;
    field(checks::email("email", &new.email))?;
    checks::country("country", &new.country).map_err(Error::bad_request)?;
    let a = st
        .backend
        .create_account(new, Some(d.id), st.clock.now())
        .await?;
    Ok((StatusCode::CREATED, Json(a)))
}

/// Sell an order online: the rules and the inventory guard in one transaction.
#[utoipa::path(post, path = "/v1/orders", request_body = OrderRequest, security(("bearer" = [])),
    responses((status = 201, body = OrderResponse, links(
            ("GetAccount" = (operation_id = "get_account", parameters(("id" = "$request.body#/account_id")),
                description = "the buyer's account, now holding the tickets")),
            ("Availability" = (operation_id = "availability", parameters(("session" = "$request.body#/lines/0/session")),
                description = "what is left online of the first line's session")),
            ("Pull" = (operation_id = "pull", parameters(("cursor" = 0)),
                description = "the sale's change to availability, in a pull from the start")))),
        (status = 200, description = "the same key again: the first answer", body = OrderResponse),
        BadBody, Unauthorized,
        (status = 403, description = "hold_id is another device's hold (details.rule = own_device_only)", body = ApiError),
        (status = 404, description = "no account has this id, or no hold has hold_id (details.rule = hold_unknown)", body = ApiError),
        (status = 409, description = "the sale was lost in the queue: nothing sold, send it again with the same key; or the idempotency key came before with another order (send this one with a new key); or hold_id is for other lines (details.rule = hold_differs) or confirmed by another order (hold_confirmed)", body = ApiError),
        TooLarge,
        (status = 422, description = "every rule violation, in details.violations", body = ApiError)))]
pub async fn create_order(
    State(st): S,
    AuthDevice(d): AuthDevice,
    body: ApiJson<OrderRequest>,
) -> Result<(StatusCode, Json<OrderResponse>), Error> {
    let Json(req) = body?;
    let r = st.backend.sell(req, d.id, st.clock.now()).await;
    st.metrics.order(r.as_ref().map(|o| o.response.duplicate));
    let out = r?;
    let status = if out.response.duplicate {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(out.response)))
}

/// Hold seats for a draft order while the fan pays (kiosks): the same rules as an order
/// decide, and the seats stop counting as free until the hold is confirmed by an order
/// (`hold_id`), released, or expires.
#[utoipa::path(post, path = "/v1/holds", request_body = HoldRequest, security(("bearer" = [])),
    responses((status = 201, body = HoldResponse, links(
            ("ReleaseHold" = (operation_id = "release_hold", parameters(("id" = "$response.body#/hold_id")),
                description = "give the seats back (declined, cancelled, timed out)")),
            ("CreateOrder" = (operation_id = "create_order",
                request_body = json!({"hold_id": "$response.body#/hold_id", "idempotency_key": "$request.body#/request_id"}),
                description = "confirm the hold with the order (the rest of the body as the hold's)")))),
        (status = 200, description = "the same request id again: the first hold, as it is now", body = HoldResponse),
        BadBody, Unauthorized,
        (status = 404, description = "no account has this id", body = ApiError),
        (status = 409, description = "the request id made another hold (details.rule = hold_request_reused)", body = ApiError),
        TooLarge,
        (status = 422, description = "every rule violation, in details.violations (no stock is one)", body = ApiError)))]
pub async fn create_hold(
    State(st): S,
    AuthDevice(d): AuthDevice,
    body: ApiJson<HoldRequest>,
) -> Result<(StatusCode, Json<HoldResponse>), Error> {
    let Json(req) = body?;
    let h = st.backend.hold(d.id, req, st.clock.now()).await?;
    let status = if h.duplicate {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(h)))
}

/// Release a hold: its seats go back on sale at once. A hold that ended already (released,
/// expired) is answered as it is.
#[utoipa::path(delete, path = "/v1/holds/{id}", security(("bearer" = [])),
    params(("id" = String, Path, description = "Hold id", format = "uuid",
        pattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")),
    responses((status = 200, body = HoldResponse),
        (status = 400, description = "the id is not a UUID", body = ApiError), Unauthorized,
        (status = 403, description = "the hold is another device's (details.rule = own_device_only)", body = ApiError),
        (status = 404, description = "no hold has this id", body = ApiError),
        (status = 409, description = "an order confirmed the hold: its seats are sold (details.rule = hold_confirmed)", body = ApiError)))]
pub async fn release_hold(
    State(st): S,
    AuthDevice(d): AuthDevice,
    id: ApiPath<String>,
) -> Result<Json<HoldResponse>, Error> {
    let Path(id) = id?;
    Ok(Json(
        st.backend.release_hold(d.id, id, st.clock.now()).await?,
    ))
}

/// Query naming the device a request is for (optional: it can only be the token's own).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DeviceQuery {
    /// The device (leave it out to mean the token's); another device's id is refused with 403.
    #[param(required = false, value_type = String, format = "uuid", pattern = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
    pub device_id: Option<String>,
}

/// Refuses a request that names a device other than the token's (nothing is read or written).
fn own_device(d: &Device, named: Option<&str>, what: &str) -> Result<(), Error> {
    match named.map(str::trim) {
        Some(n) if n != d.id => Err(Error::other_device(&d.id, n, what)),
        _ => Ok(()),
    }
}

/// Seats to borrow: [`AllotmentRequest`] and, optionally, the device it is for, which can
/// only be the token's own.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AllotmentBody {
    /// Session code, as the catalogue writes it.
    #[schema(pattern = "^[A-Z][A-Z0-9-]{1,23}$", example = "ATH07")]
    session: String,
    /// Category.
    #[schema(value_type = checks::CategoryCode)]
    category: String,
    /// Seats to borrow: 1 to 10,000 a request.
    #[serde(deserialize_with = "checks::whole_u32")]
    #[schema(minimum = 1, maximum = 10000)]
    quantity: u32,
    /// The device (leave it out to mean the token's); another device's id is refused with 403.
    #[serde(default)]
    #[schema(
        format = "uuid",
        pattern = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
    )]
    device_id: Option<String>,
}

/// Seats to give back: [`AllotmentRequest`] and, optionally, the device, which can only be
/// the token's own.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnBody {
    /// Session code, as the catalogue writes it.
    #[schema(pattern = "^[A-Z][A-Z0-9-]{1,23}$", example = "ATH07")]
    session: String,
    /// Category.
    #[schema(value_type = checks::CategoryCode)]
    category: String,
    /// Seats to give back (0 is a no-op); more than the device holds is refused with 409.
    #[serde(deserialize_with = "checks::whole_u32")]
    #[schema(minimum = 0, maximum = 4294967295_u32)]
    quantity: u32,
    /// The device (leave it out to mean the token's); another device's id is refused with 403.
    #[serde(default)]
    #[schema(
        format = "uuid",
        pattern = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
    )]
    device_id: Option<String>,
}

/// The session, category and device of an allotment request, checked: 400 for a malformed
/// one, 403 for another device.
fn allotment_request(
    d: &Device,
    session: String,
    category: String,
    quantity: u32,
    device_id: Option<&str>,
) -> Result<AllotmentRequest, Error> {
    checks::session_code("session", &session).map_err(Error::bad_request)?;
    checks::category("category", &category).map_err(Error::bad_request)?;
    named_device(d, device_id, "allotments")?;
    Ok(AllotmentRequest {
        session,
        category,
        quantity,
    })
}

impl AllotmentBody {
    fn checked(self, d: &Device) -> Result<AllotmentRequest, Error> {
        let device = self.device_id.as_deref();
        allotment_request(d, self.session, self.category, self.quantity, device)
    }
}

impl ReturnBody {
    fn checked(self, d: &Device) -> Result<AllotmentRequest, Error> {
        let device = self.device_id.as_deref();
        allotment_request(d, self.session, self.category, self.quantity, device)
    }
}

/// This device's allotments.
#[utoipa::path(get, path = "/v1/allotments", params(DeviceQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<AllotmentDto>), BadQuery, Unauthorized, OtherDevice))]
pub async fn allotments(
    State(st): S,
    AuthDevice(d): AuthDevice,
    q: ApiQuery<DeviceQuery>,
) -> Result<Json<Vec<AllotmentDto>>, Error> {
    let Query(q) = q?;
    named_device(&d, q.device_id.as_deref(), "allotments")?;
    Ok(Json(st.backend.allotments(d.id).await?))
}

/// Borrow seats to sell offline (escrow), if they are available online.
#[utoipa::path(post, path = "/v1/allotments", request_body = AllotmentBody, security(("bearer" = [])),
    responses((status = 200, body = AllotmentDto, links(
            ("ReturnAllotment" = (operation_id = "return_allotment",
                request_body = json!({"session": "$response.body#/session", "category": "$response.body#/category", "quantity": 1}),
                description = "give one of the seats back")),
            ("Availability" = (operation_id = "availability", parameters(("session" = "$response.body#/session")),
                description = "what is left online of this session")))),
        BadBody, Unauthorized, OtherDevice,
        (status = 404, description = "the catalogue has no such session and category", body = ApiError),
        (status = 409, description = "not that many left online", body = ApiError), TooLarge))]
pub async fn allot(
    State(st): S,
    AuthDevice(d): AuthDevice,
    body: ApiJson<AllotmentBody>,
) -> Result<Json<AllotmentDto>, Error> {
    let Json(req) = body?;
    let req = req.checked(&d)?;
    Ok(Json(st.backend.allot(d.id, req).await?))
}

/// Give seats back.
#[utoipa::path(post, path = "/v1/allotments/return", request_body = ReturnBody, security(("bearer" = [])),
    responses((status = 200, body = AllotmentDto), BadBody, Unauthorized, OtherDevice,
        (status = 409, description = "the device holds fewer seats than that", body = ApiError), TooLarge))]
pub async fn return_allotment(
    State(st): S,
    AuthDevice(d): AuthDevice,
    body: ApiJson<ReturnBody>,
) -> Result<Json<AllotmentDto>, Error> {
    let Json(req) = body?;
    let req = req.checked(&d)?;
    Ok(Json(st.backend.return_allotment(d.id, req).await?))
}

/// A push as received: [`PushRequest`], whose events may name the device that made them
/// (`device_id` on the event or in its payload, as a desk's own records do).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PushBody {
    /// Events, oldest first: at most 5,000. A kiosk's push may not carry `void`, `refund` or
    /// `reissue` events (403 `STAFF_ONLY`, nothing applied).
    #[schema(max_items = 5000)]
    events: Vec<EventBody>,
    /// Events the device had waiting in its outbox when it sent this push, the batch
    /// included (shown on the console's devices page).
    #[serde(default)]
    #[schema(minimum = 0, maximum = 1_000_000_000)]
    waiting: Option<u64>,
}

/// More events than any outbox holds: a `waiting` above it is refused as malformed.
const MAX_WAITING: u64 = 1_000_000_000;

/// [`SyncEvent`] and the device it claims to come from, if it says. An event the server
/// cannot apply (an unknown kind, a payload that does not fit it) is answered in its ack as
/// `rejected`, with the reason; the push itself is still 200.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EventBody {
    /// Idempotency key (UUIDv7) made on the device.
    idempotency_key: String,
    /// `account_created`, `sale`, `void`, `refund`, `reissue` or `shift_closed`.
    kind: String,
    /// The event's data (see the docs of each kind).
    payload: serde_json::Value,
    /// Device time of the event.
    created_at: String,
    /// Whether it happened without the server.
    #[serde(default)]
    offline: bool,
    /// The device that made it; another device's id is refused with 403 (as is a
    /// `device_id` string in the payload). Leave it out to mean the token's.
    #[serde(default)]
    #[schema(
        format = "uuid",
        pattern = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
    )]
    device_id: Option<String>,
}

impl PushBody {
    /// The events, if none claims another device than the token's: a push is refused whole
    /// (nothing applied) when one does.
    fn checked(self, auth: &AuthDevice) -> Result<PushRequest, Error> {
        let d = &auth.0;
        if let Some(w) = self.waiting.filter(|w| *w > MAX_WAITING) {
            return Err(Error::bad_request(format!(
                "waiting: {w} events is more than any outbox holds (at most {MAX_WAITING}): send the outbox's count"
            )));
        }
        for e in &self.events {
            // A kiosk undoes its own unpaid sale (the print failed, the card was reversed) with
            // a void of an order it made itself, checked in `push`; every other void, refund
            // or reissue is staff work.
            let own_undo = e.kind == "void" && d.kind == super::auth::KIOSK;
            if STAFF_EVENTS.contains(&e.kind.as_str()) && !own_undo {
                auth.staff_only(&format!("a {} event", e.kind))?;
            }
            named_device(d, e.device_id.as_deref(), "events")?;
            let in_payload = e
                .payload
                .get("device_id")
                .and_then(serde_json::Value::as_str);
            own_device(d, in_payload, "events")?;
        }
        Ok(PushRequest {
            events: self
                .events
                .into_iter()
                .map(|e| SyncEvent {
                    idempotency_key: e.idempotency_key,
                    kind: e.kind,
                    payload: e.payload,
                    created_at: e.created_at,
                    offline: e.offline,
                })
                .collect(),
            waiting: self.waiting,
        })
    }
}

/// Push outbox events; each key is applied once, for ever.
#[utoipa::path(post, path = "/v1/sync/push", request_body = PushBody, security(("bearer" = [])),
    responses((status = 200, body = PushResponse), BadBody, Unauthorized,
        (status = 403, description = "an event claims another device (device_id on the event or in its payload), or a kiosk's token pushes a void, refund or reissue (code STAFF_ONLY, rule staff_only): nothing is applied", body = ApiError),
        TooLarge))]
pub async fn push(
    State(st): S,
    auth: AuthDevice,
    body: ApiJson<PushBody>,
) -> Result<Json<PushResponse>, Error> {
    let Json(req) = body?;
    let req = req.checked(&auth)?;
    let AuthDevice(d) = auth;
    if req.events.len() > 5_000 {
        return Err(Error::bad_request(format!(
            "{} events in one push: send at most 5,000 per batch",
            req.events.len()
        )));
    }
    if d.kind == super::auth::KIOSK {
        for e in req.events.iter().filter(|e| e.kind == "void") {
            let order = e.payload.get("order_id").and_then(|o| o.as_str());
            let by = match order {
                Some(o) => st.backend.order_device(o.to_string()).await?,
                None => None,
            };
            if by.as_deref() != Some(d.id.as_str()) {
                return Err(Error::staff_only(
                    &d.id,
                    "a void event of an order this kiosk did not make",
                ));
            }
        }
    }
    let (pushed, waiting, now) = (req.events.len(), req.waiting, st.clock.now());
    let acks = st.backend.push(d.id.clone(), req.events, now).await?;
    // What the desk's outbox held, for the console's devices page.
    if let Some(w) = waiting {
        st.backend
            .record_push_report(d.id.clone(), w, pushed, now)
            .await?;
    }
    Ok(Json(PushResponse { acks }))
}

/// Query of a pull.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PullQuery {
    /// The cursor the last pull gave back, as given (opaque text: the change row id on
    /// SQLite, `EPOCH:XID:ID` on PostgreSQL); 0, or left out, the first time: the answer is
    /// then a snapshot of every offer's availability and every revocation. An older desk's
    /// whole-number cursor is still taken.
    #[param(required = false, value_type = String, pattern = "^([0-9]{1,15}(\\.0+)?|[0-9]{1,18}:[0-9]{1,18}:[0-9]{1,19})$")]
    pub cursor: Option<String>,
    /// The device pulling (leave it out to mean the token's); another device's id is refused
    /// with 403.
    #[param(required = false, value_type = String, format = "uuid", pattern = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
    pub device_id: Option<String>,
}

/// What changed since a cursor (from cursor 0: every offer and every revocation). A kiosk's
/// pull carries no accounts.
#[utoipa::path(get, path = "/v1/sync/pull", params(PullQuery), security(("bearer" = [])),
    responses((status = 200, body = PullResponse), BadQuery, Unauthorized, OtherDevice))]
pub async fn pull(
    State(st): S,
    AuthDevice(d): AuthDevice,
    q: ApiQuery<PullQuery>,
) -> Result<Json<PullResponse>, Error> {
    let Query(q) = q?;
    let cursor = match q.cursor.as_deref() {
        None => checks::FeedCursor::Start,
        Some(c) => checks::feed_cursor("cursor", c).map_err(Error::bad_request)?,
    };
    named_device(&d, q.device_id.as_deref(), "changes")?;
    let kiosk = d.kind == super::auth::KIOSK;
    st.backend.expire_holds(st.clock.now()).await?;
    let mut changes = st.backend.pull(d.id, cursor).await?;
    if kiosk {
        // Other fans' accounts are a bulk read a kiosk never gets.
        changes.accounts.clear();
    }
    Ok(Json(changes))
}

/// Offline sales the server found over a limit: kept, for a supervisor to settle. All of
/// them by default (the supervisors' list, staff only: a kiosk's token gets 403); `device_id`
/// scopes the list to the token's own device, and another device's id is refused.
#[utoipa::path(get, path = "/v1/conflicts", params(DeviceQuery), security(("bearer" = [])),
    responses((status = 200, description = "conflicts, newest first", body = Vec<ConflictDto>),
        BadQuery, Unauthorized, OtherDeviceOrStaffOnly))]
pub async fn conflicts(
    State(st): S,
    auth: AuthDevice,
    q: ApiQuery<DeviceQuery>,
) -> Result<Json<Vec<serde_json::Value>>, Error> {
    let Query(q) = q?;
    if q.device_id.is_none() {
        auth.staff_only("the list of every device's conflicts")?;
    }
    let AuthDevice(d) = auth;
    named_device(&d, q.device_id.as_deref(), "conflicts")?;
    let only = q.device_id.map(|_| d.id);
    Ok(Json(st.backend.conflicts(only).await?))
}

/// One offline sale kept over a limit (`GET /v1/conflicts`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ConflictDto {
    /// Conflict number.
    pub id: i64,
    /// The pushed event's key.
    pub idempotency_key: String,
    /// The device that sold.
    pub device_id: String,
    /// The buyer.
    pub account_id: String,
    /// The order.
    pub order_id: String,
    /// Which limit, by how much.
    pub details: serde_json::Value,
    /// Server time it was recorded.
    pub recorded_at: String,
}

/// A device key a gate trusts.
#[derive(Debug, Serialize, ToSchema)]
pub struct GateKeyDto {
    /// Key id (in each ticket).
    pub key_id: String,
    /// Ed25519 public key, hex.
    pub public_key_hex: String,
    /// `box-office` or `kiosk`.
    pub kind: String,
    /// Set when the device was revoked (lost, stolen): tickets this key signed after this
    /// instant are refused (REVOKED KEY), those signed before stay valid. RFC 3339.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_after: Option<String>,
}

/// What a gate carries.
#[derive(Debug, Serialize, ToSchema)]
pub struct GateListsDto {
    /// Every enrolled device's key.
    pub keys: Vec<GateKeyDto>,
    /// Revoked ticket ids.
    pub revoked: Vec<String>,
}

/// The key list and revocation list a gate carries (a bulk read: staff only).
#[utoipa::path(get, path = "/v1/gate/lists", security(("bearer" = [])),
    responses((status = 200, body = GateListsDto), Unauthorized, StaffOnly))]
pub async fn gate_lists(State(st): S, d: AuthDevice) -> Result<Json<serde_json::Value>, Error> {
    d.staff_only("the gate lists (every device's key, every revoked ticket)")?;
    let (keys, revoked) = st.backend.gate_lists().await?;
    let keys: Vec<_> = keys
        .into_iter()
        .map(|k| GateKeyDto {
            key_id: k.key_id,
            public_key_hex: k.public_key_hex,
            kind: k.kind,
            revoked_after: k.revoked_after.map(|t| t.to_string()),
        })
        .collect();
    Ok(Json(
        serde_json::json!({ "keys": keys, "revoked": revoked }),
    ))
}

/// The query string does not fit the parameters (an unknown name, a value that does
/// not fit its schema); the message names the parameter.
#[derive(utoipa::IntoResponses)]
#[response(status = 400)]
#[allow(dead_code)] // it only describes the response: Error makes it
pub struct BadQuery(pub ApiError);

/// The body is not JSON, not marked as JSON, or a field does not fit its schema; the
/// message names the field.
#[derive(utoipa::IntoResponses)]
#[response(status = 400)]
#[allow(dead_code)] // it only describes the response: Error makes it
pub struct BadBody(pub ApiError);

/// No `Authorization: Bearer <token>`, or a token no enrolled device has.
#[derive(utoipa::IntoResponses)]
#[response(status = 401)]
#[allow(dead_code)] // it only describes the response: Error makes it
pub struct Unauthorized(pub ApiError);

/// `device_id` names another device than the token's.
#[derive(utoipa::IntoResponses)]
#[response(status = 403)]
#[allow(dead_code)] // it only describes the response: Error makes it
pub struct OtherDevice(pub ApiError);

/// A staff route asked with a kiosk's token: code `STAFF_ONLY`, `details.rule` `staff_only`.
#[derive(utoipa::IntoResponses)]
#[response(status = 403)]
#[allow(dead_code)] // it only describes the response: Error makes it
pub struct StaffOnly(pub ApiError);

/// `device_id` names another device than the token's (rule `own_device_only`), or a kiosk's
/// token asked the list of every device's (code `STAFF_ONLY`, rule `staff_only`).
#[derive(utoipa::IntoResponses)]
#[response(status = 403)]
#[allow(dead_code)] // it only describes the response: Error makes it
pub struct OtherDeviceOrStaffOnly(pub ApiError);

/// The body is larger than 4 MiB.
#[derive(utoipa::IntoResponses)]
#[response(status = 413)]
#[allow(dead_code)] // it only describes the response: Error makes it
pub struct TooLarge(pub ApiError);
