//! `guichet-app`: the box-office / kiosk desktop application.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::process::ExitCode;

/// What `guichet-app --help` prints. The app reads no arguments: everything is set by the
/// environment (`src/config.rs`) and then by its Settings screen.
const USAGE: &str = "\
usage: guichet-app [--help]

The Guichet box-office / kiosk window. It takes no arguments; the environment sets it up:

  GUICHET_DEVICE_KIND  box-office (default) or kiosk
  GUICHET_DESK_DB      the desk's SQLite file (default: the OS data directory)
  GUICHET_NOW          stand the clock at an instant, e.g. 2023-02-20T10:00[Europe/Paris]
  GUICHET_CLOCK        running (default: the clock runs on from GUICHET_NOW) or fixed
  GUICHET_DEMO         1 seeds demo operators, accounts and an allotment into an empty desk file
  GUICHET_PRINTER      default CUPS queue, until Settings chooses another
  GUICHET_LANG         default language, en or fr, until Settings chooses another
  GUICHET_SERVER_URL   default central server URL, until Settings chooses another
  GUICHET_ENROL_CODE   one-time enrolment code (guichet-server enrol) used at start-up
  GUICHET_DESK_NAME    the desk's name when it enrols (default \"Box office\")
  GUICHET_GL           1 keeps GTK's and WebKit's OpenGL in the app's process (default: the
                       window draws without it, about 50 MB less resident memory)

A kiosk (GUICHET_DEVICE_KIND=kiosk) also reads:

  GUICHET_TERMINAL_SCRIPT  the card terminal simulator's script, e.g. decline or approve,decline
  GUICHET_TERMINAL_LEDGER  the simulator's ledger (default: desk.terminal.jsonl beside the desk)
  GUICHET_KIOSK_PRINT_DIR  print tickets into this folder instead of the CUPS queue
  GUICHET_KIOSK_IDLE       idle warning and wipe in seconds (default 60,90)
  GUICHET_KIOSK_WINDOWED   1 keeps the kiosk window out of full screen (tests)
  GUICHET_SPEECH_WAV_DIR   speech mode writes WAV files (and spoken.jsonl) here (tests)

A second launch on the same desk file opens no second window: it brings the first to the front.
";

fn main() -> ExitCode {
    // Before anything opens: `--help` prints the usage and opens no window.
    if std::env::args_os()
        .skip(1)
        .any(|a| a == "--help" || a == "-h")
    {
        print!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    match guichet_app::run() {
        Ok(()) => ExitCode::SUCCESS,
        // A double tap: the first window is there; not a failure.
        Err(error @ guichet_app::StartError::AlreadyRunning { .. }) => {
            eprintln!("guichet-app: {error}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            // A misconfigured counter must not open: say why and stop.
            eprintln!("guichet-app: {error}");
            ExitCode::from(2)
        }
    }
}
