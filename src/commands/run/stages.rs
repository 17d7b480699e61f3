//! The jobs of a hook run, scope by scope and stage by stage (`group`s and priorities in
//! order, `fail_fast` stopping what comes after), with the built-in checks before or after
//! them (`checks_order`), and the summary that ends the run.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;

use crate::config::{Config, HookConfig, JobConfig};
use crate::jobs::{order, plan};

use super::checks::{Checked, Placement, Report, run_checks_on};
use super::jobs::{JobInputs, Tally, run_jobs};
use super::scope::HookScope;
use super::summary::{Row, RowKind, RowStatus};
use super::ui::{Ui, seconds};
use super::{HookRun, PRE_DEPLOY};

/// What a hook run has found so far.
#[derive(Default)]
pub(super) struct Outcome {
    /// The built-in checks found blocking findings.
    pub(super) blocking: bool,
    /// The snapshots the built-in checks read, for `{affected}`.
    pub(super) checked: Checked,
    pub(super) tally: Tally,
    /// A stage with `fail_fast` had a failure: nothing after it runs (the checks placed last
    /// neither).
    pub(super) stopped: bool,
    /// The checks placed first, when checks are placed last too: their summary line waits
    /// for the last's, to make one ([`Report::hold`]).
    pub(super) held: Option<Report>,
}

impl HookRun<'_> {
    /// The built-in checks of this hook run, on every scope: (blocking, what was checked, the
    /// summary rows).
    fn run_checks(&self, placed: &Placement) -> anyhow::Result<(bool, Checked, Vec<Row>, Report)> {
        run_checks_on(
            self.ctx,
            self.config,
            self.hook,
            self.hc,
            self.scopes,
            self.check_skip.to_vec(),
            self.args,
            self.only,
            placed,
        )
    }

    /// The root's table and each running package part's, in the order their jobs run.
    fn tables(&self) -> impl Iterator<Item = &HookConfig> {
        std::iter::once(self.hc).chain(self.parts.iter().map(|p| &p.hc))
    }

    /// Whether some part orders its jobs or places its checks (an ordered summary).
    fn ordered(&self) -> bool {
        self.tables().any(order::is_ordered)
    }

    /// The built-in checks before the jobs, on every scope, their findings printed; their
    /// rows and snapshots go to `out`.
    pub(super) fn checks_first(&self, out: &mut Outcome) -> anyhow::Result<()> {
        let (blocking, snapshots, rows, report) = self.run_checks(&self.first)?;
        if self.last.any() {
            out.held = Some(report.hold());
        } else {
            report.print();
        }
        out.blocking |= blocking;
        out.checked = snapshots;
        out.tally.rows = rows;
        Ok(())
    }

    /// Every scope's jobs, part by part (the root's, then each package's that runs the hook
    /// otherwise), stage by stage. Returns the signal if interrupted.
    pub(super) fn jobs(&self, ui: &Ui, out: &mut Outcome) -> anyhow::Result<Option<i32>> {
        let any_jobs = self.tables().any(|hc| !hc.jobs.is_empty());
        for scope in self.scopes {
            if let Some(sig) = crate::jobs::exec::interrupted() {
                return Ok(Some(sig));
            }
            if self.hc.fail_fast.unwrap_or(false) && (out.blocking || out.tally.failed > 0) || out.stopped {
                break;
            }
            if let (Some(label), false) = (&scope.label, !any_jobs || self.ctx.quiet) {
                errln!("{}", ui.bold(&format!("hookctl: {} {label}", self.hook)));
            }
            let graph = if self.tables().any(|hc| hc.jobs.iter().any(plan::uses_graph)) {
                let snap = out
                    .checked
                    .iter()
                    .find(|(t, _)| *t == scope.target)
                    .map(|(_, s)| s.clone());
                Some(
                    affected(self.config, &scope.target, &scope.files, snap)
                        .context("cannot compute {affected}")?,
                )
            } else {
                None
            };
            for (i, hc) in self.tables().enumerate() {
                // A package's `fail_fast` stops its own jobs; the root's, the whole run.
                let mut stopped = out.stopped;
                let stages = order::stages(hc);
                for stage in &stages {
                    if let Some(sig) = self.stage(
                        ui,
                        scope,
                        graph.as_ref(),
                        hc,
                        stage,
                        stages.len(),
                        out,
                        &mut stopped,
                    )? {
                        return Ok(Some(sig));
                    }
                }
                if i == 0 {
                    out.stopped = stopped;
                }
            }
        }
        Ok(None)
    }

    /// One stage's jobs of one scope (skipped when an earlier stage stopped its part), their
    /// rows in the configured order under the stage's name.
    #[expect(
        clippy::too_many_arguments,
        reason = "the stage, where it runs and what stopped it, each used once"
    )]
    fn stage(
        &self,
        ui: &Ui,
        scope: &HookScope,
        graph: Option<&crate::graph::Graph>,
        hc: &HookConfig,
        stage: &order::Stage,
        stages: usize,
        out: &mut Outcome,
        stopped: &mut bool,
    ) -> anyhow::Result<Option<i32>> {
        let jobs: Vec<&JobConfig> = stage.jobs.iter().map(|&i| &hc.jobs[i]).collect();
        let tally = &mut out.tally;
        let first_row = tally.rows.len();
        if *stopped {
            for job in &jobs {
                tally.skipped += 1;
                tally.rows.push(not_run(job));
            }
        } else {
            if order::is_ordered(hc) && !self.ctx.quiet && stages > 1 {
                errln!(
                    "{}",
                    ui.bold(&format!("hookctl: {}: {}", self.hook, stage_title(stage)))
                );
            }
            let mut sub = hc.clone();
            sub.jobs = jobs.iter().map(|j| (*j).clone()).collect();
            sub.fail_fast = Some(stage.fail_fast);
            sub.parallel = Some(stage.parallel);
            let failed_before = tally.failed;
            let inputs = JobInputs {
                ui,
                hc: &sub,
                scope,
                graph,
                skip: self.skip,
                conditions: self.conditions,
                args: self.args,
            };
            if let Some(sig) = run_jobs(self.git, self.hook, inputs, tally)? {
                return Ok(Some(sig));
            }
            *stopped |= stage.fail_fast && tally.failed > failed_before;
        }
        // The summary keeps the configured order, not the order jobs finished in.
        let rank = |item: &str| jobs.iter().position(|j| is_row_of(item, j)).unwrap_or(usize::MAX);
        let rows = &mut tally.rows[first_row..];
        rows.sort_by_key(|r| rank(&r.item));
        for r in rows {
            r.group.clone_from(&stage.name);
        }
        Ok(None)
    }

    /// The built-in checks placed after the jobs (`checks_order = "last"`), unless `fail_fast`
    /// stopped the run; or, when they ran first in an ordered hook, their row at the top.
    pub(super) fn checks_after_jobs(&self, ui: &Ui, out: &mut Outcome) -> anyhow::Result<()> {
        let first_blocking = out.blocking;
        if self.last.any() {
            // The root's checks, or only packages' (`checks (packages/web)`).
            let item = if self.last.root.is_some() {
                "checks".to_string()
            } else {
                let folders: Vec<&str> = self
                    .last
                    .folders
                    .iter()
                    .filter(|(_, g)| g.is_some())
                    .map(|(f, _)| f.as_str())
                    .collect();
                format!("checks ({})", folders.join(", "))
            };
            if out.stopped || self.hc.fail_fast.unwrap_or(false) && out.tally.failed > 0 {
                out.tally.skipped += 1;
                out.tally
                    .rows
                    .push(Row::skipped(item, RowKind::Check, "not run (fail_fast)"));
                if !self.ctx.quiet {
                    ui.skipped("built-in checks", "fail_fast");
                }
                if let Some(held) = out.held.take() {
                    held.flush();
                }
            } else {
                let (blocking, _, rows, report) = self.run_checks(&self.last)?;
                match out.held.take() {
                    Some(held) => held.then(report).print(),
                    None => report.print(),
                }
                out.blocking |= blocking;
                if rows.is_empty() {
                    out.tally.rows.push(checks_row(item, blocking));
                } else {
                    out.tally.rows.extend(rows);
                }
            }
        }
        // Outside `pre-deploy` the checks run first are one item of the ordered summary, at
        // its top.
        if self.first.any()
            && self.ordered()
            && !out.tally.rows.first().is_some_and(|r| r.kind == RowKind::Check)
        {
            let item = match &self.first.root {
                Some(_) => "checks".to_string(),
                None => "checks (packages)".to_string(),
            };
            out.tally.rows.insert(0, checks_row(item, first_blocking));
        }
        Ok(())
    }

    /// The end of the run: `pre-deploy`'s table (jobs `fail_fast` kept from starting are
    /// items of it too), or the jobs' count line (with the table when the hook orders its
    /// jobs).
    pub(super) fn summary(&self, ui: &Ui, out: &mut Outcome, started: Instant) {
        let hook = self.hook;
        let tally = &mut out.tally;
        if hook == PRE_DEPLOY {
            for job in self.tables().flat_map(|hc| &hc.jobs) {
                if !tally
                    .rows
                    .iter()
                    .any(|r| r.kind == RowKind::Job && is_row_of(&r.item, job))
                {
                    tally.rows.push(not_run(job));
                }
            }
            ui.table(hook, &tally.rows, true);
        } else if self.tables().any(|hc| !hc.jobs.is_empty())
            && (!self.ctx.quiet || tally.failed > 0)
            && tally.passed + tally.failed + tally.skipped > tally.unannounced
        {
            if self.ordered() {
                ui.table(hook, &tally.rows, false);
            }
            let line = format!(
                "hookctl: {hook} jobs: {} passed, {} failed, {} skipped in {}",
                tally.passed,
                tally.failed,
                tally.skipped,
                seconds(started.elapsed())
            );
            let line = if tally.failed > 0 {
                ui.red(&line)
            } else {
                ui.bold(&line)
            };
            errln!("{line}");
        }
    }
}

/// The row of a job `fail_fast` kept from starting.
fn not_run(job: &JobConfig) -> Row {
    Row::skipped(job.name.clone(), RowKind::Job, "not run (fail_fast)")
}

/// Whether a summary row is the job's: its name, or its name and folder (`lint (web)`) for a
/// job run in each folder its `root` glob matches.
fn is_row_of(item: &str, job: &JobConfig) -> bool {
    item == job.name || item.starts_with(&format!("{} (", job.name))
}

/// The built-in checks as one row of the summary, when they were not run group by group.
fn checks_row(item: String, blocking: bool) -> Row {
    Row {
        item,
        kind: RowKind::Check,
        status: if blocking {
            RowStatus::Failed
        } else {
            RowStatus::Ok
        },
        time: None,
        detail: if blocking {
            "blocking findings".into()
        } else {
            String::new()
        },
        group: None,
    }
}

/// How a stage is announced: ``group `lint` ``, `priority 1`, `jobs without a group`.
fn stage_title(stage: &order::Stage) -> String {
    match &stage.name {
        Some(n) if n.starts_with("priority ") => n.clone(),
        Some(n) => format!("group `{}`", crate::report::escape::escape(n)),
        None => "jobs without a group".to_string(),
    }
}

/// `{affected}` and `{packages}` of `seeds` in `target`'s snapshot (`checked`: the snapshot the
/// built-in checks just read for it, if they ran: reading the index again costs as much as the
/// rest).
fn affected(
    config: &Config,
    target: &crate::checks::Target,
    seeds: &[PathBuf],
    checked: Option<std::sync::Arc<crate::snapshot::Snapshot>>,
) -> anyhow::Result<crate::graph::Graph> {
    use crate::checks::FileScope;
    let (repo, paths) = crate::git::discover()?;
    let snap = match checked {
        Some(snap) => snap,
        None => std::sync::Arc::new(target.open(repo, &paths)?),
    };
    let opts = crate::scan::ScanOptions {
        env_accessors: config.env.accessors.clone(),
    };
    let cache =
        crate::cache::FactsCache::load(&paths.common_dir, crate::cache::FactsCache::fingerprint(&opts));
    let facts = |need| {
        // Within `[scan] max_file_size`, as the checks scan (a larger file's facts, once
        // cached, would be read by the next full check).
        let scanned = crate::checks::scan_snapshot_limited(
            &snap,
            &opts,
            &FileScope::Files(need),
            &cache,
            config.scan.max_file_size(),
        )
        .files;
        let _ = cache.save();
        scanned.into_iter().collect()
    };
    crate::graph::compute(config, snap.clone(), seeds, &facts)
}
