//! hookctl: git hooks that check what is actually committed or pushed.
//!
//! Data flows one way: `snapshot` (what git will record) -> `scan` (tree-sitter facts per
//! blob) -> `resolve` (specifiers against the snapshot) -> `rules` (findings) -> `report`.
//! `jobs` runs the team's own commands beside it; `install` writes the hook shims.

#[macro_use]
pub mod output;
pub mod alloc;
pub mod bundler;
pub mod cache;
pub mod checks;
pub mod cli;
pub mod codes;
pub mod commands;
pub mod config;
pub mod data;
pub mod deps;
pub mod diagnostic;
pub mod env;
pub mod env_vars;
pub mod git;
pub mod graph;
pub mod hook_names;
pub mod install;
pub mod jobs;
pub mod manifest;
pub mod origin;
pub mod package_manager;
pub mod platform;
pub mod prepare;
pub mod report;
pub mod resolve;
pub mod rules;
pub mod scan;
pub mod secret;
pub mod snapshot;
pub mod text;
pub mod timings;

use std::path::PathBuf;

/// Process exit status, as SPEC.md says: 0 nothing blocking, 1 blocking findings or a failed
/// job, 2 usage/configuration/environment error (any `Err` a command returns: anyhow at the
/// edge, as uv's `main`), 3 a bug (a panic, reported as one by `main`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Success = 0,
    Failure = 1,
    Error = 2,
    Bug = 3,
}

/// Global settings resolved once from the command line and the environment.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// The directory hookctl acts in (after `-C`).
    pub cwd: PathBuf,
    /// `--config PATH`, if given.
    pub config: Option<PathBuf>,
    pub color: bool,
    pub quiet: bool,
    pub verbose: bool,
    /// `--remote-cache-read-only`: the remote cache is read, never written.
    pub remote_cache_read_only: bool,
}

impl Ctx {
    /// `hookctl.toml` as loaded, with what the command line overrides in it.
    pub fn adjust(&self, mut config: config::Config) -> config::Config {
        if self.remote_cache_read_only {
            config.cache.remote_write = Some(false);
        }
        config
    }
}

/// `HOOKCTL_SKIP=name,name`: jobs, rule ids or check groups to skip.
pub fn skip_list() -> Vec<String> {
    env_vars::get(env_vars::HOOKCTL_SKIP)
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}
