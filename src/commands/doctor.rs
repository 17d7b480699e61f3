//! `hookctl doctor`: would the hooks actually run, here and from a GUI git client?
//! Prints one line per fact to stdout; exit 1 when something would stop a hook from running.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::config::{self, Config};
use crate::install::{self, Hooks, Present};
use crate::{Ctx, Exit};

/// The PATH macOS and Linux desktop git clients usually give hooks.
pub const GUI_PATH: &str = "/usr/bin:/bin:/usr/sbin:/sbin";

#[derive(Default)]
struct Report {
    problems: usize,
    warnings: usize,
}

impl Report {
    fn ok(&self, msg: impl AsRef<str>) {
        outln!("ok: {}", msg.as_ref());
    }
    fn info(&self, msg: impl AsRef<str>) {
        outln!("  {}", msg.as_ref());
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
    let mut r = Report::default();
    let where_ = hooks.root.as_deref().unwrap_or(&hooks.common_dir);
    outln!("repository: {}", where_.display());
    match &hooks.hooks_path {
        Some(p) => outln!("hooks directory: {} (core.hooksPath = {p})", hooks.dir.display()),
        None => outln!("hooks directory: {}", hooks.dir.display()),
    }
    if let Some(husky) = hooks.husky() {
        r.warn(format!(
            "husky owns the hooks directory ({}); `hookctl install` will not write there",
            match husky {
                install::Husky::V9 => "husky 9 regenerates `.husky/_`",
                install::Husky::V5 => "`.husky` holds the team's tracked scripts",
            }
        ));
        r.hint(
            "call `hookctl run <hook> \"$@\"` from `.husky/<hook>`, or `git config --unset core.hooksPath`",
        );
    }

    let (configured, config) = check_config(ctx, &hooks, &mut r);
    if let Some(value) = install::disabled_by_env() {
        r.warn(format!(
            "HOOKCTL={value} is set in this environment: every hook is skipped"
        ));
    }

    let installed = install::installed_shims(&hooks.dir)?;
    let wanted: BTreeSet<String> = install::DEFAULT_HOOKS
        .iter()
        .map(|h| (*h).to_string())
        .chain(configured.iter().cloned())
        .chain(installed.iter().cloned())
        .collect();
    let current = std::env::current_exe().ok();
    for hook in &wanted {
        // A default hook left out on purpose (`--hooks pre-commit`) is fine once another is in.
        let required = configured.contains(hook) || installed.is_empty();
        check_hook(&hooks, hook, required, current.as_deref(), &mut r)?;
        // Installed but idle: git runs it, hookctl does nothing, and that looked like "ok".
        if installed.contains(hook)
            && let Some(config) = &config
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
    check_gui_path(&mut r);

    outln!();
    if r.problems > 0 {
        outln!(
            "{} problem{}: hooks would not run as expected",
            r.problems,
            if r.problems == 1 { "" } else { "s" }
        );
        return Ok(Exit::Failure);
    }
    outln!(
        "all good: hooks would run{}",
        if r.warnings > 0 {
            format!(
                " ({} warning{})",
                r.warnings,
                if r.warnings == 1 { "" } else { "s" }
            )
        } else {
            String::new()
        }
    );
    Ok(Exit::Success)
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
            let hooks = cfg
                .hooks
                .keys()
                .filter(|h| install::GIT_HOOKS.contains(&h.as_str()))
                .cloned()
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
                r.problem(msg);
                r.hint(format!("run `hookctl install --hooks {hook}`"));
            } else {
                r.info(msg);
            }
            return Ok(());
        }
        Present::Foreign => {
            let msg = format!("{hook}: {} is not a hookctl hook", path.display());
            if required {
                r.problem(msg);
                r.hint(format!(
                    "run `hookctl install --hooks {hook}`: it keeps that hook as `{hook}.legacy` and runs it first"
                ));
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
    match install::shim_binary(&text) {
        Some(bin) if install::is_executable(&bin) => {
            r.ok(format!("{hook}: installed, runs {}", bin.display()));
            if install::shim(hook, &bin) != text {
                r.warn(format!("{hook}: written by another version of hookctl"));
                r.hint("run `hookctl install` to update it");
            }
            if let Some(cur) = current.filter(|c| !same_file(c, &bin)) {
                r.info(format!("(this hookctl is {}, a different binary)", cur.display()));
            }
        }
        bin => {
            let shown = bin.map_or_else(|| "(unreadable)".into(), |b| b.display().to_string());
            if let Some(found) = which("hookctl", GUI_PATH) {
                r.warn(format!(
                    "{hook}: {shown} is missing; the hook falls back to {}",
                    found.display()
                ));
                r.hint("run `hookctl install` to point the hook at this binary");
            } else if let Some(found) = std::env::var("PATH").ok().and_then(|p| which("hookctl", &p)) {
                r.problem(format!(
                    "{hook}: {shown} is missing; the hook falls back to {} on your PATH, which GUI git clients do not have",
                    found.display()
                ));
                r.hint("run `hookctl install` to embed this binary's path in the hook");
            } else {
                r.problem(format!(
                    "{hook}: {shown} is missing and `hookctl` is not on PATH: the hook fails"
                ));
                r.hint("run ./install.sh from the hookctl checkout, or `cargo install --path <checkout>`");
            }
        }
    }
    let legacy = install::legacy_path(&path);
    if install::exists(&legacy) {
        if install::is_executable(&legacy) {
            r.ok(format!("{hook}: chains `{hook}.legacy` (runs first)"));
        } else {
            r.warn(format!(
                "{hook}: `{hook}.legacy` is not executable and is skipped (git would skip it too)"
            ));
        }
    }
    Ok(())
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
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
