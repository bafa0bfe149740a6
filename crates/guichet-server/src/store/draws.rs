//! Draws on the server (docs/draw.md): registrations, commitment, close, runs. The draw itself
//! is `guichet-draw`'s; this file stores its inputs and writes its results into the accounts'
//! draw rows, which the sale rules enforce.

use guichet_domain::config::Phase;
use guichet_domain::AccountId;
use guichet_draw::hex::encode;
use guichet_draw::{Beacon, DrawError, DrawInputs, Registration, SlotSettings, Transcript};
use guichet_wire::draws::RegistrationDto;
use jiff::Timestamp;
use rusqlite::{params, Connection, OptionalExtension};

use super::{Store, StoreError};

/// The rule a refusal names (its `code` is what scripts and the desk switch on).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// No such draw in the sale configuration.
    DrawUnknown,
    /// No such account.
    AccountUnknown,
    /// Before the registration window.
    NotOpen,
    /// At or after the window's close.
    Closed,
    /// Registered already.
    AlreadyRegistered,
    /// The list's fingerprint is out.
    AfterFingerprint,
    /// A draw step out of its order (commit twice, run before close…).
    OutOfOrder,
}

impl Rule {
    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            Rule::DrawUnknown => "DRAW_UNKNOWN",
            Rule::AccountUnknown => "ACCOUNT_UNKNOWN",
            Rule::NotOpen => "REGISTRATION_NOT_OPEN",
            Rule::Closed => "REGISTRATION_CLOSED",
            Rule::AlreadyRegistered => "ALREADY_REGISTERED",
            Rule::AfterFingerprint => "REGISTRATION_AFTER_FINGERPRINT",
            Rule::OutOfOrder => "DRAW_STEP_OUT_OF_ORDER",
        }
    }
}

/// Why a draw operation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum DrawStoreError {
    /// A rule refused it; the message names the rule, the times in Paris time and the way out.
    #[error("{}: {message}", rule.code())]
    Refused {
        /// The rule.
        rule: Rule,
        /// The sentence.
        message: String,
        /// Numbers and times, for the wire's `details`.
        details: serde_json::Value,
    },
    /// The draw library refused it (reveal, beacon, slots).
    #[error("{0}")]
    Draw(#[from] DrawError),
    /// The store failed.
    #[error("{0}")]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for DrawStoreError {
    fn from(e: rusqlite::Error) -> Self {
        DrawStoreError::Store(e.into())
    }
}

type R<T> = std::result::Result<T, DrawStoreError>;

fn refused(rule: Rule, message: String, details: serde_json::Value) -> DrawStoreError {
    DrawStoreError::Refused {
        rule,
        message,
        details,
    }
}

/// What `draw close` published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closed {
    /// Registrations in the list.
    pub count: u64,
    /// Its fingerprint (hex).
    pub fingerprint: String,
    /// Of which carried over from another draw.
    pub carried: u64,
}

/// Shared by both stores: the decisions of a draw step, given what the store read. The
/// stores only read and write; the rules, the messages and the draw itself are here and in
/// `guichet-draw`.
pub(crate) mod decide {
    use super::*;
    use guichet_domain::config::Draw;
    use guichet_domain::{Catalogue, SaleConfig};

    /// An instant in the sale's time zone, as refusals show it.
    pub fn paris(config: &SaleConfig, t: Timestamp) -> String {
        t.to_zoned(config.time_zone())
            .strftime("%-d %b %Y %H:%M")
            .to_string()
    }

    /// The draw's configuration, or the refusal naming the known draws.
    pub fn draw_config<'a>(config: &'a SaleConfig, draw: &str) -> R<&'a Draw> {
        config.draws.iter().find(|d| d.id == draw).ok_or_else(|| {
            let known: Vec<&str> = config.draws.iter().map(|d| d.id.as_str()).collect();
            refused(
                Rule::DrawUnknown,
                format!("there is no draw {draw:?}; the sale's draws are {}", known.join(", ")),
                serde_json::json!({ "rule": Rule::DrawUnknown.code(), "draw": draw, "draws": known }),
            )
        })
    }

    fn window(config: &SaleConfig, d: &Draw) -> String {
        format!(
            "registration for the {} is open from {} (included) to {} (excluded), Paris time",
            d.name_en,
            paris(config, d.registration_opens),
            paris(config, d.registration_closes)
        )
    }

    fn out_of_order(draw: &str, m: String) -> DrawStoreError {
        refused(
            Rule::OutOfOrder,
            m,
            serde_json::json!({ "rule": Rule::OutOfOrder.code(), "draw": draw }),
        )
    }

    /// A registration's checks, in the order both stores make them.
    pub struct Registering<'a> {
        /// The sale configuration.
        pub config: &'a SaleConfig,
        /// The draw's.
        pub d: &'a Draw,
        /// Draw id.
        pub draw: &'a str,
        /// The account.
        pub account: &'a AccountId,
        /// The instant.
        pub now: Timestamp,
    }

    impl Registering<'_> {
        fn details(&self, rule: Rule) -> serde_json::Value {
            serde_json::json!({ "rule": rule.code(), "draw": self.draw, "account_id": self.account.as_str(),
                "opens": self.d.registration_opens.to_string(), "closes": self.d.registration_closes.to_string(), "now": self.now.to_string() })
        }

        /// Before anything is read but the close: the list closed (`closed`), then the window.
        pub fn check_open(&self, closed: Option<(u64, String)>) -> R<()> {
            let (config, d, now) = (self.config, self.d, self.now);
            if let Some((count, fp)) = closed {
                let e = DrawError::AfterFingerprint {
                    draw: self.draw.into(),
                    count,
                    fingerprint: fp,
                };
                // The rule's code comes once, from the refusal: not again from the draw's error.
                let m = e.to_string();
                let m = m
                    .strip_prefix(&format!("{}: ", e.code()))
                    .unwrap_or(&m)
                    .to_string();
                return Err(refused(
                    Rule::AfterFingerprint,
                    m,
                    self.details(Rule::AfterFingerprint),
                ));
            }
            if now < d.registration_opens {
                let m = format!(
                    "{}; it is {} — come back then",
                    window(config, d),
                    paris(config, now)
                );
                return Err(refused(Rule::NotOpen, m, self.details(Rule::NotOpen)));
            }
            if now >= d.registration_closes {
                let m = format!(
                    "{}; it is {} — registration has closed; a later draw or sale may be open",
                    window(config, d),
                    paris(config, now)
                );
                return Err(refused(Rule::Closed, m, self.details(Rule::Closed)));
            }
            Ok(())
        }

        /// No such account.
        pub fn account_unknown(&self) -> DrawStoreError {
            let m = format!(
                "there is no account {} — create the account first, then register it",
                self.account
            );
            refused(Rule::AccountUnknown, m, self.details(Rule::AccountUnknown))
        }

        /// Registered already, as registration `id` at `at` (as stored).
        pub fn already_registered(&self, id: u64, at: String) -> DrawStoreError {
            let at = at
                .parse::<Timestamp>()
                .map(|t| paris(self.config, t))
                .unwrap_or(at);
            let m = format!("account {} is already registered for the {} (registration {id}, {at} Paris time); an account registers once per draw — nothing to do", self.account, self.d.name_en);
            refused(
                Rule::AlreadyRegistered,
                m,
                self.details(Rule::AlreadyRegistered),
            )
        }

        /// What the registration answers.
        pub fn dto(&self, id: u64, club: bool) -> RegistrationDto {
            RegistrationDto {
                draw: self.draw.into(),
                registration_id: id,
                account_id: self.account.to_string(),
                club,
                registered_at: self.now.to_string(),
            }
        }
    }

    /// A commitment's checks before it is written.
    pub fn check_commit(config: &SaleConfig, draw: &str, round: u64, now: Timestamp) -> R<()> {
        let d = draw_config(config, draw)?;
        if now >= d.registration_closes {
            return Err(out_of_order(draw, format!("a commitment must come before registration closes ({} Paris time); it is {} — too late for this draw", paris(config, d.registration_closes), paris(config, now))));
        }
        let round_at = guichet_draw::beacon::round_time(round);
        let close = d.registration_closes.as_second();
        if round_at <= close {
            return Err(out_of_order(draw, format!(
                "beacon round {round} comes out at Unix {round_at}, not after registration closes (Unix {close}) — name round {} or later",
                guichet_draw::beacon::first_round_after(close)
            )));
        }
        Ok(())
    }

    /// A second commitment.
    pub fn already_committed(draw: &str) -> DrawStoreError {
        out_of_order(draw, format!("the {draw} already has a commitment; it cannot change — run the draw with the secret kept then"))
    }

    /// Another run wrote wave `wave` while this one drew it.
    pub fn wave_raced(draw: &str, wave: u32) -> DrawStoreError {
        out_of_order(draw, format!("another `draw run` of the {draw} wrote wave {wave} while this one ran; nothing was written — read its transcript, or run again for wave {}", wave + 1))
    }

    /// A close's checks before the list is read; the draw's configuration.
    pub fn check_close<'a>(config: &'a SaleConfig, draw: &str, now: Timestamp) -> R<&'a Draw> {
        let d = draw_config(config, draw)?;
        if now < d.registration_closes {
            return Err(out_of_order(
                draw,
                format!(
                    "{}; it is {} — close it after that",
                    window(config, d),
                    paris(config, now)
                ),
            ));
        }
        Ok(d)
    }

    /// A second close.
    pub fn already_closed(draw: &str, count: u64, fp: &str) -> DrawStoreError {
        out_of_order(
            draw,
            format!("the {draw} list is closed already: {count} registrations, fingerprint {fp}"),
        )
    }

    /// The closed list's count and fingerprint (hex).
    pub fn close_list(regs: &[Registration]) -> R<(u64, String)> {
        Ok((regs.len() as u64, encode(&guichet_draw::fingerprint(regs)?)))
    }

    /// Tickets on sale in the phase the draw serves: seats of its Games' sessions not held back.
    pub fn phase_inventory(catalogue: &Catalogue, phase: &Phase) -> u64 {
        catalogue
            .sessions()
            .filter(|s| {
                s.games == phase.games
                    && !phase.held_back_sessions.contains(&s.code)
                    && !phase.held_back_sports.iter().any(|x| x == &s.sport)
            })
            .map(|s| u64::from(s.capacity()))
            .sum()
    }

    /// What a run needs from the store, read before it.
    pub struct RunState {
        /// The commitment (hex) and the beacon round, if committed.
        pub commitment: Option<(String, u64)>,
        /// Whether the list is closed.
        pub closed: bool,
        /// Winners of the earlier waves.
        pub skip: u64,
        /// This wave's number.
        pub wave: u32,
    }

    /// The checks a run makes before it reads the list: the phase it serves.
    pub fn check_run<'a>(config: &'a SaleConfig, draw: &str, st: &RunState) -> R<&'a Phase> {
        let d = draw_config(config, draw)?;
        let phase = config
            .phases
            .iter()
            .find(|p| p.draw.as_deref() == Some(draw))
            .ok_or_else(|| {
                out_of_order(draw, format!("no phase sells to the winners of {draw}"))
            })?;
        if st.commitment.is_none() {
            return Err(out_of_order(
                draw,
                format!(
                    "the {draw} has no commitment: run `draw commit` before registration closes"
                ),
            ));
        }
        if !st.closed {
            return Err(out_of_order(
                draw,
                format!(
                    "the {draw} list is not closed: run `draw close` after {} Paris time",
                    paris(config, d.registration_closes)
                ),
            ));
        }
        Ok(phase)
    }

    /// The wave itself (`guichet-draw`), from the closed list `regs`.
    #[allow(clippy::too_many_arguments)]
    pub fn run(
        config: &SaleConfig,
        catalogue: &Catalogue,
        draw: &str,
        st: &RunState,
        regs: &[Registration],
        secret: &[u8; 32],
        signature: &[u8],
        slots_from: Option<Timestamp>,
        inventory: Option<u64>,
    ) -> R<Transcript> {
        let d = draw_config(config, draw)?;
        let phase = check_run(config, draw, st)?;
        let Some((commitment, round)) = &st.commitment else {
            unreachable!("check_run refuses a run without a commitment")
        };
        let beacon = Beacon {
            chain: guichet_draw::beacon::QUICKNET_CHAIN.into(),
            round: *round,
            signature: signature.to_vec(),
        };
        let from = slots_from.map_or(i64::MIN, |t| t.as_second());
        let club_until = phase.club_priority_until.unwrap_or(phase.opens).as_second();
        let slots = SlotSettings {
            hour_capacity: d.slot_hour_capacity,
            slot_seconds: guichet_draw::SLOT_SECONDS,
            club_from: phase.opens.as_second().max(from),
            club_until,
            others_from: club_until.max(phase.opens.as_second()).max(from),
            sale_closes: phase.closes.as_second(),
        };
        Ok(guichet_draw::run(&DrawInputs {
            draw,
            wave: st.wave,
            secret: *secret,
            commitment: guichet_draw::hex::decode32(commitment, "commitment")?,
            beacon: &beacon,
            registrations: regs,
            inventory: inventory.unwrap_or_else(|| phase_inventory(catalogue, phase)),
            expected_tickets_per_winner: d.expected_tickets_per_winner,
            skip: st.skip,
            slots,
        })?)
    }

    /// A wave's winners with their slot start (Unix seconds), in account order.
    pub fn winners<'a>(regs: &'a [Registration], t: &Transcript) -> Vec<(&'a str, i64)> {
        // Winners by id (a few MB), matched against the list in one pass: a merge when the
        // list is in id order (as SQLite gives it), else a search in the winners.
        let mut by_id: Vec<(u64, i64)> = t.results.iter().map(|(_, id, s)| (*id, *s)).collect();
        by_id.sort_unstable();
        let mut winners: Vec<(&str, i64)> = Vec::with_capacity(by_id.len());
        if regs.windows(2).all(|w| w[0].id < w[1].id) {
            let mut w = by_id.iter().peekable();
            for r in regs {
                while w.next_if(|x| x.0 < r.id).is_some() {}
                if let Some((_, start)) = w.next_if(|x| x.0 == r.id) {
                    winners.push((r.account.as_str(), *start));
                }
            }
        } else {
            for r in regs {
                if let Ok(i) = by_id.binary_search_by_key(&r.id, |x| x.0) {
                    winners.push((r.account.as_str(), by_id[i].1));
                }
            }
        }
        winners.sort_unstable();
        winners
    }

    /// A slot's bound as stored (RFC 3339).
    pub fn slot_text(s: i64) -> String {
        Timestamp::from_second(s)
            .map(|t| t.to_string())
            .unwrap_or_default()
    }
}

impl Store {
    fn draw_config(&self, draw: &str) -> R<&guichet_domain::config::Draw> {
        decide::draw_config(self.config(), draw)
    }

    /// Registers an account for a draw inside its window, once.
    pub fn register_for_draw(
        &self,
        draw: &str,
        account: &AccountId,
        device: Option<&str>,
        now: Timestamp,
    ) -> R<RegistrationDto> {
        let d = self.draw_config(draw)?;
        let check = decide::Registering {
            config: self.config(),
            d,
            draw,
            account,
            now,
        };
        self.write(|tx| {
            check.check_open(closed(tx, draw)?)?;
            let club: Option<Option<String>> = tx
                .prepare_cached("SELECT club_number FROM accounts WHERE id = ?1")?
                .query_row([account.as_str()], |r| r.get(0))
                .optional()?;
            let Some(club) = club else {
                return Err(check.account_unknown());
            };
            let before: Option<(u64, String)> = tx
                .prepare_cached("SELECT id, registered_at FROM draw_registrations WHERE draw = ?1 AND account_id = ?2")?
                .query_row(params![draw, account.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            if let Some((id, at)) = before {
                return Err(check.already_registered(id, at));
            }
            let id: u64 = tx
                .prepare_cached("SELECT COALESCE(MAX(id), 0) + 1 FROM draw_registrations WHERE draw = ?1")?
                .query_row([draw], |r| r.get(0))?;
            insert_registration(tx, draw, id, account.as_str(), club.is_some(), now, device, None)?;
            // A desk that registers an account has it in its scope; a registration by the
            // operators' CLI (or a web shop) is not pushed to every desk.
            if device.is_some() {
                super::sync::changed(tx, "account", account.as_str())?;
            }
            Ok(check.dto(id, club.is_some()))
        })
    }

    /// Records the commitment (SHA-256 of the operator's secret) and the beacon round, before
    /// registration closes; the round must come after the close.
    pub fn commit_draw(
        &self,
        draw: &str,
        commitment: &[u8; 32],
        round: u64,
        now: Timestamp,
    ) -> R<()> {
        decide::check_commit(self.config(), draw, round, now)?;
        self.write(|tx| {
            let n = tx.execute(
                "INSERT INTO draw_commitments(draw, commitment, beacon_chain, beacon_round, committed_at) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(draw) DO NOTHING",
                params![draw, encode(commitment), guichet_draw::beacon::QUICKNET_CHAIN, round, now.to_string()],
            )?;
            if n == 0 {
                return Err(decide::already_committed(draw));
            }
            Ok(())
        })
    }

    /// Closes the list at or after `registration_closes`: carries registrants over if the
    /// draw says so, then publishes the count and fingerprint.
    pub fn close_draw(&self, draw: &str, now: Timestamp) -> R<Closed> {
        let d = decide::check_close(self.config(), draw, now)?;
        self.write(|tx| {
            if let Some((count, fp)) = closed(tx, draw)? {
                return Err(decide::already_closed(draw, count, &fp));
            }
            let mut carried = 0;
            if let Some(from) = &d.carry_over_from {
                let next: u64 = tx.query_row("SELECT COALESCE(MAX(id), 0) + 1 FROM draw_registrations WHERE draw = ?1", [draw], |r| r.get(0))?;
                let rows: Vec<(String, bool)> = tx
                    .prepare("SELECT account_id, club FROM draw_registrations f WHERE draw = ?1 AND NOT EXISTS (SELECT 1 FROM draw_registrations t WHERE t.draw = ?2 AND t.account_id = f.account_id) ORDER BY id")?
                    .query_map(params![from, draw], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<rusqlite::Result<_>>()?;
                for (n, (account, club)) in (next..).zip(rows) {
                    insert_registration(tx, draw, n, &account, club, now, None, Some(from))?;
                    carried += 1;
                }
            }
            let regs = registrations(tx, draw)?;
            let (count, fp) = decide::close_list(&regs)?;
            tx.execute(
                "INSERT INTO draw_closes(draw, fingerprint, count, closed_at) VALUES (?1, ?2, ?3, ?4)",
                params![draw, fp, count, now.to_string()],
            )?;
            Ok(Closed { count, fingerprint: fp, carried })
        })
    }

    /// The draw's registration list (any order; the draw sorts it).
    pub fn draw_registrations(&self, draw: &str) -> R<Vec<Registration>> {
        self.draw_config(draw)?;
        Ok(self.read(|c| registrations(c, draw))?)
    }

    /// The stored transcript of a wave.
    pub fn draw_transcript(&self, draw: &str, wave: u32) -> R<Option<String>> {
        Ok(self.read(|c| {
            c.query_row(
                "SELECT transcript FROM draw_transcripts WHERE draw = ?1 AND wave = ?2",
                params![draw, wave],
                |r| r.get(0),
            )
            .optional()
            .map_err(StoreError::from)
        })?)
    }

    /// Tickets on sale in the phase the draw serves: seats of its Games' sessions not held back.
    pub fn phase_inventory(&self, phase: &Phase) -> u64 {
        decide::phase_inventory(self.catalogue(), phase)
    }

    /// Runs the next wave: reveal, the committed round's signature, the closed list; writes each
    /// registrant's result and slot, and the transcript. `slots_from` starts a later wave's slots
    /// no earlier than it; `inventory` overrides the phase's count (a wave drawn as stock allows).
    pub fn run_draw(
        &self,
        draw: &str,
        secret: &[u8; 32],
        signature: &[u8],
        slots_from: Option<Timestamp>,
        inventory: Option<u64>,
        now: Timestamp,
    ) -> R<Transcript> {
        self.draw_config(draw)?;
        let st = self.read(|c| {
            let commitment: Option<(String, u64)> = c
                .query_row(
                    "SELECT commitment, beacon_round FROM draw_commitments WHERE draw = ?1",
                    [draw],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let (skip, waves): (u64, u32) = c.query_row(
                "SELECT COALESCE(SUM(winners), 0), COUNT(*) FROM draw_transcripts WHERE draw = ?1",
                [draw],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            Ok::<_, StoreError>(decide::RunState {
                commitment,
                closed: closed(c, draw)?.is_some(),
                skip,
                wave: waves + 1,
            })
        })?;
        decide::check_run(self.config(), draw, &st)?;
        let regs = self.draw_registrations(draw)?;
        let t = decide::run(
            self.config(),
            self.catalogue(),
            draw,
            &st,
            &regs,
            secret,
            signature,
            slots_from,
            inventory,
        )?;
        self.write_wave_results(draw, &regs, &t, now)?;
        Ok(t)
    }

    /// `run_draw`'s last step, public so the benchmark times it alone: one transaction, the
    /// winners appended to `draw_winners` in account order, the change feed gets the
    /// registrants in a desk's scope only, and the transcript; every `account_draws` row stays
    /// `registered` and reads as `drawn` or `not_drawn` from then on. It trusts `t`: give it only a
    /// transcript `run` just made from `regs`.
    pub fn write_wave_results(
        &self,
        draw: &str,
        regs: &[Registration],
        t: &Transcript,
        now: Timestamp,
    ) -> R<()> {
        let winners = decide::winners(regs, t);
        self.write(|tx| {
            {
                let mut add = tx.prepare_cached(
                    "INSERT INTO draw_winners(draw, account_id, wave, slot_start, slot_end) VALUES (?1, ?2, ?3, ?4, ?5)",
                )?;
                let ts = decide::slot_text;
                for (account, start) in &winners {
                    add.execute(params![draw, account, t.wave, ts(*start), ts(start + t.settings.slots.slot_seconds)])?;
                }
            }
            // Every registrant's `account_draws` row stays `registered`: a winner's reads as
            // `drawn` through `draw_winners`, anyone else's as `not_drawn` once the draw has a
            // transcript (accounts.rs). Rewriting 9 M losers' rows took 10 s; updating 1 M
            // winners' rows in place, 7 s with the commit (BENCHMARKS.md).
            tx.execute(
                "INSERT INTO changes(kind, key)
                 SELECT 'account', s.id FROM (SELECT id FROM accounts WHERE created_by_device IS NOT NULL
                                              UNION SELECT account_id FROM orders WHERE device_id IS NOT NULL) AS s
                 WHERE EXISTS (SELECT 1 FROM draw_registrations r WHERE r.draw = ?1 AND r.account_id = s.id) ORDER BY s.id",
                [draw],
            )?;
            tx.execute(
                "INSERT INTO draw_transcripts(draw, wave, transcript, results_hash, winners, run_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![draw, t.wave, t.to_json(), t.results_hash, t.settings.winners, now.to_string()],
            )?;
            Ok(())
        })
    }
}

#[allow(clippy::too_many_arguments)]
fn insert_registration(
    c: &Connection,
    draw: &str,
    id: u64,
    account: &str,
    club: bool,
    now: Timestamp,
    device: Option<&str>,
    from: Option<&str>,
) -> rusqlite::Result<()> {
    c.prepare_cached("INSERT INTO draw_registrations(draw, id, account_id, club, registered_at, device_id, carried_from) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")?
        .execute(params![draw, id, account, club, now.to_string(), device, from])?;
    c.prepare_cached("INSERT INTO account_draws(account_id, draw, status) VALUES (?1, ?2, 'registered') ON CONFLICT(account_id, draw) DO NOTHING")?
        .execute(params![account, draw])?;
    Ok(())
}

fn closed(c: &Connection, draw: &str) -> rusqlite::Result<Option<(u64, String)>> {
    c.prepare_cached("SELECT count, fingerprint FROM draw_closes WHERE draw = ?1")?
        .query_row([draw], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
}

fn registrations(c: &Connection, draw: &str) -> Result<Vec<Registration>, StoreError> {
    let mut stmt =
        c.prepare_cached("SELECT id, account_id, club FROM draw_registrations WHERE draw = ?1")?;
    let rows = stmt.query_map([draw], |r| {
        Ok(Registration {
            id: r.get(0)?,
            account: r.get(1)?,
            club: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
