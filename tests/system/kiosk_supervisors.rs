//! Supervisors for a kiosk's staff unlock: the real `guichet-desk` command line adds them to a
//! kiosk's own file (made by the kiosk's payment core, as the app makes it), and the unlock the
//! kiosk window calls (`Desk::supervisor_unlock`) then opens with a supervisor's PIN, refuses a
//! seller's, and locks a supervisor out after the desk's five wrong PINs.

use std::path::Path;
use std::process::{Command, Output};

use guichet_desk::{Desk, DeskParts, DeviceKey, FixedClock, Layout};
use guichet_domain::{Catalogue, SaleConfig};
use guichet_kiosk::{FileSinkPrinter, Kiosk, KioskParts, SimulatedTerminal};

const DESK: &str = env!("CARGO_BIN_EXE_guichet-desk-sut");

fn desk_cli(db: &Path, args: &[&str]) -> Output {
    Command::new(DESK)
        .args(["--db", db.to_str().unwrap()])
        .args(args)
        .env_remove("GUICHET_DESK_MIRROR_DIR")
        .output()
        .unwrap()
}

fn ok(out: Output, what: &str) {
    assert!(
        out.status.success(),
        "{what}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The kiosk's file as the app makes it: the payment core opens (and so creates) it.
fn kiosk_file(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("kiosk.sqlite");
    let parts = KioskParts {
        clock: Box::new(FixedClock::at("2024-01-10T09:00:00Z".parse().unwrap())),
        signer: Box::new(DeviceKey::from_seed([5; 32])),
        terminal: Box::new(SimulatedTerminal::new(dir.join("terminal.jsonl"))),
        printer: Box::new(FileSinkPrinter::new(dir.join("printed"))),
        catalogue: Catalogue::paris2024(),
        config: SaleConfig::paris2024(),
        layout: Layout::Thermal,
    };
    let k = Kiosk::open(&path, parts).expect("the kiosk's file is made");
    assert!(k.intents().unwrap().is_empty(), "a new kiosk file");
    path
}

#[test]
fn supervisors_added_with_the_desk_command_line_unlock_a_kiosk_and_nobody_else_does() {
    let dir = tempfile::tempdir().unwrap();
    let db = kiosk_file(dir.path());
    ok(
        desk_cli(
            &db,
            &[
                "init",
                "--id",
                "K-SUP",
                "--name",
                "Kim Responsable",
                "--new-pin",
                "2468",
            ],
        ),
        "the first supervisor of a kiosk's file",
    );
    let as_sup = ["--as", "K-SUP", "--pin", "2468"];
    for (id, role, pin) in [
        ("K-SUP2", "supervisor", "86420"),
        ("K-SELL", "seller", "1357"),
    ] {
        let mut args = as_sup.to_vec();
        args.extend([
            "add-operator",
            "--id",
            id,
            "--name",
            "Dominique Agent",
            "--role",
            role,
        ]);
        args.extend(["--new-pin", pin]);
        ok(desk_cli(&db, &args), "a supervisor adds an operator");
    }
    let refused = desk_cli(
        &db,
        &[
            "--as",
            "K-SELL",
            "--pin",
            "1357",
            "add-operator",
            "--id",
            "X",
            "--name",
            "X",
            "--role",
            "supervisor",
            "--new-pin",
            "1111",
        ],
    );
    assert!(
        !refused.status.success()
            && String::from_utf8_lossy(&refused.stderr).contains("NOT_SUPERVISOR"),
        "a seller cannot make supervisors: {}",
        String::from_utf8_lossy(&refused.stderr)
    );
    let strays: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".key"))
        .collect();
    assert!(
        strays.is_empty(),
        "adding operators leaves no signing key beside the kiosk's file: {strays:?}"
    );

    // The kiosk window's unlock, on that file.
    let mut parts = DeskParts::paris2024(Box::new(DeviceKey::from_seed([5; 32])));
    parts.clock = Box::new(FixedClock::at("2024-01-10T09:00:00Z".parse().unwrap()));
    let mut desk = Desk::open(&db, parts).expect("the kiosk's file opens as a desk");
    assert_eq!(
        desk.supervisor_unlock("K-SUP2", "86420")
            .expect("a supervisor unlocks"),
        "Dominique Agent",
        "the maintenance screen greets the supervisor by name"
    );
    assert_eq!(
        desk.supervisor_unlock("K-SELL", "1357")
            .map_err(|e| e.code()),
        Err("NOT_SUPERVISOR"),
        "a seller's right PIN opens nothing"
    );
    for n in 1..=4 {
        assert_eq!(
            desk.supervisor_unlock("K-SUP", "0000")
                .map_err(|e| e.code()),
            Err("WRONG_PIN"),
            "wrong PIN {n} of 5 is refused"
        );
    }
    assert_eq!(
        desk.supervisor_unlock("K-SUP", "0000")
            .map_err(|e| e.code()),
        Err("LOCKED"),
        "the fifth wrong PIN locks the supervisor, as at the counter"
    );
    assert_eq!(
        desk.supervisor_unlock("K-SUP", "2468")
            .map_err(|e| e.code()),
        Err("LOCKED"),
        "locked: even the right PIN waits out the lock"
    );
}
