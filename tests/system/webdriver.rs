//! Just enough of the W3C WebDriver protocol for the console's browser tests: Debian's
//! chromedriver on a free 127.0.0.1 port, driving headless Chromium. (The app's e2e client,
//! `src-tauri/tests/e2e/webdriver.rs`, speaks to tauri-driver with `tauri:options` over ureq;
//! this one asks for a browser and adds cookies, async scripts and window sizes.)

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{json, Value};

/// The W3C key under which a found element's reference is returned.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

/// chromedriver as a process; killed when dropped.
pub struct Driver {
    child: Child,
    base: String,
    http: reqwest::blocking::Client,
}

impl Driver {
    /// Starts chromedriver on a free loopback port and waits until it accepts sessions.
    pub fn start() -> Driver {
        assert!(
            Path::new(CHROMEDRIVER).exists() && Path::new(CHROMIUM).exists(),
            "the console's browser tests need Debian's chromium and chromium-driver \
             (apt-get install chromium chromium-driver; `cargo xtask test` installs them)"
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(CHROMEDRIVER)
            .args([format!("--port={port}"), "--allowed-ips=127.0.0.1".into()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let d = Driver {
            child,
            base: format!("http://127.0.0.1:{port}"),
            http: reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(120))
                .build()
                .unwrap(),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while !d
            .call("GET", "/status", None)
            .is_ok_and(|v| v["ready"] == true)
        {
            assert!(
                Instant::now() < deadline,
                "chromedriver did not become ready within 30 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        d
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        let url = format!("{}{path}", self.base);
        let req = match method {
            "GET" => self.http.get(&url),
            "DELETE" => self.http.delete(&url),
            _ => self.http.post(&url).json(&body.unwrap_or(json!({}))),
        };
        let res = req.send().map_err(|e| format!("{method} {path}: {e}"))?;
        let status = res.status();
        let v: Value = res
            .json()
            .map_err(|e| format!("{method} {path}: HTTP {status}, unreadable: {e}"))?;
        let value = v.get("value").cloned().unwrap_or(Value::Null);
        if status.is_success() {
            Ok(value)
        } else {
            Err(format!("{method} {path}: HTTP {status}: {value}"))
        }
    }

    /// A new headless Chromium with its own profile in `profile`, asking for `lang` pages.
    pub fn browser(&self, profile: &Path, lang: &str) -> Browser<'_> {
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--no-first-run", "--window-size=1280,900",
                         format!("--lang={lang}"),
                         format!("--user-data-dir={}", profile.display())],
                "prefs": {"intl.accept_languages": lang}
            }
        }}});
        let v = self
            .call("POST", "/session", Some(caps))
            .unwrap_or_else(|e| panic!("headless Chromium did not start: {e}"));
        Browser {
            driver: self,
            id: v["sessionId"].as_str().expect("a session id").to_string(),
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One browser session; closed when dropped.
pub struct Browser<'a> {
    driver: &'a Driver,
    id: String,
}

/// A reference to an element of the page.
#[derive(Clone, Debug)]
pub struct Element(String);

impl Browser<'_> {
    fn call(&self, method: &str, rest: &str, body: Option<Value>) -> Value {
        let path = format!("/session/{}{rest}", self.id);
        self.driver
            .call(method, &path, body)
            .unwrap_or_else(|e| panic!("WebDriver: {e}"))
    }

    /// Opens `url` and waits for it to load.
    pub fn goto(&self, url: &str) {
        self.call("POST", "/url", Some(json!({ "url": url })));
    }

    pub fn url(&self) -> String {
        self.call("GET", "/url", None)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The element matching `css`; panics naming it when there is none.
    pub fn find(&self, css: &str) -> Element {
        let path = format!("/session/{}/element", self.id);
        let v = self
            .driver
            .call(
                "POST",
                &path,
                Some(json!({"using": "css selector", "value": css})),
            )
            .unwrap_or_else(|e| panic!("no element {css} on {}: {e}", self.url()));
        Element(v[ELEMENT_KEY].as_str().unwrap().to_string())
    }

    /// The element matching `css` inside `parent`.
    pub fn find_in(&self, parent: &Element, css: &str) -> Element {
        let v = self.call(
            "POST",
            &format!("/element/{}/element", parent.0),
            Some(json!({"using": "css selector", "value": css})),
        );
        Element(v[ELEMENT_KEY].as_str().unwrap().to_string())
    }

    /// The visible text of the element matching `css`.
    pub fn text(&self, css: &str) -> String {
        let e = self.find(css);
        self.text_of(&e)
    }

    pub fn text_of(&self, e: &Element) -> String {
        self.call("GET", &format!("/element/{}/text", e.0), None)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Types `text` into the element (after clearing it).
    pub fn type_into(&self, e: &Element, text: &str) {
        self.call("POST", &format!("/element/{}/clear", e.0), Some(json!({})));
        self.call(
            "POST",
            &format!("/element/{}/value", e.0),
            Some(json!({ "text": text })),
        );
    }

    pub fn click(&self, e: &Element) {
        self.call("POST", &format!("/element/{}/click", e.0), Some(json!({})));
    }

    /// Clicks `e` (a submit button or a link) and waits until the next page has loaded.
    pub fn click_and_wait(&self, e: &Element) {
        self.execute("window.__guichetBefore = true; return true;", json!([]));
        self.click(e);
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let done = self.driver.call(
                "POST",
                &format!("/session/{}/execute/sync", self.id),
                Some(json!({"script": "return window.__guichetBefore === undefined && document.readyState === 'complete';", "args": []})),
            );
            if done.is_ok_and(|v| v == true) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "no new page within 30 s of the click, at {}",
                self.url()
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// Runs `script` (a function body) with `args`.
    pub fn execute(&self, script: &str, args: Value) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": args})),
        )
    }

    /// Runs `script`, which calls its last argument with the answer.
    pub fn execute_async(&self, script: &str, args: Value) -> Value {
        self.call(
            "POST",
            "/execute/async",
            Some(json!({"script": script, "args": args})),
        )
    }

    /// Sets the script timeout (for axe-core on a long page).
    pub fn script_timeout(&self, ms: u64) {
        self.call("POST", "/timeouts", Some(json!({ "script": ms })));
    }

    /// The value of the cookie `name`, if the browser has it.
    pub fn cookie(&self, name: &str) -> Option<String> {
        let path = format!("/session/{}/cookie/{name}", self.id);
        let v = self.driver.call("GET", &path, None).ok()?;
        v["value"].as_str().map(str::to_string)
    }

    /// Sets the window's outer size.
    pub fn window(&self, width: u32, height: u32) {
        self.call(
            "POST",
            "/window/rect",
            Some(json!({"width": width, "height": height})),
        );
    }

    /// The viewport as PNG bytes.
    pub fn screenshot(&self) -> Vec<u8> {
        let v = self.call("GET", "/screenshot", None);
        base64::engine::general_purpose::STANDARD
            .decode(v.as_str().expect("a base64 screenshot"))
            .expect("the screenshot is base64")
    }
}

impl Drop for Browser<'_> {
    fn drop(&mut self) {
        let _ = self
            .driver
            .call("DELETE", &format!("/session/{}", self.id), None);
    }
}
