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
use crate::desk::{Desk, SignedIn};
use crate::error::{Error, Result};
use crate::payment::{plan, PaymentPlan, Tender};
use crate::settings::Connectivity;
use crate::tickets::sign_ticket;

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
    /// Set when an online desk had to sell from its allotment: what happened and why.
    pub fallback: Option<Fallback>,
}

/// Why a desk that sells online made this sale from its allotment. The window words its
/// sentence from `kind`; `why` is the desk's own account (English, for logs and receipts).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Fallback {
    /// What happened.
    pub kind: FallbackKind,
    /// The desk's technical account of it (the server's address and the network's cause).
    pub why: String,
}

/// The cases of [`Fallback`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FallbackKind {
    /// The desk sells online but was never enrolled with a server.
    NotEnrolled,
    /// A walk-in made here could not be sent to the server before its order.
    AccountNotSent,
    /// The server did not answer this sale (connection, time-out, cut, 5xx).
    Unreachable,
    /// The server did not answer a moment ago; the desk is not asking it again until the
    /// pause ends.
    Paused,
}

impl Fallback {
    pub(crate) fn new(kind: FallbackKind, why: String) -> Self {
        Fallback { kind, why }
    }
}

impl Desk {
    /// Decides an order: every rule violation at once, or the priced order with holder names.
    /// Writes nothing.
    pub fn quote(&self, req: &OrderRequest) -> Result<Quote> {
        self.quote_against(req, self.settings.connectivity == Connectivity::Offline)
    }

    pub(crate) fn quote_against(&self, req: &OrderRequest, offline: bool) -> Result<Quote> {
        self.quote_inner(req, offline, false)
    }

    pub(crate) fn quote_inner(
        &self,
        req: &OrderRequest,
        offline: bool,
        server_decides: bool,
    ) -> Result<Quote> {
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
                let name = match l.holders.get(k) {
                    Some(n) => self.text("holder name", n)?,
                    None => account.full_name(),
                };
                if let Some(missing) = crate::desk::unprintable(&name) {
                    return Err(Error::HolderNotPrintable {
                        line: i + 1,
                        session: l.session.to_string(),
                        name,
                        missing,
                    });
                }
                names.push(name);
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
        let st = standing(conn, &account)?;
        let order = if server_decides {
            // The server holds the stock: the desk checks everything else, and the catalogue's
            // capacity stands in for a stock the server will guard in its own transaction.
            check_order(
                &draft,
                &st,
                &self.config,
                &self.catalogue,
                &self.catalogue,
                self.now(),
            )
        } else {
            let stock = if offline {
                allotments(conn)?
            } else {
                availability(conn)?
            };
            check_order(
                &draft,
                &st,
                &self.config,
                &self.catalogue,
                &stock,
                self.now(),
            )
        }
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
    /// Online (connectivity `Online` and a server link, see [`Desk::connect_server`]) the
    /// server decides and numbers the tickets; if the server cannot be reached (connection
    /// refused, time-out, cut, 5xx) the sale falls back to this desk's allotment and the
    /// receipt's `fallback` says why. A refusal by the server's rules is returned as
    /// [`Error::Refused`], with no fallback. Offline, it sells from the allotment.
    ///
    /// After a network failure the desk sells from the allotment without asking the server
    /// for `settings.online_retry` (30 s), then tries it again; [`Desk::retry_online_now`]
    /// ends the pause early (e.g. when the sync task sees the server again).
    ///
    /// Blocking (it may wait for the server up to the client's time-outs): the app calls it
    /// from a blocking thread.
    pub fn sell(&mut self, req: &OrderRequest, tender: Tender) -> Result<SaleReceipt> {
        if self.settings.connectivity == Connectivity::Online {
            if self.server.is_some() {
                if let Some((until, why)) = self.server_down.clone() {
                    if self.now() < until {
                        let why = format!(
                            "{why}; sold from this desk's allotment without asking the server again until {} — the sale reaches the server at the next sync",
                            self.paris(until)
                        );
                        let key = new_id(self.now());
                        let fallback = Fallback::new(FallbackKind::Paused, why);
                        return self.sell_from_allotment(req, tender, key, None, Some(fallback));
                    }
                }
                return self.sell_online(req, tender);
            }
            let fallback = Fallback::new(
                FallbackKind::NotEnrolled,
                "this desk is not connected to a server (not enrolled)".to_string(),
            );
            let key = new_id(self.now());
            return self.sell_from_allotment(req, tender, key, None, Some(fallback));
        }
        self.sell_from_allotment(req, tender, new_id(self.now()), None, None)
    }

    /// Sells from this desk's allotment, with `idempotency_key` (the online attempt's key on a
    /// fallback, so the server counts it once whatever happened to the attempt) and a card
    /// already charged for this order, if any.
    pub(crate) fn sell_from_allotment(
        &mut self,
        req: &OrderRequest,
        tender: Tender,
        idempotency_key: String,
        charged: Option<(Money, String)>,
        fallback: Option<Fallback>,
    ) -> Result<SaleReceipt> {
        let refund = |desk: &mut Desk| {
            if let Some((amount, r)) = &charged {
                let _ = desk.terminal.refund(*amount, r);
            }
        };
        let prepared = (|| {
            let op = self.signed_in()?;
            let shift = open_shift(self.store.reader())?.ok_or(Error::NoOpenShift)?;
            let quote = self.quote_against(req, true)?;
            let plan = plan(quote.order.total, tender, self.settings.max_change)?;
            Ok::<_, Error>((op, shift, quote, plan))
        })();
        let (op, shift, quote, plan) = match prepared {
            Ok(x) => x,
            Err(e) => {
                refund(self);
                return Err(e);
            }
        };
        let now = self.now();
        let order_id = new_id(now);
        let ids = quote
            .holders
            .iter()
            .map(|names| names.iter().map(|_| new_id(now)).collect())
            .collect();
        let sale = Sold {
            account: req.account.clone(),
            order_id,
            idempotency_key,
            ids,
            phase: quote.order.phase.clone(),
            offline: true,
            fallback,
        };
        self.record(op, shift.id, quote, plan, sale, charged.map(|c| c.1))
    }

    /// Signs the tickets, charges the card if not yet charged, and writes the sale in one
    /// transaction (refunding the card if the write fails).
    pub(crate) fn record(
        &mut self,
        op: SignedIn,
        shift_id: String,
        quote: Quote,
        plan: PaymentPlan,
        sold: Sold,
        card_reference: Option<String>,
    ) -> Result<SaleReceipt> {
        let now = self.now();
        let total = quote.order.total;
        let key_id = self.signer.key_id();
        let mut tickets = Vec::new();
        let signed = (|| {
            for ((line, names), ids) in quote.order.lines.iter().zip(&quote.holders).zip(&sold.ids)
            {
                let session = self.catalogue.session(&line.session).ok_or_else(|| {
                    Error::Signing(format!("{} left the catalogue", line.session))
                })?;
                for (name, id) in names.iter().zip(ids) {
                    let qr_payload =
                        sign_ticket(self.signer.as_ref(), session, id, line.category, name, now)
                            .map_err(Error::Signing)?;
                    tickets.push(NewTicket {
                        id: id.clone(),
                        session: line.session.clone(),
                        category: line.category,
                        price: line.unit_price,
                        holder_name: name.clone(),
                        qr_payload,
                        key_id: key_id.clone(),
                    });
                }
            }
            Ok::<_, Error>(())
        })();
        if let Err(e) = signed {
            if let Some(r) = &card_reference {
                let _ = self.terminal.refund(plan.card, r);
            }
            return Err(e);
        }
        let card_reference = match card_reference {
            Some(r) => Some(r),
            None if plan.card > Money::ZERO => Some(
                self.terminal
                    .charge(plan.card, &sold.order_id)
                    .map_err(|reason| Error::CardDeclined { reason })?,
            ),
            None => None,
        };
        let payments = plan.rows(&mut || new_id(now), card_reference.clone());
        let sale = NewSale {
            order_id: sold.order_id.clone(),
            idempotency_key: sold.idempotency_key.clone(),
            account_id: sold.account.clone(),
            operator_id: op.id,
            shift_id,
            kind: match quote.order.kind {
                OrderKind::Pack => SaleKind::Pack,
                OrderKind::Single => SaleKind::Single,
            },
            games: quote.order.games,
            phase: sold.phase.clone(),
            total,
            sold_at: now,
            offline: sold.offline,
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
            order_id: sold.order_id,
            idempotency_key: sold.idempotency_key,
            total,
            change: plan.change,
            card_reference,
            tickets: sale
                .tickets
                .iter()
                .map(|t| (t.id.clone(), t.session.clone(), t.holder_name.clone()))
                .collect(),
            offline: sold.offline,
            fallback: sold.fallback,
        })
    }
}

/// Who decided a sale and the ids it carries.
#[derive(Debug, Clone)]
pub(crate) struct Sold {
    /// Buyer.
    pub account: AccountId,
    /// Order id (the server's, online).
    pub order_id: String,
    /// Outbox idempotency key.
    pub idempotency_key: String,
    /// Ticket ids per quote line, one per holder (the server's, online).
    pub ids: Vec<Vec<String>>,
    /// Phase sold in.
    pub phase: String,
    /// From the allotment.
    pub offline: bool,
    /// Why an online desk sold offline.
    pub fallback: Option<Fallback>,
}
