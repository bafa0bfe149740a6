//! Time is an input. Business logic takes an instant; the shells own a [`Clock`] and read it
//! at the edge. A demo or a test stands on any day of the sale with [`Clock::shifted`] or
//! [`Clock::fixed`].

use jiff::{SignedDuration, Timestamp};

/// Where "now" comes from.
#[derive(Debug, Clone)]
pub enum Clock {
    /// The system clock.
    System,
    /// Always the same instant (tests).
    Fixed(Timestamp),
    /// Starts at `base` when made and runs at normal speed (demos "on 17 Feb 2023 10:00").
    Shifted {
        /// The instant the clock showed when made.
        base: Timestamp,
        /// When it was made.
        started: std::time::Instant,
    },
}

impl Clock {
    /// A fixed clock.
    pub fn fixed(at: Timestamp) -> Clock {
        Clock::Fixed(at)
    }
    /// A clock that shows `base` now and runs from there.
    pub fn shifted(base: Timestamp) -> Clock {
        Clock::Shifted {
            base,
            started: std::time::Instant::now(),
        }
    }
    /// The current instant by this clock.
    pub fn now(&self) -> Timestamp {
        match self {
            Clock::System => Timestamp::now(),
            Clock::Fixed(t) => *t,
            Clock::Shifted { base, started } => {
                let elapsed =
                    SignedDuration::try_from(started.elapsed()).unwrap_or(SignedDuration::ZERO);
                base.saturating_add(elapsed).unwrap_or(*base)
            }
        }
    }
    /// Whether this clock is not the system clock (the UI says so on screen).
    pub fn is_simulated(&self) -> bool {
        !matches!(self, Clock::System)
    }
}
