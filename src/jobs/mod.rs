//! The hook-manager half: the team's own commands ("jobs") beside the built-in checks.
//!
//! `plan` decides which files each job gets and the command lines, `exec` runs them (process
//! groups, timeouts, parallelism, signals), `clean` materialises a snapshot into a temporary
//! directory, `push` reads pre-push ref lines, `capture` bounds a job's output (and logs it),
//! `orphans` finds the job groups of a hookctl that was killed outright, `restore` keeps on disk
//! what a run must put back (and puts back what a killed run left), `path` gives jobs the
//! project's `node_modules/.bin`. Everything here reads git state through the
//! `git` CLI with `GIT_OPTIONAL_LOCKS=0` and never writes the index, the work tree or refs.

pub mod capture;
pub mod clean;
pub mod condition;
pub mod exec;
pub mod order;
pub mod orphans;
pub mod path;
pub mod plan;
pub mod push;
pub mod restore;
pub mod staged;

use std::ffi::OsString;
use std::path::PathBuf;

pub use crate::git::{
    Git, Pushed, commit_files, index_files, index_from_env, parse_raw_diff, parse_raw_diff_oids,
    staged_files, staged_files_oids,
};

/// Which snapshot a hook's jobs look at (`crate::snapshot::Snapshot` is its loaded contents).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnapshotRef {
    /// An index file (`None`: the repository's own, or whatever `GIT_INDEX_FILE` says).
    Index(Option<PathBuf>),
    /// A commit's tree (full hex id).
    Commit(String),
}

/// `KEY=value` pairs as `OsString`s for `Command::envs`.
pub fn env_pair(k: impl Into<OsString>, v: impl Into<OsString>) -> (OsString, OsString) {
    (k.into(), v.into())
}

/// hookctl's own state folder (`<git common dir>/hookctl`), shared by linked worktrees.
pub fn state_dir(git: &Git) -> PathBuf {
    git.common_dir.join("hookctl")
}

/// What runs killed outright (SIGKILL, the OOM killer) left behind, dealt with.
#[derive(Debug, Default)]
pub struct Leftovers {
    /// Job process groups killed.
    pub killed: usize,
    /// Temporary directories (views, clean checkouts) removed.
    pub removed: usize,
    /// Unstaged edits put back, or named where they are.
    pub recovery: restore::Recovery,
}

/// Clean up after runs killed outright, in the order that is safe: their job groups first
/// (a job still running could rewrite a file again), then the files they must restore, then
/// their temporary directories.
pub fn sweep_leftovers(git: &Git) -> Leftovers {
    let state = state_dir(git);
    let killed = orphans::sweep(&state);
    let recovery = restore::recover(&state);
    let removed = clean::sweep_recorded(&state);
    Leftovers {
        killed,
        removed,
        recovery,
    }
}
