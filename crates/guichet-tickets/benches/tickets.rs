//! Ticket benchmarks: PDF rendering (one ticket, an 18-ticket pack, both layouts), signing, and
//! verification on one core. Numbers go in BENCHMARKS.md. Kept short: the machine is shared.
//!
//! Measured in CPU time of the benchmark thread by default, because the build machines are
//! shared (load 6–8 on 2 cores) and wall-clock time there mostly measures the neighbours.
//! `GUICHET_BENCH_WALL=1` measures wall-clock time instead.

#![allow(missing_docs)] // criterion_group! makes undocumented public functions

use std::time::Duration;

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{criterion_group, Criterion, Throughput};
use guichet_tickets::demo::{demo_pack, world_pack, WORLD_HOLDERS};
use guichet_tickets::{
    check_ticket, fonts_cover, render_order, DeviceKey, Gate, KeyList, Layout, RevocationList,
    ScanLog, SignedTicket, FONT_PACKAGES,
};
use jiff::{civil::Date, tz::TimeZone, Timestamp};

/// CPU time of the calling thread (`CLOCK_THREAD_CPUTIME_ID`).
struct ThreadCpu;

impl Measurement for ThreadCpu {
    type Intermediate = cpu_time::ThreadTime;
    type Value = Duration;
    fn start(&self) -> Self::Intermediate {
        cpu_time::ThreadTime::now()
    }
    fn end(&self, i: Self::Intermediate) -> Duration {
        i.elapsed()
    }
    fn add(&self, a: &Duration, b: &Duration) -> Duration {
        *a + *b
    }
    fn zero(&self) -> Duration {
        Duration::ZERO
    }
    fn to_f64(&self, v: &Duration) -> f64 {
        v.as_nanos() as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        &CpuFormatter
    }
}

/// Nanoseconds shown as ns/µs/ms of CPU, throughput as elements per CPU-second.
struct CpuFormatter;

impl ValueFormatter for CpuFormatter {
    fn scale_values(&self, typical: f64, values: &mut [f64]) -> &'static str {
        let (div, unit) = if typical < 1e3 {
            (1.0, "ns cpu")
        } else if typical < 1e6 {
            (1e3, "µs cpu")
        } else {
            (1e6, "ms cpu")
        };
        values.iter_mut().for_each(|v| *v /= div);
        unit
    }
    fn scale_throughputs(&self, _typical: f64, t: &Throughput, values: &mut [f64]) -> &'static str {
        let n = match t {
            Throughput::Elements(n) | Throughput::Bytes(n) | Throughput::BytesDecimal(n) => *n,
        } as f64;
        values.iter_mut().for_each(|v| *v = n * 1e9 / *v);
        "elem/cpu-s"
    }
    fn scale_for_machines(&self, _values: &mut [f64]) -> &'static str {
        "ns cpu"
    }
}

fn key() -> DeviceKey {
    DeviceKey::from_seed([0x5a; 32])
}

fn issued() -> Timestamp {
    "2024-05-11T10:00:00Z".parse().unwrap()
}

fn render<M: Measurement>(c: &mut Criterion<M>) {
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
    // The same pack held by names in every script: font fallback to five Noto faces a
    // weight, shaping, bidi, and a subset of each face (one of them a CJK CFF) a document.
    // The faces are read from disk once per process, before the measurement.
    assert!(
        fonts_cover(&WORLD_HOLDERS.concat()),
        "the world-names bench needs the Noto fonts: apt-get install {FONT_PACKAGES}"
    );
    let world: Vec<_> = world_pack(&key(), issued())
        .into_iter()
        .map(|t| t.face)
        .collect();
    for layout in [Layout::A4, Layout::Thermal] {
        let size = render_order(&world, layout, "bench").unwrap().len();
        eprintln!("world names, {layout:?}, 18 tickets: {size} bytes");
        g.throughput(Throughput::Elements(18));
        g.bench_function(format!("{layout:?}/18-ticket order, world names"), |b| {
            b.iter(|| render_order(&world, layout, "bench").unwrap())
        });
    }
    g.finish();
}

fn sign_and_verify<M: Measurement>(c: &mut Criterion<M>) {
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

fn cpu() -> Criterion<ThreadCpu> {
    Criterion::default().with_measurement(ThreadCpu)
}

criterion_group! {
    name = cpu_benches;
    config = cpu();
    targets = render, sign_and_verify
}
criterion_group! {
    name = wall_benches;
    config = Criterion::default().with_measurement(WallTime);
    targets = render, sign_and_verify
}

fn main() {
    if std::env::var_os("GUICHET_BENCH_WALL").is_some() {
        wall_benches();
    } else {
        cpu_benches();
    }
    Criterion::default().configure_from_args().final_summary();
}
