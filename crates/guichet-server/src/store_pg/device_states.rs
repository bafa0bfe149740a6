//! The latest state each device reported of itself, on PostgreSQL (as SQLite's
//! `store/device_states.rs`), and the staff's list of devices with it.

use guichet_wire::device_state::{DeviceDto, DeviceStateDto, DeviceStateReport, PartState};
use jiff::Timestamp;

use super::PgStore;
use crate::store::{ReportTimes, Result, StoreError};

const STATE_COLUMNS: &str = "s.codes, s.printer_ready, s.printer_detail, s.terminal_ready,
    s.terminal_detail, s.app_version, s.last_sale_at, s.observed_at, s.received_at";

fn state_from_row(r: &tokio_postgres::Row, at: usize) -> Result<Option<DeviceStateDto>> {
    let Some(codes) = r.get::<_, Option<String>>(at) else {
        return Ok(None);
    };
    let codes: Vec<_> = serde_json::from_str(&codes)
        .map_err(|e| StoreError::Invalid(format!("device_states.codes: {e}")))?;
    Ok(Some(DeviceStateDto {
        in_service: codes.is_empty(),
        codes,
        printer: PartState {
            ready: r.get(at + 1),
            detail: r.get(at + 2),
        },
        terminal: PartState {
            ready: r.get(at + 3),
            detail: r.get(at + 4),
        },
        app_version: r.get(at + 5),
        last_sale_at: r.get(at + 6),
        observed_at: r.get(at + 7),
        received_at: r.get(at + 8),
    }))
}

impl PgStore {
    /// Keeps `report` as `device`'s latest state, received at `now`; a report observed before
    /// the one kept only moves "last seen". Answers the state kept.
    pub async fn report_state(
        &self,
        device: &str,
        report: &DeviceStateReport,
        times: &ReportTimes,
        now: Timestamp,
    ) -> Result<DeviceStateDto> {
        let codes = crate::store::decide::state_codes(report)?;
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        tx.execute(
            "INSERT INTO device_states(device_id, codes, printer_ready, printer_detail,
                terminal_ready, terminal_detail, app_version, last_sale_at, observed_at,
                observed_ms, received_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
             ON CONFLICT(device_id) DO UPDATE SET
                codes = excluded.codes, printer_ready = excluded.printer_ready,
                printer_detail = excluded.printer_detail,
                terminal_ready = excluded.terminal_ready,
                terminal_detail = excluded.terminal_detail,
                app_version = excluded.app_version, last_sale_at = excluded.last_sale_at,
                observed_at = excluded.observed_at, observed_ms = excluded.observed_ms
             WHERE excluded.observed_ms >= device_states.observed_ms",
            &[
                &device,
                &codes,
                &report.printer.ready,
                &report.printer.detail,
                &report.terminal.ready,
                &report.terminal.detail,
                &report.app_version,
                &times.last_sale_at.map(|t| t.to_string()),
                &times.observed_at.to_string(),
                &times.observed_at.as_millisecond(),
                &now.to_string(),
            ],
        )
        .await?;
        tx.execute(
            "UPDATE device_states SET received_at = $2 WHERE device_id = $1",
            &[&device, &now.to_string()],
        )
        .await?;
        let row = tx
            .query_opt(
                &format!("SELECT {STATE_COLUMNS} FROM device_states s WHERE s.device_id = $1"),
                &[&device],
            )
            .await?;
        tx.commit().await?;
        row.map(|r| state_from_row(&r, 0))
            .transpose()?
            .flatten()
            .ok_or_else(|| StoreError::NotFound(format!("no state kept for device {device}")))
    }

    /// Every enrolled device, oldest enrolment first, with its last reported state.
    pub async fn devices(&self) -> Result<Vec<DeviceDto>> {
        let c = self.client().await?;
        let rows = c
            .query(
                &format!(
                    "SELECT d.id, d.kind, d.name, d.enrolled_at, {STATE_COLUMNS}
                     FROM devices d LEFT JOIN device_states s ON s.device_id = d.id
                     ORDER BY d.enrolled_at, d.id"
                ),
                &[],
            )
            .await?;
        rows.iter()
            .map(|r| {
                let state = state_from_row(r, 4)?;
                Ok(DeviceDto {
                    device_id: r.get(0),
                    kind: r.get(1),
                    name: r.get(2),
                    enrolled_at: r.get(3),
                    last_seen: state.as_ref().map(|s| s.received_at.clone()),
                    state,
                })
            })
            .collect()
    }
}
