//! Ticket benchmarks: PDF rendering (one ticket, an 18-ticket pack, both layouts), signing, and
//! verification on one core. Numbers go in BENCHMARKS.md. Kept short: the machine is shared.

#![allow(missing_docs)] // criterion_group! makes undocumented public functions

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use guichet_tickets::demo::demo_pack;
use guichet_tickets::{
    check_ticket, render_order, DeviceKey, Gate, KeyList, Layout, RevocationList, ScanLog,
    SignedTicket,
};
use jiff::{civil::Date, tz::TimeZone, Timestamp};

fn key() -> DeviceKey {
    DeviceKey::from_seed([0x5a; 32])
}

fn issued() -> Timestamp {
    "2024-05-11T10:00:00Z".parse().unwrap()
}

fn render(c: &mut Criterion) {
    let order = demo_pack(&key(), issued());
    let faces: Vec<_> = order.iter().map(|t| t.face.clone()).collect();
    let mut g = c.benchmark_group("render");
    g.sample_size(20)
        .measurement_time(Duration::from_secs(4))
        .warm_up_time(Duration::from_secs(1));
    for layout in [Layout::A4, Layout::Thermal] {
        g.throughput(Throughput::Elements(1));
        g.bench_function(format!("{layout:?}/1 ticket"), |b| {
            b.iter(|| render_order(&faces[..1], layout, "bench").unwrap())
        });
        g.throughput(Throughput::Elements(18));
        g.bench_function(format!("{layout:?}/18-ticket order"), |b| {
            b.iter(|| render_order(&faces, layout, "bench").unwrap())
        });
    }
    g.finish();
}

fn sign_and_verify(c: &mut Criterion) {
    let k = key();
    let order = demo_pack(&k, issued());
    let texts: Vec<String> = order.iter().map(|t| t.face.qr_text.clone()).collect();
    let keys = KeyList::from_entries(&[k.public_entry("bench")]).unwrap();
    let revoked = RevocationList::from_entries(
        &(0..10_000u32)
            .map(|i| {
                let mut b = [0u8; 16];
                b[..4].copy_from_slice(&i.to_be_bytes());
                guichet_tickets::Revocation {
                    ticket_id: guichet_tickets::TicketId::from_bytes(b),
                    reason: "void".into(),
                }
            })
            .collect::<Vec<_>>(),
    );
    let day = Date::constant(2024, 8, 4);
    let mut g = c.benchmark_group("verify");
    g.sample_size(30)
        .measurement_time(Duration::from_secs(4))
        .warm_up_time(Duration::from_secs(1));
    g.throughput(Throughput::Elements(1));
    g.bench_function("sign one ticket", |b| {
        b.iter(|| SignedTicket::sign(order[0].signed.claims.clone(), &k).unwrap())
    });
    g.bench_function(
        "check_ticket (parse + Ed25519 + revocation list of 10k + day)",
        |b| b.iter(|| check_ticket(&texts[0], &keys, &revoked, day)),
    );
    // After the first iteration every scan is ALREADY SCANNED: the full path (parse, key,
    // signature, revocation, day in the zone, log lookup) without the disk write.
    let mut gate = Gate {
        keys: keys.clone(),
        revoked: revoked.clone(),
        scan_log: ScanLog::in_memory(),
        zone: TimeZone::get("Europe/Paris").unwrap(),
        label: "bench".into(),
    };
    let at: Timestamp = "2024-08-04T18:00:00Z".parse().unwrap();
    g.bench_function("Gate::scan (in-memory scan log)", |b| {
        b.iter(|| gate.scan(&texts[0], at).unwrap())
    });
    g.finish();
}

criterion_group!(benches, render, sign_and_verify);
criterion_main!(benches);
