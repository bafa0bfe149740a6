//! The sync task: a tokio task that, every `interval` or when asked, runs one round on a
//! blocking thread — push the outbox, then pull — over its own connection to the desk's SQLite
//! file (WAL: the counter's writes wait at most for one short transaction, never for HTTP).

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use guichet_store::journal::{rejected_events, waiting_count};
use guichet_store::link::link;
use guichet_store::stock::allotments;
use guichet_store::Store;

use super::http::{ServerClient, Timeouts};
use super::pull::{pull_until_current, PullError};
use super::push::{push_outbox, PushError, PushReport};
use super::retry::RetryPolicy;
use super::status::{SyncFailure, SyncStatus};
use crate::clock::{Clock, SystemClock};

/// How the sync task runs.
pub struct SyncConfig {
    /// The desk's SQLite file (the task opens its own connection).
    pub db: PathBuf,
    /// Retries and batches.
    pub retry: RetryPolicy,
    /// HTTP time limits.
    pub timeouts: Timeouts,
    /// Time between rounds when all is well (5 s).
    pub interval: Duration,
    /// Device time for "pushed at" and "last success".
    pub clock: Box<dyn Clock>,
}

impl SyncConfig {
    /// Defaults for the desk at `db`: 5 s between rounds, [`RetryPolicy::default`],
    /// [`Timeouts::default`], the machine's clock.
    pub fn new(db: impl Into<PathBuf>) -> SyncConfig {
        SyncConfig {
            db: db.into(),
            retry: RetryPolicy::default(),
            timeouts: Timeouts::default(),
            interval: Duration::from_secs(5),
            clock: Box::new(SystemClock),
        }
    }
}

#[derive(Default)]
struct Progress {
    requested: u64,
    served: u64,
    status: SyncStatus,
}

struct Shared {
    progress: Mutex<Progress>,
    done: Condvar,
    stop: AtomicBool,
    wake: tokio::sync::Notify,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Progress> {
        self.progress.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The running sync task. Dropping it stops the task after its current round.
pub struct SyncHandle {
    shared: Arc<Shared>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl std::fmt::Debug for SyncHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncHandle")
            .field("status", &self.status())
            .finish()
    }
}

/// One round's worker state: its own store connection and HTTP client, kept between rounds.
struct Worker {
    cfg: SyncConfig,
    store: Option<Store>,
    client: Option<ServerClient>,
    failures: u32,
}

impl Worker {
    /// One round: push, then pull; the status it leaves.
    fn round(&mut self, mut status: SyncStatus) -> SyncStatus {
        let mut pushed = PushReport::default();
        let result = self.exchange(&mut pushed);
        status.applied += pushed.applied;
        status.duplicates += pushed.duplicate;
        let now = self.cfg.clock.now();
        match result {
            Ok(()) => {
                self.failures = 0;
                status.online = true;
                status.last_success = Some(now.to_string());
                status.last_error = None;
                status.failure = None;
            }
            Err((kind, sentence)) => {
                self.failures += 1;
                status.online = false;
                status.last_error = Some(sentence);
                status.failure = Some(kind);
            }
        }
        if let Some(store) = &self.store {
            let r = store.reader();
            status.waiting = waiting_count(r).unwrap_or(status.waiting);
            status.rejected = rejected_events(r).map_or(status.rejected, |v| v.len() as u64);
            status.allotment_left = allotments(r)
                .map(|m| m.values().map(|n| u64::from(*n)).sum())
                .unwrap_or(status.allotment_left);
        }
        status.rounds += 1;
        status
    }

    fn exchange(&mut self, pushed: &mut PushReport) -> Result<(), (SyncFailure, String)> {
        use SyncFailure::{LocalFile, NotEnrolled, Other};
        if self.store.is_none() {
            let s = Store::open(&self.cfg.db).map_err(|e| {
                let why = format!(
                    "the sync could not open the desk's file {}: {e}",
                    self.cfg.db.display()
                );
                (LocalFile, why)
            })?;
            self.store = Some(s);
        }
        let store = self.store.as_mut().unwrap_or_else(|| unreachable!());
        let l = link(store.reader())
            .map_err(|e| (LocalFile, format!("the sync could not read the server link: {e}")))?
            .ok_or((NotEnrolled, "this desk is not enrolled with a server — ask an administrator for an enrolment code (guichet-server enrol) and enrol".to_string()))?;
        if self.client.as_ref().map(|c| c.base()) != Some(l.server_url.trim_end_matches('/')) {
            self.client = Some(
                ServerClient::new(&l.server_url, Some(l.token.clone()), self.cfg.timeouts)
                    .map_err(|e| (Other, e.to_string()))?,
            );
        }
        let client = self.client.as_ref().unwrap_or_else(|| unreachable!());
        let waiting = waiting_count(store.reader()).unwrap_or(0);
        match push_outbox(
            store,
            client,
            &self.cfg.retry,
            self.cfg.clock.as_ref(),
            &std::thread::sleep,
        ) {
            Ok(r) => *pushed = r,
            Err(e) => {
                let kind = match &e {
                    PushError::GaveUp { so_far, last, .. } => {
                        *pushed = so_far.clone();
                        SyncFailure::of_call(last)
                    }
                    PushError::Mismatch { .. } => Other,
                    PushError::Store(_) => LocalFile,
                };
                return Err((kind, format!(
                    "{e} ({waiting} event(s) were waiting; they stay queued and the desk sells from its allotment)"
                )));
            }
        }
        pull_until_current(store, client, self.cfg.clock.now()).map_err(|e| match e {
            PullError::Call(e) => (SyncFailure::of_call(&e), format!("the pull failed: {e}")),
            PullError::Store(e) => (
                LocalFile,
                format!("the pulled changes could not be saved in the desk's file: {e}"),
            ),
        })?;
        Ok(())
    }
}

/// One push-and-pull round on the calling (blocking) thread, for a CLI or a test: the status
/// it leaves.
pub fn sync_once(cfg: SyncConfig) -> SyncStatus {
    let mut w = Worker {
        cfg,
        store: None,
        client: None,
        failures: 0,
    };
    w.round(SyncStatus::default())
}

impl SyncHandle {
    /// Starts the sync task on `runtime`. It runs a first round at once.
    pub fn start(runtime: &tokio::runtime::Handle, cfg: SyncConfig) -> SyncHandle {
        let shared = Arc::new(Shared {
            progress: Mutex::new(Progress::default()),
            done: Condvar::new(),
            stop: AtomicBool::new(false),
            wake: tokio::sync::Notify::new(),
        });
        let interval = cfg.interval;
        let retry = cfg.retry;
        let mut worker = Some(Worker {
            cfg,
            store: None,
            client: None,
            failures: 0,
        });
        let sh = shared.clone();
        let task = runtime.spawn(async move {
            loop {
                let (target, status) = {
                    let p = sh.lock();
                    (p.requested, p.status.clone())
                };
                let Some(mut w) = worker.take() else { break };
                let joined = tokio::task::spawn_blocking(move || {
                    let s = w.round(status);
                    (w, s)
                })
                .await;
                let Ok((w, status)) = joined else { break };
                let failures = w.failures;
                worker = Some(w);
                {
                    let mut p = sh.lock();
                    p.status = status;
                    p.served = p.served.max(target);
                }
                sh.done.notify_all();
                if sh.stop.load(Ordering::SeqCst) {
                    break;
                }
                // Healthy: the interval. Failing: exponential backoff with jitter, never longer
                // than the interval; `sync_now` cuts either short.
                let wait = if failures == 0 {
                    interval
                } else {
                    retry.delay(failures + 2).min(interval)
                };
                tokio::select! {
                    _ = sh.wake.notified() => {}
                    _ = tokio::time::sleep(wait) => {}
                }
                if sh.stop.load(Ordering::SeqCst) {
                    break;
                }
            }
            // The HTTP client must not be dropped on an async thread.
            if let Some(w) = worker {
                let _ = tokio::task::spawn_blocking(move || drop(w)).await;
            }
            let mut p = sh.lock();
            p.served = u64::MAX;
            drop(p);
            sh.done.notify_all();
        });
        SyncHandle {
            shared,
            task: Some(task),
        }
    }

    /// The state for the status bar.
    pub fn status(&self) -> SyncStatus {
        self.shared.lock().status.clone()
    }

    /// Asks for a round now; returns at once.
    pub fn sync_now(&self) {
        self.request();
    }

    fn request(&self) -> u64 {
        let n = {
            let mut p = self.shared.lock();
            p.requested += 1;
            p.requested
        };
        self.shared.wake.notify_one();
        n
    }

    /// Asks for a round and waits (blocking, at most `limit`) until a round that started after
    /// the request has finished; returns the status it left. For tests and a CLI; the app
    /// calls [`SyncHandle::sync_now`] and reads [`SyncHandle::status`].
    pub fn sync_now_and_wait(&self, limit: Duration) -> SyncStatus {
        let n = self.request();
        self.wait_until(limit, |served| served >= n).status.clone()
    }

    /// Waits (at most `limit`) until the count of served rounds satisfies `done`; returns the
    /// shared state still locked.
    fn wait_until(&self, limit: Duration, done: impl Fn(u64) -> bool) -> MutexGuard<'_, Progress> {
        let deadline = std::time::Instant::now() + limit;
        let mut p = self.shared.lock();
        while !done(p.served) {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                break;
            }
            p = self
                .shared
                .done
                .wait_timeout(p, left)
                .map(|(g, _)| g)
                .unwrap_or_else(|e| e.into_inner().0);
        }
        p
    }

    /// Stops the task after its current round and waits for it.
    pub async fn stop(mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        self.shared.wake.notify_one();
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
    }

    /// Stops the task from a blocking thread (waits at most `limit` for its round to end).
    pub fn stop_blocking(mut self, limit: Duration) {
        self.shared.stop.store(true, Ordering::SeqCst);
        self.shared.wake.notify_one();
        drop(self.wait_until(limit, |served| served == u64::MAX));
        self.task.take();
    }
}

impl Drop for SyncHandle {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        self.shared.wake.notify_one();
    }
}
