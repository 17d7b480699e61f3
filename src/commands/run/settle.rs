//! After the jobs of an index snapshot: the user's unstaged edits put back if a job rewrote
//! them, then what jobs changed in staged files sorted into fixes to stage, fixes left
//! unstaged, changes refused (partially staged files) and files removed; the fixes staged in
//! the index being committed. `fixes.rs` prints the outcome.

use std::collections::BTreeSet;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::config::JobConfig;
use crate::jobs::{Git, restore, staged};

use super::scope::HookScope;
use super::ui::Ui;

/// Staged files with the names of the jobs that changed them.
type ByJobs<'a> = Vec<(PathBuf, Vec<&'a str>)>;

/// What the settling needs to know of the run that just ended.
pub(super) struct After<'a> {
    pub(super) ui: &'a Ui,
    pub(super) git: &'a Git,
    pub(super) scope: &'a HookScope,
    /// The index being committed (`None`: the repository's own).
    pub(super) index: Option<&'a Path>,
    /// The partially staged files, whose unstaged edits the guard saved.
    pub(super) partial: &'a BTreeSet<PathBuf>,
    pub(super) probe: &'a staged::Probe,
    pub(super) placed: &'a [Placed<'a>],
}

/// What jobs changed in staged files, sorted.
#[derive(Default)]
struct Changes<'a> {
    /// Fixed by a `stage_fixed` job: staged.
    to_stage: ByJobs<'a>,
    /// Fixed by other jobs: left unstaged, a failure.
    unstaged: ByJobs<'a>,
    /// Changes to partially staged files (or ones deleted from the work tree): not applied.
    refused: ByJobs<'a>,
    /// Deletions and renames of staged files: never a fix.
    removed: ByJobs<'a>,
}

impl<'a> After<'a> {
    /// Puts back what jobs rewrote of the user's edits, stages or reports what they changed.
    /// Returns the number of failures. `interrupted`: nothing is staged.
    pub(super) fn settle(
        &self,
        guard: &mut restore::Guard,
        view: Option<staged::View>,
        interrupted: bool,
    ) -> anyhow::Result<usize> {
        let restored = guard.restore_changed();
        let mut changes = Changes::default();
        if let Some(v) = &view {
            self.seen_in_view(v, &mut changes);
        }
        for f in restored.changed {
            self.refuse_rewritten(f, &mut changes);
        }
        let not_restored = self.ui.not_restored(&restored.failed);
        drop(view);
        let changed = if interrupted {
            Vec::new()
        } else {
            staged::changed_by_jobs(self.git, self.index, &self.scope.files, self.probe, self.partial)?
        };
        for f in &changed {
            self.sort(f, &mut changes);
        }
        if !changes.removed.is_empty() {
            // A job that removes files is not a fixer to trust: nothing is staged.
            changes.unstaged.append(&mut changes.to_stage);
        }
        if !changes.to_stage.is_empty() {
            self.stage(&changes.to_stage)?;
        }
        let staged: Vec<PathBuf> = changes.to_stage.into_iter().map(|(f, _)| f).collect();
        let reported = self.ui.fixes(
            &self.git.root,
            &staged,
            &changes.unstaged,
            &changes.refused,
            &changes.removed,
        );
        Ok(not_restored + reported)
    }

    /// The jobs that ran in the staged view and were given `f`.
    fn in_view_jobs(&self, f: &PathBuf) -> Vec<&'a str> {
        self.placed
            .iter()
            .filter(|p| p.in_view && p.files.contains(f))
            .map(|p| p.job.name.as_str())
            .collect()
    }

    /// What jobs in the staged view did to staged files: edits are refused, deletions
    /// reported; new files they made are copied back to the work tree.
    fn seen_in_view(&self, v: &staged::View, changes: &mut Changes<'a>) {
        let (_, gone) = v.copy_back_replaced(&self.git.root);
        for (f, change) in v.changed_staged() {
            match change {
                staged::Change::Edited => changes.refused.push((f.clone(), self.in_view_jobs(&f))),
                staged::Change::Removed => changes.removed.push((f.clone(), self.in_view_jobs(&f))),
            }
        }
        for f in gone.into_iter().filter(|f| self.scope.files.contains(f)) {
            let jobs = self.in_view_jobs(&f);
            changes.removed.push((f, jobs));
        }
    }

    /// A partially staged file a job in place rewrote (now put back): refused, unless the view
    /// already reported it.
    fn refuse_rewritten(&self, f: PathBuf, changes: &mut Changes<'a>) {
        if changes
            .refused
            .iter()
            .chain(&changes.removed)
            .any(|(r, _)| *r == f)
        {
            return;
        }
        let jobs = self
            .placed
            .iter()
            .filter(|p| !p.in_view && !p.job.clean)
            .map(|p| p.job.name.as_str())
            .collect();
        changes.refused.push((f, jobs));
    }

    /// A staged file jobs changed: removed (and checked out again from the index where
    /// nothing took its place), a fix to stage, or a fix left unstaged.
    fn sort(&self, f: &PathBuf, changes: &mut Changes<'a>) {
        let owners: Vec<&Placed> = self
            .placed
            .iter()
            .filter(|p| !p.job.clean && p.files.contains(f))
            .collect();
        let names: Vec<&str> = owners.iter().map(|p| p.job.name.as_str()).collect();
        let entry = self.git.root.join(f).symlink_metadata();
        if !entry.is_ok_and(|m| m.is_file() || m.file_type().is_symlink()) {
            // Deleted or renamed away: the index still has it, and so does the work tree
            // again (only where nothing took its place).
            if self.git.root.join(f).symlink_metadata().is_err() {
                let mut args: Vec<OsString> = vec!["checkout-index".into(), "--".into()];
                args.push(f.as_os_str().to_os_string());
                let args: Vec<&OsStr> = args.iter().map(OsString::as_os_str).collect();
                let _ = self.git.output(&args, self.index);
            }
            changes.removed.push((f.clone(), names));
        } else if owners.iter().any(|p| p.job.stage_fixed) {
            changes.to_stage.push((f.clone(), names));
        } else {
            changes.unstaged.push((f.clone(), names));
        }
    }

    /// `git add` of the fixes, in the index being committed and, during a partial commit, in
    /// the index that replaces it.
    fn stage(&self, to_stage: &ByJobs) -> anyhow::Result<()> {
        let mut add: Vec<OsString> = vec!["add".into(), "--".into()];
        add.extend(to_stage.iter().map(|(f, _)| {
            let mut spec = OsString::from(":(literal)");
            spec.push(f);
            spec
        }));
        let add: Vec<&OsStr> = add.iter().map(OsString::as_os_str).collect();
        self.git
            .output(&add, self.index)
            .context("cannot stage the fixed files")?;
        // `git commit <path>` commits a temporary index and then installs the real one it
        // prepared beforehand (`index.lock`): the fix goes into both, or the index would
        // keep the unfixed blob that HEAD no longer has.
        if let Some(real) = partial_commit_index(self.index) {
            self.git
                .output(&add, Some(&real))
                .context("cannot stage the fixed files in the index")?;
        }
        Ok(())
    }
}

/// A job as it was run: where, and with which files.
pub(super) struct Placed<'a> {
    pub(super) job: &'a JobConfig,
    pub(super) files: Vec<PathBuf>,
    pub(super) in_view: bool,
}

/// During `git commit <path>` (a partial commit) git shows hooks a temporary index,
/// `next-index-<pid>.lock`, and holds the repository's index as `index.lock` beside it, which
/// becomes the index after the commit. Returns that lock.
fn partial_commit_index(index: Option<&Path>) -> Option<PathBuf> {
    let index = index?;
    let name = index.file_name()?.to_str()?;
    if !(name.starts_with("next-index-") && name.ends_with(".lock")) {
        return None;
    }
    Some(index.with_file_name("index.lock")).filter(|p| p.is_file())
}
