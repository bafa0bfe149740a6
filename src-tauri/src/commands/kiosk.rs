//! The kiosk window's own commands (`names::KIOSK`): none yet. Until the self-service flow
//! lands, a kiosk window has only the common commands (`common.rs`).
//!
//! Planned here, each granted to the kiosk window alone in `capabilities/kiosk.json` and added
//! to `names::KIOSK`:
//! - `kiosk_identify`: an account from its signed QR (never a search by name or email);
//! - `kiosk_standing`: what that account may still buy (tickets left of 30, per session, its
//!   timeslot and whether it is open);
//! - `kiosk_quote`: the rules on the basket of the identified account only;
//! - `kiosk_hold` / `kiosk_release`: seats held before the card is asked, released on
//!   decline, cancel or timeout;
//! - `kiosk_pay`: the payment intent, authorise, sign and print, capture;
//! - `kiosk_health`: printer, terminal, stock and phase checks before a sale is offered;
//! - `kiosk_reset`: the idle wipe back to the attract screen.
