//! The MIME message of a notice, built with lettre's message builder: a plain-text part and
//! the `.ics` attachment; Date is the try's instant, Message-ID the row's.

use guichet_notices::Rendered;
use jiff::Timestamp;
use lettre::address::Address;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::Message;

use super::relay::Outgoing;

/// Builds the message to `name <email>`. An address lettre cannot read is said plainly: such a
/// row is failed, since no try will ever read it better.
pub fn compose(
    r: &Rendered,
    from: &Mailbox,
    name: &str,
    email: &str,
    date: Timestamp,
) -> Result<Outgoing, String> {
    let to: Address = email.parse().map_err(|e| {
        format!("the account's email {email:?} is not an address a relay takes ({e})")
    })?;
    let calendar = ContentType::parse("text/calendar; charset=utf-8; method=PUBLISH")
        .map_err(|e| format!("calendar content type: {e}"))?;
    let message = Message::builder()
        .from(from.clone())
        .to(Mailbox::new(Some(name.to_string()), to.clone()))
        .subject(r.subject.clone())
        .message_id(Some(r.message_id.clone()))
        .date(date.into())
        .multipart(
            MultiPart::mixed()
                .singlepart(SinglePart::plain(r.text.clone()))
                .singlepart(Attachment::new(r.ics_name.to_string()).body(r.ics.clone(), calendar)),
        )
        .map_err(|e| format!("cannot build the message: {e}"))?;
    Ok(Outgoing {
        message_id: r.message_id.clone(),
        from: from.email.clone(),
        to,
        bytes: message.formatted(),
    })
}
