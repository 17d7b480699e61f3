//! Getting hookctl the way JS teams get their tools: the shim prefers the repository's
//! `node_modules/.bin/hookctl`, `hookctl install` is a quiet no-op where no one commits (CI,
//! `HOOKCTL=0`, no repository), `init` adds the `prepare` script, `min_version` refuses an older
//! binary, `--version` says where the binary came from. The npm packages themselves are tested
//! end to end by tests/npm/run.sh (.ci/run).

use std::path::Path;

use crate::common::{BIN, Repo, git_cmd, run_with_stdin};

fn write_exec(p: &Path, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn install_is_a_one_note_no_op_in_ci_with_hookctl_0_and_outside_a_repository() {
    let repo = Repo::new();
    for (var, value, note) in [
        ("CI", "true", "hookctl: CI=true, hooks not installed"),
        ("CI", "1", "hookctl: CI=1, hooks not installed"),
        ("HOOKCTL", "0", "hookctl: HOOKCTL=0, hooks not installed"),
        ("HOOKCTL", "Off", "hookctl: HOOKCTL=Off, hooks not installed"),
    ] {
        let run = repo.hookctl_env(&["install"], &[(var, value)], None);
        run.ok().contains(note);
        assert_eq!(run.stderr.lines().count(), 1, "one note: {}", run.stderr);
        assert!(!repo.path(".git/hooks/pre-commit").exists(), "{var}={value}");
    }
    // CI=false / empty: a developer's machine.
    cmd_snapshot!(
        repo,
        "distribution_install_is_a_one_note_no_op_in_ci_with_hookctl_0_and_outside_a_repository_run",
        repo.hookctl_env(&["install"], &[("CI", "false")], None)
    );
    // A bad flag is still a usage error.
    repo.hookctl_env(&["install", "--hooks", "pre-comit"], &[("CI", "true")], None)
        .code(2);

    let outside = repo.sibling("no-repo");
    std::fs::create_dir(&outside).unwrap();
    let run = repo.hookctl_in(&outside, &["install"], None);
    cmd_snapshot!(
        repo,
        "distribution_install_is_a_one_note_no_op_in_ci_with_hookctl_0_and_outside_a_repository",
        run
    );
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
}

/// The Node launcher in `node_modules/.bin` is the slow fallback: the recorded native binary
/// runs before it (the npm package's binary before both: `tests/it/first_hour.rs`), and it runs
/// only when that binary is gone and `node` is on PATH.
#[test]
fn the_shim_runs_the_recorded_binary_before_the_node_launcher() {
    let repo = Repo::new();
    repo.write("a.txt", "a").commit_all("init");
    repo.hookctl(&["install", "--hooks", "pre-commit"]).ok();
    let shim = repo.read(".git/hooks/pre-commit");
    assert!(shim.contains("node_bin='node_modules/.bin/hookctl'"), "{shim}");

    // A stand-in for the npm launcher that says it ran, then runs the real binary, and a
    // `node` on PATH for the shim to see.
    write_exec(
        &repo.path("node_modules/.bin/hookctl"),
        &format!("#!/bin/sh\necho 'node_modules hookctl ran' >&2\nexec '{BIN}' \"$@\"\n"),
    );
    let fake = repo.sibling("fake-node");
    write_exec(&fake.join("node"), "#!/bin/sh\nexit 0\n");
    let path = format!("{}:/usr/bin:/bin", fake.display());
    let commit = |msg: &str| {
        let mut c = git_cmd(&repo.root);
        c.env("PATH", &path)
            .args(["commit", "-q", "--allow-empty", "-m", msg]);
        run_with_stdin(c, None)
    };
    commit("b").ok().lacks("node_modules hookctl ran");

    // The recorded binary gone: the launcher.
    let text = repo.read(".git/hooks/pre-commit");
    let line = text.lines().find(|l| l.starts_with("hookctl_bin=")).unwrap();
    repo.write(
        ".git/hooks/pre-commit",
        text.replace(line, "hookctl_bin='/nonexistent/hookctl'"),
    );
    cmd_snapshot!(
        repo,
        "distribution_the_shim_runs_the_recorded_binary_before_the_node_launcher",
        commit("c")
    );
}

#[test]
fn install_from_a_workspace_package_records_its_node_modules() {
    let repo = Repo::new();
    repo.write("apps/web/package.json", "{}").commit_all("init");
    write_exec(&repo.path("apps/web/node_modules/.bin/hookctl"), "#!/bin/sh\n");
    repo.hookctl_in(&repo.path("apps/web"), &["install"], None).ok();
    let shim = repo.read(".git/hooks/pre-push");
    assert!(
        shim.contains("node_bin='apps/web/node_modules/.bin/hookctl'"),
        "{shim}"
    );
    // doctor sees the hook as current.
    repo.hookctl(&["doctor"]).lacks("written by another version");
}

#[test]
fn init_adds_the_prepare_script_and_keeps_a_foreign_one() {
    let repo = Repo::new();
    repo.write(
        "package.json",
        "{\n  \"name\": \"app\",\n  \"scripts\": {\n    \"build\": \"next build\"\n  }\n}\n",
    )
    .commit_all("init");
    cmd_snapshot!(
        repo,
        "distribution_init_adds_the_prepare_script_and_keeps_a_foreign_one_1",
        repo.hookctl(&["init"])
    );
    assert_eq!(
        repo.read("package.json"),
        "{\n  \"name\": \"app\",\n  \"scripts\": {\n    \"prepare\": \"hookctl install || exit 0\",\n    \"build\": \"next build\"\n  }\n}\n"
    );

    let other = Repo::new();
    let husky = "{\"scripts\": {\"prepare\": \"husky\"}}";
    other.write("package.json", husky).commit_all("init");
    cmd_snapshot!(
        repo,
        "distribution_init_adds_the_prepare_script_and_keeps_a_foreign_one_2",
        other.hookctl(&["init"])
    );
    assert_eq!(other.read("package.json"), husky);
}

#[test]
fn min_version_refuses_an_older_binary_at_hook_time() {
    let repo = Repo::new();
    repo.write("a.ts", "export const a = 1;\n").commit_all("init");
    repo.hookctl(&["install", "--hooks", "pre-commit"]).ok();
    // Also before keys this binary may not know: the version is the useful message.
    repo.write(
        "hookctl.toml",
        "min_version = \"99.1.0\"\n[pre-commit]\nfuture_key = true\n",
    );
    repo.git(&["add", "hookctl.toml"]).ok();
    cmd_snapshot!(
        repo,
        "distribution_min_version_refuses_an_older_binary_at_hook_time_1",
        repo.commit(&["-q", "-m", "pin"])
    );
    repo.hookctl(&["run", "pre-commit"]).code(2);

    let current = env!("CARGO_PKG_VERSION");
    repo.write(
        "hookctl.toml",
        format!("min_version = \"{current}\"\n[pre-commit]\nchecks = [\"imports\"]\n"),
    );
    repo.git(&["add", "hookctl.toml"]).ok();
    repo.commit(&["-q", "-m", "pin"]).ok();

    repo.write("hookctl.toml", "min_version = \"^1\"\n");
    cmd_snapshot!(
        repo,
        "distribution_min_version_refuses_an_older_binary_at_hook_time_2",
        repo.hookctl(&["run", "pre-commit"])
    );
}

#[test]
fn version_says_where_the_binary_came_from() {
    let repo = Repo::new();
    let run = repo.hookctl(&["--version"]);
    run.ok();
    let expected = format!(
        "hookctl {} (built from source, {})\n",
        env!("CARGO_PKG_VERSION"),
        std::fs::canonicalize(BIN).unwrap().display()
    );
    assert_eq!(run.stdout, expected);
}
