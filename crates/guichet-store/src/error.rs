//! Errors of the store. Each variant is a sentence a person can act on; none is a parsed string.

use std::path::PathBuf;

use guichet_domain::{PriceCategory, SessionCode};

/// What went wrong in the local store.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file exists but is not a Guichet desk database; nothing was written to it.
    #[error("{path} is not a Guichet desk database ({reason}); it was left untouched — choose another file or move this one away")]
    NotADeskStore {
        /// The file.
        path: PathBuf,
        /// Why: wrong header, truncated, another program's database.
        reason: String,
    },
    /// The file was written by a newer Guichet; nothing was written to it.
    #[error("{path} has schema version {found}, this Guichet knows up to {supported}; it was left untouched — update Guichet to open it")]
    NewerSchema {
        /// The file.
        path: PathBuf,
        /// `PRAGMA user_version` found in the file.
        found: u32,
        /// The newest migration embedded in this binary.
        supported: u32,
    },
    /// A file system operation failed.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done ("create directory").
        action: &'static str,
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// SQLite refused or failed; `context` says what the store was doing.
    #[error("{context}: {source}")]
    Sqlite {
        /// What the store was doing.
        context: String,
        /// The cause.
        source: rusqlite::Error,
    },
    /// A stored value does not parse back (the file was edited by hand or is damaged).
    #[error("stored {what} is invalid: {value:?}")]
    BadStoredValue {
        /// Which column.
        what: &'static str,
        /// The value found.
        value: String,
    },
    /// The desk's allotment for a session and category is smaller than the sale needs.
    #[error("this desk may sell {remaining} more {session} category {category} tickets offline; the order needs {wanted} — lower the quantity or sell online")]
    AllotmentShort {
        /// Session.
        session: SessionCode,
        /// Category.
        category: PriceCategory,
        /// Tickets asked for.
        wanted: u32,
        /// Tickets left in the allotment.
        remaining: u32,
    },
    /// The second location (mirror) is set but cannot be written: the step was rolled back,
    /// nothing of it is in the desk's file either.
    #[error("the mirror {dir} cannot be written ({action}: {source}); nothing was recorded — plug the mirror device back in, or choose another with `guichet-desk mirror set DIR` (or `mirror off`)")]
    MirrorUnwritable {
        /// The mirror directory.
        dir: PathBuf,
        /// What was being done ("append to the journal").
        action: &'static str,
        /// The cause.
        source: std::io::Error,
    },
    /// A step committed (and is in the mirror's journal) but the full copy after it failed.
    #[error("{what} and is in the mirror's journal, but the full copy to the mirror failed ({reason}) — plug the mirror back in and run `guichet-desk mirror copy`")]
    MirrorCopy {
        /// What did happen ("the shift is closed").
        what: &'static str,
        /// Why the copy failed.
        reason: String,
    },
    /// A file offered to `restore` is not usable; the live file was left as it was.
    #[error("{path} cannot be restored: {reason}; the desk's file was left untouched — {way_out}")]
    BadBackup {
        /// The file offered.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
        /// What to do instead.
        way_out: &'static str,
    },
    /// The mirror's journal cannot be replayed as it is; nothing was changed.
    #[error("the journal {path} cannot be replayed: {reason}; the desk's file was left untouched — {way_out}")]
    BadJournal {
        /// The journal file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
        /// What to do instead.
        way_out: &'static str,
    },
    /// No row with this id.
    #[error("no {what} with id {id:?} in this desk's store")]
    NotFound {
        /// Kind of row ("order").
        what: &'static str,
        /// The id looked for.
        id: String,
    },
}

/// Result with the store [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Adds context to a rusqlite result.
pub(crate) trait Context<T> {
    /// Wraps the error with what the store was doing.
    fn ctx(self, context: impl Into<String>) -> Result<T>;
}

impl<T> Context<T> for std::result::Result<T, rusqlite::Error> {
    fn ctx(self, context: impl Into<String>) -> Result<T> {
        self.map_err(|source| Error::Sqlite {
            context: context.into(),
            source,
        })
    }
}

impl From<rusqlite::Error> for Error {
    fn from(source: rusqlite::Error) -> Self {
        Error::Sqlite {
            context: "SQL statement".into(),
            source,
        }
    }
}
