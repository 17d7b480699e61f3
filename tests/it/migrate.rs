//! `hookctl migrate` on fixtures of each source format: husky + lint-staged (package.json key,
//! `.lintstagedrc.json`), a lefthook monorepo; `doctor` and `install` agreeing on what to run.

use std::path::Path;

use crate::common::Repo;

/// A job script that records its arguments (the files it was given) and succeeds.
const RECORD: &str = "#!/bin/sh\nprintf '%s\\n' \"$@\" >> \"$(git rev-parse --show-toplevel)/.job-args\"\n";

/// The lines of `text` sorted: jobs that run at the same time append in any order.
fn sorted_lines(text: &str) -> String {
    let mut lines: Vec<&str> = text.lines().collect();
    lines.sort_unstable();
    lines.join("\n")
}

fn parsed(repo: &Repo) -> hookctl::config::Config {
    let text = repo.read("hookctl.toml");
    hookctl::config::parse(Path::new("hookctl.toml"), &text)
        .unwrap_or_else(|e| panic!("{}\n{text}", e.chain()))
}

fn husky_app(repo: &Repo, package_key: bool) {
    let lint_staged = r#"{
    "*.{ts,tsx}": ["sh scripts/lint.sh --fix", "sh scripts/fmt.sh"],
    "*.md": ["sh scripts/fmt.sh", "git add"],
    "!(*.ts)": "sh scripts/other.sh"
  }"#;
    let pkg = if package_key {
        format!(
            "{{\n  \"name\": \"app\",\n  \"scripts\": {{\"prepare\": \"husky\"}},\n  \"lint-staged\": {lint_staged}\n}}\n"
        )
    } else {
        repo.write(".lintstagedrc.json", lint_staged);
        "{\n  \"name\": \"app\",\n  \"scripts\": {\"prepare\": \"husky\"}\n}\n".to_string()
    };
    repo.write("package.json", pkg)
        .write(".husky/pre-commit", "npx lint-staged\nsh scripts/lint.sh --all\n")
        .write(".husky/commit-msg", "npx --no -- commitlint --edit \"$1\"\n")
        .write(
            ".husky/_/pre-commit",
            "#!/usr/bin/env sh\n. \"$(dirname \"$0\")/h\"\n",
        )
        .write("scripts/lint.sh", RECORD)
        .write("scripts/fmt.sh", RECORD)
        .write("src/a.ts", "export const a = 1;\n")
        .write("README.md", "# app\n")
        .write(".gitignore", ".job-args\n")
        .commit_all("init");
    repo.git(&["config", "core.hooksPath", ".husky/_"]).ok();
}

#[test]
fn husky_with_lint_staged_in_package_json() {
    let repo = Repo::new();
    husky_app(&repo, true);
    // doctor suggests what install accepts: migrate, not `hookctl install`.
    let doctor = repo.hookctl(&["doctor"]);
    cmd_snapshot!(repo, "migrate_husky_with_lint_staged_in_package_json_1", doctor);

    cmd_snapshot!(
        repo,
        "migrate_husky_with_lint_staged_in_package_json_2",
        repo.hookctl(&["migrate"])
    );
    let c = parsed(&repo);
    let pre = &c.hooks["pre-commit"];
    let jobs: Vec<(&str, &str)> = pre
        .jobs
        .iter()
        .map(|j| (j.name.as_str(), j.run.as_str()))
        .collect();
    assert_eq!(
        jobs,
        [
            ("lint-sh", "sh scripts/lint.sh --fix {files}"),
            ("fmt-sh", "sh scripts/fmt.sh {files}"),
            ("fmt-sh-2", "sh scripts/fmt.sh {files}"),
            ("lint-sh-2", "sh scripts/lint.sh --all"),
        ]
    );
    assert!(pre.jobs[..3].iter().all(|j| j.stage_fixed));
    assert_eq!(
        pre.parallel,
        Some(false),
        "lint-staged runs a glob's commands in order"
    );
    assert_eq!(
        c.hooks["commit-msg"].jobs[0].run,
        "npx --no -- commitlint --edit {1}"
    );
    // What could not be translated is named in the file, commented.
    snapshot!(
        repo,
        "migrate_husky_with_lint_staged_toml",
        repo.read("hookctl.toml")
    );

    // An existing hookctl.toml is kept unless --force.
    cmd_snapshot!(
        repo,
        "migrate_husky_with_lint_staged_in_package_json_3",
        repo.hookctl(&["migrate"])
    );

    // --yes: core.hooksPath unset, hooks installed, and the translated jobs run.
    cmd_snapshot!(
        repo,
        "migrate_husky_with_lint_staged_in_package_json_4",
        repo.hookctl(&["migrate", "--yes", "--force"])
    );
    assert_eq!(
        repo.git(&["config", "--get", "core.hooksPath"]).code,
        1,
        "core.hooksPath is unset"
    );
    let shim = repo.read(".git/hooks/pre-commit");
    assert!(hookctl::install::is_current_shim("pre-commit", &shim), "{shim}");
    repo.hookctl(&["doctor"]).lacks("husky owns");
    repo.hookctl(&["run", "pre-commit", "--all-files"]).ok();
    snapshot!(
        repo,
        "migrate_husky_job_args",
        sorted_lines(&repo.read(".job-args"))
    );
}

#[test]
fn husky_with_lintstagedrc_json() {
    let repo = Repo::new();
    husky_app(&repo, false);
    repo.write(
        ".husky/pre-commit",
        "#!/bin/sh\n. \"$(dirname -- \"$0\")/_/husky.sh\"\n\npnpm lint-staged\n",
    );
    cmd_snapshot!(
        repo,
        "migrate_husky_with_lintstagedrc_json",
        repo.hookctl(&["migrate"])
    );
    let c = parsed(&repo);
    let names: Vec<&str> = c.hooks["pre-commit"]
        .jobs
        .iter()
        .map(|j| j.name.as_str())
        .collect();
    assert_eq!(names, ["lint-sh", "fmt-sh", "fmt-sh-2"]);
    repo.hookctl(&["run", "pre-commit", "--all-files"]).ok();
}

#[test]
fn js_lint_staged_config_is_explained_not_run() {
    let repo = Repo::new();
    repo.write("package.json", "{\"name\": \"app\"}\n")
        .write(".husky/pre-commit", "npx lint-staged\n")
        .write(
            "lint-staged.config.js",
            "require('fs').writeFileSync('ran', '1');\nmodule.exports = {};\n",
        )
        .commit_all("init");
    cmd_snapshot!(
        repo,
        "migrate_js_lint_staged_config_is_explained_not_run",
        repo.hookctl(&["migrate"])
    );
    assert!(!repo.path("ran").exists());
    parsed(&repo);
}

const LEFTHOOK: &str = r#"min_version: 1.5.0
pre-commit:
  parallel: true
  commands:
    web-lint:
      root: "apps/web/"
      glob: "*.{ts,tsx}"
      exclude: ["*.gen.ts"]
      run: sh ../../scripts/lint.sh {staged_files}
      stage_fixed: true
    api-check:
      root: apps/api
      glob: "*.ts"
      run: sh ../../scripts/lint.sh {staged_files}
      tags: backend
  scripts:
    "hello.sh":
      runner: bash
pre-comit:
  commands:
    x:
      run: "true"
pre-push:
  commands:
    test:
      run: sh scripts/lint.sh {push_files}
"#;

#[test]
fn lefthook_monorepo() {
    let repo = Repo::new();
    repo.write(
        "package.json",
        "{\"name\": \"mono\", \"private\": true, \"workspaces\": [\"apps/*\"]}\n",
    )
    .write("apps/web/package.json", "{\"name\": \"web\"}\n")
    .write("apps/web/page.tsx", "export const p = 1;\n")
    .write("apps/web/schema.gen.ts", "export const g = 1;\n")
    .write("apps/api/package.json", "{\"name\": \"api\"}\n")
    .write("apps/api/index.ts", "export const i = 1;\n")
    .write("scripts/lint.sh", RECORD)
    .write(".gitignore", ".job-args\n")
    .write("lefthook.yml", LEFTHOOK)
    .commit_all("init");
    // lefthook's own installed hook: doctor points at migrate.
    repo.write(
        ".git/hooks/pre-commit",
        "#!/bin/sh\nexec lefthook run pre-commit \"$@\"\n",
    );
    std::fs::set_permissions(
        repo.path(".git/hooks/pre-commit"),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    cmd_snapshot!(repo, "migrate_lefthook_monorepo_1", repo.hookctl(&["doctor"]));

    cmd_snapshot!(repo, "migrate_lefthook_monorepo_2", repo.hookctl(&["migrate"]));
    let c = parsed(&repo);
    let pre = &c.hooks["pre-commit"];
    assert_eq!(pre.parallel, Some(true));
    let web = pre.jobs.iter().find(|j| j.name == "web-lint").expect("web-lint");
    assert_eq!(web.name, "web-lint");
    assert_eq!(web.root.as_deref(), Some("apps/web"));
    assert_eq!(web.run, "sh ../../scripts/lint.sh {files}");
    assert!(web.stage_fixed);
    assert_eq!(c.hooks["pre-push"].jobs[0].run, "sh scripts/lint.sh {files}");
    assert_eq!(
        c.hooks["pre-push"].parallel,
        Some(false),
        "lefthook runs commands in order by default"
    );

    cmd_snapshot!(
        repo,
        "migrate_lefthook_monorepo_3",
        repo.hookctl(&["migrate", "--yes", "--force"])
    );
    let shim = repo.read(".git/hooks/pre-commit");
    assert!(hookctl::install::is_current_shim("pre-commit", &shim), "{shim}");
    repo.hookctl(&["run", "pre-commit", "--all-files"]).ok();
    // Paths relative to each job's root; schema.gen.ts excluded.
    snapshot!(
        repo,
        "migrate_lefthook_job_args",
        sorted_lines(&repo.read(".job-args"))
    );
}

#[test]
fn malformed_lefthook_is_exit_2_with_file_and_line() {
    let repo = Repo::new();
    repo.write(
        "lefthook.yml",
        "pre-commit:\n  commands:\n    lint:\n      run: [unclosed\n",
    )
    .commit_all("init");
    let run = repo.hookctl(&["migrate"]);
    cmd_snapshot!(
        repo,
        "migrate_malformed_lefthook_is_exit_2_with_file_and_line_1",
        run
    );
    assert!(!repo.path("hookctl.toml").exists());

    let empty = Repo::new();
    empty.write("a.txt", "a").commit_all("init");
    cmd_snapshot!(
        empty,
        "migrate_malformed_lefthook_is_exit_2_with_file_and_line_2",
        empty.hookctl(&["migrate"])
    );
}

/// lefthook's `skip`/`only` and `priority` become hookctl's conditions and priorities; what
/// has no equivalent (`merge-commit`) is named in the file and left out.
#[test]
fn lefthook_conditions_and_priorities() {
    let repo = Repo::new();
    repo.write(
        "lefthook.yml",
        r"
pre-commit:
  piped: true
  skip:
    - merge
    - ref: main
  commands:
    format:
      priority: 1
      run: prettier --write {staged_files}
      skip: true
    lint:
      priority: 2
      run: eslint {staged_files}
      only:
        - ref: release/*
        - run: test -f .lint
    squash:
      run: echo merged
      skip:
        - merge-commit
        - rebase
",
    )
    .commit_all("init");
    repo.hookctl(&["migrate"]).ok();
    let c = parsed(&repo);
    assert_eq!(c.hooks["pre-commit"].jobs.len(), 3);
    snapshot!(repo, "migrate_lefthook_conditions", repo.read("hookctl.toml"));
}
