//! What the screens read that no use case writes: an account's orders, an order, the shift's
//! tickets for the dashboard, the local side of the status bar, the link to the server. The
//! shell calls these instead of opening the desk's file itself (it runs no SQL).

use guichet_domain::AccountId;
use guichet_store::accounts::{account_by_id, Account};
use guichet_store::journal::{journal_len, last_pushed_at, waiting_count};
use guichet_store::link::{link, ServerLink};
use guichet_store::operators::any_operator;
use guichet_store::sales::{
    order, order_ids, order_ids_of_account, order_of_ticket, shift_tickets, ShiftTicket,
    StoredOrder,
};
use guichet_store::shifts::{open_shift, Shift};
use guichet_store::stock::{allotment_left, allotments, availability, has_allotment, StockMap};
use jiff::Timestamp;

use crate::desk::Desk;
use crate::error::Result;

/// What this desk has recorded, counted: orders, ledger rows, outbox events. Each only grows,
/// so equal counts before and after a call mean it recorded nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recorded {
    /// Orders (sales), of every status.
    pub orders: u64,
    /// Ledger rows.
    pub ledger: u64,
    /// Outbox events.
    pub outbox: u64,
}

/// The store's side of the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalStatus {
    /// Outbox events not pushed and not rejected.
    pub waiting: u64,
    /// Seats left in the allotment.
    pub allotment_left: u64,
    /// The last time the server acknowledged one of this desk's events.
    pub last_pushed: Option<Timestamp>,
}

impl Desk {
    /// The newest `limit` orders of an account at this desk, newest first.
    pub fn orders_of_account(&self, id: &AccountId, limit: u32) -> Result<Vec<StoredOrder>> {
        let conn = self.store.reader();
        let mut out = Vec::new();
        for oid in order_ids_of_account(conn, id, limit)? {
            out.extend(order(conn, &oid)?);
        }
        Ok(out)
    }

    /// One order of this desk, if it has it.
    pub fn stored_order(&self, id: &str) -> Result<Option<StoredOrder>> {
        Ok(order(self.store.reader(), id)?)
    }

    /// The order a ticket of this desk belongs to, if it has the ticket.
    pub fn order_of_ticket(&self, ticket_id: &str) -> Result<Option<StoredOrder>> {
        match order_of_ticket(self.store.reader(), ticket_id) {
            Ok(id) => self.stored_order(&id),
            Err(guichet_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// The account in this desk's cache, if it has it (no rules, no standing).
    pub fn cached_account(&self, id: &AccountId) -> Result<Option<Account>> {
        Ok(account_by_id(self.store.reader(), id)?)
    }

    /// The valid tickets of a shift's orders, oldest sale first.
    pub fn shift_tickets(&self, shift_id: &str) -> Result<Vec<ShiftTicket>> {
        Ok(shift_tickets(self.store.reader(), shift_id)?)
    }

    /// The shift open now, if any (whoever opened it).
    pub fn open_shift_now(&self) -> Result<Option<Shift>> {
        Ok(open_shift(self.store.reader())?)
    }

    /// Outbox waiting, allotment left, last acknowledged push.
    pub fn local_status(&self) -> Result<LocalStatus> {
        let conn = self.store.reader();
        Ok(LocalStatus {
            waiting: waiting_count(conn)?,
            allotment_left: allotment_left(conn)?,
            last_pushed: last_pushed_at(conn)?,
        })
    }

    /// What is left to sell: the server's availability as last pulled when `online`, else this
    /// desk's allotment.
    pub fn stock(&self, online: bool) -> Result<StockMap> {
        let conn = self.store.reader();
        Ok(if online {
            availability(conn)?
        } else {
            allotments(conn)?
        })
    }

    /// The enrolment, once enrolled.
    pub fn server_link(&self) -> Result<Option<ServerLink>> {
        Ok(link(self.store.reader())?)
    }

    /// Orders, ledger rows and outbox events recorded so far.
    pub fn recorded(&self) -> Result<Recorded> {
        let conn = self.store.reader();
        let (ledger, outbox) = journal_len(conn)?;
        Ok(Recorded {
            orders: order_ids(conn)?.len() as u64,
            ledger,
            outbox,
        })
    }

    /// Whether the desk has any operator yet.
    pub fn has_operator(&self) -> Result<bool> {
        Ok(any_operator(self.store.reader())?)
    }

    /// Whether the server ever lent this desk a seat.
    pub fn has_allotment(&self) -> Result<bool> {
        Ok(has_allotment(self.store.reader())?)
    }
}
