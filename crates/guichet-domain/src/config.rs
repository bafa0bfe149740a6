//! The sale configuration: phases with their Paris-time windows, what each sells, draws,
//! timeslots, Club priority and the limits. It is data (TOML), with the Paris 2024 defaults
//! embedded from `config/sale.paris2024.toml`.

use std::collections::BTreeSet;

use jiff::{tz::TimeZone, Timestamp, Zoned};
use serde::{Deserialize, Deserializer, Serialize};

use crate::error::{Error, Result};
use crate::ids::{Games, SessionCode};

/// The Paris 2024 configuration as compiled in.
pub const PARIS2024_TOML: &str = include_str!("../../../config/sale.paris2024.toml");

/// Limits that hold at the web shop, the counter and the kiosk alike.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Sessions in a pack (3).
    pub pack_sessions: u32,
    /// Fewest tickets on a pack line (1).
    pub pack_line_min: u32,
    /// Most tickets on a pack line (6).
    pub pack_line_max: u32,
    /// Most tickets per session per account, all phases (6).
    pub per_session_per_account: u32,
    /// Most Olympic tickets per account over all phases (30).
    pub olympic_per_account: u32,
    /// Most Paralympic tickets per account, counted apart.
    pub paralympic_per_account: u32,
    /// Whether a pack's sessions must be in three different sports.
    #[serde(default)]
    pub pack_different_sports: bool,
}

impl Limits {
    /// The per-account cap for one Games.
    pub fn per_account(&self, games: Games) -> u32 {
        match games {
            Games::Olympic => self.olympic_per_account,
            Games::Paralympic => self.paralympic_per_account,
        }
    }
}

/// What a phase sells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OrderKind {
    /// "Make Your Games" packs of three sessions.
    Pack,
    /// Single tickets.
    Single,
}

impl OrderKind {
    /// English noun, plural.
    pub fn en(self) -> &'static str {
        match self {
            OrderKind::Pack => "packs",
            OrderKind::Single => "single tickets",
        }
    }
    /// French noun, plural.
    pub fn fr(self) -> &'static str {
        match self {
            OrderKind::Pack => "les packs",
            OrderKind::Single => "les billets à l'unité",
        }
    }
}

/// A draw fans register for; drawn accounts get a purchase timeslot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Draw {
    /// Id, e.g. `pack-draw`.
    pub id: String,
    /// English name.
    pub name_en: String,
    /// French name.
    pub name_fr: String,
    /// Registration opens (included).
    #[serde(deserialize_with = "instant")]
    pub registration_opens: Timestamp,
    /// Registration closes (excluded).
    #[serde(deserialize_with = "instant")]
    pub registration_closes: Timestamp,
    /// At close, this draw's registrants are carried into this one (Paris carried the pack
    /// draw's into the single-ticket draw).
    #[serde(default)]
    pub carry_over_from: Option<String>,
    /// Tickets one winner is expected to buy: winners = the phase's tickets on sale / this.
    #[serde(default = "default_tickets_per_winner")]
    pub expected_tickets_per_winner: u64,
    /// Timeslots that may start in one hour.
    #[serde(default = "default_slot_hour_capacity")]
    pub slot_hour_capacity: u32,
}

fn default_tickets_per_winner() -> u64 {
    6
}

fn default_slot_hour_capacity() -> u32 {
    1000
}

/// A sale phase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phase {
    /// Id, e.g. `pack-sale`.
    pub id: String,
    /// English name.
    pub name_en: String,
    /// French name.
    pub name_fr: String,
    /// Opens (included).
    #[serde(deserialize_with = "instant")]
    pub opens: Timestamp,
    /// Closes (excluded).
    #[serde(deserialize_with = "instant")]
    pub closes: Timestamp,
    /// Packs or single tickets.
    pub sells: OrderKind,
    /// Which Games.
    pub games: Games,
    /// Only accounts drawn in this draw may buy.
    #[serde(default)]
    pub draw: Option<String>,
    /// Drawn accounts may buy only inside their own timeslot.
    #[serde(default)]
    pub timeslot_required: bool,
    /// Until this instant only Club Paris 2024 members may buy.
    #[serde(default, deserialize_with = "opt_instant")]
    pub club_priority_until: Option<Timestamp>,
    /// Sports not on sale in this phase.
    #[serde(default)]
    pub held_back_sports: Vec<String>,
    /// Sessions not on sale in this phase.
    #[serde(default)]
    pub held_back_sessions: BTreeSet<SessionCode>,
}

impl Phase {
    /// Whether the phase is open at `at` (`opens` ≤ at < `closes`).
    pub fn is_open(&self, at: Timestamp) -> bool {
        self.opens <= at && at < self.closes
    }
}

/// The whole sale configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SaleConfig {
    /// Zone in which times are shown to people ("Europe/Paris").
    pub timezone: String,
    /// The limits.
    pub limits: Limits,
    /// Draws.
    #[serde(default)]
    pub draws: Vec<Draw>,
    /// Sale phases; they may overlap (Olympic general sale and Paralympic sale do).
    pub phases: Vec<Phase>,
    /// `timezone` looked up once (the rules use it on every order).
    #[serde(skip)]
    zone: ZoneCache,
}

/// The zone of a configuration, looked up once. Not part of the configuration's value: two
/// configurations are equal whatever their caches hold.
#[derive(Debug, Clone, Default)]
struct ZoneCache(std::sync::OnceLock<TimeZone>);

impl PartialEq for ZoneCache {
    fn eq(&self, _: &ZoneCache) -> bool {
        true
    }
}

impl Eq for ZoneCache {}

impl SaleConfig {
    /// The Paris 2024 defaults.
    pub fn paris2024() -> SaleConfig {
        SaleConfig::from_toml(PARIS2024_TOML, "built-in Paris 2024")
            .expect("the built-in configuration is checked by the test suite")
    }

    /// Parses and checks a configuration; `origin` names it in errors.
    pub fn from_toml(text: &str, origin: &str) -> Result<SaleConfig> {
        let err = |message: String| Error::Config {
            origin: origin.to_string(),
            message,
        };
        let cfg: SaleConfig = toml::from_str(text).map_err(|e| err(e.to_string()))?;
        TimeZone::get(&cfg.timezone).map_err(|e| err(format!("timezone: {e}")))?;
        let l = &cfg.limits;
        if l.pack_sessions == 0 || l.pack_line_min == 0 || l.pack_line_min > l.pack_line_max {
            return Err(err(
                "limits: need pack_sessions ≥ 1 and 1 ≤ pack_line_min ≤ pack_line_max".into(),
            ));
        }
        for d in &cfg.draws {
            if d.registration_opens >= d.registration_closes {
                return Err(err(format!(
                    "draw {}: registration must open before it closes",
                    d.id
                )));
            }
            if d.expected_tickets_per_winner == 0 || d.slot_hour_capacity == 0 {
                return Err(err(format!(
                    "draw {}: expected_tickets_per_winner and slot_hour_capacity must be at least 1",
                    d.id
                )));
            }
            if let Some(from) = &d.carry_over_from {
                if from == &d.id || !cfg.draws.iter().any(|x| &x.id == from) {
                    return Err(err(format!(
                        "draw {}: carry_over_from names no other draw: {from:?}",
                        d.id
                    )));
                }
            }
        }
        for p in &cfg.phases {
            if p.opens >= p.closes {
                return Err(err(format!("phase {}: opens must be before closes", p.id)));
            }
            if let Some(d) = &p.draw {
                if !cfg.draws.iter().any(|x| &x.id == d) {
                    return Err(err(format!("phase {}: unknown draw {d:?}", p.id)));
                }
            }
            if p.timeslot_required && p.draw.is_none() {
                return Err(err(format!("phase {}: a timeslot needs a draw", p.id)));
            }
        }
        Ok(cfg)
    }

    /// The zone people read times in.
    pub fn time_zone(&self) -> TimeZone {
        // Checked in `from_toml`; the look-up in the zone database is done once.
        self.zone
            .0
            .get_or_init(|| TimeZone::get(&self.timezone).unwrap_or(TimeZone::UTC))
            .clone()
    }

    /// Phases open at an instant.
    pub fn open_phases(&self, at: Timestamp) -> impl Iterator<Item = &Phase> {
        self.phases.iter().filter(move |p| p.is_open(at))
    }

    /// A draw by id.
    pub fn draw(&self, id: &str) -> Option<&Draw> {
        self.draws.iter().find(|d| d.id == id)
    }
}

/// Accepts `2023-02-15T00:00:00[Europe/Paris]`, `2023-02-15T00:00:00+01:00[Europe/Paris]` or
/// a plain RFC 3339 instant `2023-02-15T00:00:00+01:00`.
pub fn parse_instant(s: &str) -> std::result::Result<Timestamp, String> {
    if s.contains('[') {
        s.parse::<Zoned>()
            .map(|z| z.timestamp())
            .map_err(|e| e.to_string())
    } else {
        s.parse::<Timestamp>().map_err(|e| e.to_string())
    }
}

fn instant<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Timestamp, D::Error> {
    let s = String::deserialize(d)?;
    parse_instant(&s).map_err(serde::de::Error::custom)
}

fn opt_instant<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<Timestamp>, D::Error> {
    let s = Option::<String>::deserialize(d)?;
    s.map(|s| parse_instant(&s).map_err(serde::de::Error::custom))
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paris_defaults_parse_with_winter_and_summer_offsets() {
        let c = SaleConfig::paris2024();
        let pack = c.phases.iter().find(|p| p.id == "pack-sale").unwrap();
        // 15 Feb 2023 00:00 in Paris is CET (UTC+1), so 14 Feb 23:00 UTC.
        assert_eq!(pack.opens.to_string(), "2023-02-14T23:00:00Z");
        let single = c.phases.iter().find(|p| p.id == "single-sale").unwrap();
        // 11 May 2023 is CEST (UTC+2).
        assert_eq!(single.opens.to_string(), "2023-05-10T22:00:00Z");
        assert_eq!(c.limits.olympic_per_account, 30);
        assert!(
            !c.limits.pack_different_sports,
            "the different-sports rule is off by default"
        );
    }

    #[test]
    fn bad_configs_are_refused_with_their_origin() {
        let e = SaleConfig::from_toml("timezone = \"Mars/Olympus\"\nphases=[]\n[limits]\npack_sessions=3\npack_line_min=1\npack_line_max=6\nper_session_per_account=6\nolympic_per_account=30\nparalympic_per_account=30\n", "test.toml").unwrap_err();
        assert!(
            e.to_string().contains("test.toml") && e.to_string().contains("timezone"),
            "{e}"
        );
        let e = SaleConfig::from_toml(
            &PARIS2024_TOML.replace("pack_line_max = 6", "pack_line_max = 0"),
            "x",
        )
        .unwrap_err();
        assert!(e.to_string().contains("pack_line_min"), "{e}");
        let e = SaleConfig::from_toml(
            &PARIS2024_TOML.replace("draw = \"pack-draw\"", "draw = \"nope\""),
            "x",
        )
        .unwrap_err();
        assert!(e.to_string().contains("unknown draw"), "{e}");
    }
}
