//! The revocation list a gate carries: ids of tickets voided or replaced by a reissue.

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::claims::TicketId;
use crate::error::KeyError;

/// The `format` tag of a revocation list file.
pub const REVOCATION_LIST_FORMAT: &str = "guichet-revoked/1";

/// One revoked ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revocation {
    /// The ticket.
    pub ticket_id: TicketId,
    /// Why, for the steward: "void", "reissued", ...
    #[serde(default)]
    pub reason: String,
}

/// A revocation list file as written: `{"format": "guichet-revoked/1", "tickets": [...]}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevocationListFile {
    /// Always [`REVOCATION_LIST_FORMAT`].
    pub format: String,
    /// The revoked tickets.
    pub tickets: Vec<Revocation>,
}

/// Revoked ticket ids, indexed.
#[derive(Debug, Clone, Default)]
pub struct RevocationList {
    reasons: HashMap<TicketId, String>,
}

impl RevocationList {
    /// From revocations.
    pub fn from_entries(entries: &[Revocation]) -> Self {
        let reasons = entries
            .iter()
            .map(|r| (r.ticket_id, r.reason.clone()))
            .collect();
        RevocationList { reasons }
    }
    /// Reads a revocation list file.
    pub fn load(path: &Path) -> Result<Self, KeyError> {
        let text = fs::read_to_string(path).map_err(|source| KeyError::Io {
            path: path.into(),
            source,
        })?;
        let file: RevocationListFile =
            serde_json::from_str(&text).map_err(|e| KeyError::Invalid {
                path: path.into(),
                reason: e.to_string(),
            })?;
        if file.format != REVOCATION_LIST_FORMAT {
            let reason = format!("format must be {REVOCATION_LIST_FORMAT:?}");
            return Err(KeyError::Invalid {
                path: path.into(),
                reason,
            });
        }
        Ok(Self::from_entries(&file.tickets))
    }
    /// Writes a revocation list file.
    pub fn save(entries: &[Revocation], path: &Path) -> Result<(), KeyError> {
        let file = RevocationListFile {
            format: REVOCATION_LIST_FORMAT.into(),
            tickets: entries.to_vec(),
        };
        let json = serde_json::to_string_pretty(&file).expect("plain struct");
        fs::write(path, json + "\n").map_err(|source| KeyError::Io {
            path: path.into(),
            source,
        })
    }
    /// The reason if `id` is revoked.
    pub fn reason(&self, id: &TicketId) -> Option<&str> {
        self.reasons.get(id).map(String::as_str)
    }
    /// Number of revoked tickets.
    pub fn len(&self) -> usize {
        self.reasons.len()
    }
    /// Whether nothing is revoked.
    pub fn is_empty(&self) -> bool {
        self.reasons.is_empty()
    }
}
