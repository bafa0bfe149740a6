//! The normalised form used to look names and emails up: accents removed, lower case, spaces
//! collapsed. "Élodie", "ELODIE" and "elodie" meet; "Ehlodie" does not.

use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};

/// Folds text for look-up: NFD, combining marks dropped, ligatures spelled out, lower case,
/// runs of white space made one space, ends trimmed.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.nfd().filter(|c| !is_combining_mark(*c)) {
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        match c {
            'ß' => out.push_str("ss"),
            'æ' | 'Æ' => out.push_str("ae"),
            'œ' | 'Œ' => out.push_str("oe"),
            'ø' | 'Ø' => out.push('o'),
            'ł' | 'Ł' => out.push('l'),
            'đ' | 'Đ' => out.push('d'),
            _ => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// The smallest string greater than every string starting with `prefix`, for an index range
/// scan `key >= prefix AND key < upper`. (U+10FFFF sorts after every other UTF-8 text.)
pub fn prefix_upper_bound(prefix: &str) -> String {
    let mut s = prefix.to_string();
    s.push(char::MAX);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_and_case_fold_away_but_letters_do_not() {
        // The example: Élodie and elodie are one name, Ehlodie is another.
        assert_eq!(fold("Élodie"), "elodie");
        assert_eq!(fold("  ÉLODIE   Dupré "), "elodie dupre");
        assert_ne!(fold("Ehlodie"), fold("Élodie"));
        assert_eq!(fold("Œuvre Straße"), "oeuvre strasse");
    }
}
