//! Winners' notices end to end: accounts and draw results in a real SQLite file or a real
//! PostgreSQL database (each test as `NAME::sqlite` and `NAME::postgres`), the real
//! `guichet-server notices` commands, and a real SMTP relay on 127.0.0.1 inside the test
//! (`smtp.rs`) that reads what arrives. The sender is killed with SIGKILL mid-batch.

mod common;
#[path = "common/smtp.rs"]
mod smtp;

use common::Kind;

use std::collections::BTreeMap;
use std::process::{Command, Output};
use std::time::Duration;

use guichet_domain::rules::{DrawEntry, DrawStatus, Timeslot};
use guichet_domain::{AccountId, SaleConfig};
use guichet_server::store::{Durability, NoticeRow, NoticeState, Store};
use guichet_wire::accounts::NewAccount;
use jiff::{SignedDuration, Timestamp};
use smtp::{Plan, Received, Relay};

const DOMAIN: &str = "guichet.invalid";

fn paris(s: &str) -> Timestamp {
    guichet_domain::config::parse_instant(&format!("{s}[Europe/Paris]")).unwrap()
}

struct Winner {
    id: String,
    country: &'static str,
    language: Option<&'static str>,
    start: Timestamp,
}

impl Winner {
    fn new(id: &str, country: &'static str, language: Option<&'static str>, start: &str) -> Winner {
        Winner {
            id: id.into(),
            country,
            language,
            start: paris(start),
        }
    }
    fn email(&self) -> String {
        format!("{}@example.org", self.id.to_lowercase())
    }
    fn end(&self) -> Timestamp {
        self.start + SignedDuration::from_hours(48)
    }
    fn message_id(&self) -> String {
        guichet_notices::message_id("pack-draw", &self.id, self.start, DOMAIN)
    }
}

struct Sale {
    dir: tempfile::TempDir,
    /// The `--db` value: the SQLite file, or the PostgreSQL URL.
    db: String,
    pg: Option<common::pg::TestDb>,
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// A database with these winners of `pack-draw`, plus one account drawn out and one only
/// registered, who must get nothing (as `set_draw` writes them on SQLite; on PostgreSQL the
/// `account_draws` rows a run writes).
fn sale(kind: Kind, winners: &[Winner]) -> Sale {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("server.sqlite");
    let (db, pg, sqlite) = match kind {
        Kind::Sqlite => (
            path.to_str().unwrap().to_string(),
            None,
            Some(Store::open(&path, SaleConfig::paris2024(), Durability::Full).unwrap()),
        ),
        Kind::Postgres => {
            let t = runtime().block_on(common::pg::TestDb::create());
            (t.url.clone(), Some(t), None)
        }
    };
    let rt = runtime();
    let pg_store = pg.as_ref().map(|t| rt.block_on(t.store()));
    let pg_client = pg.as_ref().map(|t| rt.block_on(t.client()));
    let now = paris("2023-02-01T12:00:00");
    let add = |id: &str, country: &str, language: Option<&str>, entry: DrawEntry| {
        let new = NewAccount {
            id: Some(id.into()),
            name: format!("Fan {id}"),
            email: format!("{}@example.org", id.to_lowercase()),
            country: country.into(),
            club_number: None,
            language: language.map(Into::into),
        };
        if let Some(store) = &sqlite {
            store.create_account(&new, None, now).unwrap();
            store
                .set_draw(&AccountId::parse(id).unwrap(), "pack-draw", entry)
                .unwrap();
            return;
        }
        let (store, c) = (pg_store.as_ref().unwrap(), pg_client.as_ref().unwrap());
        rt.block_on(store.create_account(&new, None, now)).unwrap();
        let status = match entry.status {
            DrawStatus::Drawn => "drawn",
            DrawStatus::NotDrawn => "not_drawn",
            DrawStatus::Registered => "registered",
        };
        let slot = entry
            .timeslot
            .map(|t| (t.start.to_string(), t.end.to_string()));
        let (start, end) = (slot.as_ref().map(|s| s.0.clone()), slot.map(|s| s.1));
        rt.block_on(c.execute(
            "INSERT INTO account_draws(account_id, draw, status, slot_start, slot_end) VALUES ($1, 'pack-draw', $2, $3, $4)",
            &[&id, &status, &start, &end],
        ))
        .unwrap();
    };
    for w in winners {
        let slot = Timeslot {
            start: w.start,
            end: w.end(),
        };
        add(
            &w.id,
            w.country,
            w.language,
            DrawEntry {
                status: DrawStatus::Drawn,
                timeslot: Some(slot),
            },
        );
    }
    add(
        "LOSER-1",
        "FR",
        None,
        DrawEntry {
            status: DrawStatus::NotDrawn,
            timeslot: None,
        },
    );
    add(
        "WAITING-1",
        "FR",
        None,
        DrawEntry {
            status: DrawStatus::Registered,
            timeslot: None,
        },
    );
    if let Some(store) = pg_store {
        rt.block_on(store.retire()).unwrap();
    }
    Sale { dir, db, pg }
}

fn bin(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_guichet-server"))
        .args(args)
        .output()
        .unwrap()
}

fn ok(out: Output, what: &str) -> String {
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{what} failed: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

fn enqueue(s: &Sale) -> String {
    ok(
        bin(&[
            "notices",
            "enqueue",
            "--db",
            s.db.as_str(),
            "--draw",
            "pack-draw",
        ]),
        "enqueue",
    )
}

fn send_args<'a>(s: &'a Sale, relay: &'a str, now: &'a str, rate: &'a str) -> Vec<&'a str> {
    vec![
        "notices",
        "send",
        "--db",
        s.db.as_str(),
        "--smtp",
        relay,
        "--now",
        now,
        "--rate",
        rate,
    ]
}

fn send(s: &Sale, relay: &Relay, now: &str) -> String {
    let addr = relay.addr.to_string();
    ok(bin(&send_args(s, &addr, now, "200")), "send")
}

/// The outbox as the store holds it.
fn notices(s: &Sale) -> Vec<NoticeRow> {
    match &s.pg {
        None => Store::open(
            std::path::Path::new(&s.db),
            SaleConfig::paris2024(),
            Durability::Full,
        )
        .unwrap()
        .notices(None)
        .unwrap(),
        Some(t) => {
            let rt = runtime();
            let store = rt.block_on(t.store());
            let rows = rt.block_on(store.notices(None)).unwrap();
            rt.block_on(store.retire()).unwrap();
            rows
        }
    }
}

struct Mail {
    message_id: String,
    to: String,
    subject: String,
    date: i64,
    body: String,
    ics: String,
}

fn read(r: &Received) -> Mail {
    let m = mail_parser::MessageParser::default()
        .parse(&r.raw)
        .expect("a MIME message");
    let ics = m
        .attachment(0)
        .map(|a| String::from_utf8_lossy(a.contents()).to_string());
    Mail {
        message_id: format!("<{}>", m.message_id().expect("a Message-ID")),
        to: m
            .to()
            .and_then(|a| a.first())
            .and_then(|a| a.address())
            .unwrap_or("")
            .to_string(),
        subject: m.subject().unwrap_or("").to_string(),
        date: m.date().expect("a Date").to_timestamp(),
        body: m.body_text(0).expect("a text part").to_string(),
        ics: ics.expect("an .ics attachment"),
    }
}

/// Deliveries per Message-ID.
fn by_id(received: &[Received]) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for r in received {
        *m.entry(read(r).message_id).or_default() += 1;
    }
    m
}

fn each_winner_gets_one_notice_in_their_language_with_the_slot_in_paris_time(kind: Kind) {
    let winners = [
        Winner::new("FAN-FR", "FR", None, "2023-02-17T10:00:00"),
        Winner::new("FAN-JP", "JP", None, "2023-02-19T10:00:00"),
        Winner::new("FAN-DST", "GB", Some("fr"), "2023-03-25T10:00:00"),
    ];
    let s = sale(kind, &winners);
    let first = enqueue(&s);
    assert!(
        first.contains("3 notices queued"),
        "three winners with a slot, the others get nothing: {first}"
    );
    let again = enqueue(&s);
    assert!(
        again.contains("0 notices queued, 3 already queued"),
        "enqueue twice adds nothing: {again}"
    );
    let relay = Relay::start(Plan::default());

    // The February notices are due on 15 Feb 10:00 and 17 Feb 10:00 (48 h before their
    // slots): at 17 Feb 10:00 both go, and the March one (due 23 March) does not.
    let out = send(&s, &relay, "2023-02-17T10:00:00");
    assert!(out.contains("sent 2"), "the two notices due by then: {out}");
    assert_eq!(
        relay.received().len(),
        2,
        "the March notice is not due before 23 March"
    );
    send(&s, &relay, "2023-03-23T10:00:00");
    let got = relay.received();
    assert_eq!(
        got.len(),
        3,
        "the March notice goes once due, the others not again"
    );

    let mails: BTreeMap<String, Mail> = got.iter().map(read).map(|m| (m.to.clone(), m)).collect();
    let fr = &mails[&winners[0].email()];
    assert_eq!(
        fr.message_id,
        winners[0].message_id(),
        "the documented Message-ID rule"
    );
    assert!(
        fr.subject.starts_with("Paris 2024 : votre créneau d'achat"),
        "French subject: {}",
        fr.subject
    );
    assert!(
        fr.body.contains("du vendredi 17 février 2023 à 10:00 au dimanche 19 février 2023 à 10:00, heure de Paris (UTC+01:00)"),
        "French body, Paris time in February is UTC+01:00: {}",
        fr.body
    );
    assert!(
        fr.body.contains("Nous n'envoyons jamais de lien"),
        "says it never sends links: {}",
        fr.body
    );
    assert!(!fr.body.contains("http"), "and holds none: {}", fr.body);
    assert!(
        (fr.date - paris("2023-02-17T10:00:00").as_second()).abs() < 120,
        "Date is the sender's clock (--now)"
    );
    assert!(
        fr.ics.contains("DTSTART:20230217T090000Z") && fr.ics.contains("DTEND:20230219T090000Z"),
        "the .ics slot in UTC: {}",
        fr.ics
    );

    let en = &mails[&winners[1].email()];
    assert!(
        en.subject.starts_with(
            "Paris 2024: your purchase slot opens on Sunday 19 February 2023 at 10:00"
        ),
        "a Japanese account reads English: {}",
        en.subject
    );
    assert!(
        en.body.contains("from Sunday 19 February 2023 at 10:00 to Tuesday 21 February 2023 at 10:00, Paris time (UTC+01:00)"),
        "{}",
        en.body
    );
    assert!(en.body.contains("We never send a link"), "{}", en.body);

    let dst = &mails[&winners[2].email()];
    assert!(
        dst.body.contains("du samedi 25 mars 2023 à 10:00 (UTC+01:00) au lundi 27 mars 2023 à 11:00 (UTC+02:00), heure de Paris"),
        "a British account that chose French; 48 real hours over the change end at 11:00 summer time: {}",
        dst.body
    );
    assert!(
        dst.ics.contains("DTSTART:20230325T090000Z") && dst.ics.contains("DTEND:20230327T090000Z"),
        "48 h in UTC: {}",
        dst.ics
    );
    assert!(
        by_id(&got).values().all(|n| *n == 1),
        "one delivery per Message-ID"
    );
    let rows = notices(&s);
    assert!(
        rows.iter()
            .all(|r| r.state == NoticeState::Sent && r.attempts == 1),
        "all sent at the first try: {rows:?}"
    );
}

fn a_451_is_tried_again_after_the_backoff_and_a_550_fails_with_its_reason(kind: Kind) {
    let winners = [
        Winner::new("FAN-A", "FR", None, "2023-02-17T10:00:00"),
        Winner::new("FAN-B", "FR", None, "2023-02-17T10:00:00"),
        Winner::new("FAN-C", "FR", None, "2023-02-17T10:00:00"),
    ];
    let s = sale(kind, &winners);
    enqueue(&s);
    let mut plan = Plan::default();
    plan.transient.insert(winners[0].email(), 2);
    plan.permanent.push(winners[2].email());
    let relay = Relay::start(plan);

    let out = send(&s, &relay, "2023-02-15T10:00:00");
    assert!(
        out.contains("sent 1, deferred 1") && out.contains("failed 1"),
        "B goes, A waits, C fails: {out}"
    );
    send(&s, &relay, "2023-02-15T10:00:10");
    assert_eq!(
        relay.refused().0,
        1,
        "A is not tried again before its 1-minute backoff"
    );
    send(&s, &relay, "2023-02-15T10:02:00");
    assert_eq!(
        relay.refused().0,
        2,
        "A's second try, refused again, waits 2 minutes"
    );
    send(&s, &relay, "2023-02-15T10:05:00");
    let got = by_id(&relay.received());
    assert_eq!(
        got.get(&winners[0].message_id()),
        Some(&1),
        "A delivered once, at its third try: {got:?}"
    );
    assert_eq!(
        got.get(&winners[1].message_id()),
        Some(&1),
        "B once: {got:?}"
    );
    assert_eq!(got.len(), 2, "C never: {got:?}");
    let rows = notices(&s);
    let a = rows.iter().find(|r| r.account_id == "FAN-A").unwrap();
    assert_eq!(
        (a.state, a.attempts),
        (NoticeState::Sent, 3),
        "A sent after 3 tries"
    );
    assert!(
        a.last_error.as_deref().unwrap_or("").contains("451"),
        "the 451 is kept: {a:?}"
    );
    let c = rows.iter().find(|r| r.account_id == "FAN-C").unwrap();
    assert_eq!(c.state, NoticeState::Failed, "a 550 is final");
    assert!(
        c.last_error.as_deref().unwrap_or("").contains("550"),
        "its reason kept: {c:?}"
    );
}

fn many(n: usize) -> Vec<Winner> {
    (0..n)
        .map(|i| {
            Winner::new(
                &format!("FAN-{i:03}"),
                if i % 2 == 0 { "FR" } else { "DE" },
                None,
                "2023-02-17T10:00:00",
            )
        })
        .collect()
}

fn spawn_send(s: &Sale, relay: &Relay, now: &str, rate: &str) -> std::process::Child {
    let addr = relay.addr.to_string();
    Command::new(env!("CARGO_BIN_EXE_guichet-server"))
        .args(send_args(s, &addr, now, rate))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

fn killed_after_the_relay_took_a_message_and_before_the_commit_the_resend_carries_the_same_message_id(
    kind: Kind,
) {
    // The worst moment (RFC 1047): the relay has queued message 10 and not yet said 250 when
    // the sender is killed. The row is left in 'sending'; the restart, past the lease, sends
    // it again. Raw deliveries: one too many, for that winner only, with the same Message-ID.
    let winners = many(30);
    let s = sale(kind, &winners);
    enqueue(&s);
    let relay = Relay::start(Plan {
        hold_at: Some(10),
        ..Plan::default()
    });
    let mut child = spawn_send(&s, &relay, "2023-02-15T10:00:00", "100");
    assert!(
        relay.wait_held(Duration::from_secs(60)),
        "the sender reached the 10th message"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    relay.release();
    let left = notices(&s);
    assert_eq!(
        left.iter()
            .filter(|r| r.state == NoticeState::Sending)
            .count(),
        1,
        "the held one is left in 'sending'"
    );
    assert_eq!(
        left.iter().filter(|r| r.state == NoticeState::Sent).count(),
        9,
        "nine committed before the kill"
    );

    let out = send(&s, &relay, "2023-02-15T10:10:00");
    assert!(
        out.contains("sent again after an interruption 1"),
        "the restart says it: {out}"
    );
    let got = relay.received();
    let ids = by_id(&got);
    println!(
        "held kill: {} winners, {} raw deliveries, {} distinct Message-IDs",
        winners.len(),
        got.len(),
        ids.len()
    );
    assert_eq!(ids.len(), 30, "every winner has a notice, by Message-ID");
    assert_eq!(
        got.len(),
        31,
        "one raw copy too many: the price of never losing a notice"
    );
    let twice: Vec<_> = ids.iter().filter(|(_, n)| **n > 1).collect();
    assert_eq!(twice.len(), 1, "only the interrupted one twice: {twice:?}");
    let rows = notices(&s);
    let r = rows.iter().find(|r| &r.message_id == twice[0].0).unwrap();
    assert_eq!(
        r.interrupted, 1,
        "the outbox marks the row that may have gone twice: {r:?}"
    );
    assert!(
        rows.iter().all(|r| r.state == NoticeState::Sent),
        "all sent in the end"
    );
}

fn killed_at_several_points_mid_batch_and_restarted_each_winner_gets_one_notice(kind: Kind) {
    // The kill lands 0 to 25 ms (one message at 40/s) after the relay took the 15th message:
    // somewhere in the 16th's dialogue, in a commit, or in the rate limiter's wait.
    for delay_ms in [0u64, 4, 9, 14, 19, 24] {
        let winners = many(40);
        let s = sale(kind, &winners);
        enqueue(&s);
        let relay = Relay::start(Plan::default());
        let mut child = spawn_send(&s, &relay, "2023-02-15T10:00:00", "40");
        assert!(
            relay.wait_received(15, Duration::from_secs(60)),
            "the batch is under way"
        );
        std::thread::sleep(Duration::from_millis(delay_ms));
        child.kill().unwrap();
        child.wait().unwrap();
        let before = relay.received().len();
        assert!(before < 40, "killed mid-batch ({before} of 40)");
        send(&s, &relay, "2023-02-15T10:10:00");
        let got = relay.received();
        let ids = by_id(&got);
        let rows = notices(&s);
        let interrupted: u32 = rows.iter().map(|r| r.interrupted).sum();
        println!(
            "kill {delay_ms} ms after the 15th: {} winners, {} raw deliveries ({before} before the kill), {} distinct Message-IDs, {interrupted} row(s) found in 'sending'",
            winners.len(), got.len(), ids.len()
        );
        assert_eq!(ids.len(), 40, "every winner, by Message-ID");
        for w in &winners {
            assert!(ids.contains_key(&w.message_id()), "{} got its notice", w.id);
        }
        assert!(
            got.len() <= 40 + interrupted as usize,
            "a raw copy only for a row found in 'sending': {} raw, {interrupted}",
            got.len()
        );
        assert!(interrupted <= 1, "one row in flight at a time");
        assert!(
            rows.iter().all(|r| r.state == NoticeState::Sent),
            "all sent"
        );
    }
}

fn the_rate_is_kept_in_every_second_of_the_batch(kind: Kind) {
    let winners = many(25);
    let s = sale(kind, &winners);
    enqueue(&s);
    let relay = Relay::start(Plan::default());
    let addr = relay.addr.to_string();
    ok(
        bin(&send_args(&s, &addr, "2023-02-15T10:00:00", "10")),
        "send",
    );
    let at: Vec<_> = relay.received().iter().map(|r| r.at).collect();
    assert_eq!(at.len(), 25, "all sent");
    // Count, in every one-second window starting at a delivery, the deliveries inside it:
    // a bucket of 10/s with a burst of 1 lets at most 11 in (10 earned + the one at start).
    let most = at
        .iter()
        .map(|t0| {
            at.iter()
                .filter(|t| **t >= *t0 && t.duration_since(*t0) < Duration::from_secs(1))
                .count()
        })
        .max();
    assert!(most <= Some(11), "at most 11 in any second, saw {most:?}");
}

fn eml_mode_writes_one_file_per_winner_and_a_second_run_writes_none(kind: Kind) {
    let winners = many(4);
    let s = sale(kind, &winners);
    enqueue(&s);
    let dir = s.dir.path().join("eml");
    let d = dir.to_str().unwrap();
    let run = || {
        ok(
            bin(&[
                "notices",
                "send",
                "--db",
                s.db.as_str(),
                "--eml-dir",
                d,
                "--now",
                "2023-02-15T10:00:00",
            ]),
            "send eml",
        )
    };
    assert!(run().contains("sent 4"), "four files");
    assert!(run().contains("sent 0"), "nothing is due twice");
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(
        files.len(),
        4,
        "one file per winner, no temporary left: {files:?}"
    );
    let raw = std::fs::read(dir.join(format!(
        "{}.eml",
        winners[0].message_id().trim_matches(['<', '>'])
    )))
    .unwrap();
    let m = read(&Received {
        rcpt: vec![],
        raw,
        at: std::time::Instant::now(),
    });
    assert_eq!(
        m.message_id,
        winners[0].message_id(),
        "the file is named by its Message-ID"
    );
    assert!(
        m.body.contains("heure de Paris (UTC+01:00)"),
        "a French account: {}",
        m.body
    );
}

/// Each test as `NAME::sqlite` and `NAME::postgres` (the latter under `pg_virtualenv`).
macro_rules! on_both_stores_sync {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[test]
                fn sqlite() {
                    super::$name(super::Kind::Sqlite)
                }
                #[test]
                fn postgres() {
                    super::$name(super::Kind::Postgres)
                }
            }
        )*
    };
}

on_both_stores_sync!(
    each_winner_gets_one_notice_in_their_language_with_the_slot_in_paris_time,
    a_451_is_tried_again_after_the_backoff_and_a_550_fails_with_its_reason,
    killed_after_the_relay_took_a_message_and_before_the_commit_the_resend_carries_the_same_message_id,
    killed_at_several_points_mid_batch_and_restarted_each_winner_gets_one_notice,
    the_rate_is_kept_in_every_second_of_the_batch,
    eml_mode_writes_one_file_per_winner_and_a_second_run_writes_none,

);
