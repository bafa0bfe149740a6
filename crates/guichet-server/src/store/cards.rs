//! Account cards: the server signs the QR a fan shows at a kiosk (see
//! `guichet_tickets::sign_card`). The signing key is made on first use in a directory next to
//! the database file (`<db>.card-key/`, private key mode 600) and never enters the database,
//! its backups or the logs; kiosks receive its public half when they enrol.

use std::path::{Path, PathBuf};

use guichet_domain::AccountId;
use guichet_tickets::{sign_card, DeviceKey, KeyListEntry};
use guichet_wire::devices::CardKeyDto;
use jiff::civil::Date;

use super::{Result, Store, StoreError};

/// `/srv/guichet.sqlite` → `/srv/guichet.sqlite.card-key`.
pub(super) fn key_dir(db: &Path) -> PathBuf {
    let mut name = db.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".card-key");
    db.with_file_name(name)
}

/// The account-card key kept in `dir`, made there if it is not yet (both stores use it).
pub(crate) fn key_in(dir: &Path) -> Result<DeviceKey> {
    if dir.join(guichet_tickets::PRIVATE_KEY_FILE).exists() {
        DeviceKey::load_from(dir)
    } else {
        DeviceKey::create_in(dir, "account cards")
    }
    .map_err(|e| StoreError::Invalid(format!("the account-card key in {}: {e}", dir.display())))
}

/// The public half of a card key, for a device that enrols.
pub(crate) fn entry_of(key: &DeviceKey) -> CardKeyDto {
    let KeyListEntry {
        key_id, public_key, ..
    } = key.public_entry("account cards");
    CardKeyDto {
        key_id,
        public_key_hex: public_key,
    }
}

impl Store {
    /// The key that signs account cards, made on first use.
    fn card_key(&self) -> Result<&DeviceKey> {
        if let Some(k) = self.card_key.get() {
            return Ok(k);
        }
        let key = key_in(&self.card_key_dir)?;
        Ok(self.card_key.get_or_init(|| key))
    }

    /// The public half of the card key, for a device that enrols.
    pub fn card_key_entry(&self) -> Result<CardKeyDto> {
        let KeyListEntry {
            key_id, public_key, ..
        } = self.card_key()?.public_entry("account cards");
        Ok(CardKeyDto {
            key_id,
            public_key_hex: public_key,
        })
    }

    /// The signed card of an existing account, valid until `valid_until` (included).
    pub fn account_card(&self, id: &AccountId, valid_until: Date) -> Result<String> {
        let account = self.account(id)?;
        Ok(sign_card(self.card_key()?, &account.id, valid_until))
    }
}

#[cfg(test)]
mod tests {
    use guichet_domain::SaleConfig;
    use guichet_tickets::{verify_card, KeyList};
    use jiff::civil::date;

    use super::*;
    use crate::store::Durability;

    #[test]
    fn a_card_checks_against_the_key_a_device_receives_and_the_key_survives_a_restart() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let db = dir.path().join("server.sqlite");
        let store = Store::open(&db, SaleConfig::paris2024(), Durability::Normal).expect("a store");
        let entry = store.card_key_entry().expect("a card key");
        let new = guichet_wire::accounts::NewAccount {
            id: None,
            name: "Élodie Martin".into(),
            email: "elodie@example.test".into(),
            country: "FR".into(),
            club_number: None,
            language: None,
        };
        let now = "2023-02-17T09:00:00Z".parse().expect("an instant");
        let account = store.create_account(&new, None, now).expect("an account");
        let id = AccountId::parse(&account.id).expect("an id");
        let card = store.account_card(&id, date(2024, 9, 8)).expect("a card");
        let keys = KeyList::from_entries(&[KeyListEntry {
            key_id: entry.key_id.clone(),
            public_key: entry.public_key_hex.clone(),
            label: "server".into(),
            revoked_after: None,
        }])
        .expect("a key list");
        let ok = verify_card(&card, &keys, date(2023, 2, 17)).expect("the card checks");
        assert_eq!(ok.account, id.as_str(), "the card names the account");
        assert!(
            key_dir(&db)
                .join(guichet_tickets::PRIVATE_KEY_FILE)
                .exists(),
            "the key is next to the database, not in it"
        );
        drop(store);
        let again =
            Store::open(&db, SaleConfig::paris2024(), Durability::Normal).expect("reopened");
        assert_eq!(
            again.card_key_entry().expect("a key"),
            entry,
            "the same key after a restart"
        );
        let unknown = AccountId::parse("P24-9999999").expect("an id");
        assert!(
            matches!(
                again.account_card(&unknown, date(2024, 9, 8)),
                Err(StoreError::NotFound(_))
            ),
            "no card for an account that does not exist"
        );
    }
}
