//! A file that every importer loads as text (`!raw-loader!`, `?raw`) has warnings for its
//! imports (the rows are in `certainty.rs`). Who imports it, and how, comes from the stored
//! import graph: a pre-commit check of the staged file answers as a full check does, and the
//! stored graph answers as a fresh one.

use crate::common::*;

/// The `severity[rule] message` heads and `--> place` lines of a human report, sorted.
fn heads(run: &Run) -> Vec<String> {
    let mut out: Vec<String> = run
        .stdout
        .lines()
        .filter(|l| {
            l.starts_with("error[") || l.starts_with("warning[") || l.trim_start().starts_with("--> ")
        })
        .map(str::to_string)
        .collect();
    out.sort();
    out
}

/// A site whose template loads `src/sandbox/client.js` as a string; `also_code` adds a file
/// that imports it as code too.
fn site(also_code: bool) -> Repo {
    let r = Repo::new();
    r.write(
        "package.json",
        r#"{ "name": "site", "devDependencies": { "raw-loader": "4.0.2" } }"#,
    )
    .write(
        "src/template.ts",
        "export const files = {\n  client: require('!raw-loader?esModule=false!./sandbox/client.js') as string,\n};\n",
    )
    .write("src/sandbox/client.js", "export default 1;\n");
    if also_code {
        r.write("src/boot.ts", "import './sandbox/client.js';\n");
    }
    r.commit_all("init");
    r
}

/// Stage an edit of the text-loaded file that adds two imports a build would refuse.
fn break_client(r: &Repo) {
    r.write(
        "src/sandbox/client.js",
        "import './__shim__';\nimport { refresh } from 'react-refresh/runtime';\nexport default refresh;\n",
    );
    r.add(&["src/sandbox/client.js"]);
}

#[test]
fn pre_commit_answers_as_a_full_check_cold_and_warm() {
    for (also_code, level, code) in [(false, "warning", 0), (true, "error", 1)] {
        let r = site(also_code);
        break_client(&r);
        let mut seen = Vec::new();
        for cold in [true, false] {
            if cold {
                let _ = std::fs::remove_dir_all(r.path(".git/hookctl"));
            }
            let hook = r.hookctl(&["run", "pre-commit"]);
            hook.code(code);
            let full = r.hookctl(&["check", "--new"]);
            full.code(code);
            assert_eq!(
                heads(&hook),
                heads(&full),
                "pre-commit vs full check\n{}\n{}",
                hook.all(),
                full.all()
            );
            seen.push(heads(&hook));
        }
        assert_eq!(seen[0], seen[1], "cold vs warm");
        let heads = &seen[0];
        assert_eq!(heads.len(), 4, "{heads:?}");
        assert!(
            heads
                .iter()
                .filter(|h| !h.trim_start().starts_with("-->"))
                .all(|h| h.starts_with(&format!("{level}["))),
            "{also_code}: {heads:?}"
        );
    }
}

/// What a user sees for a text-loaded file: the warning says why and what to do.
#[test]
fn text_loaded_warning_as_shown() {
    let r = site(false);
    break_client(&r);
    let run = r.hookctl(&["check"]);
    run.code(0);
    snapshot!(r, "text_loaded_warning_human", run.stdout);
}

/// The stored graph keys an import written through a loader chain by the file it names: a
/// file added beside it (`snippet.js` before `snippet/index.js`) moves the text edge, and the
/// warm answer stays the cold one. Keyed by its loader's text (`raw-loader`), the stored edge
/// kept pointing at `snippet/index.js`, and the new `snippet.js` blocked.
#[test]
fn a_file_added_beside_a_text_import_moves_it_in_the_stored_graph() {
    let r = Repo::new();
    r.write(
        "package.json",
        r#"{ "name": "site", "devDependencies": { "raw-loader": "4.0.2" } }"#,
    )
    .write(
        "src/template.ts",
        "export const snippet = require('!raw-loader?esModule=false!./snippet') as string;\n",
    )
    .write("src/snippet/index.js", "import './gone';\n")
    .commit_all("init");
    // Warm: the graph is stored with the text edge to `snippet/index.js`.
    let first = check_levels(&r);
    assert_eq!(
        first,
        [(
            "imports/unresolved".to_string(),
            "warning".to_string(),
            "src/snippet/index.js".to_string()
        )]
    );
    r.write("src/snippet.js", "import './gone';\n");
    r.add(&["src/snippet.js"]);
    let warm = check_levels(&r);
    let _ = std::fs::remove_dir_all(r.path(".git/hookctl"));
    let cold = check_levels(&r);
    assert_eq!(warm, cold, "warm vs cold");
    assert_eq!(
        cold,
        [
            (
                "imports/unresolved".to_string(),
                "error".to_string(),
                "src/snippet/index.js".to_string()
            ),
            (
                "imports/unresolved".to_string(),
                "warning".to_string(),
                "src/snippet.js".to_string()
            ),
        ]
    );
}

/// (rule, severity, path) of every finding of a full check, sorted.
fn check_levels(r: &Repo) -> Vec<(String, String, String)> {
    let json = r.hookctl(&["check", "--format", "json"]).json();
    let mut out: Vec<_> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            (s("rule"), s("severity"), s("path"))
        })
        .collect();
    out.sort();
    out
}

/// `check --worktree` reads files as they are on disk, which have no blob ids: the stored
/// graph cannot tell an edited importer from the one it stored, so a work-tree check neither
/// reuses nor stores it. An importer edited on disk to load the file as code makes the next
/// work-tree check block.
#[test]
fn a_work_tree_check_sees_an_importer_edited_on_disk() {
    let r = site(false);
    break_client(&r);
    r.commit_all("broken sandbox file");
    r.hookctl(&["check", "--worktree"]).code(0);
    r.write(
        "src/template.ts",
        "import './sandbox/client.js';\nexport const files = {};\n",
    );
    let run = r.hookctl(&["check", "--worktree"]);
    run.code(1);
    assert_eq!(
        heads(&run).iter().filter(|h| h.starts_with("error[")).count(),
        2,
        "{}",
        run.all()
    );
}

/// The import graph that tells who loads a file as text parses the files it lacks within
/// `[scan] max_file_size`, as the checks do: a larger file's facts, cached by it, made the next
/// (warm) full check report that file's env reads, which the cold one skips (jest's
/// `.yarn/releases/yarn-*.cjs`).
#[test]
fn the_graph_caches_no_facts_of_a_file_over_the_size_limit() {
    let r = site(false);
    break_client(&r);
    r.write("hookctl.toml", "[scan]\nmax_file_size = 400\n");
    let big = format!(
        "export const t = process.env.BIG_TOKEN.trim();\n{}",
        "// filler line of a vendored bundle\n".repeat(20)
    );
    r.write("lib/big.cjs", big);
    r.commit_all("big");
    let cold = check_levels(&r);
    let warm = check_levels(&r);
    assert_eq!(cold, warm, "cold vs warm");
    assert!(!cold.iter().any(|(_, _, p)| p == "lib/big.cjs"), "{cold:?}");
    assert!(cold.iter().any(|(_, s, _)| s == "warning"), "{cold:?}");
}

/// The question is asked only of a snapshot with a text import: without one, a full check with
/// an import finding builds no import graph (a cold check of a minified bundle with 200,000
/// requires would resolve them all a second time); with one, it does.
#[test]
fn no_text_import_no_graph() {
    for text_import in [false, true] {
        let r = Repo::new();
        r.write("package.json", r#"{ "name": "site" }"#)
            .write("src/a.ts", "import './missing';\n");
        if text_import {
            r.write("src/template.ts", "export const t = require('./data.txt?raw');\n")
                .write("src/data.txt", "text\n");
        }
        r.commit_all("init");
        let run = r.hookctl_env(&["check"], &[("HOOKCTL_TIMINGS", "1")], None);
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert_eq!(
            run.stderr.contains("import graph resolve"),
            text_import,
            "text import {text_import}:\n{}",
            run.stderr
        );
    }
}
