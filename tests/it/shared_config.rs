//! `extends`: a chain from a local file and from an npm package under `node_modules`, merged
//! in order as one configuration (jobs by name, `enabled = false` dropping an inherited job),
//! its errors at the file and line that set the key, `hookctl config show`, and the caches
//! keyed on the merged content.

use crate::common::*;

const BASE: &str = r#"[rules]
"env/unused" = "warning"

[env]
allow = ["BASE_URL"]

[[pre-commit.jobs]]
name = "lint"
run = "echo lint {files}"
glob = "*.ts"

[[pre-commit.jobs]]
name = "typecheck"
run = "echo typecheck"
"#;

const PACKAGE: &str = r#"[commit]
max_subject_length = 72

[[pre-commit.jobs]]
name = "format"
run = "echo format {files}"

[[pre-commit.jobs]]
name = "no-todo"
run = "! grep -n TODO {files}"
glob = "*.ts"
"#;

const ROOT: &str = r#"extends = ["./tooling/hookctl.base.toml", "@acme/hookctl-config"]

[rules]
"env/unused" = "off"

[pre-commit]
parallel = false

[[pre-commit.jobs]]
name = "lint"
glob = ["*.ts", "*.tsx"]

[[pre-commit.jobs]]
name = "format"
enabled = false
"#;

fn chained() -> Repo {
    let r = Repo::new();
    r.write("tooling/hookctl.base.toml", BASE)
        .write("node_modules/@acme/hookctl-config/hookctl.toml", PACKAGE)
        .write(
            "node_modules/@acme/hookctl-config/package.json",
            r#"{"name":"@acme/hookctl-config","version":"1.0.0"}"#,
        )
        .write(".gitignore", "node_modules/\n")
        .write("hookctl.toml", ROOT)
        .write("src/a.ts", "export const a = 1;\n");
    r.add(&[
        ".gitignore",
        "hookctl.toml",
        "tooling/hookctl.base.toml",
        "src/a.ts",
    ]);
    r
}

#[test]
fn a_chain_from_a_local_file_and_a_package_runs_as_one_config() {
    let r = chained();
    r.hookctl(&["install"]).ok();
    // lint (base, glob overridden here), typecheck (base), no-todo (package); format dropped.
    let run = r.commit(&["-q", "-m", "feat: a"]);
    cmd_snapshot!(r, "extends_commit_runs_the_merged_jobs", run);
    assert_eq!(run.code, 0);
    // The package's job blocks what it should, from the package's file.
    r.write("src/b.ts", "// TODO remove\nexport const b = 1;\n");
    r.add(&["src/b.ts"]);
    let run = r.commit(&["-q", "-m", "feat: b"]);
    assert_eq!(run.code, 1, "{}", run.all());
    run.contains("no-todo").contains("TODO remove");
    // Its twin without the TODO passes.
    r.write("src/b.ts", "export const b = 1;\n");
    r.add(&["src/b.ts"]);
    r.commit(&["-q", "-m", "feat: b"]).ok();
}

#[test]
fn config_show_says_where_each_value_came_from() {
    let r = chained();
    r.write(
        "apps/web/hookctl.toml",
        "[rules]\n\"env/dynamic\" = \"warning\"\n\n[[pre-commit.jobs]]\nname = \"web-test\"\nrun = \"echo web {files}\"\n",
    )
    .write("apps/web/package.json", r#"{"name":"@acme/web"}"#)
    .write("package.json", r#"{"private":true,"workspaces":["apps/*"]}"#)
    .write("hookctl.local.toml", "[env]\nallow = [\"MY_LAPTOP\"]\n");
    cmd_snapshot!(r, "config_show_extends", r.hookctl(&["config", "show"]));
    cmd_snapshot!(
        r,
        "config_show_package",
        r.hookctl(&["config", "show", "--package", "@acme/web"])
    );
}

#[test]
fn a_bad_key_in_a_base_is_reported_at_the_base_file_and_line() {
    let r = chained();
    r.write(
        "node_modules/@acme/hookctl-config/hookctl.toml",
        "[[pre-commit.jobs]]\nname = \"no-todo\"\nrun = \"echo\"\nglobb = \"*.ts\"\n",
    );
    cmd_snapshot!(r, "extends_error_in_package", r.hookctl(&["run", "pre-commit"]));
    // A job that the extending file completes is valid: the merged config is validated.
    r.write(
        "tooling/hookctl.base.toml",
        "[[pre-commit.jobs]]\nname = \"lint\"\nglob = \"*.ts\"\n",
    )
    .write("node_modules/@acme/hookctl-config/hookctl.toml", "")
    .write(
        "hookctl.toml",
        "extends = [\"./tooling/hookctl.base.toml\"]\n[[pre-commit.jobs]]\nname = \"lint\"\nrun = \"echo lint {files}\"\n",
    );
    r.hookctl(&["run", "pre-commit"]).ok().contains("lint");
    // Without the extending file's `run`, the base's job is incomplete: said at the base's line.
    r.write("hookctl.toml", "extends = [\"./tooling/hookctl.base.toml\"]\n");
    cmd_snapshot!(
        r,
        "extends_error_incomplete_job",
        r.hookctl(&["run", "pre-commit"])
    );
}

#[test]
fn a_missing_package_or_a_loop_is_a_config_error() {
    let r = chained();
    std::fs::remove_dir_all(r.path("node_modules")).unwrap();
    cmd_snapshot!(
        r,
        "extends_package_not_installed",
        r.hookctl(&["run", "pre-commit"])
    );
    r.write("tooling/hookctl.base.toml", "extends = [\"../hookctl.toml\"]\n")
        .write("hookctl.toml", "extends = [\"./tooling/hookctl.base.toml\"]\n");
    cmd_snapshot!(r, "extends_loop", r.hookctl(&["config", "show"]));
}

/// The clean-file cache is keyed on the merged `[imports]`: editing only a base changes the
/// verdict of a warm run exactly as of a cold one.
#[test]
fn editing_a_base_invalidates_cached_verdicts() {
    let r = Repo::new();
    r.write(
        "tooling/base.toml",
        "[imports]\nnot_files = [\"^virtual:\", \"^\\\\./gen/\"]\n",
    )
    .write("hookctl.toml", "extends = [\"./tooling/base.toml\"]\n")
    .write(
        "src/a.ts",
        "import { x } from \"./gen/x\";\nexport const a = x;\n",
    );
    r.commit_all("init");
    let findings = |r: &Repo| {
        check_findings(r, &["--rev", "HEAD", "--all-findings"])
            .into_iter()
            .map(|(rule, path, _)| format!("{rule} {path}"))
            .collect::<Vec<_>>()
    };
    assert!(findings(&r).is_empty());
    assert!(findings(&r).is_empty(), "warm");
    // Only the base changes (not hookctl.toml, not the commit).
    r.write("tooling/base.toml", "[imports]\nnot_files = [\"^virtual:\"]\n");
    assert_eq!(findings(&r), ["imports/unresolved src/a.ts"]);
    std::fs::remove_dir_all(r.path(".git/hookctl")).unwrap();
    assert_eq!(findings(&r), ["imports/unresolved src/a.ts"], "cold");
}
