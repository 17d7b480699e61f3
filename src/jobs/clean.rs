//! Clean-room checkouts: exactly the snapshot's files in a temporary directory, with
//! `node_modules` (or the configured `link` paths) symlinked from the work tree.
//!
//! Both kinds of snapshot go through `git checkout-index -a --prefix=<dir>/`: for an index as
//! is (`GIT_INDEX_FILE` honoured), for a commit via `git read-tree` into a throwaway index file
//! inside the temporary directory. Unlike `git worktree add` this registers nothing under
//! `.git/worktrees` and takes no lock on the user's index; unlike `git archive` it honours no
//! `export-ignore` and applies the same smudge filters and line-ending settings as a checkout.
//! The directory lives in the system temp dir rather than under `.git/`, so tools that walk
//! up for config (`tsconfig.json`, `.eslintrc`, `node_modules`) never find the real work tree.
//! It is not a git work tree.
//!
//! [`CleanDir`] removes everything when dropped: on success, failure, timeout and interrupt
//! (the runner turns SIGINT/SIGTERM into a normal return so the drop runs).

use crate::platform::{self, OsStrExt};
use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, bail};

use super::{Git, SnapshotRef};

/// A temporary checkout; removed on drop.
#[derive(Debug)]
pub struct CleanDir {
    /// The temporary directory (removed on drop).
    base: TempBase,
    /// The checkout inside it, named like the repository's folder.
    pub tree: PathBuf,
}

/// A new directory in the system temp dir named after this process (so that the next run
/// sweeps it if this one is killed outright), removed with everything in it on drop. Its path
/// is also recorded under hookctl's state folder (`<state>/tmp/`), so that any later run of
/// the repository removes it ([`sweep_recorded`]), not only one that makes another.
#[derive(Debug)]
pub struct TempBase {
    path: PathBuf,
    record: Option<PathBuf>,
}

impl TempBase {
    /// In the system temp dir; recorded under `state` when given.
    pub fn new(state: Option<&Path>) -> anyhow::Result<TempBase> {
        Self::new_in(&std::env::temp_dir(), state)
    }

    /// In `parent` instead of the system temp dir.
    pub fn new_in(parent: &Path, state: Option<&Path>) -> anyhow::Result<TempBase> {
        let path = make_base(parent)?;
        let record = state.and_then(|s| record(s, &path));
        Ok(TempBase { path, record })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempBase {
    fn drop(&mut self) {
        // remove_dir_all unlinks symlinks (node_modules) without following them.
        let _ = std::fs::remove_dir_all(&self.path);
        if let Some(r) = &self.record {
            let _ = std::fs::remove_file(r);
        }
    }
}

/// `<state>/tmp`: one file per temporary directory of a running hookctl, named
/// `<pid>-<start time>-<n>`, holding the directory's path.
fn records(state: &Path) -> PathBuf {
    state.join("tmp")
}

fn record(state: &Path, path: &Path) -> Option<PathBuf> {
    let dir = records(state);
    std::fs::create_dir_all(&dir).ok()?;
    let me = std::process::id() as i32;
    let start = super::orphans::start_time(me).unwrap_or(0);
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let file = dir.join(format!("{me}-{start}-{n}"));
    std::fs::write(&file, path.as_os_str().as_bytes()).ok()?;
    Some(file)
}

/// Remove the temporary directories (views, clean checkouts) recorded by hookctl runs that no
/// longer run. Returns how many were removed.
pub fn sweep_recorded(state: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(records(state)) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let mut parts = name.to_str().unwrap_or("").split('-');
        let (Some(pid), Some(start)) = (
            parts.next().and_then(|p| p.parse::<i32>().ok()),
            parts.next().and_then(|s| s.parse::<i64>().ok()),
        ) else {
            let _ = std::fs::remove_file(entry.path());
            continue;
        };
        if super::orphans::runs(pid, start) {
            continue;
        }
        if let Ok(bytes) = std::fs::read(entry.path()) {
            let dir = PathBuf::from(std::ffi::OsStr::from_bytes(&bytes));
            // Only what hookctl made: an absolute `hookctl-clean-*` directory.
            let ours = dir.is_absolute()
                && dir
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("hookctl-clean-"));
            if ours
                && dir.symlink_metadata().is_ok_and(|m| m.is_dir())
                && std::fs::remove_dir_all(&dir).is_ok()
            {
                removed += 1;
            }
        }
        let _ = std::fs::remove_file(entry.path());
    }
    removed
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// Remove checkouts left by a hookctl that was killed outright (SIGKILL, power loss): their
/// directory names carry the pid, which no longer runs.
fn sweep_stale(tmp: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(tmp) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix("hookctl-clean-"))
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<i32>().ok())
        else {
            continue;
        };
        // Signal 0 only asks whether the process exists (EPERM: it does, as another user's).
        let alive = platform::process_exists(pid);
        if !alive && entry.file_type().is_ok_and(|t| t.is_dir()) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

fn make_base(tmp: &Path) -> anyhow::Result<PathBuf> {
    sweep_stale(tmp);
    for _ in 0..100 {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let dir = tmp.join(format!("hookctl-clean-{}-{n}-{nanos:08x}", std::process::id()));
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e).with_context(|| format!("cannot create {}", dir.display())),
        }
    }
    bail!("cannot create a temporary directory in {}", tmp.display())
}

/// Check `snapshot` out into a new temporary directory and link `links` (repo-relative paths;
/// default: every `node_modules` beside a `package.json` of the snapshot) from the work tree.
pub fn materialize(git: &Git, snapshot: &SnapshotRef, links: Option<&[String]>) -> anyhow::Result<CleanDir> {
    let base = TempBase::new(Some(&super::state_dir(git)))?;
    let name = git
        .root
        .file_name()
        .map_or_else(|| "repo".into(), std::ffi::OsStr::to_os_string);
    let dir = CleanDir {
        tree: base.path().join(name),
        base,
    };
    let index = match snapshot {
        SnapshotRef::Index(file) => file.clone(),
        SnapshotRef::Commit(oid) => {
            let file = dir.base.path().join("index");
            git.run(&["read-tree", oid.as_str()], Some(&file))?;
            Some(file)
        }
    };
    let mut prefix = OsString::from("--prefix=");
    prefix.push(dir.tree.as_os_str());
    prefix.push("/");
    let args = [
        "checkout-index".as_ref(),
        "-a".as_ref(),
        "--ignore-skip-worktree-bits".as_ref(),
        prefix.as_os_str(),
    ];
    git.output(&args, index.as_deref())?;
    std::fs::create_dir_all(&dir.tree)?;

    let links: Vec<PathBuf> = match links {
        Some(list) => list
            .iter()
            .map(|l| checked_link(l))
            .collect::<anyhow::Result<_>>()?,
        None => super::index_files(git, index.as_deref())?
            .into_iter()
            .filter(|f| f.file_name().is_some_and(|n| n.as_bytes() == b"package.json"))
            .map(|f| f.with_file_name("node_modules"))
            .chain([PathBuf::from("node_modules")])
            .collect(),
    };
    for rel in links {
        let from = git.root.join(&rel);
        if from.symlink_metadata().is_err() {
            continue;
        }
        let Some(to) = link_location(&dir.tree, &rel)? else {
            continue;
        };
        platform::symlink(&from, &to)
            .with_context(|| format!("cannot link {} into the clean checkout", rel.display()))?;
    }
    Ok(dir)
}

/// Where the link for `rel` goes in the checkout at `tree`, its parent folders created one
/// by one; `None` when something is already there. The snapshot decides what the checkout's
/// folders are, and one of them may be a symlink (`web -> /srv/web`): following it would
/// write outside the temporary checkout, and nothing there is removed afterwards, so a
/// symlink on the way that leaves the checkout is refused.
fn link_location(tree: &Path, rel: &Path) -> anyhow::Result<Option<PathBuf>> {
    let real_tree = std::fs::canonicalize(tree)?;
    let mut at = tree.to_path_buf();
    let parts: Vec<_> = rel.components().filter(|c| *c != Component::CurDir).collect();
    for (i, part) in parts.iter().enumerate() {
        at.push(part);
        let meta = match at.symlink_metadata() {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if i + 1 == parts.len() {
                    return Ok(Some(at));
                }
                std::fs::create_dir(&at)
                    .with_context(|| format!("cannot create {} in the clean checkout", at.display()))?;
                continue;
            }
            Err(e) => return Err(e).with_context(|| format!("cannot inspect {}", at.display())),
        };
        if i + 1 == parts.len() {
            // A file or link of the snapshot itself: the snapshot wins, nothing is linked.
            return Ok(None);
        }
        if meta.file_type().is_symlink() {
            let inside = std::fs::canonicalize(&at).is_ok_and(|t| t.starts_with(&real_tree));
            if !inside {
                let shown: PathBuf = parts[..=i].iter().collect();
                let target = std::fs::read_link(&at).unwrap_or_default();
                bail!(
                    "`link = [\"{}\"]`: `{}` is a symlink to {} in the snapshot, outside the clean checkout; \
                     hookctl creates nothing outside it\nhint: link a path without symlinks on the way, or \
                     make `{}` a folder of the repository",
                    rel.display(),
                    shown.display(),
                    target.display(),
                    shown.display()
                );
            }
        } else if !meta.is_dir() {
            return Ok(None);
        }
    }
    Ok(None)
}

pub fn checked_link(raw: &str) -> anyhow::Result<PathBuf> {
    let p = Path::new(raw.trim_end_matches('/'));
    if p.as_os_str().is_empty()
        || !p
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
    {
        bail!("`link = [\"{raw}\"]`: links must be paths inside the repository");
    }
    Ok(p.to_path_buf())
}
