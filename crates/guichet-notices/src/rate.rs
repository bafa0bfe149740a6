//! A token bucket: at most `rate` messages a second on average, `burst` at once. The clock is
//! passed in as the time elapsed since the sender started, so a test can drive it.

use std::time::Duration;

use crate::{Error, Result};

/// The bucket.
#[derive(Debug, Clone)]
pub struct TokenBucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    last: Duration,
}

impl TokenBucket {
    /// `rate` messages per second (more than 0, at most 10,000), `burst` at once (at least 1).
    /// The bucket starts full.
    pub fn new(rate: f64, burst: u32) -> Result<TokenBucket> {
        if !(rate > 0.0 && rate <= 10_000.0) {
            return Err(Error::Rate(rate.to_string()));
        }
        let burst = f64::from(burst.max(1));
        Ok(TokenBucket {
            rate,
            burst,
            tokens: burst,
            last: Duration::ZERO,
        })
    }

    fn refill(&mut self, now: Duration) {
        if now > self.last {
            let gained = (now - self.last).as_secs_f64() * self.rate;
            self.tokens = (self.tokens + gained).min(self.burst);
            self.last = now;
        }
    }

    /// Takes a token if there is one at `now`; otherwise says how long until there is.
    pub fn take(&mut self, now: Duration) -> std::result::Result<(), Duration> {
        self.refill(now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - self.tokens) / self.rate))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Drives the bucket with a clock that jumps to the wait it is told, as the sender does.
    fn sent_within(rate: f64, burst: u32, horizon: Duration, step: Duration) -> u64 {
        let mut b = TokenBucket::new(rate, burst).unwrap();
        let (mut now, mut sent) = (Duration::ZERO, 0);
        while now <= horizon {
            match b.take(now) {
                Ok(()) => sent += 1,
                Err(wait) => now += wait.max(step),
            }
        }
        sent
    }

    #[test]
    fn over_ten_seconds_at_five_a_second_it_lets_at_most_fifty_plus_the_burst_through() {
        let n = sent_within(5.0, 1, Duration::from_secs(10), Duration::from_millis(1));
        assert!(n <= 51, "5/s for 10 s plus one at start, got {n}");
        assert!(n >= 50, "and it does not hold back either, got {n}");
    }

    #[test]
    fn a_clock_polled_very_often_gains_nothing() {
        let coarse = sent_within(20.0, 3, Duration::from_secs(5), Duration::from_millis(50));
        let fine = sent_within(20.0, 3, Duration::from_secs(5), Duration::from_micros(10));
        assert!(
            fine <= 20 * 5 + 3,
            "at most rate × time + burst, got {fine}"
        );
        assert!(
            coarse <= fine,
            "polling faster may not beat the rate: {coarse} vs {fine}"
        );
    }

    #[test]
    fn a_rate_of_zero_or_nan_is_refused_with_the_rule() {
        for r in [0.0, -1.0, f64::NAN, 1e9] {
            let e = TokenBucket::new(r, 1).unwrap_err();
            assert_eq!(e.code(), "RATE", "{r} is no rate");
            assert!(e.to_string().contains("more than 0"), "names the rule: {e}");
        }
    }
}
