//! The env names a `turbo.json` declares. Turborepo hashes and (in strict env mode) passes to
//! tasks only the variables its config lists, so a name listed there is one the team knows the
//! build needs: `globalEnv`, `globalPassThroughEnv`, and per task (`tasks.<name>` in turbo 2,
//! `pipeline.<name>` in turbo 1) `env` and `passThroughEnv`, plus turbo 1's legacy `$NAME`
//! entries in `dependsOn` / `globalDependencies`. Entries may be wildcards (`NEXT_PUBLIC_*`);
//! an entry starting `!` excludes the names it matches from the same list, as turbo does.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::codes;
use crate::diagnostic::Finding;
use crate::manifest::parse_jsonc;

/// One list of turbo env entries: a name is declared by it when an include matches and no
/// exclude does. Lists are kept apart because turbo applies `!` within the list it appears in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct EnvList {
    /// (pattern, 1-based line of the entry in turbo.json).
    include: Vec<(String, u32)>,
    exclude: Vec<String>,
}

/// The env declarations of one turbo.json.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TurboEnv {
    lists: Vec<EnvList>,
}

impl TurboEnv {
    /// Parse a turbo.json (JSONC, as turbo accepts). A file that is not JSON, or not a JSON
    /// object, is a `files/unreadable` finding; fields of unexpected types are ignored.
    #[expect(clippy::result_large_err, reason = "the error is the finding to report")]
    pub fn parse(path: &str, bytes: &[u8]) -> Result<TurboEnv, Finding> {
        let json = parse_jsonc(path, bytes)?;
        if !json.is_object() {
            return Err(Finding::new(
                &codes::FILES_UNREADABLE,
                path,
                format!("`{path}` is not a JSON object"),
            )
            .at(1, 1));
        }
        let text = String::from_utf8_lossy(bytes);
        let line_of = |entry: &str| line_of(&text, entry);
        let mut env = TurboEnv::default();
        let mut push = |entries: Option<&Value>, legacy: bool| {
            let list = list(entries, legacy, &line_of);
            if !list.include.is_empty() {
                env.lists.push(list);
            }
        };
        push(json.get("globalEnv"), false);
        push(json.get("globalPassThroughEnv"), false);
        push(json.get("globalDependencies"), true);
        for tasks in ["tasks", "pipeline"] {
            let Some(tasks) = json.get(tasks).and_then(Value::as_object) else {
                continue;
            };
            for task in tasks.values() {
                push(task.get("env"), false);
                push(task.get("passThroughEnv"), false);
                push(task.get("dependsOn"), true);
            }
        }
        Ok(env)
    }

    /// The 1-based line of the entry declaring `name`, if this file declares it.
    pub fn declares(&self, name: &str) -> Option<u32> {
        self.lists.iter().find_map(|l| {
            if l.exclude.iter().any(|p| wildcard_match(p, name)) {
                return None;
            }
            l.include
                .iter()
                .find(|(p, _)| wildcard_match(p, name))
                .map(|&(_, line)| line)
        })
    }

    /// The literal (wildcard-free) names this file declares.
    pub fn literal_names(&self) -> impl Iterator<Item = &str> {
        self.lists
            .iter()
            .flat_map(|l| l.include.iter().map(|(p, _)| p.as_str()))
            .filter(|p| !p.contains('*'))
    }
}

/// The entries of one array. `legacy`: a `dependsOn`/`globalDependencies` array, where only
/// `$NAME` entries are env names (the others are tasks or files).
fn list(entries: Option<&Value>, legacy: bool, line_of: &dyn Fn(&str) -> u32) -> EnvList {
    let mut out = EnvList::default();
    for raw in entries.and_then(Value::as_array).into_iter().flatten() {
        let Some(raw) = raw.as_str() else { continue };
        let entry = raw.trim();
        if legacy {
            if let Some(name) = entry.strip_prefix('$').filter(|n| !n.is_empty()) {
                out.include.push((name.to_string(), line_of(raw)));
            }
        } else if let Some(pattern) = entry.strip_prefix('!') {
            out.exclude.push(pattern.to_string());
        } else if !entry.is_empty() {
            out.include.push((entry.to_string(), line_of(raw)));
        }
    }
    out
}

// ---- What a task sees: turbo's strict env mode -------------------------------------------------

/// `envMode`, `--env-mode`: strict passes a task only what its config lists; loose passes all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvMode {
    Strict,
    Loose,
}

/// The env settings of one task of one turbo.json.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskEnv {
    /// `env`, when the task sets it.
    env: Option<EnvList>,
    /// `passThroughEnv`, when the task sets it (turbo 1 infers strict mode from it).
    pass_through: Option<EnvList>,
    /// turbo 1's `$NAME` entries of `dependsOn`.
    legacy: EnvList,
    /// `$TURBO_EXTENDS$` in a package config's list: added to the root's instead of replacing it.
    extends_env: bool,
    extends_pass_through: bool,
}

/// The task settings of one turbo.json: what [`TurboEnv`] declares, per task, for the rule
/// that asks what a task's process is given (`env/turbo-filtered`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TurboTasks {
    /// The file uses turbo 1's `pipeline` (turbo 2 refuses it; turbo 1 infers the mode).
    pub turbo1: bool,
    /// Top-level `envMode`.
    pub env_mode: Option<EnvMode>,
    global: Vec<EnvList>,
    global_pass_through: bool,
    /// Task key as written (`build`, `web#build`) -> its settings.
    tasks: BTreeMap<String, TaskEnv>,
}

/// One task of one workspace package as turbo runs it: the root's definition, overridden by
/// the package's own turbo.json (`extends: ["//"]`).
#[derive(Debug, Clone)]
pub struct ResolvedTask<'a> {
    root: &'a TurboTasks,
    task: TaskEnv,
    pub mode: EnvMode,
    /// The task's key in the file that defines it, for messages (`build`, `web#build`).
    pub key: String,
}

impl TurboTasks {
    /// Parse a turbo.json's task settings (errors are [`TurboEnv::parse`]'s to report: a
    /// file that does not parse gives none).
    pub fn parse(bytes: &[u8]) -> Option<TurboTasks> {
        let json = parse_jsonc("turbo.json", bytes).ok()?;
        let json = json.as_object()?;
        let none = |_: &str| 1;
        let mut out = TurboTasks {
            turbo1: json.contains_key("pipeline") && !json.contains_key("tasks"),
            env_mode: match json.get("envMode").and_then(Value::as_str) {
                Some("loose") => Some(EnvMode::Loose),
                Some("strict") => Some(EnvMode::Strict),
                _ => None,
            },
            global_pass_through: json.get("globalPassThroughEnv").is_some_and(Value::is_array),
            ..Default::default()
        };
        out.global.push(list(json.get("globalEnv"), false, &none));
        out.global
            .push(list(json.get("globalPassThroughEnv"), false, &none));
        out.global.push(list(json.get("globalDependencies"), true, &none));
        for key in ["tasks", "pipeline"] {
            let Some(tasks) = json.get(key).and_then(Value::as_object) else {
                continue;
            };
            for (name, task) in tasks {
                let field = |f: &str| {
                    task.get(f).filter(|v| v.is_array()).map(|v| {
                        let mut l = list(Some(v), false, &none);
                        let extends = l.include.iter().any(|(p, _)| p == EXTENDS);
                        l.include.retain(|(p, _)| p != EXTENDS);
                        (l, extends)
                    })
                };
                let env = field("env");
                let pass = field("passThroughEnv");
                out.tasks.insert(
                    name.clone(),
                    TaskEnv {
                        extends_env: env.as_ref().is_some_and(|e| e.1),
                        extends_pass_through: pass.as_ref().is_some_and(|e| e.1),
                        env: env.map(|e| e.0),
                        pass_through: pass.map(|e| e.0),
                        legacy: list(task.get("dependsOn"), true, &none),
                    },
                );
            }
        }
        Some(out)
    }

    /// Whether this file has a task named `task` (a package config's own override).
    pub fn defines(&self, task: &str) -> bool {
        self.tasks.contains_key(task)
    }

    /// Task `task` of the package `package` (its name) as turbo runs it, if the root config
    /// (`<package>#<task>` or `<task>`) or the package's own (`package_config`) defines it.
    /// `script_mode`: the `--env-mode` of the command that runs turbo, if any.
    pub fn resolve<'a>(
        &'a self,
        package: &str,
        task: &str,
        package_config: Option<&TurboTasks>,
        script_mode: Option<EnvMode>,
    ) -> Option<ResolvedTask<'a>> {
        let specific = format!("{package}#{task}");
        let (mut key, mut def) = match self.tasks.get(&specific) {
            Some(t) => (specific, Some(t.clone())),
            None => (task.to_string(), self.tasks.get(task).cloned()),
        };
        if let Some(own) = package_config.and_then(|p| p.tasks.get(task)) {
            let mut merged = def.unwrap_or_default();
            let over = |base: &mut Option<EnvList>, new: &Option<EnvList>, extends: bool| {
                if let Some(new) = new {
                    match (extends, base.as_mut()) {
                        (true, Some(b)) => {
                            b.include.extend(new.include.iter().cloned());
                            b.exclude.extend(new.exclude.iter().cloned());
                        }
                        _ => *base = Some(new.clone()),
                    }
                }
            };
            over(&mut merged.env, &own.env, own.extends_env);
            over(
                &mut merged.pass_through,
                &own.pass_through,
                own.extends_pass_through,
            );
            merged.legacy.include.extend(own.legacy.include.iter().cloned());
            def = Some(merged);
            key = format!("{task} (in the package's turbo.json)");
        }
        let task = def?;
        let mode = script_mode.or(self.env_mode).unwrap_or(if self.turbo1 {
            // turbo 1's `infer`: strict once any pass-through list is configured.
            if self.global_pass_through || task.pass_through.is_some() {
                EnvMode::Strict
            } else {
                EnvMode::Loose
            }
        } else {
            EnvMode::Strict
        });
        Some(ResolvedTask {
            root: self,
            task,
            mode,
            key,
        })
    }
}

/// The microsyntax of a package config's list that keeps the root's entries.
const EXTENDS: &str = "$TURBO_EXTENDS$";

impl ResolvedTask<'_> {
    /// Whether turbo hands `name` to the task's process: a built-in pass-through, a global or
    /// task list, or the package's framework (`frameworks`: the inferred wildcards), unless a
    /// `!` entry of the task's `env` excludes the inferred name.
    pub fn passes(&self, name: &str, frameworks: &[&str]) -> bool {
        if self.mode == EnvMode::Loose || builtin_pass_through(name) {
            return true;
        }
        let lists = self
            .root
            .global
            .iter()
            .chain(self.task.env.iter())
            .chain(self.task.pass_through.iter())
            .chain([&self.task.legacy]);
        if lists.into_iter().any(|l| list_passes(l, name)) {
            return true;
        }
        let excluded = self
            .task
            .env
            .iter()
            .any(|l| l.exclude.iter().any(|p| wildcard_match(p, name)));
        !excluded && frameworks.iter().any(|p| wildcard_match(p, name))
    }
}

fn list_passes(l: &EnvList, name: &str) -> bool {
    !l.exclude.iter().any(|p| wildcard_match(p, name))
        && l.include.iter().any(|(p, _)| wildcard_match(p, name))
}

/// Variables turbo passes to every task in strict mode: turbo 2.11's built-in list, each entry
/// checked against the real binary (`tests/it/turbo_env.rs` runs it; `LANGUAGE`, `LC_ALL` and
/// `*_TOKEN` names are removed by it): the system, CI and platform names a build tool needs.
const BUILTIN_PASS_THROUGH: &[&str] = &[
    "HOME",
    "USER",
    "TZ",
    "LANG",
    "SHELL",
    "PWD",
    "PATH",
    "TMPDIR",
    "TMP",
    "TEMP",
    "XDG_RUNTIME_DIR",
    "XDG_DATA_*",
    "XAUTHORITY",
    "DBUS_SESSION_BUS_ADDRESS",
    "CI",
    "NODE_OPTIONS",
    "COREPACK_*",
    "NPM_CONFIG_STORE_DIR",
    "PNPM_HOME",
    "pnpm_config_verify_deps_before_run",
    "LD_LIBRARY_PATH",
    "LD_PRELOAD",
    "DYLD_FALLBACK_LIBRARY_PATH",
    "DYLD_INSERT_LIBRARIES",
    "LIBPATH",
    "COLORTERM",
    "TERM",
    "TERM_PROGRAM",
    "DISPLAY",
    "FORCE_COLOR",
    "NO_COLOR",
    "VSCODE_*",
    "ELECTRON_RUN_AS_NODE",
    "DOCKER_*",
    "BUILDKIT_*",
    "COMPOSE_*",
    "JB_IDE_*",
    "JB_INTERPRETER",
    "_JETBRAINS_TEST_RUNNER_RUN_SCOPE_TYPE",
    "VERCEL",
    "VERCEL_*",
    "NEXT_*",
    "TURBO_*",
    "USE_OUTPUT_FOR_EDGE_FUNCTIONS",
    "NOW_BUILDER",
    "VC_MICROFRONTENDS_CONFIG_FILE_NAME",
    "GITHUB_*",
    "RUNNER_*",
    "NIX_*",
    "__NIXOS_*",
    "APPDATA",
    "PROGRAMDATA",
    "SYSTEMROOT",
    "SYSTEMDRIVE",
    "USERPROFILE",
    "HOMEDRIVE",
    "HOMEPATH",
    "WINDIR",
    "ProgramFiles",
    "ProgramFiles(x86)",
    "COMSPEC",
    "PATHEXT",
];

fn builtin_pass_through(name: &str) -> bool {
    BUILTIN_PASS_THROUGH.iter().any(|p| wildcard_match(p, name))
}

/// turbo's framework inference (its `frameworks.json`), from `data/turbo-frameworks.txt`.
const FRAMEWORKS_DATA: &str = include_str!("../../data/turbo-frameworks.txt");

/// One framework turbo infers: when a package has its dependencies (`all` of them, or `some`),
/// its wildcards are added to every task of that package.
#[derive(Debug)]
struct Framework {
    name: &'static str,
    all: bool,
    deps: Vec<&'static str>,
    wildcards: Vec<&'static str>,
}

/// The frameworks of [`FRAMEWORKS_DATA`], in its order; a malformed line is an error naming it.
fn parse_frameworks(data: &'static str) -> Result<Vec<Framework>, String> {
    let mut out: Vec<Framework> = Vec::new();
    for line in crate::data::lines(data) {
        let bad = || format!("malformed line in data/turbo-frameworks.txt: {line}");
        let (head, tail) = line.split_once(" -> ").ok_or_else(bad)?;
        let mut words = head.split_whitespace();
        let (Some(name), Some(mode)) = (words.next(), words.next()) else {
            return Err(bad());
        };
        let all = match mode {
            "all" => true,
            "some" => false,
            _ => return Err(bad()),
        };
        let deps: Vec<&str> = words.collect();
        let mut wildcards = Vec::new();
        for w in tail.split_whitespace() {
            match w.strip_prefix('@') {
                Some(earlier) => {
                    let f = out.iter().find(|f| f.name == earlier).ok_or_else(bad)?;
                    wildcards.extend(f.wildcards.iter().copied());
                }
                None => wildcards.push(w),
            }
        }
        if deps.is_empty() || wildcards.is_empty() {
            return Err(bad());
        }
        out.push(Framework {
            name,
            all,
            deps,
            wildcards,
        });
    }
    Ok(out)
}

static FRAMEWORKS: std::sync::LazyLock<Vec<Framework>> = std::sync::LazyLock::new(|| {
    parse_frameworks(FRAMEWORKS_DATA).expect("data/turbo-frameworks.txt is well formed (checked by tests)")
});

/// The env wildcards turbo infers for a package with these dependencies.
pub fn framework_wildcards(has_dep: impl Fn(&str) -> bool) -> &'static [&'static str] {
    FRAMEWORKS
        .iter()
        .find(|f| {
            if f.all {
                f.deps.iter().all(|d| has_dep(d))
            } else {
                f.deps.iter().any(|d| has_dep(d))
            }
        })
        .map_or(&[], |f| &f.wildcards)
}

/// How a command line runs turbo: the flags the rule models. turbo.json has no setting for
/// framework inference (turbo 2.11: the flag only; `envMode` is read from the file apart).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TurboFlags {
    /// `--env-mode`.
    pub env_mode: Option<EnvMode>,
    /// `--framework-inference` (default true): `false` stops turbo from passing the
    /// framework's wildcards (`VITE_*` of a Vite package, ...).
    pub framework_inference: bool,
}

/// The turbo flags of a command line, if it runs turbo.
pub fn script_flags(script: &str) -> Option<TurboFlags> {
    let words: Vec<&str> = script.split_whitespace().collect();
    if !words.iter().any(|w| *w == "turbo" || w.ends_with("/turbo")) {
        return None;
    }
    let unquote = |v: &str| v.trim_matches(|c| c == '"' || c == '\'').to_string();
    // `--flag=value`, `--flag value`, or a bare `--flag` (`None`: turbo's optional value).
    let value_of = |flag: &str| -> Option<Option<String>> {
        words.iter().enumerate().find_map(|(i, w)| {
            let rest = w.strip_prefix(flag)?;
            if let Some(v) = rest.strip_prefix('=') {
                return Some(Some(unquote(v)));
            }
            if !rest.is_empty() {
                return None;
            }
            Some(
                words
                    .get(i + 1)
                    .filter(|n| !n.starts_with('-'))
                    .map(|n| unquote(n)),
            )
        })
    };
    let env_mode = value_of("--env-mode").flatten().and_then(|v| match v.as_str() {
        "loose" => Some(EnvMode::Loose),
        "strict" => Some(EnvMode::Strict),
        _ => None,
    });
    let framework_inference = match value_of("--framework-inference") {
        Some(Some(v)) => !matches!(v.as_str(), "false" | "0"),
        _ => true,
    };
    Some(TurboFlags {
        env_mode,
        framework_inference,
    })
}

/// The `--env-mode` a command line gives turbo, if it runs turbo with one.
pub fn script_env_mode(script: &str) -> Option<EnvMode> {
    script_flags(script).and_then(|f| f.env_mode)
}

/// The 1-based line where the string literal `"entry"` first appears (1 if not found: the
/// entry was written with escapes; the file is still the right place to look).
fn line_of(text: &str, entry: &str) -> u32 {
    text.find(&format!("\"{entry}\""))
        .map_or(1, |at| text[..at].matches('\n').count() as u32 + 1)
}

/// Turbo's env wildcards: `*` matches any run of characters (including none).
fn wildcard_match(pattern: &str, name: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = name.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        // No `*`: an exact name.
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        let table = [
            ("API_URL", "API_URL", true),
            ("API_URL", "API_URLS", false),
            ("NEXT_PUBLIC_*", "NEXT_PUBLIC_X", true),
            ("NEXT_PUBLIC_*", "NEXT_PUBLIC_", true),
            ("NEXT_PUBLIC_*", "NEXT_X", false),
            ("*_SECRET", "STRIPE_SECRET", true),
            ("*_SECRET", "STRIPE_SECRETS", false),
            ("A*B*C", "AxxBxxC", true),
            ("A*B*C", "AC", false),
            ("AB*BC", "ABC", false),
            ("*", "ANY", true),
        ];
        for (p, n, want) in table {
            assert_eq!(wildcard_match(p, n), want, "{p} {n}");
        }
    }

    #[test]
    fn turbo_2_and_turbo_1_forms() {
        let t = TurboEnv::parse(
            "turbo.json",
            br#"{
  // turbo accepts comments
  "globalEnv": ["SENTRY_DSN", "NEXT_PUBLIC_*", "!NEXT_PUBLIC_GIT_*"],
  "globalPassThroughEnv": ["AWS_*"],
  "tasks": {
    "build": { "env": ["DATABASE_URL"], "passThroughEnv": ["VERCEL_TOKEN"], "dependsOn": ["^build"] },
    "lint": {}
  },
  "pipeline": {
    "test": { "dependsOn": ["$LEGACY_NAME", "build"] }
  },
  "globalDependencies": ["$OLD_GLOBAL", ".env"]
}"#,
        )
        .unwrap();
        let table = [
            ("SENTRY_DSN", Some(3)),
            ("NEXT_PUBLIC_API_URL", Some(3)),
            // Excluded from globalEnv, and no other list includes it.
            ("NEXT_PUBLIC_GIT_SHA", None),
            ("AWS_REGION", Some(4)),
            ("DATABASE_URL", Some(6)),
            ("VERCEL_TOKEN", Some(6)),
            ("LEGACY_NAME", Some(10)),
            ("OLD_GLOBAL", Some(12)),
            ("build", None),
            ("^build", None),
            ("OTHER", None),
        ];
        for (name, want) in table {
            assert_eq!(t.declares(name), want, "{name}");
        }
        let mut lit: Vec<_> = t.literal_names().collect();
        lit.sort_unstable();
        assert_eq!(
            lit,
            [
                "DATABASE_URL",
                "LEGACY_NAME",
                "OLD_GLOBAL",
                "SENTRY_DSN",
                "VERCEL_TOKEN"
            ]
        );
    }

    #[test]
    fn tasks_modes_and_package_overrides() {
        let root = TurboTasks::parse(
            br#"{"globalEnv": ["G"], "tasks": {"build": {"env": ["API_*", "!API_SECRET", "!NEXT_PUBLIC_HIDDEN"]}, "web#build": {"passThroughEnv": ["WEB_ONLY"]}}}"#,
        )
        .unwrap();
        let build = root.resolve("api", "build", None, None).unwrap();
        assert_eq!(build.mode, EnvMode::Strict);
        let next: &[&str] = framework_wildcards(|d| d == "next" || d == "react");
        assert_eq!(next, ["NEXT_PUBLIC_*"]);
        for (name, want) in [
            ("G", true),
            ("API_URL", true),
            ("API_SECRET", false),
            ("HOME", true),
            ("GITHUB_SHA", true),
            ("STRIPE_KEY", false),
            ("NODE_ENV", false),
            ("NEXT_PUBLIC_X", true),
            ("VITE_X", false),
        ] {
            assert_eq!(build.passes(name, &[]), want, "{name}");
        }
        // The framework's wildcard, unless the task's `env` excludes the name.
        assert!(build.passes("PUBLIC_A", &["PUBLIC_*"]));
        assert!(!build.passes("PUBLIC_A", &[]));
        let web = root.resolve("web", "build", None, None).unwrap();
        assert_eq!(web.key, "web#build");
        assert!(web.passes("WEB_ONLY", &[]) && !web.passes("API_URL", &[]));
        assert!(root.resolve("api", "test", None, None).is_none());
        // A package's turbo.json replaces the root's list, or adds to it with $TURBO_EXTENDS$.
        let own = TurboTasks::parse(br#"{"extends": ["//"], "tasks": {"build": {"env": ["OWN"]}}}"#).unwrap();
        let t = root.resolve("api", "build", Some(&own), None).unwrap();
        assert!(t.passes("OWN", &[]) && !t.passes("API_URL", &[]));
        let own = TurboTasks::parse(
            br#"{"extends": ["//"], "tasks": {"build": {"env": ["$TURBO_EXTENDS$", "OWN"]}}}"#,
        )
        .unwrap();
        let t = root.resolve("api", "build", Some(&own), None).unwrap();
        assert!(t.passes("OWN", &[]) && t.passes("API_URL", &[]));
        // Loose: everything passes.
        let loose = TurboTasks::parse(br#"{"envMode": "loose", "tasks": {"build": {}}}"#).unwrap();
        assert!(
            loose
                .resolve("a", "build", None, None)
                .unwrap()
                .passes("ANY", &[])
        );
        let t = root.resolve("api", "build", None, Some(EnvMode::Loose)).unwrap();
        assert!(t.passes("ANY", &[]));
        // turbo 1 infers: loose unless a pass-through list is configured.
        let v1 = TurboTasks::parse(br#"{"pipeline": {"build": {"env": ["A"]}}}"#).unwrap();
        assert_eq!(v1.resolve("a", "build", None, None).unwrap().mode, EnvMode::Loose);
        let v1 =
            TurboTasks::parse(br#"{"pipeline": {"build": {"env": ["A"], "passThroughEnv": []}}}"#).unwrap();
        let t = v1.resolve("a", "build", None, None).unwrap();
        assert_eq!(t.mode, EnvMode::Strict);
        assert!(t.passes("A", &[]) && !t.passes("B", &[]));
    }

    /// Every line of `data/turbo-frameworks.txt` parses, turbo's first match wins, and a
    /// malformed line is refused.
    #[test]
    fn every_framework_line_parses() {
        let all = parse_frameworks(FRAMEWORKS_DATA).unwrap();
        let lines = FRAMEWORKS_DATA
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .count();
        assert_eq!(all.len(), lines);
        let nuxt = all.iter().find(|f| f.name == "nuxtjs").unwrap();
        assert_eq!(nuxt.wildcards.len(), 15, "{:?}", nuxt.wildcards);
        assert!(nuxt.wildcards.contains(&"NETLIFY") && nuxt.wildcards.last() == Some(&"LAUNCH_EDITOR"));
        assert_eq!(
            framework_wildcards(|d| d == "@sveltejs/kit" || d == "vite"),
            ["VITE_*", "PUBLIC_*"]
        );
        assert_eq!(framework_wildcards(|d| d == "react-dev-utils"), ["REACT_APP_*"]);
        assert_eq!(framework_wildcards(|d| d == "solid-js"), [] as [&str; 0]);
        for bad in [
            "x all -> A_*",
            "x any dep -> A_*",
            "x all dep",
            "x all dep -> @unknown",
        ] {
            assert!(parse_frameworks(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn env_mode_of_a_script() {
        for (script, want) in [
            ("turbo run build --env-mode=loose", Some(EnvMode::Loose)),
            ("turbo build --env-mode loose", Some(EnvMode::Loose)),
            ("npx turbo run build --env-mode=strict", Some(EnvMode::Strict)),
            ("turbo run build", None),
            ("next build --env-mode=loose", None),
        ] {
            assert_eq!(script_env_mode(script), want, "{script}");
        }
    }

    #[test]
    fn framework_inference_of_a_script() {
        let inference = |s: &str| script_flags(s).map(|f| f.framework_inference);
        for (script, want) in [
            ("turbo run build", Some(true)),
            ("turbo run build --framework-inference=false", Some(false)),
            ("turbo run build --framework-inference false", Some(false)),
            ("turbo run build --framework-inference=\"false\"", Some(false)),
            ("turbo run build --framework-inference", Some(true)),
            (
                "turbo run build --framework-inference --env-mode=loose",
                Some(true),
            ),
            ("turbo run build --framework-inference=true", Some(true)),
            (
                "npx turbo build --framework-inference=false --env-mode strict",
                Some(false),
            ),
            ("vite build --framework-inference=false", None),
        ] {
            assert_eq!(inference(script), want, "{script}");
        }
        let f = script_flags("npx turbo build --framework-inference=false --env-mode strict").unwrap();
        assert_eq!(f.env_mode, Some(EnvMode::Strict));
    }

    #[test]
    fn exclusion_is_per_list() {
        let t = TurboEnv::parse(
            "turbo.json",
            br#"{"globalEnv": ["!SECRET_X"], "tasks": {"b": {"env": ["SECRET_*", "!SECRET_Y"]}}}"#,
        )
        .unwrap();
        assert_eq!(t.declares("SECRET_X"), Some(1));
        assert_eq!(t.declares("SECRET_Y"), None);
    }

    #[test]
    fn malformed_files_are_findings_and_odd_types_are_ignored() {
        let f = TurboEnv::parse("turbo.json", b"{\n  \"globalEnv\": [\"A\",\n}").unwrap_err();
        assert_eq!(
            (f.rule.id, f.path.as_str(), f.line),
            ("files/unreadable", "turbo.json", 3)
        );
        assert!(f.column > 0);
        let f = TurboEnv::parse("apps/web/turbo.json", b"[1]").unwrap_err();
        assert_eq!((f.rule.id, f.line), ("files/unreadable", 1));
        let t = TurboEnv::parse(
            "turbo.json",
            br#"{"globalEnv": "A", "tasks": {"b": {"env": [1, null, "", "B"]}, "c": 3}, "pipeline": []}"#,
        )
        .unwrap();
        assert_eq!(t.declares("A"), None);
        assert_eq!(t.declares("B"), Some(1));
    }
}
