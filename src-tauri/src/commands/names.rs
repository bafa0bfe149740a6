// Every app command, by who may call it. One list for three readers: `build.rs` declares each
// name to Tauri (so each gets an `allow-<name>` permission and no window reaches a command its
// capability does not grant), the kiosk guard in `commands/mod.rs` refuses `STAFF` on a kiosk
// device, and the tests compare the lists with `staff.rs`, `kiosk.rs`, `common.rs`, the
// handler in `commands/mod.rs` and `capabilities/*.json`.
//
// Plain consts and `//` comments only: `build.rs` reads this file with `include!`.

/// Commands of the box-office window only (`capabilities/box-office.json`): staff functions.
pub const STAFF: &[&str] = &[
    "sign_in",
    "sign_out",
    "look_up",
    "account",
    "create_walk_in",
    "quote",
    "sell",
    "order",
    "order_pdf",
    "save_pdf",
    "save_pdf_to_documents",
    "print_order",
    "print_shift_report",
    "void_order",
    "reissue",
    "open_shift",
    "shift_report",
    "close_shift",
    "dashboard",
    "scan",
    "get_settings",
    "save_settings",
    "enrol",
    "sync_now",
    "register_for_draw",
];

/// Commands of the kiosk window only (`capabilities/kiosk.json`): the self-service flow.
pub const KIOSK: &[&str] = &[
    "kiosk_status",
    "kiosk_identify",
    "kiosk_quote",
    "kiosk_buy",
    "kiosk_progress",
    "kiosk_wipe",
    "kiosk_unlock",
    "kiosk_maintenance",
    "kiosk_speak",
];

/// Commands both windows call: what the device is, the status, the language, the sessions.
pub const COMMON: &[&str] = &["app_info", "status", "choose_language", "sessions"];
