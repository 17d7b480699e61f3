//! Issue 11 items 5 and 6: `root` globs, `hookctl.toml` files of workspace packages, and the
//! import graph as job input (`{affected}`, `{packages}`).

use std::path::Path;

use crate::common::*;

fn s(p: &Path) -> String {
    p.to_str().unwrap().to_string()
}

/// Lines of a log written by jobs (`dir: file file...`), sorted.
fn log(p: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_to_string(p)
        .unwrap_or_default()
        .lines()
        .map(String::from)
        .collect();
    v.sort();
    v
}

/// A job command that logs `<folder relative to the repo>: <args>` to `out`.
fn logger(r: &Repo, out: &Path, args: &str) -> String {
    format!(
        "echo \\\"$(pwd -P | sed 's|^{root}/*||'): $(echo {args})\\\" >> {out}",
        root = r.root.canonicalize().unwrap().display(),
        out = s(out)
    )
}

fn workspace(r: &Repo) {
    r.write(
        "package.json",
        r#"{"name":"root","private":true,"workspaces":["apps/*","packages/*"]}"#,
    )
    .write("apps/web/package.json", r#"{"name":"web"}"#)
    .write("apps/docs/package.json", r#"{"name":"docs"}"#)
    .write("packages/ui/package.json", r#"{"name":"@acme/ui"}"#)
    .write("packages/util/package.json", r#"{"name":"@acme/util"}"#);
}

#[test]
fn glob_root_runs_once_per_matching_folder_in_that_folder() {
    let r = Repo::new();
    let out = r.sibling("log");
    workspace(&r);
    r.write(
        "hookctl.toml",
        format!(
            "[pre-commit]\nchecks = []\n[[pre-commit.jobs]]\nname = \"lint\"\nroot = \"apps/*\"\nglob = \"*.ts\"\nrun = \"{}\"\n",
            logger(&r, &out, "{files}")
        ),
    )
    .commit_all("init");
    r.write("apps/web/src/a.ts", "1")
        .write("apps/web/b.ts", "1")
        .write("apps/docs/c.ts", "1")
        .write("apps/docs/README.md", "1")
        .write("packages/ui/d.ts", "1")
        .write("e.ts", "1");
    r.add(&["."]);
    r.hookctl(&["run", "pre-commit"])
        .ok()
        .contains("lint (apps/docs)")
        .contains("lint (apps/web)");
    assert_eq!(log(&out), ["apps/docs: c.ts", "apps/web: b.ts src/a.ts"]);
    // No folder with matching files: skipped, and says so.
    std::fs::remove_file(&out).unwrap();
    r.git(&["reset", "-q"]).ok();
    r.add(&["packages/ui/d.ts"]);
    r.hookctl(&["run", "pre-commit"])
        .ok()
        .contains("lint: skipped (no matching files under `root = \"apps/*\"`)");
    assert!(!out.exists());
}

#[test]
fn a_workspace_packages_config_adds_jobs_for_its_files() {
    let r = Repo::new();
    let out = r.sibling("log");
    workspace(&r);
    r.write(
        "hookctl.toml",
        format!(
            "[pre-commit]\nchecks = []\n[[pre-commit.jobs]]\nname = \"root-job\"\nglob = \"*.ts\"\nrun = \"{}\"\n",
            logger(&r, &out, "root {files}")
        ),
    )
    .write(
        "packages/ui/hookctl.toml",
        format!(
            "[[pre-commit.jobs]]\nname = \"ui-lint\"\nglob = \"*.ts\"\nrun = \"{}\"\n",
            logger(&r, &out, "ui {files}")
        ),
    )
    // Not a workspace package: its config adds nothing.
    .write(
        "fixtures/demo/hookctl.toml",
        format!(
            "[[pre-commit.jobs]]\nname = \"fixture\"\nrun = \"{}\"\n",
            logger(&r, &out, "fixture {files}")
        ),
    )
    .commit_all("init");
    r.write("packages/ui/src/button.ts", "1")
        .write("packages/util/x.ts", "1")
        .write("fixtures/demo/y.ts", "1");
    r.add(&["."]);
    r.hookctl(&["run", "pre-commit"]).ok();
    assert_eq!(
        log(&out),
        [
            ": root fixtures/demo/y.ts packages/ui/src/button.ts packages/util/x.ts",
            "packages/ui: ui src/button.ts",
        ]
    );
    // A malformed nested config is a configuration error.
    r.write("packages/ui/hookctl.toml", "[[pre-commit.jobs]]\nnme = 1\n");
    r.hookctl(&["run", "pre-commit"])
        .code(2)
        .contains("packages/ui/hookctl.toml");
}
