//! The desk's HTTP client of the central server (blocking reqwest): one method per endpoint,
//! and failures sorted into the two kinds the desk acts on differently — the network failed
//! (try again, or sell offline), or the server answered no (show it; never fall back).

use std::time::Duration;

use guichet_wire::accounts::AccountDto;
use guichet_wire::device_state::{DeviceDto, DeviceStateDto, DeviceStateReport};
use guichet_wire::devices::{EnrolRequest, EnrolResponse};
use guichet_wire::holds::{HoldRequest, HoldResponse};
use guichet_wire::orders::{OrderRequest, OrderResponse};
use guichet_wire::sync::{
    AllotmentDto, AllotmentRequest, PullResponse, PushAck, PushRequest, PushResponse, SyncEvent,
};
use guichet_wire::{ApiError, ErrorCode};
use serde::de::DeserializeOwned;

/// Time limits of the client.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// To open a TCP connection (2 s).
    pub connect: Duration,
    /// For a whole request and its answer (10 s; a push of 500 events fits easily).
    pub request: Duration,
}

impl Timeouts {
    /// For a sale at the counter, where a customer waits: connect 1 s, request 4 s. The sale
    /// tries twice, so a server that hangs costs at most about 8 s before the fallback; one
    /// that is down (connection refused) costs nothing.
    pub fn counter() -> Timeouts {
        Timeouts {
            connect: Duration::from_secs(1),
            request: Duration::from_secs(4),
        }
    }
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(2),
            request: Duration::from_secs(10),
        }
    }
}

/// Why a call to the server failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CallError {
    /// No answer: connection refused, time-out, connection cut, unreadable answer, or a 5xx
    /// (the server could not decide). Safe to retry with the same idempotency key.
    #[error("the server at {url} did not answer ({cause}); the desk keeps working offline and tries again")]
    Network {
        /// Where.
        url: String,
        /// What happened, as reqwest or the status says.
        cause: String,
    },
    /// The server answered with a refusal: retrying the same request will not help.
    #[error("the server refused {what} ({status}): {}", .body.message)]
    Refused {
        /// What was asked.
        what: &'static str,
        /// HTTP status.
        status: u16,
        /// The `{ code, message, details }` body.
        body: ApiError,
    },
}

impl CallError {
    /// Whether trying again (same key) may succeed.
    pub fn is_network(&self) -> bool {
        matches!(self, CallError::Network { .. })
    }
}

/// A client of one server, with or without this desk's bearer token.
pub struct ServerClient {
    http: reqwest::blocking::Client,
    base: String,
    token: Option<String>,
}

impl std::fmt::Debug for ServerClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The token is a secret: never printed.
        f.debug_struct("ServerClient")
            .field("base", &self.base)
            .field("token", &self.token.as_ref().map(|_| "<secret>"))
            .finish()
    }
}

impl ServerClient {
    /// A client of `base` (e.g. `http://127.0.0.1:8080`), authenticated by `token` if given.
    pub fn new(base: &str, token: Option<String>, t: Timeouts) -> Result<ServerClient, CallError> {
        let http = reqwest::blocking::Client::builder()
            .connect_timeout(t.connect)
            .timeout(t.request)
            .no_proxy()
            .build()
            .map_err(|e| CallError::Network {
                url: base.to_string(),
                cause: format!("cannot build the HTTP client: {e}"),
            })?;
        Ok(ServerClient {
            http,
            base: base.trim_end_matches('/').to_string(),
            token,
        })
    }

    /// The server's base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    fn send<T: DeserializeOwned>(
        &self,
        what: &'static str,
        rb: reqwest::blocking::RequestBuilder,
    ) -> Result<T, CallError> {
        let rb = match &self.token {
            Some(t) => rb.bearer_auth(t),
            None => rb,
        };
        let net = |cause: String| CallError::Network {
            url: self.base.clone(),
            cause,
        };
        let resp = rb.send().map_err(|e| net(describe(&e)))?;
        let status = resp.status();
        // Read the whole body first: a connection cut mid-answer is a network failure.
        let bytes = resp
            .bytes()
            .map_err(|e| net(format!("answer cut off: {}", describe(&e))))?;
        if status.is_server_error() {
            return Err(net(format!("HTTP {status}")));
        }
        if !status.is_success() {
            let body = serde_json::from_slice::<ApiError>(&bytes).unwrap_or_else(|_| {
                ApiError::new(
                    ErrorCode::Internal,
                    format!("HTTP {status} without an error body"),
                )
            });
            return Err(CallError::Refused {
                what,
                status: status.as_u16(),
                body,
            });
        }
        serde_json::from_slice(&bytes).map_err(|e| net(format!("unreadable answer to {what}: {e}")))
    }

    /// Trades a one-time code for a device id and token (no token needed).
    pub fn enrol(&self, req: &EnrolRequest) -> Result<EnrolResponse, CallError> {
        let url = format!("{}/v1/devices/enrol", self.base);
        self.send("the enrolment", self.http.post(url).json(req))
    }

    /// Pushes a batch of outbox events; one ack per event, in order.
    pub fn push(&self, events: &[SyncEvent]) -> Result<Vec<PushAck>, CallError> {
        self.push_counted(events, None)
    }

    /// [`ServerClient::push`], saying how many events the outbox holds, the batch included.
    pub fn push_counted(
        &self,
        events: &[SyncEvent],
        waiting: Option<u64>,
    ) -> Result<Vec<PushAck>, CallError> {
        let url = format!("{}/v1/sync/push", self.base);
        let body = PushRequest {
            events: events.to_vec(),
            waiting,
        };
        let r: PushResponse = self.send("the push", self.http.post(url).json(&body))?;
        Ok(r.acks)
    }

    /// What changed after `cursor`.
    pub fn pull(&self, cursor: &str) -> Result<PullResponse, CallError> {
        let url = format!("{}/v1/sync/pull?cursor={cursor}", self.base);
        self.send("the pull", self.http.get(url))
    }

    /// The server's account search (`GET /v1/accounts?q=`): an account id, an email, or the
    /// start of a name (accents and case ignored); at most 50 accounts.
    pub fn search_accounts(&self, query: &str) -> Result<Vec<AccountDto>, CallError> {
        let url = format!("{}/v1/accounts", self.base);
        self.send(
            "the account search",
            self.http.get(url).query(&[("q", query)]),
        )
    }

    /// One account by id (`GET /v1/accounts/{id}`): what a kiosk may ask, never a search.
    pub fn account(&self, id: &str) -> Result<AccountDto, CallError> {
        let url = format!("{}/v1/accounts/{id}", self.base);
        self.send("the account", self.http.get(url))
    }

    /// Registers an account for a draw (`POST /v1/draws/{draw}/registrations`).
    pub fn register_for_draw(
        &self,
        draw: &str,
        req: &guichet_wire::draws::RegistrationRequest,
    ) -> Result<guichet_wire::draws::RegistrationDto, CallError> {
        let url = format!("{}/v1/draws/{draw}/registrations", self.base);
        self.send("the draw registration", self.http.post(url).json(req))
    }

    /// Sells an order online.
    pub fn order(&self, req: &OrderRequest) -> Result<OrderResponse, CallError> {
        let url = format!("{}/v1/orders", self.base);
        self.send("the order", self.http.post(url).json(req))
    }

    /// Holds seats while a kiosk's fan pays (`POST /v1/holds`; the same request id twice is
    /// one hold).
    pub fn hold(&self, req: &HoldRequest) -> Result<HoldResponse, CallError> {
        let url = format!("{}/v1/holds", self.base);
        self.send("the hold", self.http.post(url).json(req))
    }

    /// Gives a hold's seats back (`DELETE /v1/holds/{id}`; releasing twice is harmless).
    pub fn release_hold(&self, hold_id: &str) -> Result<HoldResponse, CallError> {
        let url = format!("{}/v1/holds/{hold_id}", self.base);
        self.send("the hold release", self.http.delete(url))
    }

    /// Borrows seats to sell offline.
    pub fn allot(&self, req: &AllotmentRequest) -> Result<AllotmentDto, CallError> {
        let url = format!("{}/v1/allotments", self.base);
        self.send("the allotment", self.http.post(url).json(req))
    }

    /// Reports this device's own state (`PUT /v1/devices/self/state`); answers the state the
    /// server keeps.
    pub fn report_state(&self, report: &DeviceStateReport) -> Result<DeviceStateDto, CallError> {
        let url = format!("{}/v1/devices/self/state", self.base);
        self.send("the state report", self.http.put(url).json(report))
    }

    /// Every enrolled device with its last state (`GET /v1/devices`, staff only).
    pub fn devices(&self) -> Result<Vec<DeviceDto>, CallError> {
        let url = format!("{}/v1/devices", self.base);
        self.send("the device list", self.http.get(url))
    }

    /// Gives seats back.
    pub fn return_allotment(&self, req: &AllotmentRequest) -> Result<AllotmentDto, CallError> {
        let url = format!("{}/v1/allotments/return", self.base);
        self.send("the allotment return", self.http.post(url).json(req))
    }
}

/// reqwest's error with its causes, without the URL's query (no secrets travel there anyway).
fn describe(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_body() || e.is_decode() {
        "answer cut off"
    } else {
        "request failed"
    };
    let mut s = kind.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(c) = src {
        s.push_str(": ");
        s.push_str(&c.to_string());
        src = c.source();
    }
    s
}
