//! `env/required-by-package`: a dependency in a package.json reads an env var itself (e.g.
//! `next-auth` needs `NEXTAUTH_SECRET` or `AUTH_SECRET`) and no declaration file lists it: the
//! app fails at runtime although the code never names the variable. The table is
//! `data/env-required-by-package.toml`. A workspace library's requirement is met by the
//! declarations of an app that uses it.
//!
//! Only a package that code runs: one imported (not type-only) by a file in the declaring
//! package.json's folder or below. Declared but never imported (`@vercel/kv` configured
//! through another library), imported only by fixtures or templates, or a package.json that is
//! itself a fixture or template: nothing. Imported only by tests and scripts: a warning.

use std::collections::HashMap;

use super::env_context::EnvContext;
use crate::diagnostic::Finding;
use crate::resolve::packages::Packages;
use crate::snapshot::Snapshot;

/// Who imports a package: by code a deploy runs, or only by tests and scripts.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Use {
    DevOnly,
    Runtime,
}

/// A fixture's or template's path: its imports are example code, not the package's.
fn is_fixture(path: &str) -> bool {
    path.split('/').any(|c| {
        matches!(
            c,
            "fixtures" | "__fixtures__" | "fixture" | "templates" | "template" | "testdata"
        )
    })
}

/// The package a bare specifier names (`@scope/pkg/sub` -> `@scope/pkg`).
fn package_of(specifier: &str) -> &str {
    let mut parts = specifier.splitn(3, '/');
    match (parts.next(), parts.next()) {
        (Some(scope), Some(name)) if scope.starts_with('@') => &specifier[..scope.len() + 1 + name.len()],
        (Some(name), _) => name,
        _ => specifier,
    }
}

/// Whether an import can matter to this rule: not type-only, of a package that needs
/// variables. The warm full check decodes a cached file's imports only when some rule asks
/// ([`crate::cache::FactsCache::get_lazy`]); this is the rule's question, asked of each import
/// borrowed from the cache.
pub fn wants_import(i: crate::cache::ImportRef<'_>) -> bool {
    wants(i.specifier, i.type_only)
}

/// [`wants_import`] of a decoded import.
pub fn wants_decoded(i: &crate::scan::Import) -> bool {
    wants(&i.specifier, i.type_only)
}

fn wants(specifier: &str, type_only: bool) -> bool {
    !type_only
        && !specifier.starts_with('.')
        && !crate::env::required_by_package(package_of(specifier)).is_empty()
}

/// The files (path, blob) known to hold no import [`wants_import`] accepts, kept across runs
/// (`<cache>/required-imports.<context>.bin`): the answer depends on the blob and the table
/// alone, so a warm full check asks the set instead of walking every file's imports again. The
/// context is hookctl's version, this logic's and the table's package names.
pub fn import_free_set(cache_dir: &std::path::Path) -> crate::resolve::clean::CleanSet {
    crate::resolve::clean::CleanSet::load_as(cache_dir, "required-imports.bin", import_free_context())
}

/// The import-free sets' context: hookctl's version, this logic's and the table's package names.
fn import_free_context() -> u64 {
    /// Bumped when [`wants_import`] can answer otherwise for the same blob and table.
    const LOGIC: u32 = 1;
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    h.update(&LOGIC.to_le_bytes());
    for name in crate::env::data::required_by_packages().keys() {
        h.update(name.as_bytes());
        h.update(&[0]);
    }
    h.digest()
}

/// The key, with the root's tree id, of an index known not to be import-free as a whole (no
/// folder path holds a NUL).
const NOT_FREE_ROOT: &str = "\0not free";

/// The folders of an index whose every source file is import-free ([`import_free_set`]), kept
/// by cache-tree id ([`crate::snapshot::folders`]): `<cache>/required-folders.<context>.bin`,
/// entries (folder path, tree id), in the per-file set's context. A full check asks one
/// question per folder the cache tree vouches for instead of one per file.
pub struct FreeFolders {
    set: crate::resolve::clean::CleanSet,
    walk: Option<crate::snapshot::folders::Walk>,
    /// The kept folders of this snapshot (their paths and `/`), in path order.
    vouched: Vec<String>,
}

impl FreeFolders {
    /// The kept folders of `snap` (`None`-like when it is not an index with a cache tree).
    pub fn load(snap: &Snapshot, cache_dir: &std::path::Path) -> FreeFolders {
        let mut vouched = Vec::new();
        if snap.kind != crate::snapshot::Kind::Index {
            return FreeFolders {
                set: crate::resolve::clean::CleanSet::disabled(),
                walk: None,
                vouched,
            };
        }
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        h.update(b"folders 1 ");
        h.update(&import_free_context().to_le_bytes());
        let set = crate::resolve::clean::CleanSet::load_as(cache_dir, "required-folders.bin", h.digest());
        // A whole index known to hold a file that is not import-free (one imports `stripe`):
        // asking a folder list for each file would cost more than the per-file set.
        if let Some(root) = snap.root_tree()
            && set.contains(NOT_FREE_ROOT, &root)
        {
            return FreeFolders {
                set: crate::resolve::clean::CleanSet::disabled(),
                walk: None,
                vouched,
            };
        }
        let walk = snap.folder_walk(&mut |prefix, id| {
            let kept = set.contains(prefix, id);
            if kept {
                vouched.push(prefix.to_string());
            }
            kept
        });
        FreeFolders { set, walk, vouched }
    }

    /// Whether `path` lies in a kept folder.
    pub fn vouches(&self, path: &str) -> bool {
        // The root (a warm run with nothing staged): no comparison per file.
        if self.vouched.first().is_some_and(String::is_empty) {
            return true;
        }
        // Disjoint folders sort as their paths do: the last one not after `path`.
        let at = self.vouched.partition_point(|v| v.as_str() <= path);
        at > 0 && path.starts_with(self.vouched[at - 1].as_str())
    }

    /// Keep the folders walked whose every source file of `snap` is in `files` (sorted by
    /// path) and import-free by `free` (an index into `files`); `true` when the root folder is
    /// one of them.
    pub fn record(
        self,
        snap: &Snapshot,
        files: &[(String, crate::scan::Facts)],
        free: impl Fn(usize) -> bool,
    ) -> bool {
        let Some(walk) = self.walk.filter(|w| !w.folders.is_empty()) else {
            return false;
        };
        let dirty: Vec<&str> = walk
            .rows
            .iter()
            .flat_map(|rows| snap.rows(rows.clone()))
            .filter(|(p, e)| e.kind == crate::snapshot::EntryKind::File && crate::scan::is_source(p))
            .filter(|(p, _)| {
                files
                    .binary_search_by(|(f, _)| f.as_str().cmp(p))
                    .map_or(true, |i| !free(i))
            })
            .map(|(p, _)| p)
            .collect();
        let mut root = false;
        for f in &walk.folders {
            if crate::snapshot::folders::none_below(&dirty, &f.prefix) {
                self.set.insert(&f.prefix, &f.id);
                root |= f.prefix.is_empty();
            } else if f.prefix.is_empty() {
                self.set.insert(NOT_FREE_ROOT, &f.id);
            }
        }
        let _ = self.set.save_bounded(
            snap.len(),
            crate::resolve::clean::each_folder(snap, Some(NOT_FREE_ROOT)),
        );
        root
    }
}

/// Importers of the packages that need variables: package -> (file, use).
type Importers<'a> = HashMap<&'a str, Vec<(&'a str, Use)>>;

pub fn check(cx: &EnvContext, packages: &Packages, snap: &Snapshot) -> Vec<Finding> {
    let importers = importers(cx);
    let soften = cx.config.env.fallback_reads_warn();
    let mut out = Vec::new();
    for (dir, manifest) in &packages.manifests {
        if is_fixture(dir) {
            continue;
        }
        let path = if dir.is_empty() {
            "package.json".to_string()
        } else {
            format!("{dir}/package.json")
        };
        let mut deps: Vec<&String> = manifest.deps.iter().collect();
        deps.sort();
        for dep in deps {
            let reqs = crate::env::required_by_package(dep);
            if reqs.is_empty() {
                continue;
            }
            let Some(usage) = usage_inside(&importers, dep, dir) else {
                continue;
            };
            for req in reqs {
                if req.any_of.iter().any(|n| cx.is_declared(&path, n)) {
                    continue;
                }
                out.push(
                    finding(cx, snap, &path, dep, req, usage).uncertain(soften && usage == Use::DevOnly),
                );
            }
        }
    }
    out
}

/// Every non-fixture file's value imports of a package that needs variables.
fn importers<'a>(cx: &'a EnvContext) -> Importers<'a> {
    let mut importers: Importers<'a> = HashMap::new();
    for (path, facts) in cx.files {
        // Most files import no such package: the path is looked at only for one that does.
        let mut fixture = None;
        for import in facts.imports.iter().filter(|i| !i.type_only) {
            let pkg = package_of(&import.specifier);
            if crate::env::required_by_package(pkg).is_empty() {
                continue;
            }
            if *fixture.get_or_insert_with(|| is_fixture(path)) {
                break;
            }
            let usage = if cx.is_dev_file(path) {
                Use::DevOnly
            } else {
                Use::Runtime
            };
            importers.entry(pkg).or_default().push((path.as_str(), usage));
        }
    }
    importers
}

/// The strongest use of `dep` by a file in the folder `dir` or below (`None`: never imported
/// there).
fn usage_inside(importers: &Importers<'_>, dep: &str, dir: &str) -> Option<Use> {
    let inside = |p: &str| dir.is_empty() || p.strip_prefix(dir).is_some_and(|r| r.starts_with('/'));
    importers
        .get(dep)
        .into_iter()
        .flatten()
        .filter(|(p, _)| inside(p))
        .map(|(_, u)| *u)
        .max()
}

/// The finding for one requirement of `dep` that the package.json at `path` leaves undeclared.
fn finding(
    cx: &EnvContext,
    snap: &Snapshot,
    path: &str,
    dep: &str,
    req: &crate::env::Requirement,
    usage: Use,
) -> Finding {
    let names = req
        .any_of
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(" or ");
    let (line, column, start) = position_of(snap, path, dep);
    let target = cx.used_by(path).map_or_else(
        || format!("`{}`", super::env_undeclared::nearest_example(cx, path)),
        |u| u.describe(),
    );
    Finding::new(
        &super::ENV_REQUIRED_BY_PACKAGE,
        path,
        format!(
            "`{dep}` needs {names}, which no `.env.example` declares{}",
            if usage == Use::DevOnly {
                " (only tests and scripts import it)"
            } else {
                ""
            }
        ),
    )
    .at(line, column)
    .with_span(start, start + dep.len() as u32 + 2)
    .help(format!(
        "add `{}=` to {target} and set it in every environment (see {})",
        req.any_of[0], req.doc
    ))
    .name(&req.any_of[0])
}

/// The 1-based line and column, and the byte offset, of `"dep"` in a package.json (zeros if
/// not found).
fn position_of(snap: &Snapshot, path: &str, dep: &str) -> (u32, u32, u32) {
    let Ok(bytes) = snap.read(path) else {
        return (0, 0, 0);
    };
    let text = String::from_utf8_lossy(&bytes);
    let Some(offset) = text.find(&format!("\"{dep}\"")) else {
        return (0, 0, 0);
    };
    let (line, column) = crate::config::line_col(&text, offset);
    (line as u32, column as u32, offset as u32)
}
