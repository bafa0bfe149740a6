//! Why the shell can fail to start.

/// A configuration value the shell cannot use.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The device kind is neither `box-office` nor `kiosk`.
    #[error("{variable}={value:?} is not a device kind; expected \"box-office\" or \"kiosk\"")]
    UnknownDeviceKind {
        /// Where the value came from (an environment variable's name).
        variable: &'static str,
        /// The value as found.
        value: String,
    },
}

/// Why [`crate::run`] returned early.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The configuration was refused before any window opened.
    #[error("configuration: {0}")]
    Config(#[from] ConfigError),
    /// Tauri could not build or run the application.
    #[error("tauri: {0}")]
    Tauri(#[from] tauri::Error),
}
