//! How a hook run looks on stderr: job results grouped under their names, live progress, the
//! fixes a job made, and `pre-deploy`'s summary table.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use crate::Ctx;
use crate::jobs::exec::{self, Done, Spec, Status};
use crate::report::escape::escape;
use std::path::{Path, PathBuf};

use crate::jobs::plan;

/// One line of `pre-deploy`'s summary table.
#[derive(Debug, Clone)]
pub(super) struct Row {
    pub(super) item: String,
    pub(super) kind: RowKind,
    pub(super) status: RowStatus,
    /// None when it did not run.
    pub(super) time: Option<Duration>,
    /// Why it failed or was skipped, in a few words.
    pub(super) detail: String,
    /// The job's group (`priority 1` for priorities), when the hook orders its jobs.
    pub(super) group: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RowKind {
    Check,
    Job,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RowStatus {
    Ok,
    Failed,
    Skipped,
}

impl Row {
    pub(super) fn skipped(item: String, kind: RowKind, why: &str) -> Row {
        Row {
            item,
            kind,
            status: RowStatus::Skipped,
            time: None,
            detail: why.to_string(),
            group: None,
        }
    }
}

pub(super) fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

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
                    out.push_str(&format!(
                        "hookctl: still running: {} ({}s)\n",
                        escape(r.name),
                        r.elapsed.as_secs()
                    ));
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

impl Ui {
    /// The summary table (item, status, time; the group when the hook orders its jobs), in
    /// the configured order; with `verdict` (`pre-deploy`), the line naming each failed item.
    pub(super) fn table(&self, hook: &str, rows: &[Row], verdict: bool) {
        if rows.is_empty() {
            return;
        }
        let rows: Vec<Row> = rows
            .iter()
            .map(|r| Row {
                item: escape(&r.item).into_owned(),
                detail: escape(&r.detail).into_owned(),
                ..r.clone()
            })
            .collect();
        let rows = &rows[..];
        let width = rows.iter().map(|r| r.item.len()).max().unwrap_or(4).max(4);
        let grouped = rows.iter().any(|r| r.group.is_some());
        let group_of = |r: &Row| {
            if grouped {
                let g = match (&r.group, r.kind) {
                    (Some(g), _) => escape(g).into_owned(),
                    (None, RowKind::Check) => "-".to_string(),
                    (None, RowKind::Job) => "(none)".to_string(),
                };
                format!("{g:<gwidth$}  ", gwidth = self.group_width(rows))
            } else {
                String::new()
            }
        };
        let mut text = String::new();
        text.push_str(&self.bold(&format!("hookctl: {hook} summary")));
        text.push('\n');
        let header_group = if grouped {
            format!("{:<w$}  ", "group", w = self.group_width(rows))
        } else {
            String::new()
        };
        text.push_str(&format!(
            "  {header_group}{:<width$}  {:<8}  {:<7}  {:>8}  detail\n",
            "item", "kind", "status", "time"
        ));
        for r in rows {
            let kind = match r.kind {
                RowKind::Check => "built-in",
                RowKind::Job => "job",
            };
            let status = match r.status {
                RowStatus::Ok => self.paint("32", &format!("{:<7}", "ok")),
                RowStatus::Failed => self.red(&format!("{:<7}", "failed")),
                RowStatus::Skipped => self.paint("2", &format!("{:<7}", "skipped")),
            };
            let time = r.time.map_or_else(|| "-".to_string(), seconds);
            let line = format!(
                "  {}{:<width$}  {kind:<8}  {status}  {time:>8}  {}",
                group_of(r),
                r.item,
                r.detail
            );
            text.push_str(line.trim_end());
            text.push('\n');
        }
        let failed: Vec<&str> = rows
            .iter()
            .filter(|r| r.status == RowStatus::Failed)
            .map(|r| r.item.as_str())
            .collect();
        let skipped = rows.iter().filter(|r| r.status == RowStatus::Skipped).count();
        let line = if failed.is_empty() {
            let ok = rows.len() - skipped;
            self.bold(&format!(
                "hookctl: {hook}: ready ({} ok{})",
                ok,
                if skipped > 0 {
                    format!(", {skipped} skipped")
                } else {
                    String::new()
                }
            ))
        } else {
            self.red(&format!(
                "hookctl: {hook}: not ready: {} failed: {}",
                failed.len(),
                failed.join(", ")
            ))
        };
        if verdict {
            text.push_str(&line);
            text.push('\n');
        }
        crate::output::write_err(format_args!("{text}"));
    }

    /// The width of the group column: its longest entry.
    fn group_width(&self, rows: &[Row]) -> usize {
        rows.iter()
            .map(|r| r.group.as_deref().map_or(6, |g| escape(g).chars().count()))
            .max()
            .unwrap_or(5)
            .max(5)
    }

    /// What jobs changed in staged files: re-staged, or failures naming the files and what to
    /// do. `removed`: staged files a job deleted or renamed (never a fix). Returns the number
    /// of failures.
    pub(super) fn fixes(
        &self,
        root: &std::path::Path,
        staged: &[PathBuf],
        unstaged: &[(PathBuf, Vec<&str>)],
        refused: &[(PathBuf, Vec<&str>)],
        removed: &[(PathBuf, Vec<&str>)],
    ) -> usize {
        let fail = if self.utf8 { "✘" } else { "FAIL" };
        let by = |jobs: &[&str]| match jobs {
            [] => "a job".to_string(),
            [one] => format!("job `{}`", escape(one)),
            many => format!(
                "jobs `{}`",
                many.iter().map(|j| escape(j)).collect::<Vec<_>>().join("`, `")
            ),
        };
        let mut text = String::new();
        if !staged.is_empty() && !self.quiet {
            let list: Vec<String> = staged.iter().map(|f| format!("`{}`", shown(f))).collect();
            text.push_str(&format!(
                "hookctl: re-staged what stage_fixed jobs fixed: {}\n",
                list.join(", ")
            ));
        }
        for (f, jobs) in removed {
            text.push_str(&self.red(&format!(
                "{fail} {} deleted or renamed `{}`, which is staged: that is never a fix, so nothing was staged and the file is left as staged",
                by(jobs),
                shown(f)
            )));
            text.push_str("\n  hint: a fixer must edit files in place; if the file is meant to go, delete or rename it with git (`git rm`, `git mv`) and commit again\n");
        }
        if !unstaged.is_empty() {
            let list: Vec<String> = unstaged.iter().map(|(f, _)| format!("`{}`", shown(f))).collect();
            let mut jobs: Vec<&str> = unstaged.iter().flat_map(|(_, j)| j.iter().copied()).collect();
            jobs.sort_unstable();
            jobs.dedup();
            text.push_str(&self.red(&format!(
                "{fail} {} changed staged files, and the commit would not include the change: {}",
                by(&jobs),
                list.join(", ")
            )));
            let paths: Vec<String> = unstaged.iter().map(|(f, _)| quoted(f)).collect();
            text.push_str(&format!(
                "\n  hint: review and stage the change (`git add {}`) and commit again, or set `stage_fixed = true` on the job\n",
                paths.join(" ")
            ));
        }
        for (f, jobs) in refused {
            let q = quoted(f);
            // Staged, then deleted from the work tree: `git add` would stage the deletion and
            // lose the staged content.
            if root.join(f).symlink_metadata().is_err() {
                text.push_str(&self.red(&format!(
                    "{fail} {} changed `{}`, which is staged but deleted from the work tree: the change was not applied",
                    by(jobs),
                    shown(f)
                )));
                text.push_str(&format!(
                    "\n  hint: restore the staged file (`git restore {q}`) and commit again, or unstage it (`git rm --cached {q}`) to leave it out of the commit\n"
                ));
                continue;
            }
            text.push_str(&self.red(&format!(
                "{fail} {} changed `{}`, which has unstaged edits: the change was not applied and nothing was merged into your edits",
                by(jobs),
                shown(f)
            )));
            text.push_str(&format!(
                "\n  hint: stage the whole file (`git add {q}`) and commit again, or run the fixer by hand and stage its result with `git add -p {q}`\n"
            ));
        }
        if !text.is_empty() {
            crate::output::write_err(format_args!("{text}"));
        }
        usize::from(!unstaged.is_empty()) + refused.len() + removed.len()
    }

    /// Guarded files that could not be put back after the jobs: where the user's version is.
    /// Returns the number of failures.
    pub(super) fn not_restored(&self, failed: &[(PathBuf, String, PathBuf)]) -> usize {
        for (f, why, at) in failed {
            errln!(
                "{}",
                self.red(&format!(
                    "hookctl: a job rewrote `{}`, which has unstaged edits, and it could not be put back ({}): your version is saved at {}",
                    shown(f),
                    escape(why),
                    shown(at)
                ))
            );
        }
        failed.len()
    }
}

/// A path as printed: control characters escaped.
fn shown(p: &Path) -> String {
    escape(&p.to_string_lossy()).into_owned()
}

/// A path as a shell word in a hint, control characters escaped.
fn quoted(p: &Path) -> String {
    escape(&String::from_utf8_lossy(&plan::quote(
        p.as_os_str().as_encoded_bytes(),
    )))
    .into_owned()
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
