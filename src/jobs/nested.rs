//! `hookctl.toml` files inside workspace packages (like lint-staged's nearest config): each adds
//! its jobs for that package's files. A nested job's `root` is the package folder (or its own
//! `root`, glob or not, inside that folder), so its `{files}` are the package's files, relative
//! to it. Only jobs are taken from a nested file: `checks`, `parallel` and `fail_fast` stay the
//! root's. Only folders that are workspace packages of the index count, so a fixture or an
//! example project with its own `hookctl.toml` adds nothing.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::config::{self, JobConfig};

use super::Git;

/// Jobs of the nested configs, by hook. Errors (a malformed nested file) are usage errors.
pub fn nested_jobs(git: &Git, index: Option<&Path>) -> anyhow::Result<Vec<(String, JobConfig)>> {
    if git.bare {
        return Ok(Vec::new());
    }
    let pattern = format!(":(glob)**/{}", config::FILE_NAME);
    let out = git.run(&["ls-files", "-z", "--", &pattern], index)?;
    let candidates: Vec<PathBuf> = out
        .split(|&b| b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| PathBuf::from(OsStr::from_bytes(p)))
        .filter(|p| p.parent().is_some_and(|d| !d.as_os_str().is_empty()))
        .collect();
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    let workspaces = workspace_folders()?;
    let mut jobs = Vec::new();
    for path in candidates {
        let Some(dir) = path.parent().and_then(Path::to_str) else {
            continue;
        };
        if !workspaces.iter().any(|w| w == dir) {
            continue;
        }
        let file = git.root.join(&path);
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let parsed = config::parse(&file, &text).map_err(|e| crate::UsageError(e.to_string()))?;
        for (hook, hc) in parsed.hooks {
            for mut job in hc.jobs {
                let inner = job
                    .root
                    .as_deref()
                    .map(|r| r.trim_start_matches("./").trim_matches('/'));
                job.root = Some(match inner {
                    Some(r) if !r.is_empty() => format!("{dir}/{r}"),
                    _ => dir.to_string(),
                });
                jobs.push((hook.clone(), job));
            }
        }
    }
    Ok(jobs)
}

/// The workspace package folders of the index (`package.json` workspaces, pnpm-workspace.yaml).
fn workspace_folders() -> anyhow::Result<Vec<String>> {
    let (repo, paths) = crate::snapshot::open()?;
    let snap = crate::snapshot::Snapshot::index(repo, &paths)?;
    let packages = crate::resolve::packages::Packages::load(&snap, &mut Vec::new());
    Ok(packages.workspaces.into_values().collect())
}
