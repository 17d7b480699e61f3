//! What the env rules read from one snapshot: the declaration files (and turbo.json), the env
//! files committed in it, the untracked local env files on disk, the code's env reads, and
//! which workspace packages use which (a library's reads are declared by its apps).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde_json::Value;

use super::dev_files::DevGlobs;
use crate::config::Config;
use crate::env::consumers::{Workspace, WorkspacePackage};
use crate::env::{self, Declarations, EnvFileKind};
use crate::resolve::packages::Packages;
use crate::scan::Facts;
use crate::snapshot::Snapshot;

/// Which files' reads an engine pass judges (see [`EnvContext::reading_only`]).
pub type Reading<'a> = &'a (dyn Fn(&str) -> bool + Sync);

pub struct EnvContext<'a> {
    pub config: &'a Config,
    pub declarations: Declarations,
    /// Env files in the snapshot that are not declaration files: (path, kind, parsed entries).
    pub env_files: Vec<(String, EnvFileKind, Vec<env::Entry>)>,
    /// Declaration files' entries, for values that look secret: (path, entries).
    pub declaration_entries: Vec<(String, Vec<env::Entry>)>,
    /// Names set in untracked local env files on disk -> the file (read on first use).
    local_names: OnceLock<BTreeMap<String, String>>,
    /// The workspace packages and who uses whom (read on first use: only a read that its own
    /// folder's declarations miss needs it).
    workspace: OnceLock<Workspace>,
    snap: &'a Snapshot,
    /// The analysed source files and their facts (every one: `env/unused` and
    /// `env/required-by-package` look at reads anywhere).
    pub files: &'a [(String, Facts)],
    /// Whose reads are judged ([`EnvContext::reading_files`]); `None`: every file's.
    reading: Option<Reading<'a>>,
    /// Env names bundler configs define (`next.config` `env`, Vite `define`) and providers'.
    bundler: Option<&'a crate::bundler::Bundler>,
    /// The snapshot's packages as the resolver loaded them; loaded here when not given.
    packages: Option<&'a Packages>,
    /// `[deps] dev_globs`, for test and script files.
    dev: DevGlobs<'a>,
    /// Which paths asked [`EnvContext::is_dev_file`] are test or script files.
    dev_files: std::sync::Mutex<std::collections::HashMap<String, bool>>,
    /// Files only the package.json scripts no deploy runs run (read on first use).
    script_files: OnceLock<std::collections::HashSet<String>>,
    /// Whether some declaration file declares for tests only (asked on first use).
    test_declarations: OnceLock<bool>,
    /// [`EnvContext::reading_files`], listed on first use: six rules walk them, and most
    /// files read no variable.
    /// (Indices into `files`.)
    readers: OnceLock<Vec<usize>>,
}

impl<'a> EnvContext<'a> {
    /// `packages`: the snapshot's packages as the resolver loaded them (their package.json
    /// bytes are not read again); loaded here when needed if not given.
    pub fn new(
        config: &'a Config,
        snap: &'a Snapshot,
        files: &'a [(String, Facts)],
        packages: Option<&'a Packages>,
    ) -> EnvContext<'a> {
        let env_paths: Vec<&str> = snap
            .special_paths()
            .iter()
            .map(String::as_str)
            .filter(|p| {
                (env::env_file_kind(p).is_some()
                    || is_workspace_turbo_config(snap, p)
                    || env::manifests::manifest_kind(p).is_some())
                    && !p.split('/').any(|c| c == "node_modules")
                    // A symlink's blob is its target's path, not dotenv text (secrets/env-file
                    // follows committed links itself).
                    && snap.get(p).is_some_and(|e| e.kind != crate::snapshot::EntryKind::Symlink)
            })
            .collect();
        let contents = read_reusing(snap, packages, &env_paths);
        let mut decl_inputs = Vec::new();
        let mut env_files = Vec::new();
        let mut declaration_entries = Vec::new();
        for (path, bytes) in env_paths.iter().zip(contents) {
            let Some(bytes) = bytes else { continue };
            let Some(kind) = env::env_file_kind(path) else {
                // A turbo.json or a deploy manifest: it only declares.
                decl_inputs.push((path.to_string(), bytes));
                continue;
            };
            let entries = env::dotenv::parse(&bytes).map(|p| p.entries).unwrap_or_default();
            if kind == EnvFileKind::Declaration {
                declaration_entries.push((path.to_string(), entries));
                decl_inputs.push((path.to_string(), bytes));
            } else {
                // Committed `.env`/`.env.production` also declare (Declarations decides, by
                // config), and stay env files for the secret and public-secret checks.
                if env::is_framework_loaded_env_file(path) {
                    decl_inputs.push((path.to_string(), bytes.clone()));
                }
                env_files.push((path.to_string(), kind, entries));
            }
        }
        let declarations = Declarations::new(
            decl_inputs.iter().map(|(p, b)| (p.as_str(), b.as_ref())),
            &config.env,
        );
        EnvContext {
            config,
            declarations,
            env_files,
            declaration_entries,
            local_names: OnceLock::new(),
            workspace: OnceLock::new(),
            snap,
            files,
            reading: None,
            bundler: None,
            packages,
            dev: DevGlobs::new(config),
            dev_files: Default::default(),
            script_files: OnceLock::new(),
            test_declarations: OnceLock::new(),
            readers: OnceLock::new(),
        }
    }

    /// Judge only the reads of the files `reading` accepts (an engine pass of one package's
    /// files): a read's finding is about its own file and depends on no other file's reads.
    pub fn reading_only(mut self, reading: Reading<'a>) -> Self {
        self.reading = Some(reading);
        self
    }

    /// The files whose reads the per-read rules judge (`env/undeclared`, `env/local-only`,
    /// `env/dynamic`, `env/public-secret`, `env/client-read`, `env/turbo-filtered`): those
    /// with a read (the rules look at nothing else of a file).
    pub fn reading_files(&self) -> impl Iterator<Item = &'a (String, Facts)> + use<'a, '_> {
        let files = self.files;
        self.readers
            .get_or_init(|| {
                files
                    .iter()
                    .enumerate()
                    .filter(|(_, (p, f))| !f.env_reads.is_empty() && self.reading.is_none_or(|keep| keep(p)))
                    .map(|(i, _)| i)
                    .collect()
            })
            .iter()
            .map(move |&i| &files[i])
    }

    /// Env names that the repository's bundler configs define count as declared.
    pub fn with_bundler(mut self, bundler: &'a crate::bundler::Bundler) -> Self {
        self.bundler = Some(bundler);
        self
    }

    /// Does a bundler config or a declared plugin define `name` for code at `path` (Next.js
    /// inlines `next.config` `env`, Vite replaces `define`d names, at build time)?
    pub fn bundler_defines(&self, path: &str, name: &str) -> bool {
        self.bundler
            .is_some_and(|b| b.env_defined_by(path, name).is_some())
    }

    /// Vite `envPrefix` for code at `path`: `None` not set, `Some(Err(()))` not evaluable.
    pub fn vite_env_prefixes(&self, path: &'a str) -> Option<Result<&'a [String], ()>> {
        self.bundler?.env_prefixes(path)
    }

    /// Is the file at `path` a test, script or fixture (`[deps] dev_globs`, not a build tool's
    /// config): code no deploy runs.
    pub fn is_dev_file(&self, path: &str) -> bool {
        let mut memo = self
            .dev_files
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *memo.entry(path.to_string()).or_insert_with(|| {
            self.dev.is_env_dev_file(self.snap, path) || self.script_files().contains(path)
        })
    }

    /// Whether a declaration file applies to test readers only (`.env.test`).
    fn test_declarations(&self) -> bool {
        *self
            .test_declarations
            .get_or_init(|| self.declarations.files().any(|f| f.test_only))
    }

    /// Files that package.json scripts no deploy runs run by path.
    fn script_files(&self) -> &std::collections::HashSet<String> {
        self.script_files.get_or_init(|| {
            // Manifests are special paths (`snapshot::is_special`).
            let paths: Vec<&str> = self
                .snap
                .special_paths()
                .iter()
                .map(String::as_str)
                .filter(|p| {
                    (*p == "package.json" || p.ends_with("/package.json"))
                        && !p.split('/').any(|c| c == "node_modules")
                })
                .collect();
            let manifests: Vec<(String, Vec<u8>)> = paths
                .iter()
                .zip(read_reusing(self.snap, self.packages, &paths))
                .filter_map(|(p, b)| {
                    let dir = p.strip_suffix("package.json")?.trim_end_matches('/');
                    Some((dir.to_string(), b?.into_owned()))
                })
                .collect();
            let workflow_paths: Vec<&str> = self
                .snap
                .prefixed(".github/workflows/")
                .map(|(p, _)| p)
                .filter(|p| {
                    p.starts_with(".github/workflows/") && (p.ends_with(".yml") || p.ends_with(".yaml"))
                })
                .collect();
            let workflows: Vec<Vec<u8>> = self
                .snap
                .read_many(&workflow_paths)
                .into_iter()
                .filter_map(Result::ok)
                .collect();
            super::dev_files::files_run_only_by_dev_scripts(&manifests, &workflows)
        })
    }

    /// The snapshot, for rules that read env files themselves (`secrets/env-file` reads their
    /// raw bytes and follows symlinks).
    pub fn snapshot(&self) -> &'a Snapshot {
        self.snap
    }

    /// Names set in untracked local env files on disk -> the file (repo-relative).
    pub fn local_names(&self) -> &BTreeMap<String, String> {
        self.local_names.get_or_init(|| local_env_names(self.snap))
    }

    /// Whether `name`, read by the file at `path`, is declared: by its own declarations
    /// (nearest files, root, turbo.json, config, built-ins) or, for a file in a workspace
    /// package, by those of any workspace package that uses it, directly or transitively.
    pub fn is_declared(&self, path: &str, name: &str) -> bool {
        // Whether the reader is a test file matters only when a declaration file is for tests
        // (`.env.test`): glob matching every reading file costs more than the lookups.
        let test_reader = self.test_declarations() && self.is_dev_file(path);
        if self.declarations.is_declared_for(path, name, test_reader) || self.bundler_defines(path, name) {
            return true;
        }
        let ws = self.workspace();
        let Some(pkg) = ws.package_of(path) else {
            return false;
        };
        ws.consumers(pkg).into_iter().any(|c| {
            // A path inside the consumer's folder: its declarations walk up from there.
            let inside = format!("{}/package.json", ws.get(c).dir);
            self.declarations.is_declared(&inside, name)
        })
    }

    /// For a file in a workspace package that other workspace packages use: the package's
    /// name and the declaration files of the apps that use it (the consumers nothing else
    /// uses), where its env vars belong. `None` for other files.
    pub fn used_by(&self, path: &str) -> Option<UsedBy> {
        let ws = self.workspace();
        let pkg = ws.package_of(path)?;
        let files: Vec<String> = ws
            .top_consumers(pkg)
            .into_iter()
            .map(|c| self.example_in(&ws.get(c).dir))
            .collect();
        (!files.is_empty()).then(|| UsedBy {
            package: ws.get(pkg).name.clone(),
            files,
        })
    }

    /// The `.env.example`-like file of a folder, existing or to create.
    fn example_in(&self, dir: &str) -> String {
        self.declarations
            .files()
            .find(|f| {
                env::is_declaration_file(&f.path) && f.path.rsplit_once('/').map_or("", |(d, _)| d) == dir
            })
            .map_or_else(
                || {
                    if dir.is_empty() {
                        ".env.example".to_string()
                    } else {
                        format!("{dir}/.env.example")
                    }
                },
                |f| f.path.clone(),
            )
    }

    /// The package.json of folder `dir` as the resolver parsed it from this snapshot, when the
    /// context was given the resolver's packages.
    pub fn manifest_json(&self, dir: &str) -> Option<&'a serde_json::Value> {
        self.packages?.manifests.get(dir).map(|m| &m.json)
    }

    /// The workspace package holding `path` (an index for [`EnvContext::running_packages_of`]).
    pub fn package_index(&self, path: &str) -> Option<usize> {
        self.workspace().package_of(path)
    }

    /// The workspace packages whose tasks run the code of package `own` (its index,
    /// [`EnvContext::package_index`]): `own`, then every package that depends on it, directly
    /// or transitively (a library runs in its apps' builds). Empty outside workspace packages.
    pub fn running_packages_of(&self, own: Option<usize>) -> Vec<&WorkspacePackage> {
        let ws = self.workspace();
        let Some(own) = own else {
            return Vec::new();
        };
        std::iter::once(own)
            .chain(ws.consumers(own))
            .map(|i| ws.get(i))
            .collect()
    }

    /// The root as turbo's single package, when the repository declares no workspaces and its
    /// root has a `package.json`: a root-only turbo repository runs the root's scripts as its
    /// tasks (turbo's single-package mode).
    pub fn root_only_package(&self) -> Option<WorkspacePackage> {
        if self.workspace().has_packages() {
            return None;
        }
        let json = self
            .snap
            .read("package.json")
            .ok()
            .and_then(|b| crate::manifest::parse_jsonc("package.json", &b).ok())?;
        let deps = deps_of(&json);
        Some(WorkspacePackage {
            dir: String::new(),
            name: json
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("//")
                .to_string(),
            version: json.get("version").and_then(Value::as_str).map(str::to_string),
            deps,
        })
    }

    fn workspace(&self) -> &Workspace {
        self.workspace.get_or_init(|| {
            // package.json errors are the resolver's to report; here they just leave a
            // package out.
            if let Some(packages) = self.packages {
                return workspace_of(packages);
            }
            let packages = Packages::load(self.snap, &mut Vec::new());
            workspace_of(&packages)
        })
    }
}

/// Where a workspace library's env vars are declared: the apps that use it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsedBy {
    /// The library's package name (`@acme/email`).
    pub package: String,
    /// The apps' declaration files (`apps/web/.env.example`), existing or to create.
    pub files: Vec<String>,
}

impl UsedBy {
    /// "`apps/web/.env.example` (an app that uses `@acme/email`)", for messages.
    pub fn describe(&self) -> String {
        let files = self
            .files
            .iter()
            .map(|f| format!("`{f}`"))
            .collect::<Vec<_>>()
            .join(" or ");
        let who = if self.files.len() == 1 {
            "an app that uses"
        } else {
            "apps that use"
        };
        format!("{files} ({who} `{}`)", self.package)
    }
}

/// A turbo.json that configures env: the root's, or one in a package folder (turbo reads
/// per-package configs only from workspace packages).
/// The bytes of `paths` in `snap` (`None`: unreadable), a package.json that `packages` holds
/// for the same blob taken from there instead of read again.
fn read_reusing<'b>(
    snap: &Snapshot,
    packages: Option<&'b Packages>,
    paths: &[&str],
) -> Vec<Option<std::borrow::Cow<'b, [u8]>>> {
    let known = |p: &str| {
        let oid = snap.get(p)?.oid;
        packages?.manifest_bytes(p, &oid)
    };
    let to_read: Vec<&str> = paths.iter().copied().filter(|p| known(p).is_none()).collect();
    let mut read = snap.read_many(&to_read).into_iter();
    paths
        .iter()
        .map(|p| match known(p) {
            Some(bytes) => Some(std::borrow::Cow::Borrowed(bytes)),
            // In order: `to_read` is `paths` without the known ones.
            None => read.next()?.ok().map(std::borrow::Cow::Owned),
        })
        .collect()
}

fn is_workspace_turbo_config(snap: &Snapshot, path: &str) -> bool {
    match path.strip_suffix("/turbo.json") {
        Some(dir) => snap.get(&format!("{dir}/package.json")).is_some(),
        None => path == "turbo.json",
    }
}

/// The workspace graph of the snapshot's workspace packages.
/// (dependency name, version spec) of a manifest's dependency fields.
fn deps_of(json: &Value) -> Vec<(String, String)> {
    const DEP_FIELDS: &[&str] = &[
        "dependencies",
        "devDependencies",
        "peerDependencies",
        "optionalDependencies",
    ];
    DEP_FIELDS
        .iter()
        .filter_map(|f| json.get(f).and_then(Value::as_object))
        .flatten()
        .filter_map(|(dep, spec)| Some((dep.clone(), spec.as_str()?.to_string())))
        .collect()
}

fn workspace_of(packages: &Packages) -> Workspace {
    let pkgs = packages
        .workspaces
        .iter()
        .filter_map(|(name, dir)| {
            let json = &packages.manifests.get(dir)?.json;
            let deps = deps_of(json);
            Some(WorkspacePackage {
                dir: dir.clone(),
                name: name.clone(),
                version: json.get("version").and_then(Value::as_str).map(str::to_string),
                deps,
            })
        })
        .collect();
    Workspace::new(pkgs)
}

/// Names set in `.env*.local` (and `.env`) files on disk that the snapshot does not contain, in
/// the root and in every package folder: the values that exist on this machine only.
fn local_env_names(snap: &Snapshot) -> BTreeMap<String, String> {
    let mut dirs: Vec<String> = vec![String::new()];
    dirs.extend(
        snap.special_paths()
            .iter()
            .filter_map(|p| p.strip_suffix("/package.json"))
            .filter(|d| !d.split('/').any(|c| c == "node_modules"))
            .map(str::to_string),
    );
    let mut out = BTreeMap::new();
    for dir in dirs {
        let Ok(read) = std::fs::read_dir(snap.abs(&dir)) else {
            continue;
        };
        let mut names: Vec<String> = read
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| {
                matches!(
                    env::env_file_kind(n),
                    Some(EnvFileKind::Local | EnvFileKind::Other)
                )
            })
            .collect();
        names.sort();
        for name in names {
            let rel = if dir.is_empty() {
                name.clone()
            } else {
                format!("{dir}/{name}")
            };
            if snap.get(&rel).is_some() {
                continue;
            }
            let Ok(bytes) = std::fs::read(snap.abs(&rel)) else {
                continue;
            };
            if bytes.len() > 1 << 20 {
                continue;
            }
            for e in env::dotenv::parse(&bytes).map(|p| p.entries).unwrap_or_default() {
                out.entry(e.name).or_insert_with(|| rel.clone());
            }
        }
    }
    out
}
