//! Derives the two data files that no public source has in machine form: the Paralympic
//! session list (from the venues' Paralympic sports and dates) and the price table (from the
//! published price facts). The rules are documented in `data/paris2024/README.md`; this module
//! is the generator (`cargo xtask derive-catalogue`), and its output is committed as data and
//! checked for drift by a test. Nothing at run time prices a ticket from code.

use std::collections::BTreeMap;

use jiff::civil::Date;

use super::import::{Table, OLYMPIC_SESSIONS, VENUES};
use crate::error::{Error, Result};

/// Share of a venue's nominal capacity that is sellable (DOMAIN: about 80–85 %).
pub const SELLABLE_PERCENT: u64 = 82;
/// Paid seats of the Opening Ceremony on the lower quays (FACTS.md §2): already a sellable
/// figure, not reduced again.
pub const OPENING_CEREMONY_PAID_SEATS: u64 = 104_000;

/// Surfing at Teahupo'o was not ticketed (venues.csv: capacity 0). Its sessions stay in the
/// catalogue with this placeholder inventory so every session has categories, and the sale
/// configuration holds surfing back in every phase, so none of it is ever sold.
pub const UNTICKETED_PLACEHOLDER_SEATS: u64 = 1_000;

/// Wheelchair places per 10,000 sellable seats of an Olympic session. Each wheelchair place
/// comes with one companion seat, and both are taken out of the session's sellable seats. The
/// rate is set so that both places of every pair, over both Games, come to about the 280,000
/// tickets Paris 2024 reserved for people with disabilities (FACTS.md §5; the data README says
/// how the figure is reached).
pub const OLYMPIC_WHEELCHAIR_PER_10K: u64 = 114;
/// Wheelchair places per 10,000 sellable seats of a Paralympic session: about the 12,000
/// wheelchair places reported for the Paralympic Games (FACTS.md §5).
pub const PARALYMPIC_WHEELCHAIR_PER_10K: u64 = 59;
/// The `rule` written on the wheelchair and companion rows of `prices.csv`.
pub const ACCESSIBLE_RULE: &str = "accessible-pair";

/// One price tier: a name (written into `prices.csv`'s `rule` column), prices in euros for the
/// categories it sells (A first) and the share of seats per category in percent.
struct Tier {
    rule: &'static str,
    euros: &'static [u32],
    shares: &'static [u64],
}

const SPLIT4: &[u64] = &[20, 30, 35, 15];
const SPLIT3: &[u64] = &[30, 35, 35];

const OPENING: Tier = Tier {
    rule: "ceremony-opening",
    euros: &[2700, 1600, 900, 90],
    shares: SPLIT4,
};
const CLOSING: Tier = Tier {
    rule: "ceremony-closing",
    euros: &[1600, 1100, 600],
    shares: SPLIT3,
};
const PREMIUM_FINAL: Tier = Tier {
    rule: "premium-final",
    euros: &[980, 690, 395, 125],
    shares: SPLIT4,
};
const MARQUEE_MEDAL: Tier = Tier {
    rule: "marquee-medal-evening",
    euros: &[690, 450, 195, 85],
    shares: SPLIT4,
};
const FOOTBALL_MEDAL: Tier = Tier {
    rule: "football-medal",
    euros: &[300, 200, 120, 80],
    shares: SPLIT4,
};
const HANDBALL_MEDAL: Tier = Tier {
    rule: "handball-medal",
    euros: &[250, 160, 120, 90],
    shares: SPLIT4,
};
const JUDO_MEDAL: Tier = Tier {
    rule: "judo-medal",
    euros: &[150, 130, 110, 90],
    shares: SPLIT4,
};
const HIGH_DEMAND_MEDAL: Tier = Tier {
    rule: "high-demand-medal",
    euros: &[450, 250, 125, 50],
    shares: SPLIT4,
};
const MEDAL: Tier = Tier {
    rule: "medal",
    euros: &[200, 125, 75, 35],
    shares: SPLIT4,
};
const UNTICKETED: Tier = Tier {
    rule: "unticketed-held-back",
    euros: &[85, 60, 40, 24],
    shares: SPLIT4,
};
const STANDARD: Tier = Tier {
    rule: "standard",
    euros: &[85, 50, 35, 24],
    shares: SPLIT4,
};
const PARA_CLOSING: Tier = Tier {
    rule: "para-ceremony-closing",
    euros: &[400, 250, 120, 45],
    shares: SPLIT4,
};
const PARA_FINAL: Tier = Tier {
    rule: "para-final-day",
    euros: &[75, 50, 30, 15],
    shares: SPLIT4,
};
const PARA_DAY: Tier = Tier {
    rule: "para-day",
    euros: &[50, 35, 25, 15],
    shares: SPLIT4,
};

/// Sports whose medal sessions sell at the high-demand tier.
const HIGH_DEMAND_SPORTS: &[&str] = &[
    "Basketball",
    "Gymnastics",
    "Tennis",
    "Volleyball",
    "Cycling",
];
/// The men's 100 m final evening (4 Aug 2024) is the athletics premium session.
const ATHLETICS_PREMIUM: &str = "ATH07";
/// How many swimming finals sessions sell at the premium tier (FACTS.md: "3 swimming finals
/// sessions also up to 980"): those with the most medal events, earliest first on ties.
const SWIMMING_PREMIUM_COUNT: usize = 3;

/// English names of the Paralympic sports (the venues file has French names only).
const PARA_SPORTS_EN: &[(&str, &str)] = &[
    ("PARC", "Para Archery"),
    ("PATH", "Para Athletics"),
    ("PATM", "Para Athletics Marathon"),
    ("PBDM", "Para Badminton"),
    ("PBOC", "Boccia"),
    ("PCRD", "Para Cycling Road"),
    ("PCSP", "Para Canoe"),
    ("PCTR", "Para Cycling Track"),
    ("PEQU", "Para Equestrian"),
    ("PFBB", "Blind Football"),
    ("PGBL", "Goalball"),
    ("PJUD", "Para Judo"),
    ("PPWL", "Para Powerlifting"),
    ("PROW", "Para Rowing"),
    ("PSHO", "Para Shooting"),
    ("PSWM", "Para Swimming"),
    ("PTKW", "Para Taekwondo"),
    ("PTRI", "Para Triathlon"),
    ("PTTE", "Para Table Tennis"),
    ("PVBS", "Sitting Volleyball"),
    ("PWBK", "Wheelchair Basketball"),
    ("PWFE", "Wheelchair Fencing"),
    ("PWRU", "Wheelchair Rugby"),
    ("PWTE", "Wheelchair Tennis"),
];

/// The derived files, as CSV text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Derived {
    /// `paralympic_sessions.csv`.
    pub paralympic_sessions: String,
    /// `prices.csv`.
    pub prices: String,
}

struct PriceRow {
    session: String,
    tier: &'static Tier,
    seats: u64,
    /// Wheelchair places per 10,000 of `seats`.
    wheelchair_per_10k: u64,
}

struct ParaSession {
    code: String,
    sport: String,
    discipline: String,
    venue: String,
    city: String,
    date: Date,
    start: &'static str,
    end: &'static str,
    description: String,
    medal: bool,
    venue_code: String,
    rule: String,
}

/// Derives the Paralympic sessions and the price table from `venues.csv` and `sessions.csv`.
pub fn derive(venues_csv: &str, sessions_csv: &str) -> Result<Derived> {
    let venues = Table::parse(
        VENUES,
        venues_csv,
        &["venue_code", "capacity", "paralympic"],
    )?;
    let mut capacity: BTreeMap<String, u64> = BTreeMap::new();
    for r in venues.rows() {
        let cap = match r.optional_u32("capacity")? {
            Some(c) => Some(c),
            None => r.optional_u32("capacity_assumed_for_estimate")?,
        };
        if let Some(c) = cap {
            capacity.insert(r.text("venue_code").to_string(), u64::from(c));
        }
    }
    let mut prices = olympic_prices(sessions_csv, &capacity)?;
    let para = paralympic_sessions(&venues, &capacity)?;
    for s in &para {
        let tier = match s.rule.as_str() {
            "para-ceremony-closing" => &PARA_CLOSING,
            _ if s.medal => &PARA_FINAL,
            _ => &PARA_DAY,
        };
        let seats = sellable(capacity[&s.venue_code]);
        prices.push(PriceRow {
            session: s.code.clone(),
            tier,
            seats,
            wheelchair_per_10k: PARALYMPIC_WHEELCHAIR_PER_10K,
        });
    }
    Ok(Derived {
        paralympic_sessions: write_para(&para)?,
        prices: write_prices(&prices)?,
    })
}

fn sellable(nominal: u64) -> u64 {
    nominal * SELLABLE_PERCENT / 100
}

fn olympic_prices(sessions_csv: &str, capacity: &BTreeMap<String, u64>) -> Result<Vec<PriceRow>> {
    let t = Table::parse(
        OLYMPIC_SESSIONS,
        sessions_csv,
        &["session_code", "sport", "medal"],
    )?;
    let mut swimming: Vec<(u32, String, String)> = Vec::new();
    for r in t.rows() {
        if r.text("discipline") == "Swimming" && r.text("medal") == "y" {
            let events: u32 = r.text("medal_events").parse().unwrap_or(0);
            let when = format!("{} {}", r.text("date"), r.text("start_time"));
            swimming.push((events, when, r.text("session_code").to_string()));
        }
    }
    swimming.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let premium_swim: Vec<String> = swimming
        .into_iter()
        .take(SWIMMING_PREMIUM_COUNT)
        .map(|s| s.2)
        .collect();
    let mut out = Vec::new();
    for r in t.rows() {
        let code = r.text("session_code").to_string();
        let (sport, medal) = (r.text("sport"), r.text("medal") == "y");
        let evening = r.text("session_type") == "EVE";
        let tier = match (code.as_str(), sport) {
            _ if capacity.get(r.text("venue_code")) == Some(&0) => &UNTICKETED,
            ("CER-OPENING", _) => &OPENING,
            ("CER-CLOSING", _) => &CLOSING,
            (ATHLETICS_PREMIUM, _) => &PREMIUM_FINAL,
            (c, _) if premium_swim.iter().any(|p| p == c) => &PREMIUM_FINAL,
            (_, "Athletics") if medal && evening => &MARQUEE_MEDAL,
            (_, "Aquatics") if medal && r.text("discipline") == "Swimming" => &MARQUEE_MEDAL,
            (_, "Football") if medal => &FOOTBALL_MEDAL,
            (_, "Handball") if medal => &HANDBALL_MEDAL,
            (_, "Judo") if medal => &JUDO_MEDAL,
            (_, s) if medal && HIGH_DEMAND_SPORTS.contains(&s) => &HIGH_DEMAND_MEDAL,
            _ if medal => &MEDAL,
            _ => &STANDARD,
        };
        let seats = if code == "CER-OPENING" {
            OPENING_CEREMONY_PAID_SEATS
        } else if capacity.get(r.text("venue_code")) == Some(&0) {
            UNTICKETED_PLACEHOLDER_SEATS
        } else {
            let vc = r.text("venue_code");
            let nominal = capacity.get(vc).ok_or_else(|| {
                r.err(
                    "venue_code",
                    &format!("venue {vc:?} has no capacity in {VENUES}"),
                )
            })?;
            sellable(*nominal)
        };
        out.push(PriceRow {
            session: code,
            tier,
            seats,
            wheelchair_per_10k: OLYMPIC_WHEELCHAIR_PER_10K,
        });
    }
    Ok(out)
}

/// Splits `"Para Judo (PJUD), Rugby fauteuil (PWRU)"` into `[("Para Judo", "PJUD"), ...]`.
fn parse_sport_list(s: &str) -> Vec<(String, String)> {
    s.split("),")
        .filter_map(|part| {
            let part = part.trim().trim_end_matches(')');
            let (name, code) = part.rsplit_once('(')?;
            Some((name.trim().to_string(), code.trim().to_string()))
        })
        .collect()
}

fn paralympic_sessions(
    venues: &Table,
    capacity: &BTreeMap<String, u64>,
) -> Result<Vec<ParaSession>> {
    let mut out = Vec::new();
    for r in venues.rows() {
        if r.text("paralympic") != "y" {
            continue;
        }
        let vc = r.text("venue_code").to_string();
        let sports = parse_sport_list(r.text("paralympic_sports_fr"));
        let dates = r.text("paralympic_dates");
        let (from, to) = dates
            .split_once("..")
            .ok_or_else(|| r.err("paralympic_dates", "expected YYYY-MM-DD..YYYY-MM-DD"))?;
        let parse_date = |s: &str| -> Result<Date> {
            s.parse()
                .map_err(|_| r.err("paralympic_dates", &format!("{s:?} is not a date")))
        };
        let (from, mut to) = (parse_date(from)?, parse_date(to)?);
        let venue = r.text("venue").to_string();
        let city = r.text("city").to_string();
        let has_closing = sports.iter().any(|(_, c)| c == "PCC");
        if has_closing {
            out.push(ParaSession {
                code: "PCC".into(),
                sport: "Ceremonies".into(),
                discipline: "Paralympic Closing Ceremony".into(),
                venue: venue.clone(),
                city: city.clone(),
                date: to,
                start: "20:00",
                end: "23:00",
                description: "Paralympic Closing Ceremony".into(),
                medal: false,
                venue_code: vc.clone(),
                rule: "para-ceremony-closing".into(),
            });
            // The ceremony takes the venue on its last day.
            to = to
                .yesterday()
                .map_err(|e| Error::Catalogue(e.to_string()))?;
        }
        // Roadside events (marathon, road cycling) were free to watch: not ticketed. A venue
        // with no capacity in the sources cannot be sold either. Ceremonies are handled above
        // (the opening ceremony has neither capacity nor published prices: left out).
        let ticketed: Vec<&(String, String)> = sports
            .iter()
            .filter(|(_, c)| !matches!(c.as_str(), "PCC" | "POC" | "PATM" | "PCRD"))
            .collect();
        if ticketed.is_empty() || !capacity.contains_key(&vc) {
            continue;
        }
        let days = usize::try_from(
            from.until(to)
                .map_err(|e| Error::Catalogue(e.to_string()))?
                .get_days(),
        )
        .map_err(|_| r.err("paralympic_dates", "range ends before it starts"))?
            + 1;
        // Sports sharing a venue split its dates into consecutive blocks, in listed order.
        let per = days.div_ceil(ticketed.len());
        for (i, (name_fr, code)) in ticketed.iter().enumerate() {
            let first = i * per;
            let last = ((i + 1) * per).min(days);
            let n = last.saturating_sub(first);
            let en = PARA_SPORTS_EN
                .iter()
                .find(|(c, _)| c == code)
                .map_or(name_fr.as_str(), |(_, en)| *en);
            for d in 0..n {
                let date = from
                    .checked_add(jiff::Span::new().days(i64::try_from(first + d).unwrap_or(0)))
                    .map_err(|e| Error::Catalogue(e.to_string()))?;
                let medal = d + 1 == n;
                out.push(ParaSession {
                    code: format!("{code}{:02}", d + 1),
                    sport: en.to_string(),
                    discipline: name_fr.clone(),
                    venue: venue.clone(),
                    city: city.clone(),
                    date,
                    start: "10:00",
                    end: "18:00",
                    description: if medal {
                        format!("{en} day {} of {n}: finals", d + 1)
                    } else {
                        format!("{en} day {} of {n}", d + 1)
                    },
                    medal,
                    venue_code: vc.clone(),
                    rule: "venue-dates-split".into(),
                });
            }
        }
    }
    out.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(out)
}

fn csv_text(write: impl FnOnce(&mut csv::Writer<Vec<u8>>) -> csv::Result<()>) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    write(&mut w).map_err(|e| Error::Catalogue(e.to_string()))?;
    let bytes = w
        .into_inner()
        .map_err(|e| Error::Catalogue(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| Error::Catalogue(e.to_string()))
}

fn write_para(rows: &[ParaSession]) -> Result<String> {
    csv_text(|w| {
        w.write_record([
            "session_code",
            "sport",
            "discipline",
            "venue",
            "venue_city",
            "date",
            "start_time",
            "end_time",
            "description",
            "medal",
            "venue_code",
            "utc_offset",
            "derivation",
        ])?;
        for s in rows {
            w.write_record([
                s.code.as_str(),
                &s.sport,
                &s.discipline,
                &s.venue,
                &s.city,
                &s.date.to_string(),
                s.start,
                s.end,
                &s.description,
                if s.medal { "y" } else { "n" },
                &s.venue_code,
                "+02:00",
                &s.rule,
            ])?;
        }
        Ok(())
    })
}

/// Wheelchair places of a session with `seats` sellable seats: the rate, rounded down, and at
/// least one, so every session sells an accessible pair.
pub fn wheelchair_places(seats: u64, per_10k: u64) -> u64 {
    (seats * per_10k / 10_000).max(1)
}

fn write_prices(rows: &[PriceRow]) -> Result<String> {
    csv_text(|w| {
        w.write_record(["session_code", "category", "price_eur", "capacity", "rule"])?;
        for r in rows {
            // The pairs are taken out of the sellable seats first; A–D share what is left.
            let wheelchair = wheelchair_places(r.seats, r.wheelchair_per_10k);
            let standard = r.seats - 2 * wheelchair;
            let mut left = standard;
            let n = r.tier.euros.len();
            for (i, (euros, share)) in r.tier.euros.iter().zip(r.tier.shares).enumerate() {
                // The last category takes the rounding remainder so the split sums exactly.
                let seats = if i + 1 == n {
                    left
                } else {
                    standard * share / 100
                };
                left -= seats;
                let cat = ["A", "B", "C", "D"][i];
                w.write_record([
                    r.session.as_str(),
                    cat,
                    &euros.to_string(),
                    &seats.to_string(),
                    r.tier.rule,
                ])?;
            }
            // Both places of a pair at the session's cheapest price: paid, as the companion
            // seat was at the Paralympic Games.
            let cheapest = r.tier.euros.iter().min().copied().unwrap_or(0);
            for cat in ["WCH", "CMP"] {
                w.write_record([
                    r.session.as_str(),
                    cat,
                    &cheapest.to_string(),
                    &wheelchair.to_string(),
                    ACCESSIBLE_RULE,
                ])?;
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sport_lists_split_on_codes() {
        let v = parse_sport_list("Para Judo (PJUD), Rugby fauteuil (PWRU)");
        assert_eq!(
            v,
            vec![
                ("Para Judo".into(), "PJUD".into()),
                ("Rugby fauteuil".into(), "PWRU".into())
            ]
        );
    }

    #[test]
    fn committed_files_match_the_generator() {
        // If this fails, the rule changed or the committed data was edited by hand: run
        // `cargo xtask derive-catalogue` and review the diff of data/paris2024.
        let d = derive(
            super::super::import::PARIS2024.venues,
            super::super::import::PARIS2024.olympic_sessions,
        )
        .unwrap();
        assert!(
            d.prices == super::super::import::PARIS2024.prices,
            "prices.csv drifted from the generator"
        );
        assert!(
            d.paralympic_sessions == super::super::import::PARIS2024.paralympic_sessions,
            "paralympic_sessions.csv drifted from the generator"
        );
    }
}
