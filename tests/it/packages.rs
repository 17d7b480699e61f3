//! `hookctl run <hook> --package P` / `--here` in a pnpm-style monorepo: only that package's
//! jobs run, on its files only, the built-in checks report only its files, and its
//! `hookctl.toml` settings win over the root's (nearest wins). An unknown package is exit 2
//! with the closest name.

use crate::common::*;

const ROOT: &str = r#"[[pre-commit.jobs]]
name = "lint"
run = "echo lint {files}"
glob = "*.ts"

[[pre-commit.jobs]]
name = "root-test"
run = "echo the whole repository tests"

[[pre-commit.jobs]]
name = "ui-build"
run = "echo ui build"
root = "packages/ui"
"#;

const WEB: &str = r#"[env]
allow = ["WEB_KEY"]

[[pre-commit.jobs]]
name = "web-test"
run = "echo web-test {files}"
glob = "*.ts"

[[pre-commit.jobs]]
name = "lint"
run = "echo web-lint {files}"
"#;

fn untimed(text: &str) -> String {
    regex::Regex::new(r"\d+\.\d+s")
        .unwrap()
        .replace_all(text, "[T]")
        .into_owned()
}

fn monorepo() -> Repo {
    let r = pnpm_workspace(&["apps/*", "packages/*"]);
    r.write("hookctl.toml", ROOT)
        .package("apps/web", "@acme/web", Some(WEB))
        .package("packages/ui", "@acme/ui", None)
        .commit_all("init");
    r.write(
        "apps/web/src/page.ts",
        "export const key = process.env.WEB_KEY;\n",
    )
    .write(
        "packages/ui/src/button.ts",
        "export const b = process.env.UI_SECRET_NAME;\n",
    );
    r.add(&["apps/web/src/page.ts", "packages/ui/src/button.ts"]);
    r
}

#[test]
fn a_package_run_has_its_jobs_its_files_and_its_settings() {
    let r = monorepo();
    let run = r.hookctl(&["run", "pre-commit", "--package", "@acme/web"]);
    // Parallel jobs finish in any order: sorted, as other job snapshots are.
    snapshot!(r, "package_run_web", jobs_sorted(&run.shown()));
    // The same from inside the package, by folder too.
    let here = r.hookctl_in(&r.path("apps/web/src"), &["run", "pre-commit", "--here"], None);
    assert_eq!(untimed(&here.stderr), untimed(&run.stderr));
    let by_folder = r.hookctl(&["run", "pre-commit", "--package", "apps/web"]);
    assert_eq!(untimed(&by_folder.stderr), untimed(&run.stderr));
}

#[test]
fn the_whole_repository_run_checks_each_package_with_its_nearest_settings() {
    let r = monorepo();
    // `WEB_KEY` is allowed by the package's file, for its files, in every run (nearest wins);
    // `UI_SECRET_NAME` is undeclared everywhere.
    let run = r.hookctl(&["run", "pre-commit"]);
    // Parallel jobs finish in any order: sorted, as other job snapshots are.
    snapshot!(r, "package_run_whole_repository", jobs_sorted(&run.shown()));
    let ui = r.hookctl(&["run", "pre-commit", "--package", "@acme/ui"]);
    assert_eq!(ui.code, 1, "{}", ui.all());
    ui.contains("UI_SECRET_NAME")
        .lacks("WEB_KEY")
        .contains("ui build")
        .lacks("web-test");
}

#[test]
fn an_unknown_package_is_a_usage_error_with_the_closest_name() {
    let r = monorepo();
    cmd_snapshot!(
        r,
        "package_run_unknown",
        r.hookctl(&["run", "pre-commit", "--package", "@acme/wbe"])
    );
    let root = r.hookctl(&["run", "pre-commit", "--here"]);
    assert_eq!(root.code, 2, "{}", root.all());
    root.contains("not inside a workspace package");
}
