//! Holds: seats a kiosk sets aside while the fan pays. A hold is decided by the same rules as
//! an order (against the account, the phase and what is free), counted in `offers.held`, and
//! ends one way: confirmed by an order, released by its device, or expired.

use guichet_domain::{check_order, DraftOrder, Rejection};
use guichet_wire::holds::{HoldRequest, HoldResponse, HoldState};
use guichet_wire::orders::{OrderLineDto, OrderRequest};
use jiff::Timestamp;
use rusqlite::{params, Connection, OptionalExtension};

use super::accounts::standing;
use super::{Result, Store, StoreError};

/// How long a hold sets seats aside unless the server is told otherwise (`serve
/// --hold-seconds`): long enough for a fan to pay at a terminal, short enough that an
/// abandoned kiosk does not keep seats from others.
pub const DEFAULT_HOLD_SECONDS: u32 = 300;

/// Why a hold could not be made, released or used.
#[derive(Debug, thiserror::Error)]
pub enum HoldError {
    /// The request is malformed.
    #[error("{0}")]
    BadRequest(String),
    /// The rules refuse the draft (every violation; no stock is one of them).
    #[error("{0}")]
    Rules(Rejection),
    /// No hold has this id.
    #[error("no hold has id {0}: make one with POST /v1/holds")]
    NotFound(String),
    /// The hold is another device's.
    #[error("hold {hold} is device {owner}'s")]
    OtherDevice {
        /// The hold.
        hold: String,
        /// Its device.
        owner: String,
    },
    /// The request conflicts with the hold as it is; `rule` names which.
    #[error("{message}")]
    Conflict {
        /// `hold_request_reused`, `hold_differs`, `hold_confirmed`.
        rule: &'static str,
        /// The sentence, with the way out.
        message: String,
    },
    /// The store failed or the account is unknown.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for HoldError {
    fn from(e: rusqlite::Error) -> Self {
        HoldError::Store(StoreError::Sql(e))
    }
}

/// A hold's row and lines.
pub(crate) struct HoldRow {
    pub id: String,
    pub request_id: String,
    pub device: String,
    pub account: String,
    pub kind: String,
    pub state: HoldState,
    pub expires_ms: i64,
    pub order_id: Option<String>,
    pub lines: Vec<OrderLineDto>,
}

pub(crate) fn state_text(s: HoldState) -> &'static str {
    match s {
        HoldState::Live => "live",
        HoldState::Released => "released",
        HoldState::Expired => "expired",
        HoldState::Confirmed => "confirmed",
    }
}

pub(crate) fn parse_state(s: &str) -> HoldState {
    match s {
        "live" => HoldState::Live,
        "released" => HoldState::Released,
        "confirmed" => HoldState::Confirmed,
        _ => HoldState::Expired,
    }
}

fn load(c: &Connection, by: &str, value: &str) -> rusqlite::Result<Option<HoldRow>> {
    let sql = format!(
        "SELECT id, request_id, device_id, account_id, kind, state, expires_ms, order_id
         FROM holds WHERE {by} = ?1"
    );
    let row = c
        .prepare_cached(&sql)?
        .query_row([value], |r| {
            Ok(HoldRow {
                id: r.get(0)?,
                request_id: r.get(1)?,
                device: r.get(2)?,
                account: r.get(3)?,
                kind: r.get(4)?,
                state: parse_state(&r.get::<_, String>(5)?),
                expires_ms: r.get(6)?,
                order_id: r.get(7)?,
                lines: Vec::new(),
            })
        })
        .optional()?;
    let Some(mut h) = row else { return Ok(None) };
    let mut stmt = c.prepare_cached(
        "SELECT session, category, quantity FROM hold_lines WHERE hold_id = ?1 ORDER BY line",
    )?;
    h.lines = stmt
        .query_map([&h.id], |r| {
            Ok(OrderLineDto {
                session: r.get(0)?,
                category: r.get(1)?,
                quantity: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some(h))
}

pub(crate) fn millis(t: Timestamp) -> i64 {
    t.as_millisecond()
}

pub(crate) fn response(h: HoldRow, duplicate: bool) -> HoldResponse {
    let expires_at = Timestamp::from_millisecond(h.expires_ms)
        .map(|t| t.to_string())
        .unwrap_or_default();
    HoldResponse {
        hold_id: h.id,
        request_id: h.request_id,
        state: h.state,
        expires_at,
        lines: h.lines,
        order_id: h.order_id,
        duplicate,
    }
}

/// Gives a live hold's seats back and marks how it ended.
fn end(c: &Connection, h: &HoldRow, to: HoldState, now: Timestamp) -> rusqlite::Result<()> {
    let mut give = c.prepare_cached(
        "UPDATE offers SET held = held - ?3 WHERE session = ?1 AND category = ?2",
    )?;
    for l in &h.lines {
        give.execute(params![l.session, l.category, l.quantity])?;
        super::sync::changed(c, "offer", &format!("{}|{}", l.session, l.category))?;
    }
    c.prepare_cached("UPDATE holds SET state = ?2, ended_at = ?3 WHERE id = ?1")?
        .execute(params![h.id, state_text(to), now.to_string()])?;
    Ok(())
}

/// Expires every live hold whose time is up at `now`, inside the caller's write transaction;
/// returns how many.
pub(super) fn expire_in(c: &Connection, now: Timestamp) -> rusqlite::Result<u32> {
    let due: Vec<String> = c
        .prepare_cached("SELECT id FROM holds WHERE state = 'live' AND expires_ms <= ?1")?
        .query_map([millis(now)], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in &due {
        if let Some(h) = load(c, "id", id)? {
            end(c, &h, HoldState::Expired, now)?;
        }
    }
    Ok(u32::try_from(due.len()).unwrap_or(u32::MAX))
}

/// The hold an order names, checked against the order: `Some(lines)` when it is live (its
/// seats are the order's), `None` when it expired or was released (the order is sold from
/// what is free).
pub(super) fn for_order(
    c: &Connection,
    hold_id: &str,
    device: &str,
    req: &OrderLineView<'_>,
) -> Result<Option<Vec<OrderLineDto>>, HoldError> {
    let h = load(c, "id", hold_id)?.ok_or_else(|| HoldError::NotFound(hold_id.to_string()))?;
    usable_for(h, device, req)
}

/// Whether a hold can be confirmed by an order (both stores): `Some(lines)` when it is live,
/// `None` when it ended without a sale, an error naming the rule otherwise.
pub(crate) fn usable_for(
    h: HoldRow,
    device: &str,
    req: &OrderLineView<'_>,
) -> Result<Option<Vec<OrderLineDto>>, HoldError> {
    if h.device != device {
        return Err(HoldError::OtherDevice {
            hold: h.id,
            owner: h.device,
        });
    }
    if h.account != req.account || h.kind != req.kind || h.lines != req.lines {
        return Err(HoldError::Conflict {
            rule: "hold_differs",
            message: format!(
                "hold {} is for account {}, a {} order of {} line(s); this order differs — send the lines the hold was made for, or make a new hold",
                h.id,
                h.account,
                h.kind,
                h.lines.len()
            ),
        });
    }
    match h.state {
        HoldState::Live => Ok(Some(h.lines)),
        HoldState::Confirmed => Err(HoldError::Conflict {
            rule: "hold_confirmed",
            message: format!(
                "hold {} was confirmed by order {} already — send that order's idempotency key to read it again",
                h.id,
                h.order_id.unwrap_or_default()
            ),
        }),
        HoldState::Released | HoldState::Expired => Ok(None),
    }
}

/// What of an order a hold is compared with.
pub(crate) struct OrderLineView<'a> {
    pub account: &'a str,
    pub kind: &'a str,
    pub lines: &'a [OrderLineDto],
}

/// Moves a live hold's seats from held to sold and marks it confirmed by `order_id`.
pub(super) fn confirm(
    c: &Connection,
    hold_id: &str,
    lines: &[OrderLineDto],
    order_id: &str,
    now: Timestamp,
) -> rusqlite::Result<bool> {
    let mut take = c.prepare_cached(
        "UPDATE offers SET held = held - ?3, sold = sold + ?3
         WHERE session = ?1 AND category = ?2 AND held >= ?3",
    )?;
    for l in lines {
        if take.execute(params![l.session, l.category, l.quantity])? != 1 {
            return Ok(false);
        }
    }
    let n = c
        .prepare_cached(
            "UPDATE holds SET state = 'confirmed', order_id = ?2, ended_at = ?3
             WHERE id = ?1 AND state = 'live'",
        )?
        .execute(params![hold_id, order_id, now.to_string()])?;
    Ok(n == 1)
}

pub(crate) fn draft_of(req: &HoldRequest) -> Result<DraftOrder, HoldError> {
    let as_order = OrderRequest {
        idempotency_key: req.request_id.clone(),
        account_id: req.account_id.clone(),
        kind: req.kind.clone(),
        lines: req.lines.clone(),
        hold_id: None,
    };
    DraftOrder::try_from(&as_order).map_err(HoldError::BadRequest)
}

impl Store {
    /// How long new holds last.
    pub fn set_hold_seconds(&mut self, seconds: u32) {
        self.hold_seconds = seconds.max(1);
    }

    /// Holds seats for a device's draft order at `now`, if the rules accept it (with what is
    /// free online as the stock). The same request id twice answers the first hold
    /// (`duplicate`), whatever its state now.
    pub fn hold(
        &self,
        device: &str,
        req: &HoldRequest,
        now: Timestamp,
    ) -> Result<HoldResponse, HoldError> {
        let request_id = guichet_wire::checks::uuid("request_id", &req.request_id)
            .map_err(HoldError::BadRequest)?;
        let account = guichet_wire::checks::account_id("account_id", &req.account_id)
            .map_err(HoldError::BadRequest)?;
        let draft = draft_of(req)?;
        self.write(|tx| {
            expire_in(tx, now)?;
            if let Some(h) = load(tx, "request_id", &request_id)? {
                if h.device != device || h.account != req.account_id || h.lines != req.lines {
                    return Err(HoldError::Conflict {
                        rule: "hold_request_reused",
                        message: format!(
                            "request id {request_id} made hold {} for other seats or another device — make a new request id for a new sale",
                            h.id
                        ),
                    });
                }
                return Ok(response(h, true));
            }
            let acc = standing(tx, &account)?;
            let left = super::sales::stock(tx, &draft)?;
            let valid = check_order(&draft, &acc, &self.config, &self.catalogue, &left, now)
                .map_err(HoldError::Rules)?;
            let id = super::sales::new_id();
            let expires = millis(now) + i64::from(self.hold_seconds) * 1000;
            tx.prepare_cached(
                "INSERT INTO holds(id, request_id, device_id, account_id, kind, state, created_at, expires_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'live', ?6, ?7)",
            )?
            .execute(params![id, request_id, device, req.account_id, req.kind, now.to_string(), expires])?;
            let mut hold = tx.prepare_cached(
                "UPDATE offers SET held = held + ?3
                 WHERE session = ?1 AND category = ?2 AND capacity - sold - lent - held >= ?3",
            )?;
            let mut line = tx.prepare_cached(
                "INSERT INTO hold_lines(hold_id, line, session, category, quantity) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for (i, l) in valid.lines.iter().enumerate() {
                let (s, c) = (l.session.to_string(), l.category.to_string());
                if hold.execute(params![s, c, l.quantity])? != 1 {
                    // The rules read the same transaction's stock: this cannot happen unless
                    // two lines name one offer, which the rules refuse.
                    return Err(StoreError::Conflict(format!(
                        "{s} {c}: fewer than {} seats left — ask for fewer",
                        l.quantity
                    ))
                    .into());
                }
                line.execute(params![id, i64::try_from(i).unwrap_or(i64::MAX), s, c, l.quantity])?;
                super::sync::changed(tx, "offer", &format!("{s}|{c}"))?;
            }
            let h = load(tx, "id", &id)?.ok_or_else(|| HoldError::NotFound(id.clone()))?;
            Ok(response(h, false))
        })
    }

    /// Releases a device's hold at `now`: its seats go back on sale. Releasing a hold that
    /// ended already (released, expired) answers it as it is; a confirmed one is refused.
    pub fn release_hold(
        &self,
        device: &str,
        hold_id: &str,
        now: Timestamp,
    ) -> Result<HoldResponse, HoldError> {
        let hold_id = guichet_wire::checks::uuid("id", hold_id).map_err(HoldError::BadRequest)?;
        self.write(|tx| {
            expire_in(tx, now)?;
            let h = load(tx, "id", &hold_id)?.ok_or_else(|| HoldError::NotFound(hold_id.clone()))?;
            if h.device != device {
                return Err(HoldError::OtherDevice {
                    hold: h.id,
                    owner: h.device,
                });
            }
            match h.state {
                HoldState::Live => {
                    end(tx, &h, HoldState::Released, now)?;
                    let h = load(tx, "id", &hold_id)?.ok_or_else(|| HoldError::NotFound(hold_id.clone()))?;
                    Ok(response(h, false))
                }
                HoldState::Confirmed => Err(HoldError::Conflict {
                    rule: "hold_confirmed",
                    message: format!(
                        "hold {} was confirmed by order {}: its seats are sold — void the order to free them",
                        h.id,
                        h.order_id.clone().unwrap_or_default()
                    ),
                }),
                HoldState::Released | HoldState::Expired => Ok(response(h, true)),
            }
        })
    }

    /// Expires the holds whose time is up at `now` (the server's sweep, and reads that want
    /// exact availability). Writes only when one is due; returns how many expired.
    pub fn expire_holds(&self, now: Timestamp) -> Result<u32> {
        let due: bool = self.read(|c| {
            c.prepare_cached(
                "SELECT EXISTS(SELECT 1 FROM holds WHERE state = 'live' AND expires_ms <= ?1)",
            )?
            .query_row([millis(now)], |r| r.get(0))
            .map_err(StoreError::from)
        })?;
        if !due {
            return Ok(0);
        }
        self.write(|tx| Ok(expire_in(tx, now)?))
    }
}
