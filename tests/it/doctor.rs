//! `doctor`: job commands looked up through the PATH jobs get (the project's `node_modules/.bin`
//! first) on top of the PATH GUI git clients give hooks, `-q`, a true fix per problem (issue
//! 10: "all good" while a job's command could not be found from a GUI client; issue 21: advice
//! to commit an absolute path, or to install a tool that was installed).

use std::os::unix::fs::PermissionsExt;

use crate::common::*;

fn write_tool(path: &std::path::Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, "#!/bin/sh\nexit 0\n").unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// A repo with hooks installed and one job whose command lives in a folder only the
/// terminal's PATH has; returns (repo, that folder).
fn repo_with_tool_off_the_gui_path() -> (Repo, std::path::PathBuf) {
    let r = Repo::new();
    r.write("a.ts", "export {};\n").commit_all("init");
    let tools = r.sibling("tools");
    write_tool(&tools.join("hookctl-test-linter"));
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
    run.code(1);
    // Where `sh` is differs between systems (/bin/sh, /usr/bin/sh).
    let sh = regex::Regex::new("found at /[a-z/]*sh\n").unwrap();
    let text = sh.replace(&run.stdout, "found at [SH]\n");
    snapshot!(r, "doctor_tool_only_on_the_terminal_path", scrub(&r, &text));
    // Not found anywhere: the job cannot start.
    let run = r.hookctl_env(&["doctor"], &[("PATH", "/usr/bin:/bin")], None);
    cmd_snapshot!(
        r,
        "doctor_doctor_flags_a_job_command_missing_from_the_gui_path_with_its_fix_1",
        run
    );
    // In the project's node_modules/.bin (as `npm i -D` puts it): found from any client.
    write_tool(&r.path("node_modules/.bin/hookctl-test-linter"));
    cmd_snapshot!(
        r,
        "doctor_doctor_flags_a_job_command_missing_from_the_gui_path_with_its_fix_2",
        r.hookctl_env(&["doctor"], &[("PATH", "/usr/bin:/bin")], None)
    );
}

#[test]
fn doctor_quiet_prints_only_problems_and_their_fixes() {
    let (r, tools) = repo_with_tool_off_the_gui_path();
    let path = format!("{}:/usr/bin:/bin", tools.display());
    let run = r.hookctl_env(&["doctor", "-q"], &[("PATH", &path)], None);
    run.code(1);
    snapshot!(r, "doctor_quiet", scrub(&r, &run.stdout));
}

/// A job of a workspace package runs its tool from that package's `node_modules/.bin` (pnpm
/// installs each package's tools there), or the root's; a declared but not installed tool is
/// "run `pnpm install`", not "install it" nor "use an absolute path".
#[test]
fn doctor_looks_in_each_node_modules_bin_up_to_the_root_and_names_the_install() {
    let r = Repo::new();
    r.write(
        "package.json",
        r#"{"name": "mono", "private": true, "devDependencies": {"prettier": "3"}}"#,
    )
    .write("pnpm-workspace.yaml", "packages: ['apps/*']\n")
    .write("pnpm-lock.yaml", "lockfileVersion: '9.0'\n")
    .write(
        "apps/web/package.json",
        r#"{"name": "web", "devDependencies": {"eslint": "9"}}"#,
    )
    .write("apps/web/a.ts", "export {};\n")
    .write(
        "hookctl.toml",
        "[[pre-commit.jobs]]\nname = \"lint\"\nroot = \"apps/*\"\nrun = \"eslint --fix {files}\"\n\n\
         [[pre-commit.jobs]]\nname = \"format\"\nrun = \"prettier --write {files}\"\n",
    )
    .commit_all("init");
    r.hookctl(&["install"]).ok();
    let run = r.hookctl_env(&["doctor", "-q"], &[("PATH", "/usr/bin:/bin")], None);
    run.code(1);
    snapshot!(r, "doctor_tools_declared_not_installed", scrub(&r, &run.stdout));
    // Installed: eslint in the package's own folder, prettier at the root.
    write_tool(&r.path("apps/web/node_modules/.bin/eslint"));
    write_tool(&r.path("node_modules/.bin/prettier"));
    cmd_snapshot!(
        r,
        "doctor_doctor_looks_in_each_node_modules_bin_up_to_the_root_and_names_the_install",
        r.hookctl_env(&["doctor"], &[("PATH", "/usr/bin:/bin")], None)
    );
}

/// A configured hook that is not installed is named, with the command that installs it.
#[test]
fn doctor_names_a_configured_hook_that_is_not_installed() {
    let r = Repo::new();
    r.write("a.ts", "export {};\n")
        .write(
            "hookctl.toml",
            "[[commit-msg.jobs]]\nname = \"msg\"\nrun = \"test -s {1}\"\n",
        )
        .commit_all("init");
    r.hookctl(&["install", "--hooks", "pre-commit,pre-push"]).ok();
    let run = r.hookctl_env(&["doctor", "-q"], &[("PATH", "/usr/bin:/bin")], None);
    run.code(1);
    snapshot!(r, "doctor_configured_hook_missing", scrub(&r, &run.stdout));
    cmd_snapshot!(
        r,
        "doctor_doctor_names_a_configured_hook_that_is_not_installed_1",
        r.hookctl(&["install"])
    );
    cmd_snapshot!(
        r,
        "doctor_doctor_names_a_configured_hook_that_is_not_installed_2",
        r.hookctl_env(&["doctor"], &[("PATH", "/usr/bin:/bin")], None)
    );
}
