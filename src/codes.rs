//! Rule ids and levels: the leaf every other module names rules through (ruff's `codes.rs`).
//! A rule's logic lives in `src/rules/<group>_<name>.rs`, named after its id
//! (`imports/untracked` -> `rules/imports_untracked.rs`); this file holds only its identity,
//! default level and one-line summary, so config, reports and the engine need no rule code.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
/// How bad a finding is, once its rule's level is applied.
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A rule's configured level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
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

/// A rule's identity and documentation. A finding holds `&'static Rule` (one of the
/// constants below), so a misspelt rule cannot compile and a rule's level and summary are one
/// field away. Two rules are the same rule when their ids are equal.
#[derive(Debug)]
pub struct Rule {
    pub id: &'static str,
    pub default: Level,
    /// One line: what fires it.
    pub summary: &'static str,
}

macro_rules! rules {
    ($($konst:ident = $id:literal, $level:ident, $summary:literal;)*) => {
        $(pub const $konst: Rule = Rule { id: $id, default: Level::$level, summary: $summary };)*
        pub const ALL: &[Rule] = &[$($konst),*];
    };
}

rules! {
    IMPORTS_UNTRACKED = "imports/untracked", Error, "an import resolves only to a file on disk that is not in the snapshot";
    IMPORTS_UNRESOLVED = "imports/unresolved", Error, "an import resolves to nothing, in the snapshot or on disk";
    IMPORTS_CASE_MISMATCH = "imports/case-mismatch", Error, "an import resolves only when letter case is ignored";
    FILES_CASE_COLLISION = "files/case-collision", Error, "two snapshot paths differ only by letter case";
    IMPORTS_UNDECLARED_DEPENDENCY = "imports/undeclared-dependency", Error, "a bare import names a package no package.json declares";
    IMPORTS_UNKNOWN_SPECIFIER = "imports/unknown-specifier", Warning, "a specifier no mapping matched and that cannot be a package name, or that a bundler config hookctl could not evaluate may provide";
    FILES_UNREADABLE = "files/unreadable", Error, "a tsconfig, package.json, pnpm-workspace.yaml or env declaration file cannot be parsed";
    ENV_UNDECLARED = "env/undeclared", Error, "code reads an env var that no declaration file lists";
    ENV_TURBO_FILTERED = "env/turbo-filtered", Error, "code of a package reads an env var that its turbo task (strict env mode) does not pass";
    ENV_REQUIRED_BY_PACKAGE = "env/required-by-package", Error, "a dependency needs an env var that no declaration file lists";
    ENV_LOCAL_ONLY = "env/local-only", Warning, "an env var read by code is set only in an untracked local env file";
    ENV_DYNAMIC = "env/dynamic", Off, "an env read with a non-literal key";
    ENV_UNUSED = "env/unused", Off, "a declared env var is read nowhere";
    ENV_PUBLIC_SECRET = "env/public-secret", Error, "a variable exposed to the browser looks secret";
    ENV_CLIENT_READ = "env/client-read", Error, "client-side code reads an env var without the framework's public prefix";
    NODE_VERSION = "node/version", Error, "a Node version file is outside the root `engines.node` range, or version files disagree";
    DEPS_DEV_ONLY_AT_RUNTIME = "deps/dev-only-at-runtime", Error, "runtime code of a package deployed without a bundler imports a package declared only in devDependencies";
    GIT_CLEAN = "git/clean", Error, "tracked changes not committed, or untracked files that committed code imports (pre-deploy, pre-push)";
    SECRETS_ENV_FILE = "secrets/env-file", Error, "the snapshot contains an env file with real secrets";
    DEPS_LOCKFILE_DRIFT = "deps/lockfile-drift", Error, "a package.json dependency the lockfile does not satisfy: the deploy host's frozen install fails";
    SECRETS_IN_SOURCE = "secrets/in-source", Error, "a text file other than an env file holds a value of a known secret format";
    COMMIT_MESSAGE = "commit/message", Off, "the commit message breaks the configured convention (Conventional Commits types, subject length, ticket pattern)";
    ENV_MISSING = "env/missing", Error, "a declared, required env var is absent from the checked environment";
    ENV_INVALID = "env/invalid", Error, "an env var's value breaks its rule";
    ENV_EXTRA = "env/extra", Warning, "the checked environment has a name no declaration file lists";
}

impl PartialEq for Rule {
    fn eq(&self, other: &Rule) -> bool {
        self.id == other.id
    }
}

impl Eq for Rule {}

impl std::hash::Hash for Rule {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.id.hash(state);
    }
}

impl PartialOrd for Rule {
    fn partial_cmp(&self, other: &Rule) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Rule {
    fn cmp(&self, other: &Rule) -> std::cmp::Ordering {
        self.id.cmp(other.id)
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id)
    }
}

/// Serialized as its id (`"imports/untracked"`): the JSON and SARIF contract.
impl Serialize for Rule {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id)
    }
}

impl Rule {
    /// The check group this rule belongs to.
    pub fn group(&self) -> &'static str {
        group(self.id)
    }
}

pub fn by_id(id: &str) -> Option<&'static Rule> {
    ALL.iter().find(|r| r.id == id)
}

/// The check group a rule belongs to (`HOOKCTL_SKIP` and `checks = [...]` name groups).
pub fn group(id: &str) -> &str {
    let g = id.split('/').next().unwrap_or(id);
    match g {
        // `node/version` checks repository files, like `files/*`.
        "node" => "files",
        // Named after the hook it runs in.
        "commit" => "commit-msg",
        g => g,
    }
}
