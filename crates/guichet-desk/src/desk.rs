//! The desk: the store plus the injected parts (clock, signer, card terminal, settings) and the
//! operator signed in. Every use case is a method; the app, the CLI and the tests share them.

use std::path::Path;

use guichet_domain::{Catalogue, SaleConfig};
use guichet_store::operators::Role;
use guichet_store::stock::{catalogue_size, replace_catalogue, SessionRow};
use guichet_store::Store;
use jiff::Timestamp;

use crate::clock::Clock;
use crate::error::{Error, Problem, Result};
use crate::payment::PaymentTerminal;
use crate::settings::DeskSettings;
use crate::signer::TicketSigner;

/// The injected parts of a desk.
pub struct DeskParts {
    /// Where "now" comes from.
    pub clock: Box<dyn Clock>,
    /// Signs tickets with this desk's key.
    pub signer: Box<dyn TicketSigner>,
    /// The card terminal.
    pub terminal: Box<dyn PaymentTerminal>,
    /// Settings.
    pub settings: DeskSettings,
    /// The catalogue (Paris 2024 embedded by default).
    pub catalogue: Catalogue,
    /// The sale configuration.
    pub config: SaleConfig,
}

impl DeskParts {
    /// The real desk's parts: machine clock, Paris 2024 catalogue and configuration, default
    /// settings, the card terminal simulator (no real terminal is integrated yet), and the
    /// given signer.
    pub fn paris2024(signer: Box<dyn TicketSigner>) -> DeskParts {
        DeskParts {
            clock: Box::new(crate::clock::SystemClock),
            signer,
            terminal: Box::new(crate::payment::PaymentTerminalSimulator::default()),
            settings: DeskSettings::default(),
            catalogue: Catalogue::paris2024(),
            config: SaleConfig::paris2024(),
        }
    }
}

/// The operator at the counter.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SignedIn {
    /// Staff id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Role.
    pub role: Role,
}

/// A box-office desk over its local store.
pub struct Desk {
    pub(crate) store: Store,
    pub(crate) clock: Box<dyn Clock>,
    pub(crate) signer: Box<dyn TicketSigner>,
    pub(crate) terminal: Box<dyn PaymentTerminal>,
    pub(crate) settings: DeskSettings,
    pub(crate) catalogue: Catalogue,
    pub(crate) config: SaleConfig,
    pub(crate) operator: Option<SignedIn>,
    /// The server client, once enrolled and connected.
    pub(crate) server: Option<crate::sync::http::ServerClient>,
    /// Until when sales skip the server, and why (its last failure).
    pub(crate) server_down: Option<(Timestamp, String)>,
}

impl std::fmt::Debug for Desk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Desk")
            .field("store", &self.store)
            .field("operator", &self.operator)
            .finish_non_exhaustive()
    }
}

impl Desk {
    /// Opens the desk's store at `path` (refusing foreign, damaged or newer files) and saves
    /// the catalogue snapshot into it on first use.
    pub fn open(path: impl AsRef<Path>, parts: DeskParts) -> Result<Desk> {
        let mut store = Store::open(path)?;
        if catalogue_size(store.reader())? == 0 {
            let rows: Vec<SessionRow> = parts.catalogue.sessions().map(session_row).collect();
            store.write(|tx| replace_catalogue(tx, &rows))?;
        }
        Ok(Desk {
            store,
            clock: parts.clock,
            signer: parts.signer,
            terminal: parts.terminal,
            settings: parts.settings,
            catalogue: parts.catalogue,
            config: parts.config,
            operator: None,
            server: None,
            server_down: None,
        })
    }

    /// The store (for reports and tests; writes go through use cases).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Store access for set-up steps that sync would do (allotments, cached accounts).
    pub fn store_mut(&mut self) -> &mut Store {
        &mut self.store
    }

    /// The sale configuration in use (phases, draws, limits).
    pub fn config(&self) -> &SaleConfig {
        &self.config
    }

    /// The catalogue in use.
    pub fn catalogue(&self) -> &Catalogue {
        &self.catalogue
    }

    /// The settings.
    pub fn settings(&self) -> &DeskSettings {
        &self.settings
    }

    /// Id of the key that signs this desk's tickets (as registered with the server).
    pub fn signer_key_id(&self) -> String {
        self.signer.key_id()
    }

    /// The operator signed in, if any.
    pub fn operator(&self) -> Option<&SignedIn> {
        self.operator.as_ref()
    }

    /// The current instant from the injected clock.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    pub(crate) fn signed_in(&self) -> Result<SignedIn> {
        self.operator.clone().ok_or(Error::NotSignedIn)
    }

    /// An instant as staff read it, in the numbers every screen and both languages use: Paris
    /// time, e.g. `20/02/2023 10:15`.
    pub fn paris(&self, at: Timestamp) -> String {
        at.to_zoned(self.config.time_zone())
            .strftime("%d/%m/%Y %H:%M")
            .to_string()
    }

    /// A name that prints on tickets, or a refusal naming the characters no ticket font on this
    /// machine can draw, with the two ways out: install the fonts, or the passport's Latin
    /// spelling. With Debian's Noto fonts installed every script of the Games' fans prints.
    pub(crate) fn printable_name(&self, field: &'static str, value: &str) -> Result<String> {
        let v = self.text(field, value)?;
        match unprintable(&v) {
            None => Ok(v),
            Some(missing) => Err(Error::BadInput {
                field,
                problem: Problem::Unprintable { value: v, missing },
            }),
        }
    }

    pub(crate) fn text(&self, field: &'static str, value: &str) -> Result<String> {
        let v = value.trim();
        if v.is_empty() {
            return Err(Error::BadInput {
                field,
                problem: Problem::Empty,
            });
        }
        if v.chars().count() > self.settings.max_text || v.chars().any(char::is_control) {
            return Err(Error::BadInput {
                field,
                problem: Problem::TooLong {
                    max: self.settings.max_text,
                },
            });
        }
        Ok(v.to_string())
    }
}

fn session_row(s: &guichet_domain::Session) -> SessionRow {
    SessionRow {
        code: s.code.clone(),
        games: s.games,
        sport: s.sport.clone(),
        discipline: s.discipline.clone(),
        description: s.description.clone(),
        venue_name: s.venue_name.clone(),
        city: s.city.clone(),
        start: s.start,
        end: s.end,
        offers: s
            .offers
            .iter()
            .map(|o| (o.category, o.price, o.capacity))
            .collect(),
    }
}

/// The app keeps a desk in its state, moved between threads: it must stay `Send`.
#[allow(dead_code)]
fn desk_is_send() {
    fn send<T: Send>() {}
    send::<Desk>();
}

/// The characters of `text` no ticket font on this machine can draw, each once, or `None`.
pub(crate) fn unprintable(text: &str) -> Option<String> {
    if guichet_tickets::fonts_cover(text) {
        return None;
    }
    Some(guichet_tickets::missing_glyphs(text))
}
