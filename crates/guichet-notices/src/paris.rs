//! Instants as a Paris reader reads them: weekday, day, month and year in words, the
//! wall-clock time, and the UTC offset in force at that instant (+01:00 in winter, +02:00 in
//! summer). The month and day names are the domain's (`guichet_domain::catalogue::calendar`).

use guichet_domain::catalogue::calendar::{month_name, weekday_name};
use guichet_domain::Lang;
use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};

/// `vendredi 17 février 2023 à 10:00` / `Friday 17 February 2023 at 10:00`.
pub fn day_and_time(at: &Zoned, lang: Lang) -> String {
    let name = month_name(at.month(), lang);
    let link = match lang {
        Lang::Fr => "à",
        Lang::En => "at",
    };
    format!(
        "{} {} {name} {} {link} {}",
        weekday_name(at.weekday(), lang),
        at.day(),
        at.year(),
        at.strftime("%H:%M")
    )
}

/// `UTC+01:00`: the offset of Paris time at that instant.
pub fn offset(at: &Zoned) -> String {
    let secs = at.offset().seconds();
    let sign = if secs < 0 { '-' } else { '+' };
    let m = secs.unsigned_abs() / 60;
    format!("UTC{sign}{:02}:{:02}", m / 60, m % 60)
}

/// The slot as one phrase, both ends in Paris time with their offset. When the two offsets
/// are the same it is said once at the end; when a DST change falls inside the slot each end
/// carries its own, so nobody adds or drops an hour:
/// `du samedi 25 mars 2023 à 10:00 (UTC+01:00) au lundi 27 mars 2023 à 11:00 (UTC+02:00), heure de Paris`.
pub fn slot_phrase(start: Timestamp, end: Timestamp, tz: &TimeZone, lang: Lang) -> String {
    let (s, e) = (start.to_zoned(tz.clone()), end.to_zoned(tz.clone()));
    let (so, eo) = (offset(&s), offset(&e));
    let (sd, ed) = (day_and_time(&s, lang), day_and_time(&e, lang));
    match (lang, so == eo) {
        (Lang::Fr, true) => format!("du {sd} au {ed}, heure de Paris ({so})"),
        (Lang::Fr, false) => format!("du {sd} ({so}) au {ed} ({eo}), heure de Paris"),
        (Lang::En, true) => format!("from {sd} to {ed}, Paris time ({so})"),
        (Lang::En, false) => format!("from {sd} ({so}) to {ed} ({eo}), Paris time"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paris() -> TimeZone {
        TimeZone::get("Europe/Paris").unwrap()
    }
    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn a_winter_slot_reads_in_paris_time_with_one_offset_in_both_languages() {
        let (s, e) = (ts("2023-02-17T09:00:00Z"), ts("2023-02-19T09:00:00Z"));
        assert_eq!(
            slot_phrase(s, e, &paris(), Lang::Fr),
            "du vendredi 17 février 2023 à 10:00 au dimanche 19 février 2023 à 10:00, heure de Paris (UTC+01:00)",
            "09:00 UTC is 10:00 in Paris in February (UTC+01:00)"
        );
        assert_eq!(
            slot_phrase(s, e, &paris(), Lang::En),
            "from Friday 17 February 2023 at 10:00 to Sunday 19 February 2023 at 10:00, Paris time (UTC+01:00)",
            "the English phrase says the same instants"
        );
    }

    #[test]
    fn a_slot_over_the_last_sunday_of_march_shows_plus_one_then_plus_two() {
        // 26 March 2023: clocks go from 02:00 to 03:00. 48 real hours from Saturday 10:00
        // (+01:00) end on Monday at 11:00 (+02:00).
        let s = ts("2023-03-25T09:00:00Z");
        let e = s + jiff::SignedDuration::from_hours(48);
        let fr = slot_phrase(s, e, &paris(), Lang::Fr);
        assert_eq!(
            fr,
            "du samedi 25 mars 2023 à 10:00 (UTC+01:00) au lundi 27 mars 2023 à 11:00 (UTC+02:00), heure de Paris",
            "each end carries its own offset across the change"
        );
        let en = slot_phrase(s, e, &paris(), Lang::En);
        assert!(
            en.contains("Saturday 25 March 2023 at 10:00 (UTC+01:00)")
                && en.contains("Monday 27 March 2023 at 11:00 (UTC+02:00)"),
            "English too: {en}"
        );
    }

    #[test]
    fn every_month_and_weekday_has_its_french_name() {
        let tz = paris();
        let mut seen_months = std::collections::BTreeSet::new();
        let mut seen_days = std::collections::BTreeSet::new();
        for d in 0..365 {
            let z = (ts("2023-01-01T12:00:00Z") + jiff::SignedDuration::from_hours(24 * d))
                .to_zoned(tz.clone());
            let words = day_and_time(&z, Lang::Fr);
            let mut it = words.split(' ');
            seen_days.insert(it.next().unwrap().to_string());
            it.next();
            seen_months.insert(it.next().unwrap().to_string());
        }
        assert_eq!(seen_months.len(), 12, "twelve month names: {seen_months:?}");
        assert_eq!(seen_days.len(), 7, "seven day names: {seen_days:?}");
        assert!(
            seen_months.contains("août"),
            "August is août: {seen_months:?}"
        );
    }
}
