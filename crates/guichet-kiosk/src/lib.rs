//! The kiosk's payment core, called by the kiosk window: seats are held before the card is
//! asked (at the server online, from this device's allotment offline), a payment intent with
//! its request id is committed before the terminal is asked, and each later step (authorised,
//! printed, captured) is committed before the next external one. On restart
//! [`Kiosk::reconcile`] settles every open intent by asking the terminal for that request's
//! status. Never charged without tickets, never tickets without payment, never two captures.
//!
//! The card terminal is a trait ([`PaymentTerminal`]); the one implementation shipped is the
//! [`SimulatedTerminal`]. Tickets go to a [`TicketPrinter`] (CUPS or a folder).

mod checks;
pub mod error;
pub mod kiosk;
pub mod printer;
mod reconcile;
pub mod report;
mod sale;
pub mod simulator;
mod status;
mod steps;
pub mod terminal;
mod tickets;

pub use checks::OutOfOrder;
pub use error::{Error, Result};
pub use guichet_store::intents::{Intent, IntentState};
pub use kiosk::{Basket, BasketLine, Kiosk, KioskParts, Step};
pub use printer::{CupsPrinter, FileSinkPrinter, PrintError, PrintJob, PrintedLine, TicketPrinter};
pub use reconcile::Settled;
pub use report::{ReportPolicy, StateReporter};
pub use sale::{CancelReason, SaleOutcome};
pub use simulator::{read_ledger, LedgerLine, SimulatedOutcome, SimulatedTerminal};
pub use status::KioskState;
pub use terminal::{Authorisation, PaymentTerminal, TerminalError, TerminalStatus};
pub use tickets::IssuedTicket;
