//! The catalogue's French words: every sport, discipline and venue has a French name, and the
//! phrase rule leaves no English word in any description of either Games.

mod common;

use std::collections::BTreeSet;

use common::{catalogue, code};
use guichet_domain::catalogue::french::{
    check_tables, description_fr, discipline_fr, phrases, sport_fr, venue_fr,
};
use guichet_domain::{Games, Lang};

/// Words a French description may keep as they are: letters of groups, pools and boats, the
/// event codes of the feed (MFS: men's freestyle wrestling, MS/WD/XD: badminton singles and
/// doubles, SF/QF, LL: lucky loser, R: round), units, proper names, and sport words that French
/// uses as they are (B-Boys, the skateboarding and BMX freestyle events Park and Street).
const KEPT: &[&str] = &[
    "A",
    "B",
    "C",
    "D",
    "E",
    "F",
    "G",
    "H",
    "I",
    "J",
    "R",
    "LL",
    "MFS",
    "WFS",
    "MGR",
    "MS",
    "WS",
    "MD",
    "WD",
    "XD",
    "SF",
    "QF",
    "BMX",
    "Boys",
    "Girls",
    "Trocadéro",
    "Seine",
    "Records",
    "Grand",
    "Prix",
    "Park",
    "Street",
    "kg",
    "m",
    "km",
    "x",
];

fn words(text: &str) -> Vec<&str> {
    text.split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .collect()
}

/// The French vocabulary: every word of the phrase table's French side and of the French sport
/// names, in its own case and in lower case.
fn french_words() -> BTreeSet<String> {
    let c = catalogue();
    let mut out = BTreeSet::new();
    let sports: Vec<String> = c.sessions().map(|s| s.sport_fr()).collect();
    for text in phrases()
        .iter()
        .map(|(_, fr)| fr.as_str())
        .chain(sports.iter().map(String::as_str))
    {
        for w in words(text) {
            out.insert(w.to_string());
            out.insert(w.to_lowercase());
        }
    }
    out
}

/// The words of a French description that are neither French nor kept.
fn english_left<'a>(fr: &'a str, vocabulary: &BTreeSet<String>) -> Vec<&'a str> {
    words(fr)
        .into_iter()
        .filter(|w| {
            !KEPT.contains(w) && !vocabulary.contains(*w) && !vocabulary.contains(&w.to_lowercase())
        })
        .collect()
}

#[test]
fn the_french_tables_are_well_formed() {
    check_tables().expect("sports_fr.csv, disciplines_fr.csv and the phrase table read");
    assert!(phrases().len() > 200, "the phrase table is there");
}

#[test]
fn every_sport_of_both_games_has_a_french_name() {
    let c = catalogue();
    let missing: BTreeSet<&str> = c
        .sessions()
        .filter(|s| sport_fr(&s.sport).is_none())
        .map(|s| s.sport.as_str())
        .collect();
    assert!(
        missing.is_empty(),
        "sports without a French name: {missing:?}"
    );
    assert_eq!(c.session(&code("SRF01")).unwrap().sport_fr(), "Surf");
    assert_eq!(c.session(&code("ATH07")).unwrap().sport_fr(), "Athlétisme");
}

#[test]
fn every_olympic_discipline_has_a_french_name() {
    let c = catalogue();
    let missing: BTreeSet<&str> = c
        .sessions()
        .filter(|s| s.games == Games::Olympic && discipline_fr(&s.discipline).is_none())
        .map(|s| s.discipline.as_str())
        .collect();
    assert!(
        missing.is_empty(),
        "disciplines without a French name: {missing:?}"
    );
}

#[test]
fn every_venue_has_a_french_name() {
    let c = catalogue();
    // The open-data file has no French name for the Pont d'Iéna, whose English name is French.
    let missing: Vec<&str> = c
        .venues()
        .filter(|v| venue_fr(v.code.as_str()).is_none())
        .map(|v| v.code.as_str())
        .collect();
    assert_eq!(missing, ["PIE"]);
    for s in c.sessions() {
        assert!(!s.venue_name_fr().is_empty(), "{} has a venue", s.code);
    }
    let fbl = c.session(&code("FBL01")).unwrap();
    assert_eq!(fbl.venue_name_fr(), "Parc des Princes");
    let nantes = c.session(&code("FBL03")).unwrap();
    assert_eq!(nantes.venue_name_fr(), "Stade de la Beaujoire");
    let opening = c.session(&code("CER-OPENING")).unwrap();
    assert!(
        opening
            .venue_name_fr()
            .starts_with("La Seine (du pont d'Austerlitz"),
        "{}",
        opening.venue_name_fr()
    );
}

#[test]
fn every_description_of_both_games_is_fully_translated() {
    let c = catalogue();
    let vocabulary = french_words();
    let mut full = 0;
    let mut left = Vec::new();
    for s in c.sessions() {
        let fr = s.description_fr();
        let english = english_left(&fr, &vocabulary);
        if english.is_empty() {
            full += 1;
        } else {
            left.push(format!("{}: {fr} (English left: {english:?})", s.code));
        }
    }
    let total = c.sessions().count();
    println!("{full} of {total} descriptions are fully translated");
    assert!(
        left.is_empty(),
        "{} of {total} descriptions keep English words:\n{}",
        left.len(),
        left.join("\n")
    );
    assert_eq!(full, 913, "760 Olympic and 153 Paralympic sessions");
}

#[test]
fn the_check_finds_an_english_word_that_no_phrase_knows() {
    let vocabulary = french_words();
    let fr = description_fr("Football", "Men's Penalty Shoot-out");
    assert_eq!(fr, "Hommes, Penalty Shoot-out");
    assert_eq!(english_left(&fr, &vocabulary), ["Penalty", "Shoot", "out"]);
}

#[test]
fn french_words_of_known_sessions() {
    let c = catalogue();
    let fbl = c.session(&code("FBL01")).unwrap().words(Lang::Fr);
    assert_eq!(fbl.sport, "Football");
    assert_eq!(fbl.description, "Hommes, groupe C");
    let ath = c.session(&code("ATH07")).unwrap();
    assert!(
        ath.description_fr().contains("Hommes, 100m finale"),
        "{}",
        ath.description_fr()
    );
    let en = ath.words(Lang::En);
    assert_eq!(en.sport, "Athletics");
    assert_eq!(en.description, ath.description);
    let para = c
        .sessions()
        .find(|s| s.games == Games::Paralympic && s.sport == "Para Archery")
        .unwrap();
    assert!(
        para.description_fr()
            .starts_with("Para tir à l'arc jour 1 sur 11"),
        "{}",
        para.description_fr()
    );
}
