//! The draw's refusals: each names the rule, the numbers and the way out.

/// Why a draw step is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DrawError {
    /// The revealed secret does not hash to the published commitment.
    #[error("REVEAL_MISMATCH: SHA-256 of the revealed secret is {got}, the commitment published before close is {commitment} — reveal the secret kept by `draw commit`")]
    RevealMismatch {
        /// Published commitment (hex).
        commitment: String,
        /// SHA-256 of what was revealed (hex).
        got: String,
    },
    /// The beacon's signature does not check against the chain's public key.
    #[error("BEACON_INVALID: round {round}: {why} — give the signature the drand chain published for round {round}")]
    BeaconInvalid {
        /// The round.
        round: u64,
        /// What failed.
        why: String,
    },
    /// The registration list is not valid.
    #[error("REGISTRATIONS_INVALID: {0}")]
    Registrations(String),
    /// A registration arrives after the list's fingerprint is published.
    #[error("REGISTRATION_AFTER_FINGERPRINT: the list of {draw} was closed with {count} registrations (fingerprint {fingerprint}); no registration can be added — register for a later draw")]
    AfterFingerprint {
        /// The draw.
        draw: String,
        /// Registrations in the closed list.
        count: u64,
        /// Its fingerprint (hex).
        fingerprint: String,
    },
    /// The winners do not fit in the slots.
    #[error("SLOTS_FULL: winner {position} of {winners} would start at {start} (Unix s), past {limit} ({which}) with {hour_capacity} slots an hour — raise the hour capacity or draw fewer winners")]
    SlotsFull {
        /// Draw-order position of the first winner that does not fit.
        position: u64,
        /// Winners of the wave.
        winners: u64,
        /// Start it would get.
        start: i64,
        /// The limit it passes.
        limit: i64,
        /// Which limit.
        which: &'static str,
        /// Slots an hour.
        hour_capacity: u32,
    },
    /// A setting is out of range.
    #[error("SETTINGS_INVALID: {0}")]
    Settings(String),
    /// A transcript or value cannot be read.
    #[error("TRANSCRIPT_INVALID: {0}")]
    Transcript(String),
}

impl DrawError {
    /// The stable code a UI or script switches on.
    pub fn code(&self) -> &'static str {
        match self {
            DrawError::RevealMismatch { .. } => "REVEAL_MISMATCH",
            DrawError::BeaconInvalid { .. } => "BEACON_INVALID",
            DrawError::Registrations(_) => "REGISTRATIONS_INVALID",
            DrawError::AfterFingerprint { .. } => "REGISTRATION_AFTER_FINGERPRINT",
            DrawError::SlotsFull { .. } => "SLOTS_FULL",
            DrawError::Settings(_) => "SETTINGS_INVALID",
            DrawError::Transcript(_) => "TRANSCRIPT_INVALID",
        }
    }
}

/// Result of the draw crate.
pub type Result<T, E = DrawError> = std::result::Result<T, E>;
