//! Dates and times as people read them in a refusal, in English and French.

use jiff::{tz::TimeZone, Timestamp};

const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const MONTHS_FR: [&str; 12] = [
    "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
    "déc.",
];

fn parts(at: Timestamp, tz: &TimeZone) -> (i8, usize, String) {
    let dt = at.to_zoned(tz.clone()).datetime();
    let time = if dt.second() == 0 {
        format!("{:02}:{:02}", dt.hour(), dt.minute())
    } else {
        format!("{:02}:{:02}:{:02}", dt.hour(), dt.minute(), dt.second())
    };
    let month = usize::try_from(dt.month() - 1).unwrap_or(0);
    (dt.day(), month, time)
}

/// "17 Feb 10:00" (seconds shown only when not zero).
pub fn when_en(at: Timestamp, tz: &TimeZone) -> String {
    let (d, m, t) = parts(at, tz);
    format!("{d} {} {t}", MONTHS_EN[m])
}

/// "17 févr. 10:00".
pub fn when_fr(at: Timestamp, tz: &TimeZone) -> String {
    let (d, m, t) = parts(at, tz);
    format!("{d} {} {t}", MONTHS_FR[m])
}

/// "17 Feb".
pub fn day_en(at: Timestamp, tz: &TimeZone) -> String {
    let (d, m, _) = parts(at, tz);
    format!("{d} {}", MONTHS_EN[m])
}

/// "17 févr.".
pub fn day_fr(at: Timestamp, tz: &TimeZone) -> String {
    let (d, m, _) = parts(at, tz);
    format!("{d} {}", MONTHS_FR[m])
}

/// English plural helper: "1 ticket", "3 tickets".
pub fn n_en(n: impl Into<u64>, word: &str) -> String {
    let n = n.into();
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// French plural helper: "1 billet", "3 billets".
pub fn n_fr(n: impl Into<u64>, word: &str) -> String {
    let n = n.into();
    if n <= 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}
