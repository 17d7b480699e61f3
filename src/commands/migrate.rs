//! `hookctl migrate`: write the `hookctl.toml` equivalent of a husky, lint-staged or lefthook
//! setup, and say what could not be translated. Nothing is executed: JS configs are explained,
//! not run. `--yes` also takes the hooks over (unsets husky's `core.hooksPath`, removes
//! lefthook's hooks) and runs `hookctl install`.

mod commitlint;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;

use crate::cli::{InstallArgs, MigrateArgs};
use crate::config::{self, FILE_NAME};
use crate::{Ctx, Exit, install};

/// One translated job.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Job {
    pub name: String,
    pub run: String,
    pub glob: Vec<String>,
    pub exclude: Vec<String>,
    pub root: Option<String>,
    pub env: BTreeMap<String, String>,
    pub stage_fixed: bool,
    pub interactive: bool,
    pub fail_text: Option<String>,
    /// `skip`/`only` as TOML values (lefthook's translated by [`lefthook_conditions`]).
    pub skip: Option<String>,
    pub only: Option<String>,
    pub priority: Option<u32>,
}

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Hook {
    pub parallel: Option<bool>,
    pub fail_fast: Option<bool>,
    pub skip: Option<String>,
    pub only: Option<String>,
    pub jobs: Vec<Job>,
}

/// What was found and translated.
#[derive(Debug, Default)]
pub struct Migration {
    /// Files read, repo-relative.
    pub sources: Vec<String>,
    pub hooks: BTreeMap<String, Hook>,
    /// What could not be translated, one sentence each.
    pub notes: Vec<String>,
    pub husky: bool,
    pub lefthook: bool,
    /// The pre-commit framework's `.pre-commit-config.yaml`.
    pub pre_commit: bool,
    /// `prepare`/`postinstall` scripts that run husky: `(key, script)`.
    pub husky_scripts: Vec<(&'static str, String)>,
    /// hookctl is an npm dependency: the config starts with `#:schema`, as `init` writes it.
    pub schema: bool,
    /// commitlint's rules as `[commit]` (the built-in `commit-msg` check).
    pub commit: Option<commitlint::Commit>,
}

impl Migration {
    fn note(&mut self, n: impl Into<String>) {
        self.notes.push(n.into());
    }

    fn push(&mut self, hook: &str, mut job: Job) {
        let h = self.hooks.entry(hook.to_string()).or_default();
        // Unique names, never a check group's.
        let base = if config::CHECK_GROUPS.contains(&job.name.as_str()) || job.name.is_empty() {
            format!("{}-job", job.name)
        } else {
            job.name.clone()
        };
        let mut name = base.clone();
        let mut n = 2;
        while h.jobs.iter().any(|j| j.name == name) {
            name = format!("{base}-{n}");
            n += 1;
        }
        job.name = name;
        h.jobs.push(job);
    }
}

pub fn run(ctx: &Ctx, args: &MigrateArgs) -> anyhow::Result<Exit> {
    let hooks = super::install::locate(ctx)?;
    let Some(root) = hooks.root.clone() else {
        return Err(anyhow::anyhow!(
            "hookctl migrate needs a work tree (this is a bare repository)"
        ));
    };
    let target = root.join(FILE_NAME);
    if target.exists() && !args.force {
        return Err(anyhow::anyhow!(
            "{} already exists (use --force to overwrite it)",
            target.display()
        ));
    }
    let mut m = detect(&root)?;
    if m.sources.is_empty() {
        return Err(anyhow::anyhow!(
            "nothing to migrate: no .husky/ scripts, lint-staged config, lefthook.yml, .pre-commit-config.yaml or commitlint config found"
        ));
    }
    if !args.yes {
        // `--yes` does it (see below); otherwise it is left to do by hand.
        for (key, script) in m.husky_scripts.clone() {
            m.note(format!(
                "package.json: the `{key}` script `{script}` runs husky, which sets core.hooksPath again on \
                 every install: replace `husky` with `{}` (`--yes` does)",
                crate::prepare::PREPARE
            ));
        }
    }
    write_config(&target, &m)?;
    if !args.yes {
        errln!(
            "  next: review it, then `{}`: it takes the hooks over{}",
            super::install::command_for(Some(&root), "migrate --yes --force"),
            if m.husky_scripts.is_empty() {
                ""
            } else {
                " and puts `hookctl install` in place of husky in package.json"
            }
        );
        return Ok(Exit::Success);
    }
    take_over(ctx, &hooks, &m)?;
    lifecycle_script(&root)?;
    // Every hook the new configuration uses (a translated `commit-msg` job gets its hook).
    let exit = super::install::install(
        ctx,
        &InstallArgs {
            force: false,
            hooks: Vec::new(),
            server: false,
            config_hooks: false,
        },
    )?;
    if exit == Exit::Success && !ctx.quiet {
        next_steps(&root, &m);
    }
    Ok(exit)
}

/// Write the translated config (checked by the real parser first: a translation hookctl
/// cannot read is a bug) and say what it came from and what was left to do by hand.
fn write_config(target: &Path, m: &Migration) -> anyhow::Result<()> {
    let text = render(m);
    config::parse(target, &text).map_err(|e| {
        anyhow::anyhow!(
            "internal error: translated config is invalid: {}\n{text}",
            e.chain()
        )
    })?;
    super::write_whole(target, &text)?;
    let jobs: usize = m.hooks.values().map(|h| h.jobs.len()).sum();
    errln!(
        "hookctl: wrote {} from {} ({jobs} job{})",
        target.display(),
        m.sources.join(", "),
        if jobs == 1 { "" } else { "s" }
    );
    if !m.notes.is_empty() {
        errln!("hookctl: not translated (do these by hand):");
        for n in &m.notes {
            errln!("  - {n}");
        }
    }
    Ok(())
}

/// After `--yes` took the hooks over: what to commit, and the tools the team can then remove.
fn next_steps(root: &Path, m: &Migration) {
    let pm = crate::package_manager::Pm::detect(root);
    let manifest = root.join("package.json").is_file();
    errln!(
        "  next: commit {FILE_NAME}{}: every clone then installs these hooks{}",
        if manifest { " and package.json" } else { "" },
        if manifest {
            format!(" on `{}`", pm.install())
        } else {
            String::new()
        }
    );
    let mut unused: Vec<&str> = Vec::new();
    if m.husky {
        unused.push("husky");
    }
    if m.sources
        .iter()
        .any(|s| s.contains("lint-staged") || s.starts_with(".lintstagedrc"))
    {
        unused.push("lint-staged");
    }
    if !unused.is_empty() && manifest {
        errln!(
            "  then, when the team has moved: `{}`{}",
            pm.remove(&unused.join(" ")),
            if m.husky { " and `git rm -r .husky`" } else { "" }
        );
    }
}

/// `--yes`: husky's `core.hooksPath` unset, lefthook's own hooks removed (hookctl's replace them).
fn take_over(ctx: &Ctx, hooks: &install::Hooks, m: &Migration) -> anyhow::Result<()> {
    // Only husky's (`.husky/_`, `.husky`): a hooks folder of the team's own is kept.
    if hooks.husky().is_some() {
        let out = crate::git::command(&ctx.cwd)
            .args(["config", "--unset-all", "core.hooksPath"])
            .output()?;
        if !out.status.success() && out.status.code() != Some(5) {
            return Err(anyhow::anyhow!(
                "git config --unset core.hooksPath failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        errln!("hookctl: unset core.hooksPath (husky's)");
    }
    let hooks = super::install::locate(ctx)?;
    if m.pre_commit {
        for hook in crate::hook_names::GIT_HOOKS {
            let path = hooks.path(hook);
            if let Ok(text) = std::fs::read_to_string(&path)
                && text.contains("File generated by pre-commit")
                && !install::is_shim(text.as_bytes())
            {
                std::fs::remove_file(&path)?;
                // pre-commit keeps the hook it replaced as `<hook>.legacy`: hookctl chains it.
                errln!("hookctl: removed pre-commit's {hook} hook");
            }
        }
    }
    if m.lefthook {
        for hook in crate::hook_names::GIT_HOOKS {
            let path = hooks.path(hook);
            if let Ok(text) = std::fs::read_to_string(&path)
                && text.contains("lefthook")
                && !install::is_shim(text.as_bytes())
            {
                std::fs::remove_file(&path)?;
                errln!("hookctl: removed lefthook's {hook} hook");
            }
        }
    }
    Ok(())
}

/// `--yes`: husky's command in `prepare`/`postinstall` becomes `hookctl install`, and the
/// lifecycle script that runs on this package manager's install is there, so that every
/// teammate's `npm install` (or pnpm, yarn, bun) installs the hooks.
fn lifecycle_script(root: &Path) -> anyhow::Result<()> {
    let path = root.join("package.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(());
    };
    if let Some((done, edited)) = crate::prepare::replace_husky(&text) {
        std::fs::write(&path, edited)?;
        for r in done {
            errln!(
                "hookctl: package.json: the `{}` script `{}` is now `{}`",
                r.key,
                r.old,
                r.new
            );
        }
    }
    let pm = crate::package_manager::Pm::detect(root);
    match crate::prepare::ensure(root)? {
        crate::prepare::Prepare::Added(key) => errln!(
            "hookctl: added `\"{key}\": \"{}\"` to package.json: `{}` installs the hooks, in every clone",
            crate::prepare::PREPARE,
            pm.install()
        ),
        crate::prepare::Prepare::Other(key, script) => errln!(
            "  note: package.json's `{key}` script is `{script}`: add `{}` to it so that `{}` installs the hooks",
            crate::prepare::PREPARE,
            pm.install()
        ),
        _ => {}
    }
    Ok(())
}

/// The git hooks of `.husky/`, each translated (`husky_script`). Returns whether one of them
/// runs lint-staged.
fn husky_dir(
    root: &Path,
    lint_staged: Option<&(String, Vec<Job>)>,
    m: &mut Migration,
) -> anyhow::Result<bool> {
    let mut lint_staged_used = false;
    let husky_dir = root.join(".husky");
    if !husky_dir.is_dir() {
        return Ok(false);
    }
    let mut entries: Vec<_> = std::fs::read_dir(&husky_dir)?
        .filter_map(Result::ok)
        .filter(|e| e.path().is_file())
        .collect();
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for e in entries {
        let name = e.file_name().to_string_lossy().into_owned();
        if !crate::hook_names::GIT_HOOKS.contains(&name.as_str()) {
            continue;
        }
        m.husky = true;
        let rel = format!(".husky/{name}");
        m.sources.push(rel.clone());
        let bytes = std::fs::read(e.path())?;
        let text = String::from_utf8_lossy(&bytes);
        husky_script(&name, &rel, &text, lint_staged, &mut lint_staged_used, m);
    }
    Ok(lint_staged_used)
}

/// Whether `package.json` lists `name` in `dependencies` or `devDependencies`.
fn declares(root: &Path, name: &str) -> bool {
    let manifest: Value = std::fs::read(root.join("package.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    ["dependencies", "devDependencies"]
        .iter()
        .any(|k| manifest.get(k).and_then(|d| d.get(name)).is_some())
}

/// Read every source found in `root`.
pub fn detect(root: &Path) -> anyhow::Result<Migration> {
    let mut m = Migration::default();
    let lint_staged = lint_staged_config(root, &mut m)?;
    let lint_staged_used = husky_dir(root, lint_staged.as_ref(), &mut m)?;
    if let Some((_, tasks)) = &lint_staged
        && !lint_staged_used
    {
        // A lint-staged config without husky calling it: it ran from some other pre-commit.
        for job in tasks.clone() {
            m.push("pre-commit", job);
        }
    }
    for name in ["lefthook.yml", "lefthook.yaml", ".lefthook.yml", ".lefthook.yaml"] {
        let path = root.join(name);
        if path.is_file() {
            m.lefthook = true;
            m.sources.push(name.to_string());
            lefthook(name, &std::fs::read(&path)?, &mut m)?;
            break;
        }
    }
    if root.join(".pre-commit-config.yaml").is_file() {
        m.pre_commit = true;
        m.sources.push(".pre-commit-config.yaml".into());
        m.push(
            "pre-commit",
            Job {
                name: "pre-commit-framework".into(),
                run: "pre-commit run --hook-stage pre-commit --files {files}".into(),
                ..Job::default()
            },
        );
        m.note(
            ".pre-commit-config.yaml: its hooks run through the pre-commit framework, as one job \
             (`pre-commit-framework`); translate them into hookctl jobs to drop it",
        );
    }
    if m.lefthook && declares(root, "lefthook") {
        m.note(format!(
            "package.json: `lefthook` is a dependency, and its postinstall installs lefthook's hooks again on \
             every install: remove it (`{}`)",
            crate::package_manager::Pm::detect(root).remove("lefthook")
        ));
    }
    if let Some((source, commit)) = commitlint::detect(root, &mut m.notes) {
        m.sources.push(source.clone());
        if commit.is_some() {
            // The built-in check replaces `commitlint --edit` (and its Node start).
            if let Some(h) = m.hooks.get_mut("commit-msg") {
                h.jobs.retain(|j| !j.run.contains("commitlint"));
                if h.jobs.is_empty() {
                    m.hooks.remove("commit-msg");
                }
            }
        }
        m.commit = commit;
    }
    m.schema = super::install::npm_dependency(root);
    // The jobs' PATH starts with node_modules/.bin: `npx eslint` is `eslint`, without a Node
    // start (and without npx fetching a package when the tool is missing).
    for hook in m.hooks.values_mut() {
        for job in &mut hook.jobs {
            job.run = without_runner(root, &job.run);
        }
    }
    for local in ["lefthook-local.yml", "lefthook-local.yaml"] {
        if root.join(local).is_file() {
            m.note(format!(
                "{local}: personal overrides are not translated; put them in hookctl.local.toml"
            ));
        }
    }
    Ok(m)
}

/// `npx eslint --fix {files}` as `eslint --fix {files}` when the repository's
/// `node_modules/.bin` has `eslint` (jobs find it there); any other command as it is.
fn without_runner(root: &Path, run: &str) -> String {
    let runners: &[&str] = &[
        "npx --no -- ",
        "npx --no ",
        "npx ",
        "pnpm exec ",
        "yarn exec ",
        "bunx ",
    ];
    let trimmed = run.trim_start();
    for r in runners {
        if let Some(rest) = trimmed.strip_prefix(r) {
            let Some(word) = rest.split_whitespace().next() else {
                continue;
            };
            let plain = !word.starts_with('-') && !word.contains(['/', '@', '$', '=']);
            if plain && install::is_executable(&root.join("node_modules/.bin").join(word)) {
                return rest.to_string();
            }
        }
    }
    run.to_string()
}

/// Placeholder and name helpers.
fn job_name(cmd: &str) -> String {
    let skip = [
        "sh", "bash", "node", "npx", "pnpm", "yarn", "bunx", "bun", "npm", "exec", "run", "--no", "--",
        "dlx", "x",
    ];
    let word = cmd
        .split_whitespace()
        .find(|w| !skip.contains(w) && !w.starts_with('-') && !w.contains('='))
        .unwrap_or("job");
    let word = word.rsplit('/').next().unwrap_or(word);
    let clean: String = word
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let clean = clean.trim_matches('-').to_string();
    if clean.is_empty() { "job".into() } else { clean }
}

fn is_lint_staged_call(line: &str) -> bool {
    let words: Vec<&str> = line.split_whitespace().collect();
    words.contains(&"lint-staged")
        && words
            .first()
            .is_some_and(|f| ["npx", "pnpm", "yarn", "bunx", "bun", "npm", "lint-staged", "exec"].contains(f))
}

const SHELL_FLOW: &[&str] = &[
    "if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case", "esac", "function",
    "{", "}",
];

fn husky_script(
    hook: &str,
    rel: &str,
    text: &str,
    lint_staged: Option<&(String, Vec<Job>)>,
    used: &mut bool,
    m: &mut Migration,
) {
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| {
            !l.is_empty()
                && !l.starts_with('#')
                && !l.contains("husky.sh")
                && !l.starts_with("exec < /dev/tty")
        })
        .collect();
    let flow = lines.iter().any(|(_, l)| {
        l.ends_with('\\')
            || l.ends_with("&& \\")
            || SHELL_FLOW.contains(&l.split_whitespace().next().unwrap_or(""))
            || l.contains("()")
    });
    if flow {
        let body: Vec<&str> = lines.iter().map(|(_, l)| *l).collect();
        m.note(format!(
            "{rel}: shell control flow (if/for/functions/continued lines) kept as one job `{hook}-script`; split it into jobs by hand"
        ));
        // The script still runs lint-staged itself: its config must not also become jobs, or
        // every commit runs lint-staged's commands twice.
        if let Some((n, line)) = lines.iter().find(|(_, l)| is_lint_staged_call(l)) {
            *used = true;
            m.note(format!(
                "{rel}:{n}: `{line}` runs inside the shell control flow, so lint-staged keeps running from \
                 `{hook}-script` and its config is not translated into jobs; to drop lint-staged, move its \
                 `glob: command` entries into jobs by hand and remove that line"
            ));
        }
        let run = args(&body.join("\n"), rel, m);
        m.push(
            hook,
            Job {
                name: format!("{hook}-script"),
                run,
                ..Job::default()
            },
        );
        return;
    }
    for (n, line) in lines {
        if is_lint_staged_call(line) {
            match lint_staged {
                Some((_, jobs)) => {
                    *used = true;
                    for job in jobs.clone() {
                        m.push(hook, job);
                    }
                }
                None => m.note(format!(
                    "{rel}:{n}: `{line}` calls lint-staged, but no lint-staged config was found (or it is a JS config)"
                )),
            }
            continue;
        }
        let run = args(line, &format!("{rel}:{n}"), m);
        m.push(
            hook,
            Job {
                name: job_name(line),
                run,
                ..Job::default()
            },
        );
    }
}

/// husky's `$1`… become hookctl's `{1}`… (substituted shell-quoted).
fn args(line: &str, at: &str, m: &mut Migration) -> String {
    let mut out = line.to_string();
    for i in 1..=9 {
        out = out
            .replace(&format!("\"${i}\""), &format!("{{{i}}}"))
            .replace(&format!("${{{i}}}"), &format!("{{{i}}}"))
            .replace(&format!("${i}"), &format!("{{{i}}}"));
    }
    if out.contains("$@") || out.contains("$*") {
        m.note(format!(
            "{at}: `$@`/`$*` (all hook arguments): use `{{1}}`… by hand"
        ));
    }
    out
}

/// The lint-staged config in `root` (package.json's key, then the `.lintstagedrc` files) with
/// where it was found; a JS config is named in a note, not run. Also notes package.json's
/// scripts that run husky.
fn find_lint_staged(root: &Path, m: &mut Migration) -> anyhow::Result<Option<(String, Value)>> {
    let read = |name: &str| std::fs::read(root.join(name)).ok();
    let mut found: Option<(String, Value)> = None;
    if let Some(bytes) = read("package.json") {
        let pkg: Value = serde_json::from_slice(&bytes)
            .map_err(|e| anyhow::anyhow!("package.json: line {}: {e}", e.line()))?;
        // `prepare` (npm, pnpm, yarn 1) or `postinstall` (yarn 2+, which runs no `prepare`).
        for key in ["prepare", "postinstall"] {
            if let Some(script) = pkg.pointer(&format!("/scripts/{key}")).and_then(Value::as_str)
                && script.contains("husky")
            {
                m.husky_scripts.push((key, script.to_string()));
            }
        }
        if let Some(v) = pkg.get("lint-staged") {
            found = Some(("package.json \"lint-staged\"".into(), v.clone()));
        }
    }
    for name in [
        ".lintstagedrc",
        ".lintstagedrc.json",
        ".lintstagedrc.yaml",
        ".lintstagedrc.yml",
    ] {
        if found.is_some() {
            break;
        }
        if let Some(bytes) = read(name) {
            let text = String::from_utf8_lossy(&bytes);
            let json =
                name.ends_with(".json") || (name == ".lintstagedrc" && text.trim_start().starts_with('{'));
            let v = if json {
                serde_json::from_str::<Value>(&text)
                    .map_err(|e| anyhow::anyhow!("{name}: line {}: {e}", e.line()))?
            } else {
                yaml(name, &text)?
            };
            found = Some((name.to_string(), v));
        }
    }
    for name in [
        ".lintstagedrc.js",
        ".lintstagedrc.cjs",
        ".lintstagedrc.mjs",
        ".lintstagedrc.ts",
        "lint-staged.config.js",
        "lint-staged.config.cjs",
        "lint-staged.config.mjs",
        "lint-staged.config.ts",
    ] {
        if root.join(name).is_file() {
            m.sources.push(name.to_string());
            m.note(format!(
                "{name}: a JS config is not executed; for each `glob: command` (or function) it exports, add \
                 `[[pre-commit.jobs]]` with `glob = \"<glob>\"`, `run = \"<command> {{files}}\"` and `stage_fixed = true`"
            ));
        }
    }
    Ok(found)
}

/// The lint-staged config: (file, jobs). JS configs are explained, not executed.
fn lint_staged_config(root: &Path, m: &mut Migration) -> anyhow::Result<Option<(String, Vec<Job>)>> {
    let Some((source, value)) = find_lint_staged(root, m)? else {
        return Ok(None);
    };
    m.sources.push(source.clone());
    let Some(map) = value.as_object() else {
        m.note(format!(
            "{source}: not an object of `glob: command`; nothing translated"
        ));
        return Ok(Some((source, Vec::new())));
    };
    let jobs = lint_staged_jobs(&source, map, m);
    Ok(Some((source, jobs)))
}

/// lint-staged's `glob: command(s)` as jobs that re-stage their fixes (`git add` dropped);
/// a glob with several commands makes the hook run its jobs in order, as lint-staged does.
fn lint_staged_jobs(source: &str, map: &serde_json::Map<String, Value>, m: &mut Migration) -> Vec<Job> {
    let mut jobs = Vec::new();
    let mut sequential = false;
    for (glob, cmds) in map {
        let list: Vec<String> = match cmds {
            Value::String(s) => vec![s.clone()],
            Value::Array(a) => a.iter().filter_map(|c| c.as_str().map(str::to_string)).collect(),
            _ => {
                m.note(format!("{source}: `{glob}`: not a command or a list of commands"));
                continue;
            }
        };
        if list.len() > 1 {
            sequential = true;
        }
        if !valid_glob(glob) {
            m.note(format!(
                "{source}: `{glob}`: a glob hookctl cannot read (extglob?); translate by hand"
            ));
            continue;
        }
        for cmd in list {
            if cmd.trim() == "git add" || cmd.trim().starts_with("git add ") {
                m.note(format!(
                    "{source}: `{glob}`: `{cmd}` dropped: `stage_fixed = true` re-stages what the jobs fix"
                ));
                continue;
            }
            let run = if cmd.contains("{files}") {
                cmd.clone()
            } else {
                format!("{cmd} {{files}}")
            };
            jobs.push(Job {
                name: job_name(&cmd),
                run,
                glob: vec![glob.clone()],
                stage_fixed: true,
                ..Job::default()
            });
        }
    }
    if sequential {
        // lint-staged runs a glob's commands in order; hookctl's jobs run in parallel by default.
        m.hooks.entry("pre-commit".into()).or_default().parallel = Some(false);
    }
    jobs
}

fn valid_glob(raw: &str) -> bool {
    let g = raw.strip_prefix("./").unwrap_or(raw);
    !g.starts_with('!')
        && globset::GlobBuilder::new(g)
            .literal_separator(true)
            .backslash_escape(true)
            .build()
            .is_ok()
}

fn yaml(name: &str, text: &str) -> anyhow::Result<Value> {
    if text.trim().is_empty() {
        return Ok(Value::Null);
    }
    serde_saphyr::from_str::<Value>(text).map_err(|e| {
        let line = e.location().map_or(1, |l| l.line().max(1));
        let message = e.without_snippet().to_string();
        let message = message
            .lines()
            .next()
            .unwrap_or("invalid YAML")
            .trim()
            .to_string();
        anyhow::anyhow!("{name}: line {line}: {message}")
    })
}

/// lefthook settings that are not hooks.
const LEFTHOOK_GLOBAL: &[&str] = &[
    "min_version",
    "lefthook",
    "colors",
    "no_tty",
    "source_dir",
    "source_dir_local",
    "rc",
    "skip_output",
    "output",
    "assert_lefthook_installed",
    "skip_lfs",
    "templates",
    "glob_matcher",
];

fn lefthook(name: &str, bytes: &[u8], m: &mut Migration) -> anyhow::Result<()> {
    let text = std::str::from_utf8(bytes).map_err(|_| anyhow::anyhow!("{name}: not valid UTF-8"))?;
    let doc = yaml(name, text)?;
    let Some(top) = doc.as_object() else {
        if !doc.is_null() {
            return Err(anyhow::anyhow!("{name}: line 1: expected a mapping of hooks"));
        }
        return Ok(());
    };
    for (key, value) in top {
        if ["extends", "remotes", "remote"].contains(&key.as_str()) {
            m.note(format!(
                "{name}: `{key}`: shared configs are not fetched; translate what they define by hand"
            ));
            continue;
        }
        if LEFTHOOK_GLOBAL.contains(&key.as_str()) {
            continue;
        }
        if !crate::hook_names::GIT_HOOKS.contains(&key.as_str())
            && !config::suggest(key, crate::hook_names::GIT_HOOKS.iter().copied()).is_empty()
        {
            m.note(format!("{name}: `{key}` is not a git hook (a typo?); skipped"));
            continue;
        }
        let Some(hook) = value.as_object() else {
            m.note(format!("{name}: `{key}`: not a hook table; skipped"));
            continue;
        };
        if config::CHECK_GROUPS.contains(&key.as_str())
            || ["rules", "imports", "env", "scan", "secrets"].contains(&key.as_str())
        {
            m.note(format!(
                "{name}: `{key}`: a hook name hookctl reserves; translate by hand"
            ));
            continue;
        }
        lefthook_hook(name, key, hook, m);
    }
    Ok(())
}

/// One hook of a lefthook config: its settings (`piped`, `parallel`, `skip`, `only`), its
/// commands and jobs translated, its scripts named in notes.
fn lefthook_hook(name: &str, key: &str, hook: &serde_json::Map<String, Value>, m: &mut Migration) {
    let piped = hook.get("piped").and_then(Value::as_bool).unwrap_or(false);
    let parallel = hook.get("parallel").and_then(Value::as_bool).unwrap_or(false);
    let at = format!("{name}: `{key}`");
    let skip = lefthook_conditions(&at, "skip", hook.get("skip"), m);
    let only = lefthook_conditions(&at, "only", hook.get("only"), m);
    {
        let h = m.hooks.entry(key.to_string()).or_default();
        h.skip = skip;
        h.only = only;
        h.parallel = Some(parallel && !piped);
        if piped {
            h.fail_fast = Some(true);
        }
    }
    for k in hook.keys() {
        if ![
            "commands",
            "scripts",
            "jobs",
            "parallel",
            "piped",
            "follow",
            "fail_on_changes",
            "skip",
            "only",
        ]
        .contains(&k.as_str())
        {
            m.note(format!("{name}: `{key}.{k}` has no hookctl equivalent; skipped"));
        }
    }
    if let Some(cmds) = hook.get("commands").and_then(Value::as_object) {
        for (cname, c) in cmds {
            lefthook_job(name, key, cname, c, m);
        }
    }
    if let Some(jobs) = hook.get("jobs").and_then(Value::as_array) {
        for (i, c) in jobs.iter().enumerate() {
            let cname = c
                .get("name")
                .and_then(Value::as_str)
                .map_or_else(|| format!("job-{}", i + 1), str::to_string);
            lefthook_job(name, key, &cname, c, m);
        }
    }
    if let Some(scripts) = hook.get("scripts").and_then(Value::as_object) {
        for (sname, s) in scripts {
            let runner = s.get("runner").and_then(Value::as_str).unwrap_or("sh");
            m.note(format!(
                "{name}: `{key}.scripts.{sname}` (a file under .lefthook/{key}/): add a job with `run = \"{runner} .lefthook/{key}/{sname}\"` by hand"
            ));
        }
    }
}

fn lefthook_job(file: &str, hook: &str, cname: &str, c: &Value, m: &mut Migration) {
    let at = format!("{file}: `{hook}.{cname}`");
    let Some(run) = c.get("run").and_then(Value::as_str) else {
        m.note(format!("{at}: no `run` (a script or group); translate by hand"));
        return;
    };
    let Some(run) = lefthook_run(&at, hook, run, m) else {
        return;
    };
    for unknown in ["{lefthook_job_name}", "{cmd}"] {
        if run.contains(unknown) {
            m.note(format!("{at}: `{unknown}` has no hookctl equivalent"));
        }
    }
    if c.get("files").is_some() {
        m.note(format!(
            "{at}: `files` (a command listing files) is not supported; `{{files}}` is the staged files"
        ));
    }
    let Some((glob, exclude)) = lefthook_globs(&at, c, m) else {
        return;
    };
    let root = lefthook_root(&at, c, m);
    let env = lefthook_env(c);
    let skip = lefthook_conditions(&at, "skip", c.get("skip"), m);
    let only = lefthook_conditions(&at, "only", c.get("only"), m);
    let priority = lefthook_priority(&at, c, m);
    for k in ["tags", "file_types", "use_stdin"] {
        if c.get(k).is_some() {
            m.note(format!(
                "{at}: `{k}` has no hookctl equivalent; skipped (`HOOKCTL_SKIP={cname}` skips a job)"
            ));
        }
    }
    m.push(
        hook,
        Job {
            name: cname.to_string(),
            run,
            glob,
            exclude,
            root,
            env,
            stage_fixed: c.get("stage_fixed").and_then(Value::as_bool).unwrap_or(false),
            interactive: c.get("interactive").and_then(Value::as_bool).unwrap_or(false),
            fail_text: c.get("fail_text").and_then(Value::as_str).map(str::to_string),
            skip,
            only,
            priority,
        },
    );
}

/// A lefthook `run` in hookctl's placeholders; `None` (with a note) when a placeholder sits
/// inside the user's quotes, where a file name could run as shell code.
fn lefthook_run(at: &str, hook: &str, run: &str, m: &mut Migration) -> Option<String> {
    let mut run = run
        .replace("{staged_files}", "{files}")
        .replace("{push_files}", "{files}");
    if run.contains("{all_files}") {
        run = run.replace("{all_files}", "{files}");
        m.note(format!("{at}: `{{all_files}}` became `{{files}}` (the hook's files; `hookctl run {hook} --all-files` for all)"));
    }
    if run.contains("{0}") {
        run = run.replace("{0}", "{1}");
        m.note(format!("{at}: `{{0}}` (all arguments) became `{{1}}`"));
    }
    // lefthook substitutes file names unquoted, so its configs quote them (`"{staged_files}"`);
    // hookctl quotes each name itself, and inside quotes that is shell injection: the quotes
    // go when they hold only the placeholder, else the job is left for a human.
    run = unquote_placeholders(&run);
    if let Some(bad) = crate::config::template::misquoted(&run).first() {
        m.note(format!(
            "{at}: `{}` is {} in `run = {run:?}`, where a file name could run as shell code; translate by hand",
            bad.placeholder,
            bad.context.describe()
        ));
        return None;
    }
    Some(run)
}

/// A lefthook command's `glob` and `exclude` as hookctl globs; what hookctl cannot read is
/// left out with a note, and `None` when every written glob was (the job would run on every
/// file).
fn lefthook_globs(at: &str, c: &Value, m: &mut Migration) -> Option<(Vec<String>, Vec<String>)> {
    // Entries that are not strings (`glob: [1, "*.ts"]`, `glob: true`) are named, not dropped
    // silently.
    let list = |key: &str, m: &mut Migration| -> Vec<String> {
        match c.get(key) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(|x| {
                    let s = x.as_str().map(str::to_string);
                    if s.is_none() {
                        m.note(format!("{at}: `{key}` entry `{x}` is not a string; left out"));
                    }
                    s
                })
                .collect(),
            Some(other) => {
                m.note(format!(
                    "{at}: `{key}: {other}` is not a glob or a list of globs; left out"
                ));
                Vec::new()
            }
        }
    };
    let written_globs = match c.get("glob") {
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Null) | None => false,
        Some(_) => true,
    };
    let mut glob = list("glob", m);
    glob.retain(|g| {
        let ok = valid_glob(g);
        if !ok {
            m.note(format!("{at}: glob `{g}` cannot be read by hookctl; left out"));
        }
        ok
    });
    let mut exclude = list("exclude", m);
    if let Some(Value::String(s)) = c.get("exclude")
        && s.contains(['^', '$', '|', '(', '\\'])
    {
        m.note(format!(
            "{at}: `exclude` is a regular expression (lefthook < 1.10); write it as globs by hand"
        ));
        exclude.clear();
    }
    exclude.retain(|g| valid_glob(g));
    // A job whose every glob was left out would run on every staged file, which lefthook never
    // did: left out itself.
    if written_globs && glob.is_empty() {
        m.note(format!(
            "{at}: none of its globs can be read by hookctl, and without one it would run on every file; \
             job left out, translate it by hand"
        ));
        return None;
    }
    Some((glob, exclude))
}

/// A lefthook command's `root`, unless it leads outside the repository.
fn lefthook_root(at: &str, c: &Value, m: &mut Migration) -> Option<String> {
    let root = c
        .get("root")
        .and_then(Value::as_str)
        .map(|r| r.trim_start_matches("./").trim_end_matches('/').to_string())
        .filter(|r| !r.is_empty());
    match root {
        Some(r) if r.starts_with('/') || r.split('/').any(|c| c == "..") => {
            m.note(format!("{at}: `root: {r}` is outside the repository; left out"));
            None
        }
        r => r,
    }
}

/// A lefthook command's `env`, values written as strings.
fn lefthook_env(c: &Value) -> BTreeMap<String, String> {
    c.get("env")
        .and_then(Value::as_object)
        .map(|e| {
            e.iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        v.as_str().map_or_else(|| v.to_string(), str::to_string),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A lefthook command's `priority` (lefthook's 0, like none, runs after the numbered ones).
fn lefthook_priority(at: &str, c: &Value, m: &mut Migration) -> Option<u32> {
    match c.get("priority") {
        None => None,
        Some(p) => match p.as_u64().and_then(|p| u32::try_from(p).ok()) {
            // lefthook's 0 (like no priority) runs after the numbered ones, as hookctl's
            // jobs without one do.
            Some(0) => None,
            Some(p) => Some(p),
            None => {
                m.note(format!("{at}: `priority: {p}` is not a whole number; left out"));
                None
            }
        },
    }
}

/// lefthook's `skip`/`only` (`true`, `merge`, `rebase`, `ref: x`, `run: x`, or a list) as a
/// hookctl condition value; what has no equivalent (`merge-commit`) is a note and left out.
fn lefthook_conditions(at: &str, key: &str, v: Option<&Value>, m: &mut Migration) -> Option<String> {
    let items: Vec<&Value> = match v? {
        Value::Bool(b) => return Some(b.to_string()),
        Value::Array(a) => a.iter().collect(),
        other => vec![other],
    };
    let mut out = Vec::new();
    for item in items {
        let translated = match item {
            Value::String(s) if ["merge", "rebase"].contains(&s.as_str()) => Some(q(s)),
            Value::Object(o) if o.len() == 1 => match o.iter().next() {
                Some((k, Value::String(x))) if k == "ref" => Some(format!("{{ ref = {} }}", q(x))),
                Some((k, Value::String(x))) if k == "run" => Some(format!("{{ run = {} }}", q(x))),
                _ => None,
            },
            _ => None,
        };
        match translated {
            Some(t) => out.push(t),
            None => m.note(format!(
                "{at}: `{key}: {}` has no hookctl equivalent; left out",
                serde_json::to_string(item).unwrap_or_default()
            )),
        }
    }
    // A list that lost every condition is left out whole (said so above).
    (!out.is_empty()).then(|| format!("[{}]", out.join(", ")))
}

/// `run` with the quotes removed that enclose exactly one placeholder (`"{files}"`, `'{1}'`).
fn unquote_placeholders(run: &str) -> String {
    let mut run = run.to_string();
    loop {
        let next = crate::config::template::misquoted(&run)
            .into_iter()
            .find_map(|m| {
                let end = m.offset + m.placeholder.len();
                let open = run.get(m.offset.checked_sub(1)?..m.offset)?;
                let close = run.get(end..end + 1)?;
                ((open == "\"" || open == "'") && open == close).then_some((m.offset - 1, end))
            });
        match next {
            Some((start, end)) => {
                run.replace_range(end..=end, "");
                run.replace_range(start..=start, "");
            }
            None => return run,
        }
    }
}

fn q(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn patterns(p: &[String]) -> String {
    if p.len() == 1 {
        q(&p[0])
    } else {
        format!("[{}]", p.iter().map(|g| q(g)).collect::<Vec<_>>().join(", "))
    }
}

pub fn render(m: &Migration) -> String {
    let mut t = String::new();
    if m.schema {
        // Taplo / Even Better TOML read the schema named on the first line (as `init` writes).
        let _ = writeln!(t, "#:schema {}", super::init::NPM_SCHEMA);
    }
    let _ = writeln!(
        t,
        "# hookctl configuration, written by `hookctl migrate` from {}.",
        m.sources.join(", ")
    );
    t.push_str("# Every hook also runs hookctl's built-in checks (imports, files, env, secrets);\n");
    t.push_str("# `checks = [...]` in a hook table limits them.\n");
    for n in &m.notes {
        let _ = writeln!(t, "# not translated: {}", n.replace('\n', " "));
    }
    if let Some(c) = &m.commit {
        render_commit(&mut t, c);
    }
    for (name, h) in &m.hooks {
        let _ = writeln!(t, "\n[{}]", toml_key(name));
        if let Some(p) = h.parallel {
            let _ = writeln!(t, "parallel = {p}");
        }
        if let Some(f) = h.fail_fast {
            let _ = writeln!(t, "fail_fast = {f}");
        }
        if let Some(c) = &h.skip {
            let _ = writeln!(t, "skip = {c}");
        }
        if let Some(c) = &h.only {
            let _ = writeln!(t, "only = {c}");
        }
        for j in &h.jobs {
            let _ = writeln!(t, "\n[[{}.jobs]]", toml_key(name));
            let _ = writeln!(t, "name = {}\nrun = {}", q(&j.name), q(&j.run));
            if !j.glob.is_empty() {
                let _ = writeln!(t, "glob = {}", patterns(&j.glob));
            }
            if !j.exclude.is_empty() {
                let _ = writeln!(t, "exclude = {}", patterns(&j.exclude));
            }
            if let Some(r) = &j.root {
                let _ = writeln!(t, "root = {}", q(r));
            }
            if !j.env.is_empty() {
                let pairs: Vec<String> = j
                    .env
                    .iter()
                    .map(|(k, v)| format!("{} = {}", q(k), q(v)))
                    .collect();
                let _ = writeln!(t, "env = {{ {} }}", pairs.join(", "));
            }
            if j.stage_fixed {
                t.push_str("stage_fixed = true\n");
            }
            if j.interactive {
                t.push_str("interactive = true\n");
            }
            if let Some(f) = &j.fail_text {
                let _ = writeln!(t, "fail_text = {}", q(f));
            }
            if let Some(c) = &j.skip {
                let _ = writeln!(t, "skip = {c}");
            }
            if let Some(c) = &j.only {
                let _ = writeln!(t, "only = {c}");
            }
            if let Some(p) = j.priority {
                let _ = writeln!(t, "priority = {p}");
            }
        }
    }
    t
}

/// `[rules]` and `[commit]` from commitlint's config.
fn render_commit(t: &mut String, c: &commitlint::Commit) {
    let _ = writeln!(
        t,
        "\n# From {}: the built-in commit-msg check replaces commitlint (and its Node start).\n[rules]\n\"commit/message\" = \"{}\"\n\n[commit]",
        c.source, c.level
    );
    if let Some(false) = c.conventional {
        t.push_str("conventional = false\n");
    }
    if let Some(types) = &c.types {
        let list: Vec<String> = types.iter().map(|x| q(x)).collect();
        let _ = writeln!(t, "types = [{}]", list.join(", "));
    }
    if let Some(n) = c.max_subject_length {
        let _ = writeln!(t, "max_subject_length = {n}");
    }
    if let Some(r) = &c.ticket {
        let _ = writeln!(t, "ticket = {}", q(r));
    }
}

fn toml_key(k: &str) -> String {
    if !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        k.to_string()
    } else {
        q(k)
    }
}
