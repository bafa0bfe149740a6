//! Inputs shared by the draw tests: made-up registrations, test secrets (never a real one), the
//! recorded beacon rounds and the pack sale's slot settings.
#![allow(dead_code)]

use guichet_draw::beacon::{RECORDED_ROUND_123, RECORDED_ROUND_657413};
use guichet_draw::{Beacon, DrawInputs, Registration, SlotSettings, SLOT_SECONDS};
use sha2::{Digest, Sha256};

/// Pack sale: 15 Feb 2023 00:00, Club until 19 Feb 00:00, closes 16 Mar 00:00 (Paris).
pub const PACK_OPENS: i64 = 1_676_415_600;
pub const CLUB_UNTIL: i64 = 1_676_761_200;
pub const PACK_CLOSES: i64 = 1_678_921_200;

pub fn pack_slots(hour_capacity: u32) -> SlotSettings {
    SlotSettings {
        hour_capacity,
        slot_seconds: SLOT_SECONDS,
        club_from: PACK_OPENS,
        club_until: CLUB_UNTIL,
        others_from: CLUB_UNTIL,
        sale_closes: PACK_CLOSES,
    }
}

/// A test secret derived from a label (tests only: a real secret comes from the OS).
pub fn secret(label: &str) -> [u8; 32] {
    Sha256::digest(label.as_bytes()).into()
}

pub fn beacon() -> Beacon {
    Beacon::recorded(RECORDED_ROUND_123)
}

pub fn other_beacon() -> Beacon {
    Beacon::recorded(RECORDED_ROUND_657413)
}

/// `n` registrations, ids 1..=n, every third a Club member.
pub fn registrations(n: u64) -> Vec<Registration> {
    (1..=n)
        .map(|id| Registration {
            id,
            account: format!("ACC-{id:06}"),
            club: id % 3 == 0,
        })
        .collect()
}

pub fn inputs<'a>(
    secret: [u8; 32],
    beacon: &'a Beacon,
    regs: &'a [Registration],
    inventory: u64,
    skip: u64,
    slots: SlotSettings,
) -> DrawInputs<'a> {
    DrawInputs {
        draw: "pack-draw",
        wave: if skip == 0 { 1 } else { 2 },
        secret,
        commitment: guichet_draw::commitment(&secret),
        beacon,
        registrations: regs,
        inventory,
        expected_tickets_per_winner: 3,
        skip,
        slots,
    }
}
