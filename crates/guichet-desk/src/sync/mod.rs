//! The desk's link to the central server: a background task pushes the outbox and pulls what
//! changed ([`SyncHandle`]), the status bar reads [`SyncStatus`], and [`crate::Desk::sell`]
//! sells online with the offline fallback (see [`crate::online`]).

pub mod http;
pub mod pull;
pub mod push;
pub mod retry;
mod status;
mod task;

pub use http::{CallError, ServerClient, Timeouts};
pub use pull::{apply_pull, apply_pull_keeping_cursor, PullReport};
pub use push::{push_outbox, PushError, PushReport};
pub use retry::RetryPolicy;
pub use status::{SyncFailure, SyncStatus};
pub use task::{sync_once, SyncConfig, SyncHandle};
