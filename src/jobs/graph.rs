//! The import graph as job input: `{affected}` is the staged files' source files plus every
//! source file of the snapshot that imports one of them, directly or through other files
//! (type-only imports, re-exports, `require`, dynamic `import()` and mocks included);
//! `{packages}` names the workspace packages holding a job's files.
//!
//! Facts (each file's imports) come from the facts cache by blob id, as the built-in checks
//! left them (files not cached yet are parsed and cached). Resolving every import of a large
//! repository would cost as much as a full check, so the graph is walked backwards from the
//! staged files, and only imports that could name an affected file are resolved: those whose
//! last path segment (extension and a leading `@`/`~`/`#`/`$` dropped) is the file's name or
//! the name of a folder on its path (`./button`, `@/lib/utils` for `utils/index.ts`), `.`/`..`,
//! and bare imports of the workspace package holding it (`@acme/ui`, `@acme/ui/button`). Each
//! candidate is then resolved exactly as the checks resolve it. An alias that names neither
//! the file nor a folder on its path (`"@app": ["src/main.ts"]`) is not followed.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::cache::FactsCache;
use crate::checks::{self, Target};
use crate::config::Config;
use crate::resolve::packages::Packages;
use crate::resolve::{Resolver, Verdict};
use crate::scan::ScanOptions;

/// What `{affected}` and `{packages}` need for one snapshot.
#[derive(Debug, Default, Clone)]
pub struct Graph {
    /// Sorted, repo-relative source files.
    pub affected: Vec<PathBuf>,
    /// Workspace package folder -> name, deepest folders first.
    pub packages: Vec<(PathBuf, String)>,
}

impl Graph {
    /// Names of the workspace packages holding any of `files`, sorted, each once.
    pub fn package_names(&self, files: &[PathBuf]) -> Vec<String> {
        let names: BTreeSet<&str> = files
            .iter()
            .filter_map(|f| {
                self.packages
                    .iter()
                    .find(|(dir, _)| f.starts_with(dir))
                    .map(|(_, n)| n.as_str())
            })
            .collect();
        names.into_iter().map(str::to_string).collect()
    }
}

/// The last segment of a specifier or path, normalised for matching (see the module comment).
fn key(segment: &str) -> &str {
    let s = segment.strip_prefix('#').unwrap_or(segment);
    let s = s.split(['?', '#']).next().unwrap_or(s);
    let s = s.trim_end_matches('/');
    let last = s.rsplit('/').next().unwrap_or(s);
    let mut k = last.trim_start_matches(['@', '~', '#', '$']);
    for ext in [
        ".d.ts", ".d.mts", ".d.cts", ".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs", ".json",
    ] {
        if let Some(stripped) = k.strip_suffix(ext)
            && !stripped.is_empty()
        {
            k = stripped;
            break;
        }
    }
    k
}

/// The workspace package name a bare specifier names (`@scope/name/sub` -> `@scope/name`).
fn bare_package(spec: &str) -> Option<&str> {
    if spec.starts_with(['.', '/']) {
        return None;
    }
    let mut parts = spec.splitn(3, '/');
    let first = parts.next()?;
    if first.starts_with('@') {
        let second = parts.next()?;
        Some(&spec[..first.len() + 1 + second.len()])
    } else {
        Some(first)
    }
}

/// Compute `{affected}` for `seeds` (the staged files) in `target`'s snapshot, and the
/// workspace packages.
pub fn compute(config: &Config, target: &Target, seeds: &[PathBuf]) -> anyhow::Result<Graph> {
    let (repo, paths) = crate::snapshot::open()?;
    let snap = Arc::new(target.open(repo, &paths)?);
    let packages = Packages::load(&snap, &mut Vec::new());
    let mut folders: Vec<(PathBuf, String)> = packages
        .workspaces
        .iter()
        .map(|(name, dir)| (PathBuf::from(dir), name.clone()))
        .collect();
    folders.sort_by(|a, b| {
        b.0.components()
            .count()
            .cmp(&a.0.components().count())
            .then(a.cmp(b))
    });

    let opts = ScanOptions {
        env_accessors: config.env.accessors.clone(),
    };
    let cache = FactsCache::load(&paths.common_dir, FactsCache::fingerprint(&opts));
    let facts = checks::scan_snapshot(&snap, &opts, &checks::Scope::All, &cache);
    let _ = cache.save();

    // Candidate imports by key: (importer index, import index).
    let mut by_key: HashMap<&str, Vec<(usize, usize)>> = HashMap::new();
    let mut by_package: HashMap<&str, Vec<(usize, usize)>> = HashMap::new();
    let mut always: Vec<(usize, usize)> = Vec::new();
    for (i, (_, f)) in facts.iter().enumerate() {
        for (j, imp) in f.imports.iter().enumerate() {
            let k = key(&imp.specifier);
            if k.is_empty() || k == "." || k == ".." {
                always.push((i, j));
                continue;
            }
            by_key.entry(k).or_default().push((i, j));
            if let Some(p) = bare_package(&imp.specifier)
                && packages.workspaces.contains_key(p)
            {
                by_package.entry(p).or_default().push((i, j));
            }
        }
    }

    let mut unreadable = Vec::new();
    let mut notes = Vec::new();
    let resolver = Resolver::new(snap.clone(), &config.imports, &mut unreadable, &mut notes);
    let mut affected: BTreeSet<String> = BTreeSet::new();
    let mut queue: VecDeque<String> = VecDeque::new();
    for s in seeds {
        let s = s.to_string_lossy().into_owned();
        if snap.get(&s).is_some() && affected.insert(s.clone()) {
            queue.push_back(s);
        }
    }
    let mut resolved: HashMap<(usize, usize), Option<String>> = HashMap::new();
    while let Some(target) = queue.pop_front() {
        let path = Path::new(&target);
        let mut candidates: Vec<(usize, usize)> = always.clone();
        let mut keys: BTreeSet<&str> = BTreeSet::new();
        keys.insert(key(&target));
        for dir in path.ancestors().skip(1) {
            if let Some(name) = dir.file_name().and_then(|n| n.to_str()) {
                keys.insert(key(name));
            }
        }
        for k in keys {
            candidates.extend(by_key.get(k).into_iter().flatten().copied());
        }
        if let Some((_, name)) = folders.iter().find(|(dir, _)| path.starts_with(dir)) {
            candidates.extend(by_package.get(name.as_str()).into_iter().flatten().copied());
        }
        for (i, j) in candidates {
            let importer = facts[i].0.as_str();
            if affected.contains(importer) {
                continue;
            }
            // Each import is resolved once; its target may become affected later.
            let resolved = resolved.entry((i, j)).or_insert_with(|| {
                let imp = &facts[i].1.imports[j];
                match resolver.resolve(importer, &imp.specifier, imp.type_only) {
                    Verdict::File(t) | Verdict::NeedsExtension(t) => Some(t),
                    Verdict::CaseMismatch { real, .. } => Some(real),
                    _ => None,
                }
            });
            if resolved.as_ref().is_some_and(|t| affected.contains(t)) {
                affected.insert(importer.to_string());
                queue.push_back(importer.to_string());
            }
        }
    }
    Ok(Graph {
        affected: affected
            .into_iter()
            .filter(|p| checks::is_source(p))
            .map(PathBuf::from)
            .collect(),
        packages: folders,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_match_files_folders_and_aliases() {
        assert_eq!(key("./button"), "button");
        assert_eq!(key("../lib/button.js"), "button");
        assert_eq!(key("@/lib/utils/"), "utils");
        assert_eq!(key("@acme/ui"), "ui");
        assert_eq!(key("~config"), "config");
        assert_eq!(key("#internal/db?raw"), "db");
        assert_eq!(key("src/types.d.ts"), "types");
        assert_eq!(key("."), ".");
        assert_eq!(bare_package("@acme/ui/button"), Some("@acme/ui"));
        assert_eq!(bare_package("lodash/fp"), Some("lodash"));
        assert_eq!(bare_package("./x"), None);
    }
}
