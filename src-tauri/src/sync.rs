//! The app's side of the desk's link to the central server: the sync task
//! ([`guichet_desk::SyncHandle`]) started at start-up and restarted when the settings change,
//! and its state turned into what the status bar and the sale screen say — sentences in the
//! chosen language with the next step, never the client's raw error text (that goes to stderr,
//! once per change, and never carries the token).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use guichet_desk::{FallbackKind, SyncFailure, SyncHandle, SyncStatus};

use crate::wire::Failure;

/// The running sync task, if any, and what the app remembers about the link.
#[derive(Default)]
pub struct SyncSlot {
    handle: Mutex<Option<SyncHandle>>,
    /// The status bar last showed the server online (to spot the return of the server).
    was_online: AtomicBool,
    /// Why the enrolment asked for at start-up (`GUICHET_ENROL_CODE`) failed.
    problem: Mutex<Option<Failure>>,
    /// The last raw error written to stderr (written again only when it changes).
    logged: Mutex<Option<String>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl SyncSlot {
    /// Replaces the running task (if any) with `handle`; returns the old one to stop.
    pub fn replace(&self, handle: Option<SyncHandle>) -> Option<SyncHandle> {
        self.was_online.store(false, Ordering::SeqCst);
        std::mem::replace(&mut *lock(&self.handle), handle)
    }

    /// The task's status, if it runs.
    pub fn status(&self) -> Option<SyncStatus> {
        lock(&self.handle).as_ref().map(SyncHandle::status)
    }

    /// Asks the task for a round now.
    pub fn sync_now(&self) {
        if let Some(h) = lock(&self.handle).as_ref() {
            h.sync_now();
        }
    }

    /// Records (or clears) an enrolment failure to show in the status bar.
    pub fn set_problem(&self, f: Option<Failure>) {
        *lock(&self.problem) = f;
    }

    /// The enrolment failure, if any.
    pub fn problem(&self) -> Option<Failure> {
        lock(&self.problem).clone()
    }

    /// Whether the server just came back (offline → online): the desk then stops skipping the
    /// server for its sales at once instead of waiting out its pause.
    pub fn came_back(&self, online: bool) -> bool {
        let before = self.was_online.swap(online, Ordering::SeqCst);
        online && !before
    }

    /// Writes the client's own error text to stderr for support, once per change.
    pub fn log(&self, raw: Option<&str>) {
        let mut last = lock(&self.logged);
        if last.as_deref() != raw {
            if let Some(r) = raw {
                eprintln!("guichet-app: sync: {r}");
            } else if last.is_some() {
                eprintln!("guichet-app: sync: the server answers again");
            }
            *last = raw.map(str::to_string);
        }
    }
}

fn fr(lang: &str) -> bool {
    lang.starts_with("fr")
}

/// What the status bar says about the server.
pub struct LinkState {
    /// The last exchange with the server succeeded.
    pub online: bool,
    /// Why not, with the next step.
    pub sentence: Option<String>,
}

/// Where the desk stands with its server.
pub struct Link<'a> {
    /// The server the desk is enrolled with, if any.
    pub enrolled_with: Option<&'a str>,
    /// The URL in the settings (may be empty).
    pub settings_url: &'a str,
    /// The sync task's status, when it runs.
    pub status: Option<&'a SyncStatus>,
    /// An enrolment failure at start-up.
    pub problem: Option<&'a Failure>,
}

/// The status bar's sentence for `link`, in `lang`.
pub fn describe(link: &Link<'_>, lang: &str) -> LinkState {
    let fr = fr(lang);
    let offline = |en: String, fr_text: String| LinkState {
        online: false,
        sentence: Some(if fr { fr_text } else { en }),
    };
    let Some(server) = link.enrolled_with else {
        if let Some(p) = link.problem {
            return LinkState {
                online: false,
                sentence: Some(p.message.clone()),
            };
        }
        let url = link.settings_url.trim();
        return if url.is_empty() {
            offline(
                "No server configured: sales come from this desk's allotment and wait here to be sent. Set the server URL and enrol in Settings.".into(),
                "Aucun serveur configuré : les ventes se font sur le contingent du guichet et attendent ici d’être envoyées. Indiquez l’URL du serveur et inscrivez le guichet dans Réglages.".into(),
            )
        } else {
            offline(
                format!("This desk is not enrolled with {url} yet: type the one-time enrolment code in Settings (an administrator makes it with “guichet-server enrol”). Until then sales come from this desk's allotment."),
                format!("Ce guichet n’est pas encore inscrit auprès de {url} : saisissez le code d’inscription à usage unique dans Réglages (un administrateur le crée avec « guichet-server enrol »). D’ici là, les ventes se font sur le contingent du guichet."),
            )
        };
    };
    let Some(s) = link.status else {
        return offline(
            format!("Connecting to the server at {server}…"),
            format!("Connexion au serveur {server}…"),
        );
    };
    if s.online {
        return LinkState {
            online: true,
            sentence: None,
        };
    }
    if s.rounds == 0 {
        return offline(
            format!("Connecting to the server at {server}…"),
            format!("Connexion au serveur {server}…"),
        );
    }
    match s.failure {
        Some(SyncFailure::Unreachable) => offline(
            format!("The server at {server} does not answer: sales come from this desk's allotment and wait here; the desk tries again by itself every few seconds. If it lasts, check the network cable or call support."),
            format!("Le serveur {server} ne répond pas : les ventes se font sur le contingent du guichet et attendent ici ; le guichet réessaie tout seul toutes les quelques secondes. Si cela dure, vérifiez le câble réseau ou appelez le support."),
        ),
        Some(SyncFailure::Refused) => offline(
            format!("The server at {server} refuses this desk's sync (it may have been withdrawn): sales come from this desk's allotment; call support."),
            format!("Le serveur {server} refuse la synchronisation de ce guichet (il a peut-être été retiré) : les ventes se font sur le contingent du guichet ; appelez le support."),
        ),
        Some(SyncFailure::LocalFile) => offline(
            "The sync cannot use this desk's file: sales continue from the allotment; restart the app, and call support if it repeats.".into(),
            "La synchronisation ne peut pas utiliser le fichier du guichet : les ventes continuent sur le contingent ; redémarrez l’application, puis appelez le support si cela se répète.".into(),
        ),
        _ => offline(
            format!("The sync with {server} failed: sales come from this desk's allotment and the desk tries again by itself; call support if it lasts."),
            format!("La synchronisation avec {server} a échoué : les ventes se font sur le contingent du guichet et le guichet réessaie tout seul ; appelez le support si cela dure."),
        ),
    }
}

/// The sale screen's sentence for a sale an online desk had to make from its allotment,
/// chosen by what happened (the desk's typed [`FallbackKind`]), never by its English text.
pub fn fallback_sentence(kind: FallbackKind, server: Option<&str>, lang: &str) -> String {
    let server = server.unwrap_or("?");
    match (kind, fr(lang)) {
        (FallbackKind::NotEnrolled, false) => "Sold from this desk's allotment: the desk is not enrolled with a server. Enrol it in Settings to sell online.".into(),
        (FallbackKind::NotEnrolled, true) => "Vendu sur le contingent du guichet : il n’est inscrit auprès d’aucun serveur. Inscrivez-le dans Réglages pour vendre en ligne.".into(),
        (FallbackKind::AccountNotSent, false) => format!("The server at {server} could not receive the new account, so these tickets come from this desk's allotment. The sale and the account reach the server by themselves at the next sync; nothing more to do."),
        (FallbackKind::AccountNotSent, true) => format!("Le serveur {server} n’a pas pu recevoir le nouveau compte : ces billets viennent du contingent du guichet. La vente et le compte partent tout seuls au serveur à la prochaine synchronisation ; rien d’autre à faire."),
        (FallbackKind::Unreachable | FallbackKind::Paused, false) => format!(
            "The server at {server} did not answer, so these tickets come from this desk's allotment. The sale reaches the server by itself at the next sync; nothing more to do.{}",
            if kind == FallbackKind::Paused { " (The desk asks the server again in a few seconds.)" } else { "" }
        ),
        (FallbackKind::Unreachable | FallbackKind::Paused, true) => format!(
            "Le serveur {server} n’a pas répondu : ces billets viennent du contingent du guichet. La vente part toute seule au serveur à la prochaine synchronisation ; rien d’autre à faire.{}",
            if kind == FallbackKind::Paused { " (Le guichet réinterroge le serveur dans quelques secondes.)" } else { "" }
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn down(rounds: u64) -> SyncStatus {
        SyncStatus {
            online: false,
            rounds,
            failure: Some(SyncFailure::Unreachable),
            last_error: Some("the server at http://127.0.0.1:9 did not answer (connection failed: tcp connect error: Connection refused (os error 111)); the desk keeps working offline and tries again (3 event(s) were waiting; they stay queued and the desk sells from its allotment)".into()),
            ..SyncStatus::default()
        }
    }

    #[test]
    fn an_unreachable_server_is_a_sentence_with_the_next_step_never_the_raw_error() {
        let s = down(2);
        let link = Link {
            enrolled_with: Some("http://127.0.0.1:9"),
            settings_url: "http://127.0.0.1:9",
            status: Some(&s),
            problem: None,
        };
        for lang in ["en", "fr"] {
            let said = describe(&link, lang).sentence.unwrap();
            assert!(!said.contains("os error"), "{said}");
            assert!(!said.contains("tcp connect"), "{said}");
            assert!(
                said.contains("http://127.0.0.1:9"),
                "names the server: {said}"
            );
        }
        assert!(describe(&link, "en")
            .sentence
            .unwrap()
            .contains("check the network cable or call support"));
        assert!(describe(&link, "fr")
            .sentence
            .unwrap()
            .contains("appelez le support"));
    }

    #[test]
    fn a_desk_without_enrolment_says_how_to_enrol() {
        let link = Link {
            enrolled_with: None,
            settings_url: "http://server:8080",
            status: None,
            problem: None,
        };
        let s = describe(&link, "en");
        assert!(!s.online);
        assert!(s.sentence.unwrap().contains("enrolment code in Settings"));
    }

    #[test]
    fn the_server_coming_back_is_seen_once() {
        let slot = SyncSlot::default();
        assert!(!slot.came_back(false));
        assert!(slot.came_back(true), "offline → online");
        assert!(!slot.came_back(true), "still online: nothing new");
        assert!(!slot.came_back(false));
        assert!(slot.came_back(true));
    }

    #[test]
    fn a_fallback_sale_says_it_came_from_the_allotment_in_both_languages() {
        let en = fallback_sentence(FallbackKind::Unreachable, Some("http://h"), "en");
        let fr_ = fallback_sentence(FallbackKind::Unreachable, Some("http://h"), "fr");
        assert!(en.contains("come from this desk's allotment"), "{en}");
        assert!(fr_.contains("viennent du contingent du guichet"), "{fr_}");
        assert!(!en.contains("again in a few seconds"), "{en}");
        let paused = fallback_sentence(FallbackKind::Paused, Some("http://h"), "en");
        assert!(paused.contains("again in a few seconds"), "{paused}");
        let never = fallback_sentence(FallbackKind::NotEnrolled, None, "fr");
        assert!(never.contains("Réglages"), "{never}");
        let account = fallback_sentence(FallbackKind::AccountNotSent, Some("http://h"), "en");
        assert!(account.contains("new account"), "{account}");
    }
}
