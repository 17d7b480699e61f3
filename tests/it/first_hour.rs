//! The first hour of a JS team (issue 21): hooks that run the npm package's native binary and
//! follow it when it moves, jobs that find the project's tools in node_modules/.bin, every
//! configured hook installed (also in a teammate's clone, the way `prepare` does it), and a
//! husky + lint-staged migration that finishes the job and commits through the migrated jobs.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use crate::common::*;

fn write_exec(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// A stand-in for a native hookctl at `path`: notes `tag` in `log`, then runs this build.
fn fake_native(path: &Path, tag: &str, log: &Path) {
    write_exec(
        path,
        &format!(
            "#!/bin/sh\necho {tag} >> '{}'\nexec '{BIN}' \"$@\"\n",
            log.display()
        ),
    );
}

/// `git commit` with exactly this PATH (no hookctl on it unless given).
fn commit_with_path(repo: &Repo, path: &str, msg: &str) -> Run {
    let mut c: Command = git_cmd(&repo.root);
    c.env("PATH", path).args(["commit", "-q", "-m", msg]);
    run_with_stdin(c, None)
}

fn log_lines(log: &Path) -> Vec<String> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

/// The hook execs the platform package's binary beside node_modules/hookctl (never Node),
/// follows it to a pnpm store path after a new install without `hookctl install` again, and
/// falls back to the recorded binary, then the Node launcher, when it is gone.
#[test]
fn hook_runs_the_npm_packages_native_binary_and_follows_it() {
    let Some((platform, binary)) = hookctl::install::npm_platform_package() else {
        return;
    };
    let repo = Repo::new();
    repo.write("a.txt", "a\n").commit_all("init");
    let log = repo.sibling("ran.log");
    // A `node` that notes it was started, then behaves as the launcher would.
    let fake_bin = repo.sibling("fakebin");
    write_exec(
        &fake_bin.join("node"),
        &format!(
            "#!/bin/sh\necho node >> '{}'\nshift\nexec '{BIN}' \"$@\"\n",
            log.display()
        ),
    );
    let path = format!("{}:/usr/bin:/bin", fake_bin.display());
    // npm's layout: node_modules/hookctl (the launcher) and the platform package beside it.
    repo.write("node_modules/hookctl/package.json", "{\"name\": \"hookctl\"}\n");
    write_exec(
        &repo.path("node_modules/hookctl/bin/hookctl.js"),
        "#!/usr/bin/env node\n",
    );
    std::fs::create_dir_all(repo.path("node_modules/.bin")).unwrap();
    std::os::unix::fs::symlink(
        "../hookctl/bin/hookctl.js",
        repo.path("node_modules/.bin/hookctl"),
    )
    .unwrap();
    fake_native(
        &repo.path(&format!("node_modules/{platform}/{binary}")),
        "npm-1",
        &log,
    );
    repo.write(".gitignore", "node_modules/\n");
    repo.hookctl(&["install"]).ok();
    repo.write("a.txt", "b\n").add(&["a.txt"]);
    commit_with_path(&repo, &path, "npm").ok();
    assert_eq!(log_lines(&log), ["npm-1"], "the native binary, without Node");

    // `pnpm install` of a new version: node_modules/hookctl is a link into .pnpm, and the
    // platform package a link beside the launcher's real folder.
    std::fs::remove_dir_all(repo.path("node_modules")).unwrap();
    let store = ".pnpm/hookctl@2.0.0/node_modules";
    let plat_store = format!(
        ".pnpm/{}@2.0.0/node_modules/{platform}",
        platform.replace('/', "+")
    );
    repo.write(
        &format!("node_modules/{store}/hookctl/package.json"),
        "{\"name\": \"hookctl\"}\n",
    );
    fake_native(
        &repo.path(&format!("node_modules/{plat_store}/{binary}")),
        "pnpm-2",
        &log,
    );
    std::fs::create_dir_all(repo.path(&format!("node_modules/{store}/@hookctl"))).unwrap();
    std::os::unix::fs::symlink(
        format!("../../../../{plat_store}"),
        repo.path(&format!("node_modules/{store}/{platform}")),
    )
    .unwrap();
    std::os::unix::fs::symlink(format!("{store}/hookctl"), repo.path("node_modules/hookctl")).unwrap();
    repo.write("a.txt", "c\n").add(&["a.txt"]);
    commit_with_path(&repo, &path, "pnpm").ok();
    assert_eq!(log_lines(&log), ["npm-1", "pnpm-2"], "followed to the store");

    // No npm package any more: the binary `hookctl install` recorded.
    std::fs::remove_dir_all(repo.path("node_modules")).unwrap();
    repo.write("a.txt", "d\n").add(&["a.txt"]);
    commit_with_path(&repo, &path, "recorded").ok();
    assert_eq!(log_lines(&log), ["npm-1", "pnpm-2"]);

    // Neither: the Node launcher in node_modules/.bin, when node is on PATH.
    let hook = repo.path(".git/hooks/pre-commit");
    let text = std::fs::read_to_string(&hook).unwrap();
    let line = text.lines().find(|l| l.starts_with("hookctl_bin=")).unwrap();
    std::fs::write(&hook, text.replace(line, "hookctl_bin='/nonexistent/hookctl'")).unwrap();
    write_exec(&repo.path("node_modules/.bin/hookctl"), "#!/usr/bin/env node\n");
    repo.write("a.txt", "e\n").add(&["a.txt"]);
    commit_with_path(&repo, &path, "launcher").ok();
    assert_eq!(log_lines(&log), ["npm-1", "pnpm-2", "node"]);
}
