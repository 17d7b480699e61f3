//! How a hook run looks on stderr: job results grouped under their names and live progress
//! (the fixes a job made are in `fixes`, the summary table in `summary`).

use std::fmt::Write as _;
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use crate::Ctx;
use crate::jobs::exec::{self, Done, Spec, Status};
use crate::report::escape::escape;

/// How many last lines of a passing job's output are shown (all with `--verbose`).
const PASSED_TAIL: usize = 10;

/// How job results look on stderr.
pub(super) struct Ui {
    pub(super) color: bool,
    pub(super) quiet: bool,
    /// `--verbose`: a passing job's whole output, not its last lines.
    pub(super) verbose: bool,
    pub(super) utf8: bool,
    /// stderr is a terminal: a status line is redrawn in place.
    pub(super) tty: bool,
    /// Without a terminal, a `still running` line per job every this often.
    pub(super) every: Duration,
    /// When the status line was last drawn (terminal), and whether one is shown.
    pub(super) drawn: std::cell::Cell<Option<Instant>>,
    pub(super) shown: std::cell::Cell<bool>,
    /// Without a terminal: how many `still running` lines each job has had.
    pub(super) reported: std::cell::RefCell<std::collections::HashMap<String, u64>>,
}

impl Ui {
    /// `every`: the `still running` interval without a terminal.
    pub(super) fn new(ctx: &Ctx, every: Duration) -> Ui {
        let locale = crate::env_vars::LOCALE
            .iter()
            .find_map(|v| crate::env_vars::get(v).filter(|s| !s.is_empty()))
            .unwrap_or_default()
            .to_lowercase();
        Ui {
            color: ctx.color,
            quiet: ctx.quiet,
            verbose: ctx.verbose,
            utf8: locale.contains("utf-8") || locale.contains("utf8"),
            tty: std::io::stderr().is_terminal()
                && crate::env_vars::get_os(crate::env_vars::TERM).is_none_or(|t| t != "dumb"),
            every,
            drawn: std::cell::Cell::new(None),
            shown: std::cell::Cell::new(false),
            reported: Default::default(),
        }
    }

    /// Live progress (called about every 10 ms while jobs run): on a terminal, one status line
    /// redrawn in place every 100 ms; otherwise a `still running: <job> (30s)` line per job
    /// every 30 s. Nothing while an interactive job owns the terminal.
    pub(super) fn progress(&self, running: &[exec::RunningJob]) {
        if running.iter().any(|r| r.interactive) {
            self.clear_status();
            return;
        }
        let mut out = String::new();
        if self.tty {
            if self
                .drawn
                .get()
                .is_some_and(|t| t.elapsed() < Duration::from_millis(100))
            {
                return;
            }
            self.drawn.set(Some(Instant::now()));
            let jobs: Vec<String> = running
                .iter()
                .map(|r| format!("{} ({}s)", escape(r.name), r.elapsed.as_secs()))
                .collect();
            let mut line = format!("running: {}", jobs.join(", "));
            let width = terminal_width().saturating_sub(1).max(20);
            if line.chars().count() > width {
                line = line.chars().take(width.saturating_sub(1)).collect::<String>() + "…";
            }
            out = format!("\r\x1b[2K{}", self.paint("2", &line));
            self.shown.set(true);
        } else if !self.quiet {
            let mut reported = self.reported.borrow_mut();
            for r in running {
                let due = (r.elapsed.as_secs_f64() / self.every.as_secs_f64().max(0.001)) as u64;
                let done = reported.entry(r.name.to_string()).or_insert(0);
                if due > *done {
                    *done = due;
                    let _ = writeln!(
                        out,
                        "hookctl: still running: {} ({}s)",
                        escape(r.name),
                        r.elapsed.as_secs()
                    );
                }
            }
        }
        if !out.is_empty() {
            crate::output::write_err(format_args!("{out}"));
        }
    }

    /// Erase the status line, if one is shown, before other output.
    pub(super) fn clear_status(&self) {
        if self.shown.replace(false) {
            crate::output::write_err(format_args!("\r\x1b[2K"));
        }
    }

    pub(super) fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    pub(super) fn red(&self, s: &str) -> String {
        self.paint("1;31", s)
    }
    pub(super) fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }

    pub(super) fn skipped(&self, name: &str, why: &str) {
        if !self.quiet {
            let mark = if self.utf8 { "○" } else { "-" };
            errln!(
                "{}",
                self.paint(
                    "2",
                    &format!("{mark} {}: skipped ({})", escape(name), escape(why))
                )
            );
        }
    }

    pub(super) fn finished(&self, spec: &Spec, done: &Done, fail_text: Option<&str>) {
        let (pass, fail) = if self.utf8 { ("✔", "✘") } else { ("ok", "FAIL") };
        let time = seconds(done.elapsed);
        let failed = done.status.is_failure();
        let name = escape(&spec.name);
        let header = match &done.status {
            Status::Passed => self.paint("32", &format!("{pass} {name} ({time})")),
            Status::Failed(why) => self.red(&format!("{fail} {name} ({time}): {why}")),
            Status::TimedOut(t) => self.red(&format!("{fail} {name}: timed out after {}", seconds(*t))),
            Status::Cancelled => self.paint("2", &format!("- {name}: cancelled (fail_fast)")),
            Status::Interrupted => self.red(&format!("{fail} {name}: interrupted")),
            Status::SpawnError(e) => self.red(&format!(
                "{fail} {name}: cannot start in {}: {}",
                escape(&spec.dir.display().to_string()),
                escape(&e.clone())
            )),
        };
        if self.quiet && !failed {
            return;
        }
        // Built in memory and written in large pieces: stderr is unbuffered, and a line per
        // write made a job's 2 MiB of output take minutes on a slow terminal. Between pieces a
        // signal stops the printing, so Ctrl-C is honoured here too.
        let mut text = Vec::with_capacity(done.output.len() * 2 + 256);
        let _ = writeln!(text, "{header}");
        if failed || !self.quiet {
            let bar = if self.utf8 { "│" } else { "|" };
            let output = String::from_utf8_lossy(&done.output);
            let lines: Vec<&str> = output.lines().collect();
            // A passing job's log (a build's hundreds of lines) is its last lines; a failing
            // job's is whole, since that is where the reason is.
            let shown = if failed || self.verbose {
                0
            } else {
                lines.len().saturating_sub(PASSED_TAIL)
            };
            if shown > 0 {
                let _ = writeln!(
                    text,
                    "  {bar} {}",
                    self.paint(
                        "2",
                        &format!(
                            "({shown} earlier line{} not shown: it passed; --verbose shows all)",
                            if shown == 1 { "" } else { "s" }
                        )
                    )
                );
            }
            for line in &lines[shown..] {
                let _ = writeln!(text, "  {bar} {line}");
            }
        }
        if failed && let Some(t) = fail_text {
            let _ = writeln!(text, "  hint: {t}");
        }
        crate::output::write_err_bytes(&text, PRINT_CHUNK, || exec::interrupted().is_some());
    }
}

/// Columns of the terminal on stderr (80 when unknown).
pub(super) fn terminal_width() -> usize {
    terminal_size::terminal_size_of(std::io::stderr())
        .map(|(w, _)| usize::from(w.0))
        .filter(|w| *w > 0)
        .unwrap_or(80)
}

/// One write of job output to stderr.
pub(super) const PRINT_CHUNK: usize = 64 * 1024;

pub(super) fn seconds(d: Duration) -> String {
    format!("{:.2}s", d.as_secs_f64())
}
