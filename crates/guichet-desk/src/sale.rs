//! Building and selling an order: the rules decide (with the account's held tickets, draws,
//! timeslot and the stock: availability online, this desk's allotment offline), then one
//! transaction writes order, signed tickets, payments, allotment taken, ledger and outbox.

use guichet_domain::rules::{check_order, DraftLine, DraftOrder, ValidOrder};
use guichet_domain::{AccountId, Money, OrderKind, PriceCategory, SessionCode};
use guichet_store::accounts::account_by_id;
use guichet_store::new_id;
use guichet_store::sales::{record_sale, NewSale, NewTicket, SaleKind};
use guichet_store::shifts::open_shift;
use guichet_store::stock::{allotments, availability};

use crate::accounts::standing;
use crate::desk::Desk;
use crate::error::{Error, Result};
use crate::payment::{plan, Tender};
use crate::settings::Connectivity;
use crate::signer::TicketToSign;

/// One line as staff enter it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct RequestLine {
    /// Session.
    pub session: SessionCode,
    /// Category.
    pub category: PriceCategory,
    /// Tickets.
    pub quantity: u32,
    /// Holder names for the first tickets of the line; the rest default to the account holder.
    #[serde(default)]
    pub holders: Vec<String>,
}

/// An order as staff enter it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct OrderRequest {
    /// Buyer.
    pub account: AccountId,
    /// Pack or single.
    pub kind: OrderKind,
    /// Lines.
    pub lines: Vec<RequestLine>,
}

/// An order the rules accept, with a holder name per ticket.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Quote {
    /// The priced order.
    pub order: ValidOrder,
    /// Holder names, per line, one per ticket.
    pub holders: Vec<Vec<String>>,
    /// Decided against the allotment (offline) or the availability (online).
    pub offline: bool,
}

/// What the counter hands over after a sale.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SaleReceipt {
    /// Order id.
    pub order_id: String,
    /// Outbox idempotency key.
    pub idempotency_key: String,
    /// Total.
    pub total: Money,
    /// Change to give back.
    pub change: Money,
    /// Card reference, if a card was charged.
    pub card_reference: Option<String>,
    /// Tickets issued: (ticket id, session, holder).
    pub tickets: Vec<(String, SessionCode, String)>,
    /// Sold from the allotment.
    pub offline: bool,
}

impl Desk {
    /// Decides an order: every rule violation at once, or the priced order with holder names.
    /// Writes nothing.
    pub fn quote(&self, req: &OrderRequest) -> Result<Quote> {
        self.quote_against(req, self.settings.connectivity == Connectivity::Offline)
    }

    fn quote_against(&self, req: &OrderRequest, offline: bool) -> Result<Quote> {
        self.signed_in()?;
        let conn = self.store.reader();
        let account = account_by_id(conn, &req.account)?.ok_or_else(|| Error::UnknownAccount {
            id: req.account.to_string(),
        })?;
        let mut holders = Vec::new();
        for (i, l) in req.lines.iter().enumerate() {
            if l.holders.len() > l.quantity as usize {
                return Err(Error::HolderNames {
                    line: i + 1,
                    session: l.session.to_string(),
                    quantity: l.quantity,
                    names: l.holders.len(),
                    extra: l.holders.len() - l.quantity as usize,
                });
            }
            let mut names = Vec::new();
            for k in 0..l.quantity as usize {
                match l.holders.get(k) {
                    Some(n) => names.push(self.text("holder name", n)?),
                    None => names.push(account.full_name()),
                }
            }
            holders.push(names);
        }
        let draft = DraftOrder {
            kind: req.kind,
            lines: req
                .lines
                .iter()
                .map(|l| DraftLine {
                    session: l.session.clone(),
                    category: l.category,
                    quantity: l.quantity,
                })
                .collect(),
        };
        let stock = if offline {
            allotments(conn)?
        } else {
            availability(conn)?
        };
        let st = standing(conn, &account)?;
        let order = check_order(
            &draft,
            &st,
            &self.config,
            &self.catalogue,
            &stock,
            self.now(),
        )
        .map_err(Error::Refused)?;
        Ok(Quote {
            order,
            holders,
            offline,
        })
    }

    /// Sells an order: rules, payment plan, signatures, card charge, then one transaction.
    /// Any refusal before the commit writes nothing; a failed commit refunds the card.
    ///
    /// There is no server client yet, so every sale takes the designed fallback of an online
    /// desk that cannot reach the server: it is decided against this desk's allotment and
    /// marked offline (the receipt says so).
    pub fn sell(&mut self, req: &OrderRequest, tender: Tender) -> Result<SaleReceipt> {
        let op = self.signed_in()?;
        let shift = open_shift(self.store.reader())?.ok_or(Error::NoOpenShift)?;
        let quote = self.quote_against(req, true)?;
        let total = quote.order.total;
        let plan = plan(total, tender, self.settings.max_change)?;
        let now = self.now();
        let order_id = new_id(now);
        let idempotency_key = new_id(now);
        let key_id = self.signer.key_id();
        let mut tickets = Vec::new();
        for (line, names) in quote.order.lines.iter().zip(&quote.holders) {
            let session = self
                .catalogue
                .session(&line.session)
                .ok_or_else(|| Error::Signing(format!("{} left the catalogue", line.session)))?;
            let session_day = session.local_start().date();
            for name in names {
                let id = new_id(now);
                let qr_payload = self
                    .signer
                    .sign(&TicketToSign {
                        ticket_id: id.clone(),
                        session: line.session.clone(),
                        category: line.category,
                        games: quote.order.games,
                        session_day,
                        issued_at: now,
                        holder_name: name.clone(),
                    })
                    .map_err(Error::Signing)?;
                tickets.push(NewTicket {
                    id,
                    session: line.session.clone(),
                    category: line.category,
                    price: line.unit_price,
                    holder_name: name.clone(),
                    qr_payload,
                    key_id: key_id.clone(),
                });
            }
        }
        let card_reference = if plan.card > Money::ZERO {
            let r = self
                .terminal
                .charge(plan.card, &order_id)
                .map_err(|reason| Error::CardDeclined { reason })?;
            Some(r)
        } else {
            None
        };
        let payments = plan.rows(&mut || new_id(now), card_reference.clone());
        let sale = NewSale {
            order_id: order_id.clone(),
            idempotency_key: idempotency_key.clone(),
            account_id: req.account.clone(),
            operator_id: op.id,
            shift_id: shift.id,
            kind: match quote.order.kind {
                OrderKind::Pack => SaleKind::Pack,
                OrderKind::Single => SaleKind::Single,
            },
            games: quote.order.games,
            phase: quote.order.phase.clone(),
            total,
            sold_at: now,
            offline: quote.offline,
            tickets,
            payments,
        };
        if let Err(e) = self.store.write(|tx| record_sale(tx, &sale)) {
            if let Some(r) = &card_reference {
                // The sale is not in the file, so the customer must not be charged.
                let _ = self.terminal.refund(plan.card, r);
            }
            return Err(e.into());
        }
        Ok(SaleReceipt {
            order_id,
            idempotency_key,
            total,
            change: plan.change,
            card_reference,
            tickets: sale
                .tickets
                .iter()
                .map(|t| (t.id.clone(), t.session.clone(), t.holder_name.clone()))
                .collect(),
            offline: quote.offline,
        })
    }
}
