//! Guichet tickets: the signed payload a QR code carries, device keys, PDF tickets (A4
//! print-at-home and 2 × 5.5 in thermal stock), printing through CUPS, and offline verification
//! at the gate. The format is specified in `docs/ticket-format.md`.
//!
//! The desk's path: [`TicketClaims::new`] → [`SignedTicket::sign`] → a [`TicketFace`] per
//! ticket → [`render_order`] → [`print_pdf`]. The gate's: [`Gate::scan`].

pub mod base45;
mod card;
mod claims;
pub mod demo;
mod error;
mod gate;
pub mod hex;
mod keys;
mod payload;
mod pdf;
mod print;
mod qr;
mod revocation;
mod scan_log;
#[cfg(test)]
mod vectors;

pub use card::{sign_card, verify_card, AccountCard, CardError, CARD_CONTEXT, CARD_PREFIX};
pub use claims::{Holder, TicketClaims, TicketId};
pub use error::{
    Base45Error, Error, ImageDecodeError, KeyError, PayloadError, PrintError, RenderError, Result,
    ScanLogError,
};
pub use gate::{check_ticket, Admission, Forgery, Gate, Verdict};
pub use keys::{
    default_key_dir, DeviceKey, KeyId, KeyList, KeyListEntry, KeyListFile, KEY_LIST_FORMAT,
    PRIVATE_KEY_FILE, PUBLIC_KEY_FILE,
};
pub use payload::{scanned_text, SignedTicket, FORMAT_VERSION, MAX_TEXT_LEN, SIGNING_CONTEXT};
pub use pdf::{
    font_files, fonts_cover, missing_glyphs, render_order, render_report, search_dirs, Layout,
    Report, ReportRow, ReportSection, TicketFace, FONT_DIRS_VAR, FONT_PACKAGES, SYSTEM_FONTS_VAR,
};
pub use print::{print_pdf, JobId, PrintOptions};
pub use qr::{decode_qr_image, decode_qr_luma, qr_code, qr_png, QR_EC_LEVEL};
pub use revocation::{Revocation, RevocationList, RevocationListFile, REVOCATION_LIST_FORMAT};
pub use scan_log::ScanLog;
