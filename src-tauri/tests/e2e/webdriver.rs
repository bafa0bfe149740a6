//! Just enough of the W3C WebDriver protocol, over plain HTTP, for the window tests.

use std::thread::sleep;
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{json, Value};

/// The W3C key under which a found element's reference is returned.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A WebDriver endpoint (tauri-driver).
pub struct Client {
    base: String,
    agent: ureq::Agent,
}

/// What a WebDriver call answered when it failed.
#[derive(Debug)]
pub struct Failure(pub String);

impl Client {
    pub fn new(base: &str) -> Self {
        let agent = ureq::Agent::config_builder()
            // WebDriver reports errors as 4xx/5xx with a JSON body we want to read.
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        Self {
            base: base.to_owned(),
            agent,
        }
    }

    fn answer(
        &self,
        what: &str,
        response: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<Value, Failure> {
        let mut response = response.map_err(|error| Failure(format!("{what}: {error}")))?;
        let status = response.status();
        let body: Value = response
            .body_mut()
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_json()
            .map_err(|error| Failure(format!("{what}: HTTP {status}, unreadable body: {error}")))?;
        let value = body.get("value").cloned().unwrap_or(Value::Null);
        if status.is_success() {
            Ok(value)
        } else {
            Err(Failure(format!("{what}: HTTP {status}: {value}")))
        }
    }

    fn get(&self, path: &str) -> Result<Value, Failure> {
        let url = format!("{}{path}", self.base);
        self.answer(&format!("GET {path}"), self.agent.get(&url).call())
    }

    fn post(&self, path: &str, body: Value) -> Result<Value, Failure> {
        let url = format!("{}{path}", self.base);
        self.answer(
            &format!("POST {path}"),
            self.agent.post(&url).send_json(body),
        )
    }

    /// True once the driver accepts sessions.
    pub fn status_ready(&self) -> bool {
        self.get("/status")
            .is_ok_and(|value| value["ready"] != Value::Bool(false))
    }

    /// Starts the app at `application` in a new session; the session ends (and the app closes)
    /// when the returned value is dropped.
    pub fn open_app(&self, application: &str) -> Result<Session<'_>, Failure> {
        // No `browserName`: tauri-driver refuses to match one.
        let capabilities = json!({
            "capabilities": { "alwaysMatch": { "tauri:options": { "application": application } } }
        });
        let value = self.post("/session", capabilities)?;
        let id = value["sessionId"]
            .as_str()
            .ok_or_else(|| Failure(format!("POST /session: no sessionId in {value}")))?;
        Ok(Session {
            client: self,
            id: id.to_owned(),
        })
    }
}

/// An open WebDriver session, that is, one running app.
pub struct Session<'a> {
    client: &'a Client,
    id: String,
}

/// A reference to an element of the page.
#[derive(Clone)]
pub struct Element(String);

impl Session<'_> {
    fn path(&self, rest: &str) -> String {
        format!("/session/{}{rest}", self.id)
    }

    /// The element matching `css` now, if any.
    pub fn find(&self, css: &str) -> Result<Element, Failure> {
        let value = self.client.post(
            &self.path("/element"),
            json!({ "using": "css selector", "value": css }),
        )?;
        value[ELEMENT_KEY]
            .as_str()
            .map(|id| Element(id.to_owned()))
            .ok_or_else(|| Failure(format!("find {css}: no element reference in {value}")))
    }

    pub fn text(&self, element: &Element) -> Result<String, Failure> {
        let value = self
            .client
            .get(&self.path(&format!("/element/{}/text", element.0)))?;
        Ok(value.as_str().unwrap_or_default().to_owned())
    }

    /// The element as a script argument.
    fn arg(element: &Element) -> Value {
        json!({ ELEMENT_KEY: element.0 })
    }

    /// Scrolls the element into view the way a person would (just enough), then clicks it.
    pub fn click(&self, element: &Element) -> Result<(), Failure> {
        self.execute(
            "arguments[0].scrollIntoView({block: 'nearest', inline: 'nearest'}); return true;",
            json!([Self::arg(element)]),
        )?;
        self.client.post(
            &self.path(&format!("/element/{}/click", element.0)),
            json!({}),
        )?;
        Ok(())
    }

    /// The element that has the focus (the document's body when none has).
    pub fn active_element(&self) -> Result<Element, Failure> {
        let value = self.client.get(&self.path("/element/active"))?;
        value[ELEMENT_KEY]
            .as_str()
            .map(|id| Element(id.to_owned()))
            .ok_or_else(|| Failure(format!("active element: no element reference in {value}")))
    }

    /// Types `text` into the element, as keystrokes.
    pub fn type_text(&self, element: &Element, text: &str) -> Result<(), Failure> {
        self.client.post(
            &self.path(&format!("/element/{}/value", element.0)),
            json!({ "text": text }),
        )?;
        Ok(())
    }

    /// Runs `script` in the page (synchronously) and returns its value.
    pub fn execute(&self, script: &str, args: Value) -> Result<Value, Failure> {
        self.client.post(
            &self.path("/execute/sync"),
            json!({ "script": script, "args": args }),
        )
    }

    /// Runs an asynchronous `script` (it calls its last argument when done) and returns what it
    /// passed.
    pub fn execute_async(&self, script: &str) -> Result<Value, Failure> {
        self.client.post(
            &self.path("/execute/async"),
            json!({ "script": script, "args": [] }),
        )
    }

    /// Polls `probe` until it returns `Ok(Some(_))`; panics after `within` with the last failure.
    pub fn wait_for<T>(
        &self,
        what: &str,
        within: Duration,
        mut probe: impl FnMut(&Self) -> Result<Option<T>, Failure>,
    ) -> T {
        let deadline = Instant::now() + within;
        let mut last;
        loop {
            match probe(self) {
                Ok(Some(found)) => return found,
                Ok(None) => last = String::from("condition not met"),
                Err(Failure(why)) => last = why,
            }
            if Instant::now() > deadline {
                panic!("e2e: waited {within:?} for {what}; last answer: {last}");
            }
            sleep(Duration::from_millis(25));
        }
    }

    /// Waits until the element matching `css` exists and its text equals `expected`.
    pub fn wait_for_text(&self, css: &str, expected: &str, within: Duration) -> Element {
        self.wait_for(&format!("{css} to read {expected:?}"), within, |session| {
            let element = session.find(css)?;
            let text = session.text(&element)?;
            Ok((text == expected).then_some(element))
        })
    }

    /// Resolves after two animation frames, so a screenshot shows the DOM as it is now rather
    /// than the previous frame.
    pub fn settle(&self) -> Result<(), Failure> {
        let script = "const done = arguments[arguments.length - 1];\n\
                      requestAnimationFrame(() => requestAnimationFrame(() => done(true)));";
        self.client.post(
            &self.path("/execute/async"),
            json!({ "script": script, "args": [] }),
        )?;
        Ok(())
    }

    /// Resizes the window so that the page's viewport is `width` × `height` CSS pixels, and
    /// waits until the page has seen the new size. Answers the viewport it got.
    pub fn set_viewport(&self, width: u32, height: u32) -> Result<(u32, u32), Failure> {
        self.client.post(
            &self.path("/window/rect"),
            json!({ "width": width, "height": height }),
        )?;
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let got = self.execute("return [innerWidth, innerHeight];", json!([]))?;
            let got = (
                got[0].as_u64().unwrap_or(0) as u32,
                got[1].as_u64().unwrap_or(0) as u32,
            );
            if got == (width, height) || Instant::now() > deadline {
                self.settle()?;
                return Ok(got);
            }
            sleep(Duration::from_millis(25));
        }
    }

    /// Every visible control (button, field, select, link) scrolled into view as a person
    /// would, and checked to be the topmost element at its centre; and whether a scroll pane
    /// scrolls sideways. The scroll positions are put back afterwards.
    pub fn layout(&self) -> Result<Layout, Failure> {
        let value = self.execute(LAYOUT_SCRIPT, json!([]))?;
        serde_json::from_value(value).map_err(|e| Failure(format!("layout: {e}")))
    }

    /// Words of `words` (lower case) that the page shows: its visible text (but codes, ids and
    /// paths, set in `.mono`), the placeholders of its visible fields and the chosen option of
    /// each select.
    pub fn visible_words_among(&self, words: &[&str]) -> Result<Vec<String>, Failure> {
        let value = self.execute(
            "const seen = new Set(arguments[0]);\
             const parts = [];\
             const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);\
             for (let n = walk.nextNode(); n; n = walk.nextNode()) {\
               const el = n.parentElement;\
               if (!el || !el.getClientRects().length || el.closest('.mono, .path, script, style')) continue;\
               if (el.closest('details:not([open])') && !el.closest('summary')) continue;\
               parts.push(n.textContent);\
             }\
             for (const e of document.querySelectorAll('input, select, textarea')) {\
               if (!e.getClientRects().length) continue;\
               if (e.placeholder) parts.push(e.placeholder);\
               if (e.tagName === 'SELECT' && e.selectedOptions[0]) parts.push(e.selectedOptions[0].textContent);\
             }\
             const found = new Set();\
             for (const w of parts.join(' ').split(/[^\\p{L}’']+/u)) {\
               const l = w.toLowerCase().replace(/’/g, \"'\");\
               if (seen.has(l)) found.add(w);\
             }\
             return [...found];",
            json!([words]),
        )?;
        serde_json::from_value(value).map_err(|e| Failure(format!("visible words: {e}")))
    }

    /// The viewport as PNG bytes.
    pub fn screenshot(&self) -> Result<Vec<u8>, Failure> {
        let value = self.client.get(&self.path("/screenshot"))?;
        let encoded = value
            .as_str()
            .ok_or_else(|| Failure(format!("screenshot: {value}")))?;
        base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .map_err(|error| Failure(format!("screenshot: not base64: {error}")))
    }
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        // Closes the app; if this fails the process-group guard still ends it.
        let url = format!("{}{}", self.client.base, self.path(""));
        let _ = self.client.agent.delete(&url).call();
    }
}

/// What [`Session::layout`] found.
#[derive(Debug, serde::Deserialize)]
pub struct Layout {
    /// Visible controls checked.
    pub controls: usize,
    /// One sentence per control that is covered, out of the viewport, or wider than its pane.
    pub problems: Vec<String>,
    pub width: u32,
    pub height: u32,
}

const LAYOUT_SCRIPT: &str = r#"
const name = (e) => {
  if (!e) return 'nothing (outside the window)';
  let n = e.tagName.toLowerCase();
  if (e.dataset && e.dataset.testid) n += `[data-testid=${e.dataset.testid}]`;
  else if (e.className && typeof e.className === 'string') n += '.' + e.className.trim().split(/\s+/).join('.');
  const words = (e.textContent || e.placeholder || e.getAttribute('aria-label') || '').trim().replace(/\s+/g, ' ');
  return words ? `${n} "${words.slice(0, 40)}"` : n;
};
const panes = [...document.querySelectorAll('*')].filter((e) => {
  const o = getComputedStyle(e).overflowY;
  return o === 'auto' || o === 'scroll';
});
const kept = panes.map((p) => [p, p.scrollTop, p.scrollLeft]);
const problems = [];
let controls = 0;
for (const e of document.querySelectorAll('button, input, select, textarea, a[href], [role=button], summary')) {
  if (e.type === 'hidden' || !e.getClientRects().length) continue;
  if (getComputedStyle(e).visibility === 'hidden') continue;
  // Inside a closed <details> (but not its summary): not shown, whatever the engine says.
  const closed = e.closest('details:not([open])');
  if (closed && !closed.querySelector(':scope > summary').contains(e)) continue;
  controls += 1;
  e.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  const r = e.getBoundingClientRect();
  if (r.width === 0 || r.height === 0) continue;
  const x = r.left + r.width / 2;
  const y = r.top + r.height / 2;
  const top = document.elementFromPoint(x, y);
  const mine = top && (top === e || e.contains(top) || [...(e.labels || [])].includes(top));
  if (!mine) problems.push(`${name(e)}: its centre (${Math.round(x)}, ${Math.round(y)}) is under ${name(top)}`);
}
for (const [p, top, left] of kept) { p.scrollTop = top; p.scrollLeft = left; }
for (const p of [document.documentElement, ...panes]) {
  if (p.scrollWidth > p.clientWidth + 1) {
    problems.push(`${name(p)} scrolls sideways: ${p.scrollWidth} px of content in ${p.clientWidth} px`);
  }
}
return { controls, problems, width: innerWidth, height: innerHeight };
"#;
