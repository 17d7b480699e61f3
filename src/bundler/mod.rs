//! What the bundler is told, outside tsconfig: the aliases, env names and framework folders of
//! bundler and framework configs (read statically with a parser, [`configs`]), Deno import maps
//! ([`deno`]), and the modules and env names that declared dependencies provide
//! (`data/providers.txt`, [`providers`]).
//!
//! The resolver asks [`Bundler::provide`] once per import that tsconfig `paths` does not map:
//! - [`Provided::Alias`]: a config's alias matched; the targets resolve like a tsconfig `paths`
//!   target (a missing one is `imports/unresolved` or `imports/untracked`);
//! - [`Provided::Virtual`]: a plugin or framework serves the module: no finding;
//! - [`Provided::Fallback`]: the same, but only when the import resolves to nothing otherwise
//!   (a Nuxt app's `#` modules, after package.json `imports`);
//! - [`Provided::Uncertain`]: the nearest config has aliases hookctl could not evaluate (a spread
//!   of a call, an imported value, a function): an import that resolves to nothing may be one
//!   of them, so it is reported as a warning, never an error (a valid package name that no
//!   package.json declares stays `imports/undeclared-dependency`);
//! - [`Provided::No`].
//!
//! Config files are parsed once per blob: their facts are kept in `configs.bin` of the cache
//! folder, keyed by blob id and file name, for this reader's version.

pub mod configs;
pub mod deno;
pub mod eval;
pub mod providers;

use std::collections::BTreeMap;

use xxhash_rust::xxh3::Xxh3;

use crate::resolve::packages::Packages;
use crate::snapshot::Snapshot;
use configs::{Alias, ConfigFacts, Family, Find, Target};
use providers::What;

const CACHE: crate::cache::frame::Frame = crate::cache::frame::Frame {
    magic: b"HKCCONFG",
    format: 1,
};
const CACHE_FILE: &str = "configs.bin";

/// What the bundler makes of a specifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Provided {
    No,
    /// An alias matched: what it rewrites the specifier to (the first that exists wins), and
    /// the config that says so.
    Alias {
        targets: Vec<Rewritten>,
        by: String,
    },
    /// Served by a plugin or framework (why).
    Virtual(String),
    /// Served by the framework when nothing else resolves it (why).
    Fallback(String),
    /// Maybe an alias of a config hookctl could not fully evaluate (why).
    Uncertain(String),
    /// Maybe a Module Federation remote of a config hookctl could not fully read (why): remote
    /// names look like package names, so an undeclared one is uncertain too.
    MaybeRemote(String),
}

/// An aliased specifier, rewritten.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rewritten {
    /// A repo-relative path (a file, or a folder to probe like any import target).
    Path(String),
    /// Another specifier, resolved without aliases.
    Spec(String),
    /// The bundler ignores the module (webpack `alias: { x: false }`).
    Ignored,
}

/// The configs of one folder, merged.
#[derive(Debug, Default)]
struct Folder {
    /// (alias, config path), in the order the bundler tries them.
    aliases: Vec<(Alias, String)>,
    /// (config path, why) of the first config whose aliases are not all known.
    aliases_uncertain: Option<(String, String)>,
    /// (config path, why) of the first config whose Module Federation remotes are not all known.
    remotes_uncertain: Option<(String, String)>,
    /// Env name -> the config that defines it.
    env_names: BTreeMap<String, String>,
    env_prefixes: Option<Vec<String>>,
    env_prefixes_uncertain: bool,
    /// A Nuxt app's root (this folder holds a `nuxt.config.*`).
    nuxt: bool,
    /// `resolve.extensions` of its configs (`.vue`): what an extensionless import probes.
    extensions: Vec<String>,
}

#[derive(Debug, Default)]
pub struct Bundler {
    folders: BTreeMap<String, Folder>,
    /// Folders holding a package.json: a config applies within its own package.
    /// (Hashed: every env read and alias lookup walks the importer's folders through it.)
    manifests: rustc_hash::FxHashSet<String>,
    deno: deno::DenoMaps,
    providers: providers::Applicable,
    digest: u64,
    /// Configs parsed by this load, and configs whose facts came from the cache (by blob).
    parsed: usize,
    cached: usize,
    /// [`Bundler::env_defined_by`]'s answers by folder and name, when the answer depends on the
    /// folder alone (no provider line for env names is limited to some file names): the env
    /// rules ask it for every read, and each question walks the folders and the provider lines.
    env_memo: std::sync::Mutex<EnvMemo>,
}

/// Folder -> name -> [`Bundler::env_defined_by`].
type EnvMemo = rustc_hash::FxHashMap<String, rustc_hash::FxHashMap<String, Option<String>>>;

impl Bundler {
    /// How many configs this load parsed, and how many it took from the cache (`HOOKCTL_TIMINGS`).
    pub fn parse_counts(&self) -> (usize, usize) {
        (self.parsed, self.cached)
    }
}

/// Is this file name a config hookctl reads here (part of the resolution context)?
pub fn is_config(name: &str) -> bool {
    configs::family(name).is_some() || deno::is_deno_config(name)
}

impl Bundler {
    /// Read every bundler/framework config and Deno map of the snapshot.
    #[expect(
        clippy::too_many_lines,
        reason = "one pass over the snapshot reading each kind of bundler config in turn; to split by kind (issue 18)"
    )]
    pub fn load(snap: &Snapshot, packages: &Packages) -> Bundler {
        let paths: Vec<&str> = snap
            .special_paths()
            .iter()
            .map(String::as_str)
            .filter(|p| {
                let name = p.rsplit('/').next().unwrap_or(p);
                configs::family(name).is_some() && !p.split('/').any(|c| c == "node_modules")
            })
            .collect();
        let cache = snap.blob_cache(CACHE_FILE, CACHE, u64::from(configs::READER_VERSION));
        let mut facts: Vec<(&str, ConfigFacts)> = Vec::with_capacity(paths.len());
        let mut to_read = Vec::new();
        for path in &paths {
            let name = path.rsplit('/').next().unwrap_or(path);
            let oid = snap.get(path).map(|e| e.oid).filter(|o| !o.is_zero());
            let key = oid.map(|o| [o.as_bytes(), b":", name.as_bytes()].concat());
            if let Some(f) = key
                .as_ref()
                .and_then(|k| cache.get(k))
                .and_then(|b| serde_json::from_slice::<ConfigFacts>(&b).ok())
            {
                facts.push((path, f));
            } else {
                to_read.push((*path, key));
            }
        }
        let cached = facts.len();
        let read_paths: Vec<&str> = to_read.iter().map(|(p, _)| *p).collect();
        for ((path, key), bytes) in to_read.iter().zip(snap.read_many(&read_paths)) {
            let name = path.rsplit('/').next().unwrap_or(path);
            let Some(family) = configs::family(name) else {
                continue;
            };
            let f = configs::read(family, name, &bytes.unwrap_or_default());
            if let (Some(k), Ok(v)) = (key, serde_json::to_vec(&f)) {
                cache.insert(k.clone(), v);
            }
            facts.push((path, f));
        }
        cache.save();
        facts.sort_by_key(|a| config_order(a.0));

        let mut out = Bundler {
            deno: deno::DenoMaps::load(snap),
            providers: providers::Applicable::new(packages),
            manifests: packages.manifests.keys().cloned().collect(),
            parsed: to_read.len(),
            cached,
            ..Bundler::default()
        };
        // A package depending on `@sveltejs/kit` is an app root with the default `$lib`, with or
        // without a `svelte.config.*`.
        for (dir, m) in &packages.manifests {
            if m.deps.contains("@sveltejs/kit") {
                let folder = out.folders.entry(dir.clone()).or_default();
                folder.aliases.push((
                    prefix_alias("$lib", Target::Path("src/lib".into())),
                    format!("{}package.json", slash(dir)),
                ));
            }
        }
        for (path, f) in facts {
            let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
            let family = configs::family(name);
            let folder = out.folders.entry(dir.to_string()).or_default();
            for e in &f.extensions {
                if !folder.extensions.contains(e) {
                    folder.extensions.push(e.clone());
                }
            }
            match family {
                Some(Family::Svelte) => {
                    // The config replaces the package's default `$lib`.
                    folder
                        .aliases
                        .retain(|(a, _)| a.find != Find::Prefix("$lib".into()));
                    let lib = f.src_dir.clone().unwrap_or_else(|| "src/lib".into());
                    let mut aliases: Vec<Alias> = f.aliases.clone();
                    aliases.push(prefix_alias("$lib", Target::Path(lib)));
                    // Longest first: `$lib/server` before `$lib`.
                    aliases.sort_by_key(|a| std::cmp::Reverse(find_len(&a.find)));
                    folder
                        .aliases
                        .extend(aliases.into_iter().map(|a| (a, path.to_string())));
                }
                Some(Family::Nuxt) => {
                    if folder.nuxt {
                        continue; // one `nuxt.config.*` per folder
                    }
                    folder.nuxt = true;
                    let src = match &f.src_dir {
                        Some(s) => eval::join("", s),
                        None if nuxt4_layout(snap, dir) => "app".into(),
                        None => String::new(),
                    };
                    folder
                        .aliases
                        .extend(f.aliases.iter().cloned().map(|a| (a, path.to_string())));
                    for (name, target) in [
                        ("~~", ""),
                        ("@@", ""),
                        ("~", src.as_str()),
                        ("@", src.as_str()),
                        ("#shared", "shared"),
                    ] {
                        folder.aliases.push((
                            prefix_alias(name, Target::Path(target.to_string())),
                            path.to_string(),
                        ));
                    }
                    // The asset folders Nuxt names by their folder (`~assets/x.woff2` in a
                    // stylesheet, `import img from "assets/x.png"`): `assets` always, `public`
                    // (Nuxt 3+) and `static` (Nuxt 2) where the folder exists.
                    for name in ["assets", "public", "static"] {
                        let target = eval::join(&src, name);
                        let rel = eval::join(dir, &target);
                        if name == "assets" || snap.is_dir(&rel) {
                            folder
                                .aliases
                                .push((prefix_alias(name, Target::Path(target)), path.to_string()));
                        }
                    }
                }
                _ => {
                    folder
                        .aliases
                        .extend(f.aliases.iter().cloned().map(|a| (a, path.to_string())));
                }
            }
            if let Some(why) = &f.aliases_uncertain
                && folder.aliases_uncertain.is_none()
            {
                folder.aliases_uncertain = Some((path.to_string(), why.clone()));
            }
            if let Some(why) = &f.remotes_uncertain
                && folder.remotes_uncertain.is_none()
            {
                folder.remotes_uncertain = Some((path.to_string(), why.clone()));
            }
            for n in &f.env_names {
                folder
                    .env_names
                    .entry(n.clone())
                    .or_insert_with(|| path.to_string());
            }
            if f.env_prefixes.is_some() && folder.env_prefixes.is_none() {
                folder.env_prefixes.clone_from(&f.env_prefixes);
            }
            folder.env_prefixes_uncertain |= f.env_prefixes_uncertain;
        }
        // Vue CLI (`@vue/cli-service`) aliases `@` to the package's `src`, after what
        // `vue.config.*` adds (its `configureWebpack` aliases come first).
        for (dir, m) in &packages.manifests {
            if m.deps.contains("@vue/cli-service") {
                out.folders.entry(dir.clone()).or_default().aliases.push((
                    prefix_alias("@", Target::Path("src".into())),
                    format!("{}package.json", slash(dir)),
                ));
            }
        }
        let mut h = Xxh3::new();
        h.update(&configs::READER_VERSION.to_le_bytes());
        h.update(include_str!("../../data/providers.txt").as_bytes());
        h.update(format!("{:?}", out.folders).as_bytes());
        out.deno.digest_into(&mut h);
        out.digest = h.digest();
        out
    }

    /// A digest of everything [`Bundler::provide`] answers from (part of the resolution
    /// context's cache key).
    pub fn digest(&self) -> u64 {
        self.digest
    }

    /// What the bundler makes of `spec` imported by the repo-relative file `importer` (not
    /// called for relative specifiers: nothing rewrites those).
    pub fn provide(&self, importer: &str, spec: &str) -> Provided {
        if spec.starts_with('.') || spec.is_empty() {
            return Provided::No;
        }
        let nearest = self.nearest_folder(importer);
        if let Some((dir, folder)) = nearest {
            for (alias, by) in &folder.aliases {
                if let Some(targets) = apply(alias, dir, spec) {
                    return Provided::Alias {
                        targets,
                        by: by.clone(),
                    };
                }
            }
        }
        match self.deno.lookup(importer, spec) {
            Some(deno::Mapped::Path(p)) => {
                return Provided::Alias {
                    targets: vec![Rewritten::Path(p)],
                    by: "deno.json `imports`".into(),
                };
            }
            Some(deno::Mapped::Remote(why)) => return Provided::Virtual(why),
            None => {}
        }
        if let Some(p) = self.providers.provider(importer, What::Module, spec) {
            return Provided::Virtual(describe(p, spec));
        }
        if spec.starts_with('#') && self.walk(importer).any(|(_, f)| f.nuxt) {
            return Provided::Fallback("a Nuxt app's `#` module".into());
        }
        // A remote's module (`remote/Button`): a name, a `/`, the exposed module.
        if let Some((_, folder)) = nearest
            && let Some((by, why)) = &folder.remotes_uncertain
            && !spec.starts_with('/')
            && has_subpath(spec)
        {
            return Provided::MaybeRemote(format!(
                "`{by}` may name it as a Module Federation remote ({why})"
            ));
        }
        if let Some((_, folder)) = nearest
            && let Some((by, why)) = &folder.aliases_uncertain
            && !spec.starts_with('/')
        {
            return Provided::Uncertain(format!("`{by}` may define it as an alias ({why})"));
        }
        Provided::No
    }

    /// Is `spec` served by a plugin, framework or Deno map for `importer` (the providers and
    /// maps of [`Bundler::provide`] without aliases: for stylesheets)?
    /// Every alias of every config as (pattern, targets) in tsconfig `paths` form (`name/*` ->
    /// `target/*`), for the import graph, which must know which specifiers an alias sends to a
    /// file their own text does not name. A regex alias has no literal pattern: `*` (every bare
    /// specifier may be renamed by it).
    pub fn alias_mappings(&self) -> Vec<(String, Vec<String>)> {
        let mut out = Vec::new();
        for folder in self.folders.values() {
            for (alias, _) in &folder.aliases {
                let targets: Vec<String> = alias
                    .targets
                    .iter()
                    .filter_map(|t| match t {
                        configs::Target::Path(p) | configs::Target::Spec(p) => Some(p.clone()),
                        configs::Target::Ignored => None,
                    })
                    .collect();
                match &alias.find {
                    configs::Find::Prefix(name) => {
                        out.push((name.clone(), targets.clone()));
                        out.push((
                            format!("{name}/*"),
                            targets.iter().map(|t| format!("{t}/*")).collect(),
                        ));
                    }
                    configs::Find::Exact(name) => out.push((name.clone(), targets)),
                    configs::Find::Pattern(prefix, suffix) => {
                        out.push((format!("{prefix}*{suffix}"), targets));
                    }
                    configs::Find::Regex(_) => out.push(("*".to_string(), targets)),
                }
            }
        }
        out
    }

    /// Does the bundler of `importer` probe the extension `ext` (`.vue`) for an extensionless
    /// import: a config's `resolve.extensions` on its walk, or a declared framework that adds
    /// it (`data/providers.txt`, kind `extension`)?
    pub fn probes(&self, importer: &str, ext: &str) -> bool {
        self.walk(importer)
            .any(|(_, f)| f.extensions.iter().any(|e| e == ext))
            || self.providers.provider(importer, What::Extension, ext).is_some()
    }

    pub fn serves(&self, importer: &str, spec: &str) -> bool {
        matches!(self.deno.lookup(importer, spec), Some(deno::Mapped::Remote(_)))
            || self.providers.provider(importer, What::Module, spec).is_some()
    }

    /// The config or dependency that defines env name `name` for code at `path` (`next.config`
    /// `env`, Vite `define`, a provider's env names), if any.
    pub fn env_defined_by(&self, path: &str, name: &str) -> Option<String> {
        if providers::env_lines_name_files() {
            return self.env_defined_by_uncached(path, name);
        }
        let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
        let lock = || {
            self.env_memo
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        };
        if let Some(hit) = lock().get(dir).and_then(|names| names.get(name)) {
            return hit.clone();
        }
        let by = self.env_defined_by_uncached(path, name);
        lock()
            .entry(dir.to_string())
            .or_default()
            .insert(name.to_string(), by.clone());
        by
    }

    /// [`Bundler::env_defined_by`] without the memo: its answer depends on the path's folder
    /// (the config folders on its walk, its nearest package.json) and, for a provider line
    /// limited to some file names, on the file's name.
    fn env_defined_by_uncached(&self, path: &str, name: &str) -> Option<String> {
        for (_, f) in self.walk(path) {
            if let Some(by) = f.env_names.get(name) {
                return Some(by.clone());
            }
        }
        self.providers
            .provider(path, What::Env, name)
            .map(|p| format!("`{}`", p.key))
    }

    /// Vite `envPrefix` of the nearest config that sets it, for code at `path`: `Some(Ok(..))`
    /// the prefixes, `Some(Err(()))` set to something hookctl cannot evaluate, `None` not set.
    pub fn env_prefixes<'s>(&'s self, path: &'s str) -> Option<Result<&'s [String], ()>> {
        for (_, f) in self.walk(path) {
            if f.env_prefixes_uncertain {
                return Some(Err(()));
            }
            if let Some(p) = &f.env_prefixes {
                return Some(Ok(p));
            }
        }
        None
    }

    /// The config folders on the importer's walk, nearest first, up to the folder of its
    /// nearest package.json: a config applies within its own package (a root `vitest.config`
    /// does not alias imports of a docs site with its own package.json and bundler).
    fn walk<'s>(&'s self, importer: &'s str) -> impl Iterator<Item = (&'s str, &'s Folder)> + 's {
        let mut dir = Some(importer.rsplit_once('/').map_or("", |(d, _)| d));
        std::iter::from_fn(move || {
            loop {
                let d = dir?;
                dir = if d.is_empty() || self.manifests.contains(d) {
                    None
                } else {
                    Some(d.rsplit_once('/').map_or("", |(p, _)| p))
                };
                if let Some((k, f)) = self.folders.get_key_value(d) {
                    return Some((k.as_str(), f));
                }
            }
        })
    }

    /// The nearest folder with a config (its aliases apply).
    fn nearest_folder<'s>(&'s self, importer: &'s str) -> Option<(&'s str, &'s Folder)> {
        self.walk(importer).next()
    }
}

fn describe(p: &providers::Provider, spec: &str) -> String {
    let pattern = p
        .patterns
        .iter()
        .find(|x| providers::pattern_matches(x, spec))
        .copied()
        .unwrap_or(spec);
    if p.key == "-" {
        format!("`{pattern}` is a module of the runtime that runs these scripts")
    } else {
        format!("`{}` provides `{pattern}`", p.key)
    }
}

fn slash(dir: &str) -> String {
    if dir.is_empty() {
        String::new()
    } else {
        format!("{dir}/")
    }
}

fn prefix_alias(name: &str, target: Target) -> Alias {
    Alias {
        find: Find::Prefix(name.into()),
        targets: vec![target],
    }
}

fn find_len(f: &Find) -> usize {
    match f {
        Find::Prefix(s) | Find::Exact(s) => s.len(),
        Find::Pattern(a, b) => a.len() + b.len(),
        Find::Regex(r) => r.len(),
    }
}

/// vite.config before vitest.config, then by path: the order the bundler reads aliases in.
fn config_order(path: &str) -> (String, u8) {
    let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
    (dir.to_string(), u8::from(name.starts_with("vitest.")))
}

/// Nuxt 4 puts the source folder in `app/` when it holds the app's layout.
fn nuxt4_layout(snap: &Snapshot, dir: &str) -> bool {
    let app = eval::join(dir, "app");
    [
        "app.vue",
        "pages",
        "components",
        "layouts",
        "composables",
        "plugins",
    ]
    .iter()
    .any(|n| {
        let p = format!("{app}/{n}");
        snap.get(&p).is_some() || snap.is_dir(&p)
    })
}

/// The rewritten specifier when `alias` (of a config in `dir`) matches `spec`.
fn apply(alias: &Alias, dir: &str, spec: &str) -> Option<Vec<Rewritten>> {
    // The part after the matched name (`/x/y`, or empty), or a regex's captures.
    let rest: String;
    let mut captures: Option<Vec<String>> = None;
    match &alias.find {
        Find::Prefix(name) => {
            let r = spec.strip_prefix(name.as_str())?;
            if !(r.is_empty() || r.starts_with('/') || name.ends_with('/')) {
                return None;
            }
            rest = r.to_string();
        }
        Find::Exact(name) => {
            if spec != name {
                return None;
            }
            rest = String::new();
        }
        Find::Pattern(pre, post) => {
            let mid = spec.strip_prefix(pre.as_str())?.strip_suffix(post.as_str())?;
            captures = Some(vec![spec.to_string(), mid.to_string()]);
            rest = String::new();
        }
        Find::Regex(pattern) => {
            let re = regex::Regex::new(pattern).ok()?;
            let c = re.captures(spec)?;
            let whole = c.get(0)?;
            captures = Some(
                c.iter()
                    .map(|m| m.map_or(String::new(), |m| m.as_str().to_string()))
                    .collect(),
            );
            // What the regex did not match stays (JS `String.replace` replaces the match only).
            rest = format!("{}\u{0}{}", &spec[..whole.start()], &spec[whole.end()..]);
        }
    }
    let fill = |t: &str| -> String {
        match &captures {
            Some(c) if matches!(alias.find, Find::Pattern(..)) => t.replace("$*", &c[1]),
            Some(c) => {
                let mut out = t.to_string();
                for (i, v) in c.iter().enumerate().rev() {
                    out = out.replace(&format!("${i}"), v);
                }
                let (before, after) = rest.split_once('\u{0}').unwrap_or(("", ""));
                format!("{before}{out}{after}")
            }
            None => format!("{t}{rest}"),
        }
    };
    Some(
        alias
            .targets
            .iter()
            .filter_map(|t| match t {
                Target::Path(p) => {
                    let joined = eval::join(dir, &fill(p));
                    // A target outside the repository: not a file hookctl can check.
                    (!joined.starts_with("../")).then_some(Rewritten::Path(joined))
                }
                Target::Spec(s) => Some(Rewritten::Spec(fill(s))),
                Target::Ignored => Some(Rewritten::Ignored),
            })
            .collect(),
    )
    .filter(|v: &Vec<Rewritten>| !v.is_empty())
}

/// Does a bare specifier name a module inside its first name (`remote/Button`,
/// `@scope/remote/Button`), as a Module Federation remote's exposed module does?
fn has_subpath(spec: &str) -> bool {
    let slashes = if spec.starts_with('@') { 2 } else { 1 };
    spec.split('/').filter(|c| !c.is_empty()).count() > slashes
}

#[cfg(test)]
mod tests;
