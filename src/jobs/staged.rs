//! Jobs see what is committed: the staged content of partially staged files, without a stash.
//!
//! The usual commit has no partially staged file (every staged file's work-tree copy equals
//! its index blob, through git's clean filter): jobs run in the work tree, and the only cost is
//! a hash of each staged file. When a job's files include partially staged ones (or staged
//! files deleted from disk, or symlinks that lead to one), that job runs in a **view** instead:
//! a temporary directory that mirrors the work tree with symlinks, except that the folders on
//! the way to those files are real folders and the files themselves are their staged blobs
//! (`git checkout-index --prefix`, so filters and line endings are those of a checkout).
//! Everything else — `node_modules`, configs, the other sources, `.git` — is a symlink to the
//! real thing, so tools find what they find in place; the cost is one symlink per entry of the
//! folders on the way, not per file of the repository.
//!
//! Why a view and not the alternatives:
//! - a stash (`git stash --keep-index`, what lint-staged and lefthook do) rewrites the user's
//!   unstaged edits and must put them back: a job failure, a conflict, a Ctrl-C or a SIGKILL at
//!   the wrong moment loses them. That is where those tools' data-loss bugs come from.
//! - temporary copies of the staged blobs placed beside the real files would write into the
//!   work tree, be picked up by watchers and globs, and be left behind by a SIGKILL.
//! - a full checkout (`clean = true`) costs a copy of every file and no longer sees the
//!   installed `node_modules` of nested packages without links.
//!
//! With a view, hookctl itself never writes the work tree or the index: the view lives in a
//! temporary directory ([`view_parents`]; swept by the next run if hookctl is killed outright,
//! like clean checkouts), and removing it only unlinks its symlinks. The work-tree bytes of the
//! partially staged files are saved on disk before any job runs ([`super::restore`]): a job
//! that rewrites one of them anyway (a formatter run on the whole project) gets them put back
//! and fails the hook, and a hookctl killed meanwhile leaves them for the next run to restore.
//!
//! A job sees the same world in a view and in place: a `.git` where the repository has one
//! (a symlink to the real one, or a gitfile naming the real git dir: paths git hands hooks,
//! such as `.git/COMMIT_EDITMSG`, work), and the same
//! environment, which points git at the real repository (`GIT_DIR`, `GIT_WORK_TREE`) so that
//! `git diff --cached` works in a view and `git add -A` cannot mistake the view for the work
//! tree.
//!
//! Nothing here holds a file in memory: hashes and copies are streamed, so a 300 MB partially
//! staged file costs the same memory as a small one. A view whose staged files are large goes
//! to a disk-backed temporary directory rather than a memory file system.

use crate::platform::{self, OsStrExt};
use std::collections::{BTreeMap, BTreeSet};
use std::ffi::{OsStr, OsString};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use anyhow::Context;

use super::Git;
use super::clean::TempBase;

/// Staged files whose work-tree copy differs from the index (or is gone): `git diff-files`
/// over `files`, then, since diff-files also lists files whose stat data changed but whose
/// content did not (`sed -i` rewriting a file unchanged), the candidates' content hashed
/// (`git hash-object --stdin-paths`, filters applied) against their index blobs. Nothing
/// refreshes or writes the index (porcelain `git diff` would, even with `GIT_OPTIONAL_LOCKS=0`). Submodules are not files and are never reported.
pub fn partially_staged(
    git: &Git,
    index: Option<&Path>,
    files: &[PathBuf],
) -> anyhow::Result<BTreeSet<PathBuf>> {
    if files.is_empty() || git.bare {
        return Ok(BTreeSet::new());
    }
    if let Some(candidates) = stat_candidates(git, index, files) {
        return really_changed(git, index, candidates);
    }
    let wanted: BTreeSet<&Path> = files.iter().map(PathBuf::as_path).collect();
    let pathspec_bytes: usize = files.iter().map(|f| f.as_os_str().len() + 8).sum();
    let mut args: Vec<OsString> = ["diff-files", "-z", "--name-only", "--ignore-submodules"]
        .iter()
        .map(OsString::from)
        .collect();
    // A few paths: only those are stat'ed. Many (`--all-files`): the whole index, filtered.
    // (git matches every pathspec against every index entry: hundreds of pathspecs cost more
    // than stat'ing the whole index.)
    if files.len() <= 64 && pathspec_bytes < 64 * 1024 {
        args.push("--".into());
        for f in files {
            let mut spec = OsString::from(":(literal)");
            spec.push(f);
            args.push(spec);
        }
    }
    let args: Vec<&OsStr> = args.iter().map(OsString::as_os_str).collect();
    let out = git.output(&args, index)?;
    let candidates: Vec<PathBuf> = out
        .split(|&b| b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| PathBuf::from(OsStr::from_bytes(p)))
        .filter(|p| wanted.contains(p.as_path()))
        .collect();
    really_changed(git, index, candidates)
}

/// What `git diff-files` does, in process and for `files` only: the files whose size, mtime
/// or inode differ from the index entry's stat data (or are not regular files as the entry
/// says, or are racily clean: modified in the same second the index was written), without a
/// process and without stat'ing the rest of the index. `None` when the index cannot be read
/// this way (then `git diff-files` decides).
fn stat_candidates(git: &Git, index: Option<&Path>, files: &[PathBuf]) -> Option<Vec<PathBuf>> {
    let index_path = index.map_or_else(|| git.git_dir.join("index"), Path::to_path_buf);
    let index_mtime = platform::stat_times_and_inode(&std::fs::metadata(&index_path).ok()?).0;
    let idx = git2::Index::open(&index_path).ok()?;
    let mut out = Vec::new();
    for f in files {
        // Not in the index (`run --files` of an untracked file): nothing staged to show.
        let Some(entry) = idx.get_path(f, 0) else {
            continue;
        };
        let Ok(meta) = git.root.join(f).symlink_metadata() else {
            out.push(f.clone());
            continue;
        };
        let kind_ok = match entry.mode & 0o170000 {
            0o120000 => meta.file_type().is_symlink(),
            0o100000 => meta.is_file(),
            _ => false,
        };
        let (mtime, mtime_nsec, ino) = platform::stat_times_and_inode(&meta);
        let same = kind_ok
            && u64::from(entry.file_size) == (meta.len() & 0xffff_ffff)
            && i64::from(entry.mtime.seconds()) == mtime
            && (entry.mtime.nanoseconds() == 0 || i64::from(entry.mtime.nanoseconds()) == mtime_nsec)
            && (entry.ino == 0 || u64::from(entry.ino) == (ino & 0xffff_ffff))
            && mtime < index_mtime;
        if !same {
            out.push(f.clone());
        }
    }
    Some(out)
}

/// The candidates whose content differs from their index blob (or that are gone).
fn really_changed(
    git: &Git,
    index: Option<&Path>,
    candidates: Vec<PathBuf>,
) -> anyhow::Result<BTreeSet<PathBuf>> {
    let (present, gone): (Vec<PathBuf>, Vec<PathBuf>) = candidates
        .into_iter()
        .partition(|c| git.root.join(c).symlink_metadata().is_ok_and(|m| m.is_file()));
    let mut changed: BTreeSet<PathBuf> = gone.into_iter().collect();
    if present.is_empty() {
        return Ok(changed);
    }
    let mut ls: Vec<OsString> = vec!["ls-files".into(), "-s".into(), "-z".into()];
    if present.len() <= 64 {
        ls.push("--".into());
        ls.extend(present.iter().map(|p| {
            let mut spec = OsString::from(":(literal)");
            spec.push(p);
            spec
        }));
    }
    let ls: Vec<&OsStr> = ls.iter().map(OsString::as_os_str).collect();
    let staged: BTreeMap<PathBuf, String> = git
        .output(&ls, index)?
        .split(|&b| b == 0)
        .filter_map(|e| {
            let tab = e.iter().position(|&b| b == b'\t')?;
            let oid = String::from_utf8_lossy(e.split(|&b| b == b' ').nth(1)?).into_owned();
            Some((PathBuf::from(OsStr::from_bytes(&e[tab + 1..])), oid))
        })
        .collect();
    let mut cmd = git.cmd();
    cmd.args(["hash-object", "--stdin-paths"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = cmd.spawn().context("cannot run `git hash-object`")?;
    if let Some(mut stdin) = child.stdin.take() {
        let mut list = Vec::new();
        for p in &present {
            list.extend_from_slice(p.as_os_str().as_bytes());
            list.push(b'\n');
        }
        stdin
            .write_all(&list)
            .context("cannot write to `git hash-object`")?;
    }
    let out = child.wait_with_output()?;
    let hashes: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    let trustworthy = out.status.success() && hashes.len() == present.len();
    for (i, p) in present.into_iter().enumerate() {
        // Not in the index (an untracked file given by hand): not partially staged.
        let Some(oid) = staged.get(&p) else {
            continue;
        };
        // A path with a newline cannot go through --stdin-paths: it counts as changed.
        let same = trustworthy && !p.as_os_str().as_bytes().contains(&b'\n') && Some(oid) == hashes.get(i);
        if !same {
            changed.insert(p);
        }
    }
    Ok(changed)
}

/// How jobs' changes to fully staged files are found afterwards.
#[derive(Debug)]
pub enum Probe {
    /// `git diff-files` again (many files, or blob ids unknown).
    Git,
    /// The work-tree content hash of each file before the jobs.
    Hashes(BTreeMap<PathBuf, Option<git2::Oid>>),
}

/// At most this many files are hashed in process; more go through `git diff-files`.
const HASH_LIMIT: usize = 512;

/// The blob id of a work-tree file or symlink as it is on disk (no filters); `None` when gone.
fn hash_worktree(path: &Path) -> Option<git2::Oid> {
    let meta = path.symlink_metadata().ok()?;
    if meta.file_type().is_symlink() {
        let target = std::fs::read_link(path).ok()?;
        git2::Oid::hash_object(git2::ObjectType::Blob, target.as_os_str().as_bytes()).ok()
    } else if meta.is_file() {
        git2::Oid::hash_file(git2::ObjectType::Blob, path).ok()
    } else {
        None
    }
}

/// The partially staged files among `files`, and how to find jobs' changes later. With the
/// staged blob ids at hand (`staged`, from `git diff-index`) and few files, the usual commit
/// costs a streamed hash of each staged file and no git process: a file whose bytes on disk
/// hash to its staged blob is fully staged. A mismatch that git's clean filter may explain
/// (`core.autocrlf`, `eol`/`text`/`filter` attributes) is confirmed through git
/// (`git hash-object --stdin-paths`, filters applied), so that a CRLF work tree does not make
/// every file count as partially staged.
#[expect(clippy::implicit_hasher, reason = "its one caller holds a std HashMap")]
pub fn probe(
    git: &Git,
    index: Option<&Path>,
    files: &[PathBuf],
    staged: &std::collections::HashMap<PathBuf, String>,
) -> anyhow::Result<(BTreeSet<PathBuf>, Probe)> {
    if files.len() <= HASH_LIMIT && files.iter().all(|f| staged.get(f).is_some_and(|o| !o.is_empty())) {
        let mut mismatched = Vec::new();
        let mut hashes = BTreeMap::new();
        for f in files {
            let h = hash_worktree(&git.root.join(f));
            if h.map(|h| h.to_string()).as_deref() != staged.get(f).map(String::as_str) {
                mismatched.push(f.clone());
            }
            hashes.insert(f.clone(), h);
        }
        return Ok((confirm(git, index, mismatched)?, Probe::Hashes(hashes)));
    }
    Ok((partially_staged(git, index, files)?, Probe::Git))
}

/// Of files whose raw bytes differ from their staged blob, those that really differ: a file
/// git converts on the way in (line endings, a clean filter) is hashed by git itself.
fn confirm(git: &Git, index: Option<&Path>, mismatched: Vec<PathBuf>) -> anyhow::Result<BTreeSet<PathBuf>> {
    if mismatched.is_empty() {
        return Ok(BTreeSet::new());
    }
    let Ok(repo) = git2::Repository::open(&git.git_dir) else {
        return really_changed(git, index, mismatched);
    };
    let autocrlf = repo
        .config()
        .ok()
        .and_then(|c| c.get_string("core.autocrlf").ok())
        .is_some_and(|v| {
            matches!(
                v.to_ascii_lowercase().as_str(),
                "true" | "input" | "yes" | "on" | "1"
            )
        });
    let (converted, raw): (Vec<PathBuf>, Vec<PathBuf>) = mismatched
        .into_iter()
        .partition(|f| autocrlf || may_convert(&repo, f));
    let mut out: BTreeSet<PathBuf> = raw.into_iter().collect();
    out.extend(really_changed(git, index, converted)?);
    Ok(out)
}

/// Whether an attribute that changes a file on its way into git is specified for `path`.
fn may_convert(repo: &git2::Repository, path: &Path) -> bool {
    ["text", "eol", "crlf", "filter", "ident", "working-tree-encoding"]
        .iter()
        .any(|a| {
            repo.get_attr(path, a, git2::AttrCheckFlags::FILE_THEN_INDEX)
                .map_or(true, |v| v.is_some())
        })
}

/// Fully staged files (not in `partial`) whose work-tree content jobs changed.
pub fn changed_by_jobs(
    git: &Git,
    index: Option<&Path>,
    files: &[PathBuf],
    probe: &Probe,
    partial: &BTreeSet<PathBuf>,
) -> anyhow::Result<Vec<PathBuf>> {
    Ok(match probe {
        Probe::Git => partially_staged(git, index, files)?
            .difference(partial)
            .cloned()
            .collect(),
        Probe::Hashes(before) => before
            .iter()
            .filter(|(f, h)| !partial.contains(*f) && hash_worktree(&git.root.join(f)) != **h)
            .map(|(f, _)| f.clone())
            .collect(),
    })
}

/// Symlinks of the index that lead (on disk, through any chain of links) to a partially
/// staged file or to a folder holding one: through them a job would read the unstaged
/// content, so a job given one runs in the view, where they lead to the staged blob.
pub fn links_to(git: &Git, index: Option<&Path>, partial: &BTreeSet<PathBuf>) -> BTreeSet<PathBuf> {
    let mut out = BTreeSet::new();
    if partial.is_empty() {
        return out;
    }
    let index_path = index.map_or_else(|| git.git_dir.join("index"), Path::to_path_buf);
    let Ok(idx) = git2::Index::open(&index_path) else {
        return out;
    };
    let root = git.root.canonicalize().unwrap_or_else(|_| git.root.clone());
    for e in idx.iter() {
        if e.mode & 0o170000 != 0o120000 {
            continue;
        }
        let rel = PathBuf::from(OsStr::from_bytes(&e.path));
        let Ok(real) = std::fs::canonicalize(git.root.join(&rel)) else {
            continue;
        };
        let Ok(target) = real.strip_prefix(&root) else {
            continue;
        };
        if partial.iter().any(|p| p.starts_with(target)) {
            out.insert(rel);
        }
    }
    out
}

/// A path in a message: control characters escaped.
fn shown(p: &Path) -> String {
    crate::report::escape::escape(&p.to_string_lossy()).into_owned()
}

/// Past this many bytes of staged files, a view goes to a disk-backed temporary directory:
/// on a memory file system its files would cost their size in memory.
const VIEW_IN_MEMORY_LIMIT: u64 = 16 << 20;

/// Where views may go, in order: `$TMPDIR` when set, else a memory file system when there is one
/// (`$XDG_RUNTIME_DIR`, `/dev/shm`) and the view is small, else the system temp dir. A view is
/// mostly symlinks, and creating a thousand of them costs under 10 ms on tmpfs but up to
/// seconds on a busy disk file system (measured: bench/jobs.py).
pub fn view_parents(large: bool) -> Vec<PathBuf> {
    let tmp = std::env::temp_dir();
    if large || crate::env_vars::get_os(crate::env_vars::TMPDIR).is_some_and(|t| !t.is_empty()) {
        return vec![tmp];
    }
    let mut list: Vec<PathBuf> = crate::env_vars::get_os(crate::env_vars::XDG_RUNTIME_DIR)
        .map(PathBuf::from)
        .into_iter()
        .chain([PathBuf::from("/dev/shm")])
        .filter(|p| p.is_absolute() && p.is_dir())
        .collect();
    list.push(tmp);
    list
}

/// How a job changed an entry the view checked out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Edited,
    /// Deleted or renamed away.
    Removed,
}

/// The view's temporary directory: in memory unless the partially staged files are large,
/// the next candidate when one cannot be made.
fn view_base(git: &Git, partial: &BTreeSet<PathBuf>, state: Option<&Path>) -> anyhow::Result<TempBase> {
    let size: u64 = partial
        .iter()
        .filter_map(|p| git.root.join(p).symlink_metadata().ok())
        .map(|m| m.len())
        .sum();
    let mut parents = view_parents(size > VIEW_IN_MEMORY_LIMIT).into_iter().peekable();
    loop {
        let Some(parent) = parents.next() else {
            anyhow::bail!("no temporary directory for the staged view");
        };
        match TempBase::new_in(&parent, state) {
            Ok(base) => return Ok(base),
            Err(e) if parents.peek().is_none() => return Err(e),
            Err(_) => {}
        }
    }
}

/// One real folder of the view: made, and each entry of the work tree's folder that is
/// neither a real folder nor checked out linked into it (added to `linked`).
fn link_folder(
    git: &Git,
    tree: &Path,
    dir: &Path,
    real_dirs: &BTreeSet<PathBuf>,
    placed: &BTreeSet<&PathBuf>,
    linked: &mut BTreeSet<PathBuf>,
) -> anyhow::Result<()> {
    let view_dir = tree.join(dir);
    std::fs::create_dir_all(&view_dir).with_context(|| format!("cannot create {}", shown(&view_dir)))?;
    let Ok(entries) = std::fs::read_dir(git.root.join(dir)) else {
        return Ok(()); // a folder that only the index still has
    };
    for entry in entries.flatten() {
        let rel = dir.join(entry.file_name());
        if real_dirs.contains(&rel) || placed.contains(&rel) {
            continue;
        }
        let to = view_dir.join(entry.file_name());
        // The repository's `.git`: a folder is linked like the rest; a gitfile (linked
        // worktree, submodule) may name its git dir relative to itself, so the view's
        // names the real git dir absolutely.
        if dir.as_os_str().is_empty()
            && entry.file_name() == ".git"
            && entry.file_type().is_ok_and(|t| t.is_file())
        {
            let text = format!("gitdir: {}\n", git.git_dir.display());
            std::fs::write(&to, text).with_context(|| format!("cannot write {}", shown(&to)))?;
            continue;
        }
        platform::symlink(entry.path(), &to)
            .with_context(|| format!("cannot link {} into the staged view", shown(&rel)))?;
        linked.insert(rel);
    }
    Ok(())
}

/// The staged blobs of `placed` written into the view, through git so that filters and line
/// endings apply.
fn check_out(
    git: &Git,
    index: Option<&Path>,
    tree: &Path,
    placed: &BTreeSet<&PathBuf>,
) -> anyhow::Result<()> {
    let mut prefix = OsString::from("--prefix=");
    prefix.push(tree.as_os_str());
    prefix.push("/");
    let mut cmd = git.cmd();
    cmd.args([
        OsStr::new("checkout-index"),
        OsStr::new("-z"),
        OsStr::new("--stdin"),
    ])
    .arg(&prefix)
    .stdin(Stdio::piped())
    .stdout(Stdio::null())
    .stderr(Stdio::piped());
    if let Some(index) = index {
        cmd.env("GIT_INDEX_FILE", index);
    }
    let mut child = cmd.spawn().context("cannot run `git checkout-index`")?;
    if let Some(mut stdin) = child.stdin.take() {
        let mut list = Vec::new();
        for p in placed {
            list.extend_from_slice(p.as_os_str().as_bytes());
            list.push(0);
        }
        stdin
            .write_all(&list)
            .context("cannot write to `git checkout-index`")?;
    }
    let out = child.wait_with_output()?;
    if !out.status.success() {
        anyhow::bail!(
            "`git checkout-index` of the staged files failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

/// A temporary mirror of the work tree in which the partially staged files (and the links
/// that lead to them) hold their staged content. Removed on drop.
#[derive(Debug)]
pub struct View {
    _base: TempBase,
    /// The mirror of the work tree's top level.
    pub tree: PathBuf,
    /// The entries checked out into the view, with the hash of what was written.
    staged: Vec<(PathBuf, Option<git2::Oid>)>,
    /// Folders of the view that are real folders (the others are symlinks).
    real_dirs: BTreeSet<PathBuf>,
    /// The entries of the real folders that link to the work tree.
    linked: BTreeSet<PathBuf>,
}

impl View {
    /// Mirror `git.root` and check out the staged entries of `partial` and `links` (from
    /// `index`). `state`: where the temporary directory is recorded for the next run's sweep.
    pub fn create(
        git: &Git,
        index: Option<&Path>,
        partial: &BTreeSet<PathBuf>,
        links: &BTreeSet<PathBuf>,
        state: Option<&Path>,
    ) -> anyhow::Result<View> {
        let base = view_base(git, partial, state)?;
        let name = git
            .root
            .file_name()
            .map_or_else(|| "repo".into(), std::ffi::OsStr::to_os_string);
        let tree = base.path().join(name);
        let placed: BTreeSet<&PathBuf> = partial.iter().chain(links).collect();
        // Folders on the way to a checked-out entry become real folders of the view.
        let mut real_dirs: BTreeSet<PathBuf> = BTreeSet::new();
        real_dirs.insert(PathBuf::new());
        for p in &placed {
            let mut d = p.parent();
            while let Some(dir) = d {
                real_dirs.insert(dir.to_path_buf());
                d = dir.parent();
            }
        }
        let mut linked = BTreeSet::new();
        for dir in &real_dirs {
            link_folder(git, &tree, dir, &real_dirs, &placed, &mut linked)?;
        }
        check_out(git, index, &tree, &placed)?;
        // A link with an absolute target inside the work tree would lead back to the unstaged
        // file: in the view it leads to the view's copy.
        for l in links {
            let at = tree.join(l);
            if let Ok(target) = std::fs::read_link(&at)
                && let Ok(rest) = target.strip_prefix(&git.root)
            {
                let _ = std::fs::remove_file(&at);
                platform::symlink(tree.join(rest), &at)
                    .with_context(|| format!("cannot link {} into the staged view", shown(l)))?;
            }
        }
        let staged = placed
            .iter()
            .map(|p| ((*p).clone(), hash_worktree(&tree.join(p))))
            .collect();
        Ok(View {
            _base: base,
            tree,
            staged,
            real_dirs,
            linked,
        })
    }

    /// Entries checked out into the view that a job changed (a fixer on a partially staged
    /// file), and how.
    pub fn changed_staged(&self) -> Vec<(PathBuf, Change)> {
        self.staged
            .iter()
            .filter_map(|(p, before)| {
                let now = hash_worktree(&self.tree.join(p));
                if now == *before {
                    None
                } else if now.is_none() {
                    Some((p.clone(), Change::Removed))
                } else {
                    Some((p.clone(), Change::Edited))
                }
            })
            .collect()
    }

    /// Files of the real folders of the view that a job replaced instead of writing through
    /// the symlink (`sed -i` writes a new file and renames it over the link): their new
    /// content goes to the work-tree file, as if the job had run there. Returns those paths,
    /// and the entries a job removed (deleted or renamed away) from the view.
    pub fn copy_back_replaced(&self, root: &Path) -> (Vec<PathBuf>, Vec<PathBuf>) {
        let mut copied = Vec::new();
        for dir in &self.real_dirs {
            let Ok(entries) = std::fs::read_dir(self.tree.join(dir)) else {
                continue;
            };
            for entry in entries.flatten() {
                let rel = dir.join(entry.file_name());
                // The view's own gitfile is never the work tree's.
                if rel == Path::new(".git")
                    || self.real_dirs.contains(&rel)
                    || self.staged.iter().any(|(p, _)| *p == rel)
                {
                    continue;
                }
                let replaced = entry.file_type().is_ok_and(|t| t.is_file());
                let real = root.join(&rel);
                let real_is_file = real.symlink_metadata().is_ok_and(|m| m.is_file());
                if !replaced || !real_is_file {
                    continue;
                }
                let mode = entry.metadata().map_or(0o644, |m| platform::mode(&m));
                if super::restore::put_file(&real, &entry.path(), mode).is_ok() {
                    copied.push(rel);
                }
            }
        }
        let removed = self
            .linked
            .iter()
            .filter(|rel| self.tree.join(rel).symlink_metadata().is_err())
            .cloned()
            .collect();
        (copied, removed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_views_avoid_memory_file_systems() {
        let parents = view_parents(true);
        assert_eq!(parents, vec![std::env::temp_dir()]);
    }
}
