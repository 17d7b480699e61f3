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

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::checks::{self, Baseline, Request, Target};
use crate::cli::RunArgs;
use crate::config::{Config, HookConfig};
use crate::diagnostic::{Finding, Severity};
use crate::jobs::exec::{self, Done, Spec, Status};
use crate::jobs::{self, Git, Snapshot, clean, plan, push, staged};
use crate::report::{self, Summary};
use crate::{Ctx, Exit, UsageError};

/// One thing the hook looks at: a snapshot, how to check it, and the files jobs get.
struct Scope {
    /// Shown above the jobs when a push has several refs.
    label: Option<String>,
    snapshot: Snapshot,
    target: Target,
    baseline: Baseline,
    files: Vec<PathBuf>,
    /// Staged blob ids of `files` (hex), when known.
    oids: std::collections::HashMap<PathBuf, String>,
    env: Vec<(OsString, OsString)>,
}

pub fn run(ctx: &Ctx, args: &RunArgs) -> anyhow::Result<Exit> {
    let hook = args.hook.as_str();
    if let Some(value) = crate::install::disabled_by_env() {
        errln!("hookctl: HOOKCTL={value}, skipping {hook}");
        return Ok(Exit::Success);
    }
    let git = Git::discover(&ctx.cwd).map_err(|e| UsageError(e.to_string()))?;
    // A bare repository has no checked-out hookctl.toml (doctor says so too): defaults, unless
    // `--config` names one.
    let config = if git.bare && ctx.config.is_none() {
        Config::default()
    } else {
        Config::load(&git.root, ctx.config.as_deref())?
    };
    let mut config = config;
    // `hookctl.toml` files of workspace packages add jobs for their package's files.
    for (h, job) in crate::config::nested::nested_jobs(&git, jobs::index_from_env(&git).as_deref())? {
        config.hooks.entry(h).or_default().jobs.push(job);
    }
    let is_git_hook = crate::hook_names::GIT_HOOKS.contains(&hook);
    let hc = match config.hook(hook) {
        Some(hc) => hc.clone(),
        None if matches!(hook, "pre-commit" | "pre-push") => HookConfig::default(),
        // git runs whatever is installed; a hook with nothing configured has nothing to do.
        None if is_git_hook => return Ok(Exit::Success),
        None => return Err(unknown_hook(&config, hook).into()),
    };
    let mut hc = hc;
    select_jobs(&mut hc, hook, &args.jobs).map_err(UsageError)?;
    validate(&hc).map_err(UsageError)?;
    // Job groups of a hookctl that was killed outright (SIGKILL) would run on forever: kill
    // them before anything else (and so before their checkouts are swept).
    let killed = crate::jobs::orphans::sweep(&state_dir(&git));
    if killed > 0 && !ctx.quiet {
        errln!("hookctl: killed {killed} job process group(s) left running by a hookctl that was killed");
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
    let scopes = scopes(&git, hook, args, !hc.jobs.is_empty())?;

    let mut blocking = false;
    let mut checked = Vec::new();
    let mut tally = Tally::default();
    if run_checks {
        let (b, snapshots, rows) = run_checks_on(ctx, &config, hook, &hc, &scopes, check_skip, args)?;
        blocking |= b;
        checked = snapshots;
        tally.rows = rows;
    }
    // From here on Ctrl-C must stop the jobs (in their own process groups, the terminal's
    // SIGINT does not reach them) and remove the clean checkouts before exiting.
    exec::install_signal_handlers();
    let ui = Ui::new(ctx);
    let started = Instant::now();
    for scope in &scopes {
        if let Some(sig) = exec::interrupted() {
            return Ok(interrupted(sig));
        }
        if hc.fail_fast.unwrap_or(false) && (blocking || tally.failed > 0) {
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
            Some(
                jobs::graph::compute(&config, &scope.target, &scope.files, snap)
                    .context("cannot compute {affected}")?,
            )
        } else {
            None
        };
        if let Some(sig) = run_jobs(
            &ui,
            &git,
            hook,
            &hc,
            scope,
            graph.as_ref(),
            &skip,
            args,
            &mut tally,
        )? {
            return Ok(interrupted(sig));
        }
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
        ui.table(hook, &tally.rows);
    } else if !hc.jobs.is_empty() && (!ctx.quiet || tally.failed > 0) {
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

/// Whether `hookctl run <hook>` would do anything: pre-commit and pre-push always run the
/// built-in checks; another git hook runs only what its `[hook]` table configures.
pub fn has_work(config: &Config, hook: &str) -> bool {
    if matches!(hook, "pre-commit" | "pre-push") {
        return true;
    }
    config
        .hook(hook)
        .is_some_and(|hc| !hc.jobs.is_empty() || hc.checks.as_ref().is_some_and(|c| !c.is_empty()))
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

/// hookctl's own state folder, shared by linked worktrees.
fn state_dir(git: &Git) -> PathBuf {
    git.common_dir.join("hookctl")
}

/// Called once the jobs are stopped and the checkouts removed (both happen before the
/// callers get here): exit as a shell reports death by that signal, 128 + its number (130
/// for SIGINT, 143 for SIGTERM), so that git and scripts see an interruption, not a failure.
fn interrupted(sig: i32) -> Exit {
    errln!(
        "hookctl: interrupted by {}: stopped the jobs and removed temporary checkouts",
        exec::signal_name(sig)
    );
    let _ = std::io::stdout().flush();
    std::process::exit(128 + sig)
}

fn unknown_hook(config: &Config, hook: &str) -> UsageError {
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
    UsageError(format!(
        "no hook `{hook}` in {where_}{} (configured: {configured})\nhint: add a `[{hook}]` table with `[[{hook}.jobs]]` to run it by hand",
        crate::config::suggest(hook, names.iter().copied()),
    ))
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

/// `--files F...`: paths relative to the current directory, made repo-relative; a folder
/// stands for the index's files under it. A path that is neither in the index nor on disk is
/// a usage error.
fn given_files(
    git: &Git,
    cwd: &std::path::Path,
    given: &[PathBuf],
    index: Option<&std::path::Path>,
) -> anyhow::Result<Vec<PathBuf>> {
    let tracked = jobs::index_files(git, index)?;
    let root = git.root.canonicalize().unwrap_or_else(|_| git.root.clone());
    let mut files = Vec::new();
    for f in given {
        let abs = cwd.join(f);
        // Normalise `..` and `.` without requiring the file to exist.
        let mut norm = PathBuf::new();
        for c in abs.components() {
            match c {
                std::path::Component::ParentDir => {
                    norm.pop();
                }
                std::path::Component::CurDir => {}
                c => norm.push(c),
            }
        }
        let parent_real = norm.parent().and_then(|p| p.canonicalize().ok());
        let real = match (parent_real, norm.file_name()) {
            (Some(p), Some(n)) => p.join(n),
            _ => norm.clone(),
        };
        let Ok(rel) = real.strip_prefix(&root).or_else(|_| norm.strip_prefix(&git.root)) else {
            return Err(UsageError(format!(
                "--files {}: outside the repository {}",
                f.display(),
                git.root.display()
            ))
            .into());
        };
        let rel = rel.to_path_buf();
        let under: Vec<&PathBuf> = tracked
            .iter()
            .filter(|t| **t == rel || rel.as_os_str().is_empty() || t.starts_with(&rel))
            .collect();
        if under.is_empty() && !real.is_file() {
            return Err(UsageError(format!(
                "--files {}: no such file in the index or on disk",
                f.display()
            ))
            .into());
        }
        if under.is_empty() {
            files.push(rel);
        } else {
            files.extend(under.into_iter().cloned());
        }
    }
    files.dedup();
    Ok(files)
}

fn scopes(git: &Git, hook: &str, args: &RunArgs, want_files: bool) -> anyhow::Result<Vec<Scope>> {
    let index = jobs::index_from_env(git);
    let baseline = if matches!(hook, "pre-commit" | "pre-merge-commit") {
        Baseline::Head
    } else {
        Baseline::None
    };
    if let (Some(from), Some(to)) = (&args.from_ref, &args.to_ref) {
        let resolve = |r: &str| {
            git.commit_oid(r).ok_or_else(|| {
                UsageError(format!(
                    "--from-ref/--to-ref: `{r}` is not a commit of this repository"
                ))
            })
        };
        let (a, b) = (resolve(from)?, resolve(to)?);
        let oid = |hex: &str| git2::Oid::from_str(hex).with_context(|| format!("bad object id {hex}"));
        return Ok(vec![Scope {
            label: None,
            files: jobs::commit_files(git, Some(&a), &b)?,
            snapshot: Snapshot::Commit(b.clone()),
            target: Target::Commit(oid(&b)?),
            baseline: Baseline::Commit(oid(&a)?),
            oids: Default::default(),
            env: vec![
                jobs::env_pair("HOOKCTL_FROM_REF", a.clone()),
                jobs::env_pair("HOOKCTL_TO_REF", b.clone()),
            ],
        }]);
    }
    if args.all_files || !args.files.is_empty() {
        let cwd = std::env::current_dir().unwrap_or_else(|_| git.root.clone());
        let files = if args.all_files {
            jobs::index_files(git, index.as_deref())?
        } else {
            given_files(git, &cwd, &args.files, index.as_deref())?
        };
        return Ok(vec![Scope {
            label: None,
            files,
            snapshot: Snapshot::Index(index),
            target: Target::Index,
            baseline,
            oids: Default::default(),
            env: Vec::new(),
        }]);
    }
    match hook {
        "pre-commit" | "pre-merge-commit" => {
            let staged = if want_files {
                jobs::staged_files_oids(git, index.as_deref())?
            } else {
                Vec::new()
            };
            Ok(vec![Scope {
                label: None,
                files: staged.iter().map(|(p, _)| p.clone()).collect(),
                oids: staged.into_iter().collect(),
                snapshot: Snapshot::Index(index),
                target: Target::Index,
                baseline: Baseline::Head,
                env: Vec::new(),
            }])
        }
        "pre-push" => push_scopes(git, args, want_files),
        _ => Ok(vec![Scope {
            label: None,
            files: if want_files {
                jobs::index_files(git, index.as_deref())?
            } else {
                Vec::new()
            },
            snapshot: Snapshot::Index(index),
            target: Target::Index,
            baseline: Baseline::None,
            oids: Default::default(),
            env: Vec::new(),
        }]),
    }
}

fn push_scopes(git: &Git, args: &RunArgs, want_files: bool) -> anyhow::Result<Vec<Scope>> {
    let remote = args.args.first().cloned().unwrap_or_else(|| "origin".into());
    let url = args.args.get(1).cloned().unwrap_or_default();
    let stdin = std::io::stdin();
    let lines = if stdin.is_terminal() {
        push::head_line(git).into_iter().collect()
    } else {
        let mut raw = Vec::new();
        stdin
            .lock()
            .read_to_end(&mut raw)
            .context("cannot read pre-push input")?;
        push::parse(&String::from_utf8_lossy(&raw)).map_err(UsageError)?
    };
    let mut seen = BTreeSet::new();
    let mut scopes = Vec::new();
    for line in lines.iter().filter(|l| !l.is_deletion()) {
        let tip = match git.peel(&line.local_oid) {
            jobs::Pushed::Commit(oid) => oid,
            // Only commits have files to check; a tag of a tree or a blob passes.
            jobs::Pushed::NotACommit => continue,
            jobs::Pushed::Missing => {
                anyhow::bail!("pushed object {} is not in this repository", line.local_oid)
            }
        };
        let base = push::baseline(git, &remote, line);
        if !seen.insert((tip.clone(), base.clone(), line.remote_ref.clone())) {
            continue;
        }
        let oid = |hex: &str| git2::Oid::from_str(hex).with_context(|| format!("bad object id {hex}"));
        let short = |hex: &str| hex.chars().take(10).collect::<String>();
        let range = match &base {
            Some(b) => format!("{}..{}", short(b), short(&tip)),
            None => short(&tip),
        };
        scopes.push(Scope {
            label: Some(format!("{} ({range})", line.remote_ref)),
            files: if want_files {
                jobs::commit_files(git, base.as_deref(), &tip)?
            } else {
                Vec::new()
            },
            target: Target::Commit(oid(&tip)?),
            baseline: match &base {
                Some(b) => Baseline::Commit(oid(b)?),
                None => Baseline::None,
            },
            snapshot: Snapshot::Commit(tip.clone()),
            oids: Default::default(),
            env: vec![
                jobs::env_pair("HOOKCTL_PUSH_FROM", base.clone().unwrap_or_default()),
                jobs::env_pair("HOOKCTL_PUSH_TO", tip.clone()),
                jobs::env_pair("HOOKCTL_PUSH_REF", line.remote_ref.clone()),
                jobs::env_pair("HOOKCTL_PUSH_LOCAL_REF", line.local_ref.clone()),
                jobs::env_pair("HOOKCTL_PUSH_REMOTE", remote.clone()),
                jobs::env_pair("HOOKCTL_PUSH_URL", url.clone()),
            ],
        });
    }
    Ok(scopes)
}

/// The custom hook whose run ends with a summary table of every built-in group and job.
pub const PRE_DEPLOY: &str = "pre-deploy";

/// Whether `git/clean` runs in this hook: in `pre-deploy` and `pre-push` unless `checks`
/// leaves `git` out, in another custom hook only when `checks` lists `git`, never while a
/// commit is being made.
fn git_clean_applies(hook: &str, hc: &HookConfig) -> bool {
    if matches!(
        hook,
        "pre-commit" | "pre-merge-commit" | "prepare-commit-msg" | "commit-msg"
    ) {
        return false;
    }
    match &hc.checks {
        Some(groups) => groups.iter().any(|g| g == "git"),
        None => matches!(hook, PRE_DEPLOY | "pre-push"),
    }
}

/// Run the built-in checks on every scope and print the findings once. True when blocking;
/// with the snapshots checked, by target, and (`pre-deploy`) one summary row per built-in
/// group, each group run and timed on its own.
#[allow(clippy::too_many_arguments)]
fn run_checks_on(
    ctx: &Ctx,
    config: &Config,
    hook: &str,
    hc: &HookConfig,
    scopes: &[Scope],
    skip: Vec<String>,
    args: &RunArgs,
) -> anyhow::Result<(bool, Checked, Vec<Row>)> {
    let table = hook == PRE_DEPLOY;
    let configured = hc.checks.clone().unwrap_or_default();
    let groups: Vec<&str> = if configured.is_empty() {
        crate::config::CHECK_GROUPS.to_vec()
    } else {
        crate::config::CHECK_GROUPS
            .iter()
            .copied()
            .filter(|g| configured.iter().any(|c| c == g))
            .collect()
    };
    let skipped = |g: &str| skip.iter().any(|s| s == g);
    // One run of every group, or (table) one run per group, timed.
    let runs: Vec<(Option<&str>, Vec<String>)> = if table {
        groups
            .iter()
            .filter(|g| **g != "git" && !skipped(g))
            .map(|g| (Some(*g), vec![g.to_string()]))
            .collect()
    } else {
        vec![(None, configured.clone())]
    };
    let mut times: Vec<(&str, Duration)> = Vec::new();
    let mut findings: Vec<Finding> = Vec::new();
    let (mut files, mut elapsed, mut too_large) = (0, Duration::ZERO, 0);
    let mut done = BTreeSet::new();
    let mut sources = Vec::new();
    let mut checked = Vec::new();
    let mut notes_seen = BTreeSet::new();
    for (group, run_groups) in &runs {
        for scope in scopes {
            if !done.insert(format!("{group:?} {:?} {:?}", scope.target, scope.baseline)) {
                continue;
            }
            let t0 = Instant::now();
            let outcome = checks::run(
                config,
                &Request {
                    target: scope.target.clone(),
                    baseline: scope.baseline.clone(),
                    groups: run_groups.clone(),
                    skip: skip.clone(),
                    paths: Vec::new(),
                },
            )?;
            if let Some(g) = group {
                times.push((g, t0.elapsed()));
            }
            for note in &outcome.notes {
                if notes_seen.insert(note.clone()) {
                    errln!("hookctl: note: {note}");
                }
            }
            if !checked.iter().any(|(t, _)| *t == scope.target) {
                sources.extend(outcome.snapshot.clone());
                checked.extend(outcome.snapshot.clone().map(|s| (scope.target.clone(), s)));
            }
            // Per-group runs scan the same files: count them once.
            files = if group.is_some() {
                files.max(outcome.files)
            } else {
                files + outcome.files
            };
            too_large = too_large.max(outcome.too_large.len());
            elapsed += outcome.elapsed;
            for f in outcome.findings {
                if !findings.contains(&f) {
                    findings.push(f);
                }
            }
        }
    }
    if hook == PRE_DEPLOY {
        let wanted = groups.contains(&"files")
            && !skip
                .iter()
                .any(|s| s == "files" || s == crate::codes::NODE_VERSION.id);
        if let (true, Some(snap)) = (wanted, sources.first()) {
            let t0 = Instant::now();
            findings.extend(running_node_finding(config, snap));
            times.push(("files", t0.elapsed()));
        }
    }
    let git_clean = git_clean_applies(hook, hc)
        && groups.contains(&"git")
        && !skipped("git")
        && !skipped(crate::codes::GIT_CLEAN.id)
        && config.level(&crate::codes::GIT_CLEAN) != crate::config::Level::Off;
    if git_clean {
        let t0 = Instant::now();
        let (repo, _) = crate::git::discover()?;
        let status = crate::git::status(&repo).context("cannot read `git status` for git/clean")?;
        // In pre-push, `imports/untracked` already reports an import of a file that is not in
        // the pushed commit (new findings only, like every pushed finding): left as it is.
        if hook != "pre-push" {
            crate::rules::git_clean::fold_untracked_imports(config, &mut findings, &status);
        }
        findings.extend(
            crate::rules::git_clean::modified(&status)
                .into_iter()
                .filter_map(|mut f| {
                    f.severity = config.level_at(&crate::codes::GIT_CLEAN, &f.path).severity()?;
                    Some(f)
                }),
        );
        times.push(("git", t0.elapsed()));
        elapsed += t0.elapsed();
    }
    crate::diagnostic::sort(&mut findings);
    let opts = report::Options {
        format: args.format,
        color: crate::output::stdout_color(),
        quiet: ctx.quiet,
        unit: "file",
        ..Default::default()
    };
    let mut summary = Summary::new(files, &findings, elapsed);
    summary.skipped_too_large = too_large;
    let blocking = findings.iter().any(|f| f.severity == Severity::Error);
    crate::output::set_exit(if blocking { Exit::Failure } else { Exit::Success });
    crate::output::with_stdout(|out| report::print(out, &opts, &findings, &summary, &sources));
    let mut rows = Vec::new();
    if table {
        for g in &groups {
            let ran = times.iter().any(|(t, _)| t == g);
            if !ran {
                let why = if skipped(g) || (*g == "git" && skipped(crate::codes::GIT_CLEAN.id)) {
                    "HOOKCTL_SKIP"
                } else {
                    "rule off"
                };
                rows.push(Row::skipped(g.to_string(), RowKind::Check, why));
                continue;
            }
            let time = times.iter().filter(|(t, _)| t == g).map(|(_, d)| *d).sum();
            let (errors, warnings) = findings
                .iter()
                .filter(|f| crate::codes::group(f.rule) == *g)
                .fold((0, 0), |(e, w), f| match f.severity {
                    Severity::Error => (e + 1, w),
                    Severity::Warning => (e, w + 1),
                });
            let detail = match (errors, warnings) {
                (0, 0) => String::new(),
                (e, 0) => plural(e, "error"),
                (0, w) => plural(w, "warning"),
                (e, w) => format!("{}, {}", plural(e, "error"), plural(w, "warning")),
            };
            rows.push(Row {
                item: g.to_string(),
                kind: RowKind::Check,
                status: if errors > 0 {
                    RowStatus::Failed
                } else {
                    RowStatus::Ok
                },
                time: Some(time),
                detail,
            });
        }
    }
    Ok((blocking, checked, rows))
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// One line of `pre-deploy`'s summary table.
#[derive(Debug, Clone)]
struct Row {
    item: String,
    kind: RowKind,
    status: RowStatus,
    /// None when it did not run.
    time: Option<Duration>,
    /// Why it failed or was skipped, in a few words.
    detail: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RowKind {
    Check,
    Job,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RowStatus {
    Ok,
    Failed,
    Skipped,
}

impl Row {
    fn skipped(item: String, kind: RowKind, why: &str) -> Row {
        Row {
            item,
            kind,
            status: RowStatus::Skipped,
            time: None,
            detail: why.to_string(),
        }
    }
}

/// `pre-deploy`: the running `node --version` against the root `engines.node` (a note, and
/// nothing checked, when `node` is not on PATH).
fn running_node_finding(config: &Config, snap: &crate::snapshot::Snapshot) -> Option<Finding> {
    let rule = &crate::codes::NODE_VERSION;
    let severity = config.level_at(rule, "package.json").severity()?;
    let out = match std::process::Command::new("node").arg("--version").output() {
        Ok(out) if out.status.success() => out,
        _ => {
            errln!("hookctl: note: `node` is not on PATH: the running Node version was not checked");
            return None;
        }
    };
    let version = String::from_utf8_lossy(&out.stdout).into_owned();
    let packages = crate::resolve::packages::Packages::load(snap, &mut Vec::new());
    let mut f = crate::rules::node_version::running_node(snap, &packages, &version)?;
    f.severity = severity;
    Some(f)
}

/// The snapshots the built-in checks read, by target.
type Checked = Vec<(Target, std::sync::Arc<crate::snapshot::Snapshot>)>;

#[derive(Default)]
struct Tally {
    passed: usize,
    failed: usize,
    skipped: usize,
    /// `pre-deploy`'s summary table: the built-in groups, then each job as it ends.
    rows: Vec<Row>,
}

/// Plan, check out (for `clean` jobs) and run one scope's jobs. Returns the signal if
/// interrupted; the clean checkouts are gone by the time this returns, whatever happened.
#[allow(clippy::too_many_arguments)]
fn run_jobs(
    ui: &Ui,
    git: &Git,
    hook: &str,
    hc: &HookConfig,
    scope: &Scope,
    graph: Option<&jobs::graph::Graph>,
    skip: &[String],
    args: &RunArgs,
    tally: &mut Tally,
) -> anyhow::Result<Option<i32>> {
    let mut runnable = Vec::new();
    for job in &hc.jobs {
        if skip.contains(&job.name) {
            ui.skipped(&job.name, "HOOKCTL_SKIP");
            tally.skipped += 1;
            tally
                .rows
                .push(Row::skipped(job.name.clone(), RowKind::Job, "HOOKCTL_SKIP"));
            continue;
        }
        let glob_root = job.root.as_deref().is_some_and(plan::is_glob_root);
        let inputs = plan::Inputs {
            files: &scope.files,
            graph,
        };
        for p in plan::plan_runs_with(job, inputs, &args.args).map_err(UsageError)? {
            match p {
                plan::Plan::Skip(why) => {
                    ui.skipped(&job.name, &why);
                    tally.skipped += 1;
                    tally
                        .rows
                        .push(Row::skipped(job.name.clone(), RowKind::Job, &why));
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
        Snapshot::Index(index) if !git.bare && runnable.iter().any(|(j, ..)| !j.clean) => {
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
    let guard = staged::Guard::take(&git.root, &partial);
    let mut view: Option<staged::View> = None;
    // One checkout per distinct `link` setting, shared by the jobs that use it.
    let mut checkouts: Vec<(Option<Vec<String>>, clean::CleanDir)> = Vec::new();
    let mut specs = Vec::new();
    let mut fail_texts = Vec::new();
    let mut placed = Vec::new();
    for (job, name, dir, commands, files) in runnable {
        let in_view = !job.clean && files.iter().any(|f| partial.contains(f));
        let base = if job.clean {
            let pos = match checkouts.iter().position(|(l, _)| *l == job.link) {
                Some(p) => p,
                None => {
                    let c = clean::materialize(git, &scope.snapshot, job.link.as_deref())
                        .context("cannot make the clean checkout")?;
                    checkouts.push((job.link.clone(), c));
                    checkouts.len() - 1
                }
            };
            checkouts[pos].1.tree.clone()
        } else if in_view {
            if view.is_none() {
                let index = index.flatten();
                view =
                    Some(staged::View::create(git, index, &partial).context("cannot make the staged view")?);
            }
            view.as_ref().map_or_else(|| git.root.clone(), |v| v.tree.clone())
        } else {
            git.root.clone()
        };
        if let Some(sig) = exec::interrupted() {
            return Ok(Some(sig));
        }
        let mut env = vec![jobs::env_pair("HOOKCTL_HOOK", hook)];
        if ui.color {
            // hookctl's own output is a colour terminal: jobs, whose output is captured by a
            // pipe, would otherwise print without colour.
            env.push(jobs::env_pair("FORCE_COLOR", "1"));
            env.push(jobs::env_pair("CLICOLOR_FORCE", "1"));
        }
        if in_view {
            // git in the view acts on the real repository, never on the view as a work tree.
            env.push(jobs::env_pair("GIT_DIR", &git.git_dir));
            env.push(jobs::env_pair("GIT_WORK_TREE", &git.root));
        }
        env.extend(scope.env.iter().cloned());
        env.extend(job.env.iter().map(|(k, v)| jobs::env_pair(k, v)));
        specs.push(Spec {
            name,
            dir: base.join(dir),
            commands,
            env,
            timeout: job.timeout.map(|t| t.0),
            state: Some(state_dir(git)),
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
        std::thread::available_parallelism().map_or(2, |n| n.get())
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
        });
    }
    drop(checkouts);
    // Whatever happened (failure, timeout, interrupt), the user's unstaged edits are put back
    // if a job rewrote them, and what jobs changed is either staged (stage_fixed) or reported.
    if let Some(index) = index {
        let rewritten = guard.restore_changed(&git.root);
        let mut refused: Vec<(PathBuf, Vec<&str>)> = Vec::new();
        if let Some(v) = &view {
            v.copy_back_replaced(&git.root);
            for f in v.changed_staged() {
                refused.push((
                    f.clone(),
                    placed
                        .iter()
                        .filter(|p| p.in_view && p.files.contains(&f))
                        .map(|p| p.job.name.as_str())
                        .collect(),
                ));
            }
        }
        for f in rewritten {
            if !refused.iter().any(|(r, _)| *r == f) {
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
        drop(view);
        let changed = if signal.is_some() {
            Vec::new()
        } else {
            staged::changed_by_jobs(git, index, &scope.files, &probe, &partial)?
        };
        let mut to_stage = Vec::new();
        let mut unstaged_fixes: Vec<(PathBuf, Vec<&str>)> = Vec::new();
        for f in &changed {
            let owners: Vec<&Placed> = placed
                .iter()
                .filter(|p| !p.job.clean && p.files.contains(f))
                .collect();
            if owners.iter().any(|p| p.job.stage_fixed) {
                to_stage.push(f.clone());
            } else {
                unstaged_fixes.push((f.clone(), owners.iter().map(|p| p.job.name.as_str()).collect()));
            }
        }
        if !to_stage.is_empty() {
            let mut add: Vec<OsString> = vec!["add".into(), "--".into()];
            add.extend(to_stage.iter().map(|f| {
                let mut spec = OsString::from(":(literal)");
                spec.push(f);
                spec
            }));
            let add: Vec<&std::ffi::OsStr> = add.iter().map(OsString::as_os_str).collect();
            git.output(&add, index).context("cannot stage the fixed files")?;
        }
        tally.failed += ui.fixes(&to_stage, &unstaged_fixes, &refused);
    }
    Ok(signal)
}

/// A job as it was run: where, and with which files.
struct Placed<'a> {
    job: &'a crate::config::JobConfig,
    files: Vec<PathBuf>,
    in_view: bool,
}

/// How job results look on stderr.
struct Ui {
    color: bool,
    quiet: bool,
    utf8: bool,
    /// stderr is a terminal: a status line is redrawn in place.
    tty: bool,
    /// Without a terminal, a `still running` line per job every this often.
    every: Duration,
    /// When the status line was last drawn (terminal), and whether one is shown.
    drawn: std::cell::Cell<Option<Instant>>,
    shown: std::cell::Cell<bool>,
    /// Without a terminal: how many `still running` lines each job has had.
    reported: std::cell::RefCell<std::collections::HashMap<String, u64>>,
}

impl Ui {
    fn new(ctx: &Ctx) -> Ui {
        let locale = ["LC_ALL", "LC_CTYPE", "LANG"]
            .iter()
            .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
            .unwrap_or_default()
            .to_lowercase();
        // `HOOKCTL_PROGRESS_SECS`: the `still running` interval (default 30 s), for slow CI
        // logs and for tests.
        let every = std::env::var("HOOKCTL_PROGRESS_SECS")
            .ok()
            .and_then(|v| v.parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s > 0.0)
            .map_or(Duration::from_secs(30), Duration::from_secs_f64);
        Ui {
            color: ctx.color,
            quiet: ctx.quiet,
            utf8: locale.contains("utf-8") || locale.contains("utf8"),
            tty: std::io::stderr().is_terminal() && std::env::var_os("TERM").is_none_or(|t| t != "dumb"),
            every,
            drawn: std::cell::Cell::new(None),
            shown: std::cell::Cell::new(false),
            reported: Default::default(),
        }
    }

    /// Live progress (called about every 10 ms while jobs run): on a terminal, one status line
    /// redrawn in place every 100 ms; otherwise a `still running: <job> (30s)` line per job
    /// every 30 s. Nothing while an interactive job owns the terminal.
    fn progress(&self, running: &[exec::Progress]) {
        if running.iter().any(|r| r.interactive) {
            self.clear_status();
            return;
        }
        let mut out = String::new();
        if self.tty {
            if self
                .drawn
                .get()
                .is_some_and(|t| t.elapsed() < Duration::from_millis(100))
            {
                return;
            }
            self.drawn.set(Some(Instant::now()));
            let jobs: Vec<String> = running
                .iter()
                .map(|r| format!("{} ({}s)", r.name, r.elapsed.as_secs()))
                .collect();
            let mut line = format!("running: {}", jobs.join(", "));
            let width = terminal_width().saturating_sub(1).max(20);
            if line.chars().count() > width {
                line = line.chars().take(width.saturating_sub(1)).collect::<String>() + "…";
            }
            out = format!("\r\x1b[2K{}", self.paint("2", &line));
            self.shown.set(true);
        } else if !self.quiet {
            let mut reported = self.reported.borrow_mut();
            for r in running {
                let due = (r.elapsed.as_secs_f64() / self.every.as_secs_f64()) as u64;
                let done = reported.entry(r.name.to_string()).or_insert(0);
                if due > *done {
                    *done = due;
                    out.push_str(&format!(
                        "hookctl: still running: {} ({}s)\n",
                        r.name,
                        r.elapsed.as_secs()
                    ));
                }
            }
        }
        if !out.is_empty() {
            crate::output::write_err(format_args!("{out}"));
        }
    }

    /// Erase the status line, if one is shown, before other output.
    fn clear_status(&self) {
        if self.shown.replace(false) {
            crate::output::write_err(format_args!("\r\x1b[2K"));
        }
    }

    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn red(&self, s: &str) -> String {
        self.paint("1;31", s)
    }
    fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }

    fn skipped(&self, name: &str, why: &str) {
        if !self.quiet {
            let mark = if self.utf8 { "○" } else { "-" };
            errln!("{}", self.paint("2", &format!("{mark} {name}: skipped ({why})")));
        }
    }

    fn finished(&self, spec: &Spec, done: &Done, fail_text: Option<&str>) {
        let (pass, fail) = if self.utf8 { ("✔", "✘") } else { ("ok", "FAIL") };
        let time = seconds(done.elapsed);
        let failed = done.status.is_failure();
        let header = match &done.status {
            Status::Passed => self.paint("32", &format!("{pass} {} ({time})", spec.name)),
            Status::Failed(why) => self.red(&format!("{fail} {} ({time}): {why}", spec.name)),
            Status::TimedOut(t) => {
                self.red(&format!("{fail} {}: timed out after {}", spec.name, seconds(*t)))
            }
            Status::Cancelled => self.paint("2", &format!("- {}: cancelled (fail_fast)", spec.name)),
            Status::Interrupted => self.red(&format!("{fail} {}: interrupted", spec.name)),
            Status::SpawnError(e) => self.red(&format!(
                "{fail} {}: cannot start in {}: {e}",
                spec.name,
                spec.dir.display()
            )),
        };
        if self.quiet && !failed {
            return;
        }
        // Built in memory and written in large pieces: stderr is unbuffered, and a line per
        // write made a job's 2 MiB of output take minutes on a slow terminal. Between pieces a
        // signal stops the printing, so Ctrl-C is honoured here too.
        let mut text = Vec::with_capacity(done.output.len() * 2 + 256);
        let _ = writeln!(text, "{header}");
        if failed || !self.quiet {
            let bar = if self.utf8 { "│" } else { "|" };
            for line in String::from_utf8_lossy(&done.output).lines() {
                let _ = writeln!(text, "  {bar} {line}");
            }
        }
        if failed && let Some(t) = fail_text {
            let _ = writeln!(text, "  hint: {t}");
        }
        crate::output::write_err_bytes(&text, PRINT_CHUNK, || exec::interrupted().is_some());
    }
}

impl Ui {
    /// `pre-deploy`'s one summary table (item, status, time) and the verdict naming each
    /// failed item.
    fn table(&self, hook: &str, rows: &[Row]) {
        if rows.is_empty() {
            return;
        }
        let width = rows.iter().map(|r| r.item.len()).max().unwrap_or(4).max(4);
        let mut text = String::new();
        text.push_str(&self.bold(&format!("hookctl: {hook} summary")));
        text.push('\n');
        text.push_str(&format!(
            "  {:<width$}  {:<8}  {:<7}  {:>8}  detail\n",
            "item", "kind", "status", "time"
        ));
        for r in rows {
            let kind = match r.kind {
                RowKind::Check => "built-in",
                RowKind::Job => "job",
            };
            let status = match r.status {
                RowStatus::Ok => self.paint("32", &format!("{:<7}", "ok")),
                RowStatus::Failed => self.red(&format!("{:<7}", "failed")),
                RowStatus::Skipped => self.paint("2", &format!("{:<7}", "skipped")),
            };
            let time = r.time.map_or_else(|| "-".to_string(), seconds);
            let line = format!(
                "  {:<width$}  {kind:<8}  {status}  {time:>8}  {}",
                r.item, r.detail
            );
            text.push_str(line.trim_end());
            text.push('\n');
        }
        let failed: Vec<&str> = rows
            .iter()
            .filter(|r| r.status == RowStatus::Failed)
            .map(|r| r.item.as_str())
            .collect();
        let skipped = rows.iter().filter(|r| r.status == RowStatus::Skipped).count();
        let verdict = if failed.is_empty() {
            let ok = rows.len() - skipped;
            self.bold(&format!(
                "hookctl: {hook}: ready ({} ok{})",
                ok,
                if skipped > 0 {
                    format!(", {skipped} skipped")
                } else {
                    String::new()
                }
            ))
        } else {
            self.red(&format!(
                "hookctl: {hook}: not ready: {} failed: {}",
                failed.len(),
                failed.join(", ")
            ))
        };
        text.push_str(&verdict);
        text.push('\n');
        crate::output::write_err(format_args!("{text}"));
    }

    /// What jobs changed in staged files: re-staged, or failures naming the files and what to
    /// do. Returns the number of failures.
    fn fixes(
        &self,
        staged: &[PathBuf],
        unstaged: &[(PathBuf, Vec<&str>)],
        refused: &[(PathBuf, Vec<&str>)],
    ) -> usize {
        let fail = if self.utf8 { "✘" } else { "FAIL" };
        let by = |jobs: &[&str]| match jobs {
            [] => "a job".to_string(),
            [one] => format!("job `{one}`"),
            many => format!("jobs `{}`", many.join("`, `")),
        };
        let mut text = String::new();
        if !staged.is_empty() && !self.quiet {
            let list: Vec<String> = staged.iter().map(|f| format!("`{}`", f.display())).collect();
            text.push_str(&format!(
                "hookctl: re-staged what stage_fixed jobs fixed: {}\n",
                list.join(", ")
            ));
        }
        if !unstaged.is_empty() {
            let list: Vec<String> = unstaged
                .iter()
                .map(|(f, _)| format!("`{}`", f.display()))
                .collect();
            let mut jobs: Vec<&str> = unstaged.iter().flat_map(|(_, j)| j.iter().copied()).collect();
            jobs.sort_unstable();
            jobs.dedup();
            text.push_str(&self.red(&format!(
                "{fail} {} changed staged files, and the commit would not include the change: {}",
                by(&jobs),
                list.join(", ")
            )));
            let paths: Vec<String> = unstaged
                .iter()
                .map(|(f, _)| {
                    String::from_utf8_lossy(&plan::quote(f.as_os_str().as_encoded_bytes())).into_owned()
                })
                .collect();
            text.push_str(&format!(
                "\n  hint: review and stage the change (`git add {}`) and commit again, or set `stage_fixed = true` on the job\n",
                paths.join(" ")
            ));
        }
        for (f, jobs) in refused {
            let q = String::from_utf8_lossy(&plan::quote(f.as_os_str().as_encoded_bytes())).into_owned();
            text.push_str(&self.red(&format!(
                "{fail} {} changed `{}`, which has unstaged edits: the change was not applied and nothing was merged into your edits",
                by(jobs),
                f.display()
            )));
            text.push_str(&format!(
                "\n  hint: stage the whole file (`git add {q}`) and commit again, or run the fixer by hand and stage its result with `git add -p {q}`\n"
            ));
        }
        if !text.is_empty() {
            crate::output::write_err(format_args!("{text}"));
        }
        usize::from(!unstaged.is_empty()) + refused.len()
    }
}

/// Columns of the terminal on stderr (80 when unknown).
fn terminal_width() -> usize {
    terminal_size::terminal_size_of(std::io::stderr())
        .map(|(w, _)| usize::from(w.0))
        .filter(|w| *w > 0)
        .unwrap_or(80)
}

/// One write of job output to stderr.
const PRINT_CHUNK: usize = 64 * 1024;

fn seconds(d: Duration) -> String {
    format!("{:.2}s", d.as_secs_f64())
}
