//! `git/clean`: before a deploy (and a push), the work tree holds what is committed. Two
//! cases: a tracked file whose index or work-tree content differs from HEAD (what you tested
//! is not what ships), and an untracked file that committed code imports (the deploy host
//! builds from git: "Cannot find module").
//!
//! It runs in `hookctl run pre-deploy` and `pre-push`, and in another custom hook only when
//! its `checks` lists `"git"`; never in `pre-commit` (a commit in progress is by definition
//! not clean) nor in `hookctl check`. The state is the work tree's, not a snapshot's: it is
//! computed once per run, outside the "new findings only" comparison with a baseline.
//!
//! Untracked imported files: the resolver already classifies an import whose target exists
//! only on disk (`imports/untracked`). In `pre-deploy` (and custom hooks that list `git`), an
//! `imports/untracked` finding whose target `git status` lists as untracked becomes a
//! `git/clean` finding at the same import (one report per problem, not two). Git-ignored
//! targets and files removed from the index stay `imports/untracked`: their fix is not
//! `git add`. In `pre-push`, `imports/untracked` keeps reporting them (a file missing from the
//! pushed commit, new findings only, as the contract says), so `git/clean` there reports the
//! uncommitted changes to tracked files only.

use std::collections::HashSet;

use crate::config::Config;
use crate::diagnostic::Finding;
use crate::git::Dirty;
use crate::rules::imports_untracked::quote;

/// One finding per tracked file with changes not committed.
pub fn modified(status: &[Dirty]) -> Vec<Finding> {
    status
        .iter()
        .filter(|d| !d.untracked)
        .map(|d| {
            let what = match (d.deleted, d.staged, d.unstaged) {
                (true, _, _) => "is deleted but the deletion is not committed",
                (_, true, true) => "has staged and unstaged changes that are not committed",
                (_, true, false) => "has staged changes that are not committed",
                _ => "has changes that are not committed",
            };
            let p = quote(&d.path);
            let add = if d.deleted {
                format!("git rm {p}")
            } else {
                format!("git add {p}")
            };
            Finding::new(
                &super::GIT_CLEAN,
                d.path.as_str(),
                format!("`{}` {what}: the deploy would not match this work tree", d.path),
            )
            .help(format!(
                "commit it (`{add} && git commit`), or set the change aside with `git stash` before deploying; `HOOKCTL_SKIP=git` skips this check once"
            ))
            .name(format!("modified {}", d.path))
        })
        .collect()
}

/// Turn the `imports/untracked` findings whose target is untracked (per `git status`) into
/// `git/clean` findings, in place (where `git/clean` is not `off` for the importer).
pub fn fold_untracked_imports(config: &Config, findings: &mut [Finding], status: &[Dirty]) {
    let untracked: HashSet<&str> = status
        .iter()
        .filter(|d| d.untracked)
        .map(|d| d.path.as_str())
        .collect();
    for f in findings.iter_mut() {
        if f.rule != &super::IMPORTS_UNTRACKED {
            continue;
        }
        let Some(target) = f.resolved.clone().filter(|t| untracked.contains(t.as_str())) else {
            continue;
        };
        let Some(severity) = config.level_at(&super::GIT_CLEAN, &f.path).severity() else {
            continue;
        };
        f.severity = severity;
        f.rule = &super::GIT_CLEAN;
        f.message = format!(
            "`{target}` is untracked, but `{}` imports it: the deploy, built from git, fails with \"Cannot find module\"",
            f.path
        );
        f.label = Some(format!("`{target}` is untracked"));
        f.help = Some(format!(
            "commit it: `git add {} && git commit` (or remove the import)",
            quote(&target)
        ));
    }
}
