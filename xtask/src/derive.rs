//! `cargo xtask derive-catalogue`: writes the derived catalogue files from the sourced ones.

use guichet_domain::catalogue::derive::derive;

pub fn run() -> Result<(), String> {
    let dir = super::root().join("data/paris2024");
    let read = |n: &str| std::fs::read_to_string(dir.join(n)).map_err(|e| format!("{n}: {e}"));
    let d = derive(&read("venues.csv")?, &read("sessions.csv")?).map_err(|e| e.to_string())?;
    for (name, text) in [
        ("prices.csv", &d.prices),
        ("paralympic_sessions.csv", &d.paralympic_sessions),
    ] {
        std::fs::write(dir.join(name), text).map_err(|e| format!("{name}: {e}"))?;
        println!(
            "wrote data/paris2024/{name} ({} lines)",
            text.lines().count()
        );
    }
    Ok(())
}
