//! `env/turbo-filtered`: code of a workspace package reads a variable that the turbo task
//! building it does not pass. Turborepo 2 runs tasks in strict env mode by default: a variable
//! not listed in the task's `env`/`passThroughEnv`, in `globalEnv`/`globalPassThroughEnv`,
//! not one of turbo's built-in pass-throughs (`PATH`, `CI`, `VERCEL_*`, ...) and not covered by
//! the package's framework inference (`NEXT_PUBLIC_*` for a Next.js package, ...) is removed
//! from the task's environment, so the build reads `undefined` although CI or the hosting
//! provider sets it.
//!
//! The tasks: `build` and `[env] turbo_tasks`, of the package holding the read and of every
//! workspace package that depends on it (a library runs inside its apps' builds; a repository
//! without workspaces is turbo's single package, the root, with the root's framework), each only
//! when that package has the script and turbo.json defines the task (`<pkg>#<task>` or
//! `<task>`, overridden by the package's own turbo.json). A read is reported only when none
//! of those tasks passes the name and none runs loose (`envMode: "loose"`, `--env-mode=loose`
//! in the root script that runs turbo, turbo 1's inferred mode). `--framework-inference=false`
//! in that script turns off the framework's wildcards (turbo.json has no such setting). Names the task's own tools
//! set are not reported: `NODE_ENV` (every bundler sets it), Vite's `import.meta.env` built-ins
//! (`MODE`, `BASE_URL`, `PROD`, `DEV`, `SSR`), a name a bundler config defines,
//! and names a committed `.env`/`.env.production` of the package sets (the framework loads
//! them inside the task). An optional read (a fallback, a guard, a test file) is a warning.
//!
//! Certainty (issue 19's rule: an error only when the deploy certainly breaks): turbo filters
//! the environment of the *task*, the build. A read the build itself evaluates breaks for sure:
//! `import.meta.env.X` (the bundler inlines it) and reads in a bundler's or framework's config
//! (`next.config.*`, `vite.config.*`, ...; evaluated by its own package's build only). Any other read may run only at run time (a server,
//! an API route, a serverless function), where the host's environment is whole, or at build
//! time (static generation): hookctl cannot tell which, so it is a warning that says so.

use std::collections::HashMap;

use serde_json::Value;

use super::env_context::EnvContext;
use super::env_undeclared::why_optional;
use crate::diagnostic::Finding;
use crate::env::consumers::WorkspacePackage;
use crate::env::turbo::{self, TurboTasks};

/// Names the process of a build task gets from its own tools, not from turbo.
const SET_BY_THE_TASK: &[&str] = &["NODE_ENV", "INIT_CWD", "PWD", "NODE"];

/// One package as the rule needs it.
struct Pkg {
    name: String,
    scripts: Vec<String>,
    frameworks: &'static [&'static str],
    own_config: Option<TurboTasks>,
    /// Names set inside the task: by the package's committed, framework-loaded env files, and
    /// by its scripts' own assignments (`"build": "INPUT=x vite build"`, `cross-env X=1 ...`).
    env_file_names: Vec<String>,
}

/// The root's turbo.json, the tasks the rule checks and the root scripts that run turbo.
struct Root {
    file: &'static str,
    tasks: TurboTasks,
    scripts: Vec<(String, String)>,
    checked: Vec<String>,
}

impl Root {
    fn load(cx: &EnvContext) -> Option<Self> {
        let snap = cx.snapshot();
        let file = ["turbo.json", "turbo.jsonc"]
            .into_iter()
            .find(|p| snap.is_file(p))?;
        let tasks = snap.read(file).ok().and_then(|b| TurboTasks::parse(&b))?;
        let checked = std::iter::once("build".to_string())
            .chain(cx.config.env.turbo_tasks.iter().cloned())
            .collect();
        Some(Self {
            file,
            tasks,
            scripts: scripts_of(cx, ""),
            checked,
        })
    }

    /// The flags of a root script that runs turbo for the task (`--env-mode`,
    /// `--framework-inference`).
    fn script_flags(&self, task: &str) -> Option<turbo::TurboFlags> {
        self.scripts.iter().find_map(|(_, cmd)| {
            cmd.split_whitespace()
                .any(|w| w == task)
                .then(|| turbo::script_flags(cmd))
                .flatten()
        })
    }
}

/// What the tasks that run a file do with one name.
#[derive(Default, Clone)]
struct Verdict {
    /// One of them passes it (or the package sets it itself).
    passed: bool,
    /// Every task that runs this code.
    ran: Vec<String>,
    /// Where the first task's list is (for the help): `tasks.build.env` of a file.
    fix: Option<(String, String)>,
}

pub fn check(cx: &EnvContext) -> Vec<Finding> {
    let Some(root) = Root::load(cx) else {
        return Vec::new();
    };
    // A repository without workspaces whose root has turbo.json: turbo runs it as one package
    // (its single-package mode), the root's tasks and the root's framework.
    let root_only = cx.root_only_package();
    let soften = cx.config.env.fallback_reads_warn();
    let mut pkgs: HashMap<&str, Option<Pkg>> = HashMap::new();
    // The packages running a file and their verdict on a name depend on the file's own package
    // alone (but for bundler configs): asked once per package and name, not per read.
    let mut running_of: HashMap<Option<usize>, Vec<&WorkspacePackage>> = HashMap::new();
    let mut verdicts: HashMap<(Option<usize>, &str), Verdict> = HashMap::new();
    let mut out: Vec<Finding> = Vec::new();
    for (path, facts) in cx.reading_files() {
        // The packages running a file are looked for only when it reads a variable by name
        // (most files read none).
        if !facts.env_reads.iter().any(|r| r.name.is_some()) {
            continue;
        }
        let own = cx.package_index(path);
        // A bundler's config is evaluated by its own package's build, not by its dependents'.
        let config = is_bundler_config(path);
        let config_running;
        let running: &[&WorkspacePackage] = if config {
            let mut running = cx.running_packages_of(own);
            running.extend(root_only.as_ref());
            running.retain(|wp| wp.dir.is_empty() || path.starts_with(&format!("{}/", wp.dir)));
            config_running = running;
            &config_running
        } else {
            running_of.entry(own).or_insert_with(|| {
                let mut running = cx.running_packages_of(own);
                running.extend(root_only.as_ref());
                running
            })
        };
        if running.is_empty() {
            continue;
        }
        let mut seen: HashMap<(u32, &str), usize> = HashMap::new();
        for read in &facts.env_reads {
            let Some(name) = read.name.as_deref() else {
                continue;
            };
            // Vite sets its own `import.meta.env` built-ins (`MODE`, `BASE_URL`, ...) inside the
            // build: the task's environment never supplies them.
            let vite_builtin = read.source == crate::scan::EnvSource::ImportMetaEnv
                && super::env_client_read::VITE_BUILTINS.contains(&name);
            if SET_BY_THE_TASK.contains(&name) || vite_builtin || name.starts_with("npm_") {
                continue;
            }
            let Verdict { passed, ran, fix } = if config {
                verdict(cx, &root, &mut pkgs, running, name)
            } else {
                verdicts
                    .entry((own, name))
                    .or_insert_with(|| verdict(cx, &root, &mut pkgs, running, name))
                    .clone()
            };
            if passed || ran.is_empty() || cx.bundler_defines(path, name) {
                continue;
            }
            let why = why_uncertain(cx, path, read, soften);
            let why = why.as_deref();
            if let Some(&i) = seen.get(&(read.span.line, name)) {
                if out[i].uncertain && why.is_none() {
                    out[i] = finding(path, name, read, why, &ran, fix.as_ref());
                }
                continue;
            }
            seen.insert((read.span.line, name), out.len());
            out.push(finding(path, name, read, why, &ran, fix.as_ref()));
        }
    }
    out
}

/// Whether one of the checked tasks of the packages running a file passes `name`.
fn verdict<'p>(
    cx: &EnvContext,
    root: &Root,
    pkgs: &mut HashMap<&'p str, Option<Pkg>>,
    running: &[&'p WorkspacePackage],
    name: &str,
) -> Verdict {
    let mut verdict = Verdict::default();
    for wp in running {
        let pkg = pkgs
            .entry(wp.dir.as_str())
            .or_insert_with(|| load_pkg(cx, &wp.name, &wp.dir, &wp.deps));
        let Some(pkg) = pkg else { continue };
        if pkg.env_file_names.iter().any(|n| n == name) {
            verdict.passed = true;
            return verdict;
        }
        for task in root.checked.iter().filter(|t| pkg.scripts.contains(t)) {
            let flags = root.script_flags(task);
            let mode = flags.as_ref().and_then(|f| f.env_mode);
            let Some(resolved) = root.tasks.resolve(&pkg.name, task, pkg.own_config.as_ref(), mode) else {
                continue;
            };
            let inference = flags.as_ref().is_none_or(|f| f.framework_inference);
            let frameworks = if inference { pkg.frameworks } else { &[] };
            if resolved.passes(name, frameworks) {
                verdict.passed = true;
                return verdict;
            }
            verdict.ran.push(format!("`{}#{task}`", pkg.name));
            verdict.fix.get_or_insert_with(|| {
                if pkg.own_config.as_ref().is_some_and(|c| c.defines(task)) {
                    (format!("tasks.{task}.env"), format!("{}/turbo.json", wp.dir))
                } else if resolved.key.contains('#') {
                    (format!("tasks[\"{}\"].env", resolved.key), root.file.to_string())
                } else {
                    (format!("tasks.{task}.env"), root.file.to_string())
                }
            });
        }
    }
    verdict
}

/// Why a filtered read may not break the deploy (`None`: it certainly does).
fn why_uncertain(cx: &EnvContext, path: &str, read: &crate::scan::EnvRead, soften: bool) -> Option<String> {
    why_optional(cx, path, read)
        .filter(|_| soften)
        .map(|w| format!("nothing breaks when it is unset: {w}"))
        .or_else(|| {
            (!read_at_build_time(path, read)).then(|| {
                "unless the build evaluates this read (static generation), it runs where the host's environment is whole: turbo filters only its tasks".to_string()
            })
        })
}

/// Whether the build itself evaluates this read (see the module comment).
fn read_at_build_time(path: &str, read: &crate::scan::EnvRead) -> bool {
    read.source == crate::scan::EnvSource::ImportMetaEnv || is_bundler_config(path)
}

/// A bundler's or framework's config (`next.config.*`, `vite.config.*`, ...), which its build
/// evaluates; not other tools' configs (`drizzle.config.ts` runs in migrations, not the build).
fn is_bundler_config(path: &str) -> bool {
    crate::bundler::is_config(path.rsplit('/').next().unwrap_or(path))
}

fn finding(
    path: &str,
    name: &str,
    read: &crate::scan::EnvRead,
    why: Option<&str>,
    tasks: &[String],
    fix: Option<&(String, String)>,
) -> Finding {
    let soft = why.map(|w| format!("; {w}")).unwrap_or_default();
    let (list, file) = fix
        .cloned()
        .unwrap_or_else(|| ("tasks.build.env".into(), "turbo.json".into()));
    Finding::new(
        &super::ENV_TURBO_FILTERED,
        path,
        format!(
            "`{name}` is removed from the environment of turbo task {} (strict env mode): the build reads `undefined` even where CI or the host sets it{soft}",
            tasks.join(", ")
        ),
    )
    .span(read.span)
    .label(if why.is_some() {
        "filtered out by turbo (may not break)"
    } else {
        "filtered out by turbo"
    })
    .help(format!(
        "add `{name}` to `{list}` in `{file}` (or to `passThroughEnv`, `globalEnv`), and drop any `!` entry that excludes it"
    ))
    .name(name)
    .uncertain(why.is_some())
}

/// `scripts` of the package.json in `dir`: (name, command).
fn scripts_of(cx: &EnvContext, dir: &str) -> Vec<(String, String)> {
    let path = if dir.is_empty() {
        "package.json".to_string()
    } else {
        format!("{dir}/package.json")
    };
    // The resolver's parse of the same snapshot's manifest when it kept one (reading and
    // parsing every package.json again was a third of this rule's time).
    let read;
    let json = match cx.manifest_json(dir) {
        Some(json) => json,
        None => match cx
            .snapshot()
            .read(&path)
            .ok()
            .and_then(|b| crate::manifest::parse_jsonc(&path, &b).ok())
        {
            Some(json) => {
                read = json;
                &read
            }
            None => return Vec::new(),
        },
    };
    json.get("scripts")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
        .collect()
}

fn load_pkg(cx: &EnvContext, name: &str, dir: &str, deps: &[(String, String)]) -> Option<Pkg> {
    let snap = cx.snapshot();
    // The root's turbo.json is the root config, never a package's own (a root-only repository).
    let own_config = ["turbo.json", "turbo.jsonc"]
        .iter()
        .filter(|_| !dir.is_empty())
        .map(|f| format!("{dir}/{f}"))
        .find(|p| snap.is_file(p))
        .and_then(|p| snap.read(&p).ok())
        .and_then(|b| TurboTasks::parse(&b));
    let scripts = scripts_of(cx, dir);
    let mut env_file_names: Vec<String> = cx
        .env_files
        .iter()
        .filter(|(p, _, _)| {
            crate::env::is_framework_loaded_env_file(p) && p.rsplit_once('/').map_or("", |(d, _)| d) == dir
        })
        .flat_map(|(_, _, entries)| entries.iter().map(|e| e.name.clone()))
        .collect();
    env_file_names.extend(
        scripts
            .iter()
            .flat_map(|(_, cmd)| crate::env::manifests::script_assignments(cmd)),
    );
    Some(Pkg {
        name: name.to_string(),
        scripts: scripts.into_iter().map(|(k, _)| k).collect(),
        frameworks: turbo::framework_wildcards(|d| deps.iter().any(|(n, _)| n == d)),
        own_config,
        env_file_names,
    })
}
