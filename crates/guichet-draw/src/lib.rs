//! Guichet's draws as anyone can recompute them: the specification is `docs/draw.md`.
//!
//! Nothing here does IO or reads a clock: registrations, the secret, the beacon round and the
//! settings are passed in, so the server, `draw verify`, the tests and the benchmark run the
//! same code.

pub mod beacon;
mod error;
pub mod hex;
pub mod rank;
pub mod registration;
pub mod slots;
pub mod stats;
pub mod transcript;

pub use beacon::Beacon;
pub use error::{DrawError, Result};
pub use rank::{commitment, seed, Ranker};
pub use registration::{fingerprint, Entry, Registration};
pub use slots::{assign_slots, SlotSettings, SLOT_SECONDS};
pub use transcript::{run, verify, DrawInputs, Settings, Transcript, Verdict};
