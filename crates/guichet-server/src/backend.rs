//! The store behind the API, chosen by the database setting: [`Backend`] is the server's
//! use cases (sell a batch of online orders, push, pull, allotments, accounts, devices,
//! availability, conflicts) as async methods, so handlers await them the same way on either
//! store. SQLite runs today's synchronous code on a blocking thread; PostgreSQL is async
//! already. An async trait object (`async-trait`) rather than an enum: the API holds one
//! `Arc<dyn Backend>` and a third store would not touch the handlers.

use std::sync::Arc;

use async_trait::async_trait;
use guichet_domain::{AccountId, Catalogue, PriceCategory, SessionCode};
use guichet_wire::accounts::{AccountDto, NewAccount};
use guichet_wire::checks::FeedCursor;
use guichet_wire::catalogue::AvailabilityDto;
use guichet_wire::device_state::{DeviceDto, DeviceStateDto, DeviceStateReport};
use guichet_wire::devices::{EnrolRequest, EnrolResponse};
use guichet_wire::holds::{HoldRequest, HoldResponse};
use guichet_wire::orders::OrderRequest;
use guichet_wire::sync::{AllotmentDto, AllotmentRequest, PullResponse, PushAck, SyncEvent};
use jiff::Timestamp;

use crate::store::{
    lost_sale, Device, DeviceRevocation, GateKey, HoldError, ReportTimes, Result, SaleError,
    SaleOutcome, Store, StoreError,
};
use crate::store_pg::PgStore;

/// Who a bearer token is: the device, or the revocation that refuses it (`Err(None)`: no
/// device has this token).
pub type Authenticated = std::result::Result<Device, Option<DeviceRevocation>>;

/// The server's use cases over one store.
#[async_trait]
pub trait Backend: Send + Sync {
    /// `sqlite` or `postgres`.
    fn name(&self) -> &'static str;
    /// The catalogue as stored.
    fn catalogue(&self) -> &Catalogue;
    /// A token's device if this process has seen it (no database read).
    fn cached_device(&self, token: &str) -> Option<Device>;
    /// A token's device, or why it is refused; `request` (`METHOD /path`) is counted when a
    /// revoked device's token is refused.
    async fn authenticate(
        &self,
        token: String,
        request: String,
        now: Timestamp,
    ) -> Result<Authenticated>;
    /// Gives past holds' seats back; the number of holds ended.
    async fn expire_holds(&self, now: Timestamp) -> Result<u32>;
    /// Availability of every offer, or of one session.
    async fn availability(&self, session: Option<SessionCode>) -> Result<Vec<AvailabilityDto>>;
    /// A one-time enrolment code.
    async fn new_enrolment_code(&self, kind: String, now: Timestamp) -> Result<String>;
    /// Trades a code for a device id and token.
    async fn enrol(&self, req: EnrolRequest, now: Timestamp) -> Result<EnrolResponse>;
    /// Creates an account (idempotent by id and email).
    async fn create_account(
        &self,
        new: NewAccount,
        device: Option<String>,
        now: Timestamp,
    ) -> Result<AccountDto>;
    /// One account.
    async fn account(&self, id: AccountId) -> Result<AccountDto>;
    /// Account search.
    async fn search_accounts(&self, q: String) -> Result<Vec<AccountDto>>;
    /// Sells an online order (through the store's group commit).
    async fn sell(
        &self,
        req: OrderRequest,
        device: String,
        now: Timestamp,
    ) -> std::result::Result<SaleOutcome, SaleError>;
    /// Lends seats to a device.
    async fn allot(&self, device: String, req: AllotmentRequest) -> Result<AllotmentDto>;
    /// Takes seats back from a device.
    async fn return_allotment(&self, device: String, req: AllotmentRequest)
        -> Result<AllotmentDto>;
    /// A device's allotments.
    async fn allotments(&self, device: String) -> Result<Vec<AllotmentDto>>;
    /// The device that made an order.
    async fn order_device(&self, order: String) -> Result<Option<String>>;
    /// Applies pushed events, each key once.
    async fn push(
        &self,
        device: String,
        events: Vec<SyncEvent>,
        now: Timestamp,
    ) -> Result<Vec<PushAck>>;
    /// Changes after a cursor.
    async fn pull(&self, device: String, cursor: FeedCursor) -> Result<PullResponse>;
    /// Unresolved conflicts (all, or one device's).
    async fn conflicts(&self, device: Option<String>) -> Result<Vec<serde_json::Value>>;
    /// Valid tickets in all.
    async fn tickets_sold(&self) -> Result<i64>;
    /// The change feed's lag in seconds, where the store has one (PostgreSQL).
    async fn feed_lag_seconds(&self) -> Result<Option<f64>>;
    /// Holds seats for a kiosk's draft order.
    async fn hold(
        &self,
        device: String,
        req: HoldRequest,
        now: Timestamp,
    ) -> std::result::Result<HoldResponse, HoldError>;
    /// Releases a device's hold.
    async fn release_hold(
        &self,
        device: String,
        hold: String,
        now: Timestamp,
    ) -> std::result::Result<HoldResponse, HoldError>;
    /// Keeps a device's report of its own state; answers the state kept.
    async fn report_state(
        &self,
        device: String,
        report: DeviceStateReport,
        times: ReportTimes,
        now: Timestamp,
    ) -> Result<DeviceStateDto>;
    /// Every enrolled device with its last reported state.
    async fn devices(&self) -> Result<Vec<DeviceDto>>;
    /// What a gate carries: every device's key, every revoked ticket id.
    async fn gate_lists(&self) -> Result<(Vec<GateKey>, Vec<String>)>;
    /// Sets what is left of one offer (demos and tests: "the last 100 tickets").
    async fn set_available(
        &self,
        session: SessionCode,
        category: PriceCategory,
        left: u32,
    ) -> Result<()>;
    /// Ticket ids of an order, in sale order (tests).
    #[doc(hidden)]
    async fn tickets_of_order_for_tests(&self, order: String) -> Vec<String>;
    /// A clean stop: a replica gives its buckets back (`None` where there are none).
    async fn retire(&self) -> Option<Result<()>> {
        None
    }
}

/// The SQLite store as a [`Backend`]: each call on a blocking thread.
pub struct Sqlite(pub Arc<Store>);

async fn run<T: Send + 'static, E: From<StoreError> + Send + 'static>(
    store: &Arc<Store>,
    f: impl FnOnce(&Store) -> std::result::Result<T, E> + Send + 'static,
) -> std::result::Result<T, E> {
    let s = Arc::clone(store);
    tokio::task::spawn_blocking(move || f(&s))
        .await
        .unwrap_or_else(|e| {
            Err(StoreError::Invalid(format!("the store's thread failed: {e}")).into())
        })
}

#[async_trait]
impl Backend for Sqlite {
    fn name(&self) -> &'static str {
        "sqlite"
    }
    fn catalogue(&self) -> &Catalogue {
        self.0.catalogue()
    }
    fn cached_device(&self, token: &str) -> Option<Device> {
        self.0.cached_device(token)
    }
    async fn authenticate(
        &self,
        token: String,
        request: String,
        now: Timestamp,
    ) -> Result<Authenticated> {
        run(&self.0, move |s| match s.device_by_token(&token)? {
            Some(d) => Ok(Ok(d)),
            None => s.refuse_revoked_token(&token, &request, now).map(Err),
        })
        .await
    }
    async fn expire_holds(&self, now: Timestamp) -> Result<u32> {
        run(&self.0, move |s| s.expire_holds(now)).await
    }
    async fn availability(&self, session: Option<SessionCode>) -> Result<Vec<AvailabilityDto>> {
        run(&self.0, move |s| s.availability(session.as_ref())).await
    }
    async fn new_enrolment_code(&self, kind: String, now: Timestamp) -> Result<String> {
        run(&self.0, move |s| s.new_enrolment_code(&kind, now)).await
    }
    async fn enrol(&self, req: EnrolRequest, now: Timestamp) -> Result<EnrolResponse> {
        run(&self.0, move |s| s.enrol(&req, now)).await
    }
    async fn create_account(
        &self,
        new: NewAccount,
        device: Option<String>,
        now: Timestamp,
    ) -> Result<AccountDto> {
        run(&self.0, move |s| {
            s.create_account(&new, device.as_deref(), now)
        })
        .await
    }
    async fn account(&self, id: AccountId) -> Result<AccountDto> {
        run(&self.0, move |s| s.account(&id)).await
    }
    async fn search_accounts(&self, q: String) -> Result<Vec<AccountDto>> {
        run(&self.0, move |s| s.search_accounts(&q)).await
    }
    async fn sell(
        &self,
        req: OrderRequest,
        device: String,
        now: Timestamp,
    ) -> std::result::Result<SaleOutcome, SaleError> {
        if !self.0.guarded() {
            return run(&self.0, move |s| s.sell_online(&req, &device, now)).await;
        }
        // Queued for the group commit: no thread waits per order, only this task.
        let q = self.0.queue_sale(&req, &device, now)?;
        if q.lead {
            let leader = Arc::clone(&self.0);
            tokio::task::spawn_blocking(move || leader.lead_sales());
        }
        q.answer.await.unwrap_or_else(|_| Err(lost_sale()))
    }
    async fn allot(&self, device: String, req: AllotmentRequest) -> Result<AllotmentDto> {
        run(&self.0, move |s| s.allot(&device, &req)).await
    }
    async fn return_allotment(
        &self,
        device: String,
        req: AllotmentRequest,
    ) -> Result<AllotmentDto> {
        run(&self.0, move |s| s.return_allotment(&device, &req)).await
    }
    async fn allotments(&self, device: String) -> Result<Vec<AllotmentDto>> {
        run(&self.0, move |s| s.allotments(&device)).await
    }
    async fn order_device(&self, order: String) -> Result<Option<String>> {
        run(&self.0, move |s| s.order_device(&order)).await
    }
    async fn push(
        &self,
        device: String,
        events: Vec<SyncEvent>,
        now: Timestamp,
    ) -> Result<Vec<PushAck>> {
        run(&self.0, move |s| s.push(&device, &events, now)).await
    }
    async fn pull(&self, device: String, cursor: FeedCursor) -> Result<PullResponse> {
        run(&self.0, move |s| s.pull(&device, cursor)).await
    }
    async fn conflicts(&self, device: Option<String>) -> Result<Vec<serde_json::Value>> {
        run(&self.0, move |s| s.conflicts(device.as_deref())).await
    }
    async fn tickets_sold(&self) -> Result<i64> {
        run(&self.0, |s| s.tickets_sold()).await
    }
    async fn feed_lag_seconds(&self) -> Result<Option<f64>> {
        Ok(None)
    }
    async fn hold(
        &self,
        device: String,
        req: HoldRequest,
        now: Timestamp,
    ) -> std::result::Result<HoldResponse, HoldError> {
        run(&self.0, move |s| s.hold(&device, &req, now)).await
    }
    async fn release_hold(
        &self,
        device: String,
        hold: String,
        now: Timestamp,
    ) -> std::result::Result<HoldResponse, HoldError> {
        run(&self.0, move |s| s.release_hold(&device, &hold, now)).await
    }
    async fn report_state(
        &self,
        device: String,
        report: DeviceStateReport,
        times: ReportTimes,
        now: Timestamp,
    ) -> Result<DeviceStateDto> {
        run(&self.0, move |s| {
            s.report_state(&device, &report, &times, now)
        })
        .await
    }
    async fn devices(&self) -> Result<Vec<DeviceDto>> {
        run(&self.0, |s| s.devices()).await
    }
    async fn gate_lists(&self) -> Result<(Vec<GateKey>, Vec<String>)> {
        run(&self.0, |s| {
            Ok::<_, StoreError>((s.gate_keys()?, s.revocation_list()?))
        })
        .await
    }
    async fn set_available(
        &self,
        session: SessionCode,
        category: PriceCategory,
        left: u32,
    ) -> Result<()> {
        run(&self.0, move |s| s.set_available(&session, category, left)).await
    }
    async fn tickets_of_order_for_tests(&self, order: String) -> Vec<String> {
        run(&self.0, move |s| {
            Ok::<_, StoreError>(s.tickets_of_order_for_tests(&order))
        })
        .await
        .unwrap_or_default()
    }
}

#[async_trait]
impl Backend for Arc<PgStore> {
    fn name(&self) -> &'static str {
        "postgres"
    }
    fn catalogue(&self) -> &Catalogue {
        PgStore::catalogue(self)
    }
    fn cached_device(&self, token: &str) -> Option<Device> {
        PgStore::cached_device(self, token)
    }
    async fn authenticate(
        &self,
        token: String,
        _request: String,
        _now: Timestamp,
    ) -> Result<Authenticated> {
        Ok(self.device_by_token(&token).await?.ok_or(None))
    }
    async fn expire_holds(&self, now: Timestamp) -> Result<u32> {
        PgStore::expire_holds(self, now).await.map_err(|e| match e {
            HoldError::Store(e) => e,
            other => StoreError::Invalid(other.to_string()),
        })
    }
    async fn availability(&self, session: Option<SessionCode>) -> Result<Vec<AvailabilityDto>> {
        PgStore::availability(self, session.as_ref()).await
    }
    async fn new_enrolment_code(&self, kind: String, now: Timestamp) -> Result<String> {
        PgStore::new_enrolment_code(self, &kind, now).await
    }
    async fn enrol(&self, req: EnrolRequest, now: Timestamp) -> Result<EnrolResponse> {
        PgStore::enrol(self, &req, now).await
    }
    async fn create_account(
        &self,
        new: NewAccount,
        device: Option<String>,
        now: Timestamp,
    ) -> Result<AccountDto> {
        PgStore::create_account(self, &new, device.as_deref(), now).await
    }
    async fn account(&self, id: AccountId) -> Result<AccountDto> {
        PgStore::account(self, &id).await
    }
    async fn search_accounts(&self, q: String) -> Result<Vec<AccountDto>> {
        PgStore::search_accounts(self, &q).await
    }
    async fn sell(
        &self,
        req: OrderRequest,
        device: String,
        now: Timestamp,
    ) -> std::result::Result<SaleOutcome, SaleError> {
        PgStore::sell(self, &req, &device, now).await
    }
    async fn allot(&self, device: String, req: AllotmentRequest) -> Result<AllotmentDto> {
        PgStore::allot(self, &device, &req).await
    }
    async fn return_allotment(
        &self,
        device: String,
        req: AllotmentRequest,
    ) -> Result<AllotmentDto> {
        PgStore::return_allotment(self, &device, &req).await
    }
    async fn allotments(&self, device: String) -> Result<Vec<AllotmentDto>> {
        PgStore::allotments(self, &device).await
    }
    async fn order_device(&self, order: String) -> Result<Option<String>> {
        PgStore::order_device(self, &order).await
    }
    async fn push(
        &self,
        device: String,
        events: Vec<SyncEvent>,
        now: Timestamp,
    ) -> Result<Vec<PushAck>> {
        PgStore::push(self, &device, &events, now).await
    }
    async fn pull(&self, device: String, cursor: FeedCursor) -> Result<PullResponse> {
        PgStore::pull(self, &device, cursor).await
    }
    async fn conflicts(&self, device: Option<String>) -> Result<Vec<serde_json::Value>> {
        PgStore::conflicts(self, device.as_deref()).await
    }
    async fn tickets_sold(&self) -> Result<i64> {
        PgStore::tickets_sold(self).await
    }
    async fn feed_lag_seconds(&self) -> Result<Option<f64>> {
        Ok(Some(PgStore::feed_lag_seconds(self).await?))
    }
    async fn retire(&self) -> Option<Result<()>> {
        Some(PgStore::retire(self).await)
    }
    async fn hold(
        &self,
        device: String,
        req: HoldRequest,
        now: Timestamp,
    ) -> std::result::Result<HoldResponse, HoldError> {
        PgStore::hold(self, &device, &req, now).await
    }
    async fn release_hold(
        &self,
        device: String,
        hold: String,
        now: Timestamp,
    ) -> std::result::Result<HoldResponse, HoldError> {
        PgStore::release_hold(self, &device, &hold, now).await
    }
    async fn report_state(
        &self,
        device: String,
        report: DeviceStateReport,
        times: ReportTimes,
        now: Timestamp,
    ) -> Result<DeviceStateDto> {
        PgStore::report_state(self, &device, &report, &times, now).await
    }
    async fn devices(&self) -> Result<Vec<DeviceDto>> {
        PgStore::devices(self).await
    }
    async fn gate_lists(&self) -> Result<(Vec<GateKey>, Vec<String>)> {
        PgStore::gate_lists(self).await
    }
    async fn set_available(
        &self,
        session: SessionCode,
        category: PriceCategory,
        left: u32,
    ) -> Result<()> {
        PgStore::set_available(self, &session, category, left).await
    }
    async fn tickets_of_order_for_tests(&self, order: String) -> Vec<String> {
        PgStore::tickets_of_order_for_tests(self, &order).await
    }
}
