//! The desk's local store: one SQLite file per desk, forward-only migrations embedded in the
//! binary, repositories for the catalogue snapshot, stock, accounts, operators, shifts, orders,
//! and the append-only ledger and outbox written in the same transaction as what they record.
//!
//! Functions taking a `&Connection` run on the reader for look-ups, or inside
//! [`Store::write`] (whose transaction derefs to a connection) for writes.

pub mod accounts;
pub mod backup;
pub mod error;
pub mod intents;
pub mod journal;
pub mod link;
pub mod migrate;
pub mod mirror;
pub mod operators;
pub mod replay;
pub mod sales;
pub mod shifts;
pub mod stock;
pub mod store;
pub use guichet_domain::text;
pub mod values;
pub mod voids;

pub use error::{Error, Result};
pub use rusqlite;
pub use store::{default_path, Store, StoreSettings};
pub use values::new_id;
