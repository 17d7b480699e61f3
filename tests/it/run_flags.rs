//! Issue 11 item 4: `hookctl run <hook> --all-files | --files F... | --from-ref A --to-ref B |
//! --job NAME`, and unknown flags are errors.

use std::path::Path;

use crate::common::*;

fn lines(p: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_to_string(p)
        .unwrap_or_default()
        .lines()
        .map(String::from)
        .collect();
    v.sort();
    v
}

/// Jobs `a` and `b` append their `{files}` (one per line) to sibling files `a.out`/`b.out`.
fn repo() -> Repo {
    let r = Repo::new();
    let out = |n: &str| r.sibling(n).to_str().unwrap().to_string();
    r.write(
        "hookctl.toml",
        format!(
            "[pre-commit]\nchecks = []\n[[pre-commit.jobs]]\nname = \"a\"\nglob = \"*.ts\"\nrun = \"printf '%s\\\\n' {{files}} >> {}\"\n[[pre-commit.jobs]]\nname = \"b\"\nrun = \"printf '%s\\\\n' {{files}} >> {}\"\n",
            out("a.out"),
            out("b.out")
        ),
    )
    .write("one.ts", "1")
    .write("src/two.ts", "2")
    .write("src/three.md", "3")
    .commit_all("init");
    r
}

#[test]
fn all_files_gives_jobs_every_tracked_file() {
    let r = repo();
    r.write("src/two.ts", "22").add(&["src/two.ts"]);
    r.hookctl(&["run", "pre-commit"]).ok();
    assert_eq!(lines(&r.sibling("a.out")), ["src/two.ts"]);
    std::fs::remove_file(r.sibling("a.out")).unwrap();
    r.hookctl(&["run", "pre-commit", "--all-files"]).ok();
    assert_eq!(lines(&r.sibling("a.out")), ["one.ts", "src/two.ts"]);
    assert_eq!(
        lines(&r.sibling("b.out")),
        [
            "hookctl.toml",
            "one.ts",
            "src/three.md",
            "src/two.ts",
            "src/two.ts"
        ]
    );
}

#[test]
fn files_are_relative_to_the_current_directory_and_folders_expand() {
    let r = repo();
    r.hookctl_in(
        &r.path("src"),
        &["run", "pre-commit", "--files", "two.ts", "../one.ts"],
        None,
    )
    .ok();
    assert_eq!(lines(&r.sibling("a.out")), ["one.ts", "src/two.ts"]);
    std::fs::remove_file(r.sibling("b.out")).unwrap();
    r.hookctl(&["run", "pre-commit", "--files", "src"]).ok();
    assert_eq!(lines(&r.sibling("b.out")), ["src/three.md", "src/two.ts"]);
    r.hookctl(&["run", "pre-commit", "--files", "nope.ts"])
        .code(2)
        .contains("--files nope.ts: no such file");
}

#[test]
fn from_ref_to_ref_gives_the_files_changed_between_two_commits() {
    let r = repo();
    let a = r.git(&["rev-parse", "HEAD"]).stdout.trim().to_string();
    r.write("one.ts", "11").write("new.ts", "n").commit_all("second");
    r.write("src/two.ts", "22").commit_all("third");
    r.hookctl(&["run", "pre-commit", "--from-ref", &a, "--to-ref", "HEAD~1"])
        .ok();
    assert_eq!(lines(&r.sibling("a.out")), ["new.ts", "one.ts"]);
    r.hookctl(&["run", "pre-commit", "--from-ref", &a]).code(2);
    r.hookctl(&["run", "pre-commit", "--from-ref", "nope", "--to-ref", "HEAD"])
        .code(2)
        .contains("`nope` is not a commit");
}

#[test]
fn job_runs_only_the_named_jobs() {
    let r = repo();
    r.write("one.ts", "11").add(&["one.ts"]);
    r.hookctl(&["run", "pre-commit", "--job", "b"]).ok();
    assert!(!r.sibling("a.out").exists());
    assert_eq!(lines(&r.sibling("b.out")), ["one.ts"]);
    r.hookctl(&["run", "pre-commit", "--job", "a", "--job", "b"]).ok();
    assert_eq!(lines(&r.sibling("a.out")), ["one.ts"]);
    r.hookctl(&["run", "pre-commit", "--job", "c"])
        .code(2)
        .contains("has no job named `c`");
}

#[test]
fn unknown_flags_are_usage_errors_never_ignored() {
    let r = repo();
    r.write("one.ts", "11").add(&["one.ts"]);
    r.hookctl(&["run", "pre-commit", "--all-file"]).code(2);
    r.hookctl(&["run", "pre-commit", "--all-files", "--files", "one.ts"])
        .code(2);
    assert!(!r.sibling("a.out").exists(), "a job ran despite the bad flag");
    // Git's own hook arguments still arrive as positional arguments.
    r.hookctl(&["run", "pre-commit", "x", "y"]).ok();
}
