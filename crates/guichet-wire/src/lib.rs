//! The wire schema: every request and response that crosses HTTP or IPC. Plain serde types
//! with OpenAPI schemas; each request converts to domain types with `TryFrom` at the edge, so
//! a bad value is refused there with a clear message.

pub mod accounts;
pub mod catalogue;
pub mod checks;
pub mod device_state;
pub mod devices;
pub mod draws;
pub mod error;
pub mod holds;
pub mod orders;
pub mod sync;

pub use error::{ApiError, ErrorCode};
