//! A small SMTP relay on 127.0.0.1 for tests: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT.
//! It records each message it accepts, before it writes its `250` (as a relay that queues the
//! message and then answers: the RFC 1047 window lies between). It can answer 451 to the end
//! of data for some recipients, 550 to RCPT for others, and hold its answer to the n-th
//! accepted message until the test releases it (to kill the sender at that very point).
#![allow(dead_code, missing_docs)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Recipient (lower case) → how many times to answer 451 to its data before taking it.
    pub transient: HashMap<String, u32>,
    /// Recipients refused with 550 at RCPT.
    pub permanent: Vec<String>,
    /// Hold the answer to the n-th accepted message (1-based) until `release`.
    pub hold_at: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct Received {
    pub rcpt: Vec<String>,
    pub raw: Vec<u8>,
    pub at: Instant,
}

#[derive(Default)]
struct State {
    plan: Plan,
    received: Vec<Received>,
    refused_451: usize,
    refused_550: usize,
    held: bool,
    released: bool,
}

#[derive(Clone)]
pub struct Relay {
    pub addr: SocketAddr,
    state: Arc<(Mutex<State>, Condvar)>,
}

impl Relay {
    pub fn start(plan: Plan) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new((
            Mutex::new(State {
                plan,
                ..State::default()
            }),
            Condvar::new(),
        ));
        let s = state.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let s = s.clone();
                std::thread::spawn(move || {
                    let _ = session(conn, &s);
                });
            }
        });
        Relay { addr, state }
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.0.lock().unwrap().received.clone()
    }

    pub fn refused(&self) -> (usize, usize) {
        let s = self.state.0.lock().unwrap();
        (s.refused_451, s.refused_550)
    }

    /// Waits until `f` holds of the state or `timeout` passes.
    fn wait(&self, timeout: Duration, f: impl Fn(&State) -> bool) -> bool {
        let (m, cv) = &*self.state;
        let deadline = Instant::now() + timeout;
        let mut g = m.lock().unwrap();
        while !f(&g) {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            g = cv.wait_timeout(g, left).unwrap().0;
        }
        true
    }

    pub fn wait_received(&self, n: usize, timeout: Duration) -> bool {
        self.wait(timeout, |s| s.received.len() >= n)
    }

    pub fn wait_held(&self, timeout: Duration) -> bool {
        self.wait(timeout, |s| s.held)
    }

    pub fn release(&self) {
        let (m, cv) = &*self.state;
        m.lock().unwrap().released = true;
        cv.notify_all();
    }
}

fn address(arg: &str) -> String {
    let a = arg.split_once(':').map(|x| x.1).unwrap_or("");
    let a = a.trim();
    let a = a.split_whitespace().next().unwrap_or("");
    a.trim_matches(['<', '>']).to_lowercase()
}

fn session(conn: TcpStream, state: &Arc<(Mutex<State>, Condvar)>) -> std::io::Result<()> {
    conn.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut w = conn.try_clone()?;
    let mut r = BufReader::new(conn);
    w.write_all(b"220 guichet-test ESMTP\r\n")?;
    let mut rcpt: Vec<String> = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if r.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
        match verb.as_str() {
            "EHLO" => w.write_all(b"250-guichet-test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")?,
            "HELO" | "NOOP" => w.write_all(b"250 ok\r\n")?,
            "MAIL" => {
                rcpt.clear();
                w.write_all(b"250 2.1.0 ok\r\n")?
            }
            "RCPT" => {
                let a = address(&line);
                let mut s = state.0.lock().unwrap();
                if s.plan.permanent.contains(&a) {
                    s.refused_550 += 1;
                    w.write_all(b"550 5.1.1 no such mailbox here\r\n")?;
                } else {
                    rcpt.push(a);
                    w.write_all(b"250 2.1.5 ok\r\n")?;
                }
            }
            "RSET" => {
                rcpt.clear();
                w.write_all(b"250 2.0.0 reset\r\n")?
            }
            "QUIT" => {
                w.write_all(b"221 2.0.0 bye\r\n")?;
                return Ok(());
            }
            "DATA" if rcpt.is_empty() => w.write_all(b"503 5.5.1 no recipient\r\n")?,
            "DATA" => {
                w.write_all(b"354 end with <CRLF>.<CRLF>\r\n")?;
                let mut raw = Vec::new();
                loop {
                    let mut l = Vec::new();
                    // A connection closed inside the data drops the message (RFC 5321 §3.3).
                    if r.read_until(b'\n', &mut l)? == 0 {
                        return Ok(());
                    }
                    if l == b".\r\n" {
                        break;
                    }
                    let body = if l.starts_with(b"..") {
                        &l[1..]
                    } else {
                        &l[..]
                    };
                    raw.extend_from_slice(body);
                }
                let (m, cv) = &**state;
                let mut s = m.lock().unwrap();
                let tries = rcpt.first().and_then(|a| s.plan.transient.get_mut(a));
                if let Some(n) = tries.filter(|n| **n > 0) {
                    *n -= 1;
                    s.refused_451 += 1;
                    drop(s);
                    w.write_all(b"451 4.3.0 try again later\r\n")?;
                } else {
                    s.received.push(Received {
                        rcpt: rcpt.clone(),
                        raw,
                        at: Instant::now(),
                    });
                    let hold = s.plan.hold_at == Some(s.received.len());
                    cv.notify_all();
                    if hold {
                        s.held = true;
                        cv.notify_all();
                        while !s.released {
                            s = cv.wait(s).unwrap();
                        }
                    }
                    drop(s);
                    w.write_all(b"250 2.0.0 queued\r\n")?;
                }
                rcpt.clear();
            }
            _ => w.write_all(b"502 5.5.2 not implemented\r\n")?,
        }
    }
}
