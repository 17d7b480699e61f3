//! `hookctl check`: the built-in checks by hand or in CI.

use crate::checks::{self, Baseline, Request, Target};
use crate::cli::{CheckArgs, SnapshotArgs};
use crate::config::Config;
use crate::diagnostic::Severity;
use crate::report::{self, Summary};
use crate::{Ctx, Exit, snapshot};
use std::fmt::Write as _;

pub fn run(ctx: &Ctx, args: &CheckArgs) -> anyhow::Result<Exit> {
    let (repo, paths) = crate::git::discover()?;
    let target = target(&repo, &args.snapshot)?;
    // A bare repository (a server's custom hook) has no configuration on disk: the checked
    // commit's own, as `hookctl install --server`'s hook uses.
    let config = ctx.adjust(match &target {
        Target::Commit(oid) if repo.is_bare() && ctx.config.is_none() => Config::from_commit(&repo, *oid)?,
        _ => Config::load(&paths.root, ctx.config.as_deref())?,
    });
    if let (Target::Commit(oid), Some(note)) = (&target, config.unread_extends_note()) {
        let short: String = oid.to_string().chars().take(10).collect();
        crate::info!("hookctl: note: {short}: {note}");
    }
    let baseline = if args.all_findings {
        Baseline::None
    } else if let Some(rev) = &args.baseline {
        match (&target, rev.len() >= 40 && rev.bytes().all(|b| b == b'0')) {
            // A server hook's old value of a new ref: what it adds to the default branch.
            (Target::Commit(tip), true) => {
                super::receive::baseline(&repo, None, *tip).map_or(Baseline::None, Baseline::Commit)
            }
            (_, true) => Baseline::None,
            _ => Baseline::Commit(snapshot::rev_to_commit(&repo, rev)?),
        }
    } else {
        match &target {
            // A commit is compared with its first parent.
            Target::Commit(oid) => match repo.find_commit(*oid)?.parent_id(0) {
                Ok(parent) => Baseline::Commit(parent),
                Err(_) => Baseline::None,
            },
            _ => Baseline::Head,
        }
    };
    // By hand, every finding marked new or not; `--new`/`--baseline`, only the new ones.
    let only_new = args.new || args.baseline.is_some();
    let filter = path_filter(ctx, &repo, &target, &paths.root, &args.paths)?;
    let req = Request {
        target,
        baseline,
        groups: Vec::new(),
        skip: crate::skip_list(),
        paths: filter,
        folder_groups: Vec::new(),
        local: Default::default(),
    };
    let outcome = if only_new || args.all_findings {
        checks::run(&config, &req)?
    } else {
        checks::run_marked(&config, &req)?
    };
    let exit = exit_for(&outcome.findings);
    // Walks every path of the snapshot: only when it will be shown.
    let details = if ctx.verbose {
        details(&config, &outcome)
    } else {
        Vec::new()
    };
    print_outcome(ctx, args.format, &outcome, exit, details);
    // The outcome (the snapshot, the resolver, every file's facts: [`checks::Kept`]) is not
    // needed past this point and the process's exit frees it at once; dropping it piece by
    // piece costs a full check more. Nothing in it has to be done on drop (the caches are
    // saved, no file written, no lock held).
    std::mem::forget(outcome);
    Ok(exit)
}

/// Exit 1 when any finding is an error.
pub fn exit_for(findings: &[crate::diagnostic::Finding]) -> Exit {
    if findings.iter().any(|f| f.severity == Severity::Error) {
        Exit::Failure
    } else {
        Exit::Success
    }
}

/// Print notes to stderr and findings + summary to stdout in the chosen format. A closed
/// stdout ends the process with `exit`.
pub fn print_outcome(
    ctx: &Ctx,
    format: crate::cli::Format,
    outcome: &checks::Outcome,
    exit: Exit,
    details: Vec<String>,
) {
    for n in &outcome.notes {
        crate::info!("warning: {n}");
    }
    let opts = report::Options {
        format,
        color: crate::output::stdout_color(),
        quiet: ctx.quiet,
        unit: "file",
        verbose: ctx.verbose,
        ..report::Options::default()
    };
    // `--new` analyses only what differs from the baseline, and the rest cannot have new
    // findings: it checked the same files as a full check, and says so.
    let files = match (outcome.changed, &outcome.snapshot) {
        (Some(_), Some(snap)) => checks::source_count(snap)
            .saturating_sub(outcome.too_large.len() + outcome.binary.len())
            .max(outcome.files),
        _ => outcome.files,
    };
    let mut summary = Summary::new(files, &outcome.findings, outcome.elapsed);
    summary.skipped_too_large = outcome.too_large.len();
    summary.details = details;
    if outcome.findings.iter().any(|f| f.new.is_some()) {
        summary.new = Some(outcome.findings.iter().filter(|f| f.new == Some(true)).count());
    }
    crate::output::set_exit(exit);
    crate::output::with_stdout(|out| report::print(out, &opts, &outcome.findings, &summary, outcome));
}

/// The `--verbose` lines under the summary: what was scanned and what was skipped, and why.
fn details(config: &Config, outcome: &checks::Outcome) -> Vec<String> {
    let remote = match outcome.remote_hits {
        0 => String::new(),
        n => format!(", {n} from the remote cache"),
    };
    let mut lines = vec![format!(
        "scanned: {} source file{} ({} from the cache{remote}, {} parsed)",
        outcome.files,
        if outcome.files == 1 { "" } else { "s" },
        outcome.cache_hits.min(outcome.files),
        outcome
            .files
            .saturating_sub(outcome.cache_hits + outcome.remote_hits)
    )];
    if outcome.generated_silenced > 0 {
        lines.push(format!(
            "silenced: {} import{} of generated files (folders in data/generated-dirs.txt and [imports] generated)",
            outcome.generated_silenced,
            if outcome.generated_silenced == 1 { "" } else { "s" }
        ));
    }
    if !outcome.too_large.is_empty() {
        const SHOWN: usize = 10;
        let mut names = outcome
            .too_large
            .iter()
            .take(SHOWN)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        if outcome.too_large.len() > SHOWN {
            let _ = write!(names, " and {} more", outcome.too_large.len() - SHOWN);
        }
        lines.push(format!(
            "skipped, larger than max_file_size ({}): {names}",
            crate::config::human_size(config.scan.max_file_size())
        ));
    }
    if !outcome.binary.is_empty() {
        lines.push(format!("skipped, binary content: {}", first_few(&outcome.binary)));
    }
    if let Some(snap) = &outcome.snapshot {
        lines.extend(unsupported(snap));
    }
    lines
}

/// Extensions of files that hold code or markup a user may expect hookctl to read, but that it
/// does not scan (other files, images or docs, are not worth a line).
const CODE_LIKE: &[&str] = &[
    "css",
    "scss",
    "sass",
    "less",
    "styl",
    "pcss",
    "html",
    "htm",
    "coffee",
    "hbs",
    "handlebars",
    "ejs",
    "pug",
    "njk",
    "liquid",
    "marko",
    "riot",
    "elm",
    "res",
    "imba",
];

/// `skipped, unsupported extension: .css 12 (a.css, b.css, ...), .html 1 (index.html)`
fn unsupported(snap: &crate::snapshot::Snapshot) -> Option<String> {
    let mut by_ext: std::collections::BTreeMap<&str, Vec<String>> = std::collections::BTreeMap::new();
    for (path, e) in snap {
        if e.kind != crate::snapshot::EntryKind::File
            || checks::is_source(path)
            || path.split('/').any(|c| c == "node_modules")
        {
            continue;
        }
        let name = path.rsplit('/').next().unwrap_or(path);
        let Some((_, ext)) = name.rsplit_once('.') else {
            continue;
        };
        if let Some(known) = CODE_LIKE.iter().find(|c| c.eq_ignore_ascii_case(ext)) {
            by_ext.entry(known).or_default().push(path.to_string());
        }
    }
    if by_ext.is_empty() {
        return None;
    }
    let parts: Vec<String> = by_ext
        .iter()
        .map(|(ext, paths)| format!(".{ext} {} ({})", paths.len(), first_few(paths)))
        .collect();
    Some(format!("skipped, unsupported extension: {}", parts.join("; ")))
}

/// The first three paths, and how many more.
fn first_few(paths: &[String]) -> String {
    const SHOWN: usize = 3;
    let mut s = paths.iter().take(SHOWN).cloned().collect::<Vec<_>>().join(", ");
    if paths.len() > SHOWN {
        let _ = write!(s, " and {} more", paths.len() - SHOWN);
    }
    s
}

pub fn target(repo: &git2::Repository, s: &SnapshotArgs) -> anyhow::Result<Target> {
    Ok(if let Some(rev) = &s.rev {
        Target::Commit(snapshot::rev_to_commit(repo, rev)?)
    } else if s.worktree {
        Target::Worktree
    } else {
        Target::Index
    })
}

/// Paths given on the command line, made repo-relative. A path that names nothing, neither on
/// disk nor in the snapshot (a deleted but still staged file), is a typo that would otherwise
/// report "no findings" for nothing checked: exit 2.
fn path_filter(
    ctx: &Ctx,
    repo: &git2::Repository,
    target: &Target,
    root: &std::path::Path,
    paths: &[std::path::PathBuf],
) -> anyhow::Result<Vec<String>> {
    paths
        .iter()
        .map(|p| {
            let abs = ctx.cwd.join(p);
            let on_disk = abs.symlink_metadata().is_ok();
            let abs = abs.canonicalize().unwrap_or(abs);
            let rel = abs
                .strip_prefix(root)
                .map_err(|_| anyhow::anyhow!("{}: outside the repository", p.display()))?;
            let rel = rel.to_string_lossy().replace('\\', "/");
            if !on_disk && !in_snapshot(repo, target, &rel) {
                return Err(anyhow::anyhow!(
                    "{}: no such file or folder (on disk or in the checked snapshot)",
                    p.display()
                ));
            }
            Ok(rel)
        })
        .collect()
}

/// Whether `rel` is a file of the snapshot or a folder holding some.
fn in_snapshot(repo: &git2::Repository, target: &Target, rel: &str) -> bool {
    let rel = rel.trim_end_matches('/');
    if rel.is_empty() {
        return true;
    }
    let folder = format!("{rel}/");
    match target {
        Target::Commit(oid) => repo
            .find_commit(*oid)
            .and_then(|c| c.tree())
            .is_ok_and(|t| t.get_path(std::path::Path::new(rel)).is_ok()),
        _ => repo.index().is_ok_and(|index| {
            index.iter().any(|e| {
                let path = String::from_utf8_lossy(&e.path);
                path == rel || path.starts_with(&folder)
            })
        }),
    }
}
