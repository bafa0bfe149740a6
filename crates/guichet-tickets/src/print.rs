//! Printing through CUPS: `lp` sends a PDF to a named queue and reports the job id.

use std::fmt;
use std::path::Path;
use std::process::Command;

use crate::error::PrintError;

/// A CUPS job id, e.g. `PDF-3`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct JobId(pub String);

impl fmt::Display for JobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintOptions {
    /// Job title shown in the queue (the order code, say).
    pub title: String,
    /// CUPS `media` option, e.g. [`crate::Layout::cups_media`]; `None` lets the queue choose.
    pub media: Option<String>,
}

/// Sends the PDF at `path` to the CUPS queue `queue` (a setting of the desk) and returns the
/// job id CUPS gave it. The job is queued, not yet printed.
pub fn print_pdf(queue: &str, path: &Path, opts: &PrintOptions) -> Result<JobId, PrintError> {
    std::fs::metadata(path).map_err(|source| PrintError::File {
        path: path.to_path_buf(),
        source,
    })?;
    let mut cmd = Command::new("lp");
    cmd.arg("-d").arg(queue).arg("-t").arg(&opts.title);
    if let Some(media) = &opts.media {
        cmd.arg("-o").arg(format!("media={media}"));
    }
    cmd.arg("--").arg(path);
    let out = cmd.output().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => PrintError::LpMissing,
        _ => PrintError::Failed {
            status: "not started".into(),
            stderr: e.to_string(),
        },
    })?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr).trim().to_string();
    if out.status.success() {
        return parse_job_id(&stdout).ok_or_else(|| PrintError::NoJobId(stdout.trim().into()));
    }
    Err(classify_failure(queue, &stderr, out.status.to_string()))
}

/// Turns lp's complaint into a typed error. Without a scheduler `lp` says the printer does not
/// exist, so that case asks `lpstat -r` whether cupsd is running before blaming the queue.
fn classify_failure(queue: &str, stderr: &str, status: String) -> PrintError {
    let lower = stderr.to_lowercase();
    if lower.contains("scheduler is not running")
        || lower.contains("connection refused")
        || lower.contains("unable to connect")
    {
        return PrintError::CupsNotRunning(stderr.to_string());
    }
    if lower.contains("does not exist") || lower.contains("unknown destination") {
        if !scheduler_running() {
            return PrintError::CupsNotRunning(stderr.to_string());
        }
        return PrintError::NoSuchPrinter(queue.to_string());
    }
    PrintError::Failed {
        status,
        stderr: stderr.to_string(),
    }
}

fn scheduler_running() -> bool {
    Command::new("lpstat")
        .arg("-r")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("scheduler is running"))
        .unwrap_or(false)
}

/// Reads the job id from lp's answer, "request id is PDF-3 (1 file(s))".
pub(crate) fn parse_job_id(stdout: &str) -> Option<JobId> {
    let rest = stdout.split("request id is ").nth(1)?;
    let id = rest.split_whitespace().next()?;
    (!id.is_empty()).then(|| JobId(id.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_job_id_is_read_from_lp_s_answer() {
        let id = parse_job_id("request id is PDF-3 (1 file(s))\n");
        assert_eq!(id, Some(JobId("PDF-3".into())), "lp's usual line");
        assert_eq!(parse_job_id("something else"), None, "no id, no guess");
    }

    #[test]
    fn a_missing_file_is_reported_before_calling_lp() {
        let err = print_pdf(
            "PDF",
            Path::new("/nonexistent/t.pdf"),
            &PrintOptions {
                title: "t".into(),
                media: None,
            },
        );
        assert!(matches!(err, Err(PrintError::File { .. })), "got {err:?}");
    }
}
