//! The team's jobs of one scope: plan them, give those with partially staged files a staged
//! view, check out `clean` ones, run them all, then restore what must be restored and stage
//! (or report) what fixers changed.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::cli::RunArgs;
use crate::config::HookConfig;
use crate::jobs::exec::{self, Spec, Status};
use crate::jobs::{self, Git, SnapshotRef, clean, condition, plan, restore, staged};

use super::scope::HookScope;
use super::summary::{Row, RowKind, RowStatus};
use super::ui::Ui;

#[derive(Default)]
pub(super) struct Tally {
    pub(super) passed: usize,
    pub(super) failed: usize,
    pub(super) skipped: usize,
    /// Skips not printed (ref-range hooks' jobs without changed files): a run of only those
    /// prints nothing.
    pub(super) unannounced: usize,
    /// `pre-deploy`'s summary table: the built-in groups, then each job as it ends.
    pub(super) rows: Vec<Row>,
}

/// Plan, check out (for `clean` jobs) and run one scope's jobs. Returns the signal if
/// interrupted; the clean checkouts are gone by the time this returns, whatever happened.
#[expect(
    clippy::too_many_arguments,
    reason = "the hook scope and its printing options, each used once"
)]
pub(super) fn run_jobs(
    ui: &Ui,
    git: &Git,
    hook: &str,
    hc: &HookConfig,
    scope: &HookScope,
    graph: Option<&crate::graph::Graph>,
    skip: &[String],
    conditions: &condition::State,
    args: &RunArgs,
    tally: &mut Tally,
) -> anyhow::Result<Option<i32>> {
    let mut runnable = Vec::new();
    for job in &hc.jobs {
        // HOOKCTL_SKIP first: it costs nothing, and a skipped job's `run` condition never runs.
        let skipped = if skip.contains(&job.name) {
            Some("HOOKCTL_SKIP".to_string())
        } else {
            match conditions.decide(job.skip.as_ref(), job.only.as_ref()) {
                condition::Verdict::Skip(why) => Some(why),
                condition::Verdict::Run => None,
            }
        };
        if let Some(why) = skipped {
            ui.skipped(&job.name, &why);
            tally.skipped += 1;
            tally
                .rows
                .push(Row::skipped(job.name.clone(), RowKind::Job, &why));
            continue;
        }
        let glob_root = job.root.as_deref().is_some_and(plan::is_glob_root);
        let inputs = plan::Inputs {
            files: &scope.files,
            graph,
        };
        for p in plan::plan_runs_with(job, inputs, &args.args).map_err(anyhow::Error::msg)? {
            match p {
                // Ref-range hooks run after every checkout, merge and rebase: a job with none
                // of its files changed is skipped without a word.
                plan::Plan::Skip(why) if scope.require_files => {
                    tally.skipped += 1;
                    tally.unannounced += 1;
                    tally
                        .rows
                        .push(Row::skipped(job.name.clone(), RowKind::Job, &why));
                }
                plan::Plan::Skip(why) => {
                    ui.skipped(&job.name, &why);
                    tally.skipped += 1;
                    tally
                        .rows
                        .push(Row::skipped(job.name.clone(), RowKind::Job, &why));
                }
                // Ref-range hooks run a job only for changed files of its own.
                plan::Plan::Run { files, .. } if scope.require_files && files.is_empty() => {
                    let why = if scope.files.is_empty() {
                        "no files changed"
                    } else {
                        "no matching changed files"
                    };
                    tally.skipped += 1;
                    tally.unannounced += 1;
                    tally.rows.push(Row::skipped(job.name.clone(), RowKind::Job, why));
                }
                plan::Plan::Run { dir, commands, files } => {
                    let name = if glob_root {
                        format!("{} ({})", job.name, dir.display())
                    } else {
                        job.name.clone()
                    };
                    runnable.push((job, name, dir, commands, files));
                }
            }
        }
    }
    // Jobs of an index snapshot see the staged content: those with a partially staged file
    // run in a staged view (see `jobs::staged`), the others in place.
    let index = match &scope.snapshot {
        SnapshotRef::Index(index) if !git.bare && runnable.iter().any(|(j, ..)| !j.clean) => {
            Some(index.as_deref())
        }
        _ => None,
    };
    let (mut partial, probe) = match index {
        Some(index) => staged::probe(git, index, &scope.files, &scope.oids)?,
        None => (BTreeSet::new(), staged::Probe::Git),
    };
    // `{affected}` files that are not staged but edited on disk: the commit holds their index
    // version, so jobs must see that one too (and never rewrite the edits).
    if let Some(index) = index {
        let staged_set: BTreeSet<&PathBuf> = scope.files.iter().collect();
        let extra: BTreeSet<PathBuf> = runnable
            .iter()
            .filter(|(j, ..)| !j.clean && plan::uses_graph(j))
            .flat_map(|(_, _, _, _, files)| files.iter())
            .filter(|f| !staged_set.contains(f))
            .cloned()
            .collect();
        if !extra.is_empty() {
            let extra: Vec<PathBuf> = extra.into_iter().collect();
            let none = std::collections::HashMap::new();
            let oids = graph.map_or(&none, |g| &g.oids);
            partial.extend(staged::probe(git, index, &extra, oids)?.0);
        }
    }
    // Symlinks that lead to a partially staged file: through them a job would read the
    // unstaged content, so jobs given one run in the view too.
    let links = match index {
        Some(index) => staged::links_to(git, index, &partial),
        None => BTreeSet::new(),
    };
    let state = jobs::state_dir(git);
    // Before any job starts, the unstaged edits of the partially staged files are on disk: a
    // job may rewrite them, and a hookctl killed meanwhile must lose nothing.
    let mut guard = restore::Guard::take(&state, &git.root, &partial)
        .context("cannot save the unstaged edits of the partially staged files, so no job was run")?;
    let mut view: Option<staged::View> = None;
    // One checkout per distinct `link` setting, shared by the jobs that use it.
    let mut checkouts: Vec<(Option<Vec<String>>, clean::CleanDir)> = Vec::new();
    let mut specs = Vec::new();
    let mut fail_texts = Vec::new();
    let mut placed = Vec::new();
    let running = match crate::env_vars::get(crate::env_vars::HOOKCTL_RUNNING) {
        Some(outer) if !outer.is_empty() => format!("{outer},{hook}"),
        _ => hook.to_string(),
    };
    for (job, name, dir, commands, files) in runnable {
        let in_view = !job.clean && files.iter().any(|f| partial.contains(f) || links.contains(f));
        let base = if job.clean {
            let pos = if let Some(p) = checkouts.iter().position(|(l, _)| *l == job.link) {
                p
            } else {
                let c = clean::materialize(git, &scope.snapshot, job.link.as_deref())
                    .context("cannot make the clean checkout")?;
                checkouts.push((job.link.clone(), c));
                checkouts.len() - 1
            };
            checkouts[pos].1.tree.clone()
        } else if in_view {
            if view.is_none() {
                let index = index.flatten();
                view = Some(
                    staged::View::create(git, index, &partial, &links, Some(&state))
                        .context("cannot make the staged view")?,
                );
            }
            view.as_ref().map_or_else(|| git.root.clone(), |v| v.tree.clone())
        } else {
            git.root.clone()
        };
        if let Some(sig) = exec::interrupted() {
            return Ok(Some(sig));
        }
        // HOOKCTL_RUNNING: the hooks this job runs inside, so that a job that runs its own hook
        // again (`git commit` in a pre-commit job) is refused instead of recursing. The
        // project's tools (`node_modules/.bin` up to the root), as npm scripts have them: where
        // the job runs first, then the work tree those folders link to.
        let mut env = vec![
            jobs::env_pair("HOOKCTL_HOOK", hook),
            jobs::env_pair("HOOKCTL_RUNNING", &running),
            jobs::path::env_for_job(&[base.as_path(), git.root.as_path()], &dir),
        ];
        if ui.color {
            // hookctl's own output is a colour terminal: jobs, whose output is captured by a
            // pipe, would otherwise print without colour.
            env.push(jobs::env_pair("FORCE_COLOR", "1"));
            env.push(jobs::env_pair("CLICOLOR_FORCE", "1"));
        }
        if let (Some(index), false) = (index, job.clean) {
            // The same world in place and in a view: git acts on the real repository and the
            // index being committed, never on the view as a work tree.
            env.push(jobs::env_pair("GIT_DIR", &git.git_dir));
            env.push(jobs::env_pair("GIT_WORK_TREE", &git.root));
            if let Some(index) = index {
                env.push(jobs::env_pair("GIT_INDEX_FILE", index));
            }
        }
        env.extend(scope.env.iter().cloned());
        env.extend(job.env.iter().map(|(k, v)| jobs::env_pair(k, v)));
        specs.push(Spec {
            name,
            dir: base.join(dir),
            commands,
            env,
            timeout: job.timeout.map(|t| t.0),
            state: Some(state.clone()),
            interactive: job.interactive,
        });
        fail_texts.push(job.fail_text.clone());
        placed.push(Placed { job, files, in_view });
    }
    if specs.is_empty() {
        return Ok(None);
    }
    let max = if hc.parallel == Some(false) {
        1
    } else {
        std::thread::available_parallelism().map_or(2, std::num::NonZero::get)
    };
    let (results, signal) = exec::run_all_with_progress(
        &specs,
        max,
        hc.fail_fast.unwrap_or(false),
        &mut |spec, done| {
            ui.clear_status();
            ui.finished(spec, done, fail_texts[done.index].as_deref());
        },
        &mut |running| ui.progress(running),
    );
    ui.clear_status();
    for r in &results {
        match r.status {
            Status::Passed => tally.passed += 1,
            Status::Cancelled => tally.skipped += 1,
            _ => tally.failed += 1,
        }
        let (status, detail) = match &r.status {
            Status::Passed => (RowStatus::Ok, String::new()),
            Status::Cancelled => (RowStatus::Skipped, "cancelled (fail_fast)".to_string()),
            Status::Failed(why) => (RowStatus::Failed, why.clone()),
            Status::TimedOut(_) => (RowStatus::Failed, "timed out".to_string()),
            Status::Interrupted => (RowStatus::Failed, "interrupted".to_string()),
            Status::SpawnError(_) => (RowStatus::Failed, "could not start".to_string()),
        };
        tally.rows.push(Row {
            item: specs[r.index].name.clone(),
            kind: RowKind::Job,
            status,
            time: (status != RowStatus::Skipped).then_some(r.elapsed),
            detail,
            group: None,
        });
    }
    drop(checkouts);
    // Whatever happened (failure, timeout, interrupt), the user's unstaged edits are put back
    // if a job rewrote them, and what jobs changed is either staged (stage_fixed) or reported.
    if let Some(index) = index {
        let restored = guard.restore_changed();
        let in_view_jobs = |f: &PathBuf| -> Vec<&str> {
            placed
                .iter()
                .filter(|p| p.in_view && p.files.contains(f))
                .map(|p| p.job.name.as_str())
                .collect()
        };
        let mut refused: Vec<(PathBuf, Vec<&str>)> = Vec::new();
        // Deletions and renames of staged files: never a fix.
        let mut removed: Vec<(PathBuf, Vec<&str>)> = Vec::new();
        if let Some(v) = &view {
            let (_, gone) = v.copy_back_replaced(&git.root);
            for (f, change) in v.changed_staged() {
                match change {
                    staged::Change::Edited => refused.push((f.clone(), in_view_jobs(&f))),
                    staged::Change::Removed => removed.push((f.clone(), in_view_jobs(&f))),
                }
            }
            for f in gone.into_iter().filter(|f| scope.files.contains(f)) {
                let jobs = in_view_jobs(&f);
                removed.push((f, jobs));
            }
        }
        for f in restored.changed {
            if !refused.iter().chain(&removed).any(|(r, _)| *r == f) {
                refused.push((
                    f,
                    placed
                        .iter()
                        .filter(|p| !p.in_view && !p.job.clean)
                        .map(|p| p.job.name.as_str())
                        .collect(),
                ));
            }
        }
        tally.failed += ui.not_restored(&restored.failed);
        drop(view);
        let changed = if signal.is_some() {
            Vec::new()
        } else {
            staged::changed_by_jobs(git, index, &scope.files, &probe, &partial)?
        };
        let mut to_stage: Vec<(PathBuf, Vec<&str>)> = Vec::new();
        let mut unstaged_fixes: Vec<(PathBuf, Vec<&str>)> = Vec::new();
        for f in &changed {
            let owners: Vec<&Placed> = placed
                .iter()
                .filter(|p| !p.job.clean && p.files.contains(f))
                .collect();
            let names: Vec<&str> = owners.iter().map(|p| p.job.name.as_str()).collect();
            let entry = git.root.join(f).symlink_metadata();
            if !entry.is_ok_and(|m| m.is_file() || m.file_type().is_symlink()) {
                // Deleted or renamed away: the index still has it, and so does the work tree
                // again (only where nothing took its place).
                if git.root.join(f).symlink_metadata().is_err() {
                    let mut args: Vec<OsString> = vec!["checkout-index".into(), "--".into()];
                    args.push(f.as_os_str().to_os_string());
                    let args: Vec<&std::ffi::OsStr> = args.iter().map(OsString::as_os_str).collect();
                    let _ = git.output(&args, index);
                }
                removed.push((f.clone(), names));
            } else if owners.iter().any(|p| p.job.stage_fixed) {
                to_stage.push((f.clone(), names));
            } else {
                unstaged_fixes.push((f.clone(), names));
            }
        }
        if !removed.is_empty() {
            // A job that removes files is not a fixer to trust: nothing is staged.
            unstaged_fixes.append(&mut to_stage);
        }
        if !to_stage.is_empty() {
            let mut add: Vec<OsString> = vec!["add".into(), "--".into()];
            add.extend(to_stage.iter().map(|(f, _)| {
                let mut spec = OsString::from(":(literal)");
                spec.push(f);
                spec
            }));
            let add: Vec<&std::ffi::OsStr> = add.iter().map(OsString::as_os_str).collect();
            git.output(&add, index).context("cannot stage the fixed files")?;
            // `git commit <path>` commits a temporary index and then installs the real one it
            // prepared beforehand (`index.lock`): the fix goes into both, or the index would
            // keep the unfixed blob that HEAD no longer has.
            if let Some(real) = partial_commit_index(index) {
                git.output(&add, Some(&real))
                    .context("cannot stage the fixed files in the index")?;
            }
        }
        let staged: Vec<PathBuf> = to_stage.into_iter().map(|(f, _)| f).collect();
        tally.failed += ui.fixes(&git.root, &staged, &unstaged_fixes, &refused, &removed);
    }
    Ok(signal)
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

/// A job as it was run: where, and with which files.
pub(super) struct Placed<'a> {
    pub(super) job: &'a crate::config::JobConfig,
    pub(super) files: Vec<PathBuf>,
    pub(super) in_view: bool,
}
