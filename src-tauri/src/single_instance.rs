//! One app per desk file: a second launch (a double tap on the kiosk, a second click on the
//! counter's icon) opens no second window; it asks the first to come to the front and exits.
//!
//! The lock is a Unix socket in Linux's abstract namespace named after the desk file's
//! absolute path: binding it is exclusive, and the kernel frees the name when the process ends,
//! however it ends (no stale lock file after a power cut or a SIGKILL). The same socket is how
//! the second launch asks the first to show its window.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::{SocketAddr, UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What a second launch sends, and what the first answers once its window is in front.
const FOCUS: &str = "focus";
const SHOWN: &str = "shown";

/// This process is the desk file's only app: hold it until the app ends.
pub struct Instance {
    listener: UnixListener,
}

/// The outcome of [`claim`].
pub enum Claim {
    /// No other app runs on this desk file.
    First(Instance),
    /// Another app runs on it; `shown` when it answered that its window is now in front.
    Second {
        /// The other app brought its window to the front.
        shown: bool,
    },
}

/// The desk file's absolute path (its folder resolved when it exists), the lock's key.
fn key(desk: &Path) -> PathBuf {
    let abs = std::path::absolute(desk).unwrap_or_else(|_| desk.to_path_buf());
    match (abs.parent().map(std::fs::canonicalize), abs.file_name()) {
        (Some(Ok(dir)), Some(name)) => dir.join(name),
        _ => abs,
    }
}

/// FNV-1a: the same name for the same path in every build of the app (std's hasher is not).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn address(desk: &Path) -> std::io::Result<SocketAddr> {
    use std::os::linux::net::SocketAddrExt;
    let path = key(desk);
    let name = format!(
        "guichet-app-{:016x}",
        fnv1a(path.as_os_str().as_encoded_bytes())
    );
    SocketAddr::from_abstract_name(name.as_bytes())
}

/// Takes the desk file's lock, or asks the app holding it to show its window.
pub fn claim(desk: &Path) -> std::io::Result<Claim> {
    let addr = address(desk)?;
    match UnixListener::bind_addr(&addr) {
        Ok(listener) => Ok(Claim::First(Instance { listener })),
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => Ok(Claim::Second {
            shown: ask_to_show(&addr).unwrap_or(false),
        }),
        Err(e) => Err(e),
    }
}

fn ask_to_show(addr: &SocketAddr) -> std::io::Result<bool> {
    let mut stream = UnixStream::connect_addr(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(3)))?;
    writeln!(stream, "{FOCUS}")?;
    let mut answer = String::new();
    BufReader::new(stream).read_line(&mut answer)?;
    Ok(answer.trim() == SHOWN)
}

impl Instance {
    /// Answers every later launch on a thread of its own: `show` brings the window to the
    /// front, and its outcome is the answer.
    pub fn serve(self, show: impl Fn() -> bool + Send + 'static) {
        std::thread::spawn(move || {
            for stream in self.listener.incoming().flatten() {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(3)));
                let mut line = String::new();
                let mut reader = BufReader::new(&stream);
                if reader.read_line(&mut line).is_ok() && line.trim() == FOCUS && show() {
                    let _ = writeln!(&stream, "{SHOWN}");
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_claim_on_the_same_desk_file_is_refused_and_reaches_the_first() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let desk = dir.path().join("desk.sqlite");
        let Claim::First(first) = claim(&desk).expect("claims") else {
            panic!("nothing holds a fresh desk file's lock");
        };
        let other = dir.path().join("other.sqlite");
        assert!(
            matches!(claim(&other).expect("claims"), Claim::First(_)),
            "another desk file has a lock of its own"
        );
        let (tx, rx) = std::sync::mpsc::channel();
        first.serve(move || tx.send(()).is_ok());
        // The same file named another way (a `.` in its path) is the same desk.
        let again = dir.path().join(".").join("desk.sqlite");
        match claim(&again).expect("claims") {
            Claim::Second { shown } => assert!(shown, "the first app answered it shows its window"),
            Claim::First(_) => panic!("a second app on the same desk file must not start"),
        }
        rx.recv_timeout(Duration::from_secs(5))
            .expect("the first app was asked to show its window");
    }
}
