//! What crosses the IPC boundary, shaped for the screens: plain numbers (money in integer cents),
//! strings already in Paris time, camelCase. `ts-rs` writes the TypeScript side to
//! `ui/src/lib/bindings.ts` (see [`crate::bindings`]); the UI never declares these by hand.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::config::DeviceKind;

/// What the sign-in screen shows about this installation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    /// The application's version (the `guichet-app` crate's, which is also the bundle's).
    pub version: String,
    /// Box office or kiosk, as configured.
    pub device_kind: DeviceKind,
    /// The clock is not the machine's (`GUICHET_NOW`): the screen says so.
    pub clock_simulated: bool,
    /// The simulated clock stays at its instant instead of running on.
    pub clock_fixed: bool,
    /// Demo data was seeded into this desk file (`GUICHET_DEMO=1`).
    pub demo: Option<DemoHint>,
    /// The desk's SQLite file.
    pub desk_path: String,
    /// `en` or `fr`: the language chosen in the settings.
    pub language: String,
}

/// The demo desk's staff, shown on the sign-in screen of a demo desk only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DemoHint {
    /// Seller's staff id.
    pub seller: String,
    /// Seller's PIN.
    pub seller_pin: String,
    /// Supervisor's staff id.
    pub supervisor: String,
    /// Supervisor's PIN.
    pub supervisor_pin: String,
}

/// What went wrong, for the UI to switch on (never the sentence): the desk's errors one for
/// one, then the shell's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FailureCode {
    /// This desk's allotment is too short for the order.
    AllotmentShort,
    /// The file is not a desk's store.
    NotADeskStore,
    /// The file was written by a newer app.
    NewerSchema,
    /// The desk's file failed.
    Store,
    /// The sale rules refused the order: `details` lists every violation.
    Rules,
    /// Nobody is signed in.
    NotSignedIn,
    /// No such staff id.
    UnknownOperator,
    /// Wrong PIN (counted).
    WrongPin,
    /// Locked after too many wrong PINs.
    Locked,
    /// A supervisor's PIN is needed.
    NotSupervisor,
    /// A PIN is 4 to 8 digits.
    PinPolicy,
    /// No shift is open.
    NoOpenShift,
    /// A shift is open already.
    ShiftAlreadyOpen,
    /// No such account on this desk.
    UnknownAccount,
    /// The server refused a draw registration (outside its window, twice, closed list…).
    DrawRegistrationRefused,
    /// A scanned account card a kiosk may not trust (forged, foreign, unsigned, expired).
    CardNotValid,
    /// A field cannot be read.
    BadInput,
    /// More holder names than tickets.
    HolderNames,
    /// A holder's name no ticket font draws.
    HolderNotPrintable,
    /// A negative amount.
    NegativeAmount,
    /// Card over the total.
    CardOverTotal,
    /// Not enough cash.
    CashShort,
    /// Cash given when the card pays all.
    CashNotDue,
    /// Change over the limit.
    AbsurdChange,
    /// The terminal declined.
    CardDeclined,
    /// No such order.
    UnknownOrder,
    /// The ticket is not valid.
    TicketNotValid,
    /// The order is voided already.
    AlreadyVoided,
    /// The ticket signer failed.
    Signing,
    /// Not enrolled with a server.
    NotEnrolled,
    /// The server does not answer.
    ServerUnreachable,
    /// The server refused.
    ServerRefused,
    /// The tickets could not be rendered.
    Render,
    /// The tickets could not be printed.
    Print,
    /// Enrolled already.
    AlreadyEnrolled,
    /// A demo desk may not enrol.
    DemoDesk,
    /// A file could not be saved.
    Save,
    /// A scanned code is neither an account nor a ticket of this desk.
    ScanUnknown,
    /// The settings could not be kept.
    Settings,
    /// The device's signing key cannot be used.
    DeviceKey,
    /// A staff function asked on a kiosk.
    StaffOnlyOnKiosk,
    /// A kiosk sale was asked with no fan identified (or after the wipe).
    NotIdentified,
    /// The kiosk's payment core failed (terminal, printer, intent); reconciliation settles it.
    Payment,
    /// The kiosk is out of order or out of service: no sale starts.
    OutOfOrder,
    /// Speech mode could not say a text (a language it does not speak, espeak-ng missing).
    Speech,
    /// Something failed inside the app.
    Internal,
}

/// Every refusal or failure: a code the UI switches on and a sentence with the next step.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Failure {
    /// What went wrong.
    pub code: FailureCode,
    /// A sentence in the chosen language naming the next step.
    pub message: String,
    /// The rule violations, for `RULES`; empty otherwise.
    pub details: Vec<ViolationView>,
}

/// One broken sale rule, with the order line it belongs to when it has one.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ViolationView {
    /// Stable rule code (`ACCOUNT_CAP`, `SESSION_CAP`, …).
    pub code: String,
    /// The sentence in the chosen language.
    pub message: String,
    /// The session of the line that causes it, if one line does.
    pub session: Option<String>,
}

/// The operator at the counter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OperatorView {
    /// Staff id.
    pub id: String,
    /// Name.
    pub name: String,
    /// `seller` or `supervisor`.
    pub role: String,
}

/// The status bar: connection, events waiting, last sync, allotment, the clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StatusView {
    /// The last exchange with the server succeeded.
    pub online: bool,
    /// Outbox events not yet pushed.
    pub waiting: u32,
    /// Last successful sync, Paris time.
    pub last_sync: Option<String>,
    /// Why the desk is offline, as a sentence with the next step, in the chosen language.
    pub last_error: Option<String>,
    /// Tickets left in this desk's allotment.
    pub allotment_left: u32,
    /// This desk is enrolled with a server (it has a device id and a token).
    pub enrolled: bool,
    /// The server the desk syncs with (the enrolment's), or the settings' URL before
    /// enrolment; empty: none.
    pub server_url: String,
    /// The clock, Paris time (`20/02/2023 10:00:05`).
    pub now_paris: String,
    /// The clock is simulated.
    pub clock_simulated: bool,
    /// Who is signed in.
    pub operator: Option<OperatorView>,
    /// The open shift, if any.
    pub shift: Option<ShiftView>,
}

/// An open shift.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ShiftView {
    /// Shift id.
    pub id: String,
    /// Who opened it.
    pub opened_by: String,
    /// When, Paris time.
    pub opened_at: String,
    /// Cash float, cents.
    pub float_cents: i64,
}

/// An account in a result list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AccountSummary {
    /// Account number or walk-in id.
    pub id: String,
    /// "Given Family".
    pub name: String,
    /// Email.
    pub email: String,
    /// Country.
    pub country: String,
    /// Club Paris 2024 number.
    pub club: Option<String>,
    /// Made at this desk.
    pub walk_in: bool,
}

/// A look-up's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LookUpView {
    /// `qr`, `email`, `number` or `name`.
    pub by: String,
    /// Matches, at most 20.
    pub accounts: Vec<AccountSummary>,
}

/// One draw the account entered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DrawView {
    /// Draw id.
    pub draw: String,
    /// `registered`, `drawn` or `not-drawn`.
    pub status: String,
    /// Timeslot start, Paris time.
    pub slot_start: Option<String>,
    /// Timeslot end, Paris time.
    pub slot_end: Option<String>,
    /// The clock is inside the timeslot.
    pub slot_open_now: bool,
    /// For a draw not entered (`not-registered`): its registration window, Paris time.
    pub registration_opens: Option<String>,
    /// End of that window (excluded), Paris time.
    pub registration_closes: Option<String>,
}

/// Tickets held for one session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct HeldView {
    /// Session.
    pub session: String,
    /// Sport.
    pub sport: String,
    /// Sport in French.
    pub sport_fr: String,
    /// Tickets held.
    pub count: u32,
    /// Cap per session.
    pub cap: u32,
}

/// A ticket of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TicketView {
    /// Ticket id.
    pub id: String,
    /// What people read at the counter.
    pub short: String,
    /// Session.
    pub session: String,
    /// Category.
    pub category: String,
    /// Holder.
    pub holder: String,
    /// Price, cents.
    pub price_cents: i64,
    /// `valid`, `void` or `reissued`.
    pub status: String,
}

/// An order of an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OrderView {
    /// Order id.
    pub id: String,
    /// What people read at the counter.
    pub short: String,
    /// Sold at, Paris time.
    pub sold_at: String,
    /// Total, cents.
    pub total_cents: i64,
    /// `sold` or `voided`.
    pub status: String,
    /// Sold from the allotment.
    pub offline: bool,
    /// Tickets.
    pub tickets: Vec<TicketView>,
}

/// An account with everything the counter needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AccountView {
    /// Who.
    pub account: AccountSummary,
    /// Draw results and timeslots.
    pub draws: Vec<DrawView>,
    /// Olympic tickets held.
    pub olympic_held: u32,
    /// Olympic cap.
    pub olympic_cap: u32,
    /// Paralympic tickets held.
    pub paralympic_held: u32,
    /// Paralympic cap.
    pub paralympic_cap: u32,
    /// Per session.
    pub per_session: Vec<HeldView>,
    /// Orders made at this desk, newest first.
    pub orders: Vec<OrderView>,
}

/// A walk-in customer as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct WalkInInput {
    /// Given name.
    pub given_name: String,
    /// Family name.
    pub family_name: String,
    /// Email.
    pub email: String,
    /// Country, two letters.
    pub country: String,
    /// Club number.
    pub club_number: Option<String>,
}

/// Session browser filters; every field optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SessionQuery {
    /// Code or words of the description.
    pub text: Option<String>,
    /// Sport, exactly.
    pub sport: Option<String>,
    /// Day, `2024-07-27`.
    pub day: Option<String>,
    /// Venue name, exactly.
    pub venue: Option<String>,
    /// Only what this desk can sell now (allotment left, sale phase open).
    pub on_sale_now: bool,
    /// Only sessions with a category at most this price.
    pub max_price_cents: Option<i64>,
}

/// A price category of a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OfferView {
    /// A–D.
    pub category: String,
    /// Price, cents.
    pub price_cents: i64,
    /// Left in this desk's allotment.
    pub left: u32,
}

/// A session in the browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SessionView {
    /// Code.
    pub code: String,
    /// `olympic` or `paralympic`.
    pub games: String,
    /// Sport (English, also the sport filter's value).
    pub sport: String,
    /// Sport in French.
    pub sport_fr: String,
    /// What is on.
    pub description: String,
    /// What is on, in French.
    pub description_fr: String,
    /// Venue.
    pub venue: String,
    /// Venue in French.
    pub venue_fr: String,
    /// Day at the venue.
    pub day: String,
    /// Start, local time.
    pub start: String,
    /// Categories.
    pub offers: Vec<OfferView>,
    /// Sellable now at this desk.
    pub on_sale: bool,
}

/// The browser's answer: sessions and the values the filters offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SessionList {
    /// At most 200 matching sessions, by start.
    pub sessions: Vec<SessionView>,
    /// How many matched in all.
    pub matched: u32,
    /// Sports (the sport filter's values).
    pub sports: Vec<String>,
    /// The same sports in French, in the same order.
    pub sports_fr: Vec<String>,
    /// Venues (the venue filter's values).
    pub venues: Vec<String>,
    /// The same venues in French, in the same order.
    pub venues_fr: Vec<String>,
    /// Days.
    pub days: Vec<String>,
}

/// One line as the pack builder holds it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LineInput {
    /// Session.
    pub session: String,
    /// Category.
    pub category: String,
    /// Tickets.
    pub quantity: u32,
    /// Holder names for the first tickets of the line; the others are in the buyer's name.
    #[serde(default)]
    pub holders: Vec<String>,
}

/// An order being built.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OrderInput {
    /// Buyer.
    pub account: String,
    /// `pack` or `single`.
    pub kind: String,
    /// Lines.
    pub lines: Vec<LineInput>,
}

/// A priced line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct QuoteLine {
    /// Session.
    pub session: String,
    /// Category.
    pub category: String,
    /// Tickets.
    pub quantity: u32,
    /// Unit price, cents.
    pub unit_price_cents: i64,
    /// Line amount, cents.
    pub amount_cents: i64,
}

/// The rules' answer on a draft, before payment.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct QuoteView {
    /// No violation.
    pub accepted: bool,
    /// Priced lines, when accepted.
    pub lines: Vec<QuoteLine>,
    /// Total, cents.
    pub total_cents: i64,
    /// Tickets.
    pub tickets: u32,
    /// Every violation, when refused.
    pub violations: Vec<ViolationView>,
}

/// How the customer pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TenderInput {
    /// On the card, cents.
    pub card_cents: i64,
    /// Cash handed over, cents.
    pub cash_cents: i64,
}

/// A completed sale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SaleView {
    /// Order id.
    pub order_id: String,
    /// What people read.
    pub short: String,
    /// Total, cents.
    pub total_cents: i64,
    /// Change to give back, cents.
    pub change_cents: i64,
    /// Card terminal reference.
    pub card_reference: Option<String>,
    /// Tickets issued.
    pub tickets: u32,
    /// Sold from the allotment (no server yet, or unreachable).
    pub offline: bool,
    /// Set when an enrolled desk meant to sell online and sold from its allotment instead:
    /// why, as a sentence in both languages (the screen shows the one chosen now, also when
    /// the seller switches language after the sale).
    pub fallback: Option<BothLanguages>,
}

/// One sentence in English and in French.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct BothLanguages {
    /// English.
    pub en: String,
    /// French.
    pub fr: String,
}

/// An order's tickets as a PDF kept on disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PdfView {
    /// Where the PDF is.
    pub path: String,
    /// The first page as a PNG data URL, when `pdftoppm` is there.
    pub preview: Option<String>,
}

/// A print job sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PrintView {
    /// CUPS job id.
    pub job: String,
    /// Queue.
    pub queue: String,
}

/// A void or refund, approved by a supervisor.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct VoidInput {
    /// Order.
    pub order_id: String,
    /// Tickets to refund; empty: the whole order.
    pub ticket_ids: Vec<String>,
    /// Supervisor's staff id.
    pub supervisor: String,
    /// Supervisor's PIN.
    pub supervisor_pin: String,
    /// Why.
    pub reason: String,
}

/// What a void did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct VoidView {
    /// Void id.
    pub void_id: String,
    /// Cash back, cents.
    pub cash_refund_cents: i64,
    /// Card back, cents.
    pub card_refund_cents: i64,
    /// Tickets revoked.
    pub revoked: u32,
}

/// A reissue, approved by a supervisor.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReissueInput {
    /// Ticket to replace.
    pub ticket_id: String,
    /// New holder; none keeps the name.
    pub new_holder: Option<String>,
    /// Supervisor's staff id.
    pub supervisor: String,
    /// Supervisor's PIN.
    pub supervisor_pin: String,
}

/// The Z (or X, while open) report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ZReportView {
    /// Shift id.
    pub shift_id: String,
    /// Who opened it.
    pub opened_by: String,
    /// Opened, Paris time.
    pub opened_at: String,
    /// Closed, Paris time.
    pub closed_at: Option<String>,
    /// Orders.
    pub orders: u32,
    /// Tickets.
    pub tickets: u32,
    /// Cash in, cents.
    pub cash_in_cents: i64,
    /// Card in, cents.
    pub card_in_cents: i64,
    /// Cash refunded, cents.
    pub cash_refunded_cents: i64,
    /// Card refunded, cents.
    pub card_refunded_cents: i64,
    /// Voids.
    pub voids: u32,
    /// Float, cents.
    pub float_cents: i64,
    /// Expected cash, cents.
    pub expected_cash_cents: i64,
    /// Counted cash, cents.
    pub counted_cash_cents: Option<i64>,
    /// Counted − expected, cents.
    pub difference_cents: Option<i64>,
    /// The report's PDF, once closed.
    pub pdf_path: Option<String>,
}

/// Settings the operator may change (kept beside the desk file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    /// Central server URL (empty: none).
    pub server_url: String,
    /// CUPS queue.
    pub printer: String,
    /// `en` or `fr`.
    pub language: String,
    /// Ticket layout for printing and saving: `a4` (print-at-home page) or `thermal`
    /// (box-office ticket stock). Older settings files have none: A4.
    #[serde(default = "a4")]
    pub layout: String,
}

fn a4() -> String {
    "a4".into()
}

/// Enrolment typed in the Settings screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EnrolInput {
    /// The server's base URL.
    pub server_url: String,
    /// The one-time code an administrator made (`guichet-server enrol`).
    pub code: String,
    /// A name for people ("Desk 3, Stade de France").
    pub name: String,
}

/// What an enrolment did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EnrolView {
    /// The device id the server gave this desk.
    pub device_id: String,
    /// The server.
    pub server_url: String,
}

/// One bar of a dashboard chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Bucket {
    /// Hour (`10:00`) or sport.
    pub label: String,
    /// The label in French (the hour, or the sport in French).
    pub label_fr: String,
    /// Tickets.
    pub tickets: u32,
    /// Revenue, cents.
    pub revenue_cents: i64,
}

/// The shift dashboard: valid tickets sold in the open shift.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Dashboard {
    /// By hour of sale, Paris time.
    pub by_hour: Vec<Bucket>,
    /// By sport.
    pub by_sport: Vec<Bucket>,
}

/// What a scanned code is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ScanView {
    /// Account to open.
    pub account_id: Option<String>,
    /// Ticket scanned, if a ticket.
    pub ticket_id: Option<String>,
    /// Its order.
    pub order_id: Option<String>,
}
