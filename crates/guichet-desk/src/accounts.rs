//! Account look-up (number, email, name prefix, account QR) and walk-in creation.
//!
//! A walk-in account's id is `W-` + a UUIDv7 made on this device: unique without asking the
//! server, so it works offline; the server keeps it or maps it when the event is pushed.

use guichet_domain::rules::{AccountStanding, DrawEntry, DrawStatus, Timeslot};
use guichet_domain::AccountId;
use guichet_store::accounts::{
    account_by_id, accounts_by_email, accounts_by_name_prefix, draws, held_pairs, held_tickets,
    upsert_account, Account, AccountOrigin, DrawState,
};
use guichet_store::journal::{append_ledger, enqueue, LedgerEntry, OutboxEvent};
use guichet_store::new_id;
use guichet_store::rusqlite::Connection;
use guichet_wire::accounts::NewAccount;

use crate::desk::Desk;
use crate::error::{Error, Problem, Result};

/// What an account QR code holds: this prefix, then the account id.
pub const ACCOUNT_QR_PREFIX: &str = "P24-ACCOUNT:";

/// Most results a look-up returns.
pub const LOOK_UP_LIMIT: u32 = 20;

/// The QR text of an account.
pub fn account_qr(id: &AccountId) -> String {
    format!("{ACCOUNT_QR_PREFIX}{id}")
}

impl Desk {
    /// The account of a fan's scanned card, checked offline against the server's card keys
    /// (received at enrolment) on today's Paris date. A kiosk identifies fans only this way:
    /// it never searches accounts by name. Returns the account id; the account itself comes
    /// from the cache or the server's look-up.
    pub fn identify_card(&self, scanned: &str) -> Result<AccountId> {
        let entries: Vec<guichet_tickets::KeyListEntry> =
            guichet_store::link::card_keys(self.store.reader())?
                .into_iter()
                .map(|(key_id, public_key)| guichet_tickets::KeyListEntry {
                    key_id,
                    public_key,
                    label: "server account cards".into(),
                    revoked_after: None,
                })
                .collect();
        let keys = guichet_tickets::KeyList::from_entries(&entries).map_err(|problem| {
            Error::BadInput {
                field: "server card keys",
                problem: problem.into(),
            }
        })?;
        let today = self.now().to_zoned(self.config.time_zone()).date();
        let card = guichet_tickets::verify_card(scanned, &keys, today)?;
        AccountId::parse(&card.account).map_err(|e| Error::BadInput {
            field: "account card",
            problem: e.to_string().into(),
        })
    }
}

/// How a look-up query was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LookUpBy {
    /// An account QR code.
    Qr,
    /// An email address.
    Email,
    /// An account number or walk-in id.
    Number,
    /// A name prefix.
    Name,
}

/// A walk-in customer's details.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct WalkIn {
    /// Given name.
    pub given_name: String,
    /// Family name.
    pub family_name: String,
    /// Email.
    pub email: String,
    /// Country, ISO 3166-1 alpha-2 (`FR`).
    pub country: String,
    /// Club Paris 2024 number, if any.
    pub club_number: Option<String>,
}

/// The account's history as the rules see it: held tickets (last sync + local unsynced sales),
/// Club membership, draws and timeslots.
pub fn standing(conn: &Connection, account: &Account) -> Result<AccountStanding> {
    let mut st = AccountStanding {
        club_member: account.club_number.is_some(),
        held: held_tickets(conn, &account.id)?,
        accessible: held_pairs(conn, &account.id)?,
        ..AccountStanding::default()
    };
    for d in draws(conn, &account.id)? {
        let status = match d.status {
            DrawState::Registered => DrawStatus::Registered,
            DrawState::Drawn => DrawStatus::Drawn,
            DrawState::NotDrawn => DrawStatus::NotDrawn,
        };
        let timeslot = d.slot.map(|(start, end)| Timeslot { start, end });
        st.draws.insert(d.draw_id, DrawEntry { status, timeslot });
    }
    Ok(st)
}

impl Desk {
    /// Looks accounts up: an account QR, an email, an account number, else a name prefix
    /// (accents and case ignored). Returns how the query was read and the matches.
    pub fn look_up(&self, query: &str) -> Result<(LookUpBy, Vec<Account>)> {
        self.signed_in()?;
        let q = query.trim();
        let conn = self.store.reader();
        if let Some(id) = q.strip_prefix(ACCOUNT_QR_PREFIX) {
            // A fan's signed card (`id:date:signature`) opens the account at the counter too:
            // the seller sees the account and checks the fan, so the id is enough here.
            let id = id.split(':').next().unwrap_or_default();
            let id = AccountId::parse(id.trim()).map_err(|e| Error::BadInput {
                field: "account QR",
                problem: e.to_string().into(),
            })?;
            return Ok((
                LookUpBy::Qr,
                account_by_id(conn, &id)?.into_iter().collect(),
            ));
        }
        if q.contains('@') {
            return Ok((LookUpBy::Email, accounts_by_email(conn, q, LOOK_UP_LIMIT)?));
        }
        if q.chars().any(|c| c.is_ascii_digit()) {
            if let Ok(id) = AccountId::parse(&q.to_ascii_uppercase()).or(AccountId::parse(q)) {
                if let Some(a) = account_by_id(conn, &id)? {
                    return Ok((LookUpBy::Number, vec![a]));
                }
            }
        }
        Ok((
            LookUpBy::Name,
            accounts_by_name_prefix(conn, q, LOOK_UP_LIMIT)?,
        ))
    }

    /// An account by id, with its standing.
    pub fn account(&self, id: &AccountId) -> Result<(Account, AccountStanding)> {
        let conn = self.store.reader();
        let a =
            account_by_id(conn, id)?.ok_or_else(|| Error::UnknownAccount { id: id.to_string() })?;
        let st = standing(conn, &a)?;
        Ok((a, st))
    }

    /// Creates a walk-in account, offline-capable (device-made id), with ledger and outbox.
    pub fn create_walk_in(&mut self, w: &WalkIn) -> Result<Account> {
        let op = self.signed_in()?;
        let given_name = self.printable_name("given name", &w.given_name)?;
        let family_name = self.printable_name("family name", &w.family_name)?;
        let email = self.text("email", &w.email)?;
        let ok_email = email.split_once('@').is_some_and(|(user, domain)| {
            !user.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && !email.contains(' ')
        });
        if !ok_email {
            return Err(Error::BadInput {
                field: "email",
                problem: Problem::NotAnEmail {
                    value: email.to_string(),
                },
            });
        }
        let country = w.country.trim().to_ascii_uppercase();
        if country.len() != 2 || !country.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(Error::BadInput {
                field: "country",
                problem: Problem::NotACountry {
                    value: w.country.clone(),
                },
            });
        }
        let club_number = match w.club_number.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(c)
                if (4..=20).contains(&c.len()) && c.chars().all(|c| c.is_ascii_alphanumeric()) =>
            {
                Some(c.to_string())
            }
            Some(c) => {
                return Err(Error::BadInput {
                    field: "club number",
                    problem: Problem::NotAClubNumber {
                        value: c.to_string(),
                    },
                })
            }
        };
        let now = self.now();
        let id = AccountId::parse(&format!("W-{}", new_id(now))).map_err(|e| Error::BadInput {
            field: "account id",
            problem: e.to_string().into(),
        })?;
        let account = Account {
            id,
            given_name,
            family_name,
            email,
            country,
            club_number,
            origin: AccountOrigin::Desk,
        };
        let key = new_id(now);
        self.store.write(|tx| {
            upsert_account(tx, &account, now)?;
            append_ledger(
                tx,
                &LedgerEntry {
                    at: now,
                    operator_id: Some(&op.id),
                    action: "account_created",
                    subject_id: Some(account.id.as_str()),
                    amount: None,
                    data: serde_json::json!({ "idempotency_key": key }),
                },
            )?;
            enqueue(
                tx,
                &OutboxEvent {
                    idempotency_key: &key,
                    kind: "account_created",
                    payload: serde_json::to_value(NewAccount {
                        id: Some(account.id.to_string()),
                        name: account.full_name(),
                        email: account.email.clone(),
                        country: account.country.clone(),
                        club_number: account.club_number.clone(),
                        language: None,
                    })
                    .unwrap_or_default(),
                    created_at: now,
                    offline: true,
                },
            )?;
            Ok::<_, Error>(())
        })?;
        Ok(account)
    }
}
