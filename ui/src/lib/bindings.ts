// Generated from src-tauri/src/wire.rs by ts-rs (src-tauri/src/bindings.rs). Do not edit:
// change the Rust types and run `UPDATE_BINDINGS=1 cargo test -p guichet-app --lib bindings`.

export type DeviceKind = "box-office" | "kiosk";

export type AppInfo = { 
/**
 * The application's version (the `guichet-app` crate's, which is also the bundle's).
 */
version: string, 
/**
 * Box office or kiosk, as configured.
 */
deviceKind: DeviceKind, 
/**
 * The clock is not the machine's (`GUICHET_NOW`): the screen says so.
 */
clockSimulated: boolean, 
/**
 * The simulated clock stays at its instant instead of running on.
 */
clockFixed: boolean, 
/**
 * Demo data was seeded into this desk file (`GUICHET_DEMO=1`).
 */
demo: DemoHint | null, 
/**
 * The desk's SQLite file.
 */
deskPath: string, 
/**
 * `en` or `fr`: the language chosen in the settings.
 */
language: string, };

export type DemoHint = { 
/**
 * Seller's staff id.
 */
seller: string, 
/**
 * Seller's PIN.
 */
sellerPin: string, 
/**
 * Supervisor's staff id.
 */
supervisor: string, 
/**
 * Supervisor's PIN.
 */
supervisorPin: string, };

export type FailureCode = "ALLOTMENT_SHORT" | "NOT_A_DESK_STORE" | "NEWER_SCHEMA" | "STORE" | "RULES" | "NOT_SIGNED_IN" | "UNKNOWN_OPERATOR" | "WRONG_PIN" | "LOCKED" | "NOT_SUPERVISOR" | "PIN_POLICY" | "NO_OPEN_SHIFT" | "SHIFT_ALREADY_OPEN" | "UNKNOWN_ACCOUNT" | "DRAW_REGISTRATION_REFUSED" | "CARD_NOT_VALID" | "BAD_INPUT" | "HOLDER_NAMES" | "HOLDER_NOT_PRINTABLE" | "NEGATIVE_AMOUNT" | "CARD_OVER_TOTAL" | "CASH_SHORT" | "CASH_NOT_DUE" | "ABSURD_CHANGE" | "CARD_DECLINED" | "UNKNOWN_ORDER" | "TICKET_NOT_VALID" | "ALREADY_VOIDED" | "SIGNING" | "NOT_ENROLLED" | "SERVER_UNREACHABLE" | "SERVER_REFUSED" | "RENDER" | "PRINT" | "ALREADY_ENROLLED" | "DEMO_DESK" | "SAVE" | "SCAN_UNKNOWN" | "SETTINGS" | "DEVICE_KEY" | "STAFF_ONLY_ON_KIOSK" | "NOT_IDENTIFIED" | "PAYMENT" | "OUT_OF_ORDER" | "SPEECH" | "INTERNAL";

export type Failure = { 
/**
 * What went wrong.
 */
code: FailureCode, 
/**
 * A sentence in the chosen language naming the next step.
 */
message: string, 
/**
 * The rule violations, for `RULES`; empty otherwise.
 */
details: Array<ViolationView>, };

export type ViolationView = { 
/**
 * Stable rule code (`ACCOUNT_CAP`, `SESSION_CAP`, …).
 */
code: string, 
/**
 * The sentence in the chosen language.
 */
message: string, 
/**
 * The session of the line that causes it, if one line does.
 */
session: string | null, };

export type OperatorView = { 
/**
 * Staff id.
 */
id: string, 
/**
 * Name.
 */
name: string, 
/**
 * `seller` or `supervisor`.
 */
role: string, };

export type StatusView = { 
/**
 * The last exchange with the server succeeded.
 */
online: boolean, 
/**
 * Outbox events not yet pushed.
 */
waiting: number, 
/**
 * Last successful sync, Paris time.
 */
lastSync: string | null, 
/**
 * Why the desk is offline, as a sentence with the next step, in the chosen language.
 */
lastError: string | null, 
/**
 * Tickets left in this desk's allotment.
 */
allotmentLeft: number, 
/**
 * This desk is enrolled with a server (it has a device id and a token).
 */
enrolled: boolean, 
/**
 * The server the desk syncs with (the enrolment's), or the settings' URL before
 * enrolment; empty: none.
 */
serverUrl: string, 
/**
 * The clock, Paris time (`20/02/2023 10:00:05`).
 */
nowParis: string, 
/**
 * The clock is simulated.
 */
clockSimulated: boolean, 
/**
 * Who is signed in.
 */
operator: OperatorView | null, 
/**
 * The open shift, if any.
 */
shift: ShiftView | null, };

export type ShiftView = { 
/**
 * Shift id.
 */
id: string, 
/**
 * Who opened it.
 */
openedBy: string, 
/**
 * When, Paris time.
 */
openedAt: string, 
/**
 * Cash float, cents.
 */
floatCents: number, };

export type AccountSummary = { 
/**
 * Account number or walk-in id.
 */
id: string, 
/**
 * "Given Family".
 */
name: string, 
/**
 * Email.
 */
email: string, 
/**
 * Country.
 */
country: string, 
/**
 * Club Paris 2024 number.
 */
club: string | null, 
/**
 * Made at this desk.
 */
walkIn: boolean, };

export type LookUpView = { 
/**
 * `qr`, `email`, `number` or `name`.
 */
by: string, 
/**
 * Matches, at most 20.
 */
accounts: Array<AccountSummary>, };

export type DrawView = { 
/**
 * Draw id.
 */
draw: string, 
/**
 * `registered`, `drawn` or `not-drawn`.
 */
status: string, 
/**
 * Timeslot start, Paris time.
 */
slotStart: string | null, 
/**
 * Timeslot end, Paris time.
 */
slotEnd: string | null, 
/**
 * The clock is inside the timeslot.
 */
slotOpenNow: boolean, 
/**
 * For a draw not entered (`not-registered`): its registration window, Paris time.
 */
registrationOpens: string | null, 
/**
 * End of that window (excluded), Paris time.
 */
registrationCloses: string | null, };

export type HeldView = { 
/**
 * Session.
 */
session: string, 
/**
 * Sport.
 */
sport: string, 
/**
 * Sport in French.
 */
sportFr: string, 
/**
 * Tickets held.
 */
count: number, 
/**
 * Cap per session.
 */
cap: number, };

export type TicketView = { 
/**
 * Ticket id.
 */
id: string, 
/**
 * What people read at the counter.
 */
short: string, 
/**
 * Session.
 */
session: string, 
/**
 * Category.
 */
category: string, 
/**
 * Holder.
 */
holder: string, 
/**
 * Price, cents.
 */
priceCents: number, 
/**
 * `valid`, `void` or `reissued`.
 */
status: string, };

export type OrderView = { 
/**
 * Order id.
 */
id: string, 
/**
 * What people read at the counter.
 */
short: string, 
/**
 * Sold at, Paris time.
 */
soldAt: string, 
/**
 * Total, cents.
 */
totalCents: number, 
/**
 * `sold` or `voided`.
 */
status: string, 
/**
 * Sold from the allotment.
 */
offline: boolean, 
/**
 * Tickets.
 */
tickets: Array<TicketView>, };

export type AccountView = { 
/**
 * Who.
 */
account: AccountSummary, 
/**
 * Draw results and timeslots.
 */
draws: Array<DrawView>, 
/**
 * Olympic tickets held.
 */
olympicHeld: number, 
/**
 * Olympic cap.
 */
olympicCap: number, 
/**
 * Paralympic tickets held.
 */
paralympicHeld: number, 
/**
 * Paralympic cap.
 */
paralympicCap: number, 
/**
 * Per session.
 */
perSession: Array<HeldView>, 
/**
 * Orders made at this desk, newest first.
 */
orders: Array<OrderView>, };

export type WalkInInput = { 
/**
 * Given name.
 */
givenName: string, 
/**
 * Family name.
 */
familyName: string, 
/**
 * Email.
 */
email: string, 
/**
 * Country, two letters.
 */
country: string, 
/**
 * Club number.
 */
clubNumber: string | null, };

export type SessionQuery = { 
/**
 * Code or words of the description.
 */
text: string | null, 
/**
 * Sport, exactly.
 */
sport: string | null, 
/**
 * Day, `2024-07-27`.
 */
day: string | null, 
/**
 * Venue name, exactly.
 */
venue: string | null, 
/**
 * Only what this desk can sell now (allotment left, sale phase open).
 */
onSaleNow: boolean, 
/**
 * Only sessions with a category at most this price.
 */
maxPriceCents: number | null, };

export type OfferView = { 
/**
 * A–D.
 */
category: string, 
/**
 * Price, cents.
 */
priceCents: number, 
/**
 * Left in this desk's allotment.
 */
left: number, };

export type SessionView = { 
/**
 * Code.
 */
code: string, 
/**
 * `olympic` or `paralympic`.
 */
games: string, 
/**
 * Sport (English, also the sport filter's value).
 */
sport: string, 
/**
 * Sport in French.
 */
sportFr: string, 
/**
 * What is on.
 */
description: string, 
/**
 * What is on, in French.
 */
descriptionFr: string, 
/**
 * Venue.
 */
venue: string, 
/**
 * Venue in French.
 */
venueFr: string, 
/**
 * Day at the venue.
 */
day: string, 
/**
 * Start, local time.
 */
start: string, 
/**
 * Categories.
 */
offers: Array<OfferView>, 
/**
 * Sellable now at this desk.
 */
onSale: boolean, };

export type SessionList = { 
/**
 * At most 200 matching sessions, by start.
 */
sessions: Array<SessionView>, 
/**
 * How many matched in all.
 */
matched: number, 
/**
 * Sports (the sport filter's values).
 */
sports: Array<string>, 
/**
 * The same sports in French, in the same order.
 */
sportsFr: Array<string>, 
/**
 * Venues (the venue filter's values).
 */
venues: Array<string>, 
/**
 * The same venues in French, in the same order.
 */
venuesFr: Array<string>, 
/**
 * Days.
 */
days: Array<string>, };

export type LineInput = { 
/**
 * Session.
 */
session: string, 
/**
 * Category.
 */
category: string, 
/**
 * Tickets.
 */
quantity: number, 
/**
 * Holder names for the first tickets of the line; the others are in the buyer's name.
 */
holders: Array<string>, };

export type OrderInput = { 
/**
 * Buyer.
 */
account: string, 
/**
 * `pack` or `single`.
 */
kind: string, 
/**
 * Lines.
 */
lines: Array<LineInput>, };

export type QuoteLine = { 
/**
 * Session.
 */
session: string, 
/**
 * Category.
 */
category: string, 
/**
 * Tickets.
 */
quantity: number, 
/**
 * Unit price, cents.
 */
unitPriceCents: number, 
/**
 * Line amount, cents.
 */
amountCents: number, };

export type QuoteView = { 
/**
 * No violation.
 */
accepted: boolean, 
/**
 * Priced lines, when accepted.
 */
lines: Array<QuoteLine>, 
/**
 * Total, cents.
 */
totalCents: number, 
/**
 * Tickets.
 */
tickets: number, 
/**
 * Every violation, when refused.
 */
violations: Array<ViolationView>, };

export type TenderInput = { 
/**
 * On the card, cents.
 */
cardCents: number, 
/**
 * Cash handed over, cents.
 */
cashCents: number, };

export type SaleView = { 
/**
 * Order id.
 */
orderId: string, 
/**
 * What people read.
 */
short: string, 
/**
 * Total, cents.
 */
totalCents: number, 
/**
 * Change to give back, cents.
 */
changeCents: number, 
/**
 * Card terminal reference.
 */
cardReference: string | null, 
/**
 * Tickets issued.
 */
tickets: number, 
/**
 * Sold from the allotment (no server yet, or unreachable).
 */
offline: boolean, 
/**
 * Set when an enrolled desk meant to sell online and sold from its allotment instead:
 * why, as a sentence in both languages (the screen shows the one chosen now, also when
 * the seller switches language after the sale).
 */
fallback: BothLanguages | null, };

export type BothLanguages = { 
/**
 * English.
 */
en: string, 
/**
 * French.
 */
fr: string, };

export type PdfView = { 
/**
 * Where the PDF is.
 */
path: string, 
/**
 * The first page as a PNG data URL, when `pdftoppm` is there.
 */
preview: string | null, };

export type PrintView = { 
/**
 * CUPS job id.
 */
job: string, 
/**
 * Queue.
 */
queue: string, };

export type VoidInput = { 
/**
 * Order.
 */
orderId: string, 
/**
 * Tickets to refund; empty: the whole order.
 */
ticketIds: Array<string>, 
/**
 * Supervisor's staff id.
 */
supervisor: string, 
/**
 * Supervisor's PIN.
 */
supervisorPin: string, 
/**
 * Why.
 */
reason: string, };

export type VoidView = { 
/**
 * Void id.
 */
voidId: string, 
/**
 * Cash back, cents.
 */
cashRefundCents: number, 
/**
 * Card back, cents.
 */
cardRefundCents: number, 
/**
 * Tickets revoked.
 */
revoked: number, };

export type ReissueInput = { 
/**
 * Ticket to replace.
 */
ticketId: string, 
/**
 * New holder; none keeps the name.
 */
newHolder: string | null, 
/**
 * Supervisor's staff id.
 */
supervisor: string, 
/**
 * Supervisor's PIN.
 */
supervisorPin: string, };

export type ZReportView = { 
/**
 * Shift id.
 */
shiftId: string, 
/**
 * Who opened it.
 */
openedBy: string, 
/**
 * Opened, Paris time.
 */
openedAt: string, 
/**
 * Closed, Paris time.
 */
closedAt: string | null, 
/**
 * Orders.
 */
orders: number, 
/**
 * Tickets.
 */
tickets: number, 
/**
 * Cash in, cents.
 */
cashInCents: number, 
/**
 * Card in, cents.
 */
cardInCents: number, 
/**
 * Cash refunded, cents.
 */
cashRefundedCents: number, 
/**
 * Card refunded, cents.
 */
cardRefundedCents: number, 
/**
 * Voids.
 */
voids: number, 
/**
 * Float, cents.
 */
floatCents: number, 
/**
 * Expected cash, cents.
 */
expectedCashCents: number, 
/**
 * Counted cash, cents.
 */
countedCashCents: number | null, 
/**
 * Counted − expected, cents.
 */
differenceCents: number | null, 
/**
 * The report's PDF, once closed.
 */
pdfPath: string | null, };

export type Settings = { 
/**
 * Central server URL (empty: none).
 */
serverUrl: string, 
/**
 * CUPS queue.
 */
printer: string, 
/**
 * `en` or `fr`.
 */
language: string, 
/**
 * Ticket layout for printing and saving: `a4` (print-at-home page) or `thermal`
 * (box-office ticket stock). Older settings files have none: A4.
 */
layout: string, };

export type EnrolInput = { 
/**
 * The server's base URL.
 */
serverUrl: string, 
/**
 * The one-time code an administrator made (`guichet-server enrol`).
 */
code: string, 
/**
 * A name for people ("Desk 3, Stade de France").
 */
name: string, };

export type EnrolView = { 
/**
 * The device id the server gave this desk.
 */
deviceId: string, 
/**
 * The server.
 */
serverUrl: string, };

export type Bucket = { 
/**
 * Hour (`10:00`) or sport.
 */
label: string, 
/**
 * The label in French (the hour, or the sport in French).
 */
labelFr: string, 
/**
 * Tickets.
 */
tickets: number, 
/**
 * Revenue, cents.
 */
revenueCents: number, };

export type Dashboard = { 
/**
 * By hour of sale, Paris time.
 */
byHour: Array<Bucket>, 
/**
 * By sport.
 */
bySport: Array<Bucket>, };

export type ScanView = { 
/**
 * Account to open.
 */
accountId: string | null, 
/**
 * Ticket scanned, if a ticket.
 */
ticketId: string | null, 
/**
 * Its order.
 */
orderId: string | null, };

export type KioskHealth = { 
/**
 * Every check passed and the kiosk is in service.
 */
ok: boolean, 
/**
 * The out-of-order code of the first failing check (`OOO-PRINTER`, …).
 */
code: string | null, 
/**
 * Every failing check, for the maintenance screen (staff words, English).
 */
problems: Array<string>, 
/**
 * Seats are held at the server (else from the allotment).
 */
online: boolean, 
/**
 * Whether the server has acknowledged this very state (`PUT /v1/devices/self/state`,
 * sent by a thread of its own): false offline and until the server answers.
 */
reported: boolean, 
/**
 * Seconds without input before the idle warning.
 */
idleWarnS: number, 
/**
 * Seconds without input before the wipe.
 */
idleWipeS: number, };

export type HeldCount = { 
/**
 * Session code.
 */
session: string, 
/**
 * Tickets held.
 */
held: number, };

export type SlotView = { 
/**
 * Paris time, `2023-02-17 10:00`.
 */
start: string, 
/**
 * Paris time.
 */
end: string, 
/**
 * Open now.
 */
open: boolean, };

export type KioskStanding = { 
/**
 * Given name only, for the greeting.
 */
givenName: string, 
/**
 * Tickets held.
 */
held: number, 
/**
 * Tickets it may still buy.
 */
left: number, 
/**
 * The cap per account.
 */
perAccount: number, 
/**
 * The cap per session.
 */
perSession: number, 
/**
 * Held per session.
 */
sessions: Array<HeldCount>, 
/**
 * Timeslots.
 */
slots: Array<SlotView>, 
/**
 * Read from the server now (else the kiosk's cache).
 */
fresh: boolean, };

export type KioskLine = { 
/**
 * Session code.
 */
session: string, 
/**
 * Category (`A`–`D`, `WCH`, `CMP`).
 */
category: string, 
/**
 * Tickets.
 */
quantity: number, };

export type KioskBasket = { 
/**
 * A pack (exactly three sessions) or single tickets.
 */
pack: boolean, 
/**
 * Lines.
 */
lines: Array<KioskLine>, };

export type KioskQuote = { 
/**
 * No rule broken.
 */
accepted: boolean, 
/**
 * Total, cents (0 when refused).
 */
totalCents: number, 
/**
 * Every broken rule, in words, with the session it is about.
 */
violations: Array<ViolationView>, };

export type KioskSale = { 
/**
 * `sold`, `declined`, `cancelled` or `reversed`.
 */
outcome: string, 
/**
 * Tickets printed.
 */
tickets: number, 
/**
 * The order's short reference (sold only).
 */
order: string | null, };

export type KioskProgress = { 
/**
 * `intent`, `held`, `authorised`, `printed`, `captured`, `undone`, or none yet.
 */
step: string | null, };

export type MaintenanceAction = "paperRefilled" | "outOfService" | "inService" | "signOut";

export type MaintenanceView = { 
/**
 * Their name.
 */
supervisor: string, 
/**
 * Out of service by staff.
 */
outOfService: boolean, 
/**
 * Intents settled at start-up (how many).
 */
reconciled: number, };
