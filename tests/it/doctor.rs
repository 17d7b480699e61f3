//! `doctor`: job commands on the PATH GUI git clients give hooks, `-q`, a fix per problem
//! (issue 10: "all good" while a job's command could not be found from a GUI client).

use std::os::unix::fs::PermissionsExt;

use crate::common::*;

/// A repo with hooks installed and one job whose command lives in a folder only the
/// terminal's PATH has; returns (repo, that folder).
fn repo_with_tool_off_the_gui_path() -> (Repo, std::path::PathBuf) {
    let r = Repo::new();
    r.write("a.ts", "export {};\n").commit_all("init");
    let tools = r.sibling("tools");
    std::fs::create_dir_all(&tools).unwrap();
    let tool = tools.join("hookctl-test-linter");
    std::fs::write(&tool, "#!/bin/sh\nexit 0\n").unwrap();
    std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o755)).unwrap();
    r.write(
        "hookctl.toml",
        "[[pre-commit.jobs]]\nname = \"lint\"\nrun = \"hookctl-test-linter --fix {files}\"\n\n[[pre-commit.jobs]]\nname = \"ok\"\nrun = \"CI=1 sh -c true\"\n",
    );
    r.hookctl(&["install"]).ok();
    (r, tools)
}

#[test]
fn doctor_flags_a_job_command_missing_from_the_gui_path_with_its_fix() {
    let (r, tools) = repo_with_tool_off_the_gui_path();
    let path = format!("{}:/usr/bin:/bin", tools.display());
    let run = r.hookctl_env(&["doctor"], &[("PATH", &path)], None);
    let tool = tools.join("hookctl-test-linter");
    run.code(1)
        .contains("error: pre-commit job `lint`: `hookctl-test-linter` is at")
        .contains("not on the PATH GUI git clients give hooks")
        .contains(&format!(
            "hint: use its absolute path in hookctl.toml: `run = \"{} --fix {{files}}\"`",
            tool.display()
        ))
        .contains("ok: pre-commit job `ok`: `sh` found at")
        .contains("1 problem: hooks would not run as expected");
    // Not found anywhere: the job cannot start.
    let run = r.hookctl_env(&["doctor"], &[("PATH", "/usr/bin:/bin")], None);
    run.code(1)
        .contains("`hookctl-test-linter` is not found on any PATH");
    // Fixed as the hint says: all good.
    r.write(
        "hookctl.toml",
        format!(
            "[[pre-commit.jobs]]\nname = \"lint\"\nrun = \"{} --fix {{files}}\"\n",
            tool.display()
        ),
    );
    r.hookctl_env(&["doctor"], &[("PATH", &path)], None)
        .ok()
        .contains("all good");
}

#[test]
fn doctor_quiet_prints_only_problems_and_their_fixes() {
    let (r, tools) = repo_with_tool_off_the_gui_path();
    let path = format!("{}:/usr/bin:/bin", tools.display());
    let run = r.hookctl_env(&["doctor", "-q"], &[("PATH", &path)], None);
    run.code(1)
        .contains("error: pre-commit job `lint`")
        .contains("hint: use its absolute path")
        .lacks("ok:")
        .lacks("repository:")
        .lacks("hooks directory:");
}
