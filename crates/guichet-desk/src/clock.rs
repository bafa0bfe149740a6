//! Time is an input: use cases ask a [`Clock`], so a test or a demo can stand on
//! 16 Feb 2023 10:00 Paris time.

use std::sync::Mutex;

use jiff::{SignedDuration, Timestamp};

/// Where use cases get "now".
pub trait Clock: Send {
    /// The current instant.
    fn now(&self) -> Timestamp;
}

/// The machine's clock, for the real desk.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// A clock that says what it is told; tests move it forward by hand.
#[derive(Debug)]
pub struct FixedClock(Mutex<Timestamp>);

impl FixedClock {
    /// A clock stopped at `at`.
    pub fn at(at: Timestamp) -> Self {
        FixedClock(Mutex::new(at))
    }
    /// Moves the clock.
    pub fn advance(&self, by: SignedDuration) {
        let mut t = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *t = t.checked_add(by).unwrap_or(*t);
    }
}

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl<C: Clock + Sync> Clock for std::sync::Arc<C> {
    fn now(&self) -> Timestamp {
        (**self).now()
    }
}

/// The domain's clock (system, fixed or shifted for demos) drives a desk too, so the app
/// shell passes the one clock it shows on screen.
impl Clock for guichet_domain::Clock {
    fn now(&self) -> Timestamp {
        guichet_domain::Clock::now(self)
    }
}
