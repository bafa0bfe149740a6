//! Staff functions: the box-office window's commands (`names::STAFF`). A kiosk window is not
//! granted them (`capabilities/kiosk.json`), and on a kiosk device the handler refuses them
//! before they run ([`super::handler`]), whatever a capability file says.

use guichet_desk::{Desk, Layout, OrderRequest, RequestLine, Scanned, Tender, WalkIn};
use guichet_domain::{OrderKind, PriceCategory, SessionCode};
use tauri::State;

use super::{account_id, bad_input, desk_err, money, Answer};
use crate::failure::violation;
use crate::state::AppState;
use crate::views;
use crate::wire::*;

/// Enrols this desk with a server using a one-time code, then starts the sync task.
#[tauri::command]
pub async fn enrol(state: State<'_, AppState>, enrol: EnrolInput) -> Answer<EnrolView> {
    let lang = state.lang();
    let url = enrol.server_url.trim().trim_end_matches('/').to_string();
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(bad_input(&lang, "server URL", &enrol.server_url));
    }
    let code = enrol.code.trim().to_string();
    if code.is_empty() {
        return Err(bad_input(&lang, "enrolment code", &enrol.code));
    }
    crate::enrolment::enrol(&state, url, code, enrol.name.trim()).await
}

/// Asks the sync task for a round now (the status bar's "Sync now").
#[tauri::command]
pub fn sync_now(state: State<'_, AppState>) {
    state.sync().sync_now();
}

/// Registers the open account for a draw at the server (online only), then shows the account
/// again with its registration; a refusal is the rule's sentence with the window in Paris time.
#[tauri::command]
pub async fn register_for_draw(
    state: State<'_, AppState>,
    account: String,
    draw: String,
) -> Answer<AccountView> {
    state
        .with_desk(move |desk, lang| {
            let id = account_id(lang, &account)?;
            desk.register_for_draw(&id, &draw)
                .map_err(|e| crate::failure::draw_refusal(&e, desk.config(), &draw, lang))?;
            views::account_view(desk, &id).map_err(desk_err(lang))
        })
        .await
}

/// Signs an operator in with their PIN.
#[tauri::command]
pub async fn sign_in(
    state: State<'_, AppState>,
    staff_id: String,
    pin: String,
) -> Answer<OperatorView> {
    state
        .with_desk(move |desk, lang| {
            let op = desk
                .sign_in(staff_id.trim(), pin.trim())
                .map_err(desk_err(lang))?;
            Ok(OperatorView {
                id: op.id,
                name: op.name,
                role: op.role.as_str().to_string(),
            })
        })
        .await
}

/// Signs the operator out.
#[tauri::command]
pub async fn sign_out(state: State<'_, AppState>) -> Answer<()> {
    state
        .with_desk(|desk, lang| desk.sign_out().map_err(desk_err(lang)))
        .await
}

/// Accounts by number, email, name prefix or account QR, as the operator types; the server's
/// search when the desk finds none.
#[tauri::command]
pub async fn look_up(state: State<'_, AppState>, query: String) -> Answer<LookUpView> {
    // Only a server that answers is asked (a look-up runs at every keystroke).
    let server_answers = state.sync().status().is_some_and(|s| s.online);
    state
        .with_desk(move |desk, lang| {
            if query.trim().is_empty() {
                return Ok(views::look_up_view(guichet_desk::LookUpBy::Name, &[]));
            }
            let (by, found) = desk
                .look_up_here_or_on_server(&query, server_answers)
                .map_err(desk_err(lang))?;
            Ok(views::look_up_view(by, &found))
        })
        .await
}

/// One account with draws, counts and orders.
#[tauri::command]
pub async fn account(state: State<'_, AppState>, id: String) -> Answer<AccountView> {
    state
        .with_desk(move |desk, lang| {
            let id = account_id(lang, &id)?;
            views::account_view(desk, &id).map_err(desk_err(lang))
        })
        .await
}

/// Creates a walk-in account.
#[tauri::command]
pub async fn create_walk_in(
    state: State<'_, AppState>,
    walk_in: WalkInInput,
) -> Answer<AccountSummary> {
    state
        .with_desk(move |desk, lang| {
            let w = WalkIn {
                given_name: walk_in.given_name,
                family_name: walk_in.family_name,
                email: walk_in.email,
                country: walk_in.country,
                club_number: walk_in.club_number,
            };
            let a = desk.create_walk_in(&w).map_err(desk_err(lang))?;
            Ok(views::summary(&a))
        })
        .await
}

fn request(lang: &str, o: &OrderInput) -> Answer<OrderRequest> {
    let kind = match o.kind.as_str() {
        "pack" => OrderKind::Pack,
        "single" => OrderKind::Single,
        other => return Err(bad_input(lang, "kind", other)),
    };
    let mut lines = Vec::new();
    for l in &o.lines {
        lines.push(RequestLine {
            session: SessionCode::parse(&l.session)
                .map_err(|_| bad_input(lang, "session", &l.session))?,
            category: PriceCategory::parse(&l.category)
                .map_err(|_| bad_input(lang, "category", &l.category))?,
            quantity: l.quantity,
            holders: l
                .holders
                .iter()
                .map(|h| h.trim().to_string())
                .filter(|h| !h.is_empty())
                .collect(),
        });
    }
    Ok(OrderRequest {
        account: account_id(lang, &o.account)?,
        kind,
        lines,
    })
}

/// The rules on a draft: every violation at once, or the priced order. Writes nothing.
#[tauri::command]
pub async fn quote(state: State<'_, AppState>, order: OrderInput) -> Answer<QuoteView> {
    state
        .with_desk(move |desk, lang| {
            let req = request(lang, &order)?;
            match desk.quote(&req) {
                Ok(q) => Ok(views::quote_view(&q)),
                Err(guichet_desk::Error::Refused(r)) => Ok(QuoteView {
                    accepted: false,
                    tickets: order.lines.iter().map(|l| l.quantity).sum(),
                    total_cents: 0,
                    lines: vec![],
                    violations: r.violations.iter().map(|v| violation(v, lang)).collect(),
                }),
                Err(e) => Err(Failure::from_desk(&e, lang)),
            }
        })
        .await
}

/// Sells the order: cash, card or both.
#[tauri::command]
pub async fn sell(
    state: State<'_, AppState>,
    order: OrderInput,
    tender: TenderInput,
) -> Answer<SaleView> {
    state
        .with_desk(move |desk, lang| {
            let req = request(lang, &order)?;
            let tender = Tender {
                card: money(lang, "card", tender.card_cents)?,
                cash_tendered: money(lang, "cash", tender.cash_cents)?,
            };
            let r = desk.sell(&req, tender).map_err(desk_err(lang))?;
            let server = desk.server_link().ok().flatten().map(|l| l.server_url);
            let fallback = r.fallback.as_ref().map(|f| crate::wire::BothLanguages {
                en: crate::sync::fallback_sentence(f.kind, server.as_deref(), "en"),
                fr: crate::sync::fallback_sentence(f.kind, server.as_deref(), "fr"),
            });
            Ok(SaleView {
                short: views::short(&r.order_id),
                order_id: r.order_id,
                total_cents: r.total.cents(),
                change_cents: r.change.cents(),
                card_reference: r.card_reference,
                tickets: r.tickets.len() as u32,
                offline: r.offline,
                fallback,
            })
        })
        .await
}

/// One order (after a scan, or to refresh after a void).
#[tauri::command]
pub async fn order(state: State<'_, AppState>, order_id: String) -> Answer<OrderView> {
    state
        .with_desk(move |desk, lang| {
            desk.stored_order(&order_id)
                .map_err(desk_err(lang))?
                .map(|o| views::order_view(&o))
                .ok_or_else(|| {
                    Failure::from_desk(&guichet_desk::Error::UnknownOrder { id: order_id }, lang)
                })
        })
        .await
}

/// The ticket layout the settings chose.
fn layout(s: &Settings) -> Layout {
    match s.layout.as_str() {
        "thermal" => Layout::Thermal,
        _ => Layout::A4,
    }
}

fn preview(path: &std::path::Path) -> Option<String> {
    use base64::Engine;
    // Poppler draws the first page; without it the screen shows the path and a sentence.
    let out = std::process::Command::new("pdftoppm")
        .args(["-png", "-r", "40", "-f", "1", "-l", "1", "-singlefile"])
        .arg(path)
        .output()
        .ok()
        .filter(|o| o.status.success() && o.stdout.starts_with(b"\x89PNG"))?;
    Some(format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(out.stdout)
    ))
}

/// Renders the order's tickets to a PDF kept in the spool directory; returns its path and a
/// preview of the first page.
#[tauri::command]
pub async fn order_pdf(state: State<'_, AppState>, order_id: String) -> Answer<PdfView> {
    let spool = state.spool_dir();
    let layout = layout(&state.settings());
    state
        .with_desk(move |desk, lang| {
            let pdf = desk.order_pdf(&order_id, layout).map_err(desk_err(lang))?;
            let path = spool.join(format!("order-{}.pdf", views::short(&order_id)));
            std::fs::create_dir_all(&spool)
                .and_then(|_| std::fs::write(&path, pdf))
                .map_err(|source| {
                    let path = path.clone();
                    let why = guichet_desk::Output::File { path, source };
                    Failure::from_desk(&guichet_desk::Error::Render(why), lang)
                })?;
            Ok(PdfView {
                preview: preview(&path),
                path: path.display().to_string(),
            })
        })
        .await
}

/// Saves the order's PDF at the path typed.
#[tauri::command]
pub async fn save_pdf(
    state: State<'_, AppState>,
    order_id: String,
    path: String,
) -> Answer<String> {
    write_pdf(&state, order_id, std::path::PathBuf::from(path.trim())).await
}

/// Saves the order's PDF in the Documents folder of whoever runs the desk
/// (`Documents/Guichet/<order>.pdf`): nothing to type. `name` is the order's short number.
#[tauri::command]
pub async fn save_pdf_to_documents<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    order_id: String,
    name: String,
) -> Answer<String> {
    use tauri::Manager;
    let lang = state.lang();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(bad_input(&lang, "file name", &name));
    }
    let dir = app
        .path()
        .document_dir()
        .or_else(|_| app.path().home_dir().map(|h| h.join("Documents")))
        .map_err(|e| {
            Failure::new(
                FailureCode::Save,
                format!("This computer names no Documents folder ({e}) — type a path to save to."),
                "Cet ordinateur n’a pas de dossier Documents — saisissez un chemin où enregistrer."
                    .to_string(),
                &lang,
            )
        })?
        .join("Guichet");
    if let Err(e) = std::fs::create_dir_all(&dir) {
        return Err(Failure::new(
            FailureCode::Save,
            format!(
                "Could not make the folder {} ({e}) — type a path to save to.",
                dir.display()
            ),
            format!(
                "Impossible de créer le dossier {} : {} — saisissez un chemin où enregistrer.",
                dir.display(),
                crate::failure::io_fr(&e)
            ),
            &lang,
        ));
    }
    write_pdf(&state, order_id, dir.join(format!("{name}.pdf"))).await
}

async fn write_pdf(
    state: &State<'_, AppState>,
    order_id: String,
    target: std::path::PathBuf,
) -> Answer<String> {
    let layout = layout(&state.settings());
    state
        .with_desk(move |desk, lang| {
            let pdf = desk.order_pdf(&order_id, layout).map_err(desk_err(lang))?;
            std::fs::write(&target, pdf).map_err(|e| {
                Failure::new(
                    FailureCode::Save,
                    format!("Could not save to {} ({e}) — choose a folder that exists and is writable.", target.display()),
                    format!(
                        "Impossible d’enregistrer dans {} : {} — choisissez un dossier existant et accessible en écriture.",
                        target.display(),
                        crate::failure::io_fr(&e)
                    ),
                    lang,
                )
            })?;
            Ok(target.display().to_string())
        })
        .await
}

/// Prints the order on the chosen CUPS queue.
#[tauri::command]
pub async fn print_order(state: State<'_, AppState>, order_id: String) -> Answer<PrintView> {
    let layout = layout(&state.settings());
    print_with(&state, move |desk, queue, spool| {
        desk.print_order(&order_id, layout, queue, spool)
    })
    .await
}

/// Prints a shift's report on A4 to the desk's printer: the Z report of a closed shift, the X
/// report so far of the open one.
#[tauri::command]
pub async fn print_shift_report(state: State<'_, AppState>, shift_id: String) -> Answer<PrintView> {
    print_with(&state, move |desk, queue, spool| {
        desk.print_shift_report(&shift_id, queue, spool)
    })
    .await
}

/// Runs one desk print use case with the settings' queue and the spool folder.
async fn print_with(
    state: &AppState,
    print: impl FnOnce(&Desk, &str, &std::path::Path) -> guichet_desk::Result<guichet_tickets::JobId>
        + Send
        + 'static,
) -> Answer<PrintView> {
    let spool = state.spool_dir();
    let queue = state.settings().printer;
    state
        .with_desk(move |desk, lang| {
            let job = print(desk, &queue, &spool).map_err(desk_err(lang))?;
            Ok(PrintView {
                job: job.to_string(),
                queue,
            })
        })
        .await
}

/// Voids a whole order, or refunds some of its tickets, with a supervisor's PIN.
#[tauri::command]
pub async fn void_order(state: State<'_, AppState>, void: VoidInput) -> Answer<VoidView> {
    state
        .with_desk(move |desk, lang| {
            let sup = void.supervisor.trim();
            let pin = void.supervisor_pin.trim();
            let r = if void.ticket_ids.is_empty() {
                desk.void_order(&void.order_id, sup, pin, &void.reason)
            } else {
                desk.refund_tickets(&void.order_id, &void.ticket_ids, sup, pin, &void.reason)
            }
            .map_err(desk_err(lang))?;
            Ok(VoidView {
                void_id: r.void_id,
                cash_refund_cents: r.cash_refund.cents(),
                card_refund_cents: r.card_refund.cents(),
                revoked: r.revoked.len() as u32,
            })
        })
        .await
}

/// Reissues a ticket (new id and QR; the old one revoked) with a supervisor's PIN.
#[tauri::command]
pub async fn reissue(state: State<'_, AppState>, reissue: ReissueInput) -> Answer<String> {
    state
        .with_desk(move |desk, lang| {
            let holder = reissue
                .new_holder
                .as_deref()
                .map(str::trim)
                .filter(|h| !h.is_empty());
            desk.reissue(
                &reissue.ticket_id,
                holder,
                reissue.supervisor.trim(),
                reissue.supervisor_pin.trim(),
            )
            .map_err(desk_err(lang))
        })
        .await
}

/// Opens a shift with the float in the drawer.
#[tauri::command]
pub async fn open_shift(state: State<'_, AppState>, float_cents: i64) -> Answer<ShiftView> {
    state
        .with_desk(move |desk, lang| {
            let float = money(lang, "float", float_cents)?;
            let s = desk.open_shift(float).map_err(desk_err(lang))?;
            Ok(views::shift_view(&s))
        })
        .await
}

/// The open shift's report so far (X report).
#[tauri::command]
pub async fn shift_report(state: State<'_, AppState>) -> Answer<ZReportView> {
    state
        .with_desk(|desk, lang| {
            let r = desk.shift_report().map_err(desk_err(lang))?;
            Ok(views::z_view(&r, None))
        })
        .await
}

/// Closes the shift with the cash counted; the Z report, also as a PDF in the spool directory.
#[tauri::command]
pub async fn close_shift(state: State<'_, AppState>, counted_cents: i64) -> Answer<ZReportView> {
    let spool = state.spool_dir();
    state
        .with_desk(move |desk, lang| {
            let counted = money(lang, "counted", counted_cents)?;
            let r = desk.close_shift(counted).map_err(desk_err(lang))?;
            // The shift is closed whatever happens to its PDF; a PDF that cannot be made or
            // written is reported on the screen as not saved (`pdf_path` empty).
            let path = spool.join(format!("z-report-{}.pdf", views::short(&r.shift.id)));
            let saved = guichet_desk::shift::z_report_pdf(&r, views::paris_time)
                .ok()
                .filter(|pdf| {
                    std::fs::create_dir_all(&spool)
                        .and_then(|_| std::fs::write(&path, pdf))
                        .is_ok()
                })
                .map(|_| path.display().to_string());
            Ok(views::z_view(&r, saved))
        })
        .await
}

/// Tickets and revenue of the open shift by hour and by sport.
#[tauri::command]
pub async fn dashboard(state: State<'_, AppState>) -> Answer<Dashboard> {
    state
        .with_desk(|desk, lang| {
            let r = desk.shift_report().map_err(desk_err(lang))?;
            views::dashboard(desk, &r.shift.id).map_err(desk_err(lang))
        })
        .await
}

/// What a scanned code (keyboard wedge) points at: an account QR or a ticket QR.
#[tauri::command]
pub async fn scan(state: State<'_, AppState>, text: String) -> Answer<ScanView> {
    state
        .with_desk(move |desk, lang| match desk.scan(&text).map_err(desk_err(lang))? {
            Scanned::Account(a) => Ok(ScanView {
                account_id: a.map(|a| a.id.to_string()),
                ticket_id: None,
                order_id: None,
            }),
            Scanned::Ticket { ticket_id, order } => Ok(ScanView {
                account_id: Some(order.account_id),
                ticket_id: Some(ticket_id),
                order_id: Some(order.id),
            }),
            Scanned::Unknown => Err(Failure::new(
                FailureCode::ScanUnknown,
                "That code is neither an account nor a ticket of this desk — scan again or type the account number.",
                "Ce code n’est ni un compte ni un billet de ce guichet — scannez à nouveau ou tapez le numéro de compte.",
                lang,
            )),
        })
        .await
}

/// The settings.
#[tauri::command]
pub fn get_settings(state: State<'_, AppState>) -> Settings {
    state.settings()
}

/// Saves the settings beside the desk file; a new server URL restarts the link to the server.
#[tauri::command]
pub async fn save_settings(state: State<'_, AppState>, settings: Settings) -> Answer<Settings> {
    let lang = settings.language.clone();
    if lang != "en" && lang != "fr" {
        return Err(bad_input(&state.lang(), "language", &lang));
    }
    if settings.layout != "a4" && settings.layout != "thermal" {
        return Err(bad_input(&lang, "layout", &settings.layout));
    }
    let url_changed = settings.server_url.trim() != state.settings().server_url.trim();
    state.save_settings(settings).map_err(|why| {
        Failure::new(
            FailureCode::Settings,
            format!("Settings could not be saved ({why}) — check the desk folder is writable."),
            format!("Les réglages n’ont pas pu être enregistrés ({why}) — vérifiez que le dossier du guichet est accessible en écriture."),
            &lang,
        )
    })?;
    if url_changed {
        state.connect().await;
    }
    Ok(state.settings())
}
