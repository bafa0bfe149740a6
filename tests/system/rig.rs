//! A desk core for whole-system tests: the real `Desk` on its own SQLite file, enrolled with
//! the real server process, with a supervisor signed in and a shift open; plus the counts
//! the tests compare between the desks' ledgers and the server.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use guichet_desk::sync::{RetryPolicy, SyncConfig, SyncHandle, Timeouts};
use guichet_desk::{
    Desk, DeskParts, DeskSettings, DeviceKey, FixedClock, OrderRequest, PaymentTerminalSimulator,
    RequestLine, SaleReceipt, Tender, WalkIn,
};
use guichet_domain::{
    AccountId, Catalogue, Money, OrderKind, PriceCategory, SaleConfig, SessionCode,
};
use guichet_store::operators::Role;
use jiff::Timestamp;
use serde_json::Value;

pub const SUP: (&str, &str) = ("S-SUP", "9876");

/// The server's start instant (10 Jan 2024 10:00 Paris, general sale) as a UTC instant.
/// A multi-threaded tokio runtime for the desks' sync tasks.
pub fn runtime(workers: usize) -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .expect("a tokio runtime for the sync tasks")
}

pub fn start_instant() -> Timestamp {
    "2024-01-10T10:00:00[Europe/Paris]"
        .parse::<jiff::Zoned>()
        .unwrap()
        .timestamp()
}

/// Fast retries for tests: five tries, 20 ms doubling up to 200 ms (jittered).
pub fn test_retry(batch: u32) -> RetryPolicy {
    RetryPolicy {
        attempts: 5,
        base: Duration::from_millis(20),
        max: Duration::from_millis(200),
        batch,
    }
}

pub struct DeskRig {
    pub desk: Desk,
    pub path: PathBuf,
    pub clock: Arc<FixedClock>,
    pub name: String,
    walk_ins: u32,
    _dir: tempfile::TempDir,
}

impl DeskRig {
    /// A new desk, enrolled at `base` with a code made by the server's CLI on `server_db`.
    pub fn enrolled(name: &str, seed: u8, base: &str, server_db: impl AsRef<OsStr>) -> DeskRig {
        let code = super::cli(server_db, &["enrol", "--kind", "box-office"]);
        DeskRig::enrolled_with(name, seed, base, &code)
    }

    /// A new desk, enrolled at `base` with `code` (made elsewhere: the console's page).
    pub fn enrolled_with(name: &str, seed: u8, base: &str, code: &str) -> DeskRig {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("desk.sqlite");
        let clock = Arc::new(FixedClock::at(start_instant()));
        let mut desk = Desk::open(
            &path,
            DeskParts {
                clock: Box::new(clock.clone()),
                signer: Box::new(DeviceKey::from_seed([seed; 32])),
                terminal: Box::new(Arc::new(Mutex::new(PaymentTerminalSimulator::default()))),
                settings: DeskSettings::default(),
                catalogue: Catalogue::paris2024(),
                config: SaleConfig::paris2024(),
            },
        )
        .unwrap();
        desk.add_operator(SUP.0, "Supervisor", Role::Supervisor, SUP.1)
            .unwrap();
        desk.sign_in(SUP.0, SUP.1).unwrap();
        desk.open_shift(Money::from_euros(100)).unwrap();
        desk.enrol(base, code, name, &DeviceKey::from_seed([seed; 32]))
            .unwrap();
        DeskRig {
            desk,
            path,
            clock,
            name: name.to_string(),
            walk_ins: 0,
            _dir: dir,
        }
    }

    /// Borrows `n` seats of each session's category D to sell offline.
    pub fn borrow(&mut self, sessions: &[&str], n: u32) {
        for s in sessions {
            self.desk
                .ask_allotment(&SessionCode::parse(s).unwrap(), PriceCategory::D, n)
                .unwrap();
        }
    }

    /// A walk-in account made at this desk (an `account_created` event).
    pub fn walk_in(&mut self) -> AccountId {
        self.walk_ins += 1;
        let n = self.walk_ins;
        let a = self
            .desk
            .create_walk_in(&WalkIn {
                given_name: format!("Fan{n}"),
                family_name: self.name.clone(),
                email: format!("fan{n}@{}.example.org", self.name.to_lowercase()),
                country: "FR".into(),
                club_number: None,
            })
            .unwrap();
        a.id
    }

    /// Sells `q` category-D tickets of `session` to `account` (see [`single`]), paid in cash.
    pub fn sell(
        &mut self,
        account: &AccountId,
        session: &str,
        q: u32,
    ) -> guichet_desk::Result<SaleReceipt> {
        self.desk.sell(
            &single(account, session, q),
            Tender {
                card: Money::ZERO,
                cash_tendered: Money::from_euros(24 * i64::from(q)),
            },
        )
    }

    /// Sells one ticket to each of `accounts` accounts, rotating over `sessions` so no account
    /// passes 6 per session or 30 in all; returns the events it queued.
    pub fn sell_many(&mut self, accounts: &[AccountId], sessions: &[&str], sales: usize) -> usize {
        for i in 0..sales {
            let a = &accounts[i % accounts.len()];
            let s = sessions[(i / accounts.len()) % sessions.len()];
            self.sell(a, s, 1)
                .unwrap_or_else(|e| panic!("{}: sale {i} of {sales} refused: {e}", self.name));
        }
        sales
    }

    /// The sync task on `rt`, on this desk's file.
    pub fn sync_task(&self, rt: &tokio::runtime::Runtime, batch: u32) -> SyncHandle {
        let mut cfg = SyncConfig::new(&self.path);
        cfg.retry = test_retry(batch);
        cfg.timeouts = Timeouts {
            connect: Duration::from_secs(2),
            request: Duration::from_secs(10),
        };
        cfg.interval = Duration::from_secs(3600); // rounds only when the test asks
        cfg.clock = Box::new(self.clock.clone());
        SyncHandle::start(rt.handle(), cfg)
    }

    pub fn count(&self, sql: &str) -> i64 {
        self.desk
            .store()
            .reader()
            .query_row(sql, [], |r| r.get(0))
            .unwrap()
    }

    /// Valid tickets in this desk's ledger per (session, category).
    pub fn sold_by_offer(&self) -> BTreeMap<(String, String), i64> {
        self.group(
            "SELECT session_code || '|' || category, count(*) FROM ticket WHERE status = 'valid'
             GROUP BY 1",
        )
    }

    /// Valid tickets in this desk's ledger per (account, session).
    pub fn sold_by_account(&self) -> BTreeMap<(String, String), i64> {
        self.group(
            "SELECT o.account_id || '|' || t.session_code, count(*) FROM ticket t
             JOIN sale_order o ON o.id = t.order_id WHERE t.status = 'valid' GROUP BY 1",
        )
    }

    fn group(&self, sql: &str) -> BTreeMap<(String, String), i64> {
        let conn = self.desk.store().reader();
        let mut stmt = conn.prepare(sql).unwrap();
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
            .unwrap();
        rows.map(|r| {
            let (k, n) = r.unwrap();
            let (a, b) = k.split_once('|').unwrap();
            ((a.to_string(), b.to_string()), n)
        })
        .collect()
    }

    /// Outbox events: (pushed, waiting, rejected).
    pub fn outbox(&self) -> (i64, i64, i64) {
        (
            self.count("SELECT count(*) FROM outbox WHERE pushed_at IS NOT NULL"),
            self.count(
                "SELECT count(*) FROM outbox WHERE pushed_at IS NULL AND rejected_at IS NULL",
            ),
            self.count("SELECT count(*) FROM outbox WHERE rejected_at IS NOT NULL"),
        )
    }
}

/// Sums per-key counts of several desks.
pub fn sum(maps: &[BTreeMap<(String, String), i64>]) -> BTreeMap<(String, String), i64> {
    let mut out = BTreeMap::new();
    for m in maps {
        for (k, n) in m {
            *out.entry(k.clone()).or_insert(0) += n;
        }
    }
    out
}

/// The server's sold count per (session, category), for the given sessions.
pub fn server_sold(http: &Http, sessions: &[&str]) -> BTreeMap<(String, String), i64> {
    let mut out = BTreeMap::new();
    for s in sessions {
        let v = http.get(&format!("/v1/availability?session={s}"));
        for row in v.as_array().unwrap() {
            let sold = row["sold"].as_i64().unwrap();
            if sold > 0 {
                out.insert(
                    (s.to_string(), row["category"].as_str().unwrap().to_string()),
                    sold,
                );
            }
        }
    }
    out
}

/// The server's held tickets per (account, session), for the given accounts.
pub fn server_held(http: &Http, accounts: &[String]) -> BTreeMap<(String, String), i64> {
    let mut out = BTreeMap::new();
    for a in accounts {
        let v = http.get(&format!("/v1/accounts/{a}"));
        for h in v["held"]
            .as_array()
            .unwrap_or_else(|| panic!("account {a}: {v}"))
        {
            out.insert(
                (a.clone(), h["session"].as_str().unwrap().to_string()),
                h["count"].as_i64().unwrap(),
            );
        }
    }
    out
}

/// A plain HTTP client of the server with a device token, for the test's own look-ups.
pub struct Http {
    pub base: String,
    pub token: String,
    http: reqwest::blocking::Client,
}

impl Http {
    /// Reads the token a desk stored at enrolment (the test plays that desk's admin).
    pub fn of(rig: &DeskRig, base: &str) -> Http {
        let l = guichet_store::link::link(rig.desk.store().reader())
            .unwrap()
            .unwrap();
        Http {
            base: base.to_string(),
            token: l.token,
            http: reqwest::blocking::Client::new(),
        }
    }
    pub fn get(&self, path: &str) -> Value {
        self.http
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .unwrap()
            .json()
            .unwrap()
    }
}

/// Accounts the desks sold to.
pub fn accounts_of(rigs: &[&DeskRig]) -> Vec<String> {
    let mut out: Vec<String> = rigs
        .iter()
        .flat_map(|r| r.sold_by_account().into_keys().map(|(a, _)| a))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// An order of `q` category-D single tickets of `session` for `account`.
pub fn single(account: &AccountId, session: &str, q: u32) -> OrderRequest {
    OrderRequest {
        account: account.clone(),
        kind: OrderKind::Single,
        lines: vec![RequestLine {
            session: SessionCode::parse(session).unwrap(),
            category: PriceCategory::D,
            quantity: q,
            holders: vec![],
        }],
    }
}
