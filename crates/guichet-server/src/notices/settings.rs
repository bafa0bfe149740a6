//! The `[notices]` section of `config/notices.toml`: where notices go and how fast.

use std::path::PathBuf;

use serde::Deserialize;

/// The built-in settings (the repository's `config/notices.toml`).
pub const DEFAULT_TOML: &str = include_str!("../../../../config/notices.toml");

/// Settings of the sender.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoticeSettings {
    /// SMTP relay, `host:port`, plain SMTP (no TLS: the relay is local to the server).
    #[serde(default)]
    pub smtp: Option<String>,
    /// Write `.eml` files in this folder instead of talking SMTP.
    #[serde(default)]
    pub eml_dir: Option<PathBuf>,
    /// The From: mailbox, e.g. `Billetterie Paris 2024 <billetterie@guichet.invalid>`.
    pub from: String,
    /// Messages per second at most, on average.
    #[serde(default = "defaults::rate")]
    pub rate_per_second: f64,
    /// Messages at once at most.
    #[serde(default = "defaults::one")]
    pub burst: u32,
    /// Right part of every Message-ID.
    #[serde(default = "defaults::domain")]
    pub message_id_domain: String,
    /// First wait after a 4xx, seconds; doubled at each try.
    #[serde(default = "defaults::base")]
    pub retry_base_seconds: u32,
    /// Longest wait, seconds.
    #[serde(default = "defaults::cap")]
    pub retry_cap_seconds: u32,
    /// Tries before giving up on 4xx answers.
    #[serde(default = "defaults::attempts")]
    pub max_attempts: u32,
    /// Read and write timeout with the relay, seconds.
    #[serde(default = "defaults::timeout")]
    pub timeout_seconds: u32,
    /// A row left in `sending` longer than this (seconds) is taken as left by a killed sender.
    #[serde(default = "defaults::lease")]
    pub lease_seconds: u32,
}

mod defaults {
    pub fn rate() -> f64 {
        10.0
    }
    pub fn one() -> u32 {
        1
    }
    pub fn domain() -> String {
        "guichet.invalid".into()
    }
    pub fn base() -> u32 {
        60
    }
    pub fn cap() -> u32 {
        3600
    }
    pub fn attempts() -> u32 {
        8
    }
    pub fn timeout() -> u32 {
        30
    }
    pub fn lease() -> u32 {
        300
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    notices: NoticeSettings,
}

impl NoticeSettings {
    /// Reads the `[notices]` section; `origin` names the file in errors.
    pub fn from_toml(text: &str, origin: &str) -> Result<NoticeSettings, String> {
        let f: File = toml::from_str(text).map_err(|e| format!("{origin}: {e}"))?;
        Ok(f.notices)
    }

    /// Says what is wrong, if anything, once the command line's overrides are in.
    pub fn check(&self) -> Result<(), String> {
        match (&self.smtp, &self.eml_dir) {
            (Some(_), Some(_)) => return Err("[notices] names both smtp and eml_dir: keep one (--smtp or --eml-dir on the command line overrides the file)".into()),
            (None, None) => return Err("[notices] names neither smtp nor eml_dir: give smtp = \"host:port\" or eml_dir = \"folder\"".into()),
            _ => {}
        }
        if self.max_attempts == 0 || self.retry_base_seconds == 0 {
            return Err(format!(
                "[notices] max_attempts = {} and retry_base_seconds = {}: both must be at least 1",
                self.max_attempts, self.retry_base_seconds
            ));
        }
        guichet_notices::TokenBucket::new(self.rate_per_second, self.burst)
            .map(|_| ())
            .map_err(|e| format!("[notices] {e}"))
    }

    /// The retry rule these settings give.
    pub fn retry(&self) -> guichet_notices::RetryPolicy {
        guichet_notices::RetryPolicy {
            base: jiff::SignedDuration::from_secs(i64::from(self.retry_base_seconds)),
            cap: jiff::SignedDuration::from_secs(i64::from(
                self.retry_cap_seconds.max(self.retry_base_seconds),
            )),
            max_attempts: self.max_attempts,
        }
    }
}
