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
mod fixes;
mod hook;
mod jobs;
mod package;
mod places;
mod scope;
mod settle;
mod stages;
mod summary;
mod ui;

use std::collections::BTreeSet;
use std::io::Write;
use std::time::Instant;

use crate::cli::RunArgs;
use crate::config::condition::ChecksOrder;
use crate::config::{Config, HookConfig};
use crate::jobs::exec;
use crate::jobs::{Git, condition};
use crate::{Ctx, Exit};

use self::checks::Placement;
use self::hook::Part;
use self::scope::{HookScope, scopes};
use self::stages::Outcome;
use self::ui::Ui;

#[expect(
    clippy::too_many_lines,
    reason = "the hook run's steps in order (config, scopes, stages, summary); to split (issue 18)"
)]
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
    hook::refuse_nested(hook)?;
    let every = progress_interval()?;
    let git = Git::discover(&ctx.cwd).map_err(|e| anyhow::anyhow!(e.to_string()))?;
    // What runs killed outright left was dealt with before any command ran
    // (`crate::commands::sweep_leftovers`).
    // `--package P` / `--here`: one workspace package's run (see `package`).
    let package = package::selected(ctx, &git.root, args)?;
    let t0 = crate::timings::Mark::now();
    let (config, parts) = hook::load_config(ctx, &git, package.as_ref(), hook)?;
    crate::timings::report("config (with the workspace packages' files)", &t0);
    let Some((mut hc, parts)) = hook::hook_config(ctx, &config, hook, package.as_ref(), &args.jobs, parts)?
    else {
        // git runs whatever is installed; a hook with nothing configured has nothing to do.
        return Ok(Exit::Success);
    };
    let conditions = condition::State::new(&git, hook, &args.args);
    // Whether a part (the root's, a package's) runs: `post-checkout` of files (`git checkout
    // -- f`, flag 0) moves no branch, so nothing unless the table asks for it (said nothing);
    // then its `skip`/`only`.
    let file_checkout = hook == "post-checkout" && args.args.get(2).is_some_and(|f| f == "0");
    let gate = |hc: &HookConfig| -> Option<String> {
        if file_checkout && hc.file_checkout != Some(true) {
            return Some(String::new());
        }
        match conditions.decide(hc.skip.as_ref(), hc.only.as_ref()) {
            condition::Verdict::Skip(why) => Some(why),
            condition::Verdict::Run => None,
        }
    };
    let say_skipped = |why: &str, what: &str| {
        if !ctx.quiet && !why.is_empty() {
            errln!(
                "hookctl: {hook}: skipped{what} ({})",
                crate::report::escape::escape(why)
            );
        }
    };
    let root_skip = gate(&hc);
    let mut running: Vec<Part> = Vec::new();
    let mut parts_off: Vec<String> = Vec::new();
    for part in parts {
        match gate(&part.hc) {
            Some(why) => {
                if root_skip.is_none() {
                    say_skipped(&why, &format!(" for {}", part.folder));
                }
                parts_off.push(part.folder);
            }
            None => running.push(part),
        }
    }
    if let Some(why) = &root_skip {
        if running.is_empty() {
            say_skipped(why, "");
            return Ok(Exit::Success);
        }
        let folders: Vec<&str> = running.iter().map(|p| p.folder.as_str()).collect();
        say_skipped(why, &format!(" outside {}", folders.join(", ")));
        hc.jobs.clear();
    }

    let skip = crate::skip_list();
    hook::warn_unknown_skips(&config, &running, &skip);
    let check_skip = check_skip(&hc, &running, &skip);
    // Each part's checks, before or after the jobs (its `checks_order`).
    let place = |last: bool| {
        let groups = |hc: &HookConfig| {
            (runs_checks(hook, hc, &skip, args) && (hc.checks_order == Some(ChecksOrder::Last)) == last)
                .then(|| hc.checks.clone().unwrap_or_default())
        };
        Placement {
            root: groups(&hc).filter(|_| root_skip.is_none()),
            folders: running
                .iter()
                .map(|p| (p.folder.clone(), groups(&p.hc)))
                .chain(parts_off.iter().map(|f| (f.clone(), None)))
                .collect(),
        }
    };
    let (first, last) = (place(false), place(true));

    // Jobs need the changed files; the built-in checks compute their own scope.
    let any_jobs = !hc.jobs.is_empty() || running.iter().any(|p| !p.hc.jobs.is_empty());
    let t0 = crate::timings::Mark::now();
    let mut scopes = scopes(&git, hook, args, any_jobs)?;
    crate::timings::report("hook scope", &t0);
    let only: Vec<String> = package.iter().map(|p| p.folder.clone()).collect();
    if let Some(p) = &package {
        for scope in &mut scopes {
            scope.files.retain(|f| p.holds(f));
        }
    }
    let run = HookRun {
        ctx,
        args,
        hook,
        git: &git,
        config: &config,
        hc: &hc,
        parts: &running,
        scopes: &scopes,
        skip: &skip,
        check_skip: &check_skip,
        only: &only,
        conditions: &conditions,
        first,
        last,
    };

    let mut out = Outcome::default();
    if run.first.any() {
        run.checks_first(&mut out)?;
    }
    // From here on Ctrl-C must stop the jobs (in their own process groups, the terminal's
    // SIGINT does not reach them) and remove the clean checkouts before exiting.
    exec::install_signal_handlers();
    let ui = Ui::new(ctx, every);
    let started = Instant::now();
    if let Some(sig) = run.jobs(&ui, &mut out)? {
        return Ok(interrupted(sig));
    }
    run.checks_after_jobs(&ui, &mut out)?;
    run.summary(&ui, &mut out, started);
    let exit = if out.blocking || out.tally.failed > 0 {
        Exit::Failure
    } else {
        Exit::Success
    };
    // The snapshots checked (an index of 100k paths is a few MB of rows) are needed until the
    // process exits, which frees them at once: dropping them row by row costs a hook more.
    // Nothing in a snapshot has to be done on drop (no file written, no lock held).
    std::mem::forget(std::mem::take(&mut out.checked));
    Ok(exit)
}

/// The part of `HOOKCTL_SKIP` that names no job of the hook: what the built-in checks skip.
fn check_skip(hc: &HookConfig, running: &[Part], skip: &[String]) -> Vec<String> {
    let job_names: BTreeSet<&str> = hc
        .jobs
        .iter()
        .chain(running.iter().flat_map(|p| &p.hc.jobs))
        .map(|j| j.name.as_str())
        .collect();
    skip.iter()
        .filter(|s| !job_names.contains(s.as_str()))
        .cloned()
        .collect()
}

/// Whether the hook runs the built-in checks: those its `checks` lists, else in pre-commit,
/// pre-push and custom hooks; never with `HOOKCTL_SKIP=checks` or `--job`.
fn runs_checks(hook: &str, hc: &HookConfig, skip: &[String], args: &RunArgs) -> bool {
    let is_git_hook = crate::hook_names::GIT_HOOKS.contains(&hook);
    let asked = match &hc.checks {
        Some(groups) => !groups.is_empty(),
        None => !is_git_hook || matches!(hook, "pre-commit" | "pre-push"),
    };
    asked && !skip.iter().any(|s| s == "checks") && args.jobs.is_empty()
}

/// One hook run past its set-up: what its checks, stages and summary share.
struct HookRun<'a> {
    ctx: &'a Ctx,
    args: &'a RunArgs,
    hook: &'a str,
    git: &'a Git,
    config: &'a Config,
    /// The root's table (in a run of one package, the package's: root's keys, its own over
    /// them); its jobs cleared when its `skip`/`only` skip it.
    hc: &'a HookConfig,
    /// The packages' parts that run ([`hook::Part`]), after the root's jobs.
    parts: &'a [Part],
    scopes: &'a [HookScope],
    /// `HOOKCTL_SKIP`: job names, rules, check groups.
    skip: &'a [String],
    /// The part of `skip` that names no job of this hook: what the built-in checks skip.
    check_skip: &'a [String],
    /// `--package`: only findings under these folders are reported.
    only: &'a [String],
    conditions: &'a condition::State<'a>,
    /// The built-in checks before the jobs, and after them (`checks_order = "last"`).
    first: Placement,
    last: Placement,
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

/// `HOOKCTL_PROGRESS_SECS`: the `still running` interval without a terminal (default 30 s),
/// for slow CI logs and for tests; from 0.01 s to a day.
fn progress_interval() -> anyhow::Result<std::time::Duration> {
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
            anyhow::anyhow!(
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

/// The custom hook whose run ends with a summary table of every built-in group and job.
pub const PRE_DEPLOY: &str = "pre-deploy";
