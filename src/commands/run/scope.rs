//! Which snapshots and files a hook run is about: the index for pre-commit (its staged files),
//! each pushed commit for pre-push (its ref lines), `--from-ref/--to-ref`, `--all-files`,
//! `--files`, and the whole index for other hooks.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::io::{IsTerminal, Read};
use std::path::PathBuf;

use anyhow::Context;

use crate::checks::{Baseline, Target};
use crate::cli::RunArgs;
use crate::jobs::{self, Git, SnapshotRef, push};

/// One thing the hook looks at: a snapshot, how to check it, and the files jobs get.
pub(super) struct HookScope {
    /// Shown above the jobs when a push has several refs.
    pub(super) label: Option<String>,
    pub(super) snapshot: SnapshotRef,
    pub(super) target: Target,
    pub(super) baseline: Baseline,
    pub(super) files: Vec<PathBuf>,
    /// Staged blob ids of `files` (hex), when known.
    pub(super) oids: std::collections::HashMap<PathBuf, String>,
    pub(super) env: Vec<(OsString, OsString)>,
    /// A ref-range hook (`post-checkout`, `post-merge`, `post-rewrite`, `pre-rebase`): a job
    /// runs only when some of `files` are its own, whatever its command.
    pub(super) require_files: bool,
}

/// `--files F...`: paths relative to the current directory, made repo-relative; a folder
/// stands for the index's files under it. A path that is neither in the index nor on disk is
/// a usage error.
pub(super) fn given_files(
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
            return Err(anyhow::anyhow!(
                "--files {}: outside the repository {}",
                f.display(),
                git.root.display()
            ));
        };
        let rel = rel.to_path_buf();
        let under: Vec<&PathBuf> = tracked
            .iter()
            .filter(|t| **t == rel || rel.as_os_str().is_empty() || t.starts_with(&rel))
            .collect();
        if under.is_empty() && !real.is_file() {
            return Err(anyhow::anyhow!(
                "--files {}: no such file in the index or on disk",
                f.display()
            ));
        }
        if under.is_empty() {
            // Not in the index: there is no staged version, so jobs get the file as it is.
            let what = match ignored_by(git, &rel) {
                Some(rule) => format!("ignored ({rule})"),
                None => "untracked".to_string(),
            };
            errln!(
                "hookctl: --files {}: {what}, not in the index: jobs get it as it is on disk",
                crate::report::escape::escape(&f.to_string_lossy())
            );
            files.push(rel);
        } else {
            files.extend(under.into_iter().cloned());
        }
    }
    files.dedup();
    Ok(files)
}

/// The ignore rule that matches an untracked path, as `file:line: pattern`.
fn ignored_by(git: &Git, rel: &std::path::Path) -> Option<String> {
    use crate::platform::OsStrExt;
    use std::io::Write;
    let mut child = git
        .cmd()
        .args(["check-ignore", "-v", "-z", "--stdin"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .ok()?;
    let mut input = rel.as_os_str().as_bytes().to_vec();
    input.push(0);
    child.stdin.take()?.write_all(&input).ok()?;
    let out = child.wait_with_output().ok()?.stdout;
    let fields: Vec<String> = out
        .split(|&b| b == 0)
        .map(|f| String::from_utf8_lossy(f).into_owned())
        .collect();
    let [source, line, pattern, ..] = &fields[..] else {
        return None;
    };
    Some(crate::report::escape::escape(&format!("{source}:{line}: `{pattern}`")).into_owned())
}

/// `--from-ref A --to-ref B`: the files changed from A to B, checked against A.
fn range_scope(git: &Git, from: &str, to: &str) -> anyhow::Result<HookScope> {
    let resolve = |r: &str| {
        git.commit_oid(r)
            .ok_or_else(|| anyhow::anyhow!("--from-ref/--to-ref: `{r}` is not a commit of this repository"))
    };
    let (a, b) = (resolve(from)?, resolve(to)?);
    let oid = |hex: &str| git2::Oid::from_str(hex).with_context(|| format!("bad object id {hex}"));
    Ok(HookScope {
        label: None,
        files: jobs::commit_files(git, Some(&a), &b)?,
        snapshot: SnapshotRef::Commit(b.clone()),
        target: Target::Commit(oid(&b)?),
        baseline: Baseline::Commit(oid(&a)?),
        oids: Default::default(),
        env: vec![
            jobs::env_pair("HOOKCTL_FROM_REF", a.clone()),
            jobs::env_pair("HOOKCTL_TO_REF", b.clone()),
        ],
        require_files: false,
    })
}

pub(super) fn scopes(
    git: &Git,
    hook: &str,
    args: &RunArgs,
    want_files: bool,
) -> anyhow::Result<Vec<HookScope>> {
    let index = jobs::index_from_env(git);
    let baseline = if matches!(hook, "pre-commit" | "pre-merge-commit") {
        Baseline::Head
    } else {
        Baseline::None
    };
    if let (Some(from), Some(to)) = (&args.from_ref, &args.to_ref) {
        return Ok(vec![range_scope(git, from, to)?]);
    }
    if args.all_files || !args.files.is_empty() {
        let cwd = std::env::current_dir().unwrap_or_else(|_| git.root.clone());
        let files = if args.all_files {
            jobs::index_files(git, index.as_deref())?
        } else {
            given_files(git, &cwd, &args.files, index.as_deref())?
        };
        return Ok(vec![HookScope {
            label: None,
            files,
            snapshot: SnapshotRef::Index(index),
            target: Target::Index,
            baseline,
            oids: Default::default(),
            env: Vec::new(),
            require_files: false,
        }]);
    }
    match hook {
        "pre-commit" | "pre-merge-commit" => {
            let staged = if want_files {
                jobs::staged_files_oids(git, index.as_deref())?
            } else {
                Vec::new()
            };
            Ok(vec![HookScope {
                label: None,
                files: staged.iter().map(|(p, _)| p.clone()).collect(),
                oids: staged.into_iter().collect(),
                snapshot: SnapshotRef::Index(index),
                target: Target::Index,
                baseline: Baseline::Head,
                env: Vec::new(),
                require_files: false,
            }])
        }
        "pre-push" => push_scopes(git, args, want_files),
        h if REF_RANGE_HOOKS.contains(&h) => ref_range_scope(git, hook, args, want_files).map(|s| vec![s]),
        _ => Ok(vec![HookScope {
            label: None,
            files: if want_files {
                jobs::index_files(git, index.as_deref())?
            } else {
                Vec::new()
            },
            snapshot: SnapshotRef::Index(index),
            target: Target::Index,
            baseline: Baseline::None,
            oids: Default::default(),
            env: Vec::new(),
            require_files: false,
        }]),
    }
}

/// Hooks whose jobs get the files changed between two refs (`{changed_files}`).
pub(super) const REF_RANGE_HOOKS: &[&str] = &["post-checkout", "post-merge", "post-rewrite", "pre-rebase"];

/// The two refs of a ref-range hook, from its arguments (and, for `post-rewrite amend`, its
/// stdin):
/// - `post-checkout <old> <new> <flag>`: old..new (every file of new after a clone, whose old
///   is the null id);
/// - `post-merge <squash>`: `ORIG_HEAD..HEAD`; a squash merge moves no ref, so HEAD against
///   the index it filled;
/// - `post-rewrite amend|rebase`: the amended commit (stdin's first line) or `ORIG_HEAD` (a
///   rebase's tip before it), ..HEAD;
/// - `pre-rebase <upstream> [<branch>]`: the files that differ between upstream and the
///   branch (HEAD when git passes none) — what the rebase will bring together.
///
/// Jobs run in the work tree (the new state, nothing to stage or restore); `clean = true`
/// checks out the new commit.
fn ref_range_scope(git: &Git, hook: &str, args: &RunArgs, want_files: bool) -> anyhow::Result<HookScope> {
    let arg = |i: usize| args.args.get(i).map(String::as_str);
    let commit = |r: &str| git.commit_oid(r);
    let head = || commit("HEAD");
    let null = |r: &str| !r.is_empty() && r.bytes().all(|b| b == b'0');
    let (base, tip, squash) = match hook {
        "post-checkout" => (
            arg(0).filter(|r| !null(r)).and_then(commit),
            arg(1).and_then(commit).or_else(head),
            false,
        ),
        "post-merge" => (commit("ORIG_HEAD"), head(), arg(0) == Some("1")),
        "post-rewrite" => {
            let base = if arg(0) == Some("amend") {
                amended_from(git)
            } else {
                None
            };
            (base.or_else(|| commit("ORIG_HEAD")), head(), false)
        }
        _ => (
            arg(0).and_then(commit),
            arg(1).and_then(commit).or_else(head),
            false,
        ),
    };
    let Some(tip) = tip else {
        // No commit yet (an unborn branch): nothing changed between refs.
        return Ok(HookScope {
            label: None,
            snapshot: SnapshotRef::Index(None),
            target: Target::Index,
            baseline: Baseline::None,
            files: Vec::new(),
            oids: Default::default(),
            env: Vec::new(),
            require_files: true,
        });
    };
    let oid = |hex: &str| git2::Oid::from_str(hex).with_context(|| format!("bad object id {hex}"));
    let files = match (want_files, squash) {
        (false, _) => Vec::new(),
        (true, true) => jobs::staged_files(git, None)?,
        (true, false) => jobs::commit_files(git, base.as_deref(), &tip)?,
    };
    Ok(HookScope {
        label: None,
        files,
        snapshot: SnapshotRef::Commit(tip.clone()),
        target: if squash {
            Target::Index
        } else {
            Target::Commit(oid(&tip)?)
        },
        baseline: match (&base, squash) {
            (_, true) => Baseline::Head,
            (Some(b), false) => Baseline::Commit(oid(b)?),
            (None, false) => Baseline::None,
        },
        oids: Default::default(),
        env: vec![
            jobs::env_pair("HOOKCTL_FROM_REF", base.unwrap_or_default()),
            jobs::env_pair("HOOKCTL_TO_REF", tip),
        ],
        require_files: true,
    })
}

/// `post-rewrite amend`: git writes `<old> <new>` on stdin; the old commit is the base.
fn amended_from(git: &Git) -> Option<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return None;
    }
    let mut raw = String::new();
    stdin.lock().read_to_string(&mut raw).ok()?;
    let old = raw.lines().next()?.split_whitespace().next()?;
    git.commit_oid(old)
}

pub(super) fn push_scopes(git: &Git, args: &RunArgs, want_files: bool) -> anyhow::Result<Vec<HookScope>> {
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
        push::parse(&String::from_utf8_lossy(&raw)).map_err(anyhow::Error::msg)?
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
        scopes.push(HookScope {
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
            snapshot: SnapshotRef::Commit(tip.clone()),
            oids: Default::default(),
            env: vec![
                jobs::env_pair("HOOKCTL_PUSH_FROM", base.clone().unwrap_or_default()),
                jobs::env_pair("HOOKCTL_PUSH_TO", tip.clone()),
                jobs::env_pair("HOOKCTL_PUSH_REF", line.remote_ref.clone()),
                jobs::env_pair("HOOKCTL_PUSH_LOCAL_REF", line.local_ref.clone()),
                jobs::env_pair("HOOKCTL_PUSH_REMOTE", remote.clone()),
                jobs::env_pair("HOOKCTL_PUSH_URL", url.clone()),
            ],
            require_files: false,
        });
    }
    Ok(scopes)
}
