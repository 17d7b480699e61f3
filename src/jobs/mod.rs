//! The hook-manager half: the team's own commands ("jobs") beside the built-in checks.
//!
//! `plan` decides which files each job gets and the command lines, `exec` runs them (process
//! groups, timeouts, parallelism, signals), `clean` materialises a snapshot into a temporary
//! directory, `push` reads pre-push ref lines, `capture` bounds a job's output (and logs it),
//! `orphans` finds the job groups of a hookctl that was killed outright, `path` gives
//! jobs the project's `node_modules/.bin`. Everything here reads git state through the
//! `git` CLI with `GIT_OPTIONAL_LOCKS=0` and never writes the index, the work tree or refs.

pub mod capture;
pub mod clean;
pub mod exec;
pub mod orphans;
pub mod path;
pub mod plan;
pub mod push;
pub mod staged;

use std::ffi::OsString;
use std::path::PathBuf;

pub use crate::git::{
    Git, Pushed, commit_files, index_files, index_from_env, parse_raw_diff, parse_raw_diff_oids,
    staged_files, staged_files_oids,
};

/// What a hook run looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Snapshot {
    /// An index file (`None`: the repository's own, or whatever `GIT_INDEX_FILE` says).
    Index(Option<PathBuf>),
    /// A commit's tree (full hex id).
    Commit(String),
}

/// `KEY=value` pairs as `OsString`s for `Command::envs`.
pub fn env_pair(k: impl Into<OsString>, v: impl Into<OsString>) -> (OsString, OsString) {
    (k.into(), v.into())
}
