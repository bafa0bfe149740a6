//! Where tickets go: a [`TicketPrinter`]. [`CupsPrinter`] sends the PDF to a CUPS queue with
//! `lp -d QUEUE` (the kiosk's thermal printer); [`FileSinkPrinter`] writes it into a folder
//! with a manifest line, for tests and for a kiosk whose tickets are collected as files.

use std::io::Write;
use std::path::PathBuf;

use guichet_tickets::{print_pdf, Layout, PrintOptions};
use serde::{Deserialize, Serialize};

/// One print job: an order's tickets as one PDF.
#[derive(Debug, Clone)]
pub struct PrintJob<'a> {
    /// The payment's request id (a reprint after a crash carries the same one).
    pub request_id: &'a str,
    /// The order.
    pub order_id: &'a str,
    /// The tickets on it.
    pub ticket_ids: Vec<String>,
    /// The PDF.
    pub pdf: &'a [u8],
}

/// Why printing failed.
#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    /// The spool or sink folder could not be written.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// CUPS refused the job (queue paused, missing, `lp` absent).
    #[error("{0}")]
    Cups(String),
}

/// A printer of ticket PDFs. A job printed twice (a reprint after a crash) prints the same
/// tickets again: the QR codes are the same, so no ticket is added.
pub trait TicketPrinter: Send {
    /// Prints the job; returns the printer's job reference.
    fn print(&mut self, job: &PrintJob<'_>) -> Result<String, PrintError>;
    /// Whether a job would print now (checked before a sale is offered); why not.
    fn ready(&self) -> Result<(), String> {
        Ok(())
    }
    /// After the paper is refilled: lets the printer take jobs again.
    fn resume(&mut self) -> Result<(), String> {
        Ok(())
    }
}

/// Runs a CUPS tool; its output, or why it failed.
fn cups_tool(tool: &str, args: &[&str]) -> Result<String, String> {
    let out = std::process::Command::new(tool)
        .args(args)
        .output()
        .map_err(|e| format!("{tool} could not run ({e}): install cups-client"))?;
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    if out.status.success() {
        Ok(text)
    } else {
        Err(format!(
            "{tool} {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// Reads `lpstat -p QUEUE`: a queue CUPS paused ("disabled", which it does when the paper runs
/// out) is not ready.
pub fn queue_state(lpstat: &str, queue: &str) -> Result<(), String> {
    let line = lpstat
        .lines()
        .find(|l| l.starts_with(&format!("printer {queue} ")))
        .ok_or_else(|| format!("CUPS has no queue {queue}"))?;
    if line.contains("disabled") {
        return Err(format!(
            "the CUPS queue {queue} is paused (out of paper?): refill it, then \"paper refilled\""
        ));
    }
    Ok(())
}

/// A CUPS queue (the machine's `lp`).
#[derive(Debug, Clone)]
pub struct CupsPrinter {
    /// Queue name (`cargo xtask` sets up `PDF`, a cups-pdf queue).
    pub queue: String,
    /// Where the PDF is written before `lp` reads it.
    pub spool_dir: PathBuf,
    /// Paper.
    pub layout: Layout,
}

impl TicketPrinter for CupsPrinter {
    fn print(&mut self, job: &PrintJob<'_>) -> Result<String, PrintError> {
        let path = self.spool_dir.join(format!("{}.pdf", job.request_id));
        let io = |source| PrintError::Io {
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(&self.spool_dir).map_err(io)?;
        std::fs::write(&path, job.pdf).map_err(io)?;
        let opts = PrintOptions {
            title: format!("kiosk-{}", job.order_id),
            media: Some(self.layout.cups_media().to_string()),
        };
        print_pdf(&self.queue, &path, &opts)
            .map(|j| j.0)
            .map_err(|e| PrintError::Cups(e.to_string()))
    }

    fn ready(&self) -> Result<(), String> {
        queue_state(&cups_tool("lpstat", &["-p", &self.queue])?, &self.queue)
    }

    fn resume(&mut self) -> Result<(), String> {
        cups_tool("cupsenable", &[&self.queue])?;
        cups_tool("cupsaccept", &[&self.queue]).map(|_| ())
    }
}

/// One line of a [`FileSinkPrinter`]'s manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrintedLine {
    /// The payment's request id.
    pub request_id: String,
    /// The order.
    pub order_id: String,
    /// Its tickets.
    pub ticket_ids: Vec<String>,
    /// The PDF file's name in the folder.
    pub file: String,
}

/// Writes each job as `<request id>.pdf` into a folder and appends a line to
/// `printed.jsonl` there (fsynced), so a test reads what was printed.
#[derive(Debug, Clone)]
pub struct FileSinkPrinter {
    /// The folder.
    pub dir: PathBuf,
    /// When set, every job fails with this message (a printer out of paper).
    pub fail_with: Option<String>,
}

impl FileSinkPrinter {
    /// A sink into `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> FileSinkPrinter {
        FileSinkPrinter {
            dir: dir.into(),
            fail_with: None,
        }
    }

    /// What was printed into `dir`, in order (a line cut short by a kill is skipped).
    pub fn printed(dir: &std::path::Path) -> Vec<PrintedLine> {
        std::fs::read_to_string(dir.join("printed.jsonl"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }
}

impl TicketPrinter for FileSinkPrinter {
    fn ready(&self) -> Result<(), String> {
        self.fail_with.clone().map_or(Ok(()), Err)
    }

    fn resume(&mut self) -> Result<(), String> {
        self.fail_with = None;
        Ok(())
    }

    fn print(&mut self, job: &PrintJob<'_>) -> Result<String, PrintError> {
        if let Some(why) = &self.fail_with {
            return Err(PrintError::Cups(why.clone()));
        }
        let file = format!("{}.pdf", job.request_id);
        let path = self.dir.join(&file);
        let io = |p: &PathBuf| {
            let p = p.clone();
            move |source| PrintError::Io { path: p, source }
        };
        std::fs::create_dir_all(&self.dir).map_err(io(&self.dir))?;
        std::fs::write(&path, job.pdf).map_err(io(&path))?;
        let manifest = self.dir.join("printed.jsonl");
        let mut line = serde_json::to_string(&PrintedLine {
            request_id: job.request_id.to_string(),
            order_id: job.order_id.to_string(),
            ticket_ids: job.ticket_ids.clone(),
            file,
        })
        .unwrap_or_default();
        line.push('\n');
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&manifest)
            .map_err(io(&manifest))?;
        f.write_all(line.as_bytes()).map_err(io(&manifest))?;
        f.sync_data().map_err(io(&manifest))?;
        Ok(format!("file:{}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::queue_state;

    #[test]
    fn a_paused_or_missing_cups_queue_is_not_ready_and_an_idle_one_is() {
        let idle = "printer PDF is idle.  enabled since Wed 02 Dec 2026 01:00:00 UTC\n";
        assert_eq!(
            queue_state(idle, "PDF"),
            Ok(()),
            "an idle, enabled queue prints"
        );
        let paused = "printer PDF disabled since Wed 02 Dec 2026 01:00:00 UTC -\n\tPaused\n";
        let why = queue_state(paused, "PDF").expect_err("a paused queue must not be offered");
        assert!(why.contains("paused"), "the reason says paused: {why}");
        assert!(
            queue_state(idle, "THERMAL").is_err(),
            "a queue lpstat does not list is not ready"
        );
    }
}
