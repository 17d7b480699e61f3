//! Jobs see what is committed: the staged content of partially staged files, without a stash.
//!
//! The usual commit has no partially staged file (every staged file's work-tree copy equals
//! its index blob): jobs run in the work tree, and the only cost is one `git diff-files` over
//! the staged paths. When a job's files include partially staged ones (or staged files deleted
//! from disk), that job runs in a **view** instead: a temporary directory that mirrors the work
//! tree with symlinks, except that the folders on the way to those files are real folders and
//! the files themselves are their staged blobs (`git checkout-index --prefix`, so filters and
//! line endings are those of a checkout). Everything else — `node_modules`, configs, the other
//! sources — is a symlink to the real thing, so tools find what they find in place; the cost is
//! one symlink per entry of the folders on the way, not per file of the repository.
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
//! like clean checkouts),
//! and removing it only unlinks its symlinks. The work-tree bytes of the partially staged files
//! are kept in memory while jobs run: a job that rewrites one of them anyway (a formatter run
//! on the whole project) gets them put back and fails the hook, so an unstaged edit is never
//! lost to a job either.
//!
//! In a view the job's environment points git at the real repository (`GIT_DIR`,
//! `GIT_WORK_TREE`), so `git diff --cached` works there and `git add -A` cannot mistake the
//! view for the work tree; the view's `.git` is a link to the real one, so that a job sees the
//! same world as in place (commit-msg's `.git/COMMIT_EDITMSG`).

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::{OsStr, OsString};
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use anyhow::Context;

use super::Git;
use super::clean::TempBase;

/// Staged files whose work-tree copy differs from the index (or is gone): `git diff-files`
/// over `files`, then, since diff-files also lists files whose stat data changed but whose
/// content did not (`sed -i` rewriting a file unchanged), the candidates' content hashed
/// (`git hash-object --stdin-paths`, filters applied) against their index blobs. Nothing
/// refreshes or writes the index (porcelain `git diff` would, even with GIT_OPTIONAL_LOCKS=0). Submodules are not files and are never reported.
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
    use std::os::unix::fs::MetadataExt;
    let index_path = index.map_or_else(|| git.git_dir.join("index"), Path::to_path_buf);
    let index_mtime = std::fs::metadata(&index_path).ok()?.mtime();
    let idx = git2::Index::open(&index_path).ok()?;
    let mut out = Vec::new();
    for f in files {
        let Some(entry) = idx.get_path(f, 0) else {
            out.push(f.clone());
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
        let same = kind_ok
            && u64::from(entry.file_size) == (meta.len() & 0xffff_ffff)
            && i64::from(entry.mtime.seconds()) == meta.mtime()
            && (entry.mtime.nanoseconds() == 0 || i64::from(entry.mtime.nanoseconds()) == meta.mtime_nsec())
            && (entry.ino == 0 || u64::from(entry.ino) == (meta.ino() & 0xffff_ffff))
            && meta.mtime() < index_mtime;
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
        // A path with a newline cannot go through --stdin-paths: it counts as changed.
        let same = trustworthy
            && !p.as_os_str().as_bytes().contains(&b'\n')
            && staged.get(&p).is_some_and(|o| Some(o) == hashes.get(i));
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
/// costs a hash of each staged file and no git process: a file whose bytes on disk hash to its
/// staged blob is fully staged. A mismatch that only a filter or line-ending setting causes
/// counts as partial, which is safe: the job then sees the staged blob checked out.
pub fn probe(
    git: &Git,
    index: Option<&Path>,
    files: &[PathBuf],
    staged: &std::collections::HashMap<PathBuf, String>,
) -> anyhow::Result<(BTreeSet<PathBuf>, Probe)> {
    if files.len() <= HASH_LIMIT && files.iter().all(|f| staged.get(f).is_some_and(|o| !o.is_empty())) {
        let mut partial = BTreeSet::new();
        let mut hashes = BTreeMap::new();
        for f in files {
            let h = hash_worktree(&git.root.join(f));
            if h.map(|h| h.to_string()).as_deref() != staged.get(f).map(String::as_str) {
                partial.insert(f.clone());
            }
            hashes.insert(f.clone(), h);
        }
        return Ok((partial, Probe::Hashes(hashes)));
    }
    Ok((partially_staged(git, index, files)?, Probe::Git))
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

/// The work-tree bytes of the partially staged files, taken before any job runs; what a job
/// rewrites is put back. `None`: the file was not there (deleted but staged) or unreadable.
#[derive(Debug, Default)]
pub struct Guard {
    saved: Vec<(PathBuf, Option<Saved>)>,
}

#[derive(Debug)]
struct Saved {
    bytes: Vec<u8>,
    symlink: bool,
    mode: u32,
}

fn read_entry(path: &Path) -> Option<Saved> {
    use std::os::unix::fs::PermissionsExt;
    let meta = path.symlink_metadata().ok()?;
    if meta.file_type().is_symlink() {
        let target = std::fs::read_link(path).ok()?;
        return Some(Saved {
            bytes: target.as_os_str().as_bytes().to_vec(),
            symlink: true,
            mode: 0,
        });
    }
    if !meta.is_file() {
        return None;
    }
    Some(Saved {
        bytes: std::fs::read(path).ok()?,
        symlink: false,
        mode: meta.permissions().mode(),
    })
}

impl Guard {
    pub fn take(root: &Path, partial: &BTreeSet<PathBuf>) -> Guard {
        Guard {
            saved: partial
                .iter()
                .map(|p| (p.clone(), read_entry(&root.join(p))))
                .collect(),
        }
    }

    /// Put back every guarded file a job changed; returns their paths.
    pub fn restore_changed(&self, root: &Path) -> Vec<PathBuf> {
        let mut changed = Vec::new();
        for (rel, saved) in &self.saved {
            let path = root.join(rel);
            let now = read_entry(&path);
            let same = match (&now, saved) {
                (Some(a), Some(b)) => a.bytes == b.bytes && a.symlink == b.symlink,
                (None, None) => true,
                _ => false,
            };
            if same {
                continue;
            }
            changed.push(rel.clone());
            if let Some(saved) = saved {
                let _ = put_back(&path, saved);
            }
        }
        changed
    }
}

fn put_back(path: &Path, saved: &Saved) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let tmp = path.with_file_name(format!(
        ".{}.hookctl-restore-{}",
        path.file_name()
            .map_or_else(|| "f".into(), |n| n.to_string_lossy()),
        std::process::id()
    ));
    if saved.symlink {
        std::os::unix::fs::symlink(OsStr::from_bytes(&saved.bytes), &tmp)?;
    } else {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&saved.bytes)?;
        f.set_permissions(std::fs::Permissions::from_mode(saved.mode))?;
    }
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// Where views may go, in order: `$TMPDIR` when set, else a memory file system when there is one
/// (`$XDG_RUNTIME_DIR`, `/dev/shm`), else the system temp dir. A view is mostly symlinks, and
/// creating a thousand of them costs under 10 ms on tmpfs but up to seconds on a busy disk
/// file system (measured: bench/jobs.py).
pub fn view_parents() -> Vec<PathBuf> {
    let tmp = std::env::temp_dir();
    if crate::env_vars::get_os(crate::env_vars::TMPDIR).is_some_and(|t| !t.is_empty()) {
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

/// A temporary mirror of the work tree in which the partially staged files hold their staged
/// content. Removed on drop.
#[derive(Debug)]
pub struct View {
    _base: TempBase,
    /// The mirror of the work tree's top level.
    pub tree: PathBuf,
    /// The staged files written into the view, with the bytes written.
    staged: Vec<(PathBuf, Option<Vec<u8>>)>,
    /// Folders of the view that are real folders (the others are symlinks).
    real_dirs: BTreeSet<PathBuf>,
}

impl View {
    /// Mirror `git.root` and write the staged blobs of `partial` (from `index`).
    pub fn create(git: &Git, index: Option<&Path>, partial: &BTreeSet<PathBuf>) -> anyhow::Result<View> {
        let mut parents = view_parents().into_iter().peekable();
        let base = loop {
            let Some(parent) = parents.next() else {
                anyhow::bail!("no temporary directory for the staged view");
            };
            match TempBase::new_in(&parent) {
                Ok(base) => break base,
                Err(e) if parents.peek().is_none() => return Err(e),
                Err(_) => {}
            }
        };
        let name = git
            .root
            .file_name()
            .map_or_else(|| "repo".into(), |n| n.to_os_string());
        let tree = base.path().join(name);
        // Folders on the way to a staged file become real folders of the view.
        let mut real_dirs: BTreeSet<PathBuf> = BTreeSet::new();
        real_dirs.insert(PathBuf::new());
        for p in partial {
            let mut d = p.parent();
            while let Some(dir) = d {
                real_dirs.insert(dir.to_path_buf());
                d = dir.parent();
            }
        }
        // Children of each real folder: the entries on disk, minus what the view replaces.
        let mut children: BTreeMap<&Path, Vec<PathBuf>> = BTreeMap::new();
        for dir in &real_dirs {
            if let Some(parent) = dir.parent() {
                children.entry(parent).or_default().push(dir.clone());
            }
        }
        for dir in &real_dirs {
            let view_dir = tree.join(dir);
            std::fs::create_dir_all(&view_dir)
                .with_context(|| format!("cannot create {}", view_dir.display()))?;
            let Ok(entries) = std::fs::read_dir(git.root.join(dir)) else {
                continue; // a folder that only the index still has
            };
            for entry in entries.flatten() {
                let rel = dir.join(entry.file_name());
                if real_dirs.contains(&rel) || partial.contains(&rel) {
                    continue;
                }
                // The repository's own `.git` is linked too, so that paths git hands hooks
                // (`.git/COMMIT_EDITMSG` to commit-msg) and tools that look for `.git` find it;
                // git itself acts on the real repository there through `GIT_DIR` and
                // `GIT_WORK_TREE` (see the module comment).
                std::os::unix::fs::symlink(entry.path(), view_dir.join(entry.file_name()))
                    .with_context(|| format!("cannot link {} into the staged view", rel.display()))?;
            }
        }
        // The staged blobs, through git so that filters and line endings apply.
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
            for p in partial {
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
        let staged = partial
            .iter()
            .map(|p| (p.clone(), read_entry(&tree.join(p)).map(|s| s.bytes)))
            .collect();
        Ok(View {
            _base: base,
            tree,
            staged,
            real_dirs,
        })
    }

    /// Staged files whose copy in the view a job changed (a fixer on a partially staged file).
    pub fn changed_staged(&self) -> Vec<PathBuf> {
        self.staged
            .iter()
            .filter(|(p, bytes)| read_entry(&self.tree.join(p)).map(|s| s.bytes) != *bytes)
            .map(|(p, _)| p.clone())
            .collect()
    }

    /// Files of the real folders of the view that a job replaced instead of writing through
    /// the symlink (`sed -i` writes a new file and renames it over the link): their new
    /// content goes to the work-tree file, as if the job had run there. Returns those paths.
    pub fn copy_back_replaced(&self, root: &Path) -> Vec<PathBuf> {
        let mut copied = Vec::new();
        for dir in &self.real_dirs {
            let Ok(entries) = std::fs::read_dir(self.tree.join(dir)) else {
                continue;
            };
            for entry in entries.flatten() {
                let rel = dir.join(entry.file_name());
                if self.real_dirs.contains(&rel) || self.staged.iter().any(|(p, _)| *p == rel) {
                    continue;
                }
                let replaced = entry.file_type().is_ok_and(|t| t.is_file());
                let real = root.join(&rel);
                let real_is_file = real.symlink_metadata().is_ok_and(|m| m.is_file());
                if !replaced || !real_is_file {
                    continue;
                }
                if let Some(saved) = read_entry(&entry.path())
                    && put_back(&real, &saved).is_ok()
                {
                    copied.push(rel);
                }
            }
        }
        copied
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guard_puts_back_what_a_job_rewrote() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("a.ts"), "mine\n").unwrap();
        std::fs::write(root.join("b.ts"), "also mine\n").unwrap();
        let partial: BTreeSet<PathBuf> = ["a.ts", "b.ts", "gone.ts"].iter().map(PathBuf::from).collect();
        let guard = Guard::take(root, &partial);
        std::fs::write(root.join("a.ts"), "formatted\n").unwrap();
        std::fs::write(root.join("gone.ts"), "created\n").unwrap();
        let changed = guard.restore_changed(root);
        assert_eq!(changed, [PathBuf::from("a.ts"), PathBuf::from("gone.ts")]);
        assert_eq!(std::fs::read_to_string(root.join("a.ts")).unwrap(), "mine\n");
        assert_eq!(std::fs::read_to_string(root.join("b.ts")).unwrap(), "also mine\n");
        assert!(
            guard.restore_changed(root).len() == 1,
            "only the created file still differs"
        );
    }
}
