//! Git's world, read one way: finding the repository ([`discover`], [`Git`]), the index a hook
//! is shown ([`index_file`], [`open_index`]), git's raw diff ([`parse_raw_diff`]), and every
//! `git` process hookctl starts ([`command`]). Everything that needs one of these calls here,
//! so the rules (`GIT_DIR`, `GIT_WORK_TREE`, `GIT_INDEX_FILE`, bare repositories, linked
//! worktrees) are decided once.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

use crate::platform::OsStrExt;

use git2::Repository;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("not a git repository (or any parent up to the file system root): {0}")]
    NotARepo(String),
    #[error("cannot read the index {path}: {message}")]
    Index { path: String, message: String },
    #[error("unexpected `git diff --raw` output: {0}")]
    RawDiff(String),
    #[error("git: {0}")]
    Git(#[from] git2::Error),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// An opened repository: where its work tree and git dirs are.
#[derive(Debug, Clone)]
pub struct RepoPaths {
    /// Work tree root, absolute, canonical, without a trailing `/`. A bare repository has
    /// none: then a folder inside its git dir that is never created, so every on-disk lookup
    /// under the root is empty.
    pub root: PathBuf,
    /// `.git` dir of this work tree (per-worktree for linked worktrees).
    pub git_dir: PathBuf,
    /// Common dir (shared by linked worktrees): where hookctl keeps its cache.
    pub common_dir: PathBuf,
    /// A bare repository (a server, a mirror): `root` is never created, nothing is on disk.
    pub bare: bool,
}

/// The repository of the current process: from `GIT_DIR` (and `GIT_WORK_TREE`) when set, as
/// git does in hooks, else discovered upwards from the current directory.
pub fn discover() -> Result<(Repository, RepoPaths), Error> {
    use crate::env_vars::{GIT_DIR, GIT_OBJECT_DIRECTORY, GIT_QUARANTINE_PATH, get_os};
    // libgit2's `open_from_env` also honours `GIT_OBJECT_DIRECTORY` and
    // `GIT_ALTERNATE_OBJECT_DIRECTORIES`: the quarantined objects of a push being received.
    let repo = if [GIT_DIR, GIT_OBJECT_DIRECTORY, GIT_QUARANTINE_PATH]
        .iter()
        .any(|v| get_os(v).is_some())
    {
        let repo = Repository::open_from_env().map_err(|e| Error::NotARepo(e.message().to_string()))?;
        add_env_objects(&repo)?;
        repo
    } else {
        let cwd = std::env::current_dir()?;
        Repository::discover(&cwd).map_err(|_| Error::NotARepo(cwd.display().to_string()))?
    };
    paths_of(repo)
}

/// The repository holding `dir` (no environment consulted): for tests and tools.
pub fn discover_at(dir: &Path) -> Result<(Repository, RepoPaths), Error> {
    let repo = Repository::discover(dir).map_err(|_| Error::NotARepo(dir.display().to_string()))?;
    paths_of(repo)
}

fn paths_of(repo: Repository) -> Result<(Repository, RepoPaths), Error> {
    let root = match repo.workdir() {
        Some(dir) => dir.to_path_buf(),
        // A bare repository (a mirror, a server) still has commits to check from its objects
        // alone: pre-push there checks the pushed commits. A root that is never created keeps
        // every on-disk lookup empty, so no file of the git dir passes for a work-tree file.
        None => repo.path().join("hookctl").join("no-work-tree"),
    };
    let root = root.canonicalize().unwrap_or(root);
    let root = PathBuf::from(root.to_string_lossy().trim_end_matches('/'));
    let git_dir = repo.path().to_path_buf();
    let common_dir = repo.commondir().to_path_buf();
    let bare = repo.workdir().is_none();
    Ok((
        repo,
        RepoPaths {
            root,
            git_dir,
            common_dir,
            bare,
        },
    ))
}

/// Another handle on a repository [`discover`] found (for its objects: another snapshot,
/// another thread). Not discovery: the git dir is known.
pub fn reopen(git_dir: &Path) -> Result<Repository, Error> {
    let repo = Repository::open(git_dir)?;
    add_env_objects(&repo)?;
    Ok(repo)
}

/// The object directories git names in the environment, absolute: `GIT_OBJECT_DIRECTORY`
/// (during `pre-receive`, the quarantine holding the pushed objects), `GIT_QUARANTINE_PATH`, and
/// each of `GIT_ALTERNATE_OBJECT_DIRECTORIES` (`:`-separated, an entry in double quotes when it
/// holds a `:`). Relative paths are relative to this process's directory, as git sets them.
pub fn env_object_dirs() -> Vec<PathBuf> {
    use crate::env_vars::{
        GIT_ALTERNATE_OBJECT_DIRECTORIES, GIT_OBJECT_DIRECTORY, GIT_QUARANTINE_PATH, get_os,
    };
    let mut dirs: Vec<PathBuf> = Vec::new();
    for var in [GIT_OBJECT_DIRECTORY, GIT_QUARANTINE_PATH] {
        dirs.extend(get_os(var).filter(|v| !v.is_empty()).map(PathBuf::from));
    }
    if let Some(list) = get_os(GIT_ALTERNATE_OBJECT_DIRECTORIES) {
        dirs.extend(
            split_alternates(list.as_bytes())
                .into_iter()
                .map(|b| PathBuf::from(OsStr::from_bytes(&b))),
        );
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    let mut out: Vec<PathBuf> = Vec::new();
    for d in dirs {
        let d = if d.is_absolute() { d } else { cwd.join(d) };
        if !out.contains(&d) {
            out.push(d);
        }
    }
    out
}

/// `GIT_ALTERNATE_OBJECT_DIRECTORIES` as git reads it: `:`-separated; an entry starting with
/// `"` is a C-style quoted string (so it may hold `:`).
fn split_alternates(list: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut rest = list;
    while !rest.is_empty() {
        if rest[0] == b'"' {
            let mut entry = Vec::new();
            let mut i = 1;
            while i < rest.len() && rest[i] != b'"' {
                if rest[i] == b'\\' && i + 1 < rest.len() {
                    i += 1;
                }
                entry.push(rest[i]);
                i += 1;
            }
            out.push(entry);
            rest = &rest[(i + 1).min(rest.len())..];
            rest = rest.strip_prefix(b":").unwrap_or(rest);
        } else {
            let end = rest.iter().position(|&b| b == b':').unwrap_or(rest.len());
            out.push(rest[..end].to_vec());
            rest = &rest[(end + 1).min(rest.len())..];
        }
    }
    out.retain(|e| !e.is_empty());
    out
}

/// Make the objects of [`env_object_dirs`] readable through `repo` (a quarantined push's
/// objects). A directory that does not exist is skipped.
fn add_env_objects(repo: &Repository) -> Result<(), Error> {
    let dirs = env_object_dirs();
    if dirs.is_empty() {
        return Ok(());
    }
    let odb = repo.odb()?;
    for dir in dirs.iter().filter(|d| d.is_dir()) {
        odb.add_disk_alternate(&dir.to_string_lossy())?;
    }
    Ok(())
}

/// The index file `$GIT_INDEX_FILE` names, if set and not empty.
///
/// The rule: a relative path is relative to the work tree's top level (`root`). git runs hooks
/// from the top level and passes the index it is about to commit (a temporary one during
/// `git commit -a` or `git commit <path>`) relative to it, e.g. `.git/index.lock`; an absolute
/// path (linked worktrees) is taken as is. Every reader of the index (the snapshot, the jobs'
/// `git` commands) uses this one rule, so a hook run from anywhere sees the same index.
pub fn index_file(root: &Path) -> Option<PathBuf> {
    index_file_from(crate::env_vars::get_os(crate::env_vars::GIT_INDEX_FILE), root)
}

fn index_file_from(value: Option<std::ffi::OsString>, root: &Path) -> Option<PathBuf> {
    let path = PathBuf::from(value.filter(|v| !v.is_empty())?);
    Some(if path.is_absolute() { path } else { root.join(path) })
}

/// The index git is about to commit: [`index_file`] when set, else the repository's own.
pub fn open_index(repo: &Repository, root: &Path) -> Result<git2::Index, Error> {
    match index_file(root) {
        Some(path) => git2::Index::open(&path).map_err(|e| Error::Index {
            path: path.display().to_string(),
            message: e.message().to_string(),
        }),
        None => Ok(repo.index()?),
    }
}

/// The index file git is about to commit: [`index_file`] when set, else `<git dir>/index`.
pub fn index_path(git_dir: &Path, root: &Path) -> PathBuf {
    index_file(root).unwrap_or_else(|| git_dir.join("index"))
}

/// The index file's bytes, mapped (as git maps it to read it).
pub fn map_index(file: &std::fs::File) -> std::io::Result<memmap2::Mmap> {
    // SAFETY: git never rewrites an index in place: it writes `index.lock` and renames it over
    // the index, so the mapped inode keeps its bytes while it is read (git and gitoxide map it
    // the same way). `GIT_INDEX_FILE=.git/index.lock` is written whole before a hook runs.
    #[expect(
        unsafe_code,
        reason = "mapping a file is unsafe; the comment above says why this one is sound"
    )]
    unsafe {
        memmap2::Mmap::map(file)
    }
}

/// The index git is about to commit ([`index_path`]) read by gitoxide's reader: its
/// cache-tree extension kept, without a checksum pass over the whole file (git verifies it when
/// it writes the commit). A missing file is an empty index. The snapshot reads the index with
/// its own reader ([`crate::snapshot::index_file`]) and comes here only for what that one
/// refuses (a split index, unknown required extensions).
pub fn read_index(git_dir: &Path, root: &Path) -> Result<gix_index::File, Error> {
    let path = index_path(git_dir, root);
    gix_index::File::at_or_default(
        &path,
        gix_index::hash::Kind::Sha1,
        true,
        gix_index::decode::Options::default(),
    )
    .map_err(|e| Error::Index {
        path: path.display().to_string(),
        message: e.to_string(),
    })
}

/// One path `git status` would list: tracked with changes not committed, or untracked (not
/// ignored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dirty {
    /// Repo-relative, `/`-separated.
    pub path: String,
    /// The index differs from HEAD.
    pub staged: bool,
    /// The work tree differs from the index.
    pub unstaged: bool,
    /// Deleted (in the index or the work tree).
    pub deleted: bool,
    /// Untracked and not ignored.
    pub untracked: bool,
}

/// What `git status` lists (untracked folders recursed, ignored files left out): the
/// uncommitted state of the work tree, for `git/clean`. Empty for a bare repository.
pub fn status(repo: &Repository) -> Result<Vec<Dirty>, Error> {
    if repo.is_bare() {
        return Ok(Vec::new());
    }
    let mut opts = git2::StatusOptions::new();
    opts.include_untracked(true)
        .recurse_untracked_dirs(true)
        .include_ignored(false)
        .renames_head_to_index(false);
    let statuses = repo.statuses(Some(&mut opts))?;
    let mut out = Vec::new();
    for e in statuses.iter() {
        use git2::Status as S;
        let s = e.status();
        let path = String::from_utf8_lossy(e.path_bytes()).into_owned();
        let staged = s.intersects(
            S::INDEX_NEW | S::INDEX_MODIFIED | S::INDEX_DELETED | S::INDEX_RENAMED | S::INDEX_TYPECHANGE,
        );
        let unstaged = s.intersects(S::WT_MODIFIED | S::WT_DELETED | S::WT_TYPECHANGE | S::WT_RENAMED);
        let untracked = s.contains(S::WT_NEW) && !staged;
        if !(staged || unstaged || untracked) {
            continue;
        }
        out.push(Dirty {
            path,
            staged,
            unstaged,
            deleted: s.intersects(S::INDEX_DELETED | S::WT_DELETED),
            untracked,
        });
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// One record of `git diff-index`/`diff-tree` `-z --raw --no-renames` output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawChange {
    /// `0` when the path is added.
    pub old_mode: u32,
    /// `0` when the path is deleted.
    pub new_mode: u32,
    /// Hex object ids as git printed them (all zeros for "none"; abbreviated without
    /// `--no-abbrev`).
    pub old_oid: String,
    pub new_oid: String,
    /// The status letter: `A`dded, `C`opied, `D`eleted, `M`odified, `T`ype changed, ...
    pub status: char,
    /// The path, as git's bytes (`-z`: never quoted).
    pub path: Vec<u8>,
}

impl RawChange {
    pub fn path_lossy(&self) -> String {
        String::from_utf8_lossy(&self.path).into_owned()
    }

    pub fn path_buf(&self) -> PathBuf {
        PathBuf::from(OsStr::from_bytes(&self.path))
    }

    /// A submodule (gitlink) after the change.
    pub fn is_gitlink(&self) -> bool {
        self.new_mode & 0o170000 == 0o160000
    }
}

/// Parse `-z --raw --no-renames` output: `:<old mode> <new mode> <old oid> <new oid>
/// <status>\0<path>\0` per changed path. Anything else is an error: a caller that cannot trust
/// the diff must not act on part of it.
pub fn parse_raw_diff_changes(out: &[u8]) -> Result<Vec<RawChange>, Error> {
    let bad = |what: &[u8]| Error::RawDiff(String::from_utf8_lossy(what).into_owned());
    let mut changes = Vec::new();
    let mut fields = out.split(|&b| b == 0);
    while let Some(meta) = fields.next() {
        if meta.is_empty() {
            continue;
        }
        let path = fields.next().filter(|p| !p.is_empty()).ok_or_else(|| bad(meta))?;
        let text = meta
            .strip_prefix(b":")
            .and_then(|m| std::str::from_utf8(m).ok())
            .ok_or_else(|| bad(meta))?;
        let parts: Vec<&str> = text.split(' ').collect();
        let [old_mode, new_mode, old_oid, new_oid, status] = parts[..] else {
            return Err(bad(meta));
        };
        let mode = |m: &str| u32::from_str_radix(m, 8).map_err(|_| bad(meta));
        changes.push(RawChange {
            old_mode: mode(old_mode)?,
            new_mode: mode(new_mode)?,
            old_oid: old_oid.to_string(),
            new_oid: new_oid.to_string(),
            status: status.chars().next().ok_or_else(|| bad(meta))?,
            path: path.to_vec(),
        });
    }
    Ok(changes)
}

// ---- The repository handle and every `git` process --------------------------------------

/// Every `git` process hookctl starts is made here: in `dir`, stdin closed, and never taking
/// optional locks (`GIT_OPTIONAL_LOCKS=0`: a hook must not fight the user's own git for
/// `index.lock`). Callers add arguments and the environment they need.
pub fn command(dir: &Path) -> std::process::Command {
    let mut c = std::process::Command::new("git");
    c.current_dir(dir)
        .env("GIT_OPTIONAL_LOCKS", "0")
        .stdin(std::process::Stdio::null());
    // git sets these for a hook relative to where it runs the hook (`GIT_DIR=.` in a bare
    // repository receiving a push): made absolute, they name the same thing from `dir`.
    let cwd = std::env::current_dir().unwrap_or_default();
    for var in [
        crate::env_vars::GIT_DIR,
        crate::env_vars::GIT_OBJECT_DIRECTORY,
        crate::env_vars::GIT_QUARANTINE_PATH,
    ] {
        if let Some(value) = crate::env_vars::get_os(var).filter(|v| !v.is_empty())
            && Path::new(&value).is_relative()
        {
            c.env(var, cwd.join(value));
        }
    }
    if let Some(list) = crate::env_vars::get_os(crate::env_vars::GIT_ALTERNATE_OBJECT_DIRECTORIES) {
        let entries = split_alternates(list.as_bytes());
        if entries
            .iter()
            .any(|e| Path::new(OsStr::from_bytes(e)).is_relative())
        {
            let joined = std::env::join_paths(entries.iter().map(|e| cwd.join(OsStr::from_bytes(e))));
            if let Ok(joined) = joined {
                c.env(crate::env_vars::GIT_ALTERNATE_OBJECT_DIRECTORIES, joined);
            }
        }
    }
    c
}

/// The repository as git sees it from a directory (honouring `GIT_DIR`, `GIT_WORK_TREE`).
#[derive(Debug, Clone)]
pub struct Git {
    /// The work tree's top level; in a bare repository, the git dir (where git commands run).
    pub root: PathBuf,
    /// `git rev-parse --git-common-dir`, absolute.
    pub common_dir: PathBuf,
    /// `git rev-parse --git-dir` (per worktree), absolute.
    pub git_dir: PathBuf,
    /// No work tree: pushed commits can be checked, nothing on disk is the project.
    pub bare: bool,
}

impl Git {
    /// The repository of the current process ([`crate::git::discover`]: honouring
    /// `GIT_DIR`/`GIT_WORK_TREE`, with libgit2, no `git` process to start on every hook).
    pub fn discover(_cwd: &Path) -> anyhow::Result<Git> {
        let (repo, paths) =
            crate::git::discover().map_err(|e| anyhow::anyhow!("not inside a git repository: {e}"))?;
        let bare = repo.is_bare();
        Ok(Git {
            root: if bare { paths.git_dir.clone() } else { paths.root },
            common_dir: paths.common_dir,
            git_dir: paths.git_dir,
            bare,
        })
    }

    /// A `git` command at the top level that never takes optional locks.
    pub fn cmd(&self) -> Command {
        command(&self.root)
    }

    /// Run git with `args` (and `GIT_INDEX_FILE` when given); its stdout on success.
    pub fn output(&self, args: &[&OsStr], index: Option<&Path>) -> anyhow::Result<Vec<u8>> {
        let mut c = self.cmd();
        c.args(args);
        if let Some(index) = index {
            c.env("GIT_INDEX_FILE", index);
        }
        let out = c.output().context("cannot run `git`")?;
        if !out.status.success() {
            let shown: Vec<_> = args.iter().map(|a| a.to_string_lossy()).collect();
            bail!(
                "`git {}` failed: {}",
                shown.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        Ok(out.stdout)
    }

    pub fn run(&self, args: &[&str], index: Option<&Path>) -> anyhow::Result<Vec<u8>> {
        let args: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
        self.output(&args, index)
    }

    /// What a pushed object is, tags peeled (annotated tags of tags too).
    pub fn peel(&self, oid: &str) -> Pushed {
        let spec = format!("{oid}^{{}}");
        let Some(peeled) = self
            .run(&["rev-parse", "-q", "--verify", &spec], None)
            .ok()
            .map(|o| String::from_utf8_lossy(&o).trim().to_string())
            .filter(|o| !o.is_empty())
        else {
            return Pushed::Missing;
        };
        match self.run(&["cat-file", "-t", &peeled], None) {
            Ok(kind) if kind.trim_ascii() == b"commit" => Pushed::Commit(peeled),
            Ok(_) => Pushed::NotACommit,
            Err(_) => Pushed::Missing,
        }
    }

    /// The full object id `rev` names, if it exists as a commit.
    pub fn commit_oid(&self, rev: &str) -> Option<String> {
        let spec = format!("{rev}^{{commit}}");
        let out = self.run(&["rev-parse", "-q", "--verify", &spec], None).ok()?;
        let oid = String::from_utf8_lossy(&out).trim().to_string();
        (!oid.is_empty()).then_some(oid)
    }
}

/// A pushed object, as far as checking goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pushed {
    /// A commit (a tag of one already peeled): full hex id.
    Commit(String),
    /// A tree or a blob (e.g. `git tag t HEAD^{tree}`): there is no snapshot to check.
    NotACommit,
    Missing,
}

/// The index a pre-commit hook sees: `$GIT_INDEX_FILE` by [`crate::git::index_file`]'s rule
/// (relative to the top level), else the repository's (`None`).
pub fn index_from_env(git: &Git) -> Option<PathBuf> {
    crate::git::index_file(&git.root)
}

/// The files a `git ... -z --raw --no-renames` diff adds, copies, modifies or changes the type
/// of (not submodules, not deletions).
pub fn parse_raw_diff(out: &[u8]) -> anyhow::Result<Vec<PathBuf>> {
    Ok(parse_raw_diff_oids(out)?.into_iter().map(|(p, _)| p).collect())
}

/// [`parse_raw_diff`] with each file's new blob id (hex).
pub fn parse_raw_diff_oids(out: &[u8]) -> anyhow::Result<Vec<(PathBuf, String)>> {
    Ok(parse_raw_diff_changes(out)?
        .into_iter()
        .filter(|c| matches!(c.status, 'A' | 'C' | 'M' | 'T' | 'R') && !c.is_gitlink())
        .map(|c| (c.path_buf(), c.new_oid))
        .collect())
}

/// The files in an index (`git ls-files -s -z`), without submodules, each once.
pub fn index_files(git: &Git, index: Option<&Path>) -> anyhow::Result<Vec<PathBuf>> {
    let out = git.run(&["ls-files", "-s", "-z"], index)?;
    let mut files: Vec<PathBuf> = Vec::new();
    for entry in out.split(|&b| b == 0).filter(|e| !e.is_empty()) {
        let Some(tab) = entry.iter().position(|&b| b == b'\t') else {
            continue;
        };
        if entry.starts_with(b"160000 ") {
            continue;
        }
        let path = PathBuf::from(OsStr::from_bytes(&entry[tab + 1..]));
        if files.last() != Some(&path) {
            files.push(path);
        }
    }
    Ok(files)
}

/// Files staged for the next commit: HEAD's tree against the index (every entry when HEAD is
/// unborn).
pub fn staged_files(git: &Git, index: Option<&Path>) -> anyhow::Result<Vec<PathBuf>> {
    Ok(staged_files_oids(git, index)?
        .into_iter()
        .map(|(p, _)| p)
        .collect())
}

/// [`staged_files`] with their staged blob ids (hex; empty when unknown: before the first
/// commit).
pub fn staged_files_oids(git: &Git, index: Option<&Path>) -> anyhow::Result<Vec<(PathBuf, String)>> {
    if git.commit_oid("HEAD").is_none() {
        return Ok(index_files(git, index)?
            .into_iter()
            .map(|p| (p, String::new()))
            .collect());
    }
    let out = git.run(
        &[
            "diff-index",
            "--cached",
            "-z",
            "--raw",
            "--no-renames",
            "HEAD",
            "--",
        ],
        index,
    )?;
    parse_raw_diff_oids(&out)
}

/// Files of `tip` that differ from `base` (every file of `tip` without a base).
pub fn commit_files(git: &Git, base: Option<&str>, tip: &str) -> anyhow::Result<Vec<PathBuf>> {
    let out = if let Some(base) = base {
        git.run(
            &["diff-tree", "-r", "-z", "--raw", "--no-renames", base, tip, "--"],
            None,
        )?
    } else {
        let out = git.run(&["ls-tree", "-r", "-z", "--full-tree", tip], None)?;
        return Ok(out
            .split(|&b| b == 0)
            .filter_map(|e| {
                let tab = e.iter().position(|&b| b == b'\t')?;
                (!e.starts_with(b"160000 ")).then(|| PathBuf::from(OsStr::from_bytes(&e[tab + 1..])))
            })
            .collect());
    };
    parse_raw_diff(&out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_diff_records_keep_modes_ids_status_and_raw_paths() {
        let out = b":000000 100644 0000 aaaa A\0new file.ts\0:100644 000000 bbbb 0000 D\0gone.ts\0\
:100644 100644 cccc dddd M\0caf\xc3\xa9.ts\0:000000 160000 0000 eeee A\0sub\0";
        let got = parse_raw_diff_changes(out).unwrap();
        assert_eq!(got.len(), 4);
        assert_eq!(
            got[1],
            RawChange {
                old_mode: 0o100644,
                new_mode: 0,
                old_oid: "bbbb".into(),
                new_oid: "0000".into(),
                status: 'D',
                path: b"gone.ts".to_vec(),
            }
        );
        assert_eq!(got[2].path_lossy(), "café.ts");
        assert!(got[3].is_gitlink() && !got[0].is_gitlink());
    }

    #[test]
    fn malformed_raw_diff_is_an_error_not_a_partial_list() {
        for out in [
            &b":100644 100644 cccc dddd M\0"[..],
            b"100644 100644 cccc dddd M\0a.ts\0",
            b":100644 cccc dddd M\0a.ts\0",
            b":10x644 100644 cccc dddd M\0a.ts\0",
        ] {
            assert!(
                parse_raw_diff_changes(out).is_err(),
                "{:?}",
                String::from_utf8_lossy(out)
            );
        }
        assert_eq!(parse_raw_diff_changes(b"").unwrap(), vec![]);
    }

    #[test]
    fn alternates_split_as_git_reads_them() {
        let got = split_alternates(b"/a/objects:rel/objects:\"/with:colon\\\"q\":/last");
        let got: Vec<String> = got
            .iter()
            .map(|e| String::from_utf8_lossy(e).into_owned())
            .collect();
        assert_eq!(got, ["/a/objects", "rel/objects", "/with:colon\"q", "/last"]);
        assert!(split_alternates(b"").is_empty());
        assert!(split_alternates(b"::").is_empty());
    }

    #[test]
    fn a_relative_index_file_is_relative_to_the_work_tree_root() {
        let root = Path::new("/repo/top");
        let at = |v: &str| index_file_from(Some(v.into()), root);
        assert_eq!(at(".git/index.lock"), Some(root.join(".git/index.lock")));
        assert_eq!(at("/elsewhere/index"), Some(PathBuf::from("/elsewhere/index")));
        assert_eq!(at(""), None);
        assert_eq!(index_file_from(None, root), None);
    }
}

#[cfg(test)]
mod raw_diff_tests {
    use super::*;

    #[test]
    fn raw_diff_keeps_files_not_deletions_or_submodules() {
        let out = b":000000 100644 0000 aaaa A\0new file.ts\0:100644 000000 bbbb 0000 D\0gone.ts\0\
:100644 100644 cccc dddd M\0caf\xc3\xa9.ts\0:000000 160000 0000 eeee A\0sub\0";
        let got = parse_raw_diff(out).unwrap();
        assert_eq!(got, vec![PathBuf::from("new file.ts"), PathBuf::from("café.ts")]);
    }
}

/// git's version, as `git --version` reports it (`git version 2.47.3`, `2.39.5 (Apple Git-154)`,
/// `2.45.1.windows.1`, `2.54.0.rc1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub u32, pub u32, pub u32);

impl Version {
    /// The first git that runs hooks configured as `hook.<name>.command` (git-hook(1), 2.54).
    pub const CONFIG_HOOKS: Version = Version(2, 54, 0);

    pub fn parse(out: &str) -> Option<Version> {
        let rest = out.trim().strip_prefix("git version ")?;
        let mut parts = rest
            .split(|c: char| !c.is_ascii_digit())
            .take(3)
            .map(|p| p.parse::<u32>().ok());
        let major = parts.next()??;
        let minor = parts.next()??;
        let patch = parts.next().flatten().unwrap_or(0);
        Some(Version(major, minor, patch))
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

/// The version of the `git` hookctl runs (the one on PATH, as git's hooks find it).
pub fn version(dir: &Path) -> anyhow::Result<Version> {
    let out = command(dir)
        .arg("--version")
        .output()
        .map_err(|e| anyhow::anyhow!("cannot run git: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    Version::parse(&text).ok_or_else(|| anyhow::anyhow!("cannot read git's version from `{}`", text.trim()))
}

#[cfg(test)]
mod version_tests {
    use super::Version;

    #[test]
    fn versions_as_git_prints_them() {
        for (out, v) in [
            ("git version 2.47.3\n", Version(2, 47, 3)),
            ("git version 2.39.5 (Apple Git-154)", Version(2, 39, 5)),
            ("git version 2.45.1.windows.1", Version(2, 45, 1)),
            ("git version 2.54.0.rc1", Version(2, 54, 0)),
            ("git version 3.0", Version(3, 0, 0)),
        ] {
            assert_eq!(Version::parse(out), Some(v), "{out}");
        }
        assert_eq!(Version::parse("hub version 2"), None);
        assert!(Version(2, 53, 9) < Version::CONFIG_HOOKS && Version(2, 54, 0) >= Version::CONFIG_HOOKS);
    }
}
