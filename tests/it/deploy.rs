//! Deploy readiness: `deps/dev-only-at-runtime`, `git/clean`, `hookctl run pre-deploy` with its
//! summary table, and `hookctl init --preset pre-deploy`. Each rule's case has a silent twin.

use std::path::Path;

use crate::common::*;

fn only(r: &Repo, rule: &str, args: &[&str]) -> Vec<(String, String, String)> {
    check_findings(r, args)
        .into_iter()
        .filter(|(id, _, _)| id == rule)
        .collect()
}

const DEV_ONLY: &str = "deps/dev-only-at-runtime";

/// A plain Node server package: `start` runs `node server.js`, `express` in devDependencies.
fn node_server(extra_dev: &str) -> Repo {
    let r = Repo::new();
    r.write(
        "package.json",
        format!(
            "{{\n  \"name\": \"api\",\n  \"scripts\": {{ \"start\": \"node server.js\" }},\n  \"devDependencies\": {{ \"express\": \"^4.19.2\"{extra_dev} }}\n}}\n"
        ),
    );
    r
}

#[test]
fn dev_dependency_imported_by_a_plain_node_server_fires() {
    let r = node_server("");
    r.write(
        "server.js",
        "const express = require(\"express\");\nexpress().listen(3000);\n",
    );
    r.add(&["."]);
    assert_eq!(
        only(&r, DEV_ONLY, &[]),
        [finding(DEV_ONLY, "server.js", "express")]
    );
    let j = r.hookctl(&["check", "--format", "json"]).json();
    let f = &j["findings"][0];
    assert_eq!(f["line"], 1);
    assert_eq!(f["column"], 25);
    // The message names the start script; the help, the command that fixes it.
    snapshot!(
        r,
        "deploy_dev_only_plain_node_message",
        format!(
            "{}\n{}",
            f["message"].as_str().unwrap(),
            f["help"].as_str().unwrap()
        )
    );
    // `tsc && node dist/...`, `tsx`, `ts-node` are plain Node too.
    for start in [
        "tsc && node dist/server.js",
        "tsx server.ts",
        "NODE_ENV=production ts-node server.ts",
    ] {
        r.write(
            "package.json",
            format!(
                "{{ \"scripts\": {{ \"start\": \"{start}\" }}, \"devDependencies\": {{ \"express\": \"4\", \"typescript\": \"5\" }} }}\n"
            ),
        );
        r.add(&["."]);
        assert_eq!(only(&r, DEV_ONLY, &[]).len(), 1, "{start}");
    }
}

/// Its twin built by Next.js (a bundler inlines dev-only imports): silent. So is a package
/// whose `start` is not Node, and one that declares the package in `dependencies`.
#[test]
fn bundled_or_runtime_declared_twins_are_silent() {
    let r = node_server(", \"next\": \"15.0.0\"");
    r.write("server.js", "const express = require(\"express\");\n");
    r.add(&["."]);
    assert_eq!(only(&r, DEV_ONLY, &[]), []);
    for pkg in [
        "{ \"scripts\": { \"start\": \"next start\" }, \"devDependencies\": { \"express\": \"4\" } }",
        "{ \"scripts\": { \"start\": \"node server.js\" }, \"devDependencies\": { \"express\": \"4\", \"esbuild\": \"0.20\" } }",
        "{ \"scripts\": { \"start\": \"node server.js\" }, \"dependencies\": { \"express\": \"4\" }, \"devDependencies\": { \"express\": \"4\" } }",
        "{ \"scripts\": { \"dev\": \"node server.js\" }, \"devDependencies\": { \"express\": \"4\" } }",
    ] {
        r.write("package.json", pkg);
        r.add(&["."]);
        assert_eq!(only(&r, DEV_ONLY, &[]), [], "{pkg}");
    }
}

/// Test, story, config and script files are not runtime code; type-only imports are erased;
/// `@types/*` never counts.
#[test]
fn test_files_and_type_only_imports_are_silent() {
    let r = node_server(", \"vitest\": \"1\", \"@types/express\": \"4\"");
    r.write("server.js", "module.exports = 1;\n")
        .write("server.test.js", "import express from \"express\";\nimport { it } from \"vitest\";\n")
        .write("src/__tests__/a.js", "require(\"express\");\n")
        .write("vitest.config.js", "import { defineConfig } from \"vitest\";\n")
        .write("scripts/seed.js", "require(\"express\");\n")
        .write(
            "src/types.ts",
            "import type { Request } from \"express\";\nimport { type Response } from \"express\";\nexport type R = Request | Response;\n",
        )
        .write("src/more.d.ts", "import express from \"express\";\n")
        .add(&["."]);
    assert_eq!(only(&r, DEV_ONLY, &[]), []);
    // The same import as a value, in runtime code: fires (the twins above are not silent by
    // accident).
    r.write(
        "src/app.ts",
        "import express from \"express\";\nexport default express;\n",
    )
    .add(&["."]);
    assert_eq!(
        only(&r, DEV_ONLY, &[]),
        [finding(DEV_ONLY, "src/app.ts", "express")]
    );
}

/// npm workspaces: another workspace's `dependencies` does not make a dev-only import safe
/// (said in the message); the root's `dependencies` do (a production install at the root
/// provides them to every package).
#[test]
fn workspaces_hoisting_is_not_relied_on_but_root_dependencies_are() {
    let r = Repo::new();
    let root = |deps: &str| {
        format!("{{ \"name\": \"mono\", \"private\": true, \"workspaces\": [\"apps/*\"]{deps} }}\n")
    };
    r.write("package.json", root(""))
        .write(
            "apps/api/package.json",
            "{ \"name\": \"api\", \"scripts\": { \"start\": \"node index.js\" }, \"devDependencies\": { \"express\": \"4\" } }\n",
        )
        .write("apps/api/index.js", "require(\"express\");\n")
        .write(
            "apps/worker/package.json",
            "{ \"name\": \"worker\", \"scripts\": { \"start\": \"node index.js\" }, \"dependencies\": { \"express\": \"4\" } }\n",
        )
        .write("apps/worker/index.js", "require(\"express\");\n")
        .add(&["."]);
    assert_eq!(
        only(&r, DEV_ONLY, &[]),
        [finding(DEV_ONLY, "apps/api/index.js", "express")]
    );
    let j = r.hookctl(&["check", "--format", "json"]).json();
    let msg = j["findings"][0]["message"].as_str().unwrap().to_string();
    snapshot!(r, "deploy_dev_only_other_package_message", msg);
    r.write("package.json", root(", \"dependencies\": { \"express\": \"4\" }"))
        .add(&["."]);
    assert_eq!(only(&r, DEV_ONLY, &[]), []);
}

/// Cold = warm: the verdict depends on package.json and on `[deps] dev_globs`; editing either
/// between two runs (the second warm) changes the answer.
#[test]
fn editing_package_json_or_dev_globs_between_runs_changes_the_verdict() {
    let r = node_server("");
    r.write("server.js", "module.exports = 1;\n")
        .write("tools/repl.js", "require(\"express\");\n")
        .commit_all("init");
    let all = ["--all-findings"];
    assert_eq!(
        only(&r, DEV_ONLY, &all),
        [finding(DEV_ONLY, "tools/repl.js", "express")]
    );
    r.write("hookctl.toml", "[deps]\ndev_globs = [\"tools/**\"]\n")
        .add(&["."]);
    assert_eq!(only(&r, DEV_ONLY, &all), []);
    r.write("hookctl.toml", "[deps]\ndev_globs = [\"**/*.test.*\"]\n")
        .add(&["."]);
    assert_eq!(only(&r, DEV_ONLY, &all).len(), 1);
    // Moved to dependencies: silent; back to devDependencies: fires again.
    r.write(
        "package.json",
        "{ \"scripts\": { \"start\": \"node server.js\" }, \"dependencies\": { \"express\": \"4\" } }\n",
    )
    .add(&["."]);
    assert_eq!(only(&r, DEV_ONLY, &all), []);
    r.write(
        "package.json",
        "{ \"scripts\": { \"start\": \"node server.js\" }, \"devDependencies\": { \"express\": \"4\" } }\n",
    )
    .add(&["."]);
    assert_eq!(only(&r, DEV_ONLY, &all).len(), 1);
    // A pre-commit on an unrelated change is not blocked by the old finding (new findings only).
    r.commit_all("known");
    r.write("server.js", "module.exports = 2;\n").add(&["server.js"]);
    r.hookctl(&["run", "pre-commit"]).ok().lacks(DEV_ONLY);
}

#[test]
fn dev_globs_are_validated_and_in_the_schema() {
    let r = Repo::new();
    r.write("hookctl.toml", "[deps]\ndev_globs = [\"a/[\"]\n");
    cmd_snapshot!(
        r,
        "deploy_dev_globs_are_validated_and_in_the_schema_1",
        r.hookctl(&["check"])
    );
    r.write("hookctl.toml", "[deps]\ndev_glob = []\n");
    cmd_snapshot!(
        r,
        "deploy_dev_globs_are_validated_and_in_the_schema_2",
        r.hookctl(&["check"])
    );
}

// --- git/clean ---

const CLEAN: &str = "git/clean";

fn deploy_repo() -> Repo {
    let r = Repo::new();
    r.write("hookctl.toml", "[pre-deploy]\n")
        .write("index.js", "require(\"./lib\");\n")
        .write("lib.js", "module.exports = 1;\n")
        .commit_all("init");
    r
}

#[test]
fn git_clean_fires_in_pre_deploy_on_a_modified_tracked_file() {
    let r = deploy_repo();
    cmd_snapshot!(
        r,
        "deploy_git_clean_fires_in_pre_deploy_on_a_modified_tracked_file",
        r.hookctl(&["run", "pre-deploy"])
    );
    r.write("lib.js", "module.exports = 2;\n");
    let run = r.hookctl(&["run", "pre-deploy", "--format", "json"]);
    run.code(1);
    let j = run.json();
    let found: Vec<(&str, &str)> = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["rule"].as_str().unwrap(), f["path"].as_str().unwrap()))
        .collect();
    assert_eq!(found, [(CLEAN, "lib.js")]);
    snapshot!(
        r,
        "deploy_uncommitted_help",
        j["findings"][0]["help"].as_str().unwrap()
    );
    // Staged but not committed is not clean either.
    r.add(&["lib.js"]);
    cmd_snapshot!(
        r,
        "deploy_git_clean_fires_in_pre_deploy_on_a_modified_tracked_file_1",
        r.hookctl(&["run", "pre-deploy"])
    );
    // Committed: clean again.
    r.commit_all("lib 2");
    cmd_snapshot!(
        r,
        "deploy_git_clean_fires_in_pre_deploy_on_a_modified_tracked_file_2",
        r.hookctl(&["run", "pre-deploy"])
    );
}

/// An untracked file that committed code imports: one `git/clean` finding at the import (not a
/// second `imports/untracked` one); an untracked file nobody imports is not a finding.
#[test]
fn git_clean_fires_on_an_untracked_imported_file_once() {
    let r = Repo::new();
    r.write("hookctl.toml", "[pre-deploy]\n")
        .write("index.js", "require(\"./lib\");\n")
        .add(&["index.js", "hookctl.toml"]);
    r.git(&["commit", "-qm", "init", "--no-verify"]).ok();
    r.write("lib.js", "module.exports = 1;\n");
    r.write("notes.txt", "scratch\n");
    let run = r.hookctl(&["run", "pre-deploy", "--format", "json"]);
    run.code(1);
    let j = run.json();
    let found: Vec<(&str, &str, &str)> = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap(),
                f["path"].as_str().unwrap(),
                f["resolved"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(found, [(CLEAN, "index.js", "lib.js")]);
    cmd_snapshot!(
        r,
        "deploy_git_clean_fires_on_an_untracked_imported_file_once",
        r.hookctl(&["run", "pre-deploy"])
    );
    // `git/clean` off: the import is still reported, by `imports/untracked`.
    r.write("hookctl.toml", "[pre-deploy]\n[rules]\n\"git/clean\" = \"off\"\n");
    cmd_snapshot!(
        r,
        "deploy_git_clean_fires_on_an_untracked_imported_file_once_1",
        r.hookctl(&["run", "pre-deploy"])
    );
}

#[test]
fn git_clean_never_runs_in_pre_commit_or_check() {
    let r = deploy_repo();
    r.write("lib.js", "module.exports = 2;\n");
    r.write("index.js", "require(\"./lib\");\nrequire(\"./extra\");\n")
        .write("extra.js", "1;\n")
        .add(&["index.js"]);
    cmd_snapshot!(
        r,
        "deploy_git_clean_never_runs_in_pre_commit_or_check",
        r.hookctl(&["run", "pre-commit"])
    );
    cmd_snapshot!(
        r,
        "deploy_git_clean_never_runs_in_pre_commit_or_check_1",
        r.hookctl(&["check"])
    );
    cmd_snapshot!(
        r,
        "deploy_git_clean_never_runs_in_pre_commit_or_check_2",
        r.hookctl(&["check", "--worktree"])
    );
    // A custom hook runs it only when its `checks` lists `git`.
    r.write(
        "hookctl.toml",
        "[pre-deploy]\n[ci-gate]\nchecks = [\"imports\"]\n",
    );
    cmd_snapshot!(
        r,
        "deploy_git_clean_never_runs_in_pre_commit_or_check_3",
        r.hookctl(&["run", "ci-gate"])
    );
    r.write("hookctl.toml", "[pre-deploy]\n[ci-gate]\nchecks = [\"git\"]\n");
    cmd_snapshot!(
        r,
        "deploy_git_clean_never_runs_in_pre_commit_or_check_4",
        r.hookctl(&["run", "ci-gate"])
    );
    // HOOKCTL_SKIP names it like any rule.
    cmd_snapshot!(
        r,
        "deploy_git_clean_never_runs_in_pre_commit_or_check_5",
        r.hookctl_env(&["run", "pre-deploy"], &[("HOOKCTL_SKIP", "git/clean")], None)
    );
}

#[test]
fn git_clean_runs_in_pre_push() {
    let r = deploy_repo();
    r.bare_remote();
    r.install_shim("pre-push");
    r.write("lib.js", "module.exports = 2;\n");
    cmd_snapshot!(
        r,
        "deploy_git_clean_runs_in_pre_push",
        r.push(&["-q", "origin", "main"])
    );
    r.git(&["checkout", "--", "lib.js"]).ok();
    cmd_snapshot!(
        r,
        "deploy_git_clean_runs_in_pre_push_1",
        r.push(&["-q", "origin", "main"])
    );
    // A pushed commit that imports an untracked file: `imports/untracked` reports it (the
    // pushed commit lacks the file), once; `git/clean` does not repeat it.
    r.write("index.js", "require(\"./lib\");\nrequire(\"./extra\");\n")
        .write("extra.js", "1;\n")
        .add(&["index.js"]);
    r.git(&["commit", "-qm", "extra", "--no-verify"]).ok();
    cmd_snapshot!(
        r,
        "deploy_git_clean_runs_in_pre_push_2",
        r.push(&["-q", "origin", "main"])
    );
}

// --- hookctl run pre-deploy ---

/// PATH with a `node` that prints `version` first (the running-Node check must not depend on
/// the machine's Node).
fn with_node(r: &Repo, version: &str) -> String {
    use std::os::unix::fs::PermissionsExt;
    let dir = r.sibling("node-bin");
    std::fs::create_dir_all(&dir).unwrap();
    let node = dir.join("node");
    std::fs::write(&node, format!("#!/bin/sh\necho {version}\n")).unwrap();
    std::fs::set_permissions(&node, std::fs::Permissions::from_mode(0o755)).unwrap();
    format!("{}:{}", dir.display(), std::env::var("PATH").unwrap_or_default())
}

/// The table from `hookctl: pre-deploy summary` to the end, timings replaced.
fn table(stderr: &str) -> String {
    let at = stderr
        .find("hookctl: pre-deploy summary")
        .unwrap_or_else(|| panic!("no summary table:\n{stderr}"));
    // `{status:<7}  {time:>8}`: the padding before a time depends on its width.
    let re = regex::Regex::new(r"(ok|failed|skipped) +\d+\.\d\ds").unwrap();
    re.replace_all(&stderr[at..], |c: &regex::Captures| {
        format!("{:<7}  {:>8}", &c[1], "[TIME]")
    })
    .into_owned()
}

#[test]
fn pre_deploy_on_a_ready_app_exits_0_with_the_table() {
    let r = Repo::fixture("deploy-app");
    r.commit_all("init");
    let path = with_node(&r, "v20.11.1");
    let run = r.hookctl_env(&["run", "pre-deploy"], &[("PATH", &path), ("LC_ALL", "C")], None);
    run.ok();
    snapshot!(r, "pre_deploy_ready_table", table(&run.stderr));
}

#[test]
fn pre_deploy_on_a_broken_app_exits_1_naming_each_failed_item() {
    let r = Repo::fixture("deploy-app");
    r.commit_all("init");
    // express moved to devDependencies (staged), an edit left uncommitted, a failing lint,
    // and a Node outside `engines.node`.
    let pkg = r.read("package.json").replace(
        "\"dependencies\": {\n    \"express\": \"^4.19.2\"\n  },\n  \"devDependencies\": {\n",
        "\"devDependencies\": {\n    \"express\": \"^4.19.2\",\n",
    );
    assert!(
        pkg.contains("\"express\": \"^4.19.2\",\n    \"supertest\""),
        "{pkg}"
    );
    r.write("package.json", pkg).add(&["package.json"]);
    r.write(
        "src/db.js",
        "module.exports.db = process.env.DATABASE_URL || \"sqlite\";\n",
    );
    let path = with_node(&r, "v23.1.0");
    let run = r.hookctl_env(
        &["run", "pre-deploy"],
        &[("PATH", &path), ("LC_ALL", "C"), ("FAIL_LINT", "1")],
        None,
    );
    // Jobs run at the same time: shown in any order.
    snapshot!(
        r,
        "deploy_pre_deploy_on_a_broken_app_exits_1_naming_each_failed_item",
        jobs_sorted(&run.shown())
    );
    snapshot!(r, "pre_deploy_broken_table", table(&run.stderr));
    // Skipped items say so.
    let run = r.hookctl_env(
        &["run", "pre-deploy"],
        &[("PATH", &path), ("LC_ALL", "C"), ("HOOKCTL_SKIP", "git,lint")],
        None,
    );
    snapshot!(r, "pre_deploy_skipped_table", table(&run.stderr));
    // `fail_fast`: the built-ins failed, no job starts, each is in the table as not run.
    let cfg = r
        .read("hookctl.toml")
        .replace("[pre-deploy]\n", "[pre-deploy]\nfail_fast = true\n");
    r.write("hookctl.toml", cfg);
    let run = r.hookctl_env(&["run", "pre-deploy"], &[("PATH", &path), ("LC_ALL", "C")], None);
    run.code(1);
    snapshot!(r, "pre_deploy_fail_fast_table", table(&run.stderr));
}

// --- init --preset pre-deploy ---

fn validates(text: &str) {
    config_parses(text);
    let schema = hookctl::config::json_schema();
    let v = jsonschema::validator_for(&schema).unwrap();
    let value: serde_json::Value = toml::from_str(text).unwrap();
    let errors: Vec<String> = v.iter_errors(&value).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}\n{text}");
}

fn config_parses(text: &str) -> hookctl::config::Config {
    hookctl::config::parse(Path::new("hookctl.toml"), text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

#[test]
fn init_preset_pre_deploy_writes_the_whole_script() {
    let r = Repo::new();
    r.write(
        "package.json",
        "{ \"name\": \"api\", \"scripts\": { \"start\": \"node dist/server.js\", \"build\": \"tsc\", \"lint\": \"eslint .\" },\n  \"dependencies\": { \"express\": \"4\" },\n  \"devDependencies\": { \"typescript\": \"5\", \"eslint\": \"9\", \"vitest\": \"1\", \"@vitest/coverage-v8\": \"1\" } }\n",
    )
    // In sync with package.json, or `deps/lockfile-drift` would rightly refuse the deploy.
    .write(
        "package-lock.json",
        "{ \"lockfileVersion\": 3, \"packages\": { \"\": {}, \"node_modules/express\": { \"version\": \"4.21.2\" }, \"node_modules/typescript\": { \"version\": \"5.6.3\" }, \"node_modules/eslint\": { \"version\": \"9.14.0\" }, \"node_modules/vitest\": { \"version\": \"1.6.0\" }, \"node_modules/@vitest/coverage-v8\": { \"version\": \"1.6.0\" } } }\n",
    )
    .write("tsconfig.json", "{}\n")
    .write("eslint.config.mjs", "export default [];\n");
    r.hookctl(&["init", "--preset", "pre-deploy"]).ok();
    let text = r.read("hookctl.toml");
    validates(&text);
    snapshot!(r, "init_preset_pre_deploy", &text);
    let c = config_parses(&text);
    let jobs: Vec<&str> = c.hooks["pre-deploy"]
        .jobs
        .iter()
        .map(|j| j.name.as_str())
        .collect();
    assert_eq!(jobs, ["types", "lint", "test", "build", "audit"]);
    assert!(c.hooks["pre-deploy"].jobs[3].clean);
    // The written hook runs (jobs skipped here: the tools are not installed).
    r.commit_all("init");
    let out = r.hookctl_env(
        &["run", "pre-deploy"],
        &[("HOOKCTL_SKIP", "types,lint,test,build,audit")],
        None,
    );
    cmd_snapshot!(r, "deploy_init_preset_pre_deploy_writes_the_whole_script_1", out);
    // A second `--preset` does not add a second hook.
    cmd_snapshot!(
        r,
        "deploy_init_preset_pre_deploy_writes_the_whole_script_2",
        r.hookctl(&["init", "--preset", "pre-deploy"])
    );
}

/// Only tools that are there: jest's threshold flag with pnpm's audit; a bare repo gets no jobs
/// at all; an existing config gets the hook appended.
#[test]
fn init_preset_writes_jobs_only_for_tools_that_exist() {
    let r = Repo::new();
    r.write(
        "package.json",
        "{ \"name\": \"api\", \"scripts\": { \"test\": \"jest\" }, \"devDependencies\": { \"jest\": \"29\" } }\n",
    )
    .write("pnpm-lock.yaml", "lockfileVersion: '9.0'\n")
    .write("hookctl.toml", "[pre-commit]\nchecks = [\"imports\"]\n");
    r.hookctl(&["init", "--preset", "pre-deploy"]).ok();
    let text = r.read("hookctl.toml");
    validates(&text);
    assert!(
        text.starts_with("[pre-commit]\nchecks = [\"imports\"]\n"),
        "{text}"
    );
    let c = config_parses(&text);
    let runs: Vec<&str> = c.hooks["pre-deploy"]
        .jobs
        .iter()
        .map(|j| j.run.as_str())
        .collect();
    assert_eq!(
        runs,
        [
            "jest --coverage --coverageThreshold='{\"global\":{\"lines\":80}}'",
            "pnpm audit --audit-level high"
        ]
    );

    let bare = Repo::new();
    bare.write("package.json", "{ \"name\": \"x\" }\n");
    bare.hookctl(&["init", "--preset", "pre-deploy"]).ok();
    let text = bare.read("hookctl.toml");
    validates(&text);
    assert!(config_parses(&text).hooks["pre-deploy"].jobs.is_empty(), "{text}");
    snapshot!(bare, "deploy_preset_without_a_package_manager", text);

    let berry = Repo::new();
    berry
        .write(
            "package.json",
            "{ \"name\": \"x\", \"packageManager\": \"yarn@4.1.0\" }\n",
        )
        .write("yarn.lock", "__metadata:\n  version: 8\n");
    berry.hookctl(&["init", "--preset", "pre-deploy"]).ok();
    snapshot!(berry, "deploy_preset_yarn_berry", berry.read("hookctl.toml"));
}
