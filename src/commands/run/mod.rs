//! `hookctl run <hook> [git's args]`: what the hook shims call. Works out the snapshot(s) the
//! hook is about (the index for pre-commit, each pushed commit for pre-push, the index for
//! custom hooks), runs the built-in checks on them, then the configured jobs.
//!
//! Which files a job's `{files}` gets:
//! - `pre-commit` (and `pre-merge-commit`): staged added/copied/modified/renamed files, HEAD
//!   against the index git is about to commit (`$GIT_INDEX_FILE`); every entry before the
//!   first commit.
//! - `pre-push`: per pushed ref, the files changed between its baseline and the pushed commit
//!   (every file of the commit without a baseline).
//! - any other hook (`pre-deploy`, `commit-msg`, ...): every file in the index.
//!
//! Built-in checks run for `pre-commit`, `pre-push` and custom (non-git) hooks unless
//! `checks = []`; for other git hooks only when `checks` lists groups. Custom hooks check the
//! index with no baseline (every finding counts): they gate things like deploys.
//!
//! Job output goes to stderr so that `--format json` keeps stdout for the findings document.
//! Every job's output is printed grouped under its name and duration (lefthook does the same);
//! with `--quiet`, only failing jobs are shown.
//!
//! The files of this folder, one concern each: `scope` (which snapshots and files a hook is
//! about), `checks` (the built-in checks through the engine, `checks::run`), `jobs` (the
//! team's commands: plan, staged view, run, stage fixes), `ui` (how job results look).

mod checks;
mod jobs;
mod package;
mod scope;
mod ui;

use std::collections::BTreeSet;
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;

use crate::cli::RunArgs;
use crate::config::condition::ChecksOrder;
use crate::config::{Config, HookConfig, JobConfig};
use crate::jobs::exec;
use crate::jobs::{Git, clean, condition, order, plan};
use crate::{Ctx, Exit};

use self::checks::run_checks_on;
use self::jobs::{Tally, run_jobs};
use self::scope::scopes;
use self::ui::{Row, RowKind, RowStatus, Ui, seconds};

pub fn run(ctx: &Ctx, args: &RunArgs) -> anyhow::Result<Exit> {
    let hook = args.hook.as_str();
    if let Some(value) = crate::install::disabled_by_env() {
        errln!("hookctl: HOOKCTL={value}, skipping {hook}");
        return Ok(Exit::Success);
    }
    // The server's hook: the built-in checks of a push, never jobs.
    if hook == crate::commands::receive::HOOK {
        return crate::commands::receive::run(ctx);
    }
    // A job that runs its own hook again (`git commit` in a pre-commit job, `hookctl run
    // pre-commit` in one) would start the jobs again, without end.
    let outer = crate::env_vars::get(crate::env_vars::HOOKCTL_RUNNING).unwrap_or_default();
    if outer.split(',').any(|h| h == hook) {
        return Err(anyhow::anyhow!(
            "refusing to run `{hook}` inside a job of `{hook}` (HOOKCTL_RUNNING={outer}): it would start its jobs again, without end\nhint: a job must not run the hook it belongs to (e.g. no `git commit` in a pre-commit job)"
        ));
    }
    // The same, when the job's environment lost HOOKCTL_RUNNING: hookctl's own process tree.
    if let Some(pid) = crate::jobs::orphans::ancestor_running(hook) {
        return Err(anyhow::anyhow!(
            "refusing to run `{hook}` inside a job of `{hook}` (hookctl process {pid} runs it and started this one): it would start its jobs again, without end\nhint: a job must not run the hook it belongs to (e.g. no `git commit` in a pre-commit job)"
        ));
    }
    let every = progress_interval().map_err(anyhow::Error::msg)?;
    let git = Git::discover(&ctx.cwd).map_err(|e| anyhow::anyhow!(e.to_string()))?;
    // What runs killed outright left was dealt with before any command ran
    // (`crate::commands::sweep_leftovers`).
    // A bare repository has no checked-out hookctl.toml (doctor says so too): defaults, unless
    // `--config` names one.
    // `--package P` / `--here`: one workspace package's run (see `package`).
    let package = package::selected(ctx, &git.root, args)?;
    let config = if git.bare && ctx.config.is_none() {
        Config::default()
    } else {
        let folder = package.as_ref().map(|p| p.folder.as_str());
        Config::load_for(&git.root, ctx.config.as_deref(), folder)?
    };
    let mut config = ctx.adjust(config);
    // `hookctl.toml` files of workspace packages add jobs for their package's files (in a
    // package's run, its own file is merged into `config` already; the others' do not run).
    if package.is_none() {
        for (h, job) in
            crate::config::nested::nested_jobs(&git, crate::jobs::index_from_env(&git).as_deref())?
        {
            config.hooks.entry(h).or_default().jobs.push(job);
        }
    }
    let is_git_hook = crate::hook_names::GIT_HOOKS.contains(&hook);
    let hc = match config.hook(hook) {
        Some(hc) => hc.clone(),
        None if matches!(hook, "pre-commit" | "pre-push") => HookConfig::default(),
        None if hook == COMMIT_MSG && commit_message_on(&config) => HookConfig::default(),
        // git runs whatever is installed; a hook with nothing configured has nothing to do.
        None if is_git_hook => return Ok(Exit::Success),
        None => return Err(unknown_hook(&config, hook)),
    };
    let mut hc = hc;
    // `commit-msg` checks the message (group `commit-msg`) once `commit/message` is on, and
    // nothing of the snapshot unless its `checks` says so.
    if hook == COMMIT_MSG && hc.checks.is_none() && commit_message_on(&config) {
        hc.checks = Some(vec![COMMIT_MSG.to_string()]);
    }
    if let Some(p) = &package {
        hc.jobs.retain(|j| package::keep_job(j, p));
        if !ctx.quiet {
            errln!("hookctl: {hook} for package {}", p.label());
        }
    }
    select_jobs(&mut hc, hook, &args.jobs).map_err(anyhow::Error::msg)?;
    validate(&hc).map_err(anyhow::Error::msg)?;
    // `post-checkout` of files (`git checkout -- f`, flag 0) moves no branch: nothing to do
    // unless the hook asks for it.
    if hook == "post-checkout" && args.args.get(2).is_some_and(|f| f == "0") && hc.file_checkout != Some(true)
    {
        return Ok(Exit::Success);
    }
    let conditions = condition::State::new(&git, hook, &args.args);
    if let condition::Verdict::Skip(why) = conditions.decide(hc.skip.as_ref(), hc.only.as_ref()) {
        if !ctx.quiet {
            errln!(
                "hookctl: {hook}: skipped ({})",
                crate::report::escape::escape(&why)
            );
        }
        return Ok(Exit::Success);
    }

    let skip = crate::skip_list();
    warn_unknown_skips(&config, &skip);
    let job_names: BTreeSet<&str> = hc.jobs.iter().map(|j| j.name.as_str()).collect();
    let check_skip: Vec<String> = skip
        .iter()
        .filter(|s| !job_names.contains(s.as_str()))
        .cloned()
        .collect();
    let run_checks = match &hc.checks {
        Some(groups) => !groups.is_empty(),
        None => !is_git_hook || matches!(hook, "pre-commit" | "pre-push"),
    } && !skip.iter().any(|s| s == "checks")
        && args.jobs.is_empty();

    // Jobs need the changed files; the built-in checks compute their own scope.
    let mut scopes = scopes(&git, hook, args, !hc.jobs.is_empty())?;
    let only: Vec<String> = package.iter().map(|p| p.folder.clone()).collect();
    if let Some(p) = &package {
        for scope in &mut scopes {
            scope.files.retain(|f| p.holds(f));
        }
    }

    let mut blocking = false;
    let mut checked = Vec::new();
    let mut tally = Tally::default();
    let checks_last = hc.checks_order == Some(ChecksOrder::Last);
    if run_checks && !checks_last {
        let (b, snapshots, rows) =
            run_checks_on(ctx, &config, hook, &hc, &scopes, check_skip.clone(), args, &only)?;
        blocking |= b;
        checked = snapshots;
        tally.rows = rows;
    }
    // From here on Ctrl-C must stop the jobs (in their own process groups, the terminal's
    // SIGINT does not reach them) and remove the clean checkouts before exiting.
    exec::install_signal_handlers();
    let ui = Ui::new(ctx, every);
    let started = Instant::now();
    let ordered = order::is_ordered(&hc);
    let stages = order::stages(&hc);
    // A stage with `fail_fast` had a failure: nothing after it runs (the checks placed last
    // neither).
    let mut stopped = false;
    for scope in &scopes {
        if let Some(sig) = exec::interrupted() {
            return Ok(interrupted(sig));
        }
        if hc.fail_fast.unwrap_or(false) && (blocking || tally.failed > 0) || stopped {
            break;
        }
        if let (Some(label), false) = (&scope.label, hc.jobs.is_empty() || ctx.quiet) {
            errln!("{}", ui.bold(&format!("hookctl: {hook} {label}")));
        }
        let graph = if hc.jobs.iter().any(plan::uses_graph) {
            let snap = checked
                .iter()
                .find(|(t, _)| *t == scope.target)
                .map(|(_, s)| s.clone());
            Some(affected(&config, &scope.target, &scope.files, snap).context("cannot compute {affected}")?)
        } else {
            None
        };
        for stage in &stages {
            let jobs: Vec<&JobConfig> = stage.jobs.iter().map(|&i| &hc.jobs[i]).collect();
            let first_row = tally.rows.len();
            if stopped {
                for job in &jobs {
                    tally.skipped += 1;
                    tally.rows.push(Row::skipped(
                        job.name.clone(),
                        RowKind::Job,
                        "not run (fail_fast)",
                    ));
                }
            } else {
                if ordered && !ctx.quiet && stages.len() > 1 {
                    errln!("{}", ui.bold(&format!("hookctl: {hook}: {}", stage_title(stage))));
                }
                let mut sub = hc.clone();
                sub.jobs = jobs.iter().map(|j| (*j).clone()).collect();
                sub.fail_fast = Some(stage.fail_fast);
                sub.parallel = Some(stage.parallel);
                let failed_before = tally.failed;
                if let Some(sig) = run_jobs(
                    &ui,
                    &git,
                    hook,
                    &sub,
                    scope,
                    graph.as_ref(),
                    &skip,
                    &conditions,
                    args,
                    &mut tally,
                )? {
                    return Ok(interrupted(sig));
                }
                stopped |= stage.fail_fast && tally.failed > failed_before;
            }
            // The summary keeps the configured order, not the order jobs finished in.
            let rank = |item: &str| {
                jobs.iter()
                    .position(|j| item == j.name || item.starts_with(&format!("{} (", j.name)))
                    .unwrap_or(usize::MAX)
            };
            let rows = &mut tally.rows[first_row..];
            rows.sort_by_key(|r| rank(&r.item));
            for r in rows {
                r.group.clone_from(&stage.name);
            }
        }
    }
    if run_checks && checks_last {
        if stopped || hc.fail_fast.unwrap_or(false) && tally.failed > 0 {
            tally.skipped += 1;
            tally.rows.push(Row::skipped(
                "checks".into(),
                RowKind::Check,
                "not run (fail_fast)",
            ));
            if !ctx.quiet {
                ui.skipped("built-in checks", "fail_fast");
            }
        } else {
            let (b, _, rows) = run_checks_on(ctx, &config, hook, &hc, &scopes, check_skip, args, &only)?;
            blocking |= b;
            if rows.is_empty() {
                tally.rows.push(Row {
                    item: "checks".into(),
                    kind: RowKind::Check,
                    status: if b { RowStatus::Failed } else { RowStatus::Ok },
                    time: None,
                    detail: if b {
                        "blocking findings".into()
                    } else {
                        String::new()
                    },
                    group: None,
                });
            } else {
                tally.rows.extend(rows);
            }
        }
    } else if run_checks && ordered && tally.rows.iter().all(|r| r.kind != RowKind::Check) {
        // Outside `pre-deploy` the checks are one item of the ordered summary.
        tally.rows.insert(
            0,
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
            },
        );
    }
    if hook == PRE_DEPLOY {
        // Jobs that `fail_fast` kept from starting are items of the table too.
        for job in &hc.jobs {
            if !tally.rows.iter().any(|r| {
                r.kind == RowKind::Job
                    && (r.item == job.name || r.item.starts_with(&format!("{} (", job.name)))
            }) {
                tally.rows.push(Row::skipped(
                    job.name.clone(),
                    RowKind::Job,
                    "not run (fail_fast)",
                ));
            }
        }
        ui.table(hook, &tally.rows, true);
    } else if !hc.jobs.is_empty()
        && (!ctx.quiet || tally.failed > 0)
        && tally.passed + tally.failed + tally.skipped > tally.unannounced
    {
        if ordered {
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
    Ok(if blocking || tally.failed > 0 {
        Exit::Failure
    } else {
        Exit::Success
    })
}

/// How a stage is announced: ``group `lint` ``, `priority 1`, `jobs without a group`.
fn stage_title(stage: &order::Stage) -> String {
    match &stage.name {
        Some(n) if n.starts_with("priority ") => n.clone(),
        Some(n) => format!("group `{}`", crate::report::escape::escape(n)),
        None => "jobs without a group".to_string(),
    }
}

/// Whether `hookctl run <hook>` would do anything: pre-commit and pre-push always run the
/// built-in checks; another git hook runs only what its `[hook]` table configures.
pub fn has_work(config: &Config, hook: &str) -> bool {
    if matches!(hook, "pre-commit" | "pre-push") {
        return true;
    }
    if hook == COMMIT_MSG && commit_message_on(config) {
        return true;
    }
    config
        .hook(hook)
        .is_some_and(|hc| !hc.jobs.is_empty() || hc.checks.as_ref().is_some_and(|c| !c.is_empty()))
}

/// git's hook for the message of a commit being made; its first argument is the message file.
pub const COMMIT_MSG: &str = "commit-msg";

/// `commit/message` is set to `error` or `warning` (it is off by default).
fn commit_message_on(config: &Config) -> bool {
    config.level(&crate::codes::COMMIT_MESSAGE) != crate::config::Level::Off
}

/// A name in `HOOKCTL_SKIP` that matches nothing is most likely a typo that silently skips
/// nothing: one line on stderr, with the nearest known name.
fn warn_unknown_skips(config: &Config, skip: &[String]) {
    let jobs = config
        .hooks
        .values()
        .flat_map(|h| h.jobs.iter().map(|j| j.name.as_str()));
    let known: Vec<&str> = jobs
        .chain(crate::config::CHECK_GROUPS.iter().copied())
        .chain(crate::codes::ALL.iter().map(|r| r.id))
        .chain(["checks"])
        .collect();
    for name in skip.iter().filter(|s| !known.contains(&s.as_str())) {
        errln!(
            "hookctl: warning: HOOKCTL_SKIP: no job, rule or check group is named `{name}`{}",
            crate::config::suggest(name, known.iter().copied())
        );
    }
}

/// `HOOKCTL_PROGRESS_SECS`: the `still running` interval without a terminal (default 30 s),
/// for slow CI logs and for tests; from 0.01 s to a day.
fn progress_interval() -> Result<std::time::Duration, String> {
    const DEFAULT: std::time::Duration = std::time::Duration::from_secs(30);
    let Some(raw) = crate::env_vars::get(crate::env_vars::HOOKCTL_PROGRESS_SECS) else {
        return Ok(DEFAULT);
    };
    raw.trim()
        .parse::<f64>()
        .ok()
        .filter(|s| (0.01..=86_400.0).contains(s))
        .and_then(|s| std::time::Duration::try_from_secs_f64(s).ok())
        .ok_or_else(|| {
            format!(
                "HOOKCTL_PROGRESS_SECS={}: must be a number of seconds from 0.01 to 86400 (how often a job still running is reported; default 30)",
                crate::report::escape::escape(&raw)
            )
        })
}

/// Called once the jobs are stopped and the checkouts removed (both happen before the
/// callers get here): exit as a shell reports death by that signal, 128 + its number (130
/// for SIGINT, 143 for SIGTERM), so that git and scripts see an interruption, not a failure.
pub(super) fn interrupted(sig: i32) -> Exit {
    errln!(
        "hookctl: interrupted by {}: stopped the jobs and removed temporary checkouts",
        exec::signal_name(sig)
    );
    let _ = std::io::stdout().flush();
    std::process::exit(128 + sig)
}

fn unknown_hook(config: &Config, hook: &str) -> anyhow::Error {
    let names: Vec<&str> = config.hooks.keys().map(String::as_str).collect();
    let configured = if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    };
    let where_ = config.path.as_ref().map_or_else(
        || crate::config::FILE_NAME.to_string(),
        |p| p.display().to_string(),
    );
    anyhow::anyhow!(
        "no hook `{hook}` in {where_}{} (configured: {configured})\nhint: add a `[{hook}]` table with `[[{hook}.jobs]]` to run it by hand",
        crate::config::suggest(hook, names.iter().copied()),
    )
}

/// Problems the config types cannot express: bad roots, globs and links are usage errors.
fn validate(hc: &HookConfig) -> Result<(), String> {
    for job in &hc.jobs {
        plan::job_root(job)?;
        plan::select(job, &[])?;
        plan::plan_runs(job, &[], &[])?;
        for l in job.link.iter().flatten() {
            clean::checked_link(l).map_err(|e| format!("job `{}`: {e}", job.name))?;
        }
    }
    Ok(())
}

/// `--job NAME...`: keep only those jobs, in config order; an unknown name is a usage error.
fn select_jobs(hc: &mut HookConfig, hook: &str, names: &[String]) -> Result<(), String> {
    if names.is_empty() {
        return Ok(());
    }
    for name in names {
        if !hc.jobs.iter().any(|j| j.name == *name) {
            let known: Vec<&str> = hc.jobs.iter().map(|j| j.name.as_str()).collect();
            return Err(format!(
                "--job {name}: `{hook}` has no job named `{name}`{} (jobs: {})",
                crate::config::suggest(name, known.iter().copied()),
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            ));
        }
    }
    hc.jobs.retain(|j| names.contains(&j.name));
    Ok(())
}

/// The custom hook whose run ends with a summary table of every built-in group and job.
pub const PRE_DEPLOY: &str = "pre-deploy";

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
