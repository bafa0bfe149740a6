//! Operators: add, sign in and out, supervisor approval. PINs are Argon2id hashes; 5 wrong
//! PINs in a row lock the operator for a while (both settings). Every attempt is in the ledger.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use guichet_store::journal::{append_ledger, LedgerEntry};
use guichet_store::operators::{insert_operator, operator, set_pin_state, OperatorRow, Role};

use crate::desk::{Desk, SignedIn};
use crate::error::{Error, Result};

fn hash_pin(pin: &str) -> Result<String> {
    if !(4..=8).contains(&pin.len()) || !pin.chars().all(|c| c.is_ascii_digit()) {
        return Err(Error::PinPolicy);
    }
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::BadInput {
            field: "pin",
            problem: format!("cannot hash: {e}").into(),
        })
}

fn pin_matches(pin: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(pin.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

enum PinOutcome {
    Good(OperatorRow),
    Wrong(u32),
    LockedNow(jiff::Timestamp),
}

impl Desk {
    /// Adds an operator. The first operator of a new desk may be added by anyone (set-up);
    /// after that a supervisor must be signed in.
    pub fn add_operator(&mut self, id: &str, name: &str, role: Role, pin: &str) -> Result<()> {
        let has_any: bool = self
            .store
            .reader()
            .query_row("SELECT EXISTS (SELECT 1 FROM operator)", [], |r| r.get(0))
            .map_err(guichet_store::Error::from)?;
        let by = match (&self.operator, has_any) {
            (Some(op), _) if op.role == Role::Supervisor => Some(op.id.clone()),
            (_, false) => None,
            (Some(op), true) => {
                return Err(Error::NotSupervisor {
                    id: op.id.clone(),
                    action: "adding an operator",
                })
            }
            (None, true) => return Err(Error::NotSignedIn),
        };
        let id = self.text("operator id", id)?;
        let name = self.text("operator name", name)?;
        let pin_hash = hash_pin(pin)?;
        let now = self.now();
        let row = OperatorRow {
            id: id.clone(),
            name,
            role,
            pin_hash,
            failed_attempts: 0,
            locked_until: None,
        };
        self.store.write(|tx| {
            insert_operator(tx, &row, now)?;
            append_ledger(
                tx,
                &LedgerEntry {
                    at: now,
                    operator_id: by.as_deref(),
                    action: "operator_added",
                    subject_id: Some(&id),
                    amount: None,
                    data: serde_json::json!({ "role": role }),
                },
            )?;
            Ok(())
        })
    }

    /// Checks an operator's PIN, counting wrong ones and locking after too many.
    fn check_pin(&mut self, id: &str, pin: &str) -> Result<OperatorRow> {
        let now = self.now();
        let id = id.trim();
        let op = operator(self.store.reader(), id)?
            .ok_or_else(|| Error::UnknownOperator { id: id.to_string() })?;
        let attempts_allowed = self.settings.pin_attempts;
        if let Some(until) = op.locked_until.filter(|u| now < *u) {
            return Err(Error::Locked {
                id: op.id,
                attempts: attempts_allowed,
                until: self.paris(until),
            });
        }
        let outcome = if pin_matches(pin, &op.pin_hash) {
            PinOutcome::Good(op.clone())
        } else if op.failed_attempts + 1 >= attempts_allowed {
            PinOutcome::LockedNow(now.checked_add(self.settings.pin_lock).unwrap_or(now))
        } else {
            PinOutcome::Wrong(op.failed_attempts + 1)
        };
        self.store.write(|tx| {
            let (attempts, until, action) = match &outcome {
                PinOutcome::Good(_) => (0, None, None),
                PinOutcome::Wrong(n) => (*n, None, Some("pin_refused")),
                PinOutcome::LockedNow(u) => (0, Some(*u), Some("operator_locked")),
            };
            set_pin_state(tx, &op.id, attempts, until)?;
            if let Some(action) = action {
                append_ledger(
                    tx,
                    &LedgerEntry {
                        at: now,
                        operator_id: Some(&op.id),
                        action,
                        subject_id: Some(&op.id),
                        amount: None,
                        data: serde_json::json!({ "attempt": attempts }),
                    },
                )?;
            }
            Ok::<_, Error>(())
        })?;
        match outcome {
            PinOutcome::Good(op) => Ok(op),
            PinOutcome::Wrong(n) => Err(Error::WrongPin {
                id: op.id,
                left: attempts_allowed - n,
                lock_minutes: self.settings.pin_lock.as_mins(),
            }),
            PinOutcome::LockedNow(u) => Err(Error::Locked {
                id: op.id,
                attempts: attempts_allowed,
                until: self.paris(u),
            }),
        }
    }

    /// Signs an operator in (replacing whoever was signed in).
    pub fn sign_in(&mut self, id: &str, pin: &str) -> Result<SignedIn> {
        let op = self.check_pin(id, pin)?;
        let now = self.now();
        self.log_action(&op.id, "sign_in", &op.id, serde_json::json!({}), now)?;
        let who = SignedIn {
            id: op.id,
            name: op.name,
            role: op.role,
        };
        self.operator = Some(who.clone());
        Ok(who)
    }

    /// Appends one ledger row for an action with no other rows to write (sign-in, sign-out,
    /// reprint), in its own transaction.
    pub(crate) fn log_action(
        &mut self,
        operator: &str,
        action: &str,
        subject: &str,
        data: serde_json::Value,
        at: jiff::Timestamp,
    ) -> Result<()> {
        self.store.write(|tx| {
            append_ledger(
                tx,
                &LedgerEntry {
                    at,
                    operator_id: Some(operator),
                    action,
                    subject_id: Some(subject),
                    amount: None,
                    data,
                },
            )
        })?;
        Ok(())
    }

    /// Signs the operator out.
    pub fn sign_out(&mut self) -> Result<()> {
        let op = self.signed_in()?;
        let now = self.now();
        self.log_action(&op.id, "sign_out", &op.id, serde_json::json!({}), now)?;
        self.operator = None;
        Ok(())
    }

    /// A supervisor's approval: their PIN, checked with the same lockout.
    pub(crate) fn approve(
        &mut self,
        supervisor: &str,
        pin: &str,
        action: &'static str,
    ) -> Result<OperatorRow> {
        let op = self.check_pin(supervisor, pin)?;
        if op.role != Role::Supervisor {
            return Err(Error::NotSupervisor { id: op.id, action });
        }
        Ok(op)
    }
}
