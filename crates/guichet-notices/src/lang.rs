//! Which language an account is written to.
//!
//! The account's own `language` (`fr` or `en`) wins. An account created without one gets
//! French when its country is France, Monaco or a French overseas territory, and English
//! otherwise: Paris 2024 wrote to its fans in French or English only, and a Belgian, Swiss or
//! Canadian fan may read either, so they choose rather than being guessed.

use guichet_domain::Lang;

/// ISO 3166 codes written to in French when no language is given: France, Monaco and the
/// overseas territories that have their own code.
pub const FRENCH_BY_DEFAULT: &[&str] = &[
    "FR", "MC", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "WF", "PF", "NC", "TF",
];

/// The default language for a country code (any case).
pub fn default_for_country(country: &str) -> Lang {
    let c = country.trim().to_ascii_uppercase();
    if FRENCH_BY_DEFAULT.contains(&c.as_str()) {
        Lang::Fr
    } else {
        Lang::En
    }
}

/// `"fr"` or `"en"`, as stored.
pub fn code(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => "fr",
        Lang::En => "en",
    }
}

/// Reads a stored or sent language: exactly `fr` or `en` (any case, spaces around allowed).
pub fn parse(text: &str) -> Option<Lang> {
    match text.trim().to_ascii_lowercase().as_str() {
        "fr" => Some(Lang::Fr),
        "en" => Some(Lang::En),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn france_and_its_overseas_read_french_others_english_unless_they_choose() {
        assert_eq!(default_for_country("fr"), Lang::Fr, "France");
        assert_eq!(
            default_for_country("RE"),
            Lang::Fr,
            "La Réunion has its own code"
        );
        assert_eq!(
            default_for_country("BE"),
            Lang::En,
            "Belgium chooses, not guessed"
        );
        assert_eq!(default_for_country("JP"), Lang::En, "Japan");
        assert_eq!(
            parse(" EN "),
            Some(Lang::En),
            "case and spaces do not matter"
        );
        assert_eq!(parse("de"), None, "only French and English are written");
        assert_eq!(
            parse(code(Lang::Fr)),
            Some(Lang::Fr),
            "code and parse agree"
        );
    }
}
