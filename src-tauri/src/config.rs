//! The shell's configuration: which kind of device this is.
//!
//! Only the environment is read for now; a TOML file with environment overrides (DESIGN.md,
//! "Interfaces") comes with enrolment, and will feed the same [`AppConfig`].

use std::path::PathBuf;

use guichet_domain::Clock;
use jiff::Timestamp;
use serde::Serialize;

use crate::error::ConfigError;

/// Environment variable naming the device kind: `box-office` (default) or `kiosk`.
pub const DEVICE_KIND_ENV: &str = "GUICHET_DEVICE_KIND";

/// What this device is for; it decides which screens the UI offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, ts_rs::TS)]
#[serde(rename_all = "kebab-case")]
pub enum DeviceKind {
    /// A staffed counter: an operator sells to fans.
    #[default]
    BoxOffice,
    /// A self-service terminal: fans buy for themselves.
    Kiosk,
}

impl DeviceKind {
    /// Parses the wire spelling used in configuration and over IPC.
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "box-office" => Some(Self::BoxOffice),
            "kiosk" => Some(Self::Kiosk),
            _ => None,
        }
    }

    /// The label of this kind of device's window, in `tauri.conf.json` and the capabilities.
    pub fn window_label(self) -> &'static str {
        match self {
            Self::BoxOffice => crate::MAIN_WINDOW,
            Self::Kiosk => crate::KIOSK_WINDOW,
        }
    }

    /// The main window's title for this kind of device.
    pub fn window_title(self) -> &'static str {
        match self {
            Self::BoxOffice => "Guichet — Box office",
            Self::Kiosk => "Guichet — Kiosk",
        }
    }
}

/// Environment variable naming the desk's SQLite file (default: the OS data directory).
pub const DESK_DB_ENV: &str = "GUICHET_DESK_DB";
/// Environment variable standing the clock at an instant (`2023-02-20T10:00[Europe/Paris]`).
pub const NOW_ENV: &str = "GUICHET_NOW";
/// `running` (default: the shifted clock runs on from `GUICHET_NOW`) or `fixed` (it stays).
pub const CLOCK_ENV: &str = "GUICHET_CLOCK";
/// `1` seeds demo operators, accounts and an allotment into an empty desk file.
pub const DEMO_ENV: &str = "GUICHET_DEMO";
/// Default CUPS queue, until the settings screen chooses another.
pub const PRINTER_ENV: &str = "GUICHET_PRINTER";
/// Default language (`en` or `fr`), until the settings screen chooses another.
pub const LANGUAGE_ENV: &str = "GUICHET_LANG";
/// Default server URL, until the settings screen chooses another.
pub const SERVER_URL_ENV: &str = "GUICHET_SERVER_URL";

/// A one-time enrolment code (`guichet-server enrol`): an app that is not enrolled yet enrols
/// with `GUICHET_SERVER_URL` at start-up (the demo uses it; a person types it in Settings).
pub const ENROL_CODE_ENV: &str = "GUICHET_ENROL_CODE";
/// The desk's name for people when it enrols (default "Box office").
pub const DESK_NAME_ENV: &str = "GUICHET_DESK_NAME";

/// Where a demo desk's clock starts when `GUICHET_NOW` is unset: inside the pack sale.
pub const DEMO_NOW: &str = "2023-02-20T10:00[Europe/Paris]";

/// Everything the shell needs to know before it opens a window.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppConfig {
    /// Box office or kiosk.
    pub device_kind: DeviceKind,
    /// The desk's SQLite file; `None`: `guichet_store::default_path()`.
    pub desk_path: Option<PathBuf>,
    /// The instant the clock starts at; `None`: the machine clock.
    pub now: Option<Timestamp>,
    /// Whether a clock set by `now` stays at that instant instead of running on.
    pub clock_fixed: bool,
    /// Seed demo data into an empty desk file.
    pub demo: bool,
    /// Printer queue, language and server URL before the settings file says otherwise.
    pub printer: Option<String>,
    /// `en` or `fr`.
    pub language: Option<String>,
    /// The central server's URL.
    pub server_url: Option<String>,
    /// A one-time enrolment code to use at start-up if the desk is not enrolled.
    pub enrol_code: Option<String>,
    /// The desk's name, sent when it enrols.
    pub desk_name: Option<String>,
}

impl AppConfig {
    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `lookup` (an environment stand-in, so tests need not
    /// mutate the process environment). An unset or empty variable means the default.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let device_kind = match get(DEVICE_KIND_ENV) {
            None => DeviceKind::default(),
            Some(value) => {
                DeviceKind::parse(value.trim()).ok_or(ConfigError::UnknownDeviceKind {
                    variable: DEVICE_KIND_ENV,
                    value,
                })?
            }
        };
        let now = match get(NOW_ENV) {
            None => None,
            Some(v) => Some(parse_instant(v.trim()).ok_or(ConfigError::BadInstant {
                variable: NOW_ENV,
                value: v,
            })?),
        };
        let clock_fixed = match get(CLOCK_ENV).as_deref().map(str::trim) {
            None | Some("running") => false,
            Some("fixed") => true,
            Some(other) => {
                return Err(ConfigError::BadChoice {
                    variable: CLOCK_ENV,
                    value: other.to_string(),
                    expected: "\"running\" or \"fixed\"",
                })
            }
        };
        let demo = match get(DEMO_ENV).as_deref().map(str::trim) {
            None | Some("0") => false,
            Some("1") => true,
            Some(other) => {
                return Err(ConfigError::BadChoice {
                    variable: DEMO_ENV,
                    value: other.to_string(),
                    expected: "\"1\" or \"0\"",
                })
            }
        };
        // A demo desk stands inside the pack sale (and the demo accounts' timeslot) unless told
        // otherwise; the screen shows the clock is simulated.
        let now = now.or_else(|| demo.then(|| parse_instant(DEMO_NOW)).flatten());
        Ok(Self {
            device_kind,
            desk_path: get(DESK_DB_ENV).map(PathBuf::from),
            now,
            clock_fixed,
            demo,
            printer: get(PRINTER_ENV),
            language: get(LANGUAGE_ENV),
            server_url: get(SERVER_URL_ENV),
            enrol_code: get(ENROL_CODE_ENV).map(|c| c.trim().to_string()),
            desk_name: get(DESK_NAME_ENV),
        })
    }

    /// The clock the desk and the status bar share.
    pub fn clock(&self) -> Clock {
        match (self.now, self.clock_fixed) {
            (None, _) => Clock::System,
            (Some(at), true) => Clock::fixed(at),
            (Some(at), false) => Clock::shifted(at),
        }
    }
}

/// RFC 3339 (`2023-02-20T09:00:00Z`) or a zoned instant (`2023-02-20T10:00[Europe/Paris]`).
pub fn parse_instant(s: &str) -> Option<Timestamp> {
    s.parse::<Timestamp>()
        .ok()
        .or_else(|| s.parse::<jiff::Zoned>().ok().map(|z| z.timestamp()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(value: Option<&str>) -> Result<AppConfig, ConfigError> {
        AppConfig::from_lookup(|name| {
            (name == DEVICE_KIND_ENV)
                .then(|| value.map(str::to_owned))
                .flatten()
        })
    }

    #[test]
    fn unset_or_blank_means_box_office_the_common_case() {
        assert_eq!(with(None).unwrap().device_kind, DeviceKind::BoxOffice);
        assert_eq!(with(Some("  ")).unwrap().device_kind, DeviceKind::BoxOffice);
    }

    #[test]
    fn both_kinds_parse_from_their_wire_spelling() {
        assert_eq!(with(Some("kiosk")).unwrap().device_kind, DeviceKind::Kiosk);
        assert_eq!(
            with(Some("box-office")).unwrap().device_kind,
            DeviceKind::BoxOffice
        );
    }

    #[test]
    fn a_typo_is_refused_rather_than_silently_becoming_a_box_office() {
        let error = with(Some("Kiosk")).unwrap_err();
        assert!(
            error.to_string().contains("\"Kiosk\""),
            "the message names the bad value: {error}"
        );
    }

    #[test]
    fn the_clock_stands_where_guichet_now_says_and_a_bad_instant_stops_the_app() {
        let c = AppConfig::from_lookup(|n| {
            (n == NOW_ENV).then(|| "2023-02-20T10:00[Europe/Paris]".to_string())
        })
        .unwrap();
        assert_eq!(
            c.now.unwrap().to_string(),
            "2023-02-20T09:00:00Z",
            "10:00 Paris is 09:00 UTC in February"
        );
        assert!(
            c.clock().is_simulated(),
            "the screen must say the clock is not the machine's"
        );
        let bad = AppConfig::from_lookup(|n| (n == NOW_ENV).then(|| "tomorrow".to_string()));
        assert!(bad.unwrap_err().to_string().contains("tomorrow"));
    }
}
