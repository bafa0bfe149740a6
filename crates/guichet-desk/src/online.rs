//! The desk with a server: enrolment, the online sale with its offline fallback, and asking
//! for or giving back allotments.

use guichet_domain::{OrderKind, PriceCategory, SessionCode};
use guichet_store::journal::{mark_pushed, mark_rejected};
use guichet_store::link::{link, save_card_key, save_link, ServerLink};
use guichet_store::rusqlite::OptionalExtension;
use guichet_store::shifts::open_shift;
use guichet_tickets::DeviceKey;
use guichet_wire::devices::EnrolRequest;
use guichet_wire::orders::{OrderLineDto, OrderRequest as WireOrder};
use guichet_wire::sync::{AllotmentDto, AllotmentRequest, SyncEvent, VoidPayload};
use guichet_wire::ErrorCode;

use crate::desk::Desk;
use crate::error::{Error, Result};
use crate::payment::{plan, Tender};
use crate::sale::{Fallback, FallbackKind, OrderRequest, SaleReceipt, Sold};
use crate::settings::Connectivity;
use crate::sync::http::{CallError, ServerClient, Timeouts};
use crate::sync::pull::{apply_pull_keeping_cursor, pull_until_current, PullError};

impl Desk {
    /// Enrols this desk: trades the one-time `code` (made by `guichet-server enrol`) for a
    /// device id and a bearer token, registering `key`'s public half (the key that signs this
    /// desk's tickets). The token is kept in the desk's store, never shown. Connects the desk.
    /// Returns the device id.
    pub fn enrol(
        &mut self,
        server_url: &str,
        code: &str,
        name: &str,
        key: &DeviceKey,
    ) -> Result<String> {
        let client = ServerClient::new(server_url, None, Timeouts::default())?;
        let answer = client.enrol(&EnrolRequest {
            code: code.trim().to_string(),
            name: name.to_string(),
            public_key_hex: key.public_entry(name).public_key,
        })?;
        if answer.key_id != self.signer.key_id() {
            return Err(Error::BadInput {
                field: "device key",
                problem: format!(
                    "the server registered key {} but this desk signs with key {} — enrol with the key the desk signs with",
                    answer.key_id,
                    self.signer.key_id()
                )
                .into(),
            });
        }
        let l = ServerLink {
            server_url: client.base().to_string(),
            device_id: answer.device_id.clone(),
            token: answer.token,
            key_id: answer.key_id,
            pull_cursor: "0".to_owned(),
        };
        let now = self.now();
        let card = answer.card_key;
        self.store.write(|tx| {
            save_link(tx, &l, now)?;
            save_card_key(tx, &card.key_id, &card.public_key_hex, now)
        })?;
        self.connect_server(Timeouts::counter())?;
        Ok(answer.device_id)
    }

    /// Connects the desk to the server it enrolled with: sales go online from now on (with
    /// the offline fallback). Returns false, and stays offline, when the desk is not enrolled.
    pub fn connect_server(&mut self, timeouts: Timeouts) -> Result<bool> {
        let Some(l) = link(self.store.reader())? else {
            return Ok(false);
        };
        self.server = Some(ServerClient::new(&l.server_url, Some(l.token), timeouts)?);
        self.server_down = None;
        self.settings.connectivity = Connectivity::Online;
        Ok(true)
    }

    /// Ends the pause after a network failure: the next sale asks the server again.
    pub fn retry_online_now(&mut self) {
        self.server_down = None;
    }

    /// Sells from the allotment only, whatever the connectivity (the clerk chose to).
    pub fn disconnect_server(&mut self) {
        self.server = None;
        self.settings.connectivity = Connectivity::Offline;
    }

    /// The online sale: see [`Desk::sell`].
    pub(crate) fn sell_online(
        &mut self,
        req: &OrderRequest,
        tender: Tender,
    ) -> Result<SaleReceipt> {
        let op = self.signed_in()?;
        let shift = open_shift(self.store.reader())?.ok_or(Error::NoOpenShift)?;
        let quote = self.quote_inner(req, false, true)?;
        let plan = plan(quote.order.total, tender, self.settings.max_change)?;
        let now = self.now();
        let key = guichet_store::new_id(now);
        // Charged before asking the server: once the server has sold, the fan must have paid.
        let charged = if plan.card > guichet_domain::Money::ZERO {
            Some(
                self.terminal
                    .charge(plan.card, &key)
                    .map_err(|reason| Error::CardDeclined { reason })?,
            )
        } else {
            None
        };
        let wire = WireOrder {
            idempotency_key: key.clone(),
            account_id: req.account.to_string(),
            kind: match req.kind {
                OrderKind::Pack => "pack",
                OrderKind::Single => "single",
            }
            .to_string(),
            lines: req
                .lines
                .iter()
                .map(|l| OrderLineDto {
                    session: l.session.to_string(),
                    category: l.category.to_string(),
                    quantity: l.quantity,
                })
                .collect(),
            hold_id: None,
        };
        // A walk-in made here and not yet pushed is unknown to the server: send its
        // account_created event alone first (one try; the sync marks it duplicate later).
        if let Err(e) = self.push_walk_in(&req.account) {
            let why = format!(
                "the new account could not be sent to the server ({e}); sold from this desk's allotment instead"
            );
            return self.sell_from_allotment(
                req,
                tender,
                key,
                charged.map(|r| (plan.card, r)),
                Some(Fallback::new(FallbackKind::AccountNotSent, why)),
            );
        }
        let client = self.server.as_ref().ok_or(Error::NotEnrolled)?;
        // One quick second try on a network failure: the same key, so a sale the server made
        // before the answer was lost comes back as that sale ("duplicate"), not a second one.
        let answer = match client.order(&wire) {
            Err(e) if e.is_network() => client.order(&wire),
            other => other,
        };
        let refund = |desk: &mut Desk| {
            if let Some(r) = &charged {
                let _ = desk.terminal.refund(plan.card, r);
            }
        };
        match answer {
            Ok(resp) => {
                self.server_down = None;
                // The server's ticket ids, matched to the quote's lines in order.
                let mut pool: Vec<_> = resp.tickets.iter().collect();
                let mut ids = Vec::new();
                for line in &quote.order.lines {
                    let mut line_ids = Vec::new();
                    for _ in 0..line.quantity {
                        let at = pool.iter().position(|t| {
                            t.session == line.session.as_str()
                                && t.category == line.category.to_string()
                        });
                        match at {
                            Some(i) => line_ids.push(pool.remove(i).id.clone()),
                            None => {
                                // The server sold (and the card is charged); record what it
                                // said rather than refuse: the ids are the server's or new.
                                line_ids.push(guichet_store::new_id(now));
                            }
                        }
                    }
                    ids.push(line_ids);
                }
                let server_tickets: Vec<String> =
                    resp.tickets.iter().map(|t| t.id.clone()).collect();
                let server_order = resp.order_id.clone();
                let sold = Sold {
                    account: req.account.clone(),
                    order_id: resp.order_id,
                    idempotency_key: key,
                    ids,
                    phase: resp.phase,
                    offline: false,
                    fallback: None,
                };
                // `record` refunds the card if it cannot write the sale; the server's order
                // must go too, or the seats and the fan's count stay taken for nothing.
                self.record(op, shift.id, quote, plan, sold, charged)
                    .inspect_err(|e| self.void_unrecorded(&server_order, server_tickets, e))
            }
            Err(CallError::Refused { status, body, .. }) => {
                refund(self);
                if body.code == ErrorCode::RuleViolation {
                    let rejection = serde_json::from_value(body.details.clone()).ok();
                    if let Some(r) = rejection {
                        return Err(Error::Refused(r));
                    }
                }
                Err(Error::ServerRefused {
                    status,
                    code: format!("{:?}", body.code),
                    message: body.message,
                })
            }
            Err(e) => {
                let first = match &e {
                    CallError::Network { url, cause } => {
                        format!("the server at {url} did not answer ({cause})")
                    }
                    other => other.to_string(),
                };
                self.server_down = Some((
                    now.checked_add(self.settings.online_retry).unwrap_or(now),
                    first.clone(),
                ));
                let why = format!(
                    "{first}; sold from this desk's allotment instead — the sale reaches the server at the next sync"
                );
                self.sell_from_allotment(
                    req,
                    tender,
                    key,
                    charged.map(|r| (plan.card, r)),
                    Some(Fallback::new(FallbackKind::Unreachable, why)),
                )
            }
        }
    }

    /// The server sold, then this desk could not record the sale (its file refused the write,
    /// or signing failed): the card is already refunded, so the server's order is voided with
    /// one push. If that push fails too, the server keeps the order and stderr says which one,
    /// for a supervisor to void at the server.
    fn void_unrecorded(&self, order_id: &str, ticket_ids: Vec<String>, why: &Error) {
        let Some(client) = self.server.as_ref() else {
            return;
        };
        let event = SyncEvent {
            idempotency_key: guichet_store::new_id(self.now()),
            kind: "void".into(),
            payload: serde_json::to_value(VoidPayload {
                order_id: order_id.to_string(),
                ticket_ids,
            })
            .unwrap_or_default(),
            created_at: self.now().to_string(),
            offline: false,
        };
        let undone = match client.push(std::slice::from_ref(&event)) {
            Ok(acks) => acks
                .first()
                .is_some_and(|a| a.status == "applied" || a.status == "duplicate"),
            Err(_) => false,
        };
        if !undone {
            eprintln!(
                "guichet-desk: the server sold order {order_id} but this desk could not record it ({why}); the card was refunded and the server did not take the void: void order {order_id} at the server"
            );
        }
    }

    /// Sends the `account_created` event of a walk-in made here, if it is still waiting.
    fn push_walk_in(&mut self, account: &guichet_domain::AccountId) -> Result<()> {
        let row: Option<(i64, String, String, String)> = self
            .store
            .reader()
            .query_row(
                "SELECT seq, idempotency_key, payload, created_at FROM outbox
                 WHERE kind = 'account_created' AND pushed_at IS NULL AND rejected_at IS NULL
                   AND json_extract(payload, '$.id') = ?1",
                [account.as_str()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()
            .map_err(guichet_store::Error::from)?;
        let Some((seq, key, payload, created_at)) = row else {
            return Ok(());
        };
        let event = SyncEvent {
            idempotency_key: key,
            kind: "account_created".into(),
            payload: serde_json::from_str(&payload).unwrap_or_default(),
            created_at,
            offline: true,
        };
        let acks = self.client()?.push(&[event])?;
        let now = self.now();
        if let Some(ack) = acks.first() {
            let received = ack.received_at.parse().unwrap_or(now);
            if ack.status == "rejected" {
                let reason = ack.reason.clone().unwrap_or_default();
                self.store
                    .write(|tx| mark_rejected(tx, seq, &reason, received))?;
            } else {
                self.store.write(|tx| mark_pushed(tx, seq, now, received))?;
            }
        }
        Ok(())
    }

    fn client(&self) -> Result<&ServerClient> {
        self.server.as_ref().ok_or(Error::NotEnrolled)
    }

    /// Asks the server for `quantity` more seats to sell offline, then pulls so the desk's
    /// allotment shows them.
    pub fn ask_allotment(
        &mut self,
        session: &SessionCode,
        category: PriceCategory,
        quantity: u32,
    ) -> Result<AllotmentDto> {
        self.allotment_call(session, category, quantity, ServerClient::allot)
    }

    /// Gives `quantity` seats of the allotment back to the server, then pulls.
    pub fn return_allotment(
        &mut self,
        session: &SessionCode,
        category: PriceCategory,
        quantity: u32,
    ) -> Result<AllotmentDto> {
        self.allotment_call(session, category, quantity, ServerClient::return_allotment)
    }

    /// One allotment call (ask or return), then a pull so the store shows its effect.
    fn allotment_call(
        &mut self,
        session: &SessionCode,
        category: PriceCategory,
        quantity: u32,
        call: fn(&ServerClient, &AllotmentRequest) -> std::result::Result<AllotmentDto, CallError>,
    ) -> Result<AllotmentDto> {
        let req = AllotmentRequest {
            session: session.to_string(),
            category: category.to_string(),
            quantity,
        };
        let a = call(self.client()?, &req)?;
        self.pull_now()?;
        Ok(a)
    }

    /// Asks the server's account search for `query` (an account id, an email, or the start
    /// of a name) and keeps the matching accounts on the desk, with their held tickets and
    /// draws, the way a pull does but without moving the desk's cursor. Returns how many
    /// accounts the server found (0 for a blank query). For an account a look-up does not find
    /// on the desk: the pull brings only the accounts that changed (see the sync's docs).
    pub fn find_on_server(&mut self, query: &str) -> Result<usize> {
        let q = query.trim();
        if q.is_empty() {
            return Ok(0);
        }
        let found = self.client()?.search_accounts(q)?;
        if found.is_empty() {
            return Ok(0);
        }
        let n = found.len();
        let p = guichet_wire::sync::PullResponse {
            more: false,
            cursor: "0".to_owned(),
            availability: Vec::new(),
            allotments: Vec::new(),
            revocations: Vec::new(),
            accounts: found,
        };
        let now = self.now();
        apply_pull_keeping_cursor(&mut self.store, &p, now)?;
        Ok(n)
    }

    /// Registers the open account for a draw, online only (the server decides the window and
    /// the once-per-draw rule), then refreshes the account on the desk so its registration
    /// shows. A refusal comes back as `Error::Server` whose sentence names the rule and the
    /// window in Paris time ([`refusal_sentence`] gives just that sentence).
    pub fn register_for_draw(
        &mut self,
        account: &guichet_domain::AccountId,
        draw: &str,
    ) -> Result<guichet_wire::draws::RegistrationDto> {
        let req = guichet_wire::draws::RegistrationRequest {
            account_id: account.to_string(),
        };
        let r = self.client()?.register_for_draw(draw, &req)?;
        self.find_on_server(account.as_str())?;
        Ok(r)
    }

    /// Pulls what changed on the server into the store now (the sync task also does it).
    pub fn pull_now(&mut self) -> Result<()> {
        let now = self.now();
        let client = self.server.as_ref().ok_or(Error::NotEnrolled)?;
        match pull_until_current(&mut self.store, client, now) {
            Ok(_) => Ok(()),
            Err(PullError::Call(e)) => Err(e.into()),
            Err(PullError::Store(e)) => Err(e.into()),
        }
    }
}

/// The sentence to show a seller for a failed draw registration: the server's own refusal
/// (rule, window in Paris time, way out) when it refused, else the error as it reads.
pub fn refusal_sentence(e: &Error) -> String {
    match e {
        Error::Server(CallError::Refused { body, .. }) => body.message.clone(),
        other => other.to_string(),
    }
}
