//! `hookctl doctor`: would the hooks actually run, here and from a GUI git client?
//! Prints one line per fact to stdout; exit 1 when something would stop a hook from running.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::config::{self, Config};
use crate::install::{self, Hooks, Present};
use crate::jobs::path as jobs_path;
use crate::{Ctx, Exit};

/// The PATH macOS and Linux desktop git clients usually give hooks.
pub const GUI_PATH: &str = "/usr/bin:/bin:/usr/sbin:/sbin";

/// Facts to stdout; with `--quiet` only problems and warnings, each with its fix.
#[derive(Default)]
struct Report {
    problems: usize,
    warnings: usize,
    quiet: bool,
}

impl Report {
    fn ok(&self, msg: impl AsRef<str>) {
        if !self.quiet {
            outln!("ok: {}", msg.as_ref());
        }
    }
    fn info(&self, msg: impl AsRef<str>) {
        if !self.quiet {
            outln!("  {}", msg.as_ref());
        }
    }
    fn warn(&mut self, msg: impl AsRef<str>) {
        self.warnings += 1;
        outln!("warning: {}", msg.as_ref());
    }
    fn problem(&mut self, msg: impl AsRef<str>) {
        self.problems += 1;
        outln!("error: {}", msg.as_ref());
    }
    fn hint(&self, msg: impl AsRef<str>) {
        outln!("  hint: {}", msg.as_ref());
    }
}

pub fn run(ctx: &Ctx) -> anyhow::Result<Exit> {
    let hooks = super::install::locate(ctx)?;
    let mut r = Report {
        quiet: ctx.quiet,
        ..Report::default()
    };
    check_location(&hooks, &mut r);

    let (configured, config) = check_config(ctx, &hooks, &mut r);
    if let Some(config) = &config {
        check_remote_cache(&ctx.adjust(config.clone()), &mut r);
    }
    if let Some(value) = install::disabled_by_env() {
        r.warn(format!(
            "HOOKCTL={value} is set in this environment: every hook is skipped"
        ));
        r.hint("run `unset HOOKCTL` (and remove it from your shell profile)");
    }

    let installed = install::installed_shims(&hooks.dir)?;
    let in_config = check_config_hooks(ctx, &mut r);
    check_hooks(
        &hooks,
        &installed,
        &configured,
        &in_config,
        config.as_ref(),
        &mut r,
    )?;
    let shim_dirs: Vec<PathBuf> = installed
        .iter()
        .filter_map(|h| install::present(&hooks.path(h)).ok())
        .filter_map(|p| match p {
            Present::Shim(text) => install::shim_binary(&text),
            _ => None,
        })
        .filter_map(|bin| bin.parent().map(Path::to_path_buf))
        .collect();
    if let (Some(config), Some(root)) = (&config, hooks.root.as_deref()) {
        check_job_commands(config, root, &shim_dirs, &mut r);
    }
    check_gui_path(&mut r);
    check_kept(&hooks.common_dir, &mut r);

    Ok(r.verdict())
}

/// Where the repository and its hooks folder are, and husky owning that folder.
fn check_location(hooks: &install::Hooks, r: &mut Report) {
    let where_ = hooks.root.as_deref().unwrap_or(&hooks.common_dir);
    r.info(format!("repository: {}", where_.display()));
    match &hooks.hooks_path {
        Some(p) => r.info(format!(
            "hooks directory: {} (core.hooksPath = {p})",
            hooks.dir.display()
        )),
        None => r.info(format!("hooks directory: {}", hooks.dir.display())),
    }
    if let Some(husky) = hooks.husky() {
        r.warn(format!(
            "husky owns the hooks directory ({}); `hookctl install` will not write there",
            match husky {
                install::Husky::V9 => "husky 9 regenerates `.husky/_`",
                install::Husky::V5 => "`.husky` holds the team's tracked scripts",
            }
        ));
        // What `hookctl install` itself says it accepts: migrate takes the hooks over.
        r.hint(
            "run `hookctl migrate --yes`: it writes hookctl.toml from the .husky scripts (and lint-staged), \
             unsets core.hooksPath and installs; or keep husky and call `hookctl run <hook> \"$@\"` from `.husky/<hook>`",
        );
    }
}

/// Every hook hookctl would install, configures or finds installed: installed and current,
/// and not installed idle.
fn check_hooks(
    hooks: &install::Hooks,
    installed: &[String],
    configured: &BTreeSet<String>,
    in_config: &[super::install::config_hooks::Registered],
    config: Option<&Config>,
    r: &mut Report,
) -> anyhow::Result<()> {
    let wanted: BTreeSet<String> = install::DEFAULT_HOOKS
        .iter()
        .map(|h| (*h).to_string())
        .chain(configured.iter().cloned())
        .chain(installed.iter().cloned())
        .collect();
    let current = std::env::current_exe().ok();
    for hook in &wanted {
        if let Some(entry) = in_config.iter().find(|e| e.events.contains(hook)) {
            let command = entry.command.as_deref().unwrap_or_default();
            if installed.contains(hook) {
                r.warn(format!(
                    "{hook}: hookctl runs twice, from the hook file and from git config (`hook.{}`)",
                    entry.name
                ));
                r.hint(format!(
                    "keep one: `hookctl uninstall --hooks {hook}` removes the file, `git config --remove-section hook.{}` the entry",
                    entry.name
                ));
            } else {
                r.ok(format!(
                    "{hook}: registered in git config as `hook.{}`, runs {command}",
                    entry.name
                ));
                continue;
            }
        }
        // A default hook left out on purpose (`--hooks pre-commit`) is fine once another is in.
        let required = configured.contains(hook) || installed.is_empty();
        check_hook(hooks, hook, required, current.as_deref(), r)?;
        // Installed but idle: git runs it, hookctl does nothing, and that looked like "ok".
        if installed.contains(hook)
            && let Some(config) = config
            && !super::run::has_work(config, hook)
        {
            r.warn(format!(
                "{hook}: installed, but has nothing to run: no `[{hook}]` table with jobs or checks in {}",
                config::FILE_NAME
            ));
            r.hint(format!(
                "add `[[{hook}.jobs]]` to {}, or `hookctl uninstall --hooks {hook}`",
                config::FILE_NAME
            ));
        }
    }
    Ok(())
}

impl Report {
    /// The last lines: the count of problems (a failure) or `all good`, with warnings.
    fn verdict(&self) -> Exit {
        if self.quiet && self.problems == 0 && self.warnings == 0 {
            return Exit::Success;
        }
        outln!();
        if self.problems > 0 {
            outln!(
                "{} problem{}: hooks would not run as expected",
                self.problems,
                if self.problems == 1 { "" } else { "s" }
            );
            return Exit::Failure;
        }
        outln!(
            "all good: hooks would run{}",
            if self.warnings > 0 {
                format!(
                    " ({} warning{})",
                    self.warnings,
                    if self.warnings == 1 { "" } else { "s" }
                )
            } else {
                String::new()
            }
        );
        Exit::Success
    }
}

/// Hooks registered in git config (`hook.<name>.command`, git 2.54's config-based hooks),
/// hookctl's and others': listed, with what stops git from running them. Returns the entries
/// that do run hookctl (git new enough, enabled, with a command), which stand for hook files.
fn check_config_hooks(ctx: &Ctx, r: &mut Report) -> Vec<super::install::config_hooks::Registered> {
    let all = super::install::config_hooks::registered(&ctx.cwd);
    if all.is_empty() {
        return Vec::new();
    }
    let version = crate::git::version(&ctx.cwd).ok();
    let runs = version.is_some_and(|v| v >= crate::git::Version::CONFIG_HOOKS);
    r.info(format!(
        "hooks in git config (`hook.<name>.command`): {}",
        all.len()
    ));
    let mut active = Vec::new();
    for e in all {
        let events = if e.events.is_empty() {
            "no event".to_string()
        } else {
            e.events.join(", ")
        };
        let command = e.command.as_deref().unwrap_or("no command");
        r.info(format!(
            "  hook.{} ({} config): {events}: {command}{}",
            e.name,
            e.scope,
            if e.enabled {
                ""
            } else {
                " (disabled: `enabled = false`)"
            }
        ));
        if !e.enabled {
            continue;
        }
        if e.command.is_none() {
            r.warn(format!("hook.{}: no `command`: git runs nothing for it", e.name));
            r.hint(format!(
                "`git config hook.{}.command \"<command>\"`, or remove the section",
                e.name
            ));
            continue;
        }
        if e.events.is_empty() {
            r.warn(format!("hook.{}: no `event`: git never runs it", e.name));
            r.hint(format!(
                "`git config --add hook.{}.event <hook>` (e.g. pre-commit)",
                e.name
            ));
            continue;
        }
        if !runs {
            r.warn(format!(
                "hook.{}: {} ignores hooks in git config (they need git {} or later): it does not run",
                e.name,
                version.map_or_else(|| "this git".to_string(), |v| format!("git {v}")),
                crate::git::Version::CONFIG_HOOKS
            ));
            if e.runs_hookctl() {
                r.hint("`hookctl install` (without --config-hooks) writes hook files, which every git runs");
            }
            continue;
        }
        if e.runs_hookctl() {
            active.push(e);
        }
    }
    active
}

/// What recoveries of killed runs kept (the versions they replaced when they put back unstaged
/// edits): named until pruned, so that no saved byte is somewhere the user was never told.
fn check_kept(common_dir: &Path, r: &mut Report) {
    let shown = |p: &Path| crate::report::escape::escape(&p.to_string_lossy()).into_owned();
    let kept = crate::jobs::restore::kept(&common_dir.join("hookctl"));
    for (file, at) in &kept {
        r.warn(format!(
            "`{}`: hookctl put back your unstaged edits saved by a run that was killed; the version they replaced is kept at {}",
            shown(file),
            shown(at)
        ));
    }
    if !kept.is_empty() {
        r.hint(format!(
            "compare each kept version with your file and take what you need; they are removed after {} days",
            crate::jobs::restore::KEEP_DAYS
        ));
    }
}

/// The config `hookctl run` would load; returns the git hooks it configures, and the config.
fn check_config(ctx: &Ctx, hooks: &Hooks, r: &mut Report) -> (BTreeSet<String>, Option<Config>) {
    let Some(root) = hooks.root.as_deref() else {
        r.info("config: none (bare repository)");
        return (BTreeSet::new(), Some(Config::default()));
    };
    match Config::load(root, ctx.config.as_deref()) {
        Ok(cfg) => {
            let local = root.join(config::LOCAL_FILE_NAME);
            let local = if local.is_file() {
                format!(", plus {}", local.display())
            } else {
                String::new()
            };
            match &cfg.path {
                Some(p) => r.ok(format!("config: {}{local}", p.display())),
                None => r.ok(format!(
                    "config: no {} at {} (built-in checks, no jobs){local}",
                    config::FILE_NAME,
                    root.display()
                )),
            }
            // What `hookctl install` installs: the hooks with work, workspace packages' too.
            let hooks = super::install::hooks_to_install(Some(root), Some(&cfg))
                .into_iter()
                .filter(|h| cfg.hooks.contains_key(h) || !install::DEFAULT_HOOKS.contains(&h.as_str()))
                .collect();
            (hooks, Some(cfg))
        }
        Err(e) => {
            r.problem(format!("config: {}", e.chain()));
            r.hint("every hook fails until the configuration loads (`hookctl run` exits 2)");
            (BTreeSet::new(), None)
        }
    }
}

fn check_hook(
    hooks: &Hooks,
    hook: &str,
    required: bool,
    current: Option<&Path>,
    r: &mut Report,
) -> anyhow::Result<()> {
    let path = hooks.path(hook);
    let text = match install::present(&path)? {
        Present::Missing => {
            let msg = format!("{hook}: not installed");
            if required {
                r.problem(format!("{msg}, though {} uses it", config::FILE_NAME));
                r.hint(format!(
                    "run `{}`: it installs every hook {} uses",
                    super::install::command_for(hooks.root.as_deref(), "install"),
                    config::FILE_NAME
                ));
            } else {
                r.info(msg);
            }
            return Ok(());
        }
        Present::Foreign => {
            let msg = format!("{hook}: {} is not a hookctl hook", path.display());
            if required {
                r.problem(msg);
                foreign_hook_hint(hooks, hook, &path, r);
            } else {
                r.info(msg);
            }
            return Ok(());
        }
        Present::Shim(text) => text,
    };
    if !install::is_executable(&path) {
        r.problem(format!(
            "{hook}: {} is not executable, git skips it",
            path.display()
        ));
        r.hint("run `hookctl install` again (it restores the mode)");
    }
    let shim = install::Shim::parse(&text);
    let runs = shim.as_ref().and_then(|s| s.runs(hooks.root.as_deref()));
    let stale = || !install::is_current_shim(hook, &text);
    match (&shim, runs) {
        (Some(shim), Some((bin, via))) if via != install::Via::NodeLauncher => {
            match via {
                install::Via::NpmPackage => r.ok(format!(
                    "{hook}: installed, runs {} (the npm package's native binary)",
                    bin.display()
                )),
                _ => r.ok(format!("{hook}: installed, runs {}", bin.display())),
            }
            if stale() {
                r.warn(format!("{hook}: written by another version of hookctl"));
                r.hint(format!(
                    "run `{}` to update it",
                    super::install::command_for(hooks.root.as_deref(), "install")
                ));
            }
            if let Some(cur) = current.filter(|c| !same_file(c, &bin) && !same_file(c, &shim.bin)) {
                r.info(format!("(this hookctl is {}, a different binary)", cur.display()));
            }
        }
        (Some(shim), Some((launcher, _))) => {
            r.warn(format!(
                "{hook}: runs the Node launcher {}: neither {} nor the npm package's binary ({}) is there, so every \
                 commit starts Node first, and fails where `node` is not on PATH",
                launcher.display(),
                shim.bin.display(),
                shim.npm_bin
            ));
            r.hint(format!(
                "run `{}` to point the hooks at the native binary",
                super::install::command_for(hooks.root.as_deref(), "install")
            ));
        }
        (shim, _) => {
            let shown = shim
                .as_ref()
                .map_or_else(|| "(unreadable)".into(), |s| s.bin.display().to_string());
            missing_binary(hooks, hook, &shown, r);
        }
    }
    check_legacy(hook, &path, r);
    Ok(())
}

/// How to put hookctl in place of a hook that is not its own: through migrate (husky,
/// lefthook), in the committed script, or chained by `hookctl install`.
fn foreign_hook_hint(hooks: &Hooks, hook: &str, path: &Path, r: &mut Report) {
    let text = std::fs::read(path).unwrap_or_default();
    let tracked = hooks
        .root
        .as_deref()
        .is_some_and(|root| path.starts_with(root) && install::is_tracked(root, path));
    if hooks.husky().is_some() {
        r.hint("husky runs it: `hookctl migrate --yes` (see above)");
    } else if memchr::memmem::find(&text, b"lefthook").is_some() {
        r.hint(format!(
            "lefthook installed it: `hookctl migrate --yes` translates lefthook.yml and replaces its hooks, \
             or `hookctl install --hooks {hook}` runs it first, then hookctl"
        ));
    } else if tracked {
        // `hookctl install` refuses a committed hook without --force.
        r.hint(format!(
            "it is committed: add `hookctl run {hook} \"$@\"` to it, or `hookctl install --force --hooks {hook}` \
             to chain it on this machine"
        ));
    } else {
        r.hint(format!(
            "run `hookctl install --hooks {hook}`: it keeps that hook as `{hook}.legacy` and runs it first"
        ));
    }
}

/// The binary a shim names is gone: the hook falls back to a `hookctl` on the GUI clients'
/// PATH, on the user's PATH only, or fails.
fn missing_binary(hooks: &Hooks, hook: &str, shown: &str, r: &mut Report) {
    if let Some(found) = which("hookctl", GUI_PATH) {
        r.warn(format!(
            "{hook}: {shown} is missing; the hook falls back to {}",
            found.display()
        ));
        r.hint(format!(
            "run `{}` to point the hook at this binary",
            super::install::command_for(hooks.root.as_deref(), "install")
        ));
    } else if let Some(found) = crate::env_vars::get(crate::env_vars::PATH).and_then(|p| which("hookctl", &p))
    {
        r.problem(format!(
            "{hook}: {shown} is missing; the hook falls back to {} on your PATH, which GUI git clients do not have",
            found.display()
        ));
        r.hint(format!(
            "run `{}` to embed this binary's path in the hook",
            super::install::command_for(hooks.root.as_deref(), "install")
        ));
    } else {
        r.problem(format!(
            "{hook}: {shown} is missing and `hookctl` is not on PATH: the hook fails"
        ));
        match hooks
            .root
            .as_deref()
            .filter(|root| super::install::npm_dependency(root))
        {
            Some(root) => r.hint(format!(
                "run `{}`: hookctl is a dev dependency of this repository",
                crate::package_manager::Pm::detect(root).install()
            )),
            None => r.hint("run `cargo install --locked hookctl`, or ./install.sh from a hookctl checkout"),
        }
    }
}

/// The hook that was there before hookctl's, kept as `<hook>.legacy` and run first.
fn check_legacy(hook: &str, path: &Path, r: &mut Report) {
    let legacy = install::legacy_path(path);
    if install::exists(&legacy) {
        if install::is_executable(&legacy) {
            r.ok(format!("{hook}: chains `{hook}.legacy` (runs first)"));
        } else {
            r.warn(format!(
                "{hook}: `{hook}.legacy` is not executable and is skipped (git would skip it too)"
            ));
            r.hint(format!("run `chmod +x {}`", legacy.display()));
        }
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Each job's command must be found through the PATH the job gets (`jobs::path`: the
/// project's `node_modules/.bin` folders first) on top of the PATH a GUI git client gives
/// hooks (plus the folder of the hookctl binary the shims run), not only on the terminal's.
fn check_job_commands(config: &Config, root: &Path, shim_dirs: &[PathBuf], r: &mut Report) {
    let mut gui = std::ffi::OsString::from(GUI_PATH);
    for d in shim_dirs {
        gui.push(":");
        gui.push(d);
    }
    let user_path = crate::env_vars::get_os(crate::env_vars::PATH).unwrap_or_default();
    let pm = crate::package_manager::Pm::detect(root);
    for (hook, hc) in &config.hooks {
        for job in &hc.jobs {
            let Some(cmd) = command_word(&job.run) else {
                continue;
            };
            let what = format!("{hook} job `{}`", job.name);
            let folders = job_folders(root, job);
            if cmd.contains('/') {
                // A path: relative ones are relative to the job's folder.
                let dir = root.join(&folders[0]);
                let p = if Path::new(&cmd).is_absolute() {
                    PathBuf::from(&cmd)
                } else {
                    dir.join(&cmd)
                };
                if install::is_executable(&p) {
                    r.ok(format!("{what}: runs {}", p.display()));
                } else {
                    r.problem(format!("{what}: `{cmd}` is not an executable file"));
                    r.hint(format!(
                        "run `chmod +x {}`, or fix `run` in {}",
                        p.display(),
                        config::FILE_NAME
                    ));
                }
                continue;
            }
            let mut found_first = None;
            let mut failed = false;
            for rel in &folders {
                let job_path = jobs_path::for_job(&[root], rel, Some(&gui));
                let terminal = jobs_path::for_job(&[root], rel, Some(&user_path));
                match (
                    jobs_path::search_path(&cmd, &job_path),
                    jobs_path::search_path(&cmd, &terminal),
                ) {
                    (Some(found), _) => {
                        found_first.get_or_insert(found);
                    }
                    (None, Some(found)) => {
                        failed = true;
                        not_on_gui_path(&what, &cmd, &found, pm, r);
                        break;
                    }
                    (None, None) => {
                        failed = true;
                        not_found(&what, &cmd, root, rel, pm, r);
                        break;
                    }
                }
            }
            if let (false, Some(found)) = (failed, found_first) {
                r.ok(format!("{what}: `{cmd}` found at {}", found.display()));
            }
        }
    }
}

/// Commands that are runtimes or package managers, never a project's dev dependency.
const RUNTIMES: &[&str] = &[
    "node", "npm", "npx", "pnpm", "yarn", "bun", "bunx", "deno", "corepack",
];

/// A job's command found on the user's PATH only: git clients started outside a terminal
/// do not find it.
fn not_on_gui_path(what: &str, cmd: &str, found: &Path, pm: crate::package_manager::Pm, r: &mut Report) {
    r.problem(format!(
        "{what}: `{cmd}` is at {} on your PATH, but not on the PATH that git clients started \
         outside a terminal (GUI apps, editors) give hooks: {GUI_PATH} after the project's node_modules/.bin",
        found.display()
    ));
    if RUNTIMES.contains(&cmd) {
        r.hint(format!(
            "start the git client from a terminal (hooks then get your PATH), or install `{cmd}` \
             where such clients look ({GUI_PATH})"
        ));
    } else {
        r.hint(format!(
            "if `{cmd}` comes from an npm package, add it to the repository (`{}`): every job's PATH \
             starts with node_modules/.bin, on any client; otherwise start the git client from a terminal",
            pm.add_dev("<package>")
        ));
    }
}

/// A job's command found nowhere: not installed though declared, or unknown.
fn not_found(what: &str, cmd: &str, root: &Path, rel: &Path, pm: crate::package_manager::Pm, r: &mut Report) {
    let at = if rel.as_os_str().is_empty() {
        String::new()
    } else {
        format!(" (in {})", rel.display())
    };
    if declared(root, rel, cmd) {
        r.problem(format!(
            "{what}: `{cmd}` is not installed{at}: package.json declares it, but node_modules/.bin has no `{cmd}`"
        ));
        r.hint(format!("run `{}`", pm.install()));
    } else {
        r.problem(format!(
            "{what}: `{cmd}` is not found{at}, neither in the project's node_modules/.bin nor on PATH: \
             the job cannot start"
        ));
        r.hint(format!(
            "install it (`{}` for an npm package's command), or fix `run` in {}",
            pm.add_dev("<package>"),
            config::FILE_NAME
        ));
    }
}

/// The folders (repository-relative) a job runs in: its `root`, or for a glob `root` each
/// workspace package folder it matches (the literal part before the glob when none does).
fn job_folders(root: &Path, job: &crate::config::JobConfig) -> Vec<PathBuf> {
    let Some(job_root) = job.root.as_ref() else {
        return vec![PathBuf::new()];
    };
    let Some(glob) = job_root.glob() else {
        return vec![job_root.folder().to_path_buf()];
    };
    let mut folders: Vec<PathBuf> = crate::config::nested::workspace_folders(root)
        .into_iter()
        .filter(|f| glob.is_match(f))
        .collect();
    if folders.is_empty() {
        let literal: PathBuf = job_root
            .folder()
            .components()
            .take_while(|c| !crate::config::pattern::is_glob(&c.as_os_str().to_string_lossy()))
            .collect();
        folders.push(literal);
    }
    folders
}

/// Whether a package.json from `rel` up to the root declares a dependency named `name`.
fn declared(root: &Path, rel: &Path, name: &str) -> bool {
    let dir = root.join(rel);
    dir.ancestors().take_while(|d| d.starts_with(root)).any(|d| {
        std::fs::read(d.join("package.json"))
            .ok()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            .is_some_and(|m| {
                ["dependencies", "devDependencies", "optionalDependencies"]
                    .iter()
                    .any(|k| m.get(k).and_then(|d| d.get(name)).is_some())
            })
    })
}

/// The program a `sh -c` command line starts, when it can be told without running a shell:
/// leading `NAME=value` assignments skipped; shell builtins, keywords and expansions give None.
fn command_word(run: &str) -> Option<String> {
    const BUILTINS: &[&str] = &[
        "cd", "echo", "exit", "export", "test", "[", "true", "false", ":", ".", "source", "exec", "eval",
        "set", "unset", "if", "for", "while", "case", "until", "printf", "read", "command", "type", "!", "{",
        "(", "wait", "trap", "shift", "return", "local", "umask", "ulimit",
    ];
    let word = run
        .split_whitespace()
        .find(|w| {
            let assignment = w.split_once('=').is_some_and(|(name, _)| {
                !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            });
            !assignment
        })?
        .trim_matches(|c| c == '"' || c == '\'');
    let special = |c: char| "$`(){};|&<>*?~\\".contains(c);
    if word.is_empty() || BUILTINS.contains(&word) || word.chars().any(special) {
        return None;
    }
    Some(word.to_string())
}

/// `[cache] remote`: where verdicts are shared, and whether they are signed.
fn check_remote_cache(config: &Config, r: &mut Report) {
    use crate::cache::remote::{Off, Settings};
    let s = match Settings::resolve(&config.cache) {
        Ok(s) => s,
        Err(Off::NotConfigured) => return,
        Err(Off::Unusable(why)) => {
            r.warn(format!("remote cache: {why}"));
            r.hint("set TURBO_TOKEN (and TURBO_API for a self-hosted server) as for `turbo run`");
            return;
        }
    };
    let team = match (&s.team_slug, &s.team_id) {
        (Some(slug), _) => format!(", team {slug}"),
        (None, Some(id)) => format!(", team {id}"),
        (None, None) => String::new(),
    };
    r.ok(format!(
        "remote cache: turbo at {}{team}, {}",
        s.api,
        if s.write { "read and write" } else { "read-only" }
    ));
    if !s.signed() {
        r.warn(
            "remote cache: artifacts are unsigned: whoever can write to the cache can change what hookctl reports",
        );
        r.hint(
            "set TURBO_REMOTE_CACHE_SIGNATURE_KEY to the same secret on every machine and in CI (also on a self-hosted server, so that it keeps the tags)",
        );
    }
}

fn check_gui_path(r: &mut Report) {
    match which("hookctl", GUI_PATH) {
        Some(p) => r.ok(format!(
            "`hookctl` is on the PATH GUI git clients get ({GUI_PATH}): {}",
            p.display()
        )),
        None => r.info(format!(
            "`hookctl` is not on the PATH GUI git clients get ({GUI_PATH}); the hooks do not need it, \
             they call the binary by its absolute path"
        )),
    }
}

/// The first executable `name` in a PATH-style list.
fn which(name: &str, path: &str) -> Option<PathBuf> {
    path.split(':')
        .filter(|d| !d.is_empty())
        .map(|d| Path::new(d).join(name))
        .find(|p| install::is_executable(p))
}

#[cfg(test)]
mod command_tests {
    use super::command_word;

    #[test]
    fn the_program_of_a_command_line() {
        assert_eq!(command_word("npx eslint {files}").as_deref(), Some("npx"));
        assert_eq!(command_word("CI=1 FOO=bar pnpm test").as_deref(), Some("pnpm"));
        assert_eq!(
            command_word("./scripts/check.sh").as_deref(),
            Some("./scripts/check.sh")
        );
        assert_eq!(command_word("cd web && npm test"), None);
        assert_eq!(command_word("$TOOL run"), None);
        assert_eq!(command_word("   "), None);
    }
}
