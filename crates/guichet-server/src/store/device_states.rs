//! The latest state each device reported of itself, and the staff's list of devices with it.

use guichet_wire::device_state::{DeviceDto, DeviceStateDto, DeviceStateReport, PartState};
use jiff::Timestamp;
use rusqlite::{params, OptionalExtension};

use super::{Result, Store, StoreError};

/// A report's instants, read: when the checks ran and the last sale.
pub struct ReportTimes {
    /// Device time the checks ran.
    pub observed_at: Timestamp,
    /// Device time of the last sale.
    pub last_sale_at: Option<Timestamp>,
}

fn state_from_row(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<Option<DeviceStateDto>> {
    let Some(codes) = r.get::<_, Option<String>>(at)? else {
        return Ok(None);
    };
    let codes: Vec<_> = serde_json::from_str(&codes).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(at, rusqlite::types::Type::Text, Box::new(e))
    })?;
    Ok(Some(DeviceStateDto {
        in_service: codes.is_empty(),
        codes,
        printer: PartState {
            ready: r.get(at + 1)?,
            detail: r.get(at + 2)?,
        },
        terminal: PartState {
            ready: r.get(at + 3)?,
            detail: r.get(at + 4)?,
        },
        app_version: r.get(at + 5)?,
        last_sale_at: r.get(at + 6)?,
        observed_at: r.get(at + 7)?,
        received_at: r.get(at + 8)?,
    }))
}

const STATE_COLUMNS: &str = "s.codes, s.printer_ready, s.printer_detail, s.terminal_ready,
    s.terminal_detail, s.app_version, s.last_sale_at, s.observed_at, s.received_at";

impl Store {
    /// Keeps `report` as `device`'s latest state, received at `now`; a report observed before
    /// the one kept only moves "last seen". Answers the state kept.
    pub fn report_state(
        &self,
        device: &str,
        report: &DeviceStateReport,
        times: &ReportTimes,
        now: Timestamp,
    ) -> Result<DeviceStateDto> {
        let codes = crate::store::decide::state_codes(report)?;
        self.write(|tx| {
            tx.execute(
                "INSERT INTO device_states(device_id, codes, printer_ready, printer_detail,
                    terminal_ready, terminal_detail, app_version, last_sale_at, observed_at,
                    observed_ms, received_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
                 ON CONFLICT(device_id) DO UPDATE SET
                    codes = excluded.codes, printer_ready = excluded.printer_ready,
                    printer_detail = excluded.printer_detail,
                    terminal_ready = excluded.terminal_ready,
                    terminal_detail = excluded.terminal_detail,
                    app_version = excluded.app_version, last_sale_at = excluded.last_sale_at,
                    observed_at = excluded.observed_at, observed_ms = excluded.observed_ms
                 WHERE excluded.observed_ms >= device_states.observed_ms",
                params![
                    device,
                    codes,
                    report.printer.ready,
                    report.printer.detail,
                    report.terminal.ready,
                    report.terminal.detail,
                    report.app_version,
                    times.last_sale_at.map(|t| t.to_string()),
                    times.observed_at.to_string(),
                    times.observed_at.as_millisecond(),
                    now.to_string(),
                ],
            )?;
            tx.execute(
                "UPDATE device_states SET received_at = ?2 WHERE device_id = ?1",
                params![device, now.to_string()],
            )?;
            Ok::<_, StoreError>(())
        })?;
        self.read(|c| {
            c.query_row(
                &format!("SELECT {STATE_COLUMNS} FROM device_states s WHERE s.device_id = ?1"),
                [device],
                |r| state_from_row(r, 0),
            )
            .optional()
            .map_err(StoreError::from)
        })?
        .flatten()
        .ok_or_else(|| StoreError::NotFound(format!("no state kept for device {device}")))
    }

    /// Every enrolled device, oldest first, with its last reported state.
    pub fn devices(&self) -> Result<Vec<DeviceDto>> {
        self.read(|c| {
            let mut stmt = c.prepare(&format!(
                "SELECT d.id, d.kind, d.name, d.enrolled_at, {STATE_COLUMNS}
                 FROM devices d LEFT JOIN device_states s ON s.device_id = d.id
                 ORDER BY d.enrolled_at, d.id"
            ))?;
            let rows = stmt.query_map([], |r| {
                let state = state_from_row(r, 4)?;
                Ok(DeviceDto {
                    device_id: r.get(0)?,
                    kind: r.get(1)?,
                    name: r.get(2)?,
                    enrolled_at: r.get(3)?,
                    last_seen: state.as_ref().map(|s| s.received_at.clone()),
                    state,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }
}
