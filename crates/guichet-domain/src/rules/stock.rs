//! How many tickets are left to sell: the server's availability online, the desk's allotment
//! offline. The rules only ask.

use std::collections::{BTreeMap, HashMap};

use crate::catalogue::Catalogue;
use crate::ids::{PriceCategory, SessionCode};

/// Tickets left per session and category.
pub trait Stock {
    /// Tickets left; 0 when the pair is unknown.
    fn remaining(&self, session: &SessionCode, category: PriceCategory) -> u32;
}

impl Stock for BTreeMap<(SessionCode, PriceCategory), u32> {
    fn remaining(&self, session: &SessionCode, category: PriceCategory) -> u32 {
        self.get(&(session.clone(), category)).copied().unwrap_or(0)
    }
}

impl Stock for HashMap<(SessionCode, PriceCategory), u32> {
    fn remaining(&self, session: &SessionCode, category: PriceCategory) -> u32 {
        self.get(&(session.clone(), category)).copied().unwrap_or(0)
    }
}

/// The whole inventory of a catalogue, as before any sale.
impl Stock for Catalogue {
    fn remaining(&self, session: &SessionCode, category: PriceCategory) -> u32 {
        self.session(session)
            .and_then(|s| s.offer(category))
            .map_or(0, |o| o.capacity)
    }
}
