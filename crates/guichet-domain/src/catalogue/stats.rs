//! Numbers about a catalogue, for the data README and the operators' `catalogue` command.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Catalogue;
use crate::ids::{Games, Money, PriceCategory};

/// Counts for one Games.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct GamesStats {
    /// Sessions.
    pub sessions: usize,
    /// Sessions per sport.
    pub sessions_per_sport: BTreeMap<String, usize>,
    /// Sellable seats per price category.
    pub seats_per_category: BTreeMap<PriceCategory, u64>,
    /// Sellable seats in all.
    pub seats: u64,
    /// Face value of all seats.
    pub face_value: Money,
    /// Seats at the floor price of the Games (24 € Olympic, 15 € Paralympic).
    pub seats_at_floor: u64,
    /// Seats priced at 50 € or less.
    pub seats_at_most_50: u64,
    /// Seats priced at 200 € or less.
    pub seats_at_most_200: u64,
    /// Lowest and highest price.
    pub price_range: (Money, Money),
}

/// Computes the numbers for one Games.
pub fn games_stats(cat: &Catalogue, games: Games) -> GamesStats {
    let floor = match games {
        Games::Olympic => Money::from_euros(24),
        Games::Paralympic => Money::from_euros(15),
    };
    let mut st = GamesStats {
        price_range: (Money::from_cents(i64::MAX), Money::ZERO),
        ..Default::default()
    };
    for s in cat.sessions().filter(|s| s.games == games) {
        st.sessions += 1;
        *st.sessions_per_sport.entry(s.sport.clone()).or_default() += 1;
        for o in &s.offers {
            let seats = u64::from(o.capacity);
            *st.seats_per_category.entry(o.category).or_default() += seats;
            st.seats += seats;
            // Shown, not charged: a catalogue too dear to count stays at the largest amount.
            let value = o
                .price
                .checked_times(o.capacity)
                .unwrap_or(Money::from_cents(i64::MAX));
            st.face_value = st.face_value.saturating_add(value);
            if o.price == floor {
                st.seats_at_floor += seats;
            }
            if o.price <= Money::from_euros(50) {
                st.seats_at_most_50 += seats;
            }
            if o.price <= Money::from_euros(200) {
                st.seats_at_most_200 += seats;
            }
            st.price_range.0 = st.price_range.0.min(o.price);
            st.price_range.1 = st.price_range.1.max(o.price);
        }
    }
    st
}
