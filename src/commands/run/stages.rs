//! The jobs of a hook run, scope by scope and stage by stage (`group`s and priorities in
//! order, `fail_fast` stopping what comes after), with the built-in checks before or after
//! them (`checks_order`), and the summary that ends the run.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;

use crate::config::condition::ChecksOrder;
use crate::config::{Config, JobConfig};
use crate::jobs::{order, plan};

use super::checks::{Checked, run_checks_on};
use super::jobs::{Tally, run_jobs};
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
}

impl HookRun<'_> {
    /// The built-in checks of this hook run, on every scope: (blocking, what was checked, the
    /// summary rows).
    fn run_checks(&self) -> anyhow::Result<(bool, Checked, Vec<Row>)> {
        run_checks_on(
            self.ctx,
            self.config,
            self.hook,
            self.hc,
            self.scopes,
            self.check_skip.to_vec(),
            self.args,
            self.only,
        )
    }

    /// Whether the built-in checks run after the jobs (`checks_order = "last"`).
    pub(super) fn checks_last(&self) -> bool {
        self.hc.checks_order == Some(ChecksOrder::Last)
    }

    /// The built-in checks before the jobs, on every scope, their findings printed; their
    /// rows and snapshots go to `out`.
    pub(super) fn checks_first(&self, out: &mut Outcome) -> anyhow::Result<()> {
        let (blocking, snapshots, rows) = self.run_checks()?;
        out.blocking |= blocking;
        out.checked = snapshots;
        out.tally.rows = rows;
        Ok(())
    }

    /// Every scope's jobs, stage by stage. Returns the signal if interrupted.
    pub(super) fn jobs(&self, ui: &Ui, out: &mut Outcome) -> anyhow::Result<Option<i32>> {
        let stages = order::stages(self.hc);
        for scope in self.scopes {
            if let Some(sig) = crate::jobs::exec::interrupted() {
                return Ok(Some(sig));
            }
            if self.hc.fail_fast.unwrap_or(false) && (out.blocking || out.tally.failed > 0) || out.stopped {
                break;
            }
            if let (Some(label), false) = (&scope.label, self.hc.jobs.is_empty() || self.ctx.quiet) {
                errln!("{}", ui.bold(&format!("hookctl: {} {label}", self.hook)));
            }
            let graph = if self.hc.jobs.iter().any(plan::uses_graph) {
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
            for stage in &stages {
                if let Some(sig) = self.stage(ui, scope, graph.as_ref(), stage, stages.len(), out)? {
                    return Ok(Some(sig));
                }
            }
        }
        Ok(None)
    }

    /// One stage's jobs of one scope (skipped when an earlier stage stopped the run), their
    /// rows in the configured order under the stage's name.
    fn stage(
        &self,
        ui: &Ui,
        scope: &HookScope,
        graph: Option<&crate::graph::Graph>,
        stage: &order::Stage,
        stages: usize,
        out: &mut Outcome,
    ) -> anyhow::Result<Option<i32>> {
        let jobs: Vec<&JobConfig> = stage.jobs.iter().map(|&i| &self.hc.jobs[i]).collect();
        let tally = &mut out.tally;
        let first_row = tally.rows.len();
        if out.stopped {
            for job in &jobs {
                tally.skipped += 1;
                tally.rows.push(not_run(job));
            }
        } else {
            if order::is_ordered(self.hc) && !self.ctx.quiet && stages > 1 {
                errln!(
                    "{}",
                    ui.bold(&format!("hookctl: {}: {}", self.hook, stage_title(stage)))
                );
            }
            let mut sub = self.hc.clone();
            sub.jobs = jobs.iter().map(|j| (*j).clone()).collect();
            sub.fail_fast = Some(stage.fail_fast);
            sub.parallel = Some(stage.parallel);
            let failed_before = tally.failed;
            if let Some(sig) = run_jobs(
                ui,
                self.git,
                self.hook,
                &sub,
                scope,
                graph,
                self.skip,
                self.conditions,
                self.args,
                tally,
            )? {
                return Ok(Some(sig));
            }
            out.stopped |= stage.fail_fast && tally.failed > failed_before;
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
        if self.checks_last() {
            if out.stopped || self.hc.fail_fast.unwrap_or(false) && out.tally.failed > 0 {
                out.tally.skipped += 1;
                out.tally.rows.push(Row::skipped(
                    "checks".into(),
                    RowKind::Check,
                    "not run (fail_fast)",
                ));
                if !self.ctx.quiet {
                    ui.skipped("built-in checks", "fail_fast");
                }
                return Ok(());
            }
            let (blocking, _, rows) = self.run_checks()?;
            out.blocking |= blocking;
            if rows.is_empty() {
                out.tally.rows.push(checks_row(blocking));
            } else {
                out.tally.rows.extend(rows);
            }
        } else if order::is_ordered(self.hc) && out.tally.rows.iter().all(|r| r.kind != RowKind::Check) {
            // Outside `pre-deploy` the checks are one item of the ordered summary.
            out.tally.rows.insert(0, checks_row(out.blocking));
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
            for job in &self.hc.jobs {
                if !tally
                    .rows
                    .iter()
                    .any(|r| r.kind == RowKind::Job && is_row_of(&r.item, job))
                {
                    tally.rows.push(not_run(job));
                }
            }
            ui.table(hook, &tally.rows, true);
        } else if !self.hc.jobs.is_empty()
            && (!self.ctx.quiet || tally.failed > 0)
            && tally.passed + tally.failed + tally.skipped > tally.unannounced
        {
            if order::is_ordered(self.hc) {
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
fn checks_row(blocking: bool) -> Row {
    Row {
        item: "checks".into(),
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
    use crate::checks::{FileScope, scan_snapshot};
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
        let scanned = scan_snapshot(&snap, &opts, &FileScope::Files(need), &cache);
        let _ = cache.save();
        scanned.into_iter().collect()
    };
    crate::graph::compute(config, snap.clone(), seeds, &facts)
}
