//! Accounts on PostgreSQL: the rules' view of one (its standing), create, get, search.

use std::collections::HashMap;

use deadpool_postgres::GenericClient;
use guichet_domain::rules::{AccountStanding, DrawEntry, DrawStatus, Timeslot};
use guichet_domain::{AccountId, PriceCategory, SessionCode};
use guichet_wire::accounts::{AccountDto, NewAccount};
use jiff::Timestamp;

use super::PgStore;
use crate::store::decide;
use crate::store::{Result, StoreError};

/// The rules' view of an account: club membership, tickets held per session, draws.
pub(super) async fn standing(c: &impl GenericClient, id: &AccountId) -> Result<AccountStanding> {
    standings(c, &[id.to_string()])
        .await?
        .remove(id.as_str())
        .ok_or_else(|| StoreError::NotFound(format!("no account {id}")))
}

/// The rules' view of several accounts in three statements, sent together; an unknown id is
/// absent from the answer.
pub(super) async fn standings(
    c: &impl GenericClient,
    ids: &[String],
) -> Result<HashMap<String, AccountStanding>> {
    let club = c
        .prepare_cached("SELECT id, club_number FROM accounts WHERE id = ANY($1)")
        .await?;
    let held = c
        .prepare_cached(
            "SELECT account_id, session, category, COUNT(*) FROM tickets
             WHERE account_id = ANY($1) AND status = 'valid'
             GROUP BY account_id, session, category",
        )
        .await?;
    let draws = c
        .prepare_cached(
            "SELECT account_id, draw, status, slot_start, slot_end FROM account_draws
             WHERE account_id = ANY($1)",
        )
        .await?;
    let args: [&(dyn tokio_postgres::types::ToSql + Sync); 1] = [&ids];
    let (club, held, draws) = tokio::join!(
        c.query(&club, &args),
        c.query(&held, &args),
        c.query(&draws, &args),
    );
    let mut out: HashMap<String, AccountStanding> = HashMap::new();
    for r in club? {
        let (id, club): (String, Option<String>) = (r.get(0), r.get(1));
        out.insert(
            id,
            AccountStanding {
                club_member: club.is_some(),
                ..AccountStanding::default()
            },
        );
    }
    for r in held? {
        let (id, s, cat, n): (String, String, String, i64) =
            (r.get(0), r.get(1), r.get(2), r.get(3));
        let Some(acc) = out.get_mut(&id) else {
            continue;
        };
        let code = SessionCode::parse(&s).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let cat = PriceCategory::parse(&cat).map_err(|e| StoreError::Invalid(e.to_string()))?;
        decide::add_held(acc, &code, cat, super::count(n));
    }
    let ts = |t: String| {
        t.parse::<Timestamp>()
            .map_err(|e| StoreError::Invalid(e.to_string()))
    };
    for r in draws? {
        let id: String = r.get(0);
        let Some(acc) = out.get_mut(&id) else {
            continue;
        };
        let status: String = r.get(2);
        let status = match status.as_str() {
            "drawn" => DrawStatus::Drawn,
            "not_drawn" => DrawStatus::NotDrawn,
            _ => DrawStatus::Registered,
        };
        let (s, e): (Option<String>, Option<String>) = (r.get(3), r.get(4));
        let timeslot = match (s, e) {
            (Some(s), Some(e)) => Some(Timeslot {
                start: ts(s)?,
                end: ts(e)?,
            }),
            _ => None,
        };
        acc.draws.insert(r.get(1), DrawEntry { status, timeslot });
    }
    Ok(out)
}

pub(super) async fn account_dto(
    c: &impl GenericClient,
    store: &PgStore,
    id: &AccountId,
) -> Result<AccountDto> {
    let st = c
        .prepare_cached("SELECT name, email, country, club_number FROM accounts WHERE id = $1")
        .await?;
    let Some(r) = c.query_opt(&st, &[&id.as_str()]).await? else {
        return Err(StoreError::NotFound(format!("no account {id}")));
    };
    let row = (r.get(0), r.get(1), r.get(2), r.get(3));
    let st = standing(c, id).await?;
    Ok(decide::account_dto(id, row, &st, store.catalogue()))
}

impl PgStore {
    /// Creates an account (as the SQLite store: the same id with the same email is the same
    /// account, with another email a conflict).
    pub async fn create_account(
        &self,
        new: &NewAccount,
        device: Option<&str>,
        now: Timestamp,
    ) -> Result<AccountDto> {
        let (name, email, country, language, id) = decide::new_account(new)?;
        let c = self.client().await?;
        let n = c
            .execute(
                "INSERT INTO accounts(id, name, name_norm, email, country, club_number, created_at, created_by_device, language)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING",
                &[&id.as_str(), &name, &crate::store::search_key(&name), &email, &country,
                  &new.club_number, &now.to_string(), &device, &language],
            )
            .await?;
        if n == 0 {
            let existing: String = c
                .query_one("SELECT email FROM accounts WHERE id = $1", &[&id.as_str()])
                .await?
                .get(0);
            if existing != email {
                return Err(StoreError::Conflict(format!(
                    "account {id} exists with another email"
                )));
            }
        }
        account_dto(&c, self, &id).await
    }

    /// One account, with its draws and holdings.
    pub async fn account(&self, id: &AccountId) -> Result<AccountDto> {
        let c = self.client().await?;
        account_dto(&c, self, id).await
    }

    /// Search by id, email (exact) or name prefix (accent- and case-insensitive); at most 50.
    pub async fn search_accounts(&self, q: &str) -> Result<Vec<AccountDto>> {
        let q = q.trim();
        if q.is_empty() {
            return Ok(Vec::new());
        }
        let c = self.client().await?;
        let key = crate::store::search_key(q);
        let upper = guichet_domain::text::prefix_upper_bound(&key);
        let rows = c
            .query(
                "SELECT id FROM accounts WHERE id = $1 OR email = $2
                     OR (name_norm COLLATE \"C\" >= $3 AND name_norm COLLATE \"C\" < $4)
                 ORDER BY name_norm COLLATE \"C\" LIMIT 50",
                &[&q, &q.to_lowercase(), &key, &upper],
            )
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let id: String = r.get(0);
            let id = AccountId::parse(&id).map_err(|e| StoreError::Invalid(e.to_string()))?;
            out.push(account_dto(&c, self, &id).await?);
        }
        Ok(out)
    }
}
