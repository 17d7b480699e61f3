//! The built-in checks: snapshot -> scan -> resolve -> rules, then "new findings only"
//! against a baseline.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use rayon::prelude::*;

use crate::cache::FactsCache;
use crate::config::Config;
use crate::diagnostic::{self, Finding};
use crate::resolve::clean::{self, CleanSet};
use crate::resolve::{Resolver, Verdict};
use crate::rules;
use crate::scan::{self, Facts, FileKind, ScanOptions};
use crate::snapshot::{self, Snapshot};
use crate::timings::{self, Mark};

/// What to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The index git is about to commit (`$GIT_INDEX_FILE` when set).
    Index,
    /// A commit's tree.
    Commit(git2::Oid),
    /// Tracked plus untracked-not-ignored files on disk.
    Worktree,
}

impl Target {
    /// The snapshot this target names.
    pub fn open(
        &self,
        repo: git2::Repository,
        paths: &snapshot::RepoPaths,
    ) -> Result<Snapshot, snapshot::Error> {
        match self {
            Target::Index => Snapshot::index(repo, paths),
            Target::Commit(oid) => Snapshot::commit(repo, paths, *oid),
            Target::Worktree => Snapshot::worktree(repo, paths),
        }
    }
}

/// What to compare against for "new findings only".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Baseline {
    /// Report every finding.
    None,
    /// Report findings this commit's tree does not have (HEAD for pre-commit; the remote's old
    /// tip or the merge base for pre-push).
    Commit(git2::Oid),
    /// HEAD, if the repository has one (an unborn HEAD means no baseline).
    Head,
}

#[derive(Debug, Clone)]
pub struct Request {
    pub target: Target,
    pub baseline: Baseline,
    /// Check groups to run (`imports`, `files`, `env`, `secrets`); empty = all.
    pub groups: Vec<String>,
    /// Rule ids or groups to skip (`HOOKCTL_SKIP`).
    pub skip: Vec<String>,
    /// Only report findings under these repo-relative paths (empty = everywhere).
    pub paths: Vec<String>,
    /// Check groups of the files under a folder (a workspace package's hook `checks`, nearest
    /// wins) instead of `groups`; `None`: no check there (the package's part of the hook is
    /// skipped, or placed elsewhere by its `checks_order`).
    pub folder_groups: Vec<(String, Option<Vec<String>>)>,
    /// Checks of this machine's state rather than of the snapshot (`git/clean`, the running
    /// Node), which some hooks ask for.
    pub local: Local,
}

/// The checks of a [`Request`] that read this machine, not the snapshot. They run after the
/// baseline comparison: the state of the work tree or of `node` has no baseline.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Local {
    /// `git/clean`: what of it this request runs.
    pub git_clean: GitClean,
    /// `node/version` against the running `node --version` (`pre-deploy`, group `files`).
    pub running_node: bool,
    /// `commit/message` (group `commit-msg`): the message file git gives the `commit-msg` hook.
    pub commit_message: Option<PathBuf>,
}

/// The two halves of `git/clean`, which `pre-deploy` runs in different requests (one per
/// check group, each timed).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GitClean {
    /// Uncommitted changes to tracked files (runs with group `git`).
    pub modified: bool,
    /// The `imports/untracked` findings of this request whose target `git status` lists as
    /// untracked become `git/clean` findings (runs with group `imports`; `pre-deploy` only: in
    /// `pre-push` the pushed commit's own `imports/untracked` says it).
    pub fold_untracked_imports: bool,
}

/// Whether `req` runs the check group `group` (`checks = [...]` and `HOOKCTL_SKIP`).
fn group_enabled(req: &Request, group: &str) -> bool {
    (req.groups.is_empty() || req.groups.iter().any(|g| g == group)) && !req.skip.iter().any(|s| s == group)
}

/// The groups whose rules read the snapshot; a request for none of them scans nothing.
const SNAPSHOT_GROUPS: &[&str] = &["imports", "files", "env", "secrets", "deps"];

#[derive(Debug, Default)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    /// Source files scanned.
    pub files: usize,
    /// Source files skipped for being larger than `[scan] max_file_size`.
    pub too_large: Vec<String>,
    /// Source files skipped for holding binary data (a NUL byte near the start; `--verbose`).
    pub binary: Vec<String>,
    /// Source files whose facts came from the cache (`--verbose`).
    pub cache_hits: usize,
    /// Source files whose facts came from the team's remote cache (`--verbose`).
    pub remote_hits: usize,
    /// Imports of generated files (git-ignored by design) not reported (`--verbose`).
    pub generated_silenced: usize,
    pub elapsed: Duration,
    /// Warnings about hookctl's own inputs (e.g. a tsconfig `extends` from an uninstalled package).
    pub notes: Vec<String>,
    /// The checked snapshot, for showing source lines.
    pub snapshot: Option<Arc<Snapshot>>,
    /// When only what differs from the baseline was analysed (a hook's new findings): how
    /// many paths differ (the staged files of a commit, the changed files of a push).
    pub changed: Option<usize>,
    /// The pass's large structures, kept for the caller to leave to the process's exit.
    pub kept: Option<Kept>,
}

/// What an engine pass built that is not needed once it has its findings: the resolver (its
/// caches hold every path probed) and every file's facts. Freeing them piece by piece was about
/// half a percent of a cold full check; `hookctl check` leaves them to the process's exit, as
/// a hook leaves its snapshots (`std::mem::forget`), and a pass followed by another drops them.
pub struct Kept {
    _resolver: Resolver,
    _files: Vec<(String, Facts)>,
}

impl std::fmt::Debug for Kept {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Kept")
    }
}

impl crate::report::Sources for Outcome {
    fn source(&self, path: &str) -> Option<std::borrow::Cow<'_, [u8]>> {
        let snap = self.snapshot.as_ref()?;
        snap.is_file(path)
            .then(|| snap.read(path).ok().map(std::borrow::Cow::Owned))?
    }
}

/// Run the built-in checks. Errors are hookctl's own failures (not a repo, unreadable index),
/// never findings.
pub fn run(config: &Config, req: &Request) -> anyhow::Result<Outcome> {
    by_scope(config, req, false)
}

/// Every finding of the snapshot, each marked `new` when the baseline lacks it (`hookctl check`
/// by hand), instead of only the new ones (hooks).
pub fn run_marked(config: &Config, req: &Request) -> anyhow::Result<Outcome> {
    by_scope(config, req, true)
}

/// Nearest wins: the files under a workspace package with settings of its own
/// ([`Config::scopes`]) are checked with its configuration, as a run of that package checks
/// them, and with its hook's `checks` ([`Request::folder_groups`]), the rest with the root's.
/// One pass per package whose per-file settings or check groups differ from the root's, each
/// reporting only its own files; the machine's state (`git/clean`, the running Node, the commit
/// message) is checked once, by the root's pass.
fn by_scope(config: &Config, req: &Request, mark: bool) -> anyhow::Result<Outcome> {
    let parts = scope_parts(config, req);
    if parts.is_empty() {
        return run_inner(config, req, mark, &[]);
    }
    // The deepest part holding `path`, if any.
    let owner = |path: &str| {
        parts
            .iter()
            .filter(|(f, _, _)| under(path, f))
            .max_by_key(|(f, _, _)| f.len())
            .map(|(f, _, _)| *f)
    };
    // Each pass judges only its own files' reads and imports (the root's, the files under no
    // part): the rules whose answer for a file depends on other files (`env/unused`, ...) still
    // see every file.
    let folders: Vec<&str> = parts.iter().map(|(f, _, _)| *f).collect();
    let mut out = run_inner(config, req, mark, &folders)?;
    out.findings.retain(|f| owner(&f.path).is_none());
    for (folder, own, groups) in &parts {
        let Some(groups) = groups else {
            continue;
        };
        let paths = part_paths(req, folder);
        if paths.is_empty() {
            continue;
        }
        let sub = Request {
            paths,
            groups: groups.clone(),
            folder_groups: Vec::new(),
            local: Local::default(),
            ..req.clone()
        };
        let inner: Vec<&str> = folders
            .iter()
            .copied()
            .filter(|f| f.len() > folder.len() && under(f, folder))
            .collect();
        let mut part = run_inner(own, &sub, mark, &inner)?;
        part.findings.retain(|f| owner(&f.path) == Some(*folder));
        merge_part(&mut out, part);
    }
    diagnostic::sort(&mut out.findings);
    Ok(out)
}

/// `path` is `folder` or lies under it.
fn under(path: &str, folder: &str) -> bool {
    path == folder || path.starts_with(&format!("{folder}/"))
}

/// A folder checked otherwise than by the root's pass: (folder, configuration, groups; `None`:
/// no check there).
type ScopePart<'a> = (&'a str, &'a Config, Option<Vec<String>>);

/// The folders whose configuration or check groups differ from the root's, each once.
fn scope_parts<'a>(config: &'a Config, req: &'a Request) -> Vec<ScopePart<'a>> {
    let groups_at = |folder: &str| {
        req.folder_groups
            .iter()
            .filter(|(f, _)| under(folder, f))
            .max_by_key(|(f, _)| f.len())
            .map_or_else(|| Some(req.groups.clone()), |(_, g)| g.clone())
    };
    let mut parts: Vec<ScopePart<'a>> = Vec::new();
    let folders = config
        .scopes
        .iter()
        .filter(|s| s.pass)
        .map(|s| s.folder.as_str())
        .chain(req.folder_groups.iter().map(|(f, _)| f.as_str()));
    for folder in folders {
        let groups = groups_at(folder);
        let own = config.at(&format!("{folder}/"));
        let differs =
            groups.as_ref() != Some(&req.groups) || !std::ptr::eq(own, config) && own.needs_own_pass(config);
        if differs && !parts.iter().any(|(f, _, _)| *f == folder) {
            parts.push((folder, own, groups));
        }
    }
    parts
}

/// The request's paths within `folder` (all of it when the request names none).
fn part_paths(req: &Request, folder: &str) -> Vec<String> {
    if req.paths.is_empty() {
        return vec![folder.to_string()];
    }
    req.paths
        .iter()
        .map(|p| p.trim_end_matches('/'))
        .filter_map(|p| {
            if p.is_empty() || under(folder, p) {
                Some(folder.to_string())
            } else if under(p, folder) {
                Some(p.to_string())
            } else {
                None
            }
        })
        .collect()
}

/// Adds one package pass's outcome (findings already limited to its files) to the root's.
fn merge_part(out: &mut Outcome, mut part: Outcome) {
    out.findings.append(&mut part.findings);
    out.files = out.files.max(part.files);
    out.elapsed += part.elapsed;
    for (into, from) in [
        (&mut out.too_large, part.too_large),
        (&mut out.binary, part.binary),
        (&mut out.notes, part.notes),
    ] {
        for x in from {
            if !into.contains(&x) {
                into.push(x);
            }
        }
    }
}

/// The scan's options and the facts cache (with the remote cache `[cache]` configures). The
/// cache's fingerprint and the scan must see the same options: built once, passed down.
fn facts_cache(config: &Config, paths: &snapshot::RepoPaths) -> (ScanOptions, FactsCache) {
    let scan_opts = ScanOptions {
        env_accessors: config.env.accessors.clone(),
    };
    let cache = FactsCache::load(&paths.common_dir, FactsCache::fingerprint(&scan_opts))
        .with_remote(crate::cache::remote::Remote::from_config(&config.cache));
    (scan_opts, cache)
}

/// One engine pass: `others` are the folders other passes check (their files' reads and
/// imports are not judged here).
fn run_inner(config: &Config, req: &Request, mark: bool, others: &[&str]) -> anyhow::Result<Outcome> {
    let start = Mark::now();
    let (repo, paths) = crate::git::discover()?;
    let baseline = match &req.baseline {
        Baseline::None => None,
        Baseline::Commit(oid) => Some(*oid),
        Baseline::Head => snapshot::head_commit(&repo),
    };
    let (scan_opts, cache) = facts_cache(config, &paths);
    // With a baseline, only files whose findings can differ from it are analysed.
    let needs_all = config.level(&rules::ENV_UNUSED) != crate::config::Level::Off;
    let reads_snapshot = SNAPSHOT_GROUPS.iter().any(|g| group_enabled(req, g));
    let whole_index = req.target == Target::Index && (baseline.is_none() || needs_all || mark);
    if reads_snapshot && whole_index {
        prefetch_head(&cache, &repo, &paths, &scan_opts, config.scan.max_file_size());
    }
    let snap = req.target.open(repo, &paths)?;
    let snap = Arc::new(snap);
    timings::report("snapshot", &start);
    let base_snap = match baseline {
        Some(base) => Some(open_baseline(&snap, &paths, base)?),
        None => None,
    };
    timings::report("baseline snapshot", &start);
    let scope = match (&base_snap, &req.target) {
        (Some(base), Target::Index | Target::Commit(_)) if !needs_all && !mark => {
            plan_scope(config, &snap, base, &cache)
        }
        _ => FileScope::All,
    };
    timings::report("plan", &start);
    let changed = match (&scope, &base_snap) {
        (FileScope::Files(_), Some(base)) => Some(changed_paths(&snap, base)),
        _ => None,
    };
    let mut outcome = if reads_snapshot {
        analyze(
            config,
            snap.clone(),
            req,
            Pass {
                others,
                ask_text_loaded: true,
            },
            &scope,
            &cache,
            &scan_opts,
        )?
    } else {
        Outcome::default()
    };
    if let (FileScope::Files(_), Some(base)) = (&scope, &base_snap) {
        scoped_whole_repo_checks(config, req, &snap, base, &mut outcome);
    }
    // The baseline only removes findings: a clean snapshot (the usual commit) needs none.
    if let Some(base_snap) = base_snap.filter(|_| !outcome.findings.is_empty()) {
        let base_req = baseline_request(req, &mut outcome);
        // (The baseline's findings are matched by rule, path and specifier, never by level:
        // whether a file is loaded only as text is not asked there.)
        let old = analyze(
            config,
            base_snap,
            &base_req,
            Pass {
                others,
                ask_text_loaded: false,
            },
            &scope,
            &cache,
            &scan_opts,
        )?;
        subtract_baseline(&mut outcome, &old.findings, mark);
    } else if mark {
        // No baseline (first commit): everything counts as new.
        for f in &mut outcome.findings {
            f.new = Some(true);
        }
    }
    let t0 = Mark::now();
    local_checks(config, req, &snap, &mut outcome)?;
    timings::report("local checks", &t0);
    finish_cache(cache, &mut outcome);
    outcome.snapshot = Some(snap);
    outcome.changed = changed;
    outcome.elapsed = start.elapsed();
    Ok(outcome)
}

/// The baseline commit's snapshot, derived from `snap` when it can be (same index), else read.
fn open_baseline(
    snap: &Snapshot,
    paths: &crate::git::RepoPaths,
    base: git2::Oid,
) -> anyhow::Result<Arc<Snapshot>> {
    let open = || crate::git::reopen(&paths.git_dir);
    let derived = snap.derive_commit(open()?, paths, base);
    Ok(Arc::new(match derived {
        Some(d) => d,
        None => Snapshot::commit(open()?, paths, base)?,
    }))
}

/// With a scoped run, the checks over the whole repository whose answer a scoped analysis
/// cannot give: a case collision among added files, and the lockfile drift of a lockfile-only
/// change (which does not widen the scope, as no source resolves differently). Only their new
/// findings, by the pipeline's key.
fn scoped_whole_repo_checks(
    config: &Config,
    req: &Request,
    snap: &Snapshot,
    base: &Snapshot,
    outcome: &mut Outcome,
) {
    let wanted = |group: &str| {
        (req.groups.is_empty() || req.groups.iter().any(|g| g == group))
            && !req.skip.iter().any(|s| s == group)
    };
    if wanted("files") {
        let new = rules::files_case_collision::check_added(snap, base);
        outcome.findings.extend(finalize(config, req, new));
    }
    let t0 = Mark::now();
    if wanted("deps") && rules::deps_lockfile_drift::lockfiles_changed(snap, base) {
        let drift = |s: &Snapshot| {
            let packages = crate::resolve::packages::Packages::load(s, &mut Vec::new());
            rules::deps_lockfile_drift::check(s, &packages)
        };
        let known: HashSet<(String, String, String)> = drift(base).iter().map(owned_key).collect();
        let new = drift(snap)
            .into_iter()
            .filter(|f| !known.contains(&owned_key(f)))
            .collect();
        outcome.findings.extend(finalize(config, req, new));
    }
    timings::report("lockfile drift (scoped)", &t0);
}

/// Drops (or, with `mark`, marks as not new) the findings the baseline already had.
fn subtract_baseline(outcome: &mut Outcome, old: &[Finding], mark: bool) {
    let known: HashSet<(String, String, String)> = old.iter().map(owned_key).collect();
    if mark {
        for f in &mut outcome.findings {
            f.new = Some(!known.contains(&owned_key(f)));
        }
    } else {
        outcome.findings.retain(|f| !known.contains(&owned_key(f)));
    }
}

/// Saves the facts cache (a large save once the answer is out: [`crate::cache::later`]) and
/// waits for the remote cache's uploads (each bounded) before the process ends. A cache that
/// cannot be written (read-only repository) only costs speed.
fn finish_cache(cache: FactsCache, outcome: &mut Outcome) {
    let t0 = Mark::now();
    let remote = cache.remote().cloned();
    cache.save_or_put_off(crate::cache::later::detach_bytes());
    timings::report("cache save", &t0);
    // The context bundle this run computed, when it asked for one and none was there.
    if let Some(remote) = &remote
        && let Some((hash, bundle)) = crate::cache::bundle::collected()
    {
        remote.put_later(hash, bundle);
    }
    if let Some(remote) = remote {
        let t0 = Mark::now();
        outcome.notes.extend(remote.finish());
        timings::report("remote cache uploads", &t0);
    }
}

/// [`Local`]: the checks of this machine's state, levels and skips applied by [`finalize`]
/// like every other finding.
fn local_checks(
    config: &Config,
    req: &Request,
    snap: &Snapshot,
    outcome: &mut Outcome,
) -> anyhow::Result<()> {
    use anyhow::Context;
    let runs = |group: &str, rule: &rules::Rule| {
        group_enabled(req, group)
            && !req.skip.iter().any(|s| s == rule.id)
            && config.level(rule) != crate::config::Level::Off
    };
    if req.local.running_node && runs("files", &rules::NODE_VERSION) {
        match rules::node_version::installed_node() {
            Some(version) => {
                let packages = crate::resolve::packages::Packages::load(snap, &mut Vec::new());
                let found = rules::node_version::running_node(snap, &packages, &version);
                outcome
                    .findings
                    .extend(finalize(config, req, found.into_iter().collect()));
            }
            None => outcome
                .notes
                .push("`node` is not on PATH: the running Node version was not checked".to_string()),
        }
    }
    if let Some(file) = &req.local.commit_message
        && runs("commit-msg", &rules::COMMIT_MESSAGE)
    {
        let raw = std::fs::read(file)
            .with_context(|| format!("cannot read the commit message {}", file.display()))?;
        let (repo, _) = crate::git::discover()?;
        let comment = repo
            .config()
            .and_then(|c| c.get_string("core.commentChar"))
            .ok()
            .and_then(|s| s.chars().next())
            .unwrap_or('#');
        let message = rules::commit_message::cleaned(&String::from_utf8_lossy(&raw), comment);
        let found = rules::commit_message::check(&config.commit, &message, "COMMIT_EDITMSG");
        outcome.findings.extend(finalize(config, req, found));
    }
    let git_clean = req.local.git_clean;
    let clean_on = !req.skip.iter().any(|s| s == "git")
        && runs("git", &rules::GIT_CLEAN) | runs("imports", &rules::GIT_CLEAN);
    let modified = git_clean.modified && runs("git", &rules::GIT_CLEAN);
    let fold = git_clean.fold_untracked_imports
        && group_enabled(req, "imports")
        && outcome
            .findings
            .iter()
            .any(|f| f.rule == &rules::IMPORTS_UNTRACKED);
    if clean_on && (modified || fold) {
        let (repo, _) = crate::git::discover()?;
        let status = crate::git::status(&repo).context("cannot read `git status` for git/clean")?;
        if fold {
            rules::git_clean::fold_untracked_imports(config, &mut outcome.findings, &status);
        }
        if modified {
            let found = rules::git_clean::modified(&status);
            outcome.findings.extend(finalize(config, req, found));
        }
    }
    diagnostic::sort(&mut outcome.findings);
    Ok(())
}

/// A commit refused only for lockfile drift needs only the baseline's lockfile drift (a finding
/// is matched by its rule), not every import of the baseline resolved again.
///
/// Drops the first pass's [`Kept`] structures: not two passes' resolvers at once.
fn baseline_request(req: &Request, outcome: &mut Outcome) -> Request {
    outcome.kept = None;
    if outcome
        .findings
        .iter()
        .all(|f| f.rule == &rules::DEPS_LOCKFILE_DRIFT)
    {
        return Request {
            groups: vec!["deps".to_string()],
            ..req.clone()
        };
    }
    req.clone()
}

/// Where hookctl keeps its state: the git common dir (shared by linked worktrees).
fn cache_dir(snap: &Snapshot) -> PathBuf {
    snap.with_repo(|r| r.commondir().to_path_buf())
        .unwrap_or_else(|| snap.git_dir.clone())
}

/// Which source files to analyse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileScope {
    All,
    /// These paths (where they exist in the snapshot being analysed).
    Files(HashSet<String>),
}

/// Files whose configuration changes how everything else resolves or what is declared: when
/// one of them changes between the baseline and the snapshot, every file is analysed.
fn is_config_path(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    clean::is_resolution_config(path)
        || name.starts_with(".env")
        || crate::env::declarations::env_file_kind(path).is_some()
        // Deploy manifests declare env names (Dockerfile `ENV`, compose `environment:`, ...).
        || crate::env::manifests::manifest_kind(path).is_some()
        || name == ".gitignore"
        || name == "turbo.json"
        || rules::node_version::VERSION_FILES.contains(&name)
        || path == crate::config::FILE_NAME
}

/// A changed path whose content changes how other files resolve, found by looking at it (in
/// the snapshot or the baseline): a symlink (its target is content; every path beneath it
/// moves), a JSON file that a tsconfig `extends` (any name: `packages/tsconfig/nextjs.json`),
/// a declaration file with ambient `declare module` blocks.
fn changes_resolution(snap: &Snapshot, base: &Snapshot, path: &str) -> bool {
    let looks = |s: &Snapshot| {
        let Some(e) = s.get(path) else { return false };
        if e.kind == snapshot::EntryKind::Symlink {
            return true;
        }
        let needles: &[&[u8]] = if path.ends_with(".json") {
            &[b"\"compilerOptions\"", b"\"extends\"", b"\"include\""]
        } else if path.ends_with(".d.ts") || path.ends_with(".d.mts") || path.ends_with(".d.cts") {
            &[b"declare module"]
        } else {
            return false;
        };
        s.read(path)
            .is_ok_and(|b| needles.iter().any(|n| memchr::memmem::find(&b, n).is_some()))
    };
    looks(snap) || looks(base)
}

/// How many paths of `snap` differ from `base` (added, modified, removed).
fn changed_paths(snap: &Snapshot, base: &Snapshot) -> usize {
    if let Some(diff) = &base.derived_changes {
        diff.len()
    } else {
        let differ = snap.iter().filter(|(p, e)| base.get(p) != Some(*e)).count();
        differ + base.paths().filter(|p| snap.get(p).is_none()).count()
    }
}

/// The source files of a snapshot (what a full check reads, before the size and binary
/// skips): `hookctl check --new` counts them as a full check would.
pub fn source_count(snap: &Snapshot) -> usize {
    source_paths(snap).len()
}

/// The files a commit can have changed the findings of: the changed source files, plus the
/// files that imported a removed or renamed path in the baseline (from the import graph).
pub fn plan_scope(config: &Config, snap: &Snapshot, base: &Arc<Snapshot>, cache: &FactsCache) -> FileScope {
    let mut changed = Vec::new();
    let mut removed = Vec::new();
    if let Some(diff) = &base.derived_changes {
        for p in diff {
            if snap.get(p).is_some() {
                changed.push(p.as_str());
            } else {
                removed.push(p.as_str());
            }
        }
    } else {
        for (p, e) in snap {
            if base.get(p) != Some(e) {
                changed.push(p);
            }
        }
        for p in base.paths() {
            if snap.get(p).is_none() {
                removed.push(p);
            }
        }
    }
    if changed
        .iter()
        .chain(&removed)
        .any(|p| is_config_path(p) || changes_resolution(snap, base, p))
    {
        return FileScope::All;
    }
    // Every changed path: the source files are parsed, and every text file is read by
    // `secrets/in-source`.
    let mut files: HashSet<String> = changed.iter().map(std::string::ToString::to_string).collect();
    if !removed.is_empty() {
        match importers_of(config, base, &removed, cache) {
            Ok(importers) => files.extend(importers),
            Err(_) => return FileScope::All,
        }
    }
    FileScope::Files(files)
}

/// The files of `base` whose imports resolved to one of `removed` there, whatever they wrote
/// (`#db`, a workspace package's name, a tsconfig alias): the import graph of the baseline.
fn importers_of(
    config: &Config,
    base: &Arc<Snapshot>,
    removed: &[&str],
    cache: &FactsCache,
) -> anyhow::Result<Vec<String>> {
    let opts = ScanOptions {
        env_accessors: config.env.accessors.clone(),
    };
    // Within `[scan] max_file_size`, as the checks scan: facts of a larger file, once cached,
    // would be read by the next full check.
    let limit = config.scan.max_file_size();
    let facts = |need: HashSet<String>| -> std::collections::HashMap<String, Facts> {
        scan_snapshot_limited(base, &opts, &FileScope::Files(need), cache, limit)
            .files
            .into_iter()
            .collect()
    };
    crate::graph::direct_importers(config, base, removed, &facts)
}

/// The source files of a snapshot with their entries (so that no caller looks each path up
/// again in the path map).
fn source_paths(snap: &Snapshot) -> Vec<(&str, snapshot::Entry)> {
    snap.iter()
        .filter(|(p, e)| e.kind == snapshot::EntryKind::File && is_source(p))
        .map(|(p, e)| (p, *e))
        .collect()
}

/// The source files of `scope` present in the snapshot (without walking every path for a
/// small scope).
fn scoped_source_paths<'a>(snap: &'a Snapshot, scope: &FileScope) -> Vec<(&'a str, snapshot::Entry)> {
    match scope {
        FileScope::All => source_paths(snap),
        FileScope::Files(set) => {
            let mut v: Vec<(&str, snapshot::Entry)> = set
                .iter()
                .filter_map(|p| snap.get_key_value(p))
                .filter(|(p, e)| e.kind == snapshot::EntryKind::File && is_source(p))
                .map(|(p, e)| (p, *e))
                .collect();
            v.sort_unstable_by_key(|(p, _)| *p);
            v
        }
    }
}

fn owned_key(f: &Finding) -> (String, String, String) {
    let (r, p, w) = f.key();
    (r.to_string(), p.to_string(), w.to_string())
}

pub use crate::scan::is_source;

/// Extract facts from the source files of the snapshot in `scope`: from the cache by blob id
/// where possible, else by parsing (in parallel), adding what was parsed to the cache.
pub fn scan_snapshot(
    snap: &Snapshot,
    opts: &ScanOptions,
    scope: &FileScope,
    cache: &FactsCache,
) -> Vec<(String, Facts)> {
    scan_snapshot_limited(snap, opts, scope, cache, u64::MAX).files
}

/// What `scan_snapshot_limited` found.
pub struct Scanned {
    pub files: Vec<(String, Facts)>,
    /// The blob id of each of `files` (zero for a work-tree file).
    pub oids: Vec<git2::Oid>,
    /// Paths larger than the limit: neither parsed nor cached.
    pub too_large: Vec<String>,
    /// Paths whose content is binary: neither parsed nor cached.
    pub binary: Vec<String>,
    /// Files whose facts came from the cache.
    pub cache_hits: usize,
    /// Files whose facts came from the team's remote cache.
    pub remote_hits: usize,
    /// For each of `files`: its imports were not decoded because the `wants` question said
    /// no (so, for a full check with `imports` on, the file is not its own or is in the
    /// imports clean set: asked once, not again).
    pub imports_unwanted: Vec<bool>,
}

/// `scan_snapshot`, skipping files larger than `max_size` bytes (`[scan] max_file_size`): those
/// are returned apart, neither parsed nor cached (so that a cache hit is always of a file that
/// was within the limit).
pub fn scan_snapshot_limited(
    snap: &Snapshot,
    opts: &ScanOptions,
    scope: &FileScope,
    cache: &FactsCache,
    max_size: u64,
) -> Scanned {
    scan_snapshot_with(snap, opts, scope, cache, max_size, None, None)
}

/// Whether the imports of a cached file are needed: (path, blob id, its imports borrowed from
/// the cache). Every reader of a full check's imports is asked (see `analyze`).
type WantsFileImports<'a> =
    &'a (dyn Fn(&str, &git2::Oid, &mut dyn Iterator<Item = crate::cache::ImportRef<'_>>) -> bool + Sync);

/// Something else done with each blob the scan reads: (path, bytes).
type AlsoRead<'a> = &'a (dyn Fn(&str, &[u8]) + Sync);

/// [`scan_snapshot_limited`], handing every blob it reads (path, bytes) to `also` too: one
/// read serves every per-file scan (the secret scan).
#[expect(
    clippy::too_many_lines,
    reason = "the scan's sources in order: local cache, the snapshot's facts, chunks, parsing"
)]
fn scan_snapshot_with(
    snap: &Snapshot,
    opts: &ScanOptions,
    scope: &FileScope,
    cache: &FactsCache,
    max_size: u64,
    also: Option<AlsoRead<'_>>,
    wants: Option<WantsFileImports<'_>>,
) -> Scanned {
    let paths = scoped_source_paths(snap, scope);
    let worktree = snap.kind == snapshot::Kind::Worktree;
    let snapshot_facts = (!worktree && *scope == FileScope::All)
        .then(|| remote_snapshot(cache, snap, &paths, opts, max_size))
        .flatten();
    // Cache hits first (index and commit snapshots know their blob ids without reading).
    let (mut out, unwanted) = cached_facts(&paths, worktree, cache, wants);
    let hits = out.iter().filter(|(_, f)| f.is_some()).count();
    // Nothing was local when the snapshot's facts came: every hit came from the download.
    let fetched = matches!(snapshot_facts, Some(SnapshotFacts::Fetched));
    let (cache_hits, remote_hits) = if fetched { (0, hits) } else { (hits, 0) };
    // With their entries: a fresh clone misses every file, and looking each up again by path
    // was a tenth of its first run's CPU.
    let misses: Vec<(&str, &snapshot::Entry)> = out
        .iter()
        .zip(&paths)
        .filter(|((_, f), _)| f.is_none())
        .map(|((p, _), (_, e))| (p.as_str(), e))
        .collect();
    let mut skipped = HashSet::new();
    let mut binary = Vec::new();
    // Many misses (a fresh clone, a CI runner): the team's remote cache may hold them.
    let remote = (!worktree)
        .then(|| cache.remote())
        .flatten()
        .filter(|r| r.worth_it(misses.len()))
        .and_then(|r| {
            remote_facts(
                r,
                snap,
                (*scope == FileScope::All).then_some(&paths),
                opts,
                max_size,
                &misses,
            )
        });
    let remote_hits = std::sync::atomic::AtomicUsize::new(remote_hits);
    if !misses.is_empty() {
        let miss = MissScan {
            snap,
            opts,
            cache,
            max_size,
            also,
            worktree,
            remote: remote.as_ref().map(|(fetch, _)| fetch),
            remote_hits: &remote_hits,
            wants,
        };
        let progress = crate::output::ScanProgress::new(misses.len());
        // Each blob is read where it is parsed: no more than one file per thread in memory.
        let parsed: Vec<(Facts, Skip)> = misses
            .par_iter()
            .map(|&(p, entry)| {
                progress.tick();
                miss.parse(p, entry)
            })
            .collect();
        progress.done();
        // The chunks that came go into the local cache as they came; what this run parsed is
        // shared for the next clone (in the background).
        if let Some((fetch, all)) = remote {
            fetch.keep_in(cache);
            fetch.share(cache, &all);
        }
        fill_misses(&mut out, parsed, &mut skipped, &mut binary);
    }
    // The whole snapshot's facts for the next fresh clone, when the server lacked them.
    if let Some(SnapshotFacts::Missing {
        remote,
        hash,
        keys,
        fingerprint,
    }) = snapshot_facts
    {
        remote.put_later(hash, cache.export(&keys, fingerprint));
    }
    let ((files, oids), imports_unwanted) = out
        .into_iter()
        .zip(&paths)
        .zip(unwanted)
        .filter(|(((p, _), _), _)| !skipped.contains(p))
        .map(|(((p, f), (_, e)), unwanted)| (((p, f.unwrap_or_default()), e.oid), unwanted))
        .unzip();
    let mut too_large: Vec<String> = skipped.into_iter().filter(|p| !binary.contains(p)).collect();
    too_large.sort();
    binary.sort();
    Scanned {
        files,
        oids,
        too_large,
        binary,
        cache_hits,
        remote_hits: remote_hits.into_inner(),
        imports_unwanted,
    }
}

/// Each path with its facts when the cache has them (index and commit snapshots know their
/// blob ids without reading; a worktree's files are looked up once read), and whether `wants`
/// said no to its imports.
fn cached_facts(
    paths: &[(&str, snapshot::Entry)],
    worktree: bool,
    cache: &FactsCache,
    wants: Option<WantsFileImports<'_>>,
) -> (Vec<(String, Option<Facts>)>, Vec<bool>) {
    paths
        .par_iter()
        .map(|(p, e)| {
            let (hit, unwanted) = if worktree {
                (None, false)
            } else {
                FileKind::for_path(p)
                    .and_then(|kind| {
                        let key = crate::cache::facts_key(&e.oid, kind);
                        match wants {
                            None => cache.get(&key).map(|f| (f, false)),
                            Some(wants) => cache
                                .get_lazy(&key, &|imports| wants(p, &e.oid, imports))
                                .map(|(facts, decoded)| (facts, !decoded)),
                        }
                    })
                    .map_or((None, false), |(f, unwanted)| (Some(f), unwanted))
            };
            (((*p).to_string(), hit), unwanted)
        })
        .unzip()
}

/// Puts the parsed facts into the slots the cache missed (in order), noting the files
/// skipped as too large or binary.
fn fill_misses(
    out: &mut [(String, Option<Facts>)],
    parsed: Vec<(Facts, Skip)>,
    skipped: &mut HashSet<String>,
    binary: &mut Vec<String>,
) {
    let mut parsed = parsed.into_iter();
    for slot in out.iter_mut().filter(|(_, f)| f.is_none()) {
        if let Some((facts, skip)) = parsed.next() {
            match skip {
                Skip::TooLarge => {
                    skipped.insert(slot.0.clone());
                }
                Skip::Binary => {
                    skipped.insert(slot.0.clone());
                    binary.push(slot.0.clone());
                }
                Skip::No => {}
            }
            slot.1 = Some(facts);
        }
    }
}

/// What parsing one file the cache missed needs: the snapshot, the scan's options, the caches
/// (local and, when worth it, remote) and what else each read blob is handed to.
struct MissScan<'a> {
    snap: &'a Snapshot,
    opts: &'a ScanOptions,
    cache: &'a FactsCache,
    max_size: u64,
    also: Option<AlsoRead<'a>>,
    worktree: bool,
    remote: Option<&'a crate::cache::remote::FactsFetch>,
    remote_hits: &'a std::sync::atomic::AtomicUsize,
    /// Whether a file's imports are needed (as for a local cache hit).
    wants: Option<WantsFileImports<'a>>,
}

impl MissScan<'_> {
    /// The facts of `p` (from the remote cache, or read and parsed), or why it was skipped.
    fn parse(&self, p: &str, entry: &snapshot::Entry) -> (Facts, Skip) {
        if let Some(fetch) = self.remote
            && let Some(kind) = FileKind::for_path(p)
        {
            let key = crate::cache::facts_key(&entry.oid, kind);
            let wants = |imports: &mut dyn Iterator<Item = crate::cache::ImportRef<'_>>| {
                self.wants.is_none_or(|w| w(p, &entry.oid, imports))
            };
            if let Some(facts) = fetch.take(&key, self.cache, &wants) {
                self.remote_hits
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                return (facts, Skip::No);
            }
        }
        let Ok(bytes) = self.snap.read_pooled(p) else {
            return (Facts::default(), Skip::No);
        };
        if let Some(also) = self.also {
            also(p, &bytes);
        }
        if bytes.len() as u64 > self.max_size {
            return (Facts::default(), Skip::TooLarge);
        }
        // UTF-16 text (tsc and editors read it) is read decoded, as the lines shown
        // under findings are; then a NUL byte in the first 8 KiB, as git's own
        // binary test: not source text.
        let text = crate::text::utf8_view(&bytes);
        if memchr::memchr(0, &text[..text.len().min(8000)]).is_some() {
            return (Facts::default(), Skip::Binary);
        }
        let oid = match entry {
            e if !self.worktree => e.oid,
            _ => git2::Oid::hash_object(git2::ObjectType::Blob, &bytes).unwrap_or(git2::Oid::ZERO_SHA1),
        };
        let Some(kind) = FileKind::for_path(p) else {
            return (Facts::default(), Skip::No);
        };
        let key = crate::cache::facts_key(&oid, kind);
        if self.worktree
            && let Some(hit) = self.cache.get(&key)
        {
            return (hit, Skip::No);
        }
        if let Some(fetch) = self.remote {
            fetch.parsed(&key);
        }
        let facts = scan::extract_file(kind, &text, self.opts);
        if !oid.is_zero() {
            self.cache.insert_ref(key, &facts);
        }
        (facts, Skip::No)
    }
}

/// Start downloading the remote facts of `misses` (paths of `snap` and their entries); with
/// them, every facts key of the snapshot (what the chunks are cut from and what is shared
/// back). `sources`: the snapshot's source files when the caller has them (a full check).
fn remote_facts(
    remote: &crate::cache::remote::Remote,
    snap: &Snapshot,
    sources: Option<&Vec<(&str, snapshot::Entry)>>,
    opts: &ScanOptions,
    max_size: u64,
    misses: &[(&str, &snapshot::Entry)],
) -> Option<(crate::cache::remote::FactsFetch, Vec<git2::Oid>)> {
    let key = |p: &str, e: &snapshot::Entry| {
        FileKind::for_path(p).map(|kind| crate::cache::facts_key(&e.oid, kind))
    };
    let owned;
    let sources = if let Some(s) = sources {
        s
    } else {
        owned = source_paths(snap);
        &owned
    };
    let mut all: Vec<git2::Oid> = sources.iter().filter_map(|(p, e)| key(p, e)).collect();
    all.sort_unstable();
    all.dedup();
    let missing: Vec<git2::Oid> = misses.iter().filter_map(|(p, e)| key(p, e)).collect();
    let fingerprint = crate::cache::remote::facts_fingerprint(FactsCache::fingerprint(opts), max_size);
    let fetch = remote.fetch_facts(fingerprint, all.len(), &missing)?;
    Some((fetch, all))
}

/// What became of a snapshot's facts asked of the remote cache ([`remote_snapshot`]).
enum SnapshotFacts {
    /// Downloaded and read after the local cache.
    Fetched,
    /// Not there (or refused), and this run writes: shared once the scan is done.
    Missing {
        remote: crate::cache::remote::Remote,
        hash: String,
        keys: Vec<git2::Oid>,
        fingerprint: u64,
    },
    /// Not there, and this run only reads.
    Absent,
}

/// A fresh clone or a CI runner with no local cache: download the facts of every source file
/// of the snapshot (`paths`, the whole snapshot's) in one artifact named by its tree (or its
/// keys), into `cache`, read in place as a warm run reads its local file. `None` without a
/// remote cache, with a local one, or for fewer files than `remote_min_misses`.
fn remote_snapshot(
    cache: &FactsCache,
    snap: &Snapshot,
    paths: &[(&str, snapshot::Entry)],
    opts: &ScanOptions,
    max_size: u64,
) -> Option<SnapshotFacts> {
    let remote = cache
        .remote()
        .filter(|r| cache.nothing_local() && r.worth_it(paths.len()))?;
    let fingerprint = crate::cache::remote::facts_fingerprint(FactsCache::fingerprint(opts), max_size);
    // Asked for before the resolver was set up (the same paths), else now.
    let t0 = Mark::now();
    let taken = remote.take_snapshot();
    timings::report("snapshot facts (waited for)", &t0);
    let (hash, got) = taken.unwrap_or_else(|| {
        let hash = snap.tree_id().map_or_else(
            || snapshot_name(paths, fingerprint).1,
            |tree| crate::cache::remote::snapshot_tree_hash(fingerprint, &tree),
        );
        let got = remote.get(&hash);
        (hash, got)
    });
    Some(if remote.fetch_snapshot(cache, got, fingerprint) {
        SnapshotFacts::Fetched
    } else if remote.writes() {
        SnapshotFacts::Missing {
            remote: remote.clone(),
            hash,
            // What the upload holds (the run that uploads is a cold one: not timed like a
            // fresh clone's).
            keys: snapshot_name(paths, fingerprint).0,
            fingerprint,
        }
    } else {
        SnapshotFacts::Absent
    })
}

/// The sorted facts keys of `paths` and the name of the artifact of their facts.
///
/// A snapshot git knows as a tree is named by it instead ([`crate::cache::remote::snapshot_tree_hash`]);
/// this is for the others (an index with something staged). The keys are sorted as plain
/// bytes (a big-endian integer pair, the same order as the ids' bytes) rather than as `Oid`s
/// (a call into libgit2 per comparison), and turned into `Oid`s after.
fn snapshot_name(paths: &[(&str, snapshot::Entry)], fingerprint: u64) -> (Vec<git2::Oid>, String) {
    let keys: Vec<[u8; 20]> = paths
        .iter()
        .filter_map(|(p, e)| FileKind::for_path(p).map(|kind| crate::cache::facts_key_bytes(&e.oid, kind)))
        .collect();
    name_keys(keys, fingerprint)
}

/// The name of [`snapshot_name`]'s artifact for the whole snapshot's source files
/// ([`source_paths`]), in one pass (each path's kind asked once), and how many source files
/// it has.
fn snapshot_name_all(snap: &Snapshot, fingerprint: u64) -> (usize, String) {
    let mut files = 0;
    let keys: Vec<[u8; 20]> = snap
        .iter()
        .filter(|(_, e)| e.kind == snapshot::EntryKind::File)
        .filter_map(|(p, e)| {
            let kind = FileKind::for_path(p).filter(|_| !crate::scan::in_node_modules(p))?;
            files += 1;
            Some(crate::cache::facts_key_bytes(&e.oid, kind))
        })
        .collect();
    (files, sorted_keys_hash(keys, fingerprint).1)
}

/// The sorted, distinct `keys` as `Oid`s and the name of the artifact of their facts.
fn name_keys(keys: Vec<[u8; 20]>, fingerprint: u64) -> (Vec<git2::Oid>, String) {
    let (keys, hash) = sorted_keys_hash(keys, fingerprint);
    let keys = keys
        .iter()
        .filter_map(|k| git2::Oid::from_bytes(k).ok())
        .collect();
    (keys, hash)
}

/// `keys` sorted and distinct, and the name of the artifact of their facts.
fn sorted_keys_hash(mut keys: Vec<[u8; 20]>, fingerprint: u64) -> (Vec<[u8; 20]>, String) {
    keys.sort_unstable_by_key(|k| {
        let (head, tail) = k.split_at(16);
        (
            u128::from_be_bytes(head.try_into().unwrap_or_default()),
            u32::from_be_bytes(tail.try_into().unwrap_or_default()),
        )
    });
    keys.dedup();
    let hash = crate::cache::remote::snapshot_hash(fingerprint, &keys);
    (keys, hash)
}

/// Start downloading what [`remote_snapshot`] will ask for (a full check of an index or a
/// commit, nothing local), on a thread, while the resolver is set up: the snapshot's facts and
/// its context bundle, named by its tree when git knows it. Nothing when [`prefetch_head`]
/// asked for them already by this tree; asked again when it guessed another.
fn prefetch_snapshot(cache: &FactsCache, snap: &Arc<Snapshot>, opts: &ScanOptions, max_size: u64) {
    let Some(remote) = cache
        .remote()
        .filter(|r| cache.nothing_local() && r.worth_it(snap.len()))
    else {
        return;
    };
    // A bundle is on its way or about to be asked for: its sets travel relative to the
    // snapshot's pairs, made now on a thread.
    let of = snap.clone();
    crate::cache::bundle::snapshot_is(
        cache_dir(snap).join(crate::cache::DIR),
        Arc::as_ptr(snap) as usize,
        move || snapshot_pairs(&of),
    );
    let tree = snap.tree_id();
    match remote.snapshot_asked_for() {
        Some(Some(asked)) if tree == Some(asked) => return,
        Some(_) => remote.forget_snapshot(),
        None => {}
    }
    let fingerprint = crate::cache::remote::facts_fingerprint(FactsCache::fingerprint(opts), max_size);
    let (bundle_snap, named, worth) = (snap.clone(), snap.clone(), remote.clone());
    ask_for_snapshot(
        remote,
        cache_dir(snap),
        None,
        move || crate::cache::remote::bundle_name(&bundle_snap),
        move || {
            if let Some(tree) = tree {
                return Some(crate::cache::remote::snapshot_tree_hash(fingerprint, &tree));
            }
            let t0 = Mark::now();
            let (files, hash) = snapshot_name_all(&named, fingerprint);
            timings::report("snapshot facts named (download thread)", &t0);
            worth.worth_it(files).then_some(hash)
        },
    );
}

/// Every (path, blob id) pair of `snap`: what a set of its context bundle travels relative to.
pub fn snapshot_pairs(snap: &Snapshot) -> crate::cache::pairs::Universe {
    crate::cache::pairs::Universe::from_pairs(snap.iter().map(|(path, entry)| (path, &entry.oid)))
}

/// Ask the remote cache for a snapshot's context bundle (clean sets, folder verdicts, bundler
/// configs: its readers in cache folder `dir` wait for it when their local file is missing) and
/// its facts, at once, each on its own thread, each named there (`bundle`, `facts`). `tree`:
/// the tree the names were made from, when [`prefetch_head`] guessed it.
fn ask_for_snapshot(
    remote: &crate::cache::remote::Remote,
    dir: PathBuf,
    tree: Option<git2::Oid>,
    bundle: impl FnOnce() -> String + Send + 'static,
    facts: impl FnOnce() -> Option<String> + Send + 'static,
) {
    let bundle_remote = remote.clone();
    let download = std::thread::spawn(move || {
        let hash = bundle();
        let files = bundle_remote.fetch_bundle(&hash);
        (hash, files)
    });
    crate::cache::bundle::expect(dir.join(crate::cache::DIR), download, remote.writes());
    remote.prefetch_snapshot(tree, facts);
}

/// First thing in a full check of the index by a fresh clone or a CI runner (a remote cache,
/// nothing local, more entries in the index than `remote_min_misses`): ask for the snapshot's
/// facts and context bundle by HEAD's tree, which a checkout's index is, while the index is
/// read and the resolver set up. [`prefetch_snapshot`] confirms the guess once the snapshot
/// is known (its cache-tree root), or asks again. The artifacts' names are all that is
/// guessed: every entry and file inside is checked against this run's own keys.
fn prefetch_head(
    cache: &FactsCache,
    repo: &git2::Repository,
    paths: &snapshot::RepoPaths,
    opts: &ScanOptions,
    max_size: u64,
) {
    let Some(remote) = cache.remote().filter(|_| cache.nothing_local()) else {
        return;
    };
    // The index's entry count (its header) bounds its source files.
    let entries = std::fs::File::open(crate::git::index_path(&paths.git_dir, &paths.root))
        .ok()
        .and_then(|mut f| {
            let mut head = [0u8; 12];
            std::io::Read::read_exact(&mut f, &mut head).ok()?;
            Some(u32::from_be_bytes([head[8], head[9], head[10], head[11]]) as usize)
        });
    if !entries.is_some_and(|n| remote.worth_it(n)) {
        return;
    }
    let Some(tree) = repo
        .head()
        .ok()
        .and_then(|h| h.peel_to_tree().ok())
        .map(|t| t.id())
    else {
        return;
    };
    let fingerprint = crate::cache::remote::facts_fingerprint(FactsCache::fingerprint(opts), max_size);
    ask_for_snapshot(
        remote,
        paths.common_dir.clone(),
        Some(tree),
        move || crate::cache::remote::bundle_tree_hash(&tree),
        move || Some(crate::cache::remote::snapshot_tree_hash(fingerprint, &tree)),
    );
}

/// Why a source file was not parsed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Skip {
    No,
    TooLarge,
    Binary,
}

/// Fewer files than this in a scoped check are scanned for secrets without the clean set.
const SECRETS_CLEAN_SET_MIN_FILES: usize = 256;

/// What one engine pass asks of `analyze` beyond the request.
#[derive(Clone, Copy)]
struct Pass<'a> {
    /// Folders other passes check: their files' reads and imports are not judged here.
    others: &'a [&'a str],
    /// Whether to ask which files are loaded only as text (not for the baseline, whose findings
    /// are matched by rule, path and specifier, never by level).
    ask_text_loaded: bool,
}

/// All findings of one snapshot, with configured severities applied and filters honoured.
#[expect(
    clippy::too_many_lines,
    reason = "the engine's rule sequence in one place; to split into per-group steps (issue 18)"
)]
fn analyze(
    config: &Config,
    snap: Arc<Snapshot>,
    req: &Request,
    pass: Pass,
    scope: &FileScope,
    cache: &FactsCache,
    scan_opts: &ScanOptions,
) -> anyhow::Result<Outcome> {
    let Pass {
        others,
        ask_text_loaded,
    } = pass;
    let enabled = |group: &str| {
        (req.groups.is_empty() || req.groups.iter().any(|g| g == group))
            && !req.skip.iter().any(|s| s == group)
    };
    let t0 = Mark::now();
    let in_source = enabled("secrets")
        && config.level(&rules::SECRETS_IN_SOURCE) != crate::config::Level::Off
        && !req.skip.iter().any(|s| s == rules::SECRETS_IN_SOURCE.id);
    let already_read = rules::secrets_in_source::AlreadyRead::new(config);
    let record = |p: &str, bytes: &[u8]| already_read.record(p, bytes);
    let mut unreadable = Vec::new();
    let mut notes = Vec::new();
    // The resolver (it reads the config files) before the scan: the clean sets' contexts are
    // known then, and a fresh clone fetches them from the remote cache while the scan runs.
    if *scope == FileScope::All && snap.kind != snapshot::Kind::Worktree {
        prefetch_snapshot(cache, &snap, scan_opts, config.scan.max_file_size());
    }
    let t1 = Mark::now();
    let resolver = Resolver::new(snap.clone(), &config.imports, &mut unreadable, &mut notes);
    timings::report("resolver setup", &t1);
    let full = *scope == FileScope::All && snap.kind != snapshot::Kind::Worktree;
    // Full checks of an index or commit remember which files resolved cleanly in this
    // resolution context, so an unchanged repository is not resolved again.
    let clean = if enabled("imports") && full {
        // Every config of every `extends` chain (whatever its name, installed bases too).
        let settings = format!("{:?} {:x}", config.imports, resolver.config_digest());
        CleanSet::load(&cache_dir(&snap), clean::context_hash(&snap, &settings))
    } else {
        CleanSet::disabled()
    };
    // A hook's few files are scanned for secrets rather than looked up: the set has an entry
    // per clean file of the repository, and reading and checking it whole costs more than
    // scanning a few files (4% of a 10-file pre-commit's CPU at 100k files).
    let few = matches!(scope, FileScope::Files(set) if set.len() < SECRETS_CLEAN_SET_MIN_FILES);
    // A full check of an index asks the folders kept clean first (one question per folder the
    // cache tree vouches for); the per-file set is read only when some file is left to judge.
    let secrets_folders = (in_source && full)
        .then(|| rules::secrets_in_source::Folders::load(config, &snap, &cache_dir(&snap)));
    let secrets_clean = in_source.then(|| {
        if few
            || secrets_folders
                .as_ref()
                .is_some_and(rules::secrets_in_source::Folders::all_vouched)
        {
            CleanSet::disabled()
        } else {
            rules::secrets_in_source::clean_set(config, &snap, &cache_dir(&snap))
        }
    });
    // An upper bound of the files each set covers: only a set this machine lacks is asked
    // for, and only when `remote_min_misses` allows the network at all.
    if full && let Some(set) = &secrets_clean {
        set.prefetch(cache.remote(), snap.len());
    }
    // The imports' set is there before the scan (a fresh clone downloads it, one request):
    // the facts of a file it holds are then decoded without their imports, from the local or
    // the remote cache alike.
    let clean = if enabled("imports") && full {
        clean.with_remote(cache.remote(), snap.len())
    } else {
        clean
    };
    // A cached file's imports are decoded only when one of their readers below needs them:
    // the imports loop (a file not in the clean set), `env/required-by-package` and
    // `deps/dev-only-at-runtime` (an import of a package they ask about). Each asks in place,
    // of the imports borrowed from the cache; a new reader of `files[..].imports` must be
    // added here (the cold = warm property test fails otherwise).
    let imports_on = enabled("imports");
    // The files whose reads and imports this pass judges: their findings are about them alone.
    let mine = |path: &str| in_request_paths(req, path) && !others.iter().any(|f| under(path, f));
    let required_on = enabled("env") && *scope == FileScope::All;
    let dev_only = (enabled("deps")
        && config.level(&rules::DEPS_DEV_ONLY_AT_RUNTIME) != crate::config::Level::Off)
        .then(|| rules::deps_dev_only_at_runtime::Candidates::new(&resolver.packages))
        .flatten();
    // Files whose imports `env/required-by-package` need not see (a property of the blob):
    // asked instead of walking every file's imports. A walk that finds nothing is noted here,
    // and kept once the file's entry decoded whole (a malformed entry is parsed again).
    // The folders the cache tree vouches for whose files are all import-free, asked first (one
    // question per folder); the per-file set is read only when some file is left to ask about.
    let free_folders = (required_on && full)
        .then(|| rules::env_required_by_package::FreeFolders::load(&snap, &cache_dir(&snap)));
    let import_free = if required_on && full && !free_folders.as_ref().is_some_and(|f| f.vouches("")) {
        rules::env_required_by_package::import_free_set(&cache_dir(&snap))
    } else {
        CleanSet::disabled()
    };
    let walked: std::sync::Mutex<Vec<(String, git2::Oid)>> = std::sync::Mutex::new(Vec::new());
    let wants =
        |path: &str, oid: &git2::Oid, imports: &mut dyn Iterator<Item = crate::cache::ImportRef<'_>>| {
            if imports_on && mine(path) && !clean.contains(path, oid) {
                return true;
            }
            let ask_required = required_on
                && !free_folders.as_ref().is_some_and(|f| f.vouches(path))
                && !import_free.contains(path, oid);
            if !ask_required && dev_only.is_none() {
                return false;
            }
            for i in imports {
                if (ask_required && rules::env_required_by_package::wants_import(i))
                    || dev_only.as_ref().is_some_and(|c| c.wants_import(i))
                {
                    return true;
                }
            }
            if ask_required && full {
                walked
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .push((path.to_string(), *oid));
            }
            false
        };
    let Scanned {
        files,
        oids,
        too_large,
        binary,
        cache_hits,
        remote_hits,
        imports_unwanted,
    } = scan_snapshot_with(
        &snap,
        scan_opts,
        scope,
        cache,
        config.scan.max_file_size(),
        in_source.then_some(&record as AlsoRead<'_>),
        Some(&wants),
    );
    drop(dev_only);
    // A walk counts once its file's facts came whole from the cache with their imports not
    // wanted (files are in path order).
    let mut confirmed = vec![false; if free_folders.is_some() { files.len() } else { 0 }];
    for (path, oid) in walked
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
    {
        if let Ok(i) = files.binary_search_by(|(p, _)| p.as_str().cmp(&path))
            && imports_unwanted[i]
            && oids[i] == oid
        {
            import_free.insert(&path, &oid);
            if let Some(c) = confirmed.get_mut(i) {
                *c = true;
            }
        }
    }
    // Its imports decoded whole (parsed by this run, or for another reader) and none of them
    // wanted: import-free too, and kept so. (A cold run walks no cached facts: without this,
    // its set, which it shares in the context bundle, held no file, and a fresh clone
    // walked every file's imports again.)
    let decoded_free = |i: usize| {
        !imports_unwanted[i]
            && !files[i]
                .1
                .imports
                .iter()
                .any(rules::env_required_by_package::wants_decoded)
    };
    if required_on && full {
        for i in (0..files.len()).filter(|&i| decoded_free(i)) {
            if !import_free.contains(&files[i].0, &oids[i]) {
                import_free.insert(&files[i].0, &oids[i]);
            }
        }
    }
    if let Some(folders) = free_folders {
        // Import-free: found so by this run's walk, known so, or its imports decoded whole
        // (for another reader) and none of them wanted.
        let root_free = folders.record(&snap, &files, |i| {
            confirmed[i] || decoded_free(i) || import_free.contains(&files[i].0, &oids[i])
        });
        // The next full check asks the root folder alone: a fresh clone need not download the
        // per-file set in the context bundle.
        if root_free && let Some(file) = import_free.file() {
            crate::cache::bundle::unneeded(file);
        }
    }
    let _ = import_free.save_bounded(snap.len(), clean::each_file(&snap));
    let generated = std::sync::atomic::AtomicUsize::new(0);
    timings::report("scan", &t0);
    let mut findings = Vec::new();
    let t0 = Mark::now();

    if enabled("imports") {
        // Resolution caches grow with every path probed; on very large repositories they are
        // dropped between chunks of files to bound memory (outcomes stay memoised).
        let chunk = if files.len() > 40_000 { 20_000 } else { usize::MAX };
        let per_file: Vec<Vec<Finding>> = files
            .chunks(chunk)
            .zip(oids.chunks(chunk))
            .zip(imports_unwanted.chunks(chunk))
            .flat_map(|((part, part_oids), part_unwanted)| {
                let found: Vec<Vec<Finding>> = part
                    .par_iter()
                    .zip(part_oids)
                    .zip(part_unwanted)
                    .map(|(((path, facts), oid), &unwanted)| {
                        let oid = *oid;
                        // `wants` said no: not mine, or in the clean set (asked once).
                        if unwanted || !mine(path) || clean.contains(path, &oid) {
                            return Vec::new();
                        }
                        // A verdict that depends on the disk (an ignored file absent) is never
                        // remembered as clean: the file may appear.
                        let mut on_disk = false;
                        let found: Vec<Finding> = facts
                            .imports
                            .iter()
                            .filter_map(|imp| {
                                let verdict = resolver.resolve_import(path, imp);
                                on_disk |= matches!(verdict, Verdict::Ignored(_))
                                    || crate::resolve::depends_on_disk(imp, &verdict);
                                import_finding(&resolver, path, imp, verdict, &generated)
                            })
                            .filter(|f| !facts.suppressed(f.rule.id, f.line))
                            .collect();
                        if found.is_empty() && !on_disk {
                            clean.insert(path, &oid);
                        }
                        found
                    })
                    .collect();
                if chunk != usize::MAX {
                    resolver.clear_caches();
                }
                found
            })
            .collect();
        let _ = clean.save();
        // One `imports/unknown-specifier` per prefix and package, among the reported paths.
        let mut reported: Vec<Finding> = per_file
            .into_iter()
            .flatten()
            .filter(|f| in_request_paths(req, &f.path))
            .collect();
        if ask_text_loaded {
            let t1 = Mark::now();
            mark_text_loaded(config, &snap, &mut reported, cache, scan_opts);
            timings::report("imports: files loaded as text", &t1);
        }
        findings.extend(rules::imports_unknown_specifier::once_per_prefix(
            reported,
            &resolver.packages,
        ));
    }
    timings::report("imports", &t0);
    let t0 = Mark::now();
    // Findings about the repository as a whole (config files, env files, path set) are only
    // computed for full checks: a scoped check runs only when no such file changed, so they
    // equal the baseline's (new case collisions are found by `new_case_collisions`).
    let global = *scope == FileScope::All;
    let env_enabled = enabled("env");
    if env_enabled || enabled("secrets") {
        // `HOOKCTL_TIMINGS`: each step's line is cumulative from the phase's start.
        let step = |name: &str| timings::report(name, &t0);
        let cx = rules::env_context::EnvContext::new(config, &snap, &files, Some(&resolver.packages))
            .with_bundler(resolver.bundler())
            .reading_only(&mine);
        step("env, files: env context");
        if env_enabled {
            findings.extend(rules::env_undeclared::check(&cx));
            step("env, files: env/undeclared");
            if config.level(&rules::ENV_TURBO_FILTERED) != crate::config::Level::Off {
                findings.extend(rules::env_turbo_filtered::check(&cx));
                step("env, files: env/turbo-filtered");
            }
            findings.extend(rules::env_local_only::check(&cx));
            findings.extend(rules::env_dynamic::check(&cx));
            step("env, files: env/local-only, env/dynamic");
            findings.extend(rules::env_public_secret::check(&cx, global));
            step("env, files: env/public-secret");
            findings.extend(rules::env_client_read::check(&cx, &resolver.packages));
            step("env, files: env/client-read");
            if global {
                findings.extend(rules::env_required_by_package::check(
                    &cx,
                    &resolver.packages,
                    &snap,
                ));
                if config.level(&rules::ENV_UNUSED) != crate::config::Level::Off {
                    findings.extend(rules::env_unused::check(&cx));
                }
                step("env, files: env/required-by-package, env/unused");
            }
        }
        if enabled("secrets") && global {
            let env_clean = rules::secrets_env_file::clean_set(&snap, &cache_dir(&snap));
            findings.extend(rules::secrets_env_file::check(&cx, &env_clean));
            let _ = env_clean.save_bounded(snap.len(), clean::each_file(&snap));
            step("env, files: secrets/env-file");
        }
        unreadable.extend(cx.declarations.errors().iter().cloned());
    }
    if enabled("deps") && config.level(&rules::DEPS_DEV_ONLY_AT_RUNTIME) != crate::config::Level::Off {
        let t0 = Mark::now();
        findings.extend(rules::deps_dev_only_at_runtime::check(
            config,
            &resolver.packages,
            &files,
        ));
        timings::report("deps/dev-only-at-runtime", &t0);
    }
    if in_source {
        let t0 = Mark::now();
        let scoped: Option<Vec<&str>> = match scope {
            FileScope::All => None,
            FileScope::Files(set) => Some(set.iter().map(String::as_str).collect()),
        };
        findings.extend(rules::secrets_in_source::check(
            config,
            &snap,
            scoped.as_deref(),
            secrets_clean.unwrap_or_else(CleanSet::disabled),
            secrets_folders,
            cache.remote(),
            already_read,
        ));
        timings::report("secrets in source", &t0);
    }
    // Suppression comments apply to every rule reported in a source file (a map of the files
    // that have any: most have none, and hashing every path was 2% of a warm full check).
    let by_path: std::collections::HashMap<&str, &Facts> = files
        .iter()
        .filter(|(_, f)| !f.suppressions.is_empty())
        .map(|(p, f)| (p.as_str(), f))
        .collect();
    findings.retain(|f| {
        by_path
            .get(f.path.as_str())
            .is_none_or(|facts| !facts.suppressed(f.rule.id, f.line))
    });
    if enabled("files") && global {
        findings.extend(unreadable);
        findings.extend(rules::files_case_collision::check_cached(
            &snap,
            &cache_dir(&snap),
        ));
        findings.extend(rules::node_version::check(&snap, &resolver.packages));
    }
    if enabled("deps") && global {
        let t0 = Mark::now();
        findings.extend(rules::deps_lockfile_drift::check(&snap, &resolver.packages));
        timings::report("lockfile drift", &t0);
    }

    timings::report("env, files", &t0);
    let findings = finalize(config, req, findings);
    Ok(Outcome {
        findings,
        files: files.len(),
        too_large,
        binary,
        cache_hits,
        remote_hits,
        generated_silenced: generated.into_inner(),
        notes,
        kept: Some(Kept {
            _resolver: resolver,
            _files: files,
        }),
        ..Outcome::default()
    })
}

/// Soften the findings of files that the snapshot's importers all load as text
/// ([`rules::text_loaded`]); the import graph is read only when such a finding exists.
fn mark_text_loaded(
    config: &Config,
    snap: &Arc<Snapshot>,
    findings: &mut [Finding],
    cache: &FactsCache,
    scan_opts: &ScanOptions,
) {
    let mut files: Vec<&str> = findings
        .iter()
        .filter(|f| rules::text_loaded::softened(f))
        .map(|f| f.path.as_str())
        .collect();
    if files.is_empty() {
        return;
    }
    files.sort_unstable();
    files.dedup();
    // Within `[scan] max_file_size`, as the checks scan: facts of a larger file, once cached,
    // would be read by the next full check (cold and warm would differ).
    let limit = config.scan.max_file_size();
    let facts = |need: HashSet<String>| -> std::collections::HashMap<String, Facts> {
        scan_snapshot_limited(snap, scan_opts, &FileScope::Files(need), cache, limit)
            .files
            .into_iter()
            .collect()
    };
    // A graph that cannot be built (an unreadable object) softens nothing: the findings block.
    let loaded = crate::graph::loaded_as_text(config, snap, &files, &facts).unwrap_or_default();
    rules::text_loaded::mark(findings, &loaded);
}

fn import_finding(
    resolver: &Resolver,
    path: &str,
    imp: &scan::Import,
    verdict: Verdict,
    generated: &std::sync::atomic::AtomicUsize,
) -> Option<Finding> {
    let finding = import_finding_certain(resolver, path, imp, verdict, generated)?;
    Some(rules::imports_uncertain::soften(finding, path, imp, || {
        resolver.checks_declaration_files(path)
    }))
}

fn import_finding_certain(
    resolver: &Resolver,
    path: &str,
    imp: &scan::Import,
    verdict: Verdict,
    generated: &std::sync::atomic::AtomicUsize,
) -> Option<Finding> {
    let snap = resolver.snapshot();
    match verdict {
        Verdict::File(_) | Verdict::External | Verdict::Ignored(_) => None,
        Verdict::Generated(_) => {
            generated.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            None
        }
        Verdict::Untracked(target) => Some(rules::imports_untracked::finding(snap, path, imp, &target)),
        Verdict::CaseMismatch { written, real } => {
            Some(rules::imports_case_mismatch::finding(path, imp, &written, &real))
        }
        Verdict::Unresolved if !snap.work_tree => {
            Some(rules::imports_unresolved::finding_in_commit(path, imp))
        }
        Verdict::Unresolved => Some(rules::imports_unresolved::finding(path, imp)),
        Verdict::NeedsExtension(found) => Some(rules::imports_unresolved::needs_extension(path, imp, &found)),
        Verdict::Undeclared(pkg) => Some(rules::imports_undeclared_dependency::finding(
            path,
            imp,
            &pkg,
            &resolver.packages,
        )),
        Verdict::OtherExtension { found, ext } => Some(rules::imports_unknown_specifier::other_extension(
            path, imp, &found, &ext,
        )),
        Verdict::Unknown { why } => Some(rules::imports_unknown_specifier::finding(
            path,
            imp,
            why.as_deref(),
        )),
    }
}

/// Apply levels from config (dropping `off`), `HOOKCTL_SKIP`, the path filter; hide env files'
/// lines; sort.
fn finalize(config: &Config, req: &Request, findings: Vec<Finding>) -> Vec<Finding> {
    let mut out: Vec<Finding> = findings
        .into_iter()
        .filter_map(|mut f| {
            let rule = f.rule;
            if req.skip.iter().any(|s| s == rule.id) {
                return None;
            }
            // A finding a rule reports as a warning (not certain to break) stays one.
            f.severity = config.level_at(rule, &f.path).severity()?.min(f.severity);
            if f.uncertain {
                f.severity = f.severity.min(diagnostic::Severity::Warning);
            }
            // An env file's lines are values: never shown under a finding.
            if crate::env::env_file_kind(&f.path).is_some() {
                f.hide_source = true;
            }
            Some(f)
        })
        .filter(|f| in_request_paths(req, &f.path))
        .collect();
    diagnostic::sort(&mut out);
    out.dedup();
    // One finding per rule, line and specifier/name: a name read twice on one line
    // (`process.env.X ? process.env.X : d`), a specifier imported twice (`vi.mock('x', () =>
    // import('x'))`) is one problem.
    let mut seen = HashSet::new();
    out.retain(|f| {
        let (rule, path, what) = f.key();
        f.line == 0 || seen.insert((rule, path.to_string(), f.line, what.to_string()))
    });
    // One `files/unreadable` per file is enough (an env file can be read both as declarations
    // and by the secret scan).
    let mut unreadable = HashSet::new();
    out.retain(|f| f.rule != &rules::FILES_UNREADABLE || unreadable.insert(f.path.clone()));
    out
}

/// Is `path` among the paths the request reports on (all when it names none)?
fn in_request_paths(req: &Request, path: &str) -> bool {
    req.paths.is_empty()
        || req.paths.iter().any(|p| {
            let p = p.trim_end_matches('/');
            p.is_empty() || path == p || path.starts_with(&format!("{p}/"))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast naming of a fresh clone's download (one pass, keys sorted as bytes) names the
    /// same artifact, with the same keys in the same order, as naming the source paths with the
    /// keys sorted as `Oid`s (what every earlier version uploaded under).
    #[test]
    fn the_snapshot_is_named_as_sorting_oids_names_it() {
        let mut files: Vec<(String, Vec<u8>)> = (0..600)
            .map(|i| {
                (
                    format!("src/f{i}.{}", ["ts", "tsx", "vue", "css", "md", "json"][i % 6]),
                    format!("export const x{} = {i};", i % 250).into_bytes(),
                )
            })
            .collect();
        files.push(("node_modules/a/index.js".into(), b"1".to_vec()));
        files.push(("pkg/node_modules/b.ts".into(), b"2".to_vec()));
        files.push(("src/node_modules_x.ts".into(), b"3".to_vec()));
        let snap = Snapshot::from_files("/nonexistent", files);
        let paths = source_paths(&snap);
        assert!(paths.iter().any(|(p, _)| *p == "src/node_modules_x.ts"));
        assert!(!paths.iter().any(|(p, _)| p.contains("node_modules/")));
        let mut oids: Vec<git2::Oid> = paths
            .iter()
            .filter_map(|(p, e)| FileKind::for_path(p).map(|kind| crate::cache::facts_key(&e.oid, kind)))
            .collect();
        oids.sort_unstable();
        oids.dedup();
        assert!(oids.len() < paths.len(), "some keys repeat");
        let bytes: Vec<[u8; 20]> = oids.iter().map(|o| o.as_bytes().try_into().unwrap()).collect();
        let want = crate::cache::remote::snapshot_hash(7, &bytes);
        assert_eq!(snapshot_name(&paths, 7), (oids.clone(), want.clone()));
        assert_eq!(snapshot_name_all(&snap, 7), (paths.len(), want));
        // Keys spread as blob ids are (the in-memory snapshot's ids are all zero), some equal,
        // some alike in their first 16 bytes and not in the last 4, or the reverse.
        let mut keys: Vec<[u8; 20]> = (0u64..3000)
            .map(|i| {
                let h = xxhash_rust::xxh3::xxh3_128(&(i % 2500).to_le_bytes()).to_le_bytes();
                let mut k = [0u8; 20];
                k[..16].copy_from_slice(&h);
                k[16..].copy_from_slice(&h[..4]);
                match i % 7 {
                    0 => k[..16].fill(0xab),
                    1 => k[16..].fill(0),
                    _ => {}
                }
                k
            })
            .collect();
        let mut oids: Vec<git2::Oid> = keys.iter().map(|k| git2::Oid::from_bytes(k).unwrap()).collect();
        oids.sort_unstable();
        oids.dedup();
        keys.reverse();
        let (named, _) = name_keys(keys, 7);
        assert_eq!(named, oids);
    }
}
