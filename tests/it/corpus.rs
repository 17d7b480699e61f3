//! Recall and precision on synthetic monorepos from `../shared/gen-corpus/gen.py`: every planted
//! defect is found at its file, line and specifier/name, and nothing else is reported.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

use crate::common::*;

fn gen_py() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/gen-corpus/gen.py");
    let why = format!("the corpus generator {} is not beside the clone", p.display());
    prerequisite(p.is_file().then_some(p), "HOOKCTL_REQUIRE_CORPUS", &why)
}

type Key = (String, String, u64, String);

/// Planted findings of the manifest, as (rule, path, line, specifier-or-name), for the given rules.
fn planted(manifest: &serde_json::Value, rules: &[&str]) -> BTreeSet<Key> {
    manifest["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| {
            let rule = match f["kind"].as_str().unwrap() {
                "import-untracked" | "import-deleted-from-index" => "imports/untracked",
                "import-case-mismatch" => "imports/case-mismatch",
                "undeclared-package" => "imports/undeclared-dependency",
                "env-missing-from-example" => "env/undeclared",
                other => panic!("unknown planted kind {other}"),
            };
            let path = f.get("importer").or(f.get("file"))?.as_str()?.to_string();
            let what = f.get("specifier").or(f.get("var"))?.as_str()?.to_string();
            Some((rule.to_string(), path, f["line"].as_u64()?, what))
        })
        .filter(|k| rules.contains(&k.0.as_str()))
        .collect()
}

/// Every finding of the report, whatever its rule (anything unplanted is a false positive).
fn found(report: &serde_json::Value) -> BTreeSet<Key> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let what = if f["rule"] == "env/undeclared" {
                &f["name"]
            } else {
                &f["specifier"]
            };
            (
                f["rule"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                what.as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn planted_import_and_env_defects_are_all_found_and_nothing_else() {
    let Some(gen_py) = gen_py() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("corpus");
    let manifest = tmp.path().join("manifest.json");
    let out = Command::new("python3")
        .arg(&gen_py)
        .args(["--files", "2000", "--seed", "11", "--plant", "--k", "4", "--out"])
        .arg(&repo)
        .arg("--manifest")
        .arg(&manifest)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "gen.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let manifest: serde_json::Value = serde_json::from_slice(&std::fs::read(&manifest).unwrap()).unwrap();
    let r = Repo::new();
    let run = r.hookctl_in(&repo, &["check", "--all-findings", "--format", "json"], None);
    run.code(1);
    let report = run.json();
    let rules = [
        "imports/untracked",
        "imports/case-mismatch",
        "imports/undeclared-dependency",
        "env/undeclared",
    ];
    let want = planted(&manifest, &rules);
    assert_eq!(want.len(), 20, "4 of each kind are planted");
    let got = found(&report);
    let missed: Vec<_> = want.difference(&got).collect();
    let extra: Vec<_> = got.difference(&want).collect();
    assert!(
        missed.is_empty() && extra.is_empty(),
        "missed: {missed:#?}\nextra: {extra:#?}"
    );
}
