//! The catalogue's words in French: sport, discipline and venue names from sourced tables, and
//! event descriptions translated by an ordered table of phrases (the rule is written out in
//! `data/paris2024/README.md`, "French words").
//!
//! The tables are compiled into the binary and read once. A name that no table knows stays in
//! English, and so does any English word of a description that no phrase matches.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use super::import::{Table, VENUES};
use super::Session;

/// French sport names, one row per sport of both Games.
pub const SPORTS_FR: &str = "sports_fr.csv";
/// French discipline names of the Olympic disciplines.
pub const DISCIPLINES_FR: &str = "disciplines_fr.csv";
/// The phrases that turn an English event description into French, applied in order.
pub const PHRASES_FR: &str = "description_phrases_fr.csv";

const SPORTS_TEXT: &str = include_str!("../../../../data/paris2024/sports_fr.csv");
const DISCIPLINES_TEXT: &str = include_str!("../../../../data/paris2024/disciplines_fr.csv");
const PHRASES_TEXT: &str = include_str!("../../../../data/paris2024/description_phrases_fr.csv");
const VENUES_TEXT: &str = include_str!("../../../../data/paris2024/venues.csv");

/// A language of the words shown to people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    /// English, the catalogue's own language.
    En,
    /// French.
    Fr,
}

impl Lang {
    /// `"fr"` (any case, or a tag such as `fr-FR`) is French; anything else is English.
    pub fn from_tag(tag: &str) -> Lang {
        if tag.trim().to_ascii_lowercase().starts_with("fr") {
            Lang::Fr
        } else {
            Lang::En
        }
    }
}

/// The words of one session in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionWords {
    /// Sport ("Surf").
    pub sport: String,
    /// Discipline ("Volley-ball de plage").
    pub discipline: String,
    /// What is on ("Hommes, groupe C").
    pub description: String,
    /// Venue name ("Arena Paris Sud 6").
    pub venue: String,
}

struct French {
    sports: BTreeMap<String, String>,
    disciplines: BTreeMap<String, String>,
    venues: BTreeMap<String, String>,
    phrases: Vec<(String, String)>,
}

fn two_columns(file: &'static str, text: &str, key: &str, value: &str) -> Vec<(String, String)> {
    // The tables are compiled in and checked by the test suite, so a bad row cannot reach a
    // release; should one slip through, its rows are skipped and the English words stay.
    let Ok(t) = Table::parse(file, text, &[key, value]) else {
        return Vec::new();
    };
    t.rows()
        .filter(|r| !r.text(key).is_empty() && !r.text(value).is_empty())
        .map(|r| (r.text(key).to_string(), r.text(value).to_string()))
        .collect()
}

fn french() -> &'static French {
    static FRENCH: OnceLock<French> = OnceLock::new();
    FRENCH.get_or_init(|| French {
        sports: two_columns(SPORTS_FR, SPORTS_TEXT, "sport", "sport_fr")
            .into_iter()
            .collect(),
        disciplines: two_columns(
            DISCIPLINES_FR,
            DISCIPLINES_TEXT,
            "discipline",
            "discipline_fr",
        )
        .into_iter()
        .collect(),
        venues: two_columns(VENUES, VENUES_TEXT, "venue_code", "venue_name_fr")
            .into_iter()
            .collect(),
        phrases: two_columns(PHRASES_FR, PHRASES_TEXT, "en", "fr"),
    })
}

/// Checks the three French tables: every row has both columns, no key is listed twice.
/// The embedded tables pass it (a test says so); it names the first bad row otherwise.
pub fn check_tables() -> crate::error::Result<()> {
    for (file, text, key, value) in [
        (SPORTS_FR, SPORTS_TEXT, "sport", "sport_fr"),
        (
            DISCIPLINES_FR,
            DISCIPLINES_TEXT,
            "discipline",
            "discipline_fr",
        ),
        (PHRASES_FR, PHRASES_TEXT, "en", "fr"),
    ] {
        let t = Table::parse(file, text, &[key, value])?;
        let mut seen = std::collections::BTreeSet::new();
        for r in t.rows() {
            let k = r.required(key)?;
            r.required(value)?;
            if !seen.insert(k) {
                return Err(r.err(key, &format!("{k:?} is listed twice")));
            }
        }
    }
    Ok(())
}

/// The French name of a sport, if the table has it.
pub fn sport_fr(sport: &str) -> Option<&'static str> {
    french().sports.get(sport).map(String::as_str)
}

/// The French name of a discipline, if the table has it.
pub fn discipline_fr(discipline: &str) -> Option<&'static str> {
    french().disciplines.get(discipline).map(String::as_str)
}

/// The French name of a Paris 2024 venue (`venue_name_fr` of venues.csv), if it has one.
pub fn venue_fr(code: &str) -> Option<&'static str> {
    french().venues.get(code).map(String::as_str)
}

/// The ordered phrase table, English → French.
pub fn phrases() -> &'static [(String, String)] {
    &french().phrases
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Replaces every occurrence of `en` that stands as whole words: where the phrase begins (or
/// ends) with a letter or digit, the text next to it must not be a letter or digit.
fn replace_phrase(text: &str, en: &str, fr: &str) -> String {
    let (Some(first), Some(last)) = (en.chars().next(), en.chars().next_back()) else {
        return text.to_string();
    };
    let mut out = String::with_capacity(text.len());
    let mut done = 0;
    for (at, _) in text.match_indices(en) {
        let before = text[..at].chars().next_back();
        let after = text[at + en.len()..].chars().next();
        let starts = !is_word_char(first) || !before.is_some_and(is_word_char);
        let ends = !is_word_char(last) || !after.is_some_and(is_word_char);
        if starts && ends {
            out.push_str(&text[done..at]);
            out.push_str(fr);
            done = at + en.len();
        }
    }
    out.push_str(&text[done..]);
    out
}

/// An English event description in French, by the rule of the data README:
/// 1. the description is cut at `"; "` into parts;
/// 2. a part that starts with the session's English sport name and a space takes the French
///    sport name instead (the Paralympic "Para Archery day 2 of 11");
/// 3. every phrase of `description_phrases_fr.csv` is replaced in table order, as whole words;
/// 4. each part starts with a capital; the parts are joined again with `"; "`.
///
/// Words that no phrase matches stay in English.
pub fn description_fr(sport: &str, description: &str) -> String {
    let phrases = phrases();
    let sport_fr = sport_fr(sport);
    description
        .split("; ")
        .map(|part| {
            let mut p = match (sport_fr, part.strip_prefix(sport)) {
                (Some(fr), Some(rest)) if rest.starts_with(' ') => format!("{fr}{rest}"),
                _ => part.to_string(),
            };
            for (en, fr) in phrases {
                if p.contains(en.as_str()) {
                    p = replace_phrase(&p, en, fr);
                }
            }
            let mut chars = p.chars();
            match chars.next() {
                Some(c) => c.to_uppercase().chain(chars).collect(),
                None => p,
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

impl Session {
    /// The sport in French ("Surf"); the English name where the table has none.
    pub fn sport_fr(&self) -> String {
        sport_fr(&self.sport).unwrap_or(&self.sport).to_string()
    }
    /// The discipline in French; the Paralympic file already names its disciplines in French,
    /// so a discipline that the table does not list is kept as it is.
    pub fn discipline_fr(&self) -> String {
        discipline_fr(&self.discipline)
            .unwrap_or(&self.discipline)
            .to_string()
    }
    /// The event description in French ([`description_fr`]).
    pub fn description_fr(&self) -> String {
        description_fr(&self.sport, &self.description)
    }
    /// The venue's French name (venues.csv `venue_name_fr`); a session without a venue code
    /// (the Opening Ceremony on the Seine) has its venue text put through the phrase table.
    pub fn venue_name_fr(&self) -> String {
        match &self.venue_code {
            Some(code) => venue_fr(code.as_str())
                .unwrap_or(&self.venue_name)
                .to_string(),
            None => description_fr("", &self.venue_name),
        }
    }
    /// All the words of the session in one language.
    pub fn words(&self, lang: Lang) -> SessionWords {
        match lang {
            Lang::En => SessionWords {
                sport: self.sport.clone(),
                discipline: self.discipline.clone(),
                description: self.description.clone(),
                venue: self.venue_name.clone(),
            },
            Lang::Fr => SessionWords {
                sport: self.sport_fr(),
                discipline: self.discipline_fr(),
                description: self.description_fr(),
                venue: self.venue_name_fr(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_replace_whole_words_only() {
        assert_eq!(
            replace_phrase("Men's Final", "Final", "finale"),
            "Men's finale"
        );
        assert_eq!(replace_phrase("Finals", "Final", "finale"), "Finals");
        assert_eq!(replace_phrase("Semifinal", "final", "finale"), "Semifinal");
        assert_eq!(
            replace_phrase("Men's Group C", "Men's", "hommes,"),
            "hommes, Group C"
        );
        assert_eq!(replace_phrase("R2/WS R3", "R", "x"), "R2/WS R3");
        assert_eq!(replace_phrase("Épée Épée", "Épée", "épée"), "épée épée");
    }

    #[test]
    fn the_rule_reads_like_the_readme_examples() {
        assert_eq!(
            description_fr("Football", "Men's Group C"),
            "Hommes, groupe C"
        );
        assert_eq!(
            description_fr("Football", "Women's Final"),
            "Femmes, finale"
        );
        assert_eq!(
            description_fr("Rugby", "Preliminary Phase"),
            "Phase préliminaire"
        );
        assert_eq!(
            description_fr("Para Archery", "Para Archery day 2 of 11"),
            "Para tir à l'arc jour 2 sur 11"
        );
        assert_eq!(description_fr("Football", ""), "");
        // No phrase: the English stays.
        assert_eq!(
            description_fr("Football", "Penalty shoot-out"),
            "Penalty shoot-out"
        );
    }

    #[test]
    fn languages_are_read_from_tags() {
        assert_eq!(Lang::from_tag("fr"), Lang::Fr);
        assert_eq!(Lang::from_tag("FR-fr"), Lang::Fr);
        assert_eq!(Lang::from_tag("en"), Lang::En);
        assert_eq!(Lang::from_tag(""), Lang::En);
    }
}
