//! Ambient module declarations (`declare module "x" { ... }`) in the snapshot's `.d.ts` files:
//! the bundler or runtime provides `x`, so a bare import of it is not unresolved or undeclared.
//! A wildcard declaration (`declare module "*.svg"`, `"virtual:*"`) covers bare specifiers it
//! matches, never a relative path: a missing relative file is missing whatever the types say.
//!
//! Only script-like declaration files count: in a `.d.ts` with a top-level `import`/`export`,
//! `declare module "x"` augments an existing module instead of declaring one.
//!
//! A declaration applies within the TypeScript program that includes it: the files under the
//! folder of the nearest tsconfig (or jsconfig) on its walk whose `files`/`include` (minus
//! `exclude`) take it in. A declaration file that the tsconfigs on its walk leave out (a test
//! fixture's) applies to its own folder only, so a `declare module '@/*'` in one fixture does
//! not silence the whole repository; with no tsconfig on its walk, to its package.

use std::collections::BTreeSet;

use xxhash_rust::xxh3::Xxh3;

use crate::snapshot::{EntryKind, Snapshot};

#[derive(Default)]
pub struct Ambient {
    /// `(scope folder, name)`: the folder (`""` the root) whose files see the declaration.
    exact: BTreeSet<(String, String)>,
    /// `(scope folder, prefix, suffix)` of `prefix*suffix` patterns.
    patterns: BTreeSet<(String, String, String)>,
}

/// tsconfigs read while scoping, by path (`None`: unreadable).
type Configs = std::collections::HashMap<String, Option<serde_json::Value>>;

/// Is `importer` inside `scope` (a repo-relative folder, `""` the root)?
fn within(scope: &str, importer: &str) -> bool {
    scope.is_empty() || importer.strip_prefix(scope).is_some_and(|r| r.starts_with('/'))
}

/// The folder whose files see the declarations of the `.d.ts` at `path`.
fn scope_of(snap: &Snapshot, path: &str, configs: &mut Configs) -> String {
    let own = path.rsplit_once('/').map_or("", |(d, _)| d);
    let mut dir = own;
    let mut any_config = false;
    let mut package: Option<&str> = None;
    loop {
        for name in ["tsconfig.json", "jsconfig.json"] {
            let cfg = if dir.is_empty() {
                name.to_string()
            } else {
                format!("{dir}/{name}")
            };
            if snap.is_file(&cfg) {
                any_config = true;
                if includes(snap, &cfg, dir, path, configs) {
                    return dir.to_string();
                }
            }
        }
        let manifest = if dir.is_empty() {
            "package.json".to_string()
        } else {
            format!("{dir}/package.json")
        };
        if package.is_none() && snap.is_file(&manifest) {
            package = Some(dir);
        }
        if dir.is_empty() {
            break;
        }
        dir = dir.rsplit_once('/').map_or("", |(d, _)| d);
    }
    // Excluded from every program on its walk: its own folder. No tsconfig at all: its package.
    if any_config { own } else { package.unwrap_or("") }.to_string()
}

/// Does the tsconfig at `cfg` (in folder `dir`) take in the file at `path`? Its own `files`,
/// `include` (default: everything) and `exclude`; a config that cannot be read takes it in.
fn includes(snap: &Snapshot, cfg: &str, dir: &str, path: &str, configs: &mut Configs) -> bool {
    let json = configs.entry(cfg.to_string()).or_insert_with(|| {
        snap.read(cfg)
            .ok()
            .and_then(|b| crate::manifest::parse_jsonc(cfg, &b).ok())
    });
    let Some(json) = json.as_ref() else {
        return true;
    };
    let rel = if dir.is_empty() {
        path
    } else {
        &path[dir.len() + 1..]
    };
    let list = |key: &str| -> Option<Vec<String>> {
        Some(
            json.get(key)?
                .as_array()?
                .iter()
                .filter_map(|v| v.as_str())
                .map(|s| s.trim_start_matches("./").to_string())
                .collect(),
        )
    };
    let glob = |patterns: &[String]| -> globset::GlobSet {
        let mut b = globset::GlobSetBuilder::new();
        for p in patterns {
            let p = p.trim_end_matches('/');
            // A folder or a pattern without a file part takes in everything beneath it.
            let last = p.rsplit('/').next().unwrap_or(p);
            for form in [p.to_string(), format!("{p}/**/*")] {
                if (form == p && !last.contains('.') && !last.contains('*'))
                    && !snap.is_file(&format!("{dir}/{p}"))
                {
                    continue;
                }
                if let Ok(g) = globset::GlobBuilder::new(&form).literal_separator(true).build() {
                    b.add(g);
                }
            }
        }
        b.build().unwrap_or_else(|_| globset::GlobSet::empty())
    };
    if list("files").is_some_and(|f| f.iter().any(|x| x == rel)) {
        return true;
    }
    let include = match list("include") {
        Some(i) => i,
        // `files` alone lists everything; neither: everything under the folder.
        None if json.get("files").is_some() => return false,
        None => vec!["**/*".to_string()],
    };
    glob(&include).is_match(rel) && !list("exclude").is_some_and(|e| glob(&e).is_match(rel))
}

/// The per-blob cache of what each declaration file declares: `declare module` names are a
/// function of the file's bytes alone, so they are kept by blob id, and a hook reads only the
/// declaration files that changed (issue 22: nothing proportional to the repository on the hook
/// path unless cached by content). The scope of each name (tsconfigs on its walk) is not kept:
/// it depends on other files and is worked out on every run, for the few files that declare.
const CACHE: crate::cache::frame::Frame = crate::cache::frame::Frame {
    magic: b"HKCAMBNT",
    format: 1,
};
const CACHE_FILE: &str = "ambient.bin";
/// Bump when [`declared_modules`] (or what counts as declaring) changes.
const READER_VERSION: u64 = 1;

/// The names a declaration file's bytes declare; in the cache each name is followed by a NUL
/// (no names: an empty value), and a file declaring a name that holds a NUL is not kept.
fn names_of(bytes: &[u8]) -> Vec<String> {
    if memchr::memmem::find(bytes, b"declare module").is_none() {
        return Vec::new();
    }
    declared_modules(&String::from_utf8_lossy(bytes))
}

impl Ambient {
    pub fn load(snap: &Snapshot) -> Ambient {
        // By name first: a lookup for each of the thousands of special paths (every `.svg`,
        // `.json`, dotfile) was most of this function on a hook's path.
        let paths: Vec<(&str, Option<git2::Oid>)> = snap
            .special_paths()
            .iter()
            .filter(|p| {
                (p.ends_with(".d.ts") || p.ends_with(".d.mts") || p.ends_with(".d.cts"))
                    && !p.split('/').any(|c| c == "node_modules")
            })
            .filter_map(|p| {
                let e = snap.get(p).filter(|e| e.kind == EntryKind::File)?;
                Some((p.as_str(), Some(e.oid).filter(|o| !o.is_zero())))
            })
            .collect();
        let cache = snap.blob_cache(CACHE_FILE, CACHE, READER_VERSION);
        let mut declared: Vec<(&str, Vec<String>)> = Vec::new();
        let mut to_read: Vec<(&str, Option<git2::Oid>)> = Vec::new();
        for (path, oid) in paths {
            match oid.and_then(|o| cache.get(o.as_bytes())) {
                Some(v) if v.is_empty() => {}
                Some(v) => declared.push((
                    path,
                    v[..v.len() - 1]
                        .split(|b| *b == 0)
                        .map(|n| String::from_utf8_lossy(n).into_owned())
                        .collect(),
                )),
                None => to_read.push((path, oid)),
            }
        }
        let read_paths: Vec<&str> = to_read.iter().map(|(p, _)| *p).collect();
        for ((path, oid), bytes) in to_read.iter().zip(snap.read_many(&read_paths)) {
            // An unreadable file is not remembered: the next run tries again.
            let Ok(bytes) = bytes else { continue };
            let names = names_of(&bytes);
            if let Some(oid) = oid.filter(|_| !names.iter().any(|n| n.contains('\0'))) {
                let value = names.iter().flat_map(|n| n.bytes().chain([0])).collect();
                cache.insert(oid.as_bytes().to_vec(), value);
            }
            if !names.is_empty() {
                declared.push((path, names));
            }
        }
        cache.save();
        // The snapshot's order, whatever came from the cache.
        declared.sort_by(|a, b| a.0.cmp(b.0));
        let mut out = Ambient::default();
        let mut configs = Configs::new();
        for (path, names) in declared {
            let scope = scope_of(snap, path, &mut configs);
            for name in names {
                match name.split_once('*') {
                    Some((pre, post)) => {
                        out.patterns
                            .insert((scope.clone(), pre.to_string(), post.to_string()));
                    }
                    None => {
                        out.exact.insert((scope.clone(), name));
                    }
                }
            }
        }
        out.add_installed(snap, &mut configs);
        out
    }

    /// On a machine with `node_modules` installed: the ambient modules of the type packages a
    /// tsconfig's `compilerOptions.types` names (`vite/client`, `unplugin-icons/types/vue`),
    /// for that tsconfig's folder. Read-only; what they declare is part of [`Ambient::digest`],
    /// so another installed version gives another cache key.
    fn add_installed(&mut self, snap: &Snapshot, configs: &mut Configs) {
        if !snap.root.join("node_modules").is_dir() {
            return;
        }
        let tsconfigs: Vec<&str> = snap
            .special_paths()
            .iter()
            .map(String::as_str)
            .filter(|p| {
                let name = p.rsplit('/').next().unwrap_or(p);
                super::clean::is_tsconfig_name(name) && !p.split('/').any(|c| c == "node_modules")
            })
            .collect();
        for cfg in tsconfigs {
            let json = configs.entry(cfg.to_string()).or_insert_with(|| {
                snap.read(cfg)
                    .ok()
                    .and_then(|b| crate::manifest::parse_jsonc(cfg, &b).ok())
            });
            let types: Vec<String> = json
                .as_ref()
                .and_then(|j| j.pointer("/compilerOptions/types")?.as_array().cloned())
                .unwrap_or_default()
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect();
            let dir = cfg.rsplit_once('/').map_or("", |(d, _)| d);
            for t in types {
                let Some(file) = installed_types(&snap.root, dir, &t) else {
                    continue;
                };
                let mut seen = BTreeSet::new();
                for name in declared_in_file(&file, &mut seen, 0) {
                    match name.split_once('*') {
                        Some((pre, post)) => {
                            self.patterns
                                .insert((dir.to_string(), pre.to_string(), post.to_string()));
                        }
                        None => {
                            self.exact.insert((dir.to_string(), name));
                        }
                    }
                }
            }
        }
    }

    /// Does an ambient declaration that `importer`'s program sees provide this bare specifier?
    pub fn provides(&self, importer: &str, spec: &str) -> bool {
        self.exact
            .iter()
            .any(|(scope, name)| name == spec && within(scope, importer))
            || self.patterns.iter().any(|(scope, pre, post)| {
                spec.len() >= pre.len() + post.len()
                    && spec.starts_with(pre.as_str())
                    && spec.ends_with(post.as_str())
                    && within(scope, importer)
            })
    }

    /// A digest of the declared names (part of the clean verdicts' cache key).
    pub fn digest(&self) -> u64 {
        let mut h = Xxh3::new();
        for (scope, n) in &self.exact {
            h.update(scope.as_bytes());
            h.update(&[2]);
            h.update(n.as_bytes());
            h.update(&[0]);
        }
        for (scope, a, b) in &self.patterns {
            h.update(scope.as_bytes());
            h.update(&[2]);
            h.update(a.as_bytes());
            h.update(&[1]);
            h.update(b.as_bytes());
            h.update(&[0]);
        }
        h.digest()
    }
}

/// The declaration file of an installed type package (`vite/client` -> `vite/client.d.ts`, a
/// package's `types`, `@types/node`), looked up from `dir` up to the root's `node_modules`.
fn installed_types(root: &std::path::Path, dir: &str, name: &str) -> Option<std::path::PathBuf> {
    if name.contains("..") || name.starts_with('/') {
        return None;
    }
    let mut d = dir;
    loop {
        let nm = root.join(d).join("node_modules");
        for base in [nm.join(name), nm.join(crate::resolve::types_package(name))] {
            let candidates = [
                base.with_extension("d.ts"),
                std::path::PathBuf::from(format!("{}.d.ts", base.display())),
                base.join("index.d.ts"),
            ];
            if let Some(f) = candidates.into_iter().find(|c| c.is_file()) {
                return Some(f);
            }
            let manifest = base.join("package.json");
            if let Some(types) = std::fs::read(&manifest)
                .ok()
                .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
                .and_then(|j| j.get("types").or(j.get("typings"))?.as_str().map(str::to_string))
            {
                let f = base.join(types);
                if f.is_file() {
                    return Some(f);
                }
            }
        }
        if d.is_empty() {
            return None;
        }
        d = d.rsplit_once('/').map_or("", |(p, _)| p);
    }
}

/// The ambient modules of an installed declaration file and of the files its
/// `/// <reference path>` directives name (a few levels deep).
fn declared_in_file(
    file: &std::path::Path,
    seen: &mut BTreeSet<std::path::PathBuf>,
    depth: usize,
) -> Vec<String> {
    if depth > 4 || !seen.insert(file.to_path_buf()) {
        return Vec::new();
    }
    let Ok(bytes) = std::fs::read(file) else {
        return Vec::new();
    };
    if bytes.len() > 4 << 20 {
        return Vec::new();
    }
    let text = String::from_utf8_lossy(&bytes);
    let mut out = declared_modules(&text);
    for line in text.lines().filter(|l| l.trim_start().starts_with("///")) {
        let Some(at) = line.find("path=") else { continue };
        let rest = &line[at + 5..];
        let Some(q) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            continue;
        };
        let Some(end) = rest[1..].find(q) else { continue };
        if let Some(parent) = file.parent() {
            out.extend(declared_in_file(&parent.join(&rest[1..=end]), seen, depth + 1));
        }
    }
    out
}

/// The module names a declaration file declares ambiently (none if it is a module itself).
pub fn declared_modules(text: &str) -> Vec<String> {
    let is_module = text.lines().any(|l| {
        (l.starts_with("import ") || l.starts_with("export ")) && !l.starts_with("export as namespace")
    });
    if is_module {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("declare module") {
        let after = rest[i + "declare module".len()..].trim_start();
        rest = &rest[i + "declare module".len()..];
        let Some(quote) = after.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            continue;
        };
        if let Some(end) = after[1..].find(quote) {
            let name = &after[1..=end];
            if !name.is_empty() && !name.contains('\n') {
                out.push(name.to_string());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_declarations_count_and_augmentations_do_not() {
        assert_eq!(
            declared_modules(
                "declare module \"virtual:pwa\" {\n  export const x: number;\n}\ndeclare module '*.svg';\n"
            ),
            vec!["virtual:pwa", "*.svg"]
        );
        assert!(declared_modules("import 'express';\ndeclare module 'express' {}\n").is_empty());
        assert!(
            declared_modules("declare module Foo {}\n").is_empty(),
            "a namespace, not a module name"
        );
    }

    #[test]
    fn wildcards_match_bare_specifiers() {
        let mut a = Ambient::default();
        a.patterns.insert((String::new(), String::new(), ".svg".into()));
        a.exact.insert((String::new(), "@theme/Layout".into()));
        a.patterns
            .insert(("test/fixtures/app".into(), "@/".into(), String::new()));
        assert!(a.provides("src/a.ts", "logo.svg"));
        assert!(a.provides("src/a.ts", "@theme/Layout"));
        assert!(!a.provides("src/a.ts", "@theme/Other"));
        assert!(a.provides("test/fixtures/app/a.ts", "@/x"));
        assert!(
            !a.provides("src/a.ts", "@/x"),
            "a fixture's declaration stays in the fixture"
        );
    }

    #[test]
    fn scope_is_the_program_that_includes_the_declaration() {
        let root = tempfile::tempdir().unwrap();
        let snap = Snapshot::from_files(
            root.path().to_path_buf(),
            [
                (
                    "tsconfig.json",
                    r#"{"include": ["src", "types/*.d.ts"], "exclude": ["src/legacy"]}"#,
                ),
                ("types/shims.d.ts", ""),
                ("src/env.d.ts", ""),
                ("src/legacy/old.d.ts", ""),
                ("test/fixtures/app/env.d.ts", ""),
                ("apps/web/tsconfig.json", r#"{"compilerOptions": {}}"#),
                ("apps/web/shims.d.ts", ""),
            ]
            .map(|(p, c)| (p.to_string(), c.to_string())),
        );
        let c = &mut Configs::new();
        assert_eq!(scope_of(&snap, "types/shims.d.ts", c), "");
        assert_eq!(scope_of(&snap, "src/env.d.ts", c), "");
        assert_eq!(scope_of(&snap, "src/legacy/old.d.ts", c), "src/legacy");
        assert_eq!(
            scope_of(&snap, "test/fixtures/app/env.d.ts", c),
            "test/fixtures/app"
        );
        assert_eq!(scope_of(&snap, "apps/web/shims.d.ts", c), "apps/web");
    }
}
