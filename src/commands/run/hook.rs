//! Which hook a run is: refused when it would recurse, its config loaded (with the workspace
//! packages' jobs), its `[hook]` table chosen and narrowed (`--package`, `--job`) and checked.

use crate::Ctx;
use crate::config::{Config, HookConfig};
use crate::jobs::{Git, clean, plan};

use super::{COMMIT_MSG, commit_message_on};
use crate::config::nested::Package;

/// A job that runs its own hook again (`git commit` in a pre-commit job, `hookctl run
/// pre-commit` in one) would start the jobs again, without end: refused.
pub(super) fn refuse_nested(hook: &str) -> anyhow::Result<()> {
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
    Ok(())
}

/// The config of the run, adjusted by the command line, with the jobs the workspace
/// packages' `hookctl.toml` files add. A bare repository has no checked-out hookctl.toml
/// (doctor says so too): defaults, unless `--config` names one.
pub(super) fn load_config(ctx: &Ctx, git: &Git, package: Option<&Package>) -> anyhow::Result<Config> {
    let config = if git.bare && ctx.config.is_none() {
        Config::default()
    } else {
        let folder = package.map(|p| p.folder.as_str());
        Config::load_for(&git.root, ctx.config.as_deref(), folder)?
    };
    let mut config = ctx.adjust(config);
    // `hookctl.toml` files of workspace packages add jobs for their package's files (in a
    // package's run, its own file is merged into `config` already; the others' do not run).
    if package.is_none() {
        for (h, job) in crate::config::nested::nested_jobs(git, crate::jobs::index_from_env(git).as_deref())?
        {
            config.hooks.entry(h).or_default().jobs.push(job);
        }
    }
    Ok(config)
}

/// The `[hook]` table this run uses, narrowed to `--package` and `--job` and checked; `None`
/// when a git hook has nothing configured (git runs whatever is installed).
pub(super) fn hook_config(
    ctx: &Ctx,
    config: &Config,
    hook: &str,
    package: Option<&Package>,
    jobs: &[String],
) -> anyhow::Result<Option<HookConfig>> {
    let is_git_hook = crate::hook_names::GIT_HOOKS.contains(&hook);
    let mut hc = match config.hook(hook) {
        Some(hc) => hc.clone(),
        None if matches!(hook, "pre-commit" | "pre-push") => HookConfig::default(),
        None if hook == COMMIT_MSG && commit_message_on(config) => HookConfig::default(),
        None if is_git_hook => return Ok(None),
        None => return Err(unknown_hook(config, hook)),
    };
    // `commit-msg` checks the message (group `commit-msg`) once `commit/message` is on, and
    // nothing of the snapshot unless its `checks` says so.
    if hook == COMMIT_MSG && hc.checks.is_none() && commit_message_on(config) {
        hc.checks = Some(vec![COMMIT_MSG.to_string()]);
    }
    if let Some(p) = package {
        hc.jobs.retain(|j| super::package::keep_job(j, p));
        if !ctx.quiet {
            errln!("hookctl: {hook} for package {}", p.label());
        }
    }
    select_jobs(&mut hc, hook, jobs).map_err(anyhow::Error::msg)?;
    validate(&hc).map_err(anyhow::Error::msg)?;
    Ok(Some(hc))
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

/// A name in `HOOKCTL_SKIP` that matches nothing is most likely a typo that silently skips
/// nothing: one line on stderr, with the nearest known name.
pub(super) fn warn_unknown_skips(config: &Config, skip: &[String]) {
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
