//! The desk's settings: every limit is named here, none is a literal in a use case.

use guichet_domain::Money;
use jiff::SignedDuration;

/// Whether the desk can reach the server. Offline, it sells only from its allotment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Connectivity {
    /// The server decides; the availability cache is the stock shown.
    Online,
    /// The desk decides against its allotment.
    Offline,
}

/// Settings of one desk.
#[derive(Debug, Clone)]
pub struct DeskSettings {
    /// Wrong PINs in a row before an operator is locked (5).
    pub pin_attempts: u32,
    /// How long a lock lasts (15 minutes).
    pub pin_lock: SignedDuration,
    /// The most change the till gives back; more means a typing slip (500 €).
    pub max_change: Money,
    /// Longest name, email or reason accepted (120 characters).
    pub max_text: usize,
    /// Online or offline.
    pub connectivity: Connectivity,
    /// After the server failed to answer a sale, sell from the allotment without asking it
    /// for this long, so customers do not wait for time-outs one after another (30 s).
    pub online_retry: SignedDuration,
}

impl Default for DeskSettings {
    fn default() -> Self {
        DeskSettings {
            pin_attempts: 5,
            pin_lock: SignedDuration::from_mins(15),
            max_change: Money::from_euros(500),
            max_text: 120,
            connectivity: Connectivity::Offline,
            online_retry: SignedDuration::from_secs(30),
        }
    }
}
