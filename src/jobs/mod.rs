//! The hook-manager half: the team's own commands ("jobs") beside the built-in checks.
//!
//! `plan` decides which files each job gets and the command lines, `exec` runs them (process
//! groups, timeouts, parallelism, signals), `clean` materialises a snapshot into a temporary
//! directory, `push` reads pre-push ref lines, `capture` bounds a job's output (and logs it),
//! `orphans` finds the job groups of a hookctl that was killed outright. Everything here reads git state through the
//! `git` CLI with `GIT_OPTIONAL_LOCKS=0` and never writes the index, the work tree or refs.

pub mod capture;
pub mod clean;
pub mod exec;
pub mod graph;
pub mod nested;
pub mod orphans;
pub mod plan;
pub mod push;
pub mod staged;

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, bail};

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
        let mut c = Command::new("git");
        c.current_dir(&self.root)
            .env("GIT_OPTIONAL_LOCKS", "0")
            .stdin(Stdio::null());
        c
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

/// What a hook run looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Snapshot {
    /// An index file (`None`: the repository's own, or whatever `GIT_INDEX_FILE` says).
    Index(Option<PathBuf>),
    /// A commit's tree (full hex id).
    Commit(String),
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
    Ok(crate::git::parse_raw_diff(out)?
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
    let out = match base {
        Some(base) => git.run(
            &["diff-tree", "-r", "-z", "--raw", "--no-renames", base, tip, "--"],
            None,
        )?,
        None => {
            let out = git.run(&["ls-tree", "-r", "-z", "--full-tree", tip], None)?;
            return Ok(out
                .split(|&b| b == 0)
                .filter_map(|e| {
                    let tab = e.iter().position(|&b| b == b'\t')?;
                    (!e.starts_with(b"160000 ")).then(|| PathBuf::from(OsStr::from_bytes(&e[tab + 1..])))
                })
                .collect());
        }
    };
    parse_raw_diff(&out)
}

/// `KEY=value` pairs as `OsString`s for `Command::envs`.
pub fn env_pair(k: impl Into<OsString>, v: impl Into<OsString>) -> (OsString, OsString) {
    (k.into(), v.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_diff_keeps_files_not_deletions_or_submodules() {
        let out = b":000000 100644 0000 aaaa A\0new file.ts\0:100644 000000 bbbb 0000 D\0gone.ts\0\
:100644 100644 cccc dddd M\0caf\xc3\xa9.ts\0:000000 160000 0000 eeee A\0sub\0";
        let got = parse_raw_diff(out).unwrap();
        assert_eq!(got, vec![PathBuf::from("new file.ts"), PathBuf::from("café.ts")]);
    }
}
