//! Draws on PostgreSQL: registrations, commitment, close, runs. The decisions (windows, order
//! of steps, the draw itself, its winners) are `store::draw_rules` and `guichet-draw`, shared
//! with SQLite; this file reads and writes. Unlike SQLite, a run also writes every
//! registrant's `account_draws` row (`drawn` with its slot, or `not_drawn`): the sale's
//! `standing()` reads that table alone.

use deadpool_postgres::GenericClient;
use guichet_domain::AccountId;
use guichet_draw::hex::encode;
use guichet_draw::{Registration, Transcript};
use guichet_wire::draws::RegistrationDto;
use jiff::Timestamp;

use super::PgStore;
use crate::store::draw_rules as decide;
use crate::store::{Closed, DrawStoreError, StoreError};

type R<T> = std::result::Result<T, DrawStoreError>;

impl From<tokio_postgres::Error> for DrawStoreError {
    fn from(e: tokio_postgres::Error) -> Self {
        DrawStoreError::Store(e.into())
    }
}

impl From<deadpool_postgres::PoolError> for DrawStoreError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        DrawStoreError::Store(e.into())
    }
}

/// Registrations and the close of one draw take turns: the next id is `MAX(id) + 1`, and a
/// registration must not slip in after the close read the list.
async fn lock_draw(c: &impl GenericClient, draw: &str) -> R<()> {
    c.execute(
        "SELECT pg_advisory_xact_lock(hashtext('draw:' || $1))",
        &[&draw],
    )
    .await?;
    Ok(())
}

async fn closed(c: &impl GenericClient, draw: &str) -> R<Option<(u64, String)>> {
    let r = c
        .query_opt(
            "SELECT count, fingerprint FROM draw_closes WHERE draw = $1",
            &[&draw],
        )
        .await?;
    Ok(r.map(|r| (r.get::<_, i64>(0).max(0) as u64, r.get(1))))
}

async fn registrations(c: &impl GenericClient, draw: &str) -> R<Vec<Registration>> {
    let rows = c
        .query(
            "SELECT id, account_id, club FROM draw_registrations WHERE draw = $1 ORDER BY id",
            &[&draw],
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| Registration {
            id: r.get::<_, i64>(0).max(0) as u64,
            account: r.get(1),
            club: r.get(2),
        })
        .collect())
}

#[allow(clippy::too_many_arguments)]
async fn insert_registration(
    c: &impl GenericClient,
    draw: &str,
    id: i64,
    account: &str,
    club: bool,
    now: Timestamp,
    device: Option<&str>,
    from: Option<&str>,
) -> R<()> {
    c.execute(
        "INSERT INTO draw_registrations(draw, id, account_id, club, registered_at, device_id, carried_from)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[&draw, &id, &account, &club, &now.to_string(), &device, &from],
    )
    .await?;
    c.execute(
        "INSERT INTO account_draws(account_id, draw, status) VALUES ($1, $2, 'registered')
         ON CONFLICT (account_id, draw) DO NOTHING",
        &[&account, &draw],
    )
    .await?;
    Ok(())
}

async fn run_state(c: &impl GenericClient, draw: &str) -> R<decide::RunState> {
    let commitment = c
        .query_opt(
            "SELECT commitment, beacon_round FROM draw_commitments WHERE draw = $1",
            &[&draw],
        )
        .await?
        .map(|r| (r.get::<_, String>(0), r.get::<_, i64>(1).max(0) as u64));
    let r = c
        .query_one(
            "SELECT COALESCE(SUM(winners), 0)::BIGINT, COUNT(*) FROM draw_transcripts WHERE draw = $1",
            &[&draw],
        )
        .await?;
    Ok(decide::RunState {
        commitment,
        closed: closed(c, draw).await?.is_some(),
        skip: r.get::<_, i64>(0).max(0) as u64,
        wave: u32::try_from(r.get::<_, i64>(1))
            .unwrap_or(u32::MAX)
            .saturating_add(1),
    })
}

impl PgStore {
    /// Registers an account for a draw inside its window, once (as the SQLite store).
    pub async fn register_for_draw(
        &self,
        draw: &str,
        account: &AccountId,
        device: Option<&str>,
        now: Timestamp,
    ) -> R<RegistrationDto> {
        let d = decide::draw_config(self.config(), draw)?;
        let check = decide::Registering {
            config: self.config(),
            d,
            draw,
            account,
            now,
        };
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        lock_draw(&tx, draw).await?;
        check.check_open(closed(&tx, draw).await?)?;
        let Some(row) = tx
            .query_opt(
                "SELECT club_number FROM accounts WHERE id = $1",
                &[&account.as_str()],
            )
            .await?
        else {
            return Err(check.account_unknown());
        };
        let club = row.get::<_, Option<String>>(0).is_some();
        if let Some(r) = tx
            .query_opt(
                "SELECT id, registered_at FROM draw_registrations WHERE draw = $1 AND account_id = $2",
                &[&draw, &account.as_str()],
            )
            .await?
        {
            return Err(check.already_registered(r.get::<_, i64>(0).max(0) as u64, r.get(1)));
        }
        let id: i64 = tx
            .query_one(
                "SELECT COALESCE(MAX(id), 0) + 1 FROM draw_registrations WHERE draw = $1",
                &[&draw],
            )
            .await?
            .get(0);
        insert_registration(&tx, draw, id, account.as_str(), club, now, device, None).await?;
        // A desk that registers an account has it in its scope (as on SQLite).
        if device.is_some() {
            tx.execute(
                "INSERT INTO changes(kind, key) VALUES ('account', $1)",
                &[&account.as_str()],
            )
            .await?;
        }
        self.before_commit().await;
        tx.commit().await?;
        Ok(check.dto(id.max(0) as u64, club))
    }

    /// Records the commitment and the beacon round, before registration closes.
    pub async fn commit_draw(
        &self,
        draw: &str,
        commitment: &[u8; 32],
        round: u64,
        now: Timestamp,
    ) -> R<()> {
        decide::check_commit(self.config(), draw, round, now)?;
        let round = i64::try_from(round)
            .map_err(|_| StoreError::Invalid(format!("beacon round {round} is too large")))?;
        let n = self
            .client()
            .await?
            .execute(
                "INSERT INTO draw_commitments(draw, commitment, beacon_chain, beacon_round, committed_at)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (draw) DO NOTHING",
                &[&draw, &encode(commitment), &guichet_draw::beacon::QUICKNET_CHAIN, &round, &now.to_string()],
            )
            .await?;
        if n == 0 {
            return Err(decide::already_committed(draw));
        }
        Ok(())
    }

    /// Closes the list: carries registrants over if the draw says so, then publishes the count
    /// and fingerprint.
    pub async fn close_draw(&self, draw: &str, now: Timestamp) -> R<Closed> {
        let d = decide::check_close(self.config(), draw, now)?;
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        lock_draw(&tx, draw).await?;
        if let Some((count, fp)) = closed(&tx, draw).await? {
            return Err(decide::already_closed(draw, count, &fp));
        }
        let mut carried = 0;
        if let Some(from) = &d.carry_over_from {
            let next: i64 = tx
                .query_one(
                    "SELECT COALESCE(MAX(id), 0) + 1 FROM draw_registrations WHERE draw = $1",
                    &[&draw],
                )
                .await?
                .get(0);
            let rows = tx
                .query(
                    "SELECT account_id, club FROM draw_registrations f WHERE draw = $1
                     AND NOT EXISTS (SELECT 1 FROM draw_registrations t WHERE t.draw = $2 AND t.account_id = f.account_id)
                     ORDER BY id",
                    &[&from, &draw],
                )
                .await?;
            for (n, r) in (next..).zip(rows) {
                let (account, club): (String, bool) = (r.get(0), r.get(1));
                insert_registration(&tx, draw, n, &account, club, now, None, Some(from)).await?;
                carried += 1;
            }
        }
        let regs = registrations(&tx, draw).await?;
        let (count, fp) = decide::close_list(&regs)?;
        tx.execute(
            "INSERT INTO draw_closes(draw, fingerprint, count, closed_at) VALUES ($1, $2, $3, $4)",
            &[&draw, &fp, &(count as i64), &now.to_string()],
        )
        .await?;
        self.before_commit().await;
        tx.commit().await?;
        Ok(Closed {
            count,
            fingerprint: fp,
            carried,
        })
    }

    /// The draw's registration list, in id order.
    pub async fn draw_registrations(&self, draw: &str) -> R<Vec<Registration>> {
        decide::draw_config(self.config(), draw)?;
        let c = self.client().await?;
        registrations(&c, draw).await
    }

    /// Runs the next wave (as the SQLite store) and writes its results.
    pub async fn run_draw(
        &self,
        draw: &str,
        secret: &[u8; 32],
        signature: &[u8],
        slots_from: Option<Timestamp>,
        inventory: Option<u64>,
        now: Timestamp,
    ) -> R<Transcript> {
        decide::draw_config(self.config(), draw)?;
        // Read and drawn outside a transaction (a large draw computes longer than a session
        // may stay idle in one); the write below checks that no other run wrote this wave.
        let mut c = self.client().await?;
        let st = run_state(&c, draw).await?;
        decide::check_run(self.config(), draw, &st)?;
        let regs = registrations(&c, draw).await?;
        let t = decide::run(
            self.config(),
            self.catalogue(),
            draw,
            &st,
            &regs,
            secret,
            signature,
            slots_from,
            inventory,
        )?;
        let tx = c.transaction().await?;
        tx.execute(
            "SELECT pg_advisory_xact_lock(hashtext('draw-run:' || $1))",
            &[&draw],
        )
        .await?;
        if run_state(&tx, draw).await?.wave != st.wave {
            return Err(decide::wave_raced(draw, st.wave));
        }
        let winners = decide::winners(&regs, &t);
        let accounts: Vec<&str> = winners.iter().map(|w| w.0).collect();
        let starts: Vec<String> = winners.iter().map(|w| decide::slot_text(w.1)).collect();
        let ends: Vec<String> = winners
            .iter()
            .map(|w| decide::slot_text(w.1 + t.settings.slots.slot_seconds))
            .collect();
        let wave = i32::try_from(t.wave).unwrap_or(i32::MAX);
        tx.execute(
            "INSERT INTO draw_winners(draw, account_id, wave, slot_start, slot_end)
             SELECT $1, a, $2, s, e FROM unnest($3::TEXT[], $4::TEXT[], $5::TEXT[]) AS w(a, s, e)",
            &[&draw, &wave, &accounts, &starts, &ends],
        )
        .await?;
        // The sale reads `account_draws` alone: winners become `drawn` with their slot (a
        // later wave may draw an account an earlier one left out), everyone else still
        // `registered` becomes `not_drawn`.
        tx.execute(
            "UPDATE account_draws d SET status = 'drawn', slot_start = w.s, slot_end = w.e
             FROM unnest($2::TEXT[], $3::TEXT[], $4::TEXT[]) AS w(a, s, e)
             WHERE d.draw = $1 AND d.account_id = w.a AND d.status <> 'drawn'",
            &[&draw, &accounts, &starts, &ends],
        )
        .await?;
        tx.execute(
            "UPDATE account_draws SET status = 'not_drawn' WHERE draw = $1 AND status = 'registered'",
            &[&draw],
        )
        .await?;
        tx.execute(
            "INSERT INTO changes(kind, key)
             SELECT 'account', s.id FROM (SELECT id FROM accounts WHERE created_by_device IS NOT NULL
                                          UNION SELECT account_id FROM orders WHERE device_id IS NOT NULL) AS s
             WHERE EXISTS (SELECT 1 FROM draw_registrations r WHERE r.draw = $1 AND r.account_id = s.id) ORDER BY s.id",
            &[&draw],
        )
        .await?;
        tx.execute(
            "INSERT INTO draw_transcripts(draw, wave, transcript, results_hash, winners, run_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &draw,
                &wave,
                &t.to_json(),
                &t.results_hash,
                &(t.settings.winners as i64),
                &now.to_string(),
            ],
        )
        .await?;
        self.before_commit().await;
        tx.commit().await?;
        Ok(t)
    }
}
