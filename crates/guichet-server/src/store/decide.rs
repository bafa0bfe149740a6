//! The sale decided apart from any SQL: the request's form, the rules (through
//! `guichet_domain::check_order`), a hold's seats, a desk sale's limits and the answers. Both
//! stores (SQLite here, PostgreSQL in `store_pg`) read what these functions need, call them,
//! and write what they decided; none of them reads or writes a database.

use std::collections::BTreeMap;

use guichet_domain::rules::AccountStanding;
use guichet_domain::{
    check_order, AccountId, Catalogue, DraftLine, DraftOrder, Games, OrderKind, PriceCategory,
    SaleConfig, SessionCode, ValidOrder, Violation,
};
use guichet_wire::accounts::{AccountDto, DrawDto, HeldDto};
use guichet_wire::orders::{OrderLineDto, OrderRequest, OrderResponse, TicketDto};
use guichet_wire::sync::SalePayload;
use jiff::Timestamp;

use super::sales::SaleError;

/// An online order's request, checked for form: what the rules and the writes need.
#[derive(Debug, Clone)]
pub struct ParsedOrder {
    /// The lines, as the rules read them.
    pub draft: DraftOrder,
    /// The buyer.
    pub account: AccountId,
    /// The idempotency key (a UUID).
    pub key: String,
    /// The hold the order confirms, and the request as sent (its lines are compared).
    pub hold: Option<(String, OrderRequest)>,
    /// The request's body, hashed: the same key sent with another body is refused.
    pub body: String,
}

/// The SHA-256 of an order request as JSON (field order fixed by the struct), kept with its
/// idempotency key.
pub fn body_hash(req: &OrderRequest) -> String {
    let text = serde_json::to_string(req).unwrap_or_default();
    super::devices::sha256_hex(&text)
}

/// The refusal of a key sent again with another body.
pub fn key_reused(key: &str) -> SaleError {
    SaleError::Store(super::StoreError::Conflict(format!(
        "idempotency key {key} was used for another order: an idempotency key names one request for ever — send this order with a new key"
    )))
}

/// The rules' refusal as kept with its key (`{"rules": …}`).
pub fn refusal_text(r: &guichet_domain::Rejection) -> String {
    serde_json::json!({ "rules": r }).to_string()
}

/// The rules' refusal kept with a key, read back; `None` if the text is not one.
pub fn stored_refusal(text: &str) -> Option<guichet_domain::Rejection> {
    let v: serde_json::Value = serde_json::from_str(text).ok()?;
    serde_json::from_value(v.get("rules")?.clone()).ok()
}

/// Checks an order request's form (400 on a malformed one).
pub fn parse_order(req: &OrderRequest) -> Result<ParsedOrder, SaleError> {
    let draft = DraftOrder::try_from(req).map_err(SaleError::BadRequest)?;
    let account = guichet_wire::checks::account_id("account_id", &req.account_id)
        .map_err(SaleError::BadRequest)?;
    let key = guichet_wire::checks::uuid("idempotency_key", &req.idempotency_key)
        .map_err(SaleError::BadRequest)?;
    let hold = match &req.hold_id {
        Some(h) => Some((
            guichet_wire::checks::uuid("hold_id", h).map_err(SaleError::BadRequest)?,
            req.clone(),
        )),
        None => None,
    };
    Ok(ParsedOrder {
        draft,
        account,
        key,
        hold,
        body: body_hash(req),
    })
}

/// Decides an online order from what was read: the account's standing, the seats left per
/// offer and, if the order confirms a live hold, the hold's lines (whose seats are this
/// order's, so they count as free for it). `Err` is every violation.
pub fn decide_order(
    draft: &DraftOrder,
    standing: &AccountStanding,
    mut left: BTreeMap<(SessionCode, PriceCategory), u32>,
    hold_lines: Option<&[OrderLineDto]>,
    config: &SaleConfig,
    catalogue: &Catalogue,
    now: Timestamp,
) -> Result<ValidOrder, SaleError> {
    if let Some(lines) = hold_lines {
        for (l, d) in lines.iter().zip(&draft.lines) {
            if let Some(n) = left.get_mut(&(d.session.clone(), d.category)) {
                *n = n.saturating_add(l.quantity);
            }
        }
    }
    check_order(draft, standing, config, catalogue, &left, now).map_err(SaleError::Rules)
}

/// Counts `n` valid tickets of (session, category) in a standing, as a store reading the
/// account's tickets counts them: every ticket towards the session, and wheelchair places
/// and companion seats also as the session's pairs.
pub fn add_held(
    standing: &mut AccountStanding,
    session: &SessionCode,
    category: PriceCategory,
    n: u32,
) {
    let e = standing.held.entry(session.clone()).or_default();
    *e = e.saturating_add(n);
    if matches!(category, PriceCategory::WCH | PriceCategory::CMP) {
        standing
            .accessible
            .entry(session.clone())
            .or_default()
            .add(category, n);
    }
}

/// A standing after an accepted order's tickets are written (a batch deciding several orders
/// of one account in turn).
pub fn add_order(standing: &mut AccountStanding, valid: &ValidOrder) {
    for l in &valid.lines {
        add_held(standing, &l.session, l.category, l.quantity);
    }
}

/// The order kind's text as stored.
pub fn kind_text(kind: OrderKind) -> &'static str {
    match kind {
        OrderKind::Pack => "pack",
        OrderKind::Single => "single",
    }
}

/// The answer to an accepted order: `ticket_ids` are one per seat, in line order.
pub fn order_response(
    valid: &ValidOrder,
    order_id: String,
    ticket_ids: Vec<String>,
) -> OrderResponse {
    let mut ids = ticket_ids.into_iter();
    let mut tickets = Vec::new();
    for l in &valid.lines {
        for _ in 0..l.quantity {
            tickets.push(TicketDto {
                id: ids.next().unwrap_or_default(),
                session: l.session.to_string(),
                category: l.category.to_string(),
                price_cents: l.unit_price.cents(),
            });
        }
    }
    OrderResponse {
        order_id,
        phase: valid.phase.clone(),
        total_cents: valid.total.cents(),
        tickets,
        duplicate: false,
    }
}

/// A desk's sale as pushed, decided: its seats per offer, its total, and the limits it broke
/// (kept anyway: the fan holds the tickets; a supervisor settles them).
#[derive(Debug, Clone)]
pub struct DeskSale {
    /// The payload.
    pub payload: SalePayload,
    /// The buyer.
    pub account: AccountId,
    /// Seats per (session, category), in the offers' order.
    pub groups: BTreeMap<(String, String), u32>,
    /// Sum of the tickets' prices.
    pub total: i64,
    /// The rules it broke at its device time.
    pub violations: Vec<Violation>,
}

/// Parses a pushed sale's payload (the first half of [`desk_sale`]): the buyer and the sale
/// time, so the store can read the account's standing.
pub fn desk_sale_payload(
    payload: &serde_json::Value,
) -> Result<(SalePayload, AccountId, Timestamp), String> {
    let p: SalePayload =
        serde::Deserialize::deserialize(payload).map_err(|x| format!("payload: {x}"))?;
    let account = AccountId::parse(&p.account_id).map_err(|x| x.to_string())?;
    let sold_at: Timestamp = p.sold_at.parse().map_err(|x| format!("sold_at: {x}"))?;
    if p.tickets.is_empty() {
        return Err("a sale without tickets".into());
    }
    Ok((p, account, sold_at))
}

/// Decides a pushed sale against the buyer's standing before it. Stock is not the question
/// (the escrow covered it), so the catalogue's full capacity stands in for it.
pub fn desk_sale(
    p: SalePayload,
    account: AccountId,
    sold_at: Timestamp,
    before: &AccountStanding,
    config: &SaleConfig,
    catalogue: &Catalogue,
) -> Result<DeskSale, String> {
    let mut groups: BTreeMap<(String, String), u32> = BTreeMap::new();
    for t in &p.tickets {
        let s = SessionCode::parse(&t.session).map_err(|e| e.to_string())?;
        let c = PriceCategory::parse(&t.category).map_err(|e| e.to_string())?;
        let n = groups.entry((s.to_string(), c.to_string())).or_default();
        *n = n.saturating_add(1);
    }
    let total = p
        .tickets
        .iter()
        .try_fold(0i64, |a, t| a.checked_add(t.price))
        .ok_or_else(|| {
            format!(
                "order {}: its tickets' prices add up to more than an amount can hold ({} cents) — check the prices the device sent",
                p.order_id,
                i64::MAX
            )
        })?;
    let kind = if p.kind.eq_ignore_ascii_case("pack") {
        OrderKind::Pack
    } else {
        OrderKind::Single
    };
    let mut lines = Vec::with_capacity(groups.len());
    for ((s, c), n) in &groups {
        lines.push(DraftLine {
            session: SessionCode::parse(s).map_err(|e| e.to_string())?,
            category: PriceCategory::parse(c).map_err(|e| e.to_string())?,
            quantity: *n,
        });
    }
    let draft = DraftOrder { kind, lines };
    let violations = check_order(&draft, before, config, catalogue, catalogue, sold_at)
        .err()
        .map(|r| r.violations)
        .unwrap_or_default();
    Ok(DeskSale {
        payload: p,
        account,
        groups,
        total,
        violations,
    })
}

/// What a desk sale over a limit records and answers: the conflict's details and the ack's
/// note; `None` when it broke nothing.
pub fn desk_sale_note(
    violations: &[Violation],
    beyond: u64,
) -> Option<(serde_json::Value, String)> {
    let mut notes: Vec<String> = violations
        .iter()
        .map(|v| format!("[{}] {}", v.code, v.en))
        .collect();
    if beyond > 0 {
        notes.push(format!(
            "sold {beyond} seats beyond this device's allotment"
        ));
    }
    if notes.is_empty() {
        return None;
    }
    let details = serde_json::json!({ "violations": violations, "beyond_allotment": beyond });
    Some((
        details,
        format!(
            "kept; conflict recorded for a supervisor: {}",
            notes.join("; ")
        ),
    ))
}

/// Seats lent to a device and not yet sold or returned; never below 0, and `sold + returned`
/// cannot wrap.
pub fn outstanding(granted: u32, sold: u32, returned: u32) -> u32 {
    granted.saturating_sub(sold.saturating_add(returned))
}

/// The draw status's text as stored.
pub fn status_text(s: guichet_domain::rules::DrawStatus) -> &'static str {
    use guichet_domain::rules::DrawStatus;
    match s {
        DrawStatus::Registered => "registered",
        DrawStatus::Drawn => "drawn",
        DrawStatus::NotDrawn => "not_drawn",
    }
}

/// An account's answer from its row and its standing.
pub fn account_dto(
    id: &AccountId,
    row: (String, String, String, Option<String>),
    st: &AccountStanding,
    cat: &Catalogue,
) -> AccountDto {
    let (name, email, country, club_number) = row;
    AccountDto {
        id: id.to_string(),
        name,
        email,
        country,
        club_number,
        olympic_held: st.held_in(Games::Olympic, cat),
        paralympic_held: st.held_in(Games::Paralympic, cat),
        held: st
            .held
            .iter()
            .map(|(s, n)| HeldDto {
                session: s.to_string(),
                count: *n,
            })
            .collect(),
        draws: st
            .draws
            .iter()
            .map(|(d, e)| DrawDto {
                draw: d.clone(),
                status: status_text(e.status).to_string(),
                slot_start: e.timeslot.map(|t| t.start.to_string()),
                slot_end: e.timeslot.map(|t| t.end.to_string()),
            })
            .collect(),
    }
}

/// A new account's fields checked and normalised: (name, email, country, language, id).
pub fn new_account(
    new: &guichet_wire::accounts::NewAccount,
) -> Result<(String, String, String, &'static str, AccountId), super::StoreError> {
    use super::StoreError;
    let name = new.name.trim();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(StoreError::Invalid("name: 1 to 120 characters".into()));
    }
    let email = new.email.trim().to_lowercase();
    if !email.contains('@') || email.chars().count() > 254 {
        return Err(StoreError::Invalid(format!(
            "email {email:?} is not an email address"
        )));
    }
    let country = new.country.trim().to_uppercase();
    if country.len() != 2 || !country.chars().all(|c| c.is_ascii_uppercase()) {
        return Err(StoreError::Invalid(format!(
            "country {country:?}: expected a two-letter ISO code (FR)"
        )));
    }
    let language = match &new.language {
        Some(l) => guichet_notices::lang::parse(l).ok_or_else(|| {
            StoreError::Invalid(format!(
                "language {l:?}: notices are written in fr or en; send one of them, or none to get fr for France and en elsewhere"
            ))
        })?,
        None => guichet_notices::lang::default_for_country(&country),
    };
    let language = guichet_notices::lang::code(language);
    let id = match &new.id {
        Some(id) => AccountId::parse(id).map_err(|e| StoreError::Invalid(e.to_string()))?,
        None => AccountId::parse(&format!("A-{}", uuid::Uuid::now_v7().simple()))
            .map_err(|e| StoreError::Invalid(e.to_string()))?,
    };
    Ok((name.to_string(), email, country, language, id))
}

/// An enrolment request's form, checked alike by both stores: the device's Ed25519 public key
/// (32 bytes) and its name, trimmed.
pub fn enrol_form(
    req: &guichet_wire::devices::EnrolRequest,
) -> Result<(Vec<u8>, &str), super::StoreError> {
    let key = super::devices::decode_hex(&req.public_key_hex)
        .filter(|k| k.len() == 32)
        .ok_or_else(|| {
            super::StoreError::Invalid(
                "public_key_hex: expected 64 hex characters (an Ed25519 public key)".into(),
            )
        })?;
    let name = req.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(super::StoreError::Invalid(
            "name: 1 to 100 characters".into(),
        ));
    }
    Ok((key, name))
}

/// A state report's codes as both stores keep them: sorted, once each, as a JSON array.
pub fn state_codes(
    report: &guichet_wire::device_state::DeviceStateReport,
) -> Result<String, super::StoreError> {
    let mut codes = report.codes.clone();
    codes.sort();
    codes.dedup();
    serde_json::to_string(&codes).map_err(|e| super::StoreError::Invalid(format!("codes: {e}")))
}
