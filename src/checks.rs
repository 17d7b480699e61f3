//! The built-in checks: snapshot -> scan -> resolve -> rules, then "new findings only"
//! against a baseline.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostic::{self, Finding};
use crate::resolve::{Resolver, Verdict};
use crate::rules;
use crate::scan::{self, Facts, Lang, ScanOptions};
use crate::snapshot::{self, Snapshot};

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
    /// The repository's work tree root.
    pub root: PathBuf,
    pub target: Target,
    pub baseline: Baseline,
    /// Check groups to run (`imports`, `files`, `env`, `secrets`); empty = all.
    pub groups: Vec<String>,
    /// Rule ids or groups to skip (`HOOKCTL_SKIP`).
    pub skip: Vec<String>,
    /// Only report findings under these repo-relative paths (empty = everywhere).
    pub paths: Vec<String>,
}

#[derive(Debug, Default)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    /// Source files scanned.
    pub files: usize,
    pub elapsed: Duration,
    /// Warnings about hookctl's own inputs (e.g. a tsconfig `extends` from an uninstalled package).
    pub notes: Vec<String>,
    /// The checked snapshot, for showing source lines.
    pub snapshot: Option<Arc<Snapshot>>,
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
    let start = Instant::now();
    let (repo, paths) = snapshot::open()?;
    let baseline = match &req.baseline {
        Baseline::None => None,
        Baseline::Commit(oid) => Some(*oid),
        Baseline::Head => snapshot::head_commit(&repo),
    };
    let snap = match &req.target {
        Target::Index => Snapshot::index(repo, &paths)?,
        Target::Commit(oid) => Snapshot::commit(repo, &paths, *oid)?,
        Target::Worktree => Snapshot::worktree(repo, &paths)?,
    };
    let snap = Arc::new(snap);
    let mut outcome = analyze(config, snap.clone(), req)?;
    if let Some(base) = baseline {
        let base_snap = Snapshot::commit(git2::Repository::open(&paths.git_dir)?, &paths, base)?;
        let old = analyze(config, Arc::new(base_snap), req)?;
        let known: HashSet<(String, String, String)> = old.findings.iter().map(owned_key).collect();
        outcome.findings.retain(|f| !known.contains(&owned_key(f)));
    }
    outcome.snapshot = Some(snap);
    outcome.elapsed = start.elapsed();
    Ok(outcome)
}

fn owned_key(f: &Finding) -> (String, String, String) {
    let (r, p, w) = f.key();
    (r.to_string(), p.to_string(), w.to_string())
}

/// Source files hookctl scans: TS/JS outside `node_modules`.
pub fn is_source(path: &str) -> bool {
    Lang::for_path(path).is_some() && !path.split('/').any(|c| c == "node_modules")
}

/// Extract facts from every source file of the snapshot, in parallel.
pub fn scan_snapshot(snap: &Snapshot, opts: &ScanOptions) -> Vec<(String, Facts)> {
    let paths: Vec<&str> = snap
        .entries()
        .iter()
        .filter(|(p, e)| e.kind == snapshot::EntryKind::File && is_source(p))
        .map(|(p, _)| p.as_str())
        .collect();
    let contents = snap.read_many(&paths);
    paths
        .par_iter()
        .zip(contents.into_par_iter())
        .map(|(p, bytes)| {
            let facts = match (bytes, Lang::for_path(p)) {
                (Ok(b), Some(lang)) => scan::extract(lang, &b, opts),
                _ => Facts::default(),
            };
            (p.to_string(), facts)
        })
        .collect()
}

/// All findings of one snapshot, with configured severities applied and filters honoured.
fn analyze(config: &Config, snap: Arc<Snapshot>, req: &Request) -> anyhow::Result<Outcome> {
    let enabled = |group: &str| {
        (req.groups.is_empty() || req.groups.iter().any(|g| g == group))
            && !req.skip.iter().any(|s| s == group)
    };
    let scan_opts = ScanOptions {
        env_accessors: config.env.accessors.clone(),
    };
    let files = scan_snapshot(&snap, &scan_opts);
    let mut findings = Vec::new();
    let mut notes = Vec::new();
    let mut unreadable = Vec::new();
    let resolver = Resolver::new(snap.clone(), &config.imports, &mut unreadable, &mut notes);

    if enabled("imports") {
        let per_file: Vec<Vec<Finding>> = files
            .par_iter()
            .map(|(path, facts)| {
                facts
                    .imports
                    .iter()
                    .filter_map(|imp| import_finding(&resolver, path, imp))
                    .filter(|f| !facts.suppressed(f.rule, f.line))
                    .collect()
            })
            .collect();
        findings.extend(per_file.into_iter().flatten());
    }
    if enabled("files") {
        findings.extend(unreadable);
        findings.extend(rules::files_case_collision::check(&snap));
    }

    let findings = finalize(config, req, findings);
    Ok(Outcome {
        findings,
        files: files.len(),
        notes,
        ..Outcome::default()
    })
}

fn import_finding(resolver: &Resolver, path: &str, imp: &scan::Import) -> Option<Finding> {
    let snap = resolver.snapshot();
    match resolver.resolve(path, &imp.specifier, imp.type_only) {
        Verdict::File(_) | Verdict::External | Verdict::Generated(_) => None,
        Verdict::Untracked(target) => Some(rules::imports_untracked::finding(snap, path, imp, &target)),
        Verdict::CaseMismatch { written, real } => {
            Some(rules::imports_case_mismatch::finding(path, imp, &written, &real))
        }
        Verdict::Unresolved => Some(rules::imports_unresolved::finding(path, imp)),
        Verdict::Undeclared(pkg) => Some(rules::imports_undeclared_dependency::finding(
            path,
            imp,
            &pkg,
            &resolver.packages,
        )),
    }
}

/// Apply levels from config (dropping `off`), `HOOKCTL_SKIP`, the path filter; sort.
fn finalize(config: &Config, req: &Request, findings: Vec<Finding>) -> Vec<Finding> {
    let mut out: Vec<Finding> = findings
        .into_iter()
        .filter_map(|mut f| {
            let rule = rules::by_id(f.rule)?;
            if req.skip.iter().any(|s| s == f.rule) {
                return None;
            }
            f.severity = config.level(rule).severity()?;
            Some(f)
        })
        .filter(|f| {
            req.paths.is_empty()
                || req.paths.iter().any(|p| {
                    let p = p.trim_end_matches('/');
                    p.is_empty() || f.path == p || f.path.starts_with(&format!("{p}/"))
                })
        })
        .collect();
    diagnostic::sort(&mut out);
    out.dedup();
    out
}
