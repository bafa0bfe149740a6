//! Draws on the server: registration windows at their edges, commit → close → run, results in
//! the accounts the rules read, carried-over registrants, and a desk's pull not flooded.

mod common;

use common::*;
use guichet_domain::AccountId;
use guichet_draw::beacon::RECORDED_ROUND_123;
use std::sync::Arc;

use guichet_draw::{Registration, Transcript};
use guichet_server::backend::Backend;
use guichet_server::backend_draws::DrawsBackend;
use guichet_server::store::{Closed, DrawStoreError, Rule};
use guichet_wire::accounts::{AccountDto, NewAccount};
use guichet_wire::draws::RegistrationDto;
use jiff::Timestamp;

fn rule(r: Result<impl std::fmt::Debug, DrawStoreError>) -> (Rule, String) {
    match r {
        Err(DrawStoreError::Refused { rule, message, .. }) => (rule, message),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// The draws and accounts of a test server, on its store, with the SQLite store's signatures.
struct Draws(Arc<dyn DrawsBackend>, Arc<dyn Backend>);

type Dr<T> = Result<T, DrawStoreError>;

impl Draws {
    fn of(s: &Server) -> Draws {
        Draws(Arc::clone(&s.state.draws), Arc::clone(&s.state.backend))
    }
    async fn register_for_draw(
        &self,
        draw: &str,
        a: &AccountId,
        device: Option<&str>,
        now: Timestamp,
    ) -> Dr<RegistrationDto> {
        self.0
            .register_for_draw(draw.into(), a.clone(), device.map(Into::into), now)
            .await
    }
    async fn commit_draw(&self, draw: &str, c: &[u8; 32], round: u64, now: Timestamp) -> Dr<()> {
        self.0.commit_draw(draw.into(), *c, round, now).await
    }
    async fn close_draw(&self, draw: &str, now: Timestamp) -> Dr<Closed> {
        self.0.close_draw(draw.into(), now).await
    }
    async fn draw_registrations(&self, draw: &str) -> Dr<Vec<Registration>> {
        self.0.draw_registrations(draw.into()).await
    }
    async fn run_draw(
        &self,
        draw: &str,
        secret: &[u8; 32],
        sig: &[u8],
        from: Option<Timestamp>,
        inventory: Option<u64>,
        now: Timestamp,
    ) -> Dr<Transcript> {
        self.0
            .run_draw(draw.into(), *secret, sig.to_vec(), from, inventory, now)
            .await
    }
    async fn account(&self, a: &AccountId) -> guichet_server::store::Result<AccountDto> {
        self.1.account(a.clone()).await
    }
}

async fn new_account(store: &Draws, id: &str, club: bool, device: Option<&str>) -> AccountId {
    let new = NewAccount {
        id: Some(id.into()),
        name: format!("Fan {id}"),
        email: format!("{}@example.org", id.to_lowercase()),
        country: "FR".into(),
        club_number: club.then(|| format!("CLUB-{id}")),
        language: None,
    };
    store
        .1
        .create_account(new, device.map(Into::into), at("2022-11-01T10:00:00"))
        .await
        .unwrap();
    AccountId::parse(id).unwrap()
}

fn sig() -> Vec<u8> {
    guichet_draw::hex::decode(RECORDED_ROUND_123.1, "sig").unwrap()
}

async fn registration_window_edges_are_opens_included_closes_excluded_in_paris_time(s: Server) {
    let store = &Draws::of(&s);
    let a = new_account(store, "ACC-1", false, None).await;
    let b = new_account(store, "ACC-2", true, None).await;
    let (r, m) = rule(
        store
            .register_for_draw("pack-draw", &a, None, at("2022-11-30T23:59:59"))
            .await,
    );
    assert_eq!(
        r,
        Rule::NotOpen,
        "one second before the opening is refused: {m}"
    );
    assert!(
        m.contains("1 Dec 2022 00:00")
            && m.contains("1 Feb 2023 00:00")
            && m.contains("Paris time"),
        "the refusal gives the window in Paris time: {m}"
    );
    let reg = store
        .register_for_draw("pack-draw", &a, None, at("2022-12-01T00:00:00"))
        .await
        .unwrap();
    assert_eq!(
        reg.registration_id, 1,
        "the opening instant itself is inside the window"
    );
    let (r, m) = rule(
        store
            .register_for_draw("pack-draw", &a, None, at("2022-12-02T00:00:00"))
            .await,
    );
    assert_eq!(r, Rule::AlreadyRegistered, "once per account and draw: {m}");
    let reg = store
        .register_for_draw("pack-draw", &b, None, at("2023-01-31T23:59:59"))
        .await
        .unwrap();
    assert!(
        reg.club && reg.registration_id == 2,
        "the last second is inside; the Club flag is kept: {reg:?}"
    );
    let c = new_account(store, "ACC-3", false, None).await;
    let (r, m) = rule(
        store
            .register_for_draw("pack-draw", &c, None, at("2023-02-01T00:00:00"))
            .await,
    );
    assert_eq!(r, Rule::Closed, "the closing instant is outside: {m}");
    let ghost = AccountId::parse("ACC-404").unwrap();
    let (r, _) = rule(
        store
            .register_for_draw("pack-draw", &ghost, None, at("2022-12-05T00:00:00"))
            .await,
    );
    assert_eq!(
        r,
        Rule::AccountUnknown,
        "an unknown account is refused by name"
    );
    let (r, _) = rule(
        store
            .register_for_draw("no-draw", &a, None, at("2022-12-05T00:00:00"))
            .await,
    );
    assert_eq!(r, Rule::DrawUnknown, "an unknown draw is refused by name");
    store
        .close_draw("pack-draw", at("2023-02-01T00:00:00"))
        .await
        .unwrap();
    let (r, m) = rule(
        store
            .register_for_draw("pack-draw", &c, None, at("2023-01-31T12:00:00"))
            .await,
    );
    assert_eq!(
        r,
        Rule::AfterFingerprint,
        "once the fingerprint is out nothing is added: {m}"
    );
}

async fn registration_over_http_answers_201_then_a_rule_named_refusal(s: Server) {
    let t = s.enrol().await;
    account(&s, &t, "ACC-HTTP").await;
    // The test server's clock stands on 10 Jan 2024: both draws have closed.
    let body = serde_json::json!({"account_id": "ACC-HTTP"}).to_string();
    let (st, v) = s
        .call(
            "POST",
            "/v1/draws/single-draw/registrations",
            Some(&t),
            Some(body.clone()),
        )
        .await;
    assert_eq!(
        st.as_u16(),
        422,
        "outside the window is a rule violation: {v}"
    );
    assert_eq!(
        v["details"]["rule"], "REGISTRATION_CLOSED",
        "the rule is named: {v}"
    );
    assert!(
        v["message"].as_str().unwrap().contains("21 Apr 2023 00:00"),
        "the window's close in Paris time: {v}"
    );
    let (st, v) = s
        .call("POST", "/v1/draws/nope/registrations", Some(&t), Some(body))
        .await;
    assert_eq!(
        (st.as_u16(), v["details"]["rule"].as_str()),
        (404, Some("DRAW_UNKNOWN")),
        "{v}"
    );
}

async fn a_run_writes_results_the_rules_read_and_the_transcript_verifies(s: Server) {
    let store = &Draws::of(&s);
    let mut ids: Vec<AccountId> = Vec::new();
    for i in 0..60 {
        ids.push(new_account(store, &format!("ACC-{i:03}"), i % 4 == 0, None).await);
    }
    for (i, a) in ids.iter().enumerate() {
        store
            .register_for_draw(
                "pack-draw",
                a,
                None,
                at("2022-12-02T10:00:00") + jiff::SignedDuration::from_secs(i as i64 * 3600),
            )
            .await
            .unwrap();
    }
    let secret = [42u8; 32];
    let (r, m) = rule(
        store
            .run_draw(
                "pack-draw",
                &secret,
                &sig(),
                None,
                Some(120),
                at("2023-02-10T10:00:00"),
            )
            .await,
    );
    assert_eq!(r, Rule::OutOfOrder, "no run before a commitment: {m}");
    let (r, m) = rule(
        store
            .commit_draw(
                "pack-draw",
                &guichet_draw::commitment(&secret),
                RECORDED_ROUND_123.0,
                at("2023-02-01T00:00:00"),
            )
            .await,
    );
    assert_eq!(
        r,
        Rule::OutOfOrder,
        "a commitment at the close is too late: {m}"
    );
    store
        .commit_draw(
            "pack-draw",
            &guichet_draw::commitment(&secret),
            RECORDED_ROUND_123.0,
            at("2023-01-15T10:00:00"),
        )
        .await
        .unwrap();
    let (r, _) = rule(
        store
            .commit_draw(
                "pack-draw",
                &[0; 32],
                RECORDED_ROUND_123.0,
                at("2023-01-16T10:00:00"),
            )
            .await,
    );
    assert_eq!(r, Rule::OutOfOrder, "a commitment cannot change");
    let closed = store
        .close_draw("pack-draw", at("2023-02-01T09:00:00"))
        .await
        .unwrap();
    assert_eq!(closed.count, 60, "every registration is in the list");
    match store
        .run_draw(
            "pack-draw",
            &[41u8; 32],
            &sig(),
            None,
            Some(120),
            at("2023-02-10T10:00:00"),
        )
        .await
    {
        Err(DrawStoreError::Draw(e)) => assert_eq!(
            e.code(),
            "REVEAL_MISMATCH",
            "another secret than the committed one: {e}"
        ),
        other => panic!("a wrong reveal must be refused, got {other:?}"),
    }
    let t = store
        .run_draw(
            "pack-draw",
            &secret,
            &sig(),
            None,
            Some(120),
            at("2023-02-10T10:00:00"),
        )
        .await
        .unwrap();
    assert_eq!(
        t.settings.winners, 10,
        "120 tickets at 12 a pack winner make 10 winners"
    );
    let regs = store.draw_registrations("pack-draw").await.unwrap();
    assert_eq!(
        guichet_draw::verify(&t, &regs).unwrap(),
        guichet_draw::Verdict::Match,
        "the stored list verifies"
    );
    let mut drawn = 0;
    for a in &ids {
        let dto = store.account(a).await.unwrap();
        let d = dto.draws.iter().find(|d| d.draw == "pack-draw").unwrap();
        match d.status.as_str() {
            "drawn" => {
                drawn += 1;
                let (st, en): (Timestamp, Timestamp) = (
                    d.slot_start.as_ref().unwrap().parse().unwrap(),
                    d.slot_end.as_ref().unwrap().parse().unwrap(),
                );
                assert_eq!(
                    (en.as_second() - st.as_second()) / 3600,
                    48,
                    "a 48-hour slot for {a}"
                );
                let club = dto.club_number.is_some();
                assert_eq!(
                    st < at("2023-02-19T00:00:00"),
                    club,
                    "{a}: Club slots in 15–18 Feb, others from 19 Feb"
                );
            }
            "not_drawn" => assert!(d.slot_start.is_none(), "no slot for {a}, not drawn"),
            other => panic!("{a} is {other} after the run"),
        }
    }
    assert_eq!(drawn, 10, "the winners' rows say drawn");
    let t2 = store
        .run_draw(
            "pack-draw",
            &secret,
            &sig(),
            Some(at("2023-02-25T00:00:00")),
            Some(60),
            at("2023-02-24T10:00:00"),
        )
        .await
        .unwrap();
    assert_eq!(
        (t2.wave, t2.settings.skip, t2.settings.winners),
        (2, 10, 5),
        "wave 2 takes the next 5 ranks"
    );
    assert!(
        t2.results
            .iter()
            .all(|r| r.2 >= at("2023-02-25T00:00:00").as_second()),
        "wave 2's slots start from 25 Feb"
    );
}

async fn the_single_draw_carries_the_pack_draws_registrants_over(s: Server) {
    let store = &Draws::of(&s);
    let a = new_account(store, "ACC-A", false, None).await;
    let b = new_account(store, "ACC-B", false, None).await;
    store
        .register_for_draw("pack-draw", &a, None, at("2022-12-05T10:00:00"))
        .await
        .unwrap();
    store
        .register_for_draw("pack-draw", &b, None, at("2022-12-05T11:00:00"))
        .await
        .unwrap();
    store
        .register_for_draw("single-draw", &b, None, at("2023-03-20T10:00:00"))
        .await
        .unwrap();
    let c = store
        .close_draw("single-draw", at("2023-04-21T00:00:00"))
        .await
        .unwrap();
    assert_eq!(
        (c.count, c.carried),
        (2, 1),
        "A is carried over; B registered itself and is counted once"
    );
    let dto = store.account(&a).await.unwrap();
    assert!(
        dto.draws
            .iter()
            .any(|d| d.draw == "single-draw" && d.status == "registered"),
        "the carried account shows its registration: {:?}",
        dto.draws
    );
}

async fn a_draw_over_many_accounts_adds_only_desk_accounts_to_a_desks_pull(s: Server) {
    let (t, device) = s.enrol_device().await;
    let store = &Draws::of(&s);
    let mut ids = Vec::new();
    for i in 0..300 {
        let by_desk = (i % 100 == 7).then_some(device.as_str());
        ids.push(new_account(store, &format!("ACC-{i:04}"), i % 5 == 0, by_desk).await);
    }
    for a in &ids {
        store
            .register_for_draw("pack-draw", a, None, at("2022-12-05T10:00:00"))
            .await
            .unwrap();
    }
    let (_, first) = s
        .call(
            "GET",
            &format!("/v1/sync/pull?cursor=0&device_id={device}"),
            Some(&t),
            None,
        )
        .await;
    let cursor = first["cursor"].as_str().unwrap().to_owned();
    let secret = [9u8; 32];
    store
        .commit_draw(
            "pack-draw",
            &guichet_draw::commitment(&secret),
            RECORDED_ROUND_123.0,
            at("2023-01-15T10:00:00"),
        )
        .await
        .unwrap();
    store
        .close_draw("pack-draw", at("2023-02-01T09:00:00"))
        .await
        .unwrap();
    store
        .run_draw(
            "pack-draw",
            &secret,
            &sig(),
            None,
            Some(1200),
            at("2023-02-10T10:00:00"),
        )
        .await
        .unwrap();
    let (_, after) = s
        .call(
            "GET",
            &format!("/v1/sync/pull?cursor={cursor}&device_id={device}"),
            Some(&t),
            None,
        )
        .await;
    let mut got: Vec<&str> = after["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    got.sort();
    assert_eq!(
        got,
        ["ACC-0007", "ACC-0107", "ACC-0207"],
        "a draw over 300 accounts sends a desk only the 3 it created, with their results"
    );
}

on_both_stores!(
    registration_window_edges_are_opens_included_closes_excluded_in_paris_time,
    registration_over_http_answers_201_then_a_rule_named_refusal,
    a_run_writes_results_the_rules_read_and_the_transcript_verifies,
    the_single_draw_carries_the_pack_draws_registrants_over,
    a_draw_over_many_accounts_adds_only_desk_accounts_to_a_desks_pull,
);
