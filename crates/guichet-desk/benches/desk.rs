//! Desk benchmarks (numbers go to BENCHMARKS.md, never into tests):
//! 1. look-up p50/p95 with 1,000,000 cached accounts (by number, email, name prefix, QR);
//! 2. a complete sale of an 18-ticket pack: rules, 18 signatures, commit with fsync, PDF.
//!
//! `cargo bench -p guichet-desk --bench desk`; `BENCH_ACCOUNTS` and `BENCH_SALES` shrink it.

use std::time::{Duration, Instant};

use guichet_desk::demo::{demo_account, seed_accounts, seed_allotment};
use guichet_desk::{
    account_qr, Desk, DeskParts, DeskSettings, DeviceKey, FixedClock, Layout, OrderRequest,
    PaymentTerminalSimulator, RequestLine, Tender,
};
use guichet_domain::{Catalogue, Money, OrderKind, PriceCategory, SaleConfig, SessionCode};
use guichet_store::operators::Role;

fn paris(s: &str) -> jiff::Timestamp {
    format!("{s}[Europe/Paris]")
        .parse::<jiff::Zoned>()
        .unwrap()
        .timestamp()
}

fn env(name: &str, default: u32) -> u32 {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn pct(v: &mut [Duration], p: f64) -> f64 {
    v.sort();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i].as_secs_f64() * 1000.0
}

fn report(name: &str, v: &mut [Duration]) {
    println!(
        "{name:<28} n={:<6} p50={:.3} ms  p95={:.3} ms  max={:.3} ms",
        v.len(),
        pct(v, 0.50),
        pct(v, 0.95),
        pct(v, 1.0)
    );
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn main() {
    let accounts = env("BENCH_ACCOUNTS", 1_000_000);
    let sales = env("BENCH_SALES", 300);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench.sqlite");
    let now = paris("2023-02-20T10:00");
    let mut desk = Desk::open(
        &path,
        DeskParts {
            clock: Box::new(FixedClock::at(now)),
            signer: Box::new(DeviceKey::from_seed([3; 32])),
            terminal: Box::new(PaymentTerminalSimulator::default()),
            settings: DeskSettings::default(),
            catalogue: Catalogue::paris2024(),
            config: SaleConfig::paris2024(),
        },
    )
    .unwrap();
    desk.add_operator("S-SUP", "Bench Supervisor", Role::Supervisor, "9876")
        .unwrap();
    desk.sign_in("S-SUP", "9876").unwrap();
    let t = Instant::now();
    seed_accounts(&mut desk, 1, accounts, paris("2023-02-19T10:00"), now).unwrap();
    println!(
        "seeded {accounts} accounts in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    seed_allotment(&mut desk, &["FBL01", "RU701", "HBL01"], 1_000_000).unwrap();
    // Opening an existing file runs the header checks and PRAGMA quick_check.
    let t = Instant::now();
    drop(guichet_store::Store::open(&path).unwrap());
    println!(
        "reopen (checks + quick_check) of the {accounts}-account file: {:.0} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );
    desk.open_shift(Money::from_euros(100)).unwrap();

    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut by_number, mut by_email, mut by_name, mut by_qr, mut all) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for i in 0..4000u32 {
        let n = 1 + (rng.next() % u64::from(accounts)) as u32;
        let a = demo_account(n);
        let (query, bucket) = match i % 4 {
            0 => (a.id.to_string(), &mut by_number),
            1 => (a.email.to_uppercase(), &mut by_email),
            2 => {
                let full = format!("{} {}", a.given_name, a.family_name);
                let len = 3 + (rng.next() % 8) as usize;
                (
                    full.chars().take(len).collect::<String>().to_lowercase(),
                    &mut by_name,
                )
            }
            _ => (account_qr(&a.id), &mut by_qr),
        };
        let t = Instant::now();
        let (_, found) = desk.look_up(&query).unwrap();
        let d = t.elapsed();
        assert!(!found.is_empty(), "{query:?} must find account {n}");
        bucket.push(d);
        all.push(d);
    }
    report("look-up by number", &mut by_number);
    report("look-up by email", &mut by_email);
    report("look-up by name prefix", &mut by_name);
    report("look-up by account QR", &mut by_qr);
    report("look-up, all kinds", &mut all);

    let line = |s: &str, c| RequestLine {
        session: SessionCode::parse(s).unwrap(),
        category: c,
        quantity: 6,
        holders: vec![],
    };
    let (mut sale_times, mut pdf_times, mut complete) = (Vec::new(), Vec::new(), Vec::new());
    for k in 0..sales.min(accounts) {
        let req = OrderRequest {
            account: demo_account(1 + k).id,
            kind: OrderKind::Pack,
            lines: vec![
                line("FBL01", PriceCategory::D),
                line("RU701", PriceCategory::C),
                line("HBL01", PriceCategory::B),
            ],
        };
        let t = Instant::now();
        let total = desk.quote(&req).unwrap().order.total;
        let r = desk
            .sell(
                &req,
                Tender {
                    card: total,
                    cash_tendered: Money::ZERO,
                },
            )
            .unwrap();
        let sold = t.elapsed();
        let pdf = desk.order_pdf(&r.order_id, Layout::Thermal).unwrap();
        let all = t.elapsed();
        assert_eq!(r.tickets.len(), 18);
        assert!(pdf.starts_with(b"%PDF"));
        sale_times.push(sold);
        pdf_times.push(all - sold);
        complete.push(all);
    }
    report("sale without PDF", &mut sale_times);
    report("order PDF, thermal, 18 pages", &mut pdf_times);
    report("complete sale, 18 tickets", &mut complete);
    println!("(complete = rules + 18 Ed25519 signatures + IMMEDIATE commit with fsync + PDF)");
}
