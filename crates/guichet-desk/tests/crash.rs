//! Crash safety: a `guichet-desk sale-loop` child sells walk-in orders (cash, card, split) until
//! it is killed with SIGKILL at a random moment; the file is reopened and every sale must be
//! wholly present (order + 4 tickets + payments + ledger row + outbox event + allotment taken)
//! or wholly absent, and every sale the child reported as committed must be there.
//! `GUICHET_CRASH_ITERATIONS` overrides the 100 rounds; the seed is printed to replay a run.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use guichet_desk::demo::seed_allotment;
use guichet_desk::{
    Desk, DeskParts, DeskSettings, DeviceKey, FixedClock, PaymentTerminalSimulator,
};
use guichet_domain::{Catalogue, Money, SaleConfig};
use guichet_store::operators::Role;
use guichet_store::sales::{order, order_ids};
use guichet_store::Store;

const AT: &str = "2024-01-15T10:00:00+01:00[Europe/Paris]"; // general sale: walk-ins may buy
const TICKETS_PER_SALE: usize = 4; // sale-loop sells 2 × D on each of two sessions

fn setup(path: &Path) {
    let at = AT.parse::<jiff::Zoned>().unwrap().timestamp();
    let mut desk = Desk::open(
        path,
        DeskParts {
            clock: Box::new(FixedClock::at(at)),
            signer: Box::new(DeviceKey::from_seed([1; 32])),
            terminal: Box::new(PaymentTerminalSimulator::default()),
            settings: DeskSettings::default(),
            catalogue: Catalogue::paris2024(),
            config: SaleConfig::paris2024(),
        },
    )
    .unwrap();
    desk.add_operator("S-SUP", "Supervisor", Role::Supervisor, "9876")
        .unwrap();
    desk.sign_in("S-SUP", "9876").unwrap();
    desk.add_operator("S-SELL", "Seller", Role::Seller, "1234")
        .unwrap();
    seed_allotment(&mut desk, &["FBL01", "FBL02"], 1_000_000).unwrap();
    desk.open_shift(Money::from_euros(100)).unwrap();
}

fn count(store: &Store, sql: &str) -> i64 {
    store.reader().query_row(sql, [], |r| r.get(0)).unwrap()
}

/// Every sale whole or absent; returns the number of sales in the file.
fn check(path: &Path, reported: &[String], round: u32) -> usize {
    let store = Store::open(path).unwrap_or_else(|e| panic!("round {round}: reopen failed: {e}"));
    let r = store.reader();
    let ids = order_ids(r).unwrap();
    for id in &ids {
        let o = order(r, id).unwrap().unwrap();
        assert_eq!(
            o.tickets.len(),
            TICKETS_PER_SALE,
            "round {round}: order {id} has partial tickets"
        );
        assert!(
            !o.payments.is_empty(),
            "round {round}: order {id} has no payment"
        );
        let paid: Money = o.payments.iter().map(|p| p.amount).sum();
        assert_eq!(paid, o.total, "round {round}: order {id} is partly paid");
        let q =
            format!("SELECT count(*) FROM ledger WHERE action = 'sale' AND subject_id = '{id}'");
        assert_eq!(
            count(&store, &q),
            1,
            "round {round}: order {id} without its ledger row"
        );
        let q = format!("SELECT count(*) FROM outbox WHERE kind = 'sale' AND payload LIKE '%\"order_id\":\"{id}\"%'");
        assert_eq!(
            count(&store, &q),
            1,
            "round {round}: order {id} without its outbox event"
        );
    }
    let n = ids.len() as i64;
    // The other direction: no ledger row, event, ticket or payment without its order.
    assert_eq!(
        count(&store, "SELECT count(*) FROM ledger WHERE action = 'sale'"),
        n
    );
    assert_eq!(
        count(&store, "SELECT count(*) FROM outbox WHERE kind = 'sale'"),
        n
    );
    assert_eq!(
        count(&store, "SELECT count(*) FROM ticket"),
        n * TICKETS_PER_SALE as i64
    );
    assert_eq!(
        count(&store, "SELECT sum(granted - remaining) FROM allotment"),
        n * TICKETS_PER_SALE as i64,
        "round {round}: the allotment taken must equal the tickets in the file"
    );
    let walk_ins = count(&store, "SELECT count(*) FROM account WHERE origin = 'desk'");
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM outbox WHERE kind = 'account_created'"
        ),
        walk_ins
    );
    for id in reported {
        assert!(
            ids.contains(id),
            "round {round}: {id} was reported committed but is missing"
        );
    }
    ids.len()
}

/// One lane: its own file, `rounds` kills in a row. Returns (sales reported, sales in file).
fn lane(lane: u32, rounds: u32, seed: u64, dir: &Path) -> (usize, usize) {
    let mut rng = seed ^ u64::from(lane).wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let path = dir.join(format!("desk-{lane}.sqlite"));
    setup(&path);
    let bin = env!("CARGO_BIN_EXE_guichet-desk");
    let (mut total_reported, mut in_file) = (0, 0);
    for r in 0..rounds {
        let round = lane * 1000 + r;
        let mut child = Command::new(bin)
            .args([
                "--db",
                path.to_str().unwrap(),
                "--at",
                AT,
                "--as",
                "S-SELL",
                "--pin",
                "1234",
            ])
            .arg("sale-loop")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        out.read_line(&mut first).unwrap();
        if first.trim() != "ready" {
            let mut err = String::new();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            panic!("round {round}: the child did not start: {first} {err}");
        }
        // Somewhere in the middle of the loop: 0–30 ms is a few sales of a few ms each.
        std::thread::sleep(Duration::from_micros(next() % 30_000));
        child.kill().unwrap(); // SIGKILL on Unix: no destructor, no rollback, no flush
        let status = child.wait().unwrap();
        assert!(
            status.code().is_none(),
            "round {round}: the child ended by itself: {status}"
        );
        let mut rest = String::new();
        out.read_to_string(&mut rest).unwrap();
        let reported: Vec<String> = rest
            .lines()
            .filter_map(|l| l.strip_prefix("sold "))
            .map(str::to_string)
            .collect();
        total_reported += reported.len();
        in_file = check(&path, &reported, round);
    }
    (total_reported, in_file)
}

#[test]
fn sigkill_during_a_loop_of_sales_never_leaves_half_a_sale() {
    const LANES: u32 = 4; // four files killed in parallel: the suite stays fast on two cores
    let rounds: u32 = std::env::var("GUICHET_CRASH_ITERATIONS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100);
    let seed = RandomState::new().hash_one(std::process::id()) | 1;
    println!("crash test seed {seed:#x}");
    let dir = tempfile::tempdir().unwrap();
    let results: Vec<(usize, usize)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..LANES)
            .map(|l| {
                let n = rounds / LANES + u32::from(l < rounds % LANES);
                let dir = dir.path();
                s.spawn(move || lane(l, n, seed, dir))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let reported: usize = results.iter().map(|r| r.0).sum();
    let in_file: usize = results.iter().map(|r| r.1).sum();
    println!("{rounds} kills, {reported} sales reported, {in_file} in the files");
    assert!(in_file >= reported, "every reported sale survived");
    assert!(
        reported > 0,
        "the loop sold something, or the test proved nothing"
    );
}
