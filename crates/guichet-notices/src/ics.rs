//! A one-event iCalendar file (RFC 5545): the slot, in UTC, with a stable UID. No URL, no
//! alarm: the file only puts the slot in a calendar.

use jiff::Timestamp;

/// The event's fields.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    /// Stable UID (see [`crate::ids::calendar_uid`]).
    pub uid: &'a str,
    /// When the file was first made (the outbox row's creation), kept for every resend.
    pub stamp: Timestamp,
    /// Slot start.
    pub start: Timestamp,
    /// Slot end (excluded).
    pub end: Timestamp,
    /// One-line title.
    pub summary: &'a str,
    /// Longer text.
    pub description: &'a str,
}

fn utc(t: Timestamp) -> String {
    t.strftime("%Y%m%dT%H%M%SZ").to_string()
}

/// RFC 5545 §3.3.11: backslash, semicolon, comma and newline are escaped in TEXT values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// RFC 5545 §3.1: lines longer than 75 octets are folded with CRLF and one space, never
/// inside a UTF-8 character.
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

/// The file's text, CRLF line ends.
pub fn calendar(e: &Event<'_>) -> String {
    let lines = [
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".into(),
        "PRODID:-//Guichet//Paris 2024 notices//FR".into(),
        "METHOD:PUBLISH".into(),
        "BEGIN:VEVENT".into(),
        format!("UID:{}", e.uid),
        format!("DTSTAMP:{}", utc(e.stamp)),
        format!("DTSTART:{}", utc(e.start)),
        format!("DTEND:{}", utc(e.end)),
        format!("SUMMARY:{}", escape(e.summary)),
        format!("DESCRIPTION:{}", escape(e.description)),
        "TRANSP:TRANSPARENT".into(),
        "END:VEVENT".into(),
        "END:VCALENDAR".into(),
    ];
    let mut out = String::new();
    for l in &lines {
        fold(l, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_event_is_in_utc_escaped_and_folded_at_75_octets() {
        let d = "Créneau d'achat, heure de Paris; ".repeat(5);
        let text = calendar(&Event {
            uid: "pack-draw.A-1.0123456789abcdef@guichet.invalid",
            stamp: "2023-02-01T00:00:00Z".parse().unwrap(),
            start: "2023-02-17T09:00:00Z".parse().unwrap(),
            end: "2023-02-19T09:00:00Z".parse().unwrap(),
            summary: "Paris 2024",
            description: &d,
        });
        assert!(
            text.contains("\r\nDTSTART:20230217T090000Z\r\n"),
            "start in UTC: {text}"
        );
        assert!(
            text.contains("\r\nDTEND:20230219T090000Z\r\n"),
            "end in UTC: {text}"
        );
        for l in text.split("\r\n") {
            assert!(l.len() <= 75, "no line over 75 octets: {l:?} ({})", l.len());
        }
        let unfolded = text.replace("\r\n ", "");
        assert!(
            unfolded.contains("Créneau d'achat\\, heure de Paris\\; "),
            "commas and semicolons escaped, and folding cut no character: {unfolded}"
        );
        assert!(text.ends_with("END:VCALENDAR\r\n"), "CRLF to the end");
    }
}
