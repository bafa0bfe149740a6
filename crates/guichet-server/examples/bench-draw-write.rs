//! Times a whole pack draw on the server's SQLite file, the write apart (BENCHMARKS.md):
//! `bench-draw-write setup FILE N` fills a file with N accounts registered for the pack draw
//! (a third Club members), committed and closed, untimed; `bench-draw-write run FILE` (on a copy
//! of it) then times the steps of `Store::run_draw`: reading the list, the draw (`run`:
//! fingerprint, ranking, slots; a tenth of N win) and the write of every registrant's result.

use std::path::Path;
use std::time::Instant;

use guichet_domain::config::parse_instant;
use guichet_domain::SaleConfig;
use guichet_draw::beacon::RECORDED_ROUND_123;
use guichet_draw::{Beacon, DrawInputs, SlotSettings, SLOT_SECONDS};
use guichet_server::store::{Durability, Store};

const SECRET: [u8; 32] = [9; 32];

fn at(s: &str) -> jiff::Timestamp {
    parse_instant(&format!("{s}[Europe/Paris]")).expect("an instant")
}

fn store(file: &Path, n: u64) -> Store {
    let mut config = SaleConfig::paris2024();
    for d in &mut config.draws {
        d.slot_hour_capacity = u32::try_from(n / 10 / 90 + 1).unwrap_or(u32::MAX);
    }
    Store::open(file, config, Durability::Full).expect("the store opens")
}

fn setup(file: &Path, n: u64) {
    let s = store(file, n);
    drop(s);
    let mut c = rusqlite::Connection::open(file).expect("open");
    let tx = c.transaction().expect("tx");
    {
        let mut acc = tx.prepare("INSERT INTO accounts(id, name, name_norm, email, country, club_number, created_at) VALUES (?1, ?1, ?1, ?1, 'FR', ?2, '2022-11-01T00:00:00Z')").expect("sql");
        let mut reg = tx.prepare("INSERT INTO draw_registrations(draw, id, account_id, club, registered_at) VALUES ('pack-draw', ?1, ?2, ?3, '2022-12-02T00:00:00Z')").expect("sql");
        let mut row = tx.prepare("INSERT INTO account_draws(account_id, draw, status) VALUES (?1, 'pack-draw', 'registered')").expect("sql");
        for id in 1..=n {
            let a = format!("A-{id:010}");
            let club = id % 3 == 0;
            acc.execute(rusqlite::params![a, club.then_some("C")])
                .expect("account");
            reg.execute(rusqlite::params![id, a, club])
                .expect("registration");
            row.execute([&a]).expect("row");
        }
    }
    tx.commit().expect("commit");
    let s = store(file, n);
    s.commit_draw(
        "pack-draw",
        &guichet_draw::commitment(&SECRET),
        RECORDED_ROUND_123.0,
        at("2023-01-15T00:00:00"),
    )
    .expect("commit");
    let t = Instant::now();
    let c = s
        .close_draw("pack-draw", at("2023-02-01T00:00:00"))
        .expect("close");
    println!(
        "set up {n} registrations; close (read + fingerprint + write) {:.2} s, fingerprint {}",
        t.elapsed().as_secs_f64(),
        c.fingerprint
    );
}

fn run(file: &Path) {
    let n: u64 = rusqlite::Connection::open(file)
        .and_then(|c| c.query_row("SELECT COUNT(*) FROM draw_registrations", [], |r| r.get(0)))
        .expect("a set-up file");
    let s = store(file, n);
    let t0 = Instant::now();
    let regs = s.draw_registrations("pack-draw").expect("the list");
    let t1 = Instant::now();
    let phase = s
        .config()
        .phases
        .iter()
        .find(|p| p.id == "pack-sale")
        .expect("pack sale");
    let club_until = phase.club_priority_until.unwrap_or(phase.opens).as_second();
    let beacon = Beacon::recorded(RECORDED_ROUND_123);
    let transcript = guichet_draw::run(&DrawInputs {
        draw: "pack-draw",
        wave: 1,
        secret: SECRET,
        commitment: guichet_draw::commitment(&SECRET),
        beacon: &beacon,
        registrations: &regs,
        inventory: n / 10 * 12,
        expected_tickets_per_winner: 12,
        skip: 0,
        slots: SlotSettings {
            hour_capacity: s.config().draws[0].slot_hour_capacity,
            slot_seconds: SLOT_SECONDS,
            club_from: phase.opens.as_second(),
            club_until,
            others_from: club_until,
            sale_closes: phase.closes.as_second(),
        },
    })
    .expect("the draw runs");
    let t2 = Instant::now();
    s.write_wave_results("pack-draw", &regs, &transcript, at("2023-02-08T10:00:00"))
        .expect("the results are written");
    let t3 = Instant::now();
    let secs = |a: Instant, b: Instant| (b - a).as_secs_f64();
    println!(
        "{n} registrations, {} winners: read the list {:.2} s, draw (fingerprint + ranking + slots) {:.2} s, SQLite write of {n} results {:.2} s, total {:.2} s",
        transcript.settings.winners,
        secs(t0, t1),
        secs(t1, t2),
        secs(t2, t3),
        secs(t0, t3)
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["setup", file, n] => setup(Path::new(file), n.parse().expect("a count")),
        ["run", file] => run(Path::new(file)),
        _ => eprintln!("usage: bench-draw-write setup FILE N | run FILE"),
    }
}
