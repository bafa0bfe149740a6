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
    // camelCase and kebab-case are what ui/src/lib/appInfo.ts reads; a rename breaks the screen.
    assert_eq!(
        answer,
        json!({ "version": env!("CARGO_PKG_VERSION"), "deviceKind": "box-office" })
    );
}

#[test]
fn app_info_reports_the_configured_kiosk() {
    let config = AppConfig {
        device_kind: DeviceKind::Kiosk,
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
