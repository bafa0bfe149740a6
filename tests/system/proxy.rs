//! A small TCP proxy on 127.0.0.1 between a desk and the server, to break things on purpose:
//! drop (or hold back) the server's answer after it has committed, or cut a request in the
//! middle of its body. Loopback only; it stops when dropped, and by itself after ten minutes at the latest.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Default)]
struct Faults {
    drop_responses: AtomicU32,
    cut_requests: AtomicU32,
    cut_after: AtomicUsize,
    dropped: AtomicU32,
    cut: AtomicU32,
    hold_responses: AtomicU32,
    held: AtomicU32,
    release: AtomicBool,
    stop: AtomicBool,
}

fn claim(n: &AtomicU32) -> bool {
    n.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |v| v.checked_sub(1))
        .is_ok()
}

pub struct Proxy {
    /// `http://127.0.0.1:port`, for the desk.
    pub base: String,
    faults: Arc<Faults>,
}

impl Proxy {
    /// Listens on a free loopback port and forwards to `upstream` (`127.0.0.1:port`).
    pub fn start(upstream: &str) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let faults = Arc::new(Faults::default());
        let f = faults.clone();
        let upstream = upstream.to_string();
        std::thread::spawn(move || {
            let until = Instant::now() + Duration::from_secs(600);
            while !f.stop.load(Ordering::SeqCst) && Instant::now() < until {
                match listener.accept() {
                    Ok((client, _)) => {
                        client.set_nonblocking(false).unwrap();
                        let Ok(server) = TcpStream::connect(&upstream) else {
                            let _ = client.shutdown(Shutdown::Both);
                            continue;
                        };
                        pipe(client, server, f.clone());
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(2)),
                }
            }
        });
        Proxy { base, faults }
    }

    /// The next `n` answers from the server are read and thrown away, and the connection is
    /// closed: the server has done the work, the desk never hears of it.
    pub fn drop_next_responses(&self, n: u32) {
        self.faults.drop_responses.store(n, Ordering::SeqCst);
    }

    /// The next `n` requests are forwarded for their first `after` bytes only, then both
    /// connections are closed: the server sees a body cut short.
    pub fn cut_next_requests(&self, n: u32, after: usize) {
        self.faults.cut_after.store(after, Ordering::SeqCst);
        self.faults.cut_requests.store(n, Ordering::SeqCst);
    }

    /// The next answer is held back (not forwarded) until [`Proxy::release`]: the server has
    /// committed, the desk waits.
    pub fn hold_next_response(&self) {
        self.faults.release.store(false, Ordering::SeqCst);
        self.faults.hold_responses.store(1, Ordering::SeqCst);
    }

    /// Answers held so far.
    pub fn held(&self) -> u32 {
        self.faults.held.load(Ordering::SeqCst)
    }

    /// Closes the held connection without forwarding the answer.
    pub fn release(&self) {
        self.faults.release.store(true, Ordering::SeqCst);
    }

    /// (answers dropped, requests cut) so far.
    pub fn done(&self) -> (u32, u32) {
        (
            self.faults.dropped.load(Ordering::SeqCst),
            self.faults.cut.load(Ordering::SeqCst),
        )
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.faults.stop.store(true, Ordering::SeqCst);
    }
}

fn close(a: &TcpStream, b: &TcpStream) {
    let _ = a.shutdown(Shutdown::Both);
    let _ = b.shutdown(Shutdown::Both);
}

fn pipe(client: TcpStream, server: TcpStream, f: Arc<Faults>) {
    let (mut c_in, mut c_out) = (client.try_clone().unwrap(), client);
    let (mut s_in, mut s_out) = (server.try_clone().unwrap(), server);
    let f2 = f.clone();
    // Desk → server, possibly cut.
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 16 * 1024];
        let mut budget: Option<usize> = None;
        loop {
            let n = match c_in.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            if budget.is_none() && claim(&f.cut_requests) {
                budget = Some(f.cut_after.load(Ordering::SeqCst));
            }
            match budget {
                Some(left) if n >= left => {
                    let _ = s_out.write_all(&buf[..left]);
                    let _ = s_out.flush();
                    f.cut.fetch_add(1, Ordering::SeqCst);
                    close(&c_in, &s_out);
                    break;
                }
                Some(left) => {
                    if s_out.write_all(&buf[..n]).is_err() {
                        break;
                    }
                    budget = Some(left - n);
                }
                None => {
                    if s_out.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            }
        }
        let _ = s_out.shutdown(Shutdown::Write);
    });
    // Server → desk, possibly dropped.
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let n = match s_in.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            if claim(&f2.hold_responses) {
                f2.held.fetch_add(1, Ordering::SeqCst);
                while !f2.release.load(Ordering::SeqCst) && !f2.stop.load(Ordering::SeqCst) {
                    std::thread::sleep(Duration::from_millis(1));
                }
                close(&c_out, &s_in);
                break;
            }
            if claim(&f2.drop_responses) {
                f2.dropped.fetch_add(1, Ordering::SeqCst);
                close(&c_out, &s_in);
                break;
            }
            if c_out.write_all(&buf[..n]).is_err() {
                break;
            }
        }
        close(&c_out, &s_in);
    });
}

/// The harness checked against a plain upstream of its own: what the fault tests count on.
#[cfg(test)]
mod self_test {
    use super::*;
    use std::sync::Mutex;

    /// A loopback upstream that records every request's bytes and answers `200 ok`.
    fn upstream() -> (String, Arc<Mutex<Vec<Vec<u8>>>>) {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap().to_string();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s = seen.clone();
        std::thread::spawn(move || {
            for conn in l.incoming().take(16) {
                let Ok(mut c) = conn else { break };
                c.set_read_timeout(Some(Duration::from_millis(300)))
                    .unwrap();
                let mut got = Vec::new();
                let mut buf = [0u8; 4096];
                while let Ok(n) = c.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    got.extend_from_slice(&buf[..n]);
                    if got.ends_with(b"END") {
                        break;
                    }
                }
                s.lock().unwrap().push(got);
                let _ = c.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
            }
        });
        (addr, seen)
    }

    fn ask(base: &str, body: &str) -> Vec<u8> {
        let mut c = TcpStream::connect(base.trim_start_matches("http://")).unwrap();
        c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        c.write_all(body.as_bytes()).unwrap();
        let mut answer = Vec::new();
        let _ = c.read_to_end(&mut answer);
        answer
    }

    fn wait_for(seen: &Mutex<Vec<Vec<u8>>>, n: usize) -> Vec<Vec<u8>> {
        let until = Instant::now() + Duration::from_secs(5);
        while seen.lock().unwrap().len() < n && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(5));
        }
        seen.lock().unwrap().clone()
    }

    #[test]
    fn forwards_then_drops_an_answer_then_cuts_a_request() {
        let (addr, seen) = upstream();
        let p = Proxy::start(&addr);
        let request = "POST / HTTP/1.1\r\ncontent-length: 20\r\n\r\n0123456789abcdefgEND";

        let answer = ask(&p.base, request);
        assert!(answer.ends_with(b"ok"), "forwarded: {answer:?}");
        assert_eq!(wait_for(&seen, 1)[0], request.as_bytes());

        p.drop_next_responses(1);
        let answer = ask(&p.base, request);
        assert!(answer.is_empty(), "the answer is thrown away: {answer:?}");
        assert_eq!(
            wait_for(&seen, 2)[1],
            request.as_bytes(),
            "yet the upstream got the whole request"
        );

        p.cut_next_requests(1, 10);
        let answer = ask(&p.base, request);
        assert!(
            answer.is_empty(),
            "a cut request gets no answer: {answer:?}"
        );
        assert_eq!(
            wait_for(&seen, 3)[2],
            &request.as_bytes()[..10],
            "the upstream saw the first 10 bytes only"
        );
        assert_eq!(p.done(), (1, 1));

        let answer = ask(&p.base, request);
        assert!(answer.ends_with(b"ok"), "faults are one-shot: {answer:?}");
    }
}
