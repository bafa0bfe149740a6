//! Typed errors, one enum per concern, plus [`Error`] that wraps them all for callers (the gate
//! CLI, the desk) that only need to report.

use std::path::PathBuf;

/// Base45 text that no byte string encodes to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Base45Error {
    /// Length 3k+1 cannot come from the encoder.
    #[error("base45 text of length {0} cannot be decoded (length must not be 3k+1)")]
    Length(usize),
    /// A character outside `0-9A-Z $%*+-./:`.
    #[error("character at position {position} is not in the base45 alphabet")]
    Character {
        /// Byte offset in the text.
        position: usize,
    },
    /// A group whose value is larger than the bytes it stands for.
    #[error("base45 group at position {position} is out of range")]
    Overflow {
        /// Byte offset of the group in the text.
        position: usize,
    },
}

/// Why a QR text is not a well-formed Guichet ticket payload. Says nothing about the signature.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    /// No text at all.
    #[error("empty ticket text")]
    Empty,
    /// Longer than any ticket this format can produce.
    #[error("ticket text is {0} characters, longer than any ticket")]
    TooLong(usize),
    /// The text is not base45.
    #[error("not a Guichet ticket: {0}")]
    Base45(#[from] Base45Error),
    /// The bytes end before a field does.
    #[error("ticket payload ends inside the field `{field}`")]
    Truncated {
        /// The field that was cut.
        field: &'static str,
    },
    /// A format version this code does not know.
    #[error("ticket format version {0} is not supported (this gate reads version 1)")]
    UnsupportedVersion(u8),
    /// Flag bits that version 1 keeps at zero.
    #[error("reserved flag bits are set ({0:#04x})")]
    ReservedBits(u8),
    /// The session code is not a valid code.
    #[error("session code in ticket is invalid: {0}")]
    SessionCode(String),
    /// Holder initials that are not UTF-8 or too long.
    #[error("holder initials are not valid UTF-8 of at most 8 bytes")]
    Initials,
    /// The session day does not make a date.
    #[error("session day {0} is out of range")]
    SessionDay(u16),
    /// A claim the format cannot carry (when signing).
    #[error("{0} is outside what ticket format version 1 can carry")]
    OutOfRange(&'static str),
    /// Bytes left after the signature.
    #[error("{0} unexpected bytes after the signature")]
    TrailingBytes(usize),
}

/// Device keys, key lists and revocation lists.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The private key file can be read by others than its owner.
    #[error("{path}: private key file has mode {mode:o}; it must be 600 (run chmod 600)")]
    Permissions {
        /// The file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// Refusing to overwrite an existing key: it may already be registered with the server.
    #[error("{0} already exists; a device keeps its key (remove the file to make a new one)")]
    Exists(PathBuf),
    /// The file's content is not what it should be.
    #[error("{path}: {reason}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

/// The gate's scan log.
#[derive(Debug, thiserror::Error)]
pub enum ScanLogError {
    /// Reading, appending or syncing failed.
    #[error("scan log {path}: {source}")]
    Io {
        /// The log file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A complete line that cannot be read (a torn last line is skipped, not this).
    #[error("scan log {path}, line {line}: {reason}")]
    Corrupt {
        /// The log file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        reason: String,
    },
}

/// Rendering tickets to PDF.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// An order with no ticket has no PDF.
    #[error("an order with no ticket cannot be rendered")]
    EmptyOrder,
    /// Writing the PDF bytes failed.
    #[error("cannot write the PDF: {0}")]
    Write(String),
    /// The QR text does not fit a QR code.
    #[error("QR code for ticket {ticket_number}: {reason}")]
    Qr {
        /// The ticket.
        ticket_number: String,
        /// The QR encoder's reason.
        reason: String,
    },
    /// A holder's name has characters no ticket font on this machine can draw: printed, they
    /// would be empty boxes.
    #[error("ticket {ticket_number}: the holder name {name:?} has characters no ticket font on this machine can draw ({missing}) — install the fonts (apt-get install {packages}) or give the name in Latin letters, as on the passport")]
    HolderNotPrintable {
        /// The ticket.
        ticket_number: String,
        /// The name.
        name: String,
        /// The characters no font draws.
        missing: String,
        /// The Debian packages holding the fonts.
        packages: &'static str,
    },
}

/// Reading a QR code from an image.
#[derive(Debug, thiserror::Error)]
pub enum ImageDecodeError {
    /// The file could not be read or is not a PNG/JPEG.
    #[error("cannot read image: {0} — give a PNG or JPEG file")]
    Image(String),
    /// No QR code was found in the image.
    #[error("no QR code found in the image — take the whole code, flat and in focus, or give the ticket's text instead")]
    NoQrCode,
    /// A QR code was found but could not be decoded.
    #[error("QR code found but unreadable: {0} — scan it again closer and flat, or give the ticket's text instead")]
    Unreadable(String),
}

/// Sending a PDF to CUPS.
#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    /// `lp` is not installed.
    #[error("`lp` not found: install the CUPS client (apt-get install cups-client)")]
    LpMissing,
    /// The queue does not exist in CUPS.
    #[error("no printer named `{0}` in CUPS (lpstat -p lists the queues)")]
    NoSuchPrinter(String),
    /// cupsd is not running or not reachable.
    #[error("the CUPS scheduler is not running (start cupsd): {0}")]
    CupsNotRunning(String),
    /// The file to print is missing.
    #[error("{path}: {source}")]
    File {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// `lp` failed for another reason.
    #[error("lp failed ({status}): {stderr}")]
    Failed {
        /// Exit status as text.
        status: String,
        /// What lp said.
        stderr: String,
    },
    /// `lp` succeeded but did not print a job id.
    #[error("lp did not report a job id: {0}")]
    NoJobId(String),
}

/// Any error of this crate.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// See [`PayloadError`].
    #[error(transparent)]
    Payload(#[from] PayloadError),
    /// See [`KeyError`].
    #[error(transparent)]
    Key(#[from] KeyError),
    /// See [`ScanLogError`].
    #[error(transparent)]
    ScanLog(#[from] ScanLogError),
    /// See [`RenderError`].
    #[error(transparent)]
    Render(#[from] RenderError),
    /// See [`ImageDecodeError`].
    #[error(transparent)]
    Image(#[from] ImageDecodeError),
    /// See [`PrintError`].
    #[error(transparent)]
    Print(#[from] PrintError),
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
