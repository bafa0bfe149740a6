//! Enrolment from the Settings screen: refused on a desk enrolled already and on a demo desk
//! holding made-up data; then the settings keep the server URL and the sync task starts.

use crate::state::AppState;
use crate::wire::{EnrolView, Failure, FailureCode};

/// Enrols with the server at `url` with the one-time `code` (both checked by the command), under
/// `name` (blank: the desk's configured name).
pub async fn enrol(
    state: &AppState,
    url: String,
    code: String,
    name: &str,
) -> Result<EnrolView, Failure> {
    let name = Some(name.to_string())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| state.desk_name());
    let key = state
        .device_key()
        .map_err(|why| crate::state::key_failure(&why, &state.lang()))?;
    let mut settings = state.settings();
    settings.server_url = url.clone();
    let target = url.clone();
    let demo_desk = state.config.demo;
    let device_id = state
        .with_desk(move |desk, lang| {
            if let Some(l) = desk.server_link().map_err(|e| Failure::from_desk(&e, lang))? {
                return Err(Failure::new(
                    FailureCode::AlreadyEnrolled,
                    format!("This desk is already enrolled with {} — nothing to do. To move it to another server, call support.", l.server_url),
                    format!("Ce guichet est déjà inscrit auprès de {} — rien à faire. Pour le rattacher à un autre serveur, appelez le support.", l.server_url),
                    lang,
                ));
            }
            // A demo desk seeded with made-up accounts and allotment (no server at its first
            // start) would push them to a real server: refused, with the way out.
            let made_up = demo_desk
                && guichet_domain::AccountId::parse(crate::demo::DEMO_HOLDER)
                    .ok()
                    .and_then(|id| desk.cached_account(&id).ok().flatten())
                    .is_some();
            if made_up {
                return Err(Failure::new(
                    FailureCode::DemoDesk,
                    "This demo desk holds made-up accounts and allotment, which must not reach a server — start the app on a new desk file (GUICHET_DESK_DB) to enrol.",
                    "Ce guichet de démonstration contient des comptes et un contingent inventés, qui ne doivent pas partir vers un serveur — démarrez l’application sur un nouveau fichier de guichet (GUICHET_DESK_DB) pour l’inscrire.",
                    lang,
                ));
            }
            let id = desk
                .enrol(&target, &code, &name, &key)
                .map_err(|e| Failure::from_desk(&e, lang))?;
            if demo_desk {
                crate::demo::allot_from_server(desk).map_err(|e| Failure::from_desk(&e, lang))?;
            }
            Ok(id)
        })
        .await?;
    let _ = state.save_settings(settings);
    state.connect().await;
    Ok(EnrolView {
        device_id,
        server_url: url,
    })
}
