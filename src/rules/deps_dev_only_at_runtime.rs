//! `deps/dev-only-at-runtime`: runtime code imports a package that is declared only in
//! `devDependencies`, in a package deployed without a bundler. A production install
//! (`npm ci --omit=dev`, `NODE_ENV=production npm install`, `pnpm install --prod`) leaves the
//! package out, and the server crashes at start with "Cannot find module".
//!
//! "Deployed without a bundler" is decided from the package's own package.json, so the rule
//! only fires where it can prove the breakage: its `start` script runs `node`, `tsx` or
//! `ts-node` (also after `tsc`: `tsc && node dist/index.js`), and it depends on none of the
//! bundlers in `data/bundlers.txt` (a bundler inlines dev-only imports into its output).
//!
//! Not runtime code: files matching `[deps] dev_globs` (tests, stories, configs, scripts),
//! type-only imports (erased by `tsc`), `@types/*`, `jest.mock`/`vi.mock` and
//! `/// <reference>` imports.
//!
//! Declared for runtime means: in `dependencies`, `optionalDependencies` or
//! `peerDependencies` of the package.json of the importing file's folder or any folder above
//! it (the root's `dependencies` are installed by a production install at the root and Node
//! finds them walking up). A package that only *another* workspace package declares in its
//! `dependencies` still fires: a hoisted `npm ci --omit=dev` at the root happens to install
//! it, but pnpm, `npm ci --omit=dev --workspace <pkg>`, `turbo prune` and Docker images of one
//! package do not; the message says so.

use std::collections::HashSet;

use rayon::prelude::*;
use serde_json::Value;

use super::dev_files::DevGlobs;
use crate::config::Config;
use crate::diagnostic::Finding;
use crate::resolve::packages::Packages;
use crate::scan::{Facts, Import, ImportKind};

/// Fields whose packages a production install provides.
const RUNTIME_FIELDS: &[&str] = &["dependencies", "optionalDependencies", "peerDependencies"];

/// The bundlers and frameworks that inline imports (`data/bundlers.txt`).
fn bundlers() -> impl Iterator<Item = &'static str> {
    crate::data::lines(include_str!("../../data/bundlers.txt"))
}

fn is_bundler(dep: &str) -> bool {
    bundlers().any(|b| match b.strip_suffix("/*") {
        Some(scope) => dep.strip_prefix(scope).is_some_and(|r| r.starts_with('/')),
        None => dep == b,
    })
}

fn field_has(json: &Value, field: &str, pkg: &str) -> bool {
    json.get(field).and_then(|d| d.get(pkg)).is_some()
}

/// The commands a `start` script runs (split at `&&`, `||`, `;`, `|`), each as its first
/// program word: environment assignments and `cross-env`/`env`/`dotenv --` prefixes skipped.
fn programs(script: &str) -> Vec<&str> {
    script
        .split(['&', '|', ';'])
        .filter_map(|cmd| {
            let mut words = cmd.split_whitespace().peekable();
            loop {
                let w = *words.peek()?;
                let assignment = w.contains('=') && !w.starts_with('-') && !w.starts_with('=');
                if assignment || matches!(w, "cross-env" | "env" | "exec" | "--") {
                    words.next();
                    continue;
                }
                if w == "dotenv" {
                    // `dotenv -e .env -- node server.js`: the program follows `--`.
                    words.find(|w| *w == "--")?;
                    continue;
                }
                return Some(w);
            }
        })
        .collect()
}

/// Does this package.json describe a package deployed as plain Node, without a bundler?
pub fn runs_unbundled(json: &Value) -> bool {
    let Some(start) = json.pointer("/scripts/start").and_then(Value::as_str) else {
        return false;
    };
    let node = programs(start).iter().any(|p| {
        matches!(
            p.rsplit('/').next(),
            Some("node" | "tsx" | "ts-node" | "ts-node-esm")
        )
    });
    let bundled = ["dependencies", "devDependencies"].iter().any(|f| {
        json.get(f)
            .and_then(Value::as_object)
            .is_some_and(|deps| deps.keys().any(|d| is_bundler(d)))
    });
    node && !bundled
}

/// How a package is declared from a file's point of view.
enum Declared {
    Runtime,
    /// Only in `devDependencies` (of this package.json folder).
    DevOnly(String),
    Nowhere,
}

fn declared(packages: &Packages, importer: &str, pkg: &str) -> Declared {
    let mut dev = None;
    let mut dir = importer.rsplit_once('/').map_or("", |(d, _)| d);
    loop {
        if let Some(m) = packages.manifests.get(dir) {
            if RUNTIME_FIELDS.iter().any(|f| field_has(&m.json, f, pkg)) {
                return Declared::Runtime;
            }
            if dev.is_none() && field_has(&m.json, "devDependencies", pkg) {
                dev = Some(dir.to_string());
            }
        }
        if dir.is_empty() {
            break;
        }
        dir = dir.rsplit_once('/').map_or("", |(d, _)| d);
    }
    match dev {
        Some(d) => Declared::DevOnly(d),
        None => Declared::Nowhere,
    }
}

fn manifest_path(dir: &str) -> String {
    if dir.is_empty() {
        "package.json".into()
    } else {
        format!("{dir}/package.json")
    }
}

/// What can fire at all: the folders of packages deployed unbundled, and the names some
/// package.json has in `devDependencies`. `None` when either is empty (no per-file work).
pub struct Candidates<'a> {
    unbundled: HashSet<&'a str>,
    dev_names: HashSet<&'a str>,
}

impl<'a> Candidates<'a> {
    pub fn new(packages: &'a Packages) -> Option<Candidates<'a>> {
        let unbundled: HashSet<&str> = packages
            .manifests
            .iter()
            .filter(|(dir, m)| !dir.split('/').any(|c| c == "node_modules") && runs_unbundled(&m.json))
            .map(|(dir, _)| dir.as_str())
            .collect();
        if unbundled.is_empty() {
            return None;
        }
        // Only a name some package.json has in `devDependencies` can fire: a set lookup
        // rejects every other import before any walk up the folders.
        let dev_names: HashSet<&str> = packages
            .manifests
            .values()
            .filter_map(|m| m.json.get("devDependencies").and_then(Value::as_object))
            .flat_map(|d| d.keys().map(String::as_str))
            .collect();
        if dev_names.is_empty() {
            return None;
        }
        Some(Candidates { unbundled, dev_names })
    }

    /// Whether an import (borrowed from the facts cache) can matter to this rule: it names a
    /// package some package.json has in `devDependencies`. Asked by the warm full check before
    /// it decodes a cached file's imports.
    pub fn wants_import(&self, i: crate::cache::ImportRef<'_>) -> bool {
        crate::resolve::specifier::package_name(i.specifier).is_some_and(|n| self.dev_names.contains(n))
    }
}

/// Findings for the scanned files. Cheap when nothing can fire: no package.json with a
/// `start` script that runs Node unbundled means no per-file work at all.
pub fn check(config: &Config, packages: &Packages, files: &[(String, Facts)]) -> Vec<Finding> {
    let Some(Candidates { unbundled, dev_names }) = Candidates::new(packages) else {
        return Vec::new();
    };
    // Built on first use: most runs have no candidate at all.
    let globs = std::sync::OnceLock::new();
    files
        .par_iter()
        .flat_map_iter(|(path, facts)| {
            let mut found = Vec::new();
            let Some(pkg_dir) = packages.nearest_manifest(path).filter(|d| unbundled.contains(d)) else {
                return found;
            };
            // Whether the file is test/config/script code, asked once and only for a file
            // that has a candidate import (test files importing `vitest` are the usual case).
            let mut dev_file = None;
            for imp in &facts.imports {
                let Some((name, dev_dir)) = candidate(packages, &dev_names, path, imp) else {
                    continue;
                };
                if *dev_file
                    .get_or_insert_with(|| globs.get_or_init(|| DevGlobs::new(config)).matches(path, pkg_dir))
                {
                    break;
                }
                found.push(finding(packages, path, pkg_dir, imp, name, &dev_dir));
            }
            found
        })
        .collect()
}

/// A runtime import of a package declared only in `devDependencies`: its name and the folder
/// whose package.json declares it.
fn candidate<'a>(
    packages: &Packages,
    dev_names: &HashSet<&str>,
    path: &str,
    imp: &'a Import,
) -> Option<(&'a str, String)> {
    if imp.type_only || matches!(imp.kind, ImportKind::Reference | ImportKind::Mock) {
        return None;
    }
    let name = crate::resolve::specifier::package_name(&imp.specifier)?;
    if !dev_names.contains(name) || name.starts_with("@types/") || packages.workspaces.contains_key(name) {
        return None;
    }
    match declared(packages, path, name) {
        Declared::DevOnly(dir) => Some((name, dir)),
        _ => None,
    }
}

fn finding(
    packages: &Packages,
    path: &str,
    pkg_dir: &str,
    imp: &Import,
    name: &str,
    dev_dir: &str,
) -> Finding {
    let manifest = manifest_path(dev_dir);
    let elsewhere: Vec<String> = packages
        .workspaces
        .values()
        .filter(|d| d.as_str() != pkg_dir)
        .filter(|d| {
            packages
                .manifests
                .get(d.as_str())
                .is_some_and(|m| field_has(&m.json, "dependencies", name))
        })
        .map(|d| format!("`{}`", manifest_path(d)))
        .collect();
    let hoisted = if elsewhere.is_empty() {
        String::new()
    } else {
        format!(
            " ({} has it in `dependencies`: a hoisted install happens to provide it, pnpm or a one-package install does not)",
            elsewhere.join(", ")
        )
    };
    let start = packages
        .manifests
        .get(pkg_dir)
        .and_then(|m| m.json.pointer("/scripts/start"))
        .and_then(Value::as_str)
        .unwrap_or("node")
        .trim();
    let cd = if pkg_dir.is_empty() {
        String::new()
    } else {
        format!("cd {pkg_dir} && ")
    };
    Finding::new(
            &super::DEPS_DEV_ONLY_AT_RUNTIME,
            path,
            format!(
                "`{name}` is imported by runtime code but declared only in `devDependencies` of `{manifest}`: `{}` starts with `{start}`, without a bundler, and a production install leaves `{name}` out{hoisted}",
                manifest_path(pkg_dir)
            ),
        )
        .span(imp.span)
        .label("missing after `npm ci --omit=dev`")
        .help(format!(
            "move it to `dependencies`: `{cd}npm install --save-prod {name}` (or your package manager's equivalent); if this file never runs in production, add its glob to `[deps] dev_globs` in hookctl.toml"
        ))
        .specifier(&imp.specifier)
        .name(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn start_scripts() {
        let unbundled = |start: &str| runs_unbundled(&json!({ "scripts": { "start": start } }));
        assert!(unbundled("node server.js"));
        assert!(unbundled(
            "NODE_ENV=production node --enable-source-maps dist/index.js"
        ));
        assert!(unbundled("tsc -p . && node dist/main.js"));
        assert!(unbundled("cross-env PORT=3000 tsx src/index.ts"));
        assert!(unbundled("dotenv -e .env.production -- ts-node src/index.ts"));
        assert!(unbundled("./node_modules/.bin/tsx src/server.ts"));
        assert!(!unbundled("next start"));
        assert!(!unbundled("vite preview"));
        assert!(!unbundled("remix-serve build"));
        assert!(!unbundled("nodemonx"));
        assert!(!runs_unbundled(&json!({ "scripts": { "dev": "node a.js" } })));
        assert!(!runs_unbundled(&json!({
            "scripts": { "start": "node dist/index.js" },
            "devDependencies": { "esbuild": "^0.20.0" }
        })));
        assert!(!runs_unbundled(&json!({
            "scripts": { "start": "node build/server.js" },
            "dependencies": { "@remix-run/node": "^2" }
        })));
    }

    #[test]
    fn bundler_list_scopes() {
        assert!(is_bundler("@remix-run/dev"));
        assert!(!is_bundler("@remix-run"));
        assert!(is_bundler("next"));
        assert!(!is_bundler("next-auth"));
    }
}
