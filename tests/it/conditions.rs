//! `skip` / `only` conditions, per job and per hook: git states read from real merges,
//! rebases, cherry-picks, reverts and amends; the branch; `CI`; a `run` command; and the
//! config errors of a condition that does not exist.

use crate::common::*;
use std::fmt::Write as _;

/// One job per state, each `only` in it, and one that skips merges; sequential so that the
/// output order is fixed.
const STATE_JOBS: &str = r#"
[pre-commit]
checks = []
parallel = false

[[pre-commit.jobs]]
name = "on-merge"
run = "echo merging"
only = "merge"

[[pre-commit.jobs]]
name = "on-rebase"
run = "echo rebasing"
only = ["rebase"]

[[pre-commit.jobs]]
name = "on-pick"
run = "echo picking"
only = "cherry-pick"

[[pre-commit.jobs]]
name = "on-revert"
run = "echo reverting"
only = "revert"

[[pre-commit.jobs]]
name = "not-in-merge"
run = "echo plain"
skip = ["merge", "rebase", "cherry-pick", "revert"]
"#;

/// `base` on main, then `other` on branch `other` and `main` on main, both editing `a.txt`.
fn diverged(config: &str) -> Repo {
    let r = Repo::new();
    r.write("hookctl.toml", config)
        .write("a.txt", "base\n")
        .commit_all("base");
    r.git(&["checkout", "-q", "-b", "other"]).ok();
    r.write("a.txt", "other\n").commit_all("other");
    r.git(&["checkout", "-q", "main"]).ok();
    r.write("a.txt", "main\n").commit_all("main");
    r
}

/// Resolve the conflict on `a.txt` and stage it (the state file stays until the commit).
fn resolve(r: &Repo) {
    r.write("a.txt", "resolved\n").add(&["a.txt"]);
}

fn run_hook(r: &Repo, hook: &str, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut c = isolated_hookctl(r, &["run", hook]);
    c.args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    run_with_stdin(c, None)
}

#[test]
fn git_states_come_from_git_s_own_files() {
    let r = diverged(STATE_JOBS);
    let mut seen = Vec::new();
    seen.push(("none", run_hook(&r, "pre-commit", &[], &[])));

    assert_eq!(r.git(&["merge", "-q", "other"]).code, 1, "a merge conflict");
    resolve(&r);
    seen.push(("merge (MERGE_HEAD)", run_hook(&r, "pre-commit", &[], &[])));
    r.git(&["merge", "--abort"]).ok();

    assert_eq!(r.git(&["rebase", "-q", "other"]).code, 1, "a rebase conflict");
    resolve(&r);
    seen.push(("rebase (rebase-merge/)", run_hook(&r, "pre-commit", &[], &[])));
    r.git(&["rebase", "--abort"]).ok();

    assert_eq!(r.git(&["rebase", "-q", "--apply", "other"]).code, 1);
    resolve(&r);
    seen.push((
        "rebase --apply (rebase-apply/)",
        run_hook(&r, "pre-commit", &[], &[]),
    ));
    r.git(&["rebase", "--abort"]).ok();

    assert_eq!(r.git(&["cherry-pick", "other"]).code, 1, "a cherry-pick conflict");
    resolve(&r);
    seen.push((
        "cherry-pick (CHERRY_PICK_HEAD)",
        run_hook(&r, "pre-commit", &[], &[]),
    ));
    r.git(&["cherry-pick", "--abort"]).ok();

    // Reverting `main~0`'s parent change while the file moved on conflicts.
    r.write("a.txt", "later\n").commit_all("later");
    assert_eq!(
        r.git(&["revert", "--no-edit", "HEAD~1"]).code,
        1,
        "a revert conflict"
    );
    resolve(&r);
    seen.push(("revert (REVERT_HEAD)", run_hook(&r, "pre-commit", &[], &[])));
    r.git(&["revert", "--abort"]).ok();

    let text: String = seen
        .iter()
        .map(|(state, run)| format!("## {state}: exit {}\n{}", run.code, run.stderr))
        .collect();
    snapshot!(r, "conditions_git_states", text);
}

#[test]
fn git_am_is_not_a_rebase() {
    // `git am` keeps its state in `rebase-apply/` too.
    let r = diverged(STATE_JOBS);
    let patch = r.sibling("p.patch");
    let out = r.git(&["format-patch", "-1", "other", "--stdout"]);
    std::fs::write(&patch, out.stdout).unwrap();
    assert_ne!(r.git(&["am", &s(&patch)]).code, 0, "the patch conflicts");
    assert!(r.path(".git/rebase-apply/applying").exists());
    resolve(&r);
    run_hook(&r, "pre-commit", &[], &[])
        .ok()
        .lacks("on-rebase (")
        .contains("plain");
}

/// A real `git commit` through the hook shim, with this build on PATH, in the C locale.
fn commit(r: &Repo, args: &[&str]) -> Run {
    commit_with(r, args, &[])
}

/// A real `git commit` with hookctl's build on PATH and `env` set.
fn commit_with(r: &Repo, args: &[&str], env: &[(&str, &std::path::Path)]) -> Run {
    let mut c = git_cmd(&r.root);
    c.env("PATH", Repo::path_with_bin())
        .env("LC_ALL", "C")
        .arg("commit")
        .args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    Run::from_output(c.output().unwrap())
}

#[test]
fn a_merge_commit_made_by_git_skips_the_job() {
    let r = diverged(STATE_JOBS);
    r.install_shim("pre-commit");
    assert_eq!(r.git(&["merge", "-q", "other"]).code, 1);
    resolve(&r);
    let run = commit(&r, &["-q", "--no-edit"]);
    run.ok();
    snapshot!(r, "conditions_merge_commit", run.stderr);
}

/// A fresh commit then `git commit --amend`, each with `env`, in a repository whose pre-commit
/// job skips amends and whose post-rewrite job runs only after one: the two hooks' output.
fn amend_transcript(r: &Repo, env: &[(&str, &std::path::Path)]) -> String {
    r.write(
        "hookctl.toml",
        r#"
[pre-commit]
checks = []
[[pre-commit.jobs]]
name = "once-per-commit"
run = "echo fresh commit"
skip = "amend"

[post-rewrite]
[[post-rewrite.jobs]]
name = "after-amend"
run = "echo amended"
only = "amend"
"#,
    )
    .write("a.txt", "1")
    .commit_all("init");
    r.install_shim("pre-commit").install_shim("post-rewrite");
    r.write("b.txt", "2").add(&["b.txt"]);
    let fresh = commit_with(r, &["-q", "-m", "b"], env);
    r.write("c.txt", "3").add(&["c.txt"]);
    let amend = commit_with(r, &["-q", "--amend", "--no-edit"], env);
    format!(
        "## git commit\n{}## git commit --amend\n{}",
        fresh.ok().stderr,
        amend.ok().stderr
    )
}

#[test]
fn amend_is_read_from_the_committing_git() {
    let r = Repo::new();
    let text = amend_transcript(&r, &[]);
    snapshot!(r, "conditions_amend", text);
}

/// The `ps` fallback (no `/proc`): `HOOKCTL_PROC_ROOT` names an empty process table, so the
/// committing `git` is found through `ps` only.
#[test]
fn amend_is_read_through_ps_without_a_process_table() {
    let r = Repo::new();
    let empty = r.sibling("no-proc");
    std::fs::create_dir_all(&empty).unwrap();
    let text = amend_transcript(&r, &[("HOOKCTL_PROC_ROOT", &empty)]);
    // What `/proc` gives.
    snapshot!(r, "conditions_amend", text);
}

/// `merge-commit`: the commit being made is a merge. One job per hook that makes a commit,
/// each `only = "merge-commit"`, and a `pre-commit` twin that skips merges.
const MERGE_COMMIT_JOBS: &str = r#"
[pre-commit]
checks = []
parallel = false
[[pre-commit.jobs]]
name = "merge-only"
run = "echo pre-commit of a merge"
only = "merge-commit"
[[pre-commit.jobs]]
name = "not-for-merges"
run = "echo pre-commit of a plain commit"
skip = "merge-commit"

[pre-merge-commit]
[[pre-merge-commit.jobs]]
name = "merge-only"
run = "echo pre-merge-commit"
only = "merge-commit"

[prepare-commit-msg]
[[prepare-commit-msg.jobs]]
name = "merge-only"
run = "echo prepare-commit-msg of a merge"
only = "merge-commit"

[commit-msg]
[[commit-msg.jobs]]
name = "merge-only"
run = "echo commit-msg of a merge"
only = "merge-commit"

[post-commit]
[[post-commit.jobs]]
name = "merge-only"
run = "echo post-commit of a merge"
only = "merge-commit"

[post-merge]
[[post-merge.jobs]]
name = "merge-only"
run = "echo post-merge of a merge commit"
only = "merge-commit"
[[post-merge.jobs]]
name = "fast-forward"
run = "echo post-merge of a fast-forward"
skip = "merge-commit"
"#;

#[test]
fn merge_commit_holds_for_the_commit_of_a_merge_only() {
    let r = diverged(MERGE_COMMIT_JOBS);
    for hook in [
        "pre-commit",
        "pre-merge-commit",
        "prepare-commit-msg",
        "commit-msg",
        "post-commit",
        "post-merge",
    ] {
        r.install_shim(hook);
    }
    let git = |args: &[&str]| {
        let mut c = git_cmd(&r.root);
        c.env("PATH", Repo::path_with_bin()).env("LC_ALL", "C").args(args);
        Run::from_output(c.output().unwrap())
    };
    let mut text = String::new();
    let mut step = |title: &str, run: &Run| {
        let _ = write!(text, "## {title}: exit {}\n{}", run.code, run.stderr);
    };
    r.write("b.txt", "b\n").add(&["b.txt"]);
    step("a plain commit", &git(&["commit", "-q", "-m", "plain"]));

    // A merge that needs no resolution: git makes the commit itself.
    git(&["checkout", "-q", "-b", "side", "main~1"]).ok();
    r.write("side.txt", "s\n").add(&["side.txt"]);
    git(&["commit", "-q", "-m", "side"]).ok();
    git(&["checkout", "-q", "main"]).ok();
    step(
        "git merge --no-ff side",
        &git(&["merge", "-q", "--no-ff", "--no-edit", "side"]),
    );

    // A fast-forward: post-merge runs, no merge commit is made.
    git(&["checkout", "-q", "-b", "ahead"]).ok();
    r.write("c.txt", "c\n").add(&["c.txt"]);
    git(&["commit", "-q", "-m", "ahead"]).ok();
    git(&["checkout", "-q", "main"]).ok();
    step("git merge ahead (fast-forward)", &git(&["merge", "-q", "ahead"]));

    // A conflicting merge, resolved and committed with `git commit`.
    let conflict = git(&["merge", "-q", "other"]);
    assert_eq!(conflict.code, 1, "a merge conflict: {}", conflict.stderr);
    resolve(&r);
    step(
        "git commit of a conflicting merge",
        &git(&["commit", "-q", "--no-edit"]),
    );
    let parents = r.git(&["rev-list", "--parents", "-n1", "HEAD"]).stdout;
    assert_eq!(parents.split_whitespace().count(), 3, "a merge commit was made");
    snapshot!(r, "conditions_merge_commit_condition", text);
}

#[test]
fn ref_ci_and_run_conditions() {
    let r = Repo::new();
    r.write(
        "hookctl.toml",
        r#"
[pre-commit]
checks = []
parallel = false

[[pre-commit.jobs]]
name = "main-only"
run = "echo on main"
only = { ref = "main" }

[[pre-commit.jobs]]
name = "releases"
run = "echo on a release"
only = { ref = ["release/*", "hotfix-*"] }

[[pre-commit.jobs]]
name = "local-only"
run = "echo not in CI"
skip = "ci"

[[pre-commit.jobs]]
name = "when-flagged"
run = "echo flagged"
only = { run = "test -f .flag" }
"#,
    )
    .write("a.txt", "1")
    .commit_all("init");
    let mut text = String::new();
    let mut case = |title: &str, env: &[(&str, &str)]| {
        let run = run_hook(&r, "pre-commit", &[], env);
        let _ = write!(text, "## {title}: exit {}\n{}", run.code, run.stderr);
    };
    case("main", &[]);
    case("main, CI=true", &[("CI", "true")]);
    case("main, CI=0", &[("CI", "0")]);
    r.git(&["checkout", "-q", "-b", "release/2.0"]).ok();
    r.write(".flag", "");
    case("release/2.0, .flag", &[]);
    r.git(&["checkout", "-q", "-b", "release/next/rc"]).ok();
    case("release/next/rc (`*` stays in one part)", &[]);
    snapshot!(r, "conditions_ref_ci_run", text);
}

#[test]
fn a_hook_level_condition_skips_checks_and_jobs_and_hookctl_skip_still_applies() {
    let r = diverged(
        r#"
[pre-commit]
skip = "merge"
[[pre-commit.jobs]]
name = "lint"
run = "echo lint"
[[pre-commit.jobs]]
name = "types"
run = "echo types"
only = { run = "true" }
"#,
    );
    // Outside a merge: the job runs, HOOKCTL_SKIP skips `lint` before its conditions.
    let plain = run_hook(&r, "pre-commit", &[], &[("HOOKCTL_SKIP", "lint")]);
    assert_eq!(r.git(&["merge", "-q", "other"]).code, 1);
    resolve(&r);
    let merging = run_hook(&r, "pre-commit", &[], &[]);
    let text = format!(
        "## outside a merge, HOOKCTL_SKIP=lint: exit {}\n{}## merging: exit {}\n{}",
        plain.code, plain.stderr, merging.code, merging.stderr
    );
    snapshot!(r, "conditions_hook_level", text);
}

#[test]
fn a_run_condition_runs_once_per_hook_run_in_the_repository_root() {
    let r = Repo::new();
    let log = r.sibling("cond.log");
    r.write(
        "hookctl.toml",
        format!(
            r#"
[pre-commit]
checks = []
[[pre-commit.jobs]]
name = "a"
run = "true"
only = {{ run = "pwd >> {log}" }}
[[pre-commit.jobs]]
name = "b"
run = "true"
only = {{ run = "pwd >> {log}" }}
"#,
            log = s(&log)
        ),
    )
    .write("a.txt", "1")
    .commit_all("init");
    std::fs::create_dir_all(r.path("sub")).unwrap();
    let mut c = isolated_hookctl(&r, &["run", "pre-commit"]);
    c.current_dir(r.path("sub"));
    run_with_stdin(c, None).ok();
    assert_eq!(
        lines(&log),
        [s(&r.root.canonicalize().unwrap())],
        "one run, from the root"
    );
}

#[test]
fn unknown_conditions_are_config_errors_with_file_and_line() {
    let r = Repo::new();
    r.write("a.txt", "1").commit_all("init");
    let mut text = String::new();
    for (title, toml) in [
        (
            "a typo",
            "[pre-commit]\n[[pre-commit.jobs]]\nname = \"x\"\nrun = \"true\"\nskip = [\"merge\", \"rebse\"]\n",
        ),
        ("a hook's", "[pre-commit]\nonly = \"tuesday\"\n"),
        (
            "a table with two keys",
            "[pre-commit]\n[[pre-commit.jobs]]\nname = \"x\"\nrun = \"true\"\nonly = { ref = \"main\", run = \"true\" }\n",
        ),
        (
            "a bad branch glob",
            "[pre-commit]\n[[pre-commit.jobs]]\nname = \"x\"\nrun = \"true\"\nonly = { ref = \"release/[\" }\n",
        ),
        ("a number", "[pre-commit]\nskip = 3\n"),
        (
            "a misspelt key",
            "[pre-commit]\n[[pre-commit.jobs]]\nname = \"x\"\nrun = \"true\"\nskip = [\"ci\", { reff = \"main\" }]\n",
        ),
    ] {
        r.write("hookctl.toml", toml);
        let run = run_with_stdin(isolated_hookctl(&r, &["run", "pre-commit"]), None);
        let _ = writeln!(text, "## {title}: exit {}\n{}", run.code, run.stderr);
    }
    snapshot!(r, "conditions_config_errors", text);
}
