//! `hookctl.toml`: serde types, loading and validation. Settings are resolved once per command.
//! Unknown keys are rejected (with the file, line and column); a malformed file is exit 2.

pub mod commit_files;
pub mod condition;
pub mod extends;
pub mod nested;
pub mod pattern;
pub mod template;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Deserialize;

pub const FILE_NAME: &str = "hookctl.toml";
pub const LOCAL_FILE_NAME: &str = "hookctl.local.toml";

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// toml's own error: line, column, the offending line with a caret, and the message.
    #[error("invalid configuration in {}", path.display())]
    Parse {
        path: PathBuf,
        #[source]
        source: Box<toml::de::Error>,
    },
    /// `min_version` names a newer hookctl than this one (or is not a version).
    #[error("{}: line {line}: {message}", path.display())]
    MinVersion {
        path: PathBuf,
        line: usize,
        message: String,
    },
    /// Keys that are each valid but do not fit together (a job's `group` and `priority`).
    #[error("{}: line {line}: {message}", path.display())]
    Invalid {
        path: PathBuf,
        line: usize,
        message: String,
    },
    /// An `extends` entry that names nothing readable, or a chain that loops.
    #[error("{}: line {line}: {message}", path.display())]
    Extends {
        path: PathBuf,
        line: usize,
        message: String,
    },
    /// A key of a merged `extends` chain: `path` is the file that set it.
    #[error("invalid configuration in {} (merged through `extends`)", path.display())]
    Merged {
        path: PathBuf,
        #[source]
        source: extends::Detail,
    },
}

impl Error {
    /// The same error with paths under `root` (a commit's files written out) shown as git
    /// names them: `<short>:<path in the commit>`.
    fn relocated(self, root: &Path, short: &str) -> Error {
        let at = |path: PathBuf| match path.strip_prefix(root) {
            Ok(rel) => PathBuf::from(format!("{short}:{}", rel.display())),
            Err(_) => path,
        };
        match self {
            Error::Read { path, source } => Error::Read {
                path: at(path),
                source,
            },
            Error::Parse { path, source } => Error::Parse {
                path: at(path),
                source,
            },
            Error::MinVersion { path, line, message } => Error::MinVersion {
                path: at(path),
                line,
                message,
            },
            Error::Invalid { path, line, message } => Error::Invalid {
                path: at(path),
                line,
                message,
            },
            Error::Extends { path, line, message } => Error::Extends {
                path: at(path),
                line,
                message,
            },
            Error::Merged { path, source } => Error::Merged {
                path: at(path),
                source,
            },
        }
    }

    /// The message and its causes on several lines, for places that print one string.
    pub fn chain(&self) -> String {
        let mut out = self.to_string();
        let mut cause = std::error::Error::source(self);
        while let Some(c) = cause {
            let _ = write!(out, "\ncaused by: {}", c.to_string().trim_end());
            cause = c.source();
        }
        out
    }
}

/// `[scan]`: limits on what is read.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScanConfig {
    /// Files larger than this are skipped (default 1 MiB): a committed bundle must never stall a
    /// commit. Bytes, or a string such as "512 KiB", "4 MiB".
    pub max_file_size: Option<ByteSize>,
}

impl ScanConfig {
    pub const DEFAULT_MAX_FILE_SIZE: u64 = 1024 * 1024;

    pub fn max_file_size(&self) -> u64 {
        self.max_file_size.map_or(Self::DEFAULT_MAX_FILE_SIZE, |b| b.0)
    }
}

/// `[secrets]`: what `secrets/in-source` reads.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecretsConfig {
    /// Also report high-entropy strings (random-looking tokens of 20+ characters) in source
    /// files, not only values of a known secret format (default false: noisy on hashes and ids).
    pub entropy: Option<bool>,
    /// Files not scanned for secrets in source (test fixtures), as globs over repository paths.
    /// Default: `["**/fixtures/**", "**/__fixtures__/**", "**/testdata/**", "**/__tests__/**", "**/*.test.*", "**/*.spec.*"]`; setting it replaces
    /// the default.
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    pub skip: Option<pattern::GlobList>,
}

impl SecretsConfig {
    pub const DEFAULT_SKIP: &[&str] = &[
        "**/fixtures/**",
        "**/__fixtures__/**",
        "**/testdata/**",
        "**/__tests__/**",
        "**/*.test.*",
        "**/*.spec.*",
    ];

    pub fn entropy(&self) -> bool {
        self.entropy.unwrap_or(false)
    }

    /// The fixture globs: configured, else the default.
    pub fn skip(&self) -> &pattern::GlobList {
        static DEFAULT: std::sync::LazyLock<pattern::GlobList> = std::sync::LazyLock::new(|| {
            let list: Vec<String> = SecretsConfig::DEFAULT_SKIP
                .iter()
                .map(|g| (*g).to_string())
                .collect();
            pattern::GlobList::try_from(list).expect("the default globs compile (checked by tests)")
        });
        self.skip.as_ref().unwrap_or(&DEFAULT)
    }
}

/// `[cache]`: hookctl's verdict cache (under the git common dir) and the team's shared one.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CacheConfig {
    /// Share verdicts through a remote cache: `"turbo"`, a Turborepo remote cache (Vercel's or
    /// a self-hosted one) named by `TURBO_API`, `TURBO_TOKEN` and `TURBO_TEAM`/`TURBO_TEAMID`
    /// as turbo reads them. Default: off.
    pub remote: Option<RemoteCache>,
    /// Upload what this run computed (default true; CI writes). `false`, the
    /// `--remote-cache-read-only` flag or `TURBO_REMOTE_CACHE_READ_ONLY=1` only download
    /// (developers' machines).
    pub remote_write: Option<bool>,
    /// Go to the network only when the local cache misses more files than this (default
    /// 200): parsing a few files is quicker than a round trip, so a commit's hook stays local.
    pub remote_min_misses: Option<usize>,
    /// How long the first request may take before the server counts as down for the rest of
    /// the run (default 200 ms; the run goes on with the local cache).
    pub remote_timeout: Option<Timeout>,
}

/// The remote caches hookctl can share verdicts through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RemoteCache {
    /// The Turborepo Remote Cache API (`/v8/artifacts`).
    Turbo,
}

impl CacheConfig {
    pub const DEFAULT_MIN_MISSES: usize = 200;
    pub const DEFAULT_TIMEOUT: std::time::Duration = std::time::Duration::from_millis(200);

    pub fn remote_write(&self) -> bool {
        self.remote_write.unwrap_or(true)
    }

    pub fn remote_min_misses(&self) -> usize {
        self.remote_min_misses.unwrap_or(Self::DEFAULT_MIN_MISSES)
    }

    pub fn remote_timeout(&self) -> std::time::Duration {
        self.remote_timeout.map_or(Self::DEFAULT_TIMEOUT, |t| t.0)
    }
}

/// `[commit]`: the convention `commit/message` checks (in the `commit-msg` hook, once the rule
/// is set to `error` or `warning` in `[rules]`).
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CommitConfig {
    /// Conventional Commits: `type(scope)!: subject`. Default: true.
    pub conventional: Option<bool>,
    /// The allowed types. Default: commitlint's config-conventional list (`build`, `chore`, `ci`,
    /// `docs`, `feat`, `fix`, `perf`, `refactor`, `revert`, `style`, `test`).
    pub types: Option<Vec<String>>,
    /// The longest first line, in characters. Default: 100 (commitlint's `header-max-length`).
    pub max_subject_length: Option<usize>,
    /// A regular expression the message must match somewhere (a ticket id such as
    /// `[A-Z]+-\\d+`). Default: none.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub ticket: Option<pattern::Regex>,
}

impl CommitConfig {
    pub const DEFAULT_TYPES: &[&str] = &[
        "build", "chore", "ci", "docs", "feat", "fix", "perf", "refactor", "revert", "style", "test",
    ];
    pub const DEFAULT_MAX_SUBJECT_LENGTH: usize = 100;
}

/// `[deps]`: what `deps/dev-only-at-runtime` treats as code that never runs in production.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DepsConfig {
    /// Files that are not runtime code (tests, stories, configs, scripts): their imports of
    /// `devDependencies` are fine. Globs over the path inside its package folder and over the
    /// repository path. Default: `["**/*.test.*", "**/*.spec.*", "**/__tests__/**", "**/__mocks__/**", "**/*.stories.*", "**/*.config.*", "**/scripts/**", "**/test/**", "**/tests/**", "**/e2e/**", "**/fixtures/**", "**/*.d.ts", ...]`;
    /// setting it replaces the default.
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    pub dev_globs: Option<pattern::LooseGlobList>,
}

impl DepsConfig {
    pub const DEFAULT_DEV_GLOBS: &[&str] = &[
        "**/*.test.*",
        "**/*.spec.*",
        "**/*.e2e.*",
        "**/__tests__/**",
        "**/__mocks__/**",
        "**/mocks/**",
        "**/__fixtures__/**",
        "**/fixtures/**",
        "**/*.stories.*",
        "**/.storybook/**",
        "**/*.config.*",
        "**/.*rc.*",
        "**/*.d.ts",
        "**/*.d.mts",
        "**/*.d.cts",
        "**/jest.setup.*",
        "**/vitest.setup.*",
        "**/setupTests.*",
        // Nested too: `packages/jobs/scripts/x.ts`, `packages/kit/test/apps/...`.
        "**/scripts/**",
        "**/script/**",
        "**/test/**",
        "**/tests/**",
        "**/e2e/**",
        "**/__e2e__/**",
        "**/bench/**",
        "**/benchmarks/**",
    ];

    /// The dev globs: configured, else the default.
    pub fn dev_globs(&self) -> &pattern::LooseGlobList {
        static DEFAULT: std::sync::LazyLock<pattern::LooseGlobList> = std::sync::LazyLock::new(|| {
            let list: Vec<String> = DepsConfig::DEFAULT_DEV_GLOBS
                .iter()
                .map(|g| (*g).to_string())
                .collect();
            pattern::LooseGlobList::try_from(list).expect("the default globs compile (checked by tests)")
        });
        self.dev_globs.as_ref().unwrap_or(&DEFAULT)
    }
}

/// A size in bytes: a number, or a string with a unit (`B`, `KB`, `KiB`, `MB`, `MiB`, `GB`, `GiB`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteSize(pub u64);

impl<'de> Deserialize<'de> for ByteSize {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Bytes(u64),
            Text(String),
        }
        match Raw::deserialize(d)? {
            Raw::Bytes(b) => Ok(ByteSize(b)),
            Raw::Text(t) => parse_size(&t).map(ByteSize).ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "invalid size `{t}`: use bytes, or e.g. \"512 KiB\", \"4 MiB\""
                ))
            }),
        }
    }
}

fn parse_size(t: &str) -> Option<u64> {
    let t = t.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let n: u64 = t[..split].parse().ok()?;
    let mult: u64 = match t[split..].trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kb" => 1000,
        "kib" | "k" => 1024,
        "mb" => 1000 * 1000,
        "mib" | "m" => 1024 * 1024,
        "gb" => 1000 * 1000 * 1000,
        "gib" | "g" => 1024 * 1024 * 1024,
        _ => return None,
    };
    n.checked_mul(mult)
}

/// A byte count as people read it: "1 MiB", "5.2 MiB", "800 KiB", "12 B".
pub fn human_size(n: u64) -> String {
    const KIB: f64 = 1024.0;
    let f = n as f64;
    if f >= KIB * KIB {
        let m = f / (KIB * KIB);
        if m.fract() == 0.0 {
            format!("{m:.0} MiB")
        } else {
            format!("{m:.1} MiB")
        }
    } else if f >= KIB {
        format!("{:.0} KiB", f / KIB)
    } else {
        format!("{n} B")
    }
}

pub use crate::codes::Level;
pub use pattern::Patterns;

#[derive(Debug, Clone, Default, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportsConfig {
    /// Folders of generated code (git-ignored by design) whose files are never reported as
    /// untracked. Added to the built-in list.
    #[serde(default)]
    pub generated: Vec<String>,
    /// Regular expressions: specifiers matching one are not files and are skipped.
    #[serde(default)]
    #[schemars(schema_with = "schema::regexes")]
    pub not_files: Vec<pattern::Regex>,
    /// Packages that may be imported without being declared (e.g. provided by the platform).
    #[serde(default)]
    pub allow_packages: Vec<String>,
    /// Folders (repo-relative) where a stylesheet's bare `@use`/`@import` is also looked for,
    /// after the stylesheet's own folder: Sass `loadPaths`/`includePaths`, Angular's
    /// `stylePreprocessorOptions.includePaths`, Less `paths`.
    #[serde(default)]
    pub style_load_paths: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnvConfig {
    /// Names that count as declared although no `.env.example` lists them.
    #[serde(default)]
    pub allow: Vec<String>,
    /// Functions whose first string argument is an env var name, e.g. `env('X')`.
    #[serde(default)]
    pub accessors: Vec<String>,
    /// Extra prefixes of variables exposed to the browser.
    #[serde(default)]
    pub public_prefixes: Vec<String>,
    /// Extra prefixes of variables that client code may read (`env/client-read`): a Vite
    /// `envPrefix` or a Next.js `env` key, which hookctl cannot read without running the config.
    #[serde(default)]
    pub client_prefixes: Vec<String>,
    /// Value rules per variable.
    #[serde(default)]
    pub vars: BTreeMap<String, VarRule>,
    /// Whether committed env files that frameworks load (`.env`, `.env.development`,
    /// `.env.production`, `.env.test`) declare their names (default true). `None` = not set
    /// here, so `hookctl.local.toml` only overrides what it sets.
    #[serde(default)]
    pub committed_env_files_declare: Option<bool>,
    /// Whether `turbo.json` `globalEnv`/`env`/`passThroughEnv` entries declare names (default true).
    #[serde(default)]
    pub turbo_declares: Option<bool>,
    /// turbo tasks that build or run a package's code besides `build` (e.g. `"start"`,
    /// `"test"`): `env/turbo-filtered` checks that each passes the variables the code reads.
    #[serde(default)]
    pub turbo_tasks: Vec<String>,
    /// The level of env findings for reads where nothing breaks when the variable is unset: a
    /// fallback (`??`, `||`, a destructuring default), a `typeof`/`in` guard, a flag test, a
    /// read under a test of the same name or tested before use, a name a schema marks
    /// `.optional()`/`.default()`, and reads in test and script files (`[deps] dev_globs`).
    /// `"warning"` (default) or `"error"`.
    #[serde(default)]
    pub fallback_reads: Option<FallbackReads>,
}

/// `[env] fallback_reads`: see [`EnvConfig::fallback_reads`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum FallbackReads {
    Warning,
    Error,
}

impl EnvConfig {
    /// `committed_env_files_declare`, defaulting to true.
    pub fn committed_env_files_declare(&self) -> bool {
        self.committed_env_files_declare.unwrap_or(true)
    }

    /// `turbo_declares`, defaulting to true.
    pub fn turbo_declares(&self) -> bool {
        self.turbo_declares.unwrap_or(true)
    }

    /// Whether findings of reads that do not break when unset are capped at warning
    /// (`fallback_reads = "warning"`, the default).
    pub fn fallback_reads_warn(&self) -> bool {
        self.fallback_reads != Some(FallbackReads::Error)
    }
}

/// `[server]`: the `pre-receive` hook `hookctl install --server` writes. Read from the
/// receiving repository's own `hookctl.toml` (beside its objects), else from the committed
/// `hookctl.toml` of its default branch: never from the commits being pushed, so a push cannot
/// loosen the bound that checks it.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    /// The longest a push is checked (default 10 s); then `on_timeout` decides.
    pub timeout: Option<Timeout>,
    /// What a push that is not checked in time gets: `"accept"` (default, and said so to the
    /// pusher) or `"refuse"`.
    pub on_timeout: Option<OnTimeout>,
}

/// `[server] on_timeout`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum OnTimeout {
    Accept,
    Refuse,
}

impl ServerConfig {
    pub const DEFAULT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

    pub fn timeout(&self) -> std::time::Duration {
        self.timeout.map_or(Self::DEFAULT_TIMEOUT, |t| t.0)
    }

    pub fn refuse_on_timeout(&self) -> bool {
        self.on_timeout == Some(OnTimeout::Refuse)
    }
}

/// `[env.vars.NAME]`: the rules a value must follow. `environments.<name>` overrides fields
/// for one environment (`hookctl env check --environment production`).
#[derive(Debug, Clone, Default, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VarRule {
    pub optional: Option<bool>,
    pub min_length: Option<usize>,
    pub format: Option<ValueFormat>,
    /// A regular expression the value must match (compiled at load: a bad one is an error
    /// of the config, not of the value).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub pattern: Option<pattern::WholeMatch>,
    pub one_of: Option<Vec<String>>,
    pub starts_with: Option<String>,
    #[serde(default)]
    pub environments: BTreeMap<String, VarRule>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ValueFormat {
    Url,
    Port,
    Int,
    Bool,
    Email,
    Uuid,
}

/// A duration: seconds as a number, or a string humantime reads ("90s", "5m", "1m30s", "1h"),
/// from 1 ms to [`Timeout::MAX`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timeout(pub std::time::Duration);

impl Timeout {
    /// The longest timeout accepted: a day. Longer is a typo (`"18446744073709551615s"`) and
    /// would overflow the clock.
    pub const MAX: std::time::Duration = std::time::Duration::from_hours(24);
}

impl<'de> Deserialize<'de> for Timeout {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Secs(u64),
            Text(String),
        }
        let (duration, shown) = match Raw::deserialize(d)? {
            Raw::Secs(s) => (std::time::Duration::from_secs(s), format!("{s} seconds")),
            Raw::Text(t) => (
                humantime::parse_duration(t.trim()).map_err(|e| {
                    serde::de::Error::custom(format!(
                        "invalid duration `{t}` ({e}): use seconds, or e.g. \"90s\", \"5m\", \"1m30s\", \"1h\""
                    ))
                })?,
                format!("`{t}`"),
            ),
        };
        if duration < std::time::Duration::from_millis(1) {
            return Err(serde::de::Error::custom(
                "a timeout of 0 would stop every job at once",
            ));
        }
        if duration > Timeout::MAX {
            return Err(serde::de::Error::custom(format!(
                "a timeout of {shown} is longer than the maximum of 24h; leave `timeout` out for no limit"
            )));
        }
        Ok(Timeout(duration))
    }
}

impl schemars::JsonSchema for ByteSize {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ByteSize".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Bytes, or a string with a unit: \"512 KiB\", \"4 MiB\" (B, KB, KiB, MB, MiB, GB, GiB).",
            "anyOf": [
                { "type": "integer", "minimum": 0 },
                { "type": "string", "pattern": "^\\s*[0-9]+\\s*([bB]|[kKmMgG]([iI]?[bB])?)?\\s*$" }
            ]
        })
    }
}

impl schemars::JsonSchema for Timeout {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Duration".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Seconds, or a duration such as \"90s\", \"5m\", \"1m30s\", \"1h\"; never 0, at most 24h.",
            "anyOf": [
                { "type": "integer", "minimum": 1, "maximum": 86400 },
                { "type": "string", "pattern": "^\\s*([0-9]+\\s*[a-zA-Z]+\\s*)+$" }
            ]
        })
    }
}

/// The top level, as `FileVisitor` reads it: `rules`, `imports`, `env`, `scan`, `min_version`,
/// and any other key is a hook table.
impl schemars::JsonSchema for Config {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "HookctlConfig".into()
    }

    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let level = g.subschema_for::<Level>().to_value();
        let rules: serde_json::Map<String, serde_json::Value> = crate::codes::ALL
            .iter()
            .map(|r| (r.id.to_string(), level.clone()))
            .collect();
        schemars::json_schema!({
            "title": "hookctl.toml",
            "description": "hookctl's configuration. Top-level keys other than `extends`, `rules`, `imports`, `env`, `scan`, `secrets`, `deps`, `commit`, `cache`, `server` and `min_version` are hook tables: git's hooks (`pre-commit`, `pre-push`, ...) or custom ones such as `pre-deploy`.",
            "type": "object",
            "properties": {
                "rules": {
                    "description": "Rule levels: \"error\" blocks, \"warning\" reports, \"off\" silences.",
                    "type": "object",
                    "properties": rules,
                    "additionalProperties": false
                },
                "imports": g.subschema_for::<ImportsConfig>(),
                "env": g.subschema_for::<EnvConfig>(),
                "scan": g.subschema_for::<ScanConfig>(),
                "secrets": g.subschema_for::<SecretsConfig>(),
                "deps": g.subschema_for::<DepsConfig>(),
                "commit": g.subschema_for::<CommitConfig>(),
                "server": g.subschema_for::<ServerConfig>(),
                "extends": {
                    "description": "Shared configurations merged under this file, in order: paths (`./tooling/hookctl.base.toml`, relative to this file) and npm packages resolved from `node_modules` (the package's `hookctl.toml`, or `pkg/file.toml`). Tables are merged key by key, a hook's jobs by `name` (`enabled = false` drops an inherited one), other values replaced.",
                    "anyOf": [
                        { "type": "string" },
                        { "type": "array", "items": { "type": "string" } }
                    ]
                },
                "cache": g.subschema_for::<CacheConfig>(),
                "min_version": {
                    "description": "The oldest hookctl this configuration accepts, e.g. \"0.2.0\": an older binary fails with the version needed.",
                    "type": "string",
                    "pattern": "^\\s*v?[0-9]+(\\.[0-9]+){0,2}([-+].*)?\\s*$"
                }
            },
            "additionalProperties": g.subschema_for::<HookConfig>()
        })
    }
}

/// The JSON schema of `hookctl.toml` (draft 7, which Taplo / Even Better TOML read), as
/// checked in at `docs/hookctl.schema.json`.
pub fn json_schema() -> serde_json::Value {
    let mut schema = schemars::generate::SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<Config>()
        .to_value();
    strip_null(&mut schema);
    schema
}

/// TOML has no null: `Option` fields are absent or set, never `null`.
fn strip_null(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            if let Some(serde_json::Value::Array(types)) = map.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types.remove(0);
                    map.insert("type".into(), only);
                }
            }
            for key in ["anyOf", "oneOf"] {
                if let Some(serde_json::Value::Array(alts)) = map.get_mut(key) {
                    alts.retain(|a| a.get("type").and_then(|t| t.as_str()) != Some("null"));
                    if alts.len() == 1 {
                        let only = alts.remove(0);
                        map.remove(key);
                        if let serde_json::Value::Object(inner) = only {
                            for (k, x) in inner {
                                map.entry(k).or_insert(x);
                            }
                        }
                    }
                }
            }
            if map.get("default") == Some(&serde_json::Value::Null) {
                map.remove("default");
            }
            map.values_mut().for_each(strip_null);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(strip_null),
        _ => {}
    }
}

/// Schemas of the fields whose `deserialize_with` accepts less than their type.
mod schema {
    use schemars::{Schema, SchemaGenerator, json_schema};

    use super::CHECK_GROUPS;

    pub fn check_groups(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "Built-in check groups to run. Default: all.",
            "type": "array",
            "items": { "enum": CHECK_GROUPS }
        })
    }

    pub fn job_name(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "Shown in the output, selected by `--job NAME` and skipped by `HOOKCTL_SKIP=NAME`; not the name of a check group.",
            "type": "string",
            "not": { "enum": CHECK_GROUPS }
        })
    }

    pub fn root(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A sub-folder (or a glob of folders) to run in; `{files}` are then relative to it and limited to it.",
            "type": "string",
            "not": { "pattern": "^/|(^|/)\\.\\.(/|$)" }
        })
    }

    pub fn regexes(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "Regular expressions: specifiers matching one are not files and are skipped.",
            "type": "array",
            "items": { "type": "string", "format": "regex" }
        })
    }
}

/// Field checks run while deserializing, so that toml points at the offending value.
mod check {
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer};

    use super::CHECK_GROUPS;

    /// A job's `run`: a command line, which cannot hold a NUL byte.
    pub fn command<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        let run = String::deserialize(d)?;
        if run.contains('\0') {
            return Err(D::Error::custom(
                "`run` contains a NUL byte, which no command line can hold; remove it",
            ));
        }
        Ok(run)
    }

    /// A job's `env`: names and values an environment can hold (no NUL; a name without `=`).
    pub fn env<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<std::collections::BTreeMap<String, String>, D::Error> {
        let env = std::collections::BTreeMap::<String, String>::deserialize(d)?;
        for (name, value) in &env {
            if name.is_empty() || name.contains(['=', '\0']) {
                return Err(D::Error::custom(format!(
                    "`env` name {name:?} cannot be set: a name is not empty and holds no `=` or NUL byte"
                )));
            }
            if value.contains('\0') {
                return Err(D::Error::custom(format!(
                    "`env.{name}` contains a NUL byte, which no environment value can hold; remove it"
                )));
            }
        }
        Ok(env)
    }

    /// A job's `run`: no placeholder where the shell would not read hookctl's quoting.
    pub fn run<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        let run = command(d)?;
        if let Some(m) = super::template::misquoted(&run).first() {
            return Err(D::Error::custom(super::template::explain(&run, m)));
        }
        Ok(run)
    }

    /// A job's `name`: not the name of a check group (`HOOKCTL_SKIP=imports` could not tell).
    pub fn job_name<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        let name = String::deserialize(d)?;
        if CHECK_GROUPS.contains(&name.as_str()) {
            return Err(D::Error::custom(format!(
                "a job cannot be named `{name}`, the name of a built-in check group ({}); rename the job",
                CHECK_GROUPS.join(", ")
            )));
        }
        Ok(name)
    }

    /// A hook's `checks`: known check groups.
    pub fn groups<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
        let list = Option::<Vec<Group>>::deserialize(d)?;
        Ok(list.map(|l| l.into_iter().map(|g| g.0).collect()))
    }

    struct Group(String);

    impl<'de> Deserialize<'de> for Group {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let c = String::deserialize(d)?;
            if !CHECK_GROUPS.contains(&c.as_str()) {
                return Err(D::Error::custom(format!(
                    "unknown check `{c}`{} (known: {})",
                    super::suggest(&c, CHECK_GROUPS.iter().copied()),
                    CHECK_GROUPS.join(", ")
                )));
            }
            Ok(Group(c))
        }
    }

    /// A `[rules]` key: a known rule id.
    #[derive(PartialEq, Eq, PartialOrd, Ord)]
    pub struct RuleId(pub String);

    impl<'de> Deserialize<'de> for RuleId {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let id = String::deserialize(d)?;
            if crate::codes::by_id(&id).is_none() {
                return Err(D::Error::custom(format!(
                    "unknown rule `{id}`{}",
                    super::suggest(&id, crate::codes::ALL.iter().map(|r| r.id))
                )));
            }
            Ok(RuleId(id))
        }
    }
}

#[derive(Debug, Clone, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JobConfig {
    /// Shown in the output, selected by `--job NAME` and skipped by `HOOKCTL_SKIP=NAME`; not
    /// the name of a check group.
    #[serde(deserialize_with = "check::job_name")]
    #[schemars(schema_with = "schema::job_name")]
    pub name: String,
    /// The command, run with `sh -c`. `{files}` is replaced by the matching files, shell-quoted
    /// (so never inside quotes of your own).
    #[serde(deserialize_with = "check::run")]
    pub run: String,
    /// `false` drops the job; over a job inherited through `extends` (same `name`), it drops
    /// that job and needs no `run` of its own. Default: true.
    pub enabled: Option<bool>,
    /// Only files matching: without `/` a file name in any folder, with `/` a repo-relative
    /// path; `**` crosses folders.
    #[serde(default)]
    #[schemars(with = "Option<Patterns>")]
    pub glob: Option<pattern::Matcher>,
    /// Files matching are left out.
    #[serde(default)]
    #[schemars(with = "Option<Patterns>")]
    pub exclude: Option<pattern::Matcher>,
    /// A sub-folder to run in; `{files}` are then relative to it and limited to it.
    #[serde(default)]
    #[schemars(schema_with = "schema::root")]
    pub root: Option<pattern::JobRoot>,
    /// Environment variables set for the command.
    #[serde(default, deserialize_with = "check::env")]
    pub env: BTreeMap<String, String>,
    /// Stop the job after this long.
    pub timeout: Option<Timeout>,
    /// Run in a temporary checkout of exactly the snapshot.
    #[serde(default)]
    pub clean: bool,
    /// Paths linked from the work tree into the clean checkout (default: `node_modules`).
    pub link: Option<Vec<String>>,
    /// Printed when the job fails.
    pub fail_text: Option<String>,
    /// A fixer: files it changed that had no unstaged edits are re-staged (`git add`). Without
    /// it, a job that changes a staged file fails the hook.
    #[serde(default)]
    pub stage_fixed: bool,
    /// Run alone, with the terminal as stdin/stdout/stderr (prompts).
    #[serde(default)]
    pub interactive: bool,
    /// Skip the job when any of these holds: `true`, `merge`, `merge-commit`, `rebase`, `cherry-pick`,
    /// `revert`, `amend`, `ci`, `{ ref = "main" }` (branch globs), `{ run = "command" }` (exit 0).
    #[serde(default)]
    pub skip: Option<condition::Conditions>,
    /// Run the job only when any of these holds (the same conditions as `skip`).
    #[serde(default)]
    pub only: Option<condition::Conditions>,
    /// The group the job runs in: groups run one after another, in the order of `[[groups]]`
    /// (else of their first job), the jobs of a group at the same time.
    pub group: Option<String>,
    /// A shorthand for groups: jobs of the same priority run together, lower first; jobs
    /// without one run last.
    pub priority: Option<u32>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a table of hook settings (`[hook]`), or one of `rules`, `imports`, `env`, `scan`, `secrets`, `deps`"
)]
pub struct HookConfig {
    /// Built-in check groups to run: `imports`, `files`, `env`, `secrets`, `deps`, `git` (`git/clean`: pre-deploy, pre-push and hooks that list it). Default: all.
    #[serde(default, deserialize_with = "check::groups")]
    #[schemars(schema_with = "schema::check_groups")]
    pub checks: Option<Vec<String>>,
    /// Run the jobs at the same time (default true); false runs them one after another.
    pub parallel: Option<bool>,
    /// Stop at the first failing job (default false).
    pub fail_fast: Option<bool>,
    /// The team's own commands (`[[pre-commit.jobs]]`).
    #[serde(default)]
    pub jobs: Vec<JobConfig>,
    /// Skip the whole hook (built-in checks and jobs) when any of these holds (see a job's `skip`).
    #[serde(default)]
    pub skip: Option<condition::Conditions>,
    /// Run the hook only when any of these holds.
    #[serde(default)]
    pub only: Option<condition::Conditions>,
    /// Named groups of jobs, in the order they run, with their own `fail_fast` and `parallel`.
    #[serde(default)]
    pub groups: Vec<condition::GroupConfig>,
    /// Where the built-in checks run: `"first"` (default) or `"last"`, after every job group.
    pub checks_order: Option<condition::ChecksOrder>,
    /// `post-checkout` only: also run after a file checkout (`git checkout -- file`, git's flag
    /// 0), not only after a branch checkout (default false).
    pub file_checkout: Option<bool>,
}

/// The whole configuration. Top-level tables other than `rules`, `imports` and `env` are hooks.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Where it was loaded from (None: defaults).
    pub path: Option<PathBuf>,
    pub rules: BTreeMap<String, Level>,
    pub imports: ImportsConfig,
    pub env: EnvConfig,
    pub hooks: BTreeMap<String, HookConfig>,
    /// `min_version = "0.2.0"`: the oldest hookctl this configuration accepts (checked at load).
    pub min_version: Option<String>,
    pub scan: ScanConfig,
    pub secrets: SecretsConfig,
    pub deps: DepsConfig,
    pub commit: CommitConfig,
    pub server: ServerConfig,
    /// `extends = [...]` as written in the file (already merged in: see [`extends`]).
    pub extends: Vec<String>,
    /// The files this configuration was merged from, bases first (empty: one file or none).
    pub sources: Vec<String>,
    pub cache: CacheConfig,
    /// `[rules]` of the `hookctl.toml` files inside workspace packages: `(folder, levels)`, the
    /// nearest folder's level wins for a finding under it (as lint-staged's nearest config).
    pub nested_rules: Vec<(String, RuleLevels)>,
    /// `extends` entries naming npm packages that could not be read ([`Config::from_commit`]:
    /// a server installs no packages), each as `"<package>" (<file>:<line>)`.
    pub unread_extends: Vec<String>,
    /// The workspace packages whose `hookctl.toml` changes a per-file setting (`[imports]`,
    /// `[env]`, `[deps]`, `[secrets]`, `[scan]`, or turns on a rule the root turns off: see
    /// [`Config::needs_own_pass`]; levels alone are [`Config::level_at`]'s), each with its whole
    /// configuration as a run of that package has it: a run of the whole repository checks the
    /// files under each folder with it (nearest wins), the rest with this one. Empty in a run
    /// of one package and with `--config`.
    pub scopes: Vec<Scope>,
}

/// A workspace package with settings of its own: see [`Config::scopes`].
#[derive(Debug, Clone)]
pub struct Scope {
    /// Repo-relative, `/`-separated.
    pub folder: String,
    pub config: Config,
    /// Its per-file settings need an engine pass of their own ([`Config::needs_own_pass`]);
    /// false when only a hook's own keys differ from the root's.
    pub pass: bool,
}

/// `[rules]`: rule id -> level.
pub type RuleLevels = BTreeMap<String, Level>;

pub const CHECK_GROUPS: &[&str] = &["imports", "files", "env", "secrets", "deps", "git", "commit-msg"];

impl Config {
    /// Load `hookctl.toml` (or `explicit`) from `root`, then `hookctl.local.toml` on top.
    pub fn load(root: &Path, explicit: Option<&Path>) -> Result<Config, Error> {
        Config::load_for(root, explicit, None)
    }

    /// [`Config::load`] for a run of one workspace package (`folder`, repo-relative): its
    /// `hookctl.toml` (if any) merged over the root's as if it extended it (tables key by
    /// key, jobs by name, its values winning), its jobs rooted in its folder.
    pub fn load_for(root: &Path, explicit: Option<&Path>, package: Option<&str>) -> Result<Config, Error> {
        let mut config = Config::default();
        let main = match explicit {
            Some(p) => Some(if p.is_absolute() {
                p.to_path_buf()
            } else {
                root.join(p)
            }),
            None => Some(root.join(FILE_NAME)).filter(|p| p.is_file()),
        };
        let read = |path: &Path| {
            std::fs::read_to_string(path).map_err(|source| Error::Read {
                path: path.to_path_buf(),
                source,
            })
        };
        let nested = package
            .map(|f| (f, root.join(f).join(FILE_NAME)))
            .filter(|(_, p)| p.is_file());
        let loaded = match (&main, nested) {
            (Some(path), None) => Some(load_file(path, read(path)?, root)?),
            (main, Some((folder, file))) => {
                let own = read(&file)?;
                nested::refuse_repository_wide(&file, &own)?;
                let mut layers = Vec::new();
                if let Some(path) = main {
                    layers.push((path.clone(), read(path)?, None));
                }
                layers.push((file.clone(), own, Some(folder.to_string())));
                // What a base of the package's chain sets for the whole repository is left out
                // there: the root's stays.
                Some(extends::Chain::load_layers(layers, root)?.config()?)
            }
            (None, None) => None,
        };
        if let Some(loaded) = loaded {
            config.extends.clone_from(&loaded.extends);
            config.sources.clone_from(&loaded.sources);
            config.merge(loaded);
            config.path = main;
        }
        let local = root.join(LOCAL_FILE_NAME);
        if local.is_file() {
            let text = std::fs::read_to_string(&local).map_err(|source| Error::Read {
                path: local.clone(),
                source,
            })?;
            config.merge(load_file(&local, text, root)?);
        }
        config.drop_disabled_jobs();
        if explicit.is_none() {
            config.nested_rules = crate::config::nested::nested_rules(root)?;
            // In a run of one package, the packages inside its folder (nearest wins there too).
            config.scopes = nested::scopes(root, &config, package.unwrap_or(""))?;
        }
        Ok(config)
    }

    /// The configuration committed in `commit` (defaults without a `hookctl.toml` at its top):
    /// what a server checks a pushed commit with, where no work tree holds one. Read as the
    /// client reads its work tree: `extends` entries that are files of the commit, and the
    /// `[rules]` of the `hookctl.toml` of each workspace package (nested package configs add
    /// nothing else to a whole-repository check; jobs never run on a server). Not read:
    /// `hookctl.local.toml` (never committed) and npm packages named by `extends`, which are
    /// not installed on a server: they are skipped, each named in
    /// [`Config::unread_extends`] for the server to say so, and the rest of the chain applies.
    /// Paths in messages are shown as git names them, `<commit>:hookctl.toml`.
    pub fn from_commit(repo: &git2::Repository, commit: git2::Oid) -> Result<Config, Error> {
        let short: String = commit.to_string().chars().take(10).collect();
        let path = PathBuf::from(format!("{short}:{FILE_NAME}"));
        let read_err = |e: git2::Error| Error::Read {
            path: path.clone(),
            source: std::io::Error::other(e.message().to_string()),
        };
        let tree = repo
            .find_commit(commit)
            .and_then(|c| c.tree())
            .map_err(read_err)?;
        let has_main = tree.get_name(FILE_NAME).is_some();
        // Nested package configs need workspaces, declared at the top.
        if !has_main
            && tree.get_name("package.json").is_none()
            && tree.get_name("pnpm-workspace.yaml").is_none()
        {
            return Ok(Config::default());
        }
        // The files a configuration is read from, written out as they are in the commit; the
        // loader then reads them exactly as it reads a work tree.
        let dir = tempfile::tempdir().map_err(|source| Error::Read {
            path: path.clone(),
            source,
        })?;
        commit_files::write_config_files(repo, &tree, dir.path()).map_err(|source| Error::Read {
            path: path.clone(),
            source,
        })?;
        let root = dir
            .path()
            .canonicalize()
            .unwrap_or_else(|_| dir.path().to_path_buf());
        let (loaded, unread) = extends::without_packages(|| Config::load_committed(&root));
        let mut config = loaded.map_err(|e| e.relocated(&root, &short))?;
        config.path = has_main.then_some(path);
        config.unread_extends = unread;
        Ok(config)
    }

    /// What a server says when [`Config::unread_extends`] is not empty (the pre-receive hook
    /// and `check --rev` in a bare repository say the same), `None` when every base was read.
    pub fn unread_extends_note(&self) -> Option<String> {
        let unread = &self.unread_extends;
        (!unread.is_empty()).then(|| {
            format!(
                "`extends` {} {} not read: npm packages are not installed on the server; checked with the rest of the configuration",
                unread.join(", "),
                if unread.len() == 1 { "was" } else { "were" },
            )
        })
    }

    /// [`Config::load`] of a folder holding a commit's configuration files: no
    /// `hookctl.local.toml` (never committed, so never the pushed commit's).
    fn load_committed(root: &Path) -> Result<Config, Error> {
        let main = root.join(FILE_NAME);
        let mut config = Config::default();
        if main.is_file() {
            let text = std::fs::read_to_string(&main).map_err(|source| Error::Read {
                path: main.clone(),
                source,
            })?;
            let loaded = load_file(&main, text, root)?;
            config.extends.clone_from(&loaded.extends);
            config.sources.clone_from(&loaded.sources);
            config.merge(loaded);
            config.drop_disabled_jobs();
        }
        config.nested_rules = crate::config::nested::nested_rules(root)?;
        Ok(config)
    }

    /// The level of a rule for a finding at `path`: the nearest workspace package's `[rules]`
    /// that sets it, else the root configuration's, else the rule's default.
    pub fn level_at(&self, rule: &crate::codes::Rule, path: &str) -> Level {
        self.nested_rules
            .iter()
            .filter(|(dir, _)| path.starts_with(&format!("{dir}/")))
            .max_by_key(|(dir, _)| dir.len())
            .and_then(|(_, rules)| rules.get(rule.id).copied())
            .unwrap_or_else(|| self.level(rule))
    }

    /// The configuration the file at `path` is checked with: the nearest workspace package's
    /// that has settings of its own (see [`Config::scopes`]), else this one.
    pub fn at(&self, path: &str) -> &Config {
        self.scopes
            .iter()
            .filter(|s| path.starts_with(&format!("{}/", s.folder)))
            .max_by_key(|s| s.folder.len())
            .map_or(self, |s| &s.config)
    }

    /// Does a package configured as `self` need a pass of the engine of its own, or do the
    /// root's (`base`) findings with the package's levels ([`Config::level_at`], applied when
    /// findings are finalized) give the same answer? A pass is needed when a per-file setting
    /// besides `[rules]` differs, or when the package turns on a rule the root turns off (the
    /// root's pass never runs it).
    pub fn needs_own_pass(&self, base: &Config) -> bool {
        (&self.imports, &self.env, &self.deps, &self.secrets, &self.scan)
            != (&base.imports, &base.env, &base.deps, &base.secrets, &base.scan)
            || crate::codes::ALL
                .iter()
                .any(|r| self.level(r) != Level::Off && base.level(r) == Level::Off)
    }

    /// Does a package configured as `self` run some hook otherwise than `base` (a hook's own
    /// keys: `checks`, `parallel`, `fail_fast`, `skip`, `only`, `groups`, `checks_order`,
    /// `file_checkout`)? Its jobs then run as a part of their own in a run of the whole
    /// repository.
    pub fn hooks_differ(&self, base: &Config) -> bool {
        let names = self.hooks.keys().chain(base.hooks.keys());
        names.into_iter().any(|h| self.hook_keys(h) != base.hook_keys(h))
    }

    /// The `[hook]` table's own keys (its jobs left out); defaults when the hook has none.
    pub fn hook_keys(&self, hook: &str) -> HookConfig {
        HookConfig {
            jobs: Vec::new(),
            ..self.hooks.get(hook).cloned().unwrap_or_default()
        }
    }

    /// Jobs set `enabled = false` (in one file, or over an inherited job) do not run.
    pub fn drop_disabled_jobs(&mut self) {
        for hc in self.hooks.values_mut() {
            hc.jobs.retain(|j| j.enabled != Some(false));
        }
    }

    fn merge(&mut self, other: Config) {
        self.rules.extend(other.rules);
        self.imports.generated.extend(other.imports.generated);
        self.imports.not_files.extend(other.imports.not_files);
        self.imports.allow_packages.extend(other.imports.allow_packages);
        self.imports
            .style_load_paths
            .extend(other.imports.style_load_paths);
        self.env.allow.extend(other.env.allow);
        self.env.accessors.extend(other.env.accessors);
        self.env.public_prefixes.extend(other.env.public_prefixes);
        self.env.client_prefixes.extend(other.env.client_prefixes);
        self.env.turbo_tasks.extend(other.env.turbo_tasks);
        self.env.vars.extend(other.env.vars);
        if other.env.committed_env_files_declare.is_some() {
            self.env.committed_env_files_declare = other.env.committed_env_files_declare;
        }
        if other.env.turbo_declares.is_some() {
            self.env.turbo_declares = other.env.turbo_declares;
        }
        if other.env.fallback_reads.is_some() {
            self.env.fallback_reads = other.env.fallback_reads;
        }
        self.hooks.extend(other.hooks);
        let c = other.commit;
        if c.conventional.is_some() {
            self.commit.conventional = c.conventional;
        }
        if c.types.is_some() {
            self.commit.types = c.types;
        }
        if c.max_subject_length.is_some() {
            self.commit.max_subject_length = c.max_subject_length;
        }
        if c.ticket.is_some() {
            self.commit.ticket = c.ticket;
        }
        if other.min_version.is_some() {
            self.min_version = other.min_version;
        }
        if other.scan.max_file_size.is_some() {
            self.scan.max_file_size = other.scan.max_file_size;
        }
        if other.secrets.entropy.is_some() {
            self.secrets.entropy = other.secrets.entropy;
        }
        if other.secrets.skip.is_some() {
            self.secrets.skip = other.secrets.skip;
        }
        if other.deps.dev_globs.is_some() {
            self.deps.dev_globs = other.deps.dev_globs;
        }
        let c = other.cache;
        if c.remote.is_some() {
            self.cache.remote = c.remote;
        }
        if c.remote_write.is_some() {
            self.cache.remote_write = c.remote_write;
        }
        if c.remote_min_misses.is_some() {
            self.cache.remote_min_misses = c.remote_min_misses;
        }
        if c.remote_timeout.is_some() {
            self.cache.remote_timeout = c.remote_timeout;
        }
        if other.server.timeout.is_some() {
            self.server.timeout = other.server.timeout;
        }
        if other.server.on_timeout.is_some() {
            self.server.on_timeout = other.server.on_timeout;
        }
    }

    /// The configured level of a rule, or its default.
    pub fn level(&self, rule: &crate::codes::Rule) -> Level {
        self.rules.get(rule.id).copied().unwrap_or(rule.default)
    }

    pub fn hook(&self, name: &str) -> Option<&HookConfig> {
        self.hooks.get(name)
    }
}

/// Parse one configuration file's text: one deserialization of the whole file, so that every
/// error carries toml's line, column and snippet.
pub fn parse(path: &Path, text: &str) -> Result<Config, Error> {
    check_min_version(path, text)?;
    let config = toml::from_str::<File>(text)
        .map(|f| f.0)
        .map_err(|source| Error::Parse {
            path: path.to_path_buf(),
            source: Box::new(source),
        })?;
    validate_order(path, text, &config)?;
    Ok(config)
}

/// Keys that are each valid but do not fit together (a job's `group` and `priority`), checked on
/// a file's own config and again on an `extends` chain's merged result.
fn validate_order(path: &Path, text: &str, config: &Config) -> Result<(), Error> {
    for (name, hc) in &config.hooks {
        condition::validate_order(hc).map_err(|e| Error::Invalid {
            path: path.to_path_buf(),
            line: condition::locate(text, name, &e),
            message: e.message,
        })?;
    }
    Ok(())
}

/// One file's configuration with its `extends` chain merged under it (see [`extends`]); a
/// file without `extends` is [`parse`]d as it is. `root` bounds the `node_modules` search.
pub fn load_file(path: &Path, text: String, root: &Path) -> Result<Config, Error> {
    if extends::has_extends(&text) {
        let config = extends::Chain::load(path, text.clone(), root)?.config()?;
        validate_order(path, &text, &config)?;
        Ok(config)
    } else {
        parse(path, &text)
    }
}

/// Before anything else: a newer file may use keys this binary does not know, and "needs
/// hookctl X" is the useful message then, not "unknown key".
fn check_min_version(path: &Path, text: &str) -> Result<(), Error> {
    if let Ok(table) = text.parse::<toml::Table>()
        && let Some(value) = table.get("min_version")
    {
        let line = text
            .lines()
            .position(|l| l.trim_start().starts_with("min_version"))
            .map_or(1, |i| i + 1);
        let required = value.as_str().ok_or_else(|| Error::MinVersion {
            path: path.to_path_buf(),
            line,
            message: "`min_version` must be a version string such as \"0.2.0\"".into(),
        })?;
        crate::origin::check_min_version(required).map_err(|e| Error::MinVersion {
            path: path.to_path_buf(),
            line,
            message: e.to_string(),
        })?;
    }
    Ok(())
}

/// The top level of `hookctl.toml`: `rules`, `imports`, `env`, `scan`, and any other table is a
/// hook (git's or a custom one such as `pre-deploy`).
struct File(Config);

impl<'de> Deserialize<'de> for File {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(FileVisitor)
    }
}

struct FileVisitor;

impl<'de> serde::de::Visitor<'de> for FileVisitor {
    type Value = File;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("tables of settings")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<File, A::Error> {
        let mut config = Config::default();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "rules" => {
                    let rules: BTreeMap<check::RuleId, Level> = map.next_value()?;
                    config.rules = rules.into_iter().map(|(k, v)| (k.0, v)).collect();
                }
                "imports" => config.imports = map.next_value()?,
                "env" => config.env = map.next_value()?,
                "scan" => config.scan = map.next_value()?,
                "secrets" => config.secrets = map.next_value()?,
                "deps" => config.deps = map.next_value()?,
                "commit" => config.commit = map.next_value()?,
                "cache" => config.cache = map.next_value()?,
                "server" => config.server = map.next_value()?,
                // Checked against this binary before deserializing (`parse`).
                "min_version" => config.min_version = Some(map.next_value()?),
                // Resolved and merged before deserializing (`extends`).
                "extends" => config.extends = map.next_value::<Extends>()?.0,
                _ => {
                    let hc = map.next_value_seed(HookSeed(&key))?;
                    config.hooks.insert(key, hc);
                }
            }
        }
        Ok(File(config))
    }
}

/// `extends`: one entry or a list.
struct Extends(Vec<String>);

impl<'de> Deserialize<'de> for Extends {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            One(String),
            Many(Vec<String>),
        }
        Ok(Extends(match Raw::deserialize(d)? {
            Raw::One(s) => vec![s],
            Raw::Many(v) => v,
        }))
    }
}

/// A hook table. A name within two edits of a git hook's (`[pre-comit]`) is a typo that would
/// silently define a custom hook nobody runs: an error, with the name meant.
struct HookSeed<'a>(&'a str);

impl<'de> serde::de::DeserializeSeed<'de> for HookSeed<'_> {
    type Value = HookConfig;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<HookConfig, D::Error> {
        let name = self.0;
        if !crate::hook_names::GIT_HOOKS.contains(&name)
            && let Some((_, hook)) = crate::hook_names::GIT_HOOKS
                .iter()
                .map(|h| (strsim::levenshtein(name, h), *h))
                .filter(|(dist, _)| *dist <= 2)
                .min()
        {
            return Err(serde::de::Error::custom(format!(
                "`[{name}]` is not a git hook: did you mean `[{hook}]`? (a custom hook needs a name further from git's, e.g. `[pre-deploy]`)"
            )));
        }
        HookConfig::deserialize(d)
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..text.floor_char_boundary(offset)];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// ` (did you mean `x`?)` when a known name is close to `word`.
pub fn suggest<'a>(word: &str, known: impl Iterator<Item = &'a str>) -> String {
    known
        .map(|k| (strsim::levenshtein(word, k), k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min()
        .map(|(_, k)| format!(" (did you mean `{k}`?)"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_hooks_and_rules() {
        let c = parse(
            Path::new("hookctl.toml"),
            r#"
[rules]
"env/unused" = "warning"

[env]
allow = ["FOO"]

[env.vars.STRIPE_SECRET_KEY]
starts_with = "sk_test_"
[env.vars.STRIPE_SECRET_KEY.environments.production]
starts_with = "sk_live_"

[pre-commit]
checks = ["imports"]
[[pre-commit.jobs]]
name = "lint"
run = "eslint {files}"
glob = "*.{ts,tsx}"
timeout = "2m"

[pre-deploy]
[[pre-deploy.jobs]]
name = "build"
run = "npm run build"
clean = true
"#,
        )
        .unwrap();
        assert_eq!(c.rules["env/unused"], Level::Warning);
        assert_eq!(c.env.allow, ["FOO"]);
        assert!(c.env.committed_env_files_declare() && c.env.turbo_declares());
        let off = parse(
            Path::new("hookctl.toml"),
            "[env]\ncommitted_env_files_declare = false\nturbo_declares = false\n",
        )
        .unwrap();
        assert!(!off.env.committed_env_files_declare() && !off.env.turbo_declares());
        let mut merged = off.clone();
        merged.merge(parse(Path::new("l.toml"), "[env]\nturbo_declares = true\n").unwrap());
        assert!(!merged.env.committed_env_files_declare() && merged.env.turbo_declares());
        let v = &c.env.vars["STRIPE_SECRET_KEY"];
        assert_eq!(
            v.environments["production"].starts_with.as_deref(),
            Some("sk_live_")
        );
        let pc = &c.hooks["pre-commit"];
        assert_eq!(
            pc.jobs[0].timeout,
            Some(Timeout(std::time::Duration::from_mins(2)))
        );
        assert!(c.hooks["pre-deploy"].jobs[0].clean);
    }

    #[test]
    fn unknown_keys_are_errors_with_location() {
        let e = parse(
            Path::new("h.toml"),
            "[pre-commit]\n[[pre-commit.jobs]]\nname = \"x\"\nrun = \"y\"\nglobb = \"*\"\n",
        )
        .unwrap_err()
        .chain();
        assert!(e.contains("globb"), "{e}");
        assert!(e.contains("h.toml"), "{e}");
        let e = parse(Path::new("h.toml"), "[rules]\n\"imports/untraked\" = \"off\"\n")
            .unwrap_err()
            .chain();
        assert!(e.contains("did you mean `imports/untracked`"), "{e}");
        let e = parse(Path::new("h.toml"), "[rules\n").unwrap_err().chain();
        assert!(e.contains("line 1"), "{e}");
        let e = parse(Path::new("h.toml"), "[pre-commit]\nchecks = [\"importz\"]\n")
            .unwrap_err()
            .chain();
        assert!(e.contains("did you mean `imports`"), "{e}");
    }

    #[test]
    fn secrets_table() {
        let d = Config::default();
        assert!(!d.secrets.entropy());
        assert_eq!(d.secrets.skip().as_slice(), SecretsConfig::DEFAULT_SKIP);
        let c = parse(
            Path::new("h.toml"),
            "[secrets]\nentropy = true\nskip = [\"e2e/**\"]\n",
        )
        .unwrap();
        assert!(c.secrets.entropy());
        assert_eq!(c.secrets.skip().as_slice(), ["e2e/**"]);
        let mut merged = c.clone();
        merged.merge(parse(Path::new("l.toml"), "[secrets]\nentropy = false\n").unwrap());
        assert!(!merged.secrets.entropy());
        assert_eq!(merged.secrets.skip().as_slice(), ["e2e/**"]);
        let e = parse(Path::new("h.toml"), "[secrets]\nskip = [\"a/[b\"]\n")
            .unwrap_err()
            .chain();
        assert!(e.contains("invalid glob"), "{e}");
        let e = parse(Path::new("h.toml"), "[secrets]\nentropi = true\n")
            .unwrap_err()
            .chain();
        assert!(e.contains("entropi"), "{e}");
    }
}
