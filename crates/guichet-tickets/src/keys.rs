//! Device signing keys and the key list a gate carries.
//!
//! Each issuing device makes its own Ed25519 key pair. The private key stays in a file readable
//! by its owner only (mode 600); what leaves the device is a [`KeyListEntry`]: key id and public
//! key, for the server's key list.

use std::collections::HashMap;
use std::fmt;
use std::fs;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use ed25519_dalek::{SigningKey, VerifyingKey};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::KeyError;
use crate::hex;

/// File name of the private key in a device's key directory.
pub const PRIVATE_KEY_FILE: &str = "ticket-signing.key";
/// File name of the exported public key entry in a device's key directory.
pub const PUBLIC_KEY_FILE: &str = "ticket-signing.pub.json";
/// The `format` tag of a key list file.
pub const KEY_LIST_FORMAT: &str = "guichet-keys/1";

/// Names a public key: the first 8 bytes of SHA-256 of the 32-byte public key. Derived, so a
/// device can sign before enrolment and a gate can check that a key list entry is consistent.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId([u8; 8]);

impl KeyId {
    /// The id of a public key.
    pub fn of(key: &VerifyingKey) -> Self {
        let d = Sha256::digest(key.as_bytes());
        let mut b = [0u8; 8];
        b.copy_from_slice(&d[..8]);
        KeyId(b)
    }
    /// From the 8 bytes carried in a payload.
    pub fn from_bytes(b: [u8; 8]) -> Self {
        KeyId(b)
    }
    /// The 8 bytes.
    pub fn as_bytes(&self) -> &[u8; 8] {
        &self.0
    }
    /// Parses 16 hex digits.
    pub fn parse(s: &str) -> Option<Self> {
        let b = hex::decode(s.trim())?;
        Some(KeyId(b.try_into().ok()?))
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(&self.0))
    }
}
impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({self})")
    }
}

/// An issuing device's key pair. Debug output never shows the private key.
pub struct DeviceKey {
    signing: SigningKey,
    key_id: KeyId,
}

impl fmt::Debug for DeviceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DeviceKey({})", self.key_id)
    }
}

impl DeviceKey {
    /// A new key pair from the operating system's random source.
    pub fn generate() -> Self {
        Self::from_signing(SigningKey::generate(&mut rand_core::OsRng))
    }
    /// The key pair of a 32-byte seed. Only for test vectors and tests: a real device uses
    /// [`DeviceKey::generate`] or [`DeviceKey::create_in`].
    pub fn from_seed(seed: [u8; 32]) -> Self {
        Self::from_signing(SigningKey::from_bytes(&seed))
    }
    fn from_signing(signing: SigningKey) -> Self {
        let key_id = KeyId::of(&signing.verifying_key());
        DeviceKey { signing, key_id }
    }
    /// The key id.
    pub fn key_id(&self) -> KeyId {
        self.key_id
    }
    /// The public key.
    pub fn verifying_key(&self) -> VerifyingKey {
        self.signing.verifying_key()
    }
    pub(crate) fn signing_key(&self) -> &SigningKey {
        &self.signing
    }
    /// The entry to send to the server's key list.
    pub fn public_entry(&self, label: &str) -> KeyListEntry {
        KeyListEntry {
            key_id: self.key_id.to_string(),
            public_key: hex::encode(self.verifying_key().as_bytes()),
            label: label.to_string(),
            revoked_after: None,
        }
    }

    /// Makes a new key pair in `dir`: the private key in [`PRIVATE_KEY_FILE`] (created with mode
    /// 600, never overwritten) and the public entry in [`PUBLIC_KEY_FILE`].
    pub fn create_in(dir: &Path, label: &str) -> Result<Self, KeyError> {
        fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        let path = dir.join(PRIVATE_KEY_FILE);
        let key = Self::generate();
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::AlreadyExists => KeyError::Exists(path.clone()),
                _ => io(&path, e),
            })?;
        writeln!(f, "{}", hex::encode(key.signing.as_bytes())).map_err(|e| io(&path, e))?;
        f.sync_all().map_err(|e| io(&path, e))?;
        let pub_path = dir.join(PUBLIC_KEY_FILE);
        let json = serde_json::to_string_pretty(&key.public_entry(label)).expect("plain struct");
        fs::write(&pub_path, json + "\n").map_err(|e| io(&pub_path, e))?;
        Ok(key)
    }

    /// Loads the private key from `dir`; refuses a file others can read.
    pub fn load_from(dir: &Path) -> Result<Self, KeyError> {
        let path = dir.join(PRIVATE_KEY_FILE);
        let meta = fs::metadata(&path).map_err(|e| io(&path, e))?;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(KeyError::Permissions { path, mode });
        }
        let text = fs::read_to_string(&path).map_err(|e| io(&path, e))?;
        let seed: [u8; 32] = hex::decode(text.trim())
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| invalid(&path, "expected 64 hex digits (a 32-byte Ed25519 seed)"))?;
        Ok(Self::from_seed(seed))
    }
}

fn io(path: &Path, source: std::io::Error) -> KeyError {
    KeyError::Io {
        path: path.to_path_buf(),
        source,
    }
}
fn invalid(path: &Path, reason: impl Into<String>) -> KeyError {
    KeyError::Invalid {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// One public key in a key list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyListEntry {
    /// 16 hex digits, see [`KeyId`].
    pub key_id: String,
    /// The 32-byte Ed25519 public key in hex.
    pub public_key: String,
    /// Which device or server holds it, for people reading the file.
    #[serde(default)]
    pub label: String,
    /// The device was revoked as of this instant (lost, stolen): a ticket it signed after it
    /// is refused (REVOKED KEY); one signed before stays valid. Absent for a trusted key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_after: Option<Timestamp>,
}

/// A key list file as written: `{"format": "guichet-keys/1", "keys": [...]}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyListFile {
    /// Always [`KEY_LIST_FORMAT`].
    pub format: String,
    /// The keys whose tickets a gate accepts.
    pub keys: Vec<KeyListEntry>,
}

/// The public keys a gate trusts, checked and indexed by key id.
#[derive(Debug, Clone, Default)]
pub struct KeyList {
    keys: HashMap<KeyId, (VerifyingKey, Option<Timestamp>)>,
}

impl KeyList {
    /// Builds the list from entries; refuses an entry whose key is not a valid Ed25519 point or
    /// whose id is not its key's id.
    pub fn from_entries(entries: &[KeyListEntry]) -> Result<Self, String> {
        let mut keys = HashMap::new();
        for (i, e) in entries.iter().enumerate() {
            let bytes: [u8; 32] = hex::decode(&e.public_key)
                .and_then(|b| b.try_into().ok())
                .ok_or(format!("key {i}: public_key is not 64 hex digits"))?;
            let vk = VerifyingKey::from_bytes(&bytes)
                .map_err(|_| format!("key {i}: not a valid Ed25519 public key"))?;
            let id = KeyId::of(&vk);
            if KeyId::parse(&e.key_id) != Some(id) {
                return Err(format!(
                    "key {i}: key_id {} does not match its key ({id})",
                    e.key_id
                ));
            }
            keys.insert(id, (vk, e.revoked_after));
        }
        Ok(KeyList { keys })
    }
    /// Reads a key list file.
    pub fn load(path: &Path) -> Result<Self, KeyError> {
        let text = fs::read_to_string(path).map_err(|e| io(path, e))?;
        let file: KeyListFile =
            serde_json::from_str(&text).map_err(|e| invalid(path, e.to_string()))?;
        if file.format != KEY_LIST_FORMAT {
            return Err(invalid(path, format!("format must be {KEY_LIST_FORMAT:?}")));
        }
        Self::from_entries(&file.keys).map_err(|r| invalid(path, r))
    }
    /// Writes a key list file.
    pub fn save(entries: &[KeyListEntry], path: &Path) -> Result<(), KeyError> {
        let file = KeyListFile {
            format: KEY_LIST_FORMAT.into(),
            keys: entries.to_vec(),
        };
        let json = serde_json::to_string_pretty(&file).expect("plain struct");
        fs::write(path, json + "\n").map_err(|e| io(path, e))
    }
    /// The key with this id, if trusted.
    pub fn get(&self, id: &KeyId) -> Option<&VerifyingKey> {
        self.keys.get(id).map(|(k, _)| k)
    }
    /// The instant after which tickets of this key are refused, if its device was revoked.
    pub fn revoked_after(&self, id: &KeyId) -> Option<Timestamp> {
        self.keys.get(id).and_then(|(_, t)| *t)
    }
    /// Number of keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }
    /// Whether the list has no key.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// Where a device keeps its key by default: `$XDG_DATA_HOME/guichet/keys` or
/// `~/.local/share/guichet/keys`.
pub fn default_key_dir() -> PathBuf {
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."));
    base.join("guichet/keys")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_created_key_is_private_to_its_owner_and_loads_back() {
        let dir = tempfile::tempdir().unwrap();
        let k = DeviceKey::create_in(dir.path(), "desk-1").unwrap();
        let mode = fs::metadata(dir.path().join(PRIVATE_KEY_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o777,
            0o600,
            "the private key file must be owner-only"
        );
        let back = DeviceKey::load_from(dir.path()).unwrap();
        assert_eq!(
            back.key_id(),
            k.key_id(),
            "the loaded key is the created key"
        );
        let entry: KeyListEntry =
            serde_json::from_str(&fs::read_to_string(dir.path().join(PUBLIC_KEY_FILE)).unwrap())
                .unwrap();
        assert_eq!(
            entry,
            k.public_entry("desk-1"),
            "the exported entry names the same key"
        );
    }

    #[test]
    fn a_device_never_overwrites_its_key_nor_loads_one_others_can_read() {
        let dir = tempfile::tempdir().unwrap();
        DeviceKey::create_in(dir.path(), "d").unwrap();
        assert!(matches!(
            DeviceKey::create_in(dir.path(), "d"),
            Err(KeyError::Exists(_))
        ));
        let p = dir.path().join(PRIVATE_KEY_FILE);
        fs::set_permissions(&p, fs::Permissions::from_mode(0o644)).unwrap();
        assert!(matches!(
            DeviceKey::load_from(dir.path()),
            Err(KeyError::Permissions { .. })
        ));
    }

    #[test]
    fn a_key_list_refuses_an_entry_whose_id_lies_about_its_key() {
        let a = DeviceKey::from_seed([1; 32]).public_entry("a");
        let mut b = DeviceKey::from_seed([2; 32]).public_entry("b");
        assert_eq!(
            KeyList::from_entries(&[a.clone(), b.clone()])
                .unwrap()
                .len(),
            2
        );
        b.key_id = a.key_id.clone();
        assert!(
            KeyList::from_entries(&[a, b]).is_err(),
            "id must be derived from the key"
        );
    }
}
