//! The operations console in a real browser: headless Chromium (Debian's, with its
//! chromedriver) against the real server process, with real desks. The supervisor signs in
//! (a wrong password first, refused), sees a desk's offline sale over the 30-ticket cap
//! appear as a conflict after its push and voids it in the page, and the void reaches another
//! desk's revocation list at its next pull; revokes a desk in the page, whose next push is
//! refused while the gate says REVOKED KEY for a ticket it signed afterwards and VALID for
//! one signed before; makes an enrolment code in the page and enrols a desk with it. Then
//! every page, in both languages, passes axe-core (no serious or critical violation) and is
//! photographed at 1280 and 800 px wide.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use jiff::SignedDuration;
use serde_json::{json, Value};

use super::revoke::{qr_of, verify};
use super::rig::{runtime, DeskRig};
use super::webdriver::{Browser, Driver};
use super::{cli, temp_db, ServerProcess, BIN};

const WAIT: Duration = Duration::from_secs(60);
const PASSWORD: &str = "correct horse battery staple";

/// axe-core, installed by `npm ci` in tests/browser (cargo xtask test does it).
fn axe_source() -> String {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("browser/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; install axe-core with `npm ci` in tests/browser (cargo xtask test does)",
            path.display()
        )
    })
}

fn staff_add(db: &Path, user: &str, role: &str) {
    let out = Command::new(BIN)
        .args([
            "staff",
            "add",
            user,
            "--role",
            role,
            "--db",
            db.to_str().unwrap(),
        ])
        .env("GUICHET_STAFF_PASSWORD", PASSWORD)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "staff add {user}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn sign_in(b: &Browser, base: &str, user: &str, password: &str) {
    b.goto(&format!("{base}/console/sign-in"));
    b.type_into(&b.find("#username"), user);
    b.type_into(&b.find("#password"), password);
    b.click_and_wait(&b.find("main form button[type=submit]"));
}

/// Where the screenshots go: `GUICHET_CONSOLE_SCREENSHOTS` (e.g. docs/screenshots), else a
/// directory of the test's own.
fn shots_dir(tmp: &Path) -> PathBuf {
    match std::env::var("GUICHET_CONSOLE_SCREENSHOTS") {
        Ok(d) if !d.is_empty() => Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(d),
        _ => tmp.join("shots"),
    }
}

/// The page at its whole height (at most 2,400 px) and `width` px wide, as a PNG in `dir`.
fn photograph(b: &Browser, dir: &Path, name: &str, width: u32) {
    b.window(width, 900);
    let v = b.execute(
        "return [document.documentElement.scrollHeight, outerHeight - innerHeight];",
        json!([]),
    );
    let (h, chrome) = (v[0].as_u64().unwrap_or(900), v[1].as_u64().unwrap_or(0));
    b.window(width, (h + chrome).min(2400) as u32);
    let sideways = b.execute(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
        json!([]),
    );
    assert_eq!(
        sideways,
        json!(0),
        "{name}: at {width} px the page fits the window's width (no sideways scrolling)"
    );
    let png = b.screenshot();
    assert_eq!(&png[1..4], b"PNG", "WebDriver screenshots are PNG");
    let got = u32::from_be_bytes(png[16..20].try_into().unwrap());
    assert!(
        got + 40 >= width && got <= width,
        "{name}: the screenshot is the window's width ({width} px), got {got}"
    );
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
}

/// axe-core on the page now: its serious and critical violations.
fn axe(b: &Browser, source: &str) -> Vec<Value> {
    let script = format!(
        "const done = arguments[arguments.length - 1];\n{source}\n\
         axe.run(document, {{ resultTypes: ['violations'] }}).then(r => done({{\
           rules: r.passes.length + r.violations.length + r.incomplete.length + r.inapplicable.length,\
           bad: r.violations\
           .filter(v => v.impact === 'serious' || v.impact === 'critical')\
           .map(v => ({{ id: v.id, impact: v.impact, help: v.help,\
                         nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ')) }}))}}))\
           .catch(e => done({{ rules: 0, bad: [{{ error: String(e) }}] }}));"
    );
    let v = b.execute_async(&script, json!([]));
    assert!(
        v["rules"].as_u64().unwrap_or(0) > 50,
        "axe-core ran its rules on {}: {v}",
        b.url()
    );
    v["bad"]
        .as_array()
        .cloned()
        .unwrap_or_else(|| panic!("axe answered {v}"))
}

/// Checks the page at `path` in `lang`: axe-core finds nothing serious, and photographs.
fn check_page(
    b: &Browser,
    base: &str,
    axe_src: &str,
    dir: &Path,
    page: &str,
    path: &str,
    lang: &str,
) {
    let sep = if path.contains('?') { '&' } else { '?' };
    b.goto(&format!("{base}{path}{sep}lang={lang}"));
    b.window(1280, 900);
    let html_lang = b.execute("return document.documentElement.lang;", json!([]));
    assert_eq!(
        html_lang,
        json!(lang),
        "{path} is in the language asked for"
    );
    let bad = axe(b, axe_src);
    assert!(
        bad.is_empty(),
        "{path} ({lang}): axe-core finds no serious or critical violation: {bad:#?}"
    );
    photograph(b, dir, &format!("console-{page}-{lang}"), 1280);
    photograph(b, dir, &format!("console-{page}-{lang}-800"), 800);
}

fn device_id(rig: &DeskRig) -> String {
    guichet_store::link::link(rig.desk.store().reader())
        .unwrap()
        .unwrap()
        .device_id
}

#[test]
fn the_console_in_chromium_resolves_a_conflict_revokes_a_desk_and_enrols_one() {
    let axe_src = axe_source();
    let (dir, db) = temp_db();
    staff_add(&db, "sup-anne", "admin");
    // The demo's pack draw, run for real (commitment, 4 registrations, close, first wave).
    let draw_dir = dir.path().join("draw");
    std::fs::create_dir_all(&draw_dir).unwrap();
    cli(
        &db,
        &["seed-demo", "--draw-dir", draw_dir.to_str().unwrap()],
    );
    let server = ServerProcess::start(&db);
    let base = server.base.clone();
    let rt = runtime(2);

    // Two desks: North sells online; South borrows seats and sells offline.
    let mut north = DeskRig::enrolled("North", 0xA1, &base, &db);
    let mut south = DeskRig::enrolled("South", 0xB2, &base, &db);
    south.borrow(&["FBL06"], 5);
    let fan = north.walk_in();
    let north_sync = north.sync_task(&rt, 100);
    let south_sync = south.sync_task(&rt, 100);
    for (who, s) in [("North", &north_sync), ("South", &south_sync)] {
        let st = s.sync_now_and_wait(WAIT);
        assert!(st.online && st.waiting == 0, "{who} is in step: {st:?}");
    }
    south.desk.disconnect_server();

    let driver = Driver::start();
    let b = driver.browser(&dir.path().join("profile"), "en");
    b.script_timeout(60_000);

    // A wrong password is refused, with the page saying so; the right one signs in.
    sign_in(&b, &base, "sup-anne", "not the password");
    let said = b.text("p.error[role=alert]");
    assert!(
        said.contains("wrong") || said.contains("incorrect") || said.contains("left"),
        "the sign-in page says the password was refused: {said}"
    );
    assert!(
        b.cookie("guichet_session").is_none(),
        "a refused sign-in gives no session"
    );
    sign_in(&b, &base, "sup-anne", PASSWORD);
    assert!(
        b.cookie("guichet_session").is_some() && !b.url().ends_with("/sign-in"),
        "the right password signs in: at {}",
        b.url()
    );

    // North sells the fan 30 online; South, offline and not knowing, sells one more.
    for s in ["FBL01", "FBL02", "FBL03", "FBL04", "FBL05"] {
        let r = north.sell(&fan, s, 6).unwrap();
        assert!(!r.offline, "North sells online: {r:?}");
    }
    let st = north_sync.sync_now_and_wait(WAIT);
    assert!(
        st.online && st.waiting == 0,
        "North's sales are pushed: {st:?}"
    );
    let over = south.sell(&fan, "FBL06", 1).unwrap();
    assert!(over.offline, "South sells from its allotment: {over:?}");
    let over_ticket = over.tickets[0].0.clone();
    b.goto(&format!("{base}/console/conflicts"));
    assert!(
        !b.text("main").contains(&over.order_id),
        "no conflict before South's push"
    );
    let st = south_sync.sync_now_and_wait(WAIT);
    assert!(
        st.online && st.waiting == 0,
        "South's push is taken: {st:?}"
    );

    // The conflict appears; the supervisor voids it in the page.
    b.goto(&format!("{base}/console/conflicts"));
    let section = b.find("main section");
    let text = b.text_of(&section);
    assert!(
        text.contains(&over.order_id) && text.contains(&over_ticket) && text.contains(fan.as_str()),
        "the conflict names the order, its ticket and the account: {text}"
    );
    assert!(
        text.contains("30"),
        "the conflict gives the 30-ticket cap's numbers: {text}"
    );
    b.click(&b.find_in(&section, "select[name=decision] option[value=void]"));
    b.type_into(
        &b.find_in(&section, "input[name=reason]"),
        "31st ticket, fan agreed",
    );
    b.click_and_wait(&b.find_in(&section, "button[type=submit]"));
    let text = b.text("main section");
    assert!(
        text.contains("Resolved") && text.contains("void") && text.contains("sup-anne"),
        "the page shows the decision, with who: {text}"
    );

    // North's next pull carries the void to its revocation list.
    let st = north_sync.sync_now_and_wait(WAIT);
    assert!(st.online, "North pulls: {st:?}");
    let revoked = north.count(&format!(
        "SELECT count(*) FROM server_revocation WHERE ticket_id = '{over_ticket}'"
    ));
    assert_eq!(
        revoked, 1,
        "the voided ticket is on North's revocation list (server_revocation) after its pull"
    );

    // South sells one more before it goes missing; it is pushed.
    let other_fan = south.walk_in();
    let before = south.sell(&other_fan, "FBL06", 1).unwrap();
    let st = south_sync.sync_now_and_wait(WAIT);
    assert!(
        st.online && st.waiting == 0,
        "South's sale before the theft is pushed: {st:?}"
    );

    // The supervisor revokes South in the page.
    let south_id = device_id(&south);
    b.goto(&format!("{base}/console/devices"));
    let form = b.find(&format!(
        "form[action='/console/devices/{south_id}/revoke']"
    ));
    b.type_into(
        &b.find_in(&form, "input[name=reason]"),
        "stolen from desk 4",
    );
    b.click_and_wait(&b.find_in(&form, "button[type=submit]"));
    let page = b.text("main");
    assert!(
        page.contains("Revoked as of") && page.contains("stolen from desk 4"),
        "the devices page shows South revoked, and why: {page}"
    );

    // An hour later the thief sells; the push is refused and shown in the console.
    south
        .clock
        .advance(SignedDuration::from_hours(1) + SignedDuration::from_mins(1));
    let after = south.sell(&other_fan, "FBL06", 1).unwrap();
    let st = south_sync.sync_now_and_wait(WAIT);
    let err = st.last_error.clone().unwrap_or_default();
    assert!(
        !st.online && err.contains("revoked") && st.waiting == 1,
        "the revoked desk's push is refused, saying so, and kept: {st:?}"
    );
    b.goto(&format!("{base}/console/devices"));
    let page = b.text("main");
    assert!(
        page.contains("POST /v1/sync/push"),
        "the devices page shows the refused push: {page}"
    );

    let north_row = b.execute(
        "return [...document.querySelectorAll('main table tbody tr')].map(r => r.innerText.replace(/\\s+/g, ' ')).find(t => t.startsWith('North')) || '';",
        json!([]),
    );
    assert!(
        north_row.as_str().unwrap_or("").contains(" 5 batch of 5 "),
        "North's row says its last push carried its 5 waiting sales in one batch: {north_row}"
    );

    // The gate lists, downloaded with the browser's session: REVOKED KEY after, VALID before.
    let gate = dir.path().join("gate");
    std::fs::create_dir_all(&gate).unwrap();
    let session = b.cookie("guichet_session").unwrap();
    let http = reqwest::blocking::Client::new();
    for file in ["keys.json", "revoked.json"] {
        b.find(&format!("a[href='/console/gate-lists/{file}']"));
        let res = http
            .get(format!("{base}/console/gate-lists/{file}"))
            .header("cookie", format!("guichet_session={session}"))
            .send()
            .unwrap();
        assert_eq!(res.status().as_u16(), 200, "{file} downloads");
        std::fs::write(gate.join(file), res.bytes().unwrap()).unwrap();
    }
    let (code, said) = verify(&gate, &qr_of(&south, &after.tickets[0].0));
    assert!(
        code == 1 && said.starts_with("REVOKED KEY"),
        "a ticket signed after the revocation is refused at the gate: {code} {said}"
    );
    let (code, said) = verify(&gate, &qr_of(&south, &before.tickets[0].0));
    assert!(
        code == 0 && said.starts_with("VALID"),
        "a ticket signed before it stays valid: {code} {said}"
    );

    // An enrolment code made in the page enrols a new desk.
    b.goto(&format!("{base}/console/devices"));
    let form = b.find("form[action='/console/devices/enrolment-code']");
    b.click(&b.find_in(&form, "option[value=box-office]"));
    b.click_and_wait(&b.find_in(&form, "button[type=submit]"));
    let code = b.text("#enrolment-code");
    assert!(!code.is_empty(), "the page shows the code as text");
    assert!(
        b.execute(
            "return document.querySelector('figure svg') !== null;",
            json!([])
        ) == json!(true),
        "and as a QR code"
    );
    let shots = shots_dir(dir.path());
    let bad = axe(&b, &axe_src);
    assert!(
        bad.is_empty(),
        "the enrolment code page passes axe-core: {bad:#?}"
    );
    photograph(&b, &shots, "console-enrolment-code-en", 1280);
    let east = DeskRig::enrolled_with("East", 0xE5, &base, &code);
    b.goto(&format!("{base}/console/devices"));
    assert!(
        b.text("main").contains("East") && b.text("main").contains(&device_id(&east)),
        "the new desk is on the devices page"
    );

    // What the other pages show of it: the overview's numbers and charts, who holds the lent
    // seats, the fan's orders.
    b.goto(&format!("{base}/console/overview"));
    let sold = b.text("#sold");
    assert_eq!(
        sold, "31",
        "the overview counts North's 30 and South's sale before the theft (the void is gone)"
    );
    let charts = b.execute(
        "return [...document.querySelectorAll('svg.chart')].map(s => s.querySelectorAll('rect').length);",
        json!([]),
    );
    assert_eq!(
        charts,
        json!([1, 1]),
        "two charts, sales by hour and by sport, each one bar (one hour, one sport so far)"
    );
    assert!(
        b.text("main").contains("Football"),
        "sales by sport name the sport: {}",
        b.text("main")
    );
    b.goto(&format!("{base}/console/inventory"));
    b.click(&b.find("#sport option[value='Football']"));
    b.click(&b.find("#day option[value='2024-07-24']"));
    b.click(&b.find("#venue option[value='Lyon Stadium']"));
    b.click_and_wait(&b.find("main form button[type=submit]"));
    let rows = b.execute(
        "return [...document.querySelectorAll('main tbody tr')].map(r => r.innerText.replace(/\\s+/g, ' ').trim());",
        json!([]),
    );
    let rows: Vec<String> = serde_json::from_value(rows).unwrap();
    assert!(
        !rows.is_empty()
            && rows
                .iter()
                .all(|r| r.contains("FBL06") && r.contains("Lyon Stadium")),
        "the filters by sport, day and venue leave Lyon's football of 24 July: {rows:?}"
    );
    assert!(
        rows.iter()
            .any(|r| r.contains(" D ") && r.contains("South 3")),
        "the inventory says which device holds FBL06 D's lent seats: {rows:?}"
    );
    b.goto(&format!("{base}/console/accounts?q={}", fan.as_str()));
    let page = b.text("main");
    assert!(
        page.contains(&over.order_id) && page.contains("offline") && page.contains("0 / 1"),
        "the fan's orders, the voided offline one with 0 valid / 1 void: {page}"
    );

    // The draws page: the demo draw's commitment, count and fingerprint; its first wave
    // verified from the page against the registration list.
    b.goto(&format!("{base}/console/draws"));
    let section = b.find("section[aria-labelledby='draw-pack-draw']");
    let text = b.text_of(&section);
    assert!(
        text.contains("Registrations\n4") || text.contains("Registrations 4"),
        "the pack draw shows its 4 registrations: {text}"
    );
    assert!(
        !text.contains("not committed yet") && !text.contains("not closed yet"),
        "and its commitment and fingerprint: {text}"
    );
    b.click_and_wait(&b.find_in(
        &section,
        "form[action='/console/draws/pack-draw/verify'] button",
    ));
    let said = b.text("#draw-result");
    assert!(
        said.contains("pack-draw wave 1: MATCH"),
        "the stored transcript recomputes from the list: {said}"
    );

    // An admin runs the draw's next wave from the page (the secret file `draw commit` wrote,
    // the committed round's signature), then verifies it.
    b.goto(&format!("{base}/console/draws"));
    let form = b.find("form[action='/console/draws/pack-draw/run']");
    let secret = draw_dir.join("pack-draw.secret");
    b.type_into(
        &b.find_in(&form, "input[name=secret]"),
        secret.to_str().unwrap(),
    );
    b.type_into(
        &b.find_in(&form, "input[name=signature]"),
        guichet_draw::beacon::RECORDED_ROUND_123.1,
    );
    b.click_and_wait(&b.find_in(&form, "button[type=submit]"));
    let said = b.text("#draw-result");
    assert!(
        said.contains("pack-draw: wave 2 run on 4 registrations"),
        "the page runs wave 2 and says so: {said}"
    );
    b.goto(&format!("{base}/console/draws"));
    b.click_and_wait(
        &b.find("form[action='/console/draws/pack-draw/verify'] input[value='2'] ~ button"),
    );
    let said = b.text("#draw-result");
    assert!(
        said.contains("pack-draw wave 2: MATCH"),
        "wave 2's transcript recomputes from the list: {said}"
    );
    b.goto(&format!("{base}/console/audit"));
    let audit = b.text("main");
    assert!(
        audit.contains("draw.run") && audit.contains("draw.verify"),
        "the run and the checks are in the audit log: {audit}"
    );

    // Every page, in both languages: axe-core, and photographs.
    let fan_q = format!("/console/accounts?q={}", fan.as_str());
    let pages: &[(&str, &str)] = &[
        ("overview", "/console/overview"),
        ("devices", "/console/devices"),
        ("conflicts", "/console/conflicts"),
        (
            "inventory",
            "/console/inventory?sport=Football&day=2024-07-24",
        ),
        ("accounts", &fan_q),
        ("draws", "/console/draws"),
        ("audit", "/console/audit"),
        ("not-found", "/console/nowhere"),
    ];
    for lang in ["en", "fr"] {
        for (page, path) in pages {
            check_page(&b, &base, &axe_src, &shots, page, path, lang);
        }
    }
    let out = driver.browser(&dir.path().join("profile2"), "fr");
    out.script_timeout(60_000);
    for lang in ["en", "fr"] {
        check_page(
            &out,
            &base,
            &axe_src,
            &shots,
            "sign-in",
            "/console/sign-in",
            lang,
        );
    }
    drop(out);
    drop(b);
    north_sync.stop_blocking(WAIT);
    south_sync.stop_blocking(WAIT);
    drop(server);
}
