//! The shell's state: the configuration, the one clock, the settings file and the desk, opened
//! on first use behind a mutex. Desk calls block (SQLite, Argon2, PDF), so commands run them on
//! Tauri's blocking pool through [`AppState::with_desk`], never on the main thread.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use guichet_desk::{Desk, DeskParts, DeviceKey};
use guichet_domain::Clock;

use crate::config::AppConfig;
use crate::demo;
use crate::sync::SyncSlot;
use crate::wire::{Failure, FailureCode, Settings};

/// Shared by every command (cloning shares the same desk, settings and sync task).
#[derive(Clone)]
pub struct AppState {
    /// As read at start.
    pub config: AppConfig,
    /// The clock the desk and the status bar share.
    pub clock: Clock,
    inner: Arc<Inner>,
}

struct Inner {
    desk: Mutex<Option<Desk>>,
    settings: Mutex<Settings>,
    sync: SyncSlot,
}

impl AppState {
    /// State for `config`; nothing is opened yet.
    pub fn new(config: AppConfig) -> Self {
        let clock = config.clock();
        let settings = load_settings(&config);
        AppState {
            config,
            clock,
            inner: Arc::new(Inner {
                desk: Mutex::new(None),
                settings: Mutex::new(settings),
                sync: SyncSlot::default(),
            }),
        }
    }

    /// The desk's SQLite file.
    pub fn desk_path(&self) -> PathBuf {
        self.config
            .desk_path
            .clone()
            .unwrap_or_else(guichet_store::default_path)
    }

    /// Where order PDFs and Z reports are kept.
    pub fn spool_dir(&self) -> PathBuf {
        sibling(&self.desk_path(), "spool")
    }

    /// The settings now.
    pub fn settings(&self) -> Settings {
        self.inner
            .settings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The chosen language.
    pub fn lang(&self) -> String {
        self.settings().language
    }

    /// Replaces the settings and writes them beside the desk file.
    pub fn save_settings(&self, s: Settings) -> Result<(), String> {
        let path = sibling(&self.desk_path(), "settings.json");
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        }
        let text = serde_json::to_string_pretty(&s).map_err(|e| e.to_string())?;
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        *self
            .inner
            .settings
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = s;
        Ok(())
    }

    /// Runs `f` on the desk (opened, and seeded on a demo desk, on first use) on the blocking
    /// pool. A poisoned lock is taken over: the desk's own transactions keep the file
    /// consistent, whatever panicked.
    pub async fn with_desk<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Desk, &str) -> Result<T, Failure> + Send + 'static,
    ) -> Result<T, Failure> {
        let inner = self.inner.clone();
        let lang = self.lang();
        let path = self.desk_path();
        let clock = self.clock.clone();
        let demo = self.config.demo;
        // A desk given a server (an enrolment code, or a server URL to enrol with from the
        // settings) gets its accounts and allotment from that server, not made-up ones.
        let enrol_planned =
            self.config.enrol_code.is_some() || !self.settings().server_url.trim().is_empty();
        tauri::async_runtime::spawn_blocking(move || {
            let mut guard = inner.desk.lock().unwrap_or_else(|e| e.into_inner());
            if guard.is_none() {
                *guard = Some(open_desk(&path, clock, demo, enrol_planned, &lang)?);
            }
            let desk = guard.as_mut().expect("opened just above");
            f(desk, &lang)
        })
        .await
        .unwrap_or_else(|e| {
            eprintln!("guichet-app: a desk task failed: {e}");
            Err(Failure::new(
                FailureCode::Internal,
                "Something went wrong inside the app; nothing was sold. Try again, and restart the app if it repeats.",
                "Une erreur interne est survenue ; rien n’a été vendu. Réessayez, puis redémarrez l’application si cela se répète.",
                &self.lang(),
            ))
        })
    }
}

impl AppState {
    /// The sync task's slot.
    pub fn sync(&self) -> &SyncSlot {
        &self.inner.sync
    }

    /// Links the desk to its server and (re)starts the sync task: at start-up, after an
    /// enrolment, and when the settings change. An enrolled desk sells online (with the
    /// fallback to its allotment); one that is not enrolled enrols first when the
    /// configuration gives a one-time code (`GUICHET_ENROL_CODE`, the demo) and the settings a
    /// server URL. A failure is kept for the status bar, as a sentence. Returns true when an
    /// enrolment failed because the server did not answer (worth trying again).
    pub async fn connect(&self) -> bool {
        let url = self.settings().server_url.trim().to_string();
        let code = self.config.enrol_code.clone();
        let name = self.desk_name();
        let demo_desk = self.config.demo;
        let path = self.desk_path();
        let linked = self
            .with_desk(move |desk, lang| {
                let enrolled = desk
                    .server_link()
                    .map_err(|e| Failure::from_desk(&e, lang))?
                    .is_some();
                if !enrolled {
                    let Some(code) = code.filter(|_| !url.is_empty()) else {
                        return Ok(false);
                    };
                    let key = device_key(&path).map_err(|why| key_failure(&why, lang))?;
                    desk.enrol(&url, &code, &name, &key)
                        .map_err(|e| Failure::from_desk(&e, lang))?;
                    eprintln!("guichet-app: this desk is enrolled with {url}");
                    if demo_desk {
                        // Enrolled either way: a missing allotment must not stop the sync.
                        if let Err(e) = demo::allot_from_server(desk) {
                            eprintln!("guichet-app: the demo allotment could not be borrowed: {e}");
                        }
                    }
                }
                desk.connect_server(guichet_desk::sync::Timeouts::counter())
                    .map_err(|e| Failure::from_desk(&e, lang))
            })
            .await;
        let mut retry = false;
        // The sync task runs its first round (push, then pull) as soon as it starts: a desk
        // that has never pulled gets the server's snapshot (every offer's availability, every
        // revocation) from it, so the window shows the server's stock right after connecting.
        let handle = match linked {
            Ok(true) => {
                self.sync().set_problem(None);
                let mut cfg = guichet_desk::SyncConfig::new(self.desk_path());
                cfg.clock = Box::new(self.clock.clone());
                Some(guichet_desk::SyncHandle::start(
                    tauri::async_runtime::handle().inner(),
                    cfg,
                ))
            }
            Ok(false) => None,
            Err(f) => {
                eprintln!(
                    "guichet-app: the desk could not be linked to its server: {}",
                    f.message
                );
                retry = f.code == FailureCode::ServerUnreachable;
                self.sync().set_problem(Some(f));
                None
            }
        };
        if let Some(old) = self.sync().replace(handle) {
            old.stop().await;
        }
        retry
    }

    /// The desk's name for people, sent when it enrols.
    pub fn desk_name(&self) -> String {
        self.config
            .desk_name
            .clone()
            .unwrap_or_else(|| "Box office".into())
    }

    /// The device's signing key (created on first use).
    pub fn device_key(&self) -> Result<DeviceKey, String> {
        device_key(&self.desk_path())
    }
}

pub(crate) fn key_failure(why: &str, lang: &str) -> Failure {
    Failure::new(
        FailureCode::DeviceKey,
        format!("This desk's signing key cannot be used ({why}); no ticket can be issued. Call support."),
        format!("La clé de signature de ce guichet est inutilisable ({why}) ; aucun billet ne peut être émis. Appelez le support."),
        lang,
    )
}

/// `desk.sqlite` → `desk.<suffix>` in the same directory.
fn sibling(db: &Path, suffix: &str) -> PathBuf {
    db.with_extension(suffix)
}

fn load_settings(config: &AppConfig) -> Settings {
    let path = sibling(
        &config
            .desk_path
            .clone()
            .unwrap_or_else(guichet_store::default_path),
        "settings.json",
    );
    let from_file = std::fs::read_to_string(&path)
        .ok()
        .and_then(|t| serde_json::from_str::<Settings>(&t).ok());
    from_file.unwrap_or_else(|| Settings {
        server_url: config.server_url.clone().unwrap_or_default(),
        printer: config.printer.clone().unwrap_or_else(|| "PDF".into()),
        language: config
            .language
            .clone()
            .filter(|l| l == "fr" || l == "en")
            .unwrap_or_else(|| "en".into()),
        layout: "a4".into(),
    })
}

/// The device's signing key lives beside the desk file, mode 600 (enrolment will register its
/// public half with the server).
fn device_key(db: &Path) -> Result<DeviceKey, String> {
    let dir = sibling(db, "keys");
    if dir.join(guichet_tickets::PRIVATE_KEY_FILE).exists() {
        DeviceKey::load_from(&dir).map_err(|e| e.to_string())
    } else {
        DeviceKey::create_in(&dir, "box-office").map_err(|e| e.to_string())
    }
}

fn open_desk(
    path: &Path,
    clock: Clock,
    demo_data: bool,
    enrol_planned: bool,
    lang: &str,
) -> Result<Desk, Failure> {
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let key = device_key(path).map_err(|why| key_failure(&why, lang))?;
    let mut parts = DeskParts::paris2024(Box::new(key));
    parts.clock = Box::new(clock);
    let mut desk = Desk::open(path, parts).map_err(|e| Failure::from_desk(&e, lang))?;
    if demo_data {
        // Accounts and an allotment made up on the desk only for a desk with no server: an
        // enrolled desk (or one about to enrol) gets them from the server's pull. Operators
        // are the desk's own either way (the server does not hand them out).
        let enrolled = desk
            .server_link()
            .map_err(|e| Failure::from_desk(&e, lang))?
            .is_some();
        if enrolled || enrol_planned {
            demo::seed_operators(&mut desk).map_err(|e| Failure::from_desk(&e, lang))?;
        } else {
            demo::seed_if_empty(&mut desk).map_err(|e| Failure::from_desk(&e, lang))?;
        }
    }
    Ok(desk)
}
