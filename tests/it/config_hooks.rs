//! `hookctl install --config-hooks` (git 2.54's `hook.<name>.command`): refused with exit 2 on
//! an older git, registered in the repository's config on a new enough one, removed by
//! `uninstall`. git 2.54 is not installed here, so a `git` that reports another version (and
//! passes everything else to the real git) stands in for it.

use std::fmt::Write as _;
use std::os::unix::fs::PermissionsExt;

use crate::common::*;

/// A PATH whose `git --version` says `version`, every other git command the real one.
fn git_reporting(r: &Repo, version: &str) -> String {
    let real = std::process::Command::new("sh")
        .args(["-c", "command -v git"])
        .output()
        .unwrap();
    let real = String::from_utf8(real.stdout).unwrap().trim().to_string();
    let dir = r.sibling(&format!("git-{version}"));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("git");
    std::fs::write(
        &script,
        format!("#!/bin/sh\nif [ \"$1\" = \"--version\" ]; then echo \"git version {version}\"; exit 0; fi\nexec \"{real}\" \"$@\"\n"),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    format!("{}:{}", dir.display(), std::env::var("PATH").unwrap())
}

fn hook_config(r: &Repo) -> String {
    let out = r.git(&["config", "--local", "--get-regexp", r"^hook\."]).stdout;
    regex::Regex::new(r"('[^']*hookctl'|\S*hookctl) run")
        .unwrap()
        .replace_all(&out, "[HOOKCTL] run")
        .into_owned()
}

#[test]
fn an_older_git_is_refused_with_exit_2() {
    let r = Repo::new();
    let path = git_reporting(&r, "2.53.1");
    let run = r.hookctl_env(&["install", "--config-hooks"], &[("PATH", &path)], None);
    cmd_snapshot!(r, "config_hooks_old_git", run);
    assert!(!r.path(".git/hooks/pre-commit").exists(), "nothing installed");
    assert_eq!(hook_config(&r), "");
    // The git of this machine: refused exactly when it is older than 2.54.
    let real = r.hookctl(&["install", "--config-hooks"]);
    let version = r.git(&["--version"]).stdout;
    let v = hookctl::git::Version::parse(&version).unwrap();
    assert_eq!(
        real.code == 2,
        v < hookctl::git::Version::CONFIG_HOOKS,
        "{version}\n{}",
        real.all()
    );
}

#[test]
fn a_new_git_gets_config_entries_and_no_hook_files() {
    let r = Repo::new();
    r.write(
        "hookctl.toml",
        "[[post-merge.jobs]]\nname = \"install\"\nrun = \"echo install\"\n",
    );
    let path = git_reporting(&r, "2.54.0");
    let run = r.hookctl_env(&["install", "--config-hooks"], &[("PATH", &path)], None);
    cmd_snapshot!(r, "config_hooks_registered", run);
    snapshot!(r, "config_hooks_entries", hook_config(&r));
    assert!(!r.path(".git/hooks/pre-commit").exists(), "no hook file");
    // Again: the same entries, not a second value.
    r.hookctl_env(&["install", "--config-hooks"], &[("PATH", &path)], None)
        .ok();
    assert_eq!(hook_config(&r).lines().count(), 6);
    // With hookctl's hook files installed too, git would run it twice: refused.
    r.hookctl(&["install"]).ok();
    let both = r.hookctl_env(&["install", "--config-hooks"], &[("PATH", &path)], None);
    assert_eq!(both.code, 2, "{}", both.all());
    both.contains("twice");
    // `uninstall` removes both kinds.
    r.hookctl(&["uninstall"]).ok().contains("removed from git config");
    assert_eq!(hook_config(&r), "");
}

/// `doctor` lists hooks registered in git config (keys set with `git config`, any git reads
/// them): on a git before 2.54 they do not run, and it says so; on 2.54 hookctl's entries stand
/// for hook files, and a hook file beside one runs hookctl twice.
#[test]
fn doctor_shows_hooks_registered_in_git_config() {
    let r = Repo::new();
    r.write("a.txt", "1").commit_all("init");
    r.git(&[
        "config",
        "hook.hookctl-pre-commit.command",
        &format!("'{BIN}' run pre-commit"),
    ])
    .ok();
    r.git(&["config", "hook.hookctl-pre-commit.event", "pre-commit"])
        .ok();
    r.git(&[
        "config",
        "hook.hookctl-pre-push.command",
        &format!("'{BIN}' run pre-push"),
    ])
    .ok();
    r.git(&["config", "hook.hookctl-pre-push.event", "pre-push"]).ok();
    r.git(&["config", "hook.lint.command", "npx eslint ."]).ok();
    r.git(&["config", "--add", "hook.lint.event", "pre-commit"]).ok();
    r.git(&["config", "--add", "hook.lint.event", "pre-push"]).ok();
    r.git(&["config", "hook.typos.command", "typos"]).ok();
    r.git(&["config", "hook.off.command", "true"]).ok();
    r.git(&["config", "hook.off.event", "pre-commit"]).ok();
    r.git(&["config", "hook.off.enabled", "false"]).ok();
    let mut text = String::new();
    for (title, version) in [("git 2.53.1", "2.53.1"), ("git 2.54.0", "2.54.0")] {
        let path = git_reporting(&r, version);
        let run = r.hookctl_env(&["doctor"], &[("PATH", &path)], None);
        let _ = writeln!(text, "## {title}: exit {}\n{}", run.code, run.stdout);
    }
    r.hookctl(&["install", "--hooks", "pre-commit"]).ok();
    let path = git_reporting(&r, "2.54.0");
    let run = r.hookctl_env(&["doctor", "-q"], &[("PATH", &path)], None);
    let _ = write!(
        text,
        "## git 2.54.0, a hook file too (doctor -q): exit {}\n{}",
        run.code, run.stdout
    );
    snapshot!(r, "config_hooks_doctor", scrub(&r, &text));
}
