//! `deps/lockfile-drift` on real lockfiles made by npm, pnpm, yarn 1 and yarn 4
//! (`fixtures/lockfiles/make.sh`): the in-sync fixtures stay silent, and each drift the managers'
//! own frozen installs refused (`fixtures/lockfiles/VERIFIED.txt`) is reported — at a real
//! `git commit` through the hook too.

use crate::common::*;

const RULE: &str = "deps/lockfile-drift";

fn lock_repo(manager: &str, case: &str) -> Repo {
    let r = Repo::fixture(&format!("lockfiles/{manager}/{case}"));
    r.write("src/index.js", "module.exports = require('tiny');\n");
    r
}

fn drift(r: &Repo, args: &[&str]) -> Vec<(String, String, String)> {
    check_findings(r, args)
        .into_iter()
        .filter(|(rule, _, _)| rule == RULE || rule == "files/unreadable")
        .collect()
}

/// Set `field.name` to `spec` in a package.json (key order is not kept; nothing here needs it).
fn edit(r: &Repo, manifest: &str, field: &str, name: &str, spec: &str) {
    let mut j: serde_json::Value = serde_json::from_str(&r.read(manifest)).unwrap();
    j[field][name] = serde_json::Value::String(spec.to_string());
    r.write(manifest, serde_json::to_string_pretty(&j).unwrap() + "\n");
}

fn lockfile_of(manager: &str) -> &'static str {
    match manager {
        "npm" => "package-lock.json",
        "pnpm" => "pnpm-lock.yaml",
        _ => "yarn.lock",
    }
}

const MANAGERS: [&str; 4] = ["npm", "pnpm", "yarn1", "berry"];

#[test]
fn in_sync_fixtures_are_silent() {
    for manager in MANAGERS {
        for case in ["single", "workspace"] {
            let r = lock_repo(manager, case);
            r.git(&["add", "-A"]).ok();
            assert_eq!(drift(&r, &["--all-findings"]), [], "{manager} {case}");
        }
    }
}

/// Every line of VERIFIED.txt: the same edit, staged, is reported exactly when the manager's
/// frozen install refused it. One deliberate difference: yarn 1 does not fail a frozen install
/// when only a workspace package's manifest drifted (yarn issue 5840) but installs unlocked
/// versions; that drift is reported.
#[test]
fn verdicts_follow_the_managers_frozen_installs() {
    let verified = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/lockfiles/VERIFIED.txt"
    ))
    .unwrap();
    let mut seen = 0;
    for line in verified.lines().filter(|l| !l.starts_with('#') && !l.is_empty()) {
        let words: Vec<&str> = line.split_whitespace().collect();
        let [manager, case, variant, "->", result] = words[..] else {
            panic!("bad line {line}")
        };
        let r = lock_repo(manager, case);
        let manifest = if case == "workspace" {
            "packages/a/package.json"
        } else {
            "package.json"
        };
        match variant {
            "added" => edit(&r, manifest, "dependencies", "extra", "^1.0.0"),
            "bumped" => edit(&r, manifest, "dependencies", "tiny", "^2.0.0"),
            "respelled" => edit(&r, manifest, "dependencies", "tiny", "^1.1.0"),
            "peer" => edit(&r, manifest, "peerDependencies", "extra", "^1.0.0"),
            "in-sync" => {}
            other => panic!("unknown variant {other}"),
        }
        r.git(&["add", "-A"]).ok();
        let found = drift(&r, &["--all-findings"]);
        let yarn1_workspace_bug =
            manager == "yarn1" && case == "workspace" && !matches!(variant, "in-sync" | "peer");
        let expected = result == "fails" || yarn1_workspace_bug;
        assert_eq!(!found.is_empty(), expected, "{line}: {found:?}");
        if expected {
            let name = if matches!(variant, "added" | "peer") {
                "extra"
            } else {
                "tiny"
            };
            assert_eq!(found, [finding(RULE, manifest, name)], "{line}");
        }
        seen += 1;
    }
    assert_eq!(seen, 40, "4 managers x 2 cases x 5 variants");
}

#[test]
fn added_to_package_json_only_is_refused_at_a_real_commit() {
    for manager in MANAGERS {
        let r = lock_repo(manager, "single");
        r.commit_all("init");
        r.install_shim("pre-commit");
        let before = r.read("package.json");
        r.write(
            "package.json",
            before.replacen(
                "\"dependencies\": {",
                "\"dependencies\": {\n    \"extra\": \"^1.0.0\",",
                1,
            ),
        );
        r.add(&["package.json"]);
        let run = r.commit(&["-m", "add extra"]);
        assert_ne!(run.code, 0, "{manager}: {}", run.all());
        let install = match manager {
            "npm" => "npm install",
            "pnpm" => "pnpm install",
            _ => "yarn",
        };
        run.contains("error[deps/lockfile-drift]")
            .contains("package.json:6:5")
            .contains(&format!(
                "run `{install}` and commit `{}` together with `package.json`",
                lockfile_of(manager)
            ));
        // The in-sync twin: the same commit without the new dependency goes through.
        r.write("package.json", &before);
        r.add(&["package.json"]);
        r.write("README.md", "x\n");
        r.add(&["README.md"]);
        r.commit(&["-m", "docs"]).ok();
    }
}

#[test]
fn human_output_points_at_the_dependency() {
    let r = lock_repo("npm", "single");
    r.commit_all("init");
    let text = r
        .read("package.json")
        .replace("\"tiny\": \"^1.0.0\"", "\"tiny\": \"^2.0.0\"");
    r.write("package.json", text);
    r.add(&["package.json"]);
    let run = r.hookctl(&["run", "pre-commit"]);
    run.code(1);
    snapshot!(r, "lockfile_drift_npm_bumped", run.stderr.clone() + &run.stdout);
}

#[test]
fn workspace_and_catalog_specs() {
    // pnpm: `workspace:*` and `catalog:` are in sync as locked; a catalog moved in
    // pnpm-workspace.yaml without the lockfile drifts.
    let r = lock_repo("pnpm", "workspace");
    r.commit_all("init");
    assert_eq!(drift(&r, &["--all-findings"]), []);
    r.write(
        "pnpm-workspace.yaml",
        "packages:\n  - packages/*\ncatalog:\n  \"@fx/util\": ^1.3.0\n",
    );
    r.add(&["pnpm-workspace.yaml"]);
    assert_eq!(
        drift(&r, &[]),
        [finding(RULE, "packages/b/package.json", "@fx/util")]
    );
    cmd_snapshot!(
        r,
        "lockfile_workspace_and_catalog_specs",
        r.hookctl(&["check", "--new"])
    );
    // Berry: a workspace dependency respelled (`workspace:^`) is a change `--immutable` refuses.
    let r = lock_repo("berry", "workspace");
    r.commit_all("init");
    edit(&r, "packages/a/package.json", "dependencies", "b", "workspace:^");
    r.add(&["packages/a/package.json"]);
    assert_eq!(drift(&r, &[]), [finding(RULE, "packages/a/package.json", "b")]);
    // npm and yarn 1 link a workspace package whose version the range allows.
    for manager in ["npm", "yarn1"] {
        let r = lock_repo(manager, "workspace");
        r.commit_all("init");
        edit(&r, "packages/a/package.json", "dependencies", "b", "^1");
        r.add(&["packages/a/package.json"]);
        assert_eq!(drift(&r, &[]), [], "{manager}");
        edit(&r, "packages/a/package.json", "dependencies", "b", "^3.0.0");
        r.add(&["packages/a/package.json"]);
        assert_eq!(
            drift(&r, &[]),
            [finding(RULE, "packages/a/package.json", "b")],
            "{manager}"
        );
    }
}

#[test]
fn source_specs_and_tags_never_fire_on_versions() {
    // npm: a dist-tag or a source spec for a locked package only needs the package locked.
    let r = lock_repo("npm", "single");
    r.commit_all("init");
    edit(&r, "package.json", "dependencies", "tiny", "latest");
    edit(
        &r,
        "package.json",
        "devDependencies",
        "other",
        "file:vendor/other",
    );
    r.add(&["package.json"]);
    assert_eq!(drift(&r, &[]), []);
}

#[test]
fn no_lockfile_is_silent_and_the_detected_managers_lockfile_is_read() {
    let r = lock_repo("npm", "single");
    r.remove("package-lock.json");
    edit(&r, "package.json", "dependencies", "extra", "^1.0.0");
    r.git(&["add", "-A"]).ok();
    assert_eq!(drift(&r, &["--all-findings"]), []);

    // A stale package-lock.json beside pnpm's lockfile: pnpm is the manager, its lockfile is read.
    let r = lock_repo("pnpm", "single");
    r.write(
        "package-lock.json",
        "{\"lockfileVersion\": 3, \"packages\": {\"\": {}}}\n",
    );
    r.git(&["add", "-A"]).ok();
    assert_eq!(drift(&r, &["--all-findings"]), []);
    // `packageManager` says npm: the stale package-lock.json is the one that counts.
    let mut j: serde_json::Value = serde_json::from_str(&r.read("package.json")).unwrap();
    j["packageManager"] = "npm@11.0.0".into();
    r.write("package.json", serde_json::to_string_pretty(&j).unwrap());
    r.git(&["add", "-A"]).ok();
    assert_eq!(drift(&r, &["--all-findings"]).len(), 4);
}

#[test]
fn malformed_lockfiles_are_unreadable_with_a_line() {
    let cases = [
        (
            "npm",
            "{\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"\": [1,\n}\n",
            5,
        ),
        (
            "pnpm",
            "lockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    dependencies: [unclosed\n",
            6,
        ),
        (
            "yarn1",
            "# yarn lockfile v1\n\n\ntiny@^1.0.0:\n  version \"1.2.0\"\nbroken line\n",
            6,
        ),
        (
            "berry",
            "__metadata:\n  version: 10\n\n\"tiny@npm:^1.0.0\": [\n",
            4,
        ),
    ];
    for (manager, text, line) in cases {
        let r = lock_repo(manager, "single");
        let lockfile = lockfile_of(manager);
        r.write(lockfile, text);
        r.git(&["add", "-A"]).ok();
        let run = r.hookctl(&["check", "--format", "json"]);
        run.code(1);
        let j = run.json();
        let f = j["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == "files/unreadable")
            .unwrap_or_else(|| panic!("{manager}: {j}"))
            .clone();
        assert_eq!(f["path"], lockfile, "{manager}");
        assert!(
            (line - 1..=line).contains(&f["line"].as_u64().unwrap()),
            "{manager}: {f}"
        );
        assert!(!run.all().contains("panicked"), "{manager}");
    }
}

/// The hook's shortcut (no package.json or lockfile changed: the baseline's findings stand) must
/// never change an answer: a lockfile-only change is checked, and a warm run equals a cold one.
#[test]
fn a_lockfile_only_change_is_checked_warm_and_cold() {
    for manager in MANAGERS {
        let r = lock_repo(manager, "single");
        r.commit_all("init");
        // Warm the caches on the in-sync state.
        r.hookctl(&["run", "pre-commit"]).ok();
        let lockfile = lockfile_of(manager);
        // The lockfile loses `tiny` (as after a botched merge); package.json is untouched.
        let text = r.read(lockfile);
        let broken = match manager {
            "npm" => text.replace("\"node_modules/tiny\"", "\"node_modules/tiny-gone\""),
            "pnpm" => text.replace("      tiny:\n", "      tiny-gone:\n"),
            "yarn1" => text.replace("tiny@^1.0.0:", "tiny-gone@^1.0.0:"),
            _ => text.replace("tiny: \"npm:^1.0.0\"", "tiny-gone: \"npm:^1.0.0\""),
        };
        assert_ne!(broken, text, "{manager}: the edit applies");
        r.write(lockfile, broken);
        r.add(&[lockfile]);
        let warm = r.hookctl(&["check", "--new", "--format", "json"]);
        let hook = r.hookctl(&["run", "pre-commit"]);
        hook.code(1).contains("error[deps/lockfile-drift]");
        std::fs::remove_dir_all(r.path(".git/hookctl")).ok();
        let cold = r.hookctl(&["check", "--new", "--format", "json"]);
        let strip = |v: serde_json::Value| v["findings"].clone();
        assert_eq!(strip(warm.json()), strip(cold.json()), "{manager}");
        assert_eq!(
            drift(&r, &[]),
            [finding(RULE, "package.json", "tiny")],
            "{manager}"
        );
        // And the fix: the lockfile restored, the commit goes through.
        r.write(lockfile, text);
        r.add(&[lockfile]);
        r.hookctl(&["run", "pre-commit"]).ok();
    }
}

#[test]
fn groups_and_skips_are_respected() {
    let r = lock_repo("npm", "single");
    r.commit_all("init");
    edit(&r, "package.json", "dependencies", "extra", "^1.0.0");
    r.add(&["package.json"]);
    r.hookctl(&["run", "pre-commit"]).code(1);
    r.hookctl_env(&["run", "pre-commit"], &[("HOOKCTL_SKIP", "deps")], None)
        .ok();
    r.hookctl_env(
        &["run", "pre-commit"],
        &[("HOOKCTL_SKIP", "deps/lockfile-drift")],
        None,
    )
    .ok();
    r.write(
        "hookctl.toml",
        "[pre-commit]\nchecks = [\"imports\", \"files\"]\n",
    );
    r.hookctl(&["run", "pre-commit"]).ok();
    r.write("hookctl.toml", "[pre-commit]\nchecks = [\"deps\"]\n");
    r.hookctl(&["run", "pre-commit"]).code(1);
    r.write("hookctl.toml", "[rules]\n\"deps/lockfile-drift\" = \"warning\"\n");
    r.hookctl(&["run", "pre-commit"]).ok();
}

#[test]
fn peer_dependencies_where_the_manager_installs_them() {
    // npm 7+ installs a package's own peers: a peer missing from the lockfile drifts...
    let r = lock_repo("npm", "single");
    r.commit_all("init");
    edit(&r, "package.json", "peerDependencies", "extra", "^1.0.0");
    r.add(&["package.json"]);
    assert_eq!(drift(&r, &[]), [finding(RULE, "package.json", "extra")]);
    // ...unless legacy-peer-deps is set.
    r.write(".npmrc", "legacy-peer-deps=true\n");
    r.add(&[".npmrc"]);
    assert_eq!(drift(&r, &[]), []);
    // A peer also declared as a dev dependency is checked once, as the dev dependency.
    let r = lock_repo("npm", "single");
    r.commit_all("init");
    edit(&r, "package.json", "peerDependencies", "other", "^1.0.0");
    r.add(&["package.json"]);
    assert_eq!(drift(&r, &[]), []);
    // Yarn 1 neither installs nor records a workspace's own peers; berry records their ranges.
    let r = lock_repo("yarn1", "single");
    r.commit_all("init");
    edit(&r, "package.json", "peerDependencies", "extra", "^1.0.0");
    r.add(&["package.json"]);
    assert_eq!(drift(&r, &[]), []);
    let r = lock_repo("berry", "single");
    r.commit_all("init");
    edit(&r, "package.json", "peerDependencies", "extra", "^1.0.0");
    r.add(&["package.json"]);
    assert_eq!(drift(&r, &[]), [finding(RULE, "package.json", "extra")]);
    // pnpm (autoInstallPeers) records a package's own peer as a dependency.
    let r = lock_repo("pnpm", "single");
    r.commit_all("init");
    edit(&r, "package.json", "peerDependencies", "extra", "^1.0.0");
    r.add(&["package.json"]);
    assert_eq!(drift(&r, &[]), [finding(RULE, "package.json", "extra")]);
}

/// A name in several fields is installed once, from the strongest field, which is where pnpm
/// records it (found in modelcontextprotocol/typescript-sdk).
#[test]
fn a_dependency_in_two_fields_is_checked_once() {
    for manager in MANAGERS {
        let r = lock_repo(manager, "single");
        r.commit_all("init");
        edit(&r, "package.json", "devDependencies", "tiny", "^1.0.0");
        r.add(&["package.json"]);
        assert_eq!(drift(&r, &[]), [], "{manager}");
    }
}

/// From documenso/documenso (real-repo corpus): a root npm `overrides` entry replaces a declared
/// range, and `npm ci` installs the overriding version whatever the range says (checked with
/// `npm ci --dry-run` on documenso: `"overrides": {"typescript": "5.6.2"}` under a workspace's
/// `^5.9.3` installs). A range outside the locked version is silent when an override the locked
/// version satisfies covers it, by name, `name@range` key, `{".": …}` or `$name` reference; an
/// override the locked version does not satisfy is still drift.
#[test]
fn npm_overrides_replace_the_declared_range() {
    for overrides in [
        serde_json::json!({"tiny": "1.x"}),
        serde_json::json!({"tiny@^2": "^1.0.0"}),
        serde_json::json!({"tiny": {".": "1.x"}}),
    ] {
        let r = lock_repo("npm", "single");
        edit(&r, "package.json", "dependencies", "tiny", "^2.0.0");
        let mut j: serde_json::Value = serde_json::from_str(&r.read("package.json")).unwrap();
        j["overrides"] = overrides.clone();
        r.write("package.json", serde_json::to_string_pretty(&j).unwrap());
        r.git(&["add", "-A"]).ok();
        assert_eq!(drift(&r, &["--all-findings"]), [], "{overrides}");
    }
    let r = lock_repo("npm", "single");
    edit(&r, "package.json", "dependencies", "tiny", "^2.0.0");
    let mut j: serde_json::Value = serde_json::from_str(&r.read("package.json")).unwrap();
    j["overrides"] = serde_json::json!({"tiny": "^2.0.0", "other": "$other"});
    r.write("package.json", serde_json::to_string_pretty(&j).unwrap());
    r.git(&["add", "-A"]).ok();
    assert_eq!(
        drift(&r, &["--all-findings"]),
        [finding(RULE, "package.json", "tiny")]
    );
}
