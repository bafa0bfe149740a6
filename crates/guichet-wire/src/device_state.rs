//! A device's reported state (`PUT /v1/devices/self/state`) and the staff's list of devices
//! with it (`GET /v1/devices`).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Why a kiosk is out of order: the code its out-of-order screen shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
pub enum OutOfOrderCode {
    /// The printer queue is paused or missing (CUPS pauses a queue out of paper).
    #[serde(rename = "OOO-PRINTER")]
    Printer,
    /// The card terminal does not answer.
    #[serde(rename = "OOO-TERMINAL")]
    Terminal,
    /// Offline with no seats left in the allotment.
    #[serde(rename = "OOO-STOCK")]
    Stock,
    /// The clock is inside no sale phase.
    #[serde(rename = "OOO-PHASE")]
    Phase,
    /// Staff took the kiosk out of service from its maintenance screen.
    #[serde(rename = "OOO-SERVICE")]
    Service,
}

impl OutOfOrderCode {
    /// The code as the screen shows it.
    pub fn as_str(self) -> &'static str {
        match self {
            OutOfOrderCode::Printer => "OOO-PRINTER",
            OutOfOrderCode::Terminal => "OOO-TERMINAL",
            OutOfOrderCode::Stock => "OOO-STOCK",
            OutOfOrderCode::Phase => "OOO-PHASE",
            OutOfOrderCode::Service => "OOO-SERVICE",
        }
    }
}

/// One part of the device (its printer queue, its card terminal): ready or why not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartState {
    /// It works.
    pub ready: bool,
    /// What staff read: `ready`, or why not (e.g. "the CUPS queue KIOSK is paused").
    #[schema(
        min_length = 1,
        max_length = 300,
        pattern = "[^\\t\\n\\u000b\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]"
    )]
    pub detail: String,
}

/// What a device reports of itself, as its last checks found it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeviceStateReport {
    /// Every failing check (a code given twice counts once); empty when the device is in service.
    #[schema(max_items = 5)]
    pub codes: Vec<OutOfOrderCode>,
    /// The printer queue.
    pub printer: PartState,
    /// The card terminal.
    pub terminal: PartState,
    /// The app's version (e.g. `0.1.0`).
    #[schema(
        min_length = 1,
        max_length = 40,
        pattern = "[^\\t\\n\\u000b\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]"
    )]
    pub app_version: String,
    /// Device time of the device's last completed sale (RFC 3339), if it ever sold.
    #[serde(default)]
    #[schema(format = "date-time")]
    pub last_sale_at: Option<String>,
    /// Device time the checks ran (RFC 3339). A report older than the one kept is kept out.
    #[schema(format = "date-time")]
    pub observed_at: String,
    /// The device (leave it out to mean the token's); another device's id is refused with 403.
    #[serde(default)]
    #[schema(
        format = "uuid",
        pattern = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
    )]
    pub device_id: Option<String>,
}

/// A device's latest state as the server keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DeviceStateDto {
    /// No check fails: the device offers sales.
    pub in_service: bool,
    /// The failing checks.
    pub codes: Vec<OutOfOrderCode>,
    /// The printer queue.
    pub printer: PartState,
    /// The card terminal.
    pub terminal: PartState,
    /// The app's version.
    pub app_version: String,
    /// Device time of its last completed sale.
    pub last_sale_at: Option<String>,
    /// Device time the checks ran.
    pub observed_at: String,
    /// Server time the last report arrived ("last seen"), even one kept out as older.
    pub received_at: String,
}

/// An enrolled device, for staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DeviceDto {
    /// Device id.
    pub device_id: String,
    /// `box-office` or `kiosk`.
    pub kind: String,
    /// Its name for people.
    pub name: String,
    /// Server time of its enrolment.
    pub enrolled_at: String,
    /// Server time of its last state report; none if it never reported.
    pub last_seen: Option<String>,
    /// Its last reported state.
    pub state: Option<DeviceStateDto>,
}
