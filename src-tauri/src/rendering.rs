//! The window draws without OpenGL in the app's own process, unless `GUICHET_GL=1`.
//!
//! Measured on Debian 12 (BENCHMARKS.md, "Where the app's resident memory goes"): left alone,
//! the app's process (GTK and WebKit's UI side, not the web page's process) opens an OpenGL
//! driver three times over — GTK's GLX check when it opens the display, WebKit's DMA-BUF
//! renderer, and WebKit asking EGL for the GPU's render node to pass to its web process. Each
//! loads Mesa's driver, and Debian's Mesa drivers (`iris`, `radeonsi`, `swrast`… are one file)
//! link `libLLVM`: about 50 MB resident in a window of forms and lists that draws nothing in 3D.
//! The page is then drawn by WebKit's web process in software and copied to the window, which
//! a counter's screens (sign-in, sessions, basket, receipt) do not notice.
//!
//! Each setting is only a default: a variable the machine already sets wins, and
//! `GUICHET_GL=1` leaves all three alone (a counter whose GPU driver misbehaves without them).

use std::ffi::OsString;

/// `1` keeps GTK's and WebKit's OpenGL in the app's process (the toolkits' own defaults).
pub const GL_ENV: &str = "GUICHET_GL";

/// What is set, and why, when neither the machine nor [`GL_ENV`] says otherwise.
const DEFAULTS: [(&str, &str); 3] = [
    // GTK 3 opens GLX (and the driver) when it opens the X display, to choose visuals.
    ("GDK_GL", "disable"),
    // WebKit's DMA-BUF renderer opens EGL in this process.
    ("WEBKIT_DISABLE_DMABUF_RENDERER", "1"),
    // Otherwise WebKit opens EGL here to find the GPU's render node for the web process. Any
    // non-empty value stops the look-up; without the DMA-BUF renderer no node is used.
    ("WEBKIT_WEB_RENDER_DEVICE_FILE", "/dev/null"),
];

/// The variables to set, given how the environment reads (`get`): none with `GUICHET_GL=1`,
/// else each default the environment does not set already.
pub fn defaults_to_set(
    get: impl Fn(&str) -> Option<OsString>,
) -> Vec<(&'static str, &'static str)> {
    if get(GL_ENV).is_some_and(|v| v == "1") {
        return Vec::new();
    }
    DEFAULTS
        .into_iter()
        .filter(|(name, _)| get(name).is_none())
        .collect()
}

/// Sets the defaults in this process's environment. Called first thing in [`crate::run`],
/// before GTK starts and before any thread exists (a variable set later would be read by no
/// one, or race a thread reading the environment).
pub fn software_rendering_in_this_process() {
    for (name, value) in defaults_to_set(|name| std::env::var_os(name)) {
        std::env::set_var(name, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<OsString> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.into())
    }

    #[test]
    fn an_empty_environment_gets_all_three() {
        let set = defaults_to_set(env(&[]));
        assert_eq!(
            set.iter().map(|(k, _)| *k).collect::<Vec<_>>(),
            [
                "GDK_GL",
                "WEBKIT_DISABLE_DMABUF_RENDERER",
                "WEBKIT_WEB_RENDER_DEVICE_FILE"
            ],
            "all three are needed: with any one missing the app's process still loads the GL driver (BENCHMARKS.md)"
        );
        assert!(
            set.iter().all(|(_, v)| !v.is_empty()),
            "WebKit reads an empty WEBKIT_WEB_RENDER_DEVICE_FILE as unset and opens EGL: {set:?}"
        );
    }

    #[test]
    fn the_machine_s_own_setting_wins() {
        let set = defaults_to_set(env(&[("GDK_GL", "always")]));
        assert!(
            !set.iter().any(|(k, _)| *k == "GDK_GL"),
            "a GDK_GL the machine sets must not be overwritten: {set:?}"
        );
        assert_eq!(set.len(), 2, "the other two are still defaults: {set:?}");
    }

    #[test]
    fn guichet_gl_1_keeps_the_toolkits_defaults() {
        assert!(
            defaults_to_set(env(&[(GL_ENV, "1")])).is_empty(),
            "GUICHET_GL=1 is the way back to GTK's and WebKit's OpenGL"
        );
        assert_eq!(
            defaults_to_set(env(&[(GL_ENV, "0")])).len(),
            3,
            "only 1 opts out; GUICHET_GL=0 keeps the software defaults"
        );
    }
}
