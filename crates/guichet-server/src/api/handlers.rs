//! The handlers: parse, call one store operation on a blocking thread, map the error.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use guichet_domain::catalogue::format_offset;
use guichet_domain::{AccountId, SessionCode};
use guichet_wire::accounts::{AccountDto, NewAccount};
use guichet_wire::catalogue::{AvailabilityDto, OfferDto, SessionDto};
use guichet_wire::devices::{EnrolRequest, EnrolResponse};
use guichet_wire::orders::{OrderRequest, OrderResponse};
use guichet_wire::sync::{
    AllotmentDto, AllotmentRequest, PullResponse, PushRequest, PushResponse, SyncEvent,
};
use guichet_wire::{ApiError, ErrorCode};
use serde::Deserialize;

use super::auth::AuthDevice;
use super::{AppState, Error};
use crate::store::{lost_sale, Device};

type S = State<Arc<AppState>>;
type ApiJson<T> = Result<axum::Json<T>, axum::extract::rejection::JsonRejection>;

async fn blocking<T: Send + 'static>(
    st: &Arc<AppState>,
    f: impl FnOnce(&AppState) -> Result<T, Error> + Send + 'static,
) -> Result<T, Error> {
    let st = st.clone();
    tokio::task::spawn_blocking(move || f(&st)).await?
}

/// Liveness.
#[utoipa::path(get, path = "/healthz", responses((status = 200, description = "alive")))]
pub async fn healthz() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

/// Unknown routes.
pub async fn not_found() -> Error {
    Error(
        StatusCode::NOT_FOUND,
        ApiError::new(ErrorCode::NotFound, "no such endpoint: see /openapi.json"),
    )
}

/// A device trades a one-time code for an id and a token.
#[utoipa::path(post, path = "/v1/devices/enrol", request_body = EnrolRequest,
    responses((status = 200, body = EnrolResponse), (status = 404, body = ApiError), (status = 409, body = ApiError)))]
pub async fn enrol(
    State(st): S,
    body: ApiJson<EnrolRequest>,
) -> Result<Json<EnrolResponse>, Error> {
    let Json(req) = body?;
    blocking(&st, move |s| Ok(s.store.enrol(&req, s.clock.now())?))
        .await
        .map(Json)
}

/// The catalogue with live availability.
#[utoipa::path(get, path = "/v1/catalogue", responses((status = 200, body = Vec<SessionDto>)))]
pub async fn catalogue(State(st): S, _d: AuthDevice) -> Result<Json<Vec<SessionDto>>, Error> {
    blocking(&st, |s| {
        let avail = s.store.availability(None)?;
        let mut left = std::collections::BTreeMap::new();
        for a in avail {
            left.insert((a.session, a.category), a.available);
        }
        let out = s
            .store
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
        Ok(out)
    })
    .await
    .map(Json)
}

/// Query of availability.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AvailabilityQuery {
    /// Only this session.
    pub session: Option<String>,
}

/// Availability per session and category.
#[utoipa::path(get, path = "/v1/availability", params(AvailabilityQuery),
    responses((status = 200, body = Vec<AvailabilityDto>)))]
pub async fn availability(
    State(st): S,
    _d: AuthDevice,
    Query(q): Query<AvailabilityQuery>,
) -> Result<Json<Vec<AvailabilityDto>>, Error> {
    let session = q
        .session
        .map(|s| SessionCode::parse(&s))
        .transpose()
        .map_err(|e| Error::bad_request(e.to_string()))?;
    blocking(&st, move |s| Ok(s.store.availability(session.as_ref())?))
        .await
        .map(Json)
}

/// Query of the account search.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    /// Account id, email, or the start of a name (accents and case ignored).
    pub q: String,
}

/// Find accounts.
#[utoipa::path(get, path = "/v1/accounts", params(SearchQuery), responses((status = 200, body = Vec<AccountDto>)))]
pub async fn search_accounts(
    State(st): S,
    _d: AuthDevice,
    Query(q): Query<SearchQuery>,
) -> Result<Json<Vec<AccountDto>>, Error> {
    blocking(&st, move |s| Ok(s.store.search_accounts(&q.q)?))
        .await
        .map(Json)
}

/// One account, with its draws, timeslots and holdings.
#[utoipa::path(get, path = "/v1/accounts/{id}", responses((status = 200, body = AccountDto), (status = 404, body = ApiError)))]
pub async fn get_account(
    State(st): S,
    _d: AuthDevice,
    Path(id): Path<String>,
) -> Result<Json<AccountDto>, Error> {
    let id = AccountId::parse(&id).map_err(|e| Error::bad_request(e.to_string()))?;
    blocking(&st, move |s| Ok(s.store.account(&id)?))
        .await
        .map(Json)
}

/// Create an account (a walk-in).
#[utoipa::path(post, path = "/v1/accounts", request_body = NewAccount,
    responses((status = 201, body = AccountDto), (status = 400, body = ApiError), (status = 409, body = ApiError)))]
pub async fn create_account(
    State(st): S,
    AuthDevice(d): AuthDevice,
    body: ApiJson<NewAccount>,
) -> Result<(StatusCode, Json<AccountDto>), Error> {
    let Json(new) = body?;
    blocking(&st, move |s| {
        Ok(s.store.create_account(&new, Some(&d.id), s.clock.now())?)
    })
    .await
    .map(|a| (StatusCode::CREATED, Json(a)))
}

/// Sell an order online: the rules and the inventory guard in one transaction.
#[utoipa::path(post, path = "/v1/orders", request_body = OrderRequest,
    responses((status = 201, body = OrderResponse), (status = 200, description = "the same key again: the first answer", body = OrderResponse),
        (status = 422, description = "every rule violation, in details.violations", body = ApiError)))]
pub async fn create_order(
    State(st): S,
    AuthDevice(d): AuthDevice,
    body: ApiJson<OrderRequest>,
) -> Result<(StatusCode, Json<OrderResponse>), Error> {
    let Json(req) = body?;
    let r = if st.store.guarded() {
        // Queued for the group commit: no thread waits per order, only this task.
        match st.store.queue_sale(&req, &d.id, st.clock.now()) {
            Ok(q) => {
                if q.lead {
                    let leader = st.clone();
                    tokio::task::spawn_blocking(move || leader.store.lead_sales());
                }
                q.answer.await.unwrap_or_else(|_| Err(lost_sale()))
            }
            Err(e) => Err(e),
        }
    } else {
        let s = st.clone();
        tokio::task::spawn_blocking(move || s.store.sell_online(&req, &d.id, s.clock.now())).await?
    };
    st.metrics.order(r.as_ref().map(|o| o.response.duplicate));
    let out = r?;
    let status = if out.response.duplicate {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(out.response)))
}

/// Query naming the device a request is for (optional: it can only be the token's own).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DeviceQuery {
    /// The device; another device's id is refused with 403.
    pub device_id: Option<String>,
}

/// Refuses a request that names a device other than the token's (nothing is read or written).
fn own_device(d: &Device, named: Option<&str>, what: &str) -> Result<(), Error> {
    match named.map(str::trim) {
        Some(n) if n != d.id => Err(Error::other_device(&d.id, n, what)),
        _ => Ok(()),
    }
}

/// An allotment request as received: [`AllotmentRequest`] and, optionally, the device it is
/// for, which can only be the token's own.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllotmentBody {
    session: String,
    category: String,
    quantity: u32,
    #[serde(default)]
    device_id: Option<String>,
}

impl AllotmentBody {
    fn checked(self, d: &Device) -> Result<AllotmentRequest, Error> {
        own_device(d, self.device_id.as_deref(), "allotments")?;
        Ok(AllotmentRequest {
            session: self.session,
            category: self.category,
            quantity: self.quantity,
        })
    }
}

/// This device's allotments.
#[utoipa::path(get, path = "/v1/allotments", params(DeviceQuery), responses((status = 200, body = Vec<AllotmentDto>),
    (status = 403, description = "device_id names another device", body = ApiError)))]
pub async fn allotments(
    State(st): S,
    AuthDevice(d): AuthDevice,
    Query(q): Query<DeviceQuery>,
) -> Result<Json<Vec<AllotmentDto>>, Error> {
    own_device(&d, q.device_id.as_deref(), "allotments")?;
    blocking(&st, move |s| Ok(s.store.allotments(&d.id)?))
        .await
        .map(Json)
}

/// Borrow seats to sell offline (escrow), if they are available online.
#[utoipa::path(post, path = "/v1/allotments", request_body = AllotmentRequest,
    responses((status = 200, body = AllotmentDto), (status = 403, description = "device_id names another device", body = ApiError),
        (status = 409, description = "not that many left", body = ApiError)))]
pub async fn allot(
    State(st): S,
    AuthDevice(d): AuthDevice,
    body: ApiJson<AllotmentBody>,
) -> Result<Json<AllotmentDto>, Error> {
    let Json(req) = body?;
    let req = req.checked(&d)?;
    blocking(&st, move |s| Ok(s.store.allot(&d.id, &req)?))
        .await
        .map(Json)
}

/// Give seats back.
#[utoipa::path(post, path = "/v1/allotments/return", request_body = AllotmentRequest,
    responses((status = 200, body = AllotmentDto), (status = 403, description = "device_id names another device", body = ApiError),
        (status = 409, body = ApiError)))]
pub async fn return_allotment(
    State(st): S,
    AuthDevice(d): AuthDevice,
    body: ApiJson<AllotmentBody>,
) -> Result<Json<AllotmentDto>, Error> {
    let Json(req) = body?;
    let req = req.checked(&d)?;
    blocking(&st, move |s| Ok(s.store.return_allotment(&d.id, &req)?))
        .await
        .map(Json)
}

/// A push as received: [`PushRequest`], whose events may name the device that made them
/// (`device_id` on the event or in its payload, as a desk's own records do).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushBody {
    events: Vec<EventBody>,
}

/// [`SyncEvent`] and the device it claims to come from, if it says.
#[derive(Debug, Deserialize)]
pub struct EventBody {
    idempotency_key: String,
    kind: String,
    payload: serde_json::Value,
    created_at: String,
    #[serde(default)]
    offline: bool,
    #[serde(default)]
    device_id: Option<String>,
}

impl PushBody {
    /// The events, if none claims another device than the token's: a push is refused whole
    /// (nothing applied) when one does.
    fn checked(self, d: &Device) -> Result<PushRequest, Error> {
        for e in &self.events {
            own_device(d, e.device_id.as_deref(), "events")?;
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
        })
    }
}

/// Push outbox events; each key is applied once, for ever.
#[utoipa::path(post, path = "/v1/sync/push", request_body = PushRequest, responses((status = 200, body = PushResponse),
    (status = 403, description = "an event claims another device (device_id on the event or in its payload): nothing is applied", body = ApiError)))]
pub async fn push(
    State(st): S,
    AuthDevice(d): AuthDevice,
    body: ApiJson<PushBody>,
) -> Result<Json<PushResponse>, Error> {
    let Json(req) = body?;
    let req = req.checked(&d)?;
    if req.events.len() > 5_000 {
        return Err(Error::bad_request(format!(
            "{} events in one push: send at most 5,000 per batch",
            req.events.len()
        )));
    }
    blocking(&st, move |s| {
        Ok(PushResponse {
            acks: s.store.push(&d.id, &req.events, s.clock.now())?,
        })
    })
    .await
    .map(Json)
}

/// Query of a pull.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PullQuery {
    /// The cursor of the last pull (0 the first time: the answer is then a snapshot of every
    /// offer's availability and every revocation).
    #[serde(default)]
    pub cursor: i64,
    /// The device pulling; another device's id is refused with 403.
    pub device_id: Option<String>,
}

/// What changed since a cursor (from cursor 0: every offer and every revocation).
#[utoipa::path(get, path = "/v1/sync/pull", params(PullQuery), responses((status = 200, body = PullResponse),
    (status = 403, description = "device_id names another device", body = ApiError)))]
pub async fn pull(
    State(st): S,
    AuthDevice(d): AuthDevice,
    Query(q): Query<PullQuery>,
) -> Result<Json<PullResponse>, Error> {
    own_device(&d, q.device_id.as_deref(), "changes")?;
    blocking(&st, move |s| Ok(s.store.pull(&d.id, q.cursor)?))
        .await
        .map(Json)
}

/// Offline sales the server found over a limit: kept, for a supervisor to settle. All of
/// them by default (the supervisors' list); `device_id` scopes the list to the token's own
/// device, and another device's id is refused.
#[utoipa::path(get, path = "/v1/conflicts", params(DeviceQuery), responses((status = 200, description = "conflicts, newest first"),
    (status = 403, description = "device_id names another device", body = ApiError)))]
pub async fn conflicts(
    State(st): S,
    AuthDevice(d): AuthDevice,
    Query(q): Query<DeviceQuery>,
) -> Result<Json<Vec<serde_json::Value>>, Error> {
    own_device(&d, q.device_id.as_deref(), "conflicts")?;
    let only = q.device_id.map(|_| d.id);
    blocking(&st, move |s| Ok(s.store.conflicts(only.as_deref())?))
        .await
        .map(Json)
}

/// The key list and revocation list a gate carries.
#[utoipa::path(get, path = "/v1/gate/lists", responses((status = 200, description = "{ keys: [{key_id, public_key_hex, kind}], revoked: [ticket ids] }")))]
pub async fn gate_lists(State(st): S, _d: AuthDevice) -> Result<Json<serde_json::Value>, Error> {
    blocking(&st, |s| {
        let keys: Vec<_> = s
            .store
            .key_list()?
            .into_iter()
            .map(|(k, p, kind)| serde_json::json!({"key_id": k, "public_key_hex": p, "kind": kind}))
            .collect();
        Ok(serde_json::json!({ "keys": keys, "revoked": s.store.revocation_list()? }))
    })
    .await
    .map(Json)
}
