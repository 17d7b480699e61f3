//! Resolution: a specifier written in a file -> what it points at inside the snapshot, with
//! TypeScript's semantics (tsconfig `paths`/`baseUrl`/`extends`/`rootDirs`, extension and
//! `index` probing, ESM `.js` -> `.ts`, package.json `exports`/`imports`/`main`/`types`,
//! workspace packages). Built on `oxc_resolver` over a snapshot-backed file system (`fs`).
//!
//! When an import does not resolve in the snapshot, the same resolution is retried with case
//! ignored and then with the files on disk visible, which tells a case mismatch and an
//! untracked file apart from an import of nothing.

mod absent;
mod ambient;
pub mod clean;
mod css;
pub use css::depends_on_disk;
mod fs;
mod ignored;
pub mod loader;
pub mod nearest;
pub mod packages;
pub mod specifier;
mod tsconfig;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use oxc_resolver::{ResolveError, ResolveOptions, ResolverGeneric, TsconfigDiscovery};
use serde_json::Value;

pub use fs::View;
use fs::{Shared, SnapFs};
use packages::Packages;
use specifier::{alias_matches, clean_specifier, is_not_a_file, normalize};
pub use specifier::{is_bare, package_name, types_package};
use tsconfig::Configs;

use crate::codes;
use crate::diagnostic::Finding;
use crate::snapshot::Snapshot;

/// What an import points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// A file (repo-relative) in the snapshot.
    File(String),
    /// Not a file of this repository and not a problem: a Node builtin, a declared package, a
    /// URL or virtual module, or build output of a workspace package.
    External,
    /// Resolves only to a file on disk that is not in the snapshot.
    Untracked(String),
    /// Resolves only to a file that the snapshot lacks and that lies in a generated folder.
    Generated(String),
    /// Resolves only when case is ignored: `written` is the path as the import spells it,
    /// `real` the path in the snapshot.
    CaseMismatch { written: String, real: String },
    /// Resolves only to a git-ignored file that is not on disk either: build output (codegen,
    /// a script's output). Not reported; depends on the disk, so never cached as clean.
    Ignored(String),
    /// Resolves to nothing.
    Unresolved,
    /// No mapping matched and only a bundler could say what it is: a specifier that cannot be
    /// an npm package name (`~icons/x`, `#build/x` where no `imports` field maps it,
    /// `@suite-fns`), or one that a bundler config hookctl could not evaluate may provide
    /// (`why`: which config, and what it could not evaluate). Nothing on disk matched it either.
    Unknown { why: Option<String> },
    /// An ESM import under `moduleResolution: node16/nodenext` without the file extension that
    /// Node requires; resolves only with extension or `index` probing, to `found`.
    NeedsExtension(String),
    /// A bare import of a package that no package.json declares.
    Undeclared(String),
    /// Resolves only to `found`, a committed file whose extension `ext` (`.vue`, `.ios.tsx`)
    /// TypeScript does not probe: whether the bundler does is its `resolve.extensions`, which
    /// no config hookctl reads says. Uncertain: a warning.
    OtherExtension { found: String, ext: String },
}

/// A folder's names on disk, each with whether it is a plain file ([`Resolver::disk_entries`]).
type DiskEntries = Arc<Vec<(String, bool)>>;

pub struct Resolver {
    snap: Arc<Snapshot>,
    strict: ResolverGeneric<SnapFs>,
    nocase: OnceLock<ResolverGeneric<SnapFs>>,
    /// Like `strict`, but fully specified (no extension or `index` probing): Node's ESM rules.
    esm: OnceLock<ResolverGeneric<SnapFs>>,
    /// Like `strict`, with the `require` export condition first: `CommonJS` imports under node16.
    cjs: OnceLock<ResolverGeneric<SnapFs>>,
    /// Like `strict`, without the `types` export condition.
    no_types: OnceLock<ResolverGeneric<SnapFs>>,
    /// Resolvers with a tsconfig's `customConditions` first, by condition list.
    by_conditions: std::sync::Mutex<HashMap<Vec<String>, Arc<ResolverGeneric<SnapFs>>>>,
    /// The repository's ignore rules, compiled when an unresolved import first asks.
    ignored: OnceLock<ignored::Ignored>,
    /// Ambient `declare module "x"` of the snapshot's `.d.ts` files.
    ambient: ambient::Ambient,
    /// tsconfig path -> whether it selects node16/nodenext resolution.
    node_modes: std::sync::Mutex<HashMap<PathBuf, bool>>,
    /// Resolution outcomes by `memo_key`.
    memo: std::sync::Mutex<HashMap<String, Verdict>>,
    /// `disk_stems` memo.
    stems: std::sync::Mutex<HashMap<PathBuf, Arc<HashSet<String>>>>,
    /// `disk_entries` memo.
    disk_entries: std::sync::Mutex<HashMap<PathBuf, DiskEntries>>,
    overlay: OnceLock<ResolverGeneric<SnapFs>>,
    /// `strict` and `overlay` that also probe [`OTHER_EXTENSIONS`].
    other_ext: OnceLock<[ResolverGeneric<SnapFs>; 2]>,
    shared: Arc<Shared>,
    pub packages: Packages,
    generated: Vec<String>,
    not_files: Vec<crate::config::pattern::Regex>,
    allow_packages: HashSet<String>,
    /// `[imports] style_load_paths`, repo-relative without surrounding slashes.
    style_load_paths: Vec<String>,
    /// Workspace packages whose entry points lie in build output (`dist/`, ...).
    builds_to_output: HashSet<String>,
    /// Folders (repo-relative, `""` for the root) whose `node_modules` holds committed files
    /// (test fixtures of resolvers and bundlers): bare imports beneath them resolve there.
    committed_modules: Vec<String>,
    /// How the configs chain (`extends`), and which chains name an uninstalled package.
    configs: Configs,
    /// Digest of every config byte resolution reads: part of the clean verdicts' cache key.
    config_digest: u64,
    /// What bundler and framework configs, Deno maps and declared plugins provide.
    bundler: crate::bundler::Bundler,
    /// Which relative specifiers certainly name nothing (no probing for them).
    absent: absent::Absent,
    /// Use `absent` (off only to compare against full resolution in tests).
    shortcut: bool,
    /// Resolutions of a path (not a package) that found nothing, each of which left every path it probed in
    /// `oxc_resolver`'s caches: every [`MISSES_BEFORE_CLEAR`] of them, the caches are dropped.
    misses: std::sync::atomic::AtomicUsize,
    /// [`MISSES_BEFORE_CLEAR`] (smaller in tests: dropping the caches must change no verdict).
    clear_every: usize,
}

/// How many resolutions of nothing may fill `oxc_resolver`'s path caches before they are
/// dropped: one of a relative import probes about 60 paths in three views (some 28 kB), so
/// 4,096 bound them near 120 MB, where 20,000 imports of nothing in one file took 570 MB. A repository's
/// imports that resolve never count (its caches stay warm).
const MISSES_BEFORE_CLEAR: usize = 4096;

/// `HOOKCTL_TIMINGS=1`: the resolver setup's own phases, cumulative from its start.
fn timing(start: &crate::timings::Mark, phase: &str) {
    crate::timings::report(&format!("resolver setup, {phase}"), start);
}

/// Built-in list of generated folders (data file), plus the configured ones.
pub fn generated_dirs(extra: &[String]) -> Vec<String> {
    crate::data::lines(include_str!("../../data/generated-dirs.txt"))
        .map(str::to_string)
        .chain(extra.iter().map(|s| s.trim_matches('/').to_string()))
        .collect()
}

/// Is `rel` inside one of the `generated` folders (a folder name, or a repo-relative path)?
pub fn in_generated_dir(generated: &[String], rel: &str) -> bool {
    let mut parts = rel.split('/');
    parts.next_back();
    parts.any(|c| {
        generated
            .iter()
            .any(|g| g == c || g.contains('/') && rel.starts_with(&format!("{g}/")))
    })
}

/// The extensions resolution probes, longest first where one ends another (`.d.ts`, `.ts`).
const SOURCE_EXTENSIONS: &[&str] = &[
    ".d.ts", ".ts", ".tsx", ".js", ".jsx", ".mts", ".cts", ".mjs", ".cjs", ".json",
];

/// Extensions a bundler may be told to probe for an extensionless import beyond TypeScript's:
/// framework components, and React Native's platform files. Longest first where one ends
/// another.
const OTHER_EXTENSIONS: &[&str] = &[
    ".native.tsx",
    ".native.ts",
    ".native.jsx",
    ".native.js",
    ".ios.tsx",
    ".ios.ts",
    ".ios.jsx",
    ".ios.js",
    ".android.tsx",
    ".android.ts",
    ".android.jsx",
    ".android.js",
    ".web.tsx",
    ".web.ts",
    ".web.jsx",
    ".web.js",
    ".vue",
    ".svelte",
    ".astro",
    ".mdx",
];

/// Is `ext` (lower case, no dot) a file kind no bundler probes for an extensionless import
/// (`data/non-code-extensions.txt`)?
fn non_code_extension(ext: &str) -> bool {
    static LIST: OnceLock<HashSet<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| crate::data::lines(include_str!("../../data/non-code-extensions.txt")).collect())
        .contains(ext)
}

fn options() -> ResolveOptions {
    let s = |v: &[&str]| v.iter().map(std::string::ToString::to_string).collect::<Vec<_>>();
    ResolveOptions {
        tsconfig: Some(TsconfigDiscovery::Auto),
        extensions: s(&[
            ".ts", ".tsx", ".d.ts", ".js", ".jsx", ".mts", ".cts", ".mjs", ".cjs", ".json",
        ]),
        extension_alias: vec![
            (".js".into(), s(&[".ts", ".tsx", ".d.ts", ".js", ".jsx"])),
            (".jsx".into(), s(&[".tsx", ".d.ts", ".jsx"])),
            (".mjs".into(), s(&[".mts", ".d.mts", ".mjs"])),
            (".cjs".into(), s(&[".cts", ".d.cts", ".cjs"])),
            // `allowImportingTsExtensions`: a `.ts` specifier also finds its declaration file.
            (".ts".into(), s(&[".ts", ".d.ts"])),
            (".tsx".into(), s(&[".tsx", ".d.ts"])),
            (".mts".into(), s(&[".mts", ".d.mts"])),
            (".cts".into(), s(&[".cts", ".d.cts"])),
        ],
        // An ESM import's conditions (TypeScript's `bundler` and node16 ESM, Vite, webpack);
        // `require` calls take the `require` condition through the CommonJS resolver.
        condition_names: s(&["types", "import", "node", "browser", "default"]),
        // TypeScript's order (it ignores `module`, kept as a fallback for bundler packages).
        main_fields: s(&["types", "typings", "main", "module"]),
        main_files: s(&["index"]),
        builtin_modules: true,
        symlinks: true,
        ..ResolveOptions::default()
    }
}

impl Resolver {
    /// Prepare resolution for a snapshot. Unparseable config files become `files/unreadable`
    /// findings and are left out; notes are one-line warnings about hookctl's inputs.
    #[expect(
        clippy::too_many_lines,
        reason = "reads every resolver input of the snapshot in turn; to split by input (issue 18)"
    )]
    pub fn new(
        snap: Arc<Snapshot>,
        config: &crate::config::ImportsConfig,
        unreadable: &mut Vec<Finding>,
        notes: &mut Vec<String>,
    ) -> Resolver {
        let t0 = crate::timings::Mark::now();
        let packages = Packages::load(&snap, unreadable);
        timing(&t0, "packages");
        let generated = generated_dirs(&config.generated);
        let mut hidden: HashSet<String> = unreadable.iter().map(|f| f.path.clone()).collect();

        let mut configs = Configs::load(&snap, unreadable, &mut hidden);
        timing(&t0, "tsconfigs");
        // What the repository git-ignores, read once and only when asked: a path it ignores
        // and the snapshot lacks is something a tool writes (a workspace package's build
        // output, a framework's generated tsconfig), not a file someone forgot to add.
        let ignored: OnceLock<ignored::Ignored> = OnceLock::new();
        let is_ignored = |rel: &str| {
            snap.get(rel).is_none()
                && ignored
                    .get_or_init(|| ignored::Ignored::load(&snap))
                    .is_ignored(&snap, rel)
        };
        let mut builds_to_output: Vec<String> = packages
            .workspaces
            .iter()
            .filter(|(_, dir)| {
                let json = &packages.manifests[dir.as_str()].json;
                entry_is_output(json, &generated) || entry_is_ignored(dir, json, &is_ignored)
            })
            .map(|(name, _)| name.clone())
            .collect();
        builds_to_output.sort();

        let committed_modules: Vec<String> = {
            // One searcher for every special path (`str::find` builds one per call).
            let inner = memchr::memmem::Finder::new(b"/node_modules/");
            let mut dirs: Vec<String> = snap
                .special_paths()
                .iter()
                .filter_map(|p| {
                    let at = if p.starts_with("node_modules/") {
                        0
                    } else {
                        inner.find(p.as_bytes())? + 1
                    };
                    Some(p[..at].trim_end_matches('/').to_string())
                })
                .collect();
            dirs.dedup();
            dirs.sort();
            dirs.dedup();
            dirs
        };
        timing(&t0, "committed node_modules");
        let mut shared = Shared::new(
            snap.clone(),
            packages.workspaces.clone(),
            hidden,
            std::mem::take(&mut configs.served),
        );
        shared.nested_links = packages
            .manifests
            .iter()
            .filter(|(dir, _)| !dir.is_empty())
            .flat_map(|(dir, m)| {
                m.deps
                    .iter()
                    .filter(|d| packages.workspaces.contains_key(*d))
                    .map(move |d| format!("{dir}/node_modules/{d}"))
            })
            .collect();
        timing(&t0, "file system");
        // Every config of every `extends` chain, whatever its name, is served like a tsconfig.
        {
            let fs = SnapFs::new(Arc::new(clone_shared(&shared)), View::Strict);
            let probe = ResolverGeneric::new_with_file_system(fs.clone(), options());
            configs.served = std::mem::take(&mut shared.patched);
            configs.follow_extends(&snap, &probe, &fs, &generated, &is_ignored);
            shared.patched = std::mem::take(&mut configs.served);
        }
        // A base that is not there (an uninstalled package, a codegen output not generated yet)
        // is noted once, on the config that names it, and that entry is left out of its
        // `extends`: the rest of the chain still applies.
        let install = packages.install_command();
        for (path, specs) in &configs.missing {
            let shown = configs.shown(path);
            let spec = specs.join("`, `");
            let scope = path
                .rsplit_once('/')
                .map_or("the repository root".to_string(), |(d, _)| format!("`{d}/`"));
            let extended = shared
                .patched
                .get(path)
                .and_then(|b| crate::manifest::parse_jsonc(path, b).ok())
                .map(|v| tsconfig::extends_of(&v))
                .unwrap_or_default();
            let verb = if specs.iter().all(|s| extended.contains(s)) {
                "extends"
            } else {
                "references"
            };
            notes.push(format!(
                "`{shown}` {verb} `{spec}`, which is not installed or not generated yet: imports under {scope} that may be aliases of that base are not checked (run `{install}`)"
            ));
            if let Some(v) = shared
                .patched
                .get(path)
                .and_then(|b| crate::manifest::parse_jsonc(path, b).ok())
            {
                let v = tsconfig::without_extends(v, specs);
                shared
                    .patched
                    .insert(path.clone(), serde_json::to_vec(&v).unwrap_or_default());
            }
        }
        // Check every tsconfig's `extends` chain once; a loop or a broken base is reported and
        // the file is read without its `extends`.
        let probe = ResolverGeneric::new_with_file_system(
            SnapFs::new(Arc::new(clone_shared(&shared)), View::Strict),
            options(),
        );
        // Every tsconfig.json served (jsconfig stand-ins included); bases are checked through them.
        let tsconfigs: std::collections::BTreeSet<String> = shared
            .patched
            .keys()
            .filter(|p| p.rsplit('/').next() == Some("tsconfig.json"))
            .cloned()
            .collect();
        let root_prefix = format!("{}/", snap.root.display());
        for path in tsconfigs {
            if let Err(e) = probe.resolve_tsconfig(snap.abs(&path)) {
                let shown = configs.shown(&path);
                let msg = match classify_tsconfig_error(&e) {
                    TsconfigProblem::MissingPackage(pkg) => {
                        format!("its `extends` names `{pkg}`, which cannot be found")
                    }
                    TsconfigProblem::Broken(msg) => msg,
                };
                // Paths in oxc's messages are absolute: show them repo-relative.
                let msg = msg.replace(&root_prefix, "");
                unreadable.push(
                    Finding::new(
                        &codes::FILES_UNREADABLE,
                        shown.clone(),
                        format!("`{shown}`: {msg}"),
                    )
                    .at(1, 1)
                    .help(format!(
                        "fix the `extends` of `{shown}`; hookctl reads it without its `extends`"
                    )),
                );
                let bytes = shared
                    .patched
                    .get(&path)
                    .cloned()
                    .or_else(|| snap.read(&path).ok())
                    .unwrap_or_default();
                if let Ok(mut v) = crate::manifest::parse_jsonc(&path, &bytes) {
                    if let Some(o) = v.as_object_mut() {
                        o.remove("extends");
                    }
                    shared
                        .patched
                        .insert(path, serde_json::to_vec(&v).unwrap_or_default());
                }
            }
        }
        timing(&t0, "extends chains");
        let ambient = ambient::Ambient::load(&snap);
        timing(&t0, "ambient declarations");
        let bundler = crate::bundler::Bundler::load(&snap, &packages);
        let (parsed, cached) = bundler.parse_counts();
        timing(
            &t0,
            &format!("bundler configs ({parsed} parsed, {cached} from the cache)"),
        );
        // Which bases count as not generated yet and which packages build to output depend on
        // `.gitignore` files too (not resolution configs): they are part of the context.
        let decided =
            xxhash_rust::xxh3::xxh3_64(format!("{:?} {builds_to_output:?}", configs.missing).as_bytes());
        let config_digest = tsconfig::digest(&shared.patched) ^ ambient.digest() ^ bundler.digest() ^ decided;
        let shared = Arc::new(shared);
        let strict =
            ResolverGeneric::new_with_file_system(SnapFs::new(shared.clone(), View::Strict), options());
        let not_files = config.not_files.clone();
        Resolver {
            snap,
            strict,
            nocase: OnceLock::new(),
            esm: OnceLock::new(),
            cjs: OnceLock::new(),
            no_types: OnceLock::new(),
            by_conditions: std::sync::Mutex::new(HashMap::new()),
            ignored,
            ambient,
            node_modes: std::sync::Mutex::new(HashMap::new()),
            stems: std::sync::Mutex::new(HashMap::new()),
            disk_entries: std::sync::Mutex::new(HashMap::new()),
            memo: std::sync::Mutex::new(HashMap::new()),
            overlay: OnceLock::new(),
            other_ext: OnceLock::new(),
            shared,
            packages,
            generated,
            not_files,
            allow_packages: config.allow_packages.iter().cloned().collect(),
            style_load_paths: config
                .style_load_paths
                .iter()
                .map(|p| p.trim_matches('/').to_string())
                .collect(),
            builds_to_output: builds_to_output.into_iter().collect(),
            committed_modules,
            configs,
            config_digest,
            bundler,
            absent: absent::Absent::new(),
            shortcut: true,
            misses: std::sync::atomic::AtomicUsize::new(0),
            clear_every: MISSES_BEFORE_CLEAR,
        }
    }

    /// Is `pkg` a package committed in a `node_modules` folder that Node's lookup from
    /// `importer` passes (its folder or an ancestor's)?
    fn committed_package(&self, importer: &str, pkg: &str) -> bool {
        self.committed_modules.iter().any(|dir| {
            (dir.is_empty() || importer.starts_with(dir.as_str()) && importer[dir.len()..].starts_with('/'))
                && self.snap.is_dir(&if dir.is_empty() {
                    format!("node_modules/{pkg}")
                } else {
                    format!("{dir}/node_modules/{pkg}")
                })
        })
    }

    /// A digest of every config file resolution reads (each `extends` chain, installed bases).
    /// Every alias mapping resolution applies, as (pattern, targets): the `compilerOptions.paths`
    /// of every served tsconfig (bases of any name included), the `imports` of every package.json
    /// and `SvelteKit`'s `kit.alias`. For the import graph, which must know which specifiers an
    /// alias sends to a file whose name their own text does not say (`"#db": "./src/db.ts"`).
    pub fn alias_mappings(&self) -> Vec<(String, Vec<String>)> {
        let mut out = Vec::new();
        for bytes in self.shared.patched.values() {
            let Ok(json) = serde_json::from_slice::<Value>(bytes) else {
                continue;
            };
            if let Some(paths) = json.pointer("/compilerOptions/paths").and_then(Value::as_object) {
                for (k, v) in paths {
                    let mut targets = Vec::new();
                    collect_strings(v, &mut targets);
                    out.push((k.clone(), targets));
                }
            }
        }
        for m in self.packages.manifests.values() {
            if let Some(imports) = m.json.get("imports").and_then(Value::as_object) {
                for (k, v) in imports {
                    let mut targets = Vec::new();
                    collect_strings(v, &mut targets);
                    out.push((k.clone(), targets));
                }
            }
        }
        // Bundler aliases (Vite, webpack, Nuxt, SvelteKit `kit.alias`).
        out.extend(self.bundler.alias_mappings());
        out
    }

    pub fn config_digest(&self) -> u64 {
        self.config_digest
    }

    fn view(&self, view: View) -> &ResolverGeneric<SnapFs> {
        let make =
            || ResolverGeneric::new_with_file_system(SnapFs::new(self.shared.clone(), view), options());
        match view {
            View::Strict => &self.strict,
            View::NoCase => self.nocase.get_or_init(make),
            View::Overlay => self.overlay.get_or_init(make),
        }
    }

    /// The path an unresolvable import names, if it lies in a generated folder: a relative path,
    /// a tsconfig `paths`/`baseUrl` target,
    /// or a path inside a workspace package (directly or through its `exports`).
    fn generated_target(&self, from: &Path, spec: &str) -> Option<String> {
        self.named_paths(from, spec)?.into_iter().find(|rel| {
            let with_file = format!("{rel}/x");
            self.in_generated_dir(&with_file)
        })
    }

    /// The file an unresolvable import names, if git ignores it and it is not on disk either:
    /// something the build writes (`postinstall` codegen, a script's output), not a file someone
    /// forgot to add — there is nothing to add. (When it is on disk, it is `Untracked`.)
    fn ignored_target(&self, from: &Path, spec: &str) -> Option<String> {
        // Built once: this runs for every unresolved import (a vendored bundle has thousands).
        static SUFFIXES: OnceLock<Vec<String>> = OnceLock::new();
        let suffixes = SUFFIXES.get_or_init(|| {
            SOURCE_EXTENSIONS
                .iter()
                .map(std::string::ToString::to_string)
                .chain(SOURCE_EXTENSIONS.iter().map(|e| format!("/index{e}")))
                .chain(std::iter::once(String::new()))
                .collect()
        });
        let ignored = self.ignored.get_or_init(|| ignored::Ignored::load(&self.snap));
        if ignored.is_empty() {
            return None; // (21 candidate paths per unresolved import otherwise)
        }
        self.named_paths(from, spec)?.into_iter().find_map(|rel| {
            suffixes.iter().find_map(|sfx| {
                let path = format!("{rel}{sfx}");
                let ignored = ignored.is_ignored(&self.snap, &path);
                (ignored && !self.snap.abs(&path).exists()).then_some(path)
            })
        })
    }

    /// The repo-relative paths an import names before extension probing: a relative path, a
    /// tsconfig `paths`/`baseUrl` target, or a path inside a workspace package (directly or
    /// through its `exports`).
    fn named_paths(&self, from: &Path, spec: &str) -> Option<Vec<String>> {
        let ts = self.strict.find_tsconfig(from).ok().flatten();
        let mut candidates: Vec<PathBuf> = Vec::new();
        if is_bare(spec) {
            if let Some(ts) = &ts {
                candidates.extend(ts.resolve_path_alias_or_base_url(spec));
            }
            if let Some(pkg) = package_name(spec)
                && let Some(dir) = self.packages.workspaces.get(pkg)
            {
                let sub = spec[pkg.len()..].trim_start_matches('/');
                let base = self.snap.abs(dir);
                if !sub.is_empty() {
                    candidates.push(base.join(sub));
                }
                let key = if sub.is_empty() {
                    ".".to_string()
                } else {
                    format!("./{sub}")
                };
                if let Some(exports) = self
                    .packages
                    .manifests
                    .get(dir.as_str())
                    .and_then(|m| m.json.get("exports"))
                {
                    let target = exports
                        .get(&key)
                        .or_else(|| (key == ".").then_some(exports).filter(|e| !e.is_object()));
                    let mut strings = Vec::new();
                    if let Some(t) = target {
                        collect_strings(t, &mut strings);
                    }
                    candidates.extend(strings.iter().map(|t| base.join(t)));
                }
            }
        } else if spec.starts_with('#') {
            // A package.json `imports` key: its targets (`#build/ui/*` -> `./.nuxt/ui/*.ts`).
            return Some(self.packages.imports_targets(&self.snap.rel(from)?, spec));
        } else if spec.starts_with('.') {
            // (A `rootDirs` overlay of a generated folder is not followed here: any missing
            // relative file could hide there. Route typegen is recognised by its names instead,
            // see `specifier::typegen_target`.)
            candidates.push(from.parent()?.join(spec));
        } else {
            return None;
        }
        Some(
            candidates
                .iter()
                .filter_map(|c| self.snap.rel(&normalize(c)))
                .collect(),
        )
    }

    /// Is `rel` inside a submodule (a gitlink entry of the snapshot)?
    fn in_submodule(&self, rel: &str) -> bool {
        rel.match_indices('/').any(|(i, _)| {
            self.snap
                .get(&rel[..i])
                .is_some_and(|e| e.kind == crate::snapshot::EntryKind::Gitlink)
        })
    }

    /// Is `rel` inside one of the generated folders?
    pub fn in_generated_dir(&self, rel: &str) -> bool {
        in_generated_dir(&self.generated, rel)
    }

    /// A resolver with the importer's tsconfig `customConditions` first, if it sets any.
    fn with_custom_conditions(&self, from: &Path) -> Option<Arc<ResolverGeneric<SnapFs>>> {
        let ts = self.strict.find_tsconfig(from).ok()??;
        let conditions = self.custom_conditions(ts.path())?;
        if conditions.is_empty() {
            return None;
        }
        let mut cache = self
            .by_conditions
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Some(
            cache
                .entry(conditions.clone())
                .or_insert_with(|| {
                    let mut names = conditions;
                    names.extend(
                        ["types", "import", "require", "node", "browser", "default"].map(String::from),
                    );
                    let options = ResolveOptions {
                        condition_names: names,
                        ..options()
                    };
                    Arc::new(ResolverGeneric::new_with_file_system(
                        SnapFs::new(self.shared.clone(), View::Strict),
                        options,
                    ))
                })
                .clone(),
        )
    }

    /// `compilerOptions.customConditions` of a tsconfig, through its `extends` chain.
    fn custom_conditions(&self, path: &Path) -> Option<Vec<String>> {
        let list = self.chain_option(path, "/compilerOptions/customConditions", 0)?;
        Some(
            list.as_array()?
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
        )
    }

    /// A compiler option (JSON pointer) of a tsconfig, following its `extends` chain: the config
    /// itself over its bases, a later base over an earlier one (oxc reads neither
    /// `moduleResolution` nor `customConditions`).
    fn chain_option(&self, path: &Path, pointer: &str, depth: usize) -> Option<Value> {
        let rel = self.snap.rel(path)?;
        let bytes = self
            .shared
            .patched
            .get(&rel)
            .cloned()
            .or_else(|| self.snap.read(&rel).ok())?;
        let json = crate::manifest::parse_jsonc(&rel, &bytes).ok()?;
        if let Some(v) = json.pointer(pointer) {
            return Some(v.clone());
        }
        if depth > 16 {
            return None;
        }
        self.configs
            .bases
            .get(&rel)?
            .iter()
            .rev()
            .find_map(|base| self.chain_option(&self.snap.abs(base), pointer, depth + 1))
    }

    /// Like `strict`, without the `types` export condition.
    fn without_types(&self) -> &ResolverGeneric<SnapFs> {
        self.no_types.get_or_init(|| {
            let options = ResolveOptions {
                condition_names: ["import", "require", "node", "browser", "default"]
                    .map(String::from)
                    .to_vec(),
                ..options()
            };
            ResolverGeneric::new_with_file_system(SnapFs::new(self.shared.clone(), View::Strict), options)
        })
    }

    /// Resolve an import found by the scanner.
    pub fn resolve_import(&self, importer: &str, import: &crate::scan::Import) -> Verdict {
        use crate::scan::ImportKind;
        // A `.vue`/`.svelte`/`.astro`/`.mdx` file resolves as the TS file its script block
        // compiles to: tsconfig `include` patterns (and so `paths`) match only TS/JS names.
        let proxy;
        let importer = if matches!(
            crate::scan::FileKind::for_path(importer),
            Some(crate::scan::FileKind::Host(_))
        ) {
            proxy = format!("{importer}.ts");
            proxy.as_str()
        } else {
            importer
        };
        if import.kind.is_css() {
            return self.resolve_css(importer, import);
        }
        if import.kind == ImportKind::Reference && is_bare(&import.specifier) {
            // `/// <reference path="x" />` is always a path relative to the file.
            return self.resolve(importer, &format!("./{}", import.specifier), import.type_only);
        }
        let mode = self.node_mode(importer);
        let esm_kind = matches!(
            import.kind,
            ImportKind::Static | ImportKind::SideEffect | ImportKind::ExportFrom | ImportKind::Dynamic
        );
        // Under node16/nodenext a CommonJS-mode import of a package takes its `require` export
        // condition, as TypeScript and Node do.
        let cjs_import = match mode {
            Some(NodeMode::Cjs) => import.kind != ImportKind::Dynamic,
            Some(NodeMode::Esm) | None => {
                matches!(import.kind, ImportKind::Require | ImportKind::ImportEquals)
            }
        };
        if cjs_import && is_bare(&import.specifier) {
            let cjs = self.cjs.get_or_init(|| {
                let options = ResolveOptions {
                    condition_names: ["types", "require", "node", "default"].map(String::from).to_vec(),
                    ..options()
                };
                ResolverGeneric::new_with_file_system(SnapFs::new(self.shared.clone(), View::Strict), options)
            });
            let spec = clean_specifier(&import.specifier);
            if let Ok(res) = cjs.resolve_file(self.snap.abs(importer), &spec)
                && let Some(rel) = self.snap.rel(res.path())
                && self.snap.is_file(&rel)
            {
                return Verdict::File(rel);
            }
        }
        let verdict = self.resolve(importer, &import.specifier, import.type_only);
        if let Verdict::File(found) = &verdict
            && esm_kind
            && !import.type_only
            && (import.specifier.starts_with('.') || import.specifier.starts_with('/'))
            && mode == Some(NodeMode::Esm)
            && !specifier::loaded_by_a_bundler(importer)
        {
            let esm = self.esm.get_or_init(|| {
                let options = ResolveOptions {
                    fully_specified: true,
                    ..options()
                };
                ResolverGeneric::new_with_file_system(SnapFs::new(self.shared.clone(), View::Strict), options)
            });
            let spec = clean_specifier(&import.specifier);
            if esm.resolve_file(self.snap.abs(importer), &spec).is_err() {
                return Verdict::NeedsExtension(found.clone());
            }
        }
        verdict
    }

    /// The module format of `importer` under `moduleResolution: node16/nodenext` (`None` under
    /// any other resolution mode): ESM for `.mts`/`.mjs` and files of a `"type": "module"`
    /// package, `CommonJS` otherwise.
    fn node_mode(&self, importer: &str) -> Option<NodeMode> {
        let Ok(Some(ts)) = self.strict.find_tsconfig(self.snap.abs(importer)) else {
            return None;
        };
        let path = ts.path().to_path_buf();
        let cached = self
            .node_modes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&path)
            .copied();
        let node = if let Some(known) = cached {
            known
        } else {
            let by_module = ts.compiler_options.module.as_deref().is_some_and(is_node_mode);
            let mode = match self.module_resolution(&path) {
                Some(m) => is_node_mode(&m),
                None => by_module,
            };
            self.node_modes
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .insert(path, mode);
            mode
        };
        if !node {
            return None;
        }
        let esm = match importer.rsplit_once('.').map(|(_, e)| e) {
            Some("mts" | "mjs") => true,
            Some("cts" | "cjs") => false,
            _ => {
                let dir = self.packages.nearest_manifest(importer);
                dir.and_then(|d| self.packages.manifests.get(d))
                    .is_some_and(|m| m.json.get("type").and_then(Value::as_str) == Some("module"))
            }
        };
        Some(if esm { NodeMode::Esm } else { NodeMode::Cjs })
    }

    /// `compilerOptions.moduleResolution` of a tsconfig, following its `extends` chain.
    /// Whether the tsconfig program of `importer` sets `skipLibCheck: false` explicitly (itself
    /// or through its `extends` chain): only then does a type check read declaration files.
    pub fn checks_declaration_files(&self, importer: &str) -> bool {
        let Ok(Some(ts)) = self.strict.find_tsconfig(self.snap.abs(importer)) else {
            return false;
        };
        self.chain_option(ts.path(), "/compilerOptions/skipLibCheck", 0)
            .and_then(|v| v.as_bool())
            == Some(false)
    }

    fn module_resolution(&self, path: &Path) -> Option<String> {
        let m = self.chain_option(path, "/compilerOptions/moduleResolution", 0)?;
        Some(m.as_str()?.to_ascii_lowercase())
    }

    /// Resolve `specifier` written in the snapshot file `importer`.
    pub fn resolve(&self, importer: &str, specifier: &str, type_only: bool) -> Verdict {
        let spec = clean_specifier(specifier);
        if spec.is_empty() || is_not_a_file(&spec) || self.not_files.iter().any(|r| r.is_match(specifier)) {
            return Verdict::External;
        }
        // What the bundler is told beyond tsconfig (aliases, plugins' virtual modules, Deno
        // maps), unless a tsconfig `paths` entry maps the specifier (TypeScript's resolution
        // applies then).
        let provided = if spec.starts_with('.') || self.tsconfig_maps(importer, &spec) {
            crate::bundler::Provided::No
        } else {
            self.bundler.provide(importer, &spec)
        };
        match provided {
            crate::bundler::Provided::No => self.resolve_mapped(importer, &spec, type_only),
            crate::bundler::Provided::Virtual(_) => Verdict::External,
            crate::bundler::Provided::Fallback(_) => match self.resolve_mapped(importer, &spec, type_only) {
                Verdict::Unresolved | Verdict::Undeclared(_) | Verdict::Unknown { .. } => Verdict::External,
                v => v,
            },
            crate::bundler::Provided::Uncertain(why) => match self.resolve_mapped(importer, &spec, type_only)
            {
                // A valid package name no package.json declares stays undeclared: an alias
                // named like a package is rare, a forgotten dependency is not.
                Verdict::Unresolved | Verdict::Unknown { .. } => Verdict::Unknown { why: Some(why) },
                v => v,
            },
            crate::bundler::Provided::MaybeRemote(why) => {
                match self.resolve_mapped(importer, &spec, type_only) {
                    Verdict::Unresolved | Verdict::Unknown { .. } | Verdict::Undeclared(_) => {
                        Verdict::Unknown { why: Some(why) }
                    }
                    v => v,
                }
            }
            crate::bundler::Provided::Alias { targets, .. } => {
                // Like a tsconfig `paths` entry: the first target that resolves to a file wins,
                // else the first target's outcome (a missing file is unresolved or untracked).
                let mut first = None;
                for t in targets {
                    let v = match t {
                        crate::bundler::Rewritten::Path(path) => {
                            let rel = relative_to(importer, &path, spec.ends_with('/'));
                            self.resolve_mapped(importer, &rel, type_only)
                        }
                        crate::bundler::Rewritten::Spec(s) => {
                            let s = clean_specifier(&s);
                            if s.is_empty() || is_not_a_file(&s) {
                                Verdict::External
                            } else {
                                self.resolve_mapped(importer, &s, type_only)
                            }
                        }
                        crate::bundler::Rewritten::Ignored => Verdict::External,
                    };
                    if matches!(v, Verdict::File(_) | Verdict::External) {
                        return v;
                    }
                    first.get_or_insert(v);
                }
                first.unwrap_or(Verdict::Unresolved)
            }
        }
    }

    /// Does a tsconfig `paths` entry of the importer's tsconfig match the specifier?
    fn tsconfig_maps(&self, importer: &str, spec: &str) -> bool {
        let ts = self.strict.find_tsconfig(self.snap.abs(importer)).ok().flatten();
        ts.is_some_and(|ts| paths_match(&ts, spec))
    }

    /// [`Resolver::resolve`] after aliases: TypeScript's resolution (memoised), then, for what
    /// resolves to nothing, the extensions only a bundler may probe.
    fn resolve_mapped(&self, importer: &str, spec: &str, type_only: bool) -> Verdict {
        let verdict = self.resolve_memoised(importer, spec, type_only);
        if verdict == Verdict::Unresolved {
            if self.nothing_there(importer, &clean_specifier(spec)) {
                return verdict; // no other extension or sibling either
            }
            return self.other_extension(importer, spec).unwrap_or(verdict);
        }
        verdict
    }

    /// An import that resolves to nothing with TypeScript's extensions, tried with
    /// [`OTHER_EXTENSIONS`]: a committed file the importer's bundler probes (`App.vue` under
    /// Vue CLI or Nuxt, a config's `resolve.extensions`) is the file; one it may not probe is
    /// [`Verdict::OtherExtension`]; one only on disk is untracked (the deploy lacks it whatever
    /// the bundler probes).
    fn other_extension(&self, importer: &str, spec: &str) -> Option<Verdict> {
        let [strict, overlay] = self.other_ext.get_or_init(|| {
            let make = |view| {
                let mut o = options();
                o.extensions
                    .extend(OTHER_EXTENSIONS.iter().map(|e| (*e).to_string()));
                ResolverGeneric::new_with_file_system(SnapFs::new(self.shared.clone(), view), o)
            };
            [make(View::Strict), make(View::Overlay)]
        });
        let from = self.snap.abs(importer);
        let spec = clean_specifier(spec);
        let found = |r: &ResolverGeneric<SnapFs>| {
            r.resolve_file(&from, &spec)
                .inspect_err(|_| self.missed(&spec))
                .ok()
                .and_then(|res| self.snap.rel(res.path()))
                .filter(|rel| !rel.split('/').any(|c| c == "node_modules"))
        };
        let ext_of = |rel: &str| {
            OTHER_EXTENSIONS
                .iter()
                .find(|e| rel.ends_with(**e))
                .map(|e| (*e).to_string())
        };
        if let Some(rel) = found(strict).filter(|r| self.snap.is_file(r)) {
            let ext = ext_of(&rel)?;
            return Some(if self.bundler.probes(importer, &ext) {
                Verdict::File(rel)
            } else {
                Verdict::OtherExtension { found: rel, ext }
            });
        }
        if let Some(rel) = found(overlay).filter(|r| !self.snap.is_file(r) && ext_of(r).is_some()) {
            return Some(if self.in_generated_dir(&rel) {
                Verdict::Generated(rel)
            } else {
                Verdict::Untracked(rel)
            });
        }
        self.sibling_extension(importer, &spec)
    }

    /// An extensionless import (`./Card`) that names `dir/Card`, beside a file `dir/Card.<ext>`
    /// with one extension segment that no list above has and that is not a non-code file
    /// (`data/non-code-extensions.txt`): Ember's `.gts`/`.gjs`, Marko's `.marko`, mdsvex's
    /// `.svx`. The bundler may probe `.<ext>` (its `resolve.extensions`): committed, the file
    /// is [`Verdict::OtherExtension`] (or the file, when a config hookctl reads lists it); only
    /// on disk, untracked. A deleted `card.ts` beside `card.css`, `card.module.css`,
    /// `card.test.ts` or `card.d.ts` finds none of them: it stays unresolved.
    fn sibling_extension(&self, importer: &str, spec: &str) -> Option<Verdict> {
        let last = spec.trim_end_matches('/').rsplit('/').next()?;
        if last.is_empty() || last == "." || last == ".." || spec.ends_with('/') {
            return None;
        }
        // (An extension resolution already probes is not another: when no view found that
        // file, it is not there to be found, e.g. behind a symlink out of the repository.)
        let probed = |ext: &str| {
            SOURCE_EXTENSIONS
                .iter()
                .chain(OTHER_EXTENSIONS)
                .any(|e| e.strip_prefix('.') == Some(ext))
        };
        let pick = |rest: &str| -> Option<String> {
            let ext = rest.to_ascii_lowercase();
            (!ext.is_empty() && !ext.contains(['.', '/']) && !non_code_extension(&ext) && !probed(&ext))
                .then(|| format!(".{rest}"))
        };
        let from = self.snap.abs(importer);
        for base in self.named_paths(&from, spec)? {
            if base.split('/').any(|c| c == "node_modules") {
                continue;
            }
            let prefix = format!("{base}.");
            let committed = self
                .snap
                .prefixed(&prefix)
                .filter(|(_, e)| e.kind == crate::snapshot::EntryKind::File)
                .find_map(|(p, _)| Some((p.to_string(), pick(&p[prefix.len()..])?)));
            if let Some((found, ext)) = committed {
                return Some(if self.bundler.probes(importer, &ext) {
                    Verdict::File(found)
                } else {
                    Verdict::OtherExtension { found, ext }
                });
            }
            let abs = self.snap.abs(&base);
            let (Some(dir), Some(name)) = (abs.parent(), abs.file_name().and_then(|n| n.to_str())) else {
                continue;
            };
            let on_disk = self
                .disk_entries(dir)
                .iter()
                .filter(|(_, plain_file)| *plain_file)
                .find_map(|(file, _)| pick(file.strip_prefix(name)?.strip_prefix('.')?));
            if let Some(ext) = on_disk {
                let rel = format!("{base}{ext}");
                return Some(if self.in_generated_dir(&rel) {
                    Verdict::Generated(rel)
                } else {
                    Verdict::Untracked(rel)
                });
            }
        }
        None
    }

    /// TypeScript's resolution, memoised.
    fn resolve_memoised(&self, importer: &str, spec: &str, type_only: bool) -> Verdict {
        // Many files import the same target: a relative import's outcome depends only on the
        // path it names, an alias's only on the tsconfig and the specifier.
        let key = self.memo_key(importer, spec);
        if let Some(key) = &key
            && let Some(v) = self
                .memo
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .get(key)
        {
            return v.clone();
        }
        let verdict = self.resolve_uncached(importer, spec, type_only);
        if let Some(key) = key
            && !matches!(verdict, Verdict::Undeclared(_))
        {
            self.memo
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .insert(key, verdict.clone());
        }
        verdict
    }

    /// The bundler's view of this repository (for the env rules: names configs define).
    pub fn bundler(&self) -> &crate::bundler::Bundler {
        &self.bundler
    }

    /// The memo key of an import, when its outcome does not depend on where the importer is.
    fn memo_key(&self, importer: &str, spec: &str) -> Option<String> {
        let ts = self.strict.find_tsconfig(self.snap.abs(importer)).ok().flatten();
        if ts
            .as_ref()
            .is_some_and(|t| t.compiler_options.root_dirs.is_some())
        {
            return None; // rootDirs make relative imports depend on the importer's folder
        }
        if spec.starts_with("./") || spec.starts_with("../") || spec == "." || spec == ".." {
            let dir = importer.rsplit_once('/').map_or("", |(d, _)| d);
            let parts = crate::snapshot::join_relative(dir, spec)?;
            let trailing = if spec.ends_with('/') { "/" } else { "" };
            return Some(format!("r:{}{trailing}", parts.join("/")));
        }
        let ts = ts?;
        if is_bare(spec) && paths_match(&ts, spec) {
            return Some(format!("a:{}:{spec}", ts.path().display()));
        }
        None
    }

    fn resolve_uncached(&self, importer: &str, spec: &str, type_only: bool) -> Verdict {
        let verdict = self.resolve_in_snapshot(importer, spec, type_only);
        // What no mapping matched (`Unknown`) may still be provided by a framework or plugin
        // (`#imports` of a Nuxt module repository, `~icons/...`): the bundler knows.
        let unknown = matches!(verdict, Verdict::Unknown { .. });
        if (matches!(verdict, Verdict::Unresolved | Verdict::Undeclared(_)) && is_bare(spec) || unknown)
            && self.provided_elsewhere(importer, spec)
        {
            return Verdict::External;
        }
        verdict
    }

    /// A bare specifier that resolves to nothing here but that something outside the snapshot
    /// provides: a framework's virtual module (`$app/forms`), a build-time placeholder
    /// (`SERVER`), an ambient `declare module` of a `.d.ts`, a `deno.json` import map, or any import under a tsconfig whose
    /// `extends` chain names a base that is not installed (it may define the alias).
    fn provided_elsewhere(&self, importer: &str, spec: &str) -> bool {
        if specifier::is_virtual_module(spec)
            || specifier::is_placeholder(spec)
            || self.ambient.provides(importer, spec)
            || self.bundler.serves(importer, spec)
        {
            return true;
        }
        let Ok(Some(ts)) = self.strict.find_tsconfig(self.snap.abs(importer)) else {
            return false;
        };
        self.snap
            .rel(ts.path())
            .is_some_and(|rel| self.configs.missing_in_chain(&rel).is_some())
    }

    /// A relative or rooted specifier that no view resolved to a file: build output not built
    /// yet, framework typegen, a root-absolute path, an unmapped `#name`, else unresolved.
    fn relative_not_found(&self, importer: &str, from: &Path, spec: &str) -> Verdict {
        // A package's own folder whose entry points are build output not built yet
        // (`require('..')` in its `bin/`, `main: "./build/index.js"`): the same as a bare
        // import of a workspace package that builds to output.
        if let Some(dir) = self.named_paths(from, spec).and_then(|paths| {
            paths.into_iter().find(|dir| {
                self.packages
                    .manifests
                    .get(dir.as_str())
                    .is_some_and(|m| entry_is_output(&m.json, &self.generated))
            })
        }) {
            return Verdict::Generated(dir);
        }
        // Framework typegen beside the routes (SvelteKit `./$types`, React Router
        // `./+types/route`), written into a generated folder that `rootDirs` overlays.
        if let Some(t) = specifier::typegen_target(importer, spec) {
            return Verdict::Generated(t);
        }
        // A root-absolute path is served from the app's `public/` folder (Vite, Next.js);
        // without one, it names a file outside the repository
        // (`require('/custom-reporter.js')` in a test of a module mapper, a mock's path):
        // nothing to check against.
        if let Some(rest) = spec.strip_prefix('/') {
            return self.root_absolute(importer, rest);
        }
        // A package.json `imports` key or a tsconfig `paths` key that matched points at
        // nothing; a `#name` nothing maps is a bundler's or framework's virtual module.
        if spec.starts_with('#')
            && !self.matches_alias(from, spec)
            && !self.packages.imports_key_matches(importer, spec)
        {
            return Verdict::Unknown { why: None };
        }
        Verdict::Unresolved
    }

    /// A package import that no tsconfig `paths`/`baseUrl` could map to a local file needs no
    /// file-system resolution at all: a built-in module, or only the dependency check.
    fn bare_by_name(&self, importer: &str, from: &Path, spec: &str, type_only: bool) -> Option<Verdict> {
        // `bun` is Bun's own built-in module (`import { $ } from "bun"`), as `bun:sqlite`.
        if nodejs_built_in_modules::is_nodejs_builtin_module(spec)
            || nodejs_built_in_modules::is_nodejs_builtin_module(spec.split('/').next().unwrap_or(""))
                && !spec.starts_with('@')
            || spec == "bun"
        {
            return Some(Verdict::External);
        }
        if let Some(pkg) = package_name(spec)
            && !self.packages.linked(importer, pkg)
            && !self.maybe_local(from, spec)
            && !self.committed_package(importer, pkg)
        {
            return Some(self.package_verdict(importer, pkg, type_only));
        }
        None
    }

    /// A workspace package's source file where its `types` target or default export is not
    /// there yet (before the build).
    fn workspace_source(&self, from: &Path, spec: &str) -> Option<String> {
        // tsconfig `customConditions` (`"@zod/source"`): a workspace package's export under that
        // condition comes first, as TypeScript and the tools given `--conditions` resolve it.
        if package_name(spec).is_some_and(|p| self.packages.workspaces.contains_key(p))
            && let Some(resolver) = self.with_custom_conditions(from)
            && let Ok(res) = resolver.resolve_file(from, spec)
            && let Some(rel) = self.snap.rel(res.path())
            && self.snap.is_file(&rel)
        {
            return Some(rel);
        }
        // TypeScript tries a workspace package's next export condition when the `types` target
        // is not there (a `dist/*.d.ts` before the build): the source the bundler uses.
        if package_name(spec).is_some_and(|p| self.packages.workspaces.contains_key(p))
            && let Ok(res) = self.without_types().resolve_file(from, spec)
            && let Some(rel) = self.snap.rel(res.path())
            && self.snap.is_file(&rel)
        {
            return Some(rel);
        }
        None
    }

    /// The import names a tracked file with another case (it resolves on macOS, not on Linux).
    fn case_mismatch(&self, from: &Path, spec: &str) -> Option<Verdict> {
        if let Some(Ok(written)) = self.try_view(View::NoCase, from, spec)
            && !written.split('/').any(|c| c == "node_modules")
        {
            let real = self
                .snap
                .case_insensitive(&written)
                .into_iter()
                .find(|p| self.snap.is_file(p));
            if let Some(real) = real
                && real != written
            {
                return Some(Verdict::CaseMismatch { written, real });
            }
        }
        None
    }

    /// A relative or rooted specifier that no view resolved to a file: generated code that is
    /// not there yet, an ignored build output, else [`Self::relative_not_found`].
    fn not_found(&self, importer: &str, from: &Path, spec: &str) -> Verdict {
        // Generated code that is not there yet (a fresh clone before codegen): the path says so.
        if let Some(target) = self.generated_target(from, spec) {
            return Verdict::Generated(target);
        }
        if let Some(target) = self.ignored_target(from, spec) {
            return Verdict::Ignored(target);
        }
        self.relative_not_found(importer, from, spec)
    }

    /// The strict view found nothing for `spec`: from now on relative imports of nothing are
    /// answered before any probe ([`absent::Absent::arm`]), and this one skips the other views.
    fn first_miss(&self, importer: &str, from: &Path, spec: &str) -> Option<Verdict> {
        if !self.shortcut || is_bare(spec) {
            return None;
        }
        self.absent
            .arm(&self.snap, self.shared.patched.keys().map(String::as_str));
        self.nothing_there(importer, spec)
            .then(|| self.not_found(importer, from, spec))
    }

    /// Does a `./`/`../` specifier certainly name nothing, so that no view needs probing
    /// ([`absent`])? Not under `rootDirs` (the import may land in another root).
    fn nothing_there(&self, importer: &str, spec: &str) -> bool {
        self.shortcut
            && self.absent.nothing_there(&self.snap, importer, spec)
            && self
                .strict
                .find_tsconfig(self.snap.abs(importer))
                .ok()
                .flatten()
                .is_none_or(|ts| ts.compiler_options.root_dirs.is_none())
    }

    fn resolve_in_snapshot(&self, importer: &str, spec: &str, type_only: bool) -> Verdict {
        let spec = spec.to_string();
        let from = self.snap.abs(importer);
        // A package import that no tsconfig `paths`/`baseUrl` could map to a local file needs no
        // file-system resolution at all: only the dependency check.
        if is_bare(&spec)
            && let Some(verdict) = self.bare_by_name(importer, &from, &spec, type_only)
        {
            return verdict;
        }
        // A relative import of nothing: no view would find a file, only what the path says.
        if self.nothing_there(importer, &spec) {
            return self.not_found(importer, &from, &spec);
        }
        match self.try_view(View::Strict, &from, &spec) {
            Some(Ok(rel)) if self.shared.snap.is_file(&rel) || self.shared.snap.is_dir(&rel) => {
                return Verdict::File(rel);
            }
            Some(Ok(_)) => {} // inside node_modules (installed JSON): a package import
            Some(Err(())) => return Verdict::External,
            None => {
                if let Some(rel) = self.via_root_dirs(&from, &spec) {
                    return Verdict::File(rel);
                }
                if let Some(verdict) = self.first_miss(importer, &from, &spec) {
                    return verdict;
                }
            }
        }
        let bare = is_bare(&spec);
        if bare && let Some(rel) = self.workspace_source(&from, &spec) {
            return Verdict::File(rel);
        }
        if let Some(verdict) = self.case_mismatch(&from, &spec) {
            return verdict;
        }
        if let Some(Ok(rel)) = self.try_view(View::Overlay, &from, &spec)
            && !self.snap.is_file(&rel)
            && !rel.split('/').any(|c| c == "node_modules")
        {
            if self.in_submodule(&rel) {
                return Verdict::External; // a submodule's files are committed in the submodule
            }
            return if self.in_generated_dir(&rel) {
                Verdict::Generated(rel)
            } else {
                Verdict::Untracked(rel)
            };
        }
        if !bare {
            return self.not_found(importer, &from, &spec);
        }
        // Generated code that is not there yet (a fresh clone before codegen): the path says so.
        if let Some(target) = self.generated_target(&from, &spec) {
            return Verdict::Generated(target);
        }
        if let Some(target) = self.ignored_target(&from, &spec) {
            return Verdict::Ignored(target);
        }
        let alias = self.matches_alias(&from, &spec);
        let Some(pkg) = package_name(&spec) else {
            // Not a package name: an alias if a tsconfig `paths` or `baseUrl` mapping matched
            // it (then its target is missing), else only a bundler knows what it is.
            return if alias || self.maybe_local(&from, &spec) {
                Verdict::Unresolved
            } else {
                Verdict::Unknown { why: None }
            };
        };
        if alias && !self.packages.workspaces.contains_key(pkg) {
            // A `paths` alias matched and its target is missing. TypeScript falls back to
            // `node_modules`, but the bundler that shares the alias does not: a declared package
            // of the same name does not excuse it. Only a catch-all `*` key (every bare import
            // is tried there first) or a target inside `node_modules` falls back to packages.
            if self.allow_packages.contains(pkg) {
                return Verdict::External;
            }
            return if self.alias_falls_back(&from, &spec) && self.packages.declared(importer, pkg) {
                Verdict::External
            } else {
                Verdict::Unresolved
            };
        }
        if self.packages.workspaces.contains_key(pkg) {
            return if self.builds_to_output.contains(pkg) {
                Verdict::External
            } else {
                Verdict::Unresolved
            };
        }
        self.package_verdict(importer, pkg, type_only)
    }

    /// A bare import of a (non-workspace) package: declared, or not.
    fn package_verdict(&self, importer: &str, pkg: &str, type_only: bool) -> Verdict {
        if self.allow_packages.contains(pkg)
            || self.packages.declared(importer, pkg)
            || (type_only && self.packages.declared(importer, &types_package(pkg)))
        {
            return Verdict::External;
        }
        Verdict::Undeclared(pkg.to_string())
    }

    /// Could the importer's tsconfig map this bare specifier to a local file: a `paths`
    /// pattern matches it, or `baseUrl` holds a file or folder named like its first segment
    /// (in the snapshot or on disk)?
    fn maybe_local(&self, from: &Path, spec: &str) -> bool {
        let Ok(Some(ts)) = self.strict.find_tsconfig(from) else {
            return false;
        };
        if paths_match(&ts, spec) {
            return true;
        }
        if ts.compiler_options.base_url.is_none() {
            return false;
        }
        // Where `baseUrl` puts the specifier's first segment (oxc resolves `baseUrl` against the
        // tsconfig that sets it, through `extends`).
        let first = spec.split('/').next().unwrap_or(spec);
        let Some(mapped) = ts.resolve_path_alias_or_base_url(first).into_iter().next() else {
            return false;
        };
        let mapped = normalize(&mapped);
        let Some(rel) = self.snap.rel(&mapped) else {
            return false;
        };
        let module_file = |name: &str| {
            SOURCE_EXTENSIONS
                .iter()
                .any(|ext| self.snap.is_file(&format!("{name}{ext}")))
        };
        if self.snap.is_dir(&rel) || self.snap.is_file(&rel) || module_file(&rel) {
            return true;
        }
        mapped
            .parent()
            .is_some_and(|dir| self.disk_stems(dir).contains(first))
    }

    /// Names of what is on disk in `dir` (module files without their extension, so
    /// `next.config.js` is `next.config`, never `next`), read once per folder.
    fn disk_stems(&self, dir: &Path) -> Arc<HashSet<String>> {
        let mut memo = self
            .stems
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        memo.entry(dir.to_path_buf())
            .or_insert_with(|| {
                let stem = |name: &str| match SOURCE_EXTENSIONS.iter().find_map(|ext| name.strip_suffix(ext))
                {
                    Some(stem) => stem.to_string(),
                    None => name.to_string(),
                };
                Arc::new(
                    self.disk_entries(dir)
                        .iter()
                        .map(|(name, _)| stem(name))
                        .collect(),
                )
            })
            .clone()
    }

    /// What is on disk in `dir`: each name and whether it is a plain file. Read once per
    /// folder, for [`Self::disk_stems`] and the sibling-extension retry alike; none for a folder outside
    /// the repository (never through a symlink out of it).
    fn disk_entries(&self, dir: &Path) -> DiskEntries {
        let mut memo = self
            .disk_entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        memo.entry(dir.to_path_buf())
            .or_insert_with(|| {
                let root = self
                    .snap
                    .root
                    .canonicalize()
                    .unwrap_or_else(|_| self.snap.root.clone());
                if !dir.canonicalize().is_ok_and(|real| real.starts_with(&root)) {
                    return Arc::new(Vec::new());
                }
                let names = std::fs::read_dir(dir).into_iter().flatten().flatten();
                Arc::new(
                    names
                        .filter_map(|e| {
                            let file = e.file_type().is_ok_and(|t| t.is_file());
                            Some((e.file_name().into_string().ok()?, file))
                        })
                        .collect(),
                )
            })
            .clone()
    }

    /// `Some(Ok(rel))` resolved inside the root; `Some(Err(()))` a builtin or ignored module;
    /// `None` not found (or outside the root).
    fn try_view(&self, view: View, from: &Path, spec: &str) -> Option<Result<String, ()>> {
        match self.view(view).resolve_file(from, spec) {
            Ok(res) => self.snap.rel(res.path()).map(Ok),
            Err(ResolveError::Builtin { .. } | ResolveError::Ignored(_)) => Some(Err(())),
            Err(_) => {
                self.missed(spec);
                None
            }
        }
    }

    /// A resolution of a path found nothing: count it, and drop the path caches every
    /// [`MISSES_BEFORE_CLEAR`] (their memory grows with every path probed, without bound in
    /// one file of 200,000 imports of nothing). The caches only repeat the snapshot's answers:
    /// dropping them changes no verdict.
    fn missed(&self, spec: &str) {
        // Only paths count: each names its own candidates, where a package import that finds
        // nothing probes the same `node_modules` folders as the next (a workspace package that
        // builds to output misses on every import of it, tens of thousands in a monorepo).
        if is_bare(spec) {
            return;
        }
        let n = self.misses.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if n % self.clear_every == self.clear_every - 1 {
            self.clear_caches();
        }
    }

    /// TypeScript `rootDirs`: a relative import may land in any of the virtual roots.
    fn via_root_dirs(&self, from: &Path, spec: &str) -> Option<String> {
        if !spec.starts_with('.') {
            return None;
        }
        let ts = self.strict.find_tsconfig(from).ok()??;
        let roots: Vec<PathBuf> = ts.compiler_options.root_dirs.clone()?;
        let dir = from.parent()?;
        let (base, sub) = roots.iter().find_map(|r| Some((r, dir.strip_prefix(r).ok()?)))?;
        for other in roots.iter().filter(|r| *r != base) {
            // Resolve as if the importer lived in the other root.
            let from_other = other.join(sub).join("index.ts");
            if let Some(Ok(rel)) = self.try_view(View::Strict, &from_other, spec)
                && self.snap.is_file(&rel)
            {
                return Some(rel);
            }
        }
        None
    }

    /// Does a bare-looking specifier match a tsconfig `paths` pattern of the importing file?
    fn matches_alias(&self, from: &Path, spec: &str) -> bool {
        matches!(self.strict.find_tsconfig(from), Ok(Some(ts)) if paths_match(&ts, spec))
    }

    /// May a `paths` alias that matched `spec` and found no file fall back to an installed
    /// package: the key is the catch-all `*`, or a target lies inside `node_modules`?
    fn alias_falls_back(&self, from: &Path, spec: &str) -> bool {
        let Ok(Some(ts)) = self.strict.find_tsconfig(from) else {
            return true;
        };
        let Some(paths) = ts.compiler_options.paths.as_ref() else {
            return true;
        };
        paths.iter().any(|(key, targets)| {
            alias_matches(key, spec)
                && (key == "*"
                    || targets
                        .iter()
                        .any(|t| t.components().any(|c| c.as_os_str() == "node_modules")))
        })
    }

    /// `/x` written in `importer`: Vite and Next.js serve the app's `public/` folder at `/`
    /// (Vite also the app's own folder). Checked only where the app (the folder of the nearest
    /// package.json) has a `public/` folder; elsewhere the server is unknown.
    fn root_absolute(&self, importer: &str, rest: &str) -> Verdict {
        let app = self.packages.nearest_manifest(importer).unwrap_or("");
        let within = |p: &str| {
            if app.is_empty() {
                p.to_string()
            } else {
                format!("{app}/{p}")
            }
        };
        let public = within("public");
        let rest = rest.trim_end_matches('/');
        // The snapshot's `public/` only: a verdict that a folder on disk decides could not be
        // remembered as clean.
        if rest.is_empty() || !self.snap.is_dir(&public) {
            return Verdict::External;
        }
        let mut candidates = Vec::new();
        for base in [format!("{public}/{rest}"), within(rest)] {
            let Some(base) = self.snap.rel(&normalize(&self.snap.abs(&base))) else {
                continue;
            };
            candidates.push(base.clone());
            // A module (`/src/main`) is probed as Vite probes it; an asset must exist exactly.
            candidates.extend(SOURCE_EXTENSIONS.iter().map(|e| format!("{base}{e}")));
            candidates.extend(SOURCE_EXTENSIONS.iter().map(|e| format!("{base}/index{e}")));
        }
        self.css_verdict(&candidates).unwrap_or(Verdict::Unresolved)
    }

    /// Drop `oxc_resolver`'s path caches (memory), keeping this resolver's own memo.
    pub fn clear_caches(&self) {
        self.strict.clear_cache();
        for r in [&self.nocase, &self.overlay, &self.esm, &self.cjs, &self.no_types] {
            if let Some(r) = r.get() {
                r.clear_cache();
            }
        }
        for r in self.other_ext.get().into_iter().flatten() {
            r.clear_cache();
        }
        for r in self
            .by_conditions
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .values()
        {
            r.clear_cache();
        }
    }

    pub fn snapshot(&self) -> &Snapshot {
        &self.snap
    }
}

/// The relative specifier from `importer` to the repo-relative `target` (`./x`, `../y/z`), with
/// a trailing `/` when the written specifier had one.
fn relative_to(importer: &str, target: &str, trailing: bool) -> String {
    let dir: Vec<&str> = importer.split('/').collect();
    let dir = &dir[..dir.len().saturating_sub(1)];
    let to: Vec<&str> = target.split('/').filter(|p| !p.is_empty()).collect();
    let common = dir.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut rel = if common == dir.len() {
        "./".to_string()
    } else {
        String::new()
    };
    for _ in common..dir.len() {
        rel.push_str("../");
    }
    rel.push_str(&to[common..].join("/"));
    let rel = if trailing && !rel.ends_with('/') {
        format!("{rel}/")
    } else if rel.len() > 2 {
        rel.trim_end_matches('/').to_string()
    } else {
        rel
    };
    if rel.is_empty() || rel == "." {
        "./".to_string()
    } else {
        rel
    }
}

/// Does a `paths` pattern of this tsconfig match the specifier?
fn paths_match(ts: &oxc_resolver::TsConfig, spec: &str) -> bool {
    ts.compiler_options
        .paths
        .as_ref()
        .is_some_and(|p| p.keys().any(|k| alias_matches(k, spec)))
}

/// A file's module format under node16/nodenext.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NodeMode {
    Esm,
    Cjs,
}

fn is_node_mode(m: &str) -> bool {
    matches!(
        m.to_ascii_lowercase().as_str(),
        "node16" | "node18" | "node20" | "nodenext"
    )
}

fn clone_shared(s: &Shared) -> Shared {
    let mut c = Shared::new(
        s.snap.clone(),
        s.workspace_links.clone(),
        s.hidden.clone(),
        s.patched.clone(),
    );
    c.nested_links.clone_from(&s.nested_links);
    c
}

enum TsconfigProblem {
    MissingPackage(String),
    Broken(String),
}

fn classify_tsconfig_error(e: &ResolveError) -> TsconfigProblem {
    match e {
        ResolveError::TsconfigCircularExtend(chain) => {
            TsconfigProblem::Broken(format!("its `extends` chain loops ({chain})"))
        }
        ResolveError::NotFound(s) if is_bare(s) => TsconfigProblem::MissingPackage(s.clone()),
        ResolveError::TsconfigNotFound(p) => {
            let s = p.display().to_string();
            match s.split_once("node_modules/") {
                Some((_, pkg)) => TsconfigProblem::MissingPackage(pkg.to_string()),
                None if !p.is_absolute() && is_bare(&s) => TsconfigProblem::MissingPackage(s),
                None => TsconfigProblem::Broken(format!("its `extends` names `{s}`, which does not exist")),
            }
        }
        ResolveError::TsconfigLoadFailed { source, .. } => classify_tsconfig_error(source),
        other => {
            let msg = other.to_string();
            if let Some(pkg) = msg.split('"').nth(1).filter(|s| is_bare(s)) {
                TsconfigProblem::MissingPackage(pkg.to_string())
            } else {
                TsconfigProblem::Broken(msg)
            }
        }
    }
}

/// Every string in a package.json `exports` value (conditions, arrays).
fn collect_strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Object(o) => o.values().for_each(|v| collect_strings(v, out)),
        Value::Array(a) => a.iter().for_each(|v| collect_strings(v, out)),
        _ => {}
    }
}

/// Do a package.json's entry points (`exports`, `main`, `module`, `types`, `typings`) name a
/// generated folder (`./build/index.js`, `./dist/*`)?
fn entry_is_output(manifest: &Value, generated: &[String]) -> bool {
    ["exports", "main", "module", "types", "typings"]
        .iter()
        .any(|k| manifest.get(k).is_some_and(|v| mentions_dir(v, generated)))
}

/// Does a package.json's entry point (`exports`, `main`, `module`, `types`, `typings`) name a
/// path under the package's folder `dir` that the snapshot lacks and git ignores
/// (`./dist-js/index.js` beside a `.gitignore` line `dist-js/`): build output of a folder name
/// hookctl does not list?
fn entry_is_ignored(dir: &str, manifest: &Value, ignored: &dyn Fn(&str) -> bool) -> bool {
    let mut entries = Vec::new();
    for k in ["exports", "main", "module", "types", "typings"] {
        if let Some(v) = manifest.get(k) {
            collect_strings(v, &mut entries);
        }
    }
    entries.iter().any(|e| {
        let rel = e.split('*').next().unwrap_or_default().trim_start_matches("./");
        if rel.is_empty() || rel.starts_with('/') || rel.contains(':') || rel.split('/').any(|c| c == "..") {
            return false;
        }
        let path = if dir.is_empty() {
            rel.to_string()
        } else {
            format!("{dir}/{rel}")
        };
        ignored(path.trim_end_matches('/'))
    })
}

fn mentions_dir(v: &Value, dirs: &[String]) -> bool {
    match v {
        Value::String(s) => s.split('/').any(|c| dirs.iter().any(|d| d == c)),
        Value::Object(o) => o.values().any(|v| mentions_dir(v, dirs)),
        Value::Array(a) => a.iter().any(|v| mentions_dir(v, dirs)),
        _ => false,
    }
}

#[cfg(test)]
mod tests;
