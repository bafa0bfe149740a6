//! Winners' notices: what a draw's winner is told two days before the purchase slot opens,
//! and the rules of sending it. Pure logic, no IO: the server's outbox stores the rows and its
//! SMTP shell sends them (see `docs/notices.md`).
//!
//! - [`paris`]: instants in Paris time, with the day's UTC offset, in French and English;
//! - [`render`]: the subject, the plain-text body and the `.ics` attachment;
//! - [`lang`]: which language an account is written to;
//! - [`ids`]: the stable Message-ID and the notice's due time;
//! - [`rate`]: a token bucket driven by a clock passed in;
//! - [`retry`]: what an SMTP answer means for the outbox row (sent, retry later, give up).

pub mod error;
pub mod ics;
pub mod ids;
pub mod lang;
pub mod paris;
pub mod rate;
pub mod render;
pub mod retry;

pub use error::{Error, Result};
pub use guichet_domain::Lang;
pub use ids::{due_at, message_id, NOTICE_LEAD};
pub use rate::TokenBucket;
pub use render::{render, Notice, Rendered};
pub use retry::{Answer, Next, RetryPolicy};
