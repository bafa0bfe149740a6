//! The catalogue import, tested against the committed Paris 2024 data.

mod common;

use common::{catalogue, code};
use guichet_domain::catalogue::import::{import, load_dir, Sources, PARIS2024};
use guichet_domain::catalogue::stats::games_stats;
use guichet_domain::{Error, Games, Money};

#[test]
fn the_catalogue_has_760_olympic_sessions_and_45_venues() {
    let c = catalogue();
    assert_eq!(
        c.count(Games::Olympic),
        760,
        "758 from the official feed + 2 ceremonies"
    );
    assert_eq!(c.venues().count(), 45);
    assert!(
        c.count(Games::Paralympic) > 100,
        "derived Paralympic sessions are there"
    );
}

#[test]
fn surfing_is_in_tahiti_time() {
    let c = catalogue();
    let surf: Vec<_> = c.sessions().filter(|s| s.sport == "Surfing").collect();
    assert_eq!(surf.len(), 4);
    for s in surf {
        assert_eq!(
            s.utc_offset.seconds(),
            -10 * 3600,
            "{} is at UTC−10",
            s.code
        );
    }
    let srf01 = c.session(&code("SRF01")).unwrap();
    // 27 Jul 2024 07:00 in Tahiti is 17:00 UTC, 19:00 in Paris.
    assert_eq!(srf01.start.to_string(), "2024-07-27T17:00:00Z");
    assert_eq!(srf01.local_start().to_string(), "2024-07-27T07:00:00");
}

#[test]
fn paris_sessions_are_at_utc_plus_two_and_late_sessions_end_the_next_day() {
    let c = catalogue();
    let fbl01 = c.session(&code("FBL01")).unwrap();
    assert_eq!(
        fbl01.start.to_string(),
        "2024-07-24T13:00:00Z",
        "15:00 in Paris (CEST)"
    );
    let vbv03 = c.session(&code("VBV03")).unwrap();
    assert_eq!(
        vbv03.end.to_string(),
        "2024-07-27T22:00:00Z",
        "ends at midnight, the next day"
    );
    assert!(
        c.sessions().all(|s| s.end > s.start),
        "every session ends after it starts"
    );
}

#[test]
fn no_session_has_zero_capacity_and_every_price_is_at_least_the_floor() {
    for s in catalogue().sessions() {
        assert!(s.capacity() > 0, "{} has no seats", s.code);
        let floor = match s.games {
            Games::Olympic => Money::from_euros(24),
            Games::Paralympic => Money::from_euros(15),
        };
        for o in &s.offers {
            assert!(o.capacity > 0, "{} {} has no seats", s.code, o.category);
            assert!(
                o.price >= floor,
                "{} {} costs {} below the floor",
                s.code,
                o.category,
                o.price
            );
        }
    }
}

#[test]
fn published_price_facts_hold_in_the_derived_table() {
    let c = catalogue();
    let price = |s: &str, cat: &str| {
        c.session(&code(s))
            .unwrap()
            .offer(guichet_domain::PriceCategory::parse(cat).unwrap())
            .unwrap()
            .price
    };
    assert_eq!(
        price("ATH07", "A"),
        Money::from_euros(980),
        "100 m final, category A"
    );
    assert_eq!(
        price("ATH07", "D"),
        Money::from_euros(125),
        "100 m final, category D"
    );
    assert_eq!(price("CER-OPENING", "A"), Money::from_euros(2700));
    assert_eq!(price("CER-OPENING", "D"), Money::from_euros(90));
    assert_eq!(price("CER-CLOSING", "C"), Money::from_euros(600));
    let st = games_stats(c, Games::Olympic);
    assert_eq!(
        st.price_range,
        (Money::from_euros(24), Money::from_euros(2700))
    );
    let para = games_stats(c, Games::Paralympic);
    assert_eq!(para.price_range.0, Money::from_euros(15));
}

fn with_sessions(sessions: &str) -> Sources<'_> {
    Sources {
        olympic_sessions: sessions,
        ..PARIS2024
    }
}

#[test]
fn a_malformed_row_names_the_file_line_and_column_and_imports_nothing() {
    // Break FBL02's start time (line 3 of sessions.csv: header, FBL01, FBL02).
    let text = PARIS2024.olympic_sessions.replacen(
        "FBL02,Football,Football,Saint-Etienne Stadium,Saint-Étienne,2024-07-24,15:00",
        "FBL02,Football,Football,Saint-Etienne Stadium,Saint-Étienne,2024-07-24,25:99",
        1,
    );
    assert_ne!(text, PARIS2024.olympic_sessions, "the fixture edit applied");
    match import(with_sessions(&text)) {
        Err(Error::Csv {
            file,
            line,
            column,
            message,
        }) => {
            assert_eq!(
                (file.as_str(), line, column.as_str()),
                ("sessions.csv", 3, "start_time")
            );
            assert!(message.contains("25:99"), "{message}");
        }
        other => panic!("expected a CSV error, got {other:?}"),
    }
}

#[test]
fn a_price_row_with_zero_seats_or_a_bad_price_is_refused() {
    let prices = PARIS2024.prices.replacen("FBL01,A,85,", "FBL01,A,-5,", 1);
    let e = import(Sources {
        prices: &prices,
        ..PARIS2024
    })
    .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("prices.csv, line 2, column \"price_eur\""),
        "{e}"
    );
    // Line 3 is FBL01 category B: set its seats (4th field) to 0.
    let prices: String = PARIS2024
        .prices
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 2 {
                let f: Vec<&str> = l.split(',').collect();
                format!("{},{},{},0,{}\n", f[0], f[1], f[2], f[4])
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    let e = import(Sources {
        prices: &prices,
        ..PARIS2024
    })
    .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("prices.csv, line 3, column \"capacity\""),
        "{e}"
    );
    assert!(e.to_string().contains("capacity must be at least 1"), "{e}");
}

#[test]
fn a_missing_column_or_a_short_row_is_refused() {
    let text = PARIS2024
        .olympic_sessions
        .replacen("utc_offset", "offset", 1);
    let e = import(with_sessions(&text)).unwrap_err();
    assert!(
        e.to_string().contains("line 1, column \"utc_offset\""),
        "{e}"
    );
    let text = format!("{}FBL99,Football\n", PARIS2024.olympic_sessions);
    let e = import(with_sessions(&text)).unwrap_err();
    assert!(e.to_string().starts_with("sessions.csv, line 762"), "{e}");
}

#[test]
fn a_session_without_prices_or_an_unknown_venue_is_refused() {
    let prices: String = PARIS2024
        .prices
        .lines()
        .filter(|l| !l.starts_with("ATH07,"))
        .map(|l| format!("{l}\n"))
        .collect();
    let e = import(Sources {
        prices: &prices,
        ..PARIS2024
    })
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "catalogue is inconsistent: session ATH07 has no price row in prices.csv"
    );
}

#[test]
fn a_directory_loads_like_the_embedded_copy_and_a_missing_file_is_named() {
    let dir = std::path::Path::new(
        &*std::env::var("CARGO_MANIFEST_DIR")
            .unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_string()),
    )
    .join("../../data/paris2024");
    assert_eq!(&load_dir(&dir).unwrap(), catalogue());
    let e = load_dir(std::path::Path::new("/nonexistent")).unwrap_err();
    assert!(e.to_string().contains("/nonexistent/venues.csv"), "{e}");
}

#[test]
fn every_session_sells_wheelchair_places_each_with_one_companion_seat_at_its_cheapest_price() {
    use guichet_domain::PriceCategory::{CMP, WCH};
    for s in catalogue().sessions() {
        let (w, c) = (s.offer(WCH), s.offer(CMP));
        let (Some(w), Some(c)) = (w, c) else {
            panic!("{} must sell wheelchair places and companion seats", s.code);
        };
        assert_eq!(
            w.capacity, c.capacity,
            "{}: one companion seat per wheelchair place",
            s.code
        );
        let cheapest = s
            .offers
            .iter()
            .filter(|o| !o.category.is_accessible())
            .map(|o| o.price)
            .min();
        assert_eq!(
            Some(w.price),
            cheapest,
            "{}: the wheelchair place costs the session's cheapest price (data README)",
            s.code
        );
        assert_eq!(
            c.price, w.price,
            "{}: the companion seat is paid the same",
            s.code
        );
    }
}

#[test]
fn the_accessible_pairs_come_to_about_280000_tickets_and_12000_paralympic_wheelchair_places() {
    let c = catalogue();
    let wheelchair = |g: Games| {
        games_stats(c, g)
            .seats_per_category
            .get(&guichet_domain::PriceCategory::WCH)
            .copied()
            .unwrap_or(0)
    };
    let (olympic, paralympic) = (wheelchair(Games::Olympic), wheelchair(Games::Paralympic));
    let tickets = 2 * (olympic + paralympic);
    assert!(
        (275_000..=285_000).contains(&tickets),
        "Paris 2024 reserved about 280,000 tickets (FACTS.md §5); the pairs make {tickets}"
    );
    assert!(
        (11_500..=12_500).contains(&paralympic),
        "about 12,000 Paralympic wheelchair places (FACTS.md §5); the data has {paralympic}"
    );
}

#[test]
fn a_wheelchair_place_without_its_companion_seat_is_refused_at_import() {
    let prices = PARIS2024
        .prices
        .replacen("FBL01,CMP,24,448,", "FBL01,CMP,24,447,", 1);
    assert_ne!(
        prices, PARIS2024.prices,
        "the test edits the FBL01 companion row"
    );
    let e = import(Sources {
        prices: &prices,
        ..PARIS2024
    })
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("FBL01 has 448 wheelchair places and 447 companion seats")
            && e.contains("exactly one companion seat"),
        "the refusal names the session, the numbers and the rule: {e}"
    );
}
