//! `hookctl install --config-hooks`: hooks registered in the repository's git config
//! (`hook.hookctl-<hook>.command` = the binary's `run <hook>`, `hook.hookctl-<hook>.event` =
//! `<hook>`), which git runs from 2.54 on (git-hook(1)), beside whatever hook file the hooks
//! directory (`core.hooksPath` or `.git/hooks`) holds. Nothing is written in the hooks
//! directory and `core.hooksPath` is left alone, so husky or a team's hooks folder keeps
//! working next to hookctl. An older git ignores these keys, so there the flag is refused
//! (exit 2) rather than leave a repository that silently runs nothing. The design:
//! docs/config-hooks.md.

use std::path::Path;

use crate::install::{self, Hooks, Present};
use crate::{Ctx, Exit};

/// The friendly name of hookctl's entry for a hook: one per event, because git passes the
/// command the hook's arguments but not the event's name.
pub fn friendly_name(hook: &str) -> String {
    format!("hookctl-{hook}")
}

/// Refuses (exit 2) unless the `git` on PATH runs config-based hooks.
pub fn require_git(ctx: &Ctx) -> anyhow::Result<()> {
    let version = crate::git::version(&ctx.cwd)?;
    if version < crate::git::Version::CONFIG_HOOKS {
        return Err(anyhow::anyhow!(
            "--config-hooks needs git {} or later, and this is git {version}: an older git ignores `hook.<name>.command` and would run nothing\nhint: `hookctl install` (without --config-hooks) writes hook files, which every git runs",
            crate::git::Version::CONFIG_HOOKS
        ));
    }
    Ok(())
}

/// Registers `names` in the repository's config, running `runs`.
pub fn register(ctx: &Ctx, hooks: &Hooks, names: &[String], runs: &Path) -> anyhow::Result<Exit> {
    // A shim of ours in the hooks directory would run hookctl a second time.
    let doubled: Vec<&str> = names
        .iter()
        .filter(|h| matches!(install::present(&hooks.path(h)), Ok(Present::Shim(_))))
        .map(String::as_str)
        .collect();
    if !doubled.is_empty() {
        return Err(anyhow::anyhow!(
            "hookctl's hook files are installed in {} for {}: with config hooks too, git would run hookctl twice\nhint: `hookctl uninstall` first, then `hookctl install --config-hooks`",
            hooks.dir.display(),
            doubled.join(", ")
        ));
    }
    if !ctx.quiet {
        errln!(
            "hookctl: hooks registered in the repository's git config; git runs them beside the hooks directory {}{}, left as it is",
            hooks.dir.display(),
            hooks
                .hooks_path
                .as_deref()
                .map(|p| format!(" (core.hooksPath = {p})"))
                .unwrap_or_default()
        );
    }
    let bin =
        String::from_utf8_lossy(&crate::jobs::plan::quote(runs.as_os_str().as_encoded_bytes())).into_owned();
    for hook in names {
        let key = friendly_name(hook);
        set(ctx, &format!("hook.{key}.command"), &format!("{bin} run {hook}"))?;
        set(ctx, &format!("hook.{key}.event"), hook)?;
        if !ctx.quiet {
            errln!("  {hook}: registered in git config as `hook.{key}`");
        }
    }
    Ok(Exit::Success)
}

fn set(ctx: &Ctx, key: &str, value: &str) -> anyhow::Result<()> {
    let out = crate::git::command(&ctx.cwd)
        .args(["config", "--local", "--replace-all", key, value])
        .output()?;
    if !out.status.success() {
        return Err(anyhow::anyhow!(
            "git config {key} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(())
}

/// The hooks registered by [`register`] (from the repository's own config), removed.
pub fn unregister(ctx: &Ctx) -> anyhow::Result<Vec<String>> {
    let out = crate::git::command(&ctx.cwd)
        .args(["config", "--local", "--get-regexp", r"^hook\.hookctl-.*\.event$"])
        .output()?;
    let mut removed = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Some((key, hook)) = line.split_once(' ') else {
            continue;
        };
        let Some(section) = key.strip_suffix(".event") else {
            continue;
        };
        let done = crate::git::command(&ctx.cwd)
            .args(["config", "--local", "--remove-section", section])
            .output()?;
        if done.status.success() && !removed.iter().any(|h| h == hook) {
            removed.push(hook.to_string());
        }
    }
    Ok(removed)
}

/// A hook registered in git config (`hook.<name>.command`, git-hook(1)), whoever wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Registered {
    /// `<name>` of `hook.<name>.*`.
    pub name: String,
    /// Where the command is set: git's scope (`local`, `global`, `system`, `worktree`, `command`).
    pub scope: String,
    pub command: Option<String>,
    /// `hook.<name>.event`: a multi-valued key, one event each.
    pub events: Vec<String>,
    /// `hook.<name>.enabled = false` switches the entry off.
    pub enabled: bool,
}

impl Registered {
    /// Whether the entry runs hookctl: ours (`hookctl-<hook>`), or a command naming hookctl.
    pub fn runs_hookctl(&self) -> bool {
        self.name.starts_with("hookctl-")
            || self.command.as_deref().is_some_and(|c| {
                c.split_whitespace().any(|w| {
                    Path::new(w.trim_matches(|q| q == '\'' || q == '"'))
                        .file_name()
                        .is_some_and(|n| n == "hookctl")
                })
            })
    }
}

/// Every `hook.<name>.*` entry git's configuration holds for this repository (all scopes),
/// read with `git config`: any git can read the keys, even one too old to run them.
pub fn registered(dir: &Path) -> Vec<Registered> {
    let Ok(out) = crate::git::command(dir)
        .args(["config", "--show-scope", "--get-regexp", r"^hook\."])
        .output()
    else {
        return Vec::new();
    };
    parse_registered(&String::from_utf8_lossy(&out.stdout))
}

/// `git config --show-scope --get-regexp '^hook\.'` output: `<scope>\thook.<name>.<key> <value>`.
fn parse_registered(text: &str) -> Vec<Registered> {
    let mut out: Vec<Registered> = Vec::new();
    for line in text.lines() {
        let (scope, rest) = line.split_once('\t').unwrap_or(("", line));
        let (key, value) = rest.split_once(' ').unwrap_or((rest, ""));
        // Subsection names may hold dots: the variable is after the last one.
        let Some((name, var)) = key.strip_prefix("hook.").and_then(|k| k.rsplit_once('.')) else {
            continue;
        };
        let i = if let Some(i) = out.iter().position(|r| r.name == name) {
            i
        } else {
            out.push(Registered {
                name: name.to_string(),
                scope: scope.to_string(),
                enabled: true,
                ..Registered::default()
            });
            out.len() - 1
        };
        let entry = &mut out[i];
        match var {
            "command" => {
                // The last value wins, as for any single-valued key; its scope is the entry's.
                entry.command = Some(value.to_string());
                entry.scope = scope.to_string();
            }
            "event" if !value.is_empty() && !entry.events.iter().any(|e| e == value) => {
                entry.events.push(value.to_string());
            }
            "enabled" => {
                entry.enabled = !matches!(value.to_ascii_lowercase().as_str(), "false" | "no" | "off" | "0");
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_as_git_config_lists_them() {
        let text = "local\thook.hookctl-pre-commit.command '/x/hookctl' run pre-commit\n\
                    local\thook.hookctl-pre-commit.event pre-commit\n\
                    global\thook.lint.v2.command npx eslint .\n\
                    global\thook.lint.v2.event pre-commit\n\
                    global\thook.lint.v2.event pre-push\n\
                    local\thook.lint.v2.enabled false\n\
                    local\thook.orphan.event pre-push\n";
        let all = parse_registered(text);
        assert_eq!(all.len(), 3);
        assert_eq!(all[0].command.as_deref(), Some("'/x/hookctl' run pre-commit"));
        assert!(all[0].runs_hookctl() && all[0].enabled);
        assert_eq!(all[1].name, "lint.v2");
        assert_eq!(all[1].events, ["pre-commit", "pre-push"]);
        assert!(!all[1].enabled && !all[1].runs_hookctl());
        assert_eq!(all[2].command, None);
    }
}
