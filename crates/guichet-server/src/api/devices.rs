//! A device's own state report, and the staff's list of devices with their last state.

use axum::extract::State;
use axum::Json;
use guichet_wire::checks;
use guichet_wire::device_state::{DeviceDto, DeviceStateDto, DeviceStateReport};
use jiff::Timestamp;

use super::auth::AuthDevice;
use super::handlers::{
    field, named_device, ApiJson, BadBody, OtherDevice, StaffOnly, TooLarge, Unauthorized, S,
};
use super::Error;
use crate::store::ReportTimes;

fn instant(name: &str, s: &str) -> Result<Timestamp, Error> {
    s.trim().parse::<Timestamp>().map_err(|e| {
        Error::bad_request(format!(
            "{name} {s:?} is not an instant ({e}): send RFC 3339 with an offset, e.g. 2024-01-10T09:00:00Z"
        ))
    })
}

/// The instants of a report, checked, and its texts: 400 naming the field.
fn checked(r: &DeviceStateReport) -> Result<ReportTimes, Error> {
    field(checks::text("printer.detail", &r.printer.detail, 300))?;
    field(checks::text("terminal.detail", &r.terminal.detail, 300))?;
    field(checks::text("app_version", &r.app_version, 40))?;
    if r.codes.len() > 5 {
        return Err(Error::bad_request(format!(
            "codes: {} given; there are 5 codes, each given once at most",
            r.codes.len()
        )));
    }
    Ok(ReportTimes {
        observed_at: instant("observed_at", &r.observed_at)?,
        last_sale_at: r
            .last_sale_at
            .as_deref()
            .map(|s| instant("last_sale_at", s))
            .transpose()?,
    })
}

/// A device reports its own state (a kiosk: its pre-sale checks, when their result changes
/// and every minute or so otherwise). The server keeps the latest per device with the time it
/// arrived; a report observed before the one kept (sent late by a device back online) only
/// moves "last seen". Any device, for itself only.
#[utoipa::path(put, path = "/v1/devices/self/state", request_body = DeviceStateReport, security(("bearer" = [])),
    responses((status = 200, description = "the state now kept for this device", body = DeviceStateDto),
        BadBody, Unauthorized, OtherDevice, TooLarge))]
pub async fn report_state(
    State(st): S,
    AuthDevice(d): AuthDevice,
    body: ApiJson<DeviceStateReport>,
) -> Result<Json<DeviceStateDto>, Error> {
    let Json(report) = body?;
    named_device(&d, report.device_id.as_deref(), "state")?;
    let times = checked(&report)?;
    let kept = st
        .backend
        .report_state(d.id, report, times, st.clock.now())
        .await?;
    Ok(Json(kept))
}

/// Every enrolled device with its last reported state and when it was last seen (staff only:
/// a kiosk's token gets 403).
#[utoipa::path(get, path = "/v1/devices", security(("bearer" = [])),
    responses((status = 200, description = "devices, oldest enrolment first", body = Vec<DeviceDto>),
        Unauthorized, StaffOnly))]
pub async fn list(State(st): S, auth: AuthDevice) -> Result<Json<Vec<DeviceDto>>, Error> {
    auth.staff_only("the list of every device and its state")?;
    Ok(Json(st.backend.devices().await?))
}
