//! The engine pass of a workspace package with settings of its own judges only its own
//! folder's reads and imports (the root's pass the rest), yet the findings are those of one
//! pass over the repository: the union of the passes equals a single pass where the packages
//! set no own keys, with the rules whose answer for a file depends on other files
//! (`env/unused` of a name read only in another package) unchanged; and a package whose key
//! changes a verdict gets its own.

use crate::common::*;

/// Three packages and root code, with findings of every kind a pass produces: undeclared,
/// dynamic and declared-but-unused env names (one declared in `p0` and read only in `p1`),
/// unresolved, untracked and undeclared-dependency imports, a secret in source. `own`: each
/// package's `hookctl.toml` (`None`: none).
fn repo(own: &dyn Fn(usize) -> Option<String>) -> Repo {
    let r = workspace(&["packages/*"]);
    r.write(".env.example", "ROOT_KEY=\nUNUSED_ROOT=\n")
    .write("hookctl.toml", "[rules]\n\"env/unused\" = \"warning\"\n")
    .write(
        "src/r.ts",
        "import { a } from '../packages/p0/src/a';\nexport const r = [a, process.env.ROOT_KEY, process.env.UNDECLARED_R];\n",
    )
    .package("packages/p0", "p0", own(0).as_deref())
    .write("packages/p0/.env.example", "P0_KEY=\nCROSS=\nUNUSED_P0=\n")
    .write(
        "packages/p0/src/a.ts",
        "import './missing';\nimport './untracked';\nimport pad from 'left-pad';\nconst n = 'X';\nexport const a = [pad, process.env.P0_KEY, process.env.UNDECLARED_A, process.env[n]];\n",
    )
    .package("packages/p1", "p1", own(1).as_deref())
    .write(
        "packages/p1/src/b.ts",
        "export const b = [process.env.CROSS, process.env.P1_SECRET];\nexport const key = 'AKIAIOSFODNN7EXAMPLF';\nexport const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEZ';\n",
    )
    .package("packages/p2", "p2", own(2).as_deref())
    .write(
        "packages/p2/src/c.ts",
        "import { b } from 'p1';\nexport const c = [b, process.env.ROOT_KEY, process.env.UNDECLARED_C];\n",
    );
    r.commit_all("init");
    r.write("packages/p0/src/untracked.ts", "export {};\n");
    r
}

/// Every finding of `hookctl check --all-findings`: (rule, path, line, message).
fn findings(r: &Repo) -> Vec<(String, String, u64, String)> {
    let run = r.hookctl(&["check", "--all-findings", "--format", "json"]);
    assert!(run.code <= 1, "{}", run.all());
    let mut out: Vec<(String, String, u64, String)> = run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn package_passes_judge_their_own_files_and_find_what_one_pass_finds() {
    let single = findings(&repo(&|_| None));
    // The passes: each package has a key of its own that changes no verdict here (a name
    // nobody reads is allowed), which takes its files out of the root's pass.
    let passes = findings(&repo(&|i| Some(format!("[env]\nallow = [\"NEVER_READ_{i}\"]\n"))));
    let rules: std::collections::BTreeSet<&str> = single.iter().map(|f| f.0.as_str()).collect();
    // The repository exercises what it means to (a pass that judged nothing would agree too).
    for rule in [
        "env/undeclared",
        "env/unused",
        "imports/unresolved",
        "imports/untracked",
        "imports/undeclared-dependency",
        "secrets/in-source",
    ] {
        assert!(rules.contains(rule), "no {rule} finding: {rules:?}");
    }
    // Declared in p0, read only in p1: used (a pass that saw only p0's reads would say not).
    assert!(
        !single
            .iter()
            .any(|f| f.0 == "env/unused" && f.3.contains("`CROSS`")),
        "CROSS is read in p1: {single:#?}"
    );
    assert_eq!(passes, single);
    // A package whose key changes a verdict: p1 allows P1_SECRET, and only that finding goes.
    let own = findings(&repo(&|i| {
        Some(if i == 1 {
            "[env]\nallow = [\"P1_SECRET\"]\n".to_string()
        } else {
            format!("[env]\nallow = [\"NEVER_READ_{i}\"]\n")
        })
    }));
    let expected: Vec<_> = single
        .iter()
        .filter(|f| !f.3.contains("`P1_SECRET`"))
        .cloned()
        .collect();
    assert_eq!(own, expected);
    assert_ne!(own, single);
}
