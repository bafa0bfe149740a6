//! The devices this process has authenticated, by token hash, and the token hashes of the
//! devices it knows are revoked. Both stores keep one, so the API answers a known token
//! without reading the database, and a revoked token is never remembered again.

use std::collections::{HashMap, HashSet};
use std::sync::RwLock;

use super::Device;

/// Devices seen and tokens revoked, in this process.
#[derive(Default)]
pub(crate) struct TokenCache {
    seen: RwLock<HashMap<String, Device>>,
    revoked: RwLock<HashSet<String>>,
}

impl TokenCache {
    /// The device of a token hash seen before; `None` means "ask the database".
    pub(crate) fn get(&self, token_hash: &str) -> Option<Device> {
        self.seen
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(token_hash)
            .cloned()
    }

    /// Remembers the device a database read found for a token hash, unless the token was
    /// revoked while that read ran (the request is answered, nothing is remembered). The
    /// revoked set is read under the write lock of the seen map: [`TokenCache::forget`] marks
    /// first and removes after, so either this sees the mark or the removal comes after it.
    pub(crate) fn remember(&self, token_hash: String, device: &Device) {
        let mut seen = self.seen.write().unwrap_or_else(|p| p.into_inner());
        if !self.is_revoked(&token_hash) {
            seen.insert(token_hash, device.clone());
        }
    }

    /// Marks token hashes revoked, then drops them from the devices seen, in that order.
    /// Returns how many were newly marked.
    pub(crate) fn forget(&self, hashes: impl IntoIterator<Item = String>) -> usize {
        let hashes: Vec<String> = hashes.into_iter().collect();
        let mut fresh = 0;
        {
            let mut revoked = self.revoked.write().unwrap_or_else(|p| p.into_inner());
            for h in &hashes {
                fresh += usize::from(revoked.insert(h.clone()));
            }
        }
        let mut seen = self.seen.write().unwrap_or_else(|p| p.into_inner());
        for h in &hashes {
            seen.remove(h);
        }
        fresh
    }

    /// Whether this process knows the token hash is revoked.
    pub(crate) fn is_revoked(&self, token_hash: &str) -> bool {
        self.revoked
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .contains(token_hash)
    }
}
