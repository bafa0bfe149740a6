//! The status bar's answer: the sync task's state from its slot, the desk's counts, the clock,
//! who is signed in and the open shift, said in the chosen language.

use crate::state::AppState;
use crate::views;
use crate::wire::{Failure, OperatorView, StatusView};

/// The status bar, asked every second: the sync task's state (online, last sync, why not)
/// with the local store's counts (events waiting, allotment left), fresh after every sale.
pub async fn status(state: &AppState) -> Result<StatusView, Failure> {
    let now = state.clock.now();
    let simulated = state.clock.is_simulated();
    let settings_url = state.settings().server_url;
    let sync = state.sync().status();
    let problem = state.sync().problem();
    state.sync().log(
        sync.as_ref()
            .filter(|s| !s.online)
            .and_then(|s| s.last_error.as_deref()),
    );
    let came_back = state
        .sync()
        .came_back(sync.as_ref().is_some_and(|s| s.online));
    state
        .with_desk(move |desk, lang| {
            if came_back {
                // The server is back: the next sale asks it again at once.
                desk.retry_online_now();
            }
            let enrolled_with = desk
                .server_link()
                .map_err(|e| Failure::from_desk(&e, lang))?
                .map(|l| l.server_url);
            let link = crate::sync::describe(
                &crate::sync::Link {
                    enrolled_with: enrolled_with.as_deref(),
                    settings_url: &settings_url,
                    status: sync.as_ref(),
                    problem: problem.as_ref(),
                },
                lang,
            );
            let local = views::sync_status(desk).map_err(|e| Failure::from_desk(&e, lang))?;
            let shift = desk
                .open_shift_now()
                .map_err(|e| Failure::from_desk(&e, lang))?;
            let last_sync = match &sync {
                Some(s) => s
                    .last_success
                    .as_deref()
                    .and_then(|t| t.parse::<jiff::Timestamp>().ok())
                    .map(views::paris_seconds),
                None => local.last_success,
            };
            Ok(StatusView {
                online: link.online,
                waiting: local.waiting as u32,
                last_sync,
                last_error: link.sentence,
                allotment_left: local.allotment_left as u32,
                enrolled: enrolled_with.is_some(),
                server_url: enrolled_with.unwrap_or(settings_url),
                now_paris: views::paris_seconds(now),
                clock_simulated: simulated,
                operator: desk.operator().map(|o| OperatorView {
                    id: o.id.clone(),
                    name: o.name.clone(),
                    role: o.role.as_str().to_string(),
                }),
                shift: shift.as_ref().map(views::shift_view),
            })
        })
        .await
}
