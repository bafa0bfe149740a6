//! Load generator for the central server. Starts its own server on 127.0.0.1 (a temporary
//! SQLite file, the Paris 2024 catalogue, a clock inside the pack sale), drives it over HTTP
//! with N concurrent clients for a fixed time (or a fixed number of orders), then stops by
//! itself and prints: online pack orders per second, p50/p99 latency, oversold seats, the CPU
//! the server and the clients each used per order; and the time to push and ack 10,000
//! offline events.
//!
//! The server and the clients run on two separate tokio runtimes (threads named `srv` and
//! `cli`) in one process, on the same cores: the CPU split is read per thread from
//! `/proc/self/task`.
//!
//! `cargo run --release -p guichet-server --bin guichet-load -- [--clients 64] [--seconds 10]
//!  [--orders N] [--durability full|normal] [--accounts ahead|inline] [--skip-push]
//!  [--server-bin /usr/bin/guichet-server]`
//!
//! `--server-bin` serves the same prepared file with that binary (`serve --now`, its own
//! process, e.g. the installed package's) instead of in this process; the server's CPU is then
//! read from that process's `/proc/<pid>/stat`.
//!
//! `--replicas N` starts N such processes on the one prepared database, and `--server URL`
//! (repeated) drives servers already running on `--db` instead of starting any; either way the
//! clients take the servers in turn (client c talks to server c mod N), and the oversold seats
//! are read over HTTP. `--hot SESSION` makes that session the first line of every pack (its four
//! categories in turn): one hot session instead of all sessions spread.
//!
//! `--accounts ahead` (the default) creates the drawn Club accounts before the clock starts,
//! as they would be at a real pack sale; `inline` creates each client's next account during
//! the run (one account and one draw write per 10 orders, as the first version did).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use guichet_domain::rules::{DrawEntry, DrawStatus, Timeslot};
use guichet_domain::{AccountId, Catalogue, Clock, SaleConfig};
use guichet_server::api::{app, AppState};
use guichet_server::store::{Durability, Store};
use guichet_wire::accounts::NewAccount;
use jiff::Timestamp;
use serde_json::json;

const CATS: [&str; 4] = ["A", "B", "C", "D"];

/// Packs an account buys: 10 packs of 3 tickets fill its 30.
const PACKS_PER_ACCOUNT: usize = 10;
/// With a hot session in every pack, 6 packs: the cap of 6 tickets a session.
const HOT_PACKS_PER_ACCOUNT: usize = 6;

/// Sessions the packs cycle through: every Olympic session on sale in the pack phase, so that
/// a run measures selling rather than selling out.
fn pack_sessions(cat: &Catalogue) -> Vec<String> {
    let held = ["CER-OPENING", "CER-CLOSING", "ATH07"];
    cat.sessions()
        .filter(|s| s.games == guichet_domain::Games::Olympic && s.sport != "Surfing")
        // Every one of A–D on offer (sessions also offer the paired WCH and CMP places since
        // issue #12, which the load does not buy: `offers.len() == 4` then kept none).
        .filter(|s| {
            use guichet_domain::PriceCategory as P;
            !held.contains(&s.code.as_str())
                && [P::A, P::B, P::C, P::D]
                    .iter()
                    .all(|c| s.offers.iter().any(|o| o.category == *c))
        })
        .map(|s| s.code.to_string())
        .collect()
}

/// Load generator for the central server: starts its own server on 127.0.0.1 (a temporary
/// SQLite file, the Paris 2024 catalogue, a clock inside the pack sale), drives it with
/// concurrent clients, then prints throughput, p50/p99 latency, oversold seats, CPU per order
/// and the time to push 10,000 offline events.
#[derive(Debug, clap::Parser)]
#[command(name = "guichet-load")]
struct Args {
    /// Concurrent clients.
    #[arg(long, default_value_t = 64)]
    clients: usize,
    /// How long the clients sell, in seconds (unless --orders is given).
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Stop after this many orders instead of after --seconds.
    #[arg(long)]
    orders: Option<usize>,
    /// SQLite durability of the measured store.
    #[arg(long, value_enum, default_value = "full")]
    durability: DurabilityArg,
    /// Create the drawn accounts before the clock starts (`ahead`) or during the run.
    #[arg(long, value_enum, default_value = "ahead")]
    accounts: AccountsArg,
    /// Skip the 10,000 offline events pushed after the online run.
    #[arg(long)]
    skip_push: bool,
    /// Serve with this `guichet-server` binary in a process of its own (e.g. the installed
    /// `/usr/bin/guichet-server`) instead of in this process.
    #[arg(long)]
    server_bin: Option<std::path::PathBuf>,
    /// Server processes started with --server-bin on the one database; the clients take them
    /// in turn.
    #[arg(long, default_value_t = 1)]
    replicas: usize,
    /// Drive this running server (repeat for several, taken in turn) instead of starting one;
    /// it must serve --db, which this prepares.
    #[arg(long = "server")]
    servers: Vec<String>,
    /// The measured store: a SQLite file (default: a temporary one), or an empty PostgreSQL
    /// database `postgres://…` (served by --server-bin replicas, or by the --server servers).
    /// It is prepared here (catalogue, drawn accounts), so give a new one, or the one the
    /// --server servers were started on.
    #[arg(long)]
    db: Option<std::path::PathBuf>,
    /// Every pack's first line is this session (its four categories in turn): one hot
    /// session instead of all sessions spread.
    #[arg(long)]
    hot: Option<String>,
}

/// The server process started with `--server-bin`; killed when dropped.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `bin serve` on the prepared file and a free port; returns it and its base URL once
/// it accepts connections.
fn serve_with(
    bin: &std::path::Path,
    db: &std::path::Path,
    scratch: &std::path::Path,
) -> Result<(Child, String), Box<dyn std::error::Error>> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let child = Child(
        std::process::Command::new(bin)
            .arg("serve")
            .arg("--db")
            .arg(db)
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .args(["--now", "2023-02-17T12:00:00[Europe/Paris]"])
            // PostgreSQL replicas share their account-card key; kept out of the working directory.
            .env("GUICHET_SERVER_CARD_KEY_DIR", scratch.join("card-key"))
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .spawn()?,
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            return Err(format!("{} did not listen on {port} within 60 s", bin.display()).into());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok((child, format!("http://127.0.0.1:{port}")))
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum DurabilityArg {
    /// `synchronous = FULL`.
    Full,
    /// `synchronous = NORMAL`.
    Normal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum AccountsArg {
    /// Before the clock starts, as at a real pack sale.
    Ahead,
    /// One account and one draw write per 10 orders, during the run.
    Inline,
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i] as f64 / 1000.0
}

/// CPU seconds used so far by this process's live threads, summed by thread name prefix
/// (`srv`, `cli`, anything else), and by the whole process (dead threads included).
#[derive(Debug, Default, Clone, Copy)]
struct Cpu {
    server: f64,
    client: f64,
    other: f64,
    process: f64,
}

fn ticks(stat: &str) -> Option<(String, f64)> {
    // pid (comm) state ... utime stime: fields 14 and 15, counted after the ')'.
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let comm = stat.get(open + 1..close)?.to_string();
    let rest: Vec<&str> = stat.get(close + 2..)?.split_whitespace().collect();
    let u: f64 = rest.get(11)?.parse().ok()?;
    let s: f64 = rest.get(12)?.parse().ok()?;
    // USER_HZ is 100 on Linux.
    Some((comm, (u + s) / 100.0))
}

fn cpu(server_pids: &[u32]) -> Cpu {
    let mut out = Cpu::default();
    for pid in server_pids {
        if let Some((_, secs)) = std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .ok()
            .and_then(|s| ticks(&s))
        {
            out.server += secs;
        }
    }
    if let Ok(dir) = std::fs::read_dir("/proc/self/task") {
        for t in dir.flatten() {
            let Ok(stat) = std::fs::read_to_string(t.path().join("stat")) else {
                continue;
            };
            let Some((comm, secs)) = ticks(&stat) else {
                continue;
            };
            if comm.starts_with("srv") {
                out.server += secs;
            } else if comm.starts_with("cli") {
                out.client += secs;
            } else {
                out.other += secs;
            }
        }
    }
    if let Some((_, secs)) = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| ticks(&s))
    {
        out.process = secs;
    }
    out
}

/// Seats sold or lent past capacity, over every session, as the server's availability says.
async fn oversold_over_http(
    http: &reqwest::Client,
    base: &str,
    token: &str,
) -> Result<u64, Box<dyn std::error::Error>> {
    let v: serde_json::Value = http
        .get(format!("{base}/v1/availability"))
        .bearer_auth(token)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let rows = v.as_array().ok_or("availability: not a list")?;
    let n = |r: &serde_json::Value, k: &str| r[k].as_u64().unwrap_or(0);
    Ok(rows
        .iter()
        .map(|r| (n(r, "sold") + n(r, "lent")).saturating_sub(n(r, "capacity")))
        .sum())
}

/// Prepares an empty PostgreSQL database: the catalogue, the drawn Club accounts `ids` (their
/// timeslot open at `now`), an enrolment code (returned).
fn prepare_postgres(
    url: &str,
    scratch: &std::path::Path,
    ids: Vec<String>,
    now: Timestamp,
) -> Result<String, Box<dyn std::error::Error>> {
    use guichet_server::store_pg::PgStore;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let mut pg =
            PgStore::connect(url, SaleConfig::paris2024(), 16, scratch.join("card-key")).await?;
        if pg.catalogue().sessions().next().is_none() {
            pg.import_catalogue(&Catalogue::paris2024()).await?;
        }
        let pg = Arc::new(pg);
        let mut tasks = Vec::new();
        for chunk in ids.chunks(ids.len().div_ceil(16).max(1)) {
            let (pg, chunk) = (Arc::clone(&pg), chunk.to_vec());
            tasks.push(tokio::spawn(async move {
                for id in chunk {
                    let new = NewAccount {
                        id: Some(id.clone()),
                        name: format!("Fan {id}"),
                        email: format!("{id}@example.org"),
                        country: "FR".into(),
                        club_number: Some("C1".into()),
                        language: None,
                    };
                    pg.create_account(&new, None, now).await?;
                }
                Ok::<_, guichet_server::store::StoreError>(())
            }));
        }
        for t in tasks {
            t.await??;
        }
        // The draw entries in one statement, as `create_drawn` writes them on SQLite.
        let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
        tokio::spawn(conn);
        let start = (now - jiff::SignedDuration::from_hours(1)).to_string();
        let end = (now + jiff::SignedDuration::from_hours(47)).to_string();
        client
            .execute(
                "INSERT INTO account_draws(account_id, draw, status, slot_start, slot_end)
                 SELECT id, 'pack-draw', 'drawn', $2, $3 FROM unnest($1::TEXT[]) AS id",
                &[&ids, &start, &end],
            )
            .await?;
        let code = pg.new_enrolment_code("box-office", now).await?;
        pg.retire().await?;
        Ok(code)
    })
}

fn account_id(client: usize, n: usize, per: usize) -> String {
    format!("LOAD-{client:03}-{:06}", n / per)
}

/// The SQLite store of the in-process server (`AppState::new` always keeps it).
fn in_sqlite(state: &AppState) -> &guichet_server::store::Store {
    state
        .store
        .as_deref()
        .expect("the load's in-process server runs on SQLite")
}

fn create_drawn(store: &Store, id: &str, now: Timestamp) {
    let new = NewAccount {
        id: Some(id.to_string()),
        name: format!("Fan {id}"),
        email: format!("{id}@example.org"),
        country: "FR".into(),
        club_number: Some("C1".into()),
        language: None,
    };
    store.create_account(&new, None, now).unwrap();
    let slot = Timeslot {
        start: now - jiff::SignedDuration::from_hours(1),
        end: now + jiff::SignedDuration::from_hours(47),
    };
    store
        .set_draw(
            &AccountId::parse(id).unwrap(),
            "pack-draw",
            DrawEntry {
                status: DrawStatus::Drawn,
                timeslot: Some(slot),
            },
        )
        .unwrap();
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // `--help` prints the usage and exits 0 here, before anything is made; a wrong flag is
    // said on stderr with exit 2.
    let args = <Args as clap::Parser>::parse();
    let (clients, seconds, orders, skip_push) =
        (args.clients, args.seconds, args.orders, args.skip_push);
    let durability = match args.durability {
        DurabilityArg::Full => Durability::Full,
        DurabilityArg::Normal => Durability::Normal,
    };
    let ahead = args.accounts == AccountsArg::Ahead;
    if args.replicas == 0 {
        return Err("--replicas: at least 1 server".into());
    }
    if args.replicas > 1 && args.server_bin.is_none() {
        return Err("--replicas N starts N server processes: give --server-bin too".into());
    }
    if !args.servers.is_empty() && (args.server_bin.is_some() || args.db.is_none()) {
        return Err(
            "--server drives running servers: give the --db they serve, and no --server-bin".into(),
        );
    }
    let packs = if args.hot.is_some() {
        HOT_PACKS_PER_ACCOUNT
    } else {
        PACKS_PER_ACCOUNT
    };
    let dir = tempfile::tempdir()?;
    let path = match &args.db {
        Some(p) => p.clone(),
        None => dir.path().join("load.sqlite"),
    };
    let now = guichet_domain::config::parse_instant("2023-02-17T12:00:00[Europe/Paris]")?;

    // Accounts made ahead: enough for 10,000 orders/s (or for --orders), written with
    // synchronous = NORMAL before the store is opened again at the durability measured.
    let per_client = match orders {
        Some(n) => n.div_ceil(clients.max(1)),
        None => (10_000usize.saturating_mul(usize::try_from(seconds).unwrap_or(usize::MAX)))
            .div_ceil(clients.max(1)),
    };
    let mut ready_accounts = 0usize;
    let postgres = path
        .to_str()
        .filter(|d| guichet_server::store_pg::is_url(d))
        .map(str::to_string);
    let mut pg_code = None;
    if let Some(url) = &postgres {
        if args.server_bin.is_none() && args.servers.is_empty() {
            return Err(
                "--db postgres://… is served by server processes: give --server-bin (or --server)"
                    .into(),
            );
        }
        if !ahead || !skip_push {
            return Err("--db postgres://…: only --accounts ahead and --skip-push".into());
        }
        let ids: Vec<String> = (0..clients)
            .flat_map(|c| {
                (0..per_client.div_ceil(packs)).map(move |a| account_id(c, a * packs, packs))
            })
            .collect();
        ready_accounts = ids.len();
        pg_code = Some(prepare_postgres(url, dir.path(), ids, now)?);
    }
    // The SQLite store: measured, or (PostgreSQL) only this process's catalogue.
    let path = if postgres.is_some() {
        dir.path().join("catalogue.sqlite")
    } else {
        path
    };
    {
        let mut store = Store::open(&path, SaleConfig::paris2024(), Durability::Normal)?;
        store.import_catalogue(&Catalogue::paris2024())?;
        if ahead && postgres.is_none() {
            for c in 0..clients {
                for a in 0..per_client.div_ceil(packs) {
                    create_drawn(&store, &account_id(c, a * packs, packs), now);
                    ready_accounts += 1;
                }
            }
        }
    }
    let store = Store::open(&path, SaleConfig::paris2024(), durability)?;
    let code = match pg_code {
        Some(code) => code,
        None => store.new_enrolment_code("box-office", now)?,
    };
    let db_arg: std::path::PathBuf = postgres.clone().map_or(path.clone(), Into::into);
    let state = AppState::new(store, Clock::fixed(now));
    let srv = tokio::runtime::Builder::new_multi_thread()
        .thread_name("srv")
        .enable_all()
        .build()?;
    let cli = tokio::runtime::Builder::new_multi_thread()
        .thread_name("cli")
        .enable_all()
        .build()?;
    let (external, bases, server) = match &args.server_bin {
        _ if !args.servers.is_empty() => (Vec::new(), args.servers.clone(), None),
        Some(bin) => {
            let mut children = Vec::new();
            let mut bases = Vec::new();
            for _ in 0..args.replicas {
                let (child, base) = serve_with(bin, &db_arg, dir.path())?;
                children.push(child);
                bases.push(base);
            }
            (children, bases, None)
        }
        None => {
            let listener = srv.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
            let base = format!("http://{}", listener.local_addr()?);
            let router = app(Arc::clone(&state));
            let server = srv.spawn(async move { axum::serve(listener, router).await });
            (Vec::new(), vec![base], Some(server))
        }
    };
    let in_process = server.is_some();
    let server_pids: Vec<u32> = external.iter().map(|c| c.0.id()).collect();
    let base = bases[0].clone();
    let hot = args.hot.clone();
    cli.block_on(async move {
        let http = reqwest::Client::builder().pool_max_idle_per_host(clients).build()?;
        let enrol: serde_json::Value = http
            .post(format!("{base}/v1/devices/enrol"))
            .json(&json!({"code": code, "name": "load", "public_key_hex": "cd".repeat(32)}))
            .send()
            .await?
            .json()
            .await?;
        let token = enrol["token"].as_str().ok_or("no token")?.to_string();
        // What every order sends the same, made once: the URLs parsed, the token's header.
        let orders_urls = bases
            .iter()
            .map(|b| reqwest::Url::parse(&format!("{b}/v1/orders")))
            .collect::<Result<Vec<_>, _>>()?;
        let auth = reqwest::header::HeaderValue::from_str(&format!("Bearer {token}"))?;

        let sold = Arc::new(AtomicU64::new(0));
        let refused = Arc::new(AtomicU64::new(0));
        let made_inline = Arc::new(AtomicU64::new(0));
        // None: a --seconds too far away for the clock to say, i.e. never.
        let deadline = Instant::now().checked_add(Duration::from_secs(seconds));
        let sessions = Arc::new(pack_sessions(state.backend.catalogue()));
        if let Some(h) = &hot {
            if !sessions.contains(h) {
                return Err(format!("--hot {h}: not a session the packs may take (an Olympic session offering A–D, not a ceremony)").into());
            }
        }
        let cpu_before = cpu(&server_pids);
        let started = Instant::now();
        let mut tasks = Vec::new();
        for c in 0..clients {
            let sessions = sessions.clone();
            let (http, url, auth, state) = (http.clone(), orders_urls[c % orders_urls.len()].clone(), auth.clone(), state.clone());
            let hot = hot.clone();
            let (sold, refused, made_inline) = (sold.clone(), refused.clone(), made_inline.clone());
            tasks.push(tokio::spawn(async move {
                let mut lat = Vec::new();
                let mut n = 0usize;
                loop {
                    let more = match orders {
                        Some(total) => n < per_client && c * per_client + n < total,
                        None => deadline.is_none_or(|d| Instant::now() < d),
                    };
                    if !more {
                        break;
                    }
                    // A drawn Club member in its timeslot; 10 packs of 3 tickets fill its 30 (6 packs with a
                    // hot session: its cap of 6 a session).
                    let acc = account_id(c, n, packs);
                    if n.is_multiple_of(packs) && (!ahead || n >= per_client) {
                        let st = state.clone();
                        let id = acc.clone();
                        tokio::task::spawn_blocking(move || create_drawn(in_sqlite(&st), &id, now))
                            .await
                            .unwrap();
                        made_inline.fetch_add(1, Ordering::Relaxed);
                    }
                    // Three different sessions, a different trio and category each time. The
                    // body is written as text: codes and ids are plain ASCII, and a
                    // serde_json::Value tree per order was a good part of the clients' CPU.
                    let m = sessions.len();
                    let k = (c * 7919 + n * 31) % m;
                    let line = |j: usize| {
                        let mut s = &sessions[(k + j * (m / 3)) % m];
                        if let Some(h) = &hot {
                            // The hot session first; the others never repeat it.
                            if j == 0 {
                                s = h;
                            } else if s == h {
                                s = &sessions[(k + j * (m / 3) + 1) % m];
                            }
                        }
                        format!(
                            r#"{{"session":"{s}","category":"{}","quantity":1}}"#,
                            CATS[n % 4]
                        )
                    };
                    let body = format!(
                        r#"{{"idempotency_key":"{}","account_id":"{acc}","kind":"pack","lines":[{},{},{}]}}"#,
                        uuid::Uuid::now_v7(),
                        line(0),
                        line(1),
                        line(2)
                    );
                    let t = Instant::now();
                    let r = http
                        .post(url.clone())
                        .header(reqwest::header::AUTHORIZATION, auth.clone())
                        .header(reqwest::header::CONTENT_TYPE, "application/json")
                        .body(body)
                        .send()
                        .await;
                    // The answer is read whole, as a desk would (and so the connection is kept).
                    let r = match r {
                        Ok(r) => {
                            let status = r.status().as_u16();
                            r.bytes().await.map(|b| (status, b))
                        }
                        Err(e) => Err(e),
                    };
                    lat.push(t.elapsed().as_micros() as u64);
                    match r {
                        Ok((201, _)) => {
                            sold.fetch_add(1, Ordering::Relaxed);
                        }
                        Ok((_, body)) => {
                            if refused.fetch_add(1, Ordering::Relaxed) == 0 {
                                eprintln!("first refusal: {}", String::from_utf8_lossy(&body));
                            }
                        }
                        Err(e) => {
                            if refused.fetch_add(1, Ordering::Relaxed) == 0 {
                                eprintln!("first refusal: {e}");
                            }
                        }
                    }
                    n += 1;
                }
                lat
            }));
        }
        let mut lat = Vec::new();
        for t in tasks {
            lat.extend(t.await?);
        }
        let elapsed = started.elapsed().as_secs_f64();
        let cpu_after = cpu(&server_pids);
        lat.sort_unstable();
        let oversold: u64 = if in_process && postgres.is_none() {
            in_sqlite(&state).availability(None)?
                .iter()
                .map(|a| u64::from((a.sold + a.lent).saturating_sub(a.capacity)))
                .sum()
        } else {
            oversold_over_http(&http, &base, &token).await?
        };
        let sold = sold.load(Ordering::Relaxed);
        println!(
            "store: {}; clients: {clients}; duration: {elapsed:.1} s; servers: {}; {}",
            if postgres.is_some() { "PostgreSQL".to_string() } else { format!("SQLite, durability {durability:?}") },
            bases.len(),
            match &hot { Some(h) => format!("hot session {h}"), None => "spread over all sessions".into() }
        );
        println!(
            "accounts: {ready_accounts} made ahead, {} during the run",
            made_inline.load(Ordering::Relaxed)
        );
        println!("online pack orders: {sold} sold, {} refused", refused.load(Ordering::Relaxed));
        println!("throughput: {:.0} orders/s", sold as f64 / elapsed);
        println!("latency: p50 {:.2} ms, p99 {:.2} ms", percentile(&lat, 0.50), percentile(&lat, 0.99));
        println!("oversold seats: {oversold}");
        let per = |s: f64| s * 1e6 / (sold.max(1) as f64);
        let (sv, cl, pr) = (
            cpu_after.server - cpu_before.server,
            cpu_after.client - cpu_before.client,
            cpu_after.process - cpu_before.process,
        );
        println!(
            "cpu: server {sv:.2} s ({:.0} µs/order), clients {cl:.2} s ({:.0} µs/order), process {pr:.2} s of {:.1} s × 2 cores",
            per(sv),
            per(cl),
            elapsed
        );
        if skip_push {
            if let Some(server) = &server {
                server.abort();
            }
            return Ok(());
        }

        // 10,000 offline events: allot, then push in two batches of 5,000, acked.
        // 2,000 fans with 5 single tickets each: a busy counter's weeks offline.
        let st = state.clone();
        tokio::task::spawn_blocking(move || {
            for i in 0..2_000 {
                let id = format!("LOAD-PUSH-{i:05}");
                let new = NewAccount { id: Some(id.clone()), name: format!("Push {i}"), email: format!("{id}@example.org"), country: "FR".into(), club_number: None, language: None };
                in_sqlite(&st).create_account(&new, None, now).unwrap();
            }
        })
        .await?;
        http.post(format!("{base}/v1/allotments"))
            .bearer_auth(&token)
            .json(&json!({"session": "FBL03", "category": "C", "quantity": 10_000}))
            .send()
            .await?
            .error_for_status()?;
        let events: Vec<serde_json::Value> = (0..10_000)
            .map(|i| {
                let acc = format!("LOAD-PUSH-{:05}", i % 2_000);
                json!({"idempotency_key": uuid::Uuid::now_v7().to_string(), "kind": "sale", "created_at": "2023-02-17T11:00:00Z", "offline": true,
                       "payload": {"order_id": uuid::Uuid::now_v7().to_string(), "account_id": acc, "kind": "single", "phase": "pack-sale",
                                   "sold_at": "2023-02-17T11:00:00Z", "offline": true,
                                   "tickets": [{"id": uuid::Uuid::now_v7().to_string(), "session": "FBL03", "category": "C", "price": 3500}]}})
            })
            .collect();
        let cpu_before = cpu(&server_pids);
        let t = Instant::now();
        let mut acked = 0;
        for chunk in events.chunks(5_000) {
            let v: serde_json::Value = http
                .post(format!("{base}/v1/sync/push"))
                .bearer_auth(&token)
                .json(&json!({"events": chunk}))
                .send()
                .await?
                .error_for_status()?
                .json()
                .await?;
            acked += v["acks"].as_array().map_or(0, Vec::len);
        }
        let took = t.elapsed().as_secs_f64();
        let cpu_after = cpu(&server_pids);
        println!("push 10,000 offline events: {acked} acked in {took:.2} s");
        // Idle blocking threads may have ended since: the process total is the sure figure.
        println!(
            "push cpu: process {:.2} s (clients' live threads {:.2} s)",
            cpu_after.process - cpu_before.process,
            cpu_after.client - cpu_before.client
        );
        if let Some(server) = &server {
            server.abort();
        }
        Ok::<_, Box<dyn std::error::Error>>(())
    })?;
    srv.shutdown_timeout(Duration::from_secs(1));
    Ok(())
}
