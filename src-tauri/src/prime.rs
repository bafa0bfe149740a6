//! What an enrolled desk reads from the server besides the sync's pull. The server's pull only
//! carries what changed through sales and pushes, so a newly enrolled desk would know neither
//! the accounts the server already had nor the availability of offers nobody sold yet. The app
//! fills both in through the desk's own pull path ([`guichet_desk::sync::apply_pull`], with
//! the desk's cursor unchanged): all availability when the desk connects, and the server's
//! account search when a look-up finds nothing on the desk.

use std::time::Duration;

use guichet_desk::Desk;
use guichet_wire::accounts::AccountDto;
use guichet_wire::catalogue::AvailabilityDto;
use guichet_wire::sync::PullResponse;

/// A GET with this desk's token; `None` when the desk is not enrolled or the server does not
/// answer (the caller carries on with what the desk has).
fn get<T: serde::de::DeserializeOwned>(desk: &Desk, path_and_query: &str) -> Option<T> {
    let link = guichet_store::link::link(desk.store().reader()).ok()??;
    let http = reqwest::blocking::Client::builder()
        .connect_timeout(Duration::from_secs(1))
        .timeout(Duration::from_secs(4))
        .no_proxy()
        .build()
        .ok()?;
    let url = format!("{}{path_and_query}", link.server_url.trim_end_matches('/'));
    let answer = http.get(&url).bearer_auth(&link.token).send();
    match answer {
        Ok(r) if r.status().is_success() => r.json().ok(),
        Ok(r) => {
            eprintln!(
                "guichet-app: {path_and_query}: the server answered {}",
                r.status()
            );
            None
        }
        Err(e) => {
            eprintln!("guichet-app: {path_and_query}: no answer ({e})");
            None
        }
    }
}

fn apply(desk: &mut Desk, availability: Vec<AvailabilityDto>, accounts: Vec<AccountDto>) {
    let Ok(Some(link)) = guichet_store::link::link(desk.store().reader()) else {
        return;
    };
    let p = PullResponse {
        cursor: link.pull_cursor,
        availability,
        allotments: Vec::new(),
        revocations: Vec::new(),
        accounts,
    };
    let now = desk.now();
    if let Err(e) = guichet_desk::sync::apply_pull(desk.store_mut(), &p, now) {
        eprintln!("guichet-app: the server's answer could not be saved in the desk's file: {e}");
    }
}

/// Reads every offer's availability into the desk's cache (the stock an online quote shows).
/// Returns how many offers were read.
pub fn availability(desk: &mut Desk) -> usize {
    let Some(rows) = get::<Vec<AvailabilityDto>>(desk, "/v1/availability") else {
        return 0;
    };
    let n = rows.len();
    apply(desk, rows, Vec::new());
    n
}

/// Asks the server for accounts matching `query` and keeps them on the desk. Returns how many.
pub fn accounts(desk: &mut Desk, query: &str) -> usize {
    let q: String = query
        .trim()
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect();
    if q.is_empty() {
        return 0;
    }
    let Some(found) = get::<Vec<AccountDto>>(desk, &format!("/v1/accounts?q={q}")) else {
        return 0;
    };
    let n = found.len();
    if n > 0 {
        apply(desk, Vec::new(), found);
    }
    n
}
