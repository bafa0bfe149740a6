//! Desk errors as the counter reads them: a typed code, a sentence in the chosen language that
//! names the next step, and every rule violation. The code and the French come from the
//! error's variants and typed causes, never from reading its English text back. Internal
//! failures are logged with their chain and shown as a plain sentence, never as a raw error
//! string.

use guichet_desk::{Error, Output, Problem};
use guichet_domain::rules::Violation;
use guichet_domain::Money;
use guichet_tickets::{PrintError, RenderError};

use crate::wire::{Failure, FailureCode, ViolationView};

/// `en` or `fr`.
pub type Lang<'a> = &'a str;

fn fr(lang: Lang<'_>) -> bool {
    lang.starts_with("fr")
}

fn money(m: Money, lang: Lang<'_>) -> String {
    if fr(lang) {
        m.fr()
    } else {
        m.to_string()
    }
}

/// A violation in the chosen language, with the session it is about when one line causes it.
/// The rules write their sentences in lower case (they are also joined into one refusal): the
/// screens' sentence starts with a capital here, where it is made.
pub fn violation(v: &Violation, lang: Lang<'_>) -> ViolationView {
    ViolationView {
        code: v.code.as_str().to_string(),
        message: capitalised(v.message(lang).to_string()),
        session: v
            .details
            .get("session")
            .and_then(|s| s.as_str())
            .map(str::to_string),
    }
}

impl FailureCode {
    /// The code of a desk error, variant by variant.
    pub fn of(e: &Error) -> FailureCode {
        use guichet_store::Error as S;
        match e {
            Error::Store(S::AllotmentShort { .. }) => FailureCode::AllotmentShort,
            Error::Store(S::NotADeskStore { .. }) => FailureCode::NotADeskStore,
            Error::Store(S::NewerSchema { .. }) => FailureCode::NewerSchema,
            Error::Store(_) => FailureCode::Store,
            Error::Refused(_) => FailureCode::Rules,
            Error::NotSignedIn => FailureCode::NotSignedIn,
            Error::UnknownOperator { .. } => FailureCode::UnknownOperator,
            Error::WrongPin { .. } => FailureCode::WrongPin,
            Error::Locked { .. } => FailureCode::Locked,
            Error::NotSupervisor { .. } => FailureCode::NotSupervisor,
            Error::PinPolicy => FailureCode::PinPolicy,
            Error::NoOpenShift => FailureCode::NoOpenShift,
            Error::ShiftAlreadyOpen { .. } => FailureCode::ShiftAlreadyOpen,
            Error::UnknownAccount { .. } => FailureCode::UnknownAccount,
            Error::Card(_) => FailureCode::CardNotValid,
            Error::BadInput { .. } => FailureCode::BadInput,
            Error::HolderNames { .. } => FailureCode::HolderNames,
            Error::HolderNotPrintable { .. } => FailureCode::HolderNotPrintable,
            Error::NegativeAmount { .. } => FailureCode::NegativeAmount,
            Error::CardOverTotal { .. } => FailureCode::CardOverTotal,
            Error::CashShort { .. } => FailureCode::CashShort,
            Error::CashNotDue { .. } => FailureCode::CashNotDue,
            Error::AbsurdChange { .. } => FailureCode::AbsurdChange,
            Error::CardDeclined { .. } => FailureCode::CardDeclined,
            Error::UnknownOrder { .. } => FailureCode::UnknownOrder,
            Error::TicketNotValid { .. } => FailureCode::TicketNotValid,
            Error::AlreadyVoided { .. } => FailureCode::AlreadyVoided,
            Error::Signing(_) => FailureCode::Signing,
            Error::NotEnrolled => FailureCode::NotEnrolled,
            Error::Server(c) if c.is_network() => FailureCode::ServerUnreachable,
            Error::Server(_) | Error::ServerRefused { .. } => FailureCode::ServerRefused,
            Error::Render(_) => FailureCode::Render,
            Error::Print(_) => FailureCode::Print,
        }
    }
}

impl Failure {
    /// A failure of the shell itself (bad input shape, missing tool…).
    pub fn new(
        code: FailureCode,
        en: impl Into<String>,
        fr_text: impl Into<String>,
        lang: Lang<'_>,
    ) -> Self {
        Failure {
            code,
            message: if fr(lang) { fr_text.into() } else { en.into() },
            details: Vec::new(),
        }
    }

    /// A desk error in the chosen language.
    pub fn from_desk(e: &Error, lang: Lang<'_>) -> Self {
        let details = match e {
            Error::Refused(r) => r.violations.iter().map(|v| violation(v, lang)).collect(),
            _ => Vec::new(),
        };
        Failure {
            code: FailureCode::of(e),
            message: sentence(e, lang),
            details,
        }
    }
}

fn capitalised(s: String) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => s,
    }
}

/// The server-side failures, in both languages; the raw cause goes to stderr, not the screen.
fn server_sentence(e: &Error, lang: Lang<'_>) -> Option<String> {
    let fr = fr(lang);
    Some(match e {
        Error::NotEnrolled => {
            if fr {
                "Ce guichet n’est inscrit auprès d’aucun serveur — saisissez l’URL du serveur et un code d’inscription dans Réglages".into()
            } else {
                "This desk is not enrolled with a server — type the server URL and an enrolment code in Settings".into()
            }
        }
        Error::Server(guichet_desk::sync::CallError::Network { url, cause }) => {
            eprintln!("guichet-app: server: {url}: {cause}");
            if fr {
                format!("Le serveur {url} ne répond pas — vérifiez l’URL dans Réglages et le câble réseau, puis réessayez ; appelez le support si cela dure")
            } else {
                format!("The server at {url} does not answer — check the URL in Settings and the network cable, then try again; call support if it lasts")
            }
        }
        Error::Server(guichet_desk::sync::CallError::Refused { what, status, body }) => {
            eprintln!(
                "guichet-app: server refused {what} ({status}): {:?} {}",
                body.code, body.message
            );
            if fr {
                format!("Le serveur a refusé ({status}) : {} — corrigez et réessayez, ou appelez un administrateur", body.message)
            } else {
                format!("The server refused ({status}): {} — correct it and try again, or call an administrator", body.message)
            }
        }
        Error::ServerRefused {
            status,
            code,
            message,
        } => {
            eprintln!("guichet-app: server refused the sale ({status} {code}): {message}");
            if fr {
                format!("Le serveur a refusé la vente ({message}) — rien n’a été vendu et la carte n’est pas débitée ; appelez un superviseur")
            } else {
                format!("The server refused the sale ({message}) — nothing was sold and the card is not charged; call a supervisor")
            }
        }
        _ => return None,
    })
}

fn sentence(e: &Error, lang: Lang<'_>) -> String {
    if let Some(s) = server_sentence(e, lang) {
        return capitalised(s);
    }
    if let Error::Print(Output::Printer(PrintError::NoSuchPrinter(queue))) = e {
        {
            return if fr(lang) {
                format!("L’imprimante « {queue} » n’existe pas sur cet ordinateur — choisissez-en une autre dans Réglages, ou enregistrez le PDF ; la vente est enregistrée")
            } else {
                format!("Printer “{queue}” is not set up on this computer — choose another in Settings, or save the PDF; the sale is recorded")
            };
        }
    }
    if !fr(lang) {
        return capitalised(match e {
            Error::Store(guichet_store::Error::AllotmentShort { .. }) => {
                "this desk's allotment is too short for the order — lower the quantities or choose another session".into()
            }
            Error::Store(
                inner @ (guichet_store::Error::MirrorUnwritable { .. }
                | guichet_store::Error::MirrorCopy { .. }),
            ) => inner.to_string(),
            Error::Store(inner) => {
                eprintln!("guichet-app: store error: {inner:?}");
                format!("the desk's file could not be used ({inner}) — nothing was changed; try again, and call support if it repeats")
            }
            Error::Refused(r) => format!(
                "order refused for {} reason(s) — fix the lines marked below",
                r.violations.len()
            ),
            other => other.to_string(),
        });
    }
    match e {
        Error::Store(guichet_store::Error::AllotmentShort { .. }) => {
            "Le contingent de ce guichet ne suffit pas — baissez les quantités ou choisissez une autre séance".into()
        }
        Error::Store(guichet_store::Error::MirrorUnwritable { dir, .. }) => format!(
            "Le miroir {} ne peut pas être écrit ; rien n’a été enregistré — rebranchez le support du miroir, ou choisissez-en un autre (guichet-desk mirror set DOSSIER, ou mirror off)",
            dir.display()
        ),
        Error::Store(guichet_store::Error::MirrorCopy { reason, .. }) => format!(
            "L’opération est faite et inscrite dans le journal du miroir, mais la copie complète vers le miroir a échoué ({reason}) — rebranchez le miroir et lancez guichet-desk mirror copy"
        ),
        Error::Store(inner) => {
            eprintln!("guichet-app: store error: {inner:?}");
            format!("Le fichier du guichet est inutilisable ({inner}) — rien n’a été modifié ; réessayez, puis appelez le support si cela se répète")
        }
        Error::Refused(r) => format!(
            "Commande refusée pour {} raison(s) — corrigez les lignes signalées ci-dessous",
            r.violations.len()
        ),
        Error::NotSignedIn => "Aucun opérateur connecté — identifiez-vous avec votre identifiant et votre code".into(),
        Error::UnknownOperator { id } => format!("Aucun opérateur « {id} » sur ce guichet — vérifiez l’identifiant"),
        Error::WrongPin { id, left, lock_minutes } => format!(
            "Code erroné pour {id} ; encore {left} {} avant un blocage de {lock_minutes} minutes",
            if *left == 1 { "essai" } else { "essais" }
        ),
        Error::Locked { id, attempts, until } => format!(
            "{id} est bloqué après {attempts} codes erronés jusqu’à {until} (heure de Paris) — patientez ou appelez un superviseur"
        ),
        Error::NotSupervisor { id, .. } => format!("{id} est vendeur ; cette action demande le code d’un superviseur — demandez à un superviseur de saisir le sien"),
        Error::PinPolicy => "Un code fait 4 à 8 chiffres — choisissez-en un autre".into(),
        Error::NoOpenShift => "Aucune caisse ouverte — ouvrez une session de caisse avec un fond de caisse".into(),
        Error::ShiftAlreadyOpen { by, since } => format!(
            "Une caisse ouverte par {by} à {since} est encore ouverte — fermez-la d’abord"
        ),
        Error::Card(c) => card_fr(c),
        Error::UnknownAccount { id } => format!(
            "Aucun compte « {id} » dans ce guichet — cherchez par nom ou e-mail, ou créez un compte au guichet"
        ),
        Error::BadInput { field, problem } => bad_input_fr(field, problem),
        Error::HolderNames { line, session, quantity, names, extra } => format!(
            "La ligne {line} ({session}) a {quantity} billet(s) mais {names} noms — retirez-en {extra}"
        ),
        Error::HolderNotPrintable { line, session, name, missing } => format!(
            "Ligne {line} ({session}) : le nom « {name} » contient des caractères qu’aucune police des billets de ce poste ne sait dessiner ({missing}) — installez les polices (apt-get install fonts-noto-core fonts-noto-cjk) ou saisissez le nom du titulaire en lettres latines, comme sur le passeport"
        ),
        Error::NegativeAmount { what, amount } => {
            let what = match *what {
                "card amount" => "Le montant carte",
                "cash tendered" => "L’espèce remise",
                "cash float" => "Le fond de caisse",
                "cash counted" => "L’espèce comptée",
                other => other,
            };
            format!("{what} vaut {} ; un montant n’est jamais négatif — saisissez 0 ou plus", money(*amount, lang))
        }
        Error::CardOverTotal { card, total } => format!(
            "Le montant carte {} dépasse le total {} — débitez au plus {}",
            money(*card, lang), money(*total, lang), money(*total, lang)
        ),
        Error::CashShort { due, tendered, missing } => format!(
            "Espèces dues : {}, reçues : {} — il manque {}",
            money(*due, lang), money(*tendered, lang), money(*missing, lang)
        ),
        Error::CashNotDue { total, tendered } => format!(
            "La carte paie tout ({}) ; aucune espèce n’est due, or {} ont été saisis — mettez les espèces à 0",
            money(*total, lang), money(*tendered, lang)
        ),
        Error::AbsurdChange { change, limit } => format!(
            "La monnaie à rendre serait de {} ; le guichet rend au plus {} — vérifiez le montant reçu",
            money(*change, lang), money(*limit, lang)
        ),
        Error::CardDeclined { reason } => format!(
            "Paiement refusé par le terminal : {reason} — rien n’a été vendu ; réessayez ou encaissez en espèces"
        ),
        Error::UnknownOrder { id } => format!("Aucune commande « {id} » sur ce guichet — vérifiez le numéro"),
        Error::TicketNotValid { id, state, .. } => format!(
            "Le billet « {id} » est {state} — seul un billet valide peut l’être"
        ),
        Error::AlreadyVoided { id } => format!("La commande {id} est déjà annulée — rien à faire"),
        Error::Render(why) => format!(
            "Impossible de produire les billets : {} — la vente est enregistrée ; réimprimez une fois corrigé",
            why_fr(why)
        ),
        Error::Print(why) => format!(
            "Impossible d’imprimer : {} — la vente est enregistrée ; réparez l’imprimante et réimprimez, ou enregistrez le PDF",
            why_fr(why)
        ),
        Error::Signing(why) => format!("Impossible de signer le billet : {why} — rien n’a été vendu ; appelez le support"),
        Error::NotEnrolled | Error::Server(_) | Error::ServerRefused { .. } => {
            server_sentence(e, lang).unwrap_or_default()
        }
    }
}

/// The French name of a desk field.
fn field_fr(field: &str) -> &str {
    match field {
        "email" => "E-mail",
        "country" => "Pays",
        "club number" => "Numéro Club",
        "account QR" => "QR du compte",
        "account id" => "Numéro de compte",
        "given name" => "Prénom",
        "family name" => "Nom",
        "holder" => "Titulaire",
        "reason" => "Motif",
        "tickets" => "Billets",
        "shift" => "Caisse",
        "pin" => "Code",
        "device key" => "Clé du poste",
        other => other,
    }
}

/// A bad input in French, from its typed problem; the field is always named in French.
fn bad_input_fr(field: &str, problem: &Problem) -> String {
    let name = field_fr(field);
    let said = match problem {
        Problem::NotAnEmail { value } => {
            format!("« {value} » n’est pas une adresse e-mail (nom@domaine.fr)")
        }
        Problem::NotACountry { value } => {
            format!("« {value} » : deux lettres, code ISO 3166-1 (FR, DE, US)")
        }
        Problem::NotAClubNumber { value } => format!("« {value} » : 4 à 20 lettres ou chiffres"),
        Problem::Empty => "ne doit pas être vide".into(),
        Problem::TooLong { max } => {
            format!("au plus {max} caractères, sans caractère de contrôle")
        }
        Problem::NoTicketToRefund => "indiquez au moins un billet à rembourser".into(),
        Problem::Unprintable { value, missing } => format!("« {value} » contient des caractères qu’aucune police des billets de ce poste ne sait dessiner ({missing}) — installez les polices (apt-get install fonts-noto-core fonts-noto-cjk) ou saisissez-le en lettres latines, comme sur le passeport"),
        Problem::NoShift { .. } => "aucune caisse de ce numéro à ce guichet — imprimez le rapport depuis l’écran Caisse du guichet qui l’a tenue".into(),
        Problem::Other(said) => said.clone(),
    };
    format!("{name} : {said} — corrigez la saisie")
}

/// A file error in French, from its kind, for the kinds a desk meets.
pub(crate) fn io_fr(e: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::NotFound => "le dossier ou le fichier n’existe pas".into(),
        ErrorKind::PermissionDenied => "ce dossier n’est pas accessible en écriture".into(),
        ErrorKind::StorageFull => "le disque est plein".into(),
        _ => e.to_string(),
    }
}

/// A rendering or printing failure's reason in French, from its typed cause.
fn why_fr(why: &Output) -> String {
    match why {
        Output::Render(RenderError::EmptyOrder) => "la commande n’a aucun billet à imprimer".into(),
        Output::File { source, .. } | Output::Printer(PrintError::File { source, .. }) => {
            match source.kind() {
                std::io::ErrorKind::NotFound
                | std::io::ErrorKind::PermissionDenied
                | std::io::ErrorKind::StorageFull => io_fr(source),
                _ => why.to_string(),
            }
        }
        other => other.to_string(),
    }
}

/// A refused account card, in French (the English is the error's own text).
fn card_fr(c: &guichet_tickets::CardError) -> String {
    use guichet_tickets::CardError as C;
    match c {
        C::NotACard => "Ce n’est pas une carte de compte".into(),
        C::Unsigned => "Ce code de compte n’est pas signé : présentez le QR de votre e-mail de confirmation".into(),
        C::Malformed(_) => "Cette carte de compte est abîmée : présentez à nouveau le QR de votre e-mail de confirmation".into(),
        C::UnknownKey(k) => format!("Cette carte de compte a été signée par la clé {k}, que cette borne ne connaît pas"),
        C::Forged => "La signature de cette carte de compte ne correspond pas : elle a été modifiée ou falsifiée".into(),
        C::Expired { until, today } => format!(
            "Cette carte de compte était valable jusqu’au {} ; nous sommes le {} : demandez-en une nouvelle",
            until.strftime("%d/%m/%Y"),
            today.strftime("%d/%m/%Y")
        ),
    }
}

/// A draw registration the desk could not make, as the seller reads it: the server's rule
/// (`details.rule`) said in the chosen language with the draw's window in Paris time, or the
/// desk error's own sentence (offline, not enrolled…).
pub fn draw_refusal(
    e: &Error,
    config: &guichet_domain::SaleConfig,
    draw: &str,
    lang: Lang<'_>,
) -> Failure {
    let Error::Server(guichet_desk::sync::CallError::Refused { body, .. }) = e else {
        return Failure::from_desk(e, lang);
    };
    let rule = body
        .details
        .get("rule")
        .and_then(|r| r.as_str())
        .unwrap_or_default();
    let Some(d) = config.draw(draw) else {
        return Failure::from_desk(e, lang);
    };
    let (name, opens, closes) = (
        if fr(lang) { &d.name_fr } else { &d.name_en },
        crate::views::paris_time(d.registration_opens),
        crate::views::paris_time(d.registration_closes),
    );
    let (en, fr_text) = match rule {
        "REGISTRATION_NOT_OPEN" => (
            format!("Registration for the {name} opens on {opens} (Paris time) — come back then"),
            format!("L’inscription au {name} ouvre le {opens} (heure de Paris) — revenez à ce moment-là"),
        ),
        "REGISTRATION_CLOSED" | "REGISTRATION_AFTER_FINGERPRINT" => (
            format!("Registration for the {name} closed on {closes} (Paris time): it was open from {opens} — no registration is possible any more"),
            format!("L’inscription au {name} a fermé le {closes} (heure de Paris) : elle était ouverte depuis le {opens} — il n’est plus possible de s’inscrire"),
        ),
        "ALREADY_REGISTERED" => (
            format!("This account is already registered for the {name} — one registration per account and draw; nothing to do"),
            format!("Ce compte est déjà inscrit au {name} — une inscription par compte et par tirage ; rien à faire"),
        ),
        "ACCOUNT_UNKNOWN" => (
            "The server does not know this account yet — sync the desk, then register again".to_string(),
            "Le serveur ne connaît pas encore ce compte — synchronisez le guichet, puis inscrivez-le à nouveau".to_string(),
        ),
        _ => return Failure::from_desk(e, lang),
    };
    let mut f = Failure::new(FailureCode::DrawRegistrationRefused, en, fr_text, lang);
    f.message = capitalised(f.message);
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_sentence_on_screen_starts_with_a_capital_in_both_languages() {
        assert_eq!(
            capitalised("un pack compte exactement 3 séances".into()),
            "Un pack compte exactement 3 séances",
            "the French rule sentence starts with a capital"
        );
        assert_eq!(
            capitalised("éte".into()),
            "Éte",
            "an accented first letter too"
        );
        assert_eq!(
            capitalised(String::new()),
            "",
            "an empty sentence stays empty"
        );
    }

    #[test]
    fn a_wrong_pin_reads_as_a_sentence_in_both_languages_with_the_attempts_left() {
        let e = Error::WrongPin {
            id: "S-SELL".into(),
            left: 3,
            lock_minutes: 15,
        };
        let en = Failure::from_desk(&e, "en");
        let fr_ = Failure::from_desk(&e, "fr");
        assert_eq!(
            en.code,
            FailureCode::WrongPin,
            "the code the UI switches on"
        );
        assert!(
            en.message.starts_with("Wrong PIN") && en.message.contains('3'),
            "{}",
            en.message
        );
        assert!(
            fr_.message.contains("Code erroné") && fr_.message.contains('3'),
            "{}",
            fr_.message
        );
    }

    #[test]
    fn a_negative_amount_names_the_amount_and_the_fix_in_french_words() {
        let e = Error::NegativeAmount {
            what: "cash float",
            amount: guichet_domain::Money::from_cents(-500),
        };
        let fr_ = Failure::from_desk(&e, "fr").message;
        assert!(fr_.starts_with("Le fond de caisse vaut"), "{fr_}");
        assert!(fr_.contains("saisissez 0 ou plus"), "{fr_}");
        let en = Failure::from_desk(&e, "en").message;
        assert!(en.contains("enter 0 or more"), "{en}");
    }

    #[test]
    fn french_sentences_say_the_desks_english_problems_in_french() {
        let email = Error::BadInput {
            field: "email",
            problem: Problem::NotAnEmail {
                value: "lea@".into(),
            },
        };
        let fr_ = Failure::from_desk(&email, "fr").message;
        assert!(
            fr_.contains("E-mail")
                && fr_.contains("« lea@ » n’est pas une adresse e-mail")
                && !fr_.contains("is not"),
            "{fr_}"
        );
        let render = Error::Render(Output::Render(RenderError::EmptyOrder));
        let fr_ = Failure::from_desk(&render, "fr").message;
        assert!(
            fr_.contains("aucun billet") && !fr_.contains("cannot"),
            "{fr_}"
        );
        let io = Error::Print(Output::File {
            path: "/nowhere/order.pdf".into(),
            source: std::io::Error::from(std::io::ErrorKind::NotFound),
        });
        let fr_ = Failure::from_desk(&io, "fr").message;
        assert!(
            fr_.contains("n’existe pas") && !fr_.contains("os error"),
            "{fr_}"
        );
        // English stays English.
        let en = Failure::from_desk(&email, "en").message;
        assert!(en.contains("is not an email address"), "{en}");
    }

    #[test]
    fn the_ipc_code_of_a_desk_error_is_the_code_the_desk_cli_prints() {
        // The CLI's exit JSON and the UI name each failure alike: one code per desk variant.
        let samples = [
            Error::NotSignedIn,
            Error::PinPolicy,
            Error::NoOpenShift,
            Error::NotEnrolled,
            Error::UnknownOrder { id: "x".into() },
            Error::BadInput {
                field: "email",
                problem: Problem::Empty,
            },
            Error::Render(Output::Render(RenderError::EmptyOrder)),
            Error::Print(Output::Printer(PrintError::NoSuchPrinter("Q".into()))),
            Error::Store(guichet_store::Error::AllotmentShort {
                session: guichet_domain::SessionCode::parse("ATH07").expect("a session code"),
                category: guichet_domain::PriceCategory::A,
                wanted: 2,
                remaining: 1,
            }),
        ];
        for e in samples {
            let ipc = serde_json::to_value(FailureCode::of(&e)).expect("a code serialises");
            assert_eq!(
                ipc,
                e.code(),
                "{e}: the same code over IPC as in the desk CLI"
            );
        }
    }

    #[test]
    fn a_missing_printer_is_named_from_the_typed_cause_in_both_languages() {
        let e = Error::Print(Output::Printer(PrintError::NoSuchPrinter("Kiosk-1".into())));
        let en = Failure::from_desk(&e, "en").message;
        assert!(en.starts_with("Printer “Kiosk-1” is not set up"), "{en}");
        let fr_ = Failure::from_desk(&e, "fr").message;
        assert!(
            fr_.starts_with("L’imprimante « Kiosk-1 » n’existe pas"),
            "{fr_}"
        );
    }
}
