//! `hookctl.toml` files inside workspace packages (like lint-staged's nearest config). A nested
//! job's `root` is the package folder (or its own `root`, glob or not, inside that folder), so
//! its `{files}` are the package's files, relative to it. Its per-file settings (`[rules]`,
//! `[imports]`, `[env]`, `[deps]`, `[secrets]`, `[scan]`) and a hook's own keys (`checks`,
//! `skip`, `only`, `parallel`, `fail_fast`, `groups`, `checks_order`, `file_checkout`) apply to
//! the files and jobs under that folder in every run, nearest wins: the package's whole
//! configuration (`Config::load_for`) is a [`config::Scope`]. What has no meaning for one folder
//! ([`REPOSITORY_WIDE`]: `[cache]`, `[server]`, `[commit]`) is refused in a nested file
//! ([`refuse_repository_wide`]); docs/config-sharing.md gives the precedence. A nested file may
//! use `extends`. Only folders that are workspace packages count (the root `package.json`'s
//! `workspaces` or `pnpm-workspace.yaml`, on disk as the root config is), so a fixture or an
//! example project with its own `hookctl.toml` adds nothing.

use crate::platform::OsStrExt;
use std::path::{Path, PathBuf};

use crate::config::pattern::JobRoot;
use crate::config::{self, JobConfig};

use crate::git::Git;

/// Jobs of the nested configs: `(package folder, hook, job)`. Errors (a malformed nested file)
/// are usage errors. Read from disk like the root's `hookctl.toml`; a repository without
/// workspaces costs one or two failed reads.
pub fn nested_jobs(git: &Git) -> anyhow::Result<Vec<(String, String, JobConfig)>> {
    if git.bare {
        return Ok(Vec::new());
    }
    let mut jobs = Vec::new();
    for dir in workspace_folders(&git.root) {
        let file = git.root.join(&dir).join(config::FILE_NAME);
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let dir = dir.to_string_lossy().into_owned();
        let mut parsed = config::load_file(&file, text, &git.root).map_err(|e| anyhow::anyhow!(e.chain()))?;
        parsed.drop_disabled_jobs();
        for (hook, hc) in parsed.hooks {
            for mut job in hc.jobs {
                job.root = Some(JobRoot::within(&dir, job.root.as_ref())?);
                jobs.push((dir.clone(), hook.clone(), job));
            }
        }
    }
    Ok(jobs)
}

/// The hooks the nested configs give jobs to, sorted, once each. A malformed nested file
/// gives none here (`hookctl run` reports it).
pub fn nested_hooks(root: &Path) -> Vec<String> {
    let mut hooks: Vec<String> = Vec::new();
    for dir in workspace_folders(root) {
        let file = root.join(&dir).join(config::FILE_NAME);
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let Ok(mut parsed) = config::load_file(&file, text, root) else {
            continue;
        };
        parsed.drop_disabled_jobs();
        hooks.extend(
            parsed
                .hooks
                .into_iter()
                .filter(|(_, hc)| !hc.jobs.is_empty())
                .map(|(h, _)| h),
        );
    }
    hooks.sort();
    hooks.dedup();
    hooks
}

/// `[rules]` of the nested configs: `(folder, levels)`. A malformed nested file is an error.
pub fn nested_rules(root: &Path) -> Result<Vec<(String, config::RuleLevels)>, config::Error> {
    let mut out = Vec::new();
    for dir in workspace_folders(root) {
        let file = root.join(&dir).join(config::FILE_NAME);
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let parsed = config::load_file(&file, text, root)?;
        if !parsed.rules.is_empty() {
            out.push((dir.to_string_lossy().into_owned(), parsed.rules));
        }
    }
    Ok(out)
}

/// The workspace packages (under `within`, a folder; "" for all) whose configuration (root,
/// then the package's `hookctl.toml`, as a run of that package loads it) checks files
/// otherwise than `base` does, or runs a hook otherwise (a hook's own keys besides its jobs).
pub fn scopes(root: &Path, base: &config::Config, within: &str) -> Result<Vec<config::Scope>, config::Error> {
    let mut out = Vec::new();
    for dir in workspace_folders(root) {
        if !root.join(&dir).join(config::FILE_NAME).is_file() {
            continue;
        }
        let folder = dir.to_string_lossy().replace('\\', "/");
        if !within.is_empty() && !folder.starts_with(&format!("{within}/")) {
            continue;
        }
        let own = config::Config::load_for(root, None, Some(&folder))?;
        let pass = own.needs_own_pass(base);
        if pass || own.hooks_differ(base) {
            out.push(config::Scope {
                folder,
                config: own,
                pass,
            });
        }
    }
    Ok(out)
}

/// The settings of the whole repository, which a workspace package's `hookctl.toml` cannot
/// set, each with why: no folder of the repository has a meaning for them. Everything else a
/// root file may set, a package's may too (nearest wins: docs/config-sharing.md).
pub const REPOSITORY_WIDE: &[(&str, &str)] = &[
    (
        "cache",
        "one verdict cache and one remote cache serve every package, whose files are checked in one run",
    ),
    (
        "server",
        "the server's `pre-receive` checks a push of the whole repository, with the receiving repository's configuration",
    ),
    (
        "commit",
        "a commit message belongs to the whole commit, which may touch several packages; a Conventional Commits `scope` names the package instead",
    ),
];

/// [`REPOSITORY_WIDE`] keys set in a package's own file: exit 2 naming the file, the line and
/// why. Set by a base it `extends` (a base shared with the root): left out of the package's
/// layers when they are merged (`extends::Chain`), so the root's value stays.
pub fn refuse_repository_wide(file: &Path, text: &str) -> Result<(), config::Error> {
    let own = config::parse(file, text)?;
    let c = &own.cache;
    let m = &own.commit;
    let set = |table: &str| match table {
        "cache" => {
            c.remote.is_some()
                || c.remote_write.is_some()
                || c.remote_min_misses.is_some()
                || c.remote_timeout.is_some()
        }
        "server" => own.server != config::ServerConfig::default(),
        _ => {
            m.conventional.is_some()
                || m.types.is_some()
                || m.max_subject_length.is_some()
                || m.ticket.is_some()
        }
    };
    let Some((table, why)) = REPOSITORY_WIDE.iter().find(|(t, _)| set(t)) else {
        return Ok(());
    };
    Err(config::Error::Invalid {
        path: file.to_path_buf(),
        line: locate(text, table, None),
        message: format!(
            "`[{table}]` is a setting of the whole repository, which a workspace package's {} cannot set: {why}; move it to the root {}",
            config::FILE_NAME,
            config::FILE_NAME,
        ),
    })
}

/// The line of `key` inside `table` (`[table]` then `key =`, `[table.key]`, `table.key =`), else
/// of `table`, from toml's own spans (the text parsed already); 1 when neither is found.
fn locate(text: &str, table: &str, key: Option<&str>) -> usize {
    let Ok(doc) = toml::de::DeTable::parse(text) else {
        return 1;
    };
    let line = |span: std::ops::Range<usize>| config::line_col(text, span.start).0;
    let Some((name, value)) = doc.get_ref().get_key_value(table) else {
        return 1;
    };
    let inner = match (key, value.get_ref()) {
        (Some(k), toml::de::DeValue::Table(t)) => t.get_key_value(k).map(|(k, _)| line(k.span())),
        _ => None,
    };
    inner.unwrap_or_else(|| line(name.span()))
}

/// The workspace patterns of the root `package.json` (`workspaces`, `workspaces.packages`)
/// and of `pnpm-workspace.yaml` (`packages`), as written.
fn workspace_globs(root: &Path) -> Vec<String> {
    let mut globs: Vec<String> = Vec::new();
    if let Some(json) = std::fs::read(root.join("package.json"))
        .ok()
        .and_then(|b| crate::manifest::parse_jsonc("package.json", &b).ok())
    {
        let ws = json.get("workspaces");
        let list = ws
            .and_then(serde_json::Value::as_array)
            .or_else(|| ws?.get("packages")?.as_array());
        globs.extend(
            list.into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_string)),
        );
    }
    if let Ok(bytes) = std::fs::read(root.join("pnpm-workspace.yaml"))
        && let Ok(list) = crate::manifest::parse_pnpm_workspace(&bytes)
    {
        globs.extend(list);
    }
    globs
}

/// The workspace package folders on disk: folders matching the root `package.json`'s
/// `workspaces` (or `workspaces.packages`) or `pnpm-workspace.yaml`'s `packages` (`!` excludes),
/// holding a `package.json`. Sorted.
///
/// A hook run asks this three times (the nested `[rules]`, the packages' scopes, the nested
/// jobs) before any job runs: the walk is done once per root and workspace patterns in a
/// process.
pub fn workspace_folders(root: &Path) -> Vec<PathBuf> {
    type Walked = Vec<((PathBuf, Vec<String>), Vec<PathBuf>)>;
    static WALKED: std::sync::Mutex<Walked> = std::sync::Mutex::new(Vec::new());
    let globs = workspace_globs(root);
    let key = (root.to_path_buf(), globs);
    let mut walked = WALKED.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((_, found)) = walked.iter().find(|(k, _)| *k == key) {
        return found.clone();
    }
    let found = walk_workspace_folders(root, &key.1);
    walked.push((key, found.clone()));
    found
}

fn walk_workspace_folders(root: &Path, globs: &[String]) -> Vec<PathBuf> {
    let mut include = globset::GlobSetBuilder::new();
    let mut exclude = globset::GlobSetBuilder::new();
    // Where to walk from (the literal part of a pattern) and how deep (`**`: up to 8).
    let mut starts: Vec<(PathBuf, usize)> = Vec::new();
    for g in globs {
        let (neg, pat) = match g.strip_prefix('!') {
            Some(p) => (true, p),
            None => (false, g.as_str()),
        };
        let pat = pat.trim_start_matches("./").trim_end_matches('/');
        // Never read outside the repository (`../outside/*`, `/etc/*`): such a pattern names
        // no package of this repository.
        let inside = Path::new(pat)
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_) | std::path::Component::CurDir));
        if !inside {
            continue;
        }
        let Ok(glob) = globset::GlobBuilder::new(pat).literal_separator(true).build() else {
            continue;
        };
        if neg {
            exclude.add(glob);
        } else {
            include.add(glob);
            // Walk from the literal part of the pattern only.
            let literal: PathBuf = Path::new(pat)
                .components()
                .take_while(|c| !c.as_os_str().to_string_lossy().contains(['*', '?', '[', '{']))
                .collect();
            let depth = if pat.contains("**") {
                8
            } else {
                Path::new(pat).components().count() - literal.components().count()
            };
            starts.push((literal, depth));
        }
    }
    let (Ok(include), Ok(exclude)) = (include.build(), exclude.build()) else {
        return Vec::new();
    };
    let mut found = std::collections::BTreeSet::new();
    let mut stack: Vec<(PathBuf, usize)> = starts;
    // A folder reached through a symbolic link to elsewhere is not part of the repository.
    let real_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let within = |dir: &Path| {
        root.join(dir)
            .canonicalize()
            .is_ok_and(|real| real.starts_with(&real_root))
    };
    while let Some((dir, left)) = stack.pop() {
        if !within(&dir) {
            continue;
        }
        if !dir.as_os_str().is_empty()
            && include.is_match(&dir)
            && !exclude.is_match(&dir)
            && root.join(&dir).join("package.json").is_file()
        {
            found.insert(dir.clone());
        }
        if left == 0 {
            continue;
        }
        let Ok(entries) = std::fs::read_dir(root.join(&dir)) else {
            continue;
        };
        for e in entries.flatten() {
            let name = e.file_name();
            let skip = name == "node_modules" || name.as_bytes().starts_with(b".");
            if !skip && e.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push((dir.join(name), left - 1));
            }
        }
    }
    found.into_iter().collect()
}

/// A workspace package: its folder (repo-relative, `/`-separated) and its `package.json` name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    pub folder: String,
    pub name: Option<String>,
}

impl Package {
    /// `@acme/web (apps/web)`, or the folder alone for a package without a name.
    pub fn label(&self) -> String {
        match &self.name {
            Some(n) => format!("{n} ({})", self.folder),
            None => self.folder.clone(),
        }
    }

    /// Whether a repo-relative path is inside this package's folder.
    pub fn holds(&self, path: &Path) -> bool {
        path.starts_with(&self.folder)
    }
}

/// The workspace packages, by folder.
pub fn packages(root: &Path) -> Vec<Package> {
    workspace_folders(root)
        .into_iter()
        .map(|dir| {
            let name = std::fs::read(root.join(&dir).join("package.json"))
                .ok()
                .and_then(|b| crate::manifest::parse_jsonc("package.json", &b).ok())
                .and_then(|j| j.get("name")?.as_str().map(str::to_string));
            Package {
                folder: dir.to_string_lossy().replace('\\', "/"),
                name,
            }
        })
        .collect()
}

/// `--package P`: a package by its `package.json` name or its folder. An unknown one is an
/// error naming the closest and listing the packages.
pub fn find(root: &Path, spec: &str) -> anyhow::Result<Package> {
    let all = packages(root);
    let folder = spec.trim_start_matches("./").trim_end_matches('/');
    if let Some(p) = all
        .iter()
        .find(|p| p.name.as_deref() == Some(spec))
        .or_else(|| all.iter().find(|p| p.folder == folder))
    {
        return Ok(p.clone());
    }
    if all.is_empty() {
        anyhow::bail!(
            "--package {spec}: this repository has no workspace packages (no `workspaces` in package.json, no pnpm-workspace.yaml)"
        );
    }
    let known = all
        .iter()
        .flat_map(|p| p.name.iter().map(String::as_str).chain([p.folder.as_str()]));
    let list: Vec<String> = all.iter().map(Package::label).collect();
    anyhow::bail!(
        "--package {spec}: no workspace package has this name or folder{}\npackages: {}",
        config::suggest(spec, known),
        list.join(", ")
    )
}

/// `--here`: the package whose folder holds `dir` (the nearest, for packages inside packages).
pub fn containing(root: &Path, dir: &Path) -> anyhow::Result<Package> {
    let real_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let real = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let rel = real
        .strip_prefix(&real_root)
        .map_err(|_| anyhow::anyhow!("--here: {} is outside the repository", dir.display()))?;
    packages(root)
        .into_iter()
        .filter(|p| rel.starts_with(&p.folder))
        .max_by_key(|p| p.folder.len())
        .ok_or_else(|| {
            let list: Vec<String> = packages(root).iter().map(Package::label).collect();
            anyhow::anyhow!(
                "--here: {} is not inside a workspace package (packages: {}); use --package NAME",
                if rel.as_os_str().is_empty() {
                    ".".to_string()
                } else {
                    rel.display().to_string()
                },
                if list.is_empty() {
                    "none".to_string()
                } else {
                    list.join(", ")
                }
            )
        })
}

#[cfg(test)]
mod tests {
    use super::locate;

    #[test]
    fn locates_a_key_in_every_toml_form_of_its_table() {
        let text = "# a package\n[env]\nallow = []\n\n[pre-commit]\nparallel = true\nchecks = false\n";
        assert_eq!(locate(text, "pre-commit", Some("checks")), 7);
        assert_eq!(locate(text, "pre-commit", Some("skip")), 5, "the table's line");
        assert_eq!(locate(text, "cache", None), 1, "absent");
        let dotted = "# shared\n\ncache.remote = \"turbo\"\n[env]\nallow = []\n";
        assert_eq!(locate(dotted, "cache", None), 3);
        let sub = "[rules]\n\n[pre-commit.skip]\nmerge = true\n";
        assert_eq!(locate(sub, "pre-commit", Some("skip")), 3);
    }
}
