//! Allotments and sync through the API: escrow moves, each key applies once, conflicts are
//! kept and listed, pull returns what changed.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::{json, Value};

fn sale_event(key: &str, order: &str, account: &str, session: &str, n: usize) -> Value {
    let tickets: Vec<Value> = (0..n)
        .map(|_| json!({"id": uuid::Uuid::now_v7().to_string(), "session": session, "category": "D", "price": 2400}))
        .collect();
    json!({"idempotency_key": key, "kind": "sale", "created_at": "2024-01-10T09:00:00Z", "offline": true,
           "payload": {"order_id": order, "account_id": account, "kind": "single", "phase": "general-sale",
                       "sold_at": "2024-01-10T09:00:00Z", "offline": true, "tickets": tickets}})
}

async fn push(s: &Server, t: &str, events: Vec<Value>) -> Vec<Value> {
    let (st, v) = s
        .call(
            "POST",
            "/v1/sync/push",
            Some(t),
            Some(json!({"events": events}).to_string()),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    v["acks"].as_array().unwrap().clone()
}

async fn avail(s: &Server, t: &str, session: &str) -> Value {
    let (_, v) = s
        .call(
            "GET",
            &format!("/v1/availability?session={session}"),
            Some(t),
            None,
        )
        .await;
    v.as_array()
        .unwrap()
        .iter()
        .find(|x| x["category"] == "D")
        .unwrap()
        .clone()
}

async fn escrow_moves_with_allotments_offline_sales_and_voids(s: Server) {
    let t = s.enrol().await;
    account(&s, &t, "P24-000010").await;
    let (st, a) = s
        .call(
            "POST",
            "/v1/allotments",
            Some(&t),
            Some(json!({"session": "ATH02", "category": "D", "quantity": 10}).to_string()),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{a}");
    assert_eq!(a["outstanding"], 10);
    assert_eq!(avail(&s, &t, "ATH02").await["lent"], 10);

    let order = uuid::Uuid::now_v7().to_string();
    let key = uuid::Uuid::now_v7().to_string();
    let ev = sale_event(&key, &order, "P24-000010", "ATH02", 4);
    let acks = push(&s, &t, vec![ev.clone()]).await;
    assert_eq!(acks[0]["status"], "applied", "{acks:?}");
    let d = avail(&s, &t, "ATH02").await;
    assert_eq!(
        (d["sold"].clone(), d["lent"].clone()),
        (json!(4), json!(6)),
        "4 sold from the escrow, 6 still lent"
    );

    // The same batch again (a retry after a lost answer): duplicate, nothing counted twice.
    let acks = push(&s, &t, vec![ev]).await;
    assert_eq!(acks[0]["status"], "duplicate");
    assert_eq!(avail(&s, &t, "ATH02").await["sold"], 4);

    // A void of one ticket sold offline by this desk goes back to its escrow and is revoked.
    let ticket = s
        .state
        .backend
        .account(guichet_domain::AccountId::parse("P24-000010").unwrap())
        .await
        .unwrap();
    assert_eq!(ticket.olympic_held, 4);
    let (_, before) = s
        .call("GET", "/v1/sync/pull?cursor=0", Some(&t), None)
        .await;
    let cursor = before["cursor"].as_str().unwrap().to_owned();
    let tid = s.tickets_of(&order).await[0].clone();
    let void = json!({"idempotency_key": uuid::Uuid::now_v7().to_string(), "kind": "void", "created_at": "2024-01-10T09:05:00Z",
                      "offline": true, "payload": {"order_id": order, "ticket_ids": [tid]}});
    assert_eq!(push(&s, &t, vec![void]).await[0]["status"], "applied");
    let d = avail(&s, &t, "ATH02").await;
    assert_eq!((d["sold"].clone(), d["lent"].clone()), (json!(3), json!(7)));
    let (_, pulled) = s
        .call(
            "GET",
            &format!("/v1/sync/pull?cursor={cursor}"),
            Some(&t),
            None,
        )
        .await;
    assert_eq!(
        pulled["revocations"],
        json!([tid]),
        "the void reaches gates through pull"
    );
    assert_eq!(pulled["allotments"][0]["outstanding"], 7);
    let (_, again) = s
        .call(
            "GET",
            &format!(
                "/v1/sync/pull?cursor={}",
                pulled["cursor"].as_str().unwrap()
            ),
            Some(&t),
            None,
        )
        .await;
    assert_eq!(
        again["revocations"],
        json!([]),
        "nothing new after the last cursor"
    );
    let (_, lists) = s.call("GET", "/v1/gate/lists", Some(&t), None).await;
    assert_eq!(lists["revoked"], json!([tid]));

    // Giving back what is left frees it for online sale.
    let (st, a) = s
        .call(
            "POST",
            "/v1/allotments/return",
            Some(&t),
            Some(json!({"session": "ATH02", "category": "D", "quantity": 7}).to_string()),
        )
        .await;
    assert_eq!((st, a["outstanding"].clone()), (StatusCode::OK, json!(0)));
    assert_eq!(avail(&s, &t, "ATH02").await["lent"], 0);
    let (st, v) = s
        .call(
            "POST",
            "/v1/allotments/return",
            Some(&t),
            Some(json!({"session": "ATH02", "category": "D", "quantity": 1}).to_string()),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{v}");
}

async fn an_offline_sale_over_the_cap_is_kept_and_listed_as_a_conflict(s: Server) {
    let t = s.enrol().await;
    account(&s, &t, "P24-000011").await;
    let sessions = ["ATH02", "ATH04", "ATH06", "SWM01", "BKB01", "HBL01"];
    for x in sessions {
        let body = json!({"session": x, "category": "D", "quantity": 6}).to_string();
        assert_eq!(
            s.call("POST", "/v1/allotments", Some(&t), Some(body))
                .await
                .0,
            StatusCode::OK
        );
    }
    let events: Vec<Value> = sessions
        .iter()
        .map(|x| {
            sale_event(
                &uuid::Uuid::now_v7().to_string(),
                &uuid::Uuid::now_v7().to_string(),
                "P24-000011",
                x,
                6,
            )
        })
        .collect();
    let acks = push(&s, &t, events).await;
    assert!(
        acks[..5]
            .iter()
            .all(|a| a["status"] == "applied" && a["reason"].is_null()),
        "{acks:?}"
    );
    assert_eq!(
        acks[5]["status"], "applied",
        "the fan holds the tickets: the sale is kept"
    );
    let reason = acks[5]["reason"].as_str().unwrap();
    assert!(
        reason.contains("[ACCOUNT_CAP] account holds 30 of 30 Olympic tickets; this order adds 6"),
        "{reason}"
    );
    let (_, conflicts) = s.call("GET", "/v1/conflicts", Some(&t), None).await;
    assert_eq!(conflicts.as_array().unwrap().len(), 1);
    assert_eq!(conflicts[0]["account_id"], "P24-000011");
    assert_eq!(
        conflicts[0]["details"]["violations"][0]["details"]["held"], 30,
        "both sides' numbers are kept"
    );
}

async fn a_bad_event_is_rejected_alone_and_the_batch_goes_on(s: Server) {
    let t = s.enrol().await;
    account(&s, &t, "P24-000012").await;
    let good = sale_event(
        &uuid::Uuid::now_v7().to_string(),
        &uuid::Uuid::now_v7().to_string(),
        "P24-000012",
        "ATH02",
        1,
    );
    let unknown_account = sale_event(
        &uuid::Uuid::now_v7().to_string(),
        &uuid::Uuid::now_v7().to_string(),
        "NOBODY-9",
        "ATH02",
        1,
    );
    let odd = json!({"idempotency_key": uuid::Uuid::now_v7().to_string(), "kind": "teleport", "payload": {}, "created_at": "x"});
    let walk_in = json!({"idempotency_key": uuid::Uuid::now_v7().to_string(), "kind": "account_created", "created_at": "2024-01-10T09:00:00Z",
                         "payload": {"id": "D1-WALKIN-1", "name": "Zoë Ångström", "email": "zoe@example.org", "country": "se"}});
    let acks = push(&s, &t, vec![unknown_account, odd, good, walk_in]).await;
    let status: Vec<&str> = acks.iter().map(|a| a["status"].as_str().unwrap()).collect();
    assert_eq!(status, ["rejected", "rejected", "applied", "applied"]);
    assert!(
        acks[0]["reason"]
            .as_str()
            .unwrap()
            .contains("unknown account NOBODY-9"),
        "{:?}",
        acks[0]
    );
    assert!(
        acks[1]["reason"]
            .as_str()
            .unwrap()
            .contains("unknown event kind"),
        "{:?}",
        acks[1]
    );
    assert_eq!(s.sold().await, 1, "only the good sale counted");
    let (_, found) = s.call("GET", "/v1/accounts?q=zoe", Some(&t), None).await;
    assert_eq!(
        found[0]["id"], "D1-WALKIN-1",
        "a walk-in created offline reaches the server"
    );
}

async fn a_pushed_sale_whose_prices_add_up_past_what_an_amount_holds_is_rejected_alone(s: Server) {
    let t = s.enrol().await;
    account(&s, &t, "P24-000013").await;
    let mut dear = sale_event(
        &uuid::Uuid::now_v7().to_string(),
        &uuid::Uuid::now_v7().to_string(),
        "P24-000013",
        "ATH02",
        2,
    );
    for ticket in dear["payload"]["tickets"].as_array_mut().unwrap() {
        ticket["price"] = json!(i64::MAX);
    }
    let good = sale_event(
        &uuid::Uuid::now_v7().to_string(),
        &uuid::Uuid::now_v7().to_string(),
        "P24-000013",
        "ATH02",
        1,
    );
    let acks = push(&s, &t, vec![dear, good]).await;
    let status: Vec<&str> = acks.iter().map(|a| a["status"].as_str().unwrap()).collect();
    assert_eq!(status, ["rejected", "applied"], "{acks:?}");
    let reason = acks[0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("its tickets' prices add up to more than an amount can hold (9223372036854775807 cents) — check the prices the device sent"),
        "{reason}"
    );
    assert_eq!(s.sold().await, 1, "the dear sale wrote nothing");
}

async fn an_allotment_larger_than_what_is_left_is_refused_with_the_numbers(s: Server) {
    let t = s.enrol().await;
    s.state
        .backend
        .set_available(
            guichet_domain::SessionCode::parse("ATH07").unwrap(),
            guichet_domain::PriceCategory::D,
            5,
        )
        .await
        .unwrap();
    let (st, v) = s
        .call(
            "POST",
            "/v1/allotments",
            Some(&t),
            Some(json!({"session": "ATH07", "category": "D", "quantity": 8}).to_string()),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert_eq!(
        v["message"],
        "ATH07 category D: 5 seats left online, 8 asked — ask for 5 or fewer"
    );
}

/// Asserts a 403 that names the rule and both devices.
fn forbidden(st: StatusCode, v: &Value, what: &str, token_device: &str, named: &str) {
    assert_eq!(st, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(v["code"], "FORBIDDEN", "{v}");
    assert_eq!(v["details"]["rule"], "own_device_only", "{v}");
    assert_eq!(v["details"]["token_device"], token_device, "{v}");
    assert_eq!(v["details"]["named_device"], named, "{v}");
    let m = v["message"].as_str().unwrap();
    assert!(
        m.starts_with(&format!("a device acts only on its own {what}: this token is device {token_device}'s, the request names device {named}")),
        "{m}"
    );
}

async fn a_token_of_another_device_is_refused_with_403_and_nothing_is_written(s: Server) {
    let (ta, a) = s.enrol_device().await;
    let (tb, b) = s.enrol_device().await;
    account(&s, &ta, "P24-000013").await;
    let ask = |q: u32, dev: &str| {
        json!({"session": "ATH02", "category": "D", "quantity": q, "device_id": dev}).to_string()
    };
    // Naming itself is allowed (and is what a desk that sends its id does).
    let (st, v) = s
        .call("POST", "/v1/allotments", Some(&ta), Some(ask(10, &a)))
        .await;
    assert_eq!(
        (st, v["outstanding"].clone()),
        (StatusCode::OK, json!(10)),
        "{v}"
    );

    // Desk B's token on desk A's allotment: neither return nor extend, nor read.
    let (st, v) = s
        .call(
            "POST",
            "/v1/allotments/return",
            Some(&tb),
            Some(ask(10, &a)),
        )
        .await;
    forbidden(st, &v, "allotments", &b, &a);
    let (st, v) = s
        .call("POST", "/v1/allotments", Some(&tb), Some(ask(5, &a)))
        .await;
    forbidden(st, &v, "allotments", &b, &a);
    let (st, v) = s
        .call(
            "GET",
            &format!("/v1/allotments?device_id={a}"),
            Some(&tb),
            None,
        )
        .await;
    forbidden(st, &v, "allotments", &b, &a);
    let (_, mine) = s.call("GET", "/v1/allotments", Some(&ta), None).await;
    assert_eq!(mine[0]["outstanding"], 10, "A's escrow untouched: {mine}");
    assert_eq!(mine[0]["returned"], 0);
    let (_, theirs) = s.call("GET", "/v1/allotments", Some(&tb), None).await;
    assert_eq!(theirs, json!([]), "B was lent nothing");
    assert_eq!(avail(&s, &ta, "ATH02").await["lent"], 10);

    // Events that claim desk A, pushed with B's token: the whole push is refused, even its
    // good events, whether the claim is on the event or in the desk's record (payload).
    let good_key = uuid::Uuid::now_v7().to_string();
    let good = sale_event(
        &good_key,
        &uuid::Uuid::now_v7().to_string(),
        "P24-000013",
        "ATH02",
        1,
    );
    let mut on_event = sale_event(
        &uuid::Uuid::now_v7().to_string(),
        &uuid::Uuid::now_v7().to_string(),
        "P24-000013",
        "ATH02",
        2,
    );
    on_event["device_id"] = json!(a);
    let mut in_payload = on_event.clone();
    in_payload.as_object_mut().unwrap().remove("device_id");
    in_payload["payload"]["device_id"] = json!(a);
    for bad in [on_event, in_payload] {
        let (st, v) = s
            .call(
                "POST",
                "/v1/sync/push",
                Some(&tb),
                Some(json!({"events": [good.clone(), bad]}).to_string()),
            )
            .await;
        forbidden(st, &v, "events", &b, &a);
    }
    assert_eq!(s.sold().await, 0, "nothing applied");
    let acks = push(&s, &tb, vec![good]).await;
    assert_eq!(
        acks[0]["status"], "applied",
        "the good event was not recorded: {acks:?}"
    );

    // Conflicts and pull scoped to another device.
    let (st, v) = s
        .call(
            "GET",
            &format!("/v1/conflicts?device_id={a}"),
            Some(&tb),
            None,
        )
        .await;
    forbidden(st, &v, "conflicts", &b, &a);
    let (st, v) = s
        .call(
            "GET",
            &format!("/v1/conflicts?device_id={b}"),
            Some(&tb),
            None,
        )
        .await;
    // B's own list: its sale beyond its (empty) allotment, and nothing of A's.
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v.as_array().unwrap().len(), 1, "{v}");
    assert_eq!(v[0]["device_id"], json!(b));
    let (_, v) = s
        .call(
            "GET",
            &format!("/v1/conflicts?device_id={a}"),
            Some(&ta),
            None,
        )
        .await;
    assert_eq!(v, json!([]), "A has none");
    let (st, v) = s
        .call(
            "GET",
            &format!("/v1/sync/pull?cursor=0&device_id={a}"),
            Some(&tb),
            None,
        )
        .await;
    forbidden(st, &v, "changes", &b, &a);
}

async fn a_first_pull_is_a_snapshot_and_a_later_one_only_changes(s: Server) {
    let t = s.enrol().await;
    let offers: usize = guichet_domain::Catalogue::paris2024()
        .sessions()
        .map(|x| x.offers.len())
        .sum();
    // An offer sold and voided before the desk's first pull: its revocation is in the snapshot.
    account(&s, &t, "P24-000010").await;
    let order = uuid::Uuid::now_v7().to_string();
    let sale = sale_event(
        &uuid::Uuid::now_v7().to_string(),
        &order,
        "P24-000010",
        "ATH02",
        2,
    );
    assert_eq!(push(&s, &t, vec![sale]).await[0]["status"], "applied");
    let tid = s.tickets_of(&order).await[0].clone();
    let void = json!({"idempotency_key": uuid::Uuid::now_v7().to_string(), "kind": "void", "created_at": "2024-01-10T09:05:00Z",
                      "offline": true, "payload": {"order_id": order, "ticket_ids": [tid]}});
    assert_eq!(push(&s, &t, vec![void]).await[0]["status"], "applied");

    // A second desk, enrolled now, pulls from 0: every offer, every revocation.
    let t2 = s.enrol().await;
    let (st, first) = s
        .call("GET", "/v1/sync/pull?cursor=0", Some(&t2), None)
        .await;
    assert_eq!(st, StatusCode::OK, "{first}");
    let rows = first["availability"].as_array().unwrap();
    assert_eq!(rows.len(), offers, "one availability row per offer");
    let (_, all) = s.call("GET", "/v1/availability", Some(&t2), None).await;
    assert_eq!(
        first["availability"], all,
        "the snapshot is the availability"
    );
    assert_eq!(first["revocations"], json!([tid]));
    let ath02_d = rows
        .iter()
        .find(|r| r["session"] == "ATH02" && r["category"] == "D")
        .unwrap();
    assert_eq!(ath02_d["sold"], 1);

    // From the returned cursor: only what changed since.
    let cursor = first["cursor"].as_str().unwrap().to_owned();
    assert_ne!(cursor, "0");
    let (_, quiet) = s
        .call(
            "GET",
            &format!("/v1/sync/pull?cursor={cursor}"),
            Some(&t2),
            None,
        )
        .await;
    assert_eq!(quiet["availability"], json!([]), "{quiet}");
    assert_eq!(quiet["revocations"], json!([]));
    assert_eq!(quiet["accounts"], json!([]));
    let sale = sale_event(
        &uuid::Uuid::now_v7().to_string(),
        &uuid::Uuid::now_v7().to_string(),
        "P24-000010",
        "ATH02",
        1,
    );
    assert_eq!(push(&s, &t, vec![sale]).await[0]["status"], "applied");
    let (_, later) = s
        .call(
            "GET",
            &format!("/v1/sync/pull?cursor={cursor}"),
            Some(&t2),
            None,
        )
        .await;
    let changed = later["availability"].as_array().unwrap();
    assert_eq!(changed.len(), 1, "{later}");
    assert_eq!(
        (
            changed[0]["session"].clone(),
            changed[0]["category"].clone()
        ),
        (json!("ATH02"), json!("D"))
    );
    assert_eq!(later["revocations"], json!([]));
    assert_eq!(later["accounts"][0]["id"], "P24-000010");
}

/// A fan who buys online at one desk is named in the change feed, so another desk that has
/// the account cached sees the new holdings at its next pull (its offline checks of the caps
/// then count them); a retry of the same order names nobody again.
async fn an_online_sale_names_its_buyer_in_the_next_pull_of_other_desks(s: Server) {
    let a = s.enrol().await;
    let b = s.enrol().await;
    account(&s, &a, "P24-000020").await;
    let (_, first) = s
        .call("GET", "/v1/sync/pull?cursor=0", Some(&b), None)
        .await;
    let cursor = first["cursor"].as_str().unwrap().to_owned();

    let key = uuid::Uuid::now_v7().to_string();
    let buy = || {
        s.call(
            "POST",
            "/v1/orders",
            Some(&a),
            Some(order(&key, "P24-000020", "ATH07", 4)),
        )
    };
    let (server, token_b) = (&s, &b);
    let pull_b = |cursor: String| async move {
        let path = format!("/v1/sync/pull?cursor={cursor}");
        server.call("GET", &path, Some(token_b), None).await
    };
    let (st, v) = buy().await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let (_, later) = pull_b(cursor).await;
    let accounts = later["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 1, "{later}");
    assert_eq!(accounts[0]["id"], "P24-000020");
    assert_eq!(accounts[0]["olympic_held"], 4, "{later}");
    let held = accounts[0]["held"].as_array().unwrap();
    assert!(
        held.iter()
            .any(|h| h["session"] == "ATH07" && h["count"] == 4),
        "{later}"
    );

    // The same order again (a lost answer retried): a duplicate, no new change.
    let (st, _) = buy().await;
    assert_eq!(st, StatusCode::OK);
    let (_, quiet) = pull_b(later["cursor"].as_str().unwrap().to_owned()).await;
    assert_eq!(quiet["accounts"], json!([]), "{quiet}");
}

/// The cursor is opaque text: the change row id on SQLite (the same text an older desk's
/// integer cursor gives), `EPOCH:XID:ID` on PostgreSQL; another store's shape is a cursor of
/// another database (a snapshot), and a malformed one is refused with 400 and the way out.
async fn the_cursor_is_opaque_text_old_integers_still_pull_and_bad_ones_get_400(s: Server) {
    let t = s.enrol().await;
    let pull = |c: String| {
        let (s, t) = (&s, &t);
        async move {
            s.call("GET", &format!("/v1/sync/pull?cursor={c}"), Some(t), None)
                .await
        }
    };
    // A sale to one fan: the feed has changes (its offer, its buyer) before the first pull.
    let buy = |fan: &'static str| {
        let (s, t) = (&s, &t);
        async move {
            account(s, t, fan).await;
            let key = uuid::Uuid::now_v7().to_string();
            let (st, v) = s
                .call(
                    "POST",
                    "/v1/orders",
                    Some(t),
                    Some(order(&key, fan, "ATH07", 1)),
                )
                .await;
            assert_eq!(st, StatusCode::CREATED, "{v}");
        }
    };
    buy("P24-000030").await;
    let (st, first) = pull("0".into()).await;
    assert_eq!(st, StatusCode::OK, "{first}");
    let offers = first["availability"].as_array().unwrap().len();
    assert!(offers > 1, "from 0, every offer: {offers}");
    let cursor = first["cursor"]
        .as_str()
        .expect("the cursor is a string")
        .to_owned();
    let on_pg = s.pg.is_some();
    let parts: Vec<&str> = cursor.split(':').collect();
    if on_pg {
        assert_eq!(parts.len(), 3, "EPOCH:XID:ID on PostgreSQL: {cursor}");
    } else {
        let n: i64 = cursor.parse().expect("the row id in decimal on SQLite");
        assert!(n > 0, "the sale's rows are changes: {cursor}");
    }
    buy("P24-000031").await;
    let (st, later) = pull(cursor.clone()).await;
    assert_eq!(st, StatusCode::OK, "{later}");
    let moved = later["availability"].as_array().unwrap();
    assert_eq!(
        (moved.len(), &moved[0]["session"]),
        (1, &json!("ATH07")),
        "not a snapshot: only the offer sold since: {later}"
    );
    assert_eq!(later["accounts"].as_array().unwrap().len(), 1, "{later}");
    assert_eq!(later["accounts"][0]["id"], "P24-000031", "{later}");
    if !on_pg {
        // An older desk kept the cursor as an integer and sends it back the same: `12.0`
        // too, the integer as older documents allowed it.
        let (st, old) = pull(format!("{cursor}.0")).await;
        assert_eq!(st, StatusCode::OK, "{old}");
        assert_eq!(old["accounts"], later["accounts"], "{old}");
    }
    // The other store's shape: a cursor of another database, answered with a snapshot.
    let foreign = if on_pg { "12" } else { "7:123:4" };
    let (st, snap) = pull(foreign.into()).await;
    assert_eq!(st, StatusCode::OK, "{snap}");
    assert_eq!(
        snap["availability"].as_array().unwrap().len(),
        offers,
        "a snapshot: every offer again"
    );
    for bad in [
        "abc",
        "-3",
        "1:2",
        "1:2:3:4",
        "1:x:3",
        "99999999999999999999",
    ] {
        let (st, v) = pull(bad.into()).await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{bad}: {v}");
        let m = v["message"].as_str().unwrap_or_default();
        for w in [
            &format!("cursor=\"{bad}\""),
            "EPOCH:XID:ID",
            "pull from the start with cursor=0",
        ] {
            assert!(m.contains(w), "{bad}: expected {w:?} in {m:?}");
        }
    }
}

on_both_stores!(
    the_cursor_is_opaque_text_old_integers_still_pull_and_bad_ones_get_400,
    escrow_moves_with_allotments_offline_sales_and_voids,
    an_offline_sale_over_the_cap_is_kept_and_listed_as_a_conflict,
    a_bad_event_is_rejected_alone_and_the_batch_goes_on,
    a_pushed_sale_whose_prices_add_up_past_what_an_amount_holds_is_rejected_alone,
    an_allotment_larger_than_what_is_left_is_refused_with_the_numbers,
    a_token_of_another_device_is_refused_with_403_and_nothing_is_written,
    a_first_pull_is_a_snapshot_and_a_later_one_only_changes,
    an_online_sale_names_its_buyer_in_the_next_pull_of_other_desks,
);
