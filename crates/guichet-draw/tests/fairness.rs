//! Fairness, in CI: chi-square tests at α = 0.001 over a fixed list of 400 seeds (so they never
//! flake), on 150 registrations made over 30 days, 40 winners a draw. The statistic and its
//! critical value come from `guichet_draw::stats`, written here and checked against tables.

use guichet_draw::stats::{chi_square, chi_square_critical, chi_square_p};
use guichet_draw::{Entry, Ranker};
use sha2::{Digest, Sha256};

const ALPHA: f64 = 0.001;
const SEEDS: u32 = 400;
const WINNERS: usize = 40;

/// 150 registrations over 30 days, more on some days than others; ids in registration order
/// (the order the 2012 visa lottery leaked into its winners); about a third in the Club.
fn population() -> Vec<(Entry, usize)> {
    let mut out = Vec::new();
    let mut id = 0;
    for day in 0..30 {
        for _ in 0..(1 + day % 9) {
            id += 1;
            out.push((
                Entry {
                    id,
                    club: id % 3 == 1,
                },
                day,
            ));
        }
    }
    out
}

fn draws() -> Vec<Vec<Entry>> {
    let pop: Vec<Entry> = population().iter().map(|p| p.0).collect();
    (0..SEEDS)
        .map(|i| {
            let seed: [u8; 32] = Sha256::digest(format!("fairness seed {i}")).into();
            Ranker::new(&seed, "pack-draw").top(&pop, 0, WINNERS)
        })
        .collect()
}

fn assert_fair(name: &str, observed: &[f64], expected: &[f64]) {
    let stat = chi_square(observed, expected);
    let df = u32::try_from(observed.len() - 1).unwrap();
    let critical = chi_square_critical(df, ALPHA);
    assert!(stat < critical, "{name}: chi-square {stat:.2} ≥ {critical:.2} (df {df}, α {ALPHA}, p {:.5}): the draw is not uniform", chi_square_p(stat, df));
}

#[test]
fn the_chi_square_critical_values_match_the_printed_tables() {
    for (df, table) in [(1, 10.828), (10, 29.588), (29, 58.301), (100, 149.449)] {
        let got = chi_square_critical(df, ALPHA);
        assert!(
            (got - table).abs() < 0.01,
            "df {df}: {got:.3} vs the table's {table} at α = 0.001"
        );
    }
}

#[test]
fn each_registration_has_the_same_chance_of_winning() {
    let pop = population();
    let mut wins = vec![0.0; pop.len()];
    for d in draws() {
        for e in d {
            wins[usize::try_from(e.id - 1).unwrap()] += 1.0;
        }
    }
    let each = f64::from(SEEDS) * WINNERS as f64 / pop.len() as f64;
    assert_fair("wins per registration", &wins, &vec![each; pop.len()]);
}

#[test]
fn winners_per_registration_day_follow_registrations_per_day() {
    let pop = population();
    let mut per_day = vec![0.0; 30];
    let mut regs_per_day = vec![0.0; 30];
    for (_, day) in &pop {
        regs_per_day[*day] += 1.0;
    }
    for d in draws() {
        for e in d {
            per_day[pop[usize::try_from(e.id - 1).unwrap()].1] += 1.0;
        }
    }
    let total = f64::from(SEEDS) * WINNERS as f64;
    let expected: Vec<f64> = regs_per_day
        .iter()
        .map(|r| total * r / pop.len() as f64)
        .collect();
    assert_fair("winners per registration day", &per_day, &expected);
}

#[test]
fn club_members_odds_equal_everyone_elses() {
    let pop = population();
    let club = pop.iter().filter(|p| p.0.club).count() as f64;
    let mut won = [0.0, 0.0];
    for d in draws() {
        for e in d {
            won[usize::from(e.club)] += 1.0;
        }
    }
    let total = f64::from(SEEDS) * WINNERS as f64;
    let n = pop.len() as f64;
    assert_fair(
        "Club against others",
        &won,
        &[total * (n - club) / n, total * club / n],
    );
}

#[test]
fn the_test_catches_a_draw_that_favours_early_registrations() {
    // The 2012 visa lottery's failure: winners taken in registration order. The same test
    // must reject it, or passing it above would prove nothing.
    let pop = population();
    let mut per_day = vec![0.0; 30];
    let mut regs_per_day = vec![0.0; 30];
    for (_, day) in &pop {
        regs_per_day[*day] += 1.0;
    }
    for _ in 0..SEEDS {
        for (_, day) in pop.iter().take(WINNERS) {
            per_day[*day] += 1.0;
        }
    }
    let total = f64::from(SEEDS) * WINNERS as f64;
    let expected: Vec<f64> = regs_per_day
        .iter()
        .map(|r| total * r / pop.len() as f64)
        .collect();
    let stat = chi_square(&per_day, &expected);
    assert!(
        stat > chi_square_critical(29, ALPHA),
        "first-come winners must fail the per-day test: {stat:.1}"
    );
}
