//! French and English words on the ticket: dates, the time zone's name, the Games.

use guichet_domain::catalogue::calendar::{month_name, weekday_name};
use guichet_domain::{Games, Lang};
use jiff::Zoned;

/// "samedi 3 août 2024 · 21 h 50"
pub(crate) fn date_time_fr(z: &Zoned) -> String {
    format!(
        "{} {} {} {} · {} h {:02}",
        weekday_name(z.weekday(), Lang::Fr),
        z.day(),
        month_name(z.month(), Lang::Fr),
        z.year(),
        z.hour(),
        z.minute()
    )
}

/// "Saturday 3 August 2024 · 21:50"
pub(crate) fn date_time_en(z: &Zoned) -> String {
    format!(
        "{} {} {} {} · {:02}:{:02}",
        weekday_name(z.weekday(), Lang::En),
        z.day(),
        month_name(z.month(), Lang::En),
        z.year(),
        z.hour(),
        z.minute()
    )
}

/// ("heure de Paris", "Paris time") for Europe/Paris, Tahiti likewise, else the zone's name.
pub(crate) fn zone_names(z: &Zoned) -> (String, String) {
    match z.time_zone().iana_name() {
        Some("Europe/Paris") => ("heure de Paris".into(), "Paris time".into()),
        Some("Pacific/Tahiti") => ("heure de Tahiti".into(), "Tahiti time".into()),
        Some(name) => (format!("heure {name}"), format!("{name} time")),
        None => {
            let off = z.offset().to_string();
            (format!("UTC{off}"), format!("UTC{off}"))
        }
    }
}

/// ("Jeux Olympiques", "Olympic Games") or the Paralympic pair.
pub(crate) fn games_names(g: Games) -> (&'static str, &'static str) {
    match g {
        Games::Olympic => ("Jeux Olympiques", "Olympic Games"),
        Games::Paralympic => ("Jeux Paralympiques", "Paralympic Games"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_in_the_venue_time_in_both_languages() {
        let z: Zoned = "2024-08-03T21:50[Europe/Paris]".parse().unwrap();
        assert_eq!(date_time_fr(&z), "samedi 3 août 2024 · 21 h 50");
        assert_eq!(date_time_en(&z), "Saturday 3 August 2024 · 21:50");
        assert_eq!(zone_names(&z).1, "Paris time");
        let t: Zoned = "2024-07-27T08:00[Pacific/Tahiti]".parse().unwrap();
        assert_eq!(
            zone_names(&t).0,
            "heure de Tahiti",
            "surfing shows Tahiti time"
        );
    }
}
