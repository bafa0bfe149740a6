//! The shell runs no SQL: every read and write of the desk's file goes through `guichet-desk`.
//! This test reads the shell's sources and fails on a direct use of the store's connection.

/// What only code that talks to SQLite writes.
const FORBIDDEN: &[&str] = &[
    "rusqlite",
    "prepare(",
    "prepare_cached(",
    "query_row",
    "query_map",
    ".execute(",
    ".reader()",
    ".store()",
    ".store_mut()",
    "SELECT ",
    "INSERT ",
    "UPDATE ",
];

fn sources(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir)
        .expect("the shell's source folder")
        .flatten()
    {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn the_shell_runs_no_sql_and_never_opens_the_desks_connection() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&root, &mut files);
    assert!(
        files.len() > 10,
        "the walk found the shell's sources: {files:?}"
    );
    let mut found = Vec::new();
    for file in files.iter().filter(|f| !f.ends_with("no_sql.rs")) {
        let text = std::fs::read_to_string(file).expect("a source file");
        for (n, line) in text.lines().enumerate() {
            for word in FORBIDDEN.iter().filter(|w| line.contains(*w)) {
                found.push(format!("{}:{}: {word}", file.display(), n + 1));
            }
        }
    }
    assert!(
        found.is_empty(),
        "the shell must call guichet-desk (crates/guichet-desk/src/reads.rs) instead of the \
         store's connection:\n{}",
        found.join("\n")
    );
    let manifest = std::fs::read_to_string(root.join("../Cargo.toml")).expect("Cargo.toml");
    assert!(
        !manifest.contains("rusqlite"),
        "src-tauri must not depend on rusqlite"
    );
}
