//! The built-in checks of a hook run: one engine request per scope (and, in `pre-deploy`, one
//! per check group, each timed for the summary table), the findings printed once.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use crate::checks::{self, GitClean, Local, Request, Target};
use crate::cli::RunArgs;
use crate::config::{Config, HookConfig};
use crate::diagnostic::{Finding, Severity};
use crate::report::{self, Summary};
use crate::{Ctx, Exit};

use super::PRE_DEPLOY;
use super::scope::HookScope;
use super::summary::{Row, RowKind, RowStatus, plural};

/// Whether `git/clean` runs in this hook: in `pre-deploy` and `pre-push` unless `checks`
/// leaves `git` out, in another custom hook only when `checks` lists `git`, never while a
/// commit is being made.
pub(super) fn git_clean_applies(hook: &str, hc: &HookConfig) -> bool {
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

/// Run the built-in checks on every scope. True when blocking; with the snapshots checked, by
/// target, (`pre-deploy`) one summary row per built-in group, each group run and timed on its
/// own, and what to print ([`Report`]).
#[expect(
    clippy::too_many_arguments,
    reason = "the hook scope and its printing options, each used once"
)]
pub(super) fn run_checks_on(
    ctx: &Ctx,
    config: &Config,
    hook: &str,
    hc: &HookConfig,
    scopes: &[HookScope],
    skip: Vec<String>,
    args: &RunArgs,
    // `--package`: only findings under these folders are reported.
    only: &[String],
    placed: &Placement,
) -> anyhow::Result<(bool, Checked, Vec<Row>, Report)> {
    let table = hook == PRE_DEPLOY;
    let configured = placed.root.clone().unwrap_or_default();
    // The root's part does not run here: only the packages' folders that do.
    let only: Vec<String> = match &placed.root {
        Some(_) => only.to_vec(),
        None => placed
            .folders
            .iter()
            .filter(|(_, g)| g.is_some())
            .map(|(f, _)| f.clone())
            .collect(),
    };
    // The groups the root's part runs here, and (`pre-deploy`'s rows) those a package's
    // `checks` adds for its files: nearest wins, as in the other hooks.
    let root_runs =
        |g: &str| placed.root.is_none() || configured.is_empty() || configured.iter().any(|c| c == g);
    let groups: Vec<&str> = crate::config::CHECK_GROUPS
        .iter()
        .copied()
        // `git/clean` checks this machine once, with the root's table.
        .filter(|g| root_runs(g) || *g != "git" && placed.folder_lists(g))
        .collect();
    let runs = if table {
        group_runs(config, &groups, &skip)
    } else {
        vec![(None, configured.clone())]
    };
    let local = if placed.root.is_some() {
        local_checks(hook, hc, args)
    } else {
        Local::default()
    };
    let engine = Engine {
        config,
        scopes,
        skip: &skip,
        only: &only,
        local: &local,
        placed,
    };
    let (totals, times) = engine.run(&runs, &root_runs)?;
    let Totals {
        mut findings,
        files,
        elapsed,
        too_large,
        changed,
        sources,
        checked,
    } = totals;
    crate::diagnostic::sort(&mut findings);
    let (files, unit) = checked_unit(&local, &configured, &checked, scopes, changed, files);
    let opts = report::Options {
        format: args.format,
        color: crate::output::stdout_color(),
        quiet: ctx.quiet,
        unit,
        ..Default::default()
    };
    let mut summary = Summary::new(files, &findings, elapsed);
    summary.skipped_too_large = too_large;
    let blocking = findings.iter().any(|f| f.severity == Severity::Error);
    let rows = if table {
        group_rows(&groups, &times, &findings, &skip)
    } else {
        Vec::new()
    };
    let report = Report {
        findings,
        summary,
        opts,
        sources,
    };
    Ok((blocking, checked, rows, report))
}

/// What one placement of the built-in checks prints: its findings and the summary line.
/// A hook whose checks run both before and after the jobs (a package's `checks_order =
/// "last"`) prints each half's findings when they are found and one summary line, of the
/// whole commit, at the end ([`Report::hold`], [`Report::then`]).
pub(super) struct Report {
    findings: Vec<Finding>,
    summary: Summary,
    opts: report::Options,
    sources: Vec<std::sync::Arc<crate::snapshot::Snapshot>>,
}

impl Report {
    /// Print the findings and the summary.
    pub(super) fn print(&self) {
        let blocking = self.summary.errors > 0;
        crate::output::set_exit(if blocking { Exit::Failure } else { Exit::Success });
        crate::output::with_stdout(|out| {
            report::print(out, &self.opts, &self.findings, &self.summary, &self.sources)
        });
    }

    /// The first half of a hook's checks: its findings are printed now (a human reads them
    /// before the jobs run), its summary waits for the second half; a machine format waits
    /// whole (one document).
    pub(super) fn hold(self) -> Report {
        if self.opts.format == crate::cli::Format::Human {
            let opts = report::Options {
                findings_only: true,
                ..self.opts.clone()
            };
            crate::output::set_exit(if self.summary.errors > 0 {
                Exit::Failure
            } else {
                Exit::Success
            });
            crate::output::with_stdout(|out| {
                report::print(out, &opts, &self.findings, &self.summary, &self.sources)
            });
        }
        self
    }

    /// The held first half (`self`, see [`Report::hold`]) followed by `later`: one summary of
    /// both (the same staged files are checked by each half: counted once); the human format
    /// prints only `later`'s findings, which the held half did not print.
    pub(super) fn then(self, later: Report) -> Report {
        let human = self.opts.format == crate::cli::Format::Human;
        let mut findings = if human { Vec::new() } else { self.findings };
        findings.extend(later.findings);
        let (a, b) = (self.summary, later.summary);
        let summary = Summary {
            files: a.files.max(b.files),
            errors: a.errors + b.errors,
            warnings: a.warnings + b.warnings,
            elapsed_ms: a.elapsed_ms + b.elapsed_ms,
            new: a.new.zip(b.new).map(|(x, y)| x + y),
            skipped_too_large: a.skipped_too_large.max(b.skipped_too_large),
            details: a.details,
        };
        let mut sources = self.sources;
        sources.extend(later.sources);
        // `--quiet` prints the line when something was found, in either half.
        let quiet = later.opts.quiet && a.errors + a.warnings == 0;
        Report {
            findings,
            summary,
            opts: report::Options { quiet, ..later.opts },
            sources,
        }
    }

    /// The held half alone (the half placed last did not run): its summary line, or the whole
    /// document of a machine format.
    pub(super) fn flush(self) {
        let human = self.opts.format == crate::cli::Format::Human;
        Report {
            findings: if human { Vec::new() } else { self.findings },
            ..self
        }
        .print();
    }
}

/// Where the built-in checks of a hook run go, at one place of the run (before or after the
/// jobs: each part's `checks_order`): the root's check groups (`None`: the root's part does not
/// run here) and each package part's (`None`: not here, or skipped).
#[derive(Debug, Clone, Default)]
pub(super) struct Placement {
    pub(super) root: Option<Vec<String>>,
    pub(super) folders: Vec<(String, Option<Vec<String>>)>,
}

impl Placement {
    /// Whether anything is checked here.
    pub(super) fn any(&self) -> bool {
        self.root.is_some() || self.folders.iter().any(|(_, g)| g.is_some())
    }

    /// Whether some package part here runs check group `g` (its `checks` list it, or list
    /// nothing: every group).
    fn folder_lists(&self, g: &str) -> bool {
        self.folders.iter().any(|(_, l)| {
            l.as_ref()
                .is_some_and(|l| l.is_empty() || l.iter().any(|x| x == g))
        })
    }

    /// The packages' groups for one engine request: `pre-deploy`'s run of `group` runs it
    /// only where the package's `checks` list it.
    fn folder_groups(&self, group: Option<&str>) -> Vec<(String, Option<Vec<String>>)> {
        self.folders
            .iter()
            .map(|(f, groups)| {
                let groups = match (groups, group) {
                    (Some(list), Some(g)) if list.is_empty() || list.iter().any(|x| x == g) => {
                        Some(vec![g.to_string()])
                    }
                    (_, Some(_)) => None,
                    (groups, None) => groups.clone(),
                };
                (f.clone(), groups)
            })
            .collect()
    }
}

/// What every engine request of one placement shares.
struct Engine<'a> {
    config: &'a Config,
    scopes: &'a [HookScope],
    skip: &'a [String],
    /// Only findings under these folders are reported (`--package`; the packages' folders
    /// when the root's part does not run here).
    only: &'a [String],
    local: &'a Local,
    placed: &'a Placement,
}

impl Engine<'_> {
    /// The engine on every scope, once per run of `runs` (a group and the groups it asks
    /// for); the notes printed once. A group the root's part does not run (`root_runs`: a
    /// package's `checks` adds it in `pre-deploy`) is run on the folders of the packages that
    /// list it only, without the machine's checks. Returns the totals and each group's time.
    fn run<'g>(
        &self,
        runs: &[(Option<&'g str>, Vec<String>)],
        root_runs: &dyn Fn(&str) -> bool,
    ) -> anyhow::Result<(Totals, Vec<(&'g str, Duration)>)> {
        let mut times: Vec<(&str, Duration)> = Vec::new();
        let mut totals = Totals {
            changed: Some(0),
            ..Totals::default()
        };
        let mut done = BTreeSet::new();
        let mut notes_seen = BTreeSet::new();
        for (group, run_groups) in runs {
            let folder_groups = self.placed.folder_groups(*group);
            let (paths, local) = match group {
                Some(g) if !root_runs(g) => {
                    let folders = folder_groups
                        .iter()
                        .filter(|(_, l)| l.is_some())
                        .map(|(f, _)| f.clone())
                        .collect();
                    (folders, Local::default())
                }
                _ => (self.only.to_vec(), self.local.clone()),
            };
            for (i, scope) in self.scopes.iter().enumerate() {
                if !done.insert(format!("{group:?} {:?} {:?}", scope.target, scope.baseline)) {
                    continue;
                }
                let t0 = Instant::now();
                let outcome = checks::run(
                    self.config,
                    &Request {
                        target: scope.target.clone(),
                        baseline: scope.baseline.clone(),
                        groups: run_groups.clone(),
                        skip: self.skip.to_vec(),
                        paths: paths.clone(),
                        folder_groups: folder_groups.clone(),
                        // The machine's state is checked once per run, with the first scope.
                        local: if i == 0 { local.clone() } else { Local::default() },
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
                totals.add(group.is_some(), &scope.target, outcome);
            }
        }
        Ok((totals, times))
    }
}

/// `pre-deploy`: one run per group, each timed for its row; the groups skipped
/// (`HOOKCTL_SKIP`, `git/clean` off) and the commit message (no item of a deploy) left out.
fn group_runs<'g>(
    config: &Config,
    groups: &[&'g str],
    skip: &[String],
) -> Vec<(Option<&'g str>, Vec<String>)> {
    let skipped = |g: &str| skip.iter().any(|s| s == g);
    groups
        .iter()
        .filter(|g| {
            !skipped(g)
                && **g != super::COMMIT_MSG
                && !(**g == "git"
                    && (skipped(crate::codes::GIT_CLEAN.id)
                        || config.level(&crate::codes::GIT_CLEAN) == crate::config::Level::Off))
        })
        .map(|g| (Some(*g), vec![g.to_string()]))
        .collect()
}

/// The machine's state a hook checks besides the snapshot: `git/clean`, the running node
/// (`pre-deploy`), the commit message (`commit-msg`).
fn local_checks(hook: &str, hc: &HookConfig, args: &RunArgs) -> Local {
    Local {
        git_clean: GitClean {
            modified: git_clean_applies(hook, hc),
            // In pre-push, `imports/untracked` already reports an import of a file that is not
            // in the pushed commit (new findings only, like every pushed finding).
            fold_untracked_imports: git_clean_applies(hook, hc) && hook != "pre-push",
        },
        running_node: hook == PRE_DEPLOY,
        // git runs `commit-msg` at the top level with the message file's path (relative to it).
        commit_message: (hook == super::COMMIT_MSG)
            .then(|| args.args.first().map(std::path::PathBuf::from))
            .flatten(),
    }
}

/// What the summary says was checked: the commit message, the staged or changed files when
/// only those were analysed, else the files read.
fn checked_unit(
    local: &Local,
    configured: &[String],
    checked: &Checked,
    scopes: &[HookScope],
    changed: Option<usize>,
    files: usize,
) -> (usize, &'static str) {
    // "10 staged files checked", not the count of source files among them (a commit of
    // Markdown files is checked too: secrets, env files).
    match changed {
        // `commit-msg` checks the message, not files.
        _ if local.commit_message.is_some() && configured.iter().all(|g| g == super::COMMIT_MSG) => {
            (1, "commit message")
        }
        Some(n) if !checked.is_empty() => (
            n,
            if scopes.iter().all(|s| s.target == Target::Index) {
                "staged file"
            } else {
                "changed file"
            },
        ),
        _ => (files, "file"),
    }
}

/// `pre-deploy`'s rows of the built-in groups: each group's time and its errors and
/// warnings, or why it was skipped.
fn group_rows(
    groups: &[&str],
    times: &[(&str, Duration)],
    findings: &[Finding],
    skip: &[String],
) -> Vec<Row> {
    let skipped = |g: &str| skip.iter().any(|s| s == g);
    let mut rows = Vec::new();
    // The commit message is no item of a deploy.
    for g in groups.iter().filter(|g| **g != super::COMMIT_MSG) {
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
        let (errors, warnings) =
            findings
                .iter()
                .filter(|f| f.rule.group() == *g)
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
            group: None,
        });
    }
    rows
}

/// What the engine's runs of one hook add up to.
#[derive(Default)]
struct Totals {
    findings: Vec<Finding>,
    /// Files read (per-group runs scan the same files: counted once).
    files: usize,
    elapsed: Duration,
    too_large: usize,
    /// The paths the hook's snapshots change (staged files, pushed changes), when only those
    /// were analysed: what the summary says was checked.
    changed: Option<usize>,
    sources: Vec<std::sync::Arc<crate::snapshot::Snapshot>>,
    checked: Checked,
}

impl Totals {
    /// Add one run of the engine on `target` (`per_group`: one of `pre-deploy`'s runs per
    /// group); its findings once each.
    fn add(&mut self, per_group: bool, target: &Target, outcome: checks::Outcome) {
        if !self.checked.iter().any(|(t, _)| t == target) {
            self.sources.extend(outcome.snapshot.clone());
            self.checked
                .extend(outcome.snapshot.clone().map(|s| (target.clone(), s)));
        }
        // Per-group runs scan the same files: count them once.
        self.files = if per_group {
            self.files.max(outcome.files)
        } else {
            self.files + outcome.files
        };
        self.changed = match (self.changed, outcome.changed) {
            (Some(total), Some(n)) if per_group => Some(total.max(n)),
            (Some(total), Some(n)) => Some(total + n),
            _ => None,
        };
        self.too_large = self.too_large.max(outcome.too_large.len());
        self.elapsed += outcome.elapsed;
        for f in outcome.findings {
            if !self.findings.contains(&f) {
                self.findings.push(f);
            }
        }
    }
}

/// The snapshots the built-in checks read, by target.
pub(super) type Checked = Vec<(Target, std::sync::Arc<crate::snapshot::Snapshot>)>;
