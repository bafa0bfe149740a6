//! Reads for the operations console's pages (sale overview, inventory's lent seats per device,
//! devices' sync, an account's orders, draws): queries over existing tables only.

use std::collections::BTreeMap;

use rusqlite::params;

use super::{Result, Store};

/// Devices holding an offer's lent seats, by (session, category): (device name, seats).
pub type LentByDevice = BTreeMap<(String, String), Vec<(String, i64)>>;

/// The sale's totals and its sales by hour and by sport (valid tickets only).
#[derive(Debug, Clone, Default)]
pub struct SalesOverview {
    /// Tickets sold and still valid, by the hour they were sold (`YYYY-MM-DDTHH`, UTC), the
    /// last 24 hours that had a sale, oldest first.
    pub by_hour: Vec<(String, i64)>,
    /// Tickets sold and still valid, by sport, most first.
    pub by_sport: Vec<(String, i64)>,
}

/// A device's last sync, as the server saw it.
#[derive(Debug, Clone, Default)]
pub struct DeviceSync {
    /// The app version of its last state report, if it sent one.
    pub app_version: Option<String>,
    /// How late its last event arrived: received minus made (seconds).
    pub last_event_lag_s: Option<i64>,
    /// Events it had waiting at its last push (the batch included), and the batch's size.
    pub waiting_at_push: Option<(i64, i64)>,
    /// Events of its last push that were rejected.
    pub rejected: i64,
}

/// One order of an account.
#[derive(Debug, Clone)]
pub struct OrderRow {
    /// Order id.
    pub id: String,
    /// `single` or `pack`.
    pub kind: String,
    /// `online` or `offline`.
    pub channel: String,
    /// Sold at (UTC).
    pub sold_at: String,
    /// Total, cents.
    pub total_cents: i64,
    /// The selling device's name, if a device sold it.
    pub device: Option<String>,
    /// Valid and void tickets.
    pub valid: i64,
    /// Voided tickets.
    pub void: i64,
}

/// What the console shows of a draw.
#[derive(Debug, Clone, Default)]
pub struct DrawSummary {
    /// The published SHA-256 of the secret, the beacon chain and round, and when.
    pub commitment: Option<(String, String, i64, String)>,
    /// Registrations so far.
    pub registrations: i64,
    /// The closed list's fingerprint and count, and when.
    pub closed: Option<(String, i64, String)>,
    /// Waves run: wave, winners, results hash, when.
    pub waves: Vec<(i64, i64, String, String)>,
    /// Notices by state (`pending`, `sending`, `sent`, `failed`).
    pub notices: BTreeMap<String, i64>,
}

impl Store {
    /// Sales by hour (the last 24 hours that had one) and by sport.
    pub fn sales_overview(&self) -> Result<SalesOverview> {
        self.read(|c| {
            let mut by_hour: Vec<(String, i64)> = c
                .prepare(
                    "SELECT substr(o.sold_at, 1, 13), count(*) FROM tickets t
                     JOIN orders o ON o.id = t.order_id WHERE t.status = 'valid'
                     GROUP BY 1 ORDER BY 1 DESC LIMIT 24",
                )?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            by_hour.reverse();
            let by_sport = c
                .prepare(
                    "SELECT s.sport, count(*) FROM tickets t JOIN sessions s ON s.code = t.session
                     WHERE t.status = 'valid' GROUP BY 1 ORDER BY 2 DESC, 1",
                )?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            Ok(SalesOverview { by_hour, by_sport })
        })
    }

    /// Seats lent and not yet sold, returned nor written off, per (session, category): the
    /// devices holding them and how many each.
    pub fn lent_by_device(&self) -> Result<LentByDevice> {
        self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT a.session, a.category, d.name,
                        a.granted - a.sold - a.returned - a.written_off
                 FROM allotments a JOIN devices d ON d.id = a.device_id
                 WHERE a.granted - a.sold - a.returned - a.written_off > 0
                 ORDER BY a.session, a.category, d.name",
            )?;
            let mut out = LentByDevice::new();
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
            for row in rows {
                let (s, k, name, n): (String, String, String, i64) = row?;
                out.entry((s, k)).or_default().push((name, n));
            }
            Ok(out)
        })
    }

    /// Each device's last sync, by device id.
    pub fn devices_sync(&self) -> Result<BTreeMap<String, DeviceSync>> {
        self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT d.id, s.app_version,
                   (SELECT CAST(round((julianday(e.received_at) - julianday(e.created_at)) * 86400) AS INTEGER)
                      FROM sync_events e WHERE e.device_id = d.id
                     ORDER BY e.received_at DESC LIMIT 1),
                   (SELECT count(*) FROM sync_events e WHERE e.device_id = d.id
                      AND e.status = 'rejected'),
                   p.waiting, p.batch
                 FROM devices d LEFT JOIN device_states s ON s.device_id = d.id
                 LEFT JOIN device_push_reports p ON p.device_id = d.id",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    DeviceSync {
                        app_version: r.get(1)?,
                        last_event_lag_s: r.get(2)?,
                        rejected: r.get(3)?,
                        waiting_at_push: match (r.get(4)?, r.get(5)?) {
                            (Some(w), Some(b)) => Some((w, b)),
                            _ => None,
                        },
                    },
                ))
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// Conflicts no supervisor has resolved yet.
    pub fn open_conflicts(&self) -> Result<i64> {
        self.read(|c| {
            Ok(c.query_row(
                "SELECT count(*) FROM conflicts WHERE resolved_at IS NULL",
                [],
                |r| r.get(0),
            )?)
        })
    }

    /// Records what a device said of its outbox at a push (one row a device, replaced).
    pub fn record_push_report(
        &self,
        device: &str,
        waiting: u64,
        batch: usize,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let w = i64::try_from(waiting).unwrap_or(i64::MAX);
        let b = i64::try_from(batch).unwrap_or(i64::MAX);
        self.write(|tx| {
            tx.execute(
                "INSERT INTO device_push_reports (device_id, waiting, batch, pushed_at)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (device_id) DO UPDATE SET waiting = ?2, batch = ?3, pushed_at = ?4",
                params![device, w, b, now.to_string()],
            )?;
            Ok(())
        })
    }

    /// An account's orders, newest first (at most 100).
    pub fn account_orders(&self, account: &str) -> Result<Vec<OrderRow>> {
        self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT o.id, o.kind, o.channel, o.sold_at, o.total_cents, d.name,
                   (SELECT count(*) FROM tickets t WHERE t.order_id = o.id AND t.status = 'valid'),
                   (SELECT count(*) FROM tickets t WHERE t.order_id = o.id AND t.status = 'void')
                 FROM orders o LEFT JOIN devices d ON d.id = o.device_id
                 WHERE o.account_id = ?1 ORDER BY o.sold_at DESC LIMIT 100",
            )?;
            let rows = stmt.query_map(params![account], |r| {
                Ok(OrderRow {
                    id: r.get(0)?,
                    kind: r.get(1)?,
                    channel: r.get(2)?,
                    sold_at: r.get(3)?,
                    total_cents: r.get(4)?,
                    device: r.get(5)?,
                    valid: r.get(6)?,
                    void: r.get(7)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// What the console shows of `draw`.
    pub fn draw_summary(&self, draw: &str) -> Result<DrawSummary> {
        use rusqlite::OptionalExtension;
        self.read(|c| {
            let commitment = c
                .query_row(
                    "SELECT commitment, beacon_chain, beacon_round, committed_at
                     FROM draw_commitments WHERE draw = ?1",
                    [draw],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()?;
            let registrations = c.query_row(
                "SELECT count(*) FROM draw_registrations WHERE draw = ?1",
                [draw],
                |r| r.get(0),
            )?;
            let closed = c
                .query_row(
                    "SELECT fingerprint, count, closed_at FROM draw_closes WHERE draw = ?1",
                    [draw],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            let waves = c
                .prepare(
                    "SELECT wave, winners, results_hash, run_at FROM draw_transcripts
                     WHERE draw = ?1 ORDER BY wave",
                )?
                .query_map([draw], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                .collect::<rusqlite::Result<_>>()?;
            let notices = c
                .prepare("SELECT state, count(*) FROM notice_outbox WHERE draw = ?1 GROUP BY 1")?
                .query_map([draw], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            Ok(DrawSummary {
                commitment,
                registrations,
                closed,
                waves,
                notices,
            })
        })
    }
}
