//! Before a sale is offered: the printer, the terminal, the stock and the clock (out of order
//! rather than half a sale); and the rules on a basket before its seats are held.

use guichet_desk::accounts::standing;
use guichet_domain::{check_order, Money};
use guichet_store::accounts::account_by_id;
use guichet_store::stock::{allotment_left, allotments, availability};
use guichet_wire::device_state::OutOfOrderCode;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::kiosk::{Basket, Kiosk};

/// Why the kiosk is out of order: each has a code shown on the screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum OutOfOrder {
    /// The printer queue is paused or missing (CUPS pauses a queue out of paper).
    Printer(String),
    /// The card terminal does not answer.
    Terminal(String),
    /// Offline with no seats left in the allotment.
    NoStock,
    /// The clock is inside no sale phase.
    NoPhase,
    /// Staff took the kiosk out of service (maintenance screen); never found by
    /// [`Kiosk::health`], only passed to [`Kiosk::status`].
    OutOfService,
}

impl OutOfOrder {
    /// The code on the out-of-order screen.
    pub fn code(&self) -> &'static str {
        match self {
            OutOfOrder::Printer(_) => "OOO-PRINTER",
            OutOfOrder::Terminal(_) => "OOO-TERMINAL",
            OutOfOrder::NoStock => "OOO-STOCK",
            OutOfOrder::NoPhase => "OOO-PHASE",
            OutOfOrder::OutOfService => "OOO-SERVICE",
        }
    }

    /// What staff read on the maintenance screen.
    pub fn detail(&self) -> String {
        match self {
            OutOfOrder::Printer(why) | OutOfOrder::Terminal(why) => why.clone(),
            OutOfOrder::NoStock => {
                "offline and the allotment is sold out: reconnect or ask for an allotment".into()
            }
            OutOfOrder::NoPhase => "no sale phase is open at this time".into(),
            OutOfOrder::OutOfService => "taken out of service by staff".into(),
        }
    }
}

impl OutOfOrder {
    /// The code as the server's state report carries it.
    pub fn wire(&self) -> OutOfOrderCode {
        match self {
            OutOfOrder::Printer(_) => OutOfOrderCode::Printer,
            OutOfOrder::Terminal(_) => OutOfOrderCode::Terminal,
            OutOfOrder::NoStock => OutOfOrderCode::Stock,
            OutOfOrder::NoPhase => OutOfOrderCode::Phase,
            OutOfOrder::OutOfService => OutOfOrderCode::Service,
        }
    }
}

impl Kiosk {
    /// Whether the kiosk sells online (seats held at the server).
    pub fn is_online(&self) -> bool {
        self.server.is_some()
    }

    /// The pre-sale checks, in order: every failing one.
    pub fn health(&mut self) -> Result<Vec<OutOfOrder>> {
        let mut out = Vec::new();
        if let Err(why) = self.printer.ready() {
            out.push(OutOfOrder::Printer(why));
        }
        if let Err(e) = self.terminal.status("health-check") {
            out.push(OutOfOrder::Terminal(e.to_string()));
        }
        if !self.is_online() && allotment_left(self.store.reader())? == 0 {
            out.push(OutOfOrder::NoStock);
        }
        if self.config.open_phases(self.now()).next().is_none() {
            out.push(OutOfOrder::NoPhase);
        }
        Ok(out)
    }

    /// After the paper is refilled: the printer takes jobs again.
    pub fn resume_printer(&mut self) -> std::result::Result<(), String> {
        self.printer.resume()
    }

    /// The rules on `basket` for its account, against the stock the kiosk knows (the server's
    /// availability online, the allotment offline): the price, or every violation. The hold
    /// at the server checks again.
    pub fn quote(&self, basket: &Basket) -> Result<Money> {
        let conn = self.store.reader();
        let account = account_by_id(conn, &basket.account)?.ok_or_else(|| {
            Error::Basket(format!(
                "is for account {}, which this kiosk has not seen — scan the account card again",
                basket.account
            ))
        })?;
        let draft = basket.draft();
        let st = standing(conn, &account).map_err(|e| Error::Basket(e.to_string()))?;
        let stock = if self.is_online() {
            availability(conn)?
        } else {
            allotments(conn)?
        };
        let now = self.now();
        let valid = if self.is_online() && stock.is_empty() {
            // Not pulled yet: the server's hold decides the stock.
            check_order(
                &draft,
                &st,
                &self.config,
                &self.catalogue,
                &self.catalogue,
                now,
            )
        } else {
            check_order(&draft, &st, &self.config, &self.catalogue, &stock, now)
        }
        .map_err(Error::Refused)?;
        Ok(valid.total)
    }
}
