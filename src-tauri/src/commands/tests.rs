//! The command lists against the code: a command added to `staff.rs` but not to
//! `names::STAFF` (so neither declared in `build.rs` nor guarded) fails here, and so does a
//! capability file that grants a window more than its lists.

use std::collections::BTreeSet;

use super::{staff_guard, COMMON, KIOSK, STAFF};
use crate::config::DeviceKind;

fn source(file: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// The names of the `#[tauri::command]` functions of a source file.
fn commands_in(file: &str) -> BTreeSet<String> {
    let text = source(file);
    let mut found = BTreeSet::new();
    let mut after_attribute = false;
    for line in text.lines().map(str::trim) {
        if line == "#[tauri::command]" {
            after_attribute = true;
        } else if after_attribute && !line.starts_with("#[") && !line.starts_with("///") {
            let rest = line
                .trim_start_matches("pub ")
                .trim_start_matches("async ")
                .trim_start_matches("fn ");
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            found.insert(name);
            after_attribute = false;
        }
    }
    found
}

/// The `module::name` entries of the handler in `commands/mod.rs`, for one module.
fn handled(module: &str) -> BTreeSet<String> {
    let text = source("src/commands/mod.rs");
    let open = "generate_handler![";
    let start = text.find(open).expect("the handler lists the commands") + open.len();
    let list = &text[start..start + text[start..].find(']').expect("the list ends")];
    list.split(',')
        .filter_map(|item| item.trim().strip_prefix(&format!("{module}::")))
        .map(str::to_string)
        .collect()
}

fn set(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn every_staff_command_is_refused_on_a_kiosk_with_a_code_and_passed_on_a_box_office() {
    assert!(!STAFF.is_empty(), "the box office has staff commands");
    for command in STAFF {
        let refused = staff_guard(DeviceKind::Kiosk, command, "en").expect_err(&format!(
            "{command} is a staff function: a kiosk must refuse it"
        ));
        assert_eq!(
            refused.code,
            crate::wire::FailureCode::StaffOnlyOnKiosk,
            "{command}: the UI and the tests switch on this code"
        );
        assert!(
            refused.message.contains(command),
            "{command}: the sentence names the refused function: {}",
            refused.message
        );
        let fr = staff_guard(DeviceKind::Kiosk, command, "fr").expect_err("refused in French too");
        assert!(
            fr.message.contains("borne"),
            "{command}: French: {}",
            fr.message
        );
        assert!(
            staff_guard(DeviceKind::BoxOffice, command, "en").is_ok(),
            "{command}: a box office runs its own staff functions"
        );
    }
    for command in KIOSK.iter().chain(COMMON) {
        assert!(
            staff_guard(DeviceKind::Kiosk, command, "en").is_ok(),
            "{command} is not a staff function: a kiosk runs it"
        );
    }
}

#[test]
fn the_lists_are_the_commands_of_staff_kiosk_and_common_rs_and_the_handler() {
    for (list, file, module) in [
        (STAFF, "src/commands/staff.rs", "staff"),
        (KIOSK, "src/commands/kiosk.rs", "kiosk"),
        (COMMON, "src/commands/common.rs", "common"),
    ] {
        assert_eq!(
            commands_in(file),
            set(list),
            "{file}'s #[tauri::command]s must be exactly its list in src/commands/names.rs \
             (which build.rs declares, the guard checks and the capabilities grant)"
        );
        assert_eq!(
            handled(module),
            set(list),
            "the handler in commands/mod.rs must register exactly the {module} list"
        );
    }
    let all: Vec<&str> = STAFF.iter().chain(KIOSK).chain(COMMON).copied().collect();
    assert_eq!(
        set(&all).len(),
        all.len(),
        "a command belongs to one list only"
    );
    assert!(
        source("build.rs").contains("include!(\"src/commands/names.rs\")")
            && source("build.rs").contains("STAFF.iter().chain(KIOSK).chain(COMMON)"),
        "build.rs declares the three lists of names.rs, so each command has its allow- permission"
    );
}

/// The permissions a capability file grants, and its windows.
fn capability(file: &str) -> (BTreeSet<String>, Vec<String>) {
    let v: serde_json::Value =
        serde_json::from_str(&source(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    let strings = |key: &str| -> Vec<String> {
        v[key]
            .as_array()
            .unwrap_or_else(|| panic!("{file}: {key} is a list"))
            .iter()
            .map(|p| {
                p.as_str()
                    .unwrap_or_else(|| panic!("{file}: {key}: strings"))
                    .to_string()
            })
            .collect()
    };
    (
        strings("permissions").into_iter().collect(),
        strings("windows"),
    )
}

fn allow(lists: &[&[&str]]) -> BTreeSet<String> {
    lists
        .iter()
        .flat_map(|l| l.iter())
        .map(|c| format!("allow-{}", c.replace('_', "-")))
        .collect()
}

#[test]
fn the_kiosk_window_is_granted_no_staff_command_and_the_box_office_no_kiosk_command() {
    let (kiosk, windows) = capability("capabilities/kiosk.json");
    assert_eq!(
        windows,
        [crate::KIOSK_WINDOW],
        "kiosk.json is the kiosk window's only"
    );
    assert_eq!(
        kiosk,
        allow(&[KIOSK, COMMON]),
        "the kiosk window gets the kiosk and common commands, nothing else"
    );
    let (box_office, windows) = capability("capabilities/box-office.json");
    assert_eq!(
        windows,
        [crate::MAIN_WINDOW],
        "box-office.json is the main window's only"
    );
    assert_eq!(
        box_office,
        allow(&[STAFF, COMMON]),
        "the box-office window gets the staff and common commands, nothing else"
    );
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("capabilities");
    let files: BTreeSet<String> = std::fs::read_dir(&dir)
        .expect("the capabilities folder")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    assert_eq!(
        files,
        set(&["box-office.json", "kiosk.json"]),
        "no other capability may grant a window anything"
    );
}
