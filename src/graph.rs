//! The import graph as job input: `{affected}` is the staged files' source files plus every
//! source file of the snapshot that imports one of them, directly or through other files
//! (type-only imports, re-exports, `require`, dynamic `import()` and mocks included);
//! `{packages}` names the workspace packages holding a job's files.
//!
//! Every import of the snapshot is resolved exactly as the checks resolve it, and the edges are
//! kept in `<git common dir>/hookctl/graph.bin` (checksummed; anything unreadable is rebuilt),
//! so that a commit costs only what it changed:
//! - an importer whose blob changed is resolved again (its facts from the facts cache);
//! - paths added or removed since the stored graph can change where other imports resolve
//!   (`./x` now finds `x.ts` before `x/index.ts`), so the stored imports whose key names an
//!   added or removed file, or a folder on its path, are resolved again. An import's key is its
//!   last segment (extension and a leading `@`/`~`/`#`/`$`/`_` dropped, case ignored; `.`/`..`
//!   always), the name of the package it imports (an added path names the packages holding
//!   it: `exports` may map any name), or "always" when an alias renames what it maps (`"#db":
//!   "./src/client.ts"`, `"@impl/*": ["src/*-impl"]`: the added file's name does not say
//!   which imports it captures);
//! - any change to resolution configs (package.json, tsconfig/jsconfig and their `extends`
//!   chains, workspace lists, symlinks, `[imports]` settings) resolves everything again.
//!
//! The first run in a repository resolves every import (as a cold full check does).
//!
//! The checks use the same graph for the baseline of a commit that removes or renames files:
//! the files that imported a removed path are those whose findings can change.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::Config;
use crate::resolve::packages::Packages;
use crate::resolve::{Resolver, Verdict};
use crate::snapshot::Snapshot;

/// What `{affected}` and `{packages}` need for one snapshot.
#[derive(Debug, Default, Clone)]
pub struct Graph {
    /// Sorted, repo-relative source files.
    pub affected: Vec<PathBuf>,
    /// Workspace package folder -> name, deepest folders first.
    pub packages: Vec<(PathBuf, String)>,
    /// The snapshot's blob id (hex) of each affected file.
    pub oids: HashMap<PathBuf, String>,
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
    // (`_` and the stylesheet extensions: `@use 'vars'` names `_vars.scss`.)
    let mut k = last.trim_start_matches(['@', '~', '#', '$', '_']);
    for ext in [
        ".d.ts", ".d.mts", ".d.cts", ".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs", ".json",
        ".scss", ".sass", ".less", ".css",
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

/// The facts of these source files of the snapshot (from the facts cache, parsed and cached
/// when missing): the caller's scanner, so that this module stays below the checks.
pub type FactsOf<'a> = dyn Fn(std::collections::HashSet<String>) -> HashMap<String, crate::scan::Facts> + 'a;

/// Compute `{affected}` for `seeds` (the staged files) in `snap`, and the workspace packages.
pub fn compute(
    config: &Config,
    snap: Arc<Snapshot>,
    seeds: &[PathBuf],
    facts: &FactsOf,
) -> anyhow::Result<Graph> {
    let start = crate::timings::Mark::now();
    let edges = edges(config, &snap, facts)?;
    // Walk the edges backwards from the staged files.
    let importers = edges.importers();
    let current = &edges.paths;
    let mut seen = vec![false; current.len()];
    let mut queue: VecDeque<u32> = VecDeque::new();
    for s in seeds {
        if let Some(i) = s.to_str().and_then(|s| current.binary_search(&s).ok())
            && !seen[i]
        {
            seen[i] = true;
            queue.push_back(i as u32);
        }
    }
    while let Some(t) = queue.pop_front() {
        for &i in &importers[t as usize] {
            if let Some(s) = seen.get_mut(i as usize)
                && !std::mem::replace(s, true)
            {
                queue.push_back(i);
            }
        }
    }
    let affected: Vec<PathBuf> = seen
        .iter()
        .enumerate()
        .filter(|(i, s)| **s && crate::scan::is_source(current[*i]))
        .map(|(i, _)| PathBuf::from(current[i]))
        .collect();
    timing(&start, &format!("walk ({} affected)", affected.len()));
    let oids = affected
        .iter()
        .filter_map(|p| Some((p.clone(), snap.get(p.to_str()?)?.oid.to_string())))
        .collect();
    Ok(Graph {
        affected,
        packages: edges.folders,
        oids,
    })
}

/// The source files of `snap` with an import that resolves to one of `targets` (paths of
/// `snap`), found from the import graph: the files a removal or rename of `targets` can break,
/// whatever alias the import is written with.
pub fn direct_importers(
    config: &Config,
    snap: &Arc<Snapshot>,
    targets: &[&str],
    facts: &FactsOf,
) -> anyhow::Result<Vec<String>> {
    let edges = edges(config, snap, facts)?;
    let ids: std::collections::HashSet<u32> = targets
        .iter()
        .filter_map(|t| edges.paths.binary_search(t).ok())
        .map(|i| i as u32)
        .collect();
    Ok(edges
        .entries
        .iter()
        .filter(|e| e.imports.iter().any(|(_, t, _)| ids.contains(t)))
        .filter_map(|e| edges.paths.get(e.importer as usize))
        .map(std::string::ToString::to_string)
        .collect())
}

/// Which of `files` (paths of `snap`) are data for the bundler: at least one source file of
/// `snap` imports it, and every import of it loads its bytes (`!raw-loader!./x`, `./x?raw`)
/// rather than its code. Each with its importers, sorted. From the import graph, so that a
/// check of a few staged files answers as a full check does.
pub fn loaded_as_text(
    config: &Config,
    snap: &Arc<Snapshot>,
    files: &[&str],
    facts: &FactsOf,
) -> anyhow::Result<HashMap<String, Vec<String>>> {
    let edges = edges_with(config, snap, facts, true)?;
    let wanted: HashMap<u32, &str> = files
        .iter()
        .filter_map(|f| Some((edges.paths.binary_search(f).ok()? as u32, *f)))
        .collect();
    // Per wanted file: its text importers, and whether any import loads it as code.
    let mut seen: HashMap<u32, (Vec<String>, bool)> = HashMap::new();
    for e in &edges.entries {
        for &(_, t, text) in &e.imports {
            if !wanted.contains_key(&t) {
                continue;
            }
            let (importers, code) = seen.entry(t).or_default();
            if text {
                importers.extend(edges.paths.get(e.importer as usize).map(|p| (*p).to_string()));
            } else {
                *code = true;
            }
        }
    }
    Ok(seen
        .into_iter()
        .filter(|(_, (importers, code))| !code && !importers.is_empty())
        .map(|(t, (mut importers, _))| {
            importers.sort();
            importers.dedup();
            (wanted[&t].to_string(), importers)
        })
        .collect())
}

fn timing(start: &crate::timings::Mark, phase: &str) {
    crate::timings::report(&format!("import graph {phase}"), start);
}

/// Every resolved import edge of one snapshot.
struct Edges<'s> {
    /// Every path of the snapshot, sorted (path ids index it).
    paths: Vec<&'s str>,
    /// Per importer (sorted by importer id), its imports' targets.
    entries: Vec<StoredEntry>,
    /// Workspace package folder -> name, deepest folders first.
    folders: Vec<(PathBuf, String)>,
}

impl Edges<'_> {
    /// Target id -> the ids of the files importing it.
    fn importers(&self) -> Vec<Vec<u32>> {
        let mut importers: Vec<Vec<u32>> = vec![Vec::new(); self.paths.len()];
        for e in &self.entries {
            for &(_, t, _) in &e.imports {
                if let Some(list) = importers.get_mut(t as usize) {
                    list.push(e.importer);
                }
            }
        }
        importers
    }
}

/// Which specifiers an added or removed path can move (see the module comment): the key of
/// each import, from its text, its package or the alias it goes through.
struct Keys {
    /// Prefixes of specifiers that an alias maps to files whose names the specifier does not
    /// say (`#db` -> `client.ts`, `@impl/*` -> `*-impl.ts`): re-resolved on every path change.
    renaming: Vec<String>,
    /// Package name -> folder, for every named package.json: an import of the package (its
    /// `exports` may rename anything) is keyed by the package's name, and every path change
    /// inside the folder names it.
    packages: Vec<(String, String)>,
}

impl Keys {
    fn new(resolver: &Resolver) -> Keys {
        let mut renaming: Vec<String> = resolver
            .alias_mappings()
            .into_iter()
            .filter(|(pattern, targets)| !targets.iter().all(|t| keeps_name(pattern, t)))
            .map(|(pattern, _)| pattern.split('*').next().unwrap_or_default().to_string())
            .collect();
        renaming.sort();
        renaming.dedup();
        let mut packages: Vec<(String, String)> = resolver
            .packages
            .manifests
            .iter()
            .filter_map(|(dir, m)| Some((m.name.clone()?, dir.clone())))
            .collect();
        // Longest names first: `@acme/ui-kit` before `@acme/ui`.
        packages.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.cmp(b)));
        Keys { renaming, packages }
    }

    fn of(&self, spec: &str) -> u64 {
        // A loader chain (`!raw-loader!./x`) is keyed by the file it names.
        let spec = crate::resolve::loader::of(spec).resource;
        if spec.starts_with('.') || spec.starts_with('/') {
            return key_hash(&key(spec).to_lowercase());
        }
        if self.renaming.iter().any(|p| spec.starts_with(p.as_str())) {
            return ALWAYS;
        }
        let package = self.packages.iter().find(|(name, _)| {
            spec.strip_prefix(name.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        });
        match package {
            Some((name, _)) => key_hash(&key(name).to_lowercase()),
            None => key_hash(&key(spec).to_lowercase()),
        }
    }

    /// The keys a path change names: the path's own, and those of the packages holding it.
    fn of_path(&self, path: &str, out: &mut std::collections::HashSet<String>) {
        out.extend(path_keys(path));
        for (name, dir) in &self.packages {
            if dir.is_empty() || Path::new(path).starts_with(dir) {
                out.insert(key(name).to_lowercase());
            }
        }
    }
}

/// Does an alias `pattern` -> `target` keep the name an import is keyed by (`@/*` -> `src/*`,
/// `@config` -> `config/index.ts`), so that a path added under the target names the import?
fn keeps_name(pattern: &str, target: &str) -> bool {
    const W: &str = "hookctlwildcard";
    let spec = pattern.replacen('*', W, 1);
    let target = target.replacen('*', W, 1);
    path_keys(target.trim_start_matches("./")).contains(&key(&spec).to_lowercase())
}

/// The import edges of `snap`: from the stored graph where it still holds, resolved where the
/// snapshot changed (see the module comment), and stored again.
fn edges<'s>(config: &Config, snap: &'s Arc<Snapshot>, facts_of: &FactsOf) -> anyhow::Result<Edges<'s>> {
    edges_with(config, snap, facts_of, false)
}

/// [`edges`]; with `text_only`, no edge at all when no import of the snapshot loads a file as
/// text (neither a stored edge nor an import of a file to resolve): the question
/// [`loaded_as_text`] asks then has no answer to find, and resolving every import of a cold
/// snapshot again (200,000 in one minified bundle) would cost as much as the imports check.
#[expect(
    clippy::too_many_lines,
    reason = "stored graph, changed files and store again share their state; to split (issue 18)"
)]
fn edges_with<'s>(
    config: &Config,
    snap: &'s Arc<Snapshot>,
    facts_of: &FactsOf,
    text_only: bool,
) -> anyhow::Result<Edges<'s>> {
    let start = crate::timings::Mark::now();
    let packages = Packages::load(snap, &mut Vec::new());
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
    let mut unreadable = Vec::new();
    let mut notes = Vec::new();
    // Each file resolved with its nearest package's `[imports]`, as the checks resolve it.
    let nearest = crate::resolve::nearest::Nearest::new(snap, config, &mut unreadable, &mut notes);
    let ctx = config_context(snap, &nearest.settings());
    let keys = Keys::new(nearest.root());
    timing(&start, "snapshot, packages, resolver");

    let common_dir = snap
        .with_repo(|r| r.commondir().to_path_buf())
        .unwrap_or_else(|| snap.git_dir.clone());
    let file = common_dir.join("hookctl").join(GRAPH_FILE);
    // A work tree's files have no blob ids (every one is zero): nothing stored can be matched
    // to them, and nothing learnt from them is stored.
    let worktree = snap.kind == crate::snapshot::Kind::Worktree;
    let stored = std::fs::read(&file)
        .ok()
        .filter(|_| !worktree)
        .and_then(|b| Stored::decode(&b))
        .filter(|s| s.ctx == ctx)
        .unwrap_or_default();
    timing(&start, "stored graph");
    let current: Vec<(&str, &crate::snapshot::Entry)> = snap.iter().collect();
    let same_paths =
        stored.paths.len() == current.len() && stored.paths.iter().zip(&current).all(|(a, (b, _))| a == b);
    let find = |p: &str| current.binary_search_by(|(c, _)| (*c).cmp(p)).ok();
    // Names of paths added or removed since the stored graph (see the module comment).
    let mut changed_keys: std::collections::HashSet<String> = Default::default();
    if !same_paths && !stored.paths.is_empty() {
        let old: BTreeSet<&str> = stored.paths.iter().map(String::as_str).collect();
        let new: BTreeSet<&str> = current.iter().map(|(p, _)| *p).collect();
        for p in old.symmetric_difference(&new) {
            keys.of_path(p, &mut changed_keys);
        }
    }
    // Old path ids to new ones (identity when the paths are the same).
    let old_to_new: Vec<u32> = if same_paths {
        Vec::new()
    } else {
        stored
            .paths
            .iter()
            .map(|p| find(p).map_or(UNRESOLVED, |i| i as u32))
            .collect()
    };
    let remap = |t: u32| -> u32 {
        match t {
            NONE | UNRESOLVED => t,
            _ if same_paths => t,
            // A target that is gone: unresolved, and resolved again below.
            _ => old_to_new.get(t as usize).copied().unwrap_or(UNRESOLVED),
        }
    };
    let hashes: std::collections::HashSet<u64> = changed_keys.iter().map(|k| key_hash(k)).collect();

    // What to resolve: whole files (new blob) and single imports (a path change may move them).
    // Stored entries are sorted by path, as the snapshot is: one merge pass.
    let mut old_entries = stored.entries.into_iter().peekable();
    let mut entries: Vec<StoredEntry> = Vec::new();
    let mut whole: Vec<&str> = Vec::new();
    let mut partly: Vec<(usize, Vec<usize>)> = Vec::new();
    for (id, (path, e)) in current.iter().enumerate() {
        let mut old = None;
        while let Some(o) = old_entries.peek() {
            let new_id = remap(o.importer);
            if new_id == NONE || new_id == UNRESOLVED || (new_id as usize) < id {
                old_entries.next();
            } else {
                if new_id as usize == id {
                    old = old_entries.next();
                }
                break;
            }
        }
        if !crate::scan::is_source(path) {
            continue;
        }
        match old {
            Some(mut old) if old.oid == oid20(&e.oid) => {
                if !same_paths {
                    old.importer = id as u32;
                    for imp in &mut old.imports {
                        imp.1 = remap(imp.1);
                    }
                }
                if !hashes.is_empty() {
                    let stale: Vec<usize> = old
                        .imports
                        .iter()
                        .enumerate()
                        .filter(|(_, (k, t, _))| hashes.contains(k) || *k == ALWAYS || *t == UNRESOLVED)
                        .map(|(j, _)| j)
                        .collect();
                    if !stale.is_empty() {
                        partly.push((entries.len(), stale));
                    }
                }
                entries.push(old);
            }
            _ => whole.push(path),
        }
    }
    let current: Vec<&str> = current.iter().map(|(p, _)| *p).collect();
    // Facts of the files to resolve, from the facts cache (parsed and cached when missing).
    let need: std::collections::HashSet<String> = whole
        .iter()
        .map(std::string::ToString::to_string)
        .chain(
            partly
                .iter()
                .map(|(i, _)| current[entries[*i].importer as usize].to_string()),
        )
        .collect();
    let facts: HashMap<String, crate::scan::Facts> = if need.is_empty() {
        HashMap::new()
    } else {
        facts_of(need)
    };
    timing(
        &start,
        &format!(
            "facts ({} files to resolve, {} partly)",
            whole.len(),
            partly.len()
        ),
    );
    if text_only {
        let text = |spec: &str| crate::resolve::loader::of(spec).form == crate::resolve::loader::Form::Text;
        let stored_text = entries.iter().any(|e| e.imports.iter().any(|i| i.2));
        let new_text = facts
            .values()
            .any(|f| f.imports.iter().any(|i| text(&i.specifier)));
        if !stored_text && !new_text {
            return Ok(Edges {
                paths: current,
                entries: Vec::new(),
                folders,
            });
        }
    }
    let target = |verdict: Verdict| -> u32 {
        let target = match verdict {
            Verdict::File(t) | Verdict::NeedsExtension(t) | Verdict::OtherExtension { found: t, .. } => t,
            Verdict::CaseMismatch { real, .. } => real,
            Verdict::External | Verdict::Undeclared(_) | Verdict::Unknown { .. } => return NONE,
            Verdict::Unresolved | Verdict::Untracked(_) | Verdict::Generated(_) | Verdict::Ignored(_) => {
                return UNRESOLVED;
            }
        };
        current
            .binary_search(&target.as_str())
            .map_or(UNRESOLVED, |i| i as u32)
    };
    // (target, whether the import loads the file's bytes rather than its code)
    let resolve_one = |importer: &str, imp: &crate::scan::Import| -> (u32, bool) {
        // A loader chain (`!raw-loader!./x`, `bundle-text:./x`) names its file too: an edge,
        // marked when it loads the file's bytes. Resolved exactly as the checks resolve an
        // import (a `.vue` file as its script, `require` conditions).
        let loaded = crate::resolve::loader::of(&imp.specifier);
        let text = loaded.form == crate::resolve::loader::Form::Text;
        let verdict = if loaded.resource == imp.specifier {
            nearest.at(importer).resolve_import(importer, imp)
        } else {
            let resource = crate::scan::Import {
                specifier: loaded.resource.to_string(),
                ..imp.clone()
            };
            nearest.at(importer).resolve_import(importer, &resource)
        };
        (target(verdict), text)
    };
    let changed = !whole.is_empty() || !partly.is_empty() || !same_paths;
    for (i, stale) in partly {
        let importer = current[entries[i].importer as usize];
        let Some(f) = facts
            .get(importer)
            .filter(|f| f.imports.len() == entries[i].imports.len())
        else {
            continue;
        };
        for j in stale {
            (entries[i].imports[j].1, entries[i].imports[j].2) = resolve_one(importer, &f.imports[j]);
        }
    }
    for path in whole {
        let Some(f) = facts.get(path) else { continue };
        let id = current.binary_search(&path).map_or(NONE, |i| i as u32);
        let imports = f
            .imports
            .iter()
            .map(|imp| {
                let (target, text) = resolve_one(path, imp);
                (keys.of(&imp.specifier), target, text)
            })
            .collect();
        let oid = snap.get(path).map_or([0; 20], |e| oid20(&e.oid));
        entries.push(StoredEntry {
            importer: id,
            oid,
            imports,
        });
    }
    // Stored sorted by importer, for the merge pass of the next run.
    entries.sort_unstable_by_key(|e| e.importer);
    timing(&start, "resolve");
    if changed && !worktree {
        let new = Stored {
            ctx,
            paths: current.iter().map(std::string::ToString::to_string).collect(),
            entries,
        };
        // A graph that cannot be written (read-only repository) only costs speed.
        let _ = crate::cache::write_atomically(&file, &new.encode());
        timing(&start, "save");
        return Ok(Edges {
            paths: current,
            entries: new.entries,
            folders,
        });
    }
    Ok(Edges {
        paths: current,
        entries,
        folders,
    })
}

const GRAPH_FILE: &str = "graph.bin";
/// The cache folder's framing ([`crate::cache::frame`]); the fingerprint is the resolution
/// context (config blobs, symlinks, settings), also kept in the body.
const FRAME: crate::cache::frame::Frame = crate::cache::frame::Frame {
    magic: b"HKCGRAPH",
    // 3: imports keyed by their package or renaming alias. 4: each import's loader form.
    format: 4,
};
/// No target: a package, a builtin, a URL (never a file of the snapshot).
const NONE: u32 = u32::MAX;
/// No target yet: resolves to nothing in the snapshot (unresolved, untracked, generated), so
/// an added path may be its target; re-resolved on every path change.
const UNRESOLVED: u32 = u32::MAX - 1;
/// The key hash of imports that are re-resolved on every path change (`.`, `..`).
const ALWAYS: u64 = 0;

/// A blob id's first 20 bytes (all of a SHA-1 id).
fn oid20(oid: &git2::Oid) -> [u8; 20] {
    let mut out = [0; 20];
    let b = oid.as_bytes();
    let n = b.len().min(20);
    out[..n].copy_from_slice(&b[..n]);
    out
}

fn key_hash(key: &str) -> u64 {
    if key.is_empty() || key == "." || key == ".." {
        return ALWAYS;
    }
    xxhash_rust::xxh3::xxh3_64(key.as_bytes()).max(1)
}

/// The keys under which imports could name `path`: its name and the folders on its way.
fn path_keys(path: &str) -> Vec<String> {
    let p = Path::new(path);
    let mut keys = vec![key(path).to_lowercase()];
    for dir in p.ancestors().skip(1) {
        if let Some(name) = dir.file_name().and_then(|n| n.to_str()) {
            keys.push(key(name).to_lowercase());
        }
    }
    keys
}

/// What resolution depends on besides the paths: config blobs, symlink targets, settings.
fn config_context(snap: &crate::snapshot::Snapshot, settings: &str) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    h.update(settings.as_bytes());
    for (path, entry) in snap {
        if crate::resolve::clean::is_resolution_config(path)
            || entry.kind == crate::snapshot::EntryKind::Symlink
        {
            h.update(path.as_bytes());
            h.update(entry.oid.as_bytes());
        }
    }
    h.digest()
}

#[derive(Debug, Default)]
struct Stored {
    ctx: u64,
    /// Every path of the snapshot, sorted.
    paths: Vec<String>,
    entries: Vec<StoredEntry>,
}

#[derive(Debug)]
struct StoredEntry {
    importer: u32,
    oid: [u8; 20],
    /// Per import, in source order: (key hash, target path id or NONE, whether it loads the
    /// target's bytes rather than its code: `!raw-loader!./x`, `./x?raw`).
    imports: Vec<(u64, u32, bool)>,
}

impl Stored {
    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.paths.len() * 64 + self.entries.len() * 64);
        FRAME.start(&mut out, 0);
        out.extend_from_slice(&self.ctx.to_le_bytes());
        out.extend_from_slice(&(self.paths.len() as u32).to_le_bytes());
        for p in &self.paths {
            out.extend_from_slice(&(p.len() as u32).to_le_bytes());
            out.extend_from_slice(p.as_bytes());
        }
        out.extend_from_slice(&(self.entries.len() as u32).to_le_bytes());
        for e in &self.entries {
            out.extend_from_slice(&e.importer.to_le_bytes());
            out.extend_from_slice(&e.oid);
            out.extend_from_slice(&(e.imports.len() as u32).to_le_bytes());
            for (k, t, text) in &e.imports {
                out.extend_from_slice(&k.to_le_bytes());
                out.extend_from_slice(&t.to_le_bytes());
                out.push(u8::from(*text));
            }
        }
        FRAME.finish(&mut out);
        out
    }

    /// `None` for anything but a complete, checksummed graph of this format.
    fn decode(bytes: &[u8]) -> Option<Stored> {
        let body = FRAME.body(bytes, 0)?;
        let mut r = Reader(body);
        let ctx = r.u64()?;
        let n = r.u32()? as usize;
        let mut paths = Vec::with_capacity(n.min(body.len()));
        for _ in 0..n {
            let len = r.u32()? as usize;
            paths.push(std::str::from_utf8(r.take(len)?).ok()?.to_string());
        }
        let n = r.u32()? as usize;
        let mut entries = Vec::with_capacity(n.min(body.len()));
        for _ in 0..n {
            let importer = r.u32()?;
            let oid: [u8; 20] = r.take(20)?.try_into().ok()?;
            let m = r.u32()? as usize;
            let mut imports = Vec::with_capacity(m.min(body.len()));
            for _ in 0..m {
                let (k, t) = (r.u64()?, r.u32()?);
                let text = match r.take(1)? {
                    [0] => false,
                    [1] => true,
                    _ => return None,
                };
                imports.push((k, t, text));
            }
            entries.push(StoredEntry {
                importer,
                oid,
                imports,
            });
        }
        (r.0.is_empty() && paths.windows(2).all(|w| w[0] < w[1])).then_some(Stored { ctx, paths, entries })
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        Some(head)
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
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
        assert_eq!(key("styles/_vars.scss"), "vars");
        assert_eq!(key("vars"), "vars");
        assert_eq!(key("."), ".");
    }

    #[test]
    fn aliases_that_rename_what_they_map_are_told_apart() {
        assert!(keeps_name("@/*", "./src/*"));
        assert!(keeps_name("*", "src/*"));
        assert!(keeps_name("@config", "./config/index.ts"));
        assert!(keeps_name("@ui/*", "src/components/*/index.tsx"));
        assert!(!keeps_name("#db", "./src/database/client.ts"));
        assert!(!keeps_name("@impl/*", "src/*-impl"));
        assert!(!keeps_name("@x/pre-*", "src/*"));
    }

    #[test]
    fn stored_graph_round_trips_and_rejects_damage() {
        let g = Stored {
            ctx: 7,
            paths: vec!["a.ts".into(), "b/index.ts".into()],
            entries: vec![StoredEntry {
                importer: 0,
                oid: [3; 20],
                imports: vec![
                    (key_hash("b"), 1, false),
                    (key_hash("react"), NONE, false),
                    (key_hash("c"), 0, true),
                ],
            }],
        };
        let bytes = g.encode();
        let back = Stored::decode(&bytes).unwrap();
        assert_eq!(
            (back.ctx, &back.paths, back.entries[0].imports.clone()),
            (7, &g.paths, g.entries[0].imports.clone())
        );
        for cut in [0, 1, 9, bytes.len() / 2, bytes.len() - 1] {
            assert!(Stored::decode(&bytes[..cut]).is_none(), "{cut}");
        }
        let mut flipped = bytes.clone();
        flipped[20] ^= 1;
        assert!(Stored::decode(&flipped).is_none());
    }
}
