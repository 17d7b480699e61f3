//! `node/version`: Node version files against the root `engines.node` and each other, each
//! case with its silent twin; the running `node` in `hookctl run pre-deploy`.

use std::os::unix::fs::PermissionsExt;

use crate::common::*;

use crate::common::{check_findings, finding as f};

fn node_findings(r: &Repo) -> Vec<(String, String, String)> {
    check_findings(r, &[])
        .into_iter()
        .filter(|(rule, _, _)| rule == "node/version")
        .collect()
}

fn app(engines: &str) -> Repo {
    let r = Repo::new();
    r.write(
        "package.json",
        format!("{{\n  \"name\": \"app\",\n  \"engines\": {{ \"node\": \"{engines}\" }}\n}}\n"),
    );
    r
}

/// Each version file kind, in range (silent) and out of range (error on line 1 / its line).
#[test]
fn each_version_file_in_and_out_of_range() {
    let cases: &[(&str, &str, &str, u64)] = &[
        (".nvmrc", "20.11.1\n", "16.20.2\n", 1),
        (".nvmrc", "v20\n", "v21\n", 1),
        (".node-version", "18.19.0\n", "22.1.0\n", 1),
        (
            ".tool-versions",
            "python 3.12.1\nnodejs 20.11.1\n",
            "python 3.12.1\nnodejs 21.6.0\n",
            2,
        ),
        (".tool-versions", "node 19.9.0\n", "node 17.9.1\n", 1),
    ];
    for (file, good, bad, line) in cases {
        let r = app(">=18 <21");
        r.write("index.js", "module.exports = 1;\n");
        r.write(file, good);
        r.git(&["add", "-A"]).ok();
        assert_eq!(node_findings(&r), [], "{file} {good}");
        r.write(file, bad);
        r.git(&["add", "-A"]).ok();
        let got = node_findings(&r);
        assert_eq!(got.len(), 1, "{file} {bad}: {got:?}");
        assert_eq!((got[0].0.as_str(), got[0].1.as_str()), ("node/version", *file));
        let j = r.hookctl(&["check", "--format", "json"]).json();
        let finding = j["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["rule"] == "node/version")
            .unwrap();
        assert_eq!(finding["line"].as_u64(), Some(*line), "{file}");
        assert!(
            finding["help"]
                .as_str()
                .unwrap()
                .contains(&format!("change `{file}`")),
            "{finding}"
        );
    }
}

#[test]
fn volta_in_and_out_of_range_on_the_volta_line() {
    let r = Repo::new();
    let pkg = |v: &str| {
        format!(
            "{{\n  \"name\": \"app\",\n  \"engines\": {{ \"node\": \"^20.10\" }},\n  \"volta\": {{\n    \"node\": \"{v}\"\n  }}\n}}\n"
        )
    };
    r.write("package.json", pkg("20.11.1"));
    r.git(&["add", "-A"]).ok();
    assert_eq!(node_findings(&r), []);
    r.write("package.json", pkg("20.9.0"));
    r.git(&["add", "-A"]).ok();
    assert_eq!(node_findings(&r).len(), 1);
    let j = r.hookctl(&["check", "--format", "json"]).json();
    assert_eq!(j["findings"][0]["path"], "package.json");
    assert_eq!(j["findings"][0]["line"].as_u64(), Some(4));
}

#[test]
fn nvmrc_and_volta_disagreeing() {
    let r = Repo::new();
    r.write(
        "package.json",
        "{\n  \"name\": \"app\",\n  \"volta\": { \"node\": \"20.11.1\" }\n}\n",
    );
    r.write(".nvmrc", "20.11.1\n");
    r.git(&["add", "-A"]).ok();
    assert_eq!(node_findings(&r), []);
    // A partial version that covers the exact one agrees.
    r.write(".nvmrc", "20\n");
    r.git(&["add", "-A"]).ok();
    assert_eq!(node_findings(&r), []);
    r.write(".nvmrc", "20.10.0\n");
    r.git(&["add", "-A"]).ok();
    let got = node_findings(&r);
    assert_eq!(got.len(), 1, "{got:?}");
    cmd_snapshot!(
        r,
        "node_version_nvmrc_and_volta_disagreeing",
        r.hookctl(&["check"])
    );
}

#[test]
fn aliases_never_error_and_codenames_are_their_major() {
    for alias in ["node", "latest", "lts/*", "stable", "system", "lts/iron"] {
        let r = app(">=20 <21");
        r.write(".nvmrc", format!("{alias}\n"));
        r.write(".node-version", "20.11.1\n");
        r.git(&["add", "-A"]).ok();
        assert_eq!(node_findings(&r), [], "{alias}");
    }
    // A codename outside the range is its major outside the range.
    let r = app(">=20 <21");
    r.write(".nvmrc", "lts/hydrogen\n");
    r.git(&["add", "-A"]).ok();
    assert_eq!(
        node_findings(&r),
        [f("node/version", ".nvmrc", "lts/hydrogen >=20 <21")]
    );
}

#[test]
fn npm_range_forms() {
    for (range, inside, outside) in [
        ("20.x", "20.5.0", "21.0.0"),
        ("18.x || 20.x", "18.19.0", "19.9.0"),
        ("^20.10", "20.10.0", "20.9.0"),
        (">=18.17.0", "22.0.0", "18.16.1"),
    ] {
        let r = app(range);
        r.write(".nvmrc", inside);
        r.git(&["add", "-A"]).ok();
        assert_eq!(node_findings(&r), [], "{range} {inside}");
        r.write(".nvmrc", outside);
        r.git(&["add", "-A"]).ok();
        assert_eq!(node_findings(&r).len(), 1, "{range} {outside}");
    }
}

#[test]
fn a_real_commit_changing_only_nvmrc_is_blocked() {
    let r = app(">=18 <21");
    r.write("index.js", "module.exports = 1;\n");
    r.write(".nvmrc", "20\n");
    r.git(&["add", "-A"]).ok();
    r.git(&["commit", "-qm", "init"]).ok();
    r.hookctl(&["install"]).ok();
    r.write(".nvmrc", "22\n");
    r.add(&[".nvmrc"]);
    let run = r.commit(&["-m", "node 22"]);
    assert_ne!(run.code, 0, "{}", run.all());
    cmd_snapshot!(
        r,
        "node_version_a_real_commit_changing_only_nvmrc_is_blocked",
        run
    );
    r.write(".nvmrc", "18\n");
    r.add(&[".nvmrc"]);
    r.commit(&["-m", "node 18"]).ok();
}

/// A fake `node` printing `version`, alone in a folder put first on PATH.
fn fake_node(r: &Repo, version: &str) -> String {
    let dir = r.sibling("fake-node-bin");
    std::fs::create_dir_all(&dir).unwrap();
    let node = dir.join("node");
    std::fs::write(&node, format!("#!/bin/sh\necho {version}\n")).unwrap();
    std::fs::set_permissions(&node, std::fs::Permissions::from_mode(0o755)).unwrap();
    format!("{}:{}", dir.display(), std::env::var("PATH").unwrap_or_default())
}

#[test]
fn pre_deploy_checks_the_running_node() {
    let r = app(">=18 <21");
    r.write("hookctl.toml", "[pre-deploy]\nchecks = [\"files\"]\n");
    r.write("index.js", "module.exports = 1;\n");
    r.git(&["add", "-A"]).ok();
    r.git(&["commit", "-qm", "init"]).ok();
    let path = fake_node(&r, "v20.11.1");
    r.hookctl_env(&["run", "pre-deploy"], &[("PATH", &path)], None)
        .ok()
        .lacks("node/version");
    let path = fake_node(&r, "v22.3.0");
    cmd_snapshot!(
        r,
        "node_version_pre_deploy_checks_the_running_node_1",
        r.hookctl_env(&["run", "pre-deploy"], &[("PATH", &path)], None)
    );
    // pre-commit never runs node.
    r.hookctl_env(&["run", "pre-commit"], &[("PATH", &path)], None)
        .ok()
        .lacks("node/version");
    // No node on PATH: a note, nothing blocks.
    let empty = r.sibling("empty-bin");
    std::fs::create_dir_all(&empty).unwrap();
    cmd_snapshot!(
        r,
        "node_version_pre_deploy_checks_the_running_node_2",
        r.hookctl_env(&["run", "pre-deploy"], &[("PATH", empty.to_str().unwrap())], None)
    );
}
