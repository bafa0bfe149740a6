//! The kiosk's speech mode: the words the window shows (each screen's heading and lead, the
//! focused control's name) read aloud in the screen's language. The window sends the text
//! (`kiosk_speak`); a [`Speaker`] says it. The one shipped, [`EspeakSpeaker`], runs Debian's
//! `espeak-ng` with the text on its standard input (never through a shell), one utterance at a
//! time: a new one cuts the previous, a wipe stops it.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;

/// Write each utterance as a WAV file into this folder instead of the headset (tests), with
/// `spoken.jsonl` beside them: one line per utterance or stop.
pub const SPEECH_WAV_DIR_ENV: &str = "GUICHET_SPEECH_WAV_DIR";
/// The longest text said at once, in characters (a screen's heading and lead fit easily).
pub const MAX_CHARS: usize = 600;

/// Why a text could not be said.
#[derive(Debug, thiserror::Error)]
pub enum SpeechError {
    /// A language the kiosk does not speak.
    #[error("speech: language {0:?} is not spoken here; expected \"en\" or \"fr\"")]
    Language(String),
    /// `espeak-ng` could not start (not installed?).
    #[error("speech: espeak-ng could not start ({0}); install the Debian package espeak-ng")]
    Start(std::io::Error),
    /// The WAV folder or its log could not be written.
    #[error("speech: {0}")]
    Output(std::io::Error),
}

impl SpeechError {
    /// A stable code for logs and the window.
    pub fn code(&self) -> &'static str {
        match self {
            SpeechError::Language(_) => "SPEECH_LANGUAGE",
            SpeechError::Start(_) => "SPEECH_START",
            SpeechError::Output(_) => "SPEECH_OUTPUT",
        }
    }
}

/// Says a text aloud; one utterance at a time.
pub trait Speaker: Send + Sync {
    /// Says `text` in `lang` (`en`/`fr`), cutting the utterance in progress. `Ok(true)` when
    /// one was cut.
    fn speak(&self, text: &str, lang: &str) -> Result<bool, SpeechError>;
    /// Stops the utterance in progress; `true` when one was running.
    fn stop(&self) -> bool;
}

/// What the window may have speech say: at most [`MAX_CHARS`] characters, control characters
/// as spaces, and nothing that reads like an e-mail address or an account card (the card's QR
/// is typed into a password field; the fan's e-mail is never on a kiosk screen), whatever the
/// window sends.
pub fn sanitise(text: &str) -> String {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .filter(|w| !w.contains('@') && !w.to_ascii_uppercase().contains("P24-ACCOUNT"))
        .collect();
    words.join(" ").chars().take(MAX_CHARS).collect()
}

/// The `espeak-ng` voice of a screen language.
fn voice(lang: &str) -> Result<&'static str, SpeechError> {
    match lang {
        "en" => Ok("en-gb"),
        "fr" => Ok("fr"),
        other => Err(SpeechError::Language(other.to_owned())),
    }
}

/// `espeak-ng` on the default audio output, or into WAV files.
pub struct EspeakSpeaker {
    program: PathBuf,
    wav_dir: Option<PathBuf>,
    state: Mutex<(Option<Child>, u64)>,
}

impl EspeakSpeaker {
    /// Speaks on the audio output, or into `wav_dir` (`utterance-<n>.wav`, n from 1, and
    /// `spoken.jsonl`).
    pub fn new(wav_dir: Option<PathBuf>) -> EspeakSpeaker {
        EspeakSpeaker {
            program: PathBuf::from("espeak-ng"),
            wav_dir,
            state: Mutex::new((None, 0)),
        }
    }

    /// From the environment: [`SPEECH_WAV_DIR_ENV`] when set.
    pub fn from_env() -> EspeakSpeaker {
        EspeakSpeaker::new(std::env::var_os(SPEECH_WAV_DIR_ENV).map(PathBuf::from))
    }

    fn log(&self, line: serde_json::Value) -> Result<(), SpeechError> {
        let Some(dir) = &self.wav_dir else {
            return Ok(());
        };
        std::fs::create_dir_all(dir).map_err(SpeechError::Output)?;
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join("spoken.jsonl"))
            .map_err(SpeechError::Output)?;
        writeln!(f, "{line}").map_err(SpeechError::Output)
    }
}

/// Kills and reaps a child still running; `true` when it was.
fn cut(child: Option<Child>) -> bool {
    let Some(mut c) = child else { return false };
    let running = matches!(c.try_wait(), Ok(None));
    if running {
        let _ = c.kill();
    }
    let _ = c.wait();
    running
}

impl Speaker for EspeakSpeaker {
    fn speak(&self, text: &str, lang: &str) -> Result<bool, SpeechError> {
        let voice = voice(lang)?;
        let text = sanitise(text);
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let was = cut(state.0.take());
        if text.is_empty() {
            return Ok(was);
        }
        state.1 += 1;
        let mut cmd = Command::new(&self.program);
        cmd.args(["-v", voice, "--stdin"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut wav = None;
        if let Some(dir) = &self.wav_dir {
            std::fs::create_dir_all(dir).map_err(SpeechError::Output)?;
            let file = dir.join(format!("utterance-{}.wav", state.1));
            cmd.arg("-w").arg(&file);
            wav = Some(file);
        }
        let mut child = cmd.spawn().map_err(SpeechError::Start)?;
        if let Some(mut input) = child.stdin.take() {
            // Small (≤ 600 characters): fits the pipe, so this never waits for the speech.
            let _ = input.write_all(text.as_bytes());
        }
        state.0 = Some(child);
        self.log(serde_json::json!({
            "event": "speak", "lang": lang, "text": text,
            "wav": wav.map(|w| w.display().to_string()), "cut": was,
        }))?;
        Ok(was)
    }

    fn stop(&self) -> bool {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let was = cut(state.0.take());
        let _ = self.log(serde_json::json!({"event": "stop", "cut": was}));
        was
    }
}

/// The kiosk's speaker, managed by the app (`kiosk_speak`, `kiosk_wipe`).
pub struct Speech(pub Box<dyn Speaker>);

impl Default for Speech {
    fn default() -> Speech {
        Speech(Box::new(EspeakSpeaker::from_env()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitise_caps_the_length_and_drops_emails_and_account_cards() {
        let long = "mot ".repeat(400);
        assert_eq!(
            sanitise(&long).chars().count(),
            MAX_CHARS,
            "a text longer than the cap is cut at {MAX_CHARS} characters"
        );
        let said = sanitise("Hello\u{7}Jean, jean@example.org P24-ACCOUNT:DEMO-0001:abc\nBye");
        assert_eq!(
            said, "Hello Jean, Bye",
            "an e-mail address and an account card are never said, control characters are spaces"
        );
    }

    #[test]
    fn an_unknown_language_is_refused_with_its_code() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let s = EspeakSpeaker::new(Some(dir.path().to_path_buf()));
        let e = s
            .speak("Hallo", "de")
            .expect_err("German is not a kiosk language");
        assert_eq!(
            e.code(),
            "SPEECH_LANGUAGE",
            "the refusal names its rule: {e}"
        );
        assert!(
            !dir.path().join("utterance-1.wav").exists(),
            "nothing was said in a refused language"
        );
    }

    #[test]
    fn espeak_writes_a_wav_in_each_language() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let s = EspeakSpeaker::new(Some(dir.path().to_path_buf()));
        for (n, (lang, text)) in [("en", "Choose your language"), ("fr", "Choisissez")]
            .into_iter()
            .enumerate()
        {
            s.speak(text, lang)
                .expect("espeak-ng speaks (package espeak-ng)");
            // Waits for the utterance to end (a stop would cut it).
            let mut st = s.state.lock().expect("the speaker's state");
            let status =
                st.0.take()
                    .expect("a child runs")
                    .wait()
                    .expect("espeak-ng ends");
            assert!(status.success(), "espeak-ng succeeded for {lang}: {status}");
            let wav = dir.path().join(format!("utterance-{}.wav", n + 1));
            let len = std::fs::metadata(&wav).map(|m| m.len()).unwrap_or(0);
            assert!(len > 1000, "a WAV with sound in it for {lang}: {len} bytes");
        }
        let log = std::fs::read_to_string(dir.path().join("spoken.jsonl")).expect("the log");
        assert!(
            log.contains("\"lang\":\"fr\"") && log.contains("Choisissez"),
            "the log names each utterance's language and text: {log}"
        );
    }

    /// The WAV file is a FIFO nobody reads, so `espeak-ng` blocks on it until killed: a stop
    /// (and a new utterance) find it running, deterministically.
    #[test]
    fn a_new_utterance_and_a_stop_cut_the_one_in_progress() {
        let dir = tempfile::tempdir().expect("a temp dir");
        for n in [1, 2] {
            let fifo = dir.path().join(format!("utterance-{n}.wav"));
            let made = Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .expect("mkfifo runs");
            assert!(made.success(), "mkfifo {}", fifo.display());
        }
        let s = EspeakSpeaker::new(Some(dir.path().to_path_buf()));
        assert!(!s.speak("one", "en").expect("speaks"), "nothing ran before");
        assert!(
            s.speak("two", "en").expect("speaks"),
            "the second utterance cut the first, still blocked on its output"
        );
        assert!(s.stop(), "the stop cut the second utterance");
        assert!(!s.stop(), "nothing runs after a stop");
    }
}
