//! Draws and the winners' notices over either store: [`DrawsBackend`], an async trait as
//! [`crate::backend::Backend`] is, held by the API as `AppState.draws` and used by the CLI's
//! `draw …` and `notices …` in a runtime made for the command. A trait of its own rather than
//! more methods on `Backend`: the draw's error type is not the sale's, and the CLI needs these
//! without the rest of the server.
//!
//! The deciding is shared: both stores call `store::draw_rules` and `guichet-draw`; each only
//! reads and writes its tables.

use std::sync::Arc;

use async_trait::async_trait;
use guichet_domain::{AccountId, SaleConfig};
use guichet_draw::{Registration, Transcript};
use guichet_notices::Next;
use guichet_wire::draws::RegistrationDto;
use jiff::{SignedDuration, Timestamp};

use crate::backend::{run, Sqlite};
use crate::store::{Closed, DrawStoreError, DrawSummary, EnqueueReport, NoticeRow, Result};
use crate::store_pg::PgStore;

type R<T> = std::result::Result<T, DrawStoreError>;

/// A draw's steps and the notices' outbox over one store.
#[async_trait]
pub trait DrawsBackend: Send + Sync {
    /// The sale configuration (draws, phases).
    fn config(&self) -> &SaleConfig;
    /// Registers an account for a draw inside its window, once.
    async fn register_for_draw(
        &self,
        draw: String,
        account: AccountId,
        device: Option<String>,
        now: Timestamp,
    ) -> R<RegistrationDto>;
    /// Records the commitment and beacon round before registration closes.
    async fn commit_draw(
        &self,
        draw: String,
        commitment: [u8; 32],
        round: u64,
        now: Timestamp,
    ) -> R<()>;
    /// Closes the list (carrying registrants over where the draw says so).
    async fn close_draw(&self, draw: String, now: Timestamp) -> R<Closed>;
    /// The registration list.
    async fn draw_registrations(&self, draw: String) -> R<Vec<Registration>>;
    /// Runs the next wave and writes its results.
    #[allow(clippy::too_many_arguments)]
    async fn run_draw(
        &self,
        draw: String,
        secret: [u8; 32],
        signature: Vec<u8>,
        slots_from: Option<Timestamp>,
        inventory: Option<u64>,
        now: Timestamp,
    ) -> R<Transcript>;
    /// Queues the winners' notices of a draw.
    async fn enqueue_notices(
        &self,
        draw: String,
        domain: String,
        now: Timestamp,
    ) -> Result<EnqueueReport>;
    /// Puts rows a stopped sender left in `sending` back to `pending`.
    async fn release_interrupted_notices(
        &self,
        now: Timestamp,
        lease: SignedDuration,
    ) -> Result<Vec<String>>;
    /// The pending notice due first.
    async fn next_due_notice(&self, now: Timestamp) -> Result<Option<NoticeRow>>;
    /// Takes a row for one try; false when another sender took it.
    async fn claim_notice(&self, n: NoticeRow, now: Timestamp) -> Result<bool>;
    /// Records the end of a try.
    async fn finish_notice(&self, n: NoticeRow, next: Next, now: Timestamp) -> Result<()>;
    /// Every notice (of one draw, or all).
    async fn notices(&self, draw: Option<String>) -> Result<Vec<NoticeRow>>;
    /// What the console shows of a draw (commitment, registrations, close, waves, notices).
    async fn draw_summary(&self, draw: String) -> Result<DrawSummary>;
    /// The stored transcript (JSON) of a wave, if it was run.
    async fn draw_transcript(&self, draw: String, wave: u32) -> R<Option<String>>;
    /// Ends a CLI command's connection cleanly (a PostgreSQL replica's lease).
    async fn retire(&self) {}
}

#[async_trait]
impl DrawsBackend for Sqlite {
    fn config(&self) -> &SaleConfig {
        self.0.config()
    }
    async fn register_for_draw(
        &self,
        draw: String,
        account: AccountId,
        device: Option<String>,
        now: Timestamp,
    ) -> R<RegistrationDto> {
        run(&self.0, move |s| {
            s.register_for_draw(&draw, &account, device.as_deref(), now)
        })
        .await
    }
    async fn commit_draw(
        &self,
        draw: String,
        commitment: [u8; 32],
        round: u64,
        now: Timestamp,
    ) -> R<()> {
        run(&self.0, move |s| {
            s.commit_draw(&draw, &commitment, round, now)
        })
        .await
    }
    async fn close_draw(&self, draw: String, now: Timestamp) -> R<Closed> {
        run(&self.0, move |s| s.close_draw(&draw, now)).await
    }
    async fn draw_registrations(&self, draw: String) -> R<Vec<Registration>> {
        run(&self.0, move |s| s.draw_registrations(&draw)).await
    }
    async fn run_draw(
        &self,
        draw: String,
        secret: [u8; 32],
        signature: Vec<u8>,
        slots_from: Option<Timestamp>,
        inventory: Option<u64>,
        now: Timestamp,
    ) -> R<Transcript> {
        run(&self.0, move |s| {
            s.run_draw(&draw, &secret, &signature, slots_from, inventory, now)
        })
        .await
    }
    async fn enqueue_notices(
        &self,
        draw: String,
        domain: String,
        now: Timestamp,
    ) -> Result<EnqueueReport> {
        run(&self.0, move |s| s.enqueue_notices(&draw, &domain, now)).await
    }
    async fn release_interrupted_notices(
        &self,
        now: Timestamp,
        lease: SignedDuration,
    ) -> Result<Vec<String>> {
        run(&self.0, move |s| s.release_interrupted_notices(now, lease)).await
    }
    async fn next_due_notice(&self, now: Timestamp) -> Result<Option<NoticeRow>> {
        run(&self.0, move |s| s.next_due_notice(now)).await
    }
    async fn claim_notice(&self, n: NoticeRow, now: Timestamp) -> Result<bool> {
        run(&self.0, move |s| s.claim_notice(&n, now)).await
    }
    async fn finish_notice(&self, n: NoticeRow, next: Next, now: Timestamp) -> Result<()> {
        run(&self.0, move |s| s.finish_notice(&n, &next, now)).await
    }
    async fn draw_summary(&self, draw: String) -> Result<DrawSummary> {
        run(&self.0, move |s| s.draw_summary(&draw)).await
    }
    async fn draw_transcript(&self, draw: String, wave: u32) -> R<Option<String>> {
        run(&self.0, move |s| s.draw_transcript(&draw, wave)).await
    }
    async fn notices(&self, draw: Option<String>) -> Result<Vec<NoticeRow>> {
        run(&self.0, move |s| s.notices(draw.as_deref())).await
    }
}

#[async_trait]
impl DrawsBackend for Arc<PgStore> {
    fn config(&self) -> &SaleConfig {
        PgStore::config(self)
    }
    async fn register_for_draw(
        &self,
        draw: String,
        account: AccountId,
        device: Option<String>,
        now: Timestamp,
    ) -> R<RegistrationDto> {
        PgStore::register_for_draw(self, &draw, &account, device.as_deref(), now).await
    }
    async fn commit_draw(
        &self,
        draw: String,
        commitment: [u8; 32],
        round: u64,
        now: Timestamp,
    ) -> R<()> {
        PgStore::commit_draw(self, &draw, &commitment, round, now).await
    }
    async fn close_draw(&self, draw: String, now: Timestamp) -> R<Closed> {
        PgStore::close_draw(self, &draw, now).await
    }
    async fn draw_registrations(&self, draw: String) -> R<Vec<Registration>> {
        PgStore::draw_registrations(self, &draw).await
    }
    async fn run_draw(
        &self,
        draw: String,
        secret: [u8; 32],
        signature: Vec<u8>,
        slots_from: Option<Timestamp>,
        inventory: Option<u64>,
        now: Timestamp,
    ) -> R<Transcript> {
        PgStore::run_draw(self, &draw, &secret, &signature, slots_from, inventory, now).await
    }
    async fn enqueue_notices(
        &self,
        draw: String,
        domain: String,
        now: Timestamp,
    ) -> Result<EnqueueReport> {
        PgStore::enqueue_notices(self, &draw, &domain, now).await
    }
    async fn release_interrupted_notices(
        &self,
        now: Timestamp,
        lease: SignedDuration,
    ) -> Result<Vec<String>> {
        PgStore::release_interrupted_notices(self, now, lease).await
    }
    async fn next_due_notice(&self, now: Timestamp) -> Result<Option<NoticeRow>> {
        PgStore::next_due_notice(self, now).await
    }
    async fn claim_notice(&self, n: NoticeRow, now: Timestamp) -> Result<bool> {
        PgStore::claim_notice(self, &n, now).await
    }
    async fn finish_notice(&self, n: NoticeRow, next: Next, now: Timestamp) -> Result<()> {
        PgStore::finish_notice(self, &n, &next, now).await
    }
    async fn draw_summary(&self, draw: String) -> Result<DrawSummary> {
        PgStore::draw_summary(self, &draw).await
    }
    async fn draw_transcript(&self, draw: String, wave: u32) -> R<Option<String>> {
        Ok(PgStore::draw_transcript(self, &draw, wave).await?)
    }
    async fn notices(&self, draw: Option<String>) -> Result<Vec<NoticeRow>> {
        PgStore::notices(self, draw.as_deref()).await
    }
    async fn retire(&self) {
        let _ = PgStore::retire(self).await;
    }
}

/// A [`DrawsBackend`] for synchronous code (the CLI, the notices' sender): each call waits on
/// a runtime made for the command.
pub struct Blocking {
    rt: tokio::runtime::Runtime,
    backend: Arc<dyn DrawsBackend>,
}

impl Blocking {
    /// Over `backend`, with a runtime of its own.
    pub fn new(backend: Arc<dyn DrawsBackend>) -> std::result::Result<Blocking, String> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("runtime: {e}"))?;
        Ok(Blocking { rt, backend })
    }

    /// Over a PostgreSQL store at `url` (connected and migrated here).
    pub fn postgres(url: &str, config: &SaleConfig) -> std::result::Result<Blocking, String> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("runtime: {e}"))?;
        let pg = rt
            .block_on(PgStore::connect(
                url,
                config.clone(),
                2,
                crate::serve::card_key_dir(),
            ))
            .map_err(|e| e.to_string())?;
        Ok(Blocking {
            rt,
            backend: Arc::new(Arc::new(pg)),
        })
    }

    /// Waits for one call, e.g. `b.block_on(b.backend().close_draw(draw, now))`.
    pub fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
    }

    /// The store's draws.
    pub fn backend(&self) -> &dyn DrawsBackend {
        self.backend.as_ref()
    }

    /// The sale configuration.
    pub fn config(&self) -> &SaleConfig {
        self.backend.config()
    }
}

impl Drop for Blocking {
    fn drop(&mut self) {
        // A CLI command is no replica: give its lease back at once (a no-op on SQLite).
        let b = Arc::clone(&self.backend);
        self.rt.block_on(async move { b.retire().await });
    }
}
