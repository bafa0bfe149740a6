//! What a scanned code (keyboard wedge) points at, and a look-up that asks the server when the
//! desk does not know the account.

use guichet_store::accounts::Account;
use guichet_store::sales::StoredOrder;

use crate::accounts::{LookUpBy, ACCOUNT_QR_PREFIX};
use crate::desk::Desk;
use crate::error::Result;

/// Queries shorter than this are not sent to the server's account search (a look-up runs at
/// every keystroke).
pub const SERVER_SEARCH_MIN_CHARS: usize = 3;

/// What a scan found.
#[derive(Debug, Clone, PartialEq)]
pub enum Scanned {
    /// An account QR: the account, if this desk has it.
    Account(Option<Account>),
    /// A ticket QR of this desk, with its order.
    Ticket {
        /// The ticket's id.
        ticket_id: String,
        /// Its order.
        order: StoredOrder,
    },
    /// Neither an account QR nor a ticket this desk sold.
    Unknown,
}

impl Desk {
    /// Reads a scanned code: an account QR, or a signed ticket of this desk.
    pub fn scan(&self, text: &str) -> Result<Scanned> {
        let text = guichet_tickets::scanned_text(text);
        if text.trim_start().starts_with(ACCOUNT_QR_PREFIX) {
            let (_, found) = self.look_up(text)?;
            return Ok(Scanned::Account(found.into_iter().next()));
        }
        let Ok(ticket) = guichet_tickets::SignedTicket::parse(text) else {
            return Ok(Scanned::Unknown);
        };
        let ticket_id = ticket.claims.ticket_id.to_string();
        Ok(match self.order_of_ticket(&ticket_id)? {
            Some(order) => Scanned::Ticket { ticket_id, order },
            None => Scanned::Unknown,
        })
    }

    /// [`Desk::look_up`], and when the desk finds nothing and `ask_server` (a server that
    /// answers), the server's account search, which keeps what it finds on the desk; then the
    /// desk's look-up again. A server that fails now leaves the look-up as it is (logged).
    pub fn look_up_here_or_on_server(
        &mut self,
        query: &str,
        ask_server: bool,
    ) -> Result<(LookUpBy, Vec<Account>)> {
        let found = self.look_up(query)?;
        if !found.1.is_empty()
            || !ask_server
            || query.trim().chars().count() < SERVER_SEARCH_MIN_CHARS
        {
            return Ok(found);
        }
        match self.find_on_server(query) {
            Ok(0) => Ok(found),
            Ok(_) => self.look_up(query),
            Err(e) => {
                eprintln!("guichet-desk: the server's account search failed: {e}");
                Ok(found)
            }
        }
    }
}
