//! The notice's words: subject, plain-text body and the `.ics` file, in the account's
//! language. The body holds no link at all, and says so: at Tokyo 2020, phishing emails
//! copied the organisers' notices to send fans to fake shops.

use guichet_domain::Lang;
use jiff::tz::TimeZone;
use jiff::Timestamp;

use crate::ics::{calendar, Event};
use crate::ids::{calendar_uid, message_id};
use crate::paris::{day_and_time, offset, slot_phrase};
use crate::{Error, Result};

/// Everything a notice says, gathered from the outbox row and the sale configuration.
#[derive(Debug, Clone)]
pub struct Notice<'a> {
    /// Draw id, e.g. `pack-draw`.
    pub draw: &'a str,
    /// The draw's name in French and in English (from the sale configuration).
    pub draw_name: (&'a str, &'a str),
    /// Account id.
    pub account: &'a str,
    /// Holder's name.
    pub name: &'a str,
    /// Slot start.
    pub slot_start: Timestamp,
    /// Slot end (excluded).
    pub slot_end: Timestamp,
    /// Language of the account.
    pub lang: Lang,
    /// When the outbox row was made (the calendar's DTSTAMP, the same on every resend).
    pub created_at: Timestamp,
    /// Right part of the Message-ID.
    pub domain: &'a str,
}

/// The rendered notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Message-ID, with brackets.
    pub message_id: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body, `\n` line ends (the transport makes them CRLF).
    pub text: String,
    /// The attachment's file name.
    pub ics_name: &'static str,
    /// The attachment (CRLF line ends).
    pub ics: String,
}

/// Renders the notice, in Paris time (`tz`, the sale's zone).
pub fn render(n: &Notice<'_>, tz: &TimeZone) -> Result<Rendered> {
    if n.slot_end <= n.slot_start {
        return Err(Error::SlotBackwards {
            start: n.slot_start.to_string(),
            end: n.slot_end.to_string(),
        });
    }
    let hours = n.slot_end.duration_since(n.slot_start).as_hours();
    let phrase = slot_phrase(n.slot_start, n.slot_end, tz, n.lang);
    let start = n.slot_start.to_zoned(tz.clone());
    let opens = format!("{} ({})", day_and_time(&start, n.lang), offset(&start));
    let reference = format!("{} / {}", n.draw, n.account);
    let (subject, text, summary) = match n.lang {
        Lang::Fr => (
            format!("Paris 2024 : votre créneau d'achat s'ouvre le {opens}"),
            format!(
                "Bonjour {name},\n\n\
                 Votre inscription au {draw} a été tirée au sort.\n\
                 Votre créneau d'achat de {hours} heures est ouvert {phrase}.\n\n\
                 Pendant ce créneau, achetez vos billets sur le site officiel de billetterie, \
                 en tapant vous-même son adresse, ou à un guichet.\n\n\
                 Nous n'envoyons jamais de lien : ce message n'en contient aucun. Un message qui \
                 vous demande de cliquer sur un lien pour acheter vos billets ne vient pas de \
                 nous (à Tokyo 2020, des courriels d'hameçonnage ont copié ces messages).\n\n\
                 Le fichier joint creneau.ics ajoute le créneau à votre agenda.\n\n\
                 Référence : {reference}\n",
                name = n.name,
                draw = n.draw_name.0,
            ),
            "Paris 2024 : créneau d'achat".to_string(),
        ),
        Lang::En => (
            format!("Paris 2024: your purchase slot opens on {opens}"),
            format!(
                "Hello {name},\n\n\
                 Your registration for the {draw} was drawn.\n\
                 Your {hours}-hour purchase slot runs {phrase}.\n\n\
                 During the slot, buy your tickets on the official ticketing site, typing its \
                 address yourself, or at a box office.\n\n\
                 We never send a link: this message contains none. A message asking you to \
                 click a link to buy your tickets is not from us (at Tokyo 2020, phishing \
                 emails copied these notices).\n\n\
                 The attached file creneau.ics adds the slot to your calendar.\n\n\
                 Reference: {reference}\n",
                name = n.name,
                draw = n.draw_name.1,
            ),
            "Paris 2024: purchase slot".to_string(),
        ),
    };
    let uid = calendar_uid(n.draw, n.account, n.slot_start, n.domain);
    let description = format!("{reference} — {phrase}");
    let ics = calendar(&Event {
        uid: &uid,
        stamp: n.created_at,
        start: n.slot_start,
        end: n.slot_end,
        summary: &summary,
        description: &description,
    });
    Ok(Rendered {
        message_id: message_id(n.draw, n.account, n.slot_start, n.domain),
        subject,
        text,
        ics_name: "creneau.ics",
        ics,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice(lang: Lang) -> Notice<'static> {
        Notice {
            draw: "pack-draw",
            draw_name: (
                "tirage au sort des packs Make Your Games",
                "Make Your Games pack draw",
            ),
            account: "DEMO-0001",
            name: "Élodie Martin",
            slot_start: "2023-02-17T09:00:00Z".parse().unwrap(),
            slot_end: "2023-02-19T09:00:00Z".parse().unwrap(),
            lang,
            created_at: "2023-02-01T00:00:00Z".parse().unwrap(),
            domain: "guichet.invalid",
        }
    }

    fn paris() -> TimeZone {
        TimeZone::get("Europe/Paris").unwrap()
    }

    #[test]
    fn the_french_notice_says_the_slot_in_paris_time_and_that_we_never_send_links() {
        let r = render(&notice(Lang::Fr), &paris()).unwrap();
        assert!(r.text.contains("du vendredi 17 février 2023 à 10:00 au dimanche 19 février 2023 à 10:00, heure de Paris (UTC+01:00)"), "{}", r.text);
        assert!(
            r.text.contains("de 48 heures"),
            "the slot's length: {}",
            r.text
        );
        assert!(
            r.text.contains("Nous n'envoyons jamais de lien"),
            "{}",
            r.text
        );
        assert_eq!(
            r.subject,
            "Paris 2024 : votre créneau d'achat s'ouvre le vendredi 17 février 2023 à 10:00 (UTC+01:00)",
            "the subject names the opening"
        );
    }

    #[test]
    fn the_english_notice_says_the_same_instants() {
        let r = render(&notice(Lang::En), &paris()).unwrap();
        assert!(r.text.contains("from Friday 17 February 2023 at 10:00 to Sunday 19 February 2023 at 10:00, Paris time (UTC+01:00)"), "{}", r.text);
        assert!(r.text.contains("We never send a link"), "{}", r.text);
        assert!(r.text.starts_with("Hello Élodie Martin,"), "{}", r.text);
    }

    #[test]
    fn no_notice_holds_anything_a_reader_could_click() {
        for lang in [Lang::Fr, Lang::En] {
            let r = render(&notice(lang), &paris()).unwrap();
            for part in [&r.text, &r.subject, &r.ics] {
                let low = part.to_lowercase();
                for bad in ["http", "www.", "://", "url:", ".com", ".fr/"] {
                    assert!(!low.contains(bad), "{lang:?}: {bad:?} found in {part}");
                }
            }
        }
    }

    #[test]
    fn a_slot_that_ends_before_it_starts_is_refused_with_both_instants() {
        let mut n = notice(Lang::Fr);
        n.slot_end = n.slot_start;
        let e = render(&n, &paris()).unwrap_err();
        assert_eq!(e.code(), "SLOT_BACKWARDS", "{e}");
        assert!(
            e.to_string().contains("2023-02-17T09:00:00Z"),
            "names the instants: {e}"
        );
    }

    #[test]
    fn the_calendar_uid_is_the_message_id_without_brackets() {
        let r = render(&notice(Lang::En), &paris()).unwrap();
        let uid = r.message_id.trim_matches(['<', '>']);
        assert!(r.ics.contains(&format!("UID:{uid}\r\n")), "{}", r.ics);
    }
}
