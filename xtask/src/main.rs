//! `cargo xtask <task>`: placeholder until the tasks land.
fn main() {
    eprintln!("usage: cargo xtask <test|demo>");
    std::process::exit(2);
}
