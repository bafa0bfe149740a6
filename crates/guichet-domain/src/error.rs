//! Errors of the domain crate. Rule violations are not errors: they are data
//! ([`crate::rules::Violation`]), because showing them is the product.

use std::path::PathBuf;

/// A value that could not be parsed into a domain type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {what} {value:?}: expected {expected}")]
pub struct ParseError {
    /// What was being parsed ("session code").
    pub what: &'static str,
    /// The text given.
    pub value: String,
    /// What a valid value looks like.
    pub expected: &'static str,
}

impl ParseError {
    /// Makes a parse error.
    pub fn new(what: &'static str, value: &str, expected: &'static str) -> Self {
        ParseError {
            what,
            value: value.chars().take(80).collect(),
            expected,
        }
    }
}

/// Errors of the domain crate: catalogue import and configuration.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A catalogue file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A catalogue CSV row is malformed; nothing is imported.
    #[error("{file}, line {line}, column {column:?}: {message}")]
    Csv {
        /// The file name.
        file: String,
        /// 1-based line number in the file (the header is line 1).
        line: u64,
        /// Column name.
        column: String,
        /// What is wrong.
        message: String,
    },
    /// The catalogue is inconsistent (e.g. a price row for an unknown session).
    #[error("catalogue is inconsistent: {0}")]
    Catalogue(String),
    /// The sale configuration is invalid.
    #[error("sale configuration {origin}: {message}")]
    Config {
        /// Where it came from (file name or "built-in").
        origin: String,
        /// What is wrong.
        message: String,
    },
}

/// Result with the domain [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
