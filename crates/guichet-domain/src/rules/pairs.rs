//! Accessible pairs: a companion seat is sold only with a wheelchair place of the same session,
//! in this order or already held by the account, and at most one per wheelchair place.

use std::collections::BTreeMap;

use serde_json::json;

use super::words::{n_en, n_fr};
use super::{AccountStanding, Code, DraftOrder, HeldPairs, Violation};
use crate::ids::SessionCode;

/// Every session of the draft that adds companion seats beyond the wheelchair places the
/// account will then hold there.
pub(super) fn pairing(draft: &DraftOrder, account: &AccountStanding) -> Vec<Violation> {
    let mut adding: BTreeMap<&SessionCode, HeldPairs> = BTreeMap::new();
    for l in draft.lines.iter().filter(|l| l.category.is_accessible()) {
        adding
            .entry(&l.session)
            .or_default()
            .add(l.category, l.quantity);
    }
    let mut out = Vec::new();
    for (code, add) in adding.iter().filter(|(_, a)| a.companion > 0) {
        let held = account.pairs_for(code);
        let wheelchair = u64::from(held.wheelchair) + u64::from(add.wheelchair);
        let companion = u64::from(held.companion) + u64::from(add.companion);
        if companion <= wheelchair {
            continue;
        }
        // Taking this order's companions off always settles it; never ask for more than that.
        let remove = (companion - wheelchair).min(u64::from(add.companion));
        let details = json!({
            "session": code,
            "wheelchair_held": held.wheelchair,
            "companion_held": held.companion,
            "wheelchair_adding": add.wheelchair,
            "companion_adding": add.companion,
            "remove": remove,
        });
        let (cmp_en, cmp_fr) = (
            n_en(add.companion, "companion seat"),
            companion_fr(u64::from(add.companion)),
        );
        let (held_en, held_fr) = if held.wheelchair > 0 || held.companion > 0 {
            (
                format!(
                    " (the account already holds {} and {} there)",
                    n_en(held.wheelchair, "wheelchair place"),
                    n_en(held.companion, "companion seat")
                ),
                format!(
                    " (le compte y détient déjà {} et {})",
                    wheelchair_fr(u64::from(held.wheelchair)),
                    companion_fr(u64::from(held.companion))
                ),
            )
        } else {
            (String::new(), String::new())
        };
        if wheelchair == 0 {
            out.push(Violation::new(
                Code::CompanionWithoutWheelchair,
                format!("a companion seat goes with a wheelchair place: this order has {cmp_en} and no wheelchair place at {code}, and the account holds none there — add a wheelchair place or remove the companion seats"),
                format!("une place accompagnateur va avec une place fauteuil roulant : cette commande compte {cmp_fr} et aucune place fauteuil roulant à {code}, et le compte n'en détient pas pour cette séance — ajoutez une place fauteuil roulant ou retirez les places accompagnateur"),
                details,
            ));
        } else {
            out.push(Violation::new(
                Code::CompanionsOverWheelchair,
                format!("a companion seat goes with a wheelchair place, one per place: this order has {cmp_en} for {} at {code}{held_en} — remove {} or add a wheelchair place", n_en(wheelchair, "wheelchair place"), n_en(remove, "companion seat")),
                format!("une place accompagnateur va avec une place fauteuil roulant, une par place : cette commande compte {cmp_fr} pour {} à {code}{held_fr} — retirez {} ou ajoutez une place fauteuil roulant", wheelchair_fr(wheelchair), companion_fr(remove)),
                details,
            ));
        }
    }
    out
}

fn companion_fr(n: u64) -> String {
    format!("{} accompagnateur", n_fr(n, "place"))
}

fn wheelchair_fr(n: u64) -> String {
    format!("{} fauteuil roulant", n_fr(n, "place"))
}
