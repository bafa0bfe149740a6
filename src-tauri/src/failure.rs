//! Desk errors as the counter reads them: a code, a sentence in the chosen language that names
//! the next step, and every rule violation. Internal failures are logged with their chain and
//! shown as a plain sentence, never as a raw error string.

use guichet_desk::Error;
use guichet_domain::rules::Violation;
use guichet_domain::Money;

use crate::wire::{Failure, ViolationView};

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
pub fn violation(v: &Violation, lang: Lang<'_>) -> ViolationView {
    ViolationView {
        code: v.code.as_str().to_string(),
        message: v.message(lang).to_string(),
        session: v
            .details
            .get("session")
            .and_then(|s| s.as_str())
            .map(str::to_string),
    }
}

impl Failure {
    /// A failure of the shell itself (bad input shape, missing tool…).
    pub fn new(
        code: &str,
        en: impl Into<String>,
        fr_text: impl Into<String>,
        lang: Lang<'_>,
    ) -> Self {
        Failure {
            code: code.to_string(),
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
            code: e.code().to_string(),
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

/// The queue named in "no printer named `X` in CUPS", the tickets crate's wording.
fn missing_queue(why: &str) -> Option<&str> {
    why.strip_prefix("no printer named `")?.split('`').next()
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
    if let Error::Print(why) = e {
        if let Some(queue) = missing_queue(why) {
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

/// The first `"…"` of a desk sentence: the value the seller typed.
fn quoted(problem: &str) -> Option<&str> {
    let rest = problem.strip_prefix('"')?;
    rest.split('"').next()
}

/// A bad input in French: the desk's English problems are said again in French, from their
/// known shapes; the field is always named in French.
fn bad_input_fr(field: &str, problem: &str) -> String {
    let name = field_fr(field);
    let value = quoted(problem).unwrap_or_default();
    let said = if problem.contains("is not an email address") {
        format!("« {value} » n’est pas une adresse e-mail (nom@domaine.fr)")
    } else if problem.contains("two letters, ISO 3166-1") {
        format!("« {value} » : deux lettres, code ISO 3166-1 (FR, DE, US)")
    } else if problem.contains("4 to 20 letters or digits") {
        format!("« {value} » : 4 à 20 lettres ou chiffres")
    } else if problem == "must not be empty" {
        "ne doit pas être vide".into()
    } else if let Some(n) = problem
        .strip_prefix("at most ")
        .and_then(|r| r.strip_suffix(" characters, no control characters"))
    {
        format!("au plus {n} caractères, sans caractère de contrôle")
    } else if problem == "name at least one ticket to refund" {
        "indiquez au moins un billet à rembourser".into()
    } else if problem.contains("has characters no ticket font") {
        let missing = problem
            .split_once('(')
            .and_then(|(_, r)| r.split_once(')'))
            .map(|(m, _)| m)
            .unwrap_or_default();
        format!("« {value} » contient des caractères qu’aucune police des billets de ce poste ne sait dessiner ({missing}) — installez les polices (apt-get install fonts-noto-core fonts-noto-cjk) ou saisissez-le en lettres latines, comme sur le passeport")
    } else if problem.starts_with("no shift ") {
        "aucune caisse de ce numéro à ce guichet — imprimez le rapport depuis l’écran Caisse du guichet qui l’a tenue".into()
    } else {
        problem.to_string()
    };
    format!("{name} : {said} — corrigez la saisie")
}

/// A rendering or printing failure's reason in French, for the reasons the desk meets.
pub(crate) fn why_fr(why: &str) -> String {
    if why.contains("an order with no ticket cannot be rendered") {
        return "la commande n’a aucun billet à imprimer".into();
    }
    if why.contains("os error 2") || why.contains("No such file or directory") {
        return "le dossier ou le fichier n’existe pas".into();
    }
    if why.contains("os error 13") || why.contains("Permission denied") {
        return "ce dossier n’est pas accessible en écriture".into();
    }
    if why.contains("os error 28") || why.contains("No space left") {
        return "le disque est plein".into();
    }
    why.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrong_pin_reads_as_a_sentence_in_both_languages_with_the_attempts_left() {
        let e = Error::WrongPin {
            id: "S-SELL".into(),
            left: 3,
            lock_minutes: 15,
        };
        let en = Failure::from_desk(&e, "en");
        let fr_ = Failure::from_desk(&e, "fr");
        assert_eq!(en.code, "WRONG_PIN");
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
            problem: "\"lea@\" is not an email address (name@domain.tld)".into(),
        };
        let fr_ = Failure::from_desk(&email, "fr").message;
        assert!(
            fr_.contains("E-mail")
                && fr_.contains("« lea@ » n’est pas une adresse e-mail")
                && !fr_.contains("is not"),
            "{fr_}"
        );
        let render = Error::Render("an order with no ticket cannot be rendered".into());
        let fr_ = Failure::from_desk(&render, "fr").message;
        assert!(
            fr_.contains("aucun billet") && !fr_.contains("cannot"),
            "{fr_}"
        );
        let io = Error::Print("No such file or directory (os error 2)".into());
        let fr_ = Failure::from_desk(&io, "fr").message;
        assert!(
            fr_.contains("n’existe pas") && !fr_.contains("os error"),
            "{fr_}"
        );
        // English stays English.
        let en = Failure::from_desk(&email, "en").message;
        assert!(en.contains("is not an email address"), "{en}");
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
