//! `cargo xtask demo`: runs what the product has so far.

use crate::sh;

/// The instant the demo stands on: inside the pack sale, in the example account's timeslot.
pub const DEMO_NOW: &str = "2023-02-17T12:00:00";

pub fn run() -> Result<(), String> {
    let root = crate::root();
    sh::run(&root, "cargo", &["build", "-q", "-p", "guichet-server"])?;
    let bin = root.join("target/debug/guichet-server");
    let bin = bin.to_str().ok_or("non-UTF-8 path")?;
    sh::run(&root, bin, &["catalogue", "--stats"])?;
    sh::run(&root, bin, &["phases", "--at", DEMO_NOW])?;
    let mut files: Vec<_> = std::fs::read_dir(root.join("examples/rules"))
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    for f in files {
        // A refused example exits 1: that is the point of showing it.
        let _ = sh::run(&root, bin, &["check", f.to_str().ok_or("non-UTF-8 path")?]);
    }
    println!(
        "\nTry your own: {bin} check --at 2023-02-17T12:00:00 my-order.json (see examples/rules)"
    );
    Ok(())
}
