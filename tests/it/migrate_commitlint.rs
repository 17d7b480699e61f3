//! `hookctl migrate` of commitlint configurations (JS, TS, JSON, YAML, package.json) into
//! `[commit]`: the written config refuses what commitlint refused and records its twin, and
//! what could not be mapped is said.

use crate::common::*;

fn migrated(files: &[(&str, &str)]) -> (Repo, Run) {
    let r = Repo::new();
    r.write("package.json", r#"{"name":"app","private":true}"#)
        .write(".husky/commit-msg", "npx --no -- commitlint --edit \"$1\"\n")
        .write("a.txt", "a\n");
    for (path, text) in files {
        r.write(path, text);
    }
    let run = r.hookctl(&["migrate"]);
    (r, run)
}

#[test]
fn a_ts_config_with_conventional_types_length_and_references() {
    let (r, run) = migrated(&[(
        "commitlint.config.ts",
        r#"import type { UserConfig } from "@commitlint/types";
import { RuleConfigSeverity } from "@commitlint/types";

const Configuration: UserConfig = {
  extends: ["@commitlint/config-conventional"],
  parserPreset: { parserOpts: { issuePrefixes: ["PROJ-"] } },
  rules: {
    // Our types only.
    "type-enum": [RuleConfigSeverity.Error, "always", ["feat", "fix", "chore"]],
    "header-max-length": [2, "always", 72],
    "references-empty": [RuleConfigSeverity.Error, "never"],
    "subject-case": [2, "never", ["sentence-case", "start-case"]],
  },
};

export default Configuration;
"#,
    )]);
    cmd_snapshot!(r, "migrate_commitlint_ts", run);
    snapshot!(r, "migrate_commitlint_ts_config", r.read("hookctl.toml"));
    // The hook does what commitlint did: refuses, then records the twin.
    r.git(&["config", "core.hooksPath", ".husky"]).ok();
    r.hookctl(&["migrate", "--yes", "--force"]).ok();
    r.add(&["a.txt"]);
    let refused = r.commit(&["-q", "-m", "docs: PROJ-1 a type that is not listed"]);
    assert_eq!(refused.code, 1, "{}", refused.all());
    cmd_snapshot!(
        r,
        "migrate_commitlint_a_ts_config_with_conventional_types_length_and_references",
        refused
    );
    let no_ticket = r.commit(&["-q", "-m", "feat: no reference"]);
    assert_eq!(no_ticket.code, 1, "{}", no_ticket.all());
    r.commit(&["-q", "-m", "feat: PROJ-7 add the page"]).ok();
}

#[test]
fn json_yaml_and_package_json_configs() {
    let (r, _) = migrated(&[(
        ".commitlintrc.json",
        r#"{ "extends": ["@commitlint/config-conventional"], "rules": { "header-max-length": [1, "always", 50] } }"#,
    )]);
    let text = r.read("hookctl.toml");
    assert!(
        text.contains("\"commit/message\" = \"error\"\n") && text.contains("max_subject_length = 50\n"),
        "{text}"
    );
    assert!(
        !text.contains("[commit-msg]"),
        "the commitlint job is replaced:\n{text}"
    );
    let (r, _) = migrated(&[(
        ".commitlintrc.yaml",
        "rules:\n  header-max-length: [1, always, 60]\n  body-max-line-length: [2, always, 100]\n",
    )]);
    snapshot!(r, "migrate_commitlint_yaml_config", r.read("hookctl.toml"));
    let (r, _) = migrated(&[(
        "package.json",
        r#"{"name":"app","commitlint":{"extends":["@commitlint/config-angular"]}}"#,
    )]);
    let text = r.read("hookctl.toml");
    assert!(
        text.contains("max_subject_length = 72") && text.contains("\"perf\""),
        "{text}"
    );
}

#[test]
fn a_config_that_needs_running_is_explained_not_guessed() {
    let (r, run) = migrated(&[(
        "commitlint.config.js",
        "const types = require('./types');\nmodule.exports = { rules: { 'type-enum': [2, 'always', types] } };\n",
    )]);
    cmd_snapshot!(r, "migrate_commitlint_js_dynamic", run);
    // The commitlint job is kept, since nothing replaces it.
    assert!(r.read("hookctl.toml").contains("commitlint --edit"));
}
