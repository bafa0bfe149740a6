//! The shell's configuration: which kind of device this is.
//!
//! Only the environment is read for now; a TOML file with environment overrides (DESIGN.md,
//! "Interfaces") comes with enrolment, and will feed the same [`AppConfig`].

use serde::Serialize;

use crate::error::ConfigError;

/// Environment variable naming the device kind: `box-office` (default) or `kiosk`.
pub const DEVICE_KIND_ENV: &str = "GUICHET_DEVICE_KIND";

/// What this device is for; it decides which screens the UI offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
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

    /// The main window's title for this kind of device.
    pub fn window_title(self) -> &'static str {
        match self {
            Self::BoxOffice => "Guichet — Box office",
            Self::Kiosk => "Guichet — Kiosk",
        }
    }
}

/// Everything the shell needs to know before it opens a window.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppConfig {
    /// Box office or kiosk.
    pub device_kind: DeviceKind,
}

impl AppConfig {
    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `lookup` (an environment stand-in, so tests need not
    /// mutate the process environment). An unset or empty variable means the default.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let device_kind = match lookup(DEVICE_KIND_ENV) {
            None => DeviceKind::default(),
            Some(value) if value.trim().is_empty() => DeviceKind::default(),
            Some(value) => {
                DeviceKind::parse(value.trim()).ok_or(ConfigError::UnknownDeviceKind {
                    variable: DEVICE_KIND_ENV,
                    value,
                })?
            }
        };
        Ok(Self { device_kind })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(value: Option<&str>) -> Result<AppConfig, ConfigError> {
        AppConfig::from_lookup(|name| {
            assert_eq!(
                name, DEVICE_KIND_ENV,
                "only the device kind is configurable yet"
            );
            value.map(str::to_owned)
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
}
