//! The tsconfig/jsconfig files of a snapshot as resolution must see them: every config of every
//! `extends` chain, whatever its name or place (`packages/tsconfig/nextjs.json`, a base under an
//! installed `node_modules`), served without `include`/`files`/`exclude`, because
//! `ts.resolveModuleName` and bundlers apply `paths` to every importing file whatever those say.
//!
//! The chains are resolved here once (TypeScript's rules: a relative `extends` with `.json`
//! appended when missing, a package one through node resolution), which also tells
//! - which configs a scope's `moduleResolution` comes from (oxc does not read that option);
//! - which scopes extend an uninstalled package (their alias-looking imports cannot be checked);
//! - a digest of every config byte resolution reads, for the cache key of clean verdicts.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use oxc_resolver::{FileSystem, ResolverGeneric};
use serde_json::Value;
use xxhash_rust::xxh3::Xxh3;

use super::clean::is_tsconfig_name;
use super::fs::SnapFs;
use super::specifier::{join_rel, normalize};
use crate::diagnostic::Finding;
use crate::snapshot::Snapshot;

/// What the served configs are and how they chain.
#[derive(Default)]
pub struct Configs {
    /// Repo-relative path -> the contents resolution reads.
    pub served: HashMap<String, Vec<u8>>,
    /// `tsconfig.json` paths that are a folder's `jsconfig.json` standing in.
    pub stand_ins: HashSet<String>,
    /// Config -> the configs it extends (repo-relative), in `extends` order.
    pub bases: HashMap<String, Vec<String>>,
    /// Config -> the `extends` entries it names that are not there (uninstalled packages,
    /// codegen output not generated yet).
    pub missing: BTreeMap<String, Vec<String>>,
    /// Config -> its `references` entries that name no config of the snapshot (left out of
    /// the served config: oxc would fail the whole config on them).
    missing_references: Vec<(String, String)>,
}

/// Drop what does not change how a file's imports resolve, and let `.js` files use `paths`.
/// `keep_scope`: a project that another config references, whose `include`/`files` decide which
/// project (and so which `paths`) a file belongs to, as in TypeScript's tooling. A
/// solution-style config (`references` with an empty `files` or `include`) owns no file itself
/// and keeps its scope too. Any other config, `references` or not (even `[]`), applies its
/// options to every file beneath it that no referenced project includes: the nearest config's
/// options, as TypeScript's tooling gives a file outside `include`.
fn serve(mut json: Value, keep_scope: bool) -> Value {
    if let Some(o) = json.as_object_mut() {
        let empty = |k: &str| o.get(k).and_then(Value::as_array).is_some_and(Vec::is_empty);
        let solution = o.contains_key("references") && (empty("files") || empty("include"));
        if !keep_scope && !solution {
            o.remove("include");
            o.remove("exclude");
            o.remove("files");
        }
        if let Some(co) = o
            .entry("compilerOptions")
            .or_insert_with(|| Value::Object(Default::default()))
            .as_object_mut()
        {
            co.insert("allowJs".into(), Value::Bool(true));
        }
    }
    json
}

/// The `extends` of a config: a string or an array of strings.
pub fn extends_of(json: &Value) -> Vec<String> {
    match json.get("extends") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        _ => Vec::new(),
    }
}

/// `json` without the `extends` entries `specs` (a string `extends`, or one entry of an array).
pub fn without_extends(mut json: Value, specs: &[String]) -> Value {
    if let Some(o) = json.as_object_mut() {
        match o.get_mut("extends") {
            Some(Value::Array(a)) => a.retain(|v| !v.as_str().is_some_and(|s| specs.iter().any(|x| x == s))),
            Some(Value::String(s)) if specs.contains(s) => {
                o.remove("extends");
            }
            _ => {}
        }
    }
    json
}

/// Does a relative `extends` of `config` point into a generated folder, or at a path the
/// repository git-ignores (`.wxt/tsconfig.json`, which `wxt prepare` writes on install)? Such a
/// base is written by a tool, never committed: missing, it is not a broken `extends`.
fn generated(generated_dirs: &[String], ignored: &dyn Fn(&str) -> bool, config: &str, spec: &str) -> bool {
    let dir = config.rsplit_once('/').map_or("", |(d, _)| d);
    let rel = join_rel(dir, spec);
    super::in_generated_dir(generated_dirs, &format!("{rel}/x")) || ignored(&rel)
}

impl Configs {
    /// Parse the snapshot's tsconfig/jsconfig files (unparseable ones become findings and are
    /// hidden). A jsconfig.json stands in for a missing tsconfig.json in its folder, as
    /// TypeScript's editor tooling does.
    pub fn load(snap: &Snapshot, unreadable: &mut Vec<Finding>, hidden: &mut HashSet<String>) -> Configs {
        let mut out = Configs::default();
        let paths: Vec<&str> = snap
            .special_paths()
            .iter()
            .map(String::as_str)
            .filter(|p| !p.contains("node_modules/") && is_tsconfig_name(p.rsplit('/').next().unwrap_or(p)))
            .collect();
        let mut parsed = Vec::new();
        for (path, bytes) in paths.iter().zip(snap.read_many(&paths)) {
            let Ok(bytes) = bytes else { continue };
            match crate::manifest::parse_jsonc(path, &bytes) {
                Ok(v) if v.is_object() => parsed.push((*path, v, bytes)),
                Ok(_) => {}
                Err(f) => {
                    hidden.insert(path.to_string());
                    unreadable.push(f);
                }
            }
        }
        // Projects named by a `references` entry (a folder means its tsconfig.json).
        let referenced: HashSet<String> = parsed
            .iter()
            .flat_map(|(path, json, _)| {
                let dir = path.rsplit_once('/').map_or("", |(d, _)| d).to_string();
                json.get("references")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(move |r| {
                        let p = r.get("path")?.as_str()?;
                        let rel = join_rel(&dir, p);
                        Some(if rel.ends_with(".json") {
                            rel
                        } else {
                            format!("{rel}/tsconfig.json").trim_start_matches('/').to_string()
                        })
                    })
            })
            .collect();
        for (path, mut json, bytes) in parsed {
            let keep = referenced.contains(path);
            // A reference to a config that is not there (Nuxt's `./.nuxt/tsconfig.app.json`
            // before `nuxt prepare`) does not change how this config's files resolve.
            let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
            if let Some(refs) = json.get_mut("references").and_then(Value::as_array_mut) {
                refs.retain(|r| {
                    let Some(p) = r.get("path").and_then(Value::as_str) else {
                        return true;
                    };
                    let rel = join_rel(dir, p);
                    let there = snap.is_file(&rel)
                        || snap.is_file(format!("{rel}/tsconfig.json").trim_start_matches('/'));
                    if !there {
                        out.missing_references.push((path.to_string(), p.to_string()));
                    }
                    there
                });
            }
            let served = serde_json::to_vec(&serve(json, keep)).unwrap_or(bytes);
            match path.strip_suffix("jsconfig.json") {
                Some(dir) if !snap.is_file(&format!("{dir}tsconfig.json")) => {
                    out.stand_ins.insert(format!("{dir}tsconfig.json"));
                    out.served.insert(format!("{dir}tsconfig.json"), served);
                }
                Some(_) => {}
                None => {
                    out.served.insert(path.to_string(), served);
                }
            }
        }
        out
    }

    /// Follow every `extends` chain from the served configs: each base found (in the snapshot or
    /// an installed package) is served without `include`/`files`/`exclude` too.
    pub fn follow_extends(
        &mut self,
        snap: &Snapshot,
        probe: &ResolverGeneric<SnapFs>,
        fs: &SnapFs,
        generated_dirs: &[String],
        ignored: &dyn Fn(&str) -> bool,
    ) {
        // A missing reference into a generated folder may define aliases, like a missing base.
        for (config, spec) in std::mem::take(&mut self.missing_references) {
            if generated(generated_dirs, ignored, &config, &spec) {
                self.missing.entry(config).or_default().push(spec);
            }
        }
        let mut todo: Vec<String> = self.served.keys().cloned().collect();
        todo.sort();
        let mut seen: HashSet<String> = todo.iter().cloned().collect();
        while let Some(config) = todo.pop() {
            let Some(json) = self
                .served
                .get(&config)
                .and_then(|b| crate::manifest::parse_jsonc(&config, b).ok())
            else {
                continue;
            };
            let mut bases = Vec::new();
            for spec in extends_of(&json) {
                match resolve_extends(snap, probe, fs, &config, &spec) {
                    Some(base) => {
                        if seen.insert(base.clone()) {
                            let read = fs.read(&snap.abs(&base)).ok();
                            if let Some(v) = read
                                .as_deref()
                                .and_then(|b| crate::manifest::parse_jsonc(&base, b).ok())
                            {
                                self.served.insert(
                                    base.clone(),
                                    serde_json::to_vec(&serve(v, false)).unwrap_or_default(),
                                );
                                todo.push(base.clone());
                            }
                        }
                        bases.push(base);
                    }
                    None if !spec.starts_with('.') && !spec.starts_with('/') => {
                        self.missing.entry(config.clone()).or_default().push(spec.clone());
                    }
                    // A base written by codegen (`./.svelte-kit/tsconfig.json`, `.nuxt/...`) is
                    // missing until the framework runs: like an uninstalled package.
                    None if generated(generated_dirs, ignored, &config, &spec) => {
                        self.missing.entry(config.clone()).or_default().push(spec.clone());
                    }
                    None => {}
                }
            }
            if !bases.is_empty() {
                self.bases.insert(config, bases);
            }
        }
    }

    /// How a served config is named to users: a jsconfig.json standing in shows as itself.
    pub fn shown(&self, path: &str) -> String {
        if self.stand_ins.contains(path) {
            path.replace("tsconfig.json", "jsconfig.json")
        } else {
            path.to_string()
        }
    }

    /// The package a config's chain names that is not installed, if any (the config's own
    /// `extends`, or a base's).
    pub fn missing_in_chain(&self, config: &str) -> Option<&str> {
        let mut stack = vec![config];
        let mut seen = HashSet::new();
        while let Some(c) = stack.pop() {
            if !seen.insert(c) {
                continue;
            }
            if let Some(m) = self.missing.get(c).and_then(|m| m.first()) {
                return Some(m);
            }
            if let Some(b) = self.bases.get(c) {
                stack.extend(b.iter().map(String::as_str));
            }
        }
        None
    }
}

/// A digest of every config resolution reads (paths and served bytes).
pub fn digest(served: &HashMap<String, Vec<u8>>) -> u64 {
    let mut h = Xxh3::new();
    let mut keys: Vec<&String> = served.keys().collect();
    keys.sort();
    for k in keys {
        h.update(k.as_bytes());
        h.update(&[0]);
        h.update(&served[k]);
        h.update(&[0]);
    }
    h.digest()
}

/// Where an `extends` entry of `config` points (repo-relative), as TypeScript finds it: a path
/// relative to the config (`.json` appended when the name has none), or a package path through
/// node resolution (`pkg/base.json`, `pkg/base`, a package's own `tsconfig.json`).
fn resolve_extends(
    snap: &Snapshot,
    probe: &ResolverGeneric<SnapFs>,
    fs: &SnapFs,
    config: &str,
    spec: &str,
) -> Option<String> {
    let config_abs = snap.abs(config);
    let dir = config_abs.parent()?;
    let is_file = |p: &Path| fs.metadata(p).is_ok_and(oxc_resolver::FileMetadata::is_file);
    if spec.starts_with("./")
        || spec.starts_with("../")
        || spec.starts_with('/')
        || spec == "."
        || spec == ".."
    {
        let joined = normalize(&dir.join(spec));
        let with_json = {
            let mut s = joined.clone().into_os_string();
            s.push(".json");
            std::path::PathBuf::from(s)
        };
        let found = [joined, with_json].into_iter().find(|p| is_file(p))?;
        return snap.rel(&found);
    }
    let mut candidates = vec![spec.to_string()];
    if !spec.ends_with(".json") {
        candidates.push(format!("{spec}.json"));
        candidates.push(format!("{spec}/tsconfig.json"));
    }
    candidates.iter().find_map(|c| {
        let res = probe.resolve(dir, c).ok()?;
        let rel = snap.rel(res.path())?;
        rel.ends_with(".json").then_some(rel)
    })
}
