//! The UI's commands through Tauri's real IPC path, on the mock runtime: no window, no display.

use guichet_app::{AppConfig, DeviceKind};
use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::WebviewWindowBuilder;

/// Invokes `cmd` the way `@tauri-apps/api`'s `invoke` does, from a window labelled like the app's.
fn invoke(config: AppConfig, cmd: &str) -> Result<Value, Value> {
    // On Linux the app's own pages are served from this origin.
    invoke_from(config, cmd, "tauri://localhost")
}

/// One app on the mock runtime, for a sequence of calls with arguments.
struct Mock {
    _app: tauri::App<tauri::test::MockRuntime>,
    window: tauri::WebviewWindow<tauri::test::MockRuntime>,
}

impl Mock {
    fn new(config: AppConfig) -> Self {
        let app = guichet_app::builder(mock_builder(), config)
            .build(mock_context(noop_assets()))
            .expect("the shell's builder must build on the mock runtime");
        let window = WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .expect("a mock window opens");
        Mock { _app: app, window }
    }

    fn call(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        let request = InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().expect("a valid URL"),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_owned(),
        };
        get_ipc_response(&self.window, request)
            .map(|body| body.deserialize::<Value>().expect("commands answer JSON"))
    }
}

/// A demo desk in a fresh temporary directory, its clock fixed inside the pack sale.
fn demo_config(dir: &std::path::Path) -> AppConfig {
    AppConfig {
        desk_path: Some(dir.join("desk.sqlite")),
        demo: true,
        now: guichet_app::parse_instant("2023-02-20T10:00[Europe/Paris]"),
        clock_fixed: true,
        ..AppConfig::default()
    }
}

/// Same, from a page at `origin`.
fn invoke_from(config: AppConfig, cmd: &str, origin: &str) -> Result<Value, Value> {
    let app = guichet_app::builder(mock_builder(), config)
        .build(mock_context(noop_assets()))
        .expect("the shell's builder must build on the mock runtime");
    let window = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("a mock window opens");
    let request = InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: origin.parse().expect("a valid URL"),
        body: InvokeBody::default(),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_owned(),
    };
    get_ipc_response(&window, request)
        .map(|body| body.deserialize::<Value>().expect("commands answer JSON"))
}

#[test]
fn app_info_reports_the_crate_version_and_a_box_office_by_default() {
    let answer = invoke(AppConfig::default(), "app_info").expect("app_info cannot fail");
    // camelCase and kebab-case are what ui/src/lib/bindings.ts declares; a rename breaks the screen.
    assert_eq!(answer["version"], json!(env!("CARGO_PKG_VERSION")));
    assert_eq!(answer["deviceKind"], json!("box-office"));
    assert_eq!(
        answer["clockSimulated"],
        json!(false),
        "no GUICHET_NOW: the machine clock"
    );
    assert_eq!(answer["demo"], Value::Null, "not a demo desk unless told");
}

#[test]
fn app_info_reports_the_configured_kiosk() {
    let config = AppConfig {
        device_kind: DeviceKind::Kiosk,
        ..AppConfig::default()
    };
    let answer = invoke(config, "app_info").expect("app_info cannot fail");
    assert_eq!(
        answer["deviceKind"], "kiosk",
        "the UI picks the kiosk screens from this field"
    );
}

#[test]
fn an_unregistered_command_is_refused() {
    // Proves the harness reaches the real command router rather than answering everything.
    let refused = invoke(AppConfig::default(), "sell_everything");
    let error = refused.expect_err("only registered commands may answer");
    // Tauri's wording; it tells this refusal apart from the ACL's "not allowed".
    assert!(
        error.to_string().contains("not found"),
        "refused as unknown: {error}"
    );
}

#[test]
fn a_page_from_another_origin_cannot_call_the_app() {
    // Should the webview ever be navigated away (a link, a redirect), that page must not reach
    // the till: no capability grants remote origins anything.
    let refused = invoke_from(
        AppConfig::default(),
        "app_info",
        "https://guichet.example.com",
    );
    let error = refused.expect_err("a remote origin must not be answered");
    // Refused by the ACL (Tauri's wording), not for some accident of the harness.
    assert!(
        error.to_string().contains("not allowed"),
        "refused by the ACL: {error}"
    );
}

#[test]
fn a_wrong_pin_is_a_sentence_with_the_attempts_left_and_french_when_chosen() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mock = Mock::new(demo_config(dir.path()));
    let refused = mock
        .call("sign_in", json!({ "staffId": "S-SELL", "pin": "0000" }))
        .expect_err("a wrong PIN must be refused");
    assert_eq!(refused["code"], "WRONG_PIN");
    assert!(
        refused["message"].as_str().unwrap().contains("4 attempt"),
        "names what is left: {refused}"
    );
    mock.call(
        "save_settings",
        json!({ "settings": { "serverUrl": "", "printer": "PDF", "language": "fr" } }),
    )
    .expect("settings save beside the desk file");
    let refused = mock
        .call("sign_in", json!({ "staffId": "S-SELL", "pin": "0000" }))
        .expect_err("still wrong");
    assert!(
        refused["message"].as_str().unwrap().contains("Code erroné"),
        "the chosen language reaches the sentence: {refused}"
    );
}

#[test]
fn a_pack_over_the_30_ticket_cap_is_refused_line_by_line_then_sold_and_voided() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mock = Mock::new(demo_config(dir.path()));
    mock.call("sign_in", json!({ "staffId": "S-SELL", "pin": "1234" }))
        .expect("the demo seller signs in");
    let found = mock
        .call("look_up", json!({ "query": "jean dupr" }))
        .expect("look-up answers");
    assert!(
        found["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"] == guichet_app::DEMO_HOLDER),
        "accent-less name prefix finds the demo holder: {found}"
    );
    let account = mock
        .call("account", json!({ "id": guichet_app::DEMO_HOLDER }))
        .expect("the account opens");
    assert_eq!(
        account["olympicHeld"], 12,
        "seeded as holding 12 Olympic tickets"
    );

    let list = mock
        .call("sessions", json!({ "query": { "onSaleNow": true } }))
        .expect("the browser answers");
    let codes: Vec<String> = list["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .take(3)
        .map(|s| s["code"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(codes.len(), 3, "three sessions on sale at the demo desk");
    let order = |qty: [u32; 3]| {
        json!({ "account": guichet_app::DEMO_HOLDER, "kind": "pack", "lines": [
            { "session": codes[0], "category": "C", "quantity": qty[0] },
            { "session": codes[1], "category": "C", "quantity": qty[1] },
            { "session": codes[2], "category": "C", "quantity": qty[2] },
        ]})
    };
    let over = mock
        .call("quote", json!({ "order": order([6, 6, 7]) }))
        .expect("a refusal is an answer, not an error");
    assert_eq!(over["accepted"], false);
    let violations = over["violations"].as_array().unwrap();
    let cap = violations
        .iter()
        .find(|v| v["code"] == "ACCOUNT_CAP")
        .expect("12 held + 19 = 31 breaks the 30 cap");
    assert!(cap["message"].as_str().unwrap().contains("30"), "{cap}");

    mock.call("open_shift", json!({ "floatCents": 15000 }))
        .expect("a shift opens");
    let quote = mock
        .call("quote", json!({ "order": order([6, 6, 6]) }))
        .expect("quote");
    assert_eq!(quote["accepted"], true, "exactly 30: {quote}");
    let total = quote["totalCents"].as_i64().unwrap();
    let sale = mock
        .call(
            "sell",
            json!({ "order": order([6, 6, 6]), "tender": { "cardCents": 0, "cashCents": total + 1000 } }),
        )
        .expect("the sale goes through");
    assert_eq!(sale["changeCents"], 1000);
    assert_eq!(sale["tickets"], 18);
    let order_id = sale["orderId"].as_str().unwrap().to_string();

    let wrong = mock
        .call(
            "void_order",
            json!({ "void": { "orderId": order_id, "ticketIds": [], "supervisor": "S-SELL", "supervisorPin": "1234", "reason": "test" } }),
        )
        .expect_err("a seller cannot approve a void");
    assert_eq!(wrong["code"], "NOT_SUPERVISOR");
    let voided = mock
        .call(
            "void_order",
            json!({ "void": { "orderId": order_id, "ticketIds": [], "supervisor": "S-SUP", "supervisorPin": "9876", "reason": "customer changed their mind" } }),
        )
        .expect("the supervisor approves");
    assert_eq!(voided["revoked"], 18);
    assert_eq!(voided["cashRefundCents"], total);
    let status = mock.call("status", json!({})).expect("status");
    assert!(
        status["waiting"].as_u64().unwrap() >= 2,
        "the sale and the void wait in the outbox: {status}"
    );
    assert_eq!(status["online"], false);
}

#[test]
fn a_missing_printer_is_a_sentence_and_refund_and_reissue_need_a_supervisor() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut config = demo_config(dir.path());
    config.printer = Some("NO-SUCH-QUEUE".into());
    let mock = Mock::new(config);
    mock.call("sign_in", json!({ "staffId": "S-SELL", "pin": "1234" }))
        .expect("sign in");
    mock.call("open_shift", json!({ "floatCents": 0 }))
        .expect("open shift");
    let list = mock
        .call("sessions", json!({ "query": { "onSaleNow": true } }))
        .expect("sessions");
    let s = |i: usize| list["sessions"][i]["code"].clone();
    let order = json!({ "account": "P24-0000020", "kind": "pack", "lines": [
        { "session": s(0), "category": "D", "quantity": 1, "holders": ["Zoé Martin"] },
        { "session": s(1), "category": "D", "quantity": 1 },
        { "session": s(2), "category": "D", "quantity": 1 },
    ]});
    let q = mock
        .call("quote", json!({ "order": order }))
        .expect("quote");
    let total = q["totalCents"].as_i64().unwrap();
    let sale = mock
        .call(
            "sell",
            json!({ "order": order, "tender": { "cardCents": total, "cashCents": 0 } }),
        )
        .expect("a card sale");
    assert!(
        sale["cardReference"].is_string(),
        "the terminal's reference: {sale}"
    );
    let order_id = sale["orderId"].as_str().unwrap();

    let refused = mock
        .call("print_order", json!({ "orderId": order_id }))
        .expect_err("there is no such queue");
    assert_eq!(refused["code"], "PRINT");
    let message = refused["message"].as_str().unwrap();
    assert!(
        message.contains("NO-SUCH-QUEUE")
            && message.contains("Settings")
            && message.contains("the sale is recorded"),
        "a sentence with the way out, not lp's raw words: {message}"
    );

    let view = mock
        .call("order", json!({ "orderId": order_id }))
        .expect("the order");
    assert_eq!(
        view["tickets"][0]["holder"], "Zoé Martin",
        "a holder name typed on the line is on its ticket"
    );
    assert_ne!(
        view["tickets"][1]["holder"], "Zoé Martin",
        "the other tickets are in the buyer's name"
    );
    let tickets: Vec<String> = view["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect();
    let refund = mock
        .call(
            "void_order",
            json!({ "void": { "orderId": order_id, "ticketIds": [tickets[0]], "supervisor": "S-SUP", "supervisorPin": "9876", "reason": "one fan cannot come" } }),
        )
        .expect("a one-ticket refund");
    assert_eq!(refund["revoked"], 1);
    assert_eq!(
        refund["cardRefundCents"].as_i64().unwrap() + refund["cashRefundCents"].as_i64().unwrap(),
        view["tickets"][0]["priceCents"].as_i64().unwrap(),
        "the refund is the ticket's price"
    );
    let new_id = mock
        .call(
            "reissue",
            json!({ "reissue": { "ticketId": tickets[1], "newHolder": "Zoé Martin", "supervisor": "S-SUP", "supervisorPin": "9876" } }),
        )
        .expect("a reissue");
    assert_ne!(new_id.as_str().unwrap(), tickets[1], "a new ticket id");
    let after = mock
        .call("order", json!({ "orderId": order_id }))
        .expect("the order again");
    let states: Vec<&str> = after["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["status"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["void", "reissued", "valid", "valid"]);

    // The ticket layout chosen in Settings: A4 by default, thermal stock when chosen.
    let media_box = |mock: &Mock| {
        let pdf = mock
            .call("order_pdf", json!({ "orderId": order_id }))
            .expect("the order's PDF");
        let bytes = std::fs::read(pdf["path"].as_str().unwrap()).expect("the PDF on disk");
        let text = String::from_utf8_lossy(&bytes);
        let at = text.find("MediaBox[0 0 ").expect("a page size");
        text[at + 13..].split(']').next().unwrap().to_string()
    };
    assert!(media_box(&mock).starts_with("595."), "A4 is 595 pt wide");
    let mut settings = mock.call("get_settings", json!({})).expect("settings");
    assert_eq!(settings["layout"], "a4");
    settings["layout"] = json!("thermal");
    mock.call("save_settings", json!({ "settings": settings }))
        .expect("the thermal layout is saved");
    let thermal = media_box(&mock);
    assert!(
        thermal.starts_with("396"),
        "thermal stock is 5.5 in (396 pt) across: {thermal}"
    );
    settings["layout"] = json!("roll");
    let refused = mock
        .call("save_settings", json!({ "settings": settings }))
        .expect_err("an unknown layout is refused");
    assert_eq!(refused["code"], "BAD_INPUT");
}

#[test]
fn a_demo_desk_with_made_up_data_is_not_enrolled_with_a_server() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mock = Mock::new(demo_config(dir.path()));
    mock.call("sign_in", json!({ "staffId": "S-SELL", "pin": "1234" }))
        .expect("sign in on the seeded demo desk");
    // Port 9 (discard) on loopback: the refusal must come before any network call.
    let refused = mock
        .call(
            "enrol",
            json!({ "enrol": { "serverUrl": "http://127.0.0.1:9", "code": "0123456789abcdef0123", "name": "Test" } }),
        )
        .expect_err("made-up accounts must not reach a server");
    assert_eq!(refused["code"], "DEMO_DESK", "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("new desk file"),
        "says the way out: {refused}"
    );
    let status = mock.call("status", json!({})).expect("status");
    assert_eq!(status["enrolled"], false);
    let bad = mock
        .call(
            "enrol",
            json!({ "enrol": { "serverUrl": "127.0.0.1:9", "code": "x", "name": "" } }),
        )
        .expect_err("a URL without http:// is refused");
    assert_eq!(bad["code"], "BAD_INPUT");
}

/// `cmd` from the window `label` of an app built on `context`, with no arguments.
fn call_from_window(
    app: &tauri::App<tauri::test::MockRuntime>,
    label: &str,
    cmd: &str,
) -> Result<Value, Value> {
    let window = match tauri::Manager::get_webview_window(app, label) {
        Some(w) => w,
        None => WebviewWindowBuilder::new(app, label, Default::default())
            .build()
            .expect("a mock window opens"),
    };
    let request = InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: "tauri://localhost".parse().expect("a valid URL"),
        body: InvokeBody::default(),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_owned(),
    };
    get_ipc_response(&window, request)
        .map(|body| body.deserialize::<Value>().expect("commands answer JSON"))
}

fn kiosk_config(dir: &std::path::Path) -> AppConfig {
    AppConfig {
        device_kind: DeviceKind::Kiosk,
        ..demo_config(dir)
    }
}

#[test]
fn on_a_kiosk_every_staff_command_is_refused_by_the_shell_even_from_a_window_allowed_everything() {
    // The mock context declares no command, so its window may call all of them: only the
    // shell's own guard stands between it and the staff functions, as it would behind a wrong
    // capability file. It answers before the arguments are even read.
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mock = Mock::new(kiosk_config(dir.path()));
    for cmd in guichet_app::STAFF {
        let refused = mock
            .call(cmd, json!({}))
            .expect_err(&format!("{cmd} must not run on a kiosk"));
        assert_eq!(
            refused["code"], "STAFF_ONLY_ON_KIOSK",
            "{cmd}: refused by the guard with its code, not by a missing argument: {refused}"
        );
    }
    let info = mock
        .call("app_info", json!({}))
        .expect("a common command runs on a kiosk");
    assert_eq!(
        info["deviceKind"], "kiosk",
        "the guard let a common command through"
    );
}

#[test]
fn the_kiosk_window_is_not_allowed_any_staff_command_by_its_capability() {
    // The real context: tauri.conf.json, the declared commands and capabilities/*.json. The
    // device is a box office here, so the guard would let everything through: this is the
    // capability alone.
    let dir = tempfile::tempdir().expect("a temporary directory");
    let app = guichet_app::builder(mock_builder(), demo_config(dir.path()))
        .build(guichet_app::context())
        .expect("the shell builds on its real context");
    for cmd in guichet_app::STAFF {
        let refused = call_from_window(&app, "kiosk", cmd)
            .expect_err(&format!("{cmd} must not answer the kiosk window"));
        assert!(
            refused.to_string().contains("not allowed"),
            "{cmd}: refused by the ACL (Tauri's wording): {refused}"
        );
    }
    for cmd in ["app_info", "status"] {
        call_from_window(&app, "kiosk", cmd)
            .unwrap_or_else(|e| panic!("{cmd} is common: the kiosk window may call it: {e}"));
    }
    // The box-office window on the same context: its staff commands answer.
    let settings = call_from_window(&app, "main", "get_settings")
        .expect("the box-office window is granted the staff commands");
    assert!(
        settings["language"].is_string(),
        "the settings came back: {settings}"
    );
    let refused = call_from_window(&app, "elsewhere", "app_info")
        .expect_err("a window no capability names is granted nothing");
    assert!(refused.to_string().contains("not allowed"), "{refused}");
}

#[test]
fn a_demo_kiosk_never_shows_the_staff_ids_and_pins() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let kiosk = invoke(kiosk_config(dir.path()), "app_info").expect("app_info cannot fail");
    assert_eq!(
        kiosk["demo"],
        Value::Null,
        "a kiosk's screen must not show staff PINs: {kiosk}"
    );
    let dir = tempfile::tempdir().expect("a temporary directory");
    let desk = invoke(demo_config(dir.path()), "app_info").expect("app_info cannot fail");
    assert_eq!(
        desk["demo"]["supervisor"], "S-SUP",
        "the box office's sign-in shows them: {desk}"
    );
}

#[test]
fn speech_is_a_kiosk_command_and_refuses_a_language_it_does_not_speak_with_its_code() {
    // The real context: the box-office window is not granted the kiosk's speech.
    let dir = tempfile::tempdir().expect("a temporary directory");
    let app = guichet_app::builder(mock_builder(), demo_config(dir.path()))
        .build(guichet_app::context())
        .expect("the shell builds on its real context");
    let refused = call_from_window(&app, "main", "kiosk_speak")
        .expect_err("kiosk_speak must not answer the box-office window");
    assert!(
        refused.to_string().contains("not allowed"),
        "kiosk_speak: refused to the box office by the ACL: {refused}"
    );
    // On a kiosk: a language the kiosk does not speak is refused in words, nothing is said.
    let kiosk = tempfile::tempdir().expect("a temporary directory");
    let mock = Mock::new(kiosk_config(kiosk.path()));
    let refused = mock
        .call("kiosk_speak", json!({"text": "Hallo", "lang": "de"}))
        .expect_err("German is not a kiosk language");
    assert_eq!(
        refused["code"], "SPEECH",
        "the refusal has speech's code: {refused}"
    );
    assert!(
        refused["message"]
            .as_str()
            .is_some_and(|m| m.contains("\"de\"") && m.contains("SPEECH_LANGUAGE")),
        "the sentence names the language and the rule: {refused}"
    );
}
