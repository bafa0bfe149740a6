//! Times ranking and slots for N registrations (numbers in BENCHMARKS.md):
//! `cargo run --release -p guichet-draw --example bench-draw -- 10000000 [fingerprint [list-only] | hash]`.
//! A tenth of the registrations win; a third are Club members; the hour capacity is set so the
//! pack sale's hours hold them.

use std::time::Instant;

use guichet_draw::transcript::draw_wave;
use guichet_draw::{Entry, Registration, SlotSettings, SLOT_SECONDS};

fn main() {
    let mut args = std::env::args().skip(1);
    let n: u64 = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000_000);
    let mode = args.next().unwrap_or_else(|| "rank".into());
    if mode == "fingerprint" {
        let regs: Vec<Registration> = (1..=n)
            .map(|id| Registration {
                id,
                account: format!("A-{id:010}"),
                club: id % 3 == 0,
            })
            .collect();
        if args.next().as_deref() == Some("list-only") {
            // The list alone, to tell its memory from the fingerprint's.
            println!("{} registrations built", regs.len());
            return;
        }
        let t = Instant::now();
        let fp = guichet_draw::fingerprint(&regs).unwrap_or_default();
        println!(
            "fingerprint of {n} registrations: {:.3} s ({})",
            t.elapsed().as_secs_f64(),
            guichet_draw::hex::encode(&fp)
        );
        return;
    }
    if mode == "hash" {
        // The floor: one rank per registration on every core, nothing kept.
        use rayon::prelude::*;
        let r = guichet_draw::Ranker::new(&[7u8; 32], "pack-draw");
        let t = Instant::now();
        let x = (1..=n)
            .into_par_iter()
            .map(|id| r.rank_hi_lo(id).0)
            .reduce(|| 0, |a, b| a ^ b);
        println!(
            "ranks of {n} registrations: {:.3} s ({x:x})",
            t.elapsed().as_secs_f64()
        );
        return;
    }
    let entries: Vec<Entry> = (1..=n)
        .map(|id| Entry {
            id,
            club: id % 3 == 0,
        })
        .collect();
    let winners = n / 10;
    let capacity = u32::try_from(winners / 90 + 1).unwrap_or(u32::MAX);
    let slots = SlotSettings {
        hour_capacity: capacity,
        slot_seconds: SLOT_SECONDS,
        club_from: 1_676_415_600,
        club_until: 1_676_761_200,
        others_from: 1_676_761_200,
        sale_closes: 1_678_921_200,
    };
    let seed = [7u8; 32];
    let t = Instant::now();
    match draw_wave(&entries, &seed, "pack-draw", 0, winners, &slots) {
        Ok((top, starts)) => println!(
            "ranking + slots of {n} registrations, {} winners, {capacity} slots an hour: {:.3} s (threads {}; last start {})",
            top.len(),
            t.elapsed().as_secs_f64(),
            rayon::current_num_threads(),
            starts.last().copied().unwrap_or(0)
        ),
        Err(e) => eprintln!("{e}"),
    }
}
