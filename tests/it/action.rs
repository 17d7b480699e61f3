//! `action.yml`, the composite GitHub Action, run the way the runner runs it: each step's `run`
//! script with `bash --noprofile --norc -eo pipefail`, its `env` with the `${{ … }}` expressions
//! substituted, `GITHUB_PATH`/`GITHUB_OUTPUT` files and `RUNNER_TEMP`, in a repository whose
//! `node_modules/.bin/hookctl` is this build (the action's "already a dev dependency" branch; the
//! other branch installs the published npm package, which needs the registry).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use serde::Deserialize;

use crate::common::{BIN, Repo, git_cmd};
use crate::snapshot;

#[derive(Deserialize)]
struct Action {
    inputs: BTreeMap<String, Input>,
    runs: Runs,
}

#[derive(Deserialize)]
struct Input {
    #[serde(default)]
    default: String,
}

#[derive(Deserialize)]
struct Runs {
    using: String,
    steps: Vec<Step>,
}

#[derive(Deserialize)]
struct Step {
    id: Option<String>,
    shell: String,
    run: String,
    #[serde(default)]
    env: BTreeMap<String, String>,
    #[serde(rename = "working-directory")]
    working_directory: Option<String>,
}

/// What one run of the action left: the check step's output, the exit code it reported through
/// `GITHUB_OUTPUT`, and the process exit code of the last step run.
struct ActionRun {
    stdout: String,
    stderr: String,
    exit_code_output: Option<String>,
    code: i32,
}

/// The check step's stdout after its first line, `hookctl <version>`, which it must start with.
#[track_caller]
fn after_version(stdout: &str) -> &str {
    let (first, rest) = stdout.split_once('\n').unwrap_or((stdout, ""));
    assert!(
        first.starts_with("hookctl "),
        "--version is printed first: {stdout}"
    );
    rest
}

fn load() -> Action {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("action.yml")).unwrap();
    serde_saphyr::from_str(&text).expect("action.yml parses")
}

/// Replace the `${{ … }}` expressions the action uses; any other expression fails the test (a
/// new one must be taught here).
fn expand(text: &str, inputs: &BTreeMap<String, String>, base_ref: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("${{") {
        out.push_str(&rest[..at]);
        let end = rest[at..].find("}}").expect("an unclosed ${{") + at;
        let expr = rest[at + 3..end].trim();
        let value = if let Some(name) = expr.strip_prefix("inputs.") {
            inputs
                .get(name)
                .unwrap_or_else(|| panic!("no input `{name}`"))
                .clone()
        } else if expr == "github.base_ref" {
            base_ref.to_string()
        } else {
            panic!("action.yml uses `${{{{ {expr} }}}}`, which this test does not know")
        };
        out.push_str(&value);
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

/// Run the action's steps in `repo` with these inputs (others at their defaults).
#[expect(
    clippy::too_many_lines,
    reason = "a runner for action.yml's steps, as GitHub runs them"
)]
fn run_action(repo: &Repo, given: &[(&str, &str)], base_ref: &str) -> ActionRun {
    let action = load();
    assert_eq!(action.runs.using, "composite");
    let mut inputs: BTreeMap<String, String> = action
        .inputs
        .iter()
        .map(|(k, v)| (k.clone(), v.default.clone()))
        .collect();
    for (k, v) in given {
        assert!(inputs.contains_key(*k), "action.yml has no input `{k}`");
        inputs.insert(k.to_string(), v.to_string());
    }
    let runner = repo.sibling("runner");
    std::fs::create_dir_all(runner.join("temp")).unwrap();
    let gh_path = runner.join("path");
    let gh_output = runner.join("output");
    std::fs::write(&gh_path, "").unwrap();
    std::fs::write(&gh_output, "").unwrap();
    // A PATH without any hookctl: the action must put one there itself.
    let base_path: Vec<String> = std::env::var("PATH")
        .unwrap_or_default()
        .split(':')
        .filter(|d| !Path::new(d).join("hookctl").exists())
        .map(str::to_string)
        .collect();
    let mut last = None;
    for step in &action.runs.steps {
        assert_eq!(step.shell, "bash");
        let added: Vec<String> = std::fs::read_to_string(&gh_path)
            .unwrap()
            .lines()
            .rev()
            .map(str::to_string)
            .collect();
        let path = added
            .iter()
            .chain(&base_path)
            .cloned()
            .collect::<Vec<_>>()
            .join(":");
        let dir = repo.root.join(expand(
            step.working_directory.as_deref().unwrap_or("."),
            &inputs,
            base_ref,
        ));
        // git's clean test environment (no user config, no outer hook's variables), for bash.
        let clean = git_cmd(&dir);
        let mut c = Command::new("bash");
        c.current_dir(&dir);
        for (k, v) in clean.get_envs() {
            match v {
                Some(v) => c.env(k, v),
                None => c.env_remove(k),
            };
        }
        c.args(["--noprofile", "--norc", "-eo", "pipefail", "-c", &step.run])
            .env("PATH", path)
            .env("GITHUB_PATH", &gh_path)
            .env("GITHUB_OUTPUT", &gh_output)
            .env("RUNNER_TEMP", runner.join("temp"));
        for (k, v) in &step.env {
            c.env(k, expand(v, &inputs, base_ref));
        }
        let out = c.output().unwrap();
        let code = out.status.code().unwrap_or(-1);
        last = Some(ActionRun {
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            exit_code_output: None,
            code,
        });
        if code != 0 {
            // The runner stops at a failed step.
            assert!(
                step.id.as_deref() == Some("check"),
                "step failed: {}",
                last.as_ref().unwrap().stderr
            );
            break;
        }
    }
    let mut run = last.expect("action.yml has steps");
    run.exit_code_output = std::fs::read_to_string(&gh_output)
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("exit-code=").map(str::to_string));
    run
}

/// A repository with an old finding (`app/old.ts`) in its first commit, and `hookctl` as a dev
/// dependency (`node_modules/.bin/hookctl`, git-ignored).
fn repo() -> Repo {
    let r = Repo::new();
    r.write(".gitignore", "node_modules/\n")
        .write("package.json", "{\"name\": \"app\", \"private\": true}\n")
        .write("app/home.ts", "export const home = 1;\n")
        .write(
            "app/old.ts",
            "import { gone } from \"../lib/gone\";\nexport const old = gone;\n",
        )
        .commit_all("first");
    std::fs::create_dir_all(r.path("node_modules/.bin")).unwrap();
    std::os::unix::fs::symlink(BIN, r.path("node_modules/.bin/hookctl")).unwrap();
    r
}

#[test]
fn the_action_annotates_only_the_new_findings_of_a_push_and_fails() {
    let r = repo();
    r.write(
        "app/page.ts",
        "import { slug } from \"../lib/slug\";\nexport const page = slug;\n",
    )
    .commit_all("page");
    let run = run_action(&r, &[], "");
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.exit_code_output.as_deref(), Some("1"));
    // The annotation of app/page.ts only: the baseline (the commit before) already had
    // app/old.ts's finding.
    snapshot!(r, "action_push_annotations", after_version(&run.stdout));
}

#[test]
fn the_action_passes_a_clean_commit() {
    let r = repo();
    r.write(
        "app/about.ts",
        "import { home } from \"./home\";\nexport const about = home;\n",
    )
    .commit_all("about");
    let run = run_action(&r, &[], "");
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.exit_code_output.as_deref(), Some("0"));
    snapshot!(r, "action_clean_commit", after_version(&run.stdout));
}

#[test]
fn the_action_takes_a_pull_requests_base_as_baseline_and_writes_sarif() {
    let r = repo();
    let bare = r.bare_remote();
    r.git(&["push", "-q", "origin", "main"]).ok();
    r.git(&["fetch", "-q", "origin"]).ok();
    r.git(&["checkout", "-q", "-b", "feature"]).ok();
    r.write(
        "app/a.ts",
        "import { a } from \"../lib/a\";\nexport const x = a;\n",
    )
    .commit_all("a");
    r.write(
        "app/b.ts",
        "import { b } from \"../lib/b\";\nexport const y = b;\n",
    )
    .commit_all("b");
    let run = run_action(&r, &[("sarif-file", "hookctl.sarif")], "main");
    assert!(bare.exists());
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    // Both commits of the pull request count (origin/main is the baseline, not HEAD~1).
    snapshot!(r, "action_pull_request_annotations", after_version(&run.stdout));
    let sarif: serde_json::Value = serde_json::from_str(&r.read("hookctl.sarif")).expect("SARIF is JSON");
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2, "{sarif:#}");
}

#[test]
fn the_action_in_a_sub_folder_and_with_an_explicit_baseline() {
    let r = Repo::new();
    r.write("web/.gitignore", "node_modules/\n")
        .write("web/package.json", "{\"name\": \"web\", \"private\": true}\n")
        .write(
            "web/app/old.ts",
            "import { gone } from \"../lib/gone\";\nexport const old = gone;\n",
        )
        .commit_all("first");
    std::fs::create_dir_all(r.path("web/node_modules/.bin")).unwrap();
    std::os::unix::fs::symlink(BIN, r.path("web/node_modules/.bin/hookctl")).unwrap();
    r.write(
        "web/app/new.ts",
        "import { n } from \"../lib/n\";\nexport const x = n;\n",
    )
    .commit_all("second");
    // The baseline input wins over the commit before (here the same commit: the first one).
    let first = r
        .git(&["rev-list", "--max-parents=0", "HEAD"])
        .stdout
        .trim()
        .to_string();
    let run = run_action(
        &r,
        &[
            ("working-directory", "web"),
            ("baseline", &first),
            ("format", "json"),
        ],
        "",
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout[run.stdout.find('{').unwrap()..]).unwrap();
    let paths: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["web/app/new.ts"], "{json:#}");
}
