//! Which hook a run is: refused when it would recurse, its config loaded (with the workspace
//! packages' jobs), its `[hook]` table chosen and narrowed (`--package`, `--job`) and checked.

use crate::Ctx;
use crate::config::{Config, HookConfig};
use crate::jobs::{Git, clean};

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

/// A workspace package's part of a hook run: a package whose `hookctl.toml` sets the hook's
/// own keys (`skip`, `only`, `checks`, `parallel`, `fail_fast`, `groups`, `checks_order`,
/// `file_checkout`) otherwise than the root. Nearest wins: its jobs run with its table (the
/// root's, its keys over it), and its files are checked with its `checks`, placed by its
/// `checks_order`, skipped by its conditions.
pub(super) struct Part {
    /// Repo-relative, `/`-separated.
    pub(super) folder: String,
    /// The package's table of the hook, with its own jobs only (in a run of one package, the
    /// parts are the packages inside its folder).
    pub(super) hc: HookConfig,
}

/// The config of the run, adjusted by the command line, with the jobs the workspace
/// packages' `hookctl.toml` files add (in the root's table of `hook`, or in the package's
/// [`Part`] when it runs the hook otherwise). A bare repository has no checked-out
/// hookctl.toml (doctor says so too): defaults, unless `--config` names one.
pub(super) fn load_config(
    ctx: &Ctx,
    git: &Git,
    package: Option<&Package>,
    hook: &str,
) -> anyhow::Result<(Config, Vec<Part>)> {
    let config = if git.bare && ctx.config.is_none() {
        Config::default()
    } else {
        let folder = package.map(|p| p.folder.as_str());
        Config::load_for(&git.root, ctx.config.as_deref(), folder)?
    };
    let mut config = ctx.adjust(config);
    let root_keys = config.hook_keys(hook);
    let mut parts: Vec<Part> = config
        .scopes
        .iter()
        .filter(|s| s.config.hook_keys(hook) != root_keys)
        .map(|s| Part {
            folder: s.folder.clone(),
            hc: s.config.hook_keys(hook),
        })
        .collect();
    // `hookctl.toml` files of workspace packages add jobs for their package's files. In a
    // package's run, its own file is merged into `config` already, the packages inside its
    // folder add theirs (nearest wins there too), the others' do not run.
    let inside = |folder: &str| match package {
        None => true,
        Some(p) => folder.starts_with(&format!("{}/", p.folder)),
    };
    for (folder, h, job) in crate::config::nested::nested_jobs(git)? {
        if !inside(&folder) {
            continue;
        }
        match parts.iter_mut().find(|p| p.folder == folder && h == hook) {
            Some(part) => part.hc.jobs.push(job),
            None => config.hooks.entry(h).or_default().jobs.push(job),
        }
    }
    Ok((config, parts))
}

/// The `[hook]` table this run uses and the packages' parts, narrowed to `--package` and
/// `--job` and checked; `None` when a git hook has nothing configured (git runs whatever is
/// installed).
pub(super) fn hook_config(
    ctx: &Ctx,
    config: &Config,
    hook: &str,
    package: Option<&Package>,
    jobs: &[String],
    mut parts: Vec<Part>,
) -> anyhow::Result<Option<(HookConfig, Vec<Part>)>> {
    let is_git_hook = crate::hook_names::GIT_HOOKS.contains(&hook);
    let mut hc = match config.hook(hook) {
        Some(hc) => hc.clone(),
        None if matches!(hook, "pre-commit" | "pre-push") => HookConfig::default(),
        None if hook == COMMIT_MSG && commit_message_on(config) => HookConfig::default(),
        // A package's table alone: the root's part has nothing to do.
        None if !parts.is_empty() => HookConfig {
            checks: Some(Vec::new()),
            ..HookConfig::default()
        },
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
    select_jobs(&mut hc, &mut parts, hook, jobs)?;
    validate(&hc)?;
    for part in &parts {
        validate(&part.hc)?;
    }
    Ok(Some((hc, parts)))
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

/// Problems the config types cannot express (roots and globs are checked when it is read):
/// bad links are usage errors.
fn validate(hc: &HookConfig) -> anyhow::Result<()> {
    for job in &hc.jobs {
        for l in job.link.iter().flatten() {
            clean::checked_link(l).map_err(|e| anyhow::anyhow!("job `{}`: {e}", job.name))?;
        }
    }
    Ok(())
}

/// `--job NAME...`: keep only those jobs (of the root's table and the packages' parts), in
/// config order; an unknown name is a usage error.
fn select_jobs(hc: &mut HookConfig, parts: &mut [Part], hook: &str, names: &[String]) -> anyhow::Result<()> {
    if names.is_empty() {
        return Ok(());
    }
    let known: Vec<String> = hc
        .jobs
        .iter()
        .chain(parts.iter().flat_map(|p| &p.hc.jobs))
        .map(|j| j.name.clone())
        .collect();
    for name in names {
        if !known.contains(name) {
            anyhow::bail!(
                "--job {name}: `{hook}` has no job named `{name}`{} (jobs: {})",
                crate::config::suggest(name, known.iter().map(String::as_str)),
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            );
        }
    }
    hc.jobs.retain(|j| names.contains(&j.name));
    for part in parts {
        part.hc.jobs.retain(|j| names.contains(&j.name));
    }
    Ok(())
}

/// A name in `HOOKCTL_SKIP` that matches nothing is most likely a typo that silently skips
/// nothing: one line on stderr, with the nearest known name.
pub(super) fn warn_unknown_skips(config: &Config, parts: &[Part], skip: &[String]) {
    let jobs = config
        .hooks
        .values()
        .chain(parts.iter().map(|p| &p.hc))
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
