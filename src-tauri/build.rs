//! Reads tauri.conf.json and the capabilities, and prepares the context `generate_context!` embeds.
fn main() {
    tauri_build::build();
}
