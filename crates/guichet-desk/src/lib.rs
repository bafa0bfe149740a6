//! What box-office staff do at the counter, as use cases over the desk's local SQLite store:
//! operators and PINs, account look-up and walk-ins, building and selling orders through the
//! one rules function, voids, reprints and reissues, shifts and the Z report. The app, the
//! `guichet-desk` CLI and the tests drive the same [`Desk`].

pub mod accounts;
pub mod clock;
pub mod demo;
pub mod desk;
pub mod error;
pub mod online;
pub mod operators;
pub mod payment;
pub mod reads;
pub mod sale;
pub mod scan;
pub mod self_service;
pub mod settings;
pub mod shift;
pub mod signer;
pub mod sync;
pub mod tickets;
pub mod voids;

pub use accounts::{account_qr, LookUpBy, WalkIn};
pub use clock::{Clock, FixedClock, SystemClock};
pub use desk::{Desk, DeskParts, SignedIn};
pub use error::{Error, Output, Problem, Result};
pub use guichet_tickets::{DeviceKey, Layout};
pub use payment::{PaymentTerminal, PaymentTerminalSimulator, Tender};
pub use reads::{LocalStatus, Recorded};
pub use sale::{Fallback, FallbackKind, OrderRequest, Quote, RequestLine, SaleReceipt};
pub use scan::Scanned;
pub use self_service::{Allowance, SlotNow};
pub use settings::{Connectivity, DeskSettings};
pub use signer::{TicketSigner, TicketToSign};
pub use sync::{SyncConfig, SyncFailure, SyncHandle, SyncStatus};
pub use voids::VoidReceipt;
