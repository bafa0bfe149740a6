//! Retries with exponential backoff and full jitter: the n-th wait is a random time between 0
//! and `min(max, base × 2ⁿ)`, so desks that lost the server together do not all come back in
//! the same millisecond.

use std::time::Duration;

/// How the sync client pushes and retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Tries of one batch before the round gives up and reports the server offline (5).
    pub attempts: u32,
    /// First backoff ceiling (200 ms).
    pub base: Duration,
    /// Largest backoff ceiling (10 s).
    pub max: Duration,
    /// Events per push (500; the server accepts up to 5,000).
    pub batch: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 5,
            base: Duration::from_millis(200),
            max: Duration::from_secs(10),
            batch: 500,
        }
    }
}

impl RetryPolicy {
    /// The ceiling of the wait after the `failures`-th failure in a row (1-based).
    pub fn ceiling(&self, failures: u32) -> Duration {
        let factor = 1u32
            .checked_shl(failures.saturating_sub(1))
            .unwrap_or(u32::MAX);
        self.base.saturating_mul(factor).min(self.max)
    }

    /// A random wait in `[0, ceiling]` (full jitter).
    pub fn delay(&self, failures: u32) -> Duration {
        let ceiling = self.ceiling(failures);
        let ms = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(fastrand::u64(0..=ms))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ceiling_doubles_up_to_the_maximum_and_the_wait_stays_under_it() {
        let p = RetryPolicy::default();
        let ceilings: Vec<u128> = (1..=8).map(|n| p.ceiling(n).as_millis()).collect();
        assert_eq!(
            ceilings,
            [200, 400, 800, 1600, 3200, 6400, 10_000, 10_000],
            "200 ms doubled each failure, capped at 10 s"
        );
        for n in 1..=40 {
            assert!(
                p.delay(n) <= p.ceiling(n),
                "full jitter never exceeds the ceiling"
            );
        }
    }
}
