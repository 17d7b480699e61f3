//! What jobs changed in staged files, as the user reads it: the fixes re-staged, and the
//! failures naming the files, the jobs that changed them and what to do.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::jobs::plan;
use crate::report::escape::escape;

use super::ui::Ui;

/// Staged files with the names of the jobs that changed them.
type ByJobs<'a> = [(PathBuf, Vec<&'a str>)];

impl Ui {
    /// What jobs changed in staged files: re-staged, or failures naming the files and what to
    /// do. `removed`: staged files a job deleted or renamed (never a fix). Returns the number
    /// of failures.
    pub(super) fn fixes(
        &self,
        root: &Path,
        staged: &[PathBuf],
        unstaged: &ByJobs,
        refused: &ByJobs,
        removed: &ByJobs,
    ) -> usize {
        let mut text = String::new();
        if !staged.is_empty() && !self.quiet {
            let list: Vec<String> = staged.iter().map(|f| format!("`{}`", shown(f))).collect();
            let _ = writeln!(
                text,
                "hookctl: re-staged what stage_fixed jobs fixed: {}",
                list.join(", ")
            );
        }
        for (f, jobs) in removed {
            self.removed(&mut text, f, jobs);
        }
        if !unstaged.is_empty() {
            self.unstaged(&mut text, unstaged);
        }
        for (f, jobs) in refused {
            self.refused(&mut text, root, f, jobs);
        }
        if !text.is_empty() {
            crate::output::write_err(format_args!("{text}"));
        }
        usize::from(!unstaged.is_empty()) + refused.len() + removed.len()
    }

    fn fail_mark(&self) -> &'static str {
        if self.utf8 { "✘" } else { "FAIL" }
    }

    /// A staged file a job deleted or renamed: never a fix.
    fn removed(&self, text: &mut String, f: &Path, jobs: &[&str]) {
        text.push_str(&self.red(&format!(
            "{} {} deleted or renamed `{}`, which is staged: that is never a fix, so nothing was staged and the file is left as staged",
            self.fail_mark(),
            by(jobs),
            shown(f)
        )));
        text.push_str("\n  hint: a fixer must edit files in place; if the file is meant to go, delete or rename it with git (`git rm`, `git mv`) and commit again\n");
    }

    /// Fixes to staged files that jobs without `stage_fixed` made: left unstaged.
    fn unstaged(&self, text: &mut String, unstaged: &ByJobs) {
        let list: Vec<String> = unstaged.iter().map(|(f, _)| format!("`{}`", shown(f))).collect();
        let mut jobs: Vec<&str> = unstaged.iter().flat_map(|(_, j)| j.iter().copied()).collect();
        jobs.sort_unstable();
        jobs.dedup();
        text.push_str(&self.red(&format!(
            "{} {} changed staged files, and the commit would not include the change: {}",
            self.fail_mark(),
            by(&jobs),
            list.join(", ")
        )));
        let paths: Vec<String> = unstaged.iter().map(|(f, _)| quoted(f)).collect();
        let _ = writeln!(
            text,
            "\n  hint: review and stage the change (`git add {}`) and commit again, or set `stage_fixed = true` on the job",
            paths.join(" ")
        );
    }

    /// A change to a partially staged file (or one deleted from the work tree): not applied.
    fn refused(&self, text: &mut String, root: &Path, f: &Path, jobs: &[&str]) {
        let fail = self.fail_mark();
        let q = quoted(f);
        // Staged, then deleted from the work tree: `git add` would stage the deletion and
        // lose the staged content.
        if root.join(f).symlink_metadata().is_err() {
            text.push_str(&self.red(&format!(
                "{fail} {} changed `{}`, which is staged but deleted from the work tree: the change was not applied",
                by(jobs),
                shown(f)
            )));
            let _ = writeln!(
                text,
                "\n  hint: restore the staged file (`git restore {q}`) and commit again, or unstage it (`git rm --cached {q}`) to leave it out of the commit"
            );
            return;
        }
        text.push_str(&self.red(&format!(
            "{fail} {} changed `{}`, which has unstaged edits: the change was not applied and nothing was merged into your edits",
            by(jobs),
            shown(f)
        )));
        let _ = writeln!(
            text,
            "\n  hint: stage the whole file (`git add {q}`) and commit again, or run the fixer by hand and stage its result with `git add -p {q}`"
        );
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

/// The jobs that did it: `a job`, ``job `x` ``, ``jobs `x`, `y` ``.
fn by(jobs: &[&str]) -> String {
    match jobs {
        [] => "a job".to_string(),
        [one] => format!("job `{}`", escape(one)),
        many => format!(
            "jobs `{}`",
            many.iter().map(|j| escape(j)).collect::<Vec<_>>().join("`, `")
        ),
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
