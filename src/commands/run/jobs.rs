//! The team's jobs of one scope: plan them, place each (in place, in a staged view or a clean
//! checkout: `places.rs`) with its environment, run them all, then restore what must be
//! restored and stage (or report) what fixers changed (`settle.rs`).

use std::ffi::OsString;
use std::path::Path;

use anyhow::Context;

use crate::cli::RunArgs;
use crate::config::{HookConfig, JobConfig};
use crate::jobs::exec::{self, Spec, Status};
use crate::jobs::{self, Git, condition, plan, restore};

use super::places::{IndexFile, Partial, Places, Runnable};
use super::scope::HookScope;
use super::settle::{self, Placed};
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

/// What decides which of a scope's jobs run, in which folders and with which files: the
/// inputs [`run_jobs`] and [`plan_jobs`] share.
#[derive(Clone, Copy)]
pub(super) struct JobInputs<'a> {
    pub(super) ui: &'a Ui,
    /// The hook's table (of one stage: its jobs only).
    pub(super) hc: &'a HookConfig,
    pub(super) scope: &'a HookScope,
    /// The import graph, when a job uses `{affected}` or `{packages}`.
    pub(super) graph: Option<&'a crate::graph::Graph>,
    /// `HOOKCTL_SKIP`'s job names.
    pub(super) skip: &'a [String],
    /// The git state `skip`/`only` conditions are decided on.
    pub(super) conditions: &'a condition::State<'a>,
    pub(super) args: &'a RunArgs,
}

/// Plan, check out (for `clean` jobs) and run one scope's jobs. Returns the signal if
/// interrupted; the clean checkouts are gone by the time this returns, whatever happened.
pub(super) fn run_jobs(
    git: &Git,
    hook: &str,
    inputs: JobInputs,
    tally: &mut Tally,
) -> anyhow::Result<Option<i32>> {
    let JobInputs {
        ui, hc, scope, graph, ..
    } = inputs;
    let runnable = plan_jobs(inputs, tally)?;
    let partial = Partial::probe(git, scope, graph, &runnable)?;
    let state = jobs::state_dir(git);
    // Before any job starts, the unstaged edits of the partially staged files are on disk: a
    // job may rewrite them, and a hookctl killed meanwhile must lose nothing.
    let mut guard = restore::Guard::take(&state, &git.root, &partial.files)
        .context("cannot save the unstaged edits of the partially staged files, so no job was run")?;
    let mut places = Places::default();
    let env = JobEnv::new(ui, git, hook, scope, partial.index);
    let mut specs = Vec::new();
    let mut fail_texts = Vec::new();
    let mut placed = Vec::new();
    for Runnable {
        job,
        name,
        dir,
        commands,
        files,
    } in runnable
    {
        let in_view = !job.clean && files.iter().any(|f| partial.shows(f));
        let base = places.base(git, scope, &partial, &state, job, in_view)?;
        if let Some(sig) = exec::interrupted() {
            return Ok(Some(sig));
        }
        specs.push(Spec {
            name,
            env: env.for_job(job, &base, &dir),
            dir: base.join(dir),
            commands,
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
    let (results, signal) = run_specs(ui, hc, &specs, &fail_texts);
    tally.count(&results, &specs);
    drop(places.checkouts);
    // Whatever happened (failure, timeout, interrupt), the user's unstaged edits are put back
    // if a job rewrote them, and what jobs changed is either staged (stage_fixed) or reported.
    if let Some(IndexFile(index)) = partial.index {
        let after = settle::After {
            ui,
            git,
            scope,
            index,
            partial: &partial.files,
            probe: &partial.probe,
            placed: &placed,
        };
        tally.failed += after.settle(&mut guard, places.view, signal.is_some())?;
    }
    Ok(signal)
}

/// The jobs to run, each in the folders its `root` names; the skipped ones counted (and
/// printed, unless a ref-range hook skips them for want of changed files).
fn plan_jobs<'a>(inputs: JobInputs<'a>, tally: &mut Tally) -> anyhow::Result<Vec<Runnable<'a>>> {
    let JobInputs {
        ui,
        hc,
        scope,
        graph,
        skip,
        conditions,
        args,
    } = inputs;
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
            tally.skip(job, &why);
            continue;
        }
        let glob_root = job.root.as_ref().is_some_and(|r| r.glob().is_some());
        let inputs = plan::Inputs {
            files: &scope.files,
            graph,
        };
        for p in plan::plan_runs_with(job, inputs, &args.args) {
            match p {
                // Ref-range hooks run after every checkout, merge and rebase: a job with none
                // of its files changed is skipped without a word.
                plan::Plan::Skip(why) if scope.require_files => tally.skip_quietly(job, &why),
                plan::Plan::Skip(why) => {
                    ui.skipped(&job.name, &why);
                    tally.skip(job, &why);
                }
                // Ref-range hooks run a job only for changed files of its own.
                plan::Plan::Run { files, .. } if scope.require_files && files.is_empty() => {
                    let why = if scope.files.is_empty() {
                        "no files changed"
                    } else {
                        "no matching changed files"
                    };
                    tally.skip_quietly(job, why);
                }
                plan::Plan::Run { dir, commands, files } => {
                    let name = if glob_root {
                        format!("{} ({})", job.name, dir.display())
                    } else {
                        job.name.clone()
                    };
                    runnable.push(Runnable {
                        job,
                        name,
                        dir,
                        commands,
                        files,
                    });
                }
            }
        }
    }
    Ok(runnable)
}

impl Tally {
    /// A job skipped, and said so.
    fn skip(&mut self, job: &JobConfig, why: &str) {
        self.skipped += 1;
        self.rows.push(Row::skipped(job.name.clone(), RowKind::Job, why));
    }

    /// A job a ref-range hook skips without a word.
    fn skip_quietly(&mut self, job: &JobConfig, why: &str) {
        self.unannounced += 1;
        self.skip(job, why);
    }

    /// The jobs' results, each a row of the summary.
    fn count(&mut self, results: &[exec::Done], specs: &[Spec]) {
        for r in results {
            match r.status {
                Status::Passed => self.passed += 1,
                Status::Cancelled => self.skipped += 1,
                _ => self.failed += 1,
            }
            let (status, detail) = match &r.status {
                Status::Passed => (RowStatus::Ok, String::new()),
                Status::Cancelled => (RowStatus::Skipped, "cancelled (fail_fast)".to_string()),
                Status::Failed(why) => (RowStatus::Failed, why.clone()),
                Status::TimedOut(_) => (RowStatus::Failed, "timed out".to_string()),
                Status::Interrupted => (RowStatus::Failed, "interrupted".to_string()),
                Status::SpawnError(_) => (RowStatus::Failed, "could not start".to_string()),
            };
            self.rows.push(Row {
                item: specs[r.index].name.clone(),
                kind: RowKind::Job,
                status,
                time: (status != RowStatus::Skipped).then_some(r.elapsed),
                detail,
                group: None,
            });
        }
    }
}

/// The environment every job of a scope gets, before its own `env`.
struct JobEnv<'a> {
    git: &'a Git,
    hook: &'a str,
    scope: &'a HookScope,
    color: bool,
    index: Option<IndexFile<'a>>,
    /// `HOOKCTL_RUNNING`: the hooks a job runs inside, so that a job that runs its own hook
    /// again (`git commit` in a pre-commit job) is refused instead of recursing.
    running: String,
}

impl<'a> JobEnv<'a> {
    fn new(ui: &Ui, git: &'a Git, hook: &'a str, scope: &'a HookScope, index: Option<IndexFile<'a>>) -> Self {
        let running = match crate::env_vars::get(crate::env_vars::HOOKCTL_RUNNING) {
            Some(outer) if !outer.is_empty() => format!("{outer},{hook}"),
            _ => hook.to_string(),
        };
        JobEnv {
            git,
            hook,
            scope,
            color: ui.color,
            index,
            running,
        }
    }

    /// A job's environment when it runs in `dir` under `base`. The project's tools
    /// (`node_modules/.bin` up to the root), as npm scripts have them: where the job runs
    /// first, then the work tree those folders link to.
    fn for_job(&self, job: &JobConfig, base: &Path, dir: &Path) -> Vec<(OsString, OsString)> {
        let git = self.git;
        let mut env = vec![
            jobs::env_pair("HOOKCTL_HOOK", self.hook),
            jobs::env_pair("HOOKCTL_RUNNING", &self.running),
            jobs::path::env_for_job(&[base, git.root.as_path()], dir),
        ];
        if self.color {
            // hookctl's own output is a colour terminal: jobs, whose output is captured by a
            // pipe, would otherwise print without colour.
            env.push(jobs::env_pair("FORCE_COLOR", "1"));
            env.push(jobs::env_pair("CLICOLOR_FORCE", "1"));
        }
        if let (Some(IndexFile(index)), false) = (self.index, job.clean) {
            // The same world in place and in a view: git acts on the real repository and the
            // index being committed, never on the view as a work tree.
            env.push(jobs::env_pair("GIT_DIR", &git.git_dir));
            env.push(jobs::env_pair("GIT_WORK_TREE", &git.root));
            if let Some(index) = index {
                env.push(jobs::env_pair("GIT_INDEX_FILE", index));
            }
        }
        env.extend(self.scope.env.iter().cloned());
        env.extend(job.env.iter().map(|(k, v)| jobs::env_pair(k, v)));
        env
    }
}

/// Runs the jobs, in parallel unless the table says otherwise, printing each as it ends.
fn run_specs(
    ui: &Ui,
    hc: &HookConfig,
    specs: &[Spec],
    fail_texts: &[Option<String>],
) -> (Vec<exec::Done>, Option<i32>) {
    let max = if hc.parallel == Some(false) {
        1
    } else {
        std::thread::available_parallelism().map_or(2, std::num::NonZero::get)
    };
    let out = exec::run_all_with_progress(
        specs,
        max,
        hc.fail_fast.unwrap_or(false),
        &mut |spec, done| {
            ui.clear_status();
            ui.finished(spec, done, fail_texts[done.index].as_deref());
        },
        &mut |running| ui.progress(running),
    );
    ui.clear_status();
    out
}
