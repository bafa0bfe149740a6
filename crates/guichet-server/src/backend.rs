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
use guichet_wire::catalogue::AvailabilityDto;
use guichet_wire::checks::FeedCursor;
use guichet_wire::device_state::{DeviceDto, DeviceStateDto, DeviceStateReport};
use guichet_wire::devices::{EnrolRequest, EnrolResponse};
use guichet_wire::holds::{HoldRequest, HoldResponse};
use guichet_wire::orders::OrderRequest;
use guichet_wire::sync::{AllotmentDto, AllotmentRequest, PullResponse, PushAck, SyncEvent};
use jiff::Timestamp;

use crate::store::staff::{AuditEntry, NewSession, Role, Staff, StaffError, StaffSession};
use crate::store::{
    lost_sale, AtRisk, ConflictRow, Decision, Device, DeviceRefusals, DeviceRevocation, DeviceRow,
    DeviceSync, GateKey, HoldError, LentByDevice, OrderRow, ReportTimes, Result, SaleError,
    SaleOutcome, SalesOverview, Settlement, Store, StoreError,
};
use crate::store_pg::PgStore;

/// Who a bearer token is: the device, or the revocation that refuses it (`Err(None)`: no
/// device has this token).
pub type Authenticated = std::result::Result<Device, Option<DeviceRevocation>>;

/// A staff operation's answer: its value, or the rule it broke.
pub type StaffResult<T> = std::result::Result<T, StaffError>;

/// What a gate carries: every device's key, and every revoked ticket id with its reason.
pub type GateFiles = (Vec<GateKey>, Vec<(String, String)>);

/// A supervisor's decision on a revoked device's seats at risk of one offer.
#[derive(Debug, Clone)]
pub struct SettleAtRisk {
    /// The revoked device.
    pub device: String,
    /// Session code.
    pub session: String,
    /// Price category.
    pub category: String,
    /// Write off, or return to the pool.
    pub action: Settlement,
    /// How many seats.
    pub seats: u32,
    /// Why (kept in the audit log).
    pub reason: String,
}

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

    // The operations console: staff, the audit log, device revocation and the pages' reads.

    /// Adds a staff member, audited as done `by` someone.
    async fn add_staff(
        &self,
        username: String,
        password: String,
        role: Role,
        by: String,
        now: Timestamp,
    ) -> StaffResult<Staff>;
    /// Checks a password and opens a session (throttled, with a lockout).
    async fn sign_in(
        &self,
        username: String,
        password: String,
        now: Timestamp,
    ) -> StaffResult<NewSession>;
    /// The live session of a cookie's token, if any.
    async fn staff_session(
        &self,
        token: String,
        now: Timestamp,
    ) -> StaffResult<Option<StaffSession>>;
    /// Ends a session.
    async fn sign_out(&self, token: String, actor: String, now: Timestamp) -> StaffResult<()>;
    /// Writes one audit line on its own.
    async fn record_audit(
        &self,
        actor: String,
        action: String,
        subject: String,
        details: serde_json::Value,
        now: Timestamp,
    ) -> Result<()>;
    /// The latest `limit` audit lines, newest first.
    async fn audit_log(&self, limit: u32) -> Result<Vec<AuditEntry>>;
    /// Revokes a device as of `revoked_after`; its token is refused from the commit on.
    async fn revoke_device(
        &self,
        device: String,
        reason: String,
        revoked_after: Timestamp,
        by: String,
        now: Timestamp,
    ) -> Result<DeviceRevocation>;
    /// Every revoked device, latest first.
    async fn device_revocations(&self) -> Result<Vec<DeviceRevocation>>;
    /// What revoked devices' tokens asked and were refused, per device.
    async fn device_refusals(&self) -> Result<Vec<DeviceRefusals>>;
    /// Revoked devices' seats not yet sold, returned or written off.
    async fn allotments_at_risk(&self) -> Result<Vec<AtRisk>>;
    /// Writes off or returns seats at risk; what is left at risk of that offer.
    async fn settle_at_risk(&self, s: SettleAtRisk, by: String, now: Timestamp) -> Result<u32>;
    /// Every enrolled device, newest first, as the console lists it.
    async fn console_devices(&self) -> Result<Vec<DeviceRow>>;
    /// Each device's last sync, by device id.
    async fn devices_sync(&self) -> Result<std::collections::BTreeMap<String, DeviceSync>>;
    /// Conflicts no supervisor has resolved yet.
    async fn open_conflicts(&self) -> Result<i64>;
    /// Keeps what a device said of its outbox at a push.
    async fn record_push_report(
        &self,
        device: String,
        waiting: u64,
        batch: usize,
        now: Timestamp,
    ) -> Result<()>;
    /// Forgets in this process's token cache every revoked device's token (revoked through
    /// another process too); how many were newly forgotten.
    async fn forget_revoked_tokens(&self) -> Result<usize>;
    /// The gate's files' contents: keys (with `revoked_after`) and revoked tickets' reasons.
    async fn gate_files(&self) -> Result<GateFiles>;
    /// Sales by hour and by sport.
    async fn sales_overview(&self) -> Result<SalesOverview>;
    /// Seats lent and outstanding, per offer, by device.
    async fn lent_by_device(&self) -> Result<LentByDevice>;
    /// An account's orders, newest first.
    async fn account_orders(&self, account: String) -> Result<Vec<OrderRow>>;
    /// Conflicts as the console shows them; resolved ones too when `all`.
    async fn console_conflicts(&self, all: bool) -> Result<Vec<ConflictRow>>;
    /// Keeps a conflict's sale, or voids and refunds it; the tickets voided.
    async fn resolve_conflict(
        &self,
        id: i64,
        decision: Decision,
        reason: String,
        by: String,
        now: Timestamp,
    ) -> Result<Vec<String>>;
}

/// The SQLite store as a [`Backend`]: each call on a blocking thread.
pub struct Sqlite(pub Arc<Store>);

/// Runs a SQLite store call on a blocking thread (both backends' SQLite impls use it).
pub(crate) async fn run<T: Send + 'static, E: From<StoreError> + Send + 'static>(
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
    async fn add_staff(
        &self,
        username: String,
        password: String,
        role: Role,
        by: String,
        now: Timestamp,
    ) -> StaffResult<Staff> {
        run(&self.0, move |s| {
            s.add_staff(&username, &password, role, &by, now)
        })
        .await
    }
    async fn sign_in(
        &self,
        username: String,
        password: String,
        now: Timestamp,
    ) -> StaffResult<NewSession> {
        run(&self.0, move |s| s.sign_in(&username, &password, now)).await
    }
    async fn staff_session(
        &self,
        token: String,
        now: Timestamp,
    ) -> StaffResult<Option<StaffSession>> {
        run(&self.0, move |s| s.staff_session(&token, now)).await
    }
    async fn sign_out(&self, token: String, actor: String, now: Timestamp) -> StaffResult<()> {
        run(&self.0, move |s| s.sign_out(&token, &actor, now)).await
    }
    async fn record_audit(
        &self,
        actor: String,
        action: String,
        subject: String,
        details: serde_json::Value,
        now: Timestamp,
    ) -> Result<()> {
        run(&self.0, move |s| {
            s.record_audit(&actor, &action, &subject, details, now)
        })
        .await
    }
    async fn audit_log(&self, limit: u32) -> Result<Vec<AuditEntry>> {
        run(&self.0, move |s| s.audit_log(limit)).await
    }
    async fn revoke_device(
        &self,
        device: String,
        reason: String,
        revoked_after: Timestamp,
        by: String,
        now: Timestamp,
    ) -> Result<DeviceRevocation> {
        run(&self.0, move |s| {
            s.revoke_device(&device, &reason, revoked_after, &by, now)
        })
        .await
    }
    async fn device_revocations(&self) -> Result<Vec<DeviceRevocation>> {
        run(&self.0, |s| s.device_revocations()).await
    }
    async fn device_refusals(&self) -> Result<Vec<DeviceRefusals>> {
        run(&self.0, |s| s.device_refusals()).await
    }
    async fn allotments_at_risk(&self) -> Result<Vec<AtRisk>> {
        run(&self.0, |s| s.allotments_at_risk()).await
    }
    async fn settle_at_risk(&self, d: SettleAtRisk, by: String, now: Timestamp) -> Result<u32> {
        run(&self.0, move |s| {
            s.settle_at_risk(
                &d.device,
                &d.session,
                &d.category,
                d.action,
                d.seats,
                &d.reason,
                &by,
                now,
            )
        })
        .await
    }
    async fn console_devices(&self) -> Result<Vec<DeviceRow>> {
        run(&self.0, |s| s.console_devices()).await
    }
    async fn devices_sync(&self) -> Result<std::collections::BTreeMap<String, DeviceSync>> {
        run(&self.0, |s| s.devices_sync()).await
    }
    async fn open_conflicts(&self) -> Result<i64> {
        run(&self.0, |s| s.open_conflicts()).await
    }
    async fn record_push_report(
        &self,
        device: String,
        waiting: u64,
        batch: usize,
        now: Timestamp,
    ) -> Result<()> {
        run(&self.0, move |s| {
            s.record_push_report(&device, waiting, batch, now)
        })
        .await
    }
    async fn forget_revoked_tokens(&self) -> Result<usize> {
        run(&self.0, |s| s.forget_revoked_tokens()).await
    }
    async fn gate_files(&self) -> Result<GateFiles> {
        run(&self.0, |s| {
            Ok::<_, StoreError>((s.gate_keys()?, s.revocations_with_reasons()?))
        })
        .await
    }
    async fn sales_overview(&self) -> Result<SalesOverview> {
        run(&self.0, |s| s.sales_overview()).await
    }
    async fn lent_by_device(&self) -> Result<LentByDevice> {
        run(&self.0, |s| s.lent_by_device()).await
    }
    async fn account_orders(&self, account: String) -> Result<Vec<OrderRow>> {
        run(&self.0, move |s| s.account_orders(&account)).await
    }
    async fn console_conflicts(&self, all: bool) -> Result<Vec<ConflictRow>> {
        run(&self.0, move |s| s.console_conflicts(all)).await
    }
    async fn resolve_conflict(
        &self,
        id: i64,
        decision: Decision,
        reason: String,
        by: String,
        now: Timestamp,
    ) -> Result<Vec<String>> {
        run(&self.0, move |s| {
            s.resolve_conflict(id, decision, &reason, &by, now)
        })
        .await
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
        request: String,
        now: Timestamp,
    ) -> Result<Authenticated> {
        match self.device_by_token(&token).await? {
            Some(d) => Ok(Ok(d)),
            None => Ok(Err(self
                .refuse_revoked_token(&token, &request, now)
                .await?)),
        }
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
    async fn add_staff(
        &self,
        username: String,
        password: String,
        role: Role,
        by: String,
        now: Timestamp,
    ) -> StaffResult<Staff> {
        PgStore::add_staff(self, &username, &password, role, &by, now).await
    }
    async fn sign_in(
        &self,
        username: String,
        password: String,
        now: Timestamp,
    ) -> StaffResult<NewSession> {
        PgStore::sign_in(self, &username, &password, now).await
    }
    async fn staff_session(
        &self,
        token: String,
        now: Timestamp,
    ) -> StaffResult<Option<StaffSession>> {
        PgStore::staff_session(self, &token, now).await
    }
    async fn sign_out(&self, token: String, actor: String, now: Timestamp) -> StaffResult<()> {
        PgStore::sign_out(self, &token, &actor, now).await
    }
    async fn record_audit(
        &self,
        actor: String,
        action: String,
        subject: String,
        details: serde_json::Value,
        now: Timestamp,
    ) -> Result<()> {
        PgStore::record_audit(self, &actor, &action, &subject, details, now).await
    }
    async fn audit_log(&self, limit: u32) -> Result<Vec<AuditEntry>> {
        PgStore::audit_log(self, limit).await
    }
    async fn revoke_device(
        &self,
        device: String,
        reason: String,
        revoked_after: Timestamp,
        by: String,
        now: Timestamp,
    ) -> Result<DeviceRevocation> {
        PgStore::revoke_device(self, &device, &reason, revoked_after, &by, now).await
    }
    async fn device_revocations(&self) -> Result<Vec<DeviceRevocation>> {
        PgStore::device_revocations(self).await
    }
    async fn device_refusals(&self) -> Result<Vec<DeviceRefusals>> {
        PgStore::device_refusals(self).await
    }
    async fn allotments_at_risk(&self) -> Result<Vec<AtRisk>> {
        PgStore::allotments_at_risk(self).await
    }
    async fn settle_at_risk(&self, d: SettleAtRisk, by: String, now: Timestamp) -> Result<u32> {
        PgStore::settle_at_risk(
            self,
            &d.device,
            &d.session,
            &d.category,
            d.action,
            d.seats,
            &d.reason,
            &by,
            now,
        )
        .await
    }
    async fn console_devices(&self) -> Result<Vec<DeviceRow>> {
        PgStore::console_devices(self).await
    }
    async fn devices_sync(&self) -> Result<std::collections::BTreeMap<String, DeviceSync>> {
        PgStore::devices_sync(self).await
    }
    async fn open_conflicts(&self) -> Result<i64> {
        PgStore::open_conflicts(self).await
    }
    async fn record_push_report(
        &self,
        device: String,
        waiting: u64,
        batch: usize,
        now: Timestamp,
    ) -> Result<()> {
        PgStore::record_push_report(self, &device, waiting, batch, now).await
    }
    async fn forget_revoked_tokens(&self) -> Result<usize> {
        PgStore::forget_revoked_tokens(self).await
    }
    async fn gate_files(&self) -> Result<GateFiles> {
        Ok((
            PgStore::gate_keys(self).await?,
            PgStore::revocations_with_reasons(self).await?,
        ))
    }
    async fn sales_overview(&self) -> Result<SalesOverview> {
        PgStore::sales_overview(self).await
    }
    async fn lent_by_device(&self) -> Result<LentByDevice> {
        PgStore::lent_by_device(self).await
    }
    async fn account_orders(&self, account: String) -> Result<Vec<OrderRow>> {
        PgStore::account_orders(self, &account).await
    }
    async fn console_conflicts(&self, all: bool) -> Result<Vec<ConflictRow>> {
        PgStore::console_conflicts(self, all).await
    }
    async fn resolve_conflict(
        &self,
        id: i64,
        decision: Decision,
        reason: String,
        by: String,
        now: Timestamp,
    ) -> Result<Vec<String>> {
        PgStore::resolve_conflict(self, id, decision, &reason, &by, now).await
    }
}
