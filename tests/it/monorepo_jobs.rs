//! Issue 11 items 5 and 6: `root` globs, `hookctl.toml` files of workspace packages, and the
//! import graph as job input (`{affected}`, `{packages}`).

use std::collections::BTreeSet;
use std::path::Path;

use crate::common::*;

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
    // Jobs run at the same time: shown in any order.
    snapshot!(
        r,
        "monorepo_jobs_glob_root_runs_once_per_matching_folder_in_that_folder_1",
        jobs_sorted(&r.hookctl(&["run", "pre-commit"]).shown())
    );
    assert_eq!(log(&out), ["apps/docs: c.ts", "apps/web: b.ts src/a.ts"]);
    // No folder with matching files: skipped, and says so.
    std::fs::remove_file(&out).unwrap();
    r.git(&["reset", "-q"]).ok();
    r.add(&["packages/ui/d.ts"]);
    cmd_snapshot!(
        r,
        "monorepo_jobs_glob_root_runs_once_per_matching_folder_in_that_folder_2",
        r.hookctl(&["run", "pre-commit"])
    );
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
    cmd_snapshot!(
        r,
        "monorepo_jobs_a_workspace_packages_config_adds_jobs_for_its_files",
        r.hookctl(&["run", "pre-commit"])
    );
}

/// (importer, import statement, imported file): the known import graph of the generated
/// monorepo, one kind of edge each (re-export, package by name, package subpath, type-only,
/// side-effect, dynamic).
const EDGES: &[(&str, &str, &str)] = &[
    (
        "packages/util/src/index.ts",
        "export * from './strings';",
        "packages/util/src/strings.ts",
    ),
    (
        "packages/ui/src/button.tsx",
        "import { up } from '@acme/util';",
        "packages/util/src/index.ts",
    ),
    (
        "packages/ui/src/index.ts",
        "export { Button } from './button';",
        "packages/ui/src/button.tsx",
    ),
    (
        "packages/ui/src/button.test.ts",
        "import type { Props } from './button';",
        "packages/ui/src/button.tsx",
    ),
    (
        "apps/web/src/page.tsx",
        "import { Button } from '@acme/ui';",
        "packages/ui/src/index.ts",
    ),
    (
        "apps/web/src/page.test.ts",
        "import './page';",
        "apps/web/src/page.tsx",
    ),
    (
        "apps/web/src/lazy.ts",
        "export const m = () => import('./page');",
        "apps/web/src/page.tsx",
    ),
    (
        "apps/docs/src/doc.ts",
        "import { add } from '@acme/util/src/math';",
        "packages/util/src/math.ts",
    ),
    (
        "apps/docs/src/other.ts",
        "import { doc } from './doc';",
        "apps/docs/src/doc.ts",
    ),
];
const LEAVES: &[&str] = &[
    "packages/util/src/strings.ts",
    "packages/util/src/math.ts",
    "apps/docs/src/alone.ts",
];

/// Expected `{affected}`: the seeds plus everything reaching them over EDGES (a plain BFS here,
/// independent of hookctl's resolver).
fn expected_affected(seeds: &[&str]) -> BTreeSet<String> {
    let mut set: BTreeSet<String> = seeds.iter().map(std::string::ToString::to_string).collect();
    loop {
        let before = set.len();
        for (from, _, to) in EDGES {
            if set.contains(*to) {
                set.insert(from.to_string());
            }
        }
        if set.len() == before {
            return set;
        }
    }
}

fn package_of(path: &str) -> &'static str {
    [
        ("packages/util/", "@acme/util"),
        ("packages/ui/", "@acme/ui"),
        ("apps/web/", "web"),
        ("apps/docs/", "docs"),
    ]
    .iter()
    .find(|(dir, _)| path.starts_with(dir))
    .map(|(_, n)| *n)
    .unwrap()
}

fn graph_repo() -> Repo {
    let r = Repo::new();
    let out = |n: &str| s(&r.sibling(n));
    r.write(
        "package.json",
        r#"{"name":"root","private":true,"workspaces":["apps/*","packages/*"]}"#,
    )
    .write(
        "packages/util/package.json",
        r#"{"name":"@acme/util","main":"src/index.ts"}"#,
    )
    .write(
        "packages/ui/package.json",
        r#"{"name":"@acme/ui","main":"src/index.ts","dependencies":{"@acme/util":"*"}}"#,
    )
    .write(
        "apps/web/package.json",
        r#"{"name":"web","dependencies":{"@acme/ui":"*"}}"#,
    )
    .write(
        "apps/docs/package.json",
        r#"{"name":"docs","dependencies":{"@acme/util":"*"}}"#,
    )
    .write(
        "hookctl.toml",
        format!(
            r#"[pre-commit]
checks = []
[[pre-commit.jobs]]
name = "affected"
run = "printf '%s\n' {{affected}} > {a}"
[[pre-commit.jobs]]
name = "packages"
run = "printf '%s\n' {{packages}} > {p}"
[[pre-commit.jobs]]
name = "tests"
glob = "*.test.ts"
run = "printf '%s\n' {{affected}} > {t}"
"#,
            a = out("affected"),
            p = out("packages"),
            t = out("tests")
        ),
    );
    let mut files: BTreeSet<&str> = LEAVES.iter().copied().collect();
    files.extend(EDGES.iter().map(|(from, ..)| *from));
    for f in files {
        let mut text: String = EDGES
            .iter()
            .filter(|(from, ..)| *from == f)
            .map(|(_, stmt, _)| format!("{stmt}\n"))
            .collect();
        text.push_str("export const x = 1;\n");
        r.write(f, text);
    }
    r.commit_all("init");
    r
}

fn read_set(p: &Path) -> BTreeSet<String> {
    std::fs::read_to_string(p)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

#[test]
fn affected_and_packages_follow_the_import_graph() {
    for seeds in [
        &["packages/util/src/strings.ts"][..],
        &["packages/util/src/math.ts"],
        &["apps/web/src/page.tsx", "apps/docs/src/alone.ts"],
    ] {
        let r = graph_repo();
        for f in seeds {
            r.write(f, "export const x = 2;\n");
        }
        r.add(seeds);
        // Also warm: the second run reads the facts cache the first one wrote.
        for _ in 0..2 {
            r.hookctl(&["run", "pre-commit"]).ok();
            let want = expected_affected(seeds);
            assert_eq!(read_set(&r.sibling("affected")), want, "seeds {seeds:?}");
            let packages: BTreeSet<String> = want.iter().map(|p| package_of(p).to_string()).collect();
            assert_eq!(read_set(&r.sibling("packages")), packages, "seeds {seeds:?}");
            let tests: BTreeSet<String> = want.iter().filter(|p| p.ends_with(".test.ts")).cloned().collect();
            if tests.is_empty() {
                assert!(!r.sibling("tests").exists());
            } else {
                assert_eq!(read_set(&r.sibling("tests")), tests, "seeds {seeds:?}");
            }
        }
    }
}

#[test]
fn affected_follows_files_added_since_the_stored_graph() {
    // `later.ts` imports `./missing`, which does not exist when the graph is first stored.
    let r = graph_repo();
    r.write("apps/docs/src/later.ts", "import { m } from './missing';\n")
        .commit_all("later");
    r.write("apps/docs/src/alone.ts", "export const x = 3;\n")
        .add(&["apps/docs/src/alone.ts"]);
    r.hookctl(&["run", "pre-commit"]).ok();
    assert_eq!(
        read_set(&r.sibling("affected")),
        BTreeSet::from(["apps/docs/src/alone.ts".to_string()])
    );
    assert!(r.path(".git/hookctl/graph.bin").exists());
    // Now add `missing.ts` (importing strings.ts) and change strings.ts.
    r.write(
        "apps/docs/src/missing.ts",
        "import { s } from '@acme/util/src/strings';\n",
    )
    .write("packages/util/src/strings.ts", "export const x = 4;\n");
    r.add(&["apps/docs/src/missing.ts", "packages/util/src/strings.ts"]);
    r.hookctl(&["run", "pre-commit"]).ok();
    let mut want = expected_affected(&["packages/util/src/strings.ts", "apps/docs/src/alone.ts"]);
    want.extend([
        "apps/docs/src/missing.ts".to_string(),
        "apps/docs/src/later.ts".to_string(),
    ]);
    assert_eq!(read_set(&r.sibling("affected")), want);
    // A damaged stored graph is rebuilt, with the same answer.
    std::fs::write(r.path(".git/hookctl/graph.bin"), b"HKCGRAPH garbage").unwrap();
    std::fs::remove_file(r.sibling("affected")).unwrap();
    r.hookctl(&["run", "pre-commit"]).ok();
    assert_eq!(read_set(&r.sibling("affected")), want);
}

#[test]
fn affected_files_edited_on_disk_but_not_staged_are_seen_as_committed() {
    let r = graph_repo();
    let seen = r.sibling("seen");
    r.write(
        "hookctl.toml",
        format!(
            "[pre-commit]\nchecks = []\n[[pre-commit.jobs]]\nname = \"read\"\nrun = \"cat {{affected}} > {}\"\n",
            s(&seen)
        ),
    )
    .commit_all("config");
    r.write("packages/util/src/strings.ts", "export const x = 5;\n")
        .add(&["packages/util/src/strings.ts"]);
    // An importer of the staged file, edited on disk only: not part of the commit.
    let index_ts = "packages/util/src/index.ts";
    let edited = format!("{}// unstaged edit\n", r.read(index_ts));
    r.write(index_ts, &edited);
    r.hookctl(&["run", "pre-commit"]).ok();
    let got = std::fs::read_to_string(&seen).unwrap();
    assert!(got.contains("export * from './strings';"), "{got}");
    assert!(
        !got.contains("unstaged edit"),
        "the job saw the disk, not the commit:\n{got}"
    );
    assert_eq!(r.read(index_ts), edited);
}
