//! `hookctl.toml`: serde types, loading and validation. Settings are resolved once per command.
//! Unknown keys are rejected (with the file, line and column); a malformed file is exit 2.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diagnostic::Severity;

pub const FILE_NAME: &str = "hookctl.toml";
pub const LOCAL_FILE_NAME: &str = "hookctl.local.toml";

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path}: {message}")]
    Parse { path: PathBuf, message: String },
}

/// A rule's configured level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
    Off,
}

impl Level {
    pub fn severity(self) -> Option<Severity> {
        match self {
            Level::Error => Some(Severity::Error),
            Level::Warning => Some(Severity::Warning),
            Level::Off => None,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportsConfig {
    /// Folders of generated code (git-ignored by design) whose files are never reported as
    /// untracked. Added to the built-in list.
    #[serde(default)]
    pub generated: Vec<String>,
    /// Regular expressions: specifiers matching one are not files and are skipped.
    #[serde(default)]
    pub not_files: Vec<String>,
    /// Packages that may be imported without being declared (e.g. provided by the platform).
    #[serde(default)]
    pub allow_packages: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
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
}

/// `[env.vars.NAME]`: the rules a value must follow. `environments.<name>` overrides fields
/// for one environment (`hookctl env check --environment production`).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct VarRule {
    pub optional: Option<bool>,
    pub min_length: Option<usize>,
    pub format: Option<ValueFormat>,
    pub pattern: Option<String>,
    pub one_of: Option<Vec<String>>,
    pub starts_with: Option<String>,
    #[serde(default)]
    pub environments: BTreeMap<String, VarRule>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ValueFormat {
    Url,
    Port,
    Int,
    Bool,
    Email,
    Uuid,
}

/// A job's `glob`/`exclude`: one pattern or a list.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum Patterns {
    One(String),
    Many(Vec<String>),
}

impl Patterns {
    pub fn list(&self) -> Vec<String> {
        match self {
            Patterns::One(s) => vec![s.clone()],
            Patterns::Many(v) => v.clone(),
        }
    }
}

/// A duration: seconds as a number, or a string like "90s", "5m", "1h".
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timeout(pub std::time::Duration);

impl<'de> Deserialize<'de> for Timeout {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Secs(u64),
            Text(String),
        }
        let secs = match Raw::deserialize(d)? {
            Raw::Secs(s) => s,
            Raw::Text(t) => parse_duration(&t).map_err(serde::de::Error::custom)?,
        };
        Ok(Timeout(std::time::Duration::from_secs(secs)))
    }
}

fn parse_duration(t: &str) -> Result<u64, String> {
    let t = t.trim();
    let (num, mult) = match t.chars().last() {
        Some('s') => (&t[..t.len() - 1], 1),
        Some('m') => (&t[..t.len() - 1], 60),
        Some('h') => (&t[..t.len() - 1], 3600),
        _ => (t, 1),
    };
    num.trim()
        .parse::<u64>()
        .map(|n| n * mult)
        .map_err(|_| format!("invalid duration `{t}`: use seconds, or e.g. \"90s\", \"5m\", \"1h\""))
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct JobConfig {
    pub name: String,
    /// The command, run with `sh -c`. `{files}` is replaced by the matching files, shell-quoted.
    pub run: String,
    pub glob: Option<Patterns>,
    pub exclude: Option<Patterns>,
    /// A sub-folder to run in; `{files}` are then relative to it and limited to it.
    pub root: Option<String>,
    #[serde(default)]
    pub env: BTreeMap<String, String>,
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
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct HookConfig {
    /// Built-in check groups to run: `imports`, `env`, `secrets`, `files`. Default: all.
    pub checks: Option<Vec<String>>,
    pub parallel: Option<bool>,
    pub fail_fast: Option<bool>,
    #[serde(default)]
    pub jobs: Vec<JobConfig>,
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
}

pub const CHECK_GROUPS: &[&str] = &["imports", "files", "env", "secrets"];

impl Config {
    /// Load `hookctl.toml` (or `explicit`) from `root`, then `hookctl.local.toml` on top.
    pub fn load(root: &Path, explicit: Option<&Path>) -> Result<Config, Error> {
        let mut config = Config::default();
        let main = match explicit {
            Some(p) => Some(if p.is_absolute() {
                p.to_path_buf()
            } else {
                root.join(p)
            }),
            None => Some(root.join(FILE_NAME)).filter(|p| p.is_file()),
        };
        if let Some(path) = main {
            let text = std::fs::read_to_string(&path).map_err(|source| Error::Read {
                path: path.clone(),
                source,
            })?;
            config.merge(parse(&path, &text)?);
            config.path = Some(path);
        }
        let local = root.join(LOCAL_FILE_NAME);
        if local.is_file() {
            let text = std::fs::read_to_string(&local).map_err(|source| Error::Read {
                path: local.clone(),
                source,
            })?;
            config.merge(parse(&local, &text)?);
        }
        Ok(config)
    }

    fn merge(&mut self, other: Config) {
        self.rules.extend(other.rules);
        self.imports.generated.extend(other.imports.generated);
        self.imports.not_files.extend(other.imports.not_files);
        self.imports.allow_packages.extend(other.imports.allow_packages);
        self.env.allow.extend(other.env.allow);
        self.env.accessors.extend(other.env.accessors);
        self.env.public_prefixes.extend(other.env.public_prefixes);
        self.env.vars.extend(other.env.vars);
        if other.env.committed_env_files_declare.is_some() {
            self.env.committed_env_files_declare = other.env.committed_env_files_declare;
        }
        if other.env.turbo_declares.is_some() {
            self.env.turbo_declares = other.env.turbo_declares;
        }
        self.hooks.extend(other.hooks);
    }

    /// The configured level of a rule, or its default.
    pub fn level(&self, rule: &crate::rules::Rule) -> Level {
        self.rules.get(rule.id).copied().unwrap_or(rule.default)
    }

    pub fn hook(&self, name: &str) -> Option<&HookConfig> {
        self.hooks.get(name)
    }
}

/// Parse one configuration file's text. Errors carry the path and `line:column`.
pub fn parse(path: &Path, text: &str) -> Result<Config, Error> {
    let err = |message: String| Error::Parse {
        path: path.to_path_buf(),
        message,
    };
    let table: toml::Table = toml::from_str(text).map_err(|e| err(toml_message(text, &e)))?;
    let mut config = Config::default();
    for (key, value) in table {
        let sub = toml::to_string(&value).unwrap_or_default();
        // Re-parse the sub-table to get typed errors; spans are then relative to the sub-table,
        // so locate the key in the original text for the line number.
        let line = find_key_line(text, &key);
        let at = |e: toml::de::Error| err(format!("line {line}: in `[{key}]`: {}", e.message()));
        match key.as_str() {
            "rules" => {
                let rules: BTreeMap<String, Level> = toml::from_str(&sub).map_err(at)?;
                for id in rules.keys() {
                    if crate::rules::by_id(id).is_none() {
                        return Err(err(format!(
                            "line {}: unknown rule `{id}`{}",
                            find_key_line(text, id),
                            suggest(id, crate::rules::ALL.iter().map(|r| r.id))
                        )));
                    }
                }
                config.rules = rules;
            }
            "imports" => config.imports = toml::from_str(&sub).map_err(at)?,
            "env" => config.env = toml::from_str(&sub).map_err(at)?,
            hook => {
                if !value.is_table() {
                    return Err(err(format!(
                        "line {line}: `{hook}` must be a table of hook settings (`[{hook}]`), or one of `rules`, `imports`, `env`"
                    )));
                }
                let hc: HookConfig = toml::from_str(&sub).map_err(at)?;
                if let Some(checks) = &hc.checks {
                    for c in checks {
                        if !CHECK_GROUPS.contains(&c.as_str()) {
                            return Err(err(format!(
                                "line {line}: in `[{hook}]`: unknown check `{c}`{} (known: {})",
                                suggest(c, CHECK_GROUPS.iter().copied()),
                                CHECK_GROUPS.join(", ")
                            )));
                        }
                    }
                }
                for job in &hc.jobs {
                    // `HOOKCTL_SKIP=imports` and `--job` could not tell the job from the group.
                    if CHECK_GROUPS.contains(&job.name.as_str()) {
                        return Err(err(format!(
                            "line {}: in `[{hook}]`: a job cannot be named `{}`, the name of a built-in check group ({}); rename the job",
                            find_key_line(text, &format!("name = \"{}\"", job.name)),
                            job.name,
                            CHECK_GROUPS.join(", ")
                        )));
                    }
                }
                config.hooks.insert(hook.to_string(), hc);
            }
        }
    }
    Ok(config)
}

fn toml_message(text: &str, e: &toml::de::Error) -> String {
    match e.span() {
        Some(span) => {
            let (line, col) = line_col(text, span.start);
            format!("line {line}, column {col}: {}", e.message())
        }
        None => e.message().to_string(),
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

fn find_key_line(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| {
            let l = l.trim_start().trim_start_matches('[').trim_start_matches('"');
            l.starts_with(key)
        })
        .map_or(1, |i| i + 1)
}

/// ` (did you mean `x`?)` when a known name is close to `word`.
pub fn suggest<'a>(word: &str, known: impl Iterator<Item = &'a str>) -> String {
    known
        .map(|k| (strsim(word, k), k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min()
        .map(|(_, k)| format!(" (did you mean `{k}`?)"))
        .unwrap_or_default()
}

/// Levenshtein distance.
fn strsim(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            cur.push(
                (prev[j] + usize::from(ca != *cb))
                    .min(prev[j + 1] + 1)
                    .min(cur[j] + 1),
            );
        }
        prev = cur;
    }
    prev[b.len()]
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
            Some(Timeout(std::time::Duration::from_secs(120)))
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
        .to_string();
        assert!(e.contains("globb"), "{e}");
        assert!(e.contains("h.toml"), "{e}");
        let e = parse(Path::new("h.toml"), "[rules]\n\"imports/untraked\" = \"off\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("did you mean `imports/untracked`"), "{e}");
        let e = parse(Path::new("h.toml"), "[rules\n").unwrap_err().to_string();
        assert!(e.contains("line 1"), "{e}");
        let e = parse(Path::new("h.toml"), "[pre-commit]\nchecks = [\"importz\"]\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("did you mean `imports`"), "{e}");
    }
}
