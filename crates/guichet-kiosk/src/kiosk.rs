//! The kiosk: its local store (the desk store, schema 4 and up, with the intents), the card
//! terminal, the printer, the server link, and the clock and signer a desk has.

use std::path::Path;

use guichet_desk::sync::{ServerClient, Timeouts};
use guichet_desk::{Clock, Layout, TicketSigner};
use guichet_domain::{
    AccountId, Catalogue, Money, OrderKind, PriceCategory, SaleConfig, SessionCode,
};
use guichet_store::intents::{all_intents, Intent};
use guichet_store::link::link;
use guichet_store::Store;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::printer::TicketPrinter;
use crate::report::{ReportPolicy, StateReporter};
use crate::terminal::PaymentTerminal;

/// The injected parts of a kiosk.
pub struct KioskParts {
    /// Where "now" comes from.
    pub clock: Box<dyn Clock>,
    /// Signs this kiosk's tickets (its enrolled key).
    pub signer: Box<dyn TicketSigner>,
    /// The card terminal.
    pub terminal: Box<dyn PaymentTerminal>,
    /// The ticket printer.
    pub printer: Box<dyn TicketPrinter>,
    /// The catalogue.
    pub catalogue: Catalogue,
    /// The sale configuration.
    pub config: SaleConfig,
    /// Paper of the printer.
    pub layout: Layout,
}

/// One line of a fan's basket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BasketLine {
    /// Session.
    pub session: SessionCode,
    /// Category.
    pub category: PriceCategory,
    /// Tickets.
    pub quantity: u32,
}

/// What the fan is buying.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Basket {
    /// The fan's account (identified at the kiosk).
    pub account: AccountId,
    /// Pack or single tickets.
    pub kind: OrderKind,
    /// Lines.
    pub lines: Vec<BasketLine>,
    /// Name printed on the tickets.
    pub holder_name: String,
}

impl Basket {
    /// The order the rules function checks: the basket's kind and lines.
    pub fn draft(&self) -> guichet_domain::DraftOrder {
        guichet_domain::DraftOrder {
            kind: self.kind,
            lines: self
                .lines
                .iter()
                .map(|l| guichet_domain::DraftLine {
                    session: l.session.clone(),
                    category: l.category,
                    quantity: l.quantity,
                })
                .collect(),
        }
    }
}

/// A step the kiosk has just committed, announced to whoever listens (the window's progress,
/// the kill-matrix binary's stdout).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Step {
    /// The intent is written (request id known).
    Intent,
    /// The seats are held.
    Held,
    /// The terminal authorised.
    Authorised,
    /// The tickets were printed.
    Printed,
    /// The payment is captured: the sale is complete.
    Captured,
    /// Declined, cancelled or reversed, and the seats given back.
    Undone,
}

impl Step {
    /// The word for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Intent => "intent",
            Step::Held => "held",
            Step::Authorised => "authorised",
            Step::Printed => "printed",
            Step::Captured => "captured",
            Step::Undone => "undone",
        }
    }
}

type StepHook = Box<dyn FnMut(Step, &str) + Send>;

/// A self-service kiosk's payment core.
pub struct Kiosk {
    pub(crate) store: Store,
    pub(crate) clock: Box<dyn Clock>,
    pub(crate) signer: Box<dyn TicketSigner>,
    pub(crate) terminal: Box<dyn PaymentTerminal>,
    pub(crate) printer: Box<dyn TicketPrinter>,
    pub(crate) catalogue: Catalogue,
    pub(crate) config: SaleConfig,
    pub(crate) layout: Layout,
    pub(crate) server: Option<ServerClient>,
    pub(crate) reporter: Option<StateReporter>,
    report_policy: ReportPolicy,
    steps: Option<StepHook>,
}

impl Kiosk {
    /// Opens the kiosk's store at `path` (the desk store: its migrations add the intents).
    /// The kiosk sells offline until [`Kiosk::connect`].
    pub fn open(path: impl AsRef<Path>, parts: KioskParts) -> Result<Kiosk> {
        Ok(Kiosk {
            store: Store::open(path)?,
            clock: parts.clock,
            signer: parts.signer,
            terminal: parts.terminal,
            printer: parts.printer,
            catalogue: parts.catalogue,
            config: parts.config,
            layout: parts.layout,
            server: None,
            reporter: None,
            report_policy: ReportPolicy::default(),
            steps: None,
        })
    }

    /// Sells online through `base` with this kiosk's device token: seats are held at the
    /// server, and the kiosk's state is reported to it ([`Kiosk::status`]).
    pub fn connect(&mut self, base: &str, token: &str) -> Result<()> {
        self.server = Some(ServerClient::new(
            base,
            Some(token.to_string()),
            Timeouts::counter(),
        )?);
        self.reporter = Some(StateReporter::start(base, token, self.report_policy)?);
        Ok(())
    }

    /// How the state is reported from the next [`Kiosk::connect`] on (tests shorten it).
    pub fn set_report_policy(&mut self, policy: ReportPolicy) {
        self.report_policy = policy;
    }

    /// Connects with the server link the store keeps (after enrolment); false if none.
    pub fn connect_enrolled(&mut self) -> Result<bool> {
        match link(self.store.reader())? {
            Some(l) => self.connect(&l.server_url, &l.token).map(|()| true),
            None => Ok(false),
        }
    }

    /// Sells from this device's allotment only.
    pub fn disconnect(&mut self) {
        self.server = None;
        self.reporter = None;
    }

    /// Calls `hook` after each committed step with the step and the request id.
    pub fn on_step(&mut self, hook: impl FnMut(Step, &str) + Send + 'static) {
        self.steps = Some(Box::new(hook));
    }

    /// Every intent this kiosk wrote, oldest first.
    pub fn intents(&self) -> Result<Vec<Intent>> {
        Ok(all_intents(self.store.reader())?)
    }

    /// The store (maintenance screens, tests).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Store access for set-up (allotments and accounts a sync would bring).
    pub fn store_mut(&mut self) -> &mut Store {
        &mut self.store
    }

    pub(crate) fn now(&self) -> Timestamp {
        self.clock.now()
    }

    pub(crate) fn announce(&mut self, step: Step, request_id: &str) {
        if let Some(h) = self.steps.as_mut() {
            h(step, request_id);
        }
    }

    /// The basket's price from the catalogue.
    pub fn price(&self, basket: &Basket) -> Result<Money> {
        if basket.lines.is_empty() {
            return Err(Error::Basket("is empty: add a session".into()));
        }
        let mut total = Money::ZERO;
        for l in &basket.lines {
            let offer = self
                .catalogue
                .session(&l.session)
                .and_then(|s| s.offers.iter().find(|o| o.category == l.category))
                .ok_or_else(|| Error::UnknownOffer {
                    session: l.session.to_string(),
                    category: l.category.to_string(),
                })?;
            total = total + Money::from_cents(offer.price.cents() * i64::from(l.quantity));
        }
        Ok(total)
    }
}
