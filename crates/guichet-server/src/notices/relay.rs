//! Where a notice goes: an SMTP relay (lettre's SMTP client) or a folder of `.eml` files.
//!
//! Both call `claim` at the last moment before the message could count as handed over, and
//! hand it over only if the claim (the outbox row put in `sending`, committed) succeeded.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use guichet_notices::Answer;
use lettre::address::Address;
use lettre::transport::smtp::client::SmtpConnection;
use lettre::transport::smtp::commands::{Data, Mail, Rcpt, Rset};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};

/// One message ready to go.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// Message-ID (with brackets): names the `.eml` file.
    pub message_id: String,
    /// Envelope sender.
    pub from: Address,
    /// Envelope recipient.
    pub to: Address,
    /// The whole message, CRLF line ends.
    pub bytes: Vec<u8>,
}

/// How one try ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// The relay answered (or did not).
    Answer(Answer),
    /// Another sender claimed the row first; nothing was handed over.
    Taken,
    /// The claim could not be written; nothing was handed over.
    NotClaimed(String),
}

/// A place notices go.
pub trait Relay {
    /// Hands `m` over. `claim` is called once the relay is ready for the message itself;
    /// `Ok(true)` means go on.
    fn deliver(
        &mut self,
        m: &Outgoing,
        claim: &mut dyn FnMut() -> Result<bool, String>,
    ) -> Delivery;
}

/// Plain SMTP to a relay, one connection kept across messages.
pub struct SmtpRelay {
    addr: String,
    timeout: Duration,
    conn: Option<SmtpConnection>,
}

impl SmtpRelay {
    /// A relay at `host:port`.
    pub fn new(addr: &str, timeout: Duration) -> SmtpRelay {
        SmtpRelay {
            addr: addr.to_string(),
            timeout,
            conn: None,
        }
    }

    fn connection(&mut self) -> Result<&mut SmtpConnection, Answer> {
        if self.conn.as_ref().is_some_and(|c| c.has_broken()) {
            self.conn = None;
        }
        if self.conn.is_none() {
            let hello = ClientId::Domain("guichet.invalid".into());
            let c =
                SmtpConnection::connect(self.addr.as_str(), Some(self.timeout), &hello, None, None)
                    .map_err(|e| answer(&e))?;
            self.conn = Some(c);
        }
        self.conn
            .as_mut()
            .ok_or_else(|| Answer::NoAnswer("no connection".into()))
    }

    fn fail(&mut self, e: &lettre::transport::smtp::Error) -> Delivery {
        let a = answer(e);
        match (&a, self.conn.as_mut()) {
            (Answer::NoAnswer(_), _) | (_, None) => self.conn = None,
            (_, Some(c)) => {
                if c.command(Rset).is_err() {
                    self.conn = None;
                }
            }
        }
        Delivery::Answer(a)
    }
}

/// The message and its final dot, dot-stuffed (RFC 5321 §4.5.2), written in one piece.
/// lettre's `message` writes the body and then the dot in a second small write, which Nagle's
/// rule holds back until the body is acknowledged (up to the peer's 40 ms delayed ACK): the
/// relay then takes the message that much later, and the window in which a killed sender
/// leaves a delivered row in `sending` grew to most of each message's time (a kill test saw
/// 5 copies in 6 kills). One write sends the dot with the body.
struct Body<'a>(&'a [u8]);

impl std::fmt::Display for Body<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = String::from_utf8_lossy(self.0);
        let mut start = true;
        for line in text.split_inclusive('\n') {
            if start && line.starts_with('.') {
                f.write_str(".")?;
            }
            f.write_str(line)?;
            start = line.ends_with('\n');
        }
        if !text.ends_with("\r\n") {
            f.write_str("\r\n")?;
        }
        f.write_str(".\r\n")
    }
}

/// What a lettre error says about the relay's answer.
fn answer(e: &lettre::transport::smtp::Error) -> Answer {
    let code = e.status().and_then(|c| c.to_string().parse::<u16>().ok());
    match code {
        Some(c) if e.is_permanent() => Answer::Permanent(c, e.to_string()),
        Some(c) if e.is_transient() => Answer::Transient(c, e.to_string()),
        _ => Answer::NoAnswer(e.to_string()),
    }
}

impl Relay for SmtpRelay {
    fn deliver(
        &mut self,
        m: &Outgoing,
        claim: &mut dyn FnMut() -> Result<bool, String>,
    ) -> Delivery {
        let conn = match self.connection() {
            Ok(c) => c,
            Err(a) => {
                self.conn = None;
                return Delivery::Answer(a);
            }
        };
        let mut params = Vec::new();
        if !m.bytes.is_ascii() && conn.server_info().supports_feature(Extension::EightBitMime) {
            params.push(MailParameter::Body(MailBodyParameter::EightBitMime));
        }
        if let Err(e) = conn.command(Mail::new(Some(m.from.clone()), params)) {
            return self.fail(&e);
        }
        if let Err(e) = conn.command(Rcpt::new(m.to.clone(), vec![])) {
            return self.fail(&e);
        }
        if let Err(e) = conn.command(Data) {
            return self.fail(&e);
        }
        // The relay waits for the body. Until its final dot the relay must drop the message
        // if the connection goes (RFC 5321 §3.3), so only from here on can it be delivered:
        // the row goes to `sending` now, committed, and not before.
        match claim() {
            Ok(true) => {}
            Ok(false) => {
                self.conn = None;
                return Delivery::Taken;
            }
            Err(e) => {
                self.conn = None;
                return Delivery::NotClaimed(e);
            }
        }
        match conn.command(Body(&m.bytes)) {
            Ok(_) => Delivery::Answer(Answer::Accepted),
            Err(e) => self.fail(&e),
        }
    }
}

/// One `.eml` file per notice, named by its Message-ID.
pub struct EmlDir {
    dir: PathBuf,
}

impl EmlDir {
    /// Writes in `dir` (made if missing).
    pub fn new(dir: PathBuf) -> std::io::Result<EmlDir> {
        std::fs::create_dir_all(&dir)?;
        Ok(EmlDir { dir })
    }

    /// The file a Message-ID is written to.
    pub fn path(&self, message_id: &str) -> PathBuf {
        let name: String = message_id
            .trim_matches(['<', '>'])
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "._@-".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        self.dir.join(format!("{name}.eml"))
    }

    fn write(&self, m: &Outgoing) -> std::io::Result<()> {
        let path = self.path(&m.message_id);
        if path.exists() {
            // Left by a sender killed between the rename and its commit: already delivered.
            return Ok(());
        }
        let tmp = path.with_extension("eml.tmp");
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&m.bytes)?;
        f.sync_all()?;
        // The rename is the hand-over: a reader of the folder sees the whole file or none.
        std::fs::rename(&tmp, &path)?;
        if let Ok(d) = std::fs::File::open(&self.dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

impl Relay for EmlDir {
    fn deliver(
        &mut self,
        m: &Outgoing,
        claim: &mut dyn FnMut() -> Result<bool, String>,
    ) -> Delivery {
        match claim() {
            Ok(true) => {}
            Ok(false) => return Delivery::Taken,
            Err(e) => return Delivery::NotClaimed(e),
        }
        match self.write(m) {
            Ok(()) => Delivery::Answer(Answer::Accepted),
            Err(e) => Delivery::Answer(Answer::NoAnswer(format!("{}: {e}", self.dir.display()))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Body;

    #[test]
    fn the_body_is_dot_stuffed_and_ends_with_one_final_dot() {
        let wire = Body(b".first\r\nmiddle\r\n..two\r\nlast").to_string();
        assert_eq!(
            wire, "..first\r\nmiddle\r\n...two\r\nlast\r\n.\r\n",
            "a leading dot doubles (RFC 5321 §4.5.2), and CRLF.CRLF ends it"
        );
    }
}
