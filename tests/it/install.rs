//! `hookctl install`/`uninstall`/`doctor` and `install.sh`, driven through real `git commit`
//! and `git push` in temporary repositories.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::*;

const GUI_PATH: &str = "/usr/bin:/bin";

fn hook(repo: &Repo, name: &str) -> PathBuf {
    repo.path(&format!(".git/hooks/{name}"))
}

/// Whether the file at `p` is, whole, the shim this hookctl writes for the hook it is named
/// after (the current template, not merely a file that mentions hookctl).
fn is_our_shim(p: &Path) -> bool {
    let hook = p.file_name().unwrap().to_str().unwrap();
    std::fs::read_to_string(p).is_ok_and(|text| hookctl::install::is_current_shim(hook, &text))
}

/// The binary the shim at `p` runs, as written in it.
fn shim_bin(p: &Path) -> PathBuf {
    let text = std::fs::read_to_string(p).unwrap();
    hookctl::install::shim_binary(&text).unwrap_or_else(|| panic!("not a shim: {text}"))
}

fn mode(p: &Path) -> u32 {
    std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o7777
}

fn write_exec(p: &Path, text: &str, mode: u32) {
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Point an installed shim at another "hookctl" binary.
fn set_shim_binary(shim: &Path, bin: &str) {
    let text = std::fs::read_to_string(shim).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("hookctl_bin='"))
        .expect("binary line");
    assert_eq!(
        line,
        format!("hookctl_bin='{BIN}'"),
        "the shim embeds this build's path"
    );
    std::fs::write(shim, text.replace(line, &format!("hookctl_bin='{bin}'"))).unwrap();
}

/// A hookctl invocation with the git variables a hook would inherit removed, plus `envs`.
fn hookctl_env(dir: &Path, args: &[&str], envs: &[(&str, &str)]) -> Run {
    let mut c = Command::new(BIN);
    c.current_dir(dir).args(args);
    let mut c = without_git_vars(c);
    c.envs(envs.iter().copied());
    run_with_stdin(c, None)
}

/// Remove what a hook would inherit (the suite may run inside one); no user or system config.
fn without_git_vars(mut c: Command) -> Command {
    for v in [
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_COMMON_DIR",
        "GIT_PREFIX",
        "HOOKCTL",
        "CI",
    ] {
        c.env_remove(v);
    }
    c.env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null");
    c
}

/// A real git command in `dir` (hooks run) with hookctl's build on PATH, plus `envs`.
fn git_hooked(dir: &Path, args: &[&str], envs: &[(&str, &str)]) -> Run {
    let mut c = git_cmd(dir);
    c.env("PATH", Repo::path_with_bin()).args(args);
    c.envs(envs.iter().copied());
    run_with_stdin(c, None)
}

fn staged_change(repo: &Repo, name: &str) {
    repo.write(name, "x\n").add(&[name]);
}

#[test]
fn install_then_commit_runs_the_hook() {
    let repo = Repo::new();
    staged_change(&repo, "a.txt");
    repo.commit(&["-q", "-m", "before"]).ok().lacks("hookctl:");

    cmd_snapshot!(
        repo,
        "install_install_then_commit_runs_the_hook_1",
        repo.hookctl(&["install"])
    );
    for name in ["pre-commit", "pre-push"] {
        let p = hook(&repo, name);
        assert!(is_our_shim(&p), "{name}");
        assert_eq!(mode(&p), 0o755, "{name} is executable");
    }
    // The shim as written, whole.
    snapshot!(
        repo,
        "install_shim_pre_commit",
        repo.read(".git/hooks/pre-commit")
    );
    staged_change(&repo, "b.txt");
    cmd_snapshot!(
        repo,
        "install_install_then_commit_runs_the_hook_2",
        repo.commit(&["-q", "-m", "after"])
    );
}

#[test]
fn foreign_hook_is_chained_runs_first_blocks_and_is_restored_byte_identically() {
    let repo = Repo::new();
    let original = "#!/bin/sh\n# the team's own hook\nif [ -f .block ]; then echo 'legacy: blocked' >&2; exit 3; fi\n\
                    echo \"legacy: ran with $# args\" >&2\n";
    write_exec(&hook(&repo, "pre-commit"), original, 0o750);

    cmd_snapshot!(
        repo,
        "install_foreign_hook_is_chained_runs_first_blocks_and_is_restored_byte_identically_1",
        repo.hookctl(&["install"])
    );
    assert_eq!(
        std::fs::read_to_string(hook(&repo, "pre-commit.legacy")).unwrap(),
        original
    );

    staged_change(&repo, "a.txt");
    let run = repo.commit(&["-q", "-m", "one"]);
    cmd_snapshot!(
        repo,
        "install_foreign_hook_is_chained_runs_first_blocks_and_is_restored_byte_identically_2",
        run
    );
    let (legacy_at, ours_at) = (
        run.stderr.find("legacy: ran").unwrap(),
        run.stderr.find(" checked, ").expect("hookctl ran"),
    );
    assert!(
        legacy_at < ours_at,
        "the chained hook runs first:\n{}",
        run.stderr
    );

    repo.write(".block", "");
    staged_change(&repo, "b.txt");
    cmd_snapshot!(
        repo,
        "install_foreign_hook_is_chained_runs_first_blocks_and_is_restored_byte_identically_3",
        repo.commit(&["-q", "-m", "two"])
    );
    repo.remove(".block");

    cmd_snapshot!(
        repo,
        "install_foreign_hook_is_chained_runs_first_blocks_and_is_restored_byte_identically_4",
        repo.hookctl(&["uninstall"])
    );
    assert_eq!(
        std::fs::read(hook(&repo, "pre-commit")).unwrap(),
        original.as_bytes()
    );
    assert_eq!(mode(&hook(&repo, "pre-commit")), 0o750);
    assert!(!hook(&repo, "pre-commit.legacy").exists());
    assert!(!hook(&repo, "pre-push").exists());

    cmd_snapshot!(
        repo,
        "install_foreign_hook_is_chained_runs_first_blocks_and_is_restored_byte_identically_5",
        repo.hookctl(&["uninstall"])
    );
    assert_eq!(
        std::fs::read(hook(&repo, "pre-commit")).unwrap(),
        original.as_bytes()
    );
}

#[test]
fn install_twice_changes_nothing() {
    let repo = Repo::new();
    repo.hookctl(&["install"]).ok();
    let listing = |r: &Repo| {
        let mut v: Vec<_> = std::fs::read_dir(r.path(".git/hooks"))
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let m = e.metadata().unwrap();
                (
                    e.file_name(),
                    m.modified().unwrap(),
                    m.permissions().mode(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let before = listing(&repo);
    cmd_snapshot!(
        repo,
        "install_install_twice_changes_nothing_1",
        repo.hookctl(&["install"])
    );
    assert_eq!(before, listing(&repo), "nothing in .git/hooks was touched");

    // A shim that lost its mode or names another binary is rewritten, not duplicated.
    std::fs::set_permissions(hook(&repo, "pre-commit"), std::fs::Permissions::from_mode(0o644)).unwrap();
    set_shim_binary(&hook(&repo, "pre-push"), "/old/hookctl");
    cmd_snapshot!(
        repo,
        "install_install_twice_changes_nothing_2",
        repo.hookctl(&["install"])
    );
    assert_eq!(mode(&hook(&repo, "pre-commit")), 0o755);
    assert_eq!(shim_bin(&hook(&repo, "pre-push")), Path::new(BIN));
    assert!(
        !hook(&repo, "pre-commit.legacy").exists(),
        "our own shim is never chained"
    );
}

#[test]
fn taken_legacy_slot_is_refused_without_force_and_both_kept_with_force() {
    let repo = Repo::new();
    let current = "#!/bin/sh\necho current >&2\n";
    let older = "#!/bin/sh\necho older >&2\n";
    write_exec(&hook(&repo, "pre-commit"), current, 0o755);
    write_exec(&hook(&repo, "pre-commit.legacy"), older, 0o755);

    cmd_snapshot!(
        repo,
        "install_taken_legacy_slot_is_refused_without_force_and_both_kept_with_force_1",
        repo.hookctl(&["install", "--hooks", "pre-commit"])
    );
    assert_eq!(repo.read(".git/hooks/pre-commit"), current);
    assert_eq!(repo.read(".git/hooks/pre-commit.legacy"), older);

    cmd_snapshot!(
        repo,
        "install_taken_legacy_slot_is_refused_without_force_and_both_kept_with_force_2",
        repo.hookctl(&["install", "--hooks", "pre-commit", "--force"])
    );
    assert!(is_our_shim(&repo.path(".git/hooks/pre-commit")));
    assert_eq!(repo.read(".git/hooks/pre-commit.legacy"), current);
    assert_eq!(repo.read(".git/hooks/pre-commit.legacy.1"), older);
    staged_change(&repo, "a.txt");
    cmd_snapshot!(
        repo,
        "install_taken_legacy_slot_is_refused_without_force_and_both_kept_with_force_3",
        repo.commit(&["-q", "-m", "x"])
    );
}

#[test]
fn identical_legacy_copy_is_not_a_conflict() {
    let repo = Repo::new();
    let text = "#!/bin/sh\necho mine >&2\n";
    write_exec(&hook(&repo, "pre-commit"), text, 0o755);
    write_exec(&hook(&repo, "pre-commit.legacy"), text, 0o755);
    cmd_snapshot!(
        repo,
        "install_identical_legacy_copy_is_not_a_conflict",
        repo.hookctl(&["install", "--hooks", "pre-commit"])
    );
    assert!(is_our_shim(&repo.path(".git/hooks/pre-commit")));
    assert_eq!(repo.read(".git/hooks/pre-commit.legacy"), text);
    assert!(!hook(&repo, "pre-commit.legacy.1").exists());
}

#[test]
fn core_hooks_path_is_relative_to_the_work_tree_root() {
    let repo = Repo::new();
    repo.git(&["config", "core.hooksPath", ".githooks"]).ok();
    repo.write("src/deep/keep.txt", "");
    cmd_snapshot!(
        repo,
        "install_core_hooks_path_is_relative_to_the_work_tree_root_1",
        repo.hookctl_in(&repo.path("src/deep"), &["install"], None)
    );
    assert!(is_our_shim(&repo.path(".githooks/pre-commit")));
    assert!(!repo.path("src/deep/.githooks").exists());
    assert!(!hook(&repo, "pre-commit").exists());
    staged_change(&repo, "a.txt");
    cmd_snapshot!(
        repo,
        "install_core_hooks_path_is_relative_to_the_work_tree_root_2",
        repo.commit(&["-q", "-m", "x"])
    );
    cmd_snapshot!(
        repo,
        "install_core_hooks_path_is_relative_to_the_work_tree_root_3",
        repo.hookctl(&["doctor"])
    );
}

#[test]
fn linked_worktree_installs_in_the_common_dir_and_commits_run_the_hook() {
    let repo = Repo::new();
    repo.write("a.txt", "a\n").commit_all("init");
    let wt = repo.sibling("feature-wt");
    repo.git(&["worktree", "add", "-q", "-b", "feature", wt.to_str().unwrap()])
        .ok();

    repo.hookctl_in(&wt, &["install"], None).ok();
    assert!(
        is_our_shim(&hook(&repo, "pre-commit")),
        "hooks live in the common dir"
    );
    assert!(!repo.path(".git/worktrees/feature-wt/hooks").exists());

    std::fs::write(wt.join("b.txt"), "b\n").unwrap();
    git_cmd(&wt).args(["add", "b.txt"]).status().unwrap();
    cmd_snapshot!(
        repo,
        "install_linked_worktree_installs_in_the_common_dir_and_commits_run_the_hook",
        git_hooked(&wt, &["commit", "-q", "-m", "in worktree"], &[])
    );
}

#[test]
fn git_dir_and_work_tree_from_the_environment() {
    let repo = Repo::new();
    let elsewhere = repo.sibling("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    // Not a repository: a note, not a failure (`prepare` scripts run in Docker builds too).
    cmd_snapshot!(
        repo,
        "install_git_dir_and_work_tree_from_the_environment",
        hookctl_env(&elsewhere, &["install"], &[])
    );

    let git_dir = repo.path(".git");
    hookctl_env(
        &elsewhere,
        &["install", "--hooks", "pre-commit"],
        &[
            ("GIT_DIR", git_dir.to_str().unwrap()),
            ("GIT_WORK_TREE", repo.root.to_str().unwrap()),
        ],
    )
    .ok();
    assert!(is_our_shim(&repo.path(".git/hooks/pre-commit")));
    assert!(!elsewhere.join(".git").exists());
}

#[test]
fn hookctl_0_skips_the_hook_in_one_line() {
    let repo = Repo::new();
    write_exec(
        &hook(&repo, "pre-commit"),
        "#!/bin/sh\necho legacy ran >&2\nexit 1\n",
        0o755,
    );
    repo.hookctl(&["install"]).ok();
    staged_change(&repo, "a.txt");
    let run = git_hooked(&repo.root, &["commit", "-q", "-m", "x"], &[("HOOKCTL", "0")]);
    run.ok().lacks("legacy ran").lacks(" checked, ");
    assert_eq!(run.stderr, "hookctl: HOOKCTL=0, skipping pre-commit\n");
}

#[test]
fn missing_binary_fails_the_hook_with_the_install_hint() {
    let repo = Repo::new();
    repo.hookctl(&["install"]).ok();
    // A copy of the shim, pointing at a binary that is gone, run with nothing on PATH.
    let copy = repo.sibling("pre-commit-copy");
    std::fs::copy(hook(&repo, "pre-commit"), &copy).unwrap();
    set_shim_binary(&copy, "/nonexistent/bin/hookctl");
    let mut c = Command::new("/bin/sh");
    c.arg(&copy).env_clear().env("PATH", "").current_dir(&repo.root);
    let run = run_with_stdin(c, None);
    run.code(1);
    snapshot!(repo, "hook_without_any_hookctl", platform_neutral(&run.stderr));

    // The same through git: the commit is blocked.
    set_shim_binary(&hook(&repo, "pre-commit"), "/nonexistent/bin/hookctl");
    staged_change(&repo, "a.txt");
    let mut c = git_cmd(&repo.root);
    c.env("PATH", GUI_PATH).args(["commit", "-q", "-m", "x"]);
    cmd_snapshot!(
        repo,
        "install_missing_binary_fails_the_hook_with_the_install_hint_1",
        run_with_stdin(c, None)
    );
    // ... unless skipped.
    let mut c = git_cmd(&repo.root);
    c.env("PATH", GUI_PATH)
        .env("HOOKCTL", "0")
        .args(["commit", "-q", "-m", "x"]);
    cmd_snapshot!(
        repo,
        "install_missing_binary_fails_the_hook_with_the_install_hint_2",
        run_with_stdin(c, None)
    );
}

/// The first `name` in a PATH-style list.
fn which(name: &str, path: &str) -> Option<PathBuf> {
    path.split(':')
        .map(|d| Path::new(d).join(name))
        .find(|p| p.is_file())
}

#[test]
fn gui_client_environment_still_runs_hookctl() {
    assert!(
        which("hookctl", GUI_PATH).is_none(),
        "precondition: hookctl is not on {GUI_PATH}"
    );
    let repo = Repo::new();
    repo.hookctl(&["install"]).ok();
    staged_change(&repo, "a.txt");
    // Like `env -i PATH=/usr/bin:/bin git commit` from a GUI client with its own git.
    let git = which("git", &std::env::var("PATH").unwrap()).unwrap();
    let mut c = Command::new(git);
    c.env_clear().env("PATH", GUI_PATH).current_dir(&repo.root).args([
        "-c",
        "user.name=GUI",
        "-c",
        "user.email=gui@example.com",
        "commit",
        "-q",
        "-m",
        "x",
    ]);
    cmd_snapshot!(
        repo,
        "install_gui_client_environment_still_runs_hookctl",
        run_with_stdin(c, None)
    );
}

#[test]
fn pre_push_stdin_reaches_the_chained_hook_and_hookctl() {
    let repo = Repo::new();
    repo.write("a.txt", "a\n").commit_all("one");
    repo.bare_remote();
    let rec = repo.sibling("rec");
    std::fs::create_dir(&rec).unwrap();
    let r = rec.display();
    write_exec(
        &hook(&repo, "pre-push"),
        &format!("#!/bin/sh\nprintf '%s\\n' \"$@\" > '{r}/legacy-args'\ncat > '{r}/legacy-stdin'\n"),
        0o755,
    );
    repo.hookctl(&["install"]).ok();

    // Real hookctl: the chained hook got the ref line, hookctl ran after it.
    cmd_snapshot!(
        repo,
        "install_pre_push_stdin_reaches_the_chained_hook_and_hookctl",
        repo.push(&["-q", "origin", "main"])
    );
    let head = repo.git(&["rev-parse", "HEAD"]).stdout.trim().to_string();
    let legacy_stdin = std::fs::read_to_string(rec.join("legacy-stdin")).unwrap();
    assert!(
        legacy_stdin.starts_with(&format!("refs/heads/main {head} refs/heads/main ")),
        "{legacy_stdin:?}"
    );
    assert!(
        std::fs::read_to_string(rec.join("legacy-args"))
            .unwrap()
            .starts_with("origin\n")
    );

    // A recording "hookctl": it gets exactly the same bytes and git's args.
    let fake = rec.join("fake-hookctl");
    write_exec(
        &fake,
        &format!("#!/bin/sh\nprintf '%s\\n' \"$@\" > '{r}/ours-args'\ncat > '{r}/ours-stdin'\n"),
        0o755,
    );
    set_shim_binary(&hook(&repo, "pre-push"), fake.to_str().unwrap());
    repo.write("b.txt", "b\n").commit_all("two");
    repo.git(&["branch", "topic"]).ok();
    repo.push(&["-q", "origin", "main", "topic"]).ok();
    let legacy_stdin = std::fs::read(rec.join("legacy-stdin")).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&legacy_stdin).lines().count(),
        2,
        "two refs pushed"
    );
    assert_eq!(std::fs::read(rec.join("ours-stdin")).unwrap(), legacy_stdin);
    let args = std::fs::read_to_string(rec.join("ours-args")).unwrap();
    assert!(args.starts_with("run\npre-push\norigin\n"), "{args}");

    // Without a chained hook, stdin goes straight through.
    std::fs::remove_file(hook(&repo, "pre-push.legacy")).unwrap();
    std::fs::remove_file(rec.join("ours-stdin")).unwrap();
    repo.write("c.txt", "c\n").commit_all("three");
    repo.push(&["-q", "origin", "main"]).ok();
    let ours = std::fs::read_to_string(rec.join("ours-stdin")).unwrap();
    assert!(
        ours.starts_with("refs/heads/main ") && ours.ends_with('\n'),
        "{ours:?}"
    );
}

#[test]
fn doctor_on_a_good_install() {
    let repo = Repo::new();
    write_exec(&hook(&repo, "pre-commit"), "#!/bin/sh\nexit 0\n", 0o755);
    repo.write("hookctl.toml", "[pre-commit]\nchecks = [\"imports\"]\n");
    repo.hookctl(&["install"]).ok();
    cmd_snapshot!(
        repo,
        "install_doctor_on_a_good_install",
        repo.hookctl(&["doctor"])
    );
}

#[test]
fn doctor_finds_what_would_stop_the_hooks() {
    let repo = Repo::new();
    cmd_snapshot!(
        repo,
        "install_doctor_finds_what_would_stop_the_hooks_1",
        repo.hookctl(&["doctor"])
    );

    repo.hookctl(&["install"]).ok();
    std::fs::set_permissions(hook(&repo, "pre-commit"), std::fs::Permissions::from_mode(0o644)).unwrap();
    cmd_snapshot!(
        repo,
        "install_doctor_finds_what_would_stop_the_hooks_2",
        repo.hookctl(&["doctor"])
    );
    repo.hookctl(&["install"]).ok();
    repo.hookctl(&["doctor"]).ok();

    set_shim_binary(&hook(&repo, "pre-push"), "/nonexistent/hookctl");
    cmd_snapshot!(
        repo,
        "install_doctor_finds_what_would_stop_the_hooks_3",
        hookctl_env(&repo.root, &["doctor"], &[("PATH", GUI_PATH)])
    );
    repo.hookctl(&["install"]).ok();

    repo.write("hookctl.toml", "[pre-commit\nchecks = 1\n");
    cmd_snapshot!(
        repo,
        "install_doctor_finds_what_would_stop_the_hooks_4",
        repo.hookctl(&["doctor"])
    );
    repo.remove("hookctl.toml");

    // A configured hook that is not installed would never run.
    repo.write(
        "hookctl.toml",
        "[[commit-msg.jobs]]\nname = \"msg\"\nrun = \"true\"\n",
    );
    cmd_snapshot!(
        repo,
        "install_doctor_finds_what_would_stop_the_hooks_5",
        repo.hookctl(&["doctor"])
    );
    repo.hookctl(&["install", "--hooks", "commit-msg"]).ok();
    repo.hookctl(&["doctor"]).ok();

    let outside = repo.sibling("outside");
    std::fs::create_dir(&outside).unwrap();
    cmd_snapshot!(
        repo,
        "install_doctor_finds_what_would_stop_the_hooks_6",
        repo.hookctl_in(&outside, &["doctor"], None)
    );
}

#[test]
fn unknown_hook_names_and_no_repo_are_usage_errors() {
    let repo = Repo::new();
    cmd_snapshot!(
        repo,
        "install_unknown_hook_names_and_no_repo_are_usage_errors_1",
        repo.hookctl(&["install", "--hooks", "pre-commit,pre-comit"])
    );
    assert!(
        !hook(&repo, "pre-commit").exists(),
        "nothing written on a usage error"
    );
    repo.hookctl(&["install", "--hooks", "proc-receive"]).code(2);
    repo.hookctl(&["uninstall", "--hooks", "pre-deploy"]).code(2);

    let outside = repo.sibling("outside");
    std::fs::create_dir(&outside).unwrap();
    cmd_snapshot!(
        repo,
        "install_unknown_hook_names_and_no_repo_are_usage_errors_2",
        repo.hookctl_in(&outside, &["uninstall"], None)
    );
    cmd_snapshot!(
        repo,
        "install_unknown_hook_names_and_no_repo_are_usage_errors_3",
        repo.hookctl_in(&outside, &["install"], None)
    );
}

#[test]
fn uninstall_leaves_other_hooks_alone() {
    let repo = Repo::new();
    repo.hookctl(&["install", "--hooks", "pre-push"]).ok();
    let theirs = "#!/bin/sh\nexec lefthook run pre-commit\n";
    write_exec(&hook(&repo, "pre-commit"), theirs, 0o755);
    cmd_snapshot!(
        repo,
        "install_uninstall_leaves_other_hooks_alone",
        repo.hookctl(&["uninstall", "--hooks", "pre-commit,pre-push"])
    );
    assert_eq!(repo.read(".git/hooks/pre-commit"), theirs);
    assert!(!hook(&repo, "pre-push").exists());
}

#[test]
fn husky_hooks_path_is_refused_with_directions() {
    let repo = Repo::new();
    repo.git(&["config", "core.hooksPath", ".husky/_"]).ok();
    let husky = "#!/usr/bin/env sh\n. \"$(dirname \"$0\")/h\"\n";
    repo.write(".husky/_/pre-commit", husky);
    for args in [&["install"][..], &["install", "--force"]] {
        // One snapshot for both: --force is refused with the same words.
        cmd_snapshot!(
            repo,
            "install_husky_hooks_path_is_refused_with_directions_1",
            repo.hookctl(args)
        );
        assert_eq!(repo.read(".husky/_/pre-commit"), husky);
        assert!(!repo.path(".husky/_/pre-commit.legacy").exists());
        assert!(!repo.path(".husky/_/pre-push").exists());
    }
    cmd_snapshot!(
        repo,
        "install_husky_hooks_path_is_refused_with_directions_2",
        repo.hookctl(&["doctor"])
    );
}

fn install_sh() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("install.sh")
}

#[test]
fn install_sh_installs_the_hooks_with_a_prebuilt_binary() {
    let repo = Repo::new();
    repo.write("src/keep.txt", "");
    let sh = |dir: &Path, args: &[&str]| {
        let mut c = Command::new("sh");
        c.arg(install_sh())
            .args(args)
            .current_dir(dir)
            .env("HOOKCTL_BIN", BIN);
        run_with_stdin(without_git_vars(c), None)
    };
    cmd_snapshot!(
        repo,
        "install_install_sh_installs_the_hooks_with_a_prebuilt_binary_1",
        sh(&repo.path("src"), &[])
    );
    assert_eq!(shim_bin(&hook(&repo, "pre-commit")), Path::new(BIN));
    cmd_snapshot!(
        repo,
        "install_install_sh_installs_the_hooks_with_a_prebuilt_binary_2",
        sh(&repo.root, &[])
    );

    let other = Repo::new();
    let outside = other.sibling("outside");
    std::fs::create_dir(&outside).unwrap();
    cmd_snapshot!(
        repo,
        "install_install_sh_installs_the_hooks_with_a_prebuilt_binary_3",
        sh(&outside, &[other.root.to_str().unwrap()])
    );
    assert!(is_our_shim(&other.path(".git/hooks/pre-push")));
    cmd_snapshot!(
        repo,
        "install_install_sh_installs_the_hooks_with_a_prebuilt_binary_4",
        sh(&outside, &[])
    );
    assert!(!outside.join(".git").exists());
}

/// The real build: several minutes in release mode, so only on demand
/// (`cargo test --test it install_sh_builds -- --ignored`).
#[test]
#[ignore = "builds hookctl in release mode (minutes)"]
fn install_sh_builds_and_installs_into_cargo_install_root() {
    let repo = Repo::new();
    let root = repo.sibling("cargo-root");
    let mut c = Command::new("sh");
    c.arg(install_sh())
        .arg(&repo.root)
        .env("CARGO_INSTALL_ROOT", &root)
        .env_remove("HOOKCTL_BIN")
        .current_dir(repo.sibling(""));
    let bin = root.join("bin/hookctl");
    // Ignored by default (no snapshot): cargo's build output varies.
    run_with_stdin(without_git_vars(c), None)
        .ok()
        .contains("pre-commit: installed");
    assert!(bin.is_file());
    assert_eq!(shim_bin(&hook(&repo, "pre-commit")), bin);
}

#[test]
fn a_committed_hook_in_core_hooks_path_is_not_replaced_without_force() {
    let repo = Repo::new();
    repo.git(&["config", "core.hooksPath", ".githooks"]).ok();
    let team = "#!/bin/sh\necho team hook >&2\n";
    write_exec(&repo.path(".githooks/pre-commit"), team, 0o755);
    repo.commit_all("team hooks");
    cmd_snapshot!(
        repo,
        "install_a_committed_hook_in_core_hooks_path_is_not_replaced_without_force_1",
        repo.hookctl(&["install"])
    );
    assert_eq!(repo.read(".githooks/pre-commit"), team);

    cmd_snapshot!(
        repo,
        "install_a_committed_hook_in_core_hooks_path_is_not_replaced_without_force_2",
        repo.hookctl(&["install", "--force"])
    );
    assert_eq!(repo.read(".githooks/pre-commit.legacy"), team);
    staged_change(&repo, "a.txt");
    cmd_snapshot!(
        repo,
        "install_a_committed_hook_in_core_hooks_path_is_not_replaced_without_force_3",
        repo.commit(&["-q", "-m", "x"])
    );
}

#[test]
fn install_sh_runs_cargo_install_into_the_cargo_root() {
    // A stand-in `cargo` that "installs" this build where the real one would.
    let repo = Repo::new();
    let tools = repo.sibling("tools");
    let log = repo.sibling("cargo-args");
    write_exec(
        &tools.join("cargo"),
        &format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > '{}'\nmkdir -p \"$CARGO_HOME/bin\"\ncp '{BIN}' \"$CARGO_HOME/bin/hookctl\"\n",
            log.display()
        ),
        0o755,
    );
    let cargo_home = repo.sibling("cargo-home");
    let mut c = Command::new("sh");
    c.arg(install_sh())
        .current_dir(&repo.root)
        .env("PATH", format!("{}:{GUI_PATH}", tools.display()))
        .env("CARGO_HOME", &cargo_home)
        .env_remove("CARGO_INSTALL_ROOT")
        .env_remove("HOOKCTL_BIN");
    cmd_snapshot!(
        repo,
        "install_install_sh_runs_cargo_install_into_the_cargo_root",
        run_with_stdin(without_git_vars(c), None)
    );
    let args = std::fs::read_to_string(&log).unwrap();
    let manifest_dir = env!("CARGO_MANIFEST_DIR");
    assert_eq!(
        args,
        format!("install\n--quiet\n--locked\n--path\n{manifest_dir}\n")
    );
    let bin = cargo_home.join("bin/hookctl");
    assert_eq!(shim_bin(&hook(&repo, "pre-commit")), bin);
}

#[test]
fn hookctl_off_values_skip_the_chained_hook_too_and_are_named() {
    // Issue 9.12: HOOKCTL=false|off|no still ran the chained legacy hook, and said HOOKCTL=0.
    let repo = Repo::new();
    let marker = repo.sibling("legacy-ran");
    write_exec(
        &hook(&repo, "pre-commit"),
        &format!("#!/bin/sh\ntouch '{}'\n", marker.display()),
        0o755,
    );
    repo.hookctl(&["install"]).ok();
    let mut steps = Vec::new();
    for value in ["0", "false", "OFF", "No"] {
        staged_change(&repo, &format!("{value}.txt"));
        let run = git_hooked(&repo.root, &["commit", "-q", "-m", value], &[("HOOKCTL", value)]);
        assert!(!marker.exists(), "HOOKCTL={value} ran the chained hook");
        steps.push((format!("HOOKCTL={value} git commit"), run));
        let run = hookctl_env(&repo.root, &["run", "pre-commit"], &[("HOOKCTL", value)]);
        steps.push((format!("HOOKCTL={value} hookctl run pre-commit"), run));
        let run = hookctl_env(&repo.root, &["doctor"], &[("HOOKCTL", value)]);
        steps.push((format!("HOOKCTL={value} hookctl doctor"), run));
    }
    snapshot!(repo, "install_hookctl_off_values", transcript(steps));
    staged_change(&repo, "b.txt");
    git_hooked(&repo.root, &["commit", "-q", "-m", "on"], &[("HOOKCTL", "1")]).ok();
    assert!(marker.exists(), "HOOKCTL=1 runs everything");
}

#[test]
fn a_hook_with_nothing_to_run_is_a_warning_in_install_and_doctor() {
    let repo = Repo::new();
    cmd_snapshot!(
        repo,
        "install_a_hook_with_nothing_to_run_is_a_warning_in_install_and_doctor_1",
        repo.hookctl(&["install", "--hooks", "pre-commit,pre-push,pre-merge-commit"])
    );
    cmd_snapshot!(
        repo,
        "install_a_hook_with_nothing_to_run_is_a_warning_in_install_and_doctor_2",
        repo.hookctl(&["doctor"])
    );
    repo.write(
        "hookctl.toml",
        "[[pre-merge-commit.jobs]]\nname = \"x\"\nrun = \"true\"\n",
    );
    repo.hookctl(&["doctor"]).ok().lacks("nothing to run");
}
