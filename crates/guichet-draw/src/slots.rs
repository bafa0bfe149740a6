//! Timeslots (docs/draw.md §7): 48 real hours each, Club members in the priority days, everyone
//! else after, at most `hour_capacity` new slots an hour, given in draw order.

use crate::{DrawError, Entry, Result};

/// A slot lasts 48 hours of real time, whatever the clocks do.
pub const SLOT_SECONDS: i64 = 48 * 3600;

/// Where and how densely slots start (Unix seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SlotSettings {
    /// Slots that may start in one hour.
    pub hour_capacity: u32,
    /// Length of a slot (always [`SLOT_SECONDS`]; written down so a checker need not know it).
    pub slot_seconds: i64,
    /// First start of a Club member's slot (the sale's opening in a first wave).
    pub club_from: i64,
    /// Club priority ends: Club slots start before it.
    pub club_until: i64,
    /// First start of anyone else's slot (at or after `club_until`).
    pub others_from: i64,
    /// The sale closes: every slot ends at or before it.
    pub sale_closes: i64,
}

impl SlotSettings {
    /// Checks the settings' ranges.
    pub fn check(&self) -> Result<()> {
        if self.hour_capacity == 0 {
            return Err(DrawError::Settings(
                "hour_capacity must be at least 1".into(),
            ));
        }
        if self.slot_seconds != SLOT_SECONDS {
            return Err(DrawError::Settings(format!(
                "slot_seconds is {}; a slot is 48 hours ({SLOT_SECONDS} s)",
                self.slot_seconds
            )));
        }
        if self.others_from < self.club_until {
            return Err(DrawError::Settings(format!(
                "others_from ({}) is before club_until ({}): other slots start after the Club days",
                self.others_from, self.club_until
            )));
        }
        Ok(())
    }
}

struct Cursor {
    at: i64,
    given: u32,
}

impl Cursor {
    fn take(&mut self, capacity: u32) -> i64 {
        let start = self.at;
        self.given += 1;
        if self.given == capacity {
            self.at += 3600;
            self.given = 0;
        }
        start
    }
}

/// Slot starts of `winners` (in draw order), the first being at draw-order position
/// `first_position`.
pub fn assign_slots(winners: &[Entry], first_position: u64, s: &SlotSettings) -> Result<Vec<i64>> {
    s.check()?;
    let club_days = s.club_from < s.club_until;
    let mut club = Cursor {
        at: s.club_from,
        given: 0,
    };
    let mut others = Cursor {
        at: s.others_from,
        given: 0,
    };
    let mut out = Vec::with_capacity(winners.len());
    for (i, w) in winners.iter().enumerate() {
        let on_club = w.club && club_days;
        let start = if on_club {
            club.take(s.hour_capacity)
        } else {
            others.take(s.hour_capacity)
        };
        let full = |limit: i64, which: &'static str| DrawError::SlotsFull {
            position: first_position + i as u64,
            winners: winners.len() as u64,
            start,
            limit,
            which,
            hour_capacity: s.hour_capacity,
        };
        if on_club && start >= s.club_until {
            return Err(full(s.club_until, "end of the Club priority days"));
        }
        if start + s.slot_seconds > s.sale_closes {
            return Err(full(
                s.sale_closes - s.slot_seconds,
                "last start that ends by the sale's close",
            ));
        }
        out.push(start);
    }
    Ok(out)
}
