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
    /// An instant that does not parse.
    #[error("{variable}={value:?} is not an instant; write e.g. 2023-02-20T10:00[Europe/Paris] or 2023-02-20T09:00:00Z")]
    BadInstant {
        /// The variable.
        variable: &'static str,
        /// The value as found.
        value: String,
    },
    /// A value outside its choices.
    #[error("{variable}={value:?} is not accepted; expected {expected}")]
    BadChoice {
        /// The variable.
        variable: &'static str,
        /// The value as found.
        value: String,
        /// What is accepted.
        expected: &'static str,
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
    /// Another app already runs on this desk file: no second window opens.
    #[error("another Guichet app already runs on the desk file {desk}: {}; this launch opens no second window and stops", if *.shown { "its window was brought to the front" } else { "it did not answer (close it, or wait for it to finish starting)" })]
    AlreadyRunning {
        /// The desk file.
        desk: String,
        /// The other app answered that its window is in front.
        shown: bool,
    },
    /// The single-instance lock could not be taken.
    #[error("the single-instance lock for {desk} could not be taken ({why}); nothing was opened")]
    Lock {
        /// The desk file.
        desk: String,
        /// The system's reason.
        why: std::io::Error,
    },
}
