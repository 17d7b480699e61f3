//! Which env names are declared, and for which files. A name read by a file at path P is
//! declared when the nearest declaration file (`.env.example`, `.env.sample`, `.env.template`,
//! and committed env files frameworks load: `.env`, `.env.development`, `.env.production`,
//! `.env.test`) walking up from P's folder lists it, or the root's does, or the root
//! `turbo.json` or one in a folder above P lists it ([`super::turbo`]), or `[env] allow` /
//! `[env.vars]` name it, or it is a built-in of a runtime, framework or platform
//! (`data/env-builtins.txt`). Reads in a workspace library declared by the apps using it are
//! the caller's business (`rules::env_context`), as they need the package graph.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use super::turbo::TurboEnv;
use super::{data, dotenv, manifests};
use crate::codes;
use crate::config::EnvConfig;
use crate::diagnostic::Finding;

/// Last words of env declaration file names (`.env.example`, `.env.local.example`, and with
/// `-` or `_` before the word: `.env-example`, `.env-template`, `.env_sample`, as midday names
/// them; `.env.dist` is Symfony's and docker setups' template).
const DECLARATION_WORDS: &[&str] = &["example", "sample", "template", "dist"];

/// Does a file name end in a declaration word after `.`, `-` or `_`?
fn has_declaration_suffix(file: &str) -> bool {
    DECLARATION_WORDS.iter().any(|w| {
        file.strip_suffix(w)
            .is_some_and(|rest| rest.ends_with(['.', '-', '_']) && rest.len() > 1)
    })
}

/// Whether a repo-relative path is an env declaration file: `.env.example` and friends
/// (`.env.local.example`, `.env-template`, `.env_sample`, `.env.dist`), and the names without a
/// leading dot that Dockerfiles copy to `.env` (`env.example`, `env-example-relational`,
/// `example.env`, `docker.env.example`).
pub fn is_declaration_file(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or(path);
    if file.starts_with(".env") {
        return has_declaration_suffix(file);
    }
    let words: Vec<&str> = file.split(['.', '-', '_']).filter(|w| !w.is_empty()).collect();
    let Some(first_env) = words.iter().position(|w| *w == "env") else {
        return false;
    };
    // A declaration word next to `env` (`env-example-x`, `x.env.example`, `example.env`), and
    // no code or document extension (`env.example.ts` is code).
    let near = |i: usize| words.get(i).is_some_and(|w| DECLARATION_WORDS.contains(w));
    let last = words.last().copied().unwrap_or_default();
    (near(first_env + 1) || first_env.checked_sub(1).is_some_and(near)) && !NOT_ENV_EXTENSIONS.contains(&last)
}

/// Last words that make a file code or documentation, not an env file.
#[rustfmt::skip]
const NOT_ENV_EXTENSIONS: &[&str] = &[
    "ts", "tsx", "js", "jsx", "mjs", "cjs", "mts", "cts", "json", "md", "mdx", "yml", "yaml",
    "toml", "py", "rb", "go", "rs", "sh", "php", "java", "kt", "swift", "html", "vue", "svelte",
    "astro", "css", "scss", "sass", "less",
];

/// Declaration and env files for tests only (`.env.test`, `.env.test.example`, `.env.testing`):
/// they declare names for test and script files, not for code a deploy runs.
pub fn is_test_env_file(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or(path);
    file.starts_with(".env") && file.split('.').any(|w| w == "test" || w == "testing")
}

/// Env files Next.js, Vite and Remix load in every checkout (and `RedwoodJS`'s `.env.defaults`,
/// loaded under `.env` everywhere, `dotenv-defaults`' convention): committed, their names (and
/// values) ship with the repository, so they declare those names. `.env.local` and
/// `.env.*.local` are one machine's and never declare.
const FRAMEWORK_LOADED: &[&str] = &[
    ".env",
    ".env.development",
    ".env.production",
    ".env.test",
    ".env.defaults",
];

/// Whether a repo-relative path is an env file frameworks load (see [`FRAMEWORK_LOADED`]).
pub fn is_framework_loaded_env_file(path: &str) -> bool {
    FRAMEWORK_LOADED.contains(&path.rsplit('/').next().unwrap_or(path))
}

/// Whether a repo-relative path is a Turborepo config.
pub fn is_turbo_config(path: &str) -> bool {
    path.rsplit('/').next() == Some("turbo.json")
}

/// What kind of env file a path is, if it is one at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvFileKind {
    /// `.env.example`, `.env.sample`, `.env.template`: names only, values are examples.
    Declaration,
    /// `.env.local`, `.env.development.local`, ...: one machine's values, never to be committed.
    Local,
    /// `.env`, `.env.production`, ...: real values, possibly committed on purpose.
    Other,
}

/// Environment names in `env.<name>` files (`env.production`): a closed list, because
/// `env.ts`, `env.mjs` or `env.d.ts` are code.
#[rustfmt::skip]
const ENV_WORDS: &[&str] = &[
    "production", "prod", "development", "dev", "staging", "stage", "test", "testing", "local",
    "preview", "ci", "qa", "uat", "live", "sandbox", "example", "sample", "template",
];

/// Classify a repo-relative path: `Some` for files that hold env assignments: `.env`,
/// `.env.*` and any other `.env...` (`.envrc` of direnv, `.env~` backups), `.flaskenv`,
/// `*.env` (`production.env`), `env.<environment>` (`env.production`).
pub fn env_file_kind(path: &str) -> Option<EnvFileKind> {
    let file = path.rsplit('/').next().unwrap_or(path);
    // Every kind below has `env` in its name (asked of every special path of the snapshot).
    if !file.as_bytes().windows(3).any(|w| w == b"env") {
        return None;
    }
    let env_words = || {
        file.strip_prefix("env.")
            .is_some_and(|rest| rest.split('.').all(|w| ENV_WORDS.contains(&w)))
    };
    let example = has_declaration_suffix(file);
    let env_file = file.starts_with(".env")
        || file == ".flaskenv"
        || file.ends_with(".env")
        || env_words()
        || is_declaration_file(path);
    if !env_file {
        return None;
    }
    Some(if is_declaration_file(path) || example {
        EnvFileKind::Declaration
    } else if file.ends_with(".local") {
        EnvFileKind::Local
    } else {
        EnvFileKind::Other
    })
}

/// Where a name's declaration comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Declared<'a> {
    /// A declaration file (or turbo.json), at this 1-based line.
    File { path: &'a str, line: u32 },
    /// `[env] allow` or `[env.vars.NAME]` in `hookctl.toml`.
    Config,
    /// A runtime, framework or platform built-in.
    Builtin,
}

/// One declaration file's names.
#[derive(Debug, Clone)]
pub struct DeclarationFile {
    pub path: String,
    /// Name -> 1-based line of its (first) declaration.
    pub names: BTreeMap<String, u32>,
    /// Declares for test and script files only ([`is_test_env_file`]).
    pub test_only: bool,
}

/// The declarations of a snapshot, built once and queried per env read.
#[derive(Debug, Clone, Default)]
pub struct Declarations {
    /// Folder (`""` for the root) -> the declaration files in it, sorted by path.
    dirs: BTreeMap<String, Vec<DeclarationFile>>,
    /// Folder of a turbo.json (`""` for the root) -> what it declares, for that folder and below.
    turbo: BTreeMap<String, (String, TurboEnv)>,
    /// Folder of a deploy manifest (Dockerfile, compose file, app.json, package.json scripts)
    /// -> the names each sets, for that folder and below.
    manifests: BTreeMap<String, Vec<DeclarationFile>>,
    config: HashSet<String>,
    errors: Vec<Finding>,
}

fn parent(dir: &str) -> Option<&str> {
    if dir.is_empty() {
        None
    } else {
        Some(dir.rsplit_once('/').map_or("", |(p, _)| p))
    }
}

fn normalize(path: &str) -> &str {
    let mut p = path;
    while let Some(rest) = p.strip_prefix("./") {
        p = rest;
    }
    p.trim_start_matches('/')
}

impl Declarations {
    /// Parse the declaration files of a snapshot, given as (repo-relative path, contents):
    /// `.env.example`-like files, committed framework-loaded env files (unless
    /// `[env] committed_env_files_declare = false`) and `turbo.json` files (unless
    /// `[env] turbo_declares = false`; the caller passes only the root's and workspace
    /// folders'). Other files are ignored; unparsable lines or files become `files/unreadable`
    /// findings (see [`Declarations::errors`]) and the rest is still read.
    #[expect(
        clippy::too_many_lines,
        reason = "one match over the declaration file kinds; 6 lines over"
    )]
    pub fn new<'a>(files: impl IntoIterator<Item = (&'a str, &'a [u8])>, env: &EnvConfig) -> Self {
        let mut d = Declarations {
            config: env.allow.iter().chain(env.vars.keys()).cloned().collect(),
            ..Declarations::default()
        };
        // (folder of a platform config, the Dockerfile it builds from).
        let mut built_from: Vec<(String, String)> = Vec::new();
        for (path, bytes) in files {
            let path = normalize(path);
            let dir = path.rsplit_once('/').map_or("", |(dir, _)| dir).to_string();
            if is_turbo_config(path) {
                if env.turbo_declares() {
                    match TurboEnv::parse(path, bytes) {
                        Ok(t) => {
                            d.turbo.insert(dir, (path.to_string(), t));
                        }
                        Err(f) => d.errors.push(f),
                    }
                }
                continue;
            }
            if let Some(kind) = manifests::manifest_kind(path) {
                if let Some(dockerfile) = manifests::dockerfile_of(path, bytes) {
                    built_from.push((dir.clone(), dockerfile));
                }
                let names = manifests::names(kind, bytes);
                if !names.is_empty() {
                    d.manifests.entry(dir).or_default().push(DeclarationFile {
                        path: path.to_string(),
                        names,
                        test_only: false,
                    });
                }
                continue;
            }
            let declares = is_declaration_file(path)
                || (env.committed_env_files_declare() && is_framework_loaded_env_file(path));
            if !declares {
                continue;
            }
            let mut names = BTreeMap::new();
            match dotenv::parse(bytes) {
                Ok(parsed) => {
                    for e in &parsed.errors {
                        d.errors.push(
                            Finding::new(
                                &codes::FILES_UNREADABLE,
                                path,
                                format!("`{path}` cannot be parsed: {}", e.message),
                            )
                            .at(e.line, e.column)
                            .help("fix this line; the rest of the file was read"),
                        );
                    }
                    for e in parsed.entries {
                        names.entry(e.name).or_insert(e.line);
                    }
                }
                Err(e) => {
                    let (line, column) = e.line_col();
                    d.errors.push(
                        Finding::new(&codes::FILES_UNREADABLE, path, format!("`{path}` {e}"))
                            .at(line, column),
                    );
                }
            }
            let list = d.dirs.entry(dir).or_default();
            list.push(DeclarationFile {
                path: path.to_string(),
                names,
                test_only: is_test_env_file(path),
            });
            list.sort_by(|a, b| a.path.cmp(&b.path));
        }
        // A Dockerfile's names are set for the code of its build context, the folder of the
        // platform config that builds it (fly.toml `[build] dockerfile = "other/Dockerfile"`).
        for (dir, dockerfile) in built_from {
            let at = dockerfile.rsplit_once('/').map_or("", |(d, _)| d);
            let found = d
                .manifests
                .get(at)
                .and_then(|list| list.iter().find(|f| f.path == dockerfile))
                .cloned();
            if let Some(f) = found
                && at != dir
            {
                d.manifests.entry(dir).or_default().push(f);
            }
        }
        d
    }

    /// Whether `name`, read by the file at `reading_path` (code a deploy runs), is declared.
    pub fn is_declared(&self, reading_path: &str, name: &str) -> bool {
        self.declared_by(reading_path, name).is_some()
    }

    /// Whether `name`, read by the file at `reading_path`, is declared; `test_reader` for test
    /// and script files, for which test env files (`.env.test`) declare too.
    pub fn is_declared_for(&self, reading_path: &str, name: &str, test_reader: bool) -> bool {
        self.declared_by_for(reading_path, name, test_reader).is_some()
    }

    /// Where the declaration of `name` for a reader at `reading_path` (code a deploy runs)
    /// comes from.
    pub fn declared_by(&self, reading_path: &str, name: &str) -> Option<Declared<'_>> {
        self.declared_by_for(reading_path, name, false)
    }

    /// [`Declarations::declared_by`] for a test reader too (see [`Declarations::is_declared_for`]).
    pub fn declared_by_for(&self, reading_path: &str, name: &str, test_reader: bool) -> Option<Declared<'_>> {
        let reading_path = normalize(reading_path);
        let applies = |f: &DeclarationFile| test_reader || !f.test_only;
        let mut dir = reading_path.rsplit_once('/').map(|(d, _)| d);
        // Reading from the root itself: the root's files are the nearest.
        if dir.is_none() {
            dir = Some("");
        }
        let mut nearest = None;
        while let Some(d) = dir {
            if self.dirs.get(d).is_some_and(|files| files.iter().any(applies)) {
                nearest = Some(d);
                break;
            }
            dir = parent(d);
        }
        for d in nearest.into_iter().chain(std::iter::once("")) {
            if let Some(hit) = self.in_dir(d, name, &applies) {
                return Some(hit);
            }
        }
        self.in_turbo(reading_path, name)
            .or_else(|| self.in_manifests(reading_path, name))
            .or_else(|| self.declared_outside_files(name))
    }

    /// The deploy manifest in the reader's folder or above that sets `name`.
    fn in_manifests(&self, reading_path: &str, name: &str) -> Option<Declared<'_>> {
        self.manifests.iter().find_map(|(dir, files)| {
            let applies = dir.is_empty()
                || reading_path
                    .strip_prefix(dir.as_str())
                    .is_some_and(|rest| rest.starts_with('/'));
            if !applies {
                return None;
            }
            files.iter().find_map(|f| {
                f.names.get(name).map(|&line| Declared::File {
                    path: f.path.as_str(),
                    line,
                })
            })
        })
    }

    /// The turbo.json at the root or in a folder above `reading_path` that declares `name`.
    /// Every one applies, not only the nearest: a package's turbo.json extends the root's.
    fn in_turbo(&self, reading_path: &str, name: &str) -> Option<Declared<'_>> {
        self.turbo.iter().find_map(|(dir, (path, t))| {
            let applies = dir.is_empty()
                || reading_path
                    .strip_prefix(dir.as_str())
                    .is_some_and(|rest| rest.starts_with('/'));
            let line = t.declares(name).filter(|_| applies)?;
            Some(Declared::File {
                path: path.as_str(),
                line,
            })
        })
    }

    fn in_dir(
        &self,
        dir: &str,
        name: &str,
        applies: &dyn Fn(&DeclarationFile) -> bool,
    ) -> Option<Declared<'_>> {
        self.dirs.get(dir)?.iter().filter(|f| applies(f)).find_map(|f| {
            f.names.get(name).map(|&line| Declared::File {
                path: f.path.as_str(),
                line,
            })
        })
    }

    fn declared_outside_files(&self, name: &str) -> Option<Declared<'_>> {
        if self.config.contains(name) {
            Some(Declared::Config)
        } else if data::builtins().contains(name) {
            Some(Declared::Builtin)
        } else {
            None
        }
    }

    /// Whether any declaration file, the config or the built-ins declare `name` (for names
    /// that are not read from a particular file: `env/extra`, `env/local-only`).
    pub fn is_declared_anywhere(&self, name: &str) -> bool {
        self.files().any(|f| f.names.contains_key(name))
            || self.turbo.values().any(|(_, t)| t.declares(name).is_some())
            || self
                .manifests
                .values()
                .flatten()
                .any(|f| f.names.contains_key(name))
            || self.declared_outside_files(name).is_some()
    }

    /// Every name listed in a declaration file, turbo.json (wildcards left out: they are not
    /// names) or the config (not the built-ins).
    pub fn all_names(&self) -> BTreeSet<&str> {
        self.files()
            .flat_map(|f| f.names.keys().map(String::as_str))
            .chain(self.turbo.values().flat_map(|(_, t)| t.literal_names()))
            .chain(self.config.iter().map(String::as_str))
            .collect()
    }

    /// The names declared by the root's declaration files, with where.
    pub fn root_names(&self) -> BTreeMap<&str, (&str, u32)> {
        let mut out = BTreeMap::new();
        for f in self.dirs.get("").into_iter().flatten() {
            for (name, &line) in &f.names {
                out.entry(name.as_str()).or_insert((f.path.as_str(), line));
            }
        }
        out
    }

    /// Every declaration file, sorted by folder then path (for `env/unused`).
    pub fn files(&self) -> impl Iterator<Item = &DeclarationFile> {
        self.dirs.values().flatten()
    }

    /// `files/unreadable` findings for lines or files that could not be parsed.
    pub fn errors(&self) -> &[Finding] {
        &self.errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decls(files: &[(&str, &str)], allow: &[&str]) -> Declarations {
        let env = EnvConfig {
            allow: allow.iter().map(std::string::ToString::to_string).collect(),
            ..EnvConfig::default()
        };
        Declarations::new(files.iter().map(|(p, t)| (*p, t.as_bytes())), &env)
    }

    #[test]
    fn declaration_files() {
        for p in [
            ".env.example",
            "apps/web/.env.sample",
            ".env.template",
            ".env.local.example",
            // Without a leading dot (real-repo corpus: a NestJS boilerplate's Dockerfiles
            // `cp env-example-relational .env`).
            "env.example",
            "env-example-relational",
            "env-example-document",
            "example.env",
            "deploy/docker.env.example",
            "env_sample",
        ] {
            assert!(is_declaration_file(p), "{p}");
            assert_eq!(env_file_kind(p), Some(EnvFileKind::Declaration), "{p}");
        }
        for p in [
            ".env",
            ".env.local",
            "example",
            "src/env.example.ts",
            "env.example.json",
            "environment.example",
            "src/example-env.md",
            "envexample",
            "prod.env",
            // Code and stylesheets (proptest seed: `env-example.astro`, a source file the
            // snapshot does not list among its special paths).
            "src/env-example.astro",
            "env-sample.css",
        ] {
            assert!(!is_declaration_file(p), "{p}");
        }
        assert_eq!(env_file_kind(".env"), Some(EnvFileKind::Other));
        assert_eq!(env_file_kind("a/.env.production"), Some(EnvFileKind::Other));
        assert_eq!(env_file_kind(".env.development.local"), Some(EnvFileKind::Local));
        assert_eq!(env_file_kind(".env.local"), Some(EnvFileKind::Local));
        assert_eq!(env_file_kind(".env.example"), Some(EnvFileKind::Declaration));
        // From midday (real-repo corpus): `-`/`_` before the word, and `.env.dist`.
        for p in [
            "apps/api/.env-template",
            "apps/dashboard/.env-example",
            ".env_sample",
            ".env.dist",
        ] {
            assert!(is_declaration_file(p), "{p}");
            assert_eq!(env_file_kind(p), Some(EnvFileKind::Declaration), "{p}");
        }
        assert!(!is_declaration_file(".envexample"));
        assert_eq!(env_file_kind("src/env.ts"), None);
        // Issue 9 (4): every file that holds env assignments is an env file.
        for p in [
            ".envrc",
            "production.env",
            "deploy/app.env",
            "env.production",
            "env.production.local",
            ".env~",
            ".flaskenv",
        ] {
            assert!(env_file_kind(p).is_some(), "{p}");
        }
        assert_eq!(env_file_kind("env.example"), Some(EnvFileKind::Declaration));
        for p in [
            "src/env.ts",
            "env.d.ts",
            "env.mjs",
            "environment.ts",
            "src/env",
            "venv.txt",
        ] {
            assert_eq!(env_file_kind(p), None, "{p}");
        }
    }

    #[test]
    fn nearest_file_walking_up_then_root() {
        let d = decls(
            &[
                (".env.example", "ROOT_VAR=\n"),
                ("apps/.env.example", "APPS_VAR=\n"),
                ("apps/web/.env.sample", "WEB_VAR=1\n"),
                ("apps/web/.env.template", "WEB_TEMPLATE_VAR=1\n"),
                ("apps/api/.env.example", "API_VAR=\n"),
            ],
            &["ALLOWED"],
        );
        // (reader, name, declared)
        let table = [
            ("apps/web/src/page.tsx", "WEB_VAR", true),
            ("apps/web/src/page.tsx", "WEB_TEMPLATE_VAR", true),
            ("apps/web/src/page.tsx", "ROOT_VAR", true),
            // Only the nearest file counts, not every ancestor's.
            ("apps/web/src/page.tsx", "APPS_VAR", false),
            ("apps/web/src/page.tsx", "API_VAR", false),
            ("apps/other/x.ts", "APPS_VAR", true),
            ("apps/other/x.ts", "WEB_VAR", false),
            ("apps/api/index.ts", "API_VAR", true),
            ("src/index.ts", "ROOT_VAR", true),
            ("src/index.ts", "WEB_VAR", false),
            ("index.ts", "ROOT_VAR", true),
            ("./apps/web/a.ts", "WEB_VAR", true),
            ("apps/web/a.ts", "ALLOWED", true),
            ("apps/web/a.ts", "NODE_ENV", true),
            ("apps/web/a.ts", "VERCEL_GIT_COMMIT_SHA", true),
            ("apps/web/a.ts", "UNKNOWN", false),
        ];
        for (reader, name, want) in table {
            assert_eq!(d.is_declared(reader, name), want, "{reader} {name}");
        }
        assert_eq!(
            d.declared_by("apps/web/a.ts", "WEB_VAR"),
            Some(Declared::File {
                path: "apps/web/.env.sample",
                line: 1
            })
        );
        assert_eq!(d.declared_by("a.ts", "ALLOWED"), Some(Declared::Config));
        assert_eq!(d.declared_by("a.ts", "CI"), Some(Declared::Builtin));
        assert!(d.is_declared_anywhere("API_VAR"));
        assert!(!d.is_declared_anywhere("UNKNOWN"));
        let all: Vec<_> = d.all_names().into_iter().collect();
        assert_eq!(
            all,
            [
                "ALLOWED",
                "API_VAR",
                "APPS_VAR",
                "ROOT_VAR",
                "WEB_TEMPLATE_VAR",
                "WEB_VAR"
            ]
        );
        assert_eq!(d.root_names().keys().copied().collect::<Vec<_>>(), ["ROOT_VAR"]);
    }

    #[test]
    fn committed_framework_env_files_declare_nearest_walking_up() {
        let files = [
            (".env", "ROOT_COMMITTED=1\n"),
            ("apps/web/.env.production", "WEB_PROD=1\n"),
            ("apps/web/.env.local", "LOCAL=1\n"),
            ("apps/web/.env.staging", "STAGING=1\n"),
            ("apps/api/.env.test", "API_TEST=1\n"),
        ];
        let d = decls(&files, &[]);
        let table = [
            ("src/a.ts", "ROOT_COMMITTED", true),
            ("apps/web/page.ts", "ROOT_COMMITTED", true),
            ("apps/web/page.ts", "WEB_PROD", true),
            ("apps/api/main.ts", "WEB_PROD", false),
            // `.env.test` declares for tests only (issue 19).
            ("apps/api/main.ts", "API_TEST", false),
            // One machine's file, and a mode no framework loads by default.
            ("apps/web/page.ts", "LOCAL", false),
            ("apps/web/page.ts", "STAGING", false),
        ];
        for (reader, name, want) in table {
            assert_eq!(d.is_declared(reader, name), want, "{reader} {name}");
        }
        let env = EnvConfig {
            committed_env_files_declare: Some(false),
            ..EnvConfig::default()
        };
        let off = Declarations::new(files.iter().map(|(p, t)| (*p, t.as_bytes())), &env);
        assert!(!off.is_declared("src/a.ts", "ROOT_COMMITTED"));
        assert!(!off.is_declared("apps/web/page.ts", "WEB_PROD"));
    }

    #[test]
    fn turbo_json_declares_for_its_folder_and_below() {
        let files = [
            (
                "turbo.json",
                r#"{"globalEnv": ["SENTRY_*", "!SENTRY_AUTH_TOKEN"]}"#,
            ),
            (
                "apps/web/turbo.json",
                "{\"extends\": [\"//\"],\n \"tasks\": {\"build\": {\"env\": [\"WEB_BUILD\"]}}}",
            ),
            ("apps/api/turbo.json", "{ not json"),
        ];
        let d = decls(&files, &[]);
        let table = [
            ("src/a.ts", "SENTRY_DSN", true),
            ("apps/web/a.ts", "SENTRY_DSN", true),
            ("src/a.ts", "SENTRY_AUTH_TOKEN", false),
            ("apps/web/src/a.ts", "WEB_BUILD", true),
            ("apps/webby/a.ts", "WEB_BUILD", false),
            ("src/a.ts", "WEB_BUILD", false),
        ];
        for (reader, name, want) in table {
            assert_eq!(d.is_declared(reader, name), want, "{reader} {name}");
        }
        assert_eq!(
            d.declared_by("apps/web/a.ts", "WEB_BUILD"),
            Some(Declared::File {
                path: "apps/web/turbo.json",
                line: 2
            })
        );
        assert!(d.is_declared_anywhere("WEB_BUILD"));
        assert!(d.all_names().contains("WEB_BUILD"));
        let got: Vec<_> = d
            .errors()
            .iter()
            .map(|f| (f.rule.id, f.path.as_str(), f.line))
            .collect();
        assert_eq!(got, [("files/unreadable", "apps/api/turbo.json", 1)]);
        let env = EnvConfig {
            turbo_declares: Some(false),
            ..EnvConfig::default()
        };
        let off = Declarations::new(files.iter().map(|(p, t)| (*p, t.as_bytes())), &env);
        assert!(!off.is_declared("src/a.ts", "SENTRY_DSN"));
        assert!(off.errors().is_empty());
    }

    #[test]
    fn no_root_file() {
        let d = decls(&[("pkg/.env.example", "A=\n")], &[]);
        assert!(d.is_declared("pkg/a.ts", "A"));
        assert!(!d.is_declared("a.ts", "A"));
        assert!(d.root_names().is_empty());
    }

    #[test]
    fn config_vars_count_as_declared() {
        let mut env = EnvConfig::default();
        env.vars.insert("RULED".into(), Default::default());
        let d = Declarations::new(std::iter::empty(), &env);
        assert!(d.is_declared("x.ts", "RULED"));
    }

    #[test]
    fn parse_errors_are_findings_and_the_rest_is_read() {
        let d = decls(
            &[
                (".env.example", "A=\nnot a line\nB=\n"),
                ("bin/.env.example", "A=\0"),
                ("README.md", "not=env\n"),
            ],
            &[],
        );
        assert!(d.is_declared("x.ts", "B"));
        let got: Vec<_> = d
            .errors()
            .iter()
            .map(|f| (f.rule.id, f.path.as_str(), f.line, f.column))
            .collect();
        assert_eq!(
            got,
            [
                ("files/unreadable", ".env.example", 2, 5),
                ("files/unreadable", "bin/.env.example", 1, 3)
            ]
        );
        assert!(
            d.errors()[1].message.contains("binary"),
            "{}",
            d.errors()[1].message
        );
    }

    #[test]
    fn test_env_files_declare_only_for_tests() {
        let d = decls(
            &[
                (".env.example", "PROD=\n"),
                (".env.test", "ONLY_TEST=1\n"),
                ("apps/api/.env.test", "API_TEST=1\n"),
            ],
            &[],
        );
        assert!(d.is_declared("src/a.ts", "PROD"));
        assert!(!d.is_declared("src/a.ts", "ONLY_TEST"));
        assert!(d.is_declared_for("src/a.test.ts", "ONLY_TEST", true));
        // The nearest folder for production code is the root (apps/api has only a test file).
        assert!(!d.is_declared("apps/api/src/a.ts", "API_TEST"));
        assert!(d.is_declared("apps/api/src/a.ts", "PROD"));
        assert!(d.is_declared_for("apps/api/test/a.ts", "API_TEST", true));
        assert!(is_test_env_file(".env.test") && is_test_env_file("a/.env.test.example"));
        assert!(!is_test_env_file(".env.testflight") && !is_test_env_file(".env"));
    }

    #[test]
    fn deploy_manifests_declare_for_their_folder_and_below() {
        let d = decls(
            &[
                ("Dockerfile", "FROM node\nENV DATABASE_URL=x\n"),
                (
                    "apps/api/docker-compose.yml",
                    "services:\n  api:\n    environment:\n      - REDIS_URL=x\n",
                ),
                (
                    "apps/web/package.json",
                    "{\"scripts\": {\"build\": \"INPUT=a vite build\"}}",
                ),
                ("app.json", "{\"env\": {\"HEROKU_SET\": {}}}"),
            ],
            &[],
        );
        assert_eq!(
            d.declared_by("src/lib/crypto.ts", "DATABASE_URL"),
            Some(Declared::File {
                path: "Dockerfile",
                line: 2
            })
        );
        assert!(d.is_declared("apps/api/src/q.ts", "REDIS_URL"));
        assert!(!d.is_declared("apps/web/src/q.ts", "REDIS_URL"));
        assert!(d.is_declared("apps/web/vite.config.ts", "INPUT"));
        assert!(!d.is_declared("apps/api/vite.config.ts", "INPUT"));
        assert!(d.is_declared("x.ts", "HEROKU_SET"));
        assert!(d.is_declared_anywhere("REDIS_URL"));
        // Manifests set values; they are not declaration files (`env/unused` ignores them).
        assert!(!d.all_names().contains("DATABASE_URL"));
    }
}
