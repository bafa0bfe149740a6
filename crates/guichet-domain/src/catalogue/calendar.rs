//! Month and weekday names in French and English, next to the catalogue's other French words:
//! jiff's `strftime` knows English only, and tickets and notices print both languages.

use jiff::civil::Weekday;

use super::french::Lang;

const MONTHS_FR: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS_FR: [&str; 7] = [
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
];
const DAYS_EN: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// The name of `month` (1 = January, as jiff numbers them; out of range counts on from
/// December, never panics): "février" / "February".
pub fn month_name(month: i8, lang: Lang) -> &'static str {
    let i = usize::from(month.unsigned_abs()).saturating_sub(1) % 12;
    match lang {
        Lang::Fr => MONTHS_FR[i],
        Lang::En => MONTHS_EN[i],
    }
}

/// The name of `day`: "samedi" / "Saturday".
pub fn weekday_name(day: Weekday, lang: Lang) -> &'static str {
    let i = usize::from(day.to_monday_zero_offset().unsigned_abs()) % 7;
    match lang {
        Lang::Fr => DAYS_FR[i],
        Lang::En => DAYS_EN[i],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_and_days_read_in_both_languages() {
        assert_eq!(month_name(8, Lang::Fr), "août", "August in French");
        assert_eq!(month_name(2, Lang::En), "February", "jiff's month 2");
        assert_eq!(
            weekday_name(Weekday::Saturday, Lang::Fr),
            "samedi",
            "French weekdays have no capital"
        );
        assert_eq!(
            weekday_name(Weekday::Monday, Lang::En),
            "Monday",
            "jiff's week starts on Monday"
        );
    }
}
