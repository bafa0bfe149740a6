//! Reads tauri.conf.json and the capabilities, and prepares the context `generate_context!` embeds.
include!("src/commands/names.rs");

fn main() {
    // Declaring the app's commands makes Tauri check each call against the calling window's
    // capabilities (`capabilities/*.json`): undeclared, every command is open to every window.
    let all: Vec<&'static str> = STAFF.iter().chain(KIOSK).chain(COMMON).copied().collect();
    let manifest = tauri_build::AppManifest::new().commands(all.leak());
    println!("cargo:rerun-if-changed=src/commands/names.rs");
    if let Err(e) = tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest)) {
        // tauri.conf.json, a capability or a permission name is wrong: say which, then stop.
        eprintln!("tauri-build: {e:#}");
        std::process::exit(1);
    }
}
